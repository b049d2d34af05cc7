/*
 * http.h: HTTP/1.x proxy messages on byte buffers (doc/http-proxy.md).
 * Request and response heads, body framing (RFC 9112 section 6.3) and the
 * head rewriter.  No I/O: relay_http.c feeds it what arrived.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define HTTP_HEAD_MAX		8192	/* bytes of one head, CRLFs included */
#define HTTP_FIELDS_MAX		100	/* header fields in one head */
#define HTTP_METHOD_MAX		31	/* longer methods: 501 */
#define HTTP_CHUNK_LINE_MAX	4096	/* chunk-size line with extensions */
#define HTTP_TRAILER_MAX	HTTP_HEAD_MAX	/* all trailer lines together */
/* Room for a rewritten head: the original plus Host, Connection, Via. */
#define HTTP_REWRITE_MAX	(HTTP_HEAD_MAX + 512)
#define HTTP_REPLY_MAX		1024	/* http_reply() output */

enum http_method {
	HTTP_M_OTHER = 0,
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_PATCH,
	HTTP_M_CONNECT
};

/* Transfer-Encoding as parsed. */
#define HTTP_TE_NONE		0
#define HTTP_TE_CHUNKED		1	/* chunked is the last coding */
#define HTTP_TE_OTHER		2	/* responses only: close-delimited */

/* Connection (and, in requests, Proxy-Connection) options seen. */
#define HTTP_CONN_CLOSE		0x01
#define HTTP_CONN_KEEPALIVE	0x02
#define HTTP_CONN_UPGRADE	0x04

/* A header field: offsets into the buffer given to the parser. */
struct http_field {
	uint16_t	 name;
	uint16_t	 namelen;
	uint16_t	 value;		/* OWS trimmed on both sides */
	uint16_t	 valuelen;
};

/*
 * One parsed head.  Offsets point into the buffer that was parsed, which
 * the caller keeps until it has rewritten the head; the other members are
 * copies.
 */
struct http_msg {
	int		 minor;		/* HTTP/1.minor: 0 or 1 */
	size_t		 head_len;	/* bytes consumed, final CRLF included */
	struct http_field fields[HTTP_FIELDS_MAX];
	u_int		 nfields;
	int64_t		 clen;		/* Content-Length, -1 when absent */
	int		 te;		/* HTTP_TE_* */
	int		 conn;		/* HTTP_CONN_* from Connection */
	int		 pconn;		/* HTTP_CONN_* from Proxy-Connection */
	int		 expect_continue;

	/* Requests. */
	int		 method;	/* HTTP_M_* */
	char		 method_str[HTTP_METHOD_MAX + 1];
	uint16_t	 path;		/* origin-form path and query */
	uint16_t	 pathlen;	/* 0: send "/" */
	uint16_t	 authority;	/* host[:port] as written in the URI */
	uint16_t	 authoritylen;
	char		 host[256];	/* without brackets for IPv6 */
	int		 host_v6;	/* host was an [IPv6] literal */
	uint16_t	 port;		/* host order; 80 when absent */
	int		 host_field;	/* index of the Host field, or -1 */

	/* Responses. */
	int		 status;
	uint16_t	 reason;
	uint16_t	 reasonlen;

	/* After -1: the status to answer (requests) and why, static text. */
	int		 error;
	const char	*why;
};

/*
 * Parse a request head (request line and header fields, any leading empty
 * lines skipped).  Returns the bytes consumed (m->head_len) when the head is
 * complete and valid, 0 when more bytes are needed, or -1 with m->error
 * (400, 414, 431, 501, 505) and m->why set.  Only absolute-form http://
 * targets and, for CONNECT, authority-form are accepted.  Never reads past
 * len nor past HTTP_HEAD_MAX bytes.
 */
ssize_t		 http_request_parse(struct http_msg *m, const uint8_t *,
		    size_t len);
/* Same for a response head: status line and fields; m->error is 502. */
ssize_t		 http_response_parse(struct http_msg *m, const uint8_t *,
		    size_t len);

/* The target of a parsed request, for hub_dial(). */
void		 http_target(const struct http_msg *, struct target *);
/* Will the client connection stay open after this request's response? */
int		 http_keepalive(const struct http_msg *req);

/* Body framing. */
#define HTTP_BODY_NONE		0
#define HTTP_BODY_LENGTH	1
#define HTTP_BODY_CHUNKED	2
#define HTTP_BODY_CLOSE		3	/* responses: ends when the origin closes */

struct http_body {
	int		 kind;		/* HTTP_BODY_* */
	int		 done;		/* the message has ended */
	int		 state;		/* chunked parser state */
	uint64_t	 left;		/* bytes left: length, or this chunk */
	size_t		 line;		/* bytes in the current line */
	size_t		 trailer;	/* trailer bytes so far */
	int		 digits;	/* chunk-size digits seen */
	uint64_t	 total;		/* bytes accepted so far */
};

/* Framing of a request's body, and of a response to method req_method. */
int		 http_request_body(const struct http_msg *req, uint64_t *len);
int		 http_response_body(const struct http_msg *resp,
		    int req_method, uint64_t *len);
void		 http_body_init(struct http_body *, int kind, uint64_t len);
/*
 * Look at the next len raw bytes of a body.  Returns how many of them
 * belong to the message (forward exactly those, untouched); b->done is set
 * once the message has ended, and then advancing returns 0.  Returns -1 on
 * malformed chunked framing (bad size, size overflow, missing CRLF, line
 * too long, trailers too large).
 */
ssize_t		 http_body_advance(struct http_body *, const uint8_t *,
		    size_t len);

/* http_*_rewrite flags. */
#define HTTP_RW_VIA		0x01	/* add "Via: 1.x tentacle" */
#define HTTP_RW_KEEPALIVE	0x02	/* responses: client conn stays open */

/*
 * Upstream request head: origin-form request line with HTTP/1.1, Host
 * from the URI (the client's kept where it agrees), hop-by-hop fields
 * removed, "Connection: close" added.  head is the parsed buffer.  Returns
 * the length written to out (not NUL-terminated) or -1 if out is too small.
 */
ssize_t		 http_request_rewrite(const struct http_msg *req,
		    const uint8_t *head, int flags, char *out, size_t outlen);
/*
 * Response head toward the client: HTTP/1.1 status line, hop-by-hop
 * fields removed; for final responses "Connection: close" unless
 * HTTP_RW_KEEPALIVE, "Connection: keep-alive" for HTTP/1.0 clients kept
 * open.  client_minor is the client request's HTTP/1.minor.
 */
ssize_t		 http_response_rewrite(const struct http_msg *resp,
		    const uint8_t *head, int client_minor, int flags, char *out,
		    size_t outlen);

/*
 * A complete reply from the proxy itself: status line, text/plain body,
 * Content-Length, "Connection: close".  body is truncated to fit.
 */
size_t		 http_reply(char *out, size_t outlen, int status,
		    const char *body);
const char	*http_reason(int status);
/* HTTP status for a DIAL_* result (doc/protocol.md table). */
int		 http_status_from_dial(int result);
/* Short text for a DIAL_* result: "connection refused". */
const char	*http_dial_str(int result);

#endif /* HTTP_H */
