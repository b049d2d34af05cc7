/*
 * acct.c: per-user accounting and limits (acct.h): the users file's limits
 * suffix, UTC day and month counters, quota and connection checks, the
 * usage file's lines.  Owns those formats and their bounds; never touches
 * sockets, files or the log.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "tentacle.h"
#include "acct.h"

#define ACCT_DAY_SECS	86400
/* 9999-12-31 23:59:59 UTC: dates keep four digits. */
#define ACCT_TIME_MAX	253402300799LL
#define ACCT_KEYS	"conns, rate, up, down, day, month, pools"
#define ACCT_SIZE_HELP	"a whole number of bytes, with k, M, G, T " \
			    "(x1000) or Ki, Mi, Gi, Ti (x1024)"
#define ACCT_USAGE_FIELDS 9	/* after the name */

/* The keys, in format order; a bit each for the duplicate check. */
enum acct_key {
	ACCT_K_CONNS,
	ACCT_K_RATE,
	ACCT_K_UP,
	ACCT_K_DOWN,
	ACCT_K_DAY,
	ACCT_K_MONTH,
	ACCT_K_POOLS,
	ACCT_K_COUNT
};
static const char *const acct_keys[ACCT_K_COUNT] = {
	"conns", "rate", "up", "down", "day", "month", "pools"
};

/* Size suffixes, largest first (acct_size_format picks from them). */
static const struct {
	const char	*name;
	uint64_t	 mult;
} acct_units[] = {
	{ "Ti", 1ULL << 40 }, { "T", 1000000000000ULL },
	{ "Gi", 1ULL << 30 }, { "G", 1000000000ULL },
	{ "Mi", 1ULL << 20 }, { "M", 1000000ULL },
	{ "Ki", 1ULL << 10 }, { "k", 1000ULL },
};
#define ACCT_NUNITS	(sizeof acct_units / sizeof acct_units[0])

static int	 acct_size_parse(const char *, const char *, uint64_t,
		    uint64_t *, char **);
static void	 acct_size_format(char *, size_t, uint64_t);
static int	 acct_pools_parse(const char *, struct acct_limits *,
		    char **);
static int	 acct_pool_name_ok(const char *, size_t);
static int64_t	 acct_clamp(int64_t);
static int64_t	 acct_days_from_civil(int64_t, int, int);
static void	 acct_civil_from_days(int64_t, int64_t *, int *, int *);
static uint64_t	 acct_sum(uint64_t, uint64_t);
static void	 acct_span_text(char *, size_t, int64_t);
static int	 acct_u64_parse(const char *, uint64_t *);
static int	 acct_month_days(int64_t, int);

/*
 * A SIZE value of key into *out, at most max: digits, then an optional
 * unit (case ignored) and an optional B.
 */
static int
acct_size_parse(const char *key, const char *v, uint64_t max, uint64_t *out,
    char **cause)
{
	const char	*p = v;
	uint64_t	 n = 0, mult = 1;
	char		 maxtext[32];
	size_t		 i, ul;
	int		 big = 0;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			big = 1;
		else
			n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0' && *p != 'b' && *p != 'B') {
		for (i = 0; i < ACCT_NUNITS; i++) {
			/* "Ki" comes before "k" in the table. */
			ul = strlen(acct_units[i].name);
			if (strncasecmp(p, acct_units[i].name, ul) == 0)
				break;
		}
		if (i == ACCT_NUNITS)
			goto bad;
		mult = acct_units[i].mult;
		p += ul;
	}
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0')
		goto bad;
	if (big || n > max / mult) {
		acct_size_format(maxtext, sizeof maxtext, max);
		xasprintf(cause, "%s: '%s' is too large (at most %s)", key, v,
		    maxtext);
		return (-1);
	}
	*out = n * mult;
	return (0);

bad:
	xasprintf(cause, "%s: '%s' is not a size (%s)", key, v,
	    ACCT_SIZE_HELP);
	return (-1);
}

