/*
 * node.c: the exit node (`tentacle start`): the process and its control
 * link to the hub.  Owns connect and reconnect back-off, the handshake
 * (HELLO, CHALLENGE/AUTH, WELCOME), the frames of a session (each handed
 * to the file that owns its object), the heartbeat, the hub's REDIAL
 * (leave, run the redial action, reconnect) and shutdown.  Dials are
 * node_dial.c's, spare links node_spare.c's, the redial action
 * redial.c's, the settings node_conf.c's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"
#include "tls.h"
#include "token.h"

#define RETRY_FAST_MS		250	/* first retries: 250..750 ms */
#define RETRY_FAST_FOR_MS	30000	/* ... for this long, then: */
#define BACKOFF_MIN_MS		1000
#define BACKOFF_MAX_MS		30000

/* This thread's running node (libtentacle.c points them into a handle). */
COMPAT_THREAD struct node_state	*node;
COMPAT_THREAD struct node_conf	*node_conf;

static void	node_connect(void);
static void	node_link_down(int, const char *);
static void	node_lost(const char *);
static int	node_redial(const char *);
static const struct peer_ops node_handshake_ops, node_session_ops;
static void	node_event_cb(struct bufferevent *, short, void *);

/* A plaintext link whose hub answered in TLS: the first bytes say so. */
static int
node_hub_speaks_tls(struct bufferevent *bev)
{
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 n = evbuffer_get_length(in);

	return (node_conf->tls == NULL && n > 0 &&
	    tls_record_like(evbuffer_pullup(in, n < 2 ? n : 2), n));
}
#define NODE_HUB_TLS	"the hub speaks TLS; remove -insecure (and insecure: " \
	"true) on the node, or run the hub -insecure too"

/* see node.h */
void
node_send(const uint8_t *buf, size_t len)
{
	if (node->bev == NULL || len == 0)
		return;
	bufferevent_write(node->bev, buf, len);
}

/* WELCOME: the session starts.  -1 when the link is gone. */
static int
node_welcome(const struct frame *f)
{
	struct timeval	 tv;
	const char	*cause;

	if (frame_welcome_parse(f, &node->wl, &cause) == -1) {
		node_lost(cause);
		return (-1);
	}
	if (node_dial_welcome(&node->wl) == -1) {
		node_lost("bad WELCOME");
		return (-1);
	}
	node->id = node->wl.node_id;
	node->hello.node_id = node->id;
	node->hello.rres = FRAME_RRES_NONE;	/* reported once */
	node->welcomed = 1;
	evtimer_del(node->hs_ev);
	node->backoff_ms = BACKOFF_MIN_MS;
	node->down_us = 0;
	node->slow_retry = 0;
	bufferevent_set_timeouts(node->bev, NULL, NULL);
	evtimer_add(node->hb_ev, core_ms_tv(&tv, node->wl.heartbeat_ms));
	log_info("node ready: node %u (%s) connected to %s:%s", node->id,
	    node->hello.name, node_conf->host, node_conf->port);
	node_policy_welcomed();
	node_spare_welcome();
	return (0);
}

/* BYE: the hub says why it closes; the link is gone. */
static int
node_bye(void *arg __unused, const struct frame *f, const char **cause)
{
	struct frame_bye	 bye;
	char			 text[1100], why[1200];

	if (frame_bye_parse(f, &bye, cause) == -1)
		return (PEER_ERROR);
	log_escape(text, sizeof text, bye.text, strlen(bye.text));
	/* A hub going down comes back soon; a refusal stands a while. */
	node->slow_retry = bye.reason != FRAME_BYE_SHUTDOWN &&
	    bye.reason != FRAME_BYE_TIMEOUT;
	snprintf(why, sizeof why, "the hub said goodbye (%u: %s)%s",
	    bye.reason, text, bye.reason == FRAME_BYE_AUTH ? "; check that "
	    "auth_token (-token) is a line of the hub's tokens file" : "");
	node_lost(why);
	return (PEER_GONE);
}

