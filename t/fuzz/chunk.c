/*
 * t/fuzz/chunk.c: libFuzzer target for the chunks of a framed relay
 * (modules/frame.c: frame_chunk_parse, frame_chunk_head;
 * doc/protocol.md "Framed relays").  The input is one direction of a
 * framed link as relay.c's reader meets it: chunk heads and DATA
 * payloads until an EOF (what follows is the next owner's: frames, which
 * must parse or fail as frames do) or a RAW (what follows is raw bytes),
 * or a bad head.  Every head that parses is encoded again and must give
 * the same three bytes; a DATA length is within 1..FRAME_CHUNK_MAX; the
 * payload counted equals the bytes the heads promised.  Any disagreement
 * abort()s so the fuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "frame.h"

/* After an EOF: the next DIAL (or anything) comes as frames. */
static void
fuzz_after_eof(const uint8_t *p, size_t len)
{
	struct frame	 f;
	const char	*cause = NULL;
	int		 n;

	while ((n = frame_parse(p, len, &f, &cause)) > 0) {
		if ((size_t)n > len)
			abort();
		p += n;
		len -= n;
	}
	if (n == -1 && cause == NULL)
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_chunk	 c;
	const uint8_t		*p = data;
	const char		*cause;
	uint8_t			 head[FRAME_CHUNK_HEAD];
	size_t			 left = size, payload = 0, promised = 0;
	int			 rv;

	for (;;) {
		cause = NULL;
		rv = frame_chunk_parse(p, left, &c, &cause);
		if (rv == 0) {
			if (left >= FRAME_CHUNK_HEAD || cause != NULL)
				abort();
			break;		/* a head cut short: wait for more */
		}
		if (rv == -1) {
			if (cause == NULL)
				abort();
			break;		/* the relay and the link close */
		}
		if (rv != FRAME_CHUNK_HEAD || left < FRAME_CHUNK_HEAD)
			abort();
		frame_chunk_head(head, c.kind, c.len);
		if (memcmp(head, p, sizeof head) != 0)
			abort();
		if (c.kind == FRAME_CHUNK_DATA) {
			if (c.len == 0 || c.len > FRAME_CHUNK_MAX)
				abort();
			if (left - FRAME_CHUNK_HEAD < c.len)
				break;	/* its payload is still to come */
			promised += c.len;
			payload += c.len;
			p += FRAME_CHUNK_HEAD + c.len;
			left -= FRAME_CHUNK_HEAD + c.len;
			continue;
		}
		if (c.len != 0)
			abort();
		p += FRAME_CHUNK_HEAD;
		left -= FRAME_CHUNK_HEAD;
		if (c.kind == FRAME_CHUNK_EOF)
			fuzz_after_eof(p, left);
		else if (c.kind != FRAME_CHUNK_RAW)
			abort();
		break;
	}
	if (payload != promised || p < data || p > data + size)
		abort();
	return (0);
}