/*
 * n in its shortest form ("512k", not "500Ki"; "5Gi", "1234567"); of
 * equally short ones the larger unit.
 */
static void
acct_size_format(char *buf, size_t size, uint64_t n)
{
	char	 best[32], t[32];
	size_t	 i;

	snprintf(best, sizeof best, "%llu", (unsigned long long)n);
	for (i = 0; n != 0 && i < ACCT_NUNITS; i++) {
		if (n % acct_units[i].mult != 0)
			continue;
		snprintf(t, sizeof t, "%llu%s",
		    (unsigned long long)(n / acct_units[i].mult),
		    acct_units[i].name);
		if (strlen(t) < strlen(best))
			strlcpy(best, t, sizeof best);
	}
	strlcpy(buf, best, size);
}

/* A pool name: [A-Za-z0-9._-], 1 to ACCT_POOL_NAME_MAX. */
static int
acct_pool_name_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > ACCT_POOL_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < 'A' ||
		    s[i] > 'Z') && (s[i] < '0' || s[i] > '9') &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-')
			return (0);
	}
	return (1);
}

/* "a+b+c" into l->pools: names checked, no repeats, ACCT_POOLS_MAX. */
static int
acct_pools_parse(const char *v, struct acct_limits *l, char **cause)
{
	const char	*p = v, *e;
	size_t		 len;
	int		 i;

	for (;;) {
		e = strchr(p, '+');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (!acct_pool_name_ok(p, len)) {
			xasprintf(cause, "pools: '%.*s' is not a pool name "
			    "(1 to %d of A-Z a-z 0-9 . _ -, joined by +)",
			    (int)(len > 80 ? 80 : len), p, ACCT_POOL_NAME_MAX);
			return (-1);
		}
		if (l->npools == ACCT_POOLS_MAX) {
			xasprintf(cause, "pools: more than %d pools",
			    ACCT_POOLS_MAX);
			return (-1);
		}
		for (i = 0; i < l->npools; i++) {
			if (strlen(l->pools[i]) == len &&
			    memcmp(l->pools[i], p, len) == 0) {
				xasprintf(cause, "pools: '%s' listed twice",
				    l->pools[i]);
				return (-1);
			}
		}
		memcpy(l->pools[l->npools], p, len);
		l->pools[l->npools][len] = '\0';
		l->npools++;
		if (e == NULL)
			return (0);
		p = e + 1;
	}
}

