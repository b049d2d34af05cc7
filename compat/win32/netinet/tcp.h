/* netinet/tcp.h: on Windows, compat_win32.h has it (force-included). */
#ifndef COMPAT_WIN32_NETINET_TCP_H
#define COMPAT_WIN32_NETINET_TCP_H
#include "compat_win32.h"
#endif
