/*
 * node_conf.c: the node's configuration: its flags (which tentacle.c
 * also parses before a command word), its config file ("key: value",
 * doc/tentacle.1 FILES), and node_conf_resolve(), the one place where a
 * flag beats the file and the file beats the default.  Owns the trust
 * setup (how the node knows its hub, doc/tls.md) and the redial action's
 * command; the rest of the node reads only struct node_conf.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tentacle.h"
#include "acl.h"
#include "frame.h"
#include "node.h"
#include "opt.h"
#include "route.h"
#include "tls.h"
#include "token.h"

#define REDIAL_TIMEOUT_MS	60000	/* redial_timeout default */
#define REDIAL_MIN_MS		10000	/* redial_min_interval default */
#define SHUTDOWN_GRACE_MS	10000	/* shutdown_grace default */

/* Names the user name syntax can route (route.h), and why. */
#define NODE_CONF_NAME_CHARS	"use 1-63 of A-Z a-z 0-9 . _ (no '-': the " \
	"proxy user name USER-node-NAME uses '-' between its keys, so a '-' " \
	"in a name cannot be routed to)"
#define NODE_CONF_POOL_CHARS	"use 1-31 of A-Z a-z 0-9 . _ (no '-': the " \
	"proxy user name USER-pool-NAME uses '-' between its keys, so a '-' " \
	"in a pool name cannot be routed to)"

/* The flags as given; NULL or 0: not given. */
static struct {
	const char	*config;
	const char	*server;	/* HOST:PORT */
	const char	*token;
	const char	*name;
	const char	*log;
	const char	*log_level;
	const char	*allow;		/* comma list */
	const char	*deny;		/* comma list */
	const char	*bind;
	const char	*data_addr;
	const char	*fingerprint;
	const char	*ca_file;
	const char	*state_dir;
	int		 insecure;
	int		 pool_size;
	const char	*log_format;
	int64_t		 shutdown_grace;	/* -1: not given */
	int		 library;	/* a library host's: no ~/.tentacler */
} nf = { .shutdown_grace = -1 };

