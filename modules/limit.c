/*
 * limit.c: counts of the hub's proxy client connections, in total, per
 * client address and per user, and of node links still in their
 * handshake, in total and per address (limit.h, doc/limits.md).  Owns the
 * tables and the refusal-log rate limit; never touches sockets or logs.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/util.h>

#include "tentacle.h"
#include "limit.h"

#define LIMIT_BUCKETS_MIN	64
#define LIMIT_BUCKETS_MAX	(LIMIT_TABLE_MAX / 2)
#define LIMIT_ADDR_KEYLEN	9	/* family byte, then 4 or 8 bytes */

/* An address or user with live connections; freed at zero. */
struct limit_entry {
	struct limit_entry	*le_next;	/* hash chain */
	uint64_t		 le_hash;
	uint64_t		 le_logged;	/* ms of the last logged refusal */
	u_int			 le_count;
	u_int			 le_trust;	/* links past their handshake */
	u_int			 le_suppressed;	/* refusals not logged since */
	size_t			 le_keylen;
	uint8_t			 le_key[];
};

struct limit_table {
	struct limit_entry	**lt_buckets;
	size_t			 lt_nbuckets;	/* a power of two */
	size_t			 lt_count;
};

struct limit_hold {
	struct limit_entry	*lh_addr;	/* NULL: not an IP client */
	struct limit_entry	*lh_user;	/* NULL: no user counted */
	int			 lh_class;	/* LIMIT_CLASS_* */
	int			 lh_trusted;	/* limit_link_trust() */
};

/*
 * Two classes of connections, counted apart: proxy clients (with users)
 * and node links still in their handshake.
 */
#define LIMIT_CLASS_CLIENT	0
#define LIMIT_CLASS_LINK	1
#define LIMIT_CLASSES		2

static struct limit_table	 limit_addrs[LIMIT_CLASSES];
static struct limit_table	 limit_users;
static u_int			 limit_ntotal[LIMIT_CLASSES];
static uint64_t			 limit_total_logged[LIMIT_CLASSES];
static u_int			 limit_total_suppressed[LIMIT_CLASSES];
static uint8_t			 limit_key[16];
static int			 limit_key_ok;
static uint64_t			(*limit_clock)(void);

static uint64_t	 limit_now(void);
static size_t	 limit_addr_key(const struct sockaddr *, uint8_t *);
static struct limit_entry *limit_find(struct limit_table *, const uint8_t *,
		    size_t, uint64_t *);
static struct limit_entry *limit_add(struct limit_table *, const uint8_t *,
		    size_t, uint64_t);
static void	 limit_unref(struct limit_table *, struct limit_entry *);
static void	 limit_grow(struct limit_table *);

static uint64_t
limit_now(void)
{
	struct timespec	 ts;

	if (limit_clock != NULL)
		return (limit_clock());
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* see limit.h */
void
limit_clock_set(uint64_t (*fn)(void))
{
	limit_clock = fn;
}

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
limit_le64(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return (v);
}

/* see limit.h */
uint64_t
limit_siphash(const uint8_t *key, const void *in, size_t len)
{
	const uint8_t	*p = in;
	uint64_t	 k0 = limit_le64(key, 8), k1 = limit_le64(key + 8, 8);
	uint64_t	 v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t	 v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t	 v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t	 v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t	 m;
	size_t		 left = len;

	for (; left >= 8; p += 8, left -= 8) {
		m = limit_le64(p, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	m = (uint64_t)len << 56 | limit_le64(p, left);
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1 ^ v2 ^ v3);
}

/*
 * The table key of sa: IPv4 (also IPv4-mapped IPv6) by address, IPv6 by
 * its /64 (one customer's prefix), like the failed-login limiter.
 * Returns the key length, 0 for a non-IP address.
 */
static size_t
limit_addr_key(const struct sockaddr *sa, uint8_t *key)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(key, 0, LIMIT_ADDR_KEYLEN);
	if (sa == NULL)
		return (0);
	if (sa->sa_family == AF_INET) {
		sin = (const void *)sa;
		key[0] = 4;
		memcpy(key + 1, &sin->sin_addr, 4);
		return (5);
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			key[0] = 4;
			memcpy(key + 1, sin6->sin6_addr.s6_addr + 12, 4);
			return (5);
		}
		key[0] = 6;
		memcpy(key + 1, sin6->sin6_addr.s6_addr, 8);
		return (9);
	}
	return (0);
}

