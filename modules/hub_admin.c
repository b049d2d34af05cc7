/*
 * hub_admin.c: the admin socket (doc/security.md).  Owns its listener, who
 * may connect (peer credentials; or, on a loopback TCP port, the cookie
 * in the state directory: doc/windows.md), and the answers to an admin
 * session: the inventory (INFO_REQ) and drain, undrain, redial (ADMIN).
 * The session's handshake is hub_ctl.c's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "frame.h"
#include "limit.h"
#include "hub.h"
#include "tls.h"

#define ADMIN_MAX	16		/* admin sessions at once */
#define ADMIN_SOCKET	"admin.sock"	/* in the state directory */

/* The loopback TCP admin port: a cookie file, what a client sends first. */
static char		 admin_cookie_path[1024];
static uint8_t		 admin_cookie[ADMIN_COOKIE_LEN];
static int		 admin_npreauth;	/* cookies being read */

static void	 hub_admin_admit(int, const char *);

#define ADMIN_TLS_CLIENT "a TLS client, not an admin command (a node whose " \
	"-server is this admin port? nodes connect to the control port)"

/* Refuse an admin connection: one BYE, straight to the new socket. */
static void
hub_admin_refuse(int fd, const char *peer, const char *why)
{
	uint8_t	 buf[FRAME_MAX];
	size_t	 len;

	log_warnx("%s: refused: %s", peer, why);
	hub.guard.admin_refused++;
	if ((len = frame_bye_encode(buf, FRAME_BYE_NOTALLOWED, why)) > 0 &&
	    send(fd, buf, len, 0) == -1)
		log_debug("%s: BYE not sent: %s", peer, strerror(errno));
	evutil_closesocket(fd);
}

/*
 * Admin socket (doc/security.md): the file's mode (0660) lets the hub's
 * user and group connect; the peer's uid, from the kernel, must be root,
 * the hub's or its group's, and is logged with everything it does.
 */
static void
hub_admin_accept(int fd, struct sockaddr *sa __unused,
    socklen_t salen __unused, void *arg __unused)
{
	uid_t		 uid;
	gid_t		 gid;
	long		 pid;
	char		 peer[64], why[128];

	if (compat_peercred(fd, &uid, &gid, &pid) == -1) {
		log_warn("admin: cannot tell who connected; refused");
		hub.guard.admin_refused++;
		evutil_closesocket(fd);
		return;
	}
	if (pid > 0)
		snprintf(peer, sizeof peer, "admin uid %u pid %ld",
		    (u_int)uid, pid);
	else
		snprintf(peer, sizeof peer, "admin uid %u", (u_int)uid);
	if (uid != 0 && uid != geteuid() && gid != getegid() &&
	    !compat_pid_in_group(pid, getegid())) {
		snprintf(why, sizeof why, "not root, the hub's user (uid %u) "
		    "or its group (gid %u)", (u_int)geteuid(),
		    (u_int)getegid());
		hub_admin_refuse(fd, peer, why);
		return;
	}
	hub_admin_admit(fd, peer);
}

/* A peer that may use the admin session: within ADMIN_MAX, a session. */
static void
hub_admin_admit(int fd, const char *peer)
{
	struct ctl	*c;
	char		 why[128];

	if (hub.nadmin >= ADMIN_MAX) {
		snprintf(why, sizeof why, "%d admin sessions already open",
		    ADMIN_MAX);
		hub_admin_refuse(fd, peer, why);
		return;
	}
	if ((c = hub_ctl_new(fd, peer, 1)) == NULL)
		return;
	hub.nadmin++;
	log_debug("%s: connected", c->c_peer);
}

/* Equal in time that depends on len only. */
static int
hub_admin_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t	 i;
	uint8_t	 d = 0;

	for (i = 0; i < len; i++)
		d |= a[i] ^ b[i];
	return (d == 0);
}

/*
 * The cookie's bytes are in (the read watermark stops libevent at them,
 * so the HELLO behind stays in the socket): the socket leaves this
 * bufferevent for an admin session, or a BYE.
 */
