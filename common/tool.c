/*
 * tool.c - one MCP tool built from one method of a schema document (tool.h):
 * its name, its inputSchema and its rendered Tool object. The catalogue
 * (catalog.c) checks the document and calls these; anything else that
 * makes tools (the OpenAPI import) can call them the same way.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "json.h"
#include "tool.h"
#include "xalloc.h"

static const char *const kind_names[] = { "list", "get", "create", "update", "delete" };

enum tool_kind tool_kind_of(const char *key)
{
	size_t i;

	for (i = 0; i < CFMCP_NELEM(kind_names); i++)
		if (!strcmp(key, kind_names[i]))
			return (enum tool_kind)i;
	return TOOL_CUSTOM;
}

/*
 * Tool names (schemas/README.md "Tool names"):
 *   list   -> list_all_cloudflare_<plural>
 *   get    -> get_single_cloudflare_<singular>_by_id
 *   create -> create_a_cloudflare_<singular>
 *   update -> update_a_cloudflare_<singular>_by_id
 *   delete -> delete_a_cloudflare_<singular>_by_id
 *   custom key K -> K_cloudflare_<singular>, plus _by_id when the path
 *   ends in a parameter; a method may set "tool" to override the name.
 */
int tool_name(char *out, size_t outsz, enum tool_kind k, const char *key,
	const char *singular, const char *plural, const char *path)
{
	size_t pl = strlen(path);
	int by_id = pl > 0 && path[pl - 1] == '}';
	int n;

	switch (k) {
	case TOOL_LIST: n = snprintf(out, outsz, "list_all_cloudflare_%s", plural); break;
	case TOOL_GET: n = snprintf(out, outsz, "get_single_cloudflare_%s_by_id", singular); break;
	case TOOL_CREATE: n = snprintf(out, outsz, "create_a_cloudflare_%s", singular); break;
	case TOOL_UPDATE: n = snprintf(out, outsz, "update_a_cloudflare_%s_by_id", singular); break;
	case TOOL_DELETE: n = snprintf(out, outsz, "delete_a_cloudflare_%s_by_id", singular); break;
	default:
		n = snprintf(out, outsz, "%s_cloudflare_%s%s", key, singular, by_id ? "_by_id" : "");
		break;
	}
	return (n > 0 && (size_t)n < outsz) ? 0 : -1;
}

/* Drop our x-* extension keys: they steer the server, not the model. */
static void strip_ext(cJSON *s)
{
	cJSON *it = s ? s->child : NULL;
	int is_map = s && s->string && !strcmp(s->string, "properties");

	while (it) {
		cJSON *next = it->next;
		if (!is_map && it->string && !strncmp(it->string, "x-", 2))
			cJSON_Delete(cJSON_DetachItemViaPointer(s, it));
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			strip_ext(it);
		it = next;
	}
}

static int add_ref(cJSON *obj, const char *name, const cJSON *schema)
{
	cJSON *dup = cJSON_Duplicate(schema, 1);

	if (!dup)
		return -1;
	strip_ext(dup);
	return json_add(obj, name, dup);
}

/* Append the name (a C string) to the "required" array. */
static int require(cJSON *req, const char *name)
{
	return json_add(req, NULL, cJSON_CreateString(name));
}

/* The paging arguments every paged tool takes, whatever Cloudflare calls
 * them: limit (bounded by the method's pagination) and next_cursor. */
static int add_paging(const struct tool *t, cJSON *props)
{
	cJSON *lim = cJSON_AddObjectToObject(props, "limit");
	cJSON *cur = cJSON_AddObjectToObject(props, "next_cursor");
	char d[200];

	if (!lim || !cur)
		return -1;
	snprintf(d, sizeof(d), "How many items to return (%d-%d, default %d).",
		t->page_min, t->page_max, t->page_default);
	if (!cJSON_AddStringToObject(lim, "type", "integer") ||
	    !cJSON_AddNumberToObject(lim, "minimum", t->page_min) ||
	    !cJSON_AddNumberToObject(lim, "maximum", t->page_max) ||
	    !cJSON_AddStringToObject(lim, "description", d) ||
	    !cJSON_AddStringToObject(cur, "type", "string") ||
	    !cJSON_AddNumberToObject(cur, "maxLength", CURSOR_MAX_TEXT) ||
	    !cJSON_AddStringToObject(cur, "description",
		    "Opaque cursor from a previous call's next_cursor; omit for the first page."))
		return -1;
	return 0;
}

