/*
 * openapi.c - Cloudflare's OpenAPI 3.0 spec -> tools (openapi.h).
 *
 * Each operation becomes one schema document in the curated format
 * (schemas/README.md) and goes through catalog_add_doc, so a generated
 * tool is checked by the same strict checker and called by the same code
 * (schema.c validates, plan.c builds the request) as a curated one. What
 * this file decides is the translation: the name, the class, the tags,
 * the description and the JSON Schema of the arguments. README.md "The
 * OpenAPI catalogue" states the rules; each is a function of the
 * operation alone (and, for collisions, of the set of colliding names),
 * never of the order the spec lists operations in.
 *
 * The import is split by noun (openapi_private.h has the map): this file
 * reads the spec, collects its operations, names them as a set, turns
 * each into a document and keeps the --check report; openapi_name.c,
 * openapi_schema.c, openapi_tags.c and openapi_doc.c do the translation.
 */
#include "first.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "file.h"
#include "openapi.h"
#include "openapi_private.h"
#include "tool.h"
#include "xalloc.h"

/* ---- report ---- */

static int skip_add(struct openapi_report *rep, const char *reason, const struct op *op, const char *detail)
{
	char what[400];

	if (!rep)
		return 0;
	if (rep->nskips == rep->skips_cap) {
		size_t ncap = rep->skips_cap ? rep->skips_cap * 2 : 64;
		struct openapi_skip *ns = xrealloc(rep->skips, ncap * sizeof(*ns));
		if (!ns)
			return -1;
		rep->skips = ns;
		rep->skips_cap = ncap;
	}
	snprintf(what, sizeof(what), "%s %s%s%s", op->http, op->path, detail && *detail ? ": " : "",
		detail ? detail : "");
	rep->skips[rep->nskips].reason = xstrdup(reason);
	rep->skips[rep->nskips].what = xstrdup(what);
	if (!rep->skips[rep->nskips].reason || !rep->skips[rep->nskips].what) {
		xfree(rep->skips[rep->nskips].reason);
		xfree(rep->skips[rep->nskips].what);
		return -1;
	}
	rep->nskips++;
	return 0;
}

static int cmp_skip(const void *a, const void *b)
{
	const struct openapi_skip *x = a, *y = b;
	int r = strcmp(x->reason, y->reason);

	return r ? r : strcmp(x->what, y->what);
}

void openapi_report_print(FILE *f, const struct openapi_report *rep)
{
	size_t i, j;

	fprintf(f, "openapi: %zu operations read, %zu tools made, %zu replaced by curated tools, %zu skipped\n",
		rep->ops, rep->tools, rep->replaced, rep->nskips);
	qsort(rep->skips, rep->nskips, sizeof(*rep->skips), cmp_skip);
	for (i = 0; i < rep->nskips; i = j) {
		for (j = i; j < rep->nskips && !strcmp(rep->skips[j].reason, rep->skips[i].reason); j++)
			;
		fprintf(f, "skipped (%s): %zu\n", rep->skips[i].reason, j - i);
		for (; i < j; i++)
			fprintf(f, "  %s\n", rep->skips[i].what);
	}
}

void openapi_report_free(struct openapi_report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->nskips; i++) {
		xfree(rep->skips[i].reason);
		xfree(rep->skips[i].what);
	}
	xfree(rep->skips);
	memset(rep, 0, sizeof(*rep));
}

/* ---- where a broken file broke ---- */

