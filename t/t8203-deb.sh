#!/bin/sh
test_description='Debian: dpkg-buildpackage -b builds tentacle.deb from a copy
of the tree; dpkg installs it into an empty root, maintainer scripts and all
(the hub user comes from sysusers.d); the hub and a node run from that root
the way their units say (user, state directory, credential, environment
file) and serve a SOCKS request; the admin socket answers root and the
hub group, not others'
. "$(dirname "$0")/test-lib.sh"

T=$TRASH_DIRECTORY
R=$T/root

for c in dpkg-buildpackage dh dpkg-deb systemd-sysusers; do
	command -v $c >/dev/null 2>&1 ||
	test_skip_all "$c not found (sh scripts/install-deps)"
done
CHROOT=$(command -v chroot)
test "$(id -u)" = 0 && test -n "$CHROOT" && test_set_prereq CHROOT

# The tree as it is now, tracked and new files (not build products): from
# git when it is a work tree, else a copy cleaned with make distclean.
copy_tree () {
	mkdir -p "$T/src" &&
	if git -C "$TENTACLE_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$TENTACLE_SRC" &&
		git ls-files -z -co --exclude-standard | grep -zv "^t/trash" |
			xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$T/src"
	else
		# (no git: a fresh machine has none) everything but the build
		# products that hold much, and our own trash directory
		(cd "$TENTACLE_SRC" && tar -cf - --exclude="./t/trash*" \
			--exclude=./build --exclude=./san --exclude=./fuzz .) |
			tar -xf - -C "$T/src" &&
		(cd "$T/src" && { test ! -f Makefile || make -s distclean; })
	fi
}

# tree_status: what git says changed in the tree (nothing to say without
# git, as on a fresh machine: the build runs in a copy either way).
tree_status () {
	if git -C "$TENTACLE_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$TENTACLE_SRC" && git status --porcelain)
	fi
}

# unit_line UNIT KEY: the unit file's KEY= values (the installed unit).
unit_line () {
	sed -n "s/^$2=//p" "$R/lib/systemd/system/$1"
}

# unit_uid: the hub user's uid and gid in the root's /etc/passwd.
hub_ids () {
	HUB_UID=$(sed -n "s/^tentacle:x:\([0-9]*\):.*/\1/p" "$R/etc/passwd") &&
	HUB_GID=$(sed -n "s/^tentacle:x:[0-9]*:\([0-9]*\):.*/\1/p" "$R/etc/passwd") &&
	test -n "$HUB_UID" && test -n "$HUB_GID"
}

# in_root UID:GID [VAR=VALUE] COMMAND...: run COMMAND in the root as that
# user and group (no other groups), with no environment but PATH and the
# one VAR=VALUE (a unit's Environment=) when given.  It execs: run it in
# a subshell, "(in_root ...)", or in the background.
in_root () {
	ir_user=$1
	shift
	case $1 in
	*=*) ir_env=$1; shift ;;
	*) ir_env=PATH=/usr/bin:/bin ;;
	esac
	exec env -i PATH=/usr/bin:/bin "$ir_env" "$CHROOT" \
		--userspec="$ir_user" --groups="${ir_user#*:}" "$R" "$@"
}

test_expect_success 'dpkg-buildpackage -b in a copy of the tree' '
	tree_status >status.before &&
	copy_tree &&
	test -x src/debian/rules &&
	# niced: the suite runs two scripts at once, some of them timed
	(cd src && DEB_BUILD_OPTIONS="parallel=2 noddebs" \
		nice -n 19 dpkg-buildpackage -b -us -uc >../build.log 2>&1) ||
	{ tail -n 40 build.log; false; } &&
	ls tentacle_*.deb >debs &&
	test "$(wc -l <debs)" = 1 &&
	tree_status >status.after &&
	test_cmp status.before status.after
'

DEB=$(ls "$T"/tentacle_*.deb 2>/dev/null | head -n 1)

