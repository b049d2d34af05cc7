/*
 * frame.c: encode and decode control-link frames (doc/protocol.md).
 * Owns the wire format and its size limits; never touches sockets.
 */
#include <string.h>

#include "tentacle.h"
#include "frame.h"

/* A bounded reader: any over-read sets err and yields zeros. */
struct frd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 err;
};

/* A bounded writer over FRAME_MAX bytes. */
struct fwr {
	uint8_t		*p;
	size_t		 off;
	int		 err;
};

static const char *frame_names[] = {
	[FRAME_HELLO] = "HELLO",
	[FRAME_WELCOME] = "WELCOME",
	[FRAME_PING] = "PING",
	[FRAME_PONG] = "PONG",
	[FRAME_DIAL] = "DIAL",
	[FRAME_RESULT] = "RESULT",
	[FRAME_BIND] = "BIND",
	[FRAME_BYE] = "BYE",
	[FRAME_SPARE] = "SPARE",
	[FRAME_CHALLENGE] = "CHALLENGE",
	[FRAME_AUTH] = "AUTH",
	[FRAME_POLICY] = "POLICY",
	[FRAME_SPARE_TARGET] = "SPARE_TARGET",
	[FRAME_REDIAL] = "REDIAL",
	[FRAME_STATUS] = "STATUS",
};

const char *
frame_type_name(uint8_t type)
{
	if (type < nitems(frame_names) && frame_names[type] != NULL)
		return (frame_names[type]);
	return ("unknown");
}

int
frame_name_valid(const char *s, size_t max)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > max)
		return (0);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return (0);
	}
	return (1);
}

/* see frame.h */
int
frame_parse(const uint8_t *buf, size_t len, struct frame *f,
    const char **cause)
{
	uint16_t	 plen;

	if (len < FRAME_HEADER)
		return (0);
	if (buf[0] >= nitems(frame_names) || frame_names[buf[0]] == NULL) {
		*cause = "unknown frame type";
		return (-1);
	}
	if (buf[1] != 0) {
		*cause = "reserved frame flags set";
		return (-1);
	}
	plen = (uint16_t)buf[2] << 8 | buf[3];
	if (plen > FRAME_PAYLOAD_MAX) {
		*cause = "frame too large";
		return (-1);
	}
	if (len < (size_t)FRAME_HEADER + plen)
		return (0);
	f->type = buf[0];
	f->len = plen;
	f->payload = buf + FRAME_HEADER;
	return (FRAME_HEADER + plen);
}

static void
frd_init(struct frd *r, const struct frame *f)
{
	r->p = f->payload;
	r->len = f->len;
	r->off = 0;
	r->err = 0;
}

static const uint8_t *
frd_take(struct frd *r, size_t n)
{
	const uint8_t	*p;

	if (r->err || r->len - r->off < n) {
		r->err = 1;
		return (NULL);
	}
	p = r->p + r->off;
	r->off += n;
	return (p);
}

static uint8_t
frd_u8(struct frd *r)
{
	const uint8_t	*p = frd_take(r, 1);

	return (p == NULL ? 0 : p[0]);
}

static uint16_t
frd_u16(struct frd *r)
{
	const uint8_t	*p = frd_take(r, 2);

	return (p == NULL ? 0 : (uint16_t)(p[0] << 8 | p[1]));
}

