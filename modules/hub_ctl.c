/*
 * hub_ctl.c: a control-port connection until it is a node.  Owns the
 * handshake (deadline, HELLO, CHALLENGE and AUTH), the auth-failure
 * lockout, the node's identity (a name held by another token's node) and
 * the hand-over to hub_node.c.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "auth.h"
#include "frame.h"
#include "limit.h"
#include "route.h"
#include "tls.h"
#include "token.h"
#include "hub.h"

#define AUTHFAIL_MAX	5		/* failures ... */
#define AUTHFAIL_WINDOW	60000000ULL	/* ... per minute, per address */

static void	hub_ctl_free(struct ctl *);
static void	hub_ctl_close(struct ctl *, const char *);
static void	hub_ctl_timeout_cb(evutil_socket_t, short, void *);
static void	hub_ctl_event_cb(struct bufferevent *, short, void *);
static const struct peer_ops hub_ctl_hello_ops, hub_ctl_auth_ops;
static const char *hub_ctl_owner_str(const struct frame_hello *, char *,
		    size_t);
static int	hub_ctl_name_held(const struct frame_hello *, char *, size_t);
static void	hub_ctl_node(struct ctl *);
static struct ctl *hub_ctl_new(int, const char *);

/* A struct ctl for an accepted fd, its deadline armed; NULL: fd closed. */
static struct ctl *
hub_ctl_new(int fd, const char *peer)
{
	struct ctl	*c;
	struct timeval	 tv;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_warnx("control %s: out of memory, dropping a connection",
		    peer);
		evutil_closesocket(fd);
		return (NULL);
	}
	strlcpy(c->c_peer, peer, sizeof c->c_peer);
	/*
	 * Our own timer, not a bufferevent read timeout: it bounds the whole
	 * handshake (TLS, HELLO, AUTH), not the gaps between bytes.
	 */
	if ((c->c_timer = evtimer_new(core_base, hub_ctl_timeout_cb,
	    c)) == NULL) {
		log_warnx("control %s: out of memory", c->c_peer);
		evutil_closesocket(fd);
		free(c);
		return (NULL);
	}
	if ((c->c_bev = hub_bev_new(fd, c->c_peer)) == NULL) {
		event_free(c->c_timer);
		free(c);
		return (NULL);
	}
	peer_open(&c->c_frames, c->c_bev, &hub_ctl_hello_ops, c,
	    hub_ctl_event_cb);
	evtimer_add(c->c_timer, core_ms_tv(&tv, hub.conf.handshake_ms));
	bufferevent_enable(c->c_bev, EV_READ | EV_WRITE);
	return (c);
}

/*
 * Control port: every connection starts as a struct ctl until its HELLO
 * says it is a node.
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
	if ((c = hub_ctl_new(fd, peer)) == NULL) {
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
static void
hub_ctl_free(struct ctl *c)
{
	limit_close(c->c_hold);
	event_free(c->c_timer);
	free(c);
}

/* Frees c and closes its link (once a BYE queued is written). */
static void
hub_ctl_close(struct ctl *c, const char *why)
{
	if (why != NULL)
		log_info("control %s: closed: %s", c->c_peer, why);
	/* Before the TLS handshake nothing we write can go out. */
	if (hub.tls != NULL && !tls_handshake_done(c->c_bev))
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
	    c->c_state == CTL_AUTH ? "no AUTH" : hub.tls != NULL &&
	    !tls_handshake_done(c->c_bev) ? "TLS" : "no HELLO");
	hub_guard_expired();
	hub_bye(c->c_bev, FRAME_BYE_TIMEOUT, "handshake timeout");
	hub_ctl_close(c, NULL);
}

/*
 * Nodes without a token that left at the CHALLENGE: each logged at INFO,
 * at most 10 lines per 10 s; the rest are counted and said in one line
 * when the 10 s end (a flood of them must not flood the log).
 */
static struct {
	uint64_t	 window_us;
	u_int		 logged, held;
	struct event	*ev;
} notoken;

