/*
 * relay.c: splice two bufferevents (a proxy user or target on one side, a
 * data link on the other) until both directions are done.  Owns both
 * bufferevents of a relay, half-close, backpressure and the byte counts;
 * knows nothing of nodes or frames.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
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
	const char		*name;
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
	char			 tag[64];
};

static u_int	 relay_live;

static void	 relay_read_cb(struct bufferevent *, void *);
static void	 relay_write_cb(struct bufferevent *, void *);
static void	 relay_event_cb(struct bufferevent *, short, void *);
static void	 relay_idle_cb(evutil_socket_t, short, void *);
static void	 relay_shut(struct relay_side *);
static int	 relay_done(struct relay *);

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
	r->closecb = cb;
	r->closearg = arg;
	r->start_us = r->active_us = core_now_us();
	strlcpy(r->tag, tag, sizeof r->tag);
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

	/* Forward what arrived with the handshake (pipelined payload). */
	if (evbuffer_get_length(bufferevent_get_input(user)) > 0)
		relay_read_cb(user, &r->user);
	if (evbuffer_get_length(bufferevent_get_input(exit)) > 0)
		relay_read_cb(exit, &r->exit);
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
	    (r->idle_ev = evtimer_new(core_base, relay_idle_cb, r)) == NULL)
		return;
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

/*
 * Move what side s read to its peer's output.  Past RELAY_HIGHWATER queued
 * toward the peer, stop reading s; the peer's write callback resumes it.
 */
static void
relay_read_cb(struct bufferevent *bev, void *arg)
{
	struct relay_side	*s = arg, *p = s->peer;
	struct relay		*r = s->r;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	size_t			 n;

	if ((n = evbuffer_get_length(in)) == 0)
		return;
	if (p->shut) {
		/* Cannot happen: p shut only after s saw EOF. */
		evbuffer_drain(in, n);
		return;
	}
	evbuffer_add_buffer(out, in);
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
	if (evbuffer_get_length(out) >= RELAY_HIGHWATER)
		bufferevent_disable(bev, EV_READ);
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
		if (relay_done(r))
			relay_close(r, "done");
	}
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
		relay_read_cb(bev, s);
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
	bufferevent_free(r->user.bev);
	bufferevent_free(r->exit.bev);
	relay_live--;
	free(r);
}
