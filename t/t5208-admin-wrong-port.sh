#!/bin/sh
test_description='admin commands sent to a node port, and a node sent to
the admin port: each side says which port it met; the hub does not log an
admin client as a node that does not speak TLS'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a TLS hub with its admin channel on a TCP port, a node' '
	start_hub -admin 127.0.0.1:0 &&
	ADMIN_PORT=${ADMIN_SOCK##*:} &&
	test -n "$ADMIN_PORT" &&
	start_node n1
'

test_expect_success 'info -admin CONTROL-PORT: the client says it is a node port' '
	test_expect_code 1 "$TENTACLE" info -admin 127.0.0.1:$CONTROL_PORT \
		2>err &&
	cat err &&
	grep "127\.0\.0\.1:$CONTROL_PORT answers in TLS: that is one of the hub.s node ports (control or data), not its admin port; give -admin the admin= address" err
'

test_expect_success '... and the hub logs an admin client, not a node' '
	wait_for_log "$HUB_LOG" "control 127\.0\.0\.1:[0-9]*: not a node: an admin client (tentacle info, drain, undrain, redial) came to a node port" &&
	! grep "the node does not speak TLS" "$HUB_LOG"
'

test_expect_success 'drain -admin DATA-PORT: the same on the data port' '
	test_expect_code 1 "$TENTACLE" drain -admin 127.0.0.1:$DATA_PORT n1 \
		2>err &&
	grep "answers in TLS: that is one of the hub.s node ports" err &&
	wait_for_log "$HUB_LOG" "data 127\.0\.0\.1:[0-9]*: .*not a node: an admin client" &&
	! grep "the node does not speak TLS" "$HUB_LOG"
'

test_expect_success 'a node whose -server is the admin port: both sides say so' '
	spawn_node lost -server 127.0.0.1:$ADMIN_PORT \
		-state-dir "$TRASH_DIRECTORY/lost" &&
	wait_for_log "$NODE_LOG" "the server answered in HTTP: not a hub.s control port (its admin port?); nodes connect to the control port\|the hub closed the connection during the TLS handshake (wrong port" &&
	! grep "does not speak TLS\|reset by peer" "$NODE_LOG" &&
	stop_daemon $NODE_PID
'

test_expect_success 'the right port still answers' '
	"$TENTACLE" info -admin 127.0.0.1:$ADMIN_PORT >out &&
	grep "^1  *n1 " out
'

test_done
