/*
 * catalog.c - load schemas/NAME.json, check each document and each of its
 * methods, and add one tool per method (built by tool.c; the schemas in
 * it checked by schema.c), sorted by name for catalog_find.
 *
 * Checking is strict on purpose: an unknown key or JSON Schema keyword
 * is an error, so a typo in a schema fails at start instead of silently
 * widening what a model may send upstream. Errors name the file and a
 * JSON pointer to the offending member.
 */
#include "first.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "caps.h"
#include "catalog.h"
#include "file.h"
#include "json.h"
#include "schema.h"
#include "xalloc.h"

/* Error context: file name and a JSON pointer being built as we descend. */
struct ctx {
	int generated;          /* catalog_add_doc: names unique by construction,
				 * checked once after sorting (catalog_sort) */
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
	return json_ptr_push(c->ptr, sizeof(c->ptr), seg);
}

static void ptr_pop(struct ctx *c, size_t old)
{
	c->ptr[old] = '\0';
}

/* fail() at member key of the object the pointer is at. */
__attribute__((cold))
static int fail_at(struct ctx *c, const char *key, const char *msg)
{
	ptr_push(c, key);
	return fail(c, "%s", msg);
}

/* The one "no unknown keys" check, reported at the first unknown key. */
static int keys_ok(struct ctx *c, const cJSON *obj, const char *const *allowed)
{
	const char *k = json_unknown_key(obj, allowed);

	return k ? fail_at(c, k, "unknown key") : 0;
}

/* A schema (map: an object of named schemas) in the subset schema.c
 * supports; the reason is reported at the offending keyword. */
