/*
 * hub_dial.c: a request from DIAL to BIND.  Owns the pending dials (id
 * hash, deadline, retries on other nodes), the data port (a link until its
 * BIND, or SPARE for hub_spare.c) and the exits: a bound data link handed
 * to the front's relay (struct relay_exit) with the node's accounting on
 * it (struct srelay).  The fronts call hub_dial() and hub_dial_cancel();
 * the answer's exit goes to relay_open() or relay_http_exit().
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
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
#include "frame.h"
#include "limit.h"
#include "token.h"
#include "route.h"
#include "hub.h"

static struct dial *hub_dial_new(const struct target *,
		    const struct route *, const char *, const char *);
static void	hub_dial_free(struct dial *);
static struct relay_exit *hub_dial_exit(struct dial *, struct bufferevent *);
static void	hub_dial_exit_done(struct relay_exit *);
static const char *hub_dial_result_str(int);
static void	hub_dial_timeout_cb(evutil_socket_t, short, void *);
static void	hub_dlink_timeout_cb(evutil_socket_t, short, void *);
static void	hub_dlink_event_cb(struct bufferevent *, short, void *);
static const struct peer_ops hub_dlink_ops;

/* see hub.h */
struct dial *
hub_dial_find(uint32_t req)
{
	struct dial	*d;

	LIST_FOREACH(d, &hub.dial_hash[req % DIAL_HASH], d_hash) {
		if (d->d_req == req)
			return (d);
	}
	return (NULL);
}

/* Give d a fresh request id, on n; start its clock and send the DIAL. */
static void
hub_dial_attach(struct dial *d, struct node *n)
{
	struct timeval	 tv;
	char		 ts[TARGET_STRLEN];

	do {
		d->d_req = hub.next_req++;
	} while (d->d_req == 0 || hub_dial_find(d->d_req) != NULL);
	LIST_INSERT_HEAD(&hub.dial_hash[d->d_req % DIAL_HASH], d, d_hash);
	d->d_node = n;
	if (d->d_tries < (int)nitems(d->d_tried))
		d->d_tried[d->d_tries++] = n->n_id;
	TAILQ_INSERT_TAIL(&n->n_dials, d, d_entry);
	n->n_ndials++;
	evtimer_add(d->d_timer, core_ms_tv(&tv, hub.conf.dial_ms));
	log_debug("dial %u: %s for %s via node %u (%s)", d->d_req,
	    target_str(&d->d_target, ts, sizeof ts), d->d_who, n->n_id,
	    n->n_hello.name);
	hub_spare_demand(n);
	hub_dial_send(d);
}

/* see hub.h */
int
hub_dial_retry(struct dial *d, int result)
{
	struct node	*n, *old = d->d_node;
	char		 ts[TARGET_STRLEN];
	int		 res;

	if (old != NULL)
		hub_sched_outcome(old, 0);
	if (d->d_tries > hub.conf.dial_retries ||
	    (d->d_route.strict && d->d_route.session[0] != '\0'))
		return (0);
	if ((n = hub_sched_choose(d, &res)) == NULL)
		return (0);
	log_info("dial %u: %s for %s via node %u failed: %s; retrying on "
	    "node %u (%s)", d->d_req, target_str(&d->d_target, ts, sizeof ts),
	    d->d_who, old != NULL ? old->n_id : 0, hub_dial_result_str(result),
	    n->n_id, n->n_hello.name);
	if (d->d_spare != NULL) {
		hub_spare_close(d->d_spare, NULL);	/* still d's */
		d->d_spare = NULL;
	}
	LIST_REMOVE(d, d_hash);
	if (old != NULL) {
		old->n_dials_failed++;
		TAILQ_REMOVE(&old->n_dials, d, d_entry);
		old->n_ndials--;
		hub_redial_check(old);
	}
	evtimer_del(d->d_timer);
	hub_dial_attach(d, n);
	return (1);
}

/* A dial for t, its clock not started, on no node yet; NULL: no memory. */
static struct dial *
hub_dial_new(const struct target *t, const struct route *r,
    const char *user, const char *who)
{
	struct dial	*d;

	if ((d = calloc(1, sizeof *d)) == NULL)
		return (NULL);
	if ((d->d_timer = evtimer_new(core_base, hub_dial_timeout_cb,
	    d)) == NULL) {
		free(d);
		return (NULL);
	}
	if (r != NULL)
		d->d_route = *r;
	if (user != NULL)
		strlcpy(d->d_user, user, sizeof d->d_user);
	d->d_target = *t;
	d->d_start_us = core_now_us();
	strlcpy(d->d_who, who, sizeof d->d_who);
	return (d);
}

