/*
 * tool.h - one MCP tool, as built from one method of a schema document:
 * what the server needs to call it (HTTP method, path template, parameter
 * schemas, paging) and what a client sees (name, inputSchema, the Tool
 * object rendered once at load, so tools/list only copies bytes).
 */
#ifndef CFMCP_TOOL_H
#define CFMCP_TOOL_H

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
	const cJSON *body_full; /* the body uncollapsed (openapi.c, only when
	                         * "body" had to be collapsed); may be NULL */
	cJSON *input_schema;    /* owned: the tool's inputSchema */
	char *full_json;        /* owned: input_schema with body_full as its
	                         * body, printed, or NULL (no body_full): what
	                         * describe_cloudflare_operation shows and
	                         * arguments are validated against; kept as
	                         * text (parsed per use): as trees the 89 of
	                         * the 2024 spec were 14 MB of each worker */
	size_t full_json_len;
	enum page_style paging;
	int page_min, page_default, page_max; /* limit floor, default and cap */
	const char *cursor_param;   /* cursor-style: query name of the cursor */
	const char *size_param;     /* query name of the page size */
	char **tags;            /* owned, NULL-terminated */
	char *json;             /* owned: the rendered Tool object */
	size_t json_len;
	int generated;          /* 1: made from the OpenAPI spec (openapi.c) */
	int body_default;       /* 1: send {} when no body is given (a DELETE
	                         * whose spec requires a JSON body; openapi.c) */
};

/* The kind a method key names: "list", "get", "create", "update",
 * "delete", or TOOL_CUSTOM for any other key. */
enum tool_kind tool_kind_of(const char *key) __attribute__((nonnull, pure));

/* The tool's name from its kind, method key, the resource's singular and
 * plural and the path (schemas/README.md "Tool names") into out. Returns
 * 0, or -1 when it does not fit outsz. */
int tool_name(char *out, size_t outsz, enum tool_kind k, const char *key,
	const char *singular, const char *plural, const char *path)
	__attribute__((nonnull, warn_unused_result));

/*
 * Build t->input_schema (owned by t) from t's path_params, query, body
 * and paging: parameters flattened, the request body under "body", paging
 * as limit/next_cursor, our x-* keys dropped. body_required and
 * required_query are the method's members (either may be NULL). Returns
 * 0, or -1 with the reason in why: a name collision (a load error of the
 * document, schemas/README.md) or "out of memory".
 */
int tool_input_schema(struct tool *t, const cJSON *body_required, const cJSON *required_query,
	char *why, size_t whysz) __attribute__((nonnull(1, 4), warn_unused_result));

/* Render t->json once (MCP 2025-06-18+ "Tool": name, title, description,
 * inputSchema, annotations). Returns 0, or -1 when out of memory. */
int tool_render(struct tool *t, const char *title, const char *desc)
	__attribute__((nonnull, warn_unused_result));

/* The tags of a and then b (arrays of strings, either may be NULL) as a
 * NULL-terminated array the caller owns (for struct tool.tags), or NULL
 * when out of memory. */
char **tool_tags(const cJSON *a, const cJSON *b) __attribute__((warn_unused_result));

/* Free what t owns; t itself is not freed. */
void tool_free(struct tool *t) __attribute__((nonnull));

/* Whether the tool carries a readOnlyHint (list/get). */
int tool_is_read(const struct tool *t) __attribute__((nonnull));

#endif
