/*
 * t/unit/http.c: unit tests for modules/http.c: request and response
 * heads, limits, smuggling defences, body framing and the rewriter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "http.h"
#include "tap.h"

static struct http_msg	 m;

#define S(s)	(const uint8_t *)(s), strlen(s)

/* Parse a request; every proper prefix must need more bytes. */
static ssize_t
req_all_prefixes(const char *s)
{
	size_t	 i, len = strlen(s);
	ssize_t	 r;

	for (i = 0; i < len; i++) {
		r = http_request_parse(&m, (const uint8_t *)s, i);
		if (r != 0) {
			printf("# prefix %zu returned %zd (%s)\n", i, r,
			    r == -1 ? m.why : "");
			return (-2);
		}
	}
	return (http_request_parse(&m, (const uint8_t *)s, len));
}

static int
req_error(const char *s)
{
	if (http_request_parse(&m, S(s)) != -1)
		return (0);
	return (m.error);
}

/* A request and the status req_error must give it. */
struct rcase {
	const char	*req;
	int		 status;
};

/* req_error on each case of a table, a failure naming the request. */
static void
req_errors(const struct rcase *c, size_t n)
{
	for (; n > 0; n--, c++) {
		test_case_mem("request", c->req, strlen(c->req));
		check_int(req_error(c->req), ==, c->status);
	}
	test_case_end();
}

static void
test_get(void)
{
	const char	*s = "GET http://Example.ORG/a/b?c=d HTTP/1.1\r\n"
	    "Host: example.org\r\n"
	    "User-Agent: t\r\n"
	    "\r\n";
	struct target	 t;

	check_int(req_all_prefixes(s), ==, strlen(s));
	check_int(m.method, ==, HTTP_M_GET);
	check_str(m.method_str, "GET");
	check_str(m.host, "Example.ORG");
	check_int(m.port, ==, 80);
	check_int(m.minor, ==, 1);
	check_int(m.nfields, ==, 2);
	check_int(m.clen, ==, -1);
	check_int(m.te, ==, HTTP_TE_NONE);
	check_int(m.host_field, ==, 0);
	check_mem(s + m.path, "/a/b?c=d", m.pathlen);
	check_int(m.pathlen, ==, 8);
	check_mem(s + m.fields[1].value, "t", 1);
	check_int(m.fields[1].valuelen, ==, 1);
	check_int(http_keepalive(&m), ==, 1);
	http_target(&m, &t);
	check_int(t.atyp, ==, TARGET_DOMAIN);
	check_str(t.host, "Example.ORG");
	check_int(t.port, ==, 80);
}

static void
test_targets(void)
{
	static const struct rcase	 bad[] = {
		{ "CONNECT example.org HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT example.org: HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT :443 HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT [::1] HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT [::1 HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT [zz::1]:80 HTTP/1.1\r\n\r\n", 400 },
		{ "CONNECT [fe80::1%eth0]:80 HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:0/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:65536/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:123456/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:8a/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:-1/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h:/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http:/// HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://u:p@h/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h/#frag HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h%41/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET https://h/ HTTP/1.1\r\n\r\n", 501 },
		{ "GET ftp://h/ HTTP/1.1\r\n\r\n", 501 },
		{ "GET h/x HTTP/1.1\r\n\r\n", 400 },
		{ "GET http:h HTTP/1.1\r\n\r\n", 400 },
	};
	struct target	 t;
	const char	*s;

	s = "GET http://[::1]:8080 HTTP/1.0\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_str(m.host, "::1");
	check_int(m.host_v6, ==, 1);
	check_int(m.port, ==, 8080);
	check_int(m.pathlen, ==, 0);
	http_target(&m, &t);
	check_int(t.atyp, ==, TARGET_IPV6);
	check_int(t.addr[15], ==, 1);
	check_int(t.port, ==, 8080);

	s = "GET http://10.1.2.3:65535/x HTTP/1.1\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	http_target(&m, &t);
	check_int(t.atyp, ==, TARGET_IPV4);
	check_int(t.addr[0], ==, 10);
	check_int(t.addr[3], ==, 3);
	check_int(t.port, ==, 65535);

	s = "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(m.method, ==, HTTP_M_CONNECT);
	check_str(m.host, "example.org");
	check_int(m.port, ==, 443);

	s = "CONNECT [2001:db8::5]:443 HTTP/1.1\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	http_target(&m, &t);
	check_int(t.atyp, ==, TARGET_IPV6);
	check_int(t.addr[0], ==, 0x20);
	check_int(t.addr[15], ==, 5);

	s = "CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	http_target(&m, &t);
	check_int(t.atyp, ==, TARGET_IPV4);
	check_int(t.port, ==, 22);

	/* Scheme is case-insensitive. */
	check_int(http_request_parse(&m, S("GET HTTP://h/ HTTP/1.1\r\n\r\n")),
	    >, 0);

	req_errors(bad, nitems(bad));
}

