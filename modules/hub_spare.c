/*
 * hub_spare.c: spare links (doc/performance.md "Pool"): data links a node
 * opens ahead of demand, idle on its list until a DIAL takes one.  Owns
 * their accept (SPARE on the data port), the target sent to the node
 * (SPARE_TARGET), the idle keepalive, the DIAL sent on one and the BIND
 * that answers it.  Flags, JSON and log lines keep the word users know:
 * "pool" (-pool-size, -pool-max, pool_idle, "pool: node 1: idle link").
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "frame.h"
#include "tls.h"
#include "token.h"
#include "hub.h"

static struct node *hub_spare_node(struct dlink *, const struct frame *);
static struct spare *hub_spare_add(struct node *, struct bufferevent *,
		    const char *, struct spare *);
static void	hub_spare_free(struct spare *);
static void	hub_spare_retry(struct spare *, const char *);
static void	hub_spare_event_cb(struct bufferevent *, short, void *);
static const struct peer_ops hub_spare_idle_ops, hub_spare_dial_ops;

/* see hub.h */
void
hub_spare_demand(struct node *n)
{
	uint32_t	 sec = (uint32_t)(core_now_us() / 1000000);
	u_int		 b = sec % SPARE_WINDOW;

	if (n->n_dsec[b] != sec) {
		n->n_dsec[b] = sec;
		n->n_dcount[b] = 0;
		n->n_dpeak[b] = 0;
	}
	if (n->n_dcount[b] < UINT16_MAX)
		n->n_dcount[b]++;
	/* Links out on framed relays come back: they are demand too. */
	if (n->n_ndials + n->n_nlent > n->n_dpeak[b])
		n->n_dpeak[b] = n->n_ndials + n->n_nlent > UINT16_MAX ?
		    UINT16_MAX : n->n_ndials + n->n_nlent;
	hub_spare_eval(n, 0);
}

/*
 * The node's spare target (doc/performance.md "Pool"): cover the most
 * dials it had in flight at once in the last SPARE_WINDOW seconds, or the
 * rate of new dials times the measured refill latency if that is more,
 * plus one; at least 1, at most -pool-max.  Sent as SPARE_TARGET when it
 * changes: growth at once (from a dial), shrinking only from the
 * heartbeat.
 */
void
hub_spare_eval(struct node *n, int may_shrink)
{
	uint32_t	 sec = (uint32_t)(core_now_us() / 1000000);
	uint64_t	 sum = 0, rate_need;
	u_int		 i, peak = 0, target;
	uint8_t		 buf[FRAME_MAX];

	if (!n->n_spare_seen || hub.conf.spare_max == 0)
		return;
	/* Paused by its host: no requests, so no idle links either. */
	if (n->n_paused) {
		if (n->n_spare_target != 0) {
			log_debug("pool: node %u target 0 (was %u): paused",
			    n->n_id, n->n_spare_target);
			n->n_spare_target = 0;
			hub_send(n->n_bev, buf, frame_spare_target_encode(buf,
			    0));
		}
		return;
	}
	for (i = 0; i < SPARE_WINDOW; i++) {
		if (sec - n->n_dsec[i] >= SPARE_WINDOW)
			continue;
		sum += n->n_dcount[i];
		if (n->n_dpeak[i] > peak)
			peak = n->n_dpeak[i];
	}
	/* dials/s x refill seconds, rounded up */
	rate_need = (sum * n->n_refill_us + SPARE_WINDOW * 1000000ULL - 1) /
	    (SPARE_WINDOW * 1000000ULL);
	target = (peak > rate_need ? peak : (u_int)rate_need) + 1;
	if (target > (u_int)hub.conf.spare_max)
		target = hub.conf.spare_max;
	if (target == n->n_spare_target ||
	    (target < n->n_spare_target && !may_shrink))
		return;
	log_debug("pool: node %u target %u (was %u): %llu dials in %d s, "
	    "%u at once, refill %llu us, %u idle", n->n_id, target,
	    n->n_spare_target, (unsigned long long)sum, SPARE_WINDOW, peak,
	    (unsigned long long)n->n_refill_us, n->n_nspares);
	n->n_spare_target = target;
	hub_send(n->n_bev, buf, frame_spare_target_encode(buf, target));
}

/*
 * TCP keepalive on the links that stayed idle a heartbeat or more: one
 * whose peer or NAT mapping vanished is found within 30 + 3 x 10 s of
 * that, and the probes keep NAT and firewall state alive.  Links taken
 * at once (a busy node) never pay the four setsockopt calls.
 */
void
hub_spare_idle(struct node *n, uint64_t now)
{
	struct spare	*sp;

	TAILQ_FOREACH(sp, &n->n_spares, sp_entry) {
		if (sp->sp_keepalive || now - sp->sp_since_us <
		    (uint64_t)hub.conf.heartbeat_ms * 1000)
			continue;
		compat_keepalive(tls_getfd(sp->sp_bev), 30, 10, 3);
		sp->sp_keepalive = 1;
	}
}

