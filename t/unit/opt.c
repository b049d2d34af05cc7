/*
 * t/unit/opt.c: unit tests for modules/opt.c: Go flag syntax and error
 * text, Go durations, ints, bools, usage output, the config file and
 * list values.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "compat.h"
#include "opt.h"
#include "tap.h"

static const char	*f_addr, *f_log;
static int		 f_verbose, f_pool;
static int64_t		 f_redial;

static struct opt opts[] = {
	{ "controlAddr", OPT_STRING, &f_addr, "Control address", ":4442",
	    0, 0, 0 },
	{ "log", OPT_STRING, &f_log, "Write log messages to this `file`",
	    "\"stdout\"", 0, 0, 0 },
	{ "v", OPT_BOOL, &f_verbose, "Verbose", NULL, 0, 0, 0 },
	{ "pool-size", OPT_INT, &f_pool, "Pool size, 0 for no pool", NULL,
	    0, 1000, 0 },
	{ "redial-interval", OPT_DURATION, &f_redial, "Redial interval",
	    "1m0s", 0, 0, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
};

static void
reset(void)
{
	struct opt	*o;

	f_addr = f_log = NULL;
	f_verbose = 0;
	f_pool = -1;
	f_redial = -1;
	for (o = opts; o->name != NULL; o++)
		o->set = 0;
}

/*
 * Parse a space-separated command line (argv[0] first).  Returns opt_parse's
 * value; *ind gets the index where parsing stopped, *cause the message.
 */
static char	 argbuf[1024];
static char	*argv_[32];

static int
parse(const char *line, int *ind, char **cause)
{
	int	 argc = 0;
	char	*p;

	reset();
	strlcpy(argbuf, line, sizeof argbuf);
	for (p = strtok(argbuf, " "); p != NULL; p = strtok(NULL, " "))
		argv_[argc++] = p;
	argv_[argc] = NULL;
	*ind = 1;
	*cause = NULL;
	return (opt_parse(opts, argc, argv_, ind, cause));
}

static void
test_flag_forms(void)
{
	char	*cause;
	int	 ind;

	check_int(parse("t -controlAddr :1 start", &ind, &cause), ==, 0);
	check_str(f_addr, ":1");
	check_int(ind, ==, 3);
	check_int(opt_find(opts, "controlAddr")->set, ==, 1);
	check_int(opt_find(opts, "log")->set, ==, 0);

	check_int(parse("t -controlAddr=:2", &ind, &cause), ==, 0);
	check_str(f_addr, ":2");
	check_int(ind, ==, 2);

	check_int(parse("t --controlAddr :3 --log=none x y", &ind, &cause),
	    ==, 0);
	check_str(f_addr, ":3");
	check_str(f_log, "none");
	check_int(ind, ==, 4);

	check_int(parse("t --controlAddr=a=b", &ind, &cause), ==, 0);
	check_str(f_addr, "a=b");

	check_int(parse("t -log= start", &ind, &cause), ==, 0);
	check_str(f_log, "");
	check_int(ind, ==, 2);

	/* The value may look like a flag. */
	check_int(parse("t -log -v", &ind, &cause), ==, 0);
	check_str(f_log, "-v");
	check_int(f_verbose, ==, 0);
}

static void
test_flag_bool(void)
{
	char		*cause;
	int		 ind;
	const char	*yes[] = { "1", "t", "T", "true", "TRUE", "True" };
	const char	*no[] = { "0", "f", "F", "false", "FALSE", "False" };
	char		 line[64];
	size_t		 i;

	/* A bool never takes the next argument. */
	check_int(parse("t -v false", &ind, &cause), ==, 0);
	check_int(f_verbose, ==, 1);
	check_int(ind, ==, 2);
	check_int(parse("t --v start", &ind, &cause), ==, 0);
	check_int(f_verbose, ==, 1);
	for (i = 0; i < nitems(yes); i++) {
		snprintf(line, sizeof line, "t -v=%s", yes[i]);
		check_int(parse(line, &ind, &cause), ==, 0);
		check_int(f_verbose, ==, 1);
		snprintf(line, sizeof line, "t -v=%s", no[i]);
		check_int(parse(line, &ind, &cause), ==, 0);
		check_int(f_verbose, ==, 0);
		check_int(opt_find(opts, "v")->set, ==, 1);
	}
	check_int(parse("t -v=yes", &ind, &cause), ==, -1);
	check_str(cause, "-v: 'yes' is not true or false (expected true or "
	    "false; also 1, 0, t, f)");
	free(cause);
}

