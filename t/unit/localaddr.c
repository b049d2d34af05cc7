/*
 * t/unit/localaddr.c: compat_local_addrs() lists this machine's addresses:
 * 127.0.0.1 always, ::1 when the kernel has IPv6 on lo; on glibc, the same
 * set getifaddrs(3) gives (the release builds run this under qemu, where a
 * big-endian guest's getifaddrs spins: see compat/localaddr.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <ifaddrs.h>
#endif

#include "tentacle.h"
#include "tap.h"

static struct sockaddr_storage	 got[256];
static int			 ngot;

/* Is the address (family, bytes) in got[]? */
static int
listed(int af, const void *addr)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	int				 i;

	for (i = 0; i < ngot; i++) {
		if (got[i].ss_family != af)
			continue;
		sin = (const struct sockaddr_in *)&got[i];
		sin6 = (const struct sockaddr_in6 *)&got[i];
		if (af == AF_INET && memcmp(&sin->sin_addr, addr, 4) == 0)
			return (1);
		if (af == AF_INET6 && memcmp(&sin6->sin6_addr, addr, 16) == 0)
			return (1);
	}
	return (0);
}

static void
test_loopback(void)
{
	struct in_addr	 lo4;
	FILE		*f;
	char		 line[256];
	int		 lo6 = 0, i;

	ngot = compat_local_addrs(got, (int)nitems(got));
	check_int(ngot, >, 0);
	for (i = 0; i < ngot; i++) {
		test_case("entry %d of %d", i, ngot);
		check(got[i].ss_family == AF_INET ||
		    got[i].ss_family == AF_INET6);
		check_int(((struct sockaddr_in *)&got[i])->sin_port, ==, 0);
	}
	test_case_end();
	inet_pton(AF_INET, "127.0.0.1", &lo4);
	check(listed(AF_INET, &lo4));
	if ((f = fopen("/proc/self/net/if_inet6", "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "000000000000000000000000000000"
			    "01 ", 33) == 0)
				lo6 = 1;
		fclose(f);
	}
	if (lo6) {
		check(listed(AF_INET6, &in6addr_loopback));
	} else
		printf("# no ::1 on this machine\n");
}

/* At most max: never past the array. */
static void
test_bound(void)
{
	struct sockaddr_storage	 two[3];
	int			 n;

	memset(two, 0xa5, sizeof two);
	n = compat_local_addrs(two, 2);
	check_int(n, >=, 1);
	check_int(n, <=, 2);
	check(((unsigned char *)&two[2])[0] == 0xa5);
	check(compat_local_addrs(two, 0) == 0);
}

static void
test_same_as_getifaddrs(void)
{
#ifdef __GLIBC__
	struct ifaddrs	*ifa, *i;
	int		 n = 0;

	ngot = compat_local_addrs(got, (int)nitems(got));
	check(getifaddrs(&ifa) == 0);
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			test_case("%s (IPv4)", i->ifa_name);
			check(listed(AF_INET,
			    &((struct sockaddr_in *)i->ifa_addr)->sin_addr));
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			test_case("%s (IPv6)", i->ifa_name);
			check(listed(AF_INET6,
			    &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr));
			n++;
		}
	}
	test_case_end();
	freeifaddrs(ifa);
	check_int(n, ==, ngot);
#else
	printf("# not glibc: no getifaddrs to compare with here\n");
#endif
}

int
main(void)
{
	TEST(test_loopback(), "127.0.0.1 and ::1 are listed, ports 0");
	TEST(test_bound(), "never more than asked for");
	TEST(test_same_as_getifaddrs(), "the set getifaddrs(3) gives");
	return (test_done());
}