/*
 * Send d's DIAL (buf, len) on the newest idle spare link of its node: the
 * oldest are the likeliest to have died unseen.  The link is d's until
 * its BIND.  0, or -1 when the node has no idle spare link.
 */
int
hub_spare_send(struct dial *d, const uint8_t *buf, size_t len)
{
	struct node	*n = d->d_node;
	struct spare	*sp;

	if ((sp = TAILQ_FIRST(&n->n_spares)) == NULL)
		return (-1);
	TAILQ_REMOVE(&n->n_spares, sp, sp_entry);
	n->n_nspares--;
	sp->sp_dial = d;
	d->d_spare = sp;
	peer_set_ops(&sp->sp_frames, &hub_spare_dial_ops);
	if (n->n_spare_taken_us == 0)
		n->n_spare_taken_us = core_now_us();
	core_link_send(sp->sp_bev, hub.conf.insecure, buf, len);
	log_debug("dial %u: on pooled link %s of node %u (%u idle left)",
	    d->d_req, sp->sp_peer, n->n_id, n->n_nspares);
	return (0);
}

/* Frees sp, not its link (closed, or handed to the dial's front). */
static void
hub_spare_free(struct spare *sp)
{
	free(sp);
}

/* see hub.h */
void
hub_spare_close(struct spare *sp, const char *why)
{
	struct node	*n = sp->sp_node;

	if (why != NULL)
		log_debug("pool: node %u: idle link %s dropped: %s",
		    n->n_id, sp->sp_peer, why);
	if (sp->sp_dial == NULL) {
		TAILQ_REMOVE(&n->n_spares, sp, sp_entry);
		n->n_nspares--;
	}
	bufferevent_free(sp->sp_bev);
	hub_spare_free(sp);
}

/*
 * A spare link carrying a DIAL failed before its BIND: retry the dial,
 * on another idle link or the control link, within the same deadline.
 */
static void
hub_spare_retry(struct spare *sp, const char *why)
{
	struct dial	*d = sp->sp_dial;

	log_info("dial %u: pooled link %s failed before the answer (%s); "
	    "retrying", d->d_req, sp->sp_peer, why);
	d->d_spare = NULL;
	hub_spare_close(sp, NULL);
	hub_dial_send(d);
}

static void
hub_spare_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct spare	*sp = arg;

	if (sp->sp_dial != NULL)
		hub_spare_retry(sp, hub_bev_error(bev, what));
	else
		hub_spare_close(sp, hub_bev_error(bev, what));
}

/* After a DIAL: its BIND, then relayed bytes (no longer ours). */
static int
hub_spare_bind(void *arg, const struct frame *f, const char **cause)
{
	struct spare		*sp = arg;
	struct dial		*d = sp->sp_dial;
	struct node		*n = sp->sp_node;
	struct bufferevent	*bev = sp->sp_bev;
	struct frame_bind	 b;
	uint8_t			 proof[TOKEN_PROOF_LEN];

	if (frame_bind_parse(f, &b, cause) == -1)
		return (PEER_ERROR);
	token_bind_proof(n->n_cookie, sizeof n->n_cookie, b.req, proof);
	if (b.node_id != n->n_id || b.req != d->d_req ||
	    !token_equal(proof, b.proof, sizeof proof)) {
		hub_spare_retry(sp, "BIND for another request or session");
		return (PEER_GONE);
	}
	d->d_spare = NULL;
	if (b.result != DIAL_OK) {
		hub_spare_close(sp, NULL);
		hub_dial_finish(d, b.result, NULL);
		return (PEER_GONE);
	}
	/* A framed relay brings the link back: keep its record for then. */
	if (d->d_framed)
		d->d_kept = sp;
	else
		hub_spare_free(sp);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	hub_dial_finish(d, DIAL_OK, bev);
	return (PEER_GONE);
}

/* Idle, nothing may arrive; after a DIAL, anything but its BIND. */
static void
hub_spare_error(void *arg, int error __unused, const char *cause)
{
	struct spare	*sp = arg;

	if (sp->sp_dial != NULL) {
		hub_spare_retry(sp, cause);
		return;
	}
	log_warnx("pool: node %u: idle link %s sent bytes before a DIAL; "
	    "closing it", sp->sp_node->n_id, sp->sp_peer);
	hub_spare_close(sp, NULL);
}

static const struct peer_handler hub_spare_handlers[] = {
	{ FRAME_BIND, hub_spare_bind },
	{ 0, NULL }
};
/* Idle: no byte may come; a DIAL sent: its BIND. */
static const struct peer_ops hub_spare_idle_ops = {
	NULL, hub_spare_error, NULL, 0
};
static const struct peer_ops hub_spare_dial_ops = {
	hub_spare_handlers, hub_spare_error, NULL, 0
};

