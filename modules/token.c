/*
 * token.c: the hub's tokens file and the HMAC proofs nodes give with them
 * (see token.h).  A token never crosses the wire: the node sends its key
 * id and an HMAC over the hub's fresh nonce.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>
#include <event2/util.h>

#include "tentacle.h"
#include "token.h"
#include "opt.h"

#define TOKEN_FILE_MAX	(1024 * 1024)

int
token_valid(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len < TOKEN_MIN || len > TOKEN_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._~+/=-", c) != NULL))
			return (0);
	}
	return (1);
}

void
token_kid(const char *secret, uint8_t *kid)
{
	br_sha256_context	 sc;
	uint8_t			 out[32];

	br_sha256_init(&sc);
	br_sha256_update(&sc, "tentacle token id", 17);
	br_sha256_update(&sc, secret, strlen(secret));
	br_sha256_out(&sc, out);
	memcpy(kid, out, TOKEN_KID_LEN);
}

void
token_mac(const char *secret, const uint8_t *nonce, const char *name,
    uint8_t *mac)
{
	br_hmac_key_context	 kc;
	br_hmac_context		 hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, secret, strlen(secret));
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, "tentacle node auth v1", 22);	/* with NUL */
	br_hmac_update(&hc, nonce, TOKEN_NONCE_LEN);
	br_hmac_update(&hc, name, strlen(name));
	br_hmac_out(&hc, mac);
}

void
token_bind_proof(const uint8_t *cookie, size_t len, uint32_t req,
    uint8_t *proof)
{
	br_hmac_key_context	 kc;
	br_hmac_context		 hc;
	uint8_t			 r[4], out[32];

	r[0] = req >> 24;
	r[1] = req >> 16;
	r[2] = req >> 8;
	r[3] = req;
	br_hmac_key_init(&kc, &br_sha256_vtable, cookie, len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, "tentacle bind v1", 16);
	br_hmac_update(&hc, r, 4);
	br_hmac_out(&hc, out);
	memcpy(proof, out, TOKEN_PROOF_LEN);
}

int
token_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t	 d = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return (d == 0);
}

void
token_generate(char *out)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t	 raw[32];
	int	 i;

	evutil_secure_rng_get_bytes(raw, sizeof raw);
	/* 32 bytes -> 43 base64url characters, no padding. */
	for (i = 0; i < 43; i++) {
		int bit = i * 6, byte = bit / 8, off = bit % 8;
		u_int v = raw[byte] << 8 | (byte + 1 < 32 ? raw[byte + 1] : 0);

		out[i] = b64[(v >> (10 - off)) & 0x3f];
	}
	out[43] = '\0';
}

const struct token *
token_find(const struct token_set *ts, const uint8_t *kid)
{
	size_t	 i;

	for (i = 0; i < ts->ts_n; i++) {
		if (token_equal(ts->ts_v[i].t_kid, kid, TOKEN_KID_LEN))
			return (&ts->ts_v[i]);
	}
	return (NULL);
}

int
token_permits(const struct token *t, const char *name, char (*pools)[32],
    int npools, const char **why)
{
	int	 i, j, ok;

	if (t->t_name[0] != '\0' && fnmatch(t->t_name, name, 0) != 0) {
		*why = "this token does not allow that node name";
		return (-1);
	}
	if (t->t_npools == 0)
		return (0);
	for (i = 0; i < npools; i++) {
		ok = 0;
		for (j = 0; j < t->t_npools; j++) {
			if (strcmp(pools[i], t->t_pools[j]) == 0)
				ok = 1;
		}
		if (!ok) {
			*why = "this token does not allow one of the pools";
			return (-1);
		}
	}
	return (0);
}

