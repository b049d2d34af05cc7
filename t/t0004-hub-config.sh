#!/bin/sh
test_description='the hub config file: -config, keys from the flags, flag beats file, SIGHUP; -log syslog without /dev/log'
. "$(dirname "$0")/test-lib.sh"

# run_hub NAME [FLAGS...]: a hub with only FLAGS and -log NAME.log (the
# file says the rest); waits for its ready line; RH_PID.
run_hub () {
	rh_name=$1
	shift
	"$TENTACLE" server -log "$rh_name.log" "$@" \
		>"$rh_name.out" 2>"$rh_name.err" </dev/null &
	RH_PID=$!
	register_daemon_ $RH_PID $rh_name &&
	wait_for_ready_ "$rh_name.log" "hub ready: " $RH_PID $rh_name
}

test_expect_success 'a free port for the file' '
	start_hub &&
	FREE_PORT=$SOCKS_PORT &&
	stop_daemon $HUB_PID
'

test_expect_success 'the file sets the ports (keys: the flag names, _ or -)' '
	cat >hub.conf <<-EOF &&
	# the hub for t0004
	controlAddr: 127.0.0.1:0
	tunnel_addr: 127.0.0.1:0
	socketAddr: "127.0.0.1:$FREE_PORT"   # a comment after a value
	http-addr: none
	admin: none
	log_level: INFO
	EOF
	run_hub h1 -config hub.conf &&
	grep "hub ready: .* socks=127\.0\.0\.1:$FREE_PORT http=off admin=off" h1.log &&
	stop_daemon $RH_PID
'

test_expect_success 'a flag beats the file' '
	run_hub h2 -config hub.conf -socketAddr 127.0.0.1:0 \
		-httpAddr 127.0.0.1:0 &&
	! grep "socks=127\.0\.0\.1:$FREE_PORT " h2.log &&
	grep "hub ready: .* http=127\.0\.0\.1:[0-9]" h2.log &&
	stop_daemon $RH_PID
'

test_expect_success 'an unknown key is refused, naming file and line' '
	printf "controlAddr: 127.0.0.1:0\n\nfrobnicate: 1\n" >bad.conf &&
	test_expect_code 2 "$TENTACLE" server -config bad.conf -log none \
		>out 2>err &&
	grep "^tentacle server: bad.conf:3: unknown key \"frobnicate\"" err &&
	grep "tentacle server -h" err
'

test_expect_success 'a bad value names file, line, key, value and the type' '
	printf "# limits\nmax_clients: lots\n" >bad2.conf &&
	test_expect_code 2 "$TENTACLE" server -config bad2.conf -log none \
		>out 2>err &&
	grep "^tentacle server: bad2.conf:2: max_clients: '"'"'lots'"'"' is not a number (expected a whole number from 0 to 10000000)" err &&
	printf "heartbeat: 5\n" >bad3.conf &&
	test_expect_code 2 "$TENTACLE" server -config bad3.conf -log none \
		>out 2>err &&
	grep "bad3.conf:1: heartbeat: '"'"'5'"'"' is not a duration (expected a number and a unit" err &&
	printf "config: other.conf\n" >bad4.conf &&
	test_expect_code 2 "$TENTACLE" server -config bad4.conf -log none \
		>out 2>err &&
	grep "bad4.conf:1: config: not a key" err
'

test_expect_success 'a bad flag value says the same' '
	test_expect_code 2 "$TENTACLE" server -max-clients lots -log none \
		>out 2>err &&
	grep "^tentacle server: -max-clients: '"'"'lots'"'"' is not a number" err &&
	test_must_fail "$TENTACLE" start -pool-size lots 2>err &&
	grep "^tentacle: -pool-size: '"'"'lots'"'"' is not a number (expected a whole number from 0 to 1024)" err
'

test_expect_success 'the node file too: key and type, not "parse error"; exit 2' '
	printf "server_addr: 127.0.0.1:1\n\npool_size: lots\n" >node.conf &&
	test_expect_code 2 "$TENTACLE" -config node.conf start 2>err &&
	grep "node.conf:3: pool_size: '"'"'lots'"'"' is not a number (expected a whole number from 0 to 1024)" err &&
	printf "insecure: yes\n" >node2.conf &&
	test_expect_code 2 "$TENTACLE" -config node2.conf start 2>err &&
	grep "node2.conf:1: insecure: '"'"'yes'"'"' is not true or false" err
'

test_expect_success 'a missing -config file is an error; -config none reads none' '
	test_expect_code 2 "$TENTACLE" server -config nothere.conf -log none \
		>out 2>err &&
	grep "nothere.conf: No such file or directory" err &&
	run_hub h3 -config none -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr 127.0.0.1:0 -httpAddr none &&
	stop_daemon $RH_PID
'

if test "$(id -u)" = 0 && unshare -m true 2>/dev/null; then
	test_set_prereq MOUNTNS
	MOUNTNS="unshare -m"
