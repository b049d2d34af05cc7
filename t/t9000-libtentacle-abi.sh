#!/bin/sh
test_description='libtentacle: only tentacle_* leaves the library (nm), the
soname, the header alone (C and C++), a host with our internal names, and a
newer caller'"'"'s longer config (its size field)'
. "$(dirname "$0")/test-lib.sh"

LIBA=$TENTACLE_SRC/libtentacle.a
LIBSO=$TENTACLE_SRC/libtentacle.so.1
INC=$TENTACLE_SRC/include
CC=${CC:-cc}
LIBS="-levent_pthreads -levent_extra -levent_core -lbearssl -lpthread"

test_expect_success 'the archive defines tentacle_* and nothing else' '
	nm -g --defined-only "$LIBA" | awk "NF == 3 { print \$3 }" >defs &&
	test -s defs &&
	! grep -v "^tentacle_" defs &&
	grep "^tentacle_node_new$" defs
'

test_expect_success 'the shared library exports tentacle_* only, soname libtentacle.so.1' '
	nm -D --defined-only "$LIBSO" | awk "NF == 3 { print \$3 }" >sodefs &&
	! grep -v "^tentacle_" sodefs &&
	test $(wc -l <sodefs) -ge 12 &&
	readelf -d "$LIBSO" | grep "SONAME.*\[libtentacle\.so\.1\]"
'

test_expect_success 'every function the header declares is there, in both' '
	sed -n "s/.*[ *]\(tentacle_[a-z_]*\)(.*/\1/p" "$INC/libtentacle.h" |
	    sort -u >declared &&
	test $(wc -l <declared) -ge 12 &&
	sort -u defs >defs.sorted &&
	sort -u sodefs >sodefs.sorted &&
	comm -23 declared defs.sorted >missing &&
	comm -23 declared sodefs.sorted >>missing &&
	test_cmp /dev/null missing
'

test_expect_success 'the header stands alone: strict C99, and C++' '
	printf "#include <libtentacle.h>\nint main(void) { return tentacle_abi() != TENTACLE_ABI; }\n" >h.c &&
	$CC -std=c99 -pedantic -Wall -Wextra -Werror -I"$INC" -c h.c &&
	cp h.c h.cc &&
	c++ -Wall -Werror -I"$INC" -c h.cc
'

# A host whose own functions have our internal names: with hidden
# symbols made local, the two never meet.
test_expect_success 'a host with log_info, core_init, node_main, fatal of its own links and runs' '
	cat >host.c <<-\EOC &&
	#include <stdio.h>
	#include <string.h>
	#include <libtentacle.h>
	int log_info(const char *s) { return s != NULL; }
	int core_init(void) { return 7; }
	int node_main(int a, char **b) { (void)b; return a; }
	void fatal(void) { }
	int xmalloc;
	int
	main(void)
	{
		struct tentacle_node_config c;
		struct tentacle_node *n;
		char err[200];

		tentacle_node_config_init(&c);
		c.hub = "127.0.0.1:1";
		c.insecure = 1;
		n = tentacle_node_new(&c, err, sizeof err);
		printf("%s %d %d %s\n", tentacle_version(), tentacle_abi(),
		    core_init(), n != NULL ? "made" : err);
		tentacle_node_free(n);
		return n == NULL;
	}
	EOC
	$CC -Wall -I"$INC" -o host host.c "$LIBA" $LIBS &&
	./host >out 2>err &&
	test ! -s err &&
	"$TENTACLE" version | head -n 1 | sed "s/^tentacle \([^ ]*\) .*/\1 1 7 made/" >expect &&
	test_cmp expect out
'

test_expect_success 'the shared library links and runs the same host' '
	$CC -Wall -I"$INC" -o hostso host.c -L"$TENTACLE_SRC" -ltentacle &&
	LD_LIBRARY_PATH="$TENTACLE_SRC" ./hostso >out2 &&
	test_cmp expect out2
'

# A newer caller: its config has fields this library does not know.
# Zero (unused): fine; set: refused, not ignored.  Too small: refused.
test_expect_success 'a longer config with zero new fields works; set ones, or one too small, are refused' '
	cat >newer.c <<-\EOC &&
	#include <stdio.h>
	#include <string.h>
	#include <libtentacle.h>
	struct newer {
		struct tentacle_node_config c;
		int future[4];
	};
	int
	main(void)
	{
		struct newer nw;
		struct tentacle_node *n;
		char err[300];

		memset(&nw, 0, sizeof nw);
		tentacle_node_config_init(&nw.c);
		nw.c.size = sizeof nw;
		nw.c.hub = "127.0.0.1:1";
		nw.c.insecure = 1;
		n = tentacle_node_new(&nw.c, err, sizeof err);
		printf("zero: %s\n", n != NULL ? "made" : err);
		tentacle_node_free(n);
		nw.future[2] = 1;
		n = tentacle_node_new(&nw.c, err, sizeof err);
		printf("set: %s\n", n != NULL ? "made" : err);
		nw.c.size = 8;
		n = tentacle_node_new(&nw.c, err, sizeof err);
		printf("tiny: %s\n", n != NULL ? "made" : err);
		n = tentacle_node_new(NULL, err, sizeof err);
		printf("null: %s\n", n != NULL ? "made" : err);
		return 0;
	}
	EOC
	$CC -Wall -I"$INC" -o newer newer.c "$LIBA" $LIBS &&
	./newer >out 2>err &&
	test ! -s err &&
	cat out &&
	grep "^zero: made$" out &&
	grep "^set: config: NULL, its size field not set" out &&
	grep "^tiny: config: NULL, its size field not set" out &&
	grep "^null: config: NULL" out
'

# The Android build (sdk/java/android/CMakeLists.txt) lists the library's
# sources by hand: the same as LIB_SRCS, or an NDK build breaks unseen.
test_expect_success 'the Android build compiles the sources the library has' '
	make -s -C "$TENTACLE_SRC" print-lib-srcs | tr " " "\n" | sort >make.srcs &&
	sed -n "s/^[[:space:]]*\(\(modules\|compat\)\/[a-z0-9_]*\.c\)/\1/p" \
	    "$TENTACLE_SRC/sdk/java/android/CMakeLists.txt" | tr " \t" "\n\n" |
	    grep "\.c$" | sort >cmake.srcs &&
	test_cmp make.srcs cmake.srcs
'

test_done
