/*
 * t/unit/socks.c: unit tests for modules/socks.c, the SOCKS5, RFC 1929 and
 * SOCKS4/4a parsers and reply encoders.  Valid, truncated, byte-at-a-time, oversized,
 * garbage and pipelined input; every REP mapping.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "socks.h"
#include "tap.h"

typedef int parse_fn(const uint8_t *, size_t, void *, uint8_t *);

struct preq {
	uint8_t		 cmd;
	struct target	 t;
};
struct pup {
	char		 user[256], pass[256];
};
struct p4 {
	uint8_t		 cmd;
	struct target	 t;
	char		 user[SOCKS4_USERID_MAX + 1];
};

static int
greeting_fn(const uint8_t *b, size_t len, void *out, uint8_t *rep)
{
	return (socks_parse_greeting(b, len, out, rep));
}

static int
request_fn(const uint8_t *b, size_t len, void *out, uint8_t *rep)
{
	struct preq	*p = out;

	return (socks_parse_request(b, len, &p->cmd, &p->t, rep));
}

static int
userpass_fn(const uint8_t *b, size_t len, void *out, uint8_t *rep)
{
	struct pup	*p = out;

	return (socks_parse_userpass(b, len, p->user, p->pass, rep));
}

static int
socks4_fn(const uint8_t *b, size_t len, void *out, uint8_t *rep)
{
	struct p4	*p = out;

	return (socks4_parse_request(b, len, &p->cmd, &p->t, p->user, rep));
}

/*
 * Every proper prefix of a complete message needs more (0); the whole
 * message returns its length.  Each prefix is copied to a buffer of its
 * exact size so ASan catches a read past len.
 */
static void
check_prefixes(parse_fn *fn, const uint8_t *msg, size_t len, void *out)
{
	uint8_t	*copy, rep;
	size_t	 i;
	int	 bad = 0;

	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		memcpy(copy, msg, i);
		rep = 0x55;
		if (fn(copy, i, out, &rep) != 0)
			bad++;
		check_int(rep, ==, 0x55);
		free(copy);
	}
	check_int(bad, ==, 0);
	copy = malloc(len);
	memcpy(copy, msg, len);
	check_int(fn(copy, len, out, &rep), ==, (int)len);
	free(copy);
}

/* An error must show once its deciding byte is in, and stay an error. */
static void
check_error(parse_fn *fn, const uint8_t *msg, size_t len, size_t decided,
    uint8_t wantrep, void *out)
{
	uint8_t	*copy, rep;
	size_t	 i;

	for (i = 0; i <= len; i++) {
		copy = malloc(i ? i : 1);
		memcpy(copy, msg, i);
		rep = 0x55;
		if (i < decided)
			check_int(fn(copy, i, out, &rep), ==, 0);
		else {
			check_int(fn(copy, i, out, &rep), ==, -1);
			check_int(rep, ==, wantrep);
		}
		free(copy);
	}
}

/* A message a parser refuses with rep once its deciding byte is in. */
struct ecase {
	const char	*name;
	const uint8_t	*msg;
	size_t		 len;
	size_t		 decided;
	uint8_t		 rep;
};

/* check_error on each case of a table, a failure naming the case. */
static void
check_errors(parse_fn *fn, const struct ecase *c, size_t n, void *out)
{
	for (; n > 0; n--, c++) {
		test_case("%s", c->name);
		check_error(fn, c->msg, c->len, c->decided, c->rep, out);
	}
	test_case_end();
}

static void
test_greeting_valid(void)
{
	const uint8_t	 g1[] = { 5, 1, 0 };
	const uint8_t	 g3[] = { 5, 3, 0, 2, 0x80 };
	uint32_t	 m = 0;

	check_prefixes(greeting_fn, g1, sizeof g1, &m);
	check_int(m, ==, 1u << SOCKS_METHOD_NOAUTH);
	check_prefixes(greeting_fn, g3, sizeof g3, &m);
	check_int(m, ==, (1u << 0) | (1u << 2));	/* 0x80 ignored */
}

