/*
 * acl.c: the exit node's destination policy (see acl.h).  Owns the list of
 * ranges a node refuses by default; the node's allow entries override it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "acl.h"

struct acl_deny {
	uint8_t		 addr[4];
	uint8_t		 bits;
	const char	*why;
};

static const struct acl_deny acl_deny4[] = {
	{ { 0, 0, 0, 0 }, 8, "\"this\" network 0.0.0.0/8" },
	{ { 10, 0, 0, 0 }, 8, "private network 10.0.0.0/8" },
	{ { 100, 64, 0, 0 }, 10, "carrier-grade NAT 100.64.0.0/10" },
	{ { 127, 0, 0, 0 }, 8, "loopback 127.0.0.0/8" },
	{ { 169, 254, 0, 0 }, 16, "link-local 169.254.0.0/16 (cloud "
	    "metadata)" },
	{ { 172, 16, 0, 0 }, 12, "private network 172.16.0.0/12" },
	{ { 192, 0, 0, 0 }, 24, "IETF protocol assignments 192.0.0.0/24" },
	{ { 192, 168, 0, 0 }, 16, "private network 192.168.0.0/16" },
	{ { 198, 18, 0, 0 }, 15, "benchmarking network 198.18.0.0/15" },
	{ { 224, 0, 0, 0 }, 4, "multicast 224.0.0.0/4" },
	{ { 240, 0, 0, 0 }, 4, "reserved/broadcast 240.0.0.0/4" },
};

static const uint8_t acl_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };

static int
acl_prefix_match(const uint8_t *a, const uint8_t *net, u_int bits)
{
	u_int	 full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	return (((a[full] ^ net[full]) & (0xff << (8 - rest))) == 0);
}

int
acl_entry_parse(const char *s, struct acl_entry *e, char **cause)
{
	char		 buf[64], *slash, *end;
	long		 v;
	int		 max;

	memset(e, 0, sizeof *e);
	if (s[0] == ':' && s[1] != ':') {
		errno = 0;
		v = strtol(s + 1, &end, 10);
		if (!isdigit((unsigned char)s[1]) || *end != '\0' || errno ||
		    v < 1 ||
		    v > 65535)
			goto bad;
		e->port = v;
		return (0);
	}
	if (strlcpy(buf, s, sizeof buf) >= sizeof buf)
		goto bad;
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, e->addr) == 1) {
		e->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
		e->family = AF_INET6;
		max = 128;
	} else
		goto bad;
	e->bits = max;
	if (slash != NULL) {
		errno = 0;
		v = strtol(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || *end != '\0' || errno ||
		    v < 0 ||
		    v > max)
			goto bad;
		e->bits = v;
	}
	/*
	 * ::ffff:a.b.c.d/96+n is the IPv4 range a.b.c.d/n: addresses are
	 * compared with mapped forms reduced to IPv4 (acl_sa_bytes).
	 */
	if (e->family == AF_INET6 && e->bits >= 96 &&
	    memcmp(e->addr, acl_mapped, 12) == 0) {
		memmove(e->addr, e->addr + 12, 4);
		memset(e->addr + 4, 0, 12);
		e->family = AF_INET;
		e->bits -= 96;
	}
	return (0);
bad:
	xasprintf(cause, "\"%s\" is not an address, CIDR range (10.0.0.0/8, "
	    "fd00::/8) or :PORT", s);
	return (-1);
}

/* Default denials for an IPv4 address (network byte order bytes). */
static int
acl_deny_v4(const uint8_t *a, const char **why)
{
	u_int	 i;

	for (i = 0; i < nitems(acl_deny4); i++) {
		if (acl_prefix_match(a, acl_deny4[i].addr, acl_deny4[i].bits)) {
			*why = acl_deny4[i].why;
			return (1);
		}
	}
	return (0);
}

static const uint8_t acl_nat64[12] = { 0, 0x64, 0xff, 0x9b };

