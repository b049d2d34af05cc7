/*
 * tls.c: BearSSL engine glue: configuration (hub key and chain, node trust:
 * pinned key, CA file, known_hosts), the per-link engine and its pump
 * under a libevent filter bufferevent, half-close, error sentences.
 * Owns the engines and the socket bufferevents under them; knows nothing
 * of frames or relays.  Design: doc/tls.md.  Certificate making: x509gen.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <bearssl.h>
#if ENABLE_KTLS
#include <linux/tls.h>
#endif

#include "tentacle.h"
#include "opt.h"
#include "tls.h"

/*
 * A plaintext Tentacle link starts with a frame header (frame.h): type
 * 0x01..0x1f, flags 0, a length of at most 4096; a TLS record with type
 * 0x14..0x18 and version 3.x.  TLS_PLAIN() tells them apart.
 */
#define TLS_PLAIN(h)	((h)[0] >= 0x01 && (h)[0] <= 0x1f && (h)[1] == 0 && \
			    (((h)[2] << 8) | (h)[3]) <= 4096)
/* An admin API request (admin.c, doc/admin.md) of n bytes at h. */
#define TLS_API(h, n)	(((n) >= 9 && memcmp((h), "GET /api/", 9) == 0) || \
			    ((n) >= 10 && memcmp((h), "POST /api/", 10) == 0))
/* An HTTP answer: a node that met a web server (the admin port?). */
#define TLS_HTTP(h, n)	((n) >= 7 && memcmp((h), "HTTP/1.", 7) == 0)

/* Ciphertext queued toward the socket before plaintext stops moving in. */
#define TLS_SOCK_HIWAT	(32 * 1024)
#define TLS_SOCK_LOWAT	(16 * 1024)
/*
 * The pump reads and writes the socket itself (libevent 2.1 reads 4 KiB
 * per event): records go straight to the socket while its output is
 * empty, and ciphertext comes straight into the engine while the reader
 * takes plaintext, up to TLS_DIRECT_IN decrypted and waiting and
 * TLS_DIRECT_MAX per pump (other links get their turn).
 */
#define TLS_DIRECT_IN	(64 * 1024)
#define TLS_DIRECT_MAX	(256 * 1024)
/* Bytes libevent writes from the socket's output per event. */
#define TLS_SOCK_WRITE	(128 * 1024)
/* How long a freed link may take to send its last records. */
#define TLS_LINGER_S	5
#define TLS_CHAIN_MAX	8
#define TLS_ERR_MAX	1024
/*
 * Session resumption (doc/tls.md): the hub's cache of sessions, LRU,
 * about 100 bytes a session in BearSSL (256 KiB: some 2,600 sessions);
 * how long a node offers a session after its full handshake.
 */
#define TLS_CACHE_SIZE	(256 * 1024)
#define TLS_SESS_LIFE_S	3600

/* Hub: BearSSL's LRU cache, behind a class that tells the link it resumed. */
struct tls_cache {
	const br_ssl_session_cache_class *vtable;
	br_ssl_session_cache_lru	 lru;
	unsigned char			*store;
};

enum tls_trust {
	TLS_TRUST_NONE,		/* hub */
	TLS_TRUST_PIN,
	TLS_TRUST_CA,
	TLS_TRUST_TOFU
};

struct tls_conf {
	int			 tc_server;
	size_t			 tc_bufsize;
	uint16_t		 tc_suites[6];
	size_t			 tc_nsuites;
	int			 tc_chacha_first; /* tc_suites start with it */

	/* Hub. */
	br_x509_certificate	 tc_chain[TLS_CHAIN_MAX];
	size_t			 tc_nchain;
	int			 tc_keytype;
	br_rsa_private_key	 tc_rsa;
	br_ec_private_key	 tc_ec;
	unsigned char		*tc_keydata;
	size_t			 tc_keylen;
	char			 tc_fp[TLS_FP_LEN];
	struct tls_cache	*tc_cache;

	/* Node. */
	enum tls_trust		 tc_trust;
	char			 tc_pin[TLS_FP_LEN];
	br_x509_trust_anchor	*tc_tas;
	size_t			 tc_ntas;
	char			*tc_known_hosts;
	/* The last verified session, offered to the same peer_name only. */
	int			 tc_sess_ok;
	br_ssl_session_parameters tc_sess;
	char			 tc_sess_peer[256];
	time_t			 tc_sess_time;	/* CLOCK_MONOTONIC */
};

struct tls;

/* Pinned key and trust on first use: decode the EE certificate, decide. */
struct tls_x509 {
	const br_x509_class	*vtable;
	struct tls		*t;
	br_x509_decoder_context	 dec;
	int			 ncert;
};

/*
 * In front of either X.509 engine: records that the chain was accepted,
 * the one condition (with a completed handshake) for keeping a session.
 */
struct tls_x509_guard {
	const br_x509_class	*vtable;
	const br_x509_class	**inner;
	struct tls		*t;
};

struct tls {
	union {
		br_ssl_client_context	 c;
		br_ssl_server_context	 s;
	} u;
	br_ssl_engine_context	*eng;
	struct {
		struct tls_x509_guard	 guard;
		union {
			br_x509_minimal_context	 ca;
			struct tls_x509		 pin;
		} u;
	} *x509;
	struct tls_conf		*conf;
	struct bufferevent	*bev;		/* the user's (filter) */
	struct bufferevent	*sock;		/* the TCP socket */
	bufferevent_data_cb	 f_readcb;	/* the filter's own socket */
	bufferevent_data_cb	 f_writecb;	/*   callbacks, chained */
	void			*f_arg;
	unsigned char		*iobuf;

	int			 server;
	int			 done;		/* handshake complete */
	int			 failed;	/* error reported */
	int			 eof;		/* EOF reported */
	int			 shut_req;	/* tls_shutdown_write() called */
	int			 shut;		/* SHUT_WR done */
	int			 hold;		/* tls_hold_close() called */
	struct event		*hold_ev;	/*   runs the filter's output */
	struct evbuffer_cb_entry *hold_cbe;	/*   on the user's output */
	int			 nodelay;	/* TCP_NODELAY set on the fd */
	int			 kernel;	/* 1: kernel TLS; -1: not here */
	int			 tofu_store;	/* store fingerprint when done */
	int			 first;		/* first byte from the peer */
	unsigned char		 head[32];	/* its first bytes */
	size_t			 nhead;
	int			 rdone;		/* direct reads: EOF or error seen */
	int			 x509_ok;	/* the hub's chain was accepted */
	int			 resumed;	/* abbreviated handshake */
	int			 offered;	/* clients: a session offered */
	br_ssl_session_parameters offer;	/*   that one (wiped at done) */

	/* Record boundaries of what the peer sent (TCP EOF mid-record). */
	unsigned char		 rhdr[5];
	size_t			 rhdr_n;
	size_t			 rleft;

	char			 peer[256];	/* "host:port" (clients) */
	char			 host[256];	/* host part of peer */
	char			 fp[TLS_FP_LEN]; /* the peer's key, clients */
	char			 err[TLS_ERR_MAX];
};

static void	 tls_sock_read_cb(struct bufferevent *, void *);
static void	 tls_sock_write_cb(struct bufferevent *, void *);
static void	 tls_sock_event_cb(struct bufferevent *, short, void *);
static void	 tls_linger_write_cb(struct bufferevent *, void *);
static void	 tls_linger_event_cb(struct bufferevent *, short, void *);
static enum bufferevent_filter_result tls_filter_in(struct evbuffer *,
		    struct evbuffer *, ev_ssize_t, enum bufferevent_flush_mode,
		    void *);
static enum bufferevent_filter_result tls_filter_out(struct evbuffer *,
		    struct evbuffer *, ev_ssize_t, enum bufferevent_flush_mode,
		    void *);
static void	 tls_conf_order(struct tls_conf *, int);
static int	 tls_keys(struct tls *, int, unsigned char *, unsigned char *,
		    uint64_t *);
static void	 tls_kernel_start(struct tls *);
static int	 tls_kernel_pump(struct tls *, size_t *, size_t *, int);
#if ENABLE_KTLS
static void	 tls_enc64be(unsigned char *, uint64_t);
#endif
static void	 tls_ctx_free(void *);
static int	 tls_pump(struct tls *, size_t *, size_t *, int);
static void	 tls_track(struct tls *, const unsigned char *, size_t);
static int	 tls_sendrec(struct tls *, unsigned char *, size_t);
static int	 tls_recvrec(struct tls *, size_t *);
static size_t	 tls_rec_end(struct tls *, const unsigned char *, size_t);
static int	 tls_feed(struct tls *, unsigned char *, size_t);
static void	 tls_fail(struct tls *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static void	 tls_engine_error(struct tls *, int);
static void	 tls_after(struct tls *);
static void	 tls_shut_try(struct tls *);
static size_t	 tls_hold_room(struct tls *, int);
static struct event *tls_hold_event(struct tls *);
static void	 tls_hold_cb(evutil_socket_t, short, void *);
static void	 tls_hold_out_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	 tls_nodelay(struct tls *);
static struct tls *tls_get(struct bufferevent *);
static int	 tls_alive(struct tls *);
static int	 tls_known_lookup(struct tls *, char *, size_t, int *);
static void	 tls_known_store(struct tls *);

static const br_x509_class tls_x509_vtable;
static const br_x509_class tls_x509_guard_vtable;
static const br_ssl_session_cache_class tls_cache_vtable;
static void	 tls_sess_done(struct tls *);
static void	 tls_sess_forget(struct tls *);

/*
 * Configuration.
 */

struct tls_buf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 oom;
};

