/*
 * t/fuzz/route.c: libFuzzer target for modules/route.c.  The input is the
 * routing part of a user name; the parser must return 0 or -1, fill a
 * terminated reason on -1, and keep every field within its bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

#define FUZZ_MAX	512

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route	 r;
	char		*s, why[ROUTE_WHY_MAX];
	int		 rc;

	if (size > FUZZ_MAX)
		return (0);
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	memset(why, 'x', sizeof why);
	rc = route_parse(s, &r, why, sizeof why);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && (memchr(why, '\0', sizeof why) == NULL ||
	    why[0] == '\0'))
		abort();
	if (rc == 0) {
		if (strlen(r.pool) > ROUTE_POOL_MAX ||
		    strlen(r.node) > ROUTE_NODE_MAX ||
		    strlen(r.session) > ROUTE_SESSION_MAX ||
		    r.sesstime_min < 0 ||
		    r.sesstime_min > ROUTE_SESSTIME_MAX ||
		    (r.strict && r.session[0] == '\0') ||
		    strchr(r.session, '-') != NULL)
			abort();
	}
	free(s);
	return (0);
}
