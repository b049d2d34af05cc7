/*
 * node.h: the exit node's private header: its configuration, resolved
 * once (node_conf.c), its one state struct, a dial (node_dial.c), a spare
 * link (node_spare.c), the redial action (redial.c) and the calls between
 * them and node.c, the control link.  Only node files include it, and
 * admin.c, for the state directory.
 */
#ifndef NODE_H
#define NODE_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "libtentacle.h"
#include "acl.h"
#include "frame.h"
#include "peer.h"

struct bufferevent;
struct event;
struct evdns_getaddrinfo_request;
struct tls_conf;

#define NODE_ACL_MAX		64	/* allow and deny entries */
#define NODE_LOCAL_MAX		64	/* the node's own addresses */
#define NODE_ADDRS_MAX		8	/* addresses tried for one target */

/*
 * node_conf.c: every setting of the node, resolved once: a flag beats the
 * config file, which beats the default.  Filled by node_conf_load(); the
 * rest of the node only reads it.  Strings point into argv, the config
 * file's values (kept for the process) or static buffers.
 */
struct node_conf {
	const char		*config;	/* the file read; NULL: none */
	const char		*state_dir;
	/* The destination policy: allow lifts default denials, deny adds. */
	struct acl_entry	 allow[NODE_ACL_MAX];
	size_t			 nallow;
	struct acl_entry	 deny[NODE_ACL_MAX];
	size_t			 ndeny;
	/* -bind: source address of every connection; bind_len 0: none. */
	const char		*bind;
	struct sockaddr_storage	 bind_sa;
	socklen_t		 bind_len;
	int			 bind_flag;	/* from -bind: no reload */
	/* data_addr: (-data-addr): data links may go there too. */
	struct sockaddr_storage	 data_sa;
	int			 data_set;
	int			 data_anyport;	/* HOST alone: any port */
	int			 pool_size;	/* spare links, our max */

	/* From here, for `start` only (NODE_CONF_START). */
	const char		*server;	/* HOST:PORT as given (TOFU) */
	char			 host[256];	/* ... split */
	char			 port[8];
	char			 name[FRAME_NAME_MAX + 1];
	/* The host name when name was made from it with a change, else "". */
	char			 name_host[256];
	char			 pools[FRAME_POOLS_MAX][FRAME_POOL_MAX + 1];
	int			 npools;
	const char		*token;		/* NULL: none */
	const char		*log;		/* log_init() destination */
	int			 log_level;	/* LOG_LEVEL_* */
	int			 log_json;	/* log_format: json */
	struct tls_conf		*tls;		/* NULL: insecure (plaintext) */
	char			*redial_cmd;	/* NULL: cannot redial */
	int			 redial;	/* FRAME_REDIAL_* */
	char			*dial_info;	/* for RasDial() */
	int			 redial_timeout_ms;
	int			 redial_min_ms;
	int			 shutdown_grace_ms;	/* relays finish */
	/* Name servers a library host gave (libtentacle.h dns), else none. */
#define NODE_DNS_MAX		8
	char			 dns[NODE_DNS_MAX][64];
	int			 ndns;

	/* Storage: strings copied in (node_conf_own()), buffers. */
	char			*owned[6];
#define NODE_OWNED_BIND		2
	char			 home_config[1024];	/* ~/.tentacler */
	char			 known_hosts[1100];
};
/* The running node's (this thread's: node.c sets it with node). */
extern COMPAT_THREAD struct node_conf	*node_conf;

/* What node_conf_load() resolves. */
#define NODE_CONF_ADMIN	0	/* file, lists, bind, state dir (admin.c) */
#define NODE_CONF_START	1	/* and the rest: hub, name, trust, log... */
/*
 * Read the config file (-config, else $HOME/.tentacler if there), then
 * resolve a new node_conf (*ncp; node_conf_free()) from the flags
 * (already parsed: node_conf_parse()), the pools given as arguments
 * (npools 0: the file's) and the file; the flags are forgotten after.
 * Returns 0, or the exit status (1, 2) with *cause the line for stderr.
 */
int		 node_conf_load(struct node_conf **, int what, int npools,
		    char **pools, char **cause);
