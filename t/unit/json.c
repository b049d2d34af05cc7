/*
 * t/unit/json.c: unit tests for modules/json.c.  The writer: nesting and
 * commas, every escape, invalid UTF-8, the integer extremes, doubles,
 * each misuse and an unbalanced end.  The reader: the token layout, each
 * refusal with its byte offset, every truncation of a document, the token
 * bound, lookups, the getters' range checks, unescaping.  And what the
 * writer writes the reader reads back.
 */
#include <sys/types.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "json.h"
#include "tap.h"

static struct evbuffer	*out;
static struct json_w	 w;

/* A fresh writer on an empty buffer. */
static void
w_start(void)
{
	if (out == NULL && (out = evbuffer_new()) == NULL)
		abort();
	evbuffer_drain(out, evbuffer_get_length(out));
	json_w_init(&w, out);
}

/* What the writer wrote so far, NUL-terminated (valid until w_start). */
static const char *
w_text(void)
{
	static char	 buf[8192];
	size_t		 n;

	n = evbuffer_get_length(out);
	if (n >= sizeof buf)
		abort();
	evbuffer_copyout(out, buf, n);
	buf[n] = '\0';
	return (buf);
}

static void
test_w_nesting(void)
{
	w_start();
	json_obj_open(&w, NULL);
	json_arr_open(&w, "a");
	json_u64(&w, NULL, 1);
	json_obj_open(&w, NULL);
	json_obj_close(&w);
	json_arr_open(&w, NULL);
	json_arr_close(&w);
	json_null(&w, NULL);
	json_arr_close(&w);
	json_bool(&w, "t", 1);
	json_bool(&w, "f", 0);
	json_obj_open(&w, "o");
	json_str(&w, "s", "x");
	json_str(&w, "n", NULL);
	json_strn(&w, "k", "abc", 2);
	json_obj_close(&w);
	json_obj_close(&w);
	check_int(w.error, ==, 0);
	check_int(json_w_end(&w), ==, 0);
	check_str(w_text(), "{\"a\":[1,{},[],null],\"t\":true,\"f\":false,"
	    "\"o\":{\"s\":\"x\",\"n\":null,\"k\":\"ab\"}}");

	/* A scalar alone is a document too. */
	w_start();
	json_i64(&w, NULL, -5);
	check_int(json_w_end(&w), ==, 0);
	check_str(w_text(), "-5");

	/* 32 levels are allowed, and close in order. */
	w_start();
	{
		int	 i;

		for (i = 0; i < JSON_DEPTH_MAX; i++)
			json_arr_open(&w, NULL);
		for (i = 0; i < JSON_DEPTH_MAX; i++)
			json_arr_close(&w);
	}
	check_int(json_w_end(&w), ==, 0);
	check_int(strlen(w_text()), ==, 2 * JSON_DEPTH_MAX);
}

static void
test_w_escapes(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "plain", 5, "\"plain\"" },
		{ "", 0, "\"\"" },
		{ "a\"b", 3, "\"a\\\"b\"" },
		{ "a\\b", 3, "\"a\\\\b\"" },
		{ "/", 1, "\"/\"" },
		{ "\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"" },
		{ "\x01\x1f", 2, "\"\\u0001\\u001f\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "\x7f", 1, "\"\x7f\"" },
		/* valid UTF-8 of each length is kept */
		{ "\xc3\xa9", 2, "\"\xc3\xa9\"" },
		{ "\xe2\x82\xac", 3, "\"\xe2\x82\xac\"" },
		{ "\xf0\x9f\x90\x99", 4, "\"\xf0\x9f\x90\x99\"" },
		{ "\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"" },
		/* invalid: one replacement per bad byte */
		{ "\xff", 1, "\"\\ufffd\"" },
		{ "\x80z", 2, "\"\\ufffdz\"" },
		{ "\xc3", 1, "\"\\ufffd\"" },			/* cut */
		{ "\xc3(", 2, "\"\\ufffd(\"" },
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },	/* overlong */
		{ "\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" }, /* D800 */
		{ "\xf4\x90\x80\x80", 4,
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },	/* > 10FFFF */
		{ "\xf5\x80", 2, "\"\\ufffd\\ufffd\"" },
		{ "\xe2\x82", 2, "\"\\ufffd\\ufffd\"" },
	};
	char	 big[1000], want[2100];
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case_mem("string", t[i].in, t[i].len);
		w_start();
		json_strn(&w, NULL, t[i].in, t[i].len);
		check_int(json_w_end(&w), ==, 0);
		check_str(w_text(), t[i].out);
	}
	test_case_end();

	/* Keys are escaped the same way. */
	w_start();
	json_obj_open(&w, NULL);
	json_u64(&w, "a\"\n\xff", 1);
	json_obj_close(&w);
	check_str(w_text(), "{\"a\\\"\\n\\ufffd\":1}");

	/* Longer than the writer's chunk, escapes across its edge. */
	for (i = 0; i < sizeof big; i++)
		big[i] = i % 3 == 0 ? '\n' : 'x';
	want[0] = '"';
	{
		size_t	 o = 1;

		for (i = 0; i < sizeof big; i++) {
			if (big[i] == '\n') {
				want[o++] = '\\';
				want[o++] = 'n';
			} else
				want[o++] = 'x';
		}
		want[o++] = '"';
		want[o] = '\0';
	}
	w_start();
	json_strn(&w, NULL, big, sizeof big);
	check_str(w_text(), want);
}

