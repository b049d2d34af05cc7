#!/bin/sh
test_description='SOCKS5 front: every REP code the hub can give'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: hub with no node, a closed port' '
	start_origin &&
	CLOSED_PORT=$ORIGIN_PORT &&
	stop_daemon $ORIGIN_PID &&
	start_origin &&
	start_hub -dial-timeout 1s
'

test_expect_success 'no exit node online: REP 0x01' '
	rep_is 0x01 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT
'

test_expect_success 'no exit node online: curl fails cleanly' '
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small
'

test_expect_success 'setup: a node' '
	start_node n1 &&
	hub_serves_socks
'

test_expect_success 'connection refused: REP 0x05' '
	rep_is 0x05 $SOCKS_PORT 127.0.0.1 $CLOSED_PORT
'

test_expect_success 'connection refused by name: REP 0x05' '
	rep_is 0x05 $SOCKS_PORT localhost $CLOSED_PORT
'

test_expect_success 'name does not resolve (.invalid): REP 0x04' '
	rep_is 0x04 $SOCKS_PORT no-such-host.invalid 80
'

test_expect_success 'BIND: REP 0x07' '
	rep_is 0x07 -c 2 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT
'

test_expect_success 'UDP ASSOCIATE: REP 0x07' '
	rep_is 0x07 -c 3 $SOCKS_PORT 127.0.0.1 0
'

test_expect_success 'unknown command 9: REP 0x07' '
	rep_is 0x07 -c 9 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT
'

test_expect_success 'bad address type: REP 0x08' '
	rep_is 0x08 -a 9 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT
'

# Version 4 is SOCKS4 now (t2102); 6 is no SOCKS at all.
test_expect_success 'wrong SOCKS version: closed without a reply' '
	test_expect_code 3 "$SOCKSC" -n -V 6 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT 2>rep &&
	grep "^CLOSED" rep
'

test_expect_success 'port 0: refused by the hub or the node, not a crash' '
	"$SOCKSC" -n $SOCKS_PORT 127.0.0.1 0 2>rep ;
	cat rep &&
	grep "^REP 0x0[1-8]\|^CLOSED" rep &&
	! grep "^REP 0x00" rep
'

test_expect_success 'the hub still serves after the errors' '
	hub_serves_socks
'

test_expect_success 'dial timeout (node frozen, -dial-timeout 1s): REP 0x06' '
	kill -s STOP $NODE_PID &&
	rep_is 0x06 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT ;
	r=$? &&
	kill -s CONT $NODE_PID &&
	test $r = 0
'

test_expect_success 'the late dial result is dropped; the hub still serves' '
	hub_serves_socks &&
	hub_serves_socks
'

test_expect_success 'node without -allow: loopback target refused, REP 0x02' '
	stop_daemon $NODE_PID &&
	wait_until 5 info_has_nodes 0 &&
	NODE_ALLOW= start_node strict &&
	rep_is 0x02 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT
'

test_expect_success 'node without -allow: a name resolving to loopback, REP 0x02' '
	rep_is 0x02 $SOCKS_PORT localhost $ORIGIN_PORT
'

test_expect_success 'node without -allow: 0.0.0.0 (this host), REP 0x02' '
	rep_is 0x02 $SOCKS_PORT 0.0.0.0 $ORIGIN_PORT
'

test_expect_success IPV6 'node without -allow: ::1 refused, REP 0x02' '
	rep_is 0x02 $SOCKS_PORT ::1 $ORIGIN_PORT
'

test_expect_success 'node without -allow: curl is refused too' '
	test_must_fail tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small
'

test_expect_success 'info counts the failed dials' '
	info_flat_now >flat &&
	grep "\"dials_failed\":[1-9]" flat
'

test_done
