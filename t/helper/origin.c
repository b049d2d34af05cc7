/*
 * origin.c: the test suite's origin server.  A small HTTP/1.1 server on
 * libevent bufferevents (hand-rolled so the tests control framing exactly),
 * plus a raw TCP echo mode and two offline modes for checking data.
 *
 *	origin [-6]		HTTP on 127.0.0.1:0 (or [::1]:0)
 *	origin -a ADDR ...	listen on IPv4 ADDR (e.g. 127.0.0.2) instead
 *	origin [-6] -echo	raw TCP: collect until the client's EOF, send
 *				it all back, then close (half-close tests)
 *	origin -gen N		write the /bytes/N stream to stdout
 *	origin -sum		read stdin, print "len=N fnv=HEX" (as /echo)
 *
 * Prints "origin ready: ADDR:PORT" on stdout once listening; logs one line
 * per connection and request on stderr; exits on SIGTERM/SIGINT.
 *
 * Endpoints: /bytes/N, /chunked/N, /slow/N[/MS], /close[/N], /small,
 * /echo (Content-Length or chunked body), /peer, /headers, /status/N,
 * /flood1xx/N (N "100 Continue" interim heads, then a small 200) and
 * /flood1xx-forever (100 Continue heads as fast as the socket takes them,
 * until the client goes away).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#define HEAD_MAX	(64 * 1024)
#define ECHO_MAX	(64 * 1024 * 1024)
#define BODY_MAX	((uint64_t)1 << 40)
#define FILL_CHUNK	(64 * 1024)
#define MAX_CONNS	512
#define FLOOD1XX_MAX	100000

static const char head100[] = "HTTP/1.1 100 Continue\r\n\r\n";

enum { S_HEAD, S_BODY, S_RESP, S_SLOW, S_CLOSING };

struct conn {
	struct conn		*next, *prev;
	struct bufferevent	*bev;
	char			 peer[64];
	int			 state;
	int			 echo_mode;
	/* request */
	char			 method[16];
	char			 path[1024];
	int			 minor;		/* HTTP/1.x */
	int			 keepalive;
	int			 head;		/* HEAD request */
	int			 expect100;
	struct evbuffer		*hdrs;		/* raw header lines */
	/* request body */
	int			 req_chunked;
	uint64_t		 req_left;	/* Content-Length or chunk */
	int			 chunk_state;	/* 0 size, 1 data, 2 CRLF, 3 trailer */
	uint64_t		 body_len;
	uint64_t		 body_fnv;
	/* response generation */
	uint64_t		 gen_left;
	uint64_t		 gen_state;
	int			 gen_chunked;
	uint64_t		 chunk_no;
	int			 close_after;
	struct event		*slow_ev;
	uint64_t		 slow_piece;
	int			 slow_ms;
	int			 flood;		/* /flood1xx-forever */
};

static struct event_base *base;
static struct conn *conns;
static int	 nconns;
static int	 opt_echo;

static void	 conn_close(struct conn *);
static void	 conn_process(struct conn *);
static void	 conn_read_cb(struct bufferevent *, void *);
static void	 conn_write_cb(struct bufferevent *, void *);

/* The deterministic byte stream: a 64-bit LCG, top byte of each step. */
static void
gen_fill(uint64_t *state, unsigned char *p, size_t n)
{
	uint64_t	 x = *state;
	size_t		 i;

	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(x >> 56);
	}
	*state = x;
}

#define GEN_SEED	0x746e7463ULL
#define FNV_INIT	0xcbf29ce484222325ULL

static uint64_t
fnv_add(uint64_t h, const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char		*end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > BODY_MAX)
		return -1;
	*out = v;
	return 0;
}

static void
conn_reset(struct conn *c)
{
	c->state = S_HEAD;
	c->method[0] = c->path[0] = '\0';
	c->minor = 1;
	c->keepalive = 1;
	c->head = c->expect100 = 0;
	evbuffer_drain(c->hdrs, evbuffer_get_length(c->hdrs));
	c->req_chunked = 0;
	c->req_left = 0;
	c->chunk_state = 0;
	c->body_len = 0;
	c->body_fnv = FNV_INIT;
	c->gen_left = 0;
	c->gen_state = GEN_SEED;
	c->gen_chunked = 0;
	c->chunk_no = 0;
	c->close_after = 0;
	c->slow_piece = 0;
	c->slow_ms = 0;
	c->flood = 0;
}

static void
conn_close(struct conn *c)
{
	if (c->slow_ev != NULL)
		event_free(c->slow_ev);
	bufferevent_free(c->bev);
	evbuffer_free(c->hdrs);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
	nconns--;
}

