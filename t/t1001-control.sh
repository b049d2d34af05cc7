#!/bin/sh
test_description='control link: heartbeat eviction, node and hub restarts'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: hub with a 200ms heartbeat, one node' '
	start_origin &&
	start_hub -heartbeat 200ms &&
	start_node n1 &&
	info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'heartbeats keep an idle node registered' '
	wait_until 2 info_rtt_seen &&
	info_has_nodes 1 &&
	test $(grep -c "node ready" "$NODE_LOG") = 1
'

test_expect_success 'a frozen node (SIGSTOP) is evicted within 3 intervals' '
	kill -s STOP $NODE_PID_n1 &&
	wait_until 3 info_has_nodes 0
'

test_expect_success 'no node online: SOCKS REP 0x01 while it is gone' '
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT 2>rep &&
	grep "^REP 0x01" rep
'

test_expect_success 'the node, continued, reconnects by itself' '
	kill -s CONT $NODE_PID_n1 &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" 2 10 &&
	wait_until 3 info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'a killed node (SIGKILL) is dropped' '
	kill_daemon $NODE_PID_n1 KILL &&
	wait_until 3 info_has_nodes 0
'

test_expect_success 'a node stopped with SIGTERM says BYE and leaves at once' '
	start_node n2 &&
	info_has_nodes 1 &&
	stop_daemon $NODE_PID_n2 &&
	info_has_nodes 0
'

test_expect_success 'hub stopped and restarted: the node reconnects by itself' '
	start_node n3 &&
	hub_serves_socks &&
	OLD_CONTROL=$CONTROL_PORT && OLD_DATA=$DATA_PORT &&
	stop_daemon $HUB_PID &&
	start_hub -heartbeat 200ms -controlAddr 127.0.0.1:$OLD_CONTROL \
		-tunnelAddr 127.0.0.1:$OLD_DATA &&
	test $CONTROL_PORT = $OLD_CONTROL &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n3)" 2 10 &&
	info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'hub killed (SIGKILL) and restarted: the node reconnects' '
	kill_daemon $HUB_PID KILL &&
	start_hub -heartbeat 200ms -controlAddr 127.0.0.1:$OLD_CONTROL \
		-tunnelAddr 127.0.0.1:$OLD_DATA &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n3)" 3 10 &&
	hub_serves_socks
'

test_expect_success 'a frozen hub is detected by the node, which re-registers' '
	pat="timeout\|timed out\|silent\|lost\|reconnect\|retry" &&
	c0=$(grep -c "$pat" "$NODE_LOG" || true) &&
	kill -s STOP $HUB_PID &&
	wait_for_count "$NODE_LOG" "$pat" $((c0 + 1)) 5 ;
	r=$? &&
	kill -s CONT $HUB_PID &&
	test $r = 0 &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n3)" 4 10 &&
	wait_until 3 info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'the node survived all of it in one process' '
	daemon_alive $NODE_PID_n3 &&
	stop_daemon $NODE_PID_n3 &&
	stop_daemon $HUB_PID
'

test_done
