/*
 * apikeys.c - creating, listing and revoking API keys (apikeys.h).
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "admin_private.h"
#include "apikeys.h"
#include "jsonrpc.h"

static cJSON *apikey_json(const struct admin_rec *h)
{
	static const char *const head[] = { "id", "name", NULL };
	static const char *const tail[] = { "expires_at", "created_at", "created_by", NULL };
	cJSON *o = cJSON_CreateObject();
	const char *accs = admin_rec_get(h, "accounts");

	if (!o || admin_add_fields(o, h, head) ||
	    json_add(o, "accounts", accs && !strcmp(accs, "*") ? cJSON_CreateString("*") : admin_words_array(accs)) ||
	    admin_add_fields(o, h, tail)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int admin_apikey_create(const struct admin *a, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "accounts", "expires_at", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *accs = cJSON_GetObjectItemCaseSensitive(in, "accounts");
	char accounts[1024] = "", id[32], token[64], hash[65], k[ADMIN_KEYSZ], idk[ADMIN_KEYSZ], now[24], exp[24] = "";
	long expires;
	int rc;
	cJSON *o;

	if (admin_members(in, allowed, r))
		return r->status;
	if (!cJSON_IsString(name) || !admin_printable(name->valuestring, 100))
		return BAD(r, "name is required: a string of 1 to 100 printable characters");
	if (cJSON_IsString(accs) && !strcmp(accs->valuestring, "*")) {
		snprintf(accounts, sizeof(accounts), "*");
	} else if (cJSON_IsArray(accs) && cJSON_GetArraySize(accs) > 0) {
		const cJSON *it;
		size_t len = 0;
		cJSON_ArrayForEach(it, accs) {
			if (!cJSON_IsString(it) || !admin_id_ok(it->valuestring))
				return BAD(r, "accounts: each entry is an integrated account id");
			if (admin_account_exists(a, it->valuestring, r))
				return r->status == 404 ? NOTFOUND(r, "accounts: no integrated account %.40s",
					it->valuestring) : r->status;
			if (len + strlen(it->valuestring) + 2 > sizeof(accounts))
				return BAD(r, "accounts: too many");
			len += (size_t)snprintf(accounts + len, sizeof(accounts) - len, "%s%s", len ? "," : "", it->valuestring);
		}
	} else {
		return BAD(r, "accounts is required: \"*\" (every integrated account) or a list of integrated account ids");
	}
	expires = admin_expiry_of(a, cJSON_GetObjectItemCaseSensitive(in, "expires_at"), r);
	if (expires < 0)
		return r->status;
	if (admin_new_id(a, "ak", id, sizeof(id)) < 0 || crypto_random_token(32, token, sizeof(token)) < 0 ||
	    crypto_sha256_hex(token, strlen(token), hash) < 0)
		return admin_fail(r, 500, "internal_error", "no random bytes from the OS");
	snprintf(k, sizeof(k), "cfmcp:apikey:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:apikey-id:%s", id);
	snprintf(now, sizeof(now), "%ld", a->now);
	if (expires)
		snprintf(exp, sizeof(exp), "%ld", expires);
	{
		const char *hset[] = { "HSET", k, "id", id, "name", name->valuestring, "hash", hash,
			"accounts", accounts, "expires_at", exp, "created_at", now, "created_by", a->actor, NULL };
		const char *set[] = { "SET", idk, hash, NULL };
		const char *zadd[] = { "ZADD", "cfmcp:apikeys", "0", id, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *const *cmds[] = { hset, set, zadd, e1, e2 };
		rc = admin_transact(a, expires ? 5 : 3, cmds);
		o = rc == TX_APPLIED ? apikey_json(WRITTEN(hset)) : NULL;
	}
	if (rc != TX_APPLIED) {
		const char *keys[] = { k, idk, NULL };
		crypto_wipe(token, sizeof(token));
		return admin_create_failed(a, keys, "cfmcp:apikeys", id, rc, r);
	}
	if (!o || admin_add_str(o, "token", token)) {
		cJSON_Delete(o);
		crypto_wipe(token, sizeof(token));
		return OOM(r);
	}
	crypto_wipe(token, sizeof(token));
	return admin_ok(r, 201, o);
}

/* admin_list's reader: an API key by id. */
static int apikey_item(const struct admin *a, const char *id, const void *ud, cJSON **item)
{
	char hash[65];
	redisReply *h;
	int rc = admin_record_by_id(a, "apikey", id, 0, hash, &h);

	(void)ud;
	if (rc <= 0)
		return rc;
	*item = apikey_json(READ(h));
	store_reply_free(h);
	return 1;
}

int admin_apikey_list(const struct admin *a, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:apikeys", "0", "999", NULL };
	redisReply *ids = admin_cmd(a, argv);
	const char *last;

	if (!ids)
		return DOWN(r);
	admin_list(a, ids, "cfmcp:apikeys", (size_t)-1, apikey_item, NULL, &last, r);
	store_reply_free(ids);
	return r->status;
}

int admin_apikey_revoke(const struct admin *a, const char *id, struct admin_res *r)
{
	char hash[65], k[ADMIN_KEYSZ], idk[ADMIN_KEYSZ];
	int rc = admin_id_to_hash(a, "apikey-id", id, hash);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no API key with that id");
	snprintf(k, sizeof(k), "cfmcp:apikey:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:apikey-id:%s", id);
	{
		const char *keys[] = { k, idk, NULL };
		return admin_remove(a, keys, "cfmcp:apikeys", id, r);
	}
}
