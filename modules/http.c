/*
 * http.c: parse HTTP/1.x request and response heads, frame bodies (RFC
 * 9112) and rewrite heads for the proxy (doc/http-proxy.md).  Owns the
 * head limits and the hop-by-hop rules; never touches sockets or the loop.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tentacle.h"
#include "http.h"

/* Chunked parser states. */
#define CH_SIZE		0	/* chunk-size hex digits */
#define CH_SIZE_WS	1	/* BWS after the size, before ';' */
#define CH_EXT		2	/* chunk extensions, up to CR */
#define CH_SIZE_LF	3
#define CH_DATA		4
#define CH_DATA_CR	5
#define CH_DATA_LF	6
#define CH_TRAILER_START 7	/* start of a trailer line or the last CRLF */
#define CH_TRAILER	8
#define CH_TRAILER_LF	9
#define CH_END_LF	10

static int	 http_fail(struct http_msg *, int, const char *);
static int	 http_tchar(int);
static int	 http_line(struct http_msg *, const uint8_t *, size_t, size_t,
		    size_t *, int);
static int	 http_version(const uint8_t *, size_t, int *);
static int	 http_authority(const char *, size_t, int, struct http_msg *);
static int	 http_target_parse(struct http_msg *, const uint8_t *, size_t,
		    size_t);
static int	 http_field_add(struct http_msg *, const uint8_t *, size_t,
		    size_t, int);
static int	 http_field_note(struct http_msg *, const uint8_t *, int *,
		    int *, int);
static int	 http_fields(struct http_msg *, const uint8_t *, size_t,
		    size_t, size_t *, int);
static int	 http_field_is(const uint8_t *, const struct http_field *,
		    const char *);
static int	 http_list_has(const uint8_t *, size_t, const char *);
static int	 http_conn_parse(const uint8_t *, size_t, int *);
static int	 http_te_parse(const uint8_t *, size_t);
static ssize_t	 http_chunked_advance(struct http_body *, const uint8_t *,
		    size_t);
static int	 http_hop(const struct http_msg *, const uint8_t *,
		    const struct http_field *);
static int	 http_out(char *, size_t, size_t *, const void *, size_t);

static int
http_fail(struct http_msg *m, int status, const char *why)
{
	m->error = status;
	m->why = why;
	return (-1);
}

static int
http_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * Find the line starting at off.  1: complete, *eol is its CR; 0: need more
 * bytes; -1: bare CR or LF, NUL or another control character.
 */
static int
http_line(struct http_msg *m, const uint8_t *buf, size_t len, size_t off,
    size_t *eol, int status)
{
	size_t	 i;
	int	 c;

	for (i = off; i < len; i++) {
		c = buf[i];
		if (c == '\r') {
			if (i + 1 == len)
				return (0);
			if (buf[i + 1] != '\n')
				return (http_fail(m, status, "bare CR"));
			*eol = i;
			return (1);
		}
		if (c == '\n')
			return (http_fail(m, status, "bare LF"));
		if (c == '\0')
			return (http_fail(m, status, "NUL byte"));
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return (http_fail(m, status, "control character"));
	}
	return (0);
}

/* "HTTP/1.1": 1 and *minor; 0 for another HTTP/d.d; -1 if not a version. */
static int
http_version(const uint8_t *p, size_t len, int *minor)
{
	if (len != 8 || memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' ||
	    p[5] < '0' || p[5] > '9' || p[7] < '0' || p[7] > '9')
		return (-1);
	if (p[5] != '1' || p[7] > '1')
		return (0);
	*minor = p[7] - '0';
	return (1);
}

