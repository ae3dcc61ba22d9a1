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
 */
#include "first.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "json.h"
#include "openapi.h"
#include "tool.h"
#include "xalloc.h"

/* Largest spec file read (the 2024 spec is 4.2 MB). */
#define OPENAPI_MAX_BYTES (64u * 1024u * 1024u)
/* A tool's body schema, printed, above this is collapsed one level more. */
#define OPENAPI_SCHEMA_BUDGET 4096
/* Deepest body nesting kept before collapsing (schema.c allows 16). */
#define OPENAPI_MAX_DEPTH 6
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

/* ---- small text helpers ---- */

/* Cut s to at most max bytes at a UTF-8 character boundary, into a new
 * string; "..." marks a cut. NULL when out of memory. */
static char *utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *r;

	if (n <= max)
		return xstrdup(s);
	n = max > 3 ? max - 3 : 0;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	r = xmalloc(n + 4);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	memcpy(r + n, "...", 4);
	return r;
}

/* Append src to dst as a name part: [a-z0-9] kept (upper case lowered),
 * anything else one '_', no doubled or trailing '_'. */
static void name_append(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	size_t n = strlen(dst), i;

	if (n && dst[n - 1] != '_' && n + 1 < dstsz)
		dst[n++] = '_';
	for (i = 0; i < srclen && n + 1 < dstsz; i++) {
		char c = src[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && (n == 0 || dst[n - 1] == '_'))
			continue;
		dst[n++] = c;
	}
	while (n && dst[n - 1] == '_')
		n--;
	dst[n] = '\0';
}

/* English singular of the last word of s, in place: policies -> policy,
 * addresses -> address, records -> record; status, access kept. */
static void singularize(char *s)
{
	size_t n = strlen(s);

	if (n > 3 && !strcmp(s + n - 3, "ies"))
		memcpy(s + n - 3, "y", 2);
	else if (n > 4 && (!strcmp(s + n - 4, "sses") || !strcmp(s + n - 4, "ches") ||
			   !strcmp(s + n - 4, "shes") || !strcmp(s + n - 3, "xes")))
		s[n - 2] = '\0';
	else if (n > 1 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i')
		s[n - 1] = '\0';
}

/* FNV-1a of "HTTP path": the stable suffix of LEVEL_HASH names. */
static unsigned long op_hash(const struct op *op)
{
	unsigned long h = 2166136261u;
	const char *p;

	for (p = op->http; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
	h = ((h ^ ' ') * 16777619u) & 0xffffffffu;
	for (p = op->path; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
	return h;
}

static int ends_in_param(const char *path)
{
	size_t n = strlen(path);

	return n > 0 && path[n - 1] == '}';
}

/* The path's root: "zones", "accounts" or "" (any other first segment). */
static const char *path_root(const char *path)
{
	if (!strncmp(path, "/zones/{", 8))
		return "zones";
	if (!strncmp(path, "/accounts/{", 11))
		return "accounts";
	return "";
}

/* ---- naming ---- */

/*
 * The resource part of a name: the literal segments of the path joined by
 * '_'. LEVEL_SHORT leaves out the root and its id (/zones/{zone_id},
 * /accounts/{account_id}); LEVEL_ROOT keeps it as "zone"/"account".
 */
static void resource_part(const struct op *op, int level, char *out, size_t outsz)
{
	const char *p = op->path, *root = path_root(op->path);
	int skip_root = *root && level == LEVEL_SHORT;

	out[0] = '\0';
	if (*root && !skip_root)
		name_append(out, outsz, !strcmp(root, "zones") ? "zone" : "account", strlen(root) - 1);
	if (*root) {
		p = strchr(op->path + 1, '/'); /* after the root segment */
		p = p ? strchr(p + 1, '/') : NULL; /* after its id */
		if (!p)
			p = "";
	}
	while (*p) {
		size_t n;
		if (*p == '/') {
			p++;
			continue;
		}
		n = strcspn(p, "/");
		if (*p != '{')
			name_append(out, outsz, p, n);
		p += n;
	}
	if (!out[0])
		name_append(out, outsz, *root ? root : "api", *root ? strlen(root) - 1 : 3);
}

/*
 * The tool name of op at its level (README "Naming rule"):
 *   list   list_all_cloudflare_<resource>
 *   get    get_single_cloudflare_<resource, singular>_by_id  (path ends in {id})
 *          get_cloudflare_<resource>                          (otherwise)
 *   create create_a_cloudflare_<resource, singular>
 *   update update_a_cloudflare_<resource[, singular]>[_by_id]
 *   delete delete_a_cloudflare_<resource[, singular]>[_by_id]
 *   custom <verb>_cloudflare_<resource>[_by_id]
 * LEVEL_METHOD appends _<http method> to the resource, LEVEL_HASH then
 * _<6 hex of FNV-1a("HTTP path")>; a name over 64 characters has its
 * resource part cut and the hash appended.
 */
static void op_name(struct op *op)
{
	char res[200], pre[96], suf[8], hash[8];
	int by_id = ends_in_param(op->path), sing = by_id;
	size_t room;

	resource_part(op, op->level, res, sizeof(res));
	suf[0] = '\0';
	switch (op->kind) {
	case TOOL_LIST: snprintf(pre, sizeof(pre), "list_all_cloudflare_"); sing = 0; by_id = 0; break;
	case TOOL_GET:
		snprintf(pre, sizeof(pre), by_id ? "get_single_cloudflare_" : "get_cloudflare_");
		break;
	case TOOL_CREATE: snprintf(pre, sizeof(pre), "create_a_cloudflare_"); sing = 1; break;
	case TOOL_UPDATE: snprintf(pre, sizeof(pre), "update_a_cloudflare_"); break;
	case TOOL_DELETE: snprintf(pre, sizeof(pre), "delete_a_cloudflare_"); break;
	default: snprintf(pre, sizeof(pre), "%.23s_cloudflare_", op->key); sing = 0; break;
	}
	if (sing)
		singularize(res);
	if (op->level >= LEVEL_METHOD) /* PUT and PATCH of one path: both update */
		name_append(res, sizeof(res), op->mkey, strlen(op->mkey));
	if (by_id)
		snprintf(suf, sizeof(suf), "_by_id");
	snprintf(hash, sizeof(hash), "%06lx", op_hash(op) & 0xffffffu);
	room = CAP_TOOL_NAME - strlen(pre) - strlen(suf);
	if (op->level == LEVEL_HASH || strlen(res) > room) {
		size_t keep = room - 7; /* "_" + 6 hex */
		if (strlen(res) > keep)
			res[keep] = '\0';
		while (keep && res[strlen(res) - 1] == '_')
			res[strlen(res) - 1] = '\0';
		snprintf(op->name, sizeof(op->name), "%s%s_%s%s", pre, res, hash, suf);
	} else {
		snprintf(op->name, sizeof(op->name), "%s%s%s", pre, res, suf);
	}
}

/* ---- classes ---- */

static int has_query_param(const struct op *op, const char *name);

/* The first word of the summary, lower case letters only, into out. */
static void summary_verb(const cJSON *o, char *out, size_t outsz)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "summary");
	const char *p = cJSON_IsString(s) ? s->valuestring : "";
	size_t n = 0;

	while (*p == ' ')
		p++;
	for (; *p && n + 1 < outsz; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			break;
		out[n++] = c;
	}
	out[n] = '\0';
}

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return 1;
	return 0;
}

