/*
 * client.c: the exit node (`tentacle start`, `tentacler start`) and the
 * client-style command line (`tentacler [flags] info|start|version|help`).
 * Owns the control link to the hub, reconnect back-off, and the dials:
 * resolve with the node's own resolver, check the destination policy,
 * connect, open a data link and hand both to a relay.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "acl.h"
#include "frame.h"
#include "opt.h"
#include "tls.h"
#include "token.h"

#define CLIENT_ALLOW_MAX	64
#define CLIENT_LOCAL_MAX	64
#define CLIENT_LOCAL_REFRESH_US	(60 * 1000000ULL)
#define CLIENT_ADDRS_MAX	8
#define BACKOFF_MIN_MS		1000
#define BACKOFF_MAX_MS		30000
#define SHUTDOWN_GRACE_MS	10000
#define REDIAL_TIMEOUT_MS	60000	/* redial_timeout default */
#define REDIAL_MIN_MS		10000	/* redial_min_interval default */

struct client_conf {
	const char		*config;
	const char		*server;	/* HOST:PORT */
	const char		*token;
	const char		*name;
	const char		*log;
	const char		*log_level;
	const char		*allow;		/* flag: comma list */
	const char		*deny;		/* flag: comma list */
	const char		*bind;		/* source address for targets */
	char			*file_bind;
	const char		*data_addr;	/* -data-addr: allowed data host */
	char			*file_data_addr;
	struct sockaddr_storage	 bind_sa;
	socklen_t		 bind_len;	/* 0: no bind */
	const char		*fingerprint;
	const char		*ca_file;
	const char		*state_dir;
	int			 insecure;
	int			 pool_size;
	char			*file_fingerprint;
	char			*file_ca_file;
	char			*file_known_hosts;
	char			*file_state_dir;
	int			 file_insecure;
	char			*file_server;	/* from the config file */
	char			*file_token;
	char			*file_name;
	char			*file_log;
	char			*file_log_level;
	char			*file_dial_info;
	char			*file_redial;
	int			 redial_timeout_ms;
	int			 redial_min_ms;
	int			 file_pool_size;
	int			 file_pool_size_set;
	char			 pools[FRAME_POOLS_MAX][64];
	int			 npools;
	struct acl_entry	 allowlist[CLIENT_ALLOW_MAX];
	size_t			 nallow;
	struct acl_entry	 denylist[CLIENT_ALLOW_MAX];
	size_t			 ndeny;
};

struct ndial {
	TAILQ_ENTRY(ndial)	 nd_entry;
	uint32_t		 nd_req;
	struct target		 nd_target;
	struct sockaddr_storage	 nd_addrs[CLIENT_ADDRS_MAX];
	int			 nd_naddrs;
	int			 nd_next;
	struct evdns_getaddrinfo_request *nd_dns;
	int			 nd_dns_pending;
	int			 nd_zombie;	/* freed by the DNS callback */
	struct bufferevent	*nd_target_bev;
	struct bufferevent	*nd_link;
	struct event		*nd_timer;
	int			 nd_pooled;	/* nd_link is a pooled link */
	int			 nd_err;	/* best DIAL_* so far */
	const char		*nd_why;	/* policy refusal */
	uint64_t		 nd_start_us;
};
TAILQ_HEAD(ndials, ndial);

/* A pooled data link: connecting, or idle after its POOL frame. */
struct npool {
	TAILQ_ENTRY(npool)	 np_entry;
	struct bufferevent	*np_bev;
	int			 np_idle;	/* POOL sent */
	uint64_t		 np_since_us;	/* connected at */
	int			 np_keepalive;	/* probes turned on */
};
TAILQ_HEAD(npools, npool);

static struct client_conf	 cc = { .redial_min_ms = -1 };
static char			 client_host[256];
static char			 client_port[8];
static struct bufferevent	*client_bev;
static struct event		*client_retry_ev;
static struct event		*client_hb_ev;
static struct event		*client_hs_ev;	/* connect..WELCOME deadline */
static struct event		*client_stop_ev;
static struct sockaddr_storage	 client_hub_sa;	/* control peer */
static socklen_t		 client_hub_salen;
static struct sockaddr_storage	 client_data_sa;
static socklen_t		 client_data_salen;
static struct frame_welcome	 client_wl;
static int			 client_welcomed;
static int			 client_data_ok;	/* data address allowed */
static uint64_t			 client_data_warned_us;
static uint32_t			 client_node_id;
static uint64_t			 client_rx_us;
static uint32_t			 client_rtt_us;
static int			 client_backoff_ms = BACKOFF_MIN_MS;
static int			 client_stopping;
static u_int			 client_ndials;
static struct ndials		 client_dials = TAILQ_HEAD_INITIALIZER(client_dials);
static struct frame_hello	 client_hello;
static struct sockaddr_storage	 client_local[CLIENT_LOCAL_MAX];
static size_t			 client_nlocal;
static struct acl_entry		 client_hub_deny[FRAME_POLICY_MAX];
static size_t			 client_nhub_deny;
static uint64_t			 client_local_us;
static const char		*client_token;
static struct tls_conf		*client_tls;	/* NULL: insecure */
static char			 client_peer_name[300];	/* TOFU key */
static struct npools		 client_pool = TAILQ_HEAD_INITIALIZER(client_pool);
static u_int			 client_npool;	/* connecting + idle */
static int			 client_pool_size;	/* -pool-size: our max */
static int			 client_pool_want;	/* hub's POOL_TARGET */
static int			 client_pool_fails;	/* in a row: back-off */
static struct event		*client_pool_ev;	/* delayed refill */
static char			*client_redial_cmd;	/* NULL: cannot */
static uint64_t			 client_redial_us;	/* last one ended */
static uint64_t			 client_decline_us;	/* last warning */

static void	client_connect(void);
static void	client_lost(const char *);
static void	client_dial_free(struct ndial *);
static void	client_dial_try(struct ndial *);
static void	client_dial_bind(struct ndial *);
static void	client_pool_fill(void);
static void	client_pool_close_all(void);
static int	client_redial(const char *);
static void	client_link_down(int, const char *);
static struct bufferevent *client_hub_bev(int);
static int	client_bind_setup(char **);

static struct timeval *
ms_tv(struct timeval *tv, int ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
	return (tv);
}

static void
client_send(const uint8_t *buf, size_t len)
{
	if (client_bev == NULL || len == 0)
		return;
	bufferevent_write(client_bev, buf, len);
}

/* Map a connect errno to a result code (STYLE.md, microsocks). */
static int
client_errno_result(int error)
{
	switch (error) {
	case ECONNREFUSED:
		return (DIAL_REFUSED);
	case ENETUNREACH:
	case ENETDOWN:
		return (DIAL_NETUNREACH);
	case EHOSTUNREACH:
	case EHOSTDOWN:
		return (DIAL_HOSTUNREACH);
	case ETIMEDOUT:
		return (DIAL_TIMEOUT);
	default:
		return (DIAL_FAIL);
	}
}

/* BIND with a result, on a data link (a pooled link's answer). */
static void
client_bind_send(struct bufferevent *bev, uint32_t req, int result)
{
	struct frame_bind	 b;
	uint8_t			 buf[FRAME_MAX];

	memset(&b, 0, sizeof b);
	b.node_id = client_node_id;
	token_bind_proof(client_wl.cookie, sizeof client_wl.cookie, req,
	    b.proof);
	b.req = req;
	b.result = result;
	bufferevent_write(bev, buf, frame_bind_encode(buf, &b));
}

/*
 * Finish a dial that failed: tell the hub (if the control link is up; on
 * the pooled link the DIAL came on, if any) and free.
 */
static void
client_dial_fail(struct ndial *nd, int result)
{
	struct frame_result	 res;
	uint8_t			 buf[FRAME_MAX];
	char			 ts[TARGET_STRLEN];
	const char		*what;

	what = result == DIAL_NOTALLOWED ? "destination not allowed" :
	    result == DIAL_DNS ? "name did not resolve" :
	    result == DIAL_TIMEOUT ? "timed out" :
	    result == DIAL_REFUSED ? "connection refused" :
	    result == DIAL_NETUNREACH ? "network unreachable" :
	    result == DIAL_HOSTUNREACH ? "host unreachable" :
	    result == DIAL_BADADDR ? "bad address" : NULL;
	log_info("dial %u: %s failed: %s%s%s", nd->nd_req,
	    target_str(&nd->nd_target, ts, sizeof ts),
	    what != NULL ? what : nd->nd_why != NULL ? "" : "failed",
	    what != NULL && nd->nd_why != NULL ? ": " : "",
	    nd->nd_why != NULL ? nd->nd_why : "");
	if (nd->nd_pooled && nd->nd_link != NULL) {
		client_bind_send(nd->nd_link, nd->nd_req, result);
		core_bev_close_flush(nd->nd_link);
		nd->nd_link = NULL;
	} else if (client_welcomed) {
		res.req = nd->nd_req;
		res.result = result;
		client_send(buf, frame_result_encode(buf, &res));
	}
	client_dial_free(nd);
}

