#!/bin/sh
test_description='splice pipes: an idle relay gives its pipes back and gets
them again with the next payload; pipes stay within a descriptor budget'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
grep -q "^#define HAVE_SPLICE" "$TEST_DIRECTORY/../config.h" 2>/dev/null ||
	test_skip_all 'no splice(2) in this build (config.h)'

test_expect_success 'setup: plaintext hub and node, HTTP and echo origins' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -insecure &&
	start_node n1 -insecure &&
	"$ORIGIN" -gen 4000000 >expect4m &&
	head -c 2000000 expect4m >part1 &&
	tail -c 2000000 expect4m >part2 &&
	hpipes0=$(pipes_of $HUB_PID) &&
	npipes0=$(pipes_of $NODE_PID)
'

test_expect_success 'a relay that moved payload splices' '
	mkfifo feed || return 1
	{ "$SOCKSC" -T 120 $SOCKS_PORT 127.0.0.1 $ECHO_PORT <feed >echoed \
		2>rep; echo $? >socksc.rc; } &
	SC_PID=$! &&
	exec 7>feed &&
	cat part1 >&7 &&
	wait_for_count "$HUB_LOG" ": splice, pipes " 1 &&
	wait_for_count "$NODE_LOG" ": splice, pipes " 1 &&
	wait_until 10 test $(pipes_of $HUB_PID) -ge $((hpipes0 + 4))
'

test_expect_success 'idle: the pipes are closed on hub and node, the relay lives' '
	wait_for_log "$HUB_LOG" ": idle, pipes closed" 30 &&
	wait_for_log "$NODE_LOG" ": idle, pipes closed" 30 &&
	wait_until 10 test $(pipes_of $HUB_PID) -le $hpipes0 &&
	wait_until 10 test $(pipes_of $NODE_PID) -le $npipes0 &&
	! test -f socksc.rc &&
	! grep "relay .*: closed (" "$HUB_LOG"
'

test_expect_success 'more payload: pipes again, every byte arrives, counters right' '
	cat part2 >&7 &&
	wait_for_count "$HUB_LOG" ": splice, pipes " 2 &&
	exec 7>&- &&
	wait_until 30 test -f socksc.rc &&
	wait $SC_PID &&
	test "$(cat socksc.rc)" = 0 &&
	grep "^REP 0x00" rep &&
	cmp expect4m echoed &&
	wait_for_log "$HUB_LOG" "closed (done), 4000000 bytes up, 4000000 down" &&
	wait_for_log "$NODE_LOG" "closed (done), 4000000 bytes up, 4000000 down" &&
	wait_until 10 test $(pipes_of $HUB_PID) -le $hpipes0 &&
	wait_until 10 test $(pipes_of $NODE_PID) -le $npipes0
'

test_expect_success 'pipes closed while idle, then EOF: the whole echo comes back' '
	idle0=$(count ": idle, pipes closed" "$HUB_LOG") &&
	splice0=$(count ": splice, pipes " "$HUB_LOG") &&
	rm -f feed socksc.rc &&
	mkfifo feed || return 1
	{ "$SOCKSC" -T 120 $SOCKS_PORT 127.0.0.1 $ECHO_PORT <feed >echoed \
		2>rep; echo $? >socksc.rc; } &
	SC_PID=$! &&
	exec 7>feed &&
	cat part1 >&7 &&
	wait_for_count "$HUB_LOG" ": splice, pipes " $((splice0 + 1)) &&
	wait_for_count "$HUB_LOG" ": idle, pipes closed" $((idle0 + 1)) 30 &&
	exec 7>&- &&
	wait_until 30 test -f socksc.rc &&
	wait $SC_PID &&
	test "$(cat socksc.rc)" = 0 &&
	cmp part1 echoed &&
	wait_for_log "$HUB_LOG" "closed (done), 2000000 bytes up, 2000000 down"
'

test_expect_success 'setup: hub under ulimit -n 64 (pipe budget: 16 descriptors)' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	cat >lowfd <<-EOF &&
	#!/bin/sh
	ulimit -n 64 || exit 1
	exec "$TENTACLE" "\$@"
	EOF
	chmod +x lowfd &&
	real=$TENTACLE &&
	TENTACLE=$TRASH_DIRECTORY/lowfd &&
	start_hub -insecure
	rc=$?
	TENTACLE=$real
	test $rc = 0 &&
	grep "^Max open files  *64 " /proc/$HUB_PID/limits &&
	start_node n2 -insecure &&
	"$ORIGIN" -gen 8000000 >expect8m &&
	hpipes0=$(pipes_of $HUB_PID)
'

test_expect_success 'six slow downloads at once: pipes within the budget, all intact' '
	pids= &&
	for i in 1 2 3 4 5 6; do
		{
			tcurl --limit-rate 2M --socks5-hostname \
				127.0.0.1:$SOCKS_PORT \
				http://127.0.0.1:$ORIGIN_PORT/bytes/8000000 \
				-o got$i 2>err$i
			echo $? >rc$i
		} &
		pids="$pids $!"
	done &&
	for i in 1 2 3 4 5 6; do
		wait_until 20 test -s got$i || return 1
	done &&
	p=$(pipes_of $HUB_PID) &&
	echo "hub pipes with six relays running: $p" &&
	test $p -le $((hpipes0 + 16)) &&
	for pid in $pids; do wait $pid; done &&
	for i in 1 2 3 4 5 6; do
		test "$(cat rc$i)" = 0 &&
		cmp expect8m got$i || return 1
	done &&
	grep ": no pipes (descriptors)" "$HUB_LOG" &&
	wait_until 10 test $(pipes_of $HUB_PID) -le $hpipes0
'

test_expect_success 'the hub still serves' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_done
