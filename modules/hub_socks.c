/*
 * hub_socks.c: the hub's SOCKS front (SOCKS5, RFC 1928; SOCKS4 and 4a, the
 * first byte tells which).  Owns one proxy user's
 * connection from accept until the relay takes it: method negotiation,
 * the request, the dial through hub_dial() and the reply; then the dial's
 * exit and the connection go to a relay (relay_open()).  Message formats
 * live in socks.c; the relay in relay.c; dials in hub_dial.c.
 *
 * States of one connection:
 *
 *	GREETING --NOAUTH--> REQUEST --CONNECT--> DIALING --OK--> relay
 *	    \--USERPASS--> AUTH --/          \--other--> reply 0x07, close
 *	REFUSED (not allowed): read the greeting, answer 0xff, close.
 *	GREETING --SOCKS4 request--> DIALING (or reply 0x5b, close)
 *
 * Limits (limit.c, doc/limits.md): the connection counts against
 * -max-clients and -max-conns-per-ip from accept until it or its relay
 * closes, and against -max-conns-per-user from login.  Over a limit the
 * handshake still runs (a method is chosen, credentials are not checked)
 * and the request is answered REP 0x01 (general failure: the hub is busy)
 * or, for the per-user limit, REP 0x02 (not allowed by ruleset); answering
 * 0xff to the greeting would read as "no acceptable methods".
 *
 * Every error answers in SOCKS terms where the protocol has an answer and
 * closes once that answer is written (core_bev_close_flush()).
 *
 * Proxy users (auth.c): when the hub needs credentials from this client
 * (AUTH_NEED) only USERPASS is acceptable and RFC 1929 checks them; when it
 * does not (AUTH_OPEN), USERPASS is still preferred when offered, with any
 * password, so the user name's routing parameters reach the hub.
 *
 * SOCKS4 carries no password, so it is served only to AUTH_OPEN clients
 * (-allow-clients networks; loopback or -open-proxy without a users file); its
 * user id counts as an OPEN user name (routing parameters).  AUTH_NEED
 * clients get 0x5b and a log line saying why (doc/users.md, "SOCKS4").
 * SOCKS4 answers every failure with 0x5b: hub_socks_fail() maps the REP.
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
#include "acct.h"
#include "auth.h"
#include "limit.h"
#include "route.h"
#include "socks.h"
#include "hub.h"

/*
 * Input held before the request is parsed.  The longest message is a
 * RFC 1929 request (513 bytes); libevent stops reading at this mark, so a
 * flood never buffers more, and bytes that fail to parse close at once.
 * Payload the client pipelined after the request stays here (up to the
 * mark; the rest waits in the kernel) for the relay to forward.
 */
#define HUB_SOCKS_INBUF_MAX	600
#define HUB_SOCKS_PEEK		32	/* bytes of bad input shown in logs */

enum hub_socks_state {
	HUB_SOCKS_GREETING,
	HUB_SOCKS_AUTH,
	HUB_SOCKS_REQUEST,
	HUB_SOCKS_DIALING,
	HUB_SOCKS_REFUSED
};

struct hub_socks {
	struct bufferevent	*sf_bev;	/* owned until the relay */
	struct event		*sf_timer;	/* handshake deadline */
	struct dial		*sf_dial;	/* while DIALING */
	enum hub_socks_state	 sf_state;
	int			 sf_policy;	/* AUTH_OPEN, AUTH_NEED */
	struct target		 sf_target;
	struct sockaddr_storage	 sf_sa;		/* the client (limiter) */
	struct auth_user	 sf_user;	/* name "": none given */
	struct route		 sf_route;	/* from sf_user.params */
	struct limit_hold	*sf_hold;	/* counts; NULL when refused */
	uint8_t			 sf_refuse;	/* REP for the request, 0 none */
	int			 sf_v4;		/* a SOCKS4 client */
	char			 sf_peer[64];	/* "ip:port" */
};

