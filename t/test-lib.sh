# test-lib.sh: TAP harness for tentacle's integration tests, shaped like
# git/git:t/test-lib.sh.  POSIX sh.  A test script does:
#
#	test_description='what this script covers'
#	. "$(dirname "$0")/test-lib.sh"
#	test_expect_success 'title' '
#		start_hub && start_node n1 && ...
#	'
#	test_done
#
# Options: -v (show command output), -i (stop at the first failure),
# -d (keep the trash directory).  Environment: TENTACLE (binary under test,
# default ../tentacle), TENTACLE_HELPERS (built t/helper programs, default
# ./helper), both relative to this directory when not absolute.
#
# Helpers: start_hub, start_node, spawn_node, only_node, start_origin,
# stop_daemon, hub_fp, wait_for_log, wait_for_count, wait_until, tcurl, px,
# http_status, hub_serves/hub_serves_socks, test_cmp, rep_is, socks_refused,
# socks_connect, socks_login, socks_domain, port_bytes, hexof, served_by,
# spread/spread_count, count, fd_count, rss_kb, pipes_of, test_expect_code,
# test_atexit, test_set_prereq/test_have_prereq, info_json_count,
# info_has_nodes.

TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
TEST_NAME=$(basename "$0" .sh)

# A script that feeds odd address forms or hostnames to a node, or plays a
# hostile hub, sets TEST_NETNS=1 before sourcing this file: it then runs in
# a network namespace of its own with only lo up, and a mount namespace
# whose /etc/hosts says only "127.0.0.1 localhost" (unshare -n -m as root,
# else unshare -rnm; iproute2),
# so that if the code under test is wrong no packet can leave the machine.
# Without namespaces the whole script is skipped, which `make check`
# counts as a failure (a missing install step).
if test "${TEST_NETNS:-}" = 1 && test -z "${TEST_IN_NETNS:-}"; then
	# Root needs no user namespace (nor may it make one in a chroot).
	if test "$(id -u)" = 0; then netns_="unshare -n"; else netns_="unshare -rn"; fi
	TEST_IN_NETNS=1
	export TEST_IN_NETNS
	# A mount namespace too: /etc/hosts of our own, "localhost" is
	# 127.0.0.1 and nothing else, whatever the machine says.
	if $netns_ -m ip link set lo up 2>/dev/null; then
		exec $netns_ -m sh -c 'ip link set lo up &&
			h=$(mktemp) && printf "127.0.0.1\tlocalhost\n" >"$h" &&
			mount --bind "$h" /etc/hosts && rm -f "$h" &&
			exec sh "$@"' sh "$0" "$@"
	fi
	# No mount namespace (a chroot, whose / is no mount point): the
	# machine's /etc/hosts; a minimal root may have none.
	if $netns_ ip link set lo up 2>/dev/null; then
		test -e /etc/hosts || test "$(id -u)" != 0 ||
			printf '127.0.0.1\tlocalhost\n' >/etc/hosts
		exec $netns_ sh -c 'ip link set lo up && exec sh "$@"' \
			sh "$0" "$@"
	fi
	echo "1..0 # SKIP needs a network namespace: unshare -rn (util-linux) and ip (iproute2; sh scripts/install-deps)"
	exit 0
fi
if test -n "${TEST_IN_NETNS:-}"; then
	# Nothing but lo: a route anywhere else is a bug in the set-up.
	if ip -o link show 2>/dev/null | grep -v ': lo:' | grep . >/dev/null
	then
		echo "Bail out! TEST_NETNS: interfaces other than lo in the namespace"
		exit 1
	fi
fi

verbose=
immediate=
debug=
while test $# -gt 0; do
	case $1 in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-d|--debug) debug=t ;;
	-vi|-iv) verbose=t; immediate=t ;;
	-h|--help)
		echo "usage: $0 [-v] [-i] [-d]"
		exit 0 ;;
	*) echo "Bail out! $0: unknown option $1"; exit 1 ;;
	esac
	shift
done

abspath_ () {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$TEST_DIRECTORY/$1" ;;
	esac
}

TENTACLE=$(abspath_ "${TENTACLE:-../tentacle}")
TENTACLE_HELPERS=$(abspath_ "${TENTACLE_HELPERS:-helper}")
TENTACLE_SRC=${TENTACLE_SRC:-$(cd "$TEST_DIRECTORY/.." && pwd)}
export TENTACLE TENTACLE_HELPERS TENTACLE_SRC

if ! test -x "$TENTACLE"; then
	echo "Bail out! tentacle binary not found: $TENTACLE (run make)"
	exit 1
fi
for h_ in origin socksc tcpc; do
	if ! test -x "$TENTACLE_HELPERS/$h_"; then
		echo "Bail out! helper not found: $TENTACLE_HELPERS/$h_ (run make)"
		exit 1
	fi
done
ORIGIN=$TENTACLE_HELPERS/origin
SOCKSC=$TENTACLE_HELPERS/socksc
TCPC=$TENTACLE_HELPERS/tcpc

