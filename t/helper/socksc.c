/*
 * socksc.c: a raw SOCKS5 client for the cases curl cannot produce.
 *
 *	socksc [options] PROXYPORT HOST PORT
 *
 *	-1	send greeting and request one byte per write (1 ms apart)
 *	-P	pipeline: greeting, request and all of stdin in one write
 *	-c N	command byte (1 CONNECT, 2 BIND, 3 UDP ASSOCIATE)
 *	-a N	address type byte to send (default: 1 for dotted IPv4,
 *		4 for an address with ':', else 3); the address body is
 *		still encoded from HOST as for the natural type
 *	-V N	version byte of greeting and request (default 5)
 *	-n	do not relay: exit after printing the reply
 *	-T S	overall timeout in seconds (default 10)
 *	-x H	proxy host (default 127.0.0.1)
 *
 * Prints "REP 0xNN" on stderr when a reply arrives, "CLOSED" when the proxy
 * closes before replying.  With REP 0 it relays: stdin goes to the proxy,
 * then the write side is shut down; everything received goes to stdout
 * until the proxy closes.  Exit: 0 relayed to EOF (or -n with REP 0),
 * 4 non-zero REP, 3 closed without a reply, 1 error or timeout, 2 usage.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STDIN_MAX	(64 * 1024 * 1024)

static long	 deadline_ms;

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
die(const char *what)
{
	fprintf(stderr, "socksc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
writeall(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Read exactly len bytes before the deadline; 0 on EOF, -1 timeout. */
static int
readn(int fd, unsigned char *buf, size_t len)
{
	struct pollfd	 pfd;
	size_t		 got = 0;
	ssize_t		 n;
	long		 left;

	while (got < len) {
		left = deadline_ms - now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNRESET)
				return 0;
			die("read");
		}
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

