/*
 * t/fuzz/frame.c: libFuzzer target for modules/frame.c.  The input is a
 * control-link byte stream: frame_parse takes frames off its front until
 * it needs more or fails.  Every complete frame goes to every typed
 * decoder (each checks the type itself: HELLO, WELCOME, PING/PONG, DIAL,
 * RESULT, BIND, SPARE, SPARE_TARGET, BYE, POLICY, REDIAL, STATUS);
 * whatever decodes is encoded again (DIAL's mode byte, HELLO's relay
 * framing and status attributes and WELCOME's status byte included)
 * and must parse back to the same struct and,
 * for every frame type but HELLO (whose attributes may come in any
 * order), to the same bytes.  Any disagreement abort()s so the fuzzer
 * keeps the input.  The admin frames of 0.1 (0x10-0x14) are unknown
 * types now: frame_parse must refuse them on their header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "frame.h"

/* Decode out[0..n) as one whole frame or die. */
static void
fuzz_reparse(const uint8_t *out, size_t n, struct frame *g)
{
	const char	*cause = NULL;

	if (n < FRAME_HEADER || n > FRAME_MAX)
		abort();
	if (frame_parse(out, n, g, &cause) != (int)n)
		abort();
	if (frame_parse(out, n - 1, g, &cause) != 0)
		abort();
	if (frame_parse(out, n, g, &cause) != (int)n)
		abort();
}

/* Fixed-layout frames re-encode to the very bytes they came from. */
static void
fuzz_same(const struct frame *f, const uint8_t *out, size_t n)
{
	if (n != (size_t)FRAME_HEADER + f->len || out[0] != f->type ||
	    out[1] != 0 || memcmp(out + FRAME_HEADER, f->payload, f->len) != 0)
		abort();
}

/*
 * Field by field: a repeated attribute may leave stale bytes behind the
 * NUL of a string (a later empty "os" after a long one), which is fine.
 */
static int
fuzz_hello_equal(const struct frame_hello *a, const struct frame_hello *b)
{
	int	 i;

	if (a->version != b->version || a->role != b->role ||
	    a->npools != b->npools || a->node_id != b->node_id ||
	    strcmp(a->name, b->name) != 0 || strcmp(a->os, b->os) != 0 ||
	    strcmp(a->arch, b->arch) != 0 || strcmp(a->build, b->build) != 0)
		return (0);
	if (a->has_kid != b->has_kid || (a->has_kid &&
	    memcmp(a->kid, b->kid, sizeof a->kid) != 0))
		return (0);
	if (a->redial != b->redial || a->rres != b->rres ||
	    a->rres_code != b->rres_code || a->rres_ms != b->rres_ms ||
	    a->relay != b->relay || a->status != b->status ||
	    strcmp(a->paused, b->paused) != 0)
		return (0);
	for (i = 0; i < a->npools; i++) {
		if (strcmp(a->pools[i], b->pools[i]) != 0)
			return (0);
	}
	return (1);
}

static void
fuzz_hello(const struct frame *f, uint8_t *out)
{
	struct frame_hello	 h, h2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;
	int			 i;

	memset(&h, 0, sizeof h);
	if (frame_hello_parse(f, &h, &cause) != 0) {
		if (cause == NULL)
			abort();
		return;
	}
	if (h.version != FRAME_VERSION ||
	    (h.role != FRAME_ROLE_NODE && h.role != FRAME_ROLE_ADMIN))
		abort();
	if (h.role == FRAME_ROLE_NODE &&
	    !frame_name_valid(h.name, FRAME_NAME_MAX))
		abort();
	if (h.npools < 0 || h.npools > FRAME_POOLS_MAX)
		abort();
	for (i = 0; i < h.npools; i++) {
		if (!frame_name_valid(h.pools[i], FRAME_POOL_MAX))
			abort();
	}
	if (h.redial > FRAME_REDIAL_DIALINFO || h.rres > FRAME_RRES_SIGNAL)
		abort();
	if (h.rres == FRAME_RRES_NONE && (h.rres_code != 0 || h.rres_ms != 0))
		abort();
	/* Paused only with status frames, and with a reason a log can take. */
	if (h.status > FRAME_STATUS_VERSION || (h.paused[0] != '\0' &&
	    (h.status == 0 || !frame_reason_valid(h.paused))))
		abort();
	if ((n = frame_hello_encode(out, &h)) == 0)
		abort();
	fuzz_reparse(out, n, &g);
	memset(&h2, 0x55, sizeof h2);
	if (frame_hello_parse(&g, &h2, &cause) != 0 ||
	    !fuzz_hello_equal(&h, &h2))
		abort();
}

