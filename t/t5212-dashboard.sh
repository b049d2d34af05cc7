#!/bin/sh
test_description='the dashboard in a real browser: headless Chromium
(Debian chromium, driven by chromedriver from t/helper/webdriver.py)
opens the page the hub serves on its loopback TCP admin port with the
cookie in the URL fragment, sees the node rows, drains a node with its
button and sees the state change in the page and in tentacle info;
undrain brings it back; no console error (a CSP refusal is one); the login
form without a token and after a wrong one; a phone-sized window needs no
sideways scrolling; over the admin Unix socket (a TCP forwarder, as ssh -L)
the page works with no token.  Screenshots in the trash directory (with
TENTACLE_UPDATE_SCREENSHOT=1 the desktop one is also copied to
doc/admin-dashboard.png).'
. "$(dirname "$0")/test-lib.sh"

WD=$TEST_DIRECTORY/helper/webdriver.py
test_have_prereq CURL || test_skip_all 'curl not found'
command -v python3 >/dev/null 2>&1 ||
	test_skip_all 'python3 not found (sh scripts/install-deps)'
{ command -v chromium || command -v chromium-browser; } >/dev/null 2>&1 &&
	command -v chromedriver >/dev/null 2>&1 ||
	test_skip_all 'chromium and chromedriver not found (Debian: chromium chromium-driver; sh scripts/install-deps)'

# wd STEP...: webdriver.py on the dashboard with the cookie; its console
# log in wd.console.
wd () {
	python3 "$WD" -console wd.console "$@"
}

# state_of NAME: the node's state in `tentacle info -json`.
state_of () {
	"$TENTACLE" info -admin "127.0.0.1:$ADMIN_PORT" -json >state.json &&
	python3 -c '
import json, sys
for n in json.load(open("state.json"))["nodes"]:
    if n["name"] == sys.argv[1]:
        print(n["state"])' "$1"
}

