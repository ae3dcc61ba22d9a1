/*
 * apikey.c - see apikey.h.
 */
#include "first.h"

#include <string.h>

#include <hiredis/hiredis.h>

#include "admin.h"
#include "apikey.h"
#include "crypto.h"
#include "scope.h"
#include "words.h"

int apikey_from_pairs(struct apikey *k, const char *const *kv, const size_t *kvlen, size_t n)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i + 1 < n; i += 2) {
		const char *f = kv[i], *v = kv[i + 1];
		size_t fn = kvlen[i], vn = kvlen[i + 1];
		int rc = 0;

		if (fn == 2 && !memcmp(f, "id", 2))
			rc = scope_copy_field(k->id, sizeof(k->id), v, vn);
		else if (fn == 4 && !memcmp(f, "hash", 4))
			rc = scope_copy_field(k->hash, sizeof(k->hash), v, vn);
		else if (fn == 8 && !memcmp(f, "accounts", 8))
			rc = scope_copy_field(k->accounts, sizeof(k->accounts), v, vn);
		else if (fn == 10 && !memcmp(f, "expires_at", 10))
			rc = scope_time_field(v, vn, &k->expires_at);
		if (rc) {
			memset(k, 0, sizeof(*k));
			return -1;
		}
	}
	k->present = n > 0;
	return 0;
}

int apikey_read(const struct admin_store *st, const char *hash, struct apikey *out)
{
	char key[128];
	const char *argv[] = { "HGETALL", key, NULL };
	const char *const *cmds[] = { argv };
	const char *kv[64];
	size_t kvlen[64], i;
	redisReply *r = NULL;
	int rc = 0, k;

	memset(out, 0, sizeof(*out));
	k = snprintf(key, sizeof(key), "cfmcp:apikey:%s", hash);
	if (k < 0 || (size_t)k >= sizeof(key))
		return 0;
	if (st->pipeline(st->ud, 1, cmds, &r) < 0)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		rc = -1; /* LOADING, a wrong-type key: unavailable rather than unknown */
		goto out;
	}
	/* our records have a handful of fields: more is not one of them */
	if (r->elements == 0 || r->elements > CFMCP_NELEM(kv))
		goto out;
	for (i = 0; i < r->elements; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			goto out;
		kv[i] = r->element[i]->str;
		kvlen[i] = r->element[i]->len;
	}
	if (apikey_from_pairs(out, kv, kvlen, r->elements) == 0)
		rc = 1;
out:
	store_reply_free(r);
	return rc;
}

int apikey_all_accounts(const struct apikey *k)
{
	return !strcmp(k->accounts, "*");
}

int apikey_allows_account(const struct apikey *k, const char *account)
{
	return k->present && account[0] &&
	       (apikey_all_accounts(k) || words_has(k->accounts, account, strlen(account)));
}

enum apikey_verdict apikey_check(const struct apikey *k, const char *bearer_hash, const char *account, long now)
{
	if (!bearer_hash)
		return APIKEY_MISSING;
	/* Looked up by the SHA-256 of what was sent (so timing depends on
	 * the hash, not the secret); the stored hash is compared again in
	 * constant time, and a record without one, or without an id (the
	 * actor every change is recorded under), is refused. */
	if (!k->present || strlen(k->hash) != 64 || !k->id[0] || !crypto_equal(k->hash, bearer_hash, 64))
		return APIKEY_INVALID;
	/* EXPIREAT removes the key at expires_at; this covers the second
	 * before Redis's own clock gets there. */
	if (k->expires_at && k->expires_at <= now)
		return APIKEY_INVALID;
	if (account && !apikey_allows_account(k, account))
		return APIKEY_WRONG_ACCOUNT;
	return APIKEY_OK;
}
