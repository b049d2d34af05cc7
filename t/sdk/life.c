/*
 * life.c: a node's life cycle through libtentacle (t9001-sdk-life.sh).
 *
 *	life loop HUB FP COUNT	new/start/stop/free COUNT times; fds and
 *				RSS before and after
 *	life cbstop HUB FP	tentacle_node_stop() from the state
 *				callback, then a restart
 *	life run HUB FP		tentacle_node_run() on this thread, stopped
 *				from another; then start()
 *	life logstop HUB FP	tentacle_node_stop() from on_log (the stop
 *				logs, into the same callback): at start,
 *				and when sharing
 *	life badconf FILE	bad configs: NULL and a message, nothing
 *				on stdout or stderr (results go to FILE)
 *
 * HUB is the hub's control address, FP its key's pin ("-": the hub runs
 * -insecure).
 */
#include "sdk.h"

/*
 * One pass of the loop.  kind 0: consent, wait until the hub has taken
 * the node (SHARING); 1-4: consent, stop at once (mid-connect or
 * mid-handshake); 5-9: no consent (WAITING, no link).  Odd passes start
 * the stopped node a second time before freeing it.
 */
static void
loop_one(int i, const char *hub, const char *fp)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct tentacle_policy	 p;
	struct tentacle_status	 st;
	char			 err[256], name[32];
	int			 kind = i % 10, round;

	host_init(&h, "loop", NULL);
	policy_yes(&p);
	p.consent = kind < 5;
	snprintf(name, sizeof name, "loop%d", i % 4);
	err[0] = '\0';
	n = node_make(&h, hub, fp, name, &p, err, sizeof err);
	if (!check(n != NULL, "pass %d: tentacle_node_new: %s", i, err)) {
		host_destroy(&h);
		return;
	}
	for (round = 0; round < 1 + (i & 1); round++) {
		if (!check(tentacle_node_start(n) == 0,
		    "pass %d: tentacle_node_start failed", i))
			break;
		if (kind == 0)
			check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
			    "pass %d round %d: not sharing after 15 s (%s)",
			    i, round, tentacle_state_name(host_state(&h,
			    NULL, 0)));
		else if (kind >= 5)
			check(host_wait(&h, TENTACLE_WAITING, NULL, 5000),
			    "pass %d round %d: not waiting without consent",
			    i, round);
		if (kind == 0 && round == 0 && (i % 100) == 0) {
			/* A second start of a running node: -1. */
			check(tentacle_node_start(n) == -1,
			    "pass %d: a second start did not fail", i);
		}
		tentacle_node_stop(n);
		if (node_status(n, &st)) {
			check(st.state == TENTACLE_STOPPED,
			    "pass %d: state %s after stop", i,
			    tentacle_state_name(st.state));
			check(st.relays == 0 && st.spare_links == 0,
			    "pass %d: %d relays %d spare links after stop", i,
			    st.relays, st.spare_links);
		}
		if (kind >= 5)
			check(h.seen[TENTACLE_CONNECTING] == 0 &&
			    h.seen[TENTACLE_SHARING] == 0,
			    "pass %d: connected without consent", i);
	}
	tentacle_node_free(n);
	host_destroy(&h);
}

