#!/bin/sh
test_description='release binaries (make build-all) under emulation: version,
the unit tests, a hub and a node of the target, SOCKS5 and HTTP through them
with TLS, and each against a native peer; frames, counters and timestamps
checked through tentacle info'
. "$(dirname "$0")/test-lib.sh"

# TENTACLE_TARGETS: the Linux release targets to check, built by
# `make build-all` into $TENTACLE_SRC/build (make check and
# make check-build-all set it).  Windows is t8101's.
test -n "${TENTACLE_TARGETS:-}" ||
	test_skip_all 'no TENTACLE_TARGETS (make check-build-all sets it)'
test_have_prereq CURL || test_skip_all 'curl not found'
command -v python3 >/dev/null 2>&1 || test_skip_all 'python3 not found'

BUILD=${TENTACLE_SRC:-$TEST_DIRECTORY/..}/build
NATIVE=$TENTACLE
MIB=1048576

# emulator TARGET: the command that runs TARGET's binaries here (binfmt_misc
# is not assumed).  MIPS as a 24Kc (no FPU: qemu's default CPU has one and
# would hide a hard-float instruction), ARMv7 as a Cortex-A7.
emulator () {
	case "$1" in
	x86_64-*) echo "" ;;
	aarch64-*) echo "qemu-aarch64-static" ;;
	armv7-*) echo "qemu-arm-static -cpu cortex-a7" ;;
	mipsel-*) echo "qemu-mipsel-static -cpu 24Kc" ;;
	mips-*) echo "qemu-mips-static -cpu 24Kc" ;;
	*) return 1 ;;
	esac
}

# What uname -m says on each (the node reports it to the hub).
arch_of () {
	case "$1" in
	x86_64-*) echo x86_64 ;;
	aarch64-*) echo aarch64 ;;
	armv7-*) echo armv7l ;;
	mipsel-*|mips-*) echo mips ;;
	esac
}

# check_node NAME MIN_BYTES ARCH: the hub's record of node NAME, read with
# `tentacle info -json` ($TENTACLE): connected within the last 10 minutes by
# the hub's clock, at least MIN_BYTES each way, a dial or more, its arch.
check_node () {
	"$TENTACLE" info -admin "$ADMIN_SOCK" -json >info.json &&
	python3 - "$1" "$2" "$3" <<-\EOF
	import json, sys, time
	name, least, arch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	d = json.load(open("info.json"))
	n = [x for x in d["nodes"] if x["name"] == name]
	assert len(n) == 1, "node %s not listed: %s" % (name, d)
	n = n[0]
	now = time.time()
	assert now - 600 <= n["since"] <= now + 5, "since %r, now %r" % (n["since"], now)
	assert n["bytes_down"] >= least, "bytes_down %r < %d" % (n["bytes_down"], least)
	assert n["bytes_up"] >= least, "bytes_up %r < %d" % (n["bytes_up"], least)
	assert n["dials_ok"] >= 1, n
	assert n["arch"] == arch, "arch %r, expected %r" % (n["arch"], arch)
	EOF
}

# through PROXY-FLAG: 1 MiB down (GET) and 1 MiB up (POST, the origin
# answers with its length and checksum) through the last hub, intact.
through () {
	tcurl $1 http://127.0.0.1:$ORIGIN_PORT/bytes/$MIB -o got.down &&
	cmp expect.1m got.down &&
	tcurl $1 --data-binary @expect.1m \
		-H "Content-Type: application/octet-stream" \
		http://127.0.0.1:$ORIGIN_PORT/echo -o got.up &&
	grep -F "$(cat expect.sum)" got.up
}

test_expect_success 'setup: origin, 1 MiB of reference bytes' '
	start_origin &&
	"$ORIGIN" -gen $MIB >expect.1m &&
	"$ORIGIN" -sum <expect.1m >expect.sum &&
	grep "^len=$MIB " expect.sum
'