/* Before WELCOME: a CHALLENGE, answered with AUTH. */
static int
node_challenge(void *arg __unused, const struct frame *f, const char **cause)
{
	uint8_t	 nonce[FRAME_NONCE_LEN], mac[FRAME_MAC_LEN], buf[FRAME_MAX];

	if (frame_blob_parse(f, FRAME_CHALLENGE, nonce, sizeof nonce,
	    cause) == -1)
		return (PEER_ERROR);
	if (node_conf->token == NULL) {
		node_lost("the hub requires node authentication: set "
		    "auth_token in the config file or give -token");
		return (PEER_GONE);
	}
	token_mac(node_conf->token, nonce, node->hello.name, mac);
	node_send(buf, frame_blob_encode(buf, FRAME_AUTH, mac, sizeof mac));
	return (PEER_OK);
}

/* WELCOME: the session's frames from now on. */
static int
node_welcome_frame(void *arg __unused, const struct frame *f,
    const char **cause __unused)
{
	if (node_welcome(f) == -1)
		return (PEER_GONE);
	peer_set_ops(&node->frames, &node_session_ops);
	return (PEER_OK);
}

static int
node_ping(void *arg __unused, const struct frame *f, const char **cause)
{
	uint64_t	 stamp;
	uint8_t		 buf[FRAME_MAX];

	if (frame_stamp_parse(f, &stamp, cause) == -1)
		return (PEER_ERROR);
	node_send(buf, frame_stamp_encode(buf, FRAME_PONG, stamp));
	return (PEER_OK);
}

static int
node_pong(void *arg __unused, const struct frame *f, const char **cause)
{
	uint64_t	 stamp, now = core_now_us();

	if (frame_stamp_parse(f, &stamp, cause) == -1)
		return (PEER_ERROR);
	if (stamp <= now && now - stamp < UINT32_MAX)
		node->rtt_us = now - stamp;
	return (PEER_OK);
}

static int
node_policy(void *arg __unused, const struct frame *f, const char **cause)
{
	return (node_dial_policy(f, cause) == -1 ? PEER_ERROR : PEER_OK);
}

static int
node_spare_target_frame(void *arg __unused, const struct frame *f,
    const char **cause)
{
	uint16_t	 t;

	if (frame_spare_target_parse(f, &t, cause) == -1)
		return (PEER_ERROR);
	node_spare_target(t);
	return (PEER_OK);
}

static int
node_redial_frame(void *arg __unused, const struct frame *f,
    const char **cause)
{
	char	 text[1100];

	if (frame_redial_parse(f, text, sizeof text, cause) == -1)
		return (PEER_ERROR);
	return (node_redial(text) == 1 ? PEER_GONE : PEER_OK);	/* left */
}

static int
node_dial_frame(void *arg __unused, const struct frame *f, const char **cause)
{
	struct frame_dial	 fd;
	struct bufferevent	*bev = node->bev;

	if (frame_dial_parse(f, &fd, cause) == -1)
		return (PEER_ERROR);
	node_dial_start(&fd, NULL, NULL);
	return (node->bev != bev ? PEER_GONE : PEER_OK);	/* lost meanwhile */
}

static void
node_frames_error(void *arg __unused, int error __unused, const char *cause)
{
	char	 why[1200];

	if (node->bev != NULL && node_hub_speaks_tls(node->bev))
		strlcpy(why, NODE_HUB_TLS, sizeof why);
	else
		snprintf(why, sizeof why, "protocol error: %s", cause);
	node_lost(why);
}

static void
node_rx(void *arg __unused)
{
	node->rx_us = core_now_us();
}

static const struct peer_handler node_handshake_handlers[] = {
	{ FRAME_BYE, node_bye },
	{ FRAME_CHALLENGE, node_challenge },
	{ FRAME_WELCOME, node_welcome_frame },
	{ 0, NULL }
};
static const struct peer_handler node_session_handlers[] = {
	{ FRAME_BYE, node_bye },
	{ FRAME_PING, node_ping },
	{ FRAME_PONG, node_pong },
	{ FRAME_POLICY, node_policy },
	{ FRAME_SPARE_TARGET, node_spare_target_frame },
	{ FRAME_REDIAL, node_redial_frame },
	{ FRAME_DIAL, node_dial_frame },
	{ 0, NULL }
};
/* The control link's frames: until WELCOME, then the session's. */
static const struct peer_ops node_handshake_ops = {
	node_handshake_handlers, node_frames_error, node_rx, 0
};
static const struct peer_ops node_session_ops = {
	node_session_handlers, node_frames_error, node_rx, 0
};