test_expect_success 'the package: binary, names, man page, units, user, examples' '
	dpkg-deb -c "$DEB" | sed "s/.* \.\//\//" >files &&
	for f in /usr/bin/tentacle "/usr/bin/tentacled -> tentacle" \
	    "/usr/bin/tentacler -> tentacle" /usr/share/man/man1/tentacle.1.gz \
	    /lib/systemd/system/tentacle-hub.service \
	    /lib/systemd/system/tentacle-node@.service \
	    /usr/lib/sysusers.d/tentacle.conf /etc/tentacle/hub.env \
	    /usr/share/doc/tentacle/examples/node.conf \
	    /usr/share/doc/tentacle/examples/tentacle-node-redial.conf \
	    /usr/share/doc/tentacle/install.md; do
		grep -x -F "$f" files || { echo "missing: $f"; return 1; }
	done &&
	# the units point at a page the package has, uncompressed
	for u in tentacle-hub.service tentacle-node@.service; do
		sed -n "s/^Documentation=.*file:\([^ ]*\).*/\1/p" \
			"$TENTACLE_SRC/dist/systemd/$u" >doc &&
		test -s doc && grep -x -F -f doc files || return 1
	done &&
	dpkg-deb -f "$DEB" Built-Using | grep "libevent (= " &&
	dpkg-deb -f "$DEB" Built-Using | grep "bearssl (= " &&
	dpkg-deb -e "$DEB" ctl &&
	grep -x /etc/tentacle/hub.env ctl/conffiles &&
	grep "systemd-sysusers .*tentacle.conf" ctl/postinst &&
	# --no-enable --no-start: enabled only if it was before (upgrades)
	grep "if deb-systemd-helper debian-installed .tentacle-hub.service." \
		ctl/postinst &&
	! grep "deb-systemd-invoke" ctl/postinst
'

test_expect_success 'dpkg installs it into an empty root; postinst makes the user' '
	mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info" "$R/etc" &&
	: >"$R/var/lib/dpkg/status" &&
	dpkg --root="$R" --log=/dev/null --force-script-chrootless \
		--force-depends --force-not-root -i "$DEB" >install.out 2>&1 ||
	{ cat install.out; false; } &&
	dpkg --root="$R" -s tentacle | grep "^Status: install ok installed" &&
	hub_ids &&
	grep "^tentacle:x:$HUB_UID:$HUB_GID:[^:]*:/var/lib/tentacle:" "$R/etc/passwd" &&
	"$R/usr/bin/tentacle" version | grep "static" &&
	! test -e "$R/etc/systemd/system/multi-user.target.wants/tentacle-hub.service"
'

# start_unit_hub: tentacle-hub.service's ExecStart in the root, the way
# systemd would run it: its User= (uid from the root's passwd), its
# StateDirectory= made with StateDirectoryMode=, Environment= (%S is
# /var/lib), $OPTIONS from the EnvironmentFile=.  Its stdout is the
# journal: hub.log.  Sets HUB_PID CONTROL_PORT SOCKS_PORT HUB_TOKEN.
start_unit_hub () {
	hub_ids &&
	test "$(unit_line tentacle-hub.service User)" = tentacle &&
	test "$(unit_line tentacle-hub.service Group)" = tentacle &&
	suh_sd=$(unit_line tentacle-hub.service StateDirectory) &&
	suh_sm=$(unit_line tentacle-hub.service StateDirectoryMode) &&
	test "$suh_sd" = tentacle && test "$suh_sm" = 0750 &&
	mkdir -p "$R/var/lib/$suh_sd" &&
	chown "$HUB_UID:$HUB_GID" "$R/var/lib/$suh_sd" &&
	chmod "$suh_sm" "$R/var/lib/$suh_sd" &&
	# hub.env as doc/install.md says, loopback ports for the test.
	HUB_TOKEN=$("$R/usr/bin/tentacle" token) &&
	echo "$HUB_TOKEN" >"$R/etc/tentacle/tokens" &&
	chgrp "$HUB_GID" "$R/etc/tentacle/tokens" &&
	chmod 0640 "$R/etc/tentacle/tokens" &&
	echo "OPTIONS=\"-tokens /etc/tentacle/tokens -controlAddr 127.0.0.1:0 -tunnelAddr 127.0.0.1:0 -socketAddr 127.0.0.1:0 -httpAddr none\"" \
		>>"$R/etc/tentacle/hub.env" &&
	test "$(unit_line tentacle-hub.service EnvironmentFile)" = \
		-/etc/tentacle/hub.env &&
	suh_env=$(unit_line tentacle-hub.service Environment |
		sed "s|%S|/var/lib|") &&
	suh_exec=$(unit_line tentacle-hub.service ExecStart) &&
	OPTIONS=$(. "$R/etc/tentacle/hub.env" && printf "%s" "$OPTIONS") &&
	eval "set -- $suh_exec" &&
	say_verbose "hub: $suh_env $*" || return 1
	in_root "$HUB_UID:$HUB_GID" "$suh_env" "$@" >hub.log 2>&1 \
		</dev/null &
	HUB_PID=$!
	register_daemon_ $HUB_PID hub
	wait_for_ready_ hub.log "hub ready: " $HUB_PID hub || return 1
	suh_line=$(grep "hub ready: " hub.log)
	CONTROL_PORT=$(hub_port_ control "$suh_line")
	SOCKS_PORT=$(hub_port_ socks "$suh_line")
	echo "$suh_line" | grep " admin=/var/lib/tentacle/admin.sock"
}

