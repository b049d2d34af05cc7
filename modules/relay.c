/*
 * relay.c: one proxied connection: a proxy user or, on the node, the data
 * link on one side; the exit (a data link, or the target) on the other.
 * Owns both bufferevents of a relay, raw mode (bytes both ways until both
 * directions are done), half-close, backpressure, the byte counts, the
 * relay's timer and its one way out, relay_close().  Knows nothing of
 * nodes or frames: an exit's owner counts through struct relay_exit.
 * HTTP mode is relay_http.c; splice(2) between plaintext sockets is
 * relay_splice.c (it takes over a raw relay's bytes once payload flows).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "frame.h"
#include "tls.h"
#include "relay.h"

/*
 * Memory that comes back after a load: the most relays at once since the
 * last trim; when they fall to an eighth of a peak of RELAY_TRIM_PEAK or
 * more and stay there RELAY_TRIM_S, core_memory_trim().  A dip in a load
 * that goes on is not its end: the timer looks again before it trims.
 */
#define RELAY_TRIM_PEAK	64	/* below: a few MB of buffers, kept */
#define RELAY_TRIM_S	2

/*
 * Relays younger than RELAY_KEEPALIVE_AFTER_S, oldest first: TCP
 * keepalive is turned on when they reach that age, so the many short
 * relays never pay its 8 setsockopt calls (probes begin after
 * RELAY_KEEPALIVE_S of silence anyway).
 */
#define RELAY_KEEPALIVE_AFTER_S	30

static void	 relay_young_add(struct relay *);
static void	 relay_read_cb(struct bufferevent *, void *);
static int	 relay_move(struct relay_side *);
static int	 relay_unframe(struct relay_side *);
static int	 relay_side_eof(struct relay_side *);
static int	 relay_read_more(struct relay_side *);
static void	 relay_write_cb(struct bufferevent *, void *);
static void	 relay_event_cb(struct bufferevent *, short, void *);
static void	 relay_timer_cb(evutil_socket_t, short, void *);

static void
relay_young_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct relay	*r;
	struct timeval	 tv;
	uint64_t	 now = core_now_us(), due;

	while ((r = TAILQ_FIRST(&RC->young)) != NULL) {
		due = r->start_us + RELAY_KEEPALIVE_AFTER_S * 1000000ULL;
		if (due > now) {
			due -= now;
			tv.tv_sec = due / 1000000;
			tv.tv_usec = due % 1000000;
			evtimer_add(RC->young_ev, &tv);
			return;
		}
		TAILQ_REMOVE(&RC->young, r, yentry);
		r->young = 0;
		/* Idle relays live on (no default idle timeout): dead peers. */
		compat_keepalive(tls_getfd(r->user.bev), RELAY_KEEPALIVE_S, 30,
		    4);
		compat_keepalive(tls_getfd(r->exit.bev), RELAY_KEEPALIVE_S, 30,
		    4);
	}
}

/* TCP keepalive for r later: relay_young_cb(). */
static void
relay_young_add(struct relay *r)
{
	struct timeval	 tv = { RELAY_KEEPALIVE_AFTER_S, 0 };

	if (RC->young_ev == NULL)
		RC->young_ev = evtimer_new(core_base, relay_young_cb, NULL);
	if (RC->young_ev == NULL || r->young)
		return;
	TAILQ_INSERT_TAIL(&RC->young, r, yentry);
	r->young = 1;
	if (!evtimer_pending(RC->young_ev, NULL))
		evtimer_add(RC->young_ev, &tv);
}

/* see relay.h */
struct relay *
relay_alloc(const char *tag, relay_close_cb *cb, void *arg)
{
	struct relay	*r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return (NULL);
	r->user.r = r->exit.r = r;
	r->user.peer = &r->exit;
	r->exit.peer = &r->user;
	r->user.fd = r->exit.fd = -1;
	r->user.pipe[0] = r->user.pipe[1] = -1;
	r->exit.pipe[0] = r->exit.pipe[1] = -1;
	r->closecb = cb;
	r->closearg = arg;
	r->start_us = r->active_us = core_now_us();
	strlcpy(r->tag, tag, sizeof r->tag);
	strlcpy(r->who.client, tag, sizeof r->who.client);
	TAILQ_INSERT_TAIL(&RC->all, r, aentry);
	if (++RC->live > RC->peak)
		RC->peak = RC->live;
	return (r);
}

