#!/bin/sh
test_description='fleet control: drain and undrain, the redial cycle (drain,
wait for relays, REDIAL, the node runs its own command and comes back from a
new address), address history in info, sessions across a redial, the
-redial-interval jitter and cap, and sticky-session expiry'
. "$(dirname "$0")/test-lib.sh"
# Nodes bind 127.0.0.N: the hub takes them with a token only.
use_tokens || error "cannot make a token"

test_have_prereq CURL || test_skip_all 'curl not found'

T=$TRASH_DIRECTORY

# The redial action of the test nodes: log start and end with a time stamp,
# sleep if $T/slow-redial says so, and flip the config's bind: between two
# addresses (none given: the address stays, a redial that changes nothing).
cat >redial.sh <<'EOF'
#!/bin/sh
# redial.sh NAME CONF [ADDR1 ADDR2]
log=$(dirname "$2")/redials.log
echo "start $1 $(date +%s.%N)" >>"$log"
if test -f "$(dirname "$2")/slow-redial"; then
	sleep "$(cat "$(dirname "$2")/slow-redial")"
fi
if test -n "$3"; then
	if grep "^bind: $3\$" "$2" >/dev/null; then
		sed "s/^bind: .*/bind: $4/" "$2" >"$2.new"
	else
		sed "s/^bind: .*/bind: $3/" "$2" >"$2.new"
	fi
	mv "$2.new" "$2"
fi
echo "end $1 $(date +%s.%N)" >>"$log"
echo "redialed $1"
EOF

# conf NAME BIND [ADDR1 ADDR2]: a node config with a redial command.
conf () {
	cat >"$1.conf" <<-EOF
	bind: $2
	redial: "sh $T/redial.sh $1 $T/$1.conf $3 $4"
	redial_min_interval: 0s
	EOF
}

# fleet [HUB FLAGS...]: a fresh hub, n1 n2 (pool ilife, redial changes
# their address), n3 (pool codertool, redial keeps it), n4 (no redial).
fleet () {
	for f_pid in ${NODE_PID_n1-} ${NODE_PID_n2-} ${NODE_PID_n3-} \
	    ${NODE_PID_n4-} ${HUB_PID-}; do
		daemon_alive $f_pid || continue
		stop_daemon $f_pid || return 1
	done
	conf n1 127.0.0.11 127.0.0.11 127.0.0.21 &&
	conf n2 127.0.0.12 127.0.0.12 127.0.0.22 &&
	conf n3 127.0.0.13 &&
	sed "s/^redial_min_interval: .*/redial_min_interval: 1h/" n3.conf \
		>n3.new && mv n3.new n3.conf &&
	printf "bind: 127.0.0.14\n" >n4.conf &&
	start_hub -dial-timeout 2s "$@" &&
	start_node n1 -config "$T/n1.conf" ilife &&
	start_node n2 -config "$T/n2.conf" ilife &&
	start_node n3 -config "$T/n3.conf" codertool &&
	start_node n4 -config "$T/n4.conf"
}

# sget USER: GET /small through SOCKS5 as USER; prints the serving node.
sget () {
	tcurl -x "socks5h://$1:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" >sget.out &&
	grep "quick brown fox" sget.out >/dev/null &&
	served_by
}

admin () {
	"$TENTACLE" "$@" -admin "$ADMIN_SOCK"
}

# jfield NAME FIELD: a node's field from info -json, flattened.
jnode () {
	admin info -json | tr -d '\n' | sed 's/{"id"/\n{"id"/g' |
		grep "\"name\":\"$1\""
}

test_expect_success 'setup: origin, hub, four nodes bound to their addresses' '
	start_origin &&
	fleet -redial-interval 0 -heartbeat 500ms
'

test_expect_success 'info: state, redial action, first address' '
	admin info >table &&
	cat table &&
	grep "^[0-9]* *n1 .* up .*127\.0\.0\.11:" table &&
	grep "^[0-9]* *n4 .* up .*127\.0\.0\.14:" table &&
	test $(head -n 1 table | wc -c) -le 101 &&
	jnode n1 | grep "\"state\":\"up\",\"redial\":\"command\",\"redials\":0" &&
	jnode n4 | grep "\"redial\":\"none\"" &&
	jnode n1 | grep "\"addresses\":\[{\"addr\":\"127.0.0.11\",\"since\":[0-9]*}\]"
