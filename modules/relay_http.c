/*
 * relay_http.c: the HTTP proxy mode of a relay (doc/http-proxy.md), as
 * relayd's relay_http.c is of its relay.  The relay owns the client
 * connection from accept; these callbacks read its request heads (http.c
 * parses and rewrites them), ask the front (hub_http.c) for an exit per
 * request, and run each exchange over that exit: the rewritten head and
 * the body's framing toward it, response heads (interim 1xx included) and
 * the body's framing back; keep-alive between requests, with no exit.  A
 * CONNECT turns the relay raw (relay_tunnel()).  An error answers in HTTP
 * and closes after the reply is read (lingering close).  Knows nothing of
 * nodes, users or dials: the front does.
 *
 * States of the client connection:
 *
 *	HEAD --head--> WAIT --exit--> XFER --response done--> HEAD (keep-alive)
 *	                   \--CONNECT: raw relay       \--else--> CLOSING
 *	any --error reply--> CLOSING --client closed, or timeout--> relay_close
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "http.h"
#include "relay.h"

/* No progress in either direction for this long ends a request. */
#define RELAY_HTTP_XFER_MS	300000
/* A last reply that the client does not read is dropped after this. */
#define RELAY_HTTP_CLOSE_MS	5000
/* Input read and dropped after a last reply before we give up on it. */
#define RELAY_HTTP_DISCARD_MAX	(1024 * 1024)
/* Interim (1xx) responses forwarded per request before a 502. */
#define RELAY_HTTP_1XX_MAX	16
/* A user name in log lines (auth.h AUTH_NAME_MAX). */
#define RELAY_HTTP_USER_MAX	64

#define RH_HEAD		0	/* reading a request head */
#define RH_WAIT		1	/* waiting for the exit */
#define RH_XFER		2	/* request out, response back */
#define RH_CLOSING	3	/* last bytes to the client, then close */

struct relay_http {
	struct relay_http_conf	 conf;
	const struct relay_http_front *front;
	void			*arg;
	int			 state;		/* RH_* */
	u_int			 nreq;		/* requests finished */
	size_t			 scan;		/* head bytes searched for end */
	struct sockaddr_storage	 sa;		/* the client */
	char			 user[RELAY_HTTP_USER_MAX + 1];
	char			 via[32];	/* the exit, for logs */
	char			 dest[TARGET_STRLEN];
	struct http_msg		 req;
	struct http_msg		 resp;
	struct http_body	 reqb;
	struct http_body	 respb;
	char			*rw;		/* upstream head until the exit */
	size_t			 rwlen;
	uint64_t		 up0, down0;	/* r's counts at this request */
	uint64_t		 t0_us;		/* ... and its start */
	int			 status;	/* final status sent */
	int			 keepalive;	/* client conn stays open */
	int			 resp_head;	/* final response head sent */
	u_int			 n1xx;		/* interim responses so far */
	int			 ceof;		/* client shut its write side */
	int			 leof;		/* the exit closed */
	size_t			 discarded;	/* input dropped while closing */
};

static int	 relay_http_closing(struct relay *);
static void	 relay_http_drained(struct relay *);
static int	 relay_http_nomem(struct relay *);
static int	 relay_http_head(struct relay *);
static int	 relay_http_request(struct relay *, const uint8_t *, size_t);
static void	 relay_http_tunnel(struct relay *, struct relay_exit *);
static void	 relay_http_exchange(struct relay *, struct relay_exit *);
static int	 relay_http_req_pump(struct relay *);
static int	 relay_http_resp_pump(struct relay *);
static int	 relay_http_finish(struct relay *);
static void	 relay_http_user_read_cb(struct bufferevent *, void *);
static void	 relay_http_user_write_cb(struct bufferevent *, void *);
static void	 relay_http_user_event_cb(struct bufferevent *, short, void *);
static void	 relay_http_exit_read_cb(struct bufferevent *, void *);
static void	 relay_http_exit_write_cb(struct bufferevent *, void *);
static void	 relay_http_exit_event_cb(struct bufferevent *, short, void *);

