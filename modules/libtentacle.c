/*
 * libtentacle.c: the node as a library (include/libtentacle.h,
 * doc/sdk.md): the handle, its lifecycle and its threads.  A handle holds
 * everything a node has: its core context (event base, resolver, log,
 * relays), its node_state, its settings and its policy.  Its loop runs on
 * one thread, a library thread (tentacle_node_start()) or the caller's
 * (tentacle_node_run()); while it runs, that thread's core_cur, node and
 * node_conf point into the handle, and nothing else does.  Other threads
 * reach the loop only through the handle's wake socket (one byte a
 * request) and read its status under the handle's lock.  `tentacle start`
 * is a host of this file too (lib_main()).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"

/* A host's on_log is the log's callback as it is: the levels must agree. */
#if TENTACLE_LOG_DEBUG != LOG_LEVEL_DEBUG || \
    TENTACLE_LOG_INFO != LOG_LEVEL_INFO || \
    TENTACLE_LOG_WARNING != LOG_LEVEL_WARNING || \
    TENTACLE_LOG_ERROR != LOG_LEVEL_ERROR
#error "libtentacle.h's log levels are not log.c's"
#endif

#define LIB_STATUS_MS	250	/* the status snapshot's counts, refreshed */

/* Requests through the wake socket, one byte each. */
#define LIB_STOP	'S'	/* tentacle_node_stop(): the grace */
#define LIB_POLICY	'P'	/* tentacle_node_set_policy() */
#define LIB_SIGTERM	'T'	/* `tentacle start`'s signals */
#define LIB_SIGINT	'I'
#define LIB_SIGHUP	'H'

struct tentacle_node {
	/* What a node is, all of it: the loop's thread points here. */
	struct core_ctx		 core;
	struct node_state	 st;
	struct node_conf	*conf;
	struct node_policy	 pol;

	/* The host. */
	tentacle_state_cb	*on_state;
	tentacle_error_cb	*on_error;
	void			*arg;
	int			 cli;		/* `tentacle start` */

	/* Threads: the lock guards what follows. */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cv;
	int			 running;	/* a loop runs, or will */
	int			 thread;	/* start()'s thread to join */
	pthread_t		 tid;
	pthread_t		 loop_tid;	/* the loop's, while running */
	evutil_socket_t		 wake[2];	/* -1: none (not running) */
	struct tentacle_policy	 pending;	/* set_policy()'s, for the loop */
	int			 pending_set;	/* not yet taken by the loop */
	int			 stop_posted;	/* one LIB_STOP a run */
	int			 stop_asked;	/* from a callback, before the loop */
	struct tentacle_status	 snap;		/* status()'s */

	/* The loop's own. */
	struct event		*wake_ev;
	struct event		*snap_ev;
	int			 ending;	/* node_end() and after */
};

/* The flags' table (node_conf.c) is one for the process. */
static pthread_mutex_t	 lib_conf_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * libevent's own process-wide state (its random numbers: evdns query
 * ids, our back-off) is locked only once it has lock callbacks: the
 * library's build (-DTENTACLE_LIB, libevent_pthreads) sets them once, for
 * nodes on several threads.  Our bases stay lock-free (one thread each).
 */
static pthread_once_t	 lib_once = PTHREAD_ONCE_INIT;

#ifdef TENTACLE_LIB
/*
 * libevent's own warnings (evdns: "nameserver ... has failed"): to the
 * log of the node whose loop met them (core_cur, this thread's), not to
 * stderr.  Process-wide, as libevent has it: a host that sets its own
 * after tentacle_node_new() gets them instead.
 */
static void
lib_event_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}
#endif

static void
lib_once_init(void)
{
#ifdef TENTACLE_LIB
	evthread_use_pthreads();
	event_set_log_callback(lib_event_log);
#endif
}

/* This thread's current node, saved around a call into a handle. */
struct lib_saved {
	struct core_ctx		*core;
	struct node_state	*node;
	struct node_conf	*conf;
};

