#!/bin/sh
test_description='the pools'"'"' member lists a pick by pool walks (hub_sched.c):
two pools sharing a node, a pool named twice, nodes that leave and come back
with other pools, the last member leaving, drain and undrain, a node at
-max-relays-per-node, no pool and a user'"'"'s pools=; and the heartbeat sweep
still calls a silent node gone after three heartbeats'
. "$(dirname "$0")/test-lib.sh"
# Nodes bind 127.0.0.N: the hub takes them with a token only.
use_tokens || error "cannot make a token"

test_have_prereq CURL || test_skip_all 'curl not found'

admin () {
	"$TENTACLE" "$@" -admin "$ADMIN_SOCK"
}

# node NAME N [FLAGS] [POOL...]: node NAME making its connections from
# 127.0.0.1N, so the origin tells who served a request.
node () {
	nd_name=$1 nd_n=$2
	shift 2
	start_node $nd_name -bind 127.0.0.1$nd_n "$@"
}

# sget USER: GET /peer through SOCKS5 as USER; prints the serving node
# (the origin's view and the hub's log must agree).
sget () {
	tcurl -x "socks5h://$1:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" >sget.out &&
	sg_n=$(sed -n "s/^peer=127\.0\.0\.1\([1-6]\):.*/n\1/p" sget.out) &&
	test -n "$sg_n" &&
	test "$(served_by)" = "$sg_n" &&
	echo "$sg_n"
}

# only NODES...: spread.out names no node outside NODES, and each of them.
only () {
	sort -u spread.out >used &&
	printf '%s\n' "$@" | sort >want &&
	test_cmp want used
}

# hget_code USER: the HTTP status of GET /small through the HTTP front;
# the body in body.
hget_code () {
	tcurl -o body -w "%{http_code}" \
		-x "http://$1:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small"
}

test_expect_success 'setup: origin, hub (round-robin), n1 in pa, n2 in pa and pb, n3 in pb' '
	start_origin &&
	start_hub -schedule round-robin -dial-timeout 2s &&
	node n1 1 pa &&
	node n2 2 pa pb &&
	node n3 3 pb
'

test_expect_success 'two pools sharing a node: each alternates its own two' '
	spread 6 alice-pool-pa &&
	test $(spread_count n1) = 3 && test $(spread_count n2) = 3 &&
	spread 6 alice-pool-pb &&
	test $(spread_count n2) = 3 && test $(spread_count n3) = 3
'

test_expect_success 'no pool: every node, each in turn' '
	spread 9 alice &&
	test $(spread_count n1) = 3 && test $(spread_count n2) = 3 &&
	test $(spread_count n3) = 3
'

test_expect_success 'a pool named twice counts its node once' '
	node n4 4 pc pc &&
	node n5 5 pc &&
	spread 6 alice-pool-pc &&
	test $(spread_count n4) = 3 && test $(spread_count n5) = 3 &&
	stop_daemon $NODE_PID_n4 && stop_daemon $NODE_PID_n5 &&
	wait_for_log "$HUB_LOG" "(n5) left" &&
	code=$(hget_code alice-pool-pc) &&
	test "$code" = 503 &&
	grep "no exit node online in pool pc" body
'

test_expect_success 'a node that leaves is gone from both its pools' '
	stop_daemon $NODE_PID_n2 &&
	wait_for_log "$HUB_LOG" "(n2) left" &&
	spread 4 alice-pool-pa && only n1 &&
	spread 4 alice-pool-pb && only n3
'

test_expect_success 'the last members leaving: the pools are empty, 503' '
	code=$(hget_code alice-node-n3-pool-pa) &&
	test "$code" = 503 &&
	grep "no exit node online named n3 in pool pa" body &&
	stop_daemon $NODE_PID_n1 &&
	wait_for_log "$HUB_LOG" "(n1) left" &&
	code=$(hget_code alice-pool-pa) &&
	test "$code" = 503 &&
	grep "no exit node online in pool pa" body &&
	stop_daemon $NODE_PID_n3 &&
	wait_for_log "$HUB_LOG" "(n3) left" &&
	code=$(hget_code alice-pool-pb) &&
	test "$code" = 503 &&
	grep "no exit node online in pool pb" body
'

