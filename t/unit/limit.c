/*
 * t/unit/limit.c: unit tests for modules/limit.c: counting and release,
 * the total, per-address and per-user limits, zero = unlimited, IPv6 /64
 * and IPv4-mapped keying, entries freed at zero, the table bound, the
 * refusal-log rate limit, the default -max-clients, SipHash.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "limit.h"
#include "tap.h"

static uint64_t		 fake_ms = 5000;

static uint64_t
fake_clock(void)
{
	return (fake_ms);
}

/* A socket address for a numeric IPv4 or IPv6 string. */
static struct sockaddr *
sa_of(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(1234);
	} else if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(1234);
	} else
		abort();
	return ((struct sockaddr *)ss);
}

static void
test_count_release(void)
{
	struct sockaddr_storage	 a, b;
	struct limit_hold	*h[4];
	int			 why = -1;

	h[0] = limit_open(sa_of("192.0.2.1", &a), 0, 3, &why);
	check(h[0] != NULL);
	check_int(why, ==, LIMIT_OK);
	h[1] = limit_open(sa_of("192.0.2.1", &a), 0, 3, &why);
	h[2] = limit_open(sa_of("192.0.2.1", &a), 0, 3, &why);
	check(h[1] != NULL && h[2] != NULL);
	check_int(limit_addr_count(sa_of("192.0.2.1", &a)), ==, 3);
	check_int(limit_total(), ==, 3);

	/* The fourth from that address is refused and not counted. */
	h[3] = limit_open(sa_of("192.0.2.1", &a), 0, 3, &why);
	check(h[3] == NULL);
	check_int(why, ==, LIMIT_ADDR);
	check_int(limit_addr_count(sa_of("192.0.2.1", &a)), ==, 3);
	check_int(limit_total(), ==, 3);

	/* Another address is not affected. */
	h[3] = limit_open(sa_of("192.0.2.2", &b), 0, 3, &why);
	check(h[3] != NULL);
	check_int(limit_addr_count((struct sockaddr *)&b), ==, 1);
	check_int(limit_addr_entries(), ==, 2);

	/* Release one: room again. */
	limit_close(h[1]);
	check_int(limit_addr_count((struct sockaddr *)&a), ==, 2);
	h[1] = limit_open((struct sockaddr *)&a, 0, 3, &why);
	check(h[1] != NULL);

	limit_close(h[0]);
	limit_close(h[1]);
	limit_close(h[2]);
	limit_close(h[3]);
	limit_close(NULL);
	check_int(limit_total(), ==, 0);
	check_int(limit_addr_count((struct sockaddr *)&a), ==, 0);
	check_int(limit_addr_entries(), ==, 0);
}

static void
test_total(void)
{
	struct sockaddr_storage	 a;
	struct limit_hold	*h[3];
	char			 ip[32];
	int			 i, why;

	for (i = 0; i < 2; i++) {
		snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
		h[i] = limit_open(sa_of(ip, &a), 2, 0, &why);
		check(h[i] != NULL);
	}
	h[2] = limit_open(sa_of("198.51.100.9", &a), 2, 0, &why);
	check(h[2] == NULL);
	check_int(why, ==, LIMIT_TOTAL);
	check_int(limit_addr_entries(), ==, 2);
	limit_close(h[0]);
	h[2] = limit_open((struct sockaddr *)&a, 2, 0, &why);
	check(h[2] != NULL);
	limit_close(h[1]);
	limit_close(h[2]);
	check_int(limit_total(), ==, 0);
	check_int(limit_addr_entries(), ==, 0);
}

