/*
 * libtentacle.h: the Tentacle exit node as a library (doc/sdk.md).
 *
 * A host program (an app, a service, `tentacle start` itself) makes a node
 * with tentacle_node_new(), runs it on a thread of its own
 * (tentacle_node_start()) or on the caller's (tentacle_node_run()), tells
 * it what the user and the device allow (tentacle_node_set_policy()) and
 * stops it (tentacle_node_stop(), from any thread).  Every node is
 * independent: two nodes with different hubs run in one process.
 *
 * The library installs no signal handler, never exits or aborts the
 * process on bad input, writes nothing to stdout or stderr unless
 * log_stderr is set, and frees everything at tentacle_node_free().
 *
 * ABI: the library is libtentacle.so.TENTACLE_ABI.  The config, policy and
 * status structs begin with their size: set it to sizeof the struct you
 * compiled against (tentacle_node_config_init() and tentacle_policy_init()
 * do).  Fields are only ever added at the end: a newer library reads an
 * older caller's shorter struct (the rest as zero); an older library
 * takes a newer caller's longer one only if the fields it does not know
 * are zero (unused), and refuses it otherwise.
 */
#ifndef LIBTENTACLE_H
#define LIBTENTACLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(TENTACLE_DLL)
#define TENTACLE_API	__declspec(dllexport)
#elif defined(__GNUC__)
#define TENTACLE_API	__attribute__((__visibility__("default")))
#else
#define TENTACLE_API
#endif

#define TENTACLE_ABI		1	/* the soname's number */

/* The release, "1.4.0"; never NULL. */
TENTACLE_API const char	*tentacle_version(void);
/* TENTACLE_ABI of the library loaded (a header/library mismatch check). */
TENTACLE_API int	 tentacle_abi(void);

/* Log levels, for log_level and on_log. */
#define TENTACLE_LOG_DEBUG	0
#define TENTACLE_LOG_INFO	1
#define TENTACLE_LOG_WARNING	2
#define TENTACLE_LOG_ERROR	3

/*
 * Where a node is.  PAUSED: connected (or trying to) but not sharing, by
 * the host's policy; why says which rule (status.why).
 */
enum tentacle_state {
	TENTACLE_STOPPED = 0,	/* not started, or stopped */
	TENTACLE_WAITING,	/* no consent: no link to the hub at all */
	TENTACLE_CONNECTING,	/* to the hub (or backing off after a loss) */
	TENTACLE_SHARING,	/* joined: the hub may send requests */
	TENTACLE_PAUSED,	/* joined, told the hub it is unavailable */
	TENTACLE_DRAINING,	/* stopped sharing: relays finishing */
	TENTACLE_FAILED		/* the hub refused us (why): a token, a
				 * name; tried again with back-off */
};

/*
 * The host's policy: what the user agreed to, what the device is doing
 * now, and the rules over both.  The library enforces it: while a rule
 * says no, the node takes no request (it tells the hub it is paused, and
 * finishes its relays within grace_ms); without consent it does not even
 * connect.  Zero means "no rule" for every cap.
 */
#define TENTACLE_PROFILE_DESKTOP 0	/* consent is the only rule */
#define TENTACLE_PROFILE_MOBILE	1	/* and unmetered + charging */
struct tentacle_policy {
	size_t		 size;		/* sizeof (struct tentacle_policy) */

	/* The user opted in.  0: no link to the hub; 0 later: drain, close. */
	int		 consent;

	/* The device now, as the host sees it (update as it changes). */
	int		 unmetered;	/* Wi-Fi or Ethernet, not cellular */
	int		 charging;
	int		 screen_off;
	int		 battery_pct;	/* 0..100; -1 unknown */

	/* Rules over the device's state. */
	int		 need_unmetered;
	int		 need_charging;
	int		 need_screen_off;
	int		 min_battery_pct;	/* 0: none */

	/* Caps. */
	uint64_t	 bytes_per_day;	/* both directions, local day */
	uint64_t	 bytes_per_month;
	uint64_t	 rate_up;	/* bytes/s toward targets; 0: none */
	uint64_t	 rate_down;	/* bytes/s back to the hub */
	int		 max_relays;	/* at once */
	/* Allowed hours, local time: bit h allows h:00-h:59; 0: all day. */
	uint32_t	 hours;

	/* When sharing stops: relays may finish this long, then close. */
	int		 grace_ms;
};
/* Fill p for a profile (TENTACLE_PROFILE_*); consent is 0 in both. */
TENTACLE_API void	 tentacle_policy_init(struct tentacle_policy *p,
			    int profile);

struct tentacle_node;

/* Callbacks run on the node's loop thread; keep them short. */
typedef void	tentacle_log_cb(void *arg, int level, const char *line);
typedef void	tentacle_state_cb(void *arg, enum tentacle_state state,
		    const char *why);
