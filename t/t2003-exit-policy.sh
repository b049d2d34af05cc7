#!/bin/sh
test_description='exit node destination policy: loopback, private, reserved,
IPv6 and embedded-IPv4 forms, own addresses and port 25 refused by default
(SOCKS REP 0x02, HTTP 403, dials_denied, a log line with the reason);
-allow / allow: lifts, -deny / deny: adds and wins, the hub -pool-deny
narrows and wins over -allow.  Only loopback is ever connected to: every
other target here must be refused before any connection is made, and the
script runs in a network namespace with only lo up, so that a wrong answer
can never send a packet off the machine.'
TEST_NETNS=1
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# rep_not CODE ARGS...: socksc ARGS gets a reply, and it is not CODE.
rep_not () {
	rn_bad=$1
	shift
	"$SOCKSC" -n -T 20 "$@" 2>rep
	cat rep
	grep "^REP 0x" rep && ! grep "^REP $rn_bad\$" rep
}

# accepts: origin connections so far (one "origin: accept" per connection).
accepts () {
	grep -c "^origin: accept" "$TRASH_DIRECTORY/$WEB_NAME.err" || :
}

# fetch URL-HOST: GET /small from the web origin via SOCKS5, by that host.
fetch () {
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		"http://$1:$WEB_PORT/small" >fetch.out &&
	grep "quick brown fox" fetch.out
}

# denied_count: dials_denied of the only node, from tentacle info -json.
denied_count () {
	info_flat_now >flat.json &&
	sed -n 's/.*"dials_denied":\([0-9]*\).*/\1/p' flat.json
}

test_expect_success 'setup: a web origin, a hub, a node without -allow' '
	start_origin &&
	WEB_PORT=$ORIGIN_PORT &&
	WEB_NAME=$ORIGIN_NAME &&
	start_hub -dial-timeout 3s &&
	NODE_ALLOW= only_node strict &&
	! grep "destination policy:" "$NODE_LOG"
'

test_expect_success 'loopback 127.0.0.1 (ATYP 1): REP 0x02, logged, never connected' '
	a0=$(accepts) &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "loopback" $WEB_PORT &&
	socks_refused 127.0.0.2 127.0.0.2:$WEB_PORT "loopback" $WEB_PORT &&
	test "$(accepts)" = "$a0"
'

test_expect_success '"localhost" (ATYP 3, resolved by the node): REP 0x02' '
	a0=$(accepts) &&
	rep_is 0x02 $SOCKS_PORT localhost $WEB_PORT &&
	grep "refusing 127.0.0.1:$WEB_PORT: loopback" "$NODE_LOG" &&
	test "$(accepts)" = "$a0"
'

test_expect_success 'IPv6 loopback and its IPv4-in-IPv6 forms (ATYP 4): REP 0x02' '
	a0=$(accepts) &&
	for a in ::1 ::ffff:127.0.0.1 ::127.0.0.1 64:ff9b::7f00:1 \
	    ::ffff:7f00:2 64:ff9b:1::7f00:1; do
		rep_is 0x02 $SOCKS_PORT $a $WEB_PORT || return 1
	done &&
	test "$(grep -c "refusing .*:$WEB_PORT: " "$NODE_LOG")" -ge 8 &&
	test "$(accepts)" = "$a0"
'