/* see tentacle.h */
struct relay *
relay_new(struct bufferevent *user, struct bufferevent *exit,
    const char *tag, relay_close_cb *cb, void *arg)
{
	struct relay	*r;

	if ((r = relay_alloc(tag, cb, arg)) == NULL)
		return (NULL);
	r->user.bev = user;
	r->exit.bev = exit;
	relay_raw(r);
	return (r);
}

/* see tentacle.h */
struct relay *
relay_new_framed(struct bufferevent *link, struct bufferevent *target,
    const char *tag, void (*back)(struct bufferevent *, void *), void *arg)
{
	struct relay	*r;

	if ((r = relay_alloc(tag, NULL, NULL)) == NULL)
		return (NULL);
	r->user.bev = link;
	r->exit.bev = target;
	r->user.fin = r->user.fout = RELAY_F_FRAMED;
	r->user.fback = back;
	r->user.farg = arg;
	relay_raw(r);
	return (r);
}

/* see tentacle.h */
struct relay *
relay_open(struct bufferevent *user, struct relay_exit *ex, const char *proto,
    const char *tag, relay_close_cb *cb, void *arg)
{
	struct relay	*r;

	if ((r = relay_alloc(tag, cb, arg)) == NULL) {
		log_warnx("relay %s: out of memory; closing", tag);
		relay_exit_drop(ex);	/* first: see relay_close() */
		bufferevent_free(user);
		return (NULL);
	}
	r->user.bev = user;
	relay_tunnel(r, ex);
	r->who.proto = proto;
	return (r);
}

/* see relay.h */
void
relay_tunnel(struct relay *r, struct relay_exit *ex)
{
	relay_exit_take(r, ex);
	relay_raw(r);
	relay_set_idle(r, ex->idle_ms);
}

/* see relay.h */
void
relay_raw(struct relay *r)
{
	struct relay_side	*side[2] = { &r->user, &r->exit }, *s;
	int			 i;

	r->up = r->down = 0;
	r->start_us = r->active_us = core_now_us();
	/* Asked once: tls_is_wrapped() is not free and never changes. */
	r->user.tls = tls_is_wrapped(r->user.bev);
	r->exit.tls = tls_is_wrapped(r->exit.bev);
	r->nosplice = r->user.tls || r->exit.tls;
	relay_young_add(r);
	for (i = 0; i < 2; i++) {
		s = side[i];
		relay_side_resume(s);
		/* Write callbacks when a side has drained to half the ceiling. */
		bufferevent_setwatermark(s->bev, EV_WRITE, RELAY_HIGHWATER / 2,
		    0);
		bufferevent_setwatermark(s->bev, EV_READ, 0, 0);
		bufferevent_set_timeouts(s->bev, NULL, NULL);
		/* libevent writes 16 KiB per event by default. */
		bufferevent_set_max_single_write(s->bev, RELAY_HIGHWATER);
	}
	/*
	 * Forward what arrived with the handshake (pipelined payload).  Our
	 * callers still use r: a relay done already closes from its timer.
	 */
	r->starting = 1;
	(void)relay_move(&r->user);
	(void)relay_move(&r->exit);
	r->starting = 0;
	/*
	 * No pipes yet: a relay gets them once RELAY_SPLICE_MIN of payload
	 * has gone through and a side's output has drained (relay_write_cb),
	 * so idle relays hold two descriptors, not six, and leave the rest
	 * to accept(), and a short request/response (most of them) never
	 * pays the dozen system calls pipes take.
	 */
}