static void	 hub_socks_close(struct hub_socks *);
static void	 hub_socks_close_flush(struct hub_socks *);
static void	 hub_socks_fail(struct hub_socks *, uint8_t);
static void	 hub_socks_bad(struct hub_socks *, const char *);
static void	 hub_socks_limited(struct hub_socks *, int);
static int	 hub_socks_method(struct hub_socks *, uint32_t);
static int	 hub_socks_auth_check(struct hub_socks *, const char *,
		    const char *);
static int	 hub_socks_greeting(struct hub_socks *);
static int	 hub_socks_auth(struct hub_socks *);
static int	 hub_socks_request(struct hub_socks *);
static int	 hub_socks_v4(struct hub_socks *);
static void	 hub_socks_dial(struct hub_socks *);
static void	 hub_socks_dial_cb(const struct dial_done *, void *);
static void	 hub_socks_relay_closed(struct relay *, void *);
static void	 hub_socks_read_cb(struct bufferevent *, void *);
static void	 hub_socks_event_cb(struct bufferevent *, short, void *);
static void	 hub_socks_timeout_cb(evutil_socket_t, short, void *);

/* see hub.h */
void
hub_socks_accept(int fd, struct sockaddr *sa, socklen_t salen, void *arg)
{
	struct hub_socks	*sf;
	struct timeval	 tv;
	char		 peer[64];
	int		 why, ms;

	core_sa_str(sa, peer, sizeof peer);
	if ((sf = calloc(1, sizeof *sf)) == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		evutil_closesocket(fd);
		return;
	}
	strlcpy(sf->sf_peer, peer, sizeof sf->sf_peer);
	if (salen > sizeof sf->sf_sa)
		salen = sizeof sf->sf_sa;
	memcpy(&sf->sf_sa, sa, salen);
	sf->sf_bev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (sf->sf_bev == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		evutil_closesocket(fd);
		free(sf);
		return;
	}
	if ((sf->sf_timer = evtimer_new(core_base, hub_socks_timeout_cb,
	    sf)) == NULL) {
		log_warnx("socks: %s: out of memory; closing", peer);
		bufferevent_free(sf->sf_bev);
		free(sf);
		return;
	}
	sf->sf_policy = auth_client_policy(sa);
	if (sf->sf_policy != AUTH_DENY) {
		sf->sf_state = HUB_SOCKS_GREETING;
		sf->sf_hold = hub_mixed_hold(arg, sa, &why);
		if (sf->sf_hold == NULL)
			hub_socks_limited(sf, why);
	} else {
		log_warnx("socks: refused %s: not a loopback client and not in "
		    "-allow-clients; give the hub -users FILE (proxy "
		    "credentials), -allow-clients CIDR or -open-proxy to serve "
		    "it", peer);
		sf->sf_state = HUB_SOCKS_REFUSED;
	}
	/* One deadline for greeting, authentication and request together. */
	ms = hub_mixed_left_ms(arg);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(sf->sf_timer, &tv);

	bufferevent_setcb(sf->sf_bev, hub_socks_read_cb, NULL,
	    hub_socks_event_cb, sf);
	bufferevent_setwatermark(sf->sf_bev, EV_READ, 0, HUB_SOCKS_INBUF_MAX);
	/* EV_WRITE only once a reply waits (core_bev_send()). */
	bufferevent_enable(sf->sf_bev, EV_READ);
}

/* Frees sf and closes the connection now, cancelling a pending dial. */
static void
hub_socks_close(struct hub_socks *sf)
{
	if (sf->sf_dial != NULL)
		hub_dial_cancel(sf->sf_dial);
	if (sf->sf_bev != NULL)
		bufferevent_free(sf->sf_bev);
	limit_close(sf->sf_hold);
	event_free(sf->sf_timer);
	free(sf);
}

/* Frees sf; the connection closes once its queued reply is written. */
static void
hub_socks_close_flush(struct hub_socks *sf)
{
	struct bufferevent	*bev = sf->sf_bev;

	sf->sf_bev = NULL;
	hub_socks_close(sf);
	core_bev_close_flush(bev);
}

