/*
 * openapi_doc.c - one operation -> one schema document in the curated
 * format (schemas/README.md): path parameters (the root id checked as
 * the curated tools check it), query parameters, pagination, the body,
 * the description. catalog_add_doc then checks it like any schema file.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "openapi_private.h"
#include "xalloc.h"

/* Cursor-style paging when the operation has a cursor; page-style when it
 * has page + per_page. Bounds from per_page's schema (default 20, max 50
 * when it gives none, never above 1000). */
static cJSON *op_pagination(struct conv *c, const struct op *op)
{
	const cJSON *pp = conv_find_param(c, op, "query", "per_page");
	const cJSON *lim = conv_find_param(c, op, "query", "limit");
	const cJSON *sz = pp ? pp : lim, *sch;
	const cJSON *d, *mx, *mn;
	int style_cursor = op_has_query(op, "cursor");
	int style_page = pp && op_has_query(op, "page");
	long dv = 20, mv = 50, nv = 1;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	/* a paging parameter the spec requires is not ours to fill: the tool
	 * takes it as a plain argument and does not page */
	if (sz && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sz, "required")))
		sz = NULL;
	if (style_page && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(conv_find_param(c, op, "query", "page"), "required")))
		sz = NULL;
	if (style_cursor && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(conv_find_param(c, op, "query", "cursor"), "required")))
		sz = NULL;
	if (!sz || (!style_cursor && !style_page)) {
		if (!cJSON_AddStringToObject(o, "style", "none"))
			goto fail;
		return o;
	}
	sch = conv_deref(c, cJSON_GetObjectItemCaseSensitive(sz, "schema"));
	d = cJSON_GetObjectItemCaseSensitive(sch, "default");
	mx = cJSON_GetObjectItemCaseSensitive(sch, "maximum");
	mn = cJSON_GetObjectItemCaseSensitive(sch, "minimum");
	if (cJSON_IsNumber(mx) && mx->valuedouble >= 1)
		mv = mx->valuedouble > 1000 ? 1000 : (long)mx->valuedouble;
	/* clamped before the cast: a double out of long's range is undefined */
	if (cJSON_IsNumber(d) && d->valuedouble >= 1)
		dv = d->valuedouble > 1000 ? 1000 : (long)d->valuedouble;
	if (cJSON_IsNumber(mn) && mn->valuedouble >= 1)
		nv = mn->valuedouble > 1000 ? 1000 : (long)mn->valuedouble;
	if (dv > mv)
		dv = mv;
	if (nv > dv)
		nv = dv;
	if (!cJSON_AddStringToObject(o, "style", style_cursor ? "cursor" : "page") ||
	    !cJSON_AddNumberToObject(o, "min", (double)nv) ||
	    !cJSON_AddNumberToObject(o, "default", (double)dv) ||
	    !cJSON_AddNumberToObject(o, "max", (double)mv) ||
	    !cJSON_AddStringToObject(o, "size_param", sz == pp ? "per_page" : "limit") ||
	    !cJSON_AddStringToObject(o, "cursor_param", style_cursor ? "cursor" : "page"))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int is_param_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return n > 0 && n <= 64;
}

/* Whether s describes an object: its type, or properties, or an allOf
 * member that does (workers-kv's analytics "query" parameter is an allOf
 * of two objects with no type of its own). hops bounds the recursion. */
static int param_is_object(struct conv *c, const cJSON *s, int hops)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type"), *m;

	if (!s || hops > OPENAPI_MAX_DEPTH)
		return 0;
	if (cJSON_IsString(t))
		return !strcmp(t->valuestring, "object");
	if (cJSON_GetObjectItemCaseSensitive(s, "properties"))
		return 1;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(s, "allOf"))
		if (param_is_object(c, conv_deref(c, m), hops + 1))
			return 1;
	return 0;
}

/* A parameter's schema, converted; scalars and arrays of scalars only
 * (what plan.c can put in a path or a query). NULL with *bad set when
 * unusable, NULL with *bad clear when out of memory. */
