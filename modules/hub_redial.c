/*
 * hub_redial.c: the redial cycle (doc/routing.md, "Redial").  Owns a
 * node's plan (-redial-interval), the drain before REDIAL, the wait for
 * the node to leave, and how many nodes redial at once.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "hub.h"

#define REDIAL_LEAVE_MS	30000		/* REDIAL sent: the node leaves */
#define REDIAL_SHARE	4		/* at most 1/4 of nodes at once */

/* see hub.h */
void
hub_redial_done(void)
{
	if (hub.nredialing > 0)
		hub.nredialing--;
	else
		log_warnx("internal: redial count below zero");
}

/*
 * Plan n's next periodic redial: -redial-interval, each node's randomised
 * to 75..125 % so a fleet that joined together spreads out.
 */
void
hub_redial_plan(struct node *n)
{
	struct timeval	 tv;
	uint64_t	 ms;

	n->n_redial_at_us = 0;
	evtimer_del(n->n_redial_ev);
	if (n->n_hello.redial == FRAME_REDIAL_NONE ||
	    hub.conf.redial_interval_ms <= 0)
		return;
	ms = (uint64_t)hub.conf.redial_interval_ms * 3 / 4 +
	    hub_sched_random(hub.conf.redial_interval_ms / 2 + 1);
	if (ms > INT32_MAX)
		ms = INT32_MAX;		/* -redial-interval is at most 7 days */
	n->n_redial_at_us = core_now_us() + ms * 1000;
	evtimer_add(n->n_redial_ev, core_ms_tv(&tv, (int)ms));
}

/* ms as Go prints a duration: "500ms", "45s", "1m0s", "2h30m0s". */
static const char *
hub_redial_dur(int ms, char *buf, size_t len)
{
	int	 s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%dms", ms);
	else if (s < 60)
		snprintf(buf, len, "%ds", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%ds", s / 60, s % 60);
	else
		snprintf(buf, len, "%dh%dm%ds", s / 3600, s / 60 % 60, s % 60);
	return (buf);
}

/* see hub.h */
void
hub_redial_begin(struct node *n, const char *why)
{
	struct timeval	 tv;
	char		 d[32];

	/*
	 * A redial: line in a node's config makes the hub redial it every
	 * -redial-interval (1m0s by default): say so, the first time.
	 */
	if (strcmp(why, "interval") == 0 && !n->n_keep.interval_said++)
		log_info("redialing node %u (%s) because -redial-interval is "
		    "%s and the node has a redial action (redial: or "
		    "dial_info: in its config); set -redial-interval 0 to "
		    "redial only on 'tentacle redial'", n->n_id,
		    n->n_hello.name, hub_redial_dur(hub.conf.redial_interval_ms,
		    d, sizeof d));

	n->n_redial = REDIAL_DRAIN;
	n->n_redial_at_us = 0;
	strlcpy(n->n_redial_why, why, sizeof n->n_redial_why);
	n->n_redial_end_us = core_now_us() +
	    (uint64_t)hub.conf.redial_grace_ms * 1000;
	hub.nredialing++;
	log_info("node %u (%s): redial (%s): draining: no new requests; "
	    "waiting for %u relays and %u dials, up to %d ms "
	    "(-redial-grace)", n->n_id, n->n_hello.name, why, n->n_nrelays,
	    n->n_ndials, hub.conf.redial_grace_ms);
	hub_event(HUB_EV_REDIAL_STARTED, n->n_id, "name", n->n_hello.name,
	    "reason", why, NULL);
	if (n->n_nrelays + n->n_ndials == 0)
		core_ms_tv(&tv, 0);
	else
		core_ms_tv(&tv, hub.conf.redial_grace_ms);
	evtimer_add(n->n_redial_ev, &tv);
}

/* see hub.h */
void
hub_redial_check(struct node *n)
{
	struct timeval	 tv = { 0, 0 };

	if (n != NULL && n->n_redial == REDIAL_DRAIN &&
	    n->n_nrelays + n->n_ndials == 0)
		evtimer_add(n->n_redial_ev, &tv);
}

void
hub_redial_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct node	*n = arg;
	struct timeval	 tv;
	uint8_t		 buf[FRAME_MAX];
	u_int		 cap;

	switch (n->n_redial) {
	case REDIAL_IDLE:
		/* The interval is up; wait while a share of the fleet is. */
		cap = hub.nredialable / REDIAL_SHARE;
		if (cap == 0)
			cap = 1;
		if (n->n_keep.drain || n->n_paused) {
			hub_redial_plan(n);	/* not while drained, paused */
			return;
		}
		if (hub.nredialing >= cap) {
			log_debug("node %u (%s): redial postponed: %u of %u "
			    "nodes that can redial are redialing", n->n_id,
			    n->n_hello.name, hub.nredialing,
			    hub.nredialable);
			core_ms_tv(&tv, 1000 + hub_sched_random(4000));
			n->n_redial_at_us = core_now_us() +
			    (uint64_t)tv.tv_sec * 1000000 + tv.tv_usec;
			evtimer_add(n->n_redial_ev, &tv);
			return;
		}
		hub_redial_begin(n, "interval");
		return;
	case REDIAL_DRAIN:
		if (n->n_nrelays + n->n_ndials > 0 &&
		    core_now_us() < n->n_redial_end_us) {
			/* A relay ended; others remain: back to the grace. */
			evtimer_add(n->n_redial_ev, core_ms_tv(&tv, (int)
			    ((n->n_redial_end_us - core_now_us()) / 1000 + 1)));
			return;
		}
		if (n->n_nrelays + n->n_ndials > 0)
			log_warnx("node %u (%s): redial (%s): %u relays and "
			    "%u dials still open after %d ms (-redial-grace); "
			    "redialing anyway: they will break", n->n_id,
			    n->n_hello.name, n->n_redial_why, n->n_nrelays,
			    n->n_ndials, hub.conf.redial_grace_ms);
		n->n_redial = REDIAL_SENT;
		n->n_redial_sent_us = core_now_us();
		hub_send(n->n_bev, buf, frame_redial_encode(buf,
		    n->n_redial_why));
		log_info("node %u (%s): redial (%s): drained; REDIAL sent",
		    n->n_id, n->n_hello.name, n->n_redial_why);
		evtimer_add(n->n_redial_ev, core_ms_tv(&tv, REDIAL_LEAVE_MS));
		return;
	default:
		if (n->n_rx_us < n->n_redial_sent_us) {
			/* Not a word since: its line went down with it. */
			hub_node_close(n, HUB_NODE_NOBYE, "silent since the REDIAL: "
			    "taken as gone to redial");
			return;
		}
		log_warnx("node %u (%s): still connected %d ms after REDIAL; "
		    "back in service", n->n_id, n->n_hello.name,
		    REDIAL_LEAVE_MS);
		hub_event(HUB_EV_REDIAL_FAILED, n->n_id, "name",
		    n->n_hello.name, "reason", "did not leave", NULL);
		hub_redial_end(n);
		return;
	}
}