# start_unit_node INSTANCE UID: tentacle-node@INSTANCE.service's
# ExecStart as the dynamic user UID: LoadCredential= copies the config
# into the credentials directory (%d), StateDirectory= (0700) is made,
# Environment= set.  Its stdout: node.log.  Sets NODE_PID.
start_unit_node () {
	sun_i=$1 sun_uid=$2
	sun_cred=$(unit_line tentacle-node@.service LoadCredential) &&
	test "$sun_cred" = "node.conf:/etc/tentacle/node-%i.conf" &&
	sun_cd=/run/credentials/tentacle-node@$sun_i.service &&
	mkdir -p "$R$sun_cd" &&
	cp "$R/etc/tentacle/node-$sun_i.conf" "$R$sun_cd/node.conf" &&
	chown -R "$sun_uid" "$R$sun_cd" && chmod 0500 "$R$sun_cd" &&
	sun_sd=$(unit_line tentacle-node@.service StateDirectory |
		sed "s/%i/$sun_i/") &&
	mkdir -p "$R/var/lib/$sun_sd" && chown "$sun_uid" "$R/var/lib/$sun_sd" &&
	chmod 0700 "$R/var/lib/$sun_sd" &&
	sun_env=$(unit_line tentacle-node@.service Environment |
		sed -e "s|%S|/var/lib|" -e "s|%i|$sun_i|") &&
	sun_exec=$(unit_line tentacle-node@.service ExecStart |
		sed "s|%d|$sun_cd|") &&
	eval "set -- $sun_exec" &&
	say_verbose "node: $sun_env $*" || return 1
	in_root "$sun_uid:$sun_uid" "$sun_env" "$@" >node.log 2>&1 </dev/null &
	NODE_PID=$!
	register_daemon_ $NODE_PID node
}

test_expect_success CHROOT 'the hub as its unit runs it: user, state directory, hub.env' '
	start_unit_hub &&
	grep "nodes authenticate with 1 tokens from /etc/tentacle/tokens" hub.log &&
	test "$(stat -c "%u %a" "$R/var/lib/tentacle")" = "$HUB_UID 750" &&
	test "$(stat -c "%u %a" "$R/var/lib/tentacle/admin.sock")" = "$HUB_UID 660" &&
	test "$(stat -c "%u %a" "$R/var/lib/tentacle/hub.key")" = "$HUB_UID 600"
'

test_expect_success CHROOT,CURL 'a node as tentacle-node@t runs it: credential, dynamic user, TOFU in its state directory, serves' '
	start_origin &&
	fp=$(sed -n "s/.*hub key fingerprint sha256:\([0-9a-f]*\).*/\1/p" hub.log) &&
	test -n "$fp" &&
	cat >"$R/etc/tentacle/node-t.conf" <<-EOF &&
	server_addr: 127.0.0.1:$CONTROL_PORT
	auth_token: $HUB_TOKEN
	name: deb_t
	allow: 127.0.0.0/8
	EOF
	chmod 0600 "$R/etc/tentacle/node-t.conf" &&
	start_unit_node t 61234 &&
	wait_for_ready_ node.log "node ready: node [0-9]* (deb_t) connected" \
		$NODE_PID node &&
	test "$(stat -c %u "$R/var/lib/tentacle-node/t/known_hosts")" = 61234 &&
	grep "$fp" "$R/var/lib/tentacle-node/t/known_hosts" &&
	tcurl --socks5-hostname 127.0.0.1:$SOCKS_PORT \
		http://127.0.0.1:$ORIGIN_PORT/small >out &&
	grep "quick brown fox" out
'

test_expect_success CHROOT 'tentacle info: root with no flags, the hub group with -admin, not others' '
	hub_ids &&
	(in_root 0:0 /usr/bin/tentacle info) >info.out 2>&1 &&
	grep "deb_t" info.out &&
	(in_root "65534:$HUB_GID" /usr/bin/tentacle info \
		-admin /var/lib/tentacle/admin.sock) >info.out 2>&1 &&
	grep "deb_t" info.out &&
	! (in_root 65534:65534 /usr/bin/tentacle info \
		-admin /var/lib/tentacle/admin.sock) >info.out 2>&1 &&
	grep -i "permission denied" info.out
'

test_expect_success CHROOT 'reload: ExecReload sends SIGHUP, the hub rereads its tokens' '
	r=$(unit_line tentacle-hub.service ExecReload) &&
	test "$r" = "/bin/kill -HUP \$MAINPID" &&
	MAINPID=$HUB_PID &&
	eval "set -- $r" &&
	"$@" &&
	wait_for_log hub.log "SIGHUP: 1 node tokens loaded from /etc/tentacle/tokens"
'

test_expect_success CHROOT 'stop: both exit cleanly on SIGTERM' '
	stop_daemon $NODE_PID &&
	stop_daemon $HUB_PID &&
	! test -e "$R/var/lib/tentacle/admin.sock"
'

test_done
