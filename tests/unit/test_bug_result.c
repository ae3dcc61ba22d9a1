/*
 * test_bug_result.c - regression tests for how an upstream answer becomes
 * a tool result (issue 11, bug 1): the
 * core driven through router_handle with a fake store and a fake upstream
 * whose answer each case chooses.
 *
 *   bug_cursor_page_overflow   result_info.page 1e300 leaked stack bytes
 *                              into next_cursor
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../common/args.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/router.h"
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

#define TOKPATH "/mcp/good-token-0123456789"
#define CALL_ZONES "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":" \
	"\"list_all_cloudflare_zones\",\"arguments\":{\"limit\":5}}}"

static const char *const JSON_HDRS[] = { "content-type", "application/json",
	"accept", "application/json, text/event-stream", NULL };

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
	router_handle(&env, &req, resp);
	http_request_free(&req);
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

	bug_cursor_page_overflow();

	args_patterns_free();
	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
