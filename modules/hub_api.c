/*
 * hub_api.c: the admin API (doc/admin.md), HTTP on the admin socket with
 * libevent's evhttp.  Owns who may ask (peer credentials on the Unix
 * socket, the cookie on a loopback TCP port), the limits of an admin
 * connection, the routes under /api/v1/ and their JSON, and the errors.
 * The operations themselves (drain, undrain, redial) are hub_admin.c's;
 * `tentacle info` and friends are this API's clients (admin.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "tentacle.h"
#include "auth.h"
#include "frame.h"
#include "inventory.h"
#include "json.h"
#include "limit.h"
#include "tls.h"
#include "token.h"
#include "hub.h"

#define API_UNIX_MAX	16		/* connections on the Unix socket */
#define API_TCP_MAX	64		/* on a TCP port */
#define API_HEAD_MAX	8192		/* request line and headers */
#define API_BODY_MAX	65536
#define API_IDLE_S	10		/* evhttp: each read and write */
#define API_PATH_MAX	512

/* One admin listener: the Unix socket, or a loopback TCP port. */
struct api_srv {
	struct evhttp		*http;
	struct core_listener	*cl;
	int			 tcp;		/* the cookie, not uids */
	struct tls_conf		*tls;		/* off loopback: TLS */
	u_int			 nconn, max;
	int			 paused;	/* at max: not accepting */
	TAILQ_HEAD(, api_conn)	 conns;
	struct event		*sweep;
};

/*
 * One connection, found again by the sweep (api_sweep_cb()): we hold a
 * reference on evhttp's bufferevent, so we see when evhttp lets it go.
 */
struct api_conn {
	struct api_srv		*srv;
	struct bufferevent	*bev;		/* the socket's */
	struct bufferevent	*top;		/* evhttp's: bev, or TLS on it */
	uint64_t		 since_us;	/* opened, or last request */
	int			 cut;		/* past the deadline: shut */
	int			 stream;	/* an answer that lasts (SSE) */
	TAILQ_ENTRY(api_conn)	 entry;
};

/* What one request is, as the handlers need it. */
struct api_req {
	struct evhttp_request	*req;
	struct api_srv		*srv;
	char			 peer[96];	/* "admin uid 0 pid 12" */
	int			 method;	/* EVHTTP_REQ_* */
	char			*parts[8];	/* path after /api/v1/ */
	int			 nparts;
	struct evkeyvalq	 query;
};

static struct api_srv	 api_srvs[2];
static u_int		 api_nsrvs;

#define api_error(r, ...) hub_api_error((r)->req, (r)->peer, __VA_ARGS__)

static const char *
api_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return ("GET");
	case EVHTTP_REQ_HEAD:
		return ("HEAD");
	case EVHTTP_REQ_POST:
		return ("POST");
	case EVHTTP_REQ_PUT:
		return ("PUT");
	case EVHTTP_REQ_DELETE:
		return ("DELETE");
	case EVHTTP_REQ_OPTIONS:
		return ("OPTIONS");
	default:
		return ("request");
	}
}

/* see hub.h */
void
hub_api_send(struct evhttp_request *req, int status, struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	static const char	*reasons[] = { "OK", "Created", "Bad Request",
				    "Unauthorized", "Forbidden", "Not Found",
				    "Method Not Allowed", "Conflict",
				    "Payload Too Large", "Too Many Requests",
				    "Service Unavailable" };
	static const int	 codes[] = { 200, 201, 400, 401, 403, 404, 405,
				    409, 413, 429, 503 };
	const char		*reason = "Error";
	size_t			 i;

	for (i = 0; i < nitems(codes); i++)
		if (codes[i] == status)
			reason = reasons[i];
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evbuffer_add(body, "\n", 1);
	evhttp_send_reply(req, status, reason, body);
}

/*
 * see hub.h: {"error":{"status":N,"message":"..."}}, logged with the
 * asker.  401 asks for credentials (the cookie, doc/admin.md).
 */
void
hub_api_error(struct evhttp_request *req, const char *peer, int status,
    const char *fmt, ...)
{
	struct evbuffer	*b;
	struct json_w	 w;
	va_list		 ap;
	char		 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (status == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"tentacle admin\", "
		    "Basic realm=\"tentacle admin\"");
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_obj_open(&w, "error");
	json_u64(&w, "status", status);
	json_str(&w, "message", msg);
	json_obj_close(&w);
	json_obj_close(&w);
	log_info("%s: %s %s: %d %s", peer, api_method(req),
	    evhttp_request_get_uri(req), status, msg);
	hub_api_send(req, status, b);
	evbuffer_free(b);
}

/* see hub.h */
struct evbuffer *
hub_api_buf(struct evhttp_request *req)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL) {
		log_warnx("admin: out of memory answering %s",
		    evhttp_request_get_uri(req));
		evhttp_send_error(req, 503, NULL);
	}
	return (b);
}

