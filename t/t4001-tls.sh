#!/bin/sh
test_description='TLS links by default: hub identity files, traffic through
TLS (SOCKS, HTTP, 16 MiB down, 4 MiB up), the control link recorded on the
wire shows no token, node name or target (and does with -insecure), the
data port speaks TLS with the same key, half-close, a node killed
mid-transfer'
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

# hub_serves: a new request through the current hub works (SOCKS and HTTP).
hub_serves () {
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >serves.out &&
	grep "quick brown fox" serves.out &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >serves.out &&
	grep "quick brown fox" serves.out
}

# mode FILE: octal permission bits.
mode () {
	stat -c %a "$1"
}

# hub_fp: the fingerprint from the last hub's log.
hub_fp () {
	sed -n "s/.*hub key fingerprint \(sha256:[0-9a-f]*\).*/\1/p" \
		"$HUB_LOG" | tail -n 1
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
SECRET_NAME=nodename-7f3ac91e
SECRET_BODY=payload-c0ffee-5ec2e7-body
SECRET_HDR=hdr-value-9d1b77e4

# rec_traffic: through the node behind the relay, a SOCKS5 CONNECT by
# name ("localhost" goes to the node in DIAL, on the control link) to the
# echo origin, a POST with a distinctive body, a GET with a distinctive
# header (those two travel on data links, which are not recorded).
rec_traffic () {
	printf "%s\n" "$SECRET_BODY" >rec.payload &&
	"$SOCKSC" $SOCKS_PORT localhost $ECHO_PORT <rec.payload \
		>rec.echoed 2>rec.rep &&
	grep "^REP 0x00" rec.rep &&
	cmp rec.payload rec.echoed &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		--data-binary @rec.payload \
		"http://127.0.0.1:$ORIGIN_PORT/echo" >rec.out &&
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

# The data link cannot be put behind a relay: the hub announces its data
# listener's own address in WELCOME when -tunnelAddr names one, and with a
# wildcard -tunnelAddr no relay can bind that port on loopback.  So the
# data port is checked for TLS with the hub's key directly.
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

test_expect_success TCPREC 'setup: hub with -tokens, node via a recording relay' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	TOKEN=$("$TENTACLE" token) &&
	echo "$TOKEN" >tokens &&
	start_hub -tokens tokens &&
	start_rec tls $CONTROL_PORT &&
	NODE_SERVER=127.0.0.1:$REC_PORT start_node $SECRET_NAME \
		-token "$TOKEN" -state-dir "$KH" &&
	grep "^127.0.0.1:$REC_PORT $FP$" "$KH/known_hosts"
'

test_expect_success TCPREC 'traffic through the node behind the relay' '
	rec_traffic &&
	grep "localhost:$ECHO_PORT" "$HUB_LOG"
'

# Only the control link is recorded (see above): HELLO (node name, key id,
# proof), DIAL (the target as the user named it) and the rest of the
# control frames.  Payloads travel on data links; that those are TLS too
# is checked on the data port, and byte for byte in t/unit/tls.t.
test_expect_success TCPREC 'TLS: no token, node name or target on the control link' '
	stop_daemon $NODE_PID &&
	stop_daemon $REC_PID &&
	test -s tls.rec &&
	wc -c <tls.rec &&
	! in_rec tls.rec "$TOKEN" &&
	! in_rec tls.rec "$SECRET_NAME" &&
	! in_rec tls.rec "localhost" &&
	in_rec tls.rec "tentacle-hub"
'

test_expect_success TCPREC 'setup: both sides -insecure, node via a recording relay' '
	stop_daemon $HUB_PID &&
	start_hub -insecure -tokens tokens &&
	grep "insecure: links to nodes are plaintext" "$HUB_LOG" &&
	start_rec plain $CONTROL_PORT &&
	NODE_SERVER=127.0.0.1:$REC_PORT start_node $SECRET_NAME \
		-token "$TOKEN" -insecure -state-dir "$KH" &&
	grep "insecure: plaintext links" "$NODE_LOG" &&
	rec_traffic
'

test_expect_success TCPREC '-insecure: node name and target are on the wire, the token is not' '
	stop_daemon $NODE_PID &&
	stop_daemon $REC_PID &&
	in_rec plain.rec "$SECRET_NAME" &&
	in_rec plain.rec "localhost" &&
	! in_rec plain.rec "$TOKEN" &&
	! in_rec plain.rec "tentacle-hub"
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
