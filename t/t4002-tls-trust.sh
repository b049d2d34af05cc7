#!/bin/sh
test_description='TLS trust on the node: pinned fingerprint, trust on first
use (known_hosts), CA file (name, dates, issuer), -insecure mismatches, and
tentacle info over TLS'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# tentacle info (and nodes without -state-dir) keep known_hosts here; the
# TOFU tests switch to a fresh directory.
TENTACLE_STATE_DIR=$TRASH_DIRECTORY/infostate
export TENTACLE_STATE_DIR
mkdir -m 700 "$TENTACLE_STATE_DIR" || exit 1

if command -v openssl >/dev/null 2>&1; then
	test_set_prereq OPENSSL
fi

# info_at ARGS...: tentacle info -json against the current hub.
info_at () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json "$@"
}

test_expect_success 'setup: origin, hub with its own state dir' '
	start_origin &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" &&
	FP_A=$(hub_fp) &&
	echo "$FP_A" | grep "^sha256:[0-9a-f]\{64\}$"
'

# ---------------------------------------------------------------- pinning

test_expect_success 'pin: -fingerprint with the printed fingerprint gets in' '
	mkdir -m 700 pinstate &&
	start_node pin1 -fingerprint "$FP_A" -state-dir pinstate &&
	hub_serves &&
	! test -e pinstate/known_hosts &&
	stop_daemon $NODE_PID
'

test_expect_success 'pin: upper case with colons is the same fingerprint' '
	FP_UC=$(echo "$FP_A" | sed "s/^sha256://" | tr a-f A-F |
		sed "s/\(..\)/\1:/g; s/:$//") &&
	start_node pin2 -fingerprint "sha256:$FP_UC" -state-dir pinstate &&
	stop_daemon $NODE_PID
'

test_expect_success 'pin: a wrong fingerprint is refused, and the log says both' '
	FP_BAD=sha256:$(printf "%064d" 0 | tr 0 e) &&
	spawn_node pinbad -fingerprint "$FP_BAD" -state-dir pinstate &&
	wait_for_log "$NODE_LOG" "does not match" &&
	grep "hub certificate fingerprint $FP_A does not match the pinned $FP_BAD" \
		"$NODE_LOG" &&
	! grep "node ready" "$NODE_LOG" &&
	info_has_nodes 0 &&
	grep "node closed the connection during the TLS handshake" "$HUB_LOG" &&
	stop_daemon $NODE_PID &&
	! test -e pinstate/known_hosts
'

test_expect_success 'pin: a malformed fingerprint is a start-up error' '
	test_must_fail "$TENTACLE" start -server 127.0.0.1:$CONTROL_PORT \
		-fingerprint sha256:1234 -log none 2>err &&
	cat err &&
	grep -i "fingerprint" err &&
	info_has_nodes 0
'

# ---------------------------------------------------------------- TOFU

test_expect_success 'TOFU: the first connection stores the key (default state dir)' '
	TENTACLE_STATE_DIR=$TRASH_DIRECTORY/tofustate &&
	mkdir -m 700 "$TENTACLE_STATE_DIR" &&
	start_node tofu &&
	TOFU_PID=$NODE_PID && TOFU_LOG=$NODE_LOG &&
	echo "127.0.0.1:$CONTROL_PORT $FP_A" >expect &&
	cmp expect "$TENTACLE_STATE_DIR/known_hosts" &&
	grep "first connection, trusting its key $FP_A" "$TOFU_LOG" &&
	hub_serves
'

test_expect_success 'info: TLS with the same known_hosts (TOFU), adds no line' '
	info_at >info.out &&
	grep "\"name\":\"tofu\"" info.out &&
	cmp expect "$TENTACLE_STATE_DIR/known_hosts"
'

test_expect_success 'info has no TLS flags: the admin socket is local' '
	test_expect_code 2 info_at -fingerprint "$FP_A" 2>err &&
	grep "not defined: -fingerprint" err &&
	test_expect_code 2 info_at -insecure 2>err &&
	grep "not defined: -insecure" err
'

test_expect_success 'TOFU: the hub comes back with a new key on the same port: refused' '
	stop_daemon $HUB_PID &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubB" \
		-controlAddr 127.0.0.1:$CONTROL_PORT &&
	FP_B=$(hub_fp) &&
	test "$FP_A" != "$FP_B" &&
	wait_for_log "$TOFU_LOG" "changed its key" &&
	grep "hub 127.0.0.1:$CONTROL_PORT changed its key: it now has $FP_B, but $TENTACLE_STATE_DIR/known_hosts line 1 says $FP_A" \
		"$TOFU_LOG" &&
	info_has_nodes 0