/*
 * Class from the HTTP method, the path's shape and the summary's verb:
 * GET ending in {id} is get; other GETs are list when they page
 * (page/per_page or cursor) or their summary starts with "List", else
 * get; PUT and PATCH are update; DELETE is delete; POST is create, update
 * or delete by its verb (create/add/upload/...), else custom named by its
 * verb ("purge", "verify"; "call" when there is none).
 */
static void op_class(struct op *op)
{
	static const char *const creates[] = { "create", "add", "upload", "new", "register", NULL };
	static const char *const updates[] = { "update", "edit", "modify", "change", "patch", NULL };
	static const char *const deletes[] = { "delete", "remove", NULL };
	char verb[24];

	summary_verb(op->o, verb, sizeof(verb));
	if (!strcmp(op->http, "GET")) {
		if (!ends_in_param(op->path) && (has_query_param(op, "per_page") ||
		    has_query_param(op, "cursor") || !strcmp(verb, "list")))
			op->kind = TOOL_LIST;
		else
			op->kind = TOOL_GET;
	} else if (!strcmp(op->http, "PUT") || !strcmp(op->http, "PATCH")) {
		op->kind = TOOL_UPDATE;
	} else if (!strcmp(op->http, "DELETE")) {
		op->kind = TOOL_DELETE;
	} else if (word_in(verb, creates)) {
		op->kind = TOOL_CREATE;
	} else if (word_in(verb, updates)) {
		op->kind = TOOL_UPDATE;
	} else if (word_in(verb, deletes)) {
		op->kind = TOOL_DELETE;
	} else {
		op->kind = TOOL_CUSTOM;
		/* a POST "List ..."/"Get ..." is a query, not a list/get tool */
		if (!verb[0])
			snprintf(op->key, sizeof(op->key), "call");
		else if (!strcmp(verb, "list") || !strcmp(verb, "get"))
			snprintf(op->key, sizeof(op->key), "query");
		else
			snprintf(op->key, sizeof(op->key), "%s", verb);
		return;
	}
	snprintf(op->key, sizeof(op->key), "%s",
		op->kind == TOOL_LIST ? "list" : op->kind == TOOL_GET ? "get" :
		op->kind == TOOL_CREATE ? "create" : op->kind == TOOL_UPDATE ? "update" : "delete");
}

/* ---- $ref and parameters ---- */

struct conv {
	const cJSON *spec;
	const char *bad_ref;    /* first $ref that did not resolve */
	int in_body;            /* readOnly properties are left out */
	int max_depth;
	int collapsed;
	cJSON *readonly;        /* names of readOnly properties seen (array) */
};

/*
 * components/<kind> sorted by name, built once per load: cJSON looks an
 * object's member up by a linear scan, and the spec's components/schemas
 * has thousands of members that thousands of $refs name.
 */
