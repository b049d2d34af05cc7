#!/bin/sh
test_description='sticky sessions per proxy user are capped
(-max-sessions-per-user): one user cannot push another'"'"'s sessions out
of the table (issue 9 item 7)'
. "$(dirname "$0")/test-lib.sh"

# sget USER: GET /small through SOCKS5 as USER (any password: no users file).
sget () {
	tcurl --socks5-hostname "$1:x@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" >sget.out &&
	grep "quick brown fox" sget.out
}

# pinned SESSION USER: how often the hub pinned that session to a node.
pinned () {
	grep -c "session $1 of $2: on node" "$HUB_LOG"
}

test_expect_success 'setup: hub with -max-sessions-per-user 3, two nodes' '
	start_origin &&
	start_hub -max-sessions-per-user 3 &&
	start_node n1 &&
	start_node n2 &&
	sget bob-session-b1 &&
	test "$(pinned b1 bob)" = 1
'

test_expect_success 'carol opens ten sessions: only her own make room' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sget carol-session-c$i || return 1
	done &&
	grep "sessions of carol: 3, the most -max-sessions-per-user allows" \
		"$HUB_LOG" &&
	test "$(grep -c "sessions of carol: 3" "$HUB_LOG")" = 1
'

test_expect_success 'bob'"'"'s session is still pinned; carol'"'"'s oldest was let go' '
	sget bob-session-b1 &&
	test "$(pinned b1 bob)" = 1 &&
	sget carol-session-c10 &&
	test "$(pinned c10 carol)" = 1 &&
	sget carol-session-c1 &&
	test "$(pinned c1 carol)" = 2
'

test_done
