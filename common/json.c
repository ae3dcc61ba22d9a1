/*
 * json.c - the JSON toolkit: strict parse rules, a validating scanner,
 * the one string escaper, an owning builder helper (json.h).
 *
 * The UTF-8 check (RFC 3629) lives here because both the prescan of a
 * body and the scanner of upstream bytes need it: it is what "valid JSON
 * text" means (RFC 8259 §8.1), not a JSON-RPC rule.
 */
#include "first.h"

#include <string.h>

#include "caps.h"
#include "json.h"
#include "xalloc.h"

/* Length of a valid UTF-8 sequence at p (RFC 3629 §4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

enum json_err json_prescan(const char *p, size_t n, int max_depth, size_t max_items, const char **why)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, items = 0;
	int depth = 0, in_str = 0;

	while (i < n) {
		size_t k = utf8_len(s + i, n - i);
		unsigned char c = s[i];

		if (!k) {
			*why = "body is not valid UTF-8";
			return JSON_ESYNTAX;
		}
		if (k > 1) {
			i += k;
			continue;
		}
		if (in_str) {
			if (c == '\\') {
				if (i + 1 >= n)
					break;
				if (s[i + 1] == 'u' && i + 5 < n && s[i + 2] == '0' && s[i + 3] == '0' &&
				    s[i + 4] == '0' && s[i + 5] == '0') {
					*why = "strings must not contain \\u0000";
					return JSON_ESYNTAX;
				}
				i += 2;
				continue;
			}
			if (c == '"')
				in_str = 0;
			i++;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max_depth) {
				*why = "JSON nested too deeply";
				return JSON_ESYNTAX;
			}
			/* fallthrough */
		case ',':
			if (++items > max_items) {
				*why = "JSON has too many values";
				return JSON_ESYNTAX;
			}
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
		i++;
	}
	return JSON_OK;
}

/* Refuse duplicate member names; objects with too many members are
 * refused too so the quadratic check stays bounded. */
static int has_duplicates(const cJSON *node, int depth)
{
	const cJSON *a, *b;
	int count = 0;

	if (depth > CAP_JSON_DEPTH)
		return 1;
	if (cJSON_IsObject(node)) {
		for (a = node->child; a; a = a->next) {
			if (++count > 512)
				return 1;
			for (b = node->child; b != a; b = b->next)
				if (!strcmp(a->string, b->string))
					return 1;
		}
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		for (a = node->child; a; a = a->next)
			if (has_duplicates(a, depth + 1))
				return 1;
	return 0;
}

enum json_err json_parse(const char *p, size_t n, cJSON **root, const char **why)
{
	const char *end = NULL;
	cJSON *r;
	enum json_err e;
	unsigned long oom0;

	*root = NULL;
	if (n == 0) {
		*why = "empty body";
		return JSON_ESYNTAX;
	}
	e = json_prescan(p, n, CAP_JSON_DEPTH, CAP_JSON_ITEMS, why);
	if (e != JSON_OK)
		return e;
	oom0 = xalloc_oom_events();
	r = cJSON_ParseWithLengthOpts(p, n, &end, 0);
	if (!r) {
		if (xalloc_oom_events() != oom0) {
			*why = NULL;
			return JSON_ENOMEM; /* not the client's fault */
		}
		*why = "body is not well-formed JSON";
		return JSON_ESYNTAX;
	}
	if (end)
		end = json_skip_ws(end, p + n);
	if (!end || end != p + n) {
		cJSON_Delete(r);
		*why = "trailing bytes after the JSON value";
		return JSON_ESYNTAX;
	}
	if (has_duplicates(r, 0)) {
		cJSON_Delete(r);
		*why = "duplicate member names (or an object with over 512 members)";
		return JSON_EDUP;
	}
	*root = r;
	return JSON_OK;
}

int json_add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	if (!obj || !(key ? cJSON_AddItemToObject(obj, key, item) : cJSON_AddItemToArray(obj, item))) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

const char *json_unknown_key(const cJSON *obj, const char *const *allowed)
{
	const cJSON *k;

	if (!cJSON_IsObject(obj))
		return NULL;
	cJSON_ArrayForEach(k, obj) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(k->string, allowed[i]); i++)
			;
		if (!allowed[i])
			return k->string;
	}
	return NULL;
}

