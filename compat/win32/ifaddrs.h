/* ifaddrs.h on Windows: addresses from GetAdaptersAddresses()
 * (compat/getifaddrs.c). */
#ifndef COMPAT_WIN32_IFADDRS_H
#define COMPAT_WIN32_IFADDRS_H
#include "compat_win32.h"

struct ifaddrs {
	struct ifaddrs	*ifa_next;
	char		*ifa_name;
	unsigned int	 ifa_flags;
	struct sockaddr	*ifa_addr;
	struct sockaddr	*ifa_netmask;
	struct sockaddr	*ifa_dstaddr;
	void		*ifa_data;
};
int	 getifaddrs(struct ifaddrs **);
void	 freeifaddrs(struct ifaddrs *);
#endif
