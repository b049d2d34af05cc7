/*
 * t/unit/acl.c: unit tests for modules/acl.c, the exit node's destination
 * policy.  acl_entry_parse on good and bad entries in every form;
 * acl_allowed on both sides of every default-denied range, each IPv4 one in
 * its plain, IPv4-mapped, -compatible, NAT64 and local-use NAT64 forms, on
 * port 25, and with allow entries (in every form) overriding; acl_listed as
 * a deny list with entries and addresses in every form; acl_is_local; and
 * acl_host_numeric over a table of names.
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

	/* IPv6 first: musl's failed AF_INET parse writes sin6_flowinfo. */
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	} else if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
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
	{ "64:ff9b::", "0.0.0.0/8" },
	{ "64:ff9b::ffff:ffff", "240.0.0.0/4" },
	/* Neighbours of 64:ff9b::/96: plain IPv6, nothing embedded. */
	{ "64:ff9a:ffff:ffff:ffff:ffff:7f00:1", NULL },
	{ "64:ff9b::1:7f00:1", NULL },
	{ "64:ff9b:0:ffff:ffff:ffff:7f00:1", NULL },
	/* Local-use NAT64 64:ff9b:1::/48: the /96 embedding is IPv4. */
	{ "64:ff9b:1::7f00:1", "loopback" },
	{ "64:ff9b:1::a9fe:a9fe", "169.254.0.0/16" },
	{ "64:ff9b:1::c0a8:101", "192.168.0.0/16" },
	{ "64:ff9b:1::808:808", NULL },
	{ "64:ff9b:1::", "0.0.0.0/8" },
	/* The rest of it embeds IPv4 elsewhere, or nothing: refused. */
	{ "64:ff9b:1::1:0:0", "local-use NAT64 64:ff9b:1::/48" },
	{ "64:ff9b:1:0:1::", "local-use NAT64" },
	{ "64:ff9b:1:7f00:1::", "local-use NAT64" },
	{ "64:ff9b:1:1::808:808", "local-use NAT64" },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "local-use NAT64" },
	{ "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", NULL },
	{ "64:ff9b:2::", NULL },
	/* IPv4-compatible: :: and ::1 are IPv6's own, ::0.0.0.2 is not. */
	{ "::0.0.0.2", "0.0.0.0/8" },
	{ "::1:0", "0.0.0.0/8" },
	{ "::ffff:ffff", "240.0.0.0/4" },
	/* Neighbours of ::ffff:0:0/96 and ::/96: plain IPv6. */
	{ "::fffe:7f00:1", NULL },
	{ "::1:0:7f00:1", NULL },
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

/* The IPv6 forms an IPv4 address is written in; "%s" is a.b.c.d. */
static const char *forms[] = {
	"%s", "::ffff:%s", "::%s", "64:ff9b::%s", "64:ff9b:1::%s",
};
#define FORM_PLAIN	0
#define FORM_MAPPED	1
#define FORM_COMPAT	2

/* ip (IPv4) written in form f into buf. */
static const char *
form(size_t f, const char *ip, char *buf, size_t len)
{
	snprintf(buf, len, forms[f], ip);
	return (buf);
}

/*
 * Every IPv4 row of defaults[] again in each IPv6 form: the same verdict
 * and reason, except that ::0.0.0.0 and ::0.0.0.1 are :: and ::1.
 */
