#!/bin/sh
test_description='a node its host pauses (doc/protocol.md "Node status"):
HELLO attributes 11 and 12, STATUS, the WELCOME status byte.  A paused node
gets no new requests (its pool refuses, others serve), shows "paused by
host policy: REASON" in info, the API and /metrics, and is not lifted by
undrain; STATUS available puts it back; pausing again leaves a running
relay alone; a node that flaps is logged once a minute; a bad STATUS, or a
STATUS without attribute 11, drops that node only.  The paused node is
t/helper/fakenode -V (plaintext, -insecure), the other a real node'
. "$(dirname "$0")/test-lib.sh"

FAKENODE=$TENTACLE_HELPERS/fakenode
test -x "$FAKENODE" || error "helper not found: $FAKENODE (run make)"
test_have_prereq CURL || test_skip_all 'curl not found'

# via_phone URL: a request routed to pool phone (the fake node's only).
via_phone () {
	tcurl --socks5-hostname "u-pool-phone:pw@127.0.0.1:$SOCKS_PORT" "$@"
}

# phone_line PATTERN: the hub logged PATTERN about node phone.
phone_logged () {
	grep "node $PHONE_ID (phone) $1" "$HUB_LOG"
}

# flat_json: `tentacle info -json` on one line (strings keep their blanks).
flat_json () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json | tr -d "\n"
}

# api PATH: GET PATH on the admin socket, into api.out.
api () {
	tcurl --unix-socket "$ADMIN_SOCK" "http://localhost$1" >api.out
}

test_expect_success 'setup: origin, plaintext hub, node n1 in pool other' '
	start_origin &&
	start_hub -insecure -heartbeat 200ms &&
	start_node n1 -insecure other
'

test_expect_success 'an old node (no attribute 11): WELCOME without the status byte' '
	"$FAKENODE" -n old -T 5 $CONTROL_PORT >old.out &&
	cat old.out &&
	grep "^welcome node=" old.out &&
	grep "^welcome status=0$" old.out
'

test_expect_success 'attribute 12 without 11: refused at HELLO' '
	test_expect_code 3 "$FAKENODE" -n nostatus -P "no consent" -T 5 \
		$CONTROL_PORT >nostatus.out &&
	cat nostatus.out &&
	grep "^bye 1 " nostatus.out &&
	grep "HELLO paused without status frames" "$HUB_LOG" &&
	daemon_alive $HUB_PID
'

test_expect_success 'node phone joins paused: WELCOME has the status byte' '
	bg_start fake.phone "$FAKENODE" -n phone -p phone -s \
		-P "metered network" -e -V -T 120 \
		-x go1=available -x "go2=paused:battery low" \
		-x "go3=flap:12:no consent" $CONTROL_PORT &&
	PHONE_PID=$BG_PID &&
	wait_for_log fake.phone.out "^fakenode ready: node [0-9]*" &&
	PHONE_ID=$(sed -n "s/^fakenode ready: node //p" fake.phone.out) &&
	grep "^welcome status=1$" fake.phone.out &&
	wait_for_log "$HUB_LOG" \
		"node $PHONE_ID (phone) paused by host policy: metered network"
'

test_expect_success 'info: state paused, the reason, the count' '
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	cat info.out &&
	grep -w phone info.out | grep -w paused &&
	grep "^node $PHONE_ID (phone) paused by host policy: metered network$" \
		info.out &&
	grep "^2 nodes online (1 drained, paused or redialing)" info.out &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -node phone >detail.out &&
	cat detail.out &&
	grep "state      paused by host policy: metered network;" detail.out &&
	flat_json >flat.json &&
	grep "\"name\":\"phone\",.*\"state\":\"paused\"" flat.json &&
	grep "\"paused_reason\":\"metered network\"" flat.json &&
	grep "\"name\":\"n1\",.*\"paused_reason\":\"\"" flat.json &&
	grep "\"nodes_paused\":1" flat.json
'

