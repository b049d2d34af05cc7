#!/bin/sh
test_description='HTTP proxy front, absolute-form: framing, bodies, keep-alive
across origins, hop-by-hop headers, errors'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: hub, node, two origins' '
	start_origin &&
	O2_PORT=$ORIGIN_PORT && O2_NAME=$ORIGIN_NAME &&
	start_origin &&
	O1_PORT=$ORIGIN_PORT && O1_NAME=$ORIGIN_NAME &&
	start_hub &&
	start_node n1
'

test_expect_success 'GET http://origin/small' '
	px http://127.0.0.1:$O1_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'the origin gets origin-form, Host kept, no Via/X-Forwarded-For' '
	px http://127.0.0.1:$O1_PORT/headers >hdrs &&
	cat hdrs &&
	grep "^GET /headers HTTP/1\.1\$" hdrs &&
	grep -i "^host: 127\.0\.0\.1:$O1_PORT\$" hdrs &&
	! grep -i "^via:" hdrs &&
	! grep -i "^x-forwarded-for:" hdrs &&
	! grep -i "^forwarded:" hdrs
'

test_expect_success 'hop-by-hop headers are removed, end-to-end ones kept' '
	px -H "Connection: keep-alive, X-Hop" -H "X-Hop: secret" \
		-H "Proxy-Connection: keep-alive" -H "Keep-Alive: timeout=5" \
		-H "TE: trailers" -H "Trailer: X-Trail" -H "Upgrade: h2c" \
		-H "Proxy-Authorization: Basic dXNlcjpwYXNz" \
		-H "X-End-To-End: kept" \
		http://127.0.0.1:$O1_PORT/headers >hdrs &&
	cat hdrs &&
	grep -i "^x-end-to-end: kept" hdrs &&
	for h in x-hop proxy-connection keep-alive te trailer upgrade \
	    proxy-authorization; do
		! grep -i "^$h:" hdrs || { echo "$h was forwarded"; return 1; }
	done
'

test_expect_success '16 MiB download is intact' '
	"$ORIGIN" -gen 16777216 >expect16 &&
	px http://127.0.0.1:$O1_PORT/bytes/16777216 -o got &&
	cmp expect16 got
'

test_expect_success 'chunked response (1 MB) is intact' '
	head -c 1000000 expect16 >expect1m &&
	px http://127.0.0.1:$O1_PORT/chunked/1000000 -o got &&
	cmp expect1m got
'

test_expect_success 'close-delimited response (HTTP/1.0 style) is intact' '
	head -c 300000 expect16 >expect300k &&
	px http://127.0.0.1:$O1_PORT/close/300000 -o got &&
	cmp expect300k got
'

test_expect_success 'POST with Content-Length (3 MB, Expect: 100-continue)' '
	head -c 3000000 expect16 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	px --data-binary @post http://127.0.0.1:$O1_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	grep "^te=length" out
'

test_expect_success 'POST chunked (3 MB)' '
	px --data-binary @post -H "Transfer-Encoding: chunked" \
		http://127.0.0.1:$O1_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	grep "^te=chunked" out
'

test_expect_success 'PUT, PATCH, DELETE, OPTIONS reach the origin' '
	head -c 1000 post >small.body &&
	"$ORIGIN" -sum <small.body >small.sum &&
	px -X PUT --data-binary @small.body http://127.0.0.1:$O1_PORT/echo >out &&
	head -n 1 out | cmp small.sum - &&
	px -X PATCH --data-binary @small.body http://127.0.0.1:$O1_PORT/echo >out &&
	head -n 1 out | cmp small.sum - &&
	px -X DELETE http://127.0.0.1:$O1_PORT/small >out &&
	grep "quick brown fox" out &&
	px -X OPTIONS http://127.0.0.1:$O1_PORT/small >out &&
	grep "quick brown fox" out &&
	for m in PUT PATCH DELETE OPTIONS; do
		grep ": 127\.0\.0\.1:[0-9]* $m /" $O1_NAME.err || return 1
	done