# Each of these must be refused before a connection is tried: the node
# logs "refusing ADDR" (from the policy check, ahead of any connect) and
# the reply is 0x02 at once, not a timeout or a connect error.
test_expect_success 'private, CGNAT, link-local, multicast, reserved IPv4: REP 0x02' '
	socks_refused 10.1.2.3 10.1.2.3:80 "private network 10.0.0.0/8" 80 &&
	socks_refused 192.168.1.1 192.168.1.1:80 "private network 192.168" 80 &&
	socks_refused 172.16.0.1 172.16.0.1:80 "private network 172.16" 80 &&
	socks_refused 172.31.255.254 172.31.255.254:443 "172.16.0.0/12" 443 &&
	socks_refused 100.64.0.1 100.64.0.1:80 "carrier-grade NAT" 80 &&
	socks_refused 100.127.255.1 100.127.255.1:80 "carrier-grade NAT" 80 &&
	socks_refused 169.254.169.254 169.254.169.254:80 "link-local" 80 &&
	socks_refused 224.0.0.1 224.0.0.1:80 "multicast" 80 &&
	socks_refused 239.255.255.250 239.255.255.250:1900 "multicast" 1900 &&
	socks_refused 0.0.0.0 0.0.0.0:80 "0.0.0.0/8" 80 &&
	socks_refused 0.1.2.3 0.1.2.3:80 "0.0.0.0/8" 80 &&
	socks_refused 255.255.255.255 255.255.255.255:80 "broadcast" 80 &&
	socks_refused 240.0.0.1 240.0.0.1:80 "reserved" 80 &&
	socks_refused 198.18.0.1 198.18.0.1:80 "benchmarking" 80 &&
	socks_refused 192.0.0.8 192.0.0.8:80 "192.0.0.0/24" 80
'

test_expect_success 'IPv6 ULA, link-local, site-local, multicast, unspecified: REP 0x02' '
	socks_refused fd00::1 "[fd00::1]:80" "unique local" 80 &&
	socks_refused fc00::1 "[fc00::1]:80" "unique local" 80 &&
	socks_refused fe80::1 "[fe80::1]:80" "link-local" 80 &&
	socks_refused febf::1 "[febf::1]:80" "link-local" 80 &&
	socks_refused fec0::1 "[fec0::1]:80" "site-local" 80 &&
	socks_refused ff02::1 "[ff02::1]:80" "multicast" 80 &&
	socks_refused :: "[::]:80" "unspecified" 80 &&
	socks_refused 100:: "[100::]:80" "discard-only" 80
'

test_expect_success 'private IPv4 in mapped, compatible and NAT64 IPv6 forms: REP 0x02' '
	for a in ::ffff:10.1.2.3 ::ffff:192.168.1.1 ::ffff:169.254.169.254 \
	    ::10.1.2.3 ::169.254.169.254 64:ff9b::a01:203 \
	    64:ff9b::a9fe:a9fe 64:ff9b::c0a8:101; do
		rep_is 0x02 $SOCKS_PORT $a 80 || return 1
	done
'

# "::1" as a name may not resolve at all (0x04): either way, no connection.
test_expect_success 'numeric names as ATYP 3 domains (127.0.0.1, ::1): refused' '
	a0=$(accepts) &&
	r=$(socks_domain 127.0.0.1 $WEB_PORT) && echo "$r" &&
	case $r in 05000502*) ;; *) false ;; esac &&
	r=$(socks_domain ::1 $WEB_PORT) && echo "$r" &&
	case $r in 05000502*|05000504*) ;; *) false ;; esac &&
	r=$(socks_domain 10.1.2.3 80) && echo "$r" &&
	case $r in 05000502*) ;; *) false ;; esac &&
	test "$(accepts)" = "$a0"
'

test_expect_success 'a refused name: the reply is 0x02, not "name did not resolve"' '
	rep_is 0x02 $SOCKS_PORT localhost 80 &&
	grep "localhost:80 failed: destination not allowed" "$NODE_LOG"
'

