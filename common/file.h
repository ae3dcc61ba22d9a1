/*
 * file.h - reading a whole regular file into memory, capped (schema files,
 * the OpenAPI spec).
 */
#ifndef CFMCP_FILE_H
#define CFMCP_FILE_H

#include <stddef.h>

/*
 * Read the regular file at path (at most max bytes) into a NUL-terminated
 * buffer the caller frees with xfree; *len gets its length. NULL when it
 * cannot be opened, is not a regular file, is over max (*too_big set to 1
 * when too_big is not NULL), a read fails, or out of memory (xalloc counts
 * that: xalloc_oom_events).
 */
char *file_read(const char *path, size_t max, size_t *len, int *too_big)
	__attribute__((nonnull(1, 3), warn_unused_result));

#endif
