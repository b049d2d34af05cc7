#!/bin/sh
test_description='the Java SDK (sdk/java): a node run through org.tentacle.sdk.Node
in a JVM shares, proxies a request end to end, follows its policy (consent
off: WAITING and gone from the hub; on: back), counts bytes, stops, starts
again, closes; misuse (stop twice, close twice, calls after close, close in
a callback, a bad config) throws and never crashes'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq CURL || test_skip_all 'curl not found'

# No javac is a failure, not a skip: scripts/install-deps installs
# default-jdk-headless.  The JNI glue links the plain libtentacle.so at
# the top of the tree (TENTACLE_SDK_LIBDIR overrides), also in the
# sanitizer run: an ASan library in a JVM needs libasan preloaded into
# java, whose own signal handling ASan then reports.  The hub is the one
# under test ($TENTACLE), san/tentacle in that run.
# TENTACLE_SDK_JNI=FILE runs NodeCtl on another build of the glue (the
# one sdk/java/android/CMakeLists.txt makes with the host compiler, with
# libtentacle inside it) instead of build.sh's.
SDK_LIBDIR=${TENTACLE_SDK_LIBDIR:-$TENTACLE_SRC}
JBUILD=$TRASH_DIRECTORY/jbuild
JTEST=$TRASH_DIRECTORY/jtest

# ctl COMMAND...: one command to NodeCtl; its answer ("R<n> ok ..." or
# "R<n> err ...") in ctl.reply; fails unless ok.  CTL_TIMEOUT (s, 30).
ctl_n=0
ctl () {
	ctl_n=$((ctl_n + 1))
	echo "$*" >&9 || return 1
	wait_for_log "$TRASH_DIRECTORY/java.out" "^R$ctl_n " \
		"${CTL_TIMEOUT:-30}" || return 1
	grep "^R$ctl_n " "$TRASH_DIRECTORY/java.out" >ctl.reply
	cat ctl.reply
	grep "^R$ctl_n ok" ctl.reply >/dev/null
}

# reply_num KEY: KEY=N from the last status reply.
reply_num () {
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" ctl.reply
}

# start_nodectl FINGERPRINT: NodeCtl in a JVM (daemon "java"; -Xcheck:jni
# prints what the glue does wrong, the last test looks), its stdin
# the FIFO java.in, which this shell holds open on fd 9 (ctl writes
# there), its answers and events in java.out, its log lines in java.err.
start_nodectl () {
	rm -f java.in && mkfifo java.in || return 1
	"$JAVA_HOME/bin/java" -Xcheck:jni -Xmx64m -XX:+UseSerialGC \
		-XX:TieredStopAtLevel=1 -Xss512k \
		-Djava.library.path="$JBUILD/lib" \
		-Dorg.tentacle.sdk.library="${TENTACLE_SDK_JNI:-}" \
		-cp "$JBUILD/tentacle-sdk.jar:$JTEST" \
		org.tentacle.sdk.test.NodeCtl "127.0.0.1:$CONTROL_PORT" \
		"$NODE_TOKEN" jnode "$1" "$TRASH_DIRECTORY/jstate" \
		<java.in >java.out 2>java.err &
	JAVA_PID=$!
	register_daemon_ $JAVA_PID java
	exec 9>java.in
}

# no_loop_threads: no live Java thread is named tentacle-node (the glue's
# attached loop threads are detached when they end).
no_loop_threads () {
	ctl threads && grep " ok 0\$" ctl.reply
}

# relays_done: the node reports no relay running.
relays_done () {
	ctl status && test "$(reply_num relays)" = 0
}

# bytes_above UP DOWN: status() counts more bytes both ways than that
# (its counts may be 250 ms old).
bytes_above () {
	ctl status &&
	test "$(reply_num up)" -gt "$1" &&
	test "$(reply_num down)" -gt "$2"
}

# events PATTERN: NodeCtl's "event ..." lines matching PATTERN so far.
events () {
	grep -c "^event $1" "$TRASH_DIRECTORY/java.out" || :
}

test_expect_success 'build: javac, the jar, the JNI glue, the test program' '
	JAVAC=$(command -v javac) || {
		echo "javac not found: sh scripts/install-deps (default-jdk-headless)" >&2
		false
	} &&
	JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$JAVAC")")") &&
	export JAVA_HOME &&
	test -x "$JAVA_HOME/bin/java" &&
	{ test -e "$SDK_LIBDIR/libtentacle.so" || {
		echo "no $SDK_LIBDIR/libtentacle.so: run make" >&2
		false
	}; } &&
	TENTACLE_LIBDIR=$SDK_LIBDIR sh "$TENTACLE_SRC/sdk/java/build.sh" "$JBUILD" &&
	test -f "$JBUILD/tentacle-sdk.jar" &&
	test -f "$JBUILD/lib/libtentacle_jni.so" &&
	mkdir -p "$JTEST" &&
	"$JAVAC" -Xlint:all -Xlint:-options -encoding UTF-8 \
		-cp "$JBUILD/tentacle-sdk.jar" -d "$JTEST" \
		"$TENTACLE_SRC/sdk/java/test/org/tentacle/sdk/test/NodeCtl.java"
'

test_expect_success 'the glue exports only JNI entry points, needs libtentacle.so.1' '
	nm -D --defined-only "$JBUILD/lib/libtentacle_jni.so" |
		awk "\$2 ~ /^[TDB]\$/ { print \$3 }" >syms &&
	cat syms &&
	! grep -v "^Java_org_tentacle_sdk_Native_\|^JNI_OnLoad\$" syms &&
	objdump -p "$JBUILD/lib/libtentacle_jni.so" >dyn &&
	grep "NEEDED.*libtentacle\.so\.1" dyn &&
	grep "R.*PATH.*\$ORIGIN" dyn
