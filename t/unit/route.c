/*
 * t/unit/route.c: unit tests for modules/route.c: every key, the empty
 * route, and each error (unknown key, duplicate key, missing or empty
 * value, bad character, too long, sesstime range, sesstime or strict
 * without a session).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "tap.h"

static void
test_ok(void)
{
	struct route	 r;
	char		 why[ROUTE_WHY_MAX];

	check_int(route_parse("", &r, why, sizeof why), ==, 0);
	check(route_empty(&r));
	check_int(route_parse("pool-ilife", &r, why, sizeof why), ==, 0);
	check_str(r.pool, "ilife");
	check(!route_empty(&r));
	check_int(route_parse("pool-ilife-node-n1.x-session-a1b2-sesstime-30"
	    "-strict", &r, why, sizeof why), ==, 0);
	check_str(r.pool, "ilife");
	check_str(r.node, "n1.x");
	check_str(r.session, "a1b2");
	check_int(r.sesstime_min, ==, 30);
	check_int(r.strict, ==, 1);
	/* Any order. */
	check_int(route_parse("session-S_1-strict-node-a", &r, why,
	    sizeof why), ==, 0);
	check_str(r.session, "S_1");
	check_str(r.node, "a");
	check_int(r.strict, ==, 1);
	check_int(r.sesstime_min, ==, 0);
	check_int(route_parse("session-x-sesstime-1440", &r, why, sizeof why),
	    ==, 0);
	check_int(r.sesstime_min, ==, 1440);
	check_int(route_parse("session-x-sesstime-1", &r, why, sizeof why),
	    ==, 0);
	check_int(r.sesstime_min, ==, 1);
}

/* route_parse refuses params with a reason containing reason. */
static void
bad(const char *params, const char *reason)
{
	struct route	 r;
	char		 why[ROUTE_WHY_MAX];

	check_int(route_parse(params, &r, why, sizeof why), ==, -1);
	if (strstr(why, reason) == NULL) {
		printf("# %s: got \"%s\", want \"%s\"\n", params, why, reason);
		check(0);
	}
}

static void
test_errors(void)
{
	static const struct {
		const char	*params;
		const char	*reason;
	} errors[] = {
		{ "color-red", "unknown routing key \"color\"" },
		{ "Pool-x", "unknown routing key" },
		{ "pool", "without a value: \"pool\"" },
		{ "pool-", "without a value" },
		{ "pool--node-x", "without a value" },
		{ "-pool-x", "empty routing parameter" },
		{ "pool-x-", "empty routing parameter" },
		{ "strict-", "empty routing parameter" },
		{ "pool-x-pool-y", "twice: \"pool\"" },
		{ "session-a-strict-strict", "twice: \"strict\"" },
		/*
		 * A session id with a hyphen: the rest reads as an unknown
		 * key.
		 */
		{ "session-a-b", "unknown routing key \"b\"" },
		{ "session-a-sesstime-0", "1 to 1440" },
		{ "session-a-sesstime-1441", "1 to 1440" },
		{ "session-a-sesstime-9999", "1 to 1440" },
		{ "session-a-sesstime-12x", "1 to 1440" },
		{ "session-a-sesstime-99999", "value too long" },
		{ "sesstime-5", "sesstime without a session" },
		{ "strict", "strict without a session" },
		{ "pool-a/b", "bad character" },
		{ "pool-a b", "bad character" },
	};
	char	 longv[200];
	size_t	 i;

	for (i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		test_case("\"%s\"", errors[i].params);
		bad(errors[i].params, errors[i].reason);
	}
	test_case_end();
	memset(longv, 'a', sizeof longv);
	memcpy(longv, "pool-", 5);
	longv[5 + 32] = '\0';
	bad(longv, "value too long for \"pool\"");
	longv[5 + 31] = '\0';
	{
		struct route	 r;
		char		 why[ROUTE_WHY_MAX];

		check_int(route_parse(longv, &r, why, sizeof why), ==, 0);
		check_int(strlen(r.pool), ==, 31);
	}
}

static void
test_why_safe(void)
{
	struct route	 r;
	char		 why[ROUTE_WHY_MAX];

	/* Peer bytes are quoted only when harmless. */
	check_int(route_parse("a\"b-x", &r, why, sizeof why), ==, -1);
	check(strchr(why, '"') == NULL);
	check_int(route_parse("pool-x", &r, NULL, 0), ==, 0);
	check_int(route_parse("nope", &r, NULL, 0), ==, -1);
	check_int(route_parse("nope", &r, why, 4), ==, -1);
	check_int(strlen(why), ==, 3);
}

/* route_name_valid, route_name_from_host: what -node-/-pool- can name. */
static void
test_names(void)
{
	char	 out[ROUTE_NODE_MAX + 1], longname[100];
	struct route	 r;
	char		 why[ROUTE_WHY_MAX];

	check(route_name_valid("my_router", ROUTE_NODE_MAX));
	check(route_name_valid("n1.example", ROUTE_NODE_MAX));
	check(!route_name_valid("my-router", ROUTE_NODE_MAX));
	check(!route_name_valid("", ROUTE_NODE_MAX));
	check(!route_name_valid("a b", ROUTE_NODE_MAX));
	check(route_name_valid("abc", 3));
	check(!route_name_valid("abcd", 3));
	check_int(route_name_from_host("my-router", out), ==, 1);
	check_str(out, "my_router");
	/* What it makes, the syntax routes. */
	check_int(route_parse("node-my_router", &r, why, sizeof why), ==, 0);
	check_str(r.node, out);
	check_int(route_name_from_host("plain.host", out), ==, 0);
	check_str(out, "plain.host");
	check_int(route_name_from_host("a+b-c", out), ==, 1);
	check_str(out, "ab_c");
	check_int(route_name_from_host("---", out), ==, 1);
	check_str(out, "___");
	check_int(route_name_from_host("+++", out), ==, 1);
	check_str(out, "");
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	check_int(route_name_from_host(longname, out), ==, 1);
	check_int(strlen(out), ==, ROUTE_NODE_MAX);
	check(route_name_valid(out, ROUTE_NODE_MAX));
}

int
main(void)
{
	TEST(test_ok(), "route_parse: every key, any order, empty");
	TEST(test_errors(), "route_parse: every error has its reason");
	TEST(test_why_safe(), "route_parse: reason is peer-safe and bounded");
	TEST(test_names(), "route_name_valid, route_name_from_host");
	return (test_done());
}
