/*
 * hub.c: the hub process (`tentacle server`).  Owns its flags, start-up
 * (listeners, TLS, tokens, users), the signals (shutdown, SIGHUP), the
 * guard log, and what every part of the hub sends (frames, WELCOME) or
 * opens (node links before their handshake).  Its parts share hub.h; the
 * proxy fronts (hub_socks.c, hub_http.c) call hub_dial() and hub_relay()
 * and never see a node.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>

#include <signal.h>
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
#include "auth.h"
#include "frame.h"
#include "limit.h"
#include "opt.h"
#include "tls.h"
#include "token.h"
#include "hub.h"

#define AUTHFAIL_MAX	5		/* failures ... */
#define AUTHFAIL_WINDOW	60000000ULL	/* ... per minute, per address */
#define SPARE_REFILL_US	10000		/* refill latency before a sample */
#define RATE_WINDOW	10		/* seconds the info rates cover */
#define PARKED_MAX	4096		/* nodes remembered after they left */
#define PARKED_LIFE_US	(3600ULL * 1000000)	/* ... for an hour */
#define PARKED_SWEEP_MS	10000
#define REDIAL_BACK_US	(300ULL * 1000000)	/* ... and is back in this */
#define CTL_BACKLOG_MAX	(256 * 1024)	/* unread bytes to a node's control link */
#define PING_BURST	20		/* a node's PINGs beyond its heartbeat: */
#define PING_RATE	10		/* ... at least this many a second */
#define LOG_EVERY_US	(10ULL * 1000000)	/* refusals logged once per */

/* The flags' defaults (doc/tentacle.1); hub_init() copies them. */
static const struct hub_conf hub_defaults = {
	.control_addr = DEFAULT_CONTROL_ADDR,
	.data_addr = DEFAULT_DATA_ADDR,
	.socks_addr = DEFAULT_SOCKS_ADDR,
	.http_addr = DEFAULT_HTTP_ADDR,
	.handshake_ms = HANDSHAKE_MS,
	.dial_ms = DIAL_MS,
	.heartbeat_ms = HEARTBEAT_MS,
	.idle_ms = 0,
	.http_idle_ms = 60000,
	.max_relays_per_node = 16384,
	.max_pending_dials = 4096,
	.dial_retries = 2,
	.max_clients = -1,		/* from RLIMIT_NOFILE: hub_limits_auto() */
	.max_conns_per_ip = 256,
	.max_conns_per_user = 1024,
	.redial_interval_ms = 60000,
	.redial_grace_ms = 30000,
	.max_sessions_per_user = 4096,
	.max_handshakes = -1,		/* from RLIMIT_NOFILE too */
	.max_handshakes_per_ip = 64,
	.spare_max = 64,
	.session_life_us = SESSION_LIFE_MS * 1000ULL,
};

struct hub	 hub;

static void	hub_guard_log_cb(evutil_socket_t, short, void *);
static void	hub_ctl_timeout_cb(evutil_socket_t, short, void *);
static void	hub_ctl_event_cb(struct bufferevent *, short, void *);
static void	hub_node_keep(struct node *, struct parked *);
static struct parked *hub_node_parked_find(const struct frame_hello *, uint32_t);
static void	hub_node_parked_free(struct parked *);
static void	hub_ctl_read_cb(struct bufferevent *, void *);
static void	hub_node_read_cb(struct bufferevent *, void *);
static void	hub_node_event_cb(struct bufferevent *, short, void *);
static void	hub_node_heartbeat_cb(evutil_socket_t, short, void *);

/* Send one encoded frame; len 0 means an encoder refused (a bug). */
void
hub_send(struct bufferevent *bev, const uint8_t *buf, size_t len)
{
	if (len == 0) {
		log_warnx("internal: frame encoding failed");
		return;
	}
	bufferevent_write(bev, buf, len);
}

void
hub_bye(struct bufferevent *bev, uint8_t reason, const char *text)
{
	uint8_t	 buf[FRAME_MAX];

	hub_send(bev, buf, frame_bye_encode(buf, reason, text));
}

struct timeval *
hub_ms_tv(struct timeval *tv, int ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return (tv);
}

/*
 * A socket bufferevent for an accepted fd, wrapped in TLS unless the hub
 * runs -insecure.  NULL (fd closed) when out of memory.
 */
