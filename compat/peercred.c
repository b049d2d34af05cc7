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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * Is gid one of the supplementary groups of process pid?  SO_PEERCRED
 * gives the primary group only; Linux lists the others in
 * /proc/PID/status.  0 when it cannot tell.
 */
int
compat_pid_in_group(long pid, gid_t gid)
{
#ifdef __linux__
	FILE		*fp;
	char		 path[64], line[4096], *p, *end;
	unsigned long	 g;
	int		 found = 0;

	if (pid <= 0)
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (p = line + 7; !found; p = end) {
			g = strtoul(p, &end, 10);
			if (end == p)
				break;
			found = (gid_t)g == gid;
		}
		break;
	}
	fclose(fp);
	return (found);
#else
	(void)pid;
	(void)gid;
	return (0);
#endif
}
