/*
 * result.c - MCP results, and Cloudflare's answer shaped into a tool
 * result; see result.h.
 *
 * Two paths for a successful answer: the fast one (shape_fast) passes the
 * upstream "result" through as bytes after validating them; the general
 * one builds a cJSON tree, for errors, odd shapes and results that must be
 * cut to fit (drop_to_fit), and for bytes the fast path would not pass.
 */
#include "first.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "caps.h"
#include "cursor.h"
#include "json.h"
#include "jsonrpc.h"
#include "mcp_call.h"
#include "ratelimit.h"
#include "result.h"
#include "xalloc.h"

int result_close(const struct call *c, struct buf *res, int cacheable)
{
	if (c->modern) {
		if (buf_append(res, STRLIT(",\"resultType\":\"complete\"")))
			return -1;
		if (cacheable && buf_printf(res, ",\"ttlMs\":%ld,\"cacheScope\":\"private\"",
			    c->env->cfg->list_ttl_ms))
			return -1;
	}
	return buf_append(res, STRLIT("}"));
}

int result_tool(const struct call *c, struct buf *res, const char *text, const char *structured,
	size_t n, int is_error)
{
	if (buf_append(res, STRLIT("{\"content\":[{\"type\":\"text\",\"text\":")) ||
	    json_append_string(res, text, strlen(text)) || buf_append(res, STRLIT("}]")))
		return -1;
	if (structured && (buf_append(res, STRLIT(",\"structuredContent\":")) || buf_append(res, structured, n)))
		return -1;
	if (is_error ? buf_append(res, STRLIT(",\"isError\":true")) : buf_append(res, STRLIT(",\"isError\":false")))
		return -1;
	return result_close(c, res, 0);
}

int result_tool_error(const struct call *c, struct buf *res, const char *msg)
{
	return result_tool(c, res, msg, NULL, 0, 1);
}

/* Add normalized rate-limit information to the HTTP answer and to obj. */
static void add_ratelimit(const struct call *c, const struct upstream_reply *ur, cJSON *obj)
{
	struct ratelimit rl;
	char v[32];
	cJSON *o;

	ratelimit_parse(ur, c->env->now(), &rl);
	if (!ratelimit_known(&rl))
		return;
	o = cJSON_AddObjectToObject(obj, "ratelimit");
#define RL(field, name) \
	if (rl.field >= 0) { \
		snprintf(v, sizeof(v), "%ld", rl.field); \
		if (http_response_header(c->tx.resp, "ratelimit-" name, v)) {} \
		if (o) cJSON_AddNumberToObject(o, name, (double)rl.field); \
	}
	RL(limit, "limit")
	RL(remaining, "remaining")
	RL(reset, "reset")
#undef RL
	if (ur->status == 429 && rl.reset >= 0) {
		snprintf(v, sizeof(v), "%ld", rl.reset);
		if (http_response_header(c->tx.resp, "Retry-After", v)) {
			/* header value is digits only; cannot fail on content */
		}
	}
}

/* Copy Cloudflare's errors[] as {code, message} only. */
static cJSON *cf_errors(const cJSON *env)
{
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(env, "errors"), *e;
	cJSON *out = cJSON_CreateArray();

	if (!out)
		return NULL;
	cJSON_ArrayForEach(e, errs) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		cJSON *x = cJSON_CreateObject();
		if (!x)
			break;
		if (cJSON_IsNumber(code))
			cJSON_AddNumberToObject(x, "code", code->valuedouble);
		if (cJSON_IsString(msg))
			cJSON_AddStringToObject(x, "message", msg->valuestring);
		cJSON_AddItemToArray(out, x);
	}
	return out;
}

/* Totals beyond 2^53 are not exact in a double. */
#define RI_TOTAL_MAX 9007199254740992.0

/* One result_info number into *v when it is an integer in [lo, hi].
 * Absent or null leaves *v as it was (unknown): 1. Anything else (a
 * string, a fraction, a negative or a huge number) is not Cloudflare's
 * shape: 0, and the caller offers no next page rather than guess. */
