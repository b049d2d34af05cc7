/*
 * acl.c: the exit node's destination policy (see acl.h).  Owns the list of
 * ranges a node refuses by default, the canonical form every check compares
 * (IPv4 embedded in IPv6 reduced to IPv4) and the numeric-name rule; the
 * node's allow entries override the defaults.
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
#include "opt.h"

struct acl_deny {
	uint8_t		 addr[4];
	uint8_t		 bits;
	const char	*why;
};

/* An address to judge: canonical, and as the node would dial it. */
struct acl_addr {
	int		 family;	/* canonical: AF_INET or AF_INET6 */
	uint8_t		 a[16];		/* canonical bytes */
	int		 form;		/* ACL_FORM_* */
	uint8_t		 raw[16];	/* as given, when IPv6 */
	uint16_t	 port;		/* host order */
};
#define ACL_FORM_PLAIN		0	/* IPv4, or IPv6 embedding none */
#define ACL_FORM_MAPPED		1	/* ::ffff:a.b.c.d: an IPv4 socket */
#define ACL_FORM_TRANSLATED	2	/* compatible, NAT64: IPv6 packets */

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

/*
 * The IPv6 /96 prefixes whose last 32 bits are an IPv4 address: mapped
 * (::ffff:0:0/96), NAT64 well-known (64:ff9b::/96, RFC 6052), local-use
 * NAT64 with a /96 embedding (64:ff9b:1::/96, RFC 8215) and compatible
 * (::/96, but :: and ::1 are IPv6's own).
 */
static const uint8_t acl_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };
static const uint8_t acl_nat64[12] = { 0, 0x64, 0xff, 0x9b };
static const uint8_t acl_nat64_local[12] = { 0, 0x64, 0xff, 0x9b, 0, 1 };
static const uint8_t acl_zero[16];

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

/* Do the first 96 bits of a name one of the IPv4-embedding prefixes? */
static int
acl_embeds_v4(const uint8_t *a)
{
	return (memcmp(a, acl_mapped, 12) == 0 ||
	    memcmp(a, acl_nat64, 12) == 0 ||
	    memcmp(a, acl_nat64_local, 12) == 0 ||
	    memcmp(a, acl_zero, 12) == 0);
}

/* The canonical form of sa (see acl.h); 0 when it is not IP. */
static int
acl_addr_get(const struct sockaddr *sa, struct acl_addr *x)
{
	const uint8_t	*a;

	memset(x, 0, sizeof *x);
	if (sa->sa_family == AF_INET) {
		memcpy(x->a, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
		x->port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
		return (x->family = AF_INET);
	}
	if (sa->sa_family != AF_INET6)
		return (0);
	x->port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
	    sin6_port);
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	memcpy(x->raw, a, 16);
	/* :: and ::1 are not IPv4-compatible addresses. */
	if (acl_embeds_v4(a) && !(memcmp(a, acl_zero, 15) == 0 && a[15] <= 1)) {
		memcpy(x->a, a + 12, 4);
		x->form = memcmp(a, acl_mapped, 12) == 0 ? ACL_FORM_MAPPED :
		    ACL_FORM_TRANSLATED;
		return (x->family = AF_INET);
	}
	memcpy(x->a, a, 16);
	return (x->family = AF_INET6);
}

/*
 * The canonical form of an entry: an IPv6 range of /96 or longer inside an
 * embedding prefix is the IPv4 range it embeds (::ffff:a.b.c.d/96+n and
 * 64:ff9b::a.b.c.d/96+n are a.b.c.d/n).  ::/127, :: and ::1 stay IPv6.
 */
static void
acl_entry_canon(const struct acl_entry *e, struct acl_entry *c)
{
	uint8_t		 v4[4];

	*c = *e;
	if (e->family != AF_INET6 || e->bits < 96 || !acl_embeds_v4(e->addr))
		return;
	if (e->bits >= 127 && memcmp(e->addr, acl_zero, 15) == 0 &&
	    e->addr[15] <= 1)
		return;
	memcpy(v4, e->addr + 12, 4);
	memset(c->addr, 0, sizeof c->addr);
	memcpy(c->addr, v4, 4);
	c->family = AF_INET;
	c->bits = e->bits - 96;
}

/*
 * Does address entry e cover x?  canon: the canonical forms of both match;
 * raw: an IPv6 entry covers the IPv6 address as written.  A deny list takes
 * either; allow entries as acl.h says.
 */