/* 405, naming the methods path takes. */
static void
api_not_allowed(struct api_req *r, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow",
	    allow);
	api_error(r, 405, "%s takes %s", evhttp_request_get_uri(r->req),
	    allow);
}

/*
 * What the hub knows of online node n, as the API shows it (n_keep
 * outlives the link: counts of redials, the address history).
 */
static void
api_inv_keep(struct inv_node *in, uint32_t id, const struct frame_hello *h,
    const struct node_keep *k)
{
	int	 i;

	memset(in, 0, sizeof *in);
	in->id = id;
	strlcpy(in->name, h->name, sizeof in->name);
	in->npools = h->npools;
	for (i = 0; i < in->npools; i++)
		strlcpy(in->pools[i], h->pools[i], sizeof in->pools[i]);
	strlcpy(in->os, h->os, sizeof in->os);
	strlcpy(in->arch, h->arch, sizeof in->arch);
	strlcpy(in->build, h->build, sizeof in->build);
	in->redial = h->redial;
	in->state = k->pending_us != 0 ? INV_REDIALING : k->drain ?
	    INV_DRAINED : INV_UP;
	in->redials = k->redials;
	in->redials_same = k->redials_same;
	in->last_redial = k->last_redial;
	in->nhist = k->nhist;
	for (i = 0; i < k->nhist; i++) {
		strlcpy(in->hist[i].addr, k->hist[i].addr,
		    sizeof in->hist[i].addr);
		in->hist[i].since = k->hist[i].since;
	}
}

/* see hub.h */
void
hub_api_inv_node(struct inv_node *in, struct node *n)
{
	uint64_t	 now_us = core_now_us();
	uint32_t	 up, down;

	api_inv_keep(in, n->n_id, &n->n_hello, &n->n_keep);
	in->state = hub_node_state(n);
	if (n->n_redial_at_us > now_us)
		in->next_redial = time(NULL) + (n->n_redial_at_us - now_us +
		    999999) / 1000000;
	strlcpy(in->remote, n->n_remote, sizeof in->remote);
	in->since = n->n_since;
	in->relays = n->n_nrelays;
	in->dials_ok = n->n_dials_ok;
	in->dials_failed = n->n_dials_failed;
	in->bytes_up = n->n_bytes.up;
	in->bytes_down = n->n_bytes.down;
	in->rtt_us = n->n_rtt_us;
	in->dials_denied = n->n_dials_denied;
	in->spare_idle = n->n_nspares;
	in->spare_reused = n->n_reused;
	in->last_ok = n->n_last_ok;
	if (n->n_paused)
		strlcpy(in->paused_reason, n->n_paused_why,
		    sizeof in->paused_reason);
	hub_node_rate(n, now_us, &up, &down);
	in->up_rate = up;
	in->down_rate = down;
}

/*
 * The inventory, a node at a time into fn: nodes away redialing
 * (parked), then those online.  One record on the stack: O(1) memory
 * whatever the fleet.
 */
static void
api_each(void (*fn)(const struct inv_node *, void *), void *arg)
{
	struct inv_node	 in;
	struct node	*n;
	struct parked	*pk;

	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (pk->pk_keep.pending_us == 0)
			continue;
		api_inv_keep(&in, pk->pk_id, &pk->pk_hello, &pk->pk_keep);
		in.relays = pk->pk_nrelays;
		fn(&in, arg);
	}
	TAILQ_FOREACH(n, &hub.nodes, n_entry) {
		hub_api_inv_node(&in, n);
		fn(&in, arg);
	}
}

static void
api_hub_guards(struct inv_hub *g)
{
	memset(g, 0, sizeof *g);
	g->handshakes = limit_link_total();
	g->handshakes_refused = hub.guard.hs_refused;
	g->handshakes_expired = hub.guard.hs_expired;
	g->nodes_flooding = hub.guard.flooded;
	g->names_refused = hub.guard.identity;
	g->admin_refused = hub.guard.admin_refused;
}

/* Does inventory node n pass ?pool= ?state= ?name= (name or id)? */
static int
api_node_match(struct api_req *r, const struct inv_node *n)
{
	const char	*pool, *state, *name;
	char		 id[16];

	pool = evhttp_find_header(&r->query, "pool");
	state = evhttp_find_header(&r->query, "state");
	name = evhttp_find_header(&r->query, "name");
	if (pool != NULL && !inv_in_pool(n, pool))
		return (0);
	if (state != NULL && strcmp(state, inv_states[n->state]) != 0 &&
	    !(strcmp(state, "away") == 0 && n->since == 0))
		return (0);
	snprintf(id, sizeof id, "%u", n->id);
	if (name != NULL && strcmp(name, n->name) != 0 &&
	    strcmp(name, id) != 0)
		return (0);
	return (1);
}

