/*
 * t/unit/frame.c: unit tests for modules/frame.c, the control-link frame
 * codec.  Every frame type round-trips through encode, frame_parse and its
 * typed decoder; the wire bytes are checked against doc/protocol.md;
 * frame_parse sees every truncation, byte-at-a-time and pipelined input,
 * bad headers and the size limit; the typed decoders see short, long and
 * out-of-range payloads.  Buffers handed to the codec are exactly as long
 * as the bytes in them, so the ASan build catches any read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "frame.h"
#include "tap.h"

/* A payload in a heap block of exactly its size, wrapped in a frame. */
struct pf {
	struct frame	 f;
	uint8_t		*buf;
};

static void
pf_make(struct pf *p, uint8_t type, const void *payload, size_t len)
{
	p->buf = malloc(len ? len : 1);
	if (len != 0)
		memcpy(p->buf, payload, len);
	p->f.type = type;
	p->f.len = (uint16_t)len;
	p->f.payload = p->buf;
}

static void
pf_free(struct pf *p)
{
	free(p->buf);
	p->buf = NULL;
}

/*
 * Check a whole encoded frame: every proper prefix needs more (0), the
 * whole returns len; then parse it from an exact-size copy the caller
 * frees with pf_free.
 */
static void
frame_whole(const uint8_t *msg, size_t len, struct pf *p)
{
	const char	*cause;
	uint8_t		*copy;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < len; i++) {
		copy = malloc(i ? i : 1);
		memcpy(copy, msg, i);
		cause = NULL;
		if (frame_parse(copy, i, &p->f, &cause) != 0 || cause != NULL)
			bad++;
		free(copy);
	}
	check_int(bad, ==, 0);
	p->buf = malloc(len);
	memcpy(p->buf, msg, len);
	memset(&p->f, 0, sizeof p->f);
	check_int(frame_parse(p->buf, len, &p->f, &cause), ==, (int)len);
	check_int(p->f.type, ==, msg[0]);
	check_int(p->f.len, ==, len - FRAME_HEADER);
	check(p->f.payload == p->buf + FRAME_HEADER);
}

/* A typed decoder must refuse every proper prefix of a fixed payload. */
typedef int decode_fn(const struct frame *, const char **);

static void
refuse_prefixes(decode_fn *fn, uint8_t type, const uint8_t *payload,
    size_t len)
{
	struct pf	 p;
	const char	*cause;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < len; i++) {
		pf_make(&p, type, payload, i);
		cause = NULL;
		if (fn(&p.f, &cause) != -1 || cause == NULL)
			bad++;
		pf_free(&p);
	}
	check_int(bad, ==, 0);
}

/* Same payload plus one byte: "trailing bytes in frame". */
static void
refuse_trailing(decode_fn *fn, uint8_t type, const uint8_t *payload,
    size_t len)
{
	struct pf	 p;
	uint8_t		 buf[FRAME_PAYLOAD_MAX];
	const char	*cause = NULL;

	if (len != 0)
		memcpy(buf, payload, len);
	buf[len] = 0;
	pf_make(&p, type, buf, len + 1);
	check_int(fn(&p.f, &cause), ==, -1);
	/*
	 * DIAL's one optional byte is its mode, WELCOME's the hub's status
	 * version: 0 is neither.
	 */
	check_str(cause, type == FRAME_DIAL ? "bad mode in DIAL" :
	    type == FRAME_WELCOME ? "bad status version in WELCOME" :
	    "trailing bytes in frame");
	pf_free(&p);
	if (type != FRAME_DIAL && type != FRAME_WELCOME)
		return;
	buf[len] = type == FRAME_DIAL ? FRAME_DIAL_FRAMED :
	    FRAME_STATUS_VERSION;
	buf[len + 1] = 0;
	pf_make(&p, type, buf, len + 2);
	check_int(fn(&p.f, &cause), ==, -1);
	check_str(cause, "trailing bytes in frame");
	pf_free(&p);
}

/*
 * Decoder adaptors: each typed decoder parses into a scratch value of its
 * own type, so that all of them are a decode_fn.
 */
#define DECODER(name, type)						\
static int								\
dec_##name(const struct frame *f, const char **cause)			\
{									\
	type	 v;							\
									\
	return (frame_##name##_parse(f, &v, cause));			\
}
DECODER(hello, struct frame_hello)
DECODER(welcome, struct frame_welcome)
DECODER(stamp, uint64_t)
DECODER(dial, struct frame_dial)
DECODER(result, struct frame_result)
DECODER(bind, struct frame_bind)
DECODER(bye, struct frame_bye)
DECODER(status, struct frame_status)
#undef DECODER

static int
dec_redial(const struct frame *f, const char **cause)
{
	char	 why[256];

	return (frame_redial_parse(f, why, sizeof why, cause));
}

/* Run one decoder on one payload; returns its result, *cause set. */
static int
decode(decode_fn *fn, uint8_t type, const void *payload, size_t len,
    const char **cause)
{
	struct pf	 p;
	int		 r;

	*cause = NULL;
	pf_make(&p, type, payload, len);
	r = fn(&p.f, cause);
	pf_free(&p);
	return (r);
}

/*
 * A payload and what the decoder must say to it: want 0 (accepted), or -1
 * with this cause (NULL: any).  decode_cases runs a table of them through
 * one decoder, a failure naming the type and the payload.
 */
struct dcase {
	const char	*payload;
	size_t		 len;
	int		 want;
	const char	*cause;
};

static void
decode_cases(decode_fn *fn, uint8_t type, const struct dcase *c, size_t n)
{
	const char	*cause;
	size_t		 i;

	for (i = 0; i < n; i++, c++) {
		test_case_mem(frame_type_name(type), c->payload, c->len);
		check_int(decode(fn, type, c->payload, c->len, &cause), ==,
		    c->want);
		if (c->want == -1 && c->cause != NULL)
			check_str(cause, c->cause);
	}
	test_case_end();
}

/*
 * Round trips.
 */

static void
test_hello_roundtrip(void)
{
	static const uint8_t	 wire[] = { FRAME_HELLO, 0, 0, 50,
	    'T', 'N', 'T', 'C', 1, 1,
	    1, 5, 'n', 'o', 'd', 'e', '1',
	    2, 3, 'e', 'u', '1',
	    2, 7, 'd', 'e', 'f', 'a', 'u', 'l', 't',
	    3, 5, 'l', 'i', 'n', 'u', 'x',
	    4, 3, 'a', 'r', 'm',
	    5, 3, 't', ' ', '1',
	    6, 4, 0x01, 0x02, 0x03, 0x04 };
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	size_t			 n;

	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "node1", sizeof h.name);
	strlcpy(h.pools[0], "eu1", sizeof h.pools[0]);
	strlcpy(h.pools[1], "default", sizeof h.pools[1]);
	h.npools = 2;
	strlcpy(h.os, "linux", sizeof h.os);
	strlcpy(h.arch, "arm", sizeof h.arch);
	strlcpy(h.build, "t 1", sizeof h.build);
	h.node_id = 0x01020304;
	n = frame_hello_encode(out, &h);
	check_int(n, ==, sizeof wire);
	check_mem(out, wire, sizeof wire);

	frame_whole(out, n, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.version, ==, FRAME_VERSION);
	check_int(g.role, ==, FRAME_ROLE_NODE);
	check_str(g.name, "node1");
	check_int(g.npools, ==, 2);
	check_str(g.pools[0], "eu1");
	check_str(g.pools[1], "default");
	check_str(g.os, "linux");
	check_str(g.arch, "arm");
	check_str(g.build, "t 1");
	check_int(g.node_id, ==, 0x01020304);
	pf_free(&p);
}

static void
test_hello_admin(void)
{
	static const uint8_t	 wire[] = { FRAME_HELLO, 0, 0, 6,
	    'T', 'N', 'T', 'C', 1, 2 };
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;

	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_ADMIN;
	check_int(frame_hello_encode(out, &h), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.role, ==, FRAME_ROLE_ADMIN);
	check_str(g.name, "");
	check_int(g.npools, ==, 0);
	check_str(g.os, "");
	check_int(g.node_id, ==, 0);
	pf_free(&p);
}

/* Longest legal HELLO: 63-byte name, 16 pools of 31, full os/arch/build. */
static void
test_hello_max(void)
{
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	size_t			 n;
	int			 i;

	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	memset(h.name, 'N', FRAME_NAME_MAX);
	for (i = 0; i < FRAME_POOLS_MAX; i++) {
		memset(h.pools[i], 'a' + i, FRAME_POOL_MAX);
		h.pools[i][0] = '0' + i % 10;
	}
	h.npools = FRAME_POOLS_MAX;
	memset(h.os, 'o', FRAME_SHORT_MAX);
	memset(h.arch, '_', FRAME_SHORT_MAX);
	memset(h.build, '~', FRAME_BUILD_MAX);
	h.node_id = 0xffffffff;
	h.redial = FRAME_REDIAL_DIALINFO;
	h.rres = FRAME_RRES_SIGNAL;
	h.rres_code = 0xff;
	h.rres_ms = 0xffffffff;
	n = frame_hello_encode(out, &h);
	check_int(n, ==, FRAME_HEADER + 6 + 65 + 16 * 33 + 33 + 33 + 65 + 6 +
	    3 + 8);
	frame_whole(out, n, &p);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &h, sizeof g);
	pf_free(&p);

	/* A pool count out of range: the encoder refuses (a caller bug). */
	h.npools = FRAME_POOLS_MAX + 1;
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.npools = -1;
	check_int(frame_hello_encode(out, &h), ==, 0);
}

static void
test_welcome_roundtrip(void)
{
	static const uint8_t	 wire[] = { FRAME_WELCOME, 0, 0, 43,
	    1, 0, 0, 0, 7, 0, 0, 0x13, 0x88, 0, 0, 0x3a, 0x98, 0x11, 0x5b,
	    0x01, 0x00,
	    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	    9, 'h', 'u', 'b', '.', 'l', 'o', 'c', 'a', 'l' };
	struct frame_welcome	 w, g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	int			 i;

	memset(&w, 0, sizeof w);
	w.version = FRAME_VERSION;
	w.node_id = 7;
	w.heartbeat_ms = 5000;
	w.dial_ms = 15000;
	w.data_port = 4443;
	w.max_dials = 256;
	for (i = 0; i < FRAME_COOKIE_LEN; i++)
		w.cookie[i] = i;
	strlcpy(w.data_host, "hub.local", sizeof w.data_host);
	check_int(frame_welcome_encode(out, &w), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	memset(&g, 0, sizeof g);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.version, ==, 1);
	check_int(g.node_id, ==, 7);
	check_int(g.heartbeat_ms, ==, 5000);
	check_int(g.dial_ms, ==, 15000);
	check_int(g.data_port, ==, 4443);
	check_int(g.max_dials, ==, 256);
	check_mem(g.cookie, w.cookie, FRAME_COOKIE_LEN);
	check_str(g.data_host, "hub.local");
	pf_free(&p);

	/* Extreme legal values, a 255-byte data_host. */
	w.node_id = 0xffffffff;
	w.heartbeat_ms = 3600000;
	w.dial_ms = 0xffffffff;
	w.data_port = 65535;
	w.max_dials = 65535;
	memset(w.data_host, 'h', 255);
	w.data_host[255] = '\0';
	check_int(frame_welcome_encode(out, &w), ==, FRAME_HEADER + 33 + 1 +
	    255);
	frame_whole(out, FRAME_HEADER + 33 + 1 + 255, &p);
	memset(&g, 0, sizeof g);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &w, sizeof g);
	pf_free(&p);

	/* Empty data_host: "the host the node used". */
	w.data_host[0] = '\0';
	w.heartbeat_ms = 50;
	check_int(frame_welcome_encode(out, &w), ==, FRAME_HEADER + 34);
	frame_whole(out, FRAME_HEADER + 34, &p);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_str(g.data_host, "");
	check_int(g.heartbeat_ms, ==, 50);
	pf_free(&p);
}

