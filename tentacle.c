/*
 * tentacle.c: main(): the command table and dispatch, nothing else.
 * One binary, several names (busybox style): tentacled is the hub,
 * tentacler the node's command line, tentacle both.  Like dropbear's
 * dbmulti.c, the program name is tried first, then argv[1].
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tentacle.h"

/* The command may follow node flags: tentacle [node flags] CMD, tentacler. */
#define CMD_NODE	0x1

static int	 help_main(int, char **);
static int	 version_asked(int, char **, int);

static const struct command {
	const char	*name;
	const char	*alias;		/* argv[0] that selects it */
	int		(*main)(int, char **);
	int		 flags;		/* CMD_* */
	const char	*help;
} commands[] = {
	{ "server", "tentacled", hub_main, 0,
	    "run the hub (control, data, SOCKS5 and HTTP ports)" },
	{ "start", "tentacler", node_main, CMD_NODE,
	    "run an exit node: start [POOL...]" },
	{ "info", NULL, admin_main, CMD_NODE, "list the hub's exit nodes" },
	{ "drain", NULL, admin_main, CMD_NODE,
	    "stop sending new requests to a node: drain NODE" },
	{ "undrain", NULL, admin_main, CMD_NODE,
	    "put a drained node back in service" },
	{ "redial", NULL, admin_main, CMD_NODE,
	    "drain a node, then have it redial: redial NODE" },
	{ "passwd", NULL, passwd_main, 0,
	    "write a proxy users-file line (like htpasswd)" },
	{ "token", NULL, token_main, 0, "print a new random node token" },
	{ "trust", NULL, trust_main, CMD_NODE,
	    "forget a hub's stored key: trust forget HOST:PORT" },
	{ "service", NULL, service_main, 0,
	    "Windows service: install|uninstall|start|stop [hub|node]" },
	{ "version", NULL, version_main, CMD_NODE,
	    "print version and build details" },
	{ "help", NULL, help_main, CMD_NODE, "print this help" },
};

/* In the node's command line: help prints the node's usage. */
static int	 node_cli;

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
	    "'man tentacle' for more.\n"
	    "-V or --version, under any name and after any command, prints "
	    "the version.\n");
}

static int
help_main(int argc __unused, char **argv __unused)
{
	size_t	 i;

	if (node_cli)
		return (node_conf_usage(0));
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
	    "  tentacle info -json                     # on the hub's machine\n"
	    "\nAlso installed as tentacled (= tentacle server) and tentacler "
	    "(= tentacle).\nRun 'tentacle COMMAND -h' for a command's flags; "
	    "-V or --version, under any\nname and after any command, "
	    "prints the version.\n");
	return (0);
}

/*
 * -V, -version or --version among the arguments from argv[from] on (up to
 * "--"), under any name and after any command: the version, exit 0.  So
 * is "version" as the hub's only argument (tentacled version; the hub
 * takes no arguments, unlike start, whose POOL could be called that).
 */
static int
version_asked(int argc, char **argv, int from)
{
	int	 i;

	for (i = from; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "-version") == 0 ||
		    strcmp(argv[i], "--version") == 0)
			return (1);
	}
	return (0);
}

/* The command called name (or, alias set, installed as name) with flags. */
static const struct command *
command_find(const char *name, int alias, int flags)
{
	const struct command	*c;

	for (c = commands; c < commands + nitems(commands); c++) {
		if (strcmp(name, alias ? (c->alias != NULL ? c->alias : "") :
		    c->name) == 0 && (c->flags & flags) == flags)
			return (c);
	}
	return (NULL);
}

/*
 * The node's command line, as the seed's tentacler had it: node flags
 * (node_conf.c's table), then a CMD_NODE command, whose main gets argv
 * from the command word on; the flags stay parsed for it (start parses
 * more after the word, into the same table).
 */
static int
node_dispatch(int argc, char **argv)
{
	const struct command	*c;
	int			 ind = 1, rc;

	node_cli = 1;
	if ((rc = node_conf_parse(argc, argv, &ind)) != -1)
		return (rc);
	if (ind >= argc)
		return (node_conf_usage(2));
	if ((c = command_find(argv[ind], 0, CMD_NODE)) == NULL) {
		fprintf(stderr, "tentacle: unknown command \"%s\"\n",
		    argv[ind]);
		return (node_conf_usage(2));
	}
	return (c->main(argc - ind, argv + ind));
}

int
main(int argc, char **argv)
{
	static char		*version_argv[] = { "version", NULL };
	const struct command	*c;
	char			*copy, *name;
	size_t			 n, sn = strlen(COMPAT_EXE_SUFFIX);

	compat_init();
	/* Installed as tentacled: tentacle server; as tentacler: the node. */
	copy = xstrdup(argc > 0 && argv[0] != NULL ? argv[0] : "tentacle");
	name = basename(copy);
	if ((n = strlen(name)) > sn &&
	    strcasecmp(name + n - sn, COMPAT_EXE_SUFFIX) == 0)
		name[n - sn] = '\0';	/* tentacled.exe */
	c = command_find(name, 1, 0);
	free(copy);
	if (version_asked(argc, argv, 1) || (argc == 3 && c == NULL &&
	    strcmp(argv[1], "server") == 0 && strcmp(argv[2], "version") == 0) ||
	    (argc == 2 && c != NULL && c->main == hub_main &&
	    strcmp(argv[1], "version") == 0))
		return (version_main(1, version_argv));
	if (c != NULL)
		return (c->flags & CMD_NODE ? node_dispatch(argc, argv) :
		    c->main(argc, argv));
	if (argc < 2) {
		usage_commands();
		return (2);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "--help") == 0)
		return (help_main(argc - 1, argv + 1));
	/* "tentacle -config x start": node flags before the command. */
	if (argv[1][0] == '-')
		return (node_dispatch(argc, argv));
	if ((c = command_find(argv[1], 0, 0)) == NULL) {
		fprintf(stderr, "tentacle: unknown command \"%s\"\n", argv[1]);
		usage_commands();
		return (2);
	}
	return (c->main(argc - 1, argv + 1));
}