/* see relay.h */
void
relay_side_resume(struct relay_side *s)
{
	short	 what = s->eof || s->r->cut ? 0 : EV_READ;

	bufferevent_setcb(s->bev, relay_read_cb, relay_write_cb,
	    relay_event_cb, s);
	/*
	 * A plaintext socket with nothing to write waits for EV_WRITE until
	 * something is queued (relay_want_write()): libevent would poll an
	 * empty output once, two epoll_ctl and a wakeup per side.
	 */
	if (s->tls || s->eof || s->r->cut ||
	    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0)
		what |= EV_WRITE;
	else
		bufferevent_disable(s->bev, EV_WRITE);	/* no call if idle */
	bufferevent_enable(s->bev, what);
}

/* Past RELAY_HIGHWATER queued toward s's peer, stop reading s. */
static void
relay_backpressure(struct relay_side *s)
{
	if (evbuffer_get_length(bufferevent_get_output(s->peer->bev)) >=
	    RELAY_HIGHWATER)
		bufferevent_disable(s->bev, EV_READ);
}

/* Something was queued on s's output: libevent writes it. */
static void
relay_want_write(struct relay_side *s)
{
	if (!(bufferevent_get_enabled(s->bev) & EV_WRITE))
		bufferevent_enable(s->bev, EV_WRITE);
}

/*
 * One chunk onto framed link l: its head, then n bytes off the front of
 * in (NULL, 0: a mark).  A plaintext link with nothing queued takes it
 * at once in one writev (a bufferevent's own output cannot be written
 * from outside libevent: it is frozen at the front); the rest is queued.
 * -1: out of memory.
 */
static int
relay_chunk(struct relay_side *l, uint8_t kind, struct evbuffer *in,
    size_t n)
{
	struct evbuffer		*out = bufferevent_get_output(l->bev);
	struct evbuffer_iovec	 v[8];
	struct iovec		 iov[9];
	uint8_t			 head[FRAME_CHUNK_HEAD];
	evutil_socket_t		 fd;
	ssize_t			 w = 0;
	size_t			 h = 0, left;
	int			 i, nv = 0;

	frame_chunk_head(head, kind, n);
	if (!l->tls && evbuffer_get_length(out) == 0 &&
	    (fd = bufferevent_getfd(l->bev)) != -1 &&
	    (n == 0 || (nv = evbuffer_peek(in, n, NULL, v, 8)) > 0) &&
	    nv <= 8) {
		iov[0].iov_base = head;
		iov[0].iov_len = sizeof head;
		for (i = 0, left = n; i < nv; i++) {
			/* The last extent may run past n. */
			iov[i + 1].iov_base = v[i].iov_base;
			iov[i + 1].iov_len = v[i].iov_len < left ?
			    v[i].iov_len : left;
			left -= iov[i + 1].iov_len;
		}
		do {
			w = writev(fd, iov, nv + 1);
		} while (w == -1 && errno == EINTR);
		if (w < 0)
			w = 0;
	}
	h = (size_t)w < sizeof head ? (size_t)w : sizeof head;
	if (h < sizeof head &&
	    evbuffer_add(out, head + h, sizeof head - h) == -1)
		return (-1);
	if (n > 0) {
		evbuffer_drain(in, (size_t)w - h);
		n -= (size_t)w - h;
		if (n > 0 && evbuffer_remove_buffer(in, out, n) != (int)n)
			return (-1);
	}
	if (evbuffer_get_length(out) > 0)
		relay_want_write(l);
	return (0);
}

/*
 * Move n bytes from the front of in to plaintext p's socket while its
 * output is empty (no EV_WRITE round trip), the rest to its output.
 * -1: out of memory.
 */
static int
relay_put(struct relay_side *p, struct evbuffer *in, size_t n)
{
	struct evbuffer	*out = bufferevent_get_output(p->bev);
	evutil_socket_t	 fd;
	int		 w;

	if (!p->tls && p->fout == RELAY_F_RAW && evbuffer_get_length(out) == 0 &&
	    !relay_capped(p->r) &&
	    (fd = bufferevent_getfd(p->bev)) != -1 &&
	    (w = evbuffer_write_atmost(in, fd, n)) > 0)
		n -= w;
	if (n == 0)
		return (0);
	if (evbuffer_remove_buffer(in, out, n) != (int)n)
		return (-1);
	relay_want_write(p);
	return (0);
}