static void
test_stamp_roundtrip(void)
{
	static const uint8_t	 ping[] = { FRAME_PING, 0, 0, 8,
	    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	uint64_t		 s = 0;

	check_int(frame_stamp_encode(out, FRAME_PING, 0x0123456789abcdefULL),
	    ==, sizeof ping);
	check_mem(out, ping, sizeof ping);
	frame_whole(out, sizeof ping, &p);
	check_int(frame_stamp_parse(&p.f, &s, &cause), ==, 0);
	check(s == 0x0123456789abcdefULL);
	pf_free(&p);

	check_int(frame_stamp_encode(out, FRAME_PONG, UINT64_MAX), ==, 12);
	check_int(out[0], ==, FRAME_PONG);
	frame_whole(out, 12, &p);
	check_int(frame_stamp_parse(&p.f, &s, &cause), ==, 0);
	check(s == UINT64_MAX);
	pf_free(&p);

	check_int(frame_stamp_encode(out, FRAME_PONG, 0), ==, 12);
	frame_whole(out, 12, &p);
	s = 1;
	check_int(frame_stamp_parse(&p.f, &s, &cause), ==, 0);
	check(s == 0);
	pf_free(&p);
}

static void
dial_roundtrip(const struct frame_dial *d, const uint8_t *wire, size_t len)
{
	struct frame_dial	 g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	size_t			 n;

	n = frame_dial_encode(out, d);
	check_int(n, ==, len);
	check_mem(out, wire, len);
	frame_whole(out, n, &p);
	memset(&g, 0x55, sizeof g);
	check_int(frame_dial_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.req, ==, d->req);
	check_int(g.target.atyp, ==, d->target.atyp);
	check_int(g.target.port, ==, d->target.port);
	check_mem(g.target.addr, d->target.addr, sizeof g.target.addr);
	check_str(g.target.host, d->target.host);
	check_int(g.mode, ==, d->mode);
	pf_free(&p);
}

static void
test_dial_roundtrip(void)
{
	static const uint8_t	 w4[] = { FRAME_DIAL, 0, 0, 11,
	    0, 0, 0, 1, 0x01, 0xbb, 1, 93, 184, 216, 34 };
	static const uint8_t	 w6[] = { FRAME_DIAL, 0, 0, 23,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 4,
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t	 wd[] = { FRAME_DIAL, 0, 0, 19,
	    0, 0, 0x30, 0x39, 0, 80, 3, 11,
	    'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g' };
	static const uint8_t	 wf[] = { FRAME_DIAL, 0, 0, 12,
	    0, 0, 0, 1, 0x01, 0xbb, 1, 93, 184, 216, 34, FRAME_DIAL_FRAMED };
	uint8_t			 wbig[FRAME_HEADER + 8 + 255];
	struct frame_dial	 d;

	memset(&d, 0, sizeof d);
	d.req = 1;
	d.target.atyp = TARGET_IPV4;
	d.target.port = 443;
	memcpy(d.target.addr, "\x5d\xb8\xd8\x22", 4);
	dial_roundtrip(&d, w4, sizeof w4);

	memset(&d, 0, sizeof d);
	d.req = 0xffffffff;
	d.target.atyp = TARGET_IPV6;
	d.target.port = 65535;
	memcpy(d.target.addr, w6 + 11, 16);
	dial_roundtrip(&d, w6, sizeof w6);

	memset(&d, 0, sizeof d);
	d.req = 12345;
	d.target.atyp = TARGET_DOMAIN;
	d.target.port = 80;
	strlcpy(d.target.host, "example.org", sizeof d.target.host);
	dial_roundtrip(&d, wd, sizeof wd);

	/* A 255-byte name, the longest a string holds. */
	memset(d.target.host, 'a', 255);
	d.target.host[255] = '\0';
	memcpy(wbig, "\x05\x00\x01\x07\x00\x00\x30\x39\x00\x50\x03\xff", 12);
	memset(wbig + 12, 'a', 255);
	dial_roundtrip(&d, wbig, sizeof wbig);

	/* Framed (a spare link, a node that offered it): one more byte. */
	memset(&d, 0, sizeof d);
	d.req = 1;
	d.target.atyp = TARGET_IPV4;
	d.target.port = 443;
	memcpy(d.target.addr, "\x5d\xb8\xd8\x22", 4);
	d.mode = FRAME_DIAL_FRAMED;
	dial_roundtrip(&d, wf, sizeof wf);
	d.mode = 2;
	check_int(frame_dial_encode(wbig, &d), ==, 0);
}

/*
 * Chunks of a framed relay: the three kinds, their lengths at every
 * bound, heads cut short, unknown kinds.
 */
static void
test_chunk(void)
{
	static const struct {
		uint8_t		 head[3];
		int		 rv;
		uint8_t		 kind;
		uint16_t	 len;
		const char	*cause;
	} c[] = {
		{ { 0, 0, 1 }, 3, FRAME_CHUNK_DATA, 1, NULL },
		{ { 0, 0x40, 0 }, 3, FRAME_CHUNK_DATA, 16384, NULL },
		{ { 0, 0x40, 1 }, -1, 0, 0, "relay chunk of a bad length" },
		{ { 0, 0xff, 0xff }, -1, 0, 0, "relay chunk of a bad length" },
		{ { 0, 0, 0 }, -1, 0, 0, "relay chunk of a bad length" },
		{ { 1, 0, 0 }, 3, FRAME_CHUNK_EOF, 0, NULL },
		{ { 1, 0, 1 }, -1, 0, 0, "relay mark with a payload" },
		{ { 2, 0, 0 }, 3, FRAME_CHUNK_RAW, 0, NULL },
		{ { 2, 1, 0 }, -1, 0, 0, "relay mark with a payload" },
		{ { 3, 0, 0 }, -1, 0, 0, "unknown relay chunk" },
		{ { 0xff, 0, 1 }, -1, 0, 0, "unknown relay chunk" },
	};
	struct frame_chunk	 ch;
	uint8_t			 out[3], *b;
	const char		*cause;
	size_t			 i, k;

	for (i = 0; i < nitems(c); i++) {
		test_case_mem("chunk head", c[i].head, 3);
		/* A head cut short needs more, whatever it holds. */
		for (k = 0; k < 3; k++) {
			b = malloc(k ? k : 1);
			memcpy(b, c[i].head, k);
			cause = NULL;
			check_int(frame_chunk_parse(b, k, &ch, &cause), ==, 0);
			check(cause == NULL);
			free(b);
		}
		b = malloc(3);
		memcpy(b, c[i].head, 3);
		cause = NULL;
		check_int(frame_chunk_parse(b, 3, &ch, &cause), ==, c[i].rv);
		free(b);
		if (c[i].rv == -1) {
			check_str(cause, c[i].cause);
			continue;
		}
		check_int(ch.kind, ==, c[i].kind);
		check_int(ch.len, ==, c[i].len);
		frame_chunk_head(out, ch.kind, ch.len);
		check_mem(out, c[i].head, 3);
	}
	test_case_end();
}


static void
test_result_bind_roundtrip(void)
{
	static const uint8_t	 wr[] = { FRAME_RESULT, 0, 0, 5,
	    0xde, 0xad, 0xbe, 0xef, DIAL_DNS };
	static const uint8_t	 wb[] = { FRAME_BIND, 0, 0, 25,
	    0, 0, 0, 9,
	    16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
	    0, 0, 1, 0, 0 };
	struct frame_result	 r, rg;
	struct frame_bind	 b, bg;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;
	int			 i;

	r.req = 0xdeadbeef;
	r.result = DIAL_DNS;
	check_int(frame_result_encode(out, &r), ==, sizeof wr);
	check_mem(out, wr, sizeof wr);
	frame_whole(out, sizeof wr, &p);
	check_int(frame_result_parse(&p.f, &rg, &cause), ==, 0);
	check_int(rg.req, ==, 0xdeadbeef);
	check_int(rg.result, ==, DIAL_DNS);
	pf_free(&p);

	/* Every legal result code, 1..DIAL_RESULT_MAX. */
	for (i = 1; i <= DIAL_RESULT_MAX; i++) {
		r.result = i;
		check_int(frame_result_encode(out, &r), ==, 9);
		frame_whole(out, 9, &p);
		check_int(frame_result_parse(&p.f, &rg, &cause), ==, 0);
		check_int(rg.result, ==, i);
		pf_free(&p);
	}

	b.node_id = 9;
	for (i = 0; i < FRAME_PROOF_LEN; i++)
		b.proof[i] = 16 - i;
	b.req = 256;
	b.result = DIAL_OK;
	check_int(frame_bind_encode(out, &b), ==, sizeof wb);
	check_mem(out, wb, sizeof wb);
	frame_whole(out, sizeof wb, &p);
	memset(&bg, 0x55, sizeof bg);
	check_int(frame_bind_parse(&p.f, &bg, &cause), ==, 0);
	check_int(bg.node_id, ==, 9);
	check_mem(bg.proof, b.proof, FRAME_PROOF_LEN);
	check_int(bg.req, ==, 256);
	check_int(bg.result, ==, 0);
	pf_free(&p);

	/* A BIND with a non-zero result decodes (treated as RESULT). */
	b.result = DIAL_RESULT_MAX;
	check_int(frame_bind_encode(out, &b), ==, sizeof wb);
	frame_whole(out, sizeof wb, &p);
	check_int(frame_bind_parse(&p.f, &bg, &cause), ==, 0);
	check_int(bg.result, ==, DIAL_RESULT_MAX);
	pf_free(&p);
}

static void
test_spare_roundtrip(void)
{
	static const uint8_t	 wp[] = { FRAME_SPARE, 0, 0, 20,
	    0, 0, 1, 2,
	    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t	 wt[] = { FRAME_SPARE_TARGET, 0, 0, 2,
	    0x01, 0x02 };
	struct frame_spare	 pl, pg;
	uint8_t			 out[FRAME_MAX], buf[sizeof wp + 1];
	struct pf		 p;
	const char		*cause = NULL;
	uint16_t		 t = 0;
	size_t			 i;

	pl.node_id = 258;
	for (i = 0; i < FRAME_PROOF_LEN; i++)
		pl.proof[i] = i + 1;
	check_int(frame_spare_encode(out, &pl), ==, sizeof wp);
	check_mem(out, wp, sizeof wp);
	frame_whole(out, sizeof wp, &p);
	memset(&pg, 0x55, sizeof pg);
	check_int(frame_spare_parse(&p.f, &pg, &cause), ==, 0);
	check_int(pg.node_id, ==, 258);
	check_mem(pg.proof, pl.proof, FRAME_PROOF_LEN);
	pf_free(&p);
	/* Short and long payloads, and the wrong type. */
	for (i = 0; i < 20; i++) {
		pf_make(&p, FRAME_SPARE, wp + 4, i);
		cause = NULL;
		check_int(frame_spare_parse(&p.f, &pg, &cause), ==, -1);
		check(cause != NULL);
		pf_free(&p);
	}
	memcpy(buf, wp + 4, 20);
	buf[20] = 0;
	pf_make(&p, FRAME_SPARE, buf, 21);
	check_int(frame_spare_parse(&p.f, &pg, &cause), ==, -1);
	check_str(cause, "trailing bytes in frame");
	pf_free(&p);
	pf_make(&p, FRAME_BIND, wp + 4, 20);
	check_int(frame_spare_parse(&p.f, &pg, &cause), ==, -1);
	check_str(cause, "unexpected frame type");
	pf_free(&p);

	check_int(frame_spare_target_encode(out, 258), ==, sizeof wt);
	check_mem(out, wt, sizeof wt);
	frame_whole(out, sizeof wt, &p);
	check_int(frame_spare_target_parse(&p.f, &t, &cause), ==, 0);
	check_int(t, ==, 258);
	pf_free(&p);
	pf_make(&p, FRAME_SPARE_TARGET, wt + 4, 1);
	check_int(frame_spare_target_parse(&p.f, &t, &cause), ==, -1);
	check_str(cause, "malformed SPARE_TARGET");
	pf_free(&p);
	pf_make(&p, FRAME_SPARE_TARGET, wp + 4, 3);
	check_int(frame_spare_target_parse(&p.f, &t, &cause), ==, -1);
	check_str(cause, "trailing bytes in frame");
	pf_free(&p);
}

static void
test_bye_roundtrip(void)
{
	static const uint8_t	 wire[] = { FRAME_BYE, 0, 0, 6,
	    FRAME_BYE_VERSION, 4, 'o', 'l', 'd', '!' };
	struct frame_bye	 g;
	uint8_t			 out[FRAME_MAX];
	char			 text[300];
	struct pf		 p;
	const char		*cause = NULL;

	check_int(frame_bye_encode(out, FRAME_BYE_VERSION, "old!"), ==,
	    sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	check_int(frame_bye_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.reason, ==, FRAME_BYE_VERSION);
	check_str(g.text, "old!");
	pf_free(&p);

	/* Empty text. */
	check_int(frame_bye_encode(out, FRAME_BYE_SHUTDOWN, ""), ==, 6);
	frame_whole(out, 6, &p);
	check_int(frame_bye_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.reason, ==, 0);
	check_str(g.text, "");
	pf_free(&p);

	/* 299 bytes of text: sent as its first 255. */
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	text[254] = 'E';
	check_int(frame_bye_encode(out, FRAME_BYE_REPLACED, text), ==,
	    FRAME_HEADER + 2 + 255);
	check_int(out[5], ==, 255);
	frame_whole(out, FRAME_HEADER + 2 + 255, &p);
	check_int(frame_bye_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.reason, ==, FRAME_BYE_REPLACED);
	check_int(strlen(g.text), ==, 255);
	check_mem(g.text, text, 255);
	check_int(g.text[254], ==, 'E');
	pf_free(&p);

	/* Exactly 255 and 256 bytes. */
	text[255] = '\0';
	check_int(frame_bye_encode(out, 0, text), ==, FRAME_HEADER + 2 + 255);
	text[255] = 'y';
	text[256] = '\0';
	check_int(frame_bye_encode(out, 0, text), ==, FRAME_HEADER + 2 + 255);
	check_int(out[FRAME_HEADER + 2 + 254], ==, 'E');
}

/*
 * frame_parse: headers, limits, streams.
 */

/* Header only: the verdict comes before any payload. */
static int
parse_header(uint8_t type, uint8_t flags, uint16_t len, const char **cause)
{
	uint8_t		*h = malloc(FRAME_HEADER);
	struct frame	 f;
	int		 r;

	h[0] = type;
	h[1] = flags;
	h[2] = len >> 8;
	h[3] = len & 0xff;
	*cause = NULL;
	r = frame_parse(h, FRAME_HEADER, &f, cause);
	free(h);
	return (r);
}

static void
test_parse_bad_header(void)
{
	static const uint8_t	 unknown[] = { 0x00, 0x10, 0x14,
	    0x15, 0x16, 0x20, 0x7f, 0x80, 0xff };
	static const uint8_t	 added[] = { FRAME_REDIAL, FRAME_STATUS };
	const char		*cause;
	size_t			 i;
	int			 t, known = 0;

	for (i = 0; i < sizeof unknown; i++) {
		check_int(parse_header(unknown[i], 0, 0, &cause), ==, -1);
		check_str(cause, "unknown frame type");
	}
	/* REDIAL 0x0e and STATUS 0x0f are frames now. */
	for (i = 0; i < sizeof added; i++) {
		check_int(parse_header(added[i], 0, 0, &cause), ==,
		    FRAME_HEADER);
		check(cause == NULL);
	}
	/*
	 * Exactly fifteen types are known: 0x01..0x0f.  0x10..0x14 (the
	 * admin frames of 0.1) are as unknown as 0xff.
	 */
	for (t = 0; t < 256; t++) {
		if (parse_header(t, 0, 0, &cause) == FRAME_HEADER) {
			known++;
			check(t >= 0x01 && t <= 0x0f);
		}
	}
	check_int(known, ==, 15);

	check_int(parse_header(FRAME_PING, 1, 8, &cause), ==, -1);
	check_str(cause, "reserved frame flags set");
	check_int(parse_header(FRAME_HELLO, 0x80, 0, &cause), ==, -1);
	check_str(cause, "reserved frame flags set");

	/* Too large: refused on the header alone. */
	check_int(parse_header(FRAME_BYE, 0, FRAME_PAYLOAD_MAX + 1, &cause),
	    ==, -1);
	check_str(cause, "frame too large");
	check_int(parse_header(FRAME_DIAL, 0, 0xffff, &cause), ==, -1);
	check_str(cause, "frame too large");
	/* Exactly the limit: wait for it. */
	check_int(parse_header(FRAME_BYE, 0, FRAME_PAYLOAD_MAX, &cause), ==,
	    0);
	check(cause == NULL);

	/* Fewer than 4 bytes of a bad header: still just "need more". */
	{
		uint8_t		 b[3] = { 0xff, 0xff, 0xff };
		struct frame	 f;

		cause = NULL;
		for (i = 0; i < 3; i++)
			check_int(frame_parse(b, i, &f, &cause), ==, 0);
		check(cause == NULL);
	}
}

/*
 * The admin frames of 0.1 (INFO_REQ 0x10 .. ADMIN_REPLY 0x14), as an old
 * client would send them: refused like any unknown type, on the header
 * alone, wherever they come in a stream, so that peer.c closes the link
 * with "unknown frame type" before it looks for a handler.
 */
static void
test_parse_retired_admin(void)
{
	/* INFO_REQ, and ADMIN(drain "n1") as 0.1 encoded them. */
	static const uint8_t	 info_req[] = { 0x10, 0, 0, 0 };
	static const uint8_t	 admin[] = { 0x13, 0, 0, 4, 1, 2, 'n', '1' };
	uint8_t			 buf[64];
	struct frame		 f;
	const char		*cause;
	size_t			 n;
	int			 t;

	for (t = 0x10; t <= 0x14; t++) {
		test_case("type 0x%02x", t);
		memcpy(buf, admin, sizeof admin);
		buf[0] = t;
		cause = NULL;
		check_int(frame_parse(buf, sizeof admin, &f, &cause), ==, -1);
		check_str(cause, "unknown frame type");
		cause = NULL;
		check_int(frame_parse(buf, FRAME_HEADER, &f, &cause), ==, -1);
		check_str(cause, "unknown frame type");
		check_str(frame_type_name(t), "unknown");
	}
	test_case_end();

	/* A PING, then INFO_REQ: the PING is taken, INFO_REQ refused. */
	n = frame_stamp_encode(buf, FRAME_PING, 1);
	memcpy(buf + n, info_req, sizeof info_req);
	cause = NULL;
	check_int(frame_parse(buf, n + sizeof info_req, &f, &cause), ==,
	    (int)n);
	check_int(f.type, ==, FRAME_PING);
	check_int(frame_parse(buf + n, sizeof info_req, &f, &cause), ==, -1);
	check_str(cause, "unknown frame type");
}

static void
test_parse_max(void)
{
	uint8_t		*buf;
	struct frame	 f;
	const char	*cause = NULL;
	struct pf	 p;

	buf = calloc(1, FRAME_MAX);
	buf[0] = FRAME_BYE;
	buf[2] = FRAME_PAYLOAD_MAX >> 8;
	buf[3] = FRAME_PAYLOAD_MAX & 0xff;
	check_int(frame_parse(buf, FRAME_MAX - 1, &f, &cause), ==, 0);
	check_int(frame_parse(buf, FRAME_MAX, &f, &cause), ==, FRAME_MAX);
	check_int(f.len, ==, FRAME_PAYLOAD_MAX);
	check_int(f.type, ==, FRAME_BYE);
	check(f.payload == buf + FRAME_HEADER);
	/* BYE with a 0-length string and 4094 bytes left over. */
	check_int(frame_bye_parse(&f, &(struct frame_bye){ 0 }, &cause), ==,
	    -1);
	check_str(cause, "trailing bytes in frame");
	free(buf);

	/* The whole 4100-byte frame, all of its 4100 prefixes. */
	buf = calloc(1, FRAME_MAX);
	buf[0] = FRAME_PING;
	buf[2] = 0x10;
	frame_whole(buf, FRAME_MAX, &p);
	check_int(frame_stamp_parse(&p.f, &(uint64_t){ 0 }, &cause), ==, -1);
	check_str(cause, "trailing bytes in frame");
	pf_free(&p);
	free(buf);
}

/* Frames of several types back to back, plus half of one more. */
static size_t
build_stream(uint8_t *buf, size_t *ends, int *n)
{
	struct frame_dial	 d;
	struct frame_result	 r = { 42, DIAL_REFUSED };
	struct frame_hello	 h;
	struct frame_policy	 pol;
	static const uint8_t	 nonce[FRAME_NONCE_LEN] = { 1, 2, 3 };
	size_t			 off = 0;
	int			 i = 0;

	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "pipe", sizeof h.name);
	off += frame_hello_encode(buf + off, &h);
	ends[i++] = off;
	off += frame_stamp_encode(buf + off, FRAME_PING, 77);
	ends[i++] = off;
	off += frame_spare_target_encode(buf + off, 3);
	ends[i++] = off;
	memset(&d, 0, sizeof d);
	d.req = 42;
	d.target.atyp = TARGET_DOMAIN;
	d.target.port = 8080;
	strlcpy(d.target.host, "pipelined.example", sizeof d.target.host);
	off += frame_dial_encode(buf + off, &d);
	ends[i++] = off;
	off += frame_result_encode(buf + off, &r);
	ends[i++] = off;
	off += frame_bye_encode(buf + off, FRAME_BYE_SHUTDOWN, "bye");
	ends[i++] = off;
	off += frame_blob_encode(buf + off, FRAME_CHALLENGE, nonce,
	    sizeof nonce);
	ends[i++] = off;
	off += frame_redial_encode(buf + off, "new address");
	ends[i++] = off;
	memset(&pol, 0, sizeof pol);
	pol.n = 1;
	pol.e[0].port = 25;
	off += frame_policy_encode(buf + off, &pol);
	ends[i++] = off;
	*n = i;
	/* Half a PONG: must stay unconsumed. */
	frame_stamp_encode(buf + off, FRAME_PONG, 1);
	return (off + 6);
}

static const uint8_t stream_types[] = { FRAME_HELLO, FRAME_PING,
    FRAME_SPARE_TARGET, FRAME_DIAL, FRAME_RESULT, FRAME_BYE, FRAME_CHALLENGE,
    FRAME_REDIAL, FRAME_POLICY };

static void
test_parse_pipelined(void)
{
	uint8_t			 tmp[1024], *buf;
	size_t			 ends[10], len, off = 0;
	struct frame		 f;
	struct frame_dial	 d;
	char			 why[64];
	const char		*cause = NULL;
	int			 n, i = 0, r;

	len = build_stream(tmp, ends, &n);
	check_int(n, ==, 9);
	buf = malloc(len);
	memcpy(buf, tmp, len);
	while ((r = frame_parse(buf + off, len - off, &f, &cause)) > 0) {
		check(i < n);
		if (i >= n)
			break;
		check_int(f.type, ==, stream_types[i]);
		off += (size_t)r;
		check_int(off, ==, ends[i]);
		if (f.type == FRAME_DIAL) {
			check_int(frame_dial_parse(&f, &d, &cause), ==, 0);
			check_str(d.target.host, "pipelined.example");
		}
		if (f.type == FRAME_REDIAL) {
			check_int(frame_redial_parse(&f, why, sizeof why,
			    &cause), ==, 0);
			check_str(why, "new address");
		}
		i++;
	}
	check_int(r, ==, 0);
	check_int(i, ==, 9);
	check_int(off, ==, ends[8]);
	check_int(len - off, ==, 6);
	free(buf);
}

/* The same stream arriving one byte at a time, as a reader sees it. */
static void
test_parse_bytewise(void)
{
	uint8_t		 tmp[1024], *buf;
	size_t		 ends[10], len, have, off = 0;
	struct frame	 f;
	const char	*cause = NULL;
	int		 n, i = 0, r, early = 0;

	len = build_stream(tmp, ends, &n);
	for (have = 1; have <= len; have++) {
		/* A fresh exact-size buffer each time: no stale reads. */
		buf = malloc(have - off ? have - off : 1);
		memcpy(buf, tmp + off, have - off);
		r = frame_parse(buf, have - off, &f, &cause);
		check(r >= 0);
		if (r > 0) {
			check(i < n);
			if (i >= n || off + (size_t)r != ends[i] ||
			    have != ends[i] || f.type != stream_types[i])
				early++;
			off += (size_t)r;
			i++;
		}
		free(buf);
	}
	check_int(early, ==, 0);
	check_int(i, ==, 9);
	check_int(off, ==, ends[8]);
}

/*
 * Typed decoders: malformed payloads.
 */

/* Fixed-layout payloads, each valid as is. */
static const uint8_t p_welcome[] = { 1, 0, 0, 0, 1, 0, 0, 0x13, 0x88,
    0, 0, 0x3a, 0x98, 0x11, 0x5b, 0, 8,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    3, 'h', 'u', 'b' };
static const uint8_t p_stamp[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t p_dial4[] = { 0, 0, 0, 1, 0, 80, 1, 8, 8, 8, 8 };
static const uint8_t p_dial6[] = { 0, 0, 0, 1, 0, 80, 4,
    0x26, 0x06, 0x28, 0, 0x02, 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t p_diald[] = { 0, 0, 0, 1, 0, 80, 3, 3, 'a', '.', 'b' };
static const uint8_t p_result[] = { 0, 0, 0, 1, DIAL_TIMEOUT };
static const uint8_t p_bind[] = { 0, 0, 0, 1,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 2, 0 };
static const uint8_t p_bye[] = { 1, 3, 'b', 'a', 'd' };
static const uint8_t p_redial[] = { 3, 'w', 'h', 'y' };
static const uint8_t p_status[] = { 0 };

/*
 * The fixtures above, each valid as type: every proper prefix and one byte
 * more are refused, and so is the payload under each type in wrong[]
 * (0: none).
 */
static const struct fixture {
	const char	*name;
	decode_fn	*fn;
	uint8_t		 type;
	uint8_t		 wrong[2];
	const uint8_t	*payload;
	size_t		 len;
} fixtures[] = {
	{ "WELCOME", dec_welcome, FRAME_WELCOME, { FRAME_HELLO, 0 },
	    p_welcome, sizeof p_welcome },
	{ "PING", dec_stamp, FRAME_PING, { FRAME_DIAL, 0 },
	    p_stamp, sizeof p_stamp },
	{ "PONG", dec_stamp, FRAME_PONG, { 0, 0 },
	    p_stamp, sizeof p_stamp },
	{ "DIAL IPv4", dec_dial, FRAME_DIAL, { FRAME_RESULT, 0 },
	    p_dial4, sizeof p_dial4 },
	{ "DIAL IPv6", dec_dial, FRAME_DIAL, { 0, 0 },
	    p_dial6, sizeof p_dial6 },
	{ "DIAL domain", dec_dial, FRAME_DIAL, { 0, 0 },
	    p_diald, sizeof p_diald },
	{ "RESULT", dec_result, FRAME_RESULT, { FRAME_BIND, 0 },
	    p_result, sizeof p_result },
	{ "BIND", dec_bind, FRAME_BIND, { FRAME_SPARE, 0 },
	    p_bind, sizeof p_bind },
	/* BYE and REDIAL look alike: each wants its own. */
	{ "BYE", dec_bye, FRAME_BYE, { FRAME_PING, FRAME_REDIAL },
	    p_bye, sizeof p_bye },
	{ "REDIAL", dec_redial, FRAME_REDIAL, { FRAME_BYE, 0 },
	    p_redial, sizeof p_redial },
	/* STATUS available: one byte, and nothing after it. */
	{ "STATUS", dec_status, FRAME_STATUS, { FRAME_SPARE_TARGET,
	    FRAME_REDIAL }, p_status, sizeof p_status },
};

static void
test_decoders_short_trailing(void)
{
	const struct fixture	*fx;
	const char		*cause;

	for (fx = fixtures; fx < fixtures + nitems(fixtures); fx++) {
		test_case("%s fixture", fx->name);
		check_int(decode(fx->fn, fx->type, fx->payload, fx->len,
		    &cause), ==, 0);
		refuse_prefixes(fx->fn, fx->type, fx->payload, fx->len);
		refuse_trailing(fx->fn, fx->type, fx->payload, fx->len);
	}
	test_case_end();

	/* A string whose length byte runs past the payload. */
	check_int(decode(dec_bye, FRAME_BYE, "\x01\x05" "abcd", 6, &cause),
	    ==, -1);
	check_str(cause, "malformed BYE");
}

static void
test_decoders_wrong_type(void)
{
	const struct fixture	*fx;
	const char		*cause;
	size_t			 i;

	for (fx = fixtures; fx < fixtures + nitems(fixtures); fx++) {
		for (i = 0; i < nitems(fx->wrong) && fx->wrong[i] != 0; i++) {
			test_case("%s fixture as %s", fx->name,
			    frame_type_name(fx->wrong[i]));
			check_int(decode(fx->fn, fx->wrong[i], fx->payload,
			    fx->len, &cause), ==, -1);
			check_str(cause, "unexpected frame type");
		}
	}
	test_case_end();
	check_int(decode(dec_hello, FRAME_WELCOME, "TNTC\x01\x02", 6,
	    &cause), ==, -1);
	check_str(cause, "unexpected frame type");
}

/* Parse a HELLO payload: "TNTC" version role, then attrs. */
static int
hello(const void *payload, size_t len, struct frame_hello *h,
    const char **cause)
{
	struct pf	 p;
	int		 r;

	*cause = NULL;
	pf_make(&p, FRAME_HELLO, payload, len);
	r = frame_hello_parse(&p.f, h, cause);
	pf_free(&p);
	return (r);
}

#define HNODE	"TNTC\x01\x01"
#define HADMIN	"TNTC\x01\x02"
#define HNAME	"\x01\x02n1"

static void
test_hello_errors(void)
{
	static const struct dcase	 bad[] = {
		/* Bad magic: the hub closes without a word. */
		{ "TNTX\x01\x02", 6, FRAME_EMAGIC, "bad magic" },
		{ "tntc\x01\x02", 6, FRAME_EMAGIC, "bad magic" },
		{ "TNTC", 0, FRAME_EMAGIC, "bad magic" },
		{ "TNTC", 1, FRAME_EMAGIC, "bad magic" },
		{ "TNTC", 2, FRAME_EMAGIC, "bad magic" },
		{ "TNTC", 3, FRAME_EMAGIC, "bad magic" },
		{ "TNTC", 4, -1, "short HELLO" },
		{ "TNTC\x01", 5, -1, "short HELLO" },
		/* Version: the hub answers BYE(version) on this exact cause. */
		{ "TNTC\x00\x02", 6, FRAME_EVERSION, "unsupported protocol version" },
		{ "TNTC\xff\x02", 6, FRAME_EVERSION, "unsupported protocol version" },
		/* Role. */
		{ "TNTC\x01\x00" HNAME, 10, -1, "unknown role" },
		{ "TNTC\x01\x03" HNAME, 10, -1, "unknown role" },
		/* A node must name itself; an admin need not. */
		{ HNODE, 6, -1, "HELLO without a node name" },
		{ HNODE "\x02\x01p", 9, -1, "HELLO without a node name" },
		{ HADMIN, 6, 0, NULL },
		/* Attribute framing. */
		{ HNODE HNAME "\x03", 11, -1, "truncated HELLO attribute" },
		{ HNODE HNAME "\x03\x05" "lin", 15, -1,
		    "truncated HELLO attribute" },
		{ HNODE "\x01\x03n1", 10, -1, "truncated HELLO attribute" },
	};
	struct frame_hello	 h;
	const char		*cause;

	decode_cases(dec_hello, FRAME_HELLO, bad, nitems(bad));
	check_int(hello("TNTC\x02\x01" HNAME, 10, &h, &cause), ==, FRAME_EVERSION);
	check_str(cause, "unsupported protocol version");
	check_int(h.version, ==, 2);
	check_int(hello(HNODE HNAME, 10, &h, &cause), ==, 0);
	check_str(h.name, "n1");
	check_int(h.npools, ==, 0);
}

static void
test_hello_names(void)
{
	static const char	*bad[] = { "a b", "a/b", "a:b", "n\x7f",
	    "caf\xc3\xa9", "a\tb", "@", "a+b", "" };
	uint8_t			 buf[8 + 300];
	struct frame_hello	 h;
	const char		*cause;
	size_t			 i, n;

	memcpy(buf, HNODE, 6);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = strlen(bad[i]);
		buf[6] = 1;
		buf[7] = n;
		memcpy(buf + 8, bad[i], n);
		test_case_mem("node name", bad[i], n);
		check_int(hello(buf, 8 + n, &h, &cause), ==, -1);
		check_str(cause, "bad node name");
	}
	test_case_end();
	/* NUL inside a name. */
	check_int(hello(HNODE "\x01\x03" "a\0b", 11, &h, &cause), ==, -1);
	check_str(cause, "bad node name");

	/* 63 bytes is the limit, every legal character class. */
	buf[6] = 1;
	buf[7] = 63;
	memset(buf + 8, 'z', 63);
	memcpy(buf + 8, "AZaz09._-", 9);
	check_int(hello(buf, 8 + 63, &h, &cause), ==, 0);
	check_int(strlen(h.name), ==, 63);
	check_mem(h.name, "AZaz09._-", 9);
	buf[7] = 64;
	buf[8 + 63] = 'z';
	check_int(hello(buf, 8 + 64, &h, &cause), ==, -1);
	check_str(cause, "bad node name");

	/* Twice named. */
	check_int(hello(HNODE HNAME HNAME, 14, &h, &cause), ==, -1);
	check_str(cause, "bad node name");
}

static void
test_hello_pools(void)
{
	static const struct dcase	 bad[] = {
		{ HNODE HNAME "\x02\x00", 12, -1,
		    "bad pool name or too many pools" },
		{ HNODE HNAME "\x02\x02" "a b", 14, -1, NULL },
		{ HNODE HNAME "\x02\x03" "a b", 15, -1,
		    "bad pool name or too many pools" },
	};
	uint8_t			 buf[1024];
	struct frame_hello	 h;
	const char		*cause;
	size_t			 off;
	int			 i;

	memcpy(buf, HNODE HNAME, 10);
	off = 10;
	for (i = 0; i < 17; i++) {
		buf[off++] = 2;
		buf[off++] = 31;
		memset(buf + off, 'a' + i, 31);
		off += 31;
		if (i == 15) {
			/* 16 pools: fine. */
			check_int(hello(buf, off, &h, &cause), ==, 0);
			check_int(h.npools, ==, 16);
			check_int(h.pools[15][30], ==, 'a' + 15);
			check_int(strlen(h.pools[15]), ==, 31);
		}
	}
	check_int(hello(buf, off, &h, &cause), ==, -1);
	check_str(cause, "bad pool name or too many pools");

	/* Pool name limits and charset. */
	decode_cases(dec_hello, FRAME_HELLO, bad, nitems(bad));
	memcpy(buf, HNODE HNAME "\x02\x20", 12);
	memset(buf + 12, 'p', 32);
	check_int(hello(buf, 12 + 32, &h, &cause), ==, -1);
	check_str(cause, "bad pool name or too many pools");
}

static void
test_hello_attrs(void)
{
	static const struct dcase	 cases[] = {
		/* 10 and 254 too; 8 and 9 are redial and redial_result now. */
		{ HNODE HNAME "\x0a\x01" "x" "\xfe\x00", 15, 0, NULL },
		{ HNODE HNAME "\x08\x03" "xyz", 15, -1,
		    "bad redial attribute" },
		{ HNODE HNAME "\x09\x03" "xyz", 15, -1,
		    "bad redial result attribute" },
		/* node_id: exactly 4 bytes. */
		{ HNODE HNAME "\x06\x03\x00\x00\x01", 15, -1,
		    "bad node_id attribute" },
		{ HNODE HNAME "\x06\x05\x00\x00\x00\x01\x00", 17, -1,
		    "bad node_id attribute" },
		{ HNODE HNAME "\x06\x00", 12, -1, "bad node_id attribute" },
		/* os/arch/build: printable bytes only. */
		{ HNODE HNAME "\x03\x02" "a\n", 14, -1, "bad os attribute" },
		{ HNODE HNAME "\x04\x02" "a\0", 14, -1, "bad arch attribute" },
		{ HNODE HNAME "\x05\x02" "a\x80", 14, -1,
		    "bad build attribute" },
	};
	uint8_t			 buf[512];
	struct frame_hello	 h;
	const char		*cause;

	/* Unknown keys (200, 0, 255) are skipped, even long ones. */
	memcpy(buf, HNODE "\xc8\x03" "xyz" "\x00\x00" HNAME "\xff\xff", 19);
	memset(buf + 19, 0xee, 255);
	memcpy(buf + 274, "\x03\x05" "linux", 7);
	check_int(hello(buf, 281, &h, &cause), ==, 0);
	check_str(h.name, "n1");
	check_str(h.os, "linux");
	check_int(h.npools, ==, 0);
	check_int(h.redial, ==, FRAME_REDIAL_NONE);
	check_int(h.rres, ==, FRAME_RRES_NONE);
	decode_cases(dec_hello, FRAME_HELLO, cases, nitems(cases));

	/* node_id: exactly 4 bytes. */
	check_int(hello(HNODE HNAME "\x06\x04\x00\x00\x01\x00", 16, &h,
	    &cause), ==, 0);
	check_int(h.node_id, ==, 256);

	/* os/arch: 31 printable bytes; build: 63. */
	memcpy(buf, HNODE HNAME "\x03\x1f", 12);
	memset(buf + 12, 'o', 31);
	check_int(hello(buf, 12 + 31, &h, &cause), ==, 0);
	check_int(strlen(h.os), ==, 31);
	buf[11] = 32;
	buf[12 + 31] = 'o';
	check_int(hello(buf, 12 + 32, &h, &cause), ==, -1);
	check_str(cause, "bad os attribute");
	buf[10] = 4;
	check_int(hello(buf, 12 + 32, &h, &cause), ==, -1);
	check_str(cause, "bad arch attribute");
	buf[10] = 5;
	buf[11] = 63;
	memset(buf + 12, 'b', 64);
	check_int(hello(buf, 12 + 63, &h, &cause), ==, 0);
	check_int(strlen(h.build), ==, 63);
	buf[11] = 64;
	check_int(hello(buf, 12 + 64, &h, &cause), ==, -1);
	check_str(cause, "bad build attribute");
	check_int(hello(HNODE HNAME "\x05\x0b" "tentacle 1!", 23, &h,
	    &cause), ==, 0);
	check_str(h.build, "tentacle 1!");
}

/* HELLO redial (8) and redial_result (9): the node's own redial action. */
/* HELLO attribute 10: the node's relay framing, 1 byte, not 0. */
static void
test_hello_relay(void)
{
	static const struct dcase	 bad[] = {
		{ HNODE HNAME "\x0a\x01\x00", 13, -1,
		    "bad relay framing attribute" },
		{ HNODE HNAME "\x0a\x02\x01\x01", 14, -1,
		    "bad relay framing attribute" },
		{ HNODE HNAME "\x0a\x00", 12, -1,
		    "bad relay framing attribute" },
	};
	static const uint8_t	 wire[] = { FRAME_HELLO, 0, 0, 13,
	    'T', 'N', 'T', 'C', 1, 1,
	    1, 2, 'n', '1',
	    10, 1, FRAME_RELAY_VERSION };
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX];
	struct pf		 p;
	const char		*cause = NULL;

	decode_cases(dec_hello, FRAME_HELLO, bad, nitems(bad));
	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "n1", sizeof h.name);
	h.relay = FRAME_RELAY_VERSION;
	check_int(frame_hello_encode(out, &h), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &h, sizeof g);
	pf_free(&p);
	/* A later framing version: the hub speaks ours. */
	check_int(hello(HNODE HNAME "\x0a\x01\x07", 13, &g, &cause), ==, 0);
	check_int(g.relay, ==, FRAME_RELAY_VERSION);
	/* Without it (an older node): none. */
	check_int(hello(HNODE HNAME, 10, &g, &cause), ==, 0);
	check_int(g.relay, ==, 0);
}

static void
test_hello_redial(void)
{
	static const struct dcase	 bad[] = {
		/* redial (8): exactly one byte, 0..2. */
		{ HNODE HNAME "\x08\x01\x03", 13, -1, "bad redial attribute" },
		{ HNODE HNAME "\x08\x01\xff", 13, -1, "bad redial attribute" },
		{ HNODE HNAME "\x08\x02\x01\x00", 14, -1,
		    "bad redial attribute" },
		{ HNODE HNAME "\x08\x00", 12, -1, "bad redial attribute" },
		{ HNODE HNAME "\x08\x02\x01", 13, -1,
		    "truncated HELLO attribute" },
		/* In an admin HELLO too, before the name in a node's. */
		{ HADMIN "\x08\x01\x03", 9, -1, "bad redial attribute" },
	};
	static const uint8_t	 badres[] = { FRAME_RRES_NONE,
	    FRAME_RRES_SIGNAL + 1, 0xff };
	static const uint8_t	 wire[] = { FRAME_HELLO, 0, 0, 21,
	    'T', 'N', 'T', 'C', 1, 1,
	    1, 2, 'n', '1',
	    8, 1, FRAME_REDIAL_DIALINFO,
	    9, 6, FRAME_RRES_FAILED, 3, 0x01, 0x02, 0x03, 0x04 };
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX], buf[32];
	struct pf		 p;
	const char		*cause = NULL;
	int			 i;

	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "n1", sizeof h.name);
	h.redial = FRAME_REDIAL_DIALINFO;
	h.rres = FRAME_RRES_FAILED;
	h.rres_code = 3;
	h.rres_ms = 0x01020304;
	check_int(frame_hello_encode(out, &h), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &h, sizeof g);
	pf_free(&p);

	/* Redial alone (a command), no result: only attribute 8. */
	h.redial = FRAME_REDIAL_COMMAND;
	h.rres = FRAME_RRES_NONE;
	h.rres_code = 0;
	h.rres_ms = 0;
	check_int(frame_hello_encode(out, &h), ==, FRAME_HEADER + 6 + 4 + 3);
	check_mem(out + FRAME_HEADER + 10, "\x08\x01\x01", 3);
	frame_whole(out, FRAME_HEADER + 13, &p);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &h, sizeof g);
	pf_free(&p);

	/* Neither: no attribute 8 or 9 at all (as before redial). */
	h.redial = FRAME_REDIAL_NONE;
	check_int(frame_hello_encode(out, &h), ==, FRAME_HEADER + 6 + 4);

	/* A result without a redial kind, every status 1..5. */
	for (i = FRAME_RRES_OK; i <= FRAME_RRES_SIGNAL; i++) {
		h.rres = i;
		h.rres_code = 0x80 + i;
		h.rres_ms = 0xfffffff0 + i;
		check_int(frame_hello_encode(out, &h), ==,
		    FRAME_HEADER + 6 + 4 + 8);
		check_int(out[FRAME_HEADER + 10], ==, 9);
		frame_whole(out, FRAME_HEADER + 18, &p);
		memset(&g, 0xaa, sizeof g);
		check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
		check_int(g.redial, ==, FRAME_REDIAL_NONE);
		check_int(g.rres, ==, i);
		check_int(g.rres_code, ==, 0x80 + i);
		check_int(g.rres_ms, ==, 0xfffffff0 + i);
		pf_free(&p);
	}

	/* The encoder refuses a redial kind 3 or a result status 6. */
	h.rres = FRAME_RRES_NONE;
	h.redial = FRAME_REDIAL_DIALINFO + 1;
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.redial = 0xff;
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.redial = FRAME_REDIAL_NONE;
	h.rres = FRAME_RRES_SIGNAL + 1;
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.rres = FRAME_RRES_SIGNAL;
	check(frame_hello_encode(out, &h) != 0);

	/* Decoding: redial is exactly one byte, 0..2. */
	check_int(hello(HNODE HNAME "\x08\x01\x00", 13, &g, &cause), ==, 0);
	check_int(g.redial, ==, FRAME_REDIAL_NONE);
	check_int(hello(HNODE HNAME "\x08\x01\x02", 13, &g, &cause), ==, 0);
	check_int(g.redial, ==, FRAME_REDIAL_DIALINFO);
	decode_cases(dec_hello, FRAME_HELLO, bad, nitems(bad));
	check_int(hello(HNODE "\x08\x01\x01" HNAME, 13, &g, &cause), ==, 0);
	check_int(g.redial, ==, FRAME_REDIAL_COMMAND);
	check_str(g.name, "n1");

	/* redial_result: 6 bytes, status 1..5. */
	memcpy(buf, HNODE HNAME "\x09\x06\x01\x00\x00\x00\x00\x00", 18);
	check_int(hello(buf, 18, &g, &cause), ==, 0);
	check_int(g.rres, ==, FRAME_RRES_OK);
	check_int(g.rres_ms, ==, 0);
	for (i = 0; i < (int)nitems(badres); i++) {
		buf[12] = badres[i];
		test_case("redial result status %d", badres[i]);
		check_int(hello(buf, 18, &g, &cause), ==, -1);
		check_str(cause, "bad redial result attribute");
	}
	test_case_end();
	buf[12] = FRAME_RRES_TIMEOUT;
	check_int(hello(buf, 18, &g, &cause), ==, 0);
	check_int(g.rres, ==, FRAME_RRES_TIMEOUT);
	/* Length 5 and 7 (the value's bytes all there). */
	buf[11] = 5;
	check_int(hello(buf, 17, &g, &cause), ==, -1);
	check_str(cause, "bad redial result attribute");
	buf[11] = 7;
	buf[18] = 0;
	check_int(hello(buf, 19, &g, &cause), ==, -1);
	check_str(cause, "bad redial result attribute");
	buf[11] = 0;
	check_int(hello(buf, 12, &g, &cause), ==, -1);
	check_str(cause, "bad redial result attribute");
	/* Every cut after attribute 9's key is "truncated". */
	buf[11] = 6;
	for (i = 11; i < 18; i++) {
		check_int(hello(buf, i, &g, &cause), ==, -1);
		check_str(cause, "truncated HELLO attribute");
	}
}

