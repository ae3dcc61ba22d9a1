/*
 * xalloc.h - the allocator every cfmcp module uses (and cJSON via hooks).
 *
 * Allocation failure is an error the caller handles, never an abort.
 * For tests, xalloc_fail_after(n) makes the n-th allocation from now fail
 * (STYLE item 16: allocation-failure torture).
 */
#ifndef CFMCP_XALLOC_H
#define CFMCP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, warn_unused_result));
void *xcalloc(size_t n, size_t sz) __attribute__((malloc, warn_unused_result));
void *xrealloc(void *p, size_t n) __attribute__((warn_unused_result));
char *xstrdup(const char *s) __attribute__((malloc, warn_unused_result));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, warn_unused_result));
void xfree(void *p);
/* Install xmalloc/xfree as cJSON's hooks. */
void xalloc_init(void);
/* Fail the n-th allocation from now (1 = the next one); 0 disables. */
void xalloc_fail_after(long n);

/* Count of allocations that returned NULL so far (any cause). Lets a
 * caller tell "malformed input" from "out of memory" when a library
 * (cJSON) reports both as failure. */
unsigned long xalloc_oom_events(void);

#endif