static uint32_t
frd_u32(struct frd *r)
{
	const uint8_t	*p = frd_take(r, 4);

	if (p == NULL)
		return (0);
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static uint64_t
frd_u64(struct frd *r)
{
	uint64_t	 hi = frd_u32(r);

	return (hi << 32 | frd_u32(r));
}

static void
frd_bytes(struct frd *r, void *out, size_t n)
{
	const uint8_t	*p = frd_take(r, n);

	if (p != NULL)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

/* A string of at most max bytes, no NUL, into out[max + 1]. */
static void
frd_str(struct frd *r, char *out, size_t max)
{
	uint8_t		 n = frd_u8(r);
	const uint8_t	*p;

	out[0] = '\0';
	if (r->err)
		return;
	if (n > max) {
		r->err = 1;
		return;
	}
	if ((p = frd_take(r, n)) == NULL)
		return;
	if (memchr(p, '\0', n) != NULL) {
		r->err = 1;
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Fail unless every byte was read. */
static int
frd_end(struct frd *r, const char **cause, const char *what)
{
	if (r->err) {
		*cause = what;
		return (-1);
	}
	if (r->off != r->len) {
		*cause = "trailing bytes in frame";
		return (-1);
	}
	return (0);
}

static int
frame_check_type(const struct frame *f, uint8_t type, const char **cause)
{
	if (f->type != type) {
		*cause = "unexpected frame type";
		return (-1);
	}
	return (0);
}

static void
fwr_init(struct fwr *w, uint8_t *out, uint8_t type)
{
	w->p = out;
	w->off = FRAME_HEADER;
	w->err = 0;
	out[0] = type;
	out[1] = 0;
}

static void
fwr_bytes(struct fwr *w, const void *p, size_t n)
{
	if (w->err || FRAME_MAX - w->off < n) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->off, p, n);
	w->off += n;
}

static void
fwr_u8(struct fwr *w, uint8_t v)
{
	fwr_bytes(w, &v, 1);
}

static void
fwr_u16(struct fwr *w, uint16_t v)
{
	uint8_t	 b[2] = { v >> 8, v & 0xff };

	fwr_bytes(w, b, 2);
}

static void
fwr_u32(struct fwr *w, uint32_t v)
{
	uint8_t	 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff };

	fwr_bytes(w, b, 4);
}

static void
fwr_u64(struct fwr *w, uint64_t v)
{
	fwr_u32(w, v >> 32);
	fwr_u32(w, v & 0xffffffff);
}

static void
fwr_str(struct fwr *w, const char *s, size_t max)
{
	size_t	 n = strlen(s);

	if (n > max || n > 255) {
		w->err = 1;
		return;
	}
	fwr_u8(w, n);
	fwr_bytes(w, s, n);
}

/* HELLO attribute: key, len, value. */
static void
fwr_attr(struct fwr *w, uint8_t key, const void *v, size_t n)
{
	if (n > 255) {
		w->err = 1;
		return;
	}
	fwr_u8(w, key);
	fwr_u8(w, n);
	fwr_bytes(w, v, n);
}

static size_t
fwr_end(struct fwr *w)
{
	size_t	 plen = w->off - FRAME_HEADER;

	if (w->err || plen > FRAME_PAYLOAD_MAX)
		return (0);
	w->p[2] = plen >> 8;
	w->p[3] = plen & 0xff;
	return (w->off);
}

/* HELLO attribute keys: text up to HELLO_BUILD, binary values after. */
#define HELLO_NAME	1
#define HELLO_POOL	2
#define HELLO_OS	3
#define HELLO_ARCH	4
#define HELLO_BUILD	5
#define HELLO_NODEID	6
#define HELLO_KID	7
#define HELLO_REDIAL	8
#define HELLO_RRES	9
#define HELLO_RELAY	10
#define HELLO_STATUS	11	/* node status frames: a version */
#define HELLO_PAUSED	12	/* text: joins paused, with this reason */

/* Copy a printable attribute value of at most max bytes. */
static int
hello_attr_str(char *out, size_t max, const uint8_t *v, size_t n)
{
	size_t	 i;

	if (n > max)
		return (-1);
	for (i = 0; i < n; i++) {
		if (v[i] < 0x20 || v[i] >= 0x7f)
			return (-1);
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return (0);
}

/* Magic, version and role: 0, -1, FRAME_EMAGIC or FRAME_EVERSION. */
static int
frame_hello_head_parse(struct frd *r, struct frame_hello *h,
    const char **cause)
{
	uint8_t		 magic[4];

	frd_bytes(r, magic, sizeof magic);
	if (r->err || memcmp(magic, FRAME_MAGIC, 4) != 0) {
		*cause = "bad magic";
		return (FRAME_EMAGIC);
	}
	h->version = frd_u8(r);
	if (!r->err && h->version != FRAME_VERSION) {
		/* The caller answers BYE(version); nothing more to read. */
		*cause = "unsupported protocol version";
		return (FRAME_EVERSION);
	}
	h->role = frd_u8(r);
	if (r->err) {
		*cause = "short HELLO";
		return (-1);
	}
	if (h->role != FRAME_ROLE_NODE && h->role != FRAME_ROLE_ADMIN) {
		*cause = "unknown role";
		return (-1);
	}
	return (0);
}

/* One text attribute (keys up to HELLO_BUILD); others are skipped. */
static int
frame_hello_text_parse(struct frame_hello *h, uint8_t key, const uint8_t *v,
    uint8_t n, int *seen_name, const char **cause)
{
	switch (key) {
	case HELLO_NAME:
		if ((*seen_name)++ ||
		    hello_attr_str(h->name, FRAME_NAME_MAX, v, n) ||
		    !frame_name_valid(h->name, FRAME_NAME_MAX)) {
			*cause = "bad node name";
			return (-1);
		}
		break;
	case HELLO_POOL:
		if (h->npools == FRAME_POOLS_MAX ||
		    hello_attr_str(h->pools[h->npools], FRAME_POOL_MAX,
		    v, n) ||
		    !frame_name_valid(h->pools[h->npools],
		    FRAME_POOL_MAX)) {
			*cause = "bad pool name or too many pools";
			return (-1);
		}
		h->npools++;
		break;
	case HELLO_OS:
		if (hello_attr_str(h->os, FRAME_SHORT_MAX, v, n)) {
			*cause = "bad os attribute";
			return (-1);
		}
		break;
	case HELLO_ARCH:
		if (hello_attr_str(h->arch, FRAME_SHORT_MAX, v, n)) {
			*cause = "bad arch attribute";
			return (-1);
		}
		break;
	case HELLO_BUILD:
		if (hello_attr_str(h->build, FRAME_BUILD_MAX, v, n)) {
			*cause = "bad build attribute";
			return (-1);
		}
		break;
	}
	return (0);
}

/* One binary attribute (keys after HELLO_BUILD); others are skipped. */
static int
frame_hello_value_parse(struct frame_hello *h, uint8_t key,
    const uint8_t *v, uint8_t n, const char **cause)
{
	switch (key) {
	case HELLO_NODEID:
		if (n != 4) {
			*cause = "bad node_id attribute";
			return (-1);
		}
		h->node_id = (uint32_t)v[0] << 24 |
		    (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
		break;
	case HELLO_KID:
		if (n != FRAME_KID_LEN || h->has_kid) {
			*cause = "bad token id attribute";
			return (-1);
		}
		memcpy(h->kid, v, FRAME_KID_LEN);
		h->has_kid = 1;
		break;
	case HELLO_REDIAL:
		if (n != 1 || v[0] > FRAME_REDIAL_DIALINFO) {
			*cause = "bad redial attribute";
			return (-1);
		}
		h->redial = v[0];
		break;
	case HELLO_RRES:
		if (n != 6 || v[0] == FRAME_RRES_NONE ||
		    v[0] > FRAME_RRES_SIGNAL) {
			*cause = "bad redial result attribute";
			return (-1);
		}
		h->rres = v[0];
		h->rres_code = v[1];
		h->rres_ms = (uint32_t)v[2] << 24 |
		    (uint32_t)v[3] << 16 | (uint32_t)v[4] << 8 | v[5];
		break;
	case HELLO_RELAY:
		/* A newer node may speak a later framing: ours is enough. */
		if (n != 1 || v[0] == 0) {
			*cause = "bad relay framing attribute";
			return (-1);
		}
		h->relay = v[0] > FRAME_RELAY_VERSION ? FRAME_RELAY_VERSION :
		    v[0];
		break;
	case HELLO_STATUS:
		/* A later version of STATUS: ours is enough, as above. */
		if (n != 1 || v[0] == 0) {
			*cause = "bad status frames attribute";
			return (-1);
		}
		h->status = v[0] > FRAME_STATUS_VERSION ?
		    FRAME_STATUS_VERSION : v[0];
		break;
	case HELLO_PAUSED:
		if (n == 0 || h->paused[0] != '\0' ||
		    hello_attr_str(h->paused, FRAME_REASON_MAX, v, n)) {
			h->paused[0] = '\0';
			*cause = "bad paused attribute";
			return (-1);
		}
		break;
	default:
		/* Newer peers may send more; skip it. */
		break;
	}
	return (0);
}

/* see frame.h */
int
frame_hello_parse(const struct frame *f, struct frame_hello *h,
    const char **cause)
{
	struct frd	 r;
	uint8_t		 key, n;
	const uint8_t	*v;
	int		 seen_name = 0, rc;

	if (frame_check_type(f, FRAME_HELLO, cause) == -1)
		return (-1);
	memset(h, 0, sizeof *h);
	frd_init(&r, f);
	if ((rc = frame_hello_head_parse(&r, h, cause)) != 0)
		return (rc);
	while (r.off < r.len) {
		key = frd_u8(&r);
		n = frd_u8(&r);
		if ((v = frd_take(&r, n)) == NULL) {
			*cause = "truncated HELLO attribute";
			return (-1);
		}
		if (key <= HELLO_BUILD)
			rc = frame_hello_text_parse(h, key, v, n, &seen_name,
			    cause);
		else
			rc = frame_hello_value_parse(h, key, v, n, cause);
		if (rc == -1)
			return (-1);
	}
	if (h->role == FRAME_ROLE_NODE && !seen_name) {
		*cause = "HELLO without a node name";
		return (-1);
	}
	/* Paused, and no way to say when it is available again. */
	if (h->paused[0] != '\0' && h->status == 0) {
		*cause = "HELLO paused without status frames (attribute 11)";
		return (-1);
	}
	return (0);
}

size_t
frame_hello_encode(uint8_t *out, const struct frame_hello *h)
{
	struct fwr	 w;
	uint8_t		 id[4];
	int		 i;

	fwr_init(&w, out, FRAME_HELLO);
	fwr_bytes(&w, FRAME_MAGIC, 4);
	fwr_u8(&w, h->version);
	fwr_u8(&w, h->role);
	if (h->name[0] != '\0')
		fwr_attr(&w, HELLO_NAME, h->name, strlen(h->name));
	if (h->npools < 0 || h->npools > FRAME_POOLS_MAX)
		return (0);
	for (i = 0; i < h->npools; i++)
		fwr_attr(&w, HELLO_POOL, h->pools[i], strlen(h->pools[i]));
	if (h->os[0] != '\0')
		fwr_attr(&w, HELLO_OS, h->os, strlen(h->os));
	if (h->arch[0] != '\0')
		fwr_attr(&w, HELLO_ARCH, h->arch, strlen(h->arch));
	if (h->build[0] != '\0')
		fwr_attr(&w, HELLO_BUILD, h->build, strlen(h->build));
	if (h->node_id != 0) {
		id[0] = h->node_id >> 24;
		id[1] = h->node_id >> 16;
		id[2] = h->node_id >> 8;
		id[3] = h->node_id;
		fwr_attr(&w, HELLO_NODEID, id, 4);
	}
	if (h->has_kid)
		fwr_attr(&w, HELLO_KID, h->kid, FRAME_KID_LEN);
	if (h->redial > FRAME_REDIAL_DIALINFO || h->rres > FRAME_RRES_SIGNAL)
		return (0);
	if (h->redial != FRAME_REDIAL_NONE)
		fwr_attr(&w, HELLO_REDIAL, &h->redial, 1);
	if (h->rres != FRAME_RRES_NONE) {
		uint8_t	 rr[6] = { h->rres, h->rres_code, h->rres_ms >> 24,
		    h->rres_ms >> 16, h->rres_ms >> 8, h->rres_ms };

		fwr_attr(&w, HELLO_RRES, rr, sizeof rr);
	}
	if (h->relay != 0)
		fwr_attr(&w, HELLO_RELAY, &h->relay, 1);
	if (h->status != 0)
		fwr_attr(&w, HELLO_STATUS, &h->status, 1);
	if (h->paused[0] != '\0') {
		if (h->status == 0 || !frame_reason_valid(h->paused))
			return (0);
		fwr_attr(&w, HELLO_PAUSED, h->paused, strlen(h->paused));
	}
	return (fwr_end(&w));
}

int
frame_welcome_parse(const struct frame *f, struct frame_welcome *wl,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_WELCOME, cause) == -1)
		return (-1);
	frd_init(&r, f);
	wl->version = frd_u8(&r);
	wl->node_id = frd_u32(&r);
	wl->heartbeat_ms = frd_u32(&r);
	wl->dial_ms = frd_u32(&r);
	wl->data_port = frd_u16(&r);
	wl->max_dials = frd_u16(&r);
	frd_bytes(&r, wl->cookie, sizeof wl->cookie);
	frd_str(&r, wl->data_host, sizeof wl->data_host - 1);
	/* The status byte: only to a node whose HELLO had attribute 11. */
	wl->status = 0;
	if (!r.err && r.off < r.len) {
		wl->status = frd_u8(&r);
		if (wl->status == 0) {
			*cause = "bad status version in WELCOME";
			return (-1);
		}
		if (wl->status > FRAME_STATUS_VERSION)
			wl->status = FRAME_STATUS_VERSION;
	}
	if (frd_end(&r, cause, "malformed WELCOME") == -1)
		return (-1);
	if (wl->version != FRAME_VERSION) {
		*cause = "unsupported protocol version in WELCOME";
		return (-1);
	}
	if (wl->heartbeat_ms < 50 || wl->heartbeat_ms > 3600000 ||
	    wl->dial_ms == 0 || wl->data_port == 0) {
		*cause = "WELCOME values out of range";
		return (-1);
	}
	return (0);
}

size_t
frame_welcome_encode(uint8_t *out, const struct frame_welcome *wl)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_WELCOME);
	fwr_u8(&w, wl->version);
	fwr_u32(&w, wl->node_id);
	fwr_u32(&w, wl->heartbeat_ms);
	fwr_u32(&w, wl->dial_ms);
	fwr_u16(&w, wl->data_port);
	fwr_u16(&w, wl->max_dials);
	fwr_bytes(&w, wl->cookie, sizeof wl->cookie);
	fwr_str(&w, wl->data_host, 255);
	if (wl->status != 0)
		fwr_u8(&w, wl->status);
	return (fwr_end(&w));
}

