#!/bin/sh
test_description='plaintext links: relays move bytes with splice(2); integrity,
half-close, backpressure, a dying node'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
grep -q "^#define HAVE_SPLICE" "$TEST_DIRECTORY/../config.h" 2>/dev/null ||
	test_skip_all 'no splice(2) in this build (config.h)'

# bg_curl NAME CURL-ARGS...: curl in the background into NAME.body, its
# exit status into NAME.rc; BG_PID.
bg_curl () {
	bc_name=$1
	shift
	rm -f $bc_name.body $bc_name.rc
	{
		tcurl "$@" -o $bc_name.body 2>$bc_name.err
		echo $? >$bc_name.rc
	} &
	BG_PID=$!
}

test_expect_success 'setup: plaintext hub and node, HTTP and echo origins' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -insecure -heartbeat 200ms &&
	start_node n1 -insecure
'

test_expect_success '64 MiB download via SOCKS is intact' '
	"$ORIGIN" -gen 67108864 >expect64 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/67108864 -o got64 &&
	cmp expect64 got64
'

test_expect_success 'both relays spliced: one line each in hub and node logs' '
	grep ": splice, pipes " "$HUB_LOG" >hub.splice &&
	test $(wc -l <hub.splice) = 1 &&
	grep ": splice, pipes " "$NODE_LOG" >node.splice &&
	test $(wc -l <node.splice) = 1 &&
	wait_for_log "$HUB_LOG" "closed (done), [0-9]* bytes up, 67108[0-9]* down"
'

test_expect_success 'a small request and answer never take pipes' '
	s0=$(grep -c ": splice, pipes " "$HUB_LOG") &&
	d0=$(grep -c "closed (done)" "$HUB_LOG") &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/60000 -o got60k &&
	"$ORIGIN" -gen 60000 | cmp - got60k &&
	wait_for_count "$HUB_LOG" "closed (done)" $((d0 + 1)) &&
	test $(grep -c ": splice, pipes " "$HUB_LOG") = $s0
'

test_expect_success '64 MiB download via HTTP CONNECT is intact' '
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/67108864 -o got64c &&
	cmp expect64 got64c &&
	test $(grep -c ": splice, pipes " "$HUB_LOG") = 2
'

test_expect_success 'upload: 8 MB POST via SOCKS and via CONNECT arrives intact' '
	head -c 8000000 expect64 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum
'

test_expect_success 'half-close: the client shuts its write side, gets all 4 MB back' '
	head -c 4000000 expect64 >payload4m &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload4m >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload4m echoed
'

test_expect_success 'half-close with an empty request: the target sees EOF' '
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT </dev/null >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	test ! -s echoed
'

test_expect_success 'pipelined payload (request + data in one write) goes first' '
	head -c 100000 expect64 >payload &&
	"$SOCKSC" -P $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload echoed
'

test_expect_success 'a slow reader: the hub holds pipes, its RSS stays bounded' '
	rss0=$(rss_kb $HUB_PID) &&
	pipes0=$(pipes_of $HUB_PID) &&
	bg_curl slow --max-time 4 --limit-rate 4M \
		--socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/1073741824 &&
	wait_until 5 test -s slow.body &&
	sleep 2 &&
	pipes1=$(pipes_of $HUB_PID) &&
	rss1=$(rss_kb $HUB_PID) &&
	wait $BG_PID &&
	echo "hub RSS $rss0 -> $rss1 KiB, pipes $pipes0 -> $pipes1;" \
		"curl exit $(cat slow.rc), $(wc -c <slow.body) bytes" &&
	test $pipes1 -ge $((pipes0 + 2)) &&
	test $((rss1 - rss0)) -lt 20480 &&
	test $(wc -c <slow.body) -lt 100000000 &&
	cmp -n $(wc -c <slow.body) expect64 slow.body
'

test_expect_success 'the slow relay ends and frees its pipes' '
	wait_until 5 test $(pipes_of $HUB_PID) -le $pipes0
'

test_expect_success 'node killed mid-transfer: the client sees the end' '
	bg_curl kill --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/slow/2000000/200 &&
	wait_until 5 test -s kill.body &&
	! test -f kill.rc &&
	kill_daemon $NODE_PID KILL &&
	wait_until 5 test -f kill.rc &&
	wait $BG_PID &&
	echo "curl exit $(cat kill.rc): $(cat kill.err)" &&
	test "$(cat kill.rc)" != 0 &&
	test $(wc -c <kill.body) -lt 2000000
'

test_expect_success 'a new node serves; the hub has no relay and no pipe left' '
	start_node n2 -insecure &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_until 5 test $(pipes_of $HUB_PID) -le $pipes0
'

test_expect_success 'TLS links: no splice (the bufferevent path stays)' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	start_node n3 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/1000000 -o got1m &&
	head -c 1000000 expect64 >expect1m &&
	cmp expect1m got1m &&
	! grep ": splice, pipes " "$HUB_LOG"
'

test_done
