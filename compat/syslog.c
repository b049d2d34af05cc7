/*
 * syslog.c: syslog() on Windows: one event in the Application log per
 * line (ReportEvent), the source named by openlog()'s ident.  Empty
 * elsewhere.
 */
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
