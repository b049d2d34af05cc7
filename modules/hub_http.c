/*
 * hub_http.c: the hub's HTTP proxy front (doc/http-proxy.md).  Owns one
 * client connection from accept to close: reads request heads, dials the
 * target through an exit node, answers CONNECT and hands the tunnel to a
 * relay, or forwards absolute-form requests one at a time over a fresh data
 * link, keep-alive between them.  Parsing and rewriting are http.c.
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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "auth.h"
#include "http.h"
#include "limit.h"
#include "route.h"
#include "hub.h"

/* No progress in either direction for this long ends a request. */
#define HUB_HTTP_XFER_MS		300000
/* A last reply that the client does not read is dropped after this. */
#define HUB_HTTP_CLOSE_MS		5000
/* Extra wait past the dial timeout, in case no answer ever comes. */
#define HUB_HTTP_DIAL_SLACK_MS	5000
/* Input read and dropped after a last reply before we give up on it. */
#define HUB_HTTP_DISCARD_MAX	(1024 * 1024)

#define HC_HEAD		0	/* reading a request head */
#define HC_DIAL		1	/* waiting for the exit node */
#define HC_XFER		2	/* request out, response back */
#define HC_CLOSING	3	/* last bytes to the client, then free */

/* Interim (1xx) responses forwarded per request before a 502. */
#define HTTP_1XX_MAX	16

struct hub_http {
	struct bufferevent	*cbev;		/* client, ours */
	struct bufferevent	*lbev;		/* data link, ours in HC_XFER */
	struct dial		*dial;		/* pending in HC_DIAL */
	struct event		*timer;
	int			 state;		/* HC_* */
	u_int			 nreq;		/* requests finished */
	size_t			 scan;		/* head bytes searched for end */
	char			 who[64];	/* client ip:port */
	struct sockaddr_storage	 sa;		/* the client (limiter) */
	int			 policy;	/* AUTH_OPEN, AUTH_NEED */
	struct auth_user	 user;		/* this request's; "" if none */
	struct route		 route;		/* from user.params */
	struct limit_hold	*hold;		/* counts; NULL when refused */
	char			 dest[TARGET_STRLEN];
	struct http_msg		 req;
	struct http_msg		 resp;
	struct http_body	 reqb;
	struct http_body	 respb;
	char			*rw;		/* upstream head until dialled */
	size_t			 rwlen;
	struct relay_exit	*ex;		/* the dial's exit in HC_XFER */
	char			 via[32];	/* its node, for logs */
	uint64_t		 up;
	uint64_t		 down;
	int			 status;	/* final status sent */
	int			 keepalive;	/* client conn stays open */
	int			 resp_head;	/* final response head sent */
	u_int			 n1xx;		/* interim responses so far */
	int			 ceof;		/* client shut its write side */
	int			 leof;		/* link closed */
	int			 dialing;
	int			 wshut;		/* our write side is shut */
	size_t			 discarded;	/* input dropped while closing */
};

