#!/bin/sh
test_description='LeakSanitizer on the daemons: a hub and a node that
served SOCKS, HTTP, CONNECT, refusals, a node token and a reload exit
without leaks (sanitizer build; elsewhere only the exit status counts)'
# The other scripts run daemons without LeakSanitizer (test-lib.sh says
# why); this one keeps it and gives daemons time to finish its scan.
TEST_DETECT_LEAKS=1
TEST_STOP_TIMEOUT=180
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: tokens, users, hub, node, origins' '
	"$TENTACLE" token >tok &&
	echo "$(cat tok) name=n*" >tokens &&
	echo secret | "$TENTACLE" passwd alice >users &&
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -tokens tokens -users users -allow 127.0.0.2 &&
	start_node n1 -token "$(cat tok)"
'

test_expect_success 'traffic: SOCKS with login, HTTP, CONNECT, refusals' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT -U alice:secret \
		http://127.0.0.1:$ORIGIN_PORT/bytes/1000000 -o got &&
	test $(wc -c <got) = 1000000 &&
	tcurl -x http://alice:secret@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -p -x http://alice:secret@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		-U alice:wrong http://127.0.0.1:$ORIGIN_PORT/small &&
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		-U alice:secret http://127.0.0.1:1/ &&
	"$TENTACLE" info -server 127.0.0.1:$CONTROL_PORT >info.out &&
	grep n1 info.out
'

test_expect_success 'SIGHUP reload, then the daemons exit with no leak report' '
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 proxy users" &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_done
