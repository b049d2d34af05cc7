/*
 * bench/load.c: the benchmark's client.  One thread, epoll.
 *
 *	load [-x direct|socks5|http] [-p PROXY_HOST:PORT] -t HOST:PORT
 *	     [-m rate|hold] [-n N] [-c C] [-u PATH] [-T SECONDS] [-U USER]
 *
 * rate (default): N connections, at most C at once, each: connect (to the
 *	target, or to the proxy and SOCKS5 CONNECT / HTTP CONNECT to the
 *	target), GET PATH (default /small), read to EOF, check the status
 *	and the Content-Length.  Prints one line:
 *	  ok=N fail=N secs=S conn_s=R p50_us=U p99_us=U bytes=B mb_s=M
 *	(latency: connect() to the response's last byte; mb_s: body bytes
 *	over the whole run, for the bulk figure with -n 1 -u /bytes/N).
 * hold: open N tunnels (C handshakes in flight at most), then print
 *	  held=N fail=N secs=S
 *	and keep them open until SIGUSR1; then send GET PATH on every one at
 *	once, read every response and print the rate line (secs from the
 *	release).  SIGTERM ends it at any time.
 *
 * -U: HTTP CONNECT sends USER (routing parameters: bench-pool-busy) with an
 * empty password in Proxy-Authorization.
 *
 * A connection dropped by the proxy, a bad reply or status, a short body
 * and a connection still open at the -T deadline (default 300 s) count as
 * failures; the first few reasons go to stderr.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

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

enum { X_DIRECT, X_SOCKS5, X_HTTP };
enum {
	S_CONNECT, S_SOCKS_METHOD, S_SOCKS_REPLY, S_HTTP_REPLY, S_HELD,
	S_RESP, S_DONE
};

#define HBUF	1024
#define RBUF	(256 * 1024)

struct conn {
	int		 fd;
	int		 state;
	uint64_t	 t0;
	size_t		 hlen;		/* bytes in h */
	char		 h[HBUF];	/* handshake reply / response head */
	uint64_t	 total;		/* response bytes */
	int64_t		 clen;		/* Content-Length, -1 unknown */
	size_t		 headlen;	/* response head length, 0 unknown */
	int		 status;
	int		 hidx;		/* in held_list */
};

static int	 xmode = X_DIRECT, hold;
static struct sockaddr_in proxy_sa, target_sa;
static char	 target_str[64];
static const char *path = "/small";
static int	 nconn = 1, conc = 1;
static double	 deadline_s = 300;
static int	 ep;
static volatile sig_atomic_t released, quit;
static int	 started, active, ok, failed, held, nerr;
static uint64_t	*lat;
static int	 nlat;
static uint64_t	 body_bytes;
static char	 rbuf[RBUF];
static struct conn **held_list;
static char	 auth[256];	/* Proxy-Authorization line, -U */

/* auth = "Proxy-Authorization: Basic base64(user:)\r\n"; -1: too long. */
static int
basic_auth(const char *user)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char		 in[100], *o;
	size_t		 len, i;
	uint32_t	 v;

	len = (size_t)snprintf(in, sizeof in, "%s:", user);
	if (len >= sizeof in)
		return -1;
	o = auth + snprintf(auth, sizeof auth, "Proxy-Authorization: Basic ");
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)(uint8_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)(uint8_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= (uint8_t)in[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	memcpy(o, "\r\n", 3);
	return 0;
}

static uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		released = 1;
	else
		quit = 1;
}

static int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char		 host[64];
	const char	*colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void