/* see relay.h */
const char *
relay_side_name(const struct relay_side *s)
{
	return (s == &s->r->user ? "user" : "exit");
}

/* see relay.h */
void
relay_exit_take(struct relay *r, struct relay_exit *ex)
{
	r->ex = ex;
	if (ex->who != NULL) {
		r->who = *ex->who;
		ex->who = NULL;
	}
	r->exit.bev = ex->bev;
	r->exit.eof = r->exit.shut = r->exit.shut_pending = 0;
	r->exit.fin = r->exit.fout = ex->framed ? RELAY_F_FRAMED : RELAY_F_RAW;
	r->exit.fsent = 0;
	r->exit.fbroken = 0;
}

/*
 * May s's framed link carry another relay: both EOF marks went across
 * (ours is sent now if the relay ends first on the other side) and the
 * framing held.  Callbacks cleared for the next owner.
 */
static int
relay_link_reusable(struct relay_side *s)
{
	if (s->bev == NULL || s->fbroken || s->fin != RELAY_F_ENDED ||
	    s->fout == RELAY_F_RAW)
		return (0);
	if (s->fout == RELAY_F_FRAMED) {
		/* The user left first: what it sent is queued, then EOF. */
		if (relay_chunk(s, FRAME_CHUNK_EOF, NULL, 0) == -1)
			return (0);
		s->fout = RELAY_F_ENDED;
	}
	bufferevent_setcb(s->bev, NULL, NULL, NULL, NULL);
	bufferevent_setwatermark(s->bev, EV_READ | EV_WRITE, 0, 0);
	return (1);
}

/* see relay.h */
void
relay_exit_release(struct relay *r)
{
	struct relay_exit	*ex = r->ex;

	if (ex != NULL && ex->framed && relay_link_reusable(&r->exit))
		r->exit.bev = NULL;	/* back to its owner in ex->bev */
	else {
		if (r->exit.bev != NULL)
			bufferevent_free(r->exit.bev);
		r->exit.bev = NULL;
		if (ex != NULL)
			ex->bev = NULL;
	}
	r->ex = NULL;
	if (ex != NULL && ex->done != NULL)
		ex->done(ex);
}

/* see relay.h */
void
relay_exit_drop(struct relay_exit *ex)
{
	bufferevent_free(ex->bev);
	ex->bev = NULL;
	if (ex->done != NULL)
		ex->done(ex);
}

void
relay_set_idle(struct relay *r, int ms)
{
	if (relay_timer_set(r, ms, 1) == -1)
		log_warnx("relay %s: out of memory: no idle timeout", r->tag);
}

/* see relay.h */
int
relay_timer_set(struct relay *r, int ms, int idle)
{
	struct timeval	 tv;

	if (r->cut || r->doom != NULL) {
		/* A quota cut or a doom is due: nothing puts it off. */
		ms = 1;
		idle = 0;
	}
	r->idle_ms = idle && ms > 0 ? ms : 0;
	if (ms <= 0) {
		if (r->timer != NULL)
			event_del(r->timer);
		return (0);
	}
	if (r->timer == NULL &&
	    (r->timer = evtimer_new(core_base, relay_timer_cb, r)) == NULL)
		return (-1);
	if (idle)
		r->active_us = core_now_us();
	evtimer_add(r->timer, core_ms_tv(&tv, ms));
	return (0);
}

const char *
relay_tag(struct relay *r)
{
	return (r->tag);
}

u_int
relay_count(void)
{
	return (RC->live);
}

/* see tentacle.h */
struct relay_ctx *
relay_ctx_new(void)
{
	struct relay_ctx	*rc;

	if ((rc = calloc(1, sizeof *rc)) == NULL)
		return (NULL);
	TAILQ_INIT(&rc->all);
	TAILQ_INIT(&rc->young);
	TAILQ_INIT(&rc->spliced);
	return (rc);
}

