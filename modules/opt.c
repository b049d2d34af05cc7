/*
 * opt.c: Go "flag"-compatible command-line parsing, Go durations, integer
 * and boolean values, list values and the node's "key: value" file.
 * Owns the syntax and the error wording; the meaning of each flag or key
 * belongs to the command that declares it.  No sockets, no event loop.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "compat.h"
#include "opt.h"

#define OPT_CONF_LINE_MAX	4096
#define OPT_CONF_FILE_MAX	(64 * 1024)
#define OPT_QUOTE_MAX		128	/* bytes of user text quoted in errors */

static void	 opt_error(char **, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static const char *opt_quote(char *, size_t, const char *, size_t);
static int	 opt_set(struct opt *, const char *, char **);
static const char *opt_quote1(char *, size_t, const char *);
static int	 opt_name_eq(const char *, const char *);
static int	 opt_duration_number(const char **, uint64_t *, uint64_t *,
		    double *);
static size_t	 opt_duration_unit(const char *, uint64_t *);
static int	 opt_conf_key(const char *, size_t, size_t *, char *, size_t *,
		    const char *, u_int, char **);
static int	 opt_conf_quoted(const char *, size_t, size_t, char *,
		    size_t *, const char *, size_t, const char *, u_int,
		    char **);
static int	 opt_conf_line(const char *, size_t, const char *, u_int,
		    opt_conf_cb *, void *, char **);

/*
 * Set *cause to an allocated message.  Out of memory leaves it NULL; the
 * callers print "(null)"-free fallbacks, so that is survivable.
 */
static void
opt_error(char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	if (cause == NULL)
		return;
	*cause = NULL;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*cause = s;
}

/*
 * Go's %q, roughly: "text" with \" \\ and non-printable bytes escaped, cut
 * at OPT_QUOTE_MAX input bytes (marked with "...").  Returns out.
 */
static const char *
opt_quote(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t		 o = 0, i;
	u_char		 c;
	char		 tmp[8];
	const char	*add;

	if (outlen < 3) {
		if (outlen > 0)
			out[0] = '\0';
		return (out);
	}
	out[o++] = '"';
	for (i = 0; i < inlen && i < OPT_QUOTE_MAX; i++) {
		c = (u_char)in[i];
		if (c == '"')
			add = "\\\"";
		else if (c == '\\')
			add = "\\\\";
		else if (c == '\n')
			add = "\\n";
		else if (c == '\t')
			add = "\\t";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
			add = tmp;
		} else {
			tmp[0] = (char)c;
			tmp[1] = '\0';
			add = tmp;
		}
		if (o + strlen(add) + 5 > outlen)
			break;
		memcpy(out + o, add, strlen(add));
		o += strlen(add);
	}
	if (i < inlen && o + 5 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return (out);
}

/* see opt.h */
struct opt *
opt_find(struct opt *opts, const char *name)
{
	for (; opts->name != NULL; opts++) {
		if (strcmp(opts->name, name) == 0)
			return (opts);
	}
	return (NULL);
}

/* see opt.h; strconv.ParseBool's spellings. */
int
opt_bool_parse(const char *s, int *out)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE",
	    "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE",
	    "False" };
	size_t	 i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return (0);
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return (0);
		}
	}
	return (-1);
}

/*
 * see opt.h.  Base 0 like Go (0x1f, 017); no leading blanks, no trailing
 * junk.  Causes are Go's "parse error" and "value out of range" (with the
 * range, which Go does not print).
 */
int
opt_int_parse(const char *s, long long min, long long max, long long *out,
    char **cause)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || isspace((u_char)*s)) {
		opt_error(cause, "parse error");
		return (-1);
	}
	errno = 0;
	v = strtoll(s, &end, 0);
	if (*end != '\0') {
		opt_error(cause, "parse error");
		return (-1);
	}
	if (errno == ERANGE || v < min || v > max) {
		opt_error(cause, "value out of range %lld..%lld", min, max);
		return (-1);
	}
	*out = v;
	return (0);
}

