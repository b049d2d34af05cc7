#!/bin/sh
test_description='node bind: outgoing target connections from a chosen
source address (multi-address hosts; the fleet tests use it)'
. "$(dirname "$0")/test-lib.sh"
# Nodes bind 127.0.0.N: the hub takes them with a token only.
use_tokens || error "cannot make a token"

test_have_prereq CURL || test_skip_all 'curl not found'

test_expect_success 'setup: hub, origin, a node bound to 127.0.0.5' '
	start_origin &&
	start_hub &&
	start_node b5 -bind 127.0.0.5
'

test_expect_success 'the origin sees the bound source address' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/peer >out &&
	grep "^peer=127\.0\.0\.5:" out
'

test_expect_success 'bind: in the config file works the same' '
	stop_daemon $NODE_PID &&
	printf "bind: 127.0.0.6\n" >bind.conf &&
	start_node b6 -config bind.conf -allow 127.0.0.0/8,::1 &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/peer >out &&
	grep "^peer=127\.0\.0\.6:" out
'

test_expect_success IPV6 'a target of the other family: network unreachable (0x03)' '
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT ::1 $ORIGIN_PORT 2>rep &&
	grep "^REP 0x03" rep
'

test_expect_success 'a -bind that is not an address is a usage error' '
	test_expect_code 2 "$TENTACLE" start -server 127.0.0.1:1 \
		-bind not-an-address -log none 2>err &&
	grep "not-an-address" err
'

test_expect_success 'the hub still serves' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_done
