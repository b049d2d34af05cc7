/*
 * win32.c: the POSIX calls compat_win32.h maps on Windows: socket calls
 * with errno, strerror() for the network errors, files, uname(),
 * getrlimit(), the process's start and its state directory.  Empty
 * elsewhere.
 */
#ifdef _WIN32
#include <sys/resource.h>
#include <sys/utsname.h>

#include <sddl.h>

#include <limits.h>
#include <stdlib.h>

#include "config.h"

#undef socket
#undef bind
#undef connect
#undef listen
#undef shutdown
#undef getsockname
#undef setsockopt
#undef getsockopt
#undef send
#undef recv
#undef readv
#undef writev
#undef strerror
#undef mkdir
#undef rename
#undef clock_gettime
#undef fstat

/* The last Winsock error as the errno value the code compares with. */
int
compat_sockerrno(void)
{
	switch (WSAGetLastError()) {
	case 0:			return (0);
	case WSAEINTR:		return (EINTR);
	case WSAEWOULDBLOCK:	return (EAGAIN);
	case WSAEINPROGRESS:	return (EINPROGRESS);
	case WSAEALREADY:	return (EALREADY);
	case WSAEACCES:		return (EACCES);
	case WSAEINVAL:		return (EINVAL);
	case WSAEMFILE:		return (EMFILE);
	case WSAENOBUFS:	return (ENOBUFS);
	case WSAEADDRINUSE:	return (EADDRINUSE);
	case WSAEADDRNOTAVAIL:	return (EADDRNOTAVAIL);
	case WSAEAFNOSUPPORT:	return (EAFNOSUPPORT);
	case WSAENETDOWN:	return (ENETDOWN);
	case WSAENETUNREACH:	return (ENETUNREACH);
	case WSAENETRESET:	return (ENETRESET);
	case WSAECONNABORTED:	return (ECONNABORTED);
	case WSAECONNRESET:	return (ECONNRESET);
	case WSAENOTCONN:	return (ENOTCONN);
	case WSAESHUTDOWN:	return (EPIPE);
	case WSAETIMEDOUT:	return (ETIMEDOUT);
	case WSAECONNREFUSED:	return (ECONNREFUSED);
	case WSAEHOSTDOWN:	return (EHOSTDOWN);
	case WSAEHOSTUNREACH:	return (EHOSTUNREACH);
	case WSAENOTSOCK:	return (ENOTSOCK);
	case WSAEMSGSIZE:	return (EMSGSIZE);
	case WSAEOPNOTSUPP:	return (EOPNOTSUPP);
	default:		return (EIO);
	}
}

static int
compat_sockfail(void)
{
	errno = compat_sockerrno();
	return (-1);
}

int
compat_socket(int domain, int type, int proto)
{
	SOCKET	 s;
	u_long	 on = 1;

	s = socket(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), proto);
	if (s == INVALID_SOCKET)
		return (compat_sockfail());
	if ((type & SOCK_NONBLOCK) && ioctlsocket(s, FIONBIO, &on) != 0) {
		errno = compat_sockerrno();
		closesocket(s);
		return (-1);
	}
	/* Handles are 32-bit significant (Microsoft's 64-bit interop). */
	return ((int)s);
}

int
compat_bind(SOCKET s, const struct sockaddr *sa, int len)
{
	return (bind(s, sa, len) == 0 ? 0 : compat_sockfail());
}

int
compat_connect(SOCKET s, const struct sockaddr *sa, int len)
{
	if (connect(s, sa, len) == 0)
		return (0);
	compat_sockfail();
	if (errno == EAGAIN)
		errno = EINPROGRESS;	/* as POSIX's non-blocking one */
	return (-1);
}

int
compat_listen(SOCKET s, int n)
{
	return (listen(s, n) == 0 ? 0 : compat_sockfail());
}

int
compat_shutdown(SOCKET s, int how)
{
	return (shutdown(s, how) == 0 ? 0 : compat_sockfail());
}

int
compat_getsockname(SOCKET s, struct sockaddr *sa, socklen_t *len)
{
	return (getsockname(s, sa, len) == 0 ? 0 : compat_sockfail());
}

int
compat_setsockopt(SOCKET s, int level, int opt, const void *v, socklen_t n)
{
	return (setsockopt(s, level, opt, v, n) == 0 ? 0 : compat_sockfail());
}

