/*
 * t/unit/acct.c: unit tests for modules/acct.c: the limits suffix (every
 * key and unit, every refusal, format and parse round trips), pools, the
 * UTC day and month against gmtime, rolls at day, month, year and leap-day
 * boundaries, a clock going back, saturation, quotas stopping at the
 * quota, the refusal texts, the usage file's header and lines (round trip
 * and damaged lines).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tentacle.h"
#include "acct.h"
#include "tap.h"

#define KI	1024ULL
#define MI	(1024ULL * 1024)
#define GI	(1024ULL * 1024 * 1024)
#define TI	(1024ULL * 1024 * 1024 * 1024)

/* Unix time of a UTC date and time, by the C library (the oracle). */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return ((int64_t)timegm(&tm));
}

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL);
}

/* Parse s; it must succeed.  Returns the limits. */
static struct acct_limits
parse_ok(const char *s)
{
	struct acct_limits	 l;
	char			*cause = NULL;

	test_case("limits \"%s\"", s);
	check_int(acct_limits_parse(s, &l, &cause), ==, 0);
	if (cause != NULL) {
		printf("# cause: %s\n", cause);
		free(cause);
	}
	return (l);
}

static void
test_keys(void)
{
	static const struct {
		const char	*s;
		u_int		 conns;
		uint64_t	 up, down, day, month;
	} t[] = {
		{ "", 0, 0, 0, 0, 0 },
		{ "conns=10", 10, 0, 0, 0, 0 },
		{ "conns=0", 0, 0, 0, 0, 0 },
		{ "conns=1000000", 1000000, 0, 0, 0, 0 },
		{ "rate=1M", 0, 1000000, 1000000, 0, 0 },
		{ "up=512k", 0, 512000, 0, 0, 0 },
		{ "down=2M", 0, 0, 2000000, 0, 0 },
		{ "rate=1M,up=512k,down=2M", 0, 512000, 2000000, 0, 0 },
		{ "up=512k,rate=1M", 0, 512000, 1000000, 0, 0 },
		{ "down=7,rate=3", 0, 3, 7, 0, 0 },
		{ "rate=1M,up=0", 0, 0, 1000000, 0, 0 },
		{ "day=5G", 0, 0, 0, 5000000000ULL, 0 },
		{ "day=5Gi", 0, 0, 0, 5 * GI, 0 },
		{ "day=5GiB", 0, 0, 0, 5 * GI, 0 },
		{ "day=5gib", 0, 0, 0, 5 * GI, 0 },
		{ "day=5GB", 0, 0, 0, 5000000000ULL, 0 },
		{ "day=5g", 0, 0, 0, 5000000000ULL, 0 },
		{ "day=123B", 0, 0, 0, 123, 0 },
		{ "day=123", 0, 0, 0, 123, 0 },
		{ "day=1k", 0, 0, 0, 1000, 0 },
		{ "day=1K", 0, 0, 0, 1000, 0 },
		{ "day=1Ki", 0, 0, 0, KI, 0 },
		{ "day=1kib", 0, 0, 0, KI, 0 },
		{ "day=3M", 0, 0, 0, 3000000, 0 },
		{ "day=3Mi", 0, 0, 0, 3 * MI, 0 },
		{ "day=2T", 0, 0, 0, 2000000000000ULL, 0 },
		{ "day=2Ti", 0, 0, 0, 2 * TI, 0 },
		{ "day=1048576Ti", 0, 0, 0, 1ULL << 60, 0 },
		{ "day=0", 0, 0, 0, 0, 0 },
		{ "day=007", 0, 0, 0, 7, 0 },
		{ "month=100G", 0, 0, 0, 0, 100000000000ULL },
		{ "rate=2147483647", 0, 2147483647ULL, 2147483647ULL, 0, 0 },
		{ "conns=10,rate=1M,up=512k,down=2M,day=5G,month=100G,"
		    "pools=ilife+codertool", 10, 512000, 2000000,
		    5000000000ULL, 100000000000ULL },
		{ "pools=a,month=1Mi,day=1Ki,conns=3", 3, 0, 0, KI, MI },
	};
	struct acct_limits	 l;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		l = parse_ok(t[i].s);
		check_int(l.max_conns, ==, t[i].conns);
		check_int(l.rate_up, ==, t[i].up);
		check_int(l.rate_down, ==, t[i].down);
		check_int(l.quota_day, ==, t[i].day);
		check_int(l.quota_month, ==, t[i].month);
	}

	l = parse_ok("conns=10,rate=1M,up=512k,down=2M,day=5G,month=100G,"
	    "pools=ilife+codertool");
	check_int(l.npools, ==, 2);
	check_str(l.pools[0], "ilife");
	check_str(l.pools[1], "codertool");
	l = parse_ok("pools=A.b_c-9");
	check_int(l.npools, ==, 1);
	check_str(l.pools[0], "A.b_c-9");
	check(!acct_limits_none(&l));
	l = parse_ok("");
	check(acct_limits_none(&l));
	l = parse_ok("conns=0,day=0,rate=0");
	check(acct_limits_none(&l));
}