/*
 * The node a SPARE frame names, if it proves the node's session like a
 * BIND with the reserved request id FRAME_SPARE_REQ.  NULL: l is closed.
 */
static struct node *
hub_spare_node(struct dlink *l, const struct frame *f)
{
	struct frame_spare	 fp;
	struct node		*n;
	const char		*cause;
	uint8_t			 proof[TOKEN_PROOF_LEN];
	char			 why[160];

	if (frame_spare_parse(f, &fp, &cause) == -1) {
		snprintf(why, sizeof why, "protocol error: %s", cause);
		hub_dlink_close(l, why);
		return (NULL);
	}
	n = hub_node_find(fp.node_id);
	if (n != NULL)
		token_bind_proof(n->n_cookie, sizeof n->n_cookie,
		    FRAME_SPARE_REQ, proof);
	if (n == NULL || !token_equal(proof, fp.proof, sizeof proof)) {
		snprintf(why, sizeof why, "SPARE names node %u, which is not "
		    "connected or whose session proof does not match",
		    fp.node_id);
		hub_dlink_close(l, why);
		return (NULL);
	}
	if (evbuffer_get_length(bufferevent_get_input(l->l_bev)) > 0) {
		hub_dlink_close(l, "protocol error: bytes after SPARE");
		return (NULL);
	}
	return (n);
}

/*
 * bev, from peer, idle on n's list (newest first), in sp (its record from
 * before, sp_peer kept) or a new one; NULL: no memory.
 */
static struct spare *
hub_spare_add(struct node *n, struct bufferevent *bev, const char *peer,
    struct spare *sp)
{
	if (sp != NULL)
		sp->sp_dial = NULL;
	else if ((sp = calloc(1, sizeof *sp)) == NULL)
		return (NULL);
	sp->sp_bev = bev;
	sp->sp_node = n;
	if (peer != NULL)
		strlcpy(sp->sp_peer, peer, sizeof sp->sp_peer);
	sp->sp_since_us = core_now_us();	/* for hub_spare_idle() */
	bufferevent_set_timeouts(bev, NULL, NULL);
	peer_open(&sp->sp_frames, bev, &hub_spare_idle_ops, sp,
	    hub_spare_event_cb);
	core_bev_enable_io(bev, hub.conf.insecure);
	TAILQ_INSERT_HEAD(&n->n_spares, sp, sp_entry);
	n->n_nspares++;
	return (sp);
}

/* see hub.h */
void
hub_spare_return(struct node *n, struct bufferevent *bev, struct spare *sp)
{
	if (n == NULL || sp == NULL ||
	    n->n_nspares >= (u_int)hub.conf.spare_max) {
		/* Its node left (the link's session with it), or enough. */
		bufferevent_free(bev);
		free(sp);
		return;
	}
	(void)hub_spare_add(n, bev, NULL, sp);	/* sp given: cannot fail */
	n->n_reused++;
	hub.links_reused++;
	log_debug("pool: node %u: link %s idle again after its relay (%u "
	    "idle)", n->n_id, sp->sp_peer, n->n_nspares);
	/* Bytes after the node's EOF mark: a protocol error, as on idle. */
	peer_read(&sp->sp_frames);
}

/* see hub.h */
void
hub_spare_accept(struct dlink *l, const struct frame *f)
{
	struct node		*n;
	struct spare		*sp;
	uint64_t		 now;
	uint8_t			 buf[FRAME_MAX];

	if ((n = hub_spare_node(l, f)) == NULL)
		return;
	if (n->n_nspares >= (u_int)hub.conf.spare_max) {
		log_debug("pool: node %u: idle link %s refused: %u idle "
		    "already (-pool-max)", n->n_id, l->l_peer, n->n_nspares);
		hub_dlink_close(l, NULL);
		return;
	}
	if ((sp = hub_spare_add(n, l->l_bev, l->l_peer, NULL)) == NULL) {
		hub_dlink_close(l, "out of memory");
		return;
	}
	hub_dlink_free(l);
	now = core_now_us();
	if (n->n_spare_taken_us != 0) {
		n->n_refill_us = (n->n_refill_us * 7 + (now -
		    n->n_spare_taken_us)) / 8;
		n->n_spare_taken_us = 0;
	}
	log_debug("pool: node %u: idle link %s (%u idle)", n->n_id,
	    sp->sp_peer, n->n_nspares);
	if (!n->n_spare_seen) {
		/* Until the first heartbeat's estimate: the hub's cap. */
		n->n_spare_seen = 1;
		n->n_spare_target = n->n_paused ? 0 : hub.conf.spare_max;
		hub_send(n->n_bev, buf, frame_spare_target_encode(buf,
		    n->n_spare_target));
	}
}