conn_fail(struct conn *c, const char *why)
{
	if (nerr++ < 5)
		fprintf(stderr, "load: connection failed: %s%s%s\n", why,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	if (c->state == S_HELD) {
		held--;
		held_list[c->hidx] = held_list[held];
		held_list[c->hidx]->hidx = c->hidx;
	} else
		active--;
	failed++;
	close(c->fd);
	free(c);
}

static void
conn_ok(struct conn *c)
{
	lat[nlat++] = now_us() - c->t0;
	ok++;
	active--;
	close(c->fd);
	free(c);
}

static int
send_all(struct conn *c, const void *p, size_t n)
{
	ssize_t	 w = write(c->fd, p, n);

	return w == (ssize_t)n ? 0 : -1;
}

static int
send_request(struct conn *c)
{
	char	 req[512];
	int	 n;

	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: tentacle-bench\r\nConnection: close\r\n\r\n",
	    path, target_str);
	c->state = S_RESP;
	c->hlen = 0;
	if (hold)
		c->t0 = now_us();	/* latency from the release */
	return send_all(c, req, (size_t)n);
}

/* The tunnel is up (or the direct connection connected). */
static int
tunnel_up(struct conn *c)
{
	if (hold) {
		c->state = S_HELD;
		c->hidx = held;
		held_list[held++] = c;
		active--;	/* a held connection is not a handshake */
		return 0;
	}
	return send_request(c);
}

static void
set_events(struct conn *c, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
start_one(void)
{
	struct epoll_event ev;
	struct conn	*c;
	int		 one = 1;
	const struct sockaddr_in *sa = xmode == X_DIRECT ? &target_sa :
	    &proxy_sa;

	c = calloc(1, sizeof *c);
	if (c == NULL)
		abort();
	started++;
	active++;
	c->t0 = now_us();
	c->clen = -1;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		if (nerr++ < 5)
			fprintf(stderr, "load: socket: %s\n", strerror(errno));
		failed++;
		active--;
		free(c);
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->state = S_CONNECT;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	errno = 0;
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof *sa) < 0 &&
	    errno != EINPROGRESS)
		conn_fail(c, "connect");
}

static void
on_connected(struct conn *c)
{
	int		 err = 0;
	socklen_t	 elen = sizeof err;
	unsigned char	 req[10];
	char		 hreq[512];
	int		 n;

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err != 0) {
		errno = err;
		conn_fail(c, "connect");
		return;
	}
	errno = 0;
	set_events(c, EPOLLIN);
	switch (xmode) {
	case X_DIRECT:
		if (tunnel_up(c) < 0)
			conn_fail(c, "write");
		return;
	case X_SOCKS5:
		req[0] = 5; req[1] = 1; req[2] = 0;
		c->state = S_SOCKS_METHOD;
		if (send_all(c, req, 3) < 0)
			conn_fail(c, "write");
		return;
	case X_HTTP:
		n = snprintf(hreq, sizeof hreq, "CONNECT %s HTTP/1.1\r\n"
		    "Host: %s\r\n%s\r\n", target_str, target_str, auth);
		c->state = S_HTTP_REPLY;
		if (send_all(c, hreq, (size_t)n) < 0)
			conn_fail(c, "write");
		return;
	}
}

/* Parse the response head once it is complete. */
static void
parse_head(struct conn *c)
{
	char	*end, *cl;

	c->h[c->hlen < HBUF ? c->hlen : HBUF - 1] = '\0';
	end = strstr(c->h, "\r\n\r\n");
	if (end == NULL)
		return;
	c->headlen = (size_t)(end - c->h) + 4;
	if (sscanf(c->h, "HTTP/1.%*d %d", &c->status) != 1)
		c->status = -1;
	cl = strstr(c->h, "Content-Length:");
	if (cl != NULL && cl < end)
		c->clen = strtoll(cl + 15, NULL, 10);
}

