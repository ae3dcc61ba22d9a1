/*
 * test_bug_result.c - regression tests for how an upstream answer becomes
 * a tool result (issue 11, bugs 1 and 3 and the O(n^2) truncation): the
 * core driven through router_handle with a fake store and a fake upstream
 * whose answer each case chooses.
 *
 *   bug_cursor_page_overflow   result_info.page 1e300 leaked stack bytes
 *                              into next_cursor
 *   bug_sse_multiline_frame    an answer holding a raw newline split the
 *                              SSE event
 *   bug_truncation_quadratic   dropping items one index lookup at a time
 *                              made truncation O(n^2)
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/cursor.h"
#include "../../common/jsonrpc.h"
#include "../../common/router.h"
#include "../../common/schema.h"
#include "../../common/sse.h"
#include "../../common/xalloc.h"
#include "../tap.h"

/* ---- fakes -------------------------------------------------------------- */
static char sealed_cf[1024];
static const char *up_body; /* the upstream's next answer (a C string) */

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	snprintf(out->account, sizeof(out->account), "unit");
	snprintf(out->cf_token_sealed, sizeof(out->cf_token_sealed), "%s", sealed_cf);
	return strlen(hash) == 64 ? STORE_OK : STORE_NOTFOUND;
}

static enum upstream_err fake_upstream(void *ud, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	(void)ud;
	(void)p;
	(void)token;
	r->status = 200;
	if (buf_puts(&r->body, up_body))
		return r->err = UP_INTERNAL;
	return r->err = UP_OK;
}

static long fake_now(void) { return 1700000000L; }

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;
static long fail_at; /* fail this allocation inside the core (0: none) */

#define TOKPATH "/mcp/good-token-0123456789"
#define CALL_ZONES "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":" \
	"\"list_all_cloudflare_zones\",\"arguments\":{\"limit\":5}}}"

static const char *const JSON_HDRS[] = { "content-type", "application/json",
	"accept", "application/json, text/event-stream", NULL };
static const char *const SSE_HDRS[] = { "content-type", "application/json",
	"accept", "text/event-stream", NULL };

/* A tools/call of list_all_cloudflare_zones with these headers; the fake
 * upstream answers with the bytes of upstream. */
static void call(const char *upstream, const char *const *hdrs, struct http_response *resp)
{
	struct http_request req;
	size_t i;

	up_body = upstream;
	http_request_init(&req);
	req.method = xstrdup("POST");
	req.path = xstrdup(TOKPATH);
	for (i = 0; hdrs[i]; i += 2)
		if (http_request_add_header(&req, hdrs[i], strlen(hdrs[i]), hdrs[i + 1], strlen(hdrs[i + 1])))
			abort();
	if (!req.method || !req.path || buf_puts(&req.body, CALL_ZONES))
		abort();
	http_response_init(resp);
	xalloc_fail_after(fail_at);
	router_handle(&env, &req, resp);
	xalloc_fail_after(0);
	http_request_free(&req);
}

/* Strict RFC 8259 check of a whole document (json_scan refuses raw control
 * bytes inside strings, which cJSON's parser lets through). */
static int strict_json(const char *p, size_t n)
{
	const char *end = p + n, *q = json_scan(p, end, 1000, NULL);

	return q && json_skip_ws(q, end) == end;
}

/* The tool result's structuredContent of a JSON answer, parsed (caller
 * deletes the returned root), or NULL. */
static cJSON *structured(const struct http_response *r, const cJSON **sc)
{
	cJSON *root = r->body.p ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "result");

	*sc = cJSON_GetObjectItemCaseSensitive(res, "structuredContent");
	return root;
}

/* ---- bug_cursor_page_overflow ------------------------------------------- */

/* The next_cursor the core offers for an upstream result_info, in out:
 * "-" for null, the decoded cursor as "<kind>:<value>", or what else it
 * is in parentheses. Never the raw cursor: it may carry leaked memory. */