/* see tentacle.h */
void
relay_ctx_free(struct relay_ctx *rc)
{
	if (rc == NULL)
		return;
	if (rc->trim_ev != NULL)
		event_free(rc->trim_ev);
	if (rc->young_ev != NULL)
		event_free(rc->young_ev);
	if (rc->sweep_ev != NULL)
		event_free(rc->sweep_ev);
	free(rc);
}

/* see tentacle.h */
void
relay_meter(int (*meter)(void *, size_t, size_t), void *arg, int capped)
{
	RC->meter = meter;
	RC->meter_arg = arg;
	RC->capped = capped;
}

/* see relay.h */
int
relay_capped(const struct relay *r)
{
	return (RC->capped || (r->ex != NULL && r->ex->capped));
}

/* see tentacle.h */
void
relay_set_who(struct relay *r, const struct relay_who *who)
{
	r->who = *who;
}

/* see tentacle.h */
struct bufferevent *
relay_user_bev(struct relay *r)
{
	return (r->user.bev);
}

/* see tentacle.h */
u_int
relay_close_all(const char *reason, int idle_only)
{
	struct relay	*r, *rtmp;
	u_int		 n = 0;

	TAILQ_FOREACH_SAFE(r, &RC->all, aentry, rtmp) {
		if (idle_only && (r->http == NULL || !relay_http_idle(r)))
			continue;
		relay_close(r, reason);
		n++;
	}
	return (n);
}

/* s's bufferevent read: move it, then read on from the socket. */
static void
relay_read_cb(struct bufferevent *bev __unused, void *arg)
{
	struct relay_side	*s = arg;

	if (relay_move(s) == -1)
		return;		/* closed */
	if (relay_read_more(s) == -1)
		return;		/* closed */
}

/*
 * Close r soon for why (its timer): for errors met where callers still
 * use r.  Reads stop now.
 */
static void
relay_doom(struct relay *r, const char *why)
{
	if (r->doom != NULL)
		return;
	r->doom = why;
	if (r->user.bev != NULL)
		bufferevent_disable(r->user.bev, EV_READ);
	if (r->exit.bev != NULL)
		bufferevent_disable(r->exit.bev, EV_READ);
	if (relay_timer_set(r, 1, 0) == -1)
		log_warnx("relay %s: out of memory: %s, not closed", r->tag,
		    why);
}

/*
 * A framed link's direction goes raw (single-use from here): RAW, then
 * the peer's bytes as they are.
 */
static void
relay_frame_raw(struct relay_side *l)
{
	(void)relay_chunk(l, FRAME_CHUNK_RAW, NULL, 0);
	l->fout = RELAY_F_RAW;	/* never reusable: relay_link_reusable() */
}

/*
 * Move what s read into its framed peer's output as DATA chunks, or, past
 * RELAY_FRAMED_MAX, RAW and then the bytes as they are (relay_move).
 */
static int
relay_frame(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	size_t			 n, k;

	if ((n = evbuffer_get_length(in)) == 0)
		return (0);
	if (p->shut || p->fout != RELAY_F_FRAMED) {
		evbuffer_drain(in, n);	/* cannot happen, as in relay_move */
		return (0);
	}
	if (p->fsent + n > RELAY_FRAMED_MAX) {
		relay_frame_raw(p);
		return (relay_move(s));
	}
	p->fsent += n;
	s->r->moved += n;
	relay_count_bytes(s, n);
	while ((n = evbuffer_get_length(in)) > 0) {
		k = n < FRAME_CHUNK_MAX ? n : FRAME_CHUNK_MAX;
		if (relay_chunk(p, FRAME_CHUNK_DATA, in, k) == -1) {
			relay_doom(s->r, "out of memory");
			return (0);
		}
	}
	relay_backpressure(s);
	return (0);
}

