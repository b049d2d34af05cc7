/*
 * fakehub.c: a hub written by hand from doc/protocol.md, for a hostile
 * hub's framed relays against a real node (doc/protocol.md "Framed
 * relays").  Plaintext (the node runs -insecure), no tokens (no
 * CHALLENGE); it packs its own frames and computes the session proofs
 * with BearSSL directly, so it checks the node against the document.
 *
 *	fakehub [-2 | -E] [-N] [-P] [-W] [-T SECS] -e PORT FILE
 *
 *	-e PORT	 the target of the DIALs: 127.0.0.1:PORT (t/helper/origin
 *		 -echo: collects until EOF, echoes, closes)
 *	FILE	 raw bytes written on the link after the node's BIND:
 *		 chunks, good or bad
 *	-2	 when the node's EOF mark came and the link is idle again on
 *		 both ends, a second DIAL on the same link, then FILE again
 *	-E	 -2, but the second DIAL goes right after the first FILE
 *		 (behind our EOF mark), before the node's EOF mark came
 *	-N	 after the link closed: wait for the node's next spare link
 *		 (a new SPARE)
 *	-P	 pipeline: FILE in the DIAL's own write, before the BIND
 *	-W	 shut down the link's write side after FILE (the end of a raw
 *		 direction)
 *	-T SECS	 give up after SECS seconds (default 10)
 *
 * Listens on 127.0.0.1:0 for control and data links and prints "fakehub
 * ready: control=PORT data=PORT".  It answers the node's HELLO with
 * WELCOME (node 7, heartbeat 5000 ms, dial 10000 ms, its data port, 16
 * dials, a cookie), and its PINGs with PONG, accepts its spare link and
 * sends DIAL with mode 1 on it.  Reports on stdout, one line each:
 * "hello NAME relay=V", "spare NODE proof ok|bad", "bind REQ result R
 * proof ok|bad", then what the node sends on the link: "chunk DATA N
 * TEXT" (TEXT escaped), "chunk EOF", "chunk RAW", "raw N bytes TEXT" (the
 * bytes after RAW, up to the close), "bad chunk KIND LEN", "closed" (the
 * node closed the link), "link open" (still open 1 s after the last
 * round), "no chunk" (at -T); finally "pong" when the node answers a
 * PING on its control link, or "control closed".  Exit: 0 done, 2
 * timeout or usage, 1 error.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#define WIRE_NAME	"fakehub"
#include "wire.h"

#define SCRIPT_MAX	(256 * 1024)
#define CHUNK_MAX	16384
#define SHOWN		64	/* bytes of a chunk or raw tail printed */
#define NODE_ID		7
#define LINGER_MS	1000	/* "link open": nothing for this long */

static int		 timeout_s = 10;
static long		 deadline;
static int		 ctl = -1;		/* the node's control link */
static int		 pongs;
static uint32_t		 early_req;	/* -E: this DIAL went already */
static const uint8_t	 cookie[16] = "fakehub-cookie!";

static void
alarm_cb(int sig)
{
	(void)sig;
	write(1, "timeout\n", 8);
	_exit(2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fakehub [-2ENPW] [-T secs] -e port file\n");
	exit(2);
}

static void
fatal(const char *what)
{
	fprintf(stderr, "fakehub: %s: %s\n", what, strerror(errno));
	exit(1);
}


static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* A frame's bytes into out (4 + len); returns 4 + len. */
static size_t
frame_put(uint8_t *out, uint8_t type, const void *payload, size_t len)
{
	out[0] = type;
	out[1] = 0;
	put16(out + 2, len);
	memcpy(out + 4, payload, len);
	return (4 + len);
}

static void
proof_of(uint32_t req, uint8_t *proof)
{
	br_hmac_key_context	 kc;
	br_hmac_context		 hc;
	uint8_t			 r[4], out[32];

	put32(r, req);
	br_hmac_key_init(&kc, &br_sha256_vtable, cookie, sizeof cookie);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, "tentacle bind v1", 16);
	br_hmac_update(&hc, r, 4);
	br_hmac_out(&hc, out);
	memcpy(proof, out, 16);
}

