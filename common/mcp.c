/*
 * mcp.c - MCP methods of both protocol eras over one stateless endpoint.
 *
 * Order of checks for POST /mcp/<token> (cheapest and least revealing first):
 *   1. Origin allow-list (DNS rebinding, transport spec "Security Warning") -> 403
 *   2. Content-Type JSON -> 415; Accept admits JSON or SSE -> 406; body cap -> 413
 *   3. token shape, then one Redis read -> 404 / 503
 *   4. JSON parse -> -32700; era and version from MCP-Protocol-Version and _meta
 *   5. dispatch
 */
#include "first.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "caps.h"
#include "cfid.h"
#include "crypto.h"
#include "cursor.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp.h"
#include "plan.h"
#include "ratelimit.h"
#include "sse.h"
#include "xalloc.h"

static const char *const versions_2025[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };

#define META_PV "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_INFO "io.modelcontextprotocol/clientInfo"

static const char SERVER_INFO[] =
	"{\"name\":\"cfmcp\",\"title\":\"cfmcp - Cloudflare API tools\",\"version\":\"" CFMCP_VERSION "\"}";
static const char INSTRUCTIONS[] =
	"Tools for the Cloudflare API v4 of one connected Cloudflare account. "
	"List tools return {result, next_cursor}: pass next_cursor back to get the next page. "
	"Find a zone's id with list_all_cloudflare_zones (filter by name) before calling zone tools.";

/* Per-request state: one owner, freed by the caller of mcp_handle. */
struct call {
	const struct mcp_env *env;
	const struct http_request *req;
	struct http_response *resp;
	struct scope scope;
	char cf_token[1024]; /* opened Cloudflare token, when needed; wiped at the end */
	int modern;          /* 2026-07-28 era */
	const char *version; /* negotiated / requested version (static string) */
	int sse;             /* answer as text/event-stream */
	int status;          /* HTTP status chosen by the dispatch */
	const char *why;     /* static detail for an error */
	cJSON *err_data;     /* error.data, owned */
};

static int is_2025(const char *v)
{
	size_t i;

	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (!strcmp(v, versions_2025[i]))
			return 1;
	return 0;
}

static const char *static_version(const char *v)
{
	size_t i;

	if (!strcmp(v, MCP_VERSION_MODERN))
		return MCP_VERSION_MODERN;
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (!strcmp(v, versions_2025[i]))
			return versions_2025[i];
	return NULL;
}

/* Trim optional whitespace around a header value (RFC 9110 §5.5). */
static size_t trim(const char **v)
{
	const char *s = *v;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*v = s;
	return n;
}

static int header_is(const struct http_request *req, const char *name, const char *want)
{
	const char *v = http_request_header(req, name);
	size_t n;

	if (!v)
		return 0;
	n = trim(&v);
	return n == strlen(want) && !memcmp(v, want, n);
}

/* Media type of a Content-Type or Accept element, compared without case. */
static int media_is(const char *p, size_t n, const char *want)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == strlen(want) && !strncasecmp(p, want, n);
}

static int content_type_ok(const struct http_request *req)
{
	const char *ct = http_request_header(req, "content-type");

	if (!ct)
		return 0;
	return media_is(ct, strcspn(ct, ";"), "application/json");
}

/* Accept (RFC 9110 §12.5.1): 1 = JSON, 2 = SSE only, 0 = neither. */
static int accept_kind(const struct http_request *req)
{
	const char *a = http_request_header(req, "accept");
	int json = 0, sse = 0;

	if (!a || !*a)
		return 1;
	while (*a) {
		size_t n = strcspn(a, ",");
		size_t mt = strcspn(a, ";,");
		const char *q = strstr(a, "q=");
		/* q=0 means "not acceptable" (RFC 9110 §12.4.2) */
		int zero = q && q < a + n && strtod(q + 2, NULL) <= 0.0;
		if (!zero) {
			if (media_is(a, mt, "application/json") || media_is(a, mt, "application/*") ||
			    media_is(a, mt, "*/*"))
				json = 1;
			if (media_is(a, mt, "text/event-stream") || media_is(a, mt, "text/*"))
				sse = 1;
		}
		a += n;
		if (*a == ',')
			a++;
	}
	return json ? 1 : sse ? 2 : 0;
}