static void
hub_ctl_notoken_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	if (notoken.held > 0)
		log_info("control: %u more nodes without a token refused in "
		    "the last 10 s (not logged one by one)", notoken.held);
	notoken.held = notoken.logged = 0;
	notoken.window_us = 0;
}

static void
hub_ctl_notoken_log(const struct ctl *c)
{
	struct timeval	 tv = { 10, 0 };
	char		 name[4 * FRAME_NAME_MAX + 1];

	hub_event(HUB_EV_NODE_AUTH_FAILED, 0, "addr", c->c_ip, "name",
	    c->c_hello.name, "reason", "no token", NULL);
	if (notoken.window_us == 0) {
		notoken.window_us = core_now_us();
		if (notoken.ev == NULL)
			notoken.ev = evtimer_new(core_base,
			    hub_ctl_notoken_cb, NULL);
		if (notoken.ev != NULL)
			evtimer_add(notoken.ev, &tv);
	}
	if (notoken.logged >= 10 && notoken.ev != NULL) {
		notoken.held++;
		return;
	}
	notoken.logged++;
	log_escape(name, sizeof name, c->c_hello.name,
	    strlen(c->c_hello.name));
	log_info("control %s: node \"%s\" refused: it offered no token and "
	    "left at the challenge (this hub has -tokens: give the node "
	    "auth_token or -token)", c->c_peer, name);
}

static void
hub_ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl	*c = arg;

	if (tls_error(bev) != NULL)
		log_warnx("control %s: %s", c->c_peer, tls_error(bev));
	else if (c->c_state == CTL_AUTH && !c->c_hello.has_kid)
		hub_ctl_notoken_log(c);
	else
		log_debug("control %s: gone before WELCOME: %s", c->c_peer,
		    hub_bev_error(bev, what));
	bufferevent_free(c->c_bev);
	hub_ctl_free(c);
}

/* "token on line 3", or "no token": an owner, for a log line. */
static const char *
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
static int
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

/*
 * A node's name or pool that -node-/-pool- cannot select (a '-', from a
 * node older than the check; doc/routing.md): served, and said once as
 * the node joins.
 */
static void
hub_ctl_name_warn(const struct node *n, const char *peer)
{
	const struct frame_hello *h = &n->n_hello;
	char			 esc[4 * FRAME_NAME_MAX + 1];
	int			 i;

	if (!route_name_valid(h->name, FRAME_NAME_MAX)) {
		log_escape(esc, sizeof esc, h->name, strlen(h->name));
		log_warnx("node %u (%s) from %s: its name has a character "
		    "the user name syntax cannot route (-node-%s is "
		    "refused); route with -node-%u, or upgrade the node, "
		    "which makes its name routable", n->n_id, esc, peer, esc,
		    n->n_id);
	}
	for (i = 0; i < h->npools; i++) {
		if (route_name_valid(h->pools[i], FRAME_POOL_MAX))
			continue;
		log_escape(esc, sizeof esc, h->pools[i],
		    strlen(h->pools[i]));
		log_warnx("node %u from %s: pool \"%s\" cannot be selected "
		    "(a '-' separates the user name's keys): rename the "
		    "pool to A-Z a-z 0-9 . _", n->n_id, peer, esc);
	}
}

/*
 * c proved who it is (its HELLO, and AUTH when the hub has tokens): unless
 * a node of another owner holds its name, it becomes a registered node
 * (hub_node_open()).  Frees c either way.
 */