'

test_expect_success 'redial: a node without a redial action refuses' '
	test_expect_code 1 admin redial n4 2>err &&
	grep "node [0-9]* (n4) cannot redial: its config has no redial command" err
'

test_expect_success 'drain, undrain, redial: unknown node and usage errors' '
	test_expect_code 1 admin drain nosuch 2>err &&
	grep "no node named (or with id) nosuch is online" err &&
	test_expect_code 2 admin redial 2>err &&
	grep "which node" err &&
	test_expect_code 2 admin drain "bad name!" 2>err &&
	grep "not a node name" err
'

test_expect_success 'drain: the node gets no new requests; undrain: it does' '
	admin drain n4 >out &&
	grep "node [0-9]* (n4) drained: no new requests" out &&
	jnode n4 | grep "\"state\":\"drained\"" &&
	admin info | grep "^[0-9]* *n4 .* drained " &&
	spread 8 alice &&
	test $(spread_count n4) = 0 &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://alice-node-n4:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	cat body &&
	test "$code" = 503 &&
	grep "every exit node named n4 is drained, redialing or at its limit" body &&
	admin undrain n4 >out &&
	grep "(n4) back in service" out &&
	test "$(sget alice-node-n4)" = n4
'

test_expect_success 'a restarted node gets its id back, still drained' '
	id4=$(jnode n4 | sed "s/.*\"id\":\([0-9]*\).*/\1/") &&
	admin drain n4 &&
	stop_daemon $NODE_PID_n4 &&
	wait_for_log "$HUB_LOG" "(n4) left" &&
	start_node n4 -config "$T/n4.conf" &&
	wait_for_log "$HUB_LOG" "node $id4 (n4) is drained (tentacle drain)" &&
	jnode n4 | grep "\"id\":$id4,.*\"state\":\"drained\"" &&
	admin undrain $id4 >out &&
	grep "node $id4 (n4) back in service" out
'

test_expect_success 'redial: the drain waits for a transfer, which ends intact' '
	"$ORIGIN" -gen 200000 >expect.slow &&
	tcurl -x "socks5h://alice-node-n1:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/slow/200000/150 -o slow.out &
	slow=$! &&
	wait_until 10 test -s slow.out &&
	id1=$(jnode n1 | sed "s/.*\"id\":\([0-9]*\).*/\1/") &&
	admin redial n1 >out &&
	grep "node $id1 (n1): redial started: draining 1 relays" out &&
	jnode n1 | grep "\"state\":\"draining\"" &&
	spread 6 alice-pool-ilife &&
	test $(spread_count n1) = 0 && test $(spread_count n2) = 6 &&
	! grep "start n1" redials.log 2>/dev/null &&
	wait $slow &&
	cmp expect.slow slow.out &&
	wait_for_log "$HUB_LOG" "node $id1 (n1) redialed (operator) in [0-9]* ms: address 127.0.0.11 -> 127.0.0.21" &&
	grep "(n1): redial (operator): draining: no new requests; waiting for 1 relays" "$HUB_LOG" &&
	! grep "(n1): redial.*redialing anyway" "$HUB_LOG" &&
	grep "start n1" redials.log &&
	grep "redial: | redialed n1" "$T/node.n1.log" &&
	grep "redial: .*n1.conf now gives bind: 127.0.0.21 (was 127.0.0.11)" "$T/node.n1.log"
'

test_expect_success 'after the redial: same id, new address, history in info' '
	jnode n1 >n1.json &&
	cat n1.json &&
	grep "\"id\":$id1," n1.json &&
	grep "\"remote\":\"127.0.0.21:" n1.json &&
	grep "\"redials\":1,\"redials_same\":0,\"last_redial\":[1-9]" n1.json &&
	grep "\"addresses\":\[{\"addr\":\"127.0.0.21\",\"since\":[0-9]*},{\"addr\":\"127.0.0.11\"" n1.json &&
	admin info -node n1 >detail &&
	cat detail &&
	grep "^  addresses  127.0.0.21, seen" detail &&
	grep "^             127.0.0.11, seen" detail &&
	grep "^  redials    1 changed the address, 0 did not" detail &&
	tcurl -x "socks5h://alice-node-n1:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/peer >peer &&
	grep "^peer=127\.0\.0\.21:" peer
'