static void
hub_admin_cookie_read_cb(struct bufferevent *bev, void *arg)
{
	char		*peer = arg;
	uint8_t		 got[ADMIN_COOKIE_LEN], drain[1024];
	evutil_socket_t	 fd = bufferevent_getfd(bev);
	int		 n;

	if (evbuffer_get_length(bufferevent_get_input(bev)) < sizeof got)
		return;
	evbuffer_remove(bufferevent_get_input(bev), got, sizeof got);
	bufferevent_free(bev);		/* not the socket */
	admin_npreauth--;
	if (hub_admin_ct_equal(got, admin_cookie, sizeof got))
		hub_admin_admit(fd, peer);
	else if (tls_record_like(got, sizeof got)) {
		/*
		 * No BYE: in plaintext it would read "the hub is -insecure".
		 * The rest of its hello read first, so that it sees an end
		 * (the node: "wrong port"), not a reset.
		 */
		log_warnx("%s: refused: %s", peer, ADMIN_TLS_CLIENT);
		hub.guard.admin_refused++;
		for (n = 0; n < 16 && recv(fd, (char *)drain, sizeof drain,
		    0) > 0; n++)
			;
		evutil_closesocket(fd);
	} else
		hub_admin_refuse(fd, peer, "wrong admin cookie (read it from "
		    "the hub's state directory)");
	free(peer);
}

static void
hub_admin_cookie_event_cb(struct bufferevent *bev, short what, void *arg)
{
	char		*peer = arg;
	evutil_socket_t	 fd = bufferevent_getfd(bev);
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 n = evbuffer_get_length(in);

	if (n > 0 && tls_record_like(evbuffer_pullup(in, n < 2 ? n : 2), n))
		log_warnx("%s: refused: %s", peer, ADMIN_TLS_CLIENT);
	else
		log_warnx("%s: refused: %s before its cookie", peer,
		    (what & BEV_EVENT_TIMEOUT) ? "timed out" : "gone");
	hub.guard.admin_refused++;
	bufferevent_free(bev);
	evutil_closesocket(fd);
	admin_npreauth--;
	free(peer);
}

/*
 * Loopback TCP admin port (doc/windows.md): whoever can read the cookie
 * file may connect; the first ADMIN_COOKIE_LEN bytes must be the cookie.
 */
static void
hub_admin_tcp_accept(int fd, struct sockaddr *sa, socklen_t salen __unused,
    void *arg __unused)
{
	struct bufferevent	*bev;
	struct timeval		 tv;
	char			 peer[64], *p;

	snprintf(peer, sizeof peer, "admin ");
	core_sa_str(sa, peer + 6, sizeof peer - 6);
	if (!core_sa_is_localhost(sa)) {
		hub_admin_refuse(fd, peer, "not from this machine");
		return;
	}
	if (admin_npreauth >= ADMIN_MAX) {
		hub_admin_refuse(fd, peer, "too many admin connections "
		    "without their cookie yet");
		return;
	}
	if ((p = strdup(peer)) == NULL || (bev = bufferevent_socket_new(
	    core_base, fd, 0)) == NULL) {
		free(p);
		log_warnx("%s: out of memory; dropping it", peer);
		evutil_closesocket(fd);
		return;
	}
	admin_npreauth++;
	bufferevent_setwatermark(bev, EV_READ, ADMIN_COOKIE_LEN,
	    ADMIN_COOKIE_LEN);
	bufferevent_setcb(bev, hub_admin_cookie_read_cb, NULL,
	    hub_admin_cookie_event_cb, p);
	bufferevent_set_timeouts(bev, core_ms_tv(&tv, hub.conf.handshake_ms),
	    NULL);
	bufferevent_enable(bev, EV_READ);
}

/*
 * A new cookie and the file that holds it with the port: "ADDR HEX\n",
 * in the state directory (owner only: mode 0600; on Windows the
 * directory's DACL, compat_mkdir()).  -1 with *cause.
 */
