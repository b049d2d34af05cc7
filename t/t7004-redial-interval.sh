#!/bin/sh
test_description='a redial: line makes the hub redial the node every
-redial-interval: the first interval redial of a node is logged with why'
. "$(dirname "$0")/test-lib.sh"

T=$TRASH_DIRECTORY

test_expect_success 'setup: hub -redial-interval 1s, a node with redial:, one without' '
	printf "redial: \"echo redialed\"\nredial_min_interval: 0s\n" >r1.conf &&
	printf "pool_size: 0\n" >n2.conf &&
	start_hub -redial-interval 1s -redial-grace 1s &&
	start_node r1 -config "$T/r1.conf" &&
	start_node n2 -config "$T/n2.conf"
'

test_expect_success 'the first interval redial says why and how to stop it' '
	wait_for_log "$HUB_LOG" "redialing node [0-9]* (r1) because -redial-interval is 1s" &&
	grep "redialing node [0-9]* (r1) because -redial-interval is 1s and the node has a redial action (redial: or dial_info: in its config); set -redial-interval 0 to redial only on .tentacle redial." "$HUB_LOG"
'

test_expect_success 'later interval redials do not repeat it; a node without redial: never' '
	wait_for_count "$HUB_LOG" "(r1) is back .* after its redial (interval)" 2 15 &&
	test $(grep -c "because -redial-interval is" "$HUB_LOG") = 1 &&
	! grep "(n2).*redial" "$HUB_LOG"
'

test_expect_success 'an operator redial first does not swallow the line' '
	stop_daemon $HUB_PID &&
	start_hub -redial-interval 4s -redial-grace 1s &&
	start_node r3 -config "$T/r1.conf" &&
	"$TENTACLE" redial r3 &&
	wait_for_log "$HUB_LOG" "(r3) is back .* after its redial (operator)" &&
	! grep "(r3) because -redial-interval" "$HUB_LOG" &&
	wait_for_log "$HUB_LOG" "redialing node [0-9]* (r3) because -redial-interval is 4s" 15
'

test_done
