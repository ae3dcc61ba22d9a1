/*
 * openapi_schema.c - OpenAPI 3.0 schemas -> the JSON Schema subset that
 * schema.c validates: $ref followed through a per-load index of
 * components/<kind>, parameters found on the operation or its path item,
 * ECMAScript patterns rewritten as POSIX ERE, nesting collapsed past a
 * depth or size budget (the collapsed value says so and points at
 * describe_cloudflare_operation), readOnly properties left out of bodies
 * (and out of the "required" of their own object).
 */
#include "first.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
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
		char one[3] = { 0 }, one2[24];
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
			/* the negated classes: outside a bracket, and as a bracket's
			 * only member ("[\S]+", a page rule's URL), where ERE can
			 * negate the whole bracket */
			else if ((*p == 'S' || *p == 'D' || *p == 'W') &&
				 (!in_br || (out[n - 1] == '[' && p[1] == ']'))) {
				rep = *p == 'S' ? "^ \t\n\v\f\r" : *p == 'D' ? "^0-9" : "^A-Za-z0-9_";
				if (!in_br) {
					snprintf(one2, sizeof(one2), "[%s]", rep);
					rep = one2;
				}
			}
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

static int conv_key(struct conv *c, cJSON *out, const cJSON *s, const cJSON *k, int depth);
static int conv_fixups(cJSON *out, const cJSON *s);

/* A discriminator's property into out's "required" (OpenAPI 3.0.3
 * "Composition and Inheritance": "the discriminator field MUST be a
 * required field"). Without it a value with no tag matches every member
 * whose tag is only an enum (a ruleset rule {} with no "action"), which
 * Cloudflare refuses. 0, or -1 (memory). */
static int conv_discriminator(cJSON *out, const cJSON *s)
{
	const cJSON *pn = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "discriminator"),
		"propertyName");
	cJSON *req, *r;

	if (!cJSON_IsString(pn) || (!cJSON_GetObjectItemCaseSensitive(s, "oneOf") &&
				    !cJSON_GetObjectItemCaseSensitive(s, "anyOf")))
		return 0;
	req = cJSON_GetObjectItemCaseSensitive(out, "required");
	if (!req && json_add(out, "required", cJSON_CreateArray()) < 0)
		return -1;
	req = cJSON_GetObjectItemCaseSensitive(out, "required");
	cJSON_ArrayForEach(r, req)
		if (cJSON_IsString(r) && !strcmp(r->valuestring, pn->valuestring))
			return 0;
	return json_add(req, NULL, cJSON_CreateString(pn->valuestring));
}

/* Whether property schema it (d: it with $ref followed) is readOnly:
 * Cloudflare says so next to a $ref, inside it, or as an allOf member
 * ({"allOf":[{"$ref":...},{"readOnly":true}]}). */
static int is_readonly(struct conv *c, const cJSON *it, const cJSON *d)
{
	const cJSON *a;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "readOnly")) ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "readOnly")))
		return 1;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(d, "allOf")) {
		const cJSON *ad = conv_deref(c, a);
		if (ad && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ad, "readOnly")))
			return 1;
	}
	return 0;
}

/* Whether name is a readOnly property of the instance s describes: its
 * own properties or those of its allOf/anyOf/oneOf members (the same
 * instance), not deeper. OpenAPI 3.0.3 "Schema Object", readOnly: a
 * required readOnly property is required in responses only. */
static int ro_member(struct conv *c, const cJSON *s, const char *name, int hops)
{
	static const char *const comb[] = { "allOf", "anyOf", "oneOf" };
	const cJSON *p, *b;
	size_t i;

	s = conv_deref(c, s);
	if (!s || hops > OPENAPI_MAX_DEPTH)
		return 0;
	p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "properties"), name);
	if (p && is_readonly(c, p, conv_deref(c, p)))
		return 1;
	for (i = 0; i < CFMCP_NELEM(comb); i++)
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(s, comb[i]))
			if (ro_member(c, b, name, hops + 1))
				return 1;
	return 0;
}

/* A "required" for out from the spec's list k, without the readOnly
 * members of the instance src describes (in bodies). 0, or -1 (memory). */
static int conv_required(struct conv *c, cJSON *out, const cJSON *k, const cJSON *src)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *r;

	if (!a)
		return -1;
	cJSON_ArrayForEach(r, k)
		if (cJSON_IsString(r) && !(c->in_body && ro_member(c, src, r->valuestring, 0)) &&
		    json_add(a, NULL, cJSON_CreateString(r->valuestring)) < 0) {
			cJSON_Delete(a);
			return -1;
		}
	return json_add(out, "required", a);
}

/* What a collapsed value keeps of s: its type and the constraints a valid
 * value needs (enum, format, pattern, minItems), its required members
 * (each kept the same way), its items, and its allOf/anyOf/oneOf members
 * (oneOf as anyOf: members kept this thin may no longer be told apart).
 * Dropping a required member would let the model omit what Cloudflare
 * then refuses. keep bounds the recursion ($ref cycles). 0, or -1. */
