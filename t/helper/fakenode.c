/*
 * fakenode.c: an exit node written by hand from doc/protocol.md, for the
 * node authentication tests, a hostile node's framed relays (-S) and a
 * node its host pauses (-V, STATUS: doc/protocol.md "Node status").  It
 * packs its own frames and computes the key id, AUTH MAC and BIND proofs
 * with BearSSL directly, so it checks the hub against the document rather
 * than against modules/token.c.
 *
 *	fakenode [-b SRC] [-n NAME] [-p POOL]... [-t TOKEN | -k TOKEN]
 *	    [-i ID] [-r FILE | -R FILE] [-A] [-e] [-s] [-P REASON]
 *	    [-D | -F | -S FILE [-0] [-W] [-d MS] | -V [-o] [-x STEP]...]
 *	    [-T SECS] [-w MS] PORT
 *
 *	-b SRC	 connect from this local address (e.g. 127.0.0.2)
 *	-n NAME	 node name (default "fake")
 *	-p POOL	 a pool attribute (repeat for more)
 *	-t TOKEN send TOKEN's key id and answer the CHALLENGE with its MAC
 *	-k TOKEN send TOKEN's key id only: the MAC comes from -R or is zeros
 *	-r FILE	 record the CHALLENGE nonce and the AUTH MAC (64 bytes)
 *	-R FILE	 replay the AUTH MAC recorded in FILE; says whether the new
 *		 nonce equals the recorded one ("nonce same" / "nonce fresh")
 *	-i ID	 HELLO names ID as the node's old id (attribute 6)
 *	-A	 HELLO as an admin session (role 2), not a node
 *	-F	 after WELCOME, send PINGs as fast as the socket takes them
 *		 and never read: "flood closed after N pings" when the hub
 *		 cuts the link, "flood still open after N pings" at -T
 *	-D	 after WELCOME, print "fakenode ready: node N", answer PINGs
 *		 and wait for a DIAL; then forge data links for it on the
 *		 hub's data port: BIND with a wrong proof, BIND with the
 *		 proof of another request id (each followed by "forged",
 *		 which a hub that accepted them would relay), then the right
 *		 BIND, over which it sends "fakenode relayed" and reads to
 *		 EOF
 *	-S FILE	 a framed-relay peer (doc/protocol.md "Framed relays",
 *		 plaintext): HELLO offers relay framing (attribute 10, value
 *		 1); after WELCOME, open one spare link (SPARE), print
 *		 "spare open", answer PINGs and wait for a DIAL on the link,
 *		 print "dial REQ mode M" (M the mode byte, 0 when absent),
 *		 answer BIND result 0 with the right proof, write the bytes
 *		 of FILE on the link as they are (chunks, good or bad), then
 *		 read until the hub closes the link: "link closed after N
 *		 bytes" (N: what the hub sent after the BIND) or, at -T,
 *		 "link open after N bytes"; then "hub sent HEX" (the first
 *		 64 of them)
 *	-0	 with -S: no attribute 10 (a node of before framed relays)
 *	-W	 with -S: shut down the link's write side after FILE (the end
 *		 of a raw direction)
 *	-d MS	 with -S: send the BIND, wait MS milliseconds, then FILE
 *		 (default: BIND and FILE in one write, so the hub finds the
 *		 chunks behind the BIND when the relay starts)
 *	-e	 HELLO says the node has a redial command (attribute 8)
 *	-s	 HELLO offers node status frames (attribute 11, value 1)
 *	-P REASON HELLO says the node joins paused (attribute 12: REASON as
 *		 it is, even without -s or when the hub must refuse it)
 *	-V	 serve: after WELCOME print "fakenode ready: node N", answer
 *		 PINGs and serve each DIAL ("dial REQ HOST:PORT"): connect
 *		 to the target (IPv4, or a numeric or "localhost" name),
 *		 then in a child a data link with the right BIND relaying
 *		 raw bytes both ways ("relay REQ done"); RESULT refused (5)
 *		 when the target does not answer ("dial REQ refused").
 *		 SPARE_TARGET: "spare_target N"; other frames: "frame
 *		 0xNN".  Runs the -x steps meanwhile; "serve done" at -T
 *	-o	 with -V: open one spare link (SPARE) first, "spare open",
 *		 and leave it idle (a DIAL on it is not served)
 *	-x STEP	 with -V, in order: WHEN=WHAT, WHEN a number (milliseconds
 *		 after the last step, or WELCOME) or a file (the step runs
 *		 once it exists); WHAT "available", "paused:REASON" (a
 *		 STATUS each), "hex:HEX" (a STATUS of that payload, good or
 *		 bad), "flap:N:REASON" (N times available, then paused:
 *		 REASON, in one write); then "status sent WHAT"
 *	-T SECS	 give up after SECS seconds (default 10)
 *	-w MS	 wait MS milliseconds after connecting, before the HELLO
 *		 (prints "connected" first)
 *
 * Reports on stdout, one line each: "challenge HEX", "welcome node=N
 * data_port=P", "welcome status=V" (WELCOME's last byte, 0: absent),
 * "bye REASON TEXT", "closed", and in -D mode "dial REQ",
 * "bind wrong-proof: closed|open", "bind other-request: closed|open",
 * "bind right-proof: done|no EOF", in -S mode the lines above and
 * "control closed" when the hub drops the node, in -V mode the lines
 * above.  Exit: 0 welcomed (-D: all of it ran; -S: the link closed or
 * stayed open to -T; -V: served to -T), 3 BYE, 4 closed without an
 * answer, 2 timeout or usage, 1 error.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#define WIRE_NAME	"fakenode"
#include "wire.h"

#define SCRIPT_MAX	(256 * 1024)	/* -S FILE */
#define STEPS_MAX	32		/* -x STEP */
#define SENT_SHOWN	64		/* "hub sent HEX" */

