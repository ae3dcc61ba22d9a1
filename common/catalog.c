/*
 * catalog.c - load schemas/NAME.json, validate them, build the tools.
 *
 * Validation is strict on purpose: an unknown key or JSON Schema keyword
 * is an error, so a typo in a schema fails at start instead of silently
 * widening what a model may send upstream.
 */
#include "first.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "caps.h"
#include "catalog.h"
#include "jsonrpc.h"
#include "xalloc.h"

/* Error context: file name and a JSON pointer being built as we descend. */
struct ctx {
	const char *file;
	char ptr[512];
	char *err;
	size_t errsz;
};

__attribute__((format(printf, 2, 3), cold))
static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errsz, "%s: %s: %s", c->file, c->ptr[0] ? c->ptr : "/", msg);
	return -1;
}

/* Push a pointer segment (RFC 6901 escaping); returns the old length. */
static size_t ptr_push(struct ctx *c, const char *seg)
{
	size_t old = strlen(c->ptr), o = old;

	if (o + 1 < sizeof(c->ptr))
		c->ptr[o++] = '/';
	for (; *seg && o + 2 < sizeof(c->ptr); seg++) {
		if (*seg == '~' || *seg == '/') {
			c->ptr[o++] = '~';
			c->ptr[o++] = *seg == '~' ? '0' : '1';
		} else {
			c->ptr[o++] = *seg;
		}
	}
	c->ptr[o] = '\0';
	return old;
}

static void ptr_pop(struct ctx *c, size_t old)
{
	c->ptr[old] = '\0';
}

static int is_ident(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !*s || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return n <= max;
}

/* Parameter names as Cloudflare spells them: letters, digits, _ . - */
static int is_param_name(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return n <= 64;
}

static int check_schema(struct ctx *c, const cJSON *s, int depth);

/* During load the tools are not sorted yet. */
static const struct tool *find_linear(const struct catalog *cat, const char *name)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		if (!strcmp(cat->tools[i].name, name))
			return &cat->tools[i];
	return NULL;
}

static int check_schema_map(struct ctx *c, const cJSON *m, int depth)
{
	const cJSON *it;

	if (!cJSON_IsObject(m))
		return fail(c, "must be an object of schemas");
	cJSON_ArrayForEach(it, m) {
		size_t old = ptr_push(c, it->string);
		if (check_schema(c, it, depth + 1) < 0)
			return -1;
		ptr_pop(c, old);
	}
	return 0;
}

static int check_schema_list(struct ctx *c, const cJSON *a, int depth)
{
	const cJSON *it;
	int i = 0;
	char idx[16];

	if (!cJSON_IsArray(a) || !cJSON_GetArraySize(a))
		return fail(c, "must be a non-empty array of schemas");
	cJSON_ArrayForEach(it, a) {
		size_t old;
		snprintf(idx, sizeof(idx), "%d", i++);
		old = ptr_push(c, idx);
		if (check_schema(c, it, depth + 1) < 0)
			return -1;
		ptr_pop(c, old);
	}
	return 0;
}

static int valid_type_name(const char *t)
{
	static const char *const names[] = { "string", "integer", "number", "boolean",
		"object", "array", "null" };
	size_t i;

	for (i = 0; i < CFMCP_NELEM(names); i++)
		if (!strcmp(t, names[i]))
			return 1;
	return 0;
}

/*
 * The JSON Schema (2020-12) subset that schema.c enforces. Annotations are
 * allowed anywhere; anything else is refused so the validator never
 * meets a keyword it would ignore.
 */