/* see hub.h */
struct dial *
hub_dial(const struct target *t, const struct route *r, const char *user,
    const char *who, int flags, hub_dial_cb *cb, void *arg, int *result,
    const char **why)
{
	struct node		*n;
	struct dial		*d;
	struct frame_dial	 fd;
	uint8_t			 buf[FRAME_MAX];
	char			 ts[TARGET_STRLEN];

	hub.dial_why[0] = '\0';
	*why = hub.dial_why;
	if (hub.conf.max_pending_dials > 0 &&
	    hub.ndials >= (u_int)hub.conf.max_pending_dials) {
		*result = DIAL_FAIL;
		/* A line a second at most: this is what a flood looks like. */
		if (core_now_us() - hub.dials_full_us > 1000000) {
			hub.dials_full_us = core_now_us();
			log_warnx("dial %s for %s: refused: %u dials pending "
			    "hub-wide (-max-pending-dials)", target_str(t, ts,
			    sizeof ts), who, hub.ndials);
		}
		return (NULL);
	}
	memset(&fd, 0, sizeof fd);
	fd.target = *t;
	if (frame_dial_encode(buf, &fd) == 0) {
		*result = DIAL_BADADDR;
		return (NULL);
	}
	if ((d = hub_dial_new(t, r, user, who)) == NULL) {
		log_warnx("dial for %s: out of memory", who);
		*result = DIAL_FAIL;
		return (NULL);
	}
	d->d_cb = cb;
	d->d_arg = arg;
	d->d_tunnel = (flags & HUB_DIAL_TUNNEL) != 0;
	if ((n = hub_sched_choose(d, result)) == NULL) {
		log_info("dial %s for %s: %s", target_str(t, ts, sizeof ts),
		    who, hub.dial_why);
		hub_dial_free(d);
		return (NULL);
	}
	hub.ndials++;
	hub_dial_attach(d, n);
	return (d);
}

/*
 * Send d's DIAL: on an idle spare link of its node when there is one,
 * else on the control link, for a fresh data link.  Also the retry when
 * a spare link dies before its BIND.
 */
void
hub_dial_send(struct dial *d)
{
	struct node		*n = d->d_node;
	struct frame_dial	 fd;
	uint8_t			 buf[FRAME_MAX];
	size_t			 len;

	memset(&fd, 0, sizeof fd);
	fd.req = d->d_req;
	fd.target = d->d_target;
	/* On a spare link of a node that speaks it: framed, to reuse it. */
	d->d_framed = 0;
	if (d->d_tunnel && n->n_hello.relay != 0 && hub.conf.link_reuse)
		fd.mode = FRAME_DIAL_FRAMED;
	len = frame_dial_encode(buf, &fd);
	if (hub_spare_send(d, buf, len) == 0) {
		d->d_framed = fd.mode == FRAME_DIAL_FRAMED;
		return;
	}
	if (fd.mode != FRAME_DIAL_RAW) {
		fd.mode = FRAME_DIAL_RAW;
		len = frame_dial_encode(buf, &fd);
	}
	bufferevent_write(n->n_bev, buf, len);
	if (n->n_spare_seen)
		log_debug("dial %u: no idle pooled link on node %u; DIAL on "
		    "the control link", d->d_req, n->n_id);
}

/*
 * Frees d, and the spare link its DIAL went on; a dial that was attached
 * (it has a request id) leaves the hash, the count and its node.
 */
static void
hub_dial_free(struct dial *d)
{
	if (d->d_spare != NULL) {
		hub_spare_close(d->d_spare, NULL);	/* still d's */
		d->d_spare = NULL;
	}
	free(d->d_kept);
	if (d->d_req != 0) {
		LIST_REMOVE(d, d_hash);
		hub.ndials--;
	}
	if (d->d_node != NULL) {
		TAILQ_REMOVE(&d->d_node->n_dials, d, d_entry);
		d->d_node->n_ndials--;
		hub_redial_check(d->d_node);
	}
	event_free(d->d_timer);
	free(d);
}

/* see hub.h */
void
hub_dial_cancel(struct dial *d)
{
	log_debug("dial %u: cancelled by %s", d->d_req, d->d_who);
	hub_dial_free(d);
}

static const char *
hub_dial_result_str(int result)
{
	static const char *names[] = {
		"connected", "general failure", "not allowed by the node",
		"network unreachable", "host unreachable",
		"connection refused", "timed out", "name did not resolve",
		"unsupported address", "no exit node online",
		"exit node went away"
	};

	if (result < 0 || (size_t)result >= nitems(names))
		return ("unknown result");
	return (names[result]);
}

