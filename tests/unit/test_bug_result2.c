/*
 * test_bug_result2.c - regression tests for three review findings in how
 * an upstream answer becomes a tool result (issue 11, the common/ split):
 * the core driven through router_handle with a fake store and a fake
 * upstream whose answer each case chooses.
 *
 *   bug_upstream_invalid_utf8      Cloudflare's answer with invalid UTF-8
 *                                  took the cJSON path (which does not
 *                                  check UTF-8) and its raw bytes reached
 *                                  the client in a 200 answer
 *   bug_upstream_internal_message  an upstream UP_INTERNAL (a refused
 *                                  curl_easy_setopt, a hand-built plan over
 *                                  the URL cap) was answered as -32603
 *                                  "Internal error: out of memory"
 *   bug_zone_setup_failure_wording a zone name whose lookup could not even
 *                                  be set up (UP_INTERNAL) was reported as
 *                                  "Cloudflare unreachable 0"
 *   bug_version_echo_invalid_utf8  an unsupported MCP-Protocol-Version header
 *                                  was echoed raw into error.data.requested,
 *                                  so its invalid UTF-8 bytes reached the
 *                                  client (found by fuzz_core once it checked
 *                                  answers strictly)
 *   bug_cursor_page_max_once       the largest page a cursor may carry was
 *                                  a literal in mcp.c and again in args.c;
 *                                  caps.h names it once
 */
#include "../../common/first.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../common/caps.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/cursor.h"
#include "../../common/jsonrpc.h"
#include "../../common/router.h"
#include "../../common/schema.h"
#include "../../common/xalloc.h"
#include "../tap.h"

/* ---- fakes -------------------------------------------------------------- */
static char sealed_cf[1024];
static const char *up_body;        /* the upstream's next answer (a C string) */
static long up_status = 200;       /* its HTTP status */
static enum upstream_err up_err;   /* UP_OK, or what the call fails with */
static int upstream_calls;
static char last_query[1024];

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
	(void)token;
	upstream_calls++;
	snprintf(last_query, sizeof(last_query), "%s", p->query.p ? p->query.p : "");
	if (up_err != UP_OK)
		return r->err = up_err; /* as upstream_do: nothing sent, no status */
	r->status = up_status;
	if (buf_puts(&r->body, up_body))
		return r->err = UP_INTERNAL;
	return r->err = UP_OK;
}

static long fake_now(void) { return 1700000000L; }

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;

#define TOKPATH "/mcp/good-token-0123456789"
#define CALL_ZONES "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":" \
	"\"list_all_cloudflare_zones\",\"arguments\":{\"limit\":5}}}"

static const char *const JSON_HDRS[] = { "content-type", "application/json",
	"accept", "application/json, text/event-stream", NULL };
static const char *const SSE_HDRS[] = { "content-type", "application/json",
	"accept", "text/event-stream", NULL };

/* POST body to the MCP endpoint with these headers; the fake upstream
 * answers with status and the bytes of upstream. */
static void post(const char *body, const char *upstream, const char *const *hdrs, struct http_response *resp)
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
	if (!req.method || !req.path || buf_puts(&req.body, body))
		abort();
	http_response_init(resp);
	router_handle(&env, &req, resp);
	http_request_free(&req);
}

/* Valid UTF-8 throughout (RFC 3629, the project's strict check; huge
 * limits so only the encoding is judged). */
static int utf8_ok(const struct buf *b)
{
	const char *why;

	return b->p && json_prescan(b->p, b->len, INT32_MAX, SIZE_MAX, &why) == JSON_OK;
}

/* The JSON-RPC answer of a JSON (not SSE) response, parsed; caller deletes. */
static cJSON *answer(const struct http_response *r)
{
	return r->body.p ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
}

/* ---- bug_upstream_invalid_utf8 ------------------------------------------ */

