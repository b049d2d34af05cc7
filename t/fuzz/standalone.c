/*
 * standalone.c: a main() for the fuzz targets without libFuzzer, so the
 * normal suite (t/t0900-fuzz-smoke.sh) runs every parser on odd input with
 * gcc and, in san/, under ASan+UBSan.
 *
 *	NAME-smoke FILE...		feed each file once
 *	NAME-smoke [-n COUNT] [-s SEED] [-d DIR]
 *					feed each file in DIR as is, then
 *					COUNT inputs made from them by
 *					seeded mutation (random bytes when
 *					DIR is empty or missing)
 *
 * DIR defaults to $TENTACLE_SRC/t/fuzz/corpus/NAME.  Every input sits in a
 * buffer of exactly its size, so an over-read is caught by ASan.  Owns no
 * parser: it only calls LLVMFuzzerTestOneInput.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#define FUZZ_NAME	"fuzz"
#endif

#define SMOKE_MAXFILE	(64 * 1024)
#define SMOKE_MAXLEN	9000		/* past FRAME_MAX and 8 KB headers */
#define SMOKE_MAXSEEDS	256

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct seed {
	uint8_t		*buf;
	size_t		 len;
};

static struct seed	 seeds[SMOKE_MAXSEEDS];
static size_t		 nseeds;
static uint64_t		 rng;

static uint64_t	 smoke_rand(void);
static size_t	 smoke_below(size_t);
static int	 smoke_read(const char *, uint8_t **, size_t *);
static void	 smoke_feed(const uint8_t *, size_t);
static void	 smoke_load_dir(const char *);
static size_t	 smoke_mutate(uint8_t *, size_t);

/* xorshift64*: fixed seed, same inputs on every run and machine. */
static uint64_t
smoke_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL);
}

static size_t
smoke_below(size_t n)
{
	if (n == 0)
		return (0);
	return ((size_t)(smoke_rand() % n));
}

static int
smoke_read(const char *path, uint8_t **bufp, size_t *lenp)
{
	FILE		*f;
	uint8_t		*buf;
	size_t		 len;

	if ((f = fopen(path, "rb")) == NULL)
		return (-1);
	if ((buf = malloc(SMOKE_MAXFILE)) == NULL) {
		fclose(f);
		return (-1);
	}
	len = fread(buf, 1, SMOKE_MAXFILE, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return (-1);
	}
	fclose(f);
	*bufp = buf;
	*lenp = len;
	return (0);
}

/* Copy into an exact-size buffer so any read past len is an ASan error. */
static void
smoke_feed(const uint8_t *data, size_t len)
{
	uint8_t	*copy;

	if ((copy = malloc(len ? len : 1)) == NULL) {
		fprintf(stderr, "%s-smoke: out of memory\n", FUZZ_NAME);
		exit(1);
	}
	if (len != 0)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static void
smoke_load_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && nseeds < SMOKE_MAXSEEDS) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (smoke_read(path, &seeds[nseeds].buf,
		    &seeds[nseeds].len) == 0)
			nseeds++;
	}
	closedir(d);
}

