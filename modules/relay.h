/*
 * relay.h: the relay's private header, for relay.c (the relay: both sides,
 * raw mode, counters, half-close, timer, close), relay_http.c (its HTTP
 * mode) and relay_splice.c (splice(2) between two plaintext sockets).  The
 * API the rest of the program uses is in tentacle.h.
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
struct relay_http;

/* One direction's end: what is read here goes to the peer. */
struct relay_side {
	struct bufferevent	*bev;		/* owned by the relay; NULL: none */
	struct relay		*r;		/* back to the whole */
	struct relay_side	*peer;		/* the other side */
	int			 eof;		/* read side finished */
	int			 shut;		/* our write side is shut down */
	int			 shut_pending;	/* shut once output drains */
	int			 tls;		/* a TLS link */
	/*
	 * A framed link (doc/protocol.md "Framed relays"): each direction
	 * RELAY_F_RAW, _FRAMED or _ENDED (its EOF mark went by); the
	 * payload sent framed (past RELAY_FRAMED_MAX: RAW, single-use);
	 * broken: the link is not reused (raw, an error, a TCP EOF).
	 */
	int			 fin, fout;
	size_t			 fsent;
	int			 fbroken;
	void			(*fback)(struct bufferevent *, void *);
	void			*farg;
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

/*
 * A context's relays (core_cur->relay): the counts, the timers and lists
 * of relay.c and relay_splice.c, and a library node's meter.
 */
struct relay_ctx {
	u_int			 live;
	u_int			 peak;		/* most at once since a trim */
	struct event		*trim_ev;
	TAILQ_HEAD(, relay)	 all;
	TAILQ_HEAD(, relay)	 young;		/* no keepalive yet, oldest 1st */
	struct event		*young_ev;
	TAILQ_HEAD(, relay)	 spliced;	/* relay_splice.c */
	struct event		*sweep_ev;
	u_int			 pipe_fds;	/* pipe descriptors open */
	size_t			 pipe_grown;	/* bytes past RELAY_PIPE_SIZE */
	int			(*meter)(void *, size_t, size_t);
	void			*meter_arg;
	int			 capped;	/* a rate-limit group: no splice */
};
#define RC	(core_cur->relay)
/* Bytes go through the bufferevents only: a rate limit holds (no splice). */
int	 relay_capped(const struct relay *);

/*
 * A relay: the user's side (a proxy user, or on the node the data link)
 * and the exit side (the data link, or on the node the target).  Raw mode
 * (http == NULL) moves bytes both ways until both are done; HTTP mode
 * (relay_http.c) reads requests on the user side and has an exit side only
 * during an exchange.
 */
struct relay {
	struct relay_side	 user;
	struct relay_side	 exit;
	struct relay_exit	*ex;		/* the exit's owner; NULL: none */
	struct relay_http	*http;		/* HTTP mode; NULL: raw */
	uint64_t		 up, down;	/* bytes user -> exit, back */
	uint64_t		 start_us;
	uint64_t		 active_us;	/* last byte moved */
	struct event		*timer;		/* idle, or a mode's deadline */
	relay_close_cb		*closecb;
	void			*closearg;
	size_t			 moved;		/* payload since pipes: worth some? */
	int			 idle_ms;	/* timer: idle this long; 0 deadline */
	int			 splice;	/* 1: splice mode */
	int			 nosplice;	/* TLS: never */
	int			 nopipes;	/* refused pipes once (logged) */
	int			 young;		/* on relay_young: no keepalive yet */
	int			 cut;		/* ex->count said stop: close soon */
	const char		*doom;		/* close soon, for this reason */
	int			 starting;	/* in relay_raw(): never close */
	TAILQ_ENTRY(relay)	 sentry;	/* on relay_spliced */
	TAILQ_ENTRY(relay)	 yentry;	/* on relay_young */
	TAILQ_ENTRY(relay)	 aentry;	/* on relay_all */
	struct relay_who	 who;		/* for its log line */
	char			 tag[64];
};

#define RELAY_F_RAW		0
#define RELAY_F_FRAMED		1
#define RELAY_F_ENDED		2
/*
 * A framed direction turns raw past this much payload: a bulk relay
 * keeps splice(2) and full TLS records, and its link is used once.
 */
#define RELAY_FRAMED_MAX	(64 * 1024)

/* Payload through the bufferevents before a relay is worth pipes. */
#define RELAY_SPLICE_MIN	RELAY_HIGHWATER

/* relay.c, for the modes. */
/*
 * A relay with no sides yet (their bufferevents NULL), counted live; NULL
 * when out of memory.
 */
struct relay	*relay_alloc(const char *tag, relay_close_cb *, void *);
/*
 * r relays raw from now on: both sides' callbacks and watermarks, its clock
 * and counters start, TCP keepalive planned, what either side already read
 * goes across.  Both bufferevents are set.
 */
void		 relay_raw(struct relay *);
/*
 * r relays raw toward ex from now on (relay_open(), CONNECT): ex taken,
 * relay_raw(), idle after ex->idle_ms (the timer stops otherwise).
 */
void		 relay_tunnel(struct relay *, struct relay_exit *);
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
/* Take ex as r's exit side (ex->bev) for the owner's accounting. */
void		 relay_exit_take(struct relay *, struct relay_exit *);
/* Free r's exit side, if any, and tell its owner (ex->done). */
void		 relay_exit_release(struct relay *);
/* Free an exit no relay took, and tell its owner. */
void		 relay_exit_drop(struct relay_exit *);
/*
 * Arm r's timer: ms from now (idle 0), or once nothing moved for ms
 * (idle 1).  ms <= 0 stops it.  -1 when out of memory (no timer).
 */
int		 relay_timer_set(struct relay *, int ms, int idle);

/* relay_http.c: HTTP mode. */
/* Between requests with nothing unread (a shutdown may close it)? */
int		 relay_http_idle(struct relay *);
/* r's timer expired in HTTP mode. */
void		 relay_http_timeout(struct relay *);
/* Free HTTP mode's state (relay_close(), or a tunnel begins). */
void		 relay_http_free(struct relay_http *);

/* relay_splice.c: no-ops without HAVE_SPLICE. */
/*
 * Switch r to splice mode if it can: both sides plaintext sockets, and
 * nothing left in either bufferevent.  Never closes r.
 */
void		 relay_splice_start(struct relay *);
/* Close r's pipes and splice events (relay_close()). */
void		 relay_splice_free(struct relay *);

#endif /* RELAY_H */
