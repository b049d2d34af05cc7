#!/bin/sh
test_description='GET /api/v1/events: the ring of recent events (node
joins and leaves, an operator drain, failed proxy logins counted into one
event), ?since= and ?limit=, and ?follow=1 (server-sent events): a new
event within a second, keep-alive past the read timeout, a follower that
does not read dropped at the bound, the most followers at once, the hub
stopping with followers; a node'"'"'s failed authentication, a refusal at
a limit, a redial; the ring wrapping'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# evtool.py: the JSON checks, a client that never reads, many logins.
cat >evtool.py <<\EOF
import json, socket, struct, sys, time

def show(path):
    """Each event as one line "ID TYPE key=value..."; ids must increase
    and next must be the last id (or since, when none came)."""
    doc = json.load(open(path))
    last = 0
    for e in doc["events"]:
        if e["id"] <= last:
            sys.exit("ids do not increase: %d after %d" % (e["id"], last))
        if not isinstance(e["time"], int) or e["time"] < 1600000000000:
            sys.exit("bad time in %r" % e)
        last = e["id"]
        print(" ".join([str(e["id"]), e["type"]] +
            ["%s=%s" % (k, e[k]) for k in sorted(e)
             if k not in ("id", "type", "time")]))
    if doc["events"] and doc["next"] != last:
        sys.exit("next %d is not the last id %d" % (doc["next"], last))
    print("next=%d" % doc["next"])
    if "missed" in doc:
        print("missed=%d" % doc["missed"])

def sse(path):
    """The events in a text/event-stream, one line each, checked: every
    data line follows its id line and holds that id."""
    want = None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("id: "):
            want = int(line[4:])
        elif line.startswith("data: "):
            e = json.loads(line[6:])
            if e["id"] != want:
                sys.exit("data id %d after id: %r" % (e["id"], want))
            print("%d %s %s" % (e["id"], e["type"], e.get("name", "")))

