#!/bin/sh
test_description='a node cannot grow the hub: PINGs past a sane rate are
a protocol error, and a control link whose unread backlog passes its bound
is closed (issue 9 item 4)'
. "$(dirname "$0")/test-lib.sh"

FAKENODE=$TENTACLE_HELPERS/fakenode

test_expect_success 'setup: plaintext hub, a real node, origin' '
	start_origin &&
	start_hub -insecure &&
	start_node n1 -insecure &&
	hub_serves
'

test_expect_success 'a node that floods PINGs and never reads is cut; hub RSS stays flat' '
	rss0=$(rss_kb $HUB_PID) &&
	{ "$FAKENODE" -F -n flood -T 10 $CONTROL_PORT >fake.out & } &&
	FN=$! &&
	peak=$rss0 &&
	i=0 &&
	while test $i -lt 100 && daemon_alive $FN; do
		r=$(rss_kb $HUB_PID) &&
		if test "$r" -gt "$peak"; then peak=$r; fi
		test_tick_
		i=$((i + 1))
	done &&
	wait $FN &&
	cat fake.out &&
	grep "^flood closed after [0-9]* pings" fake.out &&
	echo "hub VmRSS: $rss0 kB before, at most $peak kB during the flood" &&
	test $peak -le $((rss0 + 4096)) &&
	grep "node [0-9]* (flood) left: protocol error: PING flood" "$HUB_LOG"
'

test_expect_success 'the real node was never touched, the hub serves, info counts it' '
	! grep "node [0-9]* (n1) left" "$HUB_LOG" &&
	hub_serves &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"nodes_flooding\":1" info.json
'

test_expect_success 'a node with a 50 ms heartbeat is no flood' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure -heartbeat 50ms &&
	start_node n2 -insecure &&
	sleep 2 &&
	hub_serves &&
	! grep "PING flood" "$HUB_LOG"
'

test_done