static struct opt node_opts[] = {
	{ "config", OPT_STRING, &nf.config, "Path to tentacle "
	    "configuration file (\"key: value\" lines).", "$HOME/.tentacler",
	    0, 0, 0 },
	{ "server", OPT_STRING, &nf.server, "Hub control address "
	    "HOST:PORT (overrides server_addr)", NULL, 0, 0, 0 },
	{ "token", OPT_STRING, &nf.token, "Node authentication token "
	    "(overrides auth_token)", NULL, 0, 0, 0 },
	{ "name", OPT_STRING, &nf.name, "Node name, 1-63 of A-Z a-z 0-9 "
	    ". _ (default: the host name, '-' made '_')", NULL, 0, 0, 0 },
	{ "allow", OPT_STRING, &nf.allow, "Destinations to allow "
	    "despite the default policy: ADDR or CIDR, on one port with "
	    ":PORT ([ADDR6]:PORT), or :25; comma list, e.g. "
	    "127.0.0.1:8080", NULL, 0, 0, 0 },
	{ "data-addr", OPT_STRING, &nf.data_addr, "The hub's data "
	    "address HOST[:PORT], when it is neither the control "
	    "host nor a public address (a hub's WELCOME may point "
	    "data links nowhere else)", NULL, 0, 0, 0 },
	{ "bind", OPT_STRING, &nf.bind, "Source address of the "
	    "node's connections, to targets and to the hub (a "
	    "multi-address host's exit address)", NULL, 0, 0, 0 },
	{ "deny", OPT_STRING, &nf.deny, "More destinations to refuse "
	    "(wins over -allow): ADDR, CIDR, either with :PORT, or "
	    ":PORT; comma list", NULL, 0, 0, 0 },
	LOG_OPTS(&nf.log, &nf.log_level),
	{ "log-format", OPT_STRING, &nf.log_format, "Log lines as text, or "
	    "json: one object a line (overrides log_format)", "\"text\"", 0,
	    0, 0 },
	{ "shutdown-grace", OPT_DURATION, &nf.shutdown_grace, "On SIGTERM "
	    "or SIGINT, how long running relays get to finish (0: stop at "
	    "once; overrides shutdown_grace)", "10s", 0, 0, 0 },
	{ "fingerprint", OPT_STRING, &nf.fingerprint, "Pin the hub's "
	    "key: sha256:... as the hub prints it", NULL, 0, 0, 0 },
	{ "ca-file", OPT_STRING, &nf.ca_file, "Verify the hub's "
	    "certificate against these PEM CA certificates", NULL, 0,
	    0, 0 },
	{ "state-dir", OPT_STRING, &nf.state_dir, "Directory for "
	    "known_hosts (hub keys trusted on first use)",
	    "$TENTACLE_STATE_DIR, else /var/lib/tentacle (root), "
	    "~/.tentacle", 0, 0, 0 },
	{ "insecure", OPT_BOOL, &nf.insecure, "Plaintext links (the "
	    "hub must run -insecure too)", NULL, 0, 0, 0 },
	{ "pool-size", OPT_INT, &nf.pool_size, "Pool size for "
	    "connections to tentacle service (spare data links), 0 for "
	    "no pool", "0", 0, 1024, 0 },
	{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
};

/*
 * What the config file says; NULL, 0 or -1: it does not say (the -1s are
 * set before reading, so this stays out of the binary's data).
 */
static struct {
	char			*server;	/* server_addr */
	char			*token;		/* auth_token */
	char			*name;
	char			*log;
	char			*log_level;
	char			*fingerprint;
	char			*ca_file;
	char			*known_hosts;
	char			*state_dir;
	char			*dial_info;
	char			*bind;
	char			*data_addr;
	char			*redial;
	char			*log_format;
	int			 insecure;
	int			 shutdown_grace_ms;	/* -1: not said */
	int			 redial_timeout_ms;	/* 0: not said */
	int			 redial_min_ms;		/* -1: not said */
	int			 pool_size;		/* -1: not said */
	char			 pools[FRAME_POOLS_MAX][FRAME_POOL_MAX + 1];
	int			 npools;
	struct acl_entry	 allow[NODE_ACL_MAX];
	size_t			 nallow;
	struct acl_entry	 deny[NODE_ACL_MAX];
	size_t			 ndeny;
} nfile;

/* see tentacle.h */
int
node_conf_parse(int argc, char **argv, int *ind)
{
	char	*cause = NULL;
	int	 rc;

	rc = opt_parse(node_opts, argc, argv, ind, &cause);
	if (rc == OPT_HELP)
		return (node_conf_usage(0));
	if (rc == -1) {
		fprintf(stderr, "tentacle: %s\n", cause);
		free(cause);
		return (node_conf_usage(2));
	}
	return (-1);
}

/* see tentacle.h */
int
node_conf_usage(int status)
{
	FILE	*fp = status == 0 ? stdout : stderr;

	fprintf(fp,
	    "usage: tentacle [flags] start [POOL...]   run an exit node\n"
	    "       tentacle [flags] info [-json]      list the hub's exit "
	    "nodes\n"
	    "       tentacle [flags] drain|undrain|redial NODE\n"
	    "       tentacle version | help\n"
	    "(tentacler is the same as tentacle with these commands)\n\n"
	    "Flags:\n");
	opt_usage(fp, node_opts);
	fprintf(fp, "\nExamples:\n"
	    "\ttentacle start -server hub.example.net:4442 ilife codertool\n"
	    "\ttentacler -log=stdout -config=node.conf start   "
	    "(\"key: value\" lines, doc/node.conf.example)\n"
	    "\ttentacle version\n");
	return (status);
}

/* pools: a list of pool names, replacing what the file said before. */
static int
node_conf_file_pools(const char *value, char **cause)
{
	char	 list[FRAME_POOLS_MAX][64];
	int	 i, n;

	if ((n = opt_list_split(value, list, FRAME_POOLS_MAX, cause)) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!route_name_valid(list[i], FRAME_POOL_MAX)) {
			xasprintf(cause, "pool name \"%s\": %s", list[i],
			    NODE_CONF_POOL_CHARS);
			return (-1);
		}
		strlcpy(nfile.pools[i], list[i], sizeof nfile.pools[i]);
	}
	nfile.npools = n;
	return (0);
}

