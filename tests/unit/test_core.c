/*
 * test_core.c - unit tests of the pure protocol core: bytes in, bytes out,
 * with a fake token store and a fake upstream (no Redis, no network).
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/b64url.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/cursor.h"
#include "../../common/admin.h"
#include "../../common/jsonrpc.h"
#include "../../common/plan.h"
#include "../../common/ratelimit.h"
#include "../../common/router.h"
#include "../../common/schema.h"
#include "../../common/xalloc.h"
#include "../tap.h"

/* ---- fakes ---- */
static int store_down;
static int upstream_calls;
static char last_token[128];
static char last_path[512], last_query[1024];

static char sealed_cf[1024]; /* "unit-cf-token-0123456789" sealed for account "unit" */

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	if (store_down)
		return STORE_DOWN;
	snprintf(out->account, sizeof(out->account), "unit");
	snprintf(out->cf_token_sealed, sizeof(out->cf_token_sealed), "%s", sealed_cf);
	/* every well-formed token is known here; shape checks happen before */
	return strlen(hash) == 64 ? STORE_OK : STORE_NOTFOUND;
}

static enum upstream_err fake_upstream(void *ud, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	(void)ud;
	upstream_calls++;
	snprintf(last_token, sizeof(last_token), "%s", token ? token : "(null)");
	snprintf(last_path, sizeof(last_path), "%s", p->path.p ? p->path.p : "");
	snprintf(last_query, sizeof(last_query), "%s", p->query.p ? p->query.p : "");
	r->status = 200;
	snprintf(r->ratelimit, sizeof(r->ratelimit), "\"default\";r=41;t=30");
	snprintf(r->ratelimit_policy, sizeof(r->ratelimit_policy), "\"default\";q=1200;w=300");
	if (buf_puts(&r->body, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[{\"id\":\"a\"}],"
			       "\"result_info\":{\"page\":1,\"per_page\":1,\"count\":1,\"total_count\":3}}"))
		return r->err = UP_INTERNAL;
	return r->err = UP_OK;
}

static long fake_now(void) { return 1700000000L; }

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;

static long fail_at; /* inject an allocation failure inside the core only */

static void run(const char *method, const char *path, const char *body, const char *const *hdrs,
	struct http_response *resp)
{
	struct http_request req;
	size_t i;

	http_request_init(&req);
	req.method = xstrdup(method);
	req.path = xstrdup(path);
	for (i = 0; hdrs && hdrs[i]; i += 2)
		if (http_request_add_header(&req, hdrs[i], strlen(hdrs[i]), hdrs[i + 1], strlen(hdrs[i + 1])))
			abort();
	if (body && buf_puts(&req.body, body))
		abort();
	http_response_init(resp);
	xalloc_fail_after(fail_at);
	router_handle(&env, &req, resp);
	xalloc_fail_after(0);
	http_request_free(&req);
}

static const char *const JSON_HDRS[] = { "content-type", "application/json", NULL };
#define TOKPATH "/mcp/good-token-0123456789"

static int body_has(const struct http_response *r, const char *s)
{
	return r->body.p && strstr(r->body.p, s) != NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char err[512], kind, out[128];
	struct http_response r;
	struct buf b;
	long n;

	xalloc_init();
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	{
		/* a private key file, as the README tells an operator to make */
		char kf[] = "/tmp/cfmcp-unit-key-XXXXXX";
		int fd = mkstemp(kf);
		static const char key[] = "# test key\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
		if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
			abort();
		close(fd);
		setenv("CFMCP_KEY_FILE", kf, 1);
		ok(config_load(&cfg, err, sizeof(err)) == 0, "config loads from defaults and a key file: %s", err);
		unlink(kf);
	}
	ok(crypto_seal(&cfg.keys, "account:unit", STRLIT("unit-cf-token-0123456789"), sealed_cf, sizeof(sealed_cf)) == 0,
		"seal a Cloudflare token");
	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "catalogue loads: %s", err);
	ok(cat.ntools >= 2, "catalogue has tools (%zu)", cat.ntools);
	env.cfg = &cfg;
	env.cat = &cat;
	env.lookup = fake_lookup;
	env.upstream = fake_upstream;
	env.now = fake_now;

	/* jsonrpc prescan / parse */
	{
		const char *why = NULL;
		cJSON *root = NULL;
		ok(jsonrpc_parse("{\"a\":1}", 7, &root, &why) == MCP_OK, "plain object parses");
		cJSON_Delete(root);
		ok(jsonrpc_parse("{\"a\":1,\"a\":2}", 13, &root, &why) == MCP_EINVALREQ, "duplicate keys refused");
		ok(jsonrpc_parse("{\"a\":\"\\u0000\"}", 14, &root, &why) == MCP_EPARSE, "\\u0000 refused");
		ok(jsonrpc_parse("{\"a\":1} x", 9, &root, &why) == MCP_EPARSE, "trailing bytes refused");
		ok(jsonrpc_parse("\xc0\xaf", 2, &root, &why) == MCP_EPARSE, "overlong UTF-8 refused");
		ok(jsonrpc_parse("\"\xed\xa0\x80\"", 5, &root, &why) == MCP_EPARSE, "UTF-16 surrogate in UTF-8 refused");
	}
	/* depth limit at N and N+1 */
	{
		char deep[200];
		const char *why;
		cJSON *root = NULL;
		memset(deep, '[', CAP_JSON_DEPTH);
		memset(deep + CAP_JSON_DEPTH, ']', CAP_JSON_DEPTH);
		ok(jsonrpc_parse(deep, 2 * CAP_JSON_DEPTH, &root, &why) == MCP_OK, "depth %d accepted", CAP_JSON_DEPTH);
		cJSON_Delete(root);
		memset(deep, '[', CAP_JSON_DEPTH + 1);
		memset(deep + CAP_JSON_DEPTH + 1, ']', CAP_JSON_DEPTH + 1);
		ok(jsonrpc_parse(deep, 2 * CAP_JSON_DEPTH + 2, &root, &why) == MCP_EPARSE, "depth %d refused", CAP_JSON_DEPTH + 1);
	}
	/* cursors round-trip; junk is refused */
	buf_init(&b, 0);
	ok(cursor_encode(&b, 'p', "17", 2) == 0 && cursor_decode(b.p, &kind, out, sizeof(out)) == 0 &&
	   kind == 'p' && !strcmp(out, "17"), "page cursor round-trips");
	buf_free(&b);
	ok(cursor_decode("!!", &kind, out, sizeof(out)) < 0, "non-base64url cursor refused");
	ok(cursor_decode("", &kind, out, sizeof(out)) < 0, "empty cursor refused");
	/* rate-limit headers */
	{
		struct upstream_reply ur;
		struct ratelimit rl;
		upstream_reply_init(&ur);
		snprintf(ur.ratelimit, sizeof(ur.ratelimit), "\"default\";r=50;t=30");
		snprintf(ur.ratelimit_policy, sizeof(ur.ratelimit_policy), "\"burst\";q=100;w=60");
		ratelimit_parse(&ur, 0, &rl);
		ok(rl.limit == 100 && rl.remaining == 50 && rl.reset == 30, "IETF Ratelimit/Ratelimit-Policy parsed");
		snprintf(ur.retry_after, sizeof(ur.retry_after), "7");
		ratelimit_parse(&ur, 0, &rl);
		is_int(rl.reset, 7, "Retry-After wins for reset");
		memset(ur.ratelimit, 0, sizeof(ur.ratelimit));
		memset(ur.ratelimit_policy, 0, sizeof(ur.ratelimit_policy));
		memset(ur.retry_after, 0, sizeof(ur.retry_after));
		snprintf(ur.x_limit, sizeof(ur.x_limit), "1200");
		snprintf(ur.x_remaining, sizeof(ur.x_remaining), "3");
		snprintf(ur.x_reset, sizeof(ur.x_reset), "Tue, 14 Nov 2023 22:14:00 GMT");
		ratelimit_parse(&ur, 1700000000L, &rl);
		ok(rl.limit == 1200 && rl.remaining == 3 && rl.reset == 1700000040L - 1700000000L + 0 * rl.reset,
			"x-ratelimit-* with an RFC 1123 reset date parsed (reset %ld)", rl.reset);
		upstream_reply_free(&ur);
	}
	/* argument planning: everything percent-encoded, nothing escapes the path */
	{
		const struct tool *t = catalog_find(&cat, "list_all_cloudflare_zones");
		struct plan p;
		cJSON *a = cJSON_Parse("{\"name\":\"a&b=c/../d?#\",\"limit\":7}");
		char why[256];
		plan_init(&p);
		ok(t && plan_build(t, a, NULL, &p, why, sizeof(why)) == 0, "zones list args plan");
		is_str(p.query.p, "name=a%26b%3Dc%2F..%2Fd%3F%23&per_page=7", "query values percent-encoded");
		plan_free(&p);
		cJSON_Delete(a);
		t = catalog_find(&cat, "get_single_cloudflare_zone_by_id");
		a = cJSON_Parse("{\"zone_id\":\"../../user/tokens\"}");
		plan_init(&p);
		ok(t && plan_build(t, a, NULL, &p, why, sizeof(why)) == -1 && strstr(why, "zone_id"),
			"path traversal in zone_id refused before planning (%s)", why);
		plan_free(&p);
		cJSON_Delete(a);
	}

	/* ---- the core, end to end through router_handle ---- */
	run("GET", TOKPATH, NULL, NULL, &r);
	is_int(r.status, 405, "GET on the MCP endpoint -> 405");
	ok(strstr(r.headers.p, "Allow: POST\r\n") != NULL, "405 says Allow: POST");
	http_response_free(&r);

	run("POST", TOKPATH, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}", JSON_HDRS, &r);
	is_int(r.status, 200, "ping -> 200");
	is_str(r.body.p, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}", "ping body exact");
	ok(strstr(r.headers.p, "Cache-Control: no-store\r\n") && strstr(r.headers.p, "Referrer-Policy: no-referrer\r\n"),
		"no-store and no-referrer on every answer");
	http_response_free(&r);

	run("POST", "/mcp/bad.token", "{}", JSON_HDRS, &r);
	is_int(r.status, 404, "malformed token -> 404");
	http_response_free(&r);

	store_down = 1;
	run("POST", TOKPATH, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", JSON_HDRS, &r);
	is_int(r.status, 503, "store down -> 503");
	ok(strstr(r.headers.p, "Retry-After: 1\r\n") && body_has(&r, "-32603"), "503 has Retry-After and a JSON-RPC error");
	http_response_free(&r);
	store_down = 0;

	upstream_calls = 0;
	run("POST", TOKPATH, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"list_all_cloudflare_zones\",\"arguments\":{\"limit\":5}}}", JSON_HDRS, &r);
	is_int(r.status, 200, "tools/call -> 200");
	is_int(upstream_calls, 1, "one upstream call");
	is_str(last_token, "unit-cf-token-0123456789", "the account's sealed Cloudflare token is opened and sent");
	is_str(last_path, "/zones", "upstream path /zones");
	ok(body_has(&r, "\\\"next_cursor\\\"") && body_has(&r, "\"isError\":false"), "result has next_cursor, isError false");
	ok(strstr(r.headers.p, "ratelimit-limit: 1200\r\n") && strstr(r.headers.p, "ratelimit-remaining: 41\r\n") &&
	   strstr(r.headers.p, "ratelimit-reset: 30\r\n"), "rate-limit headers normalized onto the answer");
	http_response_free(&r);

	/* allocation-failure torture: fail the Nth allocation for every N the
	 * request makes; each run must end in a clean answer (no crash; leaks
	 * are caught by the ASan and valgrind runs of this test). */
	{
		int nfail = 0, bad = 0, k;
		const char *body = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":"
				   "\"list_all_cloudflare_zones\",\"arguments\":{\"limit\":5,\"name\":\"x\"}}}";
		for (k = 1; k < 400; k++) {
			struct http_response rr;
			unsigned long before = xalloc_oom_events();
			fail_at = k;
			run("POST", TOKPATH, body, JSON_HDRS, &rr);
			fail_at = 0;
			n = (long)(xalloc_oom_events() - before);
			if (n) {
				nfail++;
				if (rr.status != 500 && rr.status != 200 && rr.status != 404) {
					bad++;
					printf("# k=%d status %d body %.120s\n", k, rr.status, rr.body.p ? rr.body.p : "");
				}
				if (rr.status == 500 && rr.body.len && !strstr(rr.body.p, "-32603"))
					bad++;
			}
			http_response_free(&rr);
		}
		ok(nfail > 20, "torture: %d runs hit an injected allocation failure", nfail);
		is_int(bad, 0, "torture: every failed allocation ended in 200, 404 or a -32603 answer");
	}

	/* crypto: AES-256-GCM seal/open, bound to the record */
	{
		char sealed[1200], plain[256], kid[9];
		struct keyring other;
		ok(crypto_seal(&cfg.keys, "account:a", STRLIT("secret-value"), sealed, sizeof(sealed)) == 0, "seal");
		ok(strncmp(sealed, "v1.", 3) == 0 && crypto_sealed_kid(sealed, kid) == 0 && !strcmp(kid, cfg.keys.k[0].kid),
			"sealed value names its key");
		ok(strstr(sealed, "secret") == NULL, "no plaintext in the sealed value");
		is_int(crypto_open(&cfg.keys, "account:a", sealed, plain, sizeof(plain)), CRYPTO_OK, "opens");
		is_str(plain, "secret-value", "round trip");
		is_int(crypto_open(&cfg.keys, "account:b", sealed, plain, sizeof(plain)), CRYPTO_EAUTH,
			"another record's AAD does not open it");
		is_str(plain, "", "nothing left in the output on failure");
		{
			/* change one ciphertext character to another valid base64url one */
			char *c = &sealed[strlen(sealed) - 3], was = *c;
			*c = was == 'A' ? 'B' : 'A';
			is_int(crypto_open(&cfg.keys, "account:a", sealed, plain, sizeof(plain)), CRYPTO_EAUTH, "tampered -> refused");
			*c = was;
		}
		memset(&other, 0, sizeof(other));
		other.n = 1;
		memset(other.k[0].key, 7, 32);
		snprintf(other.k[0].kid, sizeof(other.k[0].kid), "deadbeef");
		is_int(crypto_open(&other, "account:a", sealed, plain, sizeof(plain)), CRYPTO_ENOKEY, "unknown key id");
		is_int(crypto_open(&cfg.keys, "account:a", "v1.zz", plain, sizeof(plain)), CRYPTO_EFORMAT, "malformed");
		is_int(crypto_open(&cfg.keys, "account:a", sealed, plain, 4), CRYPTO_ESPACE, "no room");
	}
	{
		unsigned char raw[8];
		is_int(b64url_decode("AAEC", 4, raw, sizeof(raw)), 3, "b64url decode");
		ok(raw[0] == 0 && raw[1] == 1 && raw[2] == 2, "b64url bytes");
		is_int(b64url_decode("A", 1, raw, sizeof(raw)), -1, "b64url: bad length");
		is_int(b64url_decode("AA=A", 4, raw, sizeof(raw)), -1, "b64url: bad char");
	}
	/* admin helpers */
	{
		cJSON *v;
		ok(admin_id_ok("mcp_0123456789abcdef") && admin_id_ok("ia_0123456789abcdef"), "ids accepted");
		ok(!admin_id_ok("mcp_0123456789abcdeg") && !admin_id_ok("MCP_0123456789abcdef") &&
		   !admin_id_ok("mcp_0123") && !admin_id_ok("x_0123456789abcdef") && !admin_id_ok("../etc"), "bad ids refused");
		v = cJSON_CreateString("2026-11-25T19:00:00Z");
		is_int(admin_time_parse(v), 1795633200L, "RFC 3339 Z");
		cJSON_Delete(v);
		v = cJSON_CreateString("2026-11-25T20:00:00.123+01:00");
		is_int(admin_time_parse(v), 1795633200L, "RFC 3339 with offset and fraction");
		cJSON_Delete(v);
		v = cJSON_CreateNumber(1795633200.0);
		is_int(admin_time_parse(v), 1795633200L, "Unix seconds");
		cJSON_Delete(v);
		v = cJSON_CreateString("2026-11-25 19:00");
		is_int(admin_time_parse(v), -1, "not RFC 3339 -> -1");
		cJSON_Delete(v);
		v = cJSON_CreateNumber(1.5);
		is_int(admin_time_parse(v), -1, "fractional seconds number -> -1");
		cJSON_Delete(v);
		admin_time_format(1795633200L, out, sizeof(out));
		is_str(out, "2026-11-25T19:00:00Z", "format");
	}
	/* require_api_token_auth verdicts */
	{
		struct scope sc;
		const char *h = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
		memset(&sc, 0, sizeof(sc));
		snprintf(sc.account, sizeof(sc.account), "ia_0000000000000001");
		is_int(scope_apikey_check(&sc, NULL, 100), APIKEY_MISSING, "no bearer");
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_INVALID, "unknown key");
		sc.key.present = 1;
		snprintf(sc.key.id, sizeof(sc.key.id), "ak_1");
		snprintf(sc.key.hash, sizeof(sc.key.hash), "%s", h);
		snprintf(sc.key.accounts, sizeof(sc.key.accounts), "ia_0000000000000002");
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_WRONG_ACCOUNT, "other account's key");
		snprintf(sc.key.accounts, sizeof(sc.key.accounts), "ia_0000000000000002,ia_0000000000000001");
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_OK, "key listing the account");
		snprintf(sc.key.accounts, sizeof(sc.key.accounts), "*");
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_OK, "key for all accounts");
		sc.key.expires_at = 100;
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_INVALID, "expired key");
		sc.key.expires_at = 0;
		sc.key.hash[5] = 'b';
		is_int(scope_apikey_check(&sc, h, 100), APIKEY_INVALID, "stored hash differs");
	}
	/* json_append_string: the text block's escaping round-trips through a parser */
	{
		static const char tricky[] = "q\" b\\ n\n t\t c\x01\x1f u\xc3\xa9 e\xe2\x82\xac /";
		struct buf jb;
		cJSON *back;
		buf_init(&jb, 0);
		ok(json_append_string(&jb, tricky, sizeof(tricky) - 1) == 0, "json_append_string");
		back = cJSON_ParseWithLength(jb.p, jb.len);
		ok(cJSON_IsString(back) && !strcmp(back->valuestring, tricky), "escaped string parses back to the same bytes");
		ok(strstr(jb.p, "\\u0001") && strstr(jb.p, "\\u001f") && strstr(jb.p, "\xc3\xa9"), "controls as \\u00XX, UTF-8 kept");
		cJSON_Delete(back);
		buf_free(&jb);
	}
	schema_patterns_free();
	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
