/*
 * info.c: `tentacle info`, `drain`, `undrain`, `redial`: ask the hub over
 * its admin socket (a Unix socket, doc/security.md; an admin HELLO,
 * doc/protocol.md) and print a table or JSON, or the command's answer.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "opt.h"

#define INFO_MAX_NODES	100000

static struct frame_info_node	*info_nodes;
static size_t			 info_n, info_cap;
static int			 info_state;	/* 0 hello, 1 nodes, 2 done */
static char			*info_error;
static const char		*info_path;	/* the admin socket */
static struct bufferevent	*info_bev;
static struct frame_admin	 info_admin;	/* op 0: info */
static struct frame_admin_reply	 info_reply;
static struct frame_info_end	 info_end;	/* the hub's guards */

static void
info_fail(const char *fmt, ...)
{
	va_list	 ap;

	if (info_error == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&info_error, fmt, ap) == -1)
			info_error = NULL;
		va_end(ap);
	}
	event_base_loopbreak(core_base);
}

static void
info_read_cb(struct bufferevent *bev, void *arg __unused)
{
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame		 f;
	struct frame_welcome	 wl;
	struct frame_bye	 bye;
	const char		*cause;
	uint8_t			 buf[FRAME_MAX];
	int			 n;
	char			 text[1100];

	for (;;) {
		n = frame_peek(in, &f, &cause);
		if (n == 0)
			return;
		if (n == -1)
			goto bad;
		if (f.type == FRAME_BYE) {
			if (frame_bye_parse(&f, &bye, &cause) == -1)
				goto bad;
			log_escape(text, sizeof text, bye.text,
			    strlen(bye.text));
			info_fail("the hub refused: %s", text);
			return;
		}
		switch (info_state) {
		case 0:
			if (frame_welcome_parse(&f, &wl, &cause) == -1)
				goto bad;
			if (info_admin.op != 0)
				bufferevent_write(bev, buf, frame_admin_encode(
				    buf, &info_admin));
			else
				bufferevent_write(bev, buf, frame_empty_encode(
				    buf, FRAME_INFO_REQ));
			info_state = 1;
			break;
		case 1:
			if (info_admin.op != 0) {
				if (frame_admin_reply_parse(&f, &info_reply,
				    &cause) == -1)
					goto bad;
				info_state = 2;
				event_base_loopbreak(core_base);
				return;
			}
			if (f.type == FRAME_INFO_END) {
				if (frame_info_end_parse(&f, &info_end,
				    &cause) == -1)
					goto bad;
				if (info_end.count != info_n) {
					cause = "node count does not match";
					goto bad;
				}
				info_state = 2;
				event_base_loopbreak(core_base);
				return;
			}
			if (info_n == INFO_MAX_NODES) {
				cause = "too many nodes";
				goto bad;
			}
			if (info_n == info_cap) {
				info_cap = info_cap ? info_cap * 2 : 16;
				info_nodes = xreallocarray(info_nodes,
				    info_cap, sizeof *info_nodes);
			}
			if (frame_info_node_parse(&f, &info_nodes[info_n],
			    &cause) == -1)
				goto bad;
			info_n++;
			break;
		default:
			return;
		}
		evbuffer_drain(in, n);
	}
bad:
	info_fail("protocol error from the hub: %s", cause);
}