static void
test_defaults_forms(void)
{
	struct sockaddr_storage	 ss;
	const struct want	*w;
	const char		*why, *want;
	char			 buf[64];
	size_t			 i, f;
	int			 r;

	for (i = 0; i < nitems(defaults); i++) {
		w = &defaults[i];
		if (inet_pton(AF_INET, w->ip, &ss) != 1)
			continue;
		for (f = 1; f < nitems(forms); f++) {
			form(f, w->ip, buf, sizeof buf);
			want = w->why;
			if (strcmp(buf, "::0.0.0.0") == 0)
				want = "unspecified address ::";
			r = allowed(NULL, 0, buf, 443, &why);
			if (r != (want == NULL) ||
			    (want != NULL && strstr(why, want) == NULL)) {
				printf("# %s: %s, want %s\n", buf,
				    r ? "allowed" : why, want ? want :
				    "allowed");
				check(0);
			}
		}
	}
	/* ::1 is IPv6 loopback, not 0.0.0.1. */
	check_int(allowed(NULL, 0, "::0.0.0.1", 443, &why), ==, 0);
	check_str(why, "loopback ::1");
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

	/* Embedding forms are kept as written (reduced when compared). */
	check_int(entry("64:ff9b::203.0.113.0/120", &e), ==, 0);
	check_int(e.family, ==, AF_INET6);
	check_int(e.bits, ==, 120);
	inet_pton(AF_INET6, "64:ff9b::cb00:7100", a6);
	check_mem(e.addr, a6, 16);
	check_int(entry("64:ff9b:1::cb00:7105", &e), ==, 0);
	check_int(e.bits, ==, 128);
	check_int(entry("64:ff9b:1::/48", &e), ==, 0);
	check_int(e.bits, ==, 48);
	check_int(entry("::203.0.113.5", &e), ==, 0);
	check_int(e.family, ==, AF_INET6);
	/* But for the mapped form: the IPv4 socket itself. */
	check_int(entry("::ffff:203.0.113.0/120", &e), ==, 0);
	check_int(e.family, ==, AF_INET);
	check_int(e.bits, ==, 24);
	check_mem(e.addr, "\xcb\x00\x71\x00", 4);
	check_int(entry("::ffff:0:0/96", &e), ==, 0);
	check_int(e.family, ==, AF_INET);
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
	    "0177.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "127.0.0.01",
	    "127.0.0.1.", "::ffff:0177.0.0.1", "64:ff9b::1.2.3.4.5",
	    "64:ff9b::/129", "fe80::1%lo", "[::1]/128",
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

/* Is ip on list[] (acl_listed, the deny-list rule)? */
static int
listed(const struct acl_entry *list, size_t n, const char *ip)
{
	struct sockaddr_storage	 ss;

	mksa(ip, 80, &ss);
	return (acl_listed(list, n, (struct sockaddr *)&ss));
}

/* One IPv4 range and its edges, for entries written in every form. */
struct range {
	const char	*v4;		/* the entry, in IPv4 */
	u_int		 bits;		/* its IPv4 prefix length */
	const char	*in[3];		/* addresses inside */
	const char	*out[3];	/* its neighbours outside */
};

static const struct range ranges[] = {
	{ "203.0.113.5", 32, { "203.0.113.5" },
	    { "203.0.113.4", "203.0.113.6", "8.8.8.8" } },
	{ "203.0.113.0", 24, { "203.0.113.0", "203.0.113.5",
	    "203.0.113.255" }, { "203.0.112.255", "203.0.114.0",
	    "127.0.0.1" } },
	{ "10.1.0.0", 16, { "10.1.0.0", "10.1.128.1", "10.1.255.255" },
	    { "10.0.255.255", "10.2.0.0", "192.168.1.1" } },
	{ "0.0.0.0", 0, { "0.0.0.2", "127.0.0.1", "255.255.255.255" },
	    { NULL } },
};

/* range r as an entry written in form f into buf. */
static const char *
range_entry(const struct range *r, size_t f, char *buf, size_t len)
{
	char	 a[48];

	form(f, r->v4, a, sizeof a);
	snprintf(buf, len, "%s/%u", a, r->bits + (f == FORM_PLAIN ? 0 :
	    96));
	return (buf);
}

/*
 * A deny entry in any form refuses the addresses it names in every form,
 * and nothing else: "deny: 203.0.113.5" refuses 64:ff9b::cb00:7105.
 */
static void
test_deny_forms(void)
{
	const struct range	*r;
	struct acl_entry	 e;
	char			 es[80], ip[64];
	size_t			 i, ef, af, k;

	for (i = 0; i < nitems(ranges); i++) {
		r = &ranges[i];
		for (ef = 0; ef < nitems(forms); ef++) {
			range_entry(r, ef, es, sizeof es);
			if (entry(es, &e) != 0) {
				check(0);
				continue;
			}
			for (af = 0; af < nitems(forms); af++) {
				for (k = 0; k < 3 && r->in[k] != NULL; k++) {
					form(af, r->in[k], ip, sizeof ip);
					if (listed(&e, 1, ip) == 1)
						continue;
					printf("# deny %s: %s not listed\n",
					    es, ip);
					check(0);
				}
				for (k = 0; k < 3 && r->out[k] != NULL; k++) {
					form(af, r->out[k], ip, sizeof ip);
					if (listed(&e, 1, ip) == 0)
						continue;
					printf("# deny %s: %s listed\n", es,
					    ip);
					check(0);
				}
			}
			/* Not IPv6 addresses that embed nothing. */
			check_int(listed(&e, 1, "2001:db8::cb00:7105"), ==, 0);
			check_int(listed(&e, 1, "64:ff9b:1:1::cb00:7105"), ==,
			    0);
		}
	}
}

/*
 * Deny entries that stay IPv6: they cover the IPv6 addresses they name as
 * written (::/0 is every IPv6 address, the NAT64 forms of public IPv4
 * too) and never a plain IPv4 address.
 */
struct listcase {
	const char	*entry;
	const char	*ip;
	int		 want;
};

static const struct listcase deny6[] = {
	{ "::/0", "2001:db8::1", 1 },
	{ "::/0", "64:ff9b::cb00:7105", 1 },
	{ "::/0", "::ffff:203.0.113.5", 1 },
	{ "::/0", "::203.0.113.5", 1 },
	{ "::/0", "203.0.113.5", 0 },
	{ "64:ff9b::/32", "64:ff9b::cb00:7105", 1 },
	{ "64:ff9b::/32", "64:ff9b:1::cb00:7105", 1 },
	{ "64:ff9b::/32", "64:ff9b:1:1::", 1 },
	{ "64:ff9b::/32", "203.0.113.5", 0 },
	{ "64:ff9b::/32", "::ffff:203.0.113.5", 0 },
	{ "64:ff9b::/32", "64:ff9c::", 0 },
	/* /96 and longer in an embedding prefix: IPv4. */
	{ "64:ff9b::/96", "8.8.8.8", 1 },
	{ "64:ff9b::/96", "::ffff:8.8.8.8", 1 },
	{ "64:ff9b::/96", "2001:db8::1", 0 },
	{ "::ffff:0:0/96", "64:ff9b::808:808", 1 },
	{ "::/96", "8.8.8.8", 1 },
	{ "::/96", "::", 1 },
	{ "::/96", "::1", 1 },
	{ "::/96", "2001:db8::1", 0 },
	{ "64:ff9b:1::/48", "64:ff9b:1:1::", 1 },
	{ "64:ff9b:1::/48", "64:ff9b:1::808:808", 1 },
	{ "64:ff9b:1::/48", "8.8.8.8", 0 },
	{ "64:ff9b:1::/48", "64:ff9b::808:808", 0 },
	/* :: and ::1 are IPv6 entries, not 0.0.0.0 and 0.0.0.1. */
	{ "::1", "::1", 1 },
	{ "::1", "0.0.0.1", 0 },
	{ "::1", "::ffff:0.0.0.1", 0 },
	{ "::1", "127.0.0.1", 0 },
	{ "::", "::", 1 },
	{ "::", "0.0.0.0", 0 },
	{ "::/127", "::1", 1 },
	{ "::/127", "::0.0.0.2", 0 },
	{ "::2/127", "::0.0.0.3", 1 },
	{ "::2/127", "0.0.0.3", 1 },
	{ "::2/127", "::1", 0 },
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::", 0 },
	{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0 },
	/* A port entry lists no address. */
	{ ":80", "203.0.113.5", 0 },
	{ ":80", "::1", 0 },
};

static void
test_deny_v6(void)
{
	const struct listcase	*c;
	struct acl_entry	 e;
	size_t			 i;
	int			 got;

	for (i = 0; i < nitems(deny6); i++) {
		c = &deny6[i];
		if (entry(c->entry, &e) != 0) {
			check(0);
			continue;
		}
		if ((got = listed(&e, 1, c->ip)) != c->want) {
			printf("# deny %s: %s %slisted\n", c->entry, c->ip,
			    got ? "" : "not ");
			check(0);
		}
	}
}

/*
 * The hub's -pool-deny reaches the node as a POLICY frame, whose entries
 * the node builds by hand: an entry in NAT64 form is reduced there too.
 */
static void
test_deny_by_hand(void)
{
	struct acl_entry	 e[2];

	memset(e, 0, sizeof e);
	e[0].family = AF_INET6;
	inet_pton(AF_INET6, "64:ff9b::cb00:7100", e[0].addr);
	e[0].bits = 120;
	e[1].port = 25;
	check_int(listed(e, 2, "203.0.113.5"), ==, 1);
	check_int(listed(e, 2, "::ffff:203.0.113.255"), ==, 1);
	check_int(listed(e, 2, "::203.0.113.0"), ==, 1);
	check_int(listed(e, 2, "64:ff9b::cb00:7105"), ==, 1);
	check_int(listed(e, 2, "64:ff9b:1::cb00:7105"), ==, 1);
	check_int(listed(e, 2, "203.0.114.0"), ==, 0);
	check_int(listed(e, 2, "64:ff9b::cb00:7200"), ==, 0);
	memset(e, 0, sizeof e);
	e[0].family = AF_INET;
	inet_pton(AF_INET, "203.0.113.0", e[0].addr);
	e[0].bits = 24;
	check_int(listed(e, 1, "64:ff9b::cb00:7105"), ==, 1);
	check_int(listed(e, 1, "::cb00:71ff"), ==, 1);
	check_int(listed(e, 1, "64:ff9b:1::cb00:7100"), ==, 1);
	check_int(listed(e, 1, "203.0.112.255"), ==, 0);
}

/*
 * An allow entry (a range inside 10.0.0.0/8) written in form ef: the plain
 * and mapped forms of the addresses in it are lifted whatever the form of
 * the entry; a compatible or NAT64 form only by an entry in that form.
 */
static void
test_allow_forms(void)
{
	const struct range	*r = &ranges[2];	/* 10.1.0.0/16 */
	struct acl_entry	 e;
	const char		*why;
	char			 es[80], ip[64];
	size_t			 ef, af, k;
	int			 got, want;

	for (ef = 0; ef < nitems(forms); ef++) {
		range_entry(r, ef, es, sizeof es);
		if (entry(es, &e) != 0) {
			check(0);
			continue;
		}
		for (af = 0; af < nitems(forms); af++) {
			want = af == FORM_PLAIN || af == FORM_MAPPED ||
			    af == ef;
			for (k = 0; k < 3; k++) {
				form(af, r->in[k], ip, sizeof ip);
				got = allowed(&e, 1, ip, 443, &why);
				if (got != want) {
					printf("# allow %s: %s %s\n", es, ip,
					    got ? "allowed" : why);
					check(0);
				}
				form(af, r->out[k], ip, sizeof ip);
				if (allowed(&e, 1, ip, 443, &why) != 0) {
					printf("# allow %s: %s allowed\n", es,
					    ip);
					check(0);
				}
			}
		}
	}
}

/* Allow entries that stay IPv6, and /96 entries that are all of IPv4. */
static const struct listcase allow6[] = {
	{ "::/0", "fd00::1", 1 },
	{ "::/0", "::1", 1 },
	{ "::/0", "::ffff:127.0.0.1", 0 },
	{ "::/0", "::127.0.0.1", 0 },
	{ "::/0", "64:ff9b::7f00:1", 0 },
	{ "::/0", "64:ff9b:1::a00:1", 0 },
	{ "::/0", "127.0.0.1", 0 },
	{ "64:ff9b:1::/48", "64:ff9b:1:1::", 1 },
	{ "64:ff9b:1::/48", "64:ff9b:1::1:a00:1", 1 },
	{ "64:ff9b:1::/48", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", 1 },
	{ "64:ff9b:1::/48", "64:ff9b:1::a00:1", 0 },
	{ "64:ff9b:1::/48", "10.0.0.1", 0 },
	{ "64:ff9b:1::/48", "fd00::1", 0 },
	{ "64:ff9b:1::/64", "64:ff9b:1:0:1::", 1 },
	{ "64:ff9b:1::/64", "64:ff9b:1:1::", 0 },
	{ "64:ff9b::/96", "10.0.0.1", 1 },
	{ "64:ff9b::/96", "::ffff:127.0.0.1", 1 },
	{ "64:ff9b::/96", "64:ff9b::a00:1", 1 },
	{ "64:ff9b::/96", "64:ff9b:1::a00:1", 0 },
	{ "64:ff9b::/96", "::a00:1", 0 },
	{ "64:ff9b::/96", "::1", 0 },
	{ "64:ff9b::/96", "fd00::1", 0 },
	{ "::ffff:0:0/96", "10.0.0.1", 1 },
	{ "::ffff:0:0/96", "64:ff9b::a00:1", 0 },
	{ "::1", "::1", 1 },
	{ "::1", "0.0.0.1", 0 },
	{ "::1", "::", 0 },
	{ "::/127", "::", 1 },
	{ "::/127", "::1", 1 },
	{ "::/127", "::0.0.0.2", 0 },
	{ "fd00::/8", "fd12::1", 1 },
	{ "fd00::/8", "fc00::1", 0 },
};

static void
test_allow_v6(void)
{
	const struct listcase	*c;
	struct acl_entry	 e;
	const char		*why;
	size_t			 i;
	int			 got;

	for (i = 0; i < nitems(allow6); i++) {
		c = &allow6[i];
		if (entry(c->entry, &e) != 0) {
			check(0);
			continue;
		}
		if ((got = allowed(&e, 1, c->ip, 443, &why)) != c->want) {
			printf("# allow %s: %s %s\n", c->entry, c->ip,
			    got ? "allowed" : why);
			check(0);
		}
	}
}

/* A socket address from text ("1.2.3.4" or "::1"), port p. */
static void
sa_make(struct sockaddr_storage *ss, const char *a, int p)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET6, a, &sin6->sin6_addr) != 1) {
		inet_pton(AF_INET, a, &sin->sin_addr);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
	} else {
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
	sa_make(&t, "::203.0.113.7", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "64:ff9b::cb00:7107", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "64:ff9b:1::cb00:7107", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "64:ff9b:1:1::cb00:7107", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	sa_make(&t, "203.0.113.8", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	sa_make(&t, "64:ff9b::cb00:7108", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	/* A local address listed in a mapped form: the same address. */
	sa_make(&local[2], "::ffff:198.51.100.1", 0);
	sa_make(&t, "198.51.100.1", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	sa_make(&t, "64:ff9b::c633:6401", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
	/* ::1 is not 0.0.0.1. */
	sa_make(&local[2], "::1", 0);
	sa_make(&t, "0.0.0.1", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 0);
	sa_make(&t, "::1", 80);
	check_int(acl_is_local(local, 3, (struct sockaddr *)&t), ==, 1);
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

struct numeric {
	const char	*host;
	int		 want;		/* acl_host_numeric's return */
	const char	*addr;		/* 1: the address; -1: part of why */
};

static const struct numeric numerics[] = {
	/* Unambiguous addresses. */
	{ "127.0.0.1", 1, "127.0.0.1" },
	{ "0.0.0.0", 1, "0.0.0.0" },
	{ "255.255.255.255", 1, "255.255.255.255" },
	{ "203.0.113.5", 1, "203.0.113.5" },
	{ "10.0.0.1", 1, "10.0.0.1" },
	{ "1.2.3.4", 1, "1.2.3.4" },
	{ "100.200.250.199", 1, "100.200.250.199" },
	{ "::1", 1, "::1" },
	{ "::", 1, "::" },
	{ "::ffff:127.0.0.1", 1, "::ffff:127.0.0.1" },
	{ "64:ff9b::cb00:7105", 1, "64:ff9b::cb00:7105" },
	{ "64:ff9b::203.0.113.5", 1, "64:ff9b::cb00:7105" },
	{ "2001:DB8::1", 1, "2001:db8::1" },
	/* Names: the last label is not a number. */
	{ "example.com", 0, NULL },
	{ "localhost", 0, NULL },
	{ "example.com.", 0, NULL },
	{ "1x.example", 0, NULL },
	{ "123.example", 0, NULL },
	{ "1.2.3.example", 0, NULL },
	{ "example.123abc", 0, NULL },
	{ "example.0x1g", 0, NULL },
	{ "example.x0", 0, NULL },
	{ "example.0xx", 0, NULL },
	{ "1.2.3.4x", 0, NULL },
	{ "1.2.3.-4", 0, NULL },
	{ "1.2.3.4%lo", 0, NULL },
	{ "xn--bcher-kva.example", 0, NULL },
	{ "a_b-c.d", 0, NULL },
	{ "0x7f.example", 0, NULL },
	{ "foo..", 0, NULL },
	{ ".", 0, NULL },
	{ "0xg", 0, NULL },
	{ "a", 0, NULL },
	/* Numeric, but resolvers disagree: refused. */
	{ "0177.0.0.1", -1, "leading zero" },
	{ "127.0.0.01", -1, "leading zero" },
	{ "00.0.0.0", -1, "leading zero" },
	{ "010.0.0.1", -1, "leading zero" },
	{ "127.1", -1, "four parts" },
	{ "127.0.1", -1, "four parts" },
	{ "2130706433", -1, "four parts" },
	{ "0x7f000001", -1, "four parts" },
	{ "0", -1, "four parts" },
	{ "01", -1, "four parts" },
	{ "0x", -1, "four parts" },
	{ "1.2.3.4.5", -1, "four parts" },
	{ "1.1.1.1.1.1.1.1", -1, "four parts" },
	{ "example.123", -1, "four parts" },
	{ "example.0x1F", -1, "four parts" },
	{ "example.0X", -1, "four parts" },
	{ "0x7f.0.0.1", -1, "not decimal" },
	{ "0X7F.0.0.1", -1, "not decimal" },
	{ "127.0.0.0x1", -1, "not decimal" },
	{ "127.0.0x0.1", -1, "not decimal" },
	{ "a.b.c.1", -1, "not decimal" },
	{ "1..2.3", -1, "not decimal" },
	{ ".1.2.3", -1, "not decimal" },
	{ "+127.0.0.1", -1, "not decimal" },
	{ "127.-0.0.1", -1, "not decimal" },
	{ "256.1.1.1", -1, "over 255" },
	{ "1.2.3.256", -1, "over 255" },
	{ "1.2.3.99999999999999999999999", -1, "over 255" },
	{ "127.0.0.1.", -1, "trailing dot" },
	{ "1.2.3.4.", -1, "trailing dot" },
	{ "example.123.", -1, "trailing dot" },
	{ "2130706433.", -1, "trailing dot" },
	{ "", -1, "empty" },
	{ " 127.0.0.1", -1, "space" },
	{ "127.0.0.1 ", -1, "space" },
	{ "127.0.0.1\tfoo", -1, "space" },
	{ "127.0.0.1\n", -1, "space" },
	{ "exa mple.com", -1, "space" },
	{ "example\x7f.com", -1, "control" },
	{ "[::1]", -1, "':'" },
	{ "fe80::1%lo", -1, "':'" },
	{ "1.2.3.4:80", -1, "':'" },
	{ "::ffff:0177.0.0.1", -1, "':'" },
	{ ":::1", -1, "':'" },
	{ "example.com:443", -1, "':'" },
};

static void
test_host_numeric(void)
{
	const struct numeric	*n;
	struct sockaddr_storage	 ss, want;
	const char		*why;
	size_t			 i;
	int			 r, ok;

	for (i = 0; i < nitems(numerics); i++) {
		n = &numerics[i];
		why = NULL;
		memset(&ss, 0x55, sizeof ss);
		r = acl_host_numeric(n->host, &ss, &why);
		ok = r == n->want;
		if (ok && r == 1) {
			mksa(n->addr, 0, &want);
			ok = ss.ss_family == want.ss_family &&
			    memcmp(&ss, &want, ss.ss_family == AF_INET ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6)) == 0 && why == NULL;
		}
		if (ok && r == 0)
			ok = why == NULL;
		if (ok && r == -1)
			ok = why != NULL && strstr(why, n->addr) != NULL;
		if (!ok) {
			printf("# \"%s\": %d (%s), want %d (%s)\n", n->host, r,
			    why ? why : "no reason", n->want,
			    n->addr ? n->addr : "-");
			check(0);
		}
	}
}

/* acl_rule_parse: the node's ADDR:PORT forms, and bare ports in allow. */
static void
test_rule_parse(void)
{
	static const struct {
		const char	*s;
		int		 family;
		u_int		 bits;
		u_int		 port;
	} good[] = {
	    { "127.0.0.1:8080", AF_INET, 32, 8080 },
	    { "10.0.0.0/8:443", AF_INET, 8, 443 },
	    { "0.0.0.0/0:1", AF_INET, 0, 1 },
	    { "[::1]:8080", AF_INET6, 128, 8080 },
	    { "[fd00::/8]:65535", AF_INET6, 8, 65535 },
	    { "[::ffff:127.0.0.1]:80", AF_INET, 32, 80 },
	    { "[::1]", AF_INET6, 128, 0 },
	    { "127.0.0.1", AF_INET, 32, 0 },
	    { "::1", AF_INET6, 128, 0 },
	    { "fd00::/8", AF_INET6, 8, 0 },
	    { ":25", 0, 0, 25 },
	};
	static const char	*bad[] = {
	    "", ":", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
	    "127.0.0.1:x", "127.0.0.1:+80", "127.0.0.1:80:80", "[::1]:",
	    "[::1]x", "[::1", "[10.0.0.1]:80", "[]:80", "localhost:80",
	    "10.0.0.0/33:80", "::1:80x", "127.1:80", ":0", ":65536",
	    "[:21]", "[:25]:80",
	};
	struct acl_entry	 e;
	char			*cause;
	size_t			 i;

	for (i = 0; i < nitems(good); i++) {
		test_case("%s", good[i].s);
		cause = NULL;
		check_int(acl_rule_parse(good[i].s, 0, &e, &cause), ==, 0);
		check_int(e.family, ==, good[i].family);
		check_int(e.bits, ==, good[i].bits);
		check_int(e.port, ==, good[i].port);
		free(cause);
	}
	for (i = 0; i < nitems(bad); i++) {
		test_case("%s", bad[i]);
		cause = NULL;
		check_int(acl_rule_parse(bad[i], 0, &e, &cause), ==, -1);
		check(cause != NULL && strstr(cause, "[::1]:8080") != NULL);
		free(cause);
	}
	test_case_end();
	/* allow: a bare port other than :25 would lift nothing. */
	cause = NULL;
	check_int(acl_rule_parse(":25", 1, &e, &cause), ==, 0);
	check_int(acl_rule_parse(":18080", 0, &e, &cause), ==, 0);
	check_int(acl_rule_parse(":18080", 1, &e, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "127.0.0.1:18080") != NULL &&
	    strstr(cause, "only the SMTP denial") != NULL);
	free(cause);
}

/* acl_list_split: list brackets versus an entry's own. */
static void
test_list_split(void)
{
	char	 w[4][64], *cause = NULL;

	check_int(acl_list_split("[::1]:80, [fd00::/8]:443", w, 4, &cause),
	    ==, 2);
	check_str(w[0], "[::1]:80");
	check_str(w[1], "[fd00::/8]:443");
	check_int(acl_list_split(" [ [::1]:80 10.0.0.0/8 ] ", w, 4, &cause),
	    ==, 2);
	check_str(w[0], "[::1]:80");
	check_str(w[1], "10.0.0.0/8");
	check_int(acl_list_split("[::1]", w, 4, &cause), ==, 1);
	check_str(w[0], "::1");
	check_int(acl_list_split("[10.0.0.0/8, 127.0.0.1:80]", w, 4, &cause),
	    ==, 2);
	check_str(w[1], "127.0.0.1:80");
	check_int(acl_list_split("", w, 4, &cause), ==, 0);
	check_int(acl_list_split("a b c d e", w, 4, &cause), ==, -1);
	check(cause != NULL);
	free(cause);
	cause = NULL;
	check_int(acl_list_split("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaa", w, 4, &cause), ==, -1);
	free(cause);
}

/* Address entries on a port: that port only, and port 25 when named. */
static void
test_allow_port(void)
{
	struct acl_entry	 l[2];
	struct sockaddr_storage	 ss;
	const char		*why;
	char			*cause = NULL;

	check_int(acl_rule_parse("127.0.0.1:18080", 1, &l[0], &cause), ==, 0);
	check_int(acl_rule_parse("[::1]:18080", 1, &l[1], &cause), ==, 0);
	mksa("127.0.0.1", 18080, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 1);
	check_int(acl_listed(l, 2, (struct sockaddr *)&ss), ==, 1);
	mksa("::ffff:127.0.0.1", 18080, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 1);
	mksa("::1", 18080, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 1);
	mksa("127.0.0.1", 18081, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 0);
	check_int(acl_listed(l, 2, (struct sockaddr *)&ss), ==, 0);
	mksa("127.0.0.2", 18080, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 0);
	mksa("::1", 80, &ss);
	check_int(acl_allowed(l, 2, (struct sockaddr *)&ss, &why), ==, 0);
	/* 10.0.0.0/8:25 lifts SMTP there; 10.0.0.0/8 alone does not. */
	check_int(acl_rule_parse("10.0.0.0/8:25", 1, &l[0], &cause), ==, 0);
	check_int(acl_rule_parse("10.0.0.0/8", 1, &l[1], &cause), ==, 0);
	mksa("10.1.2.3", 25, &ss);
	check_int(acl_allowed(l, 1, (struct sockaddr *)&ss, &why), ==, 1);
	check_int(acl_allowed(l + 1, 1, (struct sockaddr *)&ss, &why), ==, 0);
	mksa("8.8.8.8", 25, &ss);
	check_int(acl_allowed(l, 1, (struct sockaddr *)&ss, &why), ==, 0);
	free(cause);
}

int
main(void)
{
	TEST(test_parse_good(), "acl_entry_parse: CIDR, bare v4/v6, ports");
	TEST(test_parse_bad(), "acl_entry_parse: bad bits, ports, junk");
	TEST(test_parse_v6_colon(),
	    "acl_entry_parse: IPv6 entries starting with \"::\"");
	TEST(test_defaults(), "acl_allowed: both sides of every default range");
	TEST(test_defaults_forms(),
	    "acl_allowed: every IPv4 row in mapped, compatible, NAT64 forms");
	TEST(test_port25(), "acl_allowed: port 25 refused unless :25");
	TEST(test_allow_override(), "acl_allowed: allow entries override");
	TEST(test_not_ip(), "acl_allowed: not an IP address");
	TEST(test_local(), "acl_is_local, acl_listed");
	TEST(test_deny_forms(),
	    "acl_listed: deny entries in every form, addresses in every form");
	TEST(test_deny_v6(), "acl_listed: IPv6 deny entries, :: and ::1");
	TEST(test_deny_by_hand(),
	    "acl_listed: POLICY entries built by hand are reduced too");
	TEST(test_allow_forms(),
	    "acl_allowed: allow entries in every form, both sides");
	TEST(test_allow_v6(),
	    "acl_allowed: IPv6 allow entries never lift translated IPv4");
	TEST(test_rule_parse(),
	    "acl_rule_parse: ADDR:PORT, CIDR:PORT, [ADDR6]:PORT, bare ports");
	TEST(test_list_split(), "acl_list_split: brackets of lists and entries");
	TEST(test_allow_port(), "acl_allowed, acl_listed: entries on a port");
	TEST(test_host_numeric(), "acl_host_numeric: %zu names",
	    nitems(numerics));
	return (test_done());
}
