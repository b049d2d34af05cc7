/*
 * socks.c: SOCKS5 (RFC 1928), username/password (RFC 1929) and SOCKS4/4a
 * messages on byte buffers.  Owns the message formats, their limits and the
 * mapping of dial results to REP codes; never touches sockets (hub_socks.c
 * does).
 *
 * Choices where the RFCs leave room, or where a client can be wrong:
 *
 * - Greeting VER != 5: -1, SOCKS_REP_CLOSE (not a SOCKS5 client; the
 *   caller looks at the first byte first and sends SOCKS4 elsewhere).
 * - Greeting NMETHODS 0: -1, SOCKS_REP_FAIL, meaning "send the method
 *   reply NO ACCEPTABLE METHODS (0xff), then close".  Every greeting error
 *   other than SOCKS_REP_CLOSE means that.
 * - Userpass VER != 1: -1, SOCKS_REP_CLOSE.  ULEN 0 or a NUL byte in the
 *   name or password: -1, SOCKS_REP_FAIL (send status failure, close): a
 *   NUL would cut the C string and let two different names compare equal.
 *   PLEN 0 is accepted (curl sends it for "user:").
 * - Request VER != 5: -1, SOCKS_REP_CLOSE.
 * - Request RSV != 0: accepted.  The byte carries nothing and the RFC
 *   gives no reply for it; refusing would only break sloppy clients.
 * - ATYP other than 1, 3, 4: -1, SOCKS_REP_ATYPUNSUPP, decided as soon as
 *   the ATYP byte is in, whatever the command.
 * - Domain length 0, or a NUL byte in the name: -1, SOCKS_REP_HOSTUNREACH
 *   (no host by that name can be reached; the name never goes to a node).
 * - Port 0 with CONNECT: -1, SOCKS_REP_FAIL (nothing listens there).
 *   BIND and UDP ASSOCIATE legitimately send 0.0.0.0:0, so for any other
 *   command the request is consumed and the caller answers CMDUNSUPP.
 * - Only VER, ATYP and the domain length are judged before the whole
 *   request is in; the result never depends on where the input was split
 *   (an error found early is the same error found late).
 *
 * SOCKS4 (and 4a, both documents at openssh.com/txt/socks4*.protocol) has
 * one reply for every failure, 0x5b; errors carry a SOCKS5 REP anyway so
 * the caller logs and maps them in one way.  The user id and the 4a host
 * name end at a NUL: past SOCKS4_USERID_MAX (255) bytes without one the
 * request is refused (REP FAIL) as soon as that many bytes are in, so a
 * client cannot make the hub wait for more than 8 + 256 + 256 bytes.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "tentacle.h"
#include "socks.h"

/* see socks.h */
char *
socks_methods_str(uint32_t methods, char *out, size_t outlen)
{
	static const char	*names[] = { "no-auth", "gssapi", "user/pass" };
	char			 hex[8];
	u_int			 i;

	if (outlen == 0)
		return (out);
	out[0] = '\0';
	for (i = 0; i < 32; i++) {
		if ((methods & (1U << i)) == 0)
			continue;
		if (out[0] != '\0')
			strlcat(out, ",", outlen);
		if (i < nitems(names))
			strlcat(out, names[i], outlen);
		else {
			snprintf(hex, sizeof hex, "0x%02x", i);
			strlcat(out, hex, outlen);
		}
	}
	if (out[0] == '\0')
		strlcpy(out, "none", outlen);
	return (out);
}

/* see socks.h */
int
socks_parse_greeting(const uint8_t *buf, size_t len, uint32_t *methods,
    uint8_t *rep)
{
	size_t		 n, i;
	uint32_t	 mask = 0;

	if (len < 1)
		return (0);
	if (buf[0] != SOCKS_VERSION) {
		*rep = SOCKS_REP_CLOSE;
		return (-1);
	}
	if (len < 2)
		return (0);
	n = buf[1];
	if (n == 0) {
		*rep = SOCKS_REP_FAIL;
		return (-1);
	}
	if (len < 2 + n)
		return (0);
	for (i = 0; i < n; i++) {
		if (buf[2 + i] < 32)
			mask |= (uint32_t)1 << buf[2 + i];
	}
	*methods = mask;
	return ((int)(2 + n));
}

