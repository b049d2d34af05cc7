/*
 * acct.h: per-user accounting and limits (issue 13).  The limits a users-file
 * line carries, the byte counts per UTC day, month and in total, the quota
 * and connection checks with their human text, and the usage file's lines.
 * Pure bookkeeping: no sockets, no event loop, no logging, no files; the
 * hub (hub_acct.c) keeps a usage per user, counts bytes as they move,
 * enforces the rates with libevent's rate-limit groups and writes the
 * usage file with opt_file_replace_open/commit.
 *
 * Times are Unix seconds as int64_t (32-bit time_t routers still count
 * past 2038); they are clamped to 1970-01-01 .. 9999-12-31 23:59:59 UTC.
 */
#ifndef ACCT_H
#define ACCT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * The limits suffix of a users-file line, after the hash:
 *
 *	NAME:pbkdf2-sha256:ITER:SALT:HASH:conns=10,rate=1M,day=5Gi,pools=a+b
 *
 * Base64 never holds ':', so the line splits at its first five colons and
 * the sixth field, if any, is this text; it holds no ':' either.  Items are
 * KEY=VALUE separated by ',', each key at most once, no blanks:
 *
 *	conns=N		at most N connections at once (1 to ACCT_CONNS_MAX)
 *	rate=SIZE	bytes per second, each direction (up and down)
 *	up=SIZE		bytes per second from the client (overrides rate)
 *	down=SIZE	bytes per second to the client (overrides rate)
 *	day=SIZE	bytes per UTC day, up and down together
 *	month=SIZE	bytes per UTC calendar month, up and down together
 *	pools=P+P	the pools the user may use ([A-Za-z0-9._-], 1 to
 *			ACCT_POOL_NAME_MAX each, at most ACCT_POOLS_MAX)
 *
 * SIZE is a whole decimal number of bytes with an optional suffix, its
 * letters in any case: k, M, G, T multiply by 1000, 1000^2, ...; Ki, Mi,
 * Gi, Ti by 1024, 1024^2, ...; a trailing B is allowed ("5GiB", "512kB").
 * No fractions ("1536Mi", not "1.5Gi").  0 means no limit, as does leaving
 * the key out; rates go up to ACCT_RATE_MAX (what a 32-bit libevent
 * takes), quotas to ACCT_BYTES_MAX.  An empty text is no limits at all.
 */
#define ACCT_CONNS_MAX		1000000
/* Bytes per second: what ev_ssize_t holds on ILP32. */
#define ACCT_RATE_MAX		2147483647ULL
#define ACCT_BYTES_MAX		(1ULL << 60)	/* 1 EiB */
#define ACCT_POOLS_MAX		16
#define ACCT_POOL_NAME_MAX	64
/* Longest limits text accepted; acct_limits_format() never needs more. */
#define ACCT_LIMITS_LEN		1280

struct acct_limits {
	u_int		 max_conns;	/* 0: none */
	uint64_t	 rate_up;	/* bytes/s from the client; 0: none */
	uint64_t	 rate_down;	/* bytes/s to the client; 0: none */
	uint64_t	 quota_day;	/* bytes up + down a UTC day; 0: none */
	uint64_t	 quota_month;	/* per UTC month; 0: none */
	int		 npools;	/* 0: every pool */
	char		 pools[ACCT_POOLS_MAX][ACCT_POOL_NAME_MAX + 1];
};

/*
 * Parse the limits text s (NUL-terminated) into *l, which is zeroed first.
 * Returns 0, or -1 with *cause (allocated; the caller frees it) naming the
 * key and the value: "unknown key 'foo' (known: conns, rate, ...)", "'day'
 * given twice", "day: empty value", "day: '1e9' is not a size (...)",
 * "day: '2Ei' is too large (at most 1Ei)", "pools: 'a b' is not a pool
 * name ...".  *l is zeroed again on error.
 */