/* see hub.h */
void
hub_dial_finish(struct dial *d, int result, struct bufferevent *link)
{
	struct dial_done	 dd;
	struct relay_who	 who;
	struct node		*n = d->d_node;
	char			 ts[TARGET_STRLEN], via[32];
	uint64_t		 us = core_now_us() - d->d_start_us;

	memset(&dd, 0, sizeof dd);
	memset(&who, 0, sizeof who);
	if (result == DIAL_OK && (dd.exit = hub_dial_exit(d, link)) == NULL) {
		log_warnx("dial %u: out of memory for its relay", d->d_req);
		bufferevent_free(link);
		result = DIAL_FAIL;
	}
	dd.result = result;
	dd.req = d->d_req;
	snprintf(via, sizeof via, "node %u", n != NULL ? n->n_id : 0);
	dd.via = via;
	/* Who the relay serves, for its line (the exit's only until taken). */
	strlcpy(who.user, d->d_user, sizeof who.user);
	strlcpy(who.client, d->d_who, sizeof who.client);
	target_str(&d->d_target, who.target, sizeof who.target);
	dd.who = &who;
	if (dd.exit != NULL)
		dd.exit->who = &who;
	if (n != NULL) {
		who.node_id = n->n_id;
		strlcpy(who.node, n->n_hello.name, sizeof who.node);
		if (result == DIAL_OK) {
			n->n_dials_ok++;
			n->n_last_ok = time(NULL);
			hub_sched_outcome(n, 1);
		} else
			n->n_dials_failed++;
		if (result == DIAL_NOTALLOWED)
			n->n_dials_denied++;
	}
	if (result == DIAL_OK)
		log_debug("dial %u: %s connected via node %u (%s) in %llu us",
		    d->d_req, target_str(&d->d_target, ts, sizeof ts),
		    n->n_id, n->n_hello.name, (unsigned long long)us);
	else
		log_info("dial %u: %s for %s via %s failed: %s", d->d_req,
		    target_str(&d->d_target, ts, sizeof ts), d->d_who, via,
		    hub_dial_result_str(result));
	d->d_cb(&dd, d->d_arg);
	hub_dial_free(d);
}

/*
 * The exit for dial d answered with link: the link, counted as a relay of
 * d's node n (scheduling, drains, info) with its bytes on n's counters
 * until the relay lets go of it; framed, with the link's spare record and
 * counted in n's lent links.  NULL when out of memory.
 */
static struct relay_exit *
hub_dial_exit(struct dial *d, struct bufferevent *link)
{
	struct node	*n = d->d_node;
	struct srelay	*sr;

	if ((sr = calloc(1, sizeof *sr)) == NULL)
		return (NULL);
	sr->sr_exit.bev = link;
	sr->sr_exit.idle_ms = hub.conf.idle_ms;
	sr->sr_exit.done = hub_dial_exit_done;
	sr->sr_exit.framed = d->d_framed;
	sr->sr_spare = d->d_kept;	/* a framed link's, for its return */
	d->d_kept = NULL;
	if (n != NULL) {
		sr->sr_node = n;
		TAILQ_INSERT_TAIL(&n->n_relays, sr, sr_entry);
		n->n_nrelays++;
		sr->sr_exit.stat = &n->n_bytes;
		if (d->d_framed) {
			/* Out on the relay, back after it: n's spare demand. */
			sr->sr_lent = 1;
			n->n_nlent++;
		}
	}
	return (&sr->sr_exit);
}

/* The relay let go of the link: off its node's (or record's) list. */
static void
hub_dial_exit_done(struct relay_exit *ex)
{
	struct srelay	*sr = (struct srelay *)((char *)ex -
			    offsetof(struct srelay, sr_exit));

	hub_acct_exit_done(sr);
	if (sr->sr_lent && sr->sr_node != NULL)
		sr->sr_node->n_nlent--;
	if (ex->bev != NULL) {
		/*
		 * A framed link that ended cleanly: idle again, or closed
		 * (its node's session ended meanwhile: not counted now).
		 */
		hub_spare_return(sr->sr_lent ? sr->sr_node : NULL, ex->bev,
		    sr->sr_spare);
		ex->bev = NULL;
	} else
		free(sr->sr_spare);
	if (sr->sr_node != NULL) {
		TAILQ_REMOVE(&sr->sr_node->n_relays, sr, sr_entry);
		sr->sr_node->n_nrelays--;
		hub_redial_check(sr->sr_node);
	} else if (sr->sr_parked != NULL) {
		TAILQ_REMOVE(&sr->sr_parked->pk_relays, sr, sr_entry);
		sr->sr_parked->pk_nrelays--;
	}
	free(sr);
}

static void
hub_dial_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct dial	*d = arg;

	if (!hub_dial_retry(d, DIAL_TIMEOUT))
		hub_dial_finish(d, DIAL_TIMEOUT, NULL);
}

/*
 * Data port: a link must BIND to a pending dial of the node session whose
 * id and cookie it presents, within the handshake timeout.
 */
