/*
 * node_spare.c: spare links, data links opened ahead of demand (up to
 * -pool-size / pool_size:, as many as the hub's SPARE_TARGET asks for):
 * each connects, says SPARE and waits idle for one DIAL, which takes the
 * link over (node_dial.c).  Owns the spare links and their back-off.
 * Log lines say "pool:" as the flags do.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"
#include "tls.h"
#include "token.h"

/*
 * Spare links in their handshake at once: a node that wants many opens
 * them a few at a time, not in one burst the hub's per-address handshake
 * cap (-max-handshakes-per-ip) would cut.
 */
#define NODE_SPARE_OPENING	8

static void	node_spare_idle(struct spare *, struct bufferevent *);
static void	node_spare_event_cb(struct bufferevent *, short, void *);
static const struct peer_ops node_spare_ops;

/*
 * A link lent to a framed relay counts as a spare link this long: a short
 * relay gives it back before then, so it is not replaced at once; a long
 * one is replaced after (node_spare_fill()).
 */
#define NODE_LENT_MS		1000

/* sp's handshake is done (TCP, TLS if any): the next may start. */
static void
node_spare_ready(struct spare *sp)
{
	if (sp->sp_ready)
		return;
	sp->sp_ready = 1;
	node->nspares_opening--;
}

/* The one way a spare link ends: closes its link (if it still has one). */
static void
node_spare_close(struct spare *sp)
{
	TAILQ_REMOVE(&node->spares, sp, sp_entry);
	node->nspares--;
	node_spare_ready(sp);
	if (sp->sp_bev != NULL)
		bufferevent_free(sp->sp_bev);
	free(sp);
}

/* see node.h */
void
node_spare_close_all(void)
{
	struct spare	*sp, *tmp;

	TAILQ_FOREACH_SAFE(sp, &node->spares, sp_entry, tmp)
		node_spare_close(sp);
	/* Lent links come back to a later session: node_spare_back() frees. */
	while ((sp = TAILQ_FIRST(&node->lent)) != NULL) {
		TAILQ_REMOVE(&node->lent, sp, sp_entry);
		sp->sp_onlent = 0;
	}
	node->nlent = 0;
	node->spare_gen++;
	if (node->spare_ev != NULL)
		evtimer_del(node->spare_ev);
}

/* A spare link failed or was closed: replace it after a back-off. */
static void
node_spare_lost(struct spare *sp, const char *why)
{
	struct timeval	 tv;
	int		 ms;

	log_debug("pool: %s link lost: %s", sp->sp_idle ? "idle" :
	    "new", why);
	node_spare_close(sp);
	if (evtimer_pending(node->spare_ev, NULL))
		return;		/* several at once count as one failure */
	if (node->spare_fails < 5)
		node->spare_fails++;
	ms = 1000 << (node->spare_fails - 1);
	evtimer_add(node->spare_ev, core_ms_tv(&tv, ms));
}

/* An idle spare link: the only thing the hub sends on it is one DIAL. */
static int
node_spare_dial(void *arg, const struct frame *f, const char **cause)
{
	struct spare		*sp = arg;
	struct bufferevent	*bev = sp->sp_bev;
	struct frame_dial	 fd;

	if (frame_dial_parse(f, &fd, cause) == -1)
		return (PEER_ERROR);
	sp->sp_bev = NULL;	/* the link goes to the dial */
	node->spare_fails = 0;
	if (fd.mode == FRAME_DIAL_FRAMED) {
		/*
		 * Lent: it comes back after a short relay, so it is not
		 * replaced at once (node_spare_fill() counts it a while).
		 */
		TAILQ_REMOVE(&node->spares, sp, sp_entry);
		node->nspares--;
		node_spare_ready(sp);	/* its handshake is over: next */
		sp->sp_onlent = 1;
		sp->sp_gen = node->spare_gen;
		sp->sp_since_us = core_now_us();
		TAILQ_INSERT_TAIL(&node->lent, sp, sp_entry);
		node->nlent++;
	} else {
		node_spare_close(sp);
		sp = NULL;
	}
	log_debug("dial %u: DIAL on a pooled link (%u left)%s", fd.req,
	    node->nspares, sp != NULL ? ", framed" : "");
	node_dial_start(&fd, bev, sp);
	node_spare_fill();
	return (PEER_GONE);
}

