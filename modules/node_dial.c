/*
 * node_dial.c: a DIAL from the hub, until its relay starts: resolve the
 * target with the node's own resolver, check the destination policy on
 * every address (the hub's POLICY, allow and deny lists, the node's own
 * addresses), connect (from bind: when set), open the data link (or use
 * the spare link the DIAL came on), BIND, and hand both to a relay.  Owns
 * the dials, the destination policy and where data links may go.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "tentacle.h"
#include "acl.h"
#include "frame.h"
#include "node.h"
#include "tls.h"
#include "token.h"

#define NODE_LOCAL_REFRESH_US	(60 * 1000000ULL)

static void	node_dial_close(struct ndial *);
static void	node_dial_try(struct ndial *);
static void	node_dial_bind(struct ndial *);
static int	node_target_allowed(const struct sockaddr *, const char **);

/* Map a connect errno to a result code (STYLE.md, microsocks). */
static int
node_dial_errno(int error)
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

/* BIND with a result, on a data link (a spare link's answer). */
static void
node_dial_bind_send(struct bufferevent *bev, uint32_t req, int result)
{
	struct frame_bind	 b;
	uint8_t			 buf[FRAME_MAX];

	memset(&b, 0, sizeof b);
	b.node_id = node->id;
	token_bind_proof(node->wl.cookie, sizeof node->wl.cookie, req, b.proof);
	b.req = req;
	b.result = result;
	core_link_send(bev, node_conf->tls == NULL, buf,
	    frame_bind_encode(buf, &b));
}

/*
 * Finish a dial that failed: tell the hub (on the spare link the DIAL
 * came on, if any; else on the control link, if it is up) and close it.
 */
static void
node_dial_fail(struct ndial *nd, int result)
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
	if (nd->nd_spare && nd->nd_link != NULL) {
		node_dial_bind_send(nd->nd_link, nd->nd_req, result);
		core_bev_close_flush(nd->nd_link);
		nd->nd_link = NULL;
	} else if (node->welcomed) {
		res.req = nd->nd_req;
		res.result = result;
		node_send(buf, frame_result_encode(buf, &res));
	}
	node_dial_close(nd);
}

/*
 * The one way a dial ends: unlink it, free its timer and bufferevents;
 * frees nd, or leaves that to the DNS callback it cancels.
 */
static void
node_dial_close(struct ndial *nd)
{
	if (nd->nd_zombie)
		return;
	TAILQ_REMOVE(&node->dials, nd, nd_entry);
	node->ndials--;
	if (nd->nd_timer != NULL)
		event_free(nd->nd_timer);
	nd->nd_timer = NULL;
	if (nd->nd_target_bev != NULL)
		bufferevent_free(nd->nd_target_bev);
	if (nd->nd_link != NULL)
		bufferevent_free(nd->nd_link);
	if (nd->nd_lent != NULL) {
		node_spare_back(NULL, nd->nd_lent);	/* gone with the dial */
		nd->nd_lent = NULL;
	}
	if (nd->nd_dns_pending) {
		/* The callback runs later with EVUTIL_EAI_CANCEL and frees. */
		nd->nd_zombie = 1;
		evdns_getaddrinfo_cancel(nd->nd_dns);
		return;
	}
	free(nd);
}

static void
node_dial_timeout_cb(evutil_socket_t fd __unused, short what __unused,
    void *arg)
{
	struct ndial	*nd = arg;

	node_dial_fail(nd, DIAL_TIMEOUT);
}

static void
node_dial_link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ndial	*nd = arg;
	char		*cause = NULL;

	if (!(what & BEV_EVENT_CONNECTED)) {
		log_warnx("dial %u: cannot open a data link to the hub: %s",
		    nd->nd_req, tls_error(bev) != NULL ? tls_error(bev) :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		node_dial_fail(nd, DIAL_FAIL);
		return;
	}
	if (node_conf->tls == NULL)
		core_nodelay(bufferevent_getfd(bev));
	if (node_conf->tls != NULL && !tls_is_wrapped(bev)) {
		nd->nd_link = tls_wrap(node_conf->tls, bev, 0, node_conf->server,
		    &cause);
		if (nd->nd_link == NULL) {
			log_warnx("dial %u: data link: %s", nd->nd_req, cause);
			free(cause);
			node_dial_fail(nd, DIAL_FAIL);
			return;
		}
		bev = nd->nd_link;
		bufferevent_setcb(bev, NULL, NULL, node_dial_link_event_cb, nd);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
	}
	node_dial_bind(nd);
}