/* Close once the output is flushed. */
static void
conn_finish(struct conn *c)
{
	c->state = S_CLOSING;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_close(c);
}

static void
send_simple(struct conn *c, int code, const char *reason, const char *body)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 len = strlen(body);

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n%s\r\n", code, reason, len,
	    c->keepalive ? "" : "Connection: close\r\n");
	if (!c->head)
		evbuffer_add(out, body, len);
}

static void
send_error(struct conn *c, int code, const char *reason)
{
	char	 body[128];

	c->keepalive = 0;
	snprintf(body, sizeof body, "%d %s\n", code, reason);
	send_simple(c, code, reason, body);
	conn_finish(c);
}

/* Generated body: add more while the output is short. */
static void
gen_more(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	unsigned char	 buf[FILL_CHUNK];
	size_t		 n;

	while (c->gen_left > 0 &&
	    evbuffer_get_length(out) < 4 * FILL_CHUNK) {
		n = sizeof buf;
		if (c->gen_chunked)	/* varying chunk sizes */
			n = 1 + (c->chunk_no++ * 7919) % 9000;
		if (n > c->gen_left)
			n = c->gen_left;
		gen_fill(&c->gen_state, buf, n);
		if (c->gen_chunked)
			evbuffer_add_printf(out, "%zx\r\n", n);
		evbuffer_add(out, buf, n);
		if (c->gen_chunked)
			evbuffer_add(out, "\r\n", 2);
		c->gen_left -= n;
	}
	if (c->gen_left == 0 && c->gen_chunked) {
		evbuffer_add(out, "0\r\n\r\n", 5);
		c->gen_chunked = 0;
	}
}

/* Interim heads while the output is short: a flood without an end. */
static void
flood_more(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	while (evbuffer_get_length(out) < 4 * FILL_CHUNK)
		evbuffer_add(out, head100, sizeof head100 - 1);
}

/* The response is complete once queued: next request or close. */
static void
resp_done(struct conn *c)
{
	if (c->close_after || !c->keepalive) {
		conn_finish(c);
		return;
	}
	conn_reset(c);
	/* Pipelined requests may already be buffered. */
	conn_process(c);
}

static void
slow_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	unsigned char	 buf[FILL_CHUNK];
	uint64_t	 n = c->slow_piece;
	struct timeval	 tv;

	(void)fd;
	(void)ev;
	/* A reader that does not keep up is not given more. */
	if (evbuffer_get_length(out) < 1024 * 1024) {
		while (n > 0 && c->gen_left > 0) {
			size_t	 k = n > sizeof buf ? sizeof buf : n;

			if (k > c->gen_left)
				k = c->gen_left;
			gen_fill(&c->gen_state, buf, k);
			evbuffer_add(out, buf, k);
			c->gen_left -= k;
			n -= k;
		}
	}
	if (c->gen_left == 0) {
		event_free(c->slow_ev);
		c->slow_ev = NULL;
		c->state = S_RESP;
		/* write_cb finishes once drained */
		if (evbuffer_get_length(out) == 0)
			resp_done(c);
		return;
	}
	tv.tv_sec = c->slow_ms / 1000;
	tv.tv_usec = (c->slow_ms % 1000) * 1000;
	evtimer_add(c->slow_ev, &tv);
}