/* see node.h */
void
node_spare_back(struct bufferevent *bev, void *arg)
{
	struct spare	*sp = arg;

	if (sp->sp_onlent) {
		TAILQ_REMOVE(&node->lent, sp, sp_entry);
		node->nlent--;
		sp->sp_onlent = 0;
	}
	if (bev == NULL || sp->sp_gen != node->spare_gen || !node->welcomed ||
	    node->stopping) {
		/* Raw or broken, or its session is over. */
		if (bev != NULL)
			bufferevent_free(bev);
		free(sp);
		node_spare_fill();
		return;
	}
	sp->sp_bev = bev;
	sp->sp_idle = sp->sp_ready = 1;
	sp->sp_since_us = core_now_us();
	TAILQ_INSERT_HEAD(&node->spares, sp, sp_entry);
	node->nspares++;
	node->reused++;
	bufferevent_set_timeouts(bev, NULL, NULL);
	peer_open(&sp->sp_frames, bev, &node_spare_ops, sp,
	    node_spare_event_cb);
	core_bev_enable_io(bev, node_conf->tls == NULL);
	log_debug("pool: link idle again after its relay (%u idle)",
	    node->nspares);
	/* The hub may have sent the next DIAL right after its EOF mark. */
	peer_read(&sp->sp_frames);
	node_spare_fill();
}

static void
node_spare_error(void *arg, int error __unused, const char *cause)
{
	log_warnx("pool: protocol error on an idle link: %s", cause);
	node_spare_lost(arg, "protocol error");
}

static const struct peer_handler node_spare_handlers[] = {
	{ FRAME_DIAL, node_spare_dial },
	{ 0, NULL }
};
static const struct peer_ops node_spare_ops = {
	node_spare_handlers, node_spare_error, NULL, 0
};