'

test_expect_success 'info: the hub'"'"'s new key does not matter to the admin socket' '
	info_at >info.out &&
	grep "\"nodes\"" info.out
'

test_expect_success 'TOFU: removing the line lets the node in at its next try' '
	sed "/^127\.0\.0\.1:$CONTROL_PORT /d" \
		"$TENTACLE_STATE_DIR/known_hosts" >kh.new &&
	test ! -s kh.new &&
	cat kh.new >"$TENTACLE_STATE_DIR/known_hosts" &&
	wait_for_count "$TOFU_LOG" "node ready: node [0-9]* (tofu)" 2 12 &&
	echo "127.0.0.1:$CONTROL_PORT $FP_B" >expect &&
	cmp expect "$TENTACLE_STATE_DIR/known_hosts" &&
	hub_serves &&
	stop_daemon $TOFU_PID &&
	TENTACLE_STATE_DIR=$TRASH_DIRECTORY/infostate
'

# ---------------------------------------------------------------- CA

# mkcert NAME CA EXT [DAYS]: an EC key and a certificate signed by CA
# (CA.crt, CA.key) with the extensions in EXT ("" for none).
mkcert () {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout $1.key -out $1.csr -subj "/CN=${CN:-hub.test}" \
		2>>openssl.err &&
	printf "%s\n" "$3" >$1.ext &&
	openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key \
		-set_serial 0x$(od -An -N8 -tx1 /dev/urandom | tr -d " \n") \
		-days ${4:-2} -extfile $1.ext -out $1.crt 2>>openssl.err
}

# mkca NAME: a self-signed CA certificate and key (subject CN=$CN if set).
mkca () {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout $1.key -out $1.crt -subj "/CN=${CN:-Tentacle test $1}" \
		-days 2 -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign" 2>>openssl.err
}

# ca_hub NAME: restart the hub with certificate NAME.crt.
ca_hub () {
	stop_daemon $HUB_PID &&
	start_hub -tlsCrt $1.crt -tlsKey $1.key
}

# ca_refused NAME PATTERN FLAGS...: a node started with FLAGS logs
# PATTERN and is not listed.
ca_refused () {
	car_name=$1
	car_pat=$2
	shift 2
	spawn_node $car_name "$@" &&
	wait_for_log "$NODE_LOG" "$car_pat" &&
	! grep "node ready" "$NODE_LOG" &&
	info_has_nodes 0 &&
	stop_daemon $NODE_PID
}

test_expect_success OPENSSL 'setup: two CAs, hub certificates' '
	mkca ca1 && mkca ca2 &&
	mkcert dns ca1 "subjectAltName=DNS:hub.test,DNS:localhost" &&
	mkcert other ca2 "subjectAltName=DNS:localhost" &&
	mkcert expired ca1 "subjectAltName=DNS:localhost" -1 &&
	mkcert ip ca1 "subjectAltName=IP:127.0.0.1" &&
	CN=127.0.0.1 mkcert cnip ca1 "" &&
	CN=localhost mkcert cnname ca1 "" &&
	openssl verify -CAfile ca1.crt dns.crt &&
	! openssl verify -CAfile ca1.crt expired.crt &&
	ca_hub dns
'

test_expect_success OPENSSL 'CA: -ca-file with the right CA and name gets in' '
	NODE_SERVER=localhost:$CONTROL_PORT start_node ca1 -ca-file ca1.crt &&
	hub_serves &&
	stop_daemon $NODE_PID
'

test_expect_success OPENSSL 'CA: another CA is refused (unknown CA)' '
	ca_refused caother "unknown CA" -ca-file ca2.crt \
		-server localhost:$CONTROL_PORT
'

test_expect_success OPENSSL 'CA: the name is checked (hub.test cert, node dials 127.0.0.1)' '
	ca_refused caname "is not for the name \"127.0.0.1\"" -ca-file ca1.crt
'

test_expect_success OPENSSL 'CA: an expired certificate is refused' '
	ca_hub expired &&
	ca_refused caexp "expired or not yet valid" -ca-file ca1.crt \
		-server localhost:$CONTROL_PORT
'

test_expect_success OPENSSL 'CA: a self-signed hub certificate for the right name is refused' '
	CN=localhost mkca selfsigned &&
	ca_hub selfsigned &&
	ca_refused caself "unknown CA" -ca-file ca1.crt \
		-server localhost:$CONTROL_PORT
'