# A clean environment: no proxies, no curlrc, C locale, quiet sanitizers
# that still report.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	no_proxy NO_PROXY socks_proxy SOCKS_PROXY CURL_HOME
LC_ALL=C
LANG=C
export LC_ALL LANG
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS
# LeakSanitizer's exit-time scan sometimes spins for minutes in this
# sandbox (gVisor) after a daemon has logged its clean stop, which makes
# stop_daemon fail at random.  Daemons started by integration scripts
# therefore run without it, unless the script sets TEST_DETECT_LEAKS=1
# before sourcing this file (t0950-leaks.sh does, with a long stop
# timeout); the unit tests always run with it.  ASan and UBSan stay on.
if test "${TEST_DETECT_LEAKS:-0}" != 1; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
fi

TRASH_DIRECTORY=$TEST_DIRECTORY/trash.$TEST_NAME.$$
rm -rf "$TRASH_DIRECTORY"
if ! mkdir "$TRASH_DIRECTORY"; then
	echo "Bail out! cannot create $TRASH_DIRECTORY"
	exit 1
fi
HOME=$TRASH_DIRECTORY
export HOME
# Hub keys and the nodes' known_hosts live here, never in /var/lib/tentacle
# (tests run as root in CI) nor shared between scripts.  A script that
# needs several identities passes -state-dir.
TENTACLE_STATE_DIR=$TRASH_DIRECTORY/state
export TENTACLE_STATE_DIR
cd "$TRASH_DIRECTORY" || exit 1

test_count=0
test_failure=0
test_fixed=0
test_broken=0
test_skipped=0
test_atexit_cmds=
test_daemons=
test_done_called=
HUB_COUNT=0
ORIGIN_COUNT=0

say () {
	printf '%s\n' "$*"
}

say_verbose () {
	if test "$verbose" = t; then
		printf '%s\n' "$*" | sed 's/^/# /'
	fi
}

error () {
	say "Bail out! $*"
	exit 1
}

# ---------------------------------------------------------------- prereqs

test_prereqs_=" "

test_set_prereq () {
	test_prereqs_="$test_prereqs_$1 "
}

# test_have_prereq A,B: all of them; sets test_missing_prereq.
test_have_prereq () {
	test_missing_prereq=
	thp_save_IFS=$IFS
	IFS=,
	for thp_p in $1; do
		case $test_prereqs_ in
		*" $thp_p "*) ;;
		*) test_missing_prereq="$test_missing_prereq${test_missing_prereq:+,}$thp_p" ;;
		esac
	done
	IFS=$thp_save_IFS
	test -z "$test_missing_prereq"
}

if command -v curl >/dev/null 2>&1; then
	test_set_prereq CURL
fi
# IPv6 loopback: ::1 configured (Linux) and bindable (the origin tries).
if test -r /proc/net/if_inet6 &&
   grep '^00000000000000000000000000000001 ' /proc/net/if_inet6 >/dev/null
then
	test_set_prereq IPV6
fi
if test "$(id -u)" != 0; then
	test_set_prereq NOT_ROOT
elif command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	# Root, and able to run a command as nobody (as_nobody).
	test_set_prereq AS_NOBODY
fi

# as_nobody COMMAND...: run it as the unprivileged user nobody.
as_nobody () {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}

# ---------------------------------------------------------------- running

test_eval_ () {
	if test "$verbose" = t; then
		eval "$1" </dev/null
	else
		eval "$1" </dev/null >"$TRASH_DIRECTORY/.test-out" 2>&1
	fi
}

test_report_failure_ () {
	if test "$verbose" != t && test -s "$TRASH_DIRECTORY/.test-out"; then
		say "# output:"
		tail -n 60 "$TRASH_DIRECTORY/.test-out" | sed 's/^/# /'
	fi
}

test_ok_ () {
	say "ok $test_count - $1"
}

test_failure_ () {
	test_failure=$((test_failure + 1))
	say "not ok $test_count - $1"
	printf '%s\n' "$2" | sed 's/^/#	/'
	test_report_failure_
	if test "$immediate" = t; then
		test_done
	fi
}

test_start_ () {
	test_count=$((test_count + 1))
	: >"$TRASH_DIRECTORY/.test-out"
}

# test_expect_success [PREREQ,...] 'title' 'commands'
test_expect_success () {
	tes_prereq=
	if test $# = 3; then
		tes_prereq=$1
		shift
	fi
	test $# = 2 ||
	error "bug in the test script: test_expect_success needs 2 or 3 arguments"
	test_start_
	if test -n "$tes_prereq" && ! test_have_prereq "$tes_prereq"; then
		test_skipped=$((test_skipped + 1))
		say "ok $test_count # skip $1 (missing $test_missing_prereq)"
		return 0
	fi
	say_verbose "expecting success: $2"
	if test_eval_ "$2"; then
		test_ok_ "$1"
	else
		test_failure_ "$1" "$2"
	fi
	cd "$TRASH_DIRECTORY" || error "cannot go back to $TRASH_DIRECTORY"
	return 0
}