/* An error the host may show: the hub unreachable, refusing us... */
typedef void	tentacle_error_cb(void *arg, const char *what);

struct tentacle_node_config {
	size_t		 size;		/* sizeof (struct tentacle_node_config) */

	const char	*hub;		/* control address HOST:PORT */
	const char	*token;		/* node token (tentacle token add) */
	const char	*name;		/* NULL: the host name */
	const char	*const *pools;	/* NULL-terminated; NULL: none */

	/*
	 * The hub's key: a "sha256:..." pin, else a CA file, else trust on
	 * first use recorded in state_dir/known_hosts.  insecure: plaintext
	 * links (the hub runs -insecure too; tests and labs only).
	 */
	const char	*fingerprint;
	const char	*ca_file;
	const char	*state_dir;	/* NULL: no TOFU (pin or CA needed) */
	int		 insecure;

	int		 pool_size;	/* spare links kept open; 0: none */

	/*
	 * More settings as `tentacle start` flags, NULL-terminated, e.g.
	 * { "-allow", "10.1.2.3:80", "-bind", "192.0.2.7", NULL }
	 * (tentacle(1); -config reads a node.conf).  Fields above win.
	 */
	const char	*const *args;

	/*
	 * Name servers ("192.0.2.53", "2001:db8::53"), NULL-terminated;
	 * NULL: /etc/resolv.conf.  Android has none: give the active
	 * network's (LinkProperties.getDnsServers()), or no name resolves.
	 */
	const char	*const *dns;

	int		 log_level;	/* TENTACLE_LOG_*; lines below dropped */
	int		 log_stderr;	/* also write log lines to stderr */
	tentacle_log_cb	*on_log;
	tentacle_state_cb *on_state;
	tentacle_error_cb *on_error;
	void		*arg;		/* for the callbacks */

	/* The policy it starts with; NULL: tentacle_policy_init(DESKTOP). */
	const struct tentacle_policy *policy;
};
TENTACLE_API void	 tentacle_node_config_init(
			    struct tentacle_node_config *c);

/*
 * A node, not yet running.  NULL on a bad config, with a line in err
 * (errlen bytes, may be 0): "hub address \"x\": expected HOST:PORT".
 */
TENTACLE_API struct tentacle_node *tentacle_node_new(
			    const struct tentacle_node_config *c, char *err,
			    size_t errlen);
/* Run on a thread of the library's.  0, or -1 (running already; no thread). */
TENTACLE_API int	 tentacle_node_start(struct tentacle_node *n);
/* Run on the caller's thread; returns after tentacle_node_stop(): 0, or -1. */
TENTACLE_API int	 tentacle_node_run(struct tentacle_node *n);
/*
 * Stop: leave the hub, close every link and relay (running relays get the
 * config's shutdown grace, -shutdown-grace, default 0), and return when
 * all are closed and the loop has ended.  From any thread.  From a
 * callback (the loop's own thread) it cannot wait for the loop it runs
 * on: it starts the stop and returns; every link and relay closes as the
 * callback returns, then run() returns, or start()'s thread ends.  A
 * stopped node may be started again (not from its STOPPED callback).
 */
TENTACLE_API void	 tentacle_node_stop(struct tentacle_node *n);
/* Replace the policy now; 0, or -1 (p too small). */
TENTACLE_API int	 tentacle_node_set_policy(struct tentacle_node *n,
			    const struct tentacle_policy *p);

struct tentacle_status {
	size_t		 size;		/* sizeof (struct tentacle_status) */
	enum tentacle_state state;
	char		 why[128];	/* PAUSED, WAITING, FAILED: the reason */
	char		 hub[272];	/* HOST:PORT */
	char		 pools[528];	/* "a,b"; "": none */
	uint32_t	 node_id;	/* the hub's id for us; 0: none yet */
	int		 relays;	/* running */
	int		 spare_links;	/* open */
	uint64_t	 bytes_up;	/* toward targets, since new() */
	uint64_t	 bytes_down;
	uint64_t	 bytes_today;	/* counted against bytes_per_day */
	uint64_t	 bytes_month;
	char		 last_error[256];	/* "": none */
};
/*
 * A snapshot, from any thread: the counts are the loop's of at most
 * 250 ms ago (and of the last state change).  Set st->size to sizeof
 * your struct; on return it says how much was filled (a newer header's
 * tail is zeroed).  0, or -1 (st->size too small).
 */
TENTACLE_API int	 tentacle_node_status(struct tentacle_node *n,
			    struct tentacle_status *st);
/* A state's name: "sharing", "paused"... */
TENTACLE_API const char	*tentacle_state_name(enum tentacle_state);

/* Stop if running, then free everything.  NULL is fine. */
TENTACLE_API void	 tentacle_node_free(struct tentacle_node *n);

#ifdef __cplusplus
}
#endif

#endif /* LIBTENTACLE_H */