static int check_schema(struct ctx *c, const cJSON *s, int depth)
{
	const cJSON *k;

	if (depth > 16)
		return fail(c, "schema nested too deeply");
	if (!cJSON_IsObject(s))
		return fail(c, "a schema must be an object");
	cJSON_ArrayForEach(k, s) {
		const char *n = k->string;
		size_t old = ptr_push(c, n);

		if (!strcmp(n, "description") || !strcmp(n, "title") || !strcmp(n, "format") ||
		    !strcmp(n, "$comment")) {
			if (!cJSON_IsString(k))
				return fail(c, "must be a string");
		} else if (!strcmp(n, "default") || !strcmp(n, "examples") || !strcmp(n, "const") ||
			   !strcmp(n, "deprecated") || !strcmp(n, "readOnly")) {
			/* annotations / const: any JSON */
		} else if (!strcmp(n, "x-zone-name") || !strcmp(n, "x-account-default") ||
			   !strcmp(n, "x-id")) {
			if (!cJSON_IsBool(k))
				return fail(c, "must be a boolean");
		} else if (!strcmp(n, "type")) {
			if (cJSON_IsString(k)) {
				if (!valid_type_name(k->valuestring))
					return fail(c, "unknown type");
			} else if (cJSON_IsArray(k)) {
				const cJSON *t;
				cJSON_ArrayForEach(t, k)
					if (!cJSON_IsString(t) || !valid_type_name(t->valuestring))
						return fail(c, "unknown type in list");
			} else {
				return fail(c, "must be a type name or a list of them");
			}
		} else if (!strcmp(n, "enum")) {
			if (!cJSON_IsArray(k) || !cJSON_GetArraySize(k))
				return fail(c, "must be a non-empty array");
		} else if (!strcmp(n, "pattern")) {
			regex_t re;
			const char *p;
			if (!cJSON_IsString(k))
				return fail(c, "must be a string");
			/* POSIX ERE is what we run; refuse escapes ERE reads differently
			 * from ECMAScript (\d, \w, \s ...), which clients also evaluate. */
			for (p = k->valuestring; *p; p++)
				if (*p == '\\' && p[1] && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')))
					return fail(c, "use bracket classes, not \\%c (patterns run as POSIX ERE)", p[1]);
			if (regcomp(&re, k->valuestring, REG_EXTENDED | REG_NOSUB))
				return fail(c, "not a valid POSIX extended regular expression");
			regfree(&re);
		} else if (!strcmp(n, "minLength") || !strcmp(n, "maxLength") ||
			   !strcmp(n, "minItems") || !strcmp(n, "maxItems")) {
			if (!cJSON_IsNumber(k) || k->valuedouble < 0 || k->valuedouble > 1e9)
				return fail(c, "must be a non-negative integer");
		} else if (!strcmp(n, "minimum") || !strcmp(n, "maximum") ||
			   !strcmp(n, "exclusiveMinimum") || !strcmp(n, "exclusiveMaximum")) {
			if (!cJSON_IsNumber(k))
				return fail(c, "must be a number");
		} else if (!strcmp(n, "uniqueItems")) {
			if (!cJSON_IsBool(k))
				return fail(c, "must be a boolean");
		} else if (!strcmp(n, "properties")) {
			if (check_schema_map(c, k, depth) < 0)
				return -1;
		} else if (!strcmp(n, "required")) {
			const cJSON *r;
			if (!cJSON_IsArray(k))
				return fail(c, "must be an array of names");
			cJSON_ArrayForEach(r, k)
				if (!cJSON_IsString(r))
					return fail(c, "must be an array of names");
		} else if (!strcmp(n, "additionalProperties")) {
			if (!cJSON_IsBool(k) && check_schema(c, k, depth + 1) < 0)
				return -1;
		} else if (!strcmp(n, "items")) {
			if (check_schema(c, k, depth + 1) < 0)
				return -1;
		} else if (!strcmp(n, "oneOf") || !strcmp(n, "anyOf") || !strcmp(n, "allOf")) {
			if (check_schema_list(c, k, depth) < 0)
				return -1;
		} else {
			return fail(c, "unsupported schema keyword");
		}
		ptr_pop(c, old);
	}
	return 0;
}

static const char *kind_names[] = { "list", "get", "create", "update", "delete" };

static enum tool_kind kind_of(const char *key)
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
static int tool_name(char *out, size_t outsz, enum tool_kind k, const char *key,
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

/* Check {name} placeholders against path_params, both ways. */
static int check_path(struct ctx *c, const char *path, const cJSON *pp)
{
	const char *p = path;
	const cJSON *it;

	if (path[0] != '/')
		return fail(c, "must start with /");
	for (; *p; p++) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			char name[80];
			size_t n;
			if (!e || (n = (size_t)(e - p - 1)) == 0 || n >= sizeof(name))
				return fail(c, "bad {placeholder}");
			memcpy(name, p + 1, n);
			name[n] = '\0';
			if (!is_param_name(name) || !cJSON_GetObjectItemCaseSensitive(pp, name))
				return fail(c, "placeholder {%s} has no entry in path_params", name);
			p = e;
		} else if (*p == '?' || *p == '#' || *p == '%' || *p == ' ' || *p == '}') {
			return fail(c, "path must not contain ?, #, %%, } or spaces");
		}
	}
	cJSON_ArrayForEach(it, pp) {
		char ph[80];
		snprintf(ph, sizeof(ph), "{%s}", it->string);
		if (!strstr(path, ph))
			return fail(c, "path_params.%s is not used in the path", it->string);
	}
	return 0;
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

/* Build a tool's inputSchema: path and query parameters flattened, the
 * request body under "body", paging as limit/next_cursor. Collisions
 * between these names are load errors (schemas/README.md). */
static int build_input_schema(struct ctx *c, struct tool *t, const cJSON *body_required,
	const cJSON *required_query)
{
	cJSON *is = NULL, *props, *req;
	const cJSON *it;
	int rc = -1;

	is = cJSON_CreateObject();
	if (!is || !cJSON_AddStringToObject(is, "type", "object"))
		goto oom;
	props = cJSON_AddObjectToObject(is, "properties");
	req = cJSON_CreateArray();
	if (!props || !req)
		goto oom_req;
	cJSON_ArrayForEach(it, t->path_params) {
		const cJSON *def = cJSON_GetObjectItemCaseSensitive(it, "x-account-default");
		if (add_ref(props, it->string, it) < 0)
			goto oom_req;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "x-zone-name"))) {
			/* a zone id or a domain name the server resolves (plan.c),
			 * whatever pattern and length the file gave, or none:
			 * cJSON_Replace* fails on an absent key, so delete, then add */
			cJSON *p = cJSON_GetObjectItemCaseSensitive(props, it->string);
			cJSON_DeleteItemFromObjectCaseSensitive(p, "pattern");
			cJSON_DeleteItemFromObjectCaseSensitive(p, "maxLength");
			if (json_add(p, "pattern", cJSON_CreateString(ZONE_ID_OR_NAME)) < 0 ||
			    json_add(p, "maxLength", cJSON_CreateNumber(253)) < 0)
				goto oom_req;
		}
		if (!cJSON_IsTrue(def)) {
			cJSON *s = cJSON_CreateString(it->string);
			if (!s)
				goto oom_req;
			cJSON_AddItemToArray(req, s);
		}
	}
	cJSON_ArrayForEach(it, t->query) {
		if (cJSON_GetObjectItemCaseSensitive(props, it->string)) {
			cJSON_Delete(req);
			cJSON_Delete(is);
			return fail(c, "query parameter %s collides with a path parameter", it->string);
		}
		if ((t->size_param && !strcmp(it->string, t->size_param)) ||
		    (t->cursor_param && !strcmp(it->string, t->cursor_param)))
			continue; /* paging is expressed as limit/next_cursor */
		if (add_ref(props, it->string, it) < 0)
			goto oom_req;
	}
	cJSON_ArrayForEach(it, required_query) {
		cJSON *s;
		if (!cJSON_IsString(it) || !cJSON_GetObjectItemCaseSensitive(t->query, it->valuestring)) {
			cJSON_Delete(req);
			cJSON_Delete(is);
			return fail(c, "required_query names a parameter that is not in query");
		}
		if (!(s = cJSON_CreateString(it->valuestring)))
			goto oom_req;
		cJSON_AddItemToArray(req, s);
	}
	if (t->body) {
		if (cJSON_GetObjectItemCaseSensitive(props, "body")) {
			cJSON_Delete(req);
			cJSON_Delete(is);
			return fail(c, "a parameter named body collides with the request body");
		}
		if (add_ref(props, "body", t->body) < 0)
			goto oom_req;
		if (cJSON_IsTrue(body_required)) {
			cJSON *s = cJSON_CreateString("body");
			if (!s)
				goto oom_req;
			cJSON_AddItemToArray(req, s);
		}
	}
	if (t->paging != PAGE_NONE) {
		cJSON *lim, *cur;
		char d[200];
		if (cJSON_GetObjectItemCaseSensitive(props, "limit") ||
		    cJSON_GetObjectItemCaseSensitive(props, "next_cursor")) {
			cJSON_Delete(req);
			cJSON_Delete(is);
			return fail(c, "limit and next_cursor are reserved for paging");
		}
		lim = cJSON_AddObjectToObject(props, "limit");
		cur = cJSON_AddObjectToObject(props, "next_cursor");
		if (!lim || !cur)
			goto oom_req;
		snprintf(d, sizeof(d), "How many items to return (%d-%d, default %d).",
			t->page_min, t->page_max, t->page_default);
		if (!cJSON_AddStringToObject(lim, "type", "integer") ||
		    !cJSON_AddNumberToObject(lim, "minimum", t->page_min) ||
		    !cJSON_AddNumberToObject(lim, "maximum", t->page_max) ||
		    !cJSON_AddStringToObject(lim, "description", d) ||
		    !cJSON_AddStringToObject(cur, "type", "string") ||
		    !cJSON_AddNumberToObject(cur, "maxLength", 512) ||
		    !cJSON_AddStringToObject(cur, "description",
			    "Opaque cursor from a previous call's next_cursor; omit for the first page."))
			goto oom_req;
	}
	if (cJSON_GetArraySize(req) > 0) {
		if (json_add(is, "required", req) < 0)
			goto oom;
	} else {
		cJSON_Delete(req);
	}
	if (!cJSON_AddFalseToObject(is, "additionalProperties"))
		goto oom;
	t->input_schema = is;
	is = NULL;
	rc = 0;
	goto out;