/* Mutate buf[0..len) in place (room for SMOKE_MAXLEN); returns new len. */
static size_t
smoke_mutate(uint8_t *buf, size_t len)
{
	static const uint8_t	 magic[] = { 0x00, 0x01, 0x05, 0x7f, 0x80,
	    0xff, '\r', '\n', ':', ' ', '"', '#', '\\' };
	size_t			 i, n, pos, rounds;
	struct seed		*s;

	rounds = 1 + smoke_below(8);
	while (rounds-- > 0) {
		switch (smoke_below(8)) {
		case 0:		/* flip a bit */
			if (len)
				buf[smoke_below(len)] ^= 1 << smoke_below(8);
			break;
		case 1:		/* set an interesting byte */
			if (len)
				buf[smoke_below(len)] =
				    magic[smoke_below(sizeof(magic))];
			break;
		case 2:		/* random byte */
			if (len)
				buf[smoke_below(len)] = smoke_rand();
			break;
		case 3:		/* truncate */
			len = smoke_below(len + 1);
			break;
		case 4:		/* delete a range */
			if (len) {
				pos = smoke_below(len);
				n = 1 + smoke_below(len - pos);
				memmove(buf + pos, buf + pos + n,
				    len - pos - n);
				len -= n;
			}
			break;
		case 5:		/* insert random bytes */
			n = 1 + smoke_below(64);
			if (len + n > SMOKE_MAXLEN)
				break;
			pos = smoke_below(len + 1);
			memmove(buf + pos + n, buf + pos, len - pos);
			for (i = 0; i < n; i++)
				buf[pos + i] = smoke_rand();
			len += n;
			break;
		case 6:		/* append part of another seed (pipelining) */
			if (nseeds == 0)
				break;
			s = &seeds[smoke_below(nseeds)];
			n = smoke_below(s->len + 1);
			if (len + n > SMOKE_MAXLEN)
				n = SMOKE_MAXLEN - len;
			memcpy(buf + len, s->buf, n);
			len += n;
			break;
		case 7:		/* duplicate a range */
			if (len == 0)
				break;
			pos = smoke_below(len);
			n = 1 + smoke_below(len - pos);
			if (len + n > SMOKE_MAXLEN)
				break;
			memmove(buf + pos + n, buf + pos, len - pos);
			len += n;
			break;
		}
	}
	return (len);
}

int
main(int argc, char **argv)
{
	uint8_t		*buf;
	const char	*dir = NULL, *src;
	char		 defdir[4096], *end;
	unsigned long	 count = 20000, i;
	size_t		 len;
	int		 ch;

	rng = 0x7465746163756c65ULL;		/* "tetacule" */
	while ((ch = getopt(argc, argv, "d:n:s:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || *end != '\0' || end == optarg)
				goto usage;
			break;
		case 's':
			errno = 0;
			rng = strtoull(optarg, &end, 0);
			if (errno || *end != '\0' || end == optarg)
				goto usage;
			if (rng == 0)
				rng = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0) {
		for (; argc > 0; argc--, argv++) {
			if (smoke_read(*argv, &buf, &len) != 0) {
				fprintf(stderr, "%s-smoke: %s: %s\n",
				    FUZZ_NAME, *argv, strerror(errno));
				return (1);
			}
			smoke_feed(buf, len);
			free(buf);
		}
		return (0);
	}

	if (dir == NULL) {
		if ((src = getenv("TENTACLE_SRC")) == NULL)
			src = ".";
		snprintf(defdir, sizeof(defdir), "%s/t/fuzz/corpus/%s", src,
		    FUZZ_NAME);
		dir = defdir;
	}
	smoke_load_dir(dir);
	for (i = 0; i < nseeds; i++)
		smoke_feed(seeds[i].buf, seeds[i].len);

	if ((buf = malloc(SMOKE_MAXLEN)) == NULL)
		return (1);
	for (i = 0; i < count; i++) {
		if (nseeds > 0 && smoke_below(8) != 0) {
			struct seed *s = &seeds[smoke_below(nseeds)];

			len = s->len > SMOKE_MAXLEN ? SMOKE_MAXLEN : s->len;
			memcpy(buf, s->buf, len);
		} else {
			len = smoke_below(SMOKE_MAXLEN / 8);
			for (ch = 0; (size_t)ch < len; ch++)
				buf[ch] = smoke_rand();
		}
		len = smoke_mutate(buf, len);
		smoke_feed(buf, len);
	}
	free(buf);
	for (i = 0; i < nseeds; i++)
		free(seeds[i].buf);
	printf("%s-smoke: %zu seeds, %lu inputs, all returned\n", FUZZ_NAME,
	    nseeds, count);
	return (0);

usage:
	fprintf(stderr, "usage: %s-smoke [-n count] [-s seed] [-d dir] "
	    "[file ...]\n", FUZZ_NAME);
	return (2);
}
