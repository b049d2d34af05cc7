/*
 * strlcpy.c: copy a string into a bounded buffer, always terminated;
 * returns strlen(src) so truncation can be detected.
 */
#include <string.h>

#include "config.h"
#include "compat.h"

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len = strlen(src);

	if (size != 0) {
		size_t n = len >= size ? size - 1 : len;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}
#endif
