/*
 * t/unit/hub_metrics.c: unit tests for modules/hub_metrics.c on a hub
 * made up here (struct hub and the counters it reads from other files are
 * stubs): the values and labels written, label escapes, nodes that share
 * a name, the node and pool caps, and every output through the strict
 * checker t/helper/promcheck (and promtool check metrics when installed).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "hub.h"
#include "tap.h"

struct hub	 hub;

/* The counters other files keep, as this test sets them. */
static u_int	 stub_relays, stub_clients, stub_links;
static struct auth_stats stub_auth;

u_int
relay_count(void)
{
	return (stub_relays);
}

u_int
limit_total(void)
{
	return (stub_clients);
}

u_int
limit_link_total(void)
{
	return (stub_links);
}

void
auth_stats(struct auth_stats *as)
{
	*as = stub_auth;
}

/* Counted proxy users (hub_acct.c), as this test makes them. */
static u_int	 stub_nusers;

void
hub_acct_walk(void (*cb)(const char *, const struct acct_usage *, uint64_t,
    uint64_t, void *), void *arg)
{
	struct acct_usage	 u;
	char			 name[32];
	u_int			 i;

	for (i = 0; i < stub_nusers; i++) {
		memset(&u, 0, sizeof u);
		u.total_up = 1000 + i;
		u.total_down = 2000 + i;
		u.day_up = 10;
		u.day_down = 20 + i;
		u.month_up = 100;
		u.month_down = 200 + i;
		snprintf(name, sizeof name, i == 1 ? "b\"ob" : "u%04u", i);
		cb(name, &u, 0, 0, arg);
	}
}

u_int
limit_user_count(const char *name)
{
	return (strcmp(name, "u0000") == 0 ? 3 : 0);
}

const char *
version_string(void)
{
	return ("tentacle " VERSION " (abc1234)");
}

static char	*text;		/* the last hub_metrics_write(), NUL ended */
static double	 write_ms;	/* ... and how long it took */

/* Forget every node and counter. */
static void
hub_reset(void)
{
	struct node	*n;
	struct parked	*pk;

	while ((n = TAILQ_FIRST(&hub.nodes)) != NULL) {
		TAILQ_REMOVE(&hub.nodes, n, n_entry);
		free(n);
	}
	while ((pk = TAILQ_FIRST(&hub.parked)) != NULL) {
		TAILQ_REMOVE(&hub.parked, pk, pk_entry);
		free(pk);
	}
	memset(&hub, 0, sizeof hub);
	TAILQ_INIT(&hub.nodes);
	TAILQ_INIT(&hub.parked);
	stub_relays = stub_clients = stub_links = 0;
	memset(&stub_auth, 0, sizeof stub_auth);
}

static struct node *
node_add(uint32_t id, const char *name, const char *pool)
{
	struct node	*n;

	if ((n = calloc(1, sizeof *n)) == NULL)
		abort();
	n->n_id = id;
	strlcpy(n->n_hello.name, name, sizeof n->n_hello.name);
	if (pool != NULL) {
		strlcpy(n->n_hello.pools[0], pool,
		    sizeof n->n_hello.pools[0]);
		n->n_hello.npools = 1;
	}
	strlcpy(n->n_hello.os, "linux", sizeof n->n_hello.os);
	strlcpy(n->n_hello.arch, "amd64", sizeof n->n_hello.arch);
	strlcpy(n->n_hello.build, "0.1.0", sizeof n->n_hello.build);
	TAILQ_INSERT_TAIL(&hub.nodes, n, n_entry);
	hub.nnodes++;
	return (n);
}

static struct parked *
parked_add(uint32_t id, const char *name, const char *pool, int redialing)
{
	struct parked	*pk;

	if ((pk = calloc(1, sizeof *pk)) == NULL)
		abort();
	pk->pk_id = id;
	strlcpy(pk->pk_hello.name, name, sizeof pk->pk_hello.name);
	strlcpy(pk->pk_hello.pools[0], pool, sizeof pk->pk_hello.pools[0]);
	pk->pk_hello.npools = 1;
	pk->pk_keep.pending_us = redialing ? 12345 : 0;
	TAILQ_INIT(&pk->pk_relays);
	TAILQ_INSERT_TAIL(&hub.parked, pk, pk_entry);
	hub.nparked++;
	return (pk);
}