/* allow, deny: more entries on each line (up to NODE_ACL_MAX). */
static int
node_conf_file_acl(const char *key, const char *value, char **cause)
{
	struct acl_entry	*l = key[0] == 'a' ? nfile.allow : nfile.deny;
	size_t			*ln = key[0] == 'a' ? &nfile.nallow :
				    &nfile.ndeny;
	char			 list[NODE_ACL_MAX][64], *why = NULL;
	int			 i, n;

	if ((n = acl_list_split(value, list, NODE_ACL_MAX, cause)) == -1)
		return (-1);
	for (i = 0; i < n && *ln < NODE_ACL_MAX; i++) {
		if (acl_rule_parse(list[i], key[0] == 'a', &l[(*ln)++],
		    &why) == -1) {
			xasprintf(cause, "%s: %s", key, why);
			free(why);
			return (-1);
		}
	}
	return (0);
}

/* redial_timeout (1ms..24h), redial_min_interval (0s..24h). */
static int
node_conf_file_redial(const char *key, const char *value, char **cause)
{
	int		 timeout = strcmp(key, "redial_timeout") == 0;
	int64_t		 ms;
	struct opt	 o = { key, OPT_DURATION, &ms, "", NULL, 0, 0, 0 };

	if (opt_value_set(&o, key, value, cause) == -1)
		return (-1);
	if (ms < 0 || ms > 24 * 3600 * 1000LL || (timeout && ms == 0)) {
		xasprintf(cause, "%s: \"%s\" is out of range (%s to 24h)", key,
		    value, timeout ? "1ms" : "0s");
		return (-1);
	}
	if (timeout)
		nfile.redial_timeout_ms = (int)ms;
	else
		nfile.redial_min_ms = (int)ms;
	return (0);
}

/* One "key: value" of the config file (doc/tentacle.1 FILES). */
static int
node_conf_file_cb(const char *key, const char *value, void *arg __unused,
    char **cause)
{
	static const struct {
		const char	 *key;
		char		**value;
	} strings[] = {
		{ "server_addr", &nfile.server },
		{ "auth_token", &nfile.token },
		{ "name", &nfile.name },
		{ "log", &nfile.log },
		{ "log_level", &nfile.log_level },
		{ "fingerprint", &nfile.fingerprint },
		{ "ca_file", &nfile.ca_file },
		{ "known_hosts", &nfile.known_hosts },
		{ "state_dir", &nfile.state_dir },
		{ "dial_info", &nfile.dial_info },
		{ "bind", &nfile.bind },
		{ "data_addr", &nfile.data_addr },
		{ "redial", &nfile.redial },
		{ "log_format", &nfile.log_format },
	};
	int64_t		 ms;
	struct opt	 o[] = {
		{ "insecure", OPT_BOOL, &nfile.insecure, "", NULL, 0, 0, 0 },
		{ "pool_size", OPT_INT, &nfile.pool_size, "", NULL, 0, 1024,
		    0 },
	};
	struct opt	 grace = { "shutdown_grace", OPT_DURATION, &ms, "", NULL,
			    0, 0, 0 };
	size_t		 k;

	for (k = 0; k < nitems(strings); k++) {
		if (strcmp(key, strings[k].key) == 0) {
			free(*strings[k].value);
			*strings[k].value = xstrdup(value);
			return (0);
		}
	}
	for (k = 0; k < nitems(o); k++) {
		if (strcmp(key, o[k].name) == 0)
			return (opt_value_set(&o[k], key, value, cause));
	}
	if (strcmp(key, "redial_timeout") == 0 ||
	    strcmp(key, "redial_min_interval") == 0)
		return (node_conf_file_redial(key, value, cause));
	if (strcmp(key, "shutdown_grace") == 0) {
		if (opt_value_set(&grace, key, value, cause) == -1)
			return (-1);
		if (ms > 3600 * 1000LL) {
			xasprintf(cause, "shutdown_grace: '%s' is out of range "
			    "(expected a duration from 0s to 1h)", value);
			return (-1);
		}
		nfile.shutdown_grace_ms = (int)ms;
		return (0);
	}
	if (strcmp(key, "pools") == 0)
		return (node_conf_file_pools(value, cause));
	if (strcmp(key, "allow") == 0 || strcmp(key, "deny") == 0)
		return (node_conf_file_acl(key, value, cause));
	xasprintf(cause, "unknown key \"%s\" (known: server_addr, "
	    "auth_token, name, pools, pool_size, allow, deny, bind, "
	    "data_addr, fingerprint, ca_file, known_hosts, state_dir, "
	    "insecure, redial, "
	    "redial_timeout, redial_min_interval, dial_info, log, log_level, "
	    "log_format, shutdown_grace)",
	    key);
	return (-1);
}

/*
 * The config file: -config (it must exist), else $HOME/.tentacler when
 * there is one.  0, or 1 with *cause.
 */
