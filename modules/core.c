/*
 * core.c: the event base, signals, listeners, address helpers and the
 * default state directory, shared by the hub and the node.  Owns the
 * process's single event_base and evdns base; knows nothing of proxies
 * or frames (peer.c reads frames).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>		/* malloc_trim */
#endif

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "tentacle.h"


struct core_listener {
	struct evconnlistener	*cl_lev;
	struct event		*cl_retry;	/* resume after fd exhaustion */
	core_accept_cb		*cl_cb;
	void			*cl_arg;
	char			 cl_name[sizeof(struct sockaddr_un)];
	uint16_t		 cl_port;
	int			 cl_paused;
	int			 cl_unix;	/* unlink cl_name at close */
	int			 cl_http;	/* evhttp's (it frees cl_lev) */
};

#define CORE_SIGNALS	8
static struct core_sig {
	struct event	*ev;
	void		(*cb)(int, void *);
	void		*arg;
	int		 sig;
} core_sigs[CORE_SIGNALS];

static void	core_accept_cb_(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	core_accept_error_cb(struct evconnlistener *, void *);
static void	core_retry_cb(evutil_socket_t, short, void *);
static void	core_signal_cb(evutil_socket_t, short, void *);

void
core_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	core_cur = &core_main;
	if (core_ctx_init(core_cur) == -1)
		fatalx("cannot create the event base");
}

/* see tentacle.h */
int
core_ctx_init(struct core_ctx *ctx)
{
	struct event_config	*cfg;

	TAILQ_INIT(&ctx->flushing);
	if ((cfg = event_config_new()) == NULL)
		return (-1);
	/* We never use a base from more than one thread. */
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	ctx->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (ctx->base == NULL)
		return (-1);
	if ((ctx->relay = relay_ctx_new()) == NULL) {
		event_base_free(ctx->base);
		ctx->base = NULL;
		return (-1);
	}
	return (0);
}

/* see tentacle.h */
void
core_ctx_free(struct core_ctx *ctx)
{
	struct core_ctx	*saved = core_cur;

	core_cur = ctx;
	core_flush_drop();
	core_cur = saved;
	relay_ctx_free(ctx->relay);
	ctx->relay = NULL;
	if (ctx->dns != NULL)
		evdns_base_free(ctx->dns, 0);
	ctx->dns = NULL;
	if (ctx->base != NULL)
		event_base_free(ctx->base);
	ctx->base = NULL;
	log_close(&ctx->log);
}

/*
 * The node's resolver (the hub never resolves targets).  -1 when out of
 * memory.
 */
