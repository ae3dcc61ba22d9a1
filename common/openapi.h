/*
 * openapi.h - Cloudflare's OpenAPI 3.0 spec (schemas/openapi/openapi.json)
 * turned into tools at load time: one schema document per operation, in
 * the format of schemas/README.md, handed to catalog_add_doc so a
 * generated tool is checked, validated and called exactly like a curated
 * one. The rules (names, classes, tags, schemas) are in README.md "The
 * OpenAPI catalogue" and above each function in openapi.c.
 */
#ifndef CFMCP_OPENAPI_H
#define CFMCP_OPENAPI_H

#include <stddef.h>
#include <stdio.h>

#include "catalog.h"

struct openapi_opts {
	int include_deprecated; /* CFMCP_OPENAPI_DEPRECATED=1 */
};

/* One operation left out, and why (reason is a short fixed category). */
struct openapi_skip {
	char *reason;           /* owned: "deprecated", "multipart/form-data body", ... */
	char *what;             /* owned: "GET /zones/{zone_id}/..." plus detail */
};

struct openapi_report {
	size_t ops;             /* operations read */
	size_t tools;           /* tools made */
	size_t replaced;        /* operations a curated tool replaces */
	struct openapi_skip *skips; /* owned */
	size_t nskips, skips_cap;
};

/*
 * Read the spec at path and append its tools to cat (which must hold the
 * curated tools already: they win over generated ones with the same
 * method and path template, and keep their names). rep may be NULL.
 * Returns 0 with cat sorted again; -1 with "FILE: /json/pointer: reason"
 * in err when the file cannot be read or is not a usable spec (cat then
 * holds what it held before), or "out of memory".
 */
int openapi_load(struct catalog *cat, const char *path, const struct openapi_opts *opts,
	struct openapi_report *rep, char *err, size_t errsz)
	__attribute__((nonnull(1, 2, 3, 5), warn_unused_result));

struct config;
/*
 * openapi_load as the configuration asks (CFMCP_OPENAPI and
 * CFMCP_OPENAPI_DEPRECATED): nothing when it is off; an installed copy
 * that is missing is no error (curated tools only), while a spec the
 * operator named must load. The worker and cfmcp-admin both load the
 * catalogue through this, so both see the same tools. Returns as
 * openapi_load (0 when nothing was to be loaded).
 */
int openapi_load_configured(struct catalog *cat, const struct config *cfg, struct openapi_report *rep,
	char *err, size_t errsz) __attribute__((nonnull(1, 2, 4), warn_unused_result));

/* The same for a spec already in memory (text, len bytes; any bytes):
 * path only names it in messages. For the fuzz target and tests. */
int openapi_load_text(struct catalog *cat, const char *path, const char *text, size_t len,
	const struct openapi_opts *opts, struct openapi_report *rep, char *err, size_t errsz)
	__attribute__((nonnull(1, 2, 3, 5, 7), warn_unused_result));

/* The --check summary: counts, then skips grouped by reason. */
void openapi_report_print(FILE *f, const struct openapi_report *rep) __attribute__((nonnull));
void openapi_report_free(struct openapi_report *rep);

/*
 * The JSON pointer of the value being parsed at byte off of text (n bytes),
 * for "where did a truncated or broken file stop": the path of object
 * keys and array indexes open at that byte. Writes "" for the root.
 * Returns how many objects and arrays are open there.
 */
int openapi_ptr_at(const char *text, size_t n, size_t off, char *ptr, size_t ptrsz)
	__attribute__((nonnull));

#endif
