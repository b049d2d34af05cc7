#!/bin/sh
test_description='node and pool names the user name syntax cannot route
(a "-": USER-node-NAME uses "-" between its keys): a -name, name: or pool
with one is refused at start with the reason; the default name from a host
name like my-router becomes my_router, said at start, and routes; a hub
warns about such a name from an older node (fakenode) and serves it.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
FAKENODE=$TENTACLE_HELPERS/fakenode
test -x "$FAKENODE" || error "helper not found: $FAKENODE (run make)"
# A UTS namespace of our own, for a host name with a '-'.
if test "$(id -u)" = 0; then utsns="unshare -u"; else utsns="unshare -ru"; fi
if $utsns true 2>/dev/null; then
	test_set_prereq UTSNS
fi

test_expect_success 'setup: an origin and a hub' '
	start_origin &&
	start_hub
'

test_expect_success '-name my-node is refused at start, saying why' '
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-name my-node -log none 2>err &&
	cat err &&
	grep -F "node name \"my-node\": use 1-63 of A-Z a-z 0-9 . _ (no '"'"'-'"'"': the proxy user name USER-node-NAME uses" err
'

test_expect_success 'name: my-node in the config file: the same' '
	echo "name: my-node" >n.conf &&
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-config n.conf -log none 2>err &&
	cat err &&
	grep -F "node name \"my-node\": use 1-63 of A-Z a-z 0-9 . _" err
'

test_expect_success 'a pool my-pool (argument or pools:) is refused too' '
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-name ok -log none eu my-pool 2>err &&
	cat err &&
	grep -F "pool name \"my-pool\": use 1-31 of A-Z a-z 0-9 . _ (no" err &&
	echo "pools: eu, my-pool" >p.conf &&
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-name ok -config p.conf -log none 2>err &&
	cat err &&
	grep -F "p.conf:1: pool name \"my-pool\": use 1-31" err
'

NODE_LOG=$TRASH_DIRECTORY/node.host.log
test_expect_success UTSNS 'host name my-router: node name my_router, said in the log' '
	$utsns sh -c "hostname my-router && exec \"\$0\" \"\$@\"" \
		"$TENTACLE" start -server 127.0.0.1:$CONTROL_PORT \
		-allow 127.0.0.0/8 -log "$NODE_LOG" \
		>node.host.out 2>node.host.err </dev/null &
	NODE_PID=$! &&
	register_daemon_ $NODE_PID node.host &&
	wait_for_ready_ "$NODE_LOG" "node ready: node [0-9]* (my_router) connected" \
		$NODE_PID node.host &&
	grep -F "node name \"my_router\" from the host name \"my-router\" (a '"'"'-'"'"' cannot be routed): route to it as -node-my_router" "$NODE_LOG" 
'

test_expect_success UTSNS 'and -node-my_router routes to it' '
	tcurl -o out --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		-U u-node-my_router:x http://127.0.0.1:$ORIGIN_PORT/small &&
	grep "quick brown fox" out &&
	grep "connected via node [0-9]* (my_router)" "$HUB_LOG"
'

test_expect_success 'an older node named old-node: served, the hub warns' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure &&
	"$FAKENODE" -n old-node -p eu-west -T 2 $CONTROL_PORT >fake.out;
	cat fake.out &&
	grep "^welcome node=" fake.out &&
	id=$(sed -n "s/^welcome node=\([0-9]*\).*/\1/p" fake.out) &&
	grep "node $id (old-node) from 127.0.0.1:[0-9]*: its name has a character the user name syntax cannot route (-node-old-node is refused); route with -node-$id" "$HUB_LOG" &&
	grep "node $id from 127.0.0.1:[0-9]*: pool \"eu-west\" cannot be selected" "$HUB_LOG" &&
	test $(grep -c "(old-node) from .*its name has a character" "$HUB_LOG") = 1
'

test_done
