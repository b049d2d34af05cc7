#!/bin/sh
#
# t9001-sdk-life: libtentacle's life cycle from a C host (t/sdk/life.c):
# bad configs give NULL and a message and print nothing; stop() from the
# state callback returns and the node starts again; 1000 passes of
# new/start/stop/free (a tenth of them joining a real hub, four tenths
# stopped mid-connect, half without consent) leave no fd and no RSS
# growth beyond a bound; in the san/ build LeakSanitizer checks at exit.
#
test_description='libtentacle life cycle'
. "$(dirname "$0")/test-lib.sh"

test -x "$SDK/life" || error "$SDK/life not built (make test-programs)"

SDK_TIMEOUT=900
# ASan's quarantine at 1 MiB: freed memory it holds back settles early
# and does not pass for RSS growth in the loop.
SDK_ASAN=quarantine_size_mb=1

test_expect_success 'version, ABI and bad configs: NULL, a message, no output' '
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
		"$SDK/life" badconf bad.txt >bad.out 2>bad.err
	rc=$?
	cat bad.txt bad.out bad.err &&
	test $rc = 0 &&
	test_cmp /dev/null bad.out &&
	test_cmp /dev/null bad.err &&
	grep "^# no hub: " bad.txt &&
	grep "^# unknown flag in args: .*no-such-flag" bad.txt &&
	grep "^# a name server not an address: dns: \"dns.example\": not an IP address" bad.txt &&
	grep "^# done" bad.txt
'

test_expect_success 'a hub' '
	start_hub &&
	FP=$(hub_fp) &&
	test -n "$FP" &&
	HUB=127.0.0.1:$CONTROL_PORT
'

test_expect_success 'stop() from on_log, whose stop logs into it again: no loop, the node stops' '
	sdk logstop life logstop "$HUB" "$FP" &&
	grep "armed at start: run() returned 0" logstop.out &&
	grep "armed when sharing: .* state stopped" logstop.out
'

test_expect_success 'stop() from the state callback returns; the node starts again' '
	sdk cbstop life cbstop "$HUB" "$FP" &&
	grep "stop from the sharing callback returned" cbstop.out &&
	grep "stop from the connecting callback returned" cbstop.out &&
	grep "restarted: sharing" cbstop.out
'

test_expect_success 'run() on the caller'"'"'s thread, stop() from another' '
	sdk run life run "$HUB" "$FP" &&
	grep "run() returned 0; .* all on this thread: yes" run.out
'

test_expect_success 'start/stop 1000 times: no fd growth, RSS within its bound' '
	sdk loop life loop "$HUB" "$FP" ${SDK_LOOP_COUNT:-1000} &&
	grep "growth over the last" loop.out &&
	grep "joined the hub" loop.out
'

test_expect_success 'the hub saw the loop nodes join and leave, and still serves' '
	n=$(grep -c "node [0-9]* (loop[0-3]) joined from" "$HUB_LOG") &&
	echo "$n loop nodes joined" &&
	test "$n" -ge $((${SDK_LOOP_COUNT:-1000} / 10)) &&
	wait_until 10 info_has_nodes 0 &&
	start_origin &&
	start_node n1 &&
	hub_serves_socks
'

test_done
