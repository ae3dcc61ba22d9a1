/*
 * first.h - included first by every .c in cfmcp (lighttpd's first.h idea):
 * feature-test macros must precede any system header.
 */
#ifndef CFMCP_FIRST_H
#define CFMCP_FIRST_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#define CFMCP_VERSION "0.1.0"

#define CFMCP_UNUSED(x) ((void)(x))
/* STRLIT("abc") expands to a (pointer, length) pair for a literal. */
#define STRLIT(s) (s), (sizeof(s) - 1)
#define CFMCP_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
