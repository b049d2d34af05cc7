/*
 * t/unit/tls.c: modules/tls.c and x509gen.c on a private event loop over
 * loopback TCP: the self-signed identity (modes, reuse, re-issue), the
 * three ways a node trusts the hub (pin, CA, known_hosts) and how each
 * refuses, which cipher suite a link gets, the keys kernel TLS would
 * get, 8 MiB both ways at once, half-close through TLS, a TCP end in
 * the middle of a record, records cut every way across reads (and one
 * recv() a whole record), a freed link that still delivers its last
 * records, a plaintext peer, session resumption (and how a refusal
 * drops the session), handshake rates, and a throughput figure.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>		/* mallinfo2: the memory figure */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "tls.h"
#include "tap.h"

static struct event_base	*base;
static char			 tmpdir[] = "/tmp/tls-unit.XXXXXX";
static char			 dir_a[256], dir_b[256], known[256];
static struct tls_conf		*hub_a, *hub_b;
static char			 fp_a[TLS_FP_LEN], fp_b[TLS_FP_LEN];

/* One end of a link under test. */
struct side {
	const char		*name;
	struct bufferevent	*bev;
	struct bufferevent	*sock;		/* before wrapping */
	size_t			 got;		/* plaintext bytes read */
	uint64_t		 sum;		/* FNV-1a of them */
	struct evbuffer		*keep;		/* the bytes, when wanted */
	int			 eof, error;
	char			 err[1100];
	/* Streaming writer. */
	size_t			 to_send, sent;
	uint64_t		 sent_sum;
	uint32_t		 rng;
	int			 shut_after;	/* tls_shutdown_write at end */
	int			 free_after;	/* free once all is encrypted */
	int			 freed;
	int			 fast;		/* no pattern, no checksum */
};

/*
 * A byte shuffler between the two ends, so tests can watch and cut the
 * ciphertext.  cut: once armed, pass only cut_left more bytes hub->node,
 * then shut down toward the node.
 */
struct middle {
	struct bufferevent	*to_node, *to_hub;
	struct evbuffer		*seen;		/* everything hub->node */
	int			 cut_armed;
	size_t			 cut_left;
	int			 cut_done;
	int			 hold;		/* hub->node bytes to held */
	struct evbuffer		*held;
};

/*
 * Every recv() tls.c makes (libevent reads with readv), counted when it
 * brought bytes (test_records() counts them per record) and when it
 * found nothing.
 */
static size_t			 nrecv_ok, nrecv_again;

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t	 n;

	n = recvfrom(fd, buf, len, flags, NULL, NULL);
	if (n > 0)
		nrecv_ok++;
	else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		nrecv_again++;
	return (n);
}

static void
fnv(uint64_t *h, const unsigned char *p, size_t n)
{
	size_t	 i;

	if (*h == 0)
		*h = 14695981039346656037ULL;
	for (i = 0; i < n; i++) {
		*h ^= p[i];
		*h *= 1099511628211ULL;
	}
}

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

/* A connected loopback TCP pair. */
static int
tcp_pair(int fds[2])
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 l, c, a;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1)
		return (-1);
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    (a = accept(l, NULL, NULL)) == -1)
		return (-1);
	close(l);
	evutil_make_socket_nonblocking(c);
	evutil_make_socket_nonblocking(a);
	fds[0] = c;
	fds[1] = a;
	return (0);
}

static void side_read_cb(struct bufferevent *, void *);
static void side_write_cb(struct bufferevent *, void *);
static void side_event_cb(struct bufferevent *, short, void *);

