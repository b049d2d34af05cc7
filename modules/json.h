/*
 * json.h: JSON (RFC 8259) for the admin API (doc/admin.md).  A writer
 * that appends to an evbuffer and keeps commas and nesting right, and a
 * reader that tokenizes a whole document into a bounded array of tokens
 * (no tree, no allocation per value) and answers "the value of key K in
 * object O".  Pure: no sockets, no event loop, no logging; the hub writes
 * answers with it, the admin commands and the hub's PUT handlers read
 * with it, and a fuzzer feeds the reader bytes.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define JSON_DEPTH_MAX	32		/* nesting, writer and reader */

/*
 * Writer.  Every value call takes a key: the member's name inside an
 * object, NULL inside an array or at the top.  Strings are escaped
 * (", \, control characters as \u00XX; bytes >= 0x80 that are not valid
 * UTF-8 as \ufffd), so any C string is safe to write.  A misuse (a key
 * in an array, none in an object, a key or a second value at the top,
 * closing what is not open, deeper than JSON_DEPTH_MAX) sets w->error and
 * writes nothing more.
 */
struct json_w {
	struct evbuffer	*out;
	int		 depth;
	int		 error;
	int		 top;		/* the top value was begun */
	uint8_t		 in_obj[JSON_DEPTH_MAX];	/* 1 object, 0 array */
	uint8_t		 n[JSON_DEPTH_MAX];		/* 0: no member yet */
};

void	 json_w_init(struct json_w *, struct evbuffer *);
void	 json_obj_open(struct json_w *, const char *);
void	 json_obj_close(struct json_w *);
void	 json_arr_open(struct json_w *, const char *);
void	 json_arr_close(struct json_w *);
void	 json_str(struct json_w *, const char *, const char *); /* NULL: null */
void	 json_strn(struct json_w *, const char *, const char *, size_t);
void	 json_u64(struct json_w *, const char *, uint64_t);
void	 json_i64(struct json_w *, const char *, int64_t);
void	 json_dbl(struct json_w *, const char *, double);	/* %.6g; */
								/* NaN, inf: null */
void	 json_bool(struct json_w *, const char *, int);
void	 json_null(struct json_w *, const char *);
/* 0 if the document is whole (a value, everything opened was closed, */
/* no misuse, no failed write), else -1. */
int	 json_w_end(struct json_w *);

/*
 * Reader.  json_parse() checks the whole text against RFC 8259 (one
 * value, optional whitespace around it, UTF-8 in strings not checked
 * beyond escapes, but a \u escape of half a surrogate pair needs its
 * other half; numbers as in the RFC; no trailing commas, no comments,
 * depth at most JSON_DEPTH_MAX) and fills doc's token array in
 * document order: a container's token comes before its children, an
 * object's children alternate key (a string token) and value.
 */
#define JSON_NULL	0
#define JSON_BOOL	1
#define JSON_NUMBER	2
#define JSON_STRING	3
#define JSON_ARRAY	4
#define JSON_OBJECT	5

struct json_tok {
	uint8_t		 type;		/* JSON_* */
	uint32_t	 start;		/* offset of the value's first byte; */
	uint32_t	 end;		/* one past its last (a string: */
					/* inside the quotes) */
	uint32_t	 size;		/* array: elements; object: members */
	uint32_t	 next;		/* index of the token after this */
					/* value and all it contains */
};

struct json_doc {
	const char	*text;
	size_t		 len;
	struct json_tok	*tok;		/* json_parse() allocates */
	uint32_t	 ntok;
};

/*
 * Parse text[0..len) (at most max_tok tokens, and len < 4 GiB); 0, or -1
 * with *cause ("at byte 123: ..."; static) and nothing allocated.
 */
int	 json_parse(struct json_doc *, const char *, size_t, uint32_t,
	    const char **);
void	 json_doc_free(struct json_doc *);
/* Index of the value of key in object token obj; -1 if none or obj is */
/* not an object.  The first member of that name wins. */
int	 json_get(const struct json_doc *, int, const char *);
/* Index of element i of array token arr; -1 if out of range. */
int	 json_at(const struct json_doc *, int, uint32_t);
/*
 * Values.  Each returns 0, or -1 when token i (may be -1) is missing or
 * of another type, or the value does not fit; then *out is untouched.
 * json_get_str() unescapes into buf (NUL-terminated; \u0000 is refused,
 * surrogate pairs become UTF-8).
 */
int	 json_get_str(const struct json_doc *, int, char *, size_t);
int	 json_get_u64(const struct json_doc *, int, uint64_t *);
int	 json_get_i64(const struct json_doc *, int, int64_t *);
int	 json_get_bool(const struct json_doc *, int, int *);
/* Shorthands: the value of key in obj. */
int	 json_key_str(const struct json_doc *, int, const char *, char *,
	    size_t);
int	 json_key_u64(const struct json_doc *, int, const char *, uint64_t *);

#endif /* JSON_H */
