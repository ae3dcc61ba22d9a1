/*
 * openapi_schema.c - OpenAPI 3.0 schemas -> the JSON Schema subset that
 * schema.c validates: $ref followed through a per-load index of
 * components/<kind>, parameters found on the operation or its path item,
 * ECMAScript patterns rewritten as POSIX ERE, nesting collapsed past a
 * depth or size budget (the collapsed value says so and points at
 * describe_cloudflare_operation), readOnly properties left out of bodies.
 */
#include "first.h"

#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "openapi_private.h"
#include "xalloc.h"

/* ---- $ref and parameters ---- */

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
/* The spec being loaded, for op_has_query (op_class has no struct conv). */
static const cJSON *g_spec_for_params;

static int cmp_item(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

void conv_index_free(void)
{
	size_t i;

	for (i = 0; i < g_nkinds; i++)
		xfree(g_kinds[i].items);
	g_nkinds = 0;
	g_spec_for_params = NULL;
}

int conv_index_build(const cJSON *spec)
{
	const cJSON *k, *it;

	conv_index_free();
	g_spec_for_params = spec;
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
const cJSON *conv_deref(struct conv *c, const cJSON *s)
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
const cJSON *conv_find_param(struct conv *c, const struct op *op, const char *in, const char *name)
{
	const cJSON *lists[2], *p;
	int i;

	lists[0] = cJSON_GetObjectItemCaseSensitive(op->o, "parameters");
	lists[1] = cJSON_GetObjectItemCaseSensitive(op->item, "parameters");
	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(p, lists[i]) {
			const cJSON *d = conv_deref(c, p), *pin, *pn;
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

int op_has_query(const struct op *op, const char *name)
{
	struct conv c;

	memset(&c, 0, sizeof(c));
	c.spec = g_spec_for_params;
	return conv_find_param(&c, op, "query", name) != NULL;
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
		const cJSON *d = conv_deref(c, it);
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
			char *d = op_utf8_cut(k->valuestring, OPENAPI_PROP_DESC_MAX);
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
			const cJSON *d = conv_deref(c, k);
			return d ? json_add(out, n, conv_schema(c, d, depth + 1)) : 0;
		}
	} else if (!strcmp(n, "items")) {
		if (cJSON_IsObject(k)) {
			const cJSON *d = conv_deref(c, k);
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
cJSON *conv_schema(struct conv *c, const cJSON *s, int depth)
{
	cJSON *out;
	const cJSON *k;

	s = conv_deref(c, s);
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
cJSON *conv_body(struct conv *c, const cJSON *s)
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