static void
lib_enter(struct tentacle_node *n, struct lib_saved *sv)
{
	sv->core = core_cur;
	sv->node = node;
	sv->conf = node_conf;
	core_cur = &n->core;
	node = &n->st;
	node_conf = n->conf;
}

static void
lib_leave(const struct lib_saved *sv)
{
	core_cur = sv->core;
	node = sv->node;
	node_conf = sv->conf;
}

TENTACLE_API const char *
tentacle_version(void)
{
	return (VERSION);
}

TENTACLE_API int
tentacle_abi(void)
{
	return (TENTACLE_ABI);
}

TENTACLE_API const char *
tentacle_state_name(enum tentacle_state state)
{
	return (node_policy_state_name((int)state));
}

TENTACLE_API void
tentacle_policy_init(struct tentacle_policy *p, int profile)
{
	memset(p, 0, sizeof *p);
	p->size = sizeof *p;
	p->battery_pct = -1;
	p->grace_ms = 10000;
	if (profile == TENTACLE_PROFILE_MOBILE) {
		p->need_unmetered = 1;
		p->need_charging = 1;
	}
}

TENTACLE_API void
tentacle_node_config_init(struct tentacle_node_config *c)
{
	memset(c, 0, sizeof *c);
	c->size = sizeof *c;
	c->log_level = TENTACLE_LOG_INFO;
}

/*
 * A caller's struct of its `size`: at least min (ABI 1's fields); shorter
 * than ours (an older header, once fields are added), the rest zero;
 * longer (a newer header), the bytes we do not know must be zero (unused
 * new fields), as Linux's openat2() does.  -1: too small, or asks for
 * what this library cannot do.
 */
static int
lib_copy(void *dst, size_t dlen, const void *src, size_t min)
{
	const unsigned char	*p = src;
	size_t			 size, i;

	if (src == NULL)
		return (-1);
	memcpy(&size, src, sizeof size);
	if (size < min || size > 65536)
		return (-1);
	/* From the end of our last field: the tail padding is not ours. */
	for (i = min; i < size; i++) {
		if (p[i] != 0)
			return (-1);
	}
	memset(dst, 0, dlen);
	memcpy(dst, src, size < dlen ? size : dlen);
	return (0);
}
#define LIB_COPY(dst, src, lastfield)					\
	lib_copy((dst), sizeof *(dst), (src),				\
	    offsetof(__typeof__(*(dst)), lastfield) +			\
	    sizeof (dst)->lastfield)

/* The byte counts into the snapshot (lock held; the loop's, or no loop). */
static void
lib_snap_bytes(struct tentacle_node *n)
{
	n->snap.bytes_up = n->pol.up;
	n->snap.bytes_down = n->pol.down;
	n->snap.bytes_today = n->pol.bytes_day;
	n->snap.bytes_month = n->pol.bytes_month;
}

/* The counts status() reads, refreshed on the loop (lock held). */
static void
lib_snap(struct tentacle_node *n)
{
	lib_snap_bytes(n);
	n->snap.node_id = node->welcomed ? node->id : 0;
	n->snap.relays = (int)relay_count();
	n->snap.spare_links = (int)node->nspares;
}

static void
lib_snap_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct tentacle_node	*n = arg;

	pthread_mutex_lock(&n->mtx);
	lib_snap(n);
	pthread_mutex_unlock(&n->mtx);
}

/* The policy's state changed (on the loop): the snapshot, the host. */
static void
lib_changed(void *arg)
{
	struct tentacle_node	*n = arg;
	enum tentacle_state	 state = (enum tentacle_state)n->pol.state;
	char			 why[sizeof n->pol.why];

	strlcpy(why, n->pol.why, sizeof why);
	pthread_mutex_lock(&n->mtx);
	if (node != NULL && node->pol == &n->pol)
		lib_snap(n);
	n->snap.state = state;
	strlcpy(n->snap.why, why, sizeof n->snap.why);
	pthread_mutex_unlock(&n->mtx);
	if (n->on_state != NULL)
		n->on_state(n->arg, state, why);
}

