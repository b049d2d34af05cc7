#!/bin/sh
test_description='tentacle passwd -d removes a user (SIGHUP picks it up);
tentacle token -o FILE writes a 0600 tokens file'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# got USER PASS: a request through the SOCKS port as USER succeeds.
got () {
	tcurl -x "socks5h://$1:$2@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small >got.out 2>&1 &&
	grep "quick brown fox" got.out
}

test_expect_success 'setup: two users, group-readable file, hub, node' '
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>p.err &&
	printf "builder\n" |
		"$TENTACLE" passwd -iter 1000 -file users bob 2>>p.err &&
	chmod 640 users &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1 &&
	got alice wonderland && got bob builder
'

test_expect_success 'passwd -d -file users alice: removed, mode kept' '
	"$TENTACLE" passwd -d -file users alice 2>d.err &&
	cat d.err &&
	grep "removed user alice from users" d.err &&
	! grep "^alice:" users &&
	grep "^bob:" users &&
	test "$(stat -c %a users)" = 640 &&
	ls -a . >dir.out && ! grep "users\.tmp" dir.out
'

test_expect_success 'the hub drops alice on SIGHUP, keeps bob' '
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 proxy users from" &&
	test_must_fail got alice wonderland &&
	got bob builder
'

test_expect_success 'passwd -d of an unknown user: clear error, exit 1, file untouched' '
	cp users users.before &&
	test_expect_code 1 "$TENTACLE" passwd -d -file users carol 2>u.err &&
	cat u.err &&
	grep "users: no such user" u.err &&
	test_cmp users.before users
'

test_expect_success 'passwd -d without -file: usage error' '
	test_expect_code 2 "$TENTACLE" passwd -d alice 2>f.err &&
	grep "give -file" f.err
'

test_expect_success 'token -o FILE: a new file is 0600 even under umask 022' '
	(umask 022 && "$TENTACLE" token -o tokens >tok1 2>t.err) &&
	cat t.err &&
	test "$(stat -c %a tokens)" = 600 &&
	test "$(cat tok1)" = "$(cat tokens)" &&
	grep "^[A-Za-z0-9_-]\{43\}\$" tok1
'

test_expect_success 'token -o FILE appends, never widens the mode' '
	chmod 400 tokens && chmod u+w tokens &&
	"$TENTACLE" token -o tokens >tok2 &&
	test "$(stat -c %a tokens)" = 600 &&
	test $(wc -l <tokens) = 2 &&
	test "$(sed -n 2p tokens)" = "$(cat tok2)" &&
	chmod 640 tokens &&
	"$TENTACLE" token -o tokens >tok3 2>t3.err &&
	test "$(stat -c %a tokens)" = 640 &&
	! grep warning t3.err &&
	test $(wc -l <tokens) = 3
'

test_expect_success 'token -o on a world-readable file: kept, but warned' '
	chmod 644 tokens &&
	"$TENTACLE" token -o tokens >tok4 2>t4.err &&
	cat t4.err &&
	test "$(stat -c %a tokens)" = 644 &&
	grep "warning: every user may read tokens: chmod 600 tokens" t4.err &&
	chmod 600 tokens
'

test_expect_success 'a node with a token from token -o gets in' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -tokens "$TRASH_DIRECTORY/tokens" &&
	NODE_TOKEN=$(cat tok2) start_node n2
'

test_done