/* Path parameters into props (and "required", unless the account fills
 * them in); a zone parameter marked x-zone-name takes a zone id or a
 * domain name the server resolves (plan.c), whatever pattern and length
 * the file gave, or none. */
static int add_path_params(const struct tool *t, cJSON *props, cJSON *req)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, t->path_params) {
		/* x-hidden (with x-account-default): the server fills it, the
		 * model never sees it, and additionalProperties refuses it */
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "x-hidden")) &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "x-account-default")))
			continue;
		if (add_ref(props, it->string, it) < 0)
			return -1;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "x-zone-name"))) {
			/* cJSON_Replace* fails on an absent key: delete, then add */
			cJSON *p = cJSON_GetObjectItemCaseSensitive(props, it->string);
			cJSON_DeleteItemFromObjectCaseSensitive(p, "pattern");
			cJSON_DeleteItemFromObjectCaseSensitive(p, "maxLength");
			if (json_add(p, "pattern", cJSON_CreateString(ZONE_ID_OR_NAME)) < 0 ||
			    json_add(p, "maxLength", cJSON_CreateNumber(253)) < 0)
				return -1;
		}
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "x-account-default")) &&
		    require(req, it->string) < 0)
			return -1;
	}
	return 0;
}

/* Query parameters into props, but for the paging ones (expressed as
 * limit/next_cursor), then the required ones. -1 when out of memory (why
 * left as it is) or with why set for a bad document. */
static int add_query(const struct tool *t, const cJSON *required_query, cJSON *props, cJSON *req,
	char *why, size_t whysz)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, t->query) {
		if (cJSON_GetObjectItemCaseSensitive(props, it->string)) {
			snprintf(why, whysz, "query parameter %s collides with a path parameter", it->string);
			return -1;
		}
		if ((t->size_param && !strcmp(it->string, t->size_param)) ||
		    (t->cursor_param && !strcmp(it->string, t->cursor_param)))
			continue;
		if (add_ref(props, it->string, it) < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, required_query) {
		if (!cJSON_IsString(it) || !cJSON_GetObjectItemCaseSensitive(t->query, it->valuestring)) {
			snprintf(why, whysz, "required_query names a parameter that is not in query");
			return -1;
		}
		if (require(req, it->valuestring) < 0)
			return -1;
	}
	return 0;
}

int tool_input_schema(struct tool *t, const cJSON *body_required, const cJSON *required_query,
	char *why, size_t whysz)
{
	cJSON *is = cJSON_CreateObject(), *props = NULL, *req = cJSON_CreateArray();
	int rc = -1, r;

	snprintf(why, whysz, "out of memory");
	if (!is || !req || !cJSON_AddStringToObject(is, "type", "object") ||
	    !(props = cJSON_AddObjectToObject(is, "properties")))
		goto out;
	if (add_path_params(t, props, req) < 0 || add_query(t, required_query, props, req, why, whysz) < 0)
		goto out;
	if (t->body) {
		if (cJSON_GetObjectItemCaseSensitive(props, "body")) {
			snprintf(why, whysz, "a parameter named body collides with the request body");
			goto out;
		}
		if (add_ref(props, "body", t->body) < 0 ||
		    (cJSON_IsTrue(body_required) && require(req, "body") < 0))
			goto out;
	}
	if (t->paging != PAGE_NONE) {
		if (cJSON_GetObjectItemCaseSensitive(props, "limit") ||
		    cJSON_GetObjectItemCaseSensitive(props, "next_cursor")) {
			snprintf(why, whysz, "limit and next_cursor are reserved for paging");
			goto out;
		}
		if (add_paging(t, props) < 0)
			goto out;
	}
	if (cJSON_GetArraySize(req) > 0) {
		r = json_add(is, "required", req);
		req = NULL; /* owned by is, or deleted by json_add */
		if (r < 0)
			goto out;
	}
	if (!cJSON_AddFalseToObject(is, "additionalProperties"))
		goto out;
	if (t->body && t->body_full) {
		cJSON *fb = cJSON_Duplicate(t->body_full, 1), *full = cJSON_Duplicate(is, 1);
		char *txt = NULL;
		if (!fb || !full ||
		    !cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(full, "properties"), "body",
			    fb)) {
			cJSON_Delete(fb);
			cJSON_Delete(full);
			goto out;
		}
		strip_ext(fb);
		txt = cJSON_PrintUnformatted(full);
		cJSON_Delete(full);
		t->full_json = txt ? xstrdup(txt) : NULL;
		cJSON_free(txt);
		if (!t->full_json)
			goto out;
		t->full_json_len = strlen(t->full_json);
	}
	t->input_schema = is;
	is = NULL;
	rc = 0;
