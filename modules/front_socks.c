/*
 * front_socks.c: the hub's SOCKS5 front (RFC 1928).  Owns one proxy user's
 * connection from accept until the relay takes it: method negotiation,
 * the request, the dial through server_dial() and the reply.  Message
 * formats live in socks.c; the relay in relay.c; dials in server.c.
 *
 * States of one connection:
 *
 *	GREETING --NOAUTH--> REQUEST --CONNECT--> DIALING --OK--> relay
 *	    \--USERPASS--> AUTH --/          \--other--> reply 0x07, close
 *	REFUSED (not allowed): read the greeting, answer 0xff, close.
 *
 * Every error answers in SOCKS terms where the protocol has an answer and
 * closes once that answer is written (core_bev_close_flush()).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "socks.h"

/*
 * Input held before the request is parsed.  The longest message is a
 * RFC 1929 request (513 bytes); libevent stops reading at this mark, so a
 * flood never buffers more, and bytes that fail to parse close at once.
 * Payload the client pipelined after the request stays here (up to the
 * mark; the rest waits in the kernel) for the relay to forward.
 */
#define SFRONT_INBUF_MAX	600
#define SFRONT_PEEK		32	/* bytes of bad input shown in logs */

enum sfront_state {
	SFRONT_GREETING,
	SFRONT_AUTH,
	SFRONT_REQUEST,
	SFRONT_DIALING,
	SFRONT_REFUSED
};

struct sfront {
	struct bufferevent	*sf_bev;	/* owned until the relay */
	struct event		*sf_timer;	/* handshake deadline */
	struct dial		*sf_dial;	/* while DIALING */
	enum sfront_state	 sf_state;
	struct target		 sf_target;
	char			 sf_peer[64];	/* "ip:port" */
};

static void	 sfront_close(struct sfront *);
static void	 sfront_close_flush(struct sfront *);
static void	 sfront_fail(struct sfront *, uint8_t);
static void	 sfront_bad(struct sfront *, const char *);
static int	 sfront_method(uint32_t);
static int	 sfront_auth_check(const char *, const char *);
static int	 sfront_greeting(struct sfront *);
static int	 sfront_auth(struct sfront *);
static int	 sfront_request(struct sfront *);
static void	 sfront_dial(struct sfront *);
static void	 sfront_dial_cb(const struct dial_done *, void *);
static void	 sfront_read_cb(struct bufferevent *, void *);
static void	 sfront_event_cb(struct bufferevent *, short, void *);
static void	 sfront_timeout_cb(evutil_socket_t, short, void *);

/* see tentacle.h */
void
sfront_accept(int fd, struct sockaddr *sa, socklen_t salen __unused,
    void *arg __unused)
{
	struct sfront	*sf;
	struct timeval	 tv;
	char		 peer[64];

	core_sa_str(sa, peer, sizeof peer);
	if ((sf = calloc(1, sizeof *sf)) == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		close(fd);
		return;
	}
	strlcpy(sf->sf_peer, peer, sizeof sf->sf_peer);
	sf->sf_bev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (sf->sf_bev == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		close(fd);
		free(sf);
		return;
	}
	if ((sf->sf_timer = evtimer_new(core_base, sfront_timeout_cb,
	    sf)) == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		bufferevent_free(sf->sf_bev);
		free(sf);
		return;
	}
	if (server_proxy_allowed(sa))
		sf->sf_state = SFRONT_GREETING;
	else {
		log_warnx("socks: refused %s: not a loopback client; start the "
		    "hub with -open-proxy to serve other addresses", peer);
		sf->sf_state = SFRONT_REFUSED;
	}
	/* One deadline for greeting, authentication and request together. */
	tv.tv_sec = server_conf.handshake_ms / 1000;
	tv.tv_usec = (server_conf.handshake_ms % 1000) * 1000;
	evtimer_add(sf->sf_timer, &tv);

	bufferevent_setcb(sf->sf_bev, sfront_read_cb, NULL, sfront_event_cb,
	    sf);
	bufferevent_setwatermark(sf->sf_bev, EV_READ, 0, SFRONT_INBUF_MAX);
	bufferevent_enable(sf->sf_bev, EV_READ | EV_WRITE);
}

/* Frees sf and closes the connection now, cancelling a pending dial. */
static void
sfront_close(struct sfront *sf)
{
	if (sf->sf_dial != NULL)
		server_dial_cancel(sf->sf_dial);
	if (sf->sf_bev != NULL)
		bufferevent_free(sf->sf_bev);
	event_free(sf->sf_timer);
	free(sf);
}

/* Frees sf; the connection closes once its queued reply is written. */
static void
sfront_close_flush(struct sfront *sf)
{
	struct bufferevent	*bev = sf->sf_bev;

	sf->sf_bev = NULL;
	sfront_close(sf);
	core_bev_close_flush(bev);
}

