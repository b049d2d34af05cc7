/*
 * hub.h: the hub's private header.  Its structs, the one struct hub that
 * holds its state, and the calls between its files, each group under the
 * file that owns it.  Only modules/hub*.c include it; the rest of the
 * program sees hub_main() in tentacle.h.
 *
 *	hub.c		the process: flags, start-up, signals, guard log
 *	hub_ctl.c	a control connection until it is a node
 *	hub_node.c	one connected node, and the parked records
 *	hub_redial.c	the redial cycle
 *	hub_sched.c	choosing a node: schedule, back-off, sessions
 *	hub_dial.c	a request from DIAL to BIND, the data port, exits
 *	hub_spare.c	spare links: warm data links waiting for a DIAL
 *	hub_admin.c	the admin socket: info, drain, undrain, redial
 *	hub_socks.c	the SOCKS5 front
 *	hub_http.c	the HTTP proxy front
 *	hub_metrics.c	GET /metrics: the Prometheus text format
 *	hub_events.c	recent events: the ring, GET /api/v1/events
 */
#ifndef HUB_H
#define HUB_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <stdint.h>
#include <time.h>

#include <event2/util.h>

#include "tentacle.h"
#include "acl.h"
#include "frame.h"
#include "inventory.h"
#include "peer.h"
#include "route.h"
#include "token.h"

struct event;
struct bufferevent;
struct limit_hold;
struct relay;
struct tls_conf;
struct core_listener;

#define NODE_HASH	4096
#define DIAL_HASH	1024
#define AUTHFAIL_SLOTS	256
#define SPARE_WINDOW	10		/* seconds of demand spares cover */
#define RATE_SLOTS	16		/* rate samples kept, one per second */
#define SESSION_HASH	4096
#define POOL_HASH	1024
#define SESSION_LIFE_MS	(24LL * 3600 * 1000)	/* -session-max-life */
#define SCHED_LEAST_CONN	0
#define SCHED_ROUND_ROBIN	1
#define SCHED_RANDOM		2
#define DIAL_RETRIES_MAX	8

/* The hub's listeners, in hub.listeners[]. */
#define HUB_LISTEN_CONTROL	0
#define HUB_LISTEN_DATA		1
#define HUB_LISTEN_SOCKS	2
#define HUB_LISTEN_HTTP		3
#define HUB_LISTEN_ADMIN	4
#define HUB_LISTEN_MIXED	5
#define HUB_LISTEN_ADMIN_TCP	6	/* -adminAddr, beside the socket */
#define HUB_LISTENERS		7

/* n_redial: where a node is in its redial cycle (doc/routing.md). */
#define REDIAL_IDLE	0	/* in service; maybe a timer planned */
#define REDIAL_DRAIN	1	/* no new requests, relays finishing */
#define REDIAL_SENT	2	/* REDIAL sent, waiting for it to leave */

/* -pool-deny: destinations nodes of a pool must refuse (narrowing only). */
struct pool_deny {
	char			 pool[FRAME_POOL_MAX + 1];	/* "*": all */
	struct acl_entry	 entry;
};

/* The hub's settings: flags, resolved once by hub_main(). */
struct hub_conf {
	const char	*control_addr;
	const char	*data_addr;
	const char	*socks_addr;	/* "" or "none" disables */
	const char	*http_addr;	/* "" or "none" disables */
	const char	*mixed_addr;	/* SOCKS and HTTP; "", "none": off */
	const char	*admin_addr;	/* the API on loopback TCP too */
	int		 open_proxy;	/* accept non-loopback proxy users */
	int		 via;		/* HTTP: add a Via header */
	int		 handshake_ms;
	int		 dial_ms;
	int		 heartbeat_ms;
	int		 idle_ms;	/* relay idle timeout, 0 = off */
	int		 http_idle_ms;	/* keep-alive idle between requests */
	int		 max_relays_per_node;	/* relays + dials; 0: none */
	int		 max_pending_dials;	/* hub-wide; 0 = no limit */
	int		 max_clients;	/* proxy client connections; 0: none */
	int		 max_conns_per_ip;	/* per address (IPv6 /64) */
	int		 max_conns_per_user;	/* per logged-in user */
	int		 max_sessions_per_user;	/* sticky sessions, 0 = none */
	int		 max_handshakes;	/* node links before auth */
	int		 max_handshakes_per_ip;	/* ... per address (IPv6 /64) */
	const char	*admin_path;	/* Unix socket; NULL: state dir */
	int		 redial_interval_ms;	/* 0 = no periodic redial */
	int		 redial_grace_ms;	/* drain before REDIAL */
	int		 shutdown_grace_ms;	/* relays finish on SIGTERM */
	int		 schedule;	/* SCHED_* (doc/routing.md) */
	int		 dial_retries;	/* other nodes tried on node failure */
	int		 spare_max;	/* -pool-max: idle spare links a node */
	int		 link_reuse;	/* -link-reuse: framed relays on them */
	uint64_t	 session_life_us;	/* -session-max-life */
	const char	*tls_crt;	/* PEM chain; else self-signed */
	const char	*tls_key;
	const char	*state_dir;	/* self-signed key and certificate */
	int		 insecure;	/* plaintext links to nodes */
	const char	*tokens_path;	/* -tokens; NULL: loopback nodes */
	const char	*users_path;	/* -users */
	const char	*admins_path;	/* -admins */
};

