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

/* Look up the scope of the token whose SHA-256 hex is hash: one HGETALL
 * (one round trip). STORE_NOTFOUND when no such key (or expired). */
enum store_rc store_scope_get(struct store *st, const char *hash, struct scope *out)
	__attribute__((nonnull, warn_unused_result));

/* GET key into out (NUL-terminated). STORE_NOTFOUND when absent or too long. */
enum store_rc store_get(struct store *st, const char *key, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));
/* SET key value EX ttl. */
enum store_rc store_setex(struct store *st, const char *key, const char *val, long ttl)
	__attribute__((nonnull));

#endif
