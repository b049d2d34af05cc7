/*
 * policy.c: the host policy libtentacle enforces (t9003-sdk-policy.sh).
 *
 *	policy consent			no consent: not one connection to
 *					the hub (a listener of ours); consent:
 *					it connects
 *	policy rules HUB FP SOCKS ORIGIN
 *					need_unmetered, need_charging,
 *					need_screen_off, min_battery_pct,
 *					hours, max_relays
 *	policy bytecap HUB FP SOCKS ORIGIN
 *					bytes_per_day stops sharing at the cap
 *	policy rate HUB FP SOCKS ORIGIN	rate_down and rate_up, measured
 *	policy drain HUB FP SOCKS ORIGIN
 *					consent withdrawn under a relay:
 *					DRAINING for grace_ms, then cut, WAITING
 *	policy usage HUB FP SOCKS ORIGIN DIR
 *					the day's count outlives the node (the
 *					usage file in its state directory)
 *
 * With SDK_HOLD=FILE in the environment, "rules" prints "# holding" once
 * the node is paused for a metered network and waits (20 s at most) for
 * FILE to exist, so that the script can look at the hub meanwhile.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <poll.h>

#include "sdk.h"

static const char *
pin(const char *fp)
{
	return strcmp(fp, "-") == 0 ? NULL : fp;
}

/* Count (and close) the connections the listener takes within ms. */
static int
accepts(int lfd, int ms)
{
	struct pollfd	 pfd;
	int64_t		 end = now_ms() + ms;
	int		 n = 0, fd, left;

	for (;;) {
		left = (int)(end - now_ms());
		if (left <= 0)
			break;
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		while ((fd = accept(lfd, NULL, NULL)) != -1) {
			n++;
			close(fd);
		}
	}
	return n;
}

static int
do_consent(void)
{
	struct host		 h;
	struct tentacle_node	*n;
	struct tentacle_policy	 p;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			 hub[64], err[256];
	int			 lfd, got;

	/* A plain TCP listener stands in for the hub: we count accepts. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd == -1 || bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1) {
		check(0, "listener: %s", strerror(errno));
		return 1;
	}
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	snprintf(hub, sizeof hub, "127.0.0.1:%d", ntohs(sin.sin_port));

	host_init(&h, "consent", NULL);
	tentacle_policy_init(&p, TENTACLE_PROFILE_DESKTOP);
	check(p.consent == 0, "the desktop profile starts with consent");
	n = node_make(&h, hub, NULL, "consent", &p, err, sizeof err);
	if (!check(n != NULL, "tentacle_node_new: %s", err))
		return 1;
	check(tentacle_node_start(n) == 0, "start");
	check(host_wait(&h, TENTACLE_WAITING, NULL, 5000),
	    "without consent: %s, not waiting",
	    tentacle_state_name(host_state(&h, NULL, 0)));
	got = accepts(lfd, 3000);
	note("without consent: %d connections in 3 s, state %s", got,
	    tentacle_state_name(host_state(&h, NULL, 0)));
	check(got == 0, "%d connections to the hub without consent", got);

	/* A policy change that is not consent: still nothing. */
	p.unmetered = 1;
	check(tentacle_node_set_policy(n, &p) == 0, "set_policy");
	got = accepts(lfd, 1000);
	check(got == 0, "%d connections after a policy change without "
	    "consent", got);

	p.consent = 1;
	check(tentacle_node_set_policy(n, &p) == 0, "set_policy");
	got = accepts(lfd, 3000);
	note("with consent: %d connections in 3 s, state %s", got,
	    tentacle_state_name(host_state(&h, NULL, 0)));
	check(got >= 1, "no connection to the hub after consent");

	/* Consent withdrawn: WAITING again, and no more connections. */
	p.consent = 0;
	check(tentacle_node_set_policy(n, &p) == 0, "set_policy");
	check(host_wait(&h, TENTACLE_WAITING, NULL, 5000),
	    "consent withdrawn: %s, not waiting",
	    tentacle_state_name(host_state(&h, NULL, 0)));
	accepts(lfd, 500);	/* one already under way */
	got = accepts(lfd, 3000);
	note("consent withdrawn: %d connections in 3 s", got);
	check(got == 0, "%d connections after consent was withdrawn", got);

	tentacle_node_free(n);
	host_destroy(&h);
	close(lfd);
	return sdk_failed;
}