/*
 * Write the metrics into text; 1 when t/helper/promcheck (and promtool,
 * when there is one) accept them.
 */
static int
scrape(void)
{
	struct evbuffer	*out;
	const char	*helpers = getenv("TENTACLE_HELPERS");
	char		 path[] = "/tmp/hub_metrics.XXXXXX", cmd[2048];
	struct timespec	 t0, t1;
	size_t		 len;
	FILE		*fp;
	int		 fd, ok;

	free(text);
	if ((out = evbuffer_new()) == NULL)
		abort();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hub_metrics_write(out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	write_ms = (t1.tv_sec - t0.tv_sec) * 1e3 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e6;
	len = evbuffer_get_length(out);
	if ((text = malloc(len + 1)) == NULL)
		abort();
	evbuffer_remove(out, text, len);
	text[len] = '\0';
	evbuffer_free(out);

	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		abort();
	fwrite(text, 1, len, fp);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "'%s/promcheck' '%s' && { ! command -v "
	    "promtool >/dev/null || promtool check metrics <'%s'; }",
	    helpers != NULL ? helpers : "t/helper", path, path);
	ok = system(cmd) == 0;
	if (!ok)
		printf("# refused; the text:\n%s", text);
	unlink(path);
	return (ok);
}

/* Is line (without its line feed) one of text's lines? */
static int
has_line(const char *line)
{
	const char	*p = text;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return (1);
		p += n;
	}
	printf("# no line: %s\n", line);
	return (0);
}

/* Lines of text that start with prefix. */
static int
count_lines(const char *prefix)
{
	const char	*p = text;
	int		 count = 0;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 :
	    NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			count++;
	}
	return (count);
}

static void
test_empty(void)
{
	char	 line[256];

	hub_reset();
	hub.started = time(NULL);
	check(scrape());
	snprintf(line, sizeof line, "tentacle_build_info{version=\"%s\","
	    "revision=\"abc1234\",libevent=\"%s\"} 1", VERSION,
	    event_get_version());
	check(has_line(line));
	check(strstr(text, "\ntentacle_start_time_seconds 1") != NULL);
	check(has_line("tentacle_nodes_connected 0"));
	check(has_line("tentacle_metrics_nodes_omitted 0"));
	check(has_line("# TYPE tentacle_nodes gauge"));
	check_int(count_lines("tentacle_nodes{"), ==, 0);
	check_int(count_lines("tentacle_node_"), ==, 0);
	check(text[strlen(text) - 1] == '\n');
}

/*
 * Nodes their host paused: state paused, or drained (the operator's
 * state first) and counted paused all the same.
 */
static void
test_paused(void)
{
	struct node	*n;

	hub_reset();
	n = node_add(1, "phone", "alpha");
	n->n_paused = 1;
	strlcpy(n->n_paused_why, "metered network", sizeof n->n_paused_why);
	n = node_add(2, "tablet", "alpha");
	n->n_paused = 1;
	n->n_keep.drain = 1;
	node_add(3, "pc", "alpha");
	check(scrape());
	check(has_line("tentacle_nodes_paused 2"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"up\"} 1"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"paused\"} 1"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"drained\"} 1"));
	check(has_line("tentacle_node_paused{id=\"1\",node=\"phone\"} 1"));
	check(has_line("tentacle_node_paused{id=\"2\",node=\"tablet\"} 1"));
	check(has_line("tentacle_node_paused{id=\"3\",node=\"pc\"} 0"));
}