int
frame_stamp_parse(const struct frame *f, uint64_t *stamp, const char **cause)
{
	struct frd	 r;

	if (f->type != FRAME_PING && f->type != FRAME_PONG) {
		*cause = "unexpected frame type";
		return (-1);
	}
	frd_init(&r, f);
	*stamp = frd_u64(&r);
	return (frd_end(&r, cause, "malformed PING/PONG"));
}

size_t
frame_stamp_encode(uint8_t *out, uint8_t type, uint64_t stamp)
{
	struct fwr	 w;

	fwr_init(&w, out, type);
	fwr_u64(&w, stamp);
	return (fwr_end(&w));
}

int
frame_dial_parse(const struct frame *f, struct frame_dial *d,
    const char **cause)
{
	struct frd	 r;
	struct target	*t = &d->target;

	if (frame_check_type(f, FRAME_DIAL, cause) == -1)
		return (-1);
	memset(d, 0, sizeof *d);
	frd_init(&r, f);
	d->req = frd_u32(&r);
	t->port = frd_u16(&r);
	t->atyp = frd_u8(&r);
	switch (t->atyp) {
	case TARGET_IPV4:
		frd_bytes(&r, t->addr, 4);
		break;
	case TARGET_IPV6:
		frd_bytes(&r, t->addr, 16);
		break;
	case TARGET_DOMAIN:
		frd_str(&r, t->host, sizeof t->host - 1);
		if (!r.err && t->host[0] == '\0') {
			*cause = "empty host name in DIAL";
			return (-1);
		}
		break;
	default:
		if (r.err)
			break;
		*cause = "bad address type in DIAL";
		return (-1);
	}
	/* The mode byte: only after a HELLO that offered framing. */
	if (!r.err && r.off < r.len) {
		d->mode = frd_u8(&r);
		if (d->mode != FRAME_DIAL_FRAMED) {
			*cause = "bad mode in DIAL";
			return (-1);
		}
	}
	if (frd_end(&r, cause, "malformed DIAL") == -1)
		return (-1);
	if (d->req == 0 || t->port == 0) {
		*cause = "DIAL with request id or port 0";
		return (-1);
	}
	return (0);
}