struct env {
	const char	*hub, *fp;
	int		 socks, origin;
	struct host	 h;
	struct tentacle_node *n;
	struct tentacle_policy p;
};

static int
env_open(struct env *e, char **av, const char *name)
{
	char	 err[256];

	e->hub = av[0];
	e->fp = pin(av[1]);
	e->socks = num(av[2]);
	e->origin = num(av[3]);
	host_init(&e->h, name, NULL);
	policy_yes(&e->p);
	e->n = node_make(&e->h, e->hub, e->fp, name, &e->p, err, sizeof err);
	if (!check(e->n != NULL, "tentacle_node_new: %s", err))
		return -1;
	check(tentacle_node_start(e->n) == 0, "start");
	if (!check(host_wait(&e->h, TENTACLE_SHARING, NULL, 15000),
	    "not sharing (%s)",
	    tentacle_state_name(host_state(&e->h, NULL, 0))))
		return -1;
	return 0;
}

static void
env_close(struct env *e)
{
	tentacle_node_free(e->n);
	host_destroy(&e->h);
}

static void
env_policy(struct env *e)
{
	check(tentacle_node_set_policy(e->n, &e->p) == 0, "set_policy");
}

/* The node serves a request now (or fails to, within ms). */
static int
serves(struct env *e, int ms)
{
	return fetch(e->socks, e->origin, "/bytes/1000", ms) == 1000;
}

/* Paused (why containing why_has); the hub no longer sends requests. */
static void
expect_paused(struct env *e, const char *rule, const char *why_has)
{
	char	 why[256];

	check(host_wait(&e->h, TENTACLE_PAUSED, why_has, 10000),
	    "%s: %s (\"%s\"), not paused with \"%s\"", rule,
	    tentacle_state_name(host_state(&e->h, why, sizeof why)), why,
	    why_has != NULL ? why_has : "");
	host_state(&e->h, why, sizeof why);
	note("%s: %s: %s", rule, tentacle_state_name(host_state(&e->h, NULL,
	    0)), why);
	check(!serves(e, 5000), "%s: paused, but a request went through",
	    rule);
}

static void
expect_sharing(struct env *e, const char *rule)
{
	check(host_wait(&e->h, TENTACLE_SHARING, NULL, 10000),
	    "%s: %s, not sharing again", rule,
	    tentacle_state_name(host_state(&e->h, NULL, 0)));
	check(serves(e, 10000), "%s: sharing again, but a request failed",
	    rule);
}

static void
hold(void)
{
	const char	*f = getenv("SDK_HOLD");
	struct stat	 sb;
	int64_t		 end = now_ms() + 20000;

	if (f == NULL)
		return;
	note("holding");
	while (stat(f, &sb) == -1 && now_ms() < end)
		sleep_ms(50);
}

