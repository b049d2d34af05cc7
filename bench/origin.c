/*
 * bench/origin.c: the benchmark's origin server.  One thread, epoll, no
 * libevent: it must not be the bottleneck (t/helper/origin computes its
 * byte stream byte by byte and caps connections at 512).
 *
 *	origin [-p PORT]	HTTP/1.x on 127.0.0.1 (port 0: any)
 *
 * Prints "origin ready: 127.0.0.1:PORT" once listening.  Every response
 * closes the connection after it (Connection: close):
 *
 *	GET /bytes/N	N bytes from a static buffer (Content-Length: N)
 *	GET /small	a ~100-byte object (the whole response is 160 bytes)
 *	anything else	404
 *
 * A connection that never sends a request just sits (the "hold" figures
 * keep thousands open).  Exits on SIGTERM/SIGINT.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE	(1024 * 1024)
#define REQ_MAX		2048

struct conn {
	int		 fd;
	int		 sending;
	size_t		 reqlen;
	char		 req[REQ_MAX];
	char		 hdr[256];
	size_t		 hlen, hoff;
	const char	*body;		/* NULL: bulk from buf */
	uint64_t	 left;
};

static char	 buf[BUF_SIZE];
static const char small_body[] =
    "tentacle bench small object: 100 bytes, so the figure is about "
    "setup, not transfer. 0123456789abcd\n";
static volatile sig_atomic_t quit;
static int	 ep;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
conn_free(struct conn *c)
{
	close(c->fd);	/* also removes it from the epoll set */
	free(c);
}

static void
respond(struct conn *c)
{
	char		 path[256];
	unsigned long long n;
	struct epoll_event ev;

	path[0] = '\0';
	if (sscanf(c->req, "%*15s %255s", path) != 1)
		path[0] = '\0';
	c->body = NULL;
	c->left = 0;
	if (strncmp(path, "/bytes/", 7) == 0 &&
	    sscanf(path + 7, "%llu", &n) == 1) {
		c->left = n;
		c->hlen = (size_t)snprintf(c->hdr, sizeof c->hdr,
		    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream"
		    "\r\nContent-Length: %llu\r\nConnection: close\r\n\r\n", n);
	} else if (strcmp(path, "/small") == 0) {
		c->body = small_body;
		c->left = sizeof small_body - 1;
		c->hlen = (size_t)snprintf(c->hdr, sizeof c->hdr,
		    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    sizeof small_body - 1);
	} else {
		c->hlen = (size_t)snprintf(c->hdr, sizeof c->hdr,
		    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n");
	}
	c->hoff = 0;
	c->sending = 1;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Returns 1 when the connection is done (freed). */
static int
do_send(struct conn *c)
{
	ssize_t	 w;
	size_t	 n;

	while (c->hoff < c->hlen) {
		w = write(c->fd, c->hdr + c->hoff, c->hlen - c->hoff);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			conn_free(c);
			return 1;
		}
		c->hoff += (size_t)w;
	}
	while (c->left > 0) {
		if (c->body != NULL) {
			w = write(c->fd, c->body, c->left);
		} else {
			n = c->left < BUF_SIZE ? (size_t)c->left : BUF_SIZE;
			w = write(c->fd, buf, n);
		}
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			conn_free(c);
			return 1;
		}
		if (c->body != NULL)
			c->body += w;
		c->left -= (uint64_t)w;
	}
	conn_free(c);
	return 1;
}

static void
do_read(struct conn *c)
{
	ssize_t	 r;

	for (;;) {
		if (c->reqlen >= REQ_MAX - 1) {
			conn_free(c);
			return;
		}
		r = read(c->fd, c->req + c->reqlen, REQ_MAX - 1 - c->reqlen);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_free(c);
			return;
		}
		c->reqlen += (size_t)r;
		c->req[c->reqlen] = '\0';
		if (strstr(c->req, "\r\n\r\n") != NULL) {
			respond(c);
			do_send(c);
			return;
		}
	}
}

static void
do_accept(int lfd)
{
	struct epoll_event ev;
	struct conn	*c;
	int		 fd, one = 1;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				fprintf(stderr, "origin: accept: %s\n",
				    strerror(errno));
			return;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = calloc(1, sizeof *c);
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			conn_free(c);
			continue;
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	socklen_t	 slen = sizeof sin;
	struct epoll_event ev, evs[256];
	struct sigaction sa;
	int		 lfd, one = 1, port = 0, i, n;
	size_t		 k;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: origin [-p PORT]\n");
			return 2;
		}
	}
	for (k = 0; k < sizeof buf; k++)
		buf[k] = (char)('a' + k % 26);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen) < 0) {
		perror("origin: listen");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("origin ready: 127.0.0.1:%d\n", ntohs(sin.sin_port));
	fflush(stdout);

	while (!quit) {
		n = epoll_wait(ep, evs, 256, 500);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c == NULL)
				do_accept(lfd);
			else if (c->sending)
				do_send(c);
			else
				do_read(c);
		}
	}
	return 0;
}