/* Connected to the hub: TLS (unless insecure), then HELLO. */
static void
node_connected(struct bufferevent *bev)
{
	struct timeval	 tv;
	uint8_t		 buf[FRAME_MAX];
	char		 why[512], *cause = NULL;

	node->hub_salen = sizeof node->hub_sa;
	if (getpeername(tls_getfd(bev), (struct sockaddr *)&node->hub_sa,
	    &node->hub_salen) == -1) {
		node_lost("getpeername failed");
		return;
	}
	if (node_conf->tls != NULL && !tls_is_wrapped(bev)) {
		node->bev = tls_wrap(node_conf->tls, bev, 0, node_conf->server,
		    &cause);
		if (node->bev == NULL) {
			snprintf(why, sizeof why, "TLS: %s", cause);
			free(cause);
			node_lost(why);
			return;
		}
		bev = node->bev;
		peer_open(&node->frames, bev, &node_handshake_ops, &node,
		    node_event_cb);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
	}
	bufferevent_set_timeouts(bev, core_ms_tv(&tv, HANDSHAKE_MS), NULL);
	node_send(buf, frame_hello_encode(buf, &node->hello));
	node_policy_hello();
	log_debug("connected to hub %s:%s; sent HELLO", node_conf->host,
	    node_conf->port);
}

static void
node_event_cb(struct bufferevent *bev, short what, void *arg __unused)
{
	char	 why[1200];
	int	 error = EVUTIL_SOCKET_ERROR();
	int	 dnsrc;

	if (what & BEV_EVENT_CONNECTED) {
		node_connected(bev);
		return;
	}
	node->hint_server = !node->welcomed;
	if (node_hub_speaks_tls(bev)) {
		node->hint_server = 0;
		strlcpy(why, NODE_HUB_TLS, sizeof why);
	} else if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof why, node->welcomed ?
		    "timed out" : "no answer within %d ms", HANDSHAKE_MS);
	else if (tls_error(bev) != NULL) {
		node->hint_server = 0;	/* reached a hub: its TLS said no */
		snprintf(why, sizeof why, "TLS: %s", tls_error(bev));
	} else if (what & BEV_EVENT_EOF)
		strlcpy(why, "the hub closed the connection", sizeof why);
	else if (!tls_is_wrapped(bev) &&
	    (dnsrc = bufferevent_socket_get_dns_error(bev)) != 0)
		snprintf(why, sizeof why, "cannot resolve %s: %s",
		    node_conf->host, evutil_gai_strerror(dnsrc));
	else
		strlcpy(why, evutil_socket_error_to_string(error), sizeof why);
	node_lost(why);
}

static void
node_heartbeat_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct timeval	 tv;
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 now = core_now_us();
	char		 why[128];

	if (now - node->rx_us >= (uint64_t)node->wl.heartbeat_ms * 1000 *
	    HEARTBEAT_MISSES) {
		snprintf(why, sizeof why, "heartbeat timeout: nothing heard "
		    "from the hub for %llu ms",
		    (unsigned long long)((now - node->rx_us) / 1000));
		node_lost(why);
		return;
	}
	node_send(buf, frame_stamp_encode(buf, FRAME_PING, now));
	evtimer_add(node->hb_ev, core_ms_tv(&tv, node->wl.heartbeat_ms));
	node_spare_keepalive(now);
	node_spare_fill();	/* links lent long ago: replace them */
}

/*
 * Take the control link down: say BYE (reason, text) and let it flush, or
 * drop it at once (reason -1); stop its timers, abandon the dials it
 * asked for, close the spare links of its session.
 */
static void
node_link_down(int reason, const char *text)
{
	uint8_t	 buf[FRAME_MAX];

	if (node->bev != NULL) {
		if (reason >= 0) {
			node_send(buf, frame_bye_encode(buf, reason, text));
			core_bev_close_flush(node->bev);
		} else
			bufferevent_free(node->bev);
		node->bev = NULL;
	}
	if (node->hb_ev != NULL)	/* NULL: a start that failed */
		evtimer_del(node->hb_ev);
	if (node->hs_ev != NULL)
		evtimer_del(node->hs_ev);
	node_dial_abort_all();
	node_spare_close_all();
}

/*
 * The control link is gone: drop it and schedule a reconnect.  For the
 * first RETRY_FAST_FOR_MS of an outage (a hub restarting) every 250..750
 * ms; then, or at once after a refusal (BYE other than shutdown or
 * timeout), 1 s doubling to 30 s, each wait 50..100 % of its value, so a
 * fleet neither hammers a hub that stays down nor reconnects at once.
 */
