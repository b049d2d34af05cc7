#!/bin/sh
test_description='HTTP proxy users: Proxy-Authorization Basic with -users,
the 407 flow, keep-alive (every request checked), CONNECT, malformed
credentials, SIGHUP reload with a live tunnel, -allow, loopback mode'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# basic USER:PASS: the base64 of the argument.
basic () {
	printf '%s' "$1" | base64 | tr -d '\n'
}

# get_req PATH [FIELD...]: an absolute-form GET head to the origin.
get_req () {
	gr_path=$1
	shift
	printf 'GET http://127.0.0.1:%s%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n' \
		"$ORIGIN_PORT" "$gr_path" "$ORIGIN_PORT"
	for gr_f in "$@"; do
		printf '%s\r\n' "$gr_f"
	done
	printf '\r\n'
}

test_expect_success 'setup: users file from tentacle passwd, hub, node, origin' '
	printf "wonderland\n" |
		"$TENTACLE" passwd -iter 1000 -file users alice 2>passwd.err &&
	printf "builder\n" | "$TENTACLE" passwd bob >bob.line &&
	cat bob.line >>users &&
	start_origin &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n1
'

test_expect_success 'right password: --proxy-user' '
	tcurl -x http://127.0.0.1:$HTTP_PORT --proxy-user alice:wonderland \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'right password: http://user:pw@ (line printed by passwd)' '
	tcurl -x http://bob:builder@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'routing parameters after the base name: alice-pool-default' '
	tcurl -x http://alice-pool-default-session-y:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay http 127\.0\.0\.1:[0-9]*: user alice, node [^,]*, target [^,]*, closed (GET -> "
'

test_expect_success 'the origin never sees Proxy-Authorization' '
	tcurl -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/headers >out &&
	grep -i "^host:" out &&
	! grep -i "proxy-authorization" out &&
	! grep "$(basic alice:wonderland)" out
'

test_expect_success 'no credentials: 407 with Proxy-Authenticate and a body' '
	tcurl -si -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	tr -d "\r" <out >out.lf &&
	grep "^HTTP/1.1 407 Proxy Authentication Required\$" out.lf &&
	grep "^Proxy-Authenticate: Basic realm=\"tentacle\"\$" out.lf &&
	grep "^tentacle: proxy authentication required\$" out.lf &&
	! grep "quick brown fox" out.lf
'

test_expect_success 'wrong password and unknown user: the same 407, logged apart' '
	tcurl -si -x http://alice:nope@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >wrong &&
	tcurl -si -x http://zed:nope@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >unknown &&
	grep "^HTTP/1.1 407" wrong &&
	cmp wrong unknown &&
	wait_for_log "$HUB_LOG" "login failed for user \"alice\": wrong password" &&
	wait_for_log "$HUB_LOG" "login failed for user \"zed\": unknown user"
'

test_expect_success 'CONNECT with credentials works; without, 407' '
	tcurl -p -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	printf "CONNECT 127.0.0.1:%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n" \
		$ORIGIN_PORT $ORIGIN_PORT >req.connect &&
	"$TCPC" $HTTP_PORT <req.connect >resp.connect &&
	head -n 1 resp.connect | grep "^HTTP/1.1 407 " &&
	grep "^Proxy-Authenticate: Basic realm=\"tentacle\"" resp.connect &&
	wait_for_log "$HUB_LOG" "target 127\.0\.0\.1:$ORIGIN_PORT, closed (CONNECT -> 407)"
'

test_expect_success 'keep-alive with credentials: one connection, three requests' '
	tcurl -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		-w "%{http_code} %{num_connects}\n" -o /dev/null \
		http://127.0.0.1:$ORIGIN_PORT/small \
		-o /dev/null http://127.0.0.1:$ORIGIN_PORT/chunked/10000 \
		-o /dev/null http://127.0.0.1:$ORIGIN_PORT/status/204 >codes &&
	printf "200 1\n200 0\n204 0\n" >expect &&
	cmp expect codes
'

test_expect_success 'keep-alive: each request is checked (second one bare: 407)' '
	{ get_req /small "Proxy-Authorization: Basic $(basic alice:wonderland)" &&
	  get_req /small; } >req.two &&
	"$TCPC" $HTTP_PORT <req.two >resp.two &&
	grep "quick brown fox" resp.two &&
	grep "^HTTP/1.1 200 " resp.two &&
	grep "^Proxy-Authenticate: Basic" resp.two &&
	test $(grep -c "^HTTP/1.1 407 " resp.two) = 1
'