static void
test_flag_stop(void)
{
	char	*cause;
	int	 ind;

	check_int(parse("t -- -v", &ind, &cause), ==, 0);
	check_int(ind, ==, 2);
	check_int(f_verbose, ==, 0);

	check_int(parse("t -v - -log x", &ind, &cause), ==, 0);
	check_int(ind, ==, 2);			/* lone "-" is an argument */
	check(f_log == NULL);

	check_int(parse("t start -v", &ind, &cause), ==, 0);
	check_int(ind, ==, 1);
	check_int(f_verbose, ==, 0);

	check_int(parse("t", &ind, &cause), ==, 0);
	check_int(ind, ==, 1);
}

static void
test_flag_help(void)
{
	static const char	*lines[] = { "t -h", "t -help", "t --help",
	    "t -v --h" };
	char			*cause;
	int			 ind;
	size_t			 i;

	for (i = 0; i < nitems(lines); i++) {
		test_case("\"%s\"", lines[i]);
		check_int(parse(lines[i], &ind, &cause), ==, OPT_HELP);
	}
	test_case_end();
	check(cause == NULL);
}

/* A command line opt_parse refuses, and the message it gives. */
struct ecase {
	const char	*in;
	const char	*want;
};

static void
test_flag_errors(void)
{
	static const struct ecase	 errors[] = {
		{ "t -foo", "flag provided but not defined: -foo" },
		{ "t --foo=1", "flag provided but not defined: -foo" },
		{ "t -log", "flag needs an argument: -log" },
		{ "t -v --pool-size", "flag needs an argument: -pool-size" },
		{ "t -pool-size x", "-pool-size: 'x' is not a number "
		    "(expected a whole number from 0 to 1000)" },
		{ "t -pool-size=5000", "-pool-size: '5000' is out of range "
		    "(expected a whole number from 0 to 1000)" },
		{ "t -pool-size -1", "-pool-size: '-1' is out of range "
		    "(expected a whole number from 0 to 1000)" },
		{ "t -pool-size 99999999999999999999", "-pool-size: "
		    "'99999999999999999999' is out of range (expected a whole "
		    "number from 0 to 1000)" },
		{ "t -redial-interval 1x", "-redial-interval: '1x' is not a "
		    "duration (expected a number and a unit, e.g. 90s, 1m30s, "
		    "500ms, 2h)" },
		{ "t -redial-interval=10", "-redial-interval: '10' is not a "
		    "duration (expected a number and a unit, e.g. 90s, 1m30s, "
		    "500ms, 2h)" },
		{ "t -redial-interval=-1s", "-redial-interval: '-1s' is not a "
		    "duration (it must not be negative; expected a number and "
		    "a unit, e.g. 90s, 1m30s, 500ms, 2h)" },
		{ "t -v=2", "-v: '2' is not true or false (expected true or "
		    "false; also 1, 0, t, f)" },
		{ "t -pool-size=\"\x01", "-pool-size: '\\\"\\x01' is not a "
		    "number (expected a whole number from 0 to 1000)" },
		{ "t ---v", "bad flag syntax: ---v" },
		{ "t -=x", "bad flag syntax: -=x" },
	};
	char	*cause;
	int	 ind;
	size_t	 i;

	for (i = 0; i < nitems(errors); i++) {
		test_case("\"%s\"", errors[i].in);
		check_int(parse(errors[i].in, &ind, &cause), ==, -1);
		check_str(cause, errors[i].want);
		free(cause);
	}
	test_case_end();
}

static void
test_flag_values(void)
{
	char	*cause;
	int	 ind;

	check_int(parse("t -pool-size 0x10 -redial-interval 90s", &ind,
	    &cause), ==, 0);
	check_int(f_pool, ==, 16);
	check_int(f_redial, ==, 90000);
	check_int(parse("t -pool-size=+7", &ind, &cause), ==, 0);
	check_int(f_pool, ==, 7);
	check_int(parse("t -pool-size=1000", &ind, &cause), ==, 0);
	check_int(f_pool, ==, 1000);
}