static void
test_fleet(void)
{
	struct node	*n;
	struct parked	*pk;

	hub_reset();
	stub_relays = 5;
	stub_clients = 6;
	stub_links = 2;
	stub_auth.pbkdf2 = 11;
	stub_auth.limited = 3;
	hub.guard.hs_refused = 7;
	hub.guard.admin_refused = 4;

	n = node_add(1, "n1", "alpha");
	n->n_bytes.up = 100;
	n->n_bytes.down = 2000;
	n->n_rtt_us = 1500;
	n->n_dials_ok = 3;
	n->n_dials_failed = 1;
	n->n_dials_denied = 2;
	n->n_nspares = 4;
	n->n_nrelays = 1;
	n->n_since = 1700000000;
	/* The same name on another node (names may repeat; ids do not). */
	n = node_add(2, "n1", "beta");
	n->n_keep.drain = 1;
	n->n_rtt_us = 2000000;
	n->n_keep.redials = 5;
	n->n_keep.redials_same = 1;
	n->n_keep.last_redial = 1700000100;
	n = node_add(3, "n3", "alpha");
	strlcpy(n->n_hello.pools[1], "beta", sizeof n->n_hello.pools[1]);
	n->n_hello.npools = 2;
	n->n_redial = REDIAL_DRAIN;
	/* What a peer's build and os could hold, and what they cannot. */
	strlcpy(n->n_hello.build, "x\"y\\z", sizeof n->n_hello.build);
	strlcpy(n->n_hello.os, "a\nb\x80", sizeof n->n_hello.os);
	n->n_hello.redial = FRAME_REDIAL_COMMAND;
	pk = parked_add(9, "gone", "alpha", 1);
	pk->pk_nrelays = 2;
	parked_add(10, "left", "gamma", 0);	/* not redialing: not shown */

	check(scrape());
	check(has_line("tentacle_relays 5"));
	check(has_line("tentacle_clients 6"));
	check(has_line("tentacle_handshakes 2"));
	check(has_line("tentacle_handshakes_refused_total 7"));
	check(has_line("tentacle_admin_refused_total 4"));
	check(has_line("tentacle_auth_hashes_total 11"));
	check(has_line("tentacle_auth_limited_total 3"));
	check(has_line("tentacle_nodes_connected 3"));

	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"up\"} 1"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"drained\"} 0"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"draining\"} 1"));
	check(has_line("tentacle_nodes{pool=\"alpha\",state=\"redialing\"} "
	    "1"));
	check(has_line("tentacle_nodes{pool=\"beta\",state=\"up\"} 0"));
	check(has_line("tentacle_nodes{pool=\"beta\",state=\"drained\"} 1"));
	check(has_line("tentacle_nodes{pool=\"beta\",state=\"draining\"} 1"));
	check(has_line("tentacle_nodes{pool=\"beta\",state=\"paused\"} 0"));
	check_int(count_lines("tentacle_nodes{pool=\"gamma\""), ==, 0);
	check_int(count_lines("tentacle_nodes{"), ==, 10);
	check(has_line("tentacle_nodes_paused 0"));
	check(has_line("tentacle_node_paused{id=\"1\",node=\"n1\"} 0"));
	/* Online nodes only. */
	check_int(count_lines("tentacle_node_paused{"), ==, 3);

	check(has_line("tentacle_node_up{id=\"1\",node=\"n1\"} 1"));
	check(has_line("tentacle_node_up{id=\"2\",node=\"n1\"} 1"));
	check(has_line("tentacle_node_up{id=\"9\",node=\"gone\"} 0"));
	check_int(count_lines("tentacle_node_up{"), ==, 4);
	check(has_line("tentacle_node_relays{id=\"9\",node=\"gone\"} 2"));
	check(has_line("tentacle_node_relays{id=\"1\",node=\"n1\"} 1"));
	check(has_line("tentacle_node_bytes_total{id=\"1\",node=\"n1\","
	    "direction=\"up\"} 100"));
	check(has_line("tentacle_node_bytes_total{id=\"1\",node=\"n1\","
	    "direction=\"down\"} 2000"));
	/* Away: no bytes, RTT or dials (they were its connection's). */
	check_int(count_lines("tentacle_node_bytes_total{"), ==, 6);
	check(has_line("tentacle_node_rtt_seconds{id=\"1\",node=\"n1\"} "
	    "0.001500"));
	check(has_line("tentacle_node_rtt_seconds{id=\"2\",node=\"n1\"} "
	    "2.000000"));
	check(has_line("tentacle_node_dials_total{id=\"1\",node=\"n1\","
	    "result=\"ok\"} 3"));
	check(has_line("tentacle_node_dials_total{id=\"1\",node=\"n1\","
	    "result=\"failed\"} 1"));
	check(has_line("tentacle_node_dials_total{id=\"1\",node=\"n1\","
	    "result=\"denied\"} 2"));
	check(has_line("tentacle_node_spare_links{id=\"1\",node=\"n1\"} 4"));
	check(has_line("tentacle_node_connected_time_seconds{id=\"1\","
	    "node=\"n1\"} 1700000000"));
	check(has_line("tentacle_node_redials_total{id=\"2\",node=\"n1\","
	    "address=\"changed\"} 5"));
	check(has_line("tentacle_node_redials_total{id=\"2\",node=\"n1\","
	    "address=\"same\"} 1"));
	check(has_line("tentacle_node_last_redial_time_seconds{id=\"2\","
	    "node=\"n1\"} 1700000100"));
	check(has_line("tentacle_node_info{id=\"3\",node=\"n3\","
	    "os=\"a\\nb?\",arch=\"amd64\",build=\"x\\\"y\\\\z\","
	    "redial=\"command\"} 1"));
	check(has_line("tentacle_metrics_nodes_omitted 0"));
}

