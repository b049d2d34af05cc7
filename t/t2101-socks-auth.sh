#!/bin/sh
test_description='SOCKS5 proxy users: RFC 1929 with -users, routing
parameters in the user name, -allow-clients (and its old name -allow),
loopback mode without a users file, SIGHUP reload with a live tunnel, tentacle passwd, failed-login limiter'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: users file from tentacle passwd, hub, node, origin' '
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>passwd.err &&
	grep "added user alice in users" passwd.err &&
	printf "builder" | "$TENTACLE" passwd bob >bob.line &&
	grep "^bob:pbkdf2-sha256:10000:[A-Za-z0-9+/=]*:[A-Za-z0-9+/=]*\$" \
		bob.line &&
	cat bob.line >>users &&
	test "$(stat -c %a users)" = 600 &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	grep "proxy users: 2 from" "$HUB_LOG" &&
	start_node n1
'

test_expect_success 'right password: --proxy-user' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --proxy-user \
		alice:wonderland http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'right password: socks5h://user:pw@ (line printed by passwd)' '
	tcurl -x socks5h://bob:builder@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'routing parameters after the base name: alice-pool-default' '
	tcurl -x socks5h://alice-pool-default-session-y:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks 127\.0\.0\.1:[0-9]*: user alice, node "
'

test_expect_success 'wrong password: refused, logged' '
	test_must_fail tcurl -x socks5h://alice:wonderlan@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	test ! -s out &&
	wait_for_log "$HUB_LOG" "login failed for user \"alice\": wrong password"
'

test_expect_success 'unknown user: refused, logged' '
	test_must_fail tcurl -x socks5h://carol:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	wait_for_log "$HUB_LOG" "login failed for user \"carol\": unknown user"
'

test_expect_success 'raw: wrong password and unknown user get the same bytes' '
	socks_login alice nope >req.wrong &&
	socks_login zed nope >req.unknown &&
	socks_login alice wonderland >req.right &&
	"$TCPC" $SOCKS_PORT <req.wrong >resp.wrong &&
	"$TCPC" $SOCKS_PORT <req.unknown >resp.unknown &&
	test "$(hexof resp.wrong)" = 05020101 &&
	test "$(hexof resp.unknown)" = 05020101 &&
	test_expect_code 2 "$TCPC" -T 1 $SOCKS_PORT <req.right >resp.right &&
	test "$(hexof resp.right)" = 05020100
'

test_expect_success 'a user name with a bad character is refused' '
	socks_login "al:ce" wonderland >req.bad &&
	"$TCPC" $SOCKS_PORT <req.bad >resp.bad &&
	test "$(hexof resp.bad)" = 05020101 &&
	wait_for_log "$HUB_LOG" "login failed for user \"al:ce\": bad user name"
'

test_expect_success 'no credentials offered (loopback too): 0xff, logged' '
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	printf "\005\001\000" >req.noauth &&
	"$TCPC" $SOCKS_PORT <req.noauth >resp.noauth &&
	test "$(hexof resp.noauth)" = 05ff &&
	wait_for_log "$HUB_LOG" "offered no username/password method"
'

test_expect_success 'SIGHUP: add carol, remove alice; a live tunnel of alice goes on' '
	tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/slow/200000/200 -o slow.out &
	slow=$! &&
	wait_until 10 test -s slow.out &&
	printf "secret\n" | "$TENTACLE" passwd -iter 1000 carol >carol.line &&
	cat bob.line carol.line >users.new &&
	mv users.new users &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 2 proxy users" &&
	test $(wc -c <slow.out) -lt 200000 &&
	tcurl -x socks5h://carol:secret@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test_must_fail tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	wait_for_log "$HUB_LOG" "login failed for user \"alice\": unknown user" &&
	wait $slow &&
	"$ORIGIN" -gen 200000 >expect.slow &&
	cmp expect.slow slow.out
'

