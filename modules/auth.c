/*
 * auth.c: proxy users (doc/users.md) and the hub's admin accounts
 * (doc/admin.md).  Owns the users table (loaded from -users FILE, replaced
 * whole on reload), the admins table (-admins FILE: the same format
 * without limits), the -allow list, the policy for a proxy client's
 * address, password checks (PBKDF2-HMAC-SHA256 on BearSSL's HMAC), the
 * cache of recent successful logins, the limiter of failed logins per
 * client address and the budget of password hashes (per network, with a
 * reserve for pairs that logged in before), which admins share with users.
 * No sockets, no event loop, no logging: the fronts log what it returns.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>
#include <event2/util.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "opt.h"

/* One line of the users file. */
struct auth_entry {
	char		 name[AUTH_NAME_MAX + 1];
	uint8_t		 saltlen;
	uint8_t		 salt[AUTH_SALT_MAX];
	uint8_t		 hash[AUTH_HASH_LEN];
	uint32_t	 iter;
	u_int		 line;		/* for duplicate errors */
	/* The sixth field (acct.h); NULL: no limits, most users. */
	struct acct_limits *limits;
};

/* A client network that needs no credentials (-allow). */
struct auth_net {
	int		 family;
	uint8_t		 addr[16];
	u_int		 bits;
};

/* A (user, password) pair that verified, keyed by a salted SHA-256. */
struct auth_cached {
	uint8_t		 key[32];
	uint64_t	 expires;	/* ms; 0: free slot */
};

/* Failed logins from one address (an IPv6 /64) in the current window. */
struct auth_limit {
	uint8_t		 addr[16];
	uint8_t		 family;	/* 0: free slot */
	uint8_t		 logged;	/* the block was reported once */
	uint16_t	 fails;
	uint64_t	 start;		/* ms, window start */
};

/* A (user, address) pair that logged in within AUTH_TRUST_MS. */
struct auth_trust {
	uint64_t	 tag;		/* keyed hash of name and address */
	uint64_t	 expires;	/* ms; 0: free slot */
};

/*
 * A client network's share of the budget, as a virtual clock: each hash
 * moves tat on by its cost in AUTH_SHARE_MS per unit; tat past now is
 * hashing the network had beyond its share and has not yet earned.
 */
struct auth_share {
	uint64_t	 tag;		/* keyed hash of the network */
	uint64_t	 tat;		/* ms; 0: free slot */
};

/* A token bucket of PBKDF2 iterations, in thousandths (exact refills). */
struct auth_bucket {
	int64_t		 level;		/* below 0 after a costly hash */
	uint64_t	 last;		/* ms of the last refill */
};

#define AUTH_LIMIT_WAYS	4
#define AUTH_TRUST_WAYS	4
#define AUTH_SHARE_WAYS	4

/*
 * A table of accounts: the proxy users (-users) or the hub's admins
 * (-admins).  kind keeps their cache entries and trusted pairs apart.
 */
struct auth_table {
	struct auth_entry	*tab;		/* sorted by name */
	size_t			 n;
	int			 loaded;
	char			*path;		/* for reloads */
	uint8_t			 decoy_key[32];	/* from the table */
	uint8_t			 kind;		/* 'u' or 'a' */
	const char		*what;		/* "user", "admin" */
};

static struct auth_table	 auth_users = { .kind = 'u', .what = "user" };
static struct auth_table	 auth_admins = { .kind = 'a',
				    .what = "admin" };
static struct auth_net		 auth_allow[AUTH_ALLOW_MAX];
static size_t			 auth_nallow;
static int			 auth_open_proxy;	/* -open-proxy */
static struct auth_cached	 auth_cache[AUTH_CACHE_SLOTS];
static struct auth_limit	 auth_limits[AUTH_LIMIT_SLOTS];
static struct auth_trust	 auth_trusts[AUTH_TRUST_SLOTS];
static struct auth_share	 auth_shares[AUTH_SHARE_SLOTS];
static struct auth_bucket	 auth_strangers;	/* AUTH_HASH_RATE */
static struct auth_bucket	 auth_reserve;		/* half of it */
static u_int			 auth_hash_rate = AUTH_HASH_RATE;
static uint32_t			 auth_hash_unit = AUTH_ITER_DEFAULT;
static uint8_t			 auth_secret[32];
static int			 auth_secret_ok;
static struct auth_stats	 auth_st;
static uint64_t			(*auth_clock)(void);

static uint64_t	 auth_now(void);
static void	 auth_secret_init(void);
static int	 auth_ct_equal(const uint8_t *, const uint8_t *, size_t);
static int	 auth_name_ok(const char *, size_t);
static int	 auth_entry_cmp(const void *, const void *);
static struct auth_entry *auth_find(struct auth_table *, const char *);
static void	 auth_cache_key(uint8_t *, uint8_t, const char *,
		    const char *);
static int	 auth_cache_find(const uint8_t *);
static void	 auth_cache_add(const uint8_t *);
static void	 auth_cache_clear(void);
static int	 auth_sa_key(const struct sockaddr *, int *, uint8_t *);
static struct auth_limit *auth_limit_get(const struct sockaddr *, int);
static void	 auth_decoy_key_make(struct auth_table *);
static int	 auth_users_next(const char *, size_t, size_t *, char *,
		    char **, const char **);
static int	 auth_users_grow(struct auth_entry **, size_t *);
static int	 auth_users_sort(struct auth_table *, struct auth_entry *, size_t,
		    const char *,
		    char **);
static void	 auth_users_free(struct auth_entry *, size_t);
static void	 auth_users_install(struct auth_table *, struct auth_entry *,
		    size_t);
static const struct auth_entry *auth_decoy(struct auth_table *, const char *,
		    uint8_t *);
static uint64_t	 auth_tag(uint8_t, const struct sockaddr *, u_int, u_int,
		    const char *);
static struct auth_trust *auth_trust_get(uint8_t, const struct sockaddr *,
		    const char *, int);
static struct auth_share *auth_share_get(const struct sockaddr *);
static void	 auth_bucket_fill(struct auth_bucket *, uint64_t, uint64_t,
		    int64_t);
static int	 auth_budget(uint8_t, const struct sockaddr *, const char *,
		    uint32_t);
