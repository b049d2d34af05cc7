/*
 * t/unit/tls_http.c: libevent's evhttp over modules/tls.c's server filter,
 * the way the hub serves its admin API over TLS: evhttp's bevcb wraps
 * each connection (tls_wrap, then tls_hold_close), evhttp sets the fd.
 *
 * evhttp frees a "Connection: close" link and shutdown(SHUT_WR)s its
 * socket as soon as the filter's output is empty; records still queued
 * in the socket's output would be cut.  A client with a small receive
 * buffer that reads late makes them queue: it must still get every byte
 * of an 8 MiB answer, then a clean EOF.  Also: keep-alive (two answers
 * on one link), a streamed (chunked) answer, a small answer, and
 * TCP_NODELAY on evhttp's socket.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "tentacle.h"
#include "tls.h"
#include "tap.h"

#define BIG	(8 * 1024 * 1024)
#define MID	(1024 * 1024)
#define STREAM	(4 * 1024 * 1024)	/* in chunks of STREAM_CHUNK */
#define STREAM_CHUNK	(256 * 1024)

static struct event_base	*base;
static char			 tmpdir[] = "/tmp/tls-http-unit.XXXXXX";
static struct tls_conf		*hub, *pin;
static char			 peer[64];	/* "127.0.0.1:port" */
static struct sockaddr_in	 addr;
static int			 nodelay = -1;	/* seen by the handler */

/* The streamed answer being sent (one at a time). */
static struct {
	struct evhttp_request	*req;
	size_t			 off;
} stream;

/* One client link: the answers as they came, how it ended. */
struct client {
	struct bufferevent	*bev;
	struct evbuffer		*got;
	struct event		*resume;
	int			 paused;	/* read late once */
	int			 eof, error;
	char			 err[1100];
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
tick_cb(evutil_socket_t fd __unused, short what __unused, void *arg __unused)
{
}

/* Run the loop until cond(arg) or ms pass; returns cond's last value. */
static int
run_until(int (*cond)(void *), void *arg, int ms)
{
	uint64_t	 end = now_ms() + ms;

	while (!cond(arg)) {
		if (now_ms() > end)
			return (0);
		event_base_loop(base, EVLOOP_ONCE);
	}
	return (1);
}

static unsigned char
pattern(size_t i)
{
	return ((i % 251) ^ (i >> 16));
}

/* The hub's side: evhttp makes each connection's bufferevent here. */
static struct bufferevent *
bevcb(struct event_base *b, void *arg __unused)
{
	struct bufferevent	*bev;
	char			*cause = NULL;

	bev = tls_wrap(hub, bufferevent_socket_new(b, -1,
	    BEV_OPT_CLOSE_ON_FREE), 1, NULL, &cause);
	if (bev == NULL) {
		printf("# tls_wrap: %s\n", cause);
		free(cause);
		return (NULL);
	}
	tls_hold_close(bev);
	return (bev);
}

/* n bytes of the pattern from off to b. */
static void
pattern_add(struct evbuffer *b, size_t off, size_t n)
{
	unsigned char	 chunk[65536];
	size_t		 i, k;

	for (; n > 0; off += k, n -= k) {
		k = n < sizeof chunk ? n : sizeof chunk;
		for (i = 0; i < k; i++)
			chunk[i] = pattern(off + i);
		evbuffer_add(b, chunk, k);
	}
}

/*
 * /stream: the next chunk once evhttp found the last one written (its
 * output empty: the socket drained), then the end.
 */
static void
stream_next(struct evhttp_connection *evcon __unused, void *arg __unused)
{
	struct evbuffer	*b;

	if (stream.off == STREAM) {
		evhttp_send_reply_end(stream.req);
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		return;
	pattern_add(b, stream.off, STREAM_CHUNK);
	stream.off += STREAM_CHUNK;
	evhttp_send_reply_chunk_with_cb(stream.req, b, stream_next, NULL);
	evbuffer_free(b);
}

/* /big: 8 MiB, /mid: 1 MiB, /stream, else 100 bytes; of the pattern. */
static void
serve_cb(struct evhttp_request *req, void *arg __unused)
{
	struct evbuffer	*b;
	const char	*uri = evhttp_request_get_uri(req);
	size_t		 n;
	socklen_t	 len = sizeof nodelay;
	evutil_socket_t	 fd;

	fd = tls_getfd(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)));
	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len) == -1)
		nodelay = -2;
	if (strcmp(uri, "/stream") == 0) {
		stream.req = req;
		stream.off = 0;
		evhttp_send_reply_start(req, 200, "OK");
		stream_next(NULL, NULL);
		return;
	}
	n = strcmp(uri, "/big") == 0 ? BIG : strcmp(uri, "/mid") == 0 ? MID :
	    100;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	pattern_add(b, 0, n);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
client_resume_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct client	*c = arg;

	bufferevent_enable(c->bev, EV_READ);
}

