/*
 * hub_metrics.c: GET /metrics (doc/admin.md, "Metrics"): the hub's state
 * in the Prometheus text exposition format 0.0.4.  Owns the metric names,
 * their help, the label escapes and the cap on per-node series; reads the
 * counters other files keep and counts nothing itself.  hub_api.c serves
 * it; no I/O here.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "frame.h"
#include "limit.h"
#include "hub.h"
#include "inventory.h"

/*
 * Series per node are written for this many nodes (online first, then
 * those away redialing); the rest are left out and counted in
 * tentacle_metrics_nodes_omitted, so that a scrape stays bounded.
 */
#define METRICS_NODES_MAX	1000
/* Pools with series in tentacle_nodes; more in ..._pools_omitted. */
#define METRICS_POOLS_MAX	1000
/* Users with series of their own; above it counted, not listed. */
#define METRICS_USERS_MAX	1000
/* An escaped label value: a node's longest string, each byte escaped. */
#define METRICS_ESC_MAX		(2 * FRAME_BUILD_MAX + 3)
/* A sample's name with a node's labels. */
#define METRICS_PRE_MAX		(64 + 16 + METRICS_ESC_MAX)

/* One node with series: online (n), or away redialing (pk). */
struct mnode {
	uint32_t		 id;
	const struct frame_hello *hello;
	const struct node	*n;
	const struct parked	*pk;
	int			 state;		/* INV_* */
};

/* A walk over the nodes with series: online first, METRICS_NODES_MAX. */
struct mwalk {
	const struct node	*n;
	const struct parked	*pk;
	u_int			 done;
	int			 parked;
};

/* A node's pool and state, sorted to count tentacle_nodes. */
struct mpool {
	const char		*pool;
	int			 state;
};

/* Parked records shown: those of nodes away to redial (the inventory's). */
static int
metrics_parked_shown(const struct parked *pk)
{
	return (pk->pk_keep.pending_us != 0);
}

static void
metrics_walk_start(struct mwalk *w)
{
	memset(w, 0, sizeof *w);
	w->n = TAILQ_FIRST(&hub.nodes);
	w->pk = TAILQ_FIRST(&hub.parked);
}

/* The next node with series into m; 0 at the end or the cap. */
static int
metrics_walk_next(struct mwalk *w, struct mnode *m)
{
	if (w->done >= METRICS_NODES_MAX)
		return (0);
	memset(m, 0, sizeof *m);
	if (w->n != NULL) {
		m->n = w->n;
		m->id = w->n->n_id;
		m->hello = &w->n->n_hello;
		m->state = hub_node_state(w->n);
		w->n = TAILQ_NEXT(w->n, n_entry);
		w->done++;
		return (1);
	}
	while (w->pk != NULL && !metrics_parked_shown(w->pk))
		w->pk = TAILQ_NEXT(w->pk, pk_entry);
	if (w->pk == NULL)
		return (0);
	m->pk = w->pk;
	m->id = w->pk->pk_id;
	m->hello = &w->pk->pk_hello;
	m->state = INV_REDIALING;
	w->pk = TAILQ_NEXT(w->pk, pk_entry);
	w->done++;
	return (1);
}

/* Online nodes their host paused (drained ones too). */
static u_int
metrics_npaused(void)
{
	const struct node	*n;
	u_int			 count = 0;

	TAILQ_FOREACH(n, &hub.nodes, n_entry)
		count += n->n_paused != 0;
	return (count);
}

/* Nodes the inventory shows: online, and away redialing. */
static u_int
metrics_nodes_shown(void)
{
	const struct parked	*pk;
	u_int			 count = hub.nnodes;

	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (metrics_parked_shown(pk))
			count++;
	}
	return (count);
}

/*
 * s escaped for a label value into buf: backslash, double quote and line
 * feed (the format's only escapes).  Peers' strings are printable ASCII
 * already (frame.c); anything else becomes '?' so that a value is always
 * valid UTF-8.  Cut short (never inside an escape) if buf is too small.
 */
static const char *
metrics_esc(char *buf, size_t len, const char *s)
{
	size_t	 o = 0;

	for (; *s != '\0' && o + 3 <= len; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			buf[o++] = '\\';
			buf[o++] = *s == '\n' ? 'n' : *s;
		} else if ((unsigned char)*s < 0x20 ||
		    (unsigned char)*s >= 0x7f)
			buf[o++] = '?';
		else
			buf[o++] = *s;
	}
	buf[o] = '\0';
	return (buf);
}