static void
info_event_cb(struct bufferevent *bev, short what, void *arg __unused)
{
	struct frame_hello	 h;
	uint8_t			 buf[FRAME_MAX];
	int			 error = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		memset(&h, 0, sizeof h);
		h.version = FRAME_VERSION;
		h.role = FRAME_ROLE_ADMIN;
		strlcpy(h.build, version_string(), sizeof h.build);
		bufferevent_write(bev, buf, frame_hello_encode(buf, &h));
		return;
	}
	/*
	 * A BYE may wait, read or still in the socket (our HELLO may have
	 * met the closed socket first): the hub said why before closing.
	 */
	if (!(what & BEV_EVENT_TIMEOUT) && bufferevent_getfd(bev) != -1)
		evbuffer_read(bufferevent_get_input(bev), bufferevent_getfd(bev),
		    FRAME_MAX);
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		info_read_cb(bev, NULL);
		if (info_error != NULL || info_state == 2)
			return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		info_fail("%s: no answer within 10 s", info_path);
	else if (what & BEV_EVENT_EOF)
		info_fail("%s: the hub closed the connection", info_path);
	else
		info_fail("%s: %s%s", info_path, strerror(error),
		    error == ENOENT || error == ECONNREFUSED ? " (is the hub "
		    "running on this machine? give -admin PATH, the admin= "
		    "path of its \"hub ready\" line)" : error == EACCES ||
		    error == EPERM ? " (run as the hub's user or group, or "
		    "root)" : "");
}

/* Bytes in binary units: 512B, 1.5KiB, 12MiB, 3.0GiB. */
static const char *
info_bytes(uint64_t v, char *buf, size_t len)
{
	static const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB",
				    "PiB", "EiB" };
	double			 d = v;
	u_int			 u = 0;

	while (d >= 1024 && u < 6) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)v);
	else
		snprintf(buf, len, d < 9.95 ? "%.1f%s" : "%.0f%s", d, units[u]);
	return (buf);
}

/* A rate in bytes/s: "-" for none, 800B/s, 12k/s, 1.5M/s, 2.0G/s. */
static const char *
info_rate(uint64_t v, char *buf, size_t len)
{
	const char	*units = "BkMGT";
	double		 d = v;

	if (v == 0) {
		strlcpy(buf, "-", len);
		return (buf);
	}
	while (d >= 1024 && units[1] != '\0') {
		d /= 1024;
		units++;
	}
	if (*units == 'B')
		snprintf(buf, len, "%lluB/s", (unsigned long long)v);
	else
		snprintf(buf, len, d < 9.95 ? "%.1f%c/s" : "%.0f%c/s", d,
		    *units);
	return (buf);
}

static const char *
info_age(uint64_t since, char *buf, size_t len)
{
	time_t		 now = time(NULL);
	uint64_t	 s = (uint64_t)now > since ? now - since : 0;

	if (s < 120)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%llum", (unsigned long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%lluh", (unsigned long long)(s / 3600));
	else
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	return (buf);
}

static void
info_pools(const struct frame_info_node *n, char *buf, size_t len)
{
	int	 i;

	buf[0] = '\0';
	for (i = 0; i < n->npools; i++) {
		if (i > 0)
			strlcat(buf, ",", len);
		strlcat(buf, n->pools[i], len);
	}
}

/* Is node n in pool (NULL: every node)? */
static int
info_in_pool(const struct frame_info_node *n, const char *pool)
{
	int	 i;

	if (pool == NULL)
		return (1);
	for (i = 0; i < n->npools; i++)
		if (strcmp(n->pools[i], pool) == 0)
			return (1);
	return (0);
}

/*
 * The table: like `docker ps`, each column as wide as its widest cell, and
 * the wide text columns (POOLS, NAME, ADDRESS, OS/ARCH) cut, marked with a
 * '~', until a line fits INFO_COLS.
 */
#define INFO_COLS	100
#define INFO_NCOL	13
#define INFO_CELL	600

static const struct {
	const char	*name;
	int		 right;		/* right-aligned (numbers) */
	int		 min;		/* shrinks down to this */
} info_cols[INFO_NCOL] = {
	{ "ID", 0, 0 }, { "NAME", 0, 8 }, { "POOLS", 0, 7 },
	{ "STATE", 0, 0 }, { "ADDRESS", 0, 15 }, { "OS/ARCH", 0, 9 },
	{ "UP", 1, 0 },
	{ "RELAYS", 1, 0 }, { "POOL", 1, 0 }, { "SENT", 1, 0 },
	{ "RECV", 1, 0 }, { "RATE", 1, 0 }, { "RTT", 1, 0 }
};
/* The columns that may be cut, first pick on a tie. */
static const int	 info_shrink[] = { 2, 1, 4, 5 };