static void
node_lost(const char *why)
{
	struct timeval	 tv;
	uint32_t	 rnd;
	uint64_t	 now = core_now_us();
	int		 wait;

	node_link_down(-1, NULL);
	node_policy_lost(why, node->slow_retry);
	if (node->stopping || !node_policy_may_join())
		return;
	if (node->down_us == 0)
		node->down_us = now;
	evutil_secure_rng_get_bytes(&rnd, sizeof rnd);
	if (!node->slow_retry &&
	    now - node->down_us < RETRY_FAST_FOR_MS * 1000ULL)
		wait = RETRY_FAST_MS + (int)(rnd % (2 * RETRY_FAST_MS + 1));
	else {
		wait = node->backoff_ms / 2 +
		    (int)(rnd % (node->backoff_ms / 2 + 1));
		node->backoff_ms *= 2;
		if (node->backoff_ms > BACKOFF_MAX_MS)
			node->backoff_ms = BACKOFF_MAX_MS;
	}
	node->slow_retry = 0;
	if (node->welcomed)
		log_warnx("lost the hub %s:%s: %s; %u relays continue; "
		    "reconnecting in %d ms", node_conf->host, node_conf->port,
		    why, relay_count(), wait);
	else
		log_warnx("cannot connect to the hub %s:%s: %s; retrying in "
		    "%d ms%s", node_conf->host, node_conf->port, why, wait,
		    node->hint_server ? " (check -server / server_addr and "
		    "that the hub runs)" : "");
	node->hint_server = 0;
	node->welcomed = 0;
	evtimer_add(node->retry_ev, core_ms_tv(&tv, wait));
}

static void
node_retry_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	node_connect();
}

static void
node_hs_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	char	 why[128];

	snprintf(why, sizeof why, "no WELCOME within %d ms of connecting",
	    CONNECT_MS + HANDSHAKE_MS);
	node->hint_server = 1;	/* a silent port: maybe not the hub's */
	node_lost(why);
}

static void
node_connect(void)
{
	struct timeval	 tv;
	long		 port = strtol(node_conf->port, NULL, 10);
	int		 af = AF_UNSPEC;

	node->bev = node_dial_hub_bev(AF_UNSPEC);
	if (node->bev != NULL && bufferevent_getfd(node->bev) != -1)
		af = node_conf->bind_sa.ss_family;	/* bound: that only */
	if (node->bev == NULL) {
		node_lost("out of memory");
		return;
	}
	peer_open(&node->frames, node->bev, &node_handshake_ops, &node,
	    node_event_cb);
	bufferevent_set_timeouts(node->bev, core_ms_tv(&tv, CONNECT_MS),
	    core_ms_tv(&tv, CONNECT_MS));
	bufferevent_enable(node->bev, EV_READ | EV_WRITE);
	evtimer_add(node->hs_ev, core_ms_tv(&tv, CONNECT_MS + HANDSHAKE_MS));
	if (bufferevent_socket_connect_hostname(node->bev, core_dns,
	    af, node_conf->host, (int)port) == -1)
		node_lost("cannot start connecting");
}

/* The redial action ended: report it in the next HELLO; reconnect now. */
static void
node_redial_done(int rres, int code, uint32_t ms, void *arg __unused)
{
	node->hello.rres = rres;
	node->hello.rres_code = code;
	node->hello.rres_ms = ms;
	node->redial_us = core_now_us();
	node_conf_reload_bind();
	node->local_us = 0;	/* the interface addresses changed */
	if (node->stopping)
		return;
	node->backoff_ms = BACKOFF_MIN_MS;
	node->down_us = 0;
	log_info("redial: reconnecting to the hub %s:%s", node_conf->host,
	    node_conf->port);
	node_connect();
}

/*
 * REDIAL from the hub (it drained this node first): leave the hub, run
 * our own redial action, reconnect from the new address.  1 when the
 * control link is gone, 0 when the request was declined.
 */
