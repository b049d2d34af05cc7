#!/bin/sh
test_description='routing: pools, node names, -schedule policies, sticky
sessions (soft and strict), failover to another node, and the error replies
for bad routing parameters and selectors that match no node'
. "$(dirname "$0")/test-lib.sh"
# Nodes bind 127.0.0.N: the hub takes them with a token only.
use_tokens || error "cannot make a token"

test_have_prereq CURL || test_skip_all 'curl not found'

# fleet [HUB FLAGS...]: a fresh hub and three nodes: n1 in pool ilife, n2 in
# ilife and codertool, n3 in no pool (so in "default"); node nN makes its
# connections from 127.0.0.1N, so the origin tells who served a request.
fleet () {
	for f_pid in ${NODE_PID_n1-} ${NODE_PID_n2-} ${NODE_PID_n3-} \
	    ${HUB_PID-}; do
		daemon_alive $f_pid || continue
		stop_daemon $f_pid || return 1
	done
	start_hub -dial-timeout 1s "$@" &&
	start_node n1 -bind 127.0.0.11 ilife &&
	start_node n2 -bind 127.0.0.12 ilife codertool &&
	start_node n3 -bind 127.0.0.13
}

# seen_by FILE: the node whose address the origin saw (its /peer answer),
# after checking the hub's log names the same node.
seen_by () {
	sb_n=$(sed -n "s/^peer=127\.0\.0\.1\([1-3]\):.*/n\1/p" "$1") &&
	test -n "$sb_n" &&
	test "$(served_by)" = "$sb_n" &&
	echo "$sb_n"
}

# sget USER: GET /peer through SOCKS5 as USER; prints the serving node.
sget () {
	tcurl -x "socks5h://$1:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" >sget.out &&
	seen_by sget.out
}

# hget USER: the same through the HTTP front.
hget () {
	tcurl -x "http://$1:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" >hget.out &&
	seen_by hget.out
}

test_expect_success 'setup: origin, hub (least-conn), three nodes' '
	start_origin &&
	fleet
'

test_expect_success 'no parameters: any node serves' '
	n=$(sget alice) && test -n "$n"
'

test_expect_success 'pool routing: -pool-codertool only ever uses n2' '
	spread 6 alice-pool-codertool &&
	test $(spread_count n2) = 6
'

test_expect_success 'pool routing: -pool-ilife uses n1 and n2, never n3' '
	spread 6 alice-pool-ilife &&
	test $(spread_count n3) = 0 &&
	test $(spread_count n1) -ge 1 && test $(spread_count n2) -ge 1
'

test_expect_success 'pool routing: a node without pools is in "default"' '
	spread 4 alice-pool-default &&
	test $(spread_count n3) = 4
'

test_expect_success 'node routing: -node-n3, and over HTTP -node-n1' '
	test "$(sget alice-node-n3)" = n3 &&
	test "$(sget alice-node-n3)" = n3 &&
	test "$(hget bob-node-n1)" = n1 &&
	test "$(hget bob-pool-ilife-node-n2)" = n2
'

test_expect_success 'no node in the pool: HTTP 503 names the selector' '
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-pool-nosuch:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 503 &&
	grep "no exit node online in pool nosuch" body &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-node-n1-pool-codertool:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 503 &&
	grep "no exit node online named n1 in pool codertool" body
'

test_expect_success 'no node in the pool: SOCKS5 REP 1 (general failure)' '
	test_must_fail tcurl -x "socks5h://alice-pool-nosuch:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	grep "(1)" err &&
	grep "no exit node online in pool nosuch" "$HUB_LOG"
'

test_expect_success 'bad routing parameters: HTTP 400 with the reason' '
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-color-red:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 400 &&
	grep "unknown routing key \"color\"" body &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-session-a-b:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 400 &&
	grep "unknown routing key \"b\"" body &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-pool-x-pool-y:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 400 &&
	grep "twice" body
'

