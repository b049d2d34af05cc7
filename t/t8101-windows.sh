#!/bin/sh
test_description='Windows build under wine: version; a Windows hub and node
with TLS carry SOCKS5 and HTTP intact; Windows and native mixed both ways;
the admin port and its cookie; a redial: command through cmd.exe; the RAS
redial failing cleanly; tentacle service install/start/stop/uninstall.

Needs TENTACLE_WIN=/path/to/tentacle.exe (a mingw-w64 build) and wine:
WINE (default: wine64 or wine in PATH, else /usr/lib/wine/wine64) and
WINESERVER (default: next to it).  WINEPREFIX: a prefix to use (and keep);
default: a fresh one in the trash directory (about 30 s to create).  Every
wine process of the prefix is killed at exit (wineserver -k).'
. "$(dirname "$0")/test-lib.sh"

if test -z "${TENTACLE_WIN:-}"; then
	test_skip_all 'TENTACLE_WIN unset: build tentacle.exe for x86_64-w64-mingw32 (doc/windows.md) and set TENTACLE_WIN=/path/to/tentacle.exe'
fi
TENTACLE_WIN=$(abspath_ "$TENTACLE_WIN")
test -f "$TENTACLE_WIN" || test_skip_all "TENTACLE_WIN=$TENTACLE_WIN: no such file"
if test -z "${WINE:-}"; then
	for w_ in wine64 wine /usr/lib/wine/wine64; do
		if command -v "$w_" >/dev/null 2>&1; then
			WINE=$(command -v "$w_")
			break
		fi
	done
fi
test -n "${WINE:-}" || test_skip_all 'wine not found (Debian: apt-get install wine64; or set WINE=)'
if test -z "${WINESERVER:-}"; then
	for w_ in "$(dirname "$WINE")/wineserver" /usr/lib/wine/wineserver \
	    "$(command -v wineserver 2>/dev/null)"; do
		if test -n "$w_" && test -x "$w_"; then
			WINESERVER=$w_
			break
		fi
	done
fi
test -n "${WINESERVER:-}" || test_skip_all 'wineserver not found (set WINESERVER=)'
test_have_prereq CURL || test_skip_all 'curl not found'

WINEPREFIX=${WINEPREFIX:-$TRASH_DIRECTORY/wineprefix}
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG WINE WINESERVER

# The Windows tentacle as a command: start_hub and start_node run it.
TWIN=$TRASH_DIRECTORY/tentacle-win
cat >"$TWIN" <<EOF
#!/bin/sh
exec "$WINE" "$TENTACLE_WIN" "\$@"
EOF
chmod +x "$TWIN"
TNATIVE=$TENTACLE

# win_pids: wine's processes of our prefix (a wine binary whose
# WINEPREFIX says so; native daemons of this script have it too).
win_pids () {
	for wp_p in /proc/[0-9]*; do
		case $(readlink "$wp_p/exe" 2>/dev/null) in
		*wine*) ;;
		*) continue ;;
		esac
		{ tr '\0' '\n' <"$wp_p/environ"; } 2>/dev/null |
			grep -qx "WINEPREFIX=$WINEPREFIX" && echo "${wp_p#/proc/}"
	done
}

# win_kill: the prefix's wineserver and every process of the prefix.
# wineserver -k alone leaves wine's own services.exe, plugplay.exe,
# winedevice.exe... running at times: those go by pid.
win_kill () {
	"$WINESERVER" -k 2>/dev/null
	wk_n=0
	while wk_p=$(win_pids) && test -n "$wk_p" && test $wk_n -lt 50; do
		kill -s KILL $wk_p 2>/dev/null
		test_tick_
		wk_n=$((wk_n + 1))
	done
	test -z "$(win_pids)"
}

# Each wine process we start is a daemon of test-lib's; the prefix's
# wineserver (kept up for the whole script: starts are then fast) and
# whatever it still runs (a service) die at exit.
test_atexit 'win_kill'

# win CMD...: the Windows tentacle with test-lib's helpers (start_hub,
# start_node NAME).  Under wine (seen in gVisor) a process now and then
# dies at start before tentacle prints a byte: then once more, said in
# the TAP output.  A tentacle that wrote anything is not retried.
win () {
	TENTACLE=$TWIN
	"$@"
	w_rc=$?
	if test $w_rc != 0; then
		case $1 in
		start_node) w_f=node.$2 ;;
		start_hub) w_f=$HUB_NAME ;;
		*) w_f= ;;
		esac
		if test -n "$w_f" && ! test -s "$w_f.err" &&
		    ! test -s "$w_f.out" && ! test -s "$w_f.log"; then
			say "# $1 $2: wine died silently at start; again"
			"$@"
			w_rc=$?
		fi
	fi
	TENTACLE=$TNATIVE
	return $w_rc
}