/* GET nodes: what api_nodes_one() needs. */
struct api_nodes {
	struct api_req		*r;
	struct json_w		*w;
	struct inv_totals	 t;
	const char		*pool;
	size_t			 n;
};

static void
api_nodes_one(const struct inv_node *in, void *arg)
{
	struct api_nodes	*a = arg;
	struct api_req		*r = a->r;
	char			 id[16];

	snprintf(id, sizeof id, "%u", in->id);
	if (r->nparts == 2 && strcmp(r->parts[1], in->name) != 0 &&
	    strcmp(r->parts[1], id) != 0)
		return;
	if (!api_node_match(r, in))
		return;
	inv_node_write(a->w, NULL, in);
	inv_totals_add(&a->t, in, a->pool);
	a->n++;
}

/* GET nodes, GET nodes/{name or id}: streamed, a node at a time. */
static void
api_nodes(struct api_req *r)
{
	struct api_nodes	 a;
	struct inv_hub		 g;
	struct evbuffer		*b;
	struct json_w		 w;

	if ((b = hub_api_buf(r->req)) == NULL)
		return;
	memset(&a, 0, sizeof a);
	a.r = r;
	a.w = &w;
	a.pool = evhttp_find_header(&r->query, "pool");
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "nodes");
	api_each(api_nodes_one, &a);
	json_arr_close(&w);
	inv_totals_end(&a.t);
	inv_totals_write(&w, "totals", &a.t);
	inv_totals_free(&a.t);
	api_hub_guards(&g);
	inv_hub_write(&w, "hub", &g);
	json_obj_close(&w);
	if (r->nparts == 2 && a.n == 0)
		api_error(r, 404, "no node named (or with id) %s is online or "
		    "redialing (GET /api/v1/nodes lists them)", r->parts[1]);
	else
		hub_api_send(r->req, 200, b);
	evbuffer_free(b);
}

/* GET pools: a sum per pool, in one pass. */
struct api_pools {
	struct {
		char			 name[FRAME_POOL_MAX + 1];
		struct inv_totals	 t;
	}		*v;
	size_t		 n, cap;
};

static void
api_pools_one(const struct inv_node *in, void *arg)
{
	struct api_pools	*a = arg;
	size_t			 k;
	int			 p;

	for (p = 0; p < in->npools; p++) {
		for (k = 0; k < a->n; k++)
			if (strcmp(a->v[k].name, in->pools[p]) == 0)
				break;
		if (k == a->n) {
			if (a->n == a->cap) {
				a->cap = a->cap ? a->cap * 2 : 8;
				a->v = xreallocarray(a->v, a->cap,
				    sizeof *a->v);
			}
			memset(&a->v[k], 0, sizeof a->v[k]);
			strlcpy(a->v[k].name, in->pools[p],
			    sizeof a->v[k].name);
			a->n++;
		}
		inv_totals_add(&a->v[k].t, in, in->pools[p]);
	}
}

static int
api_pool_cmp(const void *x, const void *y)
{
	return (strcmp(x, y));	/* name comes first */
}

static void
api_pools(struct api_req *r)
{
	struct api_pools	 a;
	struct evbuffer		*b;
	struct json_w		 w;
	size_t			 i;

	if ((b = hub_api_buf(r->req)) == NULL)
		return;
	memset(&a, 0, sizeof a);
	api_each(api_pools_one, &a);
	if (a.n > 0)
		qsort(a.v, a.n, sizeof *a.v, api_pool_cmp);
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "pools");
	for (i = 0; i < a.n; i++) {
		json_obj_open(&w, NULL);
		json_str(&w, "name", a.v[i].name);
		json_u64(&w, "nodes_online", a.v[i].t.online);
		json_u64(&w, "nodes_resting", a.v[i].t.resting);
		json_u64(&w, "nodes_away", a.v[i].t.away);
		json_u64(&w, "relays", a.v[i].t.relays);
		json_u64(&w, "pool_idle", a.v[i].t.idle);
		json_u64(&w, "up_rate", a.v[i].t.up_rate);
		json_u64(&w, "down_rate", a.v[i].t.down_rate);
		json_u64(&w, "nodes_paused", a.v[i].t.paused);
		json_obj_close(&w);
		inv_totals_free(&a.v[i].t);
	}
	json_arr_close(&w);
	json_obj_close(&w);
	free(a.v);
	hub_api_send(r->req, 200, b);
	evbuffer_free(b);
}

static void
api_stats_one(const struct inv_node *in, void *arg)
{
	inv_totals_add(arg, in, NULL);
}