/* Answer a request with rep (unless SOCKS_REP_CLOSE) and close; frees sf. */
static void
hub_socks_fail(struct hub_socks *sf, uint8_t rep)
{
	uint8_t	 out[SOCKS_REPLY_MAX];
	size_t	 len;

	if (rep != SOCKS_REP_CLOSE) {
		len = sf->sf_v4 ? socks4_reply(out, rep) :
		    socks_reply(out, rep, NULL);
		core_bev_send(sf->sf_bev, out, len);
	}
	hub_socks_close_flush(sf);
}

/* One warning per protocol error, with the offending bytes escaped. */
static void
hub_socks_bad(struct hub_socks *sf, const char *what)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	uint8_t		 peek[HUB_SOCKS_PEEK];
	char		 esc[4 * HUB_SOCKS_PEEK + 1];
	ev_ssize_t	 n;

	if ((n = evbuffer_copyout(in, peek, sizeof peek)) < 0)
		n = 0;
	log_warnx("%s: %s: %s: \"%s\"%s", sf->sf_v4 ? "socks4" : "socks",
	    sf->sf_peer, what,
	    log_escape(esc, sizeof esc, peek, (size_t)n),
	    evbuffer_get_length(in) > sizeof peek ? "..." : "");
}

/*
 * A limit refuses this connection: remember the REP its request gets and
 * log, at most once a second per address (per user; hub-wide for the
 * total), so a flood does not flood the log.
 */
static void
hub_socks_limited(struct hub_socks *sf, int why)
{
	const char	*name = sf->sf_user.name;
	const char	*flag = limit_why_str(why);
	u_int		 more = 0;
	int		 max;

	sf->sf_refuse = why == LIMIT_USER ? SOCKS_REP_NOTALLOWED :
	    SOCKS_REP_FAIL;
	hub_event(HUB_EV_REFUSED, 0, "front", sf->sf_v4 ? "socks4" : "socks",
	    "addr", hub_event_ip((struct sockaddr *)&sf->sf_sa), "limit",
	    limit_why_str(why), "user", why == LIMIT_USER ? name : NULL, NULL);
	if (!limit_log_ok(why, (struct sockaddr *)&sf->sf_sa, name, &more))
		return;
	switch (why) {
	case LIMIT_ADDR:
		max = hub.conf.max_conns_per_ip;
		break;
	case LIMIT_USER:
		/* The user's own conns= (users file) overrides the flag. */
		max = hub_acct_max_conns(name, hub.conf.max_conns_per_user);
		if (hub_acct_max_conns(name, 0) > 0)
			flag = "the user's conns=";
		break;
	case LIMIT_TOTAL:
		max = hub.conf.max_clients;
		break;
	default:
		log_warnx("socks: %s: refused: out of memory counting "
		    "connections (%u more refused since the last such line)",
		    sf->sf_peer, more);
		return;
	}
	log_warnx("socks: %s%s%s: refused: %d connections %s already (%s "
	    "%d; %u more refused since the last such line)", sf->sf_peer,
	    why == LIMIT_USER ? " user " : "", why == LIMIT_USER ? name : "",
	    max, why == LIMIT_USER ? "for this user" : why == LIMIT_ADDR ?
	    "from this address" : "to the hub", flag, max, more);
}

/*
 * Pick a method from the client's offer: USERPASS when credentials are
 * needed; otherwise USERPASS when offered (the user name may carry routing
 * parameters), else NOAUTH.
 */
static int
hub_socks_method(struct hub_socks *sf, uint32_t methods)
{
	/* Refused by a limit: any method leads to the refusing reply. */
	if (sf->sf_refuse != 0 && (methods & (1U << SOCKS_METHOD_NOAUTH)))
		return (SOCKS_METHOD_NOAUTH);
	if (methods & (1U << SOCKS_METHOD_USERPASS))
		return (SOCKS_METHOD_USERPASS);
	if (sf->sf_policy == AUTH_OPEN &&
	    (methods & (1U << SOCKS_METHOD_NOAUTH)))
		return (SOCKS_METHOD_NOAUTH);
	return (SOCKS_METHOD_NONE);
}

