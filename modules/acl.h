/*
 * acl.h: the exit node's destination policy.  Pure: addresses in, verdict
 * out; the node applies it to every resolved address it connects to.
 */
#ifndef ACL_H
#define ACL_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct acl_entry {
	int		 family;	/* AF_INET, AF_INET6, or 0: a port */
	uint8_t		 addr[16];
	uint8_t		 bits;
	uint16_t	 port;		/* family 0 */
};

/*
 * "10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", or ":25" (a port).
 * Returns 0 or -1 with *cause (allocated).
 */
int	 acl_entry_parse(const char *, struct acl_entry *, char **);
/*
 * May a node connect to sa?  Allowed entries override the default denials
 * (loopback, private, link-local, CGNAT, multicast, broadcast, reserved,
 * unspecified, IPv6 ULA/link-local and the IPv4-mapped, -compatible and
 * NAT64 forms of all of those; and port 25).  Returns 1 when allowed, else
 * 0 with *why naming the rule.
 */
int	 acl_allowed(const struct acl_entry *, size_t, const struct sockaddr *,
	    const char **why);

/*
 * Is sa one of the node's own addresses (local[0..n), ports ignored)?  A
 * node refuses those too unless an allow entry names them.
 */
int	 acl_is_local(const struct sockaddr_storage *, size_t,
	    const struct sockaddr *);
/* Does an allow entry (address or range) cover sa's address? */
int	 acl_listed(const struct acl_entry *, size_t, const struct sockaddr *);

#endif /* ACL_H */