size_t
frame_dial_encode(uint8_t *out, const struct frame_dial *d)
{
	struct fwr		 w;
	const struct target	*t = &d->target;

	fwr_init(&w, out, FRAME_DIAL);
	fwr_u32(&w, d->req);
	fwr_u16(&w, t->port);
	fwr_u8(&w, t->atyp);
	switch (t->atyp) {
	case TARGET_IPV4:
		fwr_bytes(&w, t->addr, 4);
		break;
	case TARGET_IPV6:
		fwr_bytes(&w, t->addr, 16);
		break;
	case TARGET_DOMAIN:
		fwr_str(&w, t->host, 255);
		break;
	default:
		return (0);
	}
	if (d->mode > FRAME_DIAL_FRAMED)
		return (0);
	if (d->mode != FRAME_DIAL_RAW)
		fwr_u8(&w, d->mode);
	return (fwr_end(&w));
}

/* see frame.h */
int
frame_chunk_parse(const uint8_t *buf, size_t len, struct frame_chunk *c,
    const char **cause)
{
	if (len < FRAME_CHUNK_HEAD)
		return (0);
	c->kind = buf[0];
	c->len = (uint16_t)buf[1] << 8 | buf[2];
	switch (c->kind) {
	case FRAME_CHUNK_DATA:
		if (c->len == 0 || c->len > FRAME_CHUNK_MAX) {
			*cause = "relay chunk of a bad length";
			return (-1);
		}
		break;
	case FRAME_CHUNK_EOF:
	case FRAME_CHUNK_RAW:
		if (c->len != 0) {
			*cause = "relay mark with a payload";
			return (-1);
		}
		break;
	default:
		*cause = "unknown relay chunk";
		return (-1);
	}
	return (FRAME_CHUNK_HEAD);
}

