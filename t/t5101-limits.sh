#!/bin/sh
test_description='connection limits for proxy users: -max-conns-per-ip,
-max-conns-per-user, -max-clients (SOCKS REP 0x01/0x02, HTTP 429/503 with
Retry-After), counts released when tunnels close, refusal log rate limit;
out of descriptors (ulimit -n 64): accepts pause, no spinning, service
resumes'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# socks_login_connect USER PASS PORT: greeting (USERPASS), RFC 1929, CONNECT.
socks_login_connect () {
	socks_login "$1" "$2" &&
	printf "\005\001\000\001\177\000\000\001" && port_bytes $3
}

# hold NAME REQFILE: a tunnel through the SOCKS port held open (tcpc sends
# REQFILE and waits for 60 s); its pid goes to NAME.pid.
hold () {
	"$TCPC" -T 60 $SOCKS_PORT <"$2" >"$1.out" 2>"$1.err" &
	echo $! >"$1.pid"
}

# held NAME PREFIX: the hold's replies arrived and begin with PREFIX (hex).
held_ () {
	test $(wc -c <"$1.out") -ge $((${#2} / 2 + 10)) &&
	case $(hexof "$1.out") in
	"$2"05000001*) return 0 ;;
	*) return 1 ;;
	esac
}
held () {
	wait_until 10 held_ "$1" "$2" || {
		echo "hold $1: $(hexof "$1.out")"; cat "$1.err"; return 1
	}
}

# unhold NAME: end the hold (the client goes away).
unhold () {
	uh_pid=$(cat "$1.pid" 2>/dev/null)
	# Never a bare "wait": it would wait for the daemons too.
	test -n "$uh_pid" || return 0
	kill $uh_pid 2>/dev/null
	wait $uh_pid 2>/dev/null
	return 0
}

# echo_ok [curl-style source address]: a SOCKS tunnel to the echo origin
# works now.
echo_ok () {
	printf "ping" | "$SOCKSC" -T 5 $SOCKS_PORT 127.0.0.1 $ECHO_PORT \
		>echo.out 2>echo.err &&
	test "$(cat echo.out)" = ping
}

# http_refusal_logged: one more HTTP refusal; the log has an HTTP one (the
# address may have had its line for this second already).
http_refusal_logged () {
	http_status -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >/dev/null
	grep "http: 127\.0\.0\.1:[0-9]*: refused: 3 connections from this address already (-max-conns-per-ip 3" \
		"$HUB_LOG"
}

test_expect_success 'setup: origins, hub with -max-conns-per-ip 3, node' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	start_origin &&
	start_hub -max-conns-per-ip 3 &&
	start_node n1 &&
	echo_ok
'

test_expect_success 'server -h documents the limits' '
	"$TENTACLE" server -h >help.out 2>&1 &&
	grep -e "-max-conns-per-ip" help.out &&
	grep -e "-max-conns-per-user" help.out &&
	grep -e "-max-clients" help.out
'

test_expect_success 'three tunnels held from 127.0.0.1' '
	socks_connect $ECHO_PORT >req.connect &&
	hold h1 req.connect &&
	hold h2 req.connect &&
	hold h3 req.connect &&
	held h1 0500 &&
	held h2 0500 &&
	held h3 0500
'

test_expect_success 'the fourth SOCKS connection: REP 0x01 after the greeting, logged' '
	test_expect_code 4 "$SOCKSC" -n -T 5 $SOCKS_PORT 127.0.0.1 $ECHO_PORT \
		2>socksc.err &&
	grep "REP 0x01" socksc.err &&
	"$TCPC" -T 5 $SOCKS_PORT <req.connect >resp.4 &&
	case $(hexof resp.4) in 05000501*) ;; *) false ;; esac &&
	wait_for_log "$HUB_LOG" "socks: 127\.0\.0\.1:[0-9]*: refused: 3 connections from this address already (-max-conns-per-ip 3"
'

test_expect_success 'HTTP from the same address: 429, Retry-After, body names the limit' '
	test "$(http_status -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 429 &&
	grep -i "^Retry-After: 1" http.head &&
	grep "too many connections from your address (-max-conns-per-ip 3)" \
		http.body &&
	printf "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1\r\nHost: x\r\n\r\n" |
		"$TCPC" -T 5 $HTTP_PORT >connect.resp &&
	head -n 1 connect.resp | grep "^HTTP/1.1 429 Too Many Requests" &&
	wait_until 5 http_refusal_logged