static void
client_dial_free(struct ndial *nd)
{
	if (nd->nd_zombie)
		return;
	TAILQ_REMOVE(&client_dials, nd, nd_entry);
	client_ndials--;
	if (nd->nd_timer != NULL)
		event_free(nd->nd_timer);
	nd->nd_timer = NULL;
	if (nd->nd_target_bev != NULL)
		bufferevent_free(nd->nd_target_bev);
	if (nd->nd_link != NULL)
		bufferevent_free(nd->nd_link);
	if (nd->nd_dns_pending) {
		/* The callback runs later with EVUTIL_EAI_CANCEL and frees. */
		nd->nd_zombie = 1;
		evdns_getaddrinfo_cancel(nd->nd_dns);
		return;
	}
	free(nd);
}

static void
client_dial_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct ndial	*nd = arg;

	client_dial_fail(nd, DIAL_TIMEOUT);
}

static void
client_link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ndial		*nd = arg;

	if (!(what & BEV_EVENT_CONNECTED)) {
		log_warnx("dial %u: cannot open a data link to the hub: %s",
		    nd->nd_req, tls_error(bev) != NULL ? tls_error(bev) :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		client_dial_fail(nd, DIAL_FAIL);
		return;
	}
	if (client_tls != NULL && !tls_is_wrapped(bev)) {
		char *cause = NULL;

		nd->nd_link = tls_wrap(client_tls, bev, 0, client_peer_name,
		    &cause);
		if (nd->nd_link == NULL) {
			log_warnx("dial %u: data link: %s", nd->nd_req, cause);
			free(cause);
			client_dial_fail(nd, DIAL_FAIL);
			return;
		}
		bev = nd->nd_link;
		bufferevent_setcb(bev, NULL, NULL, client_link_event_cb, nd);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
	}
	client_dial_bind(nd);
}

/* BIND ok on nd's data link, then relay target and link; frees nd. */
static void
client_dial_bind(struct ndial *nd)
{
	struct relay	*r;
	char		 tag[64], ts[TARGET_STRLEN];

	client_bind_send(nd->nd_link, nd->nd_req, DIAL_OK);
	snprintf(tag, sizeof tag, "%u", nd->nd_req);
	log_debug("dial %u: %s connected in %llu us; relaying%s", nd->nd_req,
	    target_str(&nd->nd_target, ts, sizeof ts),
	    (unsigned long long)(core_now_us() - nd->nd_start_us),
	    nd->nd_pooled ? " on a pooled link" : "");
	r = relay_new(nd->nd_link, nd->nd_target_bev, tag, NULL, NULL);
	if (r == NULL) {
		log_warnx("dial %u: out of memory", nd->nd_req);
		client_dial_fail(nd, DIAL_FAIL);
		return;
	}
	nd->nd_link = nd->nd_target_bev = NULL;
	client_dial_free(nd);
}

/* The target answered: open the data link to the hub. */
static void
client_dial_connected(struct ndial *nd)
{
	struct timeval	 tv;

	bufferevent_setcb(nd->nd_target_bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(nd->nd_target_bev, EV_READ);
	if (nd->nd_pooled) {
		client_dial_bind(nd);
		return;
	}
	nd->nd_link = client_hub_bev(client_data_sa.ss_family);
	if (nd->nd_link == NULL) {
		client_dial_fail(nd, DIAL_FAIL);
		return;
	}
	bufferevent_setcb(nd->nd_link, NULL, NULL, client_link_event_cb, nd);
	bufferevent_set_timeouts(nd->nd_link, NULL, ms_tv(&tv, CONNECT_MS));
	if (bufferevent_socket_connect(nd->nd_link,
	    (struct sockaddr *)&client_data_sa, client_data_salen) == -1) {
		log_warnx("dial %u: cannot open a data link to the hub",
		    nd->nd_req);
		client_dial_fail(nd, DIAL_FAIL);
	}
}

static void
client_target_event_cb(struct bufferevent *bev __unused, short what,
    void *arg)
{
	struct ndial	*nd = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		bufferevent_set_timeouts(nd->nd_target_bev, NULL, NULL);
		client_dial_connected(nd);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		nd->nd_err = DIAL_TIMEOUT;
	else
		nd->nd_err = client_errno_result(error);
	nd->nd_why = NULL;
	bufferevent_free(nd->nd_target_bev);
	nd->nd_target_bev = NULL;
	client_dial_try(nd);
}

/*
 * The node's own interface addresses, refreshed once a minute at most:
 * a target on one of them is the node itself, whatever its range.
 */
static void
client_local_refresh(void)
{
	struct ifaddrs	*ifa, *i;
	uint64_t	 now = core_now_us();

	/*
	 * Every minute; every second in the minute after a redial (pppd
	 * may bring the new address up after the command returned).
	 */
	if (client_local_us != 0 &&
	    now - client_local_us < (client_redial_us != 0 &&
	    now - client_redial_us < CLIENT_LOCAL_REFRESH_US ? 1000000 :
	    CLIENT_LOCAL_REFRESH_US))
		return;
	client_local_us = now;
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return;
	}
	client_nlocal = 0;
	for (i = ifa; i != NULL && client_nlocal < CLIENT_LOCAL_MAX;
	    i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			memcpy(&client_local[client_nlocal++], i->ifa_addr,
			    sizeof(struct sockaddr_in));
		else if (i->ifa_addr->sa_family == AF_INET6)
			memcpy(&client_local[client_nlocal++], i->ifa_addr,
			    sizeof(struct sockaddr_in6));
	}
	freeifaddrs(ifa);
}

/* The hub's POLICY for this node's pools: it can only add denials. */
static int
client_policy(const struct frame *f, const char **cause)
{
	struct frame_policy	 p;
	int			 i;

	if (frame_policy_parse(f, &p, cause) == -1)
		return (-1);
	for (i = 0; i < p.n; i++) {
		struct acl_entry *a = &client_hub_deny[i];

		memset(a, 0, sizeof *a);
		a->family = p.e[i].family == 4 ? AF_INET :
		    p.e[i].family == 6 ? AF_INET6 : 0;
		a->bits = p.e[i].bits;
		memcpy(a->addr, p.e[i].addr, sizeof a->addr);
		a->port = p.e[i].port;
	}
	client_nhub_deny = p.n;
	log_info("the hub denies %d more destinations for this node's pools",
	    p.n);
	return (0);
}

/* Does a deny list cover sa (its address, or its port)? */
static int
client_denies(const struct acl_entry *list, size_t n,
    const struct sockaddr *sa)
{
	uint16_t	 port;
	size_t		 i;

	port = ntohs(sa->sa_family == AF_INET ?
	    ((const struct sockaddr_in *)(const void *)sa)->sin_port :
	    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	for (i = 0; i < n; i++) {
		if (list[i].family == 0 && list[i].port == port)
			return (1);
	}
	return (acl_listed(list, n, sa));
}

/*
 * The destination policy: the hub's denials for our pools, the ranges
 * (acl.c) and the node itself.
 */
static int
client_target_allowed(const struct sockaddr *sa, const char **why)
{
	if (client_denies(client_hub_deny, client_nhub_deny, sa)) {
		*why = "denied by the hub's policy for this node's pools";
		return (0);
	}
	if (client_denies(cc.denylist, cc.ndeny, sa)) {
		*why = "denied by the node's deny list";
		return (0);
	}
	if (!acl_allowed(cc.allowlist, cc.nallow, sa, why))
		return (0);
	client_local_refresh();
	if (acl_is_local(client_local, client_nlocal, sa) &&
	    !acl_listed(cc.allowlist, cc.nallow, sa)) {
		*why = "one of the node's own addresses";
		return (0);
	}
	return (1);
}

/*
 * The socket for a target: -1 with errno on failure; with bind: set, a
 * socket bound to that source address (targets of the other family are
 * unreachable from it: ENETUNREACH).  Without bind:, -2: let libevent
 * make one.
 */
static int
client_target_socket(const struct sockaddr *sa)
{
	int	 fd;

	if (cc.bind_len == 0)
		return (-2);
	if (cc.bind_sa.ss_family != sa->sa_family) {
		errno = ENETUNREACH;
		return (-1);
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&cc.bind_sa, cc.bind_len) == -1) {
		log_warn("bind %s for an outgoing connection",
		    cc.bind != NULL ? cc.bind : cc.file_bind);
		close(fd);
		errno = EADDRNOTAVAIL;
		return (-1);
	}
	return (fd);
}

/*
 * A bufferevent for a link to the hub: its socket bound to bind: when that
 * has the family af (AF_UNSPEC: any), so the hub sees the address the
 * node's targets see; else (or when bind() fails, logged) unbound.
 */
static struct bufferevent *
client_hub_bev(int af)
{
	struct bufferevent	*bev;
	int			 fd = -1;

	/* bind() failing is logged; then the link goes unbound. */
	if (cc.bind_len != 0 && (af == AF_UNSPEC ||
	    af == cc.bind_sa.ss_family))
		fd = client_target_socket((struct sockaddr *)&cc.bind_sa);
	if (fd < 0)
		fd = -1;
	bev = bufferevent_socket_new(core_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL && fd != -1)
		close(fd);
	return (bev);
}

/*
 * Connect to the next allowed address.  The policy runs on the address
 * actually connected, so a name cannot rebind past it.
 */