struct bufferevent *
hub_bev_new(int fd, const char *peer)
{
	struct bufferevent	*bev;
	char			*cause = NULL;

	if ((bev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: out of memory; dropping the connection", peer);
		close(fd);
		return (NULL);
	}
	if (hub.tls == NULL)
		return (bev);
	if ((bev = tls_wrap(hub.tls, bev, 1, NULL, &cause)) == NULL) {
		log_warnx("%s: %s; dropping the connection", peer, cause);
		free(cause);
	}
	return (bev);
}

/* What went wrong on a link, for a log line. */
const char *
hub_bev_error(struct bufferevent *bev, short what)
{
	const char	*e;

	if ((e = tls_error(bev)) != NULL)
		return (e);
	if (what & BEV_EVENT_EOF)
		return ("closed by the peer");
	return (evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/*
 * The guards' counts, logged as one line per LOG_EVERY_US at most while
 * they move (never a line per connection: that is what a flood wants);
 * what an interval held back is logged when it ends.
 */
void
hub_guard_log(void)
{
	struct hub_guard	*g = &hub.guard;
	struct timeval		 tv;
	uint64_t		 now = core_now_us();
	char			 since[32];

	if (g->hs_refused == g->logged_refused &&
	    g->hs_expired == g->logged_expired)
		return;
	if (g->logged_us != 0 && now - g->logged_us < LOG_EVERY_US) {
		if (hub.guard_ev == NULL && (hub.guard_ev = evtimer_new(
		    core_base, hub_guard_log_cb, NULL)) == NULL)
			return;
		if (!evtimer_pending(hub.guard_ev, NULL)) {
			hub_ms_tv(&tv, (int)((g->logged_us + LOG_EVERY_US -
			    now) / 1000) + 1);
			evtimer_add(hub.guard_ev, &tv);
		}
		return;
	}
	since[0] = '\0';
	if (g->logged_us != 0)
		snprintf(since, sizeof since, " in the last %llu s",
		    (unsigned long long)((now - g->logged_us) / 1000000));
	log_warnx("node links: %llu refused at -max-handshakes (%d) or "
	    "-max-handshakes-per-ip (%d), %llu closed at the %d ms "
	    "handshake deadline (-handshake-timeout)%s; %u in their handshake "
	    "now", (unsigned long long)(g->hs_refused - g->logged_refused),
	    hub.conf.max_handshakes, hub.conf.max_handshakes_per_ip,
	    (unsigned long long)(g->hs_expired - g->logged_expired),
	    hub.conf.handshake_ms, since, limit_link_total());
	g->logged_us = now;
	g->logged_refused = g->hs_refused;
	g->logged_expired = g->hs_expired;
}

static void
hub_guard_log_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	hub_guard_log();
}

/*
 * A node link (control or data port) before its handshake: counted in
 * total and per address (IPv6 /64) against -max-handshakes(-per-ip).
 * NULL: refused (fd closed, nothing sent: a flood gets no answer).
 */
struct limit_hold *
hub_link_hold(int fd, struct sockaddr *sa)
{
	struct limit_hold	*h;
	int			 why;

	h = limit_link_open(sa, hub.conf.max_handshakes,
	    hub.conf.max_handshakes_per_ip, &why);
	if (h == NULL) {
		close(fd);
		hub.guard.hs_refused++;
		hub_guard_log();
	}
	return (h);
}

/* A struct ctl for an accepted fd, its deadline armed; NULL: fd closed. */
struct ctl *
hub_ctl_new(int fd, const char *peer, int admin)
{
	struct ctl	*c;
	struct timeval	 tv;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_warnx("control %s: out of memory, dropping a connection",
		    peer);
		close(fd);
		return (NULL);
	}
	strlcpy(c->c_peer, peer, sizeof c->c_peer);
	c->c_admin = admin;
	/*
	 * Our own timer, not a bufferevent read timeout: it bounds the whole
	 * handshake (TLS, HELLO, AUTH), not the gaps between bytes.
	 */
	if ((c->c_timer = evtimer_new(core_base, hub_ctl_timeout_cb,
	    c)) == NULL) {
		log_warnx("control %s: out of memory", c->c_peer);
		close(fd);
		free(c);
		return (NULL);
	}
	/* The admin socket is local: no TLS. */
	if (admin)
		c->c_bev = bufferevent_socket_new(core_base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	else
		c->c_bev = hub_bev_new(fd, c->c_peer);
	if (c->c_bev == NULL) {
		if (admin)
			close(fd);
		event_free(c->c_timer);
		free(c);
		return (NULL);
	}
	bufferevent_setcb(c->c_bev, hub_ctl_read_cb, NULL,
	    hub_ctl_event_cb, c);
	bufferevent_setwatermark(c->c_bev, EV_READ, 0, FRAME_MAX);
	evtimer_add(c->c_timer, hub_ms_tv(&tv, hub.conf.handshake_ms));
	bufferevent_enable(c->c_bev, EV_READ | EV_WRITE);
	return (c);
}

/*
 * Control port: every connection starts as a struct ctl until its HELLO
 * says it is a node (admin sessions use the admin socket).
 */
void
hub_ctl_accept(int fd, struct sockaddr *sa, socklen_t salen __unused,
    void *arg __unused)
{
	struct limit_hold	*h;
	struct ctl		*c;
	char			 peer[64];

	if ((h = hub_link_hold(fd, sa)) == NULL)
		return;
	core_sa_str(sa, peer, sizeof peer);
	if ((c = hub_ctl_new(fd, peer, 0)) == NULL) {
		limit_close(h);
		return;
	}
	c->c_hold = h;
	strlcpy(c->c_ip, c->c_peer, sizeof c->c_ip);
	if (strrchr(c->c_ip, ':') != NULL)
		*strrchr(c->c_ip, ':') = '\0';
	c->c_localhost = core_sa_is_localhost(sa);
	log_debug("control %s: connected", c->c_peer);
}

/* Frees c but not its bufferevent (closed, or handed to a node). */
void
hub_ctl_free(struct ctl *c)
{
	if (c->c_admin)
		hub.nadmin--;
	limit_close(c->c_hold);
	event_free(c->c_timer);
	free(c);
}

void
hub_ctl_close(struct ctl *c, const char *why)
{
	if (why != NULL)
		log_info("control %s: closed: %s", c->c_peer, why);
	/* Before the TLS handshake nothing we write can go out. */
	if (!c->c_admin && hub.tls != NULL && !tls_handshake_done(c->c_bev))
		bufferevent_free(c->c_bev);
	else
		core_bev_close_flush(c->c_bev);
	hub_ctl_free(c);
}

static void
hub_ctl_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct ctl	*c = arg;

	/* Counted and summed up by hub_guard_log(): floods are quiet. */
	log_debug("control %s: handshake not finished within %d ms (%s); "
	    "closing", c->c_peer, hub.conf.handshake_ms,
	    c->c_state == CTL_AUTH ? "no AUTH" : c->c_state == CTL_ADMIN ?
	    "no INFO_REQ" : !c->c_admin && hub.tls != NULL &&
	    !tls_handshake_done(c->c_bev) ? "TLS" : "no HELLO");
	if (!c->c_admin) {
		hub.guard.hs_expired++;
		hub_guard_log();
	}
	hub_bye(c->c_bev, FRAME_BYE_TIMEOUT, "handshake timeout");
	hub_ctl_close(c, NULL);
}

static void
hub_ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl	*c = arg;

	if (tls_error(bev) != NULL)
		log_warnx("control %s: %s", c->c_peer, tls_error(bev));
	else
		log_debug("control %s: gone before WELCOME: %s", c->c_peer,
		    hub_bev_error(bev, what));
	bufferevent_free(c->c_bev);
	hub_ctl_free(c);
}

void
hub_welcome(struct bufferevent *bev, uint32_t id, const uint8_t *cookie)
{
	struct frame_welcome	 wl;
	uint8_t			 buf[FRAME_MAX];

	memset(&wl, 0, sizeof wl);
	wl.version = FRAME_VERSION;
	wl.node_id = id;
	wl.heartbeat_ms = hub.conf.heartbeat_ms;
	wl.dial_ms = hub.conf.dial_ms;
	wl.data_port = hub.data_port;
	wl.max_dials = MAX_DIALS_PER_NODE;
	if (cookie != NULL)
		memcpy(wl.cookie, cookie, sizeof wl.cookie);
	strlcpy(wl.data_host, hub.data_host, sizeof wl.data_host);
	hub_send(bev, buf, frame_welcome_encode(buf, &wl));
}

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

/* Is n named name, or is name its id (no formatting unless a digit)? */
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