static void
fuzz_welcome(const struct frame *f, uint8_t *out)
{
	struct frame_welcome	 w, w2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	memset(&w, 0, sizeof w);
	if (frame_welcome_parse(f, &w, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (w.data_port == 0 || w.dial_ms == 0 || w.heartbeat_ms < 50 ||
	    strlen(w.data_host) > 255)
		abort();
	if (w.status > FRAME_STATUS_VERSION)
		abort();
	if ((n = frame_welcome_encode(out, &w)) == 0)
		abort();
	/* A later hub's status version reads as ours: the same but that. */
	if (w.status == 0 || f->payload[f->len - 1] == w.status)
		fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	memset(&w2, 0, sizeof w2);
	if (frame_welcome_parse(&g, &w2, &cause) != 0 ||
	    memcmp(&w, &w2, sizeof w) != 0)
		abort();
}

static void
fuzz_stamp(const struct frame *f, uint8_t *out)
{
	struct frame	 g;
	const char	*cause = NULL;
	uint64_t	 s, s2;
	size_t		 n;

	if (frame_stamp_parse(f, &s, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (f->type != FRAME_PING && f->type != FRAME_PONG)
		abort();
	if ((n = frame_stamp_encode(out, f->type, s)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_stamp_parse(&g, &s2, &cause) != 0 || s != s2)
		abort();
}

static void
fuzz_dial(const struct frame *f, uint8_t *out)
{
	struct frame_dial	 d, d2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	if (frame_dial_parse(f, &d, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (d.req == 0 || d.target.port == 0 || d.mode > FRAME_DIAL_FRAMED)
		abort();
	switch (d.target.atyp) {
	case TARGET_IPV4:
	case TARGET_IPV6:
		break;
	case TARGET_DOMAIN:
		if (d.target.host[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	if ((n = frame_dial_encode(out, &d)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	memset(&d2, 0x55, sizeof d2);
	if (frame_dial_parse(&g, &d2, &cause) != 0 ||
	    memcmp(&d, &d2, sizeof d) != 0)
		abort();
}

static void
fuzz_result(const struct frame *f, uint8_t *out)
{
	struct frame_result	 r, r2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	if (frame_result_parse(f, &r, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (r.result == DIAL_OK || r.result > DIAL_RESULT_MAX)
		abort();
	if ((n = frame_result_encode(out, &r)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_result_parse(&g, &r2, &cause) != 0 || r.req != r2.req ||
	    r.result != r2.result)
		abort();
}

static void
fuzz_bind(const struct frame *f, uint8_t *out)
{
	struct frame_bind	 b, b2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	if (frame_bind_parse(f, &b, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (b.result > DIAL_RESULT_MAX)
		abort();
	if ((n = frame_bind_encode(out, &b)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_bind_parse(&g, &b2, &cause) != 0 ||
	    b.node_id != b2.node_id || b.req != b2.req ||
	    b.result != b2.result ||
	    memcmp(b.proof, b2.proof, sizeof b.proof) != 0)
		abort();
}

static void
fuzz_pool(const struct frame *f, uint8_t *out)
{
	struct frame_spare	 p, p2;
	struct frame		 g;
	const char		*cause = NULL;
	uint16_t		 t, t2;
	size_t			 n;

	if (frame_spare_parse(f, &p, &cause) == 0) {
		if ((n = frame_spare_encode(out, &p)) == 0)
			abort();
		fuzz_same(f, out, n);
		fuzz_reparse(out, n, &g);
		if (frame_spare_parse(&g, &p2, &cause) != 0 ||
		    p.node_id != p2.node_id ||
		    memcmp(p.proof, p2.proof, sizeof p.proof) != 0)
			abort();
	} else if (cause == NULL)
		abort();
	cause = NULL;
	if (frame_spare_target_parse(f, &t, &cause) == 0) {
		if ((n = frame_spare_target_encode(out, t)) == 0)
			abort();
		fuzz_same(f, out, n);
		fuzz_reparse(out, n, &g);
		if (frame_spare_target_parse(&g, &t2, &cause) != 0 || t != t2)
			abort();
	} else if (cause == NULL)
		abort();
}

static void
fuzz_bye(const struct frame *f, uint8_t *out)
{
	struct frame_bye	 b, b2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	if (frame_bye_parse(f, &b, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if ((n = frame_bye_encode(out, b.reason, b.text)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_bye_parse(&g, &b2, &cause) != 0 || b.reason != b2.reason ||
	    strcmp(b.text, b2.text) != 0)
		abort();
}

/* REDIAL also into a short buffer: a NUL-terminated prefix of the text. */
static void
fuzz_redial(const struct frame *f, uint8_t *out)
{
	struct frame	 g;
	const char	*cause = NULL;
	char		 why[256], why2[256], small[8];
	size_t		 n;

	if (frame_redial_parse(f, why, sizeof why, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (strlen(why) > 255)
		abort();
	memset(small, 0x55, sizeof small);
	if (frame_redial_parse(f, small, sizeof small, &cause) != 0 ||
	    memchr(small, '\0', sizeof small) == NULL ||
	    strncmp(small, why, strlen(small)) != 0 ||
	    strlen(small) != (strlen(why) < sizeof small ? strlen(why) :
	    sizeof small - 1))
		abort();
	if ((n = frame_redial_encode(out, why)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_redial_parse(&g, why2, sizeof why2, &cause) != 0 ||
	    strcmp(why, why2) != 0)
		abort();
}

/* STATUS: available with nothing after it, or paused with a reason. */
static void
fuzz_status(const struct frame *f, uint8_t *out)
{
	struct frame_status	 s, s2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;

	if (frame_status_parse(f, &s, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if (s.state == FRAME_STATUS_AVAILABLE ? s.reason[0] != '\0' :
	    s.state != FRAME_STATUS_PAUSED || !frame_reason_valid(s.reason))
		abort();
	if ((n = frame_status_encode(out, &s)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	memset(&s2, 0x55, sizeof s2);
	if (frame_status_parse(&g, &s2, &cause) != 0 ||
	    s.state != s2.state || strcmp(s.reason, s2.reason) != 0)
		abort();
}

static void
fuzz_policy(const struct frame *f, uint8_t *out)
{
	struct frame_policy	 p, p2;
	struct frame		 g;
	const char		*cause = NULL;
	size_t			 n;
	int			 i;

	if (frame_policy_parse(f, &p, &cause) == -1) {
		if (cause == NULL)
			abort();
		return;
	}
	if ((n = frame_policy_encode(out, &p)) == 0)
		abort();
	fuzz_same(f, out, n);
	fuzz_reparse(out, n, &g);
	if (frame_policy_parse(&g, &p2, &cause) != 0 || p.n != p2.n)
		abort();
	for (i = 0; i < p.n; i++) {
		if (memcmp(&p.e[i], &p2.e[i], sizeof p.e[i]) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 out[FRAME_MAX];
	struct frame	 f, g;
	const char	*cause;
	size_t		 off = 0;
	int		 r;

	while (off < size) {
		cause = NULL;
		r = frame_parse(data + off, size - off, &f, &cause);
		if (r == 0) {
			if (cause != NULL)
				abort();
			break;
		}
		if (r == -1) {
			/* A bad header is bad on its 4 bytes alone. */
			if (cause == NULL || size - off < FRAME_HEADER ||
			    frame_parse(data + off, FRAME_HEADER, &g,
			    &cause) != -1)
				abort();
			break;
		}
		if (r < FRAME_HEADER || (size_t)r > size - off ||
		    f.len > FRAME_PAYLOAD_MAX || r != FRAME_HEADER + f.len ||
		    f.payload != data + off + FRAME_HEADER ||
		    f.type != data[off])
			abort();
		/* One byte short of it is "need more", never an error. */
		cause = NULL;
		if (frame_parse(data + off, (size_t)r - 1, &g, &cause) != 0 ||
		    cause != NULL)
			abort();
		if (strcmp(frame_type_name(f.type), "unknown") == 0)
			abort();

		fuzz_hello(&f, out);
		fuzz_welcome(&f, out);
		fuzz_stamp(&f, out);
		fuzz_dial(&f, out);
		fuzz_result(&f, out);
		fuzz_bind(&f, out);
		fuzz_pool(&f, out);
		fuzz_bye(&f, out);
		fuzz_policy(&f, out);
		fuzz_redial(&f, out);
		fuzz_status(&f, out);
		off += (size_t)r;
	}
	return (0);
}