test_expect_success 'keep-alive: the second request with another user' '
	{ get_req /small "Proxy-Authorization: Basic $(basic alice:wonderland)" &&
	  get_req /small "Proxy-Authorization: basic   $(basic bob:builder)"; } \
		>req.two &&
	test_expect_code 2 "$TCPC" -T 2 $HTTP_PORT <req.two >resp.two &&
	test $(grep -c "^HTTP/1.1 200 " resp.two) = 2 &&
	wait_for_log "$HUB_LOG" "relay http 127\.0\.0\.1:[0-9]*: user bob, node [^,]*, target [^,]*, closed (GET -> "
'

test_expect_success 'malformed credentials: 400' '
	get_req /small "Proxy-Authorization: Basic !!!notbase64" >req.bad &&
	"$TCPC" $HTTP_PORT <req.bad >resp.bad &&
	head -n 1 resp.bad | grep "^HTTP/1.1 400 " &&
	get_req /small "Proxy-Authorization: Basic $(basic alice-no-colon)" \
		>req.bad &&
	"$TCPC" $HTTP_PORT <req.bad >resp.bad &&
	head -n 1 resp.bad | grep "^HTTP/1.1 400 " &&
	get_req /small "Proxy-Authorization: Basic $(basic alice:wonderland)" \
		"Proxy-Authorization: Basic $(basic alice:wonderland)" >req.bad &&
	"$TCPC" $HTTP_PORT <req.bad >resp.bad &&
	head -n 1 resp.bad | grep "^HTTP/1.1 400 " &&
	wait_for_log "$HUB_LOG" "malformed Proxy-Authorization"
'

test_expect_success 'another scheme (Digest): 407' '
	get_req /small "Proxy-Authorization: Digest username=\"alice\"" \
		>req.digest &&
	"$TCPC" $HTTP_PORT <req.digest >resp.digest &&
	head -n 1 resp.digest | grep "^HTTP/1.1 407 " &&
	wait_for_log "$HUB_LOG" "Proxy-Authorization is not Basic"
'

test_expect_success 'SIGHUP: add carol, remove alice; a live CONNECT tunnel goes on' '
	tcurl -p -x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/slow/200000/200 -o slow.out &
	slow=$! &&
	wait_until 10 test -s slow.out &&
	printf "secret\n" | "$TENTACLE" passwd -iter 1000 carol >carol.line &&
	cat bob.line carol.line >users.new &&
	mv users.new users &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 2 proxy users" &&
	test $(wc -c <slow.out) -lt 200000 &&
	tcurl -x http://carol:secret@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -o /dev/null -w "%{http_code}\n" \
		-x http://alice:wonderland@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >code &&
	test "$(cat code)" = 407 &&
	wait $slow &&
	"$ORIGIN" -gen 200000 >expect.slow &&
	cmp expect.slow slow.out
'

test_expect_success '-allow: a listed client needs no credentials' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" -allow 127.0.0.1 &&
	start_node n2 &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -x http://anyone-pool-default:whatever@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay http 127\.0\.0\.1:[0-9]*: user anyone, node [^,]*, target [^,]*, closed (GET -> "
'

test_expect_success 'failed-login limiter: 10 failures, then even the right password gets 407' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub -users "$TRASH_DIRECTORY/users" &&
	start_node n3 &&
	i=0 &&
	while test $i -lt 10; do
		tcurl -o /dev/null -w "%{http_code}\n" \
			-x http://bob:wrong$i@127.0.0.1:$HTTP_PORT \
			http://127.0.0.1:$ORIGIN_PORT/small >code &&
		test "$(cat code)" = 407 || return 1
		i=$((i + 1))
	done &&
	tcurl -o /dev/null -w "%{http_code}\n" \
		-x http://bob:builder@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >code &&
	test "$(cat code)" = 407 &&
	wait_for_log "$HUB_LOG" "too many failed logins from this address"
'

test_expect_success 'no users file: loopback clients need no credentials' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	start_hub &&
	start_node n4 &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	tcurl -p -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'no users file: any password, the user name still counts' '
	tcurl -x http://alice-pool-default:anything@127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out &&
	wait_for_log "$HUB_LOG" "relay http 127\.0\.0\.1:[0-9]*: user alice, node [^,]*, target [^,]*, closed (GET -> " &&
	tcurl -o /dev/null -w "%{http_code}\n" \
		-x "http://bad%20name:x@127.0.0.1:$HTTP_PORT" \
		http://127.0.0.1:$ORIGIN_PORT/small >code &&
	test "$(cat code)" = 400
'

test_done
