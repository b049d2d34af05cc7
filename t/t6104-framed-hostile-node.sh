#!/bin/sh
test_description='a hostile node against the hub: framed relays on a spare
link (doc/protocol.md "Framed relays") fed bad chunks (DATA of length 0 or
16385, kind 3, EOF with a length), good chunks (the link is idle again),
bytes after the EOF mark, RAW; the DIAL mode byte with and without
-link-reuse and HELLO attribute 10.  The node is t/helper/fakenode -S,
plaintext (-insecure)'
. "$(dirname "$0")/test-lib.sh"

FAKENODE=$TENTACLE_HELPERS/fakenode
test -x "$FAKENODE" || error "helper not found: $FAKENODE (run make)"
test_have_prereq CURL || test_skip_all 'curl not found'

# fake_relay NAME SCRIPT [FAKENODE FLAGS...]: fake node NAME (fakenode -S
# SCRIPT, -T $FAKE_T or 10) with its spare link idle on the hub, then one
# SOCKS request through the hub (socksc to 127.0.0.1:9, which the fake
# node never dials; its stdin is /dev/null, or CLIENT_IN after
# CLIENT_SLEEP seconds): NAME.socks, NAME.socks.err, exit status in
# SOCKS_RC.  Then the fake node's end (fake.NAME.out) and the hub with no
# node left.  Sets FAKE_ID (the node's id on the hub).
fake_relay () {
	fr_name=$1
	fr_script=$2
	shift 2
	fr_t=${FAKE_T:-10}
	bg_start fake.$fr_name "$FAKENODE" -n "$fr_name" -T $fr_t \
		-S "$fr_script" "$@" $CONTROL_PORT &&
	fr_pid=$BG_PID &&
	wait_for_log fake.$fr_name.out "^spare open" &&
	FAKE_ID=$(sed -n "s/^welcome node=\([0-9]*\) .*/\1/p" \
		fake.$fr_name.out) &&
	wait_for_log "$HUB_LOG" "pool: node $FAKE_ID: idle link .* (1 idle)" ||
		return 1
	if test -n "${CLIENT_SLEEP:-}"; then
		{ sleep $CLIENT_SLEEP; cat "$CLIENT_IN"; } |
			"$SOCKSC" -T 20 $SOCKS_PORT 127.0.0.1 9 \
			>$fr_name.socks 2>$fr_name.socks.err
	else
		"$SOCKSC" -T 20 $SOCKS_PORT 127.0.0.1 9 </dev/null \
			>$fr_name.socks 2>$fr_name.socks.err
	fi
	SOCKS_RC=$?
	cat $fr_name.socks.err
	reap $fr_pid $((fr_t + 5)) &&
	cat fake.$fr_name.out &&
	test "$REAPED" = 0 &&
	wait_until 10 info_has_nodes 0
}

# relay_line NAME: the hub's log line for the relay of fake node NAME.
relay_line () {
	grep "relay socks .* node [0-9]* ($1), .* closed (" "$HUB_LOG"
}

# bad_chunk NAME HEAD [FLAGS...]: the chunk head HEAD (printf escapes)
# then DATA "leak" and EOF: the hub closes the client's connection with
# nothing delivered, closes the link, logs "bad relay framing" and lives.
bad_chunk () {
	bc_name=$1
	printf "$2"'\000\000\004leak\001\000\000' >$bc_name.script &&
	shift 2 &&
	FAKE_T=6 fake_relay $bc_name $bc_name.script "$@" &&
	grep "REP 0x00" $bc_name.socks.err &&
	test ! -s $bc_name.socks &&
	grep "^dial [0-9]* mode 1$" fake.$bc_name.out &&
	grep "^link closed after" fake.$bc_name.out &&
	relay_line $bc_name | grep "closed (exit side: bad relay framing)" &&
	daemon_alive $HUB_PID
}

test_expect_success 'setup: origin, plaintext hub' '
	start_origin &&
	start_hub -insecure
'

# The chunks come 200 ms after the BIND: the relay reads them from the
# link as they arrive.
test_expect_success 'DATA of length 0 (chunks after the BIND)' '
	bad_chunk late-data0 "\000\000\000" -d 200
'
test_expect_success 'DATA of length 16385 (chunks after the BIND)' '
	bad_chunk late-data16385 "\000\100\001" -d 200
'
test_expect_success 'unknown chunk kind 3 (chunks after the BIND)' '
	bad_chunk late-kind3 "\003\000\000" -d 200
'
test_expect_success 'EOF mark with a length (chunks after the BIND)' '
	bad_chunk late-eoflen "\001\000\001" -d 200
'
test_expect_success 'RAW mark with a length (chunks after the BIND)' '
	bad_chunk late-rawlen "\002\000\004" -d 200
'

# The same chunks in the BIND's own write: the hub finds them in the
# link's input when the relay starts (relay_tunnel: relay_raw moves them
# at once).  relay_unframe() dooms the relay there (a 1 ms timer, reads
# off on both sides); relay_tunnel()'s relay_set_idle() must not put that
# timer off (it once did: the relay stayed open, nothing logged).
test_expect_success 'DATA of length 0 (chunks in the BIND write)' '
	bad_chunk early-data0 "\000\000\000"