static int
node_redial(const char *why)
{
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 now = core_now_us();
	char		 esc[1100], *cause = NULL;

	log_escape(esc, sizeof esc, why, strlen(why));
	if (node_conf->redial_cmd == NULL) {
		log_warnx("the hub asked for a redial (%s), but this node has "
		    "no redial command or dial_info in its config; declined",
		    esc);
		node_send(buf, frame_redial_encode(buf, "no redial command "
		    "or dial_info in the node's config"));
		return (0);
	}
	if (redial_running() || (node->redial_us != 0 &&
	    now - node->redial_us < (uint64_t)node_conf->redial_min_ms * 1000)) {
		/* One warning a minute: a hub may insist. */
		if (now - node->decline_us >= 60 * 1000000ULL) {
			node->decline_us = now;
			log_warnx("the hub asked for a redial (%s) %llu ms "
			    "after the last one; this node redials at most "
			    "every %d ms (redial_min_interval); declined", esc,
			    (unsigned long long)((now - node->redial_us) /
			    1000), node_conf->redial_min_ms);
		}
		snprintf(esc, sizeof esc, "the last redial was %llu ms ago; "
		    "redial_min_interval is %d ms",
		    (unsigned long long)((now - node->redial_us) / 1000),
		    node_conf->redial_min_ms);
		node_send(buf, frame_redial_encode(buf, esc));
		return (0);
	}
	log_info("the hub asks for a redial (%s): leaving the hub, running "
	    "the redial command, then reconnecting; %u relays continue",
	    esc, relay_count());
	node_link_down(FRAME_BYE_REDIAL, "redialing");
	node->welcomed = 0;
	if (redial_start(node_conf->redial_cmd, node_conf->redial_timeout_ms,
	    node_redial_done, NULL, &cause) == -1) {
		log_warnx("redial: cannot run the redial command: %s", cause);
		free(cause);
		node_redial_done(FRAME_RRES_NOSTART, 0, 0, NULL);
	}
	return (1);
}

/* Every 100 ms of a stop's grace: end when the relays are done. */
static void
node_stop_check_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct timeval	 tv = { 0, 100000 };
	u_int		 cut;

	if ((relay_count() == 0 && !redial_running()) ||
	    core_now_us() >= node->stop_us || node->stopping > 1) {
		/* BYE on its way out first (a second at most). */
		if (!TAILQ_EMPTY(&core_cur->flushing) && node->stopping == 1 &&
		    core_now_us() < node->stop_us + 1000000) {
			evtimer_add(node->stop_ev, &tv);
			return;
		}
		cut = relay_close_all("node stopping", 0);
		if (node->stop_relays > 0 || cut > 0)
			log_info("node: stopped: %u relays finished, %u cut",
			    node->stop_relays > cut ? node->stop_relays - cut :
			    0, cut);
		redial_abort();	/* still running: it had its time */
		event_base_loopexit(core_base, NULL);
		return;
	}
	evtimer_add(node->stop_ev, &tv);
}

/* see node.h */
void
node_stop(int now, const char *why)
{
	struct timeval	 tv = { 0, 0 };
	int		 grace = now ? 0 : node_conf->shutdown_grace_ms;

	if (node->stopping++) {
		log_info("node: second %s: stopping now", why);
		evtimer_del(node->stop_ev);
		evtimer_add(node->stop_ev, &tv);
		return;
	}
	node->stop_relays = relay_count();
	log_info("node: %s: stopping: %u relays running, waiting up to "
	    "%d%s (a second %s stops now)", why, node->stop_relays,
	    grace % 1000 == 0 ? grace / 1000 : grace,
	    grace % 1000 == 0 ? "s" : "ms",
	    strncmp(why, "signal", 6) == 0 ? "signal" : "stop");
	evtimer_del(node->retry_ev);
	/* A running redial command finishes (a line left down is worse). */
	node_link_down(FRAME_BYE_SHUTDOWN, "node shutting down");
	node->stop_us = core_now_us() + (uint64_t)grace * 1000;
	evtimer_add(node->stop_ev, &tv);
}

/* see node.h */
void
node_leave(void)
{
	evtimer_del(node->retry_ev);
	node->welcomed = 0;
	node->down_us = 0;
	node_link_down(FRAME_BYE_SHUTDOWN, "node paused by its host");
}

/* see node.h */
void
node_join(void)
{
	if (node->bev != NULL || node->stopping ||
	    evtimer_pending(node->retry_ev, NULL) || redial_running())
		return;
	node->backoff_ms = BACKOFF_MIN_MS;
	node->down_us = 0;
	node_connect();
}

/* see node.h */
int
node_joined(void)
{
	return (node->bev != NULL && node->welcomed);
}

