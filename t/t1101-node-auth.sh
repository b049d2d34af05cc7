#!/bin/sh
test_description='node authentication: tokens file, CHALLENGE/AUTH, name=
and pools= restrictions, SIGHUP reload, lockout, replay, forged data links,
the token never on the wire'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
FAKENODE=$TENTACLE_HELPERS/fakenode
TCPREC=$TENTACLE_HELPERS/tcprec
for h in "$FAKENODE" "$TCPREC"; do
	test -x "$h" || error "helper not found: $h (run make)"
done
if command -v openssl >/dev/null 2>&1; then
	test_set_prereq OPENSSL
fi

TOKENS=$TRASH_DIRECTORY/tokens

# write_tokens LINE...: the tokens file, one line per argument, mode 600.
write_tokens () {
	printf '%s\n' "$@" >"$TOKENS.new" &&
	chmod 600 "$TOKENS.new" &&
	mv "$TOKENS.new" "$TOKENS"
}

# tok_hub [FLAGS...]: a hub with -tokens tokens; NODE_SERVER is reset
# (nodes go straight to it).
tok_hub () {
	NODE_SERVER=
	start_hub -tokens "$TOKENS" "$@"
}

# refused NAME WHY: the hub refused node NAME saying WHY, and the node
# says that authentication failed and what to check.
refused () {
	wait_for_log "$HUB_LOG" "node \"$1\" refused: $2" &&
	wait_for_log "$TRASH_DIRECTORY/node.$1.log" \
		"authentication failed.*check that auth_token (-token) is a line of the hub's tokens file"
}

# restricted NAME WHY: the hub refused node NAME for a name= or pools=
# restriction of its token, and told the node WHY (t1102 has the rest).
restricted () {
	wait_for_log "$HUB_LOG" "node \"$1\" refused: $2" &&
	wait_for_log "$TRASH_DIRECTORY/node.$1.log" "the hub said goodbye (4: $2"
}

# not_listed NAME: `tentacle info` does not list node NAME.
not_listed () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json \
		>info.json &&
	grep "^{\"nodes\":\[" info.json >/dev/null &&
	! grep "\"name\":\"$1\"" info.json
}

# stop_all: stop every node and fake node, then the hub.
stop_all () {
	for sa_d in $test_daemons; do
		case ${sa_d#*:} in
		node.*|fake*) stop_daemon "${sa_d%%:*}" || return 1 ;;
		esac
	done
	stop_daemon $HUB_PID
}

