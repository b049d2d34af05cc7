#!/bin/sh
test_description='per-user limits from the users file (doc/users.md):
pools= keeps a user on nodes of its pools (another pool is refused as an
unknown one), conns= caps its connections and overrides
-max-conns-per-user both ways'
. "$(dirname "$0")/test-lib.sh"
# Nodes bind 127.0.0.N: the hub takes them with a token only.
use_tokens || error "cannot make a token"

test_have_prereq CURL || test_skip_all 'curl not found'

# seen_by FILE: the node whose address the origin saw (its /peer answer).
seen_by () {
	sb_n=$(sed -n "s/^peer=127\.0\.0\.1\([1-3]\):.*/n\1/p" "$1") &&
	test -n "$sb_n" &&
	echo "$sb_n"
}

# sget USER: GET /peer through SOCKS5 as USER; prints the serving node.
sget () {
	tcurl -x "socks5h://$1:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" >sget.out &&
	seen_by sget.out
}

# hold USER: a SOCKS connection as USER that lasts about 3 s (background).
hold () {
	tcurl -x "socks5h://$1:pw@127.0.0.1:$SOCKS_PORT" -o /dev/null \
		"http://127.0.0.1:$ORIGIN_PORT/slow/30/100" &
	HOLD_PID=$!
}

test_expect_success 'setup: users; hub -max-conns-per-user 2; n1 in ilife, n2 in codertool, n3 in default' '
	for u in alice:pools=ilife bob:conns=1 carol: dave:conns=4 \
	    erin:pools=ilife+default; do
		printf "pw\n" | "$TENTACLE" passwd -iter 10 \
			-limits "${u#*:}" -file users "${u%%:*}" || return 1
	done &&
	cat users &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" -max-conns-per-user 2 &&
	start_node n1 -bind 127.0.0.11 ilife &&
	start_node n2 -bind 127.0.0.12 codertool &&
	start_node n3 -bind 127.0.0.13
'

test_expect_success 'pools=ilife, no pool asked: only n1 serves alice' '
	: >spread.out &&
	for i in 1 2 3 4 5 6; do sget alice >>spread.out || return 1; done &&
	cat spread.out &&
	test $(count "^n1\$" spread.out) = 6
'

test_expect_success 'pools=ilife+default: erin gets n1 and n3, never n2' '
	: >spread.out &&
	for i in 1 2 3 4 5 6 7 8; do sget erin >>spread.out || return 1; done &&
	test $(count "^n2\$" spread.out) = 0 &&
	test $(count "^n1\$" spread.out) -gt 0 &&
	test $(count "^n3\$" spread.out) -gt 0
'

test_expect_success 'a user without pools= gets every pool (carol-pool-codertool on n2)' '
	test "$(sget carol-pool-codertool)" = n2
'

test_expect_success 'alice-pool-codertool: refused as an unknown pool (HTTP 503, SOCKS REP 1)' '
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-pool-codertool:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	cat body &&
	test "$code" = 503 &&
	grep "no exit node online in pool codertool" body &&
	test_must_fail tcurl -x "socks5h://alice-pool-codertool:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	grep "(1)" err &&
	test "$(sget alice-pool-ilife)" = n1
'

test_expect_success 'conns=1: bob holds one connection, a second is refused (REP 0x02), logged with conns=' '
	hold bob &&
	wait_for_log "$HUB_LOG" "user bob .*CONNECT\|socks: .*user bob logged in" &&
	sleep 0.3 &&
	test_must_fail tcurl -x "socks5h://bob:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	cat err && grep "(2)" err &&
	wait_for_log "$HUB_LOG" "user bob: refused: 1 connections for this user already (the user.s conns= 1" &&
	wait $HOLD_PID
'

test_expect_success 'conns=4 overrides -max-conns-per-user 2: dave holds three, a fourth passes' '
	hold dave && p1=$HOLD_PID &&
	hold dave && p2=$HOLD_PID &&
	hold dave && p3=$HOLD_PID &&
	sleep 0.5 &&
	test "$(sget dave)" != "" &&
	wait $p1 && wait $p2 && wait $p3
'

test_expect_success 'without conns=, -max-conns-per-user 2 holds: carol third refused' '
	hold carol && p1=$HOLD_PID &&
	hold carol && p2=$HOLD_PID &&
	sleep 0.5 &&
	test_must_fail sget carol 2>err &&
	grep "(2)" err &&
	wait $p1 && wait $p2
'

test_done
