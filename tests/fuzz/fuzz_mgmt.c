/*
 * fuzz_mgmt.c - libFuzzer target for the management API (router_handle ->
 * mgmt.c -> accounts.c, mcp_servers.c, apikeys.c) over the in-memory
 * store (tests/lib/fake_store.c), in the seeded state for every input.
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
 *     lost connection, every entry of the accounts index, id mapping and
 *     name claim names a record that exists (the API-key and MCP server
 *     indexes may list what expired), and every record with an id is
 *     reachable: its id mapping names it, its index lists it, an
 *     account's name claim names it (a revoke that forgot the record
 *     would leave a key that still works and that no listing shows).
 *
 * Speed (issue 11: 10M executions): the seed is written once and kept as
 * a snapshot; the store's before hook notes every key a command may
 * write, and after the input only those keys are put back from the
 * snapshot. The Redis invariants are checked on the written keys and on
 * the records that may point at them (whatever points at a key must be
 * rechecked when that key changes); every FULL_EVERY-th input (the first
 * included, so a saved crash replays the same way), every replayed corpus
 * file and FUZZ_MGMT_FULL=1 check every key and also that the reset gave
 * back exactly the seed (a write the hook missed shows up there).
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

/* ---- the seed, kept; a reset puts back only what an input wrote ----------- */

static struct fkey *snap; /* the seeded keys, deep copies */
static size_t nsnap;

/* src's value into dst, deep; dst keeps its name (key_new made it). */
static void key_copy(struct fkey *dst, const struct fkey *src)
{
	char *name = dst->name;
	size_t i;

	*dst = *src;
	dst->name = name;
	dst->str = src->str ? fdup(src->str) : NULL;
	dst->items = NULL;
	dst->cap = src->n;
	if (src->n)
		dst->items = must(calloc(src->n, sizeof(*dst->items)));
	for (i = 0; i < src->n; i++) {
		dst->items[i].k = fdup(src->items[i].k);
		dst->items[i].v = src->items[i].v ? fdup(src->items[i].v) : NULL;
		dst->items[i].score = src->items[i].score;
	}
}

/* The index of name in db, expired or not (no side effect), or -1. */
static long raw_find(const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (!strcmp(db->keys[i].name, name))
			return (long)i;
	return -1;
}

static const struct fkey *snap_find(const char *name)
{
	size_t i;

	for (i = 0; i < nsnap; i++)
		if (!strcmp(snap[i].name, name))
			return &snap[i];
	return NULL;
}

/* name in db as in the snapshot (absent if it was). */
static void restore_key(const char *name)
{
	long at = raw_find(name);
	const struct fkey *s = snap_find(name);

	if (at >= 0)
		key_del(db, (size_t)at);
	if (s)
		key_copy(key_new(db, name, s->type), s);
}

static void restore_all(void)
{
	size_t i;

	fake_db_flush(db);
	for (i = 0; i < nsnap; i++)
		key_copy(key_new(db, snap[i].name, snap[i].type), &snap[i]);
}

static int str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The db is the snapshot again, key by key (the hook missed no write). */
static void check_reset(void)
{
	size_t i, j;

	if (db->n != nsnap)
		goto bad;
	for (i = 0; i < nsnap; i++) {
		long at = raw_find(snap[i].name);
		const struct fkey *k = at >= 0 ? &db->keys[at] : NULL;
		if (!k || k->type != snap[i].type || k->expire_at != snap[i].expire_at || !str_eq(k->str, snap[i].str) ||
		    k->n != snap[i].n)
			goto bad;
		for (j = 0; j < k->n; j++)
			if (strcmp(k->items[j].k, snap[i].items[j].k) || !str_eq(k->items[j].v, snap[i].items[j].v) ||
			    k->items[j].score != snap[i].items[j].score)
				goto bad;
	}
	return;
bad:
	fprintf(stderr, "fuzz_mgmt: the reset did not give the seed back (a write the before hook missed)\n");
	abort();
}

static void setup(const struct mcp_env *env)
{
	size_t i;

	db = fake_db_new(fixed_now);
	look = fake_conn_new(db, NULL);
	for (i = 0; i < NKEYS; i++)
		if (crypto_sha256_hex(keys[i].token, strlen(keys[i].token), key_hash[i]) < 0)
			abort();
	if (crypto_sha256_hex(MCP_TOKEN, strlen(MCP_TOKEN), mcp_hash) < 0)
		abort();
	seed(env);
	nsnap = db->n;
	snap = must(calloc(nsnap, sizeof(*snap)));
	for (i = 0; i < nsnap; i++) {
		snap[i].name = fdup(db->keys[i].name);
		key_copy(&snap[i], &db->keys[i]);
	}
}