/* -tunnel-advertise IP:PORT: what WELCOME tells nodes to connect to. */
static int
hub_advertise(const char *addr, char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 buf[64], *colon;

	if (core_addr_parse(addr, &ss, &sslen, cause) == -1)
		return (-1);
	if (strlcpy(buf, addr, sizeof buf) >= sizeof buf ||
	    (colon = strrchr(buf, ':')) == NULL || colon == buf) {
		xasprintf(cause, "-tunnel-advertise %s: expected IP:PORT", addr);
		return (-1);
	}
	*colon = '\0';
	if (buf[0] == '[') {
		memmove(buf, buf + 1, strlen(buf));
		buf[strlen(buf) - 1] = '\0';
	}
	if (strcmp(buf, "localhost") == 0)
		strlcpy(buf, "127.0.0.1", sizeof buf);
	strlcpy(hub.data_host, buf, sizeof hub.data_host);
	if (ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port) != 0)
		hub.data_port = ntohs(ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return (0);
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

/* "POOL=CIDR|:PORT,..." ("*" for every pool) into hub.deny. */
static int
hub_deny_parse(const char *list, char **cause)
{
	char	 words[FRAME_POLICY_MAX][64], *eq;
	int	 n, i;

	if ((n = opt_list_split(list, words, FRAME_POLICY_MAX, cause)) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if ((eq = strchr(words[i], '=')) == NULL) {
			xasprintf(cause, "\"%s\": expected POOL=CIDR or "
			    "POOL=:PORT (POOL * for every pool)", words[i]);
			return (-1);
		}
		*eq++ = '\0';
		if (strcmp(words[i], "*") != 0 &&
		    !frame_name_valid(words[i], FRAME_POOL_MAX)) {
			xasprintf(cause, "\"%s\" is not a pool name", words[i]);
			return (-1);
		}
		strlcpy(hub.deny[i].pool, words[i],
		    sizeof hub.deny[i].pool);
		if (acl_entry_parse(eq, &hub.deny[i].entry, cause) == -1)
			return (-1);
	}
	hub.ndeny = n;
	return (0);
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

/* "token on line 3", or "no token": an owner, for a log line. */
const char *
hub_ctl_owner_str(const struct frame_hello *h, char *buf, size_t len)
{
	const struct token	*t;

	if (!h->has_kid)
		snprintf(buf, len, "no token");
	else if ((t = token_find(&hub.tokens, h->kid)) != NULL)
		snprintf(buf, len, "the token on line %d of %s", t->t_line,
		    hub.conf.tokens_path);
	else
		snprintf(buf, len, "a token no longer in %s",
		    hub.conf.tokens_path);
	return (buf);
}

/*
 * Is h's name held by a node of another owner, online or away for its
 * return (parked)?  First come keeps the name, unless its token was taken
 * out of the tokens file.  *who says which node.
 */
int
hub_ctl_name_held(const struct frame_hello *h, char *who, size_t len)
{
	const struct frame_hello	*oh = NULL;
	struct node			*n;
	struct parked			*pk;
	char				 o[128];
	uint32_t			 id = 0;
	uint64_t			 away = 0;

	TAILQ_FOREACH(n, &hub.nodes, n_entry) {
		if (strcmp(n->n_hello.name, h->name) == 0 &&
		    !hub_node_owner_same(&n->n_hello, h)) {
			oh = &n->n_hello;
			id = n->n_id;
			break;
		}
	}
	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (oh != NULL)
			break;
		if (strcmp(pk->pk_hello.name, h->name) == 0 &&
		    !hub_node_owner_same(&pk->pk_hello, h)) {
			oh = &pk->pk_hello;
			id = pk->pk_id;
			away = (core_now_us() - pk->pk_left_us) / 1000000;
		}
	}
	if (oh == NULL || (oh->has_kid &&
	    token_find(&hub.tokens, oh->kid) == NULL))
		return (0);
	if (n != NULL)
		snprintf(who, len, "node %u (%s, online), which proved %s", id,
		    oh->name, hub_ctl_owner_str(oh, o, sizeof o));
	else
		snprintf(who, len, "node %u (%s, away: it left %llu s ago), "
		    "which proved %s", id, oh->name, (unsigned long long)away,
		    hub_ctl_owner_str(oh, o, sizeof o));
	return (1);
}

/* A node's HELLO was accepted: turn the ctl into a registered node. */
void
hub_node_new(struct ctl *c, const struct frame_hello *h)
{
	struct node	*n, *old;
	struct parked	*pk;
	struct timeval	 tv;
	uint32_t	 id = 0;
	char		 pools[FRAME_POOLS_MAX * (FRAME_POOL_MAX + 1) + 1];
	char		 who[300], mine[128], name[4 * FRAME_NAME_MAX + 1];
	int		 i;

	if (hub_ctl_name_held(h, who, sizeof who)) {
		hub.guard.identity++;
		log_escape(name, sizeof name, h->name, strlen(h->name));
		log_warnx("control %s: node \"%s\" refused: the name is held "
		    "by %s; this connection proved %s (first come keeps a "
		    "name: pick another with -name, or take the old token "
		    "out of the tokens file)", c->c_peer, name, who,
		    hub_ctl_owner_str(h, mine, sizeof mine));
		hub_bye(c->c_bev, FRAME_BYE_NOTALLOWED, "this node name is "
		    "held by a node with another token; choose another name");
		hub_ctl_close(c, NULL);
		return;
	}
	if ((n = calloc(1, sizeof *n)) == NULL ||
	    (n->n_redial_ev = evtimer_new(core_base, hub_redial_cb,
	    n)) == NULL) {
		free(n);
		hub_bye(c->c_bev, FRAME_BYE_OVERLOADED, "out of memory");
		hub_ctl_close(c, "out of memory");
		return;
	}
	/*
	 * A reconnecting node names its old id: if that session still looks
	 * alive (its heartbeats have not timed out yet) it is the same node
	 * on a new connection, so the old one goes (and is parked).  A node
	 * that left gets its id, drain state and address history back from
	 * its parked record, found by id and name, or by name alone (the
	 * node restarted); else its hint, if no other node holds it.
	 */
	if (h->node_id != 0 && (old = hub_node_find(h->node_id)) != NULL &&
	    strcmp(old->n_hello.name, h->name) == 0 &&
	    hub_node_owner_same(&old->n_hello, h)) {
		hub_bye(old->n_bev, FRAME_BYE_REPLACED,
		    "replaced by a new connection of the same node");
		hub_node_close(old, 0, "replaced by a new connection from "
		    "the same node");
	}
	if ((pk = hub_node_parked_find(h, h->node_id)) != NULL &&
	    hub_node_find(pk->pk_id) == NULL)
		id = pk->pk_id;
	else {
		pk = NULL;
		if (h->node_id != 0 && h->node_id < hub.next_id &&
		    hub_node_find(h->node_id) == NULL &&
		    hub_node_parked_find(NULL, h->node_id) == NULL)
			id = h->node_id;
	}
	if (id == 0)
		id = hub.next_id++;
	n->n_id = id;
	n->n_hello = *h;
	strlcpy(n->n_remote, c->c_peer, sizeof n->n_remote);
	strlcpy(n->n_ip, c->c_ip, sizeof n->n_ip);
	n->n_gen = ++hub.gen;
	n->n_bev = c->c_bev;
	n->n_since = time(NULL);
	n->n_rx_us = core_now_us();
	TAILQ_INIT(&n->n_dials);
	TAILQ_INIT(&n->n_relays);
	TAILQ_INIT(&n->n_spares);
	n->n_refill_us = SPARE_REFILL_US;
	n->n_ping_tokens = PING_BURST;
	n->n_ping_us = n->n_rx_us;
	evutil_secure_rng_get_bytes(n->n_cookie, sizeof n->n_cookie);
	n->n_heartbeat = evtimer_new(core_base, hub_node_heartbeat_cb, n);
	if (n->n_heartbeat == NULL) {
		event_free(n->n_redial_ev);
		free(n);
		hub_bye(c->c_bev, FRAME_BYE_OVERLOADED, "out of memory");
		hub_ctl_close(c, "out of memory");
		return;
	}
	hub_ctl_free(c);

	TAILQ_INSERT_TAIL(&hub.nodes, n, n_entry);
	LIST_INSERT_HEAD(&hub.node_hash[n->n_id % NODE_HASH], n, n_hash);
	hub.nnodes++;
	bufferevent_setcb(n->n_bev, hub_node_read_cb, NULL,
	    hub_node_event_cb, n);
	bufferevent_set_timeouts(n->n_bev, NULL, NULL);
	evtimer_add(n->n_heartbeat, hub_ms_tv(&tv, hub.conf.heartbeat_ms));
	hub_welcome(n->n_bev, n->n_id, n->n_cookie);
	hub_node_policy_send(n);

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
	hub_node_keep(n, pk);
	if (n->n_hello.redial != FRAME_REDIAL_NONE)
		hub.nredialable++;
	hub_redial_plan(n);
}

/*
 * Fleet state (doc/routing.md, "Redial").  A joining node takes back what
 * the hub kept of it (pk, freed here) and its address goes on top of its
 * history; if it left to redial, the redial is over: record old -> new.
 */
static void
hub_node_keep(struct node *n, struct parked *pk)
{
	const struct frame_hello *h = &n->n_hello;
	struct node_keep	*k = &n->n_keep;
	static const char	*rres[] = { "", "succeeded", "failed with exit "
				    "status", "timed out and was killed",
				    "could not be started", "died of signal" };
	const char		*old;
	struct srelay		*sr;
	uint64_t		 took;

	if (pk != NULL) {
		*k = pk->pk_keep;
		/* Relays that outlived its last connection are its own again. */
		while ((sr = TAILQ_FIRST(&pk->pk_relays)) != NULL) {
			TAILQ_REMOVE(&pk->pk_relays, sr, sr_entry);
			sr->sr_parked = NULL;
			sr->sr_node = n;
			TAILQ_INSERT_TAIL(&n->n_relays, sr, sr_entry);
			n->n_nrelays++;
			relay_set_stat(sr->sr_relay, &n->n_bytes);
		}
		hub_node_parked_free(pk);
	}
	if (h->rres > FRAME_RRES_OK)
		log_warnx("node %u (%s): its redial command %s%s%.0u after "
		    "%u ms (see the node's log)", n->n_id, n->n_hello.name,
		    rres[h->rres], h->rres == FRAME_RRES_FAILED ||
		    h->rres == FRAME_RRES_SIGNAL ? " " : "",
		    h->rres == FRAME_RRES_FAILED || h->rres ==
		    FRAME_RRES_SIGNAL ? h->rres_code : 0, h->rres_ms);
	if (k->pending_us != 0) {
		old = k->nhist > 0 ? k->hist[0].addr : "?";
		took = core_now_us() - k->pending_us;
		k->pending_us = 0;
		k->last_redial = time(NULL);
		hub_redial_done();
		if (strcmp(old, n->n_ip) == 0) {
			k->redials_same++;
			log_warnx("node %u (%s) is back %llu ms after its "
			    "redial (%s), from the same address %s: the "
			    "redial did not change it (%u such redials)",
			    n->n_id, n->n_hello.name,
			    (unsigned long long)(took / 1000),
			    k->pending_why, n->n_ip, k->redials_same);
		} else {
			k->redials++;
			log_info("node %u (%s) redialed (%s) in %llu ms: "
			    "address %s -> %s", n->n_id, n->n_hello.name,
			    k->pending_why, (unsigned long long)(took / 1000),
			    old, n->n_ip);
		}
	}
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
			pk->pk_keep.pending_us = 0;
			hub_redial_done();
		}
	}
	if (hub.nparked > 0)
		evtimer_add(hub.park_ev, hub_ms_tv(&tv, PARKED_SWEEP_MS));
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
			if ((!pk->pk_keep.drain && pk->pk_keep.pending_us == 0) ||
			    ++i == 64)
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
		evtimer_add(hub.park_ev, hub_ms_tv(&tv, PARKED_SWEEP_MS));
	return (pk);
}

