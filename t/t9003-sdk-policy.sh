#!/bin/sh
#
# t9003-sdk-policy: the host policy libtentacle enforces (t/sdk/policy.c):
# without consent not one connection reaches the hub (a listener of the
# program's own counts them), with consent it connects, withdrawn it
# stops; need_unmetered on a metered network pauses the node ("metered
# network", which the hub shows in `tentacle info`), need_charging,
# need_screen_off, min_battery_pct, an hours mask without this hour and
# max_relays do too; bytes_per_day stops sharing at the cap within one
# read (64 KiB); rate_down and rate_up are met within 10 %.
#
test_description='libtentacle host policy'
. "$(dirname "$0")/test-lib.sh"

test -x "$SDK/policy" || error "$SDK/policy not built (make test-programs)"

test_expect_success 'no consent: no connection to the hub; consent: one' '
	sdk consent policy consent
'

test_expect_success 'a hub and an origin' '
	start_hub &&
	HUB=127.0.0.1:$CONTROL_PORT FP=$(hub_fp) &&
	test -n "$FP" &&
	start_origin
'

test_expect_success 'need_unmetered, need_charging, need_screen_off, min_battery_pct, hours, max_relays' '
	rm -f go &&
	SDK_HOLD=$TRASH_DIRECTORY/go sdk rules policy rules "$HUB" "$FP" \
		$SOCKS_PORT $ORIGIN_PORT >rules.show &
	pid=$! &&
	wait_for_log "$TRASH_DIRECTORY/rules.out" "^# holding" 30 &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.paused 2>&1
	info_rc=$?
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.paused.json 2>&1
	: >go &&
	wait $pid
	rc=$?
	cat rules.show info.paused info.paused.json &&
	test $rc = 0 &&
	test $info_rc = 0
'

# The node told the hub (STATUS, doc/protocol.md) and stayed joined.
test_expect_success 'the hub lists the paused node with the reason' '
	grep "^[0-9]*  *rules  *default  *paused " info.paused &&
	grep "node [0-9]* (rules) paused by host policy: metered network" \
		info.paused &&
	tr -d "\n" <info.paused.json >info.flat &&
	grep "\"name\": *\"rules\"" info.flat &&
	grep "\"state\": *\"paused\"" info.flat &&
	grep "\"paused_reason\": *\"metered network\"" info.flat
'

test_expect_success 'bytes_per_day: paused at the cap, within one read' '
	sdk bytecap policy bytecap "$HUB" "$FP" $SOCKS_PORT $ORIGIN_PORT &&
	grep "overshoot" bytecap.out
'

test_expect_success 'rate_down and rate_up within 10 %' '
	sdk rate policy rate "$HUB" "$FP" $SOCKS_PORT $ORIGIN_PORT &&
	grep "rate_down .* measured" rate.out &&
	grep "rate_up .* B/s" rate.out
'

test_expect_success 'consent withdrawn under a relay: draining for grace_ms, then cut and waiting' '
	sdk drain policy drain "$HUB" "$FP" $SOCKS_PORT $ORIGIN_PORT &&
	grep "draining, then waiting after" drain.out
'

test_expect_success 'the day'"'"'s count outlives the node: the usage file, a cap carried over' '
	mkdir -p ust &&
	sdk usage policy usage "$HUB" "$FP" $SOCKS_PORT $ORIGIN_PORT "$PWD/ust" &&
	grep "second node, same name and state_dir: starts at" usage.out &&
	grep "^day [0-9]\{8\} [0-9]*$" ust/usage-usage &&
	grep "^month [0-9]\{6\} [0-9]*$" ust/usage-usage
'

test_done
