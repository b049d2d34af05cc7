#!/bin/sh
test_description='SOCKS5 front: CONNECT by IPv4, IPv6 and name; integrity;
bodies; byte-at-a-time and pipelined clients; half-close'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: hub, node, HTTP origin, echo origin' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub &&
	start_node n1
'

test_expect_success 'GET via --socks5-hostname (name resolved by the node)' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'GET via --socks5 (IPv4 address from the client)' '
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'a domain name target: localhost' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'the origin sees the node, not the user, as its peer' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/peer >out &&
	grep "^peer=127\.0\.0\.1:[0-9]" out
'

test_expect_success '16 MiB download is intact (--socks5-hostname)' '
	"$ORIGIN" -gen 16777216 >expect16 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got16 &&
	cmp expect16 got16
'

test_expect_success '16 MiB chunked download is intact (--socks5)' '
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/chunked/16777216 -o got16c &&
	cmp expect16 got16c
'

test_expect_success 'a slow reader still gets every byte (backpressure)' '
	head -c 4000000 expect16 >expect4 &&
	tcurl --limit-rate 8M --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4000000 -o got4 &&
	cmp expect4 got4
'

test_expect_success 'POST with Content-Length (3 MB) arrives intact' '
	head -c 3000000 expect16 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	grep "^te=length" out
'

test_expect_success 'POST chunked (3 MB) arrives intact' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --data-binary @post \
		-H "Transfer-Encoding: chunked" \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	grep "^te=chunked" out
'

test_expect_success 'keep-alive: several requests on one tunnel' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		-w "%{http_code} %{num_connects}\n" -o /dev/null \
		http://127.0.0.1:$ORIGIN_PORT/small \
		-o /dev/null http://127.0.0.1:$ORIGIN_PORT/chunked/10000 \
		-o /dev/null http://127.0.0.1:$ORIGIN_PORT/status/204 >codes &&
	cat codes &&
	printf "200 1\n200 0\n204 0\n" >expect &&
	cmp expect codes
'

test_expect_success 'twenty transfers at once' '
	head -c 200000 expect16 >expect200k &&
	i=0 && pids= &&
	while test $i -lt 20; do
		tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/bytes/200000 -o par.$i &
		pids="$pids $!"
		i=$((i + 1))
	done &&
	for p in $pids; do
		wait $p || { echo "curl $p failed"; return 1; }
	done &&
	i=0 &&
	while test $i -lt 20; do
		cmp expect200k par.$i || return 1
		i=$((i + 1))
	done
'

test_expect_success 'raw client: greeting and request one byte at a time' '
	head -c 100000 expect16 >payload &&
	"$SOCKSC" -1 $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload echoed
'

test_expect_success 'raw client: greeting + request + payload in one write' '
	"$SOCKSC" -P $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload echoed
'

test_expect_success 'raw client: domain name target, ATYP 3' '
	"$SOCKSC" $SOCKS_PORT localhost $ECHO_PORT <payload >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload echoed
'

test_expect_success 'half-close: the client shuts its write side, gets all 2 MB back' '
	head -c 2000000 expect16 >payload2m &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload2m >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload2m echoed
'

test_expect_success 'half-close with an empty request: the target sees EOF' '
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT </dev/null >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	test ! -s echoed
'

test_expect_success 'an idle tunnel stays open by default' '
	printf "\005\001\000\005\001\000\001\177\000\000\001\\$(printf %03o $((ECHO_PORT / 256)))\\$(printf %03o $((ECHO_PORT % 256)))" >req &&
	test_expect_code 2 "$TCPC" -T 2 $SOCKS_PORT <req >resp &&
	od -An -tx1 resp | tr -d " \n" | grep "^05000500"
'

test_expect_success 'the node and hub logs name the request' '
	grep "127\.0\.0\.1:$ORIGIN_PORT" "$HUB_LOG" &&
	grep "127\.0\.0\.1:$ORIGIN_PORT" "$NODE_LOG"
'

test_expect_success IPV6 'setup: a node allowed ::1, an origin on [::1]' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	NODE_ALLOW=::1/128 start_node n6 &&
	start_origin -6 &&
	ORIGIN6_PORT=$ORIGIN_PORT
'

test_expect_success IPV6 'GET [::1] via --socks5 (ATYP 4)' '
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		"http://[::1]:$ORIGIN6_PORT/small" >out &&
	grep "quick brown fox" out &&
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		"http://[::1]:$ORIGIN6_PORT/peer" >out &&
	grep "^peer=\[::1\]:" out
'

test_expect_success IPV6 'GET [::1] via --socks5-hostname' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		"http://[::1]:$ORIGIN6_PORT/bytes/1000000" -o got1m &&
	head -c 1000000 expect16 >expect1m &&
	cmp expect1m got1m
'

test_expect_success IPV6 'GET [::1] via the HTTP proxy, plain and CONNECT' '
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		"http://[::1]:$ORIGIN6_PORT/small" >out &&
	grep "quick brown fox" out &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		"http://[::1]:$ORIGIN6_PORT/small" >out &&
	grep "quick brown fox" out
'

test_expect_success IPV6 'the allow list is per family: 127.0.0.1 refused (0x02)' '
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 $ECHO_PORT 2>rep &&
	grep "^REP 0x02" rep
'

test_done