static const char	*src_addr;
static int		 timeout_s = 10;
static int		 wait_ms;
static int		 delay_ms;	/* -d: BIND, then the -S script */
static const char	*steps[STEPS_MAX];	/* -x */
static int		 nsteps;
static int		 spare_one;	/* -o */
static volatile sig_atomic_t flooding;
static unsigned long	 flood_pings;

static void
alarm_cb(int sig)
{
	char	 buf[80];
	int	 n;

	(void)sig;
	if (flooding) {
		n = snprintf(buf, sizeof buf, "flood still open after %lu "
		    "pings\n", flood_pings);
		write(1, buf, n);
		_exit(0);
	}
	write(1, "timeout\n", 8);
	_exit(2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fakenode [-b src] [-n name] [-p pool]... "
	    "[-t token | -k token] [-i id] [-r file | -R file] [-A] [-e] [-s] "
	    "[-P reason] [-D | -F | -S file [-0] [-W] [-d ms] | "
	    "-V [-o] [-x step]...] [-T secs] [-w ms] port\n");
	exit(2);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "fakenode: %s: %s\n", what, strerror(errno));
	exit(1);
}


static int
dial_tcp(int port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket");
	if (src_addr != NULL) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, src_addr, &sin.sin_addr) != 1) {
			fprintf(stderr, "fakenode: bad -b address\n");
			exit(2);
		}
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
			fatal("bind");
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		fatal("connect");
	return (fd);
}

static void
token_kid(const char *tok, uint8_t *kid)
{
	br_sha256_context	 sc;
	uint8_t			 out[32];

	br_sha256_init(&sc);
	br_sha256_update(&sc, "tentacle token id", 17);
	br_sha256_update(&sc, tok, strlen(tok));
	br_sha256_out(&sc, out);
	memcpy(kid, out, 8);
}

static void
hmac(const void *key, size_t klen, const void *a, size_t alen,
    const void *b, size_t blen, const void *c, size_t clen, uint8_t *out)
{
	br_hmac_key_context	 kc;
	br_hmac_context		 hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, a, alen);
	br_hmac_update(&hc, b, blen);
	br_hmac_update(&hc, c, clen);
	br_hmac_out(&hc, out);
}

