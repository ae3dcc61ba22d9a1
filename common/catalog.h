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
};

/* Load every *.json in dir. Returns 0, or -1 with a message in err
 * ("schemas/zones.json: /methods/list/path: must start with /"). */
int catalog_load(struct catalog *cat, const char *dir, char *err, size_t errsz)
	__attribute__((nonnull, warn_unused_result));
void catalog_free(struct catalog *cat);
/* Tool by exact name, or NULL. */
const struct tool *catalog_find(const struct catalog *cat, const char *name)
	__attribute__((nonnull));

#endif