static int
hub_admin_cookie_write(const char *dir, const char *addr, char **cause)
{
	char	 hex[2 * ADMIN_COOKIE_LEN + 1], tmp[1100];
	FILE	*fp;
	int	 fd, i;

	evutil_secure_rng_get_bytes(admin_cookie, sizeof admin_cookie);
	for (i = 0; i < ADMIN_COOKIE_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", admin_cookie[i]);
	snprintf(admin_cookie_path, sizeof admin_cookie_path, "%s/%s", dir,
	    ADMIN_COOKIE_FILE);
	snprintf(tmp, sizeof tmp, "%s.new", admin_cookie_path);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "admin cookie %s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		admin_cookie_path[0] = '\0';
		return (-1);
	}
	fprintf(fp, "%s %s\n", addr, hex);
	explicit_bzero(hex, sizeof hex);
	if (fclose(fp) != 0 || rename(tmp, admin_cookie_path) == -1) {
		xasprintf(cause, "admin cookie %s: %s", admin_cookie_path,
		    strerror(errno));
		(void)unlink(tmp);
		admin_cookie_path[0] = '\0';
		return (-1);
	}
	return (0);
}

/* see hub.h */
void
hub_admin_close(void)
{
	if (admin_cookie_path[0] != '\0')
		(void)unlink(admin_cookie_path);
	admin_cookie_path[0] = '\0';
}

/* INFO_NODE fields from what the hub knows of a node, online or not. */
static void
hub_admin_info_fill(struct frame_info_node *in, uint32_t id,
    const struct frame_hello *h, const struct node_keep *k)
{
	int	 i;

	memset(in, 0, sizeof *in);
	in->id = id;
	strlcpy(in->name, h->name, sizeof in->name);
	in->npools = h->npools;
	for (i = 0; i < in->npools; i++)
		strlcpy(in->pools[i], h->pools[i], sizeof in->pools[i]);
	strlcpy(in->os, h->os, sizeof in->os);
	strlcpy(in->arch, h->arch, sizeof in->arch);
	strlcpy(in->build, h->build, sizeof in->build);
	in->redial = h->redial;
	in->state = k->pending_us != 0 ? FRAME_NODE_REDIALING : k->drain ?
	    FRAME_NODE_DRAINED : FRAME_NODE_ACTIVE;
	in->redials = k->redials;
	in->redials_same = k->redials_same;
	in->last_redial = k->last_redial;
	in->nhist = k->nhist;
	for (i = 0; i < k->nhist; i++) {
		strlcpy(in->hist[i].addr, k->hist[i].addr,
		    sizeof in->hist[i].addr);
		in->hist[i].since = k->hist[i].since;
	}
}

/*
 * Admin session: answer INFO_REQ with the inventory: the online nodes,
 * then those away redialing.
 */
void
hub_admin_info(struct ctl *c)
{
	struct node		*n;
	struct parked		*pk;
	struct frame_info_node	 in;
	struct frame_info_end	 end;
	uint8_t			 buf[FRAME_MAX];
	uint32_t		 count = 0;
	time_t			 now = time(NULL);
	uint64_t		 now_us = core_now_us();

	TAILQ_FOREACH(pk, &hub.parked, pk_entry) {
		if (pk->pk_keep.pending_us == 0)
			continue;
		hub_admin_info_fill(&in, pk->pk_id, &pk->pk_hello,
		    &pk->pk_keep);
		in.relays = pk->pk_nrelays;
		hub_send(c->c_bev, buf, frame_info_node_encode(buf, &in));
		count++;
	}
	TAILQ_FOREACH(n, &hub.nodes, n_entry) {
		hub_admin_info_fill(&in, n->n_id, &n->n_hello, &n->n_keep);
		if (n->n_redial == REDIAL_DRAIN)
			in.state = FRAME_NODE_REDIAL_DRAIN;
		else if (n->n_redial == REDIAL_SENT)
			in.state = FRAME_NODE_REDIALING;
		if (n->n_redial_at_us > now_us)
			in.next_redial = now + (n->n_redial_at_us - now_us +
			    999999) / 1000000;
		strlcpy(in.remote, n->n_remote, sizeof in.remote);
		in.since = n->n_since;
		in.relays = n->n_nrelays;
		in.dials_ok = n->n_dials_ok;
		in.dials_failed = n->n_dials_failed;
		in.bytes_up = n->n_bytes.up;
		in.bytes_down = n->n_bytes.down;
		in.rtt_us = n->n_rtt_us;
		in.dials_denied = n->n_dials_denied;
		in.spare_idle = n->n_nspares > UINT16_MAX ? UINT16_MAX :
		    n->n_nspares;
		in.last_ok = n->n_last_ok;
		hub_node_rate(n, now_us, &in.up_rate,
		    &in.down_rate);
		hub_send(c->c_bev, buf, frame_info_node_encode(buf, &in));
		count++;
	}
	memset(&end, 0, sizeof end);
	end.count = count;
	end.hs_now = limit_link_total();
	end.hs_refused = hub.guard.hs_refused;
	end.hs_expired = hub.guard.hs_expired;
	end.flooded = hub.guard.flooded;
	end.identity = hub.guard.identity;
	end.admin_refused = hub.guard.admin_refused;
	hub_send(c->c_bev, buf, frame_info_end_encode(buf, &end));
	log_debug("control %s: info: %u nodes", c->c_peer, count);
}

