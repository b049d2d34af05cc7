/*
 * node_policy.c: the host's policy (libtentacle.h), enforced on the
 * node's loop.  One function, policy_apply(), turns the policy and the
 * clock into what the node does: no link to the hub without consent; a
 * rule that says no (the device's state, the hours, a byte cap) pauses
 * the node (STATUS to the hub, no spare links, no requests; the running
 * relays get grace_ms); the caps count every relay's bytes (relay_meter())
 * and a byte cap cuts at once; the rates are a rate-limit group on the
 * targets' bufferevents.  The state (enum tentacle_state) and its reason
 * go to the library through pol->changed.  `tentacle start` runs with
 * consent and no rule: none of this shows there.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"
#include "opt.h"

#define POLICY_TICK_MS		60000	/* the clock's rules, usage saved */
#define POLICY_DRAIN_MS		100	/* a grace's relays, looked at */
#define POLICY_RATE_TICK_MS	100	/* the rate group's tick */

#define POL	(node->pol)

static void	 policy_apply(void);

static const char *policy_states[] = {
	"stopped", "waiting", "connecting", "sharing", "paused", "draining",
	"failed"
};

/* see node.h */
const char *
node_policy_state_name(int state)
{
	if (state < 0 || (size_t)state >= nitems(policy_states))
		return ("unknown");
	return (policy_states[state]);
}

static void
policy_state(int state, const char *why)
{
	if (POL->state == state && strcmp(POL->why, why) == 0)
		return;
	POL->state = state;
	strlcpy(POL->why, why, sizeof POL->why);
	log_info("node: %s%s%s", node_policy_state_name(state),
	    why[0] != '\0' ? ": " : "", why);
	if (POL->changed != NULL)
		POL->changed(POL->changed_arg);
}

/* The local day and month, as numbers: 20261205, 202612. */
static void
policy_clock(uint32_t *day, uint32_t *month, int *hour)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	localtime_r(&t, &tm);
	*month = (uint32_t)(tm.tm_year + 1900) * 100 + (uint32_t)tm.tm_mon + 1;
	*day = *month * 100 + (uint32_t)tm.tm_mday;
	*hour = tm.tm_hour;
}

/* The usage file: "day D BYTES" and "month M BYTES" lines. */
static void
policy_usage_path(char *path, size_t len)
{
	snprintf(path, len, "%s/usage-%s", POL->usage_dir, node->hello.name);
}

static void
policy_usage_load(void)
{
	char		 path[1200], line[128];
	unsigned long long b;
	unsigned long	 k;
	FILE		*fp;

	if (POL->usage_dir == NULL)
		return;
	policy_usage_path(path, sizeof path);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (sscanf(line, "day %lu %llu", &k, &b) == 2 &&
		    k >= POL->day) {
			POL->day = (uint32_t)k;
			POL->bytes_day = b;
		} else if (sscanf(line, "month %lu %llu", &k, &b) == 2 &&
		    k >= POL->month) {
			POL->month = (uint32_t)k;
			POL->bytes_month = b;
		}
	}
	fclose(fp);
}

static void
policy_usage_save(void)
{
	char	 path[1200], *tmp = NULL, *cause = NULL;
	FILE	*fp;

	if (POL->usage_dir == NULL || !POL->saved_dirty)
		return;
	POL->saved_dirty = 0;
	POL->saved_us = core_now_us();
	policy_usage_path(path, sizeof path);
	if ((fp = opt_file_replace_open(path, NULL, 0, &tmp,
	    &cause)) == NULL) {
		log_warnx("policy: %s: %s; the byte counts are not kept "
		    "across restarts", path, cause);
		free(cause);
		return;
	}
	fprintf(fp, "day %lu %llu\nmonth %lu %llu\n", (unsigned long)POL->day,
	    (unsigned long long)POL->bytes_day, (unsigned long)POL->month,
	    (unsigned long long)POL->bytes_month);
	if (opt_file_replace_commit(fp, tmp, path, &cause) == -1) {
		log_warnx("policy: %s: %s", path, cause);
		free(cause);
	}
}