int		 acct_limits_parse(const char *s, struct acct_limits *l,
		    char **cause);
/*
 * The limits text of l into buf (size bytes with the NUL), keys in the
 * order above, zero limits left out, rate= when up and down are equal,
 * each size in its shortest form ("512k", "5Gi", "1234567"; of equally
 * short ones the larger unit): acct_limits_parse() gives l back.  "" for
 * no limits.  Returns the length of the whole text, as snprintf does: a
 * result of size or more means buf was too small (ACCT_LIMITS_LEN + 1 is
 * enough).
 */
size_t		 acct_limits_format(const struct acct_limits *l, char *buf,
		    size_t size);
/* 1 when l sets no limit at all. */
int		 acct_limits_none(const struct acct_limits *l);
/* 1 when a and b set the same limits (field by field, not the padding). */
int		 acct_limits_equal(const struct acct_limits *a,
		    const struct acct_limits *b);

/*
 * May a user with l dial into pool?  Every pool when l lists none;
 * otherwise only a listed name (exact, case-sensitive).  pool NULL or ""
 * (the user named no pool) passes only without a list: the hub must then
 * choose among nodes in an allowed pool, asking for each of its pools.
 */
int		 acct_pool_allowed(const struct acct_limits *l,
		    const char *pool);

/*
 * One user's usage.  A zeroed struct is a user never seen.  conns is kept
 * by the hub (one up when a connection of the user opens, one down when it
 * closes) and is not in the usage file.
 */
struct acct_usage {
	int64_t		 day;		/* UTC days since 1970-01-01 */
	int64_t		 month;		/* year * 12 + month - 1 (UTC) */
	uint64_t	 day_up;	/* bytes from the client that day */
	uint64_t	 day_down;	/* bytes to the client that day */
	uint64_t	 month_up;
	uint64_t	 month_down;
	uint64_t	 total_up;	/* since the usage began */
	uint64_t	 total_down;
	u_int		 conns;		/* connections now */
	int64_t		 last_seen;	/* Unix time of the last bytes, or 0 */
};

/* The UTC day (days since 1970-01-01) and month (year * 12 + month - 1). */
int64_t		 acct_utc_day(int64_t now);
int64_t		 acct_utc_month(int64_t now);

/*
 * Move u to now's UTC day and month: a day or month that has ended has its
 * counters zeroed (the day's when the day changed, the month's when the
 * month changed; totals never).  A clock that went back (now before u's
 * day or month) zeroes nothing and leaves u's day and month as they are:
 * the bytes count in the later period until the clock passes it, so a
 * clock stepping back and forth never grants a fresh quota twice.
 */
void		 acct_roll(struct acct_usage *u, int64_t now);
/*
 * Count up and down bytes at now: acct_roll(), then add to the day, month
 * and total counters (saturating, never wrapping); last_seen becomes now
 * unless it is later already.
 */
void		 acct_add(struct acct_usage *u, uint64_t up, uint64_t down,
		    int64_t now);

/* What acct_check() found. */
#define ACCT_OK			0
#define ACCT_QUOTA_DAY		1
#define ACCT_QUOTA_MONTH	2
#define ACCT_CONNS		3

/*
 * May the user open one more connection at now?  The quotas stop at the
 * quota: a user whose period's bytes (up + down) are the quota or more is
 * refused; the connection that crosses it is the hub's to close (see
 * acct_quota_left()).  Conns: u->conns at max_conns or more refuses.  The
 * month is checked before the day (its block lasts longer), then conns.
 * u is read as if rolled to now (it is not changed).  Returns ACCT_*, with
 * *reason (may be NULL) a short static phrase: "daily quota reached",
 * "monthly quota reached", "too many connections", or NULL for ACCT_OK.
 */
int		 acct_check(const struct acct_limits *l,
		    const struct acct_usage *u, int64_t now,
		    const char **reason);