static const char	*info_states[] = { "up", "drained", "draining",
			    "redialing" };
static const char	*info_redials[] = { "none", "command", "dial_info" };

static void
info_row(char cell[INFO_NCOL][INFO_CELL], const size_t *w)
{
	char	 line[INFO_NCOL * INFO_CELL];
	size_t	 i, l;

	line[0] = '\0';
	for (i = 0; i < INFO_NCOL; i++) {
		l = strlen(cell[i]);
		if (l > w[i]) {
			cell[i][w[i] - 1] = '~';
			cell[i][w[i]] = '\0';
		}
		if (i > 0)
			strlcat(line, " ", sizeof line);
		l = strlen(line);
		snprintf(line + l, sizeof line - l, info_cols[i].right ?
		    "%*s" : "%-*s", (int)w[i], cell[i]);
	}
	/* No trailing blanks. */
	l = strlen(line);
	while (l > 0 && line[l - 1] == ' ')
		line[--l] = '\0';
	printf("%s\n", line);
}

static void
info_cells(const struct frame_info_node *n, char cell[INFO_NCOL][INFO_CELL])
{
	snprintf(cell[0], INFO_CELL, "%u", n->id);
	snprintf(cell[1], INFO_CELL, "%s", n->name);
	info_pools(n, cell[2], INFO_CELL);
	strlcpy(cell[3], info_states[n->state], INFO_CELL);
	snprintf(cell[4], INFO_CELL, "%s", n->remote[0] != '\0' ? n->remote :
	    "-");
	snprintf(cell[5], INFO_CELL, "%s/%s", n->os, n->arch);
	if (n->since == 0)
		strlcpy(cell[6], "-", INFO_CELL);
	else
		info_age(n->since, cell[6], INFO_CELL);
	snprintf(cell[7], INFO_CELL, "%u", n->relays);
	snprintf(cell[8], INFO_CELL, "%u", n->spare_idle);
	info_bytes(n->bytes_up, cell[9], INFO_CELL);
	info_bytes(n->bytes_down, cell[10], INFO_CELL);
	info_rate((uint64_t)n->up_rate + n->down_rate, cell[11], INFO_CELL);
	if (n->rtt_us == 0)
		strlcpy(cell[12], "-", INFO_CELL);
	else if (n->rtt_us < 1000)
		snprintf(cell[12], INFO_CELL, "%uus", n->rtt_us);
	else if (n->rtt_us < 10000)
		snprintf(cell[12], INFO_CELL, "%.1fms", n->rtt_us / 1e3);
	else
		snprintf(cell[12], INFO_CELL, "%ums", n->rtt_us / 1000);
}

/* Pool names and how many listed nodes are in each, sorted by name. */
struct info_pool {
	const char	*name;
	u_int		 nodes;
};

static int
info_pool_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct info_pool *)a)->name,
	    ((const struct info_pool *)b)->name));
}

/* What the hub's guards refused, when they refused anything. */
static void
info_guards(void)
{
	const struct frame_info_end	*e = &info_end;

	if (e->hs_now + e->hs_refused + e->hs_expired + e->flooded +
	    e->identity + e->admin_refused == 0)
		return;
	printf("guards: %u node links in handshake; %llu refused at the "
	    "handshake limits, %llu\n    past the handshake deadline; %llu "
	    "nodes cut for flooding, %llu refused another's\n    name; %llu "
	    "admin connections refused\n", e->hs_now,
	    (unsigned long long)e->hs_refused,
	    (unsigned long long)e->hs_expired, (unsigned long long)e->flooded,
	    (unsigned long long)e->identity,
	    (unsigned long long)e->admin_refused);
}