/*
 * A library host's settings (libtentacle.h): args as `tentacle start`
 * flags, then the named fields on top.  As node_conf_load(), and a
 * library node's differences: no redial action, no shutdown grace
 * unless -shutdown-grace, state_dir NULL unless the host named one.  The
 * caller holds the library's lock (the flags' table is one for the
 * process).
 */
#define NODE_ARGS_MAX		64
struct node_conf_fields {
	const char	*hub, *token, *name, *fingerprint, *ca_file;
	const char	*state_dir;
	int		 insecure;
	int		 pool_size;
	int		 npools;
	char		**pools;
};
int		 node_conf_library(struct node_conf **, char *const *args,
		    const struct node_conf_fields *, char **cause);
void		 node_conf_free(struct node_conf *);
/* After a redial: the config file's bind: again (unless -bind). */
void		 node_conf_reload_bind(void);

/* node_policy.c */
/* Apply pol now on this node (node->pol): connect or not, and so on. */
int		 node_policy_start(void);
/* The policy's timers and rate group freed; usage saved. */
void		 node_policy_end(void);
/* The host's new policy (p->size checked by the library). */
void		 node_policy_set(const struct tentacle_policy *);
/* HELLO went out: what it said (joins paused, why, or not). */
void		 node_policy_hello(void);
/* WELCOME: sharing or paused; STATUS when the HELLO said otherwise. */
void		 node_policy_welcomed(void);
/* The control link was lost (refused: the hub said no). */
void		 node_policy_lost(const char *why, int refused);
/* May the node be on the hub (consent; paused needs a hub that hears it)? */
int		 node_policy_may_join(void);
/* A rule says no: no spare links, no requests. */
int		 node_policy_paused(void);
/* Why a DIAL is refused now (paused, max_relays), else NULL. */
const char	*node_policy_dial_refused(void);
/* A relay's target bufferevent: into the rate group.  -1: no memory. */
int		 node_policy_relay(struct bufferevent *);
/* enum tentacle_state's name. */
const char	*node_policy_state_name(int);

/*
 * libtentacle.c: `tentacle start`, a host of the library: runs the node
 * of nc (taken) on this thread with the signals a daemon takes; returns
 * the exit status.
 */
int		 lib_main(struct node_conf *nc);

/* node_dial.c: a DIAL from the hub, until its relay starts. */
struct ndial {
	TAILQ_ENTRY(ndial)	 nd_entry;
	uint32_t		 nd_req;
	struct target		 nd_target;
	struct sockaddr_storage	 nd_addrs[NODE_ADDRS_MAX];
	int			 nd_naddrs;
	int			 nd_next;
	struct evdns_getaddrinfo_request *nd_dns;
	int			 nd_dns_pending;
	int			 nd_zombie;	/* freed by the DNS callback */
	struct bufferevent	*nd_target_bev;
	struct bufferevent	*nd_link;
	struct event		*nd_timer;
	int			 nd_spare;	/* nd_link is a spare link */
	struct spare		*nd_lent;	/* its spare: a framed relay */
	int			 nd_err;	/* best DIAL_* so far */
	const char		*nd_why;	/* policy refusal */
	uint64_t		 nd_start_us;
};
TAILQ_HEAD(ndials, ndial);

/* node_spare.c: a spare data link: connecting, or idle after SPARE. */
struct spare {
	TAILQ_ENTRY(spare)	 sp_entry;
	struct bufferevent	*sp_bev;
	struct peer		 sp_frames;	/* one DIAL */
	int			 sp_idle;	/* SPARE sent */
	int			 sp_ready;	/* handshake done (TLS too) */
	uint64_t		 sp_since_us;	/* connected at */
	int			 sp_keepalive;	/* probes turned on */
	/* Lent to a framed relay (sp_bev NULL): node_spare_back(). */
	int			 sp_onlent;	/* on node.lent, counted */
	uint32_t		 sp_gen;	/* node.spare_gen when lent */
};
TAILQ_HEAD(spares, spare);

/*
 * node_policy.c: the host's policy (libtentacle.h), enforced: consent,
 * the device's state and the rules over it, the byte caps and their
 * counts, the rates (a rate-limit group on the targets' bufferevents),
 * max_relays, the hours.  It lives in the library's handle: the counts
 * outlive a run.  Only the loop's thread touches it while the node runs
 * (status() reads the library's snapshot of it).
 */
