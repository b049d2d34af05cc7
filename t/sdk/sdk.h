/*
 * sdk.h: what the t/sdk programs share: a host (callbacks that record the
 * node's states), checks that print what they saw, the process's fds and
 * RSS, and a SOCKS5 client of the hub that downloads from t/helper/origin
 * and times what it receives.  Test code: blocking sockets, no libevent.
 *
 * Each program prints "# ..." lines with its numbers, "FAIL: ..." for each
 * failed check, and exits 1 if any check failed (the t9001-t9003 scripts
 * show its output).  Everything is static inline: each program uses part.
 */
#ifndef SDK_H
#define SDK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libtentacle.h"

static int	sdk_failed;

/* cond false: a FAIL line, and the program will exit 1. */
static inline int
check(int cond, const char *fmt, ...)
{
	va_list	 ap;

	if (cond)
		return 1;
	sdk_failed = 1;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 0;
}

static inline void
note(const char *fmt, ...)
{
	va_list	 ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
sleep_ms(int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Open descriptors of this process. */
static inline int
fd_count(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own */
}

/* " 127.0.0.1:A -> 127.0.0.1:B" for "socket:[INODE]" (/proc/net/tcp). */
static inline const char *
sock_ports(const char *link)
{
	static char	 out[96];
	char		 line[512];
	unsigned long	 ino, i;
	unsigned int	 la, lp, ra, rp, st;
	FILE		*f;

	out[0] = '\0';
	if (sscanf(link, "socket:[%lu]", &ino) != 1 ||
	    (f = fopen("/proc/net/tcp", "r")) == NULL)
		return out;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, " %*u: %x:%x %x:%x %x %*x:%*x %*x:%*x %*x "
		    "%*u %*u %lu", &la, &lp, &ra, &rp, &st, &i) == 6 &&
		    i == ino) {
			snprintf(out, sizeof out, " (tcp :%u -> :%u, state "
			    "%02x)", lp, rp, st);
			break;
		}
	}
	fclose(f);
	return out;
}

/* Print this process's descriptors and what they are (a leak's clue). */
static inline void
fd_show(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], to[256];
	ssize_t		 n;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		if ((n = readlink(path, to, sizeof to - 1)) < 0)
			continue;
		to[n] = '\0';
		printf("# fd %s: %s%s\n", e->d_name, to, sock_ports(to));
	}
	closedir(d);
	fflush(stdout);
}

/* Resident memory, KiB; -1 unknown. */
static inline long
rss_kb(void)
{
	FILE	*f;
	char	 line[256];
	long	 kb = -1;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * A host: the node's callbacks record every state change (count per
 * state, the last why) under a lock; waiters sleep on the condition.
 */
struct host {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	enum tentacle_state	 state;
	char			 why[256];
	int			 seen[TENTACLE_FAILED + 1];
	int			 changes;
	int			 log_lines;
	FILE			*log;		/* NULL: lines counted only */
	const char		*name;
	/* Set by a test: the state callback stops this node on that state. */
	struct tentacle_node	*stop_on_node;
	enum tentacle_state	 stop_on;
	int			 stop_on_done;
	int64_t			 stop_on_ms;	/* how long that stop took */
	int			 own_log;	/* log opened by host_init */
	pthread_t		 cb_thread;	/* the last callback's */
	int			 cb_calls;
	int			 cb_threads;	/* callbacks on more than one */
};

static inline void
host_init(struct host *h, const char *name, FILE *log)
{
	memset(h, 0, sizeof *h);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->name = name;
	h->log = log;
	/* SDK_LOG=FILE: every node's states and log lines appended there. */
	if (log == NULL && getenv("SDK_LOG") != NULL &&
	    (h->log = fopen(getenv("SDK_LOG"), "a")) != NULL)
		h->own_log = 1;
	h->stop_on = (enum tentacle_state)-1;
}

static inline void
host_destroy(struct host *h)
{
	if (h->own_log)
		fclose(h->log);
	h->log = NULL;
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
}