static void
test_int_parse(void)
{
	long long	 v;
	char		*cause;

	check_int(opt_int_parse("42", 0, 100, &v, &cause), ==, 0);
	check_int(v, ==, 42);
	check_int(opt_int_parse("-9223372036854775808", LLONG_MIN, LLONG_MAX,
	    &v, &cause), ==, 0);
	check(v == LLONG_MIN);
	check_int(opt_int_parse("", 0, 100, &v, &cause), ==, -1);
	check_str(cause, "parse error");
	free(cause);
	check_int(opt_int_parse(" 4", 0, 100, &v, &cause), ==, -1);
	free(cause);
	check_int(opt_int_parse("4 ", 0, 100, &v, &cause), ==, -1);
	free(cause);
	check_int(opt_int_parse("9223372036854775808", LLONG_MIN, LLONG_MAX,
	    &v, &cause), ==, -1);
	check_str(cause, "value out of range -9223372036854775808.."
	    "9223372036854775807");
	free(cause);
}

struct dur {
	const char	*in;
	int64_t		 ms;		/* -1: error */
	const char	*err;		/* NULL: don't compare */
};

static void
test_durations(void)
{
	static const struct dur d[] = {
		{ "90s", 90000, NULL },
		{ "1m0s", 60000, NULL },
		{ "2h", 7200000, NULL },
		{ "1.5h", 5400000, NULL },
		{ "300ms", 300, NULL },
		{ "1h2m3s", 3723000, NULL },
		{ "1h2m3.5s", 3723500, NULL },
		{ "0", 0, NULL },
		{ "-0", 0, NULL },
		{ "+5s", 5000, NULL },
		{ "0s", 0, NULL },
		{ ".5s", 500, NULL },
		{ "5.s", 5000, NULL },
		{ "1.0000000000000000000000000000000000000001h", 3600000,
		    NULL },
		/* Go rounds this to 1s too (float64 scale). */
		{ "0.99999999999999999999999999999s", 1000, NULL },
		{ "1500us", 1, NULL },
		{ "1999\xc2\xb5s", 1, NULL },
		{ "2000\xce\xbcs", 2, NULL },
		{ "999999ns", 0, NULL },
		{ "1000000ns", 1, NULL },
		{ "2562047h", 9223369200000LL, NULL },
		{ "9223372036854775807ns", 9223372036854LL, NULL },
		{ "", -1, "time: invalid duration \"\"" },
		{ "-1s", -1, "time: invalid duration \"-1s\": must not be "
		    "negative" },
		{ "1x", -1, "time: unknown unit \"x\" in duration \"1x\"" },
		{ "1", -1, "time: missing unit in duration \"1\"" },
		{ "s", -1, "time: invalid duration \"s\"" },
		{ ".s", -1, "time: invalid duration \".s\"" },
		{ "1s ", -1, "time: unknown unit \"s \" in duration \"1s \"" },
		{ " 1s", -1, "time: invalid duration \" 1s\"" },
		{ "-", -1, "time: invalid duration \"-\"" },
		{ "9999999999h", -1, "time: invalid duration \"9999999999h\"" },
		{ "2562048h", -1, "time: invalid duration \"2562048h\"" },
		{ "9223372036854775808ns", -1, NULL },
		{ "99999999999999999999s", -1, NULL },
		{ "2562047h2562047h", -1, NULL },
		{ "1h\n", -1, "time: unknown unit \"h\\n\" in duration "
		    "\"1h\\n\"" },
	};
	size_t		 i;
	int64_t		 ms;
	char		*cause;
	int		 r;

	for (i = 0; i < nitems(d); i++) {
		ms = -7;
		cause = NULL;
		r = opt_duration_parse(d[i].in, &ms, &cause);
		if (d[i].ms >= 0) {
			if (r != 0 || ms != d[i].ms)
				printf("# duration \"%s\"\n", d[i].in);
			check_int(r, ==, 0);
			check_int(ms, ==, d[i].ms);
		} else {
			if (r != -1)
				printf("# duration \"%s\"\n", d[i].in);
			check_int(r, ==, -1);
			check_int(ms, ==, -7);
			check(cause != NULL);
			if (d[i].err != NULL)
				check_str(cause, d[i].err);
		}
		free(cause);
	}
}