static int	 auth_verify(struct auth_table *, const struct sockaddr *,
		    const char *, const char *, struct auth_user *,
		    const char **);
static void	 auth_table_reset(struct auth_table *);

static const char auth_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static uint64_t
auth_now(void)
{
	struct timespec	 ts;

	if (auth_clock != NULL)
		return (auth_clock());
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* see auth.h */
void
auth_clock_set(uint64_t (*fn)(void))
{
	auth_clock = fn;
}

/* The per-process secret that salts cache keys and limiter buckets. */
static void
auth_secret_init(void)
{
	if (auth_secret_ok)
		return;
	evutil_secure_rng_get_bytes(auth_secret, sizeof auth_secret);
	auth_secret_ok = 1;
}

/* Equal in time that depends on len only. */
static int
auth_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t	 i;
	uint8_t	 d = 0;

	for (i = 0; i < len; i++)
		d |= a[i] ^ b[i];
	return (d == 0);
}

/* see auth.h */
void
auth_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt,
    size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen)
{
	br_hmac_key_context	 kc;
	br_hmac_context		 hc;
	uint8_t			 u[32], t[32], ctr[4];
	uint32_t		 block, i;
	size_t			 j, n;

	auth_st.pbkdf2++;
	auth_st.iterations += iter;
	br_hmac_key_init(&kc, &br_sha256_vtable, pass, passlen);
	for (block = 1; outlen > 0; block++) {
		ctr[0] = block >> 24;
		ctr[1] = block >> 16;
		ctr[2] = block >> 8;
		ctr[3] = block;
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, salt, saltlen);
		br_hmac_update(&hc, ctr, sizeof ctr);
		br_hmac_out(&hc, u);
		memcpy(t, u, sizeof t);
		for (i = 1; i < iter; i++) {
			br_hmac_init(&hc, &kc, 0);
			br_hmac_update(&hc, u, sizeof u);
			br_hmac_out(&hc, u);
			for (j = 0; j < sizeof t; j++)
				t[j] ^= u[j];
		}
		n = outlen < sizeof t ? outlen : sizeof t;
		memcpy(out, t, n);
		out += n;
		outlen -= n;
	}
	explicit_bzero(&kc, sizeof kc);
	explicit_bzero(&hc, sizeof hc);
	explicit_bzero(u, sizeof u);
	explicit_bzero(t, sizeof t);
}

