/*
 * tentacle.c: main(): the command table and dispatch, nothing else.
 * One binary, several names (busybox style): tentacled is the hub,
 * tentacler the node's command line, tentacle both.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"

static int	 help_main(int, char **);

static const struct command {
	const char	*name;
	const char	*alias;		/* argv[0] that selects it */
	int		(*main)(int, char **);
	const char	*help;
} commands[] = {
	{ "server", "tentacled", hub_main,
	    "run the hub (control, data, SOCKS5 and HTTP ports)" },
	{ "start", "tentacler", client_main,
	    "run an exit node: start [POOL...]" },
	{ "info", NULL, client_main, "list the hub's exit nodes" },
	{ "drain", NULL, client_main,
	    "stop sending new requests to a node: drain NODE" },
	{ "undrain", NULL, client_main, "put a drained node back in service" },
	{ "redial", NULL, client_main,
	    "drain a node, then have it redial: redial NODE" },
	{ "passwd", NULL, passwd_main,
	    "write a proxy users-file line (like htpasswd)" },
	{ "token", NULL, token_main, "print a new random node token" },
	{ "version", NULL, version_main, "print version and build details" },
	{ "help", NULL, help_main, "print this help" },
};

void
usage_commands(void)
{
	size_t	 i;

	fprintf(stderr, "usage: tentacle COMMAND [flags] [args]\n"
	    "       tentacle [node flags] start|info ...\n\nCommands:\n");
	for (i = 0; i < nitems(commands); i++)
		fprintf(stderr, "  %-8s %s\n", commands[i].name,
		    commands[i].help);
	fprintf(stderr, "\nAlso installed as tentacled (= tentacle server) "
	    "and tentacler (= tentacle).\n"
	    "Run 'tentacle COMMAND -h' for a command's flags; "
	    "'man tentacle' for more.\n");
}

static int
help_main(int argc __unused, char **argv __unused)
{
	size_t	 i;

	printf("tentacle: a back-connect proxy.  The hub serves SOCKS5 and "
	    "HTTP proxy\nusers; every request leaves the internet from one "
	    "of its exit nodes.\n\nusage: tentacle COMMAND [flags] [args]\n"
	    "       tentacle [node flags] start|info ...\n\nCommands:\n");
	for (i = 0; i < nitems(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\nExamples:\n"
	    "  tentacle server                          "
	    "# hub on :4442 :4443 :8888 :8887\n"
	    "  tentacle start -server HUB:4442 ilife codertool\n"
	    "  curl -x socks5h://127.0.0.1:8888 http://example.org/\n"
	    "  tentacle info -server 127.0.0.1:4442 -json\n"
	    "\nAlso installed as tentacled (= tentacle server) and tentacler "
	    "(= tentacle).\nRun 'tentacle COMMAND -h' for a command's flags.\n");
	return (0);
}

int
main(int argc, char **argv)
{
	char	*copy, *base;
	size_t	 i;

	copy = xstrdup(argc > 0 && argv[0] != NULL ? argv[0] : "tentacle");
	base = basename(copy);
	for (i = 0; i < nitems(commands); i++) {
		if (commands[i].alias != NULL &&
		    strcmp(base, commands[i].alias) == 0) {
			/* tentacler keeps the seed's "[flags] command". */
			if (commands[i].main == client_main)
				return (client_main(argc, argv));
			return (commands[i].main(argc, argv));
		}
	}
	free(copy);
	if (argc < 2) {
		usage_commands();
		return (2);
	}
	/* "tentacle -config x start": node flags before the command. */
	if (argv[1][0] == '-' && strcmp(argv[1], "-h") != 0 &&
	    strcmp(argv[1], "-help") != 0 && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-version") != 0 &&
	    strcmp(argv[1], "--version") != 0)
		return (client_main(argc, argv));
	if (argv[1][0] == '-') {
		if (strstr(argv[1], "version") != NULL)
			return (version_main(1, argv + 1));
		return (help_main(argc, argv));
	}
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (commands[i].main == client_main)
			return (client_main(argc, argv));
		return (commands[i].main(argc - 1, argv + 1));
	}
	fprintf(stderr, "tentacle: unknown command \"%s\"\n", argv[1]);
	usage_commands();
	return (2);
}
