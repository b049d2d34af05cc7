/*
 * limit.h: connection limits for proxy users (doc/limits.md).  Counts the
 * hub's proxy client connections in total, per client address (IPv4
 * address, IPv6 /64) and per logged-in user, and says when a new one would
 * pass a limit; and, apart, the node links still in their handshake.  Pure bookkeeping: no sockets, no event loop, no logging;
 * the fronts (hub_socks.c, hub_http.c) answer and log.
 *
 * Tables are hashes with a per-process random key, an entry per address or
 * user with live connections, freed when its count drops to zero; at most
 * LIMIT_TABLE_MAX entries each.
 */
#ifndef LIMIT_H
#define LIMIT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* Why a connection was refused (0: it was not). */
#define LIMIT_OK	0
#define LIMIT_TOTAL	1	/* -max-clients */
#define LIMIT_ADDR	2	/* -max-conns-per-ip */
#define LIMIT_USER	3	/* -max-conns-per-user */
#define LIMIT_NOMEM	4	/* out of memory, or a table is full */
#define LIMIT_LINK_TOTAL 5	/* -max-handshakes */
#define LIMIT_LINK_ADDR	6	/* -max-handshakes-per-ip */

#define LIMIT_TABLE_MAX		65536	/* addresses, and users, tracked */
#define LIMIT_NAME_MAX		255	/* longest user name counted */
#define LIMIT_LOG_MS		1000	/* one refusal logged per key per 1 s */
/* -max-clients when not given: a client is two descriptors (user, link). */
#define LIMIT_CLIENTS_RESERVE	64	/* descriptors kept for the rest */
#define LIMIT_CLIENTS_MIN	16

/* One client connection's counts: address and total, then its user. */
struct limit_hold;

/*
 * Count a new client connection from sa against max_total and max_addr
 * (0 = unlimited).  Returns its hold, or NULL with *why (LIMIT_TOTAL,
 * LIMIT_ADDR, LIMIT_NOMEM): nothing is counted then.  Addresses that are
 * not IP count in the total only.
 */
struct limit_hold *limit_open(const struct sockaddr *sa, int max_total,
		    int max_addr, int *why);
/*
 * The same for a node link (control or data port) until its handshake
 * is done, in tables of their own: why is LIMIT_LINK_TOTAL or
 * LIMIT_LINK_ADDR.  limit_close() ends it.
 */
struct limit_hold *limit_link_open(const struct sockaddr *sa, int max_total,
		    int max_addr, int *why);
/*
 * The link's handshake is done and it is a node's control link: it no
 * longer counts as a handshake, and while the hold lives its address is
 * trusted: links from it pass -max-handshakes-per-ip (the total still
 * holds), so a busy node's data links are not cut.  limit_close() ends it.
 */
void		 limit_link_trust(struct limit_hold *);
/*
 * Count the hold's connection for user name (a base name) as well, against
 * max_user (0 = unlimited).  A hold counts one user: a new name moves it,
 * the same name again changes nothing.  Returns 0, or -1 with *why
 * (LIMIT_USER, LIMIT_NOMEM): the hold then counts no user.
 */
int		 limit_user(struct limit_hold *, const char *name,
		    int max_user, int *why);
/* Uncount everything the hold counts and free it; NULL is ignored. */
void		 limit_close(struct limit_hold *);

/*
 * A refusal for why (sa for LIMIT_ADDR, name for LIMIT_USER; the total
 * limits share one key) was just made: 1 when it should be logged now,
 * with *suppressed the refusals not logged since the last logged one; 0
 * when one was logged for the same key less than LIMIT_LOG_MS ago.
 */
int		 limit_log_ok(int why, const struct sockaddr *sa,
		    const char *name, u_int *suppressed);
/* The flag that sets why ("-max-conns-per-ip"), or a phrase. */
const char	*limit_why_str(int why);
/* Default -max-clients for an open-files limit (0 or less: unknown). */
int		 limit_clients_auto(long nofile);

/* Counts, for tests and `tentacle info`. */
u_int		 limit_total(void);
u_int		 limit_link_total(void);	/* links in handshake */
u_int		 limit_addr_count(const struct sockaddr *sa);
u_int		 limit_user_count(const char *name);
size_t		 limit_addr_entries(void);
size_t		 limit_user_entries(void);

/* Tests: a clock in milliseconds (NULL: the monotonic clock). */
void		 limit_clock_set(uint64_t (*)(void));
/* SipHash-2-4 of in under a 16-byte key (the tables' hash). */
uint64_t	 limit_siphash(const uint8_t *key, const void *in, size_t len);

#endif /* LIMIT_H */