test_expect_success 'SIGHUP with a broken users file keeps the old users' '
	cp users users.good &&
	echo "dave" >>users &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: keeping the old 2 proxy users: .*users:3: expected" &&
	tcurl -x socks5h://carol:secret@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	mv users.good users
'

test_expect_success 'passwd -file replaces a line (mode kept, less others), the new password works after SIGHUP' '
	chmod 644 users &&
	printf "changed\n" |
		"$TENTACLE" passwd -iter 1000 -file users carol 2>passwd.err &&
	grep "replaced user carol" passwd.err &&
	test $(grep -c "^carol:" users) = 1 &&
	test $(grep -c "^bob:" users) = 1 &&
	test "$(stat -c %a users)" = 640 &&
	n=$(grep -c "SIGHUP: 2 proxy users" "$HUB_LOG") &&
	kill -HUP $HUB_PID &&
	wait_for_count "$HUB_LOG" "SIGHUP: 2 proxy users" $((n + 1)) &&
	tcurl -x socks5h://carol:changed@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test_must_fail tcurl -x socks5h://carol:secret@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small
'

test_expect_success '-allow-clients: a listed client needs no credentials' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" \
		-allow-clients 10.0.0.0/8,127.0.0.0/8 &&
	! grep "deprecated" "$HUB_LOG" &&
	start_node n2 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -x socks5h://anyone-pool-default:whatever@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks 127\.0\.0\.1:[0-9]*: user anyone, node "
'

# -allow is the old name of -allow-clients: it works, and says so once.
test_expect_success '-allow (old name) that does not list the client: credentials needed' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" -allow 10.0.0.0/8 &&
	grep "WARNING -allow is deprecated on the hub: use -allow-clients (client networks served without credentials; a node.s -allow names destinations)" "$HUB_LOG" &&
	test $(grep -c "deprecated" "$HUB_LOG") = 1 &&
	start_node n3 &&
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	tcurl -x socks5h://bob:builder@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'bad -users and -allow stop the hub with a clear message' '
	echo "x:md5:1:AAAA:AAAA" >users.bad &&
	test_expect_code 1 "$TENTACLE" server -users users.bad 2>err &&
	grep "tentacle server: -users: users.bad:1: unknown hash scheme" err &&
	test_expect_code 1 "$TENTACLE" server -users nonexistent 2>err &&
	grep "tentacle server: -users: nonexistent: No such file" err &&
	test_expect_code 2 "$TENTACLE" server -allow 10.0.0.0/33 2>err &&
	grep "tentacle server: -allow: \"10.0.0.0/33\"" err &&
	test_expect_code 2 "$TENTACLE" server -allow-clients 10.0.0.0/33 \
		2>err &&
	grep "tentacle server: -allow-clients: \"10.0.0.0/33\"" err &&
	test_expect_code 2 "$TENTACLE" server -allow-clients 10.0.0.0/8 \
		-allow 10.0.0.0/8 2>err &&
	grep "tentacle server: -allow: give -allow-clients only" err
'

test_expect_success 'failed-login limiter: 10 failures, then even the right password fails' '
	i=0 &&
	while test $i -lt 10; do
		test_must_fail tcurl \
			-x socks5h://bob:wrong$i@127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/small || return 1
		i=$((i + 1))
	done &&
	test_must_fail tcurl -x socks5h://bob:builder@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	wait_for_log "$HUB_LOG" "too many failed logins from this address" &&
	test_must_fail tcurl -x socks5h://bob:builder@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	test $(grep -c "too many failed logins" "$HUB_LOG") = 1
'

test_expect_success 'no users file: loopback clients need no credentials' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	start_node n4 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'no users file: any password, the user name still counts' '
	tcurl -x socks5h://alice-pool-default:anything@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks 127\.0\.0\.1:[0-9]*: user alice, node " &&
	socks_login "-x" y >req.dash &&
	"$TCPC" $SOCKS_PORT <req.dash >resp.dash &&
	test "$(hexof resp.dash)" = 05020101
'

test_done