test_expect_success 'the API: ?state=paused, events, /metrics' '
	api "/api/v1/nodes?state=paused" &&
	grep "\"name\":\"phone\"" api.out && ! grep "\"name\":\"n1\"" api.out &&
	api /api/v1/events &&
	tr -d "\n" <api.out | grep "\"type\":\"node_paused\",\"node\":$PHONE_ID,.*\"reason\":\"metered network\"" &&
	api /metrics &&
	grep "^tentacle_nodes_paused 1$" api.out &&
	grep "^tentacle_node_paused{id=\"$PHONE_ID\",node=\"phone\"} 1$" api.out &&
	grep "^tentacle_nodes{pool=\"phone\",state=\"paused\"} 1$" api.out &&
	grep "^tentacle_nodes{pool=\"other\",state=\"paused\"} 0$" api.out
'

test_expect_success 'paused: pool phone refuses, any other request goes to n1' '
	! via_phone http://127.0.0.1:$ORIGIN_PORT/small -o refused.out &&
	grep "paused" "$HUB_LOG" | grep "every exit node in pool phone" &&
	hub_serves_socks &&
	test "$(served_by)" = n1 &&
	! grep "^dial " fake.phone.out
'

test_expect_success 'undrain does not lift a host pause' '
	"$TENTACLE" undrain -admin "$ADMIN_SOCK" phone >undrain.out &&
	cat undrain.out &&
	grep "paused by host policy (metered network)" undrain.out &&
	flat_json | grep "\"state\":\"paused\"" &&
	! via_phone http://127.0.0.1:$ORIGIN_PORT/small -o refused.out &&
	test_must_fail "$TENTACLE" redial -admin "$ADMIN_SOCK" phone \
		>redial.out 2>&1 &&
	cat redial.out &&
	grep "paused by host policy" redial.out
'

test_expect_success 'drained and paused: both hold, undrain leaves the pause' '
	"$TENTACLE" drain -admin "$ADMIN_SOCK" phone &&
	flat_json | grep "\"name\":\"phone\",.*\"state\":\"drained\",.*\"paused_reason\":\"metered network\"" &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	grep "^node $PHONE_ID (phone) paused by host policy: metered network (and drained)$" info.out &&
	"$TENTACLE" undrain -admin "$ADMIN_SOCK" phone >undrain.out &&
	cat undrain.out &&
	grep "undrained; still paused by host policy (metered network)" \
		undrain.out &&
	flat_json | grep "\"name\":\"phone\",.*\"state\":\"paused\""
'

test_expect_success 'STATUS available: phone takes requests again' '
	touch go1 &&
	wait_for_log fake.phone.out "^status sent available" &&
	wait_for_log "$HUB_LOG" "node $PHONE_ID (phone) available again" &&
	via_phone http://127.0.0.1:$ORIGIN_PORT/small >phone.out &&
	grep "quick brown fox" phone.out &&
	grep "^dial [0-9]* 127.0.0.1:$ORIGIN_PORT" fake.phone.out &&
	test "$(served_by)" = phone &&
	flat_json >flat.json &&
	grep "\"name\":\"phone\",.*\"state\":\"up\"" flat.json &&
	grep "\"nodes_paused\":0" flat.json &&
	api /api/v1/events &&
	grep "\"node_available\"" api.out
'

test_expect_success 'paused again: no new requests, the running relay goes on' '
	via_phone http://127.0.0.1:$ORIGIN_PORT/slow/1000000/200 -o slow.out &
	SLOW_PID=$! &&
	wait_until 10 eval "flat_json | grep \"\\\"name\\\":\\\"phone\\\",[^}]*\\\"relays\\\":1\"" &&
	touch go2 &&
	wait_for_log "$HUB_LOG" \
		"node $PHONE_ID (phone) paused by host policy: battery low; no new requests, 1 relays continue" &&
	ndial=$(grep -c "^dial " fake.phone.out) &&
	! via_phone http://127.0.0.1:$ORIGIN_PORT/small -o refused.out &&
	test "$(grep -c "^dial " fake.phone.out)" = "$ndial" &&
	wait $SLOW_PID &&
	test $(wc -c <slow.out) = 1000000 &&
	wait_until 5 info_no_relays &&
	flat_json | grep "\"paused_reason\":\"battery low\""
