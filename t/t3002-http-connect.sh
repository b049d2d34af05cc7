#!/bin/sh
test_description='HTTP proxy front: CONNECT tunnels and every status code'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# connect_code URL: status of the proxy's answer to CONNECT (curl -p).
connect_code () {
	tcurl -p -x http://127.0.0.1:$HTTP_PORT -o /dev/null \
		-w "%{http_connect}\n" "$1" >code 2>err
	cat code err
}

# plain_code URL: status of an absolute-form request.
plain_code () {
	tcurl -x http://127.0.0.1:$HTTP_PORT -o /dev/null \
		-w "%{http_code}\n" "$1" >code 2>err
	cat code err
}

test_expect_success 'setup: hub with no node, origins, a closed port' '
	start_origin &&
	CLOSED_PORT=$ORIGIN_PORT &&
	stop_daemon $ORIGIN_PID &&
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -dial-timeout 1s
'

test_expect_success 'no exit node online: CONNECT 503, GET 503' '
	connect_code http://127.0.0.1:$ORIGIN_PORT/small &&
	test "$(cat code)" = 503 &&
	plain_code http://127.0.0.1:$ORIGIN_PORT/small &&
	test "$(cat code)" = 503
'

test_expect_success 'setup: a node' '
	start_node n1
'

test_expect_success 'CONNECT tunnel: GET through curl -p' '
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'CONNECT: 16 MiB download is intact' '
	"$ORIGIN" -gen 16777216 >expect16 &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got &&
	cmp expect16 got
'

test_expect_success 'CONNECT: chunked POST (2 MB) is intact' '
	head -c 2000000 expect16 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT --data-binary @post \
		-H "Transfer-Encoding: chunked" \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out | cmp post.sum -
'

test_expect_success 'CONNECT answer is 200 and the tunnel is raw bytes' '
	printf "CONNECT 127.0.0.1:$ORIGIN_PORT HTTP/1.1\r\nHost: 127.0.0.1:$ORIGIN_PORT\r\n\r\n" >req &&
	printf "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >>req &&
	"$TCPC" -T 10 $HTTP_PORT <req >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 200" &&
	grep "quick brown fox" resp
'

test_expect_success 'CONNECT half-close: the client shuts its write side' '
	head -c 1000000 expect16 >payload &&
	printf "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1\r\nHost: 127.0.0.1:$ECHO_PORT\r\n\r\n" >req &&
	cat payload >>req &&
	"$TCPC" -s -T 10 $HTTP_PORT <req >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 200" &&
	sed "1,/^\r\$/d" resp >echoed &&
	cmp payload echoed
'

test_expect_success 'refused: CONNECT 502, GET 502, with a reason in the body' '
	connect_code http://127.0.0.1:$CLOSED_PORT/ &&
	test "$(cat code)" = 502 &&
	plain_code http://127.0.0.1:$CLOSED_PORT/ &&
	test "$(cat code)" = 502 &&
	printf "CONNECT 127.0.0.1:$CLOSED_PORT HTTP/1.1\r\nHost: x\r\n\r\n" |
		"$TCPC" -T 10 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 502 " &&
	sed "1,/^\r\$/d" resp >body &&
	test -s body
'

test_expect_success 'name does not resolve (.invalid): CONNECT 502, GET 502' '
	connect_code http://no-such-host.invalid/ &&
	test "$(cat code)" = 502 &&
	plain_code http://no-such-host.invalid/ &&
	test "$(cat code)" = 502
'

test_expect_success 'dial timeout (node frozen, -dial-timeout 1s): 504' '
	kill -s STOP $NODE_PID &&
	connect_code http://127.0.0.1:$ORIGIN_PORT/ ;
	c1=$(cat code) &&
	plain_code http://127.0.0.1:$ORIGIN_PORT/small ;
	c2=$(cat code) &&
	kill -s CONT $NODE_PID &&
	test "$c1" = 504 && test "$c2" = 504
'

test_expect_success 'the late results are dropped; the hub still serves' '
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'node without -allow: CONNECT 403, GET 403' '
	stop_daemon $NODE_PID &&
	wait_until 5 info_has_nodes 0 &&
	NODE_ALLOW= start_node strict &&
	connect_code http://127.0.0.1:$ORIGIN_PORT/ &&
	test "$(cat code)" = 403 &&
	plain_code http://127.0.0.1:$ORIGIN_PORT/small &&
	test "$(cat code)" = 403 &&
	connect_code http://localhost:$ORIGIN_PORT/ &&
	test "$(cat code)" = 403
'

test_expect_success 'CONNECT with a bad target: 400' '
	printf "CONNECT nonsense HTTP/1.1\r\nHost: x\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 400 " &&
	printf "CONNECT 127.0.0.1:0 HTTP/1.1\r\nHost: x\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 4[0-9][0-9] "
'

test_done
