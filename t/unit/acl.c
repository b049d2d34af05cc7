/*
 * t/unit/acl.c: unit tests for modules/acl.c, the exit node's destination
 * policy.  acl_entry_parse on good and bad entries; acl_allowed on both
 * sides of every default-denied range, on the IPv4-mapped, -compatible and
 * NAT64 forms, on port 25, and with allow entries overriding.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "acl.h"
#include "tap.h"

/* Parse one entry that must be good; returns 0 or -1. */
static int
entry(const char *s, struct acl_entry *e)
{
	char	*cause = NULL;
	int	 r;

	r = acl_entry_parse(s, e, &cause);
	if (r != 0) {
		printf("# acl_entry_parse(\"%s\"): %s\n", s,
		    cause ? cause : "(no cause)");
		free(cause);
	}
	return (r);
}

/* "ip" or "ip6" and a port, as the node would see them resolved. */
static void
mksa(const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else {
		printf("# test bug: %s is not an address\n", ip);
		abort();
	}
}

/*
 * Is ip:port allowed under allow[]?  On refusal *why must be set; on
 * success it must be left alone.
 */
static int
allowed(const struct acl_entry *allow, size_t n, const char *ip,
    uint16_t port, const char **why)
{
	struct sockaddr_storage	 ss;
	const char		*w = NULL;
	int			 r;

	mksa(ip, port, &ss);
	r = acl_allowed(allow, n, (struct sockaddr *)&ss, &w);
	if (r == 0 && w == NULL)
		printf("# %s port %u refused without a reason\n", ip, port);
	if (r == 0 && w == NULL)
		w = "(no reason)";
	if (r == 1 && w != NULL)
		printf("# %s port %u allowed with a reason \"%s\"\n", ip,
		    port, w);
	if (r == 1 && w != NULL)
		r = 2;
	*why = w;
	return (r);
}

struct want {
	const char	*ip;
	const char	*why;	/* substring of the reason; NULL: allowed */
};