static struct authfail *
hub_ctl_authfail_slot(const char *ip)
{
	u_int		 h = 5381;
	const char	*p;

	for (p = ip; *p != '\0'; p++)
		h = h * 33 + (u_char)*p;
	return (&hub.authfail[h % AUTHFAIL_SLOTS]);
}

/* Is this address locked out for failing too often? */
static int
hub_ctl_authfail_limited(const char *ip)
{
	struct authfail	*af = hub_ctl_authfail_slot(ip);

	if (strcmp(af->ip, ip) != 0 ||
	    core_now_us() - af->first_us > AUTHFAIL_WINDOW)
		return (0);
	return (af->count >= AUTHFAIL_MAX);
}

static void
hub_ctl_authfail_note(const char *ip)
{
	struct authfail	*af = hub_ctl_authfail_slot(ip);
	uint64_t	 now = core_now_us();

	if (strcmp(af->ip, ip) != 0 || now - af->first_us > AUTHFAIL_WINDOW) {
		strlcpy(af->ip, ip, sizeof af->ip);
		af->count = 0;
		af->first_us = now;
	}
	af->count++;
}

static void
hub_ctl_auth_fail(struct ctl *c, const char *why)
{
	char	 name[4 * FRAME_NAME_MAX + 1];

	hub_ctl_authfail_note(c->c_ip);
	log_escape(name, sizeof name, c->c_hello.name,
	    strlen(c->c_hello.name));
	log_warnx("control %s: node \"%s\" refused: %s", c->c_peer, name,
	    why);
	hub_bye(c->c_bev, FRAME_BYE_AUTH, "authentication failed: check "
	    "that the node's auth_token is in the hub's tokens file");
	hub_ctl_close(c, NULL);
}

/*
 * A node said HELLO.  Without a tokens file the hub accepts loopback nodes
 * only; with one, every node answers a CHALLENGE.  Returns 1 when c waits
 * for AUTH, 0 when c is gone (welcomed as a node, or refused and freed).
 */
static int
hub_ctl_hello(struct ctl *c)
{
	uint8_t	 buf[FRAME_MAX];

	if (hub.conf.tokens_path == NULL) {
		if (c->c_localhost) {
			/* No token proven: the hub's own machine is the owner. */
			c->c_hello.has_kid = 0;
			memset(c->c_hello.kid, 0, sizeof c->c_hello.kid);
			hub_node_new(c, &c->c_hello);
			return (0);
		}
		hub_ctl_authfail_note(c->c_ip);
		log_warnx("control %s: node refused: this hub has no tokens "
		    "file, so it accepts nodes from 127.0.0.1 and ::1 only "
		    "(start it with -tokens FILE)", c->c_peer);
		hub_bye(c->c_bev, FRAME_BYE_AUTH, "this hub accepts nodes "
		    "from 127.0.0.1 and ::1 only: it has no tokens file");
		hub_ctl_close(c, NULL);
		return (0);
	}
	if (hub_ctl_authfail_limited(c->c_ip)) {
		log_warnx("control %s: refused: %d failed authentications "
		    "from this address in the last minute", c->c_peer,
		    AUTHFAIL_MAX);
		hub_bye(c->c_bev, FRAME_BYE_AUTH, "too many failed "
		    "authentications; wait a minute");
		hub_ctl_close(c, NULL);
		return (0);
	}
	evutil_secure_rng_get_bytes(c->c_nonce, sizeof c->c_nonce);
	hub_send(c->c_bev, buf, frame_blob_encode(buf, FRAME_CHALLENGE,
	    c->c_nonce, sizeof c->c_nonce));
	c->c_state = CTL_AUTH;
	return (1);
}

/* AUTH: HMAC(token, nonce, name) from the token the HELLO named. */
static void
hub_ctl_auth(struct ctl *c, const uint8_t *mac)
{
	const struct token	*t;
	uint8_t			 want[TOKEN_MAC_LEN];
	const char		*why;

	if (!c->c_hello.has_kid) {
		hub_ctl_auth_fail(c, "it has no token (set auth_token or -token "
		    "on the node)");
		return;
	}
	if ((t = token_find(&hub.tokens, c->c_hello.kid)) == NULL) {
		hub_ctl_auth_fail(c, "its token is not in the tokens file");
		return;
	}
	token_mac(t->t_secret, c->c_nonce, c->c_hello.name, want);
	if (!token_equal(want, mac, TOKEN_MAC_LEN)) {
		hub_ctl_auth_fail(c, "wrong proof of its token");
		return;
	}
	if (token_permits(t, c->c_hello.name, c->c_hello.pools,
	    c->c_hello.npools, &why) == -1) {
		hub_ctl_auth_fail(c, why);
		return;
	}
	log_debug("control %s: node %s authenticated (tokens file line %d)",
	    c->c_peer, c->c_hello.name, t->t_line);
	hub_node_new(c, &c->c_hello);
}

/* An admin HELLO on the control port, or a node's on the admin socket. */
static void
hub_ctl_wrong_port(struct ctl *c)
{
	char	 text[200];

	if (c->c_admin)
		snprintf(text, sizeof text, "this is the hub's admin socket; "
		    "nodes connect to the control port");
	else
		snprintf(text, sizeof text, "admin commands (info, drain, "
		    "undrain, redial) go to the hub's admin socket on its own "
		    "machine, not to the control port (doc/security.md)");
	log_warnx("control %s: refused: %s", c->c_peer, text);
	hub_bye(c->c_bev, FRAME_BYE_NOTALLOWED, text);
	hub_ctl_close(c, NULL);
}

/*
 * Read frames on a control connection that has not been welcomed yet (or
 * an admin session): HELLO, then AUTH for nodes or INFO_REQ for admins.
 */