/* see auth.h */
size_t
auth_b64_encode(char *out, size_t outlen, const void *in, size_t inlen)
{
	const uint8_t	*p = in;
	size_t		 i, o = 0;
	uint32_t	 v;

	if (outlen < (inlen + 2) / 3 * 4 + 1)
		return (0);
	for (i = 0; i + 2 < inlen; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = auth_b64[v >> 18];
		out[o++] = auth_b64[(v >> 12) & 63];
		out[o++] = auth_b64[(v >> 6) & 63];
		out[o++] = auth_b64[v & 63];
	}
	if (inlen - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = auth_b64[v >> 18];
		out[o++] = auth_b64[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (inlen - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = auth_b64[v >> 18];
		out[o++] = auth_b64[(v >> 12) & 63];
		out[o++] = auth_b64[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return (o);
}

/* see auth.h */
ssize_t
auth_b64_decode(uint8_t *out, size_t outlen, const char *in, size_t inlen)
{
	const char	*c;
	size_t		 i, o = 0, pad = 0;
	uint32_t	 acc = 0;
	u_int		 bits = 0;

	if (inlen > 0 && in[inlen - 1] == '=') {
		if (inlen % 4 != 0)
			return (-1);
		pad = (inlen >= 2 && in[inlen - 2] == '=') ? 2 : 1;
		inlen -= pad;
	}
	if (inlen % 4 == 1 || (pad != 0 && 4 - inlen % 4 != pad))
		return (-1);
	for (i = 0; i < inlen; i++) {
		if (in[i] == '\0' || (c = strchr(auth_b64, in[i])) == NULL)
			return (-1);
		acc = (acc << 6) | (uint32_t)(c - auth_b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outlen)
				return (-1);
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	if (acc != 0)
		return (-1);	/* non-zero pad bits: not canonical */
	return ((ssize_t)o);
}

/* [A-Za-z0-9._]{1,AUTH_NAME_MAX} */
static int
auth_name_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > AUTH_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_')
			continue;
		return (0);
	}
	return (1);
}

/* see auth.h */
int
auth_user_parse(const char *username, struct auth_user *out,
    const char **why)
{
	const char	*dash;
	size_t		 len, i, nlen;

	len = strlen(username);
	if (len == 0) {
		*why = "empty user name";
		return (-1);
	}
	if (len > AUTH_USERNAME_MAX) {
		*why = "user name too long";
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (username[i] != '-' && !auth_name_ok(username + i, 1)) {
			*why = "bad character in user name";
			return (-1);
		}
	}
	dash = strchr(username, '-');
	nlen = dash != NULL ? (size_t)(dash - username) : len;
	if (nlen == 0) {
		*why = "user name starts with '-'";
		return (-1);
	}
	if (nlen > AUTH_NAME_MAX) {
		*why = "user name too long";
		return (-1);
	}
	memcpy(out->name, username, nlen);
	out->name[nlen] = '\0';
	strlcpy(out->params, dash != NULL ? dash + 1 : "", sizeof out->params);
	out->verified = 0;
	return (0);
}

static int
auth_entry_cmp(const void *a, const void *b)
{
	const struct auth_entry	*ea = a, *eb = b;

	return (strcmp(ea->name, eb->name));
}

static struct auth_entry *
auth_find(struct auth_table *t, const char *name)
{
	struct auth_entry	 key;

	if (t->n == 0)
		return (NULL);
	strlcpy(key.name, name, sizeof key.name);
	return (bsearch(&key, t->tab, t->n, sizeof *t->tab, auth_entry_cmp));
}

/*
 * The key that picks unknown names' decoy lines: a hash of the whole table,
 * whose hashes are secret, so that a name borrows the same line after a
 * restart or a reload of the same file (a per-process key would let a
 * client see an unknown name change cost across a restart).
 */
static void
auth_decoy_key_make(struct auth_table *t)
{
	br_sha256_context	 sc;
	const struct auth_entry	*e;
	uint8_t			 it[4];
	size_t			 i;

	br_sha256_init(&sc);
	br_sha256_update(&sc, "tentacle decoy", 14);
	br_sha256_update(&sc, &t->kind, 1);
	for (i = 0; i < t->n; i++) {
		e = &t->tab[i];
		it[0] = e->iter >> 24;
		it[1] = e->iter >> 16;
		it[2] = e->iter >> 8;
		it[3] = e->iter;
		br_sha256_update(&sc, e->name, strlen(e->name) + 1);
		br_sha256_update(&sc, it, sizeof it);
		br_sha256_update(&sc, &e->saltlen, 1);
		br_sha256_update(&sc, e->salt, e->saltlen);
		br_sha256_update(&sc, e->hash, sizeof e->hash);
	}
	br_sha256_out(&sc, t->decoy_key);
	explicit_bzero(&sc, sizeof sc);
}

/*
 * The line whose cost name borrows if it is unknown, and AUTH_SALT_MAX
 * bytes of salt for it, both from a hash of the name keyed with the table:
 * a name borrows the same line every time, and unknown names fall on the
 * lines in the table's proportions, so their times are distributed as the
 * real users' are.  NULL for an empty table.  Called for known names too,
 * so that both do the same work.
 */
static const struct auth_entry *
auth_decoy(struct auth_table *t, const char *name, uint8_t *salt)
{
	br_sha256_context	 sc;
	uint8_t			 h[32], n;
	uint64_t		 v = 0;
	size_t			 i;

	for (n = 0; n < 1 + AUTH_SALT_MAX / 32; n++) {
		br_sha256_init(&sc);
		br_sha256_update(&sc, t->decoy_key, sizeof t->decoy_key);
		br_sha256_update(&sc, &n, 1);
		br_sha256_update(&sc, name, strlen(name) + 1);
		br_sha256_out(&sc, n == 0 ? h : salt + (n - 1) * 32);
	}
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	explicit_bzero(&sc, sizeof sc);
	explicit_bzero(h, sizeof h);
	if (t->n == 0)
		return (NULL);
	return (&t->tab[v % t->n]);
}

/*
 * Parse one line (NUL-terminated, trimmed) into e: NULL or why not (in
 * why, AUTH_WHY_LEN bytes, when the limits are refused).  Base64 never
 * holds ':', so the line splits at its first five colons; the sixth
 * field, if any, is the limits text (acct.h), which holds none either.
 */
static const char *
auth_line_parse(struct auth_table *t, char *line, struct auth_entry *e,
    char *why, size_t whylen)
{
	struct acct_limits	 l;
	char			*f[6], *p, *end, *cause = NULL;
	unsigned long		 iter;
	ssize_t			 n;
	int			 nf = 0;

	for (p = line; nf < 6; nf++) {
		f[nf] = p;
		if ((p = strchr(p, ':')) == NULL) {
			nf++;
			break;
		}
		*p++ = '\0';
	}
	if (p != NULL)
		return ("a ':' in the limits (the sixth field)");
	if (t->kind == 'a' && nf == 6)
		return ("an admin has no limits: expected NAME:" AUTH_SCHEME
		    ":ITER:SALT:HASH");
	if (nf != 5 && nf != 6)
		return ("expected NAME:" AUTH_SCHEME ":ITER:SALT:HASH[:LIMITS]");
	if (!auth_name_ok(f[0], strlen(f[0])))
		return (t->kind == 'a' ? "bad admin name (want 1 to 64 of "
		    "A-Z a-z 0-9 . _)" : "bad user name (want 1 to 64 of "
		    "A-Z a-z 0-9 . _)");
	strlcpy(e->name, f[0], sizeof e->name);
	if (strcmp(f[1], AUTH_SCHEME) != 0)
		return ("unknown hash scheme (want " AUTH_SCHEME ")");
	if (f[2][0] < '0' || f[2][0] > '9' || strlen(f[2]) > 9)
		return ("bad iteration count");
	errno = 0;
	iter = strtoul(f[2], &end, 10);
	if (*end != '\0' || errno != 0 || iter < 1 || iter > AUTH_ITER_MAX)
		return ("bad iteration count (1 to 10000000)");
	e->iter = (uint32_t)iter;
	n = auth_b64_decode(e->salt, sizeof e->salt, f[3], strlen(f[3]));
	if (n < AUTH_SALT_MIN)
		return ("bad salt (base64 of 8 to 64 bytes)");
	e->saltlen = (uint8_t)n;
	n = auth_b64_decode(e->hash, sizeof e->hash, f[4], strlen(f[4]));
	if (n != AUTH_HASH_LEN)
		return ("bad hash (base64 of 32 bytes)");
	if (nf == 6) {
		if (acct_limits_parse(f[5], &l, &cause) == -1) {
			snprintf(why, whylen, "limits: %s", cause);
			free(cause);
			return (why);
		}
		if (!acct_limits_none(&l)) {
			if ((e->limits = malloc(sizeof *e->limits)) == NULL)
				return ("out of memory");
			*e->limits = l;
		}
	}
	return (NULL);
}

/*
 * Take the line at *off: 1 with *sp its text trimmed in line (room for
 * AUTH_LINE_MAX + 1 bytes), 0 for a blank line or a comment, -1 with *why
 * when it cannot be one; *off moves past it unless -1.
 */
static int
auth_users_next(const char *buf, size_t len, size_t *off, char *line,
    char **sp, const char **why)
{
	const char	*nl;
	size_t		 o = *off, ll, i;
	char		*s, *e;

	nl = memchr(buf + o, '\n', len - o);
	ll = (nl != NULL ? (size_t)(nl - buf) : len) - o;
	if (memchr(buf + o, '\0', ll) != NULL) {
		*why = "NUL byte in line";
		return (-1);
	}
	for (i = o; i < o + ll && (buf[i] == ' ' ||
	    buf[i] == '\t' || buf[i] == '\r'); i++)
		;
	if (i == o + ll || buf[i] == '#') {
		*off = o + ll + (nl != NULL);
		return (0);	/* blank or a comment, however long */
	}
	if (ll > AUTH_LINE_MAX) {
		*why = "line too long";
		return (-1);
	}
	memcpy(line, buf + o, ll);
	line[ll] = '\0';
	*off = o + ll + (nl != NULL);
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\r'))
		*--e = '\0';
	if (*s == '\0' || *s == '#')
		return (0);
	*sp = s;
	return (1);
}

/* Double *cap and the room in *tab; -1 when out of memory. */
static int
auth_users_grow(struct auth_entry **tab, size_t *cap)
{
	struct auth_entry	*ntab;
	size_t			 ncap = *cap == 0 ? 16 : *cap * 2;

	/* *cap only grows with the table: the error path wipes *cap. */
	if ((ntab = reallocarray(*tab, ncap, sizeof **tab)) == NULL)
		return (-1);
	*tab = ntab;
	*cap = ncap;
	return (0);
}

/* Sort tab by name; -1 with *cause when a name is on two lines. */
static int
auth_users_sort(struct auth_table *t, struct auth_entry *tab, size_t n,
    const char *name, char **cause)
{
	size_t	 i;

	if (n > 1)
		qsort(tab, n, sizeof *tab, auth_entry_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(tab[i - 1].name, tab[i].name) == 0) {
			u_int a = tab[i - 1].line, b = tab[i].line;

			xasprintf(cause, "%s:%u: %s \"%s\" is already on "
			    "line %u", name, a > b ? a : b, t->what,
			    tab[i].name, a > b ? b : a);
			return (-1);
		}
	}
	return (0);
}

/* Free a table of n entries and their limits (tab may be NULL). */
static void
auth_users_free(struct auth_entry *tab, size_t n)
{
	size_t	 i;

	if (tab == NULL)
		return;
	for (i = 0; i < n; i++)
		free(tab[i].limits);
	explicit_bzero(tab, n * sizeof *tab);
	free(tab);
}

/* Make tab (n entries, now ours) the users table; drop the old one. */
static void
auth_users_install(struct auth_table *t, struct auth_entry *tab, size_t n)
{
	auth_users_free(t->tab, t->n);
	t->tab = tab;
	t->n = n;
	t->loaded = 1;
	auth_decoy_key_make(t);
	auth_cache_clear();
}

/* Parse buf (a users or an admins file) into t; see auth_users_parse(). */
static int
auth_table_parse(struct auth_table *t, const char *buf, size_t len,
    const char *name, char **cause)
{
	struct auth_entry	*tab = NULL;
	size_t			 n = 0, cap = 0, off = 0;
	u_int			 lineno = 0;
	const char		*why;
	char			 line[AUTH_LINE_MAX + 2], *s;
	char			 lwhy[AUTH_WHY_LEN];
	int			 k;

	while (off < len) {
		lineno++;
		k = auth_users_next(buf, len, &off, line, &s, &why);
		if (k == -1)
			goto bad;
		if (k == 0)
			continue;
		if (n == AUTH_USERS_MAX) {
			why = "too many users";
			goto bad;
		}
		if (n == cap && auth_users_grow(&tab, &cap) == -1) {
			why = "out of memory";
			goto bad;
		}
		memset(&tab[n], 0, sizeof tab[n]);
		tab[n].line = lineno;
		if ((why = auth_line_parse(t, s, &tab[n], lwhy,
		    sizeof lwhy)) != NULL) {
			n++;	/* its limits, if any, are freed below */
			goto bad;
		}
		n++;
	}
	if (auth_users_sort(t, tab, n, name, cause) == -1) {
		auth_users_free(tab, n);
		return (-1);
	}
	auth_users_install(t, tab, n);
	return (0);
bad:
	xasprintf(cause, "%s:%u: %s", name, lineno, why);
	auth_users_free(tab, n);
	return (-1);
}

/* see auth.h */
int
auth_users_parse(const char *buf, size_t len, const char *name,
    char **cause)
{
	return (auth_table_parse(&auth_users, buf, len, name, cause));
}

/* see auth.h */
int
auth_admins_parse(const char *buf, size_t len, const char *name,
    char **cause)
{
	return (auth_table_parse(&auth_admins, buf, len, name, cause));
}

/*
 * Load path into t, which keeps the path for reloads; path NULL: the last
 * one again (0 when there is none).
 */
static int
auth_table_load(struct auth_table *t, const char *path, char **cause)
{
	char		*buf, *copy;
	size_t		 got;
	mode_t		 mode;
	int		 rc;

	if (path == NULL && (path = t->path) == NULL)
		return (0);
	if (opt_file_read(path, path, AUTH_FILE_MAX, &buf, &got, &mode,
	    cause) == -1)
		return (-1);
	if (!S_ISREG(mode) || got > AUTH_FILE_MAX) {
		xasprintf(cause, "%s: not a regular file of at most %d bytes",
		    path, AUTH_FILE_MAX);
		explicit_bzero(buf, got);
		free(buf);
		return (-1);
	}
	rc = auth_table_parse(t, buf, got, path, cause);
	explicit_bzero(buf, got);
	free(buf);
	if (rc == 0 && path != t->path) {
		copy = xstrdup(path);
		free(t->path);
		t->path = copy;
	}
	return (rc);
}

/* see auth.h */
int
auth_users_load(const char *path, char **cause)
{
	return (auth_table_load(&auth_users, path, cause));
}

/* see auth.h */
int
auth_reload(char **cause)
{
	return (auth_table_load(&auth_users, NULL, cause));
}

/* see auth.h */
size_t
auth_users_count(void)
{
	return (auth_users.n);
}

/* see auth.h */
int
auth_admins_load(const char *path, char **cause)
{
	return (auth_table_load(&auth_admins, path, cause));
}

/* see auth.h */
int
auth_admins_reload(char **cause)
{
	return (auth_table_load(&auth_admins, NULL, cause));
}

/* see auth.h */
size_t
auth_admins_count(void)
{
	return (auth_admins.n);
}

/* see tentacle.h */
int
auth_allow_parse(const char *list, char **cause)
{
	struct auth_net	 nets[AUTH_ALLOW_MAX];
	size_t		 n = 0, len, i;
	const char	*p = list, *slash;
	char		 word[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	char		*end;
	unsigned long	 bits;
	u_int		 maxbits;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (len >= sizeof word) {
			xasprintf(cause, "\"%.*s...\": not an address or "
			    "ADDR/BITS", 20, p);
			return (-1);
		}
		memcpy(word, p, len);
		word[len] = '\0';
		p += len;
		if (n == AUTH_ALLOW_MAX) {
			xasprintf(cause, "more than %d networks",
			    AUTH_ALLOW_MAX);
			return (-1);
		}
		if ((slash = strchr(word, '/')) != NULL)
			len = (size_t)(slash - word);
		if (len >= sizeof addr)
			goto bad;
		memcpy(addr, word, len);
		addr[len] = '\0';
		memset(&nets[n], 0, sizeof nets[n]);
		if (inet_pton(AF_INET, addr, nets[n].addr) == 1) {
			nets[n].family = AF_INET;
			maxbits = 32;
		} else if (inet_pton(AF_INET6, addr, nets[n].addr) == 1) {
			nets[n].family = AF_INET6;
			maxbits = 128;
		} else
			goto bad;
		bits = maxbits;
		if (slash != NULL) {
			errno = 0;
			if (slash[1] < '0' || slash[1] > '9')
				goto bad;
			bits = strtoul(slash + 1, &end, 10);
			if (*end != '\0' || errno != 0 || bits > maxbits)
				goto bad;
		}
		nets[n].bits = (u_int)bits;
		/* Host bits past the prefix are ignored (192.168.1.7/24). */
		for (i = bits; i < maxbits; i++)
			nets[n].addr[i / 8] &= ~(0x80 >> (i % 8));
		n++;
	}
	memcpy(auth_allow, nets, n * sizeof *nets);
	auth_nallow = n;
	return (0);
bad:
	xasprintf(cause, "\"%s\": not an address or ADDR/BITS", word);
	return (-1);
}

/*
 * The address of sa as the limiter and the allow list see it: IPv4 (also
 * from an IPv4-mapped IPv6 address) or IPv6.  Returns 0 or -1 (not IP).
 */
static int
auth_sa_key(const struct sockaddr *sa, int *family, uint8_t *addr)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		sin = (const void *)sa;
		memcpy(addr, &sin->sin_addr, 4);
		*family = AF_INET;
		return (0);
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(addr, sin6->sin6_addr.s6_addr + 12, 4);
			*family = AF_INET;
		} else {
			memcpy(addr, sin6->sin6_addr.s6_addr, 16);
			*family = AF_INET6;
		}
		return (0);
	}
	return (-1);
}

