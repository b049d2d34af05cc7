/*
 * keepalive.c: turn on TCP keepalive with an idle time, where the system
 * lets us choose one, so a peer that vanished (power cut, NAT dropped
 * the mapping) is noticed in minutes instead of never.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "config.h"
#include "compat.h"

int
compat_keepalive(int fd, int idle_s, int intvl_s, int count)
{
	int	 on = 1;

	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) == -1)
		return (-1);
#ifdef TCP_KEEPIDLE
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s, sizeof intvl_s);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#else
	(void)idle_s;
	(void)intvl_s;
	(void)count;
#endif
	return (0);
}
