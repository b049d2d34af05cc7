/* syslog.h on Windows: syslog() writes to the Application event log
 * under the ident given to openlog() (compat/syslog.c). */
#ifndef COMPAT_WIN32_SYSLOG_H
#define COMPAT_WIN32_SYSLOG_H
#include "compat_win32.h"

#define LOG_ERR		3
#define LOG_WARNING	4
#define LOG_INFO	6
#define LOG_DEBUG	7
#define LOG_PID		0x01
#define LOG_NDELAY	0x08
#define LOG_DAEMON	(3 << 3)

void	 openlog(const char *, int, int);
void	 syslog(int, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	 closelog(void);
#endif
