/*
 * hub.c: the hub process (`tentacle server`).  Owns its flags, start-up
 * (listeners, TLS, tokens, users), the signals (shutdown, SIGHUP), the
 * guard log, and what every part of the hub sends (frames, WELCOME) or
 * opens (node links before their handshake).  Its parts share hub.h; the
 * proxy fronts (hub_socks.c, hub_http.c) call hub_dial() and give its
 * answer's exit to a relay (relay.c): they never see a node.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#define LOG_EVERY_US	(10ULL * 1000000)	/* refusals logged once per */
#define HUB_CONF_DEFAULT "/etc/tentacle/hub.conf"	/* -config default */

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
	.max_clients = -1,		/* "auto": hub_limits_auto() */
	.max_conns_per_ip = 256,
	.max_conns_per_user = 1024,
	.redial_interval_ms = 60000,
	.redial_grace_ms = 30000,
	.max_sessions_per_user = 4096,
	.max_handshakes = -1,		/* "auto" too */
	.max_handshakes_per_ip = 64,
	.spare_max = 64,
	.link_reuse = 1,
	.session_life_us = SESSION_LIFE_MS * 1000ULL,
};

struct hub	 hub;

static void	hub_guard_log_cb(evutil_socket_t, short, void *);
static int	hub_check_schedule(void);
static void	hub_conf_reload(void);
static void	hub_limits_auto(void);

/* see hub.h */
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

