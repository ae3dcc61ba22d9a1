/*
 * test_catalog_tags.c - GET /catalog/tags and catalog_tags_json (issue 12):
 * the counts per tag and class over the full catalogue (curated + the
 * vendored OpenAPI spec), checked against a count made another way (one
 * pass per tag over every tool), and the route's answers: 401 without a
 * key, 503 when the store is down, 405 for other methods, 200 for any
 * valid key. The store is a hook here (admin.h), so no Redis is needed.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../../common/admin.h"
#include "../../common/catalog.h"
#include "../../common/catalog_tags.h"
#include "../../common/config.h"
#include "../../common/crypto.h"
#include "../../common/openapi.h"
#include "../../common/router.h"
#include "../../common/xalloc.h"
#include "../tap.h"

static struct mcp_env env;
static struct config cfg;
static int store_down;
static const char KEY[] = "unit-test-api-key-0123456789abcdefghijklmnop";

static long fixed_now(void) { return 1700000000L; }

static redisReply *str_reply(const char *s)
{
	redisReply *r = calloc(1, sizeof(*r));

	r->type = REDIS_REPLY_STRING;
	r->len = strlen(s);
	r->str = strdup(s);
	return r;
}

/* HGETALL of the API key: a key for every account when the hash is KEY's. */
static int fake_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies)
{
	char hash[CRYPTO_SHA256_HEX];
	const char *kv[8];
	redisReply *r;
	size_t i, nkv = 0;

	(void)ud;
	if (store_down || n != 1)
		return -1;
	if (crypto_token_hash(KEY, strlen(KEY), hash) < 0)
		return -1;
	if (!strcmp(cmds[0][1] + strlen("cfmcp:apikey:"), hash)) {
		kv[nkv++] = "id", kv[nkv++] = "ak_0123456789abcdef";
		kv[nkv++] = "hash", kv[nkv++] = hash;
		kv[nkv++] = "accounts", kv[nkv++] = "*";
		kv[nkv++] = "name", kv[nkv++] = "unit";
	}
	r = calloc(1, sizeof(*r));
	r->type = REDIS_REPLY_ARRAY;
	r->elements = nkv;
	r->element = calloc(nkv ? nkv : 1, sizeof(*r->element));
	for (i = 0; i < nkv; i++)
		r->element[i] = str_reply(kv[i]);
	replies[0] = r;
	return 0;
}

/* METHOD PATH with the given Bearer (NULL: none): the status, the body
 * parsed (caller frees) and the Allow header. */
static int call(const char *method, const char *path, const char *bearer, cJSON **body, char *allow, size_t allowsz)
{
	struct http_request req;
	struct http_response resp;
	const char *a;
	char auth[128];
	int st;

	http_request_init(&req);
	req.method = xstrdup(method);
	req.path = xstrdup(path);
	if (bearer) {
		snprintf(auth, sizeof(auth), "Bearer %s", bearer);
		if (http_request_add_header(&req, STRLIT("authorization"), auth, strlen(auth)) != HTTP_ADD_OK)
			return -1;
	}
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	st = resp.status;
	if (body)
		*body = resp.body.len ? cJSON_ParseWithLength(resp.body.p, resp.body.len) : NULL;
	allow[0] = '\0';
	a = resp.headers.p ? strstr(resp.headers.p, "Allow: ") : NULL;
	if (a)
		snprintf(allow, allowsz, "%.*s", (int)strcspn(a + 7, "\r\n"), a + 7);
	http_response_free(&resp);
	http_request_free(&req);
	return st;
}

/* The counts for tag, one pass over every tool: a different way from
 * catalog_tags.c's sort-and-group. */
static void count_tag(const struct catalog *cat, const char *tag, long *tools, long *rd, long *wr, long *cu)
{
	size_t i, k;

	*tools = *rd = *wr = *cu = 0;
	for (i = 0; i < cat->ntools; i++)
		for (k = 0; cat->tools[i].tags[k]; k++)
			if (!strcmp(cat->tools[i].tags[k], tag)) {
				enum tool_kind kd = cat->tools[i].kind;
				(*tools)++;
				if (kd == TOOL_LIST || kd == TOOL_GET)
					(*rd)++;
				else if (kd == TOOL_CUSTOM)
					(*cu)++;
				else
					(*wr)++;
			}
}

