/*
 * admin_private.h - what accounts.c, mcp_servers.c and apikeys.c share
 * (admin.c has them): answering, Redis commands and transactions, reading
 * and writing records. Not for use outside those four files.
 */
#ifndef CFMCP_ADMIN_PRIVATE_H
#define CFMCP_ADMIN_PRIVATE_H

#include <hiredis/hiredis.h>

#include "admin.h"

#define ADMIN_KEYSZ 256

/* An account hash field set while it is being removed (accounts.c):
 * admin_mcp_create WATCHes the account key and refuses a marked one. */
#define ACCOUNT_REMOVING "removing"

/* ---- answers: each returns r->status -------------------------------------- */

/* 2xx with body (owned from here on; NULL for 204). */
int admin_ok(struct admin_res *r, int status, cJSON *body) __attribute__((nonnull(1)));
#define BAD(r, ...) admin_fail((r), 400, "bad_request", __VA_ARGS__)
#define UNPROCESSABLE(r, ...) admin_fail((r), 422, "unprocessable_entity", __VA_ARGS__)
#define NOTFOUND(r, ...) admin_fail((r), 404, "not_found", __VA_ARGS__)
#define DOWN(r) admin_fail((r), 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly")
#define OOM(r) admin_fail((r), 500, "internal_error", "out of memory")

/* ---- Redis ------------------------------------------------------------------ */

/* One command; NULL when Redis is down. The caller frees the reply. */
redisReply *admin_cmd(const struct admin *a, const char *const *argv) __attribute__((nonnull));
/* The store's WAIT after a write a person will be shown (admin_store.wait):
 * 0, or -1 (too few replicas have it: answer 503). */
int admin_wait(const struct admin *a) __attribute__((nonnull));
/* End a WATCH (its reply dropped). */
void admin_unwatch(const struct admin *a) __attribute__((nonnull));

/* What a MULTI ... EXEC block came to (admin_transact). */
enum tx {
	TX_FAILED = -2,  /* Redis refused it, or part of it (logged): EXECABORT, or
			    an error inside EXEC's answer (WRONGTYPE ...), after
			    which the commands before and after it have run */
	TX_DOWN = -1,    /* Redis unreachable, or the connection lost (a WATCH set
			    before is gone with it, so the block is refused; it is
			    never resent: store.h) */
	TX_ABORTED = 0,  /* a WATCHed key changed: nothing ran */
	TX_APPLIED = 1   /* every command ran */
};
/* n commands (at most 22) between MULTI and EXEC, in one round trip: an enum tx. */
int admin_transact(const struct admin *a, size_t n, const char *const *const *cmds) __attribute__((nonnull));
/* The answer for a transaction that did not apply: 409, 500 or 503. */
int admin_tx_fail(struct admin_res *r, int tx) __attribute__((nonnull));
/* Remove a record in one transaction: UNLINK keys (NULL-terminated, at
 * most 6) and ZREM id from the sorted set index. 204, or r->status. */
int admin_remove(const struct admin *a, const char *const *keys, const char *index, const char *id,
	struct admin_res *r) __attribute__((nonnull));
/* A create whose transaction (tx) did not apply: what it may have written
 * is removed as admin_remove would, then r answers it (admin_tx_fail). */
int admin_create_failed(const struct admin *a, const char *const *keys, const char *index, const char *id, int tx,
	struct admin_res *r) __attribute__((nonnull));
/* HSET key pairs (field, value, ..., NULL; at most 8 pairs) only when key
 * exists, in one step: 1 written, 0 no such key, -1 down or refused. */
int admin_hset_existing(const struct admin *a, const char *key, const char *const *pairs) __attribute__((nonnull));

/* ---- records ---------------------------------------------------------------- */

/* A new id: prefix_ + 8 hex digits of the time + 8 random (sorts by creation). 0 or -1. */
int admin_new_id(const struct admin *a, const char *prefix, char *out, size_t outsz) __attribute__((nonnull));
/* The SHA-256 hex an id maps to (cfmcp:<space>:<id>): 1 found, 0 not, -1 down. */
int admin_id_to_hash(const struct admin *a, const char *space, const char *id, char hash[65]) __attribute__((nonnull));
/* The record an id names: <space>-id:<id> gives the hash, then HGETALL
 * cfmcp:<space>:<hash>, WATCHed first when watch. 1 found (*h, hash set;
 * the caller frees *h), 0 not found, -1 down. */