static void
bind_proof(const uint8_t *cookie, uint32_t req, uint8_t *proof)
{
	uint8_t	 r[4], out[32];

	put32(r, req);
	hmac(cookie, 16, "tentacle bind v1", 16, r, 4, "", 0, out);
	memcpy(proof, out, 16);
}

/*
 * A data link with one BIND followed at once by the bytes of data.
 * Returns 1 when the hub closed it (EOF or reset) within 3 seconds, 0 when
 * it stayed open.  With shut set, shuts down the write side after data.
 * A hub that wrongly accepts a forged BIND relays data to the proxy user,
 * where the test sees it.
 */
static int
forge_bind(int port, uint32_t node, const uint8_t *proof, uint32_t req,
    const char *data, int shut)
{
	struct pollfd	 pfd;
	uint8_t		 b[4 + 25 + 64], buf[4096];
	size_t		 dlen = strlen(data);
	ssize_t		 n;
	int		 fd, rc;

	if (dlen > 64)
		dlen = 64;
	b[0] = F_BIND;
	b[1] = 0;
	b[2] = 0;
	b[3] = 25;
	put32(b + 4, node);
	memcpy(b + 8, proof, 16);
	put32(b + 24, req);
	b[28] = 0;
	memcpy(b + 29, data, dlen);
	fd = dial_tcp(port);
	write_all(fd, b, 29 + dlen);
	if (shut)
		shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		rc = poll(&pfd, 1, 3000);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc <= 0) {
			close(fd);
			return (0);
		}
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
	}
	close(fd);
	return (1);
}

static void
hexprint(const char *what, const uint8_t *p, size_t len)
{
	size_t	 i;

	printf("%s ", what);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
}

/*
 * -F: PINGs as fast as the hub's socket takes them, never reading, until
 * the hub closes the link (or -T).  A hub that answers every PING and
 * never looks at what it has queued grows without bound.
 */
static int
flood(int fd)
{
	uint8_t		 ping[12] = { F_PING, 0, 0, 8 };
	struct pollfd	 pfd;
	ssize_t		 n;
	size_t		 off = 0;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl");
	flooding = 1;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		put32(ping + 8, (uint32_t)flood_pings);
		n = write(fd, ping + off, sizeof ping - off);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (poll(&pfd, 1, 1000) == 1 &&
			    (pfd.revents & (POLLHUP | POLLERR)))
				break;
			continue;
		}
		if (n == -1)
			break;		/* EPIPE, ECONNRESET: cut */
		off += n;
		if (off == sizeof ping) {
			off = 0;
			flood_pings++;
		}
	}
	flooding = 0;
	printf("flood closed after %lu pings\n", flood_pings);
	return (0);
}

/* -D: answer PINGs until a DIAL, then forge BINDs for it. */
static int
forge(int fd, uint32_t node, int data_port, const uint8_t *cookie)
{
	uint8_t		 p[PAYLOAD_MAX], proof[16];
	size_t		 len;
	uint32_t	 req;
	int		 type, ok = 1;

	printf("fakenode ready: node %u\n", node);
	fflush(stdout);
	for (;;) {
		if ((type = read_frame(fd, p, &len)) == -1) {
			printf("closed\n");
			return (4);
		}
		if (type == F_PING && len == 8)
			send_frame(fd, F_PONG, p, 8);
		else if (type == F_DIAL && len >= 4)
			break;
	}
	req = get32(p);
	printf("dial %u\n", req);
	fflush(stdout);

	bind_proof(cookie, req, proof);
	proof[0] ^= 0x01;
	if (forge_bind(data_port, node, proof, req, "forged\n", 0))
		printf("bind wrong-proof: closed\n");
	else {
		printf("bind wrong-proof: open\n");
		ok = 0;
	}
	fflush(stdout);

	bind_proof(cookie, req + 1, proof);
	if (forge_bind(data_port, node, proof, req, "forged\n", 0))
		printf("bind other-request: closed\n");
	else {
		printf("bind other-request: open\n");
		ok = 0;
	}
	fflush(stdout);

	bind_proof(cookie, req, proof);
	if (forge_bind(data_port, node, proof, req, "fakenode relayed\n", 1))
		printf("bind right-proof: done\n");
	else {
		printf("bind right-proof: no EOF\n");
		ok = 0;
	}
	fflush(stdout);
	return (ok ? 0 : 1);
}