/* see hub.h */
struct bufferevent *
hub_bev_new(int fd, const char *peer)
{
	struct bufferevent	*bev;
	char			*cause = NULL;

	if ((bev = bufferevent_socket_new(core_base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: out of memory; dropping the connection", peer);
		evutil_closesocket(fd);
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

/* see hub.h */
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
			core_ms_tv(&tv, (int)((g->logged_us + LOG_EVERY_US -
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

/* see hub.h */
void
hub_guard_expired(void)
{
	hub.guard.hs_expired++;
	hub_guard_log();
}

static void
hub_guard_log_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	hub_guard_log();
}

/* see hub.h */
struct limit_hold *
hub_link_hold(int fd, struct sockaddr *sa)
{
	struct limit_hold	*h;
	int			 why;

	h = limit_link_open(sa, hub.conf.max_handshakes,
	    hub.conf.max_handshakes_per_ip, &why);
	if (h == NULL) {
		evutil_closesocket(fd);
		hub.guard.hs_refused++;
		hub_guard_log();
	}
	return (h);
}

void
hub_welcome(struct bufferevent *bev, uint32_t id, const uint8_t *cookie,
    uint8_t status)
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
	/* Only to a node that offered STATUS: an older one would choke. */
	if (status != 0)
		wl.status = FRAME_STATUS_VERSION;
	hub_send(bev, buf, frame_welcome_encode(buf, &wl));
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
		xasprintf(cause, "-tunnel-advertise %s: expected IP:PORT",
		    addr);
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

/*
 * A token's name= or pools= with a '-' matches no node of this version
 * (a '-' separates the user name's keys, doc/routing.md): say so, naming
 * the line, instead of letting the restriction refuse nodes silently.
 */
static void
hub_tokens_check(const struct token_set *ts)
{
	const struct token	*t;
	size_t			 i;
	int			 k;

	for (i = 0; i < ts->ts_n; i++) {
		t = &ts->ts_v[i];
		if (strchr(t->t_name, '-') != NULL)
			log_warnx("%s:%d: name=%s has a '-': node names with "
			    "a '-' cannot be routed and nodes of this version "
			    "refuse them, so it matches older nodes only",
			    hub.conf.tokens_path, t->t_line, t->t_name);
		for (k = 0; k < t->t_npools; k++) {
			if (strchr(t->t_pools[k], '-') != NULL)
				log_warnx("%s:%d: pools= names \"%s\", which "
				    "has a '-': nodes of this version refuse "
				    "such a pool, so it matches older nodes "
				    "only", hub.conf.tokens_path, t->t_line,
				    t->t_pools[k]);
		}
	}
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
		if (strchr(words[i], '-') != NULL)
			log_warnx("-pool-deny: pool \"%s\" has a '-', which "
			    "the user name syntax cannot route: nodes of this "
			    "version refuse such a pool, so the entry applies "
			    "to older nodes only (doc/routing.md)", words[i]);
		strlcpy(hub.deny[i].pool, words[i],
		    sizeof hub.deny[i].pool);
		if (acl_entry_parse(eq, &hub.deny[i].entry, cause) == -1)
			return (-1);
	}
	hub.ndeny = n;
	return (0);
}

/* The end of the shutdown grace, or a second signal: cut what is left. */
static void
hub_stop_now(const char *why)
{
	struct timeval	 tv = { 0, 200000 };
	u_int		 cut;

	if (hub.stop_ev != NULL)
		evtimer_del(hub.stop_ev);
	hub_node_ids_flush();
	cut = relay_close_all("hub stopping", 0);
	hub_acct_flush();	/* with the cut relays' last bytes */
	if (hub.stop_relays > 0 || cut > 0)
		log_info("hub: %s: %u relays finished, %u cut", why,
		    hub.stop_relays > cut ? hub.stop_relays - cut : 0, cut);
	event_base_loopexit(core_base, &tv);
}

/* Every 100 ms of the grace: done when the last relay ended. */
static void
hub_stop_check_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct timeval	 tv = { 0, 100000 };

	/* A keep-alive connection whose request just ended has no more. */
	relay_close_all("hub stopping: idle keep-alive", 1);
	if (relay_count() == 0)
		hub_stop_now("all relays done");
	else if (core_now_us() >= hub.stop_us)
		hub_stop_now("grace over");
	else
		evtimer_add(hub.stop_ev, &tv);
}

/*
 * SIGTERM or SIGINT: stop accepting, BYE(shutdown) to every node (it
 * retries soon), close idle HTTP keep-alive connections, let the other
 * relays finish for -shutdown-grace; a second signal stops at once.
 */
static void
hub_shutdown_cb(int sig, void *arg __unused)
{
	struct node	*n, *ntmp;
	struct timeval	 tv = { 0, 0 };
	int		 grace = hub.conf.shutdown_grace_ms;
	u_int		 i;

	if (hub.stopping++) {
		log_info("hub: second signal %d: stopping now", sig);
		hub_stop_now("stopped at once");
		return;
	}
	for (i = 0; i < nitems(hub.listeners); i++) {
		core_listener_close(hub.listeners[i]);
		hub.listeners[i] = NULL;
	}
	hub_admin_close();
	TAILQ_FOREACH_SAFE(n, &hub.nodes, n_entry, ntmp)
		hub_node_close(n, FRAME_BYE_SHUTDOWN, "hub shutting down");
	relay_close_all("hub stopping: idle keep-alive", 1);
	hub.stop_relays = relay_count();
	if (grace <= 0 || hub.stop_relays == 0) {
		if (hub.stop_relays == 0)
			log_info("hub: signal %d: stopping: no relays running",
			    sig);
		else
			log_info("hub: signal %d: stopping: %u relays running, "
			    "cut at once (-shutdown-grace 0)", sig,
			    hub.stop_relays);
		hub_stop_now("stopped");
		return;
	}
	log_info("hub: signal %d: stopping: %u relays running, waiting up to "
	    "%d%s (a second signal stops now)", sig, hub.stop_relays,
	    grace % 1000 == 0 ? grace / 1000 : grace,
	    grace % 1000 == 0 ? "s" : "ms");
	hub.stop_us = core_now_us() + (uint64_t)grace * 1000;
	if ((hub.stop_ev = evtimer_new(core_base, hub_stop_check_cb,
	    NULL)) == NULL) {
		hub_stop_now("out of memory");
		return;
	}
	evtimer_add(hub.stop_ev, &tv);
}

static void
hub_hup_cb(int sig __unused, void *arg __unused)
{
	struct token_set	 ts;
	char			*cause = NULL;

	log_reopen();
	hub_conf_reload();
	if (auth_reload(&cause) == -1) {
		log_warnx("SIGHUP: keeping the old %zu proxy users: %s",
		    auth_users_count(), cause);
		free(cause);
		cause = NULL;
	} else if (hub.conf.users_path != NULL) {
		log_info("SIGHUP: %zu proxy users from %s", auth_users_count(),
		    hub.conf.users_path);
		hub_acct_reload();
	}
	if (auth_admins_reload(&cause) == -1) {
		log_warnx("SIGHUP: keeping the old %zu admin accounts: %s",
		    auth_admins_count(), cause);
		free(cause);
		cause = NULL;
	} else if (hub.conf.admins_path != NULL && auth_admins_count() == 0)
		log_warnx("SIGHUP: %s has no admin accounts now: only the "
		    "cookie logs in on the admin port", hub.conf.admins_path);
	else if (hub.conf.admins_path != NULL)
		log_info("SIGHUP: %zu admin accounts from %s",
		    auth_admins_count(), hub.conf.admins_path);
	if (hub.conf.tokens_path != NULL) {
		if (token_set_load(hub.conf.tokens_path, &ts, &cause) == -1) {
			log_warnx("SIGHUP: keeping the old tokens: %s", cause);
			free(cause);
		} else {
			hub_tokens_check(&ts);
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

/*
 * A start-up step failed: "tentacle server: [what: ]cause" for the
 * operator.  Frees cause; returns -1.
 */
static int
hub_fail(const char *what, char *cause)
{
	if (what != NULL)
		fprintf(stderr, "tentacle server: %s: %s\n", what, cause);
	else
		fprintf(stderr, "tentacle server: %s\n", cause);
	free(cause);
	return (-1);
}

/*
 * The flags as typed, before hub_check() resolves them into hub.conf (the
 * others point into hub.conf directly).  Start-up only.
 */
static struct hub_flags {
	const char	*config;
	const char	*logdest;
	const char	*loglevel;
	const char	*logformat;
	int		 level;		/* from loglevel */
	const char	*allow;		/* -allow-clients */
	const char	*allow_old;	/* -allow, its old name */
	const char	*pooldeny;
	const char	*advertise;
	const char	*schedule;
	int64_t		 handshake, dial, heartbeat, idle, httpidle;
	int64_t		 redial, grace, seslife, stopgrace;
} hub_flags = {
	.stopgrace = 10000,
	.logdest = "stdout",
	.loglevel = "INFO",
	.schedule = "least-conn",
	.handshake = HANDSHAKE_MS,
	.dial = DIAL_MS,
	.heartbeat = HEARTBEAT_MS,
	.httpidle = 60000,
	.redial = 60000,
	.grace = 30000,
	.seslife = SESSION_LIFE_MS,
};

static struct opt hub_opts[] = {
	{ "config", OPT_STRING, &hub_flags.config, "Configuration file: "
	    "\"key: value\" lines, a key for each flag here (its name "
	    "without the dash, '_' or '-' between words); a flag beats the "
	    "file (none: no file)", "$TENTACLE_HUB_CONFIG, else "
	    HUB_CONF_DEFAULT ", if there", 0, 0, 0 },
	{ "controlAddr", OPT_STRING, &hub.conf.control_addr,
	    "Public address listening for tentacle client",
	    "\":4442\"", 0, 0, 0 },
	{ "tunnelAddr", OPT_STRING, &hub.conf.data_addr,
	    "Public address listening for tentacle request "
	    "(data links)", "\":4443\"", 0, 0, 0 },
	{ "tunnel-advertise", OPT_STRING, &hub_flags.advertise, "Data address "
	    "nodes are told to use, IP:PORT (behind NAT or a relay; "
	    "default: the control link's address and -tunnelAddr's "
	    "port)", NULL, 0, 0, 0 },
	{ "socketAddr", OPT_STRING, &hub.conf.socks_addr,
	    "Public address listening for socks5 and socks4 proxy (none: "
	    "off)",
	    "\":8888\"", 0, 0, 0 },
	{ "httpAddr", OPT_STRING, &hub.conf.http_addr,
	    "Public address listening for http proxy (none: off)",
	    "\":8887\"", 0, 0, 0 },
	{ "mixedAddr", OPT_STRING, &hub.conf.mixed_addr, "Address of one "
	    "port for SOCKS4, SOCKS5 and HTTP, told apart by the first byte "
	    "(e.g. :1080; default: off)", NULL, 0, 0, 0 },
	LOG_OPTS(&hub_flags.logdest, &hub_flags.loglevel),
	{ "log-format", OPT_STRING, &hub_flags.logformat, "Log lines as "
	    "text, or json: one object a line, a relay's fields as keys",
	    "\"text\"", 0, 0, 0 },
	{ "shutdown-grace", OPT_DURATION, &hub_flags.stopgrace, "On SIGTERM "
	    "or SIGINT, how long running relays get to finish (0: stop at "
	    "once; a second signal stops now)", "10s", 0, 0, 0 },
	{ "redial-interval", OPT_DURATION, &hub_flags.redial, "Redial interval "
	    "for each tentacler that has a redial action (each node's "
	    "randomised to 75-125 %; 0: only 'tentacle redial')",
	    "1m0s", 0, 0, 0 },
	{ "redial-grace", OPT_DURATION, &hub_flags.grace, "How long a node "
	    "about to redial gets to finish its relays (it takes no "
	    "new requests meanwhile)", "30s", 0, 0, 0 },
	{ "session-max-life", OPT_DURATION, &hub_flags.seslife, "Longest a "
	    "sticky session lasts, however often it is used",
	    "24h0m0s", 0, 0, 0 },
	{ "tlsCrt", OPT_STRING, &hub.conf.tls_crt,
	    "Path to a TLS certificate file (PEM chain; default: a "
	    "self-signed one in -state-dir)", NULL, 0, 0, 0 },
	{ "tlsKey", OPT_STRING, &hub.conf.tls_key,
	    "Path to a TLS key file (PEM, RSA or EC)", NULL, 0, 0, 0 },
	{ "state-dir", OPT_STRING, &hub.conf.state_dir,
	    "Directory for the hub's own key and certificate, admin socket "
	    "and node ids", "$TENTACLE_STATE_DIR, else /var/lib/tentacle "
	    "(root), ~/.tentacle", 0, 0, 0 },
	{ "insecure", OPT_BOOL, &hub.conf.insecure, "Plaintext "
	    "links to nodes (nodes need insecure: true too); trusted "
	    "networks and benchmarks only", NULL, 0, 0, 0 },
	{ "tokens", OPT_STRING, &hub.conf.tokens_path, "File of node "
	    "tokens, one per line (without it: nodes from 127.0.0.1 and ::1 "
	    "only)",
	    NULL, 0, 0, 0 },
	{ "users", OPT_STRING, &hub.conf.users_path, "Proxy users file "
	    "(lines from 'tentacle passwd'); every proxy client must "
	    "log in, loopback too, unless in -allow-clients", NULL, 0, 0,
	    0 },
	{ "allow-clients", OPT_STRING, &hub_flags.allow, "Proxy client "
	    "networks served without credentials: CIDR,... (a node's "
	    "-allow names destinations)", NULL, 0, 0, 0 },
	{ "allow", OPT_STRING, &hub_flags.allow_old, "Old name of "
	    "-allow-clients (deprecated)", NULL, 0, 0, 0 },
	{ "pool-deny", OPT_STRING, &hub_flags.pooldeny, "Destinations the "
	    "nodes of a pool must refuse on top of their own policy: "
	    "POOL=CIDR|:PORT,... (POOL * for all)", NULL, 0, 0, 0 },
	{ "open-proxy", OPT_BOOL, &hub.conf.open_proxy,
	    "Without -users: serve proxy users from any address, not "
	    "only loopback", NULL, 0, 0, 0 },
	{ "via", OPT_BOOL, &hub.conf.via, "HTTP proxy: add a Via "
	    "header (RFC 9110 7.6.3)", NULL, 0, 0, 0 },
	{ "handshake-timeout", OPT_DURATION, &hub_flags.handshake, "Time a new "
	    "connection has to finish its handshake", "10s", 0, 0,
	    0 },
	{ "dial-timeout", OPT_DURATION, &hub_flags.dial, "Time an exit node "
	    "has to connect to a target", "15s", 0, 0, 0 },
	{ "heartbeat", OPT_DURATION, &hub_flags.heartbeat, "Heartbeat "
	    "interval; a node silent for 3 intervals is dropped", "5s", 0,
	    0, 0 },
	{ "idle-timeout", OPT_DURATION, &hub_flags.idle, "Close relays idle "
	    "this long (0: never)", "0s", 0, 0, 0 },
	{ "http-idle-timeout", OPT_DURATION, &hub_flags.httpidle, "Close idle "
	    "HTTP keep-alive client connections after this",
	    "1m0s", 0, 0, 0 },
	{ "max-relays-per-node", OPT_INT,
	    &hub.conf.max_relays_per_node, "Relays and dials one "
	    "node carries at once; a node at the limit is skipped "
	    "(0: no limit)", "16384", 0, 10000000, 0 },
	{ "pool-max", OPT_INT, &hub.conf.spare_max, "Idle spare data "
	    "links one node may keep open to the hub (0: no spare "
	    "links)", "64", 0, 65535, 0 },
	{ "link-reuse", OPT_BOOL, &hub.conf.link_reuse, "Relay SOCKS and "
	    "CONNECT requests on spare links in chunks, so a link that "
	    "carried a short one carries the next (false: one link per "
	    "request)", "true", 0, 0, 0 },
	{ "schedule", OPT_STRING, &hub_flags.schedule, "How a request's node "
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
	    "user and group; none: off), or a loopback HOST:PORT "
	    "(cookie in STATE-DIR/" ADMIN_COOKIE_FILE ")",
	    COMPAT_ADMIN_HELP, 0, 0, 0 },
	{ "adminAddr", OPT_STRING, &hub.conf.admin_addr, "A HOST:PORT "
	    "where the admin API and the dashboard answer too, beside "
	    "-admin's socket: on loopback plain HTTP (the cookie in "
	    "STATE-DIR/" ADMIN_COOKIE_FILE "), elsewhere TLS and "
	    "-admins accounts (doc/admin.md)", NULL, 0, 0, 0 },
	{ "admins", OPT_STRING, &hub.conf.admins_path, "Admin accounts "
	    "file (lines from 'tentacle passwd -admin'): names and "
	    "passwords that log in to -adminAddr (HTTP Basic)", NULL, 0,
	    0, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
};

/*
 * The config file (-config): what it says by hub_opts row (NULL: nothing;
 * a string flag's value points here), the flags' defaults (what SIGHUP
 * puts back when a key goes), and the path read (NULL: none).
 */
static char		*hub_file[nitems(hub_opts)];
static union opt_value	 hub_file_default[nitems(hub_opts)];
static const char	*hub_conf_path;

/*
 * The keys SIGHUP applies: read per request or per connection (and the
 * log level).  A change to any other key is logged as needing a restart.
 */
static const char *const hub_live[] = {
	"log-level", "allow-clients", "allow", "open-proxy", "via",
	"idle-timeout", "http-idle-timeout", "dial-retries", "max-pending-dials",
	"max-relays-per-node", "max-clients", "max-conns-per-ip",
	"max-conns-per-user", "max-sessions-per-user", "max-handshakes",
	"max-handshakes-per-ip",
};

/* One "key: value" of the config file into the values arg. */
static int
hub_conf_cb(const char *key, const char *value, void *arg, char **cause)
{
	char		**vals = arg;
	struct opt	 *o;

	if ((o = opt_conf_find(hub_opts, key)) == NULL) {
		xasprintf(cause, "unknown key \"%s\" (the keys are the "
		    "flags of 'tentacle server -h' without the dash)", key);
		return (-1);
	}
	if (o->ptr == &hub_flags.config) {
		xasprintf(cause, "%s: not a key (-config names this file)",
		    key);
		return (-1);
	}
	if (opt_value_check(o, key, value, cause) == -1)
		return (-1);
	free(vals[o - hub_opts]);
	vals[o - hub_opts] = xstrdup(value);
	return (0);
}

/*
 * The config file into vals: -config (it must exist), else the default
 * path ($TENTACLE_HUB_CONFIG, else HUB_CONF_DEFAULT) if there is a file.
 * 0 (also: no file), or -1 with *cause.
 */
static int
hub_conf_read(char **vals, char **cause)
{
	const char	*path = hub_flags.config, *def;

	hub_conf_path = NULL;
	if (path != NULL && (strcmp(path, "none") == 0 || *path == '\0'))
		return (0);
	if (path == NULL) {
		if ((def = getenv("TENTACLE_HUB_CONFIG")) == NULL ||
		    *def == '\0')
			def = HUB_CONF_DEFAULT;
		if (access(def, F_OK) == -1)
			return (0);
		path = def;
	}
	hub_conf_path = path;
	return (opt_conf_load(path, hub_conf_cb, vals, cause));
}

/*
 * Start-up: the file's values for the flags not given (flag beats file
 * beats default).  -1: what is wrong printed.
 */
static int
hub_conf_load(void)
{
	char	*cause = NULL;
	size_t	 i;

	if (hub_conf_read(hub_file, &cause) == -1)
		return (hub_fail(NULL, cause));
	for (i = 0; hub_opts[i].name != NULL; i++) {
		if (hub_file[i] != NULL && !hub_opts[i].set)
			opt_value_set(&hub_opts[i], hub_opts[i].name,
			    hub_file[i], NULL);
	}
	return (0);
}

/*
 * -allow-clients, or -allow (its old name).  A flag beats the file whatever
 * name either uses (never both flags); else allow-clients beats allow.
 * Not copied from one to the other: a SIGHUP may free the old one's
 * string.
 */
static const char *
hub_allow_clients(void)
{
	if (opt_find(hub_opts, "allow")->set &&
	    !opt_find(hub_opts, "allow-clients")->set)
		return (hub_flags.allow_old);
	return (hub_flags.allow != NULL ? hub_flags.allow :
	    hub_flags.allow_old);
}

/* Both names have a value and neither is a flag: say which one counts. */
static int
hub_allow_both_in_file(void)
{
	return (hub_flags.allow != NULL && hub_flags.allow_old != NULL &&
	    !opt_find(hub_opts, "allow")->set &&
	    !opt_find(hub_opts, "allow-clients")->set);
}

/*
 * What a live key's new value means, resolved again as at start-up.
 * Returns the keys refused (HUB_APPLY_*): their old meaning stays.
 */
#define HUB_APPLY_LEVEL	0x1
#define HUB_APPLY_ALLOW	0x2
static int
hub_conf_apply(void)
{
	char	*cause = NULL;
	int	 level, refused = 0;

	if (log_level_parse(hub_flags.loglevel, &level) == -1) {
		log_warnx("SIGHUP: log-level \"%s\" is not one of DEBUG, "
		    "INFO, WARNING, ERROR; the level stays", hub_flags.loglevel);
		refused |= HUB_APPLY_LEVEL;
	} else
		log_level_set(level);
	if (hub_allow_both_in_file())
		log_warnx("SIGHUP: allow and allow-clients both given; "
		    "allow-clients wins (allow is its old name)");
	if (auth_allow_parse(hub_allow_clients() != NULL ?
	    hub_allow_clients() : "", &cause) == -1) {
		log_warnx("SIGHUP: allow: %s; the old list stays", cause);
		free(cause);
		refused |= HUB_APPLY_ALLOW;
	}
	auth_open_proxy_set(hub.conf.open_proxy);
	hub.conf.idle_ms = (int)(hub_flags.idle > INT32_MAX ? INT32_MAX :
	    hub_flags.idle);
	hub.conf.http_idle_ms = (int)(hub_flags.httpidle > INT32_MAX ?
	    INT32_MAX : hub_flags.httpidle);
	hub_limits_auto();
	return (refused);
}

/*
 * SIGHUP: the config file again.  Live keys (hub_live) take their new
 * value, or their default when gone; a flag still beats the file; other
 * changes are logged as needing a restart.  A file with an error changes
 * nothing.
 */
static void
hub_conf_reload(void)
{
	char		*vals[nitems(hub_opts)], *cause = NULL;
	struct opt	*o;
	char		 applied[nitems(hub_opts)];
	size_t		 i, k;
	int		 live, refused;

	memset(vals, 0, sizeof vals);
	memset(applied, 0, sizeof applied);
	if (hub_conf_read(vals, &cause) == -1) {
		log_warnx("SIGHUP: %s; the configuration stays as it was",
		    cause);
		free(cause);
		for (i = 0; i < nitems(vals); i++)
			free(vals[i]);
		return;
	}
	for (i = 0; hub_opts[i].name != NULL; i++) {
		o = &hub_opts[i];
		if (vals[i] == hub_file[i] || (vals[i] != NULL &&
		    hub_file[i] != NULL && strcmp(vals[i], hub_file[i]) == 0)) {
			free(vals[i]);
			continue;
		}
		for (live = 0, k = 0; k < nitems(hub_live); k++)
			live |= strcmp(hub_live[k], o->name) == 0;
		if (o->set)
			log_info("SIGHUP: %s changed in the config file; -%s "
			    "on the command line still wins", o->name, o->name);
		else if (!live) {
			log_warnx("SIGHUP: %s changed in %s; it needs a "
			    "restart (the hub keeps the value it started "
			    "with)", o->name, hub_conf_path != NULL ?
			    hub_conf_path : "the config file");
			free(vals[i]);
			continue;
		} else {
			if (vals[i] != NULL)
				opt_value_set(o, o->name, vals[i], NULL);
			else
				opt_value_put(o, &hub_file_default[i]);
			applied[i] = 1;
		}
		free(hub_file[i]);
		hub_file[i] = vals[i];
	}
	refused = hub_conf_apply();
	for (i = 0; hub_opts[i].name != NULL; i++) {
		o = &hub_opts[i];
		if (((refused & HUB_APPLY_LEVEL) &&
		    strcmp(o->name, "log-level") == 0) ||
		    ((refused & HUB_APPLY_ALLOW) &&
		    strncmp(o->name, "allow", 5) == 0))
			continue;
		if (applied[i])		/* after: at the new log level */
			log_info("SIGHUP: %s: %s", hub_opts[i].name,
			    hub_file[i] != NULL ? hub_file[i] :
			    "back to its default");
	}
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
hub_usage(FILE *fp)
{
	fprintf(fp, "usage: tentacle server [flags]   (also: tentacled "
	    "[flags])\n\nRun the hub: exit nodes connect to the control and "
	    "data ports, proxy\nusers to the SOCKS5 and HTTP ports.\n\n"
	    "Flags:\n");
	opt_usage(fp, hub_opts);
}

/*
 * The command line into hub_flags and hub.conf: 0, OPT_HELP (usage
 * printed) or -1 (what is wrong printed, and the usage).
 */
static int
hub_parse(int argc, char **argv)
{
	char	*cause = NULL;
	int	 ind = 1, rc;
	size_t	 i;

	for (i = 0; hub_opts[i].name != NULL; i++) {
		/* Two flags must never be one config key (-foo-bar, -fooBar). */
		if (opt_conf_find(hub_opts, hub_opts[i].name) != &hub_opts[i])
			fatalx("internal: -%s and -%s are one config key",
			    opt_conf_find(hub_opts, hub_opts[i].name)->name,
			    hub_opts[i].name);
		opt_value_get(&hub_opts[i], &hub_file_default[i]);
	}
	rc = opt_parse(hub_opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		hub_usage(stdout);
		return (OPT_HELP);
	}
	if (rc == -1) {
		hub_fail(NULL, cause);
		hub_usage(stderr);
		return (-1);
	}
	if (ind < argc) {
		fprintf(stderr, "tentacle server: unexpected argument \"%s\"\n",
		    argv[ind]);
		hub_usage(stderr);
		return (-1);
	}
	return (hub_conf_load());
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

/* The durations into hub.conf, in range; -1: what is wrong printed. */
static int
hub_check_times(void)
{
	struct hub_flags	*fl = &hub_flags;

	if (hub_ms("handshake-timeout", fl->handshake,
	    &hub.conf.handshake_ms) == -1 ||
	    hub_ms("dial-timeout", fl->dial, &hub.conf.dial_ms) == -1 ||
	    hub_ms("heartbeat", fl->heartbeat, &hub.conf.heartbeat_ms) == -1 ||
	    hub_ms("idle-timeout", fl->idle, &hub.conf.idle_ms) == -1 ||
	    hub_ms("http-idle-timeout", fl->httpidle,
	    &hub.conf.http_idle_ms) == -1)
		return (-1);
	if (hub_check_schedule() == -1)
		return (-1);
	if (hub.conf.handshake_ms < 1 || hub.conf.dial_ms < 1 ||
	    hub.conf.heartbeat_ms < 50) {
		fprintf(stderr, "tentacle server: -handshake-timeout and "
		    "-dial-timeout must be above 0, -heartbeat at least "
		    "50ms\n");
		return (-1);
	}
	if (hub_ms("redial-interval", fl->redial,
	    &hub.conf.redial_interval_ms) == -1 ||
	    hub_ms("redial-grace", fl->grace,
	    &hub.conf.redial_grace_ms) == -1)
		return (-1);
	if ((fl->redial != 0 && fl->redial < 1000) ||
	    fl->redial > 7 * 86400000LL) {
		fprintf(stderr, "tentacle server: -redial-interval: 1s to 168h "
		    "(or 0: no periodic redial)\n");
		return (-1);
	}
	if (hub_ms("shutdown-grace", fl->stopgrace,
	    &hub.conf.shutdown_grace_ms) == -1)
		return (-1);
	if (fl->grace > 86400000LL) {
		fprintf(stderr, "tentacle server: -redial-grace: at most "
		    "24h\n");
		return (-1);
	}
	if (fl->seslife < 1000) {
		fprintf(stderr, "tentacle server: -session-max-life: at least "
		    "1s\n");
		return (-1);
	}
	hub.conf.session_life_us = (uint64_t)fl->seslife * 1000;
	return (0);
}

static int
hub_check_schedule(void)
{
	const char	*schedule = hub_flags.schedule;

	if (strcmp(schedule, "least-conn") == 0)
		hub.conf.schedule = SCHED_LEAST_CONN;
	else if (strcmp(schedule, "round-robin") == 0)
		hub.conf.schedule = SCHED_ROUND_ROBIN;
	else if (strcmp(schedule, "random") == 0)
		hub.conf.schedule = SCHED_RANDOM;
	else {
		fprintf(stderr, "tentacle server: -schedule: \"%s\" is not one "
		    "of least-conn, round-robin, random\n", schedule);
		return (-1);
	}
	return (0);
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

/*
 * The flags resolved into hub.conf and checked against each other; -1:
 * what is wrong printed (a usage error).
 */
static int
hub_check(void)
{
	if (log_level_parse(hub_flags.loglevel, &hub_flags.level) == -1) {
		fprintf(stderr, "tentacle server: -log-level: \"%s\" is not "
		    "one of DEBUG, INFO, WARNING, ERROR\n", hub_flags.loglevel);
		return (-1);
	}
	if (hub_flags.logformat != NULL &&
	    log_format_set(hub_flags.logformat) == -1) {
		fprintf(stderr, "tentacle server: -log-format: \"%s\": text or "
		    "json\n", hub_flags.logformat);
		return (-1);
	}
	if (hub_check_times() == -1)
		return (-1);
	hub_limits_auto();
	if ((hub.conf.tls_crt == NULL) != (hub.conf.tls_key == NULL)) {
		fprintf(stderr, "tentacle server: -tlsCrt and -tlsKey go "
		    "together\n");
		return (-1);
	}
	if (hub.conf.insecure && hub.conf.tls_crt != NULL) {
		fprintf(stderr, "tentacle server: -insecure and -tlsCrt "
		    "contradict each other\n");
		return (-1);
	}
	return (0);
}

/*
 * Who may use the proxy and the nodes' destinations: -pool-deny,
 * -open-proxy, -allow-clients.  -1: what is wrong printed (a usage error).
 */
static int
hub_policy_load(void)
{
	char	*cause = NULL;

	if (hub_flags.pooldeny != NULL &&
	    hub_deny_parse(hub_flags.pooldeny, &cause) == -1)
		return (hub_fail("-pool-deny", cause));
	auth_open_proxy_set(hub.conf.open_proxy);
	if (opt_find(hub_opts, "allow")->set &&
	    opt_find(hub_opts, "allow-clients")->set)
		return (hub_fail("-allow", xstrdup("give -allow-clients "
		    "only (-allow is its old name)")));
	if (hub_allow_both_in_file())
		log_warnx("allow and allow-clients both in the config file; "
		    "allow-clients wins (allow is its old name)");
	if (hub_flags.allow_old != NULL)
		log_warnx("-allow is deprecated on the hub: use -allow-clients "
		    "(client networks served without credentials; a node's "
		    "-allow names destinations)");
	if (hub_allow_clients() != NULL &&
	    auth_allow_parse(hub_allow_clients(), &cause) == -1)
		return (hub_fail(hub_allow_clients() == hub_flags.allow_old ?
		    "-allow" : "-allow-clients", cause));
	return (0);
}

/* The log (-log, -log-level); -1: what is wrong printed. */
static int
hub_log_open(void)
{
	char	*cause = NULL;

	if (log_init(hub_flags.logdest, hub_flags.level, "tentacled",
	    &cause) == -1)
		return (hub_fail(NULL, cause));
	return (0);
}

/* The users and tokens files; -1: what is wrong printed. */
static int
hub_files_load(void)
{
	char	*cause = NULL;

	if (hub.conf.users_path != NULL &&
	    auth_users_load(hub.conf.users_path, &cause) == -1)
		return (hub_fail("-users", cause));
	if (hub.conf.admins_path != NULL &&
	    auth_admins_load(hub.conf.admins_path, &cause) == -1)
		return (hub_fail("-admins", cause));
	if (hub.conf.tokens_path != NULL &&
	    token_set_load(hub.conf.tokens_path, &hub.tokens, &cause) == -1)
		return (hub_fail("-tokens", cause));
	hub_tokens_check(&hub.tokens);
	return (0);
}

/*
 * A specific data address (-tunnelAddr, not every address): WELCOME
 * tells nodes to use it.
 */
static void
hub_data_host(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*cause = NULL, *colon, buf[64];

	if (core_addr_parse(hub.conf.data_addr, &ss, &sslen, &cause) == -1) {
		free(cause);
		return;
	}
	if ((ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr)) ||
	    (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_addr.s_addr == INADDR_ANY))
		return;
	strlcpy(buf, core_listener_name(hub.listeners[HUB_LISTEN_DATA]),
	    sizeof buf);
	if ((colon = strrchr(buf, ':')) != NULL)
		*colon = '\0';
	if (buf[0] == '[') {
		memmove(buf, buf + 1, strlen(buf));
		buf[strlen(buf) - 1] = '\0';
	}
	strlcpy(hub.data_host, buf, sizeof hub.data_host);
}

/* A proxy front on addr unless it is NULL, "" or "none". */
static int
hub_front_listen(int i, const char *addr, char **cause)
{
	if (addr == NULL || strcmp(addr, "none") == 0 || addr[0] == '\0')
		return (0);
	hub.listeners[i] = core_listen(addr, hub_mixed_accept,
	    (void *)(intptr_t)i, cause);
	return (hub.listeners[i] == NULL ? -1 : 0);
}

/* Every listener, in hub.listeners[]; -1 with *cause. */
static int
hub_listen(char **cause)
{
	hub.listeners[HUB_LISTEN_CONTROL] = core_listen(hub.conf.control_addr,
	    hub_ctl_accept, NULL, cause);
	if (hub.listeners[HUB_LISTEN_CONTROL] == NULL)
		return (-1);
	hub.listeners[HUB_LISTEN_DATA] = core_listen(hub.conf.data_addr,
	    hub_dlink_accept, NULL, cause);
	if (hub.listeners[HUB_LISTEN_DATA] == NULL)
		return (-1);
	hub.data_port = core_listener_port(hub.listeners[HUB_LISTEN_DATA]);
	hub_data_host();
	if (hub_flags.advertise != NULL &&
	    hub_advertise(hub_flags.advertise, cause) == -1)
		return (-1);
	if (hub_front_listen(HUB_LISTEN_SOCKS, hub.conf.socks_addr,
	    cause) == -1 ||
	    hub_front_listen(HUB_LISTEN_HTTP, hub.conf.http_addr,
	    cause) == -1 ||
	    hub_front_listen(HUB_LISTEN_MIXED, hub.conf.mixed_addr,
	    cause) == -1)
		return (-1);
	return (hub_admin_listen(cause));
}

/* Who the proxy serves, as the operator should know it. */
static void
hub_ready_proxy(int loopback_only)
{
	const char	*allow = hub_allow_clients();

	if (hub.conf.users_path != NULL)
		log_info("proxy users: %zu from %s; every proxy client logs "
		    "in%s", auth_users_count(), hub.conf.users_path,
		    allow != NULL ? " unless its address is in -allow-clients" :
		    "");
	else if (loopback_only)
		log_info("proxy ports listen on every address but serve "
		    "loopback clients only%s; give -users FILE (or "
		    "-allow-clients, or -open-proxy) to serve others",
		    allow != NULL ? " and -allow-clients networks" : "");
	else if (hub.conf.open_proxy)
		log_warnx("-open-proxy: anyone who can reach the proxy ports "
		    "can use the exit nodes");
}

/* The start-up lines, the last of them the ready line tests wait for. */
static void
hub_ready(void)
{
	const char	*names[HUB_LISTENERS];
	int		 i, loopback_only = 0;

	for (i = 0; i < HUB_LISTENERS; i++) {
		names[i] = hub.listeners[i] != NULL ?
		    core_listener_name(hub.listeners[i]) : "off";
		if ((i == HUB_LISTEN_SOCKS || i == HUB_LISTEN_HTTP ||
		    i == HUB_LISTEN_MIXED) &&
		    hub.listeners[i] != NULL &&
		    strncmp(names[i], "127.", 4) != 0 &&
		    strncmp(names[i], "[::1]", 5) != 0)
			loopback_only = !hub.conf.open_proxy;
	}
	hub_ready_proxy(loopback_only);
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
	hub.started = time(NULL);
	log_info("hub ready: control=%s data=%s socks=%s http=%s admin=%s "
	    "mixed=%s%s%s", names[HUB_LISTEN_CONTROL], names[HUB_LISTEN_DATA],
	    names[HUB_LISTEN_SOCKS], names[HUB_LISTEN_HTTP],
	    names[HUB_LISTEN_ADMIN], names[HUB_LISTEN_MIXED],
	    hub.listeners[HUB_LISTEN_ADMIN_TCP] != NULL ? " api=" : "",
	    hub.listeners[HUB_LISTEN_ADMIN_TCP] != NULL ?
	    names[HUB_LISTEN_ADMIN_TCP] : "");
}

/* see tentacle.h: `tentacle server`, in steps. */
int
hub_main(int argc, char **argv)
{
	char	*cause = NULL;

	hub_init();
	switch (hub_parse(argc, argv)) {
	case OPT_HELP:
		return (0);
	case -1:
		return (2);
	}
	if (hub_check() == -1)
		return (2);
	if (hub_tls_setup() == -1 || hub_log_open() == -1)
		return (1);
	if (hub_policy_load() == -1)
		return (2);
	if (hub_files_load() == -1)
		return (1);
	core_init();
	core_fdmap_reserve();
	if (hub_listen(&cause) == -1) {
		log_error("%s", cause);
		hub_fail(NULL, cause);
		return (1);
	}
	hub_node_ids_load(hub.conf.state_dir != NULL ? hub.conf.state_dir :
	    core_state_dir());
	hub_acct_load(hub.conf.state_dir != NULL ? hub.conf.state_dir :
	    core_state_dir());
	core_signal(SIGINT, hub_shutdown_cb, NULL);
	core_signal(SIGTERM, hub_shutdown_cb, NULL);
	core_signal(SIGHUP, hub_hup_cb, NULL);
	hub_ready();
	core_loop();
	hub_acct_flush();
	log_info("hub: stopped");
	return (0);
}