struct kind_index {
	const cJSON *kind;      /* components/<kind> */
	const cJSON **items;    /* its members, sorted by name; owned */
	size_t n;
};
static struct kind_index g_kinds[16];
static size_t g_nkinds;

static int cmp_item(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void index_free(void)
{
	size_t i;

	for (i = 0; i < g_nkinds; i++)
		xfree(g_kinds[i].items);
	g_nkinds = 0;
}

/* Index components/<kind> of spec; -1 when out of memory. */
static int index_build(const cJSON *spec)
{
	const cJSON *k, *it;

	index_free();
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(spec, "components")) {
		struct kind_index *ki;
		size_t n = 0;
		if (g_nkinds == CFMCP_NELEM(g_kinds) || !cJSON_IsObject(k))
			continue;
		ki = &g_kinds[g_nkinds];
		ki->kind = k;
		ki->n = (size_t)cJSON_GetArraySize(k);
		ki->items = xcalloc(ki->n ? ki->n : 1, sizeof(*ki->items));
		if (!ki->items)
			return -1;
		cJSON_ArrayForEach(it, k)
			ki->items[n++] = it;
		qsort(ki->items, n, sizeof(*ki->items), cmp_item);
		g_nkinds++;
	}
	return 0;
}

/* The member name of object obj: through the index when obj is indexed. */
static const cJSON *member(const cJSON *obj, const char *name)
{
	size_t i;

	for (i = 0; i < g_nkinds; i++)
		if (g_kinds[i].kind == obj) {
			cJSON key;
			const cJSON *kp = &key, *const *hit;
			memset(&key, 0, sizeof(key));
			key.string = (char *)(uintptr_t)name; /* read only by cmp_item */
			hit = bsearch(&kp, g_kinds[i].items, g_kinds[i].n, sizeof(*g_kinds[i].items), cmp_item);
			return hit ? *hit : NULL;
		}
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

/* RFC 6901 pointer "#/a/b" into the spec, or NULL. */
static const cJSON *resolve_ptr(const cJSON *spec, const char *ref)
{
	const cJSON *cur = spec;
	char seg[256];

	if (strncmp(ref, "#/", 2))
		return NULL;
	ref += 2;
	while (cur && *ref) {
		size_t n = 0;
		while (*ref && *ref != '/' && n + 1 < sizeof(seg)) {
			if (*ref == '~' && ref[1] == '1') {
				seg[n++] = '/';
				ref += 2;
			} else if (*ref == '~' && ref[1] == '0') {
				seg[n++] = '~';
				ref += 2;
			} else {
				seg[n++] = *ref++;
			}
		}
		seg[n] = '\0';
		if (*ref == '/')
			ref++;
		cur = member(cur, seg);
	}
	return cur;
}

/* s with $ref followed (bounded), or NULL (c->bad_ref set). */
static const cJSON *deref(struct conv *c, const cJSON *s)
{
	int hops;

	for (hops = 0; s && hops < OPENAPI_MAX_REF_HOPS; hops++) {
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(s, "$ref");
		const cJSON *t;
		if (!cJSON_IsString(r))
			return s;
		t = resolve_ptr(c->spec, r->valuestring);
		if (!t) {
			if (!c->bad_ref)
				c->bad_ref = r->valuestring;
			return NULL;
		}
		s = t;
	}
	if (s && !c->bad_ref)
		c->bad_ref = "(a $ref cycle)";
	return NULL;
}

/* Operation and path-item parameters, operation first (it overrides). */
static const cJSON *find_param(struct conv *c, const struct op *op, const char *in, const char *name)
{
	const cJSON *lists[2], *p;
	int i;

	lists[0] = cJSON_GetObjectItemCaseSensitive(op->o, "parameters");
	lists[1] = cJSON_GetObjectItemCaseSensitive(op->item, "parameters");
	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(p, lists[i]) {
			const cJSON *d = deref(c, p), *pin, *pn;
			if (!d)
				continue;
			pin = cJSON_GetObjectItemCaseSensitive(d, "in");
			pn = cJSON_GetObjectItemCaseSensitive(d, "name");
			if (cJSON_IsString(pin) && cJSON_IsString(pn) && !strcmp(pin->valuestring, in) &&
			    !strcmp(pn->valuestring, name))
				return d;
		}
	return NULL;
}

static const cJSON *g_spec_for_params; /* set during openapi_load, for has_query_param */

static int has_query_param(const struct op *op, const char *name)
{
	struct conv c;

	memset(&c, 0, sizeof(c));
	c.spec = g_spec_for_params;
	return find_param(&c, op, "query", name) != NULL;
}

/* ---- OpenAPI 3.0 schema -> the JSON Schema subset of schema.c ---- */

/*
 * ECMAScript pattern -> POSIX ERE that reads it the same way. Outside a
 * bracket: \d \w \s become bracket classes, \. \- \/ ... stay (ERE reads
 * them as the character). Inside a bracket, where ERE takes '\' literally:
 * \d \w \s become their ranges, \- moves to the end as a plain '-', other
 * escaped punctuation becomes the bare character. Anything else (\b,
 * back-references, (?:...), lookarounds) and the pattern is dropped
 * (NULL): Cloudflare still checks it, we only lose the early refusal.
 */
static char *pattern_ere(const char *p)
{
	char out[1024];
	size_t n = 0;
	int in_br = 0, br_dash = 0;

	for (; *p; p++) {
		const char *rep = NULL;
		char one[3] = { 0 };
		if (*p == '\\') {
			p++;
			if (!*p)
				return NULL;
			if (*p == 'd')
				rep = in_br ? "0-9" : "[0-9]";
			else if (*p == 'w')
				rep = in_br ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
			else if (*p == 's') /* the characters themselves: both dialects read them */
				rep = in_br ? " \t\n\v\f\r" : "[ \t\n\v\f\r]";
			else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
				return NULL;
			else if (in_br && *p == '-') {
				br_dash = 1;
				continue;
			} else if (in_br && (*p == ']' || *p == '^' || *p == '['))
				return NULL;
			else {
				one[0] = in_br ? *p : '\\';
				one[1] = in_br ? '\0' : *p;
				rep = one;
			}
		} else if (*p == '(' && p[1] == '?') {
			return NULL;
		} else if (!in_br && *p == '[') {
			in_br = 1;
			br_dash = 0;
			one[0] = '[';
			if (p[1] == '^') {
				one[1] = '^';
				p++;
			}
			rep = one;
		} else if (in_br && *p == ']') {
			in_br = 0;
			rep = br_dash ? "-]" : "]";
		} else {
			one[0] = *p;
			rep = one;
		}
		if (n + strlen(rep) + 1 >= sizeof(out))
			return NULL;
		memcpy(out + n, rep, strlen(rep));
		n += strlen(rep);
	}
	if (in_br)
		return NULL;
	out[n] = '\0';
	/* what POSIX does not compile is dropped rather than refusing the
	 * whole operation */
	{
		regex_t re;
		if (regcomp(&re, out, REG_EXTENDED | REG_NOSUB))
			return NULL;
		regfree(&re);
	}
	return xstrdup(out);
}

static cJSON *conv_schema(struct conv *c, const cJSON *s, int depth);

/* The note of a value deeper than the budget allows, keeping its type. */
static cJSON *collapsed(struct conv *c, const cJSON *s)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");

	c->collapsed = 1;
	if (!o)
		return NULL;
	if ((cJSON_IsString(t) && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "nullable")) &&
	     !cJSON_AddStringToObject(o, "type", t->valuestring)) ||
	    !cJSON_AddStringToObject(o, "description", COLLAPSED_NOTE)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int conv_list(struct conv *c, cJSON *out, const char *key, const cJSON *list, int depth)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;

	if (!a)
		return -1;
	cJSON_ArrayForEach(it, list) {
		cJSON *x = conv_schema(c, it, depth + 1);
		if (!x || json_add(a, NULL, x) < 0) {
			cJSON_Delete(a);
			return -1;
		}
	}
	if (!cJSON_GetArraySize(a)) {
		cJSON_Delete(a);
		return 0;
	}
	return json_add(out, key, a);
}