static void
test_refusals(void)
{
	static const struct {
		const char	*s;
		const char	*cause;		/* a part of it */
	} t[] = {
		{ "foo=1", "unknown key 'foo' (known: conns, rate, up, down, "
		    "day, month, pools)" },
		{ "Conns=1", "unknown key 'Conns'" },
		{ "=1", "unknown key ''" },
		{ "conns=1,conns=2", "'conns' given twice" },
		{ "day=1,day=1", "'day' given twice" },
		{ "rate=1,up=2,rate=3", "'rate' given twice" },
		{ "pools=a,pools=b", "'pools' given twice" },
		{ "conns=", "conns: empty value" },
		{ "day=", "day: empty value" },
		{ "pools=", "pools: empty value" },
		{ ",", "empty item" },
		{ ",conns=1", "empty item" },
		{ "conns=1,", "empty item" },
		{ "conns=1,,day=2", "empty item" },
		{ "conns", "'conns' is not KEY=VALUE" },
		{ "conns=10k", "conns: '10k' is not a number from 0 to "
		    "1000000" },
		{ "conns=1000001", "conns: '1000001' is not a number" },
		{ "conns=-1", "conns: '-1' is not a number" },
		{ "conns=99999999999999999999", "conns: '9999" },
		{ "rate=2147483648", "rate: '2147483648' is too large "
		    "(at most 2147483647)" },
		{ "up=2Gi", "up: '2Gi' is too large" },
		{ "down=3G", "down: '3G' is too large" },
		{ "day=1048577Ti", "day: '1048577Ti' is too large (at most "
		    "1048576Ti)" },
		{ "month=99999999999999999999", "month: '99999999999999999999' "
		    "is too large" },
		{ "month=18446744073709551615", "is too large" },
		{ "day=20000000Ti", "is too large" },
		{ "day=5X", "day: '5X' is not a size (a whole number of "
		    "bytes" },
		{ "day=5.5G", "day: '5.5G' is not a size" },
		{ "day=G", "day: 'G' is not a size" },
		{ "day=-5", "day: '-5' is not a size" },
		{ "day=+5", "is not a size" },
		{ "day= 5", "is not a size" },
		{ "day=5 ", "is not a size" },
		{ "day=5GiBB", "is not a size" },
		{ "day=5iB", "is not a size" },
		{ "day=5Gx", "is not a size" },
		{ "day=0x10", "is not a size" },
		{ "day=5P", "is not a size" },
		{ "conns = 1", "unknown key 'conns '" },
		{ "day=5=6", "is not a size" },
		{ "pools=a b", "pools: 'a b' is not a pool name" },
		{ "pools=a++b", "pools: '' is not a pool name" },
		{ "pools=+a", "pools: '' is not a pool name" },
		{ "pools=a+", "pools: '' is not a pool name" },
		{ "pools=a:b", "is not a pool name" },
		{ "pools=*", "is not a pool name" },
		{ "pools=a+b+a", "pools: 'a' listed twice" },
		{ "pools=p0+p1+p2+p3+p4+p5+p6+p7+p8+p9+p10+p11+p12+p13+p14+"
		    "p15+p16", "pools: more than 16 pools" },
		{ "pools=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaa", "is not a pool name (1 to 64" },
		{ "day=1\n", "is not a size" },
	};
	struct acct_limits	 l, zero;
	char			*cause, big[ACCT_LIMITS_LEN + 2];
	size_t			 i;

	memset(&zero, 0, sizeof zero);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case("limits \"%s\"", t[i].s);
		cause = NULL;
		memset(&l, 0xa5, sizeof l);
		check_int(acct_limits_parse(t[i].s, &l, &cause), ==, -1);
		check(cause != NULL && strstr(cause, t[i].cause) != NULL);
		if (cause != NULL && strstr(cause, t[i].cause) == NULL)
			printf("# cause: %s\n", cause);
		check_mem(&l, &zero, sizeof l);
		free(cause);
	}
	test_case_end();

	/* The length bound: one byte over fails, at it the items decide. */
	memset(big, 'a', sizeof big);
	big[ACCT_LIMITS_LEN + 1] = '\0';
	cause = NULL;
	check_int(acct_limits_parse(big, &l, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "longer than 1280") != NULL);
	free(cause);
	big[ACCT_LIMITS_LEN] = '\0';
	cause = NULL;
	check_int(acct_limits_parse(big, &l, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "is not KEY=VALUE") != NULL);
	free(cause);
}

/* format(l) parses back to l; returns the text's length. */
static size_t
roundtrip(const struct acct_limits *l, char *buf)
{
	struct acct_limits	 back;
	char			*cause = NULL;
	size_t			 n;

	n = acct_limits_format(l, buf, ACCT_LIMITS_LEN + 1);
	check(n <= ACCT_LIMITS_LEN);
	check_int(strlen(buf), ==, n);
	test_case("formatted \"%s\"", buf);
	check_int(acct_limits_parse(buf, &back, &cause), ==, 0);
	if (cause != NULL)
		printf("# cause: %s\n", cause);
	free(cause);
	check(acct_limits_equal(&back, l));
	return (n);
}

