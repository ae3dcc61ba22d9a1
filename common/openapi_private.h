/*
 * openapi_private.h - what the files of the OpenAPI import share, and
 * nothing outside them uses (the public contract is openapi.h):
 *
 *   openapi.c         the load (read, collect, name, build) and --check report
 *   openapi_name.c    the naming rule and the method class of an operation
 *   openapi_schema.c  $ref resolution and OpenAPI 3.0 schema -> our subset
 *   openapi_tags.c    path segments -> tags
 *   openapi_doc.c     one operation -> one schema document (parameters,
 *                     body, pagination, description)
 *
 * Each function is documented above its definition.
 */
#ifndef CFMCP_OPENAPI_PRIVATE_H
#define CFMCP_OPENAPI_PRIVATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "tool.h"

/* Largest spec file read (the 2024 spec is 4.2 MB). */
#define OPENAPI_MAX_BYTES (64u * 1024u * 1024u)
/* A tool's body schema, printed, above this is collapsed one level more. */
#define OPENAPI_SCHEMA_BUDGET 4096
/* Deepest body nesting kept before collapsing (schema.c allows 16). */
#define OPENAPI_MAX_DEPTH 6
/* The uncollapsed body ("body_full") of a tool whose body was collapsed,
 * which describe_cloudflare_operation shows and arguments are validated
 * against: the same conversion, nested up to OPENAPI_FULL_MAX_DEPTH (plus
 * OPENAPI_KEEP_DEPTH of a value still collapsed there: 16, schema.c's
 * limit) and shallower until it prints within OPENAPI_FULL_BUDGET bytes. */
#define OPENAPI_FULL_MAX_DEPTH 9
#define OPENAPI_FULL_BUDGET (64u * 1024u)
/* Levels of required members, items and allOf/anyOf/oneOf members a
 * collapsed value keeps (openapi_schema.c keep_needed). */
#define OPENAPI_KEEP_DEPTH 6
/* $ref hops followed for one schema before giving up (ref-only cycles). */
#define OPENAPI_MAX_REF_HOPS 16
/* Tool description and per-property description budgets (bytes). */
#define OPENAPI_DESC_MAX 700
#define OPENAPI_PROP_DESC_MAX 120
/* The note a collapsed schema carries. */
#define COLLAPSED_NOTE "Nested value; describe_cloudflare_operation gives its full shape."

/* Name levels (README "Naming rule"): short, with the root, with the HTTP
 * method, with a hash. */
enum { LEVEL_SHORT, LEVEL_ROOT, LEVEL_METHOD, LEVEL_HASH };

/* One operation of the spec; the strings point into the parsed spec. */
struct op {
	const char *path;         /* template, into the spec */
	const char *mkey;         /* "get", "post"...; into the spec */
	char http[8];             /* "GET"... */
	const cJSON *o;           /* the operation object */
	const cJSON *item;        /* its path item (path-level parameters) */
	enum tool_kind kind;
	char key[24];             /* method key of the generated document */
	int level;
	char name[320];           /* at most CAP_TOOL_NAME used (op_name) */
	const char *skip;         /* static reason or reason[], or NULL */
	char reason[64];
	char detail[200];
};

/* The state of converting one operation's schemas (openapi_schema.c). */
struct conv {
	const cJSON *spec;
	const char *bad_ref;    /* first $ref that did not resolve */
	int in_body;            /* readOnly properties are left out */
	int max_depth;
	int collapsed;          /* values collapsed so far (a count) */
};

/* ---- openapi_name.c ---- */

char *op_utf8_cut(const char *s, size_t max) __attribute__((nonnull, warn_unused_result));
const char *op_path_root(const char *path) __attribute__((nonnull));
size_t op_path_seg(const char **p, const char **seg) __attribute__((nonnull));
int op_word_in(const char *w, const char *const *list) __attribute__((nonnull));
void op_name(struct op *op) __attribute__((nonnull));
void op_class(struct op *op) __attribute__((nonnull));

/* ---- openapi_schema.c ---- */

/* Index components/<kind> of spec and remember spec for op_has_query,
 * for one load; -1 when out of memory. conv_index_free ends the load
 * (also after a failed build). */
int conv_index_build(const cJSON *spec) __attribute__((warn_unused_result));
void conv_index_free(void);
const cJSON *conv_deref(struct conv *c, const cJSON *s) __attribute__((nonnull(1)));
const cJSON *conv_find_param(struct conv *c, const struct op *op, const char *in, const char *name)
	__attribute__((nonnull));
int op_has_query(const struct op *op, const char *name) __attribute__((nonnull));
cJSON *conv_schema(struct conv *c, const cJSON *s, int depth) __attribute__((nonnull(1)));
cJSON *conv_body(struct conv *c, const cJSON *s, int max_depth, size_t budget) __attribute__((nonnull(1)));

/* ---- openapi_tags.c ---- */

cJSON *op_tags(const struct op *op) __attribute__((nonnull));

/* ---- openapi_doc.c ---- */

cJSON *op_doc(const cJSON *spec, struct op *op) __attribute__((nonnull));

#endif