static void
test_w_numbers(void)
{
	w_start();
	json_arr_open(&w, NULL);
	json_u64(&w, NULL, UINT64_MAX);
	json_u64(&w, NULL, 0);
	json_i64(&w, NULL, INT64_MIN);
	json_i64(&w, NULL, INT64_MAX);
	json_dbl(&w, NULL, 0.5);
	json_dbl(&w, NULL, -1.25);
	json_dbl(&w, NULL, 1e20);
	json_dbl(&w, NULL, 1.0 / 3);
	json_dbl(&w, NULL, NAN);
	json_dbl(&w, NULL, INFINITY);
	json_dbl(&w, NULL, -INFINITY);
	json_arr_close(&w);
	check_int(json_w_end(&w), ==, 0);
	check_str(w_text(), "[18446744073709551615,0,-9223372036854775808,"
	    "9223372036854775807,0.5,-1.25,1e+20,0.333333,null,null,null]");

	/* NaN under a key is still a member. */
	w_start();
	json_obj_open(&w, NULL);
	json_dbl(&w, "x", NAN);
	json_dbl(&w, "y", 2);
	json_obj_close(&w);
	check_str(w_text(), "{\"x\":null,\"y\":2}");
}

static void
test_w_misuse(void)
{
	int	 i;

	/* A key inside an array. */
	w_start();
	json_arr_open(&w, NULL);
	json_u64(&w, "k", 1);
	check_int(w.error, !=, 0);
	json_u64(&w, NULL, 2);
	json_arr_close(&w);
	check_int(json_w_end(&w), ==, -1);
	check_str(w_text(), "[");

	/* No key inside an object. */
	w_start();
	json_obj_open(&w, NULL);
	json_str(&w, NULL, "v");
	check_int(w.error, !=, 0);
	check_str(w_text(), "{");

	/* A key at the top. */
	w_start();
	json_obj_open(&w, "k");
	check_int(w.error, !=, 0);
	check_str(w_text(), "");

	/* Close without open, and the wrong close. */
	w_start();
	json_obj_close(&w);
	check_int(w.error, !=, 0);
	w_start();
	json_arr_close(&w);
	check_int(w.error, !=, 0);
	w_start();
	json_arr_open(&w, NULL);
	json_obj_close(&w);
	check_int(w.error, !=, 0);
	check_int(json_w_end(&w), ==, -1);

	/* Depth 33. */
	w_start();
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		json_obj_open(&w, i == 0 ? NULL : "a");
	check_int(w.error, ==, 0);
	json_obj_open(&w, "a");
	check_int(w.error, !=, 0);
	check_int(strlen(w_text()), ==, 1 + 5 * (JSON_DEPTH_MAX - 1));
	w_start();
	for (i = 0; i <= JSON_DEPTH_MAX; i++)
		json_arr_open(&w, NULL);
	check_int(w.error, !=, 0);

	/* Two values at the top. */
	w_start();
	json_u64(&w, NULL, 1);
	json_u64(&w, NULL, 2);
	check_int(w.error, !=, 0);
	check_str(w_text(), "1");
	check_int(json_w_end(&w), ==, -1);
}

static void
test_w_end(void)
{
	/* Unbalanced: something left open. */
	w_start();
	json_obj_open(&w, NULL);
	json_arr_open(&w, "a");
	json_arr_close(&w);
	check_int(w.error, ==, 0);
	check_int(json_w_end(&w), ==, -1);
	json_obj_close(&w);
	check_int(json_w_end(&w), ==, 0);

	/* Nothing written is no document. */
	w_start();
	check_int(json_w_end(&w), ==, -1);
}