/*
 * What the hub remembers of a node across its connections (a redial is a
 * reconnect): kept in struct node while it is online, in a parked record
 * for an hour after it left.
 */
struct node_keep {
	int			 drain;		/* tentacle drain */
	int			 nhist;		/* addresses, newest first */
	struct {
		char		 addr[64];
		time_t		 since;
	}			 hist[FRAME_HIST_MAX];
	uint32_t		 redials;	/* that changed the address */
	uint32_t		 redials_same;	/* that did not */
	time_t			 last_redial;
	int			 interval_said;	/* first interval redial logged */
	uint64_t		 pending_us;	/* left to redial at; 0 none */
	char			 pending_why[32];
};

/*
 * A node that left: its id and node_keep, and the relays still running
 * over its data links, for when it comes back.  Owned by hub_node.c.
 */
struct parked {
	TAILQ_ENTRY(parked)	 pk_entry;	/* oldest first */
	uint32_t		 pk_id;
	uint64_t		 pk_left_us;
	struct frame_hello	 pk_hello;
	struct node_keep	 pk_keep;
	TAILQ_HEAD(, srelay)	 pk_relays;
	u_int			 pk_nrelays;
};
TAILQ_HEAD(parkedq, parked);

struct dial;
struct srelay;
struct spare;
struct pmember;
struct pool;

/* A connected node: its control link and everything counted on it. */
struct node {
	TAILQ_ENTRY(node)	 n_entry;
	LIST_ENTRY(node)	 n_hash;
	uint32_t		 n_id;
	struct frame_hello	 n_hello;
	char			 n_remote[64];
	struct bufferevent	*n_bev;		/* control link */
	struct peer		 n_peer;	/* its frames */
	LIST_ENTRY(node)	 n_hb;		/* its heartbeat slot */
	uint64_t		 n_rx_us;	/* last frame received */
	uint32_t		 n_rtt_us;
	uint8_t			 n_cookie[FRAME_COOKIE_LEN];
	time_t			 n_since;
	struct limit_hold	*n_hold;	/* its address, trusted */
	struct relay_stat	 n_bytes;
	uint32_t		 n_dials_ok;
	uint32_t		 n_dials_failed;
	uint32_t		 n_dials_denied;
	time_t			 n_last_ok;	/* last dial OK, 0 never */
	/* Byte counters sampled once a second at most (heartbeat, info). */
	uint64_t		 n_rate_us[RATE_SLOTS];
	struct relay_stat	 n_rate_bytes[RATE_SLOTS];
	u_int			 n_ndials;
	u_int			 n_nrelays;
	TAILQ_HEAD(, dial)	 n_dials;
	TAILQ_HEAD(, srelay)	 n_relays;
	/* Spare links (doc/performance.md "Pool"): idle, newest first. */
	TAILQ_HEAD(, spare)	 n_spares;
	u_int			 n_nspares;
	uint64_t		 n_reused;	/* links idle again after a relay */
	u_int			 n_nlent;	/* spare links out on framed relays */
	int			 n_spare_seen;	/* sent a SPARE: has spares */
	uint16_t		 n_spare_target;	/* last SPARE_TARGET */
	uint64_t		 n_spare_taken_us; /* one left, no refill yet */
	uint64_t		 n_refill_us;	/* smoothed refill latency */
	uint32_t		 n_dsec[SPARE_WINDOW];	/* demand per second: */
	uint16_t		 n_dcount[SPARE_WINDOW]; /* dials started, */
	uint16_t		 n_dpeak[SPARE_WINDOW];	/* most in flight */
	/* Its entries in its pools' lists (hub_sched.c); NULL: in none. */
	struct pmember		*n_pools;
	/* Node-side dial failures in a row, and the back-off they earned. */
	u_int			 n_fails;
	uint32_t		 n_backoff_ms;
	uint64_t		 n_backoff_until_us;
	/* Fleet control: sticky sessions, drain, redial. */
	uint32_t		 n_gen;		/* this connection, hub-wide */
	char			 n_ip[64];	/* n_remote without the port */
	struct node_keep	 n_keep;
	int			 n_redial;	/* REDIAL_* */
	struct event		*n_redial_ev;
	uint64_t		 n_redial_at_us;	/* planned, 0 none */
	uint64_t		 n_redial_end_us;	/* end of the grace */
	uint64_t		 n_redial_sent_us;	/* REDIAL sent at */
	char			 n_redial_why[32];
	/* PINGs the node may still send: a bucket of PING_BURST. */
	u_int			 n_ping_tokens;
	uint64_t		 n_ping_us;
	/*
	 * Paused by its host's policy (HELLO attribute 12, STATUS): out of
	 * service like a drained node, but the node's to lift, not undrain's.
	 * Its changes are logged one by one up to 10 a minute; past that
	 * (n_flapping) once a minute, held in n_flips_held until then.
	 */
	int			 n_paused;
	char			 n_paused_why[FRAME_REASON_MAX + 1];
	uint64_t		 n_flip_us;	/* this minute's first change */
	u_int			 n_flips;	/* changes since n_flip_us */
	int			 n_flapping;	/* held, logged once a minute */
	u_int			 n_flips_held;	/* changes not logged yet */
};
TAILQ_HEAD(nodes, node);