static const char *cursor_for(const char *result_info, char *out, size_t outsz)
{
	char body[1024], kind = 0, val[512];
	struct http_response r;
	const cJSON *sc, *nc;
	cJSON *root;

	snprintf(body, sizeof(body), "{\"success\":true,\"errors\":[],\"messages\":[],"
		"\"result\":[{\"id\":\"a\"}],\"result_info\":%s}", result_info);
	call(body, JSON_HDRS, &r);
	root = structured(&r, &sc);
	nc = cJSON_GetObjectItemCaseSensitive(sc, "next_cursor");
	if (!sc)
		snprintf(out, outsz, "(no structuredContent, HTTP %d)", r.status);
	else if (!nc)
		snprintf(out, outsz, "(absent)");
	else if (cJSON_IsNull(nc))
		snprintf(out, outsz, "-");
	else if (!cJSON_IsString(nc))
		snprintf(out, outsz, "(not a string)");
	else if (cursor_decode(nc->valuestring, &kind, val, sizeof(val)) < 0)
		snprintf(out, outsz, "(a %zu-char cursor that does not decode)", strlen(nc->valuestring));
	else if (strlen(val) > 24)
		snprintf(out, outsz, "(a %zu-byte cursor value)", strlen(val));
	else
		snprintf(out, outsz, "%c:%.24s", kind, val);
	cJSON_Delete(root);
	http_response_free(&r);
	return out;
}

static void bug_cursor_page_overflow(void)
{
	static const struct {
		const char *ri, *want, *name;
	} cases[] = {
		{ "{\"page\":1e300,\"per_page\":1,\"total_pages\":1e301}", "-",
			"page 1e300 (total_pages larger): no next_cursor, no stack bytes" },
		{ "{\"page\":1e20,\"per_page\":1,\"total_pages\":1e21}", "-", "page 1e20: no next_cursor" },
		{ "{\"page\":999999,\"per_page\":1,\"total_pages\":1000000}", "p:1000000",
			"page 999999: next page 1000000 (the largest a cursor may carry back)" },
		{ "{\"page\":1000000,\"per_page\":1,\"total_pages\":1000001}", "-",
			"page 1000000: no next page (1000001 would be refused on the way back)" },
		{ "{\"page\":-5,\"per_page\":1,\"total_pages\":10}", "-", "negative page: no next_cursor" },
		{ "{\"page\":0,\"per_page\":1,\"total_pages\":10}", "-", "page 0: no next_cursor" },
		{ "{\"page\":1.5,\"per_page\":1,\"total_pages\":10}", "-", "fractional page: no next_cursor" },
		{ "{\"page\":\"1\",\"per_page\":1,\"total_pages\":10}", "-", "page as a string: no next_cursor" },
		{ "{\"page\":1,\"per_page\":1e300,\"total_count\":1e301}", "-", "per_page 1e300: no next_cursor" },
		{ "{\"page\":1,\"per_page\":-1,\"count\":-1}", "-", "negative per_page and count: no next_cursor" },
		{ "{\"page\":1,\"per_page\":1,\"total_count\":1e300}", "-", "total_count 1e300: no next_cursor" },
		{ "{\"page\":1,\"per_page\":1,\"total_pages\":2.5}", "-", "fractional total_pages: no next_cursor" },
		{ "{\"page\":2,\"per_page\":1,\"total_pages\":3}", "p:3", "page 2 of 3: next_cursor is page 3" },
		{ "{\"page\":2,\"per_page\":20,\"total_count\":41}", "p:3", "page 2, 41 items by 20: page 3" },
		{ "{\"page\":3,\"per_page\":20,\"total_count\":41}", "-", "page 3, 41 items by 20: the end" },
		{ "{\"page\":1,\"per_page\":1,\"count\":1}", "p:2", "a full page without totals: page 2" },
		{ "{\"per_page\":1,\"total_pages\":2}", "p:2", "no page given: page 1 assumed, page 2 next" },
		{ "{\"page\":3,\"per_page\":1,\"total_pages\":3}", "-", "last page: next_cursor null" },
	};
	char got[128], name[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cursor_for(cases[i].ri, got, sizeof(got));
		snprintf(name, sizeof(name), "bug_cursor_page_overflow: %s", cases[i].name);
		is_str(got, cases[i].want, name);
	}
}

/* ---- bug_sse_multiline_frame -------------------------------------------- */

/*
 * Read an event stream as a client does (WHATWG HTML "Server-sent events",
 * interpreting an event stream): lines end at CRLF, LF or CR; "data" field
 * values are joined with LF; a blank line dispatches the event. Returns the
 * number of events, the first one's data in data (caller frees).
 */