static int is_loopback_origin(const char *o)
{
	const char *h;
	size_t n;

	if (!strncmp(o, "http://", 7))
		h = o + 7;
	else if (!strncmp(o, "https://", 8))
		h = o + 8;
	else
		return 0;
	if (!strncmp(h, "localhost", 9))
		n = 9;
	else if (!strncmp(h, "127.0.0.1", 9))
		n = 9;
	else if (!strncmp(h, "[::1]", 5))
		n = 5;
	else
		return 0;
	h += n;
	if (!*h)
		return 1;
	if (*h != ':' || !h[1])
		return 0;
	return strspn(h + 1, "0123456789") == strlen(h + 1) && strlen(h + 1) <= 5;
}

static int origin_ok(const struct config *cfg, const struct http_request *req)
{
	const char *o = http_request_header(req, "origin");
	size_t i;

	if (!o)
		return 1; /* non-browser clients send none */
	for (i = 0; i < cfg->norigins; i++)
		if (!strcmp(o, cfg->origins[i]))
			return 1;
	return cfg->origins_any_localhost && is_loopback_origin(o);
}

/* Write the final body: one JSON document, framed as SSE when asked. The
 * JSON may hold raw line breaks (whitespace passed through from upstream,
 * shape_fast): sse_append_event frames each line as its own data line. */
static void finish(struct call *c, int status, struct buf *json)
{
	struct http_response *r = c->resp;

	r->status = status;
	if (!json || !json->len) {
		buf_reset(&r->body);
		return;
	}
	if (c->sse) {
		if (http_response_header(r, "Content-Type", "text/event-stream") ||
		    sse_append_event(&r->body, "message", json->p, json->len))
			goto oom;
	} else {
		if (http_response_header(r, "Content-Type", "application/json") ||
		    buf_append(&r->body, json->p, json->len))
			goto oom;
	}
	return;
oom:
	r->status = 500;
	buf_reset(&r->body);
}

/* A transport-level error before any message was read: id null. */
static void fail_early(struct call *c, enum mcp_err e, const char *why)
{
	struct buf out;

	buf_init(&out, 0);
	if (jsonrpc_write_error(&out, NULL, e, why, NULL))
		buf_reset(&out);
	finish(c, jsonrpc_http_status(e, c->modern), &out);
	buf_free(&out);
}

/* ---- results ---------------------------------------------------------- */

/* Close a result object, adding the 2026-07-28 fields where they apply. */
static int result_close(struct call *c, struct buf *res, int cacheable)
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

static enum mcp_err do_initialize(struct call *c, const cJSON *params, struct buf *res)
{
	const cJSON *pv = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	const char *v = MCP_VERSION_LATEST_2025;

	if (!cJSON_IsString(pv)) {
		c->why = "initialize needs params.protocolVersion (a string)";
		return MCP_EPARAMS;
	}
	/* Lifecycle §Version negotiation: echo a supported version, else offer our latest. */
	if (is_2025(pv->valuestring))
		v = static_version(pv->valuestring);
	if (buf_printf(res, "{\"protocolVersion\":\"%s\",\"capabilities\":{\"tools\":{\"listChanged\":false}},"
		    "\"serverInfo\":%s,\"instructions\":", v, SERVER_INFO) ||
	    buf_printf(res, "\"%s\"", INSTRUCTIONS) || result_close(c, res, 0))
		return MCP_ENOMEM;
	return MCP_OK;
}

static enum mcp_err do_discover(struct call *c, struct buf *res)
{
	size_t i;

	if (buf_printf(res, "{\"supportedVersions\":[\"%s\"", MCP_VERSION_MODERN))
		return MCP_ENOMEM;
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (buf_printf(res, ",\"%s\"", versions_2025[i]))
			return MCP_ENOMEM;
	if (buf_printf(res, "],\"capabilities\":{\"tools\":{\"listChanged\":false}},\"serverInfo\":%s,"
		    "\"_meta\":{\"io.modelcontextprotocol/serverInfo\":%s},\"instructions\":\"%s\"",
		    SERVER_INFO, SERVER_INFO, INSTRUCTIONS) ||
	    result_close(c, res, 1))
		return MCP_ENOMEM;
	return MCP_OK;
}

static enum mcp_err do_tools_list(struct call *c, const cJSON *params, struct buf *res)
{
	const struct catalog *cat = c->env->cat;
	const cJSON *cur = params ? cJSON_GetObjectItemCaseSensitive(params, "cursor") : NULL;
	size_t start = 0, seen = 0, emitted = 0, i, page = c->env->cfg->tools_page_size;
	int more = 0;