/* A label value with its quotes. */
static void
metrics_label_value(struct evbuffer *out, const char *s)
{
	char	 buf[METRICS_ESC_MAX];

	evbuffer_add_printf(out, "\"%s\"", metrics_esc(buf, sizeof buf, s));
}

/* HELP and TYPE of a name; help escapes backslash and line feed. */
static void
metrics_head(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	const char	*p;

	evbuffer_add_printf(out, "# HELP %s ", name);
	for (p = help; *p != '\0'; p++) {
		if (*p == '\\')
			evbuffer_add(out, "\\\\", 2);
		else if (*p == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, p, 1);
	}
	evbuffer_add_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* A name with no labels and its one sample. */
static void
metrics_one(struct evbuffer *out, const char *name, const char *type,
    const char *help, uint64_t v)
{
	metrics_head(out, name, type, help);
	evbuffer_add_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* A sample's name and its node's labels, the brace left open, in pre. */
static const char *
metrics_node_pre(char *pre, size_t len, const char *name,
    const struct mnode *m)
{
	char	 buf[METRICS_ESC_MAX];

	snprintf(pre, len, "%s{id=\"%u\",node=\"%s\"", name, m->id,
	    metrics_esc(buf, sizeof buf, m->hello->name));
	return (pre);
}

/* One sample per online node (value from get), every node's labels. */
static void
metrics_per_node(struct evbuffer *out, const char *name, const char *type,
    const char *help, int away_too, uint64_t (*get)(const struct mnode *))
{
	struct mwalk	 w;
	struct mnode	 m;
	char		 pre[METRICS_PRE_MAX];

	metrics_head(out, name, type, help);
	metrics_walk_start(&w);
	while (metrics_walk_next(&w, &m)) {
		if (m.n == NULL && !away_too)
			continue;
		evbuffer_add_printf(out, "%s} %llu\n",
		    metrics_node_pre(pre, sizeof pre, name, &m),
		    (unsigned long long)get(&m));
	}
}

static uint64_t
metrics_get_up(const struct mnode *m)
{
	return (m->n != NULL);
}

static uint64_t
metrics_get_relays(const struct mnode *m)
{
	return (m->n != NULL ? m->n->n_nrelays : m->pk->pk_nrelays);
}

static uint64_t
metrics_get_dials(const struct mnode *m)
{
	return (m->n->n_ndials);
}

static uint64_t
metrics_get_paused(const struct mnode *m)
{
	return (m->n->n_paused != 0);
}

static uint64_t
metrics_get_spares(const struct mnode *m)
{
	return (m->n->n_nspares);
}

static uint64_t
metrics_get_reused(const struct mnode *m)
{
	return (m->n->n_reused);
}

static uint64_t
metrics_get_since(const struct mnode *m)
{
	return ((uint64_t)m->n->n_since);
}

/* A node's keep: online in the node, away in its parked record. */
static const struct node_keep *
metrics_keep(const struct mnode *m)
{
	return (m->n != NULL ? &m->n->n_keep : &m->pk->pk_keep);
}

static uint64_t
metrics_get_last_redial(const struct mnode *m)
{
	return ((uint64_t)metrics_keep(m)->last_redial);
}

/* Online nodes: two samples each, labelled key="a" and key="b". */
static void
metrics_per_node2(struct evbuffer *out, const char *name, const char *type,
    const char *help, const char *key, const char *a, const char *b,
    int away_too, void (*get)(const struct mnode *, uint64_t *, uint64_t *))
{
	struct mwalk	 w;
	struct mnode	 m;
	uint64_t	 v[2];
	const char	*kv[2] = { a, b };
	char		 pre[METRICS_PRE_MAX];
	int		 i;

	metrics_head(out, name, type, help);
	metrics_walk_start(&w);
	while (metrics_walk_next(&w, &m)) {
		if (m.n == NULL && !away_too)
			continue;
		get(&m, &v[0], &v[1]);
		metrics_node_pre(pre, sizeof pre, name, &m);
		for (i = 0; i < 2; i++)
			evbuffer_add_printf(out, "%s,%s=\"%s\"} %llu\n", pre,
			    key, kv[i], (unsigned long long)v[i]);
	}
}

static void
metrics_get_bytes(const struct mnode *m, uint64_t *up, uint64_t *down)
{
	*up = m->n->n_bytes.up;
	*down = m->n->n_bytes.down;
}

static void
metrics_get_redials(const struct mnode *m, uint64_t *changed,
    uint64_t *same)
{
	*changed = metrics_keep(m)->redials;
	*same = metrics_keep(m)->redials_same;
}

/* tentacle_node_info: 1 per node, what it said of itself in HELLO. */
static void
metrics_node_info(struct evbuffer *out)
{
	struct mwalk	 w;
	struct mnode	 m;
	char		 pre[METRICS_PRE_MAX], os[METRICS_ESC_MAX];
	char		 arch[METRICS_ESC_MAX], build[METRICS_ESC_MAX];
	u_int		 r;

	metrics_head(out, "tentacle_node_info", "gauge", "1 per node, with "
	    "what it says of itself: os, arch, build and the redial it can "
	    "do.");
	metrics_walk_start(&w);
	while (metrics_walk_next(&w, &m)) {
		r = m.hello->redial;
		evbuffer_add_printf(out, "%s,os=\"%s\",arch=\"%s\",build=\"%s\","
		    "redial=\"%s\"} 1\n",
		    metrics_node_pre(pre, sizeof pre, "tentacle_node_info", &m),
		    metrics_esc(os, sizeof os, m.hello->os),
		    metrics_esc(arch, sizeof arch, m.hello->arch),
		    metrics_esc(build, sizeof build, m.hello->build),
		    r < nitems(inv_redials) ? inv_redials[r] : "unknown");
	}
}

/* tentacle_node_rtt_seconds: online nodes' last heartbeat round trip. */
static void
metrics_node_rtt(struct evbuffer *out)
{
	struct mwalk	 w;
	struct mnode	 m;
	char		 pre[METRICS_PRE_MAX];

	metrics_head(out, "tentacle_node_rtt_seconds", "gauge", "Round trip "
	    "of the node's last heartbeat on its control link.");
	metrics_walk_start(&w);
	while (metrics_walk_next(&w, &m)) {
		if (m.n == NULL)
			continue;
		evbuffer_add_printf(out, "%s} %u.%06u\n", metrics_node_pre(pre,
		    sizeof pre, "tentacle_node_rtt_seconds", &m),
		    (u_int)(m.n->n_rtt_us / 1000000),
		    (u_int)(m.n->n_rtt_us % 1000000));
	}
}

/* tentacle_node_dials_total: online nodes' dials by result. */
static void
metrics_node_dials(struct evbuffer *out)
{
	struct mwalk	 w;
	struct mnode	 m;
	static const char *results[] = { "ok", "failed", "denied" };
	uint64_t	 v[3];
	char		 pre[METRICS_PRE_MAX];
	int		 i;

	metrics_head(out, "tentacle_node_dials_total", "counter", "Dials "
	    "answered by the node on this connection: ok, failed (timed out, "
	    "refused, unreachable), denied by its destination policy.");
	metrics_walk_start(&w);
	while (metrics_walk_next(&w, &m)) {
		if (m.n == NULL)
			continue;
		v[0] = m.n->n_dials_ok;
		v[1] = m.n->n_dials_failed;
		v[2] = m.n->n_dials_denied;
		metrics_node_pre(pre, sizeof pre, "tentacle_node_dials_total",
		    &m);
		for (i = 0; i < 3; i++)
			evbuffer_add_printf(out, "%s,result=\"%s\"} %llu\n",
			    pre, results[i], (unsigned long long)v[i]);
	}
}

static int
metrics_pool_cmp(const void *a, const void *b)
{
	const struct mpool	*pa = a, *pb = b;
	int			 c;

	if ((c = strcmp(pa->pool, pb->pool)) != 0)
		return (c);
	return (pa->state - pb->state);
}

/* One (pool, state) entry for each of h's pools ("default": none). */
static size_t
metrics_pool_add(struct mpool *p, const struct frame_hello *h, int state)
{
	int	 i;

	if (h->npools == 0) {
		p[0].pool = "default";
		p[0].state = state;
		return (1);
	}
	for (i = 0; i < h->npools; i++) {
		p[i].pool = h->pools[i];
		p[i].state = state;
	}
	return ((size_t)h->npools);
}

/*
 * tentacle_nodes{pool,state}: every node shown, all of them (not only
 * those with series), in each of its pools, every state written for each
 * pool so that a state that empties reads 0.  Returns the pools left out.
 */
static u_int
metrics_pools(struct evbuffer *out)
{
	const struct node	*n;
	const struct parked	*pk;
	struct mpool		*p;
	size_t			 np = 0, i, j, max;
	u_int			 count[INV_NSTATES], npools = 0, omitted = 0;
	char			 esc[METRICS_ESC_MAX];
	int			 s;

	metrics_head(out, "tentacle_nodes", "gauge", "Nodes by pool and "
	    "state (up, drained, draining, redialing, paused); a node counts "
	    "in each of its pools.");
	max = 0;
	TAILQ_FOREACH(n, &hub.nodes, n_entry)
		max += n->n_hello.npools > 0 ? (size_t)n->n_hello.npools : 1;
	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (metrics_parked_shown(pk))
			max += pk->pk_hello.npools > 0 ?
			    (size_t)pk->pk_hello.npools : 1;
	}
	if (max == 0)
		return (0);
	if ((p = calloc(max, sizeof *p)) == NULL) {
		log_warnx("metrics: out of memory; tentacle_nodes left out");
		return (0);
	}
	TAILQ_FOREACH(n, &hub.nodes, n_entry)
		np += metrics_pool_add(p + np, &n->n_hello,
		    hub_node_state(n));
	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (metrics_parked_shown(pk))
			np += metrics_pool_add(p + np, &pk->pk_hello,
			    INV_REDIALING);
	}
	qsort(p, np, sizeof *p, metrics_pool_cmp);
	for (i = 0; i < np; i = j) {
		memset(count, 0, sizeof count);
		for (j = i; j < np && strcmp(p[j].pool, p[i].pool) == 0; j++)
			count[p[j].state]++;
		if (npools++ >= METRICS_POOLS_MAX) {
			omitted++;
			continue;
		}
		metrics_esc(esc, sizeof esc, p[i].pool);
		for (s = 0; s < INV_NSTATES; s++)
			evbuffer_add_printf(out, "tentacle_nodes{pool=\"%s\","
			    "state=\"%s\"} %u\n", esc, inv_states[s],
			    count[s]);
	}
	free(p);
	return (omitted);
}

