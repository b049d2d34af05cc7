#!/bin/sh
test_description='systemd: tentacle-hub.service and tentacle-node@.service
pass systemd-analyze verify (in a root of their own, with the binary they
name), keep a low exposure score, the redial drop-in loosens exactly the
node, the sysusers.d file makes the hub user, the example files parse'
. "$(dirname "$0")/test-lib.sh"

D=$TENTACLE_SRC/dist/systemd
T=$TRASH_DIRECTORY

if command -v systemd-analyze >/dev/null 2>&1; then
	test_set_prereq SYSTEMD_ANALYZE
fi
if command -v systemd-sysusers >/dev/null 2>&1; then
	test_set_prereq SYSUSERS
fi

# The host's units: the targets ours hang off (verify wants them).
for d in /usr/lib/systemd/system /lib/systemd/system; do
	if test -f "$d/multi-user.target"; then
		HOST_UNITS=$d
		break
	fi
done

# mkroot DIR: a root for "systemd-analyze --root": the host's targets, our
# units, the binaries they run.  MANPATH finds tentacle(1) (Documentation=).
mkroot () {
	rm -rf "$1" &&
	mkdir -p "$1/usr/lib/systemd/system" "$1/usr/bin" "$1/bin" \
		"$1/etc/systemd/system" "$T/man/man1" &&
	cp "$HOST_UNITS"/*.target "$1/usr/lib/systemd/system/" &&
	cp "$D/tentacle-hub.service" "$D/tentacle-node@.service" \
		"$1/usr/lib/systemd/system/" &&
	cp "$TENTACLE" "$1/usr/bin/tentacle" &&
	cp /bin/kill "$1/bin/kill" &&
	cp "$TENTACLE_SRC/doc/tentacle.1" "$T/man/man1/"
}

# verify ROOT UNIT...: systemd-analyze verify says nothing at all.
verify () {
	v_root=$1
	shift
	MANPATH=$T/man systemd-analyze verify --root="$v_root" "$@" \
		>verify.out 2>&1
	v_rc=$?
	cat verify.out
	test $v_rc = 0 && ! test -s verify.out
}

# exposure ROOT UNIT: the overall exposure level, times ten.
exposure () {
	systemd-analyze security --offline=yes --root="$1" "$2" >sec.out 2>&1
	sed -n 's/.*Overall exposure level for .*: \([0-9]*\)\.\([0-9]\).*/\1\2/p' \
		sec.out
}

test_expect_success SYSTEMD_ANALYZE 'systemd-analyze verify: both units, not a word' '
	test -n "$HOST_UNITS" &&
	mkroot root &&
	verify root tentacle-hub.service tentacle-node@home.service
'

test_expect_success SYSTEMD_ANALYZE 'verify catches a misspelt setting, a missing binary, a bad value' '
	mkroot bad &&
	u=bad/usr/lib/systemd/system/tentacle-hub.service &&
	sed "s/^ProtectSystem=strict/ProtectSytem=strict/" "$D/tentacle-hub.service" >$u &&
	! verify bad tentacle-hub.service &&
	grep "Unknown key .ProtectSytem" verify.out &&
	sed "s/^ProtectSystem=strict/ProtectSystem=strcit/" "$D/tentacle-hub.service" >$u &&
	! verify bad tentacle-hub.service &&
	cp "$D/tentacle-hub.service" $u &&
	rm bad/usr/bin/tentacle &&
	! verify bad tentacle-hub.service &&
	grep "/usr/bin/tentacle is not executable" verify.out
'

test_expect_success SYSTEMD_ANALYZE 'exposure: both units at most 2.0 (OK)' '
	h=$(exposure root tentacle-hub.service) &&
	n=$(exposure root tentacle-node@home.service) &&
	echo "hub $h node $n (x10)" &&
	test -n "$h" && test "$h" -le 20 &&
	test -n "$n" && test "$n" -le 20
'

