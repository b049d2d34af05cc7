/*
 * admin.c: the admin commands, `tentacle info`, `drain`, `undrain` and
 * `redial`: ask the hub over its admin socket (a Unix socket, doc/
 * security.md, or a loopback TCP port and its cookie, doc/windows.md; an
 * admin HELLO, doc/protocol.md) and print a table or JSON, or the
 * command's answer.  Owns one admin session, from connect to
 * the printed answer; the hub's side is the hub's admin code.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/stat.h>

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
#include "peer.h"
#include "node.h"
#include "opt.h"
#include "tls.h"

#define ADMIN_MAX_NODES	100000
#define ADMIN_TIMEOUT_S	10

/* Where the session is: sent HELLO, sent the request, answered. */
#define ADMIN_HELLO	0
#define ADMIN_ASKED	1
#define ADMIN_DONE	2

/* The one admin session of this process. */
static struct {
	const char		*cmd;		/* "info", "drain", ... */
	const char		*path;		/* the admin socket */
	int			 tcp;		/* cookie first */
	uint8_t			 cookie[ADMIN_COOKIE_LEN];
	int			 json;		/* info -json */
	const char		*pool;		/* info -pool NAME */
	const char		*node;		/* info -node NAME */
	struct frame_admin	 req;		/* op 0: info */
	struct bufferevent	*bev;
	struct peer		 frames;	/* the hub's answer */
	int			 state;		/* ADMIN_* */
	char			*error;
	struct frame_admin_reply reply;
	struct frame_info_node	*nodes;
	size_t			 n, cap;
	struct frame_info_end	 end;		/* the hub's guards */
} ad;

static void	 admin_fail(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static const struct peer_ops admin_info_ops, admin_op_ops;

static void
admin_fail(const char *fmt, ...)
{
	va_list	 ap;

	if (ad.error == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&ad.error, fmt, ap) == -1)
			ad.error = NULL;
		va_end(ap);
	}
	event_base_loopbreak(core_base);
}

/* The hub's WELCOME: send the request (INFO_REQ, or ADMIN for the op). */
static int
admin_welcome(void *arg __unused, const struct frame *f, const char **cause)
{
	struct frame_welcome	 wl;
	uint8_t			 buf[FRAME_MAX];

	if (frame_welcome_parse(f, &wl, cause) == -1)
		return (PEER_ERROR);
	if (ad.req.op != 0) {
		bufferevent_write(ad.bev, buf, frame_admin_encode(buf,
		    &ad.req));
		peer_set_ops(&ad.frames, &admin_op_ops);
	} else {
		bufferevent_write(ad.bev, buf, frame_empty_encode(buf,
		    FRAME_INFO_REQ));
		peer_set_ops(&ad.frames, &admin_info_ops);
	}
	ad.state = ADMIN_ASKED;
	return (PEER_OK);
}

/* The answer was all there: the loop is over. */
static int
admin_done(void)
{
	ad.state = ADMIN_DONE;
	event_base_loopbreak(core_base);
	return (PEER_GONE);
}

static int
admin_reply(void *arg __unused, const struct frame *f, const char **cause)
{
	if (frame_admin_reply_parse(f, &ad.reply, cause) == -1)
		return (PEER_ERROR);
	return (admin_done());
}

static int
admin_info_node(void *arg __unused, const struct frame *f,
    const char **cause)
{
	if (ad.n == ADMIN_MAX_NODES) {
		*cause = "too many nodes";
		return (PEER_ERROR);
	}
	if (ad.n == ad.cap) {
		ad.cap = ad.cap ? ad.cap * 2 : 16;
		ad.nodes = xreallocarray(ad.nodes, ad.cap, sizeof *ad.nodes);
	}
	if (frame_info_node_parse(f, &ad.nodes[ad.n], cause) == -1)
		return (PEER_ERROR);
	ad.n++;
	return (PEER_OK);
}

static int
admin_info_end(void *arg __unused, const struct frame *f, const char **cause)
{
	if (frame_info_end_parse(f, &ad.end, cause) == -1)
		return (PEER_ERROR);
	if (ad.end.count != ad.n) {
		*cause = "node count does not match";
		return (PEER_ERROR);
	}
	return (admin_done());
}

static int
admin_bye(void *arg __unused, const struct frame *f, const char **cause)
{
	struct frame_bye	 bye;
	char			 text[1100];

	if (frame_bye_parse(f, &bye, cause) == -1)
		return (PEER_ERROR);
	log_escape(text, sizeof text, bye.text, strlen(bye.text));
	admin_fail("the hub refused: %s", text);
	return (PEER_GONE);
}