static void
on_readable(struct conn *c)
{
	unsigned char	 req[10];
	ssize_t		 r;
	size_t		 want;

	errno = 0;
	switch (c->state) {
	case S_SOCKS_METHOD:
	case S_SOCKS_REPLY:
		want = c->state == S_SOCKS_METHOD ? 2 : 10;
		r = read(c->fd, c->h + c->hlen, want - c->hlen);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_fail(c, c->state == S_SOCKS_METHOD ?
			    "SOCKS method reply" : "SOCKS reply");
			return;
		}
		c->hlen += (size_t)r;
		if (c->hlen < want)
			return;
		errno = 0;
		if (c->state == S_SOCKS_METHOD) {
			if (c->h[0] != 5 || c->h[1] != 0) {
				conn_fail(c, "SOCKS method refused");
				return;
			}
			req[0] = 5; req[1] = 1; req[2] = 0; req[3] = 1;
			memcpy(req + 4, &target_sa.sin_addr, 4);
			memcpy(req + 8, &target_sa.sin_port, 2);
			c->hlen = 0;
			c->state = S_SOCKS_REPLY;
			if (send_all(c, req, 10) < 0)
				conn_fail(c, "write");
			return;
		}
		/* An IPv4 BND (10 bytes) is what every server here sends. */
		if (c->h[0] != 5 || c->h[1] != 0 || c->h[3] != 1) {
			char why[64];

			snprintf(why, sizeof why, "SOCKS reply REP %u ATYP %u",
			    (unsigned char)c->h[1], (unsigned char)c->h[3]);
			conn_fail(c, why);
			return;
		}
		if (tunnel_up(c) < 0)
			conn_fail(c, "write");
		return;
	case S_HTTP_REPLY:
		r = read(c->fd, c->h + c->hlen, HBUF - 1 - c->hlen);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_fail(c, "CONNECT reply");
			return;
		}
		c->hlen += (size_t)r;
		c->h[c->hlen] = '\0';
		if (strstr(c->h, "\r\n\r\n") == NULL) {
			if (c->hlen >= HBUF - 1)
				conn_fail(c, "CONNECT reply too long");
			return;
		}
		errno = 0;
		if (strncmp(c->h, "HTTP/1.", 7) != 0 ||
		    strncmp(c->h + 8, " 200", 4) != 0) {
			char why[64];

			snprintf(why, sizeof why, "CONNECT: %.40s", c->h);
			*strchr(why, '\r') = '\0';
			conn_fail(c, why);
			return;
		}
		/* Nothing may follow the head: we have not sent yet. */
		if (tunnel_up(c) < 0)
			conn_fail(c, "write");
		return;
	case S_HELD:
		r = read(c->fd, rbuf, sizeof rbuf);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_fail(c, r == 0 ? "closed while held" : "read while held");
		return;
	case S_RESP:
		for (;;) {
			r = read(c->fd, rbuf, sizeof rbuf);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (r < 0) {
				conn_fail(c, "response");
				return;
			}
			if (r == 0)
				break;
			if (c->hlen < HBUF - 1) {
				want = HBUF - 1 - c->hlen;
				if ((size_t)r < want)
					want = (size_t)r;
				memcpy(c->h + c->hlen, rbuf, want);
				c->hlen += want;
				if (c->headlen == 0)
					parse_head(c);
			}
			c->total += (uint64_t)r;
		}
		errno = 0;
		if (c->headlen == 0 || c->status != 200) {
			conn_fail(c, "bad response head or status");
			return;
		}
		if (c->clen >= 0 &&
		    c->total - c->headlen != (uint64_t)c->clen) {
			conn_fail(c, "short body");
			return;
		}
		body_bytes += c->total - c->headlen;
		conn_ok(c);
		return;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
pct(double p)
{
	size_t	 i;

	if (nlat == 0)
		return 0;
	i = (size_t)(p * (nlat - 1) + 0.5);
	return lat[i];
}

static void
report(uint64_t t0)
{
	double	 secs = (double)(now_us() - t0) / 1e6;

	qsort(lat, (size_t)nlat, sizeof lat[0], cmp_u64);
	printf("ok=%d fail=%d secs=%.3f conn_s=%.0f p50_us=%llu p99_us=%llu "
	    "bytes=%llu mb_s=%.1f\n", ok, failed, secs,
	    secs > 0 ? ok / secs : 0.0, (unsigned long long)pct(0.50),
	    (unsigned long long)pct(0.99), (unsigned long long)body_bytes,
	    secs > 0 ? body_bytes / secs / 1e6 : 0.0);
	fflush(stdout);
}

