#!/bin/sh
test_description='address forms: a deny entry (node -deny, config deny:, hub
-pool-deny) refuses its addresses in every form: plain, IPv4-mapped,
IPv4-compatible, NAT64 64:ff9b::/96 and local-use NAT64 64:ff9b:1::/96;
the default policy refuses the embedded forms of denied IPv4 ranges and the
rest of 64:ff9b:1::/48; numeric names that resolvers read differently
(0177.0.0.1, 127.1, 0x7f.0.0.1, 2130706433) are a bad address (SOCKS REP
0x08, HTTP 400), never guessed.  Runs in a network namespace with only lo
up: a target the policy lets through answers "network unreachable" (REP
0x03), so a refusal (REP 0x02) is the policy, not the network.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# unreachable HOST: the policy lets HOST through: REP 0x03 (no route in
# this namespace), and no "refusing" line for it.
unreachable () {
	un_before=$(grep -c "refusing " "$NODE_LOG")
	rep_is 0x03 $SOCKS_PORT "$1" 80 &&
	test "$(grep -c "refusing " "$NODE_LOG")" = "$un_before"
}

# raw_http REQUEST-LINE: send it (and a Host line) to the HTTP proxy port
# as it is: curl rewrites numeric hosts in URLs before sending them.
raw_http () {
	printf '%s\r\nHost: x\r\n\r\n' "$1" |
		"$TCPC" -T 10 $HTTP_PORT >http.out 2>/dev/null
	head -n 1 http.out
}

# new_hub ARGS...: stop the node and the hub, start a hub with ARGS.
new_hub () {
	if test -n "$CUR_NODE"; then
		stop_daemon $CUR_NODE || return 1
		CUR_NODE=
	fi
	stop_daemon $HUB_PID &&
	start_hub -dial-timeout 3s "$@"
}

test_expect_success 'setup: an origin, a hub, a node -deny 203.0.113.5' '
	start_origin &&
	WEB_PORT=$ORIGIN_PORT &&
	start_hub -dial-timeout 3s &&
	NODE_ALLOW= only_node d1 -deny 203.0.113.5
'

test_expect_success 'control: an address the policy passes is network unreachable (0x03)' '
	unreachable 203.0.113.6 &&
	unreachable ::ffff:203.0.113.6 &&
	unreachable 64:ff9b::cb00:7106 &&
	unreachable 64:ff9b:1::cb00:7106 &&
	unreachable 198.51.100.1
'

test_expect_success '-deny 203.0.113.5: plain and mapped forms refused' '
	socks_refused 203.0.113.5 203.0.113.5:80 "deny list" 80 &&
	socks_refused ::ffff:203.0.113.5 203.0.113.5:80 "deny list" 80 &&
	socks_refused ::ffff:cb00:7105 203.0.113.5:80 "deny list" 80
'

test_expect_success '-deny 203.0.113.5: compatible and NAT64 forms refused too' '
	socks_refused ::203.0.113.5 "[::203.0.113.5]:80" "deny list" 80 &&
	socks_refused 64:ff9b::cb00:7105 "[64:ff9b::cb00:7105]:80" \
		"deny list" 80 &&
	socks_refused 64:ff9b::203.0.113.5 "[64:ff9b::cb00:7105]:80" \
		"deny list" 80 &&
	socks_refused 64:ff9b:1::cb00:7105 "[64:ff9b:1::cb00:7105]:80" \
		"deny list" 80
'

test_expect_success '-deny 203.0.113.5: by name (ATYP 3) and through HTTP' '
	r=$(socks_domain 203.0.113.5 80) && echo "$r" &&
	case $r in 05000502*) ;; *) false ;; esac &&
	r=$(socks_domain 64:ff9b::cb00:7105 80) && echo "$r" &&
	case $r in 05000502*) ;; *) false ;; esac &&
	code=$(http_status -x http://127.0.0.1:$HTTP_PORT \
		"http://[64:ff9b::cb00:7105]/") &&
	echo "status $code" && cat http.body &&
	test "$code" = 403 &&
	grep "not allowed" http.body &&
	code=$(http_status -x http://127.0.0.1:$HTTP_PORT \
		"http://[::203.0.113.5]/") &&
	test "$code" = 403 &&
	code=$(http_status -x http://127.0.0.1:$HTTP_PORT \
		"http://[::ffff:203.0.113.5]/") &&
	test "$code" = 403