static int
acl_entry_covers(const struct acl_entry *e, const struct acl_addr *x,
    int allow)
{
	struct acl_entry	 c;
	int			 canon, raw;

	if (e->family == 0 || (e->port != 0 && e->port != x->port))
		return (0);
	acl_entry_canon(e, &c);
	canon = c.family == x->family && acl_prefix_match(x->a, c.addr,
	    c.bits);
	raw = e->family == AF_INET6 && (x->family == AF_INET6 ||
	    x->form != ACL_FORM_PLAIN) && acl_prefix_match(x->raw, e->addr,
	    e->bits);
	if (allow && x->form == ACL_FORM_MAPPED)
		return (canon);
	if (allow && x->form == ACL_FORM_TRANSLATED)
		return (raw && e->bits >= 96);
	return (canon || raw);
}

/* see acl.h */
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
	 * The mapped form is the IPv4 socket itself: store it as IPv4, as
	 * nodes before the other forms were reduced expect in a POLICY.
	 */
	if (e->family == AF_INET6 && e->bits >= 96 &&
	    memcmp(e->addr, acl_mapped, 12) == 0)
		acl_entry_canon(e, e);
	return (0);
bad:
	xasprintf(cause, "\"%s\" is not an address, CIDR range (10.0.0.0/8, "
	    "fd00::/8) or :PORT", s);
	return (-1);
}

/* ":PORT" or "" after an address: the port, 0 for none, -1: bad. */
static long
acl_port_parse(const char *s)
{
	char	*end;
	long	 v;

	if (*s == '\0')
		return (0);
	if (s[0] != ':' || !isdigit((unsigned char)s[1]))
		return (-1);
	errno = 0;
	v = strtol(s + 1, &end, 10);
	if (*end != '\0' || errno || v < 1 || v > 65535)
		return (-1);
	return (v);
}

