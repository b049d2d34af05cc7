/*
 * t/unit/token.c: unit tests for modules/token.c, node authentication:
 * the token charset and bounds, the key id, the AUTH MAC and the BIND
 * proof against vectors computed with openssl, the tokens file (comments,
 * name=, pools=, every error with its file:line), token_find,
 * token_permits and token_generate.  Buffers handed to the parser are
 * heap blocks of exactly their length, so the ASan build catches a read
 * past the end.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tentacle.h"
#include "token.h"
#include "tap.h"

#define TOK_A	"abcdefghijklmnop0123456789-_ABCD"	/* 32 characters */
#define TOK_B	"BBBBBBBBBBBBBBBB.~+/=-bbbbbbbbbb"
#define TOK_C	"cccccccccccccccc"			/* 16: the minimum */

static void
hex(uint8_t *out, const char *s)
{
	unsigned int	 b;

	while (*s != '\0') {
		sscanf(s, "%2x", &b);
		*out++ = (uint8_t)b;
		s += 2;
	}
}

static char *
repeat(int c, size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return (s);
}

/* token_set_parse on an exact-size heap copy of len bytes of text. */
static int
parse(const char *text, size_t len, struct token_set *ts, char **cause)
{
	char	*buf = malloc(len ? len : 1);
	int	 rc;

	memcpy(buf, text, len);
	*cause = NULL;
	rc = token_set_parse(buf, len, "tokens.txt", ts, cause);
	free(buf);
	return (rc);
}

static int
parse_str(const char *text, struct token_set *ts, char **cause)
{
	return (parse(text, strlen(text), ts, cause));
}

/* The file must be refused with exactly this "file:line: why" prefix. */
static void
check_error(const char *text, size_t len, const char *want)
{
	struct token_set	 ts = { (struct token *)&ts, 4242 };
	char			*cause;

	check_int(parse(text, len, &ts, &cause), ==, -1);
	check(cause != NULL);
	if (cause != NULL && strncmp(cause, want, strlen(want)) != 0) {
		check_str(cause, want);
	}
	/* A refused file leaves the caller's set alone. */
	check(ts.ts_v == (struct token *)&ts);
	check_int(ts.ts_n, ==, 4242);
	free(cause);
}

/* A file check_error must see refused, and the cause's prefix. */
struct ecase {
	const char	*text;
	size_t		 len;
	const char	*want;
};

/* A literal, embedded NULs and all. */
#define ECASE(lit, want)	{ lit, sizeof(lit) - 1, want }

static void
test_valid(void)
{
	static const struct {
		const char	*token;
		int		 valid;
	} tokens[] = {
		{ TOK_A, 1 },
		{ TOK_B, 1 },
		{ TOK_C, 1 },
		{ "", 0 },
		{ "ccccccccccccccc", 0 },	/* 15 */
		{ "aaaaaaaa aaaaaaaa", 0 },
		{ "aaaaaaaaaaaaaaaa\n", 0 },
		{ "aaaaaaaaaaaaaaaa#", 0 },
		{ "aaaaaaaa\xc3\xa9" "aaaaaaaa", 0 },
	};
	char	*s;
	char	 buf[16];
	int	 c;
	size_t	 i;

	for (i = 0; i < nitems(tokens); i++) {
		test_case_mem("token", tokens[i].token,
		    strlen(tokens[i].token));
		check_int(token_valid(tokens[i].token), ==, tokens[i].valid);
	}
	test_case_end();
	s = repeat('x', 128);
	check_int(token_valid(s), ==, 1);
	free(s);
	s = repeat('x', 129);
	check_int(token_valid(s), ==, 0);
	free(s);
	/* Every byte outside A-Z a-z 0-9 . _ ~ + / = - is refused. */
	for (c = 1; c < 256; c++) {
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != 0 &&
		    strchr("._~+/=-", c) != NULL);

		s = repeat('a', 20);
		s[7] = (char)c;
		if (token_valid(s) != ok) {
			snprintf(buf, sizeof buf, "%d", c);
			check_str(buf, "a byte token_valid got wrong");
		}
		free(s);
	}
}