static void
client_dial_try(struct ndial *nd)
{
	struct sockaddr	*sa;
	socklen_t	 salen;
	int		 fd;
	const char	*why;
	char		 as[64];

	while (nd->nd_next < nd->nd_naddrs) {
		sa = (struct sockaddr *)&nd->nd_addrs[nd->nd_next++];
		salen = sa->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
		if (!client_target_allowed(sa, &why)) {
			log_info("dial %u: refusing %s: %s%s", nd->nd_req,
			    core_sa_str(sa, as, sizeof as), why,
			    strncmp(why, "denied", 6) == 0 ? "" : " (add it "
			    "to the node's allow list to permit it)");
			if (nd->nd_err == DIAL_FAIL || nd->nd_err == DIAL_DNS)
				nd->nd_err = DIAL_NOTALLOWED;
			nd->nd_why = why;
			continue;
		}
		if ((fd = client_target_socket(sa)) == -1) {
			nd->nd_err = client_errno_result(errno);
			continue;
		}
		if (fd == -2)
			fd = -1;
		nd->nd_target_bev = bufferevent_socket_new(core_base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (nd->nd_target_bev == NULL) {
			if (fd != -1)
				close(fd);
			client_dial_fail(nd, DIAL_FAIL);
			return;
		}
		bufferevent_setcb(nd->nd_target_bev, NULL, NULL,
		    client_target_event_cb, nd);
		if (bufferevent_socket_connect(nd->nd_target_bev, sa,
		    salen) == 0)
			return;
		nd->nd_err = client_errno_result(EVUTIL_SOCKET_ERROR());
		bufferevent_free(nd->nd_target_bev);
		nd->nd_target_bev = NULL;
	}
	client_dial_fail(nd, nd->nd_err);
}

static void
client_dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct ndial		*nd = arg;
	struct evutil_addrinfo	*ai;

	nd->nd_dns_pending = 0;
	nd->nd_dns = NULL;
	if (nd->nd_zombie) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		free(nd);
		return;
	}
	if (result != 0) {
		nd->nd_err = result == EVUTIL_EAI_NONAME ||
		    result == EVUTIL_EAI_NODATA ? DIAL_DNS :
		    result == EVUTIL_EAI_AGAIN ? DIAL_DNS : DIAL_FAIL;
		nd->nd_why = evutil_gai_strerror(result);
		client_dial_fail(nd, nd->nd_err);
		return;
	}
	for (ai = res; ai != NULL && nd->nd_naddrs < CLIENT_ADDRS_MAX;
	    ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof nd->nd_addrs[0])
			continue;
		memcpy(&nd->nd_addrs[nd->nd_naddrs++], ai->ai_addr,
		    ai->ai_addrlen);
	}
	if (res != NULL)
		evutil_freeaddrinfo(res);
	nd->nd_err = DIAL_DNS;
	client_dial_try(nd);
}

/* A pooled link carrying a DIAL died before its answer: the hub retries. */
static void
client_pdial_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ndial	*nd = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	log_info("dial %u: the pooled link died before the answer (%s); "
	    "the hub retries", nd->nd_req, tls_error(bev) != NULL ?
	    tls_error(bev) : (what & BEV_EVENT_EOF) ? "closed by the hub" :
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	client_dial_free(nd);
}

/* A DIAL from the hub; link: the pooled link it came on (now ours), or NULL. */
static void
client_dial_start(const struct frame_dial *fd, struct bufferevent *link)
{
	struct ndial		*nd;
	struct evutil_addrinfo	 hints;
	struct timeval		 tv;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	struct frame_result	 res;
	struct evdns_getaddrinfo_request *req;
	uint8_t			 buf[FRAME_MAX];
	char			 port[8];
	int			 budget;

	if (client_ndials >= client_wl.max_dials ||
	    (nd = calloc(1, sizeof *nd)) == NULL) {
		log_warnx("dial %u: refused: %u dials in flight already",
		    fd->req, client_ndials);
		if (link != NULL) {
			client_bind_send(link, fd->req, DIAL_FAIL);
			core_bev_close_flush(link);
			return;
		}
		res.req = fd->req;
		res.result = DIAL_FAIL;
		client_send(buf, frame_result_encode(buf, &res));
		return;
	}
	if (link != NULL) {
		nd->nd_link = link;
		nd->nd_pooled = 1;
		bufferevent_setcb(link, NULL, NULL, client_pdial_event_cb, nd);
	}
	nd->nd_req = fd->req;
	if (!client_data_ok) {
		/* No data link may go where the hub said: fail, and say so. */
		if (core_now_us() - client_data_warned_us > 60000000ULL) {
			log_warnx("dials fail: the hub's data address is "
			    "refused (see the warning at connect)");
			client_data_warned_us = core_now_us();
		}
		nd->nd_target = fd->target;
		nd->nd_why = "the hub's data address is not allowed";
		TAILQ_INSERT_TAIL(&client_dials, nd, nd_entry);
		client_ndials++;
		client_dial_fail(nd, DIAL_FAIL);
		return;
	}
	nd->nd_target = fd->target;
	nd->nd_err = DIAL_FAIL;
	nd->nd_start_us = core_now_us();
	TAILQ_INSERT_TAIL(&client_dials, nd, nd_entry);
	client_ndials++;

	/* Answer before the hub gives up, so it hears why. */
	budget = client_wl.dial_ms * 3 / 4;
	if (budget > CONNECT_MS)
		budget = CONNECT_MS;
	if (budget < 100)
		budget = 100;
	if ((nd->nd_timer = evtimer_new(core_base, client_dial_timeout_cb,
	    nd)) == NULL) {
		client_dial_fail(nd, DIAL_FAIL);
		return;
	}
	evtimer_add(nd->nd_timer, ms_tv(&tv, budget));

	switch (fd->target.atyp) {
	case TARGET_IPV4:
		sin = (struct sockaddr_in *)&nd->nd_addrs[0];
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, fd->target.addr, 4);
		sin->sin_port = htons(fd->target.port);
		nd->nd_naddrs = 1;
		client_dial_try(nd);
		return;
	case TARGET_IPV6:
		sin6 = (struct sockaddr_in6 *)&nd->nd_addrs[0];
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, fd->target.addr, 16);
		sin6->sin6_port = htons(fd->target.port);
		nd->nd_naddrs = 1;
		client_dial_try(nd);
		return;
	}
	/* A numeric name: dial it as an address, or refuse the ambiguous. */
	switch (acl_host_numeric(fd->target.host, &nd->nd_addrs[0],
	    &nd->nd_why)) {
	case -1:
		client_dial_fail(nd, DIAL_BADADDR);
		return;
	case 1:
		sin = (struct sockaddr_in *)&nd->nd_addrs[0];
		sin6 = (struct sockaddr_in6 *)&nd->nd_addrs[0];
		if (nd->nd_addrs[0].ss_family == AF_INET)
			sin->sin_port = htons(fd->target.port);
		else
			sin6->sin6_port = htons(fd->target.port);
		nd->nd_naddrs = 1;
		client_dial_try(nd);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof port, "%u", fd->target.port);
	nd->nd_dns_pending = 1;
	req = evdns_getaddrinfo(core_dns, fd->target.host, port, &hints,
	    client_dns_cb, nd);
	/*
	 * NULL: the callback has run already (hosts file, numeric name or an
	 * immediate error) and nd may be gone; touch nothing.
	 */
	if (req != NULL)
		nd->nd_dns = req;
}

/* Abort every pending dial: the hub session that asked is gone. */
static void
client_dials_abort(void)
{
	struct ndial	*nd, *tmp;

	TAILQ_FOREACH_SAFE(nd, &client_dials, nd_entry, tmp) {
		log_info("dial %u: abandoned: the control link was lost",
		    nd->nd_req);
		client_dial_free(nd);
	}
}

/* Frees np and closes its link (if it still has one). */
static void
client_pool_free(struct npool *np)
{
	TAILQ_REMOVE(&client_pool, np, np_entry);
	client_npool--;
	if (np->np_bev != NULL)
		bufferevent_free(np->np_bev);
	free(np);
}

static void
client_pool_close_all(void)
{
	struct npool	*np, *tmp;

	TAILQ_FOREACH_SAFE(np, &client_pool, np_entry, tmp)
		client_pool_free(np);
	if (client_pool_ev != NULL)
		evtimer_del(client_pool_ev);
}

/* A pooled link failed or was closed: replace it after a back-off. */
static void
client_pool_lost(struct npool *np, const char *why)
{
	struct timeval	 tv;
	int		 ms;

	log_debug("pool: %s link lost: %s", np->np_idle ? "idle" :
	    "new", why);
	client_pool_free(np);
	if (evtimer_pending(client_pool_ev, NULL))
		return;		/* several at once count as one failure */
	if (client_pool_fails < 5)
		client_pool_fails++;
	ms = 1000 << (client_pool_fails - 1);
	evtimer_add(client_pool_ev, ms_tv(&tv, ms));
}

/* An idle pooled link: the only thing the hub sends on it is one DIAL. */
static void
client_pool_read_cb(struct bufferevent *bev, void *arg)
{
	struct npool		*np = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame		 f;
	struct frame_dial	 fd;
	const char		*cause = NULL;
	int			 n;

	if ((n = frame_peek(in, &f, &cause)) == 0)
		return;
	if (n == -1 || frame_dial_parse(&f, &fd, &cause) == -1) {
		log_warnx("pool: protocol error on an idle link: %s",
		    cause != NULL ? cause : "expected DIAL");
		client_pool_lost(np, "protocol error");
		return;
	}
	evbuffer_drain(in, n);
	np->np_bev = NULL;	/* the link goes to the dial */
	client_pool_free(np);
	client_pool_fails = 0;
	log_debug("dial %u: DIAL on a pooled link (%u left)", fd.req,
	    client_npool);
	client_dial_start(&fd, bev);
	client_pool_fill();
}