# The node's own non-loopback interface addresses (refused whatever the
# range: with a public address that is the only rule that catches it).
# The policy is checked before the connect, so a failure here would only
# connect to this machine itself.  The namespace has nothing but lo: give
# lo one global address of each family (documentation ranges, in no
# default-denied range) for the node to find among its own.
ip addr add 192.0.2.77/32 dev lo 2>/dev/null
ip -6 addr add 2001:db8::77/128 dev lo 2>/dev/null
OWN4=$(ip -o -4 addr show scope global 2>/dev/null |
	sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' | head -n 1)
if test -z "$OWN4"; then
	OWN4=$(hostname -I 2>/dev/null | tr " " "\n" | grep "^[0-9.]*$" |
		grep -v "^127\." | head -n 1)
fi
if test -n "$OWN4"; then
	test_set_prereq OWNADDR
fi
OWN6=$(ip -o -6 addr show scope global 2>/dev/null |
	sed -n 's/.* inet6 \([0-9a-f:]*\)\/.*/\1/p' | head -n 1)
if test -n "$OWN6"; then
	test_set_prereq OWNADDR6
fi
# The reason: "own addresses", or a range when the address is in one.
OWNWHY="own addresses\|/"

test_expect_success OWNADDR 'the node own interface address: REP 0x02' '
	echo "own address: $OWN4" &&
	socks_refused $OWN4 $OWN4:$WEB_PORT "$OWNWHY" $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT ::ffff:$OWN4 $WEB_PORT
'

test_expect_success OWNADDR 'own interface address with -allow 127.0.0.0/8: still refused' '
	only_node loopok &&
	socks_refused $OWN4 $OWN4:$WEB_PORT "$OWNWHY" $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT ::ffff:$OWN4 $WEB_PORT &&
	grep "destination policy: 1 allow entries" "$NODE_LOG"
'

test_expect_success OWNADDR6 'the node own IPv6 interface address: REP 0x02' '
	echo "own address: $OWN6" &&
	socks_refused $OWN6 "[$OWN6]:$WEB_PORT" "$OWNWHY" $WEB_PORT
'

test_expect_success '-allow 127.0.0.0/8: loopback by address and by name works' '
	only_node loopok2 &&
	a0=$(accepts) &&
	fetch 127.0.0.1 &&
	fetch localhost &&
	rep_is 0x00 $SOCKS_PORT ::ffff:127.0.0.1 $WEB_PORT &&
	r=$(socks_domain 127.0.0.1 $WEB_PORT 1) && echo "$r" &&
	case $r in 05000500*) ;; *) false ;; esac &&
	test "$(accepts)" -ge $((a0 + 4)) &&
	! grep "refusing " "$NODE_LOG"
'

test_expect_success '-allow 127.0.0.0/8 lifts loopback only: the rest stays refused' '
	socks_refused 10.1.2.3 10.1.2.3:80 "private network" 80 &&
	socks_refused 169.254.169.254 169.254.169.254:80 "link-local" 80 &&
	rep_is 0x02 $SOCKS_PORT ::1 $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT ::127.0.0.1 $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT 64:ff9b::7f00:1 $WEB_PORT &&
	rep_is 0x02 $SOCKS_PORT 64:ff9b:1::7f00:1 $WEB_PORT
'

test_expect_success 'port 25 on allowed loopback: REP 0x02 (SMTP), never connected' '
	socks_refused 127.0.0.1 127.0.0.1:25 "SMTP port 25" 25 &&
	socks_refused localhost 127.0.0.1:25 "SMTP port 25" 25 &&
	socks_refused ::ffff:127.0.0.1 127.0.0.1:25 "SMTP port 25" 25
'

test_expect_success 'dials_denied counts the refusals of this node (info -json)' '
	n=$(grep -c "failed: destination not allowed" "$NODE_LOG") &&
	echo "node log: $n denied dials" &&
	test "$n" -ge 8 &&
	test "$(denied_count)" = "$n" &&
	grep "\"dials_failed\":[1-9]" flat.json
'

test_expect_success '-allow 127.0.0.0/8,:25: port 25 passes the policy' '
	only_node smtpok -allow 127.0.0.0/8,:25 &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.1 25 &&
	! grep "refusing " "$NODE_LOG" &&
	test "$(denied_count)" = 0
'