size_t json_ptr_push(char *ptr, size_t ptrsz, const char *seg)
{
	size_t old = strlen(ptr), o = old;

	if (o + 1 < ptrsz)
		ptr[o++] = '/';
	for (; *seg && o + 2 < ptrsz; seg++) {
		if (*seg == '~' || *seg == '/') {
			ptr[o++] = '~';
			ptr[o++] = *seg == '~' ? '0' : '1';
		} else {
			ptr[o++] = *seg;
		}
	}
	ptr[o] = '\0';
	return old;
}

/* Bytes each input byte takes in a JSON string literal: 1, 2 (\" \\ \n
 * \r \t \b \f) or 6 (\u00XX for the other controls). */
static const unsigned char esc_len[256] = {
	6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

int json_append_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	size_t i, run, need = 2;
	char *o;

	/* Two passes: size, then write in place, plain runs by memcpy (one
	 * allocation; a 16 KB tool result has thousands of quotes). */
	for (i = 0; i < n; i++)
		need += esc_len[in[i]];
	if (buf_reserve(b, need))
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n;) {
		unsigned char ch;
		for (run = i; run < n && esc_len[in[run]] == 1; run++)
			;
		memcpy(o, in + i, run - i);
		o += run - i;
		if (run == n)
			break;
		ch = in[run];
		*o++ = '\\';
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
		i = run + 1;
	}
	*o++ = '"';
	b->len += need;
	b->p[b->len] = '\0';
	return 0;
}

const char *json_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex4(const char *p, const char *end, unsigned *v)
{
	int i;

	*v = 0;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* p at the opening quote; returns after the closing one, or NULL. */
static const char *scan_string(const char *p, const char *end)
{
	p++;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			unsigned v, lo;
			if (++p >= end)
				return NULL;
			switch (*p) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p++;
				continue;
			case 'u':
				if (hex4(p + 1, end, &v) < 0 || v == 0)
					return NULL;
				p += 5;
				if (v >= 0xdc00 && v <= 0xdfff)
					return NULL; /* lone low surrogate */
				if (v >= 0xd800 && v <= 0xdbff) {
					if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, end, &lo) < 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return NULL;
					p += 6;
				}
				continue;
			default:
				return NULL;
			}
		}
		if (c < 0x80) {
			p++;
		} else {
			size_t k = utf8_len((const unsigned char *)p, (size_t)(end - p));
			if (!k)
				return NULL;
			p += k;
		}
	}
	return NULL;
}

static const char *scan_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p >= end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

const char *json_scan(const char *p, const char *end, int max_depth, long *count)
{
	if (count)
		*count = -1;
	p = json_skip_ws(p, end);
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return scan_string(p, end);
	case 't':
		return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	case '[': {
		long n = 0;
		if (max_depth <= 0)
			return NULL;
		p = json_skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			if (count)
				*count = 0;
			return p + 1;
		}
		for (;;) {
			p = json_scan(p, end, max_depth - 1, NULL);
			if (!p)
				return NULL;
			n++;
			p = json_skip_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == ']')
				break;
			if (*p++ != ',')
				return NULL;
		}
		if (count)
			*count = n;
		return p + 1;
	}
	case '{':
		if (max_depth <= 0)
			return NULL;
		p = json_skip_ws(p + 1, end);
		if (p < end && *p == '}')
			return p + 1;
		for (;;) {
			p = json_skip_ws(p, end);
			if (p >= end || *p != '"' || !(p = scan_string(p, end)))
				return NULL;
			p = json_skip_ws(p, end);
			if (p >= end || *p++ != ':')
				return NULL;
			p = json_scan(p, end, max_depth - 1, NULL);
			if (!p)
				return NULL;
			p = json_skip_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == '}')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	default:
		return scan_number(p, end);
	}
}