static cJSON *param_schema(struct conv *c, const cJSON *prm, int *bad)
{
	const cJSON *s = conv_deref(c, cJSON_GetObjectItemCaseSensitive(prm, "schema"));
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(prm, "description");
	cJSON *out;

	*bad = 0;
	if (!s || param_is_object(c, s, 0)) {
		*bad = 1;
		return NULL;
	}
	c->in_body = 0;
	c->max_depth = 2;
	out = conv_schema(c, s, 0);
	if (!out)
		return NULL;
	if (cJSON_IsString(desc) && !cJSON_GetObjectItemCaseSensitive(out, "description")) {
		char *d = op_utf8_cut(desc->valuestring, OPENAPI_PROP_DESC_MAX);
		if (!d || json_add(out, "description", cJSON_CreateString(d)) < 0) {
			xfree(d);
			cJSON_Delete(out);
			return NULL;
		}
		xfree(d);
	}
	if (cJSON_IsString(t) && !strcmp(t->valuestring, "string") &&
	    !cJSON_GetObjectItemCaseSensitive(out, "maxLength") &&
	    !cJSON_GetObjectItemCaseSensitive(out, "enum") &&
	    json_add(out, "maxLength", cJSON_CreateNumber(1024)) < 0) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

/* Path parameters, one per {placeholder} (a placeholder the spec does not
 * declare is a string of at most 256). The root's id is marked: a zone id
 * also takes a domain name, an account id defaults to the token's
 * account and is hidden. 0, 1 with op->skip set, -1 when out of memory. */
static int op_path_params(struct conv *c, struct op *op, cJSON *pp)
{
	const char *p = op->path;
	int first = 1, bad;

	while ((p = strchr(p, '{'))) {
		const char *e = strchr(p, '}');
		char name[80];
		const cJSON *prm;
		cJSON *s;
		size_t n;

		if (!e || (n = (size_t)(e - p - 1)) == 0 || n >= sizeof(name)) {
			op->skip = "bad path template";
			return 1;
		}
		memcpy(name, p + 1, n);
		name[n] = '\0';
		p = e + 1;
		prm = conv_find_param(c, op, "path", name);
		if (prm) {
			s = param_schema(c, prm, &bad);
			if (!s && bad) {
				op->skip = "unsupported path parameter";
				snprintf(op->detail, sizeof(op->detail), "%s", name);
				return 1;
			}
		} else {
			s = cJSON_CreateObject();
			if (s && (!cJSON_AddStringToObject(s, "type", "string") ||
			    !cJSON_AddNumberToObject(s, "maxLength", 256))) {
				cJSON_Delete(s);
				s = NULL;
			}
		}
		if (!s)
			return -1;
		if (first && !strcmp(op_path_root(op->path), "zones") &&
		    json_add(s, "x-zone-name", cJSON_CreateTrue()) < 0)
			goto oom;
		if (first && !strcmp(op_path_root(op->path), "accounts") &&
		    (json_add(s, "x-account-default", cJSON_CreateTrue()) < 0 ||
		     json_add(s, "x-hidden", cJSON_CreateTrue()) < 0))
			goto oom;
		if (cJSON_GetObjectItemCaseSensitive(pp, name)) {
			cJSON_Delete(s);
			op->skip = "bad path template";
			return 1;
		}
		if (json_add(pp, name, s) < 0)
			return -1;
		first = 0;
		continue;
oom:
		cJSON_Delete(s);
		return -1;
	}
	return 0;
}

/* Query parameters (the paging ones stay: tool.c expresses them as
 * limit/next_cursor). A parameter plan.c cannot send (an object) or whose
 * name is reserved is left out, or skips the operation when required.
 * Header and cookie parameters: only optional ones are allowed (left out). */
static int op_query(struct conv *c, struct op *op, const cJSON *pp, const cJSON *pag, cJSON *q,
	cJSON *req)
{
	const cJSON *lists[2], *prm;
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(pag, "size_param");
	int i, bad;

	lists[0] = cJSON_GetObjectItemCaseSensitive(op->o, "parameters");
	lists[1] = cJSON_GetObjectItemCaseSensitive(op->item, "parameters");
	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(prm, lists[i]) {
			const cJSON *d = conv_deref(c, prm), *in, *nm;
			int required;
			cJSON *s;
			if (!d) {
				op->skip = "unresolvable $ref";
				return 1;
			}
			in = cJSON_GetObjectItemCaseSensitive(d, "in");
			nm = cJSON_GetObjectItemCaseSensitive(d, "name");
			required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "required"));
			if (!cJSON_IsString(in) || !cJSON_IsString(nm)) {
				op->skip = "malformed parameter";
				return 1;
			}
			if (!strcmp(in->valuestring, "path"))
				continue;
			if (strcmp(in->valuestring, "query")) {
				if (!required)
					continue;
				op->skip = "required header or cookie parameter";
				snprintf(op->detail, sizeof(op->detail), "%s", nm->valuestring);
				return 1;
			}
			if (cJSON_GetObjectItemCaseSensitive(q, nm->valuestring))
				continue; /* the operation's own wins over the path item's */
			if (!is_param_name(nm->valuestring) || !strcmp(nm->valuestring, "body") ||
			    !strcmp(nm->valuestring, "next_cursor") ||
			    cJSON_GetObjectItemCaseSensitive(pp, nm->valuestring) ||
			    (!strcmp(nm->valuestring, "limit") && cJSON_IsString(size) &&
			     strcmp(size->valuestring, "limit"))) {
				if (!required)
					continue;
				op->skip = "required query parameter with a reserved or unusable name";
				snprintf(op->detail, sizeof(op->detail), "%s", nm->valuestring);
				return 1;
			}
			s = param_schema(c, d, &bad);
			if (!s && bad) {
				if (!required)
					continue;
				op->skip = "required object-valued query parameter";
				snprintf(op->detail, sizeof(op->detail), "%s", nm->valuestring);
				return 1;
			}
			if (!s || json_add(q, nm->valuestring, s) < 0)
				return -1;
			if (required && json_add(req, NULL, cJSON_CreateString(nm->valuestring)) < 0)
				return -1;
		}
	return 0;
}