int
core_dns_init(const char (*servers)[64], int n)
{
	int	 i;

	if (core_dns != NULL)
		return (0);
	if (n > 0) {
		if ((core_dns = evdns_base_new(core_base,
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL)
			return (-1);
		for (i = 0; i < n; i++) {
			if (evdns_base_nameserver_ip_add(core_dns,
			    servers[i]) != 0) {
				log_warnx("dns: name server \"%s\": not an "
				    "address", servers[i]);
				return (-1);
			}
		}
		evdns_base_load_hosts(core_dns, NULL);
		goto options;
	}
	core_dns = evdns_base_new(core_base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (core_dns == NULL) {
		log_warnx("dns: cannot read /etc/resolv.conf; "
		    "using 127.0.0.1 as the name server");
		core_dns = evdns_base_new(core_base,
		    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (core_dns == NULL)
			return (-1);
		evdns_base_nameserver_ip_add(core_dns, "127.0.0.1");
		evdns_base_load_hosts(core_dns, NULL);
	}
options:
	evdns_base_set_option(core_dns, "timeout:", "3");
	evdns_base_set_option(core_dns, "attempts:", "2");
	return (0);
}

int
core_loop(void)
{
	return (event_base_dispatch(core_base));
}

void
core_exit(void)
{
	event_base_loopbreak(core_base);
}

static void
core_signal_cb(evutil_socket_t sig, short what __unused, void *arg)
{
	struct core_sig	*cs = arg;

	cs->cb((int)sig, cs->arg);
}

void
core_signal(int sig, void (*cb)(int, void *), void *arg)
{
	u_int	 i;

	for (i = 0; i < CORE_SIGNALS; i++) {
		if (core_sigs[i].ev == NULL || core_sigs[i].sig == sig)
			break;
	}
	if (i == CORE_SIGNALS)
		fatalx("core_signal: too many signals");
	if (core_sigs[i].ev != NULL)
		event_free(core_sigs[i].ev);
	core_sigs[i].sig = sig;
	core_sigs[i].cb = cb;
	core_sigs[i].arg = arg;
	core_sigs[i].ev = evsignal_new(core_base, sig, core_signal_cb,
	    &core_sigs[i]);
	if (core_sigs[i].ev == NULL || evsignal_add(core_sigs[i].ev, NULL))
		fatalx("cannot install the handler for signal %d", sig);
}

uint64_t
core_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

#ifdef __GLIBC__
static void
core_fdmap_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
}

static void
core_fdmap_log(int severity __unused, const char *msg __unused)
{
}
#endif

/*
 * see tentacle.h.  libevent makes a small record for each descriptor
 * number the first time an event uses it and keeps it for the life of the
 * base.  Made during a load, those records land between the load's big
 * buffers, and afterwards each one pins its page of freed heap that
 * malloc_trim() cannot give back: after three holds of 1000 TLS tunnels
 * the hub stayed 5.3 MB over its idle RSS, 2.4 MB with plaintext links.
 * Made at start for the first CORE_FDMAP_RESERVE numbers (within the
 * descriptor limit), they sit together at the bottom of the heap: then
 * 0.3 MB over idle, for 0.15 MB more idle (about 40 bytes a number).
 * libevent makes the record before it asks epoll, so an event on a number
 * that is not open makes it, and epoll's EBADF ends there (nothing
 * registered; libevent's warning silenced); an open one is added and
 * removed again.  One epoll_ctl a number, 20-70 ms at start here.
 */
#define CORE_FDMAP_RESERVE	4096
void
core_fdmap_reserve(void)
{
#ifdef __GLIBC__
	struct rlimit	 rl;
	struct event	*ev;
	int		 fd, max = CORE_FDMAP_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	if ((ev = malloc(event_get_struct_event_size())) == NULL)
		return;
	event_set_log_callback(core_fdmap_log);
	for (fd = 3; fd < max; fd++) {
		if (event_assign(ev, core_base, fd, EV_READ, core_fdmap_cb,
		    NULL) == 0 && event_add(ev, NULL) == 0)
			event_del(ev);	/* an open one */
	}
	free(ev);
	event_set_log_callback(NULL);
#endif
}

/* see tentacle.h */
void
core_memory_trim(void)
{
#ifdef __GLIBC__
	/*
	 * glibc keeps freed heap for reuse and returns only the top of the
	 * main heap by itself; after a load, the freed buffers of a
	 * thousand relays stay resident.  malloc_trim() gives back every
	 * whole free page, in every arena (madvise), at the cost of one
	 * walk of the free lists: a few ms, once after each load.  musl's
	 * allocator returns memory as it is freed.
	 */
	malloc_trim(0);
#endif
}

/* see tentacle.h */
struct timeval *
core_ms_tv(struct timeval *tv, int ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return (tv);
}

/* see tentacle.h */
const char *
core_state_dir(void)
{
	static char	 dir[1024];	/* the library: under its conf lock */
	const char	*home, *env;

	if ((env = getenv("TENTACLE_STATE_DIR")) != NULL && *env != '\0')
		return (env);
#ifdef _WIN32
	/* One place for the whole system, services and users alike. */
	return (compat_win32_state_dir());
#endif
	if (geteuid() == 0)
		return ("/var/lib/tentacle");
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return (".tentacle");
	snprintf(dir, sizeof dir, "%s/.tentacle", home);
	return (dir);
}

/* see tentacle.h */
int
core_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
    char **cause)
{
	char		 buf[300];
	const char	*colon;
	char		*end;
	long		 port;
	int		 len;
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if ((colon = strrchr(s, ':')) == NULL)
		colon = s - 1;	/* "4442" alone: a port */
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535) {
		xasprintf(cause, "address \"%s\": expected HOST:PORT with a "
		    "port from 0 to 65535", s);
		return (-1);
	}
	if (colon < s || colon == s) {
		/* Every address: IPv6 wildcard, dual stack where possible. */
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		*sslen = sizeof *sin6;
		return (0);
	}
	if ((size_t)(colon - s) >= sizeof buf - 8) {
		xasprintf(cause, "address \"%s\": host too long", s);
		return (-1);
	}
	snprintf(buf, sizeof buf, "%.*s", (int)(colon - s), s);
	if (strcmp(buf, "localhost") == 0)
		strlcpy(buf, "127.0.0.1", sizeof buf);
	if (buf[0] == '[' ) {
		if (buf[strlen(buf) - 1] != ']')
			goto bad;
		memmove(buf, buf + 1, strlen(buf));
		buf[strlen(buf) - 1] = '\0';
		if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*sslen = sizeof *sin6;
		return (0);
	}
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*sslen = sizeof *sin;
		return (0);
	}
bad:
	len = (int)(colon - s);
	xasprintf(cause, "address \"%s\": \"%.*s\" is not a numeric IPv4 "
	    "address, [IPv6] address or localhost", s, len, s);
	return (-1);
}