/*
 * A dial's answer (struct dial_done, tentacle.h): on DIAL_OK its exit, the
 * data link with the node's accounting, for the front's relay.  Called
 * exactly once, unless hub_dial_cancel() came first.
 */
typedef void hub_dial_cb(const struct dial_done *, void *);

/* A request for an exit node, from hub_dial() to its answer. */
struct dial {
	LIST_ENTRY(dial)	 d_hash;
	TAILQ_ENTRY(dial)	 d_entry;	/* on its node */
	uint32_t		 d_req;
	struct node		*d_node;
	struct target		 d_target;
	struct event		*d_timer;
	hub_dial_cb		*d_cb;
	void			*d_arg;
	uint64_t		 d_start_us;
	char			 d_who[64];
	struct spare		*d_spare;	/* DIAL sent on this spare */
	int			 d_tunnel;	/* raw both ways: may be framed */
	int			 d_framed;	/* the DIAL asked for framing */
	struct spare		*d_kept;	/* its spare, kept for the return */
	struct route		 d_route;
	char			 d_user[65];	/* base user name, sessions */
	int			 d_tries;	/* nodes tried so far */
	uint32_t		 d_tried[DIAL_RETRIES_MAX + 1];
};

TAILQ_HEAD(sessionq, session);

/*
 * A proxy user's sticky sessions: at most -max-sessions-per-user, so one
 * user cannot push everybody else's out of the table.
 */
struct suser {
	LIST_ENTRY(suser)	 u_hash;
	struct sessionq		 u_lru;		/* most recent first */
	u_int			 u_n;
	uint64_t		 u_full_us;	/* "sessions full" logged */
	char			 u_name[65];
};

/* A sticky session: (user, id) -> node, sliding expiry, LRU bounded. */
struct session {
	LIST_ENTRY(session)	 s_hash;
	TAILQ_ENTRY(session)	 s_lru;		/* most recent first */
	TAILQ_ENTRY(session)	 s_ulru;	/* on its user's list */
	struct suser		*s_user;
	char			 s_key[65 + ROUTE_SESSION_MAX + 1];
	uint32_t		 s_node;
	uint32_t		 s_gen;		/* the node's n_gen then */
	uint64_t		 s_created_us;
	uint64_t		 s_expires_us;
};

/* A spare data link: idle on its node's list, or carrying one DIAL. */
struct spare {
	TAILQ_ENTRY(spare)	 sp_entry;
	struct bufferevent	*sp_bev;
	struct peer		 sp_frames;	/* nothing, then BIND */
	struct node		*sp_node;
	struct dial		*sp_dial;	/* NULL: idle, on n_spares */
	char			 sp_peer[64];
	uint64_t		 sp_since_us;	/* idle since */
	int			 sp_keepalive;	/* probes turned on */
};