/* host[:port] or [v6][:port] into m->host, m->port. */
static int
http_authority(const char *s, size_t len, int need_port, struct http_msg *m)
{
	struct in6_addr	 in6;
	char		 v6[64];
	size_t		 i, hlen, plen;
	const char	*h, *p;
	u_int		 port;

	m->host_v6 = 0;
	if (len > 0 && s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			;
		if (i == len)
			return (http_fail(m, 400, "unterminated [IPv6]"));
		hlen = i - 1;
		if (hlen == 0 || hlen >= sizeof v6)
			return (http_fail(m, 400, "bad IPv6 address"));
		memcpy(v6, s + 1, hlen);
		v6[hlen] = '\0';
		if (strspn(v6, "0123456789abcdefABCDEF:.") != hlen ||
		    inet_pton(AF_INET6, v6, &in6) != 1)
			return (http_fail(m, 400, "bad IPv6 address"));
		memcpy(m->host, v6, hlen + 1);
		m->host_v6 = 1;
		i++;
		if (i < len && s[i] != ':')
			return (http_fail(m, 400, "junk after [IPv6]"));
	} else {
		h = s;
		for (i = 0; i < len && s[i] != ':'; i++) {
			if (!((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9') ||
			    s[i] == '.' || s[i] == '-' || s[i] == '_' ||
			    s[i] == '~'))
				return (http_fail(m, 400,
				    "bad character in host name"));
		}
		hlen = i;
		if (hlen == 0)
			return (http_fail(m, 400, "empty host"));
		if (hlen >= sizeof m->host)
			return (http_fail(m, 400, "host name too long"));
		memcpy(m->host, h, hlen);
		m->host[hlen] = '\0';
	}
	if (i == len) {
		if (need_port)
			return (http_fail(m, 400, "port missing"));
		m->port = 80;
		return (0);
	}
	p = s + i + 1;
	plen = len - i - 1;
	if (plen == 0 || plen > 5)
		return (http_fail(m, 400, "bad port"));
	port = 0;
	for (i = 0; i < plen; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (http_fail(m, 400, "bad port"));
		port = port * 10 + (p[i] - '0');
	}
	if (port == 0 || port > 65535)
		return (http_fail(m, 400, "bad port"));
	m->port = port;
	return (0);
}

/* The request-target in buf[off, off + len). */
static int
http_target_parse(struct http_msg *m, const uint8_t *buf, size_t off,
    size_t len)
{
	const char	*t = (const char *)buf + off;
	size_t		 i, alen;

	for (i = 0; i < len; i++) {
		if (t[i] == '#')
			return (http_fail(m, 400, "fragment in request-target"));
	}
	if (m->method == HTTP_M_CONNECT) {
		m->authority = off;
		m->authoritylen = len;
		return (http_authority(t, len, 1, m));
	}
	if (len > 0 && (t[0] == '/' || t[0] == '*'))
		return (http_fail(m, 400, "this is a proxy: send absolute-form "
		    "requests (http://host/path) or CONNECT"));
	for (i = 0; i < len; i++) {
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= 'A' && t[i] <= 'Z') ||
		    (i > 0 && ((t[i] >= '0' && t[i] <= '9') ||
		    t[i] == '+' || t[i] == '-' || t[i] == '.'))))
			break;
	}
	if (i == 0 || i + 3 > len || memcmp(t + i, "://", 3) != 0)
		return (http_fail(m, 400, "bad request-target"));
	if (i != 4 || strncasecmp(t, "http", 4) != 0)
		return (http_fail(m, 501, "unsupported URI scheme (only "
		    "http://; use CONNECT for https)"));
	t += 7;
	off += 7;
	len -= 7;
	for (alen = 0; alen < len; alen++) {
		if (t[alen] == '/' || t[alen] == '?')
			break;
		if (t[alen] == '@')
			return (http_fail(m, 400, "userinfo in URI"));
	}
	m->authority = off;
	m->authoritylen = alen;
	if (http_authority(t, alen, 0, m) == -1)
		return (-1);
	m->path = off + alen;
	m->pathlen = len - alen;
	return (0);
}

static int
http_field_is(const uint8_t *buf, const struct http_field *f,
    const char *name)
{
	return (strlen(name) == f->namelen &&
	    strncasecmp((const char *)buf + f->name, name, f->namelen) == 0);
}

/* Is name one of the comma-separated tokens in p[0, len)? */
/*
 * The next element of a comma-separated header list from *i: [*s, *e),
 * trimmed; with params, the element ends at ';' and its parameters are
 * skipped.  Returns 0 when no element is left.
 */