int
compat_getsockopt(SOCKET s, int level, int opt, void *v, socklen_t *n)
{
	return (getsockopt(s, level, opt, v, n) == 0 ? 0 : compat_sockfail());
}

ssize_t
compat_send(SOCKET s, const void *buf, size_t len, int flags)
{
	int	 n;

	if (len > INT_MAX)
		len = INT_MAX;
	if ((n = send(s, buf, (int)len, flags)) == SOCKET_ERROR)
		return (compat_sockfail());
	return (n);
}

ssize_t
compat_recv(SOCKET s, void *buf, size_t len, int flags)
{
	int	 n;

	if (len > INT_MAX)
		len = INT_MAX;
	if ((n = recv(s, buf, (int)len, flags)) == SOCKET_ERROR)
		return (compat_sockfail());
	return (n);
}

/* The first 16 of n iovecs as Winsock buffers; returns how many. */
static int
compat_wsabufs(WSABUF *b, const struct iovec *iov, int n)
{
	int	 i;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		b[i].buf = iov[i].iov_base;
		b[i].len = iov[i].iov_len > ULONG_MAX ? ULONG_MAX :
		    (ULONG)iov[i].iov_len;
	}
	return (n);
}

/* readv() on a socket: one WSARecv() into the buffers. */
ssize_t
compat_readv(SOCKET s, const struct iovec *iov, int n)
{
	WSABUF	 b[16];
	DWORD	 got = 0, flags = 0;

	n = compat_wsabufs(b, iov, n);
	if (WSARecv(s, b, n, &got, &flags, NULL, NULL) != 0) {
		/* The peer reset or shut down: as POSIX, an error or EOF. */
		if (WSAGetLastError() == WSAEDISCON)
			return (0);
		return (compat_sockfail());
	}
	return ((ssize_t)got);
}

/* writev() on a socket: one WSASend() from the buffers. */
ssize_t
compat_writev(SOCKET s, const struct iovec *iov, int n)
{
	WSABUF	 b[16];
	DWORD	 sent = 0;

	n = compat_wsabufs(b, iov, n);
	if (WSASend(s, b, n, &sent, 0, NULL, NULL) != 0)
		return (compat_sockfail());
	return ((ssize_t)sent);
}

/* The CRT's strerror() stops at the C errors; name the network ones. */
char *
compat_strerror(int e)
{
	static const struct {
		int		 e;
		const char	*s;
	} t[] = {
		{ EADDRINUSE,	"Address already in use" },
		{ EADDRNOTAVAIL, "Cannot assign requested address" },
		{ EAFNOSUPPORT,	"Address family not supported" },
		{ EALREADY,	"Operation already in progress" },
		{ ECONNABORTED,	"Software caused connection abort" },
		{ ECONNREFUSED,	"Connection refused" },
		{ ECONNRESET,	"Connection reset by peer" },
		{ EHOSTDOWN,	"Host is down" },
		{ EHOSTUNREACH,	"No route to host" },
		{ EINPROGRESS,	"Operation now in progress" },
		{ EMSGSIZE,	"Message too long" },
		{ ENETDOWN,	"Network is down" },
		{ ENETRESET,	"Network dropped connection on reset" },
		{ ENETUNREACH,	"Network is unreachable" },
		{ ENOBUFS,	"No buffer space available" },
		{ ENOTCONN,	"Transport endpoint is not connected" },
		{ ENOTSOCK,	"Socket operation on non-socket" },
		{ EOPNOTSUPP,	"Operation not supported" },
		{ ETIMEDOUT,	"Connection timed out" },
		{ EWOULDBLOCK,	"Resource temporarily unavailable" },
		{ EPROTO,	"Protocol error" },
	};
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (t[i].e == e)
			return ((char *)t[i].s);
	}
	return (strerror(e));
}

/* This process's user as an SDDL SID string ("S-1-5-18" for SYSTEM). */
static char *
compat_user_sid(void)
{
	HANDLE		 tok;
	union {
		TOKEN_USER	 tu;
		char		 buf[256];
	} u;
	DWORD		 n;
	char		*s = NULL;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return (NULL);
	if (GetTokenInformation(tok, TokenUser, &u, sizeof u, &n))
		(void)ConvertSidToStringSidA(u.tu.User.Sid, &s);
	CloseHandle(tok);
	return (s);		/* LocalFree() */
}

