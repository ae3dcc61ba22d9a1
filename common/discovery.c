/*
 * discovery.c - the three discovery tools (discovery.h).
 *
 * Their definitions are fixed bytes (rendered once, by hand, and kept
 * under 4 KB together: tests/unit/test_discovery.c checks the size).
 * Their arguments are checked here, strictly and before anything else
 * happens (unknown members, wrong types, sizes), because they are not
 * catalogue tools with a schema document. The operation a search finds,
 * describes or calls must pass scope_allows exactly as in tools mode;
 * the answer for one that does not is the answer for a missing name,
 * byte for byte, and is given before the upstream is touched.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "caps.h"
#include "discovery.h"
#include "mcp_call.h"
#include "result.h"
#include "search.h"
#include "tool.h"
#include "xalloc.h"

#define SEARCH_NAME "search_cloudflare_operations"
#define DESCRIBE_NAME "describe_cloudflare_operation"
#define CALL_NAME "call_cloudflare_operation"

#define OP_NAME_SCHEMA "{\"type\":\"string\",\"pattern\":\"^[a-z0-9_]{1,64}$\"}"
#define SEARCH_DEFAULT_LIMIT 10
#define SEARCH_MAX_TAGS 20

/* The three Tool objects (MCP 2025-06-18 §Tools), ~2.1 KB together. */
static const char DEFS[] =
	"{\"name\":\"" SEARCH_NAME "\",\"title\":\"Search Cloudflare API operations\","
	"\"description\":\"Find Cloudflare API operations for a task described in words (e.g. 'purge the cache "
	"of example.com'). Returns ranked {name,method,path,class,tags,summary}. Then call "
	DESCRIBE_NAME " for its arguments and " CALL_NAME " to run it.\","
	"\"inputSchema\":{\"type\":\"object\",\"properties\":{"
	"\"query\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":500},"
	"\"tags\":{\"type\":\"array\",\"maxItems\":20,\"items\":{\"type\":\"string\",\"maxLength\":64},"
	"\"description\":\"Only operations with one of these tags (dns, zones, workers, ...)\"},"
	"\"methods\":{\"type\":\"array\",\"maxItems\":5,\"items\":{\"enum\":[\"GET\",\"POST\",\"PUT\",\"PATCH\",\"DELETE\"]}},"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"default\":10}},"
	"\"required\":[\"query\"],\"additionalProperties\":false},"
	"\"annotations\":{\"title\":\"Search Cloudflare API operations\",\"readOnlyHint\":true,"
	"\"destructiveHint\":false,\"idempotentHint\":true,\"openWorldHint\":false}},"
	"{\"name\":\"" DESCRIBE_NAME "\",\"title\":\"Describe a Cloudflare API operation\","
	"\"description\":\"The description and full input schema of an operation found by " SEARCH_NAME ".\","
	"\"inputSchema\":{\"type\":\"object\",\"properties\":{\"name\":" OP_NAME_SCHEMA "},"
	"\"required\":[\"name\"],\"additionalProperties\":false},"
	"\"annotations\":{\"title\":\"Describe a Cloudflare API operation\",\"readOnlyHint\":true,"
	"\"destructiveHint\":false,\"idempotentHint\":true,\"openWorldHint\":false}},"
	"{\"name\":\"" CALL_NAME "\",\"title\":\"Call a Cloudflare API operation\","
	"\"description\":\"Run an operation by name with arguments matching its input schema (see "
	DESCRIBE_NAME "). Returns what the operation returns; lists carry next_cursor for the next page.\","
	"\"inputSchema\":{\"type\":\"object\",\"properties\":{\"name\":" OP_NAME_SCHEMA ","
	"\"arguments\":{\"type\":\"object\"}},\"required\":[\"name\"],\"additionalProperties\":false},"
	"\"annotations\":{\"title\":\"Call a Cloudflare API operation\",\"readOnlyHint\":false,"
	"\"destructiveHint\":true,\"idempotentHint\":false,\"openWorldHint\":true}}";

/* One answer for "no such operation" and "not in this token's scope". */
static const char NO_OP[] = "No operation with that name in this MCP server's scope; "
			    "find one with " SEARCH_NAME ". Nothing was sent to Cloudflare.";

static const char *const KIND_NAME[] = {
	[TOOL_LIST] = "list", [TOOL_GET] = "get", [TOOL_CREATE] = "create",
	[TOOL_UPDATE] = "update", [TOOL_DELETE] = "delete", [TOOL_CUSTOM] = "custom",
};

