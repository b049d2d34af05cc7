/*
 * frame.h: control-link frames (doc/protocol.md).  Pure codec: byte
 * buffers in, structs out and back; no sockets, no event loop.
 */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define FRAME_HEADER		4
#define FRAME_PAYLOAD_MAX	4096
#define FRAME_MAX		(FRAME_HEADER + FRAME_PAYLOAD_MAX)
#define FRAME_VERSION		1
#define FRAME_MAGIC		"TNTC"
#define FRAME_COOKIE_LEN	16

#define FRAME_HELLO		0x01
#define FRAME_WELCOME		0x02
#define FRAME_PING		0x03
#define FRAME_PONG		0x04
#define FRAME_DIAL		0x05
#define FRAME_RESULT		0x06
#define FRAME_BIND		0x07
#define FRAME_BYE		0x08
#define FRAME_SPARE		0x09
#define FRAME_CHALLENGE		0x0a
#define FRAME_AUTH		0x0b
#define FRAME_POLICY		0x0c
#define FRAME_SPARE_TARGET	0x0d
#define FRAME_REDIAL		0x0e
#define FRAME_STATUS		0x0f
/*
 * 0x10-0x14: the admin frames of 0.1, gone: the admin socket speaks HTTP
 * (doc/admin.md).  Never reuse them: frame_parse refuses them as unknown.
 */

#define FRAME_ROLE_NODE		1
/* An older tentacle info on the control port: the hub answers with a BYE. */
#define FRAME_ROLE_ADMIN	2

#define FRAME_BYE_SHUTDOWN	0
#define FRAME_BYE_PROTOCOL	1
#define FRAME_BYE_VERSION	2
#define FRAME_BYE_TIMEOUT	3
#define FRAME_BYE_NOTALLOWED	4
#define FRAME_BYE_OVERLOADED	5
#define FRAME_BYE_REPLACED	6
#define FRAME_BYE_AUTH		7
#define FRAME_BYE_REDIAL	8

/* HELLO redial attribute: the node's own redial action, if any. */
#define FRAME_REDIAL_NONE	0
#define FRAME_REDIAL_COMMAND	1	/* redial: COMMAND */
#define FRAME_REDIAL_DIALINFO	2	/* dial_info: (PPP) */

/* HELLO redial_result: how the node's last redial action ended. */
#define FRAME_RRES_NONE		0	/* no redial since the last HELLO */
#define FRAME_RRES_OK		1	/* exit status 0 */
#define FRAME_RRES_FAILED	2	/* non-zero exit status (code) */
#define FRAME_RRES_TIMEOUT	3	/* killed after redial_timeout */
#define FRAME_RRES_NOSTART	4	/* could not be started */
#define FRAME_RRES_SIGNAL	5	/* died of a signal (code) */

#define FRAME_HIST_MAX		8	/* address history a hub keeps per node */

#define FRAME_KID_LEN		8	/* token key id (token.h) */
#define FRAME_NONCE_LEN		32
#define FRAME_MAC_LEN		32
#define FRAME_PROOF_LEN		16

#define FRAME_NAME_MAX		63	/* node names */
#define FRAME_POOL_MAX		31	/* pool names */
#define FRAME_POOLS_MAX		16
#define FRAME_SHORT_MAX		31	/* os, arch */
#define FRAME_BUILD_MAX		63
#define FRAME_REASON_MAX	63	/* STATUS, HELLO paused: a reason */

/* One frame as it sits in a buffer; payload points into that buffer. */
struct frame {
	uint8_t		 type;
	uint16_t	 len;
	const uint8_t	*payload;
};

struct frame_hello {
	uint8_t		 version;
	uint8_t		 role;
	char		 name[FRAME_NAME_MAX + 1];
	char		 pools[FRAME_POOLS_MAX][FRAME_POOL_MAX + 1];
	int		 npools;
	char		 os[FRAME_SHORT_MAX + 1];
	char		 arch[FRAME_SHORT_MAX + 1];
	char		 build[FRAME_BUILD_MAX + 1];
	uint32_t	 node_id;	/* reconnect hint, 0 = none */
	uint8_t		 kid[FRAME_KID_LEN];	/* token key id */
	int		 has_kid;
	uint8_t		 redial;	/* FRAME_REDIAL_* */
	uint8_t		 rres;		/* FRAME_RRES_*, last redial */
	uint8_t		 rres_code;	/* exit status or signal */
	uint32_t	 rres_ms;	/* how long the action ran */
	uint8_t		 relay;		/* relay framing spoken, 0 none */
	uint8_t		 status;	/* attr 11, 0 none */
	char		 paused[FRAME_REASON_MAX + 1];	/* attr 12, "" none */
};

