/*
 * t/unit/evhttp_unix.c: libevent's evhttp answers a request that arrives on
 * a Unix socket, the way the hub's admin socket serves its API.
 *
 * libevent 2.1.12 names every accepted peer with getnameinfo() and exits
 * the process (event_errx) when that fails.  glibc answers "localhost" for
 * AF_UNIX; musl, the release binaries' C library, refuses it, so the
 * release builds' libevent carries scripts/patches/libevent-http-unix.patch
 * (doc/build.md).  t/t8001-targets.sh runs this program as built for the
 * release targets (mipsel under qemu): without the patch it dies before
 * its plan line.  Natively (glibc) it checks that the patch's answer,
 * peer "localhost" port 0, is glibc's.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "tap.h"

static struct event_base	*base;
/* Paths fit sun_path (104 bytes on the BSDs, 108 on Linux). */
static char			 dir[80];	/* mkdtemp's, under TMPDIR */
static char			 sockpath[104];	/* the server's socket */
static int			 served;	/* requests the handler saw */

/* At exit, also libevent's exit(1): no socket left in TMPDIR. */
static void
cleanup(void)
{
	char	 p[128];

	unlink(sockpath);
	snprintf(p, sizeof p, "%s/client", dir);
	unlink(p);
	rmdir(dir);
}

/*
 * The handler: 200 with the peer evhttp recorded ("HOST PORT"), which is
 * what the hub's API sees of an admin socket client.
 */
static void
serve_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer	*b;
	char		*host = NULL;
	ev_uint16_t	 port = 1;

	(void)arg;
	served++;
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host,
	    &port);
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_printf(b, "peer %s %u\n", host != NULL ? host : "(null)",
	    (unsigned)port);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* The client side: collect the answer until the server closes. */
static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	evbuffer_add_buffer(arg, bufferevent_get_input(bev));
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		evbuffer_add_buffer(arg, bufferevent_get_input(bev));
		event_base_loopbreak(base);
	}
}

/*
 * request(BIND_TO, GOT): connect to the server from a Unix socket, bound to
 * the path BIND_TO first unless NULL (the accepted address is then longer
 * than the bare family), send one GET and run the loop until the server
 * closes or 20 s pass (qemu is slow).  GOT gets the answer, NUL-ended.
 * Returns 0, or -1 when the client could not even connect.
 */
static int
request(const char *bind_to, struct evbuffer *got)
{
	struct sockaddr_un	 sun;
	struct bufferevent	*bev;
	struct timeval		 tv = { 20, 0 };
	const char		*get = "GET /api HTTP/1.1\r\n"
				    "Host: localhost\r\nConnection: close\r\n\r\n";
	int			 fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (bind_to != NULL) {
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", bind_to);
		if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
			printf("# bind %s: %s\n", bind_to, strerror(errno));
			close(fd);
			return (-1);
		}
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sockpath);
	/* Blocking: a listening Unix socket takes it into its backlog. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		printf("# connect %s: %s\n", sockpath, strerror(errno));
		close(fd);
		return (-1);
	}
	evutil_make_socket_nonblocking(fd);
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return (-1);
	}
	bufferevent_setcb(bev, client_read_cb, NULL, client_event_cb, got);
	bufferevent_write(bev, get, strlen(get));
	bufferevent_enable(bev, EV_READ);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	bufferevent_free(bev);
	evbuffer_add(got, "", 1);
	return (0);
}

/* One request from BIND_TO (see request()): 200 and glibc's peer name. */
static void
test_request(const char *bind_to)
{
	struct evbuffer	*got;
	const char	*s, *body;
	int		 before = served;

	got = evbuffer_new();
	check(got != NULL);
	if (got == NULL)
		return;
	check_int(request(bind_to, got), ==, 0);
	s = (const char *)evbuffer_pullup(got, -1);
	printf("# answer: %.*s\n", (int)strcspn(s, "\r\n"), s);
	check_int(served, ==, before + 1);
	check(strncmp(s, "HTTP/1.1 200 OK\r\n", 17) == 0);
	body = strstr(s, "\r\n\r\n");
	check(body != NULL);
	if (body != NULL)
		check_str(body + 4, "peer localhost 0\n");
	evbuffer_free(got);
}

int
main(void)
{
	struct evhttp		*http;
	struct evconnlistener	*lev;
	struct sockaddr_un	 sun;
	const char		*tmp;
	char			 client[104];
	int			 fd;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	/* A long TMPDIR would not fit sun_path: /tmp then. */
	if (snprintf(dir, sizeof dir, "%s/evunix.XXXXXX", tmp) >=
	    (int)sizeof dir)
		snprintf(dir, sizeof dir, "%s", "/tmp/evunix.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return (1);
	}
	atexit(cleanup);
	snprintf(sockpath, sizeof sockpath, "%s/s", dir);
	snprintf(client, sizeof client, "%s/client", dir);

	if ((base = event_base_new()) == NULL ||
	    (http = evhttp_new(base)) == NULL) {
		printf("Bail out! event_base_new or evhttp_new\n");
		return (1);
	}
	evhttp_set_gencb(http, serve_cb, NULL);

	/* As the hub: its own Unix listener, handed to evhttp. */
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sockpath);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, 8) == -1 || evutil_make_socket_nonblocking(fd) == -1) {
		printf("Bail out! listen %s: %s\n", sockpath, strerror(errno));
		return (1);
	}
	lev = evconnlistener_new(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, -1,
	    fd);
	if (lev == NULL || evhttp_bind_listener(http, lev) == NULL) {
		printf("Bail out! evhttp_bind_listener\n");
		return (1);
	}

	TEST(test_request(NULL),
	    "a request from an unnamed Unix socket: 200, peer localhost 0");
	TEST(test_request(client),
	    "a request from a Unix socket bound to a path: the same");
	TEST(test_request(NULL), "the server still serves afterwards");

	evhttp_free(http);		/* frees the bound listener too */
	event_base_free(base);
	return (test_done());
}
