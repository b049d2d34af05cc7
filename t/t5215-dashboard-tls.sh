#!/bin/sh
test_description='the dashboard over TLS with an admin account, in a real
browser: headless Chromium trusting only the hub'"'"'s key (its SPKI hash,
as a pin) opens the admin port off loopback, gets the login form, logs
in with a name and password from -admins, sees the node rows and drains
a node; a wrong password keeps the form up and counts once in the
limiter of failed logins (the page asks once before it asks for more).  In a network namespace with
only lo: the port listens on 0.0.0.0 there.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

WD=$TEST_DIRECTORY/helper/webdriver.py
{ command -v chromium || command -v chromium-browser; } >/dev/null 2>&1 &&
	command -v chromedriver >/dev/null 2>&1 ||
	test_skip_all 'chromium and chromedriver not found (Debian: chromium chromium-driver; sh scripts/install-deps)'

wd () {
	python3 "$WD" -console wd.console -spki "$SPKI" "$@"
}

test_expect_success 'setup: -admins, -adminAddr 0.0.0.0:0 (TLS), two nodes' '
	echo "dash board" | "$TENTACLE" passwd -admin -file admins ops &&
	start_hub -admins admins -adminAddr 0.0.0.0:0 &&
	start_node n1 &&
	start_node n2 &&
	line=$(grep "admin API on 0\.0\.0\.0:[0-9]* over TLS" "$HUB_LOG") &&
	APORT=$(echo "$line" | sed "s/.*admin API on 0\.0\.0\.0:\([0-9]*\) over TLS.*/\1/") &&
	fp=$(echo "$line" | sed "s/.*fingerprint sha256:\([0-9a-f]*\).*/\1/") &&
	SPKI=$(python3 -c "import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())" "$fp") &&
	test -n "$APORT" && test -n "$SPKI"
'

test_expect_success 'the login form, an account typed in, the rows; drain n1 by its button' '
	wd "https://127.0.0.1:$APORT/" \
		wait "#login:not([hidden])" \
		eval "document.querySelectorAll(\"tr.node\").length" "^0\$" \
		type "#login-user" "ops" \
		type "#login-pass" "dash board" \
		click "#login-form button[type=submit]" \
		wait "tr.node[data-name=\"n2\"]" \
		eval "location.protocol" "^https:\$" \
		click "tr.node[data-name=\"n1\"] button[data-act=\"drain\"]" \
		text "tr.node[data-name=\"n1\"] .state" "^drained\$" \
		clean \
		shot dashboard-tls.png >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0 &&
	"$TENTACLE" info -json >info.json &&
	grep "\"name\":\"n1\".*\"state\":\"drained\"" info.json &&
	grep "admin 127\.0\.0\.1:[0-9]* (ops): drain [^:]*: node 1 (n1) drained" "$HUB_LOG"
'

test_expect_success 'a wrong password: refused, the form stays, no rows; one failed login, not one per request' '
	wd "https://127.0.0.1:$APORT/" \
		wait "#login:not([hidden])" \
		type "#login-user" "ops" \
		type "#login-pass" "guess" \
		click "#login-form button[type=submit]" \
		text "#login-why" "refused" \
		eval "document.querySelectorAll(\"tr.node\").length" "^0\$" \
		clean >wd.out 2>&1;
	rc=$?; cat wd.out wd.console; test $rc = 0 &&
	grep -c "admin login as \"ops\" failed: wrong password" "$HUB_LOG" >n &&
	test "$(cat n)" = 1
'

test_done