elif unshare -rm true 2>/dev/null; then
	test_set_prereq MOUNTNS
	MOUNTNS="unshare -rm"
fi

# The default file: /etc/tentacle/hub.conf itself in a mount namespace
# (a tmpfs over /etc); where there is none (a chroot cannot make one),
# the same default logic through $TENTACLE_HUB_CONFIG.
test_expect_success 'the default config file is read when there, and only then' '
	mkdir etc &&
	cp hub.conf etc/hub.conf &&
	"$TENTACLE" server -h 2>&1 | grep "else /etc/tentacle/hub.conf, if there" &&
	if test_have_prereq MOUNTNS; then
		$MOUNTNS sh -c "mount -t tmpfs tmpfs /etc && mkdir /etc/tentacle &&
			cp etc/hub.conf /etc/tentacle/hub.conf &&
			exec \"$TENTACLE\" server -log h4.log" \
			>h4.out 2>h4.err </dev/null &
	else
		TENTACLE_HUB_CONFIG=$TRASH_DIRECTORY/etc/hub.conf \
			"$TENTACLE" server -log h4.log >h4.out 2>h4.err </dev/null &
	fi
	RH_PID=$! &&
	register_daemon_ $RH_PID h4 &&
	wait_for_ready_ h4.log "hub ready: " $RH_PID h4 &&
	grep "hub ready: .* socks=127\.0\.0\.1:$FREE_PORT http=off" h4.log &&
	stop_daemon $RH_PID &&
	# $TENTACLE_HUB_CONFIG naming no file: no file, as for the default
	TENTACLE_HUB_CONFIG=$TRASH_DIRECTORY/etc/none.conf \
		"$TENTACLE" server -log h4b.log -controlAddr 127.0.0.1:0 \
		-tunnelAddr 127.0.0.1:0 -socketAddr 127.0.0.1:0 -httpAddr none \
		-admin none >h4b.out 2>h4b.err </dev/null &
	RH_PID=$! &&
	register_daemon_ $RH_PID h4b &&
	wait_for_ready_ h4b.log "hub ready: " $RH_PID h4b &&
	stop_daemon $RH_PID
'

test_expect_success 'SIGHUP: a live key takes effect, a restart-only key is logged' '
	cp hub.conf live.conf &&
	echo "max_clients: 5" >>live.conf &&
	run_hub h5 -config live.conf -max-clients 100 &&
	kill -HUP $RH_PID &&
	wait_for_count h5.log "hub: SIGHUP: log reopened" 1 &&
	# WARNING from now on, and a port that needs a restart.
	sed -e "s/^log_level: INFO/log_level: WARNING/" \
	    -e "s/^socketAddr: .*/socketAddr: 127.0.0.1:1/" \
	    -e "s/^max_clients: 5/max_clients: 6/" hub.conf >live.conf.new &&
	echo "max_clients: 6" >>live.conf.new &&
	mv live.conf.new live.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h5.log "SIGHUP: socketAddr changed in live.conf; it needs a restart" &&
	# Back to INFO: this SIGHUP logs, the one at WARNING did not.
	sed -i "s/^log_level: WARNING/log_level: INFO/" live.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h5.log "SIGHUP: log-level: INFO" &&
	wait_for_count h5.log "hub: SIGHUP: log reopened" 2 &&
	test $(grep -c "hub: SIGHUP: log reopened" h5.log) = 2 &&
	test $(grep -c "socketAddr changed in live.conf; it needs a restart" h5.log) = 2 &&
	! grep "SIGHUP: log-level: WARNING" h5.log &&
	grep "max-clients changed in the config file; -max-clients on the command line still wins" h5.log &&
	grep "hub ready: .* socks=127\.0\.0\.1:$FREE_PORT " h5.log &&
	"$TCPC" -s -T 5 $FREE_PORT </dev/null
'

test_expect_success 'SIGHUP: a file with an error changes nothing' '
	echo "frobnicate: 1" >>live.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h5.log "SIGHUP: live.conf:[0-9]*: unknown key \"frobnicate\" .*; the configuration stays as it was" &&
	daemon_alive $RH_PID &&
	stop_daemon $RH_PID
'

# http_status PORT: the status line of an HTTP proxy request without
# credentials.
http_status () {
	printf "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n" |
		"$TCPC" -T 5 "$1" | head -n 1
}