test_expect_success '-allow 127.0.0.0/8 -deny 127.0.0.1: 127.0.0.1 refused, 127.0.0.2 dialled' '
	only_node deny1 -deny 127.0.0.1 &&
	grep "destination policy: 1 allow entries lift default denials, 1 deny" "$NODE_LOG" &&
	a0=$(accepts) &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT &&
	socks_refused ::ffff:127.0.0.1 127.0.0.1:$WEB_PORT \
		"deny list" $WEB_PORT &&
	socks_refused localhost 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT &&
	test "$(accepts)" = "$a0" &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.2 $WEB_PORT &&
	! grep "refusing 127.0.0.2" "$NODE_LOG"
'

test_expect_success '-deny 127.0.0.2: 127.0.0.1 works, 127.0.0.2 refused' '
	only_node deny2 -deny 127.0.0.2 &&
	fetch 127.0.0.1 &&
	socks_refused 127.0.0.2 127.0.0.2:$WEB_PORT "deny list" $WEB_PORT
'

test_expect_success '-deny wins over an -allow naming the very address' '
	only_node deny3 -allow 127.0.0.1 -deny 127.0.0.0/8 &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT
'

test_expect_success '-deny :PORT refuses that port only' '
	start_origin -echo &&
	ECHO_PORT=$ORIGIN_PORT &&
	only_node deny4 -deny :$WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT &&
	echo ping-the-echo >ping &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <ping >ping.out 2>rep &&
	grep "^REP 0x00" rep &&
	cmp ping ping.out
'

# -allow ADDR:PORT, CIDR:PORT, [ADDR6]:PORT lift a denial on that port
# only; a bare :PORT (but :25) would lift nothing and is refused.
test_expect_success '-allow 127.0.0.1:PORT: that port works, another refused' '
	NODE_ALLOW= only_node hp1 -allow 127.0.0.1:$WEB_PORT &&
	fetch 127.0.0.1 &&
	socks_refused 127.0.0.1 127.0.0.1:$ECHO_PORT "loopback" $ECHO_PORT &&
	socks_refused 127.0.0.2 127.0.0.2:$WEB_PORT "loopback" $WEB_PORT
'

test_expect_success '-allow CIDR:PORT and the file key allow: do the same' '
	NODE_ALLOW= only_node hp2 -allow 127.0.0.0/8:$WEB_PORT &&
	fetch 127.0.0.1 &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.2 $WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$ECHO_PORT "loopback" $ECHO_PORT &&
	printf "allow: [ 127.0.0.0/8:%s, [::1]:%s ]\n" $ECHO_PORT \
		$ECHO_PORT >hp.conf &&
	NODE_ALLOW= only_node hp3 -config hp.conf &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <ping >ping.out 2>rep &&
	grep "^REP 0x00" rep &&
	cmp ping ping.out &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "loopback" $WEB_PORT
'

test_expect_success IPV6 '-allow [::1]:PORT and [CIDR6]:PORT' '
	start_origin -6 &&
	W6=$ORIGIN_PORT &&
	NODE_ALLOW= only_node hp4 -allow "[::1]:$W6" &&
	rep_is 0x00 $SOCKS_PORT ::1 $W6 &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "loopback" $WEB_PORT &&
	NODE_ALLOW= only_node hp5 -allow "[::1/128]:$W6" &&
	rep_is 0x00 $SOCKS_PORT ::1 $W6
'

test_expect_success '-deny ADDR:PORT refuses that address on that port only' '
	only_node hp6 -deny 127.0.0.1:$WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.2 $WEB_PORT &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <ping >ping.out 2>rep &&
	cmp ping ping.out
'

test_expect_success '-allow :PORT (not :25) is refused at start, with the reason' '
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-allow :$WEB_PORT -log none 2>err &&
	cat err &&
	grep -F -e "-allow: \":$WEB_PORT\": a bare port lifts only the SMTP denial (:25)" err &&
	grep -F "127.0.0.1:$WEB_PORT (loopback)" err &&
	printf "allow: :%s\n" $WEB_PORT >bare.conf &&
	test_expect_code 2 timeout 10 "$TENTACLE" start \
		-server 127.0.0.1:$CONTROL_PORT \
		-config bare.conf -log none 2>err &&
	cat err &&
	grep -F "bare.conf:1: allow: \":$WEB_PORT\": a bare port" err