/* A TLS record where the hub's answer should be: a node port. */
static int
admin_tls_port(void)
{
	struct evbuffer	*in;
	size_t		 n;

	if (ad.bev == NULL)
		return (0);
	in = bufferevent_get_input(ad.bev);
	n = evbuffer_get_length(in);
	if (n == 0 || !tls_record_like(evbuffer_pullup(in, n < 2 ? n : 2), n))
		return (0);
	admin_fail("%s answers in TLS: that is one of the hub's node ports "
	    "(control or data), not its admin port; give -admin the admin= "
	    "address of the hub's \"hub ready\" line", ad.path);
	return (1);
}

static void
admin_error(void *arg __unused, int error __unused, const char *cause)
{
	if (!admin_tls_port())
		admin_fail("protocol error from the hub: %s", cause);
}

static const struct peer_handler admin_hello_handlers[] = {
	{ FRAME_BYE, admin_bye },
	{ FRAME_WELCOME, admin_welcome },
	{ 0, NULL }
};
static const struct peer_handler admin_info_handlers[] = {
	{ FRAME_BYE, admin_bye },
	{ FRAME_INFO_NODE, admin_info_node },
	{ FRAME_INFO_END, admin_info_end },
	{ 0, NULL }
};
static const struct peer_handler admin_op_handlers[] = {
	{ FRAME_BYE, admin_bye },
	{ FRAME_ADMIN_REPLY, admin_reply },
	{ 0, NULL }
};
/* WELCOME, then the answer: INFO_NODE... INFO_END, or ADMIN_REPLY. */
static const struct peer_ops admin_hello_ops = {
	admin_hello_handlers, admin_error, NULL, 0
};
static const struct peer_ops admin_info_ops = {
	admin_info_handlers, admin_error, NULL, 0
};
static const struct peer_ops admin_op_ops = {
	admin_op_handlers, admin_error, NULL, 0
};

static void
admin_event_cb(struct bufferevent *bev, short what, void *arg __unused)
{
	struct frame_hello	 h;
	uint8_t			 buf[FRAME_MAX];
	int			 error = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (ad.tcp)
			bufferevent_write(bev, ad.cookie, sizeof ad.cookie);
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
	if (admin_tls_port())
		return;
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		peer_read(&ad.frames);
		if (ad.error != NULL || ad.state == ADMIN_DONE)
			return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		admin_fail("%s: no answer within %d s", ad.path,
		    ADMIN_TIMEOUT_S);
	else if (what & BEV_EVENT_EOF)
		admin_fail("%s: the hub closed the connection", ad.path);
	else
		admin_fail("%s: %s%s", ad.path, strerror(error),
		    error == ENOENT || error == ECONNREFUSED ? " (is the hub "
		    "running on this machine? give -admin PATH, the admin= "
		    "path of its \"hub ready\" line)" : error == EACCES ||
		    error == EPERM ? " (run as the hub's user or group, or "
		    "root)" : "");
}

/* Bytes in binary units: 512B, 1.5KiB, 12MiB, 3.0GiB. */
static const char *
admin_bytes(uint64_t v, char *buf, size_t len)
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
admin_rate(uint64_t v, char *buf, size_t len)
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
admin_age(uint64_t since, char *buf, size_t len)
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
admin_pools(const struct frame_info_node *n, char *buf, size_t len)
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
admin_in_pool(const struct frame_info_node *n, const char *pool)
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
 * '~', until a line fits ADMIN_COLS.
 */
#define ADMIN_COLS	100
#define ADMIN_NCOL	13
#define ADMIN_CELL	600

static const struct {
	const char	*name;
	int		 right;		/* right-aligned (numbers) */
	int		 min;		/* shrinks down to this */
} admin_cols[ADMIN_NCOL] = {
	{ "ID", 0, 0 }, { "NAME", 0, 8 }, { "POOLS", 0, 7 },
	{ "STATE", 0, 0 }, { "ADDRESS", 0, 15 }, { "OS/ARCH", 0, 9 },
	{ "UP", 1, 0 },
	{ "RELAYS", 1, 0 }, { "POOL", 1, 0 }, { "SENT", 1, 0 },
	{ "RECV", 1, 0 }, { "RATE", 1, 0 }, { "RTT", 1, 0 }
};
/* The columns that may be cut, first pick on a tie. */
static const int	 admin_shrink[] = { 2, 1, 4, 5 };