	if (cur && !cJSON_IsNull(cur)) {
		char kind = 0, val[32], *end;
		unsigned long off;
		if (!cJSON_IsString(cur) || cursor_decode(cur->valuestring, &kind, val, sizeof(val)) < 0 ||
		    kind != 't') {
			c->why = "cursor is not one this server issued";
			return MCP_EPARAMS;
		}
		off = strtoul(val, &end, 10);
		if (*end || !val[0] || off == 0 || off > cat->ntools) {
			c->why = "cursor is not one this server issued";
			return MCP_EPARAMS;
		}
		start = (size_t)off;
	}
	if (buf_append(res, STRLIT("{\"tools\":[")))
		return MCP_ENOMEM;
	/* Deterministic order: the catalogue is sorted by name. The cursor is
	 * the count of visible tools already returned. */
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		if (!scope_allows(&c->scope, t))
			continue;
		if (seen++ < start)
			continue;
		if (emitted == page) {
			more = 1;
			break;
		}
		if ((emitted && buf_append(res, STRLIT(","))) || buf_append(res, t->json, t->json_len))
			return MCP_ENOMEM;
		emitted++;
	}
	if (start && start >= seen) {
		c->why = "cursor is past the end of the list";
		return MCP_EPARAMS;
	}
	if (buf_append(res, STRLIT("]")))
		return MCP_ENOMEM;
	if (more) {
		char off[24];
		int n = snprintf(off, sizeof(off), "%zu", start + emitted);
		if (buf_append(res, STRLIT(",\"nextCursor\":\"")) ||
		    cursor_encode(res, 't', off, (size_t)n) || buf_append(res, STRLIT("\"")))
			return MCP_ENOMEM;
	}
	if (result_close(c, res, 1))
		return MCP_ENOMEM;
	return MCP_OK;
}

/* Append a CallToolResult with one text block and optional structured content. */
/* A CallToolResult (MCP 2025-06-18 §Tools): the text block, and
 * structuredContent when given as its serialized JSON (structured, n
 * bytes) - by the spec the text is that same JSON, so it is serialized
 * once and written twice, escaped in the text block. */
static int tool_result(struct call *c, struct buf *res, const char *text, const char *structured,
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

static int tool_error_text(struct call *c, struct buf *res, const char *msg)
{
	return tool_result(c, res, msg, NULL, 0, 1);
}

/* Add normalized rate-limit information to the HTTP answer and to obj. */
static void add_ratelimit(struct call *c, const struct upstream_reply *ur, cJSON *obj)
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
		if (http_response_header(c->resp, "ratelimit-" name, v)) {} \
		if (o) cJSON_AddNumberToObject(o, name, (double)rl.field); \
	}
	RL(limit, "limit")
	RL(remaining, "remaining")
	RL(reset, "reset")
