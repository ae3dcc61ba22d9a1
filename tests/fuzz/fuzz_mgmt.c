/*
 * fuzz_mgmt.c - libFuzzer target for the management API (router_handle ->
 * mgmt.c -> accounts.c, mcp_servers.c, apikeys.c) over the in-memory
 * store (tests/lib/fake_store.c), reset and seeded for every input.
 *
 * Input: "METHOD /path?query\n" then header lines "Name: value", a blank
 * line, the body. Two header lines are the harness's, not the request's:
 *   key: all|one|expired|noid   Authorization: Bearer <that seeded key>
 *   down: N                     the N-th Redis command finds the connection lost
 * The seed: an integrated account (ia_0123456789abcdef, "acme") with one
 * MCP server, and four API keys: for every account, for that account only,
 * expired, and a record without an id.
 *
 * Invariants checked beyond "no crash":
 *   - a status in 200..599; 204 has no body; a JSON body parses, and an
 *     error is {"status" (the status), "error", "message"};
 *   - no seeded secret (the API keys, the Cloudflare token) in an answer;
 *   - the expired key and the one without an id get no further than a
 *     refusal (401), whatever the route (one rule: apikey_check);
 *   - the one-account key changes or reads nothing outside its account;
 *   - afterwards, in Redis: no MCP server whose account is gone; with no
 *     lost connection, every index entry, id mapping and name claim names
 *     a record that exists.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../common/crypto.h"
#include "../../common/router.h"
#include "../../common/xalloc.h"
#include "../lib/fake_store.c"
#include "fuzz_env.h"

#define ACCOUNT "ia_0123456789abcdef"
#define MCP_ID "mcp_0123456789abcdef"
#define CF_TOKEN "fuzz-cf-token-0123456789" /* fuzz_env.c seals it for ACCOUNT */