static void
test_format(void)
{
	static const struct {
		const char	*in, *out;
	} t[] = {
		{ "", "" },
		{ "conns=10,rate=1M,up=512k,down=2M,day=5G,month=100G,"
		    "pools=ilife+codertool", "conns=10,up=512k,down=2M,day=5G,"
		    "month=100G,pools=ilife+codertool" },
		{ "pools=b+a,conns=3", "conns=3,pools=b+a" },
		{ "up=1Mi,down=1048576", "rate=1Mi" },
		{ "rate=1000", "rate=1k" },
		{ "rate=1024", "rate=1Ki" },
		{ "day=2048000", "day=2048k" },		/* not 2000Ki */
		{ "day=500Ki", "day=512k" },		/* the same bytes */
		{ "day=1536Ki", "day=1536Ki" },		/* not 1572864 */
		{ "day=10112k", "day=9875Ki" },		/* a tie: the larger */
		{ "day=1000000", "day=1M" },
		{ "day=1024k", "day=1024k" },		/* not 1000Ki */
		{ "day=1000", "day=1k" },		/* not 1000 */
		{ "day=1536Mi", "day=1536Mi" },
		{ "day=1500M", "day=1500M" },
		{ "day=5000000000", "day=5G" },
		{ "day=1234567", "day=1234567" },
		{ "day=1Ti", "day=1Ti" },
		{ "day=1024Gi", "day=1Ti" },
		{ "month=1048576Ti", "month=1048576Ti" },
		{ "day=7b", "day=7" },
		{ "conns=0,day=0", "" },
		{ "rate=5,down=0", "up=5" },
	};
	struct acct_limits	 l;
	char			 buf[ACCT_LIMITS_LEN + 1], small[8];
	size_t			 i, n;
	int			 j, k;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		l = parse_ok(t[i].in);
		acct_limits_format(&l, buf, sizeof buf);
		test_case("limits \"%s\"", t[i].in);
		check_str(buf, t[i].out);
		roundtrip(&l, buf);
	}

	/* Too small a buffer: the whole length back, a cut NUL-ended text. */
	l = parse_ok("conns=10,day=5Gi");
	n = acct_limits_format(&l, small, sizeof small);
	check_int(n, ==, strlen("conns=10,day=5Gi"));
	check_str(small, "conns=1");
	check_int(acct_limits_format(&l, NULL, 0), ==, n);

	/* The longest limits fit ACCT_LIMITS_LEN and come back. */
	memset(&l, 0, sizeof l);
	l.max_conns = ACCT_CONNS_MAX;
	l.rate_up = ACCT_RATE_MAX;
	l.rate_down = ACCT_RATE_MAX - 1;
	l.quota_day = ACCT_BYTES_MAX - 1;
	l.quota_month = ACCT_BYTES_MAX - 3;
	l.npools = ACCT_POOLS_MAX;
	for (j = 0; j < ACCT_POOLS_MAX; j++) {
		memset(l.pools[j], 'a', ACCT_POOL_NAME_MAX);
		l.pools[j][0] = (char)('A' + j);
	}
	n = roundtrip(&l, buf);
	check(n > 1100);
	check_int(acct_limits_format(&l, NULL, 0), ==, n);

	/* Random limits within the bounds all come back. */
	for (i = 0; i < 20000; i++) {
		memset(&l, 0, sizeof l);
		if (rnd() & 1)
			l.max_conns = (u_int)(rnd() % (ACCT_CONNS_MAX + 1));
		l.rate_up = rnd() % 3 == 0 ? 0 : (rnd() & 7) << (rnd() % 28);
		l.rate_down = rnd() % 3 == 0 ? l.rate_up :
		    rnd() % (ACCT_RATE_MAX + 1);
		l.quota_day = rnd() % 2 ? (rnd() % 1000) * 1000000 :
		    rnd() % (ACCT_BYTES_MAX + 1);
		l.quota_month = (rnd() % 1024) << (rnd() % 51);
		l.npools = (int)(rnd() % (ACCT_POOLS_MAX + 1));
		for (j = 0; j < l.npools; j++) {
			n = 1 + rnd() % ACCT_POOL_NAME_MAX;
			for (k = 0; k < (int)n; k++)
				l.pools[j][k] = "ab._-Z9"[rnd() % 7];
			/* Unique: the index in front. */
			l.pools[j][0] = (char)('a' + j);
		}
		roundtrip(&l, buf);
		if (tap_cur_failed)
			break;
	}
}

static void
test_pools(void)
{
	struct acct_limits	 l;

	l = parse_ok("");
	check(acct_pool_allowed(&l, "any"));
	check(acct_pool_allowed(&l, ""));
	check(acct_pool_allowed(&l, NULL));
	l = parse_ok("pools=ilife+codertool");
	check(acct_pool_allowed(&l, "ilife"));
	check(acct_pool_allowed(&l, "codertool"));
	check(!acct_pool_allowed(&l, "Ilife"));
	check(!acct_pool_allowed(&l, "ilif"));
	check(!acct_pool_allowed(&l, "ilifee"));
	check(!acct_pool_allowed(&l, "other"));
	check(!acct_pool_allowed(&l, ""));
	check(!acct_pool_allowed(&l, NULL));
}