/* see frame.h */
void
frame_chunk_head(uint8_t *out, uint8_t kind, uint16_t len)
{
	out[0] = kind;
	out[1] = len >> 8;
	out[2] = len;
}

int
frame_result_parse(const struct frame *f, struct frame_result *res,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_RESULT, cause) == -1)
		return (-1);
	frd_init(&r, f);
	res->req = frd_u32(&r);
	res->result = frd_u8(&r);
	if (frd_end(&r, cause, "malformed RESULT") == -1)
		return (-1);
	if (res->result == DIAL_OK || res->result > DIAL_RESULT_MAX) {
		*cause = "bad result code in RESULT";
		return (-1);
	}
	return (0);
}

size_t
frame_result_encode(uint8_t *out, const struct frame_result *res)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_RESULT);
	fwr_u32(&w, res->req);
	fwr_u8(&w, res->result);
	return (fwr_end(&w));
}

int
frame_bind_parse(const struct frame *f, struct frame_bind *b,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_BIND, cause) == -1)
		return (-1);
	frd_init(&r, f);
	b->node_id = frd_u32(&r);
	frd_bytes(&r, b->proof, sizeof b->proof);
	b->req = frd_u32(&r);
	b->result = frd_u8(&r);
	if (frd_end(&r, cause, "malformed BIND") == -1)
		return (-1);
	if (b->result > DIAL_RESULT_MAX) {
		*cause = "bad result code in BIND";
		return (-1);
	}
	return (0);
}

