/*
 * route.h: routing parameters in the proxy user name (doc/routing.md).
 * A pure parser: no sockets, no event loop, no allocation.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>

#define ROUTE_POOL_MAX		31	/* FRAME_POOL_MAX */
#define ROUTE_NODE_MAX		63	/* FRAME_NAME_MAX */
#define ROUTE_SESSION_MAX	64
#define ROUTE_SESSTIME_DEFAULT	10	/* minutes */
#define ROUTE_SESSTIME_MAX	1440	/* minutes: 24 h */
#define ROUTE_WHY_MAX		128

struct route {
	char		 pool[ROUTE_POOL_MAX + 1];	/* "" = any node */
	char		 node[ROUTE_NODE_MAX + 1];	/* "" = any */
	char		 session[ROUTE_SESSION_MAX + 1];	/* "" = none */
	int		 sesstime_min;	/* 0 = not given (default applies) */
	int		 strict;
	/*
	 * Not parsed: the front sets it for a user whose password was
	 * checked, so the hub picks only nodes in the user's pools= (the
	 * users file; doc/users.md).
	 */
	int		 acct_pools;
};

/*
 * Parse params, the text after the first '-' of the user name
 * ("pool-ilife-session-a1b2"; "" gives an empty route).  Returns 0, or -1
 * with a one-line reason in why (ROUTE_WHY_MAX bytes; peer-safe: it only
 * quotes bytes from [A-Za-z0-9._]).
 */
int		 route_parse(const char *params, struct route *r, char *why,
		    size_t whylen);
/* 1 when r selects nothing (no pool, node or session). */
int		 route_empty(const struct route *r);
/*
 * Can the user name syntax route to this node or pool name: 1 to max of
 * A-Z a-z 0-9 . _ (a '-' separates the keys, so never inside a value)?
 */
int		 route_name_valid(const char *name, size_t max);
/*
 * A routable name (ROUTE_NODE_MAX at most) from a host name: '-' becomes
 * '_', other characters outside A-Z a-z 0-9 . _ are left out; "" when
 * nothing is left.  out has ROUTE_NODE_MAX + 1 bytes.  Returns 1 when the
 * result differs from host.
 */
int		 route_name_from_host(const char *host, char *out);

#endif /* ROUTE_H */
