/*
 * store.h - the worker's Redis connection (hiredis 0.14). One connection
 * per worker process, opened lazily, dropped on any error and reopened on
 * the next request, so Redis can restart (or fail over, with Sentinel)
 * under a running pool.
 *
 * Where it lives: store.c (the connection, the pipeline runner, the record
 * reads, WAIT), sentinel.c (sentinel:// addresses, finding the primary,
 * ROLE checks), tracking.c (client tracking for the cache); what they
 * share is in store_private.h.
 */
#ifndef CFMCP_STORE_H
#define CFMCP_STORE_H

#include <stddef.h>

#include "scope.h"

struct store;

enum store_rc { STORE_OK = 0, STORE_NOTFOUND = 1, STORE_DOWN = -1 };

/* addr: "unix:/path", "host:port" ("[v6]:port") or
 * "sentinel://host:port[,host:port...]/service" (up to 8 Sentinels; the
 * service name is 1 to 64 of letters, digits, . _ -). Never fails for a
 * reachable or unreachable server: connecting happens on first use, and
 * with Sentinel every new connection asks for the primary and confirms
 * it with ROLE (sentinel.c). A malformed address makes every command fail
 * ("bad address" in the log). NULL on OOM. */
struct store *store_new(const char *addr, long timeout_ms);
void store_free(struct store *st);
/* store_new with the configuration's Redis settings: the address, the
 * timeout, the WAIT after admin writes and the ACL user (config.h).
 * NULL on OOM. */
struct config;
struct store *store_from_config(const struct config *cfg) __attribute__((nonnull));

/* Look up the scope of the MCP URL token whose SHA-256 hex is hash, its
 * integrated account, and (bearer_hash not NULL) the API key sent as
 * Authorization: Bearer: one round trip (HGETALL of each, pipelined); a
 * token made by hand without its account's fields costs a second one.
 * STORE_NOTFOUND when the token, or its account, does not exist (or
 * expired). A minted token carries copies of its account's fields, so its
 * account is not read here: that holds because removing an account
 * revokes its tokens first, and no token can be minted for an account
 * being removed (admin.c, ACCOUNT_REMOVING; test bug_lookup_orphan_token).
 * Deleting an account's hash by hand, not with `account remove` or the
 * API, leaves its minted tokens working. */
enum store_rc store_lookup(struct store *st, const char *hash, const char *bearer_hash,
	struct scope *out) __attribute__((nonnull(1, 2, 4), warn_unused_result));

/* Commands for the management side (admin.c): a pipeline of n commands
 * given as NULL-terminated string vectors, sent in one write, replies read
 * in order. Returns 0 and fills replies[0..n-1] (free each with
 * store_reply_free), or -1 with every replies[i] set to NULL: Redis
 * unreachable, the connection lost on the way, or a refused command.
 *
 * Transactions: WATCH or MULTI opens one, EXEC, DISCARD or UNWATCH closes
 * it. Inside one the store never reconnects and never resends: a WATCH
 * dies with its connection, so once the connection is lost every further
 * command of the transaction fails (its EXEC included) until the caller
 * closes it (UNWATCH or DISCARD, sent on a new connection, or the failed
 * EXEC). Outside one, a connection Redis has closed is noticed before
 * writing and replaced; a command that failed after it was written is
 * resent once only when the whole pipeline is idempotent (reads; SET
 * without NX/XX/GET; HSET, DEL, UNLINK, ZADD without INCR, ZREM, EXPIREAT,
 * PERSIST ...), never EVAL, SET NX, INCR or MULTI/EXEC, whose effect may
 * have happened although the reply was lost (-1 then means "unknown"). */
#define STORE_MAX_ARGS 64 /* per command; a longer one is refused, never cut */
#define STORE_MAX_PIPELINE 32 /* commands per pipeline; more are refused */
struct redisReply;
int store_pipeline(struct store *st, size_t n, const char *const *const *cmds,
	struct redisReply **replies) __attribute__((nonnull, warn_unused_result));
/* End of a request: a transaction it left open (a caller's early return)
 * is closed, so it can neither guard nor queue the next request's
 * commands; a lost one is forgotten. */
void store_request_end(struct store *st) __attribute__((nonnull));
void store_reply_free(struct redisReply *r);

/*
 * Writes whose answer nobody waits for (the audit trail's XADDs, after
 * the request's answer is out): the n commands (NULL-terminated argvs)
 * are written now and their replies read later - those already arrived at
 * the next call, the rest before any other command on the connection - so
 * the worker goes back to accept() instead of waiting a round trip. Not
 * resent. 0 sent; -1 not (Redis down, or a transaction is open).
 */
#define STORE_DEFERRED_MAX 4096
int store_send_deferred(struct store *st, size_t n, const char *const *const *cmds)
	__attribute__((nonnull, warn_unused_result));
/* 1 when store_send_deferred would write on a connection already open (no
 * transaction in the way); 0 when it would first have to connect, or
 * could not send. Attempts nothing. */
int store_can_send_now(const struct store *st) __attribute__((nonnull));
/* How many of the deferred commands Redis refused or were lost with a
 * connection since the last call (reads the replies already here). */
unsigned long store_deferred_failed(struct store *st) __attribute__((nonnull));

/* After a write a person will be shown (admin.c, after its EXEC): WAIT
 * until the configured number of replicas has it, on the connection that
 * wrote it, or PING there when no WAIT is configured: either way a fence
 * that puts the write's cache invalidations in every worker's socket
 * before the writer answers. 0: acknowledged; -1: too few replicas
 * acknowledged within the configured time, or the connection is gone
 * (the write may exist on the primary alone: the caller answers 503). */
int store_after_write(struct store *st) __attribute__((nonnull, warn_unused_result));

/* PING (GET /healthz): STORE_OK when Redis answers, else STORE_DOWN. */
enum store_rc store_ping(struct store *st) __attribute__((nonnull, warn_unused_result));

/* GET key into out (NUL-terminated). STORE_NOTFOUND when absent or too long. */
enum store_rc store_get(struct store *st, const char *key, char *out, size_t outsz)
	__attribute__((nonnull, warn_unused_result));
/* SET key value EX ttl. */
enum store_rc store_setex(struct store *st, const char *key, const char *val, long ttl)
	__attribute__((nonnull));

/* Client tracking for a per-worker cache (cache.c; README "Scope cache";
 * tracking.c). Enable once, before the first command. */
void store_tracking_enable(struct store *st) __attribute__((nonnull));
/* Before an answer from a cache: read every invalidation already sent
 * (on_key(ud, key, n) for each key name, not NUL-terminated), notice a
 * lost data or invalidation connection, and set tracking up again when
 * it is off (at most once a second while that fails). Returns the
 * tracking generation: > 0 while records read under that same number are
 * exact; 0 when tracking is off (answer from Redis, not the cache); -1
 * when Redis is unreachable (STORE_DOWN). The generation changes on every
 * new pairing and on FLUSHALL/FLUSHDB: the cache then empties itself. */
long store_tracking_sync(struct store *st, void (*on_key)(void *ud, const char *key, size_t n), void *ud)
	__attribute__((nonnull(1, 2)));
/* The current generation, no I/O: a read made while it stayed the same
 * and > 0 is tracked. */
long store_tracking_gen(const struct store *st) __attribute__((nonnull));

#endif