/* BIND ok on nd's data link, then relay target and link; closes nd. */
static void
node_dial_bind(struct ndial *nd)
{
	struct relay		*r;
	struct relay_who	 who;
	char			 tag[64], ts[TARGET_STRLEN];

	node_dial_bind_send(nd->nd_link, nd->nd_req, DIAL_OK);
	snprintf(tag, sizeof tag, "%u", nd->nd_req);
	log_debug("dial %u: %s connected in %llu us; relaying%s", nd->nd_req,
	    target_str(&nd->nd_target, ts, sizeof ts),
	    (unsigned long long)(core_now_us() - nd->nd_start_us),
	    nd->nd_spare ? " on a pooled link" : "");
	if (node_policy_relay(nd->nd_target_bev) == -1) {
		log_warnx("dial %u: out of memory", nd->nd_req);
		node_dial_fail(nd, DIAL_FAIL);
		return;
	}
	if (nd->nd_lent != NULL)
		r = relay_new_framed(nd->nd_link, nd->nd_target_bev, tag,
		    node_spare_back, nd->nd_lent);
	else
		r = relay_new(nd->nd_link, nd->nd_target_bev, tag, NULL, NULL);
	if (r == NULL) {
		log_warnx("dial %u: out of memory", nd->nd_req);
		node_dial_fail(nd, DIAL_FAIL);
		return;
	}
	memset(&who, 0, sizeof who);
	who.proto = "dial";
	who.node_id = node->id;
	strlcpy(who.node, node->hello.name, sizeof who.node);
	strlcpy(who.client, tag, sizeof who.client);
	strlcpy(who.target, ts, sizeof who.target);
	relay_set_who(r, &who);
	nd->nd_link = nd->nd_target_bev = NULL;
	nd->nd_lent = NULL;	/* the relay hands it back */
	node_dial_close(nd);
}