/* The first plaintext stops reading for 500 ms: records queue at the hub. */
static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client	*c = arg;
	struct timeval	 tv = { 0, 500000 };

	evbuffer_add_buffer(c->got, bufferevent_get_input(bev));
	if (!c->paused) {
		c->paused = 1;
		bufferevent_disable(bev, EV_READ);
		event_add(c->resume, &tv);
	}
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;
	const char	*e;

	evbuffer_add_buffer(c->got, bufferevent_get_input(bev));
	if (what & BEV_EVENT_EOF)
		c->eof = 1;
	else if (what & BEV_EVENT_ERROR) {
		c->error = 1;
		e = tls_error(bev);
		snprintf(c->err, sizeof c->err, "%s", e != NULL ? e :
		    strerror(errno));
	}
}

static int
client_done(void *arg)
{
	struct client	*c = arg;

	return (c->eof || c->error);
}

/* A TLS client with a 4 KiB receive buffer (set before connect). */
static int
client_open(struct client *c)
{
	char	*cause = NULL;
	int	 fd, rcv = 4096;

	memset(c, 0, sizeof *c);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv) == -1 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1) {
		printf("# client: %s\n", strerror(errno));
		return (-1);
	}
	evutil_make_socket_nonblocking(fd);
	c->bev = tls_wrap(pin, bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE), 0, peer, &cause);
	if (c->bev == NULL) {
		printf("# client tls_wrap: %s\n", cause);
		free(cause);
		return (-1);
	}
	c->got = evbuffer_new();
	c->resume = evtimer_new(base, client_resume_cb, c);
	bufferevent_setcb(c->bev, client_read_cb, NULL, client_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return (0);
}

static void
client_close(struct client *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->resume != NULL)
		event_free(c->resume);
	if (c->got != NULL)
		evbuffer_free(c->got);
}

static void
client_get(struct client *c, const char *path, int close)
{
	evbuffer_add_printf(bufferevent_get_output(c->bev), "GET %s HTTP/1.1"
	    "\r\nHost: 127.0.0.1\r\n%s\r\n", path, close ?
	    "Connection: close\r\n" : "");
}

/*
 * One answer at the front of c->got: 200, Content-Length n, n bytes of
 * the pattern; it is drained.  0 when all of it is there and right.
 */
static int
answer_check(struct client *c, size_t n)
{
	struct evbuffer_ptr	 p;
	unsigned char		 buf[65536];
	char			*head, *cl;
	size_t			 hlen, off, k, i;

	p = evbuffer_search(c->got, "\r\n\r\n", 4, NULL);
	if (p.pos == -1) {
		printf("# no header in %zu bytes\n",
		    evbuffer_get_length(c->got));
		return (-1);
	}
	hlen = p.pos + 4;
	if ((head = malloc(hlen + 1)) == NULL)
		return (-1);
	evbuffer_remove(c->got, head, hlen);
	head[hlen] = '\0';
	if (strncmp(head, "HTTP/1.1 200 ", 13) != 0 ||
	    (cl = strstr(head, "Content-Length: ")) == NULL ||
	    strtoull(cl + 16, NULL, 10) != n) {
		printf("# wrong header: %.200s\n", head);
		free(head);
		return (-1);
	}
	free(head);
	if (evbuffer_get_length(c->got) < n) {
		printf("# body: %zu of %zu bytes\n",
		    evbuffer_get_length(c->got), n);
		return (-1);
	}
	for (off = 0; off < n; off += k) {
		k = n - off < sizeof buf ? n - off : sizeof buf;
		evbuffer_remove(c->got, buf, k);
		for (i = 0; i < k; i++) {
			if (buf[i] != pattern(off + i)) {
				printf("# body byte %zu wrong\n", off + i);
				return (-1);
			}
		}
	}
	return (0);
}

/*
 * A chunked answer at the front of c->got: 200, chunks that add up to n
 * bytes of the pattern, the last chunk; drained.  0 when all is right.
 */
static int
chunked_check(struct client *c, size_t n)
{
	struct evbuffer_ptr	 p;
	unsigned char		 buf[65536];
	char			 line[32], crlf[2];
	size_t			 off = 0, k, i, len;

	p = evbuffer_search(c->got, "\r\n\r\n", 4, NULL);
	if (p.pos == -1 || p.pos + 4 >= (ev_ssize_t)sizeof buf) {
		printf("# no header in %zu bytes\n",
		    evbuffer_get_length(c->got));
		return (-1);
	}
	evbuffer_remove(c->got, buf, p.pos + 4);
	buf[p.pos + 4] = '\0';
	if (strncmp((char *)buf, "HTTP/1.1 200 ", 13) != 0 ||
	    strstr((char *)buf, "Transfer-Encoding: chunked") == NULL) {
		printf("# wrong header: %.200s\n", buf);
		return (-1);
	}
	for (;;) {
		p = evbuffer_search(c->got, "\r\n", 2, NULL);
		if (p.pos == -1 || p.pos + 2 > (ev_ssize_t)sizeof line - 1) {
			printf("# body: %zu of %zu bytes, no chunk line\n",
			    off, n);
			return (-1);
		}
		evbuffer_remove(c->got, line, p.pos + 2);
		line[p.pos] = '\0';
		if ((len = strtoul(line, NULL, 16)) == 0)
			break;
		if (evbuffer_get_length(c->got) < len + 2) {
			printf("# body: %zu of %zu bytes, then %zu of a %zu "
			    "byte chunk\n", off, n,
			    evbuffer_get_length(c->got), len);
			return (-1);
		}
		for (; len > 0; len -= k, off += k) {
			k = len < sizeof buf ? len : sizeof buf;
			evbuffer_remove(c->got, buf, k);
			for (i = 0; i < k; i++) {
				if (buf[i] != pattern(off + i)) {
					printf("# body byte %zu wrong\n",
					    off + i);
					return (-1);
				}
			}
		}
		evbuffer_remove(c->got, crlf, 2);
	}
	if (evbuffer_remove(c->got, crlf, 2) != 2 || off != n) {
		printf("# body: %zu of %zu bytes, no end\n", off, n);
		return (-1);
	}
	return (0);
}