/* The keys this input may have written, noted by the before hook; on
 * overflow everything is reset and checked. */
#define TOUCH_MAX 128
static char touch_buf[1 << 15];
static size_t touch_len, ntouched;
static const char *touched[TOUCH_MAX];
static int touch_overflow;

static void note_key(const char *name)
{
	size_t i, n = strlen(name) + 1;

	for (i = 0; i < ntouched; i++)
		if (!strcmp(touched[i], name))
			return;
	if (ntouched == TOUCH_MAX || n > sizeof(touch_buf) - touch_len) {
		touch_overflow = 1;
		return;
	}
	memcpy(touch_buf + touch_len, name, n);
	touched[ntouched++] = touch_buf + touch_len;
	touch_len += n;
}

/* The before hook: every command's keys that it may write. Reads only
 * ever drop an expired key, and no seeded key expires, so a key that
 * expires was written by this input. A command not named here is taken
 * as writing every argument (more resets, never fewer). */
static void on_command(void *ud, const char *const *argv)
{
	static const char *const reads[] = { "PING", "GET", "EXISTS", "KEYS", "HGET", "HMGET", "HGETALL", "ZCARD",
		"ZRANGE", "ZRANGEBYLEX", "TTL", "WATCH", "UNWATCH", "MULTI", "EXEC", "DISCARD" };
	static const char *const one[] = { "SET", "HSET", "ZADD", "ZREM", "EXPIREAT", "PERSIST" };
	int argc = 0, first = 1, last, i;
	size_t j;

	(void)ud;
	while (argv[argc])
		argc++;
	if (argc < 2)
		return;
	for (j = 0; j < CFMCP_NELEM(reads); j++)
		if (!strcasecmp(argv[0], reads[j]))
			return;
	last = argc - 1;
	for (j = 0; j < CFMCP_NELEM(one); j++)
		if (!strcasecmp(argv[0], one[j]))
			last = 1;
	if (!strcasecmp(argv[0], "EVAL") && argc > 3) { /* EVAL script numkeys key... */
		long nk = strtol(argv[2], NULL, 10);
		first = 3;
		last = nk >= 1 && nk <= argc - 3 ? 2 + (int)nk : argc - 1;
	}
	for (i = first; i <= last; i++)
		note_key(argv[i]);
}

/* ---- the request ------------------------------------------------------------ */

struct input {
	int key;        /* index into keys[], or -1 */
	long down;      /* fake down_after, 0: none */
	const char *data; /* the whole input */
	size_t size;
};

/* Parse the input into req (see the top); the harness's own lines into in. */
static void parse(const char *p, const char *end, struct http_request *req, struct input *in)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *q;
	const char *line;

	in->key = -1;
	in->down = 0;
	in->data = p;
	in->size = (size_t)(end - p);
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

/* s in b (memchr for the first byte: memcmp at every offset is slow
 * under libFuzzer's memcmp hook). */
static int contains_mem(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	const char *end = p ? p + len : NULL;

	while (p && (size_t)(end - p) >= n) {
		p = memchr(p, s[0], (size_t)(end - p) - n + 1);
		if (!p)
			break;
		if (!memcmp(p, s, n))
			return 1;
		p++;
	}
	return 0;
}

static int contains(const struct buf *b, const char *s)
{
	return contains_mem(b->p, b->len, s);
}

/* A seeded secret in the answer that the request did not carry itself (a
 * 400 may quote the caller's own bad value back: no leak). */
static int leaked(const struct http_response *resp, const struct input *in, const char *secret, int headers)
{
	return (contains(&resp->body, secret) || (headers && contains(&resp->headers, secret))) &&
		!contains_mem(in->data, in->size, secret);
}