'
test_expect_success 'DATA of length 16385 (chunks in the BIND write)' '
	bad_chunk early-data16385 "\000\100\001"
'
test_expect_success 'unknown chunk kind 3 (chunks in the BIND write)' '
	bad_chunk early-kind3 "\003\000\000"
'
test_expect_success 'EOF mark with a length (chunks in the BIND write)' '
	bad_chunk early-eoflen "\001\000\001"
'

test_expect_success 'after the bad chunks a real node serves through the same hub' '
	start_node real1 -insecure -pool-size 2 &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	wait_until 10 info_has_nodes 0
'

# good NAME [FLAGS...]: DATA "hello" and EOF; the client gets exactly
# "hello" then EOF; the hub sends its EOF mark (the client ended too) and
# the link is idle again, still open.
good () {
	printf '\000\000\005hello\001\000\000' >good.script &&
	gd_name=$1 &&
	shift &&
	FAKE_T=3 fake_relay $gd_name good.script "$@" &&
	test "$SOCKS_RC" = 0 &&
	printf hello >expect &&
	cmp expect $gd_name.socks &&
	grep "^dial [0-9]* mode 1$" fake.$gd_name.out &&
	grep "^link open after 3 bytes$" fake.$gd_name.out &&
	grep "^hub sent 010000$" fake.$gd_name.out &&
	relay_line $gd_name | grep "closed (done), 0 bytes up, 5 down" &&
	grep "pool: node $FAKE_ID: link .* idle again after its relay" \
		"$HUB_LOG"
}

test_expect_success 'good chunks: DATA "hello", EOF: delivered, the link is reused' '
	good good-early &&
	good good-late -d 200
'

test_expect_success 'EOF, then bytes on the idle link: the hub closes it' '
	printf "\001\000\000garbage" >garbage.script &&
	fake_relay garbage garbage.script &&
	test ! -s garbage.socks &&
	grep "^link closed after" fake.garbage.out &&
	relay_line garbage | grep "closed (done)" &&
	grep "pool: node $FAKE_ID: idle link .* sent bytes before a DIAL; closing it" \
		"$HUB_LOG" &&
	daemon_alive $HUB_PID
'

# RAW, then raw bytes, then the node half-closes (-W: its side ended).
test_expect_success 'RAW then raw bytes: delivered, the hub answers RAW, no reuse' '
	printf "\002\000\000rawdata" >raw.script &&
	fake_relay raw raw.script -W &&
	test "$SOCKS_RC" = 0 &&
	printf rawdata >expect &&
	cmp expect raw.socks &&
	grep "^link closed after 3 bytes$" fake.raw.out &&
	grep "^hub sent 020000$" fake.raw.out &&
	relay_line raw | grep "closed (done)" &&
	! grep "pool: node $FAKE_ID: link .* idle again" "$HUB_LOG"
'

# Without -W: the node's side ends when the hub's does (fakenode closes
# the link when it reads the hub's EOF).
test_expect_success 'RAW while the client still sends: its bytes follow the RAW raw' '
	printf "\002\000\000rawdata" >raw.script &&
	printf clientdata >client.in &&
	CLIENT_IN=client.in CLIENT_SLEEP=1 fake_relay raw2 raw.script &&
	test "$SOCKS_RC" = 0 &&
	printf rawdata >expect &&
	cmp expect raw2.socks &&
	grep "^link closed after 13 bytes$" fake.raw2.out &&
	grep "^hub sent 020000$(printf clientdata | od -An -tx1 | tr -d " \n")$" \
		fake.raw2.out &&
	relay_line raw2 | grep "closed (done), 10 bytes up, 7 down" &&
	! grep "pool: node $FAKE_ID: link .* idle again" "$HUB_LOG"
'

# raw_relay NAME [FLAGS...]: a spare link whose DIAL has no mode byte:
# raw bytes both ways, single-use.
raw_relay () {
	printf "raw hello" >plain.script &&
	rr_name=$1 &&
	shift &&
	fake_relay $rr_name plain.script -W "$@" &&
	grep "^dial [0-9]* mode 0$" fake.$rr_name.out &&
	printf "raw hello" >expect &&
	cmp expect $rr_name.socks &&
	grep "^link closed after 0 bytes$" fake.$rr_name.out &&
	relay_line $rr_name | grep "closed (done)"
}

test_expect_success 'a node without attribute 10 gets DIALs without a mode byte' '
	raw_relay oldnode -0
'

test_expect_success 'a real node serves after all of it; the hub stops cleanly' '
	start_node real2 -insecure -pool-size 2 &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_expect_success '-link-reuse=false: DIALs without a mode byte, even with attribute 10' '
	start_hub -insecure -link-reuse=false &&
	raw_relay noreuse &&
	start_node real3 -insecure -pool-size 2 &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_done