static int
do_rules(char **av)
{
	struct env		 e;
	struct tentacle_status	 st;
	struct dl		 a;
	struct tm		 tm;
	time_t			 now;
	int			 hour, maxseen;
	int64_t			 end;

	if (env_open(&e, av, "rules") == -1)
		return 1;
	check(serves(&e, 10000), "sharing, but a request failed");

	/* need_unmetered on a metered network. */
	e.p.need_unmetered = 1;
	e.p.unmetered = 0;
	env_policy(&e);
	expect_paused(&e, "need_unmetered, metered", "metered network");
	hold();
	e.p.unmetered = 1;
	env_policy(&e);
	expect_sharing(&e, "need_unmetered, unmetered");

	/* need_charging likewise. */
	e.p.need_charging = 1;
	e.p.charging = 0;
	env_policy(&e);
	expect_paused(&e, "need_charging, not charging", NULL);
	e.p.charging = 1;
	env_policy(&e);
	expect_sharing(&e, "need_charging, charging");

	/* need_screen_off, then min_battery_pct (an unknown level, -1, passes). */
	e.p.need_screen_off = 1;
	e.p.screen_off = 0;
	env_policy(&e);
	expect_paused(&e, "need_screen_off, screen on", NULL);
	e.p.screen_off = 1;
	env_policy(&e);
	expect_sharing(&e, "need_screen_off, screen off");
	e.p.min_battery_pct = 50;
	e.p.battery_pct = 20;
	env_policy(&e);
	expect_paused(&e, "min_battery_pct 50, battery 20", NULL);
	e.p.battery_pct = 80;
	env_policy(&e);
	expect_sharing(&e, "min_battery_pct 50, battery 80");

	/* hours: every hour but this one, then only this one. */
	now = time(NULL);
	localtime_r(&now, &tm);
	hour = tm.tm_hour;
	if (tm.tm_min == 59 && tm.tm_sec > 30) {
		sleep_ms(31000);	/* not across the hour */
		now = time(NULL);
		localtime_r(&now, &tm);
		hour = tm.tm_hour;
	}
	e.p.hours = 0xffffffu & ~(1u << hour);
	env_policy(&e);
	expect_paused(&e, "hours without this one", NULL);
	e.p.hours = 1u << hour;
	env_policy(&e);
	expect_sharing(&e, "hours with only this one");
	e.p.hours = 0;

	/* max_relays 1: a second request waits or fails while one runs. */
	e.p.max_relays = 1;
	env_policy(&e);
	dl_init(&a, e.socks, e.origin, "/slow/200000/500", 20000);
	dl_start(&a);
	check(dl_wait_body(&a, 1, 10000), "max_relays 1: the first request "
	    "got nothing");
	check(!serves(&e, 4000), "max_relays 1: a second request went "
	    "through while the first ran");
	maxseen = 0;
	end = now_ms() + 1000;
	while (now_ms() < end && node_status(e.n, &st)) {
		if (st.relays > maxseen)
			maxseen = st.relays;
		sleep_ms(50);
	}
	note("max_relays 1: %d relays at most, first request at %" PRIu64
	    " bytes, state %s", maxseen, dl_body(&a),
	    tentacle_state_name(host_state(&e.h, NULL, 0)));
	check(maxseen <= 1, "max_relays 1: %d relays", maxseen);
	check(!dl_done(&a), "max_relays 1: the first request was cut");
	dl_cut(&a);
	dl_join(&a);
	end = now_ms() + 10000;
	while (node_status(e.n, &st) && st.relays > 0 && now_ms() < end)
		sleep_ms(50);
	check(serves(&e, 10000), "max_relays 1: no request after the first "
	    "ended");
	e.p.max_relays = 0;
	env_policy(&e);

	env_close(&e);
	return sdk_failed;
}