/* Every tag of every tool is listed once, sorted, with its counts. */
static void check_counts(const struct catalog *cat, const cJSON *o, const char *what)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(o, "tags"), *it;
	const char *prev = "";
	size_t i, k, listed = 0, bad = 0, unsorted = 0, missing = 0;

	ok(cJSON_IsArray(tags) && cJSON_GetArraySize(tags) > 0, "%s: a tags array", what);
	is_int(cJSON_GetObjectItemCaseSensitive(o, "total")->valueint, cat->ntools, "total is the catalogue's tool count");
	cJSON_ArrayForEach(it, tags) {
		const char *tag = cJSON_GetObjectItemCaseSensitive(it, "tag")->valuestring;
		long n, r, w, c;
		count_tag(cat, tag, &n, &r, &w, &c);
		if (n == 0 || n != cJSON_GetObjectItemCaseSensitive(it, "tools")->valueint ||
		    r != cJSON_GetObjectItemCaseSensitive(it, "read")->valueint ||
		    w != cJSON_GetObjectItemCaseSensitive(it, "write")->valueint ||
		    c != cJSON_GetObjectItemCaseSensitive(it, "custom")->valueint || r + w + c != n)
			bad++;
		if (strcmp(prev, tag) >= 0)
			unsorted++;
		prev = tag;
		listed++;
	}
	ok(bad == 0, "%s: each tag's tools/read/write/custom match a count per tag (%zu wrong)", what, bad);
	ok(unsorted == 0, "%s: sorted by tag, each once (%zu tags)", what, listed);
	for (i = 0; i < cat->ntools; i++)
		for (k = 0; cat->tools[i].tags[k]; k++) {
			int found = 0;
			cJSON_ArrayForEach(it, tags)
				found |= !strcmp(cJSON_GetObjectItemCaseSensitive(it, "tag")->valuestring, cat->tools[i].tags[k]);
			missing += !found;
		}
	ok(missing == 0, "%s: no tag of any tool is left out (%zu missing)", what, missing);
}

int main(void)
{
	struct admin_store as = { .pipeline = fake_pipeline };
	struct openapi_opts opts = { 0 };
	struct catalog cat;
	char err[512], allow[64];
	cJSON *body = NULL;
	int st;

	xalloc_init();
	if (catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	env.cfg = &cfg;
	env.cat = &cat;
	env.now = fixed_now;
	env.admin_store = &as;

	/* the curated catalogue, through the route */
	st = call("GET", "/catalog/tags", KEY, &body, allow, sizeof(allow));
	is_int(st, 200, "GET /catalog/tags with a valid API key -> 200");
	if (body)
		check_counts(&cat, body, "curated");
	cJSON_Delete(body);

	st = call("GET", "/catalog/tags", NULL, &body, allow, sizeof(allow));
	ok(st == 401 && body && !strcmp(cJSON_GetObjectItemCaseSensitive(body, "error")->valuestring, "unauthorized"),
		"without a key -> 401 unauthorized");
	cJSON_Delete(body);
	st = call("GET", "/catalog/tags", "not-a-key-of-ours-0123456789abcdefghijkl", NULL, allow, sizeof(allow));
	is_int(st, 401, "an unknown key -> 401");
	store_down = 1;
	st = call("GET", "/catalog/tags", KEY, &body, allow, sizeof(allow));
	ok(st == 503 && body && !strcmp(cJSON_GetObjectItemCaseSensitive(body, "error")->valuestring, "service_unavailable"),
		"the store down -> 503 service_unavailable");
	cJSON_Delete(body);
	store_down = 0;
	st = call("POST", "/catalog/tags", KEY, NULL, allow, sizeof(allow));
	ok(st == 405 && !strcmp(allow, "GET"), "POST -> 405 with Allow: GET (got %d, '%s')", st, allow);
	st = call("DELETE", "/catalog/tags", NULL, NULL, allow, sizeof(allow));
	ok(st == 405 && !strcmp(allow, "GET"), "DELETE without a key -> 405 too (the route first)");
	is_int(call("GET", "/catalog/tags/", KEY, NULL, allow, sizeof(allow)), 404, "/catalog/tags/ -> 404");
	is_int(call("GET", "/catalog/tagsx", KEY, NULL, allow, sizeof(allow)), 404, "/catalog/tagsx -> 404");
	is_int(call("GET", "/catalog/", KEY, NULL, allow, sizeof(allow)), 404, "/catalog/ -> 404");
	is_int(call("GET", "/catalog", KEY, NULL, allow, sizeof(allow)), 404, "/catalog -> 404");

	/* the full catalogue: the vendored spec on top */
	if (openapi_load(&cat, SCHEMAS_DIR "/openapi/openapi.json", &opts, NULL, err, sizeof(err)) < 0) {
		ok(0, "the vendored spec loads: %s", err);
	} else {
		ok(cat.ntools >= 1420, "the full catalogue: %zu tools", cat.ntools);
		body = catalog_tags_json(&cat);
		ok(body != NULL, "catalog_tags_json over the full catalogue");
		if (body)
			check_counts(&cat, body, "full");
		cJSON_Delete(body);
	}

	/* out of memory at each allocation: NULL, nothing leaked (ASan) */
	{
		long n;
		int nulls = 0, done = 0;
		for (n = 1; n < 100000 && !done; n++) {
			xalloc_fail_after(n);
			body = catalog_tags_json(&cat);
			xalloc_fail_after(0);
			if (body)
				done = 1;
			else
				nulls++;
			cJSON_Delete(body);
		}
		ok(done && nulls > 0, "allocation failures give NULL (%d of them), then it succeeds", nulls);
	}
	catalog_free(&cat);
	return done_testing();
}
