/*
 * passwd.c: `tentacle passwd [-iter N] [-file F] USER`: read a password
 * (twice from a terminal, without echo; one line from a pipe) and print
 * its users-file line, or put it into F in place of USER's old line;
 * `tentacle passwd -d -file F USER` takes USER's line out of F.  A new
 * password keeps the limits (the line's sixth field, acct.h) USER had;
 * `-limits TEXT` sets them, and for a user already in F changes only them
 * (no password asked).  `-admin` makes a line of the hub's -admins file
 * (the same format, no limits).  The line format and the hashing are
 * auth.c's.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tentacle.h"
#include "acct.h"
#include "auth.h"
#include "opt.h"

#define PASSWD_FILE_MAX		AUTH_FILE_MAX

static struct termios	 passwd_tio;
static const char	*passwd_what = "user";	/* or "admin" (-admin) */
static volatile sig_atomic_t passwd_tio_saved;

static void	 passwd_usage(FILE *, struct opt *);
static void	 passwd_restore_cb(int);
static int	 passwd_read_tty(const char *, char *, size_t);
static int	 passwd_read_pipe(char *, size_t);
static int	 passwd_file_read(const char *, char **, size_t *,
		    struct stat *);
static int	 passwd_file_copy(FILE *, const char *, size_t, const char *,
		    const char *);
static const char *passwd_file_find(const char *, size_t, const char *,
		    size_t *);
static int	 passwd_file_has(const char *, const char *);
static int	 passwd_file_update(const char *, const char *, const char *,
		    const char *);

static void
passwd_usage(FILE *fp, struct opt *opts)
{
	fprintf(fp, "usage: tentacle passwd [-iter N] [-limits L] [-file F] "
	    "USER\n"
	    "       tentacle passwd -limits L -file F USER\n"
	    "       tentacle passwd -admin [-iter N] [-file F] NAME\n"
	    "       tentacle passwd -d -file F USER\n\n"
	    "Read USER's password (twice, without echo, from a terminal; one "
	    "line from\nstandard input otherwise) and print a users-file line "
	    "for the hub's -users\nflag, or put it into F (replacing USER's "
	    "line; written atomically, keeping\nF's owner and group and its "
	    "mode less other users' bits; 0600 for a new file).\n-d removes "
	    "USER from F instead.  Send the hub SIGHUP to reload F.\n"
	    "A new password keeps USER's limits; -limits sets them "
	    "(\"conns=2,rate=1M,day=5Gi,\npools=a+b\"; \"\" clears them: "
	    "doc/users.md), and for a USER already in F changes\nonly them, "
	    "asking no password.\n"
	    "-admin: a line for the hub's -admins file instead (an admin "
	    "account for the\nadmin API and dashboard on -adminAddr; no "
	    "limits).\n\n"
	    "Flags:\n");
	opt_usage(fp, opts);
}

/* Put the terminal back (echo on) if a signal ends us while it is off. */
static void
passwd_restore_cb(int sig)
{
	if (passwd_tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &passwd_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Prompt on stderr, read one line from the terminal without echo. */
static int
passwd_read_tty(const char *prompt, char *buf, size_t len)
{
	struct termios	 tio;
	size_t		 n = 0;
	ssize_t		 r;
	char		 c;
	int		 rc = 0;

	if (tcgetattr(STDIN_FILENO, &passwd_tio) == -1) {
		fprintf(stderr, "tentacle passwd: terminal: %s\n",
		    strerror(errno));
		return (-1);
	}
	tio = passwd_tio;
	tio.c_lflag &= ~(ECHO | ECHONL);
	tio.c_lflag |= ICANON;
	passwd_tio_saved = 1;
	signal(SIGINT, passwd_restore_cb);
	signal(SIGTERM, passwd_restore_cb);
	signal(SIGHUP, passwd_restore_cb);
	signal(SIGQUIT, passwd_restore_cb);
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio) == -1) {
		fprintf(stderr, "\ntentacle passwd: terminal: %s\n",
		    strerror(errno));
		passwd_tio_saved = 0;
		return (-1);
	}
	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 < len)
			buf[n] = c;
		n++;
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &passwd_tio);
	passwd_tio_saved = 0;
	fputc('\n', stderr);
	if (r == -1) {
		fprintf(stderr, "tentacle passwd: terminal: %s\n",
		    strerror(errno));
		rc = -1;
	} else if (n + 1 > len) {
		fprintf(stderr, "tentacle passwd: password longer than %zu "
		    "bytes\n", len - 1);
		rc = -1;
	}
	buf[n < len ? n : len - 1] = '\0';
	c = 0;
	return (rc);
}