/* The node met an error (on the loop): last_error, the host. */
static void
lib_error(void *arg, const char *what)
{
	struct tentacle_node	*n = arg;

	pthread_mutex_lock(&n->mtx);
	strlcpy(n->snap.last_error, what, sizeof n->snap.last_error);
	pthread_mutex_unlock(&n->mtx);
	if (n->on_error != NULL)
		n->on_error(n->arg, what);
}

static void
lib_wake_cb(evutil_socket_t fd, short what __unused, void *arg)
{
	struct tentacle_node	*n = arg;
	struct tentacle_policy	 p;
	char			 req[64];
	ssize_t			 len, i;

	while ((len = recv(fd, req, sizeof req, 0)) > 0) {
		for (i = 0; i < len; i++) {
			switch (req[i]) {
			case LIB_STOP:
				node_stop(0, "stop requested");
				break;
			case LIB_SIGTERM:
				node_stop(0, "signal 15");
				break;
			case LIB_SIGINT:
				node_stop(0, "signal 2");
				break;
			case LIB_SIGHUP:
				log_reopen();
				break;
			case LIB_POLICY:
				pthread_mutex_lock(&n->mtx);
				p = n->pending;
				n->pending_set = 0;
				pthread_mutex_unlock(&n->mtx);
				node_policy_set(&p);
				break;
			}
		}
	}
}

/*
 * One request to the loop; async-signal-safe (`tentacle start`'s).  0
 * when the loop cannot hear it yet (starting: no wake socket).
 */
static int
lib_post(struct tentacle_node *n, char req)
{
	evutil_socket_t	 fd = n->wake[1];

	if (fd == -1)
		return (0);
	(void)send(fd, &req, 1, MSG_NOSIGNAL);
	return (1);
}

