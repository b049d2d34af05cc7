/*
 * slowlink.c: many slow handshakes at once, for the pre-authentication
 * limit tests (a slowloris on the hub's node ports).
 *
 *	slowlink [-b SRC] [-n N] [-d MS] [-p HEX] [-T SECS] PORT
 *
 * Opens N connections (default 1000) from SRC (default any) to
 * 127.0.0.1:PORT, then sends one byte of the pattern HEX (default a BIND
 * frame header for a 4095-byte frame, then zeros: at one byte each MS it
 * never ends) on every open
 * connection each MS milliseconds (default 500), never finishing it, and
 * notes when the hub closes each one.  After SECS seconds (default 15)
 * it prints one line:
 *
 *	opened N failed F quick Q closed C open O first A last B
 *
 * F: connect() failed; Q: closed within 500 ms of connecting (refused
 * at accept); C: closed later, the first at A ms and the last at B ms
 * after connecting; O: still open at the end.  Exit 0, or 1 on a usage
 * or system error.
 */
#include <sys/types.h>
#include <sys/resource.h>
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
#include <time.h>
#include <unistd.h>

#define LINKS_MAX	20000

struct link {
	int	 fd;		/* -1: closed or never opened */
	long	 opened;	/* ms */
	size_t	 sent;
};

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static void
usage(void)
{
	fprintf(stderr, "usage: slowlink [-b src] [-n n] [-d ms] [-p hex] "
	    "[-T secs] port\n");
	exit(1);
}

static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t		 n = 0;
	unsigned int	 v;

	if (strlen(s) % 2 != 0)
		usage();
	for (; *s != '\0' && n < max; s += 2) {
		if (sscanf(s, "%2x", &v) != 1)
			usage();
		out[n++] = (unsigned char)v;
	}
	return (n);
}

int
main(int argc, char **argv)
{
	static struct link	 l[LINKS_MAX];
	static struct pollfd	 pfd[LINKS_MAX];
	static int		 idx[LINKS_MAX];
	struct sockaddr_in	 src, dst;
	struct rlimit		 rl;
	unsigned char		 pat[4096], buf[512];
	const char		*srcaddr = NULL;
	size_t			 patlen;
	long			 start, end, next, t, first = -1, last = -1;
	int			 n = 1000, delay = 500, secs = 15, ch, i, fd;
	int			 failed = 0, quick = 0, closed = 0, open = 0;
	int			 np, k;
	ssize_t			 r;

	memset(pat, 0, 64);
	pat[0] = 0x07;
	pat[2] = 0x0f;
	pat[3] = 0xff;
	patlen = 64;
	while ((ch = getopt(argc, argv, "b:n:d:p:T:")) != -1) {
		switch (ch) {
		case 'b': srcaddr = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'd': delay = atoi(optarg); break;
		case 'p': patlen = unhex(optarg, pat, sizeof pat); break;
		case 'T': secs = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 1 || n < 1 || n > LINKS_MAX || delay < 1 ||
	    patlen == 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <
	    (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 16 ? rl.rlim_max :
		    (rlim_t)n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(atoi(argv[optind]));
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	if (srcaddr != NULL && inet_pton(AF_INET, srcaddr, &src.sin_addr) != 1)
		usage();

	start = now_ms();
	for (i = 0; i < n; i++) {
		l[i].fd = -1;
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
			failed++;
			continue;
		}
		if ((srcaddr != NULL && bind(fd, (struct sockaddr *)&src,
		    sizeof src) == -1) || connect(fd, (struct sockaddr *)&dst,
		    sizeof dst) == -1) {
			close(fd);
			failed++;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		l[i].fd = fd;
		l[i].opened = now_ms();
	}
	end = start + secs * 1000L;
	next = now_ms();
	while ((t = now_ms()) < end) {
		if (t >= next) {
			/* One more byte on every open link. */
			for (i = 0; i < n; i++) {
				if (l[i].fd == -1)
					continue;
				if (write(l[i].fd, pat + l[i].sent % patlen,
				    1) == 1)
					l[i].sent++;
			}
			next = t + delay;
		}
		for (np = 0, i = 0; i < n; i++) {
			if (l[i].fd == -1)
				continue;
			pfd[np].fd = l[i].fd;
			pfd[np].events = POLLIN;
			idx[np++] = i;
		}
		if (np == 0)
			break;
		k = poll(pfd, np, (int)(next - t < end - t ? next - t :
		    end - t));
		if (k <= 0)
			continue;
		for (k = 0; k < np; k++) {
			if (pfd[k].revents == 0)
				continue;
			i = idx[k];
			r = read(l[i].fd, buf, sizeof buf);
			if (r > 0 || (r == -1 && errno == EAGAIN))
				continue;
			t = now_ms() - l[i].opened;
			close(l[i].fd);
			l[i].fd = -1;
			if (t < 500) {
				quick++;
				continue;
			}
			closed++;
			if (first == -1 || t < first)
				first = t;
			if (t > last)
				last = t;
		}
	}
	for (i = 0; i < n; i++) {
		if (l[i].fd != -1) {
			open++;
			close(l[i].fd);
		}
	}
	printf("opened %d failed %d quick %d closed %d open %d first %ld "
	    "last %ld\n", n - failed, failed, quick, closed, open, first,
	    last);
	return (0);
}