/* tentacle_build_info: 1, with the version, revision and libevent. */
static void
metrics_build_info(struct evbuffer *out)
{
	const char	*v = version_string(), *lp, *rp;
	char		 rev[64] = "unknown";

	/* "tentacle 0.1.0 (abc1234)": the revision between parentheses. */
	if ((lp = strrchr(v, '(')) != NULL && (rp = strchr(lp, ')')) != NULL &&
	    rp - lp > 1 && (size_t)(rp - lp) < sizeof rev) {
		memcpy(rev, lp + 1, rp - lp - 1);
		rev[rp - lp - 1] = '\0';
	}
	metrics_head(out, "tentacle_build_info", "gauge", "1, with the hub's "
	    "version, git revision and the libevent it runs on.");
	evbuffer_add_printf(out, "tentacle_build_info{version=");
	metrics_label_value(out, VERSION);
	evbuffer_add_printf(out, ",revision=");
	metrics_label_value(out, rev);
	evbuffer_add_printf(out, ",libevent=");
	metrics_label_value(out, event_get_version());
	evbuffer_add_printf(out, "} 1\n");
}

/* One per-user family: which, where, how many so far. */
struct muser {
	struct evbuffer	*out;
	int		 family;	/* MUSER_* */
	u_int		 n;
};
#define MUSER_COUNT	0	/* only count them */
#define MUSER_BYTES	1	/* tentacle_user_bytes_total */
#define MUSER_PERIOD	2	/* tentacle_user_period_bytes */
#define MUSER_CONNS	3	/* tentacle_user_connections */