static void
test_unlimited(void)
{
	struct sockaddr_storage	 a;
	struct limit_hold	*h[1000];
	int			 i, why, ok = 1;

	sa_of("203.0.113.5", &a);
	for (i = 0; i < 1000; i++)
		if ((h[i] = limit_open((struct sockaddr *)&a, 0, 0, &why)) ==
		    NULL || limit_user(h[i], "alice", 0, &why) != 0)
			ok = 0;
	check(ok);
	check_int(limit_addr_count((struct sockaddr *)&a), ==, 1000);
	check_int(limit_user_count("alice"), ==, 1000);
	check_int(limit_total(), ==, 1000);
	check_int(limit_addr_entries(), ==, 1);
	check_int(limit_user_entries(), ==, 1);
	for (i = 0; i < 1000; i++)
		limit_close(h[i]);
	check_int(limit_total(), ==, 0);
	check_int(limit_user_count("alice"), ==, 0);
	check_int(limit_user_entries(), ==, 0);
	check_int(limit_addr_entries(), ==, 0);
}

static void
test_ipv6_keying(void)
{
	struct sockaddr_storage	 a, b, c, m, v4;
	struct limit_hold	*h1, *h2, *h3, *h4;
	int			 why;

	/* Same /64, different hosts: one key. */
	h1 = limit_open(sa_of("2001:db8:1:2::1", &a), 0, 2, &why);
	h2 = limit_open(sa_of("2001:db8:1:2:ffff:1:2:3", &b), 0, 2, &why);
	check(h1 != NULL && h2 != NULL);
	check_int(limit_addr_count((struct sockaddr *)&a), ==, 2);
	check(limit_open(sa_of("2001:db8:1:2:abcd::9", &c), 0, 2, &why) ==
	    NULL);
	check_int(why, ==, LIMIT_ADDR);
	/* The next /64 is another key. */
	h3 = limit_open(sa_of("2001:db8:1:3::1", &c), 0, 2, &why);
	check(h3 != NULL);
	check_int(limit_addr_count((struct sockaddr *)&c), ==, 1);
	check_int(limit_addr_entries(), ==, 2);

	/* IPv4-mapped IPv6 counts as the IPv4 address. */
	h4 = limit_open(sa_of("::ffff:192.0.2.77", &m), 0, 2, &why);
	check(h4 != NULL);
	check_int(limit_addr_count(sa_of("192.0.2.77", &v4)), ==, 1);
	check_int(limit_addr_count(sa_of("192.0.2.78", &v4)), ==, 0);

	limit_close(h1);
	limit_close(h2);
	limit_close(h3);
	limit_close(h4);
	check_int(limit_addr_entries(), ==, 0);
}

static void
test_non_ip(void)
{
	struct sockaddr		 sa;
	struct limit_hold	*h1, *h2;
	int			 why;

	memset(&sa, 0, sizeof sa);
	sa.sa_family = AF_UNIX;
	h1 = limit_open(&sa, 0, 1, &why);
	h2 = limit_open(&sa, 0, 1, &why);
	check(h1 != NULL && h2 != NULL);
	check_int(limit_addr_entries(), ==, 0);
	check_int(limit_total(), ==, 2);
	check(limit_open(&sa, 2, 1, &why) == NULL);
	check_int(why, ==, LIMIT_TOTAL);
	limit_close(h1);
	limit_close(h2);
	check_int(limit_total(), ==, 0);
}

