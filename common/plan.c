/*
 * plan.c - validated tool arguments become the upstream request: method,
 * path (template filled, every value percent-encoded, no dot segment),
 * query and body, within the URL cap (plan.h).
 */
#include "first.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cfid.h"
#include "cursor.h"
#include "plan.h"
#include "schema.h"
#include "why.h"
#include "xalloc.h"

/* Both parts are capped at the whole request target's cap; plan_build
 * checks their sum before each append, so hitting a cap here means a
 * plan built outside plan_build (or out of memory). */
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

/* Percent-encode path parameter values into the template; fill account
 * defaults and resolve zone names on the way. */
static int fill_path(const struct tool *t, const cJSON *args, const struct plan_ctx *ctx,
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
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ps, "x-zone-name")) && !cfid_valid(val)) {
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

int plan_build(const struct tool *t, const cJSON *args, const struct plan_ctx *ctx,
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
	/* the uncollapsed schema where there is one: a collapsed body keeps
	 * only what a valid value needs, not every constraint */
	if (t->full_json) {
		cJSON *full = cJSON_ParseWithLength(t->full_json, t->full_json_len);
		if (!full)
			return -2;
		rc = schema_validate(full, args ? args : &empty_args, "", why, whysz);
		cJSON_Delete(full);
		if (rc < 0)
			return -1;
	} else if (schema_validate(t->input_schema, args ? args : &empty_args, "", why, whysz) < 0) {
		return -1;
	}
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
				if (*end || pg < 1 || pg > CAP_CURSOR_PAGE_MAX)
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
	/* the spec requires a body the operation does not use (DELETE) */
	if (!p->body && t->body_default) {
		p->body = xstrdup("{}");
		if (!p->body)
			return -2;
		p->body_len = 2;
	}
	return 0;
}