size_t
frame_bind_encode(uint8_t *out, const struct frame_bind *b)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_BIND);
	fwr_u32(&w, b->node_id);
	fwr_bytes(&w, b->proof, sizeof b->proof);
	fwr_u32(&w, b->req);
	fwr_u8(&w, b->result);
	return (fwr_end(&w));
}

int
frame_spare_parse(const struct frame *f, struct frame_spare *p,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_SPARE, cause) == -1)
		return (-1);
	frd_init(&r, f);
	p->node_id = frd_u32(&r);
	frd_bytes(&r, p->proof, sizeof p->proof);
	return (frd_end(&r, cause, "malformed SPARE"));
}

size_t
frame_spare_encode(uint8_t *out, const struct frame_spare *p)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_SPARE);
	fwr_u32(&w, p->node_id);
	fwr_bytes(&w, p->proof, sizeof p->proof);
	return (fwr_end(&w));
}

int
frame_spare_target_parse(const struct frame *f, uint16_t *target,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_SPARE_TARGET, cause) == -1)
		return (-1);
	frd_init(&r, f);
	*target = frd_u16(&r);
	return (frd_end(&r, cause, "malformed SPARE_TARGET"));
}

size_t
frame_spare_target_encode(uint8_t *out, uint16_t target)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_SPARE_TARGET);
	fwr_u16(&w, target);
	return (fwr_end(&w));
}

