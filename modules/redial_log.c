/*
 * redial_log.c: a redial command's output, as log lines ("redial: | ..."),
 * for both redial actions (redial.c, redial_win.c): lines split at '\n' or
 * REDIAL_LINE_MAX bytes, escaped, at most REDIAL_LOG_MAX bytes a run.
 */
#include <string.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"

/* see node.h */
void
redial_log_flush(struct redial_log *rl)
{
	char	 esc[4 * REDIAL_LINE_MAX + 1];

	if (rl->linelen == 0)
		return;
	log_escape(esc, sizeof esc, rl->line, rl->linelen);
	log_info("redial: | %s", esc);
	rl->linelen = 0;
}

/* see node.h */
void
redial_log_bytes(struct redial_log *rl, const char *buf, size_t n, int crlf)
{
	size_t	 i;

	for (i = 0; i < n && rl->logged < REDIAL_LOG_MAX; i++) {
		rl->logged++;
		if (buf[i] == '\n' || rl->linelen == REDIAL_LINE_MAX)
			redial_log_flush(rl);
		if (buf[i] != '\n' && !(crlf && buf[i] == '\r'))
			rl->line[rl->linelen++] = buf[i];
	}
	if (i < n && rl->logged++ == REDIAL_LOG_MAX) {
		redial_log_flush(rl);
		log_info("redial: more output, not logged");
	}
}
