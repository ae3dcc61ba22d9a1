/*
 * schema.h - JSON Schema of tool arguments: checking a schema at load and
 * validating arguments against it, for the subset of JSON
 * Schema 2020-12 that catalog.c lets a schema file use (type, const, enum,
 * lengths, pattern as POSIX ERE, bounds, items, properties, required,
 * additionalProperties, allOf/anyOf/oneOf). Strings count characters
 * (UTF-8 code points), and an argument string with no maxLength is capped
 * at CAP_ARG_STRING.
 */
#ifndef CFMCP_SCHEMA_H
#define CFMCP_SCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Validate v against schema. where names the value for messages
 * ("zone_id", "body.type"; "" is "arguments"). Returns 0, or -1 with a
 * model-facing reason in why (names the argument, never echoes a value).
 */
int schema_validate(const cJSON *schema, const cJSON *v, const char *where, char *why, size_t whysz)
	__attribute__((nonnull));

/*
 * Check that s is a schema of the subset (annotations and our x-* keys
 * allowed, anything else refused, patterns must compile as POSIX ERE and
 * use no \d-style escapes, nesting at most 16). ptr holds the JSON
 * pointer of s (NUL-terminated, ptrsz bytes). Returns 0 with ptr as it
 * was, or -1 with ptr extended to the offending keyword and the reason in
 * why. schema_check_map does the same for an object of named schemas
 * (path_params, query).
 */
int schema_check(const cJSON *s, char *ptr, size_t ptrsz, char *why, size_t whysz)
	__attribute__((nonnull, warn_unused_result));
int schema_check_map(const cJSON *m, char *ptr, size_t ptrsz, char *why, size_t whysz)
	__attribute__((nonnull, warn_unused_result));

/* Free the compiled-pattern cache (at exit, so leak checkers see none). */
void schema_patterns_free(void);

#endif
