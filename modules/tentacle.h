/*
 * tentacle.h: what the hub and the node share (log, xmalloc, core, relay)
 * and the commands' mains, grouped by the .c file that owns them.  The
 * pure codecs (frame, socks, http, route, acl, auth, limit, token, opt)
 * have their own headers, which include none of this: tests and fuzzers
 * include them alone.
 */
#ifndef TENTACLE_H
#define TENTACLE_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "compat.h"

struct bufferevent;
struct event_base;
struct evdns_base;
struct timeval;

#define TENTACLE_NAME		"tentacle"

/* Default listen and connect addresses (the seed's). */
#define DEFAULT_CONTROL_ADDR	":4442"
#define DEFAULT_DATA_ADDR	":4443"
#define DEFAULT_SOCKS_ADDR	":8888"
#define DEFAULT_HTTP_ADDR	":8887"

/*
 * The admin channel: a Unix socket (peer credentials), or a loopback TCP
 * port whose clients send the cookie from ADMIN_COOKIE_FILE in the state
 * directory first (Windows: COMPAT_ADMIN_TCP, doc/windows.md).
 */
#define ADMIN_COOKIE_FILE	"admin.cookie"
#define ADMIN_COOKIE_LEN	32

/* Timeouts, milliseconds (doc/protocol.md "Limits"). */
#define HANDSHAKE_MS		10000
#define HEARTBEAT_MS		5000
#define HEARTBEAT_MISSES	3
#define DIAL_MS			15000
#define CONNECT_MS		10000
#define MAX_DIALS_PER_NODE	256

/* TCP keepalive idle time on relayed sockets, seconds. */
#define RELAY_KEEPALIVE_S	120

/* Bytes queued toward one side before the other side's reads pause. */
#define RELAY_HIGHWATER		(64 * 1024)

#include "target.h"

/* log.c */
#define LOG_LEVEL_DEBUG		0
#define LOG_LEVEL_INFO		1
#define LOG_LEVEL_WARNING	2
#define LOG_LEVEL_ERROR		3
/* dest: "stdout", "stderr", "none", "syslog" or a file path. */
int		 log_init(const char *dest, int level, const char *ident,
		    char **cause);
