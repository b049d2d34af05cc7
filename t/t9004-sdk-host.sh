#!/bin/sh
#
# t9004-sdk-host: sdk/examples/host, the C example host: it joins a hub
# with a token and a pinned key, prints its state changes, and on SIGINT
# (its own signal handling: the library installs none) leaves the hub and
# exits 0; a bad address is one line on stderr and exit 1.
#
test_description='libtentacle example host'
. "$(dirname "$0")/test-lib.sh"

HOST=
for d in "${TENTACLE_BUILD:-}" "$TENTACLE_SRC"; do
	if test -n "$d" && test -x "$d/sdk/examples/host"; then
		HOST=$d/sdk/examples/host
		break
	fi
done
test -n "$HOST" || error "sdk/examples/host not built (make)"

test_expect_success 'a hub that wants tokens' '
	use_tokens &&
	start_hub &&
	FP=$(hub_fp) &&
	test -n "$FP"
'

test_expect_success 'the host joins, and stops on SIGINT' '
	bg_start host "$HOST" 127.0.0.1:$CONTROL_PORT "$NODE_TOKEN" "$FP" \
		example &&
	pid=$BG_PID &&
	wait_for_log host.out "^node: sharing" 15 &&
	wait_for_log "$HUB_LOG" "node [0-9]* (example) joined from" &&
	kill -s INT $pid &&
	reap $pid 15 &&
	cat host.out host.err &&
	test "$REAPED" = 0 &&
	grep "^node: stopped" host.out &&
	grep "^host: Interrupt" host.out &&
	wait_for_log "$HUB_LOG" "node [0-9]* (example) left"
'

test_expect_success 'a wrong token: the hub refuses, the host shows the failed state' '
	bg_start host2 "$HOST" 127.0.0.1:$CONTROL_PORT "$("$TENTACLE" token)" \
		"$FP" example2 &&
	pid=$BG_PID &&
	wait_for_log "$HUB_LOG" "example2" 15 &&
	kill -s TERM $pid &&
	reap $pid 15 &&
	cat host2.out host2.err &&
	test "$REAPED" = 0 &&
	grep "^node: failed: .*authentication failed" host2.out &&
	! grep "^node: sharing" host2.out
'

test_expect_success 'a bad hub address: a message, exit 1' '
	test_expect_code 1 "$HOST" nowhere "$NODE_TOKEN" "$FP" >bad.out 2>bad.err &&
	cat bad.err &&
	grep "^host: " bad.err &&
	test_cmp /dev/null bad.out
'

test_done