test_expect_success SYSTEMD_ANALYZE 'the sandbox: what each unit needs stays allowed' '
	hub=$D/tentacle-hub.service node=$D/tentacle-node@.service &&
	# neither talks netlink (the node lists its own addresses with
	# SIOCGIFCONF and /proc/self/net/if_inet6, kept by ProcSubset=pid)
	! grep "^RestrictAddressFamilies=.*AF_NETLINK" $node &&
	! grep "^RestrictAddressFamilies=.*AF_NETLINK" $hub &&
	grep "^RestrictAddressFamilies=AF_INET AF_INET6" $node &&
	# the hub reads an admin client s /proc/PID/status (groups), and
	# must see its real uid
	! grep -e "^ProtectProc=invisible" -e "^PrivateUsers=yes" $hub &&
	grep "^ExecReload=/bin/kill -HUP \$MAINPID\$" $hub &&
	! grep "^ExecReload" $node &&
	# the state directory holds admin.sock, for the group
	grep "^StateDirectory=tentacle\$" $hub &&
	grep "^StateDirectoryMode=0750\$" $hub &&
	grep "^Environment=TENTACLE_STATE_DIR=%S/tentacle\$" $hub &&
	grep "^User=tentacle\$" $hub && grep "^Group=tentacle\$" $hub &&
	grep "^LoadCredential=node.conf:/etc/tentacle/node-%i.conf\$" $node &&
	grep "^ExecStart=/usr/bin/tentacle start -config %d/node.conf\$" $node &&
	grep "^ExecStart=/usr/bin/tentacle server \$OPTIONS\$" $hub
'

test_expect_success SYSTEMD_ANALYZE 'the redial drop-in: verifies, makes the node root and unfiltered' '
	mkroot redial &&
	mkdir -p "redial/etc/systemd/system/tentacle-node@home.service.d" &&
	cp "$D/tentacle-node-redial.conf" \
		"redial/etc/systemd/system/tentacle-node@home.service.d/redial.conf" &&
	verify redial tentacle-node@home.service &&
	n=$(exposure root tentacle-node@home.service) &&
	! grep "Service runs as root user" sec.out &&
	r=$(exposure redial tentacle-node@home.service) &&
	grep "Service runs as root user" sec.out &&
	grep "RestrictAddressFamilies=~AF_PACKET .*may allocate packet" sec.out &&
	grep "CapabilityBoundingSet=~CAP_NET_ADMIN .*network configuration" sec.out &&
	echo "node $n, with the drop-in $r" &&
	test "$r" -gt 50 &&
	h=$(exposure redial tentacle-hub.service) &&
	test "$h" -le 20
'

test_expect_success SYSUSERS 'sysusers.d: a system user tentacle, its group, home the state directory' '
	mkdir -p sys/etc &&
	systemd-sysusers --root="$T/sys" "$D/tentacle.sysusers" &&
	grep "^tentacle:x:[0-9]*:[0-9]*:[^:]*:/var/lib/tentacle:" sys/etc/passwd &&
	grep "^tentacle:x:" sys/etc/group &&
	uid=$(sed -n "s/^tentacle:x:\([0-9]*\):.*/\1/p" sys/etc/passwd) &&
	test "$uid" -gt 0 && test "$uid" -lt 1000
'

test_expect_success 'the example node.conf parses, every line uncommented too; hub.env is sh' '
	{ cat "$D/node.conf" && echo "log_level: NOPE"; } >node.conf &&
	test_expect_code 2 "$TENTACLE" start -config node.conf 2>err;
	cat err &&
	grep "no hub address" err &&
	sed "s/^#\([a-z_]*: \)/\1/" "$D/node.conf" |
		grep -v -e "^fingerprint:" >all.conf &&
	{ cat all.conf && echo "log_level: NOPE"; } >all-bad.conf &&
	test_expect_code 2 "$TENTACLE" start -config all-bad.conf 2>err;
	cat err &&
	grep "auth_token: a token is" err &&
	sh -n "$D/hub.env" &&
	(. "$D/hub.env" && test "${OPTIONS+set}" = set)
'

test_done
