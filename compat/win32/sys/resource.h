/* sys/resource.h on Windows: no descriptor limit to ask (compat/win32.c). */
#ifndef COMPAT_WIN32_SYS_RESOURCE_H
#define COMPAT_WIN32_SYS_RESOURCE_H
#include "compat_win32.h"

typedef unsigned long	rlim_t;
struct rlimit {
	rlim_t	 rlim_cur;
	rlim_t	 rlim_max;
};
#define RLIMIT_NOFILE	7
#define RLIM_INFINITY	(~(rlim_t)0)

/* Always -1 (ENOSYS): callers fall back to their defaults. */
int	 getrlimit(int, struct rlimit *);
#endif