out:
	cJSON_Delete(req);
	cJSON_Delete(is);
	return rc;
}

int tool_render(struct tool *t, const char *title, const char *desc)
{
	cJSON *o = cJSON_CreateObject(), *ann, *is;
	char *s;
	/* reads are what does not change state upstream: every GET */
	int rd = !strcmp(t->http, "GET");

	if (!o)
		return -1;
	is = cJSON_Duplicate(t->input_schema, 1);
	if (!cJSON_AddStringToObject(o, "name", t->name) ||
	    !cJSON_AddStringToObject(o, "title", title) ||
	    !cJSON_AddStringToObject(o, "description", desc) || !is) {
		cJSON_Delete(is);
		goto fail;
	}
	if (json_add(o, "inputSchema", is) < 0)
		goto fail;
	ann = cJSON_AddObjectToObject(o, "annotations");
	/* ChatGPT asks for confirmation on any tool without readOnlyHint. */
	if (!ann || !cJSON_AddStringToObject(ann, "title", title) ||
	    !cJSON_AddBoolToObject(ann, "readOnlyHint", rd) ||
	    !cJSON_AddBoolToObject(ann, "destructiveHint", t->kind == TOOL_DELETE ||
		    (t->kind == TOOL_CUSTOM && strcmp(t->http, "GET"))) ||
	    !cJSON_AddBoolToObject(ann, "idempotentHint", rd || t->kind == TOOL_DELETE ||
		    !strcmp(t->http, "PUT") || !strcmp(t->http, "GET")) ||
	    !cJSON_AddTrueToObject(ann, "openWorldHint"))
		goto fail;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return -1;
	t->json = xstrdup(s);
	cJSON_free(s);
	if (!t->json)
		return -1;
	t->json_len = strlen(t->json);
	return 0;
fail:
	cJSON_Delete(o);
	return -1;
}

char **tool_tags(const cJSON *a, const cJSON *b)
{
	size_t n = (size_t)cJSON_GetArraySize(a) + (size_t)cJSON_GetArraySize(b), i = 0;
	char **tags = xcalloc(n + 1, sizeof(char *));
	const cJSON *it;

	if (!tags)
		return NULL;
	cJSON_ArrayForEach(it, a)
		if (!(tags[i++] = xstrdup(it->valuestring)))
			goto fail;
	cJSON_ArrayForEach(it, b)
		if (!(tags[i++] = xstrdup(it->valuestring)))
			goto fail;
	return tags;
fail:
	for (i = 0; i < n; i++)
		xfree(tags[i]);
	xfree(tags);
	return NULL;
}

void tool_free(struct tool *t)
{
	size_t i;

	xfree(t->name);
	xfree(t->method_key);
	cJSON_Delete(t->input_schema);
	xfree(t->full_json);
	xfree(t->json);
	if (t->tags)
		for (i = 0; t->tags[i]; i++)
			xfree(t->tags[i]);
	xfree(t->tags);
}

int tool_is_read(const struct tool *t)
{
	return t->kind == TOOL_LIST || t->kind == TOOL_GET;
}
