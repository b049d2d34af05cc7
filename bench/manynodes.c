/*
 * bench/manynodes.c: many idle exit nodes from one process, for the hub's
 * memory per node.  Each node opens a control link, sends HELLO (role
 * node, name PREFIX-N), waits for WELCOME and then only answers PING with
 * PONG (the hub counts any frame as a sign of life).  It never dials:
 * nobody sends it a request.
 *
 *	manynodes -s HOST:PORT [-n N] [-c C] [-f sha256:FP] [-name PREFIX]
 *	    [-pool POOL]
 *
 * -f: TLS links (modules/tls.c, the hub's key pinned); without it the hub
 * must run -insecure.  -c: handshakes in flight at once (default 200).
 * -pool: every node serves POOL (default none: the hub's "default").
 * Prints "nodes connected=N failed=F secs=S" once every node has its
 * WELCOME or failed, then stays until SIGTERM; SIGUSR1 prints
 * "nodes alive=N dropped=D" (links the hub closed since).  The hub
 * accepts nodes without a token from loopback only, as here.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "frame.h"
#include "tls.h"

struct mnode {
	struct bufferevent	*bev;
	int			 welcomed;
	int			 id;
};

static struct event_base *base;
static struct sockaddr_in hub_sa;
static char	 hub_str[64];
static struct tls_conf *tls;
static const char *prefix = "mn";
static const char *pool;
static int	 nnodes = 1000, conc = 200;
static int	 started, pending, connected, failed, dropped, reported;
static struct timespec t0;
static int	 nerr;

static void	 start_more(void);

static double
elapsed(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - t0.tv_sec) +
	    (double)(ts.tv_nsec - t0.tv_nsec) / 1e9;
}

static void
maybe_report(void)
{
	if (!reported && started == nnodes && pending == 0) {
		reported = 1;
		printf("nodes connected=%d failed=%d secs=%.3f\n", connected,
		    failed, elapsed());
		fflush(stdout);
	}
}

static void
node_gone(struct mnode *m, const char *why)
{
	if (nerr++ < 5)
		fprintf(stderr, "manynodes: node %d: %s\n", m->id, why);
	if (m->welcomed) {
		connected--;
		dropped++;
	} else {
		pending--;
		failed++;
	}
	bufferevent_free(m->bev);
	free(m);
	start_more();
	maybe_report();
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct mnode	*m = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		 out[FRAME_MAX];
	struct frame	 f;
	const char	*cause = NULL;
	uint64_t	 stamp;
	size_t		 avail;
	int		 n;

	for (;;) {
		avail = evbuffer_get_length(in);
		if (avail < FRAME_HEADER)
			return;
		if (avail > FRAME_MAX)
			avail = FRAME_MAX;
		n = frame_parse(evbuffer_pullup(in, (ev_ssize_t)avail), avail,
		    &f, &cause);
		if (n == 0)
			return;
		if (n < 0) {
			node_gone(m, cause);
			return;
		}
		switch (f.type) {
		case FRAME_WELCOME:
			if (!m->welcomed) {
				m->welcomed = 1;
				pending--;
				connected++;
				start_more();
				maybe_report();
			}
			break;
		case FRAME_PING:
			if (frame_stamp_parse(&f, &stamp, &cause) == 0)
				bufferevent_write(bev, out, frame_stamp_encode(
				    out, FRAME_PONG, stamp));
			break;
		case FRAME_BYE:
			node_gone(m, "BYE from the hub");
			return;
		default:
			break;
		}
		evbuffer_drain(in, (size_t)n);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct mnode	*m = arg;
	char		 why[160];

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	snprintf(why, sizeof why, "%s%s%s",
	    (what & BEV_EVENT_EOF) ? "closed by the hub" : "error",
	    (what & BEV_EVENT_ERROR) ? ": " : "",
	    (what & BEV_EVENT_ERROR) ? (tls != NULL && tls_error(m->bev) ?
	    tls_error(m->bev) : strerror(EVUTIL_SOCKET_ERROR())) : "");
	node_gone(m, why);
}

static void
start_one(void)
{
	struct mnode		*m;
	struct bufferevent	*bev;
	struct frame_hello	 h;
	uint8_t			 out[FRAME_MAX];
	char			*cause = NULL;

	m = calloc(1, sizeof *m);
	if (m == NULL)
		abort();
	m->id = started++;
	pending++;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL || bufferevent_socket_connect(bev,
	    (struct sockaddr *)&hub_sa, sizeof hub_sa) < 0) {
		if (bev != NULL)
			bufferevent_free(bev);
		if (nerr++ < 5)
			fprintf(stderr, "manynodes: connect: %s\n",
			    strerror(errno));
		pending--;
		failed++;
		free(m);
		return;
	}
	if (tls != NULL) {
		bev = tls_wrap(tls, bev, 0, hub_str, &cause);
		if (bev == NULL) {
			fprintf(stderr, "manynodes: tls: %s\n", cause);
			free(cause);
			pending--;
			failed++;
			free(m);
			return;
		}
	}
	m->bev = bev;
	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	snprintf(h.name, sizeof h.name, "%s-%d", prefix, m->id);
	snprintf(h.os, sizeof h.os, "linux");
	snprintf(h.arch, sizeof h.arch, "bench");
	snprintf(h.build, sizeof h.build, "bench/manynodes");
	if (pool != NULL) {
		snprintf(h.pools[0], sizeof h.pools[0], "%s", pool);
		h.npools = 1;
	}
	bufferevent_setcb(bev, read_cb, NULL, event_cb, m);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	bufferevent_write(bev, out, frame_hello_encode(out, &h));
}

static void
start_more(void)
{
	while (started < nnodes && pending < conc)
		start_one();
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void
on_usr1(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	printf("nodes alive=%d dropped=%d\n", connected, dropped);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char	*fp = NULL, *hub = NULL;
	char		*cause = NULL, host[64], *colon;
	struct event	*ev_term, *ev_int, *ev_usr1;
	int		 i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-s") == 0)
			hub = argv[i + 1];
		else if (strcmp(argv[i], "-n") == 0)
			nnodes = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-c") == 0)
			conc = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-f") == 0)
			fp = argv[i + 1];
		else if (strcmp(argv[i], "-name") == 0)
			prefix = argv[i + 1];
		else if (strcmp(argv[i], "-pool") == 0)
			pool = argv[i + 1];
		else
			break;
	}
	if (i != argc || hub == NULL || nnodes < 1 || conc < 1 ||
	    strlen(hub) >= sizeof host || (colon = strrchr(hub, ':')) == NULL ||
	    (pool != NULL && (pool[0] == '\0' ||
	    strlen(pool) > FRAME_POOL_MAX))) {
		fprintf(stderr, "usage: manynodes -s HOST:PORT [-n N] [-c C] "
		    "[-f sha256:FP] [-name PREFIX] [-pool POOL]\n");
		return 2;
	}
	memcpy(host, hub, (size_t)(colon - hub));
	host[colon - hub] = '\0';
	memset(&hub_sa, 0, sizeof hub_sa);
	hub_sa.sin_family = AF_INET;
	hub_sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &hub_sa.sin_addr) != 1) {
		fprintf(stderr, "manynodes: %s: IPv4 address:port please\n",
		    hub);
		return 2;
	}
	snprintf(hub_str, sizeof hub_str, "%s", hub);
	if (fp != NULL && (tls = tls_client_conf(fp, NULL, NULL,
	    &cause)) == NULL) {
		fprintf(stderr, "manynodes: %s\n", cause);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	ev_term = evsignal_new(base, SIGTERM, on_term, NULL);
	ev_int = evsignal_new(base, SIGINT, on_term, NULL);
	ev_usr1 = evsignal_new(base, SIGUSR1, on_usr1, NULL);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_usr1, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start_more();
	maybe_report();
	event_base_dispatch(base);
	return 0;
}
