/*
 * hub_sched.c: choosing the node for a dial (doc/routing.md).  Owns the
 * route's selectors, -schedule (least-conn, round-robin, random), the
 * back-off of failing nodes, sticky sessions (per user, LRU bounded), and
 * the pools' member lists a pick by pool walks instead of every node.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "route.h"
#include "hub.h"

#define BACKOFF_FAILS	3		/* node-side failures in a row ... */
#define BACKOFF_MIN_MS	10000		/* ... skip the node this long, */
#define BACKOFF_MAX_MS	300000		/* doubling up to this */
#define SESSION_MAX	65536

/*
 * A pool's members in the order they joined, which is hub.nodes' order,
 * so a pick among them chooses the node a walk of hub.nodes would (the
 * round-robin and least-conn tie-break count eligible nodes in order).
 * Only membership is kept here: whether a member may take a dial now
 * (full, drained, redialing, backing off) is read at each pick, so no
 * change of state can leave a list stale.
 */
struct pool {
	LIST_ENTRY(pool)	 po_hash;
	TAILQ_HEAD(, pmember)	 po_members;
	u_int			 po_n;
	char			 po_name[FRAME_POOL_MAX + 1];
};

/* A node in one pool: n_pools[i] for n_hello.pools[i]. */
struct pmember {
	TAILQ_ENTRY(pmember)	 pm_entry;
	struct node		*pm_node;
	struct pool		*pm_pool;	/* NULL: a pool named twice */
};

/* The nodes a pick walks: po's members, or every node with po NULL. */
#define HUB_SCHED_FOREACH(n, po, pm)					\
	for ((pm) = NULL, (n) = hub_sched_next((po), &(pm), NULL);	\
	    (n) != NULL; (n) = hub_sched_next((po), &(pm), (n)))

/* The pools= of the user whose dial is being chosen; NULL: every pool. */
static const struct acct_limits	*hub_sched_allow;
/* Of the nodes the last pick matched, those their host paused. */
static u_int			 hub_sched_paused;

static struct node *hub_sched_choose_allowed(struct dial *, int *);

static u_int
hub_sched_hash(const char *key)
{
	uint32_t	 h = 2166136261U;

	for (; *key != '\0'; key++)
		h = (h ^ (uint8_t)*key) * 16777619U;
	return (h);
}

static struct pool *
hub_sched_pool(const char *name)
{
	struct pool	*po;

	LIST_FOREACH(po, &hub.pools[hub_sched_hash(name) % POOL_HASH],
	    po_hash) {
		if (strcmp(po->po_name, name) == 0)
			return (po);
	}
	return (NULL);
}

/* see hub.h */
void
hub_sched_join(struct node *n)
{
	struct pmember	*pm;
	struct pool	*po;
	u_int		 h;
	int		 i, j;

	/* HELLO gave it "default" if it named no pool: npools > 0. */
	if ((n->n_pools = calloc(n->n_hello.npools, sizeof *pm)) == NULL)
		goto fail;
	for (i = 0; i < n->n_hello.npools; i++) {
		pm = &n->n_pools[i];
		pm->pm_node = n;
		for (j = 0; j < i; j++)
			if (strcmp(n->n_hello.pools[j],
			    n->n_hello.pools[i]) == 0)
				break;
		if (j < i)
			continue;	/* named twice: one entry */
		if ((po = hub_sched_pool(n->n_hello.pools[i])) == NULL) {
			if ((po = calloc(1, sizeof *po)) == NULL)
				goto fail;
			strlcpy(po->po_name, n->n_hello.pools[i],
			    sizeof po->po_name);
			TAILQ_INIT(&po->po_members);
			h = hub_sched_hash(po->po_name) % POOL_HASH;
			LIST_INSERT_HEAD(&hub.pools[h], po, po_hash);
		}
		pm->pm_pool = po;
		TAILQ_INSERT_TAIL(&po->po_members, pm, pm_entry);
		po->po_n++;
	}
	return;
fail:
	if (n->n_pools != NULL)
		hub_sched_leave(n);	/* the lists it got into */
	hub.nunindexed++;
	log_warnx("node %u (%s): out of memory for its pools' lists; every "
	    "pick by pool walks all nodes while it is online", n->n_id,
	    n->n_hello.name);
}

