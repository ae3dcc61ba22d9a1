/*
 * why.h - the reason a check refused something, written into the caller's
 * buffer (the "char *why, size_t whysz" pairs of schema.c and plan.c).
 * Reasons are for the model or the operator: never put a secret or raw
 * input in one, and never pass input as the format.
 */
#ifndef CFMCP_WHY_H
#define CFMCP_WHY_H

#include <stddef.h>

/* Format the reason into why (cut to whysz, NUL-terminated) and return -1,
 * so a check can end with "return why_set(why, whysz, ...);". */
int why_set(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((nonnull(1, 3), format(printf, 3, 4), cold));

#endif