/*
 * mkdir(path, mode): a mode without group and other bits (0700, the
 * state directory) gets a protected DACL: SYSTEM, Administrators and this
 * process's user, inherited by what is created inside (keys, the admin
 * cookie), whatever the parent (%ProgramData% lets Users read) says.
 */
int
compat_mkdir(const char *path, int mode)
{
	SECURITY_ATTRIBUTES	 sa = { sizeof sa, NULL, FALSE };
	char			 sddl[256], *sid;
	int			 ok;

	if ((mode & 077) != 0)
		return (mkdir(path));
	if ((sid = compat_user_sid()) == NULL) {
		errno = EACCES;
		return (-1);
	}
	snprintf(sddl, sizeof sddl, "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
	    "(A;OICI;FA;;;%s)", sid);
	LocalFree(sid);
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl,
	    SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
		errno = EINVAL;
		return (-1);
	}
	ok = CreateDirectoryA(path, &sa);
	if (!ok)
		errno = GetLastError() == ERROR_ALREADY_EXISTS ? EEXIST :
		    GetLastError() == ERROR_PATH_NOT_FOUND ? ENOENT : EACCES;
	LocalFree(sa.lpSecurityDescriptor);
	return (ok ? 0 : -1);
}

/* Modes say nothing on Windows (the DACL does): owner bits only. */
int
compat_fstat(int fd, struct stat *st)
{
	if (fstat(fd, st) == -1)
		return (-1);
	st->st_mode &= ~077;
	return (0);
}

/* rename() that replaces the target, as POSIX's does. */
int
compat_rename(const char *from, const char *to)
{
	if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH))
		return (0);
	errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : ENOENT;
	return (-1);
}

int
getrlimit(int what __attribute__((__unused__)), struct rlimit *rl)
{
	rl->rlim_cur = rl->rlim_max = RLIM_INFINITY;
	errno = ENOSYS;
	return (-1);
}

int
uname(struct utsname *u)
{
	SYSTEM_INFO	 si;
	DWORD		 n = sizeof u->nodename;

	memset(u, 0, sizeof *u);
	strcpy(u->sysname, "Windows");
	if (!GetComputerNameA(u->nodename, &n))
		strcpy(u->nodename, "localhost");
	GetNativeSystemInfo(&si);
	switch (si.wProcessorArchitecture) {
	case PROCESSOR_ARCHITECTURE_AMD64:
		strcpy(u->machine, "x86_64");
		break;
	case PROCESSOR_ARCHITECTURE_ARM64:
		strcpy(u->machine, "aarch64");
		break;
	case PROCESSOR_ARCHITECTURE_INTEL:
		strcpy(u->machine, "i686");
		break;
	default:
		strcpy(u->machine, "unknown");
		break;
	}
	return (0);
}

int
compat_clock_gettime(int clock, struct timespec *ts)
{
	static LARGE_INTEGER	 freq;
	LARGE_INTEGER		 c;
	FILETIME		 ft;
	uint64_t		 t;

	if (clock == CLOCK_MONOTONIC) {
		if (freq.QuadPart == 0)
			QueryPerformanceFrequency(&freq);
		QueryPerformanceCounter(&c);
		ts->tv_sec = c.QuadPart / freq.QuadPart;
		ts->tv_nsec = (long)((c.QuadPart % freq.QuadPart) *
		    1000000000 / freq.QuadPart);
		return (0);
	}
	/* 100 ns ticks since 1601. */
	GetSystemTimeAsFileTime(&ft);
	t = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) -
	    116444736000000000ULL;
	ts->tv_sec = t / 10000000;
	ts->tv_nsec = (long)(t % 10000000) * 100;
	return (0);
}

/* Winsock once, and files binary (no CRLF games with keys and configs). */
void
compat_win32_init(void)
{
	WSADATA	 wsa;

	_fmode = _O_BINARY;
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
		fprintf(stderr, "tentacle: WSAStartup failed\n");
		exit(1);
	}
}

/* %ProgramData%\tentacle, the system-wide state directory. */
const char *
compat_win32_state_dir(void)
{
	static char	 dir[MAX_PATH + 16];
	const char	*p;

	if ((p = getenv("ProgramData")) == NULL || *p == '\0')
		p = "C:\\ProgramData";
	snprintf(dir, sizeof dir, "%s\\tentacle", p);
	return (dir);
}
#endif /* _WIN32 */
