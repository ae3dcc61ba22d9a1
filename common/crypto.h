/*
 * crypto.h - hashing, random tokens and constant-time comparison
 * (OpenSSL libcrypto). Secrets are hashed before they are looked up, so
 * a lookup's timing depends on the hash, not on the secret.
 */
#ifndef CFMCP_CRYPTO_H
#define CFMCP_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_HEX 65 /* 64 hex digits + NUL */

/* SHA-256 of (p, n) as lower-case hex into out. Returns 0 or -1. */
int crypto_sha256_hex(const void *p, size_t n, char out[CRYPTO_SHA256_HEX])
	__attribute__((nonnull, warn_unused_result));
/* n random bytes from the OS (CSPRNG). Returns 0 or -1. */
int crypto_random_bytes(void *out, size_t n) __attribute__((nonnull, warn_unused_result));
/* Whether t (n bytes) has the shape of a token we issue (URL and API
 * tokens: base64url, CAP_TOKEN_MIN..CAP_TOKEN_MAX characters), and if so
 * its SHA-256 hex in out, the only form in which tokens are looked up.
 * Returns 0, or -1 for anything else. */
int crypto_token_hash(const char *t, size_t n, char out[CRYPTO_SHA256_HEX])
	__attribute__((nonnull, warn_unused_result));
/* nbytes random bytes from the OS as unpadded base64url into out
 * (outsz >= 4*nbytes/3 + 2). Returns 0 or -1. */
int crypto_random_token(size_t nbytes, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));
/* 1 when the two buffers are equal, in time that depends only on n. */
int crypto_equal(const void *a, const void *b, size_t n) __attribute__((nonnull));

/*
 * Secrets at rest (the Cloudflare API token of an integrated account):
 * AES-256-GCM under a key from the key file (CFMCP_KEY_FILE). The file
 * holds one or more keys, 64 hex digits per line, '#' comments allowed;
 * the first key seals, every key opens (rotation: README "Encryption key").
 * A sealed value is "v1.<kid>.<base64url(nonce[12] | ciphertext | tag[16])>",
 * kid = first 8 hex digits of SHA-256(key), so the right key is found
 * without trying each. The AAD binds a value to its record ("account:<id>"):
 * a ciphertext copied to another account does not open.
 */
#define CRYPTO_MAX_KEYS 8

struct keyring {
	size_t n;
	struct {
		unsigned char key[32];
		char kid[9];
	} k[CRYPTO_MAX_KEYS];
};

/* Read the key file. Refuses a file others may read (mode & 007) or one
 * with a malformed line; the message names the file and line, never a key. */
int crypto_keyring_load(struct keyring *kr, const char *path, char *err, size_t errsz)
	__attribute__((nonnull, warn_unused_result));
void crypto_keyring_wipe(struct keyring *kr) __attribute__((nonnull));

enum crypto_open_err { CRYPTO_OK = 0, CRYPTO_EFORMAT = -1, CRYPTO_ENOKEY = -2, CRYPTO_EAUTH = -3, CRYPTO_ESPACE = -4 };

/* Seal pt (ptlen bytes) into out (NUL-terminated). Returns 0 or -1. */
int crypto_seal(const struct keyring *kr, const char *aad, const void *pt, size_t ptlen,
	char *out, size_t outsz) __attribute__((nonnull, warn_unused_result));
/* Open a sealed value into out (NUL-terminated text). Returns CRYPTO_OK or
 * a negative enum crypto_open_err; out is wiped on failure. */
int crypto_open(const struct keyring *kr, const char *aad, const char *sealed,
	char *out, size_t outsz) __attribute__((nonnull, warn_unused_result));
/* Which key sealed a value: its kid into kid; -1 when malformed. */
int crypto_sealed_kid(const char *sealed, char kid[9]) __attribute__((nonnull));
/* Wipe memory that held a secret (not optimised away). */
void crypto_wipe(void *p, size_t n) __attribute__((nonnull));

#endif