static int sse_read(const char *p, size_t n, char **data)
{
	struct buf cur;
	const char *end = p + n;
	int events = 0, have = 0;

	buf_init(&cur, 0);
	*data = NULL;
	while (p < end) {
		const char *le = p, *v;
		size_t ll;
		while (le < end && *le != '\n' && *le != '\r')
			le++;
		ll = (size_t)(le - p);
		if (ll == 0) {
			if (have && !events++)
				*data = xstrndup(cur.p ? cur.p : "", cur.len);
			buf_reset(&cur);
			have = 0;
		} else if (ll >= 5 && !memcmp(p, "data:", 5)) {
			v = p + 5;
			if (v < le && *v == ' ')
				v++;
			if ((have && buf_append(&cur, "\n", 1)) || buf_append(&cur, v, (size_t)(le - v)))
				abort();
			have = 1;
		}
		p = le < end && *le == '\r' && le + 1 < end && le[1] == '\n' ? le + 2 : le + 1;
	}
	buf_free(&cur);
	return events;
}

/* Upstream answers that pretty-print: LF, CRLF and lone CR line ends. */
static const char PRETTY_LF[] =
	"{\n  \"success\": true,\n  \"errors\": [],\n  \"messages\": [],\n  \"result\": [\n"
	"    {\n      \"id\": \"a\",\n      \"name\": \"example.com\"\n    }\n  ],\n"
	"  \"result_info\": {\n    \"page\": 1,\n    \"per_page\": 1,\n    \"total_pages\": 2\n  }\n}\n";
static const char PRETTY_CRLF[] =
	"{\r\n  \"success\": true,\r\n  \"result\": [\r\n    {\r\n      \"id\": \"a\",\r\n"
	"      \"name\": \"example.com\"\r\n    }\r\n  ]\r\n}\r\n";
static const char PRETTY_CR[] =
	"{\r  \"success\": true,\r  \"result\": [\r    {\r      \"id\": \"a\",\r"
	"      \"name\": \"example.com\"\r    }\r  ]\r}\r";
/* A raw LF inside a string: not JSON; the core must not pass it on raw. */
static const char RAW_LF_IN_STRING[] =
	"{\"success\":true,\"result\":[{\"id\":\"a\",\"name\":\"example.com\\nwith\nnewline\"}]}";

/* sse_append_event's exact bytes, and its failure contract. */
static void sse_frames(void)
{
	static const struct {
		const char *data, *want, *name;
	} cases[] = {
		{ "{}", "event: message\ndata: {}\n\n", "one line: one data line" },
		{ "a\r\nb\rc\nd", "event: message\ndata: a\ndata: b\ndata: c\ndata: d\n\n",
			"CRLF, CR and LF each end a data line" },
		{ "a\n\nb", "event: message\ndata: a\ndata: \ndata: b\n\n", "an empty line stays a data line" },
		{ "x\n", "event: message\ndata: x\ndata: \n\n", "a final line break is kept" },
		{ "", "event: message\ndata: \n\n", "empty data" },
		{ "data: y\n\nevent: z", "event: message\ndata: data: y\ndata: \ndata: event: z\n\n",
			"field-like lines in data stay data" },
	};
	struct buf b;
	size_t i, len;
	char *back = NULL;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 0);
		ok(sse_append_event(&b, "message", cases[i].data, strlen(cases[i].data)) == 0 && b.p &&
		   !strcmp(b.p, cases[i].want), "bug_sse_multiline_frame: sse_append_event: %s", cases[i].name);
		buf_free(&b);
	}
	buf_init(&b, 0);
	ok(sse_append_event(&b, NULL, STRLIT("a\r\nb")) == 0 && sse_read(b.p, b.len, &back) == 1 && back &&
	   !strcmp(back, "a\nb"), "bug_sse_multiline_frame: no event name: a client reads the data back (CRLF as LF)");
	xfree(back);
	len = b.len;
	ok(sse_append_event(&b, "bad\nname", STRLIT("x")) == -1 && b.len == len && b.p[len] == '\0',
		"an event name with a line break is refused, out unchanged");
	buf_free(&b);
	buf_init(&b, 20);
	ok(sse_append_event(&b, "message", STRLIT("0123456789")) == -1 && b.len == 0,
		"past the buffer's cap: -1, out unchanged");
	buf_free(&b);
}

