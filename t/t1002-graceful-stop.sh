#!/bin/sh
test_description='graceful stop: SIGTERM on the hub closes its ports, says
BYE(shutdown) to the nodes and lets running relays finish within
-shutdown-grace; a second signal or -shutdown-grace 0 stops at once; the
node likewise; nodes are back within 2 s of a hub restart'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
if command -v python3 >/dev/null 2>&1; then
	test_set_prereq PYTHON
fi

# reap PID SECONDS: the daemon exits within SECONDS, with status 0
# (test-lib's reap, and the daemon's sanitizer report checked).
reap () {
	wait_until "$2" daemon_gone "$1" || return 1
	wait "$1"
	rp_rc=$?
	unregister_daemon_ "$1"
	check_sanitizer "$(daemon_name_ "$1")"
	test $rp_rc = 0
}

# slow PATH OUT: a download through the hub's SOCKS port, in the
# background (SLOW_PID), once the hub has its relay.
slow () {
	sl_c=$(grep -c "connected via node" "$HUB_LOG")
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		"http://127.0.0.1:$ORIGIN_PORT$1" -o "$2" 2>"$2.err" &
	SLOW_PID=$!
	wait_for_count "$HUB_LOG" "connected via node" $((sl_c + 1)) 5
}

# hub_again FLAGS: a hub on the same control and data ports as before.
hub_again () {
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 \
		"$@"
}

test_expect_success 'setup: origin, hub, node' '
	start_origin &&
	start_hub -shutdown-grace 10s &&
	CONTROL0=$CONTROL_PORT && DATA0=$DATA_PORT &&
	start_node n1 &&
	hub_serves
'