test_expect_success 'setup: a hub with -admin 127.0.0.1:0, three nodes in two pools, traffic' '
	start_origin &&
	start_hub -admin 127.0.0.1:0 &&
	ADMIN_PORT=${ADMIN_SOCK##*:} &&
	test -n "$ADMIN_PORT" &&
	start_node n1 &&
	start_node n2 default p2 &&
	start_node n3 p2 &&
	hub_serves &&
	COOKIE=$(sed -n "s/^127\.0\.0\.1:$ADMIN_PORT \([0-9a-f]*\)\$/\1/p" \
		"$TENTACLE_STATE_DIR/admin.cookie") &&
	test -n "$COOKIE" &&
	URL=http://127.0.0.1:$ADMIN_PORT/
'

test_expect_success 'the page and its files without credentials, the strict CSP, the same bytes as dist/dash' '
	tcurl -D head.txt -o page.html "$URL" &&
	head -n 1 head.txt | grep " 200" &&
	grep -i "^content-type: text/html" head.txt &&
	grep -i "^content-security-policy:.*script-src .self.;" head.txt &&
	grep -i "^content-security-policy:.*style-src .self.;" head.txt &&
	! grep -i "^content-security-policy:.*unsafe-inline" head.txt &&
	cmp page.html "$TENTACLE_SRC/dist/dash/index.html" &&
	for f in dash.js dash.css; do
		tcurl -D head.$f -o got.$f "$URL$f" &&
		head -n 1 head.$f | grep " 200" &&
		cmp got.$f "$TENTACLE_SRC/dist/dash/$f" || return 1
	done &&
	grep -i "^content-type: text/javascript" head.dash.js &&
	grep -i "^content-type: text/css" head.dash.css &&
	code=$(tcurl -o /dev/null -w "%{http_code}" "${URL}api/v1/nodes") &&
	test "$code" = 401
'

test_expect_success 'the browser: node rows, rates while downloads run, drain n1 by its button, the page and the hub agree' '
	test "$(state_of n1)" = up &&
	# Two downloads for the rates and the chart, running until the
	# browser is done (a loaded machine is slow to start it).
	dl= &&
	for r in 3M 1M; do
		CURL_MAX_TIME=180 tcurl --limit-rate $r -o /dev/null \
			--socks5-hostname 127.0.0.1:$SOCKS_PORT \
			http://127.0.0.1:$ORIGIN_PORT/bytes/800000000 2>/dev/null &
		dl="$dl $!"
	done &&
	wd "$URL#token=$COOKIE" \
		wait "tr.node[data-name=\"n1\"]" \
		wait "tr.node[data-name=\"n2\"]" \
		wait "tr.node[data-name=\"n3\"]" \
		wait ".pool[data-pool=\"p2\"] tr.node[data-name=\"n3\"]" \
		text "tr.node[data-name=\"n1\"] .state" "^up\$" \
		text "tr.node[data-name=\"n1\"] .addr" "^127\.0\.0\.1:[0-9]+\$" \
		eval "location.href" "^http://127\.0\.0\.1:$ADMIN_PORT/\$" \
		text "#t-down" "[0-9] [KMG]iB/s\$" \
		text "#chart-max" "\\(([5-9]|[1-9][0-9]+) samples\\)" \
		click "tr.node[data-name=\"n1\"] button[data-act=\"drain\"]" \
		text "tr.node[data-name=\"n1\"] .state" "^drained\$" \
		wait "tr.node[data-name=\"n1\"] button[data-act=\"undrain\"]" \
		text "#t-resting" "^1\$" \
		click "tr.node[data-name=\"n3\"] button.name" \
		wait "tr.detail[data-id]" \
		clean \
		shot dashboard.png >wd.out 2>&1;
	rc=$?; kill $dl 2>/dev/null; wait $dl; cat wd.out wd.console;
	test $rc = 0 &&
	test "$(state_of n1)" = drained &&
	test "$(state_of n2)" = up &&
	test "$(state_of n3)" = up &&
	test -s dashboard.png &&
	if test "${TENTACLE_UPDATE_SCREENSHOT:-}" = 1; then
		cp dashboard.png "$TENTACLE_SRC/doc/admin-dashboard.png"
	fi
'

test_expect_success 'undrain brings n1 back, in the page and in the hub' '
	wd "$URL#token=$COOKIE" \
		text "tr.node[data-name=\"n1\"] .state" "^drained\$" \
		click "tr.node[data-name=\"n1\"] button[data-act=\"undrain\"]" \
		text "tr.node[data-name=\"n1\"] .state" "^up\$" \
		text "#msg" "." \
		clean >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0 &&
	test "$(state_of n1)" = up
'

test_expect_success 'no token: the login form; the cookie typed in, the rows' '
	wd "$URL" \
		wait "#login:not([hidden])" \
		eval "document.querySelectorAll(\"tr.node\").length" "^0\$" \
		type "#login-token" "$COOKIE" \
		click "#login-form button[type=submit]" \
		wait "tr.node[data-name=\"n1\"]" \
		eval "sessionStorage.getItem(\"tentacle.auth\")" "^Bearer $COOKIE\$" \
		clean >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0
'

test_expect_success 'a wrong token: refused, the login form says so, no rows' '
	wd "$URL#token=00112233445566778899aabbccddeeff" \
		wait "#login:not([hidden])" \
		text "#login-why" "refused" \
		eval "location.hash" "^\$" \
		eval "document.querySelectorAll(\"tr.node\").length" "^0\$" \
		clean >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0
'

test_expect_success 'a phone-sized window: every row there, no sideways scrolling' '
	wd -size 400x800 "$URL#token=$COOKIE" \
		wait "tr.node[data-name=\"n3\"]" \
		eval "document.documentElement.scrollWidth <= window.innerWidth" "^true\$" \
		clean \
		shot dashboard-phone.png >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0
'

# The admin Unix socket through a TCP forwarder (what ssh -L gives a
# laptop's browser): the kernel says who connects, the page needs no token.
test_expect_success 'over the admin Unix socket: no token, no login form, drain works' '
	stop_daemon $HUB_PID &&
	start_hub &&
	test -S "$ADMIN_SOCK" &&
	start_node n4 &&
	{ python3 "$TEST_DIRECTORY/helper/unixfwd.py" "$ADMIN_SOCK" \
		>fwd.out 2>fwd.err </dev/null & } &&
	FWD_PID=$! &&
	register_daemon_ $FWD_PID unixfwd &&
	wait_for_ready_ fwd.out "unixfwd ready: " $FWD_PID unixfwd &&
	FWD=$(sed -n "s/^unixfwd ready: //p" fwd.out) &&
	wd "http://$FWD/" \
		wait "tr.node[data-name=\"n4\"]" \
		eval "document.getElementById(\"login\").hidden" "^true\$" \
		click "tr.node[data-name=\"n4\"] button[data-act=\"drain\"]" \
		text "tr.node[data-name=\"n4\"] .state" "^drained\$" \
		clean >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0 &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >sock.json &&
	grep "\"state\":\"drained\"" sock.json
'

test_expect_success 'users (a users file, -adminAddr beside the socket): usage against the quota' '
	stop_daemon $HUB_PID &&
	printf "pw\n" | "$TENTACLE" passwd -iter 10 -limits day=1M,conns=4 \
		-file users alice &&
	start_hub -users "$TRASH_DIRECTORY/users" -adminAddr 127.0.0.1:0 &&
	start_node n5 &&
	tcurl -x "socks5h://alice:pw@127.0.0.1:$SOCKS_PORT" -o /dev/null \
		http://127.0.0.1:$ORIGIN_PORT/bytes/300000 &&
	API=$(sed -n "s/.*hub ready: .* api=\(127\.0\.0\.1:[0-9]*\).*/\1/p" \
		"$HUB_LOG") &&
	test -n "$API" &&
	COOKIE=$(sed -n "s/^$API \([0-9a-f]*\)\$/\1/p" \
		"$TENTACLE_STATE_DIR/admin.cookie") &&
	test -n "$COOKIE" &&
	wd -size 1280x900 "http://$API/#token=$COOKIE" \
		wait "tr.user[data-name=\"alice\"]" \
		text "tr.user[data-name=\"alice\"] .day" "^29[0-9] KiB of 977 KiB\$" \
		text "tr.user[data-name=\"alice\"] .conns" "^0 of 4\$" \
		text "tr.user[data-name=\"alice\"] .state" "^ok\$" \
		clean \
		shot users.png >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0
'

test_done
