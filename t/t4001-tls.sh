#!/bin/sh
test_description='TLS links by default: hub identity files, traffic through
TLS (SOCKS, HTTP, 16 MiB down, 4 MiB up), the control and data links
recorded on the wire (data behind -tunnel-advertise) show no token, node
name, target or payload (and do with -insecure), the data port speaks TLS
with the same key, half-close, a node killed mid-transfer'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# The hub's default state directory comes from the environment; the node
# gets its own with -state-dir.  Nothing is shared with other runs.
TENTACLE_STATE_DIR=$TRASH_DIRECTORY/hubstate
export TENTACLE_STATE_DIR
NODESTATE=$TRASH_DIRECTORY/nodestate
KH=$TRASH_DIRECTORY/kh

if test -x "$TENTACLE_HELPERS/tcprec"; then
	test_set_prereq TCPREC
fi
if command -v openssl >/dev/null 2>&1; then
	test_set_prereq OPENSSL
fi

# mode FILE: octal permission bits.
mode () {
	stat -c %a "$1"
}

# start_rec NAME TARGETPORT: a recording relay to 127.0.0.1:TARGETPORT;
# bytes both ways go to NAME.rec.  Sets REC_PORT REC_PID.
start_rec () {
	rm -f "$1.rec"
	"$TENTACLE_HELPERS/tcprec" "$2" "$TRASH_DIRECTORY/$1.rec" \
		>"$TRASH_DIRECTORY/$1.out" 2>"$TRASH_DIRECTORY/$1.err" \
		</dev/null &
	REC_PID=$!
	register_daemon_ $REC_PID $1
	wait_for_ready_ "$TRASH_DIRECTORY/$1.out" "tcprec ready: " \
		$REC_PID $1 || return 1
	REC_PORT=$(sed -n "s/^tcprec ready: 127\.0\.0\.1://p" \
		"$TRASH_DIRECTORY/$1.out")
	test -n "$REC_PORT"
}

# Distinctive strings to look for in the recordings.
SECRET_NAME=nodename_7f3ac91e
SECRET_BODY=payload-c0ffee-5ec2e7-body
SECRET_HDR=hdr-value-9d1b77e4

# rec_hub NAME HUBFLAGS...: a hub whose data port P sits behind a
# recording relay (NAME.data.rec) that nodes are sent to with
# -tunnel-advertise.  The relay needs P before the hub binds it, and the
# hub needs the relay's port: P is a port a probe relay just held (free
# again once it is stopped), tried up to 5 times in case another process
# takes it in between.  Sets DREC_PID DREC_PORT and what start_hub sets.
rec_hub () {
	rh_name=$1
	shift
	rh_try=0
	while test $rh_try -lt 5; do
		rh_try=$((rh_try + 1))
		start_rec probe.$rh_name.$rh_try 9 || return 1
		rh_port=$REC_PORT
		stop_daemon $REC_PID || return 1
		start_rec $rh_name.data $rh_port || return 1
		DREC_PID=$REC_PID
		DREC_PORT=$REC_PORT
		if start_hub -tunnelAddr 127.0.0.1:$rh_port \
		    -tunnel-advertise 127.0.0.1:$DREC_PORT "$@"; then
			test "$DATA_PORT" = "$rh_port" && return 0
			echo "hub data port $DATA_PORT, wanted $rh_port" >&2
			return 1
		fi
		kill_daemon $HUB_PID
		stop_daemon $DREC_PID || return 1
	done
	echo "no free data port after $rh_try tries" >&2
	return 1
}

# rec_traffic: through the node behind the relays, a SOCKS5 CONNECT by
# name ("localhost" goes to the node in DIAL, on the control link) to the
# echo origin with a distinctive payload, a POST of it by name (its
# Host header and body travel on a data link), a GET with a distinctive
# header through the HTTP front.
rec_traffic () {
	printf "%s\n" "$SECRET_BODY" >rec.payload &&
	"$SOCKSC" $SOCKS_PORT localhost $ECHO_PORT <rec.payload \
		>rec.echoed 2>rec.rep &&
	grep "^REP 0x00" rec.rep &&
	cmp rec.payload rec.echoed &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		--data-binary @rec.payload \
		"http://localhost:$ORIGIN_PORT/echo" >rec.out &&
	grep "^len=" rec.out &&
	tcurl -x http://127.0.0.1:$HTTP_PORT -H "X-Probe: $SECRET_HDR" \
		"http://127.0.0.1:$ORIGIN_PORT/headers" >rec.out &&
	grep "$SECRET_HDR" rec.out
}

# in_rec FILE STRING: the bytes of STRING occur in FILE.
in_rec () {
	grep -a -F -e "$2" "$1" >/dev/null
}

test_expect_success 'setup: origins, a hub and a node with no TLS flags' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub &&
	start_node n1 -state-dir "$NODESTATE" &&
	grep "TLS links" "$NODE_LOG"