static void
tls_buf_append(void *ctx, const void *data, size_t n)
{
	struct tls_buf	*b = ctx;
	unsigned char	*np;
	size_t		 cap;

	if (b->oom)
		return;
	if (n > b->cap - b->len) {
		cap = b->cap ? b->cap : 1024;
		while (cap - b->len < n && cap < (1 << 20))
			cap *= 2;
		if (cap - b->len < n || (np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/*
 * Every PEM object of path whose banner contains want: each is given to
 * fn(arg, der, len).  Returns the number of objects, -1 with *cause.
 */
static int
tls_pem_each(const char *path, const char *want,
    int (*fn)(void *, const unsigned char *, size_t, char **), void *arg,
    char **cause)
{
	br_pem_decoder_context	 pc;
	struct tls_buf		 b;
	unsigned char		*pem;
	size_t			 len, off = 0;
	int			 inobj = 0, n = 0, rc = -1;

	if (tls_file_read(path, &pem, &len, cause) == -1)
		return (-1);
	memset(&b, 0, sizeof b);
	br_pem_decoder_init(&pc);
	while (off < len) {
		off += br_pem_decoder_push(&pc, pem + off, len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			inobj = strstr(br_pem_decoder_name(&pc), want) != NULL;
			b.len = 0;
			br_pem_decoder_setdest(&pc, inobj ? tls_buf_append :
			    NULL, &b);
			break;
		case BR_PEM_END_OBJ:
			if (!inobj)
				break;
			if (b.oom) {
				xasprintf(cause, "%s: out of memory", path);
				goto out;
			}
			if (fn(arg, b.p, b.len, cause) == -1)
				goto out;
			n++;
			inobj = 0;
			break;
		case BR_PEM_ERROR:
			xasprintf(cause, "%s: bad PEM data", path);
			goto out;
		}
	}
	rc = n;
out:
	if (b.p != NULL) {
		explicit_bzero(b.p, b.cap);
		free(b.p);
	}
	explicit_bzero(pem, len);
	free(pem);
	return (rc);
}

static int
tls_chain_add(void *arg, const unsigned char *der, size_t len, char **cause)
{
	struct tls_conf	*tc = arg;

	if (tc->tc_nchain == TLS_CHAIN_MAX) {
		xasprintf(cause, "more than %d certificates in the chain",
		    TLS_CHAIN_MAX);
		return (-1);
	}
	tc->tc_chain[tc->tc_nchain].data = xmalloc(len);
	memcpy(tc->tc_chain[tc->tc_nchain].data, der, len);
	tc->tc_chain[tc->tc_nchain].data_len = len;
	tc->tc_nchain++;
	return (0);
}

/* Copy a decoded private key into tc (the decoder's buffers go away). */
static int
tls_key_add(void *arg, const unsigned char *der, size_t len, char **cause)
{
	struct tls_conf		*tc = arg;
	br_skey_decoder_context	*kc;
	const br_rsa_private_key *rk;
	const br_ec_private_key	*ek;
	unsigned char		*p;
	int			 rc = 0;

	if (tc->tc_keytype != 0)
		return (0);		/* the first key wins */
	kc = xmalloc(sizeof *kc);
	br_skey_decoder_init(kc);
	br_skey_decoder_push(kc, der, len);
	if ((rk = br_skey_decoder_get_rsa(kc)) != NULL) {
		tc->tc_keylen = rk->plen + rk->qlen + rk->dplen + rk->dqlen +
		    rk->iqlen;
		p = tc->tc_keydata = xmalloc(tc->tc_keylen);
		tc->tc_rsa = *rk;
#define TLS_KCOPY(f, l) do {						\
	memcpy(p, rk->f, rk->l);					\
	tc->tc_rsa.f = p;						\
	p += rk->l;							\
} while (0)
		TLS_KCOPY(p, plen);
		TLS_KCOPY(q, qlen);
		TLS_KCOPY(dp, dplen);
		TLS_KCOPY(dq, dqlen);
		TLS_KCOPY(iq, iqlen);
#undef TLS_KCOPY
		tc->tc_keytype = BR_KEYTYPE_RSA;
	} else if ((ek = br_skey_decoder_get_ec(kc)) != NULL) {
		tc->tc_keylen = ek->xlen;
		tc->tc_keydata = xmalloc(ek->xlen);
		memcpy(tc->tc_keydata, ek->x, ek->xlen);
		tc->tc_ec = *ek;
		tc->tc_ec.x = tc->tc_keydata;
		tc->tc_keytype = BR_KEYTYPE_EC;
	} else {
		xasprintf(cause, "not an RSA or EC private key (BearSSL "
		    "error %d)", br_skey_decoder_last_error(kc));
		rc = -1;
	}
	explicit_bzero(kc, sizeof *kc);
	free(kc);
	return (rc);
}

static struct tls_conf *
tls_conf_new(int server)
{
	struct tls_conf	*tc;
	br_prng_seeder	 seeder;

	/* Engines seed themselves from it; check once, at startup. */
	if ((seeder = br_prng_seeder_system(NULL)) == NULL)
		return (NULL);
	tc = xcalloc(1, sizeof *tc);
	tc->tc_server = server;
	tc->tc_bufsize = BR_SSL_BUFSIZE_BIDI;
	/*
	 * AES-GCM first where BearSSL has AES hardware code for this CPU
	 * (x86 AES-NI, POWER8), else ChaCha20: without it BearSSL's
	 * constant-time AES-GCM is several times slower (doc/performance.md,
	 * "TLS links, issue 14": 10-12 against 55-64 MB/s under
	 * qemu-mipsel).  The hub follows the node's order unless it lacks
	 * the hardware itself (tls_engine_server): ChaCha20 whenever
	 * either end would pay for AES.
	 */
	tls_conf_order(tc, br_aes_x86ni_ctr_get_vtable() == NULL &&
	    br_aes_pwr8_ctr_get_vtable() == NULL);
	return (tc);
}

/* Our suites, ChaCha20-Poly1305 or AES-128-GCM first; AES-256 last. */
static void
tls_conf_order(struct tls_conf *tc, int chacha_first)
{
	static const uint16_t	 aes[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	}, chacha[] = {
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	};

	memcpy(tc->tc_suites, chacha_first ? chacha : aes, sizeof aes);
	memcpy(tc->tc_suites + 2, chacha_first ? aes : chacha, sizeof aes);
	tc->tc_suites[4] = BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
	tc->tc_suites[5] = BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
	tc->tc_nsuites = 6;
	tc->tc_chacha_first = chacha_first;
}

/* see tls.h */
void
tls_conf_chacha_first(struct tls_conf *tc)
{
	tls_conf_order(tc, 1);
}

/* see tls.h */
struct tls_conf *
tls_server_conf(const char *crt, const char *key, char **cause)
{
	struct tls_conf		*tc;
	br_x509_decoder_context	*dc;
	const br_x509_pkey	*pk;
	unsigned char		 buf[BR_EC_KBUF_PUB_MAX_SIZE + 1024];
	size_t			 n;
	int			 match = 1;
	char			*why = NULL;

	if ((tc = tls_conf_new(1)) == NULL) {
		xasprintf(cause, "no system random source");
		return (NULL);
	}
	if (tls_pem_each(crt, "CERTIFICATE", tls_chain_add, tc, &why) < 1) {
		if (why == NULL)
			xasprintf(&why, "%s: no PEM certificate", crt);
		goto fail;
	}
	if (tls_pem_each(key, "PRIVATE KEY", tls_key_add, tc, &why) == -1)
		goto fail;
	if (tc->tc_keytype == 0) {
		xasprintf(&why, "%s: no PEM private key", key);
		goto fail;
	}
	dc = xmalloc(sizeof *dc);
	br_x509_decoder_init(dc, NULL, NULL);
	br_x509_decoder_push(dc, tc->tc_chain[0].data,
	    tc->tc_chain[0].data_len);
	if ((pk = br_x509_decoder_get_pkey(dc)) == NULL ||
	    tls_pkey_fingerprint(pk, tc->tc_fp) == -1) {
		xasprintf(&why, "%s: cannot decode the certificate (BearSSL "
		    "error %d)", crt, br_x509_decoder_last_error(dc));
		free(dc);
		goto fail;
	}
	/* The key must be the certificate's, or every handshake fails. */
	if (pk->key_type != tc->tc_keytype)
		match = 0;
	else if (pk->key_type == BR_KEYTYPE_EC) {
		br_ec_public_key	 pub;

		n = br_ec_compute_pub(br_ec_get_default(), &pub, buf,
		    &tc->tc_ec);
		match = n != 0 && pub.curve == pk->key.ec.curve &&
		    pub.qlen == pk->key.ec.qlen &&
		    memcmp(pub.q, pk->key.ec.q, pub.qlen) == 0;
	} else {
		br_rsa_compute_modulus	 mod;
		const unsigned char	*m = pk->key.rsa.n;
		size_t			 mlen = pk->key.rsa.nlen;

		mod = br_rsa_compute_modulus_get_default();
		n = mod(NULL, &tc->tc_rsa);
		while (mlen > 0 && *m == 0) {
			m++;
			mlen--;
		}
		match = n != 0 && n <= sizeof buf && mod(buf, &tc->tc_rsa) ==
		    n && n == mlen && memcmp(buf, m, n) == 0;
	}
	free(dc);
	if (!match) {
		xasprintf(&why, "%s is not the key of the certificate in %s",
		    key, crt);
		goto fail;
	}
	tc->tc_cache = xcalloc(1, sizeof *tc->tc_cache);
	tc->tc_cache->vtable = &tls_cache_vtable;
	tc->tc_cache->store = xmalloc(TLS_CACHE_SIZE);
	br_ssl_session_cache_lru_init(&tc->tc_cache->lru, tc->tc_cache->store,
	    TLS_CACHE_SIZE);
	return (tc);
fail:
	*cause = why;
	tls_conf_free(tc);
	return (NULL);
}

struct tls_ta_load {
	struct tls_conf	*tc;
	const char	*path;
};

static int
tls_ta_add(void *arg, const unsigned char *der, size_t len, char **cause)
{
	struct tls_ta_load	*l = arg;
	struct tls_conf		*tc = l->tc;
	br_x509_decoder_context	*dc;
	br_x509_trust_anchor	*ta;
	const br_x509_pkey	*pk;
	struct tls_buf		 dn;

	memset(&dn, 0, sizeof dn);
	dc = xmalloc(sizeof *dc);
	br_x509_decoder_init(dc, tls_buf_append, &dn);
	br_x509_decoder_push(dc, der, len);
	if ((pk = br_x509_decoder_get_pkey(dc)) == NULL || dn.oom) {
		xasprintf(cause, "%s: certificate %zu: cannot decode it "
		    "(BearSSL error %d)", l->path, tc->tc_ntas + 1,
		    br_x509_decoder_last_error(dc));
		free(dn.p);
		free(dc);
		return (-1);
	}
	tc->tc_tas = xreallocarray(tc->tc_tas, tc->tc_ntas + 1,
	    sizeof *tc->tc_tas);
	ta = &tc->tc_tas[tc->tc_ntas++];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn.p;
	ta->dn.len = dn.len;
	/* A CA signs the chain; anything else is trusted directly. */
	ta->flags = br_x509_decoder_isCA(dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = xmalloc(pk->key.rsa.nlen);
		memcpy(ta->pkey.key.rsa.n, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = xmalloc(pk->key.rsa.elen);
		memcpy(ta->pkey.key.rsa.e, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = xmalloc(pk->key.ec.qlen);
		memcpy(ta->pkey.key.ec.q, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	free(dc);
	return (0);
}

/* see tls.h */
int
tls_fingerprint_parse(const char *s, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n = 0;
	const char		*p;

	if (strncasecmp(s, "sha256:", 7) != 0)
		return (-1);
	memcpy(out, "sha256:", 7);
	for (p = s + 7; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((u_char)*p) || n == 64)
			return (-1);
		out[7 + n++] = hex[strchr(hex, tolower((u_char)*p)) - hex];
	}
	if (n != 64)
		return (-1);
	out[TLS_FP_LEN - 1] = '\0';
	return (0);
}

/* see tls.h */
struct tls_conf *
tls_client_conf(const char *fingerprint, const char *ca_file,
    const char *known_hosts, char **cause)
{
	struct tls_conf		*tc;
	struct tls_ta_load	 l;
	char			*why = NULL;

	if ((tc = tls_conf_new(0)) == NULL) {
		xasprintf(cause, "no system random source");
		return (NULL);
	}
	if (fingerprint != NULL && *fingerprint != '\0') {
		if (tls_fingerprint_parse(fingerprint, tc->tc_pin) == -1) {
			xasprintf(&why, "bad fingerprint \"%.80s\": want "
			    "sha256: and 64 hex digits, as the hub prints it",
			    fingerprint);
			goto fail;
		}
		tc->tc_trust = TLS_TRUST_PIN;
	} else if (ca_file != NULL && *ca_file != '\0') {
		l.tc = tc;
		l.path = ca_file;
		if (tls_pem_each(ca_file, "CERTIFICATE", tls_ta_add, &l,
		    &why) < 1) {
			if (why == NULL)
				xasprintf(&why, "%s: no PEM certificate",
				    ca_file);
			goto fail;
		}
		tc->tc_trust = TLS_TRUST_CA;
	} else if (known_hosts != NULL && *known_hosts != '\0') {
		tc->tc_known_hosts = xstrdup(known_hosts);
		tc->tc_trust = TLS_TRUST_TOFU;
	} else {
		xasprintf(&why, "no way to verify the hub: give a fingerprint, "
		    "a CA file or a known_hosts file");
		goto fail;
	}
	return (tc);
fail:
	*cause = why;
	tls_conf_free(tc);
	return (NULL);
}

/* see tls.h */
const char *
tls_conf_fingerprint(struct tls_conf *tc)
{
	return (tc->tc_fp);
}

/* see tls.h: the links using tc must be gone. */
void
tls_conf_free(struct tls_conf *tc)
{
	size_t	 i;

	if (tc == NULL)
		return;
	for (i = 0; i < tc->tc_nchain; i++)
		free(tc->tc_chain[i].data);
	if (tc->tc_keydata != NULL) {
		explicit_bzero(tc->tc_keydata, tc->tc_keylen);
		free(tc->tc_keydata);
	}
	for (i = 0; i < tc->tc_ntas; i++) {
		free(tc->tc_tas[i].dn.data);
		if (tc->tc_tas[i].pkey.key_type == BR_KEYTYPE_RSA) {
			free(tc->tc_tas[i].pkey.key.rsa.n);
			free(tc->tc_tas[i].pkey.key.rsa.e);
		} else
			free(tc->tc_tas[i].pkey.key.ec.q);
	}
	free(tc->tc_tas);
	free(tc->tc_known_hosts);
	if (tc->tc_cache != NULL) {
		explicit_bzero(tc->tc_cache->store, TLS_CACHE_SIZE);
		free(tc->tc_cache->store);
		explicit_bzero(tc->tc_cache, sizeof *tc->tc_cache);
		free(tc->tc_cache);
	}
	explicit_bzero(tc, sizeof *tc);
	free(tc);
}

/*
 * The pinned-key / known_hosts X.509 engine.  Only the first (EE)
 * certificate matters: its key is the hub's identity, like an SSH host
 * key; names, dates and issuers are not looked at.
 */

static void
tls_x509_start_chain(const br_x509_class **ctx, const char *name __unused)
{
	struct tls_x509	*x = (struct tls_x509 *)ctx;

	x->ncert = 0;
}

static void
tls_x509_start_cert(const br_x509_class **ctx, uint32_t len __unused)
{
	struct tls_x509	*x = (struct tls_x509 *)ctx;

	if (x->ncert == 0)
		br_x509_decoder_init(&x->dec, NULL, NULL);
}

static void
tls_x509_append(const br_x509_class **ctx, const unsigned char *buf,
    size_t len)
{
	struct tls_x509	*x = (struct tls_x509 *)ctx;

	if (x->ncert == 0)
		br_x509_decoder_push(&x->dec, buf, len);
}

static void
tls_x509_end_cert(const br_x509_class **ctx)
{
	struct tls_x509	*x = (struct tls_x509 *)ctx;

	x->ncert++;
}

static unsigned
tls_x509_end_chain(const br_x509_class **ctx)
{
	struct tls_x509		*x = (struct tls_x509 *)ctx;
	struct tls		*t = x->t;
	struct tls_conf		*tc = t->conf;
	const br_x509_pkey	*pk;
	char			 old[TLS_FP_LEN];
	int			 line, rc;

	if (x->ncert == 0)
		return (BR_ERR_X509_EMPTY_CHAIN);
	if ((pk = br_x509_decoder_get_pkey(&x->dec)) == NULL)
		return (br_x509_decoder_last_error(&x->dec));
	if (tls_pkey_fingerprint(pk, t->fp) == -1) {
		snprintf(t->err, sizeof t->err, "the hub's key is of a type "
		    "or curve this node does not know");
		return (BR_ERR_X509_UNSUPPORTED);
	}
	if (tc->tc_trust == TLS_TRUST_PIN) {
		if (strcmp(t->fp, tc->tc_pin) == 0)
			return (0);
		snprintf(t->err, sizeof t->err, "hub certificate fingerprint "
		    "%s does not match the pinned %s (check fingerprint: / "
		    "-fingerprint against what the hub prints at start)",
		    t->fp, tc->tc_pin);
		return (BR_ERR_X509_NOT_TRUSTED);
	}
	rc = tls_known_lookup(t, old, sizeof old, &line);
	if (rc == -1)
		return (BR_ERR_X509_NOT_TRUSTED);	/* t->err is set */
	if (rc == 0) {
		t->tofu_store = 1;	/* once the handshake proves the key */
		return (0);
	}
	if (strcmp(old, t->fp) == 0)
		return (0);
	snprintf(t->err, sizeof t->err, "hub %.100s changed its key: it now "
	    "has %s, but %.150s line %d says %.75s; if the hub's key was "
	    "replaced on purpose (a reinstalled hub, or a test hub of an "
	    "earlier run), run 'tentacle trust forget -known-hosts %.150s "
	    "%.100s' (or delete that line, or pin the new key with "
	    "-fingerprint), otherwise someone may be intercepting the link",
	    t->peer, t->fp, tc->tc_known_hosts, line, old,
	    tc->tc_known_hosts, t->peer);
	return (BR_ERR_X509_NOT_TRUSTED);
}

static const br_x509_pkey *
tls_x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509	*x = (struct tls_x509 *)(void *)ctx;

	if (usages != NULL)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return (br_x509_decoder_get_pkey(&x->dec));
}

static const br_x509_class tls_x509_vtable = {
	sizeof (struct tls_x509),
	tls_x509_start_chain,
	tls_x509_start_cert,
	tls_x509_append,
	tls_x509_end_cert,
	tls_x509_end_chain,
	tls_x509_get_pkey
};

/*
 * known_hosts: "host:port sha256:hex" per line, '#' comments.  Returns 1
 * and the stored fingerprint (and its line) if peer is there, 0 if not,
 * -1 with t->err if the file cannot be read.
 */
static int
tls_known_lookup(struct tls *t, char *fp, size_t fplen, int *line)
{
	const char	*path = t->conf->tc_known_hosts;
	FILE		*f;
	char		 buf[1024], *name, *val, *save;
	int		 n = 0, found = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		snprintf(t->err, sizeof t->err, "cannot read %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	while (fgets(buf, sizeof buf, f) != NULL) {
		n++;
		if ((name = strtok_r(buf, " \t\r\n", &save)) == NULL ||
		    *name == '#')
			continue;
		if ((val = strtok_r(NULL, " \t\r\n", &save)) == NULL)
			continue;
		if (strcmp(name, t->peer) != 0)
			continue;
		if (tls_fingerprint_parse(val, fp) == -1)
			strlcpy(fp, val, fplen);	/* garbage: mismatch */
		*line = n;
		found = 1;
		break;
	}
	fclose(f);
	return (found);
}

static void
tls_known_store(struct tls *t)
{
	const char	*path = t->conf->tc_known_hosts;
	char		 old[TLS_FP_LEN];
	int		 fd, line;
	char		 buf[600];
	size_t		 n;

	/* Another link of the same hub may have stored it meanwhile. */
	if (tls_known_lookup(t, old, sizeof old, &line) != 0)
		return;
	n = snprintf(buf, sizeof buf, "%s %s\n", t->peer, t->fp);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600)) == -1 ||
	    write(fd, buf, n) != (ssize_t)n) {
		log_warn("cannot store hub %s key %s in %s", t->peer, t->fp,
		    path);
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	log_info("hub %s: first connection, trusting its key %s and storing "
	    "it in %s (later changes will be refused)", t->peer, t->fp, path);
}

#define TLS_KNOWN_MAX	(1024 * 1024)

/* Is the line at p (len bytes) an entry of host: "host fp"? */
static int
tls_known_is(const char *p, size_t len, const char *host)
{
	size_t	 n = strlen(host);

	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	return (len > n && memcmp(p, host, n) == 0 && (p[n] == ' ' ||
	    p[n] == '\t'));
}

/* see tls.h */
int
tls_known_forget(const char *path, const char *host, char **cause)
{
	struct stat	 st;
	FILE		*in, *out;
	char		*buf, *tmp = NULL;
	const char	*p, *nl;
	size_t		 len, ll;
	int		 n = 0;

	if ((in = fopen(path, "r")) == NULL || fstat(fileno(in), &st) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (in != NULL)
			fclose(in);
		return (-1);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TLS_KNOWN_MAX) {
		xasprintf(cause, "%s: not a regular file of at most 1 MiB",
		    path);
		fclose(in);
		return (-1);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	len = fread(buf, 1, (size_t)st.st_size, in);
	if (ferror(in)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		fclose(in);
		free(buf);
		return (-1);
	}
	fclose(in);
	for (p = buf; p < buf + len; p = nl) {
		nl = memchr(p, '\n', buf + len - p);
		nl = nl != NULL ? nl + 1 : buf + len;
		if (tls_known_is(p, nl - p, host))
			n++;
	}
	if (n == 0) {
		free(buf);
		return (0);	/* nothing to remove: nothing written */
	}
	/*
	 * Keep the owner (run as root for a node that runs as its own user,
	 * which must still read and append to the file) and the mode.
	 */
	if ((out = opt_file_replace_open(path, &st, 07777, &tmp,
	    cause)) == NULL) {
		free(buf);
		return (-1);
	}
	for (p = buf; p < buf + len; p = nl) {
		nl = memchr(p, '\n', buf + len - p);
		nl = nl != NULL ? nl + 1 : buf + len;
		ll = nl - p;
		if (!tls_known_is(p, ll, host))
			fwrite(p, 1, ll, out);
	}
	free(buf);
	if (opt_file_replace_commit(out, tmp, path, cause) == -1)
		return (-1);
	return (n);
}

/*
 * Session resumption.  The guard in front of the X.509 engine and the
 * hub's cache class both only observe; BearSSL does the work.
 */

static time_t
tls_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}

/* (A function of its own: GCC mistakes the struct for its first array.) */
static void __attribute__((__noinline__))
tls_wipe_offer(struct tls *t)
{
	volatile unsigned char	*p = (volatile unsigned char *)&t->offer;
	size_t			 i;

	for (i = 0; i < sizeof t->offer; i++)
		p[i] = 0;
	t->offered = 0;
}

static void
tls_guard_start_chain(const br_x509_class **ctx, const char *name)
{
	struct tls_x509_guard	*g = (struct tls_x509_guard *)ctx;

	g->t->x509_ok = 0;
	(*g->inner)->start_chain(g->inner, name);
}

static void
tls_guard_start_cert(const br_x509_class **ctx, uint32_t len)
{
	struct tls_x509_guard	*g = (struct tls_x509_guard *)ctx;

	(*g->inner)->start_cert(g->inner, len);
}

static void
tls_guard_append(const br_x509_class **ctx, const unsigned char *buf,
    size_t len)
{
	struct tls_x509_guard	*g = (struct tls_x509_guard *)ctx;

	(*g->inner)->append(g->inner, buf, len);
}

static void
tls_guard_end_cert(const br_x509_class **ctx)
{
	struct tls_x509_guard	*g = (struct tls_x509_guard *)ctx;

	(*g->inner)->end_cert(g->inner);
}

static unsigned
tls_guard_end_chain(const br_x509_class **ctx)
{
	struct tls_x509_guard	*g = (struct tls_x509_guard *)ctx;
	unsigned		 rc;

	rc = (*g->inner)->end_chain(g->inner);
	g->t->x509_ok = rc == 0;
	return (rc);
}

static const br_x509_pkey *
tls_guard_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct tls_x509_guard *g =
	    (const struct tls_x509_guard *)(const void *)ctx;

	return ((*g->inner)->get_pkey(g->inner, usages));
}

static const br_x509_class tls_x509_guard_vtable = {
	sizeof (struct tls_x509_guard),
	tls_guard_start_chain,
	tls_guard_start_cert,
	tls_guard_append,
	tls_guard_end_cert,
	tls_guard_end_chain,
	tls_guard_get_pkey
};

/*
 * The hub's cache: BearSSL's LRU.  A load that succeeds starts an
 * abbreviated handshake, unless BearSSL then declines the session (other
 * version or suite), in which case the full handshake saves a new one.
 * The server context is the first member of struct tls.
 */
static void
tls_cache_save(const br_ssl_session_cache_class **ctx,
    br_ssl_server_context *sc, const br_ssl_session_parameters *params)
{
	struct tls_cache	*c = (struct tls_cache *)(void *)ctx;

	c->lru.vtable->save(&c->lru.vtable, sc, params);
	((struct tls *)(void *)sc)->resumed = 0;
}

static int
tls_cache_load(const br_ssl_session_cache_class **ctx,
    br_ssl_server_context *sc, br_ssl_session_parameters *params)
{
	struct tls_cache	*c = (struct tls_cache *)(void *)ctx;
	int			 rc;

	rc = c->lru.vtable->load(&c->lru.vtable, sc, params);
	((struct tls *)(void *)sc)->resumed = rc != 0;
	return (rc);
}

static const br_ssl_session_cache_class tls_cache_vtable = {
	sizeof (struct tls_cache),
	tls_cache_save,
	tls_cache_load
};

/*
 * Node, handshake complete: was the offered session resumed (same ID and
 * master secret)?  If not, keep the new session for the next links to
 * this peer, but only when the hub's chain passed our X.509 check (pin,
 * CA or known_hosts) in this very handshake.
 */
static void
tls_sess_done(struct tls *t)
{
	struct tls_conf			*tc = t->conf;
	br_ssl_session_parameters	 sp;

	br_ssl_engine_get_session_parameters(t->eng, &sp);
	if (t->offered && sp.session_id_len == t->offer.session_id_len &&
	    memcmp(sp.session_id, t->offer.session_id,
	    sp.session_id_len) == 0 &&
	    memcmp(sp.master_secret, t->offer.master_secret,
	    sizeof sp.master_secret) == 0)
		t->resumed = 1;
	else if (t->x509_ok && sp.session_id_len > 0 && t->peer[0] != '\0') {
		tc->tc_sess = sp;
		strlcpy(tc->tc_sess_peer, t->peer, sizeof tc->tc_sess_peer);
		tc->tc_sess_time = tls_now();
		tc->tc_sess_ok = 1;
	}
	explicit_bzero(&sp, sizeof sp);
	tls_wipe_offer(t);
}

/* Node, handshake failed: never offer this peer's session again. */
static void
tls_sess_forget(struct tls *t)
{
	struct tls_conf	*tc = t->conf;

	if (tc->tc_sess_ok && strcmp(tc->tc_sess_peer, t->peer) == 0) {
		explicit_bzero(&tc->tc_sess, sizeof tc->tc_sess);
		tc->tc_sess_ok = 0;
	}
}

/*
 * Links.
 */

/* "host:port", "[v6]:port" or just "host": the host, for SNI and names. */
static void
tls_peer_set(struct tls *t, const char *peer_name)
{
	const char	*colon;

	strlcpy(t->peer, peer_name, sizeof t->peer);
	if (t->peer[0] == '[' && (colon = strchr(t->peer, ']')) != NULL)
		snprintf(t->host, sizeof t->host, "%.*s",
		    (int)(colon - t->peer - 1), t->peer + 1);
	else if ((colon = strrchr(t->peer, ':')) != NULL &&
	    strchr(t->peer, ':') == colon)
		snprintf(t->host, sizeof t->host, "%.*s",
		    (int)(colon - t->peer), t->peer);
	else
		strlcpy(t->host, t->peer, sizeof t->host);
}

/* The hub's engine: its key and chain, the session cache. */
static void
tls_engine_server(struct tls *t, struct tls_conf *tc)
{
	br_ssl_server_zero(&t->u.s);
	t->eng = &t->u.s.eng;
	if (tc->tc_keytype == BR_KEYTYPE_EC)
		br_ssl_server_set_single_ec(&t->u.s, tc->tc_chain,
		    tc->tc_nchain, &tc->tc_ec, BR_KEYTYPE_SIGN,
		    BR_KEYTYPE_EC, br_ec_get_default(),
		    br_ecdsa_sign_asn1_get_default());
	else
		br_ssl_server_set_single_rsa(&t->u.s, tc->tc_chain,
		    tc->tc_nchain, &tc->tc_rsa, BR_KEYTYPE_SIGN,
		    br_rsa_private_get_default(),
		    br_rsa_pkcs1_sign_get_default());
	/* The node's order, unless this hub would pay for AES itself. */
	if (tc->tc_chacha_first)
		br_ssl_engine_add_flags(t->eng,
		    BR_OPT_ENFORCE_SERVER_PREFERENCES);
	br_ssl_server_set_cache(&t->u.s, &tc->tc_cache->vtable);
}

/*
 * The node's engine: how it trusts the hub (a CA chain, or the pin and
 * known_hosts checks of tls_x509_vtable), behind the guard.  -1: no
 * memory.
 */
static int
tls_engine_client(struct tls *t, struct tls_conf *tc)
{
	br_x509_minimal_context	*ca;
	time_t			 now = time(NULL);

	br_ssl_client_zero(&t->u.c);
	t->eng = &t->u.c.eng;
	if ((t->x509 = calloc(1, sizeof *t->x509)) == NULL)
		return (-1);
	if (tc->tc_trust == TLS_TRUST_CA) {
		ca = &t->x509->u.ca;
		br_x509_minimal_init(ca, &br_sha256_vtable, tc->tc_tas,
		    tc->tc_ntas);
		br_x509_minimal_set_hash(ca, br_sha1_ID, &br_sha1_vtable);
		br_x509_minimal_set_hash(ca, br_sha256_ID, &br_sha256_vtable);
		br_x509_minimal_set_hash(ca, br_sha384_ID, &br_sha384_vtable);
		br_x509_minimal_set_hash(ca, br_sha512_ID, &br_sha512_vtable);
		br_x509_minimal_set_rsa(ca, br_rsa_pkcs1_vrfy_get_default());
		br_x509_minimal_set_ecdsa(ca, br_ec_get_default(),
		    br_ecdsa_vrfy_asn1_get_default());
		/* Days from 0000-01-01 to 1970-01-01: 719528. */
		br_x509_minimal_set_time(ca, (uint32_t)(now / 86400) + 719528,
		    (uint32_t)(now % 86400));
		t->x509->guard.inner = &ca->vtable;
	} else {
		t->x509->u.pin.vtable = &tls_x509_vtable;
		t->x509->u.pin.t = t;
		t->x509->guard.inner = &t->x509->u.pin.vtable;
	}
	t->x509->guard.vtable = &tls_x509_guard_vtable;
	t->x509->guard.t = t;
	br_ssl_engine_set_x509(t->eng, &t->x509->guard.vtable);
	br_ssl_engine_set_default_rsavrfy(t->eng);
	br_ssl_engine_set_default_ecdsa(t->eng);
	return (0);
}

/*
 * What both sides share (TLS 1.2, our suites, no renegotiation), then the
 * reset that starts the handshake: the node offers the last session if it
 * is this peer's and fresh.  0, or -1 with t->err.
 */
static int
tls_engine_start(struct tls *t, struct tls_conf *tc)
{
	br_ssl_engine_context	*eng = t->eng;
	int			 ok;

	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, tc->tc_suites, tc->tc_nsuites);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_buffer(eng, t->iobuf, tc->tc_bufsize, 1);
	if (t->server)
		ok = br_ssl_server_reset(&t->u.s);
	else {
		if (tc->tc_sess_ok && strcmp(tc->tc_sess_peer, t->peer) == 0 &&
		    tls_now() - tc->tc_sess_time < TLS_SESS_LIFE_S) {
			t->offer = tc->tc_sess;
			t->offered = 1;
			br_ssl_engine_set_session_parameters(eng, &t->offer);
		}
		ok = br_ssl_client_reset(&t->u.c, t->host[0] != '\0' ?
		    t->host : NULL, t->offered);
	}
	if (!ok) {
		tls_engine_error(t, br_ssl_engine_last_error(eng));
		return (-1);
	}
	return (0);
}

/*
 * The plaintext bufferevent: a filter over sock whose socket callbacks
 * are chained behind ours.  Deferred callbacks: the user's never run
 * inside its own bufferevent_write() or inside the pump.  -1: no memory.
 */
static int
tls_filter_open(struct tls *t, struct bufferevent *sock)
{
	t->bev = bufferevent_filter_new(sock, tls_filter_in, tls_filter_out,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS, tls_ctx_free, t);
	if (t->bev == NULL)
		return (-1);
	bufferevent_getcb(sock, &t->f_readcb, &t->f_writecb, NULL, &t->f_arg);
	bufferevent_setcb(sock, tls_sock_read_cb, tls_sock_write_cb,
	    tls_sock_event_cb, t);
	bufferevent_setwatermark(sock, EV_READ, 0, 0);
	bufferevent_setwatermark(sock, EV_WRITE, TLS_SOCK_LOWAT,
	    TLS_SOCK_HIWAT);
	bufferevent_set_max_single_write(sock, TLS_SOCK_WRITE);
	tls_nodelay(t);
	bufferevent_set_timeouts(sock, NULL, NULL);
	return (0);
}

/*
 * Records leave one send() each (tls_sendrec): with Nagle, the second of
 * a flight would wait for the peer's delayed ACK (40 ms a request).  Once
 * per link, as soon as the fd exists: evhttp's bevcb makes the socket
 * bufferevent with fd -1 and sets the fd after tls_wrap().
 */
static void
tls_nodelay(struct tls *t)
{
	evutil_socket_t	 fd;
	int		 one = 1;

	if ((fd = bufferevent_getfd(t->sock)) == -1)
		return;
	t->nodelay = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* see tls.h */
struct bufferevent *
tls_wrap(struct tls_conf *tc, struct bufferevent *sock, int server,
    const char *peer_name, char **cause)
{
	struct tls	*t;

	if (server != tc->tc_server) {
		xasprintf(cause, "tls_wrap: not a %s configuration", server ?
		    "hub" : "node");
		bufferevent_free(sock);
		return (NULL);
	}
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->iobuf = malloc(tc->tc_bufsize)) == NULL)
		goto oom;
	t->conf = tc;
	t->sock = sock;
	t->server = server;
	t->first = -1;
	if (peer_name != NULL)
		tls_peer_set(t, peer_name);
	if (server)
		tls_engine_server(t, tc);
	else if (tls_engine_client(t, tc) == -1)
		goto oom;
	if (tls_engine_start(t, tc) == -1) {
		xasprintf(cause, "%s", t->err);
		goto fail;
	}
	if (tls_filter_open(t, sock) == -1)
		goto oom;
	/* The client's hello goes out now. */
	tls_pump(t, NULL, NULL, 0);
	return (t->bev);

oom:
	xasprintf(cause, "out of memory");
fail:
	if (t != NULL) {
		free(t->x509);
		free(t->iobuf);
		explicit_bzero(t, sizeof *t);
		free(t);
	}
	bufferevent_free(sock);
	return (NULL);
}