static void
test_request_line(void)
{
	static const struct rcase	 bad[] = {
		{ "GET http://h/ HTTP/2.0\r\n\r\n", 505 },
		{ "GET http://h/ HTTP/1.2\r\n\r\n", 505 },
		{ "GET http://h/ HTTP/0.9\r\n\r\n", 505 },
		{ "GET http://h/ HTTX/1.1\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1 \r\n\r\n", 400 },
		{ "GET http://h/\r\n\r\n", 400 },
		{ "GET  http://h/ HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h/ x HTTP/1.1\r\n\r\n", 400 },
		{ "G(T http://h/ HTTP/1.1\r\n\r\n", 400 },
		{ "FOO http://h/ HTTP/1.1\r\n\r\n", 501 },
		{ "TRACE http://h/ HTTP/1.1\r\n\r\n", 501 },
		{ "get http://h/ HTTP/1.1\r\n\r\n", 501 },
		{ "GET http://h/\x7f HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h/\xc3\xa9 HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\n\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\r\n\r\n", 400 },
	};
	static const struct {
		const char	*req;
		int		 method;
	} methods[] = {
		{ "POST http://h/ HTTP/1.1\r\n\r\n", HTTP_M_POST },
		{ "PUT http://h/ HTTP/1.1\r\n\r\n", HTTP_M_PUT },
		{ "DELETE http://h/ HTTP/1.1\r\n\r\n", HTTP_M_DELETE },
		{ "OPTIONS http://h/ HTTP/1.1\r\n\r\n", HTTP_M_OPTIONS },
		{ "PATCH http://h/ HTTP/1.1\r\n\r\n", HTTP_M_PATCH },
		{ "HEAD http://h/ HTTP/1.1\r\n\r\n", HTTP_M_HEAD },
	};
	size_t	 i;

	req_errors(bad, nitems(bad));
	check_int(http_request_parse(&m, (const uint8_t *)
	    "GET http://h/\0 HTTP/1.1\r\n\r\n", 27), ==, -1);
	check_int(m.error, ==, 400);

	/* Leading empty lines are skipped (RFC 9112 section 2.2). */
	check_int(http_request_parse(&m,
	    S("\r\n\r\nGET http://h/ HTTP/1.1\r\n\r\n")), ==, 30);
	check_int(http_request_parse(&m, S("\r\n")), ==, 0);
	check_int(http_request_parse(&m, S("")), ==, 0);

	/* Every method the issue names. */
	for (i = 0; i < nitems(methods); i++) {
		test_case_mem("request", methods[i].req,
		    strlen(methods[i].req));
		check_int(http_request_parse(&m, S(methods[i].req)), >, 0);
		check_int(m.method, ==, methods[i].method);
	}
	test_case_end();
}

