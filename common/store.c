/*
 * store.c - Redis access. Commands are sent with redisCommandArgv only:
 * no format string ever carries input (STYLE item 10).
 */
#include "first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "store.h"
#include "xalloc.h"

struct store {
	redisContext *c;
	char *addr;
	long timeout_ms;
	int down_logged; /* log an outage once, not per request */
};

struct store *store_new(const char *addr, long timeout_ms)
{
	struct store *st = xcalloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->addr = xstrdup(addr);
	if (!st->addr) {
		xfree(st);
		return NULL;
	}
	st->timeout_ms = timeout_ms;
	return st;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	if (st->c)
		redisFree(st->c);
	xfree(st->addr);
	xfree(st);
}

static void store_drop(struct store *st, const char *why)
{
	if (!st->down_logged) {
		log_warn("redis unavailable (%s): %s", st->addr,
			st->c && st->c->errstr[0] ? st->c->errstr : why);
		st->down_logged = 1;
	}
	if (st->c)
		redisFree(st->c);
	st->c = NULL;
}

static int store_connect(struct store *st)
{
	struct timeval tv;

	if (st->c)
		return 0;
	tv.tv_sec = st->timeout_ms / 1000;
	tv.tv_usec = (st->timeout_ms % 1000) * 1000;
	if (!strncmp(st->addr, "unix:", 5)) {
		st->c = redisConnectUnixWithTimeout(st->addr + 5, tv);
	} else {
		char host[256];
		const char *colon = strrchr(st->addr, ':');
		size_t hn = colon ? (size_t)(colon - st->addr) : 0;
		char *end = NULL;
		long port = colon ? strtol(colon + 1, &end, 10) : 0;
		if (!colon || hn == 0 || hn >= sizeof(host) || !end || *end || port <= 0 || port > 65535) {
			store_drop(st, "bad address");
			return -1;
		}
		memcpy(host, st->addr, hn);
		host[hn] = '\0';
		st->c = redisConnectWithTimeout(host, (int)port, tv);
	}
	if (!st->c || st->c->err) {
		store_drop(st, "connect failed");
		return -1;
	}
	if (redisSetTimeout(st->c, tv) != REDIS_OK) {
		store_drop(st, "set timeout failed");
		return -1;
	}
	if (st->down_logged)
		log_info("redis reachable again (%s)", st->addr);
	st->down_logged = 0;
	return 0;
}

/* Run one command; on a transport error reconnect once and retry, since
 * a stale connection after a Redis restart fails on first use. */
static redisReply *store_cmd(struct store *st, int argc, const char **argv, const size_t *argvlen)
{
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		redisReply *r;
		if (store_connect(st) < 0)
			return NULL;
		r = redisCommandArgv(st->c, argc, argv, argvlen);
		if (r)
			return r;
		store_drop(st, "command failed");
	}
	return NULL;
}

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
		const char *argv[4] = { "HMGET", ak, "cf_account_id", "cf_token" };
		size_t argvlen[4] = { 5, 0, 13, 8 };
		redisReply *a;
		int m = snprintf(ak, sizeof(ak), "cfmcp:account:%s", out->account);
		if (m < 0 || (size_t)m >= sizeof(ak))
			goto out;
		argvlen[1] = (size_t)m;
		a = store_cmd(st, 4, argv, argvlen);
		if (!a) {
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

enum store_rc store_apikey_get(struct store *st, const char *hash, struct apikey *out)
{
	char key[128];
	const char *argv[2];
	size_t argvlen[2];
	const char *kv[64];
	size_t kvlen[64], n;
	redisReply *r;
	enum store_rc rc = STORE_NOTFOUND;
	int k;

	memset(out, 0, sizeof(*out));
	k = snprintf(key, sizeof(key), "cfmcp:apikey:%s", hash);
	if (k < 0 || (size_t)k >= sizeof(key))
		return STORE_NOTFOUND;
	argv[0] = "HGETALL";
	argvlen[0] = 7;
	argv[1] = key;
	argvlen[1] = (size_t)k;
	r = store_cmd(st, 2, argv, argvlen);
	if (!r)
		return STORE_DOWN;
	if (r->type != REDIS_REPLY_ARRAY)
		rc = STORE_DOWN;
	else if (reply_pairs(r, kv, kvlen, 64, &n) == 0 && n > 0 &&
		 apikey_from_pairs(out, kv, kvlen, n) == 0)
		rc = STORE_OK;
	freeReplyObject(r);
	return rc;
}

int store_pipeline(struct store *st, size_t n, const char *const *const *cmds,
	struct redisReply **replies)
{
	int attempt;
	size_t i, j;

	for (attempt = 0; attempt < 2; attempt++) {
		int failed = 0;
		if (store_connect(st) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			const char *argv[STORE_MAX_ARGS];
			size_t argvlen[STORE_MAX_ARGS];
			int argc = 0;
			while (cmds[i][argc]) {
				if (argc == STORE_MAX_ARGS) {
					/* a caller's bug: refuse rather than send half a command */
					log_err("redis: a command has more than %d arguments", STORE_MAX_ARGS);
					store_drop(st, "command too long");
					return -1;
				}
				argv[argc] = cmds[i][argc];
				argvlen[argc] = strlen(cmds[i][argc]);
				argc++;
			}
			if (redisAppendCommandArgv(st->c, argc, argv, argvlen) != REDIS_OK) {
				failed = 1;
				break;
			}
		}
		for (i = 0; !failed && i < n; i++) {
			void *rep = NULL;
			if (redisGetReply(st->c, &rep) != REDIS_OK || !rep) {
				for (j = 0; j < i; j++)
					freeReplyObject(replies[j]);
				failed = 1;
				break;
			}
			replies[i] = rep;
		}
		if (!failed)
			return 0;
		store_drop(st, "pipeline failed");
	}
	return -1;
}

void store_reply_free(struct redisReply *r)
{
	if (r)
		freeReplyObject(r);
}

enum store_rc store_get(struct store *st, const char *key, char *out, size_t outsz)
{
	const char *argv[2] = { "GET", key };
	size_t argvlen[2] = { 3, strlen(key) };
	redisReply *r = store_cmd(st, 2, argv, argvlen);
	enum store_rc rc = STORE_NOTFOUND;

	if (!r)
		return STORE_DOWN;
	if (r->type == REDIS_REPLY_STRING && r->len < outsz) {
		memcpy(out, r->str, r->len);
		out[r->len] = '\0';
		rc = STORE_OK;
	}
	freeReplyObject(r);
	return rc;
}

enum store_rc store_setex(struct store *st, const char *key, const char *val, long ttl)
{
	char t[24];
	const char *argv[5] = { "SET", key, val, "EX", t };
	size_t argvlen[5];
	redisReply *r;

	snprintf(t, sizeof(t), "%ld", ttl);
	argvlen[0] = 3;
	argvlen[1] = strlen(key);
	argvlen[2] = strlen(val);
	argvlen[3] = 2;
	argvlen[4] = strlen(t);
	r = store_cmd(st, 5, argv, argvlen);
	if (!r)
		return STORE_DOWN;
	freeReplyObject(r);
	return STORE_OK;
}