#undef RL
	if (ur->status == 429 && rl.reset >= 0) {
		snprintf(v, sizeof(v), "%ld", rl.reset);
		if (http_response_header(c->resp, "Retry-After", v)) {
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

/* The largest page a page cursor may name: plan_build refuses a cursor for
 * a later page (plan.c), so we never offer one. Also the largest per_page
 * we believe, which keeps page * per_page exact in a double. */
#define CURSOR_PAGE_MAX 1000000
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
		if (!ri_int(ri, "page", 1, CURSOR_PAGE_MAX, &pg) || !ri_int(ri, "per_page", 1, CURSOR_PAGE_MAX, &per) ||
		    !ri_int(ri, "total_pages", 0, RI_TOTAL_MAX, &tp) ||
		    !ri_int(ri, "total_count", 0, RI_TOTAL_MAX, &total) || !ri_int(ri, "count", 0, RI_TOTAL_MAX, &count))
			return 0;
		if (pg >= CURSOR_PAGE_MAX)
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
		/* pg + 1 <= CURSOR_PAGE_MAX: seven digits; checked all the same */
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
 * Shape an upstream answer for a model: {"result": ..., "next_cursor": ...}
 * as structuredContent and as JSON text, bounded by result_max. When the
 * result is an array that does not fit, items are dropped from the end and
 * the answer says so and how to get the rest.
 */
/*
 * The common case without building a tree: a 2xx whose body is exactly one
 * JSON object (validated byte by byte, json_scan) with "success": true and
 * a "result" small enough to need no truncation. The result's bytes pass
 * through as they came (already valid JSON); only result_info is parsed.
 * Anything else (an escaped or repeated key, a deeper nesting than the
 * scanner takes, errors, trailing bytes) returns 0: the general path.
 * bench/RESULTS.md: the tree cost ~40 % of a tools/call.
 */
static int shape_fast(struct call *c, const struct tool *t, const struct upstream_reply *ur,
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
	if (tool_result(c, res, text.p, text.p, text.len, 0))
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

static enum mcp_err shape_result(struct call *c, const struct tool *t, struct upstream_reply *ur,
	struct buf *res)
{
	cJSON *env = NULL, *out = NULL, *result;
	char *text = NULL;
	char msg[256];
	size_t len;
	enum mcp_err e = MCP_ENOMEM;
	int is_err;

	if (shape_fast(c, t, ur, res, &e))
		return e;
	env = ur->body.len ? cJSON_ParseWithLength(ur->body.p, ur->body.len) : NULL;
	out = cJSON_CreateObject();
	if (!out)
		goto out;
	is_err = ur->status < 200 || ur->status >= 300;
	if (is_err || !cJSON_IsObject(env) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(env, "success"))) {
		cJSON *errs = cJSON_IsObject(env) ? cf_errors(env) : NULL;
		if (ur->status == 429)
			snprintf(msg, sizeof(msg), "Cloudflare rate limit reached (HTTP 429). Do not retry at once: wait for ratelimit.reset seconds, then try again.");
		else if (!cJSON_IsObject(env))
			snprintf(msg, sizeof(msg), "Cloudflare answered HTTP %ld with a body that is not a Cloudflare JSON envelope.", ur->status);
		else
			snprintf(msg, sizeof(msg), "Cloudflare answered HTTP %ld with success=false; see errors.", ur->status);
		if (!cJSON_AddNumberToObject(out, "status", (double)ur->status) ||
		    !cJSON_AddStringToObject(out, "error", msg)) {
			cJSON_Delete(errs);
			goto out;
		}
		if (errs && json_add(out, "errors", errs) < 0)
			goto out;
		add_ratelimit(c, ur, out);
		text = cJSON_PrintUnformatted(out);
		if (!text || tool_result(c, res, text, text, strlen(text), 1))
			goto out;
		e = MCP_OK;
		goto out;
	}
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
	if (tool_result(c, res, text, text, strlen(text), 0))
		goto out;
	e = MCP_OK;
out:
	cJSON_free(text);
	cJSON_Delete(out);
	cJSON_Delete(env);
	return e;
}

/*
 * zone_resolver for plan_build: a domain name to its zone id, through the
 * Redis cache cfmcp:zone-name:<integrated account>:<name> (ZONE_NAME_TTL)
 * or GET /zones?name=<name> (restricted to the account when known). The
 * name passed the schema's hostname pattern, so it is safe to echo.
 */
/* The integrated account's Cloudflare token, opened on first use. The
 * AAD ties the ciphertext to its account record (crypto.h). */
static const char *cf_token(struct call *c)
{
	char aad[SCOPE_FIELD + 16];

	if (c->cf_token[0])
		return c->cf_token;
	if (!c->scope.cf_token_sealed[0])
		return NULL;
	snprintf(aad, sizeof(aad), "account:%s", c->scope.account);
	if (crypto_open(&c->env->cfg->keys, aad, c->scope.cf_token_sealed, c->cf_token, sizeof(c->cf_token)) != CRYPTO_OK) {
		log_warn("account %s: the Cloudflare token does not open with the configured keys "
			 "(CFMCP_KEY_FILE rotated without rekey?)", c->scope.account);
		return NULL;
	}
	return c->cf_token;
}

#define NO_CF_TOKEN "This MCP server's integrated account has no usable Cloudflare API token " \
	"(missing, or sealed with a key this server no longer has). Nothing was sent to Cloudflare; " \
	"ask the administrator to update the integrated account."

static int resolve_zone(void *ud, const char *name, char out[33], char *why, size_t whysz)
{
	struct call *c = ud;
	const struct mcp_env *env = c->env;
	char key[400];
	struct plan p;
	struct upstream_reply ur;
	cJSON *doc = NULL;
	const cJSON *it;
	int rc = -1;

	snprintf(key, sizeof(key), "cfmcp:zone-name:%s:%s", c->scope.account[0] ? c->scope.account : "-", name);
	if (env->cache_get && env->cache_get(env->store_ud, key, out, 33) == STORE_OK && cfid_valid(out))
		return 0;
	plan_init(&p);
	upstream_reply_init(&ur);
	p.http = "GET";
	if (buf_append(&p.path, STRLIT("/zones")) || plan_query_add(&p.query, "name", name) ||
	    plan_query_add(&p.query, "per_page", "5") ||
	    (c->scope.cf_account[0] && plan_query_add(&p.query, "account.id", c->scope.cf_account))) {
		snprintf(why, whysz, "out of memory resolving the zone name");
		goto out;
	}
	if (!cf_token(c)) {
		snprintf(why, whysz, "%s", NO_CF_TOKEN);
		goto out;
	}
	if (env->upstream(env->up_ud, &p, cf_token(c), &ur) != UP_OK || ur.status != 200) {
		snprintf(why, whysz, "could not look up zone %s (Cloudflare %s %ld); try the 32-character zone id "
			 "from list_all_cloudflare_zones", name, ur.err == UP_OK ? "HTTP" : "unreachable", ur.status);
		goto out;
	}
	doc = cJSON_ParseWithLength(ur.body.p, ur.body.len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "result")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name) && cJSON_IsString(id) && cfid_valid(id->valuestring)) {
			memcpy(out, id->valuestring, 33);
			if (env->cache_set)
				env->cache_set(env->store_ud, key, out, ZONE_NAME_TTL);
			rc = 0;
			goto out;
		}
	}
	snprintf(why, whysz, "no zone named %s is visible to this Cloudflare account; "
		 "list_all_cloudflare_zones shows the zones and their names", name);
