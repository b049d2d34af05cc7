#!/bin/sh
test_description='a hub may point a node'"'"'s data links only at its own
address, an address the node'"'"'s exit policy allows, or one the node'"'"'s
operator named (data_addr:); anything else is refused, the control link
stays (issue 9 item 2).  In a network namespace with only lo up.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

# svc_seen: connections the node-side service (origin -a 127.0.0.2) took.
svc_seen () {
	grep -c "^origin: accept" "$TRASH_DIRECTORY/$SVC_NAME.err"
}

# socks_fails: a request through the hub fails (REP 1: the node could not
# open a data link), and the hub is told why.
socks_fails () {
	"$SOCKSC" -n -T 10 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT 2>rep
	grep "^REP 0x01$" rep
}

test_expect_success 'setup: an origin, and a service on the node'"'"'s loopback (127.0.0.2)' '
	start_origin &&
	start_origin -a 127.0.0.2 -echo &&
	SVC_NAME=$ORIGIN_NAME && SVC_PORT=$ORIGIN_PORT &&
	start_origin &&
	test "$(svc_seen)" = 0
'

for mode in tls insecure; do
	flag=
	test $mode = insecure && flag=-insecure

	test_expect_success "$mode: WELCOME pointing data links at 127.0.0.2: refused" '
		start_hub $flag -tunnel-advertise 127.0.0.2:$SVC_PORT &&
		NODE_ALLOW= start_node n1 $flag -pool-size 4 &&
		wait_for_log "$NODE_LOG" "tells this node to open its data links to 127.0.0.2:$SVC_PORT, which is neither the hub.s own address nor allowed (loopback 127.0.0.0/8): refusing" &&
		socks_fails &&
		sleep 1 &&
		test "$(svc_seen)" = 0 &&
		! grep "node [0-9]* (n1) left" "$HUB_LOG" &&
		info_has_nodes 1
	'

	test_expect_success "$mode: the hub is told why, the node keeps its control link" '
		wait_for_log "$NODE_LOG" "failed: the hub.s data address is not allowed" &&
		info_has_nodes 1 &&
		stop_daemon $NODE_PID &&
		stop_daemon $HUB_PID
	'
done

test_expect_success 'data_addr: names it: the node opens its links there' '
	start_hub -insecure -tunnel-advertise 127.0.0.2:$SVC_PORT &&
	NODE_ALLOW= start_node n1 -insecure -pool-size 1 \
		-data-addr 127.0.0.2:$SVC_PORT &&
	wait_until 5 test "$(svc_seen)" -ge 1 &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_expect_success 'data_addr: another port of the same host does not' '
	start_hub -insecure -tunnel-advertise 127.0.0.2:$SVC_PORT &&
	seen=$(svc_seen) &&
	NODE_ALLOW= start_node n1 -insecure -pool-size 1 \
		-data-addr 127.0.0.2:1 &&
	wait_for_log "$NODE_LOG" "refusing" &&
	sleep 1 &&
	test "$(svc_seen)" = "$seen" &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_expect_success 'the hub'"'"'s own host, any port, is fine (the usual case)' '
	start_hub &&
	NODE_ALLOW= start_node n3 -pool-size 1 &&
	wait_for_log "$HUB_LOG" "pool: node [0-9]*: idle link" &&
	! grep "refusing" "$NODE_LOG" &&
	stop_daemon $NODE_PID &&
	start_node n4 &&
	hub_serves
'

test_done