test_expect_success 'a redial that does not change the address is counted' '
	admin redial n3 &&
	wait_for_log "$HUB_LOG" "(n3) is back [0-9]* ms after its redial (operator), from the same address 127.0.0.13: the redial did not change it (1 such redials)" &&
	jnode n3 | grep "\"redials\":0,\"redials_same\":1"
'

test_expect_success 'a node declines a redial within its redial_min_interval' '
	admin redial n3 &&
	wait_for_log "$HUB_LOG" "(n3) declined the redial: the last redial was [0-9]* ms ago; redial_min_interval is 3600000 ms" &&
	grep "redial_min_interval); declined" "$T/node.n3.log" &&
	jnode n3 | grep "\"state\":\"up\"" &&
	test $(grep -c "start n3" redials.log) = 1
'

test_expect_success 'a redial command that fails, or hangs, is reported' '
	cat >n5.conf <<-EOF &&
	bind: 127.0.0.15
	redial: "echo going; exit 3"
	redial_min_interval: 0s
	EOF
	start_node n5 -config "$T/n5.conf" spare &&
	admin redial n5 &&
	wait_for_log "$HUB_LOG" "(n5): its redial command failed with exit status 3 after [0-9]* ms" &&
	grep "redial: | going" "$T/node.n5.log" &&
	grep "redial: the command failed with exit status 3" "$T/node.n5.log" &&
	stop_daemon $NODE_PID_n5 &&
	cat >n5.conf <<-EOF &&
	bind: 127.0.0.15
	redial: "sleep 30 & sleep 30"
	redial_timeout: 500ms
	EOF
	start_node n5 -config "$T/n5.conf" spare &&
	admin redial n5 &&
	wait_for_log "$HUB_LOG" "(n5): its redial command timed out and was killed after [0-9]* ms" &&
	grep "redial: the command did not finish within 500 ms; killed" "$T/node.n5.log" &&
	jnode n5 | grep "\"state\":\"up\"" &&
	stop_daemon $NODE_PID_n5
'

test_expect_success 'a node that dies while draining with a dial pending' '
	cat >n6.conf <<-EOF &&
	bind: 127.0.0.16
	redial: "true"
	EOF
	start_node n6 -config "$T/n6.conf" spare6 &&
	n6=$NODE_PID_n6 &&
	kill -s STOP $n6 &&
	{ tcurl -x "socks5h://alice-node-n6:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" >/dev/null 2>&1 & } &&
	wait_for_log "$HUB_LOG" "via node [0-9]* (n6)" &&
	admin redial n6 >out &&
	grep "draining 0 relays" out &&
	grep "(n6): redial (operator): draining: no new requests; waiting for 0 relays and 1 dials" "$HUB_LOG" &&
	kill -s KILL $n6 &&
	wait_for_log "$HUB_LOG" "(n6) left" &&
	daemon_alive $HUB_PID &&
	test "$(sget alice-pool-ilife)" != "" &&
	daemon_alive $HUB_PID
'

test_expect_success 'sessions across a redial: soft moves, strict fails' '
	k=$(sget alice-pool-ilife-session-r1) &&
	# a strict session on the same node: try ids until one lands there
	r=; for id in r2 r3 r4 r5 r6 r7 r8 r9; do
		test "$(sget bob-pool-ilife-session-$id-strict)" = "$k" &&
		r=$id && break
	done &&
	test -n "$r" &&
	echo 3 >slow-redial &&
	rk=$(grep -c "($k) redialed (operator)" "$HUB_LOG") &&
	admin redial $k &&
	wait_for_log "$HUB_LOG" "($k) left to redial" &&
	jnode $k | grep "\"state\":\"redialing\"" &&
	admin info | grep "away redialing" &&
	m=$(sget alice-pool-ilife-session-r1) &&
	test -n "$m" && test "$m" != "$k" &&
	code=$(tcurl -o body -w "%{http_code}" \
		-x "http://bob-pool-ilife-session-$r-strict:pw@127.0.0.1:$HTTP_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small") &&
	test "$code" = 502 &&
	grep "session $r: its exit node is gone (strict)" body &&
	wait_for_count "$HUB_LOG" "($k) redialed (operator)" $((rk + 1)) 15 &&
	rm -f slow-redial &&
	test_must_fail tcurl -x "socks5h://bob-pool-ilife-session-$r-strict:pw@127.0.0.1:$SOCKS_PORT" \
		"http://127.0.0.1:$ORIGIN_PORT/small" 2>err &&
	grep "(4)" err &&
	test "$(sget alice-pool-ilife-session-r1)" = "$m"