/* The default policy, no allow entries, port 443. */
static const struct want defaults[] = {
	/* 0.0.0.0/8 */
	{ "0.0.0.0", "0.0.0.0/8" },
	{ "0.255.255.255", "0.0.0.0/8" },
	{ "1.0.0.0", NULL },
	/* 10.0.0.0/8 */
	{ "9.255.255.255", NULL },
	{ "10.0.0.0", "10.0.0.0/8" },
	{ "10.255.255.255", "10.0.0.0/8" },
	{ "11.0.0.0", NULL },
	/* 100.64.0.0/10 */
	{ "100.63.255.255", NULL },
	{ "100.64.0.0", "100.64.0.0/10" },
	{ "100.100.100.100", "100.64.0.0/10" },
	{ "100.127.255.255", "100.64.0.0/10" },
	{ "100.128.0.0", NULL },
	/* 127.0.0.0/8 */
	{ "126.255.255.255", NULL },
	{ "127.0.0.1", "loopback" },
	{ "127.255.255.255", "loopback" },
	{ "128.0.0.0", NULL },
	/* 169.254.0.0/16 */
	{ "169.253.255.255", NULL },
	{ "169.254.169.254", "169.254.0.0/16" },
	{ "169.254.0.0", "169.254.0.0/16" },
	{ "169.255.0.0", NULL },
	/* 172.16.0.0/12 */
	{ "172.15.255.255", NULL },
	{ "172.16.0.0", "172.16.0.0/12" },
	{ "172.31.255.255", "172.16.0.0/12" },
	{ "172.32.0.0", NULL },
	/* 192.0.0.0/24 */
	{ "191.255.255.255", NULL },
	{ "192.0.0.0", "192.0.0.0/24" },
	{ "192.0.0.255", "192.0.0.0/24" },
	{ "192.0.1.0", NULL },
	/* 192.168.0.0/16 */
	{ "192.167.255.255", NULL },
	{ "192.168.0.0", "192.168.0.0/16" },
	{ "192.168.1.1", "192.168.0.0/16" },
	{ "192.168.255.255", "192.168.0.0/16" },
	{ "192.169.0.0", NULL },
	/* 198.18.0.0/15 */
	{ "198.17.255.255", NULL },
	{ "198.18.0.0", "198.18.0.0/15" },
	{ "198.19.255.255", "198.18.0.0/15" },
	{ "198.20.0.0", NULL },
	/* 224.0.0.0/4, 240.0.0.0/4 */
	{ "223.255.255.255", NULL },
	{ "224.0.0.0", "multicast" },
	{ "239.255.255.255", "multicast" },
	{ "240.0.0.0", "240.0.0.0/4" },
	{ "255.255.255.255", "240.0.0.0/4" },
	/* Public IPv4. */
	{ "93.184.216.34", NULL },
	{ "8.8.8.8", NULL },
	{ "1.1.1.1", NULL },

	/* IPv6 specials. */
	{ "::", "unspecified" },
	{ "::1", "loopback ::1" },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "fc00::", "fc00::/7" },
	{ "fd12:3456::1", "fc00::/7" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7" },
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "fe80::", "fe80::/10" },
	{ "fe80::1", "fe80::/10" },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10" },
	{ "fec0::", "fec0::/10" },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::/10" },
	{ "ff02::1", "multicast" },
	{ "ff00::", "multicast" },
	{ "ff0e::101", "multicast" },
	{ "100::", "100::/64" },
	{ "100::ffff:ffff:ffff:ffff", "100::/64" },
	{ "100:0:0:1::", NULL },
	{ "ff::1", NULL },
	/* IPv4-mapped. */
	{ "::ffff:127.0.0.1", "loopback" },
	{ "::ffff:10.1.2.3", "10.0.0.0/8" },
	{ "::ffff:169.254.169.254", "169.254.0.0/16" },
	{ "::ffff:0.0.0.0", "0.0.0.0/8" },
	{ "::ffff:255.255.255.255", "240.0.0.0/4" },
	{ "::ffff:8.8.8.8", NULL },
	/* IPv4-compatible (deprecated, still routable by some stacks). */
	{ "::127.0.0.1", "loopback" },
	{ "::10.0.0.1", "10.0.0.0/8" },
	{ "::8.8.8.8", NULL },
	/* NAT64 64:ff9b::/96. */
	{ "64:ff9b::a00:1", "10.0.0.0/8" },
	{ "64:ff9b::7f00:1", "loopback" },
	{ "64:ff9b::a9fe:a9fe", "169.254.0.0/16" },
	{ "64:ff9b::808:808", NULL },
	/* Public IPv6. */
	{ "2606:2800:220:1::1", NULL },
	{ "2001:4860:4860::8888", NULL },
};

static void
test_defaults(void)
{
	const struct want	*w;
	const char		*why;
	size_t			 i;
	int			 r;

	for (i = 0; i < nitems(defaults); i++) {
		w = &defaults[i];
		r = allowed(NULL, 0, w->ip, 443, &why);
		if (w->why == NULL) {
			if (r != 1)
				printf("# %s: refused (%s), want allowed\n",
				    w->ip, why);
			check_int(r, ==, 1);
			continue;
		}
		if (r != 0)
			printf("# %s: allowed, want refused (%s)\n", w->ip,
			    w->why);
		check_int(r, ==, 0);
		if (r == 0 && strstr(why, w->why) == NULL) {
			printf("# %s: reason \"%s\", want \"%s\"\n", w->ip,
			    why, w->why);
			check(strstr(why, w->why) != NULL);
		}
	}
}