static void
run_loop(int (*done)(void))
{
	struct epoll_event evs[512];
	uint64_t	 deadline = now_us() + (uint64_t)(deadline_s * 1e6);
	int		 i, n;

	while (!quit && !done()) {
		while (started < nconn && active < conc)
			start_one();
		if (done())
			break;
		n = epoll_wait(ep, evs, 512, 100);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->state == S_CONNECT)
				on_connected(c);
			else
				on_readable(c);
		}
		if (now_us() > deadline) {
			fprintf(stderr, "load: deadline: %d connections "
			    "still open count as failures\n",
			    nconn - ok - failed);
			failed = nconn - ok;
			break;
		}
	}
}

static int
all_set_up(void)
{
	return started == nconn && held + failed == nconn;
}

static int
all_done(void)
{
	return ok + failed == nconn;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	uint64_t	 t0;
	int		 i, have_proxy = 0, have_target = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			goto usage;
		i++;
		if (strcmp(a, "-x") == 0) {
			if (strcmp(v, "direct") == 0)
				xmode = X_DIRECT;
			else if (strcmp(v, "socks5") == 0)
				xmode = X_SOCKS5;
			else if (strcmp(v, "http") == 0)
				xmode = X_HTTP;
			else
				goto usage;
		} else if (strcmp(a, "-p") == 0) {
			if (parse_addr(v, &proxy_sa) < 0)
				goto usage;
			have_proxy = 1;
		} else if (strcmp(a, "-t") == 0) {
			if (parse_addr(v, &target_sa) < 0)
				goto usage;
			snprintf(target_str, sizeof target_str, "%s", v);
			have_target = 1;
		} else if (strcmp(a, "-m") == 0) {
			if (strcmp(v, "hold") == 0)
				hold = 1;
			else if (strcmp(v, "rate") != 0)
				goto usage;
		} else if (strcmp(a, "-n") == 0)
			nconn = atoi(v);
		else if (strcmp(a, "-c") == 0)
			conc = atoi(v);
		else if (strcmp(a, "-u") == 0)
			path = v;
		else if (strcmp(a, "-T") == 0)
			deadline_s = atof(v);
		else if (strcmp(a, "-U") == 0) {
			if (basic_auth(v) < 0)
				goto usage;
		}
		else
			goto usage;
	}
	if (!have_target || (xmode != X_DIRECT && !have_proxy) ||
	    nconn < 1 || conc < 1)
		goto usage;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lat = calloc((size_t)nconn, sizeof lat[0]);
	held_list = calloc((size_t)nconn, sizeof held_list[0]);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (lat == NULL || held_list == NULL || ep < 0) {
		perror("load");
		return 1;
	}

	t0 = now_us();
	if (!hold) {
		run_loop(all_done);
		report(t0);
		return failed != 0 || quit;
	}

	run_loop(all_set_up);
	printf("held=%d fail=%d secs=%.3f\n", held, failed,
	    (double)(now_us() - t0) / 1e6);
	fflush(stdout);
	/* Hold until SIGUSR1, watching for drops. */
	while (!quit && !released) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 50);

		for (i = 0; i < n; i++)
			on_readable(evs[i].data.ptr);
	}
	if (quit)
		return 1;
	/* Release: a request on every held connection at once. */
	t0 = now_us();
	{
		int k, nheld = held;

		held = 0;
		active += nheld;
		for (k = 0; k < nheld; k++) {
			errno = 0;
			if (send_request(held_list[k]) < 0)
				conn_fail(held_list[k], "write");
		}
	}
	run_loop(all_done);
	report(t0);
	return failed != 0;
usage:
	fprintf(stderr, "usage: load [-x direct|socks5|http] "
	    "[-p PROXY_HOST:PORT] -t HOST:PORT [-m rate|hold] [-n N] [-c C] "
	    "[-u PATH] [-T SECONDS] [-U USER]\n");
	return 2;
}
