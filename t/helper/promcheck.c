/*
 * promcheck.c: a strict checker of the Prometheus text exposition format
 * 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats), with the
 * lint rules of `promtool check metrics` that GET /metrics must pass.
 *
 *	promcheck [FILE]
 *
 * Reads FILE (default stdin, at most 64 MiB).  Exit 0 when the whole input
 * is valid; else 1 and "line N: reason" on stderr for the first problem;
 * 2 on a usage or read error.
 *
 * The format: lines end in '\n', the last one too; empty lines are
 * ignored; blanks and tabs separate tokens.  "# HELP name text" (escapes
 * \\ and \n only) and "# TYPE name counter|gauge|histogram|summary|untyped",
 * each at most once per name, before the name's samples; other comments are
 * ignored.  A sample is "name[{label="value",...}] value [timestamp]":
 * names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*, not
 * "__" reserved ones, each once; values escape \\, \" and \n only; the
 * value a float (or NaN, +Inf, -Inf), the timestamp an int64 (ms).  All
 * lines of a metric family are one group, its HELP and TYPE first; a
 * histogram's _bucket (with le), _sum and _count, and a summary's samples
 * (with quantile), _sum and _count belong to it.  No series twice (same
 * name and labels in any order).  The input is UTF-8.
 *
 * Stricter than the format, as promtool's lint: every family has a TYPE
 * and a non-empty HELP; counters end in _total, other types do not;
 * _bucket, _sum and _count only in histograms and summaries, le and
 * quantile labels only there; names in snake_case without ':'; a counter
 * is not negative.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_MAX	(64 * 1024 * 1024)
#define LABELS_MAX	64		/* labels on one sample */

#define T_NONE		0
#define T_COUNTER	1
#define T_GAUGE		2
#define T_HISTOGRAM	3
#define T_SUMMARY	4
#define T_UNTYPED	5
static const char *types[] = {
	"", "counter", "gauge", "histogram", "summary", "untyped"
};

/* A metric family: a name with metadata, or a sample name. */
struct family {
	struct family	*next;		/* hash chain */
	char		*name;
	int		 type;		/* T_*, T_NONE: no TYPE line */
	int		 help;		/* HELP seen */
	int		 samples;	/* samples seen */
	int		 closed;	/* another family came after it */
};

/* A series seen: name and sorted labels, unescaped, NUL separated. */
struct series {
	struct series	*next;
	size_t		 len;
	char		 key[];
};

struct label {
	char		*name;
	char		*value;		/* unescaped */
};

#define HASH	65536
static struct family	*fam_hash[HASH];
static struct series	*ser_hash[HASH];
static struct family	*cur;		/* the family whose lines these are */
static long		 lineno;

static void
fail(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "line %ld: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xalloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n)) == NULL) {
		fprintf(stderr, "promcheck: out of memory\n");
		exit(2);
	}
	return (p);
}

static char *
xstrndup(const char *s, size_t n)
{
	char	*p = xalloc(n + 1);

	memcpy(p, s, n);
	return (p);
}

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return (h % HASH);
}

static struct family *
fam_find(const char *name)
{
	struct family	*f;

	for (f = fam_hash[hash(name, strlen(name))]; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return (f);
	return (NULL);
}

static struct family *
fam_get(const char *name)
{
	struct family	*f;
	uint32_t	 h;

	if ((f = fam_find(name)) != NULL)
		return (f);
	f = xalloc(sizeof *f);
	f->name = xstrndup(name, strlen(name));
	h = hash(name, strlen(name));
	f->next = fam_hash[h];
	fam_hash[h] = f;
	return (f);
}

/* The lines of f start or go on here: a family's lines are one group. */
static void
fam_enter(struct family *f)
{
	if (f == cur)
		return;
	if (f->closed)
		fail("lines of %s are not together: other families came "
		    "between", f->name);
	if (cur != NULL)
		cur->closed = 1;
	cur = f;
}

/* Is the input valid UTF-8 (shortest forms, no surrogates, no NUL)? */
static void
check_utf8(const unsigned char *p, size_t len)
{
	size_t		 i = 0, n, k;
	uint32_t	 c, min;

	lineno = 1;
	while (i < len) {
		c = p[i];
		if (c == 0)
			fail("NUL byte");
		if (c == '\n')
			lineno++;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			fail("invalid UTF-8");
		if (len - i <= n)
			fail("invalid UTF-8 (truncated)");
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				fail("invalid UTF-8");
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			fail("invalid UTF-8");
		i += n + 1;
	}
}

static int
is_blank(char c)
{
	return (c == ' ' || c == '\t');
}

static const char *
skip_blank(const char *p)
{
	while (is_blank(*p))
		p++;
	return (p);
}

static int
name_start(char c, int metric)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || (metric && c == ':'));
}

