/*
 * relay_splice.c: a raw relay between two plaintext sockets moves its bytes
 * with splice(2) once both bufferevents are empty (what came with the
 * handshake went the bufferevent way first): socket -> pipe -> socket, one
 * pipe per direction, raw events on the fds; the bufferevents stay,
 * disabled, as owners of the fds.  A pipe that a read fills grows (bulk),
 * within a process-wide budget; pipes of a relay idle for
 * RELAY_PIPE_IDLE_S are closed (back to the bufferevents) and reopened
 * after the next payload.  No pipe (descriptors or pipe budget short): the
 * bufferevent path.  Without HAVE_SPLICE (not Linux) it does nothing.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "relay.h"

#ifdef HAVE_SPLICE
static void	 relay_splice_read_cb(evutil_socket_t, short, void *);
static void	 relay_splice_write_cb(evutil_socket_t, short, void *);
static int	 relay_splice_pump(struct relay_side *);
static void	 relay_splice_fail(struct relay_side *, const char *);
static void	 relay_splice_stop(struct relay *);

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

static COMPAT_THREAD rlim_t relay_fd_limit;

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
	    (rlim_t)RC->pipe_fds + 4 <= limit / 4);
}

static int
relay_splice_pipe(struct relay_side *s)
{
	int	 n;

	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		s->pipe[0] = s->pipe[1] = -1;
		return (-1);
	}
	RC->pipe_fds += 2;
	if ((rlim_t)s->pipe[1] >= relay_fd_limit_get() / 2) {
		/* Someone else holds the low numbers: leave the rest. */
		close(s->pipe[0]);
		close(s->pipe[1]);
		s->pipe[0] = s->pipe[1] = -1;
		RC->pipe_fds -= 2;
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
	if (RC->pipe_grown + (want - s->pcap) > RELAY_PIPE_GROWTH)
		return;
	if ((n = fcntl(s->pipe[1], F_SETPIPE_SZ, want)) == -1 ||
	    (size_t)n <= s->pcap) {
		/* Over the user's pipe pages: stay, try no more. */
		s->pfixed = 1;
		return;
	}
	grown = (size_t)n - s->pcap;
	RC->pipe_grown += grown;
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

	TAILQ_FOREACH_SAFE(r, &RC->spliced, sentry, rn) {
		if (r->user.plen == 0 && r->exit.plen == 0 &&
		    now - r->active_us >= RELAY_PIPE_IDLE_S * 1000000ULL)
			relay_splice_stop(r);
	}
	if (!TAILQ_EMPTY(&RC->spliced))
		evtimer_add(RC->sweep_ev, &tv);
}

/*
 * see relay.h.  Bytes queued in a bufferevent go first; called whenever a
 * side's output drained after payload went through; TLS: never again; no
 * pipes now (descriptors, budget): after the next payload.
 */
void
relay_splice_start(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	/* Splice ignores rate-limit groups: a capped relay never splices. */
	if (r->splice || r->nosplice || relay_capped(r))
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
	TAILQ_INSERT_TAIL(&RC->spliced, r, sentry);
	if (RC->sweep_ev == NULL &&
	    (RC->sweep_ev = evtimer_new(core_base, relay_sweep_cb,
	    NULL)) == NULL)
		goto fail;
	if (!evtimer_pending(RC->sweep_ev, NULL)) {
		struct timeval	 tv = { 1, 0 };

		evtimer_add(RC->sweep_ev, &tv);
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
	 * kernel fire at once).  Never pump here: this never closes r.
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
	relay_splice_free(r);
	r->moved = 0;
	relay_side_resume(&r->user);
	relay_side_resume(&r->exit);
	log_debug("relay %s: idle, pipes closed", r->tag);
}

/* see relay.h */
void
relay_splice_free(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	if (r->splice)
		TAILQ_REMOVE(&RC->spliced, r, sentry);
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
			RC->pipe_fds -= 2;
		}
		s->pipe[0] = s->pipe[1] = -1;
		RC->pipe_grown -= s->pgrown;
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
		if (!s->eof && !r->cut && s->plen < s->pcap) {
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

	snprintf(reason, sizeof reason, "%s side: %s", relay_side_name(s),
	    err);
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
#else /* !HAVE_SPLICE */

/* see relay.h */
void
relay_splice_start(struct relay *r __unused)
{
}

/* see relay.h */
void
relay_splice_free(struct relay *r __unused)
{
}

#endif /* HAVE_SPLICE */