static int
do_loop(const char *hub, const char *fp, int count)
{
	int	 i, warm = count / 10, fd0 = 0, fd1, shared = 0;
	long	 rss0 = 0, rss1, bound_kb;
	int64_t	 t0 = now_ms(), t1 = 0;

	/*
	 * The bound on RSS growth after the warm-up: 4 MiB over the other
	 * 90% of the passes (900 of 1000: 4.5 KiB a pass).  A pass that
	 * connects holds a TLS engine (~33 KiB of buffers), a libevent base
	 * and a thread stack (tens of KiB touched); leaking any one of
	 * them on the 450 passes that give consent grows RSS by 15 MiB and
	 * more, while allocator caches, the glibc thread-stack cache and
	 * ASan's quarantine (the script caps it at 1 MiB) settle during
	 * the warm-up.  Smaller leaks that nobody can reach are LSan's to
	 * find at exit (the script runs this with detect_leaks=1).
	 */
	bound_kb = 4096;
	for (i = 0; i < count; i++) {
		if (i == warm) {
			fd0 = fd_count();
			rss0 = rss_kb();
			t1 = now_ms();
			note("after %d warm-up passes (%" PRId64 " ms): %d fds, "
			    "RSS %ld KiB", warm, t1 - t0, fd0, rss0);
		}
		if (i % 10 == 0)
			shared++;
		loop_one(i, hub, fp);
		if (sdk_failed && i > 20)
			break;	/* one failure says enough */
	}
	fd1 = fd_count();
	rss1 = rss_kb();
	note("after %d passes (%" PRId64 " ms; %d joined the hub): %d fds, "
	    "RSS %ld KiB", i, now_ms() - t0, shared, fd1, rss1);
	note("growth over the last %d passes: %d fds, %ld KiB RSS "
	    "(bound %ld KiB)", i - warm, fd1 - fd0, rss1 - rss0, bound_kb);
	check(i == count, "stopped after %d of %d passes", i, count);
	if (!check(fd1 == fd0, "fds grew from %d to %d", fd0, fd1))
		fd_show();
	check(rss1 - rss0 <= bound_kb, "RSS grew %ld KiB (bound %ld KiB)",
	    rss1 - rss0, bound_kb);
	return sdk_failed;
}

struct runner {
	struct host		*h;
	struct tentacle_node	*n;
	int			 shared;
};

/* Waits for SHARING, then stops the node that runs on main's thread. */
static void *
runner_stop(void *arg)
{
	struct runner	*r = arg;

	r->shared = host_wait(r->h, TENTACLE_SHARING, NULL, 15000);
	tentacle_node_stop(r->n);
	return NULL;
}

/*
 * tentacle_node_run() on this thread: callbacks come on it, another
 * thread's stop() makes run() return 0; then start() on the library's
 * thread, and run() of a running node fails.
 */
static int
do_run(const char *hub, const char *fp)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct runner		 r;
	pthread_t		 t;
	char			 err[256];
	int			 rc, fd0;

	fd0 = fd_count();
	host_init(&h, "run", NULL);
	n = node_make(&h, hub, fp, "run", NULL, err, sizeof err);
	if (!check(n != NULL, "tentacle_node_new: %s", err))
		return 1;
	r.h = &h;
	r.n = n;
	r.shared = 0;
	pthread_create(&t, NULL, runner_stop, &r);
	rc = tentacle_node_run(n);
	pthread_join(t, NULL);
	note("tentacle_node_run() returned %d; %d callbacks, all on this "
	    "thread: %s", rc, h.cb_calls, h.cb_threads == 0 &&
	    pthread_equal(h.cb_thread, pthread_self()) ? "yes" : "no");
	check(rc == 0, "run() returned %d", rc);
	check(r.shared, "run(): never sharing");
	check(h.cb_calls >= 3 && h.cb_threads == 0 &&
	    pthread_equal(h.cb_thread, pthread_self()),
	    "run(): callbacks not (only) on the caller's thread");
	check(h.state == TENTACLE_STOPPED, "after run(): %s",
	    tentacle_state_name(h.state));

	/* start(): callbacks on the library's thread, not this one. */
	h.cb_calls = h.cb_threads = 0;
	check(tentacle_node_start(n) == 0, "start after run");
	check(host_wait(&h, TENTACLE_SHARING, NULL, 15000), "start after "
	    "run: not sharing");
	check(tentacle_node_run(n) == -1, "run() of a running node did not "
	    "fail");
	pthread_mutex_lock(&h.mu);
	check(h.cb_calls > 0 && !pthread_equal(h.cb_thread, pthread_self()),
	    "start(): a callback on the caller's thread");
	pthread_mutex_unlock(&h.mu);
	tentacle_node_free(n);
	host_destroy(&h);
	check(fd_count() == fd0, "fds %d before, %d after", fd0, fd_count());
	return sdk_failed;
}

