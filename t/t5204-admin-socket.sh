#!/bin/sh
test_description='admin commands only from the hub'"'"'s user, group or root:
the admin socket is 0660 in a 0700 state directory, and the hub checks the
peer uid the kernel gives it (issue 9 item 5)'
. "$(dirname "$0")/test-lib.sh"

# nobody must reach the binary and the socket's directory even when the
# tree lives under a 0700 home (a fresh clone in /root): both go to a
# directory of their own under /tmp.
test_expect_success 'setup: hub (admin socket in a 0700 directory), a node' '
	NB_DIR=$(mktemp -d /tmp/t5204.XXXXXX) &&
	test_atexit "rm -rf $NB_DIR" &&
	chmod 711 "$NB_DIR" &&
	cp "$TENTACLE" "$NB_DIR/tentacle" && chmod 755 "$NB_DIR/tentacle" &&
	mkdir -m 700 "$NB_DIR/state" &&
	start_origin &&
	start_hub -admin "$NB_DIR/state/admin.sock" &&
	test "$ADMIN_SOCK" = "$NB_DIR/state/admin.sock" &&
	start_node n1 &&
	hub_serves
'

test_expect_success AS_NOBODY 'as nobody: drain is refused by the file system' '
	test_expect_code 1 as_nobody "$NB_DIR/tentacle" drain n1 \
		-admin "$ADMIN_SOCK" 2>err &&
	cat err &&
	grep "Permission denied" err &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"state\":\"up\"" info.json
'

test_expect_success AS_NOBODY 'as nobody, socket opened to all: refused by the hub (peer uid)' '
	chmod 755 "$NB_DIR/state" &&
	chmod 666 "$ADMIN_SOCK" &&
	{ as_nobody "$NB_DIR/tentacle" drain n1 -admin "$ADMIN_SOCK" 2>err;
	  rc=$?; } ;
	chmod 700 "$NB_DIR/state" && chmod 660 "$ADMIN_SOCK" &&
	cat err &&
	test $rc = 1 &&
	grep "tentacle drain: not root, the hub.s user" err &&
	wait_for_log "$HUB_LOG" "admin uid $(id -u nobody) pid [0-9]*: POST /api/v1/nodes/n1/drain: 403 not root, the hub.s user" &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"state\":\"up\"" info.json &&
	grep "\"admin_refused\":1" info.json
'

test_expect_success AS_NOBODY 'nobody with the hub'"'"'s group as a supplementary group: allowed' '
	chmod 750 "$NB_DIR/state" &&
	{ setpriv --reuid=nobody --regid="$(id -g nobody)" \
		--groups="$(id -g)" "$NB_DIR/tentacle" info \
		-admin "$ADMIN_SOCK" >info.out 2>err; rc=$?; } ;
	chmod 700 "$NB_DIR/state" &&
	cat err &&
	test $rc = 0 &&
	grep -w n1 info.out
'

test_expect_success 'as the hub'"'"'s user: drain and undrain work, logged with the uid' '
	"$TENTACLE" drain n1 -admin "$ADMIN_SOCK" &&
	wait_for_log "$HUB_LOG" "admin uid $(id -u) pid [0-9]*: drain n1: node 1 (n1) drained" &&
	"$TENTACLE" undrain n1 -admin "$ADMIN_SOCK" &&
	hub_serves
'

test_expect_success 'a second hub on the same socket: refused at start' '
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-admin "$ADMIN_SOCK" -log none 2>err &&
	grep "answers on it" err &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >/dev/null
'

test_expect_success 'a hub that was killed leaves a socket the next one replaces' '
	kill_daemon $HUB_PID &&
	test -S "$ADMIN_SOCK" &&
	start_hub &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >/dev/null
'

test_expect_success 'a clean stop removes the socket; -admin none has none' '
	stop_daemon $HUB_PID &&
	! test -e "$ADMIN_SOCK" &&
	start_hub -admin none &&
	grep "admin=off" "$HUB_LOG" &&
	! test -e "$TENTACLE_STATE_DIR/admin.sock"
'

test_done