oom_req:
	cJSON_Delete(req);
oom:
	rc = fail(c, "out of memory");
out:
	cJSON_Delete(is);
	return rc;
}

/* Render the Tool object once (MCP 2025-06-18+ "Tool"). */
static int render_tool(struct tool *t, const char *title, const char *desc)
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

static char **dup_tags(const cJSON *a, const cJSON *b)
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

static int check_tags(struct ctx *c, const cJSON *tags)
{
	const cJSON *t;

	if (!tags)
		return 0;
	if (!cJSON_IsArray(tags))
		return fail(c, "must be an array of tag names");
	cJSON_ArrayForEach(t, tags)
		if (!cJSON_IsString(t) || !is_ident(t->valuestring, 64))
			return fail(c, "tags are [a-z][a-z0-9_]* names");
	return 0;
}

static void tool_free(struct tool *t)
{
	size_t i;

	xfree(t->name);
	xfree(t->method_key);
	cJSON_Delete(t->input_schema);
	xfree(t->json);
	if (t->tags)
		for (i = 0; t->tags[i]; i++)
			xfree(t->tags[i]);
	xfree(t->tags);
}

static int method_keys_ok(struct ctx *c, const cJSON *m)
{
	static const char *const allowed[] = { "http", "path", "title", "description",
		"path_params", "query", "required_query", "body", "body_required", "pagination", "tags", "tool" };
	const cJSON *k;

	cJSON_ArrayForEach(k, m) {
		size_t i, ok = 0;
		for (i = 0; i < CFMCP_NELEM(allowed); i++)
			if (!strcmp(k->string, allowed[i]))
				ok = 1;
		if (!ok) {
			ptr_push(c, k->string);
			return fail(c, "unknown key");
		}
	}
	return 0;
}