/* Parse the C string text; 0 or -1, the cause in *cause. */
static int
r_parse(struct json_doc *d, const char *text, const char **cause)
{
	*cause = NULL;
	return (json_parse(d, text, strlen(text), 1000, cause));
}

static void
test_r_tokens(void)
{
	static const char	 text[] =
	    " {\"a\": [1, -2.5e3, \"x\\\"y\"], \"b\": {}, \"c\": [[]],"
	    " \"d\": true, \"e\": null} ";
	static const struct {
		int		 type;
		const char	*text;	/* the token's [start, end) */
		uint32_t	 size;
		uint32_t	 next;
	} want[] = {
		{ JSON_OBJECT, NULL, 5, 15 },
		{ JSON_STRING, "a", 0, 2 },
		{ JSON_ARRAY, "[1, -2.5e3, \"x\\\"y\"]", 3, 6 },
		{ JSON_NUMBER, "1", 0, 4 },
		{ JSON_NUMBER, "-2.5e3", 0, 5 },
		{ JSON_STRING, "x\\\"y", 0, 6 },
		{ JSON_STRING, "b", 0, 7 },
		{ JSON_OBJECT, "{}", 0, 8 },
		{ JSON_STRING, "c", 0, 9 },
		{ JSON_ARRAY, "[[]]", 1, 11 },
		{ JSON_ARRAY, "[]", 0, 11 },
		{ JSON_STRING, "d", 0, 12 },
		{ JSON_BOOL, "true", 0, 13 },
		{ JSON_STRING, "e", 0, 14 },
		{ JSON_NULL, "null", 0, 15 },
	};
	struct json_doc		 d;
	const char		*cause;
	size_t			 i, n;

	check_int(r_parse(&d, text, &cause), ==, 0);
	check_int(d.ntok, ==, sizeof want / sizeof want[0]);
	if (d.ntok != sizeof want / sizeof want[0])
		return;
	for (i = 0; i < d.ntok; i++) {
		test_case("token %zu", i);
		check_int(d.tok[i].type, ==, want[i].type);
		check_int(d.tok[i].size, ==, want[i].size);
		check_int(d.tok[i].next, ==, want[i].next);
		if (want[i].text == NULL)
			continue;
		n = strlen(want[i].text);
		check_int(d.tok[i].end - d.tok[i].start, ==, n);
		check(memcmp(text + d.tok[i].start, want[i].text, n) == 0);
	}
	test_case_end();
	/* The top object spans from '{' to '}', without the blanks. */
	check_int(d.tok[0].start, ==, 1);
	check_int(d.tok[0].end, ==, strlen(text) - 1);
	json_doc_free(&d);
	check(d.tok == NULL);

	/* A scalar at the top. */
	check_int(r_parse(&d, "\"s\"", &cause), ==, 0);
	check_int(d.ntok, ==, 1);
	check_int(d.tok[0].type, ==, JSON_STRING);
	check_int(d.tok[0].start, ==, 1);
	check_int(d.tok[0].end, ==, 2);
	json_doc_free(&d);
	check_int(r_parse(&d, "\t-0\r\n", &cause), ==, 0);
	check_int(d.tok[0].type, ==, JSON_NUMBER);
	json_doc_free(&d);
}