/* GET stats: the totals, the guards, the hub's own figures. */
static void
api_stats(struct api_req *r)
{
	struct inv_totals	 t;
	struct inv_hub		 g;
	struct evbuffer		*b;
	struct json_w		 w;

	if ((b = hub_api_buf(r->req)) == NULL)
		return;
	memset(&t, 0, sizeof t);
	api_each(api_stats_one, &t);
	inv_totals_end(&t);
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_str(&w, "version", version_string());
	json_u64(&w, "time", time(NULL));
	json_u64(&w, "started", hub.started);
	json_u64(&w, "relays", relay_count());
	json_u64(&w, "sessions", hub.nsessions);
	json_u64(&w, "dials_pending", hub.ndials);
	inv_totals_write(&w, "totals", &t);
	inv_totals_free(&t);
	api_hub_guards(&g);
	inv_hub_write(&w, "hub", &g);
	json_obj_close(&w);
	hub_api_send(r->req, 200, b);
	evbuffer_free(b);
}

/*
 * POST nodes/{name or id}/drain|undrain|redial|disconnect: every online
 * node of that name (or the one with that id).  200 when it worked on
 * one at least, 409 when every node refused (already redialing, cannot
 * redial), 404 when none is online.
 */
static void
api_node_op(struct api_req *r)
{
	static const char	*ops[] = { "drain", "undrain", "redial",
				    "disconnect" };
	struct node		*n, *tmp;
	struct inv_node		 in;
	struct evbuffer		*b;
	struct json_w		 w;
	char			 one[256], first[300];
	u_int			 matched = 0, failed = 0;
	int			 op, st;

	for (op = 0; op < (int)nitems(ops); op++)
		if (strcmp(r->parts[2], ops[op]) == 0)
			break;
	if (op == (int)nitems(ops)) {
		api_error(r, 404, "no operation %s on a node (drain, undrain, "
		    "redial, disconnect)", r->parts[2]);
		return;
	}
	if (r->method != EVHTTP_REQ_POST) {
		api_not_allowed(r, "POST");
		return;
	}
	if ((b = hub_api_buf(r->req)) == NULL)
		return;
	json_w_init(&w, b);
	json_obj_open(&w, NULL);
	json_arr_open(&w, "nodes");
	first[0] = '\0';
	TAILQ_FOREACH_SAFE(n, &hub.nodes, n_entry, tmp) {
		if (!hub_node_named(n, r->parts[1]))
			continue;
		st = hub_admin_one(n, op, one, sizeof one);
		if (st != 0)
			failed++;
		/* The text: the first node's, or the first that worked. */
		if (matched++ == 0 || (st == 0 && failed == matched - 1))
			strlcpy(first, one, sizeof first);
		log_info("%s: %s %s: %s", r->peer, ops[op], r->parts[1], one);
		hub_api_inv_node(&in, n);
		inv_node_write(&w, NULL, &in);
		if (op == HUB_ADMIN_DISCONNECT && st == 0)
			hub_node_close(n, FRAME_BYE_SHUTDOWN,
			    "disconnected by the operator");
	}
	json_arr_close(&w);
	if (matched > 1)
		strlcat(first, " (and more nodes of that name)", sizeof first);
	json_str(&w, "message", first);
	json_obj_close(&w);
	if (matched == 0)
		api_error(r, 404, "no node named (or with id) %s is online "
		    "(GET /api/v1/nodes lists them)", r->parts[1]);
	else if (failed == matched)
		api_error(r, 409, "%s", first);
	else
		hub_api_send(r->req, 200, b);
	evbuffer_free(b);
}

/*
 * GET /metrics (hub_metrics.c), or a file of the dashboard (hub_dash.c)
 * with headers that keep it to itself: a strict CSP (no inline script,
 * nothing from elsewhere, no framing), no sniffing, no referrer.
 */
static void
api_static(struct api_req *r, const char *path)
{
	struct evkeyvalq		*h;
	const struct hub_dash_asset	*a = NULL;
	struct evbuffer			*b;

	if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD) {
		api_not_allowed(r, "GET");
		return;
	}
	if (strcmp(path, "/metrics") != 0 && (a = hub_dash_find(path)) == NULL) {
		api_error(r, 404, "no such path: %s (the dashboard is /, the "
		    "API /api/v1/, metrics /metrics: doc/admin.md)",
		    evhttp_request_get_uri(r->req));
		return;
	}
	h = evhttp_request_get_output_headers(r->req);
	if ((b = hub_api_buf(r->req)) == NULL)
		return;
	if (a == NULL) {
		hub_metrics_write(b);
		evhttp_add_header(h, "Content-Type",
		    "text/plain; version=0.0.4; charset=utf-8");
		evhttp_add_header(h, "Cache-Control", "no-store");
	} else {
		evbuffer_add_reference(b, a->data, a->len, NULL, NULL);
		evhttp_add_header(h, "Content-Type", a->type);
		evhttp_add_header(h, "Cache-Control", "no-cache");
		evhttp_add_header(h, "Content-Security-Policy",
		    "default-src 'self'; img-src 'self' data:; style-src "
		    "'self'; script-src 'self'; connect-src 'self'; "
		    "frame-ancestors 'none'; base-uri 'none'; "
		    "form-action 'none'");
		evhttp_add_header(h, "X-Frame-Options", "DENY");
		evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	}
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}