static int
auth_allowed(const struct sockaddr *sa)
{
	uint8_t		 a[16];
	size_t		 i;
	u_int		 full, rest;
	int		 family;

	if (auth_sa_key(sa, &family, a) == -1)
		return (0);
	for (i = 0; i < auth_nallow; i++) {
		if (auth_allow[i].family != family)
			continue;
		full = auth_allow[i].bits / 8;
		rest = auth_allow[i].bits % 8;
		if (memcmp(a, auth_allow[i].addr, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ auth_allow[i].addr[full]) &
		    (0xff00 >> rest)) != 0)
			continue;
		return (1);
	}
	return (0);
}

/* see tentacle.h */
void
auth_open_proxy_set(int on)
{
	auth_open_proxy = on;
}

/* see tentacle.h */
int
auth_client_policy(const struct sockaddr *sa)
{
	static const uint8_t	 lo6[16] = { [15] = 1 };
	uint8_t			 a[16];
	int			 family;

	if (auth_allowed(sa))
		return (AUTH_OPEN);
	if (auth_users.loaded)
		return (AUTH_NEED);
	if (auth_open_proxy)
		return (AUTH_OPEN);
	if (auth_sa_key(sa, &family, a) == 0 && ((family == AF_INET &&
	    a[0] == 127) || (family == AF_INET6 && memcmp(a, lo6, 16) == 0)))
		return (AUTH_OPEN);
	return (AUTH_DENY);
}

