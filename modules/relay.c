/*
 * relay.c: splice two bufferevents (a proxy user or target on one side, a
 * data link on the other) until both directions are done.  Owns both
 * bufferevents of a relay, half-close, backpressure and the byte counts;
 * knows nothing of nodes or frames.
 *
 * With HAVE_SPLICE, a relay between two plaintext sockets moves its bytes
 * with splice(2) once both bufferevents are empty (what came with the
 * handshake went the bufferevent way first): socket -> pipe -> socket, one
 * pipe per direction, raw events on the fds; the bufferevents stay, disabled,
 * as owners of the fds.  A pipe that a read fills grows (bulk), within a
 * process-wide budget; pipes of a relay idle for RELAY_PIPE_IDLE_S are
 * closed (back to the bufferevents) and reopened after the next payload.
 * No pipe (descriptors or pipe budget short): the bufferevent path.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "tls.h"

struct relay_side {
	struct bufferevent	*bev;
	struct relay		*r;
	struct relay_side	*peer;
	int			 eof;	/* read side finished */
	int			 shut;	/* our write side is shut down */
	int			 shut_pending;	/* shut once output drains */
	int			 tls;		/* a TLS link (relay_new) */
	const char		*name;
	/* Splice mode: this side's socket, and the pipe toward the peer. */
	evutil_socket_t		 fd;
	int			 pipe[2];
	size_t			 plen;	/* bytes in pipe */
	size_t			 pcap;	/* pipe capacity */
	size_t			 pgrown;	/* of it past RELAY_PIPE_SIZE */
	int			 pfixed;	/* the kernel refused to grow it */
	struct event		*rev;	/* fd readable: pump s -> peer */
	struct event		*wev;	/* fd writable: pump peer -> s */
};

struct relay {
	struct relay_side	 user;
	struct relay_side	 exit;
	struct relay_stat	*stat;
	uint64_t		 up, down;
	uint64_t		 start_us;
	uint64_t		 active_us;	/* last byte moved */
	struct event		*idle_ev;
	int			 idle_ms;
	relay_close_cb		*closecb;
	void			*closearg;
	int			 splice;	/* 1: splice mode */
	int			 nosplice;	/* TLS: never */
	size_t			 moved;		/* payload since pipes: worth some? */
	int			 nopipes;	/* refused pipes once (logged) */
	TAILQ_ENTRY(relay)	 sentry;	/* on relay_spliced */
	TAILQ_ENTRY(relay)	 yentry;	/* on relay_young */
	int			 young;		/* no keepalive yet */
	char			 tag[64];
};

static u_int	 relay_live;

/* Payload through the bufferevents before a relay is worth pipes. */
#define RELAY_SPLICE_MIN	RELAY_HIGHWATER

/*
 * Relays younger than RELAY_KEEPALIVE_AFTER_S, oldest first: TCP
 * keepalive is turned on when they reach that age, so the many short
 * relays never pay its 8 setsockopt calls (probes begin after
 * RELAY_KEEPALIVE_S of silence anyway).
 */
#define RELAY_KEEPALIVE_AFTER_S	30
static TAILQ_HEAD(, relay) relay_young = TAILQ_HEAD_INITIALIZER(relay_young);
static struct event	*relay_young_ev;

static void
relay_young_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct relay	*r;
	struct timeval	 tv;
	uint64_t	 now = core_now_us(), due;

	while ((r = TAILQ_FIRST(&relay_young)) != NULL) {
		due = r->start_us + RELAY_KEEPALIVE_AFTER_S * 1000000ULL;
		if (due > now) {
			due -= now;
			tv.tv_sec = due / 1000000;
			tv.tv_usec = due % 1000000;
			evtimer_add(relay_young_ev, &tv);
			return;
		}
		TAILQ_REMOVE(&relay_young, r, yentry);
		r->young = 0;
		/* Idle relays live on (no default idle timeout): dead peers. */
		compat_keepalive(tls_getfd(r->user.bev), RELAY_KEEPALIVE_S, 30,
		    4);
		compat_keepalive(tls_getfd(r->exit.bev), RELAY_KEEPALIVE_S, 30,
		    4);
	}
}