/* Route a request whose path is split into r->parts. */
static void
api_route(struct api_req *r)
{
	const char	*what = r->nparts > 0 ? r->parts[0] : "";

	if (r->nparts == 3 && strcmp(what, "nodes") == 0) {
		api_node_op(r);
		return;
	} else if (r->nparts == 1 && strcmp(what, "events") == 0) {
		hub_events_get(r->req, r->peer);
		return;
	} else if (strcmp(what, "users") == 0) {
		hub_acct_api(r->req, r->peer, r->method, r->parts + 1,
		    r->nparts - 1);
		return;
	}
	if (strcmp(what, "nodes") != 0 && strcmp(what, "pools") != 0 &&
	    strcmp(what, "stats") != 0) {
		api_error(r, 404, "no such API path: %s (doc/admin.md lists "
		    "them)", evhttp_request_get_uri(r->req));
		return;
	}
	if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD) {
		api_not_allowed(r, "GET");
		return;
	}
	if (strcmp(what, "nodes") == 0 && r->nparts <= 2)
		api_nodes(r);
	else if (strcmp(what, "pools") == 0 && r->nparts == 1)
		api_pools(r);
	else if (strcmp(what, "stats") == 0 && r->nparts == 1)
		api_stats(r);
	else
		api_error(r, 404, "no such API path: %s (doc/admin.md lists "
		    "them)", evhttp_request_get_uri(r->req));
}

/* HEX into len bytes; -1 unless exactly 2 * len hex digits. */
static int
api_unhex(const char *s, uint8_t *out, size_t len)
{
	size_t	 i;
	int	 hi, lo;

	if (strlen(s) != 2 * len)
		return (-1);
	for (i = 0; i < len; i++) {
		hi = s[2 * i] >= '0' && s[2 * i] <= '9' ? s[2 * i] - '0' :
		    (s[2 * i] | 0x20) >= 'a' && (s[2 * i] | 0x20) <= 'f' ?
		    (s[2 * i] | 0x20) - 'a' + 10 : -1;
		lo = s[2 * i + 1] >= '0' && s[2 * i + 1] <= '9' ?
		    s[2 * i + 1] - '0' : (s[2 * i + 1] | 0x20) >= 'a' &&
		    (s[2 * i + 1] | 0x20) <= 'f' ?
		    (s[2 * i + 1] | 0x20) - 'a' + 10 : -1;
		if (hi == -1 || lo == -1)
			return (-1);
		out[i] = hi << 4 | lo;
	}
	return (0);
}

/*
 * A TCP request's credentials: the cookie as "Bearer HEX" or Basic
 * "__cookie__:HEX" (what a browser can send), or an admin account's name
 * and password as Basic (-admins).  0 when they are right (an account's
 * name then in r->peer); -1 when not; -2 when the limiter refused an
 * account without checking; -3 when an account's login failed (logged,
 * and counted in the limiter already).
 */
static int
api_login_ok(struct api_req *r, const struct sockaddr *sa)
{
	const char	*a, *why;
	uint8_t		 got[ADMIN_COOKIE_LEN], dec[AUTH_NAME_MAX +
			    AUTH_PASSWORD_MAX + 3];
	char		 hex[2 * ADMIN_COOKIE_LEN + 1], *colon;
	ssize_t		 n;
	int		 ok = 0, rc;

	a = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "Authorization");
	if (a == NULL)
		return (-1);
	if (strncasecmp(a, "Bearer ", 7) == 0)
		ok = api_unhex(a + 7, got, sizeof got) == 0;
	else if (strncasecmp(a, "Basic ", 6) == 0 &&
	    (n = auth_b64_decode(dec, sizeof dec - 1, a + 6,
	    strlen(a + 6))) > 0) {
		dec[n] = '\0';
		if (strncmp((char *)dec, "__cookie__:", 11) == 0)
			ok = strlcpy(hex, (char *)dec + 11, sizeof hex) <
			    sizeof hex && api_unhex(hex, got, sizeof got) == 0;
		else if ((colon = strchr((char *)dec, ':')) != NULL &&
		    sa != NULL && auth_admins_count() > 0 &&
		    strlen((char *)dec) == (size_t)n) {
			*colon = '\0';
			rc = auth_admin_login(sa, (char *)dec, colon + 1, &why);
			if (rc == 0)
				snprintf(r->peer + strlen(r->peer),
				    sizeof r->peer - strlen(r->peer),
				    " (%.64s)", (char *)dec);
			else if (rc == -1)
				log_warnx("%s: admin login as \"%.64s\" "
				    "failed: %s", r->peer, (char *)dec, why);
			explicit_bzero(dec, sizeof dec);
			return (rc == 0 ? 0 : rc == -1 ? -3 : -2);
		}
		explicit_bzero(dec, sizeof dec);
		explicit_bzero(hex, sizeof hex);
	}
	ok = ok && token_equal(got, hub_admin_cookie(), sizeof got);
	explicit_bzero(got, sizeof got);
	return (ok ? 0 : -1);
}