/* see acct.h */
int
acct_limits_parse(const char *s, struct acct_limits *l, char **cause)
{
	char		 item[ACCT_LIMITS_LEN + 1], *v;
	const char	*p = s, *e;
	uint64_t	 n, rate = 0, up = 0, down = 0;
	size_t		 len;
	u_int		 seen = 0;
	int		 k;

	memset(l, 0, sizeof *l);
	if (strlen(s) > ACCT_LIMITS_LEN) {
		xasprintf(cause, "limits longer than %d bytes",
		    ACCT_LIMITS_LEN);
		return (-1);
	}
	while (*p != '\0') {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		memcpy(item, p, len);
		item[len] = '\0';
		p = e != NULL ? e + 1 : p + len;
		if (len == 0 || (e != NULL && *p == '\0')) {
			xasprintf(cause, "empty item (want KEY=VALUE "
			    "separated by ',')");
			goto fail;
		}
		if ((v = strchr(item, '=')) == NULL) {
			xasprintf(cause, "'%.80s' is not KEY=VALUE (keys: "
			    ACCT_KEYS ")", item);
			goto fail;
		}
		*v++ = '\0';
		for (k = 0; k < ACCT_K_COUNT; k++) {
			if (strcmp(item, acct_keys[k]) == 0)
				break;
		}
		if (k == ACCT_K_COUNT) {
			xasprintf(cause, "unknown key '%.80s' (known: "
			    ACCT_KEYS ")", item);
			goto fail;
		}
		if (seen & (1U << k)) {
			xasprintf(cause, "'%s' given twice", acct_keys[k]);
			goto fail;
		}
		seen |= 1U << k;
		if (*v == '\0') {
			xasprintf(cause, "%s: empty value", acct_keys[k]);
			goto fail;
		}
		switch (k) {
		case ACCT_K_CONNS:
			if (acct_u64_parse(v, &n) != 0 ||
			    n > ACCT_CONNS_MAX) {
				xasprintf(cause, "conns: '%.80s' is not a "
				    "number from 0 to %d", v, ACCT_CONNS_MAX);
				goto fail;
			}
			l->max_conns = (u_int)n;
			break;
		case ACCT_K_RATE:
		case ACCT_K_UP:
		case ACCT_K_DOWN:
			if (acct_size_parse(acct_keys[k], v, ACCT_RATE_MAX,
			    &n, cause) != 0)
				goto fail;
			if (k == ACCT_K_RATE)
				rate = n;
			else if (k == ACCT_K_UP)
				up = n;
			else
				down = n;
			break;
		case ACCT_K_DAY:
			if (acct_size_parse("day", v, ACCT_BYTES_MAX,
			    &l->quota_day, cause) != 0)
				goto fail;
			break;
		case ACCT_K_MONTH:
			if (acct_size_parse("month", v, ACCT_BYTES_MAX,
			    &l->quota_month, cause) != 0)
				goto fail;
			break;
		case ACCT_K_POOLS:
			if (acct_pools_parse(v, l, cause) != 0)
				goto fail;
			break;
		}
	}
	/* up= and down= are more precise than rate=, whatever the order. */
	l->rate_up = (seen & (1U << ACCT_K_UP)) ? up : rate;
	l->rate_down = (seen & (1U << ACCT_K_DOWN)) ? down : rate;
	return (0);

fail:
	memset(l, 0, sizeof *l);
	return (-1);
}

/* see acct.h */
size_t
acct_limits_format(const struct acct_limits *l, char *buf, size_t size)
{
	char	 out[ACCT_LIMITS_LEN + 64], num[32];
	size_t	 len = 0;
	int	 i;

#define ADD(...) do {							\
	if (len < sizeof out)						\
		len += (size_t)snprintf(out + len, sizeof out - len,	\
		    __VA_ARGS__);					\
} while (0)
#define SEP()	(len != 0 ? "," : "")
	out[0] = '\0';
	if (l->max_conns != 0)
		ADD("%sconns=%u", SEP(), l->max_conns);
	if (l->rate_up != 0 && l->rate_up == l->rate_down) {
		acct_size_format(num, sizeof num, l->rate_up);
		ADD("%srate=%s", SEP(), num);
	} else {
		if (l->rate_up != 0) {
			acct_size_format(num, sizeof num, l->rate_up);
			ADD("%sup=%s", SEP(), num);
		}
		if (l->rate_down != 0) {
			acct_size_format(num, sizeof num, l->rate_down);
			ADD("%sdown=%s", SEP(), num);
		}
	}
	if (l->quota_day != 0) {
		acct_size_format(num, sizeof num, l->quota_day);
		ADD("%sday=%s", SEP(), num);
	}
	if (l->quota_month != 0) {
		acct_size_format(num, sizeof num, l->quota_month);
		ADD("%smonth=%s", SEP(), num);
	}
	for (i = 0; i < l->npools && i < ACCT_POOLS_MAX; i++) {
		ADD("%s%.*s", i == 0 ? (len != 0 ? ",pools=" : "pools=") :
		    "+", ACCT_POOL_NAME_MAX, l->pools[i]);
	}
#undef ADD
#undef SEP
	if (len >= sizeof out)
		len = sizeof out - 1;	/* not from a parsed struct */
	if (size != 0)
		strlcpy(buf, out, size);
	return (len);
}

