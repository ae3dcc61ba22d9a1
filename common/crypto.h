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
/* nbytes random bytes from the OS as unpadded base64url into out
 * (outsz >= 4*nbytes/3 + 2). Returns 0 or -1. */
int crypto_random_token(size_t nbytes, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));
/* 1 when the two buffers are equal, in time that depends only on n. */
int crypto_equal(const void *a, const void *b, size_t n) __attribute__((nonnull));

#endif