/* Answer a request with rep (unless SOCKS_REP_CLOSE) and close; frees sf. */
static void
sfront_fail(struct sfront *sf, uint8_t rep)
{
	uint8_t	 out[SOCKS_REPLY_MAX];
	size_t	 len;

	if (rep != SOCKS_REP_CLOSE) {
		len = socks_reply(out, rep, NULL);
		bufferevent_write(sf->sf_bev, out, len);
	}
	sfront_close_flush(sf);
}

/* One warning per protocol error, with the offending bytes escaped. */
static void
sfront_bad(struct sfront *sf, const char *what)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	uint8_t		 peek[SFRONT_PEEK];
	char		 esc[4 * SFRONT_PEEK + 1];
	ev_ssize_t	 n;

	if ((n = evbuffer_copyout(in, peek, sizeof peek)) < 0)
		n = 0;
	log_warnx("socks: %s: %s: \"%s\"%s", sf->sf_peer, what,
	    log_escape(esc, sizeof esc, peek, (size_t)n),
	    evbuffer_get_length(in) > sizeof peek ? "..." : "");
}

/*
 * Pick a method from the client's offer.
 *
 * TODO(Security issue: proxy users): the proxy ports have no
 * authentication yet, so anyone who can reach them (loopback, or every
 * address with -open-proxy) may use the exits.  When proxy credentials
 * exist, select SOCKS_METHOD_USERPASS here (and refuse NOAUTH when they
 * are required); the AUTH state and sfront_auth_check() are the place.
 */
static int
sfront_method(uint32_t methods)
{
	if (methods & (1U << SOCKS_METHOD_NOAUTH))
		return (SOCKS_METHOD_NOAUTH);
	return (SOCKS_METHOD_NONE);
}

/*
 * RFC 1929 credentials check.  No credentials are configured yet, so it
 * denies everything; it is unreachable until sfront_method() selects
 * USERPASS (TODO above).  Compare in constant time when it becomes real.
 */
static int
sfront_auth_check(const char *user __unused, const char *pass __unused)
{
	return (0);
}

/* Each state handler: 1 = progressed, 0 = need more, -1 = sf is freed. */
static int
sfront_greeting(struct sfront *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, out[2], rep = SOCKS_REP_CLOSE;
	uint32_t	 methods = 0;
	int		 n, method;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		sfront_close(sf);
		return (-1);
	}
	if ((n = socks_parse_greeting(p, len, &methods, &rep)) == 0)
		return (0);
	if (sf->sf_state == SFRONT_REFUSED) {
		/* Logged at accept; answer like a server with no method. */
		if (n > 0 || rep != SOCKS_REP_CLOSE)
			bufferevent_write(sf->sf_bev, out,
			    socks_method_reply(out, SOCKS_METHOD_NONE));
		sfront_close_flush(sf);
		return (-1);
	}
	if (n < 0) {
		sfront_bad(sf, rep == SOCKS_REP_CLOSE ? "not a SOCKS5 greeting" :
		    "greeting offers no methods");
		if (rep != SOCKS_REP_CLOSE)
			bufferevent_write(sf->sf_bev, out,
			    socks_method_reply(out, SOCKS_METHOD_NONE));
		sfront_close_flush(sf);
		return (-1);
	}
	evbuffer_drain(in, (size_t)n);
	method = sfront_method(methods);
	bufferevent_write(sf->sf_bev, out, socks_method_reply(out,
	    (uint8_t)method));
	switch (method) {
	case SOCKS_METHOD_NOAUTH:
		sf->sf_state = SFRONT_REQUEST;
		return (1);
	case SOCKS_METHOD_USERPASS:
		sf->sf_state = SFRONT_AUTH;
		return (1);
	default:
		log_warnx("socks: %s: no acceptable authentication method "
		    "offered (methods 0x%08x)", sf->sf_peer, methods);
		sfront_close_flush(sf);
		return (-1);
	}
}

static int
sfront_auth(struct sfront *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, out[2], rep = SOCKS_REP_CLOSE;
	char		 user[256], pass[256];
	int		 n, ok;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		sfront_close(sf);
		return (-1);
	}
	if ((n = socks_parse_userpass(p, len, user, pass, &rep)) == 0)
		return (0);
	if (n < 0) {
		sfront_bad(sf, "bad username/password request");
		if (rep != SOCKS_REP_CLOSE)
			bufferevent_write(sf->sf_bev, out,
			    socks_auth_reply(out, 0));
		sfront_close_flush(sf);
		return (-1);
	}
	evbuffer_drain(in, (size_t)n);
	ok = sfront_auth_check(user, pass);
	bufferevent_write(sf->sf_bev, out, socks_auth_reply(out, ok));
	if (!ok) {
		log_warnx("socks: %s: authentication failed", sf->sf_peer);
		sfront_close_flush(sf);
		return (-1);
	}
	sf->sf_state = SFRONT_REQUEST;
	return (1);
}