/*
 * The number at *sp of a duration: integer part in *vp, fraction digits
 * in *fp over *scalep.  Returns 0 with *sp past it, or -1: invalid.
 */
static int
opt_duration_number(const char **sp, uint64_t *vp, uint64_t *fp,
    double *scalep)
{
	const uint64_t	 lim = 1ULL << 63;
	const char	*s = *sp;
	uint64_t	 v = 0, f = 0, y;
	int		 pre = 0, post = 0, overflow;
	double		 scale = 1.0;

	if (*s != '.' && !(*s >= '0' && *s <= '9'))
		return (-1);
	for (; *s >= '0' && *s <= '9'; s++) {
		pre = 1;
		if (v > (lim - 1) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > lim)
			return (-1);
	}
	/*
	 * Fraction: digits past what fits are ignored, as in Go; the scale
	 * is a double there too (".000...1" outgrows 64 bits).
	 */
	if (*s == '.') {
		s++;
		overflow = 0;
		for (; *s >= '0' && *s <= '9'; s++) {
			post = 1;
			if (overflow)
				continue;
			if (f > (lim - 1) / 10) {
				overflow = 1;
				continue;
			}
			y = f * 10 + (uint64_t)(*s - '0');
			if (y > lim) {
				overflow = 1;
				continue;
			}
			f = y;
			scale *= 10;
		}
	}
	if (!pre && !post)
		return (-1);
	*sp = s;
	*vp = v;
	*fp = f;
	*scalep = scale;
	return (0);
}

/*
 * The unit at s: everything up to the next digit or '.'.  Returns its
 * length, *unit its size in nanoseconds (0: unknown).
 */
static size_t
opt_duration_unit(const char *s, uint64_t *unit)
{
	static const struct {
		const char	*name;
		uint64_t	 ns;
	} units[] = {
		{ "ns", 1ULL },
		{ "us", 1000ULL },
		{ "\xc2\xb5s", 1000ULL },	/* U+00B5 micro sign */
		{ "\xce\xbcs", 1000ULL },	/* U+03BC Greek mu */
		{ "ms", 1000000ULL },
		{ "s", 1000000000ULL },
		{ "m", 60ULL * 1000000000ULL },
		{ "h", 3600ULL * 1000000000ULL },
	};
	size_t	 ul, i;

	for (ul = 0; s[ul] != '\0' && s[ul] != '.' &&
	    !(s[ul] >= '0' && s[ul] <= '9'); ul++)
		;
	*unit = 0;
	for (i = 0; i < nitems(units); i++) {
		if (strlen(units[i].name) == ul &&
		    memcmp(units[i].name, s, ul) == 0) {
			*unit = units[i].ns;
			break;
		}
	}
	return (ul);
}

/*
 * see opt.h.  The algorithm of Go's time.ParseDuration, in nanoseconds and
 * unsigned 64-bit arithmetic, with its error wording; then negative values
 * are refused and the result is cut down to milliseconds.
 */
int
opt_duration_parse(const char *orig, int64_t *out, char **cause)
{
	const uint64_t	 lim = 1ULL << 63;
	const char	*s = orig;
	char		 q[2 * OPT_QUOTE_MAX + 8], qu[2 * OPT_QUOTE_MAX + 8];
	uint64_t	 d = 0, v, f, unit;
	size_t		 ul;
	int		 neg = 0;
	double		 scale, add;

	opt_quote(q, sizeof q, orig, strlen(orig));
	if (*s == '-' || *s == '+') {
		neg = (*s == '-');
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return (0);
	}
	if (*s == '\0')
		goto invalid;
	while (*s != '\0') {
		if (opt_duration_number(&s, &v, &f, &scale) == -1)
			goto invalid;
		if ((ul = opt_duration_unit(s, &unit)) == 0) {
			opt_error(cause, "time: missing unit in duration %s",
			    q);
			return (-1);
		}
		if (unit == 0) {
			opt_error(cause, "time: unknown unit %s in duration %s",
			    opt_quote(qu, sizeof qu, s, ul), q);
			return (-1);
		}
		s += ul;
		if (v > lim / unit)
			goto invalid;
		v *= unit;
		if (f > 0) {
			add = (double)f * ((double)unit / scale);
			if (add >= (double)lim)		/* f < scale: never */
				goto invalid;
			v += (uint64_t)add;
			if (v > lim)
				goto invalid;
		}
		d += v;
		if (d > lim)
			goto invalid;
	}
	if (d > lim - 1)
		goto invalid;
	if (neg && d != 0) {
		opt_error(cause, "time: invalid duration %s: must not be "
		    "negative", q);
		return (-1);
	}
	*out = (int64_t)(d / 1000000ULL);
	return (0);

invalid:
	opt_error(cause, "time: invalid duration %s", q);
	return (-1);
}