static const char	*admin_states[] = { "up", "drained", "draining",
			    "redialing" };
static const char	*admin_redials[] = { "none", "command", "dial_info" };

static void
admin_row(char cell[ADMIN_NCOL][ADMIN_CELL], const size_t *w)
{
	char	 line[ADMIN_NCOL * ADMIN_CELL];
	size_t	 i, l;

	line[0] = '\0';
	for (i = 0; i < ADMIN_NCOL; i++) {
		l = strlen(cell[i]);
		if (l > w[i]) {
			cell[i][w[i] - 1] = '~';
			cell[i][w[i]] = '\0';
		}
		if (i > 0)
			strlcat(line, " ", sizeof line);
		l = strlen(line);
		snprintf(line + l, sizeof line - l, admin_cols[i].right ?
		    "%*s" : "%-*s", (int)w[i], cell[i]);
	}
	/* No trailing blanks. */
	l = strlen(line);
	while (l > 0 && line[l - 1] == ' ')
		line[--l] = '\0';
	printf("%s\n", line);
}

static void
admin_cells(const struct frame_info_node *n, char cell[ADMIN_NCOL][ADMIN_CELL])
{
	snprintf(cell[0], ADMIN_CELL, "%u", n->id);
	snprintf(cell[1], ADMIN_CELL, "%s", n->name);
	admin_pools(n, cell[2], ADMIN_CELL);
	strlcpy(cell[3], admin_states[n->state], ADMIN_CELL);
	snprintf(cell[4], ADMIN_CELL, "%s", n->remote[0] != '\0' ? n->remote :
	    "-");
	snprintf(cell[5], ADMIN_CELL, "%s/%s", n->os, n->arch);
	if (n->since == 0)
		strlcpy(cell[6], "-", ADMIN_CELL);
	else
		admin_age(n->since, cell[6], ADMIN_CELL);
	snprintf(cell[7], ADMIN_CELL, "%u", n->relays);
	snprintf(cell[8], ADMIN_CELL, "%u", n->spare_idle);
	admin_bytes(n->bytes_up, cell[9], ADMIN_CELL);
	admin_bytes(n->bytes_down, cell[10], ADMIN_CELL);
	admin_rate((uint64_t)n->up_rate + n->down_rate, cell[11], ADMIN_CELL);
	if (n->rtt_us == 0)
		strlcpy(cell[12], "-", ADMIN_CELL);
	else if (n->rtt_us < 1000)
		snprintf(cell[12], ADMIN_CELL, "%uus", n->rtt_us);
	else if (n->rtt_us < 10000)
		snprintf(cell[12], ADMIN_CELL, "%.1fms", n->rtt_us / 1e3);
	else
		snprintf(cell[12], ADMIN_CELL, "%ums", n->rtt_us / 1000);
}

/* Pool names and how many listed nodes are in each, sorted by name. */
struct admin_pool {
	const char	*name;
	u_int		 nodes;
};
struct admin_pools {
	struct admin_pool	*v;
	size_t			 n, cap;
};

static int
admin_pool_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct admin_pool *)a)->name,
	    ((const struct admin_pool *)b)->name));
}

/* Count node n in each of its pools (only pool, when not NULL). */
static void
admin_pools_add(struct admin_pools *pl, const struct frame_info_node *n,
    const char *pool)
{
	size_t	 k;
	int	 p;

	for (p = 0; p < n->npools; p++) {
		if (pool != NULL && strcmp(n->pools[p], pool) != 0)
			continue;
		for (k = 0; k < pl->n; k++)
			if (strcmp(pl->v[k].name, n->pools[p]) == 0)
				break;
		if (k == pl->n) {
			if (pl->n == pl->cap) {
				pl->cap = pl->cap ? pl->cap * 2 : 8;
				pl->v = xreallocarray(pl->v, pl->cap,
				    sizeof *pl->v);
			}
			pl->v[pl->n].name = n->pools[p];
			pl->v[pl->n++].nodes = 0;
		}
		pl->v[k].nodes++;
	}
}

