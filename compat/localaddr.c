/*
 * localaddr.c: the machine's own interface addresses, for the node's
 * "a target on one of them is the node itself" check.
 *
 * Linux: IPv4 from SIOCGIFCONF (every address, aliases and secondaries
 * included) and IPv6 from /proc/self/net/if_inet6 (there also under
 * systemd's ProcSubset=pid), not getifaddrs(3).  musl's
 * getifaddrs talks rtnetlink, and qemu-user's rtnetlink translation for a
 * big-endian guest leaves the last attribute of a message unswapped
 * (linux-user/fd-trans.c, host_to_target_for_each_rtattr): the big-endian
 * MIPS release binary then spins in getifaddrs under emulation, where its
 * tests run.  The two interfaces below read the same kernel lists and pass
 * through qemu intact.  Without /proc (not mounted), and elsewhere:
 * getifaddrs(3).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"

#include <ifaddrs.h>

/* From getifaddrs(3): the addresses of family af (0: IPv4 and IPv6). */
static int
localaddr_ifaddrs(struct sockaddr_storage *out, int max, int af)
{
	struct ifaddrs	*ifa, *i;
	int		 n = 0, f;

	if (getifaddrs(&ifa) == -1)
		return (-1);
	for (i = ifa; i != NULL && n < max; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		f = i->ifa_addr->sa_family;
		if ((f != AF_INET && f != AF_INET6) || (af != 0 && f != af))
			continue;
		memset(&out[n], 0, sizeof out[n]);
		memcpy(&out[n++], i->ifa_addr, f == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
	}
	freeifaddrs(ifa);
	return (n);
}

#ifdef __linux__
#include <sys/ioctl.h>
#include <net/if.h>
#include <unistd.h>

/* IPv4: one struct ifreq per address. */
static int
localaddr_v4(struct sockaddr_storage *out, int max)
{
	struct ifreq	 req[64];
	struct ifconf	 ifc;
	int		 s, i, n = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	ifc.ifc_len = sizeof req;
	ifc.ifc_req = req;
	if (ioctl(s, SIOCGIFCONF, &ifc) == -1) {
		i = errno;
		close(s);
		errno = i;
		return (-1);
	}
	close(s);
	for (i = 0; i < ifc.ifc_len / (int)sizeof req[0] && n < max; i++) {
		if (req[i].ifr_addr.sa_family != AF_INET)
			continue;
		memset(&out[n], 0, sizeof out[n]);
		memcpy(&out[n++], &req[i].ifr_addr, sizeof(struct sockaddr_in));
	}
	return (n);
}

/* IPv6: "fe800000000000000000000000000001 02 40 20 80 eth0" per line. */
static int
localaddr_v6(struct sockaddr_storage *out, int max)
{
	struct sockaddr_in6	*sin6;
	FILE			*f;
	char			 line[256], hex[33];
	unsigned int		 b, idx;
	int			 i, n = 0;

	if ((f = fopen("/proc/self/net/if_inet6", "re")) == NULL) {
		if (errno != ENOENT)
			return (-1);
		if (access("/proc/self/net/dev", F_OK) == 0)
			return (0);		/* a kernel without IPv6 */
		return (localaddr_ifaddrs(out, max, AF_INET6));	/* no /proc */
	}
	while (n < max && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%32s %x", hex, &idx) != 2 ||
		    strlen(hex) != 32)
			continue;
		sin6 = (struct sockaddr_in6 *)&out[n];
		memset(&out[n], 0, sizeof out[n]);
		sin6->sin6_family = AF_INET6;
		for (i = 0; i < 16; i++) {
			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				break;
			sin6->sin6_addr.s6_addr[i] = b;
		}
		if (i < 16)
			continue;
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = idx;
		n++;
	}
	fclose(f);
	return (n);
}

int
compat_local_addrs(struct sockaddr_storage *out, int max)
{
	int	 n4, n6;

	if ((n4 = localaddr_v4(out, max)) == -1)
		return (-1);
	if ((n6 = localaddr_v6(out + n4, max - n4)) == -1)
		return (-1);
	return (n4 + n6);
}

#else /* !__linux__ */
int
compat_local_addrs(struct sockaddr_storage *out, int max)
{
	return (localaddr_ifaddrs(out, max, 0));
}
#endif