static void
test_users(void)
{
	struct sockaddr_storage	 a;
	struct limit_hold	*h[4];
	int			 i, why;

	sa_of("192.0.2.10", &a);
	for (i = 0; i < 4; i++)
		h[i] = limit_open((struct sockaddr *)&a, 0, 0, &why);
	check(limit_user(h[0], "alice", 2, &why) == 0);
	check(limit_user(h[1], "alice", 2, &why) == 0);
	check_int(limit_user_count("alice"), ==, 2);
	/* The same name again on a hold changes nothing. */
	check(limit_user(h[1], "alice", 2, &why) == 0);
	check_int(limit_user_count("alice"), ==, 2);
	check(limit_user(h[2], "alice", 2, &why) == -1);
	check_int(why, ==, LIMIT_USER);
	check_int(limit_user_count("alice"), ==, 2);
	/* Other users are not affected; a name is its bytes. */
	check(limit_user(h[2], "bob", 2, &why) == 0);
	check(limit_user(h[3], "Alice", 2, &why) == 0);
	check_int(limit_user_entries(), ==, 3);
	/* A hold moves to a new name. */
	check(limit_user(h[1], "bob", 2, &why) == 0);
	check_int(limit_user_count("alice"), ==, 1);
	check_int(limit_user_count("bob"), ==, 2);
	/* Over the limit for the new name: the hold counts no user. */
	check(limit_user(h[0], "bob", 2, &why) == -1);
	check_int(limit_user_count("alice"), ==, 0);
	check_int(limit_user_entries(), ==, 2);
	for (i = 0; i < 4; i++)
		limit_close(h[i]);
	check_int(limit_user_entries(), ==, 0);
	check_int(limit_addr_entries(), ==, 0);
	check_int(limit_total(), ==, 0);
}

/* Many distinct addresses: the table grows, stays exact, empties. */
static void
test_many(void)
{
	struct sockaddr_storage	 a;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&a;
	static struct limit_hold *h[20000];
	int			 i, why, ok = 1;

	memset(&a, 0, sizeof a);
	sin->sin_family = AF_INET;
	for (i = 0; i < 20000; i++) {
		sin->sin_addr.s_addr = htonl(0x0a000000 + (uint32_t)i);
		if ((h[i] = limit_open((struct sockaddr *)&a, 0, 1, &why)) ==
		    NULL)
			ok = 0;
		if (limit_open((struct sockaddr *)&a, 0, 1, &why) != NULL ||
		    why != LIMIT_ADDR)
			ok = 0;
	}
	check(ok);
	check_int(limit_addr_entries(), ==, 20000);
	for (i = 0; i < 20000; i += 2)
		limit_close(h[i]);
	check_int(limit_addr_entries(), ==, 10000);
	for (i = 0; i < 20000; i++) {
		sin->sin_addr.s_addr = htonl(0x0a000000 + (uint32_t)i);
		if (limit_addr_count((struct sockaddr *)&a) != (u_int)(i & 1))
			ok = 0;
	}
	check(ok);
	for (i = 1; i < 20000; i += 2)
		limit_close(h[i]);
	check_int(limit_addr_entries(), ==, 0);
	check_int(limit_total(), ==, 0);
}

/* The table bound: LIMIT_TABLE_MAX users, then LIMIT_NOMEM. */
static void
test_bound(void)
{
	struct sockaddr_storage	 a;
	struct limit_hold	**h;
	char			 name[32];
	int			 i, why, ok = 1;

	h = calloc(LIMIT_TABLE_MAX + 1, sizeof *h);
	sa_of("192.0.2.200", &a);
	for (i = 0; i <= LIMIT_TABLE_MAX; i++) {
		h[i] = limit_open((struct sockaddr *)&a, 0, 0, &why);
		if (h[i] == NULL)
			ok = 0;
	}
	check(ok);
	for (i = 0; i < LIMIT_TABLE_MAX; i++) {
		snprintf(name, sizeof name, "u%d", i);
		if (limit_user(h[i], name, 0, &why) != 0)
			ok = 0;
	}
	check(ok);
	check_int(limit_user_entries(), ==, LIMIT_TABLE_MAX);
	check(limit_user(h[LIMIT_TABLE_MAX], "one-too-many", 0, &why) == -1);
	check_int(why, ==, LIMIT_NOMEM);
	/* A known name still counts when the table is full. */
	check(limit_user(h[LIMIT_TABLE_MAX], "u7", 0, &why) == 0);
	check_int(limit_user_count("u7"), ==, 2);
	for (i = 0; i <= LIMIT_TABLE_MAX; i++)
		limit_close(h[i]);
	check_int(limit_user_entries(), ==, 0);
	check_int(limit_total(), ==, 0);
	free(h);
}