/* see acct.h */
int
acct_limits_none(const struct acct_limits *l)
{
	return (l->max_conns == 0 && l->rate_up == 0 && l->rate_down == 0 &&
	    l->quota_day == 0 && l->quota_month == 0 && l->npools == 0);
}

/* see acct.h */
int
acct_limits_equal(const struct acct_limits *a, const struct acct_limits *b)
{
	int	 i;

	if (a->max_conns != b->max_conns || a->rate_up != b->rate_up ||
	    a->rate_down != b->rate_down || a->quota_day != b->quota_day ||
	    a->quota_month != b->quota_month || a->npools != b->npools)
		return (0);
	for (i = 0; i < a->npools; i++) {
		if (strcmp(a->pools[i], b->pools[i]) != 0)
			return (0);
	}
	return (1);
}

/* see acct.h */
int
acct_usage_equal(const struct acct_usage *a, const struct acct_usage *b)
{
	return (a->day == b->day && a->month == b->month &&
	    a->day_up == b->day_up && a->day_down == b->day_down &&
	    a->month_up == b->month_up && a->month_down == b->month_down &&
	    a->total_up == b->total_up && a->total_down == b->total_down &&
	    a->conns == b->conns && a->last_seen == b->last_seen);
}

/* see acct.h */
int
acct_pool_allowed(const struct acct_limits *l, const char *pool)
{
	int	 i;

	if (l->npools == 0)
		return (1);
	if (pool == NULL)
		return (0);
	for (i = 0; i < l->npools && i < ACCT_POOLS_MAX; i++) {
		if (strcmp(l->pools[i], pool) == 0)
			return (1);
	}
	return (0);
}

static int64_t
acct_clamp(int64_t now)
{
	if (now < 0)
		return (0);
	if (now > ACCT_TIME_MAX)
		return (ACCT_TIME_MAX);
	return (now);
}

/*
 * Days since 1970-01-01 of y-m-d in the proleptic Gregorian calendar, and
 * back (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
 */
static int64_t
acct_days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
acct_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Days in month m (1 to 12) of year y. */
static int
acct_month_days(int64_t y, int m)
{
	return ((int)(acct_days_from_civil(m == 12 ? y + 1 : y,
	    m == 12 ? 1 : m + 1, 1) - acct_days_from_civil(y, m, 1)));
}

/* see acct.h */
int64_t
acct_utc_day(int64_t now)
{
	return (acct_clamp(now) / ACCT_DAY_SECS);
}

/* see acct.h */
int64_t
acct_utc_month(int64_t now)
{
	int64_t	 y;
	int	 m, d;

	acct_civil_from_days(acct_utc_day(now), &y, &m, &d);
	return (y * 12 + m - 1);
}

static uint64_t
acct_sum(uint64_t a, uint64_t b)
{
	return (a > UINT64_MAX - b ? UINT64_MAX : a + b);
}

/* see acct.h */
void
acct_roll(struct acct_usage *u, int64_t now)
{
	int64_t	 day = acct_utc_day(now), month = acct_utc_month(now);

	/* Only forward: a clock stepped back keeps the later period. */
	if (day > u->day) {
		u->day = day;
		u->day_up = u->day_down = 0;
	}
	if (month > u->month) {
		u->month = month;
		u->month_up = u->month_down = 0;
	}
}

/* see acct.h */
void
acct_add(struct acct_usage *u, uint64_t up, uint64_t down, int64_t now)
{
	acct_roll(u, now);
	u->day_up = acct_sum(u->day_up, up);
	u->day_down = acct_sum(u->day_down, down);
	u->month_up = acct_sum(u->month_up, up);
	u->month_down = acct_sum(u->month_down, down);
	u->total_up = acct_sum(u->total_up, up);
	u->total_down = acct_sum(u->total_down, down);
	now = acct_clamp(now);
	if (now > u->last_seen)
		u->last_seen = now;
}