static void
test_redial_roundtrip(void)
{
	/* Bad payloads: nothing, a length past the end, a NUL, extra. */
	static const struct dcase	 bad[] = {
		{ "", 0, -1, "malformed REDIAL" },
		{ "\x04" "abc", 4, -1, "malformed REDIAL" },
		{ "\x03" "a\0c", 4, -1, "malformed REDIAL" },
		{ "\x00\x00", 2, -1, "trailing bytes in frame" },
	};
	static const uint8_t	 wire[] = { FRAME_REDIAL, 0, 0, 11,
	    10, 'a', 'd', 'm', 'i', 'n', ' ', 's', 'a', 'i', 'd' };
	uint8_t			 out[FRAME_MAX];
	char			 why[256], text[300], small[5];
	struct pf		 p;
	const char		*cause = NULL;

	check_int(frame_redial_encode(out, "admin said"), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	memset(why, 'x', sizeof why);
	check_int(frame_redial_parse(&p.f, why, sizeof why, &cause), ==, 0);
	check_str(why, "admin said");
	/* A short buffer gets a NUL-terminated prefix, never more. */
	memset(small, 'x', sizeof small);
	check_int(frame_redial_parse(&p.f, small, 4, &cause), ==, 0);
	check_str(small, "adm");
	check_int(small[4], ==, 'x');
	pf_free(&p);

	/* Empty reason. */
	check_int(frame_redial_encode(out, ""), ==, FRAME_HEADER + 1);
	check_int(out[4], ==, 0);
	frame_whole(out, FRAME_HEADER + 1, &p);
	why[0] = 'x';
	check_int(frame_redial_parse(&p.f, why, sizeof why, &cause), ==, 0);
	check_str(why, "");
	pf_free(&p);

	/* 255 bytes fit; 256 is refused (unlike BYE, nothing is cut). */
	memset(text, 'r', sizeof text);
	text[255] = '\0';
	check_int(frame_redial_encode(out, text), ==, FRAME_HEADER + 256);
	frame_whole(out, FRAME_HEADER + 256, &p);
	check_int(frame_redial_parse(&p.f, why, sizeof why, &cause), ==, 0);
	check_int(strlen(why), ==, 255);
	pf_free(&p);
	text[255] = 'r';
	text[256] = '\0';
	check_int(frame_redial_encode(out, text), ==, 0);

	decode_cases(dec_redial, FRAME_REDIAL, bad, nitems(bad));
}

static void
test_welcome_errors(void)
{
	uint8_t		 buf[sizeof p_welcome];
	const char	*cause;

	memcpy(buf, p_welcome, sizeof buf);
	buf[8] = 49;				/* heartbeat 49 ms */
	buf[7] = 0;
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, -1);
	check_str(cause, "WELCOME values out of range");
	buf[8] = 50;
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, 0);
	memcpy(buf + 5, "\x00\x36\xee\x81", 4);	/* 3600001 */
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, -1);
	check_str(cause, "WELCOME values out of range");
	memcpy(buf + 5, "\x00\x36\xee\x80", 4);	/* 3600000 */
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, 0);
	memcpy(buf + 9, "\x00\x00\x00\x00", 4);	/* dial_ms 0 */
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, -1);
	check_str(cause, "WELCOME values out of range");
	memcpy(buf, p_welcome, sizeof buf);
	memcpy(buf + 13, "\x00\x00", 2);	/* data_port 0 */
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, -1);
	check_str(cause, "WELCOME values out of range");
	/* data_host with a NUL. */
	memcpy(buf, p_welcome, sizeof buf);
	buf[sizeof buf - 2] = '\0';
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof buf,
	    &cause), ==, -1);
	check_str(cause, "malformed WELCOME");
}

