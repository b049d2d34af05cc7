/*
 * t/fuzz/json.c: libFuzzer target for modules/json.c.  The input is a
 * JSON document as the hub's API or an admin command would read it.  A
 * refusal must name a byte inside the input and leave nothing allocated;
 * a parse must give tokens that nest (each inside its parent, next past
 * itself and its children, sizes that match the children, objects
 * alternating string keys and values) and getters that agree with them
 * (numbers with strtoull/strtoll, json_get with the first key of that
 * name, json_at with a walk).  Every string goes back through the writer
 * and parses again to the same value; the whole document is rewritten
 * with the writer and parses to the same shape.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "json.h"

#define FUZZ_MAX	16384
#define FUZZ_MAX_TOK	4096
#define FUZZ_GET_MAX	32		/* json_get checks per object */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct evbuffer	*fuzz_out;	/* the document's rewrite */
static struct evbuffer	*fuzz_sout;	/* one string's, meanwhile */

/* The writer's output so far, drained into a fresh NUL-ended copy. */
static char *
fuzz_take(struct evbuffer *out, size_t *lenp)
{
	size_t	 len = evbuffer_get_length(out);
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	evbuffer_remove(out, s, len);
	s[len] = '\0';
	*lenp = len;
	return (s);
}

/* Does p[0..len) hold the C string w? */
static int
fuzz_has(const char *p, size_t len, const char *w)
{
	size_t	 i, n = strlen(w);

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, w, n) == 0)
			return (1);
	return (0);
}

/*
 * Is p[0..len) UTF-8 (no overlong forms, no surrogates, at most
 * U+10FFFF)?  Decoded here by value, not by json.c's byte table.
 */