static int parse_pagination(struct ctx *c, struct tool *t, const cJSON *pg)
{
	const cJSON *st, *d, *mx, *mn, *sz, *cur;
	size_t old;

	if (!pg)
		return 0;
	old = ptr_push(c, "pagination");
	if (!cJSON_IsObject(pg))
		return fail(c, "must be an object");
	st = cJSON_GetObjectItemCaseSensitive(pg, "style");
	d = cJSON_GetObjectItemCaseSensitive(pg, "default");
	mx = cJSON_GetObjectItemCaseSensitive(pg, "max");
	mn = cJSON_GetObjectItemCaseSensitive(pg, "min");
	sz = cJSON_GetObjectItemCaseSensitive(pg, "size_param");
	cur = cJSON_GetObjectItemCaseSensitive(pg, "cursor_param");
	if (!cJSON_IsString(st))
		return fail(c, "style must be \"page\", \"cursor\" or \"none\"");
	if (!strcmp(st->valuestring, "none"))
		goto done;
	if (!strcmp(st->valuestring, "page"))
		t->paging = PAGE_PAGE;
	else if (!strcmp(st->valuestring, "cursor"))
		t->paging = PAGE_CURSOR;
	else
		return fail(c, "style must be \"page\", \"cursor\" or \"none\"");
	if (!cJSON_IsNumber(d) || !cJSON_IsNumber(mx) || d->valueint < 1 || mx->valueint < d->valueint ||
	    mx->valueint > 1000)
		return fail(c, "default and max must be integers with 1 <= default <= max <= 1000");
	/* Cloudflare refuses some page sizes below 5 (OPERATIONS.md): "min" */
	if (mn && (!cJSON_IsNumber(mn) || mn->valueint < 1 || mn->valueint > d->valueint))
		return fail(c, "min must be an integer with 1 <= min <= default");
	t->page_min = mn ? mn->valueint : 1;
	t->page_default = d->valueint;
	t->page_max = mx->valueint;
	t->size_param = cJSON_IsString(sz) ? sz->valuestring : (t->paging == PAGE_PAGE ? "per_page" : "limit");
	t->cursor_param = cJSON_IsString(cur) ? cur->valuestring : (t->paging == PAGE_PAGE ? "page" : "cursor");
done:
	ptr_pop(c, old);
	return 0;
}