/* see hub.h */
void
hub_sched_leave(struct node *n)
{
	struct pmember	*pm;
	struct pool	*po;
	int		 i;

	if (n->n_pools == NULL) {
		hub.nunindexed--;
		return;
	}
	for (i = 0; i < n->n_hello.npools; i++) {
		pm = &n->n_pools[i];
		if ((po = pm->pm_pool) == NULL)
			continue;
		TAILQ_REMOVE(&po->po_members, pm, pm_entry);
		if (--po->po_n == 0) {
			LIST_REMOVE(po, po_hash);
			free(po);
		}
	}
	free(n->n_pools);
	n->n_pools = NULL;
}

/* The node after n (NULL: the first) in po's list, or in hub.nodes. */
static struct node *
hub_sched_next(struct pool *po, struct pmember **pm, struct node *n)
{
	if (po == NULL)
		return (n == NULL ? TAILQ_FIRST(&hub.nodes) :
		    TAILQ_NEXT(n, n_entry));
	*pm = *pm == NULL ? TAILQ_FIRST(&po->po_members) :
	    TAILQ_NEXT(*pm, pm_entry);
	return (*pm == NULL ? NULL : (*pm)->pm_node);
}

/* Is n out of service (drained, paused by its host, or redialing)? */
static int
hub_sched_resting(const struct node *n)
{
	return (n->n_keep.drain || n->n_paused || n->n_redial != REDIAL_IDLE);
}

static int
hub_sched_full(const struct node *n)
{
	return (n->n_ndials >= MAX_DIALS_PER_NODE ||
	    (hub.conf.max_relays_per_node > 0 &&
	    n->n_ndials + n->n_nrelays >=
	    (u_int)hub.conf.max_relays_per_node));
}

/* Does n serve pool (a node without pools has "default", from HELLO)? */
static int
hub_sched_in_pool(const struct node *n, const char *pool)
{
	int	 i;

	for (i = 0; i < n->n_hello.npools; i++) {
		if (strcmp(n->n_hello.pools[i], pool) == 0)
			return (1);
	}
	return (0);
}

/*
 * May the user of the dial being chosen use n: a pool it asked for in
 * its pools=, or without one, any pool of n in them?
 */
static int
hub_sched_allowed(const struct node *n, const struct route *r)
{
	int	 i;

	if (hub_sched_allow == NULL)
		return (1);
	if (r->pool[0] != '\0')
		return (acct_pool_allowed(hub_sched_allow, r->pool));
	for (i = 0; i < n->n_hello.npools; i++)
		if (acct_pool_allowed(hub_sched_allow, n->n_hello.pools[i]))
			return (1);
	return (0);
}

/* Does n match the route's selectors (pool, node name or id)? */
static int
hub_sched_matches(const struct node *n, const struct route *r)
{
	if (r == NULL)
		return (1);
	if (r->pool[0] != '\0' && !hub_sched_in_pool(n, r->pool))
		return (0);
	/* Outside the user's pools= is as if no node served the pool. */
	if (!hub_sched_allowed(n, r))
		return (0);
	return (r->node[0] == '\0' || hub_node_named(n, r->node));
}

static int
hub_sched_tried(const struct dial *d, const struct node *n)
{
	int	 i;

	for (i = 0; d != NULL && i < d->d_tries; i++) {
		if (d->d_tried[i] == n->n_id)
			return (1);
	}
	return (0);
}

/* see hub.h */
void
hub_sched_outcome(struct node *n, int ok)
{
	if (ok) {
		n->n_fails = 0;
		n->n_backoff_ms = 0;
		n->n_backoff_until_us = 0;
		return;
	}
	if (++n->n_fails < BACKOFF_FAILS)
		return;
	if (n->n_backoff_ms == 0)
		n->n_backoff_ms = BACKOFF_MIN_MS;
	else if (n->n_backoff_ms < BACKOFF_MAX_MS / 2)
		n->n_backoff_ms *= 2;
	else
		n->n_backoff_ms = BACKOFF_MAX_MS;
	n->n_backoff_until_us = core_now_us() +
	    (uint64_t)n->n_backoff_ms * 1000;
	log_warnx("node %u (%s): %u node-side dial failures in a row; "
	    "skipping it for %u s", n->n_id, n->n_hello.name, n->n_fails,
	    n->n_backoff_ms / 1000);
}