/* Go's %q with single quotes: 'text' as the value errors show it. */
static const char *
opt_quote1(char *out, size_t outlen, const char *in)
{
	size_t	 len;

	opt_quote(out, outlen, in, strlen(in));
	if ((len = strlen(out)) >= 2) {
		out[0] = '\'';
		out[len - 1] = '\'';
	}
	return (out);
}

/* see opt.h */
int
opt_value_set(struct opt *o, const char *name, const char *value,
    char **cause)
{
	char		 q[2 * OPT_QUOTE_MAX + 8], *why = NULL;
	long long	 ll, lo, hi;
	int64_t		 ms;
	int		 b;

	opt_quote1(q, sizeof q, value);
	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->ptr = value;
		break;
	case OPT_BOOL:
		if (opt_bool_parse(value, &b) != 0) {
			opt_error(cause, "%s: %s is not true or false (expected "
			    "true or false; also 1, 0, t, f)", name, q);
			return (-1);
		}
		*(int *)o->ptr = b;
		break;
	case OPT_INT:
		lo = o->min;
		hi = o->max;
		if (lo == 0 && hi == 0) {	/* no range given: any int */
			lo = INT_MIN;
			hi = INT_MAX;
		}
		if (lo < INT_MIN)
			lo = INT_MIN;
		if (hi > INT_MAX)
			hi = INT_MAX;
		if (opt_int_parse(value, lo, hi, &ll, &why) == 0) {
			*(int *)o->ptr = (int)ll;
			break;
		}
		if (why != NULL && strncmp(why, "value out of range", 18) == 0)
			opt_error(cause, "%s: %s is out of range (expected a "
			    "whole number from %lld to %lld)", name, q, lo, hi);
		else if (lo == INT_MIN && hi == INT_MAX)
			opt_error(cause, "%s: %s is not a number (expected a "
			    "whole number, e.g. 4)", name, q);
		else
			opt_error(cause, "%s: %s is not a number (expected a "
			    "whole number from %lld to %lld)", name, q, lo, hi);
		free(why);
		return (-1);
	case OPT_DURATION:
		if (opt_duration_parse(value, &ms, &why) == 0) {
			*(int64_t *)o->ptr = ms;
			break;
		}
		free(why);
		opt_error(cause, "%s: %s is not a duration (%sexpected a number "
		    "and a unit, e.g. 90s, 1m30s, 500ms, 2h)", name, q,
		    value[0] == '-' ? "it must not be negative; " : "");
		return (-1);
	}
	return (0);
}

/* see opt.h */
int
opt_value_check(const struct opt *o, const char *name, const char *value,
    char **cause)
{
	union opt_value	 scratch;
	struct opt	 t = *o;

	t.ptr = &scratch;
	return (opt_value_set(&t, name, value, cause));
}

/* see opt.h */
void
opt_value_get(const struct opt *o, union opt_value *v)
{
	switch (o->type) {
	case OPT_STRING:
		v->s = *(const char **)o->ptr;
		break;
	case OPT_BOOL:
	case OPT_INT:
		v->i = *(int *)o->ptr;
		break;
	case OPT_DURATION:
		v->d = *(int64_t *)o->ptr;
		break;
	}
}