/* The target answered: open the data link to the hub. */
static void
node_dial_connected(struct ndial *nd)
{
	struct timeval	 tv;

	bufferevent_setcb(nd->nd_target_bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(nd->nd_target_bev, EV_READ);
	if (nd->nd_spare) {
		node_dial_bind(nd);
		return;
	}
	nd->nd_link = node_dial_hub_bev(node->data_sa.ss_family);
	if (nd->nd_link == NULL) {
		node_dial_fail(nd, DIAL_FAIL);
		return;
	}
	bufferevent_setcb(nd->nd_link, NULL, NULL, node_dial_link_event_cb, nd);
	bufferevent_set_timeouts(nd->nd_link, NULL, core_ms_tv(&tv,
	    CONNECT_MS));
	if (bufferevent_socket_connect(nd->nd_link,
	    (struct sockaddr *)&node->data_sa, node->data_salen) == -1) {
		log_warnx("dial %u: cannot open a data link to the hub",
		    nd->nd_req);
		node_dial_fail(nd, DIAL_FAIL);
	}
}

static void
node_dial_target_event_cb(struct bufferevent *bev __unused, short what,
    void *arg)
{
	struct ndial	*nd = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		bufferevent_set_timeouts(nd->nd_target_bev, NULL, NULL);
		node_dial_connected(nd);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		nd->nd_err = DIAL_TIMEOUT;
	else
		nd->nd_err = node_dial_errno(error);
	nd->nd_why = NULL;
	bufferevent_free(nd->nd_target_bev);
	nd->nd_target_bev = NULL;
	node_dial_try(nd);
}

/*
 * The node's own interface addresses, refreshed once a minute at most:
 * a target on one of them is the node itself, whatever its range.
 */
static void
node_local_refresh(void)
{
	struct sockaddr_storage	*fresh;
	uint64_t		 now = core_now_us();
	int			 n;

	/*
	 * Every minute; every second in the minute after a redial (pppd
	 * may bring the new address up after the command returned).
	 */
	if (node->local_us != 0 &&
	    now - node->local_us < (node->redial_us != 0 &&
	    now - node->redial_us < NODE_LOCAL_REFRESH_US ? 1000000 :
	    NODE_LOCAL_REFRESH_US))
		return;
	node->local_us = now;
	/* 8 KiB, once a minute: the heap's, not every thread's. */
	if ((fresh = calloc(NODE_LOCAL_MAX, sizeof *fresh)) == NULL ||
	    (n = compat_local_addrs(fresh, NODE_LOCAL_MAX)) == -1) {
		log_warn("cannot list this machine's addresses (the last "
		    "list, of %zu, stays in use)", node->nlocal);
		free(fresh);
		return;
	}
	memcpy(node->local, fresh, n * sizeof fresh[0]);
	free(fresh);
	node->nlocal = n;
}

/* see node.h; the hub can only add denials. */
int
node_dial_policy(const struct frame *f, const char **cause)
{
	struct frame_policy	 p;
	struct acl_entry	*a;
	int			 i;

	if (frame_policy_parse(f, &p, cause) == -1)
		return (-1);
	for (i = 0; i < p.n; i++) {
		a = &node->hub_deny[i];
		memset(a, 0, sizeof *a);
		a->family = p.e[i].family == 4 ? AF_INET :
		    p.e[i].family == 6 ? AF_INET6 : 0;
		a->bits = p.e[i].bits;
		memcpy(a->addr, p.e[i].addr, sizeof a->addr);
		a->port = p.e[i].port;
	}
	node->nhub_deny = p.n;
	log_info("the hub denies %d more destinations for this node's pools",
	    p.n);
	return (0);
}

/* Does a deny list cover sa (its address, or its port)? */
static int
node_denies(const struct acl_entry *list, size_t n,
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
node_target_allowed(const struct sockaddr *sa, const char **why)
{
	if (node_denies(node->hub_deny, node->nhub_deny, sa)) {
		*why = "denied by the hub's policy for this node's pools";
		return (0);
	}
	if (node_denies(node_conf->deny, node_conf->ndeny, sa)) {
		*why = "denied by the node's deny list";
		return (0);
	}
	if (!acl_allowed(node_conf->allow, node_conf->nallow, sa, why))
		return (0);
	node_local_refresh();
	if (acl_is_local(node->local, node->nlocal, sa) &&
	    !acl_listed(node_conf->allow, node_conf->nallow, sa)) {
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
node_target_socket(const struct sockaddr *sa)
{
	int	 fd;

	if (node_conf->bind_len == 0)
		return (-2);
	if (node_conf->bind_sa.ss_family != sa->sa_family) {
		errno = ENETUNREACH;
		return (-1);
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&node_conf->bind_sa,
	    node_conf->bind_len) == -1) {
		log_warn("bind %s for an outgoing connection", node_conf->bind);
		evutil_closesocket(fd);
		errno = EADDRNOTAVAIL;
		return (-1);
	}
	return (fd);
}

/* see node.h; so the hub sees the address the node's targets see. */
struct bufferevent *
node_dial_hub_bev(int af)
{
	struct bufferevent	*bev;
	int			 fd = -1;

	/* bind() failing is logged; then the link goes unbound. */
	if (node_conf->bind_len != 0 && (af == AF_UNSPEC ||
	    af == node_conf->bind_sa.ss_family))
		fd = node_target_socket((struct sockaddr *)&node_conf->bind_sa);
	if (fd < 0)
		fd = -1;
	bev = bufferevent_socket_new(core_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL && fd != -1)
		evutil_closesocket(fd);
	return (bev);
}

/*
 * Connect to the next allowed address.  The policy runs on the address
 * actually connected, so a name cannot rebind past it.
 */
static void
node_dial_try(struct ndial *nd)
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
		if (!node_target_allowed(sa, &why)) {
			log_info("dial %u: refusing %s: %s%s", nd->nd_req,
			    core_sa_str(sa, as, sizeof as), why,
			    strncmp(why, "denied", 6) == 0 ? "" : " (add it "
			    "to the node's allow list to permit it)");
			if (nd->nd_err == DIAL_FAIL || nd->nd_err == DIAL_DNS)
				nd->nd_err = DIAL_NOTALLOWED;
			nd->nd_why = why;
			continue;
		}
		if ((fd = node_target_socket(sa)) == -1) {
			nd->nd_err = node_dial_errno(errno);
			continue;
		}
		if (fd == -2)
			fd = -1;
		nd->nd_target_bev = bufferevent_socket_new(core_base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
		if (nd->nd_target_bev == NULL) {
			if (fd != -1)
				evutil_closesocket(fd);
			node_dial_fail(nd, DIAL_FAIL);
			return;
		}
		bufferevent_setcb(nd->nd_target_bev, NULL, NULL,
		    node_dial_target_event_cb, nd);
		if (bufferevent_socket_connect(nd->nd_target_bev, sa,
		    salen) == 0)
			return;
		nd->nd_err = node_dial_errno(EVUTIL_SOCKET_ERROR());
		bufferevent_free(nd->nd_target_bev);
		nd->nd_target_bev = NULL;
	}
	node_dial_fail(nd, nd->nd_err);
}

static void
node_dial_dns_cb(int result, struct evutil_addrinfo *res, void *arg)
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
		node_dial_fail(nd, nd->nd_err);
		return;
	}
	for (ai = res; ai != NULL && nd->nd_naddrs < NODE_ADDRS_MAX;
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
	node_dial_try(nd);
}

/* A spare link carrying a DIAL died before its answer: the hub retries. */
static void
node_dial_spare_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ndial	*nd = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	log_info("dial %u: the pooled link died before the answer (%s); "
	    "the hub retries", nd->nd_req, tls_error(bev) != NULL ?
	    tls_error(bev) : (what & BEV_EVENT_EOF) ? "closed by the hub" :
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	node_dial_close(nd);
}

/*
 * The target's addresses: the address itself, a numeric name dialled as
 * one (the ambiguous refused), else ask the resolver.
 */
static void
node_dial_resolve(struct ndial *nd)
{
	struct evutil_addrinfo	 hints;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&nd->nd_addrs[0];
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&nd->nd_addrs[0];
	struct evdns_getaddrinfo_request *req;
	const struct target	*t = &nd->nd_target;
	char			 port[8];

	switch (t->atyp) {
	case TARGET_IPV4:
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, t->addr, 4);
		sin->sin_port = htons(t->port);
		nd->nd_naddrs = 1;
		node_dial_try(nd);
		return;
	case TARGET_IPV6:
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, t->addr, 16);
		sin6->sin6_port = htons(t->port);
		nd->nd_naddrs = 1;
		node_dial_try(nd);
		return;
	}
	switch (acl_host_numeric(t->host, &nd->nd_addrs[0], &nd->nd_why)) {
	case -1:
		node_dial_fail(nd, DIAL_BADADDR);
		return;
	case 1:
		if (nd->nd_addrs[0].ss_family == AF_INET)
			sin->sin_port = htons(t->port);
		else
			sin6->sin6_port = htons(t->port);
		nd->nd_naddrs = 1;
		node_dial_try(nd);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof port, "%u", t->port);
	nd->nd_dns_pending = 1;
	req = evdns_getaddrinfo(core_dns, t->host, port, &hints,
	    node_dial_dns_cb, nd);
	/*
	 * NULL: the callback has run already (hosts file, numeric name or an
	 * immediate error) and nd may be gone; touch nothing.
	 */
	if (req != NULL)
		nd->nd_dns = req;
}