static void
info_summary(const char *pool)
{
	const struct frame_info_node	*n;
	struct info_pool		*pl = NULL;
	char		 line[INFO_COLS + 1], item[128], a[32], b[32], c[32];
	char		 d[32], rest[64], aw[64];
	uint64_t	 tup = 0, tdown = 0, rup = 0, rdown = 0;
	u_int		 relays = 0, nn = 0, away = 0, resting = 0;
	size_t		 i, k, npl = 0, cap = 0;
	int		 p;

	for (i = 0; i < info_n; i++) {
		n = &info_nodes[i];
		if (!info_in_pool(n, pool))
			continue;
		if (n->since == 0) {
			away++;		/* left to redial, not back yet */
			continue;
		}
		nn++;
		if (n->state != FRAME_NODE_ACTIVE)
			resting++;
		tup += n->bytes_up;
		tdown += n->bytes_down;
		rup += n->up_rate;
		rdown += n->down_rate;
		relays += n->relays;
		for (p = 0; p < n->npools; p++) {
			if (pool != NULL && strcmp(n->pools[p], pool) != 0)
				continue;
			for (k = 0; k < npl; k++)
				if (strcmp(pl[k].name, n->pools[p]) == 0)
					break;
			if (k == npl) {
				if (npl == cap) {
					cap = cap ? cap * 2 : 8;
					pl = xreallocarray(pl, cap,
					    sizeof *pl);
				}
				pl[npl].name = n->pools[p];
				pl[npl++].nodes = 0;
			}
			pl[k].nodes++;
		}
	}
	snprintf(rest, sizeof rest, " (%u drained or redialing)", resting);
	snprintf(aw, sizeof aw, ", %u away redialing", away);
	printf("%u node%s online%s%s, %u relay%s, now %s (down %s, up %s), "
	    "total %s sent, %s received\n", nn, nn == 1 ? "" : "s",
	    resting > 0 ? rest : "", away > 0 ? aw : "", relays,
	    relays == 1 ? "" : "s", info_rate(rup + rdown, a, sizeof a),
	    info_rate(rdown, b, sizeof b), info_rate(rup, c, sizeof c),
	    info_bytes(tup, d, sizeof d), info_bytes(tdown, item,
	    sizeof item));
	info_guards();
	if (npl == 0)
		return;
	qsort(pl, npl, sizeof *pl, info_pool_cmp);
	strlcpy(line, "pool", sizeof line);
	for (k = 0; k < npl; k++) {
		snprintf(item, sizeof item, "%s %s: %u%s", k == 0 ? "" : ",",
		    pl[k].name, pl[k].nodes, k > 0 ? "" : pl[k].nodes == 1 ?
		    " node" : " nodes");
		/* Wrap before INFO_COLS, continuing indented. */
		if (strlen(line) + strlen(item) > INFO_COLS) {
			printf("%s\n", line);
			strlcpy(line, "    ", sizeof line);
			strlcat(line, item + 2, sizeof line);
		} else
			strlcat(line, item, sizeof line);
	}
	printf("%s\n", line);
	free(pl);
}

static void
info_table(const char *pool)
{
	char		(*cells)[INFO_NCOL][INFO_CELL];
	char		 head[INFO_NCOL][INFO_CELL];
	size_t		 w[INFO_NCOL], total, i, j, nrow = 0, l;

	cells = xreallocarray(NULL, info_n + 1, sizeof *cells);
	for (j = 0; j < INFO_NCOL; j++) {
		strlcpy(head[j], info_cols[j].name, INFO_CELL);
		w[j] = strlen(head[j]);
	}
	for (i = 0; i < info_n; i++) {
		if (!info_in_pool(&info_nodes[i], pool))
			continue;
		info_cells(&info_nodes[i], cells[nrow]);
		for (j = 0; j < INFO_NCOL; j++)
			if ((l = strlen(cells[nrow][j])) > w[j])
				w[j] = l > INFO_CELL - 1 ? INFO_CELL - 1 : l;
		nrow++;
	}
	for (;;) {
		total = INFO_NCOL - 1;
		for (j = 0; j < INFO_NCOL; j++)
			total += w[j];
		if (total <= INFO_COLS)
			break;
		/* Cut the widest text column that may still give. */
		for (i = INFO_NCOL, j = 0; j < nitems(info_shrink); j++) {
			l = info_shrink[j];
			if (w[l] > (size_t)info_cols[l].min &&
			    w[l] > strlen(info_cols[l].name) &&
			    (i == INFO_NCOL || w[l] > w[i]))
				i = l;
		}
		if (i == INFO_NCOL)
			break;	/* numbers too wide: let it be */
		w[i]--;
	}
	info_row(head, w);
	for (i = 0; i < nrow; i++)
		info_row(cells[i], w);
	free(cells);
	info_summary(pool);
}

