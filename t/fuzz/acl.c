/*
 * t/fuzz/acl.c: libFuzzer target for modules/acl.c.  The input is a target
 * name as a node receives it (acl_host_numeric) and an allow or deny entry
 * (acl_entry_parse, acl_rule_parse, acl_list_split); the entry, if good, then judges addresses built from
 * the input bytes.  acl_host_numeric must return -1, 0 or 1, give a reason
 * on -1 only, agree with inet_pton on which names without ':' are IPv4
 * addresses, and give back an address that prints as the name.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

#define FUZZ_MAX	300		/* a DOMAIN name is 255 at most */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Judge the address made of data[0..16) (as IPv4 and IPv6) with e. */
static void
fuzz_judge(const struct acl_entry *e, const uint8_t *data, size_t size)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	uint8_t			 a[16];
	const char		*why;
	int			 r;

	memset(a, 0, sizeof a);
	memcpy(a, data, size < sizeof a ? size : sizeof a);
	memset(&ss, 0, sizeof ss);
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, a, 4);
	sin->sin_port = htons(a[4] << 8 | a[5]);
	why = NULL;
	r = acl_allowed(e, 1, (struct sockaddr *)&ss, &why);
	if ((r != 0 && r != 1) || (r == 0) != (why != NULL))
		abort();
	(void)acl_listed(e, 1, (struct sockaddr *)&ss);
	memset(&ss, 0, sizeof ss);
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a, 16);
	why = NULL;
	r = acl_allowed(e, 1, (struct sockaddr *)&ss, &why);
	if ((r != 0 && r != 1) || (r == 0) != (why != NULL))
		abort();
	(void)acl_listed(e, 1, (struct sockaddr *)&ss);
	(void)acl_is_local(&ss, 1, (struct sockaddr *)&ss);
}

/* A parsed entry: its prefix fits its family, a bare port names one. */
static void
fuzz_entry(const struct acl_entry *e, const uint8_t *data, size_t size)
{
	if ((e->family == AF_INET && e->bits > 32) ||
	    (e->family == AF_INET6 && e->bits > 128) ||
	    (e->family == 0 && e->port == 0))
		abort();
	fuzz_judge(e, data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct acl_entry	 e;
	struct in_addr		 a4;
	const char		*why;
	char			*s, *cause, buf[INET6_ADDRSTRLEN];
	char			 words[4][64];
	int			 r;

	if (size > FUZZ_MAX)
		return (0);
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';

	why = NULL;
	r = acl_host_numeric(s, &ss, &why);
	if (r < -1 || r > 1 || (r == -1) != (why != NULL))
		abort();
	if (strchr(s, ':') == NULL &&
	    (r == 1) != (inet_pton(AF_INET, s, &a4) == 1))
		abort();
	if (r == 1 && ss.ss_family == AF_INET &&
	    (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf) == NULL ||
	    strcmp(buf, s) != 0 || sin->sin_port != 0))
		abort();
	if (r == 1 && ss.ss_family == AF_INET6 &&
	    (inet_pton(AF_INET6, s, buf) != 1 ||
	    memcmp(buf, &sin6->sin6_addr, 16) != 0))
		abort();
	if (r == 1 && ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		abort();

	cause = NULL;
	r = acl_entry_parse(s, &e, &cause);
	if ((r != 0 && r != -1) || (r == -1) != (cause != NULL))
		abort();
	free(cause);
	if (r == 0)
		fuzz_entry(&e, data, size);
	/* The node's own forms: ADDR:PORT, [ADDR6]:PORT, lists of them. */
	cause = NULL;
	r = acl_rule_parse(s, size & 1, &e, &cause);
	if ((r != 0 && r != -1) || (r == -1) != (cause != NULL))
		abort();
	free(cause);
	if (r == 0)
		fuzz_entry(&e, data, size);
	cause = NULL;
	r = acl_list_split(s, words, 4, &cause);
	if (r < -1 || r > 4 || (r == -1) != (cause != NULL))
		abort();
	free(cause);
	free(s);
	return (0);
}