static void
test_dial_errors(void)
{
	static const struct dcase	 bad[] = {
		/* Bad atyp 2 (and 0, 5, 0xff), with or without address. */
		{ "\0\0\0\1\0\x50\x02\1\2\3\4", 11, -1,
		    "bad address type in DIAL" },
		{ "\0\0\0\1\0\x50\x02", 7, -1, "bad address type in DIAL" },
		{ "\0\0\0\1\0\x50\x00\1\2\3\4", 11, -1,
		    "bad address type in DIAL" },
		{ "\0\0\0\1\0\x50\x05\1\2\3\4", 11, -1,
		    "bad address type in DIAL" },
		{ "\0\0\0\1\0\x50\xff", 7, -1, "bad address type in DIAL" },
		/* Domain: empty, NUL inside (255 bytes fine: below). */
		{ "\0\0\0\1\0\x50\x03\x00", 8, -1, "empty host name in DIAL" },
		{ "\0\0\0\1\0\x50\x03\x03" "a\0b", 11, -1, "malformed DIAL" },
		{ "\0\0\0\1\0\x50\x03\x01\0", 9, -1, "malformed DIAL" },
		/* An IPv4 DIAL carrying 16 address bytes; IPv6 carrying 4. */
		{ "\0\0\0\1\0\x50\x01" "0123456789abcdef", 23, -1,
		    "bad mode in DIAL" },
		/* The mode byte: 1 only (0 is "absent", never sent). */
		{ "\0\0\0\1\0\x50\x01\1\2\3\4\0", 12, -1,
		    "bad mode in DIAL" },
		{ "\0\0\0\1\0\x50\x01\1\2\3\4\2", 12, -1,
		    "bad mode in DIAL" },
		{ "\0\0\0\1\0\x50\x01\1\2\3\4\1\1", 13, -1,
		    "trailing bytes in frame" },
		{ "\0\0\0\1\0\x50\x01\1\2\3\4\1", 12, 0, NULL },
		{ "\0\0\0\1\0\x50\x04\1\2\3\4", 11, -1, "malformed DIAL" },
		/* req 0, port 0, in every address type (IPv6: below). */
		{ "\0\0\0\0\0\x50\x01\1\2\3\4", 11, -1,
		    "DIAL with request id or port 0" },
		{ "\0\0\0\1\0\0\x01\1\2\3\4", 11, -1,
		    "DIAL with request id or port 0" },
		{ "\0\0\0\0\0\x50\x03\x01h", 9, -1,
		    "DIAL with request id or port 0" },
		{ "\0\0\0\1\0\0\x03\x01h", 9, -1,
		    "DIAL with request id or port 0" },
	};
	struct frame_dial	 d;
	struct pf		 p;
	uint8_t			 big[FRAME_MAX];
	const char		*cause;

	decode_cases(dec_dial, FRAME_DIAL, bad, nitems(bad));

	/* A 255-byte domain is fine. */
	memcpy(big, "\0\0\0\1\0\x50\x03\xff", 8);
	memset(big + 8, 'd', 255);
	pf_make(&p, FRAME_DIAL, big, 8 + 255);
	check_int(frame_dial_parse(&p.f, &d, &cause), ==, 0);
	check_int(strlen(d.target.host), ==, 255);
	pf_free(&p);

	/* IPv6 with req and port 0. */
	memcpy(big, p_dial6, sizeof p_dial6);
	big[4] = big[5] = 0;
	check_int(decode(dec_dial, FRAME_DIAL, big, sizeof p_dial6, &cause),
	    ==, -1);
	check_str(cause, "DIAL with request id or port 0");

	/* The encoder refuses what the decoder would. */
	memset(&d, 0, sizeof d);
	d.req = 1;
	d.target.port = 1;
	d.target.atyp = 2;
	check_int(frame_dial_encode(big, &d), ==, 0);
}