static void
test_log_rate(void)
{
	struct sockaddr_storage	 a, b;
	struct limit_hold	*ha, *hb, *hu;
	u_int			 n = 99;
	int			 why;

	limit_clock_set(fake_clock);
	ha = limit_open(sa_of("192.0.2.30", &a), 0, 1, &why);
	hb = limit_open(sa_of("192.0.2.31", &b), 0, 1, &why);
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&a, NULL, &n) == 1);
	check_int(n, ==, 0);
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&a, NULL, &n) == 0);
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&a, NULL, &n) == 0);
	/* Another address has its own second. */
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&b, NULL, &n) == 1);
	fake_ms += LIMIT_LOG_MS - 1;
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&a, NULL, &n) == 0);
	fake_ms += 1;
	check(limit_log_ok(LIMIT_ADDR, (struct sockaddr *)&a, NULL, &n) == 1);
	check_int(n, ==, 3);
	/* Totals share one key; users have theirs. */
	check(limit_log_ok(LIMIT_TOTAL, NULL, NULL, &n) == 1);
	check(limit_log_ok(LIMIT_NOMEM, NULL, NULL, &n) == 0);
	hu = limit_open(sa_of("192.0.2.32", &a), 0, 1, &why);
	check(limit_user(hu, "carol", 1, &why) == 0);
	check(limit_log_ok(LIMIT_USER, NULL, "carol", &n) == 1);
	check(limit_log_ok(LIMIT_USER, NULL, "carol", &n) == 0);
	fake_ms += LIMIT_LOG_MS;
	check(limit_log_ok(LIMIT_USER, NULL, "carol", &n) == 1);
	check_int(n, ==, 1);
	limit_close(ha);
	limit_close(hb);
	limit_close(hu);
	limit_clock_set(NULL);
}

static void
test_clients_auto(void)
{
	check_int(limit_clients_auto(1024), ==, 480);
	check_int(limit_clients_auto(65536), ==, 32736);
	check_int(limit_clients_auto(64), ==, LIMIT_CLIENTS_MIN);
	check_int(limit_clients_auto(90), ==, LIMIT_CLIENTS_MIN);
	check_int(limit_clients_auto(0), ==, 0);
	check_int(limit_clients_auto(-1), ==, 0);
	check_str(limit_why_str(LIMIT_ADDR), "-max-conns-per-ip");
	check_str(limit_why_str(LIMIT_USER), "-max-conns-per-user");
	check_str(limit_why_str(LIMIT_TOTAL), "-max-clients");
}

/* SipHash-2-4 reference output for key 00..0f and inputs 00..(n-1). */
static void
test_siphash(void)
{
	uint8_t		 key[16], in[16];
	int		 i;

	for (i = 0; i < 16; i++)
		key[i] = in[i] = (uint8_t)i;
	check(limit_siphash(key, in, 0) == 0x726fdb47dd0e0e31ULL);
	check(limit_siphash(key, in, 1) == 0x74f839c593dc67fdULL);
	check(limit_siphash(key, in, 8) == 0x93f5f5799a932462ULL);
	check(limit_siphash(key, in, 15) == 0xa129ca6149be45e5ULL);
}

