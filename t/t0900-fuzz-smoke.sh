#!/bin/sh
#
# t0900-fuzz-smoke: every fuzz target, built without libFuzzer as
# t/fuzz/NAME-smoke (t/fuzz/standalone.c), eats its seed corpus and
# thousands of seeded mutations without crashing; in the san/ build any
# ASan or UBSan report aborts it and fails the test.  TAP by hand: this
# script needs nothing from test-lib.sh.
#

src=${TENTACLE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
build=${TENTACLE_BUILD:-$src}
count=${FUZZ_SMOKE_COUNT:-20000}

names="frame socks http conf"
for f in "$src"/t/fuzz/*.c; do
	n=$(basename "$f" .c)
	case " $names standalone " in
	*" $n "*) ;;
	*) names="$names $n" ;;
	esac
done

set -- $names
echo "1..$#"
i=0
fail=0
for n; do
	i=$((i + 1))
	if [ ! -f "$src/t/fuzz/$n.c" ]; then
		echo "ok $i # skip t/fuzz/$n.c is not written yet"
		continue
	fi
	bin=$build/t/fuzz/$n-smoke
	if [ ! -x "$bin" ]; then
		echo "not ok $i - $n: $bin was not built"
		fail=1
		continue
	fi
	out=$("$bin" -n "$count" -d "$src/t/fuzz/corpus/$n" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok $i - $n: $(printf '%s\n' "$out" | tail -n 1)"
	else
		echo "not ok $i - $n: $bin exited $rc"
		printf '%s\n' "$out" | head -n 40 | sed 's/^/# /' >&2
		fail=1
	fi
done
exit $fail