static unsigned char *
slurp_stdin(size_t *lenp)
{
	unsigned char	*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;

	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > STDIN_MAX + 65536 ||
			    (buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "socksc: stdin too large\n");
				exit(1);
			}
		}
		n = read(0, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read stdin");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

static void
usage(void)
{
	fprintf(stderr, "usage: socksc [-1Pn] [-c cmd] [-a atyp] [-V ver] "
	    "[-T secs] [-x proxyhost] proxyport host port\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static unsigned char *pay;
	unsigned char	 req[600], rep[300];
	size_t		 reqlen = 0, paylen = 0, i;
	struct sockaddr_in sin;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	const char	*proxyhost = "127.0.0.1", *host;
	int		 ch, one_byte = 0, pipelined = 0, norelay = 0;
	int		 cmd = 1, atyp = -1, ver = 5, timeout = 10, fd, r;
	int		 natural, port, pport, on = 1, inopen = 1;
	size_t		 extra;

	while ((ch = getopt(argc, argv, "1Pnc:a:V:T:x:")) != -1) {
		switch (ch) {
		case '1': one_byte = 1; break;
		case 'P': pipelined = 1; break;
		case 'n': norelay = 1; break;
		case 'c': cmd = atoi(optarg); break;
		case 'a': atyp = atoi(optarg); break;
		case 'V': ver = atoi(optarg); break;
		case 'T': timeout = atoi(optarg); break;
		case 'x': proxyhost = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	pport = atoi(argv[0]);
	host = argv[1];
	port = atoi(argv[2]);
	if (pport <= 0 || pport > 65535 || port < 0 || port > 65535 ||
	    strlen(host) > 255)
		usage();
	signal(SIGPIPE, SIG_IGN);
	deadline_ms = now_ms() + timeout * 1000L;

	/* greeting: VER NMETHODS METHODS; request: VER CMD RSV ATYP ... */
	req[reqlen++] = (unsigned char)ver;
	req[reqlen++] = 1;
	req[reqlen++] = 0;
	req[reqlen++] = (unsigned char)ver;
	req[reqlen++] = (unsigned char)cmd;
	req[reqlen++] = 0;
	if (inet_pton(AF_INET, host, &a4) == 1)
		natural = 1;
	else if (inet_pton(AF_INET6, host, &a6) == 1)
		natural = 4;
	else
		natural = 3;
	req[reqlen++] = (unsigned char)(atyp < 0 ? natural : atyp);
	if (natural == 1) {
		memcpy(req + reqlen, &a4, 4);
		reqlen += 4;
	} else if (natural == 4) {
		memcpy(req + reqlen, &a6, 16);
		reqlen += 16;
	} else {
		req[reqlen++] = (unsigned char)strlen(host);
		memcpy(req + reqlen, host, strlen(host));
		reqlen += strlen(host);
	}
	req[reqlen++] = (unsigned char)(port >> 8);
	req[reqlen++] = (unsigned char)port;

	if (pipelined)
		pay = slurp_stdin(&paylen);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)pport);
	if (inet_pton(AF_INET, proxyhost, &sin.sin_addr) != 1)
		usage();
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

	if (one_byte) {
		for (i = 0; i < reqlen; i++) {
			struct timespec ts = { 0, 1000000 };

			writeall(fd, req + i, 1);
			nanosleep(&ts, NULL);
		}
	} else if (pipelined) {
		unsigned char *all = malloc(reqlen + paylen);

		if (all == NULL)
			die("malloc");
		memcpy(all, req, reqlen);
		if (paylen > 0)
			memcpy(all + reqlen, pay, paylen);
		writeall(fd, all, reqlen + paylen);
		free(all);
	} else {
		/* greeting, wait for the method, then the request */
		writeall(fd, req, 3);
	}

	r = readn(fd, rep, 2);
	if (r == 0) {
		fprintf(stderr, "CLOSED\n");
		return 3;
	}
	if (r < 0) {
		fprintf(stderr, "socksc: timeout waiting for method\n");
		return 1;
	}
	fprintf(stderr, "METHOD 0x%02x\n", rep[1]);
	if (rep[0] != 5 || rep[1] != 0) {
		fprintf(stderr, "socksc: bad method reply %02x %02x\n",
		    rep[0], rep[1]);
		return 1;
	}
	if (!one_byte && !pipelined)
		writeall(fd, req + 3, reqlen - 3);

	r = readn(fd, rep, 4);
	if (r == 0) {
		fprintf(stderr, "CLOSED\n");
		return 3;
	}
	if (r < 0) {
		fprintf(stderr, "socksc: timeout waiting for reply\n");
		return 1;
	}
	fprintf(stderr, "REP 0x%02x\n", rep[1]);
	if (rep[0] != 5)
		fprintf(stderr, "socksc: reply version %d\n", rep[0]);
	/* BND.ADDR and BND.PORT */
	switch (rep[3]) {
	case 1: extra = 4 + 2; break;
	case 4: extra = 16 + 2; break;
	case 3:
		if (readn(fd, rep + 4, 1) != 1) {
			fprintf(stderr, "socksc: short reply\n");
			return 1;
		}
		extra = rep[4] + 2;
		break;
	default:
		fprintf(stderr, "socksc: reply atyp %d\n", rep[3]);
		return 1;
	}
	if (readn(fd, rep + 5, extra) != 1) {
		fprintf(stderr, "socksc: short reply\n");
		return 1;
	}
	if (rep[1] != 0)
		return 4;
	if (norelay)
		return 0;

	/* relay: stdin → proxy (then shut down write), proxy → stdout */
	if (pipelined) {
		inopen = 0;
		shutdown(fd, SHUT_WR);
	}
	for (;;) {
		struct pollfd	 pfd[2];
		unsigned char	 buf[65536];
		ssize_t		 n;
		long		 left = deadline_ms - now_ms();
		int		 nfd = 1;

		if (left <= 0) {
			fprintf(stderr, "socksc: timeout relaying\n");
			return 1;
		}
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		if (inopen) {
			pfd[1].fd = 0;
			pfd[1].events = POLLIN;
			nfd = 2;
		}
		if (poll(pfd, nfd, (int)left) <= 0)
			continue;
		if (pfd[0].revents) {
			n = read(fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "socksc: read: %s\n",
				    strerror(errno));
				return 1;
			}
			if (n == 0)
				break;
			if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
				die("stdout");
		}
		if (nfd == 2 && pfd[1].revents) {
			n = read(0, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				inopen = 0;
				shutdown(fd, SHUT_WR);
			} else
				writeall(fd, buf, (size_t)n);
		}
	}
	fflush(stdout);
	free(pay);
	close(fd);
	return 0;
}