static void
info_json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
info_json(const char *pool)
{
	const struct frame_info_node	*n;
	size_t				 i, k = 0;
	int				 p;

	printf("{\"nodes\":[");
	for (i = 0; i < info_n; i++) {
		n = &info_nodes[i];
		if (!info_in_pool(n, pool))
			continue;
		printf("%s\n{\"id\":%u,\"name\":", k++ ? "," : "", n->id);
		info_json_str(n->name);
		printf(",\"pools\":[");
		for (p = 0; p < n->npools; p++) {
			if (p > 0)
				putchar(',');
			info_json_str(n->pools[p]);
		}
		printf("],\"remote\":");
		info_json_str(n->remote);
		printf(",\"os\":");
		info_json_str(n->os);
		printf(",\"arch\":");
		info_json_str(n->arch);
		printf(",\"version\":");
		info_json_str(n->build);
		printf(",\"since\":%llu,\"relays\":%u,\"dials_ok\":%u,"
		    "\"dials_failed\":%u,\"dials_denied\":%u,\"bytes_up\":%llu,"
		    "\"bytes_down\":%llu,\"rtt_us\":%u,\"pool_idle\":%u,"
		    "\"last_ok\":%llu,\"up_rate\":%u,\"down_rate\":%u",
		    (unsigned long long)n->since, n->relays, n->dials_ok,
		    n->dials_failed, n->dials_denied,
		    (unsigned long long)n->bytes_up,
		    (unsigned long long)n->bytes_down, n->rtt_us,
		    n->spare_idle, (unsigned long long)n->last_ok, n->up_rate,
		    n->down_rate);
		printf(",\"state\":\"%s\",\"redial\":\"%s\",\"redials\":%u,"
		    "\"redials_same\":%u,\"last_redial\":%llu,"
		    "\"next_redial\":%llu,\"addresses\":[",
		    info_states[n->state], info_redials[n->redial], n->redials,
		    n->redials_same, (unsigned long long)n->last_redial,
		    (unsigned long long)n->next_redial);
		for (p = 0; p < n->nhist; p++) {
			printf("%s{\"addr\":", p > 0 ? "," : "");
			info_json_str(n->hist[p].addr);
			printf(",\"since\":%llu}",
			    (unsigned long long)n->hist[p].since);
		}
		printf("]}");
	}
	printf("\n],\"hub\":{\"handshakes\":%u,\"handshakes_refused\":%llu,"
	    "\"handshakes_expired\":%llu,\"nodes_flooding\":%llu,"
	    "\"names_refused\":%llu,\"admin_refused\":%llu}}\n",
	    info_end.hs_now, (unsigned long long)info_end.hs_refused,
	    (unsigned long long)info_end.hs_expired,
	    (unsigned long long)info_end.flooded,
	    (unsigned long long)info_end.identity,
	    (unsigned long long)info_end.admin_refused);
}

/* "12s ago", "in 40s", "never": a unix time relative to now. */
static const char *
info_when(uint64_t t, char *buf, size_t len)
{
	char	 a[32];

	if (t == 0)
		strlcpy(buf, "never", len);
	else if (t > (uint64_t)time(NULL))
		snprintf(buf, len, "in %s", info_age(2 * (uint64_t)time(NULL) -
		    t, a, sizeof a));
	else
		snprintf(buf, len, "%s ago", info_age(t, a, sizeof a));
	return (buf);
}