int openapi_ptr_at(const char *text, size_t n, size_t off, char *ptr, size_t ptrsz)
{
	struct frame {
		int obj;
		long idx;
		char key[128];
	} st[64];
	int sp = -1, want_key = 0;
	size_t i, lim = off < n ? off : n;

	ptr[0] = '\0';
	for (i = 0; i < lim; i++) {
		char ch = text[i];
		if (ch == '"') {
			size_t s = ++i, k = 0;
			while (i < lim && text[i] != '"')
				i += text[i] == '\\' ? 2 : 1;
			if (sp >= 0 && st[sp].obj && want_key) {
				for (; s < i && s < lim && k + 1 < sizeof(st[sp].key); s++)
					st[sp].key[k++] = text[s];
				st[sp].key[k] = '\0';
				want_key = 0;
			}
		} else if (ch == '{' || ch == '[') {
			if (sp + 1 >= (int)CFMCP_NELEM(st))
				break;
			sp++;
			st[sp].obj = ch == '{';
			st[sp].idx = 0;
			st[sp].key[0] = '\0';
			want_key = st[sp].obj;
		} else if (ch == '}' || ch == ']') {
			if (sp >= 0)
				sp--;
			want_key = 0;
		} else if (ch == ',' && sp >= 0) {
			if (st[sp].obj) {
				want_key = 1;
				st[sp].key[0] = '\0';
			} else {
				st[sp].idx++;
			}
		}
	}
	for (i = 0; (int)i <= sp; i++) {
		char seg[32];
		if (st[i].obj) {
			if (!st[i].key[0])
				break;
			json_ptr_push(ptr, ptrsz, st[i].key);
		} else {
			snprintf(seg, sizeof(seg), "%ld", st[i].idx);
			json_ptr_push(ptr, ptrsz, seg);
		}
	}
	return sp + 1;
}

/* ---- the load ---- */

static int cmp_op_name(const void *a, const void *b)
{
	const struct op *x = *(struct op *const *)a, *y = *(struct op *const *)b;

	return strcmp(x->name, y->name);
}

/*
 * Names by the rule, collisions resolved by it: every member of a group
 * sharing a name (or taking a curated tool's name) moves up one level
 * (short -> with root -> with hash), and again until no name is shared.
 * Only the set of names decides, never the order the spec lists them in.
 * Returns -1 when out of memory.
 */
static int name_all(const struct catalog *cat, struct op *ops, size_t nops)
{
	struct op **v = xcalloc(nops ? nops : 1, sizeof(*v));
	size_t i, j, n = 0;
	int changed = 1, round;

	if (!v)
		return -1;
	for (i = 0; i < nops; i++)
		if (!ops[i].skip || strcmp(ops[i].skip, "replaced"))
			v[n++] = &ops[i];
	for (round = 0; changed && round < 4; round++) {
		changed = 0;
		for (i = 0; i < n; i++)
			op_name(v[i]);
		qsort(v, n, sizeof(*v), cmp_op_name);
		for (i = 0; i < n; i = j) {
			int dup;
			for (j = i + 1; j < n && !strcmp(v[j]->name, v[i]->name); j++)
				;
			dup = j - i > 1 || catalog_find(cat, v[i]->name);
			for (; dup && i < j; i++)
				if (v[i]->level < LEVEL_HASH) {
					v[i]->level++;
					changed = 1;
				} else if (!v[i]->skip) {
					v[i]->skip = "name collision";
				}
		}
	}
	xfree(v);
	return 0;
}

__attribute__((format(printf, 3, 4), cold))
static int load_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Collect the operations of paths (GET POST PUT PATCH DELETE; the other
 * methods are counted and skipped). -1 with err set on a malformed spec. */
