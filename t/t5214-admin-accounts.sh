#!/bin/sh
test_description='admin accounts (-admins, tentacle passwd -admin) and the
admin API off loopback: refused at start without accounts or without TLS,
then HTTPS with the hub'"'"'s key (pinned), HTTP Basic with an account, the
cookie still, wrong and unknown accounts refused (401, logged), the
limiter (429), a plaintext client getting nothing, SIGHUP reloading the
accounts, and accounts on a loopback port too.  In a network namespace
with only lo: the port listens on 0.0.0.0 there.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

# b64hex HEX: the bytes HEX spells, in base64 (curl's pin format).
b64hex () {
	python3 -c "import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())" "$1"
}

# hub_https PATH [CURL ARGS...]: GET PATH over TLS from the admin port,
# the hub's key pinned (curl -k skips only the name check: the
# certificate is self-signed; the pin is what proves it is the hub's).
hub_https () {
	hh_path=$1
	shift
	tcurl -k --pinnedpubkey "$PIN" "$@" "https://127.0.0.1:$APORT$hh_path"
}

test_expect_success 'passwd -admin: a line without limits; -limits and a name with - refused' '
	echo "s3cret pass" | "$TENTACLE" passwd -admin -file admins alice &&
	grep -c "^alice:pbkdf2-sha256:10000:[^:]*:[^:]*$" admins >n &&
	test "$(cat n)" = 1 &&
	ls -l admins | grep "^-rw-------" &&
	test_expect_code 2 "$TENTACLE" passwd -admin -limits conns=1 -file admins bob 2>err &&
	grep "an admin account has no limits" err &&
	test_expect_code 2 "$TENTACLE" passwd -admin -file admins bob-x 2>err &&
	grep "no .-." err &&
	"$TENTACLE" passwd -h >help &&
	grep -- "-admin" help
'

test_expect_success 'an admins line with limits is refused at start, with file and line' '
	echo "x" | "$TENTACLE" passwd -limits conns=2 carol >bad &&
	cat admins bad >admins.bad &&
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-admins admins.bad -log stderr 2>err &&
	grep "admins.bad:2: an admin has no limits" err
'

test_expect_success 'off loopback: refused at start without accounts, and under -insecure' '
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-adminAddr 0.0.0.0:0 -log stderr 2>err &&
	grep "off loopback the admin API needs admin accounts: give -admins FILE" err &&
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-insecure -admins admins -adminAddr 0.0.0.0:0 -log stderr 2>err &&
	grep "speaks TLS with the hub.s certificate, and this hub runs -insecure" err &&
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-admins admins -admin 0.0.0.0:0 -log stderr 2>err &&
	grep "for a port other machines reach, use -adminAddr" err
'

