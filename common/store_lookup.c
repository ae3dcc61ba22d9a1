/*
 * store_lookup.c - the hot path's read (store.h store_lookup): a token's
 * scope, with the API key sent as Bearer, in one round trip.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "apikey.h"
#include "log.h"
#include "scope.h"
#include "store.h"

/* Flatten an array reply of strings into kv/kvlen (at most max). */
static int reply_pairs(const redisReply *r, const char **kv, size_t *kvlen, size_t max, size_t *n)
{
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY || r->elements > max)
		return -1;
	for (i = 0; i < r->elements; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			return -1;
		kv[i] = r->element[i]->str;
		kvlen[i] = r->element[i]->len;
	}
	*n = r->elements;
	return 0;
}

/*
 * The hot path: HGETALL of the token's hash, pipelined with HGETALL of the
 * API key's when a Bearer was sent - one round trip. (A server-side Lua
 * script that also read the account cost 16.5 us of Redis CPU per call
 * against 2 us for HGETALL; bench/RESULTS.md.) The token's hash carries
 * its account's Cloudflare id and sealed token; a token made by hand
 * without them costs a second read of the account, which also makes a
 * token whose account is gone unknown.
 */
enum store_rc store_lookup(struct store *st, const char *hash, const char *bearer_hash,
	struct scope *out)
{
	char key[128], akey[128];
	const char *c1[] = { "HGETALL", key, NULL };
	const char *c2[] = { "HGETALL", akey, NULL };
	const char *const *cmds[2] = { c1, c2 };
	redisReply *rep[2] = { NULL, NULL };
	const char *kv[64];
	size_t kvlen[64], n, ncmd = bearer_hash ? 2 : 1, i;
	enum store_rc rc = STORE_NOTFOUND;
	int k;

	memset(out, 0, sizeof(*out));
	k = snprintf(key, sizeof(key), "cfmcp:mcp:%s", hash);
	if (k < 0 || (size_t)k >= sizeof(key))
		return STORE_NOTFOUND;
	if (bearer_hash && snprintf(akey, sizeof(akey), "cfmcp:apikey:%s", bearer_hash) >= (int)sizeof(akey))
		ncmd = 1;
	if (store_pipeline(st, ncmd, cmds, rep) < 0)
		return STORE_DOWN;
	if (rep[0]->type != REDIS_REPLY_ARRAY) {
		/* LOADING, a wrong-type key: unavailable rather than unknown */
		log_warn("redis: unexpected reply type %d to HGETALL", rep[0]->type);
		rc = STORE_DOWN;
		goto out;
	}
	if (reply_pairs(rep[0], kv, kvlen, 64, &n) < 0 || n == 0 || scope_from_pairs(out, kv, kvlen, n) < 0 ||
	    !out->account[0])
		goto out;
	if (ncmd == 2 && reply_pairs(rep[1], kv, kvlen, 64, &n) == 0 && n > 0 &&
	    apikey_from_pairs(&out->key, kv, kvlen, n) < 0)
		memset(&out->key, 0, sizeof(out->key));
	if (!out->cf_account[0]) {
		/* made by hand: read the account (a second round trip) */
		char ak[160];
		const char *argv[] = { "HMGET", ak, "cf_account_id", "cf_token", NULL };
		const char *const *acmd[] = { argv };
		redisReply *a = NULL;
		int m = snprintf(ak, sizeof(ak), "cfmcp:account:%s", out->account);
		if (m < 0 || (size_t)m >= sizeof(ak))
			goto out;
		if (store_pipeline(st, 1, acmd, &a) < 0) {
			rc = STORE_DOWN;
			goto out;
		}
		if (a->type != REDIS_REPLY_ARRAY || a->elements != 2 || a->element[0]->type != REDIS_REPLY_STRING ||
		    scope_copy_field(out->cf_account, sizeof(out->cf_account), a->element[0]->str, a->element[0]->len) < 0 ||
		    (a->element[1]->type == REDIS_REPLY_STRING &&
		     scope_copy_field(out->cf_token_sealed, sizeof(out->cf_token_sealed), a->element[1]->str, a->element[1]->len) < 0)) {
			freeReplyObject(a);
			goto out; /* no such account: the token is unknown */
		}
		freeReplyObject(a);
	}
	rc = STORE_OK;
out:
	for (i = 0; i < ncmd; i++)
		store_reply_free(rep[i]);
	if (rc != STORE_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}
