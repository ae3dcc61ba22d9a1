/*
 * cursor.h - our opaque list cursors, for tools/list ('t': how many tools
 * were returned) and for paged tool results ('p': Cloudflare's next page
 * number; 'c': Cloudflare's cursor). The kind byte and the value are
 * encoded together as unpadded base64url, so a cursor is URL-safe and a
 * client cannot mistake one kind for another.
 */
#ifndef CFMCP_CURSOR_H
#define CFMCP_CURSOR_H

#include <stddef.h>

#include "buf.h"

/* Append the cursor for kind and val (n bytes) to out. Returns 0 or -1
 * (out of memory or out's cap). */
int cursor_encode(struct buf *out, char kind, const char *val, size_t n)
	__attribute__((warn_unused_result));
/* Decode in (at most 512 characters) into out (NUL-terminated, outsz
 * counts the NUL); *kind gets 'p', 'c' or 't'. Returns 0, or -1 for a
 * cursor we could not have issued (bad character, unknown kind, a NUL
 * inside, longer than out). */
int cursor_decode(const char *in, char *kind, char *out, size_t outsz);

#endif
