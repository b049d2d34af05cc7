/*
 * hub_mixed.c: the first byte of every proxy connection, on the SOCKS, the
 * HTTP and the mixed port (-mixedAddr).  Owns a client connection from
 * accept until that byte says which protocol it speaks (0x04 SOCKS4, 0x05
 * SOCKS5, 0x16 TLS, a letter HTTP; other bytes go to the port's own front,
 * HTTP's on the mixed port), then hands the socket, nothing read from
 * it (MSG_PEEK), to the front that speaks it: hub_socks_accept() or
 * hub_http_accept().  The mixed port takes every protocol; a dedicated port
 * that gets the other one answers in the client's own protocol, naming the
 * port to use, instead of leaving it to its handshake deadline:
 *
 *	HTTP on the SOCKS port		400 with a sentence naming the port
 *	SOCKS5 on the HTTP port		method reply, then REP 0x01 (general
 *					failure) to the request
 *	SOCKS4 on the HTTP port		0x5b
 *	TLS on any port			nothing (the proxy ports are plaintext)
 *
 * each with one log line: client, port, protocol, the port to use.  A
 * client the hub refuses anyway (AUTH_DENY) is not told about other ports:
 * its port's front refuses it as before.  The connection counts against
 * -max-clients and -max-conns-per-ip from accept (the front gets the
 * count, or answers "over the limit" in its protocol) and has
 * -handshake-timeout to send its first byte; the front gets what is left
 * of that deadline for the rest of its handshake.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tentacle.h"
#include "auth.h"
#include "http.h"
#include "limit.h"
#include "socks.h"
#include "hub.h"

/* Input read and dropped from a wrong-port client before we give up. */
#define HUB_MIXED_DISCARD_MAX	(64 * 1024)
/* Time the client gets to read our answer and close. */
#define HUB_MIXED_LINGER_MS	5000

#define HUB_PROTO_SOCKS4	0
#define HUB_PROTO_SOCKS5	1
#define HUB_PROTO_HTTP		2
#define HUB_PROTO_TLS		3
#define HUB_PROTO_OTHER		4	/* neither: the port's front judges */

/* SOCKS5 on the HTTP port: where its short dialogue stands. */
#define HUB_MIXED_GREETING	0
#define HUB_MIXED_AUTH		1
#define HUB_MIXED_REQUEST	2
#define HUB_MIXED_DONE		3	/* answered: discard, then close */

struct hub_mixed {
	struct event		*m_ev;		/* the first byte, or timeout */
	struct bufferevent	*m_bev;		/* answering a wrong port */
	evutil_socket_t		 m_fd;
	int			 m_port;	/* HUB_LISTEN_* */
	u_int			 m_lport;	/* its port number */
	int			 m_proto;	/* HUB_PROTO_* */
	int			 m_state;	/* HUB_MIXED_* */
	int			 m_shut;	/* our write side is shut */
	size_t			 m_discard;
	struct sockaddr_storage	 m_sa;
	socklen_t		 m_salen;
	struct hub_accept	 m_acc;		/* start, the client's count */
	char			 m_peer[64];
};

static const char *const hub_mixed_proto[] = {
	"SOCKS4", "SOCKS5", "HTTP", "TLS"
};

static void	 hub_mixed_close(struct hub_mixed *);
static void	 hub_mixed_first_cb(evutil_socket_t, short, void *);
static void	 hub_mixed_wrong(struct hub_mixed *);
static void	 hub_mixed_answer(struct hub_mixed *);
static void	 hub_mixed_read_cb(struct bufferevent *, void *);
static void	 hub_mixed_write_cb(struct bufferevent *, void *);
static void	 hub_mixed_event_cb(struct bufferevent *, short, void *);
static void	 hub_mixed_deadline_cb(evutil_socket_t, short, void *);

/* see hub.h; arg is the listener's HUB_LISTEN_* index. */
void
hub_mixed_accept(int fd, struct sockaddr *sa, socklen_t salen, void *arg)
{
	struct hub_mixed	*m;
	struct timeval		 tv;
	char			 peer[64];

	if ((m = calloc(1, sizeof *m)) == NULL ||
	    (m->m_ev = event_new(core_base, fd, EV_READ | EV_PERSIST,
	    hub_mixed_first_cb, m)) == NULL) {
		log_warnx("proxy: %s: out of memory; closing",
		    core_sa_str(sa, peer, sizeof peer));
		evutil_closesocket(fd);
		free(m);
		return;
	}
	m->m_fd = fd;
	m->m_acc.start = core_now_us();
	m->m_acc.hold = limit_open(sa, hub.conf.max_clients,
	    hub.conf.max_conns_per_ip, &m->m_acc.why);
	m->m_port = (int)(intptr_t)arg;
	/* Kept: a shutdown may close the listener while we wait. */
	if (hub.listeners[m->m_port] != NULL)
		m->m_lport = core_listener_port(hub.listeners[m->m_port]);
	if (salen > sizeof m->m_sa)
		salen = sizeof m->m_sa;
	memcpy(&m->m_sa, sa, salen);
	m->m_salen = salen;
	core_sa_str(sa, m->m_peer, sizeof m->m_peer);
	tv.tv_sec = hub.conf.handshake_ms / 1000;
	tv.tv_usec = (hub.conf.handshake_ms % 1000) * 1000;
	event_add(m->m_ev, &tv);
}

