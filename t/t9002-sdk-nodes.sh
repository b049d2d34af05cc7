#!/bin/sh
#
# t9002-sdk-nodes: libtentacle nodes with traffic (t/sdk/nodes.c): two
# nodes in one process, each on its own hub, each request exits through
# the node of the hub it came to (the nodes' byte counters say so); and
# tentacle_node_stop() from another thread while four relays run (two
# bulk downloads from t/helper/origin, two slow ones) returns, closes
# them, and leaves no descriptor and, in the san/ build, no leak; and
# set_policy() from two threads with status() from a third under traffic.
#
test_description='libtentacle: two nodes, stop under load'
. "$(dirname "$0")/test-lib.sh"

test -x "$SDK/nodes" || error "$SDK/nodes not built (make test-programs)"

test_expect_success 'two hubs and an origin' '
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" -admin "$TRASH_DIRECTORY/a.sock" &&
	HUB1=127.0.0.1:$CONTROL_PORT FP1=$(hub_fp) SOCKS1=$SOCKS_PORT &&
	HUB1_LOG=$HUB_LOG DATA1=$DATA_PORT &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubB" -admin "$TRASH_DIRECTORY/b.sock" &&
	HUB2=127.0.0.1:$CONTROL_PORT FP2=$(hub_fp) SOCKS2=$SOCKS_PORT &&
	HUB2_LOG=$HUB_LOG &&
	test -n "$FP1" && test -n "$FP2" && test "$FP1" != "$FP2" &&
	start_origin
'

test_expect_success 'two nodes in one process, one per hub: each request exits at its hub'"'"'s node' '
	sdk two nodes two "$HUB1" "$FP1" $SOCKS1 "$HUB2" "$FP2" $SOCKS2 \
		$ORIGIN_PORT &&
	grep "node [0-9]* (n1) joined from" "$HUB1_LOG" &&
	grep "node [0-9]* (n2) joined from" "$HUB2_LOG" &&
	! grep "(n2) joined from" "$HUB1_LOG" &&
	! grep "(n1) joined from" "$HUB2_LOG"
'

test_expect_success 'stop() from another thread while relays run' '
	SDK_DATA_PORT=$DATA1 sdk stopload nodes stopload "$HUB1" "$FP1" $SOCKS1 $ORIGIN_PORT &&
	grep "returned after" stopload.out
'

test_expect_success 'set_policy() from two threads, status() from a third, under traffic' '
	sdk hammer nodes hammer "$HUB2" "$FP2" $SOCKS2 $ORIGIN_PORT &&
	grep "set_policy calls" hammer.out
'

test_expect_success 'the hub still serves' '
	ADMIN_SOCK=$TRASH_DIRECTORY/a.sock &&
	wait_until 10 info_has_nodes 0 &&
	SOCKS_PORT=$SOCKS1 CONTROL_PORT=${HUB1##*:} &&
	start_node n3 -fingerprint "$FP1" &&
	hub_serves_socks
'

test_done