static void
client_pool_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct npool		*np = arg;
	struct frame_spare	 p;
	uint8_t			 buf[FRAME_MAX];
	char			*cause = NULL;

	if (!(what & BEV_EVENT_CONNECTED)) {
		client_pool_lost(np, tls_error(bev) != NULL ? tls_error(bev) :
		    (what & BEV_EVENT_EOF) ? "closed by the hub" :
		    (what & BEV_EVENT_TIMEOUT) ? "connect timed out" :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return;
	}
	if (np->np_idle)
		return;		/* TLS handshake done: nothing to do */
	np->np_since_us = core_now_us();	/* keepalive: heartbeat */
	if (client_tls != NULL && !tls_is_wrapped(bev)) {
		np->np_bev = tls_wrap(client_tls, bev, 0, client_peer_name,
		    &cause);
		if (np->np_bev == NULL) {
			/* tls_wrap freed the socket: replace it, backing off. */
			log_warnx("pool: data link: %s", cause);
			client_pool_lost(np, cause);
			free(cause);
			return;
		}
		bev = np->np_bev;
	}
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_setcb(bev, client_pool_read_cb, NULL,
	    client_pool_event_cb, np);
	bufferevent_setwatermark(bev, EV_READ, 0, FRAME_MAX);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	memset(&p, 0, sizeof p);
	p.node_id = client_node_id;
	token_bind_proof(client_wl.cookie, sizeof client_wl.cookie,
	    FRAME_SPARE_REQ, p.proof);
	bufferevent_write(bev, buf, frame_spare_encode(buf, &p));
	np->np_idle = 1;
	log_debug("pool: idle link open (%u of %d)", client_npool,
	    client_pool_want);
}

/* Open one pooled link; -1 when it cannot even start. */
static int
client_pool_open(void)
{
	struct npool	*np;
	struct timeval	 tv;

	if ((np = calloc(1, sizeof *np)) == NULL)
		return (-1);
	if ((np->np_bev = client_hub_bev(client_data_sa.ss_family)) == NULL) {
		free(np);
		return (-1);
	}
	TAILQ_INSERT_TAIL(&client_pool, np, np_entry);
	client_npool++;
	bufferevent_setcb(np->np_bev, NULL, NULL, client_pool_event_cb, np);
	bufferevent_set_timeouts(np->np_bev, NULL, ms_tv(&tv, CONNECT_MS));
	if (bufferevent_socket_connect(np->np_bev,
	    (struct sockaddr *)&client_data_sa, client_data_salen) == -1) {
		client_pool_lost(np, "cannot connect");
		return (-1);
	}
	return (0);
}

/*
 * Keep min(our max, the hub's target) pooled links, connecting or idle:
 * open the missing ones, close the extra (idle ones last opened first).
 */
static void
client_pool_fill(void)
{
	struct npool	*np;
	u_int		 want;

	if (!client_welcomed || client_stopping || !client_data_ok)
		return;
	want = client_pool_want < client_pool_size ? client_pool_want :
	    client_pool_size;
	while (client_npool > want &&
	    (np = TAILQ_LAST(&client_pool, npools)) != NULL)
		client_pool_free(np);
	if (evtimer_pending(client_pool_ev, NULL))
		return;		/* backing off after a failure */
	while (client_npool < want) {
		if (client_pool_open() == -1)
			break;
	}
}

static void
client_pool_timer_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	client_pool_fill();
}

/* Same IP address (ports ignored; IPv4-mapped IPv6 as IPv4)? */
static int
client_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	struct sockaddr_storage	 one[1];

	memset(one, 0, sizeof one);
	memcpy(one, b, b->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
	return (acl_is_local(one, 1, a));
}

/*
 * Where may WELCOME send our data links?  A hostile hub could point them
 * into the node's own LAN or loopback and relay through them (doc/
 * security.md).  Allowed: the hub's own control host, the address the
 * operator gave (data_addr: HOST or HOST:PORT), or an address the exit
 * policy allows.  0, or -1 with *why.
 */
static int
client_data_allowed(const struct sockaddr *sa, uint16_t port,
    const char **why)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const char		*conf = cc.data_addr != NULL ? cc.data_addr :
				    cc.file_data_addr;
	char			*err = NULL, buf[300];
	int			 anyport = 0;

	if (client_same_host(sa, (struct sockaddr *)&client_hub_sa))
		return (0);
	if (conf != NULL) {
		/* A bare HOST (no port) allows any port on it. */
		if (core_addr_parse(conf, &ss, &sslen, &err) == -1) {
			free(err);
			err = NULL;
			snprintf(buf, sizeof buf, strchr(conf, ':') != NULL ?
			    "[%s]:1" : "%s:1", conf);
			anyport = core_addr_parse(buf, &ss, &sslen,
			    &err) == 0;
		}
		free(err);
		if ((anyport || ntohs(ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port) == port) &&
		    client_same_host(sa, (struct sockaddr *)&ss))
			return (0);
	}
	return (client_target_allowed(sa, why) ? 0 : -1);
}

static int
client_welcome(const struct frame *f)
{
	struct timeval		 tv;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	const char		*cause;
	char			*err = NULL;

	if (frame_welcome_parse(f, &client_wl, &cause) == -1) {
		client_lost(cause);
		return (-1);
	}
	if (client_wl.data_host[0] != '\0') {
		char	 addr[300];

		snprintf(addr, sizeof addr, strchr(client_wl.data_host, ':') ?
		    "[%s]:%u" : "%s:%u", client_wl.data_host,
		    client_wl.data_port);
		if (core_addr_parse(addr, &client_data_sa, &client_data_salen,
		    &err) == -1) {
			log_warnx("hub sent a data host that is not an "
			    "address: %s", err);
			free(err);
			client_lost("bad WELCOME");
			return (-1);
		}
	} else {
		memcpy(&client_data_sa, &client_hub_sa, sizeof client_data_sa);
		client_data_salen = client_hub_salen;
	}
	if (client_data_sa.ss_family == AF_INET) {
		sin = (struct sockaddr_in *)&client_data_sa;
		sin->sin_port = htons(client_wl.data_port);
	} else {
		sin6 = (struct sockaddr_in6 *)&client_data_sa;
		sin6->sin6_port = htons(client_wl.data_port);
	}
	client_data_ok = client_data_allowed((struct sockaddr *)&client_data_sa,
	    client_wl.data_port, &cause) == 0;
	if (!client_data_ok) {
		char	 where[64];

		log_warnx("the hub %s:%s tells this node to open its data links "
		    "to %s, which is neither the hub's own address nor allowed "
		    "(%s): refusing; requests through this node fail until "
		    "the hub is fixed, or data_addr: (-data-addr) names that "
		    "address", client_host, client_port, core_sa_str(
		    (struct sockaddr *)&client_data_sa, where, sizeof where),
		    cause);
		client_data_warned_us = core_now_us();
	}
	client_node_id = client_wl.node_id;
	client_hello.node_id = client_node_id;
	client_hello.rres = FRAME_RRES_NONE;	/* reported once */
	client_nhub_deny = 0;	/* a POLICY may follow */
	client_welcomed = 1;
	evtimer_del(client_hs_ev);
	client_backoff_ms = BACKOFF_MIN_MS;
	bufferevent_set_timeouts(client_bev, NULL, NULL);
	evtimer_add(client_hb_ev, ms_tv(&tv, client_wl.heartbeat_ms));
	log_info("node ready: node %u (%s) connected to %s:%s",
	    client_node_id, client_hello.name, client_host, client_port);
	client_pool_want = client_pool_size;	/* until a POOL_TARGET */
	client_pool_fails = 0;
	client_pool_fill();
	return (0);
}

/* Re-read bind: from the config file (a redial command may change it). */
static int
client_reload_cb(const char *key, const char *value, void *arg,
    char **cause __unused)
{
	char	**bind = arg;

	if (strcmp(key, "bind") == 0) {
		free(*bind);
		*bind = xstrdup(value);
	}
	return (0);
}

static void
client_bind_reload(void)
{
	char	*b = NULL, *old, *cause = NULL;

	if (cc.config == NULL || cc.bind != NULL)
		return;
	if (opt_conf_load(cc.config, client_reload_cb, &b, &cause) == -1) {
		log_warnx("redial: re-reading %s: %s; keeping bind: %s",
		    cc.config, cause, cc.file_bind != NULL ? cc.file_bind :
		    "(none)");
		free(cause);
		free(b);
		return;
	}
	old = cc.file_bind;
	cc.file_bind = b;
	if (client_bind_setup(&cause) == -1) {
		log_warnx("redial: %s: %s; keeping bind: %s", cc.config,
		    cause, old != NULL ? old : "(none)");
		free(cause);
		cc.file_bind = old;
		free(b);
		(void)client_bind_setup(&cause);
		return;
	}
	if ((old == NULL) != (b == NULL) || (old != NULL &&
	    strcmp(old, b) != 0))
		log_info("redial: %s now gives bind: %s (was %s)", cc.config,
		    b != NULL ? b : "(none)", old != NULL ? old : "(none)");
	free(old);
}