static void
metrics_user_cb(const char *name, const struct acct_usage *u,
    uint64_t rate_up __unused, uint64_t rate_down __unused, void *arg)
{
	struct muser	*m = arg;
	struct evbuffer	*out = m->out;
	char		 esc[METRICS_ESC_MAX];

	if (m->n++ >= METRICS_USERS_MAX || m->family == MUSER_COUNT)
		return;
	metrics_esc(esc, sizeof esc, name);
	switch (m->family) {
	case MUSER_BYTES:
		evbuffer_add_printf(out, "tentacle_user_bytes_total{user=\"%s\","
		    "direction=\"up\"} %llu\n", esc,
		    (unsigned long long)u->total_up);
		evbuffer_add_printf(out, "tentacle_user_bytes_total{user=\"%s\","
		    "direction=\"down\"} %llu\n", esc,
		    (unsigned long long)u->total_down);
		break;
	case MUSER_PERIOD:
		evbuffer_add_printf(out, "tentacle_user_period_bytes{user=\"%s\","
		    "period=\"day\"} %llu\n", esc,
		    (unsigned long long)(u->day_up + u->day_down));
		evbuffer_add_printf(out, "tentacle_user_period_bytes{user=\"%s\","
		    "period=\"month\"} %llu\n", esc,
		    (unsigned long long)(u->month_up + u->month_down));
		break;
	default:
		evbuffer_add_printf(out, "tentacle_user_connections{user=\"%s\"} "
		    "%u\n", esc, limit_user_count(name));
		break;
	}
}

