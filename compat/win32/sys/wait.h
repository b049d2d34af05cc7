/* sys/wait.h: on Windows, compat_win32.h has it (force-included). */
#ifndef COMPAT_WIN32_SYS_WAIT_H
#define COMPAT_WIN32_SYS_WAIT_H
#include "compat_win32.h"
#endif
