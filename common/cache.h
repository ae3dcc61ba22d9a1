/*
 * cache.h - the per-worker scope cache: token records, API key records
 * and the answers "no such token / key", kept exact by Redis client
 * tracking (store_tracking_sync; README "Scope cache").
 *
 * Four bounded LRU pools, each of CFMCP_CACHE_ENTRIES records: known
 * tokens, unknown tokens, known API keys, unknown API keys. Unknown ones
 * live in pools of their own, so a flood of random tokens evicts only
 * other unknown ones, never a real token. A record is dropped when Redis
 * says its key changed (a write, DEL/UNLINK, expiry), the whole cache
 * when tracking is lost or Redis flushed, and a record whose expires_at
 * has passed is never served (Redis's expiry notice may come late).
 */
#ifndef CFMCP_CACHE_H
#define CFMCP_CACHE_H

#include <stddef.h>

#include "scope.h"
#include "store.h"

struct cache;

struct cache_stats {
	unsigned long hits, misses, invalidations, flushes, bypassed;
};

/* entries per pool, > 0. NULL on OOM. */
struct cache *cache_new(size_t entries) __attribute__((warn_unused_result));
void cache_free(struct cache *c); /* c may be NULL */

/* The hot path, in place of store_lookup (same contract and results):
 * drains the invalidations, answers from the cache when tracking is on
 * and it holds every record the answer needs, else reads Redis and keeps
 * what it read when that read was tracked. now: Unix seconds. */
enum store_rc cache_lookup(struct cache *c, struct store *st, const char *hash, const char *bearer_hash,
	long now, struct scope *out) __attribute__((nonnull(1, 2, 3, 6), warn_unused_result));

/* The pieces cache_lookup is made of (unit tests drive them directly). */
/* STORE_OK (out filled) or STORE_NOTFOUND from the cache; -1: not all
 * of it is cached (a miss). */
int cache_get(struct cache *c, const char *hash, const char *bearer_hash, long now, struct scope *out)
	__attribute__((nonnull(1, 2, 5), warn_unused_result));
/* Keep what store_lookup answered (rc STORE_OK with s, or STORE_NOTFOUND). */
void cache_put(struct cache *c, const char *hash, const char *bearer_hash, enum store_rc rc,
	const struct scope *s) __attribute__((nonnull(1, 2)));
/* Redis says key (n bytes, not NUL-terminated) changed. */
void cache_invalidate(struct cache *c, const char *key, size_t n) __attribute__((nonnull));
/* Drop everything (tracking lost, Redis flushed). */
void cache_flush(struct cache *c) __attribute__((nonnull));
/* Records held in the four pools together. */
size_t cache_count(const struct cache *c) __attribute__((nonnull));
void cache_stats_get(const struct cache *c, struct cache_stats *out) __attribute__((nonnull));

#endif