/* Too many dials, or out of memory: say no on the link the DIAL came on. */
static void
node_dial_refuse(uint32_t req, struct bufferevent *link)
{
	struct frame_result	 res;
	uint8_t			 buf[FRAME_MAX];

	log_warnx("dial %u: refused: %u dials in flight already", req,
	    node->ndials);
	if (link != NULL) {
		node_dial_bind_send(link, req, DIAL_FAIL);
		core_bev_close_flush(link);
		return;
	}
	res.req = req;
	res.result = DIAL_FAIL;
	node_send(buf, frame_result_encode(buf, &res));
}

/* see node.h */
void
node_dial_start(const struct frame_dial *fd, struct bufferevent *link,
    struct spare *lent)
{
	struct ndial	*nd;
	struct timeval	 tv;
	int		 budget;

	if (node->ndials >= node->wl.max_dials ||
	    (nd = calloc(1, sizeof *nd)) == NULL) {
		if (lent != NULL)
			node_spare_back(NULL, lent);
		node_dial_refuse(fd->req, link);
		return;
	}
	nd->nd_lent = lent;
	if (link != NULL) {
		nd->nd_link = link;
		nd->nd_spare = 1;
		bufferevent_setcb(link, NULL, NULL, node_dial_spare_event_cb,
		    nd);
	}
	nd->nd_req = fd->req;
	nd->nd_target = fd->target;
	nd->nd_err = DIAL_FAIL;
	nd->nd_start_us = core_now_us();
	TAILQ_INSERT_TAIL(&node->dials, nd, nd_entry);
	node->ndials++;
	if (!node->data_ok) {
		/* No data link may go where the hub said: fail, and say so. */
		if (core_now_us() - node->data_warned_us > 60000000ULL) {
			log_warnx("dials fail: the hub's data address is "
			    "refused (see the warning at connect)");
			node->data_warned_us = core_now_us();
		}
		/* Node-side (RESULT 10): the hub retries elsewhere. */
		nd->nd_why = "the hub's data address is not allowed";
		node_dial_fail(nd, DIAL_NODELOST);
		return;
	}
	if ((nd->nd_why = node_policy_dial_refused()) != NULL) {
		/* Paused, or at the host's max_relays: the hub retries. */
		node_dial_fail(nd, DIAL_NODELOST);
		return;
	}
	/* Answer before the hub gives up, so it hears why. */
	budget = node->wl.dial_ms * 3 / 4;
	if (budget > CONNECT_MS)
		budget = CONNECT_MS;
	if (budget < 100)
		budget = 100;
	if ((nd->nd_timer = evtimer_new(core_base, node_dial_timeout_cb,
	    nd)) == NULL) {
		node_dial_fail(nd, DIAL_FAIL);
		return;
	}
	evtimer_add(nd->nd_timer, core_ms_tv(&tv, budget));
	node_dial_resolve(nd);
}

