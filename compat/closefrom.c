/*
 * closefrom.c: close every descriptor from lowfd up, in a child between
 * fork() and exec() (a redial command must not inherit relay sockets,
 * some of which libevent opens without close-on-exec).
 */
#ifndef _WIN32
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <unistd.h>

#include "config.h"
#include "compat.h"

#define CLOSEFROM_MAX	65536	/* the loop's bound without close_range */

void
compat_closefrom(int lowfd)
{
	struct rlimit	 rl;
	long		 fd, max = CLOSEFROM_MAX;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (fd = lowfd; fd < max; fd++)
		(void)close((int)fd);
}
#else /* _WIN32: nothing is inherited unless asked for */
#include "config.h"
#include "compat.h"

void
compat_closefrom(int lowfd __unused)
{
}
#endif /* _WIN32 */