static void bug_upstream_invalid_utf8(void)
{
	static const struct {
		long status;
		const char *body, *name;
	} cases[] = {
		{ 200, "{\"success\":true,\"errors\":[],\"result\":[{\"id\":\"a\",\"name\":\"ex\xff" "ample.com\"}]}",
			"a 0xFF byte in a result string" },
		{ 200, "{\"success\":true,\"result\":[{\"id\":\"a\",\"name\":\"\xc0\xaf\"}]}",
			"an overlong encoding (C0 AF)" },
		{ 200, "{\"success\":true,\"result\":[{\"id\":\"a\",\"name\":\"\xed\xa0\x80\"}]}",
			"a UTF-16 surrogate encoded (ED A0 80)" },
		{ 200, "{\"success\":true,\"result\":[{\"id\":\"a\",\"name\":\"cut \xe2\x82\"}]}",
			"a sequence cut short (E2 82)" },
		{ 200, "{\"success\":true,\"result\":{\"k\xfe\":1}}", "a 0xFE byte in a member name" },
		{ 400, "{\"success\":false,\"errors\":[{\"code\":1000,\"message\":\"bad \xff value\"}],\"result\":null}",
			"a 0xFF byte in errors[].message of an HTTP 400" },
		{ 200, "{\"success\":true,\"result\":[{\"id\":\"a\"}],\"result_info\":{\"cursor\":\"\xf8\x88\x80\x80\x80\"}}",
			"a five-byte sequence in result_info" },
	};
	size_t i;

	for (i = 0; i < CFMCP_NELEM(cases); i++) {
		struct http_response r;
		cJSON *root;
		const cJSON *res, *text;

		up_status = cases[i].status;
		post(CALL_ZONES, cases[i].body, JSON_HDRS, &r);
		root = answer(&r);
		res = cJSON_GetObjectItemCaseSensitive(root, "result");
		text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(res, "content"), 0), "text");
		ok(r.status == 200 && utf8_ok(&r.body),
			"bug_upstream_invalid_utf8: %s: the answer is valid UTF-8 (HTTP %d)", cases[i].name, r.status);
		ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")) && cJSON_IsString(text) &&
		   strstr(text->valuestring, "not valid UTF-8/JSON"),
			"bug_upstream_invalid_utf8: %s: an isError result that says so", cases[i].name);
		if (i == 0 && cJSON_IsString(text) && utf8_ok(&r.body))
			printf("#   text: %s\n", text->valuestring);
		cJSON_Delete(root);
		http_response_free(&r);

		post(CALL_ZONES, cases[i].body, SSE_HDRS, &r);
		ok(r.status == 200 && utf8_ok(&r.body),
			"bug_upstream_invalid_utf8: %s: the SSE answer is valid UTF-8 too", cases[i].name);
		http_response_free(&r);
	}
	up_status = 200;

	/* valid multi-byte UTF-8 still passes through, on both paths (a key
	 * with an escape takes the cJSON path) */
	{
		static const char *const good[] = {
			"{\"success\":true,\"result\":[{\"id\":\"a\",\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}]}",
			"{\"success\":true,\"result\":[{\"id\":\"a\",\"n\\u0061me\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}]}",
		};
		for (i = 0; i < CFMCP_NELEM(good); i++) {
			struct http_response r;
			cJSON *root;
			const cJSON *res;

			post(CALL_ZONES, good[i], JSON_HDRS, &r);
			root = answer(&r);
			res = cJSON_GetObjectItemCaseSensitive(root, "result");
			ok(r.status == 200 && utf8_ok(&r.body) &&
			   cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res, "isError")) &&
			   strstr(r.body.p, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
				"valid UTF-8 from upstream passes through (%s path)", i ? "cJSON" : "fast");
			cJSON_Delete(root);
			http_response_free(&r);
		}
	}
}

/* ---- bug_upstream_internal_message -------------------------------------- */