out:
	cJSON_Delete(doc);
	upstream_reply_free(&ur);
	plan_free(&p);
	return rc;
}

static enum mcp_err do_tools_call(struct call *c, const cJSON *params, struct buf *res)
{
	const cJSON *name = params ? cJSON_GetObjectItemCaseSensitive(params, "name") : NULL;
	const cJSON *args = params ? cJSON_GetObjectItemCaseSensitive(params, "arguments") : NULL;
	const struct tool *t;
	struct plan p;
	struct upstream_reply ur;
	char why[512];
	enum mcp_err e = MCP_ENOMEM;
	int rc;
	struct plan_ctx actx = { c->scope.cf_account, resolve_zone, c };

	if (!cJSON_IsString(name)) {
		c->why = "tools/call needs params.name (a string)";
		return MCP_EPARAMS;
	}
	t = catalog_find(c->env->cat, name->valuestring);
	/* A tool outside the token's scope is indistinguishable from none. */
	if (!t || !scope_allows(&c->scope, t)) {
		c->why = "unknown tool; call tools/list for the tools this URL offers";
		return MCP_EPARAMS;
	}
	if (args && !cJSON_IsObject(args) && !cJSON_IsNull(args)) {
		c->why = "params.arguments must be an object";
		return MCP_EPARAMS;
	}
	plan_init(&p);
	upstream_reply_init(&ur);
	why[0] = '\0';
	rc = plan_build(t, cJSON_IsObject(args) ? args : NULL, &actx, &p, why, sizeof(why));
	if (rc == -1 || rc == -3) {
		char msg[700];
		if (rc == -1)
			snprintf(msg, sizeof(msg), "Invalid arguments for %s: %s. Nothing was sent to Cloudflare.",
				t->name, why);
		else
			snprintf(msg, sizeof(msg), "%s: %s.", t->name, why);
		e = tool_error_text(c, res, msg) ? MCP_ENOMEM : MCP_OK;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (!cf_token(c)) {
		e = tool_error_text(c, res, NO_CF_TOKEN) ? MCP_ENOMEM : MCP_OK;
		goto out;
	}
	c->env->upstream(c->env->up_ud, &p, cf_token(c), &ur);
	switch (ur.err) {
	case UP_OK:
		e = shape_result(c, t, &ur, res);
		goto out;
	case UP_TIMEOUT:
		e = tool_error_text(c, res, "Cloudflare did not answer in time (timeout). The request may or may not have been applied; check before retrying a write.") ? MCP_ENOMEM : MCP_OK;
		goto out;
	case UP_CONNECT:
		e = tool_error_text(c, res, "Could not reach the Cloudflare API (connection failed or was reset). Try again later.") ? MCP_ENOMEM : MCP_OK;
		goto out;
	case UP_TOOBIG:
		e = tool_error_text(c, res, "Cloudflare's answer was larger than this server accepts. Ask for fewer items with limit or narrower filters.") ? MCP_ENOMEM : MCP_OK;
		goto out;
	case UP_INTERNAL:
		e = MCP_ENOMEM;
		goto out;
	}
out:
	upstream_reply_free(&ur);
	plan_free(&p);
	return e;
}

/* ---- dispatch --------------------------------------------------------- */

/* Write one response (or nothing for notifications) for one message. */
static enum mcp_err dispatch(struct call *c, const struct rpc_msg *m, struct buf *res)
{
	const char *meth = m->method;