static int collect_ops(const char *file, const cJSON *paths, struct op **out, size_t *nout,
	char *err, size_t errsz)
{
	static const char *const methods[] = { "get", "post", "put", "patch", "delete", NULL };
	const cJSON *item, *o;
	size_t n = 0, cap = 0;
	struct op *ops = NULL;

	cJSON_ArrayForEach(item, paths) {
		char ptr[600] = "/paths";
		if (!cJSON_IsObject(item) || item->string[0] != '/') {
			json_ptr_push(ptr, sizeof(ptr), item->string);
			xfree(ops);
			return load_fail(err, errsz, "%s: %s: a path item must be an object under a path starting with /",
				file, ptr);
		}
		cJSON_ArrayForEach(o, item) {
			size_t i;
			if (!strcmp(o->string, "parameters") || !strcmp(o->string, "summary") ||
			    !strcmp(o->string, "description") || !strcmp(o->string, "servers") ||
			    !strncmp(o->string, "x-", 2))
				continue;
			if (!cJSON_IsObject(o)) {
				json_ptr_push(ptr, sizeof(ptr), item->string);
				json_ptr_push(ptr, sizeof(ptr), o->string);
				xfree(ops);
				return load_fail(err, errsz, "%s: %s: an operation must be an object", file, ptr);
			}
			if (n == cap) {
				struct op *no;
				cap = cap ? cap * 2 : 256;
				no = xrealloc(ops, cap * sizeof(*no));
				if (!no) {
					xfree(ops);
					return load_fail(err, errsz, "out of memory");
				}
				ops = no;
			}
			memset(&ops[n], 0, sizeof(ops[n]));
			ops[n].path = item->string;
			ops[n].mkey = o->string;
			ops[n].o = o;
			ops[n].item = item;
			for (i = 0; o->string[i] && i + 1 < sizeof(ops[n].http); i++)
				ops[n].http[i] = (char)(o->string[i] >= 'a' && o->string[i] <= 'z' ?
					o->string[i] - 'a' + 'A' : o->string[i]);
			if (!op_word_in(o->string, methods))
				ops[n].skip = "HTTP method not supported";
			else if (strlen(item->string) > 400 || strpbrk(item->string, "?#% "))
				ops[n].skip = "bad path template";
			n++;
		}
	}
	*out = ops;
	*nout = n;
	return 0;
}

int openapi_load(struct catalog *cat, const char *path, const struct openapi_opts *opts,
	struct openapi_report *rep, char *err, size_t errsz)
{
	char *text;
	size_t len = 0;
	int too_big = 0, rc;
	unsigned long oom0 = xalloc_oom_events();

	if (rep)
		memset(rep, 0, sizeof(*rep));
	text = file_read(path, OPENAPI_MAX_BYTES, &len, &too_big);
	if (!text) {
		if (xalloc_oom_events() != oom0)
			return load_fail(err, errsz, "out of memory loading %s", path);
		if (too_big)
			return load_fail(err, errsz, "%s: over %u bytes", path, OPENAPI_MAX_BYTES);
		return load_fail(err, errsz, "%s: cannot read (%s)", path, strerror(errno));
	}
	rc = openapi_load_text(cat, path, text, len, opts, rep, err, errsz);
	xfree(text);
	return rc;
}

int openapi_load_configured(struct catalog *cat, const struct config *cfg, struct openapi_report *rep,
	char *err, size_t errsz)
{
	struct openapi_opts o = { cfg->openapi_deprecated };

	if (!cfg->openapi)
		return 0;
	if (!cfg->openapi_explicit && access(cfg->openapi, F_OK) < 0)
		return 0;
	return openapi_load(cat, cfg->openapi, &o, rep, err, errsz);
}

/* Whether op is a DELETE whose spec requires a JSON request body it gives
 * no schema for (the 2024 file does so for most of its 116 DELETEs with a
 * body; Cloudflare ignores it, a validating proxy does not): its tool
 * sends {} when given none. A body with a schema stays as the spec says. */
static int op_delete_body(const cJSON *spec, const struct op *op)
{
	struct conv c;
	const cJSON *rb, *js;

	if (strcmp(op->http, "DELETE"))
		return 0;
	memset(&c, 0, sizeof(c));
	c.spec = spec;
	rb = conv_deref(&c, cJSON_GetObjectItemCaseSensitive(op->o, "requestBody"));
	js = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rb, "content"), "application/json");
	return rb && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rb, "required")) && js &&
	       !cJSON_GetObjectItemCaseSensitive(js, "schema");
}

/* The tool of cat at op's route (a curated one that replaced it, or the
 * one just made from it), or NULL. */
static struct tool *route_tool(struct catalog *cat, const struct op *op)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		if (!strcmp(cat->tools[i].http, op->http) && catalog_same_route(cat->tools[i].path, op->path))
			return &cat->tools[i];
	return NULL;
}

