/*
 * host.c: the smallest host of libtentacle (doc/sdk.md).  An exit node of
 * HUB until SIGINT or SIGTERM, with the user's consent given by running it.
 *
 *	host HUB:PORT TOKEN sha256:FINGERPRINT [NAME]
 *
 * The library installs no signal handler, and its thread blocks every
 * signal: the host blocks SIGINT and SIGTERM too and waits for them with
 * sigwait(), then stops the node from its own thread.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "libtentacle.h"

/* On the node's thread: short, and no call that waits for the node. */
static void
on_state(void *arg, enum tentacle_state state, const char *why)
{
	(void)arg;
	printf("node: %s%s%s\n", tentacle_state_name(state),
	    why != NULL && *why != '\0' ? ": " : "", why != NULL ? why : "");
	fflush(stdout);
}

/* The hub unreachable, refusing us...: what a UI would show. */
static void
on_error(void *arg, const char *what)
{
	(void)arg;
	fprintf(stderr, "node: %s\n", what);
}

int
main(int argc, char **argv)
{
	struct tentacle_node_config	 c;
	struct tentacle_policy		 p;
	struct tentacle_status		 st;
	struct tentacle_node		*n;
	sigset_t			 set;
	char				 err[256];
	int				 sig;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: host HUB:PORT TOKEN FINGERPRINT "
		    "[NAME]\n");
		return 2;
	}
	if (tentacle_abi() != TENTACLE_ABI) {
		fprintf(stderr, "host: libtentacle ABI %d, built for %d\n",
		    tentacle_abi(), TENTACLE_ABI);
		return 1;
	}
	tentacle_policy_init(&p, TENTACLE_PROFILE_DESKTOP);
	p.consent = 1;		/* the user started us: that is the opt-in */

	tentacle_node_config_init(&c);
	c.hub = argv[1];
	c.token = argv[2];
	c.fingerprint = argv[3];
	c.name = argc == 5 ? argv[4] : NULL;
	c.on_state = on_state;
	c.on_error = on_error;
	c.policy = &p;
	if ((n = tentacle_node_new(&c, err, sizeof err)) == NULL) {
		fprintf(stderr, "host: %s\n", err);
		return 1;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (tentacle_node_start(n) == -1) {
		fprintf(stderr, "host: cannot start the node\n");
		tentacle_node_free(n);
		return 1;
	}
	printf("host: libtentacle %s; ^C stops\n", tentacle_version());
	fflush(stdout);
	sigwait(&set, &sig);

	tentacle_node_stop(n);	/* leaves the hub, closes every relay */
	st.size = sizeof st;
	if (tentacle_node_status(n, &st) == 0)
		printf("host: %s; %llu bytes up, %llu down\n", strsignal(sig),
		    (unsigned long long)st.bytes_up,
		    (unsigned long long)st.bytes_down);
	tentacle_node_free(n);
	return 0;
}