'

test_expect_success 'setup: origin, TLS hub with a token, NodeCtl in a JVM' '
	start_origin &&
	use_tokens &&
	start_hub &&
	FP=$(hub_fp) && test -n "$FP" &&
	mkdir -p jstate &&
	start_nodectl "$FP" &&
	ctl version &&
	grep "^R1 ok [0-9][0-9.]* abi 1\$" ctl.reply
'

test_expect_success 'a Node with consent given shares: the hub lists it' '
	ctl new &&
	ctl status && grep "state=stopped" ctl.reply &&
	ctl start &&
	ctl wait sharing 20 &&
	wait_until 10 info_has_nodes 1 &&
	info_json && grep "\"jnode\"" info.json && grep "\"jpool\"" info.json &&
	test "$(events "state sharing")" -ge 1 &&
	grep "^event state sharing .*thread=tentacle-node" java.out &&
	grep "^event state sharing .*cbstatus=" java.out &&
	grep "^log [0-3] " java.err
'

test_expect_success 'a request through the hub exits at the Java node' '
	hub_serves_socks &&
	grep "via node [0-9]* (jnode)" "$HUB_LOG"
'

test_expect_success 'status(): sharing, the hub, an id, bytes both ways' '
	wait_until 10 relays_done &&
	wait_until 5 bytes_above 0 0 &&
	ctl status &&
	grep "state=sharing" ctl.reply &&
	grep " hub=127.0.0.1:$CONTROL_PORT " ctl.reply &&
	grep " pools=jpool " ctl.reply &&
	test "$(reply_num node_id)" -gt 0 &&
	UP1=$(reply_num up) && DOWN1=$(reply_num down) &&
	test "$UP1" -gt 0 &&
	test "$DOWN1" -gt 0 &&
	test "$(reply_num today)" -ge $((UP1 + DOWN1)) &&
	test "$(reply_num month)" -ge "$(reply_num today)" &&
	wc -c <serves.out >body.len &&
	test "$DOWN1" -ge "$(cat body.len)"
'

test_expect_success 'consent off: WAITING, the hub no longer lists it, no exit' '
	ctl consent off &&
	ctl wait waiting 20 &&
	wait_until 10 info_has_nodes 0 &&
	test_expect_code 4 "$SOCKSC" -n $SOCKS_PORT 127.0.0.1 $ORIGIN_PORT 2>rep &&
	grep "^REP 0x01" rep &&
	test "$(events "state waiting")" -ge 1
'

test_expect_success 'consent on again: back to SHARING and serving, bytes grow' '
	ctl consent on &&
	ctl wait sharing 20 &&
	wait_until 10 info_has_nodes 1 &&
	hub_serves_socks &&
	wait_until 5 bytes_above "$UP1" "$DOWN1"
'

test_expect_success 'a second Node the hub refuses: onError, lastError, closed' '
	BAD_TOKEN=$("$TENTACLE" token) &&
	ctl badtoken "$BAD_TOKEN" &&
	grep "ok onError=..* | state=.* last_error=..*" ctl.reply &&
	info_has_nodes 1 &&
	hub_serves_socks
'

test_expect_success 'stop: STOPPED, gone from the hub, the loop thread detached' '
	ctl stop && grep "^R[0-9]* ok stopped\$" ctl.reply &&
	info_has_nodes 0 &&
	test "$(events "state stopped")" -ge 1 &&
	wait_until 5 no_loop_threads
'

test_expect_success 'stop twice: nothing happens' '
	ctl stop && grep "ok stopped" ctl.reply &&
	ctl status && grep "state=stopped" ctl.reply
'

test_expect_success 'a stopped node starts again, serves, stops' '
	ctl start &&
	ctl wait sharing 20 &&
	wait_until 10 info_has_nodes 1 &&
	hub_serves_socks &&
	ctl stop &&
	info_has_nodes 0
'

test_expect_success 'start twice: IllegalStateException, the node runs on' '
	ctl start &&
	! ctl start &&
	grep "err java.lang.IllegalStateException" ctl.reply &&
	ctl wait sharing 20 &&
	hub_serves_socks
'

test_expect_success 'stop() from a Listener callback returns; close() there throws' '
	ctl stop &&
	ctl cbstop && ctl cbclose &&
	ctl start &&
	wait_for_log java.out "^event cbstop returned" 20 &&
	grep "^event cbclose IllegalStateException" java.out &&
	ctl wait stopped 20 &&
	wait_until 10 info_has_nodes 0
'

test_expect_success 'close, close again, then every call throws IllegalStateException' '
	ctl start &&
	ctl wait sharing 20 &&
	ctl close &&
	wait_until 10 info_has_nodes 0 &&
	ctl close &&
	ctl afterclose &&
	no_loop_threads
'

test_expect_success 'a config the library refuses: IllegalArgumentException' '
	ctl badconfig &&
	grep "ok IllegalArgumentException: .* | IllegalArgumentException: dns: \"not.an.address\": not an IP address" ctl.reply
'

test_expect_success 'quit: the JVM exits 0, no crash log' '
	ctl quit &&
	exec 9>&- &&
	reap $JAVA_PID 10 &&
	test "$REAPED" = 0 &&
	! ls hs_err_pid*.log 2>/dev/null &&
	! grep -i "jni\|native method" java.out java.err &&
	info_has_nodes 0
'

test_done