/* Validate one schema document and append its tools. */
static int load_doc(struct ctx *c, struct catalog *cat, const cJSON *doc, size_t *cap)
{
	const cJSON *res, *plural, *scope, *tags, *methods, *m, *k;
	static const char *const top_allowed[] = { "resource", "plural", "scope", "tags",
		"description", "methods", "$comment" };

	if (!cJSON_IsObject(doc))
		return fail(c, "a schema file holds one object");
	cJSON_ArrayForEach(k, doc) {
		size_t i, ok = 0;
		for (i = 0; i < CFMCP_NELEM(top_allowed); i++)
			if (!strcmp(k->string, top_allowed[i]))
				ok = 1;
		if (!ok) {
			ptr_push(c, k->string);
			return fail(c, "unknown key");
		}
	}
	res = cJSON_GetObjectItemCaseSensitive(doc, "resource");
	plural = cJSON_GetObjectItemCaseSensitive(doc, "plural");
	scope = cJSON_GetObjectItemCaseSensitive(doc, "scope");
	tags = cJSON_GetObjectItemCaseSensitive(doc, "tags");
	methods = cJSON_GetObjectItemCaseSensitive(doc, "methods");
	if (!cJSON_IsString(res) || !is_ident(res->valuestring, 40))
		return (ptr_push(c, "resource"), fail(c, "required: a [a-z][a-z0-9_]* name"));
	if (!cJSON_IsString(plural) || !is_ident(plural->valuestring, 40))
		return (ptr_push(c, "plural"), fail(c, "required: a [a-z][a-z0-9_]* name"));
	if (!cJSON_IsString(scope) || (strcmp(scope->valuestring, "zone") &&
	    strcmp(scope->valuestring, "account") && strcmp(scope->valuestring, "user")))
		return (ptr_push(c, "scope"), fail(c, "required: \"zone\", \"account\" or \"user\""));
	{
		size_t old = ptr_push(c, "tags");
		if (check_tags(c, tags) < 0)
			return -1;
		ptr_pop(c, old);
	}
	if (!cJSON_IsObject(methods) || !cJSON_GetArraySize(methods))
		return (ptr_push(c, "methods"), fail(c, "required: a non-empty object"));
	cJSON_ArrayForEach(m, methods) {
		size_t old0 = ptr_push(c, "methods"), old;
		struct tool t;
		const cJSON *http, *path, *desc, *title, *pp, *q, *body, *breq, *mtags, *tname;
		char name[128], tbuf[160];

		old = ptr_push(c, m->string);
		memset(&t, 0, sizeof(t));
		if (!is_ident(m->string, 40))
			return fail(c, "method keys are [a-z][a-z0-9_]* names");
		if (!cJSON_IsObject(m))
			return fail(c, "must be an object");
		if (method_keys_ok(c, m) < 0)
			return -1;
		http = cJSON_GetObjectItemCaseSensitive(m, "http");
		path = cJSON_GetObjectItemCaseSensitive(m, "path");
		desc = cJSON_GetObjectItemCaseSensitive(m, "description");
		title = cJSON_GetObjectItemCaseSensitive(m, "title");
		pp = cJSON_GetObjectItemCaseSensitive(m, "path_params");
		q = cJSON_GetObjectItemCaseSensitive(m, "query");
		body = cJSON_GetObjectItemCaseSensitive(m, "body");
		breq = cJSON_GetObjectItemCaseSensitive(m, "body_required");
		mtags = cJSON_GetObjectItemCaseSensitive(m, "tags");
		tname = cJSON_GetObjectItemCaseSensitive(m, "tool");
		if (!cJSON_IsString(http) || (strcmp(http->valuestring, "GET") &&
		    strcmp(http->valuestring, "POST") && strcmp(http->valuestring, "PUT") &&
		    strcmp(http->valuestring, "PATCH") && strcmp(http->valuestring, "DELETE")))
			return (ptr_push(c, "http"), fail(c, "required: GET, POST, PUT, PATCH or DELETE"));
		if (!cJSON_IsString(path))
			return (ptr_push(c, "path"), fail(c, "required: a path template"));
		if (!cJSON_IsString(desc) || strlen(desc->valuestring) < 20)
			return (ptr_push(c, "description"), fail(c, "required: a description for the model (20+ characters)"));
		if (title && !cJSON_IsString(title))
			return (ptr_push(c, "title"), fail(c, "must be a string"));
		if (pp) {
			size_t o2 = ptr_push(c, "path_params");
			if (check_schema_map(c, pp, 0) < 0)
				return -1;
			ptr_pop(c, o2);
		}
		{
			size_t o2 = ptr_push(c, "path");
			static const cJSON empty = { 0 };
			if (check_path(c, path->valuestring, pp ? pp : &empty) < 0)
				return -1;
			ptr_pop(c, o2);
		}
		if (q) {
			size_t o2 = ptr_push(c, "query");
			const cJSON *qi;
			if (check_schema_map(c, q, 0) < 0)
				return -1;
			cJSON_ArrayForEach(qi, q)
				if (!is_param_name(qi->string))
					return fail(c, "bad query parameter name");
			ptr_pop(c, o2);
		}
		if (body) {
			size_t o2 = ptr_push(c, "body");
			if (!strcmp(http->valuestring, "GET"))
				return fail(c, "a GET method has no body");
			if (check_schema(c, body, 0) < 0)
				return -1;
			ptr_pop(c, o2);
		}
		if (breq && !cJSON_IsBool(breq))
			return (ptr_push(c, "body_required"), fail(c, "must be a boolean"));
		{
			size_t o2 = ptr_push(c, "tags");
			if (check_tags(c, mtags) < 0)
				return -1;
			ptr_pop(c, o2);
		}
		t.kind = kind_of(m->string);
		t.http = http->valuestring;
		t.path = path->valuestring;
		t.path_params = pp;
		t.query = q;
		t.body = body;
		if (parse_pagination(c, &t, cJSON_GetObjectItemCaseSensitive(m, "pagination")) < 0)
			return -1;
		if (t.kind == TOOL_LIST && t.paging == PAGE_NONE &&
		    !cJSON_GetObjectItemCaseSensitive(m, "pagination"))
			return fail(c, "a list method needs \"pagination\" (style page, cursor or none)");
		if (tname) {
			if (!cJSON_IsString(tname) || !is_ident(tname->valuestring, CAP_TOOL_NAME))
				return (ptr_push(c, "tool"), fail(c, "must be a [a-z][a-z0-9_]* name of at most 64 characters"));
			snprintf(name, sizeof(name), "%s", tname->valuestring);
		} else if (tool_name(name, sizeof(name), t.kind, m->string, res->valuestring,
			   plural->valuestring, path->valuestring) < 0 || strlen(name) > CAP_TOOL_NAME) {
			return fail(c, "tool name would exceed 64 characters; set \"tool\"");
		}
		if (strlen(name) > CAP_TOOL_NAME)
			return fail(c, "tool name exceeds 64 characters");
		if (find_linear(cat, name))
			return fail(c, "tool name %s is already defined", name);
		if (!title) {
			snprintf(tbuf, sizeof(tbuf), "%s", name);
		} else {
			snprintf(tbuf, sizeof(tbuf), "%s", title->valuestring);
		}
		ptr_pop(c, old);
		if (build_input_schema(c, &t, breq, cJSON_GetObjectItemCaseSensitive(m, "required_query")) < 0)
			return -1;
		t.name = xstrdup(name);
		t.method_key = xstrdup(m->string);
		t.tags = dup_tags(tags, mtags);
		if (!t.name || !t.method_key || !t.tags || render_tool(&t, tbuf, desc->valuestring) < 0) {
			tool_free(&t);
			return fail(c, "out of memory");
		}
		if (cat->ntools == *cap) {
			size_t ncap = *cap ? *cap * 2 : 32;
			struct tool *nt = xrealloc(cat->tools, ncap * sizeof(*nt));
			if (!nt) {
				tool_free(&t);
				return fail(c, "out of memory");
			}
			cat->tools = nt;
			*cap = ncap;
		}
		cat->tools[cat->ntools++] = t;
		ptr_pop(c, old0);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_tool(const void *a, const void *b)
{
	return strcmp(((const struct tool *)a)->name, ((const struct tool *)b)->name);
}

static char *read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *p = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max)
		goto out;
	p = xmalloc((size_t)sb.st_size + 1);
	if (!p)
		goto out;
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + got, (size_t)sb.st_size - got);
		if (r <= 0) {
			xfree(p);
			p = NULL;
			goto out;
		}
		got += (size_t)r;
	}
	p[got] = '\0';
	*len = got;