static void
test_greeting_max(void)
{
	uint8_t		 g[2 + 255];
	uint32_t	 m = 0;
	uint8_t		 rep;
	int		 i;

	g[0] = 5;
	g[1] = 255;
	for (i = 0; i < 255; i++)
		g[2 + i] = (uint8_t)(i + 1);	/* 1..255: no NOAUTH */
	check_prefixes(greeting_fn, g, sizeof g, &m);
	check_int(m, ==, 0xfffffffeu);
	/* Longer buffer: still only the greeting is consumed. */
	check_int(socks_parse_greeting(g, sizeof g, &m, &rep), ==, 257);
}

static void
test_greeting_errors(void)
{
	static const uint8_t	 v4[] = { 4, 1, 0, 80, 127, 0, 0, 1, 0 };
	static const uint8_t	 zero[] = { 5, 0 };
	static const uint8_t	 http[] = "GET / HTTP/1.1\r\n";
	static const struct ecase	 bad[] = {
		{ "SOCKS4", v4, sizeof v4, 1, SOCKS_REP_CLOSE },
		{ "NMETHODS 0", zero, sizeof zero, 2, SOCKS_REP_FAIL },
		{ "HTTP", http, sizeof http - 1, 1, SOCKS_REP_CLOSE },
	};
	uint32_t		 m;

	check_errors(greeting_fn, bad, nitems(bad), &m);
}

static void
test_userpass(void)
{
	static const uint8_t	 ok[] = { 1, 3, 'b', 'o', 'b', 2, 'p', 'w' };
	static const uint8_t	 nopass[] = { 1, 1, 'u', 0 };
	static const uint8_t	 badver[] = { 5, 1, 'u', 1, 'p' };
	static const uint8_t	 nouser[] = { 1, 0, 1, 'p' };
	static const uint8_t	 nuluser[] = { 1, 2, 'a', 0, 1, 'p' };
	static const uint8_t	 nulpass[] = { 1, 1, 'a', 2, 'p', 0 };
	static const struct ecase	 bad[] = {
		{ "version 5", badver, sizeof badver, 1, SOCKS_REP_CLOSE },
		{ "empty user", nouser, sizeof nouser, 2, SOCKS_REP_FAIL },
		{ "NUL in user", nuluser, sizeof nuluser, sizeof nuluser,
		    SOCKS_REP_FAIL },
		{ "NUL in password", nulpass, sizeof nulpass, sizeof nulpass,
		    SOCKS_REP_FAIL },
	};
	struct pup		 p;
	uint8_t			 big[3 + 255 + 255], rep;

	check_prefixes(userpass_fn, ok, sizeof ok, &p);
	check_str(p.user, "bob");
	check_str(p.pass, "pw");
	check_prefixes(userpass_fn, nopass, sizeof nopass, &p);
	check_str(p.user, "u");
	check_str(p.pass, "");
	check_errors(userpass_fn, bad, nitems(bad), &p);

	big[0] = 1;
	big[1] = 255;
	memset(big + 2, 'u', 255);
	big[257] = 255;
	memset(big + 258, 'p', 255);
	check_prefixes(userpass_fn, big, sizeof big, &p);
	check_int(strlen(p.user), ==, 255);
	check_int(strlen(p.pass), ==, 255);
	check_int(socks_parse_userpass(big, sizeof big, p.user, p.pass, &rep),
	    ==, 513);
}

static void
test_request_ipv4(void)
{
	const uint8_t	 r[] = { 5, 1, 0, 1, 192, 0, 2, 7, 0x01, 0xbb };
	struct preq	 p;

	check_prefixes(request_fn, r, sizeof r, &p);
	check_int(p.cmd, ==, SOCKS_CMD_CONNECT);
	check_int(p.t.atyp, ==, TARGET_IPV4);
	check_int(p.t.port, ==, 443);
	check_mem(p.t.addr, "\xc0\x00\x02\x07", 4);
}

static void
test_request_ipv6(void)
{
	uint8_t		 r[4 + 16 + 2] = { 5, 1, 0, 4 };
	struct preq	 p;

	r[4 + 15] = 1;		/* ::1 */
	r[20] = 0x1f;
	r[21] = 0x90;		/* 8080 */
	check_prefixes(request_fn, r, sizeof r, &p);
	check_int(p.t.atyp, ==, TARGET_IPV6);
	check_int(p.t.port, ==, 8080);
	check_mem(p.t.addr, r + 4, 16);
}

