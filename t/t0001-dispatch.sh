#!/bin/sh
test_description='one binary, many names: commands, aliases, flags, config'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'version prints the version first' '
	"$TENTACLE" version >out &&
	head -n 1 out >first &&
	grep "^tentacle 0\.1\.0 (" first
'

test_expect_success 'help lists every command' '
	"$TENTACLE" help >out 2>&1 &&
	grep -i "usage" out &&
	for c in server start info drain undrain redial passwd token version \
	    help; do
		grep -w "$c" out || return 1
	done
'

test_expect_success 'unknown command: one line and usage on stderr, exit 2' '
	test_expect_code 2 "$TENTACLE" frobnicate >out 2>err &&
	test ! -s out &&
	grep "frobnicate" err &&
	grep -i "usage" err
'

test_expect_success 'no command at all is a usage error' '
	test_must_fail "$TENTACLE" >out 2>err &&
	grep -i "usage" err
'

test_expect_success 'server -h lists the seed flags and the new ones' '
	"$TENTACLE" server -h >out 2>&1 ;
	for f in controlAddr tunnelAddr socketAddr httpAddr log log-level \
	    redial-interval redial-grace session-max-life tlsCrt tlsKey \
	    open-proxy via handshake-timeout dial-timeout heartbeat \
	    idle-timeout; do
		grep -e "-$f\\b" out || { echo "missing -$f"; return 1; }
	done
'

test_expect_success 'start -h lists the node flags' '
	"$TENTACLE" start -h >out 2>&1 ;
	for f in config log log-level pool-size server token name allow; do
		grep -e "-$f\\b" out || { echo "missing -$f"; return 1; }
	done
'

test_expect_success 'info -h mentions -server and -json' '
	"$TENTACLE" info -h >out 2>&1 ;
	grep -e "-server" out &&
	grep -e "-json" out
'

test_expect_success 'drain, undrain, redial -h: NODE and -admin, no -json' '
	for c in drain undrain redial; do
		"$TENTACLE" $c -h >out 2>&1 &&
		grep "usage: tentacle $c \[-admin PATH\] \[-state-dir DIR\] NODE" out &&
		! grep -e "-json" out || return 1
	done &&
	"$TENTACLE" redial n1 -h >out 2>&1 &&
	grep "usage: tentacle redial" out &&
	test_expect_code 2 "$TENTACLE" drain 2>err &&
	grep "which node" err &&
	test_expect_code 2 "$TENTACLE" redial a b 2>err &&
	grep "unexpected argument" err &&
	test_expect_code 1 "$TENTACLE" undrain n1 -admin "$TRASH_DIRECTORY/none.sock" 2>err &&
	grep "tentacle undrain: $TRASH_DIRECTORY/none.sock:" err
'

test_expect_success 'aliases: tentacled and tentacler symlinks' '
	ln -s "$TENTACLE" tentacled &&
	ln -s "$TENTACLE" tentacler &&
	./tentacler version >out &&
	grep "^tentacle 0\.1\.0 (" out &&
	./tentacled -h >out 2>&1 ;
	grep -e "-controlAddr" out
'

test_expect_success 'tentacled FLAGS starts a hub' '
	./tentacled -controlAddr 127.0.0.1:0 -tunnelAddr 127.0.0.1:0 \
		-socketAddr 127.0.0.1:0 -httpAddr 127.0.0.1:0 \
		-log stdout -log-level INFO >tentacled.out 2>tentacled.err </dev/null &
	TD_PID=$! &&
	echo $TD_PID >td.pid &&
	register_daemon_ $TD_PID tentacled &&
	wait_for_log tentacled.out "hub ready: control=127\.0\.0\.1:[0-9]" &&
	grep "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] INFO " tentacled.out &&
	TD_CONTROL=$(hub_port_ control "$(grep "hub ready" tentacled.out)") &&
	test -n "$TD_CONTROL"
'

test_expect_success 'tentacler FLAGS start registers a node (client-style)' '
	./tentacler -server 127.0.0.1:$TD_CONTROL -log node.r.log \
		-log-level DEBUG start -name viar -allow 127.0.0.0/8 \
		>node.r.out 2>node.r.err </dev/null &
	TR_PID=$! &&
	register_daemon_ $TR_PID node.r &&
	wait_for_log node.r.log "node ready: node [0-9]* (viar) connected to 127\.0\.0\.1:$TD_CONTROL" &&
	./tentacler -server 127.0.0.1:$TD_CONTROL info >info.out &&
	grep viar info.out &&
	stop_daemon $TR_PID &&
	stop_daemon $TD_PID
'

test_expect_success 'Go flag syntax: -f=v, --f v, --f=v; "none" disables a front' '
	start_hub --controlAddr=127.0.0.1:0 -tunnelAddr=127.0.0.1:0 \
		--socketAddr 127.0.0.1:0 -httpAddr none &&
	test -n "$SOCKS_PORT" &&
	test -z "$HTTP_PORT" &&
	grep "hub ready: .*http=\(none\|off\)" "$HUB_LOG"