/*
 * A data link a relay holds (a dial's exit): a member of its node's list,
 * counted in n_nrelays with its bytes on n_bytes, or of the node's parked
 * record while the node is away; either may go first.  Freed when the
 * relay lets go of the link (sr_exit.done).
 */
struct srelay {
	struct relay_exit	 sr_exit;	/* what the relay holds */
	TAILQ_ENTRY(srelay)	 sr_entry;
	struct node		*sr_node;
	struct parked		*sr_parked;
	struct hub_acct_user	*sr_acct;	/* its user's usage; NULL */
	struct bufferevent	*sr_acct_bev;	/* in its rate-limit group */
	struct spare		*sr_spare;	/* a framed link's, for its return */
	int			 sr_lent;	/* counted in its node's n_nlent */
};

/* A control connection before WELCOME. */
struct ctl {
	struct bufferevent	*c_bev;
	struct peer		 c_frames;	/* HELLO, AUTH, a request */
	struct event		*c_timer;	/* handshake deadline */
	struct limit_hold	*c_hold;	/* handshakes per address */
	char			 c_peer[64];
	char			 c_ip[64];	/* without the port */
	int			 c_localhost;	/* 127.0.0.1 or ::1 */
	int			 c_state;
#define CTL_HELLO	0	/* waiting for HELLO */
#define CTL_AUTH	1	/* CHALLENGE sent, waiting for AUTH */
	struct frame_hello	 c_hello;
	uint8_t			 c_nonce[FRAME_NONCE_LEN];
};

/* Recent authentication failures, by client address. */
struct authfail {
	char		 ip[64];
	u_int		 count;
	uint64_t	 first_us;
};

/* A data link before BIND (or SPARE). */
struct dlink {
	struct bufferevent	*l_bev;
	struct peer		 l_frames;	/* BIND or SPARE */
	struct event		*l_timer;	/* handshake deadline */
	struct limit_hold	*l_hold;	/* handshakes per address */
	char			 l_peer[64];
};

/*
 * What the hub refused or cut to protect itself, for `tentacle info` and
 * for logging once per LOG_EVERY_US, not per connection.
 */
struct hub_guard {
	uint64_t		 hs_refused;	/* -max-handshakes(-per-ip) */
	uint64_t		 hs_expired;	/* deadline passed */
	uint64_t		 flooded;	/* PING flood, backlog */
	uint64_t		 identity;	/* another owner's name, id */
	uint64_t		 admin_refused;	/* uid, or the cookie */
	uint64_t		 logged_us;	/* last summary line */
	uint64_t		 logged_refused, logged_expired;
};

/* The hub's state: one, in hub.c; each group is its file's. */
struct hub {
	struct hub_conf		 conf;
	/* hub.c */
	struct core_listener	*listeners[HUB_LISTENERS];
	int			 stopping;
	time_t			 started;	/* unix time */
	u_int			 stop_relays;	/* running at the signal */
	uint64_t		 stop_us;	/* the grace ends */
	struct event		*stop_ev;
	struct tls_conf		*tls;		/* NULL: -insecure */
	struct token_set	 tokens;
	uint16_t		 data_port;	/* WELCOME tells nodes */
	char			 data_host[64];	/* ... and this, or "" */
	struct pool_deny	 deny[FRAME_POLICY_MAX];	/* -pool-deny */
	int			 ndeny;
	struct hub_guard	 guard;
	struct event		*guard_ev;	/* the held-back line */
	/* hub_ctl.c */
	struct authfail		 authfail[AUTHFAIL_SLOTS];
	/* hub_node.c */
	struct nodes		 nodes;
	LIST_HEAD(, node)	 node_hash[NODE_HASH];
	u_int			 nnodes;
	uint32_t		 next_id;
	uint32_t		 gen;		/* last n_gen given */
	struct parkedq		 parked;
	u_int			 nparked;
	struct event		*park_ev;	/* the parked records' sweep */
	/* hub_redial.c */
	u_int			 nredialable;	/* online, can redial */
	u_int			 nredialing;	/* in a cycle */
	/* hub_sched.c */
	uint32_t		 rr;
	uint64_t		 rand;
	LIST_HEAD(, session)	 sessions[SESSION_HASH];
	struct sessionq		 session_lru;
	u_int			 nsessions;
	LIST_HEAD(, suser)	 susers[SESSION_HASH];
	LIST_HEAD(, pool)	 pools[POOL_HASH];	/* by name: members */
	u_int			 nunindexed;	/* nodes in no pool list */
	/* hub_dial.c */
	LIST_HEAD(, dial)	 dial_hash[DIAL_HASH];
	u_int			 ndials;	/* pending, hub-wide */
	uint32_t		 next_req;
	uint64_t		 dials_full_us;	/* -max-pending-dials logged */
	char			 dial_why[160];	/* hub_dial()'s *why */
	uint64_t		 links_reused;	/* hub_spare_return() */
};
extern struct hub	 hub;

