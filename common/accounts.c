/*
 * accounts.c - integrated accounts (accounts.h).
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "admin_private.h"
#include "cfid.h"
#include "jsonrpc.h"
#include "log.h"

/* Cloudflare's API tokens are 40 characters today; these bounds leave
 * room for a change without accepting junk. */
#define CF_TOKEN_MIN 20
#define CF_TOKEN_MAX 512

/* A Cloudflare API token from a request body (what is the new one, for
 * a replacement): 0 when acceptable, else r->status with a message that
 * says what is wrong and never echoes the token. */
static int cf_token_check(const cJSON *tok, const char *what, struct admin_res *r)
{
	size_t n, i;

	if (!tok)
		return BAD(r, "api_token is required: %s", what);
	if (!cJSON_IsString(tok))
		return BAD(r, "api_token must be a string: %s", what);
	n = strlen(tok->valuestring);
	if (n < CF_TOKEN_MIN)
		return BAD(r, "api_token is too short: a Cloudflare API token has %d to %d characters",
			CF_TOKEN_MIN, CF_TOKEN_MAX);
	if (n > CF_TOKEN_MAX)
		return BAD(r, "api_token is too long: a Cloudflare API token has %d to %d characters",
			CF_TOKEN_MIN, CF_TOKEN_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)tok->valuestring[i] <= ' ' || (unsigned char)tok->valuestring[i] > '~')
			return BAD(r, "api_token may hold only printable ASCII characters: no spaces, no control characters");
	return 0;
}

