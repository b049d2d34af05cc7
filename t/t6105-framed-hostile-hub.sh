#!/bin/sh
test_description='a hostile hub against the node: framed relays on a spare
link (doc/protocol.md "Framed relays") fed good chunks (the link carries a
second DIAL), bad chunks (DATA of length 0 or 16385, kind 3, EOF and RAW
with a length: the link closes, the control link stays, a new spare link
comes), bytes after the EOF mark, RAW.  The hub is t/helper/fakehub,
plaintext (-insecure), the target t/helper/origin -echo'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

FAKEHUB=$TENTACLE_HELPERS/fakehub
test -x "$FAKEHUB" || error "helper not found: $FAKEHUB (run make)"

# hostile_hub NAME SCRIPT [FAKEHUB FLAGS...]: fakehub fed SCRIPT (DIALs
# to the echo origin) against a real node NAME (-insecure -pool-size 1),
# to the end of fakehub: its lines but the ready line in NAME.got.  The
# node is stopped after (no sanitizer report), and connected once only
# (fakehub's "pong" is on the first control link: it was never lost).
hostile_hub () {
	hh_name=$1
	hh_script=$2
	shift 2
	bg_start fakehub.$hh_name "$FAKEHUB" -T 10 -e $ORIGIN_PORT "$@" \
		$hh_script &&
	hh_pid=$BG_PID &&
	wait_for_log fakehub.$hh_name.out "^fakehub ready: " &&
	CONTROL_PORT=$(sed -n "s/^fakehub ready: control=\([0-9]*\) .*/\1/p" \
		fakehub.$hh_name.out) &&
	start_node $hh_name -insecure -pool-size 1 &&
	reap $hh_pid 15 &&
	stop_daemon $NODE_PID &&
	grep -v "^fakehub ready: " fakehub.$hh_name.out >$hh_name.got &&
	cat $hh_name.got &&
	test "$REAPED" = 0 &&
	test $(count "node ready: node" "$NODE_LOG") = 1
}

test_expect_success 'setup: echo origin' '
	start_origin -echo
'

test_expect_success 'good chunks: the echo comes back framed, the link carries a second DIAL' '
	printf "\000\000\004ping\001\000\000" >good.script &&
	hostile_hub good good.script -2 &&
	cat >expect <<-\EOF &&
	hello good relay=1
	spare 7 proof ok
	bind 1 result 0 proof ok
	chunk DATA 4 ping
	chunk EOF
	bind 2 result 0 proof ok
	chunk DATA 4 ping
	chunk EOF
	link open
	pong
	EOF
	test_cmp expect good.got &&
	test $(count "relaying on a pooled link" "$NODE_LOG") = 2 &&
	test $(count "closed (done), 4 bytes up, 4 down" "$NODE_LOG") = 2 &&
	test $(count "pool: link idle again after its relay" "$NODE_LOG") = 2
'

# -E: the second DIAL right behind the hub's EOF mark, before the node's
# came (doc/protocol.md: the hub may): the node reads it once the relay
# is done and the link idle again.
test_expect_success 'the next DIAL right behind the hub'"'"'s EOF mark: read on the idle link' '
	hostile_hub early good.script -E &&
	sed "s/^hello good /hello early /" expect >expect.early &&
	test_cmp expect.early early.got &&
	test $(count "closed (done), 4 bytes up, 4 down" "$NODE_LOG") = 2 &&
	test $(count "pool: link idle again after its relay" "$NODE_LOG") = 2
'

# bad_chunk NAME HEAD [FLAGS...]: the chunk head HEAD (printf escapes),
# then DATA "leak" and EOF: the node closes the link and the relay (the
# target got nothing), logs "bad relay framing", keeps its control link
# (it answers a PING, it connected once) and opens a new spare link.
bad_chunk () {
	bc_name=$1
	printf "$2"'\000\000\004leak\001\000\000' >$bc_name.script &&
	shift 2 &&
	hostile_hub $bc_name $bc_name.script -N "$@" &&
	cat >expect <<-EOF &&
	hello $bc_name relay=1
	spare 7 proof ok
	bind 1 result 0 proof ok
	closed
	spare 7 proof ok
	pong
	EOF
	test_cmp expect $bc_name.got &&
	grep "relay dial 1: .* closed (user side: bad relay framing), 0 bytes up, 0 down" \
		"$NODE_LOG" &&
	test $(count "lost the hub" "$NODE_LOG") -le 1
}

test_expect_success 'DATA of length 0: link closed, control link kept, a new spare link' '
	bad_chunk data0 "\000\000\000"
'
test_expect_success 'DATA of length 16385' '
	bad_chunk data16385 "\000\100\001"
'
test_expect_success 'unknown chunk kind 3' '
	bad_chunk kind3 "\003\000\000"
'
test_expect_success 'EOF mark with a length' '
	bad_chunk eoflen "\001\000\001"
'
test_expect_success 'RAW mark with a length' '
	bad_chunk rawlen "\002\000\004"
'

# -P: the chunks in the DIAL's own write, so they wait in the link's
# input while the node dials and are read when its relay starts.
test_expect_success 'bad chunks in the DIAL write: the same' '
	bad_chunk pdata0 "\000\000\000" -P &&
	bad_chunk pkind3 "\003\000\000" -P &&
	bad_chunk peoflen "\001\000\001" -P
'

# The node's own EOF mark may be lost: it is queued when the relay ends,
# and the garbage read with the hub's EOF closes the link at once.
test_expect_success 'bytes after the EOF mark on the idle link: the node closes it, opens another' '
	printf "\000\000\004ping\001\000\000garbage" >garbage.script &&
	hostile_hub garbage garbage.script -N &&
	cat >expect <<-\EOF &&
	hello garbage relay=1
	spare 7 proof ok
	bind 1 result 0 proof ok
	chunk DATA 4 ping
	closed
	spare 7 proof ok
	pong
	EOF
	grep -v "^chunk EOF$" garbage.got >garbage.got2 &&
	test_cmp expect garbage.got2 &&
	grep "closed (done), 4 bytes up, 4 down" "$NODE_LOG" &&
	grep "pool: protocol error on an idle link" "$NODE_LOG"
'

# RAW, then raw bytes and the hub's half-close (-W): the node answers
# RAW, relays raw both ways, and the link ends with the relay.
test_expect_success 'RAW: the node answers RAW, relays raw, the link is not reused' '
	printf "\002\000\000ping" >raw.script &&
	hostile_hub raw raw.script -W -N &&
	cat >expect <<-\EOF &&
	hello raw relay=1
	spare 7 proof ok
	bind 1 result 0 proof ok
	chunk RAW
	raw 4 bytes ping
	closed
	spare 7 proof ok
	pong
	EOF
	test_cmp expect raw.got &&
	grep "relay dial 1: .* closed (done), 4 bytes up, 4 down" "$NODE_LOG" &&
	! grep "pool: link idle again" "$NODE_LOG"
'

test_done