static void
test_r_refuse(void)
{
	static const struct {
		const char	*text;
		size_t		 len;	/* 0: strlen */
		long		 at;	/* the byte named; -1: any */
	} t[] = {
		{ "", 0, 0 },
		{ "  ", 0, 2 },
		{ "01", 0, 1 },
		{ "-01", 0, 2 },
		{ "[00]", 0, 2 },
		{ "1.", 0, 2 },
		{ "1.e3", 0, 2 },
		{ ".5", 0, 0 },
		{ "-", 0, 1 },
		{ "-a", 0, 1 },
		{ "+1", 0, 0 },
		{ "1e", 0, 2 },
		{ "1e+", 0, 3 },
		{ "0x10", 0, 1 },
		{ "NaN", 0, 0 },
		{ "Infinity", 0, 0 },
		{ "-Infinity", 0, 1 },
		{ "[1,]", 0, 3 },
		{ "[1,,2]", 0, 3 },
		{ "[,1]", 0, 1 },
		{ "{\"a\":1,}", 0, 7 },
		{ "{,}", 0, 1 },
		{ "{a:1}", 0, 1 },
		{ "{'a':1}", 0, 1 },
		{ "['a']", 0, 1 },
		{ "{\"a\" 1}", 0, 5 },
		{ "{\"a\":}", 0, 5 },
		{ "{\"a\"}", 0, 4 },
		{ "{\"a\":1 \"b\":2}", 0, 7 },
		{ "[1 2]", 0, 3 },
		{ "[1:2]", 0, 2 },
		{ "{1:2}", 0, 1 },
		{ "\"a\x01\"", 0, 2 },
		{ "\"a\tb\"", 0, 2 },
		{ "\"a\nb\"", 0, 2 },
		{ "\"a\0b\"", 5, 2 },
		{ "\"\x1f\"", 0, 1 },
		{ "\"\\x\"", 0, 1 },
		{ "\"\\u12\"", 0, 1 },
		{ "\"\\u12g4\"", 0, 1 },
		{ "\"\\U0041\"", 0, 1 },
		{ "\"\\ud800\"", 0, 1 },
		{ "\"\\udc00\"", 0, 1 },
		{ "\"\\ud800\\u0041\"", 0, 1 },
		{ "\"\\ud800\\ud800\"", 0, 1 },
		{ "\"\\ud800x\"", 0, 1 },
		{ "\"abc", 0, 0 },
		{ "\"abc\\", 0, 0 },
		{ "\"abc\\\"", 0, 0 },
		{ "nul", 0, 0 },
		{ "tru", 0, 0 },
		{ "True", 0, 0 },
		{ "truex", 0, 4 },
		{ "nulll", 0, 4 },
		{ "1 2", 0, 2 },
		{ "{} {}", 0, 3 },
		{ "[", 0, 1 },
		{ "]", 0, 0 },
		{ "{", 0, 1 },
		{ "}", 0, 0 },
		{ "[}", 0, 1 },
		{ "{]", 0, 1 },
		{ "[[]", 0, 3 },
		{ "[]]", 0, 2 },
		{ "/* c */ 1", 0, 0 },
		{ "1 // c", 0, 2 },
		{ "\xef\xbb\xbf{}", 0, 0 },		/* a BOM */
		{ "\x0b" "1", 0, 0 },		/* not JSON whitespace */
		{ "1\f", 0, 1 },
		{ "\xc2\xa0" "1", 0, 0 },		/* nor is U+00A0 */
	};
	struct json_doc	 d;
	const char	*cause;
	char		 want[64];
	size_t		 i, len;
	int		 r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		len = t[i].len ? t[i].len : strlen(t[i].text);
		test_case_mem("text", t[i].text, len);
		cause = NULL;
		d.tok = (struct json_tok *)&d;	/* must be cleared */
		r = json_parse(&d, t[i].text, len, 1000, &cause);
		check_int(r, ==, -1);
		if (r == 0) {
			json_doc_free(&d);
			continue;
		}
		check(d.tok == NULL && d.ntok == 0);
		check(cause != NULL);
		if (cause == NULL)
			continue;
		snprintf(want, sizeof want, "at byte %ld: ", t[i].at);
		if (strncmp(cause, want, strlen(want)) != 0)
			printf("# cause: %s\n", cause);
		check(strncmp(cause, want, strlen(want)) == 0);
	}
	test_case_end();
	/* The causes say what is wrong, not only where. */
	check_int(r_parse(&d, "[01]", &cause), ==, -1);
	check_str(cause, "at byte 2: leading zero");
	check_int(r_parse(&d, "[1,]", &cause), ==, -1);
	check_str(cause, "at byte 3: value expected");
	check_int(r_parse(&d, "\"\\udc00\"", &cause), ==, -1);
	check_str(cause, "at byte 1: lone low surrogate");
	check_int(r_parse(&d, "{} x", &cause), ==, -1);
	check_str(cause, "at byte 3: text after the value");
}

