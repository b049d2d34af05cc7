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

#include "queue.h"

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

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* COMPAT_H */
