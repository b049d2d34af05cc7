/*
 * nodes.c: nodes with traffic through libtentacle (t9002-sdk-nodes.sh).
 *
 *	nodes two HUB1 FP1 SOCKS1 HUB2 FP2 SOCKS2 ORIGIN
 *		two nodes in this process, one per hub; a request through
 *		each hub exits through its own node (status bytes)
 *	nodes stopload HUB FP SOCKS ORIGIN
 *		tentacle_node_stop() from another thread while four relays
 *		run: it returns, the relays are closed, no fd is left
 *	nodes hammer HUB FP SOCKS ORIGIN
 *		set_policy() from two threads and status() from a third,
 *		all at once, while requests come through
 *
 * HUB a control address, FP the hub's pin ("-": -insecure), SOCKS the
 * hub's SOCKS port, ORIGIN t/helper/origin's port.
 */
#include "sdk.h"

static const char *
pin(const char *fp)
{
	return strcmp(fp, "-") == 0 ? NULL : fp;
}

/* Bytes both ways, from the node's status. */
static uint64_t
node_bytes(struct tentacle_node *n, uint64_t *down)
{
	struct tentacle_status	 st;

	if (!node_status(n, &st))
		return 0;
	*down = st.bytes_down;
	return st.bytes_up + st.bytes_down;
}

static int
do_two(char **av)
{
	struct host		 h[2];
	struct tentacle_node	*n[2];
	struct tentacle_status	 st;
	const char		*hubs[2] = { av[0], av[3] };
	const char		*fps[2] = { pin(av[1]), pin(av[4]) };
	int			 socks[2] = { num(av[2]), num(av[5]) };
	int			 origin = num(av[6]);
	char			 err[256], name[16];
	uint64_t		 before[2], after[2], down0[2], down1[2];
	int64_t			 got, end;
	int			 i, j, size = 300000;
	char			 path[64];

	for (i = 0; i < 2; i++) {
		/*
		 * The config's strings on the heap, scribbled over and freed
		 * once new() returns: the node keeps copies (a use after
		 * free here is ASan's to report).
		 */
		char	*hub = strdup(hubs[i]), *fp = NULL;

		if (fps[i] != NULL)
			fp = strdup(fps[i]);
		snprintf(name, sizeof name, "n%d", i + 1);
		host_init(&h[i], i == 0 ? "n1" : "n2", NULL);
		n[i] = node_make(&h[i], hub, fp, name, NULL, err,
		    sizeof err);
		memset(hub, 'x', strlen(hub));
		free(hub);
		if (fp != NULL) {
			memset(fp, 'x', strlen(fp));
			free(fp);
		}
		memset(name, 'x', sizeof name - 1);
		if (!check(n[i] != NULL, "n%d: tentacle_node_new: %s", i + 1,
		    err))
			return 1;
	}
	for (i = 0; i < 2; i++)
		check(tentacle_node_start(n[i]) == 0, "n%d: start", i + 1);
	for (i = 0; i < 2; i++) {
		check(host_wait(&h[i], TENTACLE_SHARING, NULL, 15000),
		    "n%d not sharing (%s)", i + 1,
		    tentacle_state_name(host_state(&h[i], NULL, 0)));
		if (node_status(n[i], &st)) {
			note("n%d: %s, hub %s, node id %u", i + 1,
			    tentacle_state_name(st.state), st.hub,
			    (unsigned)st.node_id);
			check(strcmp(st.hub, hubs[i]) == 0,
			    "n%d: status hub %s, configured %s", i + 1,
			    st.hub, hubs[i]);
		}
	}
	if (sdk_failed)
		goto out;

	/* Through hub i: node i's bytes grow by the body, the other's not. */
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++)
			before[j] = node_bytes(n[j], &down0[j]);
		snprintf(path, sizeof path, "/bytes/%d", size + i);
		got = fetch(socks[i], origin, path, 20000);
		check(got == size + i, "through hub %d: %" PRId64 " bytes of "
		    "%d", i + 1, got, size + i);
		/* The status counts are at most 250 ms old: wait for them. */
		end = now_ms() + 3000;
		do {
			sleep_ms(50);
			after[i] = node_bytes(n[i], &down1[i]);
		} while (down1[i] - down0[i] < (uint64_t)(size + i) &&
		    now_ms() < end);
		sleep_ms(600);
		for (j = 0; j < 2; j++)
			after[j] = node_bytes(n[j], &down1[j]);
		note("through hub %d: n1 +%" PRIu64 " bytes (%" PRIu64
		    " down), n2 +%" PRIu64 " (%" PRIu64 " down)", i + 1,
		    after[0] - before[0], down1[0] - down0[0],
		    after[1] - before[1], down1[1] - down0[1]);
		check(down1[i] - down0[i] >= (uint64_t)(size + i),
		    "n%d's bytes_down grew %" PRIu64 ", less than the body",
		    i + 1, down1[i] - down0[i]);
		check(after[1 - i] == before[1 - i],
		    "n%d's bytes changed (%" PRIu64 " -> %" PRIu64 ") for a "
		    "request through the other hub", 2 - i, before[1 - i],
		    after[1 - i]);
	}
