/*
 * t/unit/auth.c: unit tests for modules/auth.c: PBKDF2-HMAC-SHA256
 * vectors, base64, users-file parsing and its errors, user name splitting,
 * password checks and what unknown names cost, the login cache, the
 * failed-login limiter, the hash budget (a simulated flood on a fake
 * clock), the -allow list and the client policy, admin accounts.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tentacle.h"
#include "auth.h"
#include "tap.h"

static uint64_t		 fake_ms = 1000000;

static uint64_t
fake_clock(void)
{
	return (fake_ms);
}

static void
hex(uint8_t *out, const char *s)
{
	unsigned int	 b;

	while (*s != '\0') {
		sscanf(s, "%2x", &b);
		*out++ = (uint8_t)b;
		s += 2;
	}
}

static void
check_pbkdf2(const char *p, size_t plen, const char *s, size_t slen,
    uint32_t iter, const char *want)
{
	uint8_t	 out[64], exp[64];
	size_t	 n = strlen(want) / 2;

	hex(exp, want);
	memset(out, 0xee, sizeof out);
	auth_pbkdf2_sha256(p, plen, s, slen, iter, out, n);
	check_mem(out, exp, n);
	if (n < sizeof out)
		check_int(out[n], ==, 0xee);
}

static void
test_pbkdf2(void)
{
	/* RFC 7914 section 11. */
	check_pbkdf2("passwd", 6, "salt", 4, 1,
	    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	    "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
	check_pbkdf2("Password", 8, "NaCl", 4, 80000,
	    "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	    "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
	/* The well-known RFC 6070-style vectors for SHA-256. */
	check_pbkdf2("password", 8, "salt", 4, 1,
	    "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
	check_pbkdf2("password", 8, "salt", 4, 2,
	    "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
	check_pbkdf2("password", 8, "salt", 4, 4096,
	    "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
	check_pbkdf2("passwordPASSWORDpassword", 24,
	    "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096,
	    "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1"
	    "c635518c7dac47e9");
	check_pbkdf2("pass\0word", 9, "sa\0lt", 5, 4096,
	    "89b69d0516f829893c696226650a8687");
}

static void
test_pbkdf2_cost(void)
{
	struct timespec	 a, b;
	uint8_t		 out[32];
	double		 ms;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 10; i++)
		auth_pbkdf2_sha256("correct horse", 13, "0123456789abcdef", 16,
		    AUTH_ITER_DEFAULT, out, sizeof out);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) /
	    10;
	printf("# one verification (%d iterations): %.2f ms\n",
	    AUTH_ITER_DEFAULT, ms);
	check(ms > 0);
}

static void
test_b64(void)
{
	static const char	*plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char	*enc[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char			 out[32];
	uint8_t			 dec[32];
	size_t			 i;

	for (i = 0; i < 7; i++) {
		check_int(auth_b64_encode(out, sizeof out, plain[i],
		    strlen(plain[i])), ==, strlen(enc[i]));
		check_str(out, enc[i]);
		check_int(auth_b64_decode(dec, sizeof dec, enc[i],
		    strlen(enc[i])), ==, strlen(plain[i]));
		check_mem(dec, plain[i], strlen(plain[i]));
	}
	/* Unpadded is fine; bad characters, lengths, bits and room are not. */
	check_int(auth_b64_decode(dec, sizeof dec, "Zm8", 3), ==, 2);
	check_int(auth_b64_decode(dec, sizeof dec, "Zg", 2), ==, 1);
	check_int(auth_b64_decode(dec, sizeof dec, "Z", 1), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zm9v!", 5), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zm 9v", 5), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zh==", 4), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zg=", 3), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zm8==", 5), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zm9v=", 5), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zg==Zg==", 8), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "====", 4), ==, -1);
	check_int(auth_b64_decode(dec, sizeof dec, "Zm\0v", 4), ==, -1);
	check_int(auth_b64_decode(dec, 2, "Zm9v", 4), ==, -1);
	check_int(auth_b64_encode(out, 4, "f", 1), ==, 0);
	check_int(auth_b64_encode(out, 5, "f", 1), ==, 4);
}

static void
test_user_parse(void)
{
	struct auth_user	 u;
	const char		*why;
	char			 long_name[300];

	check_int(auth_user_parse("alice", &u, &why), ==, 0);
	check_str(u.name, "alice");
	check_str(u.params, "");
	check_int(auth_user_parse("alice-pool-x-session-y", &u, &why), ==, 0);
	check_str(u.name, "alice");
	check_str(u.params, "pool-x-session-y");
	check_int(auth_user_parse("a.b_C9-node-N.1", &u, &why), ==, 0);
	check_str(u.name, "a.b_C9");
	check_str(u.params, "node-N.1");
	check_int(auth_user_parse("bob-", &u, &why), ==, 0);
	check_str(u.name, "bob");
	check_str(u.params, "");
	check_int(auth_user_parse("", &u, &why), ==, -1);
	check_int(auth_user_parse("-pool-x", &u, &why), ==, -1);
	check_int(auth_user_parse("al ice", &u, &why), ==, -1);
	check_int(auth_user_parse("alice-pool:x", &u, &why), ==, -1);
	check_int(auth_user_parse("al\xc3\xa9", &u, &why), ==, -1);
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	check_int(auth_user_parse(long_name, &u, &why), ==, -1);
	long_name[64] = '-';
	check_int(auth_user_parse(long_name, &u, &why), ==, 0);
	memset(long_name, 'a', 256);
	long_name[10] = '-';
	long_name[256] = '\0';
	check_int(auth_user_parse(long_name, &u, &why), ==, -1);
	long_name[255] = '\0';
	check_int(auth_user_parse(long_name, &u, &why), ==, 0);
	check_int(strlen(u.params), ==, 255 - 11);
}

/* A file of two users, alice/wonderland and bob/builder. */
static char	 users_file[2 * AUTH_LINE_MAX + 64];

static void
make_users(void)
{
	char	 a[AUTH_LINE_MAX + 1], b[AUTH_LINE_MAX + 1], *cause = NULL;

	check_int(auth_line_make(a, sizeof a, "alice", "wonderland", 3,
	    &cause), ==, 0);
	check_int(auth_line_make(b, sizeof b, "bob", "builder", 2, &cause),
	    ==, 0);
	snprintf(users_file, sizeof users_file, "# proxy users\n\n"
	    "   # indented comment\n%s\r\n  \t\n%s   \n", a, b);
}

static void
check_parse_error(const char *text, const char *want)
{
	char	*cause = NULL;

	check_int(auth_users_parse(text, strlen(text), "users", &cause), ==,
	    -1);
	check_str(cause, want);
	free(cause);
}

static void
test_users_parse(void)
{
	char		 buf[8192], *cause = NULL;
	const char	*salt = "AAAAAAAAAAAAAAAAAAAAAA==";
	const char	*hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	size_t		 n;

	auth_reset();
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	check_int(auth_users_count(), ==, 2);
	check_int(auth_users_parse("", 0, "users", &cause), ==, 0);
	check_int(auth_users_count(), ==, 0);
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);

	check_parse_error("# c\nalice\n", "users:2: expected "
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH[:LIMITS]");
	check_parse_error("a:b:c:d\n", "users:1: expected "
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH[:LIMITS]");
	check_parse_error("a:b:c:d:e:f:g\n", "users:1: a ':' in the limits "
	    "(the sixth field)");
	snprintf(buf, sizeof buf, "\n\nal-ice:pbkdf2-sha256:1:%s:%s\n", salt,
	    hash);
	check_parse_error(buf, "users:3: bad user name (want 1 to 64 of "
	    "A-Z a-z 0-9 . _)");
	snprintf(buf, sizeof buf, "x:md5:1:%s:%s\n", salt, hash);
	check_parse_error(buf, "users:1: unknown hash scheme (want "
	    "pbkdf2-sha256)");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:0:%s:%s\n", salt, hash);
	check_parse_error(buf, "users:1: bad iteration count (1 to "
	    "10000000)");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:-1:%s:%s\n", salt, hash);
	check_parse_error(buf, "users:1: bad iteration count");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:99999999999:%s:%s\n", salt,
	    hash);
	check_parse_error(buf, "users:1: bad iteration count");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:12x:%s:%s\n", salt, hash);
	check_parse_error(buf, "users:1: bad iteration count (1 to "
	    "10000000)");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:1:AAAA:%s\n", hash);
	check_parse_error(buf, "users:1: bad salt (base64 of 8 to 64 bytes)");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:1:%s:AAAA\n", salt);
	check_parse_error(buf, "users:1: bad hash (base64 of 32 bytes)");
	snprintf(buf, sizeof buf, "x:pbkdf2-sha256:1:%s:%s!\n", salt, hash);
	check_parse_error(buf, "users:1: bad hash (base64 of 32 bytes)");
	snprintf(buf, sizeof buf, "%sx:pbkdf2-sha256:1:%s:%s\n"
	    "bob:pbkdf2-sha256:1:%s:%s\n", users_file, salt, hash, salt, hash);
	check_parse_error(buf, "users:8: user \"bob\" is already on line 6");
	n = snprintf(buf, sizeof buf, "#\nx:pbkdf2-sha256:1:%s:%s\n", salt,
	    hash);
	buf[5] = '\0';
	cause = NULL;
	check_int(auth_users_parse(buf, n, "users", &cause), ==, -1);
	check_str(cause, "users:2: NUL byte in line");
	free(cause);
	memset(buf, 'a', AUTH_LINE_MAX + 1);
	buf[AUTH_LINE_MAX + 1] = '\0';
	check_parse_error(buf, "users:1: line too long");
	/* A long comment is fine, and a line with no newline at the end. */
	buf[0] = '#';
	n = strlen(buf);
	snprintf(buf + n, sizeof buf - n, "\nx:pbkdf2-sha256:1:%s:%s", salt,
	    hash);
	cause = NULL;
	check_int(auth_users_parse(buf, strlen(buf), "users", &cause), ==, 0);
	check_int(auth_users_count(), ==, 1);

	/* An error keeps the table that was there. */
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	check_parse_error("bad\n", "users:1: expected "
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH[:LIMITS]");
	check_int(auth_users_count(), ==, 2);
}

/* The sixth field: limits parsed and kept per user, refusals named. */
static void
test_users_limits(void)
{
	struct acct_limits	 l;
	char			 buf[8192], line[AUTH_LINE_MAX + 1];
	char			 lim[ACCT_LIMITS_LEN + 1], *cause = NULL;
	const char		*salt = "AAAAAAAAAAAAAAAAAAAAAA==";
	const char		*hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				    "AAAA=";
	size_t			 n;

	auth_reset();
	snprintf(buf, sizeof buf, "a:pbkdf2-sha256:1:%s:%s:conns=2,rate=1M,"
	    "day=5Gi,pools=x+y\nb:pbkdf2-sha256:1:%s:%s\n"
	    "c:pbkdf2-sha256:1:%s:%s:\n", salt, hash, salt, hash, salt, hash);
	check_int(auth_users_parse(buf, strlen(buf), "users", &cause), ==, 0);
	check_int(auth_users_count(), ==, 3);
	check_int(auth_user_limits("a", &l), ==, 0);
	check_int(l.max_conns, ==, 2);
	check_int(l.rate_up, ==, 1000000);
	check_int(l.rate_down, ==, 1000000);
	check_int(l.quota_day, ==, 5ULL << 30);
	check_int(l.npools, ==, 2);
	check_str(l.pools[1], "y");
	check_int(auth_user_limits("b", &l), ==, 0);
	check_int(acct_limits_none(&l), ==, 1);
	check_int(auth_user_limits("c", &l), ==, 0);
	check_int(acct_limits_none(&l), ==, 1);
	l.max_conns = 7;
	check_int(auth_user_limits("zed", &l), ==, -1);
	check_int(l.max_conns, ==, 0);
	check_str(auth_user_name(0), "a");
	check_str(auth_user_name(2), "c");
	check_int(auth_user_name(3) == NULL, ==, 1);

	snprintf(buf, sizeof buf, "a:pbkdf2-sha256:1:%s:%s:conns=2,bogus=1\n",
	    salt, hash);
	check_int(auth_users_parse(buf, strlen(buf), "users", &cause), ==, -1);
	check_int(strncmp(cause, "users:1: limits: unknown key 'bogus'", 36),
	    ==, 0);
	free(cause);
	cause = NULL;
	check_int(auth_users_count(), ==, 3);	/* the old table stays */
	snprintf(buf, sizeof buf, "a:pbkdf2-sha256:1:%s:%s:day=1e9\n", salt,
	    hash);
	check_int(auth_users_parse(buf, strlen(buf), "users", &cause), ==, -1);
	check_int(strncmp(cause, "users:1: limits: day: '1e9' is not a size",
	    41), ==, 0);
	free(cause);
	cause = NULL;
	/* The longest limits fit in a line. */
	n = (size_t)snprintf(buf, sizeof buf, "a:pbkdf2-sha256:1:%s:%s:pools=",
	    salt, hash);
	for (int i = 0; i < ACCT_POOLS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s%02d",
		    i > 0 ? "+" : "", ACCT_POOL_NAME_MAX - 2,
		    "pppppppppppppppppppppppppppppppppppppppppppppppppppppp"
		    "pppppppppppppppppppppppp", i);
	snprintf(buf + n, sizeof buf - n, ",conns=1\n");
	check_int(auth_users_parse(buf, strlen(buf), "users", &cause), ==, 0);
	check_int(auth_user_limits("a", &l), ==, 0);
	check_int(l.npools, ==, ACCT_POOLS_MAX);

	/* Lines: get and set the sixth field. */
	snprintf(line, sizeof line, "a:pbkdf2-sha256:1:%s:%s:conns=2", salt,
	    hash);
	check_int(auth_line_get_limits(line, strlen(line), lim, sizeof lim),
	    ==, 0);
	check_str(lim, "conns=2");
	check_int(auth_line_get_limits(line, strlen(line), lim, 4), ==, -1);
	check_int(auth_line_set_limits(buf, sizeof buf, line, strlen(line),
	    "rate=1k", &cause), ==, 0);
	snprintf(line, sizeof line, "a:pbkdf2-sha256:1:%s:%s:rate=1k", salt,
	    hash);
	check_str(buf, line);
	check_int(auth_line_set_limits(buf, sizeof buf, line, strlen(line), "",
	    &cause), ==, 0);
	snprintf(line, sizeof line, "a:pbkdf2-sha256:1:%s:%s", salt, hash);
	check_str(buf, line);
	check_int(auth_line_get_limits(line, strlen(line), lim, sizeof lim),
	    ==, 0);
	check_str(lim, "");
	check_int(auth_line_set_limits(buf, sizeof buf, line, strlen(line),
	    "day=1G", &cause), ==, 0);
	check_int(strcmp(buf + strlen(line), ":day=1G"), ==, 0);
	check_int(auth_line_set_limits(buf, sizeof buf, "nocolons", 8, "x=1",
	    &cause), ==, -1);
	free(cause);
}

static void
test_check(void)
{
	struct auth_user	 u;
	const char		*why;
	char			*cause = NULL;

	auth_reset();
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	check_int(auth_check("alice", "wonderland", &u, &why), ==, 0);
	check_str(u.name, "alice");
	check_str(u.params, "");
	check_int(u.verified, ==, 1);
	check_int(auth_check("bob-pool-x-session-y", "builder", &u, &why), ==,
	    0);
	check_str(u.name, "bob");
	check_str(u.params, "pool-x-session-y");
	check_int(auth_check("alice", "Wonderland", &u, &why), ==, -1);
	check_str(why, "wrong password");
	check_int(auth_check("alice", "", &u, &why), ==, -1);
	check_str(why, "wrong password");
	check_int(auth_check("alice-pool-x", "builder", &u, &why), ==, -1);
	check_str(why, "wrong password");
	check_int(auth_check("carol", "wonderland", &u, &why), ==, -1);
	check_str(why, "unknown user");
	check_int(auth_check("ALICE", "wonderland", &u, &why), ==, -1);
	check_str(why, "unknown user");
	check_int(auth_check("al ice", "wonderland", &u, &why), ==, -1);
	check_str(why, "bad user name");
	check_int(auth_check("-alice", "wonderland", &u, &why), ==, -1);
	check_str(why, "bad user name");
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
}

static void
test_cache(void)
{
	struct auth_stats	 st0, st;
	const char		*why;
	char			*cause = NULL;

	auth_reset();
	auth_clock_set(fake_clock);
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	auth_stats(&st0);
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 1);
	/* Again, with routing parameters: cached, no hash computed. */
	check_int(auth_check("alice-session-1", "wonderland", NULL, &why), ==,
	    0);
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 1);
	check_int(st.cache_hits, ==, st0.cache_hits + 2);
	/* A wrong password is never a hit, never cached. */
	check_int(auth_check("alice", "wonderlan", NULL, &why), ==, -1);
	check_int(auth_check("alice", "wonderlan", NULL, &why), ==, -1);
	check_int(auth_check("alice", "wonderland\n", NULL, &why), ==, -1);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 4);
	/* The key covers name and password apart: "bob"+"builder" != ... */
	check_int(auth_check("bob", "builder", NULL, &why), ==, 0);
	check_int(auth_check("bob", "builder", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 5);
	/* Five minutes later the entry is gone. */
	fake_ms += AUTH_CACHE_MS - 1;
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 5);
	fake_ms += 1;
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 6);
	/* A reload clears it: the password may have changed. */
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 7);
	/* A user removed by a reload fails even though it was cached. */
	check_int(auth_check("bob", "builder", NULL, &why), ==, 0);
	check_int(auth_users_parse(users_file, 0, "users", &cause), ==, 0);
	check_int(auth_check("bob", "builder", NULL, &why), ==, -1);
	check_str(why, "unknown user");
	auth_clock_set(NULL);
}

