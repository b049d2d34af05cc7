/* arpa/inet.h: on Windows, compat_win32.h has it (force-included). */
#ifndef COMPAT_WIN32_ARPA_INET_H
#define COMPAT_WIN32_ARPA_INET_H
#include "compat_win32.h"
#endif