static const struct {
	const char *name, *token, *id, *accounts, *expires_at;
} keys[] = {
	{ "all", "fuzz-admin-key-all-0123456789abcdefghijklmn", "ak_00000000000000a1", "*", "" },
	{ "one", "fuzz-admin-key-one-0123456789abcdefghijklmn", "ak_00000000000000a2", ACCOUNT, "" },
	{ "expired", "fuzz-admin-key-exp-0123456789abcdefghijklmn", "ak_00000000000000a3", "*", "1795633100" },
	{ "noid", "fuzz-admin-key-nid-0123456789abcdefghijklmn", NULL, "*", "" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
static const char MCP_TOKEN[] = "fuzz-mcp-token-0123456789abcdefghijklmnopqr";

static struct fake_db *db;
static struct fake_conn *conn, *look;
static struct admin_store store;
static char key_hash[NKEYS][CRYPTO_SHA256_HEX], mcp_hash[CRYPTO_SHA256_HEX];

static long fixed_now(void)
{
	return 1795633200L; /* fuzz_env.c's clock */
}

static void must_cmd(const char *const *argv)
{
	struct redisReply *r = fake_cmd(look, argv);

	if (!r || r->type == REDIS_REPLY_ERROR)
		abort();
	freeReplyObject(r);
}

static void seed(const struct mcp_env *env)
{
	static char sealed[1024];
	char k[128], idk[128];
	size_t i;

	if (!sealed[0] && crypto_seal(&env->cfg->keys, "account:" ACCOUNT, CF_TOKEN, strlen(CF_TOKEN), sealed,
		    sizeof(sealed)) < 0)
		abort();
	{
		const char *acc[] = { "HSET", "cfmcp:account:" ACCOUNT, "id", ACCOUNT, "name", "acme", "cf_account_id",
			"0123456789abcdef0123456789abcdef", "cf_token", sealed, "created_at", "1795633000",
			"updated_at", "1795633000", "created_by", "cli:fuzz", NULL };
		const char *idx[] = { "ZADD", "cfmcp:accounts", "0", ACCOUNT, NULL };
		const char *name[] = { "SET", "cfmcp:account-name:acme", ACCOUNT, NULL };
		must_cmd(acc);
		must_cmd(idx);
		must_cmd(name);
	}
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", mcp_hash);
	{
		const char *mcp[] = { "HSET", k, "id", MCP_ID, "name", "laptop", "account", ACCOUNT, "hash", mcp_hash,
			"methods", "read", "tags", "", "require_api_token_auth", "0", "expires_at", "", "created_at",
			"1795633000", "updated_at", "1795633000", "created_by", "cli:fuzz", "cf_account_id",
			"0123456789abcdef0123456789abcdef", "cf_token", sealed, NULL };
		const char *id[] = { "SET", "cfmcp:mcp-id:" MCP_ID, mcp_hash, NULL };
		const char *idx[] = { "ZADD", "cfmcp:account:" ACCOUNT ":mcp", "0", MCP_ID, NULL };
		must_cmd(mcp);
		must_cmd(id);
		must_cmd(idx);
	}
	for (i = 0; i < NKEYS; i++) {
		const char *h[18] = { "HSET", k, "hash", key_hash[i], "accounts", keys[i].accounts, "name", keys[i].name,
			"expires_at", keys[i].expires_at, "created_at", "1795633000", "created_by", "cli:fuzz" };
		snprintf(k, sizeof(k), "cfmcp:apikey:%.64s", key_hash[i]);
		if (keys[i].id) {
			const char *id[] = { "SET", idk, key_hash[i], NULL };
			const char *idx[] = { "ZADD", "cfmcp:apikeys", "0", keys[i].id, NULL };
			h[14] = "id";
			h[15] = keys[i].id;
			snprintf(idk, sizeof(idk), "cfmcp:apikey-id:%s", keys[i].id);
			must_cmd(id);
			must_cmd(idx);
		}
		must_cmd(h);
	}
}

static void setup(void)
{
	size_t i;

	db = fake_db_new(fixed_now);
	look = fake_conn_new(db, NULL);
	for (i = 0; i < NKEYS; i++)
		if (crypto_sha256_hex(keys[i].token, strlen(keys[i].token), key_hash[i]) < 0)
			abort();
	if (crypto_sha256_hex(MCP_TOKEN, strlen(MCP_TOKEN), mcp_hash) < 0)
		abort();
}

/* ---- the request ------------------------------------------------------------ */

struct input {
	int key;        /* index into keys[], or -1 */
	long down;      /* fake down_after, 0: none */
};

/* Parse the input into req (see the top); the harness's own lines into in. */
static void parse(const char *p, const char *end, struct http_request *req, struct input *in)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *q;
	const char *line;

	in->key = -1;
	in->down = 0;
	if (!nl)
		nl = end;
	sp = memchr(p, ' ', (size_t)(nl - p));
	req->method = xstrndup(p, sp ? (size_t)(sp - p) : 0);
	sp = sp ? sp + 1 : nl;
	q = memchr(sp, '?', (size_t)(nl - sp));
	req->path = xstrndup(sp, (size_t)((q ? q : nl) - sp));
	if (q)
		req->query = xstrndup(q + 1, (size_t)(nl - q - 1));
	if (!req->method || !req->path || (q && !req->query))
		abort();
	for (line = nl < end ? nl + 1 : end; line < end;) {
		const char *le = memchr(line, '\n', (size_t)(end - line)), *colon, *v;
		if (!le)
			le = end;
		if (le == line) { /* the blank line: the body follows */
			line++;
			break;
		}
		colon = memchr(line, ':', (size_t)(le - line));
		if (colon && colon > line) {
			size_t kl = (size_t)(colon - line), i;
			for (v = colon + 1; v < le && *v == ' '; v++)
				;
			if (kl == 3 && !memcmp(line, "key", 3)) {
				for (i = 0; i < NKEYS; i++)
					if (strlen(keys[i].name) == (size_t)(le - v) && !memcmp(v, keys[i].name, (size_t)(le - v)))
						in->key = (int)i;
			} else if (kl == 4 && !memcmp(line, "down", 4)) {
				char num[8];
				snprintf(num, sizeof(num), "%.*s", (int)(le - v < 7 ? le - v : 7), v);
				in->down = strtol(num, NULL, 10) % 1000;
			} else if (http_request_add_header(req, line, kl, v, (size_t)(le - v)) < 0) {
				req->fault = HTTP_FAULT_HEADERS; /* as the shell does (serve.c) */
				break;
			}
		}
		line = le + 1;
	}
	if (in->key >= 0) {
		char auth[96];
		int n = snprintf(auth, sizeof(auth), "Bearer %s", keys[in->key].token);
		if (http_request_add_header(req, "authorization", 13, auth, (size_t)n) < 0)
			req->fault = HTTP_FAULT_HEADERS;
	}
	if (line < end && buf_append(&req->body, line, (size_t)(end - line)))
		abort();
}

/* ---- what must hold ------------------------------------------------------------ */

static int contains(const struct buf *b, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; b->p && i + n <= b->len; i++)
		if (!memcmp(b->p + i, s, n))
			return 1;
	return 0;
}