static int conv_props(struct conv *c, cJSON *out, const cJSON *props, int depth)
{
	cJSON *m = cJSON_CreateObject();
	const cJSON *it;

	if (!m)
		return -1;
	cJSON_ArrayForEach(it, props) {
		const cJSON *d = deref(c, it);
		cJSON *x;
		if (!d)
			continue;
		/* Cloudflare puts readOnly next to a $ref as often as inside it */
		if (c->in_body && (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "readOnly")) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "readOnly")))) {
			if (json_add(c->readonly, NULL, cJSON_CreateString(it->string)) < 0)
				goto fail;
			continue;
		}
		x = conv_schema(c, d, depth + 1);
		if (!x || json_add(m, it->string, x) < 0)
			goto fail;
	}
	return json_add(out, "properties", m);
fail:
	cJSON_Delete(m);
	return -1;
}

/* One keyword of s into out; 0, or -1 when out of memory. */
static int conv_key(struct conv *c, cJSON *out, const cJSON *k, int depth)
{
	const char *n = k->string;

	if (!strcmp(n, "type") || !strcmp(n, "format")) {
		if (cJSON_IsString(k))
			return json_add(out, n, cJSON_CreateString(k->valuestring));
	} else if (!strcmp(n, "description")) {
		if (cJSON_IsString(k)) {
			char *d = utf8_cut(k->valuestring, OPENAPI_PROP_DESC_MAX);
			int r = d ? json_add(out, n, cJSON_CreateString(d)) : -1;
			xfree(d);
			return r;
		}
	} else if (!strcmp(n, "enum")) {
		if (cJSON_IsArray(k) && cJSON_GetArraySize(k))
			return json_add(out, n, cJSON_Duplicate(k, 1));
	} else if (!strcmp(n, "default")) {
		if (!cJSON_IsObject(k) && !cJSON_IsArray(k))
			return json_add(out, n, cJSON_Duplicate(k, 1));
	} else if (!strcmp(n, "pattern")) {
		if (cJSON_IsString(k)) {
			char *p = pattern_ere(k->valuestring);
			int r = p ? json_add(out, n, cJSON_CreateString(p)) : 0;
			xfree(p);
			return r;
		}
	} else if (!strcmp(n, "minLength") || !strcmp(n, "maxLength") || !strcmp(n, "minItems") ||
		   !strcmp(n, "maxItems")) {
		if (cJSON_IsNumber(k) && k->valuedouble >= 0 && k->valuedouble <= 1e9)
			return json_add(out, n, cJSON_CreateNumber(k->valuedouble));
	} else if (!strcmp(n, "minimum") || !strcmp(n, "maximum")) {
		if (cJSON_IsNumber(k))
			return json_add(out, n, cJSON_CreateNumber(k->valuedouble));
	} else if (!strcmp(n, "uniqueItems")) {
		if (cJSON_IsBool(k))
			return json_add(out, n, cJSON_CreateBool(cJSON_IsTrue(k)));
	} else if (!strcmp(n, "properties")) {
		if (cJSON_IsObject(k))
			return conv_props(c, out, k, depth);
	} else if (!strcmp(n, "required")) {
		if (cJSON_IsArray(k)) {
			cJSON *a = cJSON_CreateArray();
			const cJSON *r;
			if (!a)
				return -1;
			cJSON_ArrayForEach(r, k)
				if (cJSON_IsString(r) && json_add(a, NULL, cJSON_CreateString(r->valuestring)) < 0) {
					cJSON_Delete(a);
					return -1;
				}
			return json_add(out, n, a);
		}
	} else if (!strcmp(n, "additionalProperties")) {
		if (cJSON_IsBool(k))
			return json_add(out, n, cJSON_CreateBool(cJSON_IsTrue(k)));
		if (cJSON_IsObject(k)) {
			const cJSON *d = deref(c, k);
			return d ? json_add(out, n, conv_schema(c, d, depth + 1)) : 0;
		}
	} else if (!strcmp(n, "items")) {
		if (cJSON_IsObject(k)) {
			const cJSON *d = deref(c, k);
			return d ? json_add(out, n, conv_schema(c, d, depth + 1)) : 0;
		}
	} else if (!strcmp(n, "allOf") || !strcmp(n, "anyOf") || !strcmp(n, "oneOf")) {
		/* kept as they are: "exactly one" where the spec says so, as a
		 * validating proxy (and the spec's readers) take it */
		if (cJSON_IsArray(k))
			return conv_list(c, out, n, k, depth);
	}
	/* anything else (example, nullable, readOnly, discriminator, x-*,
	 * not, xml ...) says nothing the validator or a model needs */
	return 0;
}

