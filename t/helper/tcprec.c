/*
 * tcprec.c: a recording TCP relay, to see what crosses the wire.
 *
 *	tcprec TARGETPORT FILE
 *
 * Listens on 127.0.0.1 port 0 and prints "tcprec ready: 127.0.0.1:PORT";
 * each connection it accepts is relayed to 127.0.0.1:TARGETPORT, and
 * every byte, both ways, is appended to FILE as it passes.  A side's EOF
 * is passed on as a half-close.  Runs until SIGTERM.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAIRS	32

/* fd[0] the accepted side, fd[1] the target side; -1 when closed. */
static struct pair {
	int	 fd[2];
	int	 eof[2];	/* that side sent EOF */
} pairs[PAIRS];

static void
fatal(const char *what)
{
	fprintf(stderr, "tcprec: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= n;
	}
	return (0);
}

static void
pair_close(struct pair *pr)
{
	close(pr->fd[0]);
	close(pr->fd[1]);
	pr->fd[0] = pr->fd[1] = -1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen;
	struct pollfd		 pfd[1 + 2 * PAIRS];
	struct pair		*pr;
	char			 buf[65536];
	ssize_t			 n;
	int			 lfd, out, target, i, s, np, fd, on = 1;

	if (argc != 3 || (target = atoi(argv[1])) <= 0 || target > 65535) {
		fprintf(stderr, "usage: tcprec targetport file\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		fatal(argv[2]);
	for (i = 0; i < PAIRS; i++)
		pairs[i].fd[0] = pairs[i].fd[1] = -1;

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fatal("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(lfd, 16) == -1)
		fatal("listen");
	slen = sizeof sin;
	if (getsockname(lfd, (struct sockaddr *)&sin, &slen) == -1)
		fatal("getsockname");
	printf("tcprec ready: 127.0.0.1:%u\n", ntohs(sin.sin_port));
	fflush(stdout);

	for (;;) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < PAIRS; i++) {
			for (s = 0; s < 2; s++) {
				pfd[1 + 2 * i + s].fd = pairs[i].eof[s] ? -1 :
				    pairs[i].fd[s];
				pfd[1 + 2 * i + s].events = POLLIN;
				pfd[1 + 2 * i + s].revents = 0;
			}
		}
		np = poll(pfd, 1 + 2 * PAIRS, -1);
		if (np == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			if ((fd = accept(lfd, NULL, NULL)) == -1)
				continue;
			for (i = 0; i < PAIRS && pairs[i].fd[0] != -1; i++)
				;
			if (i == PAIRS) {
				close(fd);
				continue;
			}
			pr = &pairs[i];
			pr->fd[0] = fd;
			pr->eof[0] = pr->eof[1] = 0;
			if ((pr->fd[1] = socket(AF_INET, SOCK_STREAM, 0)) == -1)
				fatal("socket");
			sin.sin_port = htons(target);
			if (connect(pr->fd[1], (struct sockaddr *)&sin,
			    sizeof sin) == -1) {
				fprintf(stderr, "tcprec: connect: %s\n",
				    strerror(errno));
				pair_close(pr);
			}
			continue;
		}
		for (i = 0; i < PAIRS; i++) {
			pr = &pairs[i];
			for (s = 0; s < 2 && pr->fd[0] != -1; s++) {
				if (pfd[1 + 2 * i + s].revents == 0)
					continue;
				n = read(pr->fd[s], buf, sizeof buf);
				if (n > 0) {
					if (write_all(out, buf, n) == -1)
						fatal(argv[2]);
					if (write_all(pr->fd[!s], buf, n) == -1)
						pair_close(pr);
					continue;
				}
				if (n == -1 && errno == EINTR)
					continue;
				if (n == -1) {
					pair_close(pr);
					continue;
				}
				pr->eof[s] = 1;
				shutdown(pr->fd[!s], SHUT_WR);
				if (pr->eof[!s])
					pair_close(pr);
			}
		}
	}
}