/* "pool a: 2 nodes, b: 1", sorted by name, wrapped before ADMIN_COLS. */
static void
admin_pools_print(struct admin_pools *pl)
{
	char	 line[ADMIN_COLS + 1], item[128];
	size_t	 k;

	if (pl->n == 0)
		return;
	qsort(pl->v, pl->n, sizeof *pl->v, admin_pool_cmp);
	strlcpy(line, "pool", sizeof line);
	for (k = 0; k < pl->n; k++) {
		snprintf(item, sizeof item, "%s %s: %u%s", k == 0 ? "" : ",",
		    pl->v[k].name, pl->v[k].nodes, k > 0 ? "" :
		    pl->v[k].nodes == 1 ? " node" : " nodes");
		/* Wrap before ADMIN_COLS, continuing indented. */
		if (strlen(line) + strlen(item) > ADMIN_COLS) {
			printf("%s\n", line);
			strlcpy(line, "    ", sizeof line);
			strlcat(line, item + 2, sizeof line);
		} else
			strlcat(line, item, sizeof line);
	}
	printf("%s\n", line);
}

/* What the hub's guards refused, when they refused anything. */
static void
admin_guards(void)
{
	const struct frame_info_end	*e = &ad.end;

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

/* The listed nodes (only -pool's) summed: the table's lines, JSON's. */
struct admin_totals {
	uint64_t		 up, down, up_rate, down_rate;
	u_int			 online, resting, away, relays, idle;
	struct admin_pools	 pools;		/* nodes per pool; caller frees */
};

static void
admin_totals(const char *pool, struct admin_totals *t)
{
	const struct frame_info_node	*n;
	size_t				 i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < ad.n; i++) {
		n = &ad.nodes[i];
		if (!admin_in_pool(n, pool))
			continue;
		if (n->since == 0) {
			t->away++;	/* left to redial, not back yet */
			continue;
		}
		t->online++;
		if (n->state != FRAME_NODE_ACTIVE)
			t->resting++;
		t->up += n->bytes_up;
		t->down += n->bytes_down;
		t->up_rate += n->up_rate;
		t->down_rate += n->down_rate;
		t->relays += n->relays;
		t->idle += n->spare_idle;
		admin_pools_add(&t->pools, n, pool);
	}
}

/* The lines under the table: totals, the guards, the pools. */
static void
admin_summary(const char *pool)
{
	struct admin_totals	 t;
	char			 a[32], b[32], c[32], d[32], e[32];
	char			 rest[64], aw[64];

	admin_totals(pool, &t);
	snprintf(rest, sizeof rest, " (%u drained or redialing)", t.resting);
	snprintf(aw, sizeof aw, ", %u away redialing", t.away);
	printf("%u node%s online%s%s, %u relay%s, now %s (down %s, up %s), "
	    "total %s sent, %s received\n", t.online, t.online == 1 ? "" : "s",
	    t.resting > 0 ? rest : "", t.away > 0 ? aw : "", t.relays,
	    t.relays == 1 ? "" : "s",
	    admin_rate(t.up_rate + t.down_rate, a, sizeof a),
	    admin_rate(t.down_rate, b, sizeof b),
	    admin_rate(t.up_rate, c, sizeof c), admin_bytes(t.up, d, sizeof d),
	    admin_bytes(t.down, e, sizeof e));
	admin_guards();
	admin_pools_print(&t.pools);
	free(t.pools.v);
}

static void
admin_table(const char *pool)
{
	char		(*cells)[ADMIN_NCOL][ADMIN_CELL];
	char		 head[ADMIN_NCOL][ADMIN_CELL];
	size_t		 w[ADMIN_NCOL], total, i, j, nrow = 0, l;

	cells = xreallocarray(NULL, ad.n + 1, sizeof *cells);
	for (j = 0; j < ADMIN_NCOL; j++) {
		strlcpy(head[j], admin_cols[j].name, ADMIN_CELL);
		w[j] = strlen(head[j]);
	}
	for (i = 0; i < ad.n; i++) {
		if (!admin_in_pool(&ad.nodes[i], pool))
			continue;
		admin_cells(&ad.nodes[i], cells[nrow]);
		for (j = 0; j < ADMIN_NCOL; j++)
			if ((l = strlen(cells[nrow][j])) > w[j])
				w[j] = l > ADMIN_CELL - 1 ? ADMIN_CELL - 1 : l;
		nrow++;
	}
	for (;;) {
		total = ADMIN_NCOL - 1;
		for (j = 0; j < ADMIN_NCOL; j++)
			total += w[j];
		if (total <= ADMIN_COLS)
			break;
		/* Cut the widest text column that may still give. */
		for (i = ADMIN_NCOL, j = 0; j < nitems(admin_shrink); j++) {
			l = admin_shrink[j];
			if (w[l] > (size_t)admin_cols[l].min &&
			    w[l] > strlen(admin_cols[l].name) &&
			    (i == ADMIN_NCOL || w[l] > w[i]))
				i = l;
		}
		if (i == ADMIN_NCOL)
			break;	/* numbers too wide: let it be */
		w[i]--;
	}
	admin_row(head, w);
	for (i = 0; i < nrow; i++)
		admin_row(cells[i], w);
	free(cells);
	admin_summary(pool);
}