static void
test_cache_bounded(void)
{
	char			 line[AUTH_LINE_MAX + 1], name[16], *buf;
	char			*cause = NULL;
	const char		*why;
	struct auth_stats	 st0, st;
	size_t			 len = 0, cap = 400 * (AUTH_LINE_MAX + 1);
	int			 i;

	/* More users logged in than slots: the oldest entries go. */
	auth_reset();
	auth_clock_set(fake_clock);
	buf = malloc(cap);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "u%d", i);
		check_int(auth_line_make(line, sizeof line, name, name, 1,
		    &cause), ==, 0);
		len += snprintf(buf + len, cap - len, "%s\n", line);
	}
	check_int(auth_users_parse(buf, len, "users", &cause), ==, 0);
	free(buf);
	auth_stats(&st0);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "u%d", i);
		check_int(auth_check(name, name, NULL, &why), ==, 0);
		fake_ms++;
	}
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 300);
	check_int(auth_check("u299", "u299", NULL, &why), ==, 0);
	check_int(auth_check("u44", "u44", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 300);
	check_int(st.cache_hits, ==, st0.cache_hits + 2);
	check_int(auth_check("u0", "u0", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 301);
	auth_clock_set(NULL);
}

static struct sockaddr *
sa4(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof *ss);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	inet_pton(AF_INET, a, &sin->sin_addr);
	return ((struct sockaddr *)ss);
}