static cJSON *account_json(const struct admin_rec *h)
{
	static const char *const head[] = { "id", "name", "account_id=cf_account_id", NULL };
	static const char *const tail[] = { "created_at", "updated_at", "created_by", NULL };
	cJSON *o = cJSON_CreateObject();
	const char *tok = admin_rec_get(h, "cf_token");
	char kid[9];

	if (!o || admin_add_fields(o, h, head) || json_add(o, "has_api_token", cJSON_CreateBool(tok && *tok)) ||
	    (tok && !crypto_sealed_kid(tok, kid) && admin_add_str(o, "key_id", kid)) || admin_add_fields(o, h, tail)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int admin_account_key(char *k, const char *id)
{
	int n = snprintf(k, ADMIN_KEYSZ, "cfmcp:account:%s", id);
	return (n < 0 || n >= ADMIN_KEYSZ) ? -1 : 0;
}

/* HGETALL of an account, WATCHed first in the same round trip when watch
 * (a transaction that depends on it follows; the caller ends the WATCH,
 * which is ended here when the account is not found). 1 found (*out
 * set), 0 not found, -1 down. */
int admin_account_read(const struct admin *a, const char *id, int watch, redisReply **out)
{
	char k[ADMIN_KEYSZ];
	const char *w[] = { "WATCH", k, NULL };
	const char *argv[] = { "HGETALL", k, NULL };
	const char *const *cmds[] = { w, argv };
	redisReply *rep[2] = { NULL, NULL };

	*out = NULL;
	if (!admin_id_ok(id) || admin_account_key(k, id) < 0)
		return 0;
	/* a failed pipeline opens no transaction (store.h): nothing to end then */
	if (a->st->pipeline(a->st->ud, watch ? 2 : 1, watch ? cmds : cmds + 1, rep) < 0)
		return -1;
	store_reply_free(watch ? rep[0] : NULL);
	*out = rep[watch ? 1 : 0];
	if ((*out)->type != REDIS_REPLY_ARRAY || (*out)->elements == 0) {
		store_reply_free(*out);
		*out = NULL;
		if (watch)
			admin_unwatch(a);
		return 0;
	}
	return 1;
}

int admin_account_create(const struct admin *a, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "account_id", "api_token", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(in, "account_id");
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(in, "api_token");
	char id[32], k[ADMIN_KEYSZ], nk[ADMIN_KEYSZ], now[24], aad[64], sealed[1200];
	redisReply *rep;
	cJSON *o;
	int rc;

	if (admin_members(in, allowed, r))
		return r->status;
	if (!cJSON_IsString(name) || !admin_printable(name->valuestring, 100))
		return BAD(r, "name is required: a string of 1 to 100 printable characters");
	if (!cJSON_IsString(acc) || !cfid_valid(acc->valuestring))
		return BAD(r, "account_id is required: the Cloudflare account id (32 lower-case hex digits)");
	if (cf_token_check(tok, "the Cloudflare API token", r))
		return r->status;
	if (admin_new_id(a, "ia", id, sizeof(id)) < 0)
		return OOM(r);
	snprintf(aad, sizeof(aad), "account:%s", id);
	if (crypto_seal(a->keys, aad, tok->valuestring, strlen(tok->valuestring), sealed, sizeof(sealed)) < 0)
		return admin_fail(r, 500, "internal_error", "could not encrypt the API token");
	if (admin_account_key(k, id) < 0 || snprintf(nk, sizeof(nk), "cfmcp:account-name:%s", name->valuestring) >= (int)sizeof(nk))
		return OOM(r);
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		/* Names are unique: claim the name first. */
		const char *argv[] = { "SET", nk, id, "NX", NULL };
		rep = admin_cmd(a, argv);
		if (!rep)
			return DOWN(r);
		rc = rep->type == REDIS_REPLY_STATUS;
		store_reply_free(rep);
		if (!rc)
			return admin_fail(r, 409, "conflict", "an integrated account named \"%.100s\" already exists",
				name->valuestring);
	}
	{
		const char *hset[] = { "HSET", k, "id", id, "name", name->valuestring,
			"cf_account_id", acc->valuestring, "cf_token", sealed, "created_at", now,
			"updated_at", now, "created_by", a->actor, NULL };
		const char *zadd[] = { "ZADD", "cfmcp:accounts", "0", id, NULL };
		const char *const *cmds[] = { hset, zadd };
		rc = admin_transact(a, 2, cmds);
		o = rc == TX_APPLIED ? account_json(WRITTEN(hset)) : NULL;
	}
	crypto_wipe(sealed, sizeof(sealed));
	if (rc != TX_APPLIED) {
		/* and the name's claim, made before the transaction */
		const char *keys[] = { k, nk, NULL };
		return admin_create_failed(a, keys, "cfmcp:accounts", id, rc, r);
	}
	return o ? admin_ok(r, 201, o) : OOM(r);
}

int admin_account_found(const struct admin *a, const char *id, redisReply **h, struct admin_res *r)
{
	int rc = admin_account_read(a, id, 0, h);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	return 0;
}

int admin_account_get(const struct admin *a, const char *id, struct admin_res *r)
{
	redisReply *h;
	cJSON *o;

	if (admin_account_found(a, id, &h, r))
		return r->status;
	o = account_json(READ(h));
	store_reply_free(h);
	return o ? admin_ok(r, 200, o) : OOM(r);
}

/* admin_list's reader: an account, unless the key may not see it. */
static int account_item(const struct admin *a, const char *id, const void *only, cJSON **item)
{
	redisReply *h;
	int rc;

	if (only && !apikey_allows_account(only, id))
		return 0;
	rc = admin_account_read(a, id, 0, &h);
	if (rc <= 0)
		return rc;
	*item = account_json(READ(h));
	store_reply_free(h);
	return 1;
}

int admin_account_list(const struct admin *a, const struct apikey *only, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:accounts", "0", "999", NULL };
	redisReply *ids = admin_cmd(a, argv);
	const char *last;

	if (!ids)
		return DOWN(r);
	admin_list(a, ids, NULL, (size_t)-1, account_item, only, &last, r);
	store_reply_free(ids);
	return r->status;
}

int admin_account_exists(const struct admin *a, const char *id, struct admin_res *r)
{
	redisReply *h;

	if (admin_account_found(a, id, &h, r))
		return r->status;
	store_reply_free(h);
	return 0;
}

/* Copy an account's new sealed Cloudflare token into each of its MCP
 * token hashes (hset_existing: one that expired meanwhile stays gone). */
static int propagate_cf_token(const struct admin *a, const char *account, const char *sealed)
{
	char ik[ADMIN_KEYSZ];
	const char *zr[] = { "ZRANGE", ik, "0", "-1", NULL };
	redisReply *ids;
	size_t i;
	int rc = 0;

	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	ids = admin_cmd(a, zr);
	if (!ids)
		return -1;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		char hash[65], k[ADMIN_KEYSZ];
		const char *pairs[] = { "cf_token", sealed, NULL };
		int f = admin_id_to_hash(a, "mcp-id", ids->element[i]->str, hash);
		if (f < 0) {
			rc = -1;
			break;
		}
		if (f == 0)
			continue;
		snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
		if (admin_hset_existing(a, k, pairs) < 0) {
			rc = -1;
			break;
		}
	}
	store_reply_free(ids);
	return rc;
}

int admin_account_update(const struct admin *a, const char *id, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "api_token", NULL };
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(in, "api_token");
	char k[ADMIN_KEYSZ], now[24], aad[64], sealed[1200];
	int rc;

	if (admin_members(in, allowed, r))
		return r->status;
	if (cf_token_check(tok, "the new Cloudflare API token", r))
		return r->status;
	if (admin_account_exists(a, id, r))
		return r->status;
	snprintf(aad, sizeof(aad), "account:%s", id);
	if (admin_account_key(k, id) < 0 ||
	    crypto_seal(a->keys, aad, tok->valuestring, strlen(tok->valuestring), sealed, sizeof(sealed)) < 0)
		return admin_fail(r, 500, "internal_error", "could not encrypt the API token");
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		/* an account removed since it was read stays removed */
		const char *pairs[] = { "cf_token", sealed, "updated_at", now, NULL };
		rc = admin_hset_existing(a, k, pairs);
	}
	/* on a replica too, or 503 (store.h store_wait_replicas) */
	if (rc == 1 && (propagate_cf_token(a, id, sealed) < 0 || admin_wait(a) < 0))
		rc = -1;
	crypto_wipe(sealed, sizeof(sealed));
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	return admin_account_get(a, id, r);
}