/* The redial command ended: report it in the next HELLO; reconnect now. */
static void
client_redial_done(int rres, int code, uint32_t ms, void *arg __unused)
{
	client_hello.rres = rres;
	client_hello.rres_code = code;
	client_hello.rres_ms = ms;
	client_redial_us = core_now_us();
	client_bind_reload();
	client_local_us = 0;	/* the interface addresses changed */
	if (client_stopping)
		return;
	client_backoff_ms = BACKOFF_MIN_MS;
	log_info("redial: reconnecting to the hub %s:%s", client_host,
	    client_port);
	client_connect();
}

/*
 * REDIAL from the hub (it drained this node first): leave the hub, run
 * our own redial action, reconnect from the new address.  1 when the
 * control link is gone, 0 when the request was ignored.
 */
static int
client_redial(const char *why)
{
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 now = core_now_us();
	char		 esc[1100], *cause = NULL;

	log_escape(esc, sizeof esc, why, strlen(why));
	if (client_redial_cmd == NULL) {
		log_warnx("the hub asked for a redial (%s), but this node has "
		    "no redial command or dial_info in its config; declined",
		    esc);
		client_send(buf, frame_redial_encode(buf, "no redial command "
		    "or dial_info in the node's config"));
		return (0);
	}
	if (redial_running() || (client_redial_us != 0 &&
	    now - client_redial_us < (uint64_t)cc.redial_min_ms * 1000)) {
		/* One warning a minute: a hub may insist. */
		if (now - client_decline_us >= 60 * 1000000ULL) {
			client_decline_us = now;
			log_warnx("the hub asked for a redial (%s) %llu ms "
			    "after the last one; this node redials at most "
			    "every %d ms (redial_min_interval); declined", esc,
			    (unsigned long long)((now - client_redial_us) /
			    1000), cc.redial_min_ms);
		}
		snprintf(esc, sizeof esc, "the last redial was %llu ms ago; "
		    "redial_min_interval is %d ms",
		    (unsigned long long)((now - client_redial_us) / 1000),
		    cc.redial_min_ms);
		client_send(buf, frame_redial_encode(buf, esc));
		return (0);
	}
	log_info("the hub asks for a redial (%s): leaving the hub, running "
	    "the redial command, then reconnecting; %u relays continue",
	    esc, relay_count());
	client_link_down(FRAME_BYE_REDIAL, "redialing");
	client_welcomed = 0;
	if (redial_start(client_redial_cmd, cc.redial_timeout_ms,
	    client_redial_done, NULL, &cause) == -1) {
		log_warnx("redial: cannot run the redial command: %s", cause);
		free(cause);
		client_redial_done(FRAME_RRES_NOSTART, 0, 0, NULL);
	}
	return (1);
}

static void
client_read_cb(struct bufferevent *bev, void *arg __unused)
{
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame		 f;
	struct frame_dial	 fd;
	struct frame_bye	 bye;
	const char		*cause;
	uint64_t		 stamp, now;
	uint8_t			 buf[FRAME_MAX];
	int			 n;
	char			 text[1100], why[1200];

	client_rx_us = core_now_us();
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
			snprintf(why, sizeof why, "the hub said goodbye "
			    "(%u: %s)%s", bye.reason, text,
			    bye.reason == FRAME_BYE_AUTH ? "; check that "
			    "auth_token (-token) is a line of the hub's "
			    "tokens file" : "");
			client_lost(why);
			return;
		}
		if (!client_welcomed && f.type == FRAME_CHALLENGE) {
			uint8_t nonce[FRAME_NONCE_LEN], mac[FRAME_MAC_LEN];

			if (frame_blob_parse(&f, FRAME_CHALLENGE, nonce,
			    sizeof nonce, &cause) == -1)
				goto bad;
			if (client_token == NULL) {
				client_lost("the hub requires node "
				    "authentication: set auth_token in the "
				    "config file or give -token");
				return;
			}
			token_mac(client_token, nonce, client_hello.name, mac);
			client_send(buf, frame_blob_encode(buf, FRAME_AUTH,
			    mac, sizeof mac));
			evbuffer_drain(in, n);
			continue;
		}
		if (!client_welcomed) {
			if (f.type != FRAME_WELCOME) {
				cause = "expected WELCOME";
				goto bad;
			}
			if (client_welcome(&f) == -1)
				return;
			evbuffer_drain(in, n);
			continue;
		}
		switch (f.type) {
		case FRAME_PING:
			if (frame_stamp_parse(&f, &stamp, &cause) == -1)
				goto bad;
			client_send(buf, frame_stamp_encode(buf, FRAME_PONG,
			    stamp));
			break;
		case FRAME_PONG:
			if (frame_stamp_parse(&f, &stamp, &cause) == -1)
				goto bad;
			now = core_now_us();
			if (stamp <= now && now - stamp < UINT32_MAX)
				client_rtt_us = now - stamp;
			break;
		case FRAME_POLICY:
			if (client_policy(&f, &cause) == -1)
				goto bad;
			break;
		case FRAME_SPARE_TARGET: {
			uint16_t	 t;

			if (frame_spare_target_parse(&f, &t, &cause) == -1)
				goto bad;
			log_debug("pool: the hub asks for %u idle links (our "
			    "max %d)", t, client_pool_size);
			client_pool_want = t;
			client_pool_fill();
			break;
		}
		case FRAME_REDIAL:
			if (frame_redial_parse(&f, text, sizeof text,
			    &cause) == -1)
				goto bad;
			evbuffer_drain(in, n);
			if (client_redial(text) == 1)
				return;	/* left the hub */
			continue;
		case FRAME_DIAL:
			if (frame_dial_parse(&f, &fd, &cause) == -1)
				goto bad;
			evbuffer_drain(in, n);
			client_dial_start(&fd, NULL);
			if (client_bev != bev)
				return;	/* lost while dialling */
			continue;
		default:
			cause = "unexpected frame from the hub";
			goto bad;
		}
		evbuffer_drain(in, n);
	}
bad:
	snprintf(why, sizeof why, "protocol error: %s", cause);
	client_lost(why);
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg __unused)
{
	char		 why[512];
	const char	*dnserr;
	int		 error = EVUTIL_SOCKET_ERROR();
	int		 dnsrc;

	if (what & BEV_EVENT_CONNECTED) {
		uint8_t		 buf[FRAME_MAX];
		struct timeval	 tv;

		client_hub_salen = sizeof client_hub_sa;
		if (getpeername(tls_getfd(bev),
		    (struct sockaddr *)&client_hub_sa,
		    &client_hub_salen) == -1) {
			client_lost("getpeername failed");
			return;
		}
		if (client_tls != NULL && !tls_is_wrapped(bev)) {
			char *cause = NULL;

			client_bev = tls_wrap(client_tls, bev, 0,
			    client_peer_name, &cause);
			if (client_bev == NULL) {
				snprintf(why, sizeof why, "TLS: %s", cause);
				free(cause);
				client_lost(why);
				return;
			}
			bev = client_bev;
			bufferevent_setcb(bev, client_read_cb, NULL,
			    client_event_cb, NULL);
			bufferevent_setwatermark(bev, EV_READ, 0, FRAME_MAX);
			bufferevent_enable(bev, EV_READ | EV_WRITE);
		}
		bufferevent_set_timeouts(bev, ms_tv(&tv, HANDSHAKE_MS), NULL);
		client_send(buf, frame_hello_encode(buf, &client_hello));
		log_debug("connected to hub %s:%s; sent HELLO", client_host,
		    client_port);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof why, client_welcomed ?
		    "timed out" : "no answer within %d ms", HANDSHAKE_MS);
	else if (tls_error(bev) != NULL)
		snprintf(why, sizeof why, "TLS: %s%s", tls_error(bev),
		    tls_handshake_done(bev) ? "" : " (if the hub runs "
		    "-insecure, the node needs insecure: true)");
	else if (what & BEV_EVENT_EOF)
		strlcpy(why, "the hub closed the connection", sizeof why);
	else if (!tls_is_wrapped(bev) &&
	    (dnsrc = bufferevent_socket_get_dns_error(bev)) != 0) {
		dnserr = evutil_gai_strerror(dnsrc);
		snprintf(why, sizeof why, "cannot resolve %s: %s",
		    client_host, dnserr);
	} else
		strlcpy(why, evutil_socket_error_to_string(error), sizeof why);
	client_lost(why);
}

static void
client_heartbeat_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	struct npool	*np;
	struct timeval	 tv;
	uint8_t		 buf[FRAME_MAX];
	uint64_t	 now = core_now_us();
	char		 why[128];

	if (now - client_rx_us >= (uint64_t)client_wl.heartbeat_ms * 1000 *
	    HEARTBEAT_MISSES) {
		snprintf(why, sizeof why, "heartbeat timeout: nothing heard "
		    "from the hub for %llu ms",
		    (unsigned long long)((now - client_rx_us) / 1000));
		client_lost(why);
		return;
	}
	client_send(buf, frame_stamp_encode(buf, FRAME_PING, now));
	evtimer_add(client_hb_ev, ms_tv(&tv, client_wl.heartbeat_ms));
	/*
	 * TCP keepalive on pooled links idle a heartbeat or more (as the
	 * hub does): links used at once never pay for it.
	 */
	TAILQ_FOREACH(np, &client_pool, np_entry) {
		if (!np->np_idle || np->np_keepalive || now - np->np_since_us <
		    (uint64_t)client_wl.heartbeat_ms * 1000)
			continue;
		compat_keepalive(tls_getfd(np->np_bev), 30, 10, 3);
		np->np_keepalive = 1;
	}
}

