/*
 * tls.h: TLS 1.2 (BearSSL) on the control and data links; doc/tls.md.
 *
 * A link is wrapped once, right after connect/accept; the bufferevent
 * tls_wrap() returns is used exactly like the plaintext one: write
 * plaintext, read plaintext, callbacks, watermarks, enable/disable,
 * bufferevent_free().  Three differences, all on purpose:
 *  - shut the write side down with tls_shutdown_write(), never with
 *    shutdown(2) on bufferevent_getfd() (that would cut ciphertext still
 *    queued; tls_shutdown_write() works on plaintext bufferevents too);
 *  - the socket is tls_getfd(bev) (bufferevent_getfd() of a wrapped
 *    bufferevent is -1);
 *  - a handshake or verification failure reaches the event callback as
 *    BEV_EVENT_ERROR with errno EPROTO; tls_error() says what went wrong.
 * The handshake needs EV_READ enabled on the wrapped bufferevent (it is
 * by default after relay_new() and in every caller today).
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>
#include <event2/util.h>

struct bufferevent;
struct tls_conf;

/* Default file names in the hub's state directory. */
#define TLS_HUB_CRT	"hub.crt"
#define TLS_HUB_KEY	"hub.key"
#define TLS_FILE_MAX	(1024 * 1024)	/* PEM files: tls_file_read() */

/* "sha256:" + 64 hex digits + NUL. */
#define TLS_FP_LEN	(7 + 64 + 1)

/*
 * Hub: load a PEM certificate chain (EE first) and its private key (RSA
 * or EC; PKCS#8, "RSA PRIVATE KEY" or "EC PRIVATE KEY").  Checks that the
 * key matches the certificate.  NULL with *cause (allocated) on error.
 */
struct tls_conf	*tls_server_conf(const char *crt_pem, const char *key_pem,
		    char **cause);
/*
 * If state_dir/hub.crt or state_dir/hub.key is missing, create state_dir
 * (0700) and write an EC P-256 key and a self-signed certificate
 * (CN=tentacle-hub, 100 years), both 0600, via temp file + rename.  A key
 * without a certificate gets a new certificate for the same key (same
 * fingerprint); a certificate without its key is an error.  Existing
 * files are reused as they are.  *crt_path, *key_path are allocated.
 * Returns 1 when files were created, 0 when reused, -1 with *cause.
 */
int		 tls_selfsigned_ensure(const char *state_dir, char **crt_path,
		    char **key_path, char **cause);
/*
 * "sha256:<64 lowercase hex>": SHA-256 of the DER SubjectPublicKeyInfo of
 * the hub's key; a re-issued certificate for the same key keeps it.
 * Equals `openssl x509 -in hub.crt -pubkey -noout | openssl pkey -pubin
 * -outform DER | sha256sum`.
 */
const char	*tls_conf_fingerprint(struct tls_conf *);

/*
 * Node: how to trust the hub, in this order:
 *  - fingerprint (non-NULL, non-empty): the hub's key must have this
 *    fingerprint ("sha256:" + hex, case and ':' separators ignored); the
 *    certificate is not checked otherwise (names, dates: like SSH);
 *  - ca_file: the chain must lead to a certificate of this PEM file
 *    (br_x509_minimal), be valid now, and name the host of peer_name;
 *  - neither: trust on first use through known_hosts ("host:port
 *    sha256:..." lines); a new host is stored (file created 0600) after
 *    its handshake succeeds, a changed key is refused.
 */
struct tls_conf	*tls_client_conf(const char *fingerprint, const char *ca_file,
		    const char *known_hosts, char **cause);
/*
 * Offer (node) or prefer (hub) ChaCha20-Poly1305 before AES-GCM, as both
 * do by themselves on a CPU for which BearSSL has no AES hardware code.
 * The hub takes the node's order unless it prefers ChaCha20 itself, so
 * a link uses ChaCha20 when either end lacks AES hardware.  For tests.
 */
void		 tls_conf_chacha_first(struct tls_conf *);
/* Parse a user-supplied fingerprint into canonical form (out: TLS_FP_LEN). */
int		 tls_fingerprint_parse(const char *, char *out);
void		 tls_conf_free(struct tls_conf *);
/*
 * Remove every known_hosts line of host ("host:port", as the node's
 * -server names it) from path: a temporary file in the same directory
 * renamed over path, with path's mode.  Returns the number of lines
 * removed (0: none, path untouched), or -1 with *cause.
 */
