/*
 * acl.h: the exit node's destination policy.  Pure: addresses in, verdict
 * out; the node applies it to every resolved address it connects to.
 *
 * Canonical form, for every check: an IPv6 address that embeds an IPv4
 * address in its last 32 bits is that IPv4 address.  The embedding /96
 * prefixes: IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96 (but :: and
 * ::1 are IPv6's own), NAT64 well-known 64:ff9b::/96 (RFC 6052) and
 * local-use NAT64 64:ff9b:1::/96 (RFC 8215, the /96 embedding: bits 48..95
 * zero).  An entry written in one of those forms with /96 or longer is the
 * IPv4 range it embeds (64:ff9b::203.0.113.0/120 is 203.0.113.0/24);
 * entries are kept as written (the mapped form as IPv4) and reduced when
 * compared.
 *
 * Default denials judge an embedded address by its IPv4 rules.  A deny
 * list refuses an address when an entry covers its canonical form or, for
 * an IPv6 entry, the address as written: "deny: 203.0.113.5" refuses
 * 64:ff9b::cb00:7105, ::203.0.113.5 and ::ffff:203.0.113.5, "deny: ::/0"
 * every IPv6 address including those.  An allow entry lifts a mapped
 * address by its canonical form only (the kernel sends IPv4: "allow:
 * 127.0.0.0/8" lifts ::ffff:127.0.0.1, "allow: ::/0" does not) and a
 * compatible or NAT64 address only by an entry of /96 or longer written in
 * its own prefix (those are IPv6 packets to some translator: "allow:
 * 10.0.0.0/8" and "allow: ::/0" do not lift 64:ff9b::a00:1, "allow:
 * 64:ff9b::10.0.0.0/104" does, and 10.0.0.0/8 with it).  So "allow:
 * 64:ff9b::/96" is all of IPv4, and "allow: 64:ff9b:1::/48" lifts the
 * local-use NAT64 addresses outside the /96 embedding only.
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
	uint16_t	 port;		/* family 0; else 0 or the one port */
};

/*
 * "10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "64:ff9b::10.0.0.0/104"
 * or ":25" (a port), kept as written but for the mapped form, stored as
 * IPv4 (::ffff:10.0.0.0/104 is 10.0.0.0/8).  Returns 0 or -1 with *cause
 * (allocated).
 */
int	 acl_entry_parse(const char *, struct acl_entry *, char **);
/*
 * A node's allow: or deny: entry: an acl_entry_parse() entry, or an
 * address or range on one port: 127.0.0.1:8080, 10.0.0.0/8:8080,
 * [::1]:8080, [fd00::/8]:8080 (IPv6 in brackets; numeric only, never a
 * host name).  Such an entry covers that port only; in an allow list it
 * lifts the default denials of its addresses on that port (port 25 too).
 * In an allow list (allow set) a bare :PORT other than :25 is refused: the
 * one port a node denies by default is SMTP's, so it would lift nothing
 * (it does not lift address denials: "-allow :80" opening cloud metadata
 * and every LAN web server would be a trap).  0, or -1 with *cause
 * (allocated) saying what to write instead.
 */
int	 acl_rule_parse(const char *, int allow, struct acl_entry *, char **);
/*
 * Split a list of such entries, "a, b c" or "[a, b]", into at most max
 * words of up to 63 bytes: opt_list_split() but for the brackets of IPv6
 * entries ("[::1]:80, [fd00::/8]:443"; "[::1]" is ::1 either way).  The
 * count, or -1 with *cause (allocated).
 */
int	 acl_list_split(const char *, char (*)[64], int max, char **);
/*
 * May a node connect to sa?  Allowed entries override the default denials
 * (loopback, private, link-local, CGNAT, multicast, broadcast, reserved,
 * unspecified, IPv6 ULA/link-local/site-local/multicast, discard-only
 * 100::/64 and local-use NAT64 64:ff9b:1::/48 outside its /96 embedding;
 * an embedded IPv4 address by its IPv4 rules; and port 25 unless an entry
 * ":25", or an address entry on port 25, allows it).  Allow entries lift
 * as described above; one with a port only on that port.  Returns 1 when
 * allowed, else 0 with *why naming the rule.
 */
int	 acl_allowed(const struct acl_entry *, size_t, const struct sockaddr *,
	    const char **why);

/*
 * Is sa one of the node's own addresses (local[0..n), ports ignored, both
 * canonical)?  A node refuses those too unless an allow entry names them.
 */
int	 acl_is_local(const struct sockaddr_storage *, size_t,
	    const struct sockaddr *);
/*
 * Does an address entry of list[0..n) (port entries are skipped) cover sa,
 * by the deny-list rule above (canonical form, or an IPv6 entry as
 * written), on its port if it names one?  For deny lists (the node's deny:, the hub's -pool-deny, whose
 * entries arrive in a POLICY frame as the hub parsed them) and for the
 * allow entries that name one of the node's own addresses.
 */
int	 acl_listed(const struct acl_entry *, size_t, const struct sockaddr *);

/*
 * Is the DOMAIN target name host numeric?  0: no, a hostname to resolve.
 * 1: an unambiguous address, *ss filled (port 0, the caller sets it): a
 * plain IPv6 literal (inet_pton: no brackets, zone or port), or a dotted
 * quad of four decimal parts 0..255 without leading zeros.  -1 with *why:
 * a numeric form resolvers disagree on, refused rather than guessed.
 *
 * The rule (WHATWG URL "ends in a number"): drop one trailing dot; if the
 * last label is all digits or 0x/0X and hex digits (possibly none), the
 * name is numeric, and must then be a plain dotted quad with no trailing
 * dot.  So 0177.0.0.1 (octal to browsers, decimal to libevent), 127.1,
 * 2130706433, 0x7f.0.0.1, 0x7f000001, 127.0.0.01, 1.2.3.4.5, 256.1.1.1,
 * 127.0.0.1. and example.123 are -1; 1x.example, example.123abc and
 * example.0x1g are names (0).  Also -1: an empty name, a space or control
 * character anywhere (inet_aton stops there), and a ':' outside a plain
 * IPv6 literal ([::1], fe80::1%eth0).
 */
int	 acl_host_numeric(const char *host, struct sockaddr_storage *ss,
	    const char **why);

#endif /* ACL_H */
