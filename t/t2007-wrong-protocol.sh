#!/bin/sh
test_description='a client on the wrong proxy port: SOCKS5 and SOCKS4 on the
HTTP port, HTTP and TLS on the SOCKS port are answered at once in the
client'"'"'s own protocol (naming the right port) and logged, never left to
the 10 s handshake deadline'
# Names and odd addresses go to a node: only lo (TEST_NETNS).
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
if command -v python3 >/dev/null 2>&1; then
	test_set_prereq PYTHON
fi

# A hang shows as curl's timeout, not as the answer the tests look for.
CURL_MAX_TIME=4
export CURL_MAX_TIME

test_expect_success 'setup: hub, node, origin' '
	start_origin &&
	start_hub &&
	start_node n1
'

test_expect_success 'SOCKS5 on the HTTP port: REP 1 at once, logged with the SOCKS port' '
	test_must_fail tcurl -x socks5h://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out 2>err &&
	cat err &&
	grep "Can.t complete SOCKS5 connection to 127.0.0.1. (1)" err &&
	wait_for_log "$HUB_LOG" "http: 127\.0\.0\.1:[0-9]*: spoke SOCKS5 to the HTTP port $HTTP_PORT; use the SOCKS port $SOCKS_PORT\$"
'

test_expect_success 'SOCKS5 with USERPASS only on the HTTP port: method 2, status 0, REP 1' '
	{ socks_login alice secret && printf "\005\001\000\001\177\000\000\001" &&
		port_bytes $ORIGIN_PORT; } >req &&
	"$TCPC" -T 4 $HTTP_PORT <req >resp &&
	test "$(hexof resp)" = 0502010005010001000000000000
'

test_expect_success 'SOCKS4 and SOCKS4a on the HTTP port: 0x5b at once, logged' '
	test_must_fail tcurl -x socks4://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err &&
	cat err &&
	grep "(91), request rejected or failed" err &&
	test_must_fail tcurl -x socks4a://127.0.0.1:$HTTP_PORT \
		http://localhost:$ORIGIN_PORT/small 2>err &&
	grep "(91), request rejected or failed" err &&
	wait_for_count "$HUB_LOG" "spoke SOCKS4 to the HTTP port $HTTP_PORT; use the SOCKS port $SOCKS_PORT" 2
'

test_expect_success 'HTTP on the SOCKS port: 400 naming the HTTP port' '
	test "$(http_status -x http://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 400 &&
	cat http.body &&
	grep "this is the hub.s SOCKS port, for SOCKS4 and SOCKS5; speak HTTP to the HTTP port $HTTP_PORT" http.body &&
	grep -i "^connection: close" http.head &&
	wait_for_log "$HUB_LOG" "socks: 127\.0\.0\.1:[0-9]*: spoke HTTP to the SOCKS port $SOCKS_PORT; use the HTTP port $HTTP_PORT\$"
'

test_expect_success 'CONNECT on the SOCKS port: 400' '
	test_must_fail tcurl -p -x http://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err &&
	cat err &&
	grep "CONNECT tunnel failed, response 400" err
'

test_expect_success 'a request with a body on the SOCKS port still gets its 400 (no reset)' '
	test "$(http_status -x http://127.0.0.1:$SOCKS_PORT \
		--data-binary @"$TENTACLE" \
		http://127.0.0.1:$ORIGIN_PORT/post)" = 400
'

test_expect_success 'TLS (an https:// proxy URL) on the HTTP port: closed at once, logged' '
	test_must_fail tcurl -x https://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err &&
	cat err &&
	! grep "timed out" err &&
	wait_for_log "$HUB_LOG" "http: 127\.0\.0\.1:[0-9]*: spoke TLS to the HTTP port $HTTP_PORT; the proxy ports are plaintext"
'

test_expect_success 'binary garbage on the SOCKS port is not taken for HTTP' '
	printf "\001\002\003\004" >junk &&
	"$TCPC" -T 4 $SOCKS_PORT <junk >resp &&
	test ! -s resp &&
	wait_for_log "$HUB_LOG" "socks: 127\.0\.0\.1:[0-9]*: not a SOCKS5 greeting: \"\\\\x01"
'

test_expect_success 'the right ports still serve' '
	hub_serves
'

test_expect_success 'a hub without an HTTP port names the mixed port' '
	stop_daemon $HUB_PID &&
	start_hub -httpAddr none -mixedAddr 127.0.0.1:0 &&
	MIXED_PORT=$(hub_port_ mixed "$(grep "hub ready" "$HUB_LOG")") &&
	test -n "$MIXED_PORT" &&
	test "$(http_status -x http://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 400 &&
	grep "speak HTTP to the mixed port $MIXED_PORT" http.body &&
	wait_for_log "$HUB_LOG" "spoke HTTP to the SOCKS port $SOCKS_PORT; use the mixed port $MIXED_PORT"
'

test_expect_success 'a hub with neither says which flag is missing' '
	stop_daemon $HUB_PID &&
	start_hub -httpAddr none &&
	test "$(http_status -x http://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 400 &&
	grep "no port of this hub (it needs -httpAddr or -mixedAddr)" http.body
'

# After the answer the hub lingers for the client to close, reading and
# dropping what it sends; a client that sends one byte now and then must
# not hold the (uncounted) connection for ever: handshake plus linger in
# all.
test_expect_success PYTHON 'a wrong-port client trickling bytes is closed in bounded time' '
	stop_daemon $HUB_PID &&
	start_hub -handshake-timeout 1s &&
	python3 - $SOCKS_PORT >trickle.out <<-\EOF &&
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET / HTTP/1.1\r\n")
	t0 = time.time()
	state = "open"
	while time.time() - t0 < 10:
	    time.sleep(0.3)
	    try:
	        s.send(b"x")
	    except OSError:
	        state = "closed"
	        break
	print(state)
	EOF
	echo closed >expect &&
	test_cmp expect trickle.out &&
	daemon_alive $HUB_PID
'

test_done