static int
do_bytecap(char **av)
{
	struct env		 e;
	struct tentacle_status	 st;
	struct dl		 d;
	char			 why[256];
	uint64_t		 cap, t0;
	int64_t			 over;

	if (env_open(&e, av, "bytecap") == -1)
		return 1;
	check(serves(&e, 10000), "sharing, but a request failed");
	sleep_ms(600);	/* the status counts are at most 250 ms old */
	if (!node_status(e.n, &st))
		return 1;
	t0 = st.bytes_today;
	/* 1 MiB more than it has done today; a download of 8 MiB. */
	cap = t0 + (1 << 20);
	e.p.bytes_per_day = cap;
	env_policy(&e);
	check(host_wait(&e.h, TENTACLE_SHARING, NULL, 2000),
	    "below the cap: %s", tentacle_state_name(host_state(&e.h, NULL,
	    0)));
	dl_init(&d, e.socks, e.origin, "/bytes/8388608", 20000);
	dl_run(&d);
	check(d.opened, "the download did not start (SOCKS reply %d)", d.rep);
	check(host_wait(&e.h, TENTACLE_PAUSED, NULL, 10000),
	    "past the cap: %s, not paused",
	    tentacle_state_name(host_state(&e.h, NULL, 0)));
	host_state(&e.h, why, sizeof why);
	sleep_ms(600);	/* the status counts are at most 250 ms old */
	if (node_status(e.n, &st)) {
		over = (int64_t)(st.bytes_today - cap);
		note("bytes_per_day %" PRIu64 ": %" PRIu64 " counted today "
		    "(%" PRIu64 " before), overshoot %" PRId64 " bytes; the "
		    "download got %" PRIu64 " of 8388608 (%s); %s: %s", cap,
		    st.bytes_today, t0, over, d.body, d.eof ? "EOF" :
		    strerror(d.err), tentacle_state_name(st.state), why);
		check(over <= 65536, "overshoot %" PRId64 " > 65536", over);
		check(over >= -65536, "stopped %" PRId64 " bytes short of "
		    "the cap", -over);
		check(st.relays == 0, "%d relays at the cap", st.relays);
	}
	check(d.body < 8388608 - 65536, "the download went on past the "
	    "cap: %" PRIu64 " bytes", d.body);
	check(strstr(why, "day") != NULL || strstr(why, "cap") != NULL ||
	    strstr(why, "byte") != NULL, "why \"%s\" does not name the cap",
	    why);
	if (d.fd != -1)
		close(d.fd);
	pthread_mutex_destroy(&d.mu);
	check(!serves(&e, 5000), "at the cap, a request went through");

	/* Lifting the cap: sharing again. */
	e.p.bytes_per_day = 0;
	env_policy(&e);
	expect_sharing(&e, "cap lifted");
	env_close(&e);
	return sdk_failed;
}

/* Upload n bytes to /echo; ms from the first byte sent to the answer. */
static int64_t
upload(struct env *e, uint64_t n)
{
	static unsigned char	 buf[65536];
	char			 head[256], ans[512];
	uint64_t		 left = n;
	ssize_t			 r;
	size_t			 k, got = 0;
	int64_t			 t0;
	int			 fd, rep;

	if ((fd = socks_open(e->socks, e->origin, 30000, &rep)) == -1)
		return -1;
	snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: 127.0.0.1"
	    "\r\nContent-Length: %" PRIu64 "\r\nConnection: close\r\n\r\n", n);
	t0 = now_ms();
	if (send(fd, head, strlen(head), MSG_NOSIGNAL) == -1)
		goto fail;
	memset(buf, 'u', sizeof buf);
	while (left > 0) {
		k = left < sizeof buf ? (size_t)left : sizeof buf;
		if ((r = send(fd, buf, k, MSG_NOSIGNAL)) <= 0)
			goto fail;
		left -= (uint64_t)r;
	}
	while (got < sizeof ans - 1) {
		r = recv(fd, ans + got, sizeof ans - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		ans[got] = '\0';
		if (strstr(ans, "len=") != NULL)
			break;
	}
	ans[got] = '\0';
	close(fd);
	if (strstr(ans, "len=") == NULL)
		return -1;
	return now_ms() - t0;
fail:
	close(fd);
	return -1;
}