/* n arrays deep with an element in the innermost: a parse's result. */
static int
r_nested(int n, int obj)
{
	struct json_doc	 d;
	const char	*cause;
	char		 text[400];
	int		 i, o = 0, r;

	for (i = 0; i < n; i++)
		o += snprintf(text + o, sizeof text - o, obj ? "{\"k\":" :
		    "[");
	o += snprintf(text + o, sizeof text - o, "0");
	for (i = 0; i < n; i++)
		text[o++] = obj ? '}' : ']';
	r = json_parse(&d, text, o, 1000, &cause);
	if (r == 0) {
		check_int(d.ntok, ==, obj ? 2 * n + 1 : n + 1);
		check_int(d.tok[0].next, ==, d.ntok);
		check_int(d.tok[obj ? 2 * (n - 1) : n - 1].size, ==, 1);
		check_int(d.tok[d.ntok - 1].type, ==, JSON_NUMBER);
		json_doc_free(&d);
	} else if (n == JSON_DEPTH_MAX + 1)
		check(strstr(cause, "deep") != NULL);
	return (r);
}

static void
test_r_depth(void)
{
	check_int(r_nested(JSON_DEPTH_MAX, 0), ==, 0);
	check_int(r_nested(JSON_DEPTH_MAX + 1, 0), ==, -1);
	check_int(r_nested(JSON_DEPTH_MAX, 1), ==, 0);
	check_int(r_nested(JSON_DEPTH_MAX + 1, 1), ==, -1);
}

