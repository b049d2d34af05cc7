/*
 * hub_node.c: one connected node.  Owns the registry (id hash, list), the
 * control link once welcomed (frame dispatch, heartbeat, PING rate,
 * backlog), the node's close, the parked records that keep a node's id
 * and fleet state for an hour after it left, the ids kept on disk across
 * hub restarts (STATE_DIR/node-ids), its rates, the counts the fronts
 * keep on it, and its host's pause (STATUS: doc/protocol.md "Node
 * status").
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "acl.h"
#include "frame.h"
#include "limit.h"
#include "opt.h"
#include "hub.h"

#define SPARE_REFILL_US	10000		/* refill latency before a sample */
#define RATE_WINDOW	10		/* seconds the info rates cover */
#define PARKED_MAX	4096		/* nodes remembered after they left */
#define PARKED_LIFE_US	(3600ULL * 1000000)	/* ... for an hour */
#define PARKED_SWEEP_MS	10000
#define REDIAL_BACK_US	(300ULL * 1000000)	/* ... and is back in this */
#define CTL_BACKLOG_MAX	(256 * 1024)	/* unread on a node's control link */
#define PING_BURST	20		/* a node's PINGs past its heartbeat: */
#define PING_RATE	10		/* ... at least this many a second */
#define IDS_MAX		4096		/* id assignments kept on disk */
#define IDS_FILE	"node-ids"
#define IDS_LINE_MAX	256
#define HB_SLOTS	64		/* ticks a heartbeat: its precision */
#define FLIP_WINDOW_US	(60ULL * 1000000)	/* a node's pauses: */
#define FLIP_LOGGED	10		/* ... logged one by one a minute */
/*
 * The largest id the file may hold: hub.next_id goes on from the largest,
 * and must never wrap to 0 (no node) or onto ids in use.
 */
#define IDS_ID_MAX	0x7fffffffU

/* An id given to a node name and owner, kept across hub restarts. */
struct idrec {
	uint32_t	 id;
	int		 has_kid;
	uint8_t		 kid[FRAME_KID_LEN];
	char		 name[FRAME_NAME_MAX + 1];
	long long	 seen;		/* time() it last joined */
};
static struct idrec	*ids;		/* hub_node_ids_load() */
static u_int		 nids, ids_cap;
static char		 ids_path[1024];
static int		 ids_warned;
static struct event	*ids_ev;	/* the next write, at most 1/s */
static uint64_t		 ids_saved_us;
/*
 * Heartbeats: one timer ticks HB_SLOTS times a heartbeat and each tick
 * sweeps one slot of nodes, so each node is seen once a heartbeat, as
 * with a timer each, without 10,000 timers for 10,000 nodes in the
 * loop's heap.  A node joins the slot swept last in the cycle: its first
 * heartbeat comes at most one tick early, every later one a heartbeat
 * after the last.
 */
static LIST_HEAD(, node) hb_slots[HB_SLOTS];
static u_int		 hb_next;	/* the slot the next tick sweeps */
static struct event	*hb_ev;

static void	hub_node_free(struct node *);
static uint32_t	hub_node_id(const struct frame_hello *, struct parked **);
static void	hub_node_joined(const struct node *);
static void	hub_node_keep(struct node *, struct parked *);
static struct parked *hub_node_parked_find(const struct frame_hello *,
		    uint32_t);
static void	hub_node_parked_free(struct parked *);
static void	hub_node_event_cb(struct bufferevent *, short, void *);
static const struct peer_ops hub_node_ops;
static void	hub_node_heartbeat(struct node *, uint64_t);
static void	hub_node_heartbeat_cb(evutil_socket_t, short, void *);
static struct idrec *hub_node_ids_find(const struct frame_hello *, uint32_t);
static int	hub_node_ids_other(const struct frame_hello *, uint32_t);
static void	hub_node_ids_note(const struct node *);
static void	hub_node_pause_log(struct node *, u_int);
static void	hub_node_flips_flush(struct node *, uint64_t);

/*
 * Sample the node's byte counters (at most one sample per second, in a
 * ring of RATE_SLOTS) and, if up/down are given, the rates in bytes/s
 * since the oldest sample at most RATE_WINDOW s old (else the youngest
 * older one: a heartbeat slower than the window).  0 with no sample 1 s
 * old or more.
 */
void
hub_node_rate(struct node *n, uint64_t now, uint32_t *up, uint32_t *down)
{
	uint64_t	 age, best_age = 0, win = RATE_WINDOW * 1000000ULL;
	uint64_t	 last = 0, r;
	u_int		 i, slot = (u_int)((now / 1000000) % RATE_SLOTS);
	int		 best = -1;

	for (i = 0; i < RATE_SLOTS; i++)
		if (n->n_rate_us[i] > last)
			last = n->n_rate_us[i];
	if (up != NULL) {
		*up = *down = 0;
		for (i = 0; i < RATE_SLOTS; i++) {
			if (n->n_rate_us[i] == 0 || n->n_rate_us[i] > now)
				continue;
			age = now - n->n_rate_us[i];
			if (age < 1000000)
				continue;
			if (best == -1 || (age <= win && (best_age > win ||
			    age > best_age)) || (age > win && best_age > win &&
			    age < best_age)) {
				best = i;
				best_age = age;
			}
		}
		if (best != -1) {
			r = (n->n_bytes.up - n->n_rate_bytes[best].up) *
			    1000000 / best_age;
			*up = r > UINT32_MAX ? UINT32_MAX : r;
			r = (n->n_bytes.down - n->n_rate_bytes[best].down) *
			    1000000 / best_age;
			*down = r > UINT32_MAX ? UINT32_MAX : r;
		}
	}
	/* One sample per second: keep the first of each second. */
	if (last / 1000000 != now / 1000000) {
		n->n_rate_us[slot] = now;
		n->n_rate_bytes[slot] = n->n_bytes;
	}
}

