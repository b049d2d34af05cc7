#!/bin/sh
test_description='spare links carry more than one request (framed relays,
doc/protocol.md): short SOCKS and CONNECT requests leave their link idle
again on both ends, half-closes cross as EOF marks, 64 KiB turns a link raw
(used once), absolute-form HTTP is not framed, info counts the reuses,
-link-reuse=false, TLS and plaintext links'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# reused N: links of node N idle again after a relay, by the hub's log.
reused () {
	grep -c "pool: node $1: link .* idle again after its relay" "$HUB_LOG"
}
# opened N: spare links node N opened (the hub's SPARE accepts).
opened () {
	grep -c "pool: node $1: idle link .* idle)$" "$HUB_LOG"
}

# requests N: N short SOCKS requests one after the other, all answered.
requests () {
	rq_i=0
	while test $rq_i -lt $1; do
		tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/small >out.$rq_i &&
		grep -q "quick brown fox" out.$rq_i || return 1
		rq_i=$((rq_i + 1))
	done
}

test_expect_success 'setup: origin, echo origin, TLS hub, node with -pool-size 2' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub &&
	start_node n1 -pool-size 2 &&
	wait_for_count "$HUB_LOG" "pool: node 1: idle link .* (2 idle)" 1
'

test_expect_success '30 short SOCKS requests: links reused, none opened' '
	o=$(opened 1) &&
	requests 30 &&
	wait_until 5 test "$(reused 1)" -ge 30 &&
	test "$(opened 1)" -le $((o + 1)) &&
	test "$(grep -c "link idle again after its relay" "$NODE_LOG")" -ge 30 &&
	test "$(grep -c "DIAL on a pooled link .*, framed" "$NODE_LOG")" -ge 30
'

test_expect_success 'info counts the reuses (pool_reused, the totals)' '
	info_json &&
	grep -q "\"pool_reused\": *[1-9][0-9]" info.json &&
	grep -q "\"pool_reused_total\": *[1-9][0-9]" info.json &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -node n1 >info.txt &&
	grep "reused [1-9][0-9]* times" info.txt
'

test_expect_success 'HTTP CONNECT is framed and reuses the link' '
	r=$(reused 1) &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_count "$HUB_LOG" "pool: node 1: link .* idle again" $((r + 1))
'

test_expect_success 'absolute-form HTTP is not framed (its link is used once)' '
	n=$(grep -c "DIAL on a pooled link" "$NODE_LOG") &&
	f=$(grep -c "DIAL on a pooled link .*, framed" "$NODE_LOG") &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test "$(grep -c "DIAL on a pooled link" "$NODE_LOG")" -eq $((n + 1)) &&
	test "$(grep -c "DIAL on a pooled link .*, framed" "$NODE_LOG")" -eq "$f"
'

# echo SIZE: SIZE bytes up through SOCKS to the echo origin (it answers
# after our EOF: a half-close each way), back intact, then the link state.
echo_through () {
	"$ORIGIN" -gen "$1" >up.$1 &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <up.$1 >down.$1 2>rep.$1 &&
	cmp up.$1 down.$1
}

test_expect_success 'half-close both ways, framed: 1000 bytes echoed, link reused' '
	r=$(reused 1) &&
	echo_through 1000 &&
	wait_for_count "$HUB_LOG" "pool: node 1: link .* idle again" $((r + 1))
'

test_expect_success '64 KiB each way, the most that stays framed: echoed, reused' '
	r=$(reused 1) &&
	echo_through 65536 &&
	wait_for_count "$HUB_LOG" "pool: node 1: link .* idle again" $((r + 1))
'

test_expect_success 'past 64 KiB the link turns raw: echoed intact, used once' '
	r=$(reused 1) && o=$(opened 1) &&
	echo_through 300000 &&
	wait_for_count "$HUB_LOG" "pool: node 1: idle link .* idle)$" $((o + 1)) &&
	test "$(reused 1)" -eq "$r"
'

test_expect_success 'a 4 MiB download turns raw on the way down, intact' '
	"$ORIGIN" -gen 4194304 >expect4 &&
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4194304 -o got4 &&
	cmp expect4 got4
'

test_expect_success 'an HTTP/1.0 exchange over SOCKS (the server closes first): reused' '
	r=$(reused 1) &&
	printf "GET /small HTTP/1.0\r\n\r\n" |
		"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT >out 2>rep &&
	grep "quick brown fox" out &&
	wait_for_count "$HUB_LOG" "pool: node 1: link .* idle again" $((r + 1))
'

# burst N: N SOCKS requests at once, all answered.
burst () {
	pids= && i=0 &&
	while test $i -lt $1; do
		tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/small >b.$i &
		pids="$pids $!"
		i=$((i + 1))
	done &&
	for p in $pids; do
		wait $p || return 1
	done &&
	i=0 &&
	while test $i -lt $1; do
		grep -q "quick brown fox" b.$i || return 1
		i=$((i + 1))
	done
}

test_expect_success 'concurrent short requests: all answered, links reused' '
	r=$(reused 1) &&
	burst 16 &&
	wait_until 5 test "$(reused 1)" -gt "$r"
'

test_expect_success 'plaintext links (-insecure): reused the same way' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure &&
	start_node n2 -insecure -pool-size 2 &&
	wait_for_log "$HUB_LOG" "pool: node [0-9]*: idle link" &&
	id=$(sed -n "s/.*pool: node \([0-9]*\): idle link.*/\1/p" "$HUB_LOG" | head -n 1) &&
	requests 10 &&
	wait_until 5 test "$(reused $id)" -ge 10 &&
	echo_through 300000 &&
	echo_through 2000
'

test_expect_success 'hub -link-reuse=false: DIALs unframed, links used once' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure -link-reuse=false &&
	start_node n3 -insecure -pool-size 2 &&
	wait_for_log "$HUB_LOG" "pool: node [0-9]*: idle link" &&
	requests 5 &&
	echo_through 1000 &&
	! grep "idle again after its relay" "$HUB_LOG" &&
	test "$(grep -c "DIAL on a pooled link" "$NODE_LOG")" -ge 5 &&
	! grep "DIAL on a pooled link .*, framed" "$NODE_LOG"
'

# idle_max N: the most idle links node N had, by the hub's log.
idle_max () {
	sed -n "s/.*pool: node $1: .*(\([0-9]*\) idle.*/\1/p" "$HUB_LOG" |
		sort -n | tail -n 1
}

# A node opens spare links eight at a time; a link lent to a framed relay
# must give its place back, or after eight lent links it opens no more.
test_expect_success 'bursts at the pool size: lent links, the pool still fills past 8' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	start_node n4 -pool-size 16 &&
	id=$(sed -n "s/.*node ready: node \([0-9]*\) (n4).*/\1/p" "$NODE_LOG" | tail -n 1) &&
	burst 16 && burst 16 && burst 16 &&
	wait_until 10 test "$(idle_max $id)" -ge 12 &&
	test "$(grep -c "idle link open" "$NODE_LOG")" -ge 12
'

test_done