/* see libtentacle.h */
TENTACLE_API struct tentacle_node *
tentacle_node_new(const struct tentacle_node_config *cfg, char *err,
    size_t errlen)
{
	struct tentacle_node_config	 c;
	struct tentacle_node		*n;
	struct node_conf_fields		 f;
	struct lib_saved		 sv;
	char				*cause = NULL;
	const char			*p;
	int				 npools = 0, rc;

	if (errlen > 0)
		err[0] = '\0';
	pthread_once(&lib_once, lib_once_init);
	if (LIB_COPY(&c, cfg, policy) == -1) {
		if (errlen > 0)
			strlcpy(err, "config: NULL, its size field not set "
			    "(tentacle_node_config_init()), or fields this "
			    "libtentacle does not know set (a newer header)",
			    errlen);
		return (NULL);
	}
	if ((n = calloc(1, sizeof *n)) == NULL) {
		if (errlen > 0)
			strlcpy(err, "out of memory", errlen);
		return (NULL);
	}
	n->wake[0] = n->wake[1] = -1;
	n->on_state = c.on_state;
	n->on_error = c.on_error;
	n->arg = c.arg;
	n->core.log.level = c.log_level;
	strlcpy(n->core.log.ident, "tentacle", sizeof n->core.log.ident);
	/* The header's levels are log.c's (TENTACLE_LOG_* = LOG_LEVEL_*). */
	n->core.log.cb = c.on_log;
	n->core.log.cb_arg = c.arg;
	if (c.log_stderr)
		n->core.log.fp = stderr;
	else if (c.on_log == NULL)
		n->core.log.none = 1;

	memset(&f, 0, sizeof f);
	f.hub = c.hub;
	f.token = c.token;
	f.name = c.name;
	f.fingerprint = c.fingerprint;
	f.ca_file = c.ca_file;
	f.state_dir = c.state_dir;
	f.insecure = c.insecure;
	f.pool_size = c.pool_size;
	while (c.pools != NULL && c.pools[npools] != NULL)
		npools++;
	f.npools = npools;
	f.pools = (char **)(uintptr_t)c.pools;

	lib_enter(n, &sv);
	pthread_mutex_lock(&lib_conf_lock);
	rc = node_conf_library(&n->conf, (char *const *)(uintptr_t)c.args,
	    &f, &cause);
	pthread_mutex_unlock(&lib_conf_lock);
	lib_leave(&sv);
	if (rc != 0) {
		/* The command's prefixes mean nothing to a host. */
		p = cause != NULL ? cause : "bad config";
		if (strncmp(p, "tentacle start: ", 16) == 0)
			p += 16;
		else if (strncmp(p, "tentacle: ", 10) == 0)
			p += 10;
		if (errlen > 0)
			strlcpy(err, p, errlen);
		free(cause);
		log_close(&n->core.log);
		free(n);
		return (NULL);
	}
	n->core.log.json = n->conf->log_json;
	for (rc = 0; c.dns != NULL && c.dns[rc] != NULL; rc++) {
		struct sockaddr_storage	 ss;
		int			 sslen = sizeof ss;

		if (rc == NODE_DNS_MAX || strlen(c.dns[rc]) >=
		    sizeof n->conf->dns[0] || evutil_parse_sockaddr_port(
		    c.dns[rc], (struct sockaddr *)&ss, &sslen) == -1) {
			if (errlen > 0)
				snprintf(err, errlen, "dns: \"%s\": %s",
				    c.dns[rc], rc == NODE_DNS_MAX ?
				    "more than 8 name servers" :
				    "not an IP address");
			node_conf_free(n->conf);
			log_close(&n->core.log);
			free(n);
			return (NULL);
		}
		strlcpy(n->conf->dns[rc], c.dns[rc], sizeof n->conf->dns[rc]);
		n->conf->ndns = rc + 1;
	}
	if (c.policy == NULL)
		tentacle_policy_init(&n->pol.p, TENTACLE_PROFILE_DESKTOP);
	else if (LIB_COPY(&n->pol.p, c.policy, grace_ms) == -1) {
		if (errlen > 0)
			strlcpy(err, "policy: its size field is not set "
			    "(tentacle_policy_init()), or fields this "
			    "libtentacle does not know set (a newer header)",
			    errlen);
		node_conf_free(n->conf);
		log_close(&n->core.log);
		free(n);
		return (NULL);
	}
	n->pol.p.size = sizeof n->pol.p;
	n->pol.usage_dir = n->conf->state_dir;	/* the host's, or NULL */
	n->pol.changed = lib_changed;
	n->pol.error = lib_error;
	n->pol.changed_arg = n;
	n->snap.size = sizeof n->snap;
	snprintf(n->snap.hub, sizeof n->snap.hub, "%s:%s", n->conf->host,
	    n->conf->port);
	for (rc = 0; rc < n->conf->npools; rc++) {
		if (rc > 0)
			strlcat(n->snap.pools, ",", sizeof n->snap.pools);
		strlcat(n->snap.pools, n->conf->pools[rc],
		    sizeof n->snap.pools);
	}
	pthread_mutex_init(&n->mtx, NULL);
	pthread_cond_init(&n->cv, NULL);
	return (n);
}

/* The wake socket pair and its event; -1 when out of descriptors. */
static int
lib_wake_open(struct tentacle_node *n)
{
#ifdef _WIN32
	int	 af = AF_INET;
#else
	int	 af = AF_UNIX;
#endif
	evutil_socket_t	 sv[2];

	if (evutil_socketpair(af, SOCK_STREAM, 0, sv) == -1)
		return (-1);
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
	evutil_make_socket_closeonexec(sv[0]);
	evutil_make_socket_closeonexec(sv[1]);
	n->wake_ev = event_new(core_base, sv[0], EV_READ | EV_PERSIST,
	    lib_wake_cb, n);
	if (n->wake_ev == NULL || event_add(n->wake_ev, NULL) == -1) {
		evutil_closesocket(sv[0]);
		evutil_closesocket(sv[1]);
		return (-1);
	}
	pthread_mutex_lock(&n->mtx);
	n->wake[0] = sv[0];
	n->wake[1] = sv[1];
	pthread_mutex_unlock(&n->mtx);
	return (0);
}

