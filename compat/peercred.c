/*
 * peercred.c: who is at the other end of a Unix domain socket: the
 * peer's user and group ids (Linux SO_PEERCRED, the BSDs' getpeereid),
 * and its pid where the system says.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <unistd.h>

#include "config.h"
#include "compat.h"

int
compat_peercred(int fd, uid_t *uid, gid_t *gid, long *pid)
{
#if defined(SO_PEERCRED) && defined(__linux__)
	struct ucred	 uc;
	socklen_t	 len = sizeof uc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return (-1);
	*uid = uc.uid;
	*gid = uc.gid;
	*pid = uc.pid;
	return (0);
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
	*pid = -1;
	return (getpeereid(fd, uid, gid));
#else
	(void)fd;
	(void)uid;
	(void)gid;
	*pid = -1;
	errno = ENOSYS;
	return (-1);
#endif
}