static int
acl_deny_v6(const uint8_t *a, const char **why)
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, 16) == 0) {
		*why = "unspecified address ::";
		return (1);
	}
	if (memcmp(a, zero, 15) == 0 && a[15] == 1) {
		*why = "loopback ::1";
		return (1);
	}
	if (memcmp(a, acl_mapped, 12) == 0 || memcmp(a, acl_nat64, 12) == 0 ||
	    memcmp(a, zero, 12) == 0) {
		/* IPv4-mapped, NAT64 (64:ff9b::/96), IPv4-compatible. */
		if (acl_deny_v4(a + 12, why))
			return (1);
		return (0);
	}
	if ((a[0] & 0xfe) == 0xfc) {
		*why = "unique local fc00::/7";
		return (1);
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
		*why = "link-local fe80::/10";
		return (1);
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) {
		*why = "site-local fec0::/10";
		return (1);
	}
	if (a[0] == 0xff) {
		*why = "multicast ff00::/8";
		return (1);
	}
	if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0) {
		*why = "discard-only 100::/64";
		return (1);
	}
	return (0);
}

/* see acl.h */
int
acl_allowed(const struct acl_entry *allow, size_t nallow,
    const struct sockaddr *sa, const char **why)
{
	const uint8_t	*a;
	uint8_t		 v4[4];
	int		 family, is_v4in6 = 0;
	uint16_t	 port;
	size_t		 i;
	int		 addr_ok = 0, port_ok = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		a = (const uint8_t *)&sin->sin_addr;
		family = AF_INET;
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		a = sin6->sin6_addr.s6_addr;
		family = AF_INET6;
		port = ntohs(sin6->sin6_port);
		if (memcmp(a, acl_mapped, 12) == 0) {
			memcpy(v4, a + 12, 4);
			is_v4in6 = 1;
		}
	} else {
		*why = "not an IP address";
		return (0);
	}
	for (i = 0; i < nallow; i++) {
		const struct acl_entry *e = &allow[i];

		if (e->family == 0) {
			if (e->port == port)
				port_ok = 1;
			continue;
		}
		if (e->family == family &&
		    acl_prefix_match(a, e->addr, e->bits))
			addr_ok = 1;
		if (is_v4in6 && e->family == AF_INET &&
		    acl_prefix_match(v4, e->addr, e->bits))
			addr_ok = 1;
	}
	if (port == 25 && !port_ok) {
		*why = "SMTP port 25";
		return (0);
	}
	if (addr_ok)
		return (1);
	if (family == AF_INET ? acl_deny_v4(a, why) : acl_deny_v6(a, why))
		return (0);
	return (1);
}

/* The address bytes of sa, IPv4-mapped IPv6 reduced to IPv4. */
static int
acl_sa_bytes(const struct sockaddr *sa, const uint8_t **a)
{
	if (sa->sa_family == AF_INET) {
		*a = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		return (AF_INET);
	}
	if (sa->sa_family == AF_INET6) {
		*a = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		if (memcmp(*a, acl_mapped, 12) == 0) {
			*a += 12;
			return (AF_INET);
		}
		return (AF_INET6);
	}
	return (0);
}

int
acl_is_local(const struct sockaddr_storage *local, size_t n,
    const struct sockaddr *sa)
{
	const uint8_t	*a, *b;
	int		 fa, fb;
	size_t		 i;

	if ((fa = acl_sa_bytes(sa, &a)) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		fb = acl_sa_bytes((const struct sockaddr *)&local[i], &b);
		if (fa == fb && memcmp(a, b, fa == AF_INET ? 4 : 16) == 0)
			return (1);
	}
	return (0);
}

int
acl_listed(const struct acl_entry *allow, size_t nallow,
    const struct sockaddr *sa)
{
	const uint8_t	*a;
	int		 fa;
	size_t		 i;

	if ((fa = acl_sa_bytes(sa, &a)) == 0)
		return (0);
	for (i = 0; i < nallow; i++) {
		if (allow[i].family == fa &&
		    acl_prefix_match(a, allow[i].addr, allow[i].bits))
			return (1);
	}
	return (0);
}