/* see hub.h */
void
hub_redial_end(struct node *n)
{
	if (n->n_redial != REDIAL_IDLE)
		hub_redial_done();
	n->n_redial = REDIAL_IDLE;
	hub_redial_plan(n);
}

/* see hub.h */
void
hub_redial_back(struct node *n)
{
	const struct frame_hello *h = &n->n_hello;
	struct node_keep	*k = &n->n_keep;
	static const char	*rres[] = { "", "succeeded", "failed with exit "
				    "status", "timed out and was killed",
				    "could not be started", "died of signal" };
	const char		*old;
	uint64_t		 took;

	if (h->rres > FRAME_RRES_OK) {
		log_warnx("node %u (%s): its redial command %s%s%.0u after "
		    "%u ms (see the node's log)", n->n_id, n->n_hello.name,
		    rres[h->rres], h->rres == FRAME_RRES_FAILED ||
		    h->rres == FRAME_RRES_SIGNAL ? " " : "",
		    h->rres == FRAME_RRES_FAILED || h->rres ==
		    FRAME_RRES_SIGNAL ? h->rres_code : 0, h->rres_ms);
		hub_event(HUB_EV_REDIAL_FAILED, n->n_id, "name",
		    n->n_hello.name, "reason", rres[h->rres], NULL);
	}
	if (k->pending_us == 0)
		return;
	old = k->nhist > 0 ? k->hist[0].addr : "?";
	took = core_now_us() - k->pending_us;
	k->pending_us = 0;
	k->last_redial = time(NULL);
	hub_redial_done();
	hub_event(HUB_EV_REDIAL_DONE, n->n_id, "name", n->n_hello.name,
	    "reason", k->pending_why, "old", old, "new", n->n_ip, NULL);
	if (strcmp(old, n->n_ip) == 0) {
		k->redials_same++;
		log_warnx("node %u (%s) is back %llu ms after its redial (%s), "
		    "from the same address %s: the redial did not change it "
		    "(%u such redials)", n->n_id, n->n_hello.name,
		    (unsigned long long)(took / 1000), k->pending_why,
		    n->n_ip, k->redials_same);
	} else {
		k->redials++;
		log_info("node %u (%s) redialed (%s) in %llu ms: address %s -> "
		    "%s", n->n_id, n->n_hello.name, k->pending_why,
		    (unsigned long long)(took / 1000), old, n->n_ip);
	}
}