static void
hub_ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame		 f;
	uint8_t			 mac[FRAME_MAC_LEN];
	const char		*cause = NULL;
	int			 n;

	for (;;) {
		n = frame_peek(in, &f, &cause);
		if (n == 0)
			return;
		if (n == -1)
			goto bad;
		switch (c->c_state) {
		case CTL_HELLO:
			if (f.type != FRAME_HELLO) {
				cause = "expected HELLO";
				goto bad;
			}
			if (frame_hello_parse(&f, &c->c_hello, &cause) == -1) {
				if (strcmp(cause, "bad magic") == 0) {
					hub_ctl_close(c, "not a tentacle "
					    "peer (bad magic)");
					return;
				}
				if (strcmp(cause, "unsupported protocol "
				    "version") == 0) {
					log_warnx("control %s: peer speaks "
					    "protocol version %u, this hub "
					    "speaks %u; upgrade the older "
					    "side", c->c_peer,
					    c->c_hello.version, FRAME_VERSION);
					hub_bye(bev, FRAME_BYE_VERSION,
					    "unsupported protocol version");
					hub_ctl_close(c, NULL);
					return;
				}
				goto bad;
			}
			evbuffer_drain(in, n);
			if ((c->c_hello.role == FRAME_ROLE_NODE) == c->c_admin) {
				hub_ctl_wrong_port(c);
				return;
			}
			if (c->c_hello.role == FRAME_ROLE_NODE) {
				/* No pool: "default", for tokens' pools= too. */
				if (c->c_hello.npools == 0) {
					strlcpy(c->c_hello.pools[0], "default",
					    sizeof c->c_hello.pools[0]);
					c->c_hello.npools = 1;
				}
				if (hub_ctl_hello(c) == 0)
					return;	/* c is gone */
				continue;
			}
			c->c_state = CTL_ADMIN;
			hub_welcome(bev, 0, NULL);
			continue;
		case CTL_AUTH:
			if (frame_blob_parse(&f, FRAME_AUTH, mac, sizeof mac,
			    &cause) == -1)
				goto bad;
			evbuffer_drain(in, n);
			hub_ctl_auth(c, mac);
			return;		/* c is gone either way */
		default:
			if (f.type == FRAME_ADMIN) {
				struct frame_admin	 a;

				if (frame_admin_parse(&f, &a, &cause) == -1)
					goto bad;
				evbuffer_drain(in, n);
				hub_admin_op(c, &a);
				hub_ctl_close(c, NULL);
				return;
			}
			if (f.type != FRAME_INFO_REQ ||
			    frame_empty_parse(&f, &cause) == -1) {
				if (cause == NULL)
					cause = "expected INFO_REQ or ADMIN";
				goto bad;
			}
			evbuffer_drain(in, n);
			hub_admin_info(c);
			hub_ctl_close(c, NULL);
			return;
		}
	}
bad:
	if (hub.tls == NULL && evbuffer_get_length(in) > 0 &&
	    evbuffer_pullup(in, 1)[0] == 0x16) {
		log_warnx("control %s: a TLS client, but this hub runs "
		    "-insecure (plaintext); closing", c->c_peer);
		hub_ctl_close(c, NULL);
		return;
	}
	log_warnx("control %s: protocol error: %s; closing", c->c_peer,
	    cause);
	hub_bye(bev, FRAME_BYE_PROTOCOL, cause);
	hub_ctl_close(c, NULL);
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

/*
 * Does n read what the hub sends?  Past CTL_BACKLOG_MAX unread bytes it
 * is closed: a peer that never reads must not grow the hub's memory.
 * Returns -1 when n was closed.
 */
static int
hub_node_backlog(struct node *n)
{
	size_t	 len = evbuffer_get_length(bufferevent_get_output(n->n_bev));
	char	 why[160];

	if (len <= CTL_BACKLOG_MAX)
		return (0);
	hub.guard.flooded++;
	snprintf(why, sizeof why, "it does not read its control link: %zu "
	    "bytes unread (limit %d)", len, CTL_BACKLOG_MAX);
	hub_node_close(n, 0, why);
	return (-1);
}

/* One decoded frame from a node; -1 means the node was closed. */
static int
hub_node_dispatch(struct node *n, const struct frame *f)
{
	struct frame_result	 res;
	struct frame_bye	 bye;
	struct dial		*d;
	const char		*cause;
	uint64_t		 stamp, now;
	uint8_t			 buf[FRAME_MAX];
	char			 text[1100], why[1200];

	switch (f->type) {
	case FRAME_PING:
		if (frame_stamp_parse(f, &stamp, &cause) == -1)
			break;
		if (!hub_node_ping_ok(n)) {
			hub.guard.flooded++;
			cause = "PING flood (more than one a heartbeat)";
			break;
		}
		hub_send(n->n_bev, buf, frame_stamp_encode(buf, FRAME_PONG,
		    stamp));
		return (0);
	case FRAME_PONG:
		if (frame_stamp_parse(f, &stamp, &cause) == -1)
			break;
		now = core_now_us();
		if (stamp <= now && now - stamp < UINT32_MAX)
			n->n_rtt_us = now - stamp;
		return (0);
	case FRAME_RESULT:
		if (frame_result_parse(f, &res, &cause) == -1)
			break;
		d = hub_dial_find(res.req);
		if (d == NULL || d->d_node != n) {
			log_info("node %u: result for request %u, which is "
			    "unknown or already answered (late result); "
			    "ignored", n->n_id, res.req);
			return (0);
		}
		hub_dial_finish(d, res.result, NULL);
		return (0);
	case FRAME_REDIAL:
		/* The node declines (no action, or too soon): say why. */
		if (frame_redial_parse(f, text, sizeof text, &cause) == -1)
			break;
		if (n->n_redial != REDIAL_SENT)
			return (0);	/* late: we gave up waiting */
		log_escape(why, sizeof why, text, strlen(text));
		log_warnx("node %u (%s) declined the redial: %s", n->n_id,
		    n->n_hello.name, why);
		evtimer_del(n->n_redial_ev);
		hub_redial_end(n);
		return (0);
	case FRAME_BYE:
		if (frame_bye_parse(f, &bye, &cause) == -1)
			break;
		log_escape(text, sizeof text, bye.text, strlen(bye.text));
		snprintf(why, sizeof why, "node said goodbye (%u: %s)",
		    bye.reason, text);
		hub_node_close(n, 0, why);
		return (-1);
	default:
		cause = "unexpected frame type from a node";
		break;
	}
	snprintf(why, sizeof why, "protocol error: %s (%s frame)", cause,
	    frame_type_name(f->type));
	hub_node_close(n, FRAME_BYE_PROTOCOL, why);
	return (-1);
}

static void
hub_node_read_cb(struct bufferevent *bev, void *arg)
{
	struct node	*node = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct frame	 f;
	const char	*cause;
	int		 n;
	char		 why[128];

	node->n_rx_us = core_now_us();
	for (;;) {
		n = frame_peek(in, &f, &cause);
		if (n == 0)
			return;
		if (n == -1) {
			snprintf(why, sizeof why, "protocol error: %s", cause);
			hub_node_close(node, FRAME_BYE_PROTOCOL, why);
			return;
		}
		if (hub_node_dispatch(node, &f) == -1)
			return;
		evbuffer_drain(in, n);
		if (hub_node_backlog(node) == -1)
			return;
	}
}

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
	hub_node_close(n, 0, why);
}

static void
hub_node_heartbeat_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct node	*n = arg;
	struct timeval	 tv;
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 now = core_now_us(), silent;
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
	if (hub_node_backlog(n) == -1)
		return;
	hub_node_rate(n, now, NULL, NULL);
	hub_spare_idle(n, now);
	evtimer_add(n->n_heartbeat, hub_ms_tv(&tv, hub.conf.heartbeat_ms));
	hub_spare_eval(n, 1);
}

/*
 * Frees n: unlinks it, fails its pending dials (DIAL_NODELOST) and
 * detaches its relays, which run on (their data links are independent).
 * reason != 0 sends BYE first.
 */
void
hub_node_close(struct node *n, uint8_t reason, const char *why)
{
	struct dial	*d, *dtmp;
	struct srelay	*sr, *srtmp;
	struct spare	*pl, *pltmp;
	struct parked	*pk;

	TAILQ_REMOVE(&hub.nodes, n, n_entry);
	LIST_REMOVE(n, n_hash);
	hub.nnodes--;
	log_info("node %u (%s) left%s: %s; %u relays continue, %u nodes "
	    "online", n->n_id, n->n_hello.name, n->n_redial == REDIAL_SENT ?
	    " to redial" : "", why, n->n_nrelays, hub.nnodes);
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
	TAILQ_FOREACH_SAFE(pl, &n->n_spares, sp_entry, pltmp)
		hub_spare_close(pl, NULL);
	/* Its relays run on: the parked record holds them till it is back. */
	TAILQ_FOREACH_SAFE(sr, &n->n_relays, sr_entry, srtmp) {
		TAILQ_REMOVE(&n->n_relays, sr, sr_entry);
		relay_set_stat(sr->sr_relay, NULL);
		sr->sr_node = NULL;
		if (pk != NULL) {
			TAILQ_INSERT_TAIL(&pk->pk_relays, sr, sr_entry);
			sr->sr_parked = pk;
			pk->pk_nrelays++;
		}
	}
	event_free(n->n_heartbeat);
	event_free(n->n_redial_ev);
	if (reason != 0) {
		hub_bye(n->n_bev, reason, why);
		core_bev_close_flush(n->n_bev);
	} else
		bufferevent_free(n->n_bev);
	free(n);
}