/* Routing parameters of the accepted user name; 0 (refuse) when bad. */
static int
hub_socks_route(struct hub_socks *sf)
{
	char	 why[ROUTE_WHY_MAX];

	if (route_parse(sf->sf_user.params, &sf->sf_route, why,
	    sizeof why) == 0) {
		sf->sf_route.acct_pools = sf->sf_user.verified;
		return (1);
	}
	log_warnx("socks: %s: user %s: bad routing parameters: %s",
	    sf->sf_peer, sf->sf_user.name, why);
	memset(&sf->sf_route, 0, sizeof sf->sf_route);
	return (0);
}

/*
 * A whole request of n bytes parsed (SOCKS5 or 4): drop it from in, then
 * the refusal decided at login or a command other than CONNECT is
 * answered.  0: go on; -1: sf answered.
 */
static int
hub_socks_parsed(struct hub_socks *sf, struct evbuffer *in, int n,
    uint8_t cmd)
{
	evbuffer_drain(in, (size_t)n);
	if (sf->sf_refuse != 0) {
		hub_socks_fail(sf, sf->sf_refuse);
		return (-1);
	}
	if (cmd != SOCKS_CMD_CONNECT) {
		log_warnx("%s: %s: command %u not supported (CONNECT only)",
		    sf->sf_v4 ? "socks4" : "socks", sf->sf_peer, cmd);
		hub_socks_fail(sf, SOCKS_REP_CMDUNSUPP);
		return (-1);
	}
	return (0);
}

/*
 * RFC 1929 credentials: checked against the users file (through the
 * failed-login limiter) when the client must authenticate; in open mode
 * only the user name's form is checked.  Logs failures; 1 = accepted.
 */
static int
hub_socks_auth_check(struct hub_socks *sf, const char *user, const char *pass)
{
	const char	*why;
	char		 esc[4 * 255 + 1], text[ACCT_TEXT_LEN];
	int		 rc, lwhy;

	if (sf->sf_refuse != 0)
		return (1);	/* the request is refused anyway: no hashing */
	if (sf->sf_policy == AUTH_OPEN) {
		if (auth_user_parse(user, &sf->sf_user, &why) == 0)
			return (hub_socks_route(sf));
		log_warnx("socks: %s: user name \"%s\" refused: %s",
		    sf->sf_peer, log_escape(esc, sizeof esc, user,
		    strlen(user)), why);
		return (0);
	}
	rc = auth_login((struct sockaddr *)&sf->sf_sa, user, pass,
	    &sf->sf_user, &why);
	if (rc == 0) {
		log_debug("socks: %s: user %s logged in", sf->sf_peer,
		    sf->sf_user.name);
		if (sf->sf_hold != NULL && limit_user(sf->sf_hold,
		    sf->sf_user.name, hub_acct_max_conns(sf->sf_user.name,
		    hub.conf.max_conns_per_user), &lwhy) == -1)
			hub_socks_limited(sf, lwhy);
		else if (hub_acct_login(sf->sf_user.name, text,
		    sizeof text) != ACCT_OK) {
			/* Logged once per user and period by hub_acct. */
			log_debug("socks: %s: user %s refused: %s",
			    sf->sf_peer, sf->sf_user.name, text);
			sf->sf_refuse = SOCKS_REP_NOTALLOWED;
		}
		return (hub_socks_route(sf));
	}
	if (rc == -1)
		log_warnx("socks: %s: login failed for user \"%s\": %s",
		    sf->sf_peer, log_escape(esc, sizeof esc, user,
		    strlen(user)), why);
	hub_event(HUB_EV_LOGIN_FAILED, 0, "front", "socks", "addr",
	    hub_event_ip((struct sockaddr *)&sf->sf_sa), "user", user,
	    "reason", why, NULL);
	memset(&sf->sf_user, 0, sizeof sf->sf_user);
	return (0);
}