static void bug_upstream_internal_message(void)
{
	struct http_response r;
	cJSON *root;
	const cJSON *err, *code, *msg;
	int calls = upstream_calls;

	up_err = UP_INTERNAL;
	post(CALL_ZONES, "", JSON_HDRS, &r);
	up_err = UP_OK;
	root = answer(&r);
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	code = cJSON_GetObjectItemCaseSensitive(err, "code");
	msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	ok(upstream_calls == calls + 1, "bug_upstream_internal_message: the upstream was asked");
	ok(r.status == 500 && cJSON_IsNumber(code) && code->valueint == -32603,
		"bug_upstream_internal_message: HTTP 500, -32603 (HTTP %d)", r.status);
	ok(cJSON_IsString(msg) && !strncmp(msg->valuestring, "Internal error", 14),
		"bug_upstream_internal_message: the message says an internal error happened");
	ok(cJSON_IsString(msg) && !strstr(msg->valuestring, "out of memory"),
		"bug_upstream_internal_message: and does not claim out of memory");
	if (cJSON_IsString(msg))
		printf("#   message: %s\n", msg->valuestring);
	cJSON_Delete(root);
	http_response_free(&r);
}

/* ---- bug_zone_setup_failure_wording ------------------------------------- */

/* A zone given by name is looked up first; when that request cannot be set
 * up, the tool error must not blame the network (nor print a status 0). */
static void bug_zone_setup_failure_wording(void)
{
	struct http_response r;
	cJSON *root;
	const cJSON *res, *text;
	const char *t;

	up_err = UP_INTERNAL;
	post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"list_all_cloudflare_dns_records\",\"arguments\":{\"zone_id\":\"example.com\"}}}", "", JSON_HDRS, &r);
	up_err = UP_OK;
	root = answer(&r);
	res = cJSON_GetObjectItemCaseSensitive(root, "result");
	text = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "content"), 0);
	text = cJSON_GetObjectItemCaseSensitive(text, "text");
	t = cJSON_IsString(text) ? text->valuestring : "";
	ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "isError")) && strstr(t, "example.com"),
		"bug_zone_setup_failure_wording: a tool error about the zone name");
	ok(!strstr(t, "unreachable") && !strstr(t, " 0)"),
		"bug_zone_setup_failure_wording: it does not say Cloudflare is unreachable with status 0");
	printf("#   text: %s\n", t);
	cJSON_Delete(root);
	http_response_free(&r);
}

/* ---- bug_version_echo_invalid_utf8 -------------------------------------- */

static void bug_version_echo_invalid_utf8(void)
{
	static const char *const bad[] = { "content-type", "application/json",
		"accept", "application/json, text/event-stream", "mcp-protocol-version", "40\x97x", NULL };
	static const char *const odd[] = { "content-type", "application/json",
		"accept", "application/json, text/event-stream", "mcp-protocol-version", "1999-01-01", NULL };
	struct http_response r;
	cJSON *root;
	const cJSON *req;

	post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", "", bad, &r);
	ok(utf8_ok(&r.body), "bug_version_echo_invalid_utf8: the answer is valid UTF-8 (HTTP %d)", r.status);
	root = answer(&r);
	ok(root && cJSON_GetObjectItemCaseSensitive(root, "error"), "bug_version_echo_invalid_utf8: still a version error");
	cJSON_Delete(root);
	http_response_free(&r);
	/* a plain unsupported version is still echoed back (SEP-2575 "requested") */
	post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", "", odd, &r);
	root = answer(&r);
	req = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "error"), "data"), "requested");
	ok(cJSON_IsString(req) && !strcmp(req->valuestring, "1999-01-01"),
		"bug_version_echo_invalid_utf8: a printable unsupported version is still echoed as requested");
	cJSON_Delete(root);
	http_response_free(&r);
}

/* ---- bug_cursor_page_max_once ------------------------------------------- */

/* A tools/call of list_all_cloudflare_zones with next_cursor = the page
 * cursor for page pg; 1 when it reached the upstream as page=<pg>. */
