#!/bin/sh
test_description='admin channel on a loopback TCP port (the Windows
default): the cookie file, info through it, a wrong or missing cookie
refused (401, counted, logged), HTTP Basic for browsers, a request
not whole in time cut, the file gone at shutdown, only loopback addresses'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a hub with -admin 127.0.0.1:0, a node' '
	start_hub -admin 127.0.0.1:0 &&
	start_node n1 &&
	ADMIN_PORT=${ADMIN_SOCK##*:} &&
	test -n "$ADMIN_PORT" &&
	test "$ADMIN_SOCK" = "127.0.0.1:$ADMIN_PORT"
'

test_expect_success 'the cookie file: the port and 64 hex digits, mode 0600' '
	f=$TENTACLE_STATE_DIR/admin.cookie &&
	grep -x "127\.0\.0\.1:$ADMIN_PORT [0-9a-f]\{64\}" "$f" &&
	ls -l "$f" | grep "^-rw-------"
'

test_expect_success 'info by the port, cookie from the state directory' '
	"$TENTACLE" info -admin 127.0.0.1:$ADMIN_PORT >out &&
	grep "^1  *n1 " out
'

test_expect_success 'info by the cookie file' '
	"$TENTACLE" info -admin "$TENTACLE_STATE_DIR/admin.cookie" -json >out &&
	grep "\"name\":\"n1\"" out
'

test_expect_success 'drain and undrain through the port' '
	"$TENTACLE" drain -admin 127.0.0.1:$ADMIN_PORT n1 &&
	"$TENTACLE" undrain -admin 127.0.0.1:$ADMIN_PORT n1
'

test_expect_success 'no credentials: 401 with WWW-Authenticate, as JSON' '
	tcurl -s -o body -D head http://127.0.0.1:$ADMIN_PORT/api/v1/nodes &&
	grep "^HTTP/1.1 401" head &&
	grep -i "^WWW-Authenticate: Bearer realm=\"tentacle admin\", Basic" head &&
	grep "\"status\":401" body &&
	! grep "n1" body
'

test_expect_success 'a wrong cookie: 401, counted, logged' '
	tcurl -s -o body -w "%{http_code}" \
		-H "Authorization: Bearer $(printf "%064d" 0)" \
		http://127.0.0.1:$ADMIN_PORT/api/v1/nodes >code &&
	test "$(cat code)" = 401 &&
	wait_for_log "$HUB_LOG" "admin 127\.0\.0\.1:[0-9]*: GET /api/v1/nodes: 401 this admin port wants the hub.s cookie" &&
	"$TENTACLE" info -admin 127.0.0.1:$ADMIN_PORT -json >info.json &&
	grep "\"admin_refused\":2" info.json
'

test_expect_success 'the cookie as HTTP Basic __cookie__:HEX (what a browser sends)' '
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	tcurl -s -u "__cookie__:$hex" -o body \
		http://127.0.0.1:$ADMIN_PORT/api/v1/nodes &&
	grep "\"name\":\"n1\"" body &&
	test_expect_code 0 tcurl -s -u "__cookie__:${hex%?}0" -o body -w "%{http_code}" \
		http://127.0.0.1:$ADMIN_PORT/api/v1/nodes >code &&
	{ test "$(cat code)" = 401 || test "${hex%?}0" = "$hex"; }
'

test_expect_success 'another site'"'"'s Host (DNS rebinding) and a POST without X-Tentacle-Csrf: 403' '
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	tcurl -s -o body -w "%{http_code}" -H "Authorization: Bearer $hex" \
		-H "Host: evil.example:$ADMIN_PORT" \
		http://127.0.0.1:$ADMIN_PORT/api/v1/nodes >code &&
	test "$(cat code)" = 403 && grep "Host must be" body &&
	tcurl -s -o body -w "%{http_code}" -H "Authorization: Bearer $hex" \
		-X POST http://127.0.0.1:$ADMIN_PORT/api/v1/nodes/n1/drain >code &&
	test "$(cat code)" = 403 && grep "X-Tentacle-Csrf" body &&
	"$TENTACLE" info -admin 127.0.0.1:$ADMIN_PORT -json >info.json &&
	grep "\"state\":\"up\"" info.json
'

test_expect_success 'wrong cookies from one address: 429 with Retry-After past the limit, even for the right one' '
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		tcurl -s -o /dev/null -H "Authorization: Bearer $(printf "%064d" $i)" \
			http://127.0.0.1:$ADMIN_PORT/api/v1/stats || return 1
	done &&
	tcurl -s -D head -o body -H "Authorization: Bearer $hex" \
		http://127.0.0.1:$ADMIN_PORT/api/v1/stats &&
	grep "^HTTP/1.1 429" head && grep -i "^Retry-After: 60" head &&
	grep "failed logins from this address within a minute" body &&
	wait_for_log "$HUB_LOG" "GET /api/v1/stats: 429"
'

test_expect_success 'a request not whole within -handshake-timeout: cut' '
	stop_daemon $HUB_PID &&
	start_hub -admin 127.0.0.1:0 -handshake-timeout 1s &&
	ADMIN_PORT=${ADMIN_SOCK##*:} &&
	{ for i in 1 2 3 4 5 6; do printf G; sleep 1; done |
		"$TCPC" -T 10 $ADMIN_PORT >/dev/null; true; } &&
	wait_for_log "$HUB_LOG" "admin: no whole request within 1000 ms (-handshake-timeout): connection cut"
'

test_expect_success 'a cookie file of another hub run is refused' '
	cp "$TENTACLE_STATE_DIR/admin.cookie" current &&
	sed "s/ [0-9a-f]*/ $(printf "%064d" 1)/" current >stale &&
	test_must_fail "$TENTACLE" info -admin stale 2>err &&
	grep "this admin port wants the hub.s cookie" err
'

test_expect_success 'the cookie file is removed when the hub stops' '
	stop_daemon $HUB_PID &&
	! test -e "$TENTACLE_STATE_DIR/admin.cookie"
'

test_expect_success '-admin off loopback is refused at start (that is -adminAddr, t5214)' '
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-admin 0.0.0.0:0 -log stderr 2>err &&
	grep "takes a socket path or a loopback HOST:PORT; for a port other machines reach, use -adminAddr" err
'

test_done