test_expect_success 'SIGHUP: allow (the old name) and allow_clients in the file' '
	printf "secret\n" | "$TENTACLE" passwd -iter 1000 -file users alice \
		2>/dev/null &&
	cat >allow.conf <<-EOF &&
	controlAddr: 127.0.0.1:0
	tunnelAddr: 127.0.0.1:0
	socketAddr: none
	httpAddr: 127.0.0.1:0
	admin: none
	users: $TRASH_DIRECTORY/users
	allow: 10.0.0.0/8
	EOF
	run_hub h6 -config allow.conf &&
	grep "WARNING -allow is deprecated on the hub: use -allow-clients" h6.log &&
	HP=$(sed -n "s/.*hub ready: .* http=127\.0\.0\.1:\([0-9]*\) .*/\1/p" h6.log) &&
	test -n "$HP" &&
	http_status $HP | grep " 407 " &&
	# the old key again, now naming loopback: served without a login
	sed -i "s|^allow: .*|allow: 127.0.0.0/8|" allow.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h6.log "SIGHUP: allow: 127.0.0.0/8" &&
	http_status $HP | grep -v " 407 " &&
	# the new name replaces the old one: 10/8 only, a login again
	sed -i "s|^allow: .*|allow_clients: 10.0.0.0/8|" allow.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h6.log "SIGHUP: allow-clients: 10.0.0.0/8" &&
	http_status $HP | grep " 407 " &&
	# a bad live value is refused, not logged as applied
	echo "log_level: LOUD" >>allow.conf &&
	kill -HUP $RH_PID &&
	wait_for_log h6.log "SIGHUP: log-level \"LOUD\" is not one of DEBUG, INFO, WARNING, ERROR; the level stays" &&
	! grep "SIGHUP: log-level: LOUD" h6.log &&
	sed -i "/^log_level: LOUD/d" allow.conf &&
	daemon_alive $RH_PID &&
	stop_daemon $RH_PID
'

test_expect_success 'a flag beats the file across the two names of allow-clients' '
	grep -v "^allow" allow.conf >allow0.conf &&
	{ cat allow0.conf && echo "allow: 10.0.0.0/8"; } >allow2.conf &&
	run_hub h7 -config allow2.conf -allow-clients 127.0.0.0/8 &&
	HP=$(sed -n "s/.*hub ready: .* http=127\.0\.0\.1:\([0-9]*\) .*/\1/p" h7.log) &&
	http_status $HP | grep -v " 407 " &&
	kill -HUP $RH_PID &&
	wait_for_log h7.log "SIGHUP: 1 proxy users" &&
	http_status $HP | grep -v " 407 " &&
	stop_daemon $RH_PID &&
	{ cat allow0.conf && echo "allow_clients: 127.0.0.0/8"; } >allow3.conf &&
	run_hub h8 -config allow3.conf -allow 10.0.0.0/8 &&
	HP=$(sed -n "s/.*hub ready: .* http=127\.0\.0\.1:\([0-9]*\) .*/\1/p" h8.log) &&
	http_status $HP | grep " 407 " &&
	stop_daemon $RH_PID &&
	test_expect_code 2 "$TENTACLE" server -config none -allow 10.0.0.0/8 \
		-allow-clients 10.0.0.0/8 -log none 2>err &&
	grep "give -allow-clients only" err
'

test_expect_success 'doc/*.conf.example parse, every key uncommented too' '
	sed "s/^#\([a-z_]*: \)/\1/" "$TENTACLE_SRC/doc/hub.conf.example" \
		>hub-all.conf &&
	test $(grep -c "^[a-z_]*: " hub-all.conf) -ge 35 &&
	test_expect_code 1 "$TENTACLE" server -config hub-all.conf \
		-tlsCrt nonexistent.crt -tlsKey nonexistent.key 2>err &&
	grep "TLS: nonexistent.crt" err &&
	sed "s/^#\([a-z_]*: \)/\1/" "$TENTACLE_SRC/doc/node.conf.example" |
		grep -v -e "^fingerprint:" -e "^ca_file:" >node-all.conf &&
	{ cat node-all.conf && echo "log_level: NOPE"; } >node-all-bad.conf &&
	test_expect_code 2 "$TENTACLE" start -config node-all-bad.conf 2>err &&
	grep "log level \"NOPE\"" err
'

# /dev/log hidden by a bind mount in a mount namespace; where there is
# no /dev/log (this machine, a chroot) the hub runs as it is.
test -e /dev/log || test_set_prereq NODEVLOG
test_have_prereq MOUNTNS && test_set_prereq DEVLOGTEST
test_have_prereq NODEVLOG && test_set_prereq DEVLOGTEST
test_expect_success DEVLOGTEST '-log syslog without /dev/log: a warning naming it' '
	: >notasocket &&
	${MOUNTNS:-env} sh -c "if test -e /dev/log; then mount --bind notasocket /dev/log; fi &&
		exec \"$TENTACLE\" server -config none -log syslog \
		-controlAddr 127.0.0.1:0 -tunnelAddr 127.0.0.1:0 \
		-socketAddr 127.0.0.1:0 -httpAddr none -admin none" \
		>h9.out 2>h9.err </dev/null &
	RH_PID=$! &&
	register_daemon_ $RH_PID h9 &&
	wait_for_log h9.err "warning: -log syslog: no syslog daemon at /dev/log" &&
	grep "use -log FILE, or -log stdout" h9.err &&
	daemon_alive $RH_PID &&
	stop_daemon $RH_PID
'

test_done
