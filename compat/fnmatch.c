/*
 * fnmatch.c: fnmatch() for Windows, which has none: *, ? and [...] with
 * ranges and ! or ^, no flags (token names, modules/token.c).  Empty
 * elsewhere.
 */
#ifdef _WIN32
#include <fnmatch.h>

/* The class at *pp (after '['): 1 if c is in it; *pp past the ']'. */
static int
fnmatch_class(const char **pp, char c)
{
	const char	*p = *pp;
	int		 neg = 0, ok = 0;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	do {
		if (*p == '\0')
			return (-1);
		if (p[1] == '-' && p[2] != ']' && p[2] != '\0') {
			if ((unsigned char)c >= (unsigned char)p[0] &&
			    (unsigned char)c <= (unsigned char)p[2])
				ok = 1;
			p += 3;
		} else {
			if (*p == c)
				ok = 1;
			p++;
		}
	} while (*p != ']');
	*pp = p + 1;
	return (ok != neg);
}

int
fnmatch(const char *pat, const char *s, int flags __attribute__((__unused__)))
{
	const char	*p;
	int		 m;

	for (;;) {
		switch (*pat) {
		case '\0':
			return (*s == '\0' ? 0 : FNM_NOMATCH);
		case '?':
			if (*s == '\0')
				return (FNM_NOMATCH);
			pat++;
			s++;
			break;
		case '*':
			while (*pat == '*')
				pat++;
			if (*pat == '\0')
				return (0);
			for (; *s != '\0'; s++)
				if (fnmatch(pat, s, 0) == 0)
					return (0);
			return (FNM_NOMATCH);
		case '[':
			if (*s == '\0')
				return (FNM_NOMATCH);
			p = pat + 1;
			if ((m = fnmatch_class(&p, *s)) == -1) {
				/* No closing ']': a plain '['. */
				if (*s != '[')
					return (FNM_NOMATCH);
				pat++;
				s++;
				break;
			}
			if (m == 0)
				return (FNM_NOMATCH);
			pat = p;
			s++;
			break;
		default:
			if (*pat != *s)
				return (FNM_NOMATCH);
			pat++;
			s++;
			break;
		}
	}
}
#endif /* _WIN32 */