/*
 * Take whole chunks off framed s's input: DATA to the peer's output, EOF
 * ends the direction (what follows is the next owner's), RAW turns it raw
 * (and our direction too: a raw link is single-use either way).  -1: r
 * was closed.
 */
static int
relay_unframe(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	struct frame_chunk	 c;
	const uint8_t		*h;
	const char		*cause = NULL;
	size_t			 avail;

	while ((avail = evbuffer_get_length(in)) >= FRAME_CHUNK_HEAD) {
		if ((h = evbuffer_pullup(in, FRAME_CHUNK_HEAD)) == NULL ||
		    frame_chunk_parse(h, avail, &c, &cause) == -1) {
			s->fbroken = 1;
			relay_doom(s->r, s == &s->r->user ?
			    "user side: bad relay framing" :
			    "exit side: bad relay framing");
			return (0);
		}
		if (c.kind == FRAME_CHUNK_DATA) {
			if (avail < FRAME_CHUNK_HEAD + (size_t)c.len)
				break;
			evbuffer_drain(in, FRAME_CHUNK_HEAD);
			if (p->shut)
				evbuffer_drain(in, c.len);
			else if (relay_put(p, in, c.len) == -1) {
				relay_doom(s->r, "out of memory");
				return (0);
			}
			s->r->moved += c.len;
			relay_count_bytes(s, c.len);
			continue;
		}
		evbuffer_drain(in, FRAME_CHUNK_HEAD);
		if (c.kind == FRAME_CHUNK_EOF) {
			s->fin = RELAY_F_ENDED;
			return (relay_side_eof(s));
		}
		/* RAW */
		s->fin = RELAY_F_RAW;
		if (s->fout == RELAY_F_FRAMED)
			relay_frame_raw(s);
		return (relay_move(s));
	}
	relay_backpressure(s);
	return (0);
}

/*
 * Move what side s read to its peer's output (a framed link: relay_frame;
 * off one: relay_unframe).  Past RELAY_HIGHWATER queued toward the peer,
 * stop reading s; the peer's write callback resumes it.  Toward a
 * plaintext socket with nothing queued the bytes go straight to it
 * (relay_put): no EV_WRITE round trip.  What the socket does not take, or
 * an error (libevent meets it again and reports it), stays queued.
 */
static int
relay_move(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	size_t			 n;

	if (s->fin == RELAY_F_FRAMED)
		return (relay_unframe(s));
	if (s->fin == RELAY_F_ENDED) {
		/*
		 * The next owner's bytes (a DIAL at most): the link keeps
		 * reading, so its registration does not change between
		 * relays; more than a frame is not a peer of ours.
		 */
		if (evbuffer_get_length(in) > FRAME_MAX) {
			s->fbroken = 1;
			bufferevent_disable(s->bev, EV_READ);
		}
		return (0);
	}
	if (p->fout == RELAY_F_FRAMED)
		return (relay_frame(s));
	if ((n = evbuffer_get_length(in)) == 0)
		return (0);
	if (p->shut) {
		/* Cannot happen: p shut only after s saw EOF. */
		evbuffer_drain(in, n);
		return (0);
	}
	if (relay_put(p, in, n) == -1) {
		relay_doom(s->r, "out of memory");
		return (0);
	}
	s->r->moved += n;
	relay_count_bytes(s, n);
	relay_backpressure(s);
	return (0);
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

	/* A capped relay reads through its bufferevents (rate limits). */
	if (s->eof || p->shut || s->tls || s->r->cut || s->r->doom != NULL ||
	    s->fin != RELAY_F_RAW || p->fout != RELAY_F_RAW ||
	    relay_capped(s->r) ||
	    (fd = bufferevent_getfd(s->bev)) == -1 ||
	    !(bufferevent_get_enabled(s->bev) & EV_READ))
		return (0);
	while ((have = evbuffer_get_length(out)) < RELAY_HIGHWATER &&
	    !s->r->cut) {
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
			    relay_side_name(s), strerror(errno));
			relay_close(s->r, reason);
			return (-1);
		}
		for (i = 0, left = n; i < nv && left > 0; i++) {
			v[i].iov_len = left < v[i].iov_len ? left :
			    v[i].iov_len;
			left -= v[i].iov_len;
		}
		evbuffer_commit_space(out, v, i);
		relay_want_write(p);
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