static void	 relay_read_cb(struct bufferevent *, void *);
static void	 relay_move(struct relay_side *);
static int	 relay_read_more(struct relay_side *);
static void	 relay_write_cb(struct bufferevent *, void *);
static void	 relay_event_cb(struct bufferevent *, short, void *);
static void	 relay_idle_cb(evutil_socket_t, short, void *);
static void	 relay_shut(struct relay_side *);
static int	 relay_done(struct relay *);
static void	 relay_count_bytes(struct relay_side *, size_t);
#ifdef HAVE_SPLICE
static void	 relay_splice_start(struct relay *);
static void	 relay_splice_stop(struct relay *);
static void	 relay_splice_free(struct relay *);
#endif

/* see tentacle.h */
struct relay *
relay_new(struct bufferevent *user, struct bufferevent *exit,
    const char *tag, relay_close_cb *cb, void *arg)
{
	struct relay	*r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	r->user.bev = user;
	r->user.r = r;
	r->user.peer = &r->exit;
	r->user.name = "user";
	r->exit.bev = exit;
	r->exit.r = r;
	r->exit.peer = &r->user;
	r->exit.name = "exit";
	r->user.pipe[0] = r->user.pipe[1] = -1;
	r->exit.pipe[0] = r->exit.pipe[1] = -1;
	/* Asked once: tls_is_wrapped() is not free and never changes. */
	r->user.tls = tls_is_wrapped(user);
	r->exit.tls = tls_is_wrapped(exit);
	r->nosplice = r->user.tls || r->exit.tls;
	r->closecb = cb;
	r->closearg = arg;
	r->start_us = r->active_us = core_now_us();
	strlcpy(r->tag, tag, sizeof r->tag);
	/* TCP keepalive later: relay_young_cb(). */
	if (relay_young_ev == NULL)
		relay_young_ev = evtimer_new(core_base, relay_young_cb, NULL);
	if (relay_young_ev != NULL) {
		TAILQ_INSERT_TAIL(&relay_young, r, yentry);
		r->young = 1;
		if (!evtimer_pending(relay_young_ev, NULL)) {
			struct timeval tv = { RELAY_KEEPALIVE_AFTER_S, 0 };

			evtimer_add(relay_young_ev, &tv);
		}
	}
	relay_live++;

	bufferevent_setcb(user, relay_read_cb, relay_write_cb, relay_event_cb,
	    &r->user);
	bufferevent_setcb(exit, relay_read_cb, relay_write_cb, relay_event_cb,
	    &r->exit);
	/* Write callbacks when a side has drained to half the ceiling. */
	bufferevent_setwatermark(user, EV_WRITE, RELAY_HIGHWATER / 2, 0);
	bufferevent_setwatermark(exit, EV_WRITE, RELAY_HIGHWATER / 2, 0);
	bufferevent_setwatermark(user, EV_READ, 0, 0);
	bufferevent_setwatermark(exit, EV_READ, 0, 0);
	bufferevent_set_timeouts(user, NULL, NULL);
	bufferevent_set_timeouts(exit, NULL, NULL);
	bufferevent_enable(user, EV_READ | EV_WRITE);
	bufferevent_enable(exit, EV_READ | EV_WRITE);

	/* libevent writes 16 KiB per event by default. */
	bufferevent_set_max_single_write(user, RELAY_HIGHWATER);
	bufferevent_set_max_single_write(exit, RELAY_HIGHWATER);

	/* Forward what arrived with the handshake (pipelined payload). */
	relay_move(&r->user);
	relay_move(&r->exit);
	/*
	 * No pipes yet: a relay gets them once RELAY_SPLICE_MIN of payload
	 * has gone through and a side's output has drained (relay_write_cb),
	 * so idle relays hold two descriptors, not six, and leave the rest
	 * to accept(), and a short request/response (most of them) never
	 * pays the dozen system calls pipes take.
	 */
	return (r);
}