/* OpenAPI 3.0 exclusiveMinimum: true + minimum -> 2020-12 form; nullable
 * -> "null" in type (and enum). */
static int conv_fixups(cJSON *out, const cJSON *s)
{
	static const char *const pairs[][2] = { { "exclusiveMinimum", "minimum" },
		{ "exclusiveMaximum", "maximum" } };
	size_t i;

	for (i = 0; i < 2; i++) {
		cJSON *b = cJSON_GetObjectItemCaseSensitive(out, pairs[i][1]);
		if (b && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, pairs[i][0]))) {
			double v = b->valuedouble;
			cJSON_DeleteItemFromObjectCaseSensitive(out, pairs[i][1]);
			if (json_add(out, pairs[i][0], cJSON_CreateNumber(v)) < 0)
				return -1;
		}
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "nullable"))) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(out, "type");
		cJSON *e = cJSON_GetObjectItemCaseSensitive(out, "enum");
		if (cJSON_IsString(t)) {
			cJSON *a = cJSON_CreateArray();
			if (!a || json_add(a, NULL, cJSON_CreateString(t->valuestring)) < 0 ||
			    json_add(a, NULL, cJSON_CreateString("null")) < 0) {
				cJSON_Delete(a);
				return -1;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(out, "type");
			if (json_add(out, "type", a) < 0)
				return -1;
		}
		if (e && json_add(e, NULL, cJSON_CreateNull()) < 0)
			return -1;
	}
	return 0;
}

/* A new schema for s (already dereferenced or not), or NULL when out of
 * memory. A $ref that does not resolve leaves c->bad_ref set (the
 * operation is then skipped) and converts to {}. */