'

test_expect_success 'undrain cancels a redial still draining' '
	tcurl -x "socks5h://alice-node-n2:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/slow/100000/100 -o slow2.out &
	slow=$! &&
	wait_until 10 test -s slow2.out &&
	admin redial n2 >out &&
	grep "draining 1 relays" out &&
	admin undrain n2 >out &&
	grep "(n2) back in service; its redial was cancelled" out &&
	wait $slow &&
	"$ORIGIN" -gen 100000 | cmp - slow2.out &&
	test "$(sget alice-node-n2)" = n2 &&
	jnode n2 | grep "\"state\":\"up\""
'

test_expect_success 'relays that outlive a control link are waited for after it comes back' '
	tcurl -x "socks5h://alice-node-n1:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/slow/200000/400 -o slow4.out &
	slow=$! &&
	wait_until 10 test -s slow4.out &&
	j0=$(grep -c "(n1) joined" "$HUB_LOG") &&
	kill -s STOP $NODE_PID_n1 &&
	wait_for_log "$HUB_LOG" "(n1) left: heartbeat timeout" &&
	kill -s CONT $NODE_PID_n1 &&
	wait_for_count "$HUB_LOG" "(n1) joined" $((j0 + 1)) &&
	jnode n1 | grep "\"relays\":1," &&
	r1=$(grep -c "(n1) redialed (operator)" "$HUB_LOG") &&
	admin redial n1 >out &&
	grep "draining 1 relays" out &&
	wait $slow &&
	"$ORIGIN" -gen 200000 | cmp - slow4.out &&
	wait_for_count "$HUB_LOG" "(n1) redialed (operator) in [0-9]* ms: address 127.0.0.[12]1 -> 127.0.0.[12]1" $((r1 + 1)) &&
	! grep "(n1): redial.*redialing anyway" "$HUB_LOG"
'

test_expect_success 'the drain waits for a plain HTTP (absolute-form) download too' '
	tcurl -x "http://alice-node-n2:pw@127.0.0.1:$HTTP_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/slow/100000/100 -o slow3.out &
	slow=$! &&
	wait_until 10 test -s slow3.out &&
	admin redial n2 >out &&
	grep "draining 1 relays" out &&
	wait $slow &&
	"$ORIGIN" -gen 100000 | cmp - slow3.out &&
	wait_for_log "$HUB_LOG" "(n2) redialed (operator) in [0-9]* ms: address 127.0.0.12 -> 127.0.0.22" &&
	! grep "(n2): redial.*redialing anyway" "$HUB_LOG"
'

# n1_planned: n1 is in service, redialed twice or more, next one planned
# (between cycles: during one it is draining or away).
n1_planned () {
	jnode n1 >n1p.json &&
	grep "\"redials\":[2-9]" n1p.json &&
	grep "\"next_redial\":[1-9]" n1p.json
}

test_expect_success 'interval: every node redials, one at a time, spread' '
	# (n3 redials once, then declines: its redial_min_interval is 1h)
	rm -f redials.log &&
	echo 0.3 >slow-redial &&
	fleet -redial-interval 2s -redial-grace 1s -session-max-life 2s &&
	wait_for_count redials.log "^end n1 " 2 30 &&
	wait_for_count redials.log "^end n2 " 2 30 &&
	wait_for_count redials.log "^end n3 " 1 30 &&
	cat redials.log &&
	# sorted by time, a start never comes before the previous end
	sort -k3 -n redials.log | awk "
		\$1 == \"start\" && busy { bad = 1 }
		\$1 == \"start\" { busy = 1 }
		\$1 == \"end\" { busy = 0 }
		END { exit bad }" &&
	! grep "start n4" redials.log &&
	wait_until 10 n1_planned
'

test_expect_success 'sessions expire after -session-max-life, used or not' '
	test "$(sget carol-node-n4-session-t1)" = n4 &&
	test "$(sget carol-node-n4-session-t1)" = n4 &&
	test $(grep -c "session t1 of carol: on node" "$HUB_LOG") = 1 &&
	sleep 2 &&
	test "$(sget carol-node-n4-session-t1)" = n4 &&
	test $(grep -c "session t1 of carol: on node" "$HUB_LOG") = 2
'

test_done