static void
hub_ctl_node(struct ctl *c)
{
	const struct frame_hello *h = &c->c_hello;
	struct node		*n;
	char			 who[300], mine[128];
	char			 name[4 * FRAME_NAME_MAX + 1];

	/* It was in its handshake when SIGTERM came: it retries soon. */
	if (hub.stopping) {
		hub_bye(c->c_bev, FRAME_BYE_SHUTDOWN, "hub shutting down");
		hub_ctl_close(c, "the hub is stopping");
		return;
	}
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
	if ((n = hub_node_new()) == NULL) {
		hub_bye(c->c_bev, FRAME_BYE_OVERLOADED, "out of memory");
		hub_ctl_close(c, "out of memory");
		return;
	}
	/* Its address is a node's now: its links pass the per-address cap. */
	n->n_hold = c->c_hold;
	c->c_hold = NULL;
	limit_link_trust(n->n_hold);
	hub_node_open(n, c->c_bev, h, c->c_peer, c->c_ip);
	hub_ctl_name_warn(n, c->c_peer);
	hub_ctl_free(c);
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
	hub_event(HUB_EV_NODE_AUTH_FAILED, 0, "addr", c->c_ip, "name",
	    c->c_hello.name, "reason", why, NULL);
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
			/* No token proven: the hub's machine is the owner. */
			c->c_hello.has_kid = 0;
			memset(c->c_hello.kid, 0, sizeof c->c_hello.kid);
			hub_ctl_node(c);
			return (0);
		}
		hub_ctl_authfail_note(c->c_ip);
		log_warnx("control %s: node refused: this hub has no tokens "
		    "file, so it accepts nodes from 127.0.0.1 and ::1 only "
		    "(start it with -tokens FILE)", c->c_peer);
		hub_event(HUB_EV_NODE_AUTH_FAILED, 0, "addr", c->c_ip, "name",
		    c->c_hello.name, "reason", "no tokens file", NULL);
		hub_bye(c->c_bev, FRAME_BYE_AUTH, "this hub accepts nodes "
		    "from 127.0.0.1 and ::1 only: it has no tokens file");
		hub_ctl_close(c, NULL);
		return (0);
	}
	if (hub_ctl_authfail_limited(c->c_ip)) {
		log_warnx("control %s: refused: %d failed authentications "
		    "from this address in the last minute", c->c_peer,
		    AUTHFAIL_MAX);
		hub_event(HUB_EV_NODE_AUTH_FAILED, 0, "addr", c->c_ip, "name",
		    c->c_hello.name, "reason", "too many failures", NULL);
		hub_bye(c->c_bev, FRAME_BYE_AUTH, "too many failed "
		    "authentications; wait a minute");
		hub_ctl_close(c, NULL);
		return (0);
	}
	evutil_secure_rng_get_bytes(c->c_nonce, sizeof c->c_nonce);
	hub_send(c->c_bev, buf, frame_blob_encode(buf, FRAME_CHALLENGE,
	    c->c_nonce, sizeof c->c_nonce));
	c->c_state = CTL_AUTH;
	peer_set_ops(&c->c_frames, &hub_ctl_auth_ops);
	return (1);
}