/*
 * Per proxy user (hub_acct.c: those whose password was checked), up to
 * METRICS_USERS_MAX; the rest counted in tentacle_metrics_users_omitted.
 */
static void
metrics_users(struct evbuffer *out)
{
	struct muser	 m;

	memset(&m, 0, sizeof m);
	m.out = out;
	hub_acct_walk(metrics_user_cb, &m);
	metrics_one(out, "tentacle_users_counted", "gauge", "Proxy users "
	    "whose bytes the hub counts (logged in since the usage file "
	    "began).", m.n);
	metrics_one(out, "tentacle_metrics_users_omitted", "gauge", "Users "
	    "left out of the per-user series (more than the cap, "
	    "doc/admin.md).", m.n > METRICS_USERS_MAX ?
	    m.n - METRICS_USERS_MAX : 0);
	metrics_head(out, "tentacle_user_bytes_total", "counter", "Bytes a "
	    "user moved since its usage began: up (user to target), down.");
	m.n = 0;
	m.family = MUSER_BYTES;
	hub_acct_walk(metrics_user_cb, &m);
	metrics_head(out, "tentacle_user_period_bytes", "gauge", "Bytes a "
	    "user moved today and this month (UTC), up and down together: "
	    "what the day= and month= quotas count.");
	m.n = 0;
	m.family = MUSER_PERIOD;
	hub_acct_walk(metrics_user_cb, &m);
	metrics_head(out, "tentacle_user_connections", "gauge", "A user's "
	    "proxy connections open (conns=, -max-conns-per-user).");
	m.n = 0;
	m.family = MUSER_CONNS;
	hub_acct_walk(metrics_user_cb, &m);
}