struct frame_welcome {
	uint8_t		 version;
	uint32_t	 node_id;
	uint32_t	 heartbeat_ms;
	uint32_t	 dial_ms;
	uint16_t	 data_port;
	uint16_t	 max_dials;
	uint8_t		 cookie[FRAME_COOKIE_LEN];
	char		 data_host[256];
	uint8_t		 status;	/* the optional last byte, 0 absent */
};

/*
 * DIAL's mode (an optional last byte, sent only to a node whose HELLO
 * offered relay framing): FRAME_DIAL_RAW (no byte) relays raw bytes after
 * BIND as always; FRAME_DIAL_FRAMED relays in chunks, so the link can
 * carry another DIAL after both ends said EOF (doc/protocol.md "Framed
 * relays").
 */
#define FRAME_DIAL_RAW		0
#define FRAME_DIAL_FRAMED	1
struct frame_dial {
	uint32_t	 req;
	struct target	 target;
	uint8_t		 mode;		/* FRAME_DIAL_* */
};

struct frame_result {
	uint32_t	 req;
	uint8_t		 result;
};

struct frame_bind {
	uint32_t	 node_id;
	uint8_t		 proof[FRAME_PROOF_LEN];	/* token_bind_proof() */
	uint32_t	 req;
	uint8_t		 result;
};

/*
 * SPARE: first frame of a spare data link (idle, waiting for a DIAL).
 * proof is
 * token_bind_proof(cookie, FRAME_SPARE_REQ): request id 0, which no DIAL
 * uses, so a SPARE proof never passes as a BIND proof.
 */
#define FRAME_SPARE_REQ		0
struct frame_spare {
	uint32_t	 node_id;
	uint8_t		 proof[FRAME_PROOF_LEN];
};

/* POLICY: destinations the hub denies this node, on top of its own. */
#define FRAME_POLICY_MAX	64
struct frame_policy_entry {
	uint8_t		 family;	/* 0: a port, 4: IPv4, 6: IPv6 */
	uint8_t		 bits;
	uint8_t		 addr[16];
	uint16_t	 port;
};
struct frame_policy {
	int				 n;
	struct frame_policy_entry	 e[FRAME_POLICY_MAX];
};

struct frame_bye {
	uint8_t		 reason;
	char		 text[256];
};

/*
 * Find one frame at the start of buf.  Returns the whole frame's length
 * (header + payload) when it is all there, 0 when more bytes are needed,
 * -1 on a bad header (unknown type, flags, length over the limit) with
 * *cause set to a static string.  Never reads past len.
 */
int	 frame_parse(const uint8_t *, size_t, struct frame *, const char **);

/*
 * Typed decoders: 0 or -1 with *cause (static).  They check the frame's
 * type, every field's bounds, and that no bytes are left over.
 */
/*
 * HELLO has two more results, for the hub to answer apart: FRAME_EMAGIC
 * (not a tentacle peer: close without a word) and FRAME_EVERSION (another
 * protocol version: BYE(version); h->version says which).
 */
#define FRAME_EMAGIC	(-2)
#define FRAME_EVERSION	(-3)
int	 frame_hello_parse(const struct frame *, struct frame_hello *,
	    const char **);
int	 frame_welcome_parse(const struct frame *, struct frame_welcome *,
	    const char **);
int	 frame_stamp_parse(const struct frame *, uint64_t *, const char **);
int	 frame_dial_parse(const struct frame *, struct frame_dial *,
	    const char **);
int	 frame_result_parse(const struct frame *, struct frame_result *,
	    const char **);
int	 frame_bind_parse(const struct frame *, struct frame_bind *,
	    const char **);
int	 frame_bye_parse(const struct frame *, struct frame_bye *,
	    const char **);
int	 frame_policy_parse(const struct frame *, struct frame_policy *,
	    const char **);
int	 frame_spare_parse(const struct frame *, struct frame_spare *,
	    const char **);
/* SPARE_TARGET: u16 spare links the hub wants from the node. */
int	 frame_spare_target_parse(const struct frame *, uint16_t *,
	    const char **);