/*
 * Move bytes by the engine's flags until nothing moves: records to the
 * socket, socket bytes to the engine, plaintext to the reader, the
 * writer's plaintext to the engine (then flush: one record per burst).
 * Everything the engine decrypts goes to the reader's input at once
 * (at most one record past its high watermark), so nothing waits inside
 * the engine for an EV_READ that might never come.  The writer's
 * plaintext is taken only when send is set, from the output filter, so
 * that libevent runs the write callback when it is all taken.  Returns
 * -1 once the engine failed (reported); *in_n, *out_n count plaintext.
 */
static int
tls_pump(struct tls *t, size_t *in_n, size_t *out_n, int send)
{
	br_ssl_engine_context	*eng = t->eng;
	struct evbuffer		*sin = bufferevent_get_input(t->sock);
	struct evbuffer		*sout = bufferevent_get_output(t->sock);
	struct evbuffer		*pin = bufferevent_get_input(t->bev);
	struct evbuffer		*pout = bufferevent_get_output(t->bev);
	unsigned char		*buf;
	size_t			 len, n, in = 0, out = 0, direct = 0;
	size_t			 hold = 0;
	unsigned		 st;
	int			 unflushed = 0, empty = 0, err, k;

	if (t->failed)
		return (-1);
	if (!t->nodelay)
		tls_nodelay(t);
	if (t->kernel == 1)
		return (tls_kernel_pump(t, in_n, out_n, send));
	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st == BR_SSL_CLOSED)
			break;
		if (st & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			if (tls_sendrec(t, buf, len) == -1)
				return (-1);
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			buf = br_ssl_engine_recvapp_buf(eng, &len);
			if (evbuffer_add(pin, buf, len) == -1) {
				tls_fail(t, "out of memory");
				return (-1);
			}
			br_ssl_engine_recvapp_ack(eng, len);
			in += len;
			continue;
		}
		if (send && (st & BR_SSL_SENDAPP) && !t->shut_req &&
		    evbuffer_get_length(pout) > 0 &&
		    evbuffer_get_length(sout) < TLS_SOCK_HIWAT &&
		    (!t->hold || (hold = tls_hold_room(t, unflushed)) > 0)) {
			buf = br_ssl_engine_sendapp_buf(eng, &len);
			if (t->hold && len > hold)
				len = hold;
			n = evbuffer_remove(pout, buf, len);
			br_ssl_engine_sendapp_ack(eng, n);
			out += n;
			unflushed = 1;
			continue;
		}
		if ((st & BR_SSL_RECVREC) && evbuffer_get_length(sin) > 0) {
			buf = br_ssl_engine_recvrec_buf(eng, &len);
			n = evbuffer_remove(sin, buf, len);
			tls_track(t, buf, n);
			br_ssl_engine_recvrec_ack(eng, n);
			continue;
		}
		if ((st & BR_SSL_RECVREC) && !send && !empty &&
		    direct < TLS_DIRECT_MAX &&
		    evbuffer_get_length(pin) < TLS_DIRECT_IN &&
		    (bufferevent_get_enabled(t->bev) & EV_READ)) {
			if ((k = tls_recvrec(t, &n)) == -1)
				return (-1);
			if (k >= 1) {
				direct += n;
				empty = k == 2;
				continue;
			}
		}
		if (unflushed) {
			br_ssl_engine_flush(eng, 0);
			unflushed = 0;
			continue;
		}
		break;
	}
	if (in_n != NULL)
		*in_n = in;
	if (out_n != NULL)
		*out_n = out;

	if (st == BR_SSL_CLOSED) {
		/* The engine never closes by itself but on an error or a
		 * close_notify from the peer (a non-Tentacle peer, or a hub
		 * that closes everything): an EOF then. */
		if ((err = br_ssl_engine_last_error(eng)) != BR_ERR_OK) {
			tls_engine_error(t, err);
			tls_fail(t, NULL);
			return (-1);
		}
		if (!t->eof) {
			t->eof = 1;
			bufferevent_trigger_event(t->bev, BEV_EVENT_EOF |
			    BEV_EVENT_READING, BEV_TRIG_DEFER_CALLBACKS);
		}
		return (0);
	}
	if (!t->done && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) {
		t->done = 1;
		if (t->tofu_store)
			tls_known_store(t);
		t->tofu_store = 0;
		if (!t->server)
			tls_sess_done(t);
		/* The x509 context is needed no more. */
		br_ssl_engine_set_x509(eng, NULL);
		free(t->x509);
		t->x509 = NULL;
	}
	if (t->done && t->kernel == 0)
		tls_kernel_start(t);
	return (0);
}