static void
admin_json_str(const char *s)
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

/*
 * "totals": what the table's summary lines say (admin_summary()), as
 * numbers: the listed nodes (only -pool's), those online, resting
 * (drained or redialing) and away, relays, rates, bytes, nodes per pool.
 */
static void
admin_json_totals(const char *pool)
{
	struct admin_totals	 t;
	size_t			 i;

	admin_totals(pool, &t);
	/* Key names of their own: a grep for a node's key finds nodes. */
	printf("\"totals\":{\"nodes_online\":%u,\"nodes_resting\":%u,"
	    "\"nodes_away\":%u,\"relays_total\":%u,\"pool_idle_total\":%u,"
	    "\"up_rate_total\":%llu,\"down_rate_total\":%llu,"
	    "\"bytes_up_total\":%llu,\"bytes_down_total\":%llu,"
	    "\"nodes_per_pool\":{", t.online, t.resting, t.away, t.relays,
	    t.idle, (unsigned long long)t.up_rate,
	    (unsigned long long)t.down_rate, (unsigned long long)t.up,
	    (unsigned long long)t.down);
	if (t.pools.n > 0)
		qsort(t.pools.v, t.pools.n, sizeof *t.pools.v, admin_pool_cmp);
	for (i = 0; i < t.pools.n; i++) {
		if (i > 0)
			putchar(',');
		admin_json_str(t.pools.v[i].name);
		printf(":%u", t.pools.v[i].nodes);
	}
	printf("}}");
	free(t.pools.v);
}

static void
admin_json(const char *pool)
{
	const struct frame_info_node	*n;
	size_t				 i, k = 0;
	int				 p;

	printf("{\"nodes\":[");
	for (i = 0; i < ad.n; i++) {
		n = &ad.nodes[i];
		if (!admin_in_pool(n, pool))
			continue;
		printf("%s\n{\"id\":%u,\"name\":", k++ ? "," : "", n->id);
		admin_json_str(n->name);
		printf(",\"pools\":[");
		for (p = 0; p < n->npools; p++) {
			if (p > 0)
				putchar(',');
			admin_json_str(n->pools[p]);
		}
		printf("],\"remote\":");
		admin_json_str(n->remote);
		printf(",\"os\":");
		admin_json_str(n->os);
		printf(",\"arch\":");
		admin_json_str(n->arch);
		printf(",\"version\":");
		admin_json_str(n->build);
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
		    admin_states[n->state], admin_redials[n->redial], n->redials,
		    n->redials_same, (unsigned long long)n->last_redial,
		    (unsigned long long)n->next_redial);
		for (p = 0; p < n->nhist; p++) {
			printf("%s{\"addr\":", p > 0 ? "," : "");
			admin_json_str(n->hist[p].addr);
			printf(",\"since\":%llu}",
			    (unsigned long long)n->hist[p].since);
		}
		printf("]}");
	}
	printf("\n],");
	admin_json_totals(pool);
	printf(",\"hub\":{\"handshakes\":%u,\"handshakes_refused\":%llu,"
	    "\"handshakes_expired\":%llu,\"nodes_flooding\":%llu,"
	    "\"names_refused\":%llu,\"admin_refused\":%llu}}\n",
	    ad.end.hs_now, (unsigned long long)ad.end.hs_refused,
	    (unsigned long long)ad.end.hs_expired,
	    (unsigned long long)ad.end.flooded,
	    (unsigned long long)ad.end.identity,
	    (unsigned long long)ad.end.admin_refused);
}

/* "12s ago", "in 40s", "never": a unix time relative to now. */
static const char *
admin_when(uint64_t t, char *buf, size_t len)
{
	char	 a[32];

	if (t == 0)
		strlcpy(buf, "never", len);
	else if (t > (uint64_t)time(NULL))
		snprintf(buf, len, "in %s", admin_age(2 * (uint64_t)time(NULL) -
		    t, a, sizeof a));
	else
		snprintf(buf, len, "%s ago", admin_age(t, a, sizeof a));
	return (buf);
}