test_expect_success 'setup: tokens, origin' '
	TOK1=$("$TENTACLE" token) &&
	TOK2=$("$TENTACLE" token) &&
	TOK3=$("$TENTACLE" token) &&
	TOK4=$("$TENTACLE" token) &&
	WRONG=$("$TENTACLE" token) &&
	test ${#TOK1} = 43 && test "$TOK1" != "$TOK2" &&
	start_origin
'

test_expect_success 'right token: the node authenticates and serves' '
	write_tokens "# test hub" "$TOK2 name=other" "$TOK1" &&
	tok_hub &&
	grep "nodes authenticate with 2 tokens from" "$HUB_LOG" &&
	start_node n1 -token "$TOK1" &&
	grep "node n1 authenticated (tokens file line 3)" "$HUB_LOG" &&
	info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'wrong token: refused, both sides say why; no node' '
	spawn_node bad -token "$WRONG" &&
	refused bad "its token is not in the tokens file" &&
	not_listed bad &&
	info_has_nodes 1 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'name=: a node of another name is refused' '
	write_tokens "$TOK1" "$TOK2 name=web_*" &&
	tok_hub &&
	start_node n1 -token "$TOK1" &&
	spawn_node db1 -token "$TOK2" &&
	restricted db1 "the node name \"db1\" is not allowed by its token, which allows name=web_\* only" &&
	not_listed db1 &&
	start_node web_1 -token "$TOK2" &&
	info_has_nodes 2 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'pools=: only pools of the list' '
	write_tokens "$TOK1" "$TOK3 pools=eu,us" &&
	tok_hub &&
	start_node n1 -token "$TOK1" &&
	start_node p1 -token "$TOK3" us eu &&
	spawn_node p2 -token "$TOK3" eu asia &&
	restricted p2 "the pool \"asia\" is not allowed by its token, which allows pools=eu,us only" &&
	not_listed p2 &&
	info_has_nodes 2 &&
	hub_serves_socks &&
	stop_all
'

# A node that names no pool serves "default" (doc/protocol.md, HELLO),
# which pools=eu,us does not allow.
test_expect_success 'pools=: a node with no pool (so "default") is refused' '
	write_tokens "$TOK1" "$TOK3 pools=eu,us" &&
	tok_hub &&
	start_node n1 -token "$TOK1" &&
	spawn_node p3 -token "$TOK3" &&
	wait_for_log "$HUB_LOG" "node \"p3\" refused\|node [0-9]* (p3) joined" &&
	! grep "node [0-9]* (p3) joined" "$HUB_LOG" &&
	restricted p3 "the pool \"default\" is not allowed by its token, which allows pools=eu,us only" &&
	not_listed p3 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'no token against a hub with -tokens: refused, says how' '
	write_tokens "$TOK1" &&
	tok_hub -insecure &&
	start_node n1 -insecure -token "$TOK1" &&
	spawn_node nt -insecure &&
	wait_for_log "$NODE_LOG" "the hub requires node authentication: set auth_token in the config file or give -token" &&
	not_listed nt &&
	test_expect_code 3 "$FAKENODE" -n nt2 $CONTROL_PORT >fake.out &&
	grep "^bye 7 authentication failed" fake.out &&
	grep "node \"nt2\" refused: it has no token (set auth_token or -token on the node)" "$HUB_LOG" &&
	info_has_nodes 1 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'SIGHUP adds a token: a retrying node gets in by itself' '
	write_tokens "$TOK1" &&
	tok_hub &&
	start_node n1 -token "$TOK1" &&
	spawn_node late -token "$TOK4" &&
	LATE_PID=$NODE_PID &&
	refused late "its token is not in the tokens file" &&
	write_tokens "$TOK4 name=late" &&
	kill -s HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 node tokens loaded from .*; connected nodes stay" &&
	wait_for_log "$TRASH_DIRECTORY/node.late.log" "node ready: node [0-9]* (late)" 10 &&
	daemon_alive $LATE_PID &&
	info_has_nodes 2
'

test_expect_success 'SIGHUP removed a token: its connected node stays, new ones are refused' '
	! grep "lost the hub" "$TRASH_DIRECTORY/node.n1.log" &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json \
		>info.json &&
	grep "\"name\":\"n1\"" info.json &&
	spawn_node n1b -token "$TOK1" &&
	refused n1b "its token is not in the tokens file" &&
	kill_daemon $NODE_PID &&
	stop_daemon $LATE_PID &&
	wait_until 5 info_has_nodes 1 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'SIGHUP with a bad tokens file keeps the old tokens' '
	write_tokens "$TOK1" &&
	tok_hub &&
	start_node n1 -token "$TOK1" &&
	write_tokens "$TOK2" "tooshort" "$TOK3" &&
	kill -s HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: keeping the old tokens: .*tokens:2: a token is 16-128 characters" &&
	! grep "node tokens loaded" "$HUB_LOG" &&
	start_node n2 -token "$TOK1" &&
	spawn_node n3 -token "$TOK3" &&
	refused n3 "its token is not in the tokens file" &&
	info_has_nodes 2 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'a hub does not start with a bad tokens file' '
	write_tokens "$TOK1" "$TOK2 colour=blue" &&
	bg_start badhub "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr 127.0.0.1:0 \
		-httpAddr 127.0.0.1:0 -log badhub.log -tokens "$TOKENS" &&
	reap $BG_PID &&
	test $REAPED != 0 && test $REAPED -lt 128 &&
	grep "tokens:2: unknown option" badhub.err
'

test_expect_success 'a replayed AUTH is refused: every CHALLENGE is fresh' '
	write_tokens "$TOK1" &&
	tok_hub -insecure &&
	start_node n1 -insecure -token "$TOK1" &&
	"$FAKENODE" -n rp -t "$TOK1" -r auth.rec $CONTROL_PORT >rec.out &&
	grep "^welcome node=" rec.out &&
	test $(wc -c <auth.rec) = 64 &&
	test_expect_code 3 "$FAKENODE" -n rp -k "$TOK1" -R auth.rec \
		$CONTROL_PORT >replay.out &&
	grep "^nonce fresh" replay.out &&
	test "$(sed -n "s/^challenge //p" rec.out)" != \
		"$(sed -n "s/^challenge //p" replay.out)" &&
	grep "^bye 7 authentication failed" replay.out &&
	grep "node \"rp\" refused: wrong proof of its token" "$HUB_LOG" &&
	wait_until 5 info_has_nodes 1 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success '5 failures from an address lock it out for the minute' '
	write_tokens "$TOK1" &&
	tok_hub -insecure &&
	start_node n1 -insecure -token "$TOK1" &&
	for i in 1 2 3 4 5; do
		test_expect_code 3 "$FAKENODE" -n brute -t "$WRONG" \
			$CONTROL_PORT >brute.out &&
		grep "^bye 7 authentication failed" brute.out || return 1
	done &&
	test_expect_code 3 "$FAKENODE" -n brute -t "$TOK1" $CONTROL_PORT \
		>brute.out &&
	grep "^bye 7 too many failed authentications" brute.out &&
	! grep "^challenge" brute.out &&
	grep "refused: 5 failed authentications from this address in the last minute" "$HUB_LOG" &&
	spawn_node n2 -insecure -token "$TOK1" &&
	wait_for_log "$NODE_LOG" "too many failed authentications" &&
	not_listed n2 &&
	daemon_alive $NODE_PID_n1 &&
	hub_serves_socks
'

test_expect_success 'the lockout is per address: 127.0.0.2 still gets in' '
	"$FAKENODE" -b 127.0.0.2 -n other -t "$TOK1" $CONTROL_PORT >other.out &&
	grep "^welcome node=" other.out &&
	grep "control 127.0.0.2:[0-9]*: node other authenticated" "$HUB_LOG" &&
	wait_until 5 info_has_nodes 1 &&
	hub_serves_socks &&
	stop_all
'

test_expect_success 'forged data links: wrong proof, proof of another request' '
	write_tokens "$TOK1" &&
	tok_hub -insecure &&
	bg_start fakenode.forger "$FAKENODE" -D -T 20 -n forger -t "$TOK1" \
		$CONTROL_PORT &&
	FORGER=$BG_PID &&
	wait_for_log fakenode.forger.out "^fakenode ready: node [0-9]*" &&
	"$SOCKSC" -T 15 $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT </dev/null \
		>socks.out 2>socks.err &&
	reap $FORGER &&
	cat fakenode.forger.out &&
	test $REAPED = 0 &&
	grep "^bind wrong-proof: closed" fakenode.forger.out &&
	grep "^bind other-request: closed" fakenode.forger.out &&
	grep "^bind right-proof: done" fakenode.forger.out &&
	echo "fakenode relayed" >expect &&
	cmp expect socks.out &&
	test $(grep -c "BIND for request [0-9]* names node [0-9]*, .*session proof does not match; closing" "$HUB_LOG") = 2 &&
	wait_until 5 info_has_nodes 0 &&
	start_node n1 -insecure -token "$TOK1" &&
	hub_serves_socks &&
	stop_all
'

# The control link through a recording relay.  Plaintext (-insecure): the
# HELLO and the AUTH are readable, the token is not in them.
test_expect_success 'the token never crosses the wire (plaintext link)' '
	write_tokens "$TOK1" &&
	tok_hub -insecure &&
	bg_start tcprec "$TCPREC" $CONTROL_PORT capture.bin &&
	REC=$BG_PID &&
	wait_for_log tcprec.out "^tcprec ready: " &&
	REC_PORT=$(sed -n "s/^tcprec ready: 127.0.0.1://p" tcprec.out) &&
	NODE_SERVER=127.0.0.1:$REC_PORT &&
	start_node wire -insecure -token "$TOK1" &&
	hub_serves_socks &&
	grep "node [0-9]* (wire) joined from" "$HUB_LOG" &&
	grep -a "TNTC" capture.bin &&
	grep -a "wire" capture.bin &&
	! grep -a -F "$TOK1" capture.bin &&
	! grep -a -F "$(printf %s "$TOK1" | cut -c1-16)" capture.bin &&
	! grep -a -F "$(printf %s "$TOK1" | cut -c28-43)" capture.bin &&
	stop_all &&
	stop_daemon $REC
'

test_expect_success OPENSSL 'the wire carries the token id, as documented' '
	kid=$(printf "tentacle token id%s" "$TOK1" | openssl dgst -sha256 |
		sed "s/.*= *//" | cut -c1-16) &&
	test ${#kid} = 16 &&
	od -An -tx1 -v capture.bin | tr -d " \n" | grep "0708$kid"
'

test_expect_success 'with TLS (the default) the capture shows neither frames nor token' '
	write_tokens "$TOK1" &&
	tok_hub &&
	rm -f capture.bin &&
	bg_start tcprec "$TCPREC" $CONTROL_PORT capture.bin &&
	REC=$BG_PID &&
	wait_for_log tcprec.out "^tcprec ready: " &&
	REC_PORT=$(sed -n "s/^tcprec ready: 127.0.0.1://p" tcprec.out) &&
	NODE_SERVER=127.0.0.1:$REC_PORT &&
	start_node tls -token "$TOK1" &&
	hub_serves_socks &&
	test -s capture.bin &&
	! grep -a "TNTC" capture.bin &&
	! grep -a -F "$TOK1" capture.bin &&
	stop_all &&
	stop_daemon $REC
'

test_done