const char *
core_sa_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	 host[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], host,
			    sizeof host);
			snprintf(buf, len, "%s:%u", host,
			    ntohs(sin6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, host,
			    sizeof host);
			snprintf(buf, len, "[%s]:%u", host,
			    ntohs(sin6->sin6_port));
		}
		break;
	}
	case AF_UNIX:
		snprintf(buf, len, "unix");
		break;
	default:
		snprintf(buf, len, "(family %d)", sa->sa_family);
		break;
	}
	return (buf);
}

/* see tentacle.h */
int
core_sa_is_localhost(const struct sockaddr *sa)
{
	static const uint8_t	 v4[4] = { 127, 0, 0, 1 };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		return (memcmp(&sin->sin_addr, v4, 4) == 0);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		const uint8_t *a = sin6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return (1);
		return (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    memcmp(a + 12, v4, 4) == 0);
	}
	return (0);
}

int
core_set_nonblock(int fd)
{
	return (evutil_make_socket_nonblocking(fd));
}

const char *
target_str(const struct target *t, char *buf, size_t len)
{
	char	 host[4 * 255 + 1], a[INET6_ADDRSTRLEN];

	switch (t->atyp) {
	case TARGET_IPV4:
		inet_ntop(AF_INET, t->addr, a, sizeof a);
		snprintf(buf, len, "%s:%u", a, t->port);
		break;
	case TARGET_IPV6:
		inet_ntop(AF_INET6, t->addr, a, sizeof a);
		snprintf(buf, len, "[%s]:%u", a, t->port);
		break;
	case TARGET_DOMAIN:
		log_escape(host, sizeof host, t->host, strnlen(t->host,
		    sizeof t->host));
		snprintf(buf, len, "%s:%u", host, t->port);
		break;
	default:
		snprintf(buf, len, "(address type %u)", t->atyp);
		break;
	}
	return (buf);
}

static void
core_accept_cb_(struct evconnlistener *lev __unused, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct core_listener	*cl = arg;

	cl->cl_cb(fd, sa, (socklen_t)salen, cl->cl_arg);
}

/*
 * Out of descriptors or memory: stop accepting for a second instead of
 * spinning on a listener that is always readable (tmux server.c).
 */
static void
core_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct core_listener	*cl = arg;
	struct timeval		 tv = { 1, 0 };
	int			 error = EVUTIL_SOCKET_ERROR();

	if (error == EINTR || error == EAGAIN || error == ECONNABORTED)
		return;
	if (!cl->cl_paused) {
		log_warnx("listener %s: accept: %s; pausing accepts for 1s "
		    "(raise the open files limit, ulimit -n, if this "
		    "repeats)", cl->cl_name, strerror(error));
	}
	cl->cl_paused = 1;
	evconnlistener_disable(lev);
	evtimer_add(cl->cl_retry, &tv);
}

static void
core_retry_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct core_listener	*cl = arg;

	evconnlistener_enable(cl->cl_lev);
	cl->cl_paused = 0;
}