/* hub.c: the process, and what every file sends and logs. */
/* Send one encoded frame; len 0 means an encoder refused (a bug). */
void		 hub_send(struct bufferevent *, const uint8_t *, size_t);
/* BYE with a FRAME_BYE_* reason and a line for the peer's log. */
void		 hub_bye(struct bufferevent *, uint8_t, const char *);
/*
 * WELCOME: node id and cookie; status (the node's HELLO attribute 11,
 * 0 none) adds the hub's status version as its last byte.
 */
void		 hub_welcome(struct bufferevent *, uint32_t, const uint8_t *,
		    uint8_t);
/*
 * A socket bufferevent for an accepted fd, wrapped in TLS unless the hub
 * runs -insecure.  NULL (fd closed) when out of memory.
 */
struct bufferevent *hub_bev_new(int, const char *);
/* What went wrong on a link, for a log line. */
const char	*hub_bev_error(struct bufferevent *, short);
/*
 * A node link (control or data port) before its handshake: counted in
 * total and per address (IPv6 /64) against -max-handshakes(-per-ip).
 * NULL: refused (fd closed, nothing sent: a flood gets no answer).
 */
struct limit_hold *hub_link_hold(int, struct sockaddr *);
/* Log the guards' counts: once per 10 s at most, the rest held back. */
void		 hub_guard_log(void);
/* A node link's handshake deadline passed: counted for hub_guard_log(). */
void		 hub_guard_expired(void);

/* hub_ctl.c: control connections until WELCOME. */
/* The control port's accept callback (core_listen()). */
void		 hub_ctl_accept(int, struct sockaddr *, socklen_t, void *);

/* hub_admin.c: the admin socket, and what an operator does to a node. */
/*
 * Listen on -admin (else STATE-DIR/admin.sock) and serve the API there;
 * -1 with *cause.
 */
int		 hub_admin_listen(char **);
/* At shutdown: close the API, remove the admin port's cookie file. */
void		 hub_admin_close(void);
/* The TCP admin port's cookie (ADMIN_COOKIE_LEN bytes). */
const uint8_t	*hub_admin_cookie(void);
#define HUB_ADMIN_DRAIN		0
#define HUB_ADMIN_UNDRAIN	1
#define HUB_ADMIN_REDIAL	2
#define HUB_ADMIN_DISCONNECT	3	/* the caller closes the node */
/* Do op to n; text says what happened.  0, or -1: refused (text why). */
int		 hub_admin_one(struct node *, int, char *, size_t);

/* hub_api.c: the admin API, HTTP on the admin socket (doc/admin.md). */
/*
 * Serve the API on cl: tcp wants the cookie or an admin account, else
 * peer credentials; with a tls_conf (off loopback), over TLS.
 */
int		 hub_api_serve(struct core_listener *, int, struct tls_conf *,
		    char **);
void		 hub_api_close(void);
/* Online node n as the API shows it (inventory.h). */
struct inv_node;
void		 hub_api_inv_node(struct inv_node *, struct node *);
/*
 * Online node n's state (INV_*): the API's and the metrics' one rule.  A
 * node drained and paused at once is "drained" (its paused_reason says
 * the rest): the operator's state first.
 */
static inline int
hub_node_state(const struct node *n)
{
	if (n->n_redial == REDIAL_DRAIN)
		return (INV_DRAINING);
	if (n->n_redial == REDIAL_SENT || n->n_keep.pending_us != 0)
		return (INV_REDIALING);
	if (n->n_keep.drain)
		return (INV_DRAINED);
	return (n->n_paused ? INV_PAUSED : INV_UP);
}
/*
 * For route handlers in other files (api_route() calls them): send a
 * JSON body (a newline is added) with a status, or a JSON error that is
 * logged with peer ("admin uid 0 pid 12").
 */
struct evbuffer;
struct evhttp_request;
void		 hub_api_send(struct evhttp_request *, int, struct evbuffer *);
void		 hub_api_error(struct evhttp_request *, const char *, int,
		    const char *, ...) __attribute__((__format__(printf, 4, 5)));
/*
 * A buffer for req's answer; out of memory, NULL and a bare 503 sent (the
 * hub goes on serving everyone else).
 */