/* see hub.h */
int
hub_node_named(const struct node *n, const char *name)
{
	char	 id[16];

	if (strcmp(n->n_hello.name, name) == 0)
		return (1);
	if (name[0] < '0' || name[0] > '9')
		return (0);
	snprintf(id, sizeof id, "%u", n->n_id);
	return (strcmp(id, name) == 0);
}

/* Send a node the -pool-deny entries of its pools (if any). */
static void
hub_node_policy_send(struct node *n)
{
	struct frame_policy		 p;
	struct frame_policy_entry	*e;
	const struct acl_entry		*a;
	uint8_t				 buf[FRAME_MAX];
	int				 i, j, match;

	memset(&p, 0, sizeof p);
	for (i = 0; i < hub.ndeny; i++) {
		match = strcmp(hub.deny[i].pool, "*") == 0;
		for (j = 0; j < n->n_hello.npools && !match; j++)
			match = strcmp(hub.deny[i].pool,
			    n->n_hello.pools[j]) == 0;
		if (!match)
			continue;
		a = &hub.deny[i].entry;
		e = &p.e[p.n++];
		e->family = a->family == AF_INET ? 4 : a->family == AF_INET6 ?
		    6 : 0;
		e->bits = a->bits;
		memcpy(e->addr, a->addr, sizeof e->addr);
		e->port = a->port;
	}
	if (p.n > 0)
		hub_send(n->n_bev, buf, frame_policy_encode(buf, &p));
}

/*
 * Who owns a node: the token it proved (HELLO's key id, checked by AUTH),
 * or on a hub without -tokens its own machine (no key id).  A node's
 * name, id and fleet state go to connections of the same owner only
 * (doc/security.md, doc/routing.md).
 */
int
hub_node_owner_same(const struct frame_hello *a, const struct frame_hello *b)
{
	if (a->has_kid != b->has_kid)
		return (0);
	return (!a->has_kid || memcmp(a->kid, b->kid, sizeof a->kid) == 0);
}

/* see hub.h */
struct node *
hub_node_new(void)
{
	struct node	*n;

	if ((n = calloc(1, sizeof *n)) == NULL)
		return (NULL);
	n->n_redial_ev = evtimer_new(core_base, hub_redial_cb, n);
	if (hb_ev == NULL)
		hb_ev = event_new(core_base, -1, EV_PERSIST,
		    hub_node_heartbeat_cb, NULL);
	if (n->n_redial_ev == NULL || hb_ev == NULL) {
		hub_node_free(n);
		return (NULL);
	}
	TAILQ_INIT(&n->n_dials);
	TAILQ_INIT(&n->n_relays);
	TAILQ_INIT(&n->n_spares);
	n->n_refill_us = SPARE_REFILL_US;
	n->n_ping_tokens = PING_BURST;
	return (n);
}

/* Frees n's memory and timers; n is in no list (any more). */
static void
hub_node_free(struct node *n)
{
	limit_close(n->n_hold);
	if (n->n_redial_ev != NULL)
		event_free(n->n_redial_ev);
	free(n);
}

/*
 * The id of a node saying HELLO h.  A reconnecting node names its old id:
 * if that session still looks alive (its heartbeats have not timed out
 * yet) it is the same node on a new connection, so the old one goes (and
 * is parked).  A node that left gets its id, drain state and address
 * history back from its parked record, found by id and name, or by name
 * alone (the node restarted); else the id it had before the hub
 * restarted (node-ids: same name, same token); else its hint, if no other
 * node holds it.  *pk: the parked record to take back, or NULL.
 */
static uint32_t
hub_node_id(const struct frame_hello *h, struct parked **pk)
{
	struct node	*old;
	struct idrec	*rec;

	if (h->node_id != 0 && (old = hub_node_find(h->node_id)) != NULL &&
	    strcmp(old->n_hello.name, h->name) == 0 &&
	    hub_node_owner_same(&old->n_hello, h)) {
		hub_bye(old->n_bev, FRAME_BYE_REPLACED,
		    "replaced by a new connection of the same node");
		hub_node_close(old, HUB_NODE_NOBYE, "replaced by a new "
		    "connection from the same node");
	}
	if ((*pk = hub_node_parked_find(h, h->node_id)) != NULL &&
	    hub_node_find((*pk)->pk_id) == NULL)
		return ((*pk)->pk_id);
	*pk = NULL;
	if ((rec = hub_node_ids_find(h, h->node_id)) != NULL)
		return (rec->id);	/* given before this hub's restart */
	if (h->node_id != 0 && h->node_id < hub.next_id &&
	    hub_node_find(h->node_id) == NULL &&
	    hub_node_parked_find(NULL, h->node_id) == NULL &&
	    !hub_node_ids_other(h, h->node_id))
		return (h->node_id);
	return (hub.next_id++);
}

