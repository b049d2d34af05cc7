#!/bin/sh
test_description='HTTP proxy front: interim (1xx) responses are forwarded,
at most 16 per request (then 502), and a flood of them costs the hub no
memory while the client does not read'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# watch_rss TICKS [command...]: sample the hub's VmRSS every tick for
# TICKS ticks (20 ms), or until the command succeeds; RSS_MAX is the most
# seen.
watch_rss () {
	wr_n=$1
	shift
	RSS_MAX=$(rss_kb $HUB_PID)
	while test $wr_n -gt 0; do
		wr_r=$(rss_kb $HUB_PID)
		if test "${wr_r:-0}" -gt "$RSS_MAX"; then
			RSS_MAX=$wr_r
		fi
		if test $# -gt 0 && "$@" >/dev/null 2>&1; then
			return 0
		fi
		test_tick_
		wr_n=$((wr_n - 1))
	done
	return 0
}

# A client that sends one request through the proxy and reads nothing
# until SIGTERM; then it reads what is queued (2 s at most, until the hub
# closes) into its output file.  Exit: 0 the hub closed, 124 still open.
cat >holder.sh <<\EOF
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf "GET http://127.0.0.1:%s%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n" \
	"$2" "$3" "$2" >&3 || exit 1
trap 'kill $sleeper 2>/dev/null; timeout 2 cat <&3 >"$4"; exit $?' TERM
sleep 10 &
sleeper=$!
wait
exit 3
EOF

# start_holder PATH OUT: sets HOLDER_PID (one left by a failed test is
# stopped first).
start_holder () {
	if test -n "$HOLDER_PID"; then
		kill -s TERM $HOLDER_PID 2>/dev/null
		wait $HOLDER_PID
	fi
	bash holder.sh $HTTP_PORT $ORIGIN_PORT "$1" "$2" &
	HOLDER_PID=$!
	test_atexit "kill -s TERM $HOLDER_PID 2>/dev/null"
}

# stop_holder: SIGTERM, then its exit status.
stop_holder () {
	kill -s TERM $HOLDER_PID &&
	wait $HOLDER_PID &&
	HOLDER_PID=
}

# origin_saw_close PATH: the origin's connection that asked for PATH has
# been closed by its peer (the node, on the hub's word).
origin_saw_close () {
	osc_peer=$(sed -n "s|^origin: \\([^ ]*\\) GET [^ ]*$1\$|\\1|p" \
		"$TRASH_DIRECTORY/$ORIGIN_NAME.err" | tail -n 1) &&
	test -n "$osc_peer" &&
	grep "^origin: $osc_peer: \\(closed by peer\\|error\\)" \
		"$TRASH_DIRECTORY/$ORIGIN_NAME.err"
}

test_expect_success 'setup: hub, node, origin' '
	start_origin &&
	start_hub &&
	start_node n1 &&
	px http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	# The client that never reads is bash on /dev/tcp.
	if bash -c "exec 3<>/dev/tcp/127.0.0.1/$HTTP_PORT" </dev/null
	then
		test_set_prereq BASH_DEVTCP
	fi
'

test_expect_success '3 interim responses reach the client, then the 200 and its body' '
	px -v http://127.0.0.1:$ORIGIN_PORT/flood1xx/3 >out 2>err &&
	cat err &&
	test $(grep -c "^< HTTP/1\.1 100 Continue" err) = 3 &&
	grep "^< HTTP/1\.1 200 " err &&
	grep "^flood1xx: final response body\$" out
'

test_expect_success '16 interim responses are still forwarded' '
	px -v http://127.0.0.1:$ORIGIN_PORT/flood1xx/16 >out 2>err &&
	test $(grep -c "^< HTTP/1\.1 100 Continue" err) = 16 &&
	grep "^< HTTP/1\.1 200 " err &&
	grep "^flood1xx: final response body\$" out
'

test_expect_success '17 interim responses: 502 "too many 1xx", logged' '
	px -v http://127.0.0.1:$ORIGIN_PORT/flood1xx/17 >out 2>err &&
	cat err out &&
	test $(grep -c "^< HTTP/1\.1 100 Continue" err) = 16 &&
	grep "^< HTTP/1\.1 502 " err &&
	! grep "^< HTTP/1\.1 200 " err &&
	grep "too many 1xx" out &&
	! grep "final response body" out &&
	wait_for_log "$HUB_LOG" "sent more than 16 interim responses" 5
'

test_expect_success 'HTTP/1.0 client: interim heads dropped but still counted' '
	px -0 -v http://127.0.0.1:$ORIGIN_PORT/flood1xx/3 >out 2>err &&
	! grep "^< HTTP/1\.[01] 100" err &&
	grep "^flood1xx: final response body\$" out &&
	px -0 -v http://127.0.0.1:$ORIGIN_PORT/flood1xx/17 >out 2>err &&
	grep "^< HTTP/1\.[01] 502 " err &&
	grep "too many 1xx" out
'

test_expect_success 'the hub still serves after the 502s' '
	px http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success BASH_DEVTCP 'endless 1xx to a client that never reads: 502 and close, memory flat' '
	rss0=$(rss_kb $HUB_PID) && test -n "$rss0" &&
	logged=$(grep -c "sent more than 16 interim" "$HUB_LOG"; :) &&
	start_holder /flood1xx-forever resp.forever &&
	watch_rss 150 origin_saw_close /flood1xx-forever &&
	echo "hub VmRSS: $rss0 kB before, at most $RSS_MAX kB during the flood" &&
	test $((RSS_MAX - rss0)) -lt 4096 &&
	wait_for_count "$HUB_LOG" "sent more than 16 interim" $((logged + 1)) 5 &&
	wait_until 5 origin_saw_close /flood1xx-forever &&
	stop_holder &&
	test $(grep -c "^HTTP/1\.1 100 Continue" resp.forever) = 16 &&
	grep "^HTTP/1\.1 502 " resp.forever &&
	grep "too many 1xx" resp.forever
'

test_expect_success BASH_DEVTCP '16 interim heads to a client that does not read for 3 s: memory flat' '
	rss0=$(rss_kb $HUB_PID) && test -n "$rss0" &&
	start_holder /flood1xx/16 resp.16 &&
	wait_until 5 grep "GET [^ ]*/flood1xx/16\$" \
		"$TRASH_DIRECTORY/$ORIGIN_NAME.err" &&
	watch_rss 150 &&
	echo "hub VmRSS: $rss0 kB before, at most $RSS_MAX kB while not reading" &&
	test $((RSS_MAX - rss0)) -lt 4096 &&
	stop_holder &&
	test $(grep -c "^HTTP/1\.1 100 Continue" resp.16) = 16 &&
	grep "^HTTP/1\.1 200 " resp.16 &&
	grep "^flood1xx: final response body" resp.16
'

test_expect_success 'the hub still serves; no relays left; clean stops' '
	px http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_until 5 info_no_relays &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	stop_daemon $ORIGIN_PID
'

test_done
