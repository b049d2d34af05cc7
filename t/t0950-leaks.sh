#!/bin/sh
test_description='LeakSanitizer on the daemons: a hub and a node that
served SOCKS, HTTP, CONNECT, refusals, a node token and a reload exit
without leaks (sanitizer build; elsewhere only the exit status counts)'
# The other scripts run daemons without LeakSanitizer (test-lib.sh says
# why); this one keeps it and gives daemons time to finish its scan.
TEST_DETECT_LEAKS=1
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
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	grep n1 info.out
'

test_expect_success 'SIGHUP reload' '
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 proxy users"
'

# stop_scanned PID LOG: SIGTERM, wait for the clean-stop line, then give
# LeakSanitizer's exit scan 60 s.  In this sandbox that scan sometimes
# never ends; then the leak result is unknown: say so (a skip, not a
# pass) and kill.  A report that does come out fails test_done's check.
stop_scanned () {
	ss_pid=$1
	kill -s TERM $ss_pid &&
	wait_for_log "$2" "stopped" || return 1
	ss_n=600
	while daemon_alive $ss_pid && test $ss_n -gt 0; do
		sleep 0.1
		ss_n=$((ss_n - 1))
	done
	if daemon_alive $ss_pid; then
		kill -s KILL $ss_pid 2>/dev/null
		wait $ss_pid 2>/dev/null
		return 2
	fi
	wait $ss_pid
}

for d in node hub; do
	if test $d = node; then pid=$NODE_PID log=$NODE_LOG; else pid=$HUB_PID log=$HUB_LOG; fi
	stop_scanned $pid "$log"
	case $? in
	0) test_expect_success "the $d exits cleanly after its leak scan" 'true' ;;
	2) test_skip "the $d exits cleanly after its leak scan" \
	    "LeakSanitizer's exit scan did not end within 60 s here" ;;
	*) test_expect_success "the $d exits cleanly after its leak scan" 'false' ;;
	esac
done

test_done