'

test_expect_success 'the hub logs its key fingerprint' '
	FP=$(hub_fp) &&
	echo "$FP" | grep "^sha256:[0-9a-f]\{64\}$"
'

test_expect_success 'the hub made hub.crt and hub.key (0600) in TENTACLE_STATE_DIR' '
	test -s "$TENTACLE_STATE_DIR/hub.crt" &&
	test -s "$TENTACLE_STATE_DIR/hub.key" &&
	test "$(mode "$TENTACLE_STATE_DIR/hub.crt")" = 600 &&
	test "$(mode "$TENTACLE_STATE_DIR/hub.key")" = 600 &&
	test "$(mode "$TENTACLE_STATE_DIR")" = 700 &&
	grep "BEGIN CERTIFICATE" "$TENTACLE_STATE_DIR/hub.crt" &&
	! test -e "$TENTACLE_STATE_DIR/known_hosts"
'

test_expect_success OPENSSL 'the fingerprint is SHA-256 of the certificate key (openssl)' '
	openssl x509 -in "$TENTACLE_STATE_DIR/hub.crt" -pubkey -noout |
		openssl pkey -pubin -outform DER >hub.spki &&
	echo "sha256:$(sha256sum <hub.spki | cut -d" " -f1)" >expect &&
	hub_fp >actual &&
	cmp expect actual
'

# A node whose state directory does not exist yet (the default
# ~/.tentacle on a fresh machine) must still remember the hub: otherwise
# trust on first use trusts every key, every time.
test_expect_success 'the node made its state dir and stored the hub key (0600)' '
	echo "127.0.0.1:$CONTROL_PORT $FP" >expect &&
	grep "first connection, trusting its key $FP" "$NODE_LOG" &&
	! grep "cannot store hub" "$NODE_LOG" &&
	cmp expect "$NODESTATE/known_hosts" &&
	test "$(mode "$NODESTATE/known_hosts")" = 600
'

test_expect_success 'with an existing -state-dir: known_hosts gets "127.0.0.1:PORT sha256:..."' '
	stop_daemon $NODE_PID &&
	mkdir -m 700 "$KH" &&
	start_node n1 -state-dir "$KH" &&
	echo "127.0.0.1:$CONTROL_PORT $FP" >expect &&
	cmp expect "$KH/known_hosts" &&
	test "$(mode "$KH/known_hosts")" = 600 &&
	! test -e "$KH/hub.key" &&
	! test -e "$KH/hub.crt"
'

test_expect_success 'SOCKS and HTTP (absolute-form and CONNECT) requests work' '
	hub_serves &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success '16 MiB download through TLS is intact' '
	"$ORIGIN" -gen 16777216 >expect16 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got16 &&
	cmp expect16 got16 &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/chunked/16777216 -o got16c &&
	cmp expect16 got16c
'

test_expect_success '4 MiB POST upload through TLS is intact' '
	head -c 4194304 expect16 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	tcurl -x http://127.0.0.1:$HTTP_PORT --data-binary @post \
		-H "Transfer-Encoding: chunked" \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum
'

# The data port is checked for TLS with the hub's key directly here; the
# recorded data links below (-tunnel-advertise) show what crosses it.
test_expect_success OPENSSL 'the data and control ports speak TLS 1.2 with the hub key' '
	for p in $DATA_PORT $CONTROL_PORT; do
		openssl s_client -connect 127.0.0.1:$p -tls1_2 \
			</dev/null >sclient.$p 2>&1
		grep "BEGIN CERTIFICATE" sclient.$p >/dev/null &&
		grep "Protocol *: TLSv1.2" sclient.$p &&
		openssl x509 -in sclient.$p -pubkey -noout |
			openssl pkey -pubin -outform DER >port.spki &&
		cmp hub.spki port.spki || return 1
	done
'

test_expect_success 'the hub key is reused at restart (same fingerprint, same files)' '
	cp "$TENTACLE_STATE_DIR/hub.key" key.before &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	test "$(hub_fp)" = "$FP" &&
	cmp key.before "$TENTACLE_STATE_DIR/hub.key" &&
	start_node n1 -state-dir "$KH" &&
	hub_serves
'

test_expect_success TCPREC 'setup: hub with -tokens, node via recording relays (control and data)' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	TOKEN=$("$TENTACLE" token) &&
	echo "$TOKEN" >tokens &&
	rec_hub tls -tokens tokens &&
	start_rec tls $CONTROL_PORT &&
	NODE_SERVER=127.0.0.1:$REC_PORT start_node $SECRET_NAME \
		-token "$TOKEN" -state-dir "$KH" &&
	grep "^127.0.0.1:$REC_PORT $FP$" "$KH/known_hosts"
'