int
token_refusal(const struct token *t, const char *name, char (*pools)[32],
    int npools, char *buf, size_t len)
{
	const char	*why;
	char		 allowed[TOKEN_POOLS_MAX * 33];
	int		 i, j, ok;

	if (token_permits(t, name, pools, npools, &why) == 0)
		return (0);
	if (t->t_name[0] != '\0' && fnmatch(t->t_name, name, 0) != 0) {
		snprintf(buf, len, "the node name \"%s\" is not allowed by "
		    "its token, which allows name=%s only (change the node's "
		    "-name / name:, or the token's name= on the hub)", name,
		    t->t_name);
		return (-1);
	}
	allowed[0] = '\0';
	for (j = 0; j < t->t_npools; j++) {
		if (j > 0)
			strlcat(allowed, ",", sizeof allowed);
		strlcat(allowed, t->t_pools[j], sizeof allowed);
	}
	for (i = 0; i < npools; i++) {
		for (ok = 0, j = 0; j < t->t_npools; j++)
			if (strcmp(pools[i], t->t_pools[j]) == 0)
				ok = 1;
		if (!ok)
			break;
	}
	snprintf(buf, len, "the pool \"%s\" is not allowed by its token, "
	    "which allows pools=%s only (change the node's pools, or the "
	    "token's pools= on the hub)", i < npools ? pools[i] : "?",
	    allowed);
	return (-1);
}

void
token_set_free(struct token_set *ts)
{
	size_t	 i;

	for (i = 0; i < ts->ts_n; i++) {
		explicit_bzero(ts->ts_v[i].t_secret,
		    strlen(ts->ts_v[i].t_secret));
		free(ts->ts_v[i].t_secret);
	}
	free(ts->ts_v);
	ts->ts_v = NULL;
	ts->ts_n = 0;
}

/* One "key=value" restriction on a token line. */
static int
token_option(struct token *t, char *opt, const char **why)
{
	char	*v, *p, *next;

	if (strncmp(opt, "name=", 5) == 0) {
		v = opt + 5;
		if (*v == '\0' || strlen(v) >= sizeof t->t_name) {
			*why = "name= needs a pattern of at most 63 bytes";
			return (-1);
		}
		strlcpy(t->t_name, v, sizeof t->t_name);
		return (0);
	}
	if (strncmp(opt, "pools=", 6) == 0) {
		for (p = opt + 6; p != NULL && *p != '\0'; p = next) {
			if ((next = strchr(p, ',')) != NULL)
				*next++ = '\0';
			if (*p == '\0' || strlen(p) >= sizeof t->t_pools[0] ||
			    t->t_npools == TOKEN_POOLS_MAX) {
				*why = "pools= needs up to 16 names of 1-31 "
				    "bytes, comma-separated";
				return (-1);
			}
			strlcpy(t->t_pools[t->t_npools++], p,
			    sizeof t->t_pools[0]);
		}
		if (t->t_npools == 0) {
			*why = "pools= is empty";
			return (-1);
		}
		return (0);
	}
	*why = "unknown option (known: name=PATTERN, pools=a,b)";
	return (-1);
}

/* see token.h */
int
token_set_parse(const char *buf, size_t len, const char *file,
    struct token_set *out, char **cause)
{
	struct token_set	 ts = { NULL, 0 };
	struct token		*t;
	char			 line[1024], *p, *word, *save;
	const char		*why = NULL, *s = buf, *end = buf + len, *nl;
	const char		*whym = NULL;
	size_t			 n, cap = 0, i;
	int			 lineno = 0;