/* A new day or month: its count starts at 0 (and a cap lifts). */
static int
policy_roll(int *hour)
{
	uint32_t	 day, month;
	int		 rolled = 0;

	policy_clock(&day, &month, hour);
	if (day != POL->day) {
		POL->day = day;
		POL->bytes_day = 0;
		rolled = POL->saved_dirty = 1;
	}
	if (month != POL->month) {
		POL->month = month;
		POL->bytes_month = 0;
		rolled = POL->saved_dirty = 1;
	}
	return (rolled);
}

/*
 * Which rule says no now, or NULL (consent is asked apart); *cap: a byte
 * cap (the relays are cut, not given grace).
 */
static const char *
policy_rule(int hour, int *cap)
{
	const struct tentacle_policy	*p = &POL->p;

	if (p->need_unmetered && !p->unmetered)
		return ("metered network");
	if (p->need_charging && !p->charging)
		return ("not charging");
	if (p->need_screen_off && !p->screen_off)
		return ("screen on");
	if (p->min_battery_pct > 0 && p->battery_pct >= 0 &&
	    p->battery_pct < p->min_battery_pct)
		return ("battery low");
	if (p->hours != 0 && !(p->hours & (1U << hour)))
		return ("outside the allowed hours");
	*cap = 1;
	if (p->bytes_per_day != 0 && POL->bytes_day >= p->bytes_per_day)
		return ("daily byte cap reached");
	if (p->bytes_per_month != 0 && POL->bytes_month >= p->bytes_per_month)
		return ("monthly byte cap reached");
	*cap = 0;
	return (NULL);
}

/* Every relay's bytes (relay_meter()): counted; past a cap, cut. */
static int
policy_meter(void *arg, size_t up, size_t down)
{
	struct node_policy	*pol = arg;
	uint64_t		 n = up + down, day, month;

	pol->up += up;
	pol->down += down;
	day = pol->bytes_day += n;
	month = pol->bytes_month += n;
	pol->saved_dirty = 1;
	if ((pol->p.bytes_per_day != 0 && day >= pol->p.bytes_per_day) ||
	    (pol->p.bytes_per_month != 0 && month >= pol->p.bytes_per_month)) {
		if (!pol->cap_hit) {
			pol->cap_hit = 1;
			event_active(pol->cut_ev, EV_TIMEOUT, 0);
		}
		return (-1);	/* this relay: cut after this read */
	}
	return (0);
}

/* A byte cap was reached: the other relays go too, then pause. */
static void
policy_cut_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	u_int	 cut;

	cut = relay_close_all("byte cap reached", 0);
	if (cut > 0)
		log_info("policy: byte cap reached: %u relays cut", cut);
	policy_apply();
}

/*
 * The meter on every relay; under a cap, relays move bytes through their
 * bufferevents only (no splice, no reads past them): a rate group holds,
 * and a byte cap is met within one read (16 KiB).  The rates into the
 * group (made on first need).
 */
static void
policy_rates(void)
{
	const struct tentacle_policy	*p = &POL->p;
	struct ev_token_bucket_cfg	*cfg;
	struct timeval			 tick;
	size_t				 r, w;
	int				 rated = p->rate_up != 0 ||
					    p->rate_down != 0;

	relay_meter(policy_meter, POL, rated || p->bytes_per_day != 0 ||
	    p->bytes_per_month != 0);
	if (!rated && POL->group == NULL)
		return;
	/* Reads from targets go back down; writes to them go up. */
	r = p->rate_down == 0 ? EV_RATE_LIMIT_MAX :
	    (size_t)(p->rate_down * POLICY_RATE_TICK_MS / 1000);
	w = p->rate_up == 0 ? EV_RATE_LIMIT_MAX :
	    (size_t)(p->rate_up * POLICY_RATE_TICK_MS / 1000);
	if (r < 1)
		r = 1;
	if (w < 1)
		w = 1;
	if ((cfg = ev_token_bucket_cfg_new(r, r, w, w,
	    core_ms_tv(&tick, POLICY_RATE_TICK_MS))) == NULL)
		goto fail;
	if (POL->group == NULL)
		POL->group = bufferevent_rate_limit_group_new(core_base, cfg);
	else
		bufferevent_rate_limit_group_set_cfg(POL->group, cfg);
	ev_token_bucket_cfg_free(cfg);	/* the group keeps a copy */
	if (POL->group != NULL)
		return;
fail:
	log_warnx("policy: out of memory for the rate caps: new relays run "
	    "uncapped");
}