/*
 * Host must name this machine (a page on another site that resolves its
 * name to 127.0.0.1 sends its own name: DNS rebinding).
 */
static int
api_host_ok(struct api_req *r)
{
	const char	*h;
	size_t		 l;

	h = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "Host");
	if (h == NULL)
		return (0);
	if (strncasecmp(h, "localhost", 9) == 0)
		l = 9;
	else if (strncmp(h, "127.0.0.1", 9) == 0)
		l = 9;
	else if (strncmp(h, "[::1]", 5) == 0)
		l = 5;
	else
		return (0);
	if (h[l] == '\0')
		return (1);
	if (h[l] != ':' || h[l + 1] == '\0')
		return (0);
	return (strspn(h + l + 1, "0123456789") == strlen(h + l + 1));
}

/*
 * Who is asking, into r->peer; 0 if they may.  The Unix socket: root,
 * the hub's user or its group (doc/security.md).  A TCP port: loopback
 * only, and the cookie when auth (not for the dashboard's files, which
 * hold no data: the page asks for the cookie itself).
 */
static int
api_who(struct api_req *r, int auth)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(r->req);
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(evcon);
	evutil_socket_t		 fd = bufferevent_getfd(bev);
	const struct sockaddr	*sa;
	char			*addr = NULL;
	ev_uint16_t		 port = 0;
	uid_t			 uid;
	gid_t			 gid;
	long			 pid;
	int			 rc = -1;

	if (r->srv->tcp) {
		evhttp_connection_get_peer(evcon, &addr, &port);
		snprintf(r->peer, sizeof r->peer, "admin %s:%u",
		    addr != NULL ? addr : "?", port);
		if (!auth)
			return (0);
		/*
		 * Failed cookies count in the proxy logins' limiter, by
		 * address (AUTH_FAIL_MAX a minute): a guesser is slowed and
		 * logged once, like a proxy client.
		 */
		sa = evhttp_connection_get_addr(evcon);
		if ((sa != NULL && auth_limit_blocked(sa)) ||
		    (rc = api_login_ok(r, sa)) == -2) {
			hub.guard.admin_refused++;
			evhttp_add_header(evhttp_request_get_output_headers(
			    r->req), "Retry-After", "60");
			api_error(r, 429, "%d failed logins from this address "
			    "within a minute: wait, then send the cookie in "
			    "STATE-DIR/%s or an admin's name and password",
			    AUTH_FAIL_MAX, ADMIN_COOKIE_FILE);
			return (-1);
		}
		if (rc != 0) {
			hub.guard.admin_refused++;
			if (rc == -1 && sa != NULL)
				auth_limit_fail(sa);
			api_error(r, 401, "this admin port wants the hub's "
			    "cookie (STATE-DIR/%s) as \"Authorization: Bearer "
			    "HEX\"%s", ADMIN_COOKIE_FILE, auth_admins_count() >
			    0 ? ", or an admin's name and password (Basic)" :
			    "");
			return (-1);
		}
		return (0);
	}
	if (compat_peercred(fd, &uid, &gid, &pid) == -1) {
		strlcpy(r->peer, "admin (unknown peer)", sizeof r->peer);
		hub.guard.admin_refused++;
		api_error(r, 403, "the hub cannot tell who connected: %s",
		    strerror(errno));
		return (-1);
	}
	if (pid > 0)
		snprintf(r->peer, sizeof r->peer, "admin uid %u pid %ld",
		    (u_int)uid, pid);
	else
		snprintf(r->peer, sizeof r->peer, "admin uid %u", (u_int)uid);
	if (uid != 0 && uid != geteuid() && gid != getegid() &&
	    !compat_pid_in_group(pid, getegid())) {
		hub.guard.admin_refused++;
		api_error(r, 403, "not root, the hub's user (uid %u) or its "
		    "group (gid %u)", (u_int)geteuid(), (u_int)getegid());
		return (-1);
	}
	return (0);
}