/*
 * REDIAL: why the hub asks, or why the node declines (text only: the
 * action is the node's own), cut to the caller's buffer.
 */
int	 frame_redial_parse(const struct frame *, char *, size_t,
	    const char **);
/* CHALLENGE (nonce) and AUTH (mac): exactly len bytes of payload. */
int	 frame_blob_parse(const struct frame *, uint8_t type, uint8_t *,
	    size_t, const char **);

/*
 * Encoders write one whole frame into out (FRAME_MAX bytes) and return its
 * length, or 0 when a field is out of bounds (a bug in the caller).
 */
size_t	 frame_hello_encode(uint8_t *, const struct frame_hello *);
size_t	 frame_welcome_encode(uint8_t *, const struct frame_welcome *);
size_t	 frame_stamp_encode(uint8_t *, uint8_t type, uint64_t);
size_t	 frame_dial_encode(uint8_t *, const struct frame_dial *);
size_t	 frame_result_encode(uint8_t *, const struct frame_result *);
size_t	 frame_bind_encode(uint8_t *, const struct frame_bind *);
size_t	 frame_bye_encode(uint8_t *, uint8_t reason, const char *text);
size_t	 frame_policy_encode(uint8_t *, const struct frame_policy *);
size_t	 frame_spare_encode(uint8_t *, const struct frame_spare *);
size_t	 frame_spare_target_encode(uint8_t *, uint16_t);
size_t	 frame_redial_encode(uint8_t *, const char *);
size_t	 frame_blob_encode(uint8_t *, uint8_t type, const uint8_t *, size_t);

/*
 * A framed relay's chunks (doc/protocol.md "Framed relays"): a 3-byte
 * head, kind u8 and length u16, then length bytes of payload (DATA only).
 * DATA carries 1..FRAME_CHUNK_MAX bytes; EOF (this direction is done: a
 * half-close) and RAW (raw bytes follow until the link closes) carry none.
 */
#define FRAME_RELAY_VERSION	1	/* HELLO attribute 10 */
#define FRAME_CHUNK_HEAD	3
#define FRAME_CHUNK_MAX		16384
#define FRAME_CHUNK_DATA	0
#define FRAME_CHUNK_EOF		1
#define FRAME_CHUNK_RAW		2
struct frame_chunk {
	uint8_t		 kind;
	uint16_t	 len;		/* payload after the head */
};
/*
 * The chunk head at the start of buf: FRAME_CHUNK_HEAD, 0 when fewer bytes
 * are there, -1 on a bad head (unknown kind, a length out of bounds) with
 * *cause static.  The payload is the caller's to wait for.
 */
int	 frame_chunk_parse(const uint8_t *, size_t, struct frame_chunk *,
	    const char **);
/* Write a chunk head into out (FRAME_CHUNK_HEAD bytes). */
void	 frame_chunk_head(uint8_t *, uint8_t kind, uint16_t len);

/*
 * STATUS (doc/protocol.md "Node status"): node -> hub, only from a node
 * whose HELLO had attribute 11 and whose WELCOME ended with the hub's
 * status version.  state FRAME_STATUS_AVAILABLE with no reason, or
 * FRAME_STATUS_PAUSED with a reason of 1..FRAME_REASON_MAX printable
 * bytes (why the host app stopped sharing: "metered network").  The same
 * reason rules hold for HELLO attribute 12 (the node joins paused).
 */
#define FRAME_STATUS_VERSION	1	/* HELLO attr 11, WELCOME's last byte */
#define FRAME_STATUS_AVAILABLE	0
#define FRAME_STATUS_PAUSED	1
struct frame_status {
	uint8_t		 state;		/* FRAME_STATUS_* */
	char		 reason[FRAME_REASON_MAX + 1];	/* "" if available */
};
int	 frame_status_parse(const struct frame *, struct frame_status *,
	    const char **);
/* 0 for an unknown state or a reason that breaks the rules above. */
size_t	 frame_status_encode(uint8_t *, const struct frame_status *);
/* Is s a valid reason: 1..FRAME_REASON_MAX printable ASCII bytes? */
int	 frame_reason_valid(const char *);

const char *frame_type_name(uint8_t);
/* Node and pool names: [A-Za-z0-9._-], 1..max bytes. */
int	 frame_name_valid(const char *, size_t max);

#endif /* FRAME_H */