static void
test_result_bind_errors(void)
{
	static const struct dcase	 result[] = {
		{ "\0\0\0\1\0", 5, -1, "bad result code in RESULT" },
		{ "\0\0\0\1\x0b", 5, -1, "bad result code in RESULT" },
		{ "\0\0\0\1\xff", 5, -1, "bad result code in RESULT" },
		{ "\0\0\0\1\x0a", 5, 0, NULL },
	};
	/* A BIND's last byte: result code, and what the decoder says. */
	static const struct {
		uint8_t	 code;
		int	 want;
	} bind[] = { { 11, -1 }, { 0xff, -1 }, { 10, 0 } };
	uint8_t		 buf[sizeof p_bind];
	const char	*cause;
	size_t		 i;

	decode_cases(dec_result, FRAME_RESULT, result, nitems(result));

	memcpy(buf, p_bind, sizeof buf);
	for (i = 0; i < nitems(bind); i++) {
		buf[sizeof buf - 1] = bind[i].code;
		test_case("BIND result code %d", bind[i].code);
		check_int(decode(dec_bind, FRAME_BIND, buf, sizeof buf,
		    &cause), ==, bind[i].want);
		if (bind[i].want == -1)
			check_str(cause, "bad result code in BIND");
	}
	test_case_end();
}

