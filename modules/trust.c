/*
 * trust.c: `tentacle trust forget [-state-dir DIR] [-known-hosts FILE]
 * HOST:PORT`: take a hub's key out of the node's known_hosts (trust on
 * first use, doc/tls.md), so that the node trusts the hub's new key at its
 * next connection.  The file's format and the rewrite are tls.c's.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "node.h"
#include "opt.h"
#include "tls.h"

static void
trust_usage(FILE *fp, struct opt *opts)
{
	fprintf(fp, "usage: tentacle trust forget [-state-dir DIR] "
	    "[-known-hosts FILE] HOST:PORT\n\nForget the key stored for hub "
	    "HOST:PORT (as the node's -server names it) in\nthe node's "
	    "known_hosts, so that its next connection trusts the hub's "
	    "current key\n(trust on first use).  Use it when the hub's key "
	    "changed on purpose.\n\nFlags:\n");
	opt_usage(fp, opts);
}

/* see tentacle.h */
int
trust_main(int argc, char **argv)
{
	static char	 path[1100];
	const char	*state_dir = NULL, *file = NULL;
	char		*cause = NULL;
	int		 ind = 1, rc;
	struct opt	 opts[] = {
		{ "state-dir", OPT_STRING, &state_dir, "The node's state "
		    "directory", "$TENTACLE_STATE_DIR, else "
		    "/var/lib/tentacle (root), ~/.tentacle", 0, 0, 0 },
		{ "known-hosts", OPT_STRING, &file, "The known_hosts file",
		    "STATE-DIR/known_hosts", 0, 0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	if ((rc = node_conf_load(&node_conf, NODE_CONF_ADMIN, 0, NULL,
	    &cause)) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return (rc);
	}
	if (argc > 1 && strcmp(argv[1], "forget") == 0)
		ind = 2;
	else if (argc > 1 && argv[1][0] != '-') {
		fprintf(stderr, "tentacle trust: unknown subcommand \"%s\"\n",
		    argv[1]);
		trust_usage(stderr, opts);
		return (2);
	}
	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		trust_usage(stdout, opts);
		return (0);
	}
	if (rc == -1 || ind != argc - 1 || argv[1][0] == '-') {
		fprintf(stderr, "tentacle trust: %s\n", rc == -1 ? cause :
		    ind >= argc ? "which hub? give HOST:PORT" :
		    argv[1][0] == '-' ? "forget what? tentacle trust forget "
		    "HOST:PORT" : "one hub at a time");
		free(cause);
		trust_usage(stderr, opts);
		return (2);
	}
	if (strchr(argv[ind], ':') == NULL || strpbrk(argv[ind], " \t\n") !=
	    NULL) {
		fprintf(stderr, "tentacle trust forget: \"%s\" is not HOST:PORT "
		    "(as the node's -server or server_addr names the hub)\n",
		    argv[ind]);
		return (2);
	}
	if (file == NULL) {
		snprintf(path, sizeof path, "%s/known_hosts", state_dir != NULL ?
		    state_dir : node_conf->state_dir);
		file = path;
	}
	if ((rc = tls_known_forget(file, argv[ind], &cause)) == -1) {
		fprintf(stderr, "tentacle trust forget: %s\n", cause);
		free(cause);
		return (1);
	}
	if (rc == 0) {
		fprintf(stderr, "tentacle trust forget: %s has no key for %s "
		    "(nothing removed)\n", file, argv[ind]);
		return (1);
	}
	printf("forgot the key of hub %s (%d line%s removed from %s): the "
	    "node's next connection trusts the key the hub has then\n",
	    argv[ind], rc, rc == 1 ? "" : "s", file);
	return (0);
}
