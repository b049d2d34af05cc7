/*
 * token.h: node authentication secrets: the hub's tokens file and the
 * HMAC-SHA256 challenge-response and data-link proofs (doc/protocol.md
 * "Authentication").  Pure except token_set_load(), which reads a file.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_KID_LEN		8	/* key id: names a token, reveals nothing */
#define TOKEN_NONCE_LEN		32
#define TOKEN_MAC_LEN		32
#define TOKEN_PROOF_LEN		16	/* BIND's data-link proof */
#define TOKEN_MIN		16
#define TOKEN_MAX		128
#define TOKEN_POOLS_MAX		16

struct token {
	char		*t_secret;
	uint8_t		 t_kid[TOKEN_KID_LEN];
	char		 t_name[64];		/* fnmatch pattern; "" = any */
	char		 t_pools[TOKEN_POOLS_MAX][32];
	int		 t_npools;		/* 0 = any pool */
	int		 t_line;
};

struct token_set {
	struct token	*ts_v;
	size_t		 ts_n;
};

/*
 * Tokens file: one token per line, optionally restricted:
 *	TOKEN [name=PATTERN] [pools=a,b,...]
 * '#' starts a comment line.  Errors name "file:line".
 */
int		 token_set_parse(const char *, size_t, const char *,
		    struct token_set *, char **);
int		 token_set_load(const char *, struct token_set *, char **);
void		 token_set_free(struct token_set *);
const struct token *token_find(const struct token_set *, const uint8_t *);
/* Does t allow this node name and these pools?  0, or -1 with *why. */
int		 token_permits(const struct token *, const char *,
		    char (*)[32], int, const char **);
/*
 * As token_permits(), the refusal said for the node: which name or pool,
 * and what the token allows ("name=web-*", "pools=a,b").  0, or -1 with
 * the sentence in buf (len bytes).
 */
int		 token_refusal(const struct token *, const char *,
		    char (*)[32], int, char *, size_t);
int		 token_valid(const char *);

/* kid = SHA-256("tentacle token id" || secret)[0..8] */
void		 token_kid(const char *, uint8_t *);
/* mac = HMAC-SHA256(secret, "tentacle node auth v1" || 0 || nonce || name) */
void		 token_mac(const char *, const uint8_t *, const char *,
		    uint8_t *);
/* proof = HMAC-SHA256(cookie, "tentacle bind v1" || req)[0..16] */
void		 token_bind_proof(const uint8_t *, size_t, uint32_t, uint8_t *);
/* Constant-time equality. */
int		 token_equal(const uint8_t *, const uint8_t *, size_t);
/* A new random token (base64url, 43 characters) into out[64]. */
void		 token_generate(char *);

#endif /* TOKEN_H */
