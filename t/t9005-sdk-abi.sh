#!/bin/sh
#
# t9005-sdk-abi: what libtentacle exports.  libtentacle.so.1 has that
# soname and exports tentacle_* symbols only, every function the header
# declares among them; libtentacle.a defines no other global symbol (the
# node's internals are localized, so they cannot clash with a host's); a
# host linked against the shared library loads it and runs.
#
test_description='libtentacle ABI'
. "$(dirname "$0")/test-lib.sh"

# The release build's libraries (the san/ build makes no shared library).
LIB=$TENTACLE_SRC
HDR=$TENTACLE_SRC/include/libtentacle.h
test -f "$LIB/libtentacle.so.1" || error "$LIB/libtentacle.so.1 not built (make)"
command -v nm >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 &&
	test_set_prereq BINUTILS
command -v "${CC:-cc}" >/dev/null 2>&1 && test_set_prereq CC

test_expect_success BINUTILS 'the shared library'"'"'s soname is libtentacle.so.1' '
	readelf -d "$LIB/libtentacle.so.1" >dyn &&
	grep "(SONAME)" dyn &&
	grep "(SONAME) *Library soname: \[libtentacle.so.1\]" dyn &&
	test "$(readlink "$LIB/libtentacle.so")" = libtentacle.so.1
'

test_expect_success BINUTILS 'it exports tentacle_* only, and every function of the header' '
	nm -D --defined-only "$LIB/libtentacle.so.1" | awk "{ print \$3 }" |
		sort >exported &&
	cat exported &&
	test -s exported &&
	! grep -v "^tentacle_" exported &&
	sed -n "s/.*[ *]\(tentacle_[a-z_]*\)(.*/\1/p" "$HDR" | sort -u >declared &&
	cat declared &&
	test $(wc -l <declared) -ge 10 &&
	comm -23 declared exported >missing &&
	test_cmp /dev/null missing
'

test_expect_success BINUTILS 'the static library defines no global but tentacle_*' '
	nm -g --defined-only "$LIB/libtentacle.a" |
		awk "NF == 3 { print \$3 }" | sort >globals &&
	test -s globals &&
	! grep -v "^tentacle_" globals
'

test_expect_success CC 'a host linked with the shared library runs' '
	"${CC:-cc}" -I"$TENTACLE_SRC/include" -o host \
		"$TENTACLE_SRC/sdk/examples/host.c" "$LIB/libtentacle.so.1" \
		-Wl,-rpath,"$LIB" &&
	test_expect_code 2 ./host >usage.out 2>usage.err &&
	grep "^usage: host" usage.err &&
	test_expect_code 1 ./host nowhere token sha256:$(printf "%064d" 0) >bad.out 2>bad.err &&
	cat bad.err &&
	grep "^host: hub address \"nowhere\"" bad.err &&
	test_cmp /dev/null bad.out
'

test_done