static void
test_stamp_errors(void)
{
	const char	*cause;

	check_int(decode(dec_stamp, FRAME_PING, p_stamp, 7, &cause), ==, -1);
	check_str(cause, "malformed PING/PONG");
	check_int(decode(dec_stamp, FRAME_PONG, "123456789", 9, &cause), ==,
	    -1);
	check_str(cause, "trailing bytes in frame");
}

static void
test_names(void)
{
	static const struct {
		const char	*name;
		size_t		 max;
		int		 valid;
	} names[] = {
		{ "", FRAME_NAME_MAX, 0 },
		{ "a", FRAME_NAME_MAX, 1 },
		{ "A.b_c-9", FRAME_NAME_MAX, 1 },
		{ ".", 1, 1 },
		{ "-", 1, 1 },
		{ "_", 1, 1 },
		{ "ab", 1, 0 },
		{ "a b", 10, 0 },
		{ "a/b", 10, 0 },
		{ "a:b", 10, 0 },
		{ "a@b", 10, 0 },
		{ "a\x7f", 10, 0 },
		{ "\xc3\xa9", 10, 0 },
		{ "a\n", 10, 0 },
		/* The characters just outside each legal range. */
		{ "`", 10, 0 },
		{ "{", 10, 0 },
		{ "@", 10, 0 },
		{ "[", 10, 0 },
		{ "/", 10, 0 },
		{ ":", 10, 0 },
		{ ",", 10, 0 },
		{ "^", 10, 0 },
		{ "azAZ09", 10, 1 },
	};
	char	 s[80];
	size_t	 i;

	for (i = 0; i < nitems(names); i++) {
		test_case_mem("name", names[i].name, strlen(names[i].name));
		check_int(frame_name_valid(names[i].name, names[i].max), ==,
		    names[i].valid);
	}
	test_case_end();

	memset(s, 'x', sizeof s);
	s[FRAME_NAME_MAX] = '\0';
	check_int(frame_name_valid(s, FRAME_NAME_MAX), ==, 1);
	s[FRAME_NAME_MAX] = 'x';
	s[FRAME_NAME_MAX + 1] = '\0';
	check_int(frame_name_valid(s, FRAME_NAME_MAX), ==, 0);
	s[FRAME_POOL_MAX] = '\0';
	check_int(frame_name_valid(s, FRAME_POOL_MAX), ==, 1);
	s[FRAME_POOL_MAX] = 'x';
	s[FRAME_POOL_MAX + 1] = '\0';
	check_int(frame_name_valid(s, FRAME_POOL_MAX), ==, 0);
}