static void
test_request_domain(void)
{
	const uint8_t	 r[] = { 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l',
	    'e', '.', 'o', 'r', 'g', 0, 80 };
	uint8_t		 big[5 + 255 + 2] = { 5, 1, 0, 3, 255 };
	struct preq	 p;

	check_prefixes(request_fn, r, sizeof r, &p);
	check_int(p.t.atyp, ==, TARGET_DOMAIN);
	check_str(p.t.host, "example.org");
	check_int(p.t.port, ==, 80);

	memset(big + 5, 'a', 255);
	big[5 + 255 + 1] = 1;
	check_prefixes(request_fn, big, sizeof big, &p);
	check_int(strlen(p.t.host), ==, 255);
	check_int(p.t.port, ==, 1);
}

static void
test_request_rsv(void)
{
	const uint8_t	 r[] = { 5, 1, 0x7f, 1, 10, 0, 0, 1, 0, 22 };
	struct preq	 p;

	/* Documented choice: RSV != 0 is accepted. */
	check_prefixes(request_fn, r, sizeof r, &p);
	check_int(p.t.port, ==, 22);
}

static void
test_request_cmds(void)
{
	/* Unsupported commands are consumed (port 0 allowed) for 0x07. */
	static const struct {
		uint8_t	 msg[10];
		uint8_t	 cmd;
	} cmds[] = {
		{ { 5, 2, 0, 1, 0, 0, 0, 0, 0, 0 }, SOCKS_CMD_BIND },
		{ { 5, 3, 0, 1, 0, 0, 0, 0, 0, 0 }, SOCKS_CMD_UDP },
		{ { 5, 9, 0, 1, 1, 2, 3, 4, 0, 9 }, 9 },
	};
	struct preq	 p;
	size_t		 i;

	for (i = 0; i < nitems(cmds); i++) {
		test_case("command %d", cmds[i].cmd);
		check_prefixes(request_fn, cmds[i].msg, sizeof cmds[i].msg,
		    &p);
		check_int(p.cmd, ==, cmds[i].cmd);
	}
	test_case_end();
}

static void
test_request_errors(void)
{
	static const uint8_t	 ver[] = { 4, 1, 0, 1, 1, 2, 3, 4, 0, 80 };
	static const uint8_t	 atyp[] = { 5, 1, 0, 2, 1, 2, 3, 4, 0, 80 };
	static const uint8_t	 atyp0[] = { 5, 2, 0, 0 };
	static const uint8_t	 empty[] = { 5, 1, 0, 3, 0, 0, 80 };
	static const uint8_t	 nul[] = { 5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80 };
	static const uint8_t	 port0[] = { 5, 1, 0, 1, 1, 2, 3, 4, 0, 0 };
	static const uint8_t	 port0d[] = { 5, 1, 0, 3, 1, 'a', 0, 0 };
	static const struct ecase	 bad[] = {
		{ "version 4", ver, sizeof ver, 1, SOCKS_REP_CLOSE },
		{ "ATYP 2", atyp, sizeof atyp, 4, SOCKS_REP_ATYPUNSUPP },
		{ "ATYP 0", atyp0, sizeof atyp0, 4, SOCKS_REP_ATYPUNSUPP },
		{ "empty name", empty, sizeof empty, 5,
		    SOCKS_REP_HOSTUNREACH },
		{ "NUL in name", nul, sizeof nul, sizeof nul,
		    SOCKS_REP_HOSTUNREACH },
		{ "port 0", port0, sizeof port0, sizeof port0,
		    SOCKS_REP_FAIL },
		{ "port 0, by name", port0d, sizeof port0d, sizeof port0d,
		    SOCKS_REP_FAIL },
	};
	struct preq		 p;

	check_errors(request_fn, bad, nitems(bad), &p);
}

/* Random bytes: never a crash, never a count past len, rep set on -1. */
static void
test_garbage(void)
{
	uint8_t		 buf[600], rep;
	uint32_t	 m;
	struct preq	 p;
	struct pup	 u;
	size_t		 len;
	int		 i, r, bad = 0;

	srandom(1);
	for (i = 0; i < 20000; i++) {
		len = (size_t)random() % sizeof buf;
		for (r = 0; r < (int)len; r++)
			buf[r] = (uint8_t)random();
		if (i & 1)
			buf[0] = 5;
		rep = 0x55;
		r = socks_parse_greeting(buf, len, &m, &rep);
		if (r > (int)len || (r == -1 && rep == 0x55))
			bad++;
		rep = 0x55;
		r = socks_parse_request(buf, len, &p.cmd, &p.t, &rep);
		if (r > (int)len || (r == -1 && rep == 0x55))
			bad++;
		if (r > 0 && p.t.atyp == TARGET_DOMAIN &&
		    strlen(p.t.host) != (size_t)buf[4])
			bad++;
		rep = 0x55;
		buf[0] = 1;
		r = socks_parse_userpass(buf, len, u.user, u.pass, &rep);
		if (r > (int)len || (r == -1 && rep == 0x55))
			bad++;
	}
	check_int(bad, ==, 0);
}

