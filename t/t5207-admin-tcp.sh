#!/bin/sh
test_description='admin channel on a loopback TCP port (the Windows
default): the cookie file, info through it, a wrong or missing cookie
refused, the file gone at shutdown, only loopback addresses'
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

test_expect_success 'a wrong cookie: BYE, refused, logged' '
	printf "%064d" 0 >zeros &&
	test_expect_code 0 "$TCPC" -T 5 $ADMIN_PORT <zeros >bye 2>/dev/null &&
	grep "wrong admin cookie" bye &&
	wait_for_log "$HUB_LOG" "refused: wrong admin cookie"
'

test_expect_success 'no cookie within the handshake timeout: closed' '
	stop_daemon $HUB_PID &&
	start_hub -admin 127.0.0.1:0 -handshake-timeout 1s &&
	ADMIN_PORT=${ADMIN_SOCK##*:} &&
	test_expect_code 0 "$TCPC" -T 5 $ADMIN_PORT </dev/null &&
	wait_for_log "$HUB_LOG" "timed out before its cookie"
'

test_expect_success 'a cookie file of another hub run is refused' '
	cp "$TENTACLE_STATE_DIR/admin.cookie" current &&
	sed "s/ [0-9a-f]*/ $(printf "%064d" 1)/" current >stale &&
	test_must_fail "$TENTACLE" info -admin stale 2>err &&
	grep "not allowed\|wrong admin cookie" err
'

test_expect_success 'the cookie file is removed when the hub stops' '
	stop_daemon $HUB_PID &&
	! test -e "$TENTACLE_STATE_DIR/admin.cookie"
'

test_expect_success 'a TCP admin port off loopback is refused at start' '
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-admin 0.0.0.0:0 -log stderr 2>err &&
	grep "must be on 127.0.0.1 or \[::1\]" err
'

test_done