static int
do_cbstop(const char *hub, const char *fp)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct tentacle_status	 st;
	char			 err[256];
	int			 fd0, i, w, done;

	fd0 = fd_count();
	host_init(&h, "cbstop", NULL);
	n = node_make(&h, hub, fp, "cbstop", NULL, err, sizeof err);
	if (!check(n != NULL, "tentacle_node_new: %s", err))
		return 1;

	/* Stop from the SHARING callback, then from the CONNECTING one. */
	for (i = 0; i < 2; i++) {
		enum tentacle_state want = i == 0 ? TENTACLE_SHARING :
		    TENTACLE_CONNECTING;
		pthread_mutex_lock(&h.mu);
		h.stop_on_node = n;
		h.stop_on = want;
		h.stop_on_done = 0;
		pthread_mutex_unlock(&h.mu);
		check(tentacle_node_start(n) == 0, "start %d failed", i);
		if (!check(host_wait(&h, TENTACLE_STOPPED, NULL, 15000),
		    "stop in the %s callback: no STOPPED within 15 s (%s)",
		    tentacle_state_name(want),
		    tentacle_state_name(host_state(&h, NULL, 0))))
			break;
		pthread_mutex_lock(&h.mu);
		done = h.stop_on_done;
		pthread_mutex_unlock(&h.mu);
		/* STOPPED may be reported before the callback's stop returns */
		for (w = 0; w < 500 && done != 2; w++) {
			sleep_ms(10);
			pthread_mutex_lock(&h.mu);
			done = h.stop_on_done;
			pthread_mutex_unlock(&h.mu);
		}
		check(done == 2, "stop from the %s callback did not return",
		    tentacle_state_name(want));
		note("stop from the %s callback returned after %" PRId64 " ms",
		    tentacle_state_name(want), h.stop_on_ms);
		if (node_status(n, &st))
			check(st.state == TENTACLE_STOPPED && st.relays == 0,
			    "after the callback's stop: %s, %d relays",
			    tentacle_state_name(st.state), st.relays);
		/* stop() again from here: nothing left to do, returns. */
		tentacle_node_stop(n);
	}

	/* The same node starts again and joins. */
	pthread_mutex_lock(&h.mu);
	h.stop_on_node = NULL;
	pthread_mutex_unlock(&h.mu);
	check(tentacle_node_start(n) == 0, "restart failed");
	check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
	    "restarted node not sharing (%s)",
	    tentacle_state_name(host_state(&h, NULL, 0)));
	if (node_status(n, &st)) {
		check(st.node_id != 0, "sharing with node_id 0");
		note("restarted: %s, node id %u, hub %s", tentacle_state_name(
		    st.state), (unsigned)st.node_id, st.hub);
	}
	tentacle_node_free(n);	/* stops it */
	check(h.state == TENTACLE_STOPPED, "free did not stop the node (%s)",
	    tentacle_state_name(h.state));
	host_destroy(&h);
	check(fd_count() == fd0, "fds %d before, %d after", fd0, fd_count());
	return sdk_failed;
}

/*
 * Each bad config: tentacle_node_new() gives NULL and a message.  Lines
 * go to out, never to stdout/stderr: the script checks those are empty,
 * since the library must write nothing there.
 */
