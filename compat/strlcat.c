/*
 * strlcat.c: append to a bounded, terminated string; returns the length
 * the result would have had, so truncation can be detected.
 */
#include <string.h>

#include "config.h"
#include "compat.h"

#ifndef HAVE_STRLCAT
size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t	 dlen = strnlen(dst, size);

	if (dlen == size)
		return (size + strlen(src));
	return (dlen + strlcpy(dst + dlen, src, size - dlen));
}
#endif
