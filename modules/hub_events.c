/*
 * hub_events.c: what happened lately on the hub, for the admin API (doc/
 * admin.md, "Events"): nodes joining and leaving, redials, failed logins
 * and node authentications, refusals at a limit, operators' actions.
 * Owns a bounded ring of recent events (their ids, times, fields and the
 * counting of repeats), GET /api/v1/events and its followers (?follow=1,
 * server-sent events).  Other files call hub_event() in one line where
 * they log; hub_api.c routes the request here.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "tentacle.h"
#include "json.h"
#include "hub.h"

#define EVENTS_RING		1024	/* events kept */
#define EVENT_DATA		224	/* one event's fields, keys included */
#define EVENT_VALUE_MAX		128	/* one value, cut beyond */
#define EVENT_FIELDS		8
/*
 * An event of a type strangers can cause (event_floods[]) equal to one of
 * the last EVENT_LOOKBACK (type, node, fields) that began less than
 * EVENT_REPEAT_MS ago is counted into it: a flood of failed logins from
 * one address is one event every 10 s with its count, not a ring full of
 * copies.  Operators' actions and nodes' comings and goings are each kept.
 */
#define EVENT_LOOKBACK		32
#define EVENT_REPEAT_MS		10000
#define EVENTS_LIMIT		100	/* ?limit= by default */
/*
 * Followers at once.  Fewer than the Unix socket's 16 admin connections
 * (hub_api.c): followers must leave room for info, drain and the rest.
 */
#define FOLLOWERS_MAX		8
#define FOLLOW_BACKLOG_MAX	(256 * 1024)	/* unsent bytes: dropped */
#define FOLLOW_KEEPALIVE_S	15
#define FOLLOW_WRITE_S		30	/* no write progress: gone */
#define FOLLOW_INPUT_MAX	4096	/* a follower's bytes we keep */

static const char *const event_types[] = {
	"node_joined", "node_left", "redial_started", "redial_done",
	"redial_failed", "login_failed", "refused", "node_auth_failed",
	"admin", "node_paused", "node_available"
};
/* A node's pauses are rate-limited where they happen (hub_node.c). */
static const uint8_t event_floods[] = {
	0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0
};

/* One event; its fields are "key\0value\0" pairs in data[0..len). */
struct event_rec {
	uint64_t	 id;		/* 0: the slot is empty */
	uint64_t	 ms;		/* unix time, milliseconds */
	uint64_t	 last_ms;	/* of the last repeat */
	uint32_t	 repeated;	/* times seen again after the first */
	uint32_t	 node;		/* 0: none */
	uint32_t	 hash;
	uint16_t	 len;
	uint8_t		 type;
	char		 data[EVENT_DATA];
};

/*
 * A client of ?follow=1.  Its request is ours until evhttp_send_reply_end()
 * (evhttp frees it then, or with the connection when the hub stops).
 */
struct follower {
	struct evhttp_request	*req;
	char			 peer[96];
	TAILQ_ENTRY(follower)	 entry;
};

static struct event_rec	 ring[EVENTS_RING];
static uint64_t		 events_next = 1;	/* the next event's id */
static TAILQ_HEAD(, follower) followers = TAILQ_HEAD_INITIALIZER(followers);
static u_int		 nfollowers;
static struct event	*keepalive_ev;

static void	 events_follow_end(struct follower *, const char *);

