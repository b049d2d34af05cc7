/*
 * log.c: one line per event, to stdout/stderr, a file or syslog.
 * Owns the log level, destination and format (text, or -log-format json:
 * one object a line); peer text is escaped by the caller with log_escape()
 * before it reaches a format string's %s.  A relay's last line is
 * log_relay()'s, its fields as keys in JSON.
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

/*
 * The process's core context (tentacle.h), here because every program
 * links log.c (the tests too, without core.c); each thread starts there.
 * The log's state is the context's: each library node has its own.
 */
struct core_ctx			 core_main = {
	.log = { .level = LOG_LEVEL_INFO, .ident = "tentacle" },
	.flushing = TAILQ_HEAD_INITIALIZER(core_main.flushing)
};
COMPAT_THREAD struct core_ctx	*core_cur = &core_main;

#define LOG	(core_cur->log)

static const char *log_names[] = { "DEBUG", "INFO", "WARNING", "ERROR" };
static const int log_prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };

static void	 log_vwrite(int, const char *, va_list, int);
static void	 log_syslog_check(const char *);
static void	 log_out(int, const char *, const char *);

/* see tentacle.h */
int
log_format_set(const char *s)
{
	if (strcmp(s, "text") == 0)
		LOG.json = 0;
	else if (strcmp(s, "json") == 0)
		LOG.json = 1;
	else
		return (-1);
	return (0);
}

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

	LOG.level = level;
	LOG.none = LOG.syslog = 0;
	strlcpy(LOG.ident, ident, sizeof LOG.ident);
	if (dest == NULL || strcmp(dest, "stdout") == 0)
		fp = stdout;
	else if (strcmp(dest, "stderr") == 0)
		fp = stderr;
	else if (strcmp(dest, "none") == 0) {
		LOG.none = 1;
		fp = NULL;
	} else if (strcmp(dest, "syslog") == 0) {
		log_syslog_check(ident);
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		LOG.syslog = 1;
		fp = NULL;
	} else {
		if ((fp = fopen(dest, "a")) == NULL) {
			xasprintf(cause, "-log %s: %s", dest, strerror(errno));
			return (-1);
		}
		setvbuf(fp, NULL, _IOLBF, 0);
		free(LOG.path);
		LOG.path = xstrdup(dest);
	}
	if (LOG.fp != NULL && LOG.fp != stdout && LOG.fp != stderr)
		fclose(LOG.fp);
	LOG.fp = fp;
	if (fp == stdout)
		setvbuf(stdout, NULL, _IOLBF, 0);
	return (0);
}

/* The level from now on (the hub's SIGHUP: log-level in its file). */
void
log_level_set(int level)
{
	LOG.level = level;
}

/* Reopen a log file after rotation (SIGHUP/SIGUSR1). */
void
log_reopen(void)
{
	FILE	*fp;

	if (LOG.path == NULL || LOG.fp == NULL)
		return;
	if ((fp = fopen(LOG.path, "a")) == NULL) {
		log_warn("reopen log %s", LOG.path);
		return;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	fclose(LOG.fp);
	LOG.fp = fp;
}

/* see tentacle.h */
void
log_close(struct core_log *lg)
{
	if (lg->fp != NULL && lg->fp != stdout && lg->fp != stderr) {
		fclose(lg->fp);
		lg->fp = NULL;		/* stdout, stderr: kept for a restart */
	}
	free(lg->path);
	lg->path = NULL;
}

int
log_enabled(int level)
{
	return (!LOG.none && level >= LOG.level);
}

static void
log_vwrite(int level, const char *fmt, va_list ap, int with_errno)
{
	char		 msg[1024];
	int		 saved = errno;
	size_t		 len;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof msg - len, ": %s", strerror(saved));
	}
	log_out(level, msg, NULL);
	errno = saved;
}

/*
 * One line out: msg, and in JSON the extra keys (",\"k\":v..." or NULL)
 * after time, level, program and message.
 */
