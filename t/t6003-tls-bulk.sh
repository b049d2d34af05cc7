#!/bin/sh
test_description='TLS links in bulk: the pump reads and writes the socket
itself; integrity both ways, half-close, backpressure with a slow reader'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# Under ASan, freed memory waits in a quarantine (256 MB by default) and
# counts in RSS: keep it small, the check is about tentacle's buffers.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
export ASAN_OPTIONS

test_expect_success 'setup: TLS hub and node, HTTP and echo origins' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub &&
	start_node n1 &&
	"$ORIGIN" -gen 67108864 >expect64
'

test_expect_success '64 MiB download via SOCKS over TLS links is intact' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/67108864 -o got64 &&
	cmp expect64 got64 &&
	wait_for_log "$HUB_LOG" "closed (done), [0-9]* bytes up, 67108[0-9]* down" &&
	! grep ": splice, pipes " "$HUB_LOG"
'

test_expect_success '64 MiB download via HTTP CONNECT over TLS links is intact' '
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/67108864 -o got64c &&
	cmp expect64 got64c
'

test_expect_success 'upload: 8 MB POST over TLS links arrives intact' '
	head -c 8000000 expect64 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum
'

test_expect_success 'half-close over TLS links: 4 MB echoed back whole' '
	head -c 4000000 expect64 >payload4m &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <payload4m >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	cmp payload4m echoed &&
	wait_for_log "$HUB_LOG" "closed (done), 4000000 bytes up, 4000000 down"
'

test_expect_success 'half-close with an empty request over TLS links' '
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT </dev/null >echoed 2>rep &&
	grep "^REP 0x00" rep &&
	test ! -s echoed
'

test_expect_success 'a slow reader of a 1 GiB stream: hub and node RSS stay bounded' '
	hrss0=$(rss_kb $HUB_PID) &&
	nrss0=$(rss_kb $NODE_PID) &&
	test -n "$hrss0" && test -n "$nrss0" || return 1
	{
		tcurl --max-time 4 --limit-rate 4M \
			--socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/bytes/1073741824 \
			-o slow.body 2>slow.err
		echo $? >slow.rc
	} &
	BG=$! &&
	wait_until 5 test -s slow.body &&
	sleep 2 &&
	hrss1=$(rss_kb $HUB_PID) &&
	nrss1=$(rss_kb $NODE_PID) &&
	wait $BG &&
	echo "hub RSS $hrss0 -> $hrss1 KiB, node $nrss0 -> $nrss1 KiB;" \
		"curl exit $(cat slow.rc), $(wc -c <slow.body) bytes" &&
	test $((hrss1 - hrss0)) -lt 20480 &&
	test $((nrss1 - nrss0)) -lt 20480 &&
	test $(wc -c <slow.body) -lt 100000000 &&
	cmp -n $(wc -c <slow.body) expect64 slow.body
'

test_expect_success 'the hub still serves over TLS links' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_done
