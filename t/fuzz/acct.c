/*
 * t/fuzz/acct.c: libFuzzer target for modules/acct.c.  The input is read
 * as a users-file limits suffix (acct_limits_parse), as a usage file line
 * (acct_usage_parse_line) and as its header.  Each must answer 0/1 or -1
 * with a cause on -1 only; what parses must be within the documented
 * bounds and come back the same through its formatter; the parsed usage
 * and limits then go through roll, add, check, quota left and the refusal
 * text at times taken from the input.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acct.h"

#define FUZZ_MAX	2048		/* past ACCT_LIMITS_LEN */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Limits that parsed: in bounds, and format gives them back. */
static void
fuzz_limits(const struct acct_limits *l)
{
	struct acct_limits	 back;
	char			 buf[ACCT_LIMITS_LEN + 1], *cause = NULL;
	size_t			 n;
	int			 i;

	if (l->max_conns > ACCT_CONNS_MAX || l->rate_up > ACCT_RATE_MAX ||
	    l->rate_down > ACCT_RATE_MAX || l->quota_day > ACCT_BYTES_MAX ||
	    l->quota_month > ACCT_BYTES_MAX || l->npools < 0 ||
	    l->npools > ACCT_POOLS_MAX)
		abort();
	for (i = 0; i < l->npools; i++) {
		if (l->pools[i][0] == '\0' ||
		    !acct_pool_allowed(l, l->pools[i]))
			abort();
	}
	n = acct_limits_format(l, buf, sizeof buf);
	if (n >= sizeof buf || strlen(buf) != n)
		abort();
	if (acct_limits_parse(buf, &back, &cause) != 0 || cause != NULL ||
	    !acct_limits_equal(l, &back))
		abort();
	if (acct_limits_none(l) != (n == 0))
		abort();
}

/* A usage that parsed: ordered counts, and format gives it back. */
static void
fuzz_usage(const char *name, const struct acct_usage *u)
{
	struct acct_usage	 back;
	char			 buf[ACCT_USAGE_LINE_MAX + 1];
	char			 nm[ACCT_NAME_MAX + 1], *cause = NULL;
	size_t			 n;

	if (!acct_name_ok(name) || u->day_up > u->month_up ||
	    u->month_up > u->total_up || u->day_down > u->month_down ||
	    u->month_down > u->total_down || u->conns != 0 ||
	    u->last_seen < 0 || u->day < 0 ||
	    u->month != acct_utc_month(u->day * 86400))
		abort();
	n = acct_usage_format(name, u, buf, sizeof buf);
	if (n == 0 || n > ACCT_USAGE_LINE_MAX || strlen(buf) != n)
		abort();
	if (acct_usage_parse_line(buf, nm, sizeof nm, &back, &cause) != 1 ||
	    cause != NULL || strcmp(nm, name) != 0 || !acct_usage_equal(u, &back))
		abort();
}

/* Limits and usage through the checks at a time from the input. */
static void
fuzz_check(const struct acct_limits *l, struct acct_usage *u,
    const uint8_t *data, size_t size)
{
	char		 text[ACCT_TEXT_LEN];
	const char	*why;
	int64_t		 now = 0;
	uint64_t	 left;
	size_t		 i;
	int		 code, c;

	for (i = 0; i < size && i < 8; i++)
		now = (int64_t)((uint64_t)now << 8 | data[i]);
	u->conns = size > 8 ? data[8] : 0;
	for (c = ACCT_OK; c <= ACCT_CONNS; c++) {
		if (acct_check_text(text, sizeof text, c, l, u, now) >=
		    sizeof text || strlen(text) >= sizeof text)
			abort();
	}
	why = "x";
	code = acct_check(l, u, now, &why);
	if (code < ACCT_OK || code > ACCT_CONNS || (code == ACCT_OK) !=
	    (why == NULL))
		abort();
	left = acct_quota_left(l, u, now);
	if ((left == 0) != (code == ACCT_QUOTA_DAY ||
	    code == ACCT_QUOTA_MONTH))
		abort();
	acct_add(u, size, left, now);
	acct_roll(u, now / 2);
	if (u->day_up > u->month_up || u->month_up > u->total_up ||
	    u->day_down > u->month_down || u->month_down > u->total_down)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acct_limits	 l;
	struct acct_usage	 u;
	char			*s, *cause, name[ACCT_NAME_MAX + 1];
	int			 r, rl;

	if (size > FUZZ_MAX)
		return (0);
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';

	cause = NULL;
	rl = acct_limits_parse(s, &l, &cause);
	if ((rl != 0 && rl != -1) || (rl == -1) != (cause != NULL))
		abort();
	free(cause);
	if (rl == 0)
		fuzz_limits(&l);

	cause = NULL;
	r = acct_usage_parse_line(s, name, sizeof name, &u, &cause);
	if (r < -1 || r > 1 || (r == -1) != (cause != NULL))
		abort();
	free(cause);
	if (r == 1)
		fuzz_usage(name, &u);
	if (r == 1 || rl == 0)
		fuzz_check(&l, &u, data, size);

	cause = NULL;
	r = acct_usage_header_parse(s, &cause);
	if ((r != 0 && r != -1) || (r == -1) != (cause != NULL))
		abort();
	free(cause);
	free(s);
	return (0);
}