/* Node links in their handshake count apart from proxy clients. */
static void
test_links(void)
{
	struct sockaddr_storage	 a, b;
	struct limit_hold	*c, *l[3];
	int			 why = -1;
	u_int			 more = 0;

	c = limit_open(sa_of("198.51.100.9", &a), 1, 1, &why);
	check(c != NULL);
	l[0] = limit_link_open(sa_of("198.51.100.9", &a), 2, 1, &why);
	check(l[0] != NULL);
	check_int(limit_total(), ==, 1);
	check_int(limit_link_total(), ==, 1);
	check_int(limit_addr_count(sa_of("198.51.100.9", &a)), ==, 1);
	l[1] = limit_link_open(sa_of("198.51.100.9", &a), 2, 1, &why);
	check(l[1] == NULL);
	check_int(why, ==, LIMIT_LINK_ADDR);
	check_str(limit_why_str(why), "-max-handshakes-per-ip");
	l[1] = limit_link_open(sa_of("198.51.100.10", &b), 2, 1, &why);
	check(l[1] != NULL);
	l[2] = limit_link_open(sa_of("198.51.100.11", &b), 2, 1, &why);
	check(l[2] == NULL);
	check_int(why, ==, LIMIT_LINK_TOTAL);
	check_str(limit_why_str(why), "-max-handshakes");
	/* Their refusal logs are their own too. */
	check_int(limit_log_ok(LIMIT_TOTAL, NULL, NULL, &more), ==, 1);
	check_int(limit_log_ok(LIMIT_LINK_TOTAL, NULL, NULL, &more), ==, 1);
	check_int(limit_log_ok(LIMIT_LINK_TOTAL, NULL, NULL, &more), ==, 0);
	limit_close(l[0]);
	limit_close(l[1]);
	check_int(limit_link_total(), ==, 0);
	check_int(limit_total(), ==, 1);
	limit_close(c);
	check_int(limit_total(), ==, 0);
	check_int(limit_addr_entries(), ==, 0);
}

/* An address with a node online passes the per-address handshake cap. */
static void
test_link_trust(void)
{
	struct sockaddr_storage	 a;
	struct limit_hold	*node, *l[4];
	int			 why = -1, i;

	node = limit_link_open(sa_of("198.51.100.20", &a), 3, 1, &why);
	check(node != NULL);
	check_int(limit_link_total(), ==, 1);
	limit_link_trust(node);
	check_int(limit_link_total(), ==, 0);
	/* Trusted: past the per-address cap of 1, up to the total of 3. */
	for (i = 0; i < 3; i++) {
		l[i] = limit_link_open(sa_of("198.51.100.20", &a), 3, 1, &why);
		check(l[i] != NULL);
	}
	l[3] = limit_link_open(sa_of("198.51.100.20", &a), 3, 1, &why);
	check(l[3] == NULL);
	check_int(why, ==, LIMIT_LINK_TOTAL);
	for (i = 0; i < 3; i++)
		limit_close(l[i]);
	/* The node leaves: the address is a stranger again. */
	limit_close(node);
	check_int(limit_addr_entries(), ==, 0);
	l[0] = limit_link_open(sa_of("198.51.100.20", &a), 3, 1, &why);
	l[1] = limit_link_open(sa_of("198.51.100.20", &a), 3, 1, &why);
	check(l[0] != NULL && l[1] == NULL);
	check_int(why, ==, LIMIT_LINK_ADDR);
	limit_close(l[0]);
	check_int(limit_link_total(), ==, 0);
}

int
main(void)
{
	TEST(test_count_release(), "count, refuse past -max-conns-per-ip, "
	    "release, entries freed at zero");
	TEST(test_total(), "total limit across addresses");
	TEST(test_unlimited(), "zero means unlimited");
	TEST(test_ipv6_keying(), "IPv6 counts per /64; IPv4-mapped as IPv4");
	TEST(test_non_ip(), "non-IP clients count in the total only");
	TEST(test_users(), "per-user counts: limit, same name, moving hold");
	TEST(test_many(), "20000 addresses: table grows, stays exact, "
	    "empties");
	TEST(test_bound(), "table bound: LIMIT_TABLE_MAX entries, then "
	    "refused");
	TEST(test_log_rate(), "refusal log: one per key per second, "
	    "suppressed count");
	TEST(test_clients_auto(), "default -max-clients from the open files "
	    "limit");
	TEST(test_siphash(), "SipHash-2-4 reference vectors");
	TEST(test_links(), "node links in handshake: their own totals, "
	    "address counts and refusal logs");
	TEST(test_link_trust(), "a node's address passes the per-address "
	    "handshake cap while the node is online");
	return (test_done());
}
