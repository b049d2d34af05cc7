/*
 * poll.h on Windows: WSAPoll (Vista and later), for sockets only, which is
 * all the hub polls (tls.c asks whether a socket can take a record now).
 * winsock2.h has struct pollfd and POLLOUT.
 */
#ifndef COMPAT_WIN32_POLL_H
#define COMPAT_WIN32_POLL_H
#include "compat_win32.h"

#define poll(fds, nfds, timeout)	WSAPoll((fds), (nfds), (timeout))
#endif
