#!/bin/sh
test_description='a node refused for its token'"'"'s name= or pools= is told
which restriction, not to check the tokens file; a node without a token is
logged by the hub at INFO'
. "$(dirname "$0")/test-lib.sh"

TOKENS=$TRASH_DIRECTORY/tokens

test_expect_success 'setup: tokens with name= and pools=, hub at INFO' '
	TOK1=$("$TENTACLE" token) &&
	TOK2=$("$TENTACLE" token) &&
	printf "%s\n" "$TOK1" "$TOK2 name=web_* pools=eu,us" >"$TOKENS" &&
	chmod 600 "$TOKENS" &&
	NODE_SERVER= &&
	start_hub -tokens "$TOKENS" -log-level INFO &&
	start_node n1 -token "$TOK1"
'

test_expect_success 'name=: the node hears which name the token allows' '
	spawn_node db1 -token "$TOK2" eu &&
	wait_for_log "$NODE_LOG" "the hub said goodbye" &&
	cat "$NODE_LOG" &&
	grep "the hub said goodbye (4: the node name \"db1\" is not allowed by its token, which allows name=web_\* only (change the node.s -name / name:, or the token.s name= on the hub))" "$NODE_LOG" &&
	! grep "check that auth_token\|tokens file" "$NODE_LOG" &&
	grep "node \"db1\" refused: the node name \"db1\" is not allowed by its token, which allows name=web_\* only .* (tokens file line 2)" "$HUB_LOG" &&
	stop_daemon $NODE_PID
'

test_expect_success 'pools=: the node hears which pool is not allowed' '
	spawn_node web_1 -token "$TOK2" eu asia &&
	wait_for_log "$NODE_LOG" "the hub said goodbye" &&
	cat "$NODE_LOG" &&
	grep "the hub said goodbye (4: the pool \"asia\" is not allowed by its token, which allows pools=eu,us only" "$NODE_LOG" &&
	! grep "check that auth_token\|tokens file" "$NODE_LOG" &&
	grep "node \"web_1\" refused: the pool \"asia\" is not allowed" "$HUB_LOG" &&
	stop_daemon $NODE_PID
'

test_expect_success 'within both restrictions the same token gets in' '
	start_node web_2 -token "$TOK2" us eu &&
	info_has_nodes 2
'

test_expect_success 'a token not in the file still points at the tokens file' '
	spawn_node bad -token "$("$TENTACLE" token)" &&
	wait_for_log "$NODE_LOG" "check that auth_token (-token) is a line of the hub.s tokens file" &&
	stop_daemon $NODE_PID
'

test_expect_success 'a node without a token: the hub logs it at INFO' '
	spawn_node nt &&
	wait_for_log "$NODE_LOG" "the hub requires node authentication" &&
	wait_for_log "$HUB_LOG" "control 127\.0\.0\.1:[0-9]*: node \"nt\" refused: it offered no token" &&
	grep "node \"nt\" refused: it offered no token and left at the challenge (this hub has -tokens: give the node auth_token or -token)" "$HUB_LOG" &&
	stop_daemon $NODE_PID
'

test_expect_success 'a node without a token retrying fast: 10 lines, then a count' '
	n0=$(grep -c "offered no token" "$HUB_LOG") &&
	c0=$(grep -c "more nodes without a token refused in the last 10 s" "$HUB_LOG"; :) &&
	spawn_node nt2 &&
	wait_for_count "$NODE_LOG" "the hub requires node authentication" 14 10 &&
	stop_daemon $NODE_PID &&
	n=$(grep -c "offered no token" "$HUB_LOG") &&
	test $((n - n0)) -le 10 &&
	wait_for_count "$HUB_LOG" "more nodes without a token refused in the last 10 s" $((c0 + 1)) 12 &&
	grep "control: [0-9]* more nodes without a token refused in the last 10 s (not logged one by one)" "$HUB_LOG"
'

test_expect_success 'name= and pools= with a - (unroutable): warned, with the line' '
	printf "%s\n" "$TOK1" "$TOK2 name=web-* pools=eu-west,us" >"$TOKENS" &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "tokens:2: name=web-\* has a .-.: node names with a .-. cannot be routed" &&
	grep "tokens:2: pools= names \"eu-west\", which has a .-." "$HUB_LOG" &&
	! grep "pools= names \"us\"" "$HUB_LOG" &&
	stop_daemon $HUB_PID &&
	start_hub -tokens "$TOKENS" -log-level INFO -pool-deny "eu-west=10.0.0.0/8" &&
	test $(grep -c "tokens:2: name=web-\* has a" "$HUB_LOG") = 1 &&
	grep "pool-deny: pool \"eu-west\" has a .-." "$HUB_LOG"
'

test_done