struct evbuffer	*hub_api_buf(struct evhttp_request *);
/* req's answer lasts (server-sent events): no request deadline for it. */
void		 hub_api_stream(struct evhttp_request *);

/* hub_node.c: the registry of connected nodes, and the parked records. */
/* A node's memory and timers, not yet registered; NULL: out of memory. */
struct node	*hub_node_new(void);
/*
 * n (from hub_node_new()) takes over bev, the control link of a node
 * whose HELLO h was accepted from peer (ip: without the port): it gets its
 * id (its old one when it comes back), WELCOME and its POLICY, joins the
 * registry and takes back its parked record.  h, peer and ip are copied.
 */
void		 hub_node_open(struct node *, struct bufferevent *,
		    const struct frame_hello *, const char *peer,
		    const char *ip);
struct node	*hub_node_find(uint32_t);
/*
 * The ids given before a restart, from DIR/node-ids (a bad file is logged
 * and ignored); ids given from now on are written there.
 */
void		 hub_node_ids_load(const char *dir);
/* Write ids given in the last second now (the hub stops). */
void		 hub_node_ids_flush(void);
/* Is n named name, or is name its id (no formatting unless a digit)? */
int		 hub_node_named(const struct node *, const char *);
/* Do two HELLOs have the same owner (token, or the hub's machine)? */
int		 hub_node_owner_same(const struct frame_hello *,
		    const struct frame_hello *);
/*
 * Sample n's byte counters (once a second at most) and, when up and down
 * are given, its rates in bytes/s over the last RATE_WINDOW s or so.
 */
void		 hub_node_rate(struct node *, uint64_t, uint32_t *,
		    uint32_t *);
/*
 * Frees n: unlinks it, fails its pending dials (DIAL_NODELOST) and
 * detaches its relays, which run on (their data links are independent).
 * A reason other than HUB_NODE_NOBYE sends BYE(reason) first (0 is
 * FRAME_BYE_SHUTDOWN).
 */
#define HUB_NODE_NOBYE	0xff
void		 hub_node_close(struct node *, uint8_t, const char *);

/* hub_redial.c: the redial cycle (doc/routing.md, "Redial"). */
/* n->n_redial_ev's callback: the next step of n's cycle. */
void		 hub_redial_cb(evutil_socket_t, short, void *);
/* Plan n's next periodic redial (none without a redial action). */
void		 hub_redial_plan(struct node *);
/* Start n's redial cycle: drain, then REDIAL when idle or after grace. */
void		 hub_redial_begin(struct node *, const char *);
/* A relay or dial of n (NULL: none) ended: a draining node may be ready. */
void		 hub_redial_check(struct node *);
/* n's redial cycle ends without a redial: back in service. */
void		 hub_redial_end(struct node *);
/* A redial cycle ended one way or another. */
void		 hub_redial_done(void);
/*
 * n joined: how its redial command ended, and the end of the cycle if it
 * left to redial (old -> new address).  Before n's address history moves.
 */
void		 hub_redial_back(struct node *);

/* hub_sched.c: choosing a node for a dial. */
/*
 * Choose d's node: its session's when it has a live one, else by
 * -schedule (pinning the session).  NULL: *result and hub.dial_why say
 * why.
 */
struct node	*hub_sched_choose(struct dial *, int *);
/* A dial on n failed for a node-side reason (0) or succeeded (1). */
void		 hub_sched_outcome(struct node *, int);
/* A number below bound, from a cheap generator (not for secrets). */
uint32_t	 hub_sched_random(uint32_t);
/*
 * n, just in hub.nodes, joins its pools' lists (picks by pool walk those);
 * out of memory, every pick by pool walks hub.nodes until n leaves.
 */
void		 hub_sched_join(struct node *);
/* n, just out of hub.nodes, leaves its pools' lists. */
void		 hub_sched_leave(struct node *);

/* hub_dial.c: dials, the data port and the exits' accounting. */
/*
 * Ask an exit node to connect to t, choosing it by route (route.h; NULL:
 * any node) and -schedule, retrying node-side failures on other nodes
 * (doc/routing.md).  user is the base user name (sessions are per user;
 * NULL or "" for none).  Returns NULL only when no dial could be started,
 * with *result set (DIAL_NONODE, DIAL_FAIL, DIAL_HOSTUNREACH for a strict
 * session whose node is gone) and *why a one-line reason for the peer
 * (static, valid until the next call); the callback is not called then.
 */