/*
 * One direction's AES-128-GCM key, salt (implicit IV) and next sequence
 * number (tx: what t sends), for kernel TLS and tls_kernel_keys().
 * BearSSL gives out none of them: the keys are the RFC 5246 key block
 * from the session's master secret and the hello randoms; the randoms
 * and the sequence numbers are br_ssl_engine_context fields that
 * bearssl_ssl.h calls opaque (another BearSSL may move them: the risk of
 * --enable-ktls).  -1 for other suites.
 */
static int
tls_keys(struct tls *t, int tx, unsigned char *key, unsigned char *salt,
    uint64_t *seq)
{
	br_ssl_engine_context	*eng = t->eng;
	br_ssl_session_parameters sp;
	br_tls_prf_seed_chunk	 seed[2];
	unsigned char		 kb[40];
	int			 srv = (t->server != 0) == (tx != 0);

	br_ssl_engine_get_session_parameters(eng, &sp);
	if (sp.cipher_suite != BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 &&
	    sp.cipher_suite != BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) {
		explicit_bzero(&sp, sizeof sp);
		return (-1);
	}
	/* client_write_key, server_write_key, client_IV, server_IV */
	seed[0].data = eng->server_random;
	seed[0].len = sizeof eng->server_random;
	seed[1].data = eng->client_random;
	seed[1].len = sizeof eng->client_random;
	br_tls12_sha256_prf(kb, sizeof kb, sp.master_secret,
	    sizeof sp.master_secret, "key expansion", 2, seed);
	memcpy(key, kb + (srv ? 16 : 0), 16);
	memcpy(salt, kb + (srv ? 36 : 32), 4);
	*seq = tx ? eng->out.gcm.seq : eng->in.gcm.seq;
	explicit_bzero(kb, sizeof kb);
	explicit_bzero(&sp, sizeof sp);
	return (0);
}