static void
test_r_truncated(void)
{
	static const char	*docs[] = {
	    "{\"a\":[1,-2.5e+3,\"x\\u00e9\\ud83d\\udc19\\n\"],\"b\":{\"c\":"
	    "true,\"d\":false,\"e\":null},\"f\":[[],{}],\"g\":0}",
	    "[\"\\\\\", 0.5, 10E-2, {\"\":\"\"}]",
	};
	struct json_doc		 d;
	const char		*cause;
	char			*buf;
	size_t			 i, n, len;
	int			 r;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		len = strlen(docs[i]);
		check_int(json_parse(&d, docs[i], len, 1000, &cause), ==, 0);
		json_doc_free(&d);
		/* Each prefix in a buffer of its own size: ASan sees any */
		/* read past it. */
		for (n = 0; n < len; n++) {
			test_case("doc %zu cut to %zu bytes", i, n);
			if ((buf = malloc(n ? n : 1)) == NULL)
				abort();
			memcpy(buf, docs[i], n);
			cause = NULL;
			r = json_parse(&d, buf, n, 1000, &cause);
			check_int(r, ==, -1);
			check(cause != NULL &&
			    strncmp(cause, "at byte ", 8) == 0);
			if (r == 0)
				json_doc_free(&d);
			free(buf);
		}
	}
	test_case_end();

	/* A number's prefixes are numbers when they end on a digit. */
	len = strlen("-12.5e+3");
	for (n = 0; n <= len; n++) {
		test_case("-12.5e+3 cut to %zu bytes", n);
		if ((buf = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(buf, "-12.5e+3", n);
		r = json_parse(&d, buf, n, 1000, &cause);
		check_int(r, ==, n >= 2 && buf[n - 1] >= '0' &&
		    buf[n - 1] <= '9' ? 0 : -1);
		if (r == 0) {
			check_int(d.tok[0].end, ==, n);
			json_doc_free(&d);
		}
		free(buf);
	}
	test_case_end();
}

static void
test_r_max_tok(void)
{
	struct json_doc	 d;
	const char	*cause;
	const char	*text = "{\"a\":[1,2],\"b\":3}";	/* 7 tokens */

	check_int(json_parse(&d, text, strlen(text), 7, &cause), ==, 0);
	check_int(d.ntok, ==, 7);
	json_doc_free(&d);
	cause = NULL;
	check_int(json_parse(&d, text, strlen(text), 6, &cause), ==, -1);
	check_str(cause, "at byte 15: more than 6 values");
	check(d.tok == NULL);
	check_int(json_parse(&d, "1", 1, 0, &cause), ==, -1);
	check_int(json_parse(&d, "1", 1, 1, &cause), ==, 0);
	json_doc_free(&d);
	/* The count runs before the array: a bad tail still refuses. */
	check_int(json_parse(&d, "[1,2,3,", 7, 2, &cause), ==, -1);
}

static void
test_r_lookup(void)
{
	static const char	 text[] =
	    "{\"x\":{\"a\":1,\"b\":[{\"b\":9}]},\"b\":2,\"a\\u0062\":3,"
	    "\"b\":4,\"\":5,\"arr\":[10,[11,12],{\"q\":13},14]}";
	struct json_doc		 d;
	const char		*cause;
	uint64_t		 v;
	int			 arr, i;

	check_int(r_parse(&d, text, &cause), ==, 0);
	/* The top-level "b", not the nested ones; the first of two. */
	check_int(json_key_u64(&d, 0, "b", &v), ==, 0);
	check_int(v, ==, 2);
	/* An escaped name matches its value. */
	check_int(json_key_u64(&d, 0, "ab", &v), ==, 0);
	check_int(v, ==, 3);
	check_int(json_key_u64(&d, 0, "", &v), ==, 0);
	check_int(v, ==, 5);
	check_int(json_get(&d, 0, "a"), ==, -1);
	check_int(json_get(&d, 0, "abc"), ==, -1);
	check_int(json_get(&d, 0, "q"), ==, -1);
	check_int(json_key_u64(&d, json_get(&d, 0, "x"), "a", &v), ==, 0);
	check_int(v, ==, 1);
	/* Not an object, not a token. */
	check_int(json_get(&d, json_get(&d, 0, "b"), "a"), ==, -1);
	check_int(json_get(&d, -1, "a"), ==, -1);
	check_int(json_get(&d, d.ntok, "a"), ==, -1);

	arr = json_get(&d, 0, "arr");
	check_int(json_get_u64(&d, json_at(&d, arr, 0), &v), ==, 0);
	check_int(v, ==, 10);
	i = json_at(&d, arr, 1);
	check_int(d.tok[i].type, ==, JSON_ARRAY);
	check_int(json_get_u64(&d, json_at(&d, i, 1), &v), ==, 0);
	check_int(v, ==, 12);
	check_int(json_key_u64(&d, json_at(&d, arr, 2), "q", &v), ==, 0);
	check_int(v, ==, 13);
	check_int(json_get_u64(&d, json_at(&d, arr, 3), &v), ==, 0);
	check_int(v, ==, 14);
	check_int(json_at(&d, arr, 4), ==, -1);
	check_int(json_at(&d, arr, UINT32_MAX), ==, -1);
	check_int(json_at(&d, 0, 0), ==, -1);
	check_int(json_at(&d, -1, 0), ==, -1);
	json_doc_free(&d);
}

static void
test_r_numbers(void)
{
	static const struct {
		const char	*text;
		int		 u_ok;
		uint64_t	 u;
		int		 i_ok;
		int64_t		 i;
	} t[] = {
		{ "0", 1, 0, 1, 0 },
		{ "-0", 0, 0, 1, 0 },
		{ "42", 1, 42, 1, 42 },
		{ "-1", 0, 0, 1, -1 },
		{ "18446744073709551615", 1, UINT64_MAX, 0, 0 },
		{ "18446744073709551616", 0, 0, 0, 0 },
		{ "99999999999999999999", 0, 0, 0, 0 },
		{ "9223372036854775807", 1, INT64_MAX, 1, INT64_MAX },
		{ "9223372036854775808", 1, (uint64_t)INT64_MAX + 1, 0, 0 },
		{ "-9223372036854775808", 0, 0, 1, INT64_MIN },
		{ "-9223372036854775809", 0, 0, 0, 0 },
		{ "-18446744073709551616", 0, 0, 0, 0 },
		{ "1.0", 0, 0, 0, 0 },
		{ "1.5", 0, 0, 0, 0 },
		{ "1e3", 0, 0, 0, 0 },
		{ "1E0", 0, 0, 0, 0 },
		{ "-1e-3", 0, 0, 0, 0 },
		{ "1e99999", 0, 0, 0, 0 },
	};
	struct json_doc	 d;
	const char	*cause;
	char		 big[600];
	uint64_t	 u;
	int64_t		 i64;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case("%s", t[i].text);
		check_int(r_parse(&d, t[i].text, &cause), ==, 0);
		if (d.tok == NULL)
			continue;
		u = 7;
		i64 = 7;
		check_int(json_get_u64(&d, 0, &u), ==, t[i].u_ok ? 0 : -1);
		check(u == (t[i].u_ok ? t[i].u : 7));
		check_int(json_get_i64(&d, 0, &i64), ==, t[i].i_ok ? 0 : -1);
		check(i64 == (t[i].i_ok ? t[i].i : 7));
		json_doc_free(&d);
	}
	test_case_end();

	/* A huge number is JSON, but no integer. */
	big[0] = '1';
	memset(big + 1, '0', sizeof big - 2);
	big[sizeof big - 1] = '\0';
	check_int(r_parse(&d, big, &cause), ==, 0);
	check_int(json_get_u64(&d, 0, &u), ==, -1);
	check_int(json_get_i64(&d, 0, &i64), ==, -1);
	json_doc_free(&d);

	/* Other types are refused; a missing token too. */
	check_int(r_parse(&d, "[\"1\",true,null,{},[]]", &cause), ==, 0);
	for (i = 0; i < 5; i++) {
		test_case("element %zu", i);
		check_int(json_get_u64(&d, json_at(&d, 0, i), &u), ==, -1);
		check_int(json_get_i64(&d, json_at(&d, 0, i), &i64), ==, -1);
	}
	test_case_end();
	check_int(json_get_u64(&d, -1, &u), ==, -1);
	check_int(json_get_u64(&d, d.ntok, &u), ==, -1);
	check_int(json_key_u64(&d, 0, "a", &u), ==, -1);
	{
		int	 b = 7;

		check_int(json_get_bool(&d, json_at(&d, 0, 1), &b), ==, 0);
		check_int(b, ==, 1);
		b = 7;
		check_int(json_get_bool(&d, json_at(&d, 0, 0), &b), ==, -1);
		check_int(json_get_bool(&d, json_at(&d, 0, 2), &b), ==, -1);
		check_int(b, ==, 7);
	}
	json_doc_free(&d);
	check_int(r_parse(&d, "false", &cause), ==, 0);
	{
		int	 b = 7;

		check_int(json_get_bool(&d, 0, &b), ==, 0);
		check_int(b, ==, 0);
	}
	json_doc_free(&d);
}