static void
test_utc(void)
{
	struct tm	 tm;
	time_t		 tt;
	int64_t		 t;

	check_int(acct_utc_day(0), ==, 0);
	check_int(acct_utc_month(0), ==, 1970 * 12);
	check_int(acct_utc_day(86399), ==, 0);
	check_int(acct_utc_day(86400), ==, 1);
	check_int(acct_utc_month(utc(2024, 2, 29, 12, 0, 0)), ==,
	    2024 * 12 + 1);
	check_int(acct_utc_day(utc(2024, 2, 29, 12, 0, 0)), ==, 19782);
	/* Out of range: clamped to 1970 and to 9999-12-31. */
	check_int(acct_utc_day(-1), ==, 0);
	check_int(acct_utc_day(INT64_MIN), ==, 0);
	check_int(acct_utc_month(INT64_MAX), ==, 9999 * 12 + 11);
	check_int(acct_utc_day(INT64_MAX), ==,
	    acct_utc_day(utc(9999, 12, 31, 23, 59, 59)));

	/* Every 7 hours and 13 seconds from 1970 to 2110, as gmtime says. */
	for (t = 0; t < utc(2110, 1, 1, 0, 0, 0); t += 7 * 3600 + 13) {
		tt = (time_t)t;
		if (gmtime_r(&tt, &tm) == NULL)
			break;
		if (acct_utc_day(t) != t / 86400 || acct_utc_month(t) !=
		    (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon) {
			test_case("t=%lld", (long long)t);
			check_int(acct_utc_day(t), ==, t / 86400);
			check_int(acct_utc_month(t), ==,
			    (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon);
			break;
		}
	}
}

static void
test_roll(void)
{
	struct acct_usage	 u;
	int64_t			 t;

	/* 23:59:59 to 00:00:00: the day starts again, the month goes on. */
	memset(&u, 0, sizeof u);
	t = utc(2026, 12, 4, 23, 59, 59);
	acct_add(&u, 100, 200, t);
	check_int(u.day, ==, t / 86400);
	check_int(u.month, ==, 2026 * 12 + 11);
	check_int(u.day_up, ==, 100);
	check_int(u.day_down, ==, 200);
	acct_add(&u, 1, 2, t);
	check_int(u.day_up, ==, 101);
	acct_add(&u, 10, 20, t + 1);
	check_int(u.day, ==, t / 86400 + 1);
	check_int(u.day_up, ==, 10);
	check_int(u.day_down, ==, 20);
	check_int(u.month_up, ==, 111);
	check_int(u.month_down, ==, 222);
	check_int(u.total_up, ==, 111);
	check_int(u.total_down, ==, 222);
	check_int(u.last_seen, ==, t + 1);

	/* Dec 31 to Jan 1: day and month both, totals never. */
	t = utc(2026, 12, 31, 23, 59, 59);
	acct_add(&u, 5, 6, t);
	check_int(u.day_up, ==, 5);
	check_int(u.month_up, ==, 116);
	acct_roll(&u, t + 1);
	check_int(u.day, ==, acct_utc_day(utc(2027, 1, 1, 0, 0, 0)));
	check_int(u.month, ==, 2027 * 12);
	check_int(u.day_up + u.day_down + u.month_up + u.month_down, ==, 0);
	check_int(u.total_up, ==, 116);
	check_int(u.total_down, ==, 228);
	check_int(u.last_seen, ==, t);	/* a roll is not a byte */

	/* A leap year: Feb 28 -> Feb 29 is a day, Feb 29 -> Mar 1 a month. */
	memset(&u, 0, sizeof u);
	t = utc(2024, 2, 28, 23, 59, 59);
	acct_add(&u, 1, 1, t);
	acct_add(&u, 2, 2, t + 1);
	check_int(u.month, ==, 2024 * 12 + 1);
	check_int(u.day_up, ==, 2);
	check_int(u.month_up, ==, 3);
	t = utc(2024, 2, 29, 23, 59, 59);
	acct_add(&u, 4, 4, t);
	check_int(u.day_up, ==, 6);
	acct_add(&u, 8, 8, t + 1);
	check_int(u.month, ==, 2024 * 12 + 2);
	check_int(u.day, ==, acct_utc_day(utc(2024, 3, 1, 0, 0, 0)));
	check_int(u.day_up, ==, 8);
	check_int(u.month_up, ==, 8);
	check_int(u.total_up, ==, 15);
	/* Not a leap year: Feb 28 -> Mar 1 is a month. */
	memset(&u, 0, sizeof u);
	t = utc(2023, 2, 28, 23, 59, 59);
	acct_add(&u, 1, 1, t);
	acct_add(&u, 2, 2, t + 1);
	check_int(u.month, ==, 2023 * 12 + 2);
	check_int(u.month_up, ==, 2);

	/* Many days at once: nothing in between is carried. */
	acct_roll(&u, t + 400 * 86400);
	check_int(u.month_up + u.day_up, ==, 0);
	check_int(u.total_up, ==, 3);

	/* Saturating, never wrapping. */
	memset(&u, 0, sizeof u);
	acct_add(&u, UINT64_MAX - 1, 0, 1000);
	acct_add(&u, 5, UINT64_MAX, 1000);
	acct_add(&u, 0, 7, 1000);
	check(u.day_up == UINT64_MAX && u.month_up == UINT64_MAX &&
	    u.total_up == UINT64_MAX && u.total_down == UINT64_MAX &&
	    u.day_down == UINT64_MAX);
}

static void
test_backwards(void)
{
	struct acct_usage	 u;
	int64_t			 t = utc(2026, 12, 4, 10, 0, 0);
	int64_t			 day, month;

	memset(&u, 0, sizeof u);
	acct_add(&u, 100, 0, t);
	day = u.day;
	month = u.month;

	/* Back two days: nothing zeroed, the bytes count in the later day. */
	acct_add(&u, 10, 0, t - 2 * 86400);
	check_int(u.day, ==, day);
	check_int(u.day_up, ==, 110);
	check_int(u.month_up, ==, 110);
	check_int(u.last_seen, ==, t);
	/* Back across the month (into November): the same. */
	acct_add(&u, 1, 0, utc(2026, 11, 30, 23, 0, 0));
	check_int(u.month, ==, month);
	check_int(u.day, ==, day);
	check_int(u.day_up, ==, 111);
	check_int(u.month_up, ==, 111);
	/* Forward again within the same day: still nothing zeroed. */
	acct_add(&u, 1, 0, t + 3600);
	check_int(u.day_up, ==, 112);
	check_int(u.last_seen, ==, t + 3600);
	/* The next day, once: zeroed; stepping back then forth: not again. */
	acct_add(&u, 5, 0, t + 86400);
	check_int(u.day_up, ==, 5);
	acct_add(&u, 5, 0, t);
	acct_add(&u, 5, 0, t + 86400 + 60);
	check_int(u.day_up, ==, 15);
	check_int(u.month_up, ==, 127);
	check_int(u.total_up, ==, 127);
	/* Before 1970: clamped, and it is only a clock gone back. */
	acct_add(&u, 1, 0, -5);
	check_int(u.day_up, ==, 16);
	check_int(u.last_seen, ==, t + 86400 + 60);
}

static void
test_check(void)
{
	struct acct_limits	 l;
	struct acct_usage	 u, copy;
	const char		*why;
	int64_t			 t = utc(2026, 12, 4, 20, 48, 0);

	/* The daily quota stops at the quota: 999 passes, 1000 does not. */
	l = parse_ok("day=1000");
	memset(&u, 0, sizeof u);
	acct_add(&u, 500, 499, t);
	why = "x";
	check_int(acct_check(&l, &u, t, &why), ==, ACCT_OK);
	check(why == NULL);
	check_int(acct_quota_left(&l, &u, t), ==, 1);
	acct_add(&u, 0, 1, t);
	check_int(acct_check(&l, &u, t, &why), ==, ACCT_QUOTA_DAY);
	check_str(why, "daily quota reached");
	check_int(acct_quota_left(&l, &u, t), ==, 0);
	acct_add(&u, 7, 0, t);
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_QUOTA_DAY);
	check_int(acct_quota_left(&l, &u, t), ==, 0);
	/* Next day: allowed again, without u being rolled by the check. */
	copy = u;
	check_int(acct_check(&l, &u, t + 4 * 3600, &why), ==, ACCT_OK);
	check_int(acct_quota_left(&l, &u, t + 4 * 3600), ==, 1000);
	check(acct_usage_equal(&u, &copy));
	/* A clock gone back a day does not make the quota fresh. */
	check_int(acct_check(&l, &u, t - 86400, NULL), ==, ACCT_QUOTA_DAY);

	/* The month: also at the quota, and it wins over the day. */
	l = parse_ok("day=100,month=150");
	memset(&u, 0, sizeof u);
	acct_add(&u, 99, 0, t - 86400);
	acct_add(&u, 50, 0, t);
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_OK);
	check_int(acct_quota_left(&l, &u, t), ==, 1);
	acct_add(&u, 0, 1, t);
	check_int(acct_check(&l, &u, t, &why), ==, ACCT_QUOTA_MONTH);
	check_str(why, "monthly quota reached");
	acct_add(&u, 0, 49, t);
	check_int(u.day_up + u.day_down, ==, 100);
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_QUOTA_MONTH);
	check_int(acct_check(&l, &u, utc(2027, 1, 1, 0, 0, 0), NULL), ==,
	    ACCT_OK);
	check_int(acct_check(&l, &u, utc(2026, 12, 31, 23, 59, 59), NULL), ==,
	    ACCT_QUOTA_MONTH);

	/* Connections: at max_conns the next is refused; quotas come first. */
	l = parse_ok("conns=2,day=10");
	memset(&u, 0, sizeof u);
	u.conns = 1;
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_OK);
	u.conns = 2;
	check_int(acct_check(&l, &u, t, &why), ==, ACCT_CONNS);
	check_str(why, "too many connections");
	acct_add(&u, 10, 0, t);
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_QUOTA_DAY);

	/* No limits: anything goes. */
	l = parse_ok("");
	u.conns = 1000000;
	acct_add(&u, UINT64_MAX, UINT64_MAX, t);
	check_int(acct_check(&l, &u, t, &why), ==, ACCT_OK);
	check_int(acct_quota_left(&l, &u, t), ==, UINT64_MAX);
	l = parse_ok("pools=a,rate=1k");
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_OK);
}