test_expect_success 'setup: a hub with -admins and -adminAddr 0.0.0.0:0, a node' '
	start_hub -admins admins -adminAddr 0.0.0.0:0 &&
	start_node n1 &&
	line=$(grep "admin API on 0\.0\.0\.0:[0-9]* over TLS" "$HUB_LOG") &&
	APORT=$(echo "$line" | sed "s/.*admin API on 0\.0\.0\.0:\([0-9]*\) over TLS.*/\1/") &&
	test -n "$APORT" &&
	echo "$line" | grep "1 admin accounts and the cookie log in" &&
	fp=$(echo "$line" | sed "s/.*fingerprint sha256:\([0-9a-f]*\).*/\1/") &&
	test ${#fp} = 64 &&
	PIN="sha256//$(b64hex "$fp")" &&
	grep -x "0\.0\.0\.0:$APORT [0-9a-f]\{64\}" "$TENTACLE_STATE_DIR/admin.cookie"
'

test_expect_success 'an account over TLS: the inventory, logged with its name' '
	hub_https /api/v1/nodes -u "alice:s3cret pass" -o body &&
	grep "\"name\":\"n1\"" body &&
	hub_https /api/v1/nodes/n1/drain -u "alice:s3cret pass" -X POST \
		-H "X-Tentacle-Csrf: 1" -o body &&
	wait_for_log "$HUB_LOG" "admin 127\.0\.0\.1:[0-9]* (alice): drain n1: node 1 (n1) drained" &&
	hub_https /api/v1/nodes/n1/undrain -u "alice:s3cret pass" -X POST \
		-H "X-Tentacle-Csrf: 1" -o body
'

test_expect_success 'another key pinned: curl refuses the hub (the pin is checked)' '
	test_must_fail tcurl -k --pinnedpubkey "sha256//$(b64hex "$(printf "%064d" 0)")" \
		-u "alice:s3cret pass" -o body https://127.0.0.1:$APORT/api/v1/stats
'

test_expect_success 'the cookie works over TLS too, and any Host (TLS stops rebinding)' '
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	hub_https /api/v1/stats -H "Authorization: Bearer $hex" \
		-H "Host: hub.example.net:$APORT" -o body &&
	grep "\"started\":" body
'

test_expect_success 'a wrong password and an unknown admin: 401, logged' '
	hub_https /api/v1/nodes -u "alice:wrong" -o body -D head &&
	grep "^HTTP/1.1 401" head &&
	grep -i "^WWW-Authenticate: .*Basic realm=\"tentacle admin\"" head &&
	grep "or an admin.s name and password (Basic)" body &&
	! grep n1 body &&
	wait_for_log "$HUB_LOG" "admin login as \"alice\" failed: wrong password" &&
	hub_https /api/v1/nodes -u "mallory:s3cret pass" -o body -D head &&
	grep "^HTTP/1.1 401" head &&
	wait_for_log "$HUB_LOG" "admin login as \"mallory\" failed: unknown admin" &&
	hub_https /api/v1/nodes -u "alice-x:s3cret pass" -o body -D head &&
	grep "^HTTP/1.1 401" head
'

test_expect_success 'tentacle info: the socket works; the TLS port'"'"'s cookie file is refused, saying why' '
	"$TENTACLE" info >out &&
	grep "^1  *n1 " out &&
	test_must_fail "$TENTACLE" info -admin "$TENTACLE_STATE_DIR/admin.cookie" 2>err &&
	grep "admin port 0\.0\.0\.0:$APORT is off loopback, so it speaks TLS" err
'

test_expect_success 'plaintext HTTP to the TLS port gets no answer' '
	test_must_fail tcurl -s -o body http://127.0.0.1:$APORT/api/v1/nodes &&
	! grep n1 body 2>/dev/null
'

test_expect_success 'a whole file over TLS to a slow reader that asks to close' '
	hub_https /dash.js --http1.0 --limit-rate 64k -H "Connection: close" -o got.js &&
	cmp got.js "$TENTACLE_SRC/dist/dash/dash.js" &&
	hub_https / -u "alice:s3cret pass" -o index.html &&
	grep -i "<html" index.html
'

test_expect_success 'SIGHUP reloads the accounts' '
	echo "pw2" | "$TENTACLE" passwd -admin -file admins bob &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 2 admin accounts from admins" &&
	hub_https /api/v1/stats -u "bob:pw2" -o body &&
	grep "\"started\":" body &&
	"$TENTACLE" passwd -admin -d -file admins bob &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: 1 admin accounts from admins" &&
	hub_https /api/v1/stats -u "bob:pw2" -o body -D head &&
	grep "^HTTP/1.1 401" head
'

test_expect_success 'failed logins from one address: 429 with Retry-After, even for the right password' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		hub_https /api/v1/stats --interface 127.0.0.2 -u "alice:no$i" \
			-o /dev/null || return 1
	done &&
	hub_https /api/v1/stats --interface 127.0.0.2 -u "alice:s3cret pass" \
		-D head -o body &&
	grep "^HTTP/1.1 429" head && grep -i "^Retry-After: 60" head &&
	grep "failed logins from this address within a minute" body &&
	hub_https /api/v1/stats -u "alice:s3cret pass" -o body &&
	grep "\"started\":" body
'

test_expect_success 'a TLS client that never says hello is cut at -handshake-timeout' '
	stop_daemon $HUB_PID &&
	start_hub -admins admins -adminAddr 0.0.0.0:0 -handshake-timeout 1s &&
	APORT=$(sed -n "s/.*admin API on 0\.0\.0\.0:\([0-9]*\) over TLS.*/\1/p" "$HUB_LOG") &&
	test -n "$APORT" &&
	{ sleep 4 | "$TCPC" -T 6 $APORT >/dev/null 2>&1; true; } &&
	wait_for_log "$HUB_LOG" "admin: no whole request within 1000 ms (-handshake-timeout): connection cut" &&
	hub_https /api/v1/stats -u "alice:s3cret pass" -o body &&
	grep "\"started\":" body
'

test_expect_success 'accounts log in on a loopback port too (plain HTTP)' '
	stop_daemon $HUB_PID &&
	start_hub -admins admins -adminAddr 127.0.0.1:0 &&
	port=$(cut -d" " -f1 "$TENTACLE_STATE_DIR/admin.cookie") &&
	tcurl -u "alice:s3cret pass" -o body http://$port/api/v1/stats &&
	grep "\"started\":" body &&
	! grep "over TLS" "$HUB_LOG"
'

test_expect_success 'SIGHUP leaving no account: warned, the cookie still logs in' '
	"$TENTACLE" passwd -admin -d -file admins alice &&
	kill -HUP $HUB_PID &&
	wait_for_log "$HUB_LOG" "SIGHUP: admins has no admin accounts now: only the cookie logs in on the admin port" &&
	port=$(cut -d" " -f1 "$TENTACLE_STATE_DIR/admin.cookie") &&
	hex=$(cut -d" " -f2 "$TENTACLE_STATE_DIR/admin.cookie") &&
	tcurl -H "Authorization: Bearer $hex" -o body http://$port/api/v1/stats &&
	grep "\"started\":" body &&
	tcurl -u "alice:s3cret pass" -o body -w "%{http_code}" \
		http://$port/api/v1/stats >code &&
	test "$(cat code)" = 401
'

test_done