/* One ADMIN operation on one node; text (for the operator) says what. */
static int
hub_admin_one(struct node *n, uint8_t op, char *text, size_t len)
{
	switch (op) {
	case FRAME_ADMIN_DRAIN:
		if (n->n_keep.drain) {
			snprintf(text, len, "node %u (%s) was already drained; "
			    "%u relays still open", n->n_id, n->n_hello.name,
			    n->n_nrelays);
			return (FRAME_ADMIN_OK);
		}
		n->n_keep.drain = 1;
		snprintf(text, len, "node %u (%s) drained: no new requests; "
		    "%u relays continue", n->n_id, n->n_hello.name,
		    n->n_nrelays);
		break;
	case FRAME_ADMIN_UNDRAIN:
		if (n->n_redial == REDIAL_SENT) {
			n->n_keep.drain = 0;
			snprintf(text, len, "node %u (%s): REDIAL already "
			    "sent, it is leaving to redial; it comes back in "
			    "service",
			    n->n_id, n->n_hello.name);
			return (FRAME_ADMIN_OK);
		}
		if (!n->n_keep.drain && n->n_redial != REDIAL_DRAIN) {
			snprintf(text, len, "node %u (%s) was not drained",
			    n->n_id, n->n_hello.name);
			return (FRAME_ADMIN_OK);
		}
		n->n_keep.drain = 0;
		if (n->n_redial == REDIAL_DRAIN) {
			evtimer_del(n->n_redial_ev);
			hub_redial_end(n);
			snprintf(text, len, "node %u (%s) back in service; its "
			    "redial was cancelled", n->n_id, n->n_hello.name);
		} else
			snprintf(text, len, "node %u (%s) back in service",
			    n->n_id, n->n_hello.name);
		break;
	default:
		if (n->n_hello.redial == FRAME_REDIAL_NONE) {
			snprintf(text, len, "node %u (%s) cannot redial: its "
			    "config has no redial command (redial:) or "
			    "dial_info", n->n_id, n->n_hello.name);
			return (FRAME_ADMIN_REFUSED);
		}
		if (n->n_redial != REDIAL_IDLE) {
			snprintf(text, len, "node %u (%s) is already "
			    "redialing", n->n_id, n->n_hello.name);
			return (FRAME_ADMIN_REFUSED);
		}
		evtimer_del(n->n_redial_ev);
		hub_redial_begin(n, "operator");
		snprintf(text, len, "node %u (%s): redial started: draining "
		    "%u relays (up to %d ms), then REDIAL", n->n_id,
		    n->n_hello.name, n->n_nrelays,
		    hub.conf.redial_grace_ms);
		break;
	}
	return (FRAME_ADMIN_OK);
}

/*
 * ADMIN from a loopback admin session: drain, undrain or redial the
 * nodes named (or numbered) a->node; answer one ADMIN_REPLY.
 */