static void
test_text(void)
{
	static const struct {
		uint64_t	 n;
		const char	*s;
	} b[] = {
		{ 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" }, { 1075, "1.0 KiB" }, { 1076, "1.1 KiB" },
		{ 1048575, "1024.0 KiB" }, { 5 * GI, "5.0 GiB" },
		{ 5000000000ULL, "4.7 GiB" },
		{ 100 * GI + GI / 5, "100.2 GiB" },
		{ TI, "1.0 TiB" }, { 1ULL << 60, "1.0 EiB" },
		{ UINT64_MAX, "16.0 EiB" },
	};
	struct acct_limits	 l;
	struct acct_usage	 u;
	char			 buf[ACCT_TEXT_LEN], s[ACCT_BYTES_TEXT_LEN];
	int64_t			 t = utc(2026, 12, 4, 20, 48, 0);
	size_t			 i, n;

	for (i = 0; i < sizeof b / sizeof b[0]; i++) {
		acct_bytes_text(s, b[i].n);
		test_case("%llu bytes", (unsigned long long)b[i].n);
		check_str(s, b[i].s);
	}
	test_case_end();

	l = parse_ok("conns=10,day=5Gi,month=100Gi");
	memset(&u, 0, sizeof u);
	acct_add(&u, 3 * GI, 2 * GI, t);
	check_int(acct_check(&l, &u, t, NULL), ==, ACCT_QUOTA_DAY);
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_DAY, &l, &u, t);
	check_str(buf, "daily quota used: 5.0 GiB of 5.0 GiB, resets at "
	    "00:00 UTC in 3h12m");
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_DAY, &l, &u,
	    utc(2026, 12, 4, 23, 59, 30));
	check_str(buf, "daily quota used: 5.0 GiB of 5.0 GiB, resets at "
	    "00:00 UTC in 30s");
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_DAY, &l, &u,
	    utc(2026, 12, 4, 23, 55, 50));
	check_str(buf, "daily quota used: 5.0 GiB of 5.0 GiB, resets at "
	    "00:00 UTC in 4m10s");

	acct_add(&u, 95 * GI + GI / 5, 0, t);
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_MONTH, &l, &u, t);
	check_str(buf, "monthly quota used: 100.2 GiB of 100.0 GiB, resets "
	    "on 2027-01-01 00:00 UTC in 27d3h");
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_MONTH, &l, &u,
	    utc(2026, 12, 31, 22, 0, 0));
	check_str(buf, "monthly quota used: 100.2 GiB of 100.0 GiB, resets "
	    "on 2027-01-01 00:00 UTC in 2h0m");
	/* A February of a leap year ends on the 29th. */
	memset(&u, 0, sizeof u);
	acct_add(&u, 100 * GI, 0, utc(2024, 2, 10, 0, 0, 0));
	acct_check_text(buf, sizeof buf, ACCT_QUOTA_MONTH, &l, &u,
	    utc(2024, 2, 28, 0, 0, 0));
	check_str(buf, "monthly quota used: 100.0 GiB of 100.0 GiB, resets "
	    "on 2024-03-01 00:00 UTC in 2d0h");

	u.conns = 10;
	n = acct_check_text(buf, sizeof buf, ACCT_CONNS, &l, &u, t);
	check_str(buf, "connection limit reached: 10 of 10");
	check_int(n, ==, strlen(buf));
	/* Cut to the buffer, length as snprintf. */
	n = acct_check_text(s, 8, ACCT_CONNS, &l, &u, t);
	check_str(s, "connect");
	check_int(n, ==, strlen("connection limit reached: 10 of 10"));
	/* The longest text fits ACCT_TEXT_LEN. */
	l.quota_month = ACCT_BYTES_MAX;
	l.quota_day = ACCT_BYTES_MAX;
	u.day_up = u.month_up = UINT64_MAX;
	u.day_down = u.month_down = UINT64_MAX;
	check(acct_check_text(buf, sizeof buf, ACCT_QUOTA_MONTH, &l, &u,
	    0) < sizeof buf);
	check(acct_check_text(buf, sizeof buf, ACCT_QUOTA_DAY, &l, &u,
	    INT64_MAX) < sizeof buf);
	u.conns = UINT32_MAX;
	l.max_conns = UINT32_MAX;
	check(acct_check_text(buf, sizeof buf, ACCT_CONNS, &l, &u, 0) <
	    sizeof buf);
}