/* see relay.h */
void
relay_count_bytes(struct relay_side *s, size_t n)
{
	struct relay		*r = s->r;
	struct relay_stat	*st = r->ex != NULL ? r->ex->stat : NULL;

	r->active_us = core_now_us();
	if (s == &r->user) {
		r->up += n;
		if (st != NULL)
			st->up += n;
	} else {
		r->down += n;
		if (st != NULL)
			st->down += n;
	}
	if (((r->ex != NULL && r->ex->count != NULL &&
	    r->ex->count(r->ex, s == &r->user ? n : 0,
	    s == &r->user ? 0 : n) == -1) || (RC->meter != NULL &&
	    RC->meter(RC->meter_arg, s == &r->user ? n : 0,
	    s == &r->user ? 0 : n) == -1)) && !r->cut) {
		/*
		 * Our callers still use r: close it from its timer, and read
		 * no more meanwhile (what was read still goes across).
		 */
		r->cut = 1;
		if (!r->splice) {
			if (r->user.bev != NULL)
				bufferevent_disable(r->user.bev, EV_READ);
			if (r->exit.bev != NULL)
				bufferevent_disable(r->exit.bev, EV_READ);
		}
		if (relay_timer_set(r, 1, 0) == -1)
			log_warnx("relay %s: out of memory: not cut at its "
			    "quota", r->tag);
	}
}

static void
relay_write_cb(struct bufferevent *bev, void *arg)
{
	struct relay_side	*s = arg, *p = s->peer;
	struct relay		*r = s->r;
	size_t			 left;

	left = evbuffer_get_length(bufferevent_get_output(bev));
	if (!p->eof && !r->cut && left < RELAY_HIGHWATER &&
	    !(bufferevent_get_enabled(p->bev) & EV_READ))
		bufferevent_enable(p->bev, EV_READ);
	if (left == 0 && s->shut_pending) {
		relay_shut(s);
		if (relay_done(r)) {
			relay_close(r, "done");
			return;
		}
	}
	if (left == 0 && r->moved >= RELAY_SPLICE_MIN &&
	    r->user.fin == RELAY_F_RAW && r->user.fout == RELAY_F_RAW &&
	    r->exit.fin == RELAY_F_RAW && r->exit.fout == RELAY_F_RAW)
		relay_splice_start(r);
}

/* see relay.h */
void
relay_shut(struct relay_side *s)
{
	s->shut_pending = 0;
	if (s->shut)
		return;
	s->shut = 1;
	if (s->fout == RELAY_F_FRAMED) {
		/* A framed link stays open: EOF says this direction is done. */
		(void)relay_chunk(s, FRAME_CHUNK_EOF, NULL, 0);
		s->fout = RELAY_F_ENDED;
		return;
	}
	/* Through TLS: after the last record is on the wire. */
	tls_shutdown_write(s->bev);
}

/*
 * s's direction is done (an EOF, or a framed link's EOF mark): shut the
 * peer's write side once what s sent is out.  -1: r closed (both done).
 */
static int
relay_side_eof(struct relay_side *s)
{
	struct relay_side	*p = s->peer;
	struct relay		*r = s->r;

	s->eof = 1;
	if (s->fin != RELAY_F_ENDED)
		bufferevent_disable(s->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(p->bev)) == 0)
		relay_shut(p);
	else
		p->shut_pending = 1;
	if (relay_done(r)) {
		if (r->starting) {
			relay_doom(r, "done");
			return (0);
		}
		relay_close(r, "done");
		return (-1);
	}
	return (0);
}

/* see relay.h */
int
relay_done(struct relay *r)
{
	return (r->user.eof && r->exit.eof && r->user.shut && r->exit.shut);
}