static int
do_rate(char **av)
{
	struct env	 e;
	struct dl	 d;
	uint64_t	 rate = 200 * 1024, size = 5 * rate;
	double		 steady, whole, up;
	char		 path[64];
	int64_t		 t1, t4;

	if (env_open(&e, av, "rate") == -1)
		return 1;

	/*
	 * rate_down: 5 s of download at R.  The rate is measured at the
	 * client from the moment the body passed R/2 bytes to its end, so
	 * that a bucket's start-up burst (and the buffers on the way) do
	 * not count; the whole transfer's rate is printed too.
	 */
	e.p.rate_down = rate;
	env_policy(&e);
	snprintf(path, sizeof path, "/bytes/%" PRIu64, size);
	dl_init(&d, e.socks, e.origin, path, 30000);
	d.mark = rate / 2;
	dl_run(&d);
	check(d.eof && d.body == size, "rate_down: %" PRIu64 " of %" PRIu64
	    " bytes", d.body, size);
	if (d.t_end > d.t_mark && d.t_mark > 0 && d.t_end > d.t_open) {
		steady = (double)(d.body - d.mark) * 1000 /
		    (double)(d.t_end - d.t_mark);
		whole = (double)d.body * 1000 / (double)(d.t_end - d.t_open);
		note("rate_down %" PRIu64 " B/s: measured %.0f B/s (%+.1f%%) "
		    "after the first %" PRIu64 " bytes, %.0f B/s over the "
		    "whole %" PRId64 " ms", rate, steady,
		    (steady - (double)rate) * 100 / (double)rate, d.mark,
		    whole, d.t_end - d.t_open);
		check(steady >= rate * 0.9 && steady <= rate * 1.1,
		    "rate_down: %.0f B/s is not within 10%% of %" PRIu64,
		    steady, rate);
	} else
		check(0, "rate_down: no timing");
	if (d.fd != -1)
		close(d.fd);
	pthread_mutex_destroy(&d.mu);
	e.p.rate_down = 0;

	/*
	 * rate_up: uploads of R and 4R bytes with a pause between, so each
	 * starts with the same bucket: the difference of their times is
	 * 3R at the rate, whatever the burst and the buffers.
	 */
	e.p.rate_up = rate;
	env_policy(&e);
	t1 = upload(&e, rate);
	sleep_ms(2000);
	t4 = upload(&e, 4 * rate);
	if (check(t1 > 0 && t4 > t1, "rate_up: uploads took %" PRId64 " and %"
	    PRId64 " ms", t1, t4)) {
		up = (double)(3 * rate) * 1000 / (double)(t4 - t1);
		note("rate_up %" PRIu64 " B/s: %" PRIu64 " bytes in %" PRId64
		    " ms, %" PRIu64 " in %" PRId64 " ms: %.0f B/s (%+.1f%%)",
		    rate, rate, t1, 4 * rate, t4, up,
		    (up - (double)rate) * 100 / (double)rate);
		check(up >= rate * 0.9 && up <= rate * 1.1,
		    "rate_up: %.0f B/s is not within 10%% of %" PRIu64,
		    up, rate);
	}
	env_close(&e);
	return sdk_failed;
}

/*
 * Consent withdrawn while a relay runs: DRAINING, the relay gets
 * grace_ms, then it is cut and the node WAITING; consent again: sharing.
 */
static int
do_drain(char **av)
{
	struct env	 e;
	struct dl	 d;
	int64_t		 t0, t_wait = -1, t_cut;

	if (env_open(&e, av, "drain") == -1)
		return 1;
	e.p.grace_ms = 1500;
	env_policy(&e);
	dl_init(&d, e.socks, e.origin, "/slow/400000/200", 30000);
	dl_start(&d);
	check(dl_wait_body(&d, 1, 10000) && dl_body(&d) > 0,
	    "the slow download did not start");
	e.p.consent = 0;
	t0 = now_ms();
	env_policy(&e);
	check(host_wait(&e.h, TENTACLE_DRAINING, NULL, 2000),
	    "consent withdrawn with a relay running: %s, not draining",
	    tentacle_state_name(host_state(&e.h, NULL, 0)));
	if (host_wait(&e.h, TENTACLE_WAITING, NULL, 6000))
		t_wait = now_ms() - t0;
	while (!dl_done(&d) && now_ms() - t0 < 8000)
		sleep_ms(20);
	t_cut = now_ms() - t0;
	note("draining, then waiting after %" PRId64 " ms (grace 1500); the "
	    "download ended after %" PRId64 " ms with %" PRIu64 " of 400000 "
	    "bytes", t_wait, t_cut, dl_body(&d));
	check(t_wait >= 1400 && t_wait < 4000, "waiting after %" PRId64
	    " ms, grace 1500", t_wait);
	check(dl_done(&d) && dl_body(&d) < 400000, "the relay was not cut");
	check(t_cut >= 1400, "the relay was cut before its grace: %" PRId64
	    " ms", t_cut);
	dl_cut(&d);
	dl_join(&d);
	e.p.consent = 1;
	env_policy(&e);
	expect_sharing(&e, "consent again");
	env_close(&e);
	return sdk_failed;
}