/*
 * Each operation not skipped so far -> a document -> a tool in cat; the
 * skipped ones (and those op_doc or the strict checker refuses) go to
 * the report. Returns -1 only when out of memory.
 */
static int add_tools(struct catalog *cat, const char *path, const cJSON *spec, struct op *ops,
	size_t nops, struct openapi_report *rep)
{
	size_t i;

	for (i = 0; i < nops; i++) {
		struct op *op = &ops[i];
		char why[600], file[700];
		cJSON *doc;
		int r;

		if (op->skip) {
			if (!strcmp(op->skip, "replaced")) {
				struct tool *t = route_tool(cat, op);
				if (t && op_delete_body(spec, op))
					t->body_default = 1;
				if (rep)
					rep->replaced++;
			} else if (skip_add(rep, op->skip, op, op->detail) < 0) {
				return -1;
			}
			continue;
		}
		doc = op_doc(spec, op);
		if (!doc) {
			if (!op->skip || skip_add(rep, op->skip, op, op->detail) < 0)
				return -1;
			continue;
		}
		snprintf(file, sizeof(file), "%s#/paths/%s/%s", path, op->path, op->mkey);
		r = catalog_add_doc(cat, doc, file, why, sizeof(why));
		if (r < 0)
			return -1;
		if (r > 0) {
			/* the strict checker refused what we made: a gap in the
			 * translation, reported rather than fatal */
			const char *colon = strstr(why, ": /");
			if (skip_add(rep, "schema outside the supported subset", op, colon ? colon + 2 : why) < 0)
				return -1;
			continue;
		}
		if (op_delete_body(spec, op)) {
			struct tool *t = route_tool(cat, op);
			if (t)
				t->body_default = 1;
		}
		if (rep)
			rep->tools++;
	}
	return 0;
}

/* ---- the parsed spec's arena ----
 *
 * The parsed spec is a tree of some 300,000 small cJSON allocations
 * (nodes, keys, strings), read during the load and then thrown away
 * whole. Through malloc that cost a quarter of the start: a header per
 * piece, freeing each one, then malloc_trim consolidating the holes they
 * left. Here cJSON's hooks point at a bump allocator over mmap'd blocks
 * while the spec is parsed (only then: every other tree, the generated
 * documents included, still comes from xmalloc), and the whole spec goes
 * with one munmap per block. Nothing may free or detach a node of the
 * spec: the translation only reads it (cJSON_Duplicate copies through
 * xmalloc again).
 */
#define ARENA_BLOCK ((size_t)4 << 20)

struct arena_block {
	struct arena_block *prev;
	size_t used, size;      /* bytes in use and mapped, header included */
};

static struct arena_block *g_arena; /* the newest block; NULL between loads */

static void *arena_alloc(size_t n)
{
	struct arena_block *b = g_arena;

	n = (n + 15) & ~(size_t)15; /* cJSON nodes hold doubles and pointers */
	if (!b || b->size - b->used < n) {
		size_t size = n + 64 > ARENA_BLOCK ? n + 64 : ARENA_BLOCK;
		void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		b = m;
		b->prev = g_arena;
		b->size = size;
		b->used = 64; /* the header, rounded to keep 16-byte alignment */
		g_arena = b;
	}
	b->used += n;
	return (char *)b + b->used - n;
}

static void arena_free(void *p)
{
	(void)p; /* everything goes at once, in arena_release */
}

static void arena_release(void)
{
	while (g_arena) {
		struct arena_block *prev = g_arena->prev;
		munmap(g_arena, g_arena->size);
		g_arena = prev;
	}
}

/* cJSON_ParseWithLengthOpts into the arena; xmalloc is cJSON's again after. */
static cJSON *parse_spec(const char *text, size_t len, const char **end)
{
	cJSON_Hooks h = { arena_alloc, arena_free };
	cJSON *spec;

	cJSON_InitHooks(&h);
	spec = cJSON_ParseWithLengthOpts(text, len, end, 0);
	xalloc_init();
	return spec;
}