static void
test_r_strings(void)
{
	static const struct {
		const char	*text;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "\"\"", "" },
		{ "\"plain\"", "plain" },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
		{ "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac" },
		{ "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
		    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf" },
		{ "\"\\ud83d\\udc19\"", "\xf0\x9f\x90\x99" },
		{ "\"\\uD800\\uDC00\\uDBFF\\uDFFF\"",
		    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf" },
		{ "\"raw \xc3\xa9 \xff kept\"", "raw \xc3\xa9 \xff kept" },
		{ "\"\\u0000\"", NULL },
		{ "\"a\\u0000b\"", NULL },
	};
	struct json_doc	 d;
	const char	*cause;
	char		 buf[64];
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		test_case_mem("string", t[i].text, strlen(t[i].text));
		check_int(r_parse(&d, t[i].text, &cause), ==, 0);
		if (d.tok == NULL)
			continue;
		snprintf(buf, sizeof buf, "untouched");
		check_int(json_get_str(&d, 0, buf, sizeof buf), ==,
		    t[i].want ? 0 : -1);
		check_str(buf, t[i].want ? t[i].want : "untouched");
		json_doc_free(&d);
	}
	test_case_end();

	/* The buffer: an exact fit, one byte short, none. */
	check_int(r_parse(&d, "[\"abc\\u00e9\",1]", &cause), ==, 0);
	check_int(json_get_str(&d, 1, buf, 6), ==, 0);
	check_str(buf, "abc\xc3\xa9");
	snprintf(buf, sizeof buf, "untouched");
	check_int(json_get_str(&d, 1, buf, 5), ==, -1);
	check_str(buf, "untouched");
	check_int(json_get_str(&d, 1, NULL, 0), ==, -1);
	/* Not a string, not a token. */
	check_int(json_get_str(&d, 0, buf, sizeof buf), ==, -1);
	check_int(json_get_str(&d, 2, buf, sizeof buf), ==, -1);
	check_int(json_get_str(&d, -1, buf, sizeof buf), ==, -1);
	check_int(json_get_str(&d, 3, buf, sizeof buf), ==, -1);
	check_str(buf, "untouched");
	json_doc_free(&d);

	check_int(r_parse(&d, "{\"k\":\"v\",\"n\":1}", &cause), ==, 0);
	check_int(json_key_str(&d, 0, "k", buf, sizeof buf), ==, 0);
	check_str(buf, "v");
	check_int(json_key_str(&d, 0, "n", buf, sizeof buf), ==, -1);
	check_int(json_key_str(&d, 0, "x", buf, sizeof buf), ==, -1);
	json_doc_free(&d);
}

/*
 * Everything the writer writes, the reader parses back, to the same
 * values (invalid UTF-8 as U+FFFD).
 */