static int
do_badconf(const char *path)
{
	static const char *const unknown[] = { "-no-such-flag", NULL };
	static const char *const novalue[] = { "-allow", NULL };
	static const char *const badval[] = { "-pool-size", "lots", NULL };
	static const char *const badallow[] = { "-allow", "300.1.2.3", NULL };
	static const char *const baddns[] = { "192.0.2.53", "dns.example",
		    NULL };
	struct {
		const char		*what;
		const char		*hub;
		const char *const	*args;
		const char *const	*dns;
	} bad[] = {
		{ "no hub", NULL, NULL, NULL },
		{ "empty hub", "", NULL, NULL },
		{ "hub without a port", "127.0.0.1", NULL, NULL },
		{ "hub port out of range", "127.0.0.1:99999", NULL, NULL },
		{ "hub port not a number", "127.0.0.1:http-ish", NULL, NULL },
		{ "unknown flag in args", "127.0.0.1:1", unknown, NULL },
		{ "flag without its value", "127.0.0.1:1", novalue, NULL },
		{ "bad number in args", "127.0.0.1:1", badval, NULL },
		{ "bad -allow", "127.0.0.1:1", badallow, NULL },
		{ "a name server not an address", "127.0.0.1:1", NULL,
		    baddns },
	};
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	struct tentacle_status		 st;
	struct tentacle_node		*n;
	char				 err[256];
	FILE				*out;
	size_t				 i;
	int				 failed = 0;

	if ((out = fopen(path, "w")) == NULL)
		return 2;
#define OUT_FAIL(...) do { fprintf(out, "FAIL: " __VA_ARGS__); \
	fprintf(out, "\n"); failed = 1; } while (0)

	if (tentacle_version() == NULL || *tentacle_version() == '\0')
		OUT_FAIL("tentacle_version() empty");
	else
		fprintf(out, "# version %s abi %d\n", tentacle_version(),
		    tentacle_abi());
	if (tentacle_abi() != TENTACLE_ABI)
		OUT_FAIL("abi %d, header says %d", tentacle_abi(),
		    TENTACLE_ABI);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tentacle_node_config_init(&c);
		c.hub = bad[i].hub;
		c.args = bad[i].args;
		c.dns = bad[i].dns;
		c.insecure = 1;
		memset(err, 0, sizeof err);
		n = tentacle_node_new(&c, err, sizeof err);
		if (n != NULL) {
			OUT_FAIL("%s: a node", bad[i].what);
			tentacle_node_free(n);
		} else if (err[0] == '\0')
			OUT_FAIL("%s: NULL without a message", bad[i].what);
		else if (memchr(err, '\0', sizeof err) == NULL)
			OUT_FAIL("%s: message not terminated", bad[i].what);
		else
			fprintf(out, "# %s: %s\n", bad[i].what, err);
		/* Again with no room for a message: NULL, no crash. */
		n = tentacle_node_new(&c, NULL, 0);
		if (n != NULL) {
			OUT_FAIL("%s (no err buffer): a node", bad[i].what);
			tentacle_node_free(n);
		}
		/* A tiny buffer: truncated, still terminated. */
		memset(err, 'x', sizeof err);
		n = tentacle_node_new(&c, err, 4);
		if (n != NULL)
			tentacle_node_free(n);
		if (memchr(err, '\0', 4) == NULL || err[4] != 'x')
			OUT_FAIL("%s: errlen 4 not respected", bad[i].what);
	}

	/* A config whose size is too small to hold hub: no hub. */
	tentacle_node_config_init(&c);
	c.hub = "127.0.0.1:1";
	c.size = sizeof c.size;
	if ((n = tentacle_node_new(&c, err, sizeof err)) != NULL) {
		OUT_FAIL("config of size %zu: a node", c.size);
		tentacle_node_free(n);
	} else
		fprintf(out, "# config size %zu: %s\n", c.size, err);

	/* A good one for the calls below; never started. */
	tentacle_node_config_init(&c);
	c.hub = "127.0.0.1:1";
	c.insecure = 1;
	if ((n = tentacle_node_new(&c, err, sizeof err)) == NULL) {
		OUT_FAIL("good config refused: %s", err);
	} else {
		tentacle_policy_init(&p, TENTACLE_PROFILE_MOBILE);
		if (p.consent != 0)
			OUT_FAIL("mobile profile with consent");
		if (!p.need_unmetered || !p.need_charging)
			OUT_FAIL("mobile profile without unmetered+charging");
		p.size = 4;
		if (tentacle_node_set_policy(n, &p) != -1)
			OUT_FAIL("set_policy with size 4 did not fail");
		memset(&st, 0, sizeof st);
		st.size = 4;
		if (tentacle_node_status(n, &st) != -1)
			OUT_FAIL("status with size 4 did not fail");
		st.size = sizeof st;
		if (tentacle_node_status(n, &st) != 0 ||
		    st.state != TENTACLE_STOPPED)
			OUT_FAIL("a new node is not STOPPED");
		tentacle_node_stop(n);	/* not running: returns */
		tentacle_node_free(n);
	}
	tentacle_node_free(NULL);
	fprintf(out, "# done\n");
	fclose(out);
	return failed;
}

/*
 * tentacle_node_stop() from on_log: the stop logs too (the same callback,
 * again, inside the first stop), and relays log as they close.  Armed
 * from the start, it stops a node still starting (its loop not yet
 * listening); armed once sharing, on the next line.
 */
struct logstop {
	struct tentacle_node	*n;
	int			 armed;
	int			 calls;	/* stop() calls made from on_log */
	int			 depth, maxdepth;
};

