#!/bin/sh
test_description='node ids survive a hub restart: the hub keeps the ids it
gave by name and token in STATE_DIR/node-ids (written when one is given),
so -node-ID selectors name the same node afterwards, whatever order the
nodes come back in; an id goes back only to the same name with the same
token; a corrupt or oversized file is logged and ignored'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

IDS=$TENTACLE_STATE_DIR/node-ids

# node_id NAME: the id the hub lists for node NAME.
node_id () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >ids.json &&
	tr -d '\n' <ids.json | sed 's/},{/}\n{/g' |
		sed -n "s/.*\"id\":\\([0-9]*\\),\"name\":\"$1\".*/\\1/p" |
		head -n 1
}

# peer_via USER: the address the origin saw for GET /peer as USER.
peer_via () {
	tcurl --socks5-hostname "$1:x@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/peer" |
		sed -n 's/^peer=\(.*\):[0-9]*$/\1/p'
}

# hub_again: stop the hub, start one on the same control and data ports.
hub_again () {
	stop_daemon $HUB_PID &&
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 \
		"$@"
}

test_expect_success 'setup: two tokens, hub, n1 and n2 (each its address)' '
	TOK_A=$("$TENTACLE" token) && TOK_B=$("$TENTACLE" token) &&
	printf "%s\n%s\n" "$TOK_A" "$TOK_B" >tokens &&
	chmod 600 tokens &&
	HUB_TOKENS=$TRASH_DIRECTORY/tokens && NODE_TOKEN=$TOK_A &&
	export HUB_TOKENS NODE_TOKEN &&
	start_origin &&
	start_hub &&
	CONTROL0=$CONTROL_PORT && DATA0=$DATA_PORT &&
	start_node n1 -bind 127.0.0.11 &&
	start_node n2 -bind 127.0.0.12 &&
	ID1=$(node_id n1) && ID2=$(node_id n2) &&
	test -n "$ID1" && test -n "$ID2" && test $ID1 != $ID2 &&
	test "$(peer_via alice-node-$ID1)" = 127.0.0.11 &&
	test "$(peer_via alice-node-$ID2)" = 127.0.0.12
'

test_expect_success 'the ids are on disk, mode 0600, one line each' '
	wait_until 3 grep "^$ID2 n2 [0-9a-f]* [0-9]*\$" "$IDS" &&
	grep "^$ID1 n1 [0-9a-f]* [0-9]*\$" "$IDS" &&
	grep "^$ID2 n2 [0-9a-f]* [0-9]*\$" "$IDS" &&
	test $(grep -c -v "^#" "$IDS") = 2 &&
	ls -l "$IDS" | grep "^-rw-------"
'

test_expect_success 'a reconnect does not rewrite the file' '
	cp "$IDS" ids.before &&
	stop_daemon $NODE_PID_n1 &&
	start_node n1 -bind 127.0.0.11 &&
	test "$(node_id n1)" = $ID1 &&
	test_cmp ids.before "$IDS"
'

test_expect_success 'hub restarted, nodes running: same ids, -node-ID works' '
	hub_again &&
	grep "node ids: 2 kept in " "$HUB_LOG" &&
	wait_until 10 info_has_nodes 2 &&
	test "$(node_id n1)" = $ID1 &&
	test "$(node_id n2)" = $ID2 &&
	test "$(peer_via alice-node-$ID1)" = 127.0.0.11 &&
	test "$(peer_via alice-node-$ID2)" = 127.0.0.12
'

test_expect_success 'all restarted, nodes back in the other order: same ids' '
	stop_daemon $NODE_PID_n1 &&
	stop_daemon $NODE_PID_n2 &&
	hub_again &&
	start_node n2 -bind 127.0.0.12 &&
	start_node n1 -bind 127.0.0.11 &&
	test "$(node_id n1)" = $ID1 &&
	test "$(node_id n2)" = $ID2 &&
	test "$(peer_via alice-node-$ID1)" = 127.0.0.11 &&
	test "$(peer_via alice-node-$ID2)" = 127.0.0.12
'

test_expect_success 'the same name with another token gets a fresh id' '
	stop_daemon $NODE_PID_n1 &&
	stop_daemon $NODE_PID_n2 &&
	hub_again &&
	NODE_TOKEN=$TOK_B start_node n1 -bind 127.0.0.13 &&
	ID3=$(node_id n1) &&
	test -n "$ID3" && test $ID3 != $ID1 && test $ID3 != $ID2 &&
	grep "^$ID1 n1 " "$IDS" &&
	grep "^$ID3 n1 " "$IDS" &&
	test "$(peer_via alice-node-$ID3)" = 127.0.0.13 &&
	stop_daemon $NODE_PID_n1 &&
	hub_again &&
	start_node n1 -bind 127.0.0.11 &&
	test "$(node_id n1)" = $ID1
'

test_expect_success 'a corrupt file: logged, ignored, rewritten, never fatal' '
	stop_daemon $NODE_PID_n1 &&
	stop_daemon $HUB_PID &&
	printf "1 n1 zz 0\ngarbage\n" >"$IDS" &&
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 &&
	grep "node ids: .*node-ids line 1: not \"ID NAME KEYID SEEN\"; ignoring the file" "$HUB_LOG" &&
	start_node n1 -bind 127.0.0.11 &&
	grep "^[0-9]* n1 [0-9a-f]* [0-9]*\$" "$IDS" &&
	! grep garbage "$IDS" &&
	stop_daemon $NODE_PID_n1
'

test_expect_success 'more than 4096 ids: ignored (the file is bounded)' '
	stop_daemon $HUB_PID &&
	awk "BEGIN { for (i = 1; i <= 4097; i++) print i, \"n\" i, \"-\", 0 }" \
		>"$IDS" &&
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 &&
	grep "node ids: .* line 4097: more than 4096 ids; ignoring" "$HUB_LOG" &&
	stop_daemon $HUB_PID &&
	head -n 4096 "$IDS" >ids.4096 && mv ids.4096 "$IDS" &&
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 &&
	grep "node ids: 4096 kept" "$HUB_LOG" &&
	start_node n5000 -bind 127.0.0.11 &&
	test "$(node_id n5000)" = 4097 &&
	test $(grep -c -v "^#" "$IDS") = 4096 &&
	grep "^4097 n5000 " "$IDS"
'

test_expect_success 'an id near 2^32 in the file: ignored, ids never wrap to 0' '
	stop_daemon $HUB_PID &&
	printf "4294967294 big - 0\n" >"$IDS" &&
	start_hub -controlAddr 127.0.0.1:$CONTROL0 -tunnelAddr 127.0.0.1:$DATA0 &&
	grep "node ids: .*node-ids line 1: not \"ID NAME KEYID SEEN\"; ignoring the file" "$HUB_LOG" &&
	start_node w1 -bind 127.0.0.11 &&
	start_node w2 -bind 127.0.0.12 &&
	W1=$(node_id w1) && W2=$(node_id w2) &&
	test -n "$W1" && test -n "$W2" &&
	test "$W1" != 0 && test "$W2" != 0 && test "$W1" != "$W2" &&
	test "$W1" -lt 4294967294 && test "$W2" -lt 4294967294 &&
	stop_daemon $NODE_PID_w1 &&
	stop_daemon $NODE_PID_w2
'

test_done