void
hub_dlink_accept(int fd, struct sockaddr *sa, socklen_t salen __unused,
    void *arg __unused)
{
	struct dlink	*l;
	struct timeval	 tv;
	struct limit_hold *h;

	if ((h = hub_link_hold(fd, sa)) == NULL)
		return;
	if (hub.conf.insecure)
		core_nodelay(fd);	/* TLS links: tls.c */
	if ((l = calloc(1, sizeof *l)) == NULL) {
		log_warnx("data: out of memory, dropping a link");
		limit_close(h);
		evutil_closesocket(fd);
		return;
	}
	l->l_hold = h;
	if ((l->l_timer = evtimer_new(core_base, hub_dlink_timeout_cb,
	    l)) == NULL) {
		log_warnx("data: out of memory, dropping a link");
		hub_dlink_free(l);
		evutil_closesocket(fd);
		return;
	}
	core_sa_str(sa, l->l_peer, sizeof l->l_peer);
	if ((l->l_bev = hub_bev_new(fd, l->l_peer)) == NULL) {
		hub_dlink_free(l);
		return;
	}
	peer_open(&l->l_frames, l->l_bev, &hub_dlink_ops, l,
	    hub_dlink_event_cb);
	/* A deadline for the whole handshake, not a gap between bytes. */
	evtimer_add(l->l_timer, core_ms_tv(&tv, hub.conf.handshake_ms));
	bufferevent_enable(l->l_bev, EV_READ);
}

/* see hub.h */
void
hub_dlink_free(struct dlink *l)
{
	limit_close(l->l_hold);
	if (l->l_timer != NULL)
		event_free(l->l_timer);
	free(l);
}

/* see hub.h */
void
hub_dlink_close(struct dlink *l, const char *why)
{
	if (why != NULL)
		log_warnx("data %s: %s; closing", l->l_peer, why);
	bufferevent_free(l->l_bev);
	hub_dlink_free(l);
}

static void
hub_dlink_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct dlink	*l = arg;

	/* Counted and summed up by hub_guard_log(): floods are quiet. */
	log_debug("data %s: no BIND within %d ms (-handshake-timeout); "
	    "closing", l->l_peer, hub.conf.handshake_ms);
	hub_guard_expired();
	hub_dlink_close(l, NULL);
}

static void
hub_dlink_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct dlink	*l = arg;
	char		 why[300];

	snprintf(why, sizeof why, "closed before BIND: %s",
	    hub_bev_error(bev, what));
	hub_dlink_close(l, why);
}

/* BIND: the node's answer for a dial, on a fresh data link. */
static int
hub_dlink_bind(void *arg, const struct frame *f, const char **cause)
{
	struct dlink		*l = arg;
	struct bufferevent	*bev = l->l_bev;
	struct frame_bind	 b;
	struct node		*n;
	struct dial		*d;
	uint8_t			 proof[TOKEN_PROOF_LEN];
	char			 why[160];

	if (frame_bind_parse(f, &b, cause) == -1)
		return (PEER_ERROR);
	n = hub_node_find(b.node_id);
	if (n != NULL)
		token_bind_proof(n->n_cookie, sizeof n->n_cookie, b.req, proof);
	if (n == NULL || !token_equal(proof, b.proof, sizeof proof)) {
		snprintf(why, sizeof why, "BIND for request %u names node %u, "
		    "which is not connected or whose session proof does not "
		    "match", b.req, b.node_id);
		hub_dlink_close(l, why);
		return (PEER_GONE);
	}
	d = hub_dial_find(b.req);
	if (d == NULL || d->d_node != n) {
		snprintf(why, sizeof why, "node %u bound request %u, which is "
		    "unknown or already answered (late result)", n->n_id,
		    b.req);
		hub_dlink_close(l, why);
		return (PEER_GONE);
	}
	if (b.result != DIAL_OK) {
		hub_dlink_close(l, NULL);
		hub_dial_finish(d, b.result, NULL);
		return (PEER_GONE);
	}
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	hub_dlink_free(l);
	hub_dial_finish(d, DIAL_OK, bev);
	return (PEER_GONE);
}

/* SPARE: a spare link of a node (hub_spare.c takes it). */
static int
hub_dlink_spare(void *arg, const struct frame *f, const char **cause __unused)
{
	hub_spare_accept(arg, f);
	return (PEER_GONE);
}

static void
hub_dlink_error(void *arg, int error __unused, const char *cause)
{
	char	 why[160];

	snprintf(why, sizeof why, "protocol error: %s", cause);
	hub_dlink_close(arg, why);
}

static const struct peer_handler hub_dlink_handlers[] = {
	{ FRAME_BIND, hub_dlink_bind },
	{ FRAME_SPARE, hub_dlink_spare },
	{ 0, NULL }
};
/* A data link's first frame: BIND, or SPARE for a spare link. */
static const struct peer_ops hub_dlink_ops = {
	hub_dlink_handlers, hub_dlink_error, NULL, 0
};