'

test_expect_success 'a node that flaps: logged one by one up to 10, then held' '
	before=$(grep -c "node $PHONE_ID (phone) \(paused by host\|available again\)" "$HUB_LOG") &&
	touch go3 &&
	wait_for_log fake.phone.out "^status sent flap:12" &&
	wait_for_log "$HUB_LOG" "node $PHONE_ID (phone): host policy changed its state more than 10 times in a minute" &&
	wait_until 5 eval "flat_json | grep \"\\\"paused_reason\\\":\\\"no consent\\\"\"" &&
	after=$(grep -c "node $PHONE_ID (phone) \(paused by host\|available again\)" "$HUB_LOG") &&
	echo "logged $before then $after" &&
	test $((after - before)) -le 10 &&
	daemon_alive $HUB_PID &&
	daemon_alive $PHONE_PID
'

# bad_status NAME WHAT...: fake node NAME (-s) sends the STATUS of each
# WHAT (fakenode -x) at once; the hub drops it with BYE(protocol), logs
# why, and serves on.
bad_status () {
	bs_name=$1
	shift
	bs_x=
	for bs_w; do
		bs_x="$bs_x -x 0=$bs_w"
	done
	test_expect_code 3 "$FAKENODE" -n $bs_name -s -V -T 10 $bs_x \
		$CONTROL_PORT >$bs_name.out
	bs_rc=$?
	cat $bs_name.out
	test $bs_rc = 0 &&
	grep "^bye 1 protocol error" $bs_name.out &&
	grep "node [0-9]* ($bs_name) left: protocol error: " "$HUB_LOG" &&
	daemon_alive $HUB_PID
}

test_expect_success 'bad STATUS: unknown state' '
	bad_status badstate hex:02 &&
	grep "(badstate) left: protocol error: unknown state in STATUS" "$HUB_LOG"
'

test_expect_success 'bad STATUS: paused without a reason, a reason when available, empty' '
	bad_status noreason hex:01 &&
	grep "(noreason) left: protocol error: STATUS paused without a reason" "$HUB_LOG" &&
	bad_status availreason hex:00414243 &&
	grep "(availreason) left: protocol error: trailing bytes in frame" "$HUB_LOG" &&
	bad_status empty hex: &&
	grep "(empty) left: protocol error: malformed STATUS" "$HUB_LOG"
'

test_expect_success 'bad STATUS: not printable, too long' '
	bad_status ctrl hex:0161620a63 &&
	grep "(ctrl) left: protocol error: STATUS reason not printable" "$HUB_LOG" &&
	long=$(printf "%064d" 0) &&
	bad_status toolong "paused:$long" &&
	grep "(toolong) left: protocol error: STATUS reason too long" "$HUB_LOG"
'

test_expect_success 'STATUS from a node without attribute 11: dropped' '
	test_expect_code 3 "$FAKENODE" -n rogue -V -T 10 -x 0=available \
		$CONTROL_PORT >rogue.out &&
	cat rogue.out &&
	grep "^welcome status=0$" rogue.out &&
	grep "(rogue) left: protocol error: STATUS from a node whose HELLO did not offer it" "$HUB_LOG"
'

test_expect_success 'spare links: SPARE_TARGET 0 while paused, more when available' '
	bg_start fake.spare "$FAKENODE" -n spare -p sparepool -s -P "on battery" \
		-V -o -T 60 -x sp1=available -x "sp2=paused:hours" \
		$CONTROL_PORT &&
	wait_for_log fake.spare.out "^spare_target 0$" &&
	touch sp1 &&
	wait_for_log fake.spare.out "^spare_target [1-9][0-9]*$" &&
	touch sp2 &&
	wait_for_count fake.spare.out "^spare_target 0$" 2 &&
	cat fake.spare.out &&
	grep "pool: node [0-9]* target 0 (was [1-9][0-9]*): paused" "$HUB_LOG"
'

test_expect_success 'after all that: the hub serves, phone still connected' '
	hub_serves_socks &&
	daemon_alive $PHONE_PID &&
	flat_json | grep "\"name\":\"phone\""
'

test_done