static inline void
host_state_cb(void *arg, enum tentacle_state state, const char *why)
{
	struct host		*h = arg;
	struct tentacle_node	*stop = NULL;
	int64_t			 t0;

	pthread_mutex_lock(&h->mu);
	if (h->cb_calls++ > 0 && !pthread_equal(h->cb_thread,
	    pthread_self()))
		h->cb_threads++;
	h->cb_thread = pthread_self();
	h->state = state;
	snprintf(h->why, sizeof h->why, "%s", why != NULL ? why : "");
	if ((int)state >= 0 && state <= TENTACLE_FAILED)
		h->seen[state]++;
	h->changes++;
	if (h->stop_on_node != NULL && state == h->stop_on &&
	    !h->stop_on_done) {
		stop = h->stop_on_node;
		h->stop_on_done = 1;
	}
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->log != NULL) {
		fprintf(h->log, "%s: state %s%s%s\n", h->name,
		    tentacle_state_name(state), why != NULL && *why ? ": " : "",
		    why != NULL ? why : "");
		fflush(h->log);
	}
	if (stop != NULL) {
		/* From the callback, on the loop thread (issue 15). */
		t0 = now_ms();
		tentacle_node_stop(stop);
		pthread_mutex_lock(&h->mu);
		h->stop_on_ms = now_ms() - t0;
		h->stop_on_done = 2;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
}

static inline void
host_log_cb(void *arg, int level, const char *line)
{
	struct host	*h = arg;

	pthread_mutex_lock(&h->mu);
	h->log_lines++;
	pthread_mutex_unlock(&h->mu);
	if (h->log != NULL) {
		fprintf(h->log, "%s: log %d %s\n", h->name, level, line);
		fflush(h->log);
	}
}

/* Wait up to ms for state (and, if why_has, a why containing it). */
static inline int
host_wait(struct host *h, enum tentacle_state state, const char *why_has,
    int ms)
{
	struct timespec	 ts;
	int		 ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&h->mu);
	for (;;) {
		ok = h->state == state &&
		    (why_has == NULL || strstr(h->why, why_has) != NULL);
		if (ok)
			break;
		if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) == ETIMEDOUT) {
			ok = h->state == state &&
			    (why_has == NULL || strstr(h->why, why_has) != NULL);
			break;
		}
	}
	pthread_mutex_unlock(&h->mu);
	return ok;
}

static inline enum tentacle_state
host_state(struct host *h, char *why, size_t len)
{
	enum tentacle_state	 s;

	pthread_mutex_lock(&h->mu);
	s = h->state;
	if (why != NULL)
		snprintf(why, len, "%s", h->why);
	pthread_mutex_unlock(&h->mu);
	return s;
}

/* The node's own view (tentacle_node_status), or a FAIL. */
static inline int
node_status(struct tentacle_node *n, struct tentacle_status *st)
{
	memset(st, 0, sizeof *st);
	st->size = sizeof *st;
	return check(tentacle_node_status(n, st) == 0,
	    "tentacle_node_status failed");
}

/* Poll the status until its state is state; ms at most. */
static inline int
status_wait(struct tentacle_node *n, enum tentacle_state state, int ms)
{
	struct tentacle_status	 st;
	int64_t			 end = now_ms() + ms;

	for (;;) {
		memset(&st, 0, sizeof st);
		st.size = sizeof st;
		if (tentacle_node_status(n, &st) == 0 && st.state == state)
			return 1;
		if (now_ms() >= end)
			return 0;
		sleep_ms(20);
	}
}

/*
 * The usual node of the tests: hub HOST:PORT pinned by fp (NULL: the hub
 * runs -insecure), destinations on 127.0.0.0/8 allowed, callbacks into h,
 * policy p (NULL: desktop with consent).
 */