static int
sfront_request(struct sfront *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, cmd = 0, rep = SOCKS_REP_CLOSE;
	int		 n;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		sfront_close(sf);
		return (-1);
	}
	n = socks_parse_request(p, len, &cmd, &sf->sf_target, &rep);
	if (n == 0)
		return (0);
	if (n < 0) {
		switch (rep) {
		case SOCKS_REP_CLOSE:
			sfront_bad(sf, "not a SOCKS5 request");
			break;
		case SOCKS_REP_ATYPUNSUPP:
			sfront_bad(sf, "unsupported address type");
			break;
		case SOCKS_REP_HOSTUNREACH:
			sfront_bad(sf, "empty host name or NUL in it");
			break;
		default:
			sfront_bad(sf, "bad request (port 0?)");
			break;
		}
		sfront_fail(sf, rep);
		return (-1);
	}
	evbuffer_drain(in, (size_t)n);
	if (cmd != SOCKS_CMD_CONNECT) {
		log_warnx("socks: %s: command %u not supported (CONNECT only)",
		    sf->sf_peer, cmd);
		sfront_fail(sf, SOCKS_REP_CMDUNSUPP);
		return (-1);
	}
	sfront_dial(sf);
	return (-1);	/* nothing more to parse; sf may be gone */
}

/* The request is in: stop the handshake clock and ask an exit node. */
static void
sfront_dial(struct sfront *sf)
{
	char	 ts[TARGET_STRLEN];
	int	 result = DIAL_FAIL;

	evtimer_del(sf->sf_timer);
	sf->sf_state = SFRONT_DIALING;
	log_debug("socks: %s CONNECT %s", sf->sf_peer,
	    target_str(&sf->sf_target, ts, sizeof ts));
	/* server_dial() never calls back before it returns. */
	sf->sf_dial = server_dial(&sf->sf_target, sf->sf_peer, sfront_dial_cb,
	    sf, &result);
	if (sf->sf_dial == NULL)
		sfront_fail(sf, socks_rep_from_dial(result));
}

/* server.c answers: relay on success, else the mapped REP.  Frees sf. */
static void
sfront_dial_cb(const struct dial_done *dd, void *arg)
{
	struct sfront		*sf = arg;
	struct bufferevent	*bev = sf->sf_bev;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	uint8_t			 out[SOCKS_REPLY_MAX];
	char			 tag[80 + TARGET_STRLEN], ts[TARGET_STRLEN];
	size_t			 len;

	sf->sf_dial = NULL;		/* server.c frees it after we return */
	if (dd->result != DIAL_OK) {
		sfront_fail(sf, socks_rep_from_dial(dd->result));
		return;
	}
	/* BND.ADDR: the hub's side of the user's connection. */
	if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&ss,
	    &sslen) == -1)
		len = socks_reply(out, SOCKS_REP_OK, NULL);
	else
		len = socks_reply(out, SOCKS_REP_OK, (struct sockaddr *)&ss);
	bufferevent_write(bev, out, len);
	snprintf(tag, sizeof tag, "socks %s dial %u %s", sf->sf_peer,
	    dd->req, target_str(&sf->sf_target, ts, sizeof ts));

	/* Hand over bev with any pipelined payload still in its input. */
	sf->sf_bev = NULL;
	sfront_close(sf);
	server_relay(dd, bev, tag);
}

static void
sfront_read_cb(struct bufferevent *bev, void *arg)
{
	struct sfront	*sf = arg;
	int		 rv;

	do {
		if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
			return;
		switch (sf->sf_state) {
		case SFRONT_GREETING:
		case SFRONT_REFUSED:
			rv = sfront_greeting(sf);
			break;
		case SFRONT_AUTH:
			rv = sfront_auth(sf);
			break;
		case SFRONT_REQUEST:
			rv = sfront_request(sf);
			break;
		case SFRONT_DIALING:
		default:
			return;		/* payload waits for the relay */
		}
	} while (rv > 0);
}

/*
 * The user went away.  During the handshake, just close.  While dialing,
 * an error (reset) cancels the dial; so does EOF, unless the client
 * pipelined payload after the request: then it has half-closed after
 * saying everything and still wants the answer, which the relay delivers
 * (a later read on the socket sees EOF again).
 */
static void
sfront_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct sfront	*sf = arg;

	if (sf->sf_state == SFRONT_DIALING && (what & BEV_EVENT_EOF) &&
	    !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		log_debug("socks: %s: half-closed while dialing", sf->sf_peer);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		log_debug("socks: %s: %s %s", sf->sf_peer,
		    sf->sf_state == SFRONT_DIALING ? "gone while dialing:" :
		    "gone during handshake:", strerror(EVUTIL_SOCKET_ERROR()));
	else
		log_debug("socks: %s: closed %s", sf->sf_peer,
		    sf->sf_state == SFRONT_DIALING ? "while dialing" :
		    "during handshake");
	sfront_close(sf);
}

static void
sfront_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct sfront	*sf = arg;

	log_info("socks: %s: no complete request within %d ms; closing",
	    sf->sf_peer, server_conf.handshake_ms);
	sfront_close(sf);
}