int
frame_redial_parse(const struct frame *f, char *why, size_t len,
    const char **cause)
{
	struct frd	 r;
	char		 buf[256];

	if (frame_check_type(f, FRAME_REDIAL, cause) == -1)
		return (-1);
	frd_init(&r, f);
	frd_str(&r, buf, sizeof buf - 1);
	if (frd_end(&r, cause, "malformed REDIAL") == -1)
		return (-1);
	strlcpy(why, buf, len);
	return (0);
}

size_t
frame_redial_encode(uint8_t *out, const char *why)
{
	struct fwr	 w;

	fwr_init(&w, out, FRAME_REDIAL);
	fwr_str(&w, why, 255);
	return (fwr_end(&w));
}

/* see frame.h */
int
frame_reason_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > FRAME_REASON_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	}
	return (1);
}

/* see frame.h */
int
frame_status_parse(const struct frame *f, struct frame_status *s,
    const char **cause)
{
	size_t	 n;

	if (frame_check_type(f, FRAME_STATUS, cause) == -1)
		return (-1);
	memset(s, 0, sizeof *s);
	if (f->len == 0) {
		*cause = "malformed STATUS";
		return (-1);
	}
	s->state = f->payload[0];
	n = f->len - 1;
	switch (s->state) {
	case FRAME_STATUS_AVAILABLE:
		if (n != 0) {
			*cause = "trailing bytes in frame";
			return (-1);
		}
		return (0);
	case FRAME_STATUS_PAUSED:
		if (n == 0) {
			*cause = "STATUS paused without a reason";
			return (-1);
		}
		if (n > FRAME_REASON_MAX) {
			*cause = "STATUS reason too long";
			return (-1);
		}
		if (hello_attr_str(s->reason, FRAME_REASON_MAX,
		    f->payload + 1, n) == -1) {
			s->reason[0] = '\0';
			*cause = "STATUS reason not printable";
			return (-1);
		}
		return (0);
	default:
		*cause = "unknown state in STATUS";
		return (-1);
	}
}

/* see frame.h */
size_t
frame_status_encode(uint8_t *out, const struct frame_status *s)
{
	struct fwr	 w;

	switch (s->state) {
	case FRAME_STATUS_AVAILABLE:
		if (s->reason[0] != '\0')
			return (0);
		break;
	case FRAME_STATUS_PAUSED:
		if (!frame_reason_valid(s->reason))
			return (0);
		break;
	default:
		return (0);
	}
	fwr_init(&w, out, FRAME_STATUS);
	fwr_u8(&w, s->state);
	fwr_bytes(&w, s->reason, strlen(s->reason));
	return (fwr_end(&w));
}