static void
test_fields(void)
{
	static const struct rcase	 bad[] = {
		{ "GET http://h/ HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\n\tA: b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA : b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA\t: b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\n: b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA(: b\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA: b\rc\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA: b\nc\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nA: \x01\r\n\r\n", 400 },
		{ "GET http://h/ HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400 },
		/*
		 * An error in a complete line is reported before the head
		 * ends.
		 */
		{ "GET http://h/ HTTP/1.1\r\nA : b\r\n", 400 },
	};
	const char	*s;

	s = "GET http://h/ HTTP/1.1\r\nA:b\r\nC: \t d e \t\r\nE:\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(m.nfields, ==, 3);
	check_int(m.fields[0].valuelen, ==, 1);
	check_int(m.fields[1].valuelen, ==, 3);
	check_mem(s + m.fields[1].value, "d e", 3);
	check_int(m.fields[2].valuelen, ==, 0);

	req_errors(bad, nitems(bad));
	check_int(http_request_parse(&m, (const uint8_t *)
	    "GET http://h/ HTTP/1.1\r\nA: b\0c\r\n\r\n", 35), ==, -1);
	check_int(m.error, ==, 400);
	/* obs-text is fine in values. */
	check_int(http_request_parse(&m,
	    S("GET http://h/ HTTP/1.1\r\nA: \xc3\xa9\r\n\r\n")), >, 0);
	s = "GET http://h/ HTTP/1.1\r\nExpect: 100-continue\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), >, 0);
	check_int(m.expect_continue, ==, 1);
}

static void
test_smuggling(void)
{
	static const struct rcase	 bad[] = {
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		    "Content-Length: 3\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
		    "Content-Length: 3\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n"
		    "Content-Length: 4\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: +3\r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length: 0x3\r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\nContent-Length:\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\n"
		    "Content-Length: 1234567890123456789\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\n"
		    "Transfer-Encoding: chunked, gzip\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\n"
		    "Transfer-Encoding: chunked, chunked\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n"
		    "\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n",
		    400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding : chunked\r\n"
		    "\r\n", 400 },
		{ "POST http://h/ HTTP/1.1\r\nTransfer-Encoding:\r\n"
		    " chunked\r\n\r\n", 400 },
		{ "POST http://h/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n", 400 },
	};
	const char	*s;
	uint64_t	 len;

	req_errors(bad, nitems(bad));

	s = "POST http://h/ HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n"
	    "\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(m.te, ==, HTTP_TE_CHUNKED);
	check_int(http_request_body(&m, &len), ==, HTTP_BODY_CHUNKED);

	s = "POST http://h/ HTTP/1.1\r\nContent-Length: 0012\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(http_request_body(&m, &len), ==, HTTP_BODY_LENGTH);
	check_int(len, ==, 12);

	s = "POST http://h/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(http_request_body(&m, &len), ==, HTTP_BODY_NONE);
	s = "GET http://h/ HTTP/1.1\r\n\r\n";
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(http_request_body(&m, &len), ==, HTTP_BODY_NONE);
}

static void
test_limits(void)
{
	char	*s;
	size_t	 off;
	int	 i;

	s = malloc(3 * HTTP_HEAD_MAX);
	/* 100 fields are fine, 101 are not. */
	off = snprintf(s, HTTP_HEAD_MAX, "GET http://h/ HTTP/1.1\r\n");
	for (i = 0; i < HTTP_FIELDS_MAX; i++)
		off += snprintf(s + off, 32, "F%d: v\r\n", i);
	strcpy(s + off, "\r\n");
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(m.nfields, ==, HTTP_FIELDS_MAX);
	off += snprintf(s + off, 32, "G: v\r\n\r\n");
	check_int(http_request_parse(&m, S(s)), ==, -1);
	check_int(m.error, ==, 431);

	/* A head of exactly HTTP_HEAD_MAX bytes is fine, one more is not. */
	off = snprintf(s, HTTP_HEAD_MAX, "GET http://h/ HTTP/1.1\r\nX: ");
	memset(s + off, 'a', HTTP_HEAD_MAX - off - 4);
	memcpy(s + HTTP_HEAD_MAX - 4, "\r\n\r\n", 5);
	check_int(strlen(s), ==, HTTP_HEAD_MAX);
	check_int(http_request_parse(&m, S(s)), ==, HTTP_HEAD_MAX);
	memset(s + off, 'a', HTTP_HEAD_MAX - off - 3);
	memcpy(s + HTTP_HEAD_MAX - 3, "\r\n\r\n", 5);
	check_int(http_request_parse(&m, S(s)), ==, -1);
	check_int(m.error, ==, 431);
	/* Without an end, HTTP_HEAD_MAX bytes are enough to say so. */
	check_int(http_request_parse(&m, (uint8_t *)s, HTTP_HEAD_MAX), ==, -1);
	check_int(m.error, ==, 431);
	check_int(http_request_parse(&m, (uint8_t *)s, HTTP_HEAD_MAX - 1), ==,
	    0);

	/* A request line alone over the limit: 414. */
	off = snprintf(s, HTTP_HEAD_MAX, "GET http://h/");
	memset(s + off, 'a', 2 * HTTP_HEAD_MAX);
	strcpy(s + off + 2 * HTTP_HEAD_MAX, " HTTP/1.1\r\n\r\n");
	check_int(http_request_parse(&m, S(s)), ==, -1);
	check_int(m.error, ==, 414);

	/* A host name over 255 bytes. */
	off = snprintf(s, HTTP_HEAD_MAX, "GET http://");
	memset(s + off, 'a', 256);
	strcpy(s + off + 256, "/ HTTP/1.1\r\n\r\n");
	check_int(http_request_parse(&m, S(s)), ==, -1);
	check_int(m.error, ==, 400);
	strcpy(s + off + 255, "/ HTTP/1.1\r\n\r\n");
	check_int(http_request_parse(&m, S(s)), ==, strlen(s));
	check_int(strlen(m.host), ==, 255);

	/* Method length. */
	check_int(req_error("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG http://h/ "
	    "HTTP/1.1\r\n\r\n"), ==, 501);
	free(s);
}