static void
logstop_cb(void *arg, int level, const char *line)
{
	struct logstop	*ls = arg;

	(void)level;
	(void)line;
	if (!ls->armed || ls->n == NULL)
		return;
	if (++ls->depth > ls->maxdepth)
		ls->maxdepth = ls->depth;
	if (ls->depth < 50) {		/* deeper: a loop; found below */
		ls->calls++;
		tentacle_node_stop(ls->n);
	}
	ls->depth--;
}

static int
do_logstop(const char *hub, const char *fp)
{
	const char *const args[] = { "-allow", "127.0.0.0/8", NULL };
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	struct tentacle_status		 st;
	struct logstop			 ls;
	char				 err[256];
	int				 rc, i, fd0 = fd_count();

	memset(&ls, 0, sizeof ls);
	tentacle_node_config_init(&c);
	c.hub = hub;
	c.name = "logstop";
	c.fingerprint = fp;
	c.insecure = fp == NULL;
	c.args = args;
	c.log_level = TENTACLE_LOG_DEBUG;
	c.on_log = logstop_cb;
	c.arg = &ls;
	policy_yes(&p);
	c.policy = &p;
	ls.n = tentacle_node_new(&c, err, sizeof err);
	if (!check(ls.n != NULL, "tentacle_node_new: %s", err))
		return 1;

	/* Armed from the first line: run() returns, the node never joined. */
	ls.armed = 1;
	rc = tentacle_node_run(ls.n);
	st.size = sizeof st;
	tentacle_node_status(ls.n, &st);
	note("armed at start: run() returned %d after %d stop() calls, "
	    "depth %d; state %s, node id %u", rc, ls.calls, ls.maxdepth,
	    tentacle_state_name(st.state), st.node_id);
	check(rc == 0 && ls.calls > 0, "armed at start: run() %d, %d calls",
	    rc, ls.calls);
	check(ls.maxdepth < 3, "armed at start: stop() from on_log nested "
	    "%d deep", ls.maxdepth);
	check(st.state == TENTACLE_STOPPED, "armed at start: %s",
	    tentacle_state_name(st.state));

	/* Sharing first, then armed: a policy change logs, on_log stops. */
	ls.armed = 0;
	ls.calls = ls.maxdepth = 0;
	check(tentacle_node_start(ls.n) == 0, "start");
	for (i = 0; i < 1500; i++) {
		tentacle_node_status(ls.n, &st);
		if (st.state == TENTACLE_SHARING)
			break;
		usleep(10000);
	}
	check(st.state == TENTACLE_SHARING, "not sharing: %s",
	    tentacle_state_name(st.state));
	ls.armed = 1;
	p.consent = 0;
	tentacle_node_set_policy(ls.n, &p);
	for (i = 0; i < 1000; i++) {
		tentacle_node_status(ls.n, &st);
		if (st.state == TENTACLE_STOPPED)
			break;
		usleep(10000);
	}
	note("armed when sharing: %d stop() calls, depth %d; state %s",
	    ls.calls, ls.maxdepth, tentacle_state_name(st.state));
	check(st.state == TENTACLE_STOPPED, "armed when sharing: %s after "
	    "10 s", tentacle_state_name(st.state));
	check(ls.maxdepth < 3, "armed when sharing: nested %d deep",
	    ls.maxdepth);
	tentacle_node_free(ls.n);
	check(fd_count() == fd0, "fds %d before, %d after", fd0, fd_count());
	return sdk_failed;
}

int
main(int argc, char **argv)
{
	const char	*fp;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "badconf") == 0)
		return do_badconf(argv[2]);
	if (argc < 4) {
		fprintf(stderr, "usage: life loop HUB FP COUNT | cbstop HUB FP"
		    " | run HUB FP | logstop HUB FP | badconf FILE\n");
		return 2;
	}
	fp = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
	if (argc == 5 && strcmp(argv[1], "loop") == 0)
		return do_loop(argv[2], fp, num(argv[4]));
	if (argc == 4 && strcmp(argv[1], "cbstop") == 0)
		return do_cbstop(argv[2], fp);
	if (argc == 4 && strcmp(argv[1], "run") == 0)
		return do_run(argv[2], fp);
	if (argc == 4 && strcmp(argv[1], "logstop") == 0)
		return do_logstop(argv[2], fp);
	fprintf(stderr, "life: unknown mode %s\n", argv[1]);
	return 2;
}
