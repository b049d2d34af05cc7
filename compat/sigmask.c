/*
 * sigmask.c: a thread's signal mask, for the library (libtentacle.c): its
 * loop thread takes none of the host's signals, and a write to a closed
 * socket there is EPIPE, never a SIGPIPE to the host.  Windows has no
 * signal masks and no SIGPIPE: nothing to do there.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "compat.h"

#ifndef _WIN32
/* see compat.h */
void
compat_sigmask_block(int all, struct compat_sigmask *saved)
{
	sigset_t	 set;

	if (all)
		sigfillset(&set);
	else {
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
	}
	pthread_sigmask(SIG_BLOCK, &set, &saved->set);
}

/* see compat.h */
void
compat_sigmask_restore(const struct compat_sigmask *saved)
{
	sigset_t		 pipe, pending;
	struct timespec		 zero = { 0, 0 };

	/* A SIGPIPE raised while blocked goes now, not to the host later. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) &&
	    !sigismember(&saved->set, SIGPIPE))
		(void)sigtimedwait(&pipe, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &saved->set, NULL);
}
#else
void
compat_sigmask_block(int all __unused, struct compat_sigmask *saved)
{
	memset(saved, 0, sizeof *saved);
}

void
compat_sigmask_restore(const struct compat_sigmask *saved __unused)
{
}
#endif
