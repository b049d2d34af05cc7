/*
 * socks.h: SOCKS5 (RFC 1928), username/password (RFC 1929) and SOCKS4/4a
 * messages on byte buffers.  No I/O: hub_socks.c feeds it what arrived.
 */
#ifndef SOCKS_H
#define SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define SOCKS_VERSION		5
#define SOCKS_AUTH_VERSION	1

#define SOCKS_METHOD_NOAUTH	0x00
#define SOCKS_METHOD_USERPASS	0x02
#define SOCKS_METHOD_NONE	0xff

#define SOCKS_CMD_CONNECT	1
#define SOCKS_CMD_BIND		2
#define SOCKS_CMD_UDP		3

#define SOCKS_REP_OK		0x00
#define SOCKS_REP_FAIL		0x01
#define SOCKS_REP_NOTALLOWED	0x02
#define SOCKS_REP_NETUNREACH	0x03
#define SOCKS_REP_HOSTUNREACH	0x04
#define SOCKS_REP_REFUSED	0x05
#define SOCKS_REP_TTLEXPIRED	0x06
#define SOCKS_REP_CMDUNSUPP	0x07
#define SOCKS_REP_ATYPUNSUPP	0x08
#define SOCKS_REP_CLOSE		0xff	/* not a reply: close silently */

#define SOCKS_REPLY_MAX		22	/* VER REP RSV ATYP + IPv6 + port */

/* SOCKS4 and its 4a extension (a host name after the user id). */
#define SOCKS4_VERSION		4
#define SOCKS4_REP_GRANTED	0x5a
#define SOCKS4_REP_REJECTED	0x5b	/* rejected or failed */
#define SOCKS4_REPLY_LEN	8	/* VN CD DSTPORT DSTIP */
#define SOCKS4_USERID_MAX	255	/* longer user ids are refused */

/*
 * Each parser returns the bytes consumed (> 0), 0 when more bytes are
 * needed, or -1 on error with *rep set to the reply to send before closing
 * (SOCKS_REP_CLOSE: send nothing).  None reads past len.
 */

/* VER NMETHODS METHODS...: *methods gets a bitmask (1 << method) of the
 * methods 0..31 offered; higher methods are ignored. */
/* A greeting's methods for a log line: "no-auth,user/pass,0x05"; out. */
char	*socks_methods_str(uint32_t methods, char *out, size_t outlen);
int	 socks_parse_greeting(const uint8_t *, size_t, uint32_t *methods,
	    uint8_t *rep);
/* RFC 1929: VER ULEN UNAME PLEN PASSWD; user and pass NUL-terminated. */
int	 socks_parse_userpass(const uint8_t *, size_t, char user[256],
	    char pass[256], uint8_t *rep);
/*
 * VER CMD RSV ATYP DST.ADDR DST.PORT.  *cmd gets CMD; a request with an
 * unsupported command is still consumed (returns > 0) so the caller can
 * answer SOCKS_REP_CMDUNSUPP.  Bad ATYP: -1, rep ATYPUNSUPP.  Domain names
 * of length 0 or with a NUL byte, and port 0, are errors (rep FAIL /
 * HOSTUNREACH as documented in socks.c).
 */
int	 socks_parse_request(const uint8_t *, size_t, uint8_t *cmd,
	    struct target *, uint8_t *rep);
/* Method selection reply: 2 bytes into out. */
size_t	 socks_method_reply(uint8_t *out, uint8_t method);
/* RFC 1929 status reply: 2 bytes. */
size_t	 socks_auth_reply(uint8_t *out, int ok);
/* VER REP RSV ATYP BND.ADDR BND.PORT; bound may be NULL (0.0.0.0:0). */
size_t	 socks_reply(uint8_t *out, uint8_t rep, const struct sockaddr *bound);
/* SOCKS REP for a DIAL_* result (doc/protocol.md table). */
uint8_t	 socks_rep_from_dial(int);

/*
 * SOCKS4: VN=4 CD DSTPORT DSTIP USERID NUL, and for 4a (DSTIP 0.0.0.x,
 * x != 0) HOST NUL after it.  *cmd gets CD; a BIND (2) is consumed like a
 * CONNECT so the caller can refuse it.  user gets the user id (may be "").
 * Errors: -1 with *rep a SOCKS5 REP (socks4_reply() maps it): a user id
 * or host name over 255 bytes, an empty host name, port 0 or DSTIP 0.0.0.0
 * with CONNECT, another CD.  VN != 4: SOCKS_REP_CLOSE.
 */
int	 socks4_parse_request(const uint8_t *, size_t, uint8_t *cmd,
	    struct target *, char user[SOCKS4_USERID_MAX + 1], uint8_t *rep);
/* SOCKS4 reply (8 bytes) for a SOCKS5 REP: 0x5a for SOCKS_REP_OK, else 0x5b. */
size_t	 socks4_reply(uint8_t *out, uint8_t rep);

#endif /* SOCKS_H */