static void
test_vectors(void)
{
	uint8_t	 kid[TOKEN_KID_LEN], mac[TOKEN_MAC_LEN], proof[TOKEN_PROOF_LEN];
	uint8_t	 nonce[TOKEN_NONCE_LEN], cookie[16], want[32];
	int	 i;

	for (i = 0; i < TOKEN_NONCE_LEN; i++)
		nonce[i] = (uint8_t)i;
	for (i = 0; i < 16; i++)
		cookie[i] = (uint8_t)i;

	/*
	 * printf 'tentacle token id%s' abcdefghijklmnop0123456789-_ABCD |
	 *     openssl dgst -sha256
	 */
	token_kid(TOK_A, kid);
	hex(want, "ce0ff4d66ec844ac");
	check_mem(kid, want, TOKEN_KID_LEN);

	/*
	 * printf 'tentacle node auth v1\000\000\001\002...\037node1' |
	 *     openssl dgst -sha256 -hmac abcdefghijklmnop0123456789-_ABCD
	 * (the NUL after "v1", then the nonce bytes 0..31, then the name)
	 */
	token_mac(TOK_A, nonce, "node1", mac);
	hex(want, "105b7efd6887c746fe26ca96032237bc"
	    "d9801da4e175df4d5f34422d8b5f1c2d");
	check_mem(mac, want, TOKEN_MAC_LEN);

	/*
	 * printf 'tentacle bind v1\000\000\060\071' | openssl dgst -sha256 \
	 *     -mac HMAC -macopt hexkey:000102030405060708090a0b0c0d0e0f
	 * (request 12345 = 0x00003039, big-endian; the first 16 bytes)
	 */
	token_bind_proof(cookie, sizeof cookie, 12345, proof);
	hex(want, "85c0871007f75b4717bc4b84e63f331b");
	check_mem(proof, want, TOKEN_PROOF_LEN);
}

/* Deterministic, and a change in any input changes the output. */
static void
test_differ(void)
{
	uint8_t	 a[32], b[32], nonce[TOKEN_NONCE_LEN], n2[TOKEN_NONCE_LEN];
	uint8_t	 cookie[16], c2[16];
	int	 i;

	memset(nonce, 7, sizeof nonce);
	memset(cookie, 9, sizeof cookie);

	token_kid(TOK_A, a);
	token_kid(TOK_A, b);
	check_mem(a, b, TOKEN_KID_LEN);
	token_kid(TOK_B, b);
	check(memcmp(a, b, TOKEN_KID_LEN) != 0);
	token_kid(TOK_A "x", b);
	check(memcmp(a, b, TOKEN_KID_LEN) != 0);

	token_mac(TOK_A, nonce, "n1", a);
	token_mac(TOK_A, nonce, "n1", b);
	check_mem(a, b, TOKEN_MAC_LEN);
	token_mac(TOK_B, nonce, "n1", b);
	check(memcmp(a, b, TOKEN_MAC_LEN) != 0);
	token_mac(TOK_A, nonce, "n2", b);
	check(memcmp(a, b, TOKEN_MAC_LEN) != 0);
	token_mac(TOK_A, nonce, "n1x", b);
	check(memcmp(a, b, TOKEN_MAC_LEN) != 0);
	token_mac(TOK_A, nonce, "", b);
	check(memcmp(a, b, TOKEN_MAC_LEN) != 0);
	/* Every nonce byte counts, the last one too. */
	for (i = 0; i < TOKEN_NONCE_LEN; i++) {
		memcpy(n2, nonce, sizeof n2);
		n2[i] ^= 1;
		token_mac(TOK_A, n2, "n1", b);
		check(memcmp(a, b, TOKEN_MAC_LEN) != 0);
	}

	token_bind_proof(cookie, sizeof cookie, 1, a);
	token_bind_proof(cookie, sizeof cookie, 1, b);
	check_mem(a, b, TOKEN_PROOF_LEN);
	token_bind_proof(cookie, sizeof cookie, 2, b);
	check(memcmp(a, b, TOKEN_PROOF_LEN) != 0);
	token_bind_proof(cookie, sizeof cookie, 1 | 0x01000000, b);
	check(memcmp(a, b, TOKEN_PROOF_LEN) != 0);
	for (i = 0; i < 16; i++) {
		memcpy(c2, cookie, sizeof c2);
		c2[i] ^= 0x80;
		token_bind_proof(c2, sizeof c2, 1, b);
		check(memcmp(a, b, TOKEN_PROOF_LEN) != 0);
	}
	token_bind_proof(cookie, 15, 1, b);
	check(memcmp(a, b, TOKEN_PROOF_LEN) != 0);

	memset(a, 1, 32);
	memset(b, 1, 32);
	check_int(token_equal(a, b, 32), ==, 1);
	check_int(token_equal(a, b, 0), ==, 1);
	b[31] = 2;
	check_int(token_equal(a, b, 32), ==, 0);
	check_int(token_equal(a, b, 31), ==, 1);
	b[31] = 1;
	b[0] = 0;
	check_int(token_equal(a, b, 32), ==, 0);
}