static void
respond(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	const char	*p = c->path;
	const char	*conn_hdr = c->keepalive ? "" : "Connection: close\r\n";
	uint64_t	 n;
	char		 body[HEAD_MAX + 2048], num[64], *slash;
	size_t		 len;

	fprintf(stderr, "origin: %s %s %s\n", c->peer, c->method, c->path);
	c->state = S_RESP;

	if (strncmp(p, "http://", 7) == 0) {	/* absolute-form: strip */
		p = strchr(p + 7, '/');
		if (p == NULL)
			p = "/";
	}

	if (strncmp(p, "/bytes/", 7) == 0 || strncmp(p, "/chunked/", 9) == 0) {
		int chunked = p[1] == 'c';

		if (parse_u64(p + (chunked ? 9 : 7), &n) != 0) {
			send_error(c, 400, "Bad Request");
			return;
		}
		if (chunked)
			evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/octet-stream\r\n"
			    "Transfer-Encoding: chunked\r\n%s\r\n", conn_hdr);
		else
			evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
			    "Content-Type: application/octet-stream\r\n"
			    "Content-Length: %" PRIu64 "\r\n%s\r\n", n,
			    conn_hdr);
		if (c->head) {
			resp_done(c);
			return;
		}
		c->gen_left = n;
		c->gen_chunked = chunked;
		gen_more(c);
		if (c->gen_left == 0 && !c->gen_chunked)
			resp_done(c);
		return;
	}
	if (strncmp(p, "/slow/", 6) == 0) {
		struct timeval	 tv = { 0, 0 };

		snprintf(num, sizeof num, "%s", p + 6);
		c->slow_ms = 50;
		if ((slash = strchr(num, '/')) != NULL) {
			uint64_t ms;

			*slash = '\0';
			if (parse_u64(slash + 1, &ms) != 0 || ms > 10000) {
				send_error(c, 400, "Bad Request");
				return;
			}
			c->slow_ms = (int)ms;
		}
		if (parse_u64(num, &n) != 0) {
			send_error(c, 400, "Bad Request");
			return;
		}
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/octet-stream\r\n"
		    "Content-Length: %" PRIu64 "\r\n%s\r\n", n, conn_hdr);
		if (c->head || n == 0) {
			resp_done(c);
			return;
		}
		c->gen_left = n;
		c->slow_piece = n / 20 ? n / 20 : 1;
		c->slow_ev = evtimer_new(base, slow_cb, c);
		c->state = S_SLOW;	/* timer-driven until all queued */
		evtimer_add(c->slow_ev, &tv);
		return;
	}
	if (strcmp(p, "/close") == 0 || strncmp(p, "/close/", 7) == 0) {
		n = 0;
		if (p[6] == '/' && parse_u64(p + 7, &n) != 0) {
			send_error(c, 400, "Bad Request");
			return;
		}
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain\r\n"
		    "Connection: close\r\n\r\n");
		c->close_after = 1;
		if (c->head) {
			resp_done(c);
			return;
		}
		if (n == 0)
			evbuffer_add_printf(out, "close-delimited body\n");
		c->gen_left = n;
		gen_more(c);
		if (c->gen_left == 0)
			resp_done(c);
		return;
	}
	if (strcmp(p, "/flood1xx-forever") == 0) {
		c->flood = 1;
		c->close_after = 1;
		flood_more(c);
		return;
	}
	if (strncmp(p, "/flood1xx/", 10) == 0) {
		if (parse_u64(p + 10, &n) != 0 || n > FLOOD1XX_MAX) {
			send_error(c, 400, "Bad Request");
			return;
		}
		while (n-- > 0)
			evbuffer_add(out, head100, sizeof head100 - 1);
		send_simple(c, 200, "OK", "flood1xx: final response body\n");
		resp_done(c);
		return;
	}
	if (strcmp(p, "/small") == 0) {
		snprintf(body, sizeof body, "%s",
		    "small: the quick brown fox jumps over the lazy dog; "
		    "0123456789 abcdefghijklmnopqrstuvwxyz\n");
		send_simple(c, 200, "OK", body);
		resp_done(c);
		return;
	}
	if (strcmp(p, "/peer") == 0) {
		snprintf(body, sizeof body, "peer=%s\n", c->peer);
		send_simple(c, 200, "OK", body);
		resp_done(c);
		return;
	}
	if (strcmp(p, "/headers") == 0) {
		int	 k;

		k = snprintf(body, sizeof body, "%s %s HTTP/1.%d\n",
		    c->method, c->path, c->minor);
		len = evbuffer_get_length(c->hdrs);
		if (len > sizeof body - (size_t)k - 1)
			len = sizeof body - (size_t)k - 1;
		evbuffer_copyout(c->hdrs, body + k, len);
		body[k + len] = '\0';
		send_simple(c, 200, "OK", body);
		resp_done(c);
		return;
	}
	if (strncmp(p, "/status/", 8) == 0) {
		if (parse_u64(p + 8, &n) != 0 || n < 200 || n > 599) {
			send_error(c, 400, "Bad Request");
			return;
		}
		if (n == 204 || n == 304) {
			evbuffer_add_printf(out, "HTTP/1.1 %d Status\r\n%s\r\n",
			    (int)n, conn_hdr);
		} else {
			snprintf(body, sizeof body, "status %d\n", (int)n);
			send_simple(c, (int)n, "Status", body);
		}
		resp_done(c);
		return;
	}
	if (strcmp(p, "/echo") == 0) {
		snprintf(body, sizeof body, "len=%" PRIu64 " fnv=%016" PRIx64
		    "\nte=%s\n", c->body_len, c->body_fnv,
		    c->req_chunked ? "chunked" : "length");
		send_simple(c, 200, "OK", body);
		resp_done(c);
		return;
	}
	send_error(c, 404, "Not Found");
}

