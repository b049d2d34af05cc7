/*
 * hub_admin.c: the admin socket (doc/security.md, doc/admin.md).  Owns its
 * listener (a Unix socket, or a loopback TCP port and the cookie file
 * beside it: doc/windows.md), and the operations on a node an operator
 * asks for: drain, undrain, redial, disconnect.  The API in front of them
 * is hub_api.c's.
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
#include "auth.h"
#include "frame.h"
#include "limit.h"
#include "hub.h"
#include "tls.h"

#define ADMIN_SOCKET	"admin.sock"	/* in the state directory */

/* The loopback TCP admin port: a cookie file, what a client sends. */
static char		 admin_cookie_path[1024];
static uint8_t		 admin_cookie[ADMIN_COOKIE_LEN];

static int	 hub_admin_do(struct node *, int, char *, size_t);

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
	hub_api_close();
	if (admin_cookie_path[0] != '\0')
		(void)unlink(admin_cookie_path);
	admin_cookie_path[0] = '\0';
}

/* see hub.h */
const uint8_t *
hub_admin_cookie(void)
{
	return (admin_cookie);
}

/* see hub.h */
int
hub_admin_one(struct node *n, int op, char *text, size_t len)
{
	static const char	*ops[] = { "drain", "undrain", "redial",
				    "disconnect" };
	int			 rc;

	rc = hub_admin_do(n, op, text, len);
	hub_event(HUB_EV_ADMIN, n->n_id, "name", n->n_hello.name, "op",
	    (u_int)op < nitems(ops) ? ops[op] : "?", "outcome", rc == 0 ?
	    "done" : "refused", "message", text, NULL);
	return (rc);
}

/* hub_admin_one()'s work; text says what happened. */
static int
hub_admin_do(struct node *n, int op, char *text, size_t len)
{
	switch (op) {
	case HUB_ADMIN_DRAIN:
		if (n->n_keep.drain) {
			snprintf(text, len, "node %u (%s) was already drained; "
			    "%u relays still open", n->n_id, n->n_hello.name,
			    n->n_nrelays);
			return (0);
		}
		n->n_keep.drain = 1;
		snprintf(text, len, "node %u (%s) drained: no new requests; "
		    "%u relays continue", n->n_id, n->n_hello.name,
		    n->n_nrelays);
		break;
	case HUB_ADMIN_UNDRAIN:
		if (n->n_redial == REDIAL_SENT) {
			n->n_keep.drain = 0;
			snprintf(text, len, "node %u (%s): REDIAL already "
			    "sent, it is leaving to redial; it comes back in "
			    "service",
			    n->n_id, n->n_hello.name);
			return (0);
		}
		if (!n->n_keep.drain && n->n_redial != REDIAL_DRAIN) {
			snprintf(text, len, "node %u (%s) was not "
			    "drained%s%s%s", n->n_id, n->n_hello.name,
			    n->n_paused ? "; it is paused by host policy (" :
			    "", n->n_paused_why, n->n_paused ? "), which only "
			    "the node lifts" : "");
			return (0);
		}
		n->n_keep.drain = 0;
		if (n->n_redial == REDIAL_DRAIN) {
			evtimer_del(n->n_redial_ev);
			hub_redial_end(n);
			snprintf(text, len, "node %u (%s) back in service; its "
			    "redial was cancelled", n->n_id, n->n_hello.name);
		} else if (n->n_paused)
			snprintf(text, len, "node %u (%s) undrained; still "
			    "paused by host policy (%s): no requests until the "
			    "node says it is available", n->n_id,
			    n->n_hello.name, n->n_paused_why);
		else
			snprintf(text, len, "node %u (%s) back in service",
			    n->n_id, n->n_hello.name);
		break;
	case HUB_ADMIN_DISCONNECT:
		snprintf(text, len, "node %u (%s) disconnected: %u relays "
		    "continue; it may connect again", n->n_id, n->n_hello.name,
		    n->n_nrelays);
		break;
	default:
		if (n->n_hello.redial == FRAME_REDIAL_NONE) {
			snprintf(text, len, "node %u (%s) cannot redial: its "
			    "config has no redial command (redial:) or "
			    "dial_info", n->n_id, n->n_hello.name);
			return (-1);
		}
		if (n->n_redial != REDIAL_IDLE) {
			snprintf(text, len, "node %u (%s) is already "
			    "redialing", n->n_id, n->n_hello.name);
			return (-1);
		}
		if (n->n_paused) {
			snprintf(text, len, "node %u (%s) is paused by host "
			    "policy (%s): no redial until it is available",
			    n->n_id, n->n_hello.name, n->n_paused_why);
			return (-1);
		}
		evtimer_del(n->n_redial_ev);
		hub_redial_begin(n, "operator");
		snprintf(text, len, "node %u (%s): redial started: draining "
		    "%u relays (up to %d ms), then REDIAL", n->n_id,
		    n->n_hello.name, n->n_nrelays,
		    hub.conf.redial_grace_ms);
		break;
	}
	return (0);
}

/*
 * A TCP port for the API: -admin HOST:PORT, or -adminAddr beside the
 * socket.  The state directory holds its cookie.  On loopback, plain HTTP;
 * elsewhere (-adminAddr only) TLS with the hub's certificate, and only
 * when admin accounts (-admins) exist: the cookie is not a password
 * anyone should type or keep off this machine.
 */