static void
test_header(void)
{
	static const struct {
		const char	*line;
		const char	*cause;		/* NULL: good */
	} t[] = {
		{ ACCT_USAGE_HEADER, NULL },
		{ "tentacle-usage 1", NULL },
		{ "tentacle-usage 1\r\n", NULL },
		{ "tentacle-usage 2\n", "usage file version 2 is not 1 (from a "
		    "newer tentacle?)" },
		{ "tentacle-usage 0", "from an older tentacle" },
		{ "tentacle-usage 01", NULL },
		{ "tentacle-usage 1 ", "bad usage file version '1 '" },
		{ "tentacle-usage ", "bad usage file version ''" },
		{ "tentacle-usage x", "bad usage file version 'x'" },
		{ "tentacle-usage 99999999999999999999", "bad usage file" },
		{ "tentacle-usage", "not a usage file" },
		{ "alice 2026-12-04 0 0 0 0 0 0 0", "not a usage file (want a "
		    "first line \"tentacle-usage 1\")" },
		{ "", "not a usage file" },
		{ "tentacle-usage 1\n\n", "bad usage file version '1\n'" },
	};
	char	*cause;
	size_t	 i;

	check_int(strlen(ACCT_USAGE_HEADER), ==, 17);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case_mem("header", t[i].line, strlen(t[i].line));
		cause = NULL;
		check_int(acct_usage_header_parse(t[i].line, &cause), ==,
		    t[i].cause == NULL ? 0 : -1);
		if (t[i].cause == NULL)
			check(cause == NULL);
		else
			check(cause != NULL && strstr(cause, t[i].cause) !=
			    NULL);
		if (cause != NULL && (t[i].cause == NULL ||
		    strstr(cause, t[i].cause) == NULL))
			printf("# cause: %s\n", cause);
		free(cause);
	}
}

/* Format name and u, parse it back: the same name and counters. */
static void
usage_roundtrip(const char *name, const struct acct_usage *u)
{
	struct acct_usage	 back, want = *u;
	char			 buf[ACCT_USAGE_LINE_MAX + 1];
	char			 nm[ACCT_NAME_MAX + 1], *cause = NULL;
	size_t			 n;

	n = acct_usage_format(name, u, buf, sizeof buf);
	check(n > 0 && n <= ACCT_USAGE_LINE_MAX);
	check_int(strlen(buf), ==, n);
	check(n > 0 && buf[n - 1] == '\n');
	test_case_mem("line", buf, n);
	check_int(acct_usage_parse_line(buf, nm, sizeof nm, &back, &cause),
	    ==, 1);
	if (cause != NULL)
		printf("# cause: %s\n", cause);
	free(cause);
	check_str(nm, name);
	want.conns = 0;			/* not kept */
	check(acct_usage_equal(&back, &want));
}