/* Each state handler: 1 = progressed, 0 = need more, -1 = sf is freed. */
static int
hub_socks_greeting(struct hub_socks *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, out[2], rep = SOCKS_REP_CLOSE;
	uint32_t	 methods = 0;
	int		 n, method;
	char		 ml[128];

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		log_warnx("socks: %s: out of memory; closing", sf->sf_peer);
		hub_socks_close(sf);
		return (-1);
	}
	if ((n = socks_parse_greeting(p, len, &methods, &rep)) == 0)
		return (0);
	if (sf->sf_state == HUB_SOCKS_REFUSED) {
		/* Logged at accept; answer like a server with no method. */
		if (n > 0 || rep != SOCKS_REP_CLOSE)
			core_bev_send(sf->sf_bev, out,
			    socks_method_reply(out, SOCKS_METHOD_NONE));
		hub_socks_close_flush(sf);
		return (-1);
	}
	if (n < 0) {
		hub_socks_bad(sf, rep == SOCKS_REP_CLOSE ?
		    "not a SOCKS5 greeting" : "greeting offers no methods");
		if (rep != SOCKS_REP_CLOSE)
			core_bev_send(sf->sf_bev, out,
			    socks_method_reply(out, SOCKS_METHOD_NONE));
		hub_socks_close_flush(sf);
		return (-1);
	}
	evbuffer_drain(in, (size_t)n);
	method = hub_socks_method(sf, methods);
	core_bev_send(sf->sf_bev, out, socks_method_reply(out,
	    (uint8_t)method));
	switch (method) {
	case SOCKS_METHOD_NOAUTH:
		sf->sf_state = HUB_SOCKS_REQUEST;
		return (1);
	case SOCKS_METHOD_USERPASS:
		sf->sf_state = HUB_SOCKS_AUTH;
		return (1);
	default:
		if (sf->sf_policy == AUTH_NEED)
			log_warnx("socks: %s: the client offered no "
			    "username/password method (offered: %s); this "
			    "hub needs proxy credentials", sf->sf_peer,
			    socks_methods_str(methods, ml, sizeof ml));
		else
			log_warnx("socks: %s: no acceptable authentication "
			    "method offered (offered: %s)", sf->sf_peer,
			    socks_methods_str(methods, ml, sizeof ml));
		hub_socks_close_flush(sf);
		return (-1);
	}
}

static int
hub_socks_auth(struct hub_socks *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, out[2], rep = SOCKS_REP_CLOSE;
	char		 user[256], pass[256];
	int		 n, ok;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		log_warnx("socks: %s: out of memory; closing", sf->sf_peer);
		hub_socks_close(sf);
		return (-1);
	}
	if ((n = socks_parse_userpass(p, len, user, pass, &rep)) == 0)
		return (0);
	if (n < 0) {
		hub_socks_bad(sf, "bad username/password request");
		if (rep != SOCKS_REP_CLOSE)
			core_bev_send(sf->sf_bev, out,
			    socks_auth_reply(out, 0));
		hub_socks_close_flush(sf);
		return (-1);
	}
	ok = hub_socks_auth_check(sf, user, pass);
	explicit_bzero(pass, sizeof pass);
	evbuffer_drain(in, (size_t)n);
	core_bev_send(sf->sf_bev, out, socks_auth_reply(out, ok));
	if (!ok) {
		hub_socks_close_flush(sf);
		return (-1);
	}
	sf->sf_state = HUB_SOCKS_REQUEST;
	return (1);
}

static int
hub_socks_request(struct hub_socks *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, cmd = 0, rep = SOCKS_REP_CLOSE;
	int		 n;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		log_warnx("socks: %s: out of memory; closing", sf->sf_peer);
		hub_socks_close(sf);
		return (-1);
	}
	n = socks_parse_request(p, len, &cmd, &sf->sf_target, &rep);
	if (n == 0)
		return (0);
	if (n < 0) {
		switch (rep) {
		case SOCKS_REP_CLOSE:
			hub_socks_bad(sf, "not a SOCKS5 request");
			break;
		case SOCKS_REP_ATYPUNSUPP:
			hub_socks_bad(sf, "unsupported address type");
			break;
		case SOCKS_REP_HOSTUNREACH:
			hub_socks_bad(sf, "empty host name or NUL in it");
			break;
		default:
			hub_socks_bad(sf, "bad request (port 0?)");
			break;
		}
		hub_socks_fail(sf, rep);
		return (-1);
	}
	if (hub_socks_parsed(sf, in, n, cmd) == -1)
		return (-1);
	hub_socks_dial(sf);
	return (-1);	/* nothing more to parse; sf may be gone */
}