	if (!strcmp(meth, "tools/list"))
		return do_tools_list(c, m->params, res);
	if (!strcmp(meth, "tools/call"))
		return do_tools_call(c, m->params, res);
	if (c->modern) {
		if (!strcmp(meth, "server/discover"))
			return do_discover(c, res);
		/* initialize, ping, logging/setLevel ... are gone in 2026-07-28 */
		c->why = "this method does not exist in protocol 2026-07-28 or on this server";
		return MCP_ENOMETHOD;
	}
	if (!strcmp(meth, "initialize"))
		return do_initialize(c, m->params, res);
	if (!strcmp(meth, "ping"))
		return (buf_append(res, STRLIT("{")) || result_close(c, res, 0)) ? MCP_ENOMEM : MCP_OK;
	c->why = "this server offers tools only (initialize, ping, tools/list, tools/call)";
	return MCP_ENOMETHOD;
}

/* Handle one message object into out (full JSON-RPC response), or leave
 * out empty for notifications and responses. Returns the HTTP status. */
static int handle_one(struct call *c, const cJSON *obj, struct buf *out)
{
	struct rpc_msg m;
	struct buf res;
	enum mcp_err e;
	int status = 200;

	buf_init(&res, 0);
	c->why = NULL;
	e = jsonrpc_check(obj, &m, &c->why);
	if (e == MCP_OK && (m.is_response || !m.id))
		goto done; /* notifications and responses: 202, no body */
	if (e == MCP_OK)
		e = dispatch(c, &m, &res);
	if (e == MCP_OK) {
		if (jsonrpc_write_result(out, m.id, res.p, res.len))
			e = MCP_ENOMEM;
		else
			goto done;
	}
	buf_reset(out);
	if (jsonrpc_write_error(out, m.id, e, c->why, c->err_data))
		buf_reset(out);
	status = jsonrpc_http_status(e, c->modern);
	if (e == MCP_EINVALREQ && !c->modern)
		status = 400;
done:
	buf_free(&res);
	return status;
}

/* -32022 with data {supported, requested} (SEP-2575), for either era. */
static enum mcp_err version_error(struct call *c, const char *hv)
{
	size_t i;
	cJSON *d = cJSON_CreateObject(), *sup = d ? cJSON_AddArrayToObject(d, "supported") : NULL;

	if (!sup) {
		cJSON_Delete(d);
		return MCP_ENOMEM;
	}
	cJSON_AddItemToArray(sup, cJSON_CreateString(MCP_VERSION_MODERN));
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		cJSON_AddItemToArray(sup, cJSON_CreateString(versions_2025[i]));
	cJSON_AddStringToObject(d, "requested", hv);
	c->err_data = d;
	c->why = "MCP-Protocol-Version is not supported";
	return MCP_EVERSION;
}

/* 2026-07-28 request checks (SEP-2575 per-request _meta, SEP-2243
 * headers), in the order the reference implementation applies them. */
static enum mcp_err modern_checks(struct call *c, const cJSON *body, const char *hv)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(body, "params");
	const cJSON *meta = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "_meta") : NULL;
	const cJSON *pv = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_PV) : NULL;
	const cJSON *caps = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_CAPS) : NULL;
	const cJSON *info = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_INFO) : NULL;
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(body, "method");
	const char *mh;

	if (!hv) {
		c->why = "MCP-Protocol-Version header is required";
		return MCP_EHEADER;
	}
	if (!cJSON_IsString(method)) /* notifications and junk: handled by jsonrpc_check */
		return MCP_OK;
	if (!cJSON_IsObject(meta) || !cJSON_IsString(pv) || !cJSON_IsObject(caps) ||
	    (info && !cJSON_IsObject(info))) {
		if (cJSON_GetObjectItemCaseSensitive(body, "id") == NULL)
			return MCP_OK; /* a notification: nothing to answer */
		c->why = "params._meta must carry io.modelcontextprotocol/protocolVersion (string) and "
			 "io.modelcontextprotocol/clientCapabilities (object)";
		return MCP_EPARAMS;
	}
	if (strcmp(pv->valuestring, hv)) {
		c->why = "MCP-Protocol-Version header does not match _meta protocolVersion";
		return MCP_EHEADER;
	}
	if (strcmp(hv, MCP_VERSION_MODERN))
		return version_error(c, hv);
	mh = http_request_header(c->req, "mcp-method");
	if (!mh || !header_is(c->req, "mcp-method", method->valuestring)) {
		c->why = mh ? "Mcp-Method header does not match the body's method"
			    : "Mcp-Method header is required";
		return MCP_EHEADER;
	}
	if (!strcmp(method->valuestring, "tools/call")) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(params, "name");
		const char *nh = http_request_header(c->req, "mcp-name");
		if (cJSON_IsString(name) && (!nh || !header_is(c->req, "mcp-name", name->valuestring))) {
			c->why = nh ? "Mcp-Name header does not match params.name"
				    : "Mcp-Name header is required for tools/call";
			return MCP_EHEADER;
		}
	}
	return MCP_OK;
}