static int
hub_admin_tcp(int slot, const char *flag, const char *addr, const char *dir,
    char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*no = NULL;
	struct tls_conf		*tls = NULL;

	if (core_addr_parse(addr, &ss, &sslen, &no) == -1) {
		xasprintf(cause, "%s %s: %s", flag, addr, no);
		free(no);
		return (-1);
	}
	if (!core_sa_is_localhost((struct sockaddr *)&ss)) {
		if (slot != HUB_LISTEN_ADMIN_TCP) {
			xasprintf(cause, "%s %s: -admin takes a socket path "
			    "or a loopback HOST:PORT; for a port other "
			    "machines reach, use -adminAddr (TLS, admin "
			    "accounts: doc/admin.md)", flag, addr);
			return (-1);
		}
		if (hub.tls == NULL) {
			xasprintf(cause, "%s %s: off loopback the admin API "
			    "speaks TLS with the hub's certificate, and this "
			    "hub runs -insecure (no certificate): drop "
			    "-insecure, or listen on 127.0.0.1 and use ssh -L",
			    flag, addr);
			return (-1);
		}
		if (auth_admins_count() == 0) {
			xasprintf(cause, "%s %s: off loopback the admin API "
			    "needs admin accounts: give -admins FILE with at "
			    "least one (tentacle passwd -admin -file FILE "
			    "NAME; doc/admin.md)", flag, addr);
			return (-1);
		}
		tls = hub.tls;
	}
	if (admin_cookie_path[0] != '\0') {
		xasprintf(cause, "%s %s: the admin API has one TCP port (its "
		    "cookie file names it): -admin HOST:PORT or -adminAddr, "
		    "not both", flag, addr);
		return (-1);
	}
	hub.listeners[slot] = core_listen(addr, NULL, NULL, cause);
	if (hub.listeners[slot] == NULL ||
	    hub_admin_cookie_write(dir, core_listener_name(
	    hub.listeners[slot]), cause) == -1)
		return (-1);
	if (tls != NULL)
		log_info("admin API on %s over TLS (hub key fingerprint %s): "
		    "%zu admin accounts and the cookie log in",
		    core_listener_name(hub.listeners[slot]),
		    tls_conf_fingerprint(tls), auth_admins_count());
	return (hub_api_serve(hub.listeners[slot], 1, tls, cause));
}

/*
 * The admin socket (doc/security.md): -admin, else admin.sock in the state
 * directory, made (0700) if missing; or a loopback HOST:PORT (the default
 * on Windows, where 127.0.0.1:0) with its cookie file in the state
 * directory.  -adminAddr adds a loopback port beside the socket.  0 with
 * the listeners in hub.listeners[HUB_LISTEN_ADMIN] and _ADMIN_TCP (or
 * none: "-admin none"), -1 with *cause.
 */
int
hub_admin_listen(char **cause)
{
	static char		 path[1024];
	const char		*dir = hub.conf.state_dir;
	struct stat		 st;
	int			 tcp, none = 0;

	if (hub.conf.admin_path != NULL &&
	    strcmp(hub.conf.admin_path, "none") == 0)
		hub.conf.admin_path = NULL, none = 1;
	else if (hub.conf.admin_path == NULL && COMPAT_ADMIN_TCP != NULL)
		hub.conf.admin_path = COMPAT_ADMIN_TCP;
	/* HOST:PORT is a port; anything else (no colon: "admin") a path. */
	tcp = hub.conf.admin_path != NULL &&
	    strchr(hub.conf.admin_path, ':') != NULL;
	if (none && hub.conf.admin_addr == NULL)
		return (0);
	if (dir == NULL)
		dir = core_state_dir();
	if ((!none && (hub.conf.admin_path == NULL || tcp)) ||
	    hub.conf.admin_addr != NULL) {
		if (stat(dir, &st) == -1 && (errno != ENOENT ||
		    mkdir(dir, 0700) == -1)) {
			xasprintf(cause, "admin socket: cannot create %s: %s "
			    "(give -state-dir, or -admin PATH)", dir,
			    strerror(errno));
			return (-1);
		}
	}
	if (tcp && hub_admin_tcp(HUB_LISTEN_ADMIN, "-admin",
	    hub.conf.admin_path, dir, cause) == -1)
		return (-1);
	if (!none && !tcp) {
		if (hub.conf.admin_path == NULL) {
			snprintf(path, sizeof path, "%s/%s", dir,
			    ADMIN_SOCKET);
			hub.conf.admin_path = path;
		}
		hub.listeners[HUB_LISTEN_ADMIN] = core_listen_unix(
		    hub.conf.admin_path, 0660, NULL, NULL, cause);
		if (hub.listeners[HUB_LISTEN_ADMIN] == NULL ||
		    hub_api_serve(hub.listeners[HUB_LISTEN_ADMIN], 0, NULL,
		    cause) == -1)
			return (-1);
	}
	if (hub.conf.admin_addr != NULL && hub_admin_tcp(HUB_LISTEN_ADMIN_TCP,
	    "-adminAddr", hub.conf.admin_addr, dir, cause) == -1)
		return (-1);
	return (0);
}