/*
 * A SOCKS4 or 4a request (the first byte was 4): served to AUTH_OPEN
 * clients only, the user id as an open user name.  Returns 0 (need more)
 * or -1 (sf answered, or dialing).
 */
static int
hub_socks_v4(struct hub_socks *sf)
{
	struct evbuffer	*in = bufferevent_get_input(sf->sf_bev);
	size_t		 len = evbuffer_get_length(in);
	uint8_t		*p, cmd = 0, rep = SOCKS_REP_CLOSE;
	const char	*why;
	char		 user[SOCKS4_USERID_MAX + 1];
	char		 esc[4 * SOCKS4_USERID_MAX + 1];
	int		 n;

	if ((p = evbuffer_pullup(in, len)) == NULL && len != 0) {
		log_warnx("socks4: %s: out of memory; closing", sf->sf_peer);
		hub_socks_close(sf);
		return (-1);
	}
	n = socks4_parse_request(p, len, &cmd, &sf->sf_target, user, &rep);
	if (n == 0)
		return (0);
	sf->sf_v4 = 1;
	if (sf->sf_state == HUB_SOCKS_REFUSED) {
		hub_socks_fail(sf, SOCKS_REP_NOTALLOWED);	/* logged */
		return (-1);
	}
	if (n < 0) {
		hub_socks_bad(sf, rep == SOCKS_REP_CMDUNSUPP ? "command not "
		    "supported (CONNECT only)" : rep == SOCKS_REP_HOSTUNREACH ?
		    "bad SOCKS4a host name (empty, or over 255 bytes)" :
		    "bad SOCKS4 request (user id over 255 bytes, port 0 or "
		    "address 0.0.0.0?)");
		hub_socks_fail(sf, rep);
		return (-1);
	}
	if (hub_socks_parsed(sf, in, n, cmd) == -1)
		return (-1);
	if (sf->sf_policy != AUTH_OPEN) {
		log_warnx("socks4: %s: refused: SOCKS4 carries no password and "
		    "this hub wants proxy credentials from this address; use "
		    "SOCKS5 or HTTP with a user, or add the client's network "
		    "to -allow-clients", sf->sf_peer);
		hub_socks_fail(sf, SOCKS_REP_NOTALLOWED);
		return (-1);
	}
	if (user[0] != '\0') {
		if (auth_user_parse(user, &sf->sf_user, &why) == -1) {
			log_warnx("socks4: %s: user id \"%s\" refused: %s",
			    sf->sf_peer, log_escape(esc, sizeof esc, user,
			    strlen(user)), why);
			hub_socks_fail(sf, SOCKS_REP_NOTALLOWED);
			return (-1);
		}
		if (!hub_socks_route(sf)) {
			hub_socks_fail(sf, SOCKS_REP_NOTALLOWED);
			return (-1);
		}
	}
	hub_socks_dial(sf);
	return (-1);	/* nothing more to parse; sf may be gone */
}

/* The request is in: stop the handshake clock and ask an exit node. */
static void
hub_socks_dial(struct hub_socks *sf)
{
	char		 ts[TARGET_STRLEN];
	const char	*why = NULL;
	int		 result = DIAL_FAIL;

	evtimer_del(sf->sf_timer);
	sf->sf_state = HUB_SOCKS_DIALING;
	log_debug("%s: %s CONNECT %s", sf->sf_v4 ? "socks4" : "socks",
	    sf->sf_peer,
	    target_str(&sf->sf_target, ts, sizeof ts));
	/* hub_dial() never calls back before it returns. */
	sf->sf_dial = hub_dial(&sf->sf_target, &sf->sf_route,
	    sf->sf_user.name, sf->sf_peer, HUB_DIAL_TUNNEL, hub_socks_dial_cb,
	    sf, &result, &why);
	if (sf->sf_dial == NULL) {
		if (why != NULL && why[0] != '\0')
			log_debug("socks: %s: %s", sf->sf_peer, why);
		hub_socks_fail(sf, socks_rep_from_dial(result));
	}
}