static int
name_char(char c, int metric)
{
	return (name_start(c, metric) || (c >= '0' && c <= '9'));
}

/* A metric (or label) name at *pp: returned, *pp past it; NULL: none. */
static char *
read_name(const char **pp, int metric)
{
	const char	*p = *pp, *s = p;

	if (!name_start(*p, metric))
		return (NULL);
	while (name_char(*p, metric))
		p++;
	*pp = p;
	return (xstrndup(s, p - s));
}

/* promtool lint: snake_case, no ':' (for recording rules only). */
static void
lint_name(const char *name, const char *what)
{
	const char	*p;

	if (strchr(name, ':') != NULL)
		fail("%s %s: ':' is for recording rules", what, name);
	for (p = name; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			fail("%s %s: not snake_case", what, name);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0);
}

/*
 * A float as Go's ParseFloat takes it, in decimal only: [+-]digits[.digits]
 * [e[+-]digits] (digits on at least one side of the point), or NaN, +Inf,
 * -Inf.  Returns the end of the token or NULL; *neg: below zero.
 */
static const char *
read_float(const char *p, int *neg)
{
	int	 digits = 0, minus = 0, nonzero = 0;

	*neg = 0;
	if (strncmp(p, "NaN", 3) == 0)
		return (p + 3);
	if (strncmp(p, "+Inf", 4) == 0)
		return (p + 4);
	if (strncmp(p, "-Inf", 4) == 0) {
		*neg = 1;
		return (p + 4);
	}
	if (*p == '+' || *p == '-')
		minus = (*p++ == '-');
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		nonzero |= (*p != '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			nonzero |= (*p != '0');
	if (digits == 0)
		return (NULL);
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return (NULL);
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*neg = minus && nonzero;	/* -0 is not below zero */
	return (p);
}

/* A token ends at a blank or the end of the line. */
static int
token_end(const char *p)
{
	return (*p == '\0' || is_blank(*p));
}

/* "# HELP name text" and "# TYPE name type"; other comments pass. */
static void
check_comment(const char *p)
{
	struct family	*f;
	char		*name;
	const char	*s;
	int		 help, t;

	p = skip_blank(p + 1);
	if (strncmp(p, "HELP", 4) == 0 && token_end(p + 4))
		help = 1;
	else if (strncmp(p, "TYPE", 4) == 0 && token_end(p + 4))
		help = 0;
	else
		return;
	p = skip_blank(p + 4);
	if ((name = read_name(&p, 1)) == NULL)
		fail("%s without a valid metric name", help ? "HELP" : "TYPE");
	if (!token_end(p))
		fail("bad character in metric name %s", name);
	f = fam_get(name);
	fam_enter(f);
	if (f->samples)
		fail("%s of %s after its samples", help ? "HELP" : "TYPE",
		    name);
	if (help) {
		if (f->help)
			fail("second HELP for %s", name);
		f->help = 1;
		if (*p != '\0')
			p++;	/* the one blank before the text */
		if (*skip_blank(p) == '\0')
			fail("empty HELP for %s", name);
		for (s = p; *s != '\0'; s++) {
			if (*s != '\\')
				continue;
			if (s[1] != '\\' && s[1] != 'n')
				fail("HELP of %s: bad escape \\%c (only \\\\ "
				    "and \\n)", name, s[1] != '\0' ? s[1] : ' ');
			s++;
		}
		free(name);
		return;
	}
	if (f->type != T_NONE)
		fail("second TYPE for %s", name);
	p = skip_blank(p);
	for (t = T_COUNTER; t <= T_UNTYPED; t++) {
		if (strncmp(p, types[t], strlen(types[t])) == 0 &&
		    *skip_blank(p + strlen(types[t])) == '\0')
			break;
	}
	if (t > T_UNTYPED)
		fail("TYPE of %s: unknown type \"%s\"", name, p);
	f->type = t;
	lint_name(name, "metric");
	if (t == T_COUNTER && !has_suffix(name, "_total"))
		fail("counter %s does not end in _total", name);
	if (t != T_COUNTER && has_suffix(name, "_total"))
		fail("%s %s ends in _total (counters only)", types[t], name);
	if (t != T_HISTOGRAM && t != T_SUMMARY && (has_suffix(name,
	    "_bucket") || has_suffix(name, "_sum") ||
	    has_suffix(name, "_count")))
		fail("%s %s ends in a histogram or summary suffix", types[t],
		    name);
	free(name);
}

/* A label value at p (after the quote): unescaped into *out; past it. */
static const char *
read_value(const char *p, char **out)
{
	char	*v = xalloc(strlen(p) + 1), *o = v;

	for (; *p != '"'; p++) {
		if (*p == '\0')
			fail("label value without its closing quote");
		if (*p == '\n')
			fail("raw line feed in a label value");
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == '\\' || *p == '"')
			*o++ = *p;
		else if (*p == 'n')
			*o++ = '\n';
		else
			fail("bad escape \\%c in a label value (only \\\\, \\\" "
			    "and \\n)", *p != '\0' ? *p : ' ');
	}
	*out = v;
	return (p + 1);
}