/* see socks.h */
int
socks_parse_userpass(const uint8_t *buf, size_t len, char user[256],
    char pass[256], uint8_t *rep)
{
	size_t	 ulen, plen;

	if (len < 1)
		return (0);
	if (buf[0] != SOCKS_AUTH_VERSION) {
		*rep = SOCKS_REP_CLOSE;
		return (-1);
	}
	if (len < 2)
		return (0);
	ulen = buf[1];
	if (ulen == 0) {
		*rep = SOCKS_REP_FAIL;
		return (-1);
	}
	if (len < 2 + ulen + 1)
		return (0);
	plen = buf[2 + ulen];
	if (len < 3 + ulen + plen)
		return (0);
	if (memchr(buf + 2, '\0', ulen) != NULL ||
	    memchr(buf + 3 + ulen, '\0', plen) != NULL) {
		*rep = SOCKS_REP_FAIL;
		return (-1);
	}
	memcpy(user, buf + 2, ulen);
	user[ulen] = '\0';
	memcpy(pass, buf + 3 + ulen, plen);
	pass[plen] = '\0';
	return ((int)(3 + ulen + plen));
}

/* see socks.h */
int
socks_parse_request(const uint8_t *buf, size_t len, uint8_t *cmd,
    struct target *t, uint8_t *rep)
{
	size_t		 alen, need, off;
	uint16_t	 port;

	if (len < 1)
		return (0);
	if (buf[0] != SOCKS_VERSION) {
		*rep = SOCKS_REP_CLOSE;
		return (-1);
	}
	if (len < 4)
		return (0);
	/* buf[2] is RSV: accepted whatever it holds (see above). */
	switch (buf[3]) {
	case TARGET_IPV4:
		alen = 4;
		off = 4;
		break;
	case TARGET_IPV6:
		alen = 16;
		off = 4;
		break;
	case TARGET_DOMAIN:
		if (len < 5)
			return (0);
		alen = buf[4];
		off = 5;
		if (alen == 0) {
			*rep = SOCKS_REP_HOSTUNREACH;
			return (-1);
		}
		break;
	default:
		*rep = SOCKS_REP_ATYPUNSUPP;
		return (-1);
	}
	need = off + alen + 2;
	if (len < need)
		return (0);
	if (buf[3] == TARGET_DOMAIN && memchr(buf + off, '\0', alen) != NULL) {
		*rep = SOCKS_REP_HOSTUNREACH;
		return (-1);
	}
	port = (uint16_t)((buf[off + alen] << 8) | buf[off + alen + 1]);
	if (port == 0 && buf[1] == SOCKS_CMD_CONNECT) {
		*rep = SOCKS_REP_FAIL;
		return (-1);
	}

	memset(t, 0, sizeof *t);
	t->atyp = buf[3];
	t->port = port;
	if (buf[3] == TARGET_DOMAIN) {
		memcpy(t->host, buf + off, alen);
		t->host[alen] = '\0';
	} else
		memcpy(t->addr, buf + off, alen);
	*cmd = buf[1];
	return ((int)need);
}

/* see socks.h */
size_t
socks_method_reply(uint8_t *out, uint8_t method)
{
	out[0] = SOCKS_VERSION;
	out[1] = method;
	return (2);
}

/* see socks.h */
size_t
socks_auth_reply(uint8_t *out, int ok)
{
	out[0] = SOCKS_AUTH_VERSION;
	out[1] = ok ? 0x00 : 0x01;
	return (2);
}

/* see socks.h */
size_t
socks_reply(uint8_t *out, uint8_t rep, const struct sockaddr *bound)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	out[0] = SOCKS_VERSION;
	out[1] = rep;
	out[2] = 0;
	if (bound != NULL && bound->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)bound;
		out[3] = TARGET_IPV6;
		memcpy(out + 4, &sin6->sin6_addr, 16);
		memcpy(out + 20, &sin6->sin6_port, 2);	/* network order */
		return (22);
	}
	out[3] = TARGET_IPV4;
	if (bound != NULL && bound->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)bound;
		memcpy(out + 4, &sin->sin_addr, 4);
		memcpy(out + 8, &sin->sin_port, 2);
	} else
		memset(out + 4, 0, 6);
	return (10);
}

