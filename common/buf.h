/*
 * buf.h - length-carrying byte buffers with a hard cap (curl dynbuf, sds).
 *
 * A buffer always keeps a NUL after its content so it can be handed to
 * APIs that want C strings, but len is authoritative: content may hold NULs.
 */
#ifndef CFMCP_BUF_H
#define CFMCP_BUF_H

#include <stddef.h>

struct buf {
	char *p;    /* content, NUL-terminated when non-NULL; owned */
	size_t len; /* bytes of content */
	size_t cap; /* bytes allocated */
	size_t max; /* appends that would grow len past max fail */
};

/* Start empty with the given cap (0 means no cap beyond SIZE_MAX/2). */
void buf_init(struct buf *b, size_t max);
/* Free the content; b may be NULL. The buffer is reusable afterwards. */
void buf_free(struct buf *b);
/* Drop the content, keep the allocation. */
void buf_reset(struct buf *b);
/* Append n bytes. Returns 0, or -1 on allocation failure or cap exceeded
 * (then the buffer is unchanged). */
int buf_append(struct buf *b, const void *p, size_t n)
	__attribute__((warn_unused_result));
/* Make room for n more bytes without changing the content (so a writer
 * can fill b->p + b->len directly, then add to b->len and NUL-terminate).
 * Returns 0, or -1 on allocation failure or cap exceeded. */
int buf_reserve(struct buf *b, size_t n) __attribute__((warn_unused_result));
/* Append a C string. */
int buf_puts(struct buf *b, const char *s)
	__attribute__((nonnull(2), warn_unused_result));
/* Append formatted text; never pass input as fmt. */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));
/* Take the content out (caller frees); the buffer is left empty. May
 * return NULL for an empty buffer that never allocated. */
char *buf_steal(struct buf *b);

#endif