# test_expect_failure [PREREQ,...] 'title' 'commands': a known breakage.
test_expect_failure () {
	tef_prereq=
	if test $# = 3; then
		tef_prereq=$1
		shift
	fi
	test $# = 2 ||
	error "bug in the test script: test_expect_failure needs 2 or 3 arguments"
	test_start_
	if test -n "$tef_prereq" && ! test_have_prereq "$tef_prereq"; then
		test_skipped=$((test_skipped + 1))
		say "ok $test_count # skip $1 (missing $test_missing_prereq)"
		return 0
	fi
	say_verbose "checking known breakage: $2"
	if test_eval_ "$2"; then
		test_fixed=$((test_fixed + 1))
		say "ok $test_count - $1 # TODO known breakage vanished"
	else
		test_broken=$((test_broken + 1))
		say "not ok $test_count - $1 # TODO known breakage"
	fi
	cd "$TRASH_DIRECTORY" || error "cannot go back to $TRASH_DIRECTORY"
	return 0
}

# test_skip 'title' 'reason': count a test as skipped.
test_skip () {
	test_start_
	test_skipped=$((test_skipped + 1))
	say "ok $test_count # skip $1 ($2)"
}

# test_skip_all 'reason': skip the whole script.
test_skip_all () {
	say "1..0 # SKIP $1"
	test_done_called=t
	exit 0
}

# test_expect_code CODE command...: the command must exit with CODE.
test_expect_code () {
	tec_want=$1
	shift
	"$@"
	tec_got=$?
	if test "$tec_got" = "$tec_want"; then
		return 0
	fi
	echo "test_expect_code: command exited $tec_got, wanted $tec_want: $*" >&2
	return 1
}

# test_cmp EXPECTED ACTUAL: the files are the same; if not, the diff.
test_cmp () {
	diff -u "$1" "$2"
}

# test_must_fail command...: fails with an ordinary error (not a signal).
test_must_fail () {
	"$@"
	tmf_got=$?
	if test $tmf_got = 0; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif test $tmf_got -gt 128; then
		echo "test_must_fail: command died of signal $((tmf_got - 128)): $*" >&2
		return 1
	fi
	return 0
}

# test_atexit 'commands': run at exit, success or not, last added first.
test_atexit () {
	test_atexit_cmds="$1
$test_atexit_cmds"
}

# ---------------------------------------------------------------- waiting

# Poll steps are 20 ms; every wait has a deadline.
test_tick_ () {
	sleep 0.02 2>/dev/null || sleep 1
}

# wait_for_log FILE PATTERN [TIMEOUT]: a grep (basic) regexp appears.
wait_for_log () {
	wait_for_count "$1" "$2" 1 "${3:-10}"
}

# wait_for_count FILE PATTERN N [TIMEOUT]: at least N matching lines.
wait_for_count () {
	wfc_n=$(( ${4:-10} * 50 ))
	while test $wfc_n -gt 0; do
		if test -f "$1"; then
			wfc_c=$(grep -c -e "$2" "$1" 2>/dev/null)
			if test "${wfc_c:-0}" -ge "$3"; then
				return 0
			fi
		fi
		test_tick_
		wfc_n=$((wfc_n - 1))
	done
	echo "timed out after ${4:-10}s waiting for $3 x '$2' in $1" >&2
	if test -f "$1"; then
		tail -n 20 "$1" | sed 's/^/| /' >&2
	fi
	return 1
}

# wait_until TIMEOUT command...: poll until the command succeeds.
wait_until () {
	wu_n=$(( $1 * 50 ))
	shift
	while test $wu_n -gt 0; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		test_tick_
		wu_n=$((wu_n - 1))
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# wait_for_ready_ FILE PATTERN PID NAME [COUNT]: as wait_for_count, but
# give up as soon as the daemon died.
wait_for_ready_ () {
	wfr_n=500
	while test $wfr_n -gt 0; do
		if test -f "$1"; then
			wfr_c=$(grep -c -e "$2" "$1" 2>/dev/null)
			if test "${wfr_c:-0}" -ge "${5:-1}"; then
				return 0
			fi
		fi
		if ! daemon_alive "$3"; then
			echo "$4 (pid $3) exited before '$2'" >&2
			daemon_dump_ "$4" >&2
			return 1
		fi
		test_tick_
		wfr_n=$((wfr_n - 1))
	done
	echo "timed out after 10s waiting for '$2' in $1" >&2
	daemon_dump_ "$4" >&2
	return 1
}

# ---------------------------------------------------------------- daemons

# daemon_alive PID: running (not a zombie, not gone).
daemon_alive () {
	if test -r "/proc/$1/stat"; then
		da_state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
		case $da_state in
		''|Z|X|x) return 1 ;;
		*) return 0 ;;
		esac
	fi
	if test -d /proc/self; then
		return 1
	fi
	kill -0 "$1" 2>/dev/null
}