static void
node_spare_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct spare	*sp = arg;
	char		*cause = NULL;

	if (!(what & BEV_EVENT_CONNECTED)) {
		node_spare_lost(sp, tls_error(bev) != NULL ? tls_error(bev) :
		    (what & BEV_EVENT_EOF) ? "closed by the hub" :
		    (what & BEV_EVENT_TIMEOUT) ? "connect timed out" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (sp->sp_idle) {
		/* The TLS handshake is done: the next one may start. */
		node_spare_ready(sp);
		node_spare_fill();
		return;
	}
	sp->sp_since_us = core_now_us();	/* keepalive: heartbeat */
	if (node_conf->tls == NULL)
		core_nodelay(bufferevent_getfd(bev));
	if (node_conf->tls != NULL && !tls_is_wrapped(bev)) {
		sp->sp_bev = tls_wrap(node_conf->tls, bev, 0, node_conf->server,
		    &cause);
		if (sp->sp_bev == NULL) {
			/* tls_wrap freed the socket: replace it, backing off. */
			log_warnx("pool: data link: %s", cause);
			node_spare_lost(sp, cause);
			free(cause);
			return;
		}
		bev = sp->sp_bev;
	}
	node_spare_idle(sp, bev);
}

/* Connected (and TLS wrapped): say SPARE, then wait idle for a DIAL. */
static void
node_spare_idle(struct spare *sp, struct bufferevent *bev)
{
	struct frame_spare	 p;
	uint8_t			 buf[FRAME_MAX];

	bufferevent_set_timeouts(bev, NULL, NULL);
	peer_open(&sp->sp_frames, bev, &node_spare_ops, sp,
	    node_spare_event_cb);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	memset(&p, 0, sizeof p);
	p.node_id = node->id;
	token_bind_proof(node->wl.cookie, sizeof node->wl.cookie,
	    FRAME_SPARE_REQ, p.proof);
	bufferevent_write(bev, buf, frame_spare_encode(buf, &p));
	sp->sp_idle = 1;
	if (node_conf->tls == NULL) {
		node_spare_ready(sp);
		node_spare_fill();
	}
	log_debug("pool: idle link open (%u of %d)", node->nspares,
	    node->spare_want);
}

/* Open one spare link; -1 when it cannot even start. */
static int
node_spare_open(void)
{
	struct spare	*sp;
	struct timeval	 tv;

	if ((sp = calloc(1, sizeof *sp)) == NULL)
		return (-1);
	if ((sp->sp_bev = node_dial_hub_bev(node->data_sa.ss_family)) == NULL) {
		free(sp);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&node->spares, sp, sp_entry);
	node->nspares++;
	node->nspares_opening++;
	bufferevent_setcb(sp->sp_bev, NULL, NULL, node_spare_event_cb, sp);
	bufferevent_set_timeouts(sp->sp_bev, NULL, core_ms_tv(&tv,
	    CONNECT_MS));
	if (bufferevent_socket_connect(sp->sp_bev,
	    (struct sockaddr *)&node->data_sa, node->data_salen) == -1) {
		node_spare_lost(sp, "cannot connect");
		return (-1);
	}
	return (0);
}

/*
 * see node.h; opens the missing ones, closes the extra (idle ones last
 * opened first).
 */
void
node_spare_fill(void)
{
	struct spare	*sp;
	u_int		 want;
	uint64_t	 now = core_now_us();

	if (!node->welcomed || node->stopping || !node->data_ok)
		return;
	/* Lent long ago: a long relay; it no longer counts. */
	while ((sp = TAILQ_FIRST(&node->lent)) != NULL &&
	    now - sp->sp_since_us >= NODE_LENT_MS * 1000ULL) {
		TAILQ_REMOVE(&node->lent, sp, sp_entry);
		sp->sp_onlent = 0;
		node->nlent--;
	}
	want = node->spare_want < node_conf->pool_size ? node->spare_want :
	    node_conf->pool_size;
	if (node_policy_paused())
		want = 0;	/* the idle ones close: no request comes */
	while (node->nspares + node->nlent > want &&
	    (sp = TAILQ_LAST(&node->spares, spares)) != NULL)
		node_spare_close(sp);
	if (evtimer_pending(node->spare_ev, NULL))
		return;		/* backing off after a failure */
	while (node->nspares + node->nlent < want &&
	    node->nspares_opening < NODE_SPARE_OPENING) {
		if (node_spare_open() == -1)
			break;
	}
}

/* see node.h */
void
node_spare_welcome(void)
{
	node->spare_want = node_conf->pool_size;	/* until a SPARE_TARGET */
	node->spare_fails = 0;
	node_spare_fill();
}

/* see node.h */
void
node_spare_target(int target)
{
	log_debug("pool: the hub asks for %u idle links (our max %d)", target,
	    node_conf->pool_size);
	node->spare_want = target;
	node_spare_fill();
}

/* see node.h; as the hub does: links used at once never pay for it. */
void
node_spare_keepalive(uint64_t now)
{
	struct spare	*sp;

	TAILQ_FOREACH(sp, &node->spares, sp_entry) {
		if (!sp->sp_idle || sp->sp_keepalive || now - sp->sp_since_us <
		    (uint64_t)node->wl.heartbeat_ms * 1000)
			continue;
		compat_keepalive(tls_getfd(sp->sp_bev), 30, 10, 3);
		sp->sp_keepalive = 1;
	}
}

static void
node_spare_timer_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	node_spare_fill();
}

/* see node.h */
int
node_spare_init(void)
{
	if ((node->spare_ev = evtimer_new(core_base, node_spare_timer_cb,
	    NULL)) == NULL)
		return (-1);
	if (node_conf->pool_size > 0)
		log_info("pool: up to %d idle data links, as many as the hub "
		    "asks for", node_conf->pool_size);
	return (0);
}

/* see node.h */
void
node_spare_end(void)
{
	node_spare_close_all();
	if (node->spare_ev != NULL)
		event_free(node->spare_ev);
	node->spare_ev = NULL;
}
