/*
 * json.h - the JSON toolkit (RFC 8259), one of each: the strict parse
 * rules every body goes through, a validating scanner that walks bytes
 * without building a tree, the one string escaper, and the cJSON builder
 * helper that owns what it is given. Nothing here knows JSON-RPC or MCP:
 * jsonrpc.c maps these results to protocol errors.
 */
#ifndef CFMCP_JSON_H
#define CFMCP_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"

/* Why json_parse refused a text. */
enum json_err {
	JSON_OK = 0,
	JSON_ESYNTAX, /* not one well-formed value we accept (see json_parse) */
	JSON_ENOMEM,  /* an allocation failed inside the parser: not the text's fault */
	JSON_EDUP,    /* well-formed, but an object repeats a member name */
};

/*
 * Check raw bytes before cJSON sees them: valid UTF-8 (RFC 3629, no
 * overlongs or surrogates), nesting at most max_depth, at most max_items
 * values, no "\u0000" escape inside strings (cJSON would silently cut the
 * string there). Returns JSON_OK or JSON_ESYNTAX; *why gets a static reason.
 */
enum json_err json_prescan(const char *p, size_t n, int max_depth, size_t max_items,
	const char **why) __attribute__((nonnull(1, 5), warn_unused_result));

/*
 * Parse a whole text into *root (caller owns, cJSON_Delete). Runs the
 * prescan (CAP_JSON_DEPTH, CAP_JSON_ITEMS), requires nothing but
 * whitespace after the value, and refuses duplicate member names anywhere
 * (our written rule: a duplicate key is ambiguous, so the text is refused;
 * an object of over 512 members counts as one, which bounds the check).
 * Returns JSON_OK, or a json_err with *root NULL and *why a static reason
 * (NULL for JSON_ENOMEM).
 */
enum json_err json_parse(const char *p, size_t n, cJSON **root, const char **why)
	__attribute__((nonnull, warn_unused_result));

/*
 * Validate the one JSON value at p (RFC 8259, strict: UTF-8 checked,
 * escapes checked, \u0000 refused, surrogates paired, nesting at most
 * max_depth) without building a tree. Returns the first byte after the
 * value, or NULL. When the value is an array, *count gets its length
 * (else -1). Lets a large upstream "result" pass through as bytes.
 */
const char *json_scan(const char *p, const char *end, int max_depth, long *count)
	__attribute__((nonnull(1, 2)));
/* Skip JSON whitespace (RFC 8259 §2); returns the first other byte or end. */
const char *json_skip_ws(const char *p, const char *end) __attribute__((nonnull));

/* Append s (n bytes of UTF-8) to b as a JSON string literal, quotes
 * included (RFC 8259 §7: '"', '\\' and controls escaped, the same bytes
 * cJSON prints). The one escaper: use it wherever text becomes JSON.
 * Returns 0, or -1 (out of memory or b's cap; b unchanged). */
int json_append_string(struct buf *b, const char *s, size_t n) __attribute__((warn_unused_result));

/* cJSON_AddItemToObject (or ToArray when key is NULL) that owns item: on
 * failure (it copies the key and can run out of memory) item is deleted
 * instead of leaked; a NULL item (a failed cJSON_Create*) is a failure.
 * Returns 0 or -1. */
int json_add(cJSON *obj, const char *key, cJSON *item) __attribute__((warn_unused_result));

/* The first member name of obj not in allowed (a NULL-terminated list),
 * or NULL when every member is allowed (or obj is not an object). The one
 * "no unknown keys" check. */
const char *json_unknown_key(const cJSON *obj, const char *const *allowed)
	__attribute__((nonnull(2)));

/* Append "/" and seg to the JSON pointer in ptr (RFC 6901 §3: '~' written
 * "~0", '/' written "~1"); ptr is NUL-terminated in ptrsz bytes and what
 * does not fit is cut. Returns the old length, so ptr[old] = '\0' pops
 * the segment again. For error messages that say where ("/methods/get"). */
size_t json_ptr_push(char *ptr, size_t ptrsz, const char *seg) __attribute__((nonnull));

#endif