	while (s < end) {
		lineno++;
		nl = memchr(s, '\n', end - s);
		n = (nl != NULL ? nl : end) - s;
		if (memchr(s, '\0', n) != NULL) {
			why = "NUL byte";
			goto bad;
		}
		if (n >= sizeof line) {
			why = "line too long";
			goto bad;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		s += n + (nl != NULL);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (ts.ts_n == cap) {
			cap = cap ? cap * 2 : 8;
			ts.ts_v = xreallocarray(ts.ts_v, cap, sizeof *ts.ts_v);
		}
		t = &ts.ts_v[ts.ts_n];
		memset(t, 0, sizeof *t);
		t->t_line = lineno;
		word = strtok_r(p, " \t", &save);
		if (!token_valid(word)) {
			why = "a token is 16-128 characters of A-Z a-z 0-9 "
			    ". _ ~ + / = - (make one with: tentacle token)";
			goto bad;
		}
		t->t_secret = xstrdup(word);
		token_kid(word, t->t_kid);
		ts.ts_n++;
		for (i = 0; i + 1 < ts.ts_n; i++) {
			if (token_equal(ts.ts_v[i].t_kid, t->t_kid,
			    TOKEN_KID_LEN)) {
				why = "the same token is on an earlier line";
				goto bad;
			}
		}
		while ((word = strtok_r(NULL, " \t", &save)) != NULL) {
			if (word[0] == '#')
				break;
			if (token_option(t, word, &whym) == -1) {
				why = whym;
				goto bad;
			}
		}
	}
	*out = ts;
	return (0);
bad:
	xasprintf(cause, "%s:%d: %s", file, lineno, why);
	explicit_bzero(line, sizeof line);
	token_set_free(&ts);
	return (-1);
}

int
token_set_load(const char *path, struct token_set *out, char **cause)
{
	char		*buf;
	size_t		 off;
	mode_t		 mode;
	int		 rc;

	if (opt_file_read(path, path, TOKEN_FILE_MAX, &buf, &off, &mode,
	    cause) == -1)
		return (-1);
	if (off > TOKEN_FILE_MAX) {
		xasprintf(cause, "%s: larger than 1 MiB", path);
		explicit_bzero(buf, off);
		free(buf);
		return (-1);
	}
	if (mode & (S_IROTH | S_IWOTH))
		log_warnx("%s is readable by other users; chmod 600 it",
		    path);
	rc = token_set_parse(buf, off, path, out, cause);
	explicit_bzero(buf, off);
	free(buf);
	return (rc);
}

static void
token_usage(FILE *fp, struct opt *opts)
{
	fprintf(fp, "usage: tentacle token [-o FILE]\n\nPrint a new random "
	    "node token (256 bits, base64url).  Put it in the hub's\n-tokens "
	    "file (optionally followed by name=PATTERN pools=a,b) and in the"
	    "\nnode's auth_token.  -o FILE also adds it to FILE as a line of "
	    "its own: a new\nFILE is made with mode 0600, an existing one "
	    "keeps its mode (never widened).\n\nFlags:\n");
	opt_usage(fp, opts);
}

/*
 * Append tok as a line to path: created 0600, an existing file appended
 * to as it is (a newline first if its last line has none).  0, or -1
 * after saying why on stderr.
 */
static int
token_file_add(const char *path, const char *tok)
{
	struct stat	 st;
	char		 line[TOKEN_MAX + 3], last;
	int		 fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND,
	    0600)) == -1 || fstat(fd, &st) == -1) {
		fprintf(stderr, "tentacle token: %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "tentacle token: %s: not a regular file\n",
		    path);
		close(fd);
		return (-1);
	}
	last = '\n';
	if (st.st_size > 0) {
		int	 rfd;

		if ((rfd = open(path, O_RDONLY)) == -1 ||
		    lseek(rfd, st.st_size - 1, SEEK_SET) == -1 ||
		    read(rfd, &last, 1) != 1)
			last = '\n';
		if (rfd != -1)
			close(rfd);
	}
	n = snprintf(line, sizeof line, "%s%s\n", last != '\n' ? "\n" : "",
	    tok);
	if (write(fd, line, n) != n || fsync(fd) == -1) {
		fprintf(stderr, "tentacle token: %s: %s\n", path,
		    strerror(errno));
		explicit_bzero(line, sizeof line);
		close(fd);
		return (-1);
	}
	explicit_bzero(line, sizeof line);
	close(fd);
	fprintf(stderr, "tentacle token: added a token to %s (mode %04o); "
	    "send the hub SIGHUP to reload it\n", path,
	    (unsigned)(st.st_mode & 07777));
	if (st.st_mode & (S_IROTH | S_IWOTH))
		fprintf(stderr, "tentacle token: warning: every user may read "
		    "%s: chmod 600 %s (or 640, group the hub's)\n", path,
		    path);
	return (0);
}

/* `tentacle token [-o FILE]`: print a new random node token. */
int
token_main(int argc, char **argv)
{
	const char	*out = NULL;
	char		 tok[64], *cause = NULL;
	int		 ind = 1, rc;
	struct opt	 opts[] = {
		{ "o", OPT_STRING, &out, "Also add the token to FILE (the "
		    "hub's -tokens file; a new one gets mode 0600)", NULL, 0,
		    0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		token_usage(stdout, opts);
		return (0);
	}
	if (rc == -1 || ind < argc) {
		fprintf(stderr, "tentacle token: %s\n", rc == -1 ? cause :
		    "unexpected argument");
		free(cause);
		token_usage(stderr, opts);
		return (2);
	}
	token_generate(tok);
	if (out != NULL && token_file_add(out, tok) == -1) {
		explicit_bzero(tok, sizeof tok);
		return (1);
	}
	printf("%s\n", tok);
	explicit_bzero(tok, sizeof tok);
	return (0);
}
