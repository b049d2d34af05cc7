#!/bin/sh
test_description='OpenWrt: the procd init script turns /etc/config/tentacle
into node config files and procd instances (run here on a small UCI and
procd stand-in, t/lib-openwrt.sh); every node setting has a UCI option; a
node started from what the script made serves and redials; the package
Makefile installs what the init script needs'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/lib-openwrt.sh"

PKG=$TENTACLE_SRC/dist/openwrt/tentacle
INIT=$PKG/files/tentacle.init
T=$TRASH_DIRECTORY
mkdir -p uci

command -v shellcheck >/dev/null 2>&1 && test_set_prereq SHELLCHECK
command -v make >/dev/null 2>&1 && test_set_prereq MAKE

# procd_run: the init script on uci/tentacle; procd.out, and the config
# files under $T/etc.
procd_run () {
	rm -rf "$T/etc" &&
	rc_procd "$INIT" "$T/uci" "$T/procd.out" CONF_DIR="$T/etc"
}

# start_procd_command NAME: start the node procd.out says procd would start,
# with $TENTACLE for /usr/bin/tentacle; wait until NAME is connected
# (its log: node.uci.log).  Sets PROCD_PID.
start_procd_command () {
	spc_name=$1
	sed -n "s/^param command //p" procd.out >cmd &&
	eval "set -- $(cat cmd)" &&
	test "$1" = /usr/bin/tentacle || return 1
	shift
	"$TENTACLE" "$@" >node.uci.out 2>node.uci.err </dev/null &
	PROCD_PID=$!
	register_daemon_ $PROCD_PID node.uci
	wait_for_ready_ node.uci.log "node ready: node [0-9]* ($spc_name) connected" \
		$PROCD_PID node.uci
}

test_expect_success 'the init script: sh -n, USE_PROCD, no start/stop of its own' '
	sh -n "$INIT" &&
	grep "^#!/bin/sh /etc/rc.common\$" "$INIT" &&
	grep "^USE_PROCD=1\$" "$INIT" &&
	! grep -e "^start()" -e "^stop()" "$INIT"
'

test_expect_success SHELLCHECK 'shellcheck: the init script and the stand-in' '
	shellcheck "$INIT" &&
	shellcheck -s dash "$TEST_DIRECTORY/lib-openwrt.sh"
'

test_expect_success 'the shipped /etc/config/tentacle starts nothing (enabled 0)' '
	cp "$PKG/files/tentacle.config" uci/tentacle &&
	procd_run &&
	cat >expect <<-\EOF &&
	reload_trigger '\''tentacle'\''
	EOF
	test_cmp expect procd.out &&
	test ! -e etc/main.conf
'

test_expect_success 'every option: the exact command line and config file' '
	cat >uci/tentacle <<-\EOF &&
	package tentacle

	config node '\''all'\''
		option enabled '\''1'\''
		option server '\''hub.example.net:4442'\''
		option token '\''tok-0123456789abcdef'\''
		option name '\''router_7'\''
		list pool '\''ilife'\''
		list pool '\''codertool'\''
		option pool_size '\''4'\''
		option fingerprint '\''sha256:00ff'\''
		option ca_file '\''/etc/tentacle/ca.pem'\''
		option insecure '\''yes'\''
		option state_dir '\''/etc/tentacle/n'\''
		option known_hosts '\''/etc/tentacle/kh'\''
		list allow '\''192.168.1.0/24'\''
		list allow '\''10.0.0.0/8'\''
		list deny '\'':22'\''
		option bind '\''192.0.2.7'\''
		option data_addr '\''198.51.100.4:4443'\''
		option redial '\''ifup wan; logger "redial \ done"'\''
		option dial_info '\''dsl'\''
		option redial_timeout '\''90s'\''
		option redial_min_interval '\''1m'\''
		option log '\''syslog'\''
		option log_level '\''WARNING'\''
		option log_format '\''json'\''
		option shutdown_grace '\''3s'\''
	EOF
	procd_run &&
	cat >expect <<-EOF &&
	instance '\''all'\''
	param command '\''/usr/bin/tentacle'\'' '\''start'\'' '\''-config'\'' '\''$T/etc/all.conf'\''
	param file '\''$T/etc/all.conf'\''
	param respawn '\''3600'\'' '\''5'\'' '\''5'\''
	param stdout '\''1'\''
	param stderr '\''1'\''
	close
	reload_trigger '\''tentacle'\''
	EOF
	test_cmp expect procd.out &&
	cat >expect <<-EOF &&
	# $T/etc/all.conf: made by /etc/init.d/tentacle from
	# /etc/config/tentacle, section all; edit that instead.
	server_addr: "hub.example.net:4442"
	auth_token: "tok-0123456789abcdef"
	name: "router_7"
	pools: "ilife,codertool"
	pool_size: "4"
	fingerprint: "sha256:00ff"
	ca_file: "/etc/tentacle/ca.pem"
	insecure: "true"
	state_dir: "/etc/tentacle/n"
	known_hosts: "/etc/tentacle/kh"
	allow: "192.168.1.0/24,10.0.0.0/8"
	deny: ":22"
	bind: "192.0.2.7"
	data_addr: "198.51.100.4:4443"
	redial: "ifup wan; logger \\"redial \\\\ done\\""
	dial_info: "dsl"
	redial_timeout: "90s"
	redial_min_interval: "1m"
	log: "syslog"
	log_level: "WARNING"
	log_format: "json"
	shutdown_grace: "3s"
	EOF
	test_cmp expect etc/all.conf &&
	test "$(stat -c %a etc/all.conf)" = 600