out:
	close(fd);
	return p;
}

int catalog_load(struct catalog *cat, const char *dir, char *err, size_t errsz)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, i, cap = 0;
	int rc = -1;
	struct ctx c;

	memset(cat, 0, sizeof(*cat));
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errsz = errsz;
	d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "%s: cannot open schemas directory: %s", dir, strerror(errno));
		return -1;
	}
	names = xcalloc(CAP_SCHEMA_FILES, sizeof(char *));
	if (!names)
		goto oom;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") || de->d_name[0] == '.')
			continue;
		if (nnames == CAP_SCHEMA_FILES) {
			snprintf(err, errsz, "%s: more than %d schema files", dir, CAP_SCHEMA_FILES);
			goto out;
		}
		if (!(names[nnames++] = xstrdup(de->d_name)))
			goto oom;
	}
	if (!nnames) {
		snprintf(err, errsz, "%s: no *.json schema files", dir);
		goto out;
	}
	qsort(names, nnames, sizeof(char *), cmp_str);
	cat->docs = xcalloc(nnames, sizeof(cJSON *));
	if (!cat->docs)
		goto oom;
	for (i = 0; i < nnames; i++) {
		char path[4096];
		size_t len = 0;
		char *text;
		const char *end = NULL;
		cJSON *doc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		c.file = path;
		c.ptr[0] = '\0';
		text = read_file(path, CAP_SCHEMA_FILE_BYTES, &len);
		if (!text) {
			snprintf(err, errsz, "%s: cannot read (missing, not a file, or over %u bytes)",
				path, CAP_SCHEMA_FILE_BYTES);
			goto out;
		}
		doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
		if (!doc) {
			snprintf(err, errsz, "%s: not valid JSON (near byte %ld)", path,
				end ? (long)(end - text) : 0L);
			xfree(text);
			goto out;
		}
		xfree(text);
		cat->docs[cat->ndocs++] = doc;
		if (load_doc(&c, cat, doc, &cap) < 0)
			goto out;
	}
	qsort(cat->tools, cat->ntools, sizeof(struct tool), cmp_tool);
	rc = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory loading schemas");
out:
	if (d)
		closedir(d);
	for (i = 0; names && i < nnames; i++)
		xfree(names[i]);
	xfree(names);
	if (rc < 0)
		catalog_free(cat);
	return rc;
}

void catalog_free(struct catalog *cat)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		tool_free(&cat->tools[i]);
	xfree(cat->tools);
	for (i = 0; i < cat->ndocs; i++)
		cJSON_Delete(cat->docs[i]);
	xfree(cat->docs);
	memset(cat, 0, sizeof(*cat));
}

static int cmp_name_tool(const void *key, const void *t)
{
	return strcmp(key, ((const struct tool *)t)->name);
}

const struct tool *catalog_find(const struct catalog *cat, const char *name)
{
	/* catalog_load leaves the tools sorted by name */
	if (!cat->ntools)
		return NULL;
	return bsearch(name, cat->tools, cat->ntools, sizeof(struct tool), cmp_name_tool);
}

int tool_is_read(const struct tool *t)
{
	return t->kind == TOOL_LIST || t->kind == TOOL_GET;
}
