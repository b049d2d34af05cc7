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
 *	test_case(fmt, ...)		name the case a table-driven loop is
 *					on: a check that fails prints it on a
 *					"#     case: ..." line after its own
 *	test_case_mem(what, p, len)	the same, naming bytes: what, then p
 *					quoted with C escapes
 *	test_case_end()			no case any more (TEST clears it too)
 *	return test_done();		plan line, exit status
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int	 tap_count;
static int	 tap_failed;
static int	 tap_cur_failed;
static char	 tap_case[256];

#define TEST(call, ...) do {						\
	tap_cur_failed = 0;						\
	tap_case[0] = '\0';						\
	call;								\
	tap_count++;							\
	if (tap_cur_failed)						\
		tap_failed++;						\
	printf("%sok %d - ", tap_cur_failed ? "not " : "", tap_count);	\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define test_case(...)							\
	snprintf(tap_case, sizeof tap_case, __VA_ARGS__)
#define test_case_end()	(tap_case[0] = '\0')

/* After a failed check: the case it was in, if a loop named one. */
static inline void
tap_case_print(void)
{
	if (tap_case[0] != '\0')
		printf("#     case: %s\n", tap_case);
}

/*
 * test_case(), naming len bytes at p: printable ASCII as is, the rest as
 * C escapes, cut with "..." where the name would not fit.
 */
static inline void
test_case_mem(const char *what, const void *p, size_t len)
{
	const unsigned char	*b = p;
	size_t			 i, n;
	int			 w;

	n = (size_t)snprintf(tap_case, sizeof tap_case, "%s \"", what);
	if (n > sizeof tap_case - 8)
		n = sizeof tap_case - 8;
	for (i = 0; i < len && n < sizeof tap_case - 8; i++) {
		if (b[i] == '\r')
			w = snprintf(tap_case + n, 3, "\\r");
		else if (b[i] == '\n')
			w = snprintf(tap_case + n, 3, "\\n");
		else if (b[i] == '\t')
			w = snprintf(tap_case + n, 3, "\\t");
		else if (b[i] == '"' || b[i] == '\\')
			w = snprintf(tap_case + n, 3, "\\%c", b[i]);
		else if (b[i] >= 0x20 && b[i] < 0x7f)
			w = snprintf(tap_case + n, 2, "%c", b[i]);
		else
			w = snprintf(tap_case + n, 5, "\\x%02x", b[i]);
		n += (size_t)w;
	}
	snprintf(tap_case + n, sizeof tap_case - n, "%s\"",
	    i < len ? "..." : "");
}

#define check(cond) do {						\
	if (!(cond)) {							\
		tap_cur_failed = 1;					\
		printf("# check \"%s\" failed at %s:%d\n", #cond,	\
		    __FILE__, __LINE__);				\
		tap_case_print();					\
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
		tap_case_print();					\
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
		tap_case_print();					\
	}								\
} while (0)

#define check_mem(a, b, len) do {					\
	if (memcmp((a), (b), (len)) != 0) {				\
		tap_cur_failed = 1;					\
		printf("# check_mem(%s, %s) failed at %s:%d\n",		\
		    #a, #b, __FILE__, __LINE__);			\
		tap_case_print();					\
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
