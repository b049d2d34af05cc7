#!/bin/sh
test_description='--version, -V and version under every name; -h prints the usage of the command asked about'
. "$(dirname "$0")/test-lib.sh"

# version_ok CMD...: the version's four lines on stdout, nothing on
# stderr, exit 0.
version_ok () {
	"$@" >out 2>err || { echo "exit $? from: $*"; cat err; return 1; }
	test ! -s err || { echo "stderr from: $*"; cat err; return 1; }
	head -n 1 out | grep "^tentacle 0\.1\.0 (" >/dev/null &&
	test "$(wc -l <out)" -eq 4 || { echo "not the version: $*"; cat out; return 1; }
}

test_expect_success 'aliases' '
	ln -s "$TENTACLE" tentacled &&
	ln -s "$TENTACLE" tentacler &&
	ln -s "$TENTACLE" tentacle
'

test_expect_success '--version, -V, -version and version under every name' '
	for n in ./tentacle ./tentacled ./tentacler; do
		for v in --version -V -version version; do
			version_ok $n $v || return 1
		done
	done
'

test_expect_success '--version and -V after every command' '
	for c in server start info drain undrain redial passwd token trust \
	    service version help; do
		for v in --version -V; do
			version_ok ./tentacle $c $v || return 1
		done
	done &&
	version_ok ./tentacle server version &&
	version_ok ./tentacler start -V &&
	version_ok ./tentacler info --version &&
	version_ok ./tentacle -server 127.0.0.1:1 start --version &&
	version_ok ./tentacled -log none --version
'

test_expect_success 'start POOL called version is still a pool (no version)' '
	test_must_fail ./tentacle start -server 127.0.0.1:1 -log none \
		-pool-size x version >out 2>err &&
	grep "pool-size" err
'

# help_is FIRSTLINE CMD...: exit 0, usage on stdout starting with FIRSTLINE.
help_is () {
	hi_first=$1
	shift
	"$@" >out 2>err || { echo "exit $? from: $*"; return 1; }
	head -n 1 out | grep -e "$hi_first" >/dev/null ||
	{ echo "$*: first line is not \"$hi_first\":"; head -n 3 out; return 1; }
}

test_expect_success '-h prints the usage of the command asked about' '
	for h in -h -help --help; do
		help_is "^usage: tentacle server" ./tentacled $h &&
		help_is "^usage: tentacle server" ./tentacle server $h &&
		help_is "^usage: tentacle \[flags\] start" ./tentacler $h &&
		help_is "^usage: tentacle \[flags\] start" ./tentacle start $h &&
		help_is "^usage: tentacle \[flags\] start" ./tentacler start $h &&
		help_is "^tentacle: a back-connect proxy" ./tentacle $h &&
		help_is "^usage: tentacle info" ./tentacle info $h &&
		help_is "^usage: tentacle info" ./tentacler info $h &&
		help_is "^usage: tentacle info" ./tentacle -server h:1 info $h &&
		help_is "^usage: tentacle drain" ./tentacle drain $h &&
		help_is "^usage: tentacle undrain" ./tentacle undrain $h &&
		help_is "^usage: tentacle redial" ./tentacle redial $h &&
		help_is "^usage: tentacle redial" ./tentacler redial $h &&
		help_is "^usage: tentacle passwd" ./tentacle passwd $h &&
		help_is "^usage: tentacle token" ./tentacle token $h &&
		help_is "^usage: tentacle trust" ./tentacle trust $h &&
		help_is "^usage: tentacle trust" ./tentacler trust $h &&
		help_is "^usage: tentacle version" ./tentacle version $h &&
		help_is "^tentacle: a back-connect proxy" ./tentacle help $h ||
		return 1
	done &&
	# service: Windows only; elsewhere its one message (exit 1), still
	# its own.
	{ ./tentacle service -h >out 2>&1; true; } &&
	grep "tentacle service" out &&
	! grep "usage: tentacle \(server\|\[flags\]\)" out
'

test_expect_success 'help under each name: its own usage' '
	help_is "^tentacle: a back-connect proxy" ./tentacle help &&
	help_is "^usage: tentacle \[flags\] start" ./tentacler help
'

test_expect_success 'usage lines say how to get the version' '
	./tentacle help >out &&
	grep -e "--version" out &&
	test_expect_code 2 ./tentacle >out 2>err &&
	grep -e "--version" err
'

test_done
