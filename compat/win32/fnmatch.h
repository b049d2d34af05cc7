/* fnmatch.h on Windows: *, ? and [...] (compat/fnmatch.c). */
#ifndef COMPAT_WIN32_FNMATCH_H
#define COMPAT_WIN32_FNMATCH_H
#include "compat_win32.h"

#define FNM_NOMATCH	1
int	 fnmatch(const char *, const char *, int);
#endif