static void
test_pipelined(void)
{
	const char	*s = "GET http://a/1 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST http://b:81/2 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	    "HEAD http://c/3 HTTP/1.0\r\n\r\n";
	size_t		 off = 0, len = strlen(s);
	struct http_body b;
	uint64_t	 blen;
	ssize_t		 r;
	int		 kind;

	r = http_request_parse(&m, (const uint8_t *)s, len);
	check_int(r, ==, 36);
	check_str(m.host, "a");
	off += r;
	r = http_request_parse(&m, (const uint8_t *)s + off, len - off);
	check_int(r, >, 0);
	check_str(m.host, "b");
	check_int(m.port, ==, 81);
	off += r;
	kind = http_request_body(&m, &blen);
	check_int(kind, ==, HTTP_BODY_LENGTH);
	http_body_init(&b, kind, blen);
	r = http_body_advance(&b, (const uint8_t *)s + off, len - off);
	check_int(r, ==, 5);
	check_int(b.done, ==, 1);
	check_int(http_body_advance(&b, (const uint8_t *)s + off, len - off),
	    ==, 0);
	off += r;
	r = http_request_parse(&m, (const uint8_t *)s + off, len - off);
	check_int(r, ==, len - off);
	check_int(m.method, ==, HTTP_M_HEAD);
	check_int(m.minor, ==, 0);
	check_int(http_keepalive(&m), ==, 0);
}

