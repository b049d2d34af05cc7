/* sys/utsname.h on Windows: sysname "Windows" and the CPU (compat/win32.c). */
#ifndef COMPAT_WIN32_SYS_UTSNAME_H
#define COMPAT_WIN32_SYS_UTSNAME_H
#include "compat_win32.h"

struct utsname {
	char	 sysname[65];
	char	 nodename[65];
	char	 release[65];
	char	 version[65];
	char	 machine[65];
};
int	 uname(struct utsname *);
#endif