/* The loop, on this thread, until a stop; everything freed after. */
static int
lib_loop(struct tentacle_node *n)
{
	struct lib_saved	 sv;
	struct timeval		 tv;
	struct compat_sigmask	 mask;
	int			 rc = -1;

	/* A write to a closed socket: EPIPE here, no signal to the host. */
	compat_sigmask_block(0, &mask);
	lib_enter(n, &sv);
	if (core_ctx_init(&n->core) == -1) {
		log_warnx("node: out of memory for the event loop");
		goto done;
	}
	if (n->cli)
		core_fdmap_reserve();
	rc = node_start(&n->st, n->conf);
	n->st.pol = &n->pol;	/* node_start() zeroed the state */
	if (rc == -1 || lib_wake_open(n) == -1 ||
	    (n->snap_ev = event_new(core_base, -1, EV_PERSIST, lib_snap_cb,
	    n)) == NULL) {
		log_warnx("node: out of memory or descriptors at start");
		lib_error(n, "out of memory or descriptors at start");
		rc = -1;
		goto end;
	}
	event_add(n->snap_ev, core_ms_tv(&tv, LIB_STATUS_MS));
	/* A policy set while the loop could not hear it yet. */
	pthread_mutex_lock(&n->mtx);
	if (n->pending_set)
		n->pol.p = n->pending;
	n->pending_set = 0;
	pthread_mutex_unlock(&n->mtx);
	if (node_policy_start() == -1) {
		rc = -1;
		goto end;
	}
	if (n->stop_asked)	/* by a callback while starting */
		node_stop(1, "stop requested");
	event_base_dispatch(core_base);
	rc = 0;
end:
	n->ending = 1;
	node_end();
	node_policy_end();
	if (n->snap_ev != NULL)
		event_free(n->snap_ev);
	if (n->wake_ev != NULL)
		event_free(n->wake_ev);
	n->snap_ev = n->wake_ev = NULL;
	pthread_mutex_lock(&n->mtx);
	if (n->wake[0] != -1) {
		evutil_closesocket(n->wake[0]);
		evutil_closesocket(n->wake[1]);
	}
	n->wake[0] = n->wake[1] = -1;
	pthread_mutex_unlock(&n->mtx);
	log_info("node: stopped");
done:
	core_ctx_free(&n->core);
	lib_leave(&sv);
	compat_sigmask_restore(&mask);
	pthread_mutex_lock(&n->mtx);
	/* A policy posted as the loop ended: the next run starts with it. */
	if (n->pending_set)
		n->pol.p = n->pending;
	n->pending_set = 0;
	n->running = 0;
	n->ending = 0;
	n->stop_posted = 0;
	n->stop_asked = 0;
	n->snap.state = TENTACLE_STOPPED;
	n->snap.relays = n->snap.spare_links = 0;
	n->snap.node_id = 0;
	pthread_cond_broadcast(&n->cv);
	pthread_mutex_unlock(&n->mtx);
	return (rc);
}

/* Mark n running from this call on; -1 when it already is. */
static int
lib_claim(struct tentacle_node *n)
{
	int	 busy;

	pthread_mutex_lock(&n->mtx);
	if (!(busy = n->running))
		n->running = 1;
	pthread_mutex_unlock(&n->mtx);
	return (busy ? -1 : 0);
}

TENTACLE_API int
tentacle_node_run(struct tentacle_node *n)
{
	if (n == NULL || lib_claim(n) == -1)
		return (-1);
	pthread_mutex_lock(&n->mtx);
	n->loop_tid = pthread_self();
	pthread_mutex_unlock(&n->mtx);
	return (lib_loop(n));
}