/* see opt.h */
void
opt_value_put(struct opt *o, const union opt_value *v)
{
	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->ptr = v->s;
		break;
	case OPT_BOOL:
	case OPT_INT:
		*(int *)o->ptr = v->i;
		break;
	case OPT_DURATION:
		*(int64_t *)o->ptr = v->d;
		break;
	}
}

/* A flag's value from the command line: the message names "-name". */
static int
opt_set(struct opt *o, const char *value, char **cause)
{
	char	 name[260];

	snprintf(name, sizeof name, "-%s", o->name);
	if (opt_value_set(o, name, value, cause) != 0)
		return (-1);
	o->set = 1;
	return (0);
}

/*
 * A config key names flag when they are equal but for case and '-' or
 * '_' between words: "max_clients", "max-clients", "controlAddr",
 * "control_addr" and "CONTROLADDR" are all one key.
 */
static int
opt_name_eq(const char *flag, const char *key)
{
	for (;;) {
		while (*flag == '-' || *flag == '_')
			flag++;
		while (*key == '-' || *key == '_')
			key++;
		if (*flag == '\0' || *key == '\0')
			return (*flag == *key);
		if (tolower((u_char)*flag) != tolower((u_char)*key))
			return (0);
		flag++;
		key++;
	}
}

/* see opt.h */
struct opt *
opt_conf_find(struct opt *opts, const char *key)
{
	for (; opts->name != NULL; opts++) {
		if (opt_name_eq(opts->name, key))
			return (opts);
	}
	return (NULL);
}