# register_daemon_ PID NAME: NAME.out, NAME.err, NAME.log in the trash.
register_daemon_ () {
	test_daemons="$test_daemons $1:$2"
}

unregister_daemon_ () {
	ud_new=
	for ud_d in $test_daemons; do
		case $ud_d in
		"$1":*) ;;
		*) ud_new="$ud_new $ud_d" ;;
		esac
	done
	test_daemons=$ud_new
}

# bg_start NAME COMMAND...: COMMAND in the background as daemon NAME
# (NAME.out, NAME.err in the trash); sets BG_PID.
bg_start () {
	bg_name=$1
	shift
	"$@" >"$TRASH_DIRECTORY/$bg_name.out" \
		2>"$TRASH_DIRECTORY/$bg_name.err" </dev/null &
	BG_PID=$!
	register_daemon_ $BG_PID $bg_name
}

# daemon_gone PID: no longer running.
daemon_gone () {
	! daemon_alive "$1"
}

# reap PID [SECS]: wait (SECS, default 5) for a daemon that exits by
# itself; sets REAPED to its exit status.
reap () {
	wait_until "${2:-5}" daemon_gone "$1" || return 1
	wait "$1"
	REAPED=$?
	unregister_daemon_ "$1"
}

daemon_name_ () {
	for dn_d in $test_daemons; do
		case $dn_d in
		"$1":*) echo "${dn_d#*:}"; return 0 ;;
		esac
	done
	echo "pid$1"
}

daemon_dump_ () {
	for dd_f in "$TRASH_DIRECTORY/$1.err" "$TRASH_DIRECTORY/$1.out" \
	    "$TRASH_DIRECTORY/$1.log"; do
		if test -s "$dd_f"; then
			echo "--- $dd_f (last lines)"
			tail -n 15 "$dd_f" | sed 's/^/| /'
		fi
	done
}

SANITIZER_PATTERN='ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer\|ERROR: UndefinedBehaviorSanitizer\|ThreadSanitizer'

# check_sanitizer NAME: no sanitizer report in the daemon's output files.
check_sanitizer () {
	cs_bad=0
	for cs_f in "$TRASH_DIRECTORY/$1.err" "$TRASH_DIRECTORY/$1.out" \
	    "$TRASH_DIRECTORY/$1.log"; do
		if test -f "$cs_f" && grep -e "$SANITIZER_PATTERN" "$cs_f" >/dev/null
		then
			echo "sanitizer report in $cs_f:" >&2
			grep -A 12 -e "$SANITIZER_PATTERN" "$cs_f" | head -n 40 |
				sed 's/^/| /' >&2
			cs_bad=1
		fi
	done
	test $cs_bad = 0
}

# libtentacle's test programs (t/sdk/, the t90xx scripts): $SDK, the san/
# copies under check-sanitize.  sdk NAME PROGRAM ARGS...: run
# t/sdk/PROGRAM with LeakSanitizer on (daemons have it off), stdout in
# NAME.out, stderr in NAME.err, both shown; fails on its failure or a
# sanitizer report.  SDK_TIMEOUT (seconds, default 300) and SDK_ASAN (more
# ASAN_OPTIONS) per script.
SDK=${TENTACLE_BUILD:-$TENTACLE_SRC}/t/sdk
sdk () {
	sdk_n=$1
	sdk_p=$2
	shift 2
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1${SDK_ASAN:+:$SDK_ASAN}" \
	SDK_LOG=$TRASH_DIRECTORY/$sdk_n.log \
		timeout "${SDK_TIMEOUT:-300}" "$SDK/$sdk_p" "$@" \
		>"$sdk_n.out" 2>"$sdk_n.err"
	sdk_rc=$?
	cat "$sdk_n.out"
	sed 's/^/stderr: /' "$sdk_n.err"
	echo "t/sdk/$sdk_p $*: exit $sdk_rc"
	test $sdk_rc = 0 && check_sanitizer "$sdk_n"
}

