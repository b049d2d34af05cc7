#!/bin/sh
test_description='relay log lines: SOCKS, HTTP CONNECT and plain HTTP name
the user, the node (id and name), the target, bytes each way, the duration
and how it ended, in the same words and order; the node names its side
alike; -log-format json gives one object a line, a relay'"'"'s fields as keys'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
if command -v python3 >/dev/null 2>&1 && python3 -c "import json" 2>/dev/null
then
	test_set_prereq PYTHON
fi

# three PASS: one request through each front as alice:PASS.
three () {
	tcurl --socks5-hostname "alice:$1@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/bytes/1000 >s.out &&
	tcurl -p -x "http://alice:$1@127.0.0.1:$HTTP_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/bytes/2000 >c.out &&
	tcurl -x "http://alice:$1@127.0.0.1:$HTTP_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/bytes/3000 >h.out &&
	test $(wc -c <s.out) = 1000 && test $(wc -c <c.out) = 2000 &&
	test $(wc -c <h.out) = 3000
}

# shape: relay lines of stdin with their values masked, to compare.
shape () {
	sed -e 's/.* relay [a-z]* [^ ]*: /relay P C: /' \
	    -e 's/closed ([^)]*)/closed (E)/' -e 's/[0-9][0-9]*/N/g'
}

test_expect_success 'setup: a user, origin, hub, node' '
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>/dev/null &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1 &&
	ID=$(sed -n "s/.*node ready: node \([0-9]*\) (n1).*/\1/p" "$NODE_LOG" |
		tail -n 1) &&
	test -n "$ID"
'

test_expect_success 'SOCKS, CONNECT and plain HTTP: one line each, every field' '
	three wonderland &&
	T="target 127\.0\.0\.1:$ORIGIN_PORT" &&
	wait_for_log "$HUB_LOG" "INFO relay socks 127\.0\.0\.1:[0-9]*: user alice, node $ID (n1), $T, closed (done), [0-9]* bytes up, 1[0-9][0-9][0-9] down, [0-9]*\.[0-9][0-9][0-9]s\$" &&
	wait_for_log "$HUB_LOG" "INFO relay connect 127\.0\.0\.1:[0-9]*: user alice, node $ID (n1), $T, closed (done), [0-9]* bytes up, 2[0-9][0-9][0-9] down, [0-9]*\.[0-9][0-9][0-9]s\$" &&
	wait_for_log "$HUB_LOG" "INFO relay http 127\.0\.0\.1:[0-9]*: user alice, node $ID (n1), $T, closed (GET -> 200), [0-9]* bytes up, 3[0-9][0-9][0-9] down, [0-9]*\.[0-9][0-9][0-9]s\$"
'

test_expect_success 'the three lines have the same fields in the same order' '
	grep "INFO relay \(socks\|connect\|http\) " "$HUB_LOG" | shape >shapes &&
	test $(wc -l <shapes) = 3 &&
	test $(sort -u shapes | wc -l) = 1 &&
	cat shapes
'

test_expect_success 'the node names its side alike: id, name, target' '
	wait_for_count "$NODE_LOG" "INFO relay dial [0-9]*: user -, node $ID (n1), target 127\.0\.0\.1:$ORIGIN_PORT, closed (done), [0-9]* bytes up, [0-9]* down, [0-9.]*s\$" 3
'

test_expect_success 'a request refused before a node: the same line, node -' '
	test_must_fail tcurl -f -x "http://alice:wrong@127.0.0.1:$HTTP_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	wait_for_log "$HUB_LOG" "INFO relay http 127\.0\.0\.1:[0-9]*: user -, node - (-), target 127\.0\.0\.1:$ORIGIN_PORT, closed (GET -> 407), 0 bytes up, [0-9]* down, [0-9.]*s\$"
'

test_expect_success '-log-format json: hub and node, one object a line' '
	stop_daemon $NODE_PID_n1 &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" -log-format json &&
	start_node j1 -log-format json &&
	three wonderland &&
	wait_for_log "$HUB_LOG" "\"event\":\"relay\",\"proto\":\"http\"" &&
	wait_for_count "$NODE_LOG" "\"event\":\"relay\",\"proto\":\"dial\"" 3 &&
	grep "^{\"time\":\"[0-9-]*T[0-9:.]*[-+][0-9][0-9]:[0-9][0-9]\",\"level\":\"INFO\",\"program\":\"tentacled\",\"message\":\"hub ready: " "$HUB_LOG" &&
	grep "^{\"time\":\"[^\"]*\",\"level\":\"INFO\",\"program\":\"tentacler\",\"message\":\"node ready: " "$NODE_LOG"
'

test_expect_success PYTHON 'every line parses; relay fields as keys' '
	python3 - "$HUB_LOG" "$NODE_LOG" "$ORIGIN_PORT" <<-\EOF
	import json, sys
	keys = ["time", "level", "program", "message"]
	relay = ["event", "proto", "client", "user", "node_id", "node",
	    "target", "bytes_up", "bytes_down", "duration_ms", "end"]
	seen = {}
	for path in sys.argv[1:3]:
	    for line in open(path, encoding="ascii"):
	        d = json.loads(line)
	        assert list(d)[:4] == keys, line
	        if d.get("event") == "relay" and d["level"] == "INFO":
	            assert list(d)[4:] == relay, line
	            seen[d["proto"]] = d
	want = "127.0.0.1:" + sys.argv[3]
	for p, size, end in (("socks", 1000, "done"), ("connect", 2000, "done"),
	    ("http", 3000, "GET -> 200"), ("dial", 0, "done")):
	    d = seen[p]
	    assert d["target"] == want, d
	    assert d["node"] == "j1" and d["node_id"] > 0, d
	    assert d["end"] == end, d
	    assert d["bytes_down"] >= size and d["bytes_up"] > 0, d
	    assert d["user"] == ("" if p == "dial" else "alice"), d
	    assert ("closed (%s)" % end) in d["message"], d
	EOF
'

test_expect_success PYTHON 'peer text with a quote and a backslash: valid JSON' '
	stop_daemon $HUB_PID &&
	start_hub -log-format json &&
	test_must_fail tcurl --socks5-hostname "q%22b%5Cx:pw@127.0.0.1:$SOCKS_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	wait_for_log "$HUB_LOG" "refused: bad character in user name" &&
	python3 - "$HUB_LOG" <<-\EOF
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1], encoding="ascii")]
	assert any("user name \"q\"b\\x5cx\" refused" in d["message"]
	    for d in lines), lines[-1]
	EOF
'

test_expect_success '-log-format other: refused at start' '
	test_expect_code 2 "$TENTACLE" server -log-format yaml 2>err &&
	grep "log-format: \"yaml\": text or json" err &&
	test_expect_code 2 "$TENTACLE" start -server 127.0.0.1:1 -log-format x 2>err &&
	grep "log_format \"x\": text or json" err
'

test_done