test_expect_success 'hub SIGTERM: slow downloads (SOCKS, HTTP) finish within the grace' '
	c=$(grep -c "connected via node" "$HUB_LOG") &&
	{ px http://127.0.0.1:$ORIGIN_PORT/slow/100000/100 -o http.out & } &&
	HTTP_PID=$! &&
	wait_for_count "$HUB_LOG" "connected via node" $((c + 1)) 5 &&
	slow /slow/200000/100 slow.out &&
	kill -s TERM $HUB_PID &&
	wait_for_log "$HUB_LOG" "stopping: 2 relays running, waiting up to 10s (a second signal stops now)" &&
	wait $SLOW_PID &&
	wait $HTTP_PID &&
	test $(wc -c <slow.out) = 200000 &&
	test $(wc -c <http.out) = 100000 &&
	reap $HUB_PID 5 &&
	grep "hub: all relays done: 2 relays finished, 0 cut" "$HUB_LOG" &&
	grep "relay socks .*closed (done), [0-9]* bytes up, 200[0-9]* down" "$HUB_LOG" &&
	grep "relay http .*closed (GET -> 200), [0-9]* bytes up, 100[0-9]* down" "$HUB_LOG"
'

test_expect_success 'the node heard BYE(shutdown) and retried quickly' '
	grep "the hub said goodbye (0: hub shutting down)" "$NODE_LOG" &&
	grep "goodbye (0: .*reconnecting in [2-7][0-9][0-9] ms" "$NODE_LOG"
'

test_expect_success 'during the grace the ports are closed: new clients refused' '
	hub_again -shutdown-grace 10s &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" 2 &&
	slow /slow/200000/100 slow2.out &&
	kill -s TERM $HUB_PID &&
	wait_for_log "$HUB_LOG" "stopping: 1 relays running" &&
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	test_must_fail px http://127.0.0.1:$ORIGIN_PORT/small &&
	test_must_fail "$TCPC" -T 2 $CONTROL_PORT </dev/null &&
	wait $SLOW_PID &&
	test $(wc -c <slow2.out) = 200000 &&
	reap $HUB_PID 5
'

test_expect_success 'the node is back within 2 s of the hub restarting' '
	c=$(grep -c "node ready: node [0-9]* (n1)" "$NODE_LOG") &&
	sleep 3 &&
	hub_again -shutdown-grace 10s &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" $((c + 1)) 2 &&
	hub_serves
'

test_expect_success 'a second signal stops at once and cuts the relay' '
	slow /slow/200000/500 slow3.out &&
	kill -s TERM $HUB_PID &&
	wait_for_log "$HUB_LOG" "stopping: 1 relays running" &&
	kill -s TERM $HUB_PID &&
	reap $HUB_PID 2 &&
	grep "second signal 15: stopping now" "$HUB_LOG" &&
	grep "hub: stopped at once: 0 relays finished, 1 cut" "$HUB_LOG" &&
	grep "relay socks .*closed (hub stopping)" "$HUB_LOG" &&
	! wait $SLOW_PID
'

test_expect_success '-shutdown-grace 0: the hub stops at once' '
	hub_again -shutdown-grace 0 &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" 4 &&
	slow /slow/200000/500 slow4.out &&
	kill -s TERM $HUB_PID &&
	reap $HUB_PID 2 &&
	grep "stopping: 1 relays running, cut at once (-shutdown-grace 0)" "$HUB_LOG" &&
	grep "hub: stopped: 0 relays finished, 1 cut" "$HUB_LOG" &&
	! wait $SLOW_PID
'

test_expect_success 'node SIGTERM: it leaves the hub, its relay finishes' '
	hub_again &&
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" 5 &&
	slow /slow/200000/100 slow5.out &&
	kill -s TERM $NODE_PID_n1 &&
	wait_for_log "$NODE_LOG" "node: signal 15: stopping: 1 relays running, waiting up to 10s (a second signal stops now)" &&
	wait_until 3 info_has_nodes 0 &&
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT 2>rep &&
	grep "^REP 0x01" rep &&
	wait $SLOW_PID &&
	test $(wc -c <slow5.out) = 200000 &&
	reap $NODE_PID_n1 5 &&
	grep "node: stopped: 1 relays finished, 0 cut" "$NODE_LOG"
'

test_expect_success 'node: a second signal cuts; -shutdown-grace 0 too' '
	start_node n2 -shutdown-grace 10s &&
	slow /slow/200000/500 slow6.out &&
	kill -s TERM $NODE_PID_n2 &&
	wait_for_log "$NODE_LOG" "stopping: 1 relays running" &&
	kill -s INT $NODE_PID_n2 &&
	reap $NODE_PID_n2 2 &&
	grep "node: stopped: 0 relays finished, 1 cut" "$NODE_LOG" &&
	! wait $SLOW_PID &&
	start_node n3 -shutdown-grace 0 &&
	slow /slow/200000/500 slow7.out &&
	kill -s TERM $NODE_PID_n3 &&
	reap $NODE_PID_n3 2 &&
	grep "node: stopped: 0 relays finished, 1 cut" "$NODE_LOG" &&
	! wait $SLOW_PID
'

test_expect_success 'the hub stops cleanly with no relay' '
	stop_daemon $HUB_PID &&
	grep "hub: signal 15: stopping: no relays running" "$HUB_LOG"
'

# A keep-alive HTTP client that reads slowly (a small receive buffer):
# when the hub has the whole response from the node, part of it still
# waits in the hub's output; a SIGTERM then must let it be written, not
# close the connection as an idle keep-alive one.
test_expect_success PYTHON 'hub SIGTERM: a response still being written is not cut' '
	hub_again -shutdown-grace 10s &&
	start_node n4 &&
	python3 - "$HTTP_PORT" "$ORIGIN_PORT" "$HUB_LOG" $HUB_PID \
		>unread.out <<-\EOF &&
	import os, signal, socket, sys, time
	hport, oport, log, pid = sys.argv[1:5]
	size = 8000000
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
	s.connect(("127.0.0.1", int(hport)))
	s.sendall(("GET http://127.0.0.1:%s/bytes/%d HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%s\r\n\r\n" % (oport, size, oport)).encode())
	s.settimeout(20)
	n, i, sent = 0, 0, False
	while True:
	    b = s.recv(16384)
	    if not b:
	        break
	    n += len(b)
	    i += 1
	    if not sent and i % 16 == 0 and "GET -> 200" in open(log).read():
	        os.kill(int(pid), signal.SIGTERM)
	        sent = True
	    if not sent:
	        time.sleep(0.001)
	print(sent, n >= size)
	EOF
	echo "True True" >expect &&
	test_cmp expect unread.out &&
	reap $HUB_PID 15
'

test_expect_success 'a node still in its handshake at SIGTERM hears BYE(shutdown)' '
	start_hub -insecure -shutdown-grace 10s &&
	start_node n5 -insecure &&
	slow /slow/200000/200 slow9.out &&
	{ "$TENTACLE_HELPERS/fakenode" -w 1000 -n late -T 8 $CONTROL_PORT >late.out & } &&
	FN_PID=$! &&
	wait_for_log late.out "^connected" 5 &&
	kill -s TERM $HUB_PID &&
	wait_for_log "$HUB_LOG" "stopping: 1 relays running" &&
	{ wait $FN_PID; echo "exit $?" >>late.out; } &&
	cat late.out &&
	grep "^bye 0 hub shutting down" late.out &&
	grep "^exit 3" late.out &&
	! grep "node [0-9]* (late) joined" "$HUB_LOG" &&
	wait $SLOW_PID &&
	reap $HUB_PID 5
'

test_done