# stop_daemon PID [SIGNAL]: stop it (TERM by default; a stopped process is
# continued so it sees the signal), reap it within 10 s (then KILL), and
# fail when its output holds a sanitizer report.  TEST_STOP_TIMEOUT
# (seconds, default 10) bounds the wait.
stop_daemon () {
	sd_pid=$1
	sd_sig=${2:-TERM}
	sd_name=$(daemon_name_ "$sd_pid")
	kill -s "$sd_sig" "$sd_pid" 2>/dev/null
	kill -s CONT "$sd_pid" 2>/dev/null
	sd_n=$(( ${TEST_STOP_TIMEOUT:-10} * 50 ))
	while daemon_alive "$sd_pid" && test $sd_n -gt 0; do
		test_tick_
		sd_n=$((sd_n - 1))
	done
	sd_ok=0
	if daemon_alive "$sd_pid"; then
		echo "$sd_name (pid $sd_pid) ignored SIG$sd_sig for ${TEST_STOP_TIMEOUT:-10}s; killing" >&2
		for sd_t in /proc/$sd_pid/task/*; do
			test -r "$sd_t/stat" || continue
			echo "| thread ${sd_t##*/}: state $(sed 's/.*) \(.\).*/\1/' "$sd_t/stat") comm $(cat "$sd_t/comm" 2>/dev/null) wchan $(cat "$sd_t/wchan" 2>/dev/null)" >&2
		done
		kill -s KILL "$sd_pid" 2>/dev/null
		sd_ok=1
	fi
	wait "$sd_pid" 2>/dev/null
	sd_status=$?
	unregister_daemon_ "$sd_pid"
	say_verbose "$sd_name (pid $sd_pid) exited with status $sd_status"
	# Death by a signal other than ours is a crash (or a sanitizer abort).
	if test $sd_status -gt 128; then
		sd_got=$(kill -l $((sd_status - 128)) 2>/dev/null)
		case $sd_got in
		"$sd_sig"|SIG"$sd_sig") ;;
		*)
			echo "$sd_name (pid $sd_pid) died of signal $((sd_status - 128)) ($sd_got)" >&2
			daemon_dump_ "$sd_name" >&2
			sd_ok=1 ;;
		esac
	fi
	check_sanitizer "$sd_name" && test $sd_ok = 0
}

# kill_daemon PID [SIGNAL]: send a signal (KILL by default) and reap.
kill_daemon () {
	kill -s "${2:-KILL}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	unregister_daemon_ "$1"
	return 0
}

# hub_port_ NAME LINE: port of NAME=host:port in a "hub ready" line.
hub_port_ () {
	printf '%s\n' "$2" | sed -n "s/.* $1=[^ ]*:\\([0-9][0-9]*\\).*/\\1/p"
}

# start_hub [FLAGS...]: a hub on 127.0.0.1 port 0 for every front not in
# FLAGS.  Sets HUB_PID HUB_LOG HUB_NAME CONTROL_PORT DATA_PORT SOCKS_PORT
# HTTP_PORT (empty for a front given as "none") and ADMIN_SOCK (the admin
# socket: $TENTACLE_STATE_DIR/admin.sock unless FLAGS say -admin; two hubs
# at once need -admin or -state-dir for one of them).
start_hub () {
	HUB_COUNT=$((HUB_COUNT + 1))
	HUB_NAME=hub$HUB_COUNT
	HUB_LOG=$TRASH_DIRECTORY/$HUB_NAME.log
	sh_def=
	for sh_f in controlAddr tunnelAddr socketAddr httpAddr; do
		case " $* " in
		*" -$sh_f "*|*" -$sh_f="*|*" --$sh_f "*|*" --$sh_f="*) ;;
		*) sh_def="$sh_def -$sh_f 127.0.0.1:0" ;;
		esac
	done
	if test -n "${HUB_TOKENS:-}"; then
		case " $* " in
		*" -tokens "*|*" -tokens="*) ;;
		*) sh_def="$sh_def -tokens $HUB_TOKENS" ;;
		esac
	fi
	say_verbose "starting $HUB_NAME: $TENTACLE server$sh_def -log $HUB_LOG -log-level DEBUG $*"
	"$TENTACLE" server $sh_def -log "$HUB_LOG" -log-level DEBUG "$@" \
		>"$TRASH_DIRECTORY/$HUB_NAME.out" \
		2>"$TRASH_DIRECTORY/$HUB_NAME.err" </dev/null &
	HUB_PID=$!
	register_daemon_ $HUB_PID $HUB_NAME
	wait_for_ready_ "$HUB_LOG" 'hub ready: ' $HUB_PID $HUB_NAME || return 1
	sh_line=$(grep -e 'hub ready: ' "$HUB_LOG" | tail -n 1)
	CONTROL_PORT=$(hub_port_ control "$sh_line")
	DATA_PORT=$(hub_port_ data "$sh_line")
	SOCKS_PORT=$(hub_port_ socks "$sh_line")
	HTTP_PORT=$(hub_port_ http "$sh_line")
	ADMIN_SOCK=$(printf '%s\n' "$sh_line" | sed -n 's/.* admin=\([^ ]*\).*/\1/p')
	export HUB_PID HUB_LOG CONTROL_PORT DATA_PORT SOCKS_PORT HTTP_PORT \
		ADMIN_SOCK
	say_verbose "$HUB_NAME: pid $HUB_PID control $CONTROL_PORT data $DATA_PORT socks $SOCKS_PORT http $HTTP_PORT"
	if test -z "$CONTROL_PORT" || test -z "$DATA_PORT"; then
		echo "cannot parse the ready line: $sh_line" >&2
		return 1
	fi
	return 0
}