static void
test_roundtrip(void)
{
	static const struct {
		const char	*in;
		const char	*back;
	} s[] = {
		{ "", "" },
		{ "a\"b\\c/d", "a\"b\\c/d" },
		{ "\b\f\n\r\t\x01\x1f\x7f", "\b\f\n\r\t\x01\x1f\x7f" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x99",
		    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x99" },
		{ "\xff" "a\xc3", "\xef\xbf\xbd" "a\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	};
	struct json_doc	 d;
	const char	*cause, *text;
	char		 buf[64], key[8];
	uint64_t	 u;
	int64_t		 i64;
	size_t		 i;
	int		 arr, b;

	w_start();
	json_obj_open(&w, NULL);
	json_arr_open(&w, "s");
	for (i = 0; i < sizeof s / sizeof s[0]; i++)
		json_str(&w, NULL, s[i].in);
	json_arr_close(&w);
	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		json_str(&w, key, s[i].in);
	}
	json_u64(&w, "u", UINT64_MAX);
	json_i64(&w, "i", INT64_MIN);
	json_dbl(&w, "d", -1.5e-7);
	json_dbl(&w, "nan", NAN);
	json_bool(&w, "t", 1);
	json_null(&w, "z");
	json_strn(&w, "nul", "a\0b", 3);
	json_obj_open(&w, "e");
	json_obj_close(&w);
	json_obj_open(&w, "\xff\n");
	json_u64(&w, "n", 1);
	json_obj_close(&w);
	json_obj_close(&w);
	check_int(json_w_end(&w), ==, 0);
	text = w_text();

	check_int(r_parse(&d, text, &cause), ==, 0);
	if (d.tok == NULL) {
		printf("# %s\n# %s\n", text, cause);
		return;
	}
	arr = json_get(&d, 0, "s");
	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		test_case("string %zu", i);
		check_int(json_get_str(&d, json_at(&d, arr, i), buf,
		    sizeof buf), ==, 0);
		check_str(buf, s[i].back);
		snprintf(key, sizeof key, "k%zu", i);
		check_int(json_key_str(&d, 0, key, buf, sizeof buf), ==, 0);
		check_str(buf, s[i].back);
	}
	test_case_end();
	check_int(json_key_u64(&d, 0, "u", &u), ==, 0);
	check(u == UINT64_MAX);
	check_int(json_get_i64(&d, json_get(&d, 0, "i"), &i64), ==, 0);
	check(i64 == INT64_MIN);
	check_int(d.tok[json_get(&d, 0, "d")].type, ==, JSON_NUMBER);
	check_int(d.tok[json_get(&d, 0, "nan")].type, ==, JSON_NULL);
	check_int(json_get_bool(&d, json_get(&d, 0, "t"), &b), ==, 0);
	check_int(b, ==, 1);
	check_int(d.tok[json_get(&d, 0, "z")].type, ==, JSON_NULL);
	/* \u0000 is JSON, but no C string. */
	check_int(d.tok[json_get(&d, 0, "nul")].type, ==, JSON_STRING);
	check_int(json_key_str(&d, 0, "nul", buf, sizeof buf), ==, -1);
	check_int(d.tok[json_get(&d, 0, "e")].size, ==, 0);
	check_int(json_key_u64(&d, json_get(&d, 0, "\xef\xbf\xbd\n"), "n",
	    &u), ==, 0);
	check_int(u, ==, 1);
	json_doc_free(&d);
}

int
main(void)
{
	TEST(test_w_nesting(), "writer: nesting, commas, keys, depth 32");
	TEST(test_w_escapes(), "writer: escapes, control characters, UTF-8");
	TEST(test_w_numbers(), "writer: u64 max, i64 min, doubles, NaN, inf");
	TEST(test_w_misuse(), "writer: misuse sets error, writes no more");
	TEST(test_w_end(), "writer: json_w_end on unbalanced and empty");
	TEST(test_r_tokens(), "reader: token layout, sizes, next, offsets");
	TEST(test_r_refuse(), "reader: each refusal, at its byte");
	TEST(test_r_depth(), "reader: depth 32 parses, 33 does not");
	TEST(test_r_truncated(), "reader: every truncation fails cleanly");
	TEST(test_r_max_tok(), "reader: at most max_tok tokens");
	TEST(test_r_lookup(), "reader: json_get, json_at, first key wins");
	TEST(test_r_numbers(), "reader: u64 and i64 range, no fractions");
	TEST(test_r_strings(), "reader: unescaping, surrogates, \\u0000, "
	    "buffer size");
	TEST(test_roundtrip(), "writer to reader round trip");
	evbuffer_free(out);
	return (test_done());
}