/* see hub.h */
void
hub_node_open(struct node *n, struct bufferevent *bev,
    const struct frame_hello *h, const char *peer, const char *ip)
{
	struct parked	*pk;
	struct timeval	 tv;
	uint64_t	 tick;

	n->n_id = hub_node_id(h, &pk);
	n->n_hello = *h;
	if (h->paused[0] != '\0') {
		n->n_paused = 1;
		strlcpy(n->n_paused_why, h->paused, sizeof n->n_paused_why);
	}
	hub_node_ids_note(n);
	strlcpy(n->n_remote, peer, sizeof n->n_remote);
	strlcpy(n->n_ip, ip, sizeof n->n_ip);
	n->n_gen = ++hub.gen;
	n->n_bev = bev;
	n->n_since = time(NULL);
	n->n_rx_us = core_now_us();
	n->n_ping_us = n->n_rx_us;
	evutil_secure_rng_get_bytes(n->n_cookie, sizeof n->n_cookie);

	TAILQ_INSERT_TAIL(&hub.nodes, n, n_entry);
	LIST_INSERT_HEAD(&hub.node_hash[n->n_id % NODE_HASH], n, n_hash);
	hub.nnodes++;
	hub_sched_join(n);
	peer_open(&n->n_peer, n->n_bev, &hub_node_ops, n, hub_node_event_cb);
	bufferevent_set_timeouts(n->n_bev, NULL, NULL);
	LIST_INSERT_HEAD(&hb_slots[(hb_next + HB_SLOTS - 1) % HB_SLOTS], n,
	    n_hb);
	if (!evtimer_pending(hb_ev, NULL)) {
		tick = (uint64_t)hub.conf.heartbeat_ms * 1000 / HB_SLOTS;
		tv.tv_sec = tick / 1000000;
		tv.tv_usec = tick % 1000000;
		evtimer_add(hb_ev, &tv);
	}
	hub_welcome(n->n_bev, n->n_id, n->n_cookie, h->status);
	hub_node_policy_send(n);
	hub_node_joined(n);
	if (n->n_paused)
		hub_node_pause_log(n, 0);
	hub_node_keep(n, pk);
	if (n->n_hello.redial != FRAME_REDIAL_NONE)
		hub.nredialable++;
	hub_redial_plan(n);
}

/* The line that says n joined. */
static void
hub_node_joined(const struct node *n)
{
	char	 pools[FRAME_POOLS_MAX * (FRAME_POOL_MAX + 1) + 1];
	int	 i;

	pools[0] = '\0';
	for (i = 0; i < n->n_hello.npools; i++) {
		if (i > 0)
			strlcat(pools, ",", sizeof pools);
		strlcat(pools, n->n_hello.pools[i], sizeof pools);
	}
	log_info("node %u (%s) joined from %s: pools %s, %s/%s, %s; "
	    "%u nodes online", n->n_id, n->n_hello.name, n->n_remote, pools,
	    n->n_hello.os[0] ? n->n_hello.os : "?",
	    n->n_hello.arch[0] ? n->n_hello.arch : "?",
	    n->n_hello.build[0] ? n->n_hello.build : "unknown build",
	    hub.nnodes);
	hub_event(HUB_EV_NODE_JOINED, n->n_id, "name", n->n_hello.name,
	    "addr", n->n_remote, "pools", pools, NULL);
}

/*
 * Fleet state (doc/routing.md, "Redial").  A joining node takes back what
 * the hub kept of it (pk, freed here) and its address goes on top of its
 * history; if it left to redial, the redial is over (hub_redial_back()).
 */
static void
hub_node_keep(struct node *n, struct parked *pk)
{
	struct node_keep	*k = &n->n_keep;
	struct srelay		*sr;

	if (pk != NULL) {
		*k = pk->pk_keep;
		/* Relays that outlived its last connection: its own again. */
		while ((sr = TAILQ_FIRST(&pk->pk_relays)) != NULL) {
			TAILQ_REMOVE(&pk->pk_relays, sr, sr_entry);
			sr->sr_parked = NULL;
			sr->sr_node = n;
			TAILQ_INSERT_TAIL(&n->n_relays, sr, sr_entry);
			n->n_nrelays++;
			sr->sr_exit.stat = &n->n_bytes;
		}
		hub_node_parked_free(pk);
	}
	hub_redial_back(n);
	if (k->nhist == 0 || strcmp(k->hist[0].addr, n->n_ip) != 0) {
		if (k->nhist < FRAME_HIST_MAX)
			k->nhist++;
		memmove(&k->hist[1], &k->hist[0],
		    (k->nhist - 1) * sizeof k->hist[0]);
		strlcpy(k->hist[0].addr, n->n_ip, sizeof k->hist[0].addr);
		k->hist[0].since = time(NULL);
	}
	if (k->drain)
		log_info("node %u (%s) is drained (tentacle drain): no new "
		    "requests until 'tentacle undrain %u'", n->n_id,
		    n->n_hello.name, n->n_id);
}

/*
 * The parked record of h's name and owner, and id (h NULL: any name and
 * owner; id 0: any).
 */
static struct parked *
hub_node_parked_find(const struct frame_hello *h, uint32_t id)
{
	struct parked	*pk, *byname = NULL;
	const char	*name = h != NULL ? h->name : NULL;

	TAILQ_FOREACH_REVERSE(pk, &hub.parked, parkedq, pk_entry) {
		if (h != NULL && (strcmp(pk->pk_hello.name, name) != 0 ||
		    !hub_node_owner_same(&pk->pk_hello, h)))
			continue;
		if (id == 0 || pk->pk_id == id)
			return (pk);
		if (byname == NULL)
			byname = pk;
	}
	return (name != NULL ? byname : NULL);
}

