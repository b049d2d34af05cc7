/*
 * opt.h: Go-style command-line flags, Go durations and the node's
 * "key: value" configuration file.  Pure code: no sockets, no event loop;
 * opt_conf_load() is the only function that touches a file.
 */
#ifndef OPT_H
#define OPT_H

#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_STRING,	/* ptr: const char ** (points into argv) */
	OPT_BOOL,	/* ptr: int *; "-x", "-x=true", "-x=false" */
	OPT_INT,	/* ptr: int *; range min..max */
	OPT_DURATION	/* ptr: int64_t *, milliseconds; "90s", "1m0s", "2h", "0" */
};

struct opt {
	const char	*name;		/* without dashes: "controlAddr" */
	enum opt_type	 type;
	void		*ptr;
	const char	*help;		/* one line */
	const char	*defhelp;	/* default shown by usage, or NULL */
	long long	 min, max;	/* OPT_INT */
	int		 set;		/* out: seen on the command line */
};

/*
 * Parse flags from argv[*ind] on: "-name value", "-name=value", "--name",
 * "--name=value".  Bool flags take no separate value.  Stops at the first
 * argument that is not a flag, or after "--".  Returns 0, OPT_HELP for
 * -h/-help/--help, or -1 with *cause set (allocated) naming the flag:
 * "flag provided but not defined: -foo", "-pool-size: 'x' is not a
 * number (expected a whole number from 0 to 1024)", "flag needs an
 * argument: -log".
 */
#define OPT_HELP	1
int	 opt_parse(struct opt *, int, char **, int *, char **);
/* Print the flags like Go's flag.PrintDefaults, sorted as given. */
void	 opt_usage(FILE *, const struct opt *);
struct opt *opt_find(struct opt *, const char *);

/*
 * A value for o from a flag or a config file, stored in o->ptr (a string
 * is stored as the pointer given: it must outlive its use); o->set is
 * left alone.  -1 with *cause naming name (how the user wrote it: "-pool-
 * size", "pool_size"), the value and the type expected:
 * "pool_size: 'lots' is not a number (expected a whole number from 0 to
 * 1024)"; config files prefix "file:line: ".  opt_value_check() only
 * checks.
 */
int	 opt_value_set(struct opt *, const char *name, const char *value,
	    char **cause);
int	 opt_value_check(const struct opt *, const char *name,
	    const char *value, char **cause);
/* A flag's value, saved and put back (a reload's defaults). */
union opt_value {
	const char	*s;
	int		 i;
	int64_t		 d;
};
void	 opt_value_get(const struct opt *, union opt_value *);
void	 opt_value_put(struct opt *, const union opt_value *);
/*
 * The flag a config file's key names: its name but for case and '-' or
 * '_' between words ("max_clients", "max-clients"; "control_addr",
 * "controlAddr").  NULL: none.
 */
struct opt *opt_conf_find(struct opt *, const char *key);

/* Go duration: "300ms", "1.5h", "2h45m", "90s", "0"; ms out, >= 0 only. */
int	 opt_duration_parse(const char *, int64_t *, char **);
int	 opt_int_parse(const char *, long long, long long, long long *,
	    char **);
int	 opt_bool_parse(const char *, int *);

/*
 * Config file ("key: value" lines, not YAML): one "key: value" per line; blank lines and lines starting
 * with '#' are skipped, as is " #..." after an unquoted value.  Values may
 * be "double quoted" (escapes \" \\ \n \t) or 'single quoted' (literal).
 * Keys are [A-Za-z0-9_-]+.  The callback gets each pair; it returns 0 or -1
 * with *cause, which opt_conf_* prefix with "file:line: ".
 */
typedef int opt_conf_cb(const char *key, const char *value, void *,
	    char **cause);
int	 opt_conf_parse(const char *buf, size_t len, const char *name,
	    opt_conf_cb *, void *, char **cause);
int	 opt_conf_load(const char *path, opt_conf_cb *, void *, char **cause);

/*
 * Read the file path (name: how messages call it) into a new buffer of
 * at most max + 1 bytes: *len > max means the file is larger than max.
 * When *len <= max, the buffer has room for a NUL after the bytes.
 * *mode (may be NULL) gets its st_mode.  -1 with *cause "name: error"
 * when it cannot be opened or read.  Users, tokens and config files.
 */
int	 opt_file_read(const char *path, const char *name, size_t max,
	    char **buf, size_t *len, mode_t *mode, char **cause);

/*
 * Replace path's contents crash-safely: opt_file_replace_open() makes a
 * temporary file beside it (*tmp, allocated) with st's owner (as root)
 * and st's mode & keep (st NULL: 0600); write to the FILE it returns,
 * then opt_file_replace_commit() flushes, syncs, closes and renames it
 * over path (on an error it removes it); it frees *tmp.
 * NULL or -1 with *cause "file: error".  The users, known_hosts and
 * node-ids files.
 */
struct stat;
FILE	*opt_file_replace_open(const char *path, const struct stat *st,
	    mode_t keep, char **tmp, char **cause);
int	 opt_file_replace_commit(FILE *, char *tmp, const char *path,
	    char **cause);

/*
 * Split a list value: "a, b c" or "[a, b]" into at most max words of at
 * most wordlen-1 bytes each.  Returns the count or -1 with *cause.
 */
int	 opt_list_split(const char *, char (*)[64], int max, char **cause);
/*
 * The same; OPT_LIST_BRACKETS: items may hold brackets of their own (IPv6
 * entries, "[::1]:80"), and only brackets around the whole list are the
 * list's ("[::1]" is ::1 either way).
 */
#define OPT_LIST_BRACKETS	0x1
int	 opt_list_split_flags(const char *, char (*)[64], int max, int flags,
	    char **cause);

/*
 * The -log and -log-level rows of a flag table (hub and node: log.c's
 * destinations and levels), as the seed spells them.
 */
#define LOG_OPTS(dest, level)						\
	{ "log", OPT_STRING, (dest), "Write log messages to this file. "	\
	    "'stdout', 'none' and 'syslog' have special meanings",	\
	    "\"stdout\"", 0, 0, 0 },					\
	{ "log-level", OPT_STRING, (level), "The level of messages to "	\
	    "log. One of: DEBUG, INFO, WARNING, ERROR", "\"INFO\"", 0, 0,	\
	    0 }

#endif /* OPT_H */
