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
		int port = colon ? atoi(colon + 1) : 0;
		if (!colon || hn == 0 || hn >= sizeof(host) || port <= 0 || port > 65535) {
			store_drop(st, "bad address");
			return -1;
		}
		memcpy(host, st->addr, hn);
		host[hn] = '\0';
		st->c = redisConnectWithTimeout(host, port, tv);
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

enum store_rc store_scope_get(struct store *st, const char *hash, struct scope *out)
{
	char key[128];
	const char *argv[2];
	size_t argvlen[2];
	const char *kv[64];
	size_t kvlen[64];
	redisReply *r;
	enum store_rc rc = STORE_DOWN;
	size_t i, n;
	int k;

	k = snprintf(key, sizeof(key), "cfmcp:mcp:%s", hash);
	if (k < 0 || (size_t)k >= sizeof(key))
		return STORE_NOTFOUND;
	argv[0] = "HGETALL";
	argvlen[0] = 7;
	argv[1] = key;
	argvlen[1] = (size_t)k;
	r = store_cmd(st, 2, argv, argvlen);
	if (!r)
		return STORE_DOWN;
	if (r->type != REDIS_REPLY_ARRAY) {
		/* e.g. LOADING or a wrong-type key: treat as unavailable */
		log_warn("redis: unexpected reply type %d to HGETALL", r->type);
		goto out;
	}
	if (r->elements == 0) {
		rc = STORE_NOTFOUND;
		goto out;
	}
	n = r->elements < 64 ? r->elements : 64;
	for (i = 0; i < n; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			goto out;
		kv[i] = r->element[i]->str;
		kvlen[i] = r->element[i]->len;
	}
	rc = scope_from_pairs(out, kv, kvlen, n) == 0 ? STORE_OK : STORE_NOTFOUND;
out:
	freeReplyObject(r);
	return rc;
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
