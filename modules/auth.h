/*
 * auth.h: proxy users (doc/users.md).  The users file and its PBKDF2 hashes,
 * the client-address policy (-allow, loopback, -open-proxy), login checks
 * with a cache of recent successes, and a per-address limiter of failed
 * logins.  No sockets and no event loop: the fronts hand it what the client
 * sent.
 */
#ifndef AUTH_H
#define AUTH_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "acct.h"


/*
 * The policy for
 * a proxy client's address: AUTH_OPEN serves it without credentials (in -allow; or
 * no users file and loopback or -open-proxy), AUTH_NEED asks for them (a
 * users file is loaded), AUTH_DENY refuses it.
 */
#define AUTH_DENY	0
#define AUTH_OPEN	1
#define AUTH_NEED	2
/* Load the users file, replacing the table; on error the old one stays. */
int		 auth_users_load(const char *path, char **cause);
/* Re-read the last loaded file (SIGHUP); 0 when none was loaded. */
int		 auth_reload(char **cause);
size_t		 auth_users_count(void);
/* "10.0.0.0/8, 192.168.1.7, fd00::/8": replaces the allow list. */
int		 auth_allow_parse(const char *list, char **cause);
int		 auth_client_policy(const struct sockaddr *);
/* -open-proxy: without a users file, serve non-loopback clients too. */
void		 auth_open_proxy_set(int);

#define AUTH_NAME_MAX		64	/* base user name, [A-Za-z0-9._]+ */
#define AUTH_USERNAME_MAX	255	/* name plus "-params" as sent */
#define AUTH_PASSWORD_MAX	255
#define AUTH_HASH_LEN		32	/* PBKDF2 output kept in the file */
#define AUTH_SALT_LEN		16	/* salt `tentacle passwd` makes */
#define AUTH_SALT_MIN		8	/* salts accepted in the file */
#define AUTH_SALT_MAX		64
/* ~5 ms per verification on a 2020s x86 core (doc/users.md). */
#define AUTH_ITER_DEFAULT	10000
#define AUTH_ITER_MAX		10000000
#define AUTH_USERS_MAX		65536
#define AUTH_FILE_MAX		(16 * 1024 * 1024)
#define AUTH_ALLOW_MAX		256	/* -allow entries */
#define AUTH_SCHEME		"pbkdf2-sha256"
/*
 * Longest users-file line: name, scheme, iterations, base64 salt, hash,
 * and the optional limits (acct.h) after a sixth ':'.
 */
#define AUTH_LINE_MAX		(AUTH_NAME_MAX + 16 + 12 + 4 * \
				    (AUTH_SALT_MAX / 3 + 1) + 48 + 8 + \
				    1 + ACCT_LIMITS_LEN)
/* A refusal of a line's limits: "limits: " and acct.h's cause. */
#define AUTH_WHY_LEN		256

/* Failed logins: AUTH_FAIL_MAX per address within the window, then no more. */
#define AUTH_FAIL_MAX		10
#define AUTH_FAIL_WINDOW_MS	60000
#define AUTH_LIMIT_SLOTS	4096	/* addresses tracked (4-way buckets) */
/* Successful (user, password) pairs remembered, and for how long. */
#define AUTH_CACHE_SLOTS	256
#define AUTH_CACHE_MS		300000
/*
 * The password-hash budget (doc/users.md, "Hash budget").  PBKDF2 runs on
 * the event loop, so the hub caps the hashing that logins can make it do.
 * Costs are counted in units of one default hash (AUTH_ITER_DEFAULT
 * iterations, about 4.4 ms): a line with ten times the iterations costs
 * ten units.  Cache hits cost nothing.
 *
 * Strangers share AUTH_HASH_RATE units a second (a bucket of as many).
 * Each client network (IPv4 /24, IPv6 /48) has a share of it: one unit per
 * AUTH_SHARE_MS.  Within its share a login may empty the bucket; past it,
 * only what lies above half the bucket, and the further past, the fuller
 * the bucket must be.  (user, address) pairs that logged in within
 * AUTH_TRUST_MS draw on a reserve of their own, half the rate, that
 * strangers never touch.  Worst case: 1.5 x AUTH_HASH_RATE units a second
 * (33 % of one core), strangers alone AUTH_HASH_RATE (22 %).
 */
#define AUTH_HASH_RATE		50
#define AUTH_SHARE_MS		30000
#define AUTH_SHARE_DEBT_MS	600000	/* a network's debt is capped */
#define AUTH_SHARE_SLOTS	2048	/* networks tracked (4-way buckets) */
#define AUTH_TRUST_MS		(24 * 3600 * 1000)
#define AUTH_TRUST_SLOTS	2048	/* pairs remembered (4-way buckets) */

/* A proxy user as the fronts keep it for the connection. */
struct auth_user {
	char		 name[AUTH_NAME_MAX + 1];	/* base name */
	/* After the first '-', verbatim ("pool-x-session-y"); "" if none. */
	char		 params[AUTH_USERNAME_MAX + 1];
	int		 verified;	/* password checked (not open mode) */
};

/* Where a login stands, for the tests. */
struct auth_stats {
	uint64_t	 pbkdf2;	/* password hashes computed */
	uint64_t	 iterations;	/* PBKDF2 iterations in them */
	uint64_t	 cache_hits;
	uint64_t	 reserve;	/* hashes paid from the reserve */
	uint64_t	 limited;	/* refused by the limiter or budget */
};

