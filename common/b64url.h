/*
 * b64url.h - unpadded base64url (RFC 4648 §5), the one codec: tokens and
 * sealed values (crypto.c) and opaque cursors (cursor.c) all use it. No
 * libcrypto here, so cursors do not need it just for base64.
 */
#ifndef CFMCP_B64URL_H
#define CFMCP_B64URL_H

#include <stddef.h>

/* Characters the encoding of n bytes takes, without padding or NUL:
 * ceil(4n/3). */
size_t b64url_len(size_t n) __attribute__((const));

/* Encode n bytes at p into out, NUL-terminated; outsz must be at least
 * b64url_len(n) + 1. Returns 0, or -1 (no room; out untouched). */
int b64url_encode(const void *p, size_t n, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));

/* Decode the n characters at s into out (at most outsz bytes). Returns
 * the decoded length, or -1: a character outside the alphabet ('=' too:
 * no padding), a length of 4k+1 (no encoder writes one), or no room.
 * Unused low bits of the last character are ignored. */
long b64url_decode(const char *s, size_t n, unsigned char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));

#endif
