#!/bin/sh
test_description='per-user accounting (doc/admin.md, "Users and
accounting"): bytes counted per user as they move, GET /api/v1/users and
users/{name}, STATE-DIR/usage written and read back across a restart (a
damaged line skipped), limits reloaded on SIGHUP; daily quotas refuse
logins (SOCKS REP 0x02, HTTP 403 with the reason, logged once) and cut a
running relay at the quota'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# api PATH: GET /api/v1/PATH on the admin socket into api.out.
api () {
	tcurl --unix-socket "$ADMIN_SOCK" -o api.out "http://localhost/api/v1/$1" &&
	cat api.out
}

# field USER PERIOD DIR: bytes USER moved (PERIOD day|month|total, DIR
# up|down) as GET users/USER shows them.
field () {
	api "users/$1" >/dev/null &&
	sed -n "s/.*\"$2\":{\"up\":\([0-9]*\),\"down\":\([0-9]*\)}.*/\1 \2/p" \
		api.out | { read -r up down; test "$3" = up && echo "$up" ||
		echo "$down"; }
}

# get USER PASS N: N bytes from the origin through SOCKS as USER.
get () {
	tcurl -x "socks5h://$1:$2@127.0.0.1:$SOCKS_PORT" -o get.out \
		http://127.0.0.1:$ORIGIN_PORT/bytes/$3
}

test_expect_success 'setup: users alice (no limits), bob (day=100k); hub, node' '
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -file users alice &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits day=100k \
		-file users bob &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits day=100k \
		-file users carol &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1
'

test_expect_success 'GET users lists the users of the file, nothing counted yet' '
	api users &&
	grep "\"name\":\"alice\",\"in_users_file\":true,\"limits\":\"\"" api.out &&
	grep "\"name\":\"bob\",\"in_users_file\":true,\"limits\":\"day=100k\"" api.out &&
	grep "\"total\":{\"up\":0,\"down\":0}" api.out &&
	! grep "\"total\":{\"up\":[1-9]" api.out
'

test_expect_success 'a request as alice counts its bytes (up and down)' '
	get alice pw 50000 &&
	test $(wc -c <get.out) = 50000 &&
	down=$(field alice total down) && up=$(field alice total up) &&
	echo "alice: up $up down $down" &&
	test "$down" -ge 50000 && test "$down" -lt 51000 &&
	test "$up" -gt 0 && test "$up" -lt 1000 &&
	test "$(field alice day down)" = "$down" &&
	test "$(field alice month down)" = "$down" &&
	grep "\"last_seen\":[0-9]" api.out &&
	grep "\"over_quota\":false" api.out &&
	grep "\"quota_left\":null" api.out
'

test_expect_success 'the HTTP proxy counts too' '
	before=$(field alice total down) &&
	tcurl -x "http://alice:pw@127.0.0.1:$HTTP_PORT" -o get.out \
		http://127.0.0.1:$ORIGIN_PORT/bytes/20000 &&
	after=$(field alice total down) &&
	echo "before $before after $after" &&
	test $((after - before)) -ge 20000 && test $((after - before)) -lt 21000
'

test_expect_success 'an open-mode client (no password checked) is not counted' '
	before=$(field alice total down) &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" -allow-clients 127.0.0.1 &&
	start_node n1 &&
	get alice wrong 10000 &&
	test "$(field alice total down)" = "$before" &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1
'

test_expect_success 'STATE-DIR/usage holds it within 5 s, in the usage format' '
	f=$TENTACLE_STATE_DIR/usage &&
	get alice pw 1000 &&
	wait_until 8 grep "^alice [0-9-]* [0-9]* [0-9]* " "$f" &&
	cat "$f" &&
	test "$(sed -n 1p "$f")" = "tentacle-usage 1" &&
	total=$(field alice total down) &&
	wait_until 8 grep "^alice .* $total [0-9]*\$" "$f"
'

test_expect_success 'usage survives a restart (written at shutdown); a damaged line is skipped' '
	get alice pw 3000 &&
	total=$(field alice total down) &&
	stop_daemon $HUB_PID &&
	f=$TENTACLE_STATE_DIR/usage &&
	grep "^alice .* $total [0-9]*\$" "$f" &&
	printf "mallory 2026-13-01 1 1 1 1 1 1 0\n" >>"$f" &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1 &&
	grep "usage of 1 users from .*usage (damaged lines skipped)" "$HUB_LOG" &&
	grep "usage line [0-9]*: .*; skipped\|usage: .*line 3: .*skipped" "$HUB_LOG" &&
	test "$(field alice total down)" = "$total"