/*
 * Bytes the user may still move at now before a quota is reached (the
 * smaller of the day's and the month's), 0 when one is reached,
 * UINT64_MAX without quotas.  The hub closes a relay that goes past it.
 */
uint64_t	 acct_quota_left(const struct acct_limits *l,
		    const struct acct_usage *u, int64_t now);
/*
 * A line for the log, and for the client (HTTP 403 body), on why
 * acct_check() said code, into buf (ACCT_TEXT_LEN is enough):
 *
 *	daily quota used: 5.0 GiB of 5.0 GiB, resets at 00:00 UTC in 3h12m
 *	monthly quota used: 100.2 GiB of 100.0 GiB, resets on 2027-01-01
 *	    00:00 UTC in 27d3h
 *	connection limit reached: 10 of 10
 *
 * Sizes in binary units, one decimal, rounded.  Returns the length as
 * snprintf does.
 */
#define ACCT_TEXT_LEN		160
size_t		 acct_check_text(char *buf, size_t size, int code,
		    const struct acct_limits *l, const struct acct_usage *u,
		    int64_t now);
/* "5.0 GiB", "512 B": n in binary units, one decimal (into 16 bytes). */
#define ACCT_BYTES_TEXT_LEN	16
void		 acct_bytes_text(char *buf, uint64_t n);

/*
 * The usage file, STATE-DIR/usage: the header line, then one line per
 * user, '#' comments and blank lines allowed:
 *
 *	tentacle-usage 1
 *	alice 2026-12-04 DAY_UP DAY_DOWN MONTH_UP MONTH_DOWN TOTAL_UP
 *	    TOTAL_DOWN LAST_SEEN
 *
 * (one line), fields separated by blanks: the name as in the users file
 * ([A-Za-z0-9._], 1 to 64), the UTC date of the day counters (the month's
 * are for its month), byte counts in decimal, LAST_SEEN in Unix seconds
 * (0: never).  A line must hold day <= month <= total in each direction;
 * connections now are not kept.  A newer version's header is refused, so
 * an older hub never misreads a newer file.
 */
#define ACCT_USAGE_HEADER	"tentacle-usage 1\n"
#define ACCT_USAGE_VERSION	1
#define ACCT_USAGE_LINE_MAX	256	/* with the newline */
#define ACCT_NAME_MAX		64	/* AUTH_NAME_MAX */

/* 1 when name is a users-file name: [A-Za-z0-9._], 1 to ACCT_NAME_MAX. */
int		 acct_name_ok(const char *name);
/*
 * Check the usage file's first line (with or without its newline).
 * Returns 0, or -1 with *cause (allocated): not a usage file, or a
 * version this tentacle does not know.
 */
int		 acct_usage_header_parse(const char *line, char **cause);
/*
 * The usage line of name and u, with its newline, into buf (size bytes
 * with the NUL; ACCT_USAGE_LINE_MAX + 1 is enough).  Returns its length as
 * snprintf does, or 0 when name is not a users-file name (nothing is
 * written then).
 */
/* 1 when a and b count the same (field by field). */
int		 acct_usage_equal(const struct acct_usage *a,
		    const struct acct_usage *b);
size_t		 acct_usage_format(const char *name, const struct acct_usage *u,
		    char *buf, size_t size);
/*
 * Parse one line of the usage file after the header (NUL-terminated; a
 * trailing "\n" or "\r\n" is ignored) into name (namelen bytes, at least
 * ACCT_NAME_MAX + 1) and *u (zeroed first; conns 0).  Returns 1 for a
 * user's line, 0 for a blank or comment line (name and *u are then
 * empty), -1 with *cause (allocated) for a damaged line: which field and
 * why ("field 4 (DAY_DOWN): '12x' is not a number"); *u is zeroed then.
 */
int		 acct_usage_parse_line(const char *line, char *name,
		    size_t namelen, struct acct_usage *u, char **cause);

#endif /* ACCT_H */