static cJSON *conv_schema(struct conv *c, const cJSON *s, int depth)
{
	cJSON *out;
	const cJSON *k;

	s = deref(c, s);
	if (!s)
		return cJSON_CreateObject();
	if (depth > c->max_depth)
		return collapsed(c, s);
	out = cJSON_CreateObject();
	if (!out)
		return NULL;
	cJSON_ArrayForEach(k, s)
		if (conv_key(c, out, k, depth) < 0)
			goto fail;
	if (conv_fixups(out, s) < 0)
		goto fail;
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

/* Drop names of readOnly properties from every "required" in s. */
static void drop_readonly_required(cJSON *s, const cJSON *ro)
{
	cJSON *it;

	if (!s || !cJSON_GetArraySize(ro))
		return;
	cJSON_ArrayForEach(it, s) {
		if (it->string && !strcmp(it->string, "required") && cJSON_IsArray(it)) {
			cJSON *r = it->child;
			while (r) {
				cJSON *next = r->next;
				const cJSON *x;
				cJSON_ArrayForEach(x, ro)
					if (cJSON_IsString(r) && !strcmp(x->valuestring, r->valuestring)) {
						cJSON_Delete(cJSON_DetachItemViaPointer(it, r));
						break;
					}
				r = next;
			}
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			drop_readonly_required(it, ro);
		}
	}
}

/* A body schema within OPENAPI_SCHEMA_BUDGET printed bytes: converted
 * at OPENAPI_MAX_DEPTH, then one level shallower until it fits. */
static cJSON *conv_body(struct conv *c, const cJSON *s)
{
	int d;

	for (d = OPENAPI_MAX_DEPTH; d >= 0; d--) {
		cJSON *out;
		char *txt;
		size_t len;

		c->max_depth = d;
		c->readonly = cJSON_CreateArray();
		if (!c->readonly)
			return NULL;
		out = conv_schema(c, s, 0);
		if (out)
			drop_readonly_required(out, c->readonly);
		cJSON_Delete(c->readonly);
		c->readonly = NULL;
		if (!out)
			return NULL;
		txt = cJSON_PrintUnformatted(out);
		if (!txt) {
			cJSON_Delete(out);
			return NULL;
		}
		len = strlen(txt);
		cJSON_free(txt);
		if (len <= OPENAPI_SCHEMA_BUDGET || d == 0)
			return out;
		cJSON_Delete(out);
	}
	return NULL;
}

/* ---- tags ---- */

/*
 * Path segment -> tag (README "Tag mapping"). A segment matches an entry
 * when it equals it or starts with it followed by '_' or '-'. Tools under
 * none of them get their root's tag (zones, accounts, user).
 */
static const char *const tag_map[][2] = {
	{ "dns_records", "dns" }, { "dns_settings", "dns" }, { "dns_firewall", "dns" }, { "dnssec", "dns" },
	{ "secondary_dns", "dns" }, { "dns", "dns" },
	{ "workers", "workers" }, { "workers-for-platforms", "workers" }, { "durable_objects", "workers" },
	{ "queues", "workers" },
	{ "r2", "r2" }, { "d1", "d1" }, { "storage", "kv" }, { "pages", "pages" },
	{ "ssl", "ssl" }, { "certificates", "ssl" }, { "custom_certificates", "ssl" }, { "origin_tls_client_auth", "ssl" },
	{ "acm", "ssl" }, { "mtls_certificates", "ssl" }, { "custom_hostnames", "ssl" }, { "keyless_certificates", "ssl" },
	{ "purge_cache", "cache" }, { "cache", "cache" }, { "argo", "cache" }, { "smart_shield", "cache" },
	{ "load_balancers", "load_balancing" }, { "load_balancing", "load_balancing" },
	{ "access", "zero_trust" }, { "gateway", "zero_trust" }, { "teamnet", "zero_trust" },
	{ "devices", "zero_trust" }, { "cfd_tunnel", "zero_trust" }, { "warp_connector", "zero_trust" },
	{ "dlp", "zero_trust" }, { "zerotrust", "zero_trust" }, { "tunnels", "zero_trust" }, { "dex", "zero_trust" },
	{ "radar", "radar" }, { "ai", "ai" }, { "ai-gateway", "ai" }, { "vectorize", "ai" },
	{ "firewall", "waf" }, { "waf", "waf" }, { "rulesets", "waf" }, { "rate_limits", "waf" },
	{ "filters", "waf" }, { "page_shield", "security" }, { "bot_management", "security" },
	{ "security", "security" }, { "api_gateway", "security" }, { "content-upload-scan", "security" },
	{ "audit_logs", "audit" }, { "logs", "logs" }, { "logpush", "logs" }, { "members", "accounts" },
	{ "roles", "accounts" }, { "tokens", "accounts" }, { "subscriptions", "billing" }, { "billing", "billing" },
	{ "stream", "stream" }, { "images", "images" }, { "email", "email" }, { "spectrum", "spectrum" },
	{ "magic", "magic" }, { "registrar", "registrar" }, { "healthchecks", "healthchecks" },
	{ "intel", "intel" }, { "analytics", "analytics" }, { "settings", "settings" },
	{ "page_rules", "rules" }, { "rules", "rules" }, { "pagerules", "rules" }, { "snippets", "rules" },
	{ "addressing", "addressing" }, { "calls", "calls" }, { "hyperdrive", "workers" },
	{ "turnstile", "security" }, { "challenges", "security" }, { "waiting_rooms", "waiting_rooms" },
	{ "web3", "web3" }, { "zaraz", "zaraz" }, { "rum", "analytics" }, { "alerting", "notifications" },
};

static int seg_matches(const char *seg, size_t n, const char *key)
{
	size_t k = strlen(key);

	return n >= k && !memcmp(seg, key, k) && (n == k || seg[k] == '_' || seg[k] == '-');
}

static int tags_add(cJSON *tags, const char *tag)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tags)
		if (!strcmp(t->valuestring, tag))
			return 0;
	return json_add(tags, NULL, cJSON_CreateString(tag));
}