static int
http_list_next(const uint8_t *p, size_t len, size_t *i, size_t *s,
    size_t *e, int params)
{
	size_t	 k = *i;

	while (k < len && (p[k] == ' ' || p[k] == '\t' || p[k] == ','))
		k++;
	if (k == len) {
		*i = k;
		return (0);
	}
	*s = k;
	while (k < len && p[k] != ',' && !(params && p[k] == ';'))
		k++;
	*e = k;
	while (*e > *s && (p[*e - 1] == ' ' || p[*e - 1] == '\t'))
		(*e)--;
	while (k < len && p[k] != ',')
		k++;		/* parameters */
	*i = k;
	return (1);
}

static int
http_list_has(const uint8_t *p, size_t len, const char *name)
{
	size_t	 i = 0, s, e, n = strlen(name);

	while (http_list_next(p, len, &i, &s, &e, 0)) {
		if (e - s == n && strncasecmp((const char *)p + s, name,
		    n) == 0)
			return (1);
	}
	return (0);
}

/* Connection options: each element a token; returns -1 if one is not. */
static int
http_conn_parse(const uint8_t *p, size_t len, int *conn)
{
	size_t	 i = 0, s, e, j;

	while (http_list_next(p, len, &i, &s, &e, 0)) {
		for (j = s; j < e; j++)
			if (!http_tchar(p[j]))
				return (-1);
		if (e - s == 5 && strncasecmp((const char *)p + s, "close",
		    5) == 0)
			*conn |= HTTP_CONN_CLOSE;
		else if (e - s == 10 && strncasecmp((const char *)p + s,
		    "keep-alive", 10) == 0)
			*conn |= HTTP_CONN_KEEPALIVE;
		else if (e - s == 7 && strncasecmp((const char *)p + s,
		    "upgrade", 7) == 0)
			*conn |= HTTP_CONN_UPGRADE;
	}
	return (0);
}

/*
 * Transfer-Encoding: HTTP_TE_CHUNKED when chunked is the last coding and
 * appears once, HTTP_TE_OTHER when it is absent, -1 when malformed or
 * chunked appears before the last coding.
 */
static int
http_te_parse(const uint8_t *p, size_t len)
{
	size_t	 i = 0, s, e, j;
	int	 n = 0, last = 0, chunked = 0;

	while (http_list_next(p, len, &i, &s, &e, 1)) {
		if (e == s)
			return (-1);
		for (j = s; j < e; j++)
			if (!http_tchar(p[j]))
				return (-1);
		n++;
		last = (e - s == 7 && strncasecmp((const char *)p + s,
		    "chunked", 7) == 0);
		chunked += last;
	}
	if (n == 0)
		return (-1);
	if (chunked > 1 || (chunked == 1 && !last))
		return (-1);
	return (last ? HTTP_TE_CHUNKED : HTTP_TE_OTHER);
}

/*
 * Check the field line from off to eol and add it to m->fields.  Returns
 * 1, or -1 with m->error set (status: 400 requests, 502 responses).
 */
