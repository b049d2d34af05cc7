#!/bin/sh
test_description='a hub whose key changed (a test hub of an earlier run):
the node names the known_hosts file and line and the command to run;
tentacle trust forget HOST:PORT removes the entry and the node gets in'
. "$(dirname "$0")/test-lib.sh"

NS=$TRASH_DIRECTORY/nodestate
if test "$(id -u)" = 0; then
	test_set_prereq ROOT
fi

test_expect_success 'setup: a hub, a node that pins it on first use' '
	mkdir -m 700 "$NS" &&
	start_origin &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" &&
	FP_A=$(hub_fp) &&
	start_node n1 -state-dir "$NS" &&
	grep "first connection, trusting its key $FP_A" "$NODE_LOG" &&
	KH=$NS/known_hosts &&
	printf "# hubs\n10.9.9.9:4442 %s\n" "$FP_A" >kh.head &&
	cat kh.head "$KH" >kh.new && cat kh.new >"$KH" &&
	chmod 640 "$KH"
'

test_expect_success 'the hub comes back with a new key: the node says file:line and what to run' '
	stop_daemon $HUB_PID &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubB" \
		-controlAddr 127.0.0.1:$CONTROL_PORT &&
	FP_B=$(hub_fp) &&
	test "$FP_A" != "$FP_B" &&
	wait_for_log "$NODE_LOG" "changed its key" &&
	grep "changed its key" "$NODE_LOG" | head -n 1 >err.line &&
	cat err.line &&
	grep -F "hub 127.0.0.1:$CONTROL_PORT changed its key: it now has $FP_B, but $KH line 3 says $FP_A" err.line &&
	grep -F "run '"'"'tentacle trust forget -known-hosts $KH 127.0.0.1:$CONTROL_PORT'"'"'" err.line &&
	! grep "check -server" err.line &&
	! grep "insecure" err.line
'

test_expect_success 'trust forget of a hub not in the file: exit 1, file untouched' '
	cp "$KH" kh.before &&
	test_expect_code 1 "$TENTACLE" trust forget -state-dir "$NS" \
		127.0.0.1:1 2>f.err &&
	cat f.err &&
	grep "has no key for 127.0.0.1:1 (nothing removed)" f.err &&
	test_cmp kh.before "$KH"
'

test_expect_success 'trust forget: usage errors' '
	test_expect_code 2 "$TENTACLE" trust forget -state-dir "$NS" 2>u.err &&
	grep "which hub" u.err &&
	test_expect_code 2 "$TENTACLE" trust remember x:1 2>u.err &&
	grep "unknown subcommand" u.err &&
	test_expect_code 2 "$TENTACLE" trust forget nohostport 2>u.err &&
	grep "is not HOST:PORT" u.err
'

test_expect_success 'trust forget HOST:PORT removes that line only, keeps the mode' '
	"$TENTACLE" trust forget -state-dir "$NS" 127.0.0.1:$CONTROL_PORT \
		>f.out &&
	cat f.out &&
	grep "forgot the key of hub 127.0.0.1:$CONTROL_PORT (1 line removed from $KH)" f.out &&
	test "$(stat -c %a "$KH")" = 640 &&
	! grep "^127\.0\.0\.1:$CONTROL_PORT " "$KH" &&
	grep "^# hubs" "$KH" && grep "^10\.9\.9\.9:4442 " "$KH" &&
	ls -a "$NS" >dir.out && ! grep "tmp" dir.out
'

test_expect_success 'the node gets in at its next try and stores the new key' '
	wait_for_count "$NODE_LOG" "node ready: node [0-9]* (n1)" 2 35 &&
	grep "^127\.0\.0\.1:$CONTROL_PORT $FP_B\$" "$KH" &&
	hub_serves_socks
'

test_expect_success 'the state dir after the command or before it (node flags)' '
	"$TENTACLE" -state-dir "$NS" trust forget 127.0.0.1:$CONTROL_PORT &&
	! grep "^127\.0\.0\.1:$CONTROL_PORT " "$KH"
'

# sudo tentacle trust forget: the node (its own user) must still read and
# write its known_hosts afterwards.
test_expect_success ROOT 'trust forget as root keeps the file'"'"'s owner and group' '
	printf "h.example:1 sha256:%064d\nkeep.example:2 sha256:%064d\n" 0 0 \
		>kh.owned &&
	chown 4321:4322 kh.owned && chmod 600 kh.owned &&
	"$TENTACLE" trust forget -known-hosts kh.owned h.example:1 &&
	test "$(stat -c %u:%g:%a kh.owned)" = 4321:4322:600 &&
	grep "^keep.example:2 " kh.owned && ! grep "^h.example:1 " kh.owned
'

test_done
