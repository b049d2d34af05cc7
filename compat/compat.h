/*
 * compat.h: portability shims.  Platform #ifdefs live here and in the
 * compat/ .c files only; configure decides which HAVE_* are set.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stddef.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
/* Thread-local storage (gcc and clang everywhere we build, mingw too). */
#ifndef COMPAT_THREAD
#define COMPAT_THREAD	__thread
#endif

#include "queue.h"

/*
 * This thread's signal mask (sigmask.c): block all signals (all) or
 * SIGPIPE only, saving the mask; restore it, a SIGPIPE raised meanwhile
 * dropped.  Nothing on Windows (no masks, no SIGPIPE).
 */
#ifndef _WIN32
#include <signal.h>
struct compat_sigmask {
	sigset_t	 set;
};
#else
struct compat_sigmask {
	int		 unused;
};
#endif
void	 compat_sigmask_block(int all, struct compat_sigmask *);
void	 compat_sigmask_restore(const struct compat_sigmask *);

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	 strlcat(char *, const char *, size_t);
#endif

/* SO_KEEPALIVE: probe after idle_s, every intvl_s, count times (where
 * the system lets us set them). */
int	 compat_keepalive(int, int, int, int);

/*
 * The peer of a connected Unix domain socket: uid, gid, and pid (-1 where
 * the system does not say).  0, or -1 with errno (ENOSYS: cannot tell).
 */
#include <sys/types.h>
int	 compat_peercred(int, uid_t *, gid_t *, long *);
/* Is gid a supplementary group of process pid?  0: no, or cannot tell. */
int	 compat_pid_in_group(long, gid_t);

/*
 * The machine's own IPv4 and IPv6 interface addresses, at most max, into
 * out (ports 0): how many, or -1 with errno.
 */
struct sockaddr_storage;
int	 compat_local_addrs(struct sockaddr_storage *, int);

/* Close every descriptor >= lowfd (between fork and exec). */
void	 compat_closefrom(int);
/*
 * syslog.c: can syslog() reach a daemon?  0, or -1 with errno (*path: the
 * socket tried, "/dev/log").  Windows' event log: always 0.
 */
int	 compat_syslog_check(const char **path);

/*
 * Windows (doc/windows.md): compat/win32/compat_win32.h is force-included
 * before anything; here, what needs libevent's headers first.  Socket
 * errors as errno values (compat/win32.c maps them), so comparisons with
 * ECONNREFUSED and strerror() work as on POSIX.  A wildcard IPv6
 * listener is IPv6 only on Windows: ":PORT" binds IPv4 there.
 */
#ifdef _WIN32
#include <event2/util.h>
#undef EVUTIL_SOCKET_ERROR
#define EVUTIL_SOCKET_ERROR()	compat_sockerrno()
#define evutil_socket_error_to_string(e)	strerror(e)
#define COMPAT_V6_DUALSTACK	0
#define compat_init()		compat_win32_init()
/* No Unix socket peer credentials: the admin port is TCP and a cookie. */
#define COMPAT_ADMIN_TCP	"127.0.0.1:0"
#define COMPAT_ADMIN_HELP	COMPAT_ADMIN_TCP
#define COMPAT_EXE_SUFFIX	".exe"	/* argv[0]: tentacled.exe */
#else
#define COMPAT_V6_DUALSTACK	1
#define compat_init()		do { } while (0)
#define COMPAT_ADMIN_TCP	NULL
#define COMPAT_ADMIN_HELP	"STATE-DIR/admin.sock"
#define COMPAT_EXE_SUFFIX	""
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* COMPAT_H */