/*
 * The day's and month's counts outlive the node: a node with a state
 * directory counts a download, is freed (the usage file written), and a
 * new node of the same name and directory starts from that count: with a
 * cap just above it, it is paused at once by the next download.
 */
static int
do_usage(char **av)
{
	const char *const args[] = { "-allow", "127.0.0.0/8", NULL };
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	struct tentacle_status		 st;
	struct tentacle_node		*n;
	struct host			 h;
	char				 err[256], path[1024], line[128];
	uint64_t			 before = 0, t1 = 0;
	int				 round, socks = num(av[2]), origin = num(av[3]);
	FILE				*f;

	for (round = 0; round < 2; round++) {
		host_init(&h, "usage", NULL);
		tentacle_node_config_init(&c);
		c.hub = av[0];
		c.fingerprint = pin(av[1]);
		c.insecure = c.fingerprint == NULL;
		c.name = "usage";
		c.state_dir = av[4];
		c.args = args;
		c.on_state = host_state_cb;
		c.arg = &h;
		policy_yes(&p);
		if (round == 1)
			p.bytes_per_day = t1 + 1000;
		c.policy = &p;
		if (!check((n = tentacle_node_new(&c, err, sizeof err)) != NULL,
		    "round %d: tentacle_node_new: %s", round, err))
			return 1;
		check(tentacle_node_start(n) == 0, "start");
		check(host_wait(&h, TENTACLE_SHARING, NULL, 15000),
		    "round %d: not sharing", round);
		sleep_ms(600);
		if (!node_status(n, &st))
			return 1;
		if (round == 0) {
			before = st.bytes_today;
			check(fetch(socks, origin, "/bytes/100000", 10000) ==
			    100000, "the download failed");
			sleep_ms(600);
			node_status(n, &st);
			t1 = st.bytes_today;
			note("first node: %" PRIu64 " bytes today, %" PRIu64
			    " before the download", t1, before);
			check(t1 >= before + 100000, "the download was not "
			    "counted");
		} else {
			note("second node, same name and state_dir: starts "
			    "at %" PRIu64 " bytes today", st.bytes_today);
			check(st.bytes_today >= t1, "the count did not carry "
			    "over: %" PRIu64 " < %" PRIu64, st.bytes_today, t1);
			fetch(socks, origin, "/bytes/100000", 10000);
			check(host_wait(&h, TENTACLE_PAUSED, "cap", 10000),
			    "not paused by the cap it carried over");
		}
		tentacle_node_free(n);
		host_destroy(&h);
	}
	snprintf(path, sizeof path, "%s/usage-usage", av[4]);
	if (check((f = fopen(path, "r")) != NULL, "no %s", path)) {
		while (fgets(line, sizeof line, f) != NULL)
			note("%s: %.*s", path, (int)strcspn(line, "\n"), line);
		fclose(f);
	}
	return sdk_failed;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "consent") == 0)
		return do_consent();
	if (argc == 6 && strcmp(argv[1], "rules") == 0)
		return do_rules(argv + 2);
	if (argc == 6 && strcmp(argv[1], "bytecap") == 0)
		return do_bytecap(argv + 2);
	if (argc == 6 && strcmp(argv[1], "drain") == 0)
		return do_drain(argv + 2);
	if (argc == 7 && strcmp(argv[1], "usage") == 0)
		return do_usage(argv + 2);
	if (argc == 6 && strcmp(argv[1], "rate") == 0)
		return do_rate(argv + 2);
	fprintf(stderr, "usage: policy consent | rules|bytecap|drain|rate HUB "
	    "FP SOCKS ORIGIN | usage HUB FP SOCKS ORIGIN DIR\n");
	return 2;
}