/* see opt.h; flag.FlagSet.parseOne, one argument at a time. */
int
opt_parse(struct opt *opts, int argc, char **argv, int *ind, char **cause)
{
	struct opt	*o;
	char		 name[256];
	const char	*s, *eq, *value;
	size_t		 nlen;

	if (cause != NULL)
		*cause = NULL;
	while (*ind < argc) {
		s = argv[*ind];
		if (s[0] != '-' || s[1] == '\0')
			return (0);	/* first non-flag; "-" is one */
		s++;
		if (s[0] == '-') {
			if (s[1] == '\0') {
				(*ind)++;	/* "--" ends the flags */
				return (0);
			}
			s++;
		}
		if (s[0] == '-' || s[0] == '=') {
			opt_error(cause, "bad flag syntax: %s", argv[*ind]);
			return (-1);
		}
		eq = strchr(s, '=');
		nlen = eq != NULL ? (size_t)(eq - s) : strlen(s);
		if (nlen >= sizeof name) {
			opt_error(cause, "flag provided but not defined: -%.*s",
			    (int)(sizeof name - 1), s);
			return (-1);
		}
		memcpy(name, s, nlen);
		name[nlen] = '\0';
		(*ind)++;

		if ((o = opt_find(opts, name)) == NULL) {
			if (strcmp(name, "h") == 0 ||
			    strcmp(name, "help") == 0)
				return (OPT_HELP);
			opt_error(cause, "flag provided but not defined: -%s",
			    name);
			return (-1);
		}
		if (o->type == OPT_BOOL) {
			if (eq == NULL) {
				*(int *)o->ptr = 1;
				o->set = 1;
				continue;
			}
			if (opt_set(o, eq + 1, cause) != 0)
				return (-1);
			continue;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (*ind < argc)
			value = argv[(*ind)++];
		else {
			opt_error(cause, "flag needs an argument: -%s", name);
			return (-1);
		}
		if (opt_set(o, value, cause) != 0)
			return (-1);
	}
	return (0);
}

/*
 * see opt.h.  Like flag.PrintDefaults: "  -name type" then "    \t" and the
 * help; a `word` in the help names the type, as flag.UnquoteUsage does.
 */
void
opt_usage(FILE *fp, const struct opt *o)
{
	const char	*type, *bq1, *bq2, *p;
	int		 tlen, width;

	for (; o->name != NULL; o++) {
		switch (o->type) {
		case OPT_STRING:
			type = "string";
			break;
		case OPT_INT:
			type = "int";
			break;
		case OPT_DURATION:
			type = "duration";
			break;
		default:
			type = "";
			break;
		}
		tlen = (int)strlen(type);
		bq1 = bq2 = NULL;
		if ((bq1 = strchr(o->help, '`')) != NULL &&
		    (bq2 = strchr(bq1 + 1, '`')) != NULL) {
			type = bq1 + 1;
			tlen = (int)(bq2 - bq1 - 1);
		} else
			bq1 = NULL;

		width = fprintf(fp, "  -%s", o->name);
		if (tlen > 0)
			width += fprintf(fp, " %.*s", tlen, type);
		if (width <= 4)
			fputc('\t', fp);
		else
			fputs("\n    \t", fp);
		for (p = o->help; *p != '\0'; p++) {
			if (bq1 != NULL && (p == bq1 || p == bq2))
				continue;
			if (*p == '\n')
				fputs("\n    \t", fp);
			else
				fputc(*p, fp);
		}
		if (o->defhelp != NULL && *o->defhelp != '\0') {
			/* Strings quoted like Go's %q, unless already. */
			if (o->type == OPT_STRING && o->defhelp[0] != '"')
				fprintf(fp, " (default \"%s\")", o->defhelp);
			else
				fprintf(fp, " (default %s)", o->defhelp);
		}
		fputc('\n', fp);
	}
}

/*
 * The key of a config line from line[*ip] into key (*klenp bytes); *ip
 * moves past the ':' and the blanks after it.  Returns 0, or -1 with
 * *cause set.
 */
static int
opt_conf_key(const char *line, size_t len, size_t *ip, char *key,
    size_t *klenp, const char *name, u_int lineno, char **cause)
{
	char		 q[2 * OPT_QUOTE_MAX + 8];
	size_t		 i = *ip, klen;
	u_char		 c;

	for (klen = 0; i < len; i++, klen++) {
		c = (u_char)line[i];
		if (!isalnum(c) && c != '_' && c != '-')
			break;
		key[klen] = (char)c;
	}
	key[klen] = '\0';
	if (i < len && line[i] != ':' && line[i] != ' ' && line[i] != '\t') {
		opt_error(cause, "%s:%u: invalid character %s in key", name,
		    lineno, opt_quote(q, sizeof q, line + i, 1));
		return (-1);
	}
	if (klen == 0) {
		opt_error(cause, "%s:%u: missing key before ':'", name, lineno);
		return (-1);
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] != ':') {
		opt_error(cause, "%s:%u: missing ':' after key %s", name,
		    lineno, opt_quote(q, sizeof q, key, klen));
		return (-1);
	}
	i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*ip = i;
	*klenp = klen;
	return (0);
}

/*
 * The quoted value at line[i] (its quote) into val (*vlenp bytes), key
 * (klen bytes) named in errors.  Returns 0, or -1 with *cause set.
 */
static int
opt_conf_quoted(const char *line, size_t len, size_t i, char *val,
    size_t *vlenp, const char *key, size_t klen, const char *name,
    u_int lineno, char **cause)
{
	char		 q[2 * OPT_QUOTE_MAX + 8];
	size_t		 vlen = 0;
	u_char		 c, quote;

	quote = (u_char)line[i++];
	for (;;) {
		if (i == len) {
			opt_error(cause, "%s:%u: unterminated quoted value "
			    "for key %s", name, lineno,
			    opt_quote(q, sizeof q, key, klen));
			return (-1);
		}
		c = (u_char)line[i++];
		if (c == quote)
			break;
		if (c == '\\' && quote == '"') {
			if (i == len)
				continue;	/* reported above */
			c = (u_char)line[i++];
			switch (c) {
			case '"':
			case '\\':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				opt_error(cause, "%s:%u: unknown escape \\%c "
				    "in quoted value", name, lineno,
				    isprint(c) ? c : '?');
				return (-1);
			}
		}
		val[vlen++] = (char)c;
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] != '#') {
		opt_error(cause, "%s:%u: unexpected %s after quoted value",
		    name, lineno, opt_quote(q, sizeof q, line + i, len - i));
		return (-1);
	}
	*vlenp = vlen;
	return (0);
}