static void
test_port25(void)
{
	struct acl_entry	 e[3];
	const char		*why;

	check_int(allowed(NULL, 0, "93.184.216.34", 25, &why), ==, 0);
	check_str(why, "SMTP port 25");
	check_int(allowed(NULL, 0, "2606:2800:220:1::1", 25, &why), ==, 0);
	check_str(why, "SMTP port 25");
	check_int(allowed(NULL, 0, "::ffff:8.8.8.8", 25, &why), ==, 0);
	check_str(why, "SMTP port 25");
	/* Neighbours of 25 are fine; 587 and 465 too. */
	check_int(allowed(NULL, 0, "93.184.216.34", 24, &why), ==, 1);
	check_int(allowed(NULL, 0, "93.184.216.34", 26, &why), ==, 1);
	check_int(allowed(NULL, 0, "93.184.216.34", 587, &why), ==, 1);
	check_int(allowed(NULL, 0, "93.184.216.34", 1, &why), ==, 1);
	check_int(allowed(NULL, 0, "93.184.216.34", 65535, &why), ==, 1);

	/* ":25" lifts the port rule, not the address rules. */
	check_int(entry(":25", &e[0]), ==, 0);
	check_int(allowed(e, 1, "93.184.216.34", 25, &why), ==, 1);
	check_int(allowed(e, 1, "2606:2800:220:1::1", 25, &why), ==, 1);
	check_int(allowed(e, 1, "127.0.0.1", 25, &why), ==, 0);
	check(why != NULL && strstr(why, "loopback") != NULL);
	check_int(allowed(e, 1, "10.0.0.1", 443, &why), ==, 0);

	/* Another port entry does not lift 25. */
	check_int(entry(":26", &e[0]), ==, 0);
	check_int(allowed(e, 1, "93.184.216.34", 25, &why), ==, 0);
	check_str(why, "SMTP port 25");

	/* An address allow does not lift port 25; both together do. */
	check_int(entry("127.0.0.0/8", &e[0]), ==, 0);
	check_int(allowed(e, 1, "127.0.0.1", 25, &why), ==, 0);
	check_str(why, "SMTP port 25");
	check_int(entry(":25", &e[1]), ==, 0);
	check_int(allowed(e, 2, "127.0.0.1", 25, &why), ==, 1);
}