static void
test_keepalive(void)
{
	static const struct {
		const char	*req;
		int		 keepalive;
	} reqs[] = {
		{ "GET http://h/ HTTP/1.1\r\nConnection: Close\r\n\r\n", 0 },
		{ "GET http://h/ HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
		    0 },
		{ "GET http://h/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		    1 },
		{ "GET http://h/ HTTP/1.0\r\n"
		    "Proxy-Connection: Keep-Alive\r\n\r\n", 1 },
		{ "GET http://h/ HTTP/1.0\r\n\r\n", 0 },
		{ "GET http://h/ HTTP/1.1\r\n"
		    "Connection: foo, keep-alive\r\n\r\n", 1 },
	};
	size_t	 i;

	for (i = 0; i < nitems(reqs); i++) {
		test_case_mem("request", reqs[i].req, strlen(reqs[i].req));
		check_int(http_request_parse(&m, S(reqs[i].req)), >, 0);
		check_int(http_keepalive(&m), ==, reqs[i].keepalive);
	}
	test_case_end();
	check_int(req_error("GET http://h/ HTTP/1.1\r\nConnection: a b\r\n"
	    "\r\n"), ==, 400);
}

/* Body bytes: whole, split in two at every point, one byte at a time. */
static int
body_run(int kind, uint64_t len, const char *s, size_t slen, size_t want)
{
	struct http_body b;
	size_t		 cut, i, got;
	ssize_t		 r, r2;

	http_body_init(&b, kind, len);
	r = http_body_advance(&b, (const uint8_t *)s, slen);
	if (r != (ssize_t)want || !b.done) {
		printf("# whole: %zd, done %d, want %zu\n", r, b.done, want);
		return (0);
	}
	for (cut = 0; cut <= slen; cut++) {
		http_body_init(&b, kind, len);
		r = http_body_advance(&b, (const uint8_t *)s, cut);
		if (r < 0)
			return (0);
		r2 = http_body_advance(&b, (const uint8_t *)s + r, slen - r);
		if (r2 < 0 || (size_t)(r + r2) != want || !b.done) {
			printf("# cut %zu: %zd + %zd\n", cut, r, r2);
			return (0);
		}
	}
	http_body_init(&b, kind, len);
	for (i = 0, got = 0; i < slen && !b.done; i++) {
		r = http_body_advance(&b, (const uint8_t *)s + i, 1);
		if (r < 0)
			return (0);
		got += r;
	}
	if (got != want || !b.done || b.total != want)
		return (0);
	return (1);
}

static int
body_bad(const char *s)
{
	struct http_body b;
	size_t		 i, len = strlen(s);
	ssize_t		 r;

	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	if (http_body_advance(&b, (const uint8_t *)s, len) != -1)
		return (0);
	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	for (i = 0; i < len; i++)
		if ((r = http_body_advance(&b, (const uint8_t *)s + i, 1)) ==
		    -1)
			return (1);
	return (0);
}

static void
test_chunked(void)
{
	/* Bodies of each kind, and how many bytes follow them. */
	static const struct {
		int		 kind;
		uint64_t	 len;
		const char	*s;
		size_t		 after;
	} good[] = {
		{ HTTP_BODY_CHUNKED, 0,
		    "4\r\nWiki\r\n5;a=b;c=\"d;e\"\r\npedia\r\nE \t; x\r\n"
		    " in\r\n\r\nchunks.\r\n0\r\n\r\nGET next", 8 },
		{ HTTP_BODY_CHUNKED, 0,
		    "a\r\n0123456789\r\n0;last\r\nX-Sum: 1\r\nY: 2\r\n\r\nnext",
		    4 },
		{ HTTP_BODY_CHUNKED, 0, "0\r\n\r\n", 0 },
		{ HTTP_BODY_CHUNKED, 0,
		    "000000000000000000000001\r\nA\r\n0\r\n\r\n", 0 },
		{ HTTP_BODY_LENGTH, 5, "hello world", 6 },
	};
	static const char	*bad[] = {
		"g\r\n", "\r\n", ";x\r\n", "-1\r\n", "0x5\r\n", "5 5\r\n",
		"5\n", "5\rx", "fffffffffffffffff\r\n", "8000000000000000\r\n",
		"4\r\nWikiX\r\n", "4\r\nWiki\rX", "4\r\nWiki\n", "1;a\x01\r\n",
		"0\r\n folded\r\n\r\n", "0\r\nX: 1\n", "0\r\nX: 1\r\n\n",
		"0\r\n\rX",
	};
	const char	*s;
	char		*big;
	struct http_body b;
	size_t		 i;

	for (i = 0; i < nitems(good); i++) {
		s = good[i].s;
		test_case_mem("body", s, strlen(s));
		check(body_run(good[i].kind, good[i].len, s, strlen(s),
		    strlen(s) - good[i].after));
	}
	test_case_end();

	for (i = 0; i < nitems(bad); i++) {
		test_case_mem("chunked", bad[i], strlen(bad[i]));
		check(body_bad(bad[i]));
	}
	test_case_end();

	/* A size line over the limit, and trailers over theirs. */
	big = malloc(2 * HTTP_HEAD_MAX + 16);
	big[0] = '1';
	big[1] = ';';
	memset(big + 2, 'x', HTTP_CHUNK_LINE_MAX);
	strcpy(big + 2 + HTTP_CHUNK_LINE_MAX, "\r\n");
	check(body_bad(big));
	memcpy(big, "0\r\nX: ", 6);
	memset(big + 6, 'x', HTTP_TRAILER_MAX);
	strcpy(big + 6 + HTTP_TRAILER_MAX, "\r\n\r\n");
	check(body_bad(big));
	free(big);

	/* Largest size accepted: the counter does not wrap. */
	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	check_int(http_body_advance(&b, S("7fffffffffffffff\r\nab")), ==, 20);
	check_int(b.left, ==, 0x7fffffffffffffffULL - 2);
	check_int(b.done, ==, 0);

	/* Close-delimited takes everything and never ends by itself. */
	http_body_init(&b, HTTP_BODY_CLOSE, 0);
	check_int(http_body_advance(&b, S("abc")), ==, 3);
	check_int(b.done, ==, 0);
	http_body_init(&b, HTTP_BODY_NONE, 0);
	check_int(b.done, ==, 1);
	check_int(http_body_advance(&b, S("abc")), ==, 0);
	http_body_init(&b, HTTP_BODY_LENGTH, 0);
	check_int(b.done, ==, 1);
}

static int
resp_kind(const char *s, int method)
{
	uint64_t	 len;

	if (http_response_parse(&m, S(s)) != (ssize_t)strlen(s))
		return (-1);
	return (http_response_body(&m, method, &len));
}

static void
test_response(void)
{
	/* Responses, the request method, and the framing resp_kind finds. */
	static const struct {
		const char	*resp;
		int		 method;
		int		 kind;
	} resps[] = {
		{ "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
		    HTTP_M_GET, HTTP_BODY_NONE },
		{ "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n"
		    "\r\n", HTTP_M_GET, HTTP_BODY_NONE },
		{ "HTTP/1.1 100 Continue\r\n\r\n",
		    HTTP_M_POST, HTTP_BODY_NONE },
		{ "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n",
		    HTTP_M_GET, HTTP_BODY_NONE },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		    HTTP_M_GET, HTTP_BODY_CHUNKED },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		    HTTP_M_GET, HTTP_BODY_CLOSE },
		{ "HTTP/1.0 200 OK\r\n\r\n", HTTP_M_GET, HTTP_BODY_CLOSE },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		    HTTP_M_GET, HTTP_BODY_NONE },
		{ "HTTP/1.1 200 \r\n\r\n", HTTP_M_GET, HTTP_BODY_CLOSE },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/2 200 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 20 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 099 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 600 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 2000 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1  200 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "ICY 200 OK\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 200 OK\r\nA : b\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", HTTP_M_GET, -1 },
		{ "HTTP/1.1 200 OK\n\n", HTTP_M_GET, -1 },
	};
	const char	*s;
	uint64_t	 len;
	size_t		 i;

	s = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nServer: x\r\n\r\n";
	for (i = 0; i < strlen(s); i++)
		check_int(http_response_parse(&m, (const uint8_t *)s, i), ==,
		    0);
	check_int(http_response_parse(&m, S(s)), ==, strlen(s));
	check_int(m.status, ==, 200);
	check_int(m.minor, ==, 1);
	check_mem(s + m.reason, "OK", 2);
	check_int(m.reasonlen, ==, 2);
	check_int(http_response_body(&m, HTTP_M_GET, &len), ==,
	    HTTP_BODY_LENGTH);
	check_int(len, ==, 12);
	check_int(http_response_body(&m, HTTP_M_HEAD, &len), ==,
	    HTTP_BODY_NONE);

	for (i = 0; i < nitems(resps); i++) {
		test_case_mem("response", resps[i].resp, strlen(resps[i].resp));
		check_int(resp_kind(resps[i].resp, resps[i].method), ==,
		    resps[i].kind);
	}
	test_case_end();
	check_int(resp_kind("HTTP/1.1 404\r\n\r\n", HTTP_M_GET), ==,
	    HTTP_BODY_CLOSE);
	check_int(m.status, ==, 404);
	check_int(m.reasonlen, ==, 0);

	check_int(resp_kind("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", HTTP_M_GET), ==, -1);
	check_int(m.error, ==, 502);

	/* Interim then final in one buffer. */
	s = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
	    "Content-Length: 2\r\n\r\nok";
	check_int(http_response_parse(&m, S(s)), ==, 25);
	check_int(m.status, ==, 100);
	check_int(http_response_parse(&m, S(s + 25)), ==, strlen(s) - 27);
	check_int(m.status, ==, 201);
}

