/*
 * words.h - the one tokenizer for our word lists: "read,write",
 * "dns, zones", "http://a http://b". Words are separated by commas and/or
 * spaces; empty words (",,", a trailing comma) are skipped. Used for the
 * comma lists stored in Redis (methods, tags, accounts), the ones typed on
 * the command line and in query strings, and CFMCP_ALLOWED_ORIGINS.
 */
#ifndef CFMCP_WORDS_H
#define CFMCP_WORDS_H

#include <stddef.h>

/* The next word of the list at *cur: its start in *word and its length
 * (not NUL-terminated: it points into the list), *cur moved past it.
 * Returns 0 when no word is left. Loop: while ((n = words_next(&p, &w))). */
size_t words_next(const char **cur, const char **word) __attribute__((nonnull));

/* Whether the list holds the word (w, n bytes), compared exactly. */
int words_has(const char *list, const char *w, size_t n) __attribute__((nonnull));

#endif
