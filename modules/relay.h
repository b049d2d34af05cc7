/*
 * relay.h: the relay's private header, for relay.c (the relay: both sides,
 * counters, half-close, timer, close) and relay_splice.c (splice(2)
 * between two plaintext sockets).  The API the rest of the program uses
 * is in tentacle.h.
 */
#ifndef RELAY_H
#define RELAY_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

#include "tentacle.h"

struct bufferevent;
struct event;

/* One direction's end: what is read here goes to the peer. */
struct relay_side {
	struct bufferevent	*bev;		/* owned by the relay; NULL: none */
	struct relay		*r;		/* back to the whole */
	struct relay_side	*peer;		/* the other side */
	int			 eof;		/* read side finished */
	int			 shut;		/* our write side is shut down */
	int			 shut_pending;	/* shut once output drains */
	int			 tls;		/* a TLS link */
	/* Splice mode (relay_splice.c): the socket, the pipe toward peer. */
	evutil_socket_t		 fd;
	int			 pipe[2];
	int			 pfixed;	/* the kernel refused to grow it */
	size_t			 plen;		/* bytes in pipe */
	size_t			 pcap;		/* pipe capacity */
	size_t			 pgrown;	/* of it past RELAY_PIPE_SIZE */
	struct event		*rev;		/* fd readable: pump s -> peer */
	struct event		*wev;		/* fd writable: pump peer -> s */
};

/* A relay: the user's side and the exit side (on the node: the target). */
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

/* Payload through the bufferevents before a relay is worth pipes. */
#define RELAY_SPLICE_MIN	RELAY_HIGHWATER

/* relay.c, for relay_splice.c. */
/* The raw callbacks on s's bufferevent, after splice mode. */
void		 relay_side_resume(struct relay_side *);
/* "user" or "exit", for log lines. */
const char	*relay_side_name(const struct relay_side *);
/* n bytes read from s went toward its peer: counters, activity. */
void		 relay_count_bytes(struct relay_side *, size_t);
/* Shut down s's write side: the peer's data has all been sent. */
void		 relay_shut(struct relay_side *);
/* Are both directions finished? */
int		 relay_done(struct relay *);

/* relay_splice.c: no-ops without HAVE_SPLICE. */
/*
 * Switch r to splice mode if it can: both sides plaintext sockets, and
 * nothing left in either bufferevent.  Never closes r.
 */
void		 relay_splice_start(struct relay *);
/* Close r's pipes and splice events (relay_close()). */
void		 relay_splice_free(struct relay *);

#endif /* RELAY_H */