static uint64_t
events_now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return ((uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

/* Append s (at most max bytes, cut on a UTF-8 boundary) and a NUL. */
static void
events_put(struct event_rec *e, const char *s, size_t max)
{
	size_t	 n = strlen(s);

	if (max > sizeof e->data - e->len - 1)
		max = sizeof e->data - e->len - 1;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(e->data + e->len, s, n);
	e->len += n;
	e->data[e->len++] = '\0';
}

/* The slot of event id, or NULL when it left the ring. */
static struct event_rec *
events_find(uint64_t id)
{
	struct event_rec	*e;

	if (id == 0 || id >= events_next)
		return (NULL);
	e = &ring[id % EVENTS_RING];
	return (e->id == id ? e : NULL);
}

/* e as one JSON object (key: NULL in an array). */
static void
events_write(struct json_w *w, const char *key, const struct event_rec *e)
{
	const char	*k, *v;
	size_t		 off = 0;

	json_obj_open(w, key);
	json_u64(w, "id", e->id);
	json_u64(w, "time", e->ms);
	json_str(w, "type", event_types[e->type]);
	if (e->node != 0)
		json_u64(w, "node", e->node);
	while (off < e->len) {
		k = e->data + off;
		off += strlen(k) + 1;
		v = e->data + off;
		off += strlen(v) + 1;
		json_str(w, k, v);
	}
	if (e->repeated > 0) {
		json_u64(w, "repeated", e->repeated);
		json_u64(w, "last", e->last_ms);
	}
	json_obj_close(w);
}

/* Send e to every follower. */
static void
events_push(const struct event_rec *e)
{
	struct follower	*f, *tmp;
	struct evbuffer	*b, *chunk;
	struct json_w	 w;
	const void	*p;
	size_t		 len;

	if (TAILQ_EMPTY(&followers))
		return;
	if ((b = evbuffer_new()) == NULL || (chunk = evbuffer_new()) == NULL) {
		log_warnx("events: out of memory: followers miss event %llu",
		    (unsigned long long)e->id);
		if (b != NULL)
			evbuffer_free(b);
		return;
	}
	evbuffer_add_printf(b, "id: %llu\ndata: ", (unsigned long long)e->id);
	json_w_init(&w, b);
	events_write(&w, NULL, e);
	evbuffer_add(b, "\n\n", 2);
	len = evbuffer_get_length(b);
	p = evbuffer_pullup(b, -1);
	TAILQ_FOREACH_SAFE(f, &followers, entry, tmp) {
		if (p == NULL || evbuffer_add(chunk, p, len) == -1)
			break;
		evhttp_send_reply_chunk(f->req, chunk);
		evbuffer_drain(chunk, evbuffer_get_length(chunk));
		events_follow_end(f, NULL);	/* only if over the bound */
	}
	evbuffer_free(chunk);
	evbuffer_free(b);
}

/* see hub.h */
void
hub_event(int type, uint32_t node, ...)
{
	struct event_rec	*e, *o;
	struct event_rec	 ne;
	va_list			 ap;
	const char		*k, *v;
	uint64_t		 now = events_now_ms(), id;
	uint32_t		 h = 2166136261u;
	size_t			 i;
	int			 nf = 0;

	if (type < 0 || type >= (int)nitems(event_types))
		return;
	memset(&ne, 0, sizeof ne);
	ne.type = type;
	ne.node = node;
	va_start(ap, node);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL || nf == EVENT_FIELDS ||
		    ne.len + strlen(k) + 3 > sizeof ne.data)
			continue;
		events_put(&ne, k, sizeof ne.data);
		events_put(&ne, v, EVENT_VALUE_MAX);
		nf++;
	}
	va_end(ap);
	h = (h ^ ne.type) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ ((node >> (8 * i)) & 0xff)) * 16777619u;
	for (i = 0; i < ne.len; i++)
		h = (h ^ (uint8_t)ne.data[i]) * 16777619u;
	ne.hash = h;

	/* A repeat of a recent one: counted into it. */
	for (id = events_next - 1; event_floods[ne.type] && id > 0 &&
	    id + EVENT_LOOKBACK >= events_next; id--) {
		if ((o = events_find(id)) == NULL)
			break;
		if (o->hash == ne.hash && o->type == ne.type &&
		    o->node == ne.node && o->len == ne.len &&
		    memcmp(o->data, ne.data, ne.len) == 0 &&
		    now - o->ms < EVENT_REPEAT_MS) {
			o->repeated++;
			o->last_ms = now;
			return;
		}
	}
	e = &ring[events_next % EVENTS_RING];
	*e = ne;
	e->id = events_next++;
	e->ms = e->last_ms = now;
	events_push(e);
}

/* see hub.h */
const char *
hub_event_ip(const struct sockaddr *sa)
{
	static char	 buf[INET6_ADDRSTRLEN + 2];
	const struct sockaddr_in6 *sin6 = (const void *)sa;
	const struct sockaddr_in *sin = (const void *)sa;

	if (sa == NULL)
		return ("?");
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
	else if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf,
		    sizeof buf);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
	else
		strlcpy(buf, "?", sizeof buf);
	return (buf);
}

/*
 * A number from the query (or a header); 0 if absent, 1 if read, -1 if
 * not a decimal number in [min, max].
 */
static int
events_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (s == NULL)
		return (0);
	if (*s == '\0' || strlen(s) > 20)
		return (-1);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < min || v > max)
		return (-1);
	*out = v;
	return (1);
}

/*
 * The first id to give for "after since": since + 1, or the oldest kept
 * when since is 0 or from before this hub started (an id this hub has not
 * given yet: the client's numbers are from an older run).
 */
static uint64_t
events_after(uint64_t since, int have_since, uint64_t *missed)
{
	uint64_t	 oldest;

	oldest = events_next > EVENTS_RING ? events_next - EVENTS_RING : 1;
	/* The oldest slot may be empty (never written): the ring is young. */
	while (oldest < events_next && events_find(oldest) == NULL)
		oldest++;
	*missed = 0;
	if (!have_since || since >= events_next)
		return (oldest);
	if (since + 1 < oldest) {
		*missed = oldest - since - 1;
		return (oldest);
	}
	return (since + 1);
}

