/*
 * cursor.h - our opaque list cursors, for tools/list ('t': how many tools
 * were returned) and for paged tool results ('p': Cloudflare's next page
 * number; 'c': Cloudflare's cursor; 'a': an audit stream entry id, audit.h). The kind byte and the value are
 * encoded together as unpadded base64url, so a cursor is URL-safe and a
 * client cannot mistake one kind for another.
 */
#ifndef CFMCP_CURSOR_H
#define CFMCP_CURSOR_H

#include <stddef.h>

#include "buf.h"

/* The longest cursor text, in characters: what cursor_decode reads and
 * the most cursor_encode writes (a value of up to 383 bytes). */
#define CURSOR_MAX_TEXT 512

/* Append the cursor for kind and val (n bytes, at most 383) to out.
 * Returns 0, or -1 (a longer value, out of memory or out's cap). */
int cursor_encode(struct buf *out, char kind, const char *val, size_t n)
	__attribute__((warn_unused_result));
/* Decode in (at most CURSOR_MAX_TEXT characters) into out
 * (NUL-terminated, outsz counts the NUL); *kind gets 'p', 'c', 't' or 'a'.
 * Returns 0, or -1 for a cursor we could not have issued (bad character
 * or length, unknown kind, a NUL inside, longer than out); then *kind
 * and out are not set. */
int cursor_decode(const char *in, char *kind, char *out, size_t outsz);

#endif