int discovery_is_tool(const char *name)
{
	return !strcmp(name, SEARCH_NAME) || !strcmp(name, DESCRIBE_NAME) || !strcmp(name, CALL_NAME);
}

int discovery_active(const struct call *c)
{
	const struct catalog *cat = c->env->cat;
	const char *m = c->scope.tool_mode;
	size_t i, n = 0, bytes = 16;

	if (!strcmp(m, "discovery"))
		return 1;
	if (!strcmp(m, "tools"))
		return 0;
	/* auto: what tools/list would weigh for this scope */
	for (i = 0; i < cat->ntools; i++) {
		if (!scope_allows(&c->scope, &cat->tools[i]))
			continue;
		bytes += cat->tools[i].json_len + 1;
		if (++n > DISCOVERY_AUTO_MAX_TOOLS || bytes > DISCOVERY_AUTO_MAX_BYTES)
			return 1;
	}
	return 0;
}

enum mcp_err discovery_list(struct call *c, const cJSON *cursor, struct buf *res)
{
	if (cursor && !cJSON_IsNull(cursor)) {
		c->why = "cursor is not one this server issued";
		return MCP_EPARAMS;
	}
	if (buf_append(res, STRLIT("{\"tools\":[")) || buf_append(res, STRLIT(DEFS)) ||
	    buf_append(res, STRLIT("]")) || result_close(c, res, 1))
		return MCP_ENOMEM;
	return MCP_OK;
}

/* ---- arguments -------------------------------------------------------- */

/* A tool error naming what is wrong (static text only). */
static enum mcp_err bad_args(struct call *c, struct buf *res, const char *tool, const char *why)
{
	char msg[300];

	c->disc_outcome = OUTCOME_INVALID;
	snprintf(msg, sizeof(msg), "Invalid arguments for %s: %s.", tool, why);
	return result_tool_error(c, res, msg) ? MCP_ENOMEM : MCP_OK;
}

/* Whether every member of args is one of the allowed names. */
static int only_members(const cJSON *args, const char *const *allowed, size_t n)
{
	const cJSON *it;
	size_t i;

	cJSON_ArrayForEach(it, args) {
		for (i = 0; i < n; i++)
			if (it->string && !strcmp(it->string, allowed[i]))
				break;
		if (i == n)
			return 0;
	}
	return 1;
}

/* An operation name's shape: 1..64 of [a-z0-9_]. */
static int op_name_ok(const cJSON *v)
{
	const char *s;
	size_t n;

	if (!cJSON_IsString(v))
		return 0;
	s = v->valuestring;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return n >= 1 && n <= CAP_TOOL_NAME && s[n] == '\0';
}

/* The operation named by args.name if it exists AND is in scope; NULL
 * for both "no such name" and "not yours". */
static const struct tool *op_in_scope(const struct call *c, const cJSON *name)
{
	const struct tool *t = catalog_find(c->env->cat, name->valuestring);

	return t && scope_allows(&c->scope, t) ? t : NULL;
}

/* ---- search ----------------------------------------------------------- */

struct filter {
	const struct call *c;
	const cJSON *tags;    /* array of strings or NULL */
	const cJSON *methods; /* array of strings or NULL */
};

static int has_tag(const struct tool *t, const char *tag)
{
	size_t i;

	for (i = 0; t->tags && t->tags[i]; i++)
		if (!strcmp(t->tags[i], tag))
			return 1;
	return 0;
}

/* search.h keep(): in scope, and matching the tags and methods asked. */
static int keep_doc(const void *ud, size_t doc)
{
	const struct filter *f = ud;
	const struct tool *t = &f->c->env->cat->tools[doc];
	const cJSON *it;
	int hit;

	if (!scope_allows(&f->c->scope, t))
		return 0;
	if (f->tags && cJSON_GetArraySize(f->tags) > 0) {
		hit = 0;
		cJSON_ArrayForEach(it, f->tags)
			if (has_tag(t, it->valuestring))
				hit = 1;
		if (!hit)
			return 0;
	}
	if (f->methods && cJSON_GetArraySize(f->methods) > 0) {
		hit = 0;
		cJSON_ArrayForEach(it, f->methods)
			if (!strcasecmp(it->valuestring, t->http))
				hit = 1;
		if (!hit)
			return 0;
	}
	return 1;
}

static int string_array(const cJSON *a, int maxn, size_t maxlen)
{
	const cJSON *it;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > maxn)
		return 0;
	cJSON_ArrayForEach(it, a)
		if (!cJSON_IsString(it) || strlen(it->valuestring) > maxlen)
			return 0;
	return 1;
}

