/*
 * libnode: N libtentacle nodes in one process, for bench/run's "sdk" part
 * (doc/performance.md): the library's memory and speed beside
 * `tentacle start`'s, and a rate cap's accuracy.
 *
 *	libnode -s HOST:PORT (-f FINGERPRINT | -i) [-n NODES] [-r RATE_DOWN]
 *
 * Prints "ready NODES ms" once every node shares, then runs until
 * SIGTERM, and prints "stopped ms" (tentacle_node_stop() of them all).
 * Exit 1 on a bad start.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libtentacle.h>

#define NODES_MAX	64

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static int
sharing(struct tentacle_node *n)
{
	struct tentacle_status	 st;

	st.size = sizeof st;
	return (tentacle_node_status(n, &st) == 0 &&
	    st.state == TENTACLE_SHARING);
}

int
main(int argc, char **argv)
{
	const char			*args[] = { "-allow", "127.0.0.0/8", NULL };
	struct tentacle_node		*node[NODES_MAX];
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	char				 err[256], name[32];
	const char			*hub = NULL, *fp = NULL;
	uint64_t			 t0;
	int				 ch, i, n = 1, insecure = 0, ready;
	sigset_t			 set;

	tentacle_policy_init(&p, TENTACLE_PROFILE_DESKTOP);
	p.consent = 1;
	while ((ch = getopt(argc, argv, "f:in:r:s:")) != -1) {
		switch (ch) {
		case 'f': fp = optarg; break;
		case 'i': insecure = 1; break;
		case 'n': n = atoi(optarg); break;
		case 'r': p.rate_down = strtoull(optarg, NULL, 10); break;
		case 's': hub = optarg; break;
		default: return (1);
		}
	}
	if (hub == NULL || n < 1 || n > NODES_MAX || (fp == NULL && !insecure))
		return (1);
	/* SIGTERM waits for sigwait() below; the nodes' threads take none. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		tentacle_node_config_init(&c);
		snprintf(name, sizeof name, "lib%d", i);
		c.hub = hub;
		c.name = name;
		c.fingerprint = fp;
		c.insecure = insecure;
		c.args = args;
		c.policy = &p;
		if ((node[i] = tentacle_node_new(&c, err, sizeof err)) == NULL ||
		    tentacle_node_start(node[i]) == -1) {
			fprintf(stderr, "libnode: %s\n", node[i] == NULL ? err :
			    "cannot start");
			return (1);
		}
	}
	for (ready = 0; ready < n && now_ms() - t0 < 20000; ) {
		usleep(10000);
		for (ready = 0, i = 0; i < n; i++)
			ready += sharing(node[i]);
	}
	if (ready < n) {
		fprintf(stderr, "libnode: %d of %d nodes sharing\n", ready, n);
		return (1);
	}
	printf("ready %d %llu\n", n, (unsigned long long)(now_ms() - t0));
	fflush(stdout);
	sigwait(&set, &ch);
	t0 = now_ms();
	for (i = 0; i < n; i++)
		tentacle_node_stop(node[i]);
	printf("stopped %llu\n", (unsigned long long)(now_ms() - t0));
	for (i = 0; i < n; i++)
		tentacle_node_free(node[i]);
	return (0);
}