/*
 * One line of a config file (no newline), number lineno.  Returns 0 or -1
 * with *cause set to the full "name:line: ..." message.
 */
static int
opt_conf_line(const char *line, size_t len, const char *name, u_int lineno,
    opt_conf_cb *cb, void *arg, char **cause)
{
	char		 key[OPT_CONF_LINE_MAX + 1], val[OPT_CONF_LINE_MAX + 1];
	char		*why = NULL;
	size_t		 i = 0, klen, vlen = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return (0);
	if (opt_conf_key(line, len, &i, key, &klen, name, lineno,
	    cause) == -1)
		return (-1);
	if (i < len && (line[i] == '"' || line[i] == '\'')) {
		if (opt_conf_quoted(line, len, i, val, &vlen, key, klen, name,
		    lineno, cause) == -1)
			return (-1);
	} else {
		/* Unquoted: up to " #" (or a '#' right after ": "). */
		for (; i < len; i++) {
			if (line[i] == '#' && (line[i - 1] == ' ' ||
			    line[i - 1] == '\t'))
				break;
			val[vlen++] = line[i];
		}
		while (vlen > 0 && (val[vlen - 1] == ' ' ||
		    val[vlen - 1] == '\t'))
			vlen--;
	}
	val[vlen] = '\0';

	if (cb(key, val, arg, &why) != 0) {
		opt_error(cause, "%s:%u: %s", name, lineno,
		    why != NULL ? why : "invalid value");
		free(why);
		return (-1);
	}
	return (0);
}