# A new prefix: wineboot makes it (its status is wine's business, and a
# first boot can trip over itself), then a wineserver for the whole run.
test_expect_success 'wine runs tentacle.exe version (creates the prefix)' '
	{ "$WINE" wineboot -u >wineboot.out 2>&1; "$WINESERVER" -w; true; } &&
	"$WINESERVER" -p &&
	"$TWIN" version >version.out 2>version.err &&
	grep "^tentacle [0-9]" version.out &&
	sed -n 2p version.out | tr -d "\r" >line2 &&
	grep "^x86_64-w64-mingw32, mingw-w64 [0-9][0-9.]*, static\$" line2
'

test_expect_success 'installed as tentacled.exe it is the hub' '
	cp "$TENTACLE_WIN" tentacled.exe &&
	"$WINE" tentacled.exe -h >hub-h.out 2>&1 &&
	grep "^usage: tentacle server" hub-h.out
'

test_expect_success 'setup: origin, a Windows hub, a Windows node, tokens' '
	start_origin &&
	"$TWIN" token >tokens &&
	grep "$(printf "\r")\$" tokens &&
	NODE_TOKEN=$(tr -d "\r" <tokens) &&
	HUB_TOKENS=$TRASH_DIRECTORY/tokens &&
	export NODE_TOKEN HUB_TOKENS &&
	win start_hub -log-level DEBUG &&
	WHUB_LOG=$HUB_LOG WSOCKS=$SOCKS_PORT WHTTP=$HTTP_PORT &&
	WCONTROL=$CONTROL_PORT WADMIN=$ADMIN_SOCK &&
	win start_node w1
'

test_expect_success 'TLS links (the default), tokens, the admin port on loopback' '
	grep "hub key fingerprint sha256:" "$WHUB_LOG" &&
	grep "nodes authenticate with 1 tokens" "$WHUB_LOG" &&
	! grep "readable by other users" "$WHUB_LOG" &&
	grep "(TLS links)" node.w1.log &&
	case $WADMIN in 127.0.0.1:[0-9]*) ;; *) false ;; esac &&
	grep "^127\.0\.0\.1:[0-9]* [0-9a-f]\{64\}$" state/admin.cookie
'

test_expect_success 'SOCKS5 through Windows hub and node: 4 MiB intact' '
	"$ORIGIN" -gen 4194304 >expect4 &&
	tcurl --socks5-hostname 127.0.0.1:$WSOCKS \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4194304 -o got4 &&
	cmp expect4 got4
'

# Not "localhost" by name: Windows' hosts file does not list it (its
# resolver answers it itself), and evdns reads only that file.
test_expect_success 'SOCKS5 with the address from the client' '
	tcurl --socks5 127.0.0.1:$WSOCKS \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'HTTP proxy through them: 4 MiB chunked, a 1 MB POST' '
	tcurl -x http://127.0.0.1:$WHTTP \
		http://127.0.0.1:$ORIGIN_PORT/chunked/4194304 -o got4c &&
	cmp expect4 got4c &&
	head -c 1000000 expect4 >post &&
	"$ORIGIN" -sum <post >post.sum &&
	tcurl -x http://127.0.0.1:$WHTTP --data-binary @post \
		http://127.0.0.1:$ORIGIN_PORT/echo >out &&
	head -n 1 out >out.sum &&
	cmp post.sum out.sum
'

test_expect_success 'admin: Windows info, and native info by the cookie file' '
	"$TWIN" info >winfo 2>winfo.err &&
	grep "^1  *w1 .*windows/x86_64" winfo &&
	"$TNATIVE" info -admin state/admin.cookie -json >ninfo &&
	grep "\"name\":\"w1\"" ninfo
'

test_expect_success 'admin: a wrong cookie is refused' '
	sed "s/ [0-9a-f]*$/ $(printf "%064d" 0)/" state/admin.cookie >bad &&
	test_must_fail "$TNATIVE" info -admin bad 2>err &&
	grep "this admin port wants the hub.s cookie" err
'

test_expect_success 'a native node against the Windows hub' '
	NODE_SERVER=127.0.0.1:$WCONTROL start_node n1 &&
	"$TNATIVE" drain -admin state/admin.cookie w1 &&
	tcurl --socks5-hostname 127.0.0.1:$WSOCKS \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4194304 -o got4n &&
	cmp expect4 got4n &&
	grep "via node [0-9]* (n1)" "$WHUB_LOG" &&
	"$TNATIVE" undrain -admin state/admin.cookie w1