/* Split path (after /api/v1/) at '/' into r->parts; -1 if too many. */
static int
api_split(struct api_req *r, char *path)
{
	char	*slash;

	r->nparts = 0;
	for (;;) {
		if (r->nparts == (int)nitems(r->parts))
			return (-1);
		r->parts[r->nparts++] = path;
		if ((slash = strchr(path, '/')) == NULL)
			break;
		*slash = '\0';
		path = slash + 1;
		if (*path == '\0')
			break;		/* a trailing slash */
	}
	return (0);
}

/* bev's connection, or NULL. */
static struct api_conn *
api_conn_find(struct bufferevent *bev)
{
	struct api_conn	*c;
	u_int		 i;

	for (i = 0; i < api_nsrvs; i++)
		TAILQ_FOREACH(c, &api_srvs[i].conns, entry)
			if (c->top == bev)
				return (c);
	return (NULL);
}

/* see hub.h */
void
hub_api_stream(struct evhttp_request *req)
{
	struct api_conn	*c;

	if ((c = api_conn_find(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)))) != NULL)
		c->stream = 1;
}

/* Every request: who, Host, CSRF, then the route. */
static void
api_request_cb(struct evhttp_request *req, void *arg)
{
	struct api_req		 r;
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	const char		*path, *q;
	char			*dec = NULL;
	struct api_conn		*c;
	int			 asset;

	/* A request came whole: the connection's deadline starts again. */
	if ((c = api_conn_find(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)))) != NULL)
		c->since_us = core_now_us();
	else if (((struct api_srv *)arg)->tls != NULL) {
		/*
		 * evhttp's own bufferevent (api_bev_cb() had no memory): no
		 * TLS, so no answer but this.
		 */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	memset(&r, 0, sizeof r);
	TAILQ_INIT(&r.query);
	r.req = req;
	r.srv = arg;
	r.method = evhttp_request_get_command(req);
	strlcpy(r.peer, "admin", sizeof r.peer);
	path = u != NULL ? evhttp_uri_get_path(u) : NULL;
	asset = path != NULL && strncmp(path, "/api/", 5) != 0 &&
	    strcmp(path, "/metrics") != 0;
	if (api_who(&r, !asset) == -1)
		return;
	/*
	 * On a TLS port a rebinding page meets a certificate for another
	 * name, which its browser refuses: any Host will do there.
	 */
	if (r.srv->tls == NULL && !api_host_ok(&r)) {
		api_error(&r, 403, "Host must be localhost, 127.0.0.1 or "
		    "[::1] (with a port or not)");
		return;
	}
	/*
	 * A change needs a header no form and no simple cross-site request
	 * can send: a page elsewhere cannot make a browser that holds the
	 * cookie (or an ssh -L to the socket) drain nodes.
	 */
	if (r.method != EVHTTP_REQ_GET && r.method != EVHTTP_REQ_HEAD &&
	    evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Tentacle-Csrf") == NULL) {
		api_error(&r, 403, "a %s needs the header X-Tentacle-Csrf: 1 "
		    "(doc/admin.md)", r.method == EVHTTP_REQ_POST ? "POST" :
		    "change");
		return;
	}
	if (path != NULL && (asset || strcmp(path, "/metrics") == 0)) {
		api_static(&r, path);
		return;
	}
	if (path == NULL || strncmp(path, "/api/v1/", 8) != 0 ||
	    strlen(path) > API_PATH_MAX ||
	    (dec = evhttp_decode_uri(path + 8)) == NULL ||
	    strlen(dec) != strcspn(dec, "\r\n") ||
	    api_split(&r, dec) == -1) {
		api_error(&r, 404, "no such path: %s (the API is under "
		    "/api/v1/: doc/admin.md)", evhttp_request_get_uri(req));
		free(dec);
		return;
	}
	if ((q = evhttp_uri_get_query(u)) != NULL &&
	    evhttp_parse_query_str(q, &r.query) == -1) {
		api_error(&r, 400, "cannot read the query string");
		free(dec);
		return;
	}
	api_route(&r);
	evhttp_clear_headers(&r.query);
	free(dec);
}

/*
 * Once a second while connections are open: a connection evhttp has
 * freed (it cleared its callbacks; our reference kept the socket) is
 * counted out and closed; one whose next request is not whole within
 * -handshake-timeout is cut (evhttp's timeout restarts with every byte: a
 * client trickling bytes would hold it for ever).
 */