void
relay_set_stat(struct relay *r, struct relay_stat *st)
{
	r->stat = st;
}

void
relay_set_idle(struct relay *r, int ms)
{
	struct timeval	 tv;

	r->idle_ms = ms;
	if (ms <= 0) {
		if (r->idle_ev != NULL)
			event_del(r->idle_ev);
		return;
	}
	if (r->idle_ev == NULL &&
	    (r->idle_ev = evtimer_new(core_base, relay_idle_cb, r)) == NULL) {
		log_warnx("relay %s: out of memory: no idle timeout", r->tag);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(r->idle_ev, &tv);
}

uint64_t
relay_bytes_up(struct relay *r)
{
	return (r->up);
}

uint64_t
relay_bytes_down(struct relay *r)
{
	return (r->down);
}

const char *
relay_tag(struct relay *r)
{
	return (r->tag);
}

u_int
relay_count(void)
{
	return (relay_live);
}

/* s's bufferevent read: move it, then read on from the socket. */
static void
relay_read_cb(struct bufferevent *bev __unused, void *arg)
{
	struct relay_side	*s = arg;

	relay_move(s);
	if (relay_read_more(s) == -1)
		return;		/* closed */
}

/*
 * Move what side s read to its peer's output.  Past RELAY_HIGHWATER queued
 * toward the peer, stop reading s; the peer's write callback resumes it.
 * Plaintext that TLS gave toward a plaintext socket with nothing queued
 * goes straight to it (such a relay never splices): no EV_WRITE round
 * trip per chunk.  What the socket does not take, or an error (libevent
 * meets it again and reports it), stays queued.
 */
static void
relay_move(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	evutil_socket_t		 fd;
	size_t			 n;

	if ((n = evbuffer_get_length(in)) == 0)
		return;
	if (p->shut) {
		/* Cannot happen: p shut only after s saw EOF. */
		evbuffer_drain(in, n);
		return;
	}
	if (evbuffer_get_length(out) == 0 && s->tls && !p->tls &&
	    (fd = bufferevent_getfd(p->bev)) != -1)
		(void)evbuffer_write(in, fd);
	evbuffer_add_buffer(out, in);
	s->r->moved += n;
	relay_count_bytes(s, n);
	if (evbuffer_get_length(out) >= RELAY_HIGHWATER)
		bufferevent_disable(s->bev, EV_READ);
}

/*
 * libevent 2.1 reads 4 KiB per event: from a plaintext socket, read on
 * straight into the peer's output (one copy, as libevent's) up to
 * RELAY_HIGHWATER, until the socket is empty or 4 x RELAY_HIGHWATER came
 * in this call.  EOF is left to libevent's
 * next read; an error closes r (returns -1).
 */
static int
relay_read_more(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	struct evbuffer_iovec	 v[2];
	struct iovec		 iov[2];
	evutil_socket_t		 fd;
	size_t			 have, left, budget = 4 * RELAY_HIGHWATER;
	ssize_t			 n;
	int			 i, nv;
	char			 reason[128];

	if (s->eof || p->shut || s->tls ||
	    (fd = bufferevent_getfd(s->bev)) == -1 ||
	    !(bufferevent_get_enabled(s->bev) & EV_READ))
		return (0);
	while ((have = evbuffer_get_length(out)) < RELAY_HIGHWATER) {
		if ((nv = evbuffer_reserve_space(out, RELAY_HIGHWATER - have,
		    v, 2)) <= 0)
			return (0);
		for (i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		do {
			n = readv(fd, iov, nv);
		} while (n == -1 && errno == EINTR);
		if (n == 0 || (n == -1 && (errno == EAGAIN ||
		    errno == EWOULDBLOCK)))
			return (0);
		if (n == -1) {
			snprintf(reason, sizeof reason, "%s side: %s",
			    s->name, strerror(errno));
			relay_close(s->r, reason);
			return (-1);
		}
		for (i = 0, left = n; i < nv && left > 0; i++) {
			v[i].iov_len = left < v[i].iov_len ? left :
			    v[i].iov_len;
			left -= v[i].iov_len;
		}
		evbuffer_commit_space(out, v, i);
		s->r->moved += n;
		relay_count_bytes(s, n);
		/* Others' turn; level-triggered, the event comes back. */
		if ((size_t)n >= budget)
			return (0);
		budget -= n;
	}
	bufferevent_disable(s->bev, EV_READ);
	return (0);
}

/* n bytes read from s went toward its peer. */
static void
relay_count_bytes(struct relay_side *s, size_t n)
{
	struct relay	*r = s->r;

	r->active_us = core_now_us();
	if (s == &r->user) {
		r->up += n;
		if (r->stat != NULL)
			r->stat->up += n;
	} else {
		r->down += n;
		if (r->stat != NULL)
			r->stat->down += n;
	}
}

static void
relay_write_cb(struct bufferevent *bev, void *arg)
{
	struct relay_side	*s = arg, *p = s->peer;
	struct relay		*r = s->r;
	size_t			 left;

	left = evbuffer_get_length(bufferevent_get_output(bev));
	if (!p->eof && left < RELAY_HIGHWATER &&
	    !(bufferevent_get_enabled(p->bev) & EV_READ))
		bufferevent_enable(p->bev, EV_READ);
	if (left == 0 && s->shut_pending) {
		relay_shut(s);
		if (relay_done(r)) {
			relay_close(r, "done");
			return;
		}
	}
#ifdef HAVE_SPLICE
	if (left == 0 && r->moved >= RELAY_SPLICE_MIN)
		relay_splice_start(r);
#endif
}

/* Shut down the write side of s: the peer's data has all been sent. */
static void
relay_shut(struct relay_side *s)
{
	s->shut_pending = 0;
	if (s->shut)
		return;
	s->shut = 1;
	/* Through TLS: after the last record is on the wire. */
	tls_shutdown_write(s->bev);
}

static int
relay_done(struct relay *r)
{
	return (r->user.eof && r->exit.eof && r->user.shut && r->exit.shut);
}

static void
relay_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct relay_side	*s = arg, *p = s->peer;
	struct relay		*r = s->r;
	char			 reason[128];

	if (what & BEV_EVENT_ERROR) {
		const char *tlserr = tls_error(bev);

		snprintf(reason, sizeof reason, "%s side: %s", s->name,
		    tlserr != NULL ? tlserr :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		relay_close(r, reason);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* Anything left in input was moved by the read callback. */
		relay_move(s);
		s->eof = 1;
		bufferevent_disable(bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(p->bev)) == 0)
			relay_shut(p);
		else
			p->shut_pending = 1;
		if (relay_done(r))
			relay_close(r, "done");
	}
}

#ifdef HAVE_SPLICE
static void	 relay_splice_read_cb(evutil_socket_t, short, void *);
static void	 relay_splice_write_cb(evutil_socket_t, short, void *);
static int	 relay_splice_pump(struct relay_side *);
static void	 relay_splice_fail(struct relay_side *, const char *);

/*
 * Pipe size per direction: a full pipe stops reading, like the ceiling.
 * A read that fills the pipe (bulk) grows it 4 times, up to
 * RELAY_PIPE_MAX: fewer splice calls and wakeups per byte.  The growth of
 * all pipes together stays within RELAY_PIPE_GROWTH: kernel memory, and
 * the per-user pipe page limit (fs.pipe-user-pages-soft, 64 MiB by
 * default), past which an unprivileged process gets one-page pipes.
 */
#define RELAY_PIPE_SIZE		RELAY_HIGHWATER
#define RELAY_PIPE_MAX		(1024 * 1024)
#define RELAY_PIPE_GROWTH	(16 * 1024 * 1024)
/* Pipes of a relay that moved nothing for this long are closed. */
#define RELAY_PIPE_IDLE_S	5

static TAILQ_HEAD(, relay) relay_spliced =
    TAILQ_HEAD_INITIALIZER(relay_spliced);
static struct event	*relay_sweep_ev;
static u_int		 relay_pipe_fds;	/* pipe descriptors open */
static size_t		 relay_pipe_grown;	/* bytes past RELAY_PIPE_SIZE */
static rlim_t		 relay_fd_limit;

static rlim_t
relay_fd_limit_get(void)
{
	struct rlimit	 rl;

	if (relay_fd_limit == 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
		    rl.rlim_cur == RLIM_INFINITY)
			relay_fd_limit = 1024;
		else
			relay_fd_limit = rl.rlim_cur;
	}
	return (relay_fd_limit);
}