static int ri_int(const cJSON *ri, const char *key, double lo, double hi, double *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(ri, key);

	if (!x || cJSON_IsNull(x))
		return 1;
	if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi) ||
	    x->valuedouble != floor(x->valuedouble))
		return 0;
	*v = x->valuedouble;
	return 1;
}

/*
 * Our next_cursor from Cloudflare's result_info (ri), appended to out:
 * 1 when there is a next page, 0 when not (or result_info is not usable),
 * -1 when out of memory. nres: the result array's length, or -1 when the
 * result is not an array. Page style: "p<page + 1>"; cursor style:
 * "c<Cloudflare's cursor>" (plan.c decodes both).
 */
static int next_cursor(const struct tool *t, const cJSON *ri, long nres, struct buf *out)
{
	if (!cJSON_IsObject(ri))
		return 0;
	if (t->paging == PAGE_PAGE) {
		/* -1: not given; page 1 when not given (Cloudflare's default) */
		double pg = 1, per = -1, tp = -1, total = -1, count = -1;
		int more, n;
		char s[24];
		if (!ri_int(ri, "page", 1, CAP_CURSOR_PAGE_MAX, &pg) || !ri_int(ri, "per_page", 1, CAP_CURSOR_PAGE_MAX, &per) ||
		    !ri_int(ri, "total_pages", 0, RI_TOTAL_MAX, &tp) ||
		    !ri_int(ri, "total_count", 0, RI_TOTAL_MAX, &total) || !ri_int(ri, "count", 0, RI_TOTAL_MAX, &count))
			return 0;
		if (pg >= CAP_CURSOR_PAGE_MAX)
			return 0;
		if (tp >= 0)
			more = pg < tp;
		else if (total >= 0 && per > 0)
			more = pg * per < total;
		else if (count >= 0 && per > 0)
			more = count >= per;
		else
			more = nres >= 0 && per > 0 && (double)nres >= per;
		if (!more)
			return 0;
		/* pg + 1 <= CAP_CURSOR_PAGE_MAX: seven digits; checked all the same */
		n = snprintf(s, sizeof(s), "%ld", (long)pg + 1);
		if (n < 0 || (size_t)n >= sizeof(s))
			return 0;
		return cursor_encode(out, 'p', s, (size_t)n) ? -1 : 1;
	}
	if (t->paging == PAGE_CURSOR) {
		const cJSON *cur = cJSON_GetObjectItemCaseSensitive(ri, "cursor");
		if (!cJSON_IsString(cur) || !cur->valuestring[0] || strlen(cur->valuestring) > 350)
			return 0;
		return cursor_encode(out, 'c', cur->valuestring, strlen(cur->valuestring)) ? -1 : 1;
	}
	return 0;
}

/* The result's "next_cursor": ours when there is a next page, null for a
 * paged tool at its end, absent otherwise. 0, or -1 when out of memory. */
static int add_next_cursor(const struct tool *t, const cJSON *ri, long nres, cJSON *obj)
{
	struct buf cur;
	int hc, rc = -1;

	buf_init(&cur, 1024);
	hc = next_cursor(t, ri, nres, &cur);
	if (hc > 0)
		rc = cJSON_AddStringToObject(obj, "next_cursor", cur.p) ? 0 : -1;
	else if (hc == 0)
		rc = t->paging == PAGE_NONE || cJSON_AddNullToObject(obj, "next_cursor") ? 0 : -1;
	buf_free(&cur);
	return rc;
}

/*
 * The common case without building a tree: a 2xx whose body is exactly one
 * JSON object (validated byte by byte, json_scan) with "success": true and
 * a "result" small enough to need no truncation. The result's bytes pass
 * through as they came (already valid JSON); only result_info is parsed.
 * Anything else (an escaped or repeated key, a deeper nesting than the
 * scanner takes, errors, trailing bytes) returns 0: the general path.
 * bench/RESULTS.md: the tree cost ~40 % of a tools/call.
 */
