/*
 * route.c: parse the routing parameters of a proxy user name
 * (doc/routing.md): BASE[-pool-NAME][-node-NAME][-session-ID]
 * [-sesstime-MINUTES][-strict].  auth_user_parse() has split off BASE;
 * this sees the rest, verbatim.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "route.h"

#define ROUTE_KEY_POOL		0x01
#define ROUTE_KEY_NODE		0x02
#define ROUTE_KEY_SESSION	0x04
#define ROUTE_KEY_SESSTIME	0x08
#define ROUTE_KEY_STRICT	0x10

static int	route_fail(char *, size_t, const char *, const char *,
		    size_t);
static int	route_key_find(const char *, size_t);
static int	route_value_set(struct route *, int, const char *, size_t,
		    char *, size_t);

static const struct {
	const char	*name;
	int		 bit;
	size_t		 max;		/* value length; 0: takes no value */
} route_keys[] = {
	{ "pool", ROUTE_KEY_POOL, ROUTE_POOL_MAX },
	{ "node", ROUTE_KEY_NODE, ROUTE_NODE_MAX },
	{ "session", ROUTE_KEY_SESSION, ROUTE_SESSION_MAX },
	{ "sesstime", ROUTE_KEY_SESSTIME, 4 },
	{ "strict", ROUTE_KEY_STRICT, 0 },
};

static int
route_value_ok(const char *v, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '.' || v[i] == '_'))
			return (0);
	}
	return (1);
}

/* "what" plus the token, quoted when it is printable; returns -1. */
static int
route_fail(char *why, size_t whylen, const char *what, const char *tok,
    size_t toklen)
{
	if (tok == NULL || toklen > 32 || !route_value_ok(tok, toklen))
		snprintf(why, whylen, "%s", what);
	else
		snprintf(why, whylen, "%s \"%.*s\"", what, (int)toklen, tok);
	return (-1);
}

/* The index of the key (klen bytes) in route_keys, or -1. */
static int
route_key_find(const char *key, size_t klen)
{
	size_t	 i;

	for (i = 0; i < sizeof route_keys / sizeof route_keys[0]; i++) {
		if (strlen(route_keys[i].name) == klen &&
		    memcmp(route_keys[i].name, key, klen) == 0)
			return ((int)i);
	}
	return (-1);
}

/* Store val (vlen bytes) for the key with this bit; -1: bad sesstime. */
static int
route_value_set(struct route *r, int bit, const char *val, size_t vlen,
    char *why, size_t whylen)
{
	size_t	 i;
	int	 minutes;

	switch (bit) {
	case ROUTE_KEY_SESSTIME:
		minutes = 0;
		for (i = 0; i < vlen && minutes >= 0; i++) {
			if (val[i] < '0' || val[i] > '9')
				minutes = -1;
			else
				minutes = minutes * 10 + (val[i] - '0');
		}
		if (minutes < 1 || minutes > ROUTE_SESSTIME_MAX)
			return (route_fail(why, whylen, "sesstime must "
			    "be minutes, 1 to 1440:", val, vlen));
		r->sesstime_min = minutes;
		break;
	case ROUTE_KEY_POOL:
		memcpy(r->pool, val, vlen);
		r->pool[vlen] = '\0';
		break;
	case ROUTE_KEY_NODE:
		memcpy(r->node, val, vlen);
		r->node[vlen] = '\0';
		break;
	case ROUTE_KEY_SESSION:
		memcpy(r->session, val, vlen);
		r->session[vlen] = '\0';
		break;
	}
	return (0);
}

/* see route.h */
int
route_parse(const char *params, struct route *r, char *why, size_t whylen)
{
	const char	*p = params, *key, *val, *end;
	size_t		 klen, vlen;
	int		 seen = 0, i;

	memset(r, 0, sizeof *r);
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (*p == '\0')
		return (0);
	for (;;) {
		key = p;
		end = strchr(key, '-');
		klen = end != NULL ? (size_t)(end - key) : strlen(key);
		if (klen == 0)
			return (route_fail(why, whylen, "empty routing "
			    "parameter (two '-' in a row, or a '-' at the end)",
			    NULL, 0));
		if ((i = route_key_find(key, klen)) == -1)
			return (route_fail(why, whylen, "unknown routing key",
			    key, klen));
		if (seen & route_keys[i].bit)
			return (route_fail(why, whylen, "routing key given "
			    "twice:", key, klen));
		seen |= route_keys[i].bit;
		if (route_keys[i].max == 0) {
			r->strict = 1;
			if (end == NULL)
				break;
			p = end + 1;
			continue;
		}
		if (end == NULL || end[1] == '\0' || end[1] == '-')
			return (route_fail(why, whylen, "routing key without "
			    "a value:", key, klen));
		val = end + 1;
		end = strchr(val, '-');
		vlen = end != NULL ? (size_t)(end - val) : strlen(val);
		if (!route_value_ok(val, vlen))
			return (route_fail(why, whylen, "bad character in the "
			    "value of", key, klen));
		if (vlen > route_keys[i].max)
			return (route_fail(why, whylen, "value too long for",
			    key, klen));
		if (route_value_set(r, route_keys[i].bit, val, vlen, why,
		    whylen) == -1)
			return (-1);
		if (end == NULL)
			break;
		p = end + 1;
	}
	if ((seen & ROUTE_KEY_SESSTIME) && !(seen & ROUTE_KEY_SESSION))
		return (route_fail(why, whylen, "sesstime without a session",
		    NULL, 0));
	if ((seen & ROUTE_KEY_STRICT) && !(seen & ROUTE_KEY_SESSION))
		return (route_fail(why, whylen, "strict without a session",
		    NULL, 0));
	return (0);
}

/* see route.h */
int
route_empty(const struct route *r)
{
	return (r->pool[0] == '\0' && r->node[0] == '\0' &&
	    r->session[0] == '\0');
}

/* see route.h */
int
route_name_valid(const char *name, size_t max)
{
	size_t	 len = strlen(name);

	return (len >= 1 && len <= max && route_value_ok(name, len));
}

/* see route.h */
int
route_name_from_host(const char *host, char *out)
{
	size_t	 i, o = 0;
	char	 c;

	for (i = 0; host[i] != '\0' && o < ROUTE_NODE_MAX; i++) {
		c = host[i] == '-' ? '_' : host[i];
		if (route_value_ok(&c, 1))
			out[o++] = c;
	}
	out[o] = '\0';
	return (host[i] != '\0' || strcmp(host, out) != 0);
}