/*
 * Pipes only take descriptors that accept() and connect() are unlikely
 * to need: at most a quarter of RLIMIT_NOFILE for all pipes, and only
 * while r's sockets (lowest free numbers first: about how many are open)
 * are below half of it.  Idle relays give theirs back (relay_sweep_cb).
 */
static int
relay_splice_fds_ok(struct relay *r)
{
	rlim_t		 limit = relay_fd_limit_get();
	evutil_socket_t	 hi;

	hi = r->user.fd > r->exit.fd ? r->user.fd : r->exit.fd;
	return ((rlim_t)hi + 4 < limit / 2 &&
	    (rlim_t)relay_pipe_fds + 4 <= limit / 4);
}

static int
relay_splice_pipe(struct relay_side *s)
{
	int	 n;

	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		s->pipe[0] = s->pipe[1] = -1;
		return (-1);
	}
	relay_pipe_fds += 2;
	if ((rlim_t)s->pipe[1] >= relay_fd_limit_get() / 2) {
		/* Someone else holds the low numbers: leave the rest. */
		close(s->pipe[0]);
		close(s->pipe[1]);
		s->pipe[0] = s->pipe[1] = -1;
		relay_pipe_fds -= 2;
		return (-1);
	}
	/* Past the per-user pipe page limit the kernel gives one page. */
	if ((n = fcntl(s->pipe[1], F_SETPIPE_SZ, RELAY_PIPE_SIZE)) == -1)
		n = fcntl(s->pipe[1], F_GETPIPE_SZ);
	s->pcap = n > 0 ? (size_t)n : 4096;
	return (0);
}