'

test_expect_success 'bad -allow entries: the message shows the forms' '
	for a in 127.0.0.1:0 127.0.0.1:x ::1:80x "[10.0.0.1]:80" \
	    "[::1]:" 1.2.3.4:80:80 localhost:80; do
		test_expect_code 2 timeout 10 "$TENTACLE" start \
			-server 127.0.0.1:1 \
			-allow "$a" -log none 2>err || return 1
		grep -F "127.0.0.1:8080, 10.0.0.0/8:8080, [::1]:8080" err ||
			return 1
	done
'

test_expect_success 'config file: allow: and deny:' '
	cat >node.conf <<-EOF &&
	allow: 127.0.0.0/8
	deny: 127.0.0.2, :$ECHO_PORT
	EOF
	NODE_ALLOW= only_node cfg1 -config node.conf &&
	fetch 127.0.0.1 &&
	socks_refused 127.0.0.2 127.0.0.2:$WEB_PORT "deny list" $WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$ECHO_PORT "deny list" $ECHO_PORT
'

test_expect_success 'config file without allow: loopback refused' '
	cat >node2.conf <<-EOF &&
	deny: 10.0.0.0/8
	EOF
	NODE_ALLOW= only_node cfg2 -config node2.conf &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "loopback" $WEB_PORT &&
	socks_refused 10.1.2.3 10.1.2.3:80 "deny list" 80
'

