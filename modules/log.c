/*
 * log.c: one line per event, to stdout/stderr, a file or syslog.
 * Owns the log level and destination; peer text is escaped by the caller
 * with log_escape() before it reaches a format string's %s.
 */
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "tentacle.h"

static FILE		*log_fp;
static int		 log_syslog;
static int		 log_none;
static int		 log_level = LOG_LEVEL_INFO;
static char		*log_path;

static const char *log_names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
static const int log_prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };

static void	 log_vwrite(int, const char *, va_list, int);
static void	 log_syslog_check(const char *);

int
log_level_parse(const char *s, int *level)
{
	u_int	 i;

	for (i = 0; i < nitems(log_names); i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*level = i;
			return (0);
		}
	}
	if (strcasecmp(s, "WARN") == 0) {
		*level = LOG_LEVEL_WARNING;
		return (0);
	}
	return (-1);
}

/*
 * -log syslog with no daemon at /dev/log: the lines would vanish (glibc
 * and musl drop them), so the operator hears it on stderr at start-up.
 */
static void
log_syslog_check(const char *ident)
{
	const char	*path;

	if (compat_syslog_check(&path) == 0)
		return;
	fprintf(stderr, "%s: warning: -log syslog: no syslog daemon at %s "
	    "(%s): log lines are lost until one listens there; use -log FILE, "
	    "or -log stdout (journald and docker keep it)\n", ident, path,
	    strerror(errno));
}

int
log_init(const char *dest, int level, const char *ident, char **cause)
{
	FILE	*fp;

	log_level = level;
	log_none = log_syslog = 0;
	if (dest == NULL || strcmp(dest, "stdout") == 0)
		fp = stdout;
	else if (strcmp(dest, "stderr") == 0)
		fp = stderr;
	else if (strcmp(dest, "none") == 0) {
		log_none = 1;
		fp = NULL;
	} else if (strcmp(dest, "syslog") == 0) {
		log_syslog_check(ident);
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog = 1;
		fp = NULL;
	} else {
		if ((fp = fopen(dest, "a")) == NULL) {
			xasprintf(cause, "-log %s: %s", dest, strerror(errno));
			return (-1);
		}
		setvbuf(fp, NULL, _IOLBF, 0);
		free(log_path);
		log_path = xstrdup(dest);
	}
	if (log_fp != NULL && log_fp != stdout && log_fp != stderr)
		fclose(log_fp);
	log_fp = fp;
	if (fp == stdout)
		setvbuf(stdout, NULL, _IOLBF, 0);
	return (0);
}

/* The level from now on (the hub's SIGHUP: log-level in its file). */
void
log_level_set(int level)
{
	log_level = level;
}

/* Reopen a log file after rotation (SIGHUP/SIGUSR1). */
void
log_reopen(void)
{
	FILE	*fp;

	if (log_path == NULL || log_fp == NULL)
		return;
	if ((fp = fopen(log_path, "a")) == NULL) {
		log_warn("reopen log %s", log_path);
		return;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	fclose(log_fp);
	log_fp = fp;
}

int
log_enabled(int level)
{
	return (!log_none && level >= log_level);
}

static void
log_vwrite(int level, const char *fmt, va_list ap, int with_errno)
{
	char		 msg[1024], stamp[32];
	struct timeval	 tv;
	struct tm	 tm;
	time_t		 t;
	int		 saved = errno;
	size_t		 len;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", strerror(saved));
	}
	if (log_syslog) {
		syslog(log_prio[level], "%s", msg);
		errno = saved;
		return;
	}
	if (log_fp == NULL)
		log_fp = stderr;
	gettimeofday(&tv, NULL);
	t = tv.tv_sec;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_fp, "%s.%03d %s %s\n", stamp, (int)(tv.tv_usec / 1000),
	    log_names[level], msg);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)					\
void									\
name(const char *fmt, ...)						\
{									\
	va_list	 ap;							\
									\
	va_start(ap, fmt);						\
	log_vwrite(level, fmt, ap, with_errno);				\
	va_end(ap);							\
}
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warn, LOG_LEVEL_WARNING, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARNING, 0)
LOG_FN(log_error, LOG_LEVEL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

/* see tentacle.h */
char *
log_escape(char *out, size_t outlen, const void *in, size_t inlen)
{
	const unsigned char	*p = in;
	size_t			 i, o = 0;

	if (outlen == 0)
		return (out);
	for (i = 0; i < inlen; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = c;
		} else {
			if (o + 4 >= outlen)
				break;
			snprintf(out + o, outlen - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
	return (out);
}