static void bug_sse_multiline_frame(void)
{
	static const struct {
		const char *body, *name;
	} cases[] = {
		{ PRETTY_LF, "pretty-printed upstream (LF)" },
		{ PRETTY_CRLF, "pretty-printed upstream (CRLF)" },
		{ PRETTY_CR, "pretty-printed upstream (CR)" },
		{ RAW_LF_IN_STRING, "raw LF inside an upstream string" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_response r;
		char *data = NULL;
		const cJSON *sc, *id;
		cJSON *root;
		int events;

		call(cases[i].body, SSE_HDRS, &r);
		ok(r.status == 200 && r.headers.p && strstr(r.headers.p, "Content-Type: text/event-stream\r\n"),
			"bug_sse_multiline_frame: %s: SSE answer", cases[i].name);
		events = sse_read(r.body.p ? r.body.p : "", r.body.len, &data);
		ok(events == 1, "bug_sse_multiline_frame: %s: exactly one event (%d)", cases[i].name, events);
		ok(data && strict_json(data, strlen(data)), "bug_sse_multiline_frame: %s: the event's data is one JSON document",
			cases[i].name);
		root = data ? cJSON_Parse(data) : NULL;
		sc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "result"), "structuredContent");
		id = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sc, "result"), 0), "id");
		ok(cJSON_IsString(id) && !strcmp(id->valuestring, "a"),
			"bug_sse_multiline_frame: %s: the client reads the upstream result back", cases[i].name);
		cJSON_Delete(root);
		xfree(data);
		http_response_free(&r);

		/* the same answer as plain JSON is strict JSON too: a raw line
		 * break only ever appears as whitespace between tokens */
		call(cases[i].body, JSON_HDRS, &r);
		ok(r.status == 200 && r.body.p && strict_json(r.body.p, r.body.len),
			"bug_sse_multiline_frame: %s: the JSON answer is strict JSON", cases[i].name);
		http_response_free(&r);
	}
}

/* ---- work counters ------------------------------------------------------
 * Not wall-clock: the test counts the work the core asks of cJSON. These
 * definitions take the place of libcjson's index-based array calls in this
 * binary (the linker prefers a definition in the executable), do the same
 * thing and count each list element they step over. The allocation hook
 * counts every cJSON allocation (tree nodes and print buffers). */
static int counting;
static unsigned long steps, allocs;

static void *count_malloc(size_t n)
{
	if (counting)
		allocs++;
	return xmalloc(n);
}

int cJSON_GetArraySize(const cJSON *array)
{
	const cJSON *c;
	int n = 0;

	if (!array)
		return 0;
	for (c = array->child; c; c = c->next) {
		n++;
		if (counting)
			steps++;
	}
	return n;
}

cJSON *cJSON_GetArrayItem(const cJSON *array, int index)
{
	cJSON *c;

	if (!array || index < 0)
		return NULL;
	for (c = array->child; c && index > 0; c = c->next, index--)
		if (counting)
			steps++;
	return c;
}

cJSON *cJSON_DetachItemFromArray(cJSON *array, int which)
{
	cJSON *c = cJSON_GetArrayItem(array, which);

	return c ? cJSON_DetachItemViaPointer(array, c) : NULL;
}

void cJSON_DeleteItemFromArray(cJSON *array, int which)
{
	cJSON_Delete(cJSON_DetachItemFromArray(array, which));
}

/* ---- bug_truncation_quadratic ------------------------------------------- */

/* An upstream list of n items of ~40 bytes each, page-style. */
static char *big_list(int n)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	if (buf_puts(&b, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":["))
		abort();
	for (i = 0; i < n; i++)
		if (buf_printf(&b, "%s{\"id\":\"%06d\",\"pad\":\"xxxxxxxxxxxxxxxx\"}", i ? "," : "", i))
			abort();
	if (buf_printf(&b, "],\"result_info\":{\"page\":1,\"per_page\":%d,\"total_count\":%d}}", n, 3 * n))
		abort();
	return buf_steal(&b);
}

/* Call with a list of n items that must be cut to fit; returns the work
 * counted (list steps + cJSON allocations) and the items kept. */
static unsigned long truncate_work(int n, int *kept, int *valid)
{
	char *body = big_list(n);
	struct http_response r;
	const cJSON *sc, *res, *tr;
	cJSON *root;

	steps = allocs = 0;
	counting = 1;
	call(body, JSON_HDRS, &r);
	counting = 0;
	root = structured(&r, &sc);
	res = cJSON_GetObjectItemCaseSensitive(sc, "result");
	tr = cJSON_GetObjectItemCaseSensitive(sc, "truncated");
	*kept = cJSON_IsArray(res) ? cJSON_GetArraySize(res) : -1;
	*valid = r.status == 200 && strict_json(r.body.p, r.body.len) && cJSON_IsTrue(tr);
	printf("# %d items: kept %d, %lu list steps, %lu cJSON allocations\n", n, *kept, steps, allocs);
	cJSON_Delete(root);
	http_response_free(&r);
	xfree(body);
	return steps + allocs;
}