/* -node NAME: everything about the nodes of that name (or id). */
static int
info_detail(const char *name)
{
	const struct frame_info_node	*n;
	char		 id[16], a[32], b[32], c[32], pools[600];
	size_t		 i;
	int		 h, found = 0;

	for (i = 0; i < info_n; i++) {
		n = &info_nodes[i];
		snprintf(id, sizeof id, "%u", n->id);
		if (strcmp(n->name, name) != 0 && strcmp(id, name) != 0)
			continue;
		if (found++)
			printf("\n");
		info_pools(n, pools, sizeof pools);
		printf("node %u (%s)\n", n->id, n->name);
		printf("  state      %s; redial action: %s\n",
		    info_states[n->state], info_redials[n->redial]);
		printf("  pools      %s\n", pools);
		if (n->since != 0)
			printf("  address    %s, connected %s\n", n->remote,
			    info_when(n->since, a, sizeof a));
		else
			printf("  address    - (away redialing)\n");
		printf("  system     %s/%s, %s\n", n->os, n->arch, n->build);
		printf("  relays     %u (%u idle pooled links); rtt %uus\n",
		    n->relays, n->spare_idle, n->rtt_us);
		printf("  dials      %u ok, %u failed (%u refused by policy); "
		    "last ok %s\n", n->dials_ok, n->dials_failed,
		    n->dials_denied, info_when(n->last_ok, a, sizeof a));
		printf("  bytes      %s sent, %s received; now %s\n",
		    info_bytes(n->bytes_up, a, sizeof a),
		    info_bytes(n->bytes_down, b, sizeof b),
		    info_rate((uint64_t)n->up_rate + n->down_rate, c,
		    sizeof c));
		printf("  redials    %u changed the address, %u did not; last "
		    "%s; next %s\n", n->redials, n->redials_same,
		    info_when(n->last_redial, a, sizeof a),
		    n->next_redial != 0 ? info_when(n->next_redial, b,
		    sizeof b) : "not planned");
		for (h = 0; h < n->nhist; h++)
			printf("  %-10s %s, seen %s\n", h == 0 ? "addresses" :
			    "", n->hist[h].addr, info_when(n->hist[h].since, a,
			    sizeof a));
	}
	if (found == 0) {
		fprintf(stderr, "tentacle info: no node named %s\n", name);
		return (1);
	}
	return (0);
}