int		 log_level_parse(const char *, int *);
void		 log_level_set(int);
/* "text" (the default) or "json": one JSON object a line; -1 neither. */
int		 log_format_set(const char *);
void		 log_reopen(void);
/* Close a context's log file, free its path (core_ctx_free()). */
struct core_log;
void		 log_close(struct core_log *);
void		 log_debug(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
void		 log_warn(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
void		 log_warnx(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
void		 log_error(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
__dead void	 fatal(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
__dead void	 fatalx(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
int		 log_enabled(int level);
/* Escape untrusted bytes for a log line; returns out (always terminated). */
char		*log_escape(char *out, size_t outlen, const void *in,
		    size_t inlen);
/*
 * in as the inside of a JSON string (", \, control bytes and bytes past
 * 0x7e as \u00XX), truncated whole escapes only; returns out.
 */
char		*log_json_escape(char *out, size_t outlen, const char *in);
struct relay_who;
/*
 * A relay's last line, the same fields for every front (doc/logs):
 * "relay PROTO CLIENT: user U, node ID (NAME), target T, closed (END),
 * UP bytes up, DOWN down, S.MMMs", and with -log-format json each field
 * as a key.  level: LOG_LEVEL_*.
 */
void		 log_relay(int level, const struct relay_who *, uint64_t up,
		    uint64_t down, uint64_t ms, const char *end);

/* xmalloc.c: startup allocations; fatal on failure. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
int		 xasprintf(char **, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

/*
 * core.c: event base, signals, listeners, addresses, clocks.
 *
 * A core context is one event loop and the state of what runs on it: the
 * hub's (one a process), the `tentacle start` node's, or each node of the
 * library (libtentacle.h: several in one process, each on its thread).
 * core_cur is this thread's: set once by a process's main, or by the
 * library around a node's loop and each call into it.  Code on the loop
 * (every callback) finds its base, resolver, log and relays there.
 */
struct core_log {
	FILE		*fp;		/* NULL: stderr (nothing set up yet) */
	int		 syslog;
	int		 none;
	int		 level;		/* LOG_LEVEL_* */
	int		 json;
	char		*path;		/* a file's, for log_reopen() */
	char		 ident[32];
	/* A host's callback (libtentacle), and stderr beside it or not. */
	void		(*cb)(void *, int, const char *);
	void		*cb_arg;
	int		 also_stderr;
};
struct relay_ctx;
struct core_flush;
struct core_ctx {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct core_log		 log;
	struct relay_ctx	*relay;		/* relay.c's: relay_ctx_free() */
	/* Links writing their last bytes (core_bev_close_flush()). */
	TAILQ_HEAD(, core_flush) flushing;
};
extern COMPAT_THREAD struct core_ctx	*core_cur;
extern struct core_ctx			 core_main;	/* the process's */
#define core_base	(core_cur->base)
#define core_dns	(core_cur->dns)

typedef void core_accept_cb(int, struct sockaddr *, socklen_t, void *);
struct core_listener;

/*
 * The process's context (hub, `tentacle start`, admin commands): its base;
 * SIGPIPE ignored (a process may; the library never does).
 */
void		 core_init(void);
/* A library node's context: a base of its own.  -1 when out of memory. */
int		 core_ctx_init(struct core_ctx *);
/* Free what core_ctx_init() and the loop's users made (base, resolver). */
void		 core_ctx_free(struct core_ctx *);
/*
 * The node's resolver (evdns): /etc/resolv.conf and /etc/hosts, or the n
 * name servers given (numeric addresses).  -1 when out of memory or a
 * server is not an address.
 */
int		 core_dns_init(const char (*servers)[64], int n);
int		 core_loop(void);
void		 core_exit(void);
void		 core_signal(int, void (*)(int, void *), void *);
/* Monotonic microseconds. */
uint64_t	 core_now_us(void);
/* Give freed heap back to the system (glibc; elsewhere the allocator does). */
void		 core_memory_trim(void);
/*
 * The hub's and node's start: libevent's per-descriptor records for the
 * first 4096 numbers made now, together, so that a load's do not pin its
 * freed heap afterwards (glibc; elsewhere nothing).
 */
void		 core_fdmap_reserve(void);
/* Fill tv with ms milliseconds; returns tv (for evtimer_add()). */
struct timeval	*core_ms_tv(struct timeval *tv, int ms);
/*
 * Default state directory (keys, known_hosts, the admin socket):
 * $TENTACLE_STATE_DIR, else /var/lib/tentacle for root, else ~/.tentacle.
 */
const char	*core_state_dir(void);
/*
 * Parse "host:port", ":port", "[v6]:port" or "port" for listening:
 * numeric hosts or "localhost" only; an empty host means every address.
 */
int		 core_addr_parse(const char *, struct sockaddr_storage *,
		    socklen_t *, char **);
/* Listen on addr; accepts pause on EMFILE/ENFILE and resume after 1 s. */
struct core_listener *core_listen(const char *, core_accept_cb *, void *,
		    char **);
/*
 * Listen on a Unix domain socket at path with permissions mode (0660): a
 * leftover socket nobody answers on is replaced, a live one is an error.
 * core_listener_close() removes it.
 */
struct core_listener *core_listen_unix(const char *path, int mode,
		    core_accept_cb *, void *, char **);
void		 core_listener_close(struct core_listener *);
/*
 * Let evhttp accept on cl (the admin API); pauses on fd exhaustion stay
 * core's.  evhttp_free() then frees the socket, core_listener_close() the
 * rest (and unlinks a Unix socket).
 */
struct evhttp;
struct evconnlistener;
void		 core_listener_http(struct core_listener *, struct evhttp *);
struct evconnlistener *core_listener_lev(struct core_listener *);
/* Bound address as "ip:port" (after port 0), or the socket's path. */
const char	*core_listener_name(struct core_listener *);
uint16_t	 core_listener_port(struct core_listener *);
/* "ip:port" of a socket address, into buf. */
const char	*core_sa_str(const struct sockaddr *, char *, size_t);
/* Is sa 127.0.0.1 or ::1 (or ::ffff:127.0.0.1): not the rest of 127/8? */
int		 core_sa_is_localhost(const struct sockaddr *);
int		 core_set_nonblock(int);
/* Stop reading; free bev once its output is written (5 s at most). */
void		 core_bev_close_flush(struct bufferevent *);
/*
 * The same for a bufferevent with output waiting, reading or not: its
 * bytes go out (5 s at most), then bufferevent_free() (the TLS filter's
 * socket lingers so).  The context frees those left at its end.
 */
void		 core_bev_linger(struct bufferevent *);
/* Free those still writing now (a library node's stop, its end). */
void		 core_flush_drop(void);
/*
 * Write buf to a plaintext socket bufferevent: straight to the socket
 * when nothing waits in its output (no EV_WRITE round trip, two epoll_ctl
 * fewer), the rest (or all, on EAGAIN or an error libevent then meets)
 * through the output.
 */
void		 core_bev_send(struct bufferevent *, const void *, size_t);
/*
 * A data link's frames: core_bev_send() on a plaintext one, through the
 * TLS filter otherwise.
 */
void		 core_link_send(struct bufferevent *, int plain, const void *,
		    size_t);
/*
 * Read from bev, and write when there is something to: a plaintext
 * socket's EV_WRITE waits for data (core_bev_send(), libevent's own add
 * when data is queued with EV_WRITE enabled), a filter's costs nothing.
 */
void		 core_bev_enable_io(struct bufferevent *, int plain);
/*
 * TCP_NODELAY on a plaintext data link (TLS links set it in tls.c): a
 * relay's writes are already whole (a chunk, an EOF mark, a reply), and
 * Nagle would hold the second small one for the peer's delayed ACK.
 */
void		 core_nodelay(int fd);

/*
 * relay.c: one proxied connection, both its sides, until both directions
 * are done (relay_http.c: its HTTP proxy mode).  Knows nothing of nodes:
 * an exit's owner counts through struct relay_exit.
 */
struct relay_stat {
	uint64_t	 up;		/* user → exit (target) */
	uint64_t	 down;		/* exit → user */
};
struct relay;
/* Who a relay serves, for its log line (log_relay()). */
struct relay_who {
	const char	*proto;		/* "socks", "connect", "http", "dial" */
	uint32_t	 node_id;	/* 0: no node */
	char		 node[64];	/* its name */
	char		 user[65];	/* "": none */
	char		 client[64];	/* "ip:port", or the hub's request id */
	char		 target[280];	/* as target_str() */
};
/*
 * An exit given to a relay: the bufferevent toward the target (the hub's
 * data link; BEV_OPT_CLOSE_ON_FREE) and what its owner (the hub: the
 * node's accounting) counts on it.  The owner keeps it valid, and may
 * change stat, until done(): the relay has freed bev (bev NULL), or, for
 * a framed link whose relay ended cleanly (both EOF marks exchanged),
 * handed it back in bev, callbacks cleared, for the owner to reuse or free.
 */
struct relay_exit {
	struct bufferevent	*bev;
	struct relay_stat	*stat;		/* bytes counted; NULL: nowhere */
	int			 idle_ms;	/* no progress so long ends; 0 no */
	void			(*done)(struct relay_exit *);
	const struct relay_who	*who;		/* a fresh dial's, or NULL */
	/*
	 * Bytes moved (up or down) for the owner's accounting, NULL: none.
	 * -1 cuts the relay soon after (on its timer, never inside the
	 * callback that counted): a quota is reached.
	 */
	int			(*count)(struct relay_exit *, size_t up,
				    size_t down);
	/*
	 * The owner put the user's bufferevent in a rate-limit group: the
	 * relay moves bytes only through the bufferevents (no splice, no
	 * reads or writes past them on the sockets), which obey it.
	 */
	int			 capped;
	/* The link relays in chunks (doc/protocol.md "Framed relays"). */
	int			 framed;
};
/*
 * A dial's answer (hub_dial()): on DIAL_OK the exit, which the front
 * gives to a relay (relay_open(), relay_http_exit()) at once.
 */
struct dial_done {
	int			 result;	/* DIAL_* */
	struct relay_exit	*exit;		/* DIAL_OK: for a relay */
	uint32_t		 req;		/* the dial's request id */
	const char		*via;		/* who answered ("node 3"), logs */
	const struct relay_who	*who;		/* user, node, target; logs */
};
/* Called once, from relay_close(), before r is freed. */
typedef void relay_close_cb(struct relay *, void *);
/*
 * Take ownership of both bufferevents (they must have been created with
 * BEV_OPT_CLOSE_ON_FREE) and relay between them.  Bytes already buffered in
 * either input are forwarded.  NULL when out of memory (both untouched).
 */
struct relay	*relay_new(struct bufferevent *user, struct bufferevent *exit,
		    const char *tag, relay_close_cb *, void *);
/*
 * The node's relay of a framed link (user) and its target (exit): as
 * relay_new(), and when the relay ends, back(link, arg) gets the link
 * (callbacks cleared) if both EOF marks went across and the framing held,
 * else back(NULL, arg): the link is gone.  back is called exactly once.
 */
struct relay	*relay_new_framed(struct bufferevent *link,
		    struct bufferevent *target, const char *tag,
		    void (*back)(struct bufferevent *, void *), void *arg);
/*
 * The same toward an exit: its bytes counted on ex->stat, idle after
 * ex->idle_ms; proto names the front in the relay line ("socks",
 * "socks4": a static string).  NULL when out of memory: user and ex are
 * released (user freed, ex's bev freed and its owner told), the caller
 * keeps arg.
 */
struct relay	*relay_open(struct bufferevent *user, struct relay_exit *,
		    const char *proto, const char *tag, relay_close_cb *,
		    void *);
void		 relay_set_idle(struct relay *, int ms);	/* 0 = none */
const char	*relay_tag(struct relay *);
/* Frees r (and its bufferevents); logs one line with the reason. */
void		 relay_close(struct relay *, const char *reason);
/* Number of live relays in this context. */
u_int		 relay_count(void);
/* A context's relay state (core_ctx_init()); its free, once no relay runs. */
struct relay_ctx *relay_ctx_new(void);
void		 relay_ctx_free(struct relay_ctx *);
/*
 * Every relay of this context counts its bytes through meter too (a
 * library node's caps: NULL none); -1 from it cuts that relay as a quota
 * does.  capped: the context's bufferevents are in a rate-limit group,
 * so no relay splices or reads past them.
 */
void		 relay_meter(int (*meter)(void *, size_t up, size_t down),
		    void *arg, int capped);
/*
 * Shutting down: close the relays (reason), all of them or (idle_only)
 * the HTTP ones between requests; returns how many were closed.
 */
u_int		 relay_close_all(const char *reason, int idle_only);
/* Who r serves (node side: the node, the target), for its log line. */
void		 relay_set_who(struct relay *, const struct relay_who *);
/* The user's side (the proxy client's bufferevent; the relay owns it). */
struct bufferevent *relay_user_bev(struct relay *);

/*
 * relay_http.c: the HTTP proxy mode of a relay (doc/http-proxy.md).  The
 * relay owns the client connection from accept: reads request heads,
 * asks its front for an exit per request, forwards the rewritten request
 * and the response (keep-alive between them), or turns into a raw relay
 * for CONNECT.  The front (hub_http.c) judges requests and dials.
 */
struct http_msg;
struct relay_http_conf {
	int		 head_ms;	/* a request head, from its first byte */
	int		 first_ms;	/* the first head from accept; 0: head_ms */
	int		 keepalive_ms;	/* idle between requests */
	int		 wait_ms;	/* for the exit, once asked */
	int		 via;		/* add Via: (http.c HTTP_RW_VIA) */
	const char	*exit0;		/* no exit yet, in logs ("node 0") */
};
struct relay_http_front {
	/*
	 * A request head for t (head: its bytes, for this call): check it
	 * and ask for an exit.  0: it is on its way (relay_http_exit()
	 * follows, after this returns); -1: answered (relay_http_error(),
	 * relay_http_reply()), r may be gone.
	 */
	int		(*request)(struct relay *, void *,
			    const struct http_msg *, const uint8_t *head,
			    const struct target *t);
	/* r no longer waits for the exit it asked for. */
	void		(*cancel)(struct relay *, void *);
	/* r closes: free what arg holds. */
	relay_close_cb	*closed;
};
/*
 * A relay in HTTP mode for the accepted client fd at sa (its tag: the
 * address); conf is copied.  NULL when out of memory (fd closed).
 */
struct relay	*relay_http_new(int fd, const struct sockaddr *sa,
		    socklen_t salen, const struct relay_http_conf *,
		    const struct relay_http_front *, void *);
/* The client's address. */
const struct sockaddr *relay_http_peer(struct relay *);
/* The request's user name for log lines (copied); "" for none. */
void		 relay_http_user(struct relay *, const char *);
/* The request's target, "host:port" escaped. */
const char	*relay_http_dest(struct relay *);
/*
 * The exit asked for: forward the request over it, or tunnel (CONNECT);
 * a failed dial is answered (502, 503, 504...) and closes.
 */
void		 relay_http_exit(struct relay *, const struct dial_done *);
/* The request's log line, with its final status. */
void		 relay_http_log(struct relay *, int status);
/*
 * Answer status with a one-line body and close once it is read; if a
 * response is under way, just close.  Both return -1: r may be gone.
 */
int		 relay_http_error(struct relay *, int status, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
/* The same with a whole reply of the front's making. */
int		 relay_http_reply(struct relay *, int status, const char *,
		    size_t);

/* hub.c: the hub (`tentacle server`); its parts share modules/hub.h. */
int		 hub_main(int, char **);


/*
 * limit.c: proxy client connections counted in total, per address and per
 * user, with the refusal log's rate limit (limit.h has the calls,
 * doc/limits.md the limits).
 */
struct limit_hold;

/* passwd.c: `tentacle passwd [-iter N] [-file F] USER`. */
int		 passwd_main(int, char **);

/*
 * node.c: the exit node, `tentacle start [flags] [POOL...]`; argv[0] is
 * the command word, flags before it are parsed already (node_conf.c).
 */
int		 node_main(int, char **);

/*
 * node_conf.c: the node's flags, which tentacle.c parses before a command
 * word too (tentacle [node flags] start|info|...).  node_conf_parse()
 * parses them from argv[*ind] on, up to the first argument that is not
 * one: -1 to go on, else the exit status (-h, or an error: usage printed).
 * node_conf_usage() prints the usage, on stdout for status 0, else on
 * stderr, and returns status.
 */
int		 node_conf_parse(int argc, char **argv, int *ind);
int		 node_conf_usage(int status);

/*
 * admin.c: `tentacle info|drain|undrain|redial` (argv[0]) over the hub's
 * admin socket: -admin PATH, else STATE_DIR/admin.sock.
 */
int		 admin_main(int, char **);

/*
 * service.c: `tentacle service install|uninstall|start|stop [hub|node]`,
 * the Windows service (doc/windows.md); elsewhere a pointer to dist/.
 */
int		 service_main(int, char **);

/* token.c */
int		 token_main(int, char **);

/* trust.c: `tentacle trust forget HOST:PORT` (the node's known_hosts) */
int		 trust_main(int, char **);

/* version.c */
const char	*version_string(void);	/* "tentacle 0.1.0 (abc1234)" */
int		 version_main(int, char **);

/* tentacle.c */
void		 usage_commands(void);

#endif /* TENTACLE_H */
