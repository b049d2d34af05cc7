#!/bin/sh
test_description='abuse: garbage on every port, bad frames, slow clients,
data links that never bind; the hub keeps serving'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# closed_within MS PORT [tcpc flags]: stdin sent to PORT; the hub closes
# the connection within MS milliseconds.
closed_within () {
	cw_ms=$1 cw_port=$2
	shift 2
	"$TCPC" -T 5 "$@" $cw_port >resp 2>tcpc.err
	cw_rc=$?
	cat tcpc.err
	test $cw_rc = 0 || return 1
	cw_took=$(sed -n "s/.*closed after \([0-9]*\) ms.*/\1/p" tcpc.err)
	test -n "$cw_took" && test "$cw_took" -le "$cw_ms"
}

# frame TYPE FLAGS LEN: a frame header as octal escapes for printf.
frame () {
	printf "\\$(printf %03o $1)\\$(printf %03o $2)\\$(printf %03o $(($3 / 256)))\\$(printf %03o $(($3 % 256)))"
}

# Frame-level cases need plaintext links (-insecure); the TLS hub at the
# end gets the timeouts and garbage.
test_expect_success 'setup: hub (plaintext, handshake and idle timeouts 1s), node, origin' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -insecure -handshake-timeout 1s -idle-timeout 1s &&
	start_node n1 -insecure &&
	hub_serves &&
	"$ORIGIN" -gen 65536 >garbage
'

for port in CONTROL DATA SOCKS HTTP; do
	test_expect_success "64 KiB of garbage on the $port port: closed" '
		eval p=\$${port}_PORT &&
		closed_within 2000 $p <garbage
	'
done

test_expect_success 'garbage on all ports at once, 20 connections each' '
	pids= &&
	for p in $CONTROL_PORT $DATA_PORT $SOCKS_PORT $HTTP_PORT; do
		i=0
		while test $i -lt 20; do
			"$TCPC" -T 5 $p <garbage >/dev/null 2>&1 &
			pids="$pids $!"
			i=$((i + 1))
		done
	done &&
	for pid in $pids; do
		wait $pid || { echo "a connection stayed open"; return 1; }
	done &&
	hub_serves
'

test_expect_success 'control: oversized frame length closes at once' '
	frame 1 0 65535 >big &&
	closed_within 900 $CONTROL_PORT <big &&
	frame 1 0 4097 >big &&
	closed_within 900 $CONTROL_PORT <big
'

test_expect_success 'control: oversized frame after a valid-looking header' '
	{ frame 1 0 4097 && head -c 4097 garbage; } >big &&
	closed_within 900 $CONTROL_PORT <big
'

test_expect_success 'control: unknown frame type closes at once' '
	frame 127 0 0 >bad &&
	closed_within 900 $CONTROL_PORT <bad
'

test_expect_success 'control: non-zero flags close at once' '
	frame 1 1 6 >bad && printf "TNTC\001\001" >>bad &&
	closed_within 900 $CONTROL_PORT <bad
'

test_expect_success 'control: HELLO with the wrong magic: closed, no answer' '
	frame 1 0 6 >bad && printf "XXXX\001\001" >>bad &&
	closed_within 900 $CONTROL_PORT <bad &&
	test ! -s resp
'

test_expect_success 'control: HELLO of version 2 gets BYE and a close' '
	frame 1 0 6 >bad && printf "TNTC\002\001" >>bad &&
	closed_within 900 $CONTROL_PORT <bad &&
	test -s resp &&
	od -An -tx1 resp | head -n 1 | grep "^ *08 00"
'

test_expect_success 'control: HELLO with a truncated attribute: closed' '
	frame 1 0 9 >bad && printf "TNTC\001\001\001\011n" >>bad &&
	closed_within 900 $CONTROL_PORT <bad
'

test_expect_success 'control: a frame before HELLO (PING): closed' '
	frame 3 0 8 >bad && printf "\000\000\000\000\000\000\000\001" >>bad &&
	closed_within 900 $CONTROL_PORT <bad
'

test_expect_success 'control: silent connection closed by the handshake timeout' '
	closed_within 3000 $CONTROL_PORT </dev/null &&
	test "$cw_took" -ge 800
'

test_expect_success 'data: a link that never binds is closed by the timeout' '
	closed_within 3000 $DATA_PORT </dev/null &&
	test "$cw_took" -ge 800
'

test_expect_success 'data: BIND with an unknown node and cookie: closed at once' '
	frame 7 0 25 >bind &&
	printf "\000\000\000\001" >>bind &&
	head -c 16 /dev/zero >>bind &&
	printf "\000\000\000\001\000" >>bind &&
	closed_within 900 $DATA_PORT <bind
'