/* Frees m and closes its connection. */
static void
hub_mixed_close(struct hub_mixed *m)
{
	limit_close(m->m_acc.hold);
	if (m->m_ev != NULL)
		event_free(m->m_ev);
	if (m->m_bev != NULL)
		bufferevent_free(m->m_bev);
	else
		evutil_closesocket(m->m_fd);
	free(m);
}

/* The port's name in sentences. */
static const char *
hub_mixed_port_name(int port)
{
	switch (port) {
	case HUB_LISTEN_SOCKS:
		return ("SOCKS");
	case HUB_LISTEN_HTTP:
		return ("HTTP");
	default:
		return ("mixed");
	}
}

/* The log prefix of a port's lines. */
static const char *
hub_mixed_tag(int port)
{
	switch (port) {
	case HUB_LISTEN_SOCKS:
		return ("socks");
	case HUB_LISTEN_HTTP:
		return ("http");
	default:
		return ("mixed");
	}
}

/*
 * "the HTTP port 8887" (or "the mixed port 1080") for a client of m's
 * protocol, into buf; a hint to the operator when the hub has neither.
 */
static const char *
hub_mixed_use(struct hub_mixed *m, char *buf, size_t len)
{
	int	 want, i;

	want = m->m_proto == HUB_PROTO_HTTP ? HUB_LISTEN_HTTP :
	    HUB_LISTEN_SOCKS;
	for (i = 0; i < 2; i++, want = HUB_LISTEN_MIXED) {
		if (hub.listeners[want] == NULL)
			continue;
		snprintf(buf, len, "the %s port %u", hub_mixed_port_name(want),
		    core_listener_port(hub.listeners[want]));
		return (buf);
	}
	snprintf(buf, len, "no port of this hub (it needs -%s or -mixedAddr)",
	    m->m_proto == HUB_PROTO_HTTP ? "httpAddr" : "socketAddr");
	return (buf);
}

/* The first byte is in (or the deadline passed): pick a front. */
static void
hub_mixed_first_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hub_mixed	*m = arg;
	core_accept_cb		*front;
	struct timeval		 tv;
	uint8_t			 b;
	ssize_t			 n;

	if (what & EV_TIMEOUT) {
		log_info("%s: %s: sent nothing within %d ms; closing",
		    hub_mixed_tag(m->m_port),
		    m->m_peer, hub.conf.handshake_ms);
		hub_mixed_close(m);
		return;
	}
	if ((n = recv(fd, (char *)&b, 1, MSG_PEEK)) <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR)) {
			/* Spurious wakeup (rare): a fresh deadline. */
			tv.tv_sec = hub.conf.handshake_ms / 1000;
			tv.tv_usec = (hub.conf.handshake_ms % 1000) * 1000;
			event_add(m->m_ev, &tv);
			return;
		}
		log_debug("proxy: %s: closed before its first byte",
		    m->m_peer);
		hub_mixed_close(m);
		return;
	}
	switch (b) {
	case SOCKS4_VERSION:
		m->m_proto = HUB_PROTO_SOCKS4;
		break;
	case SOCKS_VERSION:
		m->m_proto = HUB_PROTO_SOCKS5;
		break;
	case 0x16:	/* a TLS handshake record */
		m->m_proto = HUB_PROTO_TLS;
		break;
	default:
		/* A method starts with a letter; other bytes: the port's own. */
		m->m_proto = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ?
		    HUB_PROTO_HTTP : HUB_PROTO_OTHER;
		break;
	}
	front = m->m_proto == HUB_PROTO_SOCKS4 ||
	    m->m_proto == HUB_PROTO_SOCKS5 ? hub_socks_accept :
	    hub_http_accept;
	if (m->m_proto == HUB_PROTO_OTHER)
		front = m->m_port == HUB_LISTEN_SOCKS ? hub_socks_accept :
		    hub_http_accept;
	if (m->m_proto == HUB_PROTO_TLS ||
	    (m->m_port == HUB_LISTEN_SOCKS && front != hub_socks_accept) ||
	    (m->m_port == HUB_LISTEN_HTTP && front != hub_http_accept)) {
		/* A refused client is refused by its port's front. */
		if (auth_client_policy((struct sockaddr *)&m->m_sa) !=
		    AUTH_DENY) {
			hub_mixed_wrong(m);
			return;
		}
		front = m->m_port == HUB_LISTEN_HTTP ? hub_http_accept :
		    hub_socks_accept;
	}
	/*
	 * Our event (persistent: libevent did not take the socket out of
	 * epoll to call us) goes after the front's bufferevent is reading:
	 * the socket's registration never changes, two epoll_ctl fewer.
	 */
	front(m->m_fd, (struct sockaddr *)&m->m_sa, m->m_salen, &m->m_acc);
	event_free(m->m_ev);
	limit_close(m->m_acc.hold);	/* a front that refused took none */
	free(m);
}