# use_tokens: one token for the nodes of this script: start_hub adds
# -tokens (HUB_TOKENS), start_node -token (NODE_TOKEN).  A hub without
# -tokens takes nodes from 127.0.0.1 and ::1 only, so nodes that -bind
# another address need it.
use_tokens () {
	NODE_TOKEN=$("$TENTACLE" token) &&
	echo "$NODE_TOKEN" >"$TRASH_DIRECTORY/tokens" &&
	HUB_TOKENS=$TRASH_DIRECTORY/tokens &&
	export NODE_TOKEN HUB_TOKENS
}

# start_node NAME [FLAGS...] [POOL...]: an exit node of the last hub,
# allowed to reach 127.0.0.0/8 (NODE_ALLOW overrides; empty: no -allow).
# Sets NODE_PID NODE_LOG, and NODE_PID_<NAME> for names that are valid
# shell variable names.
start_node () {
	sn_name=$1
	shift
	NODE_LOG=$TRASH_DIRECTORY/node.$sn_name.log
	sn_allow=${NODE_ALLOW-127.0.0.0/8}
	sn_pat="node ready: node [0-9]* ($sn_name) connected"
	# A name used before appends to the same log: wait for a new line.
	sn_seen=0
	if test -f "$NODE_LOG"; then
		sn_seen=$(grep -c -e "$sn_pat" "$NODE_LOG" 2>/dev/null)
	fi
	say_verbose "starting node $sn_name: $TENTACLE start -server ${NODE_SERVER:-127.0.0.1:$CONTROL_PORT} -name $sn_name ${sn_allow:+-allow $sn_allow} $*"
	if test -n "$sn_allow"; then
		"$TENTACLE" start -server "${NODE_SERVER:-127.0.0.1:$CONTROL_PORT}" \
			-name "$sn_name" -allow "$sn_allow" \
			${NODE_TOKEN:+-token "$NODE_TOKEN"} \
			-log "$NODE_LOG" -log-level DEBUG "$@" \
			>"$TRASH_DIRECTORY/node.$sn_name.out" \
			2>"$TRASH_DIRECTORY/node.$sn_name.err" </dev/null &
	else
		"$TENTACLE" start -server "${NODE_SERVER:-127.0.0.1:$CONTROL_PORT}" \
			-name "$sn_name" ${NODE_TOKEN:+-token "$NODE_TOKEN"} \
			-log "$NODE_LOG" -log-level DEBUG "$@" \
			>"$TRASH_DIRECTORY/node.$sn_name.out" \
			2>"$TRASH_DIRECTORY/node.$sn_name.err" </dev/null &
	fi
	NODE_PID=$!
	register_daemon_ $NODE_PID node.$sn_name
	case $sn_name in
	*[!A-Za-z0-9_]*) ;;
	*) eval "NODE_PID_$sn_name=\$NODE_PID" ;;
	esac
	export NODE_PID NODE_LOG
	wait_for_ready_ "$NODE_LOG" "$sn_pat" $NODE_PID node.$sn_name \
		$((${sn_seen:-0} + 1))
}

# spawn_node NAME [FLAGS...] [POOL...]: as start_node, but without waiting
# for "node ready" (for nodes the hub is expected to refuse).  Sets
# NODE_PID NODE_LOG.
spawn_node () {
	spn_name=$1
	shift
	NODE_LOG=$TRASH_DIRECTORY/node.$spn_name.log
	"$TENTACLE" start -server "${NODE_SERVER:-127.0.0.1:$CONTROL_PORT}" \
		-name "$spn_name" -allow 127.0.0.0/8 \
		-log "$NODE_LOG" -log-level DEBUG "$@" \
		>"$TRASH_DIRECTORY/node.$spn_name.out" \
		2>"$TRASH_DIRECTORY/node.$spn_name.err" </dev/null &
	NODE_PID=$!
	register_daemon_ $NODE_PID node.$spn_name
}

# only_node NAME ARGS...: stop the current node (if any), wait for the
# hub to list none, start NAME (start_node ARGS; NODE_ALLOW as there).
# Sets CUR_NODE (the node's pid), which the next call stops.
only_node () {
	if test -n "$CUR_NODE"; then
		stop_daemon $CUR_NODE || return 1
		CUR_NODE=
		wait_until 10 info_has_nodes 0 || return 1
	fi
	start_node "$@" || return 1
	CUR_NODE=$NODE_PID
}

# hub_fp: the key fingerprint (sha256:...) from the last hub's log.
hub_fp () {
	sed -n "s/.*hub key fingerprint \(sha256:[0-9a-f]*\).*/\1/p" \
		"$HUB_LOG" | tail -n 1
}