/*
 * Take the control link down: say BYE (reason, text) and let it flush, or
 * drop it at once (reason -1); stop its timers, abandon the dials it
 * asked for, close the pooled links of its session.
 */
static void
client_link_down(int reason, const char *text)
{
	uint8_t	 buf[FRAME_MAX];

	if (client_bev != NULL) {
		if (reason >= 0) {
			client_send(buf, frame_bye_encode(buf, reason, text));
			core_bev_close_flush(client_bev);
		} else
			bufferevent_free(client_bev);
		client_bev = NULL;
	}
	evtimer_del(client_hb_ev);
	evtimer_del(client_hs_ev);
	client_dials_abort();
	client_pool_close_all();
}

/* The control link is gone: drop it and schedule a reconnect. */
static void
client_lost(const char *why)
{
	struct timeval	 tv;
	uint32_t	 rnd;
	int		 wait;

	client_link_down(-1, NULL);
	if (client_stopping)
		return;
	/* 50..100 % of the back-off, so a fleet does not reconnect at once. */
	evutil_secure_rng_get_bytes(&rnd, sizeof rnd);
	wait = client_backoff_ms / 2 + (int)(rnd % (client_backoff_ms / 2 + 1));
	if (client_welcomed)
		log_warnx("lost the hub %s:%s: %s; %u relays continue; "
		    "reconnecting in %d ms", client_host, client_port, why,
		    relay_count(), wait);
	else
		log_warnx("cannot connect to the hub %s:%s: %s; retrying in "
		    "%d ms (check -server / server_addr and that the hub "
		    "runs)", client_host, client_port, why, wait);
	client_welcomed = 0;
	client_backoff_ms *= 2;
	if (client_backoff_ms > BACKOFF_MAX_MS)
		client_backoff_ms = BACKOFF_MAX_MS;
	evtimer_add(client_retry_ev, ms_tv(&tv, wait));
}

static void
client_retry_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	client_connect();
}

static void
client_hs_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg __unused)
{
	char	 why[128];

	snprintf(why, sizeof why, "no WELCOME within %d ms of connecting",
	    CONNECT_MS + HANDSHAKE_MS);
	client_lost(why);
}

static void
client_connect(void)
{
	struct timeval	 tv;
	long		 port = strtol(client_port, NULL, 10);
	int		 af = AF_UNSPEC;

	client_bev = client_hub_bev(AF_UNSPEC);
	if (client_bev != NULL && bufferevent_getfd(client_bev) != -1)
		af = cc.bind_sa.ss_family;	/* bound: that family only */
	if (client_bev == NULL) {
		client_lost("out of memory");
		return;
	}
	bufferevent_setcb(client_bev, client_read_cb, NULL, client_event_cb,
	    NULL);
	bufferevent_setwatermark(client_bev, EV_READ, 0, FRAME_MAX);
	bufferevent_set_timeouts(client_bev, ms_tv(&tv, CONNECT_MS),
	    ms_tv(&tv, CONNECT_MS));
	bufferevent_enable(client_bev, EV_READ | EV_WRITE);
	evtimer_add(client_hs_ev, ms_tv(&tv, CONNECT_MS + HANDSHAKE_MS));
	if (bufferevent_socket_connect_hostname(client_bev, core_dns,
	    af, client_host, (int)port) == -1)
		client_lost("cannot start connecting");
}

static void
client_stop_check_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct timeval	 tv = { 0, 100000 };
	uint64_t	*deadline = arg;

	if ((relay_count() == 0 && !redial_running()) ||
	    core_now_us() >= *deadline) {
		if (relay_count() > 0)
			log_info("node: %u relays still open after %d ms; "
			    "closing them", relay_count(), SHUTDOWN_GRACE_MS);
		redial_abort();	/* still running: it had its time */
		event_base_loopexit(core_base, NULL);
		return;
	}
	evtimer_add(client_stop_ev, &tv);
}

static void
client_shutdown_cb(int sig, void *arg __unused)
{
	static uint64_t	 deadline;
	struct timeval	 tv = { 0, 0 };

	if (client_stopping++) {
		log_info("node: second signal %d, exiting now", sig);
		exit(0);
	}
	log_info("node: signal %d, shutting down; waiting up to %d ms for "
	    "%u relays", sig, SHUTDOWN_GRACE_MS, relay_count());
	evtimer_del(client_retry_ev);
	/* A running redial command finishes (a line left down is worse). */
	client_link_down(FRAME_BYE_SHUTDOWN, "node shutting down");
	deadline = core_now_us() + SHUTDOWN_GRACE_MS * 1000ULL;
	client_stop_ev = evtimer_new(core_base, client_stop_check_cb,
	    &deadline);
	if (client_stop_ev == NULL)
		exit(0);
	evtimer_add(client_stop_ev, &tv);
}

static void
client_hup_cb(int sig __unused, void *arg __unused)
{
	log_reopen();
}

/* Config file keys (doc/tentacle.1 FILES). */
static int
client_conf_cb(const char *key, const char *value, void *arg __unused,
    char **cause)
{
	static const struct {
		const char	 *key;
		char		**value;
	} strings[] = {
		{ "server_addr", &cc.file_server },
		{ "auth_token", &cc.file_token },
		{ "name", &cc.file_name },
		{ "log", &cc.file_log },
		{ "log_level", &cc.file_log_level },
		{ "fingerprint", &cc.file_fingerprint },
		{ "ca_file", &cc.file_ca_file },
		{ "known_hosts", &cc.file_known_hosts },
		{ "state_dir", &cc.file_state_dir },
		{ "dial_info", &cc.file_dial_info },
		{ "bind", &cc.file_bind },
		{ "data_addr", &cc.file_data_addr },
		{ "redial", &cc.file_redial },
	};
	long long	 v;
	char		 list[CLIENT_ALLOW_MAX][64];
	int		 i, n;
	size_t		 k;

	for (k = 0; k < nitems(strings); k++) {
		if (strcmp(key, strings[k].key) == 0) {
			free(*strings[k].value);
			*strings[k].value = xstrdup(value);
			return (0);
		}
	}
	if (strcmp(key, "insecure") == 0) {
		if (opt_bool_parse(value, &cc.file_insecure) == -1) {
			xasprintf(cause, "insecure: expected true or false, "
			    "not \"%s\"", value);
			return (-1);
		}
	} else if (strcmp(key, "redial_timeout") == 0 ||
	    strcmp(key, "redial_min_interval") == 0) {
		int	 timeout = strcmp(key, "redial_timeout") == 0;
		int64_t	 ms;

		if (opt_duration_parse(value, &ms, cause) == -1)
			return (-1);
		if (ms < 0 || ms > 24 * 3600 * 1000LL || (timeout && ms == 0)) {
			xasprintf(cause, "%s: \"%s\" is out of range (%s to "
			    "24h)", key, value, timeout ? "1ms" : "0s");
			return (-1);
		}
		if (timeout)
			cc.redial_timeout_ms = (int)ms;
		else
			cc.redial_min_ms = (int)ms;
	} else if (strcmp(key, "pool_size") == 0) {
		if (opt_int_parse(value, 0, 1024, &v, cause) == -1)
			return (-1);
		cc.file_pool_size = (int)v;
		cc.file_pool_size_set = 1;
	} else if (strcmp(key, "pools") == 0) {
		if ((n = opt_list_split(value, list, FRAME_POOLS_MAX,
		    cause)) == -1)
			return (-1);
		for (i = 0; i < n; i++) {
			if (!frame_name_valid(list[i], FRAME_POOL_MAX)) {
				xasprintf(cause, "pool name \"%s\": use 1-31 "
				    "of A-Z a-z 0-9 . _ -", list[i]);
				return (-1);
			}
			strlcpy(cc.pools[i], list[i], sizeof cc.pools[i]);
		}
		cc.npools = n;
	} else if (strcmp(key, "allow") == 0 || strcmp(key, "deny") == 0) {
		struct acl_entry *l = key[0] == 'a' ? cc.allowlist :
		    cc.denylist;
		size_t *ln = key[0] == 'a' ? &cc.nallow : &cc.ndeny;

		if ((n = opt_list_split(value, list, CLIENT_ALLOW_MAX,
		    cause)) == -1)
			return (-1);
		for (i = 0; i < n && *ln < CLIENT_ALLOW_MAX; i++) {
			if (acl_entry_parse(list[i], &l[(*ln)++],
			    cause) == -1)
				return (-1);
		}
	} else {
		xasprintf(cause, "unknown key \"%s\" (known: server_addr, "
		    "auth_token, name, pools, pool_size, allow, deny, bind, "
		    "fingerprint, "
		    "ca_file, known_hosts, state_dir, insecure, redial, "
		    "redial_timeout, redial_min_interval, dial_info, "
		    "log, log_level)", key);
		return (-1);
	}
	return (0);
}