static struct sockaddr *
sa6(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(40000);
	inet_pton(AF_INET6, a, &sin6->sin6_addr);
	return ((struct sockaddr *)ss);
}

static void
test_limiter(void)
{
	struct sockaddr_storage	 ss, ss2;
	struct auth_stats	 st;
	const char		*why;
	char			*cause = NULL, a[64];
	int			 i;

	auth_reset();
	auth_clock_set(fake_clock);
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	for (i = 0; i < AUTH_FAIL_MAX; i++) {
		check_int(auth_login(sa4(&ss, "192.0.2.1"), "alice", "nope",
		    NULL, &why), ==, -1);
		check_str(why, "wrong password");
		fake_ms += 1000;
	}
	check(auth_limit_blocked(sa4(&ss, "192.0.2.1")));
	/* Blocked: refused without a check, reported once, then quiet. */
	check_int(auth_login(sa4(&ss, "192.0.2.1"), "alice", "wonderland",
	    NULL, &why), ==, -1);
	check(strstr(why, "too many failed logins") != NULL);
	check_int(auth_login(sa4(&ss, "192.0.2.1"), "alice", "wonderland",
	    NULL, &why), ==, -2);
	check_int(auth_login(sa6(&ss, "::ffff:192.0.2.1"), "alice",
	    "wonderland", NULL, &why), ==, -2);
	auth_stats(&st);
	check_int(st.limited, ==, 3);
	/* Another address is not affected. */
	check_int(auth_login(sa4(&ss2, "192.0.2.2"), "alice", "wonderland",
	    NULL, &why), ==, 0);
	/* After the window (from the first failure) it may try again. */
	fake_ms += AUTH_FAIL_WINDOW_MS - AUTH_FAIL_MAX * 1000;
	check(!auth_limit_blocked(sa4(&ss, "192.0.2.1")));
	check_int(auth_login(sa4(&ss, "192.0.2.1"), "alice", "wonderland",
	    NULL, &why), ==, 0);

	/* IPv6 counts per /64. */
	for (i = 0; i < AUTH_FAIL_MAX; i++) {
		snprintf(a, sizeof a, "2001:db8:1:2::%x", i + 1);
		check_int(auth_login(sa6(&ss, a), "nobody", "x", NULL, &why),
		    ==, -1);
		check_str(why, "unknown user");
	}
	check(auth_limit_blocked(sa6(&ss, "2001:db8:1:2:ffff::1")));
	check(!auth_limit_blocked(sa6(&ss, "2001:db8:1:3::1")));

	/* Many addresses: the table stays bounded and keeps working. */
	for (i = 0; i < 20000; i++) {
		snprintf(a, sizeof a, "10.%d.%d.%d", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		auth_limit_fail(sa4(&ss, a));
	}
	for (i = 0; i < AUTH_FAIL_MAX; i++)
		auth_limit_fail(sa4(&ss, "198.51.100.7"));
	check(auth_limit_blocked(sa4(&ss, "198.51.100.7")));
	check(!auth_limit_blocked(sa4(&ss, "198.51.100.8")));
	auth_clock_set(NULL);
}

static void
test_policy(void)
{
	struct sockaddr_storage	 ss;
	char			*cause = NULL;

	auth_reset();
	auth_open_proxy_set(0);
	check_int(auth_client_policy(sa4(&ss, "127.0.0.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "127.3.2.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "::1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "::ffff:127.0.0.1")), ==,
	    AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa6(&ss, "2001:db8::1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa6(&ss, "::2")), ==, AUTH_DENY);
	auth_open_proxy_set(1);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_OPEN);
	auth_open_proxy_set(0);

	check_int(auth_allow_parse("192.0.2.0/24, 2001:db8::/32 "
	    "198.51.100.77,10.1.2.3/8", &cause), ==, 0);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.200")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "::ffff:192.0.2.9")), ==,
	    AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "192.0.3.1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa6(&ss, "2001:db8:ffff::1")), ==,
	    AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "2001:db9::1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa4(&ss, "198.51.100.77")), ==,
	    AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "198.51.100.78")), ==,
	    AUTH_DENY);
	check_int(auth_client_policy(sa4(&ss, "10.200.0.1")), ==, AUTH_OPEN);

	/* A users file: everyone authenticates, loopback too, but -allow. */
	check_int(auth_users_parse("", 0, "users", &cause), ==, 0);
	check_int(auth_client_policy(sa4(&ss, "127.0.0.1")), ==, AUTH_NEED);
	check_int(auth_client_policy(sa4(&ss, "192.0.3.1")), ==, AUTH_NEED);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_OPEN);
	auth_open_proxy_set(1);
	check_int(auth_client_policy(sa4(&ss, "192.0.3.1")), ==, AUTH_NEED);
	auth_open_proxy_set(0);
	check_int(auth_allow_parse("127.0.0.0/8", &cause), ==, 0);
	check_int(auth_client_policy(sa4(&ss, "127.0.0.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_NEED);
	check_int(auth_allow_parse("0.0.0.0/0", &cause), ==, 0);
	check_int(auth_client_policy(sa4(&ss, "203.0.113.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "2001:db8::1")), ==, AUTH_NEED);
	check_int(auth_allow_parse("", &cause), ==, 0);
	check_int(auth_client_policy(sa4(&ss, "203.0.113.1")), ==, AUTH_NEED);
}

static void
check_allow_error(const char *list, const char *want)
{
	char	*cause = NULL;

	check_int(auth_allow_parse(list, &cause), ==, -1);
	check_str(cause, want);
	free(cause);
}

static void
test_allow_errors(void)
{
	struct sockaddr_storage	 ss;
	char			*cause = NULL;

	auth_reset();
	check_int(auth_allow_parse("192.0.2.0/24", &cause), ==, 0);
	check_allow_error("1.2.3.4/33", "\"1.2.3.4/33\": not an address or "
	    "ADDR/BITS");
	check_allow_error("10.0.0.0/8,foo", "\"foo\": not an address or "
	    "ADDR/BITS");
	check_allow_error("::/129", "\"::/129\": not an address or ADDR/BITS");
	check_allow_error("1.2.3.4/", "\"1.2.3.4/\": not an address or "
	    "ADDR/BITS");
	check_allow_error("1.2.3.4/-1", "\"1.2.3.4/-1\": not an address or "
	    "ADDR/BITS");
	check_allow_error("1.2.3/24", "\"1.2.3/24\": not an address or "
	    "ADDR/BITS");
	check_allow_error("1.2.3.4:80", "\"1.2.3.4:80\": not an address or "
	    "ADDR/BITS");
	check_allow_error("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaa", "\"aaaaaaaaaaaaaaaaaaaa...\": not an address or "
	    "ADDR/BITS");
	/* A failed parse keeps the old list. */
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_OPEN);
}

static void
test_file(void)
{
	char		 path[] = "/tmp/tentacle-auth-XXXXXX", *cause = NULL;
	const char	*why;
	FILE		*f;
	int		 fd;

	auth_reset();
	check_int(auth_reload(&cause), ==, 0);	/* nothing loaded */
	check_int(auth_users_load("/nonexistent/users", &cause), ==, -1);
	check_str(cause, "/nonexistent/users: No such file or directory");
	free(cause);
	cause = NULL;
	check_int(auth_users_load("/tmp", &cause), ==, -1);
	free(cause);
	cause = NULL;

	make_users();
	fd = mkstemp(path);
	check(fd != -1);
	f = fdopen(fd, "w");
	fputs(users_file, f);
	fclose(f);
	check_int(auth_users_load(path, &cause), ==, 0);
	check_int(auth_users_count(), ==, 2);
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);

	/* Reload picks up a change; a broken file keeps the old table. */
	f = fopen(path, "w");
	fputs("# nobody\n", f);
	fclose(f);
	check_int(auth_reload(&cause), ==, 0);
	check_int(auth_users_count(), ==, 0);
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, -1);
	f = fopen(path, "w");
	fputs(users_file, f);
	fclose(f);
	check_int(auth_reload(&cause), ==, 0);
	check_int(auth_users_count(), ==, 2);
	f = fopen(path, "a");
	fputs("carol\n", f);
	fclose(f);
	check_int(auth_reload(&cause), ==, -1);
	check(cause != NULL && strstr(cause, ":7: expected") != NULL);
	free(cause);
	cause = NULL;
	check_int(auth_users_count(), ==, 2);
	check_int(auth_check("bob", "builder", NULL, &why), ==, 0);
	unlink(path);
	check_int(auth_reload(&cause), ==, -1);
	free(cause);
	check_int(auth_users_count(), ==, 2);
}

static void
test_line_make(void)
{
	char		 line[AUTH_LINE_MAX + 1], big[300], *cause = NULL;
	char		 line2[AUTH_LINE_MAX + 1];
	const char	*why;

	auth_reset();
	check_int(auth_line_make(line, sizeof line, "x.y_Z", "p:w d", 1000,
	    &cause), ==, 0);
	check(strncmp(line, "x.y_Z:pbkdf2-sha256:1000:", 25) == 0);
	check_int(strlen(line), ==, 25 + 24 + 1 + 44);
	/* Fresh salt each time. */
	check_int(auth_line_make(line2, sizeof line2, "x.y_Z", "p:w d", 1000,
	    &cause), ==, 0);
	check(strcmp(line, line2) != 0);
	check_int(auth_users_parse(line, strlen(line), "users", &cause), ==, 0);
	check_int(auth_check("x.y_Z-pool-a", "p:w d", NULL, &why), ==, 0);
	check_int(auth_check("x.y_Z", "p:w", NULL, &why), ==, -1);

	check_int(auth_line_make(line, sizeof line, "a-b", "x", 1, &cause),
	    ==, -1);
	free(cause);
	check_int(auth_line_make(line, sizeof line, "", "x", 1, &cause), ==,
	    -1);
	free(cause);
	check_int(auth_line_make(line, sizeof line, "a", "x", 0, &cause), ==,
	    -1);
	free(cause);
	check_int(auth_line_make(line, sizeof line, "a", "", 1, &cause), ==,
	    -1);
	free(cause);
	memset(big, 'p', 256);
	big[256] = '\0';
	check_int(auth_line_make(line, sizeof line, "a", big, 1, &cause), ==,
	    -1);
	free(cause);
	big[255] = '\0';
	check_int(auth_line_make(line, sizeof line, "a", big, 1, &cause), ==,
	    0);
	memset(big, 'n', 64);
	big[64] = '\0';
	check_int(auth_line_make(line, sizeof line, big, "x", 1, &cause), ==,
	    0);
	check_int(auth_line_make(line, sizeof line, "a", "x",
	    AUTH_ITER_MAX + 1, &cause), ==, -1);
	free(cause);
}

/* The last file load_users() made, for reload_users(). */
static char	*users_text;

/* A users file of lines made with auth_line_make(), password = name. */
static void
load_users(const char *const *names, const uint32_t *iters, size_t n)
{
	char	 line[AUTH_LINE_MAX + 1], *cause = NULL;
	size_t	 len = 0, cap = n * (AUTH_LINE_MAX + 1) + 1, i;

	free(users_text);
	users_text = malloc(cap);
	users_text[0] = '\0';
	for (i = 0; i < n; i++) {
		check_int(auth_line_make(line, sizeof line, names[i], names[i],
		    iters[i], &cause), ==, 0);
		len += snprintf(users_text + len, cap - len, "%s\n", line);
	}
	check_int(auth_users_parse(users_text, len, "users", &cause), ==, 0);
}

/* The same file again (SIGHUP): the cache is emptied. */
static void
reload_users(void)
{
	char	*cause = NULL;

	check_int(auth_users_parse(users_text, strlen(users_text), "users",
	    &cause), ==, 0);
}

/* PBKDF2 iterations one check costs. */
static uint64_t
cost_of(const char *name, const char *pass)
{
	struct auth_stats	 st0, st;
	const char		*why;

	auth_stats(&st0);
	auth_check(name, pass, NULL, &why);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2 + 1);
	return (st.iterations - st0.iterations);
}

/*
 * An unknown name costs what a real line costs: the same line every time,
 * and the lines in the table's proportions.  Counted in iterations, not
 * timed.
 */
static void
test_timing(void)
{
	static const char *const names[] = { "a0", "a1", "a2", "big" };
	static const uint32_t	 iters[] = { 100, 100, 100, 5000 };
	static const char *const one[] = { "slow" };
	static const uint32_t	 slow[] = { 100000 };
	uint64_t		 c, first[20];
	char			 name[32];
	int			 i, nbig = 0, nsmall = 0;

	auth_reset();
	check_int(cost_of("nobody", "x"), ==, AUTH_ITER_DEFAULT);
	load_users(names, iters, 4);
	check_int(cost_of("a1", "wrong"), ==, 100);
	check_int(cost_of("big", "wrong"), ==, 5000);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "nobody%d", i);
		c = cost_of(name, "x");
		if (c == 5000)
			nbig++;
		else if (c == 100)
			nsmall++;
		check_int(cost_of(name, "y"), ==, c);	/* same every time */
		if (i < 20)
			first[i] = c;
	}
	/* A quarter of the lines: 50 expected, 6 standard deviations. */
	printf("# unknown names costing 5000 iterations: %d of 200\n", nbig);
	check_int(nbig + nsmall, ==, 200);
	check_int(nbig, >=, 20);
	check_int(nbig, <=, 85);
	/* The same file loaded again (a restart): the same costs. */
	auth_reset();
	reload_users();
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "nobody%d", i);
		check_int(cost_of(name, "x"), ==, first[i]);
	}
	/* The report's case: one user made with a large -iter. */
	auth_reset();
	load_users(one, slow, 1);
	check_int(cost_of("slow", "wrong"), ==, 100000);
	check_int(cost_of("nobody", "x"), ==, 100000);
	check_int(cost_of("mallory", "x"), ==, 100000);
	auth_reset();
}