/* see node.h */
int
node_policy_relay(struct bufferevent *bev)
{
	if (POL->group == NULL || (POL->p.rate_up == 0 &&
	    POL->p.rate_down == 0))
		return (0);
	return (bufferevent_add_to_rate_limit_group(bev, POL->group));
}

/* Tell the hub: paused (why) or available again. */
static void
policy_tell(int paused)
{
	struct frame_status	 st;
	uint8_t			 buf[FRAME_MAX];

	memset(&st, 0, sizeof st);
	st.state = paused ? FRAME_STATUS_PAUSED : FRAME_STATUS_AVAILABLE;
	if (paused)
		strlcpy(st.reason, POL->why, sizeof st.reason);
	node_send(buf, frame_status_encode(buf, &st));
	POL->told = paused;
	strlcpy(node->hello.paused, paused ? POL->why : "",
	    sizeof node->hello.paused);
}

static void
policy_timer_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	if (POL->grace_us != 0 && core_now_us() >= POL->grace_us) {
		POL->grace_us = 0;
		if (relay_count() > 0)
			log_info("policy: %s: grace over, %u relays cut",
			    POL->why, relay_close_all(POL->why, 0));
	}
	if (POL->saved_dirty && core_now_us() - POL->saved_us >=
	    POLICY_TICK_MS * 1000ULL)
		policy_usage_save();
	policy_apply();
}

/* Look again at the next minute, or sooner while relays drain. */
static void
policy_timer(void)
{
	struct timeval	 tv;
	time_t		 t = time(NULL);
	int		 ms = POLICY_TICK_MS - (int)(t % 60) * 1000;

	if (POL->grace_us != 0)
		ms = POLICY_DRAIN_MS;
	evtimer_add(POL->ev, core_ms_tv(&tv, ms));
}

/* Relays running when sharing stops: grace_ms, then cut. */
static void
policy_drain(void)
{
	if (relay_count() == 0) {
		POL->grace_us = 0;
		return;
	}
	if (POL->grace_us == 0)
		POL->grace_us = core_now_us() + (uint64_t)(POL->p.grace_ms > 0 ?
		    POL->p.grace_ms : 0) * 1000 + 1;
}

/* The one place the policy becomes what the node does. */
static void
policy_apply(void)
{
	const char	*why;
	int		 hour, cap = 0, news;

	if (node->stopping)
		return;
	if (policy_roll(&hour))
		POL->cap_hit = 0;
	if (!POL->p.consent) {
		POL->paused = 1;
		strlcpy(POL->why, "no consent", sizeof POL->why);
		if (node->bev != NULL || evtimer_pending(node->retry_ev, NULL))
			node_leave();
		policy_drain();
		policy_state(POL->grace_us != 0 ? TENTACLE_DRAINING :
		    TENTACLE_WAITING, "no consent");
		policy_timer();
		return;
	}
	if ((why = policy_rule(hour, &cap)) != NULL) {
		news = !POL->paused || strcmp(POL->why, why) != 0;
		POL->paused = 1;
		strlcpy(POL->why, why, sizeof POL->why);
		strlcpy(node->hello.paused, why, sizeof node->hello.paused);
		if (node_joined() && node->hub_status) {
			if (!POL->told || news)
				policy_tell(1);
		} else if (node_joined()) {
			/* An older hub: away is all it hears. */
			POL->old_hub = 1;
			node_leave();
		} else if (node_policy_may_join())
			node_join();
		node_spare_fill();	/* idle links close */
		if (cap)
			relay_close_all(why, 0);
		policy_drain();
		policy_state(TENTACLE_PAUSED, why);
	} else {
		POL->paused = 0;
		POL->grace_us = 0;
		node->hello.paused[0] = '\0';
		if (POL->told && node_joined())
			policy_tell(0);
		POL->told = 0;
		node_join();
		node_spare_fill();
		if (node_joined())
			policy_state(TENTACLE_SHARING, "");
		else if (POL->state != TENTACLE_FAILED)
			policy_state(TENTACLE_CONNECTING, "");
	}
	policy_timer();
}

