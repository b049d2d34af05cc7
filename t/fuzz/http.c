/*
 * t/fuzz/http.c: libFuzzer target for modules/http.c.  The first byte
 * picks the parser: request heads (then the rewriter and the body framer
 * on what follows), response heads (rewritten and parsed again), or the
 * chunked framer fed whole and byte by byte, which must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 out[HTTP_REWRITE_MAX];

static void
fuzz_body(int kind, uint64_t blen, const uint8_t *p, size_t len)
{
	struct http_body a, b;
	ssize_t		 r, r1 = 0;
	size_t		 i, got = 0;

	http_body_init(&a, kind, blen);
	r = http_body_advance(&a, p, len);
	if (r > (ssize_t)len)
		abort();
	http_body_init(&b, kind, blen);
	for (i = 0; i < len && !b.done; i++) {
		if ((r1 = http_body_advance(&b, p + i, 1)) == -1)
			break;
		if (r1 > 1)
			abort();
		got += r1;
	}
	/* Whole and byte by byte agree on errors, ends and counts. */
	if ((r == -1) != (r1 == -1))
		abort();
	if (r == -1)
		return;
	if ((size_t)r != got || a.done != b.done)
		abort();
}

static void
fuzz_request(const uint8_t *p, size_t len)
{
	struct http_msg	 m;
	struct target	 t;
	uint64_t	 blen;
	ssize_t		 r, n;
	int		 kind;

	r = http_request_parse(&m, p, len);
	if (r == -1) {
		if (m.why == NULL || m.error < 400 || m.error > 505)
			abort();
		return;
	}
	if (r == 0)
		return;
	if ((size_t)r > len || r > HTTP_HEAD_MAX)
		abort();
	http_target(&m, &t);
	if (t.port == 0)
		abort();
	(void)http_keepalive(&m);
	if (m.method != HTTP_M_CONNECT) {
		n = http_request_rewrite(&m, p, HTTP_RW_VIA, out, sizeof out);
		if (n <= 0)
			abort();	/* HTTP_REWRITE_MAX always suffices */
	}
	kind = http_request_body(&m, &blen);
	fuzz_body(kind, blen, p + r, len - r);
}

static void
fuzz_response(const uint8_t *p, size_t len, int method)
{
	struct http_msg	 m, m2;
	uint64_t	 blen;
	ssize_t		 r, n, r2;
	int		 kind;

	r = http_response_parse(&m, p, len);
	if (r <= 0)
		return;
	if ((size_t)r > len)
		abort();
	n = http_response_rewrite(&m, p, 1, HTTP_RW_KEEPALIVE | HTTP_RW_VIA,
	    out, sizeof out);
	if (n <= 0)
		abort();
	/* What we send the client parses again, to the same status. */
	r2 = http_response_parse(&m2, (const uint8_t *)out, n);
	if (n <= HTTP_HEAD_MAX && m.nfields + 2 <= HTTP_FIELDS_MAX &&
	    (r2 != n || m2.status != m.status))
		abort();
	kind = http_response_body(&m, method, &blen);
	fuzz_body(kind, blen, p + r, len - r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	 mode;

	if (size < 1)
		return (0);
	mode = data[0];
	data++;
	size--;
	switch (mode % 4) {
	case 0:
		fuzz_request(data, size);
		break;
	case 1:
		fuzz_response(data, size, (mode & 0x10) ? HTTP_M_HEAD :
		    HTTP_M_GET);
		break;
	case 2:
		fuzz_body(HTTP_BODY_CHUNKED, 0, data, size);
		break;
	default:
		fuzz_body(HTTP_BODY_LENGTH, mode >> 2, data, size);
		break;
	}
	return (0);
}
