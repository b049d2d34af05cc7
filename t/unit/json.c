/*
 * t/unit/json.c: unit tests for modules/json.c.  The writer: nesting and
 * commas, every escape, invalid UTF-8, the integer extremes, doubles,
 * each misuse and an unbalanced end.
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

int
main(void)
{
	TEST(test_w_nesting(), "writer: nesting, commas, keys, depth 32");
	TEST(test_w_escapes(), "writer: escapes, control characters, UTF-8");
	TEST(test_w_numbers(), "writer: u64 max, i64 min, doubles, NaN, inf");
	TEST(test_w_misuse(), "writer: misuse sets error, writes no more");
	TEST(test_w_end(), "writer: json_w_end on unbalanced and empty");
	evbuffer_free(out);
	return (test_done());
}
