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

/* What a zone parameter marked x-zone-name accepts: 32 hex, or a domain
 * name (RFC 1035 labels, lower case) that the server resolves to an id. */
#define ZONE_ID_OR_NAME "^([0-9a-f]{32}|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]([a-z0-9-]{0,61}[a-z0-9])?)$"

enum tool_kind { TOOL_LIST, TOOL_GET, TOOL_CREATE, TOOL_UPDATE, TOOL_DELETE, TOOL_CUSTOM };

enum page_style { PAGE_NONE = 0, PAGE_PAGE, PAGE_CURSOR };

struct tool {
	char *name;             /* list_all_cloudflare_zones */
	enum tool_kind kind;
	char *method_key;       /* "list", "get", ... or the custom method's key */
	const char *http;       /* "GET"...; points into the schema document */
	const char *path;       /* "/zones/{zone_id}"; into the document */
	const cJSON *path_params; /* object: name -> JSON Schema; may be NULL */
	const cJSON *query;     /* object: name -> JSON Schema; may be NULL */
	const cJSON *body;      /* JSON Schema of the body; may be NULL */
	cJSON *input_schema;    /* owned: the tool's inputSchema */
	enum page_style paging;
	int page_min, page_default, page_max; /* limit floor, default and cap */
	const char *cursor_param;   /* cursor-style: query name of the cursor */
	const char *size_param;     /* query name of the page size */
	char **tags;            /* owned, NULL-terminated */
	char *json;             /* owned: the rendered Tool object */
	size_t json_len;
};

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
/* Whether the tool carries a readOnlyHint (list/get). */
int tool_is_read(const struct tool *t);

#endif