/*
 * -S: wait until fd (the spare link) is readable, answering PINGs on the
 * control link ctl meanwhile.  1 readable, 0 at the deadline, -1 when the
 * hub dropped the control link.
 */
static int
spare_wait(int ctl, int fd, long deadline)
{
	struct pollfd	 pfd[2];
	uint8_t		 p[PAYLOAD_MAX];
	size_t		 len;
	long		 left;
	int		 n, type;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return (0);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ctl;
		pfd[1].events = POLLIN;
		n = poll(pfd, ctl == -1 ? 1 : 2, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("poll");
		if (pfd[0].revents != 0)
			return (1);
		if (n == 0 || ctl == -1 || pfd[1].revents == 0)
			continue;
		/* Frames on the control link: PINGs; the rest is ignored. */
		if ((type = read_frame(ctl, p, &len)) == -1) {
			printf("control closed\n");
			fflush(stdout);
			return (-1);
		}
		if (type == F_PING && len == 8)
			send_frame(ctl, F_PONG, p, 8);
		else if (type == F_DIAL && len >= 4) {
			printf("dial %u on the control link\n", get32(p));
			fflush(stdout);
		}
	}
}

/* -S: the bytes of path, at most SCRIPT_MAX; NULL on an error. */
static uint8_t *
script_load(const char *path, size_t *len)
{
	FILE	*fp;
	uint8_t	*buf;

	if ((buf = malloc(29 + SCRIPT_MAX)) == NULL)
		fatal("malloc");
	if ((fp = fopen(path, "rb")) == NULL)
		fatal(path);
	*len = fread(buf, 1, SCRIPT_MAX, fp);
	if (ferror(fp) || !feof(fp)) {
		fprintf(stderr, "fakenode: %s: unreadable or over %d bytes\n",
		    path, SCRIPT_MAX);
		exit(1);
	}
	fclose(fp);
	return (buf);
}

/*
 * -S: one spare link; its DIAL answered with a right BIND, then the
 * script's bytes, then what the hub sends until it closes the link.
 */
static int
spare(int ctl, uint32_t node, int data_port, const uint8_t *cookie,
    const char *path, int shut)
{
	uint8_t		 p[PAYLOAD_MAX], b[25], sent[SENT_SHOWN];
	uint8_t		*script;
	size_t		 len, slen, off, nsent = 0;
	uint32_t	 req;
	long		 deadline = now_ms() + timeout_s * 1000L;
	ssize_t		 n;
	int		 fd, type, mode, rc;

	script = script_load(path, &slen);
	fd = dial_tcp(data_port);
	put32(b, node);
	bind_proof(cookie, 0, b + 4);	/* SPARE: the proof over req 0 */
	send_frame(fd, F_SPARE, b, 20);
	printf("spare open\n");
	fflush(stdout);

	if ((rc = spare_wait(ctl, fd, deadline)) == -1)
		return (4);
	if (rc == 0) {
		printf("no dial\n");
		return (2);
	}
	if ((type = read_frame(fd, p, &len)) == -1) {
		printf("link closed before a DIAL\n");
		return (4);
	}
	/* DIAL: req u32, port u16, atyp u8, address, then mode u8 or none */
	if (type != F_DIAL || len < 8) {
		printf("link: frame 0x%02x of %zu bytes, not a DIAL\n", type,
		    len);
		return (1);
	}
	req = get32(p);
	switch (p[6]) {
	case 1: off = 7 + 4; break;
	case 3: off = 7 + 1 + p[7]; break;
	case 4: off = 7 + 16; break;
	default: off = len + 1; break;
	}
	if (off > len || len > off + 1) {
		printf("link: DIAL of %zu bytes (address type %u)\n", len,
		    p[6]);
		return (1);
	}
	mode = len == off + 1 ? p[off] : 0;
	printf("dial %u mode %d\n", req, mode);
	fflush(stdout);

	/* BIND: node_id, proof, req, result 0; then the script. */
	put32(b, node);
	bind_proof(cookie, req, b + 4);
	put32(b + 20, req);
	b[24] = 0;
	if (delay_ms > 0) {
		send_frame(fd, F_BIND, b, 25);
		usleep(delay_ms * 1000);
	} else {
		/* One write: the hub finds the script behind the BIND. */
		memmove(script + 29, script, slen);
		script[0] = F_BIND;
		script[1] = 0;
		script[2] = 0;
		script[3] = 25;
		memcpy(script + 4, b, 25);
		slen += 29;
	}
	write_all(fd, script, slen);
	free(script);
	if (shut)
		shutdown(fd, SHUT_WR);

	for (;;) {
		if ((rc = spare_wait(ctl, fd, deadline)) == -1)
			ctl = -1;	/* the link may live on: go on */
		if (rc == 0) {
			printf("link open after %zu bytes\n", nsent);
			break;
		}
		if (rc == -1)
			continue;
		n = read(fd, p, sizeof p);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("link closed after %zu bytes\n", nsent);
			break;
		}
		for (off = 0; off < (size_t)n && nsent + off < SENT_SHOWN;
		    off++)
			sent[nsent + off] = p[off];
		nsent += n;
	}
	hexprint("hub sent", sent, nsent < SENT_SHOWN ? nsent : SENT_SHOWN);
	close(fd);
	return (0);
}