int		 tls_known_forget(const char *path, const char *host,
		    char **cause);
/*
 * Do these first bytes from a peer look like a TLS record (a handshake or
 * an alert, version 3.x)?  For a plaintext link that meets a TLS peer.
 */
int		 tls_record_like(const unsigned char *, size_t);

/*
 * Take ownership of sock (a socket bufferevent made with
 * BEV_OPT_CLOSE_ON_FREE; connected, accepted or still connecting) and
 * return the plaintext bufferevent over it, or NULL with *cause (sock is
 * then freed).  sock's callbacks, watermarks and timeouts are replaced;
 * set yours on the result.  peer_name (clients): the hub as the node
 * names it, "host:port" (server_addr); give the same string for the
 * data links, which belong to the same hub.  The handshake starts at
 * once; data written before it completes is sent after it.
 * bufferevent_free() of the result frees everything; ciphertext already
 * made still goes out (for 5 s at most), like a last BYE.
 */
struct bufferevent *tls_wrap(struct tls_conf *, struct bufferevent *sock,
		    int server, const char *peer_name, char **cause);
/* Is bev a wrapped bufferevent? */
int		 tls_is_wrapped(struct bufferevent *);
/* 1 once the handshake completed (the first plaintext can flow). */
int		 tls_handshake_done(struct bufferevent *);
/*
 * 1 once the handshake completed as a resumption of an earlier session
 * (no key exchange, no certificate): doc/tls.md, "Session resumption".
 */
int		 tls_resumed(struct bufferevent *);
/*
 * After BEV_EVENT_ERROR on a wrapped bufferevent: one sentence ("hub
 * key sha256:... does not match the pinned sha256:...").  NULL when
 * there was no error, and for plaintext bufferevents.
 */
const char	*tls_error(struct bufferevent *);
/* "ECDHE-ECDSA-AES128-GCM-SHA256" etc. once the handshake is done. */
const char	*tls_cipher(struct bufferevent *);
/*
 * Half-close: once every byte written so far is encrypted and on the
 * wire, shutdown(fd, SHUT_WR) the TCP socket (no close_notify: it would
 * end both directions).  The peer's wrapper then reports BEV_EVENT_EOF
 * (a TCP end inside a record is an error instead).  Reading goes on.
 * Plaintext bufferevents: shutdown(SHUT_WR) at once.
 */
void		 tls_shutdown_write(struct bufferevent *);
/*
 * For evhttp (the admin API over TLS), right after tls_wrap() in its
 * bevcb.  evhttp frees the link and shutdown(2)s its socket as soon as
 * the write callback finds the output empty (Connection: close): from
 * now on the last plaintext byte stays in bev's output until every
 * record before it left the socket's output, and goes when the kernel
 * can take its record whole, so "output empty" means "on the wire".
 * evhttp also writes its answers with EV_WRITE disabled and enables it
 * afterwards, which a filter does not notice: output added while
 * EV_WRITE is off is run from the loop.  One more small record at the
 * end of each burst; not for node links.  tls_shutdown_write() only
 * from the write callback (output empty): it encrypts nothing more, so
 * a held byte would never go.  Plaintext bufferevents: nothing to do.
 */
void		 tls_hold_close(struct bufferevent *);
/*
 * Kernel TLS (configure --enable-ktls): 1 when the kernel does bev's
 * records, -1 when this link will not use it (built without, another
 * suite, or the kernel refused: ENOENT without the tls module), 0 not
 * decided yet or not wrapped.
 */
int		 tls_kernel(struct bufferevent *);
/*
 * For tests: once bev's handshake is done, one direction's AES-128-GCM
 * key (16 bytes), salt (4) and next record sequence number, as kernel
 * TLS is given them (tx: what bev sends).  -1 for other suites.
 */
int		 tls_kernel_keys(struct bufferevent *, int tx,
		    unsigned char *key, unsigned char *salt, uint64_t *seq);
/* The socket under bev, wrapped or not. */
evutil_socket_t	 tls_getfd(struct bufferevent *);

/* Shared by tls.c and x509gen.c; not for other callers. */
int		 tls_pkey_fingerprint(const br_x509_pkey *, char *out);
int		 tls_file_read(const char *, unsigned char **, size_t *,
		    char **);
int		 tls_file_write(const char *, const void *, size_t,
		    char **);

#endif /* TLS_H */