/* see acl.h */
int
acl_rule_parse(const char *s, int allow, struct acl_entry *e, char **cause)
{
	char		 buf[64], *p, *why = NULL;
	const char	*colon;
	long		 port = 0;

	memset(e, 0, sizeof *e);
	if (strlcpy(buf, s, sizeof buf) >= sizeof buf)
		goto bad;
	if (buf[0] == '[') {
		/* [ADDR6], [CIDR6], with :PORT or without. */
		if ((p = strchr(buf, ']')) == NULL ||
		    (port = acl_port_parse(p + 1)) == -1)
			goto bad;
		*p = '\0';
		/* An address inside: "[:25]" is no bare port. */
		if (strchr(buf + 1, ':') == NULL ||
		    acl_entry_parse(buf + 1, e, &why) == -1 || e->family == 0)
			goto bad;
	} else if (buf[0] == ':' && buf[1] != ':') {
		if (acl_entry_parse(buf, e, &why) == -1)
			goto bad;
		if (allow && e->port != 25) {
			xasprintf(cause, "\"%s\": a bare port lifts only the "
			    "SMTP denial (:25), so it would lift nothing; "
			    "name the addresses too: 127.0.0.1%s (loopback), "
			    "10.0.0.0/8%s, [::1]%s, or 0.0.0.0/0%s (every "
			    "IPv4 address on that port)", s, s, s, s, s);
			return (-1);
		}
		return (0);
	} else if ((colon = strchr(buf, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		/* One ':': IPv4 ADDR or CIDR, then the port. */
		if ((port = acl_port_parse(colon)) <= 0)
			goto bad;
		buf[colon - buf] = '\0';
		if (acl_entry_parse(buf, e, &why) == -1 ||
		    e->family != AF_INET)
			goto bad;
	} else if (acl_entry_parse(buf, e, &why) == -1)
		goto bad;
	e->port = (uint16_t)port;
	return (0);
bad:
	free(why);
	memset(e, 0, sizeof *e);
	xasprintf(cause, "\"%s\" is not an address, range or port: write "
	    "127.0.0.1, 10.0.0.0/8, fd00::/8, one of those on a port "
	    "(127.0.0.1:8080, 10.0.0.0/8:8080, [::1]:8080, [fd00::/8]:8080) "
	    "or :25", s);
	return (-1);
}

/* see acl.h */
int
acl_list_split(const char *s, char (*words)[64], int max, char **cause)
{
	return (opt_list_split_flags(s, words, max, OPT_LIST_BRACKETS, cause));
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

/* Default denials for a canonical IPv6 address (no IPv4 embedded). */
static int
acl_deny_v6(const uint8_t *a, const char **why)
{
	if (memcmp(a, acl_zero, 16) == 0) {
		*why = "unspecified address ::";
		return (1);
	}
	if (memcmp(a, acl_zero, 15) == 0 && a[15] == 1) {
		*why = "loopback ::1";
		return (1);
	}
	if (memcmp(a, acl_nat64_local, 6) == 0) {
		/* Other embeddings (RFC 6052 /48../64): the IPv4 is unknown. */
		*why = "local-use NAT64 64:ff9b:1::/48";
		return (1);
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
	if (a[0] == 0x01 && memcmp(a + 1, acl_zero, 7) == 0) {
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
	struct acl_addr	 x;
	uint16_t	 port;
	size_t		 i;
	int		 addr_ok = 0, port_ok = 0;

	if (acl_addr_get(sa, &x) == 0) {
		*why = "not an IP address";
		return (0);
	}
	port = ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)(const void *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	for (i = 0; i < nallow; i++) {
		if (allow[i].family == 0 && allow[i].port == port)
			port_ok = 1;
		if (acl_entry_covers(&allow[i], &x, 1)) {
			addr_ok = 1;
			/* 127.0.0.1:25 names port 25: lift that too. */
			if (allow[i].port == port)
				port_ok = 1;
		}
	}
	if (port == 25 && !port_ok) {
		*why = "SMTP port 25";
		return (0);
	}
	if (addr_ok)
		return (1);
	if (x.family == AF_INET ? acl_deny_v4(x.a, why) :
	    acl_deny_v6(x.a, why))
		return (0);
	return (1);
}

/* see acl.h */
int
acl_is_local(const struct sockaddr_storage *local, size_t n,
    const struct sockaddr *sa)
{
	struct acl_addr	 x, y;
	size_t		 i;

	if (acl_addr_get(sa, &x) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (acl_addr_get((const struct sockaddr *)&local[i], &y) ==
		    x.family && memcmp(x.a, y.a, 16) == 0)
			return (1);
	}
	return (0);
}

/* see acl.h */
int
acl_listed(const struct acl_entry *list, size_t n, const struct sockaddr *sa)
{
	struct acl_addr	 x;
	size_t		 i;

	if (acl_addr_get(sa, &x) == 0)
		return (0);
	for (i = 0; i < n; i++) {
		if (acl_entry_covers(&list[i], &x, 0))
			return (1);
	}
	return (0);
}

/* Is s[0..len) a WHATWG IPv4 number: decimal digits, or 0x/0X and hex? */
static int
acl_label_number(const char *s, size_t len)
{
	size_t	 i = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++)
			if (!isxdigit((unsigned char)s[i]))
				return (0);
		return (1);
	}
	if (len == 0)
		return (0);
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

/* see acl.h */
int
acl_host_numeric(const char *host, struct sockaddr_storage *ss,
    const char **why)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*p, *last;
	size_t			 len, n;
	u_int			 parts, v;

	memset(ss, 0, sizeof *ss);
	len = strlen(host);
	if (len == 0) {
		*why = "empty name";
		return (-1);
	}
	for (p = host; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			/* inet_aton reads "1.2.3.4 junk" as 1.2.3.4. */
			*why = "space or control character in the name";
			return (-1);
		}
	}
	if (strchr(host, ':') != NULL) {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			return (1);
		}
		/* Brackets, a zone (%eth0), a port: resolvers differ. */
		*why = "':' in a name that is not a plain IPv6 address";
		return (-1);
	}

	/* The last label, after one optional trailing dot (WHATWG). */
	n = len;
	if (host[n - 1] == '.')
		n--;
	for (last = host + n; last > host && last[-1] != '.'; last--)
		;
	if (!acl_label_number(last, host + n - last))
		return (0);

	/* It ends in a number: only a plain dotted quad is unambiguous. */
	if (n != len) {
		*why = "numeric name with a trailing dot";
		return (-1);
	}
	for (parts = 1, p = host; *p != '\0'; p++)
		parts += *p == '.';
	if (parts != 4) {
		*why = "numeric name without exactly four parts (127.1 and "
		    "2130706433 are 127.0.0.1 to some resolvers)";
		return (-1);
	}
	for (parts = 0, p = host; parts < 4; parts++, p += n + 1) {
		v = 0;
		for (n = 0; isdigit((unsigned char)p[n]) && v <= 255; n++)
			v = v * 10 + (p[n] - '0');
		if (v > 255) {
			*why = "numeric name with a part over 255";
			return (-1);
		}
		if (n == 0 || (p[n] != '.' && p[n] != '\0')) {
			*why = "numeric name with a part that is not decimal "
			    "(0x7f, or a name)";
			return (-1);
		}
		if (n > 1 && p[0] == '0') {
			*why = "numeric name with a leading zero (octal to "
			    "some resolvers, decimal to others)";
			return (-1);
		}
		((uint8_t *)&sin->sin_addr)[parts] = v;
	}
	sin->sin_family = AF_INET;
	return (1);
}