int admin_account_delete(const struct admin *a, const char *id, struct admin_res *r)
{
	char k[ADMIN_KEYSZ], ik[ADMIN_KEYSZ], nk[ADMIN_KEYSZ], now[24];
	redisReply *h, *ids = NULL;
	size_t i;
	int rc;

	if (admin_account_found(a, id, &h, r))
		return r->status;
	snprintf(nk, sizeof(nk), "cfmcp:account-name:%s", admin_field(h, "name") ? admin_field(h, "name") : "");
	store_reply_free(h);
	admin_account_key(k, id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", id);
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		/* a mark never recreates an account removed meanwhile */
		const char *mark[] = { ACCOUNT_REMOVING, now, NULL };
		rc = admin_hset_existing(a, k, mark);
		if (rc < 0)
			return DOWN(r);
		if (rc == 0)
			return NOTFOUND(r, "no integrated account with that id");
	}
	{
		const char *argv[] = { "ZRANGE", ik, "0", "-1", NULL };
		ids = admin_cmd(a, argv);
		if (!ids)
			return DOWN(r);
	}
	/* Revoke its MCP tokens first, the account last. A minted token
	 * carries copies of the account's Cloudflare id and sealed token, so
	 * the lookup (store_lookup) never reads the account: a token left
	 * behind would keep working without it. A crash half-way leaves the
	 * account listed (marked), and removing it again finishes the job. */
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		char hash[65], mk[ADMIN_KEYSZ], midk[ADMIN_KEYSZ];
		const char *mid = ids->element[i]->str;
		rc = admin_id_to_hash(a, "mcp-id", mid, hash);
		if (rc < 0)
			goto down;
		snprintf(midk, sizeof(midk), "cfmcp:mcp-id:%s", mid);
		if (rc == 1) {
			const char *argv[] = { "UNLINK", mk, midk, NULL };
			redisReply *rep;
			snprintf(mk, sizeof(mk), "cfmcp:mcp:%s", hash);
			rep = admin_cmd(a, argv);
			if (!rep)
				goto down;
			store_reply_free(rep);
		}
	}
	store_reply_free(ids);
	{
		/* its audit stream goes with it (README "Audit trail") */
		char ak[ADMIN_KEYSZ];
		const char *keys[] = { k, ik, nk, ak, NULL };
		snprintf(ak, sizeof(ak), "cfmcp:audit:%s", id);
		return admin_remove(a, keys, "cfmcp:accounts", id, r);
	}
down:
	store_reply_free(ids);
	return DOWN(r);
}

int admin_account_rekey(const struct admin *a, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:accounts", "0", "-1", NULL };
	redisReply *ids = admin_cmd(a, argv);
	long done = 0, failed = 0;
	cJSON *out;
	size_t i;

	if (!ids)
		return DOWN(r);
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		const char *id = ids->element[i]->str;
		char aad[64], plain[1024], sealed[1200], k[ADMIN_KEYSZ];
		const char *tok;
		redisReply *h;
		int rc = admin_account_read(a, id, 0, &h);
		if (rc < 0) {
			store_reply_free(ids);
			return DOWN(r);
		}
		if (rc == 0)
			continue;
		tok = admin_field(h, "cf_token");
		snprintf(aad, sizeof(aad), "account:%s", id);
		if (!tok || crypto_open(a->keys, aad, tok, plain, sizeof(plain)) != CRYPTO_OK ||
		    crypto_seal(a->keys, aad, plain, strlen(plain), sealed, sizeof(sealed)) < 0 ||
		    admin_account_key(k, id) < 0) {
			log_warn("rekey: account %s: the token does not open with any configured key", id);
			failed++;
		} else {
			const char *pairs[] = { "cf_token", sealed, NULL };
			int w = admin_hset_existing(a, k, pairs);
			if (w < 0 || (w == 1 && propagate_cf_token(a, id, sealed) < 0)) {
				store_reply_free(h);
				store_reply_free(ids);
				crypto_wipe(plain, sizeof(plain));
				crypto_wipe(sealed, sizeof(sealed));
				return DOWN(r);
			}
			done += w; /* 0: removed meanwhile */
		}
		crypto_wipe(plain, sizeof(plain));
		crypto_wipe(sealed, sizeof(sealed));
		store_reply_free(h);
	}
	store_reply_free(ids);
	out = cJSON_CreateObject();
	if (!out || json_add(out, "resealed", cJSON_CreateNumber((double)done)) ||
	    json_add(out, "failed", cJSON_CreateNumber((double)failed)) ||
	    admin_add_str(out, "key_id", a->keys->n ? a->keys->k[0].kid : "")) {
		cJSON_Delete(out);
		return OOM(r);
	}
	return admin_ok(r, 200, out);
}
