/*
 * syslog.c: syslog() on Windows: one event in the Application log per
 * line (ReportEvent), the source named by openlog()'s ident.  Elsewhere
 * only compat_syslog_check(): is a syslog daemon listening?
 */
#ifndef _WIN32
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <paths.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

#ifndef _PATH_LOG
#define _PATH_LOG	"/dev/log"
#endif

/* see compat.h: a datagram to _PATH_LOG would reach a reader. */
int
compat_syslog_check(const char **path)
{
	struct sockaddr_un	 sun;
	int			 fd, rc, saved;

	*path = _PATH_LOG;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, _PATH_LOG, sizeof sun.sun_path - 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return (-1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	if (rc == -1 && errno == EPROTOTYPE) {	/* a stream socket there */
		close(fd);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			return (-1);
		rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	}
	saved = errno;
	close(fd);
	errno = saved;
	return (rc);
}
#else
#include <syslog.h>

/* see compat.h: the event log is always there. */
int
compat_syslog_check(const char **path)
{
	*path = "the event log";
	return (0);
}
#endif /* !_WIN32 */

#ifdef _WIN32
#include <stdarg.h>
#include <stdio.h>

#include <syslog.h>

static HANDLE	 syslog_h;

void
openlog(const char *ident, int opt __attribute__((__unused__)),
    int facility __attribute__((__unused__)))
{
	if (syslog_h == NULL)
		syslog_h = RegisterEventSourceA(NULL, ident);
}

void
syslog(int prio, const char *fmt, ...)
{
	char		 msg[1024];
	const char	*s[1] = { msg };
	va_list		 ap;
	WORD		 type;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (syslog_h == NULL)
		openlog("tentacle", 0, 0);
	type = prio <= LOG_ERR ? EVENTLOG_ERROR_TYPE : prio == LOG_WARNING ?
	    EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE;
	if (syslog_h != NULL)
		ReportEventA(syslog_h, type, 0, 0, NULL, 1, 0, s, NULL);
}

void
closelog(void)
{
	if (syslog_h != NULL)
		DeregisterEventSource(syslog_h);
	syslog_h = NULL;
}
#endif /* _WIN32 */
