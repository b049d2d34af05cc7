/*
 * tcpc.c: a raw TCP client for abuse tests.
 *
 *	tcpc [-s] [-d MS] [-w MS] [-T S] [-6] PORT
 *
 * Connects to 127.0.0.1:PORT ([::1] with -6), sends all of stdin (one byte
 * every MS milliseconds with -d: a slowloris; the first byte MS after
 * connecting with -w), shuts down its write side
 * only with -s, and reads until the peer closes.  Received bytes go to
 * stdout; "closed after N ms" goes to stderr.  Exit: 0 the peer closed
 * (EOF or reset), 2 still open at the timeout (default 10 s), 1 error.
 */
#include <sys/types.h>
#include <sys/socket.h>

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

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
alarm_cb(int sig)
{
	(void)sig;
	write(2, "tcpc: still open at the timeout\n", 32);
	_exit(2);
}

static void
usage(void)
{
	fprintf(stderr, "usage: tcpc [-s] [-d ms] [-w ms] [-T secs] [-6] port\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	static unsigned char *data;
	unsigned char	 buf[65536];
	size_t		 len = 0, cap = 0, off = 0;
	long		 start, deadline, next_drip = 0;
	int		 ch, shut = 0, drip = 0, timeout = 10, v6 = 0, fd, port;
	int		 first = 0;
	int		 on = 1, sent_shut = 0;
	ssize_t		 n;

	while ((ch = getopt(argc, argv, "sd:w:T:6")) != -1) {
		switch (ch) {
		case 's': shut = 1; break;
		case 'd': drip = atoi(optarg); break;
		case 'w': first = atoi(optarg); break;
		case 'T': timeout = atoi(optarg); break;
		case '6': v6 = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 1)
		usage();
	port = atoi(argv[optind]);
	if (port <= 0 || port > 65535)
		usage();
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > STDIN_MAX + 65536 ||
			    (data = realloc(data, cap)) == NULL) {
				fprintf(stderr, "tcpc: stdin too large\n");
				return 1;
			}
		}
		n = read(0, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "tcpc: stdin: %s\n", strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}

	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons((uint16_t)port);
		sslen = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons((uint16_t)port);
		sslen = sizeof *s4;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&ss, sslen) != 0) {
		fprintf(stderr, "tcpc: connect: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	start = now_ms();
	deadline = start + timeout * 1000L;
	next_drip = start + first;
	/* a blocking write to a peer that neither reads nor closes */
	signal(SIGALRM, alarm_cb);
	alarm((unsigned)timeout + 1);

	for (;;) {
		struct pollfd	 pfd;
		long		 now = now_ms(), wait = deadline - now;

		if (wait <= 0) {
			fprintf(stderr, "tcpc: still open after %ld ms\n",
			    now - start);
			return 2;
		}
		/* send what is due */
		while (off < len && now >= next_drip) {
			size_t k = drip ? 1 : len - off;

			n = write(fd, data + off, k);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					break;
				/* the peer is gone: that counts as closed */
				fprintf(stderr, "tcpc: write: %s; closed "
				    "after %ld ms\n", strerror(errno),
				    now_ms() - start);
				return 0;
			}
			off += (size_t)n;
			if (drip) {
				next_drip = now + drip;
				break;
			}
		}
		if (off == len && shut && !sent_shut) {
			shutdown(fd, SHUT_WR);
			sent_shut = 1;
		}
		if (off < len && next_drip - now < wait)
			wait = next_drip - now > 0 ? next_drip - now : 0;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)wait) <= 0)
			continue;
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "tcpc: %s; closed after %ld ms\n",
			    n == 0 ? "eof" : strerror(errno),
			    now_ms() - start);
			return 0;
		}
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}
