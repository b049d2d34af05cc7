/*
 * redial.c: run the node's own redial action (doc/routing.md, "Redial"):
 * a command from the node's config file under /bin/sh -c, in its own
 * process group, with a timeout; its output goes to the node's log.  The
 * hub only ever says when to redial, never what to run.  One action at a
 * time.  Windows: redial_win.c.
 */
#ifndef _WIN32
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"

#define REDIAL_KILL_MS		2000	/* SIGTERM, then SIGKILL after this */
#define REDIAL_READ_MAX		(64 * 1024)	/* per wakeup */

static struct {
	pid_t		 pid;		/* 0: none running */
	int		 fd;		/* output pipe, -1 when closed */
	struct event	*out_ev;
	struct event	*timer;
	struct event	*chld_ev;
	uint64_t	 start_us;
	int		 timeout_ms;
	int		 killing;	/* 1: SIGTERM sent, 2: SIGKILL */
	struct redial_log	 log;	/* its output, as log lines */
	redial_done_cb	*cb;
	void		*arg;
} rd = { .fd = -1 };

/*
 * Read what the command wrote (at most REDIAL_READ_MAX a call, so a
 * chatty command cannot hold the event loop); split it into log lines.
 */
static void
redial_read(void)
{
	char	 buf[4096];
	ssize_t	 n = -1;
	size_t	 total = 0;

	errno = EAGAIN;
	while (total < REDIAL_READ_MAX) {
		n = read(rd.fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
		redial_log_bytes(&rd.log, buf, n, 0);
	}
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		redial_log_flush(&rd.log);
		event_free(rd.out_ev);
		rd.out_ev = NULL;
		close(rd.fd);
		rd.fd = -1;
	}
}

static void
redial_out_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	redial_read();
}

static void
redial_finish(int status)
{
	redial_done_cb	*cb = rd.cb;
	void		*arg = rd.arg;
	uint64_t	 us = core_now_us() - rd.start_us;
	uint32_t	 ms = us / 1000 > UINT32_MAX ? UINT32_MAX : us / 1000;
	int		 rres, code = 0;

	/*
	 * What the command itself wrote is in the pipe; a daemon it left
	 * behind (pppd) may keep the pipe open for good: stop reading.
	 */
	if (rd.fd != -1) {
		redial_read();
		redial_log_flush(&rd.log);
	}
	if (rd.out_ev != NULL)
		event_free(rd.out_ev);
	if (rd.fd != -1)
		close(rd.fd);
	rd.out_ev = NULL;
	rd.fd = -1;
	evtimer_del(rd.timer);
	rd.pid = 0;
	if (rd.killing) {
		rres = FRAME_RRES_TIMEOUT;
		log_warnx("redial: the command did not finish within %d ms; "
		    "killed (raise redial_timeout if it needs longer)",
		    rd.timeout_ms);
	} else if (status == -1) {
		rres = FRAME_RRES_FAILED;
		code = 255;
		log_warnx("redial: the command's exit status is lost");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rres = FRAME_RRES_OK;
		log_info("redial: the command succeeded in %u ms", ms);
	} else if (WIFEXITED(status)) {
		rres = FRAME_RRES_FAILED;
		code = WEXITSTATUS(status);
		log_warnx("redial: the command failed with exit status %d "
		    "after %u ms", code, ms);
	} else {
		rres = FRAME_RRES_SIGNAL;
		code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		log_warnx("redial: the command died of signal %d after %u ms",
		    code, ms);
	}
	rd.cb = NULL;
	rd.arg = NULL;
	rd.killing = 0;
	if (cb != NULL)
		cb(rres, code, ms, arg);
}

static void
redial_chld_cb(evutil_socket_t sig __unused, short what __unused,
    void *arg __unused)
{
	pid_t	 pid;
	int	 status;

	if (rd.pid == 0)
		return;
	while ((pid = waitpid(rd.pid, &status, WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (pid == rd.pid)
		redial_finish(status);
	else if (pid == -1 && errno == ECHILD)
		redial_finish(-1);	/* reaped elsewhere: cannot tell */
}

static void
redial_timer_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct timeval	 tv = { REDIAL_KILL_MS / 1000,
			    (REDIAL_KILL_MS % 1000) * 1000 };

	if (rd.pid == 0)
		return;
	if (rd.killing == 0) {
		rd.killing = 1;
		(void)kill(-rd.pid, SIGTERM);
		evtimer_add(rd.timer, &tv);
		return;
	}
	if (rd.killing == 1) {
		rd.killing = 2;
		(void)kill(-rd.pid, SIGKILL);
		evtimer_add(rd.timer, &tv);
		return;
	}
	/* Not even SIGKILL ended it (stuck in the kernel): give up on it. */
	log_warnx("redial: pid %ld survives SIGKILL; going on without it",
	    (long)rd.pid);
	redial_finish(0);
}

/* In the child: a clean slate, then /bin/sh -c cmd. */
static __dead void
redial_child(const char *cmd, int out)
{
	sigset_t	 set;
	int		 null, sig;

	(void)setsid();
	sigemptyset(&set);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	if ((null = open("/dev/null", O_RDONLY)) != -1 && null != 0) {
		(void)dup2(null, 0);
		(void)close(null);
	}
	if (out != 1)
		(void)dup2(out, 1);
	if (out != 2)
		(void)dup2(out, 2);
	compat_closefrom(3);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* see node.h */
int
redial_start(const char *cmd, int timeout_ms, redial_done_cb *cb, void *arg,
    char **cause)
{
	struct timeval	 tv;
	int		 p[2];
	pid_t		 pid;

	if (rd.pid != 0) {
		xasprintf(cause, "a redial command is already running");
		return (-1);
	}
	if (rd.chld_ev == NULL) {
		rd.chld_ev = evsignal_new(core_base, SIGCHLD, redial_chld_cb,
		    NULL);
		rd.timer = evtimer_new(core_base, redial_timer_cb, NULL);
		if (rd.chld_ev == NULL || rd.timer == NULL ||
		    evsignal_add(rd.chld_ev, NULL) == -1) {
			if (rd.chld_ev != NULL)
				event_free(rd.chld_ev);
			if (rd.timer != NULL)
				event_free(rd.timer);
			rd.chld_ev = rd.timer = NULL;
			xasprintf(cause, "cannot watch for the command's exit");
			return (-1);
		}
	}
	if (pipe(p) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	switch ((pid = fork())) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return (-1);
	case 0:
		close(p[0]);
		redial_child(cmd, p[1]);
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFD, FD_CLOEXEC);
	(void)core_set_nonblock(p[0]);
	rd.pid = pid;
	rd.fd = p[0];
	rd.start_us = core_now_us();
	rd.timeout_ms = timeout_ms;
	rd.killing = 0;
	memset(&rd.log, 0, sizeof rd.log);
	rd.cb = cb;
	rd.arg = arg;
	rd.out_ev = event_new(core_base, rd.fd, EV_READ | EV_PERSIST,
	    redial_out_cb, NULL);
	if (rd.out_ev != NULL)
		event_add(rd.out_ev, NULL);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(rd.timer, &tv);
	log_info("redial: running the redial command (pid %ld, timeout %d "
	    "ms)", (long)pid, timeout_ms);
	return (0);
}

/* see node.h */
int
redial_running(void)
{
	return (rd.pid != 0);
}

/* see node.h */
void
redial_abort(void)
{
	if (rd.pid == 0)
		return;
	log_info("redial: stopping the running command (pid %ld)",
	    (long)rd.pid);
	(void)kill(-rd.pid, SIGTERM);
	rd.cb = NULL;
}
#endif /* !_WIN32 */