/* see acct.h */
int
acct_check(const struct acct_limits *l, const struct acct_usage *u,
    int64_t now, const char **reason)
{
	struct acct_usage	 r = *u;
	const char		*why = NULL;
	int			 code = ACCT_OK;

	acct_roll(&r, now);
	if (l->quota_month != 0 &&
	    acct_sum(r.month_up, r.month_down) >= l->quota_month) {
		code = ACCT_QUOTA_MONTH;
		why = "monthly quota reached";
	} else if (l->quota_day != 0 &&
	    acct_sum(r.day_up, r.day_down) >= l->quota_day) {
		code = ACCT_QUOTA_DAY;
		why = "daily quota reached";
	} else if (l->max_conns != 0 && r.conns >= l->max_conns) {
		code = ACCT_CONNS;
		why = "too many connections";
	}
	if (reason != NULL)
		*reason = why;
	return (code);
}

/* see acct.h */
uint64_t
acct_quota_left(const struct acct_limits *l, const struct acct_usage *u,
    int64_t now)
{
	struct acct_usage	 r = *u;
	uint64_t		 left = UINT64_MAX, used;

	acct_roll(&r, now);
	if (l->quota_day != 0) {
		used = acct_sum(r.day_up, r.day_down);
		left = used >= l->quota_day ? 0 : l->quota_day - used;
	}
	if (l->quota_month != 0) {
		used = acct_sum(r.month_up, r.month_down);
		used = used >= l->quota_month ? 0 : l->quota_month - used;
		if (used < left)
			left = used;
	}
	return (left);
}

/* see acct.h */
void
acct_bytes_text(char *buf, uint64_t n)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	uint64_t	 unit = 1024, whole, tenth;
	int		 i = 0;

	if (n < 1024) {
		snprintf(buf, ACCT_BYTES_TEXT_LEN, "%llu B",
		    (unsigned long long)n);
		return;
	}
	while (i < 5 && n / unit >= 1024) {
		unit *= 1024;
		i++;
	}
	whole = n / unit;
	/* n % unit < 2^60: times ten stays in 64 bits. */
	tenth = ((n % unit) * 10 + unit / 2) / unit;
	if (tenth == 10) {
		whole++;
		tenth = 0;
	}
	snprintf(buf, ACCT_BYTES_TEXT_LEN, "%llu.%llu %s",
	    (unsigned long long)whole, (unsigned long long)tenth, units[i]);
}

/* "27d3h", "3h12m", "4m10s", "9s". */
static void
acct_span_text(char *buf, size_t size, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s >= ACCT_DAY_SECS)
		snprintf(buf, size, "%lldd%lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, size, "%lldh%lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, size, "%lldm%llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
}

/* see acct.h */
size_t
acct_check_text(char *buf, size_t size, int code,
    const struct acct_limits *l, const struct acct_usage *u, int64_t now)
{
	struct acct_usage	 r = *u;
	char			 used[ACCT_BYTES_TEXT_LEN];
	char			 quota[ACCT_BYTES_TEXT_LEN], in[32];
	int64_t			 y, next;
	int			 m, n;

	acct_roll(&r, now);
	now = acct_clamp(now);
	switch (code) {
	case ACCT_QUOTA_DAY:
		acct_bytes_text(used, acct_sum(r.day_up, r.day_down));
		acct_bytes_text(quota, l->quota_day);
		acct_span_text(in, sizeof in,
		    (r.day + 1) * ACCT_DAY_SECS - now);
		n = snprintf(buf, size, "daily quota used: %s of %s, resets "
		    "at 00:00 UTC in %s", used, quota, in);
		break;
	case ACCT_QUOTA_MONTH:
		acct_bytes_text(used, acct_sum(r.month_up, r.month_down));
		acct_bytes_text(quota, l->quota_month);
		y = (r.month + 1) / 12;
		m = (int)((r.month + 1) % 12) + 1;
		next = acct_days_from_civil(y, m, 1);
		acct_span_text(in, sizeof in, next * ACCT_DAY_SECS - now);
		n = snprintf(buf, size, "monthly quota used: %s of %s, resets "
		    "on %04lld-%02d-01 00:00 UTC in %s", used, quota,
		    (long long)y, m, in);
		break;
	case ACCT_CONNS:
		n = snprintf(buf, size, "connection limit reached: %u of %u",
		    r.conns, l->max_conns);
		break;
	default:
		n = snprintf(buf, size, "within limits");
		break;
	}
	return (n < 0 ? 0 : (size_t)n);
}