static void
relay_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	char			 reason[128];

	if (what & BEV_EVENT_ERROR) {
		const char *tlserr = tls_error(bev);

		snprintf(reason, sizeof reason, "%s side: %s",
		    relay_side_name(s), tlserr != NULL ? tlserr :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		s->fbroken = 1;
		relay_close(r, reason);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		if (s->fin == RELAY_F_ENDED) {
			/* The link died after its EOF mark: not reused. */
			s->fbroken = 1;
			return;
		}
		/* Anything left in input was moved by the read callback. */
		if (relay_move(s) == -1 || s->eof)
			return;
		if (s->fin != RELAY_F_RAW) {
			/* The link closed inside a framed relay: no reuse. */
			s->fbroken = 1;
			if (s->fout == RELAY_F_FRAMED)
				s->fout = RELAY_F_RAW;
		}
		(void)relay_side_eof(s);
	}
}

/*
 * r's timer: idle (nothing moved for idle_ms: check, re-arm for the rest)
 * or a deadline of its mode.
 */
static void
relay_timer_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct relay	*r = arg;
	uint64_t	 now = core_now_us(), idle_us;
	struct timeval	 tv;

	if (r->cut) {
		relay_close(r, "quota reached");
		return;
	}
	if (r->doom != NULL) {
		relay_close(r, r->doom);
		return;
	}
	idle_us = (uint64_t)r->idle_ms * 1000;
	if (idle_us > 0 && now - r->active_us < idle_us) {
		idle_us -= now - r->active_us;
		tv.tv_sec = idle_us / 1000000;
		tv.tv_usec = idle_us % 1000000;
		evtimer_add(r->timer, &tv);
		return;
	}
	if (r->http != NULL) {
		relay_http_timeout(r);
		return;
	}
	relay_close(r, "idle timeout");
}

static void
relay_trim_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	if (RC->live > RC->peak / 8)
		return;		/* the load came back */
	RC->peak = RC->live;
	core_memory_trim();
}

/* Most relays of a load are gone: trim if it stays so RELAY_TRIM_S. */
static void
relay_trim_arm(void)
{
	struct timeval	 tv = { RELAY_TRIM_S, 0 };

	if (RC->trim_ev == NULL && (RC->trim_ev = evtimer_new(core_base,
	    relay_trim_cb, NULL)) == NULL)
		return;
	if (!evtimer_pending(RC->trim_ev, NULL))
		evtimer_add(RC->trim_ev, &tv);
}

/*
 * see tentacle.h: frees r.  A relay in HTTP mode logs at debug level:
 * each of its requests had its own line.
 */
void
relay_close(struct relay *r, const char *reason)
{
	uint64_t	 ms = (core_now_us() - r->start_us) / 1000;

	if (r->closecb != NULL)
		r->closecb(r, r->closearg);
	if (r->who.proto == NULL)
		r->who.proto = r->http != NULL ? "http" : "relay";
	log_relay(r->http != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, &r->who,
	    r->up, r->down, ms, r->http != NULL && strcmp(reason, "done") == 0 ?
	    "connection done" : reason);
	if (r->timer != NULL)
		event_free(r->timer);
	if (r->young)
		TAILQ_REMOVE(&RC->young, r, yentry);
	TAILQ_REMOVE(&RC->all, r, aentry);
	relay_splice_free(r);
	/*
	 * The exit first: its owner may take the user's side out of a
	 * rate-limit group, which it can do only while the side lives.
	 */
	relay_exit_release(r);
	if (r->user.fback != NULL) {
		/* A node's framed link goes back to its spare links. */
		if (relay_link_reusable(&r->user)) {
			r->user.fback(r->user.bev, r->user.farg);
			r->user.bev = NULL;
		} else
			r->user.fback(NULL, r->user.farg);
	}
	if (r->user.bev != NULL)
		bufferevent_free(r->user.bev);
	if (r->http != NULL)
		relay_http_free(r->http);
	RC->live--;
	free(r);
	if (RC->peak >= RELAY_TRIM_PEAK && RC->live <= RC->peak / 8)
		relay_trim_arm();
}
