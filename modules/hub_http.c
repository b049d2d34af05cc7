/*
 * hub_http.c: the hub's HTTP proxy front (doc/http-proxy.md).  Owns what
 * the hub decides for one client connection: whether it is served at all
 * (-allow-clients, -open-proxy, the limits) and, per request, its proxy user,
 * routing and the dial for its exit.  The connection itself is a relay in
 * HTTP mode from accept to close (relay_http.c): it reads the requests,
 * asks here for each one's exit (hub_http_request()), and forwards the
 * exchange or tunnels a CONNECT; parsing and rewriting are http.c.
 * Proxy users (auth.c): under AUTH_NEED every request on the connection
 * carries Proxy-Authorization: Basic, or gets 407; the login cache makes
 * that cheap for keep-alive.  The field is hop-by-hop: never forwarded.
 * Limits (limit.c, doc/limits.md): a connection counts against
 * -max-clients and -max-conns-per-ip from accept until it (or its CONNECT
 * tunnel) closes; over them it gets 503 (hub full) or 429 (this address)
 * at once.  A logged-in user counts against -max-conns-per-user from the
 * first request that names it; over it, that request gets 429.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "http.h"
#include "limit.h"
#include "route.h"
#include "hub.h"

/* Extra wait past the dial timeout, in case no answer ever comes. */
#define HUB_HTTP_DIAL_SLACK_MS	5000

/* One client connection, as the front sees it; its relay owns it. */
struct hub_http {
	struct relay		*r;		/* the connection */
	struct dial		*dial;		/* pending for the request */
	struct limit_hold	*hold;		/* counts; NULL when refused */
	int			 policy;	/* AUTH_OPEN, AUTH_NEED */
	/* The request's user when its password was checked, else "". */
	char			 acct_user[AUTH_NAME_MAX + 1];
};

/* One request: its proxy user and where to route it. */
struct hub_http_req {
	struct auth_user	 user;		/* name "": none given */
	struct route		 route;		/* from user.params */
};

static int	 hub_http_request(struct relay *, void *,
		    const struct http_msg *, const uint8_t *,
		    const struct target *);
static void	 hub_http_cancel(struct relay *, void *);
static void	 hub_http_closed(struct relay *, void *);
static int	 hub_http_limited(struct hub_http *, const char *, int);
static void	 hub_http_dial_cb(const struct dial_done *, void *);

static const struct relay_http_front hub_http_front = {
	hub_http_request,
	hub_http_cancel,
	hub_http_closed
};

/* see hub.h */
void
hub_http_accept(int fd, struct sockaddr *sa, socklen_t salen, void *arg)
{
	struct relay_http_conf	 conf;
	struct hub_http		*hc;
	char			 reply[HTTP_REPLY_MAX];
	size_t			 n;
	int			 why;

	memset(&conf, 0, sizeof conf);
	conf.head_ms = hub.conf.handshake_ms;
	conf.first_ms = hub_mixed_left_ms(arg);	/* the first byte took some */
	conf.keepalive_ms = hub.conf.http_idle_ms > 0 ?
	    hub.conf.http_idle_ms : hub.conf.handshake_ms;
	conf.wait_ms = hub.conf.dial_ms * (1 + hub.conf.dial_retries) +
	    HUB_HTTP_DIAL_SLACK_MS;
	conf.via = hub.conf.via;
	conf.exit0 = "node 0";
	if ((hc = calloc(1, sizeof *hc)) == NULL ||
	    (hc->r = relay_http_new(fd, sa, salen, &conf, &hub_http_front,
	    hc)) == NULL) {
		log_warnx("http: %s: out of memory; closing",
		    core_sa_str(sa, reply, sizeof reply));
		if (hc == NULL)
			evutil_closesocket(fd);
		free(hc);
		return;
	}
	if ((hc->policy = auth_client_policy(sa)) == AUTH_DENY) {
		log_warnx("http: %s: proxy use refused: not a loopback client "
		    "and not in -allow-clients; give the hub -users FILE "
		    "(proxy credentials), -allow-clients CIDR or -open-proxy "
		    "to serve it",
		    relay_tag(hc->r));
		n = http_reply(reply, sizeof reply, 403, "tentacle: this proxy "
		    "does not serve your address\n");
		relay_http_reply(hc->r, 403, reply, n);
		return;
	}
	hc->hold = hub_mixed_hold(arg, sa, &why);
	if (hc->hold == NULL)
		hub_http_limited(hc, "", why);
}