static void
hub_node_parked_free(struct parked *pk)
{
	struct srelay	*sr;

	while ((sr = TAILQ_FIRST(&pk->pk_relays)) != NULL) {
		TAILQ_REMOVE(&pk->pk_relays, sr, sr_entry);
		sr->sr_parked = NULL;	/* runs on, counted nowhere */
	}
	TAILQ_REMOVE(&hub.parked, pk, pk_entry);
	hub.nparked--;
	free(pk);
}

/* Expire parked records; give up on nodes that never came back. */
static void
hub_node_park_sweep_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct parked	*pk, *tmp;
	struct timeval	 tv;
	uint64_t	 now = core_now_us();

	TAILQ_FOREACH_SAFE(pk, &hub.parked, pk_entry, tmp) {
		if (now - pk->pk_left_us >= PARKED_LIFE_US) {
			if (pk->pk_keep.pending_us != 0)
				hub_redial_done();
			hub_node_parked_free(pk);
			continue;
		}
		if (now - pk->pk_left_us < REDIAL_BACK_US)
			break;
		if (pk->pk_keep.pending_us != 0) {
			log_warnx("node %u (%s) left to redial (%s) %llu s "
			    "ago and is not back: check the node (its log, "
			    "its redial command, its line)", pk->pk_id,
			    pk->pk_hello.name, pk->pk_keep.pending_why,
			    (unsigned long long)((now - pk->pk_keep.pending_us)
			    / 1000000));
			hub_event(HUB_EV_REDIAL_FAILED, pk->pk_id, "name",
			    pk->pk_hello.name, "reason", "not back", NULL);
			pk->pk_keep.pending_us = 0;
			hub_redial_done();
		}
	}
	if (hub.nparked > 0)
		evtimer_add(hub.park_ev, core_ms_tv(&tv, PARKED_SWEEP_MS));
}

/*
 * n is leaving: keep its id and fleet state for when it comes back (the
 * caller moves n's relays to the record returned, if any).
 */
static struct parked *
hub_node_park(struct node *n)
{
	struct parked	*pk;
	struct timeval	 tv;
	int		 i;

	if (n->n_redial == REDIAL_SENT) {
		n->n_keep.pending_us = core_now_us();
		strlcpy(n->n_keep.pending_why, n->n_redial_why,
		    sizeof n->n_keep.pending_why);
	} else if (n->n_redial == REDIAL_DRAIN)
		hub_redial_done();	/* left on its own */
	if (hub.park_ev == NULL && (hub.park_ev = evtimer_new(core_base,
	    hub_node_park_sweep_cb, NULL)) == NULL) {
		if (n->n_keep.pending_us != 0)
			hub_redial_done();
		return (NULL);	/* it will get a new id: no harm beyond */
	}
	if (hub.nparked >= PARKED_MAX) {
		/* Full: forget the oldest that is neither drained nor away. */
		i = 0;
		TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
			if ((!pk->pk_keep.drain &&
			    pk->pk_keep.pending_us == 0) || ++i == 64)
				break;
		}
		if (pk == NULL)
			pk = TAILQ_FIRST(&hub.parked);
		if (pk->pk_keep.pending_us != 0)
			hub_redial_done();
		hub_node_parked_free(pk);
	}
	if ((pk = calloc(1, sizeof *pk)) == NULL) {
		if (n->n_keep.pending_us != 0)
			hub_redial_done();
		return (NULL);	/* it will get a new id: no harm beyond */
	}
	TAILQ_INIT(&pk->pk_relays);
	pk->pk_id = n->n_id;
	pk->pk_left_us = core_now_us();
	pk->pk_hello = n->n_hello;
	pk->pk_keep = n->n_keep;
	TAILQ_INSERT_TAIL(&hub.parked, pk, pk_entry);
	hub.nparked++;
	if (!evtimer_pending(hub.park_ev, NULL))
		evtimer_add(hub.park_ev, core_ms_tv(&tv, PARKED_SWEEP_MS));
	return (pk);
}

struct node *
hub_node_find(uint32_t id)
{
	struct node	*n;

	LIST_FOREACH(n, &hub.node_hash[id % NODE_HASH], n_hash) {
		if (n->n_id == id)
			return (n);
	}
	return (NULL);
}

/*
 * May n send one more PING?  A node pings once a heartbeat; a bucket of
 * PING_BURST refilled at PING_RATE a second, or four per heartbeat if
 * that is more, leaves room for any honest node.
 */
static int
hub_node_ping_ok(struct node *n)
{
	uint64_t	 now = core_now_us(), rate, add;

	rate = 4000 / (uint64_t)hub.conf.heartbeat_ms;
	if (rate < PING_RATE)
		rate = PING_RATE;
	add = (now - n->n_ping_us) * rate / 1000000;
	if (add > 0) {
		n->n_ping_tokens = add + n->n_ping_tokens > PING_BURST ?
		    PING_BURST : n->n_ping_tokens + (u_int)add;
		n->n_ping_us = now;
	}
	if (n->n_ping_tokens == 0)
		return (0);
	n->n_ping_tokens--;
	return (1);
}

/* The node's frames after WELCOME: each parsed by its handler. */
static int
hub_node_ping(void *arg, const struct frame *f, const char **cause)
{
	struct node	*n = arg;
	uint64_t	 stamp;
	uint8_t		 buf[FRAME_MAX];

	if (frame_stamp_parse(f, &stamp, cause) == -1)
		return (PEER_ERROR);
	if (!hub_node_ping_ok(n)) {
		hub.guard.flooded++;
		*cause = "PING flood (past a burst of 20 and 10 a second, or 4 "
		    "a heartbeat)";
		return (PEER_ERROR);
	}
	hub_send(n->n_bev, buf, frame_stamp_encode(buf, FRAME_PONG, stamp));
	return (PEER_OK);
}

