/*
 * peer.h: one read loop for every framed link (tmux proc.c): the hub's
 * control connections, its nodes' control links, data links before BIND
 * and spare links; the node's control and spare links; the admin client.
 * A peer reads whole frames from its bufferevent, takes each off the
 * input before its handler runs (the handler may hand the link on or free
 * its owner), finds the handler by frame type in the owner's table, and
 * bounds what waits unread toward the other side.  Peers differ in their
 * handler tables, never in how bytes are drained.
 */
#ifndef PEER_H
#define PEER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct bufferevent;
struct evbuffer;

/* What a handler returns. */
#define PEER_OK		0	/* go on reading */
#define PEER_GONE	1	/* the owner closed or handed on the link */
#define PEER_ERROR	(-1)	/* protocol error, *cause says what */

/* One frame, its payload valid during the call only. */
typedef int	 peer_frame_cb(void *owner, const struct frame *,
		    const char **cause);
/*
 * The link broke the protocol (PEER_EPROTO: a bad frame, an unexpected
 * type, a handler's PEER_ERROR) or does not read what it is sent
 * (PEER_EBACKLOG): the owner answers if it wants to (a BYE; none after
 * PEER_EBACKLOG, it would not be read) and closes.  cause is static text.
 */
#define PEER_EPROTO	1
#define PEER_EBACKLOG	2
typedef void	 peer_error_cb(void *owner, int error, const char *cause);

struct peer_handler {
	uint8_t		 type;		/* FRAME_*; 0 ends the table */
	peer_frame_cb	*fn;
};

struct peer_ops {
	/* NULL: no byte may arrive (an idle spare link). */
	const struct peer_handler *handlers;
	peer_error_cb	*error;
	void		(*rx)(void *owner);	/* on every read; may be NULL */
	size_t		 backlog;	/* unread bytes out; 0: no bound */
};

/*
 * A peer lives inside its owner's struct; the owner owns the bufferevent
 * and its event callback.  peer_open() makes the bufferevent's read
 * callback the peer's loop (over any read callback it had), with EV_READ
 * watermarks of one frame; eventcb is called with the owner as its
 * argument, as if set with bufferevent_setcb().
 */
struct peer {
	struct bufferevent	*p_bev;
	const struct peer_ops	*p_ops;
	void			*p_owner;
	void			(*p_eventcb)(struct bufferevent *, short,
				    void *);
};

void	 peer_open(struct peer *, struct bufferevent *,
	    const struct peer_ops *, void *owner,
	    void (*eventcb)(struct bufferevent *, short, void *));
/* Another table for the next state (HELLO, then AUTH, ...). */
void	 peer_set_ops(struct peer *, const struct peer_ops *);
/* Read what is already buffered (after a handler changed the state). */
void	 peer_read(struct peer *);
/*
 * Past the ops' backlog bound?  Then the error callback has run (the
 * owner may be gone): returns -1.  For owners that write outside a
 * handler (a heartbeat).
 */
int	 peer_backlog(struct peer *);

/*
 * frame_parse() on the start of a libevent buffer (made contiguous up to
 * FRAME_MAX bytes); f->payload points into it until the caller drains.
 * For the links that hand over to a relay mid-stream.
 */
int	 frame_peek(struct evbuffer *, struct frame *, const char **);

#endif /* PEER_H */
