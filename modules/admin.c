/*
 * admin.c: the admin commands, `tentacle info`, `drain`, `undrain` and
 * `redial`: clients of the hub's admin API (doc/admin.md) on its admin
 * socket (a Unix socket, doc/security.md, or a loopback TCP port and its
 * cookie, doc/windows.md).  Owns one request, from connect to the printed
 * answer: a table, JSON (the API's own), or the command's answer.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "http.h"
#include "inventory.h"
#include "json.h"
#include "node.h"
#include "opt.h"
#include "tls.h"

#define ADMIN_TIMEOUT_S	10
#define ADMIN_ANSWER_MAX (64 * 1024 * 1024)	/* bytes: ~50000 nodes */
#define ADMIN_MAX_NODES	100000
#define ULL(x)		((unsigned long long)(x))

/* What the command asks (the API's operation names). */
#define ADMIN_INFO	0
#define ADMIN_DRAIN	1
#define ADMIN_UNDRAIN	2
#define ADMIN_REDIAL	3
static const char *admin_ops[] = { "info", "drain", "undrain", "redial" };

/* The one request of this process. */
static struct {
	const char		*cmd;		/* "info", "drain", ... */
	int			 op;		/* ADMIN_* */
	const char		*path;		/* the admin socket */
	int			 tcp;		/* send the cookie */
	char			 cookie[2 * ADMIN_COOKIE_LEN + 1];
	int			 json;		/* info -json */
	const char		*pool;		/* info -pool NAME */
	const char		*node;		/* info -node NAME */
	char			 target[FRAME_NAME_MAX + 1]; /* drain NODE */
	struct bufferevent	*bev;
	int			 done;
	char			*error;
	int			 status;	/* the answer's */
	char			*body;		/* NUL-terminated */
	size_t			 bodylen;
	struct inv_node		*nodes;
	size_t			 n;
	struct inv_hub		 hub;
} ad;

static void	 admin_fail(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));

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

/*
 * The answer so far: 1 when it is whole (its head, and as many body bytes
 * as Content-Length says, or all until the hub closed: eof), 0 to read
 * on, -1 after admin_fail().
 */
static int
admin_answer(int eof)
{
	struct evbuffer	*in = bufferevent_get_input(ad.bev);
	struct http_msg	 m;
	size_t		 n = evbuffer_get_length(in), hl;
	ssize_t		 r;
	uint8_t		*p;

	if (admin_tls_port())
		return (-1);
	if (n > ADMIN_ANSWER_MAX) {
		admin_fail("%s: the answer is over %d MiB: not read", ad.path,
		    ADMIN_ANSWER_MAX >> 20);
		return (-1);
	}
	/* The head first; the whole answer is made contiguous once. */
	hl = n < HTTP_HEAD_MAX ? n : HTTP_HEAD_MAX;
	p = evbuffer_pullup(in, hl);
	r = http_response_parse(&m, p, hl);
	if (r == 0 && !eof && n < HTTP_HEAD_MAX)
		return (0);
	if (r <= 0) {
		if (n == 0)
			admin_fail("%s: the hub closed the connection without "
			    "an answer (a hub older than this tentacle has no "
			    "HTTP admin API: use the hub's own tentacle)",
			    ad.path);
		else
			admin_fail("%s: not an HTTP answer (%s): is this the "
			    "hub's admin socket?", ad.path, r == 0 ?
			    "cut short" : m.why != NULL ? m.why : "malformed");
		return (-1);
	}
	hl = m.head_len;
	if (m.clen >= 0 && n - hl < (uint64_t)m.clen) {
		if (!eof)
			return (0);
		admin_fail("%s: the answer was cut short", ad.path);
		return (-1);
	}
	if (m.clen < 0 && !eof)
		return (0);
	p = evbuffer_pullup(in, -1);
	ad.status = m.status;
	ad.bodylen = m.clen >= 0 ? (size_t)m.clen : n - hl;
	ad.body = xmalloc(ad.bodylen + 1);
	memcpy(ad.body, p + hl, ad.bodylen);
	ad.body[ad.bodylen] = '\0';
	ad.done = 1;
	event_base_loopbreak(core_base);
	return (1);
}

static void
admin_read_cb(struct bufferevent *bev __unused, void *arg __unused)
{
	admin_answer(0);
}