static void
test_usage_file(void)
{
	struct acct_usage	 u, back;
	char			 buf[ACCT_USAGE_LINE_MAX + 1];
	char			 nm[ACCT_NAME_MAX + 1];
	char			 long_name[ACCT_NAME_MAX + 2];
	char			 file[4096], *line, *next, *cause;
	char			 names[3][ACCT_NAME_MAX + 1];
	struct acct_usage	 us[3];
	size_t			 len, i;
	int			 r, n;

	memset(&u, 0, sizeof u);
	acct_add(&u, 1024, 2048, utc(2026, 12, 4, 10, 0, 0));
	acct_add(&u, 1, 2, utc(2026, 12, 3, 10, 0, 0));
	u.conns = 3;
	acct_usage_format("alice", &u, buf, sizeof buf);
	check_str(buf, "alice 2026-12-04 1025 2050 1025 2050 1025 2050 "
	    "1796378400\n");
	usage_roundtrip("alice", &u);

	/* Counts after rolls, extremes, a leap day, the longest name. */
	acct_add(&u, 5, 5, utc(2027, 1, 1, 0, 0, 0));
	usage_roundtrip("a.b_C9", &u);
	memset(&u, 0, sizeof u);
	acct_roll(&u, utc(2024, 2, 29, 1, 0, 0));
	usage_roundtrip("x", &u);
	u.day_up = u.day_down = u.month_up = u.month_down = UINT64_MAX;
	u.total_up = u.total_down = UINT64_MAX;
	u.last_seen = utc(9999, 12, 31, 23, 59, 59);
	acct_roll(&u, INT64_MAX);
	memset(long_name, 'a', ACCT_NAME_MAX);
	long_name[ACCT_NAME_MAX] = '\0';
	usage_roundtrip(long_name, &u);
	for (i = 0; i < 5000 && !tap_cur_failed; i++) {
		memset(&u, 0, sizeof u);
		acct_add(&u, rnd() >> (rnd() % 64), rnd() >> (rnd() % 64),
		    (int64_t)(rnd() % 4102444800ULL));
		acct_add(&u, rnd() >> (rnd() % 64), rnd() >> (rnd() % 64),
		    (int64_t)(rnd() % 4102444800ULL));
		acct_add(&u, rnd() % 1000, rnd() % 1000, u.last_seen +
		    (int64_t)(rnd() % (40 * 86400)));
		usage_roundtrip("user_1", &u);
	}

	/* Names the users file would refuse are not written. */
	check_int(acct_usage_format("al ice", &u, buf, sizeof buf), ==, 0);
	check_int(acct_usage_format("al-ice", &u, buf, sizeof buf), ==, 0);
	check_int(acct_usage_format("", &u, buf, sizeof buf), ==, 0);
	long_name[ACCT_NAME_MAX] = 'a';
	long_name[ACCT_NAME_MAX + 1] = '\0';
	check_int(acct_usage_format(long_name, &u, buf, sizeof buf), ==, 0);
	check_int(acct_usage_format("\xc3\xa4", &u, buf, sizeof buf), ==, 0);
	check(acct_name_ok("alice") && !acct_name_ok("a\nb"));

	/* Blank and comment lines. */
	cause = NULL;
	check_int(acct_usage_parse_line("", nm, sizeof nm, &u, &cause), ==, 0);
	check_int(acct_usage_parse_line("  \t\r\n", nm, sizeof nm, &u,
	    &cause), ==, 0);
	check_int(acct_usage_parse_line("# NAME DAY ...\n", nm, sizeof nm, &u,
	    &cause), ==, 0);
	check_int(acct_usage_parse_line("  # x", nm, sizeof nm, &u, &cause),
	    ==, 0);
	check(cause == NULL);
	/* Blanks between fields, and a CRLF, are fine. */
	check_int(acct_usage_parse_line("\tbob  2026-01-31 1 2\t3 4 5 6 7\r\n",
	    nm, sizeof nm, &u, &cause), ==, 1);
	check_str(nm, "bob");
	check_int(u.day, ==, acct_utc_day(utc(2026, 1, 31, 0, 0, 0)));
	check_int(u.month, ==, 2026 * 12);
	check_int(u.total_down, ==, 6);
	check_int(u.last_seen, ==, 7);
	/* A name buffer too small is refused, not overrun. */
	check_int(acct_usage_parse_line("bobby 2026-01-31 1 2 3 4 5 6 7", nm,
	    5, &u, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "no room") != NULL);
	free(cause);

	/* A whole file: header, comment, three users; read back. */
	len = strlcpy(file, ACCT_USAGE_HEADER "# a comment\n", sizeof file);
	for (i = 0; i < 3; i++) {
		snprintf(names[i], sizeof names[i], "user%zu", i);
		memset(&us[i], 0, sizeof us[i]);
		acct_add(&us[i], i * 1000, i * 7, utc(2026, 11, 30 - i, 1, 2,
		    3));
		len += acct_usage_format(names[i], &us[i], file + len,
		    sizeof file - len);
	}
	check(len < sizeof file);
	line = file;
	next = strchr(line, '\n');
	*next = '\0';
	cause = NULL;
	check_int(acct_usage_header_parse(line, &cause), ==, 0);
	n = 0;
	for (line = next + 1; *line != '\0'; line = next + 1) {
		next = strchr(line, '\n');
		*next = '\0';
		r = acct_usage_parse_line(line, nm, sizeof nm, &back, &cause);
		check(r >= 0);
		if (r != 1)
			continue;
		check(n < 3);
		if (n >= 3)
			break;
		check_str(nm, names[n]);
		check(acct_usage_equal(&back, &us[n]));
		n++;
	}
	check_int(n, ==, 3);
	check(cause == NULL);
}