/* The tags of op (an array, at least one), or NULL when out of memory. */
static cJSON *op_tags(const struct op *op)
{
	cJSON *tags = cJSON_CreateArray();
	const char *p = op->path, *root = path_root(op->path);
	size_t i;

	if (!tags)
		return NULL;
	while (*p) {
		size_t n;
		if (*p == '/') {
			p++;
			continue;
		}
		n = strcspn(p, "/");
		for (i = 0; *p != '{' && i < CFMCP_NELEM(tag_map); i++)
			if (seg_matches(p, n, tag_map[i][0])) {
				if (tags_add(tags, tag_map[i][1]) < 0)
					goto fail;
				break;
			}
		p += n;
	}
	if (!cJSON_GetArraySize(tags) &&
	    tags_add(tags, *root ? root : !strncmp(op->path, "/zones", 6) ? "zones" :
		    !strncmp(op->path, "/accounts", 9) ? "accounts" : !strncmp(op->path, "/user", 5) ? "user" :
		    "other") < 0)
		goto fail;
	return tags;
fail:
	cJSON_Delete(tags);
	return NULL;
}

/* ---- one operation -> one schema document ---- */

/* Cursor-style paging when the operation has a cursor; page-style when it
 * has page + per_page. Bounds from per_page's schema (default 20, max 50
 * when it gives none, never above 1000). */
static cJSON *op_pagination(struct conv *c, const struct op *op)
{
	const cJSON *pp = find_param(c, op, "query", "per_page");
	const cJSON *lim = find_param(c, op, "query", "limit");
	const cJSON *sz = pp ? pp : lim, *sch;
	const cJSON *d, *mx, *mn;
	int style_cursor = has_query_param(op, "cursor");
	int style_page = pp && has_query_param(op, "page");
	long dv = 20, mv = 50, nv = 1;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	/* a paging parameter the spec requires is not ours to fill: the tool
	 * takes it as a plain argument and does not page */
	if (sz && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sz, "required")))
		sz = NULL;
	if (style_page && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(find_param(c, op, "query", "page"), "required")))
		sz = NULL;
	if (style_cursor && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(find_param(c, op, "query", "cursor"), "required")))
		sz = NULL;
	if (!sz || (!style_cursor && !style_page)) {
		if (!cJSON_AddStringToObject(o, "style", "none"))
			goto fail;
		return o;
	}
	sch = deref(c, cJSON_GetObjectItemCaseSensitive(sz, "schema"));
	d = cJSON_GetObjectItemCaseSensitive(sch, "default");
	mx = cJSON_GetObjectItemCaseSensitive(sch, "maximum");
	mn = cJSON_GetObjectItemCaseSensitive(sch, "minimum");
	if (cJSON_IsNumber(mx) && mx->valuedouble >= 1)
		mv = mx->valuedouble > 1000 ? 1000 : (long)mx->valuedouble;
	if (cJSON_IsNumber(d) && d->valuedouble >= 1)
		dv = (long)d->valuedouble;
	if (cJSON_IsNumber(mn) && mn->valuedouble >= 1)
		nv = (long)mn->valuedouble;
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

/* A parameter's schema, converted; scalars and arrays of scalars only
 * (what plan.c can put in a path or a query). NULL with *bad set when
 * unusable, NULL with *bad clear when out of memory. */
static cJSON *param_schema(struct conv *c, const cJSON *prm, int *bad)
{
	const cJSON *s = deref(c, cJSON_GetObjectItemCaseSensitive(prm, "schema"));
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(prm, "description");
	cJSON *out;

	*bad = 0;
	if (!s || (cJSON_IsString(t) && !strcmp(t->valuestring, "object"))) {
		*bad = 1;
		return NULL;
	}
	c->in_body = 0;
	c->max_depth = 2;
	out = conv_schema(c, s, 0);
	if (!out)
		return NULL;
	if (cJSON_IsString(desc) && !cJSON_GetObjectItemCaseSensitive(out, "description")) {
		char *d = utf8_cut(desc->valuestring, OPENAPI_PROP_DESC_MAX);
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
		prm = find_param(c, op, "path", name);
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
		if (first && !strcmp(path_root(op->path), "zones") &&
		    json_add(s, "x-zone-name", cJSON_CreateTrue()) < 0)
			goto oom;
		if (first && !strcmp(path_root(op->path), "accounts") &&
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
			const cJSON *d = deref(c, prm), *in, *nm;
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
	rb = deref(c, rb);
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
		b = conv_body(c, s);
		c->in_body = 0;
	}
	if (!b || json_add(m, "body", b) < 0)
		return -1;
	if (c->bad_ref) {
		op->skip = "unresolvable $ref";
		snprintf(op->detail, sizeof(op->detail), "%.180s", c->bad_ref);
		return 1;
	}
	return json_add(m, "body_required",
		cJSON_CreateBool(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rb, "required"))));
}