/* see tentacle.h */
int
info_run(const char *state_dir, int argc, char **argv)
{
	struct timeval		 tv = { 10, 0 };
	struct sockaddr_un	 sun;
	const char		*flag_server = NULL, *pool = NULL;
	const char		*node = NULL, *cmd = argv[0];
	int			 json = 0, ind = 1, rc;
	char			*cause = NULL, path[sizeof sun.sun_path + 1];
	struct opt		 opts[] = {
		{ "admin", OPT_STRING, &info_path, "The hub's admin socket",
		    "STATE-DIR/admin.sock", 0, 0, 0 },
		{ "server", OPT_STRING, &flag_server, "(gone: the hub answers "
		    "on its admin socket only)", NULL, 0, 0, 0 },
		/* info only, from here */
		{ "json", OPT_BOOL, &json, "Print JSON", NULL, 0, 0, 0 },
		{ "pool", OPT_STRING, &pool, "Only the nodes in pool NAME",
		    NULL, 0, 0, 0 },
		{ "node", OPT_STRING, &node, "Everything about node NAME (or "
		    "id), its address history too", NULL, 0, 0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	if (strcmp(cmd, "drain") == 0)
		info_admin.op = FRAME_ADMIN_DRAIN;
	else if (strcmp(cmd, "undrain") == 0)
		info_admin.op = FRAME_ADMIN_UNDRAIN;
	else if (strcmp(cmd, "redial") == 0)
		info_admin.op = FRAME_ADMIN_REDIAL;
	else
		cmd = "info";
	if (info_admin.op != 0)
		memset(&opts[2], 0, sizeof opts[2]);	/* no -json ... */
	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == 0 && info_admin.op != 0 && ind < argc) {
		if (!frame_name_valid(argv[ind], FRAME_NAME_MAX)) {
			fprintf(stderr, "tentacle %s: \"%s\" is not a node "
			    "name or id\n", cmd, argv[ind]);
			return (2);
		}
		strlcpy(info_admin.node, argv[ind++], sizeof info_admin.node);
		/* Flags may also follow: "redial n1 -admin X". */
		rc = opt_parse(opts, argc, argv, &ind, &cause);
	}
	if (rc == OPT_HELP) {
		if (info_admin.op == 0)
			printf("usage: tentacle info [-admin PATH] [-json] "
			    "[-pool NAME] [-node NAME]\n\nList the hub's "
			    "exit nodes.  Runs on the hub's machine, as its "
			    "user or group:\nthe hub answers on its admin "
			    "socket only.\n\nFlags:\n");
		else
			printf("usage: tentacle %s [-admin PATH] NODE\n\n%s "
			    "node NODE (a name or an id).  Runs on the hub's "
			    "machine, as its\nuser or group: the hub answers "
			    "on its admin socket only.\n\nFlags:\n", cmd,
			    info_admin.op == FRAME_ADMIN_DRAIN ? "Drain: no "
			    "new requests go to" : info_admin.op ==
			    FRAME_ADMIN_UNDRAIN ? "Undrain: put back in "
			    "service" : "Redial: drain, then ask to redial");
		opt_usage(stdout, opts);
		return (0);
	}
	if (rc == -1 || ind < argc || (info_admin.op != 0 &&
	    info_admin.node[0] == '\0')) {
		fprintf(stderr, "tentacle %s: %s\nusage: tentacle %s "
		    "[-admin PATH] %s\n", cmd, rc == -1 ? cause :
		    ind < argc ? "unexpected argument" : "which node?", cmd,
		    info_admin.op != 0 ? "NODE" : "[-json] [-pool NAME] "
		    "[-node NAME]");
		return (2);
	}
	if (flag_server != NULL) {
		fprintf(stderr, "tentacle %s: -server: the hub answers admin "
		    "commands on its admin socket, not on the control port: "
		    "run this on the hub's machine (-admin PATH names the "
		    "socket; doc/security.md)\n", cmd);
		return (2);
	}
	if (info_path == NULL) {
		snprintf(path, sizeof path, "%s/admin.sock", state_dir);
		info_path = path;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, info_path, sizeof sun.sun_path) >=
	    sizeof sun.sun_path) {
		fprintf(stderr, "tentacle %s: %s: path too long\n", cmd,
		    info_path);
		return (2);
	}

	log_init("stderr", LOG_LEVEL_WARNING, "tentacle", &cause);
	core_init();
	if ((info_bev = bufferevent_socket_new(core_base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("out of memory");
	bufferevent_setcb(info_bev, info_read_cb, NULL, info_event_cb, NULL);
	bufferevent_set_timeouts(info_bev, &tv, &tv);
	bufferevent_enable(info_bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(info_bev, (struct sockaddr *)&sun,
	    sizeof sun) == -1)
		info_event_cb(info_bev, BEV_EVENT_ERROR, NULL);
	else
		core_loop();
	if (info_bev != NULL)
		bufferevent_free(info_bev);
	if (info_state != 2) {
		fprintf(stderr, "tentacle %s: %s\n", cmd, info_error != NULL ?
		    info_error : "no answer");
		return (1);
	}
	if (info_admin.op != 0) {
		char	 text[1100];

		log_escape(text, sizeof text, info_reply.text,
		    strlen(info_reply.text));
		fprintf(info_reply.status == FRAME_ADMIN_OK ? stdout : stderr,
		    "%s%s\n", info_reply.status == FRAME_ADMIN_OK ? "" :
		    "tentacle: ", text);
		return (info_reply.status == FRAME_ADMIN_OK ? 0 : 1);
	}
	rc = 0;
	if (node != NULL)
		rc = info_detail(node);
	else if (json)
		info_json(pool);
	else
		info_table(pool);
	free(info_nodes);
	return (rc);
}
