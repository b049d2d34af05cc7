#!/bin/sh
test_description='scripts/run-local, the first thing a new user runs: it
starts with no arguments on 127.0.0.1 only, its banner says how to reach a
local test server; the node refuses loopback targets (SOCKS 2, HTTP 403)
unless -allow-local, with which curl through SOCKS and HTTP reaches a local
origin; -socks/-http/-control/-data/-base move the ports, pools route; a
busy port names itself and the flag to change it; -h; TERM stops all.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'
RUN_LOCAL=$TENTACLE_SRC/scripts/run-local
TMPDIR=$TRASH_DIRECTORY
export TMPDIR

# rl NAME [ARGS...]: run-local ARGS in the background until its banner;
# RL_PID, RL_OUT (its stdout), RL_STATE (its log directory).
rl () {
	rl_name=$1
	shift
	RL_OUT=$TRASH_DIRECTORY/rl.$rl_name.out
	sh "$RUN_LOCAL" "$@" >"$RL_OUT" 2>"$TRASH_DIRECTORY/rl.$rl_name.err" \
		</dev/null &
	RL_PID=$!
	register_daemon_ $RL_PID rl.$rl_name
	wait_for_ready_ "$RL_OUT" "Ctrl-C stops both" $RL_PID rl.$rl_name &&
	RL_STATE=$(sed -n 's/^Logs: \(.*\)\/hub.log and node.log.*/\1/p' \
		"$RL_OUT") &&
	test -d "$RL_STATE"
}

# rl_stop: TERM run-local; its hub and node go too, and its directory.
rl_stop () {
	rs_kids=$(pgrep -P $RL_PID) &&
	test $(echo $rs_kids | wc -w) -ge 2 &&
	stop_daemon $RL_PID &&
	for p in $rs_kids; do
		! daemon_alive $p || { echo "$p still runs"; return 1; }
	done &&
	! test -d "$RL_STATE"
}

test_expect_success 'setup: a web origin on 127.0.0.1' '
	start_origin &&
	WEB=http://127.0.0.1:$ORIGIN_PORT/small
'

test_expect_success 'no arguments: starts, every port on 127.0.0.1' '
	rl plain &&
	cat "$RL_OUT" &&
	grep "hub ready: control=127.0.0.1:4442 data=127.0.0.1:4443 socks=127.0.0.1:8888 http=127.0.0.1:8887" "$RL_STATE/hub.log" &&
	grep "SOCKS5  127.0.0.1:8888 " "$RL_OUT" &&
	grep "HTTP    127.0.0.1:8887 " "$RL_OUT"
'

test_expect_success 'the banner says loopback targets are refused, and how to allow them' '
	grep "The node refuses loopback and private targets" "$RL_OUT" &&
	grep "on purpose" "$RL_OUT" &&
	grep "403 not allowed by the exit node" "$RL_OUT" &&
	grep "sh scripts/run-local -allow-local" "$RL_OUT"
'

test_expect_success 'without -allow-local: SOCKS reply 2 (curl 97), HTTP 403' '
	test_expect_code 97 tcurl -o out -x socks5h://127.0.0.1:8888 "$WEB" &&
	code=$(tcurl -o body -w "%{http_code}" -x http://127.0.0.1:8887 \
		"$WEB") &&
	cat body &&
	test "$code" = 403 &&
	grep "refusing 127.0.0.1:$ORIGIN_PORT: loopback" "$RL_STATE/node.log"
'

test_expect_success 'TERM stops run-local, its hub and its node' '
	rl_stop
'

test_expect_success '-allow-local: curl through SOCKS and HTTP reaches the origin' '
	rl local -allow-local &&
	grep "allow-local: the node may reach this machine" "$RL_OUT" &&
	tcurl -o out -x socks5h://127.0.0.1:8888 "$WEB" &&
	grep "quick brown fox" out &&
	tcurl -o out -x http://127.0.0.1:8887 "$WEB" &&
	grep "quick brown fox" out &&
	tcurl -o out -p -x http://127.0.0.1:8887 "$WEB" &&
	grep "quick brown fox" out &&
	rl_stop
'

test_expect_success '-socks, -http, -control, -data move the ports; pools route' '
	rl ports -allow-local -socks 20001 -http=20002 --control 20003 \
		-data 20004 eu us &&
	grep "hub ready: control=127.0.0.1:20003 data=127.0.0.1:20004 socks=127.0.0.1:20001 http=127.0.0.1:20002" "$RL_STATE/hub.log" &&
	grep "pools: eu us" "$RL_OUT" &&
	grep "socks5h://user-pool-eu:x@127.0.0.1:20001" "$RL_OUT" &&
	tcurl -o out -x socks5h://u-pool-us:x@127.0.0.1:20001 "$WEB" &&
	grep "quick brown fox" out &&
	tcurl -o out -x http://127.0.0.1:20002 "$WEB" &&
	grep "quick brown fox" out &&
	rl_stop
'

test_expect_success '-base PORT: four ports from it' '
	rl base -base 21000 &&
	grep "hub ready: control=127.0.0.1:21000 data=127.0.0.1:21001 socks=127.0.0.1:21002 http=127.0.0.1:21003" "$RL_STATE/hub.log" &&
	rl_stop
'

test_expect_success 'two at once: default ports and -base, each with its own state' '
	rl first -allow-local &&
	FIRST_PID=$RL_PID FIRST_STATE=$RL_STATE &&
	rl second -allow-local -base 22000 &&
	tcurl -o out -x socks5h://127.0.0.1:8888 "$WEB" &&
	grep "quick brown fox" out &&
	tcurl -o out -x socks5h://127.0.0.1:22002 "$WEB" &&
	grep "quick brown fox" out &&
	# the banner of the second names its own state directory for info
	sd=$(sed -n "s/^  nodes  *\.\/tentacle info -state-dir \(.*\)\$/\1/p" "$RL_OUT") &&
	test -d "$sd" &&
	"$TENTACLE" info -state-dir "$sd" >info.out &&
	grep "^1  *local " info.out &&
	grep "  nodes  *\./tentacle info$" "$TRASH_DIRECTORY/rl.first.out" &&
	rl_stop &&
	RL_PID=$FIRST_PID RL_STATE=$FIRST_STATE &&
	rl_stop
'

test_expect_success 'a busy port: named, with the flag that changes it' '
	test_expect_code 1 sh "$RUN_LOCAL" -socks $ORIGIN_PORT >out 2>err &&
	cat err &&
	grep -F "run-local: port $ORIGIN_PORT (SOCKS5) is in use on 127.0.0.1" err &&
	grep -F "pick another with -socks PORT, or -base PORT for all four" err &&
	test_expect_code 1 sh "$RUN_LOCAL" -control $ORIGIN_PORT >out 2>err &&
	grep -F "port $ORIGIN_PORT (hub control) is in use" err &&
	grep -F "with -control PORT" err &&
	! ls -d "$TRASH_DIRECTORY"/tentacle-local.* 2>/dev/null
'

test_expect_success '-h lists the flags; bad flags and ports are usage errors' '
	sh "$RUN_LOCAL" -h >out &&
	for f in -socks -http -control -data -base -allow-local; do
		grep -e "^  $f " out || return 1
	done &&
	test_expect_code 2 sh "$RUN_LOCAL" -nope 2>err &&
	grep "unknown flag -nope" err &&
	test_expect_code 2 sh "$RUN_LOCAL" -socks 0 2>err &&
	grep "\"0\" is not a port" err &&
	test_expect_code 2 sh "$RUN_LOCAL" -http 8888 2>err &&
	grep "the four ports must differ" err
'

test_done