'

test_expect_success 'every key the node knows has a UCI option' '
	printf "no_such_key: 1\n" >bad.conf &&
	test_must_fail "$TENTACLE" start -config bad.conf 2>err &&
	sed -n "s/.*(known: \(.*\)).*/\1/p" err | tr -d " " | tr , "\n" >known &&
	test "$(wc -l <known)" -ge 19 &&
	while read -r k; do
		grep "^$k: " etc/all.conf >/dev/null ||
		{ echo "node key $k: no UCI option maps to it"; return 1; }
	done <known &&
	# and the node reads every key the script writes.
	# A bad last line makes the node stop after reading all of them.
	{ cat etc/all.conf && echo "log_level: NOPE"; } >all-bad.conf &&
	test_expect_code 2 "$TENTACLE" start -config all-bad.conf 2>err &&
	grep "log level \"NOPE\" is not one of" err &&
	! grep "unknown key" err
'

test_expect_success 'defaults: state_dir on flash, insecure only when true, empty options left out' '
	cat >uci/tentacle <<-\EOF &&
	config node '\''a'\''
		option enabled '\''on'\''
		option server '\''hub:4442'\''
		option token '\'''\''
		option insecure '\''0'\''
	EOF
	procd_run &&
	cat >expect <<-EOF &&
	# $T/etc/a.conf: made by /etc/init.d/tentacle from
	# /etc/config/tentacle, section a; edit that instead.
	server_addr: "hub:4442"
	state_dir: "/etc/tentacle"
	EOF
	test_cmp expect etc/a.conf
'

test_expect_success 'several sections: disabled and serverless ones start nothing' '
	cat >uci/tentacle <<-\EOF &&
	config node '\''one'\''
		option enabled '\''1'\''
		option server '\''hub:4442'\''
	config node '\''off'\''
		option enabled '\''0'\''
		option server '\''hub:4442'\''
	config node '\''noserver'\''
		option enabled '\''1'\''
	config node
		option enabled '\''true'\''
		option server '\''hub2:4442'\''
	config other '\''x'\''
		option enabled '\''1'\''
		option server '\''hub3:4442'\''
	EOF
	procd_run 2>err &&
	grep "^instance" procd.out >instances &&
	printf "instance '\''one'\''\ninstance '\''cfg04'\''\n" >expect &&
	test_cmp expect instances &&
	grep "node noserver: no server" err &&
	test ! -e etc/off.conf && test ! -e etc/noserver.conf &&
	grep "^server_addr: \"hub2:4442\"\$" etc/cfg04.conf
'

test_expect_success 'a changed option changes the file procd watches' '
	cat >uci/tentacle <<-\EOF &&
	config node '\''n'\''
		option enabled '\''1'\''
		option server '\''hub:4442'\''
		list allow '\''192.168.1.0/24'\''
	EOF
	procd_run && cp etc/n.conf before &&
	procd_run && test_cmp before etc/n.conf &&
	sed "s|192.168.1.0/24|192.168.2.0/24|" uci/tentacle >uci/new &&
	mv uci/new uci/tentacle &&
	procd_run && ! cmp -s before etc/n.conf &&
	grep "^param file '\''$T/etc/n.conf'\''\$" procd.out
'