/* The request: GET the inventory, or POST the operation. */
static void
admin_request(struct bufferevent *bev)
{
	struct evbuffer	*out = bufferevent_get_output(bev);
	char		*q = NULL, *t = NULL;

	if (ad.op != ADMIN_INFO) {
		t = evhttp_encode_uri(ad.target);
		evbuffer_add_printf(out, "POST /api/v1/nodes/%s/%s HTTP/1.1\r\n"
		    "X-Tentacle-Csrf: 1\r\nContent-Length: 0\r\n", t,
		    admin_ops[ad.op]);
	} else if (ad.node != NULL) {
		t = evhttp_encode_uri(ad.node);
		evbuffer_add_printf(out, "GET /api/v1/nodes/%s HTTP/1.1\r\n", t);
	} else {
		if (ad.pool != NULL)
			q = evhttp_encode_uri(ad.pool);
		evbuffer_add_printf(out, "GET /api/v1/nodes%s%s HTTP/1.1\r\n",
		    q != NULL ? "?pool=" : "", q != NULL ? q : "");
	}
	free(q);
	free(t);
	evbuffer_add_printf(out, "Host: localhost\r\nUser-Agent: tentacle/%s"
	    "\r\nAccept: application/json\r\nConnection: close\r\n",
	    version_string());
	if (ad.tcp)
		evbuffer_add_printf(out, "Authorization: Bearer %s\r\n",
		    ad.cookie);
	evbuffer_add(out, "\r\n", 2);
}