/* -node NAME: everything about the nodes of that name (or id). */
static int
admin_detail(const char *name)
{
	const struct frame_info_node	*n;
	char		 id[16], a[32], b[32], c[32], pools[600];
	size_t		 i;
	int		 h, found = 0;

	for (i = 0; i < ad.n; i++) {
		n = &ad.nodes[i];
		snprintf(id, sizeof id, "%u", n->id);
		if (strcmp(n->name, name) != 0 && strcmp(id, name) != 0)
			continue;
		if (found++)
			printf("\n");
		admin_pools(n, pools, sizeof pools);
		printf("node %u (%s)\n", n->id, n->name);
		printf("  state      %s; redial action: %s\n",
		    admin_states[n->state], admin_redials[n->redial]);
		printf("  pools      %s\n", pools);
		if (n->since != 0)
			printf("  address    %s, connected %s\n", n->remote,
			    admin_when(n->since, a, sizeof a));
		else
			printf("  address    - (away redialing)\n");
		printf("  system     %s/%s, %s\n", n->os, n->arch, n->build);
		printf("  relays     %u (%u idle pooled links); rtt %uus\n",
		    n->relays, n->spare_idle, n->rtt_us);
		printf("  dials      %u ok, %u failed (%u refused by policy); "
		    "last ok %s\n", n->dials_ok, n->dials_failed,
		    n->dials_denied, admin_when(n->last_ok, a, sizeof a));
		printf("  bytes      %s sent, %s received; now %s\n",
		    admin_bytes(n->bytes_up, a, sizeof a),
		    admin_bytes(n->bytes_down, b, sizeof b),
		    admin_rate((uint64_t)n->up_rate + n->down_rate, c,
		    sizeof c));
		printf("  redials    %u changed the address, %u did not; last "
		    "%s; next %s\n", n->redials, n->redials_same,
		    admin_when(n->last_redial, a, sizeof a),
		    n->next_redial != 0 ? admin_when(n->next_redial, b,
		    sizeof b) : "not planned");
		for (h = 0; h < n->nhist; h++)
			printf("  %-10s %s, seen %s\n", h == 0 ? "addresses" :
			    "", n->hist[h].addr, admin_when(n->hist[h].since, a,
			    sizeof a));
	}
	if (found == 0) {
		fprintf(stderr, "tentacle info: no node named %s\n", name);
		return (1);
	}
	return (0);
}

/* -h: what the command does, and its flags. */
static void
admin_usage(const struct opt *opts)
{
	if (ad.req.op == 0)
		printf("usage: tentacle info [-admin PATH] [-state-dir DIR] "
		    "[-json]\n                     [-pool NAME] [-node NAME]\n\nList the hub's "
		    "exit nodes.  Runs on the hub's machine, as its "
		    "user or group:\nthe hub answers on its admin "
		    "socket only.\n\nFlags:\n");
	else
		printf("usage: tentacle %s [-admin PATH] [-state-dir DIR] "
		    "NODE\n\n%s "
		    "node NODE (a name or an id).  Runs on the hub's "
		    "machine, as its\nuser or group: the hub answers "
		    "on its admin socket only.\n\nFlags:\n", ad.cmd,
		    ad.req.op == FRAME_ADMIN_DRAIN ? "Drain: no "
		    "new requests go to" : ad.req.op ==
		    FRAME_ADMIN_UNDRAIN ? "Undrain: put back in "
		    "service" : "Redial: drain, then ask to redial");
	opt_usage(stdout, opts);
}

/*
 * The command word (argv[0]), its flags and NODE (drain, undrain,
 * redial).  -1 to go on, else the exit status.
 */