struct bufferevent_rate_limit_group;
struct ev_token_bucket_cfg;
struct node_policy {
	struct tentacle_policy	 p;		/* the host's, now */
	int			 state;		/* enum tentacle_state */
	char			 why[128];
	/* Usage: the local day (YYYYMMDD) and month (YYYYMM) counted. */
	uint32_t		 day, month;
	uint64_t		 bytes_day, bytes_month;
	uint64_t		 up, down;	/* since new() */
	int			 cap_hit;	/* a byte cap: cut, paused */
	int			 paused;	/* a rule says no (why) */
	int			 told;		/* the hub heard STATUS paused */
	int			 old_hub;	/* its WELCOME: no STATUS there */
	char			 hello_said[FRAME_REASON_MAX + 1];	/* "": up */
	uint64_t		 grace_us;	/* relays cut then; 0: none */
	uint64_t		 saved_us;	/* usage file written at */
	int			 saved_dirty;
	struct event		*ev;		/* the minute, the grace */
	struct event		*cut_ev;	/* a byte cap: cut the rest */
	struct bufferevent_rate_limit_group *group;
	struct ev_token_bucket_cfg *bucket;
	/* A state change: the library's snapshot and host callback. */
	void			(*changed)(void *);
	/* An error (the hub lost, refused, unreachable): the library's. */
	void			(*error)(void *, const char *);
	void			*changed_arg;
	const char		*usage_dir;	/* usage file's; NULL none */
};

/*
 * The node's state: one per process, `node`.  node.c owns the control
 * link; each group below names the file that owns it.
 */
struct node_state {
	/* node.c: the control link and its session. */
	struct bufferevent	*bev;		/* NULL: not connected */
	struct peer		 frames;	/* its frames (peer.h) */
	struct event		*retry_ev;	/* reconnect after back-off */
	struct event		*hb_ev;		/* heartbeat */
	struct event		*hs_ev;		/* connect..WELCOME deadline */
	struct event		*stop_ev;	/* shutdown: relays done? */
	struct sockaddr_storage	 hub_sa;	/* control peer */
	socklen_t		 hub_salen;
	struct frame_hello	 hello;
	struct frame_welcome	 wl;
	int			 welcomed;
	uint32_t		 id;		/* the hub's id for us */
	uint64_t		 rx_us;		/* last frame heard */
	uint32_t		 rtt_us;
	int			 backoff_ms;
	uint64_t		 down_us;	/* hub lost since; 0: up */
	int			 slow_retry;	/* refused: back off at once */
	int			 stopping;	/* signals seen */
	uint64_t		 stop_us;	/* shutdown deadline */
	u_int			 stop_relays;	/* running at the signal */
	uint64_t		 redial_us;	/* the last redial ended */
	uint64_t		 decline_us;	/* last "declined" warning */
	int			 hint_server;	/* node_lost(): "check -server" */

	/* node_dial.c: dials and the destination policy. */
	struct ndials		 dials;
	u_int			 ndials;
	struct sockaddr_storage	 data_sa;	/* where data links go */
	socklen_t		 data_salen;
	int			 data_ok;	/* data address allowed */
	uint64_t		 data_warned_us;
	struct acl_entry	 hub_deny[FRAME_POLICY_MAX];	/* POLICY */
	size_t			 nhub_deny;
	struct sockaddr_storage	 local[NODE_LOCAL_MAX];	/* own addresses */
	size_t			 nlocal;
	uint64_t		 local_us;	/* read at; 0: read again */

	/* node_spare.c: spare links. */
	struct spares		 spares;
	u_int			 nspares;	/* connecting + idle */
	u_int			 nspares_opening;	/* handshake not done */
	int			 spare_want;	/* the hub's SPARE_TARGET */
	int			 spare_fails;	/* in a row: back-off */
	struct spares		 lent;		/* with framed relays, oldest 1st */
	u_int			 nlent;		/* of them lent < NODE_LENT_MS */
	uint32_t		 spare_gen;	/* sessions: a lent link's is over */
	uint64_t		 reused;	/* links idle again after a relay */
	struct event		*spare_ev;	/* delayed refill */

	/* node_policy.c: the host's (the handle's), enforced. */
	struct node_policy	*pol;
	int			 hub_status;	/* the hub takes STATUS */
};
/* The running node's state: this thread's (a library node's, on its loop). */
extern COMPAT_THREAD struct node_state	*node;