static int
node_conf_read(struct node_conf *nc, char **cause)
{
	const char	*home;
	char		*why = NULL;

	nfile.redial_min_ms = -1;
	nfile.pool_size = -1;
	nfile.shutdown_grace_ms = -1;
	nc->config = nf.config;
	if (nf.config == NULL && !nf.library &&
	    (home = getenv("HOME")) != NULL) {
		snprintf(nc->home_config, sizeof nc->home_config,
		    "%s/.tentacler", home);
		if (access(nc->home_config, F_OK) == 0)
			nc->config = nc->home_config;
	}
	if (nc->config != NULL && opt_conf_load(nc->config,
	    node_conf_file_cb, NULL, &why) == -1) {
		xasprintf(cause, "tentacle: %s", why);
		free(why);
		return (2);	/* a bad key or value: as a bad flag */
	}
	return (0);
}

/* -allow, -deny: the flag's list.  -1 with *cause. */
static int
node_conf_acl(const char *name, const char *value, struct acl_entry *l,
    size_t *n, char **cause)
{
	char	 list[NODE_ACL_MAX][64], *why = NULL;
	int	 i, count;

	if ((count = acl_list_split(value, list, NODE_ACL_MAX, &why)) == -1)
		goto bad;
	*n = 0;
	for (i = 0; i < count; i++) {
		if (acl_rule_parse(list[i], name[0] == 'a', &l[(*n)++],
		    &why) == -1)
			goto bad;
	}
	return (0);
bad:
	xasprintf(cause, "tentacle: -%s: %s", name, why);
	free(why);
	return (-1);
}

/*
 * data_addr: HOST:PORT, [V6]:PORT, or a bare IP address (any port on it):
 * where WELCOME may also send data links.  Numeric only: it is checked
 * against what a hub says, never resolved.  -1 with *cause.
 */
static int
node_conf_data_addr(struct node_conf *nc, const char *v, char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&nc->data_sa;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&nc->data_sa;
	socklen_t		 len;
	char			*err = NULL, host[128];

	nc->data_set = nc->data_anyport = 0;
	if (v == NULL)
		return (0);
	memset(&nc->data_sa, 0, sizeof nc->data_sa);
	if (strlcpy(host, v[0] == '[' ? v + 1 : v, sizeof host) <
	    sizeof host && v[0] == '[' && host[strlen(host) - 1] == ']')
		host[strlen(host) - 1] = '\0';
	/*
	 * IPv6 first: musl's inet_pton(AF_INET) writes the parts it read
	 * before it fails, and sin_addr is where sin6_flowinfo lies.
	 */
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (core_addr_parse(v, &nc->data_sa, &len, &err) == -1 ||
	    strcmp(v, "localhost") == 0 || strncmp(v, "localhost:", 10) == 0) {
		free(err);
		xasprintf(cause, "tentacle: data_addr: \"%s\" is not an IP "
		    "address or IP:PORT (it is compared with what the hub "
		    "says, never resolved)", v);
		return (-1);
	}
	nc->data_anyport = nc->data_sa.ss_family != 0 && err == NULL &&
	    (sin->sin_family == AF_INET ? sin->sin_port == 0 :
	    sin6->sin6_port == 0);
	nc->data_set = 1;
	return (0);
}

/*
 * bind: a numeric address (port 0) for the node's outgoing sockets; NULL
 * or "" for none.  On error (-1 with *cause), nc keeps its old one.
 */
static int
node_conf_bind(struct node_conf *nc, const char *b, char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = 0;
	char			 addr[300];

	if (b != NULL && *b != '\0') {
		snprintf(addr, sizeof addr, strchr(b, ':') != NULL ?
		    "[%s]:0" : "%s:0", b);
		if (core_addr_parse(addr, &ss, &sslen, cause) == -1)
			return (-1);
		memcpy(&nc->bind_sa, &ss, sizeof nc->bind_sa);
	}
	nc->bind = b;
	nc->bind_len = sslen;
	return (0);
}

/*
 * How this node trusts its hub (doc/tls.md): the TLS configuration, or
 * none for insecure.  Trust on first use needs somewhere to keep what it
 * learns: the known_hosts directory is made (0700) if missing.  0, or 1
 * with *cause.
 */