test_expect_success TCPREC 'traffic through the node behind the relays' '
	rec_traffic &&
	grep "localhost:$ECHO_PORT" "$HUB_LOG" &&
	grep "localhost:$ORIGIN_PORT" "$HUB_LOG"
'

# rec_bytes FILE: the bytes of FILE in hex, " xx xx ... ".
rec_bytes () {
	printf " %s " "$(od -An -v -tx1 -w1 "$1" | tr -d " " | tr "\n" " ")"
}

# The control link carries HELLO (node name, key id, proof), DIAL (the
# target as the user named it) and the rest of the control frames; the
# data links carry BIND and then the payloads (echoed bytes, the POST
# with its Host header, the header of the GET).  Both recorded on the
# wire.  The control link shows the hub certificate in clear (a full
# handshake); data links resume the session, so they show no certificate:
# there, TLS is a handshake record first and application data records
# (0x17 0x03 0x03), at least one per data link.
test_expect_success TCPREC 'TLS: no token, node name, target or payload on either link' '
	stop_daemon $NODE_PID &&
	stop_daemon $REC_PID &&
	stop_daemon $DREC_PID &&
	test -s tls.rec &&
	test -s tls.data.rec &&
	wc -c <tls.rec &&
	wc -c <tls.data.rec &&
	for f in tls.rec tls.data.rec; do
		! in_rec $f "$TOKEN" &&
		! in_rec $f "$SECRET_NAME" &&
		! in_rec $f "$SECRET_BODY" &&
		! in_rec $f "$SECRET_HDR" &&
		! in_rec $f "localhost" || return 1
	done &&
	in_rec tls.rec "tentacle-hub" &&
	rec_bytes tls.data.rec >data.hex &&
	grep "^ 16 03 0[0-4] " data.hex &&
	n=$(grep -o " 17 03 03 " data.hex | wc -l) &&
	echo "$n application data records" &&
	test "$n" -ge 3
'

test_expect_success TCPREC 'setup: both sides -insecure, node via recording relays' '
	stop_daemon $HUB_PID &&
	rec_hub plain -insecure -tokens tokens &&
	grep "insecure: links to nodes are plaintext" "$HUB_LOG" &&
	start_rec plain $CONTROL_PORT &&
	NODE_SERVER=127.0.0.1:$REC_PORT start_node $SECRET_NAME \
		-token "$TOKEN" -insecure -state-dir "$KH" &&
	grep "insecure: plaintext links" "$NODE_LOG" &&
	rec_traffic
'

# The same checks must see the secrets in plaintext: proof that the
# recordings hold the links, and that the TLS checks above can fail.
test_expect_success TCPREC '-insecure: node name, target and payloads are on the wire, the token is not' '
	stop_daemon $NODE_PID &&
	stop_daemon $REC_PID &&
	stop_daemon $DREC_PID &&
	in_rec plain.rec "$SECRET_NAME" &&
	in_rec plain.rec "localhost" &&
	! in_rec plain.rec "$TOKEN" &&
	! in_rec plain.rec "tentacle-hub" &&
	in_rec plain.data.rec "$SECRET_BODY" &&
	in_rec plain.data.rec "$SECRET_HDR" &&
	in_rec plain.data.rec "Host: localhost:$ORIGIN_PORT" &&
	! in_rec plain.data.rec "$TOKEN" &&
	! in_rec plain.data.rec "tentacle-hub" &&
	rec_bytes plain.data.rec >data.hex &&
	! grep "^ 16 03 0[0-4] " data.hex
'

test_expect_success 'setup: a TLS hub and node again' '
	stop_daemon $HUB_PID &&
	start_hub -heartbeat 200ms &&
	start_node n2 -state-dir "$KH"
'

test_expect_success 'half-close through TLS: 1 MiB sent, write side shut, all of it back' '
	head -c 1048576 expect16 >payload1m &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload1m >echoed \
		2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload1m echoed &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT </dev/null >echoed \
		2>rep &&
	grep "^REP 0x00" rep &&
	test ! -s echoed
'

test_expect_success 'node killed mid-transfer over TLS: the client sees the end' '
	rm -f dl.body dl.rc &&
	{
		tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT -o dl.body \
			http://127.0.0.1:$ORIGIN_PORT/slow/2000000/200 \
			2>dl.err
		echo $? >dl.rc
	} &
	DL_PID=$! &&
	wait_until 5 test -s dl.body &&
	! test -f dl.rc &&
	kill_daemon $NODE_PID KILL &&
	wait_until 5 test -f dl.rc &&
	wait $DL_PID &&
	echo "curl exit $(cat dl.rc): $(cat dl.err)" &&
	test "$(cat dl.rc)" != 0 &&
	test $(wc -c <dl.body) -lt 2000000
'

test_expect_success 'the hub drops the dead node and keeps serving a new one' '
	wait_until 5 info_has_nodes 0 &&
	start_node n3 -state-dir "$KH" &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_done
