#!/bin/sh
test_description='tentacle info: table and -json with two nodes, counters'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# json_field NAME FIELD: FIELD's raw value in node NAME's object (info.json
# flattened to one object per line).
json_flat () {
	tr -d '\n' <info.json | sed 's/}/}\n/g' >info.flat
}
json_node () {
	grep "\"name\": *\"$1\"" info.flat
}
json_field () {
	json_node "$1" | sed -n "s/.*\"$2\": *\\([^,}]*\\).*/\\1/p" | head -n 1
}

test_expect_success 'setup: hub, two nodes, origin' '
	start_hub -heartbeat 200ms &&
	start_node n1 alpha beta &&
	start_node n2 &&
	start_origin
'

test_expect_success 'info prints a header and one row per node' '
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	cat info.out &&
	head -n 1 info.out >header &&
	grep ID header && grep NAME header && grep POOLS header &&
	grep ADDRESS header &&
	test $(grep -c -w "n1\|n2" info.out) = 2 &&
	grep -w n1 info.out | grep alpha | grep beta &&
	grep -w n2 info.out | grep default &&
	grep -w n1 info.out | grep "127\.0\.0\.1:[0-9]"
'

test_expect_success 'info -json: both nodes with every field' '
	info_json &&
	cat info.json &&
	grep "\"nodes\"" info.json &&
	json_flat &&
	for k in id name pools remote os arch version since relays dials_ok \
	    dials_failed bytes_up bytes_down rtt_us; do
		test $(grep -c "\"$k\":" info.flat) = 2 ||
		{ echo "field $k not in both nodes"; return 1; }
	done &&
	json_node n1 | tr -d " " | grep "\"pools\":\[\"alpha\",\"beta\"\]" &&
	json_node n2 | tr -d " " | grep "\"pools\":\[\"default\"\]" &&
	test "$(json_field n1 os)" = "\"$(uname -s | tr A-Z a-z)\"" &&
	json_field n1 version | grep "0\.1\.0" &&
	json_field n1 remote | grep "\"127\.0\.0\.1:[0-9][0-9]*\"" &&
	test "$(json_field n1 id)" != "$(json_field n2 id)"
'

test_expect_success 'info -json is valid JSON' '
	if command -v python3 >/dev/null 2>&1 &&
	   python3 -c "import json" 2>/dev/null; then
		python3 -c "import json,sys; d=json.load(open(\"info.json\")); assert len(d[\"nodes\"]) == 2" 
	else
		echo "no python3: structure checked by grep only"
	fi
'

test_expect_success 'since is a unix time near now, rtt measured' '
	info_json && json_flat &&
	now=$(date +%s) &&
	since=$(json_field n1 since) &&
	test "$since" -le "$now" && test "$since" -gt $((now - 300)) &&
	wait_until 5 info_rtt_seen
'

test_expect_success 'counters: dials and bytes after a transfer' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/300000 -o got &&
	test $(wc -c <got) = 300000 &&
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 1 2>rep &&
	info_json && json_flat &&
	ok=$(( $(json_field n1 dials_ok) + $(json_field n2 dials_ok) )) &&
	failed=$(( $(json_field n1 dials_failed) + $(json_field n2 dials_failed) )) &&
	down=$(( $(json_field n1 bytes_down) + $(json_field n2 bytes_down) )) &&
	up=$(( $(json_field n1 bytes_up) + $(json_field n2 bytes_up) )) &&
	echo "ok=$ok failed=$failed up=$up down=$down" &&
	test $ok = 1 && test $failed = 1 &&
	test $down -gt 300000 && test $up -gt 50
'

test_expect_success 'relays drop back to 0 when done' '
	wait_until 5 info_no_relays
'

test_expect_success 'info finds the admin socket in the state directory' '
	test "$ADMIN_SOCK" = "$TENTACLE_STATE_DIR/admin.sock" &&
	test -S "$ADMIN_SOCK" &&
	"$TENTACLE" info >info2.out &&
	grep -w n1 info2.out && grep -w n2 info2.out
'

test_expect_success 'the admin socket is 0660, in a 0700 state directory' '
	ls -ld "$TENTACLE_STATE_DIR" | grep "^drwx------" &&
	ls -l "$ADMIN_SOCK" | grep "^srw-rw---- "
'

test_expect_success 'tentacler info (alias, client-style flags: -state-dir)' '
	ln -s "$TENTACLE" tentacler &&
	(TENTACLE_STATE_DIR=/nonexistent &&
	 ./tentacler -state-dir "${ADMIN_SOCK%/admin.sock}" info -json) \
		>info3.json &&
	grep "\"n1\"" info3.json && grep "\"n2\"" info3.json
'

test_expect_success 'info -server: refused, says where admin commands go' '
	test_expect_code 2 "$TENTACLE" info -server 127.0.0.1:$CONTROL_PORT \
		2>err &&
	grep "admin socket" err
'

test_expect_success 'info without a hub at -admin PATH: says what to check' '
	test_must_fail "$TENTACLE" info -admin "$TRASH_DIRECTORY/no.sock" 2>err &&
	grep "hub running on this machine" err
'

test_expect_success 'a stopped node leaves the list' '
	stop_daemon $NODE_PID_n2 &&
	wait_until 5 info_has_nodes 1 &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	! grep -w n2 info.out && grep -w n1 info.out
'

test_expect_success 'info with no hub: an error line, non-zero exit' '
	stop_daemon $HUB_PID &&
	rm -f "$HOME/.tentacler" &&
	test_must_fail "$TENTACLE" info -admin "$ADMIN_SOCK" >out 2>err &&
	! test -e "$ADMIN_SOCK" &&
	test -s err &&
	test $(wc -l <err) -le 2
'

test_done