/* see tentacle.h */
struct relay *
relay_http_new(int fd, const struct sockaddr *sa, socklen_t salen,
    const struct relay_http_conf *conf, const struct relay_http_front *front,
    void *arg)
{
	struct relay		*r;
	struct relay_http	*h;
	char			 who[64];

	if ((r = relay_alloc(core_sa_str(sa, who, sizeof who), NULL,
	    NULL)) == NULL) {
		evutil_closesocket(fd);
		return (NULL);
	}
	if ((h = r->http = calloc(1, sizeof *h)) == NULL ||
	    (r->user.bev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		evutil_closesocket(fd);
		relay_close(r, "out of memory");
		return (NULL);
	}
	if (relay_timer_set(r, conf->first_ms > 0 ? conf->first_ms :
	    conf->head_ms, 0) == -1) {
		relay_close(r, "out of memory");
		return (NULL);
	}
	r->closecb = front->closed;
	r->closearg = arg;
	h->conf = *conf;
	h->front = front;
	h->arg = arg;
	if (salen > sizeof h->sa)
		salen = sizeof h->sa;
	memcpy(&h->sa, sa, salen);
	strlcpy(h->via, conf->exit0, sizeof h->via);
	h->state = RH_HEAD;
	bufferevent_setcb(r->user.bev, relay_http_user_read_cb,
	    relay_http_user_write_cb, relay_http_user_event_cb, &r->user);
	/* Pipelined bytes beyond this stop the reads until we catch up. */
	bufferevent_setwatermark(r->user.bev, EV_READ, 0, RELAY_HIGHWATER);
	bufferevent_setwatermark(r->user.bev, EV_WRITE, RELAY_HIGHWATER / 2,
	    0);
	bufferevent_enable(r->user.bev, EV_READ | EV_WRITE);
	return (r);
}

/* see relay.h */
void
relay_http_free(struct relay_http *h)
{
	free(h->rw);
	free(h);
}

/* see tentacle.h */
const struct sockaddr *
relay_http_peer(struct relay *r)
{
	return ((struct sockaddr *)&r->http->sa);
}

/* see tentacle.h */
void
relay_http_user(struct relay *r, const char *name)
{
	strlcpy(r->http->user, name, sizeof r->http->user);
}

/* see tentacle.h */
const char *
relay_http_dest(struct relay *r)
{
	return (r->http->dest);
}

/* The request's relay line (log_relay()): "METHOD -> STATUS[, more]". */
static void
relay_http_log_end(struct relay *r, int status, const char *more)
{
	struct relay_http	*h = r->http;
	struct relay_who	 who = r->who;
	char			 method[4 * HTTP_METHOD_MAX + 1];
	char			 end[sizeof method + 64];

	h->status = status;
	log_escape(method, sizeof method, h->req.method_str,
	    strlen(h->req.method_str));
	snprintf(end, sizeof end, "%s -> %d%s%s", method, status,
	    more != NULL ? ", " : "", more != NULL ? more : "");
	who.proto = h->req.method == HTTP_M_CONNECT ? "connect" : "http";
	strlcpy(who.user, h->user, sizeof who.user);
	strlcpy(who.target, h->dest, sizeof who.target);
	log_relay(LOG_LEVEL_INFO, &who, r->up - h->up0, r->down - h->down0,
	    (core_now_us() - h->t0_us) / 1000, end);
}

/* see tentacle.h */
void
relay_http_log(struct relay *r, int status)
{
	relay_http_log_end(r, status, NULL);
}

/* see relay.h */
int
relay_http_idle(struct relay *r)
{
	/* A response still in the output is not done: freeing would cut it. */
	return (r->http->state == RH_HEAD && r->user.bev != NULL &&
	    evbuffer_get_length(bufferevent_get_input(r->user.bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(r->user.bev)) == 0);
}

/*
 * Stop everything but the client's output; close r once that is written
 * and the client has closed (lingering close: closing with unread input
 * would reset the connection and lose the reply).  May close r at once:
 * returns -1, the caller touches nothing.
 */
static int
relay_http_closing(struct relay *r)
{
	struct relay_http	*h = r->http;
	struct bufferevent	*bev = r->user.bev;

	if (h->state == RH_WAIT)
		h->front->cancel(r, h->arg);
	relay_exit_release(r);
	h->state = RH_CLOSING;
	/* The rest of a response may take a while to a slow reader. */
	relay_timer_set(r, RELAY_HTTP_XFER_MS, 0);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_enable(bev, EV_WRITE);
	if (!h->ceof)
		bufferevent_enable(bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(bev), (size_t)-1);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		relay_http_drained(r);
	return (-1);
}

/* The last reply is written: shut our side, wait for the client's EOF. */
static void
relay_http_drained(struct relay *r)
{
	if (r->http->ceof) {
		relay_close(r, "done");
		return;
	}
	if (!r->user.shut) {
		relay_shut(&r->user);
		relay_timer_set(r, RELAY_HTTP_CLOSE_MS, 0);
	}
}

/* see tentacle.h */
int
relay_http_error(struct relay *r, int status, const char *fmt, ...)
{
	struct relay_http	*h = r->http;
	char			 body[HTTP_REPLY_MAX / 2], reply[HTTP_REPLY_MAX];
	va_list			 ap;
	size_t			 n;

	if (h->resp_head) {
		relay_close(r, "failed in the response");
		return (-1);
	}
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	n = http_reply(reply, sizeof reply, status, body);
	return (relay_http_reply(r, status, reply, n));
}

/* see tentacle.h */
int
relay_http_reply(struct relay *r, int status, const char *reply, size_t len)
{
	struct relay_http	*h = r->http;

	h->status = status;
	h->keepalive = 0;
	evbuffer_add(bufferevent_get_output(r->user.bev), reply, len);
	return (relay_http_closing(r));
}

/* A per-request allocation failed: log it, answer 500 and close. */
static int
relay_http_nomem(struct relay *r)
{
	log_warnx("http: %s: out of memory; closing", r->tag);
	return (relay_http_error(r, 500, "tentacle: out of memory\n"));
}

/* Does buf hold a whole head (an empty line after a line)? */
static int
relay_http_head_ready(struct relay_http *h, const uint8_t *buf, size_t len)
{
	size_t	 i;

	for (i = h->scan > 2 ? h->scan - 2 : 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n' ||
		    (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n'))
			return (1);
	}
	h->scan = len;
	return (0);
}

/* Parse the next request head, if one is complete, and go on with it. */
static int
relay_http_head(struct relay *r)
{
	struct relay_http	*h = r->http;
	struct evbuffer		*in = bufferevent_get_input(r->user.bev);
	const uint8_t		*buf;
	size_t			 len, plen;
	ssize_t			 n;
	char			 why[128];

	if ((len = evbuffer_get_length(in)) == 0)
		return (0);
	if (h->scan == 0 && h->nreq > 0)
		relay_timer_set(r, h->conf.head_ms, 0);
	plen = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	if ((buf = evbuffer_pullup(in, plen)) == NULL)
		return (relay_http_nomem(r));
	if (plen < HTTP_HEAD_MAX && !relay_http_head_ready(h, buf, plen))
		return (0);
	n = http_request_parse(&h->req, buf, plen);
	if (n == 0) {
		if (h->scan < plen)
			h->scan = plen;
		return (0);
	}
	if (n == -1) {
		log_escape(why, sizeof why, h->req.why, strlen(h->req.why));
		log_warnx("http: %s: bad request (%d): %s", r->tag,
		    h->req.error, why);
		return (relay_http_error(r, h->req.error, "tentacle: %s\n",
		    h->req.why));
	}
	return (relay_http_request(r, buf, n));
}

/*
 * A request head of len bytes at buf (still in the input): rewrite it for
 * the origin, and ask the front for an exit.  Returns -1: nothing more to
 * read until the exit comes (or r answered and may be gone).
 */
static int
relay_http_request(struct relay *r, const uint8_t *buf, size_t len)
{
	struct relay_http	*h = r->http;
	struct target		 t;
	ssize_t			 n;

	http_target(&h->req, &t);
	target_str(&t, h->dest, sizeof h->dest);
	h->user[0] = '\0';
	h->up0 = r->up;
	h->down0 = r->down;
	h->t0_us = core_now_us();
	r->who.node_id = 0;
	r->who.node[0] = '\0';
	h->keepalive = http_keepalive(&h->req);
	if (h->req.method != HTTP_M_CONNECT) {
		if ((h->rw = malloc(HTTP_REWRITE_MAX)) == NULL)
			return (relay_http_nomem(r));
		n = http_request_rewrite(&h->req, buf,
		    h->conf.via ? HTTP_RW_VIA : 0, h->rw, HTTP_REWRITE_MAX);
		if (n == -1) {
			log_warnx("http: %s: request head too large after "
			    "rewriting", r->tag);
			return (relay_http_error(r, 431,
			    "tentacle: request head too large\n"));
		}
		h->rwlen = n;
	}
	h->state = RH_WAIT;
	relay_timer_set(r, h->conf.wait_ms, 0);
	if (h->front->request(r, h->arg, &h->req, buf, &t) == -1)
		return (-1);
	evbuffer_drain(bufferevent_get_input(r->user.bev), len);
	h->scan = 0;
	return (-1);
}

/* see tentacle.h */
void
relay_http_exit(struct relay *r, const struct dial_done *dd)
{
	struct relay_http	*h = r->http;
	int			 status;

	if (h == NULL || h->state != RH_WAIT) {
		/* Not waiting (cannot happen: the front cancels). */
		if (dd->result == DIAL_OK)
			relay_exit_drop(dd->exit);
		return;
	}
	h->state = RH_XFER;
	strlcpy(h->via, dd->via, sizeof h->via);
	if (dd->who != NULL) {
		r->who.node_id = dd->who->node_id;
		strlcpy(r->who.node, dd->who->node, sizeof r->who.node);
	}
	if (dd->result == DIAL_OK) {
		if (h->req.method == HTTP_M_CONNECT)
			relay_http_tunnel(r, dd->exit);
		else
			relay_http_exchange(r, dd->exit);
		return;
	}
	status = http_status_from_dial(dd->result);
	relay_http_log(r, status);
	if (dd->result == DIAL_NONODE)
		relay_http_error(r, status, "tentacle: no exit node online\n");
	else
		relay_http_error(r, status, "tentacle: exit node could not "
		    "connect to %s: %s\n", h->dest, http_dial_str(dd->result));
}

/* CONNECT: answer 200 and relay raw from now on, HTTP mode over. */
static void
relay_http_tunnel(struct relay *r, struct relay_exit *ex)
{
	struct relay_http	*h = r->http;
	char			 tag[160 + TARGET_STRLEN];
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";

	log_debug("http: %s CONNECT %s -> 200, tunnel via %s", r->tag, h->dest,
	    h->via);
	strlcpy(r->who.user, h->user, sizeof r->who.user);
	strlcpy(r->who.target, h->dest, sizeof r->who.target);
	evbuffer_add(bufferevent_get_output(r->user.bev), ok, sizeof ok - 1);
	snprintf(tag, sizeof tag, "http %s%s%s -> %s", r->tag,
	    h->user[0] != '\0' ? " user " : "", h->user, h->dest);
	strlcpy(r->tag, tag, sizeof r->tag);
	relay_http_free(h);
	r->http = NULL;
	relay_tunnel(r, ex);
	r->who.proto = "connect";
}

/* Send the request head over ex, then the body; the response comes back. */
static void
relay_http_exchange(struct relay *r, struct relay_exit *ex)
{
	struct relay_http	*h = r->http;
	struct bufferevent	*bev = ex->bev;
	uint64_t		 len;

	relay_exit_take(r, ex);
	bufferevent_setcb(bev, relay_http_exit_read_cb,
	    relay_http_exit_write_cb, relay_http_exit_event_cb, &r->exit);
	bufferevent_setwatermark(bev, EV_READ, 0, RELAY_HIGHWATER);
	bufferevent_setwatermark(bev, EV_WRITE, RELAY_HIGHWATER / 2, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	evbuffer_add(bufferevent_get_output(bev), h->rw, h->rwlen);
	relay_count_bytes(&r->user, h->rwlen);
	free(h->rw);
	h->rw = NULL;
	http_body_init(&h->reqb, http_request_body(&h->req, &len), len);
	relay_timer_set(r, ex->idle_ms > 0 ? ex->idle_ms : RELAY_HTTP_XFER_MS,
	    1);
	if (relay_http_req_pump(r) == -1)
		return;
	relay_http_resp_pump(r);
}

/*
 * Move body bytes framed by b from s to its peer, up to the message's end
 * (what follows stays in s's input).  -1: bad chunked framing; 1: the
 * peer's output is full (reads on s stop until it drains); 0: go on.
 */
static int
relay_http_body(struct relay_side *s, struct http_body *b)
{
	struct evbuffer		*in = bufferevent_get_input(s->bev);
	struct evbuffer		*out = bufferevent_get_output(s->peer->bev);
	struct evbuffer_iovec	 v;
	ssize_t			 n;

	while (!b->done && evbuffer_get_length(in) > 0) {
		if (evbuffer_get_length(out) >= RELAY_HIGHWATER) {
			bufferevent_disable(s->bev, EV_READ);
			return (1);
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		if ((n = http_body_advance(b, v.iov_base, v.iov_len)) == -1)
			return (-1);
		if (n == 0)
			break;
		evbuffer_remove_buffer(in, out, n);
		relay_count_bytes(s, n);
	}
	return (0);
}

/* Move request body bytes from the client to the exit. */
static int
relay_http_req_pump(struct relay *r)
{
	struct relay_http	*h = r->http;
	int			 rv;

	if ((rv = relay_http_body(&r->user, &h->reqb)) == 1)
		return (0);
	if (rv == -1) {
		log_warnx("http: %s: bad chunked request body to %s", r->tag,
		    h->dest);
		relay_http_log(r, 400);
		return (relay_http_error(r, 400, "tentacle: bad chunked "
		    "request body\n"));
	}
	if (h->ceof && !h->reqb.done &&
	    evbuffer_get_length(bufferevent_get_input(r->user.bev)) == 0) {
		log_info("http: %s: client went away in the request body "
		    "(%s %s)", r->tag, h->req.method_str, h->dest);
		relay_close(r, "client went away");
		return (-1);
	}
	return (0);
}

/* The response head just parsed (n bytes of in) goes to the client. */
static int
relay_http_resp_forward(struct relay *r, const uint8_t *buf, size_t n)
{
	struct relay_http	*h = r->http;
	struct evbuffer		*in = bufferevent_get_input(r->exit.bev);
	char			*rw;
	ssize_t			 len;
	uint64_t		 blen;
	int			 kind, flags;

	if (h->resp.status < 200 && h->req.minor == 0) {
		/* HTTP/1.0 clients do not expect 1xx (RFC 9110 15.2). */
		evbuffer_drain(in, n);
		relay_count_bytes(&r->exit, n);
		return (0);
	}
	if (h->resp.status >= 200) {
		kind = http_response_body(&h->resp, h->req.method, &blen);
		http_body_init(&h->respb, kind, blen);
		if (kind == HTTP_BODY_CLOSE || h->ceof)
			h->keepalive = 0;
	}
	flags = h->conf.via ? HTTP_RW_VIA : 0;
	if (h->keepalive)
		flags |= HTTP_RW_KEEPALIVE;
	if ((rw = malloc(HTTP_REWRITE_MAX)) == NULL)
		return (relay_http_nomem(r));
	len = http_response_rewrite(&h->resp, buf, h->req.minor, flags, rw,
	    HTTP_REWRITE_MAX);
	if (len == -1) {
		free(rw);
		relay_http_log(r, 502);
		return (relay_http_error(r, 502, "tentacle: response head too "
		    "large\n"));
	}
	evbuffer_add(bufferevent_get_output(r->user.bev), rw, len);
	free(rw);
	evbuffer_drain(in, n);
	relay_count_bytes(&r->exit, n);
	if (h->resp.status >= 200) {
		h->status = h->resp.status;
		h->resp_head = 1;
	}
	return (0);
}

/*
 * Read response heads, interim ones too, until the final one is out.
 * -1: r answered or closed; 1: the client's output is full (reads from
 * the exit stop); 0: go on.
 */
static int
relay_http_resp_heads(struct relay *r)
{
	struct relay_http	*h = r->http;
	struct evbuffer		*in = bufferevent_get_input(r->exit.bev);
	struct evbuffer		*out = bufferevent_get_output(r->user.bev);
	const uint8_t		*buf;
	char			 why[128];
	size_t			 len;
	ssize_t			 n;

	while (!h->resp_head) {
		/* Interim heads count against the ceiling like body bytes. */
		if (evbuffer_get_length(out) >= RELAY_HIGHWATER) {
			bufferevent_disable(r->exit.bev, EV_READ);
			return (1);
		}
		if ((len = evbuffer_get_length(in)) == 0)
			return (0);
		if (len > HTTP_HEAD_MAX)
			len = HTTP_HEAD_MAX;
		if ((buf = evbuffer_pullup(in, len)) == NULL)
			return (relay_http_nomem(r));
		if ((n = http_response_parse(&h->resp, buf, len)) == 0)
			return (0);
		if (n == -1 || h->resp.status == 101) {
			if (n == -1)
				log_escape(why, sizeof why, h->resp.why,
				    strlen(h->resp.why));
			else
				strlcpy(why, "101 without an upgrade",
				    sizeof why);
			log_warnx("http: %s: bad response from %s: %s",
			    r->tag, h->dest, why);
			relay_http_log(r, 502);
			return (relay_http_error(r, 502, "tentacle: bad "
			    "response from %s: %s\n", h->dest, why));
		}
		if (h->resp.status < 200 && ++h->n1xx > RELAY_HTTP_1XX_MAX) {
			log_warnx("http: %s: %s sent more than %d interim "
			    "responses", r->tag, h->dest, RELAY_HTTP_1XX_MAX);
			relay_http_log(r, 502);
			return (relay_http_error(r, 502, "tentacle: too many "
			    "1xx responses from %s\n", h->dest));
		}
		if (relay_http_resp_forward(r, buf, n) == -1)
			return (-1);
	}
	return (0);
}

/* The exit closed and everything it sent has been read. */
static int
relay_http_resp_eof(struct relay *r)
{
	struct relay_http	*h = r->http;

	if (!h->resp_head) {
		log_warnx("http: %s: %s closed before a response", r->tag,
		    h->dest);
		relay_http_log(r, 502);
		return (relay_http_error(r, 502, "tentacle: %s closed the "
		    "connection without a response\n", h->dest));
	}
	if (h->respb.kind == HTTP_BODY_CLOSE) {
		h->respb.done = 1;
		return (relay_http_finish(r));
	}
	log_warnx("http: %s: %s closed in the middle of the response", r->tag,
	    h->dest);
	relay_http_log(r, h->status);
	h->keepalive = 0;
	return (relay_http_closing(r));
}

/* Read the response head(s) and move body bytes from the exit. */
static int
relay_http_resp_pump(struct relay *r)
{
	struct relay_http	*h = r->http;
	int			 rv;

	if ((rv = relay_http_resp_heads(r)) != 0)
		return (rv == -1 ? -1 : 0);
	if (h->resp_head) {
		if ((rv = relay_http_body(&r->exit, &h->respb)) == 1)
			return (0);
		if (rv == -1) {
			log_warnx("http: %s: bad chunked response body from "
			    "%s", r->tag, h->dest);
			relay_http_log(r, h->status);
			h->keepalive = 0;
			return (relay_http_closing(r));
		}
		if (h->respb.done)
			return (relay_http_finish(r));
	}
	if (h->leof &&
	    evbuffer_get_length(bufferevent_get_input(r->exit.bev)) == 0)
		return (relay_http_resp_eof(r));
	return (0);
}

/* The response is complete: log, let the exit go, next request or close. */
static int
relay_http_finish(struct relay *r)
{
	struct relay_http	*h = r->http;

	relay_http_log(r, h->status);
	relay_exit_release(r);
	h->nreq++;
	if (!h->keepalive || !h->reqb.done || h->ceof)
		return (relay_http_closing(r));
	h->state = RH_HEAD;
	h->scan = 0;
	h->resp_head = 0;
	h->n1xx = 0;
	h->leof = 0;
	h->status = 0;
	strlcpy(h->via, h->conf.exit0, sizeof h->via);
	relay_timer_set(r, h->conf.keepalive_ms, 0);
	bufferevent_enable(r->user.bev, EV_READ);
	return (relay_http_head(r));
}

/* see relay.h */
void
relay_http_timeout(struct relay *r)
{
	struct relay_http	*h = r->http;

	switch (h->state) {
	case RH_HEAD:
		if (h->nreq > 0 && evbuffer_get_length(
		    bufferevent_get_input(r->user.bev)) == 0) {
			relay_close(r, "keep-alive idle");
			return;
		}
		log_warnx("http: %s: no complete request head in time",
		    r->tag);
		relay_http_error(r, 408, "tentacle: request head timeout\n");
		return;
	case RH_WAIT:
		relay_http_log(r, 504);
		relay_http_error(r, 504, "tentacle: no answer from the exit "
		    "node for %s\n", h->dest);
		return;
	case RH_XFER:
		log_warnx("http: %s: %s idle, closing", r->tag, h->dest);
		relay_http_log(r, h->resp_head ? h->status : 504);
		relay_http_error(r, 504, "tentacle: %s did not answer in time\n",
		    h->dest);
		return;
	default:
		relay_close(r, "the client did not take the reply");
		return;
	}
}

static void
relay_http_user_read_cb(struct bufferevent *bev, void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	struct relay_http	*h = r->http;
	struct evbuffer		*in = bufferevent_get_input(bev);

	switch (h->state) {
	case RH_HEAD:
		relay_http_head(r);
		break;
	case RH_XFER:
		relay_http_req_pump(r);
		break;
	case RH_CLOSING:
		h->discarded += evbuffer_get_length(in);
		evbuffer_drain(in, (size_t)-1);
		if (h->discarded > RELAY_HTTP_DISCARD_MAX)
			relay_close(r, "the client sent on and on");
		break;
	default:
		/* RH_WAIT: leave bytes for later, the watermark bounds them. */
		break;
	}
}

static void
relay_http_user_write_cb(struct bufferevent *bev, void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	struct relay_http	*h = r->http;

	switch (h->state) {
	case RH_CLOSING:
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			relay_http_drained(r);
		break;
	case RH_XFER:
		/* Bytes may wait in the exit's input after its EOF too. */
		if (r->exit.bev != NULL) {
			if (!h->leof)
				bufferevent_enable(r->exit.bev, EV_READ);
			relay_http_resp_pump(r);
		}
		break;
	}
}

static void
relay_http_user_event_cb(struct bufferevent *bev __unused, short what,
    void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	struct relay_http	*h = r->http;
	int			 eof = (what & BEV_EVENT_EOF) &&
				    !(what & BEV_EVENT_ERROR);

	if (h->state == RH_CLOSING && eof && !r->user.shut) {
		h->ceof = 1;	/* still reading our reply */
		return;
	}
	if ((h->state == RH_XFER || h->state == RH_WAIT) && eof) {
		/*
		 * Half-close: the client still wants the response.  A body
		 * cut short by it ends the request in relay_http_req_pump().
		 */
		h->ceof = 1;
		h->keepalive = 0;
		if (h->state == RH_XFER)
			relay_http_req_pump(r);
		return;
	}
	if (h->state == RH_XFER || h->state == RH_WAIT)
		relay_http_log_end(r, h->status, "client went away");
	relay_close(r, eof ? "done" : "client error");
}

static void
relay_http_exit_read_cb(struct bufferevent *bev __unused, void *arg)
{
	struct relay_side	*s = arg;

	if (s->r->http->state == RH_XFER)
		relay_http_resp_pump(s->r);
}

static void
relay_http_exit_write_cb(struct bufferevent *bev __unused, void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	struct relay_http	*h = r->http;

	if (h->state != RH_XFER || h->reqb.done || h->ceof)
		return;
	bufferevent_enable(r->user.bev, EV_READ);
	relay_http_req_pump(r);
}

static void
relay_http_exit_event_cb(struct bufferevent *bev __unused, short what,
    void *arg)
{
	struct relay_side	*s = arg;
	struct relay		*r = s->r;
	struct relay_http	*h = r->http;

	if (h->state != RH_XFER)
		return;
	h->leof = 1;
	/* A reset cannot end a close-delimited body cleanly. */
	if ((what & BEV_EVENT_ERROR) && h->resp_head &&
	    h->respb.kind == HTTP_BODY_CLOSE) {
		relay_http_log(r, h->status);
		h->keepalive = 0;
		relay_http_closing(r);
		return;
	}
	relay_http_resp_pump(r);
}