/*
 * Greeting, request and first payload in one buffer, as curl may write
 * them: the consumed counts add up and leave exactly the payload; then the
 * same bytes fed one at a time, as a front would see them.
 */
static void
test_pipelined(void)
{
	const uint8_t	 buf[] = { 5, 2, 0, 2,
	    5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0x1f, 0x90,
	    'G', 'E', 'T', ' ', '/', '\r', '\n' };
	struct preq	 p;
	uint32_t	 m;
	uint8_t		 rep;
	size_t		 off = 0, have;
	int		 r, state = 0, calls = 0;

	r = socks_parse_greeting(buf, sizeof buf, &m, &rep);
	check_int(r, ==, 4);
	off += (size_t)r;
	r = socks_parse_request(buf + off, sizeof buf - off, &p.cmd, &p.t,
	    &rep);
	check_int(r, ==, 11);
	off += (size_t)r;
	check_int(sizeof buf - off, ==, 7);
	check_mem(buf + off, "GET /\r\n", 7);
	check_str(p.t.host, "host");
	check_int(p.t.port, ==, 8080);

	/* Byte at a time: parse from the unconsumed start each arrival. */
	off = 0;
	memset(&p, 0, sizeof p);
	for (have = 1; have <= sizeof buf && state < 2; have++) {
		for (;;) {
			calls++;
			if (state == 0)
				r = socks_parse_greeting(buf + off, have - off,
				    &m, &rep);
			else
				r = socks_parse_request(buf + off, have - off,
				    &p.cmd, &p.t, &rep);
			check(r >= 0);
			if (r <= 0)
				break;
			off += (size_t)r;
			if (++state == 2)
				break;
		}
	}
	check_int(state, ==, 2);
	check_int(off, ==, 15);
	check_str(p.t.host, "host");
	check(calls > 15);
}