/* see tls.h */
int
tls_kernel_keys(struct bufferevent *bev, int tx, unsigned char *key,
    unsigned char *salt, uint64_t *seq)
{
	struct tls	*t = tls_get(bev);

	if (t == NULL || !t->done)
		return (-1);
	return (tls_keys(t, tx, key, salt, seq));
}

#if ENABLE_KTLS
/*
 * Kernel TLS (configure --enable-ktls; doc/performance.md, "TLS links,
 * issue 14"): after the handshake, once nothing waits on either side of
 * the engine (no ciphertext queued in or out, at a record boundary both
 * ways), give the TLS 1.2 AES-128-GCM keys and sequence numbers to the
 * kernel (TCP_ULP "tls", TLS_TX, TLS_RX; tls_keys()); the link is then
 * plaintext to us and tls_kernel_pump() only moves bytes.  Off by
 * default: no machine here has the tls module (setsockopt answers
 * ENOENT), so only that fallback ran; after the first ENOENT no link
 * tries again.  Not for tls_hold_close() links (evhttp's last byte).
 */
static COMPAT_THREAD int tls_kernel_missing;

static void
tls_kernel_start(struct tls *t)
{
	br_ssl_engine_context	*eng = t->eng;
	struct tls12_crypto_info_aes_gcm_128 tx, rx;
	uint64_t		 seq;
	evutil_socket_t		 fd;

	if (tls_kernel_missing || t->hold) {
		t->kernel = -1;
		return;
	}
	/* Not yet: tried again after the next pump. */
	if ((fd = bufferevent_getfd(t->sock)) == -1 || t->rhdr_n > 0 ||
	    t->rleft > 0 ||
	    evbuffer_get_length(bufferevent_get_input(t->sock)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(t->sock)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(t->bev)) > 0 ||
	    (br_ssl_engine_current_state(eng) & (BR_SSL_SENDREC |
	    BR_SSL_RECVAPP)))
		return;
	memset(&tx, 0, sizeof tx);
	memset(&rx, 0, sizeof rx);
	if (tls_keys(t, 0, rx.key, rx.salt, &seq) == -1) {
		t->kernel = -1;		/* another suite */
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof "tls") ==
	    -1) {
		if (errno == ENOENT)
			tls_kernel_missing = 1;
		t->kernel = -1;
		goto out;
	}
	tx.info.version = rx.info.version = TLS_1_2_VERSION;
	tx.info.cipher_type = rx.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	/* The explicit nonce BearSSL sends is the sequence number. */
	tls_enc64be(rx.rec_seq, seq);
	memcpy(rx.iv, rx.rec_seq, sizeof rx.iv);
	(void)tls_keys(t, 1, tx.key, tx.salt, &seq);
	tls_enc64be(tx.rec_seq, seq);
	memcpy(tx.iv, tx.rec_seq, sizeof tx.iv);
	if (setsockopt(fd, SOL_TLS, TLS_TX, &tx, sizeof tx) == -1)
		t->kernel = -1;		/* ULP without keys: as before */
	else if (setsockopt(fd, SOL_TLS, TLS_RX, &rx, sizeof rx) == -1)
		tls_fail(t, "kernel TLS: %s", strerror(errno));
	else
		t->kernel = 1;