/* SHA-256(secret, kind, name, NUL, password). */
static void
auth_cache_key(uint8_t *key, uint8_t kind, const char *name, const char *pass)
{
	br_sha256_context	 sc;

	auth_secret_init();
	br_sha256_init(&sc);
	br_sha256_update(&sc, auth_secret, sizeof auth_secret);
	br_sha256_update(&sc, &kind, 1);
	br_sha256_update(&sc, name, strlen(name) + 1);
	br_sha256_update(&sc, pass, strlen(pass));
	br_sha256_out(&sc, key);
	explicit_bzero(&sc, sizeof sc);
}

/* Look at every slot, so the time does not say which one matched. */
static int
auth_cache_find(const uint8_t *key)
{
	uint64_t	 now = auth_now();
	size_t		 i;
	int		 hit = 0;

	for (i = 0; i < AUTH_CACHE_SLOTS; i++) {
		if (auth_cache[i].expires != 0 && auth_cache[i].expires <= now)
			auth_cache[i].expires = 0;
		hit |= auth_ct_equal(auth_cache[i].key, key, 32) &
		    (auth_cache[i].expires != 0);
	}
	return (hit);
}

/* Take a free slot, else the one that expires first. */
static void
auth_cache_add(const uint8_t *key)
{
	size_t	 i, best = 0;

	for (i = 0; i < AUTH_CACHE_SLOTS; i++) {
		if (auth_cache[i].expires < auth_cache[best].expires)
			best = i;
		if (auth_cache[i].expires == 0)
			break;
	}
	memcpy(auth_cache[best].key, key, 32);
	auth_cache[best].expires = auth_now() + AUTH_CACHE_MS;
}

static void
auth_cache_clear(void)
{
	explicit_bzero(auth_cache, sizeof auth_cache);
}

/* see auth.h */
void
auth_hash_rate_set(u_int rate)
{
	auth_hash_rate = rate;
	memset(&auth_strangers, 0, sizeof auth_strangers);
	memset(&auth_reserve, 0, sizeof auth_reserve);	/* full at next use */
}