static void
admin_event_cb(struct bufferevent *bev, short what, void *arg __unused)
{
	int	 error = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		admin_request(bev);
		return;
	}
	/* What the hub sent before it closed may still be in the socket. */
	if (!(what & BEV_EVENT_TIMEOUT) && bufferevent_getfd(bev) != -1)
		evbuffer_read(bufferevent_get_input(bev), bufferevent_getfd(bev),
		    65536);
	if ((what & BEV_EVENT_EOF) ||
	    evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		admin_answer(1);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		admin_fail("%s: no answer within %d s", ad.path,
		    ADMIN_TIMEOUT_S);
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
admin_pools(const struct inv_node *n, char *buf, size_t len)
{
	int	 i;

	buf[0] = '\0';
	for (i = 0; i < n->npools; i++) {
		if (i > 0)
			strlcat(buf, ",", len);
		strlcat(buf, n->pools[i], len);
	}
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
admin_cells(const struct inv_node *n, char cell[ADMIN_NCOL][ADMIN_CELL])
{
	snprintf(cell[0], ADMIN_CELL, "%u", n->id);
	snprintf(cell[1], ADMIN_CELL, "%s", n->name);
	admin_pools(n, cell[2], ADMIN_CELL);
	strlcpy(cell[3], inv_states[n->state], ADMIN_CELL);
	snprintf(cell[4], ADMIN_CELL, "%s", n->remote[0] != '\0' ? n->remote :
	    "-");
	snprintf(cell[5], ADMIN_CELL, "%s/%s", n->os, n->arch);
	if (n->since == 0)
		strlcpy(cell[6], "-", ADMIN_CELL);
	else
		admin_age(n->since, cell[6], ADMIN_CELL);
	snprintf(cell[7], ADMIN_CELL, "%llu", ULL(n->relays));
	snprintf(cell[8], ADMIN_CELL, "%llu", ULL(n->spare_idle));
	admin_bytes(n->bytes_up, cell[9], ADMIN_CELL);
	admin_bytes(n->bytes_down, cell[10], ADMIN_CELL);
	admin_rate(n->up_rate + n->down_rate, cell[11], ADMIN_CELL);
	if (n->rtt_us == 0)
		strlcpy(cell[12], "-", ADMIN_CELL);
	else if (n->rtt_us < 1000)
		snprintf(cell[12], ADMIN_CELL, "%lluus", ULL(n->rtt_us));
	else if (n->rtt_us < 10000)
		snprintf(cell[12], ADMIN_CELL, "%.1fms", n->rtt_us / 1e3);
	else
		snprintf(cell[12], ADMIN_CELL, "%llums", ULL(n->rtt_us / 1000));
}

/* "pool a: 2 nodes, b: 1", sorted by name, wrapped before ADMIN_COLS. */
static void
admin_pools_print(const struct inv_totals *t)
{
	char	 line[ADMIN_COLS + 1], item[128];
	size_t	 k;

	if (t->npools == 0)
		return;
	strlcpy(line, "pool", sizeof line);
	for (k = 0; k < t->npools; k++) {
		snprintf(item, sizeof item, "%s %s: %llu%s", k == 0 ? "" :
		    ",", t->pools[k].name,
		    (unsigned long long)t->pools[k].nodes, k > 0 ? "" :
		    t->pools[k].nodes == 1 ? " node" : " nodes");
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
	const struct inv_hub	*e = &ad.hub;

	if (e->handshakes + e->handshakes_refused + e->handshakes_expired +
	    e->nodes_flooding + e->names_refused + e->admin_refused == 0)
		return;
	printf("guards: %llu node links in handshake; %llu refused at the "
	    "handshake limits, %llu\n    past the handshake deadline; %llu "
	    "nodes cut for flooding, %llu refused another's\n    name; %llu "
	    "admin requests refused\n", (unsigned long long)e->handshakes,
	    (unsigned long long)e->handshakes_refused,
	    (unsigned long long)e->handshakes_expired,
	    (unsigned long long)e->nodes_flooding,
	    (unsigned long long)e->names_refused,
	    (unsigned long long)e->admin_refused);
}

/*
 * Under the table, a line per node its host paused, with the host's
 * reason (too long for the STATE column).
 */
static void
admin_paused(void)
{
	const struct inv_node	*n;
	size_t			 i;

	for (i = 0; i < ad.n; i++) {
		n = &ad.nodes[i];
		if (n->since == 0 || n->paused_reason[0] == '\0')
			continue;
		printf("node %u (%s) paused by host policy: %s%s\n", n->id,
		    n->name, n->paused_reason, n->state == INV_PAUSED ? "" :
		    n->state == INV_DRAINED ? " (and drained)" :
		    " (and redialing)");
	}
}

/* The lines under the table: totals, the guards, the pools. */
static void
admin_summary(const char *pool)
{
	struct inv_totals	 t;
	char			 a[32], b[32], c[32], d[32], e[32];
	char			 rest[64], aw[64];

	inv_totals(ad.nodes, ad.n, pool, &t);
	snprintf(rest, sizeof rest, " (%llu drained, %sor redialing)",
	    (unsigned long long)t.resting, t.paused > 0 ? "paused " : "");
	if (t.paused == 0)
		snprintf(rest, sizeof rest, " (%llu drained or redialing)",
		    (unsigned long long)t.resting);
	snprintf(aw, sizeof aw, ", %llu away redialing",
	    (unsigned long long)t.away);
	printf("%llu node%s online%s%s, %llu relay%s, now %s (down %s, up %s), "
	    "total %s sent, %s received\n", (unsigned long long)t.online,
	    t.online == 1 ? "" : "s", t.resting > 0 ? rest : "",
	    t.away > 0 ? aw : "", (unsigned long long)t.relays,
	    t.relays == 1 ? "" : "s",
	    admin_rate(t.up_rate + t.down_rate, a, sizeof a),
	    admin_rate(t.down_rate, b, sizeof b),
	    admin_rate(t.up_rate, c, sizeof c), admin_bytes(t.up, d, sizeof d),
	    admin_bytes(t.down, e, sizeof e));
	admin_guards();
	admin_pools_print(&t);
	inv_totals_free(&t);
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
	admin_paused();
	admin_summary(pool);
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
admin_detail(void)
{
	const struct inv_node	*n;
	char			 a[32], b[32], c[32], pools[600];
	size_t			 i;
	int			 h;

	for (i = 0; i < ad.n; i++) {
		n = &ad.nodes[i];
		if (i > 0)
			printf("\n");
		admin_pools(n, pools, sizeof pools);
		printf("node %u (%s)\n", n->id, n->name);
		printf("  state      %s%s%s; redial action: %s\n",
		    inv_states[n->state], n->paused_reason[0] == '\0' ? "" :
		    n->state == INV_PAUSED ? " by host policy: " :
		    ", paused by host policy: ", n->paused_reason,
		    inv_redials[n->redial]);
		printf("  pools      %s\n", pools);
		if (n->since != 0)
			printf("  address    %s, connected %s\n", n->remote,
			    admin_when(n->since, a, sizeof a));
		else
			printf("  address    - (away redialing)\n");
		printf("  system     %s/%s, %s\n", n->os, n->arch, n->build);
		printf("  relays     %llu (%llu idle pooled links, reused %llu "
		    "times); rtt %lluus\n", ULL(n->relays), ULL(n->spare_idle),
		    ULL(n->spare_reused), ULL(n->rtt_us));
		printf("  dials      %llu ok, %llu failed (%llu refused by "
		    "policy); last ok %s\n", ULL(n->dials_ok),
		    ULL(n->dials_failed), ULL(n->dials_denied),
		    admin_when(n->last_ok, a, sizeof a));
		printf("  bytes      %s sent, %s received; now %s\n",
		    admin_bytes(n->bytes_up, a, sizeof a),
		    admin_bytes(n->bytes_down, b, sizeof b),
		    admin_rate(n->up_rate + n->down_rate, c, sizeof c));
		printf("  redials    %llu changed the address, %llu did not; "
		    "last %s; next %s\n", ULL(n->redials),
		    ULL(n->redials_same),
		    admin_when(n->last_redial, a, sizeof a),
		    n->next_redial != 0 ? admin_when(n->next_redial, b,
		    sizeof b) : "not planned");
		for (h = 0; h < n->nhist; h++)
			printf("  %-10s %s, seen %s\n", h == 0 ? "addresses" :
			    "", n->hist[h].addr, admin_when(n->hist[h].since, a,
			    sizeof a));
	}
	return (0);
}

/* -h: what the command does, and its flags. */
static void
admin_usage(const struct opt *opts)
{
	if (ad.op == 0)
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
		    ad.op == ADMIN_DRAIN ? "Drain: no "
		    "new requests go to" : ad.op ==
		    ADMIN_UNDRAIN ? "Undrain: put back in "
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
		ad.op = ADMIN_DRAIN;
	else if (strcmp(ad.cmd, "undrain") == 0)
		ad.op = ADMIN_UNDRAIN;
	else if (strcmp(ad.cmd, "redial") == 0)
		ad.op = ADMIN_REDIAL;
	else
		ad.cmd = "info";
	if (ad.op != 0)
		memset(&opts[3], 0, sizeof opts[3]);	/* no -json ... */
	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == 0 && ad.op != 0 && ind < argc) {
		if (!frame_name_valid(argv[ind], FRAME_NAME_MAX)) {
			fprintf(stderr, "tentacle %s: \"%s\" is not a node "
			    "name or id\n", ad.cmd, argv[ind]);
			return (2);
		}
		strlcpy(ad.target, argv[ind++], sizeof ad.target);
		/* Flags may also follow: "redial n1 -admin X". */
		rc = opt_parse(opts, argc, argv, &ind, &cause);
	}
	if (rc == OPT_HELP) {
		admin_usage(opts);
		return (0);
	}
	if (rc == -1 || ind < argc || (ad.op != 0 &&
	    ad.target[0] == '\0')) {
		fprintf(stderr, "tentacle %s: %s\nusage: tentacle %s "
		    "[-admin PATH] [-state-dir DIR] %s\n", ad.cmd, rc == -1 ? cause :
		    ind < argc ? "unexpected argument" : "which node?", ad.cmd,
		    ad.op != 0 ? "NODE" : "[-json] [-pool NAME] "
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
		node_conf->state_dir = state_dir;
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
	bufferevent_setcb(ad.bev, admin_read_cb, NULL, admin_event_cb, NULL);
	bufferevent_set_timeouts(ad.bev, &tv, &tv);
	bufferevent_enable(ad.bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(ad.bev, (struct sockaddr *)sa,
	    salen) == -1)
		admin_event_cb(ad.bev, BEV_EVENT_ERROR, NULL);
	else
		core_loop();
	bufferevent_free(ad.bev);
	ad.bev = NULL;
	return (ad.done ? 0 : -1);
}

/*
 * The answer's JSON: the message of an error or of an operation into
 * msg, the nodes of GET nodes into ad.nodes.  0, or -1 with *cause.
 */
static int
admin_parse(char *msg, size_t msglen, const char **cause)
{
	struct json_doc	 d;
	int		 arr, t, err;
	uint32_t	 i;

	if (json_parse(&d, ad.body, ad.bodylen, ADMIN_ANSWER_MAX / 2,
	    cause) == -1)
		return (-1);
	msg[0] = '\0';
	*cause = "no message";
	if ((err = json_get(&d, 0, "error")) != -1) {
		if (json_key_str(&d, err, "message", msg, msglen) == -1)
			goto bad;
	} else if (ad.op != ADMIN_INFO) {
		if (json_key_str(&d, 0, "message", msg, msglen) == -1)
			goto bad;
	} else {
		*cause = "no nodes";
		if ((arr = json_get(&d, 0, "nodes")) == -1 ||
		    d.tok[arr].type != JSON_ARRAY ||
		    d.tok[arr].size > ADMIN_MAX_NODES)
			goto bad;
		ad.nodes = xreallocarray(NULL, d.tok[arr].size + 1,
		    sizeof *ad.nodes);
		for (i = 0; i < d.tok[arr].size; i++) {
			t = json_at(&d, arr, i);
			if (inv_node_read(&d, t, &ad.nodes[i], cause) == -1)
				goto bad;
		}
		ad.n = i;
		if ((t = json_get(&d, 0, "hub")) != -1 &&
		    inv_hub_read(&d, t, &ad.hub, cause) == -1)
			goto bad;
	}
	json_doc_free(&d);
	return (0);
bad:
	json_doc_free(&d);
	return (-1);
}

/* The answer on stdout (a failure on stderr); the exit status. */
static int
admin_print(void)
{
	char		 msg[1024], text[1100];
	const char	*cause = NULL;
	int		 rc = 0;

	if (ad.status == 200 && ad.op == ADMIN_INFO && ad.json &&
	    ad.node == NULL) {
		/* The API's own JSON: what scripts read. */
		fwrite(ad.body, 1, ad.bodylen, stdout);
		return (0);
	}
	if (admin_parse(msg, sizeof msg, &cause) == -1) {
		fprintf(stderr, "tentacle %s: the hub answered %d with "
		    "JSON this tentacle cannot read (%s): is the hub another "
		    "version?\n", ad.cmd, ad.status, cause);
		return (1);
	}
	log_escape(text, sizeof text, msg, strlen(msg));
	if (ad.status != 200) {
		fprintf(stderr, "tentacle %s: %s\n", ad.cmd, text);
		rc = 1;
	} else if (ad.op != ADMIN_INFO)
		printf("%s\n", text);
	else if (ad.node != NULL)
		rc = admin_detail();
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
	int		 ok;

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
	    strlen(hex) == 2 * ADMIN_COOKIE_LEN &&
	    strspn(hex, "0123456789abcdefABCDEF") == strlen(hex);
	fclose(fp);
	if (ok)
		strlcpy(ad.cookie, hex, sizeof ad.cookie);
	explicit_bzero(line, sizeof line);
	explicit_bzero(hex, sizeof hex);
	if (!ok || core_addr_parse(addr, ss, sslen, &cause) == -1) {
		fprintf(stderr, "tentacle %s: %s: not an admin cookie "
		    "file%s%s\n", ad.cmd, file, cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
		free(cause);
		return (-1);
	}
	if (!core_sa_is_localhost((struct sockaddr *)ss)) {
		fprintf(stderr, "tentacle %s: %s: the hub's admin port %s is "
		    "off loopback, so it speaks TLS, which these commands do "
		    "not: use the hub's socket (-admin, STATE-DIR/admin.sock "
		    "by default) or curl (doc/admin.md)\n", ad.cmd, file,
		    addr);
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
		snprintf(path, sizeof path, "%s/%s", node_conf->state_dir,
		    COMPAT_ADMIN_TCP != NULL ? ADMIN_COOKIE_FILE :
		    "admin.sock");
		ad.path = path;
	}
	if (strchr(ad.path, ':') != NULL &&
	    core_addr_parse(ad.path, &tcp, &tcplen, &cause) == 0 &&
	    core_sa_is_localhost((struct sockaddr *)&tcp)) {
		snprintf(path, sizeof path, "%s/%s", node_conf->state_dir,
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

	if ((rc = node_conf_load(&node_conf, NODE_CONF_ADMIN, 0, NULL,
	    &cause)) != 0) {
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