out:
	explicit_bzero(&tx, sizeof tx);
	explicit_bzero(&rx, sizeof rx);
}

/*
 * The pump once the kernel does the records: plaintext from the socket
 * to the reader, the writer's plaintext to the socket's output.
 */
static int
tls_kernel_pump(struct tls *t, size_t *in_n, size_t *out_n, int send)
{
	struct evbuffer	*sin = bufferevent_get_input(t->sock);
	struct evbuffer	*sout = bufferevent_get_output(t->sock);
	struct evbuffer	*pin = bufferevent_get_input(t->bev);
	struct evbuffer	*pout = bufferevent_get_output(t->bev);
	size_t		 in, out = 0, room;

	in = evbuffer_get_length(sin);
	if (evbuffer_add_buffer(pin, sin) == -1) {
		tls_fail(t, "out of memory");
		return (-1);
	}
	if (send && !t->shut_req &&
	    (room = evbuffer_get_length(sout)) < TLS_SOCK_HIWAT) {
		out = evbuffer_get_length(pout);
		if (out > TLS_SOCK_HIWAT - room)
			out = TLS_SOCK_HIWAT - room;
		if (evbuffer_remove_buffer(pout, sout, out) == -1) {
			tls_fail(t, "out of memory");
			return (-1);
		}
	}
	if (in_n != NULL)
		*in_n = in;
	if (out_n != NULL)
		*out_n = out;
	return (0);
}

/* Big-endian, as the kernel's rec_seq and iv want it. */
static void
tls_enc64be(unsigned char *p, uint64_t x)
{
	int	 i;

	for (i = 7; i >= 0; i--) {
		p[i] = x & 0xff;
		x >>= 8;
	}
}
#else
static void
tls_kernel_start(struct tls *t)
{
	t->kernel = -1;
}

static int
tls_kernel_pump(struct tls *t __unused, size_t *in_n __unused,
    size_t *out_n __unused, int send __unused)
{
	return (-1);
}
#endif

/* Note the first byte and the record boundaries of n bytes from the peer. */
static void
tls_track(struct tls *t, const unsigned char *buf, size_t n)
{
	size_t	 k, len;

	if (t->first == -1 && n > 0)
		t->first = buf[0];
	for (k = 0; t->nhead < sizeof t->head && k < n; k++)
		t->head[t->nhead++] = buf[k];
	/* Record boundaries, for a clean TCP EOF. */
	for (k = 0; k < n; ) {
		if (t->rleft > 0) {
			len = n - k < t->rleft ? n - k : t->rleft;
			t->rleft -= len;
			k += len;
			continue;
		}
		t->rhdr[t->rhdr_n++] = buf[k++];
		if (t->rhdr_n == 5) {
			t->rleft = (t->rhdr[3] << 8) | t->rhdr[4];
			t->rhdr_n = 0;
		}
	}
}

/*
 * Records out: straight to the socket while nothing waits in its output
 * (no copy, no EV_WRITE round trip); what it does not take, and any error
 * (libevent meets it again and reports it), goes to the output.  -1: out
 * of memory (t failed).
 */
static int
tls_sendrec(struct tls *t, unsigned char *buf, size_t len)
{
	struct evbuffer	*sout = bufferevent_get_output(t->sock);
	ssize_t		 n = 0;

	if (evbuffer_get_length(sout) == 0) {
		do {
			n = send(bufferevent_getfd(t->sock), buf, len,
			    MSG_NOSIGNAL);
		} while (n == -1 && errno == EINTR);
		if (n < 0)
			n = 0;
	}
	if ((size_t)n < len &&
	    evbuffer_add(sout, buf + n, len - n) == -1) {
		tls_fail(t, "out of memory");
		return (-1);
	}
	br_ssl_engine_sendrec_ack(t->eng, len);
	return (0);
}

/*
 * How many of n bytes at buf, the next ones the engine reads, belong to
 * the record it is receiving (t's record tracking is where the engine
 * is): the rest of a body, or of a header and then the body it announces.
 */
static size_t
tls_rec_end(struct tls *t, const unsigned char *buf, size_t n)
{
	unsigned char	 h[5];
	size_t		 need, len;

	if (t->rhdr_n == 0 && t->rleft > 0)
		return (n < t->rleft ? n : t->rleft);
	need = 5 - t->rhdr_n;
	if (n <= need)
		return (n);
	memcpy(h, t->rhdr, t->rhdr_n);
	memcpy(h + t->rhdr_n, buf, need);
	len = need + ((h[3] << 8) | h[4]);
	return (n < len ? n : len);
}

/*
 * Give the engine n bytes already in place at buf, its recvrec buffer:
 * BearSSL takes a header, then the body behind it in the same buffer, so
 * acknowledging piece by piece moves no byte.  Anything it did not
 * offer room for (its buffer moved: it failed) goes back in front of
 * the socket's input.  -1: out of memory (t failed).
 */
static int
tls_feed(struct tls *t, unsigned char *buf, size_t n)
{
	struct evbuffer	*sin = bufferevent_get_input(t->sock);
	unsigned char	*b;
	size_t		 k, m, len;

	for (k = 0; k < n; k += m) {
		b = br_ssl_engine_recvrec_buf(t->eng, &len);
		if (b != buf + k || len == 0) {
			if (evbuffer_prepend(sin, buf + k, n - k) == -1) {
				tls_fail(t, "out of memory");
				return (-1);
			}
			break;
		}
		m = n - k < len ? n - k : len;
		tls_track(t, buf + k, m);
		br_ssl_engine_recvrec_ack(t->eng, m);
	}
	return (0);
}

/*
 * Ciphertext in, straight from the socket into the engine (the socket's
 * input is empty).  BearSSL asks for a record's 5-byte header, then for
 * its body: two recv() a record.  Once the handshake is done (records
 * are then whole before BearSSL reads them) take as much as its input
 * buffer holds from there: the rest of this record goes to the engine
 * in place, what follows (the start of the next) to the socket's input,
 * which the pump empties first; that evbuffer is freed once drained, so
 * an idle link holds nothing more.  One recv() a record, and a copy of
 * the few hundred bytes past it.  The buffer's bounds are
 * br_ssl_engine_context fields (public in bearssl_ssl.h, though BearSSL
 * says not to touch them): only read, and only to size the recv().
 * Returns 1 with *got bytes, 2 with fewer than asked for (the socket was
 * empty: the pump stops reading, and the level-triggered EV_READ calls
 * it again when more comes; a recv() for EAGAIN saved per burst), 0 when
 * nothing came (EAGAIN; or EOF, which libevent's next read reports), -1
 * on an error (t failed).
 */
static int
tls_recvrec(struct tls *t, size_t *got)
{
	br_ssl_engine_context	*eng = t->eng;
	struct evbuffer		*sin = bufferevent_get_input(t->sock);
	unsigned char		*buf;
	size_t			 len, room, keep;
	ssize_t			 n;
	evutil_socket_t		 fd;

	if (t->rdone || (fd = bufferevent_getfd(t->sock)) == -1)
		return (0);
	buf = br_ssl_engine_recvrec_buf(eng, &len);
	room = len;
	if (buf >= eng->ibuf && buf < eng->ibuf + eng->ibuf_len &&
	    (size_t)(eng->ibuf + eng->ibuf_len - buf) > len)
		room = eng->ibuf + eng->ibuf_len - buf;
	do {
		n = recv(fd, buf, room, 0);
	} while (n == -1 && errno == EINTR);
	/* Not connected yet: libevent's connect and read come first. */
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOTCONN))
		return (0);
	if (n <= 0) {
		t->rdone = 1;
		if (n == 0)
			return (0);
		tls_fail(t, "%s", strerror(errno));
		return (-1);
	}
	/*
	 * The surplus leaves the engine's buffer before it decrypts; the
	 * input is empty, and libevent freezes its end (prepend only).
	 */
	keep = tls_rec_end(t, buf, n);
	if (keep < (size_t)n &&
	    evbuffer_prepend(sin, buf + keep, n - keep) == -1) {
		tls_fail(t, "out of memory");
		return (-1);
	}
	if (tls_feed(t, buf, keep) == -1)
		return (-1);
	*got = n;
	return ((size_t)n < room ? 2 : 1);
}

/*
 * Mark t failed, keep the first reason (fmt NULL: t->err is set), stop
 * reading and tell the user with BEV_EVENT_ERROR (errno EPROTO), from
 * the loop: the user may free the link in its event callback.
 */
