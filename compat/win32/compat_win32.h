/*
 * compat_win32.h: the POSIX that tentacle uses, on Windows (mingw-w64).
 * configure force-includes this file in every object of a Windows build
 * (-include, with compat/win32 on the include path, whose sys/socket.h,
 * netinet/in.h, syslog.h, ... are empty stand-ins), so the sources keep
 * their POSIX includes and calls.  Socket calls go through wrappers that
 * set errno from WSAGetLastError(), mapped to the errno values the code
 * compares with; strerror() knows those.  Implementations: compat/win32.c
 * and the compat/ file named at each group.  Never included on POSIX.
 */
#ifndef COMPAT_WIN32_H
#define COMPAT_WIN32_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT	0x0601		/* Windows 7: inet_ntop */
#endif
#ifndef __USE_MINGW_ANSI_STDIO
#define __USE_MINGW_ANSI_STDIO	1	/* C99 printf: %zu, %lld */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <windows.h>
#include <iphlpapi.h>
#include <ras.h>
/* Annotations that collide with our macros (http.c's OUT). */
#undef IN
#undef OUT
#undef OPTIONAL

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Types Windows lacks. */
typedef unsigned int	uid_t;
typedef unsigned int	gid_t;
typedef unsigned short	sa_family_t;
struct iovec {
	void	*iov_base;
	size_t	 iov_len;
};

/* Socket flags and options that mean nothing here, or are spelled so. */
#define SOCK_NONBLOCK	0x40000000	/* stripped, then FIONBIO */
#define SOCK_CLOEXEC	0x20000000	/* stripped: redial_win.c */
#define MSG_NOSIGNAL	0		/* no SIGPIPE on Windows */
#define SHUT_RD		SD_RECEIVE
#define SHUT_WR		SD_SEND
#define SHUT_RDWR	SD_BOTH
#define O_CLOEXEC	_O_NOINHERIT
#define S_ISSOCK(m)	0
#define lstat		stat

/*
 * Signals: Ctrl+Break is the hub's and the node's SIGHUP (reload, reopen
 * the log); SIGPIPE and SIGQUIT do not exist (signal() on them fails, and
 * nobody looks).
 */
#define SIGHUP		SIGBREAK
#define SIGQUIT		3
#define SIGPIPE		13

/* errno values Winsock errors map to, where mingw's errno.h has none. */
#ifndef EHOSTDOWN
#define EHOSTDOWN	112
#endif

/* Socket calls: the Winsock ones, errno set on failure (compat/win32.c). */
int	 compat_sockerrno(void);
int	 compat_socket(int, int, int);
int	 compat_bind(SOCKET, const struct sockaddr *, int);
int	 compat_connect(SOCKET, const struct sockaddr *, int);
int	 compat_listen(SOCKET, int);
int	 compat_shutdown(SOCKET, int);
int	 compat_getsockname(SOCKET, struct sockaddr *, socklen_t *);
int	 compat_setsockopt(SOCKET, int, int, const void *, socklen_t);
int	 compat_getsockopt(SOCKET, int, int, void *, socklen_t *);
ssize_t	 compat_send(SOCKET, const void *, size_t, int);
ssize_t	 compat_recv(SOCKET, void *, size_t, int);
ssize_t	 compat_readv(SOCKET, const struct iovec *, int);
ssize_t	 compat_writev(SOCKET, const struct iovec *, int);
#define socket(d, t, p)		compat_socket(d, t, p)
#define bind(s, a, l)		compat_bind(s, a, l)
#define connect(s, a, l)	compat_connect(s, a, l)
#define listen(s, n)		compat_listen(s, n)
#define shutdown(s, h)		compat_shutdown(s, h)
#define getsockname(s, a, l)	compat_getsockname(s, a, l)
#define setsockopt(s, l, o, v, n) compat_setsockopt(s, l, o, v, n)
#define getsockopt(s, l, o, v, n) compat_getsockopt(s, l, o, v, n)
#define send(s, b, l, f)	compat_send(s, b, l, f)
#define recv(s, b, l, f)	compat_recv(s, b, l, f)
#define readv(s, v, n)		compat_readv(s, v, n)
#define writev(s, v, n)		compat_writev(s, v, n)

/* strerror() that also names the Winsock-mapped errno values. */
char	*compat_strerror(int);
#define strerror(e)		compat_strerror(e)

/* Files: mkdir takes no mode; rename replaces; no fchmod, fsync. */
int	 compat_mkdir(const char *, int);
int	 compat_rename(const char *, const char *);
#define mkdir(p, m)		compat_mkdir(p, m)
#define rename(a, b)		compat_rename(a, b)
#define fchmod(fd, m)		compat_nomode()
#define chmod(p, m)		compat_nomode()
#define fchown(fd, u, g)	compat_nomode()
static inline int compat_nomode(void) { return (0); }
#define fsync(fd)		_commit(fd)
/* The CRT copies the owner's bits to group and other: no such thing. */
int	 compat_fstat(int, struct stat *);
#define fstat(fd, st)		compat_fstat(fd, st)

/* What glibc and the BSDs have and the CRT spells otherwise. */
#define explicit_bzero(p, n)	SecureZeroMemory(p, n)
#define timegm(tm)		_mkgmtime(tm)
static inline void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return (NULL);
	}
	return (realloc(p, n * size));
}

/* Users: one "user" on Windows for the code's purposes (doc/windows.md). */
#define geteuid()		((uid_t)0)
#define getegid()		((gid_t)0)

/* Reentrant time functions, as the CRT's _s ones. */
#define localtime_r(t, tm)	(localtime_s((tm), (t)) == 0 ? (tm) : NULL)
#define gmtime_r(t, tm)		(gmtime_s((tm), (t)) == 0 ? (tm) : NULL)

/* CLOCK_MONOTONIC and CLOCK_REALTIME without winpthread. */
int	 compat_clock_gettime(int, struct timespec *);
#define clock_gettime(c, ts)	compat_clock_gettime(c, ts)

/* Process start: Winsock, binary files (compat/win32.c). */
void	 compat_win32_init(void);

/* The state directory: %ProgramData%\tentacle (compat/win32.c). */
const char *compat_win32_state_dir(void);

#endif /* COMPAT_WIN32_H */
