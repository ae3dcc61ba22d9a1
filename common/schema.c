/*
 * schema.c - the JSON Schema (2020-12) subset we support, in one file:
 * validating tool arguments against a schema (messages for the model,
 * never echoing a value), and checking at load that a schema uses only
 * that subset (so adding a keyword touches this file alone).
 */
#include "first.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "json.h"
#include "schema.h"
#include "why.h"
#include "xalloc.h"

/* Number of UTF-8 code points (JSON Schema lengths count characters). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int type_matches(const char *t, const cJSON *v)
{
	if (!strcmp(t, "string")) return cJSON_IsString(v);
	if (!strcmp(t, "boolean")) return cJSON_IsBool(v);
	if (!strcmp(t, "object")) return cJSON_IsObject(v);
	if (!strcmp(t, "array")) return cJSON_IsArray(v);
	if (!strcmp(t, "null")) return cJSON_IsNull(v);
	if (!strcmp(t, "number")) return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	if (!strcmp(t, "integer"))
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) <= 9007199254740992.0;
	return 0;
}

/*
 * Compiled schema patterns, per process: regcomp cost more than the rest
 * of a call's validation (bench/RESULTS.md). Keyed by the pattern's text,
 * so the same pattern in many tools compiles once; a fixed number of slots,
 * replaced round-robin, bounds the memory whatever the catalogue.
 */
#define PATTERN_SLOTS 64

static struct {
	char *text;
	regex_t re;
} patterns[PATTERN_SLOTS];
static unsigned pattern_next;

static const regex_t *pattern_compiled(const char *text)
{
	unsigned i;
	char *copy;

	for (i = 0; i < PATTERN_SLOTS; i++)
		if (patterns[i].text && !strcmp(patterns[i].text, text))
			return &patterns[i].re;
	copy = xstrdup(text);
	if (!copy)
		return NULL;
	i = pattern_next++ % PATTERN_SLOTS;
	if (patterns[i].text) {
		regfree(&patterns[i].re);
		xfree(patterns[i].text);
		patterns[i].text = NULL;
	}
	if (regcomp(&patterns[i].re, text, REG_EXTENDED | REG_NOSUB)) {
		xfree(copy);
		return NULL;
	}
	patterns[i].text = copy;
	return &patterns[i].re;
}

void schema_patterns_free(void)
{
	unsigned i;

	for (i = 0; i < PATTERN_SLOTS; i++)
		if (patterns[i].text) {
			regfree(&patterns[i].re);
			xfree(patterns[i].text);
			patterns[i].text = NULL;
		}
}

static int validate(const cJSON *s, const cJSON *v, const char *where, char *why, size_t whysz, int depth);