/* The request's id when it is a valid one (jsonrpc_check sets it whatever
 * else it finds wrong), so header and _meta errors can carry it. */
static const cJSON *usable_id(const cJSON *root)
{
	struct rpc_msg m;
	const char *ignore;

	return jsonrpc_check(root, &m, &ignore) == MCP_EINVALREQ && !m.id ? NULL : m.id;
}

static int has_meta_pv(const cJSON *body)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(body, "params");
	const cJSON *meta = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "_meta") : NULL;

	return cJSON_IsObject(meta) && cJSON_GetObjectItemCaseSensitive(meta, META_PV) != NULL;
}

/* The SHA-256 hex of the Authorization Bearer in out: 1; 0 when there is
 * no Authorization header; -1 when there is one we cannot use (another
 * scheme, or not a token's shape: answered like a wrong token). */
static int bearer_of(const struct http_request *req, char out[CRYPTO_SHA256_HEX])
{
	const char *tok;
	size_t n;
	int rc = http_request_bearer(req, &tok, &n);

	if (rc <= 0)
		return rc;
	return crypto_token_hash(tok, n, out) < 0 ? -1 : 1;
}

/* require_api_token_auth: answer 401 with WWW-Authenticate (RFC 6750 §3)
 * unless the Bearer is a valid API token allowed on this account. */
static int api_auth_ok(struct call *c, const char *bhash, int malformed)
{
	enum apikey_verdict v = malformed ? APIKEY_INVALID : scope_apikey_check(&c->scope, bhash, c->env->now());
	const char *challenge, *why;

	switch (v) {
	case APIKEY_OK:
		return 1;
	case APIKEY_MISSING:
		challenge = "Bearer realm=\"cfmcp\"";
		why = "this MCP server requires an API token: send Authorization: Bearer <API token> "
		      "(mcp-remote: --header \"Authorization: Bearer ${CFMCP_API_TOKEN}\")";
		break;
	case APIKEY_WRONG_ACCOUNT:
		challenge = "Bearer realm=\"cfmcp\", error=\"invalid_token\", "
			    "error_description=\"API token not allowed on this integrated account\"";
		why = "the API token is not allowed on this MCP server's integrated account";
		break;
	case APIKEY_INVALID:
	default:
		challenge = "Bearer realm=\"cfmcp\", error=\"invalid_token\", "
			    "error_description=\"unknown, revoked or expired API token\"";
		why = "the API token sent as Authorization: Bearer is unknown, revoked or expired";
		break;
	}
	if (http_response_header(c->resp, "WWW-Authenticate", challenge)) {
		/* literal; cannot fail on content */
	}
	fail_early(c, MCP_EUNAUTH, why);
	return 0;
}