'

test_expect_success 'durations in Go syntax are accepted' '
	stop_daemon $HUB_PID &&
	start_hub -heartbeat 1m0s -dial-timeout 1500ms -handshake-timeout 2s \
		-idle-timeout 1h30m -redial-interval 90s
'

test_expect_success 'hub listening on a busy port: one line naming it, exit 1' '
	start_origin &&
	test_expect_code 1 "$TENTACLE" server -controlAddr 127.0.0.1:$ORIGIN_PORT \
		-tunnelAddr 127.0.0.1:0 -socketAddr 127.0.0.1:0 \
		-httpAddr 127.0.0.1:0 -log none >out 2>err &&
	grep "$ORIGIN_PORT" err &&
	grep -i "in use" err
'

test_expect_success 'bad flag values name the flag' '
	test_must_fail "$TENTACLE" server -heartbeat soon -log none 2>err &&
	grep -e "heartbeat" err &&
	test_must_fail "$TENTACLE" server -log-level LOUD -log none 2>err &&
	grep -e "log-level" err &&
	test_must_fail "$TENTACLE" server -controlAddr 127.0.0.1:99999 -log none 2>err &&
	grep -e "99999\|controlAddr" err &&
	test_must_fail "$TENTACLE" start -pool-size many -log none 2>err &&
	grep -e "pool-size" err
'

test_expect_success 'unknown flag is a usage error naming it' '
	test_must_fail "$TENTACLE" server -no-such-flag -log none 2>err &&
	grep -e "no-such-flag" err &&
	test_must_fail "$TENTACLE" start -no-such-flag 2>err &&
	grep -e "no-such-flag" err
'

test_expect_success 'node config file (-config): comments, quotes, keys' '
	cat >node.conf <<-EOF &&
	# a node config for the tests
	server_addr: 127.0.0.1:$CONTROL_PORT
	name: "cfgnode"
	allow: 127.0.0.0/8   # loopback targets for the origin
	pool_size: 0

	EOF
	"$TENTACLE" start -config node.conf -log node.cfg.log -log-level DEBUG \
		>node.cfg.out 2>node.cfg.err </dev/null &
	CFG_PID=$! &&
	register_daemon_ $CFG_PID node.cfg &&
	wait_for_log node.cfg.log "node ready: node [0-9]* (cfgnode) connected" &&
	stop_daemon $CFG_PID
'

test_expect_success 'flags override the config file' '
	"$TENTACLE" start -config node.conf -name flagname -log node.ov.log \
		>node.ov.out 2>node.ov.err </dev/null &
	OV_PID=$! &&
	register_daemon_ $OV_PID node.ov &&
	wait_for_log node.ov.log "node ready: node [0-9]* (flagname) connected" &&
	stop_daemon $OV_PID
'

test_expect_success '$HOME/.tentacler is read when there is no -config' '
	sed "s/cfgnode/homenode/" node.conf >"$HOME/.tentacler" &&
	./tentacler -log node.home.log start \
		>node.home.out 2>node.home.err </dev/null &
	HM_PID=$! &&
	register_daemon_ $HM_PID node.home &&
	wait_for_log node.home.log "node ready: node [0-9]* (homenode) connected" &&
	stop_daemon $HM_PID
'

test_expect_success 'a bad config line is an error naming file:line' '
	printf "server_addr: 127.0.0.1:1\nthis line has no colon\n" >bad.conf &&
	test_must_fail "$TENTACLE" start -config bad.conf -log none 2>err &&
	grep "bad.conf:2" err
'

test_expect_success 'a missing -config file is an error naming it' '
	test_must_fail "$TENTACLE" start -config nonexistent.conf -log none 2>err &&
	grep "nonexistent.conf" err
'

test_expect_success 'pools as arguments: start NAME...' '
	start_node pooled alpha beta &&
	POOLED_PID=$NODE_PID &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" >info.out &&
	grep "pooled" info.out | grep alpha | grep beta
'

test_expect_success '-token and -pool-size are accepted' '
	start_node tok -token s3cret-token-0123456789 -pool-size 0 &&
	stop_daemon $NODE_PID
'

test_expect_success '-allow takes IPv4 and IPv6 addresses and ranges' '
	for a in 127.0.0.1 10.0.0.0/8 ::1 ::1/128 fd00::/8 ::/0; do
		NODE_ALLOW=$a start_node allow &&
		stop_daemon $NODE_PID || { echo "-allow $a failed"; return 1; }
	done
'

test_expect_success 'SIGTERM stops hub and node cleanly' '
	stop_daemon $POOLED_PID &&
	stop_daemon $HUB_PID
'

test_done