/* -V: bytes both ways between a and b until both ends said EOF. */
static void
serve_relay(int a, int b)
{
	struct pollfd	 pfd[2];
	uint8_t		 buf[16384];
	int		 fds[2] = { a, b }, eof[2] = { 0, 0 }, i;
	ssize_t		 n;

	while (!eof[0] || !eof[1]) {
		for (i = 0; i < 2; i++) {
			pfd[i].fd = eof[i] ? -1 : fds[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < 2; i++) {
			if (eof[i] || pfd[i].revents == 0)
				continue;
			n = read(fds[i], buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				eof[i] = 1;
				shutdown(fds[!i], SHUT_WR);
				continue;
			}
			write_all(fds[!i], buf, n);
		}
	}
}

/*
 * -V: one DIAL (payload p): connect its target, then a child binds a data
 * link to it and relays; RESULT refused if the target does not answer.
 */
static void
serve_dial(int ctl, uint32_t node, int data_port, const uint8_t *cookie,
    const uint8_t *p, size_t len)
{
	struct sockaddr_in	 sin;
	char			 host[256];
	uint8_t			 b[25];
	uint32_t		 req;
	int			 tfd, dfd, port;

	if (len < 8)
		return;
	req = get32(p);
	port = p[4] << 8 | p[5];
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	host[0] = '\0';
	if (p[6] == 1 && len >= 11)
		inet_ntop(AF_INET, p + 7, host, sizeof host);
	else if (p[6] == 3 && (size_t)p[7] + 8 <= len) {
		memcpy(host, p + 8, p[7]);
		host[p[7]] = '\0';
	}
	printf("dial %u %s:%d\n", req, host, port);
	fflush(stdout);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if ((tfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket");
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1 ||
	    connect(tfd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(tfd);
		put32(b, req);
		b[4] = 5;	/* refused */
		send_frame(ctl, F_RESULT, b, 5);
		printf("dial %u refused\n", req);
		fflush(stdout);
		return;
	}
	switch (fork()) {
	case -1:
		fatal("fork");
		break;
	case 0:
		close(ctl);
		alarm(timeout_s);
		dfd = dial_tcp(data_port);
		put32(b, node);
		bind_proof(cookie, req, b + 4);
		put32(b + 20, req);
		b[24] = 0;
		send_frame(dfd, F_BIND, b, 25);
		serve_relay(dfd, tfd);
		printf("relay %u done\n", req);
		fflush(stdout);
		_exit(0);
	default:
		close(tfd);
	}
}

/* -V: send the STATUS frames of one step's WHAT; -1 if it is none. */
static int
serve_status(int ctl, const char *what)
{
	uint8_t		 b[PAYLOAD_MAX], all[8 * PAYLOAD_MAX];
	const char	*r;
	size_t		 n = 0, off = 0, i;
	unsigned int	 x;
	int		 flap;
	char		*end;

	if (strcmp(what, "available") == 0) {
		b[0] = 0;
		send_frame(ctl, F_STATUS, b, 1);
	} else if (strncmp(what, "paused:", 7) == 0) {
		b[0] = 1;
		n = strlen(what + 7) & 0xff;
		memcpy(b + 1, what + 7, n);
		send_frame(ctl, F_STATUS, b, 1 + n);
	} else if (strncmp(what, "hex:", 4) == 0) {
		for (r = what + 4; r[0] != '\0' && r[1] != '\0' && n < 255;
		    r += 2) {
			if (sscanf(r, "%2x", &x) != 1)
				return (-1);
			b[n++] = x;
		}
		send_frame(ctl, F_STATUS, b, n);
	} else if (strncmp(what, "flap:", 5) == 0) {
		flap = (int)strtol(what + 5, &end, 10);
		if (*end != ':' || flap <= 0 || flap > 100)
			return (-1);
		n = strlen(end + 1) & 0xff;
		for (i = 0; i < (size_t)flap; i++) {
			memcpy(all + off, "\017\000\000\001\000", 5);
			off += 5;
			all[off++] = F_STATUS;
			all[off++] = 0;
			all[off++] = 0;
			all[off++] = 1 + n;
			all[off++] = 1;
			memcpy(all + off, end + 1, n);
			off += n;
		}
		write_all(ctl, all, off);
	} else
		return (-1);
	printf("status sent %s\n", what);
	fflush(stdout);
	return (0);
}

/*
 * -V: serve DIALs on the control link and run the -x steps, until -T or
 * until the hub drops the node.
 */
static int
serve(int ctl, uint32_t node, int data_port, const uint8_t *cookie)
{
	struct pollfd	 pfd;
	uint8_t		 p[PAYLOAD_MAX];
	size_t		 len;
	long		 deadline = now_ms() + timeout_s * 1000L, next, wait;
	const char	*eq;
	char		 when[256];
	int		 step = 0, type, n;

	signal(SIGCHLD, SIG_IGN);	/* relays' children: no zombies */
	printf("fakenode ready: node %u\n", node);
	fflush(stdout);
	if (spare_one) {
		/* Left open and idle: the hub counts it, sends SPARE_TARGET. */
		put32(p, node);
		bind_proof(cookie, 0, p + 4);
		send_frame(dial_tcp(data_port), F_SPARE, p, 20);
		printf("spare open\n");
		fflush(stdout);
	}
	next = now_ms();
	for (;;) {
		/* Due steps first: a time, or a file that now exists. */
		while (step < nsteps) {
			eq = strchr(steps[step], '=');
			snprintf(when, sizeof when, "%.*s", (int)(eq -
			    steps[step]), steps[step]);
			if (strspn(when, "0123456789") == strlen(when)) {
				if (now_ms() < next + atol(when))
					break;
			} else if (access(when, F_OK) == -1)
				break;
			if (serve_status(ctl, eq + 1) == -1) {
				fprintf(stderr, "fakenode: bad -x %s\n",
				    steps[step]);
				return (2);
			}
			next = now_ms();
			step++;
		}
		if ((wait = deadline - now_ms()) <= 0) {
			printf("serve done\n");
			return (0);
		}
		if (step < nsteps && wait > 20)
			wait = 20;
		pfd.fd = ctl;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, (int)wait)) == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("poll");
		if (n == 0)
			continue;
		if ((type = read_frame(ctl, p, &len)) == -1) {
			printf("control closed\n");
			return (4);
		}
		if (type == F_PING && len == 8)
			send_frame(ctl, F_PONG, p, 8);
		else if (type == F_DIAL)
			serve_dial(ctl, node, data_port, cookie, p, len);
		else if (type == F_SPARE_TARGET && len == 2) {
			printf("spare_target %u\n", p[0] << 8 | p[1]);
			fflush(stdout);
		}
		else if (type == F_BYE && len >= 2 && (size_t)p[1] + 2 <= len) {
			printf("bye %u %.*s\n", p[0], p[1], p + 2);
			return (3);
		} else {
			printf("frame 0x%02x\n", type);
			fflush(stdout);
		}
	}
}

int
main(int argc, char **argv)
{
	const char	*name = "fake", *token = NULL, *kidtok = NULL;
	const char	*rec = NULL, *replay = NULL, *pools[16], *script = NULL;
	uint8_t		 hello[PAYLOAD_MAX], p[PAYLOAD_MAX], kid[8];
	uint8_t		 nonce[32], mac[32], saved[64], cookie[16];
	size_t		 hlen, len, i;
	FILE		*fp;
	int		 ch, npools = 0, fd, type, port, dmode = 0, admin = 0;
	int		 fmode = 0, noframing = 0, shut = 0, vmode = 0;
	int		 status = 0, redial = 0;
	const char	*paused = NULL;
	uint32_t	 node, hint = 0;

	while ((ch = getopt(argc, argv,
	    "0b:d:n:p:t:k:i:r:R:ADFS:T:Ww:esP:Vox:")) != -1) {
		switch (ch) {
		case 'b': src_addr = optarg; break;
		case 'n': name = optarg; break;
		case 'p':
			if (npools == 16)
				usage();
			pools[npools++] = optarg;
			break;
		case 't': token = optarg; break;
		case 'k': kidtok = optarg; break;
		case 'r': rec = optarg; break;
		case 'R': replay = optarg; break;
		case 'D': dmode = 1; break;
		case 'F': fmode = 1; break;
		case 'S': script = optarg; break;
		case '0': noframing = 1; break;
		case 'W': shut = 1; break;
		case 'A': admin = 1; break;
		case 'i': hint = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'T': timeout_s = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'd': delay_ms = atoi(optarg); break;
		case 'e': redial = 1; break;
		case 's': status = 1; break;
		case 'P': paused = optarg; break;
		case 'V': vmode = 1; break;
		case 'o': spare_one = 1; break;
		case 'x':
			if (nsteps == STEPS_MAX || strchr(optarg, '=') == NULL)
				usage();
			steps[nsteps++] = optarg;
			break;
		default: usage();
		}
	}
	if (argc - optind != 1 || (token != NULL && kidtok != NULL) ||
	    strlen(name) > 63 || dmode + fmode + vmode + (script != NULL) > 1 ||
	    ((nsteps > 0 || spare_one) && !vmode) ||
	    (paused != NULL && strlen(paused) > 255))
		usage();
	port = atoi(argv[optind]);
	if (port <= 0 || port > 65535)
		usage();
	signal(SIGALRM, alarm_cb);
	signal(SIGPIPE, SIG_IGN);
	/* -S ends by itself at -T: the alarm only if that is stuck. */
	alarm(script != NULL || vmode ? timeout_s + 5 : timeout_s);

	/* HELLO: magic, version 1, role node (or admin), then attributes. */
	memcpy(hello, admin ? "TNTC\001\002" : "TNTC\001\001", 6);
	hlen = 6;
	hello[hlen++] = 1;
	hello[hlen++] = strlen(name);
	memcpy(hello + hlen, name, strlen(name));
	hlen += strlen(name);
	for (i = 0; i < (size_t)npools; i++) {
		hello[hlen++] = 2;
		hello[hlen++] = strlen(pools[i]) & 0xff;
		memcpy(hello + hlen, pools[i], strlen(pools[i]) & 0xff);
		hlen += strlen(pools[i]) & 0xff;
	}
	memcpy(hello + hlen, "\003\004fake\005\010fakenode", 16);
	hlen += 16;
	if (token != NULL || kidtok != NULL) {
		token_kid(token != NULL ? token : kidtok, kid);
		hello[hlen++] = 7;
		hello[hlen++] = 8;
		memcpy(hello + hlen, kid, 8);
		hlen += 8;
	}
	if (hint != 0) {
		hello[hlen++] = 6;
		hello[hlen++] = 4;
		put32(hello + hlen, hint);
		hlen += 4;
	}
	if (script != NULL && !noframing) {
		/* relay framing, version 1 */
		memcpy(hello + hlen, "\012\001\001", 3);
		hlen += 3;
	}
	if (redial) {
		/* a redial command */
		memcpy(hello + hlen, "\010\001\001", 3);
		hlen += 3;
	}
	if (status) {
		/* node status frames, version 1 */
		memcpy(hello + hlen, "\013\001\001", 3);
		hlen += 3;
	}
	if (paused != NULL) {
		hello[hlen++] = 12;
		hello[hlen++] = strlen(paused);
		memcpy(hello + hlen, paused, strlen(paused));
		hlen += strlen(paused);
	}

	fd = dial_tcp(port);
	if (wait_ms > 0) {
		printf("connected\n");
		fflush(stdout);
		usleep(wait_ms * 1000);
	}
	send_frame(fd, F_HELLO, hello, hlen);
	for (;;) {
		if ((type = read_frame(fd, p, &len)) == -1) {
			printf("closed\n");
			return (4);
		}
		switch (type) {
		case F_CHALLENGE:
			if (len != 32) {
				fprintf(stderr, "fakenode: CHALLENGE of %zu "
				    "bytes\n", len);
				return (1);
			}
			memcpy(nonce, p, 32);
			hexprint("challenge", nonce, 32);
			memset(mac, 0, sizeof mac);
			if (token != NULL)
				hmac(token, strlen(token),
				    "tentacle node auth v1", 22, nonce, 32,
				    name, strlen(name), mac);
			if (replay != NULL) {
				if ((fp = fopen(replay, "rb")) == NULL ||
				    fread(saved, 1, 64, fp) != 64)
					fatal(replay);
				fclose(fp);
				printf("nonce %s\n", memcmp(saved, nonce, 32) ==
				    0 ? "same" : "fresh");
				memcpy(mac, saved + 32, 32);
			}
			if (rec != NULL) {
				if ((fp = fopen(rec, "wb")) == NULL)
					fatal(rec);
				fwrite(nonce, 1, 32, fp);
				fwrite(mac, 1, 32, fp);
				if (fclose(fp) != 0)
					fatal(rec);
			}
			send_frame(fd, F_AUTH, mac, 32);
			break;
		case F_WELCOME:
			/* version, node_id, heartbeat, dial, data_port,
			 * max_dials, cookie, data_host */
			if (len < 1 + 4 + 4 + 4 + 2 + 2 + 16 + 1) {
				fprintf(stderr, "fakenode: short WELCOME\n");
				return (1);
			}
			node = get32(p + 1);
			memcpy(cookie, p + 17, 16);
			printf("welcome node=%u data_port=%u\n", node,
			    p[13] << 8 | p[14]);
			/* After data_host: the hub's status version, or 0. */
			printf("welcome status=%u\n", len > 34U + p[33] ?
			    p[34 + p[33]] : 0);
			fflush(stdout);
			if (vmode)
				return (serve(fd, node, p[13] << 8 | p[14],
				    cookie));
			if (fmode)
				return (flood(fd));
			if (script != NULL)
				return (spare(fd, node, p[13] << 8 | p[14],
				    cookie, script, shut));
			if (!dmode)
				return (0);
			return (forge(fd, node, p[13] << 8 | p[14], cookie));
		case F_BYE:
			if (len < 2 || (size_t)p[1] + 2 > len) {
				fprintf(stderr, "fakenode: bad BYE\n");
				return (1);
			}
			printf("bye %u %.*s\n", p[0], p[1], p + 2);
			return (3);
		default:
			fprintf(stderr, "fakenode: unexpected frame 0x%02x\n",
			    type);
			return (1);
		}
		fflush(stdout);
	}
}