test_expect_success 'data: a half BIND frame is closed by the timeout' '
	frame 7 0 25 >bind &&
	printf "\000\000" >>bind &&
	closed_within 3000 $DATA_PORT <bind &&
	test "$cw_took" -ge 800
'

test_expect_success 'data: POOL (reserved in version 1): closed' '
	frame 9 0 20 >pool &&
	printf "\000\000\000\001" >>pool &&
	head -c 16 /dev/zero >>pool &&
	closed_within 900 $DATA_PORT <pool
'

test_expect_success 'SOCKS: slow greeting is closed by the handshake timeout' '
	printf "\005\001" >greet &&
	closed_within 3000 $SOCKS_PORT -d 400 <greet &&
	test "$cw_took" -ge 800
'

test_expect_success 'SOCKS: domain of length 0 is refused, not a crash' '
	printf "\005\001\000\005\001\000\003\000\000\120" >req &&
	closed_within 3000 $SOCKS_PORT <req &&
	! od -An -tx1 resp | tr -d " \n" | grep "^050005000"
'

test_expect_success 'HTTP: slowloris head (a byte per 100ms) closed after ~1s' '
	printf "GET http://127.0.0.1:$ORIGIN_PORT/small HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n\r\n" >slow &&
	closed_within 3000 $HTTP_PORT -d 100 <slow &&
	test "$cw_took" -ge 800 &&
	! grep "quick brown fox" resp
'

test_expect_success 'HTTP: a 100 KB request line without a newline' '
	head -c 100000 /dev/zero | tr "\0" a >long &&
	closed_within 3000 $HTTP_PORT <long &&
	{ test ! -s resp || head -n 1 resp | grep "^HTTP/1\.[01] \(400\|414\|431\) "; }
'

test_expect_success 'HTTP: many headers are refused (431)' '
	{
		printf "GET http://127.0.0.1:$ORIGIN_PORT/small HTTP/1.1\r\n" &&
		i=0 &&
		while test $i -lt 1000; do
			printf "X-H$i: v\r\n"
			i=$((i + 1))
		done &&
		printf "\r\n"
	} >many &&
	closed_within 3000 $HTTP_PORT <many &&
	head -n 1 resp | grep "^HTTP/1\.[01] 431 "
'

test_expect_success 'HTTP: a chunked body with a bad chunk size' '
	printf "POST http://127.0.0.1:$ORIGIN_PORT/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n" >req &&
	closed_within 3000 $HTTP_PORT <req
'

test_expect_success 'HTTP: Content-Length and Transfer-Encoding together: 400' '
	printf "POST http://127.0.0.1:$ORIGIN_PORT/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" >req &&
	closed_within 3000 $HTTP_PORT <req &&
	head -n 1 resp | grep "^HTTP/1\.[01] 400 "
'

test_expect_success 'an idle SOCKS tunnel is closed by -idle-timeout 1s' '
	socks_connect $ECHO_PORT >req &&
	od -An -tx1 req &&
	closed_within 4000 $SOCKS_PORT <req &&
	od -An -tx1 resp | tr -d " \n" | grep "^05000500" &&
	test "$cw_took" -ge 800
'

test_expect_success 'an idle CONNECT tunnel is closed by -idle-timeout 1s' '
	printf "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1\r\nHost: x\r\n\r\n" >req &&
	closed_within 4000 $HTTP_PORT <req &&
	head -n 1 resp | grep "^HTTP/1\.[01] 200" &&
	test "$cw_took" -ge 800
'

test_expect_success 'the node stayed connected through all of it' '
	test $(grep -c "node ready" "$NODE_LOG") = 1 &&
	info_has_nodes 1
'

test_expect_success 'the hub still serves SOCKS and HTTP' '
	hub_serves
'

test_expect_success 'no connection leaked: no relays left, hub stops cleanly' '
	wait_until 5 info_no_relays &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_expect_success 'TLS hub: garbage on the control and data ports: closed' '
	start_hub -handshake-timeout 1s &&
	closed_within 2000 $CONTROL_PORT <garbage &&
	closed_within 2000 $DATA_PORT <garbage
'

test_expect_success 'TLS hub: silent control link closed by the handshake timeout' '
	closed_within 3000 $CONTROL_PORT </dev/null &&
	test "$cw_took" -ge 800
'

test_expect_success 'TLS hub: silent data link closed by the handshake timeout' '
	closed_within 3000 $DATA_PORT </dev/null &&
	test "$cw_took" -ge 800
'

test_expect_success 'TLS hub: a partial TLS record is closed by the timeout' '
	printf "\026\003\001" >partial &&
	closed_within 3000 $CONTROL_PORT <partial &&
	test "$cw_took" -ge 800
'

test_done