/* Bytes as text: printable ASCII as it is, the rest \xNN. */
static void
print_escaped(const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x21 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
}

static int
listen_any(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	int			 fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) == -1)
		fatal("listen");
	*port = ntohs(sin.sin_port);
	return (fd);
}

/* A PING, PONG or anything else on the control link. */
static void
control_frame(void)
{
	uint8_t	 p[PAYLOAD_MAX];
	size_t	 len;
	int	 type;

	if ((type = read_frame(ctl, p, &len)) == -1) {
		printf("control closed\n");
		fflush(stdout);
		close(ctl);
		ctl = -1;
		return;
	}
	if (type == F_PING && len == 8)
		send_frame(ctl, F_PONG, p, 8);
	else if (type == F_PONG)
		pongs++;
	else if (type == F_BYE) {
		printf("bye %u\n", len > 0 ? p[0] : 255);
		fflush(stdout);
	}
}

/*
 * Wait until fd is readable, serving the control link meanwhile; until
 * the deadline, or until ms from now when ms >= 0.  1 readable, 0 not.
 */
static int
wait_fd(int fd, long ms)
{
	struct pollfd	 pfd[2];
	long		 until = deadline, left;
	int		 n;

	if (ms >= 0 && now_ms() + ms < until)
		until = now_ms() + ms;
	for (;;) {
		if ((left = until - now_ms()) <= 0)
			return (0);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = ctl;
		pfd[1].events = POLLIN;
		n = poll(pfd, ctl == -1 || ctl == fd ? 1 : 2, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("poll");
		if (n > 0 && pfd[0].revents != 0)
			return (1);
		if (n > 0 && ctl != -1 && ctl != fd && pfd[1].revents != 0)
			control_frame();
	}
}

/* HELLO from the node, WELCOME back. */
static void
handshake(int data_port)
{
	uint8_t	 p[PAYLOAD_MAX], w[34];
	size_t	 len, i;
	int	 type, relay = 0;
	char	 name[64] = "";

	if (!wait_fd(ctl, -1) || (type = read_frame(ctl, p, &len)) == -1 ||
	    type != F_HELLO || len < 6 || memcmp(p, "TNTC\001\001", 6) != 0) {
		printf("no hello\n");
		exit(1);
	}
	for (i = 6; i + 2 <= len && i + 2 + p[i + 1] <= len;
	    i += 2 + p[i + 1]) {
		if (p[i] == 1 && p[i + 1] < sizeof name)
			snprintf(name, sizeof name, "%.*s", p[i + 1],
			    p + i + 2);
		if (p[i] == 10 && p[i + 1] == 1)
			relay = p[i + 2];
	}
	printf("hello %s relay=%d\n", name, relay);
	fflush(stdout);
	/* version, node_id, heartbeat, dial, data_port, max_dials, cookie,
	 * data_host "" (the control link's host) */
	w[0] = 1;
	put32(w + 1, NODE_ID);
	put32(w + 5, 5000);
	put32(w + 9, 10000);
	put16(w + 13, data_port);
	put16(w + 15, 16);
	memcpy(w + 17, cookie, 16);
	w[33] = 0;
	send_frame(ctl, F_WELCOME, w, sizeof w);
}

/* The node's next spare link: accepted, its SPARE checked.  -1: none. */
static int
spare_accept(int lfd)
{
	uint8_t	 p[PAYLOAD_MAX], proof[16];
	size_t	 len;
	int	 fd, type;

	if (!wait_fd(lfd, -1) || (fd = accept(lfd, NULL, NULL)) == -1) {
		printf("no spare link\n");
		return (-1);
	}
	if (!wait_fd(fd, -1) || (type = read_frame(fd, p, &len)) == -1 ||
	    type != F_SPARE || len != 20) {
		printf("no SPARE on the data link\n");
		close(fd);
		return (-1);
	}
	proof_of(0, proof);
	printf("spare %u proof %s\n", get32(p), memcmp(p + 4, proof, 16) == 0 ?
	    "ok" : "bad");
	fflush(stdout);
	return (fd);
}

static int	bind_read(int, uint32_t, const uint8_t *, size_t, int, int);

/* A DIAL (mode 1) for req on link fd, and FILE with it when given. */
static void
dial_send(int fd, uint32_t req, int port, const uint8_t *script,
    size_t slen, int shut)
{
	uint8_t		 d[12], *buf;
	size_t		 n;

	put32(d, req);
	put16(d + 4, port);
	d[6] = 1;			/* IPv4 */
	memcpy(d + 7, "\177\000\000\001", 4);
	d[11] = 1;			/* framed relay */
	if ((buf = malloc(16 + slen)) == NULL)
		fatal("malloc");
	n = frame_put(buf, F_DIAL, d, sizeof d);
	if (script != NULL) {
		memcpy(buf + n, script, slen);
		n += slen;
	}
	write_all(fd, buf, n);
	free(buf);
	if (script != NULL && shut)
		shutdown(fd, SHUT_WR);
}

/*
 * One DIAL on link fd, FILE after it (pipelined, or after the BIND); 1
 * when the BIND said 0, 0 otherwise (printed).  A DIAL sent early (-E)
 * only has its BIND read, and FILE follows that.
 */
static int
dial(int fd, uint32_t req, int port, const uint8_t *script, size_t slen,
    int pipelined, int shut)
{
	if (req == early_req)
		pipelined = 0;
	else
		dial_send(fd, req, port, pipelined ? script : NULL, slen,
		    shut);
	return (bind_read(fd, req, script, slen, pipelined, shut));
}

/* The BIND for req on fd, then FILE unless it went with the DIAL. */
static int
bind_read(int fd, uint32_t req, const uint8_t *script, size_t slen,
    int pipelined, int shut)
{
	uint8_t		 p[PAYLOAD_MAX], proof[16];
	size_t		 len;
	int		 type;

	if (!wait_fd(fd, -1)) {
		printf("no bind\n");
		return (0);
	}
	if ((type = read_frame(fd, p, &len)) == -1) {
		printf("closed before the BIND\n");
		return (0);
	}
	if (type != F_BIND || len != 25) {
		printf("frame 0x%02x of %zu bytes, not a BIND\n", type, len);
		return (0);
	}
	proof_of(req, proof);
	printf("bind %u result %u proof %s\n", get32(p + 20), p[24],
	    get32(p) == NODE_ID && get32(p + 20) == req &&
	    memcmp(p + 4, proof, 16) == 0 ? "ok" : "bad");
	fflush(stdout);
	if (p[24] != 0)
		return (0);
	if (!pipelined) {
		write_all(fd, script, slen);
		if (shut)
			shutdown(fd, SHUT_WR);
	}
	return (1);
}

/*
 * What the node sends on link fd, as lines: until its EOF mark (1: the
 * link may carry another DIAL), or the close (0; "closed"), or the
 * deadline (0; "no chunk").
 */
static int
chunks(int fd)
{
	uint8_t		 h[3], buf[CHUNK_MAX], shown[SHOWN];
	size_t		 len, nraw = 0;
	ssize_t		 n;

	for (;;) {
		if (!wait_fd(fd, -1)) {
			printf("no chunk\n");
			return (0);
		}
		if (!read_full(fd, h, 3)) {
			printf("closed\n");
			return (0);
		}
		len = (size_t)h[1] << 8 | h[2];
		if (h[0] == 0 && len > 0 && len <= CHUNK_MAX) {
			if (!wait_fd(fd, -1) || !read_full(fd, buf, len)) {
				printf("closed inside a chunk\n");
				return (0);
			}
			printf("chunk DATA %zu ", len);
			print_escaped(buf, len < SHOWN ? len : SHOWN);
			printf("\n");
			fflush(stdout);
			continue;
		}
		if (h[0] == 1 && len == 0) {
			printf("chunk EOF\n");
			fflush(stdout);
			return (1);
		}
		if (h[0] != 2 || len != 0) {
			printf("bad chunk %u %zu\n", h[0], len);
			return (0);
		}
		printf("chunk RAW\n");
		fflush(stdout);
		break;
	}
	/* RAW: the bytes as they are, until the node closes. */
	for (;;) {
		if (!wait_fd(fd, -1)) {
			printf("raw %zu bytes (open at -T)\n", nraw);
			return (0);
		}
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (nraw < SHOWN)
			memcpy(shown + nraw, buf, (size_t)n < SHOWN - nraw ?
			    (size_t)n : SHOWN - nraw);
		nraw += n;
	}
	printf("raw %zu bytes ", nraw);
	print_escaped(shown, nraw < SHOWN ? nraw : SHOWN);
	printf("\nclosed\n");
	return (0);
}

int
main(int argc, char **argv)
{
	FILE		*fp;
	uint8_t		*script, ping[8] = { 0, 0, 0, 0, 0, 0, 0, 42 };
	uint8_t		 b[1];
	size_t		 slen;
	int		 ch, twice = 0, newspare = 0, pipelined = 0, shut = 0;
	int		 early = 0;
	int		 port = 0, cport, dport, lctl, ldata, fd, idle;

	while ((ch = getopt(argc, argv, "2ENPWT:e:")) != -1) {
		switch (ch) {
		case '2': twice = 1; break;
		case 'E': early = twice = 1; break;
		case 'N': newspare = 1; break;
		case 'P': pipelined = 1; break;
		case 'W': shut = 1; break;
		case 'T': timeout_s = atoi(optarg); break;
		case 'e': port = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 1 || port <= 0 || port > 65535 ||
	    timeout_s <= 0 || timeout_s > 600)
		usage();
	if ((script = malloc(SCRIPT_MAX)) == NULL)
		fatal("malloc");
	if ((fp = fopen(argv[optind], "rb")) == NULL)
		fatal(argv[optind]);
	slen = fread(script, 1, SCRIPT_MAX, fp);
	if (ferror(fp) || !feof(fp)) {
		fprintf(stderr, "fakehub: %s: unreadable or over %d bytes\n",
		    argv[optind], SCRIPT_MAX);
		return (1);
	}
	fclose(fp);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, alarm_cb);
	alarm(timeout_s + 5);
	deadline = now_ms() + timeout_s * 1000L;

	lctl = listen_any(&cport);
	ldata = listen_any(&dport);
	printf("fakehub ready: control=%d data=%d\n", cport, dport);
	fflush(stdout);
	if (!wait_fd(lctl, -1) || (ctl = accept(lctl, NULL, NULL)) == -1) {
		printf("no node\n");
		return (2);
	}
	handshake(dport);

	if ((fd = spare_accept(ldata)) == -1)
		return (2);
	idle = dial(fd, 1, port, script, slen, pipelined, shut);
	if (idle && early) {
		/* The next DIAL right behind our EOF mark, before the node's. */
		dial_send(fd, 2, port, NULL, 0, 0);
		early_req = 2;
	}
	idle = idle && chunks(fd);
	if (idle && twice)
		idle = dial(fd, 2, port, script, slen, pipelined, shut) &&
		    chunks(fd);
	if (idle) {
		/* Idle on both ends: the node sends nothing, keeps it. */
		if (!wait_fd(fd, LINGER_MS))
			printf("link open\n");
		else if (read(fd, b, 1) <= 0)
			printf("closed\n");
		else
			printf("bytes on the idle link\n");
	}
	fflush(stdout);
	close(fd);
	if (newspare && (fd = spare_accept(ldata)) != -1)
		close(fd);

	/* The control link lives on: a PING is answered. */
	if (ctl != -1) {
		send_frame(ctl, F_PING, ping, sizeof ping);
		while (ctl != -1 && pongs == 0 && wait_fd(ctl, -1))
			control_frame();
		if (pongs > 0)
			printf("pong\n");
	}
	fflush(stdout);
	free(script);
	return (0);
}