/* Parse one header line into the request state. */
static int
head_line(struct conn *c, char *line)
{
	char	*v;

	evbuffer_add_printf(c->hdrs, "%s\n", line);
	if ((v = strchr(line, ':')) == NULL)
		return -1;
	*v++ = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcasecmp(line, "Content-Length") == 0) {
		if (parse_u64(v, &c->req_left) != 0)
			return -1;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		if (strcasecmp(v, "chunked") != 0)
			return -1;
		c->req_chunked = 1;
	} else if (strcasecmp(line, "Connection") == 0) {
		if (strcasestr(v, "close") != NULL)
			c->keepalive = 0;
		else if (strcasestr(v, "keep-alive") != NULL)
			c->keepalive = 1;
	} else if (strcasecmp(line, "Expect") == 0) {
		if (strcasecmp(v, "100-continue") == 0)
			c->expect100 = 1;
	}
	return 0;
}

/* Consume request body bytes; returns 1 when the body is complete. */
static int
body_read(struct conn *c, struct evbuffer *in)
{
	unsigned char	 buf[16384];
	char		*line;
	size_t		 n;

	for (;;) {
		if (!c->req_chunked || c->chunk_state == 1) {
			if (c->req_left == 0) {
				if (!c->req_chunked)
					return 1;
				c->chunk_state = 2;
				continue;
			}
			n = evbuffer_get_length(in);
			if (n == 0)
				return 0;
			if (n > sizeof buf)
				n = sizeof buf;
			if (n > c->req_left)
				n = c->req_left;
			evbuffer_remove(in, buf, n);
			c->body_fnv = fnv_add(c->body_fnv, buf, n);
			c->body_len += n;
			c->req_left -= n;
			continue;
		}
		line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) > 4096)
				return -1;
			return 0;
		}
		switch (c->chunk_state) {
		case 0: {
			char		*end;
			unsigned long long v;

			errno = 0;
			v = strtoull(line, &end, 16);
			if (end == line || errno != 0 || v > BODY_MAX ||
			    (*end != '\0' && *end != ';')) {
				free(line);
				return -1;
			}
			c->req_left = v;
			c->chunk_state = v == 0 ? 3 : 1;
			break;
		}
		case 2:
			if (*line != '\0') {
				free(line);
				return -1;
			}
			c->chunk_state = 0;
			break;
		case 3:
			if (*line == '\0') {
				free(line);
				return 1;
			}
			break;
		}
		free(line);
	}
}

static void
conn_process(struct conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	char		*line;
	int		 r;

	while (c->state == S_HEAD) {
		line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF);
		if (line == NULL) {
			if (evbuffer_get_length(in) > HEAD_MAX)
				send_error(c, 431, "Too Large");
			return;
		}
		if (c->method[0] == '\0') {
			char	 ver[16];

			if (*line == '\0') {	/* stray CRLF between requests */
				free(line);
				continue;
			}
			if (strlen(line) > sizeof c->path + 32 ||
			    sscanf(line, "%15s %1023s %15s", c->method,
			    c->path, ver) != 3 ||
			    strncmp(ver, "HTTP/1.", 7) != 0 ||
			    (ver[7] != '0' && ver[7] != '1')) {
				free(line);
				send_error(c, 400, "Bad Request");
				return;
			}
			c->minor = ver[7] - '0';
			c->keepalive = c->minor == 1;
			c->head = strcmp(c->method, "HEAD") == 0;
			free(line);
			continue;
		}
		if (*line == '\0') {
			free(line);
			c->state = S_BODY;
			break;
		}
		r = head_line(c, line);
		free(line);
		if (r != 0 || evbuffer_get_length(c->hdrs) > HEAD_MAX) {
			send_error(c, 400, "Bad Request");
			return;
		}
	}
	if (c->state != S_BODY)
		return;
	if (c->expect100 && (c->req_chunked || c->req_left > 0) &&
	    evbuffer_get_length(in) == 0) {
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
		c->expect100 = 0;
	}
	r = body_read(c, in);
	if (r < 0) {
		send_error(c, 400, "Bad Request");
		return;
	}
	if (r == 0)
		return;
	respond(c);
}