struct core_listener *
core_listen(const char *addr, core_accept_cb *cb, void *arg, char **cause)
{
	struct core_listener	*cl;
	struct sockaddr_storage	 ss, bound;
	socklen_t		 sslen, blen = sizeof bound;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	int			 wildcard, port;

	if (core_addr_parse(addr, &ss, &sslen, cause) == -1)
		return (NULL);
	wildcard = ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	cl = xcalloc(1, sizeof *cl);
	cl->cl_cb = cb;
	cl->cl_arg = arg;
	if (!wildcard || COMPAT_V6_DUALSTACK)
		cl->cl_lev = evconnlistener_new_bind(core_base, core_accept_cb_,
		    cl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
		    LEV_OPT_CLOSE_ON_EXEC, 1024, (struct sockaddr *)&ss, sslen);
	if (cl->cl_lev == NULL && wildcard) {
		/* No IPv6 on this host: every IPv4 address then. */
		port = ntohs(sin6->sin6_port);
		memset(&ss, 0, sizeof ss);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof *sin;
		cl->cl_lev = evconnlistener_new_bind(core_base,
		    core_accept_cb_, cl, LEV_OPT_CLOSE_ON_FREE |
		    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
		    (struct sockaddr *)&ss, sslen);
	}
	if (cl->cl_lev == NULL) {
		xasprintf(cause, "listen %s: %s", addr,
		    strerror(EVUTIL_SOCKET_ERROR()));
		free(cl);
		return (NULL);
	}
	evconnlistener_set_error_cb(cl->cl_lev, core_accept_error_cb);
	cl->cl_retry = evtimer_new(core_base, core_retry_cb, cl);
	if (cl->cl_retry == NULL)
		fatalx("evtimer_new failed");
	if (getsockname(evconnlistener_get_fd(cl->cl_lev),
	    (struct sockaddr *)&bound, &blen) == -1)
		fatal("getsockname");
	core_sa_str((struct sockaddr *)&bound, cl->cl_name,
	    sizeof cl->cl_name);
	cl->cl_port = ntohs(bound.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&bound)->sin_port :
	    ((struct sockaddr_in6 *)&bound)->sin6_port);
	return (cl);
}

/*
 * A Unix socket at path nobody answers on is a leftover of a process that
 * died: remove it.  One that answers belongs to a running process.
 */