static int shape_fast(const struct call *c, const struct tool *t, const struct upstream_reply *ur,
	struct buf *res, enum mcp_err *e)
{
	const char *p = ur->body.p, *end = ur->body.p + ur->body.len, *rs = NULL, *re = NULL;
	const char *is = NULL, *ie = NULL;
	int success = 0;
	long nres = -1;
	cJSON *ri = NULL, *rest = NULL;
	struct buf text;
	char *rests = NULL;
	int rc = 0;

	if (ur->status < 200 || ur->status >= 300 || !p)
		return 0;
	p = json_skip_ws(p, end);
	if (p >= end || *p != '{')
		return 0;
	p = json_skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return 0;
	for (;;) {
		const char *ks = p, *ke, *vs, *ve;
		long cnt;
		if (p >= end || *p != '"' || !(ke = json_scan(p, end, 1, NULL)))
			return 0;
		if (memchr(ks, '\\', (size_t)(ke - ks)))
			return 0; /* an escaped key: let cJSON decode it */
		p = json_skip_ws(ke, end);
		if (p >= end || *p++ != ':')
			return 0;
		vs = json_skip_ws(p, end);
		ve = json_scan(vs, end, 256, &cnt);
		if (!ve)
			return 0;
#define KEY_IS(lit) ((size_t)(ke - ks) == sizeof(lit) + 1 && !memcmp(ks + 1, lit, sizeof(lit) - 1))
		if (KEY_IS("success")) {
			if (success)
				return 0;
			success = ve - vs == 4 && !memcmp(vs, "true", 4) ? 1 : -1;
		} else if (KEY_IS("result")) {
			if (rs)
				return 0;
			rs = vs;
			re = ve;
			nres = cnt;
		} else if (KEY_IS("result_info")) {
			if (is)
				return 0;
			is = vs;
			ie = ve;
		}
#undef KEY_IS
		p = json_skip_ws(ve, end);
		if (p >= end)
			return 0;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return 0;
		p = json_skip_ws(p, end);
	}
	if (json_skip_ws(p + 1, end) != end || success != 1 || !rs ||
	    (size_t)(re - rs) + 1024 > c->env->cfg->result_max)
		return 0;
	/* From here on the fast path owns the answer (headers are added). */
	*e = MCP_ENOMEM;
	buf_init(&text, 0);
	/* the span is valid JSON: only an allocation failure stops cJSON */
	if (is && !(ri = cJSON_ParseWithLength(is, (size_t)(ie - is))))
		goto out;
	rest = cJSON_CreateObject();
	if (!rest)
		goto out;
	if (add_next_cursor(t, ri, nres, rest) < 0)
		goto out;
	add_ratelimit(c, ur, rest);
	rests = cJSON_PrintUnformatted(rest);
	if (!rests || buf_append(&text, STRLIT("{\"result\":")) || buf_append(&text, rs, (size_t)(re - rs)) ||
	    (strcmp(rests, "{}") ? buf_append(&text, STRLIT(",")) || buf_puts(&text, rests + 1) :
				   buf_append(&text, STRLIT("}"))))
		goto out;
	if (result_tool(c, res, text.p, text.p, text.len, 0))
		goto out;
	*e = MCP_OK;
out:
	rc = 1;
	cJSON_free(rests);
	cJSON_Delete(rest);
	cJSON_Delete(ri);
	buf_free(&text);
	return rc;
}

/*
 * Cut the array result so that the answer it sits in fits max bytes.
 * *len: the answer's length printed with every item; on return, its
 * length with the items kept (still above max when not even an empty
 * array fits). Returns how many items were dropped from the end, or -1
 * when out of memory (result unchanged).
 *
 * Which items stay is what dropping a quarter of them at a time (one at a
 * time below 9) and printing again gave, so answers are unchanged; but
 * each item is printed once, and the answer's length for k items is
 * computed: printing is context free (cJSON_PrintUnformatted), so it is
 * *len less the bytes of the items after k and their commas. Linear in
 * the items and their bytes; the loop it replaces deleted items one index
 * lookup at a time (O(n^2) list walks).
 */