static int
hub_node_pong(void *arg, const struct frame *f, const char **cause)
{
	struct node	*n = arg;
	uint64_t	 stamp, now = core_now_us();

	if (frame_stamp_parse(f, &stamp, cause) == -1)
		return (PEER_ERROR);
	if (stamp <= now && now - stamp < UINT32_MAX)
		n->n_rtt_us = now - stamp;
	return (PEER_OK);
}

static int
hub_node_result(void *arg, const struct frame *f, const char **cause)
{
	struct node		*n = arg;
	struct frame_result	 res;
	struct dial		*d;

	if (frame_result_parse(f, &res, cause) == -1)
		return (PEER_ERROR);
	d = hub_dial_find(res.req);
	if (d == NULL || d->d_node != n) {
		log_info("node %u: result for request %u, which is unknown or "
		    "already answered (late result); ignored", n->n_id,
		    res.req);
		return (PEER_OK);
	}
	/* 10 from the node: it cannot serve; another node may. */
	if (res.result == DIAL_NODELOST && hub_dial_retry(d, DIAL_NODELOST))
		return (PEER_OK);
	hub_dial_finish(d, res.result, NULL);
	return (PEER_OK);
}

/* The node declines a REDIAL (no action, or too soon): say why. */
static int
hub_node_redial(void *arg, const struct frame *f, const char **cause)
{
	struct node	*n = arg;
	char		 text[1100], why[1200];

	if (frame_redial_parse(f, text, sizeof text, cause) == -1)
		return (PEER_ERROR);
	if (n->n_redial != REDIAL_SENT)
		return (PEER_OK);	/* late: we gave up waiting */
	log_escape(why, sizeof why, text, strlen(text));
	log_warnx("node %u (%s) declined the redial: %s", n->n_id,
	    n->n_hello.name, why);
	hub_event(HUB_EV_REDIAL_FAILED, n->n_id, "name", n->n_hello.name,
	    "reason", "declined", "message", why, NULL);
	evtimer_del(n->n_redial_ev);
	hub_redial_end(n);
	return (PEER_OK);
}

/*
 * n's pause as it is now, in one line and one event (changes: how many
 * changes it sums up, 0 for one).
 */
static void
hub_node_pause_log(struct node *n, u_int changes)
{
	char	 c[32], also[64];

	snprintf(c, sizeof c, "%u", changes);
	also[0] = '\0';
	if (changes > 0)
		snprintf(also, sizeof also, " (after %u change%s in the last "
		    "minute)", changes, changes == 1 ? "" : "s");
	if (n->n_paused) {
		log_info("node %u (%s) paused by host policy: %s%s; no new "
		    "requests, %u relays continue", n->n_id, n->n_hello.name,
		    n->n_paused_why, also, n->n_nrelays);
		hub_event(HUB_EV_NODE_PAUSED, n->n_id, "name", n->n_hello.name,
		    "reason", n->n_paused_why, "changes", changes > 0 ? c :
		    NULL, NULL);
	} else {
		log_info("node %u (%s) available again%s%s", n->n_id,
		    n->n_hello.name, also, n->n_keep.drain ? "; still drained "
		    "(tentacle drain)" : "");
		hub_event(HUB_EV_NODE_AVAILABLE, n->n_id, "name",
		    n->n_hello.name, "changes", changes > 0 ? c : NULL, NULL);
	}
}

/*
 * A flapping node's changes held this minute, logged as one line with the
 * state now, once its minute is up (from a change or its heartbeat); a
 * quiet minute ends the flapping.
 */
static void
hub_node_flips_flush(struct node *n, uint64_t now)
{
	if (!n->n_flapping || now - n->n_flip_us < FLIP_WINDOW_US)
		return;
	n->n_flip_us = now;
	if (n->n_flips_held == 0) {
		n->n_flapping = 0;	/* a quiet minute: one by one again */
		n->n_flips = 0;
		return;
	}
	hub_node_pause_log(n, n->n_flips_held);
	n->n_flips_held = 0;
}

/*
 * n's host paused it (why) or made it available again (why NULL): no new
 * requests, spare links down to 0, while paused; relays run on.  Logged
 * once per change, at most FLIP_LOGGED a minute one by one.
 */
static void
hub_node_pause(struct node *n, const char *why)
{
	uint64_t	 now = core_now_us();

	if (why == NULL ? !n->n_paused :
	    n->n_paused && strcmp(n->n_paused_why, why) == 0)
		return;		/* no change */
	n->n_paused = why != NULL;
	strlcpy(n->n_paused_why, why != NULL ? why : "",
	    sizeof n->n_paused_why);
	hub_spare_eval(n, 1);
	if (!n->n_flapping) {
		if (now - n->n_flip_us >= FLIP_WINDOW_US) {
			n->n_flip_us = now;
			n->n_flips = 0;
		}
		if (++n->n_flips <= FLIP_LOGGED) {
			hub_node_pause_log(n, 0);
			return;
		}
		log_warnx("node %u (%s): host policy changed its state more "
		    "than %d times in a minute; its changes are logged once a "
		    "minute until it settles", n->n_id, n->n_hello.name,
		    FLIP_LOGGED);
		n->n_flapping = 1;
		n->n_flip_us = now;
		n->n_flips_held = 0;
	}
	n->n_flips_held++;
	hub_node_flips_flush(n, now);
}

