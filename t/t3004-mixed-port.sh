#!/bin/sh
test_description='-mixedAddr: one port for SOCKS4, SOCKS4a, SOCKS5 and HTTP
(absolute-form and CONNECT), told apart by the first byte, with the users
and limits of the dedicated ports'
# Names and odd addresses go to a node: only lo (TEST_NETNS).
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# mixed_port: the mixed port of the last hub's ready line.
mixed_port () {
	MIXED_PORT=$(hub_port_ mixed "$(grep "hub ready: " "$HUB_LOG" |
		tail -n 1)") &&
	test -n "$MIXED_PORT"
}

test_expect_success 'off by default; listed in the usage' '
	"$TENTACLE" server -h >usage 2>&1 &&
	grep -e "-mixedAddr" usage &&
	start_origin &&
	start_hub &&
	grep "hub ready: .* mixed=off" "$HUB_LOG"
'

test_expect_success 'setup: a hub with only the mixed port, a node' '
	stop_daemon $HUB_PID &&
	start_hub -socketAddr none -httpAddr none -mixedAddr 127.0.0.1:0 &&
	mixed_port &&
	start_node n1
'

test_expect_success 'socks5h:// on the mixed port' '
	tcurl -x socks5h://127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks 127\.0\.0\.1:[0-9]*: user -, node [0-9]* ([a-z0-9]*), target localhost:$ORIGIN_PORT"
'

test_expect_success 'socks5:// on the mixed port' '
	tcurl -x socks5://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'socks4:// and socks4a:// on the mixed port' '
	tcurl -x socks4://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -x socks4a://127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks4 127\.0\.0\.1:[0-9]*: user -, node [0-9]* ([a-z0-9]*), target localhost:$ORIGIN_PORT"
'

test_expect_success 'http:// absolute-form on the mixed port' '
	tcurl -x http://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay http 127\.0\.0\.1:[0-9]*: user -, node [0-9]* (n1), target 127\.0\.0\.1:$ORIGIN_PORT, closed (GET -> 200)"
'

test_expect_success 'CONNECT (curl -p) on the mixed port' '
	tcurl -p -x http://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay connect 127\.0\.0\.1:[0-9]*: user -, node [0-9]* (n1), target 127\.0\.0\.1:$ORIGIN_PORT, closed (done)"
'

test_expect_success 'keep-alive: two requests on one connection' '
	tcurl -x http://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	test $(grep -c "quick brown fox" out) = 2
'

test_expect_success 'TLS on the mixed port: closed at once, logged' '
	test_must_fail tcurl --max-time 4 -x https://127.0.0.1:$MIXED_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err &&
	! grep "timed out" err &&
	wait_for_log "$HUB_LOG" "spoke TLS to the mixed port $MIXED_PORT"
'

test_expect_success 'a silent client meets the handshake deadline' '
	stop_daemon $HUB_PID &&
	start_hub -socketAddr none -httpAddr none -mixedAddr 127.0.0.1:0 \
		-handshake-timeout 1s &&
	mixed_port &&
	start_node n1 &&
	"$TCPC" -T 5 $MIXED_PORT </dev/null >resp 2>err &&
	test ! -s resp &&
	wait_for_log "$HUB_LOG" "127\.0\.0\.1:[0-9]*: sent nothing within 1000 ms"
'

test_expect_success 'one deadline from accept: a late first byte leaves less for the rest' '
	stop_daemon $HUB_PID &&
	start_hub -mixedAddr 127.0.0.1:0 -handshake-timeout 2s &&
	mixed_port &&
	socks_connect $ORIGIN_PORT >req &&
	for p in $SOCKS_PORT $MIXED_PORT; do
		"$TCPC" -w 1200 -d 300 -T 8 $p <req >resp 2>err &&
		cat err &&
		ms=$(sed -n "s/.*closed after \([0-9]*\) ms.*/\1/p" err) &&
		test "$ms" -ge 1900 && test "$ms" -lt 2900 || return 1
	done &&
	printf "GET http://127.0.0.1:$ORIGIN_PORT/small HTTP/1.1\r\n\r\n" >req &&
	"$TCPC" -w 1200 -d 300 -T 8 $HTTP_PORT <req >resp 2>err &&
	cat err &&
	ms=$(sed -n "s/.*closed after \([0-9]*\) ms.*/\1/p" err) &&
	test "$ms" -ge 1900 && test "$ms" -lt 2900
'

test_expect_success 'setup: one set of users for every protocol' '
	stop_daemon $HUB_PID &&
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>/dev/null &&
	start_hub -users "$TRASH_DIRECTORY/users" -mixedAddr 127.0.0.1:0 \
		-max-conns-per-ip 2 &&
	mixed_port &&
	start_node n1
'

# served: an HTTP request on the mixed port gets 200 (not 429).
served () {
	test "$(http_status -x http://alice:wonderland@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small)" = 200
}

# held FILE: a SOCKS5 holder's reply in FILE is 0x05 0x02: the hub chose
# USERPASS over NOAUTH, so it counted the connection (over a limit it
# would choose NOAUTH to answer the request with a refusal).
held () {
	test "$(hexof "$1")" = 0502
}

test_expect_success 'limits: -max-conns-per-ip counts the mixed port with the others' '
	printf "\005\002\000\002" >greet &&
	{ "$TCPC" -T 5 $SOCKS_PORT <greet >h1 2>/dev/null & } &&
	p1=$! &&
	wait_until 3 held h1 &&
	{ "$TCPC" -T 5 $MIXED_PORT <greet >h2 2>/dev/null & } &&
	p2=$! &&
	wait_until 3 held h2 &&
	test "$(http_status -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://localhost:$ORIGIN_PORT/small)" = 429 &&
	test "$(http_status -x http://alice:wonderland@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small)" = 429 &&
	grep "http: 127\.0\.0\.1:[0-9]*: refused: 2 connections from this address already" "$HUB_LOG" &&
	{ kill $p1 $p2; wait $p1 $p2; true; } &&
	wait_until 3 served
'

test_expect_success 'users: SOCKS5 and HTTP log in on the mixed port' '
	tcurl -x socks5h://alice:wonderland@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -x http://alice:wonderland@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test "$(http_status -x http://127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small)" = 407 &&
	test_must_fail tcurl -x socks5h://alice:wrong@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small 2>err &&
	wait_for_log "$HUB_LOG" "login failed for user \"alice\": wrong password"
'

test_expect_success 'users: SOCKS4 refused on the mixed port too' '
	test_must_fail tcurl -x socks4a://alice@127.0.0.1:$MIXED_PORT \
		http://localhost:$ORIGIN_PORT/small 2>err &&
	grep "(91)" err &&
	wait_for_log "$HUB_LOG" "socks4: .*SOCKS4 carries no password"
'

test_done