test_expect_success OPENSSL 'CA: the default self-signed hub key is refused' '
	stop_daemon $HUB_PID &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" &&
	ca_refused caself2 "unknown CA\|is not for the name" -ca-file ca1.crt \
		-server localhost:$CONTROL_PORT
'

# doc/tls.md: the hub's own self-signed certificate names only
# CN=tentacle-hub and the name is checked, so as a CA file it is refused,
# with a hint to pin the hub instead.
test_expect_success 'CA: the hub'"'"'s own hub.crt as a CA file fails the name check, with a hint' '
	ca_refused caown "pin it with -fingerprint" \
		-ca-file "$TRASH_DIRECTORY/hubA/hub.crt" \
		-server localhost:$CONTROL_PORT
'

test_expect_success OPENSSL 'CA: a certificate from another CA the hub sends is refused' '
	ca_hub other &&
	ca_refused caother2 "unknown CA" -ca-file ca1.crt \
		-server localhost:$CONTROL_PORT
'

# BearSSL's minimal X.509 engine (0.6) matches the server name against
# dNSName entries of subjectAltName, and against the CN when there is no
# SAN; it does not match iPAddress entries.  So a certificate for an
# address must carry it as CN (without SAN) or as DNS:127.0.0.1.
test_expect_failure OPENSSL 'CA: SAN IP:127.0.0.1 when the node dials 127.0.0.1' '
	ca_hub ip &&
	spawn_node caip -ca-file ca1.crt &&
	wait_for_log "$NODE_LOG" "node ready\|is not for the name" &&
	stop_daemon $NODE_PID &&
	grep "node ready" "$NODE_LOG"
'

test_expect_success OPENSSL 'CA: SAN IP:127.0.0.1 is refused as "not for the name" (today)' '
	grep "is not for the name \"127.0.0.1\"" node.caip.log
'

test_expect_success OPENSSL 'CA: no SAN, CN=localhost, node dials localhost' '
	ca_hub cnname &&
	NODE_SERVER=localhost:$CONTROL_PORT start_node cacn -ca-file ca1.crt &&
	stop_daemon $NODE_PID
'

test_expect_success OPENSSL 'CA: no SAN, CN=127.0.0.1, node dials 127.0.0.1' '
	ca_hub cnip &&
	start_node cacnip -ca-file ca1.crt &&
	stop_daemon $NODE_PID
'

test_expect_success OPENSSL 'CA: ca_file in the config file' '
	ca_hub dns &&
	printf "ca_file: %s\n" "$TRASH_DIRECTORY/ca1.crt" >node.conf &&
	NODE_SERVER=localhost:$CONTROL_PORT start_node caconf \
		-config node.conf &&
	hub_serves &&
	stop_daemon $NODE_PID
'

# ---------------------------------------------------------------- insecure

test_expect_success 'hub -insecure, node TLS: the node says insecure' '
	stop_daemon $HUB_PID &&
	start_hub -insecure &&
	grep "insecure: links to nodes are plaintext" "$HUB_LOG" &&
	! grep "hub key fingerprint" "$HUB_LOG" &&
	spawn_node tlsnode &&
	wait_for_log "$NODE_LOG" "TLS: .*insecure" &&
	! grep "node ready" "$NODE_LOG" &&
	wait_for_log "$HUB_LOG" "a TLS client, but this hub runs -insecure" &&
	info_at >info.out &&
	! grep "tlsnode" info.out &&
	stop_daemon $NODE_PID
'

test_expect_success 'info: the same admin socket for an -insecure hub' '
	info_at >info.out &&
	grep "\"nodes\"" info.out
'

test_expect_success 'both -insecure: works, and the hub warned' '
	start_node plain -insecure &&
	hub_serves &&
	grep "WARNING -insecure: links to nodes are plaintext" "$HUB_LOG" &&
	stop_daemon $NODE_PID
'

test_expect_success 'insecure: true in the config file' '
	printf "insecure: true\n" >insecure.conf &&
	start_node plainconf -config insecure.conf &&
	hub_serves &&
	stop_daemon $NODE_PID
'

test_expect_success 'hub TLS, node -insecure: the hub log hints at plaintext nodes' '
	stop_daemon $HUB_PID &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" &&
	spawn_node plainnode -insecure &&
	wait_for_log "$HUB_LOG" "does not speak TLS" &&
	grep "does not speak TLS" "$HUB_LOG" &&
	! grep "node ready" "$NODE_LOG" &&
	info_has_nodes 0 &&
	stop_daemon $NODE_PID
'

test_expect_success 'the hub still serves' '
	mkdir -m 700 laststate &&
	start_node last -state-dir laststate &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_done