struct dial	*hub_dial(const struct target *, const struct route *,
		    const char *user, const char *who, int flags,
		    hub_dial_cb *, void *, int *result, const char **why);
/*
 * hub_dial()'s flags: HUB_DIAL_TUNNEL, the front relays raw both ways
 * (SOCKS, CONNECT), so a spare link may carry it framed and be reused.
 */
#define HUB_DIAL_TUNNEL		0x01
/* Frees d; its callback is not called. */
void		 hub_dial_cancel(struct dial *);
/* The pending dial with request id req, or NULL. */
struct dial	*hub_dial_find(uint32_t);
/* Send d's DIAL: on a spare link of its node, else the control link. */
void		 hub_dial_send(struct dial *);
/*
 * d failed on its node for a node-side reason: try another node when
 * -dial-retries allows (1), else 0 (the caller answers).
 */
int		 hub_dial_retry(struct dial *, int);
/*
 * Answer the front and free d; on DIAL_OK link becomes the answer's exit
 * (an srelay of d's node), which the front gives to a relay.
 */
void		 hub_dial_finish(struct dial *, int, struct bufferevent *);
/* The data port's accept callback: a link has until BIND or SPARE. */
void		 hub_dlink_accept(int, struct sockaddr *, socklen_t, void *);
/* Frees l, not its bufferevent (closed, or handed on). */
void		 hub_dlink_free(struct dlink *);
/* Frees l and closes its link. */
void		 hub_dlink_close(struct dlink *, const char *);

/* hub_spare.c: spare links. */
/* SPARE on the data port: l becomes an idle spare link of its node. */
void		 hub_spare_accept(struct dlink *, const struct frame *);
/* Count one dial in n's demand window (this second's bucket). */
void		 hub_spare_demand(struct node *);
/* Tell n how many spare links to keep (SPARE_TARGET) if that changed. */
void		 hub_spare_eval(struct node *, int);
/* TCP keepalive on n's spare links idle a heartbeat or more. */
void		 hub_spare_idle(struct node *, uint64_t);
/*
 * Send d's DIAL (buf, len) on the newest idle spare link of d's node,
 * which is d's (d->d_spare) until its BIND.  0, or -1 when there is none.
 */
int		 hub_spare_send(struct dial *, const uint8_t *, size_t);
/*
 * A framed link of n whose relay ended cleanly: idle on n again, or
 * closed (n gone, NULL, or at -pool-max).  sp: the link's spare record,
 * kept from its BIND (no allocation, its peer known); taken.  NULL (no
 * record: not a framed link's) closes the link.
 */
void		 hub_spare_return(struct node *, struct bufferevent *,
		    struct spare *);
/* Frees sp (and its link); sp is idle or its dial has let go of it. */
void		 hub_spare_close(struct spare *, const char *);

/*
 * hub_mixed.c: every proxy listener's accept (arg: its HUB_LISTEN_*
 * index): the first byte picks the front, or a wrong-port answer.
 */
void		 hub_mixed_accept(int, struct sockaddr *, socklen_t, void *);
/*
 * What a front's accept gets as arg from hub_mixed.c: the accept time
 * (the connection's one handshake deadline runs from it) and the client's
 * count (-max-clients, -max-conns-per-ip), taken at accept so that a
 * connection that has not sent its first byte counts too.
 */
struct hub_accept {
	uint64_t		 start;		/* core_now_us() at accept */
	struct limit_hold	*hold;		/* NULL: over a limit, why */
	int			 why;		/* LIMIT_* */
};
/* The milliseconds left of the handshake deadline (arg NULL: all). */
int		 hub_mixed_left_ms(const void *arg);
/*
 * The client's count, handed to the front (NULL with *why: over a limit);
 * with arg NULL, counted now.  A front that refuses the client takes none.
 */
struct limit_hold *hub_mixed_hold(void *arg, const struct sockaddr *,
		    int *why);

/* hub_socks.c: SOCKS5 and SOCKS4 front (I/O; parsing is socks.c). */
void		 hub_socks_accept(int, struct sockaddr *, socklen_t, void *);

/* hub_http.c: HTTP proxy front (I/O; parsing is http.c). */
void		 hub_http_accept(int, struct sockaddr *, socklen_t, void *);

/* hub_metrics.c: GET /metrics (doc/admin.md). */
struct evbuffer;
/*
 * The hub's state in the Prometheus text format 0.0.4, appended to out:
 * O(nodes), per-node series for at most 1000 nodes (doc/admin.md).
 */