static char	 out[HTTP_REWRITE_MAX];

static const char *
rw_req(const char *s, int flags)
{
	ssize_t	 n;

	if (http_request_parse(&m, S(s)) <= 0)
		return ("(parse error)");
	n = http_request_rewrite(&m, (const uint8_t *)s, flags, out,
	    sizeof out - 1);
	if (n < 0)
		return ("(rewrite error)");
	out[n] = '\0';
	return (out);
}

static const char *
rw_resp(const char *s, int minor, int flags)
{
	ssize_t	 n;

	if (http_response_parse(&m, S(s)) <= 0)
		return ("(parse error)");
	n = http_response_rewrite(&m, (const uint8_t *)s, minor, flags, out,
	    sizeof out - 1);
	if (n < 0)
		return ("(rewrite error)");
	out[n] = '\0';
	return (out);
}

static void
test_rewrite_request(void)
{
	const char	*s;
	char		 small[40];

	s = "GET http://example.org/p?q=1 HTTP/1.1\r\n"
	    "Host: example.org\r\n"
	    "Connection: foo, keep-alive\r\n"
	    "Foo: bar\r\n"
	    "Keep-Alive: timeout=5\r\n"
	    "Proxy-Connection: keep-alive\r\n"
	    "Proxy-Authorization: Basic eDp5\r\n"
	    "TE: trailers\r\n"
	    "Trailer: X\r\n"
	    "Upgrade: websocket\r\n"
	    "Accept: */*\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n";
	check_str(rw_req(s, 0), "GET /p?q=1 HTTP/1.1\r\n"
	    "Host: example.org\r\n"
	    "Accept: */*\r\n"
	    "Content-Length: 0\r\n"
	    "Connection: close\r\n"
	    "\r\n");
	check_str(rw_req(s, HTTP_RW_VIA), "GET /p?q=1 HTTP/1.1\r\n"
	    "Host: example.org\r\n"
	    "Accept: */*\r\n"
	    "Content-Length: 0\r\n"
	    "Connection: close\r\n"
	    "Via: 1.1 tentacle\r\n"
	    "\r\n");
	check(strstr(out, "X-Forwarded-For") == NULL);

	/* Host added from the URI, port kept; path "/" when empty. */
	check_str(rw_req("HEAD http://[::1]:8080 HTTP/1.0\r\nA: b\r\n\r\n",
	    HTTP_RW_VIA), "HEAD / HTTP/1.1\r\nHost: [::1]:8080\r\nA: b\r\n"
	    "Connection: close\r\nVia: 1.0 tentacle\r\n\r\n");
	/* Query without a path. */
	check_str(rw_req("GET http://h?x HTTP/1.1\r\n\r\n", 0),
	    "GET /?x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	/* An inconsistent Host is replaced in place; a consistent one kept. */
	check_str(rw_req("GET http://a.example/ HTTP/1.1\r\nX: 1\r\n"
	    "Host: evil.example\r\nY: 2\r\n\r\n", 0),
	    "GET / HTTP/1.1\r\nX: 1\r\nHost: a.example\r\nY: 2\r\n"
	    "Connection: close\r\n\r\n");
	check_str(rw_req("GET http://a.example:81/ HTTP/1.1\r\n"
	    "Host: A.Example:81\r\n\r\n", 0),
	    "GET / HTTP/1.1\r\nHost: A.Example:81\r\nConnection: close\r\n\r\n");
	/* Connection cannot strip framing or Host. */
	check_str(rw_req("POST http://h/ HTTP/1.1\r\nConnection: "
	    "content-length, transfer-encoding, host, x-a\r\nTransfer-Encoding: "
	    "chunked\r\nX-A: 1\r\nX-B: 2\r\n\r\n", 0),
	    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "X-B: 2\r\nConnection: close\r\n\r\n");
	/* Field names are case-insensitive, several Connection lines. */
	check_str(rw_req("GET http://h/ HTTP/1.1\r\nconnection: X-One\r\n"
	    "CONNECTION: x-two\r\nx-one: 1\r\nX-TWO: 2\r\nx-three: 3\r\n\r\n",
	    0), "GET / HTTP/1.1\r\nHost: h\r\nx-three: 3\r\n"
	    "Connection: close\r\n\r\n");

	/* Too small an output buffer fails cleanly. */
	s = "GET http://example.org/aaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n"
	    "\r\n";
	check_int(http_request_parse(&m, S(s)), >, 0);
	check_int(http_request_rewrite(&m, (const uint8_t *)s, 0, small,
	    sizeof small), ==, -1);
}

static void
test_rewrite_response(void)
{
	const char	*s;

	s = "HTTP/1.1 200 OK\r\n"
	    "Connection: close, X-Hop\r\n"
	    "X-Hop: 1\r\n"
	    "Keep-Alive: timeout=5\r\n"
	    "Proxy-Authenticate: Basic\r\n"
	    "Upgrade: h2c\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "X-End: 2\r\n"
	    "\r\n";
	check_str(rw_resp(s, 1, HTTP_RW_KEEPALIVE), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\nX-End: 2\r\n\r\n");
	check_str(rw_resp(s, 1, 0), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\nX-End: 2\r\nConnection: close\r\n"
	    "\r\n");
	check_str(rw_resp(s, 0, HTTP_RW_KEEPALIVE | HTTP_RW_VIA),
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-End: 2\r\n"
	    "Connection: keep-alive\r\nVia: 1.1 tentacle\r\n\r\n");
	check_str(rw_resp("HTTP/1.0 404\r\nContent-Length: 0\r\n\r\n", 1,
	    HTTP_RW_VIA), "HTTP/1.1 404 \r\nContent-Length: 0\r\n"
	    "Connection: close\r\nVia: 1.0 tentacle\r\n\r\n");
	/* Interim responses get no Connection field. */
	check_str(rw_resp("HTTP/1.1 100 Continue\r\n\r\n", 1, 0),
	    "HTTP/1.1 100 Continue\r\n\r\n");
}

static void
test_reply(void)
{
	static const struct {
		int	 dial;
		int	 status;
	} map[] = {
		{ DIAL_OK, 200 },
		{ DIAL_REFUSED, 502 },
		{ DIAL_DNS, 502 },
		{ DIAL_NETUNREACH, 502 },
		{ DIAL_TIMEOUT, 504 },
		{ DIAL_NONODE, 503 },
		{ DIAL_NOTALLOWED, 403 },
		{ DIAL_BADADDR, 400 },
		{ DIAL_NODELOST, 502 },
	};
	char	 buf[HTTP_REPLY_MAX];
	size_t	 n, i;

	n = http_reply(buf, sizeof buf, 502, "tentacle: no\n");
	check_int(n, ==, strlen(buf));
	check_str(buf, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 13\r\n"
	    "Connection: close\r\n\r\ntentacle: no\n");
	check_int(http_reply(buf, 20, 502, "x"), ==, 0);
	for (i = 0; i < nitems(map); i++) {
		test_case("dial result %d", map[i].dial);
		check_int(http_status_from_dial(map[i].dial), ==,
		    map[i].status);
	}
	test_case_end();
	check_str(http_dial_str(DIAL_REFUSED), "connection refused");
}

int
main(void)
{
	TEST(test_get(), "absolute-form GET, every prefix needs more");
	TEST(test_targets(), "targets: IPv6, IPv4, CONNECT, ports, schemes");
	TEST(test_request_line(), "request line: versions, methods, bytes");
	TEST(test_fields(), "header fields: OWS, obs-fold, colon, CTLs");
	TEST(test_smuggling(), "smuggling: CL+TE, double CL, bad TE");
	TEST(test_limits(), "limits: 100 fields, 8 KiB head, 414, host");
	TEST(test_pipelined(), "pipelined requests with a body");
	TEST(test_keepalive(), "client keep-alive rules");
	TEST(test_chunked(), "chunked framing, split at every byte, errors");
	TEST(test_response(), "response heads and framing (HEAD/1xx/204/304)");
	TEST(test_rewrite_request(), "request rewriter: hop-by-hop, Host, Via");
	TEST(test_rewrite_response(), "response rewriter: keep-alive, Via");
	TEST(test_reply(), "proxy replies and dial result statuses");
	return (test_done());
}