static int
label_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name));
}

/* Has this series been seen?  Remember it. */
static void
series_once(const char *name, struct label *l, int nl)
{
	struct series	*s;
	size_t		 len, off;
	char		*key;
	uint32_t	 h;
	int		 i;

	qsort(l, nl, sizeof *l, label_cmp);
	len = strlen(name) + 1;
	for (i = 0; i < nl; i++)
		len += strlen(l[i].name) + 1 + strlen(l[i].value) + 1;
	key = xalloc(len);
	off = strlen(name) + 1;
	memcpy(key, name, off);
	for (i = 0; i < nl; i++) {
		memcpy(key + off, l[i].name, strlen(l[i].name) + 1);
		off += strlen(l[i].name) + 1;
		memcpy(key + off, l[i].value, strlen(l[i].value) + 1);
		off += strlen(l[i].value) + 1;
	}
	h = hash(key, len);
	for (s = ser_hash[h]; s != NULL; s = s->next)
		if (s->len == len && memcmp(s->key, key, len) == 0)
			fail("series %s{...} twice (same name and labels)",
			    name);
	s = xalloc(sizeof *s + len);
	s->len = len;
	memcpy(s->key, key, len);
	s->next = ser_hash[h];
	ser_hash[h] = s;
	free(key);
}

/* The family a sample name belongs to: its own, or a histogram's. */
static struct family *
sample_family(const char *name, const char **suffix)
{
	static const char *sfx[] = { "_bucket", "_sum", "_count" };
	struct family	*f;
	char		*base;
	size_t		 i, n;

	*suffix = "";
	if ((f = fam_find(name)) != NULL && f->type != T_NONE)
		return (f);
	for (i = 0; i < 3; i++) {
		if (!has_suffix(name, sfx[i]))
			continue;
		n = strlen(name) - strlen(sfx[i]);
		base = xstrndup(name, n);
		f = fam_find(base);
		free(base);
		if (f != NULL && (f->type == T_HISTOGRAM ||
		    (f->type == T_SUMMARY && i > 0))) {
			*suffix = sfx[i];
			return (f);
		}
	}
	return (fam_get(name));
}