static inline struct tentacle_node *
node_make(struct host *h, const char *hub, const char *fp, const char *name,
    const struct tentacle_policy *p, char *err, size_t errlen)
{
	char	 allow[] = "127.0.0.0/8";
	const char *const args[] = { "-allow", allow, NULL };
	struct tentacle_node_config	 c;
	struct tentacle_policy		 pol;

	tentacle_node_config_init(&c);
	c.hub = hub;
	c.name = name;
	c.fingerprint = fp;
	c.insecure = fp == NULL;
	c.args = args;
	c.log_level = TENTACLE_LOG_DEBUG;
	c.on_log = host_log_cb;
	c.on_state = host_state_cb;
	c.arg = h;
	if (p == NULL) {
		tentacle_policy_init(&pol, TENTACLE_PROFILE_DESKTOP);
		pol.consent = 1;
		p = &pol;
	}
	c.policy = p;
	return tentacle_node_new(&c, err, errlen);
}

/* A desktop policy with consent given. */
static inline void
policy_yes(struct tentacle_policy *p)
{
	tentacle_policy_init(p, TENTACLE_PROFILE_DESKTOP);
	p->consent = 1;
}

/* Connect to 127.0.0.1:port, with send/receive timeouts of ms. */
static inline int
tcp_connect(int port, int ms)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int
read_full(int fd, unsigned char *p, size_t n)
{
	ssize_t	 r;
	size_t	 got = 0;

	while (got < n) {
		r = recv(fd, p + got, n - got, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * SOCKS5 through the hub to 127.0.0.1:port.  The fd, or -1 with *rep the
 * reply code (-1: no reply at all).
 */
static inline int
socks_open(int socks_port, int port, int ms, int *rep)
{
	unsigned char	 req[10], buf[10];
	int		 fd;

	*rep = -1;
	if ((fd = tcp_connect(socks_port, ms)) == -1)
		return -1;
	memcpy(req, "\005\001\000", 3);
	if (send(fd, req, 3, MSG_NOSIGNAL) != 3 ||
	    read_full(fd, buf, 2) == -1 || buf[0] != 5 || buf[1] != 0)
		goto fail;
	req[0] = 5;
	req[1] = 1;
	req[2] = 0;
	req[3] = 1;
	req[4] = 127;
	req[5] = 0;
	req[6] = 0;
	req[7] = 1;
	req[8] = (unsigned char)(port >> 8);
	req[9] = (unsigned char)port;
	if (send(fd, req, 10, MSG_NOSIGNAL) != 10 ||
	    read_full(fd, buf, 10) == -1)
		goto fail;
	*rep = buf[1];
	if (buf[1] != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * One download: GET path from the origin through the hub's SOCKS port,
 * body bytes counted (the head is skipped), optionally on a thread of
 * its own.  t_mark is when the body passed mark bytes (rate tests skip a
 * start-up burst).
 */
struct dl {
	int		 socks_port, origin_port, ms;
	char		 path[128];
	uint64_t	 mark;

	/* Results, under mu while the thread runs. */
	pthread_mutex_t	 mu;
	pthread_t	 thread;
	int		 rep;		/* SOCKS reply; -1: none */
	int		 fd;
	int		 opened;	/* the SOCKS CONNECT succeeded */
	int		 done;		/* EOF or error */
	int		 eof;		/* the stream ended by EOF */
	int		 err;		/* errno of the failed read, or 0 */
	uint64_t	 body;		/* body bytes read */
	int64_t		 t_open, t_first, t_mark, t_end;
};

static inline void
dl_init(struct dl *d, int socks_port, int origin_port, const char *path,
    int ms)
{
	memset(d, 0, sizeof *d);
	pthread_mutex_init(&d->mu, NULL);
	d->socks_port = socks_port;
	d->origin_port = origin_port;
	d->ms = ms;
	d->fd = -1;
	d->rep = -1;
	snprintf(d->path, sizeof d->path, "%s", path);
}

static inline void *
dl_run(void *arg)
{
	struct dl	*d = arg;
	char		 req[256];
	unsigned char	 buf[65536];
	size_t		 hlen = 0;
	char		 head[4096];
	ssize_t		 r;
	int		 fd, rep, inhead = 1;
	uint64_t	 add;

	fd = socks_open(d->socks_port, d->origin_port, d->ms, &rep);
	pthread_mutex_lock(&d->mu);
	d->rep = rep;
	d->fd = fd;
	d->t_open = now_ms();
	d->opened = fd != -1;
	if (fd == -1)
		d->done = 1;
	pthread_mutex_unlock(&d->mu);
	if (fd == -1)
		return NULL;
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n", d->path);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		pthread_mutex_lock(&d->mu);
		d->err = errno;
		d->done = 1;
		pthread_mutex_unlock(&d->mu);
		return NULL;
	}
	for (;;) {
		r = recv(fd, buf, sizeof buf, 0);
		if (r == -1 && errno == EINTR)
			continue;
		pthread_mutex_lock(&d->mu);
		if (r <= 0) {
			d->eof = r == 0;
			d->err = r == 0 ? 0 : errno;
			d->done = 1;
			d->t_end = now_ms();
			pthread_mutex_unlock(&d->mu);
			break;
		}
		add = (uint64_t)r;
		if (inhead) {
			/* Body starts after the first "\r\n\r\n". */
			size_t	 i, take = (size_t)r;
			char	*e;

			if (take > sizeof head - 1 - hlen)
				take = sizeof head - 1 - hlen;
			memcpy(head + hlen, buf, take);
			hlen += take;
			head[hlen] = '\0';
			add = 0;
			if ((e = strstr(head, "\r\n\r\n")) != NULL) {
				i = (size_t)(e + 4 - head);
				inhead = 0;
				/* bytes of this read after the head */
				add = (uint64_t)r - (take - (hlen - i));
			}
		}
		if (add > 0 && d->body == 0)
			d->t_first = now_ms();
		if (d->body < d->mark && d->body + add >= d->mark)
			d->t_mark = now_ms();
		d->body += add;
		pthread_mutex_unlock(&d->mu);
	}
	return NULL;
}

static inline int
dl_start(struct dl *d)
{
	return pthread_create(&d->thread, NULL, dl_run, d) == 0 ? 0 : -1;
}

/* Join the download's thread and close its socket. */
static inline void
dl_join(struct dl *d)
{
	pthread_join(d->thread, NULL);
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	pthread_mutex_destroy(&d->mu);
}

/* Make the download's reads fail now (the thread then ends). */
static inline void
dl_cut(struct dl *d)
{
	pthread_mutex_lock(&d->mu);
	if (d->fd != -1)
		shutdown(d->fd, SHUT_RDWR);
	pthread_mutex_unlock(&d->mu);
}

static inline uint64_t
dl_body(struct dl *d)
{
	uint64_t	 n;

	pthread_mutex_lock(&d->mu);
	n = d->body;
	pthread_mutex_unlock(&d->mu);
	return n;
}

static inline int
dl_done(struct dl *d)
{
	int	 n;

	pthread_mutex_lock(&d->mu);
	n = d->done;
	pthread_mutex_unlock(&d->mu);
	return n;
}

/* Wait up to ms for the body to reach n bytes (or the download to end). */
static inline int
dl_wait_body(struct dl *d, uint64_t n, int ms)
{
	int64_t	 end = now_ms() + ms;

	while (dl_body(d) < n && !dl_done(d) && now_ms() < end)
		sleep_ms(10);
	return dl_body(d) >= n;
}

static inline int
dl_wait_done(struct dl *d, int ms)
{
	int64_t	 end = now_ms() + ms;

	while (!dl_done(d) && now_ms() < end)
		sleep_ms(10);
	return dl_done(d);
}

/* A whole download on this thread; the body's length, or -1. */
static inline int64_t
fetch(int socks_port, int origin_port, const char *path, int ms)
{
	struct dl	 d;
	int64_t		 n;

	dl_init(&d, socks_port, origin_port, path, ms);
	dl_run(&d);
	n = d.opened && d.eof ? (int64_t)d.body : -1;
	if (d.fd != -1)
		close(d.fd);
	pthread_mutex_destroy(&d.mu);
	return n;
}

/* Numbers from argv. */
static inline int
num(const char *s)
{
	char	*e;
	long	 v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (*s == '\0' || *e != '\0' || errno != 0 || v < 0 || v > 1 << 30) {
		fprintf(stderr, "bad number \"%s\"\n", s);
		exit(2);
	}
	return (int)v;
}

#endif /* SDK_H */
