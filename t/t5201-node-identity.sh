#!/bin/sh
test_description='node identity: a name, an id and their traffic stay with
the token that proved them first (doc/security.md, issue 9 item 1); a hub
without -tokens takes nodes from 127.0.0.1 and ::1 only; admin HELLOs on
the control port are refused'
. "$(dirname "$0")/test-lib.sh"

FAKENODE=$TENTACLE_HELPERS/fakenode

# node_id NAME: the id the hub lists for node NAME.
node_id () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >ids.json &&
	tr -d '\n' <ids.json | sed 's/},{/}\n{/g' |
		sed -n "s/.*\"id\":\\([0-9]*\\),\"name\":\"$1\".*/\\1/p" |
		head -n 1
}

# peer_via USER: GET /peer through SOCKS5 as USER; prints the address the
# origin saw (which node carried it: each binds its own).
peer_via () {
	tcurl --socks5-hostname "$1:x@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" |
		sed -n 's/^peer=\(.*\):[0-9]*$/\1/p'
}

test_expect_success 'setup: hub with two tokens, node n1 with the first' '
	TOK_A=$("$TENTACLE" token) && TOK_B=$("$TENTACLE" token) &&
	printf "%s\n%s\n" "$TOK_A" "$TOK_B" >tokens &&
	chmod 600 tokens &&
	start_origin &&
	start_hub -insecure -tokens tokens &&
	start_node n1 -insecure -token "$TOK_A" -bind 127.0.0.11 &&
	N1_PID=$NODE_PID &&
	ID1=$(node_id n1) && test -n "$ID1" &&
	test "$(peer_via alice-node-n1)" = 127.0.0.11
'

test_expect_success 'another token cannot take the name n1: refused, both logs say why' '
	spawn_node n1 -insecure -token "$TOK_B" -bind 127.0.0.12 &&
	IMP=$NODE_PID &&
	wait_for_log "$HUB_LOG" "node \"n1\" refused: the name is held by node $ID1 (n1, online), which proved the token on line 1 of tokens; this connection proved the token on line 2 of tokens" &&
	wait_for_log "$NODE_LOG" "this node name is held by a node with another token" &&
	kill_daemon $IMP &&
	test "$(node_id n1)" = "$ID1" &&
	! grep "replaced" "$HUB_LOG"
'

test_expect_success 'nor by its id: HELLO with n1'"'"'s id and name, another token' '
	test_expect_code 3 "$FAKENODE" -b 127.0.0.13 -t "$TOK_B" -n n1 \
		-i "$ID1" $CONTROL_PORT >fake.out &&
	grep "^bye 4 this node name is held" fake.out &&
	! grep "replaced" "$HUB_LOG" &&
	test "$(node_id n1)" = "$ID1"
'

test_expect_success 'an id hint of another token'"'"'s node gets a fresh id, evicts nobody' '
	"$FAKENODE" -b 127.0.0.13 -t "$TOK_B" -n other -i "$ID1" \
		$CONTROL_PORT >fake.out &&
	grep "^welcome node=" fake.out &&
	! grep "^welcome node=$ID1 " fake.out &&
	! grep "replaced" "$HUB_LOG"
'

test_expect_success 'routing to n1 still reaches the real node: 100 of 100' '
	: >peers &&
	i=0 &&
	while test $i -lt 100; do
		peer_via alice-node-n1 >>peers || return 1
		i=$((i + 1))
	done &&
	test "$(grep -c "^127\.0\.0\.11\$" peers)" = 100
'

test_expect_success 'while n1 is away its name stays its own' '
	stop_daemon $N1_PID &&
	wait_for_log "$HUB_LOG" "node $ID1 (n1) left" &&
	test_expect_code 3 "$FAKENODE" -b 127.0.0.13 -t "$TOK_B" -n n1 \
		$CONTROL_PORT >fake.out &&
	grep "^bye 4 " fake.out &&
	grep "node \"n1\" refused: the name is held by node $ID1 (n1, away: it left [0-9]* s ago)" "$HUB_LOG"
'

test_expect_success 'n1 comes back with its token: its id again' '
	start_node n1 -insecure -token "$TOK_A" -bind 127.0.0.11 &&
	N1_PID=$NODE_PID &&
	test "$(node_id n1)" = "$ID1" &&
	test "$(peer_via alice-node-n1)" = 127.0.0.11
'

test_expect_success 'the same token may replace its own connection (a reconnect)' '
	"$FAKENODE" -b 127.0.0.14 -t "$TOK_A" -n n1 -i "$ID1" \
		$CONTROL_PORT >fake.out &&
	grep "^welcome node=$ID1 " fake.out &&
	grep "node $ID1 (n1) left: replaced by a new connection" "$HUB_LOG"
'

test_expect_success 'a token taken out of the tokens file loses its claim' '
	start_node n1 -insecure -token "$TOK_A" -bind 127.0.0.11 &&
	stop_daemon $NODE_PID &&
	stop_daemon $N1_PID &&
	printf "%s\n" "$TOK_B" >tokens &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 node tokens loaded" &&
	"$FAKENODE" -b 127.0.0.13 -t "$TOK_B" -n n1 $CONTROL_PORT >fake.out &&
	grep "^welcome node=" fake.out
'

test_expect_success 'admin HELLO on the control port: refused, pointed at the admin socket' '
	test_expect_code 3 "$FAKENODE" -A $CONTROL_PORT >fake.out &&
	grep "^bye 4 admin commands .* go to the hub.s admin socket" fake.out &&
	grep "refused: admin commands" "$HUB_LOG"
'

test_expect_success 'info counts the refused names' '
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"names_refused\":3" info.json
'

test_expect_success 'without -tokens: nodes from 127.0.0.1 only, not the rest of 127/8' '
	stop_daemon $HUB_PID &&
	start_hub -insecure &&
	grep "nodes are accepted from 127.0.0.1 and ::1 only" "$HUB_LOG" &&
	test_expect_code 3 "$FAKENODE" -b 127.0.0.2 -n far $CONTROL_PORT \
		>fake.out &&
	grep "^bye 7 this hub accepts nodes from 127.0.0.1 and ::1 only" \
		fake.out &&
	"$FAKENODE" -n near $CONTROL_PORT >fake.out &&
	grep "^welcome node=" fake.out
'

test_done
