#!/bin/sh
test_description='pool of warm data links: idle links before any request,
requests on them (SOCKS, HTTP CONNECT, 16 MiB, TLS and -insecure), refill,
a dead idle link is never handed out, pool 0, adaptive target'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
if command -v python3 >/dev/null 2>&1 &&
   python3 -c 'import os; os.pidfd_open' >/dev/null 2>&1; then
	test_set_prereq PIDFD
fi

# idle_links: the hub's pooled links of node 1 now (from its log).
idle_links () {
	sed -n 's/.*pool: node 1: idle link .* (\([0-9]*\) idle)$/\1/p' \
		"$HUB_LOG" | tail -n 1
}

# hub_idle N: the hub's log shows node N with an idle pooled link now
# (links added, minus dropped, minus handed a DIAL).
hub_idle () {
	awk -v n="$1" '
		$0 ~ "pool: node " n ": idle link .* idle[)]$" { c++ }
		$0 ~ "pool: node " n ": link .* idle again after its relay" { c++ }
		$0 ~ "pool: node " n ": idle link .* dropped" { c-- }
		$0 ~ "on pooled link .* of node " n " " { c-- }
		END { exit !(c > 0) }' "$HUB_LOG"
}

# established PID PORT: PID's TCP connections to 127.0.0.1:PORT.
established () {
	ss -Htnp state established "( dport = :$2 )" 2>/dev/null |
		grep -c "pid=$1,"
}

# shut_links PID PORT [local]: shutdown(2) every established socket of PID
# connected to PORT (with "local": accepted on PORT), through pidfd_getfd:
# the socket is shared, so PID and its peer both see the close.
shut_links () {
	python3 - "$1" "$2" "${3:-remote}" <<'PY'
import ctypes, os, socket, sys
pid, port = int(sys.argv[1]), int(sys.argv[2])
col = 1 if sys.argv[3] == 'local' else 2
inodes = set()
for f in ('/proc/%d/net/tcp' % pid, '/proc/%d/net/tcp6' % pid):
    try:
        lines = open(f).read().splitlines()[1:]
    except OSError:
        continue
    for l in lines:
        w = l.split()
        if int(w[col].split(':')[1], 16) == port and w[3] == '01':
            inodes.add(w[9])
libc = ctypes.CDLL(None, use_errno=True)
pfd = os.pidfd_open(pid)
n = 0
for fd in os.listdir('/proc/%d/fd' % pid):
    try:
        t = os.readlink('/proc/%d/fd/%s' % (pid, fd))
    except OSError:
        continue
    if t.startswith('socket:[') and t[8:-1] in inodes:
        mine = libc.syscall(438, pfd, int(fd), 0)
        if mine < 0:
            sys.exit('pidfd_getfd: errno %d' % ctypes.get_errno())
        s = socket.socket(fileno=mine)
        s.shutdown(socket.SHUT_RDWR)
        s.close()
        n += 1
print(n)
PY
}

# -heartbeat 2s: the retry test stops the node; the hub must not call it
# gone (three silent heartbeats) before the links are shut under load.
test_expect_success 'setup: origin, TLS hub, node with -pool-size 4' '
	start_origin &&
	start_hub -heartbeat 2s &&
	start_node n1 -pool-size 4 &&
	wait_for_count "$HUB_LOG" "pool: node 1: idle link .* (4 idle)" 1
'

test_expect_success 'the idle links are established TCP connections of the node' '
	wait_until 5 test "$(established $NODE_PID $DATA_PORT)" -ge 1
'

# keepalives N PORT SIDE: at least N established sockets to (SIDE dport)
# or from (sport) 127.0.0.1:PORT have TCP keepalive on.
keepalives () {
	test "$(ss -Htno state established "( $3 = :$2 )" 2>/dev/null |
		grep -c "timer:(keepalive")" -ge "$1"
}

test_expect_success 'idle pooled links get TCP keepalive after a heartbeat, both ends' '
	wait_until 10 keepalives 1 $DATA_PORT dport &&
	wait_until 10 keepalives 1 $DATA_PORT sport
'

test_expect_success 'SOCKS request on a pooled link (TLS)' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	grep "dial [0-9]*: on pooled link" "$HUB_LOG" &&
	grep "relaying on a pooled link" "$NODE_LOG"
'