/* see acct.h */
int
acct_name_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == ACCT_NAME_MAX)
			return (0);
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < 'A' ||
		    s[i] > 'Z') && (s[i] < '0' || s[i] > '9') &&
		    s[i] != '.' && s[i] != '_')
			return (0);
	}
	return (i != 0);
}

/* see acct.h */
int
acct_usage_header_parse(const char *line, char **cause)
{
	char		 buf[40];
	uint64_t	 v;
	size_t		 len = strlen(line);

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < 15 || len >= sizeof buf ||
	    strncmp(line, "tentacle-usage ", 15) != 0) {
		xasprintf(cause, "not a usage file (want a first line "
		    "\"tentacle-usage %d\")", ACCT_USAGE_VERSION);
		return (-1);
	}
	memcpy(buf, line + 15, len - 15);
	buf[len - 15] = '\0';
	if (acct_u64_parse(buf, &v) != 0) {
		xasprintf(cause, "bad usage file version '%s' (want %d)", buf,
		    ACCT_USAGE_VERSION);
		return (-1);
	}
	if (v != ACCT_USAGE_VERSION) {
		xasprintf(cause, "usage file version %s is not %d (from %s "
		    "tentacle?)", buf, ACCT_USAGE_VERSION,
		    v > ACCT_USAGE_VERSION ? "a newer" : "an older");
		return (-1);
	}
	return (0);
}

/* see acct.h */
size_t
acct_usage_format(const char *name, const struct acct_usage *u, char *buf,
    size_t size)
{
	int64_t	 y, day;
	int	 m, d, n;

	if (!acct_name_ok(name))
		return (0);
	day = u->day < 0 ? 0 : u->day;
	if (day > ACCT_TIME_MAX / ACCT_DAY_SECS)
		day = ACCT_TIME_MAX / ACCT_DAY_SECS;
	acct_civil_from_days(day, &y, &m, &d);
	n = snprintf(buf, size, "%s %04lld-%02d-%02d %llu %llu %llu %llu %llu "
	    "%llu %lld\n", name, (long long)y, m, d,
	    (unsigned long long)u->day_up, (unsigned long long)u->day_down,
	    (unsigned long long)u->month_up, (unsigned long long)u->month_down,
	    (unsigned long long)u->total_up, (unsigned long long)u->total_down,
	    (long long)acct_clamp(u->last_seen));
	return (n < 0 ? 0 : (size_t)n);
}

/* Digits only, 1 to 20 of them, fitting 64 bits. */
static int
acct_u64_parse(const char *s, uint64_t *out)
{
	uint64_t	 n = 0;
	const char	*p;

	if (*s == '\0' || strlen(s) > 20)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return (0);
}

/* see acct.h */
int
acct_usage_parse_line(const char *line, char *name, size_t namelen,
    struct acct_usage *u, char **cause)
{
	static const char *const fields[ACCT_USAGE_FIELDS + 1] = {
		"NAME", "DAY", "DAY_UP", "DAY_DOWN", "MONTH_UP", "MONTH_DOWN",
		"TOTAL_UP", "TOTAL_DOWN", "LAST_SEEN"
	};
	char		 buf[ACCT_USAGE_LINE_MAX + 1];
	char		*f[ACCT_USAGE_FIELDS + 1];
	char		*p, *end;
	uint64_t	 v[ACCT_USAGE_FIELDS];
	int64_t		 y;
	size_t		 len;
	int		 nf = 0, i, m, d;