static void
test_replies(void)
{
	uint8_t			 out[SOCKS_REPLY_MAX];
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr		 sa;

	check_int(socks_method_reply(out, SOCKS_METHOD_NONE), ==, 2);
	check_mem(out, "\x05\xff", 2);
	check_int(socks_method_reply(out, SOCKS_METHOD_NOAUTH), ==, 2);
	check_mem(out, "\x05\x00", 2);
	check_int(socks_auth_reply(out, 1), ==, 2);
	check_mem(out, "\x01\x00", 2);
	check_int(socks_auth_reply(out, 0), ==, 2);
	check_mem(out, "\x01\x01", 2);

	check_int(socks_reply(out, SOCKS_REP_CMDUNSUPP, NULL), ==, 10);
	check_mem(out, "\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00", 10);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(8888);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	check_int(socks_reply(out, 0, (struct sockaddr *)&sin), ==, 10);
	check_mem(out, "\x05\x00\x00\x01\x7f\x00\x00\x01\x22\xb8", 10);

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(8888);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	check_int(socks_reply(out, 5, (struct sockaddr *)&sin6), ==, 22);
	check_mem(out, "\x05\x05\x00\x04", 4);
	check_mem(out + 4, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	check_mem(out + 20, "\x22\xb8", 2);

	memset(&sa, 0, sizeof sa);
	sa.sa_family = AF_UNIX;
	check_int(socks_reply(out, 1, &sa), ==, 10);
	check_mem(out, "\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00", 10);
}

static void
test_rep_from_dial(void)
{
	static const struct {
		int	 dial;
		uint8_t	 rep;
	} map[] = {
		{ DIAL_OK, 0x00 },
		{ DIAL_FAIL, 0x01 },
		{ DIAL_NOTALLOWED, 0x02 },
		{ DIAL_NETUNREACH, 0x03 },
		{ DIAL_HOSTUNREACH, 0x04 },
		{ DIAL_REFUSED, 0x05 },
		{ DIAL_TIMEOUT, 0x06 },
		{ DIAL_DNS, 0x04 },
		{ DIAL_BADADDR, 0x08 },
		{ DIAL_NONODE, 0x01 },
		{ DIAL_NODELOST, 0x01 },
		{ 11, 0x01 },
		{ -1, 0x01 },
		{ 255, 0x01 },
	};
	size_t	 i;

	for (i = 0; i < nitems(map); i++) {
		if (socks_rep_from_dial(map[i].dial) != map[i].rep)
			printf("# dial %d\n", map[i].dial);
		check_int(socks_rep_from_dial(map[i].dial), ==, map[i].rep);
	}
}

/* A SOCKS4 request (4a when host is not NULL) into buf; its length. */
static size_t
socks4_msg(uint8_t *buf, uint8_t cd, uint16_t port, const uint8_t ip[4],
    const char *user, size_t ulen, const char *host, size_t hlen)
{
	size_t	 n = 0;

	buf[n++] = 4;
	buf[n++] = cd;
	buf[n++] = port >> 8;
	buf[n++] = port & 0xff;
	memcpy(buf + n, ip, 4);
	n += 4;
	memcpy(buf + n, user, ulen);
	n += ulen;
	buf[n++] = 0;
	if (host != NULL) {
		memcpy(buf + n, host, hlen);
		n += hlen;
		buf[n++] = 0;
	}
	return (n);
}

static void
test_socks4_valid(void)
{
	static const uint8_t	 ip[4] = { 10, 1, 2, 3 }, ip4a[4] = { 0, 0, 0, 9 };
	uint8_t			 m[600];
	char			 long_[300];
	struct p4		 o;
	size_t			 n;

	n = socks4_msg(m, 1, 80, ip, "alice-pool-x", 12, NULL, 0);
	check_prefixes(socks4_fn, m, n, &o);
	check_int(o.cmd, ==, SOCKS_CMD_CONNECT);
	check_int(o.t.atyp, ==, TARGET_IPV4);
	check_int(o.t.port, ==, 80);
	check_mem(o.t.addr, ip, 4);
	check_str(o.user, "alice-pool-x");

	n = socks4_msg(m, 1, 443, ip, "", 0, NULL, 0);
	check_prefixes(socks4_fn, m, n, &o);
	check_str(o.user, "");

	n = socks4_msg(m, 1, 8080, ip4a, "bob", 3, "example.org", 11);
	check_prefixes(socks4_fn, m, n, &o);
	check_int(o.t.atyp, ==, TARGET_DOMAIN);
	check_int(o.t.port, ==, 8080);
	check_str(o.t.host, "example.org");
	check_str(o.user, "bob");

	/* 255 bytes of user id and of host name: the most there is. */
	memset(long_, 'u', sizeof long_);
	n = socks4_msg(m, 1, 1, ip4a, long_, 255, long_, 255);
	check_prefixes(socks4_fn, m, n, &o);
	check_int(strlen(o.user), ==, 255);
	check_int(strlen(o.t.host), ==, 255);

	/* BIND is consumed (the caller refuses it), port 0 allowed. */
	n = socks4_msg(m, 2, 0, ip4a + 0, "", 0, "", 0);
	check_prefixes(socks4_fn, m, n, &o);
	check_int(o.cmd, ==, SOCKS_CMD_BIND);
}

static void
test_socks4_errors(void)
{
	static const uint8_t	 ip[4] = { 10, 1, 2, 3 }, ip4a[4] = { 0, 0, 0, 1 };
	static const uint8_t	 zero[4] = { 0, 0, 0, 0 };
	uint8_t			 m[700];
	char			 long_[300];
	struct p4		 o;
	size_t			 n;

	memset(long_, 'x', sizeof long_);
	n = socks4_msg(m, 3, 80, ip, "", 0, NULL, 0);
	test_case("CD 3");
	check_error(socks4_fn, m, n, 2, SOCKS_REP_CMDUNSUPP, &o);
	n = socks4_msg(m, 1, 80, ip, "", 0, NULL, 0);
	m[0] = 5;
	test_case("VN 5");
	check_error(socks4_fn, m, n, 1, SOCKS_REP_CLOSE, &o);
	/* 256 bytes of user id: refused once they are in, NUL or not. */
	n = socks4_msg(m, 1, 80, ip, long_, 256, NULL, 0);
	test_case("user id 256 bytes");
	check_error(socks4_fn, m, n, 8 + 256, SOCKS_REP_FAIL, &o);
	n = socks4_msg(m, 1, 80, ip4a, "", 0, long_, 256);
	test_case("4a host 256 bytes");
	check_error(socks4_fn, m, n, 9 + 256, SOCKS_REP_HOSTUNREACH, &o);
	n = socks4_msg(m, 1, 80, ip4a, "u", 1, "", 0);
	test_case("4a empty host");
	check_error(socks4_fn, m, n, n, SOCKS_REP_HOSTUNREACH, &o);
	n = socks4_msg(m, 1, 0, ip, "u", 1, NULL, 0);
	test_case("port 0");
	check_error(socks4_fn, m, n, n, SOCKS_REP_FAIL, &o);
	n = socks4_msg(m, 1, 80, zero, "u", 1, NULL, 0);
	test_case("address 0.0.0.0");
	check_error(socks4_fn, m, n, n, SOCKS_REP_FAIL, &o);
	test_case_end();
}

static void
test_socks4_pipelined(void)
{
	static const uint8_t	 ip4a[4] = { 0, 0, 0, 1 };
	uint8_t			 m[300], rep = 0x55;
	struct p4		 o;
	size_t			 n, i;
	int			 r = 0;

	n = socks4_msg(m, 1, 80, ip4a, "a", 1, "h", 1);
	memcpy(m + n, "GET / HTTP/1.0\r\n\r\n", 18);
	check_int(socks4_fn(m, n + 18, &o, &rep), ==, (int)n);
	check_str(o.t.host, "h");
	/* Byte at a time: 0 until the last byte of the request. */
	for (i = 1; i <= n; i++)
		r = socks4_fn(m, i, &o, &rep);
	check_int(r, ==, (int)n);
	check_int(rep, ==, 0x55);
}

static void
test_socks4_reply(void)
{
	uint8_t	 out[SOCKS4_REPLY_LEN];

	check_int(socks4_reply(out, SOCKS_REP_OK), ==, 8);
	check_mem(out, "\x00\x5a\0\0\0\0\0\0", 8);
	check_int(socks4_reply(out, SOCKS_REP_REFUSED), ==, 8);
	check_mem(out, "\x00\x5b\0\0\0\0\0\0", 8);
	check_int(socks4_reply(out, socks_rep_from_dial(DIAL_NONODE)), ==, 8);
	check_int(out[1], ==, 0x5b);
}

int
main(void)
{
	TEST(test_greeting_valid(), "greeting: valid, every prefix needs more");
	TEST(test_greeting_max(), "greeting: 255 methods, mask of 0..31");
	TEST(test_greeting_errors(), "greeting: version 4, NMETHODS 0, HTTP");
	TEST(test_userpass(), "userpass: valid, empty password, limits, "
	    "errors");
	TEST(test_request_ipv4(), "request: IPv4 at every split");
	TEST(test_request_ipv6(), "request: IPv6 at every split");
	TEST(test_request_domain(), "request: domain, 255-byte name");
	TEST(test_request_rsv(), "request: RSV != 0 accepted");
	TEST(test_request_cmds(), "request: BIND, UDP, unknown consumed");
	TEST(test_request_errors(), "request: version, ATYP, empty name, "
	    "NUL, port 0");
	TEST(test_garbage(), "random garbage: bounded, rep always set");
	TEST(test_pipelined(), "pipelined greeting+request+payload, and "
	    "byte at a time");
	TEST(test_replies(), "method, auth and request replies");
	TEST(test_rep_from_dial(), "every dial result maps to its REP");
	TEST(test_socks4_valid(), "socks4: IPv4, 4a, 255-byte user id and "
	    "host, BIND; every prefix needs more");
	TEST(test_socks4_errors(), "socks4: CD, VN, long user id and host, "
	    "empty host, port 0, 0.0.0.0, decided as soon as known");
	TEST(test_socks4_pipelined(), "socks4: pipelined payload, byte at a "
	    "time");
	TEST(test_socks4_reply(), "socks4: 0x5a for OK, 0x5b for the rest");
	return (test_done());
}
