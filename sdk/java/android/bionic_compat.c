/*
 * bionic_compat.c: see bionic_compat.h.
 */
#include <string.h>

#include "bionic_compat.h"

#ifndef HAVE_EXPLICIT_BZERO
/* A memset the compiler may not drop: through a volatile function pointer. */
static void *(*const volatile bc_memset)(void *, int, size_t) = memset;

void
explicit_bzero(void *p, size_t n)
{
	bc_memset(p, 0, n);
}
#endif