/* see hub.h */
struct limit_hold *
hub_mixed_hold(void *arg, const struct sockaddr *sa, int *why)
{
	struct hub_accept	*acc = arg;
	struct limit_hold	*h;

	if (acc == NULL)
		return (limit_open(sa, hub.conf.max_clients,
		    hub.conf.max_conns_per_ip, why));
	h = acc->hold;
	acc->hold = NULL;
	*why = acc->why;
	return (h);
}

/* see hub.h; arg points to the accept time (NULL: nothing spent). */
int
hub_mixed_left_ms(const void *arg)
{
	uint64_t	 spent;

	if (arg == NULL)
		return (hub.conf.handshake_ms);
	spent = (core_now_us() -
	    ((const struct hub_accept *)arg)->start) / 1000;
	if (spent >= (uint64_t)hub.conf.handshake_ms)
		return (1);
	return (hub.conf.handshake_ms - (int)spent);
}

/* A client on the wrong port: log, answer it in its protocol, close. */
static void
hub_mixed_wrong(struct hub_mixed *m)
{
	struct timeval	 tv;
	char		 use[96];

	uint64_t	 spent;
	int		 ms;

	event_free(m->m_ev);
	m->m_ev = NULL;
	if (m->m_proto == HUB_PROTO_TLS)
		log_warnx("%s: %s: spoke TLS to the %s port %u; the proxy "
		    "ports are plaintext: use http:// or socks5h:// proxy "
		    "URLs, not https://", hub_mixed_tag(m->m_port), m->m_peer,
		    hub_mixed_port_name(m->m_port),
		    m->m_lport);
	else
		log_warnx("%s: %s: spoke %s to the %s port %u; use %s",
		    hub_mixed_tag(m->m_port),
		    m->m_peer, hub_mixed_proto[m->m_proto],
		    hub_mixed_port_name(m->m_port),
		    m->m_lport,
		    hub_mixed_use(m, use, sizeof use));
	if ((m->m_bev = bufferevent_socket_new(core_base, m->m_fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		hub_mixed_close(m);
		return;
	}
	/*
	 * The read and write timeouts are per operation: a client sending a
	 * byte now and then would keep them from firing.  One deadline for
	 * the whole: the handshake's from accept, then the linger.
	 */
	spent = (core_now_us() - m->m_acc.start) / 1000;
	ms = hub.conf.handshake_ms + HUB_MIXED_LINGER_MS;
	ms = spent >= (uint64_t)ms ? 1 : ms - (int)spent;
	if ((m->m_ev = evtimer_new(core_base, hub_mixed_deadline_cb,
	    m)) == NULL) {
		hub_mixed_close(m);
		return;
	}
	evtimer_add(m->m_ev, core_ms_tv(&tv, ms));
	tv.tv_sec = hub.conf.handshake_ms / 1000;
	tv.tv_usec = (hub.conf.handshake_ms % 1000) * 1000;
	bufferevent_set_timeouts(m->m_bev, &tv, &tv);
	bufferevent_setcb(m->m_bev, hub_mixed_read_cb, hub_mixed_write_cb,
	    hub_mixed_event_cb, m);
	bufferevent_setwatermark(m->m_bev, EV_READ, 0, HTTP_HEAD_MAX);
	bufferevent_enable(m->m_bev, EV_READ | EV_WRITE);
	if (m->m_proto == HUB_PROTO_TLS)
		m->m_state = HUB_MIXED_DONE;
}

/*
 * Answer what the input holds so far: the 400, the SOCKS4 reply, or the
 * next step of SOCKS5's dialogue (any method it offers, any login, then
 * REP 0x01 to its request).
 */
static void
hub_mixed_answer(struct hub_mixed *m)
{
	struct evbuffer	*in = bufferevent_get_input(m->m_bev);
	size_t		 len = evbuffer_get_length(in);
	struct target	 t;
	uint8_t		*p, out[SOCKS_REPLY_MAX], rep, cmd;
	uint32_t	 methods = 0;
	char		 user[256], pass[256], use[96], body[192];
	char		 reply[HTTP_REPLY_MAX];
	int		 n = -1;

	if ((p = evbuffer_pullup(in, len)) == NULL)
		return;
	switch (m->m_proto) {
	case HUB_PROTO_HTTP:
		snprintf(body, sizeof body, "tentacle: this is the hub's %s "
		    "port, for SOCKS4 and SOCKS5; speak HTTP to %s\n",
		    hub_mixed_port_name(m->m_port),
		    hub_mixed_use(m, use, sizeof use));
		bufferevent_write(m->m_bev, reply,
		    http_reply(reply, sizeof reply, 400, body));
		m->m_state = HUB_MIXED_DONE;
		return;
	case HUB_PROTO_SOCKS4:
		bufferevent_write(m->m_bev, out, socks4_reply(out,
		    SOCKS_REP_FAIL));
		m->m_state = HUB_MIXED_DONE;
		return;
	}
	switch (m->m_state) {
	case HUB_MIXED_GREETING:
		if ((n = socks_parse_greeting(p, len, &methods, &rep)) <= 0)
			break;
		rep = methods & (1U << SOCKS_METHOD_NOAUTH) ?
		    SOCKS_METHOD_NOAUTH : methods &
		    (1U << SOCKS_METHOD_USERPASS) ? SOCKS_METHOD_USERPASS :
		    SOCKS_METHOD_NONE;
		bufferevent_write(m->m_bev, out, socks_method_reply(out, rep));
		m->m_state = rep == SOCKS_METHOD_NOAUTH ? HUB_MIXED_REQUEST :
		    rep == SOCKS_METHOD_USERPASS ? HUB_MIXED_AUTH :
		    HUB_MIXED_DONE;
		break;
	case HUB_MIXED_AUTH:
		/* Not checked: the request is refused whoever asks. */
		if ((n = socks_parse_userpass(p, len, user, pass, &rep)) <= 0)
			break;
		explicit_bzero(pass, sizeof pass);
		bufferevent_write(m->m_bev, out, socks_auth_reply(out, 1));
		m->m_state = HUB_MIXED_REQUEST;
		break;
	case HUB_MIXED_REQUEST:
		if ((n = socks_parse_request(p, len, &cmd, &t, &rep)) == 0)
			break;
		bufferevent_write(m->m_bev, out, socks_reply(out,
		    SOCKS_REP_FAIL, NULL));
		m->m_state = HUB_MIXED_DONE;
		break;
	}
	if (n < 0)
		m->m_state = HUB_MIXED_DONE;
	else if (n > 0 && m->m_state != HUB_MIXED_DONE) {
		evbuffer_drain(in, (size_t)n);
		if (evbuffer_get_length(in) > 0)
			hub_mixed_answer(m);
	}
}

static void
hub_mixed_read_cb(struct bufferevent *bev, void *arg)
{
	struct hub_mixed	*m = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	if (m->m_state != HUB_MIXED_DONE)
		hub_mixed_answer(m);
	if (m->m_state != HUB_MIXED_DONE)
		return;
	m->m_discard += evbuffer_get_length(in);
	evbuffer_drain(in, (size_t)-1);
	if (m->m_discard > HUB_MIXED_DISCARD_MAX) {
		hub_mixed_close(m);
		return;
	}
	hub_mixed_write_cb(bev, m);
}

/*
 * Once the answer is written, shut our side and read until the client
 * closes: closing with its bytes unread would reset the connection and
 * could lose the answer.
 */
static void
hub_mixed_write_cb(struct bufferevent *bev, void *arg)
{
	struct hub_mixed	*m = arg;
	struct timeval		 tv = { HUB_MIXED_LINGER_MS / 1000, 0 };

	if (m->m_state != HUB_MIXED_DONE || m->m_shut ||
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	m->m_shut = 1;
	shutdown(m->m_fd, SHUT_WR);
	bufferevent_set_timeouts(bev, &tv, NULL);
}

static void
hub_mixed_event_cb(struct bufferevent *bev __unused, short what, void *arg)
{
	struct hub_mixed	*m = arg;

	if (what & BEV_EVENT_TIMEOUT)
		log_debug("proxy: %s: wrong-port client gone quiet; closing",
		    m->m_peer);
	hub_mixed_close(m);
}

/* A wrong-port client past its handshake and linger time: close it. */
static void
hub_mixed_deadline_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct hub_mixed	*m = arg;

	log_debug("proxy: %s: wrong-port client still there after %d ms; "
	    "closing", m->m_peer, hub.conf.handshake_ms + HUB_MIXED_LINGER_MS);
	hub_mixed_close(m);
}