static int
node_conf_trust(struct node_conf *nc, const char *fingerprint,
    const char *ca_file, const char *known_hosts, int insecure, char **cause)
{
	char		 dir[1100], *slash, *why = NULL;
	struct stat	 st;

	if (insecure)
		return (0);
	strlcpy(dir, known_hosts, sizeof dir);
	if (fingerprint == NULL && ca_file == NULL &&
	    (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (dir[0] != '\0' && stat(dir, &st) == -1 &&
		    (errno != ENOENT || mkdir(dir, 0700) == -1)) {
			xasprintf(cause, "tentacle: cannot create %s for "
			    "known_hosts: %s (give -state-dir, or pin the hub "
			    "with -fingerprint)", dir, strerror(errno));
			return (1);
		}
	}
	if ((nc->tls = tls_client_conf(fingerprint, ca_file, known_hosts,
	    &why)) == NULL) {
		xasprintf(cause, "tentacle start: TLS: %s", why);
		free(why);
		return (1);
	}
	return (0);
}

/* Pools: the arguments after "start", else the config file's. */
static int
node_conf_pools(struct node_conf *nc, int npools, char **pools,
    char **cause)
{
	int	 i;

	if (npools == 0) {
		memcpy(nc->pools, nfile.pools, sizeof nc->pools);
		nc->npools = nfile.npools;
		return (0);
	}
	if (npools > FRAME_POOLS_MAX) {
		xasprintf(cause, "tentacle start: at most %d pools",
		    FRAME_POOLS_MAX);
		return (-1);
	}
	for (i = 0; i < npools; i++) {
		if (!route_name_valid(pools[i], FRAME_POOL_MAX)) {
			xasprintf(cause, "tentacle start: pool name \"%s\": "
			    "%s", pools[i], NODE_CONF_POOL_CHARS);
			return (-1);
		}
		strlcpy(nc->pools[i], pools[i], sizeof nc->pools[i]);
	}
	nc->npools = npools;
	return (0);
}

/* The hub's control address: "host:port" or "[v6]:port". */
static int
node_conf_hub(struct node_conf *nc, const char *s, char **cause)
{
	const char	*colon;
	char		*why = NULL;
	long long	 port;
	size_t		 hl;

	if (s == NULL) {
		xasprintf(cause, "tentacle start: no hub address: give -server "
		    "HOST:PORT or server_addr in %s", nc->config != NULL ?
		    nc->config : "$HOME/.tentacler");
		return (-1);
	}
	nc->server = s;
	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		goto bad;
	if (opt_int_parse(colon + 1, 1, 65535, &port, &why) == -1) {
		free(why);
		goto bad;
	}
	hl = colon - s;
	if (s[0] == '[' && colon[-1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof nc->host)
		goto bad;
	memcpy(nc->host, s, hl);
	nc->host[hl] = '\0';
	snprintf(nc->port, sizeof nc->port, "%lld", port);
	return (0);
bad:
	xasprintf(cause, "tentacle start: hub address \"%s\": expected "
	    "HOST:PORT, e.g. hub.example.net:4442", nc->server);
	return (-1);
}

/*
 * The node's name: one given must be routable (doc/routing.md: a '-'
 * separates the user name's keys); the host name is made routable ('-'
 * becomes '_'), kept in name_host for node_main() to log.
 */
static int
node_conf_name(struct node_conf *nc, const char *name, char **cause)
{
	char	 host[256], out[ROUTE_NODE_MAX + 1];

	if (name != NULL) {
		if (!route_name_valid(name, FRAME_NAME_MAX)) {
			xasprintf(cause, "tentacle start: node name \"%s\": "
			    "%s", name, NODE_CONF_NAME_CHARS);
			return (-1);
		}
		strlcpy(nc->name, name, sizeof nc->name);
		return (0);
	}
	if (gethostname(host, sizeof host) == -1)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	if (route_name_from_host(host, out) && out[0] != '\0')
		strlcpy(nc->name_host, host, sizeof nc->name_host);
	strlcpy(nc->name, out[0] != '\0' ? out : "node", sizeof nc->name);
	return (0);
}

/*
 * The redial action: redial: COMMAND, else dial_info: ENTRY[,USER,PASS]
 * as pppd's "poff ENTRY; pon ENTRY" (user and password come from pppd's
 * own secrets files on Unix; on Windows RasDial() takes them, redial_win.c).
 */
static int
node_conf_redial(struct node_conf *nc, const char *cmd,
    const char *dial_info, char **cause)
{
	char	 entry[64];
	size_t	 n;

	if (cmd != NULL && cmd[0] != '\0') {
		nc->redial_cmd = xstrdup(cmd);
		nc->redial = FRAME_REDIAL_COMMAND;
		return (0);
	}
	if (dial_info == NULL || dial_info[0] == '\0')
		return (0);
	n = strcspn(dial_info, ",");
	if (n >= sizeof entry) {
		xasprintf(cause, "tentacle start: dial_info: the entry name is "
		    "too long");
		return (-1);
	}
	memcpy(entry, dial_info, n);
	entry[n] = '\0';
	if (!frame_name_valid(entry, sizeof entry - 1)) {
		xasprintf(cause, "tentacle start: dial_info: \"%s\": expected "
		    "ENTRY[,USER,PASSWORD], ENTRY of A-Z a-z 0-9 . _ -",
		    entry);
		return (-1);
	}
	xasprintf(&nc->redial_cmd, "poff %s; sleep 1; pon %s", entry, entry);
	nc->redial = FRAME_REDIAL_DIALINFO;
	nc->dial_info = xstrdup(dial_info);	/* RasDial's */
	return (0);
}

/*
 * Every setting: the flag, else the file, else the default, in this one
 * place.  NODE_CONF_ADMIN stops after what admin.c needs.  0, or the exit
 * status with *cause.
 */
static int
node_conf_resolve(struct node_conf *nc, int what, int npools, char **pools,
    char **cause)
{
	const char	*level, *token;
	char		*why = NULL;
	int		 rc;

	/* -allow, -deny: a flag replaces the file's list. */
	memcpy(nc->allow, nfile.allow, sizeof nc->allow);
	nc->nallow = nfile.nallow;
	memcpy(nc->deny, nfile.deny, sizeof nc->deny);
	nc->ndeny = nfile.ndeny;
	if ((nf.allow != NULL && node_conf_acl("allow", nf.allow, nc->allow,
	    &nc->nallow, cause) == -1) || (nf.deny != NULL &&
	    node_conf_acl("deny", nf.deny, nc->deny, &nc->ndeny, cause) == -1))
		return (2);
	nc->bind_flag = nf.bind != NULL;
	if (node_conf_bind(nc, nf.bind != NULL ? nf.bind : nfile.bind,
	    &why) == -1) {
		xasprintf(cause, "tentacle: %s", why);
		free(why);
		return (2);
	}
	if (node_conf_data_addr(nc, nf.data_addr != NULL ? nf.data_addr :
	    nfile.data_addr, cause) == -1)
		return (2);
	nc->state_dir = nf.state_dir != NULL ? nf.state_dir :
	    nfile.state_dir != NULL ? nfile.state_dir : core_state_dir();
	/* -pool-size 0 is also the default: it leaves pool_size: be. */
	nc->pool_size = nf.pool_size > 0 ? nf.pool_size :
	    nfile.pool_size != -1 ? nfile.pool_size : 0;
	/*
	 * Admin commands go to the admin socket: a node flag before the
	 * command (-server from the seed's "tentacler -server H info") is
	 * the node's and plays no part.
	 */
	if (what == NODE_CONF_ADMIN)
		return (0);

	/* known_hosts: the file's, unless -state-dir names another place. */
	snprintf(nc->known_hosts, sizeof nc->known_hosts, "%s/known_hosts",
	    nc->state_dir);
	/* insecure: the flag or the file, either one says so. */
	if ((rc = node_conf_trust(nc, nf.fingerprint != NULL ? nf.fingerprint :
	    nfile.fingerprint, nf.ca_file != NULL ? nf.ca_file : nfile.ca_file,
	    nfile.known_hosts != NULL && nf.state_dir == NULL ?
	    nfile.known_hosts : nc->known_hosts, nf.insecure || nfile.insecure,
	    cause)) != 0)
		return (rc);
	if (node_conf_pools(nc, npools, pools, cause) == -1 ||
	    node_conf_hub(nc, nf.server != NULL ? nf.server : nfile.server,
	    cause) == -1 ||
	    node_conf_name(nc, nf.name != NULL ? nf.name : nfile.name,
	    cause) == -1)
		return (2);
	token = nf.token != NULL ? nf.token : nfile.token;
	if (token != NULL && !token_valid(token)) {
		xasprintf(cause, "tentacle start: auth_token: a token is "
		    "16-128 characters of A-Z a-z 0-9 . _ ~ + / = - (the hub "
		    "operator makes one with 'tentacle token')");
		return (2);
	}
	nc->token = token;
	nc->redial_timeout_ms = nfile.redial_timeout_ms != 0 ?
	    nfile.redial_timeout_ms : REDIAL_TIMEOUT_MS;
	nc->redial_min_ms = nfile.redial_min_ms != -1 ?
	    nfile.redial_min_ms : REDIAL_MIN_MS;
	if (node_conf_redial(nc, nfile.redial, nfile.dial_info, cause) == -1)
		return (2);
	nc->log = nf.log != NULL ? nf.log : nfile.log != NULL ? nfile.log :
	    "stdout";
	level = nf.log_level != NULL ? nf.log_level :
	    nfile.log_level != NULL ? nfile.log_level : "INFO";
	if (log_level_parse(level, &nc->log_level) == -1) {
		xasprintf(cause, "tentacle start: log level \"%s\" is not one "
		    "of DEBUG, INFO, WARNING, ERROR", level);
		return (2);
	}
	level = nf.log_format != NULL ? nf.log_format : nfile.log_format;
	nc->log_json = level != NULL && strcmp(level, "json") == 0;
	if (level != NULL && !nc->log_json && strcmp(level, "text") != 0) {
		xasprintf(cause, "tentacle start: log_format \"%s\": text or "
		    "json", level);
		return (2);
	}
	if (nf.shutdown_grace > 3600 * 1000LL) {
		xasprintf(cause, "tentacle start: -shutdown-grace: at most 1h");
		return (2);
	}
	nc->shutdown_grace_ms = nf.shutdown_grace >= 0 ?
	    (int)nf.shutdown_grace : nfile.shutdown_grace_ms >= 0 ?
	    nfile.shutdown_grace_ms : SHUTDOWN_GRACE_MS;
	return (0);
}

/*
 * The strings nc points at, copied into its own allocations (flags point
 * into argv or a library host's config, file values into nfile): a node
 * keeps them until node_conf_free().  -1 when out of memory.
 */
static int
node_conf_own(struct node_conf *nc)
{
	const char	**s[] = { &nc->config, &nc->state_dir, &nc->bind,
			    &nc->server, &nc->token, &nc->log };
	size_t		  i;

	for (i = 0; i < nitems(s); i++) {
		if (*s[i] == NULL)
			continue;
		if (*s[i] == nc->home_config)
			continue;	/* in nc already */
		if ((nc->owned[i] = strdup(*s[i])) == NULL)
			return (-1);
		*s[i] = nc->owned[i];
	}
	return (0);
}

/* Forget the flags and the file: the next node starts from nothing. */
static void
node_conf_reset(void)
{
	char	**strings[] = { &nfile.server, &nfile.token, &nfile.name,
		    &nfile.log, &nfile.log_level, &nfile.fingerprint,
		    &nfile.ca_file, &nfile.known_hosts, &nfile.state_dir,
		    &nfile.dial_info, &nfile.bind, &nfile.data_addr,
		    &nfile.redial, &nfile.log_format };
	size_t	  i;

	for (i = 0; i < nitems(strings); i++)
		free(*strings[i]);
	memset(&nfile, 0, sizeof nfile);
	memset(&nf, 0, sizeof nf);
	nf.shutdown_grace = -1;
}

/* see node.h */
int
node_conf_load(struct node_conf **ncp, int what, int npools, char **pools,
    char **cause)
{
	struct node_conf	*nc;
	int			 rc;

	*ncp = NULL;
	if ((nc = calloc(1, sizeof *nc)) == NULL) {
		xasprintf(cause, "out of memory");
		rc = 1;
	} else if ((rc = node_conf_read(nc, cause)) == 0 &&
	    (rc = node_conf_resolve(nc, what, npools, pools, cause)) == 0 &&
	    node_conf_own(nc) == -1) {
		xasprintf(cause, "out of memory");
		rc = 1;
	}
	node_conf_reset();
	if (rc != 0)
		node_conf_free(nc);
	else
		*ncp = nc;
	return (rc);
}

/* see node.h */
void
node_conf_free(struct node_conf *nc)
{
	size_t	 i;

	if (nc == NULL)
		return;
	for (i = 0; i < nitems(nc->owned); i++)
		free(nc->owned[i]);
	free(nc->redial_cmd);
	free(nc->dial_info);
	if (nc->tls != NULL)
		tls_conf_free(nc->tls);
	free(nc);
}

/*
 * see node.h: a library host's settings as `tentacle start` flags, then
 * its fields on top (they win), resolved as the command's.
 */
int
node_conf_library(struct node_conf **ncp, char *const *args,
    const struct node_conf_fields *f, char **cause)
{
	struct node_conf	*nc;
	char			*argv[NODE_ARGS_MAX + 2];
	int			 argc = 1, ind = 1, rc, grace, named;

	*ncp = NULL;
	node_conf_reset();
	nf.library = 1;
	argv[0] = "tentacle";
	for (; args != NULL && args[argc - 1] != NULL; argc++) {
		if (argc > NODE_ARGS_MAX) {
			xasprintf(cause, "args: more than %d", NODE_ARGS_MAX);
			return (2);
		}
		argv[argc] = args[argc - 1];
	}
	argv[argc] = NULL;
	if ((rc = opt_parse(node_opts, argc, argv, &ind, cause)) == -1) {
		node_conf_reset();
		return (2);
	}
	if (rc == OPT_HELP || ind != argc) {
		xasprintf(cause, "args: \"%s\" is not a flag of `tentacle "
		    "start`", argv[ind < argc ? ind : 1]);
		node_conf_reset();
		return (2);
	}
	if (f->hub != NULL)
		nf.server = f->hub;
	if (f->token != NULL)
		nf.token = f->token;
	if (f->name != NULL)
		nf.name = f->name;
	if (f->fingerprint != NULL)
		nf.fingerprint = f->fingerprint;
	if (f->ca_file != NULL)
		nf.ca_file = f->ca_file;
	if (f->state_dir != NULL)
		nf.state_dir = f->state_dir;
	if (f->insecure)
		nf.insecure = 1;
	if (f->pool_size > 0)
		nf.pool_size = f->pool_size;
	if (nf.state_dir == NULL && nf.fingerprint == NULL &&
	    nf.ca_file == NULL && !nf.insecure) {
		xasprintf(cause, "no way to trust the hub: give its "
		    "fingerprint, a CA file, or a state directory (trust on "
		    "first use)");
		node_conf_reset();
		return (2);
	}
	grace = nf.shutdown_grace >= 0;
	named = nf.state_dir != NULL;
	if ((rc = node_conf_load(ncp, NODE_CONF_START, f->npools, f->pools,
	    cause)) != 0)
		return (rc);
	nc = *ncp;
	/* A host's node never runs commands: no redial action. */
	free(nc->redial_cmd);
	nc->redial_cmd = NULL;
	nc->redial = FRAME_REDIAL_NONE;
	/* stop() is prompt unless the host gave -shutdown-grace. */
	if (!grace)
		nc->shutdown_grace_ms = 0;
	/* Only a directory the host named is written to (the usage file). */
	if (!named)
		nc->state_dir = NULL;
	return (0);
}

/* Only bind: of the config file, re-read after a redial. */
static int
node_conf_reload_cb(const char *key, const char *value, void *arg,
    char **cause __unused)
{
	char	**bind = arg;

	if (strcmp(key, "bind") == 0) {
		free(*bind);
		*bind = xstrdup(value);
	}
	return (0);
}

/* see node.h */
void
node_conf_reload_bind(void)
{
	struct node_conf	*nc = node_conf;
	char			*b = NULL, *cause = NULL;
	const char		*old = nc->bind;

	if (nc->config == NULL || nc->bind_flag)
		return;
	if (opt_conf_load(nc->config, node_conf_reload_cb, &b,
	    &cause) == -1) {
		log_warnx("redial: re-reading %s: %s; keeping bind: %s",
		    nc->config, cause, old != NULL ? old : "(none)");
		free(cause);
		free(b);
		return;
	}
	if (node_conf_bind(nc, b, &cause) == -1) {
		log_warnx("redial: %s: %s; keeping bind: %s", nc->config,
		    cause, old != NULL ? old : "(none)");
		free(cause);
		free(b);
		return;
	}
	if ((old == NULL) != (b == NULL) || (old != NULL &&
	    strcmp(old, b) != 0))
		log_info("redial: %s now gives bind: %s (was %s)", nc->config,
		    b != NULL ? b : "(none)", old != NULL ? old : "(none)");
	free(nc->owned[NODE_OWNED_BIND]);
	nc->owned[NODE_OWNED_BIND] = b;
	nc->bind = b;
}