'

test_expect_success 'setup: a native hub' '
	start_hub -state-dir "$TRASH_DIRECTORY/nhub" \
		-admin "$TRASH_DIRECTORY/nhub.sock" &&
	NHUB_LOG=$HUB_LOG NSOCKS=$SOCKS_PORT NHTTP=$HTTP_PORT &&
	NCONTROL=$CONTROL_PORT NADMIN=$ADMIN_SOCK
'

test_expect_success 'a Windows node against the native hub: SOCKS5 and HTTP' '
	NODE_SERVER=127.0.0.1:$NCONTROL win start_node w2 &&
	tcurl --socks5-hostname 127.0.0.1:$NSOCKS \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4194304 -o got4w &&
	cmp expect4 got4w &&
	tcurl -x http://127.0.0.1:$NHTTP \
		http://127.0.0.1:$ORIGIN_PORT/bytes/4194304 -o got4wh &&
	cmp expect4 got4wh &&
	"$TNATIVE" info -admin "$NADMIN" >out &&
	grep " w2 .*windows/x86_64" out
'

test_expect_success 'redial: a redial: command runs under cmd.exe' '
	cat >w3.conf <<-\EOF &&
	redial: echo redialed %OS%> redial.out & echo to the log
	redial_timeout: 20s
	redial_min_interval: 0s
	EOF
	NODE_SERVER=127.0.0.1:$NCONTROL win start_node w3 -config w3.conf &&
	"$TNATIVE" redial -admin "$NADMIN" w3 &&
	wait_for_log node.w3.log "redial: the command succeeded" 30 &&
	grep "^redialed Windows_NT" redial.out &&
	grep "redial: | to the log" node.w3.log &&
	wait_for_count node.w3.log "node ready: node [0-9]* (w3) connected" 2 20
'

test_expect_success 'redial: a failing command, its exit status reported' '
	stop_daemon $NODE_PID &&
	cat >w4.conf <<-\EOF &&
	redial: exit 3
	redial_min_interval: 0s
	EOF
	NODE_SERVER=127.0.0.1:$NCONTROL win start_node w4 -config w4.conf &&
	"$TNATIVE" redial -admin "$NADMIN" w4 &&
	wait_for_log node.w4.log "failed with exit status 3" 30
'

test_expect_success 'redial: dial_info uses RAS; it fails cleanly, no password logged' '
	stop_daemon $NODE_PID &&
	cat >w5.conf <<-\EOF &&
	dial_info: nosuchentry,someone,s3cretpass
	redial_timeout: 20s
	redial_min_interval: 0s
	EOF
	NODE_SERVER=127.0.0.1:$NCONTROL win start_node w5 -config w5.conf &&
	"$TNATIVE" redial -admin "$NADMIN" w5 &&
	wait_for_log node.w5.log "redial: hanging up and redialing RAS entry nosuchentry" 30 &&
	wait_for_log node.w5.log "redial: RAS error\|redial: the dial succeeded\|did not finish" 30 &&
	wait_for_count node.w5.log "node ready: node [0-9]* (w5) connected" 2 20 &&
	! grep s3cretpass node.w5.log "$NHUB_LOG"
'

test_expect_success 'service: install, start, info, stop, uninstall (the SCM)' '
	"$TWIN" service install hub -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr none -httpAddr none \
		-state-dir "$TRASH_DIRECTORY/svc" \
		-log "$TRASH_DIRECTORY/svc.log" >svc.out 2>svc.err &&
	test_atexit "\"$TWIN\" service uninstall hub" &&
	grep "^installed service tentacled: .*service run hub" svc.out &&
	"$TWIN" service start hub &&
	wait_for_log svc.log "hub ready: " 20 &&
	"$TWIN" -state-dir "$TRASH_DIRECTORY/svc" info >svc.info &&
	grep "0 nodes online" svc.info &&
	"$TWIN" service stop hub &&
	grep "hub: signal 15: stopping: no relays running" svc.log &&
	grep "hub: stopped" svc.log &&
	"$TWIN" service uninstall hub &&
	test_must_fail "$TWIN" service start hub 2>err &&
	grep "tentacled" err
'

test_expect_success 'service run outside the SCM says so' '
	test_must_fail "$TWIN" service run hub 2>err &&
	grep "only the service manager runs this" err
'

test_expect_success 'the Windows hub still serves' '
	stop_daemon $NODE_PID &&
	tcurl --socks5-hostname 127.0.0.1:$WSOCKS \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success 'no wine process of the prefix is left' '
	for p in $test_daemons; do
		stop_daemon "${p%%:*}" || return 1
	done &&
	win_kill
'

test_done