static void
test_usage_damaged(void)
{
	static const struct {
		const char	*line;
		const char	*cause;
	} t[] = {
		{ "alice", "1 fields, want 9 (NAME DAY DAY_UP" },
		{ "alice 2026-12-04 1 2 3 4 5 6", "8 fields, want 9" },
		{ "alice 2026-12-04 1 2 3 4 5 6 7 8", "more than 9 fields" },
		{ "al-ice 2026-12-04 1 2 3 4 5 6 7", "field 1 (NAME): not a "
		    "user name" },
		{ "\xc3\xa4 2026-12-04 1 2 3 4 5 6 7", "field 1 (NAME)" },
		{ "a\x01 2026-12-04 1 2 3 4 5 6 7", "field 1 (NAME)" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaa 2026-12-04 1 2 3 4 5 6 7", "field 1 (NAME)" },
		{ "alice 2026-2-04 1 2 3 4 5 6 7", "field 2 (DAY): '2026-2-04' "
		    "is not YYYY-MM-DD" },
		{ "alice 20261204 1 2 3 4 5 6 7", "is not YYYY-MM-DD" },
		{ "alice 2026-12-4x 1 2 3 4 5 6 7", "is not YYYY-MM-DD" },
		{ "alice +026-12-04 1 2 3 4 5 6 7", "is not YYYY-MM-DD" },
		{ "alice 2026-02-29 1 2 3 4 5 6 7", "field 2 (DAY): "
		    "'2026-02-29' is not a date from 1970-01-01" },
		{ "alice 2024-02-30 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 2026-04-31 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 2026-13-01 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 2026-00-10 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 2026-12-00 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 1969-12-31 1 2 3 4 5 6 7", "is not a date" },
		{ "alice 2026-12-04 x 2 3 4 5 6 7", "field 3 (DAY_UP): 'x' is "
		    "not a number" },
		{ "alice 2026-12-04 1 -2 3 4 5 6 7", "field 4 (DAY_DOWN): "
		    "'-2'" },
		{ "alice 2026-12-04 1 2 +3 4 5 6 7", "field 5 (MONTH_UP)" },
		{ "alice 2026-12-04 1 2 3 4x 5 6 7", "field 6 (MONTH_DOWN)" },
		{ "alice 2026-12-04 1 2 3 4 18446744073709551616 6 7",
		    "field 7 (TOTAL_UP): '18446744073709551616' is not a "
		    "number" },
		{ "alice 2026-12-04 1 2 3 4 5 6 0x7", "field 9 (LAST_SEEN)" },
		{ "alice 2026-12-04 1 2 3 4 5 6 7e", "field 9 (LAST_SEEN)" },
		{ "alice 2026-12-04 1 2 3 4 5 6 253402300800", "field 9 "
		    "(LAST_SEEN): 253402300800 is past the year 9999" },
		{ "alice 2026-12-04 4 2 3 4 5 6 7", "counts out of order" },
		{ "alice 2026-12-04 1 2 6 4 5 6 7", "counts out of order" },
		{ "alice 2026-12-04 1 5 3 4 5 6 7", "counts out of order" },
		{ "alice 2026-12-04 1 2 3 7 5 6 7", "counts out of order" },
		{ "alice 2026-12-04 1 2 3 4 5 6 7\n\n", "line break inside" },
		{ "alice 2026-12-04 1 2 3\r4 5 6 7", "line break inside" },
		{ "alice 2026-12-04 1 2 3 4 5 6 7\r\r\n", "line break inside" },
		{ "alice\v2026-12-04 1 2 3 4 5 6 7", "8 fields" },
	};
	struct acct_usage	 u, zero;
	char			 nm[ACCT_NAME_MAX + 1], *cause, big[400];
	size_t			 i;

	memset(&zero, 0, sizeof zero);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case_mem("line", t[i].line, strlen(t[i].line));
		cause = NULL;
		memset(&u, 0x5a, sizeof u);
		memset(nm, 'z', sizeof nm);
		check_int(acct_usage_parse_line(t[i].line, nm, sizeof nm, &u,
		    &cause), ==, -1);
		check(cause != NULL && strstr(cause, t[i].cause) != NULL);
		if (cause != NULL && strstr(cause, t[i].cause) == NULL)
			printf("# cause: %s\n", cause);
		check_mem(&u, &zero, sizeof u);
		check(nm[0] == '\0');
		free(cause);
	}
	test_case_end();

	/* Too long: refused by length, however it looks. */
	memset(big, ' ', sizeof big);
	memcpy(big, "alice 2026-12-04 1 2 3 4 5 6 7", 30);
	big[ACCT_USAGE_LINE_MAX] = '\0';
	cause = NULL;
	check_int(acct_usage_parse_line(big, nm, sizeof nm, &u, &cause), ==,
	    -1);
	check(cause != NULL && strstr(cause, "line longer than 256") != NULL);
	free(cause);
	big[ACCT_USAGE_LINE_MAX - 1] = '\0';
	cause = NULL;
	check_int(acct_usage_parse_line(big, nm, sizeof nm, &u, &cause), ==,
	    1);
	free(cause);
}

int
main(void)
{
	TEST(test_keys(), "limits: every key and unit, rate then up/down");
	TEST(test_refusals(), "limits: unknown, twice, empty, overflow, "
	    "bad sizes and pools, too long; *l zeroed");
	TEST(test_format(), "limits: format in the shortest form, round "
	    "trips (fixed, longest, 20000 random), short buffers");
	TEST(test_pools(), "pools: empty list allows all, exact names");
	TEST(test_utc(), "UTC day and month agree with gmtime 1970-2110, "
	    "clamped outside");
	TEST(test_roll(), "rolls at midnight, Dec 31, Feb 28/29 (leap and "
	    "not), many days; saturation");
	TEST(test_backwards(), "a clock going back zeroes nothing, grants "
	    "no fresh quota");
	TEST(test_check(), "quotas stop at the quota, month before day, "
	    "conns, quota left, check does not roll");
	TEST(test_text(), "sizes in binary units, refusal texts with the "
	    "time to the reset");
	TEST(test_header(), "usage file header: version 1, newer and "
	    "older refused");
	TEST(test_usage_file(), "usage lines: exact form, round trips, "
	    "names refused, blank and comment lines, a whole file");
	TEST(test_usage_damaged(), "usage lines: each damage refused with "
	    "its field and reason, *u zeroed");
	return (test_done());
}