static void	 hub_http_free(struct hub_http *);
static void	 hub_http_count(struct hub_http *, size_t, size_t);
static void	 hub_http_tunnel_closed(struct relay *, void *);
static void	 hub_http_timer_set(struct hub_http *, int);
static int	 hub_http_closing(struct hub_http *);
static void	 hub_http_drained(struct hub_http *);
static int	 hub_http_error(struct hub_http *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static int	 hub_http_407(struct hub_http *);
static int	 hub_http_limited(struct hub_http *, int);
static int	 hub_http_nomem(struct hub_http *);
static int	 hub_http_auth(struct hub_http *, const uint8_t *);
static int	 hub_http_head(struct hub_http *);
static int	 hub_http_req_pump(struct hub_http *);
static int	 hub_http_resp_pump(struct hub_http *);
static int	 hub_http_finish(struct hub_http *);
static void	 hub_http_log(struct hub_http *);
static void	 hub_http_dial_cb(const struct dial_done *, void *);
static void	 hub_http_timer_cb(evutil_socket_t, short, void *);
static void	 hub_http_client_read_cb(struct bufferevent *, void *);
static void	 hub_http_client_write_cb(struct bufferevent *, void *);
static void	 hub_http_client_event_cb(struct bufferevent *, short, void *);
static void	 hub_http_link_read_cb(struct bufferevent *, void *);
static void	 hub_http_link_write_cb(struct bufferevent *, void *);
static void	 hub_http_link_event_cb(struct bufferevent *, short, void *);

/* see hub.h */
void
hub_http_accept(int fd, struct sockaddr *sa, socklen_t salen, void *arg)
{
	struct hub_http	*hc;
	char		 reply[HTTP_REPLY_MAX];
	size_t		 n;
	int		 why;

	(void)arg;
	if ((hc = calloc(1, sizeof *hc)) == NULL) {
		log_warnx("http: %s: out of memory; closing",
		    core_sa_str(sa, reply, sizeof reply));
		close(fd);
		return;
	}
	core_sa_str(sa, hc->who, sizeof hc->who);
	if (salen > sizeof hc->sa)
		salen = sizeof hc->sa;
	memcpy(&hc->sa, sa, salen);
	hc->cbev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	hc->timer = evtimer_new(core_base, hub_http_timer_cb, hc);
	if (hc->cbev == NULL || hc->timer == NULL) {
		log_warnx("http: %s: out of memory; closing", hc->who);
		if (hc->cbev == NULL)
			close(fd);
		hub_http_free(hc);
		return;
	}
	bufferevent_setcb(hc->cbev, hub_http_client_read_cb,
	    hub_http_client_write_cb, hub_http_client_event_cb, hc);
	/* Pipelined bytes beyond this stop the reads until we catch up. */
	bufferevent_setwatermark(hc->cbev, EV_READ, 0, RELAY_HIGHWATER);
	bufferevent_setwatermark(hc->cbev, EV_WRITE, RELAY_HIGHWATER / 2, 0);

	if ((hc->policy = auth_client_policy(sa)) == AUTH_DENY) {
		log_warnx("http: %s: proxy use refused: not a loopback client "
		    "and not in -allow; give the hub -users FILE (proxy "
		    "credentials), -allow CIDR or -open-proxy to serve it",
		    hc->who);
		n = http_reply(reply, sizeof reply, 403, "tentacle: this proxy "
		    "does not serve your address\n");
		bufferevent_write(hc->cbev, reply, n);
		hub_http_closing(hc);
		return;
	}
	hc->hold = limit_open(sa, hub.conf.max_clients,
	    hub.conf.max_conns_per_ip, &why);
	if (hc->hold == NULL) {
		hub_http_limited(hc, why);
		return;
	}
	hc->state = HC_HEAD;
	strlcpy(hc->via, "node 0", sizeof hc->via);
	hub_http_timer_set(hc, hub.conf.handshake_ms);
	bufferevent_enable(hc->cbev, EV_READ | EV_WRITE);
}

/* Close the data link; its node stops counting it (drains wait for it). */
static void
hub_http_link_free(struct hub_http *hc)
{
	if (hc->lbev == NULL)
		return;
	bufferevent_free(hc->lbev);
	hc->lbev = NULL;
	hc->ex->done(hc->ex);
	hc->ex = NULL;
}

/* Bytes of an exchange, on the exit's counters. */
static void
hub_http_count(struct hub_http *hc, size_t up, size_t down)
{
	hc->up += up;
	hc->down += down;
	if (hc->ex->stat != NULL) {
		hc->ex->stat->up += up;
		hc->ex->stat->down += down;
	}
}

/* A CONNECT tunnel closed: the connection counts no more. */
static void
hub_http_tunnel_closed(struct relay *r __unused, void *hold)
{
	limit_close(hold);
}

/* Frees hc, its bufferevents and a pending dial. */
static void
hub_http_free(struct hub_http *hc)
{
	if (hc->dial != NULL)
		hub_dial_cancel(hc->dial);
	hub_http_link_free(hc);
	if (hc->cbev != NULL)
		bufferevent_free(hc->cbev);
	if (hc->timer != NULL)
		event_free(hc->timer);
	limit_close(hc->hold);
	free(hc->rw);
	free(hc);
}

static void
hub_http_timer_set(struct hub_http *hc, int ms)
{
	struct timeval	 tv;

	if (ms <= 0) {
		evtimer_del(hc->timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(hc->timer, &tv);
}

/*
 * Stop everything but the client's output; free hc once that is written
 * and the client has closed (lingering close: closing with unread input
 * would reset the connection and lose the reply).  May free hc at once:
 * the caller returns -1 and touches nothing.
 */
static int
hub_http_closing(struct hub_http *hc)
{
	if (hc->dial != NULL) {
		hub_dial_cancel(hc->dial);
		hc->dial = NULL;
	}
	hub_http_link_free(hc);
	hc->state = HC_CLOSING;
	if (hc->cbev == NULL) {
		hub_http_free(hc);
		return (-1);
	}
	/* The rest of a response may take a while to a slow reader. */
	hub_http_timer_set(hc, HUB_HTTP_XFER_MS);
	bufferevent_setwatermark(hc->cbev, EV_WRITE, 0, 0);
	bufferevent_setwatermark(hc->cbev, EV_READ, 0, 0);
	bufferevent_enable(hc->cbev, EV_WRITE);
	if (!hc->ceof)
		bufferevent_enable(hc->cbev, EV_READ);
	evbuffer_drain(bufferevent_get_input(hc->cbev), (size_t)-1);
	if (evbuffer_get_length(bufferevent_get_output(hc->cbev)) == 0)
		hub_http_drained(hc);
	return (-1);
}

/* The last reply is written: shut our side, wait for the client's EOF. */
static void
hub_http_drained(struct hub_http *hc)
{
	if (hc->ceof) {
		hub_http_free(hc);
		return;
	}
	if (!hc->wshut) {
		hc->wshut = 1;
		shutdown(bufferevent_getfd(hc->cbev), SHUT_WR);
		hub_http_timer_set(hc, HUB_HTTP_CLOSE_MS);
	}
}

/*
 * Answer status with a one-line body and close; if a response is already
 * under way, just close.  Always returns -1 (hc may be gone).
 */
static int
hub_http_error(struct hub_http *hc, int status, const char *fmt, ...)
{
	char		 body[HTTP_REPLY_MAX / 2], reply[HTTP_REPLY_MAX];
	va_list		 ap;
	size_t		 n;

	if (hc->resp_head) {
		hub_http_free(hc);
		return (-1);
	}
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	hc->status = status;
	n = http_reply(reply, sizeof reply, status, body);
	evbuffer_add(bufferevent_get_output(hc->cbev), reply, n);
	hc->keepalive = 0;
	return (hub_http_closing(hc));
}

static void
hub_http_log(struct hub_http *hc)
{
	char	 method[4 * HTTP_METHOD_MAX + 1];

	log_escape(method, sizeof method, hc->req.method_str,
	    strlen(hc->req.method_str));
	log_info("http: %s%s%s %s %s -> %d, %llu bytes up, %llu down, %s",
	    hc->who, hc->user.name[0] != '\0' ? " user " : "", hc->user.name,
	    method, hc->dest, hc->status,
	    (unsigned long long)hc->up, (unsigned long long)hc->down,
	    hc->via);
}

/* Does buf hold a whole head (an empty line after a line)? */
static int
hub_http_head_ready(struct hub_http *hc, const uint8_t *buf, size_t len)
{
	size_t	 i;

	for (i = hc->scan > 2 ? hc->scan - 2 : 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n' ||
		    (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n'))
			return (1);
	}
	hc->scan = len;
	return (0);
}

/* 407 with the Basic challenge; closes (the client retries anew). */
static int
hub_http_407(struct hub_http *hc)
{
	static const char	 body[] = "tentacle: proxy authentication "
	    "required\n";
	char			 reply[HTTP_REPLY_MAX];
	int			 n;

	hc->status = 407;
	hc->keepalive = 0;
	n = snprintf(reply, sizeof reply, "HTTP/1.1 407 Proxy "
	    "Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"tentacle\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", sizeof body - 1, body);
	if (n > 0 && (size_t)n < sizeof reply)
		evbuffer_add(bufferevent_get_output(hc->cbev), reply, n);
	return (hub_http_closing(hc));
}

/*
 * A limit refuses this connection (at accept) or request (per user): 429
 * Too Many Requests (RFC 6585) for this address or user, 503 when the hub
 * is full, both with Retry-After; then close.  Logged at most once a
 * second per address (per user; hub-wide for the rest).  Returns -1.
 */
static int
hub_http_limited(struct hub_http *hc, int why)
{
	char		 reply[HTTP_REPLY_MAX], body[160];
	const char	*name = hc->user.name, *what;
	u_int		 more = 0;
	int		 n, max, status;

	switch (why) {
	case LIMIT_ADDR:
		max = hub.conf.max_conns_per_ip;
		what = "from this address";
		break;
	case LIMIT_USER:
		max = hub.conf.max_conns_per_user;
		what = "for this user";
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
	if (limit_log_ok(why, (struct sockaddr *)&hc->sa, name, &more)) {
		if (what == NULL)
			log_warnx("http: %s: refused: out of memory counting "
			    "connections (%u more refused since the last such "
			    "line)", hc->who, more);
		else
			log_warnx("http: %s%s%s: refused: %d connections %s "
			    "already (%s %d; %u more refused since the last "
			    "such line)", hc->who, why == LIMIT_USER ?
			    " user " : "", why == LIMIT_USER ? name : "", max,
			    what, limit_why_str(why), max, more);
	}
	if (what == NULL)
		snprintf(body, sizeof body, "tentacle: the proxy is out of "
		    "memory\n");
	else
		snprintf(body, sizeof body, "tentacle: too many connections "
		    "%s (%s %d)\n", why == LIMIT_ADDR ? "from your address" :
		    what, limit_why_str(why), max);
	hc->status = status;
	hc->keepalive = 0;
	n = snprintf(reply, sizeof reply, "HTTP/1.1 %d %s\r\n"
	    "Retry-After: 1\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", status, status == 429 ? "Too Many Requests" :
	    "Service Unavailable", strlen(body), body);
	if (n > 0 && (size_t)n < sizeof reply)
		evbuffer_add(bufferevent_get_output(hc->cbev), reply, n);
	return (hub_http_closing(hc));
}

/* A per-request allocation failed: log it, answer 500 and close. */
static int
hub_http_nomem(struct hub_http *hc)
{
	log_warnx("http: %s: out of memory; closing", hc->who);
	return (hub_http_error(hc, 500, "tentacle: out of memory\n"));
}

/* Routing parameters of the accepted user name; 400 when bad. */
static int
hub_http_route(struct hub_http *hc)
{
	char	 why[ROUTE_WHY_MAX];

	if (route_parse(hc->user.params, &hc->route, why, sizeof why) == 0)
		return (0);
	log_warnx("http: %s: user %s: bad routing parameters: %s", hc->who,
	    hc->user.name, why);
	memset(&hc->route, 0, sizeof hc->route);
	hc->status = 400;
	hub_http_log(hc);
	return (hub_http_error(hc, 400,
	    "tentacle: bad routing parameters: %s\n", why));
}

/*
 * This request's Proxy-Authorization (buf is the parsed head).  Under
 * AUTH_NEED it must hold good Basic credentials, else 407 (400 when it is
 * malformed); under AUTH_OPEN it is optional and only its user name (the
 * routing parameters) counts.  Returns 0 to go on, -1 when hc answered
 * and is closing (or gone).
 */
static int
hub_http_auth(struct hub_http *hc, const uint8_t *buf)
{
	static const char	 name[] = "proxy-authorization";
	const struct http_field	*f, *found = NULL;
	const char		*v, *why, *colon;
	char			 cred[2 * AUTH_USERNAME_MAX + 3];
	char			 esc[4 * AUTH_USERNAME_MAX + 1];
	char			 user[AUTH_USERNAME_MAX + 1];
	char			 pass[AUTH_PASSWORD_MAX + 1];
	size_t			 vlen, i;
	ssize_t			 n;
	int			 rc, lwhy;

	memset(&hc->user, 0, sizeof hc->user);
	memset(&hc->route, 0, sizeof hc->route);
	for (i = 0; i < hc->req.nfields; i++) {
		f = &hc->req.fields[i];
		if (f->namelen != sizeof name - 1 || strncasecmp(
		    (const char *)buf + f->name, name, sizeof name - 1) != 0)
			continue;
		if (found != NULL) {
			log_warnx("http: %s: more than one Proxy-Authorization "
			    "field", hc->who);
			hc->status = 400;
			hub_http_log(hc);
			return (hub_http_error(hc, 400, "tentacle: more than "
			    "one Proxy-Authorization field\n"));
		}
		found = f;
	}
	if (found == NULL) {
		if (hc->policy == AUTH_OPEN)
			return (0);
		hc->status = 407;
		hub_http_log(hc);
		return (hub_http_407(hc));
	}
	v = (const char *)buf + found->value;
	vlen = found->valuelen;
	if (vlen < 6 || strncasecmp(v, "basic", 5) != 0 ||
	    (v[5] != ' ' && v[5] != '\t')) {
		if (hc->policy == AUTH_OPEN)
			return (0);	/* not ours to judge */
		log_warnx("http: %s: Proxy-Authorization is not Basic",
		    hc->who);
		hc->status = 407;
		hub_http_log(hc);
		return (hub_http_407(hc));
	}
	for (v += 6, vlen -= 6; vlen > 0 && (*v == ' ' || *v == '\t');
	    v++, vlen--)
		;
	n = auth_b64_decode((uint8_t *)cred, sizeof cred - 1, v, vlen);
	if (n < 0 || memchr(cred, '\0', (size_t)n) != NULL ||
	    (colon = memchr(cred, ':', (size_t)n)) == NULL ||
	    (size_t)(colon - cred) > AUTH_USERNAME_MAX ||
	    (size_t)(cred + n - colon - 1) > AUTH_PASSWORD_MAX) {
		explicit_bzero(cred, sizeof cred);
		log_warnx("http: %s: malformed Proxy-Authorization (want "
		    "Basic base64(user:password), at most 255 bytes each)",
		    hc->who);
		hc->status = 400;
		hub_http_log(hc);
		return (hub_http_error(hc, 400, "tentacle: malformed "
		    "Proxy-Authorization\n"));
	}
	memcpy(user, cred, (size_t)(colon - cred));
	user[colon - cred] = '\0';
	memcpy(pass, colon + 1, (size_t)(cred + n - colon - 1));
	pass[cred + n - colon - 1] = '\0';
	explicit_bzero(cred, sizeof cred);

	if (hc->policy == AUTH_OPEN) {
		explicit_bzero(pass, sizeof pass);
		if (auth_user_parse(user, &hc->user, &why) == 0)
			return (hub_http_route(hc));
		log_warnx("http: %s: user name \"%s\" refused: %s", hc->who,
		    log_escape(esc, sizeof esc, user, strlen(user)), why);
		memset(&hc->user, 0, sizeof hc->user);
		hc->status = 400;
		hub_http_log(hc);
		return (hub_http_error(hc, 400, "tentacle: bad user name: %s\n",
		    why));
	}
	rc = auth_login((struct sockaddr *)&hc->sa, user, pass, &hc->user,
	    &why);
	explicit_bzero(pass, sizeof pass);
	if (rc == 0) {
		if (limit_user(hc->hold, hc->user.name,
		    hub.conf.max_conns_per_user, &lwhy) == -1)
			return (hub_http_limited(hc, lwhy));
		return (hub_http_route(hc));
	}
	memset(&hc->user, 0, sizeof hc->user);
	if (rc == -1)
		log_warnx("http: %s: login failed for user \"%s\": %s",
		    hc->who, log_escape(esc, sizeof esc, user, strlen(user)),
		    why);
	hc->status = 407;
	hub_http_log(hc);
	return (hub_http_407(hc));
}

/* Parse the next request head, if one is complete, and start its dial. */
static int
hub_http_head(struct hub_http *hc)
{
	struct evbuffer	*in = bufferevent_get_input(hc->cbev);
	struct target	 t;
	const uint8_t	*buf;
	size_t		 len, plen;
	ssize_t		 r, n;
	int		 result;
	char		 why[128];
	const char	*dwhy = NULL;

	if ((len = evbuffer_get_length(in)) == 0)
		return (0);
	if (hc->scan == 0 && hc->nreq > 0)
		hub_http_timer_set(hc, hub.conf.handshake_ms);
	plen = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	if ((buf = evbuffer_pullup(in, plen)) == NULL)
		return (hub_http_nomem(hc));
	if (plen < HTTP_HEAD_MAX && !hub_http_head_ready(hc, buf, plen))
		return (0);
	r = http_request_parse(&hc->req, buf, plen);
	if (r == 0) {
		if (hc->scan < plen)
			hc->scan = plen;
		return (0);
	}
	if (r == -1) {
		log_escape(why, sizeof why, hc->req.why, strlen(hc->req.why));
		log_warnx("http: %s: bad request (%d): %s", hc->who,
		    hc->req.error, why);
		return (hub_http_error(hc, hc->req.error, "tentacle: %s\n",
		    hc->req.why));
	}
	http_target(&hc->req, &t);
	target_str(&t, hc->dest, sizeof hc->dest);
	if (hub_http_auth(hc, buf) == -1)
		return (-1);
	hc->keepalive = http_keepalive(&hc->req);
	if (hc->req.method != HTTP_M_CONNECT) {
		if ((hc->rw = malloc(HTTP_REWRITE_MAX)) == NULL)
			return (hub_http_nomem(hc));
		n = http_request_rewrite(&hc->req, buf,
		    hub.conf.via ? HTTP_RW_VIA : 0, hc->rw,
		    HTTP_REWRITE_MAX);
		if (n == -1) {
			log_warnx("http: %s: request head too large after "
			    "rewriting", hc->who);
			return (hub_http_error(hc, 431,
			    "tentacle: request head too large\n"));
		}
		hc->rwlen = n;
	}
	evbuffer_drain(in, r);
	hc->scan = 0;

	hc->state = HC_DIAL;
	hc->dialing = 1;
	hc->dial = NULL;
	hub_http_timer_set(hc, hub.conf.dial_ms * (1 +
	    hub.conf.dial_retries) + HUB_HTTP_DIAL_SLACK_MS);
	hc->dial = hub_dial(&t, &hc->route, hc->user.name, hc->who,
	    hub_http_dial_cb, hc, &result, &dwhy);
	if (!hc->dialing)
		hc->dial = NULL;	/* the callback already ran */
	else if (hc->dial == NULL) {
		hc->status = http_status_from_dial(result);
		hub_http_log(hc);
		return (hub_http_error(hc, hc->status, "tentacle: %s\n",
		    dwhy != NULL && dwhy[0] != '\0' ? dwhy :
		    http_dial_str(result)));
	}
	return (-1);	/* nothing more to do until the dial answers */
}

static void
hub_http_dial_cb(const struct dial_done *d, void *arg)
{
	struct hub_http	*hc = arg;
	char		 tag[160 + TARGET_STRLEN];
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";

	hc->dial = NULL;
	hc->dialing = 0;
	strlcpy(hc->via, d->via, sizeof hc->via);
	if (d->result != DIAL_OK) {
		hc->status = http_status_from_dial(d->result);
		hub_http_log(hc);
		if (d->result == DIAL_NONODE)
			hub_http_error(hc, hc->status, "tentacle: no exit node "
			    "online\n");
		else
			hub_http_error(hc, hc->status, "tentacle: exit node "
			    "could not connect to %s: %s\n", hc->dest,
			    http_dial_str(d->result));
		return;
	}

	if (hc->req.method == HTTP_M_CONNECT) {
		hc->status = 200;
		log_info("http: %s CONNECT %s -> 200, tunnel via %s",
		    hc->who, hc->dest, hc->via);
		evbuffer_add(bufferevent_get_output(hc->cbev), ok,
		    sizeof ok - 1);
		snprintf(tag, sizeof tag, "http %s%s%s -> %s", hc->who,
		    hc->user.name[0] != '\0' ? " user " : "", hc->user.name,
		    hc->dest);
		bufferevent_setwatermark(hc->cbev, EV_READ, 0, 0);
		bufferevent_setwatermark(hc->cbev, EV_WRITE, 0, 0);
		/* NULL: it freed both ends and logged why. */
		if (relay_open(hc->cbev, d->exit, tag, hub_http_tunnel_closed,
		    hc->hold) == NULL)
			limit_close(hc->hold);
		hc->hold = NULL;
		hc->cbev = NULL;
		hub_http_free(hc);
		return;
	}

	hc->ex = d->exit;
	hc->lbev = d->exit->bev;
	bufferevent_setcb(hc->lbev, hub_http_link_read_cb,
	    hub_http_link_write_cb, hub_http_link_event_cb, hc);
	bufferevent_setwatermark(hc->lbev, EV_READ, 0, RELAY_HIGHWATER);
	bufferevent_setwatermark(hc->lbev, EV_WRITE, RELAY_HIGHWATER / 2, 0);
	bufferevent_enable(hc->lbev, EV_READ | EV_WRITE);
	evbuffer_add(bufferevent_get_output(hc->lbev), hc->rw, hc->rwlen);
	hub_http_count(hc, hc->rwlen, 0);
	free(hc->rw);
	hc->rw = NULL;

	{
		uint64_t	 len;
		int		 kind = http_request_body(&hc->req, &len);

		http_body_init(&hc->reqb, kind, len);
	}
	hc->state = HC_XFER;
	hub_http_timer_set(hc, hub.conf.idle_ms > 0 ? hub.conf.idle_ms :
	    HUB_HTTP_XFER_MS);
	if (hub_http_req_pump(hc) == -1)
		return;
	hub_http_resp_pump(hc);
}

/* Move request body bytes from the client to the link. */
static int
hub_http_req_pump(struct hub_http *hc)
{
	struct evbuffer	*in = bufferevent_get_input(hc->cbev);
	struct evbuffer	*out = bufferevent_get_output(hc->lbev);
	struct evbuffer_iovec v;
	ssize_t		 n;

	while (!hc->reqb.done && evbuffer_get_length(in) > 0) {
		if (evbuffer_get_length(out) >= RELAY_HIGHWATER) {
			bufferevent_disable(hc->cbev, EV_READ);
			return (0);
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		n = http_body_advance(&hc->reqb, v.iov_base, v.iov_len);
		if (n == -1) {
			log_warnx("http: %s: bad chunked request body to %s",
			    hc->who, hc->dest);
			hc->status = 400;
			hub_http_log(hc);
			return (hub_http_error(hc, 400, "tentacle: bad chunked "
			    "request body\n"));
		}
		if (n == 0)
			break;
		evbuffer_remove_buffer(in, out, n);
		hub_http_count(hc, n, 0);
		hub_http_timer_set(hc, hub.conf.idle_ms > 0 ?
		    hub.conf.idle_ms : HUB_HTTP_XFER_MS);
	}
	if (hc->ceof && !hc->reqb.done && evbuffer_get_length(in) == 0) {
		log_info("http: %s: client went away in the request body "
		    "(%s %s)", hc->who, hc->req.method_str, hc->dest);
		hub_http_free(hc);
		return (-1);
	}
	return (0);
}

/* Read the response head(s) and move body bytes from the link. */
static int
hub_http_resp_pump(struct hub_http *hc)
{
	struct evbuffer	*in = bufferevent_get_input(hc->lbev);
	struct evbuffer	*out = bufferevent_get_output(hc->cbev);
	struct evbuffer_iovec v;
	const uint8_t	*buf;
	char		*rw, why[128];
	size_t		 len;
	ssize_t		 r, n;
	uint64_t	 blen;
	int		 kind, flags;

	while (!hc->resp_head) {
		/* Interim heads count against the ceiling like body bytes. */
		if (evbuffer_get_length(out) >= RELAY_HIGHWATER) {
			bufferevent_disable(hc->lbev, EV_READ);
			return (0);
		}
		len = evbuffer_get_length(in);
		if (len == 0)
			break;
		if (len > HTTP_HEAD_MAX)
			len = HTTP_HEAD_MAX;
		if ((buf = evbuffer_pullup(in, len)) == NULL)
			return (hub_http_nomem(hc));
		r = http_response_parse(&hc->resp, buf, len);
		if (r == 0)
			break;
		if (r == -1 || hc->resp.status == 101) {
			if (r == -1)
				log_escape(why, sizeof why, hc->resp.why,
				    strlen(hc->resp.why));
			else
				strlcpy(why, "101 without an upgrade", sizeof why);
			log_warnx("http: %s: bad response from %s: %s",
			    hc->who, hc->dest, why);
			hc->status = 502;
			hub_http_log(hc);
			return (hub_http_error(hc, 502, "tentacle: bad "
			    "response from %s: %s\n", hc->dest, why));
		}
		if (hc->resp.status < 200 && ++hc->n1xx > HTTP_1XX_MAX) {
			log_warnx("http: %s: %s sent more than %d interim "
			    "responses", hc->who, hc->dest, HTTP_1XX_MAX);
			hc->status = 502;
			hub_http_log(hc);
			return (hub_http_error(hc, 502, "tentacle: too many "
			    "1xx responses from %s\n", hc->dest));
		}
		if (hc->resp.status < 200 && hc->req.minor == 0) {
			/* HTTP/1.0 clients do not expect 1xx (RFC 9110 15.2). */
			evbuffer_drain(in, r);
			hub_http_count(hc, 0, r);
			continue;
		}
		if (hc->resp.status >= 200) {
			kind = http_response_body(&hc->resp, hc->req.method,
			    &blen);
			http_body_init(&hc->respb, kind, blen);
			if (kind == HTTP_BODY_CLOSE || hc->ceof)
				hc->keepalive = 0;
		}
		flags = hub.conf.via ? HTTP_RW_VIA : 0;
		if (hc->keepalive)
			flags |= HTTP_RW_KEEPALIVE;
		if ((rw = malloc(HTTP_REWRITE_MAX)) == NULL)
			return (hub_http_nomem(hc));
		n = http_response_rewrite(&hc->resp, buf, hc->req.minor,
		    flags, rw, HTTP_REWRITE_MAX);
		if (n == -1) {
			free(rw);
			hc->status = 502;
			hub_http_log(hc);
			return (hub_http_error(hc, 502, "tentacle: response "
			    "head too large\n"));
		}
		evbuffer_add(out, rw, n);
		free(rw);
		evbuffer_drain(in, r);
		hub_http_count(hc, 0, r);
		if (hc->resp.status >= 200) {
			hc->status = hc->resp.status;
			hc->resp_head = 1;
		}
	}

	while (hc->resp_head && !hc->respb.done &&
	    evbuffer_get_length(in) > 0) {
		if (evbuffer_get_length(out) >= RELAY_HIGHWATER) {
			bufferevent_disable(hc->lbev, EV_READ);
			return (0);
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		n = http_body_advance(&hc->respb, v.iov_base, v.iov_len);
		if (n == -1) {
			log_warnx("http: %s: bad chunked response body from "
			    "%s", hc->who, hc->dest);
			hub_http_log(hc);
			hc->keepalive = 0;
			return (hub_http_closing(hc));
		}
		if (n == 0)
			break;
		evbuffer_remove_buffer(in, out, n);
		hub_http_count(hc, 0, n);
		hub_http_timer_set(hc, hub.conf.idle_ms > 0 ?
		    hub.conf.idle_ms : HUB_HTTP_XFER_MS);
	}
	if (hc->resp_head && hc->respb.done)
		return (hub_http_finish(hc));
	if (hc->leof && evbuffer_get_length(in) == 0) {
		if (!hc->resp_head) {
			log_warnx("http: %s: %s closed before a response",
			    hc->who, hc->dest);
			hc->status = 502;
			hub_http_log(hc);
			return (hub_http_error(hc, 502, "tentacle: %s closed "
			    "the connection without a response\n", hc->dest));
		}
		if (hc->respb.kind == HTTP_BODY_CLOSE) {
			hc->respb.done = 1;
			return (hub_http_finish(hc));
		}
		log_warnx("http: %s: %s closed in the middle of the response",
		    hc->who, hc->dest);
		hub_http_log(hc);
		hc->keepalive = 0;
		return (hub_http_closing(hc));
	}
	return (0);
}

/* The response is complete: log, drop the link, next request or close. */
static int
hub_http_finish(struct hub_http *hc)
{
	hub_http_log(hc);
	hub_http_link_free(hc);
	hc->nreq++;
	if (!hc->keepalive || !hc->reqb.done || hc->ceof)
		return (hub_http_closing(hc));

	hc->state = HC_HEAD;
	hc->scan = 0;
	hc->resp_head = 0;
	hc->n1xx = 0;
	hc->leof = 0;
	hc->up = hc->down = 0;
	hc->status = 0;
	strlcpy(hc->via, "node 0", sizeof hc->via);
	hub_http_timer_set(hc, hub.conf.http_idle_ms > 0 ?
	    hub.conf.http_idle_ms : hub.conf.handshake_ms);
	bufferevent_enable(hc->cbev, EV_READ);
	return (hub_http_head(hc));
}

static void
hub_http_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct hub_http	*hc = arg;

	(void)fd;
	(void)events;
	switch (hc->state) {
	case HC_HEAD:
		if (hc->nreq > 0 && evbuffer_get_length(
		    bufferevent_get_input(hc->cbev)) == 0) {
			/* keep-alive idle: just close */
			hub_http_free(hc);
			return;
		}
		log_warnx("http: %s: no complete request head in time",
		    hc->who);
		hub_http_error(hc, 408, "tentacle: request head timeout\n");
		return;
	case HC_DIAL:
		hc->status = 504;
		hub_http_log(hc);
		hub_http_error(hc, 504, "tentacle: no answer from the exit "
		    "node for %s\n", hc->dest);
		return;
	case HC_XFER:
		log_warnx("http: %s: %s idle, closing", hc->who, hc->dest);
		if (!hc->resp_head)
			hc->status = 504;
		hub_http_log(hc);
		hub_http_error(hc, 504, "tentacle: %s did not answer in time\n",
		    hc->dest);
		return;
	default:
		hub_http_free(hc);
		return;
	}
}

static void
hub_http_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct hub_http	*hc = arg;

	(void)bev;
	switch (hc->state) {
	case HC_HEAD:
		hub_http_head(hc);
		break;
	case HC_XFER:
		hub_http_req_pump(hc);
		break;
	case HC_CLOSING:
		hc->discarded += evbuffer_get_length(bufferevent_get_input(bev));
		evbuffer_drain(bufferevent_get_input(bev), (size_t)-1);
		if (hc->discarded > HUB_HTTP_DISCARD_MAX)
			hub_http_free(hc);
		break;
	default:
		/* HC_DIAL: leave bytes for later, the watermark bounds them. */
		break;
	}
}

static void
hub_http_client_write_cb(struct bufferevent *bev, void *arg)
{
	struct hub_http	*hc = arg;

	switch (hc->state) {
	case HC_CLOSING:
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			hub_http_drained(hc);
		break;
	case HC_XFER:
		/* Bytes may wait in the link's input after its EOF too. */
		if (hc->lbev != NULL) {
			if (!hc->leof)
				bufferevent_enable(hc->lbev, EV_READ);
			hub_http_resp_pump(hc);
		}
		break;
	}
}

static void
hub_http_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct hub_http	*hc = arg;

	(void)bev;
	if (hc->state == HC_CLOSING && (what & BEV_EVENT_EOF) &&
	    !(what & BEV_EVENT_ERROR) && !hc->wshut) {
		hc->ceof = 1;	/* still reading our reply */
		return;
	}
	if ((hc->state == HC_XFER || hc->state == HC_DIAL) &&
	    (what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		/*
		 * Half-close: the client still wants the response.  A body
		 * cut short by it ends the request in hub_http_req_pump().
		 */
		hc->ceof = 1;
		hc->keepalive = 0;
		if (hc->state == HC_XFER)
			hub_http_req_pump(hc);
		return;
	}
	if (hc->state == HC_XFER || hc->state == HC_DIAL) {
		log_info("http: %s %s %s -> %d, %llu bytes up, %llu down, "
		    "%s: client went away", hc->who, hc->req.method_str,
		    hc->dest, hc->status, (unsigned long long)hc->up,
		    (unsigned long long)hc->down, hc->via);
	}
	hub_http_free(hc);
}

static void
hub_http_link_read_cb(struct bufferevent *bev, void *arg)
{
	struct hub_http	*hc = arg;

	(void)bev;
	if (hc->state == HC_XFER)
		hub_http_resp_pump(hc);
}

static void
hub_http_link_write_cb(struct bufferevent *bev, void *arg)
{
	struct hub_http	*hc = arg;

	(void)bev;
	if (hc->state != HC_XFER || hc->reqb.done || hc->ceof)
		return;
	bufferevent_enable(hc->cbev, EV_READ);
	hub_http_req_pump(hc);
}

static void
hub_http_link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct hub_http	*hc = arg;

	(void)bev;
	if (hc->state != HC_XFER)
		return;
	hc->leof = 1;
	if (what & BEV_EVENT_ERROR) {
		/* A reset cannot end a close-delimited body cleanly. */
		if (hc->resp_head && hc->respb.kind == HTTP_BODY_CLOSE) {
			hub_http_log(hc);
			hc->keepalive = 0;
			hub_http_closing(hc);
			return;
		}
	}
	hub_http_resp_pump(hc);
}