test_expect_success 'bad routing parameters: SOCKS5 auth failure' '
	test_must_fail tcurl -x "socks5h://alice-color-red:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	grep -i "rejected" err &&
	grep "bad routing parameters: unknown routing key" "$HUB_LOG"
'

test_expect_success 'least-conn: 30 sequential requests spread evenly' '
	spread 30 alice &&
	cat spread.out | sort | uniq -c &&
	for n in n1 n2 n3; do
		c=$(spread_count $n) && test $c -ge 8 && test $c -le 12 || return 1
	done
'

test_expect_success 'sessions: one id sticks to one node 10 times' '
	spread 10 alice-session-s1 &&
	test $(sort -u spread.out | wc -l) = 1 &&
	spread 10 bob-session-s1-sesstime-5 &&
	test $(sort -u spread.out | wc -l) = 1
'

test_expect_success 'sessions: different ids may use different nodes' '
	: >ids.out &&
	for id in a b c d e f; do
		sget alice-session-$id >>ids.out || return 1
	done &&
	test $(sort -u ids.out | wc -l) -gt 1
'

# Session expiry: t7003 (-session-max-life).

test_expect_success 'session node killed: strict fails, soft moves' '
	k=$(sget alice-session-k1) &&
	test "$(sget alice-session-k1-strict)" = "$k" &&
	eval "kpid=\$NODE_PID_$k" &&
	stop_daemon $kpid &&
	wait_for_log "$HUB_LOG" "($k) left" &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-session-k1-strict:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 502 &&
	grep "session k1: its exit node is gone (strict)" body &&
	test_must_fail tcurl -x "socks5h://alice-session-k1-strict:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	grep "(4)" err &&
	m=$(sget alice-session-k1) && test -n "$m" && test "$m" != "$k" &&
	test "$(sget alice-session-k1)" = "$m" &&
	test "$(sget alice-session-k1-strict)" = "$m"
'

test_expect_success 'round-robin: 30 requests, exactly 10 each' '
	fleet -schedule round-robin &&
	spread 30 alice &&
	test $(spread_count n1) = 10 && test $(spread_count n2) = 10 &&
	test $(spread_count n3) = 10
'

test_expect_success 'random: 30 requests use more than one node' '
	fleet -schedule random &&
	spread 30 alice &&
	test $(sort -u spread.out | wc -l) -gt 1
'

test_expect_success 'failover: a stopped node times out, another serves' '
	fleet -schedule round-robin &&
	kill -s STOP $NODE_PID_n2 &&
	spread 6 alice &&
	test $(spread_count n2) = 0 &&
	grep "retrying on node" "$HUB_LOG" &&
	kill -s CONT $NODE_PID_n2
'

test_expect_success 'back-off: after 3 node-side failures the node is skipped' '
	kill -s STOP $NODE_PID_n2 &&
	grep "(n2): 3 node-side dial failures in a row; skipping it for 10 s" \
		"$HUB_LOG" &&
	t1=$(grep -c "via node 2 failed: timed out" "$HUB_LOG") &&
	spread 6 alice &&
	test $(spread_count n2) = 0 &&
	t2=$(grep -c "via node 2 failed: timed out" "$HUB_LOG") &&
	test "$t1" = "$t2" &&
	kill -s CONT $NODE_PID_n2
'

test_expect_success 'failover stays within the selectors: -node-n2 stopped: 504' '
	kill -s STOP $NODE_PID_n2 &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-node-n2:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") ;
	kill -s CONT $NODE_PID_n2 &&
	test "$code" = 504
'

test_expect_success 'failover: target-side failures are not retried' '
	code=$(tcurl -o /dev/null -w "%{http_code}" \
		-x "http://alice:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:1/") ;
	test "$code" = 502 &&
	! grep "refused; retrying" "$HUB_LOG"
'

test_expect_success '-schedule rejects an unknown policy' '
	test_must_fail "$TENTACLE" server -schedule fastest 2>err &&
	grep "least-conn, round-robin, random" err
'

test_done
