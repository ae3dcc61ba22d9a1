/*
 * store.h - the worker's Redis connection (hiredis 0.14). One connection
 * per worker process, opened lazily, dropped on any error and reopened on
 * the next request, so Redis can restart under a running pool.
 */
#ifndef CFMCP_STORE_H
#define CFMCP_STORE_H

#include <stddef.h>

#include "scope.h"

struct store;

enum store_rc { STORE_OK = 0, STORE_NOTFOUND = 1, STORE_DOWN = -1 };

/* addr: "unix:/path" or "host:port". Never fails for a reachable or
 * unreachable server: connecting happens on first use. NULL on OOM. */
struct store *store_new(const char *addr, long timeout_ms);
void store_free(struct store *st);

/* Look up the scope of the MCP URL token whose SHA-256 hex is hash, its
 * integrated account, and (bearer_hash not NULL) the API key sent as
 * Authorization: Bearer - one round trip (a server-side script, EVALSHA).
 * STORE_NOTFOUND when the token, or its account, does not exist (or expired). */
enum store_rc store_lookup(struct store *st, const char *hash, const char *bearer_hash,
	struct scope *out) __attribute__((nonnull(1, 2, 4), warn_unused_result));

/* An API key by the SHA-256 hex of its secret (management API). */
enum store_rc store_apikey_get(struct store *st, const char *hash, struct apikey *out)
	__attribute__((nonnull, warn_unused_result));

/* Commands for the management side (admin.c): a pipeline of commands
 * given as NULL-terminated string vectors, sent in one write, replies
 * read in order. Returns 0 and fills replies[0..n-1] (free each with
 * store_reply_free), or -1 when Redis is unreachable (nothing filled). */
#define STORE_MAX_ARGS 64 /* per command; a longer one is refused, never cut */
struct redisReply;
int store_pipeline(struct store *st, size_t n, const char *const *const *cmds,
	struct redisReply **replies) __attribute__((nonnull, warn_unused_result));
void store_reply_free(struct redisReply *r);

/* GET key into out (NUL-terminated). STORE_NOTFOUND when absent or too long. */
enum store_rc store_get(struct store *st, const char *key, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));
/* SET key value EX ttl. */
enum store_rc store_setex(struct store *st, const char *key, const char *val, long ttl)
	__attribute__((nonnull));

#endif