static long drop_to_fit(cJSON *result, size_t *len, size_t max)
{
	size_t *pre = NULL; /* pre[k]: bytes of the first k items, commas included */
	char *scratch = NULL;
	size_t cap = 256, n = 0, k, i;
	long rc = -1;
	cJSON *it;

	cJSON_ArrayForEach(it, result)
		n++;
	if (!n)
		return 0;
	pre = xcalloc(n + 1, sizeof(*pre));
	scratch = xmalloc(cap);
	if (!pre || !scratch)
		goto out;
	k = 0;
	cJSON_ArrayForEach(it, result) {
		/* an item is shorter than the answer holding it: *len + 5 bytes
		 * always do (cJSON asks for 5 spare bytes) */
		while (!cJSON_PrintPreallocated(it, scratch, (int)cap, 0)) {
			char *bigger;
			if (cap > *len + 5 || cap > INT_MAX / 2)
				goto out;
			bigger = xrealloc(scratch, cap * 2);
			if (!bigger)
				goto out;
			scratch = bigger;
			cap *= 2;
		}
		pre[k + 1] = pre[k] + strlen(scratch) + (k ? 1 : 0);
		k++;
	}
	k = n;
	while (k > 0 && *len - pre[n] + pre[k] > max)
		k -= k > 8 ? k / 4 : 1;
	*len = *len - pre[n] + pre[k];
	rc = (long)(n - k);
	/* detach from item k on: each unlink is O(1) */
	for (it = result->child, i = 0; it && i < k; it = it->next)
		i++;
	while (it) {
		cJSON *next = it->next;
		cJSON_Delete(cJSON_DetachItemViaPointer(result, it));
		it = next;
	}
out:
	xfree(scratch);
	xfree(pre);
	return rc;
}

/*
 * The isError answer when Cloudflare did not answer with success: a
 * status outside 2xx, a body that is not an envelope (env NULL or not an
 * object), one the strict check refused (bad: its static reason; env is
 * NULL then), or "success" other than true. It carries the status, what
 * happened, Cloudflare's errors[] reduced to {code, message} and the rate
 * limits; nothing else of the body.
 */
static enum mcp_err shape_error(const struct call *c, const struct upstream_reply *ur, const cJSON *env,
	const char *bad, struct buf *res)
{
	cJSON *out = cJSON_CreateObject(), *errs = NULL;
	char *text = NULL;
	char msg[256];
	enum mcp_err e = MCP_ENOMEM;

	if (!out)
		goto out;
	errs = cJSON_IsObject(env) ? cf_errors(env) : NULL;
	if (ur->status == 429)
		snprintf(msg, sizeof(msg), "Cloudflare rate limit reached (HTTP 429). Do not retry at once: wait for ratelimit.reset seconds, then try again.");
	else if (bad)
		snprintf(msg, sizeof(msg), "Cloudflare's answer (HTTP %ld) was not valid UTF-8/JSON (%s); nothing of it "
			 "is passed on.", ur->status, bad);
	else if (!cJSON_IsObject(env))
		snprintf(msg, sizeof(msg), "Cloudflare answered HTTP %ld with a body that is not a Cloudflare JSON envelope.", ur->status);
	else
		snprintf(msg, sizeof(msg), "Cloudflare answered HTTP %ld with success=false; see errors.", ur->status);
	if (!cJSON_AddNumberToObject(out, "status", (double)ur->status) ||
	    !cJSON_AddStringToObject(out, "error", msg))
		goto out;
	if (errs) {
		int rc = json_add(out, "errors", errs); /* owns errs either way */
		errs = NULL;
		if (rc < 0)
			goto out;
	}
	add_ratelimit(c, ur, out);
	text = cJSON_PrintUnformatted(out);
	if (!text || result_tool(c, res, text, text, strlen(text), 1))
		goto out;
	e = MCP_OK;
out:
	cJSON_free(text);
	cJSON_Delete(errs);
	cJSON_Delete(out);
	return e;
}

/* The general path: Cloudflare's envelope as a cJSON tree, its result cut
 * to fit result_max when it is an array that does not. */