static int validate_props(const cJSON *s, const cJSON *v, const char *where, char *why, size_t whysz, int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	const cJSON *it;
	char sub[256];

	cJSON_ArrayForEach(it, req)
		if (!cJSON_GetObjectItemCaseSensitive(v, it->valuestring))
			return why_set(why, whysz, "%s%s%s is required", where, *where ? "." : "", it->valuestring);
	cJSON_ArrayForEach(it, v) {
		const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, it->string) : NULL;
		char safe[72];
		size_t i, n = strlen(it->string);

		/* property names from input are only echoed when short and plain */
		for (i = 0; i < n && i < 64; i++) {
			char ch = it->string[i];
			safe[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				   (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-') ? ch : '?';
		}
		safe[i] = '\0';
		if (n > 64)
			snprintf(safe + 60, 5, "...");
		snprintf(sub, sizeof(sub), "%s%s%s", where, *where ? "." : "", safe);
		if (ps) {
			if (validate(ps, it, sub, why, whysz, depth + 1) < 0)
				return -1;
		} else if (cJSON_IsFalse(addl)) {
			return why_set(why, whysz, "unknown argument %s: only the properties in the input schema are accepted", sub);
		} else if (cJSON_IsObject(addl)) {
			if (validate(addl, it, sub, why, whysz, depth + 1) < 0)
				return -1;
		}
	}
	return 0;
}

/* v is one of the values of the "enum" list k; the message lists the
 * string values that fit in it. */
static int validate_enum(const cJSON *k, const cJSON *v, const char *w, char *why, size_t whysz)
{
	const cJSON *e;
	char list[256] = "";
	size_t o = 0;

	cJSON_ArrayForEach(e, k)
		if (cJSON_Compare(e, v, 1))
			return 0;
	cJSON_ArrayForEach(e, k) {
		if (cJSON_IsString(e) && o + strlen(e->valuestring) + 3 < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", e->valuestring);
	}
	return why_set(why, whysz, "%s must be one of: %s", w, list[0] ? list : "(see schema)");
}

/* Whether s is n characters of set (a string of accepted bytes). */
static int all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

/*
 * The "format" values (JSON Schema 2020-12 §7.3) the OpenAPI import meets
 * where a spec's oneOf tells branches apart by them: uuid, date, date-time,
 * ipv4, ipv6, email, checked by shape (RFC 4122, RFC 3339, RFC 791 dotted
 * quad, RFC 4291 hex groups, one '@'). Any other format stays an
 * annotation. 0 when v has the form, else -1.
 */
static int format_ok(const char *f, const char *v)
{
	static const char hex[] = "0123456789abcdefABCDEF", dig[] = "0123456789";
	size_t n = strlen(v), i;

	if (!strcmp(f, "uuid"))
		return n == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-' &&
		       all_of(v, 8, hex) && all_of(v + 9, 4, hex) && all_of(v + 14, 4, hex) &&
		       all_of(v + 19, 4, hex) && all_of(v + 24, 12, hex) ? 0 : -1;
	if (!strcmp(f, "date") || !strcmp(f, "date-time")) {
		if (n < 10 || !all_of(v, 4, dig) || v[4] != '-' || !all_of(v + 5, 2, dig) || v[7] != '-' ||
		    !all_of(v + 8, 2, dig))
			return -1;
		if (!strcmp(f, "date"))
			return n == 10 ? 0 : -1;
		return n >= 20 && (v[10] == 'T' || v[10] == 't') && all_of(v + 11, 2, dig) && v[13] == ':' &&
		       all_of(v + 14, 2, dig) && v[16] == ':' && all_of(v + 17, 2, dig) &&
		       all_of(v + 19, n - 19, "0123456789.:+-Zz") ? 0 : -1;
	}
	if (!strcmp(f, "ipv4")) {
		int parts = 0;
		const char *p = v;
		while (parts < 4) {
			char *end;
			long o;
			if (*p < '0' || *p > '9')
				return -1;
			o = strtol(p, &end, 10);
			if (o > 255 || end - p > 3 || (end - p > 1 && *p == '0'))
				return -1;
			parts++;
			p = end;
			if (parts < 4 && *p++ != '.')
				return -1;
		}
		return *p ? -1 : 0;
	}
	if (!strcmp(f, "ipv6")) {
		int colons = 0;
		for (i = 0; i < n; i++)
			colons += v[i] == ':';
		return n >= 2 && n <= 45 && colons >= 2 && all_of(v, n, "0123456789abcdefABCDEF:.") ? 0 : -1;
	}
	if (!strcmp(f, "email")) {
		const char *at = strchr(v, '@');
		return at && at != v && at[1] && !strchr(at + 1, '@') ? 0 : -1;
	}
	return 0;
}

/* A string's length in characters (CAP_ARG_STRING when the schema gives
 * no maxLength), pattern and format. */
static int validate_string(const cJSON *s, const cJSON *v, const char *w, char *why, size_t whysz)
{
	size_t n = utf8_chars(v->valuestring);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, "maxLength");

	if ((k && n > (size_t)k->valuedouble) || (!k && n > CAP_ARG_STRING))
		return why_set(why, whysz, "%s is too long (at most %.0f characters)", w,
			k ? k->valuedouble : (double)CAP_ARG_STRING);
	k = cJSON_GetObjectItemCaseSensitive(s, "minLength");
	if (k && n < (size_t)k->valuedouble)
		return why_set(why, whysz, "%s is too short (at least %.0f characters)", w, k->valuedouble);
	k = cJSON_GetObjectItemCaseSensitive(s, "pattern");
	if (k) {
		const regex_t *re = pattern_compiled(k->valuestring);
		if (!re)
			return why_set(why, whysz, "%s: the schema's pattern does not compile", w);
		if (regexec(re, v->valuestring, 0, NULL, 0))
			return why_set(why, whysz, "%s does not have the required form (pattern %s)", w, k->valuestring);
	}
	k = cJSON_GetObjectItemCaseSensitive(s, "format");
	if (cJSON_IsString(k) && format_ok(k->valuestring, v->valuestring) < 0)
		return why_set(why, whysz, "%s is not a valid %s", w, k->valuestring);
	return 0;
}

/* A number's bounds (JSON Schema 2020-12 §6.2). */
static int validate_number(const cJSON *s, double d, const char *w, char *why, size_t whysz)
{
	const cJSON *k;

	if ((k = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && d < k->valuedouble)
		return why_set(why, whysz, "%s must be >= %g", w, k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && d > k->valuedouble)
		return why_set(why, whysz, "%s must be <= %g", w, k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMinimum")) && d <= k->valuedouble)
		return why_set(why, whysz, "%s must be > %g", w, k->valuedouble);
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMaximum")) && d >= k->valuedouble)
		return why_set(why, whysz, "%s must be < %g", w, k->valuedouble);
	return 0;
}

static int validate(const cJSON *s, const cJSON *v, const char *where, char *why, size_t whysz, int depth)
{
	const cJSON *k;
	const char *w = *where ? where : "arguments";

	if (depth > 32)
		return why_set(why, whysz, "%s is nested too deeply", w);
	k = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (cJSON_IsString(k) && !type_matches(k->valuestring, v))
		return why_set(why, whysz, "%s must be of type %s", w, k->valuestring);
	if (cJSON_IsArray(k)) {
		const cJSON *t;
		int ok = 0;
		cJSON_ArrayForEach(t, k)
			ok |= type_matches(t->valuestring, v);
		if (!ok)
			return why_set(why, whysz, "%s has the wrong type", w);
	}
	k = cJSON_GetObjectItemCaseSensitive(s, "const");
	if (k && !cJSON_Compare(k, v, 1))
		return why_set(why, whysz, "%s must be the constant the schema gives", w);
	k = cJSON_GetObjectItemCaseSensitive(s, "enum");
	if (k && validate_enum(k, v, w, why, whysz) < 0)
		return -1;
	if (cJSON_IsString(v) && validate_string(s, v, w, why, whysz) < 0)
		return -1;
	if (cJSON_IsNumber(v) && validate_number(s, v->valuedouble, w, why, whysz) < 0)
		return -1;
	if (cJSON_IsArray(v)) {
		int n = cJSON_GetArraySize(v), i = 0;
		const cJSON *e, *items = cJSON_GetObjectItemCaseSensitive(s, "items");
		char sub[256];
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxItems")) && n > k->valueint)
			return why_set(why, whysz, "%s has too many items (at most %d)", w, k->valueint);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minItems")) && n < k->valueint)
			return why_set(why, whysz, "%s needs at least %d items", w, k->valueint);
		if (items)
			cJSON_ArrayForEach(e, v) {
				snprintf(sub, sizeof(sub), "%s[%d]", w, i++);
				if (validate(items, e, sub, why, whysz, depth + 1) < 0)
					return -1;
			}
	}
	if (cJSON_IsObject(v) && validate_props(s, v, where, why, whysz, depth) < 0)
		return -1;
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "allOf"))) {
		const cJSON *sub;
		cJSON_ArrayForEach(sub, k)
			if (validate(sub, v, where, why, whysz, depth + 1) < 0)
				return -1;
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "anyOf")) ||
	    (k = cJSON_GetObjectItemCaseSensitive(s, "oneOf"))) {
		const cJSON *sub;
		int matches = 0, one = !strcmp(k->string, "oneOf");
		char first[256] = "";
		cJSON_ArrayForEach(sub, k) {
			char tmp[256];
			if (validate(sub, v, where, tmp, sizeof(tmp), depth + 1) == 0)
				matches++;
			else if (!first[0])
				snprintf(first, sizeof(first), "%s", tmp);
		}
		if (!matches)
			return why_set(why, whysz, "%s matches none of the allowed shapes (first: %s)", w, first);
		if (one && matches > 1)
			return why_set(why, whysz, "%s matches more than one of the allowed shapes", w);
	}
	return 0;
}