static void
test_parse(void)
{
	struct token_set	 ts;
	char			*cause;
	uint8_t			 kid[TOKEN_KID_LEN];

	/* Empty files and comment-only files hold no tokens. */
	check_int(parse("", 0, &ts, &cause), ==, 0);
	check_int(ts.ts_n, ==, 0);
	token_set_free(&ts);
	check_int(parse_str("# nothing\n\n   \n\t# indented\r\n", &ts,
	    &cause), ==, 0);
	check_int(ts.ts_n, ==, 0);
	token_set_free(&ts);

	check_int(parse_str(
	    "# hub tokens\n"
	    "\n"
	    TOK_A "\n"
	    "  " TOK_B "\tname=web-*   pools=eu,us # the web fleet\r\n"
	    "# " TOK_C " is commented out\n"
	    TOK_C " pools=x name=db[0-9]", &ts, &cause), ==, 0);
	check(cause == NULL);
	check_int(ts.ts_n, ==, 3);
	if (ts.ts_n == 3) {
		check_str(ts.ts_v[0].t_secret, TOK_A);
		check_int(ts.ts_v[0].t_line, ==, 3);
		check_str(ts.ts_v[0].t_name, "");
		check_int(ts.ts_v[0].t_npools, ==, 0);
		token_kid(TOK_A, kid);
		check_mem(ts.ts_v[0].t_kid, kid, TOKEN_KID_LEN);

		check_str(ts.ts_v[1].t_secret, TOK_B);
		check_int(ts.ts_v[1].t_line, ==, 4);
		check_str(ts.ts_v[1].t_name, "web-*");
		check_int(ts.ts_v[1].t_npools, ==, 2);
		check_str(ts.ts_v[1].t_pools[0], "eu");
		check_str(ts.ts_v[1].t_pools[1], "us");

		check_str(ts.ts_v[2].t_secret, TOK_C);
		check_int(ts.ts_v[2].t_line, ==, 6);
		check_str(ts.ts_v[2].t_name, "db[0-9]");
		check_int(ts.ts_v[2].t_npools, ==, 1);
		check_str(ts.ts_v[2].t_pools[0], "x");
	}
	token_set_free(&ts);
	check(ts.ts_v == NULL);
	check_int(ts.ts_n, ==, 0);
	token_set_free(&ts);		/* twice is harmless */

	/* 16 pools are allowed, and names of 31 and 63 bytes. */
	check_int(parse_str(TOK_A " pools=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,"
	    "ppppppppppppppppppppppppppppppp name=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n", &ts, &cause), ==, 0);
	check_int(ts.ts_n, ==, 1);
	if (ts.ts_n == 1) {
		check_int(ts.ts_v[0].t_npools, ==, 16);
		check_int(strlen(ts.ts_v[0].t_pools[15]), ==, 31);
		check_int(strlen(ts.ts_v[0].t_name), ==, 63);
	}
	token_set_free(&ts);
}

