/* sys/socket.h: on Windows, compat_win32.h has it (force-included). */
#ifndef COMPAT_WIN32_SYS_SOCKET_H
#define COMPAT_WIN32_SYS_SOCKET_H
#include "compat_win32.h"
#endif
