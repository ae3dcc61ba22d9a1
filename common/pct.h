/*
 * pct.h - percent-decoding of a query value (RFC 3986 §2.1), the one
 * place the management API's query strings are decoded.
 */
#ifndef CFMCP_PCT_H
#define CFMCP_PCT_H

#include <stddef.h>

enum pct_err {
	PCT_BAD_ESCAPE = -1, /* '%' not followed by two hex digits */
	PCT_NUL = -2,        /* decodes to a NUL byte */
	PCT_TOO_LONG = -3,   /* does not fit outsz with its NUL */
};

/* Decode n bytes of v into out (outsz bytes, NUL-terminated). The
 * decoded length, or an enum pct_err. '+' stays '+' (not a form body). */
long pct_decode(const char *v, size_t n, char *out, size_t outsz) __attribute__((nonnull));

#endif