/* Refused by the budget, without a hash. */
static int
refused(const struct sockaddr *sa, const char *user, const char *pass)
{
	struct auth_stats	 st0, st;
	const char		*why;
	int			 rc;

	auth_stats(&st0);
	rc = auth_login(sa, user, pass, NULL, &why);
	auth_stats(&st);
	return (rc == -1 && why != NULL && strstr(why, "too many passwords") !=
	    NULL && st.pbkdf2 == st0.pbkdf2);
}

/* Checked with one hash, and want (0 or -1) the answer. */
static int
hashed(const struct sockaddr *sa, const char *user, const char *pass,
    int want)
{
	struct auth_stats	 st0, st;
	const char		*why;
	int			 rc;

	auth_stats(&st0);
	rc = auth_login(sa, user, pass, NULL, &why);
	auth_stats(&st);
	return (rc == want && st.pbkdf2 == st0.pbkdf2 + 1);
}

/*
 * The budget, one rule at a time, with one unit = 100 iterations: a
 * network's share, past it only the upper half, the further past the
 * fuller; cache hits free; the reserve for pairs that logged in before;
 * costly lines.
 */
static void
test_hash_budget(void)
{
	static const char *const names[] = { "alice", "bob", "big" };
	static const uint32_t	 iters[] = { 100, 100, 1000 };
	struct sockaddr_storage	 ss;
	struct auth_stats	 st0, st;
	const char		*why;
	char			 a[64];
	int			 i;

	auth_reset();
	auth_clock_set(fake_clock);
	auth_hash_unit_set(100);
	load_users(names, iters, 3);
	/* 4 units a second for strangers (so 2 for the reserve). */
	auth_hash_rate_set(4);

	/* alice logs in from 10.0.0.1: cached, and the pair is marked. */
	check(hashed(sa4(&ss, "10.0.0.1"), "alice", "alice", 0));
	fake_ms += 60000;
	/* One try within the share of 192.0.2.0/24, then refused. */
	check(hashed(sa4(&ss, "192.0.2.1"), "bob", "x", -1));
	check(refused(sa4(&ss, "192.0.2.99"), "bob", "x"));
	/* Other networks have their shares: to the bottom of the bucket. */
	check(hashed(sa4(&ss, "198.51.100.1"), "bob", "x", -1));
	check(hashed(sa4(&ss, "203.0.113.1"), "alice", "x", -1));
	check(hashed(sa6(&ss, "2001:db8:1::1"), "bob", "x", -1));
	check(refused(sa6(&ss, "2001:db8:2::1"), "bob", "x"));
	/* Cache hits are never budgeted, from any address. */
	auth_stats(&st0);
	check_int(auth_login(sa4(&ss, "10.0.0.7"), "alice", "alice", NULL,
	    &why), ==, 0);
	check_int(auth_check("alice", "alice", NULL, &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2);
	check_int(st.cache_hits, ==, st0.cache_hits + 2);
	/* 250 ms later a unit is back (4 a second). */
	fake_ms += 249;
	check(refused(sa6(&ss, "2001:db8:3::1"), "bob", "bob"));
	fake_ms += 1;
	check(hashed(sa6(&ss, "2001:db8:4::1"), "bob", "bob", 0));
	/* IPv6 networks are /48s: another /64 of it is past its share. */
	fake_ms += 250;
	check(refused(sa6(&ss, "2001:db8:4:ffff::1"), "bob", "x"));
	check(hashed(sa6(&ss, "2001:db8:5::1"), "bob", "x", -1));

	/*
	 * The reserve: the cache emptied (a reload), the strangers' bucket
	 * empty; alice from 10.0.0.1 and from 10.0.0.7 (marked by the cache
	 * hit) is paid from the reserve, from 10.7.0.2 not.
	 */
	reload_users();
	auth_stats(&st0);
	check(hashed(sa4(&ss, "10.0.0.1"), "alice", "alice", 0));
	reload_users();
	check(refused(sa4(&ss, "10.7.0.2"), "alice", "alice"));
	check(hashed(sa4(&ss, "10.0.0.7"), "alice", "alice", 0));
	auth_stats(&st);
	check_int(st.reserve, ==, st0.reserve + 2);
	/* The reserve (2 units) is spent: the pair counts as a stranger. */
	fake_ms += 250;		/* a unit for strangers, half for the reserve */
	check(hashed(sa4(&ss, "10.0.0.1"), "alice", "nope", -1));
	check(refused(sa4(&ss, "10.9.9.9"), "bob", "x"));
	/* A day later the pairs are forgotten. */
	fake_ms += AUTH_TRUST_MS;
	for (i = 0; i < 4; i++) {
		snprintf(a, sizeof a, "198.18.%d.1", i);
		check(hashed(sa4(&ss, a), "bob", "x", -1));
	}
	check(refused(sa4(&ss, "10.0.0.1"), "alice", "alice"));

	/*
	 * Past the share: above half the bucket, a unit higher per unit
	 * past.  At 20 a second (half 10), a network gets its share and 4
	 * more (the k-th needs 10 + k - 1 left after it), then it is refused
	 * while a network less far past still gets in.
	 */
	auth_hash_rate_set(20);
	fake_ms += 60000;
	for (i = 0; i < 5; i++)
		check(hashed(sa4(&ss, "192.0.2.1"), "bob", "x", -1));
	check(refused(sa4(&ss, "192.0.2.1"), "bob", "x"));
	check(hashed(sa4(&ss, "198.51.100.1"), "bob", "x", -1));
	check(hashed(sa4(&ss, "198.51.100.1"), "bob", "x", -1));
	check(hashed(sa4(&ss, "198.51.100.1"), "bob", "x", -1));
	check(refused(sa4(&ss, "198.51.100.1"), "bob", "x"));
	check(refused(sa4(&ss, "192.0.2.1"), "bob", "x"));
	/* A fresh network: to the bottom of the bucket. */
	for (i = 0; i < 12; i++) {
		snprintf(a, sizeof a, "198.18.%d.1", i);
		check(hashed(sa4(&ss, a), "bob", "x", -1));
	}
	check(refused(sa4(&ss, "198.18.99.1"), "bob", "x"));

	/*
	 * A line that costs more than the bucket holds (10 units at 4 a
	 * second) needs a full bucket and a network within its share, and
	 * leaves the bucket in debt.
	 */
	auth_hash_rate_set(4);
	fake_ms += AUTH_SHARE_DEBT_MS;
	check(hashed(sa4(&ss, "192.0.2.1"), "big", "x", -1));
	fake_ms += 1749;	/* -6 + 4 * 1.749: not a unit yet */
	check(refused(sa4(&ss, "198.18.200.1"), "bob", "x"));
	fake_ms += 1;
	check(hashed(sa4(&ss, "198.51.100.1"), "bob", "x", -1));
	fake_ms += 1000;	/* full again; a network past its share */
	check(refused(sa4(&ss, "192.0.2.1"), "big", "x"));
	check(hashed(sa4(&ss, "203.0.113.1"), "big", "x", -1));

	auth_hash_rate_set(0);
	auth_hash_unit_set(0);
	auth_clock_set(NULL);
}

/*
 * The report's flood, simulated: 250 wrong logins a second from 350
 * addresses for 10 s (known names with wrong passwords and unknown
 * names, at random milliseconds: a fixed-seed generator), while 30 users
 * who logged in an hour before log in again from their addresses, and 30
 * users log in for the first time from fresh networks.  With the
 * attackers in 350 /24s (the hard case) or in two.
 */
static void
flood(int spread, int *trusted_ok, int *first_ok, uint64_t *max_sec,
    uint64_t *total, uint64_t *strangers)
{
	const char		*names[60];
	uint32_t		 iters[60];
	char			 buf[60][16], a[64], pass[32];
	struct sockaddr_storage	 ss;
	struct auth_stats	 st0, st, sec0;
	const char		*why;
	uint64_t		 t, start;
	uint32_t		 rnd = 12345;
	int			 i, k, n = 0;

	auth_reset();
	auth_clock_set(fake_clock);
	auth_hash_unit_set(100);	/* each line below costs one unit */
	for (i = 0; i < 60; i++) {
		snprintf(buf[i], sizeof buf[i], "%c%d", i < 30 ? 't' : 'f',
		    i % 30);
		names[i] = buf[i];
		iters[i] = 100;
	}
	load_users(names, iters, 60);
	auth_hash_rate_set(AUTH_HASH_RATE);
	/* An hour before: the t users log in from their addresses. */
	for (i = 0; i < 30; i++) {
		snprintf(a, sizeof a, "100.64.%d.1", i);
		check_int(auth_login(sa4(&ss, a), names[i], names[i], NULL,
		    &why), ==, 0);
		fake_ms += 100;
	}
	fake_ms += 3600 * 1000;
	*trusted_ok = *first_ok = 0;
	*max_sec = 0;
	auth_stats(&st0);
	sec0 = st0;
	start = fake_ms;
	for (t = 0; t < 10000; t++, fake_ms++) {
		if (t % 1000 == 0 && t > 0) {
			auth_stats(&st);
			if (st.pbkdf2 - sec0.pbkdf2 > *max_sec)
				*max_sec = st.pbkdf2 - sec0.pbkdf2;
			sec0 = st;
		}
		rnd = rnd * 1103515245 + 12345;
		if ((rnd >> 16) % 4 == 0) {
			k = n % 350;
			if (spread)
				snprintf(a, sizeof a, "10.%d.%d.9", k / 256,
				    k % 256);
			else
				snprintf(a, sizeof a, "10.0.%d.%d", k / 250,
				    k % 250 + 1);
			snprintf(pass, sizeof pass, "guess%d", n);
			if (n % 2 == 0)
				auth_login(sa4(&ss, a), names[n / 2 % 60],
				    pass, NULL, &why);
			else
				auth_login(sa4(&ss, a), "nobody", pass, NULL,
				    &why);
			n++;
		}
		i = (int)(t / 333);
		if (i < 30 && t % 333 == 100) {
			snprintf(a, sizeof a, "100.64.%d.1", i);
			if (auth_login(sa4(&ss, a), names[i], names[i], NULL,
			    &why) == 0)
				++*trusted_ok;
		}
		if (i < 30 && t % 333 == 150) {
			/* Logged in: the next connection is a cache hit. */
			snprintf(a, sizeof a, "100.64.%d.1", i);
			check_int(auth_login(sa4(&ss, a), names[i], names[i],
			    NULL, &why), ==, 0);
		}
		if (i < 30 && t % 333 == 200) {
			snprintf(a, sizeof a, "172.16.%d.1", i);
			if (auth_login(sa4(&ss, a), names[30 + i],
			    names[30 + i], NULL, &why) == 0)
				++*first_ok;
		}
	}
	auth_stats(&st);
	if (st.pbkdf2 - sec0.pbkdf2 > *max_sec)
		*max_sec = st.pbkdf2 - sec0.pbkdf2;
	*total = st.pbkdf2 - st0.pbkdf2;
	*strangers = *total - (st.reserve - st0.reserve);
	check_int(fake_ms - start, ==, 10000);
	check_int(n, >=, 2400);
	check_int(n, <=, 2600);
	auth_hash_rate_set(0);
	auth_hash_unit_set(0);
	auth_clock_set(NULL);
}

static void
test_flood(void)
{
	uint64_t	 max_sec, total, strangers;
	int		 spread, trusted_ok, first_ok;

	for (spread = 1; spread >= 0; spread--) {
		flood(spread, &trusted_ok, &first_ok, &max_sec, &total,
		    &strangers);
		printf("# attackers in %s: logged in before %d/30, first "
		    "time %d/30; hashes %llu in 10 s (strangers %llu), at "
		    "most %llu in a second\n", spread ? "350 /24s" :
		    "two /24s", trusted_ok, first_ok,
		    (unsigned long long)total, (unsigned long long)strangers,
		    (unsigned long long)max_sec);
		check_int(trusted_ok, ==, 30);
		check_int(first_ok, >=, 25);
		/* 1.5 x rate a second, and the buckets' fill at the start. */
		check_int(total, <=, AUTH_HASH_RATE * 3 / 2 * 11);
		check_int(strangers, <=, AUTH_HASH_RATE * 11);
		check_int(max_sec, <=, AUTH_HASH_RATE * 3);
	}
}

/*
 * Admin accounts: their own table and cache, the same line format without
 * limits, no routing parameters, the limiter shared with proxy logins.
 */
static void
test_admins(void)
{
	struct sockaddr_in	 sin;
	char			 a[AUTH_LINE_MAX + 1], f[2 * AUTH_LINE_MAX + 64];
	char			*cause = NULL;
	const char		*why;
	struct auth_stats	 st0, st;
	int			 i;

	auth_reset();
	auth_clock_set(fake_clock);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x0a000001);
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	check_int(auth_admins_count(), ==, 0);
	/* No accounts: everyone is unknown, users' passwords too. */
	check_int(auth_admin_login((struct sockaddr *)&sin, "alice",
	    "wonderland", &why), ==, -1);
	check_str(why, "unknown admin");
	check_int(auth_line_make(a, sizeof a, "root", "toor", 2, &cause), ==,
	    0);
	snprintf(f, sizeof f, "# admins\n%s\n", a);
	check_int(auth_admins_parse(f, strlen(f), "admins", &cause), ==, 0);
	check_int(auth_admins_count(), ==, 1);
	check_int(auth_users_count(), ==, 2);
	check_int(auth_admin_login((struct sockaddr *)&sin, "root", "toor",
	    &why), ==, 0);
	/* The tables are apart: an admin is no proxy user, and back. */
	check_int(auth_check("root", "toor", NULL, &why), ==, -1);
	check_str(why, "unknown user");
	check_int(auth_admin_login((struct sockaddr *)&sin, "alice",
	    "wonderland", &why), ==, -1);
	check_str(why, "unknown admin");
	check_int(auth_admin_login((struct sockaddr *)&sin, "root", "tooR",
	    &why), ==, -1);
	check_str(why, "wrong password");
	check_int(auth_admin_login((struct sockaddr *)&sin, "root-pool-x",
	    "toor", &why), ==, -1);
	check_str(why, "bad admin name");
	/* A cached admin login costs no hash, and is no user's cache hit. */
	auth_stats(&st0);
	check_int(auth_admin_login((struct sockaddr *)&sin, "root", "toor",
	    &why), ==, 0);
	auth_stats(&st);
	check_int(st.pbkdf2, ==, st0.pbkdf2);
	check_int(st.cache_hits, ==, st0.cache_hits + 1);
	/* A line with limits, a duplicate: refused, the old table stays. */
	snprintf(f, sizeof f, "%s:conns=1\n", a);
	check_int(auth_admins_parse(f, strlen(f), "admins", &cause), ==, -1);
	check_str(cause, "admins:1: an admin has no limits: expected "
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH");
	free(cause);
	cause = NULL;
	snprintf(f, sizeof f, "%s\n%s\n", a, a);
	check_int(auth_admins_parse(f, strlen(f), "admins", &cause), ==, -1);
	check_str(cause, "admins:2: admin \"root\" is already on line 1");
	free(cause);
	cause = NULL;
	check_int(auth_admins_count(), ==, 1);
	/*
	 * Failures count in the limiter of proxy logins (four so far):
	 * then refused, told once (-1), then without a word (-2).
	 */
	check_int(auth_limit_blocked((struct sockaddr *)&sin), ==, 0);
	for (i = 0; i < AUTH_FAIL_MAX - 4; i++)
		check_int(auth_admin_login((struct sockaddr *)&sin, "root",
		    "x", &why), ==, -1);
	check_int(auth_limit_blocked((struct sockaddr *)&sin), ==, 1);
	check_int(auth_admin_login((struct sockaddr *)&sin, "root", "toor",
	    &why), ==, -1);
	check_int(auth_admin_login((struct sockaddr *)&sin, "root", "toor",
	    &why), ==, -2);
	auth_clock_set(NULL);
}

int
main(void)
{
	auth_hash_rate_set(0);	/* the other tests hash freely */
	TEST(test_pbkdf2(), "PBKDF2-HMAC-SHA256: RFC 7914 and well-known "
	    "vectors, 1 to 80000 iterations, 16 to 64 bytes");
	TEST(test_pbkdf2_cost(), "PBKDF2 cost at the default iterations");
	TEST(test_b64(), "base64: RFC 4648 vectors, unpadded, bad input");
	TEST(test_user_parse(), "user name: base and routing parameters");
	TEST(test_users_parse(), "users file: comments, CRLF, errors with "
	    "line numbers, old table kept");
	TEST(test_users_limits(), "users file: the sixth field (limits), "
	    "kept per user, refused with its line; lines get and set it");
	TEST(test_check(), "check: right, wrong, unknown, bad name, params");
	TEST(test_cache(), "cache: hits skip PBKDF2, expiry, cleared on "
	    "reload");
	TEST(test_cache_bounded(), "cache: bounded, wrong passwords never "
	    "cached");
	TEST(test_limiter(), "limiter: 10 failures block an address for the "
	    "window, IPv6 /64, bounded");
	TEST(test_policy(), "policy: loopback, -open-proxy, -allow, users "
	    "file");
	TEST(test_allow_errors(), "allow list: errors keep the old list");
	TEST(test_file(), "users file load and reload");
	TEST(test_admins(), "admin accounts: a table of their own, no "
	    "limits, no parameters, cached apart, the shared limiter");
	TEST(test_line_make(), "users-file lines: made, parsed, checked");
	TEST(test_timing(), "timing: unknown names cost what real lines cost, "
	    "the same each time, after a reload too");
	TEST(test_hash_budget(), "hash budget: shares per network, upper half "
	    "past them, cache hits free, reserve for known pairs, costly "
	    "lines");
	TEST(test_flood(), "hash budget: 250 wrong logins/s from 350 "
	    "addresses for 10 s; known pairs all in, first logins nearly all");
	auth_reset();
	free(users_text);
	return (test_done());
}