'

test_expect_success 'config file deny: in NAT64 form covers the IPv4 range in every form' '
	cat >node.conf <<-\EOF &&
	deny: 64:ff9b::203.0.113.0/120
	EOF
	NODE_ALLOW= only_node cfg1 -config node.conf &&
	socks_refused 203.0.113.9 203.0.113.9:80 "deny list" 80 &&
	socks_refused 203.0.113.255 203.0.113.255:80 "deny list" 80 &&
	socks_refused ::ffff:203.0.113.0 203.0.113.0:80 "deny list" 80 &&
	socks_refused ::203.0.113.9 "[::203.0.113.9]:80" "deny list" 80 &&
	socks_refused 64:ff9b::cb00:7109 "[64:ff9b::cb00:7109]:80" \
		"deny list" 80 &&
	socks_refused 64:ff9b:1::cb00:7109 "[64:ff9b:1::cb00:7109]:80" \
		"deny list" 80 &&
	unreachable 203.0.112.255 &&
	unreachable 203.0.114.0 &&
	unreachable 64:ff9b::cb00:7200
'

test_expect_success 'config file deny: in compatible form' '
	cat >node2.conf <<-\EOF &&
	deny: ::203.0.113.5
	EOF
	NODE_ALLOW= only_node cfg2 -config node2.conf &&
	socks_refused 203.0.113.5 203.0.113.5:80 "deny list" 80 &&
	socks_refused 64:ff9b::cb00:7105 "[64:ff9b::cb00:7105]:80" \
		"deny list" 80 &&
	unreachable 203.0.113.6
'

test_expect_success 'setup: hub -pool-deny *=203.0.113.0/24' '
	new_hub -pool-deny "*=203.0.113.0/24" &&
	NODE_ALLOW= only_node pd1 somepool &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations"
'

test_expect_success '-pool-deny *=203.0.113.0/24 refuses every form' '
	socks_refused 203.0.113.5 203.0.113.5:80 "hub.s policy" 80 &&
	socks_refused ::ffff:203.0.113.5 203.0.113.5:80 "hub.s policy" 80 &&
	socks_refused ::203.0.113.5 "[::203.0.113.5]:80" "hub.s policy" 80 &&
	socks_refused 64:ff9b::cb00:7105 "[64:ff9b::cb00:7105]:80" \
		"hub.s policy" 80 &&
	socks_refused 64:ff9b:1::cb00:71ff "[64:ff9b:1::cb00:71ff]:80" \
		"hub.s policy" 80 &&
	code=$(http_status -x http://127.0.0.1:$HTTP_PORT \
		"http://[64:ff9b::cb00:7105]/") &&
	test "$code" = 403 &&
	unreachable 203.0.114.1 &&
	unreachable 64:ff9b::cb00:7201
'

test_expect_success '-pool-deny in NAT64 form refuses the plain form' '
	new_hub -pool-deny "*=64:ff9b::cb00:7100/120" &&
	NODE_ALLOW= only_node pd2 &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations" &&
	socks_refused 203.0.113.5 203.0.113.5:80 "hub.s policy" 80 &&
	socks_refused ::ffff:203.0.113.77 203.0.113.77:80 "hub.s policy" 80 &&
	socks_refused 64:ff9b::cb00:7105 "[64:ff9b::cb00:7105]:80" \
		"hub.s policy" 80 &&
	unreachable 203.0.112.1
'

