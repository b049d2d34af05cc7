/*
 * getifaddrs.c: getifaddrs() on Windows from GetAdaptersAddresses(): one
 * entry per unicast address (IPv4 and IPv6), nothing else filled in but
 * ifa_addr and ifa_name.  One allocation, freed by freeifaddrs().  Empty
 * elsewhere.
 */
#ifdef _WIN32
#include <iphlpapi.h>
#include <stdlib.h>

#include <ifaddrs.h>

int
getifaddrs(struct ifaddrs **res)
{
	IP_ADAPTER_ADDRESSES		*aa = NULL, *a;
	IP_ADAPTER_UNICAST_ADDRESS	*u;
	ULONG				 len = 16384, rc;
	struct ifaddrs			*out, *ifa;
	struct sockaddr_storage		*ss;
	size_t				 n = 0, i = 0;
	int				 tries;

	for (tries = 0; tries < 3; tries++) {
		if ((aa = malloc(len)) == NULL)
			return (-1);
		rc = GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST |
		    GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, NULL,
		    aa, &len);
		if (rc == ERROR_SUCCESS)
			break;
		free(aa);
		aa = NULL;
		if (rc != ERROR_BUFFER_OVERFLOW) {
			errno = EIO;
			return (-1);
		}
	}
	if (aa == NULL) {
		errno = EIO;
		return (-1);
	}
	for (a = aa; a != NULL; a = a->Next)
		for (u = a->FirstUnicastAddress; u != NULL; u = u->Next)
			n++;
	/* Entries, then their addresses, in one block. */
	if ((out = calloc(1, n * (sizeof *out + sizeof *ss) + 1)) == NULL) {
		free(aa);
		return (-1);
	}
	ss = (struct sockaddr_storage *)(out + n);
	for (a = aa; a != NULL; a = a->Next) {
		for (u = a->FirstUnicastAddress; u != NULL; u = u->Next) {
			ifa = &out[i];
			if ((size_t)u->Address.iSockaddrLength <= sizeof *ss)
				memcpy(&ss[i], u->Address.lpSockaddr,
				    u->Address.iSockaddrLength);
			ifa->ifa_addr = (struct sockaddr *)&ss[i];
			ifa->ifa_name = "";
			ifa->ifa_next = i + 1 < n ? &out[i + 1] : NULL;
			i++;
		}
	}
	free(aa);
	*res = n > 0 ? out : NULL;
	if (n == 0)
		free(out);
	return (0);
}

void
freeifaddrs(struct ifaddrs *ifa)
{
	free(ifa);
}
#endif /* _WIN32 */