/* see hub.h */
void
hub_metrics_write(struct evbuffer *out)
{
	struct auth_stats	 as;
	u_int			 shown, pools_omitted;

	metrics_build_info(out);
	metrics_one(out, "tentacle_start_time_seconds", "gauge", "When the "
	    "hub started, in seconds since the Unix epoch.",
	    (uint64_t)hub.started);

	/* The fleet. */
	shown = metrics_nodes_shown();
	pools_omitted = metrics_pools(out);
	metrics_one(out, "tentacle_nodes_connected", "gauge", "Nodes with a "
	    "control link to the hub.", hub.nnodes);
	metrics_one(out, "tentacle_nodes_redialing", "gauge", "Nodes in a "
	    "redial cycle (draining, or away to redial).", hub.nredialing);
	metrics_one(out, "tentacle_nodes_paused", "gauge", "Nodes connected "
	    "but paused by their host's policy (drained ones too): no new "
	    "requests until the node says it is available.",
	    metrics_npaused());
	metrics_one(out, "tentacle_relays", "gauge", "Proxied connections "
	    "open (a relay each).", relay_count());
	metrics_one(out, "tentacle_dials_pending", "gauge", "Requests waiting "
	    "for an exit node's answer (-max-pending-dials).", hub.ndials);
	metrics_one(out, "tentacle_sessions", "gauge", "Sticky sessions "
	    "held.", hub.nsessions);
	metrics_one(out, "tentacle_clients", "gauge", "Proxy client "
	    "connections open (-max-clients).", limit_total());

	/* The guards (tentacle info's hub line). */
	metrics_one(out, "tentacle_handshakes", "gauge", "Node links in "
	    "their handshake (-max-handshakes).", limit_link_total());
	metrics_one(out, "tentacle_handshakes_refused_total", "counter",
	    "Node links refused at -max-handshakes or -max-handshakes-per-ip.",
	    hub.guard.hs_refused);
	metrics_one(out, "tentacle_handshakes_expired_total", "counter",
	    "Node links closed at the handshake deadline.",
	    hub.guard.hs_expired);
	metrics_one(out, "tentacle_nodes_flooding_total", "counter", "Node "
	    "links closed for a PING flood or an unread backlog.",
	    hub.guard.flooded);
	metrics_one(out, "tentacle_names_refused_total", "counter", "Nodes "
	    "refused a name or id that another owner holds.",
	    hub.guard.identity);
	metrics_one(out, "tentacle_admin_refused_total", "counter", "Admin "
	    "connections refused (who, or too many).",
	    hub.guard.admin_refused);

	/* Proxy users' logins (auth.c). */
	auth_stats(&as);
	metrics_one(out, "tentacle_auth_hashes_total", "counter", "Password "
	    "hashes (PBKDF2) computed for proxy logins.", as.pbkdf2);
	metrics_one(out, "tentacle_auth_cache_hits_total", "counter", "Proxy "
	    "logins answered from the cache of recent successes.",
	    as.cache_hits);
	metrics_one(out, "tentacle_auth_limited_total", "counter", "Proxy "
	    "logins refused by the failed-login limiter or the hash budget.",
	    as.limited);

	/* Per node, up to METRICS_NODES_MAX. */
	metrics_one(out, "tentacle_metrics_nodes_omitted", "gauge", "Nodes "
	    "left out of the per-node series (more than "
	    "the cap, doc/admin.md).", shown > METRICS_NODES_MAX ?
	    shown - METRICS_NODES_MAX : 0);
	metrics_one(out, "tentacle_metrics_pools_omitted", "gauge", "Pools "
	    "left out of tentacle_nodes (more than the cap, doc/admin.md).",
	    pools_omitted);
	metrics_per_node(out, "tentacle_node_up", "gauge", "1: the node is "
	    "connected; 0: away to redial.", 1, metrics_get_up);
	metrics_node_info(out);
	metrics_per_node(out, "tentacle_node_connected_time_seconds", "gauge",
	    "When the node's control link came up, in seconds since the "
	    "Unix epoch.", 0, metrics_get_since);
	metrics_per_node(out, "tentacle_node_relays", "gauge", "Proxied "
	    "connections open over the node's data links.", 1,
	    metrics_get_relays);
	metrics_per_node(out, "tentacle_node_dials_pending", "gauge", "Dials "
	    "sent to the node, not answered yet.", 0, metrics_get_dials);
	metrics_per_node(out, "tentacle_node_paused", "gauge", "1: the "
	    "node's host paused it (its policy: consent, metered network, "
	    "battery...); 0: not paused.", 0, metrics_get_paused);
	metrics_per_node(out, "tentacle_node_spare_links", "gauge", "Idle "
	    "spare data links the node keeps open to the hub.", 0,
	    metrics_get_spares);
	metrics_per_node(out, "tentacle_node_spare_links_reused_total",
	    "counter", "Spare links that carried a relay and went idle "
	    "again instead of closing (framed relays, -link-reuse).", 0,
	    metrics_get_reused);
	metrics_per_node2(out, "tentacle_node_bytes_total", "counter", "Bytes "
	    "relayed through the node on this connection: up (user to "
	    "target), down (target to user).", "direction", "up", "down", 0,
	    metrics_get_bytes);
	metrics_node_rtt(out);
	metrics_node_dials(out);
	metrics_per_node2(out, "tentacle_node_redials_total", "counter",
	    "Redials of the node: its address changed, or stayed the same.",
	    "address", "changed", "same", 1, metrics_get_redials);
	metrics_per_node(out, "tentacle_node_last_redial_time_seconds",
	    "gauge", "When the node last redialed, in seconds since the Unix "
	    "epoch; 0: never.", 1, metrics_get_last_redial);
	metrics_users(out);
}