static void check_answer(const struct http_request *req, const struct http_response *resp, const struct input *in)
{
	size_t i;

	if (resp->status < 200 || resp->status > 599)
		abort();
	if (resp->status == 204 && resp->body.len)
		abort();
	if (resp->body.len && resp->headers.p && strstr(resp->headers.p, "Content-Type: application/json")) {
		cJSON *j = cJSON_ParseWithLength(resp->body.p, resp->body.len);
		if (!j)
			abort();
		if (resp->status >= 400 && strncmp(req->path, "/mcp/", 5)) { /* (/mcp/ answers JSON-RPC) */
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
			if (!cJSON_IsNumber(st) || st->valueint != resp->status ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")) ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "message")))
				abort();
		}
		cJSON_Delete(j);
	}
	for (i = 0; i < NKEYS; i++)
		if (contains(&resp->body, keys[i].token) || contains(&resp->headers, keys[i].token))
			abort(); /* a secret echoed */
	if (contains(&resp->body, CF_TOKEN) || contains(&resp->body, MCP_TOKEN))
		abort();
	if (strncmp(req->path, "/integrated-account", 19) && strncmp(req->path, "/api-key", 8))
		return; /* the rest: another endpoint's (the MCP one's auth is its own) */
	/* the one rule: an expired key, or a record without an id, is no key */
	if (in->key >= 0 && (!strcmp(keys[in->key].name, "expired") || !strcmp(keys[in->key].name, "noid")) &&
	    resp->status != 401 && resp->status != 404 && resp->status != 405 && resp->status != 431 &&
	    resp->status != 503)
		abort();
	/* the one-account key: nothing outside its account, nothing about keys */
	if (in->key >= 0 && !strcmp(keys[in->key].name, "one") && resp->status >= 200 && resp->status < 300 &&
	    strcmp(req->path, "/integrated-account") && strncmp(req->path, "/integrated-account/" ACCOUNT,
		sizeof("/integrated-account/" ACCOUNT) - 1))
		abort();
	if (in->key >= 0 && !strcmp(keys[in->key].name, "one") && resp->status >= 200 && resp->status < 300 &&
	    !strcmp(req->path, "/integrated-account") && strcmp(req->method, "GET"))
		abort();
}

/* The value of a string reply, or NULL (the reply stays the caller's). */
static struct redisReply *get(const char *const *argv)
{
	struct redisReply *r = fake_cmd(look, argv);

	if (!r)
		abort();
	return r;
}

static int exists(const char *key)
{
	const char *argv[] = { "EXISTS", key, NULL };
	struct redisReply *r = get(argv);
	int e = r->type == REDIS_REPLY_INTEGER && r->integer == 1;

	freeReplyObject(r);
	return e;
}

/* Each key matching glob, in turn, through fn. */
static void each_key(const char *glob, void (*fn)(const char *key, int strict), int strict)
{
	const char *argv[] = { "KEYS", glob, NULL };
	struct redisReply *r = get(argv);
	size_t i;

	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
		fn(r->element[i]->str, strict);
	freeReplyObject(r);
}

/* An MCP server whose account is gone would keep working (store.h). */
static void check_mcp(const char *key, int strict)
{
	const char *argv[] = { "HGET", key, "account", NULL };
	struct redisReply *r = get(argv);
	char ak[160];

	(void)strict;
	if (r->type == REDIS_REPLY_STRING) {
		snprintf(ak, sizeof(ak), "cfmcp:account:%s", r->str);
		if (!exists(ak))
			abort();
	}
	freeReplyObject(r);
}

/* cfmcp:<space>-id:<id> -> the record's hash. */
static void check_id(const char *key, int strict)
{
	const char *argv[] = { "GET", key, NULL };
	struct redisReply *r = get(argv);
	char k[160];
	const char *dash = strchr(key + 6, '-');

	if (strict && r->type == REDIS_REPLY_STRING && dash) {
		snprintf(k, sizeof(k), "cfmcp:%.*s:%s", (int)(dash - key - 6), key + 6, r->str);
		if (!exists(k))
			abort();
	}
	freeReplyObject(r);
}

/* cfmcp:account-name:<name> -> an account that exists. */
static void check_name(const char *key, int strict)
{
	const char *argv[] = { "GET", key, NULL };
	struct redisReply *r = get(argv);
	char k[160];

	if (strict && r->type == REDIS_REPLY_STRING) {
		snprintf(k, sizeof(k), "cfmcp:account:%s", r->str);
		if (!exists(k))
			abort();
	}
	freeReplyObject(r);
}

/* cfmcp:accounts: every member is an account. */
static void check_accounts(const char *key, int strict)
{
	const char *argv[] = { "ZRANGE", key, "0", "-1", NULL };
	struct redisReply *r = get(argv);
	char k[160];
	size_t i;

	for (i = 0; strict && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		snprintf(k, sizeof(k), "cfmcp:account:%s", r->element[i]->str);
		if (!exists(k))
			abort();
	}
	freeReplyObject(r);
}

static void check_store(int strict)
{
	each_key("cfmcp:mcp:*", check_mcp, strict);
	each_key("cfmcp:mcp-id:*", check_id, strict);
	each_key("cfmcp:apikey-id:*", check_id, strict);
	each_key("cfmcp:account-name:*", check_name, strict);
	each_key("cfmcp:accounts", check_accounts, strict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mcp_env env;
	struct http_request req;
	struct http_response resp;
	struct input in;

	if (!db) {
		env = *fuzz_env();
		setup();
	}
	fake_db_flush(db);
	seed(&env);
	conn = fake_conn_new(db, &store);
	env.admin_store = &store;
	http_request_init(&req);
	http_response_init(&resp);
	parse((const char *)data, (const char *)data + size, &req, &in);
	conn->down_after = in.down;
	router_handle(&env, &req, &resp);
	if (getenv("FUZZ_MGMT_TRACE")) /* what a corpus reaches: status, method, path, and an error's
					* message (a success's body may hold a key just made) */
		fprintf(stderr, "%d %s %s %.*s\n", resp.status, req.method, req.path,
			resp.status >= 400 ? (int)(resp.body.len > 160 ? 160 : resp.body.len) : 0,
			resp.body.p ? resp.body.p : "");
	check_answer(&req, &resp, &in);
	check_store(!in.down || conn->down_after > 0);
	fake_conn_free(conn);
	http_request_free(&req);
	http_response_free(&resp);
	return 0;
}
