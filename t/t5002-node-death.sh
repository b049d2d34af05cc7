#!/bin/sh
test_description='a node killed mid-transfer: the client sees the end, the
hub keeps serving'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# start_slow_download NAME CURL-ARGS...: background curl of a 4 s /slow
# stream into NAME.body, exit status into NAME.rc.
start_slow_download () {
	ssd_name=$1
	shift
	rm -f $ssd_name.body $ssd_name.rc
	{
		tcurl "$@" -o $ssd_name.body \
			http://127.0.0.1:$ORIGIN_PORT/slow/2000000/200 \
			2>$ssd_name.err
		echo $? >$ssd_name.rc
	} &
	DL_PID=$!
}

# kill_mid_transfer NAME: once bytes arrived, SIGKILL the node; curl ends
# with an error well before the stream would have.
kill_mid_transfer () {
	wait_until 5 test -s $1.body &&
	! test -f $1.rc &&
	kill_daemon $NODE_PID KILL &&
	wait_until 5 test -f $1.rc &&
	wait $DL_PID &&
	echo "curl exit $(cat $1.rc): $(cat $1.err)" &&
	test "$(cat $1.rc)" != 0 &&
	test $(wc -c <$1.body) -lt 2000000
}

test_expect_success 'setup: hub, node, origin' '
	start_origin &&
	start_hub -heartbeat 200ms &&
	start_node n1 &&
	hub_serves
'

test_expect_success 'SOCKS: node killed mid-transfer, the client sees the end' '
	start_slow_download socks --socks5-hostname 127.0.0.1:$SOCKS_PORT &&
	kill_mid_transfer socks
'

test_expect_success 'the dead node is dropped; a new node serves' '
	wait_until 3 info_has_nodes 0 &&
	start_node n2 &&
	hub_serves
'

test_expect_success 'HTTP absolute-form: node killed mid-transfer' '
	start_slow_download http -x http://127.0.0.1:$HTTP_PORT &&
	kill_mid_transfer http
'

test_expect_success 'HTTP CONNECT: node killed mid-transfer' '
	start_node n3 &&
	start_slow_download connect -p -x http://127.0.0.1:$HTTP_PORT &&
	kill_mid_transfer connect
'

test_expect_success 'node stopped (SIGTERM) mid-transfer: the relay finishes' '
	start_node n4 &&
	start_slow_download graceful --socks5-hostname 127.0.0.1:$SOCKS_PORT &&
	wait_until 5 test -s graceful.body &&
	kill -s TERM $NODE_PID &&
	wait_until 10 test -f graceful.rc &&
	wait $DL_PID &&
	cat graceful.err &&
	test "$(cat graceful.rc)" = 0 &&
	"$ORIGIN" -gen 2000000 | cmp - graceful.body &&
	stop_daemon $NODE_PID
'

test_expect_success 'client gone mid-transfer: the relay is torn down' '
	start_node n5 &&
	start_slow_download gone --socks5-hostname 127.0.0.1:$SOCKS_PORT &&
	wait_until 5 test -s gone.body &&
	pkill_curl=$(ps -o pid= --ppid $DL_PID 2>/dev/null | head -n 1) &&
	test -n "$pkill_curl" &&
	kill $pkill_curl &&
	wait $DL_PID ;
	wait_until 5 info_no_relays
'

test_expect_success 'the hub keeps serving' '
	hub_serves &&
	info_has_nodes 1
'

test_done