/* see node.h */
void
node_dial_abort_all(void)
{
	struct ndial	*nd, *tmp;

	TAILQ_FOREACH_SAFE(nd, &node->dials, nd_entry, tmp) {
		log_info("dial %u: abandoned: the control link was lost",
		    nd->nd_req);
		node_dial_close(nd);
	}
}

/* Same IP address (ports ignored; IPv4-mapped IPv6 as IPv4)? */
static int
node_same_host(const struct sockaddr *a, const struct sockaddr *b)
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
node_data_allowed(const struct sockaddr *sa, uint16_t port, const char **why)
{
	const struct sockaddr_storage	*ss = &node_conf->data_sa;

	if (node_same_host(sa, (struct sockaddr *)&node->hub_sa))
		return (0);
	if (node_conf->data_set && (node_conf->data_anyport ||
	    ntohs(ss->ss_family == AF_INET ?
	    ((const struct sockaddr_in *)ss)->sin_port :
	    ((const struct sockaddr_in6 *)ss)->sin6_port) == port) &&
	    node_same_host(sa, (const struct sockaddr *)ss))
		return (0);
	return (node_target_allowed(sa, why) ? 0 : -1);
}

/* see node.h */
int
node_dial_welcome(const struct frame_welcome *wl)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&node->data_sa;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&node->data_sa;
	const char		*why;
	char			*err = NULL, addr[300], where[64];

	if (wl->data_host[0] != '\0') {
		snprintf(addr, sizeof addr, strchr(wl->data_host, ':') ?
		    "[%s]:%u" : "%s:%u", wl->data_host, wl->data_port);
		if (core_addr_parse(addr, &node->data_sa, &node->data_salen,
		    &err) == -1) {
			log_warnx("hub sent a data host that is not an "
			    "address: %s", err);
			free(err);
			return (-1);
		}
	} else {
		memcpy(&node->data_sa, &node->hub_sa, sizeof node->data_sa);
		node->data_salen = node->hub_salen;
	}
	if (node->data_sa.ss_family == AF_INET)
		sin->sin_port = htons(wl->data_port);
	else
		sin6->sin6_port = htons(wl->data_port);
	node->data_ok = node_data_allowed((struct sockaddr *)&node->data_sa,
	    wl->data_port, &why) == 0;
	if (!node->data_ok) {
		log_warnx("the hub %s:%s tells this node to open its data links "
		    "to %s, which is neither the hub's own address nor allowed "
		    "(%s): refusing; requests through this node fail until "
		    "the hub is fixed, or data_addr: (-data-addr) names that "
		    "address", node_conf->host, node_conf->port, core_sa_str(
		    (struct sockaddr *)&node->data_sa, where, sizeof where),
		    why);
		node->data_warned_us = core_now_us();
	}
	node->nhub_deny = 0;	/* a POLICY may follow */
	return (0);
}
