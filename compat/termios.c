/*
 * termios.c: tcgetattr()/tcsetattr() on the Windows console, for what
 * tentacle passwd does with them: echo off while a password is typed.
 * Empty elsewhere.
 */
#ifdef _WIN32
#include <termios.h>

static HANDLE
termios_handle(int fd)
{
	HANDLE	 h = (HANDLE)_get_osfhandle(fd);

	if (h == INVALID_HANDLE_VALUE) {
		errno = EBADF;
		return (NULL);
	}
	return (h);
}

int
tcgetattr(int fd, struct termios *t)
{
	HANDLE	 h;
	DWORD	 mode;

	if ((h = termios_handle(fd)) == NULL)
		return (-1);
	if (!GetConsoleMode(h, &mode)) {
		errno = ENOTTY;
		return (-1);
	}
	t->c_mode = mode;
	t->c_lflag = ((mode & ENABLE_ECHO_INPUT) ? ECHO | ECHONL : 0) |
	    ((mode & ENABLE_LINE_INPUT) ? ICANON : 0);
	return (0);
}

int
tcsetattr(int fd, int when __attribute__((__unused__)),
    const struct termios *t)
{
	HANDLE	 h;
	DWORD	 mode;

	mode = t->c_mode & ~(ENABLE_ECHO_INPUT | ENABLE_LINE_INPUT);
	if ((h = termios_handle(fd)) == NULL)
		return (-1);
	if (t->c_lflag & ICANON)
		mode |= ENABLE_LINE_INPUT;
	if ((t->c_lflag & ECHO) && (t->c_lflag & ICANON))
		mode |= ENABLE_ECHO_INPUT;
	if (!SetConsoleMode(h, mode)) {
		errno = ENOTTY;
		return (-1);
	}
	return (0);
}
#endif /* _WIN32 */