static void bug_truncation_quadratic(void)
{
	size_t saved = cfg.result_max;
	unsigned long w1, w4;
	int kept1, kept4, v1, v4;

	cfg.result_max = 2048;
	w1 = truncate_work(1000, &kept1, &v1);
	w4 = truncate_work(4000, &kept4, &v4);
	cfg.result_max = saved;
	ok(v1 && v4, "bug_truncation_quadratic: both answers are truncated, strict JSON");
	/* the items kept are the ones the quarter-at-a-time rule always kept */
	is_int(kept1, 44, "bug_truncation_quadratic: 1000 items cut to 44, as before");
	is_int(kept4, 42, "bug_truncation_quadratic: 4000 items cut to 42, as before");
	/* linear work grows ~4x for 4x the items; quadratic ~16x */
	ok(w4 <= 5 * w1, "bug_truncation_quadratic: work for 4N items <= 5 x work for N (%lu vs %lu: x%.1f)",
		w4, w1, w1 ? (double)w4 / (double)w1 : 0.0);
}

/* ---- out of memory in the new paths ------------------------------------
 * Fail each allocation of one request in turn (STYLE item 16): every run
 * must end in a 500 with nothing half-written, or a 200 that is still a
 * whole answer; leaks show under ASan and valgrind. */
static void torture(const char *name, const char *upstream, const char *const *hdrs, size_t result_max)
{
	size_t saved = cfg.result_max;
	int hit = 0, bad = 0;
	long k;

	cfg.result_max = result_max;
	for (k = 1; k < 100000; k++) {
		struct http_response r;
		unsigned long before = xalloc_oom_events();
		char *ev = NULL;
		int whole;
		fail_at = k;
		call(upstream, hdrs, &r);
		fail_at = 0;
		if (xalloc_oom_events() == before) {
			http_response_free(&r);
			break; /* past the request's last allocation */
		}
		hit++;
		if (hdrs == SSE_HDRS)
			whole = sse_read(r.body.p ? r.body.p : "", r.body.len, &ev) == 1 && ev && strict_json(ev, strlen(ev));
		else
			whole = r.body.p && strict_json(r.body.p, r.body.len);
		if (!(r.status == 500 && (!r.body.len || (whole && strstr(r.body.p, "-32603")))) && !(r.status == 200 && whole)) {
			bad++;
			printf("# %s: allocation %ld failed: HTTP %d, %zu bytes\n", name, k, r.status, r.body.len);
		}
		xfree(ev);
		http_response_free(&r);
	}
	cfg.result_max = saved;
	ok(hit > 20 && !bad, "out of memory at each of %d allocations of %s: a 500 or a whole answer (%d not)", hit, name, bad);
}

int main(void)
{
	char err[512];
	cJSON_Hooks hooks = { count_malloc, xfree };

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
	cJSON_InitHooks(&hooks);
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	{
		char kf[] = "/tmp/cfmcp-unit-key-XXXXXX";
		int fd = mkstemp(kf);
		static const char key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
		if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
			abort();
		close(fd);
		setenv("CFMCP_KEY_FILE", kf, 1);
		if (config_load(&cfg, err, sizeof(err)) < 0) {
			printf("Bail out! config: %s\n", err);
			return 1;
		}
		unlink(kf);
	}
	if (crypto_seal(&cfg.keys, "account:unit", STRLIT("unit-cf-token-0123456789"), sealed_cf, sizeof(sealed_cf)) < 0 ||
	    catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) < 0) {
		printf("Bail out! setup: %s\n", err);
		return 1;
	}
	env.cfg = &cfg;
	env.cat = &cat;
	env.lookup = fake_lookup;
	env.upstream = fake_upstream;
	env.now = fake_now;

	bug_cursor_page_overflow();
	sse_frames();
	bug_sse_multiline_frame();
	bug_truncation_quadratic();
	{
		char *list = big_list(200);
		torture("a truncated result", list, JSON_HDRS, 2048);
		torture("a truncated result over SSE", list, SSE_HDRS, 2048);
		torture("a pretty-printed answer over SSE", PRETTY_CRLF, SSE_HDRS, cfg.result_max);
		xfree(list);
	}

	schema_patterns_free();
	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