out:
	for (i = 0; i < 2; i++) {
		tentacle_node_free(n[i]);
		host_destroy(&h[i]);
	}
	return sdk_failed;
}

struct stopper {
	struct tentacle_node	*n;
	int64_t			 ms;
	int			 done;
	pthread_mutex_t		 mu;
};

static void *
stopper_run(void *arg)
{
	struct stopper	*s = arg;
	int64_t		 t0 = now_ms();

	tentacle_node_stop(s->n);
	pthread_mutex_lock(&s->mu);
	s->ms = now_ms() - t0;
	s->done = 1;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

#define LOADS	4

static int
do_stopload(char **av)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct tentacle_status	 st;
	struct stopper		 s;
	struct dl		 d[LOADS];
	pthread_t		 t;
	char			 err[256];
	uint64_t		 b0[LOADS];
	int			 socks = num(av[2]), origin = num(av[3]);
	int			 fd0, fd1, i, done, all;
	int64_t			 end, got;

	fd0 = fd_count();
	host_init(&h, "stopload", NULL);
	n = node_make(&h, av[0], pin(av[1]), "stopload", NULL, err,
	    sizeof err);
	if (!check(n != NULL, "tentacle_node_new: %s", err))
		return 1;
	check(tentacle_node_start(n) == 0, "start");
	if (!check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
	    "not sharing (%s)", tentacle_state_name(host_state(&h, NULL, 0))))
		goto out;

	/* Two bulk downloads (as fast as it goes), two slow ones. */
	for (i = 0; i < LOADS; i++) {
		dl_init(&d[i], socks, origin, i < 2 ? "/bytes/8000000000" :
		    "/slow/100000/500", 30000);
		dl_start(&d[i]);
	}
	for (i = 0; i < LOADS; i++)
		check(dl_wait_body(&d[i], i < 2 ? 1000000 : 1, 15000),
		    "download %d: %" PRIu64 " bytes after 15 s", i,
		    dl_body(&d[i]));
	end = now_ms() + 5000;
	while (node_status(n, &st) && st.relays < LOADS && now_ms() < end)
		sleep_ms(20);
	note("%d relays running; bulk downloads at %" PRIu64 " and %" PRIu64
	    " bytes", st.relays, dl_body(&d[0]), dl_body(&d[1]));
	check(st.relays >= LOADS, "only %d relays running", st.relays);

	/* Stop from this other thread while they run. */
	memset(&s, 0, sizeof s);
	s.n = n;
	pthread_mutex_init(&s.mu, NULL);
	pthread_create(&t, NULL, stopper_run, &s);
	end = now_ms() + 15000;
	for (;;) {
		pthread_mutex_lock(&s.mu);
		done = s.done;
		pthread_mutex_unlock(&s.mu);
		if (done || now_ms() > end)
			break;
		sleep_ms(10);
	}
	if (!done) {
		check(0, "tentacle_node_stop() has not returned after 15 s");
		fflush(stdout);
		_exit(1);	/* cannot join it */
	}
	pthread_join(t, NULL);
	pthread_mutex_destroy(&s.mu);
	note("tentacle_node_stop() from another thread returned after %"
	    PRId64 " ms", s.ms);
	check(s.ms < 5000, "stop took %" PRId64 " ms (no grace set)", s.ms);
	if (node_status(n, &st)) {
		note("after stop: %s, %d relays, %d spare links, %" PRIu64
		    " bytes down", tentacle_state_name(st.state), st.relays,
		    st.spare_links, st.bytes_down);
		check(st.state == TENTACLE_STOPPED, "state %s after stop",
		    tentacle_state_name(st.state));
		check(st.relays == 0, "%d relays after stop", st.relays);
		check(st.spare_links == 0, "%d spare links after stop",
		    st.spare_links);
	}

	/* The users' connections end: nothing more comes through. */
	for (i = 0; i < LOADS; i++)
		b0[i] = dl_body(&d[i]);
	all = 1;
	for (i = 0; i < LOADS; i++)
		all &= dl_wait_done(&d[i], 10000);
	check(all, "a download still open 10 s after the stop");
	for (i = 0; i < 2; i++)
		note("bulk download %d: %" PRIu64 " bytes at the stop, %" PRIu64
		    " at its end (%s)", i, b0[i], dl_body(&d[i]),
		    d[i].eof ? "EOF" : strerror(d[i].err));
	for (i = 0; i < LOADS; i++) {
		if (!dl_done(&d[i]))
			dl_cut(&d[i]);
		dl_join(&d[i]);
	}

	/* Started again, the same node serves. */
	check(tentacle_node_start(n) == 0, "restart");
	check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
	    "restarted: not sharing");
	got = fetch(socks, origin, "/bytes/100000", 20000);
	check(got == 100000, "after the restart: %" PRId64 " bytes of "
	    "100000", got);
	tentacle_node_stop(n);
out:
	tentacle_node_free(n);
	host_destroy(&h);
	fd1 = fd_count();
	note("fds: %d before the node, %d after free; hub data port %s",
	    fd0, fd1, getenv("SDK_DATA_PORT") != NULL ?
	    getenv("SDK_DATA_PORT") : "?");
	if (!check(fd1 == fd0, "fds grew from %d to %d", fd0, fd1))
		fd_show();
	return sdk_failed;
}