static void check_answer(const struct http_request *req, const struct http_response *resp, const struct input *in)
{
	size_t i;
	int in_body;

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
	/* every seeded secret starts "fuzz-": one scan for the common case */
	in_body = contains(&resp->body, "fuzz-");
	for (i = 0; (in_body || contains(&resp->headers, "fuzz-")) && i < NKEYS; i++)
		if (leaked(resp, in, keys[i].token, 1))
			abort(); /* a secret echoed */
	if (in_body && (leaked(resp, in, CF_TOKEN, 0) || leaked(resp, in, MCP_TOKEN, 0)))
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

/* ---- the Redis invariants ------------------------------------------------------ */

enum kind { K_OTHER, K_ACCOUNT, K_ACCOUNTS, K_NAME, K_MCP, K_MCPID, K_MCPIDX, K_KEY, K_KEYID, K_KEYS, K_N };
#define BIT(k) (1u << (k))

static int prefixed(const char *s, const char *p, size_t n)
{
	return !strncmp(s, p, n);
}
#define PREFIXED(s, lit) prefixed((s), (lit), sizeof(lit) - 1)

/* What a key is, by its name (the layout: store.h, admin.c). */
static enum kind kind_of(const char *name)
{
	const char *rest, *colon;

	if (!PREFIXED(name, "cfmcp:"))
		return K_OTHER;
	if (!strcmp(name, "cfmcp:accounts"))
		return K_ACCOUNTS;
	if (!strcmp(name, "cfmcp:apikeys"))
		return K_KEYS;
	if (PREFIXED(name, "cfmcp:account-name:"))
		return K_NAME;
	if (PREFIXED(name, "cfmcp:account:")) {
		rest = name + sizeof("cfmcp:account:") - 1;
		colon = strchr(rest, ':');
		if (!colon)
			return K_ACCOUNT;
		return !strcmp(colon, ":mcp") ? K_MCPIDX : K_OTHER;
	}
	if (PREFIXED(name, "cfmcp:mcp-id:"))
		return K_MCPID;
	if (PREFIXED(name, "cfmcp:mcp:"))
		return K_MCP;
	if (PREFIXED(name, "cfmcp:apikey-id:"))
		return K_KEYID;
	if (PREFIXED(name, "cfmcp:apikey:"))
		return K_KEY;
	return K_OTHER;
}

/* When a key of kind k changes, the keys that may point at it (whose own
 * check reads it) are checked again: every key of these kinds. */
static unsigned pointing_at(enum kind k)
{
	switch (k) {
	case K_ACCOUNT: return BIT(K_MCP) | BIT(K_NAME) | BIT(K_ACCOUNTS);
	case K_NAME: return BIT(K_ACCOUNT);
	case K_ACCOUNTS: return BIT(K_ACCOUNT);
	case K_MCP: return BIT(K_MCPID);
	case K_MCPID: return BIT(K_MCP);
	case K_MCPIDX: return BIT(K_MCP);
	case K_KEY: return BIT(K_KEYID);
	case K_KEYID: return BIT(K_KEY);
	case K_KEYS: return BIT(K_KEY);
	default: return 0;
	}
}

/* The live key named prefix a b (no key has expired by now: check_store
 * drops them first), or NULL. */
static const struct fkey *key_at(const char *prefix, const char *a, const char *b)
{
	char k[512]; /* twice admin.c's key size */
	int n = snprintf(k, sizeof(k), "%s%s%s", prefix, a, b);
	long at;

	if (n < 0 || (size_t)n >= sizeof(k))
		return NULL; /* longer than any key the code writes */
	at = raw_find(k);
	return at >= 0 ? &db->keys[at] : NULL;
}

static const char *field(const struct fkey *k, const char *f)
{
	const struct fitem *it;

	if (!k || k->type != F_HASH)
		return NULL;
	it = item((struct fkey *)(uintptr_t)k, f);
	return it ? it->v : NULL;
}

static int member(const struct fkey *k, const char *m)
{
	size_t i;

	for (i = 0; k && k->type == F_ZSET && i < k->n; i++)
		if (!strcmp(k->items[i].k, m))
			return 1;
	return 0;
}

static const char *string(const struct fkey *k)
{
	return k && k->type == F_STR ? k->str : NULL;
}

static void broken(const char *key, const char *why)
{
	fprintf(stderr, "fuzz_mgmt: invariant: %s: %s\n", key, why);
	abort();
}

/* One key's own invariants; strict when no connection was lost. */
static void check_key(const struct fkey *k, enum kind kind, int strict)
{
	const char *tail = strchr(k->name + 6, ':'), *v, *id, *acc;
	const struct fkey *t;
	size_t i;

	tail = tail ? tail + 1 : "";
	switch (kind) {
	case K_MCP: /* an MCP server whose account is gone would keep working (store.h) */
		acc = field(k, "account");
		if (acc && !key_at("cfmcp:account:", acc, ""))
			broken(k->name, "MCP server of an account that is gone");
		id = field(k, "id");
		if (strict && id && !str_eq(string(key_at("cfmcp:mcp-id:", id, "")), tail))
			broken(k->name, "MCP server that its id does not name");
		if (strict && id && acc && !member(key_at("cfmcp:account:", acc, ":mcp"), id))
			broken(k->name, "MCP server missing from its account's index");
		break;
	case K_KEY:
		id = field(k, "id");
		if (strict && id && !str_eq(string(key_at("cfmcp:apikey-id:", id, "")), tail))
			broken(k->name, "API key that its id does not name");
		if (strict && id && !member(key_at("cfmcp:apikeys", "", ""), id))
			broken(k->name, "API key missing from the index");
		break;
	case K_ACCOUNT:
		v = field(k, "name");
		if (strict && v && !str_eq(string(key_at("cfmcp:account-name:", v, "")), tail))
			broken(k->name, "account that its name claim does not name");
		if (strict && k->type == F_HASH && !member(key_at("cfmcp:accounts", "", ""), tail))
			broken(k->name, "account missing from the index");
		break;
	case K_MCPID: /* cfmcp:<space>-id:<id> -> the record's hash, which has that id */
	case K_KEYID:
		v = string(k);
		if (strict && v) {
			t = key_at(kind == K_MCPID ? "cfmcp:mcp:" : "cfmcp:apikey:", v, "");
			if (!t)
				broken(k->name, "id of a record that is gone");
			if (field(t, "id") && strcmp(field(t, "id"), tail))
				broken(k->name, "id of a record with another id");
		}
		break;
	case K_NAME: /* cfmcp:account-name:<name> -> an account that exists */
		v = string(k);
		if (strict && v && !key_at("cfmcp:account:", v, ""))
			broken(k->name, "name claim of an account that is gone");
		break;
	case K_ACCOUNTS: /* every member is an account */
		for (i = 0; strict && k->type == F_ZSET && i < k->n; i++)
			if (!key_at("cfmcp:account:", k->items[i].k, ""))
				broken(k->name, "lists an account that is gone");
		break;
	default: /* cfmcp:apikeys and an account's MCP index may list what expired */
		break;
	}
}

/* The invariants over the keys of the kinds in mask. */
static void check_store(unsigned mask, int strict)
{
	size_t i;

	for (i = 0; i < db->n;) { /* what expired is gone, as a reader would see it */
		if (db->keys[i].expire_at && db->keys[i].expire_at <= db->now())
			key_del(db, i);
		else
			i++;
	}
	for (i = 0; mask && i < db->n; i++) {
		enum kind k = kind_of(db->keys[i].name);
		if (mask & BIT(k))
			check_key(&db->keys[i], k, strict);
	}
}

#define FULL_EVERY 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mcp_env env;
	static unsigned long runs;
	static int trace, always_full;
	struct http_request req;
	struct http_response resp;
	struct input in;
	unsigned mask = 0;
	int full;
	size_t i;

	if (!db) {
		env = *fuzz_env();
		setup(&env);
		trace = getenv("FUZZ_MGMT_TRACE") != NULL;
#ifdef FUZZ_CORPUS
		always_full = 1; /* the replay in make test: a handful of files */
#else
		always_full = getenv("FUZZ_MGMT_FULL") != NULL;
#endif
	}
	full = always_full || runs++ % FULL_EVERY == 0;
	ntouched = touch_len = 0;
	touch_overflow = 0;
	conn = fake_conn_new(db, &store);
	conn->before = on_command;
	env.admin_store = &store;
	http_request_init(&req);
	http_response_init(&resp);
	parse((const char *)data, (const char *)data + size, &req, &in);
	conn->down_after = in.down;
	router_handle(&env, &req, &resp);
	if (trace) /* what a corpus reaches: status, method, path, and an error's
		    * message (a success's body may hold a key just made) */
		fprintf(stderr, "%d %s %s %.*s\n", resp.status, req.method, req.path,
			resp.status >= 400 ? (int)(resp.body.len > 160 ? 160 : resp.body.len) : 0,
			resp.body.p ? resp.body.p : "");
	check_answer(&req, &resp, &in);
	if (full || touch_overflow) {
		mask = ~0u;
	} else {
		for (i = 0; i < ntouched; i++) {
			enum kind k = kind_of(touched[i]);
			mask |= BIT(k) | pointing_at(k);
		}
	}
	check_store(mask, !in.down || conn->down_after > 0);
	fake_conn_free(conn);
	http_request_free(&req);
	http_response_free(&resp);
	if (touch_overflow)
		restore_all();
	else
		for (i = 0; i < ntouched; i++)
			restore_key(touched[i]);
	if (full)
		check_reset();
	return 0;
}