/* see socks.h; the table in doc/protocol.md "Result codes". */
uint8_t
socks_rep_from_dial(int result)
{
	switch (result) {
	case DIAL_OK:
		return (SOCKS_REP_OK);
	case DIAL_NOTALLOWED:
		return (SOCKS_REP_NOTALLOWED);
	case DIAL_NETUNREACH:
		return (SOCKS_REP_NETUNREACH);
	case DIAL_HOSTUNREACH:
	case DIAL_DNS:
		return (SOCKS_REP_HOSTUNREACH);
	case DIAL_REFUSED:
		return (SOCKS_REP_REFUSED);
	case DIAL_TIMEOUT:
		return (SOCKS_REP_TTLEXPIRED);
	case DIAL_BADADDR:
		return (SOCKS_REP_ATYPUNSUPP);
	case DIAL_FAIL:
	case DIAL_NONODE:
	case DIAL_NODELOST:
	default:
		return (SOCKS_REP_FAIL);
	}
}

/*
 * A NUL-terminated field of at most max bytes at buf[off..len): its length
 * into *flen; 0 when more bytes are needed, -1 when it is too long.
 */
static int
socks4_field(const uint8_t *buf, size_t len, size_t off, size_t max,
    size_t *flen)
{
	const uint8_t	*nul;
	size_t		 avail = len - off;

	if (avail > max + 1)
		avail = max + 1;
	if ((nul = memchr(buf + off, '\0', avail)) != NULL) {
		*flen = (size_t)(nul - (buf + off));
		return (1);
	}
	return (len - off > max ? -1 : 0);
}

/* see socks.h */
int
socks4_parse_request(const uint8_t *buf, size_t len, uint8_t *cmd,
    struct target *t, char user[SOCKS4_USERID_MAX + 1], uint8_t *rep)
{
	size_t		 ulen, hlen = 0, need;
	uint16_t	 port;
	int		 is4a, rc;

	if (len < 1)
		return (0);
	if (buf[0] != SOCKS4_VERSION) {
		*rep = SOCKS_REP_CLOSE;
		return (-1);
	}
	if (len < 2)
		return (0);
	if (buf[1] != SOCKS_CMD_CONNECT && buf[1] != SOCKS_CMD_BIND) {
		*rep = SOCKS_REP_CMDUNSUPP;
		return (-1);
	}
	if (len < 8)
		return (0);
	if ((rc = socks4_field(buf, len, 8, SOCKS4_USERID_MAX, &ulen)) <= 0) {
		if (rc == -1)
			*rep = SOCKS_REP_FAIL;
		return (rc);
	}
	need = 8 + ulen + 1;
	/* 4a: DSTIP 0.0.0.x with x != 0, the host name follows. */
	is4a = buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] != 0;
	if (is4a) {
		rc = socks4_field(buf, len, need, sizeof t->host - 1, &hlen);
		if (rc <= 0) {
			if (rc == -1)
				*rep = SOCKS_REP_HOSTUNREACH;
			return (rc);
		}
		need += hlen + 1;
	}
	port = (uint16_t)((buf[2] << 8) | buf[3]);
	if (buf[1] == SOCKS_CMD_CONNECT) {
		if (is4a && hlen == 0) {
			*rep = SOCKS_REP_HOSTUNREACH;
			return (-1);
		}
		if (port == 0 || (!is4a && buf[4] == 0 && buf[5] == 0 &&
		    buf[6] == 0 && buf[7] == 0)) {
			*rep = SOCKS_REP_FAIL;
			return (-1);
		}
	}

	memset(t, 0, sizeof *t);
	t->port = port;
	if (is4a) {
		t->atyp = TARGET_DOMAIN;
		memcpy(t->host, buf + 8 + ulen + 1, hlen);
		t->host[hlen] = '\0';
	} else {
		t->atyp = TARGET_IPV4;
		memcpy(t->addr, buf + 4, 4);
	}
	memcpy(user, buf + 8, ulen);
	user[ulen] = '\0';
	*cmd = buf[1];
	return ((int)need);
}

/* see socks.h */
size_t
socks4_reply(uint8_t *out, uint8_t rep)
{
	out[0] = 0;	/* VN of a reply */
	out[1] = rep == SOCKS_REP_OK ? SOCKS4_REP_GRANTED :
	    SOCKS4_REP_REJECTED;
	memset(out + 2, 0, 6);
	return (SOCKS4_REPLY_LEN);
}
