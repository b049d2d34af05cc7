/*
 * wire.h: what the hand-written peers (fakenode.c, fakehub.c) share: frame
 * types, a monotonic clock, big-endian integers, whole writes and reads
 * on a blocking socket, and frames as doc/protocol.md draws them (4-byte
 * head, payload).  Written from the document, not from modules/frame.c,
 * so the peers check the hub and node against the text.  The includer
 * defines WIRE_NAME (its name in error messages) first, and fatal(): a
 * message and exit(1).
 */
#ifndef WIRE_H
#define WIRE_H

/* Frame types (doc/protocol.md, "Frames") and the payload bound. */
#define F_HELLO		0x01
#define F_WELCOME	0x02
#define F_PING		0x03
#define F_PONG		0x04
#define F_DIAL		0x05
#define F_RESULT	0x06
#define F_BIND		0x07
#define F_BYE		0x08
#define F_SPARE		0x09
#define F_CHALLENGE	0x0a
#define F_AUTH		0x0b
#define F_SPARE_TARGET	0x0d
#define F_STATUS	0x0f
#define PAYLOAD_MAX	4096

static void	fatal(const char *);

/* Monotonic milliseconds, for deadlines. */
static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("write");
		}
		p += n;
		len -= n;
	}
}

/* One frame: head (type, flags 0, length) and payload, in one write. */
static void
send_frame(int fd, uint8_t type, const void *payload, size_t len)
{
	uint8_t	 buf[4 + PAYLOAD_MAX];

	buf[0] = type;
	buf[1] = 0;
	buf[2] = len >> 8;
	buf[3] = len & 0xff;
	memcpy(buf + 4, payload, len);
	write_all(fd, buf, 4 + len);
}

/* 1: len bytes read; 0: EOF or reset first. */
static int
read_full(int fd, void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ECONNRESET)
			return (0);
		if (n == -1)
			fatal("read");
		if (n == 0)
			return (0);
		p += n;
		len -= n;
	}
	return (1);
}

/* One frame: its type, or -1 on EOF; a bad head ends the program. */
static int
read_frame(int fd, uint8_t *payload, size_t *len)
{
	uint8_t	 h[4];

	if (!read_full(fd, h, 4))
		return (-1);
	*len = (size_t)h[2] << 8 | h[3];
	if (h[1] != 0 || *len > PAYLOAD_MAX) {
		fprintf(stderr, "%s: bad frame head %02x %02x %zu\n",
		    WIRE_NAME, h[0], h[1], *len);
		exit(1);
	}
	if (!read_full(fd, payload, *len))
		return (-1);
	return (h[0]);
}

#endif /* WIRE_H */
