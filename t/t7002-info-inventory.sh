#!/bin/sh
test_description='tentacle info inventory: three nodes in three pools, live
rates for the node with a transfer only, -pool filter, 100 columns, new JSON
fields (pool_idle, last_ok, up_rate, down_rate)'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

LONG=exit_node_with_a_rather_long_name_0123456789

# node_json NAME: node NAME's object from info.json, one line.
node_json () {
	tr -d ' \n' <info.json | sed 's/},{/}\n{/g' | grep "\"name\":\"$1\""
}
# field NAME KEY: KEY's value in node NAME's object.
field () {
	node_json "$1" | sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p"
}
# n2_rate_seen: the hub reports a non-zero download rate for n2.
n2_rate_seen () {
	info_json && test "$(field n2 down_rate)" -gt 0
}
# n1_pool_seen: n1 has idle pooled links at the hub.
n1_pool_seen () {
	info_json && test "$(field n1 pool_idle)" -gt 0
}

test_expect_success 'setup: hub, n1 (alpha, pool size 2), n2 (beta), a long-named node in many pools' '
	start_hub -heartbeat 200ms &&
	start_node n1 -pool-size 2 alpha &&
	start_node n2 beta &&
	start_node $LONG default gamma delta_pool_with_a_long_name \
	    epsilon_also_long &&
	start_origin
'

test_expect_success 'JSON: the new fields in every node, nothing dialled yet' '
	info_json &&
	cat info.json &&
	for k in pool_idle last_ok up_rate down_rate; do
		test $(grep -o "\"$k\":" info.json | wc -l) = 3 ||
		{ echo "field $k not in all nodes"; return 1; }
	done &&
	test "$(field n2 last_ok)" = 0 &&
	test "$(field n2 down_rate)" = 0
'

test_expect_success 'pool_idle counts the idle pooled links of n1' '
	wait_until 10 n1_pool_seen &&
	test "$(field n1 pool_idle)" -le 2
'

test_expect_success 'a slow download through pool beta: a rate for n2 only' '
	tcurl -x "socks5h://u-pool-beta:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/slow/2000000/300 -o slow.out &
	SLOW_PID=$! &&
	wait_until 10 n2_rate_seen &&
	cat info.json &&
	test "$(field n1 down_rate)" = 0 && test "$(field n1 up_rate)" = 0 &&
	test "$(field $LONG down_rate)" = 0 &&
	test "$(field n2 relays)" = 1 &&
	now=$(date +%s) && ok=$(field n2 last_ok) &&
	test "$ok" -le "$now" && test "$ok" -gt $((now - 60)) &&
	test "$(field n1 last_ok)" = 0 &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	cat info.out &&
	grep -w n2 info.out | grep "[0-9]k/s\|[0-9]M/s\|B/s" &&
	! grep -w n1 info.out | grep "/s" &&
	grep "^3 nodes online, 1 relay, now [0-9.]*[BkM]/s" info.out &&
	wait $SLOW_PID &&
	test $(wc -c <slow.out) = 2000000 &&
	wait_until 5 info_no_relays
'

test_expect_success 'the table: columns, human units, fits 100 columns' '
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	cat info.out &&
	head -n 1 info.out >header &&
	for c in ID NAME POOLS ADDRESS OS/ARCH UP RELAYS POOL SENT RECV \
	    RATE RTT; do
		grep -w "$c" header || { echo "no column $c"; return 1; }
	done &&
	test -z "$(awk "{ if (length > 100) print }" info.out)" &&
	grep -w n2 info.out | grep "[0-9.]MiB" &&
	grep -w n1 info.out | grep alpha &&
	grep "exit_node" info.out &&
	grep "^3 nodes online, 0 relays, now " info.out &&
	grep "^pool alpha: 1 node, beta: 1, default: 1, delta_pool_with_a_long_name: 1, epsilon_also_long: 1$" info.out &&
	grep "^    gamma: 1$" info.out
'

test_expect_success '-pool NAME: only that pool, in the table and in JSON' '
	"$TENTACLE" info -admin "$ADMIN_SOCK" -pool beta >info.out &&
	cat info.out &&
	grep -w n2 info.out && ! grep -w n1 info.out &&
	! grep exit_node info.out &&
	grep "^1 node online" info.out &&
	grep "^pool beta: 1 node$" info.out &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json -pool alpha \
		>info.json &&
	test $(grep -o "\"id\":" info.json | wc -l) = 1 &&
	test -n "$(node_json n1)" &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json -pool nosuch \
		>info.json &&
	test $(grep -o "\"id\":" info.json | wc -l) = 0 &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -pool nosuch >info.out &&
	grep "^0 nodes online" info.out
'

test_expect_success 'the rate falls back to 0 after the transfer' '
	wait_until 15 eval "info_json && test \"\$(field n2 down_rate)\" = 0"
'

test_expect_success 'info -json is valid JSON' '
	info_json &&
	if command -v python3 >/dev/null 2>&1; then
		python3 -c "import json; d=json.load(open(\"info.json\")); assert len(d[\"nodes\"]) == 3; assert all(\"down_rate\" in n for n in d[\"nodes\"])"
	fi
'

test_done