static void
test_usage(void)
{
	const char	*want =
	    "  -controlAddr string\n"
	    "    \tControl address (default \":4442\")\n"
	    "  -log file\n"
	    "    \tWrite log messages to this file (default \"stdout\")\n"
	    "  -v\tVerbose\n"
	    "  -pool-size int\n"
	    "    \tPool size, 0 for no pool\n"
	    "  -redial-interval duration\n"
	    "    \tRedial interval (default 1m0s)\n";
	char		 buf[1024];
	FILE		*fp;
	size_t		 n;

	fp = tmpfile();
	check(fp != NULL);
	if (fp == NULL)
		return;
	opt_usage(fp, opts);
	rewind(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	check_str(buf, want);
}

/* Config callback: record "key=value;" pairs; key "bad" fails. */
static char	 got[8192];

static int
conf_cb(const char *key, const char *value, void *arg, char **cause)
{
	(void)arg;
	if (strcmp(key, "bad") == 0) {
		*cause = strdup("bad is not a key");
		return (-1);
	}
	strlcat(got, key, sizeof got);
	strlcat(got, "=", sizeof got);
	strlcat(got, value, sizeof got);
	strlcat(got, ";", sizeof got);
	return (0);
}

static int
conf(const char *text, char **cause)
{
	got[0] = '\0';
	*cause = NULL;
	return (opt_conf_parse(text, strlen(text), "~/.tentacler", conf_cb,
	    NULL, cause));
}

static void
test_conf_valid(void)
{
	char	*cause;

	check_int(conf(
	    "# tentacler config\n"
	    "\n"
	    "server_addr: hub.example.org:4442\n"
	    "  auth_token:   abc#def   # a comment\n"
	    "pool_size: 4\r\n"
	    "dial_info: \"a \\\"b\\\" \\\\ c\\td\\n\"  # quoted\n"
	    "name: 'lit \\n \"x\"'\n"
	    "empty:\n"
	    "empty2: \"\"\n"
	    "hash: #only a comment\n"
	    "server_addr : later:1\n"
	    "\t# indented comment\n"
	    "last: no newline", &cause), ==, 0);
	check_str(got,
	    "server_addr=hub.example.org:4442;"
	    "auth_token=abc#def;"
	    "pool_size=4;"
	    "dial_info=a \"b\" \\ c\td\n;"
	    "name=lit \\n \"x\";"
	    "empty=;"
	    "empty2=;"
	    "hash=;"
	    "server_addr=later:1;"
	    "last=no newline;");
	check(cause == NULL);

	check_int(conf("", &cause), ==, 0);
	check_str(got, "");
	check_int(conf("\xef\xbb\xbfk: v\n", &cause), ==, 0);
	check_str(got, "k=v;");
}

static void
test_conf_errors(void)
{
	static const struct ecase	 errors[] = {
		{ "# c\n\nserver_addr hub:4442\n",
		    "~/.tentacler:3: missing ':' after key \"server_addr\"" },
		{ "server_addr\n",
		    "~/.tentacler:1: missing ':' after key \"server_addr\"" },
		{ "a: 1\nserv@r: x\n",
		    "~/.tentacler:2: invalid character \"@\" in key" },
		{ ": x\n", "~/.tentacler:1: missing key before ':'" },
		{ "k: \"abc\n",
		    "~/.tentacler:1: unterminated quoted value for key \"k\"" },
		{ "k: 'abc\n",
		    "~/.tentacler:1: unterminated quoted value for key \"k\"" },
		{ "k: \"abc\\\"\n",
		    "~/.tentacler:1: unterminated quoted value for key \"k\"" },
		{ "k: \"a\\qb\"\n",
		    "~/.tentacler:1: unknown escape \\q in quoted value" },
		{ "\n\nk: \"abc\" def\n",
		    "~/.tentacler:3: unexpected \"def\" after quoted value" },
		{ "k: 'a'b\n",
		    "~/.tentacler:1: unexpected \"b\" after quoted value" },
		/* Last: the callback's own error (got: the line before). */
		{ "a: 1\nbad: 2\n", "~/.tentacler:2: bad is not a key" },
	};
	char	*big, *cause;
	size_t	 n, i;

	for (i = 0; i < nitems(errors); i++) {
		test_case_mem("config", errors[i].in, strlen(errors[i].in));
		check_int(conf(errors[i].in, &cause), ==, -1);
		check_str(cause, errors[i].want);
		free(cause);
	}
	test_case_end();
	check_str(got, "a=1;");

	check_int(conf("k: a\0b\n", &cause), ==, 0);	/* strlen stops */
	free(cause);
	got[0] = '\0';
	check_int(opt_conf_parse("a: 1\nk: a\0b\n", 11, "f", conf_cb, NULL,
	    &cause), ==, -1);
	check_str(cause, "f:2: NUL byte in line");
	free(cause);

	big = malloc(70 * 1024);
	memset(big, 'x', 70 * 1024);
	memcpy(big, "k: ", 3);
	big[4099] = '\n';			/* line 1: 4099 bytes */
	check_int(opt_conf_parse(big, 4100, "f", conf_cb, NULL, &cause),
	    ==, -1);
	check_str(cause, "f:1: line longer than 4096 bytes");
	free(cause);
	big[4096] = '\n';			/* exactly 4096: fine */
	got[0] = '\0';
	check_int(opt_conf_parse(big, 4097, "f", conf_cb, NULL, &cause),
	    ==, 0);
	check_int(strlen(got), ==, 4096 - 3 + 3);
	for (n = 0; n < 70 * 1024; n += 64)
		big[n] = '\n';
	check_int(opt_conf_parse(big, 64 * 1024 + 1, "f", conf_cb, NULL,
	    &cause), ==, -1);
	check_str(cause, "f: file larger than 65536 bytes");
	free(cause);
	free(big);
}

static void
test_conf_load(void)
{
	char	 path[] = "/tmp/opt-unit-XXXXXX";
	char	*cause = NULL;
	FILE	*fp;
	int	 fd;

	fd = mkstemp(path);
	check(fd != -1);
	if (fd == -1)
		return;
	fp = fdopen(fd, "w");
	fputs("server_addr: h:1\npool_size 3\n", fp);
	fclose(fp);
	got[0] = '\0';
	check_int(opt_conf_load(path, conf_cb, NULL, &cause), ==, -1);
	check(cause != NULL && strncmp(cause, path, strlen(path)) == 0);
	check(cause != NULL && strcmp(cause + strlen(path), ":2: missing "
	    "':' after key \"pool_size\"") == 0);
	check_str(got, "server_addr=h:1;");
	free(cause);
	unlink(path);

	check_int(opt_conf_load(path, conf_cb, NULL, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "No such file") != NULL);
	free(cause);
}

static void
test_conf_home(void)
{
	char	 path[512];
	char	*cause = NULL, *home;
	FILE	*fp;

	home = getenv("HOME");
	if (home == NULL || strlen(home) < 2 || access(home, W_OK) != 0) {
		printf("# skipped: no writable $HOME\n");
		return;
	}
	snprintf(path, sizeof path, "%s/.opt-unit-%ld", home, (long)getpid());
	fp = fopen(path, "w");
	check(fp != NULL);
	if (fp == NULL)
		return;
	fputs("k 1\n", fp);
	fclose(fp);
	check_int(opt_conf_load(path, conf_cb, NULL, &cause), ==, -1);
	check(cause != NULL && strncmp(cause, "~/.opt-unit-", 12) == 0);
	free(cause);
	unlink(path);
}

static void
list(const char *in, int max, int wantn, const char *want)
{
	char	 w[8][64], joined[600];
	char	*cause = NULL;
	int	 n, i;

	n = opt_list_split(in, w, max, &cause);
	check_int(n, ==, wantn);
	if (n < 0) {
		check_str(cause, want);
		free(cause);
		return;
	}
	joined[0] = '\0';
	for (i = 0; i < n; i++) {
		strlcat(joined, w[i], sizeof joined);
		strlcat(joined, "|", sizeof joined);
	}
	check_str(joined, want);
}

static void
test_list(void)
{
	list("a, b", 8, 2, "a|b|");
	list("a b", 8, 2, "a|b|");
	list("[a, b]", 8, 2, "a|b|");
	list("  [ilife,codertool ]  ", 8, 2, "ilife|codertool|");
	list("", 8, 0, "");
	list("[]", 8, 0, "");
	list(" , ", 8, 0, "");
	list("a,b,c", 2, -1, "too many list items (max 2)");
	list("[a, b", 8, -1, "missing ']' at the end of list \"[a, b\"");
	list("[", 8, -1, "missing ']' at the end of list \"[\"");
	list("a]", 8, -1, "unexpected \"]\" in list");
	list("a [b]", 8, -1, "unexpected \"[\" in list");
}

static void
test_list_long(void)
{
	char	 w[2][64], in[100];
	char	*cause = NULL;

	memset(in, 'x', 63);
	in[63] = '\0';
	check_int(opt_list_split(in, w, 2, &cause), ==, 1);
	check_int(strlen(w[0]), ==, 63);
	in[63] = 'x';
	in[64] = '\0';
	check_int(opt_list_split(in, w, 2, &cause), ==, -1);
	check(cause != NULL && strncmp(cause, "list item too long", 18) == 0);
	free(cause);
}

static void
test_value_set(void)
{
	static int		 i, b;
	static int64_t		 d;
	static const char	*str;
	struct opt		 o[] = {
		{ "pool_size", OPT_INT, &i, "", NULL, 0, 1024, 0 },
		{ "n", OPT_INT, &i, "", NULL, 0, 0, 0 },
		{ "insecure", OPT_BOOL, &b, "", NULL, 0, 0, 0 },
		{ "redial_timeout", OPT_DURATION, &d, "", NULL, 0, 0, 0 },
		{ "name", OPT_STRING, &str, "", NULL, 0, 0, 0 },
	};
	union opt_value		 v;
	char			*cause = NULL;

	check_int(opt_value_set(&o[0], "pool_size", "lots", &cause), ==, -1);
	check_str(cause, "pool_size: 'lots' is not a number (expected a "
	    "whole number from 0 to 1024)");
	free(cause);
	check_int(opt_value_set(&o[1], "n", "lots", &cause), ==, -1);
	check_str(cause, "n: 'lots' is not a number (expected a whole "
	    "number, e.g. 4)");
	free(cause);
	check_int(opt_value_set(&o[0], "pool_size", " 4", &cause), ==, -1);
	free(cause);
	check_int(opt_value_set(&o[2], "insecure", "yes", &cause), ==, -1);
	check_str(cause, "insecure: 'yes' is not true or false (expected "
	    "true or false; also 1, 0, t, f)");
	free(cause);
	check_int(opt_value_set(&o[3], "redial_timeout", "5", &cause), ==,
	    -1);
	check_str(cause, "redial_timeout: '5' is not a duration (expected a "
	    "number and a unit, e.g. 90s, 1m30s, 500ms, 2h)");
	free(cause);

	/* Good values land; o->set stays; check leaves ptr alone. */
	i = 7;
	check_int(opt_value_check(&o[0], "pool_size", "9", &cause), ==, 0);
	check_int(i, ==, 7);
	check_int(opt_value_check(&o[0], "pool_size", "x", &cause), ==, -1);
	free(cause);
	check_int(i, ==, 7);
	check_int(opt_value_set(&o[0], "pool_size", "0x10", NULL), ==, 0);
	check_int(i, ==, 16);
	check_int(o[0].set, ==, 0);
	check_int(opt_value_set(&o[2], "insecure", "true", NULL), ==, 0);
	check_int(b, ==, 1);
	check_int(opt_value_set(&o[3], "redial_timeout", "1m30s", NULL), ==,
	    0);
	check_int(d, ==, 90000);
	check_int(opt_value_set(&o[4], "name", "x", NULL), ==, 0);
	check_str(str, "x");

	/* get/put: a reload's way back to the defaults. */
	opt_value_get(&o[3], &v);
	d = 1;
	opt_value_put(&o[3], &v);
	check_int(d, ==, 90000);
	opt_value_get(&o[4], &v);
	str = NULL;
	opt_value_put(&o[4], &v);
	check_str(str, "x");
}

static void
test_conf_find(void)
{
	static const char *const same[] = { "controlAddr", "control_addr",
	    "control-addr", "CONTROLADDR", "controladdr", "_control__addr-" };
	size_t	 i;

	for (i = 0; i < nitems(same); i++) {
		test_case("%s", same[i]);
		check(opt_conf_find(opts, same[i]) == &opts[0]);
	}
	test_case_end();
	check(opt_conf_find(opts, "pool_size") == &opts[3]);
	check(opt_conf_find(opts, "POOL-SIZE") == &opts[3]);
	check(opt_conf_find(opts, "redial_interval") == &opts[4]);
	check(opt_conf_find(opts, "pool_siz") == NULL);
	check(opt_conf_find(opts, "pool_sizes") == NULL);
	check(opt_conf_find(opts, "") == NULL);
	check(opt_conf_find(opts, "_") == NULL);
	check(opt_conf_find(opts, "vv") == NULL);
}

/*
 * A file of flag-named keys as the hub reads it: each key to its flag,
 * checked; flags given on the command line keep their value.
 */
static char	*conf_vals[8];

static int
conf_opts_cb(const char *key, const char *value, void *arg __unused,
    char **cause)
{
	struct opt	*o;

	if ((o = opt_conf_find(opts, key)) == NULL) {
		*cause = strdup("unknown key");
		return (-1);
	}
	if (opt_value_check(o, key, value, cause) == -1)
		return (-1);
	free(conf_vals[o - opts]);
	conf_vals[o - opts] = strdup(value);
	return (0);
}

static void
test_conf_opts(void)
{
	char	*cause = NULL;
	int	 ind;
	size_t	 i;

	check_int(parse("t -pool-size 3", &ind, &cause), ==, 0);
	check_int(opt_conf_parse("control_addr: :9\npool_size: 5\n"
	    "redial-interval: 2m\nv: true\n", 58, "hub.conf", conf_opts_cb,
	    NULL, &cause), ==, 0);
	for (i = 0; opts[i].name != NULL; i++) {
		if (conf_vals[i] != NULL && !opts[i].set)
			check_int(opt_value_set(&opts[i], opts[i].name,
			    conf_vals[i], NULL), ==, 0);
	}
	check_str(f_addr, ":9");
	check_int(f_pool, ==, 3);		/* the flag wins */
	check_int(f_redial, ==, 120000);
	check_int(f_verbose, ==, 1);
	for (i = 0; i < nitems(conf_vals); i++) {
		free(conf_vals[i]);
		conf_vals[i] = NULL;
	}

	check_int(opt_conf_parse("# limits\n\npool_size: lots\n", 26,
	    "hub.conf", conf_opts_cb, NULL, &cause), ==, -1);
	check_str(cause, "hub.conf:3: pool_size: 'lots' is not a number "
	    "(expected a whole number from 0 to 1000)");
	free(cause);
	check_int(opt_conf_parse("v: maybe\n", 9, "hub.conf", conf_opts_cb,
	    NULL, &cause), ==, -1);
	check_str(cause, "hub.conf:1: v: 'maybe' is not true or false "
	    "(expected true or false; also 1, 0, t, f)");
	free(cause);
	for (i = 0; i < nitems(conf_vals); i++) {
		free(conf_vals[i]);
		conf_vals[i] = NULL;
	}
}

int
main(void)
{
	TEST(test_flag_forms(), "flags: -n v, -n=v, --n v, --n=v");
	TEST(test_flag_bool(), "flags: bools never take the next argument");
	TEST(test_flag_stop(), "flags: --, lone -, first non-flag");
	TEST(test_flag_help(), "flags: -h, -help, --help");
	TEST(test_flag_errors(), "flags: errors name the flag and the type");
	TEST(test_value_set(), "values: key, value and type in errors");
	TEST(test_conf_find(), "config keys: flag names, case, - and _");
	TEST(test_conf_opts(), "config: a flag table's file, flag beats file");
	TEST(test_flag_values(), "flags: int and duration values");
	TEST(test_int_parse(), "opt_int_parse: range and syntax");
	TEST(test_durations(), "durations: Go syntax, errors, overflow");
	TEST(test_usage(), "usage: like flag.PrintDefaults");
	TEST(test_conf_valid(), "config: comments, quotes, escapes, dups");
	TEST(test_conf_errors(), "config: errors with line numbers, limits");
	TEST(test_conf_load(), "config: load from a file");
	TEST(test_conf_home(), "config: $HOME shown as ~");
	TEST(test_list(), "lists: separators, brackets, errors");
	TEST(test_list_long(), "lists: 63-byte words, longer is an error");
	return (test_done());
}