static void
api_sweep_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct api_srv		*s = arg;
	struct api_conn		*c, *tmp;
	struct timeval		 tv = { 1, 0 };
	bufferevent_data_cb	 r, w;
	bufferevent_event_cb	 e;
	void			*cbarg;
	evutil_socket_t		 sock;
	uint64_t		 now = core_now_us();

	TAILQ_FOREACH_SAFE(c, &s->conns, entry, tmp) {
		bufferevent_getcb(c->bev, &r, &w, &e, &cbarg);
		if (r == NULL && w == NULL && e == NULL) {
			TAILQ_REMOVE(&s->conns, c, entry);
			bufferevent_decref(c->bev);
			free(c);
			s->nconn--;
			continue;
		}
		if (!c->cut && !c->stream && now - c->since_us > hub.conf.handshake_ms *
		    1000ULL && (sock = bufferevent_getfd(c->bev)) != -1) {
			log_info("admin: no whole request within %d ms "
			    "(-handshake-timeout): connection cut",
			    hub.conf.handshake_ms);
			shutdown(sock, SHUT_RDWR);
			c->cut = 1;
		}
	}
	if (s->paused && s->nconn < s->max && s->cl != NULL) {
		evconnlistener_enable(core_listener_lev(s->cl));
		s->paused = 0;
	}
	if (!TAILQ_EMPTY(&s->conns))
		evtimer_add(s->sweep, &tv);
}

/*
 * evhttp's new connection: a socket bufferevent we keep a reference on,
 * to count the connection (at the limit the listener stops accepting
 * until the sweep finds one gone) and to hold its deadline.  Off
 * loopback, TLS on it: evhttp frees a connection once its bufferevent's
 * output is empty and then shuts the socket's write side, so the TLS
 * filter holds its last byte until the socket's output is empty too
 * (tls_hold_close()).
 */
static struct bufferevent *
api_bev_cb(struct event_base *base, void *arg)
{
	struct api_srv		*s = arg;
	struct api_conn		*c;
	struct timeval		 tv = { 1, 0 };
	char			*cause = NULL;

	/*
	 * Out of memory: NULL, and evhttp makes one of its own, uncounted
	 * (and on a TLS port plaintext: api_request_cb() refuses it).
	 */
	if ((c = calloc(1, sizeof *c)) == NULL)
		return (NULL);
	if ((c->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		return (NULL);
	}
	bufferevent_incref(c->bev);
	c->top = c->bev;
	/* tls_wrap() frees the socket's on failure: our reference is left. */
	if (s->tls != NULL && (c->top = tls_wrap(s->tls, c->bev, 1, NULL,
	    &cause)) == NULL) {
		log_warnx("admin: TLS: %s", cause);
		free(cause);
		bufferevent_decref(c->bev);
		free(c);
		return (NULL);
	}
	if (s->tls != NULL)
		tls_hold_close(c->top);
	c->srv = s;
	c->since_us = core_now_us();
	if (TAILQ_EMPTY(&s->conns))
		evtimer_add(s->sweep, &tv);
	TAILQ_INSERT_TAIL(&s->conns, c, entry);
	if (++s->nconn >= s->max && !s->paused && s->cl != NULL) {
		log_warnx("admin %s: %u connections open: not accepting more "
		    "until one closes", core_listener_name(s->cl), s->max);
		evconnlistener_disable(core_listener_lev(s->cl));
		s->paused = 1;
	}
	return (c->top);
}

/* see hub.h */
int
hub_api_serve(struct core_listener *cl, int tcp, struct tls_conf *tls,
    char **cause)
{
	struct api_srv	*s;
	struct timeval	 tv = { API_IDLE_S, 0 };

	if (api_nsrvs == nitems(api_srvs)) {
		xasprintf(cause, "too many admin listeners");
		return (-1);
	}
	s = &api_srvs[api_nsrvs++];
	memset(s, 0, sizeof *s);
	if ((s->http = evhttp_new(core_base)) == NULL)
		fatalx("evhttp_new failed");
	s->cl = cl;
	s->tcp = tcp;
	s->tls = tls;
	TAILQ_INIT(&s->conns);
	if ((s->sweep = evtimer_new(core_base, api_sweep_cb, s)) == NULL)
		fatalx("evtimer_new failed");
	s->max = tcp ? API_TCP_MAX : API_UNIX_MAX;
	evhttp_set_max_headers_size(s->http, API_HEAD_MAX);
	evhttp_set_max_body_size(s->http, API_BODY_MAX);
	evhttp_set_timeout_tv(s->http, &tv);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(s->http, "application/json");
	evhttp_set_gencb(s->http, api_request_cb, s);
	evhttp_set_bevcb(s->http, api_bev_cb, s);
	core_listener_http(cl, s->http);
	return (0);
}

/* see hub.h */
void
hub_api_close(void)
{
	u_int		 i;
	struct api_srv	*s;
	struct api_conn	*c;

	hub_events_close();
	for (i = 0; i < api_nsrvs; i++) {
		s = &api_srvs[i];
		s->cl = NULL;
		evhttp_free(s->http);
		while ((c = TAILQ_FIRST(&s->conns)) != NULL) {
			TAILQ_REMOVE(&s->conns, c, entry);
			bufferevent_decref(c->bev);
			free(c);
		}
		event_free(s->sweep);
	}
	api_nsrvs = 0;
}
