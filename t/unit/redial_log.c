/*
 * t/unit/redial_log.c: a redial command's output as log lines
 * (modules/redial_log.c): split at '\n' and at REDIAL_LINE_MAX bytes,
 * escaped (\xNN), CR dropped only for cmd.exe (crlf), at most REDIAL_LOG_MAX bytes
 * a run and one "more output" line after them; bytes may come in any cuts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tentacle.h"
#include "frame.h"
#include "node.h"
#include "tap.h"

static char	 logfile[] = "/tmp/redial_log.XXXXXX";

/* Feed s in pieces of cut bytes, flush, and return what was logged: the
 * text after "redial: " of each line, one per line. */
static char *
run(const char *s, size_t len, size_t cut, int crlf)
{
	static char		 out[65536];
	struct redial_log	 rl;
	FILE			*f;
	char			 line[1024], *p;
	size_t			 i, n, o = 0;

	if (truncate(logfile, 0) == -1)
		abort();
	memset(&rl, 0, sizeof rl);
	for (i = 0; i < len; i += n) {
		n = len - i < cut ? len - i : cut;
		redial_log_bytes(&rl, s + i, n, crlf);
	}
	redial_log_flush(&rl);
	out[0] = '\0';
	if ((f = fopen(logfile, "r")) == NULL)
		abort();
	while (fgets(line, sizeof line, f) != NULL) {
		if ((p = strstr(line, "redial: ")) == NULL)
			continue;
		p += 8;
		n = strlen(p);
		if (o + n + 1 > sizeof out)
			break;
		memcpy(out + o, p, n + 1);
		o += n;
	}
	fclose(f);
	return (out);
}

static void
test_lines(void)
{
	static const struct {
		const char	*in;
		int		 crlf;
		const char	*want;
	} cases[] = {
		{ "up\n", 0, "| up\n" },
		{ "a\nb\n\nc", 0, "| a\n| b\n| c\n" },
		{ "a\r\nb\r\n", 1, "| a\n| b\n" },
		{ "a\r\n", 0, "| a\\x0d\n" },
		{ "tab\there\x01\n", 0, "| tab\\x09here\\x01\n" },
		{ "", 0, "" },
	};
	size_t	 i, cut;

	for (i = 0; i < nitems(cases); i++) {
		for (cut = 1; cut <= 5; cut++) {
			test_case("\"%s\" crlf %d cut %zu", cases[i].in,
			    cases[i].crlf, cut);
			check_str(run(cases[i].in, strlen(cases[i].in), cut,
			    cases[i].crlf), cases[i].want);
		}
	}
}

/* A line longer than REDIAL_LINE_MAX is cut into several. */
static void
test_long_line(void)
{
	char	 in[2 * REDIAL_LINE_MAX + 10], want[4 * REDIAL_LINE_MAX];
	size_t	 n = sizeof in - 1;

	memset(in, 'x', n);
	in[n] = '\0';
	snprintf(want, sizeof want, "| %.*s\n| %.*s\n| %.*s\n",
	    REDIAL_LINE_MAX, in, REDIAL_LINE_MAX, in,
	    (int)(n - 2 * REDIAL_LINE_MAX), in);
	check_str(run(in, n, 7, 0), want);
}

/* At most REDIAL_LOG_MAX bytes, then one line saying there was more. */
static void
test_cap(void)
{
	char	*in, *out, *more;
	size_t	 n = 3 * REDIAL_LOG_MAX, i, x = 0;

	in = malloc(n);
	for (i = 0; i < n; i++)
		in[i] = i % 10 == 9 ? '\n' : 'y';
	out = run(in, n, 1000, 0);
	more = strstr(out, "more output, not logged\n");
	check(more != NULL);
	check(more != NULL && strstr(more + 1, "more output") == NULL);
	for (i = 0; out[i] != '\0'; i++)
		x += out[i] == 'y';
	check_int(x, <=, REDIAL_LOG_MAX);
	check_int(x, >=, REDIAL_LOG_MAX - REDIAL_LOG_MAX / 10 - 1);
	free(in);
}

int
main(void)
{
	int	 fd;
	char	*cause = NULL;

	if ((fd = mkstemp(logfile)) == -1)
		return (1);
	close(fd);
	if (log_init(logfile, LOG_LEVEL_INFO, "t", &cause) == -1)
		return (1);
	TEST(test_lines(), "lines split at newlines, escaped, CR per crlf, any cuts");
	TEST(test_long_line(), "a long line is cut at REDIAL_LINE_MAX");
	TEST(test_cap(), "REDIAL_LOG_MAX bytes, then one 'more output' line");
	unlink(logfile);
	return (test_done());
}