/* A read filled s's pipe: grow it, if the budget lets it. */
static void
relay_splice_grow(struct relay_side *s)
{
	size_t	 want, grown;
	int	 n;

	if (s->pfixed || s->pcap < RELAY_PIPE_SIZE ||
	    s->pcap >= RELAY_PIPE_MAX)
		return;
	want = s->pcap * 4 > RELAY_PIPE_MAX ? RELAY_PIPE_MAX : s->pcap * 4;
	if (relay_pipe_grown + (want - s->pcap) > RELAY_PIPE_GROWTH)
		return;
	if ((n = fcntl(s->pipe[1], F_SETPIPE_SZ, want)) == -1 ||
	    (size_t)n <= s->pcap) {
		/* Over the user's pipe pages: stay, try no more. */
		s->pfixed = 1;
		return;
	}
	grown = (size_t)n - s->pcap;
	relay_pipe_grown += grown;
	s->pgrown += grown;
	s->pcap = n;
}

/* Once a second while relays splice: close the pipes of idle ones. */
static void
relay_sweep_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct relay	*r, *rn;
	struct timeval	 tv = { 1, 0 };
	uint64_t	 now = core_now_us();

	TAILQ_FOREACH_SAFE(r, &relay_spliced, sentry, rn) {
		if (r->user.plen == 0 && r->exit.plen == 0 &&
		    now - r->active_us >= RELAY_PIPE_IDLE_S * 1000000ULL)
			relay_splice_stop(r);
	}
	if (!TAILQ_EMPTY(&relay_spliced))
		evtimer_add(relay_sweep_ev, &tv);
}