static void
check_sample(const char *p)
{
	struct label	 l[LABELS_MAX];
	struct family	*f;
	const char	*suffix, *le = NULL, *q = NULL, *e;
	char		*name;
	int		 nl = 0, i, neg, dummy;
	long long	 ts;

	if ((name = read_name(&p, 1)) == NULL)
		fail("not a metric name: \"%.20s\"", p);
	f = sample_family(name, &suffix);
	fam_enter(f);
	if (f->type == T_NONE)
		fail("no TYPE for %s before its samples", f->name);
	if (!f->help)
		fail("no HELP for %s before its samples", f->name);
	if (f->type == T_HISTOGRAM && *suffix == '\0')
		fail("histogram %s: sample without _bucket, _sum or _count",
		    name);
	f->samples++;
	if (*p == '{') {
		p = skip_blank(p + 1);
		while (*p != '}') {
			if (nl == LABELS_MAX)
				fail("more than %d labels", LABELS_MAX);
			if ((l[nl].name = read_name(&p, 0)) == NULL)
				fail("bad label name in %s", name);
			if (strncmp(l[nl].name, "__", 2) == 0)
				fail("label %s: names starting __ are reserved",
				    l[nl].name);
			lint_name(l[nl].name, "label");
			for (i = 0; i < nl; i++)
				if (strcmp(l[i].name, l[nl].name) == 0)
					fail("label %s twice in one sample",
					    l[nl].name);
			p = skip_blank(p);
			if (*p != '=')
				fail("label %s: '=' expected", l[nl].name);
			p = skip_blank(p + 1);
			if (*p != '"')
				fail("label %s: '\"' expected", l[nl].name);
			p = read_value(p + 1, &l[nl].value);
			nl++;
			p = skip_blank(p);
			if (*p == ',')
				p = skip_blank(p + 1);
			else if (*p != '}')
				fail("',' or '}' expected after a label");
		}
		p++;
	}
	for (i = 0; i < nl; i++) {
		if (strcmp(l[i].name, "le") == 0)
			le = l[i].value;
		if (strcmp(l[i].name, "quantile") == 0)
			q = l[i].value;
	}
	if (strcmp(suffix, "_bucket") == 0 && le == NULL)
		fail("histogram bucket %s without le", name);
	if (le != NULL && strcmp(suffix, "_bucket") != 0)
		fail("label le outside a histogram's buckets");
	if (f->type == T_SUMMARY && *suffix == '\0' && q == NULL)
		fail("summary %s: sample without quantile", name);
	if (q != NULL && (f->type != T_SUMMARY || *suffix != '\0'))
		fail("label quantile outside a summary's quantiles");
	if ((le != NULL && ((e = read_float(le, &dummy)) == NULL ||
	    *e != '\0')) || (q != NULL && ((e = read_float(q, &dummy)) ==
	    NULL || *e != '\0')))
		fail("le or quantile not a number");
	if (*skip_blank(p) == '\0')
		fail("no value for %s", name);
	if (!is_blank(*p))
		fail("a blank expected before the value of %s", name);
	p = skip_blank(p);
	if ((e = read_float(p, &neg)) == NULL || !token_end(e))
		fail("bad value \"%.30s\" for %s", p, name);
	if (neg && f->type == T_COUNTER)
		fail("counter %s below zero", name);
	p = skip_blank(e);
	if (*p != '\0') {
		e = p;
		if (*e == '-')
			e++;
		if (!(*e >= '0' && *e <= '9'))
			fail("bad timestamp \"%.30s\"", p);
		errno = 0;
		ts = strtoll(p, (char **)&e, 10);
		(void)ts;
		if (errno == ERANGE || !token_end(e))
			fail("bad timestamp \"%.30s\"", p);
		if (*skip_blank(e) != '\0')
			fail("text after the timestamp");
	}
	series_once(name, l, nl);
	for (i = 0; i < nl; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	free(name);
}

int
main(int argc, char **argv)
{
	FILE		*fp = stdin;
	char		*buf, *line, *nl;
	size_t		 len = 0, n;
	const char	*p;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')) {
		fprintf(stderr, "usage: promcheck [file]\n");
		return (2);
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0 &&
	    (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "promcheck: %s: %s\n", argv[1],
		    strerror(errno));
		return (2);
	}
	buf = xalloc(INPUT_MAX + 2);
	while ((n = fread(buf + len, 1, INPUT_MAX + 1 - len, fp)) > 0)
		len += n;
	if (ferror(fp)) {
		fprintf(stderr, "promcheck: read error\n");
		return (2);
	}
	if (len > INPUT_MAX) {
		fprintf(stderr, "promcheck: more than %d bytes\n", INPUT_MAX);
		return (2);
	}
	check_utf8((unsigned char *)buf, len);
	lineno = 0;
	for (line = buf; line < buf + len; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', buf + len - line)) == NULL)
			fail("no line feed at the end of the input");
		*nl = '\0';
		p = skip_blank(line);
		if (*p == '\0')
			continue;	/* empty lines are ignored */
		if (*p == '#')
			check_comment(p);
		else
			check_sample(p);
	}
	return (0);
}