static void
test_type_names(void)
{
	static const struct {
		uint8_t		 type;
		const char	*name;
	} types[] = {
		{ FRAME_HELLO, "HELLO" },
		{ FRAME_SPARE, "SPARE" },
		{ FRAME_BYE, "BYE" },
		{ 0, "unknown" },
		{ 0x0a, "CHALLENGE" },
		{ 0x0b, "AUTH" },
		{ 0x0c, "POLICY" },
		{ 0x0d, "SPARE_TARGET" },
		{ 0x0e, "REDIAL" },
		{ 0x0f, "STATUS" },
		/* The admin frames of 0.1 are gone. */
		{ 0x10, "unknown" },
		{ 0x11, "unknown" },
		{ 0x12, "unknown" },
		{ 0x13, "unknown" },
		{ 0x14, "unknown" },
		{ 0x15, "unknown" },
		{ 0xff, "unknown" },
	};
	size_t	 i;

	for (i = 0; i < nitems(types); i++) {
		test_case("type 0x%02x", types[i].type);
		check_str(frame_type_name(types[i].type), types[i].name);
	}
	test_case_end();
}

static void
test_challenge_auth(void)
{
	uint8_t			 out[FRAME_MAX], nonce[FRAME_NONCE_LEN];
	uint8_t			 got[FRAME_NONCE_LEN];
	struct frame		 f;
	struct frame_hello	 h, hg;
	const char		*cause = NULL;
	size_t			 n, i;

	for (i = 0; i < sizeof nonce; i++)
		nonce[i] = i * 7;
	n = frame_blob_encode(out, FRAME_CHALLENGE, nonce, sizeof nonce);
	check_int(n, ==, FRAME_HEADER + FRAME_NONCE_LEN);
	check_int(frame_parse(out, n, &f, &cause), ==, (int)n);
	check_int(frame_blob_parse(&f, FRAME_CHALLENGE, got, sizeof got,
	    &cause), ==, 0);
	check_mem(got, nonce, sizeof nonce);
	/* Wrong type, and a length that is not exactly the blob's. */
	check_int(frame_blob_parse(&f, FRAME_AUTH, got, sizeof got, &cause),
	    ==, -1);
	check_int(frame_blob_parse(&f, FRAME_CHALLENGE, got, sizeof got - 1,
	    &cause), ==, -1);

	/* HELLO carries the token key id once, 8 bytes exactly. */
	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "n1", sizeof h.name);
	memcpy(h.kid, "ABCDEFGH", FRAME_KID_LEN);
	h.has_kid = 1;
	n = frame_hello_encode(out, &h);
	check_int(frame_parse(out, n, &f, &cause), ==, (int)n);
	check_int(frame_hello_parse(&f, &hg, &cause), ==, 0);
	check_int(hg.has_kid, ==, 1);
	check_mem(hg.kid, "ABCDEFGH", FRAME_KID_LEN);
	/* A second kid attribute is an error. */
	memcpy(out + n, "\x07" "\x08" "ABCDEFGH", 10);
	out[3] += 10;
	check_int(frame_parse(out, n + 10, &f, &cause), ==, (int)n + 10);
	check_int(frame_hello_parse(&f, &hg, &cause), ==, -1);
}

static void
test_policy(void)
{
	struct frame_policy	 p, g;
	uint8_t			 out[FRAME_MAX];
	struct frame		 f;
	const char		*cause = NULL;
	size_t			 n;
	int			 i;

	memset(&p, 0, sizeof p);
	p.n = 3;
	p.e[0].family = 4;
	p.e[0].bits = 8;
	p.e[0].addr[0] = 10;
	p.e[1].family = 6;
	p.e[1].bits = 7;
	p.e[1].addr[0] = 0xfc;
	p.e[2].family = 0;
	p.e[2].port = 8080;
	n = frame_policy_encode(out, &p);
	check_int(n, ==, FRAME_HEADER + 1 + 6 + 18 + 3);
	check_int(frame_parse(out, n, &f, &cause), ==, (int)n);
	check_int(frame_policy_parse(&f, &g, &cause), ==, 0);
	check_int(g.n, ==, 3);
	check_mem(&g.e[0], &p.e[0], sizeof p.e[0]);
	check_mem(&g.e[1], &p.e[1], sizeof p.e[1]);
	check_int(g.e[2].port, ==, 8080);
	/* Every truncation is an error, never an over-read. */
	for (i = 0; i < (int)n - FRAME_HEADER; i++) {
		f.len = i;
		check_int(frame_policy_parse(&f, &g, &cause), ==, -1);
	}
	/* 65 entries, a /33 and family 5 are refused. */
	p.n = FRAME_POLICY_MAX + 1;
	check_int(frame_policy_encode(out, &p), ==, 0);
	out[4] = FRAME_POLICY_MAX + 1;
	f.len = 1;
	f.payload = out + 4;
	check_int(frame_policy_parse(&f, &g, &cause), ==, -1);
	p.n = 1;
	p.e[0].bits = 33;
	n = frame_policy_encode(out, &p);
	check_int(frame_parse(out, n, &f, &cause), ==, (int)n);
	check_int(frame_policy_parse(&f, &g, &cause), ==, -1);
	p.e[0].family = 5;
	check_int(frame_policy_encode(out, &p), ==, 0);
}

/*
 * STATUS: available (one byte) and paused with a reason, their wire bytes,
 * every bad form, and the encoder's refusals.
 */
static void
test_status(void)
{
	static const struct dcase	 bad[] = {
		{ "", 0, -1, "malformed STATUS" },
		{ "\x02", 1, -1, "unknown state in STATUS" },
		{ "\xff" "x", 2, -1, "unknown state in STATUS" },
		{ "\x01", 1, -1, "STATUS paused without a reason" },
		/* A reason when available, or any byte after it. */
		{ "\x00" "metered", 8, -1, "trailing bytes in frame" },
		{ "\x00\x00", 2, -1, "trailing bytes in frame" },
		/* Printable ASCII only: no control byte, NUL, DEL, UTF-8. */
		{ "\x01" "a\nb", 4, -1, "STATUS reason not printable" },
		{ "\x01" "ab\0", 4, -1, "STATUS reason not printable" },
		{ "\x01\x7f", 2, -1, "STATUS reason not printable" },
		{ "\x01" "caf\xc3\xa9", 6, -1,
		    "STATUS reason not printable" },
		{ "\x01\x1f", 2, -1, "STATUS reason not printable" },
	};
	static const uint8_t	 wire_avail[] = { FRAME_STATUS, 0, 0, 1, 0 };
	static const uint8_t	 wire_paused[] = { FRAME_STATUS, 0, 0, 16,
	    1, 'm', 'e', 't', 'e', 'r', 'e', 'd', ' ', 'n', 'e', 't', 'w', 'o',
	    'r', 'k' };
	struct frame_status	 s, g;
	uint8_t			 out[FRAME_MAX], buf[FRAME_PAYLOAD_MAX];
	struct pf		 p;
	const char		*cause = NULL;

	memset(&s, 0, sizeof s);
	s.state = FRAME_STATUS_AVAILABLE;
	check_int(frame_status_encode(out, &s), ==, sizeof wire_avail);
	check_mem(out, wire_avail, sizeof wire_avail);
	frame_whole(out, sizeof wire_avail, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_status_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.state, ==, FRAME_STATUS_AVAILABLE);
	check_str(g.reason, "");
	pf_free(&p);

	s.state = FRAME_STATUS_PAUSED;
	strlcpy(s.reason, "metered network", sizeof s.reason);
	check_int(frame_status_encode(out, &s), ==, sizeof wire_paused);
	check_mem(out, wire_paused, sizeof wire_paused);
	frame_whole(out, sizeof wire_paused, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_status_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.state, ==, FRAME_STATUS_PAUSED);
	check_str(g.reason, "metered network");
	pf_free(&p);
	/* Every proper prefix of the paused frame but the 1-byte state. */
	refuse_prefixes(dec_status, FRAME_STATUS, wire_paused + FRAME_HEADER,
	    2);

	/* 63 printable bytes (space and ~ too) fit; 64 do not. */
	buf[0] = FRAME_STATUS_PAUSED;
	memset(buf + 1, '~', 64);
	buf[1] = ' ';
	check_int(decode(dec_status, FRAME_STATUS, buf, 1 + 63, &cause), ==,
	    0);
	check_int(decode(dec_status, FRAME_STATUS, buf, 1 + 64, &cause), ==,
	    -1);
	check_str(cause, "STATUS reason too long");
	memset(buf + 1, 'r', 200);
	check_int(decode(dec_status, FRAME_STATUS, buf, 1 + 200, &cause), ==,
	    -1);
	check_str(cause, "STATUS reason too long");
	memset(s.reason, 'r', FRAME_REASON_MAX);
	s.reason[FRAME_REASON_MAX] = '\0';
	check_int(frame_status_encode(out, &s), ==, FRAME_HEADER + 1 +
	    FRAME_REASON_MAX);
	frame_whole(out, FRAME_HEADER + 1 + FRAME_REASON_MAX, &p);
	check_int(frame_status_parse(&p.f, &g, &cause), ==, 0);
	check_str(g.reason, s.reason);
	pf_free(&p);

	decode_cases(dec_status, FRAME_STATUS, bad, nitems(bad));

	/* The encoder writes no frame the parser would refuse. */
	s.state = FRAME_STATUS_PAUSED;
	s.reason[0] = '\0';
	check_int(frame_status_encode(out, &s), ==, 0);
	strlcpy(s.reason, "tab\there", sizeof s.reason);
	check_int(frame_status_encode(out, &s), ==, 0);
	s.state = FRAME_STATUS_AVAILABLE;
	strlcpy(s.reason, "metered", sizeof s.reason);
	check_int(frame_status_encode(out, &s), ==, 0);
	s.state = 2;
	s.reason[0] = '\0';
	check_int(frame_status_encode(out, &s), ==, 0);

	check(frame_reason_valid("battery low"));
	check(!frame_reason_valid(""));
	check(!frame_reason_valid("\x7f"));
}