/* see node.h */
int
node_policy_start(void)
{
	int	 hour;

	if ((POL->ev = evtimer_new(core_base, policy_timer_cb, NULL)) ==
	    NULL || (POL->cut_ev = event_new(core_base, -1, 0, policy_cut_cb,
	    NULL)) == NULL)
		return (-1);
	if (POL->day == 0) {
		policy_roll(&hour);
		policy_usage_load();
	}
	POL->told = 0;
	POL->cap_hit = 0;
	POL->state = TENTACLE_STOPPED;
	node->hello.status = FRAME_STATUS_VERSION;
	policy_rates();
	policy_apply();
	return (0);
}

/* see node.h */
void
node_policy_end(void)
{
	relay_meter(NULL, NULL, 0);
	if (POL->ev != NULL)
		event_free(POL->ev);
	if (POL->cut_ev != NULL)
		event_free(POL->cut_ev);
	POL->ev = POL->cut_ev = NULL;
	/* Members left with their relays (node_end() ran first). */
	if (POL->group != NULL)
		bufferevent_rate_limit_group_free(POL->group);
	POL->group = NULL;
	policy_usage_save();
	policy_state(TENTACLE_STOPPED, "");
}

/* see node.h */
void
node_policy_set(const struct tentacle_policy *p)
{
	int	 caps = p->bytes_per_day != POL->p.bytes_per_day ||
		    p->bytes_per_month != POL->p.bytes_per_month;
	int	 rates = caps || p->rate_up != POL->p.rate_up ||
		    p->rate_down != POL->p.rate_down;

	POL->p = *p;
	if (caps)
		POL->cap_hit = 0;	/* a new cap: its own crossing cuts */
	if (POL->ev == NULL)
		return;		/* not running: node_policy_start() applies */
	if (rates)
		policy_rates();
	policy_apply();
}

/* see node.h */
void
node_policy_hello(void)
{
	strlcpy(POL->hello_said, node->hello.paused, sizeof POL->hello_said);
}

/* see node.h */
void
node_policy_welcomed(void)
{
	node->hub_status = node->wl.status >= FRAME_STATUS_VERSION;
	if (!POL->paused) {
		/* The HELLO said paused; a rule lifted since. */
		if (POL->hello_said[0] != '\0' && node->hub_status)
			policy_tell(0);
		POL->told = 0;
		policy_state(TENTACLE_SHARING, "");
		return;
	}
	if (!node->hub_status) {
		log_warnx("policy: paused (%s), but the hub is too old to hear "
		    "it: leaving it until sharing may resume", POL->why);
		POL->old_hub = 1;
		node_leave();
		return;
	}
	/* What the HELLO said is what the hub knows: only a change is news. */
	POL->told = 1;
	if (strcmp(POL->hello_said, POL->why) != 0)
		policy_tell(1);
	policy_state(TENTACLE_PAUSED, POL->why);
}

/* see node.h */
void
node_policy_lost(const char *why, int refused)
{
	char	 buf[128];

	POL->told = 0;
	if (POL->error != NULL && !node->stopping)
		POL->error(POL->changed_arg, why);
	if (node->stopping || !POL->p.consent)
		return;
	if (POL->paused && !node_policy_may_join())
		return;		/* PAUSED stays: we left on purpose */
	if (refused) {
		strlcpy(buf, why, sizeof buf);
		policy_state(TENTACLE_FAILED, buf);
	} else if (POL->state != TENTACLE_FAILED || node->welcomed)
		policy_state(POL->paused ? TENTACLE_PAUSED :
		    TENTACLE_CONNECTING, POL->paused ? POL->why : "");
}

/* see node.h */
int
node_policy_may_join(void)
{
	if (!POL->p.consent)
		return (0);
	if (!POL->paused)
		POL->old_hub = 0;	/* sharing again: try whichever hub */
	return (!(POL->paused && POL->old_hub));
}

/* see node.h */
int
node_policy_paused(void)
{
	return (POL->paused);
}

/* see node.h */
const char *
node_policy_dial_refused(void)
{
	static COMPAT_THREAD char	 why[160];

	if (POL->paused) {
		snprintf(why, sizeof why, "paused by host policy: %s",
		    POL->why);
		return (why);
	}
	if (POL->p.max_relays > 0 && relay_count() +
	    node->ndials > (u_int)POL->p.max_relays) {
		snprintf(why, sizeof why, "at the host's max_relays (%d)",
		    POL->p.max_relays);
		return (why);
	}
	return (NULL);
}