uint32_t
hub_sched_random(uint32_t bound)
{
	if (hub.rand == 0)
		hub.rand = core_now_us() ^ ((uint64_t)getpid() << 32) ^
		    0x9e3779b97f4a7c15ULL;
	hub.rand ^= hub.rand << 13;
	hub.rand ^= hub.rand >> 7;
	hub.rand ^= hub.rand << 17;
	return ((uint32_t)(hub.rand >> 16) % bound);
}

/*
 * Can n take d's dial now, by state alone (it matched the route)?  A node
 * backing off only if backoff.
 */
static int
hub_sched_ready(const struct node *n, const struct dial *d, uint64_t now,
    int backoff)
{
	return (!hub_sched_full(n) && !hub_sched_tried(d, n) &&
	    !hub_sched_resting(n) &&
	    (backoff || n->n_backoff_until_us <= now));
}

/*
 * Choose a node for r (NULL: any) by -schedule, skipping nodes at their
 * limit, drained, paused or redialing, those d already tried, and those backing
 * off (unless every other candidate is gone).  NULL: *matched says how
 * many nodes matched r.  A route with a pool walks that pool's members
 * (in hub.nodes' order: the same choice), twice: count, then choose;
 * without one, or while a node is in no list, every node.
 */
static struct node *
hub_sched_pick(const struct route *r, const struct dial *d, u_int *matched)
{
	struct pool	*po = NULL;
	struct pmember	*pm;
	struct node	*n, *best = NULL;
	u_int		 load, bestload = 0, count, ready[2], i, k, start = 0;
	uint64_t	 now = core_now_us();
	int		 backoff;

	*matched = 0;
	hub_sched_paused = 0;
	if (r != NULL && r->pool[0] != '\0' && hub.nunindexed == 0 &&
	    (po = hub_sched_pool(r->pool)) == NULL)
		return (NULL);
	ready[0] = ready[1] = 0;
	HUB_SCHED_FOREACH(n, po, pm) {
		if (!hub_sched_matches(n, r))
			continue;
		(*matched)++;
		if (n->n_paused)
			hub_sched_paused++;
		if (!hub_sched_ready(n, d, now, 1))
			continue;
		ready[1]++;
		if (n->n_backoff_until_us <= now)
			ready[0]++;
	}
	/* Nodes backing off only when no other can take it. */
	backoff = ready[0] == 0;
	if ((count = ready[backoff]) == 0)
		return (NULL);
	switch (hub.conf.schedule) {
	case SCHED_ROUND_ROBIN:
		k = hub.rr++ % count;
		break;
	case SCHED_RANDOM:
		k = hub_sched_random(count);
		break;
	default:
		k = count;	/* least-conn, below */
		start = hub.rr++ % count;
		break;
	}
	i = 0;
	HUB_SCHED_FOREACH(n, po, pm) {
		if (!hub_sched_matches(n, r) ||
		    !hub_sched_ready(n, d, now, backoff))
			continue;
		if (k != count) {
			if (i++ == k)
				return (n);
			continue;
		}
		load = n->n_ndials + n->n_nrelays;
		/* Rotate the tie-break point with each pick. */
		if (best == NULL || load < bestload ||
		    (load == bestload && i == start)) {
			best = n;
			bestload = load;
		}
		i++;
	}
	return (best);
}

static u_int
hub_session_hash(const char *key)
{
	return (hub_sched_hash(key) % SESSION_HASH);
}

static void
hub_session_free(struct session *se)
{
	struct suser	*u = se->s_user;

	LIST_REMOVE(se, s_hash);
	TAILQ_REMOVE(&hub.session_lru, se, s_lru);
	TAILQ_REMOVE(&u->u_lru, se, s_ulru);
	if (--u->u_n == 0) {
		LIST_REMOVE(u, u_hash);
		free(u);
	}
	hub.nsessions--;
	free(se);
}