/* The keep-alive comment to every follower, and the bound checked. */
static void
events_keepalive_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct follower	*f, *tmp;
	struct evbuffer	*b;
	struct timeval	 tv = { FOLLOW_KEEPALIVE_S, 0 };

	TAILQ_FOREACH_SAFE(f, &followers, entry, tmp) {
		if ((b = evbuffer_new()) == NULL)
			break;
		evbuffer_add(b, ": keepalive\n\n", 13);
		evhttp_send_reply_chunk(f->req, b);
		evbuffer_free(b);
		events_follow_end(f, NULL);
	}
	if (!TAILQ_EMPTY(&followers))
		evtimer_add(keepalive_ev, &tv);
}

/*
 * Drop f: why (logged), or, with why NULL, only when its unsent bytes
 * are over FOLLOW_BACKLOG_MAX (a reader that does not keep up must not
 * grow the hub).  The connection is cut: a follower never has another
 * request on it.
 */
static void
events_follow_end(struct follower *f, const char *why)
{
	struct evhttp_connection *evcon;
	struct bufferevent	*bev;
	evutil_socket_t		 fd = -1;
	size_t			 unsent = 0;

	if ((evcon = evhttp_request_get_connection(f->req)) != NULL) {
		bev = evhttp_connection_get_bufferevent(evcon);
		unsent = evbuffer_get_length(bufferevent_get_output(bev));
		fd = bufferevent_getfd(bev);
		if (why == NULL && unsent <= FOLLOW_BACKLOG_MAX)
			return;
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	}
	if (why == NULL)
		log_warnx("%s: events follower dropped: %zu bytes unsent (more "
		    "than %d KiB: it does not read)", f->peer, unsent,
		    FOLLOW_BACKLOG_MAX / 1024);
	else
		log_info("%s: events follower ended: %s", f->peer, why);
	TAILQ_REMOVE(&followers, f, entry);
	nfollowers--;
	evhttp_send_reply_end(f->req);
	/* Dropped: its unsent bytes go now, not after the write timeout. */
	if (why == NULL && fd != -1)
		shutdown(fd, SHUT_RDWR);
	free(f);
	if (TAILQ_EMPTY(&followers) && keepalive_ev != NULL)
		evtimer_del(keepalive_ev);
}

/*
 * The follower's connection is going (the client left, or timed out).
 * evhttp has let go of the request (its connection is NULL: ours to end)
 * or frees it with the connection (still attached: not ours to touch).
 */
static void
events_gone_cb(struct evhttp_connection *evcon __unused, void *arg)
{
	struct follower	*f = arg;

	TAILQ_REMOVE(&followers, f, entry);
	nfollowers--;
	log_info("%s: events follower gone", f->peer);
	if (evhttp_request_get_connection(f->req) == NULL)
		evhttp_send_reply_end(f->req);
	free(f);
	if (TAILQ_EMPTY(&followers) && keepalive_ev != NULL)
		evtimer_del(keepalive_ev);
}

/* ?follow=1: the backlog after since, then each event as it happens. */
static void
events_follow(struct evhttp_request *req, const char *peer, uint64_t first,
    uint64_t limit)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(evcon);
	struct timeval		 wtv = { FOLLOW_WRITE_S, 0 };
	struct timeval		 ktv = { FOLLOW_KEEPALIVE_S, 0 };
	struct follower		*f;
	struct evbuffer		*b;
	struct json_w		 w;
	struct event_rec	*e;
	uint64_t		 id;

	if (nfollowers >= FOLLOWERS_MAX) {
		evhttp_add_header(h, "Retry-After", "10");
		hub_api_error(req, peer, 503, "%d clients follow the events "
		    "already (the most at once); try again later",
		    FOLLOWERS_MAX);
		return;
	}
	if (keepalive_ev == NULL && (keepalive_ev = evtimer_new(core_base,
	    events_keepalive_cb, NULL)) == NULL) {
		hub_api_error(req, peer, 503, "out of memory");
		return;
	}
	if ((f = calloc(1, sizeof *f)) == NULL ||
	    (b = evbuffer_new()) == NULL) {
		free(f);
		hub_api_error(req, peer, 503, "out of memory");
		return;
	}
	f->req = req;
	strlcpy(f->peer, peer, sizeof f->peer);
	TAILQ_INSERT_TAIL(&followers, f, entry);
	nfollowers++;
	log_info("%s: follows the events (%u followers)", peer, nfollowers);

	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply_start(req, 200, "OK");
	hub_api_stream(req);
	/*
	 * evhttp enables reading with its read timeout whenever it writes
	 * (libevent#715): that timeout would end the stream.  Writes keep a
	 * timeout; reads are only for seeing the client go, and a client
	 * that sends more is not read beyond FOLLOW_INPUT_MAX.
	 */
	bufferevent_set_timeouts(bev, NULL, &wtv);
	bufferevent_setwatermark(bev, EV_READ, 0, FOLLOW_INPUT_MAX);
	evhttp_connection_set_closecb(evcon, events_gone_cb, f);

	/* The newest limit events after since. */
	if (events_next - first > limit)
		first = events_next - limit;
	evbuffer_add_printf(b, "retry: 2000\n\n");
	for (id = first; id < events_next; id++) {
		if ((e = events_find(id)) == NULL)
			continue;
		evbuffer_add_printf(b, "id: %llu\ndata: ",
		    (unsigned long long)e->id);
		json_w_init(&w, b);
		events_write(&w, NULL, e);
		evbuffer_add(b, "\n\n", 2);
	}
	evhttp_send_reply_chunk(req, b);
	evbuffer_free(b);
	if (!evtimer_pending(keepalive_ev, NULL))
		evtimer_add(keepalive_ev, &ktv);
}