void mcp_handle(const struct mcp_env *env, const struct http_request *req,
	const char *token, size_t len, struct http_response *resp)
{
	struct call c;
	struct buf out;
	cJSON *root = NULL;
	char hash[CRYPTO_SHA256_HEX], bhash[CRYPTO_SHA256_HEX], hvbuf[64];
	const char *why = NULL, *hv = NULL;
	enum mcp_err e;
	int status = 200, ak, bearer;

	memset(&c, 0, sizeof(c));
	c.env = env;
	c.req = req;
	c.resp = resp;
	buf_init(&out, 0);

	if (!origin_ok(env->cfg, req)) {
		fail_early(&c, MCP_EORIGIN, NULL);
		goto out;
	}
	if (!content_type_ok(req)) {
		fail_early(&c, MCP_ECTYPE, NULL);
		goto out;
	}
	ak = accept_kind(req);
	if (!ak) {
		fail_early(&c, MCP_EACCEPT, NULL);
		goto out;
	}
	c.sse = ak == 2;
	if (req->body_too_large) {
		fail_early(&c, MCP_EBODYSIZE, NULL);
		goto out;
	}
	if (crypto_token_hash(token, len, hash) < 0) {
		fail_early(&c, MCP_ENOTOKEN, NULL);
		goto out;
	}
	bearer = bearer_of(req, bhash);
	switch (env->lookup(env->store_ud, hash, bearer == 1 ? bhash : NULL, &c.scope)) {
	case STORE_OK:
		/* Redis expires the key at expires_at; this covers clock skew
		 * between us and Redis within that second. A stored hash, when
		 * the record has one, is compared in constant time. */
		if ((c.scope.expires_at && c.scope.expires_at <= env->now()) ||
		    (c.scope.hash[0] && (strlen(c.scope.hash) != 64 || !crypto_equal(c.scope.hash, hash, 64)))) {
			fail_early(&c, MCP_ENOTOKEN, NULL);
			goto out;
		}
		break;
	case STORE_NOTFOUND:
		fail_early(&c, MCP_ENOTOKEN, NULL);
		goto out;
	case STORE_DOWN:
		if (http_response_header(resp, "Retry-After", "1")) {
			/* literal; cannot fail on content */
		}
		fail_early(&c, MCP_EUNAVAIL, NULL);
		goto out;
	}

	if (c.scope.require_api_auth && !api_auth_ok(&c, bearer == 1 ? bhash : NULL, bearer < 0))
		goto out;

	e = jsonrpc_parse(req->body.p ? req->body.p : "", req->body.len, &root, &why);
	if (e != MCP_OK) {
		fail_early(&c, e, why);
		goto out;
	}
	{
		const char *h = http_request_header(req, "mcp-protocol-version");
		if (h) {
			size_t n = trim(&h);
			if (n >= sizeof(hvbuf))
				n = sizeof(hvbuf) - 1;
			memcpy(hvbuf, h, n);
			hvbuf[n] = '\0';
			hv = hvbuf;
		}
	}
	/* Era: a 2026-07-28 header, or a request carrying _meta protocolVersion
	 * without a 2025 header, is modern. Otherwise 2025 rules apply, with a
	 * missing header meaning 2025-03-26 (transport §Protocol Version Header). */
	if (cJSON_IsObject(root) && ((hv && !strcmp(hv, MCP_VERSION_MODERN)) ||
	    (has_meta_pv(root) && !(hv && is_2025(hv))))) {
		c.modern = 1;
		c.version = MCP_VERSION_MODERN;
		e = modern_checks(&c, root, hv);
		if (e != MCP_OK) {
			if (jsonrpc_write_error(&out, usable_id(root), e, c.why, c.err_data))
				buf_reset(&out);
			finish(&c, jsonrpc_http_status(e, 1), &out);
			goto out;
		}
	} else {
		if (hv && !is_2025(hv)) {
			e = version_error(&c, hv);
			if (jsonrpc_write_error(&out, NULL, e, c.why, c.err_data))
				buf_reset(&out);
			finish(&c, 400, &out);
			goto out;
		}
		c.version = hv ? static_version(hv) : "2025-03-26";
	}

	if (cJSON_IsArray(root)) {
		/* Batches exist only in 2025-03-26 (removed in 2025-06-18). */
		const cJSON *it;
		int n = cJSON_GetArraySize(root), any = 0;
		if (strcmp(c.version, "2025-03-26") || n == 0 || n > CAP_BATCH) {
			fail_early(&c, MCP_EINVALREQ, n == 0 ? "empty batch" : n > CAP_BATCH ?
				"batch too large" : "JSON-RPC batches are only allowed under protocol 2025-03-26");
			goto out;
		}
		if (buf_append(&out, STRLIT("[")))
			goto oom;
		cJSON_ArrayForEach(it, root) {
			struct buf one;
			buf_init(&one, 0);
			handle_one(&c, it, &one);
			cJSON_Delete(c.err_data);
			c.err_data = NULL;
			if (one.len) {
				if ((any && buf_append(&out, STRLIT(","))) || buf_append(&out, one.p, one.len)) {
					buf_free(&one);
					goto oom;
				}
				any = 1;
			}
			buf_free(&one);
		}
		if (!any) {
			buf_reset(&out);
			finish(&c, 202, NULL);
			goto out;
		}
		if (buf_append(&out, STRLIT("]")))
			goto oom;
		finish(&c, 200, &out);
		goto out;
	}
	status = handle_one(&c, root, &out);
	finish(&c, out.len ? status : 202, &out);
	goto out;
oom:
	buf_reset(&out);
	fail_early(&c, MCP_ENOMEM, NULL);
out:
	crypto_wipe(c.cf_token, sizeof(c.cf_token));
	crypto_wipe(&c.scope, sizeof(c.scope));
	cJSON_Delete(c.err_data);
	cJSON_Delete(root);
	buf_free(&out);
}
