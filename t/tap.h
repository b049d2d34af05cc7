/*
 * tap.h: a small TAP producer for the C unit tests in t/unit/, shaped like
 * git's t/unit-tests/test-lib.h.  Header-only; each test binary includes it
 * once.
 *
 *	TEST(expr, "title")		run expr (a call), one "ok"/"not ok"
 *	check(cond)			inside a test: fail it when !cond
 *	check_int(a, op, b)		compare two integers, print both on failure
 *	check_str(a, b)			compare strings (NULL-safe)
 *	check_mem(a, b, len)		compare byte ranges
 *	return test_done();		plan line, exit status
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int	 tap_count;
static int	 tap_failed;
static int	 tap_cur_failed;

#define TEST(call, ...) do {						\
	tap_cur_failed = 0;						\
	call;								\
	tap_count++;							\
	if (tap_cur_failed)						\
		tap_failed++;						\
	printf("%sok %d - ", tap_cur_failed ? "not " : "", tap_count);	\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define check(cond) do {						\
	if (!(cond)) {							\
		tap_cur_failed = 1;					\
		printf("# check \"%s\" failed at %s:%d\n", #cond,	\
		    __FILE__, __LINE__);				\
	}								\
} while (0)

#define check_int(a, op, b) do {					\
	long long tap_a = (long long)(a), tap_b = (long long)(b);	\
	if (!(tap_a op tap_b)) {					\
		tap_cur_failed = 1;					\
		printf("# check \"%s %s %s\" failed at %s:%d\n",	\
		    #a, #op, #b, __FILE__, __LINE__);			\
		printf("#    left: %lld\n#   right: %lld\n", tap_a,	\
		    tap_b);						\
	}								\
} while (0)

#define check_str(a, b) do {						\
	const char *tap_sa = (a), *tap_sb = (b);			\
	if (tap_sa == NULL || tap_sb == NULL ?				\
	    tap_sa != tap_sb : strcmp(tap_sa, tap_sb) != 0) {		\
		tap_cur_failed = 1;					\
		printf("# check_str(%s, %s) failed at %s:%d\n",		\
		    #a, #b, __FILE__, __LINE__);			\
		printf("#    left: \"%s\"\n#   right: \"%s\"\n",	\
		    tap_sa ? tap_sa : "(null)",				\
		    tap_sb ? tap_sb : "(null)");			\
	}								\
} while (0)

#define check_mem(a, b, len) do {					\
	if (memcmp((a), (b), (len)) != 0) {				\
		tap_cur_failed = 1;					\
		printf("# check_mem(%s, %s) failed at %s:%d\n",		\
		    #a, #b, __FILE__, __LINE__);			\
	}								\
} while (0)

static int
test_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# failed %d of %d\n", tap_failed, tap_count);
	return (tap_failed ? 1 : 0);
}

#endif /* TAP_H */