static int schema_ok(struct ctx *c, const cJSON *s, int map)
{
	char why[400];

	if ((map ? schema_check_map(s, c->ptr, sizeof(c->ptr), why, sizeof(why)) :
		   schema_check(s, c->ptr, sizeof(c->ptr), why, sizeof(why))) < 0)
		return fail(c, "%s", why);
	return 0;
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

/* During load the tools are not sorted yet. */
static const struct tool *find_linear(const struct catalog *cat, const char *name)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		if (!strcmp(cat->tools[i].name, name))
			return &cat->tools[i];
	return NULL;
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

/* What a document gives each of its methods. */
struct doc {
	const char *res, *plural; /* the resource's singular and plural */
	const cJSON *tags;        /* tags of every method, or NULL */
};

/* One method object's members (schemas/README.md), after check_method. */
struct method {
	const cJSON *http, *path, *desc, *title, *pp, *q, *required_query, *body, *body_full, *breq,
		*pagination, *tags, *tool;
};

static int http_method_ok(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") ||
	       !strcmp(m, "DELETE");
}

/* Query parameters: schemas, under names as Cloudflare spells them. */
static int check_query(struct ctx *c, const cJSON *q)
{
	size_t old = ptr_push(c, "query");
	const cJSON *qi;

	if (schema_ok(c, q, 1) < 0)
		return -1;
	cJSON_ArrayForEach(qi, q)
		if (!is_param_name(qi->string))
			return fail(c, "bad query parameter name");
	ptr_pop(c, old);
	return 0;
}

/* Check one method object's key and members into d; the pointer is at
 * the method ("/methods/list"). Pagination is checked as it is parsed. */
static int check_method(struct ctx *c, const cJSON *m, struct method *d)
{
	static const char *const allowed[] = { "http", "path", "title", "description", "path_params",
		"query", "required_query", "body", "body_full", "body_required", "pagination", "tags", "tool", NULL };
	static const cJSON no_params = { 0 };
	size_t old;

	if (!is_ident(m->string, 40))
		return fail(c, "method keys are [a-z][a-z0-9_]* names");
	if (!cJSON_IsObject(m))
		return fail(c, "must be an object");
	if (keys_ok(c, m, allowed) < 0)
		return -1;
	d->http = cJSON_GetObjectItemCaseSensitive(m, "http");
	d->path = cJSON_GetObjectItemCaseSensitive(m, "path");
	d->desc = cJSON_GetObjectItemCaseSensitive(m, "description");
	d->title = cJSON_GetObjectItemCaseSensitive(m, "title");
	d->pp = cJSON_GetObjectItemCaseSensitive(m, "path_params");
	d->q = cJSON_GetObjectItemCaseSensitive(m, "query");
	d->required_query = cJSON_GetObjectItemCaseSensitive(m, "required_query");
	d->body = cJSON_GetObjectItemCaseSensitive(m, "body");
	d->body_full = cJSON_GetObjectItemCaseSensitive(m, "body_full");
	d->breq = cJSON_GetObjectItemCaseSensitive(m, "body_required");
	d->pagination = cJSON_GetObjectItemCaseSensitive(m, "pagination");
	d->tags = cJSON_GetObjectItemCaseSensitive(m, "tags");
	d->tool = cJSON_GetObjectItemCaseSensitive(m, "tool");
	if (!cJSON_IsString(d->http) || !http_method_ok(d->http->valuestring))
		return fail_at(c, "http", "required: GET, POST, PUT, PATCH or DELETE");
	if (!cJSON_IsString(d->path))
		return fail_at(c, "path", "required: a path template");
	if (!cJSON_IsString(d->desc) || strlen(d->desc->valuestring) < 20)
		return fail_at(c, "description", "required: a description for the model (20+ characters)");
	if (d->title && !cJSON_IsString(d->title))
		return fail_at(c, "title", "must be a string");
	old = ptr_push(c, "path_params");
	if (d->pp && schema_ok(c, d->pp, 1) < 0)
		return -1;
	ptr_pop(c, old);
	ptr_push(c, "path");
	if (check_path(c, d->path->valuestring, d->pp ? d->pp : &no_params) < 0)
		return -1;
	ptr_pop(c, old);
	if (d->q && check_query(c, d->q) < 0)
		return -1;
	if (d->body) {
		ptr_push(c, "body");
		if (!strcmp(d->http->valuestring, "GET"))
			return fail(c, "a GET method has no body");
		if (schema_ok(c, d->body, 0) < 0)
			return -1;
		ptr_pop(c, old);
	}
	if (d->body_full) {
		ptr_push(c, "body_full");
		if (!d->body)
			return fail(c, "body_full needs body");
		if (schema_ok(c, d->body_full, 0) < 0)
			return -1;
		ptr_pop(c, old);
	}
	if (d->breq && !cJSON_IsBool(d->breq))
		return fail_at(c, "body_required", "must be a boolean");
	ptr_push(c, "tags");
	if (check_tags(c, d->tags) < 0)
		return -1;
	ptr_pop(c, old);
	return 0;
}

/* The tool's name into name (128 bytes): the method's "tool", or the one
 * tool_name derives; at most CAP_TOOL_NAME and not yet in cat. */
static int method_name(struct ctx *c, const struct catalog *cat, const struct doc *doc,
	const cJSON *m, const struct method *d, enum tool_kind kind, char name[128])
{
	if (d->tool) {
		if (!cJSON_IsString(d->tool) || !is_ident(d->tool->valuestring, CAP_TOOL_NAME))
			return fail_at(c, "tool", "must be a [a-z][a-z0-9_]* name of at most 64 characters");
		snprintf(name, 128, "%s", d->tool->valuestring);
	} else if (tool_name(name, 128, kind, m->string, doc->res, doc->plural, d->path->valuestring) < 0 ||
		   strlen(name) > CAP_TOOL_NAME) {
		return fail(c, "tool name would exceed 64 characters; set \"tool\"");
	}
	if (!c->generated && find_linear(cat, name))
		return fail(c, "tool name %s is already defined", name);
	return 0;
}

/* Append t to cat (which then owns what t owns; on failure t is freed). */
static int add_tool(struct ctx *c, struct catalog *cat, struct tool *t)
{
	if (cat->ntools == cat->tools_cap) {
		size_t ncap = cat->tools_cap ? cat->tools_cap * 2 : 32;
		struct tool *nt = xrealloc(cat->tools, ncap * sizeof(*nt));
		if (!nt) {
			tool_free(t);
			return fail(c, "out of memory");
		}
		cat->tools = nt;
		cat->tools_cap = ncap;
	}
	cat->tools[cat->ntools++] = *t;
	return 0;
}

/* Check one method (the pointer is at "/methods") and add its tool. */
static int load_method(struct ctx *c, struct catalog *cat, const struct doc *doc, const cJSON *m)
{
	size_t old = ptr_push(c, m->string);
	struct method d;
	struct tool t;
	char name[128], title[160], why[400];

	memset(&d, 0, sizeof(d));
	memset(&t, 0, sizeof(t));
	if (check_method(c, m, &d) < 0)
		return -1;
	t.kind = tool_kind_of(m->string);
	t.http = d.http->valuestring;
	t.path = d.path->valuestring;
	t.path_params = d.pp;
	t.query = d.q;
	t.body = d.body;
	t.body_full = d.body_full;
	if (parse_pagination(c, &t, d.pagination) < 0)
		return -1;
	if (t.kind == TOOL_LIST && !d.pagination)
		return fail(c, "a list method needs \"pagination\" (style page, cursor or none)");
	if (method_name(c, cat, doc, m, &d, t.kind, name) < 0)
		return -1;
	snprintf(title, sizeof(title), "%s", d.title ? d.title->valuestring : name);
	ptr_pop(c, old);
	if (tool_input_schema(&t, d.breq, d.required_query, why, sizeof(why)) < 0)
		return fail(c, "%s", why);
	t.name = xstrdup(name);
	t.method_key = xstrdup(m->string);
	t.tags = tool_tags(doc->tags, d.tags);
	if (!t.name || !t.method_key || !t.tags || tool_render(&t, title, d.desc->valuestring) < 0) {
		tool_free(&t);
		return fail(c, "out of memory");
	}
	return add_tool(c, cat, &t);
}

/* Check one schema document and append its tools. */
static int load_doc(struct ctx *c, struct catalog *cat, const cJSON *doc)
{
	static const char *const allowed[] = { "resource", "plural", "scope", "tags", "description",
		"methods", "$comment", NULL };
	const cJSON *res, *plural, *scope, *methods, *m;
	struct doc d;
	size_t old;

	if (!cJSON_IsObject(doc))
		return fail(c, "a schema file holds one object");
	if (keys_ok(c, doc, allowed) < 0)
		return -1;
	res = cJSON_GetObjectItemCaseSensitive(doc, "resource");
	plural = cJSON_GetObjectItemCaseSensitive(doc, "plural");
	scope = cJSON_GetObjectItemCaseSensitive(doc, "scope");
	methods = cJSON_GetObjectItemCaseSensitive(doc, "methods");
	d.tags = cJSON_GetObjectItemCaseSensitive(doc, "tags");
	if (!cJSON_IsString(res) || !is_ident(res->valuestring, 40))
		return fail_at(c, "resource", "required: a [a-z][a-z0-9_]* name");
	if (!cJSON_IsString(plural) || !is_ident(plural->valuestring, 40))
		return fail_at(c, "plural", "required: a [a-z][a-z0-9_]* name");
	if (!cJSON_IsString(scope) || (strcmp(scope->valuestring, "zone") &&
	    strcmp(scope->valuestring, "account") && strcmp(scope->valuestring, "user")))
		return fail_at(c, "scope", "required: \"zone\", \"account\" or \"user\"");
	old = ptr_push(c, "tags");
	if (check_tags(c, d.tags) < 0)
		return -1;
	ptr_pop(c, old);
	if (!cJSON_IsObject(methods) || !cJSON_GetArraySize(methods))
		return fail_at(c, "methods", "required: a non-empty object");
	d.res = res->valuestring;
	d.plural = plural->valuestring;
	old = ptr_push(c, "methods");
	cJSON_ArrayForEach(m, methods)
		if (load_method(c, cat, &d, m) < 0)
			return -1;
	ptr_pop(c, old);
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

int catalog_load(struct catalog *cat, const char *dir, char *err, size_t errsz)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, i;
	unsigned long oom0;
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
		/* an allocation failing in file_read or inside cJSON is out of
		 * memory, not a missing file or a syntax error to look for */
		oom0 = xalloc_oom_events();
		text = file_read(path, CAP_SCHEMA_FILE_BYTES, &len, NULL);
		if (!text && xalloc_oom_events() != oom0)
			goto oom;
		if (!text) {
			snprintf(err, errsz, "%s: cannot read (missing, not a file, or over %u bytes)",
				path, CAP_SCHEMA_FILE_BYTES);
			goto out;
		}
		doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
		if (!doc && xalloc_oom_events() != oom0) {
			xfree(text);
			goto oom;
		}
		if (!doc) {
			snprintf(err, errsz, "%s: not valid JSON (near byte %ld)", path,
				end ? (long)(end - text) : 0L);
			xfree(text);
			goto out;
		}
		xfree(text);
		cat->docs[cat->ndocs++] = doc;
		if (load_doc(&c, cat, doc) < 0)
			goto out;
	}
	cat->docs_cap = nnames;
	cat->ncurated = cat->ntools;
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

int catalog_add_doc(struct catalog *cat, cJSON *doc, const char *file, char *err, size_t errsz)
{
	struct ctx c;
	size_t n0 = cat->ntools, i;
	unsigned long oom0 = xalloc_oom_events();

	memset(&c, 0, sizeof(c));
	c.generated = 1;
	c.file = file;
	c.err = err;
	c.errsz = errsz;
	if (cat->ndocs == cat->docs_cap) {
		size_t ncap = cat->docs_cap ? cat->docs_cap * 2 : 64;
		cJSON **nd = xrealloc(cat->docs, ncap * sizeof(*nd));
		if (!nd) {
			cJSON_Delete(doc);
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		cat->docs = nd;
		cat->docs_cap = ncap;
	}
	if (load_doc(&c, cat, doc) < 0) {
		/* a refused document leaves no tool behind: the tools point into it */
		for (i = n0; i < cat->ntools; i++)
			tool_free(&cat->tools[i]);
		cat->ntools = n0;
		cJSON_Delete(doc);
		return xalloc_oom_events() != oom0 ? -1 : 1;
	}
	for (i = n0; i < cat->ntools; i++)
		cat->tools[i].generated = 1;
	/* title and description live on in the rendered tools; 1,400 of
	 * them kept twice would be a megabyte of every worker's RSS */
	{
		cJSON *m;
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "methods")) {
			cJSON_DeleteItemFromObjectCaseSensitive(m, "title");
			cJSON_DeleteItemFromObjectCaseSensitive(m, "description");
			/* printed into the tool's full_json */
			cJSON_DeleteItemFromObjectCaseSensitive(m, "body_full");
		}
	}
	for (i = n0; i < cat->ntools; i++)
		cat->tools[i].body_full = NULL;
	cat->docs[cat->ndocs++] = doc;
	return 0;
}

const char *catalog_sort(struct catalog *cat)
{
	size_t i;

	if (cat->ntools)
		qsort(cat->tools, cat->ntools, sizeof(struct tool), cmp_tool);
	for (i = 1; i < cat->ntools; i++)
		if (!strcmp(cat->tools[i - 1].name, cat->tools[i].name))
			return cat->tools[i].name;
	return NULL;
}

int catalog_same_route(const char *a, const char *b)
{
	for (;;) {
		if (*a == '{' && *b == '{') {
			a = strchr(a, '}');
			b = strchr(b, '}');
			if (!a || !b)
				return 0;
		} else if (*a != *b) {
			return 0;
		}
		if (!*a)
			return 1;
		a++;
		b++;
	}
}

const struct tool *catalog_find_route(const struct catalog *cat, const char *http, const char *path)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		if (!cat->tools[i].generated && !strcmp(cat->tools[i].http, http) &&
		    catalog_same_route(cat->tools[i].path, path))
			return &cat->tools[i];
	return NULL;
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