static void
tls_fail(struct tls *t, const char *fmt, ...)
{
	va_list	 ap;

	if (t->failed)
		return;
	t->failed = 1;
	if (!t->server && !t->done)
		tls_sess_forget(t);
	if (fmt != NULL && t->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(t->err, sizeof t->err, fmt, ap);
		va_end(ap);
	}
	if (t->err[0] == '\0')
		strlcpy(t->err, "TLS failure", sizeof t->err);
	bufferevent_disable(t->sock, EV_READ);
	evbuffer_drain(bufferevent_get_input(t->sock),
	    evbuffer_get_length(bufferevent_get_input(t->sock)));
	errno = EPROTO;
	bufferevent_trigger_event(t->bev, BEV_EVENT_ERROR | BEV_EVENT_READING,
	    BEV_TRIG_DEFER_CALLBACKS);
}

static const char *
tls_alert_name(int a)
{
	switch (a) {
	case 0:		return ("close_notify");
	case 10:	return ("unexpected_message");
	case 20:	return ("bad_record_mac");
	case 22:	return ("record_overflow");
	case 40:	return ("handshake_failure");
	case 42:	return ("bad_certificate");
	case 43:	return ("unsupported_certificate");
	case 44:	return ("certificate_revoked");
	case 45:	return ("certificate_expired");
	case 46:	return ("certificate_unknown");
	case 47:	return ("illegal_parameter");
	case 48:	return ("unknown_ca");
	case 50:	return ("decode_error");
	case 51:	return ("decrypt_error");
	case 70:	return ("protocol_version");
	case 71:	return ("insufficient_security");
	case 80:	return ("internal_error");
	case 90:	return ("user_canceled");
	case 100:	return ("no_renegotiation");
	case 110:	return ("unsupported_extension");
	case 112:	return ("unrecognized_name");
	}
	return ("unknown alert");
}

/* BearSSL errors that read the same on every link (tls_engine_error()). */
static const struct {
	int		 code;
	const char	*text;
} tls_engine_errors[] = {
	{ BR_ERR_X509_NOT_TRUSTED, "unknown CA: the hub's certificate chain "
	    "does not lead to a certificate in the CA file" },
	{ BR_ERR_X509_EXPIRED, "the hub's certificate is expired or not yet "
	    "valid (check the clocks)" },
	{ BR_ERR_X509_BAD_SIGNATURE, "a signature in the hub's certificate "
	    "chain is wrong" },
	{ BR_ERR_X509_NOT_CA, "the hub's chain uses a certificate that is not "
	    "a CA" },
	{ BR_ERR_X509_WEAK_PUBLIC_KEY, "the hub's certificate key is too "
	    "weak" },
	{ BR_ERR_X509_EMPTY_CHAIN, "the hub sent no certificate" },
	{ BR_ERR_X509_UNSUPPORTED, "the hub's certificate uses an unsupported "
	    "algorithm" },
	{ BR_ERR_X509_WRONG_KEY_TYPE, "the hub's certificate uses an "
	    "unsupported algorithm" },
	{ BR_ERR_BAD_MAC, "bad record MAC: data corrupted or tampered with in "
	    "transit" },
	{ BR_ERR_UNSUPPORTED_VERSION, "the peer does not speak TLS 1.2" },
	{ BR_ERR_BAD_VERSION, "the peer does not speak TLS 1.2" },
	{ BR_ERR_BAD_CIPHER_SUITE, "no cipher suite in common (ECDHE with "
	    "AES-GCM or ChaCha20-Poly1305 is required)" },
	{ BR_ERR_NO_RANDOM, "no random source" },
	{ BR_ERR_TOO_LARGE, "record too large for this link's TLS buffer" },
	{ BR_ERR_BAD_SIGNATURE, "the hub's handshake signature is wrong (the "
	    "key does not match its certificate)" },
	{ BR_ERR_IO, "I/O error" },
};

/*
 * More of what a peer that does not speak TLS sent, into t->head: what
 * waits in the socket's bufferevent, then in the socket (peeked), after
 * what the engine took.  Only to say who it was.
 */
static void
tls_peek_head(struct tls *t)
{
	struct evbuffer	*in = bufferevent_get_input(t->sock);
	evutil_socket_t	 fd = bufferevent_getfd(t->sock);
	size_t		 room = sizeof t->head - t->nhead, inlen;
	ev_ssize_t	 n = 0;

	inlen = evbuffer_get_length(in);
	if (room > 0 && inlen > 0 && (n = evbuffer_copyout(in, t->head +
	    t->nhead, room)) > 0) {
		t->nhead += n;
		room -= n;
	}
	if (room > 0 && (size_t)n == inlen && fd != -1 &&
	    (n = recv(fd, (char *)t->head + t->nhead, room, MSG_PEEK)) > 0)
		t->nhead += n;
}

/*
 * A fatal unexpected_message alert, straight to the socket, for a peer
 * that sent plaintext: a node without TLS reads it as "the hub speaks
 * TLS" (tls_record_like()).  Best effort: the link is failing anyway.
 */
static void
tls_alert_raw(struct tls *t)
{
	static const unsigned char alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02,
				    0x02, 0x0a };
	evutil_socket_t		 fd;

	if ((fd = bufferevent_getfd(t->sock)) != -1)
		(void)send(fd, (const char *)alert, sizeof alert, 0);
}

/* see tls.h */
int
tls_record_like(const unsigned char *p, size_t n)
{
	return (n >= 2 && p[0] >= 0x14 && p[0] <= 0x18 && p[1] == 0x03);
}

/* BearSSL error code to a sentence in t->err (unless one is there). */
static void
tls_engine_error(struct tls *t, int err)
{
	const char	*who = t->server ? "node" : "hub";
	size_t		 i;

	if (t->err[0] != '\0')
		return;
	/*
	 * A peer that does not speak TLS: its first byte is no record.  A
	 * Tentacle peer that runs -insecure starts with a frame header; a
	 * plaintext node hears an alert, which it recognises (no TLS peer
	 * answers it: it is there for a node without TLS to read).
	 */
	if (!t->done && t->first != -1 && t->first != 0x16 &&
	    t->first != 0x15) {
		tls_peek_head(t);
		if (t->server && TLS_API(t->head, t->nhead)) {
			tls_alert_raw(t);
			snprintf(t->err, sizeof t->err, "not a node: an admin "
			    "client (tentacle info, drain, undrain, redial) "
			    "came to a node port, which speaks TLS; admin "
			    "commands go to the hub's admin socket or port "
			    "(admin= in its \"hub ready\" line)");
		} else if (t->nhead >= 4 && TLS_PLAIN(t->head) && t->server) {
			tls_alert_raw(t);
			snprintf(t->err, sizeof t->err, "the node does not "
			    "speak TLS: it sent plaintext frames (it runs "
			    "-insecure or insecure: true); told it to remove "
			    "-insecure");
		} else if (!t->server && TLS_HTTP(t->head, t->nhead))
			snprintf(t->err, sizeof t->err, "the server answered "
			    "in HTTP: not a hub's control port (its admin "
			    "port?); nodes connect to the control port "
			    "(control= in the hub's \"hub ready\" line)");
		else if (t->nhead >= 4 && TLS_PLAIN(t->head))
			snprintf(t->err, sizeof t->err, "the hub does not speak "
			    "TLS: it answered in plaintext, so it runs "
			    "-insecure; give the node -insecure (insecure: "
			    "true), or run the hub without -insecure");
		else
			snprintf(t->err, sizeof t->err, "the %s does not speak "
			    "TLS (a plaintext link? both sides need -insecure "
			    "for that)", who);
		return;
	}
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT) {
		snprintf(t->err, sizeof t->err, "the %s refused the TLS "
		    "session (alert %d: %s)%s", who,
		    err - BR_ERR_RECV_FATAL_ALERT,
		    tls_alert_name(err - BR_ERR_RECV_FATAL_ALERT),
		    t->server ? "; the node's log says why" : "");
		return;
	}
	if (err >= BR_ERR_SEND_FATAL_ALERT) {
		snprintf(t->err, sizeof t->err, "TLS session aborted (sent "
		    "alert %d: %s)", err - BR_ERR_SEND_FATAL_ALERT,
		    tls_alert_name(err - BR_ERR_SEND_FATAL_ALERT));
		return;
	}
	if (err == BR_ERR_X509_BAD_SERVER_NAME) {
		snprintf(t->err, sizeof t->err, "the hub's certificate is not "
		    "for the name \"%s\" (check server_addr against the "
		    "certificate's names; a hub's own self-signed certificate "
		    "names tentacle-hub: pin it with -fingerprint instead)",
		    t->host);
		return;
	}
	for (i = 0; i < nitems(tls_engine_errors); i++) {
		if (tls_engine_errors[i].code == err) {
			strlcpy(t->err, tls_engine_errors[i].text,
			    sizeof t->err);
			return;
		}
	}
	if (err >= BR_ERR_X509_OK && err < BR_ERR_RECV_FATAL_ALERT)
		snprintf(t->err, sizeof t->err, "the hub's certificate is "
		    "malformed or unsupported (BearSSL X.509 error %d)", err);
	else
		snprintf(t->err, sizeof t->err, "TLS protocol error (BearSSL "
		    "error %d)", err);
}

/* Input filter: ciphertext in, plaintext out.  See tls_pump(). */
static enum bufferevent_filter_result
tls_filter_in(struct evbuffer *src __unused, struct evbuffer *dst __unused,
    ev_ssize_t lim __unused, enum bufferevent_flush_mode mode __unused,
    void *arg)
{
	struct tls	*t = arg;
	size_t		 in = 0;

	if (tls_pump(t, &in, NULL, 0) == -1)
		return (BEV_ERROR);
	return (in > 0 ? BEV_OK : BEV_NEED_MORE);
}

/* Output filter: plaintext in, records to the socket. */
static enum bufferevent_filter_result
tls_filter_out(struct evbuffer *src __unused, struct evbuffer *dst __unused,
    ev_ssize_t lim __unused, enum bufferevent_flush_mode mode __unused,
    void *arg)
{
	struct tls	*t = arg;
	size_t		 out = 0;

	if (tls_pump(t, NULL, &out, 1) == -1)
		return (BEV_ERROR);
	return (out > 0 ? BEV_OK : BEV_NEED_MORE);
}

/* Is t's user bufferevent still there?  (Freeing it unhooks the socket.) */
static int
tls_alive(struct tls *t)
{
	bufferevent_data_cb	 rcb;

	bufferevent_getcb(t->sock, &rcb, NULL, NULL, NULL);
	return (rcb == tls_sock_read_cb);
}