test_expect_success 'default policy: embedded loopback, private and metadata forms refused' '
	new_hub &&
	NODE_ALLOW= only_node def1 &&
	socks_refused 64:ff9b:1::7f00:1 "[64:ff9b:1::7f00:1]:80" \
		"loopback" 80 &&
	socks_refused 64:ff9b:1::a9fe:a9fe "[64:ff9b:1::a9fe:a9fe]:80" \
		"link-local" 80 &&
	socks_refused 64:ff9b:1::c0a8:101 "[64:ff9b:1::c0a8:101]:80" \
		"private network" 80 &&
	socks_refused 64:ff9b::a00:1 "[64:ff9b::a00:1]:80" \
		"private network" 80 &&
	socks_refused ::7f00:1 "[::127.0.0.1]:80" "loopback" 80 &&
	socks_refused ::ffff:7f00:1 127.0.0.1:80 "loopback" 80
'

test_expect_success 'default policy: the rest of local-use NAT64 64:ff9b:1::/48 refused' '
	socks_refused 64:ff9b:1:1::1 "[64:ff9b:1:1::1]:80" \
		"local-use NAT64" 80 &&
	socks_refused 64:ff9b:1::1:0:1 "[64:ff9b:1::1:0:1]:80" \
		"local-use NAT64" 80 &&
	socks_refused 64:ff9b:1:ffff:ffff:ffff:ffff:ffff \
		"[64:ff9b:1:ffff:ffff:ffff:ffff:ffff]:80" \
		"local-use NAT64" 80 &&
	unreachable 64:ff9b:2::1 &&
	unreachable 64:ff9b:1::808:808
'

test_expect_success '-allow 64:ff9b:1::/48 lifts it, not the embedded loopback' '
	NODE_ALLOW=64:ff9b:1::/48 only_node allow1 &&
	unreachable 64:ff9b:1:1::1 &&
	socks_refused 64:ff9b:1::7f00:1 "[64:ff9b:1::7f00:1]:80" "loopback" 80
'

test_expect_success '-allow 127.0.0.0/8: the NAT64 forms of loopback stay refused' '
	only_node allow2 &&
	rep_is 0x02 $SOCKS_PORT 64:ff9b::7f00:1 $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT 64:ff9b:1::7f00:1 $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT ::127.0.0.1 $WEB_PORT &&
	"$SOCKSC" $SOCKS_PORT ::ffff:127.0.0.1 $WEB_PORT </dev/null \
		>/dev/null 2>rep &&
	grep "^REP 0x00" rep
'

# Numeric names sent as names (SOCKS ATYP 3, an HTTP request line): only
# a plain dotted quad is an address, every other numeric form is refused
# with "bad address" before anything resolves it.  These need the node's
# dial path to ask acl_host_numeric (node_dial.c, DIAL_BADADDR).
test_expect_success 'numeric names resolvers disagree on: SOCKS REP 0x08' '
	for h in 0177.0.0.1 127.1 0x7f.0.0.1 2130706433 0x7f000001 \
	    127.0.0.01 127.0.0.1. 1.2.3.4.5 0177.0.0.01 example.0x7f; do
		rep_is 0x08 $SOCKS_PORT $h $WEB_PORT || return 1
	done &&
	grep "numeric name" "$NODE_LOG"
'

test_expect_success 'numeric names resolvers disagree on: HTTP 400' '
	for h in 0177.0.0.1 127.1 0x7f.0.0.1 2130706433; do
		l=$(raw_http "GET http://$h:$WEB_PORT/small HTTP/1.1") &&
		echo "$h: $l" &&
		case $l in "HTTP/1.1 400"*) ;; *) return 1 ;; esac &&
		l=$(raw_http "CONNECT $h:$WEB_PORT HTTP/1.1") &&
		echo "CONNECT $h: $l" &&
		case $l in "HTTP/1.1 400"*) ;; *) return 1 ;; esac ||
		return 1
	done
'

test_expect_success 'a plain dotted quad as a name still works' '
	r=$(socks_domain 127.0.0.1 $WEB_PORT) && echo "$r" &&
	case $r in 05000500*) ;; *) false ;; esac &&
	r=$(socks_domain 10.1.2.3 80) && echo "$r" &&
	case $r in 05000502*) ;; *) false ;; esac
'

test_expect_success 'the hub still serves' '
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		"http://127.0.0.1:$WEB_PORT/small" >out &&
	grep "quick brown fox" out &&
	stop_daemon $CUR_NODE &&
	stop_daemon $HUB_PID
'

test_done