/* The JSON request body's schema into m ("body", "body_required"). Bodies
 * that are not JSON skip the operation with their media type as reason. */
static int op_body(struct conv *c, struct op *op, cJSON *m)
{
	const cJSON *rb = cJSON_GetObjectItemCaseSensitive(op->o, "requestBody"), *content, *js, *s;
	cJSON *b;

	if (!rb)
		return 0;
	rb = conv_deref(c, rb);
	if (!rb) {
		op->skip = "unresolvable $ref";
		return 1;
	}
	content = cJSON_GetObjectItemCaseSensitive(rb, "content");
	js = cJSON_GetObjectItemCaseSensitive(content, "application/json");
	if (!js) {
		const char *ct = content && content->child ? content->child->string : "no media type";
		snprintf(op->reason, sizeof(op->reason), "%.40s body (not JSON)", ct);
		op->skip = op->reason;
		return 1;
	}
	if (!strcmp(op->http, "GET")) {
		op->skip = "GET with a request body";
		return 1;
	}
	s = cJSON_GetObjectItemCaseSensitive(js, "schema");
	if (!s) {
		b = cJSON_CreateObject(); /* any JSON: the spec says nothing */
	} else {
		c->in_body = 1;
		b = conv_body(c, s, OPENAPI_MAX_DEPTH, OPENAPI_SCHEMA_BUDGET);
		/* what the collapse note promises: the full shape, for
		 * describe_cloudflare_operation (and validation) */
		if (b && c->collapsed) {
			cJSON *full = conv_body(c, s, OPENAPI_FULL_MAX_DEPTH, OPENAPI_FULL_BUDGET);
			if (!full || json_add(m, "body_full", full) < 0) {
				c->in_body = 0;
				cJSON_Delete(b);
				return -1;
			}
		}
		c->in_body = 0;
	}
	if (!b || json_add(m, "body", b) < 0)
		return -1;
	if (c->bad_ref) {
		op->skip = "unresolvable $ref";
		snprintf(op->detail, sizeof(op->detail), "%.180s", c->bad_ref);
		return 1;
	}
	/* a DELETE's required body the spec gives no schema for is sent as
	 * {} when the model gives none (openapi.c sets body_default) */
	return json_add(m, "body_required",
		cJSON_CreateBool(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rb, "required")) &&
				 (strcmp(op->http, "DELETE") || s)));
}

/* The tool's description: summary, then the description, within
 * OPENAPI_DESC_MAX, then what to look up first. NULL when out of memory. */