static void
test_parse_errors(void)
{
	static const struct ecase	 errors[] = {
		ECASE("ccccccccccccccc\n",
		    "tokens.txt:1: a token is 16-128 characters"),
		ECASE("# ok\n" TOK_A "\nshort name=x\n",
		    "tokens.txt:3: a token is 16-128 characters"),
		ECASE(TOK_A "!\n", "tokens.txt:1: a token is 16-128"),
		ECASE("\n\n" TOK_A " foo=bar\n",
		    "tokens.txt:3: unknown option"),
		ECASE(TOK_A " name\n", "tokens.txt:1: unknown option"),
		ECASE(TOK_A " name=\n", "tokens.txt:1: name= needs"),
		ECASE(TOK_A " pools=\n", "tokens.txt:1: pools="),
		ECASE(TOK_A " pools=a,,b\n", "tokens.txt:1: pools="),
		ECASE(TOK_A " pools=,a\n", "tokens.txt:1: pools="),
		ECASE(TOK_A " pools=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
		    "tokens.txt:1: pools="),
		ECASE(TOK_A " pools=pppppppppppppppppppppppppppppppp\n",
		    "tokens.txt:1: pools="),
		ECASE(TOK_A " name=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		    "nnnnnnnnnnnnnnnnnnnnn\n", "tokens.txt:1: name= needs"),
		ECASE(TOK_A "\n" TOK_B "\n" TOK_A " name=x\n",
		    "tokens.txt:3: the same token is on an earlier line"),
		ECASE(TOK_A "\n" TOK_B "\0\n", "tokens.txt:2: NUL byte"),
		ECASE("# a comment with a \0 in it\n",
		    "tokens.txt:1: NUL byte"),
		ECASE("\0", "tokens.txt:1: NUL byte"),
	};
	char	*s, *line;
	size_t	 i;

	for (i = 0; i < nitems(errors); i++) {
		test_case_mem("tokens file", errors[i].text, errors[i].len);
		check_error(errors[i].text, errors[i].len, errors[i].want);
	}
	test_case_end();

	/* Lines up to 1023 bytes are read; 1024 is too long. */
	line = malloc(1100);
	s = repeat(' ', 1023 - strlen(TOK_A));
	snprintf(line, 1100, "%s%s\n", TOK_A, s);
	free(s);
	{
		struct token_set	 ts;
		char			*cause;

		check_int(parse_str(line, &ts, &cause), ==, 0);
		check_int(ts.ts_n, ==, 1);
		token_set_free(&ts);
	}
	s = repeat(' ', 1024 - strlen(TOK_A));
	snprintf(line, 1100, "%s\n%s%s\n", TOK_B, TOK_A, s);
	free(s);
	check_error(line, strlen(line), "tokens.txt:2: line too long");
	/* Without a final newline too. */
	check_error(line, strlen(line) - 1, "tokens.txt:2: line too long");
	free(line);
	s = repeat('a', 129);
	check_error(s, 129, "tokens.txt:1: a token is 16-128");
	free(s);
}

static void
test_find(void)
{
	struct token_set	 ts, empty = { NULL, 0 };
	const struct token	*t;
	char			*cause;
	uint8_t			 kid[TOKEN_KID_LEN];

	check_int(parse_str(TOK_A "\n" TOK_B " name=b\n\n" TOK_C "\n", &ts,
	    &cause), ==, 0);
	token_kid(TOK_B, kid);
	t = token_find(&ts, kid);
	check(t != NULL);
	if (t != NULL) {
		check_str(t->t_secret, TOK_B);
		check_int(t->t_line, ==, 2);
	}
	token_kid(TOK_C, kid);
	t = token_find(&ts, kid);
	check(t != NULL && t->t_line == 4);
	token_kid(TOK_A, kid);
	t = token_find(&ts, kid);
	check(t != NULL && t->t_line == 1);
	token_kid(TOK_A "x", kid);
	check(token_find(&ts, kid) == NULL);
	memset(kid, 0, sizeof kid);
	check(token_find(&ts, kid) == NULL);
	token_kid(TOK_A, kid);
	check(token_find(&empty, kid) == NULL);
	token_set_free(&ts);
}

static void
test_permits(void)
{
	static const struct {
		const char	*pattern;
		const char	*name;
		int		 want;
	} names[] = {
		{ "web-*", "web-1", 0 },
		{ "web-*", "web-", 0 },
		{ "web-*", "xweb-1", -1 },
		{ "web-*", "WEB-1", -1 },
		{ "db[0-9]", "db7", 0 },
		{ "db[0-9]", "db77", -1 },
		{ "db[0-9]", "dbx", -1 },
		{ "exact", "exact", 0 },
		{ "exact", "exact1", -1 },
		{ "n?", "n1", 0 },
		{ "n?", "n", -1 },
	};
	struct token	 t;
	char		 pools[3][32];
	const char	*why;
	size_t		 i;

	memset(&t, 0, sizeof t);
	why = NULL;
	/* No restriction: any name, any pools, none. */
	strlcpy(pools[0], "a", sizeof pools[0]);
	check_int(token_permits(&t, "anything", pools, 1, &why), ==, 0);
	check_int(token_permits(&t, "x", pools, 0, &why), ==, 0);
	check(why == NULL);

	/* name= is an fnmatch(3) pattern on the whole name. */
	strlcpy(t.t_name, "web-*", sizeof t.t_name);
	check_int(token_permits(&t, "db1", pools, 1, &why), ==, -1);
	check(why != NULL && strstr(why, "name") != NULL);
	why = NULL;
	for (i = 0; i < nitems(names); i++) {
		strlcpy(t.t_name, names[i].pattern, sizeof t.t_name);
		test_case("name=%s, node %s", names[i].pattern,
		    names[i].name);
		check_int(token_permits(&t, names[i].name, pools, 1, &why), ==,
		    names[i].want);
	}
	test_case_end();
	t.t_name[0] = '\0';

	/* pools=a,b: the node's pools must be a subset. */
	strlcpy(t.t_pools[0], "a", sizeof t.t_pools[0]);
	strlcpy(t.t_pools[1], "b", sizeof t.t_pools[1]);
	t.t_npools = 2;
	strlcpy(pools[0], "b", sizeof pools[0]);
	strlcpy(pools[1], "a", sizeof pools[1]);
	strlcpy(pools[2], "c", sizeof pools[2]);
	why = NULL;
	check_int(token_permits(&t, "n", pools, 1, &why), ==, 0);
	check_int(token_permits(&t, "n", pools, 2, &why), ==, 0);
	check(why == NULL);
	check_int(token_permits(&t, "n", pools, 3, &why), ==, -1);
	check(why != NULL && strstr(why, "pool") != NULL);
	check_int(token_permits(&t, "n", pools + 2, 1, &why), ==, -1);
	strlcpy(pools[0], "ab", sizeof pools[0]);
	check_int(token_permits(&t, "n", pools, 1, &why), ==, -1);
	strlcpy(pools[0], "A", sizeof pools[0]);
	check_int(token_permits(&t, "n", pools, 1, &why), ==, -1);
	/* Pools are names, not patterns. */
	strlcpy(t.t_pools[0], "*", sizeof t.t_pools[0]);
	strlcpy(pools[0], "z", sizeof pools[0]);
	check_int(token_permits(&t, "n", pools, 1, &why), ==, -1);

	/* Both restrictions at once: each one alone refuses. */
	strlcpy(t.t_pools[0], "a", sizeof t.t_pools[0]);
	strlcpy(t.t_name, "web-*", sizeof t.t_name);
	strlcpy(pools[0], "a", sizeof pools[0]);
	check_int(token_permits(&t, "web-1", pools, 1, &why), ==, 0);
	check_int(token_permits(&t, "db-1", pools, 1, &why), ==, -1);
	check_int(token_permits(&t, "web-1", pools + 2, 1, &why), ==, -1);
}

static void
test_refusal(void)
{
	struct token	 t;
	char		 pools[3][32], buf[400], small[16];

	memset(&t, 0, sizeof t);
	strlcpy(pools[0], "eu", sizeof pools[0]);
	strlcpy(pools[1], "asia", sizeof pools[1]);
	check_int(token_refusal(&t, "n", pools, 2, buf, sizeof buf), ==, 0);
	strlcpy(t.t_name, "web-*", sizeof t.t_name);
	check_int(token_refusal(&t, "db1", pools, 1, buf, sizeof buf), ==, -1);
	check(strstr(buf, "the node name \"db1\" is not allowed by its "
	    "token, which allows name=web-* only") == buf);
	check_int(token_refusal(&t, "web-1", pools, 2, buf, sizeof buf), ==,
	    0);
	t.t_npools = 2;
	strlcpy(t.t_pools[0], "eu", sizeof t.t_pools[0]);
	strlcpy(t.t_pools[1], "us", sizeof t.t_pools[1]);
	check_int(token_refusal(&t, "web-1", pools, 2, buf, sizeof buf), ==,
	    -1);
	check(strstr(buf, "the pool \"asia\" is not allowed by its token, "
	    "which allows pools=eu,us only") == buf);
	/* The name first, when both refuse; a small buffer is cut, ended. */
	check_int(token_refusal(&t, "db1", pools, 2, small, sizeof small), ==,
	    -1);
	check_str(small, "the node name \"");
}

static void
test_generate(void)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char	 a[64], b[64];
	int	 seen[64], i, j, all;
	const char *p;

	memset(a, 'Z', sizeof a);
	memset(b, 'Z', sizeof b);
	token_generate(a);
	token_generate(b);
	check_int(strlen(a), ==, 43);
	check_int(strlen(b), ==, 43);
	check_int(token_valid(a), ==, 1);
	check_int(token_valid(b), ==, 1);
	check(strcmp(a, b) != 0);

	/*
	 * 200 tokens: base64url only, every one of the 64 characters shows
	 * up (8400 draws), and the last character carries 4 bits of the 256
	 * (its 2 low bits are padding, so its index is a multiple of 4).
	 */
	memset(seen, 0, sizeof seen);
	all = 1;
	for (i = 0; i < 200; i++) {
		token_generate(a);
		if (strlen(a) != 43 || strpbrk(a, "+/=") != NULL)
			all = 0;
		for (j = 0; j < 43; j++) {
			if ((p = strchr(b64, a[j])) == NULL || a[j] == '\0') {
				all = 0;
				continue;
			}
			if (j == 42 && (p - b64) % 4 != 0)
				all = 0;
			if (j < 42)
				seen[p - b64] = 1;
		}
	}
	check(all);
	for (i = 0; i < 64; i++) {
		if (!seen[i]) {
			snprintf(a, sizeof a, "%c", b64[i]);
			check_str(a, "a character token_generate never gave");
		}
	}
}

