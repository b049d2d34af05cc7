/*
 * t/fuzz/conf.c: libFuzzer target for modules/opt.c's parsers of untrusted
 * text: the config file (opt_conf_parse), Go durations, ints, bools, list
 * values and the command line (opt_parse, input split at newlines).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "compat.h"
#include "opt.h"

#define FUZZ_MAX	(70 * 1024)

/*
 * A key as the hub reads it: the flag it names (case, - and _ ignored),
 * its value checked; an error names the key as written.
 */
static void
fuzz_key(const char *key, const char *value)
{
	static const char	*str;
	static int		 bl, in;
	static int64_t		 dur;
	static struct opt	 opts[] = {
		{ "controlAddr", OPT_STRING, &str, "string", NULL, 0, 0, 0 },
		{ "insecure", OPT_BOOL, &bl, "bool", NULL, 0, 0, 0 },
		{ "max-clients", OPT_INT, &in, "int", NULL, 0, 65535, 0 },
		{ "dial-timeout", OPT_DURATION, &dur, "duration", NULL, 0, 0,
		    0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};
	struct opt	*o;
	char		*why = NULL;
	int		 r;

	if ((o = opt_conf_find(opts, key)) == NULL)
		return;
	r = opt_value_check(o, key, value, &why);
	if ((r == -1) != (why != NULL))
		abort();
	if (why != NULL && (strncmp(why, key, strlen(key)) != 0 ||
	    why[strlen(key)] != ':'))
		abort();
	free(why);
}

/* Keys must be [A-Za-z0-9_-]+; a key starting with 'x' fails the parse. */
static int
fuzz_conf_cb(const char *key, const char *value, void *arg, char **cause)
{
	const char	*p;
	size_t		*count = arg;

	if (*key == '\0' || strlen(value) > 4096)
		abort();
	for (p = key; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			abort();
	}
	(*count)++;
	fuzz_key(key, value);
	if (*key == 'x') {
		*cause = strdup("x keys are refused");
		return (-1);
	}
	return (0);
}

static void
fuzz_values(const char *s)
{
	char		 words[8][64];
	char		*cause = NULL;
	int64_t		 ms;
	long long	 ll;
	int		 b, n, i;

	if (opt_duration_parse(s, &ms, &cause) == 0) {
		if (ms < 0 || cause != NULL)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	if (opt_int_parse(s, -1000, 1000, &ll, &cause) == 0) {
		if (ll < -1000 || ll > 1000)
			abort();
	} else
		free(cause);
	cause = NULL;
	(void)opt_bool_parse(s, &b);
	n = opt_list_split(s, words, 8, &cause);
	if (n < 0)
		free(cause);
	else if (n > 8)
		abort();
	for (i = 0; i < n; i++) {
		if (strlen(words[i]) == 0 || strlen(words[i]) > 63)
			abort();
	}
}

static void
fuzz_argv(char *s)
{
	static const char	*str;
	static int		 bl, in;
	static int64_t		 dur;
	struct opt	 opts[] = {
		{ "s", OPT_STRING, &str, "string", NULL, 0, 0, 0 },
		{ "b", OPT_BOOL, &bl, "bool", NULL, 0, 0, 0 },
		{ "i", OPT_INT, &in, "int", NULL, 0, 65535, 0 },
		{ "d", OPT_DURATION, &dur, "duration", NULL, 0, 0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};
	char	*argv[34], *p, *cause = NULL;
	int	 argc = 1, ind = 1, r;

	argv[0] = "fuzz";
	for (p = strtok(s, "\n"); p != NULL && argc < 33;
	    p = strtok(NULL, "\n"))
		argv[argc++] = p;
	argv[argc] = NULL;
	r = opt_parse(opts, argc, argv, &ind, &cause);
	if (ind < 1 || ind > argc)
		abort();
	if (r == -1 && cause == NULL)
		abort();
	if (r != -1 && cause != NULL)
		abort();
	free(cause);
	if (opts[2].set && (in < 0 || in > 65535))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *cause = NULL;
	size_t	 count = 0;
	int	 r;

	if (size > FUZZ_MAX)
		return (0);
	r = opt_conf_parse((const char *)data, size, "fuzz", fuzz_conf_cb,
	    &count, &cause);
	if ((r == -1) != (cause != NULL))
		abort();
	if (cause != NULL && strncmp(cause, "fuzz:", 5) != 0)
		abort();
	free(cause);

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	if (size <= 512)
		fuzz_values(s);
	fuzz_argv(s);
	free(s);
	return (0);
}