/* see hub.h */
void
hub_events_get(struct evhttp_request *req, const char *peer)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq	 q;
	const char		*s, *last, *follow;
	struct evbuffer		*b;
	struct json_w		 w;
	struct event_rec	*e;
	uint64_t		 since = 0, limit = EVENTS_LIMIT, first, id;
	uint64_t		 missed, next;
	size_t			 n = 0;
	int			 have_since, cmd, fl = 0;

	cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET");
		hub_api_error(req, peer, 405, "%s takes GET",
		    evhttp_request_get_uri(req));
		return;
	}
	TAILQ_INIT(&q);
	if ((s = evhttp_uri_get_query(u)) != NULL &&
	    evhttp_parse_query_str(s, &q) == -1) {
		hub_api_error(req, peer, 400, "cannot read the query string");
		return;
	}
	follow = evhttp_find_header(&q, "follow");
	last = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Last-Event-ID");
	if (follow != NULL && strcmp(follow, "1") != 0 &&
	    strcmp(follow, "0") != 0 && strcmp(follow, "true") != 0 &&
	    strcmp(follow, "false") != 0) {
		hub_api_error(req, peer, 400, "follow is 1 or 0");
		goto out;
	}
	fl = follow != NULL && (strcmp(follow, "1") == 0 ||
	    strcmp(follow, "true") == 0) && cmd == EVHTTP_REQ_GET;
	if ((have_since = events_num(evhttp_find_header(&q, "since"), 0,
	    UINT64_MAX, &since)) == -1) {
		hub_api_error(req, peer, 400, "since is an event id (a "
		    "number): the events after it");
		goto out;
	}
	/* A reconnecting EventSource says where it was. */
	if (fl && last != NULL && (have_since = events_num(last, 0,
	    UINT64_MAX, &since)) == -1) {
		hub_api_error(req, peer, 400, "Last-Event-ID is an event id "
		    "(a number)");
		goto out;
	}
	if (events_num(evhttp_find_header(&q, "limit"), 1, EVENTS_RING,
	    &limit) == -1) {
		hub_api_error(req, peer, 400, "limit is a number from 1 to %d",
		    EVENTS_RING);
		goto out;
	}
	first = events_after(since, have_since > 0, &missed);
	if (fl) {
		/* Following without since: only what happens from now. */
		events_follow(req, peer, have_since > 0 ? first : events_next,
		    limit);
		goto out;
	}
	/* With since: the first limit after it; without: the newest. */
	if (have_since <= 0 && events_next - first > limit)
		first = events_next - limit;
	if ((b = evbuffer_new()) == NULL) {
		hub_api_error(req, peer, 503, "out of memory");
		goto out;
	}
	/* Nothing new: the same since again (or the newest id). */
	next = have_since > 0 && since < events_next ? since :
	    events_next - 1;
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "events");
	for (id = first; id < events_next && n < limit; id++) {
		if ((e = events_find(id)) == NULL)
			continue;
		events_write(&w, NULL, e);
		next = e->id;
		n++;
	}
	json_arr_close(&w);
	json_u64(&w, "next", next);
	if (missed > 0)
		json_u64(&w, "missed", missed);
	json_obj_close(&w);
	hub_api_send(req, 200, b);
	evbuffer_free(b);
out:
	evhttp_clear_headers(&q);
}

/* see hub.h */
void
hub_events_close(void)
{
	struct follower	*f;

	while ((f = TAILQ_FIRST(&followers)) != NULL)
		events_follow_end(f, "the hub stops");
	if (keepalive_ev != NULL)
		event_free(keepalive_ev);
	keepalive_ev = NULL;
}