/*
 * After the filter ran on a socket event: plaintext written before the
 * handshake completed goes out now; a pending half-close may be due.
 */
static void
tls_after(struct tls *t)
{
	if (t->failed)
		return;
	if (t->done && evbuffer_get_length(bufferevent_get_output(t->bev)) > 0 &&
	    (br_ssl_engine_current_state(t->eng) & BR_SSL_SENDAPP)) {
		bufferevent_flush(t->bev, EV_WRITE, BEV_NORMAL);
		if (!tls_alive(t))
			return;
	}
	tls_shut_try(t);
}

static void
tls_sock_read_cb(struct bufferevent *sock, void *arg)
{
	struct tls	*t = arg;

	t->f_readcb(sock, t->f_arg);	/* pump, then the user's read cb */
	if (tls_alive(t))
		tls_after(t);
}

static void
tls_sock_write_cb(struct bufferevent *sock, void *arg)
{
	struct tls	*t = arg;

	t->f_writecb(sock, t->f_arg);	/* more plaintext, user's write cb */
	if (tls_alive(t))
		tls_after(t);
}

static void
tls_sock_event_cb(struct bufferevent *sock __unused, short what, void *arg)
{
	struct tls	*t = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	if (t->failed)
		return;
	if (what & BEV_EVENT_EOF) {
		/* Everything read was given to the engine already. */
		tls_pump(t, NULL, NULL, 0);
		if (t->failed || t->eof)
			return;
		if (!t->done)
			tls_fail(t, "the %s closed the connection during the "
			    "TLS handshake%s", t->server ? "node" : "hub",
			    t->server ? "" : " (wrong port, the hub refused "
			    "this node: see its log, or the hub runs "
			    "-insecure: then the node needs insecure: true)");
		else if (t->rhdr_n > 0 || t->rleft > 0)
			tls_fail(t, "connection cut in the middle of a TLS "
			    "record (truncated)");
		else {
			t->eof = 1;
			bufferevent_trigger_event(t->bev, what,
			    BEV_TRIG_DEFER_CALLBACKS);
		}
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		t->failed = 1;
		snprintf(t->err, sizeof t->err, "%s",
		    evutil_socket_error_to_string(error));
		EVUTIL_SET_SOCKET_ERROR(error);
	}
	bufferevent_trigger_event(t->bev, what, BEV_TRIG_DEFER_CALLBACKS);
}

/* see tls.h */
void
tls_shutdown_write(struct bufferevent *bev)
{
	struct tls	*t;

	if ((t = tls_get(bev)) == NULL) {
		shutdown(bufferevent_getfd(bev), SHUT_WR);
		return;
	}
	if (t->shut_req)
		return;
	t->shut_req = 1;
	/* Be told when the socket's output is empty, not half empty. */
	bufferevent_setwatermark(t->sock, EV_WRITE, 0, TLS_SOCK_HIWAT);
	tls_shut_try(t);
}

/* SHUT_WR once all plaintext is encrypted and the socket took it all. */
static void
tls_shut_try(struct tls *t)
{
	if (!t->shut_req || t->shut || !t->done || t->failed)
		return;
	if (evbuffer_get_length(bufferevent_get_output(t->bev)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(t->sock)) > 0)
		return;
	t->shut = 1;
	shutdown(bufferevent_getfd(t->sock), SHUT_WR);
}

/* see tls.h */
void
tls_hold_close(struct bufferevent *bev)
{
	struct tls	*t;

	if ((t = tls_get(bev)) == NULL || t->hold)
		return;
	t->hold = 1;
	/* The held byte goes when the socket's output is empty, not half. */
	bufferevent_setwatermark(t->sock, EV_WRITE, 0, TLS_SOCK_HIWAT);
	/* Out of memory: evhttp's answers then wait for its timeout. */
	t->hold_cbe = evbuffer_add_cb(bufferevent_get_output(bev),
	    tls_hold_out_cb, t);
}

/*
 * evhttp writes an answer while EV_WRITE is disabled (it was reading),
 * then enables EV_WRITE; a filter is not told of that (only more output
 * and the socket's write callback run it), so the answer would wait for
 * the peer's next bytes.  Run the filter from the loop instead.
 */
static void
tls_hold_out_cb(struct evbuffer *buf __unused,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct tls	*t = arg;

	if (info->n_added == 0 ||
	    (bufferevent_get_enabled(t->bev) & EV_WRITE) ||
	    tls_hold_event(t) == NULL)
		return;
	event_active(t->hold_ev, EV_WRITE, 1);
}

/* hold_ev, made once the fd is known; NULL before, or out of memory. */
static struct event *
tls_hold_event(struct tls *t)
{
	evutil_socket_t	 fd;

	if (t->hold_ev == NULL && (fd = bufferevent_getfd(t->sock)) != -1)
		t->hold_ev = event_new(bufferevent_get_base(t->sock), fd,
		    EV_WRITE, tls_hold_cb, t);
	return (t->hold_ev);
}

/*
 * tls_hold_close(): how many bytes of the user's output (not empty) the
 * pump may take now.  All but the last; the last only once every record
 * before it left (nothing unflushed in the engine, the socket's output
 * empty) and the kernel will take its small record whole (POLLOUT: a
 * third of the send buffer free), so that the user's write callback,
 * which runs when the output is empty, means "all on the wire": evhttp
 * then frees the link and shutdown(SHUT_WR)s the socket at once.  The
 * socket's write callback (low watermark 0) or hold_ev pumps again.
 */
static size_t
tls_hold_room(struct tls *t, int unflushed)
{
	struct pollfd	 pfd;
	evutil_socket_t	 fd;
	size_t		 len;

	if ((len = evbuffer_get_length(bufferevent_get_output(t->bev))) > 1)
		return (len - 1);
	if (unflushed || evbuffer_get_length(bufferevent_get_output(t->sock)) >
	    0)
		return (0);
	if ((fd = bufferevent_getfd(t->sock)) == -1)
		return (1);
	pfd.fd = fd;		/* Windows: WSAPoll (compat/win32/poll.h) */
	pfd.events = POLLOUT;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 0)
		return (1);	/* writable, or an error send() will meet */
	if (tls_hold_event(t) == NULL)
		return (1);	/* no memory: as without tls_hold_close() */
	event_add(t->hold_ev, NULL);
	return (0);
}

/* The socket can take the held byte's record, or evhttp enabled EV_WRITE. */
static void
tls_hold_cb(evutil_socket_t fd __unused, short what __unused, void *arg)
{
	struct tls	*t = arg;

	/* Freed (evhttp's last write callback): tls_ctx_free() comes. */
	if (!tls_alive(t))
		return;
	bufferevent_flush(t->bev, EV_WRITE, BEV_NORMAL);
	if (tls_alive(t))
		tls_shut_try(t);
}

/*
 * The filter is being freed (from the loop, after bufferevent_free()):
 * records already made may still be in the socket's output; let them go
 * out, for TLS_LINGER_S at most, then close.  The engine goes now.
 */
static void
tls_ctx_free(void *arg)
{
	struct tls	*t = arg;
	struct timeval	 tv = { TLS_LINGER_S, 0 };

	if (evbuffer_get_length(bufferevent_get_output(t->sock)) > 0 &&
	    !t->shut) {
		bufferevent_incref(t->sock);
		bufferevent_setcb(t->sock, NULL, tls_linger_write_cb,
		    tls_linger_event_cb, NULL);
		bufferevent_setwatermark(t->sock, EV_WRITE, 0, 0);
		bufferevent_set_timeouts(t->sock, NULL, &tv);
		bufferevent_disable(t->sock, EV_READ);
		bufferevent_enable(t->sock, EV_WRITE);
	}
	if (t->hold_ev != NULL)
		event_free(t->hold_ev);
	if (t->hold_cbe != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_output(t->bev),
		    t->hold_cbe);
	explicit_bzero(t->eng, sizeof t->u);
	tls_wipe_offer(t);
	free(t->x509);
	free(t->iobuf);
	free(t);
}

static void
tls_linger_write_cb(struct bufferevent *sock, void *arg __unused)
{
	bufferevent_free(sock);
}

static void
tls_linger_event_cb(struct bufferevent *sock, short what __unused,
    void *arg __unused)
{
	bufferevent_free(sock);
}

/* The tls behind a wrapped bufferevent, or NULL. */
static struct tls *
tls_get(struct bufferevent *bev)
{
	struct bufferevent	*sock;
	bufferevent_data_cb	 rcb;
	void			*arg;

	if (bev == NULL || (sock = bufferevent_get_underlying(bev)) == NULL)
		return (NULL);
	bufferevent_getcb(sock, &rcb, NULL, NULL, &arg);
	if (rcb != tls_sock_read_cb)
		return (NULL);
	return (arg);
}

/* see tls.h */
int
tls_is_wrapped(struct bufferevent *bev)
{
	return (tls_get(bev) != NULL);
}

/* see tls.h */
int
tls_handshake_done(struct bufferevent *bev)
{
	struct tls	*t = tls_get(bev);

	return (t != NULL && t->done);
}

/* see tls.h */
int
tls_resumed(struct bufferevent *bev)
{
	struct tls	*t = tls_get(bev);

	return (t != NULL && t->done && t->resumed);
}

/* see tls.h */
const char *
tls_error(struct bufferevent *bev)
{
	struct tls	*t = tls_get(bev);

	if (t == NULL || t->err[0] == '\0')
		return (NULL);
	return (t->err);
}

/* see tls.h */
const char *
tls_cipher(struct bufferevent *bev)
{
	struct tls		*t = tls_get(bev);
	br_ssl_session_parameters sp;

	if (t == NULL || !t->done)
		return (NULL);
	br_ssl_engine_get_session_parameters(t->eng, &sp);
	switch (sp.cipher_suite) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
		return ("ECDHE-ECDSA-AES128-GCM-SHA256");
	case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
		return ("ECDHE-RSA-AES128-GCM-SHA256");
	case BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
		return ("ECDHE-ECDSA-AES256-GCM-SHA384");
	case BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		return ("ECDHE-RSA-AES256-GCM-SHA384");
	case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		return ("ECDHE-ECDSA-CHACHA20-POLY1305");
	case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		return ("ECDHE-RSA-CHACHA20-POLY1305");
	}
	return ("unknown");
}

/* see tls.h */
int
tls_kernel(struct bufferevent *bev)
{
	struct tls	*t = tls_get(bev);

	return (t != NULL ? t->kernel : 0);
}

/* see tls.h */
evutil_socket_t
tls_getfd(struct bufferevent *bev)
{
	struct tls	*t = tls_get(bev);

	return (bufferevent_getfd(t != NULL ? t->sock : bev));
}