static void *
lib_thread(void *arg)
{
	lib_loop(arg);
	return (NULL);
}

TENTACLE_API int
tentacle_node_start(struct tentacle_node *n)
{
	struct compat_sigmask	 mask;
	int			 error;

	if (n == NULL || lib_claim(n) == -1)
		return (-1);
	pthread_mutex_lock(&n->mtx);
	if (n->thread) {		/* a stopped thread: reap it first */
		pthread_mutex_unlock(&n->mtx);
		pthread_join(n->tid, NULL);
		pthread_mutex_lock(&n->mtx);
		n->thread = 0;
	}
	/* The thread takes no signal of the host's. */
	compat_sigmask_block(1, &mask);
	error = pthread_create(&n->tid, NULL, lib_thread, n);
	compat_sigmask_restore(&mask);
	if (error != 0) {
		n->running = 0;
		pthread_mutex_unlock(&n->mtx);
		return (-1);
	}
	n->thread = 1;
	n->loop_tid = n->tid;
	pthread_mutex_unlock(&n->mtx);
	return (0);
}

/*
 * stop() on the loop's own thread (a callback): every link and relay
 * closed now, the loop ends when the callback returns.
 */
static void
lib_stop_here(struct tentacle_node *n)
{
	if (n->ending)
		return;
	if (n->wake_ev == NULL) {
		n->stop_asked = 1;	/* starting: lib_loop() stops it */
		return;
	}
	if (!node->stopping)	/* again (on_log of our own stop): done */
		node_stop(1, "stop requested");
}

TENTACLE_API void
tentacle_node_stop(struct tentacle_node *n)
{
	int	 join = 0, posted;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->mtx);
	if (n->running && pthread_equal(pthread_self(), n->loop_tid) &&
	    core_cur == &n->core) {
		pthread_mutex_unlock(&n->mtx);
		lib_stop_here(n);
		return;
	}
	if (n->running) {
		posted = n->stop_posted;
		if (!posted)
			posted = n->stop_posted = lib_post(n, LIB_STOP);
		/* Not listening yet (starting): ask once it is. */
		while (n->running) {
			struct timespec	 ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&n->cv, &n->mtx, &ts) ==
			    ETIMEDOUT && n->running && !n->stop_posted)
				n->stop_posted = lib_post(n, LIB_STOP);
		}
	}
	if (n->thread && !pthread_equal(pthread_self(), n->tid)) {
		n->thread = 0;
		join = 1;
	}
	pthread_mutex_unlock(&n->mtx);
	if (join)
		pthread_join(n->tid, NULL);
}

TENTACLE_API int
tentacle_node_set_policy(struct tentacle_node *n,
    const struct tentacle_policy *p)
{
	struct tentacle_policy	 np;
	struct lib_saved	 sv;
	int			 here;

	if (n == NULL || LIB_COPY(&np, p, grace_ms) == -1)
		return (-1);
	np.size = sizeof np;
	pthread_mutex_lock(&n->mtx);
	here = n->running && pthread_equal(pthread_self(), n->loop_tid) &&
	    core_cur == &n->core;
	n->pending = np;
	if (!n->running)
		n->pol.p = np;	/* the next run starts with it */
	else if (!here) {
		/* Taken by the wake callback, or as the loop starts or ends. */
		n->pending_set = 1;
		lib_post(n, LIB_POLICY);
	}
	pthread_mutex_unlock(&n->mtx);
	if (here) {
		lib_enter(n, &sv);
		node_policy_set(&np);
		lib_leave(&sv);
	}
	return (0);
}