/*
 * Switch r to splice mode if it can: both sides plaintext sockets, and
 * nothing left in either bufferevent (bytes queued there go first).  Called
 * whenever a side's output drained after payload went through; TLS: never
 * again; no pipes now (descriptors, budget): after the next payload.
 */
static void
relay_splice_start(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	if (r->splice || r->nosplice)
		return;
	for (i = 0; i < 2; i++) {
		s = side[i];
		if ((s->fd = bufferevent_getfd(s->bev)) == -1) {
			r->nosplice = 1;
			return;
		}
	}
	for (i = 0; i < 2; i++) {
		s = side[i];
		if (s->shut_pending ||
		    evbuffer_get_length(bufferevent_get_input(s->bev)) > 0 ||
		    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
			return;		/* later, from the write callback */
	}
	if (!relay_splice_fds_ok(r) ||
	    relay_splice_pipe(&r->user) == -1 ||
	    relay_splice_pipe(&r->exit) == -1) {
		relay_splice_free(r);
		r->moved = 0;
		if (!r->nopipes)
			log_debug("relay %s: no pipes (descriptors), not "
			    "spliced for now", r->tag);
		r->nopipes = 1;
		return;
	}
	for (i = 0; i < 2; i++) {
		s = side[i];
		s->rev = event_new(core_base, s->fd, EV_READ | EV_PERSIST,
		    relay_splice_read_cb, s);
		s->wev = event_new(core_base, s->fd, EV_WRITE | EV_PERSIST,
		    relay_splice_write_cb, s);
		if (s->rev == NULL || s->wev == NULL)
			goto fail;
	}
	r->splice = 1;
	TAILQ_INSERT_TAIL(&relay_spliced, r, sentry);
	if (relay_sweep_ev == NULL &&
	    (relay_sweep_ev = evtimer_new(core_base, relay_sweep_cb,
	    NULL)) == NULL)
		goto fail;
	if (!evtimer_pending(relay_sweep_ev, NULL)) {
		struct timeval	 tv = { 1, 0 };

		evtimer_add(relay_sweep_ev, &tv);
	}
	for (i = 0; i < 2; i++) {
		s = side[i];
		bufferevent_disable(s->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(s->bev, NULL, NULL, NULL, NULL);
	}
	log_debug("relay %s: splice, pipes %zu + %zu bytes", r->tag,
	    r->user.pcap, r->exit.pcap);
	/*
	 * Pipes are empty: wait for readable sockets (bytes already in the
	 * kernel fire at once).  Never pump here: relay_new() must not close.
	 */
	for (i = 0; i < 2; i++)
		if (!side[i]->eof)
			event_add(side[i]->rev, NULL);
	return;
fail:
	relay_splice_free(r);
	r->nosplice = 1;
}

/*
 * Back to the bufferevents, pipes closed: r has been idle with empty
 * pipes.  The next payload that drains opens them again.
 */
static void
relay_splice_stop(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	relay_splice_free(r);
	r->moved = 0;
	for (i = 0; i < 2; i++) {
		s = side[i];
		bufferevent_setcb(s->bev, relay_read_cb, relay_write_cb,
		    relay_event_cb, s);
		bufferevent_enable(s->bev, s->eof ? EV_WRITE :
		    EV_READ | EV_WRITE);
	}
	log_debug("relay %s: idle, pipes closed", r->tag);
}

static void
relay_splice_free(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	if (r->splice)
		TAILQ_REMOVE(&relay_spliced, r, sentry);
	for (i = 0; i < 2; i++) {
		s = side[i];
		if (s->rev != NULL)
			event_free(s->rev);
		if (s->wev != NULL)
			event_free(s->wev);
		s->rev = s->wev = NULL;
		if (s->pipe[0] != -1) {
			close(s->pipe[0]);
			close(s->pipe[1]);
			relay_pipe_fds -= 2;
		}
		s->pipe[0] = s->pipe[1] = -1;
		relay_pipe_grown -= s->pgrown;
		s->pgrown = 0;
		s->pcap = s->plen = 0;
		s->pfixed = 0;
	}
	r->splice = 0;
}

/*
 * Move bytes from s's socket through its pipe to the peer's socket until
 * neither end makes progress.  EOF on s with the pipe drained: shut the
 * peer's write side.  Then arm: the peer's EV_WRITE while the pipe holds
 * bytes (a full pipe stops reading s: backpressure), s's EV_READ only when
 * the pipe is empty (a socket -> pipe EAGAIN may mean the pipe's slots are
 * full, so reading with bytes in the pipe could spin).  Returns -1 when the
 * relay was closed (r is freed).
 */
static int
relay_splice_pump(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct relay		*r = s->r;
	ssize_t			 n;
	int			 progress;

	do {
		progress = 0;
		if (!s->eof && s->plen < s->pcap) {
			n = splice(s->fd, NULL, s->pipe[1], NULL,
			    s->pcap - s->plen, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				s->plen += n;
				relay_count_bytes(s, n);
				progress = 1;
				if (s->plen == s->pcap)
					relay_splice_grow(s);
			} else if (n == 0) {
				s->eof = 1;
				progress = 1;
			} else if (errno != EAGAIN && errno != EINTR) {
				relay_splice_fail(s, strerror(errno));
				return (-1);
			}
		}
		if (s->plen > 0) {
			n = splice(s->pipe[0], NULL, p->fd, NULL, s->plen,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				s->plen -= n;
				r->active_us = core_now_us();
				progress = 1;
			} else if (n == -1 && errno != EAGAIN &&
			    errno != EINTR) {
				relay_splice_fail(p, strerror(errno));
				return (-1);
			}
		}
	} while (progress);

	if (s->eof && s->plen == 0 && !p->shut) {
		relay_shut(p);
		if (relay_done(r)) {
			relay_close(r, "done");
			return (-1);
		}
	}
	if (s->plen > 0)
		event_add(p->wev, NULL);
	else
		event_del(p->wev);
	if (!s->eof && s->plen == 0)
		event_add(s->rev, NULL);
	else
		event_del(s->rev);
	return (0);
}

static void
relay_splice_fail(struct relay_side *s, const char *err)
{
	char	 reason[128];

	snprintf(reason, sizeof reason, "%s side: %s", s->name, err);
	relay_close(s->r, reason);
}

/* s's socket is readable: move s -> peer. */
static void
relay_splice_read_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	relay_splice_pump(arg);
}

/* s's socket is writable: move peer -> s. */
static void
relay_splice_write_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct relay_side	*s = arg;

	relay_splice_pump(s->peer);
}
#endif /* HAVE_SPLICE */