int openapi_load_text(struct catalog *cat, const char *path, const char *text, size_t len,
	const struct openapi_opts *opts, struct openapi_report *rep, char *err, size_t errsz)
{
	size_t nops = 0, i, n0 = cat->ntools;
	int rc = -1;
	cJSON *spec = NULL;
	const cJSON *ver, *paths;
	const char *end = NULL;
	struct op *ops = NULL;
	unsigned long oom0 = xalloc_oom_events();

	if (rep)
		memset(rep, 0, sizeof(*rep));
	spec = parse_spec(text, len, &end);
	if (!spec) {
		char ptr[600], whole[8];
		size_t off = end ? (size_t)(end - text) : 0;
		int open;
		arena_release();
		if (xalloc_oom_events() != oom0)
			return load_fail(err, errsz, "out of memory loading %s", path);
		openapi_ptr_at(text, len, off, ptr, sizeof(ptr));
		/* still inside an object or array at the last byte: cut short */
		open = openapi_ptr_at(text, len, len, whole, sizeof(whole));
		return load_fail(err, errsz, "%s: %s: not valid JSON (%s at byte %zu)", path, ptr[0] ? ptr : "/",
			open ? "the file ends early; error" : "syntax error", off);
	}
	ver = cJSON_GetObjectItemCaseSensitive(spec, "openapi");
	paths = cJSON_GetObjectItemCaseSensitive(spec, "paths");
	if (!cJSON_IsObject(spec)) {
		load_fail(err, errsz, "%s: /: an OpenAPI document is an object", path);
		goto out;
	}
	if (!cJSON_IsString(ver) || strncmp(ver->valuestring, "3.", 2)) {
		load_fail(err, errsz, "%s: /openapi: must be an OpenAPI 3.x version string", path);
		goto out;
	}
	if (!cJSON_IsObject(paths)) {
		load_fail(err, errsz, "%s: /paths: must be an object", path);
		goto out;
	}
	if (collect_ops(path, paths, &ops, &nops, err, errsz) < 0)
		goto out;
	if (conv_index_build(spec) < 0) {
		load_fail(err, errsz, "out of memory");
		goto out;
	}
	for (i = 0; i < nops; i++) {
		struct op *op = &ops[i];
		const cJSON *dep = cJSON_GetObjectItemCaseSensitive(op->o, "deprecated");
		if (op->skip)
			continue;
		op_class(op);
		if (catalog_find_route(cat, op->http, op->path))
			op->skip = "replaced";
		else if (cJSON_IsTrue(dep) && !opts->include_deprecated)
			op->skip = "deprecated";
	}
	/* names over every operation (deprecated ones too), so that including
	 * deprecated operations or not changes no other tool's name */
	if (name_all(cat, ops, nops) < 0) {
		load_fail(err, errsz, "out of memory");
		goto out;
	}
	if (add_tools(cat, path, spec, ops, nops, rep) < 0) {
		load_fail(err, errsz, "out of memory");
		goto out;
	}
	if (rep)
		rep->ops = nops;
	{
		const char *dup = catalog_sort(cat);
		if (dup) {
			load_fail(err, errsz, "%s: two tools named %s (a gap in the naming rule)", path, dup);
			goto out;
		}
	}
	rc = 0;
out:
	conv_index_free();
	if (rc < 0) {
		/* leave cat as it was: drop what this load added */
		for (i = n0; i < cat->ntools; i++)
			tool_free(&cat->tools[i]);
		cat->ntools = n0;
		(void)catalog_sort(cat); /* the curated tools alone: unique */
	}
	xfree(ops);
	arena_release(); /* the spec: never cJSON_Delete'd, its blocks unmapped */
#ifdef __GLIBC__
	/* the load's temporary trees (documents converted and checked) leave
	 * holes: hand their pages back before the pool forks, or every
	 * worker's RSS carries them */
	malloc_trim(0);
#endif
	return rc;
}