/* The entry for key, or NULL; *hash gets the key's hash either way. */
static struct limit_entry *
limit_find(struct limit_table *t, const uint8_t *key, size_t len,
    uint64_t *hash)
{
	struct limit_entry	*e;

	if (!limit_key_ok) {
		evutil_secure_rng_get_bytes(limit_key, sizeof limit_key);
		limit_key_ok = 1;
	}
	*hash = limit_siphash(limit_key, key, len);
	if (t->lt_buckets == NULL)
		return (NULL);
	for (e = t->lt_buckets[*hash & (t->lt_nbuckets - 1)]; e != NULL;
	    e = e->le_next) {
		if (e->le_hash == *hash && e->le_keylen == len &&
		    memcmp(e->le_key, key, len) == 0)
			return (e);
	}
	return (NULL);
}

/* Double the buckets when chains grow past two; on failure keep them. */
static void
limit_grow(struct limit_table *t)
{
	struct limit_entry	**nb, *e, *next;
	size_t			 n, i;

	if (t->lt_buckets != NULL && (t->lt_count <= t->lt_nbuckets * 2 ||
	    t->lt_nbuckets >= LIMIT_BUCKETS_MAX))
		return;
	n = t->lt_buckets == NULL ? LIMIT_BUCKETS_MIN : t->lt_nbuckets * 2;
	if ((nb = calloc(n, sizeof *nb)) == NULL)
		return;
	for (i = 0; i < t->lt_nbuckets; i++) {
		for (e = t->lt_buckets[i]; e != NULL; e = next) {
			next = e->le_next;
			e->le_next = nb[e->le_hash & (n - 1)];
			nb[e->le_hash & (n - 1)] = e;
		}
	}
	free(t->lt_buckets);
	t->lt_buckets = nb;
	t->lt_nbuckets = n;
}

/* A new entry with count 0, or NULL (out of memory, table full). */
static struct limit_entry *
limit_add(struct limit_table *t, const uint8_t *key, size_t len,
    uint64_t hash)
{
	struct limit_entry	*e;
	size_t			 b;

	if (t->lt_count >= LIMIT_TABLE_MAX)
		return (NULL);
	limit_grow(t);
	if (t->lt_buckets == NULL)
		return (NULL);
	if ((e = calloc(1, sizeof *e + len)) == NULL)
		return (NULL);
	e->le_hash = hash;
	e->le_keylen = len;
	memcpy(e->le_key, key, len);
	b = hash & (t->lt_nbuckets - 1);
	e->le_next = t->lt_buckets[b];
	t->lt_buckets[b] = e;
	t->lt_count++;
	return (e);
}

/* One connection fewer for e; frees it at zero. */
static void
limit_unref(struct limit_table *t, struct limit_entry *e)
{
	struct limit_entry	**pp;

	if (e->le_count > 0)
		e->le_count--;
	if (e->le_count > 0 || e->le_trust > 0)
		return;
	for (pp = &t->lt_buckets[e->le_hash & (t->lt_nbuckets - 1)];
	    *pp != NULL; pp = &(*pp)->le_next) {
		if (*pp == e) {
			*pp = e->le_next;
			break;
		}
	}
	t->lt_count--;
	free(e);
}

