/* termios.h on Windows: echo on and off on the console (compat/termios.c). */
#ifndef COMPAT_WIN32_TERMIOS_H
#define COMPAT_WIN32_TERMIOS_H
#include "compat_win32.h"

typedef unsigned int	tcflag_t;
struct termios {
	tcflag_t	 c_lflag;
	unsigned long	 c_mode;	/* the console mode underneath */
};
#define ECHO		0x0008
#define ECHONL		0x0040
#define ICANON		0x0002
#define TCSANOW		0
#define TCSAFLUSH	2

int	 tcgetattr(int, struct termios *);
int	 tcsetattr(int, int, const struct termios *);
#endif
