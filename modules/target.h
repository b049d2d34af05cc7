/*
 * target.h: what a proxied connection goes to (struct target, as SOCKS5
 * and DIAL carry it) and how a dial ends (the DIAL_* codes, the wire
 * values of RESULT and BIND).  Pure: the codecs (frame.h, socks.h, http.h)
 * include this, and nothing of the event loop.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Dial result codes: the wire values of RESULT/BIND (doc/protocol.md).
 * 1..8 equal the SOCKS5 REP codes where one exists.
 */
enum dial_result {
	DIAL_OK = 0,
	DIAL_FAIL = 1,
	DIAL_NOTALLOWED = 2,
	DIAL_NETUNREACH = 3,
	DIAL_HOSTUNREACH = 4,
	DIAL_REFUSED = 5,
	DIAL_TIMEOUT = 6,
	DIAL_DNS = 7,
	DIAL_BADADDR = 8,
	DIAL_NONODE = 9,
	DIAL_NODELOST = 10,
	DIAL_RESULT_MAX = 10
};

/* Target of a proxied connection, as SOCKS5 and DIAL carry it. */
#define TARGET_IPV4	1
#define TARGET_DOMAIN	3
#define TARGET_IPV6	4
struct target {
	uint8_t		 atyp;		/* TARGET_* */
	uint16_t	 port;		/* host order, 1..65535 */
	uint8_t		 addr[16];	/* IPv4 (4) or IPv6 (16) */
	char		 host[256];	/* TARGET_DOMAIN, NUL-terminated */
};

/* Pretty target for logs: "host:port", "[v6]:port", host escaped (core.c). */
const char	*target_str(const struct target *, char *, size_t);
#define TARGET_STRLEN	(4 * 255 + 16)

#endif /* TARGET_H */