/* limit_open() for a class; why codes are the class's own. */
static struct limit_hold *
limit_open_class(int cls, const struct sockaddr *sa, int max_total,
    int max_addr, int *why)
{
	struct limit_hold	*h;
	struct limit_entry	*e = NULL;
	uint8_t			 key[LIMIT_ADDR_KEYLEN];
	uint64_t		 hash = 0;
	size_t			 len;

	*why = LIMIT_OK;
	if (max_total > 0 && limit_ntotal[cls] >= (u_int)max_total) {
		*why = cls == LIMIT_CLASS_LINK ? LIMIT_LINK_TOTAL : LIMIT_TOTAL;
		return (NULL);
	}
	if ((len = limit_addr_key(sa, key)) != 0) {
		e = limit_find(&limit_addrs[cls], key, len, &hash);
		if (e != NULL && max_addr > 0 &&
		    e->le_count >= (u_int)max_addr && e->le_trust == 0) {
			*why = cls == LIMIT_CLASS_LINK ? LIMIT_LINK_ADDR :
			    LIMIT_ADDR;
			return (NULL);
		}
	}
	if ((h = calloc(1, sizeof *h)) == NULL) {
		*why = LIMIT_NOMEM;
		return (NULL);
	}
	if (len != 0 && e == NULL &&
	    (e = limit_add(&limit_addrs[cls], key, len, hash)) == NULL) {
		free(h);
		*why = LIMIT_NOMEM;
		return (NULL);
	}
	if (e != NULL)
		e->le_count++;
	h->lh_addr = e;
	h->lh_class = cls;
	limit_ntotal[cls]++;
	return (h);
}

/* see limit.h */
struct limit_hold *
limit_open(const struct sockaddr *sa, int max_total, int max_addr, int *why)
{
	return (limit_open_class(LIMIT_CLASS_CLIENT, sa, max_total, max_addr,
	    why));
}

/* see limit.h */
struct limit_hold *
limit_link_open(const struct sockaddr *sa, int max_total, int max_addr,
    int *why)
{
	return (limit_open_class(LIMIT_CLASS_LINK, sa, max_total, max_addr,
	    why));
}

/* see limit.h */
void
limit_link_trust(struct limit_hold *h)
{
	if (h == NULL || h->lh_trusted || h->lh_class != LIMIT_CLASS_LINK)
		return;
	h->lh_trusted = 1;
	if (h->lh_addr != NULL) {
		h->lh_addr->le_count--;
		h->lh_addr->le_trust++;
	}
	if (limit_ntotal[h->lh_class] > 0)
		limit_ntotal[h->lh_class]--;
}

/* see limit.h */
int
limit_user(struct limit_hold *h, const char *name, int max_user, int *why)
{
	struct limit_entry	*e;
	uint64_t		 hash;
	size_t			 len = strlen(name);

	*why = LIMIT_OK;
	if (len > LIMIT_NAME_MAX)
		len = LIMIT_NAME_MAX;
	if (h->lh_user != NULL && h->lh_user->le_keylen == len &&
	    memcmp(h->lh_user->le_key, name, len) == 0)
		return (0);
	if (h->lh_user != NULL) {
		limit_unref(&limit_users, h->lh_user);
		h->lh_user = NULL;
	}
	e = limit_find(&limit_users, (const uint8_t *)name, len, &hash);
	if (e != NULL && max_user > 0 && e->le_count >= (u_int)max_user) {
		*why = LIMIT_USER;
		return (-1);
	}
	if (e == NULL && (e = limit_add(&limit_users, (const uint8_t *)name,
	    len, hash)) == NULL) {
		*why = LIMIT_NOMEM;
		return (-1);
	}
	e->le_count++;
	h->lh_user = e;
	return (0);
}

/* see limit.h */
void
limit_close(struct limit_hold *h)
{
	if (h == NULL)
		return;
	if (h->lh_user != NULL)
		limit_unref(&limit_users, h->lh_user);
	if (h->lh_trusted) {
		/* Counted as a trust, not a handshake: see limit_link_trust. */
		if (h->lh_addr != NULL) {
			h->lh_addr->le_trust--;
			h->lh_addr->le_count++;
			limit_unref(&limit_addrs[h->lh_class], h->lh_addr);
		}
		free(h);
		return;
	}
	if (h->lh_addr != NULL)
		limit_unref(&limit_addrs[h->lh_class], h->lh_addr);
	if (limit_ntotal[h->lh_class] > 0)
		limit_ntotal[h->lh_class]--;
	free(h);
}