/* STATUS: the node's host paused it, or lets it serve again. */
static int
hub_node_status(void *arg, const struct frame *f, const char **cause)
{
	struct node		*n = arg;
	struct frame_status	 st;

	if (n->n_hello.status == 0) {
		*cause = "STATUS from a node whose HELLO did not offer it "
		    "(attribute 11)";
		return (PEER_ERROR);
	}
	if (frame_status_parse(f, &st, cause) == -1)
		return (PEER_ERROR);
	hub_node_pause(n, st.state == FRAME_STATUS_PAUSED ? st.reason : NULL);
	return (PEER_OK);
}

static int
hub_node_bye(void *arg, const struct frame *f, const char **cause)
{
	struct node		*n = arg;
	struct frame_bye	 bye;
	char			 text[1100], why[1200];

	if (frame_bye_parse(f, &bye, cause) == -1)
		return (PEER_ERROR);
	log_escape(text, sizeof text, bye.text, strlen(bye.text));
	snprintf(why, sizeof why, "node said goodbye (%u: %s)", bye.reason,
	    text);
	hub_node_close(n, HUB_NODE_NOBYE, why);
	return (PEER_GONE);
}

/* A protocol error, or a node that does not read its control link. */
static void
hub_node_error(void *arg, int error, const char *cause)
{
	struct node	*n = arg;
	char		 why[300];

	if (error == PEER_EBACKLOG) {
		hub.guard.flooded++;
		hub_node_close(n, HUB_NODE_NOBYE, cause);
		return;
	}
	snprintf(why, sizeof why, "protocol error: %s", cause);
	hub_node_close(n, FRAME_BYE_PROTOCOL, why);
}

static void
hub_node_rx(void *arg)
{
	struct node	*n = arg;

	n->n_rx_us = core_now_us();
}

static const struct peer_handler hub_node_handlers[] = {
	{ FRAME_PING, hub_node_ping },
	{ FRAME_PONG, hub_node_pong },
	{ FRAME_RESULT, hub_node_result },
	{ FRAME_REDIAL, hub_node_redial },
	{ FRAME_STATUS, hub_node_status },
	{ FRAME_BYE, hub_node_bye },
	{ 0, NULL }
};

/* A node must read its control link: CTL_BACKLOG_MAX unread at most. */
static const struct peer_ops hub_node_ops = {
	hub_node_handlers, hub_node_error, hub_node_rx, CTL_BACKLOG_MAX
};

static void
hub_node_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct node	*n = arg;
	char		 why[300];

	if (what & BEV_EVENT_EOF)
		strlcpy(why, "control link closed by the node", sizeof why);
	else
		snprintf(why, sizeof why, "control link error: %s",
		    hub_bev_error(bev, what));
	hub_node_close(n, HUB_NODE_NOBYE, why);
}

/* One tick: the nodes of one slot, each once. */
static void
hub_node_heartbeat_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	LIST_HEAD(, node)	 due;
	struct node		*n;
	u_int			 slot = hb_next;
	uint64_t		 now = core_now_us();

	hb_next = (hb_next + 1) % HB_SLOTS;
	/*
	 * Back one at a time: a node that closes (its own timeout, or a
	 * dial retried from another's close) leaves whichever list holds it.
	 */
	LIST_INIT(&due);
	while ((n = LIST_FIRST(&hb_slots[slot])) != NULL) {
		LIST_REMOVE(n, n_hb);
		LIST_INSERT_HEAD(&due, n, n_hb);
	}
	while ((n = LIST_FIRST(&due)) != NULL) {
		LIST_REMOVE(n, n_hb);
		LIST_INSERT_HEAD(&hb_slots[slot], n, n_hb);
		hub_node_heartbeat(n, now);
	}
}

/* n's heartbeat: declared gone after HEARTBEAT_MISSES silent, else PING. */
static void
hub_node_heartbeat(struct node *n, uint64_t now)
{
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 silent;
	char		 why[128];

	silent = now - n->n_rx_us;
	if (silent >= (uint64_t)hub.conf.heartbeat_ms * 1000 *
	    HEARTBEAT_MISSES) {
		snprintf(why, sizeof why, "heartbeat timeout: nothing heard "
		    "for %llu ms", (unsigned long long)(silent / 1000));
		hub_node_close(n, FRAME_BYE_TIMEOUT, why);
		return;
	}
	hub_send(n->n_bev, buf, frame_stamp_encode(buf, FRAME_PING, now));
	if (peer_backlog(&n->n_peer) == -1)
		return;
	hub_node_rate(n, now, NULL, NULL);
	hub_spare_idle(n, now);
	hub_spare_eval(n, 1);
	hub_node_flips_flush(n, now);
}