/* -bind / bind: a numeric address (port 0) for outgoing target sockets. */
static int
client_bind_setup(char **cause)
{
	const char	*b = cc.bind != NULL ? cc.bind : cc.file_bind;
	char		 addr[300];

	cc.bind_len = 0;
	if (b == NULL || *b == '\0')
		return (0);
	snprintf(addr, sizeof addr, strchr(b, ':') != NULL ? "[%s]:0" :
	    "%s:0", b);
	if (core_addr_parse(addr, &cc.bind_sa, &cc.bind_len, cause) == -1)
		return (-1);
	return (0);
}

/* -allow / -deny: a flag replaces the config file's list. */
static int
client_acl_flag(const char *name, const char *value, struct acl_entry *l,
    size_t *n)
{
	char	 list[CLIENT_ALLOW_MAX][64], *cause = NULL;
	int	 i, count;

	if (value == NULL)
		return (0);
	if ((count = opt_list_split(value, list, CLIENT_ALLOW_MAX,
	    &cause)) == -1)
		goto bad;
	*n = 0;
	for (i = 0; i < count; i++) {
		if (acl_entry_parse(list[i], &l[(*n)++], &cause) == -1)
			goto bad;
	}
	return (0);
bad:
	fprintf(stderr, "tentacle: -%s: %s\n", name, cause);
	free(cause);
	return (-1);
}

/*
 * Trust on first use needs somewhere to keep what it learns: make the
 * known_hosts directory (0700) if it is missing, or say why not.
 */
