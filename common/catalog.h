/*
 * catalog.h - tools built from schemas/NAME.json (the source of truth; format
 * in schemas/README.md). Loaded and validated once at start (and under
 * --check); a bad file is refused with its name and a JSON pointer.
 * Every tool's JSON is rendered once at load, so tools/list only copies.
 */
#ifndef CFMCP_CATALOG_H
#define CFMCP_CATALOG_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "tool.h"

struct catalog {
	struct tool *tools;     /* sorted by name */
	size_t ntools;
	cJSON **docs;           /* the parsed schema files, owned */
	size_t ndocs;
	size_t tools_cap, docs_cap; /* allocated lengths of tools and docs */
	size_t ncurated;        /* tools from schemas/ (the rest: openapi.c) */
};

/* Load every *.json in dir. Returns 0, or -1 with a message in err
 * ("schemas/zones.json: /methods/list/path: must start with /"). */
int catalog_load(struct catalog *cat, const char *dir, char *err, size_t errsz)
	__attribute__((nonnull, warn_unused_result));
void catalog_free(struct catalog *cat);

/*
 * Append one generated schema document (the format of schemas/README.md,
 * built by openapi.c), checked as strictly as a file. cat owns doc from
 * the call on, whatever the result. Returns 0 (its tools added), 1 when
 * the document is refused (the reason in err; cat as it was), or -1 when
 * out of memory. Call catalog_sort after the last one.
 */
int catalog_add_doc(struct catalog *cat, cJSON *doc, const char *file, char *err, size_t errsz)
	__attribute__((nonnull, warn_unused_result));
/* Sort the tools by name again (catalog_find needs it). Returns NULL, or
 * a name two tools share (generated documents are not checked one by one:
 * this is where a duplicate shows). */
const char *catalog_sort(struct catalog *cat) __attribute__((nonnull));
/* The curated tool for an HTTP method and a path template, compared with
 * placeholder names ignored ("/zones/{id}" is "/zones/{zone_id}"), or NULL. */
const struct tool *catalog_find_route(const struct catalog *cat, const char *http, const char *path)
	__attribute__((nonnull));
/* Whether two path templates are the same with placeholder names ignored. */
int catalog_same_route(const char *a, const char *b) __attribute__((nonnull, pure));
/* Tool by exact name, or NULL. */
const struct tool *catalog_find(const struct catalog *cat, const char *name)
	__attribute__((nonnull));

#endif
