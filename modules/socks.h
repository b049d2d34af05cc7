/*
 * socks.h: SOCKS5 (RFC 1928) and username/password (RFC 1929) messages on
 * byte buffers.  No I/O: hub_socks.c feeds it what arrived.
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

#endif /* SOCKS_H */
