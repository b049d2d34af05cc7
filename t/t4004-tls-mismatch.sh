#!/bin/sh
test_description='TLS on one side only: the node says which side speaks
TLS and what to change (read from the first bytes), not "the hub closed the
connection"; hints appear only where they apply'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# no_hint_server: the node's last "cannot connect" line does not send the
# user to check -server (the node did reach a hub).
no_hint_server () {
	grep "cannot connect to the hub" "$NODE_LOG" | tail -n 1 >last.line &&
	cat last.line &&
	! grep "check -server" last.line
}

test_expect_success 'setup: origin, a TLS hub' '
	start_origin &&
	start_hub -state-dir "$TRASH_DIRECTORY/hubA" &&
	FP=$(hub_fp)
'

test_expect_success 'TLS hub, node -insecure: "the hub speaks TLS; remove -insecure"' '
	spawn_node plain -insecure &&
	wait_for_log "$NODE_LOG" "cannot connect to the hub" &&
	grep "cannot connect to the hub 127\.0\.0\.1:$CONTROL_PORT: the hub speaks TLS; remove -insecure (and insecure: true) on the node" "$NODE_LOG" &&
	! grep "the hub closed the connection" "$NODE_LOG" &&
	no_hint_server &&
	wait_for_log "$HUB_LOG" "the node does not speak TLS: it sent plaintext frames (it runs -insecure or insecure: true); told it to remove -insecure" &&
	stop_daemon $NODE_PID &&
	info_has_nodes 0
'

test_expect_success 'a wrong pinned key: no -server hint, no -insecure hint' '
	spawn_node pinbad -fingerprint sha256:$(printf "%064d" 0 | tr 0 e) \
		-state-dir "$TRASH_DIRECTORY/pinstate" &&
	wait_for_log "$NODE_LOG" "does not match the pinned" &&
	no_hint_server &&
	! grep "insecure" last.line &&
	stop_daemon $NODE_PID
'

test_expect_success 'the TLS hub still serves a TLS node' '
	start_node good -fingerprint "$FP" &&
	hub_serves &&
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_expect_success '-insecure hub, TLS node: "the hub does not speak TLS: ... give the node -insecure"' '
	start_hub -insecure &&
	spawn_node tls -state-dir "$TRASH_DIRECTORY/tlsstate" &&
	wait_for_log "$NODE_LOG" "cannot connect to the hub" &&
	grep "cannot connect to the hub 127\.0\.0\.1:$CONTROL_PORT: TLS: the hub does not speak TLS: it answered in plaintext, so it runs -insecure; give the node -insecure (insecure: true)" "$NODE_LOG" &&
	! grep "the hub closed the connection" "$NODE_LOG" &&
	no_hint_server &&
	wait_for_log "$HUB_LOG" "a TLS client, but this hub runs -insecure" &&
	! test -e "$TRASH_DIRECTORY/tlsstate/known_hosts" &&
	stop_daemon $NODE_PID &&
	start_node plain2 -insecure &&
	hub_serves
'

test_expect_success 'nothing listening: the -server hint is where it applies' '
	port=$CONTROL_PORT &&
	stop_daemon $HUB_PID &&
	spawn_node lost -insecure &&
	wait_for_log "$NODE_LOG" "cannot connect to the hub" &&
	grep "cannot connect to the hub 127\.0\.0\.1:$port: Connection refused; retrying in [0-9]* ms (check -server / server_addr and that the hub runs)" "$NODE_LOG"
'

test_done