struct hammer {
	struct tentacle_node	*n;
	int			 seed, calls, bad;
	volatile int		*stop;
};

/* set_policy() as fast as it goes: consent, network, caps flipping. */
static void *
hammer_policy(void *arg)
{
	struct hammer		*hm = arg;
	struct tentacle_policy	 p;
	unsigned int		 x = (unsigned int)hm->seed;

	while (!*hm->stop) {
		x = x * 1103515245u + 12345u;
		policy_yes(&p);
		p.consent = (x >> 8) % 4 != 0;
		p.need_unmetered = (x >> 10) & 1;
		p.unmetered = (x >> 11) & 1;
		p.max_relays = (int)((x >> 12) % 3);
		p.rate_down = (x >> 14) & 1 ? 1 << 20 : 0;
		p.grace_ms = (int)((x >> 16) % 50);
		if (tentacle_node_set_policy(hm->n, &p) != 0)
			hm->bad++;
		hm->calls++;
		if ((x >> 20) % 8 == 0)
			sleep_ms(1);
	}
	return NULL;
}

/* status() as fast as it goes: every snapshot self-consistent. */
static void *
hammer_status(void *arg)
{
	struct hammer		*hm = arg;
	struct tentacle_status	 st;

	while (!*hm->stop) {
		memset(&st, 0, sizeof st);
		st.size = sizeof st;
		if (tentacle_node_status(hm->n, &st) != 0 ||
		    (int)st.state < 0 || st.state > TENTACLE_FAILED ||
		    st.relays < 0 || st.spare_links < 0 ||
		    memchr(st.why, '\0', sizeof st.why) == NULL ||
		    memchr(st.hub, '\0', sizeof st.hub) == NULL ||
		    memchr(st.last_error, '\0', sizeof st.last_error) == NULL)
			hm->bad++;
		hm->calls++;
	}
	return NULL;
}

/*
 * Two threads change the policy and one reads the status, all at once,
 * while requests come through the hub: no crash, no sanitizer report;
 * afterwards a plain policy makes it share and serve again.
 */
static int
do_hammer(char **av)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct tentacle_policy	 p;
	struct hammer		 hm[3];
	pthread_t		 t[3];
	volatile int		 stop = 0;
	char			 err[256];
	int			 socks = num(av[2]), origin = num(av[3]);
	int			 fd0, i, served = 0, tried = 0;
	int64_t			 end;

	fd0 = fd_count();
	host_init(&h, "hammer", NULL);
	n = node_make(&h, av[0], pin(av[1]), "hammer", NULL, err, sizeof err);
	if (!check(n != NULL, "tentacle_node_new: %s", err))
		return 1;
	check(tentacle_node_start(n) == 0, "start");
	check(host_wait(&h, TENTACLE_SHARING, NULL, 15000), "not sharing");
	for (i = 0; i < 3; i++) {
		hm[i].n = n;
		hm[i].seed = i + 1;
		hm[i].calls = hm[i].bad = 0;
		hm[i].stop = &stop;
		pthread_create(&t[i], NULL, i < 2 ? hammer_policy :
		    hammer_status, &hm[i]);
	}
	end = now_ms() + 4000;
	while (now_ms() < end) {
		tried++;
		if (fetch(socks, origin, "/bytes/20000", 2000) == 20000)
			served++;
	}
	stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	note("4 s: %d + %d set_policy calls, %d status calls, %d of %d "
	    "requests served, %d state changes", hm[0].calls, hm[1].calls,
	    hm[2].calls, served, tried, h.changes);
	check(hm[0].bad + hm[1].bad == 0, "set_policy failed %d times",
	    hm[0].bad + hm[1].bad);
	check(hm[2].bad == 0, "%d bad status snapshots", hm[2].bad);
	check(hm[0].calls > 100 && hm[2].calls > 100, "too few calls");

	policy_yes(&p);
	check(tentacle_node_set_policy(n, &p) == 0, "set_policy");
	check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
	    "plain policy after the storm: %s, not sharing",
	    tentacle_state_name(host_state(&h, NULL, 0)));
	check(fetch(socks, origin, "/bytes/100000", 20000) == 100000,
	    "after the storm: a request failed");
	tentacle_node_free(n);
	host_destroy(&h);
	if (!check(fd_count() == fd0, "fds %d before, %d after", fd0,
	    fd_count()))
		fd_show();
	return sdk_failed;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 9 && strcmp(argv[1], "two") == 0)
		return do_two(argv + 2);
	if (argc == 6 && strcmp(argv[1], "stopload") == 0)
		return do_stopload(argv + 2);
	if (argc == 6 && strcmp(argv[1], "hammer") == 0)
		return do_hammer(argv + 2);
	fprintf(stderr, "usage: nodes two HUB1 FP1 SOCKS1 HUB2 FP2 SOCKS2 "
	    "ORIGIN | stopload|hammer HUB FP SOCKS ORIGIN\n");
	return 2;
}