test_expect_success 'HTTP proxy: a refused target is 403 with the reason' '
	only_node http1 -deny 127.0.0.1 &&
	code=$(tcurl -o body -w "%{http_code}" -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$WEB_PORT/small) &&
	echo "status $code" && cat body &&
	test "$code" = 403 &&
	grep "not allowed" body &&
	code=$(tcurl -o body -w "%{http_code}" -x http://127.0.0.1:$HTTP_PORT \
		http://10.1.2.3/) &&
	test "$code" = 403 &&
	grep "not allowed" body &&
	grep "refusing 10.1.2.3:80: private network" "$NODE_LOG"
'

test_expect_success 'HTTP CONNECT: a refused target is 403' '
	test_must_fail tcurl -p -o body -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$WEB_PORT/small 2>err &&
	cat err &&
	grep "403" err &&
	test "$(denied_count)" = 3
'

test_expect_success 'the hub logs the refusals as not allowed' '
	grep "127.0.0.1:$WEB_PORT for .* failed: .*not allowed\|10.1.2.3:80 for .* failed: .*not allowed" "$HUB_LOG"
'

test_expect_success 'setup: hub -pool-deny ilife=127.0.0.1, a node in pool ilife' '
	stop_daemon $CUR_NODE &&
	CUR_NODE= &&
	stop_daemon $HUB_PID &&
	start_hub -dial-timeout 3s -pool-deny "ilife=127.0.0.1" &&
	only_node pd1 ilife &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations"
'

test_expect_success '-pool-deny wins over the node -allow' '
	a0=$(accepts) &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT &&
	socks_refused ::ffff:127.0.0.1 127.0.0.1:$WEB_PORT \
		"hub.s policy" $WEB_PORT &&
	socks_refused localhost 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT &&
	test "$(accepts)" = "$a0" &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.2 $WEB_PORT &&
	test "$(denied_count)" = 3
'

test_expect_success '-pool-deny wins over -allow for exactly that address' '
	only_node pd2 -allow 127.0.0.1 other ilife &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations" &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT
'

test_expect_success 'a node in another pool is not narrowed' '
	only_node pd3 other &&
	fetch 127.0.0.1 &&
	! grep "the hub denies" "$NODE_LOG" &&
	! grep "refusing " "$NODE_LOG"
'

test_expect_success 'a node with no pool (default) is not narrowed either' '
	only_node pd4 &&
	fetch 127.0.0.1 &&
	! grep "refusing " "$NODE_LOG"
'

test_expect_success 'HTTP proxy through a pool-denied node: 403' '
	only_node pd5 ilife &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations" &&
	code=$(tcurl -o body -w "%{http_code}" -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$WEB_PORT/small) &&
	test "$code" = 403 &&
	grep "not allowed" body
'

test_expect_success 'setup: hub -pool-deny *=:PORT (every pool), a node' '
	stop_daemon $CUR_NODE &&
	CUR_NODE= &&
	stop_daemon $HUB_PID &&
	start_hub -dial-timeout 3s -pool-deny "*=:$WEB_PORT" &&
	only_node star1 somepool &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations"
'

test_expect_success '-pool-deny *=:PORT refuses that port, -allow :PORT notwithstanding' '
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT &&
	"$SOCKSC" $SOCKS_PORT 127.0.0.1 $ECHO_PORT <ping >ping.out 2>rep &&
	grep "^REP 0x00" rep &&
	cmp ping ping.out &&
	only_node star2 -allow 127.0.0.0/8,127.0.0.1:$WEB_PORT &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations" &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT
'

test_expect_success 'setup: hub with -pool-deny for several pools and ranges' '
	stop_daemon $CUR_NODE &&
	CUR_NODE= &&
	stop_daemon $HUB_PID &&
	start_hub -dial-timeout 3s \
		-pool-deny "a=127.0.0.0/30,b=:$ECHO_PORT,*=:1,c=127.0.0.0/8" &&
	only_node multi b a &&
	wait_for_log "$NODE_LOG" "the hub denies 3 more destinations"
'

test_expect_success 'several -pool-deny entries: each one applies' '
	socks_refused 127.0.0.3 127.0.0.3:$WEB_PORT "hub.s policy" $WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$ECHO_PORT \
		"hub.s policy" $ECHO_PORT &&
	socks_refused 127.0.0.5 127.0.0.5:1 "hub.s policy" 1 &&
	rep_not 0x02 $SOCKS_PORT 127.0.0.4 $WEB_PORT
'

# A deny entry written in IPv4-mapped IPv6 form names the same addresses
# as its IPv4 form (acl_entry_parse accepts it; -allow ::ffff:... lifts
# the mapped target), so it must refuse them too, in either form.
test_expect_success 'node -deny ::ffff:127.0.0.1 refuses [::ffff:127.0.0.1] and 127.0.0.1' '
	only_node mapdeny -deny ::ffff:127.0.0.1 &&
	socks_refused ::ffff:127.0.0.1 127.0.0.1:$WEB_PORT \
		"deny list" $WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "deny list" $WEB_PORT
'

test_expect_success 'hub -pool-deny *=::ffff:127.0.0.0/104 refuses loopback targets' '
	stop_daemon $CUR_NODE &&
	CUR_NODE= &&
	stop_daemon $HUB_PID &&
	start_hub -dial-timeout 3s -pool-deny "*=::ffff:127.0.0.0/104" &&
	only_node mappd &&
	wait_for_log "$NODE_LOG" "the hub denies 1 more destinations" &&
	socks_refused ::ffff:127.0.0.1 127.0.0.1:$WEB_PORT \
		"hub.s policy" $WEB_PORT &&
	socks_refused 127.0.0.1 127.0.0.1:$WEB_PORT "hub.s policy" $WEB_PORT
'

test_expect_success 'the hub still serves after all the refusals' '
	stop_daemon $CUR_NODE &&
	CUR_NODE= &&
	stop_daemon $HUB_PID &&
	start_hub &&
	only_node last &&
	fetch 127.0.0.1 &&
	tcurl -x http://127.0.0.1:$HTTP_PORT \
		http://127.0.0.1:$WEB_PORT/small >out &&
	grep "quick brown fox" out &&
	stop_daemon $CUR_NODE &&
	stop_daemon $HUB_PID
'

test_done