static int page_cursor_accepted(long pg)
{
	struct buf cur, body;
	struct http_response r;
	char val[32], want[48];
	int n = snprintf(val, sizeof(val), "%ld", pg), calls = upstream_calls, rc;

	buf_init(&cur, 0);
	buf_init(&body, 0);
	if (n < 0 || (size_t)n >= sizeof(val) || cursor_encode(&cur, 'p', val, (size_t)n) ||
	    buf_printf(&body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
			      "\"list_all_cloudflare_zones\",\"arguments\":{\"next_cursor\":\"%s\"}}}", cur.p))
		abort();
	post(body.p, "{\"success\":true,\"result\":[]}", JSON_HDRS, &r);
	snprintf(want, sizeof(want), "page=%ld", pg);
	rc = upstream_calls == calls + 1 && r.status == 200 && strstr(last_query, want) != NULL;
	http_response_free(&r);
	buf_free(&cur);
	buf_free(&body);
	return rc;
}

/* The next_cursor the core offers after page pg of pg + 1 pages, decoded:
 * "p:<page>", "-" for null, or "?" for anything else. */
static const char *next_after(long pg, char *out, size_t outsz)
{
	char body[512], val[64], kind = 0;
	struct http_response r;
	cJSON *root;
	const cJSON *nc;

	snprintf(body, sizeof(body), "{\"success\":true,\"result\":[{\"id\":\"a\"}],"
		"\"result_info\":{\"page\":%ld,\"per_page\":1,\"total_pages\":%ld}}", pg, pg + 1);
	post(CALL_ZONES, body, JSON_HDRS, &r);
	root = answer(&r);
	nc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "result"), "structuredContent"), "next_cursor");
	if (cJSON_IsNull(nc))
		snprintf(out, outsz, "-");
	else if (cJSON_IsString(nc) && !cursor_decode(nc->valuestring, &kind, val, sizeof(val)))
		snprintf(out, outsz, "%c:%s", kind, val);
	else
		snprintf(out, outsz, "?");
	cJSON_Delete(root);
	http_response_free(&r);
	return out;
}

static void bug_cursor_page_max_once(void)
{
	char got[80], want[80];

#ifdef CAP_CURSOR_PAGE_MAX
	ok(CAP_CURSOR_PAGE_MAX == 1000000, "bug_cursor_page_max_once: caps.h names the largest cursor page");
#else
	ok(0, "bug_cursor_page_max_once: caps.h names the largest cursor page (CAP_CURSOR_PAGE_MAX)");
#define CAP_CURSOR_PAGE_MAX 1000000
#endif
	/* both sides of the cursor agree on it: the result offers up to it,
	 * the plan takes up to it */
	snprintf(want, sizeof(want), "p:%ld", (long)CAP_CURSOR_PAGE_MAX);
	is_str(next_after((long)CAP_CURSOR_PAGE_MAX - 1, got, sizeof(got)), want,
		"bug_cursor_page_max_once: the page before the cap offers a cursor for the cap");
	is_str(next_after((long)CAP_CURSOR_PAGE_MAX, got, sizeof(got)), "-",
		"bug_cursor_page_max_once: at the cap no further cursor is offered");
	ok(page_cursor_accepted((long)CAP_CURSOR_PAGE_MAX),
		"bug_cursor_page_max_once: a cursor for page CAP_CURSOR_PAGE_MAX is taken back");
	ok(!page_cursor_accepted((long)CAP_CURSOR_PAGE_MAX + 1),
		"bug_cursor_page_max_once: one for CAP_CURSOR_PAGE_MAX + 1 is refused, nothing sent");
}

int main(void)
{
	char err[512];

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
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

	bug_upstream_invalid_utf8();
	bug_upstream_internal_message();
	bug_cursor_page_max_once();
	bug_zone_setup_failure_wording();
	bug_version_echo_invalid_utf8();

	schema_patterns_free();
	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