/* The hub answers: relay on success, else the mapped REP.  Frees sf. */
static void
hub_socks_dial_cb(const struct dial_done *dd, void *arg)
{
	struct hub_socks		*sf = arg;
	struct bufferevent	*bev = sf->sf_bev;
	struct limit_hold	*hold;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	uint8_t			 out[SOCKS_REPLY_MAX];
	char			 tag[160 + TARGET_STRLEN], ts[TARGET_STRLEN];
	const char		*proto = sf->sf_v4 ? "socks4" : "socks";
	size_t			 len;

	sf->sf_dial = NULL;	/* hub_dial.c frees it after we return */
	if (dd->result != DIAL_OK) {
		hub_socks_fail(sf, socks_rep_from_dial(dd->result));
		return;
	}
	/* BND.ADDR: the hub's side of the user's connection. */
	if (sf->sf_v4)
		len = socks4_reply(out, SOCKS_REP_OK);
	else if (getsockname(bufferevent_getfd(bev), (struct sockaddr *)&ss,
	    &sslen) == -1)
		len = socks_reply(out, SOCKS_REP_OK, NULL);
	else
		len = socks_reply(out, SOCKS_REP_OK, (struct sockaddr *)&ss);
	core_bev_send(bev, out, len);
	if (sf->sf_user.verified)
		hub_acct_exit(dd->exit, sf->sf_user.name, bev);
	snprintf(tag, sizeof tag, "socks%s %s%s%s dial %u %s",
	    sf->sf_v4 ? "4" : "", sf->sf_peer,
	    sf->sf_user.name[0] != '\0' ? " user " : "", sf->sf_user.name,
	    dd->req, target_str(&sf->sf_target, ts, sizeof ts));

	/* Hand over bev with any pipelined payload still in its input. */
	hold = sf->sf_hold;
	sf->sf_hold = NULL;
	sf->sf_bev = NULL;
	hub_socks_close(sf);
	if (relay_open(bev, dd->exit, proto, tag, hub_socks_relay_closed,
	    hold) == NULL)
		limit_close(hold);
}

/* The relay closed: the user's connection counts no more. */
static void
hub_socks_relay_closed(struct relay *r __unused, void *hold)
{
	limit_close(hold);
}

static void
hub_socks_read_cb(struct bufferevent *bev, void *arg)
{
	struct hub_socks	*sf = arg;
	int		 rv;

	do {
		if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
			return;
		switch (sf->sf_state) {
		case HUB_SOCKS_GREETING:
		case HUB_SOCKS_REFUSED:
			if (*evbuffer_pullup(bufferevent_get_input(bev), 1) ==
			    SOCKS4_VERSION) {
				rv = hub_socks_v4(sf);
				break;
			}
			rv = hub_socks_greeting(sf);
			break;
		case HUB_SOCKS_AUTH:
			rv = hub_socks_auth(sf);
			break;
		case HUB_SOCKS_REQUEST:
			rv = hub_socks_request(sf);
			break;
		case HUB_SOCKS_DIALING:
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
hub_socks_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct hub_socks	*sf = arg;

	if (sf->sf_state == HUB_SOCKS_DIALING && (what & BEV_EVENT_EOF) &&
	    !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		log_debug("socks: %s: half-closed while dialing", sf->sf_peer);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		log_debug("socks: %s: %s %s", sf->sf_peer,
		    sf->sf_state == HUB_SOCKS_DIALING ? "gone while dialing:" :
		    "gone during handshake:", strerror(EVUTIL_SOCKET_ERROR()));
	else
		log_debug("socks: %s: closed %s", sf->sf_peer,
		    sf->sf_state == HUB_SOCKS_DIALING ? "while dialing" :
		    "during handshake");
	hub_socks_close(sf);
}

static void
hub_socks_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct hub_socks	*sf = arg;

	log_info("socks: %s: no complete request within %d ms; closing",
	    sf->sf_peer, hub.conf.handshake_ms);
	hub_socks_close(sf);
}