for T in $TENTACLE_TARGETS; do
	BIN=$BUILD/bin/tentacle-$T
	EMU=$(emulator "$T") || {
		test_skip "$T: not a Linux release target" false
		continue
	}
	RUNNER=$TRASH_DIRECTORY/run-$T
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$EMU" "$BIN" >"$RUNNER"
	chmod +x "$RUNNER"
	ARCH=$(arch_of "$T")
	# a node name cannot have a '-' (the user name syntax uses it)
	TN=$(echo "$T" | tr - _)

	test_expect_success "$T: the binary is there, static, stripped" '
		test -x "$BIN" &&
		file "$BIN" >file.out &&
		grep "statically linked" file.out &&
		grep "stripped" file.out && ! grep "not stripped" file.out
	'

	test_expect_success "$T: version names the target, musl, static" '
		"$RUNNER" version >version.out &&
		sed -n 2p version.out >line2 &&
		grep "^$T, musl [0-9.]*\(, soft-float\)*, static\$" line2 &&
		case $T in
		mips*) grep "soft-float" line2 ;;
		esac
	'

	case $T in
	mips*)
		test_expect_success "$T: no FPU instruction in the binary" '
			${T%%-*}-linux-gnu-objdump -d "$BIN" >dis.out &&
			! grep -E "\s(lwc1|swc1|ldc1|sdc1|mtc1|mfc1|cvt\.|add\.[sd]|mul\.[sd]|div\.[sd])\s" dis.out
		'
		;;
	esac

	test_expect_success "$T: the unit tests pass under emulation" '
		ls "$BUILD/$T"/t/unit/*.t >units &&
		test -s units &&
		while read u; do
			# (a test body runs in this shell: return, not exit)
			$EMU "$u" >unit.out 2>&1 || { cat unit.out; return 1; }
			! grep "^not ok" unit.out || { cat unit.out; return 1; }
			plan=$(sed -n "s/^1\.\.\([0-9]*\).*/\1/p" unit.out)
			oks=$(grep -c "^ok" unit.out)
			test "$plan" = "$oks" || { echo "$u: plan $plan, $oks ok"; return 1; }
		done <units
	'

	# libevent 2.1.12's evhttp exits the process when getnameinfo()
	# fails, which musl's does for a Unix socket peer: the release
	# libevent carries scripts/patches/libevent-http-unix.patch.  Named
	# here (the unit loop above runs it too) so that the patch cannot go
	# missing quietly.
	test_expect_success "$T: evhttp answers on a Unix socket (libevent patched)" '
		$EMU "$BUILD/$T/t/unit/evhttp_unix.t" >evunix.out 2>&1
		st=$?
		cat evunix.out &&
		test $st = 0 &&
		grep "^1\.\.3\$" evunix.out && ! grep "^not ok" evunix.out &&
		deps=$(cat "$BUILD/$T/.deps") &&
		grep "^libevent_patches=.*libevent-http-unix\.patch" "$deps/deps.txt"
	'

	test_expect_success "$T: hub and node of the target, TLS, SOCKS5 and HTTP" '
		TENTACLE=$RUNNER &&
		start_hub &&
		grep "hub key fingerprint" "$HUB_LOG" &&
		start_node "t_$TN" -fingerprint "$(hub_fp)" &&
		grep -i "tls" "$NODE_LOG" &&
		through "--socks5-hostname 127.0.0.1:$SOCKS_PORT" &&
		through "--proxy http://127.0.0.1:$HTTP_PORT" &&
		check_node "t_$TN" $MIB "$ARCH"
	'
	stop_all_=$HUB_PID
	TENTACLE=$NATIVE
	kill_daemon "$NODE_PID" 2>/dev/null
	kill_daemon "$stop_all_" 2>/dev/null

	test_expect_success "$T: a node of the target against a native hub" '
		TENTACLE=$NATIVE &&
		start_hub &&
		TENTACLE=$RUNNER &&
		start_node "n_$TN" -fingerprint "$(hub_fp)" &&
		TENTACLE=$NATIVE &&
		through "--socks5-hostname 127.0.0.1:$SOCKS_PORT" &&
		check_node "n_$TN" $MIB "$ARCH"
	'
	stop_all_=$HUB_PID
	TENTACLE=$NATIVE
	kill_daemon "$NODE_PID" 2>/dev/null
	kill_daemon "$stop_all_" 2>/dev/null

	test_expect_success "$T: a native node against a hub of the target" '
		TENTACLE=$RUNNER &&
		start_hub &&
		TENTACLE=$NATIVE &&
		start_node "h_$TN" -fingerprint "$(hub_fp)" &&
		through "--proxy http://127.0.0.1:$HTTP_PORT" &&
		TENTACLE=$RUNNER &&
		check_node "h_$TN" $MIB "$(uname -m)"
	'
	TENTACLE=$NATIVE
	kill_daemon "$NODE_PID" 2>/dev/null
	kill_daemon "$HUB_PID" 2>/dev/null
done

test_done