static void
test_allow_override(void)
{
	struct acl_entry	 e[4];
	const char		*why;

	check_int(entry("127.0.0.0/8", &e[0]), ==, 0);
	check_int(allowed(e, 1, "127.0.0.1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "127.255.0.9", 80, &why), ==, 1);
	check_int(allowed(e, 1, "::ffff:127.0.0.1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "128.0.0.1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "10.0.0.1", 443, &why), ==, 0);
	check(why != NULL && strstr(why, "10.0.0.0/8") != NULL);
	check_int(allowed(e, 1, "::1", 443, &why), ==, 0);
	check_str(why, "loopback ::1");

	check_int(entry("10.0.0.0/8", &e[0]), ==, 0);
	check_int(allowed(e, 1, "10.1.2.3", 443, &why), ==, 1);
	check_int(allowed(e, 1, "::ffff:10.1.2.3", 443, &why), ==, 1);
	check_int(allowed(e, 1, "192.168.1.1", 443, &why), ==, 0);
	check(why != NULL && strstr(why, "192.168.0.0/16") != NULL);
	check_int(allowed(e, 1, "11.0.0.1", 443, &why), ==, 1);

	/* A single host: only that host. */
	check_int(entry("192.168.1.7", &e[0]), ==, 0);
	check_int(allowed(e, 1, "192.168.1.7", 443, &why), ==, 1);
	check_int(allowed(e, 1, "192.168.1.6", 443, &why), ==, 0);
	check_int(allowed(e, 1, "192.168.1.8", 443, &why), ==, 0);

	/* Odd prefix lengths: 172.16.0.0/13 covers 172.16-23 only. */
	check_int(entry("172.16.0.0/13", &e[0]), ==, 0);
	check_int(allowed(e, 1, "172.23.255.255", 443, &why), ==, 1);
	check_int(allowed(e, 1, "172.24.0.0", 443, &why), ==, 0);

	/* IPv6 ranges. */
	check_int(entry("fd00::/8", &e[0]), ==, 0);
	check_int(allowed(e, 1, "fd12::1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "fc00::1", 443, &why), ==, 0);
	check(why != NULL && strstr(why, "fc00::/7") != NULL);
	check_int(allowed(e, 1, "10.0.0.1", 443, &why), ==, 0);
	check_int(entry("fe80::/10", &e[1]), ==, 0);
	check_int(allowed(e, 2, "fe80::1", 443, &why), ==, 1);
	check_int(allowed(e, 2, "fd12::1", 443, &why), ==, 1);
	check_int(allowed(e, 2, "fec0::1", 443, &why), ==, 0);

	/* Everything IPv4, nothing IPv6. */
	check_int(entry("0.0.0.0/0", &e[0]), ==, 0);
	check_int(allowed(e, 1, "10.0.0.1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "255.255.255.255", 443, &why), ==, 1);
	check_int(allowed(e, 1, "::ffff:192.168.0.1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "fc00::1", 443, &why), ==, 0);

	/* IPv6 loopback, entry built by hand (see test_parse_v6_colon). */
	memset(&e[0], 0, sizeof e[0]);
	e[0].family = AF_INET6;
	e[0].addr[15] = 1;
	e[0].bits = 128;
	check_int(allowed(e, 1, "::1", 443, &why), ==, 1);
	check_int(allowed(e, 1, "::", 443, &why), ==, 0);
	check_int(allowed(e, 1, "127.0.0.1", 443, &why), ==, 0);
}

static void
test_not_ip(void)
{
	struct sockaddr_un	 sun;
	const char		*why = NULL;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	check_int(acl_allowed(NULL, 0, (struct sockaddr *)&sun, &why), ==, 0);
	check_str(why, "not an IP address");
}

static void
test_parse_good(void)
{
	struct acl_entry	 e;
	uint8_t			 a6[16];

	check_int(entry("10.0.0.0/8", &e), ==, 0);
	check_int(e.family, ==, AF_INET);
	check_int(e.bits, ==, 8);
	check_mem(e.addr, "\x0a\x00\x00\x00", 4);
	check_int(e.port, ==, 0);

	check_int(entry("192.168.1.7", &e), ==, 0);
	check_int(e.family, ==, AF_INET);
	check_int(e.bits, ==, 32);
	check_mem(e.addr, "\xc0\xa8\x01\x07", 4);

	check_int(entry("0.0.0.0/0", &e), ==, 0);
	check_int(e.bits, ==, 0);
	check_int(entry("1.2.3.4/32", &e), ==, 0);
	check_int(e.bits, ==, 32);
	check_int(entry("100.64.0.0/10", &e), ==, 0);
	check_int(e.bits, ==, 10);

	check_int(entry("fd00::/8", &e), ==, 0);
	check_int(e.family, ==, AF_INET6);
	check_int(e.bits, ==, 8);
	inet_pton(AF_INET6, "fd00::", a6);
	check_mem(e.addr, a6, 16);

	check_int(entry("2001:db8::1", &e), ==, 0);
	check_int(e.family, ==, AF_INET6);
	check_int(e.bits, ==, 128);
	inet_pton(AF_INET6, "2001:db8::1", a6);
	check_mem(e.addr, a6, 16);
	check_int(entry("2001:db8::/128", &e), ==, 0);
	check_int(e.bits, ==, 128);
	check_int(entry("fe80::/0", &e), ==, 0);
	check_int(e.bits, ==, 0);

	check_int(entry(":25", &e), ==, 0);
	check_int(e.family, ==, 0);
	check_int(e.port, ==, 25);
	check_int(entry(":1", &e), ==, 0);
	check_int(e.port, ==, 1);
	check_int(entry(":65535", &e), ==, 0);
	check_int(e.port, ==, 65535);
}

/*
 * acl.h names "::1" as an entry; every IPv6 address written with a
 * leading "::" starts with ':' like a port.
 */
static void
test_parse_v6_colon(void)
{
	static const char	*good[] = { "::1", "::/0", "::ffff:127.0.0.1",
	    "::ffff:0:0/96", "::" };
	struct acl_entry	 e;
	uint8_t			 a6[16];
	size_t			 i;

	for (i = 0; i < nitems(good); i++)
		check_int(entry(good[i], &e), ==, 0);
	memset(&e, 0x55, sizeof e);
	if (entry("::1", &e) == 0) {
		inet_pton(AF_INET6, "::1", a6);
		check_int(e.family, ==, AF_INET6);
		check_int(e.bits, ==, 128);
		check_mem(e.addr, a6, 16);
	}
}

static void
test_parse_bad(void)
{
	static const char	*bad[] = {
	    "", ":", ":0", ":65536", ":-1", ":25x", ":99999999999999999999",
	    "junk", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8/8",
	    "10.0.0.0/8x", "10.0.0.0/x", "/8", "1.2.3", "1.2.3.4.5",
	    "256.0.0.1", "1.2.3.4:80", "[::1]", "fd00::/129", "fd00::/1000",
	    "fd00:::1", "localhost", "example.com", "10.0.0.0 /8",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaa",
	    "1111:2222:3333:4444:5555:6666:7777:8888/128xxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxx",
	};
	struct acl_entry	 e;
	char			*cause;
	size_t			 i;
	int			 r;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		r = acl_entry_parse(bad[i], &e, &cause);
		if (r != -1)
			printf("# \"%s\" accepted\n", bad[i]);
		check_int(r, ==, -1);
		check(cause != NULL);
		if (cause != NULL && strstr(cause, bad[i]) == NULL) {
			printf("# cause \"%s\" does not name \"%s\"\n", cause,
			    bad[i]);
			check(0);
		}
		free(cause);
	}
}

/* A socket address from text ("1.2.3.4" or "::1"), port p. */
static void
sa_make(struct sockaddr_storage *ss, const char *a, int p)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
	} else {
		inet_pton(AF_INET6, a, &sin6->sin6_addr);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
	}
}

static void
test_local(void)
{
	struct sockaddr_storage	 local[3], t;
	struct acl_entry	 e[2];
	char			*cause = NULL;

	sa_make(&local[0], "203.0.113.7", 0);
	sa_make(&local[1], "2001:db8::7", 0);
	sa_make(&local[2], "198.51.100.1", 0);
	/* Any port on a local address is local; mapped forms too. */
	sa_make(&t, "203.0.113.7", 443);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "::ffff:203.0.113.7", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "2001:db8::7", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "203.0.113.8", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	sa_make(&t, "2001:db8::8", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	check_int(acl_is_local(local, 0, (struct sockaddr *)&t), ==, 0);

	check_int(acl_entry_parse("203.0.113.0/24", &e[0], &cause), ==, 0);
	check_int(acl_entry_parse(":80", &e[1], &cause), ==, 0);
	sa_make(&t, "203.0.113.7", 80);
	check_int(acl_listed(e, 2, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "::ffff:203.0.113.9", 80);
	check_int(acl_listed(e, 2, (struct sockaddr *)&t), ==, 1);
	/* A port entry does not list an address. */
	sa_make(&t, "198.51.100.1", 80);
	check_int(acl_listed(e, 2, (struct sockaddr *)&t), ==, 0);
}

int
main(void)
{
	TEST(test_parse_good(), "acl_entry_parse: CIDR, bare v4/v6, ports");
	TEST(test_parse_bad(), "acl_entry_parse: bad bits, ports, junk");
	TEST(test_parse_v6_colon(),
	    "acl_entry_parse: IPv6 entries starting with \"::\"");
	TEST(test_defaults(), "acl_allowed: both sides of every default range");
	TEST(test_port25(), "acl_allowed: port 25 refused unless :25");
	TEST(test_allow_override(), "acl_allowed: allow entries override");
	TEST(test_not_ip(), "acl_allowed: not an IP address");
	TEST(test_local(), "acl_is_local, acl_listed");
	return (test_done());
}