static void
echo_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	/* Keep everything in the input buffer until EOF. */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > ECHO_MAX) {
		fprintf(stderr, "origin: %s: echo too large\n", c->peer);
		conn_close(c);
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (c->state == S_HEAD || c->state == S_BODY)
		conn_process(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*out = bufferevent_get_output(bev);

	if (c->state == S_CLOSING) {
		if (evbuffer_get_length(out) == 0)
			conn_close(c);
		return;
	}
	if (c->state != S_RESP)
		return;
	if (c->flood) {
		flood_more(c);
		return;
	}
	if (c->gen_left > 0 || c->gen_chunked) {
		gen_more(c);
		return;
	}
	if (evbuffer_get_length(out) == 0)
		resp_done(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	if (c->echo_mode && (what & BEV_EVENT_EOF)) {
		fprintf(stderr, "origin: %s: echo %zu bytes\n", c->peer,
		    evbuffer_get_length(in));
		if (evbuffer_get_length(in) == 0) {
			conn_close(c);
			return;
		}
		evbuffer_add_buffer(bufferevent_get_output(bev), in);
		conn_finish(c);
		return;
	}
	if (what & BEV_EVENT_EOF)
		fprintf(stderr, "origin: %s: closed by peer\n", c->peer);
	else
		fprintf(stderr, "origin: %s: error: %s\n", c->peer,
		    strerror(errno));
	conn_close(c);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct conn	*c;
	char		 host[INET6_ADDRSTRLEN];
	uint16_t	 port;

	(void)l;
	(void)salen;
	(void)arg;
	if (nconns >= MAX_CONNS || (c = calloc(1, sizeof *c)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
		snprintf(c->peer, sizeof c->peer, "[%s]:%u", host, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(c->peer, sizeof c->peer, "%s:%u", host, port);
	}
	nconns++;
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->hdrs = evbuffer_new();
	c->echo_mode = opt_echo;
	conn_reset(c);
	fprintf(stderr, "origin: accept %s\n", c->peer);
	if (opt_echo)
		bufferevent_setcb(c->bev, echo_read_cb, conn_write_cb,
		    conn_event_cb, c);
	else
		bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb,
		    conn_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, FILL_CHUNK, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)sig;
	(void)ev;
	(void)arg;
	event_base_loopexit(base, NULL);
}

static int
mode_gen(const char *arg)
{
	unsigned char	 buf[FILL_CHUNK];
	uint64_t	 n, st = GEN_SEED;
	size_t		 k;

	if (parse_u64(arg, &n) != 0) {
		fprintf(stderr, "origin: -gen: bad count %s\n", arg);
		return 2;
	}
	while (n > 0) {
		k = n > sizeof buf ? sizeof buf : n;
		gen_fill(&st, buf, k);
		if (fwrite(buf, 1, k, stdout) != k)
			return 1;
		n -= k;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
mode_sum(void)
{
	unsigned char	 buf[FILL_CHUNK];
	uint64_t	 h = FNV_INIT, len = 0;
	size_t		 k;

	while ((k = fread(buf, 1, sizeof buf, stdin)) > 0) {
		h = fnv_add(h, buf, k);
		len += k;
	}
	if (ferror(stdin))
		return 1;
	printf("len=%" PRIu64 " fnv=%016" PRIx64 "\n", len, h);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: origin [-6 | -a addr] [-echo] | -gen N | "
	    "-sum\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct evconnlistener	*l;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct event		*sigterm, *sigint;
	int			 i, v6 = 0;
	char			 host[INET6_ADDRSTRLEN];
	const char		*addr = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-6") == 0)
			v6 = 1;
		else if (strcmp(argv[i], "-echo") == 0)
			opt_echo = 1;
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
			addr = argv[++i];
		else if (strcmp(argv[i], "-gen") == 0 && i + 1 < argc)
			return mode_gen(argv[i + 1]);
		else if (strcmp(argv[i], "-sum") == 0)
			return mode_sum();
		else
			usage();
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL)
		return 1;

	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		sslen = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (addr != NULL && inet_pton(AF_INET, addr,
		    &s4->sin_addr) != 1)
			usage();
		sslen = sizeof *s4;
	}
	l = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
	    (struct sockaddr *)&ss, (int)sslen);
	if (l == NULL) {
		fprintf(stderr, "origin: listen: %s\n", strerror(errno));
		return 1;
	}
	sslen = sizeof ss;
	if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss,
	    &sslen) != 0) {
		fprintf(stderr, "origin: getsockname: %s\n", strerror(errno));
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, signal_cb, NULL);
	sigint = evsignal_new(base, SIGINT, signal_cb, NULL);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);

	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		printf("origin ready: [%s]:%u\n", host, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		printf("origin ready: %s:%u\n", host, ntohs(s4->sin_port));
	}
	fflush(stdout);

	event_base_dispatch(base);

	fprintf(stderr, "origin: exiting, %d connections open\n", nconns);
	while (conns != NULL)
		conn_close(conns);
	evconnlistener_free(l);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(base);
	return 0;
}
