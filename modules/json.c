/*
 * json.c: JSON (RFC 8259) for the admin API (json.h, doc/admin.md): a
 * writer that appends to an evbuffer and keeps commas and nesting right,
 * and a reader that checks a whole document and cuts it into a bounded
 * array of tokens.  Pure: no sockets, no event loop, no logging.
 */
#include <sys/types.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "json.h"

#define JSON_CHUNK	256		/* escaped bytes gathered per add */

static int	 json_w_begin(struct json_w *, const char *);
static void	 json_w_raw(struct json_w *, const char *, size_t);
static void	 json_w_quote(struct json_w *, const char *, size_t);
static size_t	 json_utf8_len(const unsigned char *, size_t);
static void	 json_w_open(struct json_w *, const char *, int);
static void	 json_w_close(struct json_w *, int);

/* See json.h. */
void
json_w_init(struct json_w *w, struct evbuffer *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Append len bytes; a failed add is an error like a misuse. */
static void
json_w_raw(struct json_w *w, const char *p, size_t len)
{
	if (w->error)
		return;
	if (evbuffer_add(w->out, p, len) != 0)
		w->error = 1;
}

/*
 * Length of the well-formed UTF-8 sequence at p[0..len) (Unicode 15,
 * table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF),
 * or 0 when p[0] does not start one.
 */
static size_t
json_utf8_len(const unsigned char *p, size_t len)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (len < n || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	return (n);
}

/* Write s[0..len) quoted and escaped (json.h). */
static void
json_w_quote(struct json_w *w, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	char			 buf[JSON_CHUNK + 8];
	size_t			 i, n, o;

	buf[0] = '"';
	o = 1;
	for (i = 0; i < len; i += n) {
		if (o >= JSON_CHUNK) {
			json_w_raw(w, buf, o);
			o = 0;
		}
		n = 1;
		switch (p[i]) {
		case '"':
		case '\\':
			buf[o++] = '\\';
			buf[o++] = p[i];
			continue;
		case '\b':
			memcpy(buf + o, "\\b", 2);
			o += 2;
			continue;
		case '\f':
			memcpy(buf + o, "\\f", 2);
			o += 2;
			continue;
		case '\n':
			memcpy(buf + o, "\\n", 2);
			o += 2;
			continue;
		case '\r':
			memcpy(buf + o, "\\r", 2);
			o += 2;
			continue;
		case '\t':
			memcpy(buf + o, "\\t", 2);
			o += 2;
			continue;
		}
		if (p[i] < 0x20) {
			memcpy(buf + o, "\\u00", 4);
			buf[o + 4] = hex[p[i] >> 4];
			buf[o + 5] = hex[p[i] & 0xf];
			o += 6;
		} else if ((n = json_utf8_len(p + i, len - i)) == 0) {
			/* Not UTF-8: one replacement per bad byte. */
			memcpy(buf + o, "\\ufffd", 6);
			o += 6;
			n = 1;
		} else {
			memcpy(buf + o, p + i, n);
			o += n;
		}
	}
	buf[o++] = '"';
	json_w_raw(w, buf, o);
}

/*
 * Before a value: check the key against where we are, write the comma
 * and the key.  -1 (and w->error) on a misuse.
 */
static int
json_w_begin(struct json_w *w, const char *key)
{
	int	 in_obj;

	if (w->error)
		return (-1);
	if (w->depth == 0) {
		/* One value at the top, without a name. */
		if (key != NULL || w->top) {
			w->error = 1;
			return (-1);
		}
		w->top = 1;
		return (0);
	}
	in_obj = w->in_obj[w->depth - 1];
	if ((key != NULL) != in_obj) {
		w->error = 1;
		return (-1);
	}
	if (w->n[w->depth - 1])
		json_w_raw(w, ",", 1);
	w->n[w->depth - 1] = 1;
	if (key != NULL) {
		json_w_quote(w, key, strlen(key));
		json_w_raw(w, ":", 1);
	}
	return (w->error ? -1 : 0);
}

static void
json_w_open(struct json_w *w, const char *key, int obj)
{
	if (w->error)
		return;
	if (w->depth >= JSON_DEPTH_MAX) {
		w->error = 1;
		return;
	}
	if (json_w_begin(w, key) != 0)
		return;
	json_w_raw(w, obj ? "{" : "[", 1);
	w->in_obj[w->depth] = obj;
	w->n[w->depth] = 0;
	w->depth++;
}

static void
json_w_close(struct json_w *w, int obj)
{
	if (w->error)
		return;
	if (w->depth == 0 || w->in_obj[w->depth - 1] != obj) {
		w->error = 1;
		return;
	}
	w->depth--;
	json_w_raw(w, obj ? "}" : "]", 1);
}

/* See json.h. */
void
json_obj_open(struct json_w *w, const char *key)
{
	json_w_open(w, key, 1);
}

/* See json.h. */
void
json_obj_close(struct json_w *w)
{
	json_w_close(w, 1);
}

/* See json.h. */
void
json_arr_open(struct json_w *w, const char *key)
{
	json_w_open(w, key, 0);
}

/* See json.h. */
void
json_arr_close(struct json_w *w)
{
	json_w_close(w, 0);
}

/* See json.h. */
void
json_str(struct json_w *w, const char *key, const char *s)
{
	if (s == NULL)
		json_null(w, key);
	else
		json_strn(w, key, s, strlen(s));
}

/* See json.h. */
void
json_strn(struct json_w *w, const char *key, const char *s, size_t len)
{
	if (json_w_begin(w, key) != 0)
		return;
	json_w_quote(w, s, len);
}

/* See json.h. */
void
json_u64(struct json_w *w, const char *key, uint64_t v)
{
	char	 buf[24];
	int	 n;

	if (json_w_begin(w, key) != 0)
		return;
	n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	json_w_raw(w, buf, (size_t)n);
}

/* See json.h. */
void
json_i64(struct json_w *w, const char *key, int64_t v)
{
	char	 buf[24];
	int	 n;

	if (json_w_begin(w, key) != 0)
		return;
	n = snprintf(buf, sizeof buf, "%lld", (long long)v);
	json_w_raw(w, buf, (size_t)n);
}

/* See json.h.  JSON has no NaN or infinity: null says "no number". */
void
json_dbl(struct json_w *w, const char *key, double v)
{
	char	 buf[32];
	int	 n;

	if (isnan(v) || isinf(v)) {
		json_null(w, key);
		return;
	}
	if (json_w_begin(w, key) != 0)
		return;
	n = snprintf(buf, sizeof buf, "%.6g", v);
	json_w_raw(w, buf, (size_t)n);
}

/* See json.h. */
void
json_bool(struct json_w *w, const char *key, int v)
{
	if (json_w_begin(w, key) != 0)
		return;
	if (v)
		json_w_raw(w, "true", 4);
	else
		json_w_raw(w, "false", 5);
}

/* See json.h. */
void
json_null(struct json_w *w, const char *key)
{
	if (json_w_begin(w, key) != 0)
		return;
	json_w_raw(w, "null", 4);
}

/* See json.h. */
int
json_w_end(struct json_w *w)
{
	if (w->error || w->depth != 0 || !w->top)
		return (-1);
	return (0);
}

/*
 * Reader.  One scanner, run twice: first to check the text and count its
 * tokens (tok NULL), then, with an array of exactly that many, to fill
 * it.  Iterative, with a stack of the open containers, so a deep document
 * costs no C stack.
 */
struct json_scan {
	const unsigned char	*p;
	size_t			 len;
	struct json_tok		*tok;		/* NULL: count only */
	uint32_t		 ntok;
	uint32_t		 max;
	const char		*cause;
};

enum json_state {
	JSON_S_VALUE,		/* a value */
	JSON_S_FIRST,		/* after '{' or '[': a member or the close */
	JSON_S_KEY,		/* after ',' in an object: a key */
	JSON_S_COLON,		/* after a key */
	JSON_S_AFTER		/* after a value: ',', the close, or the end */
};

static char	 json_cause[128];

static int	 json_err(struct json_scan *, size_t, const char *);
static int	 json_tok_new(struct json_scan *, int, size_t, size_t);
static int	 json_hex4(const unsigned char *, size_t, uint32_t *);
static int	 json_scan_str(struct json_scan *, size_t *);
static int	 json_scan_num(struct json_scan *, size_t *);
static int	 json_scan(struct json_scan *);
static const struct json_tok *json_tok(const struct json_doc *, int);
static int	 json_str_next(const unsigned char *, size_t *, size_t,
		    unsigned char *);
static int	 json_str_eq(const struct json_doc *, const struct json_tok *,
		    const char *);

/* Fail the scan at byte pos; the text is ours, static. */
static int
json_err(struct json_scan *s, size_t pos, const char *what)
{
	snprintf(json_cause, sizeof json_cause, "at byte %lu: %s",
	    (unsigned long)pos, what);
	s->cause = json_cause;
	return (-1);
}

/* A new token of type over [start, end); its index, or -1 past max. */
static int
json_tok_new(struct json_scan *s, int type, size_t start, size_t end)
{
	struct json_tok	*t;

	if (s->ntok >= s->max) {
		snprintf(json_cause, sizeof json_cause, "at byte %lu: more "
		    "than %lu values", (unsigned long)start,
		    (unsigned long)s->max);
		s->cause = json_cause;
		return (-1);
	}
	if (s->tok != NULL) {
		t = &s->tok[s->ntok];
		t->type = type;
		t->start = start;
		t->end = end;
		t->size = 0;
		t->next = s->ntok + 1;
	}
	return ((int)s->ntok++);
}

/* Four hex digits at p[0..n); 0, or -1 if there are not four. */
static int
json_hex4(const unsigned char *p, size_t n, uint32_t *v)
{
	size_t	 i;
	int	 c;

	if (n < 4)
		return (-1);
	*v = 0;
	for (i = 0; i < 4; i++) {
		c = p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		*v = *v << 4 | (uint32_t)c;
	}
	return (0);
}

/*
 * The string whose '"' is at *pos: escapes as in the RFC, no raw control
 * characters, a high surrogate only with a low one after it (a lone half
 * has no UTF-8 form).  A token, and *pos past the closing quote.
 */
static int
json_scan_str(struct json_scan *s, size_t *pos)
{
	const unsigned char	*p = s->p;
	size_t			 i = *pos + 1;
	uint32_t		 v, lo;

	for (;;) {
		if (i >= s->len)
			return (json_err(s, *pos, "unterminated string"));
		if (p[i] == '"')
			break;
		if (p[i] < 0x20)
			return (json_err(s, i, "control character in a "
			    "string"));
		if (p[i] != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= s->len)
			return (json_err(s, *pos, "unterminated string"));
		switch (p[i + 1]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			i += 2;
			continue;
		case 'u':
			break;
		default:
			return (json_err(s, i, "bad escape"));
		}
		if (json_hex4(p + i + 2, s->len - i - 2, &v) != 0)
			return (json_err(s, i, "bad \\u escape"));
		if (v >= 0xdc00 && v <= 0xdfff)
			return (json_err(s, i, "lone low surrogate"));
		if (v >= 0xd800 && v <= 0xdbff) {
			if (s->len - i < 12 || p[i + 6] != '\\' ||
			    p[i + 7] != 'u' ||
			    json_hex4(p + i + 8, 4, &lo) != 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return (json_err(s, i, "lone high surrogate"));
			i += 6;
		}
		i += 6;
	}
	if (json_tok_new(s, JSON_STRING, *pos + 1, i) == -1)
		return (-1);
	*pos = i + 1;
	return (0);
}

#define JSON_DIGIT(c)	((c) >= '0' && (c) <= '9')

/* The number at *pos, as RFC 8259 section 6 has it.  A token. */
static int
json_scan_num(struct json_scan *s, size_t *pos)
{
	const unsigned char	*p = s->p;
	size_t			 i = *pos;

	if (p[i] == '-')
		i++;
	if (i >= s->len || !JSON_DIGIT(p[i]))
		return (json_err(s, i, "digit expected"));
	if (p[i] == '0') {
		i++;
		if (i < s->len && JSON_DIGIT(p[i]))
			return (json_err(s, i, "leading zero"));
	} else
		while (i < s->len && JSON_DIGIT(p[i]))
			i++;
	if (i < s->len && p[i] == '.') {
		i++;
		if (i >= s->len || !JSON_DIGIT(p[i]))
			return (json_err(s, i, "digit expected after '.'"));
		while (i < s->len && JSON_DIGIT(p[i]))
			i++;
	}
	if (i < s->len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < s->len && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= s->len || !JSON_DIGIT(p[i]))
			return (json_err(s, i, "digit expected in exponent"));
		while (i < s->len && JSON_DIGIT(p[i]))
			i++;
	}
	if (json_tok_new(s, JSON_NUMBER, *pos, i) == -1)
		return (-1);
	*pos = i;
	return (0);
}

/* Check s->p[0..len) and count (or fill) its tokens; 0 or -1. */
static int
json_scan(struct json_scan *s)
{
	static const struct {
		const char	*word;
		size_t		 len;
		int		 type;
	} lit[] = {
		{ "true", 4, JSON_BOOL },
		{ "false", 5, JSON_BOOL },
		{ "null", 4, JSON_NULL }
	};
	const unsigned char	*p = s->p;
	uint32_t		 stack[JSON_DEPTH_MAX];
	uint8_t			 obj[JSON_DEPTH_MAX];
	enum json_state		 st = JSON_S_VALUE;
	size_t			 pos = 0, k;
	int			 depth = 0, i, c;

	for (;;) {
		while (pos < s->len && (p[pos] == ' ' || p[pos] == '\t' ||
		    p[pos] == '\n' || p[pos] == '\r'))
			pos++;
		if (st == JSON_S_AFTER && depth == 0) {
			if (pos != s->len)
				return (json_err(s, pos, "text after the "
				    "value"));
			return (0);
		}
		if (pos >= s->len)
			return (json_err(s, pos, "unexpected end"));
		c = p[pos];

		if (st == JSON_S_FIRST) {
			if (c == (obj[depth - 1] ? '}' : ']'))
				goto close;
			st = obj[depth - 1] ? JSON_S_KEY : JSON_S_VALUE;
		}
		switch (st) {
		case JSON_S_KEY:
			if (c != '"')
				return (json_err(s, pos, "name expected"));
			if (json_scan_str(s, &pos) != 0)
				return (-1);
			st = JSON_S_COLON;
			continue;
		case JSON_S_COLON:
			if (c != ':')
				return (json_err(s, pos, "':' expected"));
			pos++;
			st = JSON_S_VALUE;
			continue;
		case JSON_S_AFTER:
			if (c == ',') {
				pos++;
				st = obj[depth - 1] ? JSON_S_KEY :
				    JSON_S_VALUE;
				continue;
			}
			if (c == (obj[depth - 1] ? '}' : ']'))
				goto close;
			return (json_err(s, pos, obj[depth - 1] ?
			    "',' or '}' expected" : "',' or ']' expected"));
		default:
			break;
		}

		/* A value. */
		if (c == '{' || c == '[') {
			if (depth == JSON_DEPTH_MAX)
				return (json_err(s, pos, "nested too deep"));
			if ((i = json_tok_new(s, c == '{' ? JSON_OBJECT :
			    JSON_ARRAY, pos, pos + 1)) == -1)
				return (-1);
			obj[depth] = c == '{';
			stack[depth++] = (uint32_t)i;
			pos++;
			st = JSON_S_FIRST;
			continue;
		}
		if (c == '"') {
			if (json_scan_str(s, &pos) != 0)
				return (-1);
		} else if (c == '-' || JSON_DIGIT(c)) {
			if (json_scan_num(s, &pos) != 0)
				return (-1);
		} else {
			for (k = 0; k < sizeof lit / sizeof lit[0]; k++)
				if (s->len - pos >= lit[k].len &&
				    memcmp(p + pos, lit[k].word,
				    lit[k].len) == 0)
					break;
			if (k == sizeof lit / sizeof lit[0])
				return (json_err(s, pos, "value expected"));
			if (json_tok_new(s, lit[k].type, pos,
			    pos + lit[k].len) == -1)
				return (-1);
			pos += lit[k].len;
		}
		if (depth > 0 && s->tok != NULL)
			s->tok[stack[depth - 1]].size++;
		st = JSON_S_AFTER;
		continue;

close:
		pos++;
		depth--;
		if (s->tok != NULL) {
			s->tok[stack[depth]].end = pos;
			s->tok[stack[depth]].next = s->ntok;
			if (depth > 0)
				s->tok[stack[depth - 1]].size++;
		}
		st = JSON_S_AFTER;
	}
}

/* See json.h. */
int
json_parse(struct json_doc *doc, const char *text, size_t len,
    uint32_t max_tok, const char **cause)
{
	struct json_scan	 s;
	uint32_t		 n;

	memset(doc, 0, sizeof *doc);
	if (len > UINT32_MAX) {
		*cause = "document too long";
		return (-1);
	}
	if (max_tok > INT32_MAX)
		max_tok = INT32_MAX;		/* indexes are ints */
	memset(&s, 0, sizeof s);
	s.p = (const unsigned char *)text;
	s.len = len;
	s.max = max_tok;
	if (json_scan(&s) != 0) {
		*cause = s.cause;
		return (-1);
	}
	n = s.ntok;
	if ((s.tok = calloc(n, sizeof *s.tok)) == NULL) {
		*cause = "out of memory";
		return (-1);
	}
	s.ntok = 0;
	if (json_scan(&s) != 0 || s.ntok != n) {
		/* Cannot happen: the same text scanned twice. */
		free(s.tok);
		*cause = "internal error";
		return (-1);
	}
	doc->text = text;
	doc->len = len;
	doc->tok = s.tok;
	doc->ntok = n;
	return (0);
}

/* See json.h. */
void
json_doc_free(struct json_doc *doc)
{
	free(doc->tok);
	memset(doc, 0, sizeof *doc);
}

/* Token i of doc, or NULL when i is not one. */
static const struct json_tok *
json_tok(const struct json_doc *doc, int i)
{
	if (i < 0 || (uint32_t)i >= doc->ntok)
		return (NULL);
	return (&doc->tok[i]);
}

/*
 * The next character of the string body p[*i..end) (already checked by
 * json_scan_str) as UTF-8 into u[0..4); its length, or -1 for \u0000 and
 * a lone surrogate, which have no place in a C string.
 */
static int
json_str_next(const unsigned char *p, size_t *i, size_t end,
    unsigned char *u)
{
	uint32_t	 v, lo;

	if (p[*i] != '\\') {
		u[0] = p[(*i)++];
		return (1);
	}
	if (end - *i < 2)
		return (-1);
	*i += 2;
	switch (p[*i - 1]) {
	case '"':
	case '\\':
	case '/':
		u[0] = p[*i - 1];
		return (1);
	case 'b':
		u[0] = '\b';
		return (1);
	case 'f':
		u[0] = '\f';
		return (1);
	case 'n':
		u[0] = '\n';
		return (1);
	case 'r':
		u[0] = '\r';
		return (1);
	case 't':
		u[0] = '\t';
		return (1);
	case 'u':
		break;
	default:
		return (-1);
	}
	if (json_hex4(p + *i, end - *i, &v) != 0)
		return (-1);
	*i += 4;
	if (v >= 0xdc00 && v <= 0xdfff)
		return (-1);
	if (v >= 0xd800 && v <= 0xdbff) {
		if (end - *i < 6 || p[*i] != '\\' || p[*i + 1] != 'u' ||
		    json_hex4(p + *i + 2, 4, &lo) != 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return (-1);
		*i += 6;
		v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (v == 0)
		return (-1);
	if (v < 0x80) {
		u[0] = v;
		return (1);
	}
	if (v < 0x800) {
		u[0] = 0xc0 | v >> 6;
		u[1] = 0x80 | (v & 0x3f);
		return (2);
	}
	if (v < 0x10000) {
		u[0] = 0xe0 | v >> 12;
		u[1] = 0x80 | (v >> 6 & 0x3f);
		u[2] = 0x80 | (v & 0x3f);
		return (3);
	}
	u[0] = 0xf0 | v >> 18;
	u[1] = 0x80 | (v >> 12 & 0x3f);
	u[2] = 0x80 | (v >> 6 & 0x3f);
	u[3] = 0x80 | (v & 0x3f);
	return (4);
}

/* Does string token t, unescaped, equal key? */
static int
json_str_eq(const struct json_doc *doc, const struct json_tok *t,
    const char *key)
{
	const unsigned char	*p = (const unsigned char *)doc->text;
	size_t			 i = t->start, klen = strlen(key), k = 0;
	unsigned char		 u[4];
	int			 n;

	if (memchr(p + t->start, '\\', t->end - t->start) == NULL)
		return (t->end - t->start == klen &&
		    memcmp(p + t->start, key, klen) == 0);
	while (i < t->end) {
		if ((n = json_str_next(p, &i, t->end, u)) == -1 ||
		    klen - k < (size_t)n || memcmp(key + k, u, n) != 0)
			return (0);
		k += n;
	}
	return (k == klen);
}

/* See json.h.  Walks the members by their next: O(members). */
int
json_get(const struct json_doc *doc, int obj, const char *key)
{
	const struct json_tok	*t;
	uint32_t		 i, m;

	if ((t = json_tok(doc, obj)) == NULL || t->type != JSON_OBJECT)
		return (-1);
	i = (uint32_t)obj + 1;
	for (m = 0; m < t->size; m++) {
		if (json_str_eq(doc, &doc->tok[i], key))
			return ((int)i + 1);
		i = doc->tok[i + 1].next;
	}
	return (-1);
}

/* See json.h. */
int
json_at(const struct json_doc *doc, int arr, uint32_t idx)
{
	const struct json_tok	*t;
	uint32_t		 i, m;

	if ((t = json_tok(doc, arr)) == NULL || t->type != JSON_ARRAY ||
	    idx >= t->size)
		return (-1);
	i = (uint32_t)arr + 1;
	for (m = 0; m < idx; m++)
		i = doc->tok[i].next;
	return ((int)i);
}

/* See json.h.  Measures first, so a failure leaves buf as it was. */
int
json_get_str(const struct json_doc *doc, int i, char *buf, size_t size)
{
	const struct json_tok	*t;
	const unsigned char	*p = (const unsigned char *)doc->text;
	unsigned char		 u[4];
	size_t			 j, len = 0;
	int			 n;

	if ((t = json_tok(doc, i)) == NULL || t->type != JSON_STRING)
		return (-1);
	for (j = t->start; j < t->end; len += n)
		if ((n = json_str_next(p, &j, t->end, u)) == -1)
			return (-1);
	if (len >= size)
		return (-1);
	len = 0;
	for (j = t->start; j < t->end; len += n) {
		n = json_str_next(p, &j, t->end, u);
		memcpy(buf + len, u, n);
	}
	buf[len] = '\0';
	return (0);
}

/*
 * The magnitude of number token t, with its sign in *neg: digits only
 * (no fraction, no exponent), at most UINT64_MAX.  0 or -1.
 */
static int
json_num_int(const struct json_doc *doc, int i, int *neg, uint64_t *mag)
{
	const struct json_tok	*t;
	const char		*p;
	uint64_t		 v = 0;
	uint32_t		 j;
	unsigned		 d;

	if ((t = json_tok(doc, i)) == NULL || t->type != JSON_NUMBER)
		return (-1);
	p = doc->text;
	j = t->start;
	*neg = p[j] == '-';
	if (*neg)
		j++;
	if (j >= t->end)
		return (-1);
	for (; j < t->end; j++) {
		if (!JSON_DIGIT(p[j]))
			return (-1);	/* '.', 'e': not an integer */
		d = p[j] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	*mag = v;
	return (0);
}

/* See json.h. */
int
json_get_u64(const struct json_doc *doc, int i, uint64_t *out)
{
	uint64_t	 v;
	int		 neg;

	if (json_num_int(doc, i, &neg, &v) != 0 || neg)
		return (-1);
	*out = v;
	return (0);
}

/* See json.h. */
int
json_get_i64(const struct json_doc *doc, int i, int64_t *out)
{
	uint64_t	 v;
	int		 neg;

	if (json_num_int(doc, i, &neg, &v) != 0)
		return (-1);
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return (-1);
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return (-1);
		*out = (int64_t)v;
	}
	return (0);
}

/* See json.h. */
int
json_get_bool(const struct json_doc *doc, int i, int *out)
{
	const struct json_tok	*t;

	if ((t = json_tok(doc, i)) == NULL || t->type != JSON_BOOL)
		return (-1);
	*out = doc->text[t->start] == 't';
	return (0);
}

/* See json.h. */
int
json_key_str(const struct json_doc *doc, int obj, const char *key,
    char *buf, size_t size)
{
	return (json_get_str(doc, json_get(doc, obj, key), buf, size));
}

/* See json.h. */
int
json_key_u64(const struct json_doc *doc, int obj, const char *key,
    uint64_t *out)
{
	return (json_get_u64(doc, json_get(doc, obj, key), out));
}
