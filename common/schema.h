/*
 * schema.h - JSON Schema validation of tool arguments: the subset of JSON
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

/* Free the compiled-pattern cache (at exit, so leak checkers see none). */
void schema_patterns_free(void);

#endif
