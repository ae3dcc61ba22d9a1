/*
 * args.c - argument validation and request planning for tools/call.
 */
#include "first.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "caps.h"
#include "xalloc.h"

/* Both parts are capped at the whole request target's cap; args_plan
 * checks their sum before each append, so hitting a cap here means a
 * plan built outside args_plan (or out of memory). */
void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->path, CAP_URL_TARGET);
	buf_init(&p->query, CAP_URL_TARGET);
}

size_t plan_target_len(const struct plan *p)
{
	return p->path.len + (p->query.len ? 1 + p->query.len : 0);
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	buf_free(&p->path);
	buf_free(&p->query);
	xfree(p->body);
	p->body = NULL;
}

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

void args_patterns_free(void)
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

int args_validate(const cJSON *schema, const cJSON *v, const char *where, char *why, size_t whysz)
{
	return validate(schema, v, where, why, whysz, 0);
}

/* RFC 3986 §2.3 unreserved characters. Everything else, '%' included, is
 * %XX: a value "%2e%2e" is sent as "%252e%252e", which no single decoding
 * turns into "..". */
static int unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Length of s once percent-encoded. */
static size_t pct_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += unreserved((unsigned char)*s) ? 1 : 3;
	return n;
}

static int pct_encode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c)) {
			if (buf_append(b, &s[i], 1))
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			if (buf_append(b, e, 3))
				return -1;
		}
	}
	return 0;
}

/* Scalar to its query/path text form. */
static int scalar_text(const cJSON *v, char *out, size_t outsz, const char **s)
{
	if (cJSON_IsString(v)) {
		*s = v->valuestring;
		return 0;
	}
	if (cJSON_IsBool(v)) {
		*s = cJSON_IsTrue(v) ? "true" : "false";
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(out, outsz, "%.0f", v->valuedouble);
		else
			snprintf(out, outsz, "%.17g", v->valuedouble);
		*s = out;
		return 0;
	}
	return -1;
}

/* Control characters never belong in a URL value; refusing them (rather
 * than only encoding them) tells the model its argument is malformed. */
static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * The request target's budget while a plan is built (CAP_URL_TARGET), and
 * the biggest part added so far: when the sum outgrows the cap, the message
 * names that part, not whichever small one (per_page) happened to come last.
 */
struct room {
	const char *biggest; /* argument name, or "the path" */
	size_t biggest_len;
};

/*
 * Whether more bytes (of part what) still fit in the plan's request target:
 * 0, or -1 with why naming the biggest part (STYLE "caps must agree": what
 * validates here must fit upstream.c's URL, so the check is made before
 * each append and nothing over the cap is ever built or sent).
 */
static int target_room(const struct plan *p, struct room *r, size_t more, const char *what,
	char *why, size_t whysz)
{
	if (more > r->biggest_len) {
		r->biggest = what;
		r->biggest_len = more;
	}
	if (more <= CAP_URL_TARGET && plan_target_len(p) <= CAP_URL_TARGET - more)
		return 0;
	return why_set(why, whysz, "%s is too long for the request URL: percent-encoded (a non-ASCII "
		"character takes 6 to 12 bytes) the request to Cloudflare would exceed %u bytes; shorten %s",
		r->biggest, CAP_URL_TARGET, r->biggest);
}

/* name=val onto the plan's query, after the room check; arg names the
 * argument for the message. 0, -1 (why set) or -2 (out of memory). */
static int query_add(struct plan *p, struct room *r, const char *name, const char *val, const char *arg,
	char *why, size_t whysz)
{
	/* '?' or '&', name, '=', value */
	if (target_room(p, r, 2 + pct_len(name) + pct_len(val), arg, why, whysz) < 0)
		return -1;
	return plan_query_add(&p->query, name, val) ? -2 : 0;
}