	memset(u, 0, sizeof *u);
	if (namelen > 0)
		name[0] = '\0';
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof buf - 1) {
		xasprintf(cause, "line longer than %d bytes",
		    ACCT_USAGE_LINE_MAX);
		return (-1);
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (memchr(buf, '\n', len) != NULL || memchr(buf, '\r', len) != NULL) {
		xasprintf(cause, "line break inside the line");
		return (-1);
	}
	p = buf + strspn(buf, " \t");
	if (*p == '\0' || *p == '#')
		return (0);
	while (*p != '\0') {
		if (nf == ACCT_USAGE_FIELDS) {
			xasprintf(cause, "more than %d fields (NAME DAY "
			    "DAY_UP DAY_DOWN MONTH_UP MONTH_DOWN TOTAL_UP "
			    "TOTAL_DOWN LAST_SEEN)", ACCT_USAGE_FIELDS);
			return (-1);
		}
		f[nf++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		p += strspn(p, " \t");
	}
	if (nf != ACCT_USAGE_FIELDS) {
		xasprintf(cause, "%d fields, want %d (NAME DAY DAY_UP "
		    "DAY_DOWN MONTH_UP MONTH_DOWN TOTAL_UP TOTAL_DOWN "
		    "LAST_SEEN)", nf, ACCT_USAGE_FIELDS);
		return (-1);
	}
	if (!acct_name_ok(f[0])) {
		xasprintf(cause, "field 1 (NAME): not a user name (1 to %d "
		    "of A-Z a-z 0-9 . _)", ACCT_NAME_MAX);
		return (-1);
	}
	/* YYYY-MM-DD, a real date from 1970 to 9999. */
	if (strlen(f[1]) != 10 || f[1][4] != '-' || f[1][7] != '-' ||
	    strspn(f[1], "0123456789") != 4 ||
	    strspn(f[1] + 5, "0123456789") != 2 ||
	    strspn(f[1] + 8, "0123456789") != 2) {
		xasprintf(cause, "field 2 (DAY): '%.16s' is not YYYY-MM-DD",
		    f[1]);
		return (-1);
	}
	y = strtol(f[1], &end, 10);
	m = (int)strtol(f[1] + 5, &end, 10);
	d = (int)strtol(f[1] + 8, &end, 10);
	if (y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > acct_month_days(y, m)) {
		xasprintf(cause, "field 2 (DAY): '%s' is not a date from "
		    "1970-01-01", f[1]);
		return (-1);
	}
	for (i = 2; i < ACCT_USAGE_FIELDS; i++) {
		if (acct_u64_parse(f[i], &v[i]) != 0) {
			xasprintf(cause, "field %d (%s): '%.24s' is not a "
			    "number (0 to 18446744073709551615)", i + 1,
			    fields[i], f[i]);
			return (-1);
		}
	}
	if (v[2] > v[4] || v[4] > v[6] || v[3] > v[5] || v[5] > v[7]) {
		xasprintf(cause, "counts out of order (want DAY <= MONTH <= "
		    "TOTAL in each direction)");
		return (-1);
	}
	if (v[8] > (uint64_t)ACCT_TIME_MAX) {
		xasprintf(cause, "field 9 (LAST_SEEN): %llu is past the year "
		    "9999", (unsigned long long)v[8]);
		return (-1);
	}
	if (strlen(f[0]) >= namelen) {
		xasprintf(cause, "field 1 (NAME): no room for the name");
		return (-1);
	}
	strlcpy(name, f[0], namelen);
	u->day = acct_days_from_civil(y, m, d);
	u->month = y * 12 + m - 1;
	u->day_up = v[2];
	u->day_down = v[3];
	u->month_up = v[4];
	u->month_down = v[5];
	u->total_up = v[6];
	u->total_down = v[7];
	u->last_seen = (int64_t)v[8];
	return (1);
}