test_expect_success 'HTTP CONNECT and 16 MiB on pooled links, intact' '
	"$ORIGIN" -gen 16777216 >expect16 &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got16 &&
	cmp expect16 got16 &&
	tcurl --socks5 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got16b &&
	cmp expect16 got16b &&
	test $(grep -c "dial [0-9]*: on pooled link" "$HUB_LOG") -ge 3
'

test_expect_success 'a link that carried a short request is idle again (reused)' '
	n=$(grep -c "pool: node 1: link .* idle again" "$HUB_LOG") &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_count "$HUB_LOG" "pool: node 1: link .* idle again" $((n + 1))
'

test_expect_success 'the pool refills after a long relay (its link is used once)' '
	n=$(grep -c "pool: node 1: idle link .* idle)$" "$HUB_LOG") &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/1000000 -o /dev/null &&
	wait_for_count "$HUB_LOG" "pool: node 1: idle link .* idle)$" $((n + 1))
'

test_expect_success 'a failed dial on a pooled link answers the user (refused)' '
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 1 2>rep &&
	grep "^REP 0x05" rep
'

test_expect_success PIDFD 'the node closes its idle links: the hub drops them, requests succeed' '
	wait_until 10 hub_idle 1 &&
	d=$(grep -c "idle link .* dropped" "$HUB_LOG" || :) &&
	k=$(shut_links $NODE_PID $DATA_PORT) &&
	test "$k" -ge 1 &&
	wait_for_count "$HUB_LOG" "idle link .* dropped" $((d + k)) &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	! grep "pooled link .* failed before the answer" "$HUB_LOG"
'

test_expect_success PIDFD 'a pooled link that dies after its DIAL: the dial is retried' '
	wait_until 10 hub_idle 1 &&
	kill -STOP $NODE_PID &&
	n=$(grep -c "dial [0-9]*: on pooled link" "$HUB_LOG") &&
	{ tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out.retry 2>err.retry &
	  cpid=$!; } &&
	wait_for_count "$HUB_LOG" "dial [0-9]*: on pooled link" $((n + 1)) &&
	k=$(shut_links $HUB_PID $DATA_PORT local) &&
	test "$k" -ge 1 &&
	wait_for_log "$HUB_LOG" "pooled link .* failed before the answer" &&
	kill -CONT $NODE_PID &&
	wait $cpid &&
	grep "quick brown fox" out.retry
'

test_expect_success 'adaptive: a burst raises the target' '
	stop_daemon $NODE_PID &&
	start_node n2 -pool-size 16 &&
	wait_for_log "$HUB_LOG" "pool: node 2 target 1 (was" &&
	i=0 && pids= &&
	while test $i -lt 12; do
		tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/bytes/2000000 -o par.$i &
		pids="$pids $!"
		i=$((i + 1))
	done &&
	for p in $pids; do
		wait $p || return 1
	done &&
	grep "pool: node 2 target" "$HUB_LOG" >targets &&
	sed -n "s/.*target \([0-9]*\) (was.*/\1/p" targets >t.list &&
	test "$(sort -n t.list | tail -n 1)" -ge 3
'

test_expect_success 'adaptive: idle, the target shrinks back to 1' '
	wait_for_count "$HUB_LOG" "pool: node 2 target 1 (was" 2 20 &&
	wait_for_count "$NODE_LOG" "the hub asks for 1 idle links" 2 5
'

test_expect_success 'plaintext (-insecure) hub and node: pooled links work' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure &&
	start_node n3 -insecure -pool-size 4 &&
	wait_for_log "$HUB_LOG" "pool: node [0-9]*: idle link" &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/bytes/16777216 -o got16 &&
	cmp expect16 got16 &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test $(grep -c "dial [0-9]*: on pooled link" "$HUB_LOG") -ge 2
'

test_expect_success '-pool-size 0: no pooled links, requests work' '
	stop_daemon $NODE_PID &&
	start_node n4 -insecure &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	! grep "pool:" "$NODE_LOG" &&
	test "$(established $NODE_PID $DATA_PORT)" = 0
'

test_expect_success 'hub -pool-max 0: pooled links refused, requests work' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -insecure -pool-max 0 &&
	start_node n5 -insecure -pool-size 4 &&
	wait_for_log "$HUB_LOG" "refused: 0 idle already" &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	! grep "on pooled link" "$HUB_LOG"
'

test_done