static int
admin_args(int argc, char **argv)
{
	const char	*server = NULL, *state_dir = NULL;
	int		 ind = 1, rc;
	char		*cause = NULL;
	struct opt	 opts[] = {
		{ "admin", OPT_STRING, &ad.path, "The hub's admin socket, "
		    "its TCP port (HOST:PORT) or the port's cookie file",
		    COMPAT_ADMIN_TCP != NULL ? "STATE-DIR/" ADMIN_COOKIE_FILE :
		    "STATE-DIR/admin.sock", 0, 0, 0 },
		{ "server", OPT_STRING, &server, "(gone: the hub answers "
		    "on its admin socket only)", NULL, 0, 0, 0 },
		{ "state-dir", OPT_STRING, &state_dir, "Where the hub's admin "
		    "socket (or cookie file) is, when -admin is not given",
		    "$TENTACLE_STATE_DIR, else /var/lib/tentacle (root), "
		    "~/.tentacle", 0, 0, 0 },
		/* info only, from here */
		{ "json", OPT_BOOL, &ad.json, "Print JSON", NULL, 0, 0, 0 },
		{ "pool", OPT_STRING, &ad.pool, "Only the nodes in pool NAME",
		    NULL, 0, 0, 0 },
		{ "node", OPT_STRING, &ad.node, "Everything about node NAME "
		    "(or id), its address history too", NULL, 0, 0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	ad.cmd = argv[0];
	if (strcmp(ad.cmd, "drain") == 0)
		ad.req.op = FRAME_ADMIN_DRAIN;
	else if (strcmp(ad.cmd, "undrain") == 0)
		ad.req.op = FRAME_ADMIN_UNDRAIN;
	else if (strcmp(ad.cmd, "redial") == 0)
		ad.req.op = FRAME_ADMIN_REDIAL;
	else
		ad.cmd = "info";
	if (ad.req.op != 0)
		memset(&opts[3], 0, sizeof opts[3]);	/* no -json ... */
	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == 0 && ad.req.op != 0 && ind < argc) {
		if (!frame_name_valid(argv[ind], FRAME_NAME_MAX)) {
			fprintf(stderr, "tentacle %s: \"%s\" is not a node "
			    "name or id\n", ad.cmd, argv[ind]);
			return (2);
		}
		strlcpy(ad.req.node, argv[ind++], sizeof ad.req.node);
		/* Flags may also follow: "redial n1 -admin X". */
		rc = opt_parse(opts, argc, argv, &ind, &cause);
	}
	if (rc == OPT_HELP) {
		admin_usage(opts);
		return (0);
	}
	if (rc == -1 || ind < argc || (ad.req.op != 0 &&
	    ad.req.node[0] == '\0')) {
		fprintf(stderr, "tentacle %s: %s\nusage: tentacle %s "
		    "[-admin PATH] [-state-dir DIR] %s\n", ad.cmd, rc == -1 ? cause :
		    ind < argc ? "unexpected argument" : "which node?", ad.cmd,
		    ad.req.op != 0 ? "NODE" : "[-json] [-pool NAME] "
		    "[-node NAME]");
		free(cause);
		return (2);
	}
	if (server != NULL) {
		fprintf(stderr, "tentacle %s: -server: the hub answers admin "
		    "commands on its admin socket, not on the control port: "
		    "run this on the hub's machine (-admin PATH names the "
		    "socket; doc/security.md)\n", ad.cmd);
		return (2);
	}
	/* After the command, like before it: "info -state-dir DIR". */
	if (state_dir != NULL)
		node_conf.state_dir = state_dir;
	return (-1);
}

/* Connect to sa, ask, wait for the answer: 0, or -1 (ad.error says). */
static int
admin_ask(const struct sockaddr *sa, socklen_t salen)
{
	struct timeval	 tv = { ADMIN_TIMEOUT_S, 0 };
	char		*cause = NULL;

	log_init("stderr", LOG_LEVEL_WARNING, "tentacle", &cause);
	core_init();
	if ((ad.bev = bufferevent_socket_new(core_base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("out of memory");
	peer_open(&ad.frames, ad.bev, &admin_hello_ops, &ad, admin_event_cb);
	bufferevent_set_timeouts(ad.bev, &tv, &tv);
	bufferevent_enable(ad.bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(ad.bev, (struct sockaddr *)sa,
	    salen) == -1)
		admin_event_cb(ad.bev, BEV_EVENT_ERROR, NULL);
	else
		core_loop();
	bufferevent_free(ad.bev);
	ad.bev = NULL;
	return (ad.state == ADMIN_DONE ? 0 : -1);
}

/* The answer on stdout (a failed drain... on stderr); the exit status. */
static int
admin_print(void)
{
	char	 text[1100];
	int	 rc = 0;

	if (ad.req.op != 0) {
		log_escape(text, sizeof text, ad.reply.text,
		    strlen(ad.reply.text));
		fprintf(ad.reply.status == FRAME_ADMIN_OK ? stdout : stderr,
		    "%s%s\n", ad.reply.status == FRAME_ADMIN_OK ? "" :
		    "tentacle: ", text);
		return (ad.reply.status == FRAME_ADMIN_OK ? 0 : 1);
	}
	if (ad.node != NULL)
		rc = admin_detail(ad.node);
	else if (ad.json)
		admin_json(ad.pool);
	else
		admin_table(ad.pool);
	free(ad.nodes);
	return (rc);
}

/*
 * The hub's TCP admin port from its cookie file: "ADDR HEX" (hub_admin.c);
 * ad.cookie set.  0, or -1 with the reason on stderr.
 */
static int
admin_cookie_read(const char *file, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	FILE		*fp;
	char		 line[512], addr[300];
	char		 hex[2 * ADMIN_COOKIE_LEN + 1], *cause = NULL;
	unsigned int	 b;
	int		 i, ok;

	if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "tentacle %s: %s: %s%s\n", ad.cmd, file,
		    strerror(errno), errno == ENOENT ? " (is the hub running "
		    "on this machine with this state directory?)" : errno ==
		    EACCES ? " (run as the hub's user or an administrator)" :
		    "");
		return (-1);
	}
	ok = fgets(line, sizeof line, fp) != NULL &&
	    sscanf(line, "%299s %64s", addr, hex) == 2 &&
	    strlen(hex) == 2 * ADMIN_COOKIE_LEN;
	fclose(fp);
	for (i = 0; ok && i < ADMIN_COOKIE_LEN; i++) {
		ok = sscanf(hex + 2 * i, "%2x", &b) == 1;
		ad.cookie[i] = b;
	}
	explicit_bzero(line, sizeof line);
	explicit_bzero(hex, sizeof hex);
	if (!ok || core_addr_parse(addr, ss, sslen, &cause) == -1) {
		fprintf(stderr, "tentacle %s: %s: not an admin cookie "
		    "file%s%s\n", ad.cmd, file, cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
		free(cause);
		return (-1);
	}
	ad.tcp = 1;
	return (0);
}

/*
 * Where the hub answers: a Unix socket path; a TCP HOST:PORT, whose
 * cookie is in the state directory; or a cookie file (a regular file),
 * which names the port.  0, or the exit status.
 */
static int
admin_where(struct sockaddr_storage *ss, socklen_t *sslen)
{
	static char		 path[1024];
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	struct sockaddr_storage	 tcp;
	socklen_t		 tcplen;
	struct stat		 st;
	char			*cause = NULL;

	if (ad.path == NULL) {
		snprintf(path, sizeof path, "%s/%s", node_conf.state_dir,
		    COMPAT_ADMIN_TCP != NULL ? ADMIN_COOKIE_FILE :
		    "admin.sock");
		ad.path = path;
	}
	if (strchr(ad.path, ':') != NULL &&
	    core_addr_parse(ad.path, &tcp, &tcplen, &cause) == 0 &&
	    core_sa_is_localhost((struct sockaddr *)&tcp)) {
		snprintf(path, sizeof path, "%s/%s", node_conf.state_dir,
		    ADMIN_COOKIE_FILE);
		if (admin_cookie_read(path, ss, sslen) == -1)
			return (1);
		memcpy(ss, &tcp, tcplen);	/* the port asked for */
		*sslen = tcplen;
		return (0);
	}
	free(cause);
	if (stat(ad.path, &st) == 0 && S_ISREG(st.st_mode))
		return (admin_cookie_read(ad.path, ss, sslen) == -1 ? 1 : 0);
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlcpy(sun->sun_path, ad.path, sizeof sun->sun_path) >=
	    sizeof sun->sun_path) {
		fprintf(stderr, "tentacle %s: %s: path too long\n", ad.cmd,
		    ad.path);
		return (2);
	}
	*sslen = sizeof *sun;
	return (0);
}

/*
 * see tentacle.h.  The state directory is the node's (-state-dir,
 * state_dir: in its config file), so node flags may come first:
 * tentacler -state-dir DIR info.
 */
int
admin_main(int argc, char **argv)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*cause = NULL;
	int			 rc;

	if ((rc = node_conf_load(NODE_CONF_ADMIN, 0, NULL, &cause)) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return (rc);
	}
	if ((rc = admin_args(argc, argv)) != -1)
		return (rc);
	if ((rc = admin_where(&ss, &sslen)) != 0)
		return (rc);
	rc = admin_ask((struct sockaddr *)&ss, sslen);
	explicit_bzero(ad.cookie, sizeof ad.cookie);
	if (rc == -1) {
		fprintf(stderr, "tentacle %s: %s\n", ad.cmd, ad.error != NULL ?
		    ad.error : "no answer");
		return (1);
	}
	return (admin_print());
}