/* see hub.h */
void
hub_node_close(struct node *n, uint8_t reason, const char *why)
{
	struct dial	*d, *dtmp;
	struct srelay	*sr, *srtmp;
	struct spare	*sp, *sptmp;
	struct parked	*pk;

	TAILQ_REMOVE(&hub.nodes, n, n_entry);
	LIST_REMOVE(n, n_hash);
	hub.nnodes--;
	hub_sched_leave(n);
	LIST_REMOVE(n, n_hb);
	if (hub.nnodes == 0)
		evtimer_del(hb_ev);
	log_info("node %u (%s) left%s: %s; %u relays continue, %u nodes "
	    "online", n->n_id, n->n_hello.name, n->n_redial == REDIAL_SENT ?
	    " to redial" : "", why, n->n_nrelays, hub.nnodes);
	hub_event(HUB_EV_NODE_LEFT, n->n_id, "name", n->n_hello.name,
	    "reason", why, NULL);
	if (n->n_hello.redial != FRAME_REDIAL_NONE)
		hub.nredialable--;
	pk = hub_node_park(n);
	/* Its dials end below: no redial check may arm the timer again. */
	n->n_redial = REDIAL_IDLE;
	evtimer_del(n->n_redial_ev);
	TAILQ_FOREACH_SAFE(d, &n->n_dials, d_entry, dtmp) {
		if (!hub_dial_retry(d, DIAL_NODELOST))
			hub_dial_finish(d, DIAL_NODELOST, NULL);
	}
	TAILQ_FOREACH_SAFE(sp, &n->n_spares, sp_entry, sptmp)
		hub_spare_close(sp, NULL);
	/* Its relays run on: the parked record holds them till it is back. */
	TAILQ_FOREACH_SAFE(sr, &n->n_relays, sr_entry, srtmp) {
		TAILQ_REMOVE(&n->n_relays, sr, sr_entry);
		sr->sr_exit.stat = NULL;
		sr->sr_node = NULL;
		/* A framed link of this session closes when its relay ends. */
		sr->sr_lent = 0;
		if (pk != NULL) {
			TAILQ_INSERT_TAIL(&pk->pk_relays, sr, sr_entry);
			sr->sr_parked = pk;
			pk->pk_nrelays++;
		}
	}
	if (reason != HUB_NODE_NOBYE) {
		hub_bye(n->n_bev, reason, why);
		core_bev_close_flush(n->n_bev);
	} else
		bufferevent_free(n->n_bev);
	hub_node_free(n);
}

/*
 * The ids on disk: STATE_DIR/node-ids, a line "ID NAME KID SEEN" per id
 * given (KID the token's key id in hex, or - for a node without a token),
 * at most IDS_MAX, written (temporary file, fsync, rename) when an id is
 * given to a name and owner it was not given before.  A returning node
 * gets its id back by name and owner only (doc/routing.md).
 */

/* One line into r; -1 when it is not one. */
static int
hub_node_ids_parse(char *line, struct idrec *r)
{
	char		*w[5], *p, *end;
	unsigned long	 v;
	long long	 t;
	int		 n = 0, i;

	for (p = strtok(line, " \t\n"); p != NULL && n < 5;
	    p = strtok(NULL, " \t\n"))
		w[n++] = p;
	if (n != 4)
		return (-1);
	memset(r, 0, sizeof *r);
	errno = 0;
	v = strtoul(w[0], &end, 10);
	if (*end != '\0' || w[0][0] < '1' || w[0][0] > '9' || errno != 0 ||
	    v > IDS_ID_MAX)
		return (-1);
	r->id = (uint32_t)v;
	if (strlen(w[1]) > FRAME_NAME_MAX ||
	    !frame_name_valid(w[1], FRAME_NAME_MAX))
		return (-1);
	strlcpy(r->name, w[1], sizeof r->name);
	if (strcmp(w[2], "-") != 0) {
		if (strlen(w[2]) != 2 * FRAME_KID_LEN)
			return (-1);
		for (i = 0; i < FRAME_KID_LEN; i++) {
			if (sscanf(w[2] + 2 * i, "%2hhx", &r->kid[i]) != 1 ||
			    strchr("0123456789abcdef", w[2][2 * i]) == NULL ||
			    strchr("0123456789abcdef", w[2][2 * i + 1]) == NULL)
				return (-1);
		}
		r->has_kid = 1;
	}
	errno = 0;
	t = strtoll(w[3], &end, 10);
	if (*end != '\0' || errno != 0 || t < 0)
		return (-1);
	r->seen = t;
	return (0);
}