static void
relay_idle_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct relay	*r = arg;
	uint64_t	 now = core_now_us(), idle_us;
	struct timeval	 tv;

	idle_us = (uint64_t)r->idle_ms * 1000;
	if (now - r->active_us >= idle_us) {
		relay_close(r, "idle timeout");
		return;
	}
	idle_us -= now - r->active_us;
	tv.tv_sec = idle_us / 1000000;
	tv.tv_usec = idle_us % 1000000;
	evtimer_add(r->idle_ev, &tv);
}

/* see tentacle.h: frees r. */
void
relay_close(struct relay *r, const char *reason)
{
	uint64_t	 ms = (core_now_us() - r->start_us) / 1000;

	if (r->closecb != NULL)
		r->closecb(r, r->closearg);
	log_info("relay %s: closed (%s), %llu bytes up, %llu down, %llu.%03llus",
	    r->tag, reason, (unsigned long long)r->up,
	    (unsigned long long)r->down, (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000));
	if (r->idle_ev != NULL)
		event_free(r->idle_ev);
	if (r->young)
		TAILQ_REMOVE(&relay_young, r, yentry);
#ifdef HAVE_SPLICE
	relay_splice_free(r);
#endif
	bufferevent_free(r->user.bev);
	bufferevent_free(r->exit.bev);
	relay_live--;
	free(r);
}