int schema_validate(const cJSON *schema, const cJSON *v, const char *where, char *why, size_t whysz)
{
	return validate(schema, v, where, why, whysz, 0);
}

/* ---- the subset's shape, checked once at load (catalog.c) ---- */

/* Where a schema check is (a JSON pointer that grows as it descends) and
 * where its reason goes. */
struct check {
	char *ptr;
	size_t ptrsz;
	char *why;
	size_t whysz;
};

static int check_schema(struct check *c, const cJSON *s, int depth);

static int check_schema_map(struct check *c, const cJSON *m, int depth)
{
	const cJSON *it;

	if (!cJSON_IsObject(m))
		return why_set(c->why, c->whysz, "must be an object of schemas");
	cJSON_ArrayForEach(it, m) {
		size_t old = json_ptr_push(c->ptr, c->ptrsz, it->string);
		if (check_schema(c, it, depth + 1) < 0)
			return -1;
		c->ptr[old] = '\0';
	}
	return 0;
}

static int check_schema_list(struct check *c, const cJSON *a, int depth)
{
	const cJSON *it;
	int i = 0;
	char idx[16];

	if (!cJSON_IsArray(a) || !cJSON_GetArraySize(a))
		return why_set(c->why, c->whysz, "must be a non-empty array of schemas");
	cJSON_ArrayForEach(it, a) {
		size_t old;
		snprintf(idx, sizeof(idx), "%d", i++);
		old = json_ptr_push(c->ptr, c->ptrsz, idx);
		if (check_schema(c, it, depth + 1) < 0)
			return -1;
		c->ptr[old] = '\0';
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
 * The JSON Schema (2020-12) subset that schema_validate enforces.
 * Annotations are allowed anywhere; anything else is refused so the
 * validator never meets a keyword it would ignore. One keyword per
 * branch: long because the subset is, not because a branch is.
 */
static int check_schema(struct check *c, const cJSON *s, int depth)
{
	const cJSON *k;

	if (depth > 16)
		return why_set(c->why, c->whysz, "schema nested too deeply");
	if (!cJSON_IsObject(s))
		return why_set(c->why, c->whysz, "a schema must be an object");
	cJSON_ArrayForEach(k, s) {
		const char *n = k->string;
		size_t old = json_ptr_push(c->ptr, c->ptrsz, n);

		if (!strcmp(n, "description") || !strcmp(n, "title") || !strcmp(n, "format") ||
		    !strcmp(n, "$comment")) {
			if (!cJSON_IsString(k))
				return why_set(c->why, c->whysz, "must be a string");
		} else if (!strcmp(n, "default") || !strcmp(n, "examples") || !strcmp(n, "const") ||
			   !strcmp(n, "deprecated") || !strcmp(n, "readOnly")) {
			/* annotations / const: any JSON */
		} else if (!strcmp(n, "x-zone-name") || !strcmp(n, "x-account-default") ||
			   !strcmp(n, "x-id") || !strcmp(n, "x-hidden")) {
			if (!cJSON_IsBool(k))
				return why_set(c->why, c->whysz, "must be a boolean");
		} else if (!strcmp(n, "type")) {
			if (cJSON_IsString(k)) {
				if (!valid_type_name(k->valuestring))
					return why_set(c->why, c->whysz, "unknown type");
			} else if (cJSON_IsArray(k)) {
				const cJSON *t;
				cJSON_ArrayForEach(t, k)
					if (!cJSON_IsString(t) || !valid_type_name(t->valuestring))
						return why_set(c->why, c->whysz, "unknown type in list");
			} else {
				return why_set(c->why, c->whysz, "must be a type name or a list of them");
			}
		} else if (!strcmp(n, "enum")) {
			if (!cJSON_IsArray(k) || !cJSON_GetArraySize(k))
				return why_set(c->why, c->whysz, "must be a non-empty array");
		} else if (!strcmp(n, "pattern")) {
			regex_t re;
			const char *p;
			if (!cJSON_IsString(k))
				return why_set(c->why, c->whysz, "must be a string");
			/* POSIX ERE is what we run; refuse escapes ERE reads differently
			 * from ECMAScript (\d, \w, \s ...), which clients also evaluate. */
			for (p = k->valuestring; *p; p++)
				if (*p == '\\' && p[1] && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')))
					return why_set(c->why, c->whysz, "use bracket classes, not \\%c (patterns run as POSIX ERE)", p[1]);
			if (regcomp(&re, k->valuestring, REG_EXTENDED | REG_NOSUB))
				return why_set(c->why, c->whysz, "not a valid POSIX extended regular expression");
			regfree(&re);
		} else if (!strcmp(n, "minLength") || !strcmp(n, "maxLength") ||
			   !strcmp(n, "minItems") || !strcmp(n, "maxItems")) {
			if (!cJSON_IsNumber(k) || k->valuedouble < 0 || k->valuedouble > 1e9)
				return why_set(c->why, c->whysz, "must be a non-negative integer");
		} else if (!strcmp(n, "minimum") || !strcmp(n, "maximum") ||
			   !strcmp(n, "exclusiveMinimum") || !strcmp(n, "exclusiveMaximum")) {
			if (!cJSON_IsNumber(k))
				return why_set(c->why, c->whysz, "must be a number");
		} else if (!strcmp(n, "uniqueItems")) {
			if (!cJSON_IsBool(k))
				return why_set(c->why, c->whysz, "must be a boolean");
		} else if (!strcmp(n, "properties")) {
			if (check_schema_map(c, k, depth) < 0)
				return -1;
		} else if (!strcmp(n, "required")) {
			const cJSON *r;
			if (!cJSON_IsArray(k))
				return why_set(c->why, c->whysz, "must be an array of names");
			cJSON_ArrayForEach(r, k)
				if (!cJSON_IsString(r))
					return why_set(c->why, c->whysz, "must be an array of names");
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
			return why_set(c->why, c->whysz, "unsupported schema keyword");
		}
		c->ptr[old] = '\0';
	}
	return 0;
}

int schema_check(const cJSON *s, char *ptr, size_t ptrsz, char *why, size_t whysz)
{
	struct check c = { ptr, ptrsz, why, whysz };

	return check_schema(&c, s, 0);
}

int schema_check_map(const cJSON *m, char *ptr, size_t ptrsz, char *why, size_t whysz)
{
	struct check c = { ptr, ptrsz, why, whysz };

	return check_schema_map(&c, m, 0);
}