/* AUTH: HMAC(token, nonce, name) from the token the HELLO named. */
static void
hub_ctl_auth(struct ctl *c, const uint8_t *mac)
{
	const struct token	*t;
	uint8_t			 want[TOKEN_MAC_LEN];
	char			 text[400], name[4 * FRAME_NAME_MAX + 1];

	if (!c->c_hello.has_kid) {
		hub_ctl_auth_fail(c, "it has no token (set auth_token or "
		    "-token on the node)");
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
	/* It proved its token: tell it which restriction refuses it. */
	if (token_refusal(t, c->c_hello.name, c->c_hello.pools,
	    c->c_hello.npools, text, sizeof text) == -1) {
		log_escape(name, sizeof name, c->c_hello.name,
		    strlen(c->c_hello.name));
		log_warnx("control %s: node \"%s\" refused: %s (tokens file "
		    "line %d)", c->c_peer, name, text, t->t_line);
		hub_event(HUB_EV_NODE_AUTH_FAILED, 0, "addr", c->c_ip, "name",
		    c->c_hello.name, "reason", text, NULL);
		hub_bye(c->c_bev, FRAME_BYE_NOTALLOWED, text);
		hub_ctl_close(c, NULL);
		return;
	}
	log_debug("control %s: node %s authenticated (tokens file line %d)",
	    c->c_peer, c->c_hello.name, t->t_line);
	hub_ctl_node(c);
}

/* An admin HELLO (an older tentacle info) on the control port. */
static void
hub_ctl_wrong_port(struct ctl *c)
{
	char	 text[200];

	snprintf(text, sizeof text, "admin commands (info, drain, "
	    "undrain, redial) go to the hub's admin socket on its own "
	    "machine, not to the control port (doc/security.md)");
	log_warnx("control %s: refused: %s", c->c_peer, text);
	hub_bye(c->c_bev, FRAME_BYE_NOTALLOWED, text);
	hub_ctl_close(c, NULL);
}

/*
 * Each state's frame, off the input already: PEER_OK = c reads on in its
 * next state, PEER_GONE = c is gone, PEER_ERROR = a protocol error.
 */
static int
hub_ctl_read_hello(void *arg, const struct frame *f, const char **cause)
{
	struct ctl	*c = arg;

	switch (frame_hello_parse(f, &c->c_hello, cause)) {
	case 0:
		break;
	case FRAME_EMAGIC:
		hub_ctl_close(c, "not a tentacle peer (bad magic)");
		return (PEER_GONE);
	case FRAME_EVERSION:
		log_warnx("control %s: peer speaks protocol version %u, this "
		    "hub speaks %u; upgrade the older side", c->c_peer,
		    c->c_hello.version, FRAME_VERSION);
		hub_bye(c->c_bev, FRAME_BYE_VERSION,
		    "unsupported protocol version");
		hub_ctl_close(c, NULL);
		return (PEER_GONE);
	default:
		return (PEER_ERROR);
	}
	if (c->c_hello.role != FRAME_ROLE_NODE) {
		hub_ctl_wrong_port(c);
		return (PEER_GONE);
	}
	/* No pool: "default", for tokens' pools= too. */
	if (c->c_hello.npools == 0) {
		strlcpy(c->c_hello.pools[0], "default",
		    sizeof c->c_hello.pools[0]);
		c->c_hello.npools = 1;
	}
	return (hub_ctl_hello(c) == 1 ? PEER_OK : PEER_GONE);
}

static int
hub_ctl_read_auth(void *arg, const struct frame *f, const char **cause)
{
	struct ctl	*c = arg;
	uint8_t		 mac[FRAME_MAC_LEN];

	if (frame_blob_parse(f, FRAME_AUTH, mac, sizeof mac, cause) == -1)
		return (PEER_ERROR);
	hub_ctl_auth(c, mac);
	return (PEER_GONE);	/* c is a node now, or refused */
}

/* A protocol error before WELCOME. */
static void
hub_ctl_error(void *arg, int error __unused, const char *cause)
{
	struct ctl	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(c->c_bev);

	if (hub.tls == NULL && evbuffer_get_length(in) > 0 &&
	    evbuffer_pullup(in, 1)[0] == 0x16) {
		log_warnx("control %s: a TLS client, but this hub runs "
		    "-insecure (plaintext); closing", c->c_peer);
		/* In plaintext: the node's TLS reads the magic, says why. */
		hub_bye(c->c_bev, FRAME_BYE_PROTOCOL, "this hub runs "
		    "-insecure (plaintext links): the node needs insecure: "
		    "true (-insecure)");
		hub_ctl_close(c, NULL);
		return;
	}
	log_warnx("control %s: protocol error: %s; closing", c->c_peer,
	    cause);
	hub_bye(c->c_bev, FRAME_BYE_PROTOCOL, cause);
	hub_ctl_close(c, NULL);
}

static const struct peer_handler hub_ctl_hello_handlers[] = {
	{ FRAME_HELLO, hub_ctl_read_hello },
	{ 0, NULL }
};
static const struct peer_handler hub_ctl_auth_handlers[] = {
	{ FRAME_AUTH, hub_ctl_read_auth },
	{ 0, NULL }
};
/* Each state's frames: HELLO, then AUTH. */
static const struct peer_ops hub_ctl_hello_ops = {
	hub_ctl_hello_handlers, hub_ctl_error, NULL, 0
};
static const struct peer_ops hub_ctl_auth_ops = {
	hub_ctl_auth_handlers, hub_ctl_error, NULL, 0
};
