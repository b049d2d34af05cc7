/*
 * bionic_compat.h: what Android's C library lacks and libtentacle's
 * sources call, force-included (-include) into them by CMakeLists.txt only
 * when a check finds it missing.  The tree's place for this is compat/
 * (one function a file, a HAVE_ from configure); until it is there, the
 * Android build carries it.
 */
#ifndef BIONIC_COMPAT_H
#define BIONIC_COMPAT_H

#include <stddef.h>

#ifndef HAVE_EXPLICIT_BZERO
void	explicit_bzero(void *, size_t);
#endif

#endif /* BIONIC_COMPAT_H */