static int
client_known_hosts_dir(const char *path, char **cause)
{
	char		 dir[1100], *slash;
	struct stat	 st;

	strlcpy(dir, path, sizeof dir);
	if ((slash = strrchr(dir, '/')) == NULL)
		return (0);
	*slash = '\0';
	if (dir[0] == '\0' || stat(dir, &st) == 0)
		return (0);
	if (errno != ENOENT || mkdir(dir, 0700) == -1) {
		xasprintf(cause, "cannot create %s for known_hosts: %s (give "
		    "-state-dir, or pin the hub with -fingerprint)", dir,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Flags over the config file: how this node trusts its hub. */
static void
client_trust_setup(struct client_trust *t)
{
	static char	 kh[1100];
	const char	*dir;

	memset(t, 0, sizeof *t);
	t->fingerprint = cc.fingerprint != NULL ? cc.fingerprint :
	    cc.file_fingerprint;
	t->ca_file = cc.ca_file != NULL ? cc.ca_file : cc.file_ca_file;
	t->insecure = cc.insecure || cc.file_insecure;
	if (cc.file_known_hosts != NULL && cc.state_dir == NULL)
		t->known_hosts = cc.file_known_hosts;
	else {
		dir = cc.state_dir != NULL ? cc.state_dir :
		    cc.file_state_dir != NULL ? cc.file_state_dir :
		    core_state_dir();
		snprintf(kh, sizeof kh, "%s/known_hosts", dir);
		t->known_hosts = kh;
	}
}

static void
client_usage(FILE *fp, struct opt *opts)
{
	fprintf(fp,
	    "usage: tentacle [flags] start [POOL...]   run an exit node\n"
	    "       tentacle [flags] info [-json]      list the hub's exit "
	    "nodes\n"
	    "       tentacle [flags] drain|undrain|redial NODE\n"
	    "       tentacle version | help\n"
	    "(tentacler is the same as tentacle with these commands)\n\n"
	    "Flags:\n");
	opt_usage(fp, opts);
	fprintf(fp, "\nExamples:\n"
	    "\ttentacle start -server hub.example.net:4442 ilife codertool\n"
	    "\ttentacler -log=stdout -config=tentacler.yml start\n"
	    "\ttentacle version\n");
}

/* A node name from the host name, reduced to the allowed characters. */
static void
client_default_name(char *out, size_t len)
{
	char	 host[256];
	size_t	 i, o = 0;

	if (gethostname(host, sizeof host) == -1)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	for (i = 0; host[i] != '\0' && o + 1 < len && o < FRAME_NAME_MAX;
	    i++) {
		char c = host[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')
			out[o++] = c;
	}
	out[o] = '\0';
	if (o == 0)
		strlcpy(out, "node", len);
}

/* Split "host:port" or "[v6]:port" into client_host/client_port. */
static int
client_server_split(const char *s, char **cause)
{
	const char	*colon = strrchr(s, ':');
	long long	 port;
	size_t		 hl;

	if (colon == NULL || colon == s)
		goto bad;
	if (opt_int_parse(colon + 1, 1, 65535, &port, cause) == -1) {
		free(*cause);
		goto bad;
	}
	hl = colon - s;
	if (s[0] == '[' && colon[-1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof client_host)
		goto bad;
	memcpy(client_host, s, hl);
	client_host[hl] = '\0';
	snprintf(client_port, sizeof client_port, "%lld", port);
	return (0);
bad:
	xasprintf(cause, "hub address \"%s\": expected HOST:PORT, e.g. "
	    "hub.example.net:4442", s);
	return (-1);
}

/*
 * The redial action: redial: COMMAND, else dial_info: ENTRY[,USER,PASS]
 * as pppd's "poff ENTRY; pon ENTRY" (user and password come from pppd's
 * own secrets files on Unix; Windows' rasdial would take them).
 */
static int
client_redial_setup(void)
{
	char	 entry[64];
	size_t	 n;

	if (cc.redial_timeout_ms == 0)
		cc.redial_timeout_ms = REDIAL_TIMEOUT_MS;
	if (cc.redial_min_ms == -1)
		cc.redial_min_ms = REDIAL_MIN_MS;
	if (cc.file_redial != NULL && cc.file_redial[0] != '\0') {
		client_redial_cmd = cc.file_redial;
		client_hello.redial = FRAME_REDIAL_COMMAND;
		return (0);
	}
	if (cc.file_dial_info == NULL || cc.file_dial_info[0] == '\0')
		return (0);
	n = strcspn(cc.file_dial_info, ",");
	if (n >= sizeof entry) {
		fprintf(stderr, "tentacle start: dial_info: the entry name is "
		    "too long\n");
		return (-1);
	}
	memcpy(entry, cc.file_dial_info, n);
	entry[n] = '\0';
	if (!frame_name_valid(entry, sizeof entry - 1)) {
		fprintf(stderr, "tentacle start: dial_info: \"%s\": expected "
		    "ENTRY[,USER,PASSWORD], ENTRY of A-Z a-z 0-9 . _ -\n",
		    entry);
		return (-1);
	}
	xasprintf(&client_redial_cmd, "poff %s; sleep 1; pon %s", entry,
	    entry);
	client_hello.redial = FRAME_REDIAL_DIALINFO;
	return (0);
}

static int
client_start(int argc, char **argv)
{
	struct utsname	 u;
	int		 i, level;
	char		*cause = NULL;
	const char	*server, *name, *logdest, *loglevel;

	/* Pools: the arguments after "start", else the config's. */
	if (argc > 0) {
		if (argc > FRAME_POOLS_MAX) {
			fprintf(stderr, "tentacle start: at most %d pools\n",
			    FRAME_POOLS_MAX);
			return (2);
		}
		cc.npools = 0;
		for (i = 0; i < argc; i++) {
			if (!frame_name_valid(argv[i], FRAME_POOL_MAX)) {
				fprintf(stderr, "tentacle start: pool name "
				    "\"%s\": use 1-31 of A-Z a-z 0-9 . _ -\n",
				    argv[i]);
				return (2);
			}
			strlcpy(cc.pools[cc.npools++], argv[i],
			    sizeof cc.pools[0]);
		}
	}
	server = cc.server != NULL ? cc.server : cc.file_server;
	if (server == NULL) {
		fprintf(stderr, "tentacle start: no hub address: give -server "
		    "HOST:PORT or server_addr in %s\n", cc.config != NULL ?
		    cc.config : "$HOME/.tentacler");
		return (2);
	}
	if (client_server_split(server, &cause) == -1) {
		fprintf(stderr, "tentacle start: %s\n", cause);
		free(cause);
		return (2);
	}
	strlcpy(client_peer_name, server, sizeof client_peer_name);
	name = cc.name != NULL ? cc.name : cc.file_name;
	memset(&client_hello, 0, sizeof client_hello);
	if (name != NULL) {
		if (!frame_name_valid(name, FRAME_NAME_MAX)) {
			fprintf(stderr, "tentacle start: node name \"%s\": use "
			    "1-63 of A-Z a-z 0-9 . _ -\n", name);
			return (2);
		}
		strlcpy(client_hello.name, name, sizeof client_hello.name);
	} else
		client_default_name(client_hello.name,
		    sizeof client_hello.name);
	client_hello.version = FRAME_VERSION;
	client_hello.role = FRAME_ROLE_NODE;
	for (i = 0; i < cc.npools; i++)
		strlcpy(client_hello.pools[i], cc.pools[i],
		    sizeof client_hello.pools[i]);
	client_hello.npools = cc.npools;
	if (uname(&u) == 0) {
		for (i = 0; u.sysname[i] != '\0'; i++)
			u.sysname[i] = (u.sysname[i] >= 'A' &&
			    u.sysname[i] <= 'Z') ? u.sysname[i] + 32 :
			    u.sysname[i];
		strlcpy(client_hello.os, u.sysname, sizeof client_hello.os);
		strlcpy(client_hello.arch, u.machine,
		    sizeof client_hello.arch);
	}
	strlcpy(client_hello.build, version_string(),
	    sizeof client_hello.build);
	client_token = cc.token != NULL ? cc.token : cc.file_token;
	if (client_token != NULL) {
		if (!token_valid(client_token)) {
			fprintf(stderr, "tentacle start: auth_token: a token "
			    "is 16-128 characters of A-Z a-z 0-9 . _ ~ + / = "
			    "- (the hub operator makes one with 'tentacle "
			    "token')\n");
			return (2);
		}
		token_kid(client_token, client_hello.kid);
		client_hello.has_kid = 1;
	}

	if (client_redial_setup() == -1)
		return (2);

	logdest = cc.log != NULL ? cc.log : cc.file_log != NULL ?
	    cc.file_log : "stdout";
	loglevel = cc.log_level != NULL ? cc.log_level :
	    cc.file_log_level != NULL ? cc.file_log_level : "INFO";
	if (log_level_parse(loglevel, &level) == -1) {
		fprintf(stderr, "tentacle start: log level \"%s\" is not one "
		    "of DEBUG, INFO, WARNING, ERROR\n", loglevel);
		return (2);
	}
	if (log_init(logdest, level, "tentacler", &cause) == -1) {
		fprintf(stderr, "tentacle start: %s\n", cause);
		free(cause);
		return (1);
	}

	core_init();
	core_dns_init();
	client_retry_ev = evtimer_new(core_base, client_retry_cb, NULL);
	client_hb_ev = evtimer_new(core_base, client_heartbeat_cb, NULL);
	client_hs_ev = evtimer_new(core_base, client_hs_timeout_cb, NULL);
	if (client_retry_ev == NULL || client_hb_ev == NULL ||
	    client_hs_ev == NULL)
		fatalx("cannot create timers");
	core_signal(SIGINT, client_shutdown_cb, NULL);
	core_signal(SIGTERM, client_shutdown_cb, NULL);
	core_signal(SIGHUP, client_hup_cb, NULL);

	log_info("%s: node %s starting for hub %s:%s (%s)", version_string(),
	    client_hello.name, client_host, client_port, client_tls == NULL ?
	    "insecure: plaintext links" : "TLS links");
	client_pool_size = cc.pool_size > 0 ? cc.pool_size :
	    cc.file_pool_size_set ? cc.file_pool_size : 0;
	if ((client_pool_ev = evtimer_new(core_base, client_pool_timer_cb,
	    NULL)) == NULL)
		fatalx("cannot create timers");
	if (client_pool_size > 0)
		log_info("pool: up to %d idle data links, as many as the hub "
		    "asks for", client_pool_size);
	if (client_redial_cmd != NULL)
		log_info("redial: %s; the hub may ask for it at most every "
		    "%d ms, it may run %d ms", client_hello.redial ==
		    FRAME_REDIAL_COMMAND ? "the redial command is set" :
		    "dial_info is set (pppd's poff/pon)", cc.redial_min_ms,
		    cc.redial_timeout_ms);
	if (cc.nallow > 0 || cc.ndeny > 0)
		log_info("destination policy: %zu allow entries lift default "
		    "denials, %zu deny entries add to them", cc.nallow,
		    cc.ndeny);
	client_connect();
	core_loop();
	log_info("node: stopped");
	return (0);
}

int
client_main(int argc, char **argv)
{
	const char	*cmd;
	char		*cause = NULL, path[1024];
	const char	*home;
	struct client_trust trust;
	int		 ind = 1, rc, explicit;
	struct opt	 opts[] = {
		{ "config", OPT_STRING, &cc.config, "Path to tentacle "
		    "configuration file.", "$HOME/.tentacler", 0, 0, 0 },
		{ "server", OPT_STRING, &cc.server, "Hub control address "
		    "HOST:PORT (overrides server_addr)", NULL, 0, 0, 0 },
		{ "token", OPT_STRING, &cc.token, "Node authentication token "
		    "(overrides auth_token)", NULL, 0, 0, 0 },
		{ "name", OPT_STRING, &cc.name, "Node name (default: the host "
		    "name)", NULL, 0, 0, 0 },
		{ "allow", OPT_STRING, &cc.allow, "Destinations to allow "
		    "despite the default policy: CIDR[,CIDR...] or :PORT",
		    NULL, 0, 0, 0 },
		{ "data-addr", OPT_STRING, &cc.data_addr, "The hub's data "
		    "address HOST[:PORT], when it is neither the control "
		    "host nor a public address (a hub's WELCOME may point "
		    "data links nowhere else)", NULL, 0, 0, 0 },
		{ "bind", OPT_STRING, &cc.bind, "Source address of the "
		    "node's connections, to targets and to the hub (a "
		    "multi-address host's exit address)", NULL, 0, 0, 0 },
		{ "deny", OPT_STRING, &cc.deny, "More destinations to refuse "
		    "(wins over -allow): CIDR[,CIDR...] or :PORT", NULL, 0, 0,
		    0 },
		{ "log", OPT_STRING, &cc.log, "Write log messages to this "
		    "file. 'stdout', 'none' and 'syslog' have special "
		    "meanings", "\"stdout\"", 0, 0, 0 },
		{ "log-level", OPT_STRING, &cc.log_level, "The level of "
		    "messages to log. One of: DEBUG, INFO, WARNING, ERROR",
		    "\"INFO\"", 0, 0, 0 },
		{ "fingerprint", OPT_STRING, &cc.fingerprint, "Pin the hub's "
		    "key: sha256:... as the hub prints it", NULL, 0, 0, 0 },
		{ "ca-file", OPT_STRING, &cc.ca_file, "Verify the hub's "
		    "certificate against these PEM CA certificates", NULL, 0,
		    0, 0 },
		{ "state-dir", OPT_STRING, &cc.state_dir, "Directory for "
		    "known_hosts (hub keys trusted on first use)",
		    "/var/lib/tentacle (root), ~/.tentacle", 0, 0, 0 },
		{ "insecure", OPT_BOOL, &cc.insecure, "Plaintext links (the "
		    "hub must run -insecure too)", NULL, 0, 0, 0 },
		{ "pool-size", OPT_INT, &cc.pool_size, "Pool size for "
		    "connections to tentacle service, 0 for no pool", "0", 0,
		    1024, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		client_usage(stdout, opts);
		return (0);
	}
	if (rc == -1)
		goto usage;
	if (ind >= argc) {
		client_usage(stderr, opts);
		return (2);
	}
	cmd = argv[ind++];
	if (strcmp(cmd, "help") == 0) {
		client_usage(stdout, opts);
		return (0);
	}
	if (strcmp(cmd, "version") == 0)
		return (version_main(argc - ind + 1, argv + ind - 1));
	if (strcmp(cmd, "start") == 0) {
		/* Flags may also follow: "start -server X pool". */
		rc = opt_parse(opts, argc, argv, &ind, &cause);
		if (rc == OPT_HELP) {
			client_usage(stdout, opts);
			return (0);
		}
		if (rc == -1)
			goto usage;
	} else if (strcmp(cmd, "info") != 0 && strcmp(cmd, "drain") != 0 &&
	    strcmp(cmd, "undrain") != 0 && strcmp(cmd, "redial") != 0) {
		fprintf(stderr, "tentacle: unknown command \"%s\"\n", cmd);
		client_usage(stderr, opts);
		return (2);
	}

	/* Config file: -config must exist; the default may be absent. */
	explicit = cc.config != NULL;
	if (!explicit) {
		if ((home = getenv("HOME")) != NULL) {
			snprintf(path, sizeof path, "%s/.tentacler", home);
			if (access(path, F_OK) == 0)
				cc.config = xstrdup(path);
		}
	}
	if (cc.config != NULL &&
	    opt_conf_load(cc.config, client_conf_cb, NULL, &cause) == -1) {
		fprintf(stderr, "tentacle: %s\n", cause);
		free(cause);
		return (1);
	}
	if (client_acl_flag("allow", cc.allow, cc.allowlist, &cc.nallow) ==
	    -1 || client_acl_flag("deny", cc.deny, cc.denylist,
	    &cc.ndeny) == -1)
		return (2);
	if (client_bind_setup(&cause) == -1) {
		fprintf(stderr, "tentacle: %s\n", cause);
		free(cause);
		return (2);
	}
	if (strcmp(cmd, "start") != 0)		/* info, drain, ... */
		return (info_run(cc.state_dir != NULL ? cc.state_dir :
		    cc.file_state_dir != NULL ? cc.file_state_dir :
		    core_state_dir(), argc - ind + 1, argv + ind - 1));
	client_trust_setup(&trust);
	if (!trust.insecure && trust.fingerprint == NULL &&
	    trust.ca_file == NULL && client_known_hosts_dir(trust.known_hosts,
	    &cause) == -1) {
		fprintf(stderr, "tentacle: %s\n", cause);
		free(cause);
		return (1);
	}
	if (!trust.insecure && (client_tls = tls_client_conf(trust.fingerprint,
	    trust.ca_file, trust.known_hosts, &cause)) == NULL) {
		fprintf(stderr, "tentacle start: TLS: %s\n", cause);
		free(cause);
		return (1);
	}
	return (client_start(argc - ind, argv + ind));
usage:
	fprintf(stderr, "tentacle: %s\n", cause);
	free(cause);
	client_usage(stderr, opts);
	return (2);
}