/*
 * GET path with Connection: close: n bytes (chunked: streamed), nothing
 * more, clean EOF.
 */
static void
test_close(const char *path, size_t n, int chunked)
{
	struct client	 c;

	if (client_open(&c) == -1) {
		check(0);
		return;
	}
	client_get(&c, path, 1);
	check(run_until(client_done, &c, 30000));
	if (c.error)
		printf("# client error: %s\n", c.err);
	check_int(c.eof, ==, 1);
	if (chunked)
		check_int(chunked_check(&c, n), ==, 0);
	else
		check_int(answer_check(&c, n), ==, 0);
	check_int(evbuffer_get_length(c.got), ==, 0);
	check_int(nodelay, ==, 1);
	client_close(&c);
}

/* The whole /mid answer is there (or the link ended). */
static int
client_has(void *arg)
{
	struct client		*c = arg;
	struct evbuffer_ptr	 p;

	if (c->eof || c->error)
		return (1);
	p = evbuffer_search(c->got, "\r\n\r\n", 4, NULL);
	return (p.pos != -1 && evbuffer_get_length(c->got) >=
	    (size_t)p.pos + 4 + MID);
}

/* Two requests on one link: both answers whole, then EOF. */
static void
test_keepalive(void)
{
	struct client	 c;

	if (client_open(&c) == -1) {
		check(0);
		return;
	}
	client_get(&c, "/mid", 0);
	run_until(client_has, &c, 30000);
	check_int(c.eof, ==, 0);
	check_int(c.error, ==, 0);
	check_int(answer_check(&c, MID), ==, 0);
	check_int(evbuffer_get_length(c.got), ==, 0);
	c.paused = 0;		/* read late again */
	client_get(&c, "/big", 1);
	check(run_until(client_done, &c, 30000));
	if (c.error)
		printf("# client error: %s\n", c.err);
	check_int(c.eof, ==, 1);
	check_int(answer_check(&c, BIG), ==, 0);
	check_int(evbuffer_get_length(c.got), ==, 0);
	client_close(&c);
}

static void
cleanup(void)
{
	char	 cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
}

int
main(void)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct event			*tick;
	struct timeval			 tv = { 0, 20000 };
	socklen_t			 len = sizeof addr;
	char				*crt, *key, *cause = NULL;
	int				 fd, snd = 8192;

	log_init("stderr", LOG_LEVEL_WARNING, "tls_http", &cause);
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return (1);
	}
	if (tls_selfsigned_ensure(tmpdir, &crt, &key, &cause) == -1 ||
	    (hub = tls_server_conf(crt, key, &cause)) == NULL ||
	    (pin = tls_client_conf(tls_conf_fingerprint(hub), NULL, NULL,
	    &cause)) == NULL) {
		printf("Bail out! %s\n", cause);
		cleanup();
		return (1);
	}
	free(crt);
	free(key);

	base = event_base_new();
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);
	http = evhttp_new(base);
	evhttp_set_bevcb(http, bevcb, NULL);
	evhttp_set_gencb(http, serve_cb, NULL);
	if ((bound = evhttp_bind_socket_with_handle(http, "127.0.0.1",
	    0)) == NULL) {
		printf("Bail out! evhttp_bind_socket: %s\n", strerror(errno));
		cleanup();
		return (1);
	}
	/*
	 * Accepted sockets inherit a small send buffer: the kernel holds
	 * little, so the records wait in the socket bufferevent's output.
	 */
	fd = evhttp_bound_socket_get_fd(bound);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
	getsockname(fd, (struct sockaddr *)&addr, &len);
	snprintf(peer, sizeof peer, "127.0.0.1:%d", ntohs(addr.sin_port));

	TEST(test_close("/big", BIG, 0), "8 MiB, Connection: close, read late: "
	    "every byte, then EOF");
	TEST(test_keepalive(), "keep-alive: 1 MiB, then 8 MiB with close on "
	    "the same link, both whole");
	TEST(test_close("/stream", STREAM, 1), "4 MiB streamed in chunks, "
	    "each after the last was written, read late: whole, then EOF");
	TEST(test_close("/small", 100, 0), "a small answer, then EOF");

	evhttp_free(http);
	event_free(tick);
	tls_conf_free(pin);
	tls_conf_free(hub);
	event_base_free(base);
	cleanup();
	return (test_done());
}
