#!/bin/sh
test_description='SOCKS4 and SOCKS4a on the SOCKS port: CONNECT by address
and by name, the user id as user name with routing parameters, 0x5b for
BIND, bad requests and failed dials; served only to clients that need no
password (SOCKS4 has none)'
# Names and odd addresses go to a node: only lo (TEST_NETNS).
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# socks4_req CMD PORT IP USERID [HOST]: the raw bytes of a SOCKS4 request
# (IP as four octal escapes, e.g. \177\000\000\001); with HOST, SOCKS4a.
socks4_req () {
	printf "\\004\\$(printf %03o $1)" && port_bytes $2 &&
	printf "$3%s\\000" "$4" &&
	if test $# -ge 5; then printf "%s\\000" "$5"; fi
}

test_expect_success 'setup: hub, node, origin' '
	start_origin &&
	start_hub &&
	start_node n1
'

test_expect_success 'socks4:// (IPv4 from the client) reaches the origin' '
	tcurl -x socks4://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks4 127\.0\.0\.1:[0-9]*: user -, node [0-9]* ([a-z0-9]*), target 127\.0\.0\.1:$ORIGIN_PORT"
'

test_expect_success 'socks4a:// (the node resolves the name)' '
	tcurl -x socks4a://127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks4 127\.0\.0\.1:[0-9]*: user -, node [0-9]* ([a-z0-9]*), target localhost:$ORIGIN_PORT"
'

test_expect_success 'the user id is the user name, routing parameters included' '
	tcurl -x socks4a://alice-pool-default@127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay socks4 127\.0\.0\.1:[0-9]*: user alice, node"
'

test_expect_success 'bad routing parameters in the user id: 0x5b, logged' '
	test_must_fail tcurl -x socks4a://alice-pool@127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small 2>err &&
	grep "(91)" err &&
	wait_for_log "$HUB_LOG" "user alice: bad routing parameters"
'

test_expect_success 'a user id that is no user name: 0x5b, logged' '
	socks4_req 1 $ORIGIN_PORT "\\177\\000\\000\\001" "a b" >req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	test "$(hexof resp)" = 005b000000000000 &&
	wait_for_log "$HUB_LOG" "socks4: 127\.0\.0\.1:[0-9]*: user id \"a b\" refused"
'

test_expect_success 'pipelined payload after the request reaches the origin' '
	{ socks4_req 1 $ORIGIN_PORT "\\177\\000\\000\\001" "" &&
		printf "GET /small HTTP/1.0\r\n\r\n"; } >req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	head -c 8 resp >reply &&
	test "$(hexof reply)" = 005a000000000000 &&
	grep "quick brown fox" resp
'

test_expect_success 'byte at a time' '
	{ socks4_req 1 $ORIGIN_PORT "\\000\\000\\000\\001" "bob" localhost &&
		printf "GET /small HTTP/1.0\r\n\r\n"; } >req &&
	"$TCPC" -d 5 -T 10 $SOCKS_PORT <req >resp &&
	grep "quick brown fox" resp
'

test_expect_success 'BIND: 0x5b, logged' '
	socks4_req 2 0 "\\000\\000\\000\\000" "" >req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	test "$(hexof resp)" = 005b000000000000 &&
	wait_for_log "$HUB_LOG" "socks4: 127\.0\.0\.1:[0-9]*: command 2 not supported (CONNECT only)"
'

test_expect_success 'a user id over 255 bytes: 0x5b without waiting for its end' '
	printf "\\004\\001\\000\\120\\177\\000\\000\\001" >req &&
	head -c 300 /dev/zero | tr "\\000" a >>req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	test "$(hexof resp)" = 005b000000000000 &&
	wait_for_log "$HUB_LOG" "socks4: 127\.0\.0\.1:[0-9]*: bad SOCKS4 request (user id over 255 bytes"
'

test_expect_success 'SOCKS4a with an empty host name: 0x5b' '
	socks4_req 1 80 "\\000\\000\\000\\001" "" "" >req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	test "$(hexof resp)" = 005b000000000000 &&
	wait_for_log "$HUB_LOG" "bad SOCKS4a host name"
'

test_expect_success 'port 0: 0x5b' '
	socks4_req 1 0 "\\177\\000\\000\\001" "" >req &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp &&
	test "$(hexof resp)" = 005b000000000000
'

test_expect_success 'a refused connection: 0x5b from the dial result' '
	test_must_fail tcurl -x socks4://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:1/ 2>err &&
	cat err &&
	grep "(91), request rejected or failed" err
'

test_expect_success 'an incomplete request meets the handshake deadline' '
	printf "\\004\\001\\000\\120\\177\\000\\000\\001ab" >req &&
	stop_daemon $HUB_PID &&
	start_hub -handshake-timeout 1s &&
	start_node n1 &&
	"$TCPC" -T 5 $SOCKS_PORT <req >resp 2>err &&
	cat err &&
	test ! -s resp &&
	wait_for_log "$HUB_LOG" "socks: 127\.0\.0\.1:[0-9]*: no complete request within 1000 ms"
'

test_expect_success 'setup: a users file (loopback must log in)' '
	stop_daemon $HUB_PID &&
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>/dev/null &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1
'

test_expect_success 'with a users file SOCKS4 is refused: it has no password' '
	test_must_fail tcurl -x socks4a://alice@127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small 2>err &&
	grep "(91)" err &&
	wait_for_log "$HUB_LOG" "socks4: 127\.0\.0\.1:[0-9]*: refused: SOCKS4 carries no password" &&
	grep "add the client.s network to -allow-clients" "$HUB_LOG" &&
	tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://localhost:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'a client network in -allow-clients gets SOCKS4 without a password' '
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" -allow-clients 127.0.0.2 &&
	start_node n1 &&
	test_must_fail tcurl -x socks4://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>err &&
	tcurl --interface 127.0.0.2 -x socks4://127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_done