/* The sessions of user name, made when absent; NULL: out of memory. */
static struct suser *
hub_session_user(const char *name)
{
	struct suser	*u;
	u_int		 h = hub_session_hash(name);

	LIST_FOREACH(u, &hub.susers[h], u_hash) {
		if (strcmp(u->u_name, name) == 0)
			return (u);
	}
	if ((u = calloc(1, sizeof *u)) == NULL)
		return (NULL);
	strlcpy(u->u_name, name, sizeof u->u_name);
	TAILQ_INIT(&u->u_lru);
	LIST_INSERT_HEAD(&hub.susers[h], u, u_hash);
	return (u);
}

static int
hub_session_expired(const struct session *se, uint64_t now)
{
	return (now >= se->s_expires_us ||
	    now - se->s_created_us >= hub.conf.session_life_us);
}

/* Log "sessions full" for u at most once a minute. */
static int
hub_session_full_log(struct suser *u)
{
	uint64_t	 now = core_now_us();

	if (u->u_full_us != 0 && now - u->u_full_us < 60000000ULL)
		return (0);
	u->u_full_us = now;
	return (1);
}

/* The live session for key, or NULL (an expired one is dropped). */
static struct session *
hub_session_find(const char *key)
{
	struct session	*se, *tmp;
	uint64_t	 now = core_now_us();
	int		 i;

	/* Drop a few expired ones from the cold end as we go. */
	for (i = 0; i < 4; i++) {
		if ((tmp = TAILQ_LAST(&hub.session_lru, sessionq)) == NULL ||
		    !hub_session_expired(tmp, now))
			break;
		hub_session_free(tmp);
	}
	LIST_FOREACH(se, &hub.sessions[hub_session_hash(key)], s_hash) {
		if (strcmp(se->s_key, key) != 0)
			continue;
		if (hub_session_expired(se, now)) {
			hub_session_free(se);
			return (NULL);
		}
		return (se);
	}
	return (NULL);
}

/*
 * Pin key (of user) to node n for minutes, sliding: se, the live session
 * of key hub_session_find() gave, or NULL to make one.  A new one
 * pushes out the user's least recent past -max-sessions-per-user, else
 * the table's least recent past SESSION_MAX.
 */
static void
hub_session_pin(struct session *se, const char *key, const char *user,
    const struct node *n, int minutes)
{
	struct suser	*u;
	uint64_t	 now = core_now_us();

	if (se == NULL) {
		if ((u = hub_session_user(user)) == NULL)
			return;		/* not sticky: no harm beyond that */
		if (u->u_n >= (u_int)hub.conf.max_sessions_per_user &&
		    hub.conf.max_sessions_per_user > 0) {
			if (hub_session_full_log(u))
				log_info("sessions of %s: %u, the most "
				    "-max-sessions-per-user allows; the least "
				    "recently used ones make room", user[0] !=
				    '\0' ? user : "-", u->u_n);
			hub_session_free(TAILQ_LAST(&u->u_lru,
			    sessionq));	/* u stays: new one below */
			if ((u = hub_session_user(user)) == NULL)
				return;
		} else if (hub.nsessions >= SESSION_MAX) {
			hub_session_free(TAILQ_LAST(&hub.session_lru,
			    sessionq));
			if ((u = hub_session_user(user)) == NULL)
				return;
		}
		if ((se = calloc(1, sizeof *se)) == NULL) {
			if (u->u_n == 0) {
				LIST_REMOVE(u, u_hash);
				free(u);
			}
			return;
		}
		strlcpy(se->s_key, key, sizeof se->s_key);
		se->s_created_us = now;
		se->s_user = u;
		u->u_n++;
		LIST_INSERT_HEAD(&hub.sessions[hub_session_hash(key)],
		    se, s_hash);
		hub.nsessions++;
	} else {
		TAILQ_REMOVE(&hub.session_lru, se, s_lru);
		TAILQ_REMOVE(&se->s_user->u_lru, se, s_ulru);
	}
	TAILQ_INSERT_HEAD(&hub.session_lru, se, s_lru);
	TAILQ_INSERT_HEAD(&se->s_user->u_lru, se, s_ulru);
	if (minutes <= 0)
		minutes = ROUTE_SESSTIME_DEFAULT;
	se->s_node = n->n_id;
	se->s_gen = n->n_gen;
	se->s_expires_us = now + (uint64_t)minutes * 60 * 1000000;
}