'

test_expect_success 'another client address is still served (SOCKS and HTTP)' '
	tcurl --interface 127.0.0.2 --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	test "$(http_status --interface 127.0.0.2 \
		-x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 200 &&
	grep "quick brown fox" http.body
'

test_expect_success 'refusals are logged at most once a second per address' '
	before=$(grep -c "refused: 3 connections from this address" "$HUB_LOG") &&
	i=0 &&
	while test $i -lt 8; do
		test_expect_code 4 "$SOCKSC" -n -T 5 $SOCKS_PORT 127.0.0.1 \
			$ECHO_PORT 2>/dev/null || return 1
		i=$((i + 1))
	done &&
	after=$(grep -c "refused: 3 connections from this address" "$HUB_LOG") &&
	echo "log lines: $before before, $after after 8 refusals" &&
	test $((after - before)) -lt 8 &&
	sleep 1 &&
	test_expect_code 4 "$SOCKSC" -n -T 5 $SOCKS_PORT 127.0.0.1 $ECHO_PORT &&
	wait_for_log "$HUB_LOG" "[1-9][0-9]* more refused since the last such line"
'

test_expect_success 'one tunnel closes: a new one works, the limit holds again' '
	unhold h2 &&
	wait_until 10 echo_ok &&
	hold h4 req.connect &&
	held h4 0500 &&
	test_expect_code 4 "$SOCKSC" -n -T 5 $SOCKS_PORT 127.0.0.1 $ECHO_PORT
'

test_expect_success 'an HTTP CONNECT tunnel counts too; all close: served again' '
	unhold h1 && unhold h3 && unhold h4 &&
	wait_until 10 info_no_relays &&
	hold h5 req.connect && hold h6 req.connect &&
	held h5 0500 && held h6 0500 &&
	printf "CONNECT 127.0.0.1:$ECHO_PORT HTTP/1.1\r\nHost: x\r\n\r\n" \
		>req.http &&
	"$TCPC" -T 60 $HTTP_PORT <req.http >hh.out 2>hh.err &
	echo $! >hh.pid &&
	wait_until 10 grep "^HTTP/1.1 200" hh.out &&
	test_expect_code 4 "$SOCKSC" -n -T 5 $SOCKS_PORT 127.0.0.1 $ECHO_PORT &&
	unhold hh &&
	wait_until 10 echo_ok &&
	unhold h5 && unhold h6 &&
	wait_until 10 info_no_relays &&
	hold h7 req.connect && hold h8 req.connect && hold h9 req.connect &&
	held h7 0500 && held h8 0500 && held h9 0500 &&
	unhold h7 && unhold h8 && unhold h9 &&
	wait_until 10 echo_ok
'

test_expect_success 'setup: users, hub with -max-conns-per-user 2' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>/dev/null &&
	printf "builder\n" |
		"$TENTACLE" passwd -iter 1000 -file users bob 2>/dev/null &&
	start_hub -users "$TRASH_DIRECTORY/users" -max-conns-per-user 2 \
		-max-conns-per-ip 0 &&
	start_node n2
'

test_expect_success 'alice holds two tunnels; the third gets REP 0x02 after login' '
	socks_login_connect alice wonderland $ECHO_PORT >req.alice &&
	socks_login_connect bob builder $ECHO_PORT >req.bob &&
	hold a1 req.alice &&
	hold a2 req.alice &&
	held a1 05020100 &&
	held a2 05020100 &&
	"$TCPC" -T 5 $SOCKS_PORT <req.alice >resp.a3 &&
	case $(hexof resp.a3) in 0502010005020001*) ;; *) false ;; esac &&
	wait_for_log "$HUB_LOG" "socks: 127\.0\.0\.1:[0-9]* user alice: refused: 2 connections for this user already (-max-conns-per-user 2"
'

