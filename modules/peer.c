/*
 * peer.c: the one read loop of every framed link (see peer.h).  Owns how
 * frames are taken off a bufferevent and bounded; knows no frame's
 * meaning: the owner's handler table does.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "peer.h"

static void	 peer_read_cb(struct bufferevent *, void *);
static void	 peer_event_cb(struct bufferevent *, short, void *);

/* "unexpected PING frame": a cause for the error callback. */
static COMPAT_THREAD char unexpected[64];

/* see peer.h */
void
peer_open(struct peer *p, struct bufferevent *bev, const struct peer_ops *ops,
    void *owner, void (*eventcb)(struct bufferevent *, short, void *))
{
	p->p_bev = bev;
	p->p_ops = ops;
	p->p_owner = owner;
	p->p_eventcb = eventcb;
	bufferevent_setcb(bev, peer_read_cb, NULL, peer_event_cb, p);
	bufferevent_setwatermark(bev, EV_READ, 0, FRAME_MAX);
}

static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer	*p = arg;

	p->p_eventcb(bev, what, p->p_owner);
}

/* see peer.h */
void
peer_set_ops(struct peer *p, const struct peer_ops *ops)
{
	p->p_ops = ops;
}

/* see peer.h */
void
peer_read(struct peer *p)
{
	peer_read_cb(p->p_bev, p);
}

/* see peer.h */
int
peer_backlog(struct peer *p)
{
	size_t	 len;

	if (p->p_ops->backlog == 0)
		return (0);
	len = evbuffer_get_length(bufferevent_get_output(p->p_bev));
	if (len <= p->p_ops->backlog)
		return (0);
	p->p_ops->error(p->p_owner, PEER_EBACKLOG, "it does not read what "
	    "it is sent (its unread backlog passed the bound)");
	return (-1);
}

static const struct peer_handler *
peer_handler(const struct peer_ops *ops, uint8_t type)
{
	const struct peer_handler	*h;

	for (h = ops->handlers; h->fn != NULL; h++) {
		if (h->type == type)
			return (h);
	}
	return (NULL);
}

/*
 * Frame after frame: each one is taken off the input, then handed to its
 * handler, so the handler may free the owner or give the link away.
 */
static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer			*p = arg;
	struct evbuffer			*in = bufferevent_get_input(bev);
	const struct peer_handler	*h;
	struct frame			 f;
	uint8_t				 buf[FRAME_MAX];
	const char			*cause = NULL;
	int				 n, rv;

	if (p->p_ops->rx != NULL)
		p->p_ops->rx(p->p_owner);
	for (;;) {
		if (p->p_ops->handlers == NULL) {
			if (evbuffer_get_length(in) == 0)
				return;
			p->p_ops->error(p->p_owner, PEER_EPROTO,
			    "bytes where none may come");
			return;
		}
		if ((n = frame_peek(in, &f, &cause)) == 0)
			return;
		if (n == -1) {
			p->p_ops->error(p->p_owner, PEER_EPROTO, cause);
			return;
		}
		if ((h = peer_handler(p->p_ops, f.type)) == NULL) {
			snprintf(unexpected, sizeof unexpected, "unexpected %s "
			    "frame", frame_type_name(f.type));
			p->p_ops->error(p->p_owner, PEER_EPROTO, unexpected);
			return;
		}
		/* Off the input first: the handler may give the link away. */
		if (evbuffer_remove(in, buf, n) != n ||
		    frame_parse(buf, n, &f, &cause) != n) {
			p->p_ops->error(p->p_owner, PEER_EPROTO,
			    "out of memory");
			return;
		}
		rv = h->fn(p->p_owner, &f, &cause);
		if (rv == PEER_GONE)
			return;
		if (rv == PEER_ERROR) {
			p->p_ops->error(p->p_owner, PEER_EPROTO, cause);
			return;
		}
		if (peer_backlog(p) == -1)
			return;
	}
}

/* see peer.h: the one place frames meet libevent's buffers. */
int
frame_peek(struct evbuffer *in, struct frame *f, const char **cause)
{
	size_t		 avail = evbuffer_get_length(in);
	const uint8_t	*p;

	if (avail > FRAME_MAX)
		avail = FRAME_MAX;
	if ((p = evbuffer_pullup(in, avail)) == NULL && avail > 0) {
		*cause = "out of memory";
		return (-1);
	}
	return (frame_parse(p, avail, f, cause));
}