static void
test_load(void)
{
	struct token_set	 ts;
	char			*cause, *big;
	int			 fd;
	const char		*path = "t-unit-token.tmp";

	unlink(path);
	cause = NULL;
	check_int(token_set_load(path, &ts, &cause), ==, -1);
	check(cause != NULL && strstr(cause, path) != NULL &&
	    strstr(cause, strerror(ENOENT)) != NULL);
	free(cause);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	check(fd != -1);
	check_int(write(fd, TOK_A "\n" TOK_B " name=b\n", 33 + 40), ==,
	    33 + 40);
	close(fd);
	check_int(token_set_load(path, &ts, &cause), ==, 0);
	check_int(ts.ts_n, ==, 2);
	token_set_free(&ts);

	fd = open(path, O_WRONLY | O_APPEND);
	check_int(write(fd, "bad\n", 4), ==, 4);
	close(fd);
	cause = NULL;
	check_int(token_set_load(path, &ts, &cause), ==, -1);
	check(cause != NULL && strncmp(cause, "t-unit-token.tmp:3: ",
	    20) == 0);
	free(cause);

	/* Over 1 MiB: refused as too large. */
	big = repeat('#', 1024 * 1024 + 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	check_int(write(fd, big, 1024 * 1024 + 1), ==, 1024 * 1024 + 1);
	close(fd);
	free(big);
	errno = 0;
	cause = NULL;
	check_int(token_set_load(path, &ts, &cause), ==, -1);
	check(cause != NULL && strstr(cause, "larger than 1 MiB") != NULL);
	free(cause);
	unlink(path);
}

/*
 * The same, with errno left non-zero by earlier I/O, as it is when the
 * hub reloads on SIGHUP: the message must still say what is wrong.
 */
static void
test_load_errno(void)
{
	struct token_set	 ts;
	char			*cause, *big;
	int			 fd;
	const char		*path = "t-unit-token.tmp";

	big = repeat('#', 1024 * 1024 + 1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	check_int(write(fd, big, 1024 * 1024 + 1), ==, 1024 * 1024 + 1);
	close(fd);
	free(big);
	errno = EAGAIN;
	cause = NULL;
	check_int(token_set_load(path, &ts, &cause), ==, -1);
	if (cause == NULL || strstr(cause, "larger than 1 MiB") == NULL)
		check_str(cause, "t-unit-token.tmp: larger than 1 MiB");
	free(cause);
	unlink(path);
}

int
main(void)
{
	TEST(test_valid(), "token_valid: 16-128 characters of A-Z a-z 0-9 "
	    ". _ ~ + / = -, every other byte refused");
	TEST(test_vectors(), "token_kid, token_mac, token_bind_proof: "
	    "openssl vectors");
	TEST(test_differ(), "kid, MAC and proof are deterministic and change "
	    "with every input; token_equal");
	TEST(test_parse(), "tokens file: comments, blank lines, CRLF, name=, "
	    "pools=, limits");
	TEST(test_parse_errors(), "tokens file errors name file:line: short "
	    "token, bad option, duplicate, NUL, long line");
	TEST(test_find(), "token_find by key id");
	TEST(test_permits(), "token_permits: fnmatch names, pool subsets");
	TEST(test_refusal(), "token_refusal: which name or pool, what the "
	    "token allows");
	TEST(test_generate(), "token_generate: 43 base64url characters, "
	    "fresh each call");
	TEST(test_load(), "token_set_load: missing, good, bad, too large "
	    "files");
	TEST(test_load_errno(), "token_set_load: a file over 1 MiB is called "
	    "too large even with a stale errno");
	return (test_done());
}
