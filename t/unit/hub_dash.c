/*
 * t/unit/hub_dash.c: modules/hub_dash.c and the table scripts/embed wrote
 * (modules/dash_assets.c): every file of dist/dash/ is there byte for byte
 * with its Content-Type, "/" is the page, and a path that names no file,
 * or is no path, finds nothing.  TENTACLE_SRC (make test sets it) is the
 * tree whose dist/dash the bytes are compared with; else ".".
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tentacle.h"
#include "hub.h"
#include "tap.h"

extern const struct hub_dash_asset hub_dash_assets[];

static const char *
src_dir(void)
{
	const char	*s = getenv("TENTACLE_SRC");

	return (s != NULL && *s != '\0' ? s : ".");
}

/* The whole file, or NULL; *len its size. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*buf;
	long		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return (NULL);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return (NULL);
	}
	fclose(f);
	*len = (size_t)n;
	return (buf);
}

/* Each file of dist/dash is in the table, the same bytes. */
static void
test_every_file(void)
{
	char			 dir[1024], path[2048], url[300];
	const struct hub_dash_asset *a;
	struct dirent		*de;
	DIR			*d;
	unsigned char		*buf;
	size_t			 len, files = 0, rows = 0;

	snprintf(dir, sizeof dir, "%s/dist/dash", src_dir());
	d = opendir(dir);
	check(d != NULL);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		files++;
		test_case("%s", de->d_name);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		snprintf(url, sizeof url, "/%s", de->d_name);
		buf = slurp(path, &len);
		check(buf != NULL);
		a = hub_dash_find(url);
		check(a != NULL);
		if (buf != NULL && a != NULL) {
			check_str(a->path, url);
			check_int(a->len, ==, len);
			if (a->len == len)
				check_mem(a->data, buf, len);
		}
		free(buf);
	}
	closedir(d);
	test_case_end();
	for (a = hub_dash_assets; a->path != NULL; a++)
		rows++;
	/* Nothing in the table that is not in the tree (a stale build). */
	check_int(rows, ==, files);
	check_int(files, >=, 3);
}

static void
test_types(void)
{
	const struct hub_dash_asset	*a;

	a = hub_dash_find("/");
	check(a != NULL);
	if (a != NULL) {
		check_str(a->path, "/index.html");
		check_str(a->type, "text/html; charset=utf-8");
		check(a->len > 15 && memcmp(a->data, "<!DOCTYPE html>", 15) == 0);
	}
	a = hub_dash_find("/dash.js");
	check(a != NULL && strcmp(a->type, "text/javascript; charset=utf-8")
	    == 0);
	a = hub_dash_find("/dash.css");
	check(a != NULL && strcmp(a->type, "text/css; charset=utf-8") == 0);
	/* A query string names the same file. */
	check(hub_dash_find("/dash.js?v=2") == hub_dash_find("/dash.js"));
	check(hub_dash_find("/?x") == hub_dash_find("/index.html"));
}

static void
test_not_found(void)
{
	static const char *bad[] = { "", "index.html", "//", "/nope",
	    "/index.htm", "/index.html/", "/../index.html", "/dist/dash/dash.js",
	    "/DASH.JS", "/dash.js\n", "/api/v1/nodes", "?/index.html" };
	size_t			 i;

	check(hub_dash_find(NULL) == NULL);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		test_case("\"%s\"", bad[i]);
		check(hub_dash_find(bad[i]) == NULL);
	}
}

int
main(void)
{
	TEST(test_every_file(), "every file of dist/dash, byte for byte");
	TEST(test_types(), "/ is index.html; Content-Types; query ignored");
	TEST(test_not_found(), "other paths find nothing");
	return (test_done());
}