static int
fuzz_utf8(const unsigned char *p, size_t len)
{
	size_t		 i, n, k;
	uint32_t	 v, min;

	for (i = 0; i < len; i += n) {
		if (p[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 2;
			v = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 3;
			v = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 4;
			v = p[i] & 0x07;
			min = 0x10000;
		} else
			return (0);
		if (len - i < n)
			return (0);
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			v = v << 6 | (p[i + k] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return (0);
	}
	return (1);
}

/*
 * Write s with the writer, parse it back, return its value (malloc'd).
 * Whatever s is, that must work: the writer escapes everything.
 */
static char *
fuzz_rewrite(const char *s)
{
	struct json_w	 w;
	struct json_doc	 d;
	const char	*cause;
	char		*text, *back;
	size_t		 len;

	json_w_init(&w, fuzz_sout);
	json_str(&w, NULL, s);
	if (json_w_end(&w) != 0)
		abort();
	text = fuzz_take(fuzz_sout, &len);
	/* The writer writes UTF-8, and no raw control character. */
	if (!fuzz_utf8((unsigned char *)text, len))
		abort();
	for (back = text; *back != '\0'; back++)
		if ((unsigned char)*back < 0x20)
			abort();
	if (json_parse(&d, text, len, 1, &cause) != 0 || d.ntok != 1 ||
	    d.tok[0].type != JSON_STRING)
		abort();
	/* \ufffd (3 bytes) for one bad byte: at most three times longer. */
	if ((back = malloc(3 * strlen(s) + 1)) == NULL)
		abort();
	if (json_get_str(&d, 0, back, 3 * strlen(s) + 1) != 0)
		abort();
	json_doc_free(&d);
	free(text);
	return (back);
}

/* String token i: unescape it, rewrite it twice.  Its value or NULL. */
static char *
fuzz_string(const struct json_doc *d, int i)
{
	const struct json_tok	*t = &d->tok[i];
	size_t			 room = t->end - t->start + 1;
	char			*s, *s2, *s3;
	uint64_t		 u;
	int			 b;

	/* Unescaping never lengthens: \uXXXX is 6 bytes, UTF-8 at most 3. */
	if ((s = malloc(room)) == NULL)
		abort();
	if (json_get_str(d, i, s, room) != 0) {
		/* Only \u0000 has no C string. */
		if (!fuzz_has(d->text + t->start, t->end - t->start,
		    "\\u0000"))
			abort();
		free(s);
		return (NULL);
	}
	if (json_get_u64(d, i, &u) == 0 || json_get_bool(d, i, &b) == 0)
		abort();
	s2 = fuzz_rewrite(s);
	if (fuzz_utf8((unsigned char *)s, strlen(s)) && strcmp(s, s2) != 0)
		abort();
	/* After one pass, all is valid UTF-8 and kept as is. */
	s3 = fuzz_rewrite(s2);
	if (strcmp(s2, s3) != 0)
		abort();
	free(s2);
	free(s3);
	return (s);
}

/* Number token i: the getters agree with strtoull and strtoll. */
static void
fuzz_number(const struct json_doc *d, int i)
{
	const struct json_tok	*t = &d->tok[i];
	char			 buf[64], *end;
	uint64_t		 u, su;
	int64_t			 v, sv;
	size_t			 n = t->end - t->start;
	int			 integer, ru, rv, e1, e2;

	if (json_get_str(d, i, buf, sizeof buf) == 0)
		abort();
	integer = !fuzz_has(d->text + t->start, n, ".") &&
	    !fuzz_has(d->text + t->start, n, "e") &&
	    !fuzz_has(d->text + t->start, n, "E");
	if (n >= sizeof buf) {
		/* No leading zeros: so many digits are too big. */
		if (integer && (json_get_u64(d, i, &u) == 0 ||
		    json_get_i64(d, i, &v) == 0))
			abort();
		return;
	}
	memcpy(buf, d->text + t->start, n);
	buf[n] = '\0';
	ru = json_get_u64(d, i, &u);
	rv = json_get_i64(d, i, &v);
	if (!integer) {
		if (ru == 0 || rv == 0)
			abort();
		return;
	}
	errno = 0;
	su = strtoull(buf, &end, 10);
	e1 = errno;
	errno = 0;
	sv = strtoll(buf, &end, 10);
	e2 = errno;
	if (*end != '\0')
		abort();
	if ((ru == 0) != (buf[0] != '-' && e1 == 0) || (ru == 0 && u != su))
		abort();
	if ((rv == 0) != (e2 == 0) || (rv == 0 && v != sv))
		abort();
}

/* Object token o: json_get finds each key's first member. */
static void
fuzz_object(const struct json_doc *d, int o)
{
	char		*key, *k2;
	uint32_t	 m, i;
	int		 r;

	i = o + 1;
	for (m = 0; m < d->tok[o].size && m < FUZZ_GET_MAX; m++) {
		key = fuzz_string(d, i);
		if (key != NULL) {
			r = json_get(d, o, key);
			if (r < o + 2 || (uint32_t)r > i + 1 ||
			    d->tok[r - 1].type != JSON_STRING)
				abort();
			k2 = fuzz_string(d, r - 1);
			if (k2 == NULL || strcmp(key, k2) != 0)
				abort();
			free(k2);
			free(key);
		}
		i = d->tok[i + 1].next;
	}
	/* Not an array. */
	if (json_at(d, o, 0) != -1)
		abort();
}

/* Array token a: json_at agrees with a walk. */
static void
fuzz_array(const struct json_doc *d, int a)
{
	uint32_t	 k, i;

	i = a + 1;
	for (k = 0; k < d->tok[a].size; k++) {
		if (json_at(d, a, k) != (int)i)
			abort();
		i = d->tok[i].next;
	}
	if (i != d->tok[a].next || json_at(d, a, k) != -1 ||
	    json_get(d, a, "") != -1)
		abort();
}

/* The shape: every token inside its parent, sizes right. */
static void
fuzz_shape(const struct json_doc *d)
{
	const struct json_tok	*t, *c;
	uint32_t		 i, j, n;

	if (d->ntok == 0 || d->tok[0].next != d->ntok)
		abort();
	for (i = 0; i < d->ntok; i++) {
		t = &d->tok[i];
		if (t->type > JSON_OBJECT || t->next <= i ||
		    t->next > d->ntok || t->start > t->end ||
		    t->end > d->len)
			abort();
		if (t->type != JSON_ARRAY && t->type != JSON_OBJECT) {
			if (t->next != i + 1 || t->size != 0)
				abort();
			continue;
		}
		if (d->text[t->start] != (t->type == JSON_ARRAY ? '[' : '{') ||
		    d->text[t->end - 1] != (t->type == JSON_ARRAY ? ']' : '}'))
			abort();
		n = 0;
		for (j = i + 1; j < t->next; j = c->next, n++) {
			c = &d->tok[j];
			if (c->next > t->next || c->start <= t->start ||
			    c->end >= t->end)
				abort();
			if (t->type == JSON_OBJECT && n % 2 == 0 &&
			    c->type != JSON_STRING)
				abort();
		}
		if (j != t->next ||
		    n != (t->type == JSON_OBJECT ? 2 * t->size : t->size))
			abort();
	}
}

/*
 * Rewrite the whole document with the writer: its tokens in order,
 * closing each container when its next is reached.  Numbers go as
 * u64, i64 or double (a huge one may become null); strings without a C
 * form (\u0000) as "".
 */
static void
fuzz_rewrite_doc(const struct json_doc *d)
{
	struct json_w		 w;
	struct json_doc		 d2;
	const struct json_tok	*t;
	const char		*cause;
	uint32_t		 stack[JSON_DEPTH_MAX], i, n;
	int			 obj[JSON_DEPTH_MAX], keynext[JSON_DEPTH_MAX];
	int			 depth = 0, b;
	char			*key = NULL, *s, *text, num[64];
	uint64_t		 u;
	int64_t			 v;
	size_t			 len;

	json_w_init(&w, fuzz_out);
	for (i = 0; i <= d->ntok; i++) {
		while (depth > 0 && stack[depth - 1] == i) {
			depth--;
			if (obj[depth])
				json_obj_close(&w);
			else
				json_arr_close(&w);
		}
		if (i == d->ntok)
			break;
		t = &d->tok[i];
		if (depth > 0 && obj[depth - 1] && keynext[depth - 1]) {
			keynext[depth - 1] = 0;
			key = fuzz_string(d, i);
			if (key == NULL && (key = strdup("")) == NULL)
				abort();
			continue;
		}
		if (depth > 0 && obj[depth - 1])
			keynext[depth - 1] = 1;
		switch (t->type) {
		case JSON_NULL:
			json_null(&w, key);
			break;
		case JSON_BOOL:
			if (json_get_bool(d, i, &b) != 0)
				abort();
			json_bool(&w, key, b);
			break;
		case JSON_NUMBER:
			if (json_get_u64(d, i, &u) == 0)
				json_u64(&w, key, u);
			else if (json_get_i64(d, i, &v) == 0)
				json_i64(&w, key, v);
			else {
				n = t->end - t->start;
				if (n >= sizeof num)
					n = sizeof num - 1;
				memcpy(num, d->text + t->start, n);
				num[n] = '\0';
				json_dbl(&w, key, strtod(num, NULL));
			}
			break;
		case JSON_STRING:
			s = fuzz_string(d, i);
			json_str(&w, key, s != NULL ? s : "");
			free(s);
			break;
		case JSON_ARRAY:
		case JSON_OBJECT:
			if (t->type == JSON_ARRAY)
				json_arr_open(&w, key);
			else
				json_obj_open(&w, key);
			if (depth >= JSON_DEPTH_MAX)
				abort();
			obj[depth] = t->type == JSON_OBJECT;
			keynext[depth] = 1;
			stack[depth++] = t->next;
			break;
		}
		free(key);
		key = NULL;
	}
	if (json_w_end(&w) != 0)
		abort();
	text = fuzz_take(fuzz_out, &len);
	if (json_parse(&d2, text, len, d->ntok, &cause) != 0 ||
	    d2.ntok != d->ntok)
		abort();
	for (i = 0; i < d->ntok; i++)
		if (d2.tok[i].type != d->tok[i].type &&
		    !(d->tok[i].type == JSON_NUMBER &&
		    d2.tok[i].type == JSON_NULL))
			abort();
	json_doc_free(&d2);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc	 d;
	const char	*cause;
	unsigned long	 at;
	char		*end;
	uint32_t	 i;

	if (size > FUZZ_MAX)
		return (0);
	if (fuzz_out == NULL && ((fuzz_out = evbuffer_new()) == NULL ||
	    (fuzz_sout = evbuffer_new()) == NULL))
		abort();
	cause = NULL;
	if (json_parse(&d, (const char *)data, size, FUZZ_MAX_TOK,
	    &cause) != 0) {
		if (cause == NULL || d.tok != NULL || d.ntok != 0)
			abort();
		if (strcmp(cause, "out of memory") == 0)
			return (0);
		if (strncmp(cause, "at byte ", 8) != 0)
			abort();
		at = strtoul(cause + 8, &end, 10);
		if (at > size || strncmp(end, ": ", 2) != 0)
			abort();
		return (0);
	}
	fuzz_shape(&d);
	for (i = 0; i < d.ntok; i++) {
		switch (d.tok[i].type) {
		case JSON_STRING:
			free(fuzz_string(&d, i));
			break;
		case JSON_NUMBER:
			fuzz_number(&d, i);
			break;
		case JSON_OBJECT:
			fuzz_object(&d, i);
			break;
		case JSON_ARRAY:
			fuzz_array(&d, i);
			break;
		}
	}
	fuzz_rewrite_doc(&d);
	json_doc_free(&d);
	return (0);
}