static int
http_field_add(struct http_msg *m, const uint8_t *buf, size_t off,
    size_t eol, int status)
{
	struct http_field	*f;
	size_t			 i, v, ve;

	if (buf[off] == ' ' || buf[off] == '\t')
		return (http_fail(m, status, "obs-fold (line folding)"));
	for (i = off; i < eol && buf[i] != ':'; i++) {
		if (buf[i] == ' ' || buf[i] == '\t')
			return (http_fail(m, status,
			    "whitespace before colon"));
		if (!http_tchar(buf[i]))
			return (http_fail(m, status,
			    "bad character in field name"));
	}
	if (i == eol)
		return (http_fail(m, status, "field without colon"));
	if (i == off)
		return (http_fail(m, status, "empty field name"));
	if (m->nfields == HTTP_FIELDS_MAX)
		return (http_fail(m, status == 400 ? 431 : status,
		    "too many header fields"));
	v = i + 1;
	while (v < eol && (buf[v] == ' ' || buf[v] == '\t'))
		v++;
	ve = eol;
	while (ve > v && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
		ve--;
	f = &m->fields[m->nfields++];
	f->name = off;
	f->namelen = i - off;
	f->value = v;
	f->valuelen = ve - v;
	return (1);
}

/*
 * Take what the last field added says about framing and the connection;
 * *nhost and *nte count Host and Transfer-Encoding.  Returns 1 or -1.
 */
static int
http_field_note(struct http_msg *m, const uint8_t *buf, int *nhost,
    int *nte, int status)
{
	const struct http_field	*f = &m->fields[m->nfields - 1];
	size_t			 i, v = f->value, ve = f->value + f->valuelen;
	int			 te;
	uint64_t		 cl;

	if (http_field_is(buf, f, "content-length")) {
		if (m->clen != -1)
			return (http_fail(m, status,
			    "duplicate Content-Length"));
		if (ve == v || ve - v > 18)
			return (http_fail(m, status, "bad Content-Length"));
		cl = 0;
		for (i = v; i < ve; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return (http_fail(m, status,
				    "bad Content-Length"));
			cl = cl * 10 + (buf[i] - '0');
		}
		m->clen = cl;
	} else if (http_field_is(buf, f, "transfer-encoding")) {
		if ((*nte)++)
			return (http_fail(m, status,
			    "duplicate Transfer-Encoding"));
		if ((te = http_te_parse(buf + v, ve - v)) == -1)
			return (http_fail(m, status,
			    "bad Transfer-Encoding"));
		m->te = te;
	} else if (http_field_is(buf, f, "connection")) {
		if (http_conn_parse(buf + v, ve - v, &m->conn) == -1)
			return (http_fail(m, status, "bad Connection"));
	} else if (http_field_is(buf, f, "proxy-connection")) {
		if (http_conn_parse(buf + v, ve - v, &m->pconn) == -1)
			return (http_fail(m, status, "bad Proxy-Connection"));
	} else if (http_field_is(buf, f, "host")) {
		if ((*nhost)++)
			return (http_fail(m, status, "duplicate Host"));
		m->host_field = m->nfields - 1;
	} else if (http_field_is(buf, f, "expect")) {
		if (http_list_has(buf + v, ve - v, "100-continue"))
			m->expect_continue = 1;
	}
	return (1);
}

/*
 * Header fields from off until the empty line; *end gets the offset after
 * it.  status is the code for errors (400 requests, 502 responses).
 */
static int
http_fields(struct http_msg *m, const uint8_t *buf, size_t len, size_t off,
    size_t *end, int status)
{
	size_t	 eol;
	int	 r, nhost = 0, nte = 0;

	for (;;) {
		if ((r = http_line(m, buf, len, off, &eol, status)) != 1)
			return (r);
		if (eol == off)
			break;
		if (http_field_add(m, buf, off, eol, status) == -1 ||
		    http_field_note(m, buf, &nhost, &nte, status) == -1)
			return (-1);
		off = eol + 2;
	}
	if (m->te != HTTP_TE_NONE && m->clen != -1)
		return (http_fail(m, status,
		    "both Transfer-Encoding and Content-Length"));
	*end = eol + 2;
	return (1);
}

static void
http_msg_reset(struct http_msg *m)
{
	memset(m, 0, sizeof *m);
	m->clen = -1;
	m->host_field = -1;
}

static size_t
http_skip_crlf(const uint8_t *buf, size_t len)
{
	size_t	 off = 0;

	while (off + 1 < len && buf[off] == '\r' && buf[off + 1] == '\n')
		off += 2;
	return (off);
}

/* see http.h */
ssize_t
http_request_parse(struct http_msg *m, const uint8_t *buf, size_t len)
{
	static const struct {
		const char	*name;
		int		 method;
	} methods[] = {
		{ "GET", HTTP_M_GET }, { "HEAD", HTTP_M_HEAD },
		{ "POST", HTTP_M_POST }, { "PUT", HTTP_M_PUT },
		{ "DELETE", HTTP_M_DELETE }, { "OPTIONS", HTTP_M_OPTIONS },
		{ "PATCH", HTTP_M_PATCH }, { "CONNECT", HTTP_M_CONNECT }
	};
	size_t	 lim, off, eol, i, sp1, sp2, end;
	int	 r, v;

	http_msg_reset(m);
	lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	off = http_skip_crlf(buf, lim);
	if ((r = http_line(m, buf, lim, off, &eol, 400)) == -1)
		return (-1);
	if (r == 0) {
		if (lim == HTTP_HEAD_MAX)
			return (http_fail(m, 414, "request line too long"));
		return (0);
	}

	for (sp1 = off; sp1 < eol && buf[sp1] != ' '; sp1++)
		if (!http_tchar(buf[sp1]))
			return (http_fail(m, 400, "bad method"));
	if (sp1 == off || sp1 == eol)
		return (http_fail(m, 400, "bad request line"));
	for (sp2 = sp1 + 1; sp2 < eol && buf[sp2] != ' '; sp2++)
		if (buf[sp2] <= 0x20 || buf[sp2] >= 0x7f)
			return (http_fail(m, 400,
			    "bad character in request-target"));
	if (sp2 == sp1 + 1 || sp2 == eol)
		return (http_fail(m, 400, "bad request line"));
	v = http_version(buf + sp2 + 1, eol - sp2 - 1, &m->minor);
	if (v == -1)
		return (http_fail(m, 400, "bad HTTP version"));
	if (v == 0)
		return (http_fail(m, 505, "only HTTP/1.0 and HTTP/1.1"));

	if (sp1 - off > HTTP_METHOD_MAX)
		return (http_fail(m, 501, "method not implemented"));
	memcpy(m->method_str, buf + off, sp1 - off);
	m->method_str[sp1 - off] = '\0';
	for (i = 0; i < nitems(methods); i++)
		if (strcmp(m->method_str, methods[i].name) == 0)
			m->method = methods[i].method;
	if (m->method == HTTP_M_OTHER)
		return (http_fail(m, 501, "method not implemented"));
	if (http_target_parse(m, buf, sp1 + 1, sp2 - sp1 - 1) == -1)
		return (-1);

	if ((r = http_fields(m, buf, lim, eol + 2, &end, 400)) == -1)
		return (-1);
	if (r == 0) {
		if (lim == HTTP_HEAD_MAX)
			return (http_fail(m, 431, "request head too large"));
		return (0);
	}
	if (m->te != HTTP_TE_NONE && m->minor == 0)
		return (http_fail(m, 400, "Transfer-Encoding in HTTP/1.0"));
	if (m->te == HTTP_TE_OTHER)
		return (http_fail(m, 400, "request Transfer-Encoding must end "
		    "with chunked"));
	m->head_len = end;
	return (end);
}

/* see http.h */
ssize_t
http_response_parse(struct http_msg *m, const uint8_t *buf, size_t len)
{
	size_t	 lim, off, eol, p, end;
	int	 r;

	http_msg_reset(m);
	m->method = HTTP_M_OTHER;
	lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	off = 0;
	if ((r = http_line(m, buf, lim, off, &eol, 502)) == -1)
		return (-1);
	if (r == 0) {
		if (lim == HTTP_HEAD_MAX)
			return (http_fail(m, 502, "status line too long"));
		return (0);
	}
	if (eol - off < 12 || http_version(buf, 8, &m->minor) != 1 ||
	    buf[8] != ' ')
		return (http_fail(m, 502, "bad status line"));
	for (p = 9; p < 12; p++)
		if (buf[p] < '0' || buf[p] > '9')
			return (http_fail(m, 502, "bad status code"));
	m->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 +
	    (buf[11] - '0');
	if (m->status < 100 || m->status > 599)
		return (http_fail(m, 502, "bad status code"));
	if (eol > 12 && buf[12] != ' ')
		return (http_fail(m, 502, "bad status line"));
	m->reason = eol > 12 ? 13 : 12;
	m->reasonlen = eol - m->reason;

	if ((r = http_fields(m, buf, lim, eol + 2, &end, 502)) == -1)
		return (-1);
	if (r == 0) {
		if (lim == HTTP_HEAD_MAX)
			return (http_fail(m, 502, "response head too large"));
		return (0);
	}
	m->head_len = end;
	return (end);
}

/* see http.h */
void
http_target(const struct http_msg *m, struct target *t)
{
	memset(t, 0, sizeof *t);
	t->port = m->port;
	if (m->host_v6 && inet_pton(AF_INET6, m->host, t->addr) == 1)
		t->atyp = TARGET_IPV6;
	else if (!m->host_v6 && inet_pton(AF_INET, m->host, t->addr) == 1)
		t->atyp = TARGET_IPV4;
	else {
		t->atyp = TARGET_DOMAIN;
		strlcpy(t->host, m->host, sizeof t->host);
	}
}

/* see http.h */
int
http_keepalive(const struct http_msg *req)
{
	int	 conn = req->conn | req->pconn;

	if (conn & HTTP_CONN_CLOSE)
		return (0);
	if (req->minor >= 1)
		return (1);
	return ((conn & HTTP_CONN_KEEPALIVE) != 0);
}

/* see http.h */
int
http_request_body(const struct http_msg *req, uint64_t *len)
{
	*len = 0;
	if (req->te == HTTP_TE_CHUNKED)
		return (HTTP_BODY_CHUNKED);
	if (req->clen > 0) {
		*len = req->clen;
		return (HTTP_BODY_LENGTH);
	}
	return (HTTP_BODY_NONE);
}

/* see http.h */
int
http_response_body(const struct http_msg *resp, int req_method,
    uint64_t *len)
{
	*len = 0;
	if (req_method == HTTP_M_HEAD || resp->status < 200 ||
	    resp->status == 204 || resp->status == 304)
		return (HTTP_BODY_NONE);
	if (resp->te == HTTP_TE_CHUNKED)
		return (HTTP_BODY_CHUNKED);
	if (resp->te == HTTP_TE_OTHER)
		return (HTTP_BODY_CLOSE);
	if (resp->clen == 0)
		return (HTTP_BODY_NONE);
	if (resp->clen > 0) {
		*len = resp->clen;
		return (HTTP_BODY_LENGTH);
	}
	return (HTTP_BODY_CLOSE);
}

/* see http.h */
void
http_body_init(struct http_body *b, int kind, uint64_t len)
{
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->state = CH_SIZE;
	b->left = len;
	if (kind == HTTP_BODY_NONE ||
	    (kind == HTTP_BODY_LENGTH && len == 0))
		b->done = 1;
}

/*
 * The chunked body parser: one state machine, a byte at a time but for
 * chunk data.  Same contract as http_body_advance().
 */
static ssize_t
http_chunked_advance(struct http_body *b, const uint8_t *buf, size_t len)
{
	size_t		 i, n;
	int		 c, d;

	for (i = 0; i < len && !b->done; i++) {
		c = buf[i];
		switch (b->state) {
		case CH_DATA:
			n = len - i;
			if (n > b->left)
				n = b->left;
			b->left -= n;
			i += n - 1;
			if (b->left == 0)
				b->state = CH_DATA_CR;
			continue;
		case CH_SIZE:
			d = -1;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			if (d != -1) {
				if (b->left > (UINT64_MAX >> 4) ||
				    (b->left << 4) > (uint64_t)INT64_MAX)
					return (-1);	/* overflow */
				b->left = (b->left << 4) | d;
				b->digits++;
				break;
			}
			if (b->digits == 0)
				return (-1);
			if (c == ';')
				b->state = CH_EXT;
			else if (c == ' ' || c == '\t')
				b->state = CH_SIZE_WS;
			else if (c == '\r')
				b->state = CH_SIZE_LF;
			else
				return (-1);
			break;
		case CH_SIZE_WS:
			if (c == ';')
				b->state = CH_EXT;
			else if (c != ' ' && c != '\t')
				return (-1);
			break;
		case CH_EXT:
			if (c == '\r')
				b->state = CH_SIZE_LF;
			else if ((c < 0x20 && c != '\t') || c == 0x7f)
				return (-1);
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				return (-1);
			b->line = 0;
			b->digits = 0;
			b->state = b->left == 0 ? CH_TRAILER_START : CH_DATA;
			continue;
		case CH_DATA_CR:
			if (c != '\r')
				return (-1);
			b->state = CH_DATA_LF;
			continue;
		case CH_DATA_LF:
			if (c != '\n')
				return (-1);
			b->state = CH_SIZE;
			b->left = 0;
			continue;
		case CH_TRAILER_START:
			if (c == '\r') {
				b->state = CH_END_LF;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\n' || c == ':')
				return (-1);	/* obs-fold, bare LF, no name */
			b->state = CH_TRAILER;
			/* FALLTHROUGH */
		case CH_TRAILER:
			if (c == '\r')
				b->state = CH_TRAILER_LF;
			else if ((c < 0x20 && c != '\t') || c == 0x7f)
				return (-1);
			if (++b->trailer > HTTP_TRAILER_MAX)
				return (-1);
			continue;
		case CH_TRAILER_LF:
			if (c != '\n')
				return (-1);
			b->state = CH_TRAILER_START;
			continue;
		case CH_END_LF:
			if (c != '\n')
				return (-1);
			b->done = 1;
			continue;
		}
		/* Size line states count toward the line limit. */
		if (++b->line > HTTP_CHUNK_LINE_MAX)
			return (-1);
	}
	b->total += i;
	return (i);
}

/* see http.h */
ssize_t
http_body_advance(struct http_body *b, const uint8_t *buf, size_t len)
{
	size_t		 n;

	if (b->done)
		return (0);
	switch (b->kind) {
	case HTTP_BODY_CLOSE:
		b->total += len;
		return (len);
	case HTTP_BODY_LENGTH:
		n = len < b->left ? len : b->left;
		b->left -= n;
		b->total += n;
		if (b->left == 0)
			b->done = 1;
		return (n);
	case HTTP_BODY_CHUNKED:
		return (http_chunked_advance(b, buf, len));
	default:
		b->done = 1;
		return (0);
	}
}

/* Hop-by-hop: listed here, or named by a Connection field. */
static int
http_hop(const struct http_msg *m, const uint8_t *head,
    const struct http_field *f)
{
	static const char	*hop[] = {
		"connection", "proxy-connection", "keep-alive", "te",
		"trailer", "upgrade", "proxy-authorization",
		"proxy-authenticate"
	};
	const struct http_field	*c;
	char			 name[256];
	u_int			 i;

	for (i = 0; i < nitems(hop); i++)
		if (http_field_is(head, f, hop[i]))
			return (1);
	if (f->namelen >= sizeof name)
		return (0);
	memcpy(name, head + f->name, f->namelen);
	name[f->namelen] = '\0';
	/* Never let Connection strip the framing we forward untouched. */
	if (strcasecmp(name, "content-length") == 0 ||
	    strcasecmp(name, "transfer-encoding") == 0 ||
	    strcasecmp(name, "host") == 0)
		return (0);
	for (i = 0; i < m->nfields; i++) {
		c = &m->fields[i];
		if (http_field_is(head, c, "connection") &&
		    http_list_has(head + c->value, c->valuelen, name))
			return (1);
	}
	return (0);
}

static int
http_out(char *out, size_t outlen, size_t *off, const void *p, size_t len)
{
	if (len > outlen - *off)
		return (-1);
	memcpy(out + *off, p, len);
	*off += len;
	return (0);
}

#define OUT(p, l) do {							\
	if (http_out(out, outlen, &off, (p), (l)) == -1)		\
		return (-1);						\
} while (0)
#define OUTS(s)	OUT((s), strlen(s))

/* see http.h */
ssize_t
http_request_rewrite(const struct http_msg *m, const uint8_t *head,
    int flags, char *out, size_t outlen)
{
	const struct http_field	*f;
	size_t			 off = 0;
	u_int			 i;
	int			 same;

	OUTS(m->method_str);
	OUTS(" ");
	if (m->pathlen == 0)
		OUTS("/");
	else {
		if (head[m->path] == '?')
			OUTS("/");
		OUT(head + m->path, m->pathlen);
	}
	OUTS(" HTTP/1.1\r\n");
	if (m->host_field == -1) {
		OUTS("Host: ");
		OUT(head + m->authority, m->authoritylen);
		OUTS("\r\n");
	}
	for (i = 0; i < m->nfields; i++) {
		f = &m->fields[i];
		if ((int)i == m->host_field) {
			same = f->valuelen == m->authoritylen &&
			    strncasecmp((const char *)head + f->value,
			    (const char *)head + m->authority,
			    f->valuelen) == 0;
			OUTS("Host: ");
			if (same)
				OUT(head + f->value, f->valuelen);
			else
				OUT(head + m->authority, m->authoritylen);
			OUTS("\r\n");
			continue;
		}
		if (http_hop(m, head, f))
			continue;
		OUT(head + f->name, f->namelen);
		OUTS(": ");
		OUT(head + f->value, f->valuelen);
		OUTS("\r\n");
	}
	OUTS("Connection: close\r\n");
	if (flags & HTTP_RW_VIA)
		OUTS(m->minor ? "Via: 1.1 tentacle\r\n" :
		    "Via: 1.0 tentacle\r\n");
	OUTS("\r\n");
	return (off);
}

/* see http.h */
ssize_t
http_response_rewrite(const struct http_msg *m, const uint8_t *head,
    int client_minor, int flags, char *out, size_t outlen)
{
	const struct http_field	*f;
	size_t			 off = 0;
	u_int			 i;
	char			 line[16];

	snprintf(line, sizeof line, "HTTP/1.1 %03d", m->status);
	OUTS(line);
	OUTS(" ");
	OUT(head + m->reason, m->reasonlen);
	OUTS("\r\n");
	for (i = 0; i < m->nfields; i++) {
		f = &m->fields[i];
		if (http_hop(m, head, f))
			continue;
		OUT(head + f->name, f->namelen);
		OUTS(": ");
		OUT(head + f->value, f->valuelen);
		OUTS("\r\n");
	}
	if (m->status >= 200) {
		if (!(flags & HTTP_RW_KEEPALIVE))
			OUTS("Connection: close\r\n");
		else if (client_minor == 0)
			OUTS("Connection: keep-alive\r\n");
	}
	if (flags & HTTP_RW_VIA)
		OUTS(m->minor ? "Via: 1.1 tentacle\r\n" :
		    "Via: 1.0 tentacle\r\n");
	OUTS("\r\n");
	return (off);
}

#undef OUT
#undef OUTS

/* see http.h */
const char *
http_reason(int status)
{
	switch (status) {
	case 100:	return ("Continue");
	case 200:	return ("OK");
	case 400:	return ("Bad Request");
	case 403:	return ("Forbidden");
	case 408:	return ("Request Timeout");
	case 414:	return ("URI Too Long");
	case 431:	return ("Request Header Fields Too Large");
	case 500:	return ("Internal Server Error");
	case 501:	return ("Not Implemented");
	case 502:	return ("Bad Gateway");
	case 503:	return ("Service Unavailable");
	case 504:	return ("Gateway Timeout");
	case 505:	return ("HTTP Version Not Supported");
	}
	return ("Error");
}

/* see http.h */
size_t
http_reply(char *out, size_t outlen, int status, const char *body)
{
	char	 b[HTTP_REPLY_MAX / 2];
	int	 n;

	strlcpy(b, body, sizeof b);
	n = snprintf(out, outlen, "HTTP/1.1 %03d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", status, http_reason(status), strlen(b), b);
	if (n < 0 || (size_t)n >= outlen)
		return (0);
	return (n);
}

/* see http.h */
int
http_status_from_dial(int result)
{
	switch (result) {
	case DIAL_OK:
		return (200);
	case DIAL_NOTALLOWED:
		return (403);
	case DIAL_TIMEOUT:
		return (504);
	case DIAL_BADADDR:
		return (400);
	case DIAL_NONODE:
		return (503);
	}
	return (502);
}

/* see http.h */
const char *
http_dial_str(int result)
{
	switch (result) {
	case DIAL_OK:		return ("connected");
	case DIAL_NOTALLOWED:	return ("not allowed by the exit node");
	case DIAL_NETUNREACH:	return ("network unreachable");
	case DIAL_HOSTUNREACH:	return ("host unreachable");
	case DIAL_REFUSED:	return ("connection refused");
	case DIAL_TIMEOUT:	return ("timed out");
	case DIAL_DNS:		return ("name did not resolve");
	case DIAL_BADADDR:	return ("bad address");
	case DIAL_NONODE:	return ("no exit node online");
	case DIAL_NODELOST:	return ("exit node lost");
	}
	return ("failed");
}