TENTACLE_API int
tentacle_node_status(struct tentacle_node *n, struct tentacle_status *st)
{
	size_t	 size;

	if (n == NULL || st == NULL)
		return (-1);
	size = st->size;
	if (size < offsetof(struct tentacle_status, last_error) +
	    sizeof st->last_error)
		return (-1);
	pthread_mutex_lock(&n->mtx);
	if (!n->running)	/* nobody counts: the counts themselves */
		lib_snap_bytes(n);
	memcpy(st, &n->snap, size < sizeof n->snap ? size : sizeof n->snap);
	pthread_mutex_unlock(&n->mtx);
	if (size > sizeof n->snap)	/* a newer header's: nothing there */
		memset((char *)st + sizeof n->snap, 0, size - sizeof n->snap);
	st->size = size < sizeof n->snap ? size : sizeof n->snap;
	return (0);
}

TENTACLE_API void
tentacle_node_free(struct tentacle_node *n)
{
	int	 here;

	if (n == NULL)
		return;
	pthread_mutex_lock(&n->mtx);
	here = n->running && pthread_equal(pthread_self(), n->loop_tid);
	pthread_mutex_unlock(&n->mtx);
	if (here) {
		/* From its own callback: the loop still uses it.  Refused. */
		log_warnx("tentacle_node_free() from a callback of the node: "
		    "ignored (stop it there, free it after)");
		return;
	}
	tentacle_node_stop(n);
	node_conf_free(n->conf);
	log_close(&n->core.log);
	pthread_mutex_destroy(&n->mtx);
	pthread_cond_destroy(&n->cv);
	free(n);
}

/*
 * `tentacle start`: the library's node on the main thread, with consent
 * (the operator started it) and no rule, logging where -log says, and the
 * signals a daemon takes: SIGTERM and SIGINT stop (a second: at once),
 * SIGHUP reopens the log file.  The handlers only post to the loop.
 */
static struct tentacle_node	*lib_cli;

static void
lib_cli_signal(int sig)
{
	int	 saved = errno;

	signal(sig, lib_cli_signal);	/* Windows resets it to SIG_DFL */
	if (lib_cli != NULL)
		lib_post(lib_cli, sig == SIGTERM ? LIB_SIGTERM :
		    sig == SIGINT ? LIB_SIGINT : LIB_SIGHUP);
	errno = saved;
}

/* see node.h */
int
lib_main(struct node_conf *nc)
{
	struct tentacle_node	*n;
	struct lib_saved	 sv;
	char			*cause = NULL;
	int			 rc;

	if ((n = calloc(1, sizeof *n)) == NULL) {
		fprintf(stderr, "tentacle start: out of memory\n");
		node_conf_free(nc);
		return (1);
	}
	n->conf = nc;
	n->cli = 1;
	n->wake[0] = n->wake[1] = -1;
	lib_enter(n, &sv);
	if (log_init(nc->log, nc->log_level, "tentacler", &cause) == -1) {
		lib_leave(&sv);
		fprintf(stderr, "tentacle start: %s\n", cause);
		free(cause);
		node_conf_free(nc);
		free(n);
		return (1);
	}
	n->core.log.json = nc->log_json;
	if (nc->name_host[0] != '\0')
		log_info("node name \"%s\" from the host name \"%s\" (a "
		    "'-' cannot be routed): route to it as -node-%s, or set "
		    "-name / name:", nc->name, nc->name_host, nc->name);
	lib_leave(&sv);
	tentacle_policy_init(&n->pol.p, TENTACLE_PROFILE_DESKTOP);
	n->pol.p.consent = 1;
	n->pol.changed = NULL;
	pthread_mutex_init(&n->mtx, NULL);
	pthread_cond_init(&n->cv, NULL);
	lib_cli = n;
	signal(SIGTERM, lib_cli_signal);
	signal(SIGINT, lib_cli_signal);
	signal(SIGHUP, lib_cli_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = tentacle_node_run(n) == 0 ? 0 : 1;
	lib_cli = NULL;
	log_close(&n->core.log);
	node_conf_free(nc);
	pthread_mutex_destroy(&n->mtx);
	pthread_cond_destroy(&n->cv);
	free(n);
	return (rc);
}