test_expect_success CURL 'a node from the UCI config: connects with its name and pools, serves, redials' '
	use_tokens &&
	start_origin &&
	start_hub -redial-interval 0 -redial-grace 1s &&
	cat >uci/tentacle <<-EOF &&
	config node '\''main'\''
		option enabled '\''1'\''
		option server '\''127.0.0.1:$CONTROL_PORT'\''
		option token '\''$NODE_TOKEN'\''
		option name '\''uci_n1'\''
		list pool '\''ilife'\''
		list pool '\''codertool'\''
		option fingerprint '\''$(hub_fp)'\''
		option state_dir '\''$T/node-state'\''
		list allow '\''127.0.0.0/8'\''
		option redial '\''echo "redialled \$\$" >>$T/redials.log'\''
		option redial_timeout '\''5s'\''
		option redial_min_interval '\''0s'\''
		option log '\''$T/node.uci.log'\''
		option log_level '\''DEBUG'\''
	EOF
	procd_run &&
	start_procd_command uci_n1 &&
	hub_serves &&
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	grep "\"name\":\"uci_n1\"" info.json &&
	grep "\"pools\":\[\"ilife\",\"codertool\"\]" info.json &&
	grep "\"redial\":\"command\"" info.json &&
	"$TENTACLE" redial -admin "$ADMIN_SOCK" uci_n1 &&
	wait_for_log redials.log "^redialled [0-9]" 20 &&
	stop_daemon $PROCD_PID
'

# A stand-in for the OpenWrt build system: just what the package Makefile
# uses, with Package/tentacle/install run into ipkg/ and Build/Prepare
# into build/.
test_expect_success MAKE 'the package Makefile: Build/Prepare copies a tree that builds; install lays out the package' '
	mkdir -p owrt/include owrt/dl owrt/build &&
	cat >owrt/rules.mk <<-\EOF &&
	INCLUDE_DIR:=$(TOPDIR)/include
	BUILD_DIR:=$(TOPDIR)/build
	DL_DIR:=$(TOPDIR)/dl
	STAGING_DIR:=$(TOPDIR)/staging
	TAR:=tar
	INSTALL_DIR:=install -d -m0755
	INSTALL_BIN:=install -m0755
	INSTALL_DATA:=install -m0644
	INSTALL_CONF:=install -m0600
	LN:=ln -sf
	CP:=cp -fpR
	EOF
	cat >owrt/include/package.mk <<-\EOF &&
	.RECIPEPREFIX = >
	PKG_BUILD_DIR?=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
	define Download
	$$(eval $$(Download/$(1)))
	download-$(1):
	>@echo "$$(FILE) $$(URL) $$(HASH)"
	endef
	define BuildPackage
	prepare:
	>$$(Build/Prepare)
	install-ipkg:
	>$$(call Package/$(1)/install,$$(IPKG))
	endef
	EOF
	(mkdir t && cd t && tar -czf ../owrt/dl/bearssl-0.6.tar.gz .) &&
	make -s -C "$PKG" TOPDIR="$T/owrt" download-bearssl >dl &&
	grep "^bearssl-0\.6\.tar\.gz https://bearssl\.org/ [0-9a-f]\{64\}\$" dl &&
	make -s -C "$PKG" TOPDIR="$T/owrt" prepare &&
	b=owrt/build/tentacle-0.1.0 &&
	test -f $b/tentacle.c && test -f $b/doc/tentacle.1 &&
	! find $b -name "*.o" | grep . &&
	(cd $b && ./configure >configure.out 2>&1 && make -n tentacle >/dev/null) &&
	mkdir -p $b && cp "$TENTACLE" $b/tentacle &&
	make -s -C "$PKG" TOPDIR="$T/owrt" IPKG="$T/ipkg" install-ipkg &&
	test -x ipkg/usr/bin/tentacle &&
	test "$(readlink ipkg/usr/bin/tentacled)" = tentacle &&
	test "$(readlink ipkg/usr/bin/tentacler)" = tentacle &&
	cmp "$INIT" ipkg/etc/init.d/tentacle && test -x ipkg/etc/init.d/tentacle &&
	cmp "$PKG/files/tentacle.config" ipkg/etc/config/tentacle &&
	test "$(stat -c %a ipkg/etc/tentacle)" = 700 &&
	grep "^/etc/tentacle/\$" ipkg/lib/upgrade/keep.d/tentacle &&
	grep "^PROG=/usr/bin/tentacle\$" ipkg/etc/init.d/tentacle
'

test_done