static char *op_description(const struct op *op)
{
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(op->o, "summary");
	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(op->o, "description");
	const char *root = op_path_root(op->path);
	char text[OPENAPI_DESC_MAX + 400], *cut, *r;
	const char *hint = !strcmp(root, "zones") ?
		" Needs the zone's id, or its domain name (list_all_cloudflare_zones lists them)." :
		!strcmp(root, "accounts") ? " Runs on the token's Cloudflare account." : "";

	snprintf(text, sizeof(text), "%s%s%s", cJSON_IsString(sm) ? sm->valuestring : "",
		cJSON_IsString(ds) && (!cJSON_IsString(sm) || strcmp(ds->valuestring, sm->valuestring)) ? ". " : "",
		cJSON_IsString(ds) && (!cJSON_IsString(sm) || strcmp(ds->valuestring, sm->valuestring)) ?
			ds->valuestring : "");
	cut = op_utf8_cut(text, OPENAPI_DESC_MAX);
	if (!cut)
		return NULL;
	snprintf(text, sizeof(text), "%s%s (%s %s)", cut, hint, op->http, op->path);
	xfree(cut);
	r = op_utf8_cut(text, sizeof(text) - 1);
	return r;
}

/*
 * The schema document of one operation (schemas/README.md format, one
 * method whose "tool" is op->name), or NULL: out of memory, or op->skip
 * set with the reason.
 */
cJSON *op_doc(const cJSON *spec, struct op *op)
{
	struct conv c;
	cJSON *doc = cJSON_CreateObject(), *methods, *m, *pp, *q, *req, *pag = NULL;
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(op->o, "summary");
	char *desc = NULL, *title = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	c.spec = spec;
	if (!doc || !cJSON_AddStringToObject(doc, "resource", "operation") ||
	    !cJSON_AddStringToObject(doc, "plural", "operations") ||
	    !cJSON_AddStringToObject(doc, "scope", !strcmp(op_path_root(op->path), "zones") ? "zone" :
		    !strcmp(op_path_root(op->path), "accounts") ? "account" : "user") ||
	    json_add(doc, "tags", op_tags(op)) < 0 ||
	    !(methods = cJSON_AddObjectToObject(doc, "methods")) ||
	    !(m = cJSON_AddObjectToObject(methods, op->key)))
		goto fail;
	desc = op_description(op);
	title = op_utf8_cut(cJSON_IsString(sm) && sm->valuestring[0] ? sm->valuestring : op->name, 120);
	if (!desc || !title || !cJSON_AddStringToObject(m, "http", op->http) ||
	    !cJSON_AddStringToObject(m, "path", op->path) || !cJSON_AddStringToObject(m, "title", title) ||
	    !cJSON_AddStringToObject(m, "description", desc) ||
	    !cJSON_AddStringToObject(m, "tool", op->name))
		goto fail;
	pp = cJSON_CreateObject();
	if (!pp || json_add(m, "path_params", pp) < 0)
		goto fail;
	if ((r = op_path_params(&c, op, pp)) != 0)
		goto skip_or_fail;
	if (!cJSON_GetArraySize(pp))
		cJSON_DeleteItemFromObjectCaseSensitive(m, "path_params");
	if (op->kind == TOOL_LIST) {
		pag = op_pagination(&c, op);
		if (!pag || json_add(m, "pagination", pag) < 0)
			goto fail;
	}
	q = cJSON_CreateObject();
	req = cJSON_CreateArray();
	if (!q || !req) {
		cJSON_Delete(q);
		cJSON_Delete(req);
		goto fail;
	}
	if (json_add(m, "query", q) < 0) {
		cJSON_Delete(req);
		goto fail;
	}
	if (json_add(m, "required_query", req) < 0)
		goto fail;
	if ((r = op_query(&c, op, cJSON_GetObjectItemCaseSensitive(m, "path_params"), pag, q, req)) != 0)
		goto skip_or_fail;
	if (!cJSON_GetArraySize(q))
		cJSON_DeleteItemFromObjectCaseSensitive(m, "query");
	if (!cJSON_GetArraySize(req))
		cJSON_DeleteItemFromObjectCaseSensitive(m, "required_query");
	if ((r = op_body(&c, op, m)) != 0)
		goto skip_or_fail;
	if (c.bad_ref) {
		op->skip = "unresolvable $ref";
		snprintf(op->detail, sizeof(op->detail), "%.180s", c.bad_ref);
		goto fail;
	}
	xfree(desc);
	xfree(title);
	return doc;
skip_or_fail:
	if (r < 0)
		op->skip = NULL;
fail:
	xfree(desc);
	xfree(title);
	cJSON_Delete(doc);
	return NULL;
}