static enum mcp_err shape_result(const struct call *c, const struct tool *t, const struct upstream_reply *ur,
	struct buf *res)
{
	cJSON *env = NULL, *out = NULL, *result;
	char *text = NULL;
	char msg[256];
	const char *bad = NULL;
	size_t len;
	enum mcp_err e = MCP_ENOMEM;

	if (shape_fast(c, t, ur, res, &e))
		return e;
	/* cJSON's parser does not check UTF-8, and would pass invalid bytes
	 * on to the client: the strict check of the request prescan first
	 * (shape_fast's json_scan checks what it passes). Depth and size are
	 * left to cJSON and the upstream cap; a "\u0000" is refused too, as
	 * cJSON would silently cut the string there. */
	if (ur->body.len && json_prescan(ur->body.p, ur->body.len, INT_MAX, SIZE_MAX, &bad) != JSON_OK) {
		e = shape_error(c, ur, NULL, bad, res);
		goto out;
	}
	env = ur->body.len ? cJSON_ParseWithLength(ur->body.p, ur->body.len) : NULL;
	if (ur->status < 200 || ur->status >= 300 || !cJSON_IsObject(env) ||
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "success"))) {
		e = shape_error(c, ur, env, NULL, res);
		goto out;
	}
	out = cJSON_CreateObject();
	if (!out)
		goto out;
	result = cJSON_DetachItemFromObjectCaseSensitive(env, "result");
	if (!result)
		result = cJSON_CreateNull();
	if (!result)
		goto out;
	if (json_add(out, "result", result) < 0)
		goto out;
	if (add_next_cursor(t, cJSON_GetObjectItemCaseSensitive(env, "result_info"),
		    cJSON_IsArray(result) ? (long)cJSON_GetArraySize(result) : -1, out) < 0)
		goto out;
	add_ratelimit(c, ur, out);
	text = cJSON_PrintUnformatted(out);
	if (!text)
		goto out;
	len = strlen(text);
	if (len > c->env->cfg->result_max) {
		long dropped = cJSON_IsArray(result) ? drop_to_fit(result, &len, c->env->cfg->result_max) : 0;
		if (dropped < 0)
			goto out;
		if (len > c->env->cfg->result_max) {
			cJSON *nul = cJSON_CreateNull();
			if (!nul || !cJSON_ReplaceItemInObjectCaseSensitive(out, "result", nul)) {
				cJSON_Delete(nul);
				goto out;
			}
		}
		snprintf(msg, sizeof(msg),
			"Result truncated to fit %zu bytes: %ld item(s) omitted from the end. "
			"Call again with a smaller limit to page through everything.",
			c->env->cfg->result_max, dropped);
		if (!cJSON_AddTrueToObject(out, "truncated") || !cJSON_AddStringToObject(out, "note", msg))
			goto out;
		cJSON_free(text);
		text = cJSON_PrintUnformatted(out);
		if (!text)
			goto out;
	}
	if (result_tool(c, res, text, text, strlen(text), 0))
		goto out;
	e = MCP_OK;
out:
	cJSON_free(text);
	cJSON_Delete(out);
	cJSON_Delete(env);
	return e;
}

enum mcp_err result_from_upstream(const struct call *c, const struct tool *t, const struct upstream_reply *ur,
	struct buf *res)
{
	const char *msg;

	switch (ur->err) {
	case UP_OK:
		return shape_result(c, t, ur, res);
	case UP_TIMEOUT:
		msg = "Cloudflare did not answer in time (timeout). The request may or may not have been applied; check before retrying a write.";
		break;
	case UP_CONNECT:
		msg = "Could not reach the Cloudflare API (connection failed or was reset). Try again later.";
		break;
	case UP_TOOBIG:
		msg = "Cloudflare's answer was larger than this server accepts. Ask for fewer items with limit or narrower filters.";
		break;
	case UP_INTERNAL:
	default:
		/* our side failed before sending (upstream.c logged why): not
		 * Cloudflare's doing, so a JSON-RPC error, and not "out of
		 * memory", which it rarely is */
		return MCP_EUPSETUP;
	}
	return result_tool_error(c, res, msg) ? MCP_ENOMEM : MCP_OK;
}