/* HELLO 11 (status frames, 1 byte, not 0) and 12 (joins paused: text). */
static void
test_hello_status(void)
{
	static const struct dcase	 bad[] = {
		{ HNODE HNAME "\x0b\x01\x00", 13, -1,
		    "bad status frames attribute" },
		{ HNODE HNAME "\x0b\x02\x01\x01", 14, -1,
		    "bad status frames attribute" },
		{ HNODE HNAME "\x0b\x00", 12, -1,
		    "bad status frames attribute" },
		/* A reason: 1..63 printable bytes, once. */
		{ HNODE HNAME "\x0b\x01\x01" "\x0c\x00", 15, -1,
		    "bad paused attribute" },
		{ HNODE HNAME "\x0b\x01\x01" "\x0c\x02" "a\n", 17, -1,
		    "bad paused attribute" },
		{ HNODE HNAME "\x0b\x01\x01" "\x0c\x01" "a" "\x0c\x01" "b",
		    19, -1, "bad paused attribute" },
		/* Paused, and no STATUS to end it: refused. */
		{ HNODE HNAME "\x0c\x01" "a", 13, -1,
		    "HELLO paused without status frames (attribute 11)" },
		/* In either order. */
		{ HNODE HNAME "\x0c\x01" "a" "\x0b\x01\x01", 16, 0, NULL },
	};
	static const uint8_t	 wire[] = { FRAME_HELLO, 0, 0, 24,
	    'T', 'N', 'T', 'C', 1, 1,
	    1, 2, 'n', '1',
	    11, 1, FRAME_STATUS_VERSION,
	    12, 9, 'n', 'o', ' ', 'c', 'o', 'n', 's', 'e', 'n' };
	struct frame_hello	 h, g;
	uint8_t			 out[FRAME_MAX], buf[128];
	struct pf		 p;
	const char		*cause = NULL;

	decode_cases(dec_hello, FRAME_HELLO, bad, nitems(bad));
	memset(&h, 0, sizeof h);
	h.version = FRAME_VERSION;
	h.role = FRAME_ROLE_NODE;
	strlcpy(h.name, "n1", sizeof h.name);
	h.status = FRAME_STATUS_VERSION;
	strlcpy(h.paused, "no consen", sizeof h.paused);
	check_int(frame_hello_encode(out, &h), ==, sizeof wire);
	check_mem(out, wire, sizeof wire);
	frame_whole(out, sizeof wire, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_hello_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &h, sizeof g);
	pf_free(&p);

	/* 63 bytes of reason fit, 64 do not. */
	memcpy(buf, HNODE HNAME "\x0b\x01\x01\x0c\x3f", 15);
	memset(buf + 15, 'r', 64);
	check_int(hello(buf, 15 + 63, &g, &cause), ==, 0);
	check_int(strlen(g.paused), ==, 63);
	buf[14] = 64;
	check_int(hello(buf, 15 + 64, &g, &cause), ==, -1);
	check_str(cause, "bad paused attribute");

	/* A later status version: the hub speaks ours. */
	check_int(hello(HNODE HNAME "\x0b\x01\x07", 13, &g, &cause), ==, 0);
	check_int(g.status, ==, FRAME_STATUS_VERSION);
	check_str(g.paused, "");
	/* An older node: neither. */
	check_int(hello(HNODE HNAME, 10, &g, &cause), ==, 0);
	check_int(g.status, ==, 0);
	check_str(g.paused, "");

	/* The encoder: no paused without 11, no bad reason. */
	h.status = 0;
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.status = FRAME_STATUS_VERSION;
	strlcpy(h.paused, "a\tb", sizeof h.paused);
	check_int(frame_hello_encode(out, &h), ==, 0);
	h.paused[0] = '\0';
	check_int(frame_hello_encode(out, &h), ==, FRAME_HEADER + 13);
}

/* WELCOME's last byte: present only when status != 0, parsed both ways. */
static void
test_welcome_status(void)
{
	struct frame_welcome	 w, g;
	uint8_t			 out[FRAME_MAX], buf[sizeof p_welcome + 2];
	struct pf		 p;
	const char		*cause = NULL;
	size_t			 n;

	memset(&w, 0, sizeof w);
	w.version = FRAME_VERSION;
	w.node_id = 7;
	w.heartbeat_ms = 5000;
	w.dial_ms = 15000;
	w.data_port = 4443;
	strlcpy(w.data_host, "hub", sizeof w.data_host);
	/* Without: the frame an old node has always parsed. */
	n = frame_welcome_encode(out, &w);
	check_int(n, ==, FRAME_HEADER + 33 + 1 + 3);
	check_int(out[n - 1], ==, 'b');
	frame_whole(out, n, &p);
	memset(&g, 0xaa, sizeof g);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.status, ==, 0);
	memset(&g, 0, sizeof g);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_mem(&g, &w, sizeof g);
	pf_free(&p);
	/* With: one more byte, the hub's status version. */
	w.status = FRAME_STATUS_VERSION;
	check_int(frame_welcome_encode(out, &w), ==, n + 1);
	check_int(out[n], ==, FRAME_STATUS_VERSION);
	check_int(out[3], ==, 33 + 1 + 3 + 1);
	frame_whole(out, n + 1, &p);
	memset(&g, 0, sizeof g);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.status, ==, FRAME_STATUS_VERSION);
	check_mem(&g, &w, sizeof g);
	pf_free(&p);

	/* The fixture with 1, 2 (a later hub: ours), 0, then two bytes. */
	memcpy(buf, p_welcome, sizeof p_welcome);
	buf[sizeof p_welcome] = 1;
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof p_welcome + 1,
	    &cause), ==, 0);
	buf[sizeof p_welcome] = 2;
	pf_make(&p, FRAME_WELCOME, buf, sizeof p_welcome + 1);
	check_int(frame_welcome_parse(&p.f, &g, &cause), ==, 0);
	check_int(g.status, ==, FRAME_STATUS_VERSION);
	pf_free(&p);
	buf[sizeof p_welcome] = 0;
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof p_welcome + 1,
	    &cause), ==, -1);
	check_str(cause, "bad status version in WELCOME");
	buf[sizeof p_welcome] = 1;
	buf[sizeof p_welcome + 1] = 1;
	check_int(decode(dec_welcome, FRAME_WELCOME, buf, sizeof p_welcome + 2,
	    &cause), ==, -1);
	check_str(cause, "trailing bytes in frame");
}

int
main(void)
{
	TEST(test_hello_roundtrip(), "HELLO node: wire bytes and round trip");
	TEST(test_hello_admin(), "HELLO admin: no attributes");
	TEST(test_hello_max(), "HELLO at every limit round-trips");
	TEST(test_welcome_roundtrip(), "WELCOME: wire bytes and round trip");
	TEST(test_stamp_roundtrip(), "PING/PONG: wire bytes and round trip");
	TEST(test_dial_roundtrip(), "DIAL IPv4/IPv6/domain round trip");
	TEST(test_result_bind_roundtrip(), "RESULT and BIND round trip");
	TEST(test_bye_roundtrip(), "BYE round trip, text cut to 255");
	TEST(test_parse_bad_header(),
	    "frame_parse: unknown type, flags, 4097 on the header alone");
	TEST(test_parse_retired_admin(),
	    "frame_parse: the admin frames 0x10-0x14 of 0.1 are unknown");
	TEST(test_parse_max(), "frame_parse: 4096-byte payload accepted");
	TEST(test_parse_pipelined(), "frame_parse: pipelined frames add up");
	TEST(test_parse_bytewise(), "frame_parse: byte at a time");
	TEST(test_decoders_short_trailing(),
	    "typed decoders refuse short and trailing payloads");
	TEST(test_decoders_wrong_type(), "typed decoders check the type");
	TEST(test_hello_errors(), "HELLO: magic, version, role, framing");
	TEST(test_hello_names(), "HELLO: node name charset and length");
	TEST(test_hello_pools(), "HELLO: 16 pools fine, 17 refused");
	TEST(test_hello_attrs(), "HELLO: unknown skipped, node_id, os/arch");
	TEST(test_welcome_errors(), "WELCOME: values out of range");
	TEST(test_dial_errors(), "DIAL: atyp, empty/NUL domain, req/port 0");
	TEST(test_result_bind_errors(), "RESULT 0/11 and BIND 11 refused");
	TEST(test_hello_redial(), "HELLO redial (8) and redial_result (9)");
	TEST(test_redial_roundtrip(), "REDIAL: wire bytes, 255 bytes, errors");
	TEST(test_stamp_errors(), "PING/PONG: short and trailing payloads");
	TEST(test_names(), "frame_name_valid edge cases");
	TEST(test_type_names(), "frame_type_name");
	TEST(test_challenge_auth(), "CHALLENGE/AUTH blobs, HELLO token id");
	TEST(test_policy(), "POLICY round trip, truncation, bounds");
	TEST(test_spare_roundtrip(), "SPARE and SPARE_TARGET wire bytes, errors");
	TEST(test_chunk(), "relay chunks: kinds, lengths, short heads");
	TEST(test_hello_relay(), "HELLO relay framing (10): wire, errors");
	TEST(test_status(), "STATUS: wire bytes, round trip, every bad form");
	TEST(test_hello_status(), "HELLO status frames (11), paused (12)");
	TEST(test_welcome_status(), "WELCOME with and without the status byte");
	return (test_done());
}