'

test_expect_success 'keep-alive across two origins on one client connection' '
	px -v -w "%{http_code} %{num_connects}\n" \
		-o o1.out http://127.0.0.1:$O1_PORT/small \
		-o o2.out http://127.0.0.1:$O2_PORT/small \
		-o o3.out http://127.0.0.1:$O1_PORT/chunked/5000 \
		>codes 2>verbose &&
	cat codes &&
	printf "200 1\n200 0\n200 0\n" >expect &&
	cmp expect codes &&
	grep "quick brown fox" o1.out && grep "quick brown fox" o2.out &&
	head -c 5000 expect16 | cmp - o3.out &&
	grep "Re-using existing connection" verbose &&
	grep "GET /small" $O1_NAME.err && grep "GET /small" $O2_NAME.err
'

test_expect_success 'keep-alive through bodiless responses: 204, 304, HEAD' '
	px -w "%{http_code} %{num_connects}\n" \
		-o /dev/null http://127.0.0.1:$O1_PORT/status/204 \
		-o /dev/null http://127.0.0.1:$O2_PORT/status/304 \
		-o /dev/null http://127.0.0.1:$O1_PORT/chunked/100 \
		-o /dev/null http://127.0.0.1:$O1_PORT/status/404 \
		-o /dev/null http://127.0.0.1:$O2_PORT/small >codes &&
	cat codes &&
	printf "204 1\n304 0\n200 0\n404 0\n200 0\n" >expect &&
	cmp expect codes &&
	px -I -w "%{http_code} %{num_connects}\n" \
		-o head1 http://127.0.0.1:$O1_PORT/bytes/123456 \
		-o head2 http://127.0.0.1:$O2_PORT/small >codes &&
	printf "200 1\n200 0\n" >expect &&
	cmp expect codes &&
	grep -i "^content-length: 123456" head1
'

test_expect_success 'HTTP/1.0 client' '
	px -0 http://127.0.0.1:$O1_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'a request line the proxy cannot parse: 400' '
	printf "THIS IS NOT HTTP\r\n\r\n" | "$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 400 "
'

test_expect_success 'origin-form request to the proxy: 400' '
	printf "GET /small HTTP/1.1\r\nHost: 127.0.0.1:$O1_PORT\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 4[0-9][0-9] "
'

test_expect_success 'headers over the limit: 431' '
	big=$(head -c 20000 /dev/zero | tr "\0" a) &&
	printf "GET http://127.0.0.1:$O1_PORT/small HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n" "$big" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 431 "
'

test_expect_success 'unsupported scheme: 400 or 501' '
	printf "GET ftp://127.0.0.1:$O1_PORT/small HTTP/1.1\r\nHost: x\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] \(400\|501\) "
'

test_expect_success 'bad Content-Length: 400' '
	printf "POST http://127.0.0.1:$O1_PORT/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >resp &&
	head -n 1 resp | grep "^HTTP/1\.[01] 400 "
'

test_expect_success 'pipelined requests on one connection are answered in order' '
	printf "GET http://127.0.0.1:$O1_PORT/small HTTP/1.1\r\nHost: 127.0.0.1:$O1_PORT\r\n\r\nGET http://127.0.0.1:$O2_PORT/peer HTTP/1.1\r\nHost: 127.0.0.1:$O2_PORT\r\nConnection: close\r\n\r\n" |
		"$TCPC" -T 10 $HTTP_PORT >resp &&
	test $(grep -c "^HTTP/1\.1 200" resp) = 2 &&
	grep "quick brown fox" resp &&
	grep "^peer=127\.0\.0\.1:" resp
'

test_expect_success 'the hub still serves' '
	px http://127.0.0.1:$O2_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'with -via the hub adds a Via header' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -via &&
	start_node n2 &&
	px http://127.0.0.1:$O1_PORT/headers >hdrs &&
	cat hdrs &&
	grep -i "^via: 1\.1 " hdrs
'

test_done
