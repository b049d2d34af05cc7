/*
 * x509gen.c: the hub's own key and self-signed certificate (DER written
 * here, signed by BearSSL), key fingerprints, and small file helpers for
 * tls.c.  Owns no connection state; see tls.h.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "tentacle.h"
#include "opt.h"
#include "tls.h"

/* Certificates we write stay far below this. */
#define X509GEN_MAX	2048

struct der {
	unsigned char	 buf[X509GEN_MAX];
	size_t		 len;
	int		 overflow;
};

static const unsigned char oid_ec_pub[] = {	/* 1.2.840.10045.2.1 */
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};
static const unsigned char oid_p256[] = {	/* 1.2.840.10045.3.1.7 */
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const unsigned char oid_rsa[] = {	/* 1.2.840.113549.1.1.1 */
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};
static const unsigned char oid_ecdsa_sha256[] = { /* 1.2.840.10045.4.3.2 */
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};
static const unsigned char oid_cn[] = { 0x55, 0x04, 0x03 };

#define HUB_CN		"tentacle-hub"

static void	der_raw(struct der *, const void *, size_t);
static void	der_tlv(struct der *, int, const void *, size_t);
static void	der_wrap(struct der *, int, const struct der *);
static void	der_uint(struct der *, const unsigned char *, size_t);
static void	der_time(struct der *, time_t);
static int	x509gen_spki(struct der *, const br_x509_pkey *);
static int	x509gen_cert(struct der *, const br_ec_private_key *,
		    const br_ec_public_key *, const br_prng_class **);
static int	x509gen_pem_write(const char *, const void *, size_t,
		    const char *, char **);
static int	x509gen_key_load(const char *, br_ec_private_key *,
		    unsigned char *, char **);
static int	x509gen_key_make(const char *, int, const br_prng_class **,
		    br_ec_private_key *, unsigned char *, br_ec_public_key *,
		    unsigned char *, char **);

static void
der_raw(struct der *d, const void *p, size_t n)
{
	if (d->overflow || n > sizeof d->buf - d->len) {
		d->overflow = 1;
		return;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static void
der_tlv(struct der *d, int tag, const void *p, size_t n)
{
	unsigned char	 h[4];
	size_t		 hl;

	h[0] = tag;
	if (n < 0x80) {
		h[1] = n;
		hl = 2;
	} else if (n < 0x100) {
		h[1] = 0x81;
		h[2] = n;
		hl = 3;
	} else {
		h[1] = 0x82;
		h[2] = n >> 8;
		h[3] = n & 0xff;
		hl = 4;
	}
	if (n > 0xffff) {
		d->overflow = 1;
		return;
	}
	der_raw(d, h, hl);
	der_raw(d, p, n);
}

static void
der_wrap(struct der *d, int tag, const struct der *in)
{
	if (in->overflow)
		d->overflow = 1;
	der_tlv(d, tag, in->buf, in->len);
}

/* Unsigned big-endian integer: minimal, with a 0 byte if the top bit is 1. */
static void
der_uint(struct der *d, const unsigned char *p, size_t n)
{
	unsigned char	 tmp[600];

	while (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0 || n + 1 > sizeof tmp) {
		d->overflow = 1;
		return;
	}
	if (p[0] & 0x80) {
		tmp[0] = 0;
		memcpy(tmp + 1, p, n);
		der_tlv(d, 0x02, tmp, n + 1);
	} else
		der_tlv(d, 0x02, p, n);
}

/* UTCTime before 2050, GeneralizedTime from 2050 on (RFC 5280 4.1.2.5). */
static void
der_time(struct der *d, time_t t)
{
	struct tm	 tm;
	char		 s[32];

	gmtime_r(&t, &tm);
	if (tm.tm_year + 1900 >= 2050) {
		strftime(s, sizeof s, "%Y%m%d%H%M%SZ", &tm);
		der_tlv(d, 0x18, s, strlen(s));
	} else {
		strftime(s, sizeof s, "%y%m%d%H%M%SZ", &tm);
		der_tlv(d, 0x17, s, strlen(s));
	}
}

/* DER SubjectPublicKeyInfo of a decoded key. */
static int
x509gen_spki(struct der *out, const br_x509_pkey *pk)
{
	struct der	 alg, bits, rsa, seq;
	const unsigned char *curve;
	size_t		 curvelen;

	memset(&alg, 0, sizeof alg);
	memset(&bits, 0, sizeof bits);
	memset(&rsa, 0, sizeof rsa);
	memset(&seq, 0, sizeof seq);
	bits.buf[0] = 0;		/* no unused bits */
	bits.len = 1;
	switch (pk->key_type) {
	case BR_KEYTYPE_EC:
		switch (pk->key.ec.curve) {
		case BR_EC_secp256r1:
			curve = oid_p256;
			curvelen = sizeof oid_p256;
			break;
		case BR_EC_secp384r1:
			curve = oid_p384;
			curvelen = sizeof oid_p384;
			break;
		case BR_EC_secp521r1:
			curve = oid_p521;
			curvelen = sizeof oid_p521;
			break;
		default:
			return (-1);
		}
		der_tlv(&alg, 0x06, oid_ec_pub, sizeof oid_ec_pub);
		der_tlv(&alg, 0x06, curve, curvelen);
		der_raw(&bits, pk->key.ec.q, pk->key.ec.qlen);
		break;
	case BR_KEYTYPE_RSA:
		der_tlv(&alg, 0x06, oid_rsa, sizeof oid_rsa);
		der_tlv(&alg, 0x05, NULL, 0);
		der_uint(&rsa, pk->key.rsa.n, pk->key.rsa.nlen);
		der_uint(&rsa, pk->key.rsa.e, pk->key.rsa.elen);
		der_wrap(&bits, 0x30, &rsa);
		break;
	default:
		return (-1);
	}
	der_wrap(&seq, 0x30, &alg);
	der_wrap(&seq, 0x03, &bits);
	der_wrap(out, 0x30, &seq);
	return (out->overflow ? -1 : 0);
}

/* see tls.h */
int
tls_pkey_fingerprint(const br_x509_pkey *pk, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	struct der		 spki;
	br_sha256_context	 h;
	unsigned char		 md[32];
	int			 i;

	memset(&spki, 0, sizeof spki);
	if (x509gen_spki(&spki, pk) == -1)
		return (-1);
	br_sha256_init(&h);
	br_sha256_update(&h, spki.buf, spki.len);
	br_sha256_out(&h, md);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[TLS_FP_LEN - 1] = '\0';
	return (0);
}

/* A self-signed certificate for the hub's EC key (RFC 5280, v3). */
static int
x509gen_cert(struct der *out, const br_ec_private_key *sk,
    const br_ec_public_key *pub, const br_prng_class **rng)
{
	struct der	 tbs, tmp, name, rdn, atv, validity, alg, sig, cert;
	br_x509_pkey	 pk;
	br_sha256_context h;
	unsigned char	 serial[16], md[32], sigbuf[160];
	size_t		 siglen;
	time_t		 now = time(NULL);
	struct tm	 tm;
	static const unsigned char version[] = { 0x02, 0x01, 0x02 };

	memset(&tbs, 0, sizeof tbs);
	memset(&tmp, 0, sizeof tmp);
	memset(&name, 0, sizeof name);
	memset(&rdn, 0, sizeof rdn);
	memset(&atv, 0, sizeof atv);
	memset(&validity, 0, sizeof validity);
	memset(&alg, 0, sizeof alg);
	memset(&sig, 0, sizeof sig);
	memset(&cert, 0, sizeof cert);

	/* Random positive serial, 15 to 16 significant bytes. */
	(*rng)->generate(rng, serial, sizeof serial);
	serial[0] = (serial[0] & 0x7f) | 0x40;

	der_tlv(&alg, 0x06, oid_ecdsa_sha256, sizeof oid_ecdsa_sha256);

	der_tlv(&atv, 0x06, oid_cn, sizeof oid_cn);
	der_tlv(&atv, 0x0c, HUB_CN, strlen(HUB_CN));	/* UTF8String */
	der_wrap(&rdn, 0x30, &atv);
	der_wrap(&tmp, 0x31, &rdn);
	der_wrap(&name, 0x30, &tmp);

	/* now - 1 day .. now + 100 years (same day and time). */
	der_time(&validity, now - 86400);
	gmtime_r(&now, &tm);
	tm.tm_year += 100;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		tm.tm_mday = 28;
	der_time(&validity, timegm(&tm));

	der_tlv(&tbs, 0xa0, version, sizeof version);
	der_uint(&tbs, serial, sizeof serial);
	der_wrap(&tbs, 0x30, &alg);
	der_raw(&tbs, name.buf, name.len);
	der_wrap(&tbs, 0x30, &validity);
	der_raw(&tbs, name.buf, name.len);
	pk.key_type = BR_KEYTYPE_EC;
	pk.key.ec = *pub;
	if (x509gen_spki(&tbs, &pk) == -1 || tbs.overflow)
		return (-1);
	memset(&tmp, 0, sizeof tmp);
	der_wrap(&tmp, 0x30, &tbs);		/* tbsCertificate */

	br_sha256_init(&h);
	br_sha256_update(&h, tmp.buf, tmp.len);
	br_sha256_out(&h, md);
	siglen = br_ecdsa_i31_sign_asn1(br_ec_get_default(),
	    &br_sha256_vtable, md, sk, sigbuf + 1);
	if (siglen == 0)
		return (-1);
	sigbuf[0] = 0;				/* no unused bits */

	der_raw(&cert, tmp.buf, tmp.len);
	der_wrap(&cert, 0x30, &alg);
	der_tlv(&cert, 0x03, sigbuf, siglen + 1);
	der_wrap(out, 0x30, &cert);
	return (out->overflow ? -1 : 0);
}

/* see tls.h: the whole file, NUL-terminated (not counted in *len). */
int
tls_file_read(const char *path, unsigned char **buf, size_t *len,
    char **cause)
{
	char	*p;
	size_t	 n;

	if (opt_file_read(path, path, TLS_FILE_MAX, &p, &n, NULL, cause) == -1)
		return (-1);
	if (n > TLS_FILE_MAX) {
		xasprintf(cause, "%s: larger than 1 MiB", path);
		free(p);
		return (-1);
	}
	p[n] = '\0';		/* opt_file_read() leaves room for it */
	*buf = (unsigned char *)p;
	*len = n;
	return (0);
}

/* see tls.h: mode 0600, written to a temporary name and renamed. */
int
tls_file_write(const char *path, const void *data, size_t len, char **cause)
{
	char	*tmp;
	int	 fd;

	xasprintf(&tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return (-1);
	}
	if (fchmod(fd, 0600) == -1 || write(fd, data, len) != (ssize_t)len ||
	    fsync(fd) == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return (-1);
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return (-1);
	}
	free(tmp);
	return (0);
}

static int
x509gen_pem_write(const char *path, const void *der, size_t len,
    const char *banner, char **cause)
{
	char	*pem;
	size_t	 n;
	int	 rc;

	n = br_pem_encode(NULL, der, len, banner, BR_PEM_LINE64);
	pem = xmalloc(n + 1);
	br_pem_encode(pem, der, len, banner, BR_PEM_LINE64);
	rc = tls_file_write(path, pem, n, cause);
	explicit_bzero(pem, n);
	free(pem);
	return (rc);
}

struct x509gen_pem {
	unsigned char	*buf;
	size_t		 len, cap;
};

static void
x509gen_pem_append(void *ctx, const void *p, size_t n)
{
	struct x509gen_pem	*a = ctx;

	if (n > a->cap - a->len)
		return;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

/* An EC private key from a PEM file (to re-issue its certificate). */
static int
x509gen_key_load(const char *path, br_ec_private_key *sk,
    unsigned char *xbuf, char **cause)
{
	br_pem_decoder_context	 pc;
	br_skey_decoder_context	 kc;
	const br_ec_private_key	*k;
	struct x509gen_pem	 der;
	unsigned char		*pem, dbuf[4096];
	size_t			 len, off = 0, n;
	int			 inobj = 0, done = 0;

	if (tls_file_read(path, &pem, &len, cause) == -1)
		return (-1);
	der.buf = dbuf;
	der.len = 0;
	der.cap = sizeof dbuf;
	br_pem_decoder_init(&pc);
	while (off < len && !done) {
		n = br_pem_decoder_push(&pc, pem + off, len - off);
		off += n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			inobj = strstr(br_pem_decoder_name(&pc),
			    "PRIVATE KEY") != NULL;
			if (inobj)
				br_pem_decoder_setdest(&pc,
				    x509gen_pem_append, &der);
			else
				br_pem_decoder_setdest(&pc, NULL, NULL);
			break;
		case BR_PEM_END_OBJ:
			if (inobj)
				done = 1;
			break;
		case BR_PEM_ERROR:
			off = len;
			break;
		}
	}
	explicit_bzero(pem, len);
	free(pem);
	if (!done) {
		xasprintf(cause, "%s: no PEM private key", path);
		return (-1);
	}
	br_skey_decoder_init(&kc);
	br_skey_decoder_push(&kc, der.buf, der.len);
	explicit_bzero(dbuf, sizeof dbuf);
	if ((k = br_skey_decoder_get_ec(&kc)) == NULL) {
		xasprintf(cause, "%s: not an EC private key; remove it or "
		    "give its certificate with -tlsCrt", path);
		return (-1);
	}
	if (k->xlen > BR_EC_KBUF_PRIV_MAX_SIZE) {
		xasprintf(cause, "%s: key too large", path);
		return (-1);
	}
	memcpy(xbuf, k->x, k->xlen);
	sk->curve = k->curve;
	sk->x = xbuf;
	sk->xlen = k->xlen;
	explicit_bzero(&kc, sizeof kc);
	return (0);
}

/*
 * The hub's key pair: the one in key_path when have_key, else a new one
 * written there.  Returns 0, or -1 with *cause set.
 */
static int
x509gen_key_make(const char *key_path, int have_key,
    const br_prng_class **rng, br_ec_private_key *sk, unsigned char *kbuf,
    br_ec_public_key *pk, unsigned char *pbuf, char **cause)
{
	unsigned char		 p8[512];
	size_t			 n;
	int			 rc = -1;

	if (have_key) {
		/* Keep the identity: a new certificate for the same key. */
		if (x509gen_key_load(key_path, sk, kbuf, cause) == -1)
			goto out;
	} else if (br_ec_keygen(rng, br_ec_get_default(), sk, kbuf,
	    BR_EC_secp256r1) == 0) {
		xasprintf(cause, "EC key generation failed");
		goto out;
	}
	if (br_ec_compute_pub(br_ec_get_default(), pk, pbuf, sk) == 0) {
		xasprintf(cause, "%s: unsupported curve", key_path);
		goto out;
	}
	if (!have_key) {
		n = br_encode_ec_pkcs8_der(p8, sk, pk);
		if (n == 0 || n > sizeof p8) {
			xasprintf(cause, "cannot encode the new key");
			goto out;
		}
		if (x509gen_pem_write(key_path, p8, n, BR_ENCODE_PEM_PKCS8,
		    cause) == -1)
			goto out;
	}
	rc = 0;
out:
	explicit_bzero(p8, sizeof p8);
	return (rc);
}

/* see tls.h */
int
tls_selfsigned_ensure(const char *dir, char **crt_path, char **key_path,
    char **cause)
{
	br_hmac_drbg_context	 rng;
	br_prng_seeder		 seeder;
	br_ec_private_key	 sk;
	br_ec_public_key	 pk;
	unsigned char		 kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
	unsigned char		 pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	struct der		 cert;
	struct stat		 st;
	int			 have_crt, have_key, rc = -1;

	xasprintf(crt_path, "%s/%s", dir, TLS_HUB_CRT);
	xasprintf(key_path, "%s/%s", dir, TLS_HUB_KEY);
	have_crt = stat(*crt_path, &st) == 0;
	have_key = stat(*key_path, &st) == 0;
	if (have_crt && have_key)
		return (0);
	if (have_crt) {
		xasprintf(cause, "%s exists but its key %s does not: restore "
		    "the key, or remove the certificate to make a new identity "
		    "(nodes will then refuse the new key)", *crt_path,
		    *key_path);
		goto out;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
		goto out;
	}

	br_hmac_drbg_init(&rng, &br_sha256_vtable, NULL, 0);
	if ((seeder = br_prng_seeder_system(NULL)) == NULL ||
	    !seeder(&rng.vtable)) {
		xasprintf(cause, "no system random source to make a key");
		goto out;
	}
	if (x509gen_key_make(*key_path, have_key, &rng.vtable, &sk, kbuf, &pk,
	    pbuf, cause) == -1)
		goto out;
	memset(&cert, 0, sizeof cert);
	if (x509gen_cert(&cert, &sk, &pk, &rng.vtable) == -1) {
		xasprintf(cause, "cannot make the self-signed certificate");
		goto out;
	}
	if (x509gen_pem_write(*crt_path, cert.buf, cert.len, "CERTIFICATE",
	    cause) == -1)
		goto out;
	rc = 1;
out:
	explicit_bzero(kbuf, sizeof kbuf);
	explicit_bzero(&rng, sizeof rng);
	if (rc == -1) {
		free(*crt_path);
		free(*key_path);
		*crt_path = *key_path = NULL;
	}
	return (rc);
}
