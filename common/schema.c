/*
 * schema.c - JSON Schema (2020-12) validation of tool arguments, for the
 * subset catalog.c lets a schema use; the messages are for the model and
 * never echo a value.
 */
#include "first.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "schema.h"
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

__attribute__((format(printf, 3, 4)))
static int why_set(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
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
	if (k) {
		const cJSON *e;
		int ok = 0;
		cJSON_ArrayForEach(e, k)
			ok |= cJSON_Compare(e, v, 1);
		if (!ok) {
			char list[256] = "";
			size_t o = 0;
			cJSON_ArrayForEach(e, k) {
				if (cJSON_IsString(e) && o + strlen(e->valuestring) + 3 < sizeof(list))
					o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", e->valuestring);
			}
			return why_set(why, whysz, "%s must be one of: %s", w, list[0] ? list : "(see schema)");
		}
	}
	if (cJSON_IsString(v)) {
		size_t n = utf8_chars(v->valuestring);
		k = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
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
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && d < k->valuedouble)
			return why_set(why, whysz, "%s must be >= %g", w, k->valuedouble);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && d > k->valuedouble)
			return why_set(why, whysz, "%s must be <= %g", w, k->valuedouble);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMinimum")) && d <= k->valuedouble)
			return why_set(why, whysz, "%s must be > %g", w, k->valuedouble);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMaximum")) && d >= k->valuedouble)
			return why_set(why, whysz, "%s must be < %g", w, k->valuedouble);
	}
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