test_expect_success 'back with other pools: n1 in pb now, n2 in pa only' '
	node n3 3 pb &&
	node n1 1 pb &&
	node n2 2 pa &&
	spread 4 alice-pool-pa && only n2 &&
	spread 6 alice-pool-pb &&
	test $(spread_count n3) = 3 && test $(spread_count n1) = 3
'

test_expect_success 'drained: skipped in its pool; undrained: back' '
	admin drain n3 >out &&
	grep "(n3) drained" out &&
	spread 4 alice-pool-pb && only n1 &&
	admin drain n1 >out &&
	code=$(hget_code alice-pool-pb) &&
	test "$code" = 503 &&
	grep "every exit node in pool pb is drained, redialing or at its limit" body &&
	admin undrain n1 >out && admin undrain n3 >out &&
	spread 6 alice-pool-pb &&
	test $(spread_count n1) = 3 && test $(spread_count n3) = 3
'

test_expect_success 'setup: hub with -max-relays-per-node 1, n1 and n2 in pa' '
	for p in $NODE_PID_n1 $NODE_PID_n2 $NODE_PID_n3 $HUB_PID; do
		stop_daemon $p || return 1
	done &&
	start_hub -schedule least-conn -max-relays-per-node 1 \
		-dial-timeout 2s &&
	node n1 1 pa &&
	node n2 2 pa
'

test_expect_success 'a node whose relay fills it is skipped, and taken again' '
	spread 4 alice-pool-pa &&
	test $(spread_count n1) = 2 && test $(spread_count n2) = 2 &&
	c0=$(grep -c "connected via node" "$HUB_LOG") &&
	{ tcurl -o slow.out -x "socks5h://alice-node-n2:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/slow/30/500" & } &&
	slow=$! &&
	wait_for_count "$HUB_LOG" "connected via node" $((c0 + 1)) &&
	test "$(served_by)" = n2 &&
	spread 4 alice-pool-pa && only n1 &&
	code=$(hget_code alice-pool-pa-node-n2) &&
	test "$code" = 503 &&
	grep "every exit node named n2 in pool pa is drained, redialing or at its limit" body &&
	kill $slow && wait $slow ;
	wait_until 10 info_no_relays &&
	spread 4 alice-pool-pa &&
	test $(spread_count n1) = 2 && test $(spread_count n2) = 2
'

test_expect_success 'setup: users with pools=; n3 in pb' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits pools=pa \
		-file users paonly &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits "" \
		-file users anyone &&
	for p in $NODE_PID_n1 $NODE_PID_n2 $HUB_PID; do
		stop_daemon $p || return 1
	done &&
	start_hub -schedule round-robin -users "$TRASH_DIRECTORY/users" \
		-dial-timeout 2s &&
	node n1 1 pa &&
	node n2 2 pa pb &&
	node n3 3 pb
'

test_expect_success 'pools= without a pool asked: only nodes in the allowed pools' '
	spread 6 paonly && only n1 n2 &&
	spread 6 anyone && only n1 n2 n3 &&
	code=$(hget_code paonly-pool-pb) &&
	test "$code" = 503
'

# Checked once a heartbeat (the first at most a 64th early), a node silent for
# three is gone within a fourth; 5 s leaves a loaded machine's (and ASan's)
# lateness a second.
test_expect_success 'heartbeat sweep: a silent node is gone after 3 heartbeats, not 5' '
	for p in $NODE_PID_n1 $NODE_PID_n2 $NODE_PID_n3 $HUB_PID; do
		stop_daemon $p || return 1
	done &&
	start_hub -heartbeat 1s &&
	node n1 1 pa &&
	node n2 2 pa &&
	kill -s STOP $NODE_PID_n1 &&
	wait_for_log "$HUB_LOG" "(n1) left: heartbeat timeout" 15 &&
	kill -s CONT $NODE_PID_n1 &&
	ms=$(sed -n "s/.*(n1) left: heartbeat timeout: nothing heard for \([0-9]*\) ms.*/\1/p" \
		"$HUB_LOG" | head -n 1) &&
	echo "silent $ms ms" &&
	test "$ms" -ge 3000 && test "$ms" -lt 5000 &&
	! grep "(n2) left" "$HUB_LOG" &&
	spread 3 alice-pool-pa && only n2
'

test_done