# start_origin [ARGS...]: the helper origin (-6 for [::1], -echo for raw
# echo).  Sets ORIGIN_PID ORIGIN_PORT ORIGIN_ADDR ORIGIN_NAME.
start_origin () {
	ORIGIN_COUNT=$((ORIGIN_COUNT + 1))
	ORIGIN_NAME=origin$ORIGIN_COUNT
	"$ORIGIN" "$@" >"$TRASH_DIRECTORY/$ORIGIN_NAME.out" \
		2>"$TRASH_DIRECTORY/$ORIGIN_NAME.err" </dev/null &
	ORIGIN_PID=$!
	register_daemon_ $ORIGIN_PID $ORIGIN_NAME
	wait_for_ready_ "$TRASH_DIRECTORY/$ORIGIN_NAME.out" 'origin ready: ' \
		$ORIGIN_PID $ORIGIN_NAME || return 1
	ORIGIN_ADDR=$(sed -n 's/^origin ready: //p' "$TRASH_DIRECTORY/$ORIGIN_NAME.out")
	ORIGIN_PORT=${ORIGIN_ADDR##*:}
	export ORIGIN_PID ORIGIN_PORT ORIGIN_ADDR
}

# ---------------------------------------------------------------- clients

# hub_serves_socks: a request through the hub's SOCKS5 port to the last
# origin's /small reaches it (the answer in serves.out).
hub_serves_socks () {
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >serves.out &&
	grep "quick brown fox" serves.out
}

# hub_serves: hub_serves_socks, and the same request through the HTTP
# proxy when the hub has one ($HTTP_PORT not empty).
hub_serves () {
	hub_serves_socks || return 1
	test -z "$HTTP_PORT" && return 0
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >serves.out &&
	grep "quick brown fox" serves.out
}

# fd_count PID: open descriptors of a process.
fd_count () {
	ls "/proc/$1/fd" | wc -l | tr -d ' '
}

# rss_kb PID: resident memory of a process, KiB.
rss_kb () {
	sed -n 's/^VmRSS:[ 	]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# pipes_of PID: how many pipe descriptors the process holds.
pipes_of () {
	ls -l /proc/$1/fd 2>/dev/null | grep -c "pipe:"
}

# count PATTERN FILE: lines of FILE matching the grep (basic) regexp
# PATTERN; 0 when none.
count () {
	grep -c -e "$1" "$2" 2>/dev/null || :
}

# hexof FILE: the bytes of FILE as one hex string.
hexof () {
	od -An -tx1 "$1" | tr -d ' \n'
}

# tcurl ARGS...: curl without curlrc, quiet but showing errors, bounded.
tcurl () {
	curl -q -sS --max-time "${CURL_MAX_TIME:-20}" "$@"
}

# px ARGS...: tcurl through the hub's HTTP proxy.
px () {
	tcurl -x http://127.0.0.1:$HTTP_PORT "$@"
}

# http_status ARGS...: the HTTP status tcurl ARGS got (body in http.body,
# headers in http.head).
http_status () {
	tcurl -D http.head -o http.body -w "%{http_code}" "$@"
}

# port_bytes PORT: the port in network order, as raw bytes.
port_bytes () {
	printf "\\$(printf %03o $(($1 / 256)))\\$(printf %03o $(($1 % 256)))"
}

# socks_connect PORT: the raw bytes of a SOCKS5 greeting (no auth) and a
# CONNECT to 127.0.0.1:PORT.
socks_connect () {
	printf "\005\001\000\005\001\000\001\177\000\000\001" && port_bytes $1
}

# socks_login USER PASS: the raw bytes of a SOCKS5 greeting offering
# USERPASS, then the RFC 1929 request.
socks_login () {
	printf "\\005\\001\\002\\001\\$(printf %03o ${#1})%s\\$(printf %03o ${#2})%s" \
		"$1" "$2"
}

# socks_domain NAME PORT [TIMEOUT]: a raw SOCKS5 CONNECT with ATYP 3 (a
# name) NAME through the hub, the reply awaited TIMEOUT seconds (5); prints
# the reply bytes in hex ("0500" then "05RR...").
socks_domain () {
	sd_len=$(printf "\\%03o" ${#1})
	sd_port=$(printf "\\%03o\\%03o" $(($2 / 256)) $(($2 % 256)))
	printf "\005\001\000\005\001\000\003$sd_len%s$sd_port" "$1" |
		"$TCPC" -T ${3:-5} $SOCKS_PORT >sd.out
	od -An -tx1 sd.out | tr -d " \n"
}

# rep_is CODE ARGS...: socksc ARGS (the SOCKS port first) gets a reply
# with REP CODE (0xNN), and exits 0 for 0x00, 4 for any other; the reply
# in rep.
rep_is () {
	ri_want=$1
	shift
	"$SOCKSC" -n -T 20 "$@" 2>rep
	ri_rc=$?
	cat rep
	if test "$ri_want" = 0x00; then
		grep "^REP 0x00\$" rep && test $ri_rc = 0
	else
		grep "^REP $ri_want\$" rep && test $ri_rc = 4
	fi
}

# socks_refused ADDR HOSTPORT WHY PORT: REP 0x02 for ADDR:PORT through the
# hub's SOCKS port, and a new line in the node's log (NODE_LOG) "refusing
# HOSTPORT: ...WHY..." (WHY a grep pattern), left in refline.
socks_refused () {
	rf_before=$(grep -c "refusing " "$NODE_LOG")
	rep_is 0x02 $SOCKS_PORT "$1" "$4" || return 1
	wait_for_count "$NODE_LOG" "refusing " $((rf_before + 1)) 5 &&
	grep "refusing " "$NODE_LOG" | tail -n 1 >refline &&
	cat refline &&
	grep -F -e "refusing $2: " refline &&
	grep -e "$3" refline
}

# served_by: the node name of the hub's last connected dial.
served_by () {
	grep 'connected via node' "$HUB_LOG" | tail -n 1 |
		sed 's/.* via node [0-9]* (\([^)]*\)).*/\1/'
}

# spread N USER: N requests by the script's own `sget USER` (which prints
# the name of the node that served it), one name a line, into spread.out.
spread () {
	: >spread.out
	sp_i=0
	while test $sp_i -lt $1; do
		sget "$2" >>spread.out || return 1
		sp_i=$((sp_i + 1))
	done
}

# spread_count NAME: lines of spread.out naming node NAME.
spread_count () {
	count "^$1\$" spread.out
}

# info_json: the hub's node list as JSON, into info.json.
info_json () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json
}

# info_json_count: number of nodes in `tentacle info -json`.
info_json_count () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.count.json 2>&1 &&
	grep -o '"id"[ 	]*:' info.count.json | wc -l | tr -d ' '
}

# info_flat_now: `tentacle info -json` without blanks and newlines.
info_flat_now () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json | tr -d " \n	"
}

# info_rtt_seen: some node has a measured round trip time.
info_rtt_seen () {
	info_flat_now | grep '"rtt_us":[1-9]'
}

# info_no_relays: every node reports 0 active relays.
info_no_relays () {
	info_flat_now >info.relays.json &&
	grep '"relays":' info.relays.json >/dev/null &&
	! grep '"relays":[1-9]' info.relays.json >/dev/null
}

# info_has_nodes N: the hub lists exactly N nodes.
info_has_nodes () {
	ihn_c=$(info_json_count) && test "$ihn_c" = "$1"
}

# ---------------------------------------------------------------- exit

test_cleanup_ () {
	# Daemons first (a stopped one is continued so it can die).
	for tc_d in $test_daemons; do
		kill -s TERM "${tc_d%%:*}" 2>/dev/null
		kill -s CONT "${tc_d%%:*}" 2>/dev/null
	done
	for tc_d in $test_daemons; do
		tc_n=250
		while daemon_alive "${tc_d%%:*}" && test $tc_n -gt 0; do
			test_tick_
			tc_n=$((tc_n - 1))
		done
		kill -s KILL "${tc_d%%:*}" 2>/dev/null
		wait "${tc_d%%:*}" 2>/dev/null
	done
	test_daemons=
	if test -n "$test_atexit_cmds"; then
		(cd "$TRASH_DIRECTORY" 2>/dev/null; eval "$test_atexit_cmds") \
			>/dev/null 2>&1
		test_atexit_cmds=
	fi
}

test_exit_trap_ () {
	te_code=$?
	test_cleanup_
	if test -z "$test_done_called"; then
		say "# $TEST_NAME: exited early (status $te_code); trash kept: $TRASH_DIRECTORY"
		test "$te_code" = 0 && te_code=1
	fi
	exit $te_code
}

trap 'test_exit_trap_' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# test_done: stop what is left, check every daemon's output for sanitizer
# reports (one more test), print the plan, remove the trash on success.
test_done () {
	test_done_called=t
	test_daemons_all_=$(cd "$TRASH_DIRECTORY" && ls *.err *.log 2>/dev/null)
	test_cleanup_
	test_start_
	td_bad=
	for td_f in $test_daemons_all_; do
		if grep -e "$SANITIZER_PATTERN" "$TRASH_DIRECTORY/$td_f" >/dev/null 2>&1
		then
			td_bad="$td_bad $td_f"
		fi
	done
	if test -z "$td_bad"; then
		test_ok_ "no sanitizer reports from daemons"
	else
		test_failure=$((test_failure + 1))
		say "not ok $test_count - no sanitizer reports from daemons"
		for td_f in $td_bad; do
			say "# $td_f:"
			grep -A 12 -e "$SANITIZER_PATTERN" "$TRASH_DIRECTORY/$td_f" |
				head -n 40 | sed 's/^/# /'
		done
	fi
	say "1..$test_count"
	if test $test_fixed -gt 0; then
		say "# $test_fixed known breakage(s) vanished"
	fi
	if test $test_broken -gt 0; then
		say "# still have $test_broken known breakage(s)"
	fi
	cd "$TEST_DIRECTORY" || exit 1
	if test $test_failure = 0; then
		if test "$debug" != t; then
			rm -rf "$TRASH_DIRECTORY"
		fi
		exit 0
	fi
	say "# failed $test_failure among $test_count test(s); trash kept: $TRASH_DIRECTORY"
	exit 1
}