static void
side_read_cb(struct bufferevent *bev, void *arg)
{
	struct side	*s = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	unsigned char	 buf[16384];
	size_t		 n;

	if (s->fast) {
		s->got += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	while ((n = evbuffer_remove(in, buf, sizeof buf)) > 0 &&
	    n != (size_t)-1) {
		fnv(&s->sum, buf, n);
		s->got += n;
		if (s->keep != NULL)
			evbuffer_add(s->keep, buf, n);
	}
}

/* Keep up to 256 KiB of plaintext queued while there is more to send. */
static void
side_fill(struct side *s)
{
	struct evbuffer	*out;
	unsigned char	 buf[16384];
	size_t		 n, i;

	if (s->freed || s->bev == NULL)
		return;
	out = bufferevent_get_output(s->bev);
	while (s->sent < s->to_send && evbuffer_get_length(out) < 256 * 1024) {
		n = s->to_send - s->sent;
		if (n > sizeof buf)
			n = sizeof buf;
		for (i = 0; i < n && !s->fast; i++) {
			s->rng ^= s->rng << 13;
			s->rng ^= s->rng >> 17;
			s->rng ^= s->rng << 5;
			buf[i] = s->rng;
		}
		if (!s->fast)
			fnv(&s->sent_sum, buf, n);
		s->sent += n;	/* before: the write may call us back */
		bufferevent_write(s->bev, buf, n);
	}
}

static void
side_write_cb(struct bufferevent *bev, void *arg)
{
	struct side	*s = arg;

	side_fill(s);
	if (s->sent < s->to_send ||
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (s->shut_after) {
		s->shut_after = 0;
		tls_shutdown_write(bev);
	}
	if (s->free_after) {
		s->free_after = 0;
		s->freed = 1;
		bufferevent_free(bev);
		s->bev = NULL;
	}
}

static void
side_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct side	*s = arg;
	const char	*e;

	if (what & BEV_EVENT_EOF)
		s->eof = 1;
	if (what & BEV_EVENT_ERROR) {
		s->error = 1;
		e = tls_error(bev);
		snprintf(s->err, sizeof s->err, "%s", e != NULL ? e :
		    "(no tls_error)");
	}
}

static void
mid_node_read_cb(struct bufferevent *bev, void *arg)
{
	struct middle	*m = arg;

	bufferevent_write_buffer(m->to_hub, bufferevent_get_input(bev));
}

static void
mid_hub_read_cb(struct bufferevent *bev, void *arg)
{
	struct middle	*m = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 n = evbuffer_get_length(in);

	if (m->cut_done) {
		evbuffer_drain(in, n);
		return;
	}
	if (m->cut_armed) {
		if (n > m->cut_left)
			n = m->cut_left;
		m->cut_left -= n;
	}
	evbuffer_add(m->seen, evbuffer_pullup(in, n), n);
	evbuffer_remove_buffer(in, m->hold ? m->held :
	    bufferevent_get_output(m->to_node), n);
	if (m->cut_armed && m->cut_left == 0) {
		evbuffer_drain(in, evbuffer_get_length(in));
		m->cut_done = 1;
	}
}

static void
mid_node_write_cb(struct bufferevent *bev, void *arg)
{
	struct middle	*m = arg;

	if (m->cut_done &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
mid_event_cb(struct bufferevent *bev __unused, short what __unused,
    void *arg __unused)
{
}

/*
 * Wire node <-> [middle] <-> hub and wrap both ends.  peer is the name
 * the node uses for the hub.  Returns -1 if a wrap failed.
 */
static int
link_open(struct side *node, struct side *hub, struct middle *m,
    struct tls_conf *nc, struct tls_conf *hc, const char *peer)
{
	int	 a[2], b[2];
	char	*cause = NULL;

	memset(node, 0, sizeof *node);
	memset(hub, 0, sizeof *hub);
	node->name = "node";
	hub->name = "hub";
	node->rng = 0x12345678;
	hub->rng = 0x9abcdef1;
	if (tcp_pair(a) == -1)
		return (-1);
	if (m != NULL) {
		memset(m, 0, sizeof *m);
		if (tcp_pair(b) == -1)
			return (-1);
		m->seen = evbuffer_new();
		m->held = evbuffer_new();
		m->to_node = bufferevent_socket_new(base, a[1],
		    BEV_OPT_CLOSE_ON_FREE);
		m->to_hub = bufferevent_socket_new(base, b[0],
		    BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(m->to_node, mid_node_read_cb,
		    mid_node_write_cb, mid_event_cb, m);
		bufferevent_setcb(m->to_hub, mid_hub_read_cb, NULL,
		    mid_event_cb, m);
		bufferevent_enable(m->to_node, EV_READ | EV_WRITE);
		bufferevent_enable(m->to_hub, EV_READ | EV_WRITE);
		a[1] = b[1];
	}
	node->sock = bufferevent_socket_new(base, a[0], BEV_OPT_CLOSE_ON_FREE);
	hub->sock = bufferevent_socket_new(base, a[1], BEV_OPT_CLOSE_ON_FREE);
	if (hc != NULL) {
		hub->bev = tls_wrap(hc, hub->sock, 1, NULL, &cause);
		if (hub->bev == NULL) {
			printf("# tls_wrap hub: %s\n", cause);
			free(cause);
			return (-1);
		}
	} else
		hub->bev = hub->sock;
	node->bev = tls_wrap(nc, node->sock, 0, peer, &cause);
	if (node->bev == NULL) {
		printf("# tls_wrap node: %s\n", cause);
		free(cause);
		return (-1);
	}
	bufferevent_setcb(node->bev, side_read_cb, side_write_cb,
	    side_event_cb, node);
	bufferevent_setcb(hub->bev, side_read_cb, side_write_cb,
	    side_event_cb, hub);
	bufferevent_enable(node->bev, EV_READ | EV_WRITE);
	bufferevent_enable(hub->bev, EV_READ | EV_WRITE);
	return (0);
}

static void
link_close(struct side *node, struct side *hub, struct middle *m)
{
	if (node->bev != NULL)
		bufferevent_free(node->bev);
	if (hub->bev != NULL)
		bufferevent_free(hub->bev);
	if (node->keep != NULL)
		evbuffer_free(node->keep);
	if (hub->keep != NULL)
		evbuffer_free(hub->keep);
	node->bev = hub->bev = NULL;
	node->keep = hub->keep = NULL;
	if (m != NULL) {
		bufferevent_free(m->to_node);
		bufferevent_free(m->to_hub);
		evbuffer_free(m->seen);
		evbuffer_free(m->held);
	}
	/* Let the filters' deferred frees and lingering sockets finish. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_loop(base, EVLOOP_NONBLOCK);
}

struct two {
	struct side	*a, *b;
	size_t		 na, nb;
};

static int
got_both(void *arg)
{
	struct two	*w = arg;

	return ((w->a->got >= w->na || w->a->error) &&
	    (w->b->got >= w->nb || w->b->error));
}

static int
failed_one(void *arg)
{
	struct side	*s = arg;

	return (s->error || s->eof);
}

/* The node refused: it closes, and the hub hears of it. */
static int
refused(struct side *node, struct side *hub)
{
	if (!run_until(failed_one, node, 5000) || !node->error)
		return (0);
	bufferevent_free(node->bev);
	node->bev = NULL;
	return (run_until(failed_one, hub, 5000) && hub->error);
}

/* Say hello both ways; 1 if both arrived. */
static int
hello(struct side *node, struct side *hub)
{
	struct two	 w = { node, hub, 5, 5 };

	bufferevent_write(node->bev, "hello", 5);
	bufferevent_write(hub->bev, "world", 5);
	return (run_until(got_both, &w, 5000) && !node->error && !hub->error);
}

static void
test_selfsigned(void)
{
	char		*crt, *key, *cause = NULL, fp2[TLS_FP_LEN];
	struct stat	 st;
	struct tls_conf	*tc;
	int		 rc;

	snprintf(dir_a, sizeof dir_a, "%s/a", tmpdir);
	rc = tls_selfsigned_ensure(dir_a, &crt, &key, &cause);
	check_int(rc, ==, 1);
	if (rc == -1) {
		printf("# %s\n", cause);
		return;
	}
	check(stat(dir_a, &st) == 0 && (st.st_mode & 0777) == 0700);
	check(stat(crt, &st) == 0 && (st.st_mode & 0777) == 0600);
	check(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600);
	hub_a = tls_server_conf(crt, key, &cause);
	check(hub_a != NULL);
	if (hub_a == NULL) {
		printf("# %s\n", cause);
		return;
	}
	strlcpy(fp_a, tls_conf_fingerprint(hub_a), sizeof fp_a);
	check_int(strlen(fp_a), ==, TLS_FP_LEN - 1);
	check(strncmp(fp_a, "sha256:", 7) == 0);
	printf("# hub a: %s\n", fp_a);
	free(crt);
	free(key);

	/* Second call: reused as is. */
	rc = tls_selfsigned_ensure(dir_a, &crt, &key, &cause);
	check_int(rc, ==, 0);
	tc = tls_server_conf(crt, key, &cause);
	check(tc != NULL);
	if (tc != NULL)
		check_str(tls_conf_fingerprint(tc), fp_a);
	tls_conf_free(tc);

	/* Certificate lost, key kept: a new certificate, same identity. */
	unlink(crt);
	free(crt);
	free(key);
	rc = tls_selfsigned_ensure(dir_a, &crt, &key, &cause);
	check_int(rc, ==, 1);
	tc = tls_server_conf(crt, key, &cause);
	check(tc != NULL);
	if (tc != NULL)
		check_str(tls_conf_fingerprint(tc), fp_a);
	tls_conf_free(tc);
	free(crt);
	free(key);

	/* Key lost, certificate kept: refused, not silently replaced. */
	snprintf(dir_b, sizeof dir_b, "%s/lost", tmpdir);
	rc = tls_selfsigned_ensure(dir_b, &crt, &key, &cause);
	check_int(rc, ==, 1);
	unlink(key);
	free(crt);
	free(key);
	rc = tls_selfsigned_ensure(dir_b, &crt, &key, &cause);
	check_int(rc, ==, -1);
	check(cause != NULL && strstr(cause, "hub.key") != NULL);
	free(cause);
	cause = NULL;

	/* A second, different hub. */
	snprintf(dir_b, sizeof dir_b, "%s/b", tmpdir);
	rc = tls_selfsigned_ensure(dir_b, &crt, &key, &cause);
	check_int(rc, ==, 1);
	hub_b = tls_server_conf(crt, key, &cause);
	check(hub_b != NULL);
	if (hub_b != NULL) {
		strlcpy(fp_b, tls_conf_fingerprint(hub_b), sizeof fp_b);
		check(strcmp(fp_a, fp_b) != 0);
	}
	/* A certificate with another hub's key is refused. */
	free(key);
	xasprintf(&key, "%s/a/hub.key", tmpdir);
	tc = tls_server_conf(crt, key, &cause);
	check(tc == NULL);
	check(cause != NULL && strstr(cause, "not the key") != NULL);
	free(cause);
	free(crt);
	free(key);

	/* Fingerprint syntax as users type it. */
	check_int(tls_fingerprint_parse("SHA256:AB", fp2), ==, -1);
	check_int(tls_fingerprint_parse(fp_a, fp2), ==, 0);
	check_str(fp2, fp_a);
}

static void
test_pin(void)
{
	struct side	 node, hub;
	struct tls_conf	*nc;
	char		*cause = NULL, upper[TLS_FP_LEN];
	size_t		 i;

	for (i = 0; fp_a[i] != '\0'; i++)
		upper[i] = toupper((unsigned char)fp_a[i]);
	upper[i] = '\0';
	nc = tls_client_conf(upper, NULL, NULL, &cause);
	check(nc != NULL);
	if (nc == NULL || link_open(&node, &hub, NULL, nc, hub_a,
	    "hub.example:4442") == -1) {
		check(0);
		return;
	}
	/* Written before the handshake: goes out after it. */
	check(!tls_handshake_done(node.bev));
	check(hello(&node, &hub));
	check(tls_handshake_done(node.bev));
	check(tls_handshake_done(hub.bev));
	check(tls_cipher(node.bev) != NULL);
	printf("# cipher: %s\n", tls_cipher(node.bev) ?
	    tls_cipher(node.bev) : "none");
	check(tls_error(node.bev) == NULL);
	/* Kernel TLS: decided (here the kernel refuses: ENOENT); or never. */
	printf("# kernel TLS: node %d, hub %d\n", tls_kernel(node.bev),
	    tls_kernel(hub.bev));
	if (ENABLE_KTLS) {
		check(tls_kernel(node.bev) != 0);
		check(tls_kernel(hub.bev) != 0);
	} else {
		check_int(tls_kernel(node.bev), ==, -1);
		check_int(tls_kernel(hub.bev), ==, -1);
	}
	check(tls_getfd(node.bev) >= 0);
	check(bufferevent_getfd(node.bev) == -1 ||
	    bufferevent_getfd(node.bev) == tls_getfd(node.bev));
	link_close(&node, &hub, NULL);
	tls_conf_free(nc);
}

static void
test_pin_wrong(void)
{
	struct side	 node, hub;
	struct tls_conf	*nc;
	char		*cause = NULL;

	nc = tls_client_conf(fp_b, NULL, NULL, &cause);
	if (nc == NULL || link_open(&node, &hub, NULL, nc, hub_a,
	    "hub.example:4442") == -1) {
		check(0);
		return;
	}
	bufferevent_write(node.bev, "secret", 6);
	check(refused(&node, &hub));
	printf("# node: %s\n# hub: %s\n", node.err, hub.err);
	check(strstr(node.err, "does not match the pinned") != NULL);
	check(strstr(node.err, fp_a) != NULL);
	check(strstr(node.err, fp_b) != NULL);
	check_int(hub.got, ==, 0);
	check(strstr(hub.err, "closed the connection during the TLS "
	    "handshake") != NULL);
	link_close(&node, &hub, NULL);
	tls_conf_free(nc);
}

static void
test_tofu(void)
{
	struct side	 node, hub;
	struct tls_conf	*nc;
	char		*cause = NULL, *data = NULL, want[256];
	struct stat	 st;
	size_t		 len;

	snprintf(known, sizeof known, "%s/known_hosts", tmpdir);
	nc = tls_client_conf(NULL, NULL, known, &cause);
	check(nc != NULL);
	if (nc == NULL)
		return;

	/* First use: stored. */
	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	link_close(&node, &hub, NULL);
	check(stat(known, &st) == 0 && (st.st_mode & 0777) == 0600);
	if (tls_file_read(known, (unsigned char **)&data, &len, &cause) == 0) {
		snprintf(want, sizeof want, "hub.example:4442 %s\n", fp_a);
		check_str(data, want);
		free(data);
	} else
		check(0);

	/* Same key again: accepted, not stored twice. */
	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	link_close(&node, &hub, NULL);
	check(stat(known, &st) == 0 && st.st_size == (off_t)strlen(want));

	/* Another hub name: stored on its own line. */
	if (link_open(&node, &hub, NULL, nc, hub_b, "other.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	link_close(&node, &hub, NULL);

	/* The key of hub.example changed: refused, naming file and line. */
	if (link_open(&node, &hub, NULL, nc, hub_b, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	bufferevent_write(node.bev, "secret", 6);
	check(refused(&node, &hub));
	printf("# node: %s\n", node.err);
	check(strstr(node.err, known) != NULL);
	check(strstr(node.err, "line 1") != NULL);
	check(strstr(node.err, fp_a) != NULL);
	check(strstr(node.err, fp_b) != NULL);
	check_int(hub.got, ==, 0);
	link_close(&node, &hub, NULL);
	tls_conf_free(nc);
}

static void
test_ca(void)
{
	struct side	 node, hub;
	struct tls_conf	*nc, *nc_b;
	char		*cause = NULL, ca[300];

	snprintf(ca, sizeof ca, "%s/hub.crt", dir_a);
	nc = tls_client_conf(NULL, ca, known, &cause);
	check(nc != NULL);
	snprintf(ca, sizeof ca, "%s/hub.crt", dir_b);
	nc_b = tls_client_conf("", ca, NULL, &cause);
	check(nc_b != NULL);
	if (nc == NULL || nc_b == NULL)
		return;

	/* The right name (the certificate's CN). */
	if (link_open(&node, &hub, NULL, nc, hub_a, "tentacle-hub:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	link_close(&node, &hub, NULL);

	/* A wrong name. */
	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(refused(&node, &hub));
	printf("# node: %s\n", node.err);
	check(strstr(node.err, "not for the name \"hub.example\"") != NULL);
	link_close(&node, &hub, NULL);

	/* Another CA. */
	if (link_open(&node, &hub, NULL, nc_b, hub_a, "tentacle-hub:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(refused(&node, &hub));
	printf("# node: %s\n# hub: %s\n", node.err, hub.err);
	check(strstr(node.err, "unknown CA") != NULL);
	check(strstr(hub.err, "during the TLS handshake") != NULL);
	link_close(&node, &hub, NULL);
	tls_conf_free(nc);
	tls_conf_free(nc_b);
}

/* 8 MiB each way at once, through a middle that checks the ciphertext. */
static void
test_bulk(struct tls_conf *nc)
{
	struct side	 node, hub;
	struct middle	 m;
	struct two	 w = { &node, &hub, 8 << 20, 8 << 20 };
	unsigned char	 probe[64];
	struct evbuffer_ptr p;

	if (link_open(&node, &hub, &m, nc, hub_a, "hub.example:4442") == -1) {
		check(0);
		return;
	}
	node.to_send = hub.to_send = 8 << 20;
	side_fill(&node);
	side_fill(&hub);
	check(run_until(got_both, &w, 20000));
	check(!node.error && !hub.error);
	check_int(node.got, ==, 8 << 20);
	check_int(hub.got, ==, 8 << 20);
	check(node.sum == hub.sent_sum);
	check(hub.sum == node.sent_sum);
	/* The first 64 plaintext bytes hub->node are not on the wire. */
	hub.rng = 0x9abcdef1;
	{
		size_t		 i;
		uint32_t	 r = 0x9abcdef1;

		for (i = 0; i < sizeof probe; i++) {
			r ^= r << 13;
			r ^= r >> 17;
			r ^= r << 5;
			probe[i] = r;
		}
	}
	check_int(evbuffer_get_length(m.seen), >, 8 << 20);
	p = evbuffer_search(m.seen, (char *)probe, sizeof probe, NULL);
	check_int(p.pos, ==, -1);
	link_close(&node, &hub, &m);
}

/* TLS records in b from offset off (a record boundary) to its end. */
static size_t
records_count(struct evbuffer *b, size_t off)
{
	unsigned char	*p = evbuffer_pullup(b, -1);
	size_t		 len = evbuffer_get_length(b), n = 0;

	while (off + 5 <= len) {
		off += 5 + ((p[off + 3] << 8) | p[off + 4]);
		n++;
	}
	return (off == len ? n : 0);
}

/*
 * The held ciphertext to the node in pieces of the sizes in sz (cycled),
 * the loop turning between them, until s has want bytes: the node's
 * reads split headers and bodies every way, and take several records at
 * once.  1 if they all came.
 */
static int
mid_release(struct middle *m, const size_t *sz, size_t nsz,
    struct side *s, size_t want)
{
	evutil_socket_t	 fd = bufferevent_getfd(m->to_node);
	uint64_t	 end = now_ms() + 10000;
	size_t		 i, n;
	ssize_t		 k;

	for (i = 0; s->got < want && !s->error && now_ms() < end; i++) {
		if ((n = evbuffer_get_length(m->held)) > 0) {
			if (n > sz[i % nsz])
				n = sz[i % nsz];
			k = send(fd, evbuffer_pullup(m->held, n), n,
			    MSG_NOSIGNAL);
			if (k > 0)
				evbuffer_drain(m->held, k);
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	return (s->got >= want && !s->error);
}

/*
 * Records of many sizes reach the node cut every way (a header split
 * over reads, several records and a part in one read, reads larger than
 * a record); then whole records: one recv() a record, not two (header,
 * then body, as BearSSL asks for them).
 */
static void
test_records(struct tls_conf *nc)
{
	static const size_t	 wsz[] = { 1, 100, 5000, 16384, 40000, 3,
				    16385, 70000, 2 };
	static const size_t	 rsz[] = { 1, 4, 3, 4100, 5, 9000, 2, 40000,
				    16413, 7, 20000, 16418, 6 };
	static const size_t	 all[] = { 1 << 20 };
	struct side		 node, hub;
	struct middle		 m;
	size_t			 i, off, nrec, total = 0;

	if (link_open(&node, &hub, &m, nc, hub_a, "hub.example:4442") == -1 ||
	    !hello(&node, &hub)) {
		check(0);
		return;
	}
	node.got = 0;
	node.sum = 0;
	m.hold = 1;
	off = evbuffer_get_length(m.seen);
	for (i = 0; i < 3 * sizeof wsz / sizeof wsz[0]; i++) {
		total += wsz[i % (sizeof wsz / sizeof wsz[0])];
		hub.to_send = total;
		side_fill(&hub);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	check(mid_release(&m, rsz, sizeof rsz / sizeof rsz[0], &node, total));
	check(!node.error && !hub.error);
	check_int(node.got, ==, total);
	check(node.sum == hub.sent_sum);
	check_int(records_count(m.seen, off), >, 27);

	/* 1 MiB as full records, all at once. */
	off = evbuffer_get_length(m.seen);
	hub.to_send = total + (1 << 20);
	side_fill(&hub);
	nrecv_ok = nrecv_again = 0;
	check(mid_release(&m, all, 1, &node, total + (1 << 20)));
	check(!node.error && !hub.error);
	check_int(node.got, ==, total + (1 << 20));
	check(node.sum == hub.sent_sum);
	nrec = records_count(m.seen, off);
	check_int(nrec, >=, 64);
	printf("# %zu records, %zu recv() with bytes, %zu EAGAIN\n", nrec,
	    nrecv_ok, nrecv_again);
	check_int(nrecv_ok * 4, <=, nrec * 5);
	link_close(&node, &hub, &m);
}

/* The cipher a node of conf nc and hub hc agree on ("" if none). */
static void
suite_of(struct tls_conf *nc, struct tls_conf *hc, char *out, size_t len)
{
	struct side	 node, hub;

	out[0] = '\0';
	if (link_open(&node, &hub, NULL, nc, hc, "hub.example:4442") == 0 &&
	    hello(&node, &hub) && tls_cipher(node.bev) != NULL)
		strlcpy(out, tls_cipher(node.bev), len);
	link_close(&node, &hub, NULL);
}

/*
 * ChaCha20 when either end lacks AES hardware (offers or prefers it
 * first), AES-GCM when both have it.  The hub's own order counts only
 * when it prefers ChaCha20.
 */
static void
test_suites(void)
{
	struct tls_conf	*aes_node, *cc_node, *cc_hub;
	char		*crt, *key, *cause = NULL, got[64];

	xasprintf(&crt, "%s/hub.crt", dir_a);
	xasprintf(&key, "%s/hub.key", dir_a);
	aes_node = tls_client_conf(fp_a, NULL, NULL, &cause);
	cc_node = tls_client_conf(fp_a, NULL, NULL, &cause);
	cc_hub = tls_server_conf(crt, key, &cause);
	free(crt);
	free(key);
	if (aes_node == NULL || cc_node == NULL || cc_hub == NULL) {
		check(0);
		return;
	}
	tls_conf_chacha_first(cc_node);
	tls_conf_chacha_first(cc_hub);
	/* hub_a has this CPU's order: AES first where it has AES-NI. */
	suite_of(aes_node, hub_a, got, sizeof got);
	printf("# this CPU's order with itself: %s\n", got);
	check(strstr(got, br_aes_x86ni_ctr_get_vtable() != NULL ||
	    br_aes_pwr8_ctr_get_vtable() != NULL ? "AES128-GCM" :
	    "CHACHA20") != NULL);
	suite_of(cc_node, hub_a, got, sizeof got);
	check_str(got, "ECDHE-ECDSA-CHACHA20-POLY1305");
	suite_of(aes_node, cc_hub, got, sizeof got);
	check_str(got, "ECDHE-ECDSA-CHACHA20-POLY1305");
	suite_of(cc_node, cc_hub, got, sizeof got);
	check_str(got, "ECDHE-ECDSA-CHACHA20-POLY1305");
	tls_conf_free(aes_node);
	tls_conf_free(cc_node);
	tls_conf_free(cc_hub);
}

/*
 * What kernel TLS would be given (tls_kernel_keys) opens the records on
 * the wire: hub->node "world" decrypts with the hub's send key, salt and
 * sequence number (and not with the next one), and the node's receive
 * side has the same.
 */
static int
open_last(struct evbuffer *seen, const unsigned char *key,
    const unsigned char *salt, uint64_t seq, const char *want)
{
	br_sslrec_gcm_context	 in;
	struct evbuffer_ptr	 ptr;
	unsigned char		 rec[64], *p;
	size_t			 n = evbuffer_get_length(seen), len;

	/* A 5-byte answer: header, explicit nonce, 5 bytes, tag. */
	if (n < 34 || evbuffer_ptr_set(seen, &ptr, n - 34,
	    EVBUFFER_PTR_SET) == -1 ||
	    evbuffer_copyout_from(seen, &ptr, rec, 34) != 34)
		return (0);
	if (rec[0] != 23 || ((rec[3] << 8) | rec[4]) != 29)
		return (0);
	br_sslrec_in_gcm_vtable.init(&in.vtable.in, &br_aes_ct_ctr_vtable,
	    key, 16, &br_ghash_ctmul, salt);
	in.seq = seq;
	len = 29;
	p = br_sslrec_in_gcm_vtable.inner.decrypt(
	    (const br_sslrec_in_class **)&in.vtable.in, 23, 0x303, rec + 5,
	    &len);
	return (p != NULL && len == 5 && memcmp(p, want, 5) == 0);
}

static void
test_kernel_keys(struct tls_conf *nc)
{
	struct side	 node, hub;
	struct middle	 m;
	unsigned char	 k1[16], s1[4], k2[16], s2[4];
	uint64_t	 q1, q2;

	if (link_open(&node, &hub, &m, nc, hub_a, "hub.example:4442") == -1 ||
	    !hello(&node, &hub)) {
		check(0);
		return;
	}
	/*
	 * Without AES hardware (a router under qemu) the link is ChaCha20:
	 * no kernel keys, the link stays with BearSSL.
	 */
	if (tls_cipher(node.bev) == NULL ||
	    strstr(tls_cipher(node.bev), "AES128-GCM") == NULL) {
		printf("# %s: no kernel TLS keys\n", tls_cipher(node.bev) ?
		    tls_cipher(node.bev) : "no cipher");
		check_int(tls_kernel_keys(hub.bev, 1, k1, s1, &q1), ==, -1);
		check_int(tls_kernel_keys(node.bev, 0, k2, s2, &q2), ==, -1);
		link_close(&node, &hub, &m);
		return;
	}
	check_int(tls_kernel_keys(hub.bev, 1, k1, s1, &q1), ==, 0);
	check_int(tls_kernel_keys(node.bev, 0, k2, s2, &q2), ==, 0);
	check(memcmp(k1, k2, 16) == 0 && memcmp(s1, s2, 4) == 0);
	check(q1 == q2 && q1 >= 1);
	check(open_last(m.seen, k1, s1, q1 - 1, "world"));
	check(!open_last(m.seen, k1, s1, q1, "world"));
	link_close(&node, &hub, &m);
}

static int
eof_and_got(void *arg)
{
	struct side	*s = arg;

	return (s->error || s->eof);
}

static void
test_halfclose(struct tls_conf *nc)
{
	struct side	 node, hub;

	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	/* The node sends 1 MiB and shuts its write side. */
	node.to_send = 1 << 20;
	node.shut_after = 1;
	side_fill(&node);
	check(run_until(eof_and_got, &hub, 10000));
	check(hub.eof && !hub.error);
	check_int(hub.got, ==, 1 << 20);
	check(hub.sum == node.sent_sum);
	check(!node.eof && !node.error);

	/* The hub answers on the half-open link, then shuts too. */
	hub.to_send = 300000;
	hub.shut_after = 1;
	side_fill(&hub);
	check(run_until(eof_and_got, &node, 10000));
	check(node.eof && !node.error);
	check_int(node.got, ==, 300000);
	check(node.sum == hub.sent_sum);
	link_close(&node, &hub, NULL);

	/* Plaintext bufferevents: tls_shutdown_write is shutdown(2). */
	{
		int			 fds[2];
		struct bufferevent	*a, *b;

		check(tcp_pair(fds) == 0);
		a = bufferevent_socket_new(base, fds[0],
		    BEV_OPT_CLOSE_ON_FREE);
		b = bufferevent_socket_new(base, fds[1],
		    BEV_OPT_CLOSE_ON_FREE);
		memset(&node, 0, sizeof node);
		bufferevent_setcb(b, side_read_cb, NULL, side_event_cb, &node);
		bufferevent_enable(b, EV_READ);
		check(!tls_is_wrapped(a));
		tls_shutdown_write(a);
		check(run_until(eof_and_got, &node, 5000));
		check(node.eof);
		bufferevent_free(a);
		bufferevent_free(b);
	}
}

static void
test_truncated(struct tls_conf *nc)
{
	struct side	 node, hub;
	struct middle	 m;

	if (link_open(&node, &hub, &m, nc, hub_a, "hub.example:4442") == -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	/* 1000 bytes make one record of 1000 + 29; let 100 through. */
	m.cut_armed = 1;
	m.cut_left = 100;
	hub.to_send = 1000;
	side_fill(&hub);
	check(run_until(eof_and_got, &node, 5000));
	printf("# node: %s\n", node.err);
	check(node.error && !node.eof);
	check(strstr(node.err, "truncated") != NULL);
	check_int(node.got, ==, 5);
	link_close(&node, &hub, &m);
}

/* The hub frees its link right after writing: the records still arrive. */
static void
test_linger(struct tls_conf *nc)
{
	struct side	 node, hub;

	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	hub.to_send = 200000;
	hub.free_after = 1;
	side_fill(&hub);
	check(run_until(eof_and_got, &node, 5000));
	check(node.eof && !node.error);
	check_int(node.got, ==, 5 + 200000);
	check_int(hub.sent, ==, 200000);
	check(hub.freed);
	link_close(&node, &hub, NULL);
}

/* A plaintext Tentacle peer where a hub should be. */
static void
test_plaintext_peer(struct tls_conf *nc)
{
	struct side	 node, hub;

	if (link_open(&node, &hub, NULL, nc, NULL, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	bufferevent_write(hub.bev, "TNTC\001\002hello there, plaintext", 27);
	check(run_until(failed_one, &node, 5000));
	printf("# node: %s\n", node.err);
	check(node.error && strstr(node.err, "does not speak TLS") != NULL);
	link_close(&node, &hub, NULL);
}

/* One direction, as fast as it goes: a TAP comment, not a check. */
static void
test_speed(struct tls_conf *nc)
{
	struct side	 node, hub;
	struct two	 w = { &node, &hub, 0, 0 };
	uint64_t	 t0, ms;
	size_t		 n = 64 << 20;
	char		*asan = getenv("ASAN_OPTIONS");

	if (asan != NULL && strstr(asan, "detect_leaks") != NULL)
		n = 8 << 20;	/* the sanitizer build is slow */
	if (link_open(&node, &hub, NULL, nc, hub_a, "hub.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(hello(&node, &hub));
	w.na = 5;
	w.nb = 5 + n;
	t0 = now_ms();
	node.fast = hub.fast = 1;
	node.to_send = n;
	side_fill(&node);
	check(run_until(got_both, &w, 30000));
	ms = now_ms() - t0;
	check(hub.got == 5 + n);
	printf("# throughput: %zu MiB node->hub in %llu ms: %.0f MB/s (%s)\n",
	    n >> 20, (unsigned long long)ms,
	    ms ? (double)n / 1e6 / ((double)ms / 1000) : 0.0,
	    tls_cipher(node.bev));
	link_close(&node, &hub, NULL);
}

/* One link: handshake, hello both ways, closed.  1 if it worked. */
static int
link_once(struct tls_conf *nc, struct tls_conf *hc, const char *peer,
    int *resumed)
{
	struct side	 node, hub;
	int		 ok;

	if (link_open(&node, &hub, NULL, nc, hc, peer) == -1)
		return (0);
	ok = hello(&node, &hub);
	if (resumed != NULL)
		*resumed = !ok ? -1 : tls_resumed(node.bev) +
		    2 * tls_resumed(hub.bev);
	link_close(&node, &hub, NULL);
	return (ok);
}

/*
 * Links one after the other to hub a: each must work, and resume as said
 * (link_once's *resumed: 0 full, 3 resumed at both ends).
 */
struct step {
	const char	*peer;
	int		 resumed;
};

static void
link_steps(struct tls_conf *nc, const struct step *st, size_t n)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++) {
		test_case("link %zu, to %s", i + 1, st[i].peer);
		check(link_once(nc, hub_a, st[i].peer, &r));
		check_int(r, ==, st[i].resumed);
	}
	test_case_end();
}

/* The second link resumes; another peer name or hub does not. */
static void
test_resume(struct tls_conf *nc)
{
	static const struct step	 steps[] = {
		{ "resume.example:4442", 0 },	/* first: full */
		{ "resume.example:4442", 3 },	/* both ends say resumed */
		{ "resume.example:4442", 3 },
		/* Another name for the same hub: never offered. */
		{ "alias.example:4442", 0 },
		{ "alias.example:4442", 3 },
	};
	struct side	 node, hub;
	int		 r;

	link_steps(nc, steps, nitems(steps));
	/* Plaintext bufferevents, and before the handshake. */
	if (link_open(&node, &hub, NULL, nc, hub_a, "alias.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(!tls_resumed(node.bev));
	check(hello(&node, &hub));
	check(tls_resumed(node.bev));
	check(tls_cipher(node.bev) != NULL);
	check(!tls_resumed(node.sock));
	link_close(&node, &hub, NULL);
	/* Pin of hub a, session of hub a offered to hub b: refused. */
	if (link_open(&node, &hub, NULL, nc, hub_b, "alias.example:4442") ==
	    -1) {
		check(0);
		return;
	}
	check(refused(&node, &hub));
	check(strstr(node.err, "does not match the pinned") != NULL);
	link_close(&node, &hub, NULL);
	/* The failure dropped the session: the next link is full. */
	check(link_once(nc, hub_a, "alias.example:4442", &r));
	check_int(r, ==, 0);
}

/*
 * known_hosts: a session with hub a does not get a node past hub b's
 * changed key, not on the first try and not later.
 */
static void
test_resume_tofu(void)
{
	static const struct step	 steps[] = {
		{ "tofu.example:4442", 0 },
		{ "tofu.example:4442", 3 },
	};
	struct side	 node, hub;
	struct tls_conf	*nc;
	char		*cause = NULL, kh[300];
	int		 i;

	snprintf(kh, sizeof kh, "%s/known_resume", tmpdir);
	nc = tls_client_conf(NULL, NULL, kh, &cause);
	if (nc == NULL) {
		check(0);
		return;
	}
	link_steps(nc, steps, nitems(steps));
	for (i = 0; i < 2; i++) {
		if (link_open(&node, &hub, NULL, nc, hub_b,
		    "tofu.example:4442") == -1) {
			check(0);
			break;
		}
		bufferevent_write(node.bev, "secret", 6);
		check(refused(&node, &hub));
		check(strstr(node.err, "changed its key") != NULL);
		check(!tls_resumed(node.bev));
		check(!tls_handshake_done(node.bev));
		check_int(hub.got, ==, 0);
		link_close(&node, &hub, NULL);
	}
	/* Hub a again: a full handshake (verified), then resumed. */
	link_steps(nc, steps, nitems(steps));
	tls_conf_free(nc);
}

/* Handshakes per second, full and resumed: TAP comments. */
static void
test_resume_speed(void)
{
	struct tls_conf	*nc;
	char		*cause = NULL, peer[64];
	char		*asan = getenv("ASAN_OPTIONS");
	uint64_t	 t0, full_ms, res_ms;
	int		 n = 200, i, r, ok = 1, nres = 0;

	if (asan != NULL && strstr(asan, "detect_leaks") != NULL)
		n = 50;
	if ((nc = tls_client_conf(fp_a, NULL, NULL, &cause)) == NULL) {
		check(0);
		return;
	}
	t0 = now_ms();
	for (i = 0; i < n && ok; i++) {
		snprintf(peer, sizeof peer, "full%d.example:4442", i);
		ok = link_once(nc, hub_a, peer, &r) && r == 0;
	}
	full_ms = now_ms() - t0;
	check(ok);
	check(link_once(nc, hub_a, "same.example:4442", &r));
	t0 = now_ms();
	for (i = 0; i < n && ok; i++) {
		ok = link_once(nc, hub_a, "same.example:4442", &r);
		nres += r == 3;
	}
	res_ms = now_ms() - t0;
	check(ok);
	check_int(nres, ==, n);
	printf("# handshakes: %d full in %llu ms (%.0f/s), %d resumed in "
	    "%llu ms (%.0f/s), loopback TCP, one thread for both ends, "
	    "connect+hello+close included\n", n,
	    (unsigned long long)full_ms,
	    full_ms ? n * 1000.0 / full_ms : 0.0, n,
	    (unsigned long long)res_ms,
	    res_ms ? n * 1000.0 / res_ms : 0.0);
	tls_conf_free(nc);
}

/*
 * Heap bytes per wrapped link pair after the handshake (glibc's mallinfo2;
 * elsewhere, as in the release builds on musl, the handshakes alone).
 */
#ifndef __GLIBC__
struct mallinfo2 {
	size_t	 uordblks;
};
static struct mallinfo2
mallinfo2(void)
{
	struct mallinfo2	 m = { 0 };

	return (m);
}
#endif
static void
test_memory(struct tls_conf *nc)
{
	enum { N = 50 };
	struct side	*node, *hub;
	struct two	 w;
	struct mallinfo2 m0, m1;
	int		 i, ok = 1;

	node = calloc(N, sizeof *node);
	hub = calloc(N, sizeof *hub);
	m0 = mallinfo2();
	for (i = 0; i < N; i++)
		if (link_open(&node[i], &hub[i], NULL, nc, hub_a,
		    "hub.example:4442") == -1)
			ok = 0;
	for (i = 0; i < N && ok; i++) {
		w.a = &node[i];
		w.b = &hub[i];
		w.na = w.nb = 5;
		bufferevent_write(node[i].bev, "hello", 5);
		bufferevent_write(hub[i].bev, "world", 5);
		ok = run_until(got_both, &w, 5000);
	}
	m1 = mallinfo2();
	check(ok);
#ifdef __GLIBC__
	printf("# memory: %zu bytes of heap per link end after the handshake "
	    "(both ends of %d links, libevent included)\n",
	    (m1.uordblks - m0.uordblks) / (2 * N), N);
#else
	(void)m0;
	(void)m1;
	printf("# memory: not measured (no mallinfo2 in this C library)\n");
#endif
	for (i = 0; i < N; i++)
		link_close(&node[i], &hub[i], NULL);
	free(node);
	free(hub);
}

static void
cleanup(void)
{
	char	 cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
}

/* tls_record_like(): TLS records vs a plaintext frame header. */
static void
test_record_like(void)
{
	static const unsigned char hello[] = { 0x16, 0x03, 0x01, 0x00, 0x80 };
	static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02 };
	static const unsigned char frame[] = { 0x01, 0x00, 0x00, 0x20 };
	static const unsigned char bye[] = { 0x08, 0x00, 0x00, 0x10 };
	static const unsigned char http[] = "GET / HTTP/1.1";

	check_int(tls_record_like(hello, sizeof hello), ==, 1);
	check_int(tls_record_like(alert, 2), ==, 1);
	check_int(tls_record_like(alert, 1), ==, 0);
	check_int(tls_record_like(alert, 0), ==, 0);
	check_int(tls_record_like(frame, sizeof frame), ==, 0);
	check_int(tls_record_like(bye, sizeof bye), ==, 0);
	check_int(tls_record_like(http, sizeof http - 1), ==, 0);
}

/* tls_known_forget(): that host's lines go, the rest and the mode stay. */
static void
test_known_forget(void)
{
	struct stat	 st;
	char		 path[600], *cause = NULL, got[512];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof path, "%s/kh-forget", tmpdir);
	fp = fopen(path, "w");
	fprintf(fp, "# comment 127.0.0.1:4442 x\n127.0.0.1:4442 sha256:aa\n"
	    "127.0.0.1:44420 sha256:bb\n  127.0.0.1:4442\tsha256:cc\n"
	    "127.0.0.1:4442\n[::1]:4442 sha256:dd");
	fclose(fp);
	chmod(path, 0640);
	check_int(tls_known_forget(path, "127.0.0.1:4442", &cause), ==, 2);
	check(cause == NULL);
	fp = fopen(path, "r");
	n = fread(got, 1, sizeof got - 1, fp);
	fclose(fp);
	got[n] = '\0';
	check_str(got, "# comment 127.0.0.1:4442 x\n127.0.0.1:44420 "
	    "sha256:bb\n127.0.0.1:4442\n[::1]:4442 sha256:dd");
	check(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	/* Nothing to remove: 0, file untouched. */
	check_int(tls_known_forget(path, "127.0.0.1:4442", &cause), ==, 0);
	check_int(tls_known_forget(path, "[::1]:4442", &cause), ==, 1);
	/* No file: -1 and why. */
	check_int(tls_known_forget("/nonexistent/kh", "h:1", &cause), ==, -1);
	check(cause != NULL && strstr(cause, "/nonexistent/kh") != NULL);
	free(cause);
	unlink(path);
}

int
main(void)
{
	struct event	*tick;
	struct timeval	 tv = { 0, 20000 };
	struct tls_conf	*pin;
	char		*cause = NULL;

	log_init("stderr", LOG_LEVEL_WARNING, "tls", &cause);
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return (1);
	}
	base = event_base_new();
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);

	TEST(test_record_like(), "tls_record_like: TLS records, not frames");
	TEST(test_known_forget(), "tls_known_forget: a host's lines go, "
	    "comments, other hosts and the mode stay");
	TEST(test_selfsigned(), "self-signed identity: 0600, reused, "
	    "re-issued for the same key, lost key refused");
	if (hub_a == NULL || hub_b == NULL) {
		printf("Bail out! no hub identity\n");
		cleanup();
		return (1);
	}
	TEST(test_pin(), "pinned fingerprint: handshake, data both ways");
	TEST(test_pin_wrong(), "wrong pinned fingerprint refused, with both "
	    "fingerprints in the message");
	TEST(test_tofu(), "known_hosts: stored 0600 on first use, accepted, "
	    "a changed key refused naming file and line");
	TEST(test_suites(), "ChaCha20 when either end lacks AES hardware, "
	    "AES-GCM when both have it");
	TEST(test_ca(), "CA file: right name ok, wrong name and other CA "
	    "refused");
	pin = tls_client_conf(fp_a, NULL, NULL, &cause);
	if (pin == NULL) {
		printf("Bail out! %s\n", cause);
		cleanup();
		return (1);
	}
	TEST(test_bulk(pin), "8 MiB both ways at once: checksums match, no "
	    "plaintext on the wire");
	TEST(test_records(pin), "records cut every way across reads; "
	    "one recv() a whole record");
	TEST(test_kernel_keys(pin), "kernel TLS keys, salt and sequence "
	    "number open the records on the wire");
	TEST(test_halfclose(pin), "half-close: 1 MiB then EOF, the answer "
	    "still flows back");
	TEST(test_truncated(pin), "TCP end in the middle of a record is an "
	    "error, not EOF");
	TEST(test_linger(pin), "freed right after writing: last records "
	    "still delivered, then EOF");
	TEST(test_plaintext_peer(pin), "plaintext peer: \"does not speak "
	    "TLS\"");
	TEST(test_resume(pin), "session resumption: the second link "
	    "resumes, per peer name; a refusal drops the session");
	TEST(test_resume_tofu(), "session resumption: a changed key after "
	    "TOFU is refused every time, never resumed");
	TEST(test_resume_speed(), "handshakes per second, full and resumed");
	TEST(test_speed(pin), "throughput through one wrapped pair");
	if (getenv("ASAN_OPTIONS") == NULL)
		TEST(test_memory(pin), "memory per link");

	tls_conf_free(pin);
	tls_conf_free(hub_a);
	tls_conf_free(hub_b);
	event_free(tick);
	event_base_free(base);
	cleanup();
	return (test_done());
}