/* The tool's description: summary, then the description, within
 * OPENAPI_DESC_MAX, then what to look up first. NULL when out of memory. */
static char *op_description(const struct op *op)
{
	const cJSON *sm = cJSON_GetObjectItemCaseSensitive(op->o, "summary");
	const cJSON *ds = cJSON_GetObjectItemCaseSensitive(op->o, "description");
	const char *root = path_root(op->path);
	char text[OPENAPI_DESC_MAX + 400], *cut, *r;
	const char *hint = !strcmp(root, "zones") ?
		" Needs the zone's id, or its domain name (list_all_cloudflare_zones lists them)." :
		!strcmp(root, "accounts") ? " Runs on the token's Cloudflare account." : "";

	snprintf(text, sizeof(text), "%s%s%s", cJSON_IsString(sm) ? sm->valuestring : "",
		cJSON_IsString(ds) && (!cJSON_IsString(sm) || strcmp(ds->valuestring, sm->valuestring)) ? ". " : "",
		cJSON_IsString(ds) && (!cJSON_IsString(sm) || strcmp(ds->valuestring, sm->valuestring)) ?
			ds->valuestring : "");
	cut = utf8_cut(text, OPENAPI_DESC_MAX);
	if (!cut)
		return NULL;
	snprintf(text, sizeof(text), "%s%s (%s %s)", cut, hint, op->http, op->path);
	xfree(cut);
	r = utf8_cut(text, sizeof(text) - 1);
	return r;
}

/*
 * The schema document of one operation (schemas/README.md format, one
 * method whose "tool" is op->name), or NULL: out of memory, or op->skip
 * set with the reason.
 */
static cJSON *op_doc(const cJSON *spec, struct op *op)
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
	    !cJSON_AddStringToObject(doc, "scope", !strcmp(path_root(op->path), "zones") ? "zone" :
		    !strcmp(path_root(op->path), "accounts") ? "account" : "user") ||
	    json_add(doc, "tags", op_tags(op)) < 0 ||
	    !(methods = cJSON_AddObjectToObject(doc, "methods")) ||
	    !(m = cJSON_AddObjectToObject(methods, op->key)))
		goto fail;
	desc = op_description(op);
	title = utf8_cut(cJSON_IsString(sm) && sm->valuestring[0] ? sm->valuestring : op->name, 120);
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

static char *read_spec(const char *path, size_t *len, int *too_big)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *p = NULL;
	size_t got = 0;

	*too_big = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		goto out;
	if ((size_t)sb.st_size > OPENAPI_MAX_BYTES) {
		*too_big = 1;
		goto out;
	}
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
			if (!word_in(o->string, methods))
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
	text = read_spec(path, &len, &too_big);
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
	spec = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!spec) {
		char ptr[600], whole[8];
		size_t off = end ? (size_t)(end - text) : 0;
		int open;
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
	if (index_build(spec) < 0) {
		load_fail(err, errsz, "out of memory");
		goto out;
	}
	g_spec_for_params = spec;
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
	for (i = 0; i < nops; i++) {
		struct op *op = &ops[i];
		char why[600], file[700];
		cJSON *doc;
		int r;

		if (op->skip) {
			if (!strcmp(op->skip, "replaced")) {
				if (rep)
					rep->replaced++;
			} else if (skip_add(rep, op->skip, op, op->detail) < 0) {
				load_fail(err, errsz, "out of memory");
				goto out;
			}
			continue;
		}
		doc = op_doc(spec, op);
		if (!doc) {
			if (!op->skip) {
				load_fail(err, errsz, "out of memory");
				goto out;
			}
			if (skip_add(rep, op->skip, op, op->detail) < 0) {
				load_fail(err, errsz, "out of memory");
				goto out;
			}
			continue;
		}
		snprintf(file, sizeof(file), "%s#/paths/%s/%s", path, op->path, op->mkey);
		r = catalog_add_doc(cat, doc, file, why, sizeof(why));
		if (r < 0) {
			load_fail(err, errsz, "out of memory");
			goto out;
		}
		if (r > 0) {
			/* the strict checker refused what we made: a gap in the
			 * translation, reported rather than fatal */
			const char *colon = strstr(why, ": /");
			if (skip_add(rep, "schema outside the supported subset", op, colon ? colon + 2 : why) < 0) {
				load_fail(err, errsz, "out of memory");
				goto out;
			}
			continue;
		}
		if (rep)
			rep->tools++;
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
	g_spec_for_params = NULL;
	index_free();
	if (rc < 0) {
		/* leave cat as it was: drop what this load added */
		for (i = n0; i < cat->ntools; i++)
			tool_free(&cat->tools[i]);
		cat->ntools = n0;
		(void)catalog_sort(cat); /* the curated tools alone: unique */
	}
	xfree(ops);
	cJSON_Delete(spec);
#ifdef __GLIBC__
	/* the parsed spec was most of the heap: hand its pages back before
	 * the pool forks, or every worker's RSS carries them */
	malloc_trim(0);
#endif
	return rc;
}