/* see limit.h */
int
limit_log_ok(int why, const struct sockaddr *sa, const char *name,
    u_int *suppressed)
{
	struct limit_entry	*e = NULL;
	uint8_t			 key[LIMIT_ADDR_KEYLEN];
	uint64_t		 hash, now = limit_now(), *logged;
	u_int			*skipped;
	size_t			 len;
	int			 cls = why == LIMIT_LINK_TOTAL ||
				    why == LIMIT_LINK_ADDR;

	if ((why == LIMIT_ADDR || why == LIMIT_LINK_ADDR) &&
	    (len = limit_addr_key(sa, key)) != 0)
		e = limit_find(&limit_addrs[cls], key, len, &hash);
	else if (why == LIMIT_USER && name != NULL) {
		len = strlen(name);
		if (len > LIMIT_NAME_MAX)
			len = LIMIT_NAME_MAX;
		e = limit_find(&limit_users, (const uint8_t *)name, len,
		    &hash);
	}
	if (e != NULL) {
		logged = &e->le_logged;
		skipped = &e->le_suppressed;
	} else {
		logged = &limit_total_logged[cls];
		skipped = &limit_total_suppressed[cls];
	}
	if (*logged != 0 && now - *logged < LIMIT_LOG_MS) {
		if (*skipped < UINT32_MAX)
			(*skipped)++;
		return (0);
	}
	*logged = now != 0 ? now : 1;
	*suppressed = *skipped;
	*skipped = 0;
	return (1);
}

/* see limit.h */
const char *
limit_why_str(int why)
{
	switch (why) {
	case LIMIT_TOTAL:
		return ("-max-clients");
	case LIMIT_ADDR:
		return ("-max-conns-per-ip");
	case LIMIT_USER:
		return ("-max-conns-per-user");
	case LIMIT_LINK_TOTAL:
		return ("-max-handshakes");
	case LIMIT_LINK_ADDR:
		return ("-max-handshakes-per-ip");
	case LIMIT_NOMEM:
		return ("out of memory");
	}
	return ("no limit");
}

/* see limit.h */
int
limit_clients_auto(long nofile)
{
	long	 n;

	if (nofile <= 0)
		return (0);		/* unknown or unlimited: no limit */
	n = (nofile - LIMIT_CLIENTS_RESERVE) / 2;
	if (n < LIMIT_CLIENTS_MIN)
		n = LIMIT_CLIENTS_MIN;
	if (n > LIMIT_TABLE_MAX * 16L)
		n = LIMIT_TABLE_MAX * 16L;
	return ((int)n);
}

/* see limit.h */
u_int
limit_total(void)
{
	return (limit_ntotal[LIMIT_CLASS_CLIENT]);
}

/* see limit.h */
u_int
limit_link_total(void)
{
	return (limit_ntotal[LIMIT_CLASS_LINK]);
}

/* see limit.h */
u_int
limit_addr_count(const struct sockaddr *sa)
{
	struct limit_entry	*e;
	uint8_t			 key[LIMIT_ADDR_KEYLEN];
	uint64_t		 hash;
	size_t			 len;

	if ((len = limit_addr_key(sa, key)) == 0)
		return (0);
	e = limit_find(&limit_addrs[LIMIT_CLASS_CLIENT], key, len, &hash);
	return (e != NULL ? e->le_count : 0);
}

/* see limit.h */
u_int
limit_user_count(const char *name)
{
	struct limit_entry	*e;
	uint64_t		 hash;
	size_t			 len = strlen(name);

	if (len > LIMIT_NAME_MAX)
		len = LIMIT_NAME_MAX;
	e = limit_find(&limit_users, (const uint8_t *)name, len, &hash);
	return (e != NULL ? e->le_count : 0);
}

/* see limit.h */
size_t
limit_addr_entries(void)
{
	return (limit_addrs[LIMIT_CLASS_CLIENT].lt_count);
}

/* see limit.h */
size_t
limit_user_entries(void)
{
	return (limit_users.lt_count);
}