/* The HELLO this node sends: who it is, from node_conf and uname. */
static void
node_hello_init(void)
{
	struct frame_hello	*h = &node->hello;
	struct utsname		 u;
	int			 i;

	h->version = FRAME_VERSION;
	h->role = FRAME_ROLE_NODE;
	h->relay = FRAME_RELAY_VERSION;	/* framed relays: reused links */
	strlcpy(h->name, node_conf->name, sizeof h->name);
	for (i = 0; i < node_conf->npools; i++)
		strlcpy(h->pools[i], node_conf->pools[i], sizeof h->pools[i]);
	h->npools = node_conf->npools;
	if (uname(&u) == 0) {
		for (i = 0; u.sysname[i] != '\0'; i++)
			u.sysname[i] = (u.sysname[i] >= 'A' &&
			    u.sysname[i] <= 'Z') ? u.sysname[i] + 32 :
			    u.sysname[i];
		strlcpy(h->os, u.sysname, sizeof h->os);
		strlcpy(h->arch, u.machine, sizeof h->arch);
	}
	strlcpy(h->build, version_string(), sizeof h->build);
	if (node_conf->token != NULL) {
		token_kid(node_conf->token, h->kid);
		h->has_kid = 1;
	}
	h->redial = node_conf->redial;
}

/*
 * see node.h: the node's timers, what it starts with; connects when the
 * host's policy lets it (node_policy.c).
 */
int
node_start(struct node_state *st, struct node_conf *nc)
{
	memset(st, 0, sizeof *st);
	node = st;
	node_conf = nc;
	TAILQ_INIT(&node->dials);
	TAILQ_INIT(&node->spares);
	TAILQ_INIT(&node->lent);
	node->backoff_ms = BACKOFF_MIN_MS;
	node_hello_init();
	if (core_dns_init(node_conf->dns, node_conf->ndns) == -1)
		return (-1);
	node->retry_ev = evtimer_new(core_base, node_retry_cb, NULL);
	node->hb_ev = evtimer_new(core_base, node_heartbeat_cb, NULL);
	node->hs_ev = evtimer_new(core_base, node_hs_timeout_cb, NULL);
	node->stop_ev = evtimer_new(core_base, node_stop_check_cb, NULL);
	if (node->retry_ev == NULL || node->hb_ev == NULL ||
	    node->hs_ev == NULL || node->stop_ev == NULL ||
	    node_spare_init() == -1)
		return (-1);
	log_info("%s: node %s starting for hub %s:%s (%s)", version_string(),
	    node->hello.name, node_conf->host, node_conf->port,
	    node_conf->tls == NULL ? "insecure: plaintext links" : "TLS links");
	if (node_conf->redial_cmd != NULL)
		log_info("redial: %s; the hub may ask for it at most every "
		    "%d ms, it may run %d ms", node_conf->redial ==
		    FRAME_REDIAL_COMMAND ? "the redial command is set" :
		    "dial_info is set (pppd's poff/pon)",
		    node_conf->redial_min_ms, node_conf->redial_timeout_ms);
	if (node_conf->nallow > 0 || node_conf->ndeny > 0)
		log_info("destination policy: %zu allow entries lift default "
		    "denials, %zu deny entries add to them", node_conf->nallow,
		    node_conf->ndeny);
	return (0);
}

/* see node.h */
void
node_end(void)
{
	struct event	**ev[] = { &node->retry_ev, &node->hb_ev,
			    &node->hs_ev, &node->stop_ev };
	size_t		  i;

	if (node->pol == NULL)
		return;		/* node_start() never ran */
	node_link_down(-1, NULL);
	relay_close_all("node stopped", 0);
	node_spare_end();
	redial_abort();
	for (i = 0; i < nitems(ev); i++) {
		if (*ev[i] != NULL)
			event_free(*ev[i]);
		*ev[i] = NULL;
	}
}

/*
 * see tentacle.h: `start [flags] [POOL...]`, argv[0] the command word;
 * flags before it (tentacle [flags] start) are parsed already.  The
 * library's one node, run on this thread (libtentacle.c).
 */
int
node_main(int argc, char **argv)
{
	struct node_conf	*nc;
	char			*cause = NULL;
	int			 ind = 1, rc;

	if ((rc = node_conf_parse(argc, argv, &ind)) != -1)
		return (rc);
	if ((rc = node_conf_load(&nc, NODE_CONF_START, argc - ind, argv + ind,
	    &cause)) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return (rc);
	}
	return (lib_main(nc));
}