static enum mcp_err do_search(struct call *c, const cJSON *args, struct buf *res)
{
	static const char *const allowed[] = { "query", "tags", "methods", "limit" };
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(args, "query");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(args, "tags");
	const cJSON *methods = cJSON_GetObjectItemCaseSensitive(args, "methods");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(args, "limit");
	struct search_hit hits[SEARCH_MAX_RESULTS];
	struct filter f = { c, NULL, NULL };
	cJSON *out = NULL, *ops;
	char *s = NULL;
	size_t limit = SEARCH_DEFAULT_LIMIT;
	enum mcp_err e = MCP_ENOMEM;
	int n, i;

	if (!only_members(args, allowed, CFMCP_NELEM(allowed)))
		return bad_args(c, res, SEARCH_NAME, "unknown argument (allowed: query, tags, methods, limit)");
	if (!cJSON_IsString(q) || !q->valuestring[0] || strlen(q->valuestring) > SEARCH_MAX_QUERY)
		return bad_args(c, res, SEARCH_NAME, "query must be a string of 1 to 500 characters");
	if (tags && !string_array(tags, SEARCH_MAX_TAGS, 64))
		return bad_args(c, res, SEARCH_NAME, "tags must be an array of at most 20 strings");
	if (methods) {
		const cJSON *it;
		if (!string_array(methods, 5, 6))
			return bad_args(c, res, SEARCH_NAME, "methods must be an array of GET, POST, PUT, PATCH, DELETE");
		cJSON_ArrayForEach(it, methods)
			if (strcmp(it->valuestring, "GET") && strcmp(it->valuestring, "POST") &&
			    strcmp(it->valuestring, "PUT") && strcmp(it->valuestring, "PATCH") &&
			    strcmp(it->valuestring, "DELETE"))
				return bad_args(c, res, SEARCH_NAME,
					"methods must be an array of GET, POST, PUT, PATCH, DELETE");
	}
	if (lim) {
		/* range first: casting an out-of-range double to int is undefined */
		if (!cJSON_IsNumber(lim) || !(lim->valuedouble >= 1 && lim->valuedouble <= SEARCH_MAX_RESULTS) ||
		    lim->valuedouble != (double)(int)lim->valuedouble)
			return bad_args(c, res, SEARCH_NAME, "limit must be an integer from 1 to 50");
		limit = (size_t)lim->valuedouble;
	}
	if (!c->env->search || search_size(c->env->search) != c->env->cat->ntools) {
		c->why = "the operation index is not available";
		return MCP_EINTERNAL;
	}
	f.tags = tags;
	f.methods = methods;
	n = search_query(c->env->search, q->valuestring, strlen(q->valuestring), keep_doc, &f, hits, limit);
	if (n < 0)
		return MCP_ENOMEM;
	out = cJSON_CreateObject();
	ops = out ? cJSON_AddArrayToObject(out, "operations") : NULL;
	if (!ops)
		goto out;
	for (i = 0; i < n; i++) {
		const struct tool *t = &c->env->cat->tools[hits[i].doc];
		cJSON *o = cJSON_CreateObject(), *tg;
		size_t k;
		if (!o)
			goto out;
		cJSON_AddItemToArray(ops, o);
		if (!cJSON_AddStringToObject(o, "name", t->name) || !cJSON_AddStringToObject(o, "method", t->http) ||
		    !cJSON_AddStringToObject(o, "path", t->path) ||
		    !cJSON_AddStringToObject(o, "class", KIND_NAME[t->kind]) ||
		    !(tg = cJSON_AddArrayToObject(o, "tags")))
			goto out;
		for (k = 0; t->tags && t->tags[k]; k++) {
			cJSON *ts = cJSON_CreateString(t->tags[k]);
			if (!ts)
				goto out;
			cJSON_AddItemToArray(tg, ts);
		}
		if (!cJSON_AddStringToObject(o, "summary", search_title(c->env->search, hits[i].doc)))
			goto out;
	}
	if (n == 0 && !cJSON_AddStringToObject(out, "note",
		    "No operation in this MCP server's scope matches; try other words or fewer filters."))
		goto out;
	s = cJSON_PrintUnformatted(out);
	if (!s)
		goto out;
	e = result_tool(c, res, s, s, strlen(s), 0) ? MCP_ENOMEM : MCP_OK;
out:
	cJSON_free(s);
	cJSON_Delete(out);
	return e;
}

/* ---- describe --------------------------------------------------------- */

static enum mcp_err do_describe(struct call *c, const cJSON *args, struct buf *res)
{
	static const char *const allowed[] = { "name" };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(args, "name");
	const struct tool *t;
	cJSON *o = NULL, *tg;
	char *s = NULL;
	enum mcp_err e = MCP_ENOMEM;
	size_t k;