static void
log_out(int level, const char *msg, const char *extra)
{
	char		 stamp[32], zone[8], esc[6 * 1024];
	struct timeval	 tv;
	struct tm	 tm;
	time_t		 t;

	if (LOG.cb != NULL) {
		/* A library node's host: the message, no stamp. */
		LOG.cb(LOG.cb_arg, level, msg);
		if (LOG.fp == NULL)
			return;
	}
	if (LOG.syslog) {
		if (LOG.json)
			syslog(log_prio[level], "{\"level\":\"%s\","
			    "\"message\":\"%s\"%s}", log_names[level],
			    log_json_escape(esc, sizeof esc, msg),
			    extra != NULL ? extra : "");
		else
			syslog(log_prio[level], "%s", msg);
		return;
	}
	if (LOG.fp == NULL)
		LOG.fp = stderr;
	gettimeofday(&tv, NULL);
	t = tv.tv_sec;
	localtime_r(&t, &tm);
	if (!LOG.json) {
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(LOG.fp, "%s.%03d %s %s\n", stamp,
		    (int)(tv.tv_usec / 1000), log_names[level], msg);
		return;
	}
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	fprintf(LOG.fp, "{\"time\":\"%s.%03d%.3s:%s\",\"level\":\"%s\","
	    "\"program\":\"%s\",\"message\":\"%s\"%s}\n", stamp,
	    (int)(tv.tv_usec / 1000), zone, zone + 3, log_names[level],
	    LOG.ident, log_json_escape(esc, sizeof esc, msg),
	    extra != NULL ? extra : "");
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

/* see tentacle.h */
char *
log_json_escape(char *out, size_t outlen, const char *in)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 o = 0;

	if (outlen == 0)
		return (out);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			if (o + 2 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = *p;
		} else if (*p >= 0x20 && *p < 0x7f) {
			if (o + 1 >= outlen)
				break;
			out[o++] = *p;
		} else {
			if (o + 6 >= outlen)
				break;
			snprintf(out + o, outlen - o, "\\u%04x", *p);
			o += 6;
		}
	}
	out[o] = '\0';
	return (out);
}

/* see tentacle.h */
void
log_relay(int level, const struct relay_who *w, uint64_t up, uint64_t down,
    uint64_t ms, const char *end)
{
	char	 user[4 * 65], node[32], msg[1024], extra[5120];
	char	 eproto[6 * 16], eclient[6 * 64], euser[6 * 65], enode[6 * 64];
	char	 etarget[6 * 280], eend[6 * 160];

	if (!log_enabled(level))
		return;
	if (w->user[0] != '\0')
		log_escape(user, sizeof user, w->user, strlen(w->user));
	else
		strlcpy(user, "-", sizeof user);
	if (w->node_id != 0)
		snprintf(node, sizeof node, "%u", w->node_id);
	else
		strlcpy(node, "-", sizeof node);
	snprintf(msg, sizeof msg, "relay %s %s: user %s, node %s (%s), "
	    "target %s, closed (%s), %llu bytes up, %llu down, %llu.%03llus",
	    w->proto, w->client, user, node, w->node[0] != '\0' ? w->node :
	    "-", w->target[0] != '\0' ? w->target : "-", end,
	    (unsigned long long)up, (unsigned long long)down,
	    (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
	if (!LOG.json) {
		log_out(level, msg, NULL);
		return;
	}
	snprintf(extra, sizeof extra, ",\"event\":\"relay\",\"proto\":\"%s\","
	    "\"client\":\"%s\",\"user\":\"%s\",\"node_id\":%u,"
	    "\"node\":\"%s\",\"target\":\"%s\",\"bytes_up\":%llu,"
	    "\"bytes_down\":%llu,\"duration_ms\":%llu,\"end\":\"%s\"",
	    log_json_escape(eproto, sizeof eproto, w->proto),
	    log_json_escape(eclient, sizeof eclient, w->client),
	    log_json_escape(euser, sizeof euser, w->user), w->node_id,
	    log_json_escape(enode, sizeof enode, w->node),
	    log_json_escape(etarget, sizeof etarget, w->target),
	    (unsigned long long)up, (unsigned long long)down,
	    (unsigned long long)ms, log_json_escape(eend, sizeof eend, end));
	log_out(level, msg, extra);
}