test_expect_success 'alice over HTTP: 429 naming the limit; bob is served' '
	test "$(http_status -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 429 &&
	grep "too many connections for this user (-max-conns-per-user 2)" \
		http.body &&
	grep -i "^Retry-After: 1" http.head &&
	test "$(http_status -x http://bob:builder@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 200 &&
	tcurl -x socks5h://bob:builder@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	hold b1 req.bob && held b1 05020100 && unhold b1
'

test_expect_success 'one of alice'"'"'s tunnels closes: alice is served again' '
	unhold a1 &&
	wait_until 10 tcurl -x socks5h://alice:wonderland@127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	unhold a2
'

test_expect_success 'setup: hub with -max-clients 2' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -max-clients 2 &&
	start_node n3
'

test_expect_success '-max-clients: two held, a third address gets REP 0x01 and 503' '
	socks_connect $ECHO_PORT >req.connect &&
	hold c1 req.connect && hold c2 req.connect &&
	held c1 0500 && held c2 0500 &&
	test_must_fail tcurl --interface 127.0.0.3 \
		--socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	test "$(http_status --interface 127.0.0.3 \
		-x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 503 &&
	grep -i "^Retry-After: 1" http.head &&
	grep "(-max-clients 2)" http.body &&
	wait_for_log "$HUB_LOG" "refused: 2 connections to the hub already (-max-clients 2" &&
	unhold c1 &&
	wait_until 10 tcurl --interface 127.0.0.3 \
		--socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small &&
	unhold c2
'

test_expect_success '-max-clients: connections that have sent nothing yet count too' '
	{ "$TCPC" -w 8000 -T 10 $SOCKS_PORT </dev/null >/dev/null 2>&1 & } &&
	s1=$! &&
	{ "$TCPC" -w 8000 -T 10 $HTTP_PORT </dev/null >/dev/null 2>&1 & } &&
	s2=$! &&
	wait_until 5 sh -c "ss -Htn state established \"( dport = :$SOCKS_PORT or dport = :$HTTP_PORT )\" | grep -c . | grep -qx 2" &&
	sleep 0.3 &&
	test "$(http_status --interface 127.0.0.3 \
		-x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small)" = 503 &&
	kill $s1 $s2 && { wait $s1 $s2; :; } &&
	wait_until 10 tcurl --interface 127.0.0.3 \
		-x http://127.0.0.1:$HTTP_PORT http://127.0.0.1:$ORIGIN_PORT/small
'

# cpu_ticks PID: user + system time of PID in clock ticks.
cpu_ticks () {
	sed 's/.*) //' "/proc/$1/stat" | awk "{ print \$12 + \$13 }"
}

test_expect_success 'setup: hub under ulimit -n 64 (no -max-clients)' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	cat >lowfd <<-EOF &&
	#!/bin/sh
	ulimit -n 64 || exit 1
	exec "$TENTACLE" "\$@"
	EOF
	chmod +x lowfd &&
	real=$TENTACLE &&
	TENTACLE=$TRASH_DIRECTORY/lowfd &&
	start_hub -max-clients 0 -handshake-timeout 60s
	rc=$?
	TENTACLE=$real
	test $rc = 0 &&
	grep "^Max open files  *64 " /proc/$HUB_PID/limits &&
	start_node n4 &&
	echo_ok
'

test_expect_success 'out of descriptors: 100 idle clients; the hub pauses, does not spin, recovers' '
	pids= &&
	i=0 &&
	while test $i -lt 100; do
		"$TCPC" -T 60 $SOCKS_PORT </dev/null >/dev/null 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done &&
	wait_for_log "$HUB_LOG" "listener .*: accept: Too many open files; pausing accepts for 1s" &&
	t0=$(cpu_ticks $HUB_PID) &&
	sleep 3 &&
	t1=$(cpu_ticks $HUB_PID) &&
	echo "hub CPU over 3 s while out of descriptors: $((t1 - t0)) ticks" &&
	test $((t1 - t0)) -lt 50 &&
	pauses=$(grep -c "pausing accepts" "$HUB_LOG") &&
	echo "pause lines: $pauses" &&
	test $pauses -le 8 &&
	daemon_alive $HUB_PID &&
	for pid in $pids; do kill $pid 2>/dev/null; done &&
	for pid in $pids; do wait $pid 2>/dev/null || :; done &&
	wait_until 15 echo_ok &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'the hubs exit cleanly' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID
'

test_done