void
hub_admin_op(struct ctl *c, const struct frame_admin *a)
{
	static const char	*ops[] = { "", "drain", "undrain", "redial" };
	struct frame_admin_reply r;
	struct node		*n, *tmp;
	uint8_t			 buf[FRAME_MAX];
	char			 one[256];
	u_int			 matched = 0, failed = 0;
	int			 st;

	memset(&r, 0, sizeof r);
	TAILQ_FOREACH_SAFE(n, &hub.nodes, n_entry, tmp) {
		if (!hub_node_named(n, a->node))
			continue;
		st = hub_admin_one(n, a->op, one, sizeof one);
		if (st != FRAME_ADMIN_OK)
			failed++;
		/* The text: the first node's, or the first that worked. */
		if (matched++ == 0 || (st == FRAME_ADMIN_OK &&
		    failed == matched - 1))
			strlcpy(r.text, one, sizeof r.text);
		if (matched == 2)
			strlcat(r.text, " (and more nodes of that name)",
			    sizeof r.text);
		log_info("control %s: %s %s: %s", c->c_peer, ops[a->op],
		    a->node, one);
	}
	if (matched == 0) {
		r.status = FRAME_ADMIN_NOTFOUND;
		snprintf(r.text, sizeof r.text, "no node named (or with id) "
		    "%s is online (tentacle info lists them)", a->node);
		log_info("control %s: %s %s: no such node", c->c_peer,
		    ops[a->op], a->node);
	} else if (failed == matched)
		r.status = FRAME_ADMIN_REFUSED;
	hub_send(c->c_bev, buf, frame_admin_reply_encode(buf, &r));
}

/*
 * The admin socket (doc/security.md): -admin, else admin.sock in the state
 * directory, made (0700) if missing; or a loopback HOST:PORT (the default
 * on Windows, where 127.0.0.1:0) with its cookie file in the state
 * directory.  0 with the listener in hub.listeners[HUB_LISTEN_ADMIN] (or
 * none: "-admin none"), -1 with *cause.
 */
int
hub_admin_listen(char **cause)
{
	static char		 path[1024];
	const char		*dir = hub.conf.state_dir;
	struct stat		 st;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*no = NULL;
	int			 tcp;

	if (hub.conf.admin_path != NULL &&
	    strcmp(hub.conf.admin_path, "none") == 0)
		return (0);
	if (hub.conf.admin_path == NULL && COMPAT_ADMIN_TCP != NULL)
		hub.conf.admin_path = COMPAT_ADMIN_TCP;
	/* HOST:PORT is a port; anything else (no colon: "admin") a path. */
	tcp = hub.conf.admin_path != NULL &&
	    strchr(hub.conf.admin_path, ':') != NULL && core_addr_parse(
	    hub.conf.admin_path, &ss, &sslen, &no) == 0;
	free(no);
	if (tcp && !core_sa_is_localhost((struct sockaddr *)&ss)) {
		xasprintf(cause, "-admin %s: a TCP admin port must be on "
		    "127.0.0.1 or [::1]", hub.conf.admin_path);
		return (-1);
	}
	if (hub.conf.admin_path == NULL || tcp) {
		if (dir == NULL)
			dir = core_state_dir();
		if (stat(dir, &st) == -1 && (errno != ENOENT ||
		    mkdir(dir, 0700) == -1)) {
			xasprintf(cause, "admin socket: cannot create %s: %s "
			    "(give -state-dir, or -admin PATH)", dir,
			    strerror(errno));
			return (-1);
		}
	}
	if (tcp) {
		hub.listeners[HUB_LISTEN_ADMIN] = core_listen(
		    hub.conf.admin_path, hub_admin_tcp_accept, NULL, cause);
		if (hub.listeners[HUB_LISTEN_ADMIN] == NULL)
			return (-1);
		return (hub_admin_cookie_write(dir, core_listener_name(
		    hub.listeners[HUB_LISTEN_ADMIN]), cause));
	}
	if (hub.conf.admin_path == NULL) {
		snprintf(path, sizeof path, "%s/%s", dir, ADMIN_SOCKET);
		hub.conf.admin_path = path;
	}
	hub.listeners[HUB_LISTEN_ADMIN] = core_listen_unix(
	    hub.conf.admin_path, 0660, hub_admin_accept, NULL, cause);
	return (hub.listeners[HUB_LISTEN_ADMIN] == NULL ? -1 : 0);
}