static void
hub_session_key(const struct dial *d, char *key, size_t len)
{
	snprintf(key, len, "%s-%s", d->d_user, d->d_route.session);
}

/* Why no node, for the peer: "every exit node in pool x is drained". */
static void
hub_sched_why(const struct route *r, const char *what, const char *rest)
{
	snprintf(hub.dial_why, sizeof hub.dial_why, "%s%s%s%s%s%s", what,
	    r != NULL && r->node[0] != '\0' ? " named " : "",
	    r != NULL ? r->node : "",
	    r != NULL && r->pool[0] != '\0' ? " in pool " : "",
	    r != NULL ? r->pool : "", rest);
}

/*
 * see hub.h: with the pools= of a user whose password was checked in
 * hub_sched_allow while choosing.
 */
struct node *
hub_sched_choose(struct dial *d, int *result)
{
	struct acct_limits	 allow;
	struct node		*n;

	if (d->d_route.acct_pools && auth_user_limits(d->d_user,
	    &allow) == 0 && allow.npools > 0)
		hub_sched_allow = &allow;
	n = hub_sched_choose_allowed(d, result);
	hub_sched_allow = NULL;
	return (n);
}

/* hub_sched_choose() once hub_sched_allow is set. */
static struct node *
hub_sched_choose_allowed(struct dial *d, int *result)
{
	struct route	*r = &d->d_route;
	struct session	*se = NULL;
	struct node	*n;
	char		 key[sizeof se->s_key];
	u_int		 matched;

	if (r->session[0] != '\0') {
		hub_session_key(d, key, sizeof key);
		if ((se = hub_session_find(key)) != NULL) {
			/* The same node, on the same connection. */
			n = hub_node_find(se->s_node);
			if (n != NULL && n->n_gen == se->s_gen &&
			    hub_sched_matches(n, r) && !hub_sched_full(n) &&
			    !hub_sched_tried(d, n) &&
			    !hub_sched_resting(n) &&
			    (r->strict || n->n_backoff_until_us <=
			    core_now_us())) {
				hub_session_pin(se, key, d->d_user, n,
				    r->sesstime_min);
				return (n);
			}
			if (r->strict) {
				*result = DIAL_HOSTUNREACH;
				snprintf(hub.dial_why, sizeof hub.dial_why,
				    "session %s: its exit node is gone "
				    "(strict)", r->session);
				return (NULL);
			}
			log_info("session %s of %s: node %u %s; moving the "
			    "session", r->session, d->d_user[0] != '\0' ?
			    d->d_user : "-", se->s_node, n == NULL ? "left" :
			    n->n_gen != se->s_gen ? "reconnected since" :
			    n->n_paused ? "is paused by host policy" :
			    hub_sched_resting(n) ? "is drained or redialing" :
			    hub_sched_full(n) ? "is at its limit" :
			    hub_sched_tried(d, n) ? "failed this request" :
			    !hub_sched_matches(n, r) ? "is outside the "
			    "requested pool or name" : "is backing off");
		}
	}
	if ((n = hub_sched_pick(r, d, &matched)) == NULL) {
		if (matched == 0) {
			*result = DIAL_NONODE;
			hub_sched_why(r, "no exit node online", "");
		} else {
			/* None to take it now: 503 (SOCKS 1), as for none. */
			*result = d->d_tries > 0 ? DIAL_FAIL : DIAL_NONODE;
			hub_sched_why(r, d->d_tries > 0 ? "no other exit "
			    "node" : "every exit node", d->d_tries > 0 ?
			    " to try" : hub_sched_paused > 0 ? " is drained, "
			    "paused, redialing or at its limit of relays and "
			    "dials" : " is drained, redialing or at its limit "
			    "of relays and dials");
		}
		return (NULL);
	}
	if (r->session[0] != '\0') {
		log_debug("session %s of %s: on node %u (%s) for %d min",
		    r->session, d->d_user[0] != '\0' ? d->d_user : "-",
		    n->n_id, n->n_hello.name, r->sesstime_min > 0 ?
		    r->sesstime_min : ROUTE_SESSTIME_DEFAULT);
		hub_session_pin(se, key, d->d_user, n, r->sesstime_min);
	}
	return (n);
}