int plan_query_add(struct buf *q, const char *name, const char *val)
{
	if (q->len && buf_append(q, STRLIT("&")))
		return -1;
	if (pct_encode(q, name, strlen(name)) || buf_append(q, STRLIT("=")) ||
	    pct_encode(q, val, strlen(val)))
		return -1;
	return 0;
}

int cursor_encode(struct buf *out, char kind, const char *val, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned int acc = (unsigned char)kind;
	int bits = 8;
	size_t i;

	for (i = 0; i <= n; i++) {
		while (bits >= 6) {
			bits -= 6;
			if (buf_append(out, &b64[(acc >> bits) & 63], 1))
				return -1;
		}
		if (i == n)
			break;
		acc = (acc << 8) | (unsigned char)val[i];
		bits += 8;
	}
	if (bits > 0 && buf_append(out, &b64[(acc << (6 - bits)) & 63], 1))
		return -1;
	return 0;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

int cursor_decode(const char *in, char *kind, char *out, size_t outsz)
{
	unsigned int acc = 0;
	int bits = 0, first = 1;
	size_t o = 0;

	if (!*in || strlen(in) > 512)
		return -1;
	for (; *in; in++) {
		int v = b64val(*in);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			char c = (char)((acc >> (bits - 8)) & 0xff);
			bits -= 8;
			if (first) {
				*kind = c;
				first = 0;
			} else {
				if (o + 1 >= outsz || c == '\0')
					return -1;
				out[o++] = c;
			}
		}
	}
	if (first || (*kind != 'p' && *kind != 'c' && *kind != 't'))
		return -1;
	out[o] = '\0';
	return 0;
}

int is_hex32(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 32 && !s[32];
}

/* Percent-encode path parameter values into the template; fill account
 * defaults and resolve zone names on the way. */
static int fill_path(const struct tool *t, const cJSON *args, const struct args_ctx *ctx,
	struct plan *p, struct room *r, char *why, size_t whysz)
{
	const char *default_account = ctx ? ctx->default_account : NULL;
	const char *s = t->path;

	while (*s) {
		const char *open = strchr(s, '{');
		const char *close;
		char name[80], num[40], zid[33];
		const cJSON *v, *ps;
		const char *val = NULL;
		size_t n;

		if (!open) {
			if (target_room(p, r, strlen(s), "the path", why, whysz) < 0)
				return -1;
			return buf_puts(&p->path, s) ? -2 : 0;
		}
		if (target_room(p, r, (size_t)(open - s), "the path", why, whysz) < 0)
			return -1;
		if (buf_append(&p->path, s, (size_t)(open - s)))
			return -2;
		close = strchr(open, '}');
		n = (size_t)(close - open - 1);
		memcpy(name, open + 1, n);
		name[n] = '\0';
		v = args ? cJSON_GetObjectItemCaseSensitive(args, name) : NULL;
		ps = cJSON_GetObjectItemCaseSensitive(t->path_params, name);
		if (!v && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ps, "x-account-default")) &&
		    default_account && *default_account) {
			val = default_account;
		} else if (!v) {
			return why_set(why, whysz, "%s is required", name);
		} else if (scalar_text(v, num, sizeof(num), &val) < 0) {
			return why_set(why, whysz, "%s must be a string", name);
		}
		if (!*val)
			return why_set(why, whysz, "%s must not be empty", name);
		if (has_ctl(val))
			return why_set(why, whysz, "%s must not contain control characters", name);
		/* "." and ".." are the only values pct_encode leaves able to
		 * move the path (RFC 3986 §5.2.4 remove_dot_segments): refused,
		 * whatever the schema's pattern says (the loader requires none) */
		if (!strcmp(val, ".") || !strcmp(val, ".."))
			return why_set(why, whysz, "%s must not be \".\" or \"..\": a dot path segment would change "
				"which resource the URL names", name);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ps, "x-zone-name")) && !is_hex32(val)) {
			/* the schema let a domain name through; turn it into the id */
			if (!ctx || !ctx->resolve_zone)
				return why_set(why, whysz, "%s must be a 32-character hex zone id", name);
			if (ctx->resolve_zone(ctx->ud, val, zid, why, whysz) < 0)
				return -3;
			val = zid;
		}
		if (target_room(p, r, pct_len(val), name, why, whysz) < 0)
			return -1;
		if (pct_encode(&p->path, val, strlen(val)))
			return -2;
		s = close + 1;
	}
	return 0;
}

