/*
 * t/unit/auth.c: unit tests for modules/auth.c: PBKDF2-HMAC-SHA256
 * vectors, base64, users-file parsing and its errors, user name splitting,
 * password checks, the login cache, the failed-login limiter, the -allow
 * list and the client policy.
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

#include "auth.h"
#include "tap.h"

/* auth.c reads server_conf.open_proxy; server.c is not linked here. */
struct server_conf	 server_conf;

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
static char	 users_file[1024];

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
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH");
	check_parse_error("a:b:c:d:e:f\n", "users:1: expected "
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH");
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
	memset(buf, 'a', 400);
	buf[400] = '\0';
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
	    "NAME:pbkdf2-sha256:ITER:SALT:HASH");
	check_int(auth_users_count(), ==, 2);
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
	server_conf.open_proxy = 0;
	check_int(auth_client_policy(sa4(&ss, "127.0.0.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "127.3.2.1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "::1")), ==, AUTH_OPEN);
	check_int(auth_client_policy(sa6(&ss, "::ffff:127.0.0.1")), ==,
	    AUTH_OPEN);
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa6(&ss, "2001:db8::1")), ==, AUTH_DENY);
	check_int(auth_client_policy(sa6(&ss, "::2")), ==, AUTH_DENY);
	server_conf.open_proxy = 1;
	check_int(auth_client_policy(sa4(&ss, "192.0.2.1")), ==, AUTH_OPEN);
	server_conf.open_proxy = 0;

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
	server_conf.open_proxy = 1;
	check_int(auth_client_policy(sa4(&ss, "192.0.3.1")), ==, AUTH_NEED);
	server_conf.open_proxy = 0;
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

/* The hub-wide hash budget: a bucket of rate tokens, refilled in time. */
static void
test_hash_budget(void)
{
	const char	*why;
	char		*cause = NULL;
	int		 i, fails = 0;

	auth_reset();
	auth_clock_set(fake_clock);
	make_users();
	check_int(auth_users_parse(users_file, strlen(users_file), "users",
	    &cause), ==, 0);
	auth_hash_rate_set(5);
	/* Five hashes pass, the sixth in the same instant does not. */
	for (i = 0; i < 5; i++)
		check_int(auth_check("alice", "nope", NULL, &why), ==, -1);
	check_str(why, "wrong password");
	check_int(auth_check("alice", "nope", NULL, &why), ==, -1);
	check(strstr(why, "too many passwords") != NULL);
	/* Even the right password is not checked then. */
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, -1);
	/* 200 ms later one token is back (5 a second). */
	fake_ms += 200;
	check_int(auth_check("alice", "wonderland", NULL, &why), ==, 0);
	check_int(auth_check("alice", "nope", NULL, &why), ==, -1);
	check(strstr(why, "too many passwords") != NULL);
	/* A second later the bucket is full again, no fuller. */
	fake_ms += 5000;
	for (i = 0; i < 6; i++) {
		if (auth_check("alice", "nope", NULL, &why) == -1 &&
		    strstr(why, "too many passwords") != NULL)
			fails++;
	}
	check_int(fails, ==, 1);
	auth_hash_rate_set(0);
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
	TEST(test_line_make(), "users-file lines: made, parsed, checked");
	TEST(test_hash_budget(), "hub-wide hash budget: bucket, refill, cap");
	auth_reset();
	return (test_done());
}