int
frame_bye_parse(const struct frame *f, struct frame_bye *b,
    const char **cause)
{
	struct frd	 r;

	if (frame_check_type(f, FRAME_BYE, cause) == -1)
		return (-1);
	frd_init(&r, f);
	b->reason = frd_u8(&r);
	frd_str(&r, b->text, sizeof b->text - 1);
	return (frd_end(&r, cause, "malformed BYE"));
}

size_t
frame_bye_encode(uint8_t *out, uint8_t reason, const char *text)
{
	struct fwr	 w;
	char		 buf[256];

	/* Truncate long reasons rather than fail: it is only text. */
	strlcpy(buf, text, sizeof buf);
	fwr_init(&w, out, FRAME_BYE);
	fwr_u8(&w, reason);
	fwr_str(&w, buf, 255);
	return (fwr_end(&w));
}

int
frame_blob_parse(const struct frame *f, uint8_t type, uint8_t *out,
    size_t len, const char **cause)
{
	if (frame_check_type(f, type, cause) == -1)
		return (-1);
	if (f->len != len) {
		*cause = "bad CHALLENGE/AUTH length";
		return (-1);
	}
	memcpy(out, f->payload, len);
	return (0);
}

size_t
frame_blob_encode(uint8_t *out, uint8_t type, const uint8_t *blob,
    size_t len)
{
	struct fwr	 w;

	fwr_init(&w, out, type);
	fwr_bytes(&w, blob, len);
	return (fwr_end(&w));
}

int
frame_policy_parse(const struct frame *f, struct frame_policy *p,
    const char **cause)
{
	struct frd			 r;
	struct frame_policy_entry	*e;
	int				 i;

	if (frame_check_type(f, FRAME_POLICY, cause) == -1)
		return (-1);
	memset(p, 0, sizeof *p);
	frd_init(&r, f);
	p->n = frd_u8(&r);
	if (p->n > FRAME_POLICY_MAX) {
		*cause = "too many POLICY entries";
		return (-1);
	}
	for (i = 0; i < p->n && !r.err; i++) {
		e = &p->e[i];
		e->family = frd_u8(&r);
		switch (e->family) {
		case 0:
			e->port = frd_u16(&r);
			if (!r.err && e->port == 0) {
				*cause = "POLICY port 0";
				return (-1);
			}
			break;
		case 4:
			e->bits = frd_u8(&r);
			frd_bytes(&r, e->addr, 4);
			if (e->bits > 32) {
				*cause = "POLICY prefix too long";
				return (-1);
			}
			break;
		case 6:
			e->bits = frd_u8(&r);
			frd_bytes(&r, e->addr, 16);
			if (e->bits > 128) {
				*cause = "POLICY prefix too long";
				return (-1);
			}
			break;
		default:
			if (!r.err) {
				*cause = "bad POLICY entry family";
				return (-1);
			}
		}
	}
	return (frd_end(&r, cause, "malformed POLICY"));
}

size_t
frame_policy_encode(uint8_t *out, const struct frame_policy *p)
{
	struct fwr			 w;
	const struct frame_policy_entry	*e;
	int				 i;

	if (p->n < 0 || p->n > FRAME_POLICY_MAX)
		return (0);
	fwr_init(&w, out, FRAME_POLICY);
	fwr_u8(&w, p->n);
	for (i = 0; i < p->n; i++) {
		e = &p->e[i];
		fwr_u8(&w, e->family);
		switch (e->family) {
		case 0:
			fwr_u16(&w, e->port);
			break;
		case 4:
			fwr_u8(&w, e->bits);
			fwr_bytes(&w, e->addr, 4);
			break;
		case 6:
			fwr_u8(&w, e->bits);
			fwr_bytes(&w, e->addr, 16);
			break;
		default:
			return (0);
		}
	}
	return (fwr_end(&w));
}