static int
core_unix_stale(const char *path, const struct sockaddr_un *sun,
    char **cause)
{
	struct stat	 st;
	int		 fd, rc;

	if (lstat(path, &st) == -1)
		return (errno == ENOENT ? 0 : -1);
	if (!S_ISSOCK(st.st_mode)) {
		xasprintf(cause, "listen %s: exists and is not a socket", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	evutil_closesocket(fd);
	if (rc == 0) {
		xasprintf(cause, "listen %s: another process (a running hub?) "
		    "answers on it", path);
		return (-1);
	}
	if (errno != ECONNREFUSED || unlink(path) == -1) {
		xasprintf(cause, "listen %s: in the way and cannot be "
		    "removed: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/* see tentacle.h */
struct core_listener *
core_listen_unix(const char *path, int mode, core_accept_cb *cb, void *arg,
    char **cause)
{
	struct core_listener	*cl;
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		xasprintf(cause, "listen %s: path longer than %zu bytes", path,
		    sizeof sun.sun_path - 1);
		return (NULL);
	}
	if (core_unix_stale(path, &sun, cause) == -1) {
		if (*cause == NULL)
			xasprintf(cause, "listen %s: %s", path,
			    strerror(errno));
		return (NULL);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		return (NULL);
	}
	/* Never more open than mode, not even between bind and chmod. */
	old = umask(0777 & ~mode);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		evutil_closesocket(fd);
		return (NULL);
	}
	umask(old);
	if (chmod(path, mode) == -1 || listen(fd, 64) == -1) {
		xasprintf(cause, "listen %s: %s", path, strerror(errno));
		unlink(path);
		evutil_closesocket(fd);
		return (NULL);
	}
	cl = xcalloc(1, sizeof *cl);
	cl->cl_cb = cb;
	cl->cl_arg = arg;
	cl->cl_unix = 1;
	strlcpy(cl->cl_name, path, sizeof cl->cl_name);
	cl->cl_lev = evconnlistener_new(core_base, core_accept_cb_, cl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64, fd);
	if (cl->cl_lev == NULL)
		fatalx("evconnlistener_new failed");
	evconnlistener_set_error_cb(cl->cl_lev, core_accept_error_cb);
	if ((cl->cl_retry = evtimer_new(core_base, core_retry_cb, cl)) == NULL)
		fatalx("evtimer_new failed");
	return (cl);
}

/*
 * evhttp's listeners: evhttp_bind_listener() takes the listener's one
 * user pointer for its own accept callback, which the error callback is
 * then given too, so core finds the listener here.
 */
static struct core_listener	*core_http_cls[4];

static void
core_http_error_cb(struct evconnlistener *lev, void *arg __unused)
{
	u_int	 i;

	for (i = 0; i < nitems(core_http_cls); i++)
		if (core_http_cls[i] != NULL && core_http_cls[i]->cl_lev == lev)
			core_accept_error_cb(lev, core_http_cls[i]);
}

/* see tentacle.h */
void
core_listener_http(struct core_listener *cl, struct evhttp *http)
{
	u_int	 i;

	for (i = 0; i < nitems(core_http_cls); i++)
		if (core_http_cls[i] == NULL)
			break;
	if (i == nitems(core_http_cls))
		fatalx("%s: too many HTTP listeners", __func__);
	core_http_cls[i] = cl;
	if (evhttp_bind_listener(http, cl->cl_lev) == NULL)
		fatalx("evhttp_bind_listener failed");
	evconnlistener_set_error_cb(cl->cl_lev, core_http_error_cb);
	cl->cl_http = 1;
}

/* see tentacle.h */
struct evconnlistener *
core_listener_lev(struct core_listener *cl)
{
	return (cl->cl_lev);
}

void
core_listener_close(struct core_listener *cl)
{
	u_int	 i;

	if (cl == NULL)
		return;
	if (cl->cl_unix)
		unlink(cl->cl_name);
	for (i = 0; i < nitems(core_http_cls); i++)
		if (core_http_cls[i] == cl)
			core_http_cls[i] = NULL;
	/* evhttp's is freed with its evhttp; until then it is disabled. */
	if (cl->cl_http)
		evconnlistener_disable(cl->cl_lev);
	else
		evconnlistener_free(cl->cl_lev);
	event_free(cl->cl_retry);
	free(cl);
}

const char *
core_listener_name(struct core_listener *cl)
{
	return (cl->cl_name);
}

uint16_t
core_listener_port(struct core_listener *cl)
{
	return (cl->cl_port);
}

/* see tentacle.h */
void
core_bev_send(struct bufferevent *bev, const void *buf, size_t len)
{
	evutil_socket_t	 fd = bufferevent_getfd(bev);
	ssize_t		 n = 0;

	if (fd != -1 && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		do {
			n = send(fd, buf, len, MSG_NOSIGNAL);
		} while (n == -1 && errno == EINTR);
		if (n < 0)
			n = 0;
	}
	if ((size_t)n == len)
		return;
	bufferevent_write(bev, (const char *)buf + n, len - n);
	if (!(bufferevent_get_enabled(bev) & EV_WRITE))
		bufferevent_enable(bev, EV_WRITE);
}

/* see tentacle.h */
void
core_nodelay(int fd)
{
	int	 one = 1;

	if (fd != -1)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, (void *)&one,
		    sizeof one);
}

/* see tentacle.h */
void
core_link_send(struct bufferevent *bev, int plain, const void *buf,
    size_t len)
{
	if (plain)
		core_bev_send(bev, buf, len);
	else
		bufferevent_write(bev, buf, len);
}

/* see tentacle.h */
void
core_bev_enable_io(struct bufferevent *bev, int plain)
{
	if (!plain || evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		return;
	}
	bufferevent_enable(bev, EV_READ);
	bufferevent_disable(bev, EV_WRITE);	/* not in epoll: no call */
}