/* see auth.h */
void
auth_hash_unit_set(uint32_t iter)
{
	auth_hash_unit = iter != 0 ? iter : AUTH_ITER_DEFAULT;
	auth_hash_rate_set(auth_hash_rate);
}

/*
 * A keyed hash of sa's network (its first bits4 or bits6 bits) and name
 * (NULL: none) for the budget tables: the per-process secret keeps
 * clients from aiming at a bucket.  0 when sa is NULL or not IP.
 */
static uint64_t
auth_tag(uint8_t what, const struct sockaddr *sa, u_int bits4, u_int bits6,
    const char *name)
{
	br_sha256_context	 sc;
	uint8_t			 a[16], h[32], fam;
	uint64_t		 v = 0;
	u_int			 bits, i;
	int			 family;

	if (sa == NULL || auth_sa_key(sa, &family, a) == -1)
		return (0);
	bits = family == AF_INET ? bits4 : bits6;
	for (i = bits; i < 128; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
	fam = family == AF_INET ? 4 : 6;
	auth_secret_init();
	br_sha256_init(&sc);
	br_sha256_update(&sc, auth_secret, sizeof auth_secret);
	br_sha256_update(&sc, &what, 1);
	br_sha256_update(&sc, &fam, 1);
	br_sha256_update(&sc, a, sizeof a);
	if (name != NULL)
		br_sha256_update(&sc, name, strlen(name) + 1);
	br_sha256_out(&sc, h);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return (v | 1);
}

/*
 * The pair (name, sa's address: IPv4, IPv6 /64) if it logged in within
 * AUTH_TRUST_MS.  With add, the pair is (re)marked as logged in now, in a
 * free slot or the one that would expire first.  NULL without an address.
 */
static struct auth_trust *
auth_trust_get(uint8_t kind, const struct sockaddr *sa, const char *name,
    int add)
{
	struct auth_trust	*b, *victim;
	uint64_t		 tag, now = auth_now();
	size_t			 i;

	/* 't' for users (as before), 'T' for admins. */
	if ((tag = auth_tag(kind == 'a' ? 'T' : 't', sa, 32, 64, name)) == 0)
		return (NULL);
	b = &auth_trusts[(tag >> 32) % (AUTH_TRUST_SLOTS / AUTH_TRUST_WAYS) *
	    AUTH_TRUST_WAYS];
	victim = &b[0];
	for (i = 0; i < AUTH_TRUST_WAYS; i++) {
		if (b[i].expires != 0 && b[i].expires <= now)
			b[i].expires = 0;
		if (b[i].expires != 0 && b[i].tag == tag) {
			victim = &b[i];
			goto found;
		}
		if (b[i].expires < victim->expires)
			victim = &b[i];
	}
	if (!add)
		return (NULL);
	victim->tag = tag;
found:
	if (add)
		victim->expires = now + AUTH_TRUST_MS;
	return (victim);
}

/*
 * The share of sa's network (IPv4 /24, IPv6 /48; clients without an IP
 * address are one network): found, or else a free slot or the one least
 * in debt (a network whose debt is paid is as good as forgotten), reset.
 */
static struct auth_share *
auth_share_get(const struct sockaddr *sa)
{
	struct auth_share	*b, *victim;
	uint64_t		 tag;
	size_t			 i;

	if ((tag = auth_tag('s', sa, 24, 48, NULL)) == 0)
		tag = 1;
	b = &auth_shares[(tag >> 32) % (AUTH_SHARE_SLOTS / AUTH_SHARE_WAYS) *
	    AUTH_SHARE_WAYS];
	victim = &b[0];
	for (i = 0; i < AUTH_SHARE_WAYS; i++) {
		if (b[i].tat != 0 && b[i].tag == tag)
			return (&b[i]);
		if (b[i].tat < victim->tat)
			victim = &b[i];
	}
	victim->tag = tag;
	victim->tat = 0;
	return (victim);
}

/*
 * Refill b for the time since its last refill: rate iterations a second
 * are rate thousandths a millisecond, exactly; never above cap.
 */
static void
auth_bucket_fill(struct auth_bucket *b, uint64_t now, uint64_t rate,
    int64_t cap)
{
	uint64_t	 dt, need;

	dt = now > b->last ? now - b->last : 0;
	b->last = now;
	if (b->level >= cap || rate == 0)
		return;
	need = (uint64_t)(cap - b->level);
	if (dt >= need / rate + 1)
		b->level = cap;
	else
		b->level += (int64_t)(dt * rate);
	if (b->level > cap)
		b->level = cap;
}

/*
 * Take the cost of a hash of iter iterations for name from sa, or say no
 * (auth.h, AUTH_HASH_RATE).  A pair that logged in before pays from the
 * reserve while it lasts; anyone else from the strangers' bucket by the
 * standing of its network's share.  A hash that costs more than a bucket
 * holds needs a full bucket and leaves it in debt.  Returns 1 if it may
 * run.
 */
static int
auth_budget(uint8_t kind, const struct sockaddr *sa, const char *name,
    uint32_t iter)
{
	struct auth_share	*s;
	uint64_t		 now, rate, debt;
	int64_t			 cap, cost, over, room, thr;
	int			 ok;

	if (auth_hash_rate == 0)
		return (1);
	now = auth_now();
	rate = (uint64_t)auth_hash_rate * auth_hash_unit;
	cap = (int64_t)rate * 1000;
	cost = (int64_t)iter * 1000;
	auth_bucket_fill(&auth_strangers, now, rate, cap);
	auth_bucket_fill(&auth_reserve, now, rate / 2, cap / 2);
	if (auth_trust_get(kind, sa, name, 0) != NULL &&
	    auth_reserve.level >= (cost < cap / 2 ? cost : cap / 2)) {
		auth_reserve.level -= cost;
		auth_st.reserve++;
		return (1);
	}
	s = auth_share_get(sa);
	debt = s->tat > now ? s->tat - now : 0;
	if (debt == 0) {
		/* Within its share: down to the bottom of the bucket. */
		ok = auth_strangers.level >= (cost < cap ? cost : cap);
	} else {
		/*
		 * Past it: only what lies above half the bucket, and a unit
		 * higher for each unit past, up to one below full; so the
		 * network furthest past its share is the first refused.
		 */
		over = (int64_t)(debt * auth_hash_unit * 1000 / AUTH_SHARE_MS);
		room = cap - cap / 2 - (int64_t)auth_hash_unit * 1000;
		if (room < 0)
			room = 0;
		thr = cap / 2 + (over < room ? over : room);
		ok = auth_strangers.level - cost >= thr;
	}
	/*
	 * What a network asks for counts against its share, refused or
	 * not: else a flood from many networks, each refused in turn, would
	 * stay within its shares and keep the bucket empty.
	 */
	s->tat = (s->tat > now ? s->tat : now) +
	    (uint64_t)iter * AUTH_SHARE_MS / auth_hash_unit;
	if (s->tat > now + AUTH_SHARE_DEBT_MS)
		s->tat = now + AUTH_SHARE_DEBT_MS;
	if (ok)
		auth_strangers.level -= cost;
	return (ok);
}

/*
 * auth_check() for a client at sa (NULL: none).  Every check that misses
 * the cache does the same work for a known and an unknown name: the cache
 * is scanned whole, the decoy line is worked out, and the hash costs what
 * the user's line (or, unknown, the decoy line) costs.
 */
static int
auth_verify(struct auth_table *t, const struct sockaddr *sa,
    const char *username, const char *password, struct auth_user *out,
    const char **why)
{
	struct auth_user	 u;
	const struct auth_entry	*e, *d, *c;
	uint8_t			 key[32], h[AUTH_HASH_LEN];
	uint8_t			 salt[AUTH_SALT_MAX];
	uint32_t		 iter;
	int			 ok, hit;

	/* An admin name has no routing parameters: no '-'. */
	if (auth_user_parse(username, &u, why) == -1 ||
	    (t->kind == 'a' && u.params[0] != '\0')) {
		*why = t->kind == 'a' ? "bad admin name" : "bad user name";
		return (-1);
	}
	if (strlen(password) > AUTH_PASSWORD_MAX) {
		*why = "password too long";
		return (-1);
	}
	e = auth_find(t, u.name);
	auth_cache_key(key, t->kind, u.name, password);
	hit = auth_cache_find(key);
	if (e != NULL && hit) {
		/* Never budgeted: a logged-in user costs no hash. */
		auth_st.cache_hits++;
		auth_trust_get(t->kind, sa, u.name, 1);
		ok = 1;
		goto done;
	}
	d = auth_decoy(t, u.name, salt);
	c = e != NULL ? e : d;
	iter = c != NULL ? c->iter : AUTH_ITER_DEFAULT;
	if (!auth_budget(t->kind, sa, u.name, iter)) {
		/* Same answer as a wrong password; the log says why. */
		explicit_bzero(salt, sizeof salt);
		explicit_bzero(key, sizeof key);
		auth_st.limited++;
		*why = "the hub is checking too many passwords a second "
		    "(AUTH_HASH_RATE) and this network has had its share; "
		    "refused without checking";
		return (-1);
	}
	if (e != NULL)
		auth_pbkdf2_sha256(password, strlen(password), e->salt,
		    e->saltlen, iter, h, sizeof h);
	else
		auth_pbkdf2_sha256(password, strlen(password), salt,
		    d != NULL ? d->saltlen : AUTH_SALT_LEN, iter, h, sizeof h);
	/* An unknown name compares too, with the decoy's hash, and fails. */
	ok = auth_ct_equal(h, c != NULL ? c->hash : salt, sizeof h) &
	    (e != NULL);
	if (ok) {
		auth_cache_add(key);
		auth_trust_get(t->kind, sa, u.name, 1);
	}
done:
	explicit_bzero(h, sizeof h);
	explicit_bzero(salt, sizeof salt);
	explicit_bzero(key, sizeof key);
	if (!ok) {
		*why = e == NULL ? (t->kind == 'a' ? "unknown admin" :
		    "unknown user") : "wrong password";
		return (-1);
	}
	u.verified = 1;
	if (out != NULL)
		*out = u;
	*why = NULL;
	return (0);
}

/* see auth.h */
int
auth_check(const char *username, const char *password,
    struct auth_user *out, const char **why)
{
	return (auth_verify(&auth_users, NULL, username, password, out,
	    why));
}

/*
 * The limiter's slot for sa: found, or (when add) a free or the stalest
 * slot of its bucket, reset.  IPv6 clients count per /64.
 */
static struct auth_limit *
auth_limit_get(const struct sockaddr *sa, int add)
{
	br_sha256_context	 sc;
	struct auth_limit	*b, *victim;
	uint8_t			 a[16], h[32];
	uint64_t		 now = auth_now();
	size_t			 i, alen;
	int			 family;

	if (auth_sa_key(sa, &family, a) == -1)
		return (NULL);
	alen = family == AF_INET ? 4 : 8;
	memset(a + alen, 0, 16 - alen);
	auth_secret_init();
	br_sha256_init(&sc);
	br_sha256_update(&sc, auth_secret, sizeof auth_secret);
	br_sha256_update(&sc, a, 16);
	br_sha256_out(&sc, h);
	b = &auth_limits[(((size_t)h[0] << 8 | h[1]) %
	    (AUTH_LIMIT_SLOTS / AUTH_LIMIT_WAYS)) * AUTH_LIMIT_WAYS];
	victim = &b[0];
	for (i = 0; i < AUTH_LIMIT_WAYS; i++) {
		if (b[i].family != 0 && now - b[i].start >= AUTH_FAIL_WINDOW_MS)
			b[i].family = 0;	/* window over: forget */
		if (b[i].family == family && memcmp(b[i].addr, a, 16) == 0)
			return (&b[i]);
		if (b[i].family == 0)
			victim = &b[i];
		else if (victim->family != 0 && b[i].start < victim->start)
			victim = &b[i];
	}
	if (!add)
		return (NULL);
	memset(victim, 0, sizeof *victim);
	victim->family = (uint8_t)family;
	memcpy(victim->addr, a, 16);
	victim->start = now;
	return (victim);
}

/* see auth.h */
int
auth_limit_blocked(const struct sockaddr *sa)
{
	struct auth_limit	*l;

	if ((l = auth_limit_get(sa, 0)) == NULL)
		return (0);
	return (l->fails >= AUTH_FAIL_MAX);
}

/* see auth.h */
void
auth_limit_fail(const struct sockaddr *sa)
{
	struct auth_limit	*l;

	if ((l = auth_limit_get(sa, 1)) != NULL && l->fails < UINT16_MAX)
		l->fails++;
}

/* auth_login() against table t. */
static int
auth_table_login(struct auth_table *t, const struct sockaddr *sa,
    const char *username, const char *password, struct auth_user *out,
    const char **why)
{
	struct auth_limit	*l;

	if ((l = auth_limit_get(sa, 0)) != NULL &&
	    l->fails >= AUTH_FAIL_MAX) {
		auth_st.limited++;
		*why = "too many failed logins from this address; refused "
		    "without checking until the minute is over";
		if (l->logged)
			return (-2);
		l->logged = 1;
		return (-1);
	}
	if (auth_verify(t, sa, username, password, out, why) == 0)
		return (0);
	auth_limit_fail(sa);
	return (-1);
}

/* see auth.h */
int
auth_login(const struct sockaddr *sa, const char *username,
    const char *password, struct auth_user *out, const char **why)
{
	return (auth_table_login(&auth_users, sa, username, password, out,
	    why));
}

/* see auth.h */
int
auth_admin_login(const struct sockaddr *sa, const char *name,
    const char *password, const char **why)
{
	return (auth_table_login(&auth_admins, sa, name, password, NULL,
	    why));
}

/* see auth.h */
int
auth_line_make(char *out, size_t outlen, const char *name, const char *pass,
    uint32_t iter, char **cause)
{
	uint8_t	 salt[AUTH_SALT_LEN], h[AUTH_HASH_LEN];
	char	 s64[AUTH_SALT_LEN * 2], h64[AUTH_HASH_LEN * 2];
	int	 n;

	if (!auth_name_ok(name, strlen(name))) {
		xasprintf(cause, "bad user name \"%.*s\": want 1 to %d of "
		    "A-Z a-z 0-9 . _ ('-' starts routing parameters)",
		    AUTH_NAME_MAX, name, AUTH_NAME_MAX);
		return (-1);
	}
	if (iter < 1 || iter > AUTH_ITER_MAX) {
		xasprintf(cause, "iteration count %u: want 1 to %d", iter,
		    AUTH_ITER_MAX);
		return (-1);
	}
	if (*pass == '\0' || strlen(pass) > AUTH_PASSWORD_MAX) {
		xasprintf(cause, "the password must have 1 to %d bytes",
		    AUTH_PASSWORD_MAX);
		return (-1);
	}
	evutil_secure_rng_get_bytes(salt, sizeof salt);
	auth_pbkdf2_sha256(pass, strlen(pass), salt, sizeof salt, iter, h,
	    sizeof h);
	auth_b64_encode(s64, sizeof s64, salt, sizeof salt);
	auth_b64_encode(h64, sizeof h64, h, sizeof h);
	explicit_bzero(h, sizeof h);
	n = snprintf(out, outlen, "%s:%s:%u:%s:%s", name, AUTH_SCHEME, iter,
	    s64, h64);
	if (n < 0 || (size_t)n >= outlen) {
		xasprintf(cause, "no room for the line");
		return (-1);
	}
	return (0);
}

/* see auth.h */
int
auth_user_limits(const char *name, struct acct_limits *l)
{
	const struct auth_entry	*e;

	memset(l, 0, sizeof *l);
	if ((e = auth_find(&auth_users, name)) == NULL)
		return (-1);
	if (e->limits != NULL)
		*l = *e->limits;
	return (0);
}

/* see auth.h */
const char *
auth_user_name(size_t i)
{
	return (i < auth_users.n ? auth_users.tab[i].name : NULL);
}

/* The offset of the fifth ':' in line (len bytes), or -1 when none. */
static ssize_t
auth_line_fifth(const char *line, size_t len)
{
	size_t	 i;
	int	 colons = 0;

	for (i = 0; i < len; i++)
		if (line[i] == ':' && ++colons == 5)
			return ((ssize_t)i);
	return (-1);
}

/* see auth.h */
int
auth_line_get_limits(const char *line, size_t len, char *out, size_t outlen)
{
	ssize_t	 at;
	size_t	 n;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';
	if ((at = auth_line_fifth(line, len)) == -1)
		return (0);
	n = len - (size_t)at - 1;
	if (n >= outlen)
		return (-1);
	memcpy(out, line + at + 1, n);
	out[n] = '\0';
	return (0);
}

/* see auth.h */
int
auth_line_set_limits(char *out, size_t outlen, const char *line, size_t len,
    const char *limits, char **cause)
{
	ssize_t	 at;
	size_t	 keep;
	int	 n;

	if ((at = auth_line_fifth(line, len)) != -1)
		keep = (size_t)at;
	else {
		/* NAME:SCHEME:ITER:SALT:HASH has four. */
		keep = len;
		if (memchr(line, ':', len) == NULL) {
			xasprintf(cause, "not a users-file line");
			return (-1);
		}
	}
	n = snprintf(out, outlen, "%.*s%s%s", (int)keep, line,
	    *limits != '\0' ? ":" : "", limits);
	if (n < 0 || (size_t)n >= outlen) {
		xasprintf(cause, "no room for the line");
		return (-1);
	}
	return (0);
}

/* see auth.h */
void
auth_stats(struct auth_stats *st)
{
	*st = auth_st;
}

static void
auth_table_reset(struct auth_table *t)
{
	auth_users_free(t->tab, t->n);
	t->tab = NULL;
	t->n = 0;
	t->loaded = 0;
	free(t->path);
	t->path = NULL;
	auth_decoy_key_make(t);
}

/* see auth.h */
void
auth_reset(void)
{
	auth_table_reset(&auth_users);
	auth_table_reset(&auth_admins);
	auth_nallow = 0;
	auth_cache_clear();
	memset(auth_limits, 0, sizeof auth_limits);
	memset(auth_trusts, 0, sizeof auth_trusts);
	memset(auth_shares, 0, sizeof auth_shares);
	auth_hash_rate_set(auth_hash_rate);
	memset(&auth_st, 0, sizeof auth_st);
}