/* More nodes than the cap: per-node series for the first 1000 only. */
static void
test_cap(void)
{
	char		 name[32];
	int		 i;

	hub_reset();
	for (i = 1; i <= 1003; i++) {
		snprintf(name, sizeof name, "p%04d", i);
		node_add(i, "node", name);
	}
	parked_add(2000, "away", "p0001", 1);
	check(scrape());
	printf("# 1003 nodes and 1 away, a pool each: %zu bytes in %.1f ms\n",
	    strlen(text), write_ms);
	check(has_line("tentacle_metrics_nodes_omitted 4"));
	check(has_line("tentacle_metrics_pools_omitted 3"));
	check(has_line("tentacle_nodes_connected 1003"));
	check_int(count_lines("tentacle_node_up{"), ==, 1000);
	check_int(count_lines("tentacle_node_bytes_total{"), ==, 2000);
	check(has_line("tentacle_node_up{id=\"1000\",node=\"node\"} 1"));
	check_int(count_lines("tentacle_node_up{id=\"1001\""), ==, 0);
	check_int(count_lines("tentacle_node_up{id=\"2000\""), ==, 0);
	/* Pools: the first 1000 in order, every node counted in them. */
	check_int(count_lines("tentacle_nodes{"), ==, 1000 * INV_NSTATES);
	check(has_line("tentacle_nodes{pool=\"p0001\",state=\"up\"} 1"));
	check(has_line("tentacle_nodes{pool=\"p0001\",state=\"redialing\"} "
	    "1"));
	check(has_line("tentacle_nodes{pool=\"p1000\",state=\"up\"} 1"));
	check_int(count_lines("tentacle_nodes{pool=\"p1001\""), ==, 0);
	hub_reset();
}

/* Users: bytes, periods, connections; above 1000 counted, not listed. */
static void
test_users(void)
{
	hub_reset();
	stub_nusers = 2;
	check(scrape());
	check(has_line("tentacle_users_counted 2"));
	check(has_line("tentacle_metrics_users_omitted 0"));
	check(has_line("tentacle_user_bytes_total{user=\"u0000\","
	    "direction=\"up\"} 1000"));
	check(has_line("tentacle_user_bytes_total{user=\"b\\\"ob\","
	    "direction=\"down\"} 2001"));
	check(has_line("tentacle_user_period_bytes{user=\"u0000\","
	    "period=\"day\"} 30"));
	check(has_line("tentacle_user_period_bytes{user=\"b\\\"ob\","
	    "period=\"month\"} 301"));
	check(has_line("tentacle_user_connections{user=\"u0000\"} 3"));
	stub_nusers = 1003;
	check(scrape());
	check(has_line("tentacle_users_counted 1003"));
	check(has_line("tentacle_metrics_users_omitted 3"));
	check_int(count_lines("tentacle_user_bytes_total{"), ==, 2000);
	check_int(count_lines("tentacle_user_connections{"), ==, 1000);
	stub_nusers = 0;
	hub_reset();
}

int
main(void)
{
	TEST(test_empty(), "no nodes: valid, no per-node series");
	TEST(test_paused(), "paused nodes: state, count, per-node gauge");
	TEST(test_fleet(), "nodes, a name twice, states, pools, escapes, "
	    "one away: values and labels");
	TEST(test_cap(), "1004 nodes in 1004 pools: 1000 with series, "
	    "the rest counted");
	TEST(test_users(), "per-user series, escaped, capped at 1000");
	free(text);
	return (test_done());
}