def stall(sock, path):
    """A follower that never reads: a small receive buffer, no recv()."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(sock)
    s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" %
        path).encode())
    print("sent", flush=True)
    time.sleep(120)

def logins(port, prefix, n, log=None, until=None):
    """n SOCKS5 logins with a wrong password, a user name each, from
    127.0.0.2 (the failed-login limiter blocks that address only); every
    100, stop if the log holds until."""
    for i in range(n):
        if log and i % 100 == 0 and until in open(log).read():
            print("stopped after %d logins" % i)
            return
        u = ("%s%05d" % (prefix * 6, i)).encode()
        s = socket.create_connection(("127.0.0.1", port),
            source_address=("127.0.0.2", 0))
        s.sendall(b"\x05\x01\x02\x01" + bytes([len(u)]) + u + b"\x01x")
        s.recv(16)
        s.close()

cmd = sys.argv[1]
if cmd == "show":
    show(sys.argv[2])
elif cmd == "sse":
    sse(sys.argv[2])
elif cmd == "stall":
    stall(sys.argv[2], sys.argv[3])
elif cmd == "logins":
    logins(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
EOF

# events ARGS: GET /api/v1/events?ARGS into ev.json, shown in ev.txt.
events () {
	tcurl --unix-socket "$ADMIN_SOCK" \
		"http://localhost/api/v1/events${1:+?$1}" >ev.json &&
	python3 evtool.py show ev.json >ev.txt &&
	cat ev.txt
}

# serves: a request through the hub's SOCKS port as alice.
serves () {
	tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >serves.out &&
	grep "quick brown fox" serves.out
}

# refused_event: a request as alice is refused; the events hold a refusal.
refused_event () {
	test_must_fail tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small 2>/dev/null &&
	events && grep "^[0-9]* refused " ev.txt
}

# redial_done_event: the events after $since hold a redial_done.
redial_done_event () {
	events "since=$since" && grep "^[0-9]* redial_done " ev.txt
}

# next_id: the "next" of the last events call.
next_id () {
	sed -n 's/^next=//p' ev.txt
}

# follow NAME [ARGS]: curl follows the events into NAME.out (pid in
# FOLLOW_PID), once the hub says it has N+1 followers.
follow () {
	fl_n=$(grep -c "follows the events" "$HUB_LOG")
	curl -q -sS -N --unix-socket "$ADMIN_SOCK" \
		"http://localhost/api/v1/events?follow=1${2:+&$2}" \
		>"$1.out" 2>"$1.err" &
	FOLLOW_PID=$!
	test_atexit "kill $FOLLOW_PID 2>/dev/null"
	wait_for_count "$HUB_LOG" "follows the events" $((fl_n + 1))
}

test_expect_success 'setup: users file, hub, origin, node n1, a follower' '
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>/dev/null &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	follow early &&
	EARLY_PID=$FOLLOW_PID &&
	start_node n1 &&
	serves
'

test_expect_success 'a node joining and leaving: events with increasing ids' '
	start_node n2 &&
	stop_daemon $NODE_PID_n2 &&
	wait_for_log "$HUB_LOG" "node [0-9]* (n2) left" &&
	events &&
	grep "^[0-9]* node_joined addr=127.0.0.1:[0-9]* name=n1 node=1 pools=default\$" ev.txt &&
	grep "^[0-9]* node_joined .*name=n2 node=2 " ev.txt &&
	grep "^[0-9]* node_left name=n2 node=2 reason=node said goodbye" ev.txt &&
	j=$(sed -n "s/^\([0-9]*\) node_joined .*name=n2 .*/\1/p" ev.txt) &&
	l=$(sed -n "s/^\([0-9]*\) node_left .*name=n2 .*/\1/p" ev.txt) &&
	test "$l" -gt "$j"
'

test_expect_success '?since= gives only newer events; tentacle drain is one' '
	events &&
	since=$(next_id) &&
	"$TENTACLE" drain n1 -admin "$ADMIN_SOCK" &&
	"$TENTACLE" undrain n1 -admin "$ADMIN_SOCK" &&
	events "since=$since" &&
	test $(grep -c "^[0-9]" ev.txt) = 2 &&
	head -n 1 ev.txt | grep "^$((since + 1)) admin message=node 1 (n1) drained: .* name=n1 node=1 op=drain outcome=done\$" &&
	sed -n 2p ev.txt | grep "^$((since + 2)) admin .* op=undrain outcome=done\$" &&
	events "since=$((since + 2))" &&
	! grep "^[0-9]" ev.txt &&
	test "$(next_id)" = $((since + 2)) &&
	events "since=$since&limit=1" &&
	test $(grep -c "^[0-9]" ev.txt) = 1 &&
	test "$(next_id)" = $((since + 1)) &&
	events "limit=1" &&
	grep "^$((since + 2)) admin " ev.txt
'

test_expect_success 'bad since, limit, follow or method: 400 and 405 in JSON' '
	for q in since=x since=-1 since=99999999999999999999 limit=0 \
	    limit=1025 limit=1x follow=2; do
		code=$(http_status --unix-socket "$ADMIN_SOCK" \
			"http://localhost/api/v1/events?$q") &&
		test "$code" = 400 &&
		grep "\"status\":400" http.body || return 1
	done &&
	code=$(http_status --unix-socket "$ADMIN_SOCK" -X POST \
		-H "X-Tentacle-Csrf: 1" http://localhost/api/v1/events) &&
	test "$code" = 405 &&
	grep "^Allow: GET" http.head
'

test_expect_success 'failed proxy logins: one event per address and user, repeats counted' '
	events && since=$(next_id) &&
	for i in 1 2 3; do
		test_must_fail tcurl -x socks5h://alice:wrong@127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/small || return 1
	done &&
	test_must_fail tcurl -x socks5h://mallory:x@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	events "since=$since" &&
	test $(grep -c "^[0-9]" ev.txt) = 2 &&
	grep "^[0-9]* login_failed addr=127.0.0.1 front=socks last=[0-9]* reason=wrong password repeated=2 user=alice\$" ev.txt &&
	grep "^[0-9]* login_failed addr=127.0.0.1 front=socks reason=unknown user user=mallory\$" ev.txt
'

test_expect_success 'a follower gets a node joining within a second' '
	follow f1 &&
	start_node n3 &&
	wait_for_log f1.out "\"type\":\"node_joined\".*\"name\":\"n3\"" 1 &&
	python3 evtool.py sse f1.out >f1.txt &&
	cat f1.txt &&
	grep " node_joined n3\$" f1.txt &&
	kill $FOLLOW_PID &&
	wait_for_log "$HUB_LOG" "events follower gone"
'

test_expect_success 'follow with since: the backlog first, then new events' '
	events && since=$(next_id) &&
	"$TENTACLE" drain n1 -admin "$ADMIN_SOCK" &&
	follow f2 "since=$since" &&
	wait_for_log f2.out "\"op\":\"drain\"" 1 &&
	"$TENTACLE" undrain n1 -admin "$ADMIN_SOCK" &&
	wait_for_log f2.out "\"op\":\"undrain\"" 1 &&
	python3 evtool.py sse f2.out >f2.txt &&
	cat f2.txt &&
	test "$(cut -d" " -f1 f2.txt | tr "\n" " ")" = "$((since + 1)) $((since + 2)) " &&
	kill $FOLLOW_PID
'

test_expect_success 'a follower that does not read is dropped at 256 KiB; the hub serves on' '
	python3 evtool.py stall "$ADMIN_SOCK" \
		"/api/v1/events?follow=1&since=0&limit=1024" >stall.out &
	STALL_PID=$! &&
	test_atexit "kill $STALL_PID 2>/dev/null" &&
	wait_for_log stall.out "^sent" &&
	wait_for_log "$HUB_LOG" "follows the events" &&
	python3 evtool.py logins $SOCKS_PORT stall.user.name. 5000 \
		"$HUB_LOG" "events follower dropped" &&
	wait_for_log "$HUB_LOG" "events follower dropped: [0-9]* bytes unsent" &&
	unsent=$(sed -n "s/.*events follower dropped: \([0-9]*\) bytes.*/\1/p" "$HUB_LOG") &&
	echo "unsent $unsent" &&
	test "$unsent" -gt 262144 && test "$unsent" -lt 266240 &&
	info_json && grep "\"name\":\"n1\"" info.json &&
	serves &&
	daemon_alive $EARLY_PID
'

test_expect_success 'the ring keeps the last 1024 events; since= older says how many were missed' '
	python3 evtool.py logins $SOCKS_PORT wrap. 300 &&
	events "since=1&limit=1024" >/dev/null &&
	next=$(next_id) &&
	test $(grep -c "^[0-9]" ev.txt) = 1024 &&
	test "$(head -n 1 ev.txt | cut -d" " -f1)" = $((next - 1023)) &&
	grep "^missed=$((next - 1024 - 1))\$" ev.txt &&
	events "limit=1" &&
	grep "^$next login_failed .*user=wrap.wrap.wrap.wrap.wrap.wrap.00299\$" ev.txt
'

test_expect_success 'the early follower outlived the read timeout and keeps getting events' '
	wait_for_log early.out "^: keepalive\$" 20 &&
	start_node n4 &&
	wait_for_log early.out "\"type\":\"node_joined\".*\"name\":\"n4\"" 1 &&
	python3 evtool.py sse early.out >early.txt &&
	grep " node_joined n1\$" early.txt &&
	grep " node_joined n4\$" early.txt
'

test_expect_success 'at most 8 followers: the 9th gets 503 in JSON; ended ones make room' '
	pids= &&
	for i in 2 3 4 5 6 7 8; do
		follow many$i || return 1
		pids="$pids $FOLLOW_PID"
	done &&
	grep "(8 followers)" "$HUB_LOG" &&
	code=$(http_status --unix-socket "$ADMIN_SOCK" \
		"http://localhost/api/v1/events?follow=1") &&
	test "$code" = 503 &&
	grep "\"message\":\"8 clients follow the events already" http.body &&
	info_json &&
	gone=$(grep -c "events follower gone" "$HUB_LOG") &&
	kill $pids &&
	wait_for_count "$HUB_LOG" "events follower gone" $((gone + 7)) &&
	follow again
'

test_expect_success 'the hub stops cleanly with followers connected' '
	follow last &&
	stop_daemon $HUB_PID &&
	grep "events follower ended: the hub stops" "$HUB_LOG" &&
	test $(grep -c "events follower ended: the hub stops" "$HUB_LOG") = 3
'

test_expect_success 'another hub (-tokens, -max-conns-per-ip 1): a node with an unknown token and a refusal at the limit are events' '
	use_tokens &&
	start_hub -users "$TRASH_DIRECTORY/users" -max-conns-per-ip 1 &&
	other=$("$TENTACLE" token) &&
	spawn_node intruder -token "$other" &&
	wait_for_log "$HUB_LOG" "node \"intruder\" refused: its token is not in the tokens file" &&
	kill_daemon $NODE_PID &&
	{ sleep 20 | "$TCPC" -T 21 $SOCKS_PORT >/dev/null 2>&1 & } &&
	holder=$! &&
	wait_until 15 refused_event &&
	kill $holder &&
	cat ev.txt &&
	grep "^[0-9]* node_auth_failed addr=127.0.0.1 name=intruder reason=its token is not in the tokens file\$" ev.txt &&
	grep "^[0-9]* refused addr=127.0.0.1 front=socks limit=-max-conns-per-ip\$" ev.txt
'

test_expect_success 'a redial: started, the node leaving and back, done with the old and the new address' '
	cat >rd.sh <<-\EOF &&
	sed "s/^bind: .*/bind: 127.0.0.21/" "$1" >"$1.new" && mv "$1.new" "$1"
	EOF
	printf "bind: 127.0.0.11\nredial: \"sh %s/rd.sh %s/rd.conf\"\nredial_min_interval: 0s\n" \
		"$TRASH_DIRECTORY" "$TRASH_DIRECTORY" >rd.conf &&
	start_node rd -config "$TRASH_DIRECTORY/rd.conf" &&
	events && since=$(next_id) &&
	"$TENTACLE" redial rd -admin "$ADMIN_SOCK" &&
	wait_until 10 redial_done_event &&
	grep "^[0-9]* redial_started name=rd node=[0-9]* reason=operator\$" ev.txt &&
	grep "^[0-9]* node_left name=rd node=[0-9]* reason=" ev.txt &&
	grep "^[0-9]* node_joined addr=127.0.0.21:[0-9]* name=rd " ev.txt &&
	grep "^[0-9]* redial_done name=rd new=127.0.0.21 node=[0-9]* old=127.0.0.11 reason=operator\$" ev.txt
'

test_done