void		 hub_metrics_write(struct evbuffer *);

/*
 * hub_dash.c: the dashboard's files, embedded at build time by
 * scripts/embed from dist/dash/ (the generated modules/dash_assets.c).
 */
struct hub_dash_asset {
	const char		*path;		/* "/index.html" */
	const char		*type;		/* the Content-Type */
	const unsigned char	*data;
	size_t			 len;
};
/* The file for a request path ("/" is /index.html), or NULL. */
const struct hub_dash_asset *hub_dash_find(const char *path);

/* hub_events.c: recent events, GET /api/v1/events (doc/admin.md). */
#define HUB_EV_NODE_JOINED	0	/* name, addr, pools */
#define HUB_EV_NODE_LEFT	1	/* name, reason */
#define HUB_EV_REDIAL_STARTED	2	/* name, reason */
#define HUB_EV_REDIAL_DONE	3	/* name, reason, old, new */
#define HUB_EV_REDIAL_FAILED	4	/* name, reason */
#define HUB_EV_LOGIN_FAILED	5	/* front, addr, user, reason */
#define HUB_EV_REFUSED		6	/* front, addr, limit, user */
#define HUB_EV_NODE_AUTH_FAILED	7	/* addr, name, reason */
#define HUB_EV_ADMIN		8	/* op, name, outcome, message */
#define HUB_EV_NODE_PAUSED	9	/* name, reason, changes */
#define HUB_EV_NODE_AVAILABLE	10	/* name, changes */
/*
 * Record an event of type about node (0: none) with the fields that
 * follow: key, value (strings) pairs ended by a NULL key; a NULL value
 * leaves its key out.  Values are copied, cut at 128 bytes (224 for all).
 * A failed login or node authentication, or a refusal, equal to one of
 * the last 32 events that began less than 10 s ago is counted into it
 * ("repeated").  Followers get a new event at once.
 */
void		 hub_event(int, uint32_t, ...)
		    __attribute__((__sentinel__));
/* sa's address without the port (a static buffer): an "addr" value. */
const char	*hub_event_ip(const struct sockaddr *);
/*
 * GET /api/v1/events (api_route() calls it with the asker for the log):
 * JSON, or with ?follow=1 server-sent events until the client goes.
 */
void		 hub_events_get(struct evhttp_request *, const char *);
/* End every follower; hub_api_close() calls it before evhttp_free(). */
void		 hub_events_close(void);

/*
 * hub_acct.c: per-user accounting and limits (acct.h; doc/admin.md,
 * "Users and accounting").  Only users whose password was checked.
 */
struct hub_acct_user;
/* Read STATE-DIR/usage (damaged lines logged and skipped); start ticking. */
void		 hub_acct_load(const char *dir);
/* Write the usage file now if it changed (shutdown). */
void		 hub_acct_flush(void);
/* The users file was reloaded: the records take the new limits. */
void		 hub_acct_reload(void);
/*
 * May user name (logged in) open a connection now?  ACCT_OK, or
 * ACCT_QUOTA_DAY / ACCT_QUOTA_MONTH with text (ACCT_TEXT_LEN) the reason
 * for the client; logged once per user per period.
 */
int		 hub_acct_login(const char *name, char *text, size_t len);
/* Connections name may hold: its conns= limit, else dflt. */
int		 hub_acct_max_conns(const char *name, int dflt);
/*
 * Count the bytes of ex (a hub exit: struct srelay) for user name; a
 * relay that reaches a quota is cut.  With a rate cap, bev (the client's
 * side of the relay) joins the user's rate-limit group and ex is capped.
 * hub_acct_exit_done() when the exit is freed, while bev still lives.
 */
void		 hub_acct_exit(struct relay_exit *ex, const char *name,
		    struct bufferevent *bev);
void		 hub_acct_exit_done(struct srelay *);
/*
 * Each counted user (every user that logged in since the usage file
 * began, even if no longer in the users file), its usage rolled to now
 * and its bytes in the last second: for GET users and for metrics
 * (tentacle_user_*; connections: limit_user_count(name), limits:
 * auth_user_limits(name)).  cb must not log in or count.
 */
struct acct_usage;
void		 hub_acct_walk(void (*cb)(const char *name,
		    const struct acct_usage *, uint64_t rate_up,
		    uint64_t rate_down, void *), void *arg);
/* GET users, users/{name}; PUT and DELETE users/{name}. */
void		 hub_acct_api(struct evhttp_request *, const char *peer,
		    int method, char **parts, int nparts);

#endif /* HUB_H */