/* The relay no longer waits for the exit: cancel its dial. */
static void
hub_http_cancel(struct relay *r __unused, void *arg)
{
	struct hub_http	*hc = arg;

	if (hc->dial != NULL) {
		hub_dial_cancel(hc->dial);
		hc->dial = NULL;
	}
}

/* The connection closed (its relay_close()): frees hc. */
static void
hub_http_closed(struct relay *r, void *arg)
{
	struct hub_http	*hc = arg;

	hub_http_cancel(r, hc);
	limit_close(hc->hold);
	free(hc);
}

/* 407 with the Basic challenge; closes (the client retries anew). */
static int
hub_http_407(struct hub_http *hc)
{
	static const char	 body[] = "tentacle: proxy authentication "
	    "required\n";
	char			 reply[HTTP_REPLY_MAX];
	int			 n;

	relay_http_log(hc->r, 407);
	n = snprintf(reply, sizeof reply, "HTTP/1.1 407 Proxy "
	    "Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"tentacle\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", sizeof body - 1, body);
	if (n < 0 || (size_t)n >= sizeof reply)
		n = 0;
	return (relay_http_reply(hc->r, 407, reply, n));
}

/*
 * A limit refuses this connection (at accept) or request (per user name):
 * 429 Too Many Requests (RFC 6585) for this address or user, 503 when the
 * hub is full, both with Retry-After; then close.  Logged at most once a
 * second per address (per user; hub-wide for the rest).  Returns -1.
 */
static int
hub_http_limited(struct hub_http *hc, const char *name, int why)
{
	const char	*who = relay_tag(hc->r), *what;
	const char	*flag = limit_why_str(why);
	char		 reply[HTTP_REPLY_MAX], body[160];
	u_int		 more = 0;
	int		 n, max, status;

	switch (why) {
	case LIMIT_ADDR:
		max = hub.conf.max_conns_per_ip;
		what = "from this address";
		break;
	case LIMIT_USER:
		/* The user's own conns= (users file) overrides the flag. */
		max = hub_acct_max_conns(name, hub.conf.max_conns_per_user);
		what = "for this user";
		if (hub_acct_max_conns(name, 0) > 0)
			flag = "the user's conns=";
		break;
	case LIMIT_TOTAL:
		max = hub.conf.max_clients;
		what = "to the hub";
		break;
	default:
		max = 0;
		what = NULL;
		break;
	}
	status = why == LIMIT_ADDR || why == LIMIT_USER ? 429 : 503;
	hub_event(HUB_EV_REFUSED, 0, "front", "http", "addr", hub_event_ip(
	    relay_http_peer(hc->r)), "limit", limit_why_str(why), "user",
	    why == LIMIT_USER ? name : NULL, NULL);
	if (limit_log_ok(why, relay_http_peer(hc->r), name, &more)) {
		if (what == NULL)
			log_warnx("http: %s: refused: out of memory counting "
			    "connections (%u more refused since the last such "
			    "line)", who, more);
		else
			log_warnx("http: %s%s%s: refused: %d connections %s "
			    "already (%s %d; %u more refused since the last "
			    "such line)", who, why == LIMIT_USER ?
			    " user " : "", why == LIMIT_USER ? name : "", max,
			    what, flag, max, more);
	}
	if (what == NULL)
		snprintf(body, sizeof body, "tentacle: the proxy is out of "
		    "memory\n");
	else
		snprintf(body, sizeof body, "tentacle: too many connections "
		    "%s (%s %d)\n", why == LIMIT_ADDR ? "from your address" :
		    what, flag, max);
	n = snprintf(reply, sizeof reply, "HTTP/1.1 %d %s\r\n"
	    "Retry-After: 1\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", status, status == 429 ? "Too Many Requests" :
	    "Service Unavailable", strlen(body), body);
	if (n < 0 || (size_t)n >= sizeof reply)
		n = 0;
	return (relay_http_reply(hc->r, status, reply, n));
}

/* A 400 for the request, logged; returns -1. */
static int
hub_http_400(struct hub_http *hc, const char *body)
{
	relay_http_log(hc->r, 400);
	return (relay_http_error(hc->r, 400, "tentacle: %s\n", body));
}

/* The accepted user name: routing parameters (400 when bad). */
static int
hub_http_route(struct hub_http *hc, struct hub_http_req *rq)
{
	char	 why[ROUTE_WHY_MAX], body[ROUTE_WHY_MAX + 32];

	relay_http_user(hc->r, rq->user.name);
	if (route_parse(rq->user.params, &rq->route, why, sizeof why) == 0) {
		rq->route.acct_pools = rq->user.verified;
		return (0);
	}
	log_warnx("http: %s: user %s: bad routing parameters: %s",
	    relay_tag(hc->r), rq->user.name, why);
	snprintf(body, sizeof body, "bad routing parameters: %s", why);
	return (hub_http_400(hc, body));
}

/*
 * The request's Proxy-Authorization value into *v, *vlen: 0 with *v NULL
 * when there is none, -1 when there are two (answered 400).
 */
static int
hub_http_auth_field(struct hub_http *hc, const struct http_msg *req,
    const uint8_t *buf, const char **v, size_t *vlen)
{
	static const char	 name[] = "proxy-authorization";
	const struct http_field	*f, *found = NULL;
	size_t			 i;

	for (i = 0; i < req->nfields; i++) {
		f = &req->fields[i];
		if (f->namelen != sizeof name - 1 || strncasecmp(
		    (const char *)buf + f->name, name, sizeof name - 1) != 0)
			continue;
		if (found != NULL) {
			log_warnx("http: %s: more than one Proxy-Authorization "
			    "field", relay_tag(hc->r));
			return (hub_http_400(hc, "more than one "
			    "Proxy-Authorization field"));
		}
		found = f;
	}
	*v = found != NULL ? (const char *)buf + found->value : NULL;
	*vlen = found != NULL ? found->valuelen : 0;
	return (0);
}

/*
 * Basic credentials in a Proxy-Authorization value: 0 with user and pass
 * filled, 1 when the scheme is not Basic, -1 when they are malformed.
 */
static int
hub_http_basic(const char *v, size_t vlen, char *user, char *pass)
{
	char		 cred[2 * AUTH_USERNAME_MAX + 3];
	const char	*colon;
	ssize_t		 n;

	if (vlen < 6 || strncasecmp(v, "basic", 5) != 0 ||
	    (v[5] != ' ' && v[5] != '\t'))
		return (1);
	for (v += 6, vlen -= 6; vlen > 0 && (*v == ' ' || *v == '\t');
	    v++, vlen--)
		;
	n = auth_b64_decode((uint8_t *)cred, sizeof cred - 1, v, vlen);
	if (n < 0 || memchr(cred, '\0', (size_t)n) != NULL ||
	    (colon = memchr(cred, ':', (size_t)n)) == NULL ||
	    (size_t)(colon - cred) > AUTH_USERNAME_MAX ||
	    (size_t)(cred + n - colon - 1) > AUTH_PASSWORD_MAX) {
		explicit_bzero(cred, sizeof cred);
		return (-1);
	}
	memcpy(user, cred, (size_t)(colon - cred));
	user[colon - cred] = '\0';
	memcpy(pass, colon + 1, (size_t)(cred + n - colon - 1));
	pass[cred + n - colon - 1] = '\0';
	explicit_bzero(cred, sizeof cred);
	return (0);
}

/* Open mode: any password; the user name's form and routing count. */
static int
hub_http_auth_open(struct hub_http *hc, struct hub_http_req *rq,
    const char *user)
{
	const char	*why;
	char		 esc[4 * AUTH_USERNAME_MAX + 1], body[160];

	if (auth_user_parse(user, &rq->user, &why) == 0)
		return (hub_http_route(hc, rq));
	log_warnx("http: %s: user name \"%s\" refused: %s", relay_tag(hc->r),
	    log_escape(esc, sizeof esc, user, strlen(user)), why);
	memset(&rq->user, 0, sizeof rq->user);
	snprintf(body, sizeof body, "bad user name: %s", why);
	return (hub_http_400(hc, body));
}

/*
 * This request's Proxy-Authorization (buf is the parsed head).  Under
 * AUTH_NEED it must hold good Basic credentials, else 407 (400 when it is
 * malformed); under AUTH_OPEN it is optional and only its user name (the
 * routing parameters) counts.  Returns 0 to go on, -1 when the relay
 * answered and is closing (or gone).
 */
static int
hub_http_auth(struct hub_http *hc, const struct http_msg *req,
    const uint8_t *buf, struct hub_http_req *rq)
{
	const char	*v, *why;
	char		 esc[4 * AUTH_USERNAME_MAX + 1];
	char		 user[AUTH_USERNAME_MAX + 1];
	char		 pass[AUTH_PASSWORD_MAX + 1];
	char		 text[ACCT_TEXT_LEN];
	size_t		 vlen;
	int		 rc, lwhy;

	memset(rq, 0, sizeof *rq);
	if (hub_http_auth_field(hc, req, buf, &v, &vlen) == -1)
		return (-1);
	if (v == NULL && hc->policy == AUTH_OPEN)
		return (0);
	if (v == NULL)
		return (hub_http_407(hc));
	if ((rc = hub_http_basic(v, vlen, user, pass)) == 1) {
		if (hc->policy == AUTH_OPEN)
			return (0);	/* not ours to judge */
		log_warnx("http: %s: Proxy-Authorization is not Basic",
		    relay_tag(hc->r));
		return (hub_http_407(hc));
	}
	if (rc == -1) {
		log_warnx("http: %s: malformed Proxy-Authorization (want "
		    "Basic base64(user:password), at most 255 bytes each)",
		    relay_tag(hc->r));
		return (hub_http_400(hc, "malformed Proxy-Authorization"));
	}
	if (hc->policy == AUTH_OPEN) {
		explicit_bzero(pass, sizeof pass);
		return (hub_http_auth_open(hc, rq, user));
	}
	rc = auth_login(relay_http_peer(hc->r), user, pass, &rq->user, &why);
	explicit_bzero(pass, sizeof pass);
	if (rc == 0) {
		if (limit_user(hc->hold, rq->user.name,
		    hub_acct_max_conns(rq->user.name,
		    hub.conf.max_conns_per_user), &lwhy) == -1)
			return (hub_http_limited(hc, rq->user.name, lwhy));
		if (hub_acct_login(rq->user.name, text, sizeof text) !=
		    ACCT_OK) {
			/* Logged once per user and period by hub_acct. */
			relay_http_log(hc->r, 403);
			return (relay_http_error(hc->r, 403, "tentacle: user "
			    "%s: %s\n", rq->user.name, text));
		}
		return (hub_http_route(hc, rq));
	}
	memset(&rq->user, 0, sizeof rq->user);
	if (rc == -1)
		log_warnx("http: %s: login failed for user \"%s\": %s",
		    relay_tag(hc->r), log_escape(esc, sizeof esc, user,
		    strlen(user)), why);
	hub_event(HUB_EV_LOGIN_FAILED, 0, "front", "http", "addr",
	    hub_event_ip(relay_http_peer(hc->r)), "user", user, "reason", why,
	    NULL);
	return (hub_http_407(hc));
}

/*
 * The relay read a request head for t: check the proxy user, then dial
 * an exit node (see struct relay_http_front).
 */
static int
hub_http_request(struct relay *r, void *arg, const struct http_msg *req,
    const uint8_t *head, const struct target *t)
{
	struct hub_http		*hc = arg;
	struct hub_http_req	 rq;
	const char		*why = NULL;
	int			 result = DIAL_FAIL, status;

	if (hub_http_auth(hc, req, head, &rq) == -1)
		return (-1);
	strlcpy(hc->acct_user, rq.user.verified ? rq.user.name : "",
	    sizeof hc->acct_user);
	hc->dial = hub_dial(t, &rq.route, rq.user.name, relay_tag(r),
	    req->method == HTTP_M_CONNECT ? HUB_DIAL_TUNNEL : 0,
	    hub_http_dial_cb, hc, &result, &why);
	if (hc->dial != NULL)
		return (0);
	status = http_status_from_dial(result);
	relay_http_log(r, status);
	return (relay_http_error(r, status, "tentacle: %s\n",
	    why != NULL && why[0] != '\0' ? why : http_dial_str(result)));
}

/* The dial answered: its exit (or failure) goes to the relay. */
static void
hub_http_dial_cb(const struct dial_done *dd, void *arg)
{
	struct hub_http	*hc = arg;

	hc->dial = NULL;	/* hub_dial.c frees it after we return */
	if (dd->exit != NULL && hc->acct_user[0] != '\0')
		hub_acct_exit(dd->exit, hc->acct_user,
		    relay_user_bev(hc->r));
	relay_http_exit(hc->r, dd);
}