'

test_expect_success 'SIGHUP: new limits in the users file show in GET users/NAME' '
	"$TENTACLE" passwd -limits "conns=3,day=100k,month=1Gi" -file users \
		bob </dev/null &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 3 proxy users from" &&
	api users/bob &&
	grep "\"limits\":\"conns=3,day=100k,month=1Gi\"" api.out &&
	grep "\"conns\":3" api.out &&
	grep "\"month\":1073741824" api.out
'

test_expect_success 'GET users/NAME: 404 for an unknown or bad name' '
	tcurl --unix-socket "$ADMIN_SOCK" -o api.out -w "%{http_code}" \
		http://localhost/api/v1/users/nobody >code &&
	test "$(cat code)" = 404 && grep "no such user" api.out &&
	tcurl --unix-socket "$ADMIN_SOCK" -o api.out -w "%{http_code}" \
		"http://localhost/api/v1/users/a%20b" >code &&
	test "$(cat code)" = 404 &&
	tcurl --unix-socket "$ADMIN_SOCK" -o api.out -w "%{http_code}" \
		-X POST -H "X-Tentacle-Csrf: 1" http://localhost/api/v1/users/bob >code &&
	test "$(cat code)" = 405 &&
	tcurl --unix-socket "$ADMIN_SOCK" -o api.out -w "%{http_code}" \
		-X PUT -H "X-Tentacle-Csrf: 1" http://localhost/api/v1/users >code &&
	test "$(cat code)" = 405
'

test_expect_success 'day=100k: bob downloads 10000 at a time until refused; the total stops at the quota' '
	get bob pw 10000 &&
	per=$(( $(field bob day up) + $(field bob day down) )) &&
	n=1 &&
	while get bob pw 10000 && test $n -lt 30; do n=$((n + 1)); done &&
	down=$(field bob day down) && up=$(field bob day up) &&
	echo "bob: $n downloads of 10000 ($per bytes each with headers) passed; day up $up down $down: $((up + down - 100000)) past the quota" &&
	test $n = $(( (100000 + per - 1) / per )) &&
	test $((up + down)) -ge 100000 &&
	test $((up + down)) -lt $((100000 + per)) &&
	grep "\"over_quota\":true" api.out &&
	grep "\"quota_left\":0" api.out
'

test_expect_success 'refused: SOCKS REP 0x02 (curl says so), logged once for the day' '
	test_expect_code 97 get bob pw 10 2>err.out &&
	cat err.out &&
	grep "(2)" err.out &&
	test_expect_code 97 get bob pw 10 &&
	wait_for_log "$HUB_LOG" "socks: .*user bob refused: daily quota used" &&
	test $(count "users: user bob: daily quota used: .* of 97.7 KiB, resets at 00:00 UTC in" "$HUB_LOG") = 1
'

test_expect_success 'refused: HTTP 403 with the reason in the body' '
	tcurl -x "http://bob:pw@127.0.0.1:$HTTP_PORT" -o body.out \
		-w "%{http_code}" http://127.0.0.1:$ORIGIN_PORT/bytes/10 >code &&
	cat body.out &&
	test "$(cat code)" = 403 &&
	grep "tentacle: user bob: daily quota used: .* of 97.7 KiB, resets at 00:00 UTC" body.out &&
	test $(count "users: user bob: daily quota used" "$HUB_LOG") = 1
'

test_expect_success 'the quota is one refused event for bob and the day (GET events)' '
	api "events?limit=1024" >/dev/null &&
	tr "{" "\n" <api.out | grep "\"type\":\"refused\"" |
		grep "\"limit\":\"quota_day\"" | grep "\"user\":\"bob\"" >ev &&
	cat ev &&
	test $(wc -l <ev) = 1 &&
	grep "\"reason\":\"daily quota used" ev
'

test_expect_success 'a running relay is cut at the quota (carol, day=100k, asks 2 MB)' '
	test_must_fail get carol pw 2000000 &&
	wait_for_log "$HUB_LOG" "user carol.*closed (quota reached)" &&
	down=$(field carol day down) && up=$(field carol day up) &&
	total=$((up + down)) &&
	echo "carol: day up $up down $down: $((total - 100000)) bytes past the quota" &&
	test $total -ge 100000 &&
	test $total -le $((100000 + 65536))
'

test_done