	if (!only_members(args, allowed, CFMCP_NELEM(allowed)) || !op_name_ok(name))
		return bad_args(c, res, DESCRIBE_NAME, "name must be an operation name ([a-z0-9_], at most 64)");
	t = op_in_scope(c, name);
	if (!t) {
		c->disc_outcome = OUTCOME_REFUSED;
		return result_tool_error(c, res, NO_OP) ? MCP_ENOMEM : MCP_OK;
	}
	/* the Tool object as tools mode would list it, plus where it goes;
	 * its inputSchema uncollapsed where tools/list collapses it (the
	 * collapse note promises the full shape here; OPENAPI_FULL_BUDGET) */
	o = cJSON_ParseWithLength(t->json, t->json_len);
	if (o && t->full_json) {
		cJSON *fs = cJSON_ParseWithLength(t->full_json, t->full_json_len);
		if (!fs || !cJSON_ReplaceItemInObjectCaseSensitive(o, "inputSchema", fs)) {
			cJSON_Delete(fs);
			goto out;
		}
	}
	if (!o || !cJSON_AddStringToObject(o, "method", t->http) || !cJSON_AddStringToObject(o, "path", t->path) ||
	    !cJSON_AddStringToObject(o, "class", KIND_NAME[t->kind]) || !(tg = cJSON_AddArrayToObject(o, "tags")))
		goto out;
	for (k = 0; t->tags && t->tags[k]; k++) {
		cJSON *ts = cJSON_CreateString(t->tags[k]);
		if (!ts)
			goto out;
		cJSON_AddItemToArray(tg, ts);
	}
	s = cJSON_PrintUnformatted(o);
	if (!s)
		goto out;
	e = result_tool(c, res, s, s, strlen(s), 0) ? MCP_ENOMEM : MCP_OK;
out:
	cJSON_free(s);
	cJSON_Delete(o);
	return e;
}

/* ---- call ------------------------------------------------------------- */

static enum mcp_err do_call(struct call *c, const cJSON *args, struct buf *res)
{
	static const char *const allowed[] = { "name", "arguments" };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(args, "name");
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(args, "arguments");
	const struct tool *t;

	/* one record per call, for the operation called (mcp_call_tool's),
	 * or for call_cloudflare_operation itself when no operation is */
	if (!only_members(args, allowed, CFMCP_NELEM(allowed)) || !op_name_ok(name)) {
		call_record_tool(c, CALL_NAME, NULL, args, OUTCOME_INVALID, NULL);
		return bad_args(c, res, CALL_NAME, "name must be an operation name ([a-z0-9_], at most 64)");
	}
	if (inner && !cJSON_IsObject(inner) && !cJSON_IsNull(inner)) {
		call_record_tool(c, name->valuestring, op_in_scope(c, name), inner, OUTCOME_INVALID, NULL);
		return bad_args(c, res, CALL_NAME, "arguments must be an object");
	}
	t = op_in_scope(c, name);
	if (!t) {
		call_record_tool(c, name->valuestring, NULL, inner, OUTCOME_REFUSED, NULL);
		return result_tool_error(c, res, NO_OP) ? MCP_ENOMEM : MCP_OK;
	}
	return mcp_call_tool(c, t, cJSON_IsObject(inner) ? inner : NULL, res);
}

enum mcp_err discovery_call(struct call *c, const char *name, const cJSON *args, struct buf *res)
{
	cJSON *empty = NULL;
	enum mcp_err e;

	if (!args) {
		empty = cJSON_CreateObject();
		if (!empty)
			return MCP_ENOMEM;
		args = empty;
	}
	c->disc_outcome = OUTCOME_OK;
	if (!strcmp(name, SEARCH_NAME) || !strcmp(name, DESCRIBE_NAME)) {
		struct record r;
		e = name[0] == 's' ? do_search(c, args, res) : do_describe(c, args, res);
		/* a search or a description reads our catalogue, not Cloudflare */
		if (e == MCP_OK && c->env->record) {
			call_record(c, RECORD_TOOL_CALL, &r);
			record_text(r.tool, sizeof(r.tool), name);
			r.tclass = CLASS_READ;
			r.outcome = c->disc_outcome;
			if (record_args_sha256(args, r.args_sha256) < 0)
				r.args_sha256[0] = '\0';
			c->env->record(c->env->record_ud, &r);
		}
	} else {
		e = do_call(c, args, res);
	}
	cJSON_Delete(empty);
	return e;
}