/* see tentacle.h */
uint32_t
hub_node_link_hold(uint32_t id)
{
	struct node	*n;

	if ((n = hub_node_find(id)) == NULL)
		return (0);
	n->n_nrelays++;
	return (n->n_gen);
}

/* see tentacle.h */
void
hub_node_link_release(uint32_t id, uint32_t token)
{
	struct node	*n;

	/* Only the connection that counted it: a new one never did. */
	if (token == 0 || (n = hub_node_find(id)) == NULL ||
	    n->n_gen != token || n->n_nrelays == 0)
		return;
	n->n_nrelays--;
	hub_redial_check(n);
}

void
hub_node_bytes(uint32_t id, size_t up, size_t down)
{
	struct node	*n;

	if ((n = hub_node_find(id)) != NULL) {
		n->n_bytes.up += up;
		n->n_bytes.down += down;
	}
}

static void
hub_shutdown_cb(int sig, void *arg __unused)
{
	struct node	*n, *ntmp;
	struct timeval	 tv = { 0, 200000 };
	u_int		 i;

	if (hub.stopping++) {
		log_info("hub: second signal %d, exiting now", sig);
		exit(0);
	}
	log_info("hub: signal %d, shutting down: %u nodes, %u relays", sig,
	    hub.nnodes, relay_count());
	for (i = 0; i < nitems(hub.listeners); i++) {
		core_listener_close(hub.listeners[i]);
		hub.listeners[i] = NULL;
	}
	TAILQ_FOREACH_SAFE(n, &hub.nodes, n_entry, ntmp)
		hub_node_close(n, FRAME_BYE_SHUTDOWN, "hub shutting down");
	event_base_loopexit(core_base, &tv);
}

static void
hub_hup_cb(int sig __unused, void *arg __unused)
{
	struct token_set	 ts;
	char			*cause = NULL;

	log_reopen();
	if (auth_reload(&cause) == -1) {
		log_warnx("SIGHUP: keeping the old %zu proxy users: %s",
		    auth_users_count(), cause);
		free(cause);
		cause = NULL;
	} else if (hub.conf.users_path != NULL)
		log_info("SIGHUP: %zu proxy users from %s", auth_users_count(),
		    hub.conf.users_path);
	if (hub.conf.tokens_path != NULL) {
		if (token_set_load(hub.conf.tokens_path, &ts, &cause) == -1) {
			log_warnx("SIGHUP: keeping the old tokens: %s", cause);
			free(cause);
		} else {
			token_set_free(&hub.tokens);
			hub.tokens = ts;
			log_info("SIGHUP: %zu node tokens loaded from %s; "
			    "connected nodes stay", ts.ts_n,
			    hub.conf.tokens_path);
		}
	}
	log_info("hub: SIGHUP: log reopened");
}

/*
 * TLS for node links: the operator's certificate, or a self-signed one
 * made on first start in the state directory.  Prints the fingerprint
 * nodes pin.
 */
static int
hub_tls_setup(void)
{
	char	*crt = NULL, *key = NULL, *cause = NULL;
	int	 made = 0;

	if (hub.conf.insecure)
		return (0);
	if (hub.conf.tls_crt != NULL)
		hub.tls = tls_server_conf(hub.conf.tls_crt,
		    hub.conf.tls_key, &cause);
	else {
		if (hub.conf.state_dir == NULL)
			hub.conf.state_dir = core_state_dir();
		made = tls_selfsigned_ensure(hub.conf.state_dir, &crt,
		    &key, &cause);
		if (made != -1)
			hub.tls = tls_server_conf(crt, key, &cause);
	}
	if (hub.tls == NULL) {
		fprintf(stderr, "tentacle server: TLS: %s\n", cause);
		free(cause);
		free(crt);
		free(key);
		return (-1);
	}
	if (made == 1)
		fprintf(stderr, "tentacle server: created a key and a "
		    "self-signed certificate in %s; hub key fingerprint %s\n",
		    hub.conf.state_dir, tls_conf_fingerprint(hub.tls));
	free(crt);
	free(key);
	return (0);
}

/* The state before the flags: their defaults, empty lists. */
static void
hub_init(void)
{
	hub.conf = hub_defaults;
	TAILQ_INIT(&hub.nodes);
	TAILQ_INIT(&hub.parked);
	TAILQ_INIT(&hub.session_lru);
	hub.next_id = 1;
	hub.next_req = 1;
}

static void
hub_usage(FILE *fp, struct opt *opts)
{
	fprintf(fp, "usage: tentacle server [flags]   (also: tentacled "
	    "[flags])\n\nRun the hub: exit nodes connect to the control and "
	    "data ports, proxy\nusers to the SOCKS5 and HTTP ports.\n\n"
	    "Flags:\n");
	opt_usage(fp, opts);
}

/* Limits left to "auto": from the open files limit. */
static void
hub_limits_auto(void)
{
	struct rlimit	 rl;
	long		 nofile = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = (long)rl.rlim_cur;
	if (hub.conf.max_clients < 0)
		hub.conf.max_clients = limit_clients_auto(nofile);
	if (hub.conf.max_handshakes < 0)
		hub.conf.max_handshakes = nofile <= 0 ? 0 : nofile / 8 < 16 ?
		    16 : (int)(nofile / 8 > 1000000 ? 1000000 : nofile / 8);
}