/* see hub.h */
void
hub_node_ids_load(const char *dir)
{
	FILE		*fp;
	struct idrec	 r, *nr;
	char		 line[IDS_LINE_MAX + 2];
	const char	*why = NULL;
	uint32_t	 max = 0;
	u_int		 i, lineno = 0;

	snprintf(ids_path, sizeof ids_path, "%s/%s", dir, IDS_FILE);
	if ((fp = fopen(ids_path, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("node ids: %s: ids start afresh", ids_path);
		return;
	}
	while (why == NULL && fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			why = "line too long";
		else if (line[0] == '#' || line[0] == '\n')
			continue;
		else if (nids >= IDS_MAX)
			why = "more than 4096 ids";
		else if (hub_node_ids_parse(line, &r) == -1)
			why = "not \"ID NAME KEYID SEEN\"";
		else {
			for (i = 0; i < nids; i++)
				if (ids[i].id == r.id)
					why = "an id given twice";
			if (why != NULL)
				break;
			if (nids == ids_cap) {
				nr = reallocarray(ids, ids_cap == 0 ? 64 :
				    ids_cap * 2, sizeof *ids);
				if (nr == NULL) {
					why = "out of memory";
					break;
				}
				ids = nr;
				ids_cap = ids_cap == 0 ? 64 : ids_cap * 2;
			}
			ids[nids++] = r;
			if (r.id > max)
				max = r.id;
		}
	}
	if (why == NULL && ferror(fp))
		why = strerror(errno);
	fclose(fp);
	if (why != NULL) {
		log_warnx("node ids: %s line %u: %s; ignoring the file (node "
		    "ids start afresh; it is rewritten when one is given)",
		    ids_path, lineno, why);
		nids = 0;
		return;
	}
	if (max >= hub.next_id)
		hub.next_id = max + 1;
	log_info("node ids: %u kept in %s; returning nodes get theirs back "
	    "(same name and token)", nids, ids_path);
}

/* Write the ids: temporary file, fsync, rename.  Warns once a run. */
static void
hub_node_ids_save_cb(evutil_socket_t sock __unused, short what __unused,
    void *arg __unused)
{
	char		 hex[2 * FRAME_KID_LEN + 1], *tmp, *cause = NULL;
	FILE		*fp;
	u_int		 i, j;

	if (ids_path[0] == '\0')
		return;
	ids_saved_us = core_now_us();
	if ((fp = opt_file_replace_open(ids_path, NULL, 0, &tmp,
	    &cause)) == NULL)
		goto fail;
	fprintf(fp, "# tentacle hub: node ids by name and token key id "
	    "(ID NAME KEYID SEEN)\n");
	for (i = 0; i < nids; i++) {
		strlcpy(hex, "-", sizeof hex);
		for (j = 0; ids[i].has_kid && j < FRAME_KID_LEN; j++)
			snprintf(hex + 2 * j, 3, "%02x", ids[i].kid[j]);
		fprintf(fp, "%u %s %s %lld\n", ids[i].id, ids[i].name, hex,
		    ids[i].seen);
	}
	if (opt_file_replace_commit(fp, tmp, ids_path, &cause) == -1)
		goto fail;
	ids_warned = 0;
	return;
fail:
	if (!ids_warned)
		log_warnx("node ids: cannot write %s: %s (ids given now are "
		    "forgotten when the hub restarts)", ids_path, cause);
	ids_warned = 1;
	free(cause);
}

/*
 * Write the ids now, or (a burst of new nodes) a second after the last
 * write: one write a second at most, however large the fleet.
 */
static void
hub_node_ids_save(void)
{
	struct timeval	 tv;
	uint64_t	 now = core_now_us();

	if (ids_ev != NULL && evtimer_pending(ids_ev, NULL))
		return;
	if (now - ids_saved_us >= 1000000 || (ids_ev == NULL &&
	    (ids_ev = evtimer_new(core_base, hub_node_ids_save_cb,
	    NULL)) == NULL)) {
		hub_node_ids_save_cb(-1, 0, NULL);
		return;
	}
	evtimer_add(ids_ev, core_ms_tv(&tv,
	    (int)((ids_saved_us + 1000000 - now) / 1000) + 1));
}

/* see hub.h */
void
hub_node_ids_flush(void)
{
	if (ids_ev != NULL && evtimer_pending(ids_ev, NULL)) {
		evtimer_del(ids_ev);
		hub_node_ids_save_cb(-1, 0, NULL);
	}
}

/* Does r name h's name and owner? */
static int
hub_node_ids_same(const struct idrec *r, const struct frame_hello *h)
{
	if (strcmp(r->name, h->name) != 0 || r->has_kid != h->has_kid)
		return (0);
	return (!r->has_kid || memcmp(r->kid, h->kid, sizeof r->kid) == 0);
}

/*
 * The id on disk for h's name and owner that no node holds: the hint's if
 * it is one of them, else the one that joined last.  NULL: none.
 */
static struct idrec *
hub_node_ids_find(const struct frame_hello *h, uint32_t hint)
{
	struct idrec	*best = NULL;
	u_int		 i;

	for (i = 0; i < nids; i++) {
		if (!hub_node_ids_same(&ids[i], h) ||
		    hub_node_find(ids[i].id) != NULL ||
		    hub_node_parked_find(NULL, ids[i].id) != NULL)
			continue;
		if (ids[i].id == hint)
			return (&ids[i]);
		if (best == NULL || ids[i].seen > best->seen)
			best = &ids[i];
	}
	return (best);
}

/* Is id on disk for another name or owner than h's? */
static int
hub_node_ids_other(const struct frame_hello *h, uint32_t id)
{
	u_int	 i;

	for (i = 0; i < nids; i++)
		if (ids[i].id == id)
			return (!hub_node_ids_same(&ids[i], h));
	return (0);
}

/*
 * n joined: its id on disk (written when it is new there); full, the
 * record that joined least recently and is not online goes.
 */
static void
hub_node_ids_note(const struct node *n)
{
	struct idrec	*r = NULL, *nr;
	u_int		 i;

	if (ids_path[0] == '\0')
		return;
	for (i = 0; i < nids; i++) {
		if (ids[i].id == n->n_id) {
			r = &ids[i];
			break;
		}
	}
	if (r != NULL && hub_node_ids_same(r, &n->n_hello)) {
		r->seen = time(NULL);	/* on disk with the next write */
		return;
	}
	if (r == NULL && nids == IDS_MAX) {
		for (i = 0; i < nids; i++)
			if (hub_node_find(ids[i].id) == NULL &&
			    (r == NULL || ids[i].seen < r->seen))
				r = &ids[i];
		if (r == NULL)
			return;
	}
	if (r == NULL) {
		if (nids == ids_cap) {
			nr = reallocarray(ids, ids_cap == 0 ? 64 : ids_cap * 2,
			    sizeof *ids);
			if (nr == NULL) {
				log_warnx("node ids: out of memory; node %u "
				    "keeps its id until the hub restarts",
				    n->n_id);
				return;
			}
			ids = nr;
			ids_cap = ids_cap == 0 ? 64 : ids_cap * 2;
		}
		r = &ids[nids++];
	}
	memset(r, 0, sizeof *r);
	r->id = n->n_id;
	strlcpy(r->name, n->n_hello.name, sizeof r->name);
	r->has_kid = n->n_hello.has_kid;
	memcpy(r->kid, n->n_hello.kid, sizeof r->kid);
	r->seen = time(NULL);
	hub_node_ids_save();
}