int args_plan(const struct tool *t, const cJSON *args, const struct args_ctx *ctx,
	struct plan *p, char *why, size_t whysz)
{
	static const cJSON empty_args = { .type = cJSON_Object };
	const cJSON *it;
	struct room room = { "the path", 0 };
	int rc;

	if (args && !cJSON_IsObject(args))
		return why_set(why, whysz, "arguments must be an object");
	/* No arguments validate as {}: "required" still applies (parameters
	 * the account fills in are left out of "required" at load). */
	if (validate(t->input_schema, args ? args : &empty_args, "", why, whysz, 0) < 0)
		return -1;
	p->http = t->http;
	rc = fill_path(t, args, ctx, p, &room, why, whysz);
	if (rc)
		return rc;
	cJSON_ArrayForEach(it, t->query) {
		const cJSON *v = args ? cJSON_GetObjectItemCaseSensitive(args, it->string) : NULL;
		char num[40];
		const char *s;
		if (!v)
			continue;
		if (cJSON_IsArray(v)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, v) {
				if (scalar_text(e, num, sizeof(num), &s) < 0)
					return why_set(why, whysz, "%s items must be strings, numbers or booleans", it->string);
				if (has_ctl(s))
					return why_set(why, whysz, "%s must not contain control characters", it->string);
				if ((rc = query_add(p, &room, it->string, s, it->string, why, whysz)))
					return rc;
			}
		} else if (scalar_text(v, num, sizeof(num), &s) == 0) {
			if (has_ctl(s))
				return why_set(why, whysz, "%s must not contain control characters", it->string);
			if ((rc = query_add(p, &room, it->string, s, it->string, why, whysz)))
				return rc;
		} else {
			return why_set(why, whysz, "%s must be a string, number or boolean", it->string);
		}
	}
	if (t->paging != PAGE_NONE) {
		const cJSON *lim = args ? cJSON_GetObjectItemCaseSensitive(args, "limit") : NULL;
		const cJSON *cur = args ? cJSON_GetObjectItemCaseSensitive(args, "next_cursor") : NULL;
		char sz[24], kind = 0, cv[400];
		snprintf(sz, sizeof(sz), "%d", lim ? lim->valueint : t->page_default);
		if ((rc = query_add(p, &room, t->size_param, sz, "limit", why, whysz)))
			return rc;
		if (cur) {
			if (cursor_decode(cur->valuestring, &kind, cv, sizeof(cv)) < 0 ||
			    (t->paging == PAGE_PAGE && kind != 'p') ||
			    (t->paging == PAGE_CURSOR && kind != 'c'))
				return why_set(why, whysz,
					"next_cursor is not a cursor this tool returned; pass next_cursor exactly as received, or omit it for the first page");
			if (kind == 'p') {
				char *end;
				long pg = strtol(cv, &end, 10);
				if (*end || pg < 1 || pg > 1000000)
					return why_set(why, whysz, "next_cursor is malformed; omit it to start again");
			}
			if ((rc = query_add(p, &room, t->cursor_param, cv, "next_cursor", why, whysz)))
				return rc;
		}
	}
	if (t->body) {
		const cJSON *b = args ? cJSON_GetObjectItemCaseSensitive(args, "body") : NULL;
		if (b) {
			p->body = cJSON_PrintUnformatted(b);
			if (!p->body)
				return -2;
			p->body_len = strlen(p->body);
		}
	}
	return 0;
}