/* RFC 8018 PBKDF2 with HMAC-SHA256; any outlen. */
void		 auth_pbkdf2_sha256(const void *pass, size_t passlen,
		    const void *salt, size_t saltlen, uint32_t iter,
		    uint8_t *out, size_t outlen);
/*
 * Base64 (RFC 4648, standard alphabet, '=' padding).  Encode returns the
 * length written (NUL-terminated), 0 when out is too small.  Decode takes
 * padded or unpadded input, no whitespace; returns the byte count or -1 on
 * a bad character, bad length, non-zero pad bits or no room.
 */
size_t		 auth_b64_encode(char *out, size_t outlen, const void *,
		    size_t);
ssize_t		 auth_b64_decode(uint8_t *out, size_t outlen, const char *,
		    size_t);

/*
 * Split "alice-pool-x-session-y" at the first '-' into out->name and
 * out->params and check them: name [A-Za-z0-9._]{1,64}, the whole
 * [A-Za-z0-9._-]{1,255}.  Returns 0, or -1 with *why (static text).
 */
int		 auth_user_parse(const char *username, struct auth_user *out,
		    const char **why);
/*
 * Replace the users table with the lines in buf (name is the file name
 * used in errors: "NAME:LINE: why").  On error the old table stays and
 * *cause is set (allocated).  Clears the login cache.
 */
int		 auth_users_parse(const char *buf, size_t len, const char *name,
		    char **cause);
/*
 * A users-file line for name and pass (no newline) with a fresh random
 * salt, into out (AUTH_LINE_MAX).  Returns 0, or -1 with *cause for a bad
 * name or iteration count.
 */
int		 auth_line_make(char *out, size_t outlen, const char *name,
		    const char *pass, uint32_t iter, char **cause);

/*
 * The limits of the line for name (a base name) as the table holds them
 * now, into *l (zeroed: no limits).  Returns 0, or -1 when name has no
 * line (*l zeroed).
 */
int		 auth_user_limits(const char *name, struct acct_limits *l);
/* The name of the i-th user (by name), or NULL past the last. */
const char	*auth_user_name(size_t i);
/*
 * The sixth field (the limits text) of a users-file line of len bytes
 * (no newline), into out (outlen bytes with the NUL; "" when the line has
 * none).  Returns 0, or -1 when it does not fit.
 */
int		 auth_line_get_limits(const char *line, size_t len, char *out,
		    size_t outlen);
/*
 * line (len bytes, no newline) with its sixth field replaced by limits
 * (a canonical limits text; "" leaves the field out), into out (outlen
 * bytes, AUTH_LINE_MAX + 1 is enough).  Returns 0, or -1 with *cause
 * when line has fewer than five fields or out is too small.
 */
int		 auth_line_set_limits(char *out, size_t outlen,
		    const char *line, size_t len, const char *limits,
		    char **cause);

/*
 * Check username (base name and routing parameters) and password against
 * the users table, in time that does not depend on whether the user
 * exists: an unknown name costs what one of the real lines costs (the
 * same line every time).  Returns 0 with *out filled (out may be NULL), or
 * -1 with *why: "bad user name", "unknown user", "wrong password" or a
 * budget refusal (for the log only: the peer must get the same answer for
 * all).  Without an address it is budgeted as one anonymous network.
 */
int		 auth_check(const char *username, const char *password,
		    struct auth_user *out, const char **why);
/*
 * auth_check() for a client at sa, through the failed-login limiter, with
 * the hash budget of sa's network and of (user, sa) pairs.  Returns 0
 * (logged in), -1 (failed: log *why), or -2 (refused by the limiter
 * without checking; *why says so; already logged once in this window: do
 * not log again).
 */
int		 auth_login(const struct sockaddr *sa, const char *username,
		    const char *password, struct auth_user *out,
		    const char **why);
/*
 * The hub's admin accounts (-admins FILE, doc/admin.md): lines as in the
 * users file, without the limits field.  Load replaces the table (on
 * error the old one stays); reload re-reads the last loaded file (0 when
 * none).  auth_admin_login() is auth_login() against them: the same
 * limiter, hash budget and cache (kept apart from users'), with *why
 * "unknown admin" among the failures.
 */
int		 auth_admins_load(const char *path, char **cause);
int		 auth_admins_parse(const char *buf, size_t len, const char *name,
		    char **cause);
int		 auth_admins_reload(char **cause);
size_t		 auth_admins_count(void);
int		 auth_admin_login(const struct sockaddr *sa, const char *name,
		    const char *password, const char **why);
/* The limiter alone: is sa blocked; count one failure for sa. */
int		 auth_limit_blocked(const struct sockaddr *sa);
void		 auth_limit_fail(const struct sockaddr *sa);

void		 auth_stats(struct auth_stats *);
/* Tests: a clock in milliseconds (NULL: the monotonic clock). */
void		 auth_clock_set(uint64_t (*)(void));
/* Tests: budget units a second for strangers (0: no budget), refilled. */
void		 auth_hash_rate_set(u_int);
/* Tests: iterations in one budget unit (0: AUTH_ITER_DEFAULT). */
void		 auth_hash_unit_set(uint32_t);
/* Forget users, allow list, cache, limiter and budget; free everything. */
void		 auth_reset(void);

#endif /* AUTH_H */
