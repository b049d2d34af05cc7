/*
 * t/fuzz/socks.c: libFuzzer target for modules/socks.c.  The input is a
 * client's byte stream: greeting, then (when the greeting offers method 2)
 * an RFC 1929 request, then a SOCKS5 request, parsed in sequence as a front
 * would; or, when the first byte is 4, one SOCKS4/4a request.  Each parser also sees every prefix of its input in a buffer of
 * exactly that size, and must agree with itself: "need more" until the
 * message is complete, then the same count (or the same error).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "socks.h"

#define FUZZ_MAX	2048

struct out {
	uint32_t	 methods;
	char		 user[256], pass[256];
	uint8_t		 cmd;
	struct target	 t;
	char		 user4[SOCKS4_USERID_MAX + 1];
};

enum { GREETING, USERPASS, REQUEST, SOCKS4 };

static int
fuzz_parse(int which, const uint8_t *b, size_t len, struct out *o,
    uint8_t *rep)
{
	switch (which) {
	case GREETING:
		return (socks_parse_greeting(b, len, &o->methods, rep));
	case USERPASS:
		return (socks_parse_userpass(b, len, o->user, o->pass, rep));
	case SOCKS4:
		return (socks4_parse_request(b, len, &o->cmd, &o->t, o->user4,
		    rep));
	default:
		return (socks_parse_request(b, len, &o->cmd, &o->t, rep));
	}
}

/* Parse b[0..len) whole and at every prefix; returns the whole result. */
static int
fuzz_one(int which, const uint8_t *b, size_t len)
{
	struct out	 o;
	uint8_t		 rep = 0x55, prep, *copy;
	size_t		 i;
	int		 full, r;

	full = fuzz_parse(which, b, len, &o, &rep);
	if (full > (int)len || full < -1)
		abort();
	if (full == -1 && rep == 0x55)
		abort();			/* error without a reply */
	if (full > 0 && which == REQUEST && o.t.atyp == TARGET_DOMAIN &&
	    (strlen(o.t.host) == 0 || strlen(o.t.host) != b[4]))
		abort();
	if (full > 0 && which == REQUEST && o.cmd == SOCKS_CMD_CONNECT &&
	    o.t.port == 0)
		abort();
	/* SOCKS4: CONNECT has a port and a host; the fields fit the bytes. */
	if (full > 0 && which == SOCKS4 && ((o.cmd != SOCKS_CMD_CONNECT &&
	    o.cmd != SOCKS_CMD_BIND) || (o.cmd == SOCKS_CMD_CONNECT &&
	    (o.t.port == 0 || (o.t.atyp == TARGET_DOMAIN &&
	    strlen(o.t.host) == 0))) || 9 + strlen(o.user4) +
	    (o.t.atyp == TARGET_DOMAIN ? strlen(o.t.host) + 1 : 0) !=
	    (size_t)full))
		abort();
	for (i = 0; i < len; i++) {
		if ((copy = malloc(i ? i : 1)) == NULL)
			return (full);
		memcpy(copy, b, i);
		prep = 0x55;
		r = fuzz_parse(which, copy, i, &o, &prep);
		free(copy);
		if (full > 0) {
			if ((size_t)full > i ? r != 0 : r != full)
				abort();
		} else if (full == 0) {
			if (r != 0)
				abort();
		} else if (r != 0 && (r != -1 || prep != rep))
			abort();
	}
	return (full);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 out[SOCKS_REPLY_MAX];
	uint32_t	 methods = 0;
	size_t		 off = 0;
	int		 n;

	if (size > FUZZ_MAX)
		return (0);
	if (size > 0) {
		socks_reply(out, data[0], NULL);
		(void)socks_rep_from_dial(data[0] - 2);
	}
	if (size > 0) {
		socks4_reply(out, data[0]);
		if (data[0] == SOCKS4_VERSION) {
			fuzz_one(SOCKS4, data, size);
			return (0);
		}
	}
	if ((n = fuzz_one(GREETING, data, size)) <= 0)
		return (0);
	off += (size_t)n;
	socks_parse_greeting(data, size, &methods, out);
	if (methods & (1U << SOCKS_METHOD_USERPASS)) {
		if ((n = fuzz_one(USERPASS, data + off, size - off)) <= 0)
			return (0);
		off += (size_t)n;
	}
	fuzz_one(REQUEST, data + off, size - off);
	return (0);
}
