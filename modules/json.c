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