/* One line from a pipe or file; the newline (and a CR) is not part of it. */
static int
passwd_read_pipe(char *buf, size_t len)
{
	size_t	 n;

	if (fgets(buf, (int)len, stdin) == NULL) {
		fprintf(stderr, "tentacle passwd: no password on standard "
		    "input\n");
		return (-1);
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin)) {
		fprintf(stderr, "tentacle passwd: password longer than %zu "
		    "bytes\n", len - 2);
		return (-1);
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (strlen(buf) != n) {
		fprintf(stderr, "tentacle passwd: NUL byte in the password\n");
		return (-1);
	}
	return (0);
}

/*
 * Read path, at most PASSWD_FILE_MAX bytes, into *bufp (NUL-terminated)
 * and *lenp, its mode and owner into *st; a missing file leaves *bufp
 * NULL and st_mode 0600.  Returns 0, or -1 after saying why on stderr.
 */
static int
passwd_file_read(const char *path, char **bufp, size_t *lenp,
    struct stat *stp)
{
	struct stat	 st;
	FILE		*in;
	char		*buf;
	size_t		 len;

	*bufp = NULL;
	*lenp = 0;
	memset(stp, 0, sizeof *stp);
	stp->st_mode = S_IFREG | 0600;
	if ((in = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		fprintf(stderr, "tentacle passwd: %s: %s\n", path,
		    strerror(errno));
		return (-1);
	}
	if (fstat(fileno(in), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > PASSWD_FILE_MAX) {
		fprintf(stderr, "tentacle passwd: %s: not a regular file of at "
		    "most %d bytes\n", path, PASSWD_FILE_MAX);
		fclose(in);
		return (-1);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	len = fread(buf, 1, (size_t)st.st_size, in);
	if (ferror(in)) {
		fprintf(stderr, "tentacle passwd: %s: %s\n", path,
		    strerror(errno));
		fclose(in);
		free(buf);
		return (-1);
	}
	fclose(in);
	buf[len] = '\0';
	*bufp = buf;
	*stp = st;
	*lenp = len;
	return (0);
}

/*
 * The line at *p in buf[0..len) (no newline), *ll its length; *p moves
 * past it.  NULL at the end.  Is it name's (starts "name:")?  *mine says.
 */
static const char *
passwd_line(const char *buf, size_t len, const char **p, const char *name,
    size_t *ll, int *mine)
{
	const char	*line = *p, *nl;
	size_t		 nlen = strlen(name);

	if (line == NULL || line >= buf + len)
		return (NULL);
	nl = memchr(line, '\n', (size_t)(buf + len - line));
	*ll = nl != NULL ? (size_t)(nl - line) : (size_t)(buf + len - line);
	*p = nl != NULL ? nl + 1 : buf + len;
	*mine = *ll > nlen && strncmp(line, name, nlen) == 0 &&
	    line[nlen] == ':';
	return (line);
}

/*
 * Copy buf (len bytes, may be NULL) to out with name's line replaced by
 * line, or line added at the end; line NULL: name's line left out; out
 * NULL: only look.  Returns 1 if name had a line, else 0.
 */
static int
passwd_file_copy(FILE *out, const char *buf, size_t len, const char *name,
    const char *line)
{
	const char	*p = buf, *l;
	size_t		 ll;
	int		 found = 0, mine;

	while ((l = passwd_line(buf, len, &p, name, &ll, &mine)) != NULL) {
		if (mine) {
			if (!found && line != NULL && out != NULL)
				fprintf(out, "%s\n", line);
			found = 1;
			continue;
		}
		if (out == NULL)
			continue;
		fwrite(l, 1, ll, out);
		fputc('\n', out);
	}
	if (!found && line != NULL && out != NULL)
		fprintf(out, "%s\n", line);
	return (found);
}

/* name's first line in buf (len bytes, may be NULL), *llen its length. */
static const char *
passwd_file_find(const char *buf, size_t len, const char *name, size_t *llen)
{
	const char	*p = buf, *l;
	size_t		 ll;
	int		 mine;

	while ((l = passwd_line(buf, len, &p, name, &ll, &mine)) != NULL) {
		if (!mine)
			continue;
		/* What passwd_file_copy() replaces; a CR is not ours. */
		if (ll > 0 && l[ll - 1] == '\r')
			ll--;
		*llen = ll;
		return (l);
	}
	return (NULL);
}

/* 1 when path has a line for name, 0 when not, -1 after saying why. */
static int
passwd_file_has(const char *path, const char *name)
{
	struct stat	 st;
	char		*buf;
	size_t		 len, ll;
	int		 found;

	if (passwd_file_read(path, &buf, &len, &st) == -1)
		return (-1);
	found = passwd_file_find(buf, len, name, &ll) != NULL;
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
	return (found);
}

/*
 * Replace name's line in path with line (or append it; line NULL: remove
 * it, and fail if there is none), through a temporary file in the same
 * directory renamed over path, with path's owner and its mode less the
 * bits for others (a new file: 0600).  limits (a canonical limits text)
 * becomes the line's sixth field; limits NULL keeps the old line's.
 * line NULL with limits: name's line with only its limits changed.
 */
static int
passwd_file_update(const char *path, const char *name, const char *line,
    const char *limits)
{
	struct stat	 st;
	FILE		*out;
	const char	*old;
	char		*buf, *tmp = NULL, *cause = NULL;
	char		 keep[ACCT_LIMITS_LEN + 1], nline[AUTH_LINE_MAX + 1];
	size_t		 len, olen = 0;
	int		 found;

	if (passwd_file_read(path, &buf, &len, &st) == -1)
		return (-1);
	old = passwd_file_find(buf, len, name, &olen);
	if (line == NULL && old == NULL) {
		fprintf(stderr, "tentacle passwd: %s: %s\n", path, buf == NULL ?
		    "no such file" : limits != NULL ? "no such user (give it "
		    "a password first)" : "no such user (nothing removed)");
		free(buf);
		return (-1);
	}
	if (line != NULL || limits != NULL) {
		keep[0] = '\0';
		if (limits == NULL && old != NULL && auth_line_get_limits(old,
		    olen, keep, sizeof keep) == -1) {
			fprintf(stderr, "tentacle passwd: %s: user %s: limits "
			    "too long\n", path, name);
			goto fail;
		}
		if (auth_line_set_limits(nline, sizeof nline, line != NULL ?
		    line : old, line != NULL ? strlen(line) : olen,
		    limits != NULL ? limits : keep, &cause) == -1) {
			fprintf(stderr, "tentacle passwd: %s: user %s: %s\n",
			    path, name, cause);
			free(cause);
			goto fail;
		}
		line = nline;
	}
	/*
	 * Keep the file's owner (as root) and its owner and group bits: the
	 * hub must still read it.  Password hashes are nobody else's.
	 */
	if ((out = opt_file_replace_open(path, buf != NULL ? &st : NULL, 0770,
	    &tmp, &cause)) == NULL) {
		fprintf(stderr, "tentacle passwd: %s\n", cause);
		free(cause);
		if (buf != NULL)
			explicit_bzero(buf, len);
		free(buf);
		return (-1);
	}
	found = passwd_file_copy(out, buf, len, name, line);
	explicit_bzero(nline, sizeof nline);
	if (opt_file_replace_commit(out, tmp, path, &cause) == -1) {
		fprintf(stderr, "tentacle passwd: %s\n", cause);
		free(cause);
		goto fail;
	}
	fprintf(stderr, "tentacle passwd: %s %s %s %s %s (send the hub "
	    "SIGHUP to reload it)\n", line == NULL ? "removed" : found ?
	    "replaced" : "added", passwd_what, name, line == NULL ? "from" :
	    "in", path);
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
	return (0);
fail:
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
	return (-1);
}

/* see tentacle.h */
int
passwd_main(int argc, char **argv)
{
	struct acct_limits l;
	const char	*file = NULL, *limits = NULL;
	char		 pass[AUTH_PASSWORD_MAX + 2], again[sizeof pass];
	char		 line[AUTH_LINE_MAX + 1], *cause = NULL;
	char		 lim[ACCT_LIMITS_LEN + 1], *nl;
	int		 iter = AUTH_ITER_DEFAULT, ind = 1, rc, del = 0;
	int		 admin = 0;
	struct opt	 opts[] = {
		{ "iter", OPT_INT, &iter, "PBKDF2-HMAC-SHA256 iterations "
		    "(each login that is not cached costs this many)",
		    "10000", 1, AUTH_ITER_MAX, 0 },
		{ "file", OPT_STRING, &file, "Users file to update instead "
		    "of printing the line", NULL, 0, 0, 0 },
		{ "d", OPT_BOOL, &del, "Remove USER from the -file F (no "
		    "password asked)", NULL, 0, 0, 0 },
		{ "limits", OPT_STRING, &limits, "USER's limits (doc/users.md;"
		    " \"\" for none); for a USER in -file F only these change",
		    NULL, 0, 0, 0 },
		{ "admin", OPT_BOOL, &admin, "An admin account (the hub's "
		    "-admins file, doc/admin.md) rather than a proxy user",
		    NULL, 0, 0, 0 },
		{ NULL, 0, NULL, NULL, NULL, 0, 0, 0 }
	};

	rc = opt_parse(opts, argc, argv, &ind, &cause);
	if (rc == OPT_HELP) {
		passwd_usage(stdout, opts);
		return (0);
	}
	if (rc == -1) {
		fprintf(stderr, "tentacle passwd: %s\n", cause);
		passwd_usage(stderr, opts);
		return (2);
	}
	if (ind != argc - 1) {
		fprintf(stderr, "tentacle passwd: %s\n", ind >= argc ?
		    "which user?" : "one user at a time");
		passwd_usage(stderr, opts);
		return (2);
	}
	if (admin)
		passwd_what = "admin";
	if (admin && limits != NULL) {
		fprintf(stderr, "tentacle passwd: -admin: an admin account "
		    "has no limits (-limits is for proxy users)\n");
		return (2);
	}
	if (admin && strchr(argv[ind], '-') != NULL) {
		fprintf(stderr, "tentacle passwd: -admin: an admin name is "
		    "1 to 64 of A-Z a-z 0-9 . _ (no '-')\n");
		return (2);
	}
	/* Check the name before asking for a password. */
	if (auth_line_make(line, sizeof line, argv[ind], "x", 1,
	    &cause) == -1) {
		fprintf(stderr, "tentacle passwd: %s\n", cause);
		return (2);
	}
	if (del) {
		if (file == NULL) {
			fprintf(stderr, "tentacle passwd: -d: from which "
			    "file? give -file F (the hub's -%s file)\n",
			    admin ? "admins" : "users");
			return (2);
		}
		return (passwd_file_update(file, argv[ind], NULL, NULL) ==
		    -1 ? 1 : 0);
	}
	if (limits != NULL) {
		if (acct_limits_parse(limits, &l, &cause) == -1) {
			fprintf(stderr, "tentacle passwd: -limits: %s\n", cause);
			return (2);
		}
		/* Canonical: what the hub's API shows. */
		acct_limits_format(&l, lim, sizeof lim);
		limits = lim;
		if (file != NULL) {
			if ((rc = passwd_file_has(file, argv[ind])) == -1)
				return (1);
			if (rc == 1)
				return (passwd_file_update(file, argv[ind],
				    NULL, limits) == -1 ? 1 : 0);
		}
	}

	if (isatty(STDIN_FILENO)) {
		if (passwd_read_tty("Password: ", pass, sizeof pass) == -1)
			return (1);
		if (passwd_read_tty("Retype password: ", again,
		    sizeof again) == -1) {
			explicit_bzero(pass, sizeof pass);
			return (1);
		}
		rc = strcmp(pass, again);
		explicit_bzero(again, sizeof again);
		if (rc != 0) {
			explicit_bzero(pass, sizeof pass);
			fprintf(stderr, "tentacle passwd: the passwords do not "
			    "match\n");
			return (1);
		}
	} else if (passwd_read_pipe(pass, sizeof pass) == -1)
		return (1);

	rc = auth_line_make(line, sizeof line, argv[ind], pass,
	    (uint32_t)iter, &cause);
	explicit_bzero(pass, sizeof pass);
	if (rc == -1) {
		fprintf(stderr, "tentacle passwd: %s\n", cause);
		return (1);
	}
	if (file == NULL) {
		if (limits != NULL && *limits != '\0' &&
		    strlen(line) + 1 + strlen(limits) < sizeof line) {
			nl = line + strlen(line);
			snprintf(nl, sizeof line - (size_t)(nl - line), ":%s",
			    limits);
		}
		printf("%s\n", line);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "tentacle passwd: stdout: %s\n",
			    strerror(errno));
			return (1);
		}
		return (0);
	}
	rc = passwd_file_update(file, argv[ind], line, limits);
	explicit_bzero(line, sizeof line);
	return (rc == -1 ? 1 : 0);
}