static int keep_needed(struct conv *c, cJSON *o, const cJSON *s, int keep)
{
	static const char *const comb[] = { "allOf", "anyOf", "oneOf" };
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type"), *k, *props, *r;
	size_t i;

	if (cJSON_IsString(t) && json_add(o, "type", cJSON_CreateString(t->valuestring)) < 0)
		return -1;
	if (keep <= 0)
		return conv_fixups(o, s);
	cJSON_ArrayForEach(k, s) {
		const char *n = k->string;
		if ((!strcmp(n, "enum") || !strcmp(n, "format") || !strcmp(n, "pattern") || !strcmp(n, "minItems") ||
		     !strcmp(n, "minLength")) && conv_key(c, o, s, k, 0) < 0)
			return -1;
	}
	if (conv_fixups(o, s) < 0)
		return -1;
	props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	r = cJSON_GetObjectItemCaseSensitive(s, "required");
	if (cJSON_IsArray(r) && cJSON_GetArraySize(r)) {
		cJSON *m = cJSON_CreateObject();
		const cJSON *x;
		if (!m || conv_required(c, o, r, s) < 0) {
			cJSON_Delete(m);
			return -1;
		}
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "required")) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, x->valuestring), *pd;
			cJSON *kp;
			if (!p || !(pd = conv_deref(c, p)))
				continue;
			kp = cJSON_CreateObject();
			if (!kp || keep_needed(c, kp, pd, keep - 1) < 0 || json_add(m, x->valuestring, kp) < 0) {
				cJSON_Delete(kp);
				cJSON_Delete(m);
				return -1;
			}
		}
		if (json_add(o, "properties", m) < 0)
			return -1;
	}
	k = cJSON_GetObjectItemCaseSensitive(s, "items");
	if (cJSON_IsObject(k) && (k = conv_deref(c, k))) {
		cJSON *ki = cJSON_CreateObject();
		if (!ki || keep_needed(c, ki, k, keep - 1) < 0 || json_add(o, "items", ki) < 0) {
			cJSON_Delete(ki);
			return -1;
		}
	}
	for (i = 0; i < CFMCP_NELEM(comb); i++) {
		const cJSON *b;
		cJSON *a;
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, comb[i])))
			continue;
		a = cJSON_CreateArray();
		if (!a)
			return -1;
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(s, comb[i])) {
			const cJSON *bd = conv_deref(c, b);
			cJSON *kb = cJSON_CreateObject();
			if (!kb || !bd || keep_needed(c, kb, bd, keep - 1) < 0 || json_add(a, NULL, kb) < 0) {
				cJSON_Delete(kb);
				cJSON_Delete(a);
				return bd ? -1 : 0;
			}
		}
		if (json_add(o, i ? "anyOf" : "allOf", a) < 0)
			return -1;
	}
	return conv_discriminator(o, s);
}

/* The note of a value deeper than the budget allows, keeping its type
 * and what a valid value needs (keep_needed). */
static cJSON *collapsed(struct conv *c, const cJSON *s)
{
	cJSON *o = cJSON_CreateObject();

	c->collapsed++;
	if (!o)
		return NULL;
	if (keep_needed(c, o, s, OPENAPI_KEEP_DEPTH) < 0 ||
	    !cJSON_AddStringToObject(o, "description", COLLAPSED_NOTE)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* allOf/anyOf/oneOf members converted into out. Every oneOf becomes
 * anyOf (README "The oneOf rule"): Cloudflare's spec uses oneOf for
 * "one of these shapes", with members that overlap (bot management's
 * per-plan bodies each extend the one before, Sippy's two providers
 * differ only in an optional member), where "exactly one" refuses every
 * real value; members collapsed to what a valid value needs overlap too.
 * Where members are told apart (types, a discriminator, now required,
 * with one enum each) anyOf accepts exactly what oneOf would. */
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
	if (!strcmp(key, "oneOf"))
		key = "anyOf";
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
		if (c->in_body && is_readonly(c, it, d))
			continue;
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
static int conv_key(struct conv *c, cJSON *out, const cJSON *s, const cJSON *k, int depth)
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
		if (cJSON_IsArray(k))
			return conv_required(c, out, k, s);
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
		/* oneOf as anyOf: conv_list says why */
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
		if (conv_key(c, out, s, k, depth) < 0)
			goto fail;
	if (conv_fixups(out, s) < 0 || conv_discriminator(out, s) < 0)
		goto fail;
	return out;
fail:
	cJSON_Delete(out);
	return NULL;
}

/* A body schema within budget printed bytes: converted at max_depth,
 * then one level shallower until it fits (c->collapsed counts what the
 * returned one collapsed). */
cJSON *conv_body(struct conv *c, const cJSON *s, int max_depth, size_t budget)
{
	int d;

	for (d = max_depth; d >= 0; d--) {
		cJSON *out;
		char *txt;
		size_t len;

		c->max_depth = d;
		c->collapsed = 0;
		out = conv_schema(c, s, 0);
		if (!out)
			return NULL;
		txt = cJSON_PrintUnformatted(out);
		if (!txt) {
			cJSON_Delete(out);
			return NULL;
		}
		len = strlen(txt);
		cJSON_free(txt);
		if (len <= budget || d == 0)
			return out;
		cJSON_Delete(out);
	}
	return NULL;
}