int admin_record_by_id(const struct admin *a, const char *space, const char *id, int watch, char hash[65],
	redisReply **h) __attribute__((nonnull));
/* cfmcp:account:<id> into k (ADMIN_KEYSZ bytes); 0 or -1. */
int admin_account_key(char *k, const char *id) __attribute__((nonnull));
/* 0 when the account exists, else r->status (404, 503). */
int admin_account_exists(const struct admin *a, const char *id, struct admin_res *r) __attribute__((nonnull));
/* An account's record: 0 (*h set, the caller frees it), or r->status (404, 503). */
int admin_account_found(const struct admin *a, const char *id, redisReply **h, struct admin_res *r) __attribute__((nonnull));
/* HGETALL of an account, WATCHed first when watch (the caller ends the
 * WATCH unless not found). 1 found (*out set, the caller frees it), 0
 * not found, -1 down. */
int admin_account_read(const struct admin *a, const char *id, int watch, redisReply **out) __attribute__((nonnull));

/* One record of a listing by id: 1 its JSON in *item (owned by the
 * caller), 0 skipped (gone, or not to be shown), -1 Redis down. */
typedef int (*admin_item_fn)(const struct admin *a, const char *id, const void *ud, cJSON **item);
/* {"items": [...]}: the records an index reply (ZRANGE...) names, in its
 * order, each read by fn, at most max of them. A record fn finds gone
 * (an expired or hand-revoked one) is dropped from the sorted set index
 * when index is not NULL. *last: the last id looked at (a cursor), or
 * NULL. 200 with r->body, or r->status (503, 500). */
int admin_list(const struct admin *a, const redisReply *ids, const char *index, size_t max,
	admin_item_fn fn, const void *ud, const char **last, struct admin_res *r)
	__attribute__((nonnull(1, 2, 5, 7, 8)));

/* A string field of an HGETALL reply, or NULL. */
const char *admin_field(const redisReply *h, const char *name) __attribute__((nonnull(2)));
/* A record's fields, as read (an HGETALL reply) or as just written (the
 * HSET argv: "HSET", key, field, value, ..., NULL), so a create answers
 * with what it wrote instead of reading it back. */
struct admin_rec {
	const redisReply *h;
	const char *const *hset;
};
const char *admin_rec_get(const struct admin_rec *r, const char *name) __attribute__((nonnull));
#define READ(h) (&(const struct admin_rec){ (h), NULL })
#define WRITTEN(argv) (&(const struct admin_rec){ NULL, (argv) })

/* ---- JSON in and out ----------------------------------------------------------- */

/* o.k = v (NULL: ""); 0, or -1 (o freed by json_add's rules). */
int admin_add_str(cJSON *o, const char *k, const char *v) __attribute__((nonnull(2)));
/* o.k = the Unix time v as RFC 3339, or null when empty or 0. */
int admin_add_time(cJSON *o, const char *k, const char *v) __attribute__((nonnull(2)));
/* o.<key> for each of fields ("key", or "key=field" when the record's
 * field is named otherwise): a key ending in _at as a time (above), the
 * rest as strings. 0, or -1 (what was added stays o's). */
int admin_add_fields(cJSON *o, const struct admin_rec *h, const char *const *fields) __attribute__((nonnull));
/* A word list ("a,b") as a JSON array; NULL on no memory. */
cJSON *admin_words_array(const char *list);
/* 1..max bytes, no control character. */
int admin_printable(const char *s, size_t max) __attribute__((nonnull));
/* 1 (and *which) when in has a member not in allowed (NULL-terminated). */
int admin_unknown_member(const cJSON *in, const char *const *allowed, const char **which) __attribute__((nonnull(2, 3)));
/* The body is an object with no member but these (NULL-terminated): 0, or
 * 400 "unknown field" naming it and the allowed ones. */
int admin_members(const cJSON *in, const char *const *allowed, struct admin_res *r) __attribute__((nonnull(2, 3)));
/* expires_at of a body: 0 none (absent or null), -1 invalid (r set), else the time. */
long admin_expiry_of(const struct admin *a, const cJSON *v, struct admin_res *r) __attribute__((nonnull(1, 3)));

#endif