/* node.c */
/* A frame on the control link (nothing when it is down). */
void		 node_send(const uint8_t *, size_t);
/*
 * Make st the running node (this thread's node and node_conf) with the
 * settings nc, its timers and resolver on core_cur's base; connecting is
 * the policy's (node_policy_start()).  -1 when out of memory (node_end()
 * frees what was made).
 */
int		 node_start(struct node_state *st, struct node_conf *nc);
/* Close every link, relay and dial; free the timers.  The loop is over. */
void		 node_end(void);
/*
 * Stop: BYE to the hub, then relays get shutdown_grace (now: none), then
 * the loop ends.  why: "signal 15", "stop requested".  Again: at once.
 */
void		 node_stop(int now, const char *why);
/* Leave the hub (BYE), stay away: the host's policy says no. */
void		 node_leave(void);
/* Connect to the hub, unless connected, connecting or stopping. */
void		 node_join(void);
/* On the hub: WELCOME heard, the control link up. */
int		 node_joined(void);

/* node_dial.c */
/*
 * A DIAL; link: the spare link it came on (now the dial's), or NULL;
 * lent: that link's spare when the DIAL asked for a framed relay (handed
 * back through node_spare_back()), else NULL.
 */
void		 node_dial_start(const struct frame_dial *,
		    struct bufferevent *link, struct spare *lent);
/* Abandon every dial: the hub session that asked is gone. */
void		 node_dial_abort_all(void);
/* POLICY: the hub's denials for our pools.  -1 with *cause. */
int		 node_dial_policy(const struct frame *, const char **cause);
/*
 * WELCOME: where data links go (its data host, else the hub's own), and
 * whether they may go there (node.data_ok).  -1 when the data host is not
 * an address.
 */
int		 node_dial_welcome(const struct frame_welcome *);
/*
 * A bufferevent for a link to the hub, its socket bound to bind: when that
 * has the family af (AF_UNSPEC: any); NULL when out of memory.
 */
struct bufferevent *node_dial_hub_bev(int af);

/* node_spare.c */
/* The spare links' timer; logs our max.  -1 when out of memory. */
int		 node_spare_init(void);
/* Close them all, free the timer: the node ends. */
void		 node_spare_end(void);
/* A new session: our max, until the hub's SPARE_TARGET says otherwise. */
void		 node_spare_welcome(void);
/* SPARE_TARGET: the hub asks for target idle links. */
void		 node_spare_target(int target);
/* Keep min(our max, the hub's target) spare links, connecting or idle. */
void		 node_spare_fill(void);
void		 node_spare_close_all(void);
/* Heartbeat: TCP keepalive on links idle a heartbeat or more. */
void		 node_spare_keepalive(uint64_t now);
/*
 * A framed relay on lent (a struct spare) ended: link idle again, or, NULL
 * or from an older session, the link is gone (relay_new_framed()'s back).
 */
void		 node_spare_back(struct bufferevent *link, void *lent);

/*
 * redial.c: the node's redial action.  Runs cmd under /bin/sh -c in its
 * own process group, logs its output, kills it after timeout_ms, then
 * calls back with a FRAME_RRES_* result, the exit status or signal, and
 * how long it ran.  One at a time.  Windows (redial_win.c): cmd.exe /c,
 * or RasDial() with node_conf.dial_info for FRAME_REDIAL_DIALINFO.
 */
typedef void	 redial_done_cb(int rres, int code, uint32_t ms, void *);
int		 redial_start(const char *cmd, int timeout_ms,
		    redial_done_cb *, void *, char **cause);
int		 redial_running(void);
/* SIGTERM to the running command's group; no callback follows. */
void		 redial_abort(void);

/*
 * redial_log.c: the command's output as log lines, for both.  Bytes in
 * (crlf: drop '\r', cmd.exe ends lines with CRLF), lines out; flush at
 * the end of a run.  Zero it for each run.
 */
#define REDIAL_LOG_MAX		4096	/* output bytes logged per run */
#define REDIAL_LINE_MAX		200
struct redial_log {
	char	 line[REDIAL_LINE_MAX + 1];
	size_t	 linelen;
	size_t	 logged;
};
void		 redial_log_bytes(struct redial_log *, const char *, size_t,
		    int);
void		 redial_log_flush(struct redial_log *);

#endif /* NODE_H */
