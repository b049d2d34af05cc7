/*
 * version.c: `tentacle version` and the version string others print.
 * Owns what the build recorded about itself (config.h); nothing else.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "tentacle.h"
#include "gitrev.h"		/* Makefile: the revision when built */

#ifdef GIT_REV_BUILD
#undef GIT_REV
#define GIT_REV		GIT_REV_BUILD
#endif
#define VERSION_STRING	TENTACLE_NAME " " VERSION " (" GIT_REV ")"

static void	 version_usage(FILE *);

/* see tentacle.h */
const char *
version_string(void)
{
	return (VERSION_STRING);
}

static void
version_usage(FILE *f)
{
	fprintf(f, "usage: %s version\n", TENTACLE_NAME);
}

/*
 * Four lines, like `curl --version`: who we are, the target and C library,
 * the libraries we run on, how we were built.
 */
int
version_main(int argc, char **argv)
{
	const char	*rt;

	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "-help") == 0 ||
		    strcmp(argv[1], "--help") == 0) {
			version_usage(stdout);
			return (0);
		}
		fprintf(stderr, "%s version: unexpected argument: %s\n",
		    TENTACLE_NAME, argv[1]);
		version_usage(stderr);
		return (1);
	}

	rt = event_get_version();
	printf("%s\n", VERSION_STRING);
	printf("%s, %s, %s\n", BUILD_TARGET, BUILD_LIBC,
	    TENTACLE_STATIC ? "static" : "dynamic");
	if (strcmp(rt, LIBEVENT_VERSION) == 0)
		printf("libevent %s, BearSSL %s\n", rt, BEARSSL_VERSION);
	else
		printf("libevent %s (built with %s), BearSSL %s\n", rt,
		    LIBEVENT_VERSION, BEARSSL_VERSION);
	printf("built with %s %s\n", BUILD_CC, BUILD_CFLAGS);
	return (0);
}