/* see opt.h */
int
opt_conf_parse(const char *buf, size_t len, const char *name,
    opt_conf_cb *cb, void *arg, char **cause)
{
	const char	*line, *nl;
	size_t		 off = 0, llen, next;
	u_int		 lineno = 0;

	if (cause != NULL)
		*cause = NULL;
	if (len > OPT_CONF_FILE_MAX) {
		opt_error(cause, "%s: file larger than %d bytes", name,
		    OPT_CONF_FILE_MAX);
		return (-1);
	}
	/* A UTF-8 byte order mark is not part of the first key. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	while (off < len) {
		lineno++;
		line = buf + off;
		nl = memchr(line, '\n', len - off);
		llen = nl != NULL ? (size_t)(nl - line) : len - off;
		next = off + llen + (nl != NULL ? 1 : 0);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (memchr(line, '\0', llen) != NULL) {
			opt_error(cause, "%s:%u: NUL byte in line", name,
			    lineno);
			return (-1);
		}
		if (llen > OPT_CONF_LINE_MAX) {
			opt_error(cause, "%s:%u: line longer than %d bytes",
			    name, lineno, OPT_CONF_LINE_MAX);
			return (-1);
		}
		if (opt_conf_line(line, llen, name, lineno, cb, arg,
		    cause) != 0)
			return (-1);
		off = next;
	}
	return (0);
}

/* see opt.h; messages name the file as given, $HOME shown as "~". */
int
opt_conf_load(const char *path, opt_conf_cb *cb, void *arg, char **cause)
{
	char		 name[PATH_MAX];
	char		*buf;
	const char	*home;
	size_t		 hlen, got = 0;
	int		 rv;

	if (cause != NULL)
		*cause = NULL;
	home = getenv("HOME");
	hlen = home != NULL ? strlen(home) : 0;
	if (hlen > 1 && strncmp(path, home, hlen) == 0 && path[hlen] == '/')
		snprintf(name, sizeof name, "~%s", path + hlen);
	else
		strlcpy(name, path, sizeof name);

	if (opt_file_read(path, name, OPT_CONF_FILE_MAX, &buf, &got, NULL,
	    cause) == -1)
		return (-1);
	rv = opt_conf_parse(buf, got, name, cb, arg, cause);
	free(buf);
	return (rv);
}

/* see opt.h */
FILE *
opt_file_replace_open(const char *path, const struct stat *st, mode_t keep,
    char **tmp, char **cause)
{
	size_t	 len = strlen(path) + sizeof ".tmp.XXXXXX";
	FILE	*fp;
	int	 fd;

	if ((*tmp = malloc(len)) == NULL) {
		opt_error(cause, "%s: out of memory", path);
		return (NULL);
	}
	snprintf(*tmp, len, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(*tmp)) == -1) {
		opt_error(cause, "%s: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return (NULL);
	}
	if (st != NULL) {
		if (geteuid() == 0)
			(void)fchown(fd, st->st_uid, st->st_gid);
		(void)fchmod(fd, st->st_mode & keep);
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		opt_error(cause, "%s: %s", *tmp, strerror(errno));
		close(fd);
		(void)unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return (fp);
}

/* see opt.h */
int
opt_file_replace_commit(FILE *fp, char *tmp, const char *path, char **cause)
{
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) == -1) {
		opt_error(cause, "%s: %s", tmp, strerror(errno));
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		opt_error(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		opt_error(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return (0);
fail:
	(void)unlink(tmp);
	free(tmp);
	return (-1);
}

/* see opt.h */
int
opt_file_read(const char *path, const char *name, size_t max, char **bufp,
    size_t *len, mode_t *mode, char **cause)
{
	struct stat	 st;
	char		*buf = NULL, *nbuf;
	size_t		 got = 0, cap;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		goto fail;
	if (mode != NULL)
		*mode = st.st_mode;
	/* Sized by fstat, growing up to one byte more than allowed. */
	cap = st.st_size > 0 && (size_t)st.st_size < max ?
	    (size_t)st.st_size + 1 : max + 1;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		if (got == cap) {
			if (cap == max + 1)
				break;
			cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + got, cap - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*len = got;
	return (0);
fail:
	saved = errno;
	opt_error(cause, "%s: %s", name, strerror(saved));
	free(buf);
	if (fd != -1)
		close(fd);
	return (-1);
}

/* see opt.h */
int
opt_list_split(const char *s, char (*words)[64], int max, char **cause)
{
	return (opt_list_split_flags(s, words, max, 0, cause));
}

/* see opt.h */
int
opt_list_split_flags(const char *s, char (*words)[64], int max, int flags,
    char **cause)
{
	const char	*end, *w, *p;
	char		 q[2 * OPT_QUOTE_MAX + 8];
	size_t		 wlen;
	int		 n = 0, depth = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((flags & OPT_LIST_BRACKETS) && end - s >= 2 && s[0] == '[' &&
	    end[-1] == ']') {
		/* "[...]" around the whole list, not an entry's own. */
		for (p = s; p < end; p++) {
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
			if (depth == 0)
				break;
		}
		if (p == end - 1) {
			s++;
			end--;
		}
	} else if (!(flags & OPT_LIST_BRACKETS) && s < end && *s == '[') {
		if (end[-1] != ']' || end - s < 2) {
			opt_error(cause, "missing ']' at the end of list %s",
			    opt_quote(q, sizeof q, s, (size_t)(end - s)));
			return (-1);
		}
		s++;
		end--;
	}
	while (s < end) {
		if (*s == ' ' || *s == '\t' || *s == ',') {
			s++;
			continue;
		}
		for (w = s; s < end && *s != ' ' && *s != '\t' && *s != ',';
		    s++) {
			if (((*s == '[' || *s == ']') &&
			    !(flags & OPT_LIST_BRACKETS)) || *s == '\0') {
				opt_error(cause, "unexpected %s in list",
				    opt_quote(q, sizeof q, s, 1));
				return (-1);
			}
		}
		wlen = (size_t)(s - w);
		if (wlen > 63) {
			opt_error(cause, "list item too long (max 63 bytes): "
			    "%s", opt_quote(q, sizeof q, w, wlen));
			return (-1);
		}
		if (n >= max) {
			opt_error(cause, "too many list items (max %d)", max);
			return (-1);
		}
		memcpy(words[n], w, wlen);
		words[n][wlen] = '\0';
		n++;
	}
	return (n);
}