static int
hub_ms(const char *flag, int64_t v, int *out)
{
	if (v > INT32_MAX) {
		fprintf(stderr, "tentacle server: -%s: duration too long\n",
		    flag);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

int
hub_main(int argc, char **argv)
{
	const char	*logdest = "stdout", *loglevel = "INFO";
	const char	*allow = NULL, *pooldeny = NULL, *advertise = NULL;
	const char	*schedule = "least-conn";
	int64_t		 handshake = HANDSHAKE_MS, dial = DIAL_MS;
	int64_t		 heartbeat = HEARTBEAT_MS, idle = 0, httpidle = 60000;
	int64_t		 redial = 60000, grace = 30000;
	int64_t		 seslife = SESSION_LIFE_MS;
	int		 level, ind = 1, rc, loopback_only = 0;
	char		*cause = NULL;
	const char	*names[4];
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	struct opt	 opts[] = {
		{ "controlAddr", OPT_STRING, &hub.conf.control_addr,
		    "Public address listening for tentacle client",
		    "\":4442\"", 0, 0, 0 },
		{ "tunnelAddr", OPT_STRING, &hub.conf.data_addr,
		    "Public address listening for tentacle request "
		    "(data links)", "\":4443\"", 0, 0, 0 },
		{ "tunnel-advertise", OPT_STRING, &advertise, "Data address "
		    "nodes are told to use, IP:PORT (behind NAT or a relay; "
		    "default: the control link's address and -tunnelAddr's "
		    "port)", NULL, 0, 0, 0 },
		{ "socketAddr", OPT_STRING, &hub.conf.socks_addr,
		    "Public address listening for socks5 proxy (none: off)",
		    "\":8888\"", 0, 0, 0 },
		{ "httpAddr", OPT_STRING, &hub.conf.http_addr,
		    "Public address listening for http proxy (none: off)",
		    "\":8887\"", 0, 0, 0 },
		{ "log", OPT_STRING, &logdest, "Write log messages to this "
		    "file. 'stdout', 'none' and 'syslog' have special "
		    "meanings", "\"stdout\"", 0, 0, 0 },
		{ "log-level", OPT_STRING, &loglevel, "The level of messages "
		    "to log. One of: DEBUG, INFO, WARNING, ERROR",
		    "\"INFO\"", 0, 0, 0 },
		{ "redial-interval", OPT_DURATION, &redial, "Redial interval "
		    "for each tentacler that has a redial action (each node's "
		    "randomised to 75-125 %; 0: only 'tentacle redial')",
		    "1m0s", 0, 0, 0 },
		{ "redial-grace", OPT_DURATION, &grace, "How long a node "
		    "about to redial gets to finish its relays (it takes no "
		    "new requests meanwhile)", "30s", 0, 0, 0 },
		{ "session-max-life", OPT_DURATION, &seslife, "Longest a "
		    "sticky session lasts, however often it is used",
		    "24h0m0s", 0, 0, 0 },
		{ "tlsCrt", OPT_STRING, &hub.conf.tls_crt,
		    "Path to a TLS certificate file (PEM chain; default: a "
		    "self-signed one in -state-dir)", NULL, 0, 0, 0 },
		{ "tlsKey", OPT_STRING, &hub.conf.tls_key,
		    "Path to a TLS key file (PEM, RSA or EC)", NULL, 0, 0, 0 },
		{ "state-dir", OPT_STRING, &hub.conf.state_dir,
		    "Directory for the hub's own key and certificate",
		    "/var/lib/tentacle (root), ~/.tentacle", 0, 0, 0 },
		{ "insecure", OPT_BOOL, &hub.conf.insecure, "Plaintext "
		    "links to nodes (nodes need insecure: true too); trusted "
		    "networks and benchmarks only", NULL, 0, 0, 0 },
		{ "tokens", OPT_STRING, &hub.conf.tokens_path, "File of node "
		    "tokens, one per line (without it: loopback nodes only)",
		    NULL, 0, 0, 0 },
		{ "users", OPT_STRING, &hub.conf.users_path, "Proxy users file "
		    "(lines from 'tentacle passwd'); every proxy client must "
		    "log in, loopback too, unless in -allow", NULL, 0, 0, 0 },
		{ "allow", OPT_STRING, &allow, "Client networks served "
		    "without credentials: CIDR,...", NULL, 0, 0, 0 },
		{ "pool-deny", OPT_STRING, &pooldeny, "Destinations the "
		    "nodes of a pool must refuse on top of their own policy: "
		    "POOL=CIDR|:PORT,... (POOL * for all)", NULL, 0, 0, 0 },
		{ "open-proxy", OPT_BOOL, &hub.conf.open_proxy,
		    "Without -users: serve proxy users from any address, not "
		    "only loopback", NULL, 0, 0, 0 },
		{ "via", OPT_BOOL, &hub.conf.via, "HTTP proxy: add a Via "
		    "header (RFC 9110 7.6.3)", NULL, 0, 0, 0 },
		{ "handshake-timeout", OPT_DURATION, &handshake, "Time a new "
		    "connection has to finish its handshake", "10s", 0, 0,
		    0 },
		{ "dial-timeout", OPT_DURATION, &dial, "Time an exit node has "
		    "to connect to a target", "15s", 0, 0, 0 },
		{ "heartbeat", OPT_DURATION, &heartbeat, "Heartbeat interval; "
		    "a node silent for 3 intervals is dropped", "5s", 0, 0,
		    0 },
		{ "idle-timeout", OPT_DURATION, &idle, "Close relays idle this "
		    "long (0: never)", "0s", 0, 0, 0 },
		{ "http-idle-timeout", OPT_DURATION, &httpidle, "Close idle "
		    "HTTP keep-alive client connections after this",
		    "1m0s", 0, 0, 0 },
		{ "max-relays-per-node", OPT_INT,
		    &hub.conf.max_relays_per_node, "Relays and dials one "
		    "node carries at once; a node at the limit is skipped "
		    "(0: no limit)", "16384", 0, 10000000, 0 },
		{ "pool-max", OPT_INT, &hub.conf.spare_max, "Idle pooled data "
		    "links one node may keep open to the hub (0: no pooled "
		    "links)", "64", 0, 65535, 0 },
		{ "schedule", OPT_STRING, &schedule, "How a request's node "
		    "is chosen among those that qualify: least-conn, "
		    "round-robin, random", "least-conn", 0, 0, 0 },
		{ "dial-retries", OPT_INT, &hub.conf.dial_retries, "Other "
		    "nodes a dial is retried on when its node fails it "
		    "(timeout, node lost)", "2", 0, DIAL_RETRIES_MAX, 0 },
		{ "max-pending-dials", OPT_INT, &hub.conf.max_pending_dials,
		    "Dials waiting for a node's answer, hub-wide (0: no "
		    "limit)", "4096", 0, 10000000, 0 },
		{ "max-clients", OPT_INT, &hub.conf.max_clients, "Proxy "
		    "client connections at once, hub-wide; over it SOCKS gets "
		    "REP 1, HTTP 503 (0: no limit; default: (open files - 64) "
		    "/ 2)", "auto", 0, 10000000, 0 },
		{ "max-conns-per-ip", OPT_INT, &hub.conf.max_conns_per_ip,
		    "Proxy client connections from one address (IPv6: one "
		    "/64) at once; over it SOCKS gets REP 1, HTTP 429 (0: no "
		    "limit)", "256", 0, 10000000, 0 },
		{ "max-conns-per-user", OPT_INT,
		    &hub.conf.max_conns_per_user, "Proxy connections of "
		    "one logged-in user at once; over it SOCKS gets REP 2, "
		    "HTTP 429 (0: no limit)", "1024", 0, 10000000, 0 },
		{ "max-sessions-per-user", OPT_INT,
		    &hub.conf.max_sessions_per_user, "Sticky sessions one "
		    "proxy user keeps; a new one pushes out the user's least "
		    "recently used (0: only the hub-wide 65536)", "4096", 0,
		    65536, 0 },
		{ "max-handshakes", OPT_INT, &hub.conf.max_handshakes,
		    "Node links (control and data ports) in their handshake "
		    "at once, hub-wide; more are closed unanswered (0: no "
		    "limit; default: open files / 8)", "auto", 0, 10000000,
		    0 },
		{ "max-handshakes-per-ip", OPT_INT,
		    &hub.conf.max_handshakes_per_ip, "Node links in their "
		    "handshake from one address (IPv6: one /64) at once (0: "
		    "no limit)", "64", 0, 10000000, 0 },
		{ "admin", OPT_STRING, &hub.conf.admin_path, "Unix socket "
		    "for info, drain, undrain, redial (mode 0660: the hub's "
		    "user and group; none: off)", "STATE-DIR/admin.sock", 0,
		    0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	hub_init();
	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		hub_usage(stdout, opts);
		return (0);
	}
	if (rc == -1) {
		fprintf(stderr, "tentacle server: %s\n", cause);
		free(cause);
		hub_usage(stderr, opts);
		return (2);
	}
	if (ind < argc) {
		fprintf(stderr, "tentacle server: unexpected argument \"%s\"\n",
		    argv[ind]);
		hub_usage(stderr, opts);
		return (2);
	}
	if (log_level_parse(loglevel, &level) == -1) {
		fprintf(stderr, "tentacle server: -log-level: \"%s\" is not one "
		    "of DEBUG, INFO, WARNING, ERROR\n", loglevel);
		return (2);
	}
	if (hub_ms("handshake-timeout", handshake,
	    &hub.conf.handshake_ms) == -1 ||
	    hub_ms("dial-timeout", dial, &hub.conf.dial_ms) == -1 ||
	    hub_ms("heartbeat", heartbeat, &hub.conf.heartbeat_ms) == -1 ||
	    hub_ms("idle-timeout", idle, &hub.conf.idle_ms) == -1 ||
	    hub_ms("http-idle-timeout", httpidle,
	    &hub.conf.http_idle_ms) == -1)
		return (2);
	if (strcmp(schedule, "least-conn") == 0)
		hub.conf.schedule = SCHED_LEAST_CONN;
	else if (strcmp(schedule, "round-robin") == 0)
		hub.conf.schedule = SCHED_ROUND_ROBIN;
	else if (strcmp(schedule, "random") == 0)
		hub.conf.schedule = SCHED_RANDOM;
	else {
		fprintf(stderr, "tentacle server: -schedule: \"%s\" is not one "
		    "of least-conn, round-robin, random\n", schedule);
		return (2);
	}
	if (hub.conf.handshake_ms < 1 || hub.conf.dial_ms < 1 ||
	    hub.conf.heartbeat_ms < 50) {
		fprintf(stderr, "tentacle server: -handshake-timeout and "
		    "-dial-timeout must be above 0, -heartbeat at least "
		    "50ms\n");
		return (2);
	}
	if (hub_ms("redial-interval", redial,
	    &hub.conf.redial_interval_ms) == -1 ||
	    hub_ms("redial-grace", grace,
	    &hub.conf.redial_grace_ms) == -1)
		return (2);
	if ((redial != 0 && redial < 1000) || redial > 7 * 86400000LL) {
		fprintf(stderr, "tentacle server: -redial-interval: 1s to 168h "
		    "(or 0: no periodic redial)\n");
		return (2);
	}
	if (grace > 86400000LL) {
		fprintf(stderr, "tentacle server: -redial-grace: at most "
		    "24h\n");
		return (2);
	}
	if (seslife < 1000) {
		fprintf(stderr, "tentacle server: -session-max-life: at least "
		    "1s\n");
		return (2);
	}
	hub.conf.session_life_us = (uint64_t)seslife * 1000;
	hub_limits_auto();
	if ((hub.conf.tls_crt == NULL) != (hub.conf.tls_key == NULL)) {
		fprintf(stderr, "tentacle server: -tlsCrt and -tlsKey go "
		    "together\n");
		return (2);
	}
	if (hub.conf.insecure && hub.conf.tls_crt != NULL) {
		fprintf(stderr, "tentacle server: -insecure and -tlsCrt "
		    "contradict each other\n");
		return (2);
	}
	if (hub_tls_setup() == -1)
		return (1);
	if (log_init(logdest, level, "tentacled", &cause) == -1) {
		fprintf(stderr, "tentacle server: %s\n", cause);
		free(cause);
		return (1);
	}
	if (pooldeny != NULL && hub_deny_parse(pooldeny, &cause) == -1) {
		fprintf(stderr, "tentacle server: -pool-deny: %s\n", cause);
		free(cause);
		return (2);
	}
	auth_open_proxy_set(hub.conf.open_proxy);
	if (allow != NULL && auth_allow_parse(allow, &cause) == -1) {
		fprintf(stderr, "tentacle server: -allow: %s\n", cause);
		free(cause);
		return (2);
	}
	if (hub.conf.users_path != NULL &&
	    auth_users_load(hub.conf.users_path, &cause) == -1) {
		fprintf(stderr, "tentacle server: -users: %s\n", cause);
		free(cause);
		return (1);
	}
	if (hub.conf.tokens_path != NULL && token_set_load(hub.conf.tokens_path,
	    &hub.tokens, &cause) == -1) {
		fprintf(stderr, "tentacle server: -tokens: %s\n", cause);
		free(cause);
		return (1);
	}

	core_init();
	hub.listeners[0] = core_listen(hub.conf.control_addr,
	    hub_ctl_accept, NULL, &cause);
	if (hub.listeners[0] == NULL)
		goto fail;
	hub.listeners[1] = core_listen(hub.conf.data_addr,
	    hub_dlink_accept, NULL, &cause);
	if (hub.listeners[1] == NULL)
		goto fail;
	hub.data_port = core_listener_port(hub.listeners[1]);
	if (core_addr_parse(hub.conf.data_addr, &ss, &sslen, &cause) == 0 &&
	    !(ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr)) &&
	    !(ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_addr.s_addr == INADDR_ANY)) {
		/* A specific data address: tell nodes to use it. */
		char *colon, buf[64];

		strlcpy(buf, core_listener_name(hub.listeners[1]),
		    sizeof buf);
		if ((colon = strrchr(buf, ':')) != NULL)
			*colon = '\0';
		if (buf[0] == '[') {
			memmove(buf, buf + 1, strlen(buf));
			buf[strlen(buf) - 1] = '\0';
		}
		strlcpy(hub.data_host, buf, sizeof hub.data_host);
	}
	if (advertise != NULL && hub_advertise(advertise, &cause) == -1)
		goto fail;
	free(cause);
	cause = NULL;
	if (strcmp(hub.conf.socks_addr, "none") != 0 &&
	    hub.conf.socks_addr[0] != '\0') {
		hub.listeners[2] = core_listen(hub.conf.socks_addr,
		    hub_socks_accept, NULL, &cause);
		if (hub.listeners[2] == NULL)
			goto fail;
	}
	if (strcmp(hub.conf.http_addr, "none") != 0 &&
	    hub.conf.http_addr[0] != '\0') {
		hub.listeners[3] = core_listen(hub.conf.http_addr,
		    hub_http_accept, NULL, &cause);
		if (hub.listeners[3] == NULL)
			goto fail;
	}
	if (hub_admin_listen(&cause) == -1)
		goto fail;
	core_signal(SIGINT, hub_shutdown_cb, NULL);
	core_signal(SIGTERM, hub_shutdown_cb, NULL);
	core_signal(SIGHUP, hub_hup_cb, NULL);

	for (rc = 0; rc < 4; rc++) {
		names[rc] = hub.listeners[rc] != NULL ?
		    core_listener_name(hub.listeners[rc]) : "off";
		if (rc >= 2 && hub.listeners[rc] != NULL &&
		    strncmp(names[rc], "127.", 4) != 0 &&
		    strncmp(names[rc], "[::1]", 5) != 0)
			loopback_only = !hub.conf.open_proxy;
	}
	if (hub.conf.users_path != NULL)
		log_info("proxy users: %zu from %s; every proxy client logs "
		    "in%s", auth_users_count(), hub.conf.users_path,
		    allow != NULL ? " unless its address is in -allow" : "");
	else if (loopback_only)
		log_info("proxy ports listen on every address but serve "
		    "loopback clients only%s; give -users FILE (or -allow, "
		    "or -open-proxy) to serve others", allow != NULL ?
		    " and -allow networks" : "");
	else if (hub.conf.open_proxy)
		log_warnx("-open-proxy: anyone who can reach the proxy ports "
		    "can use the exit nodes");
	log_info("%s: hub starting", version_string());
	if (hub.tls != NULL)
		log_info("hub key fingerprint %s (nodes pin it with "
		    "-fingerprint or trust it on first use)",
		    tls_conf_fingerprint(hub.tls));
	else
		log_warnx("-insecure: links to nodes are plaintext: tokens "
		    "are safe (HMAC) but relayed bytes and targets are not");
	if (hub.conf.tokens_path != NULL)
		log_info("nodes authenticate with %zu tokens from %s",
		    hub.tokens.ts_n, hub.conf.tokens_path);
	else
		log_info("no -tokens file: nodes are accepted from 127.0.0.1 "
		    "and ::1 only");
	log_info("hub ready: control=%s data=%s socks=%s http=%s admin=%s",
	    names[0], names[1], names[2], names[3], hub.listeners[4] != NULL ?
	    core_listener_name(hub.listeners[4]) : "off");
	core_loop();
	log_info("hub: stopped");
	return (0);
fail:
	fprintf(stderr, "tentacle server: %s\n", cause);
	log_error("%s", cause);
	free(cause);
	return (1);
}
