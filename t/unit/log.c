/*
 * t/unit/log.c: log.c's JSON side: log_json_escape() (quotes, backslash,
 * control bytes and bytes past 0x7e as \u00XX, cut only between escapes),
 * log_relay() as text and as -log-format json (every field a key, the
 * same values), and socks_methods_str() (a greeting's methods as a list).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tentacle.h"
#include "socks.h"
#include "tap.h"

static char	 logfile[] = "/tmp/log_unit.XXXXXX";

static void
test_escape(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "a\"b", "a\\\"b" },
		{ "back\\slash", "back\\\\slash" },
		{ "nl\ncr\rtab\t", "nl\\u000acr\\u000dtab\\u0009" },
		{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
		{ "caf\xc3\xa9", "caf\\u00c3\\u00a9" },
		{ "</script>", "</script>" },
		{ "", "" },
	};
	char	 out[256];
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		test_case("in %s", cases[i].want);
		check_str(log_json_escape(out, sizeof out, cases[i].in),
		    cases[i].want);
	}
	test_case_end();
	/* Cut only between escapes: never half of \u00XX or of \". */
	check_str(log_json_escape(out, 4, "ab\"c"), "ab");
	check_str(log_json_escape(out, 6, "a\x01"), "a");
	check_str(log_json_escape(out, 7, "a\x01"), "a");
	check_str(log_json_escape(out, 8, "a\x01" "b"), "a\\u0001");
	check_str(log_json_escape(out, 1, "abc"), "");
}

/* The last line of the log file, without its newline. */
static char *
last_line(void)
{
	static char	 line[8192], last[8192];
	FILE		*f;

	last[0] = '\0';
	if ((f = fopen(logfile, "r")) == NULL)
		abort();
	while (fgets(line, sizeof line, f) != NULL)
		strlcpy(last, line, sizeof last);
	fclose(f);
	last[strcspn(last, "\n")] = '\0';
	return (last);
}

static void
test_relay(void)
{
	struct relay_who	 w;
	char			*l;

	memset(&w, 0, sizeof w);
	w.proto = "socks";
	w.node_id = 3;
	strlcpy(w.node, "n1", sizeof w.node);
	strlcpy(w.user, "al\"ice", sizeof w.user);
	strlcpy(w.client, "127.0.0.1:4000", sizeof w.client);
	strlcpy(w.target, "example.com:443", sizeof w.target);

	log_format_set("text");
	log_relay(LOG_LEVEL_INFO, &w, 12, 3456, 1234, "done");
	l = last_line();
	check(strstr(l, " INFO relay socks 127.0.0.1:4000: user al\"ice, node 3 "
	    "(n1), target example.com:443, closed (done), 12 bytes up, 3456 "
	    "down, 1.234s") != NULL);

	log_format_set("json");
	log_relay(LOG_LEVEL_INFO, &w, 12, 3456, 1234, "done\n");
	l = last_line();
	test_case_mem("line", l, strlen(l));
	check(strncmp(l, "{\"time\":\"", 9) == 0);
	check(strstr(l, "\",\"level\":\"INFO\",\"program\":\"t\",\"message\":"
	    "\"relay socks 127.0.0.1:4000: user al\\\"ice, node 3 (n1), "
	    "target example.com:443, closed (done\\u000a), 12 bytes up, 3456 "
	    "down, 1.234s\",\"event\":\"relay\",\"proto\":\"socks\","
	    "\"client\":\"127.0.0.1:4000\",\"user\":\"al\\\"ice\","
	    "\"node_id\":3,\"node\":\"n1\",\"target\":\"example.com:443\","
	    "\"bytes_up\":12,\"bytes_down\":3456,\"duration_ms\":1234,"
	    "\"end\":\"done\\u000a\"}") != NULL);

	/* No node, no user: "-" in text, empty and 0 in JSON. */
	memset(&w, 0, sizeof w);
	w.proto = "http";
	strlcpy(w.client, "[::1]:5", sizeof w.client);
	log_info("plain \"line\"\\");
	l = last_line();
	check(strstr(l, "\"message\":\"plain \\\"line\\\"\\\\\"}") != NULL);
	log_relay(LOG_LEVEL_INFO, &w, 0, 0, 5, "GET -> 407");
	l = last_line();
	check(strstr(l, "\"user\":\"\",\"node_id\":0,\"node\":\"\","
	    "\"target\":\"\"") != NULL);
	log_format_set("text");
	log_relay(LOG_LEVEL_INFO, &w, 0, 0, 5, "GET -> 407");
	l = last_line();
	check(strstr(l, "relay http [::1]:5: user -, node - (-), target -, "
	    "closed (GET -> 407), 0 bytes up, 0 down, 0.005s") != NULL);
	/* Below the level: nothing. */
	log_relay(LOG_LEVEL_DEBUG, &w, 0, 0, 5, "debug only");
	check(strstr(last_line(), "debug only") == NULL);
	check_int(log_format_set("yaml"), ==, -1);
}

static void
test_methods(void)
{
	char	 out[64];

	check_str(socks_methods_str(1U << 0, out, sizeof out), "no-auth");
	check_str(socks_methods_str(1U << 0 | 1U << 2, out, sizeof out),
	    "no-auth,user/pass");
	check_str(socks_methods_str(1U << 1 | 1U << 5, out, sizeof out),
	    "gssapi,0x05");
	check_str(socks_methods_str(0, out, sizeof out), "none");
	check_str(socks_methods_str(0xffffffffU, out, 12), "no-auth,gss");
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
	TEST(test_escape(), "log_json_escape: quotes, controls, high bytes, cuts");
	TEST(test_relay(), "log_relay: the same fields as text and as JSON keys");
	TEST(test_methods(), "socks_methods_str: a greeting's methods as a list");
	unlink(logfile);
	return (test_done());
}
