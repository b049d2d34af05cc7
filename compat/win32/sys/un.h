/* sys/un.h: on Windows, compat_win32.h has it (force-included). */
#ifndef COMPAT_WIN32_SYS_UN_H
#define COMPAT_WIN32_SYS_UN_H
#include "compat_win32.h"
#endif
