/*
 * fake_store.h - an in-memory Redis for the management half's tests and
 * its fuzz target (struct admin_store, admin.h). No I/O, deterministic.
 *
 * It speaks the commands admin.c and mgmt.c send, with Redis's replies
 * (built as RESP text and read back with hiredis's own reader, so every
 * reply is freed with freeReplyObject like a real one):
 *   PING GET SET[NX|XX|EX] DEL UNLINK EXISTS KEYS(glob) HSET HGET HGETALL
 *   HMGET ZADD ZREM ZCARD ZRANGE ZRANGEBYLEX[LIMIT] EXPIREAT PERSIST TTL
 *   WATCH UNWATCH MULTI EXEC DISCARD, and EVAL of admin.c's one script.
 * Types are kept (WRONGTYPE, as Redis), expiry follows the db's clock, and
 * WATCH works as Redis's does: any write to a watched key, by any
 * connection of the same db, makes that connection's EXEC answer nil.
 *
 * A connection also keeps store.c's transaction contract (store.h): once
 * a connection is lost inside a transaction, everything of it fails until
 * the caller ends it with UNWATCH or DISCARD, or its EXEC fails.
 *
 * Test hooks on a connection: before (called with each command's argv
 * before it runs: a test interleaves another connection's commands
 * there, deterministically) and down_after (the n-th command from now
 * finds the connection lost: its pipeline fails, the commands before it
 * in that pipeline have run, as with a real connection lost on the way).
 */
#ifndef CFMCP_FAKE_STORE_H
#define CFMCP_FAKE_STORE_H

#include <stddef.h>

#include "../../common/admin.h"

struct fake_db;

struct fake_conn {
	struct fake_db *db;
	struct fake_conn *next;        /* the db's list of connections */
	/* test hooks */
	void (*before)(void *ud, const char *const *argv);
	void *before_ud;
	long down_after;               /* > 0: the n-th command from now fails */
	int down;                      /* every pipeline fails (Redis unreachable) */
	/* Redis's per-client state */
	char **watched;
	size_t nwatched;
	int dirty;                     /* a watched key was written */
	int multi;                     /* inside MULTI: commands are queued */
	int multi_error;               /* a queued command was refused: EXECABORT */
	char ***queue;                 /* queued argv copies */
	size_t nqueue;
	/* store.c's view of the transaction */
	int in_tx, tx_lost;
	unsigned long commands;        /* how many commands it has run */
};

/* A db whose clock is now() (Unix seconds, for EXPIREAT). Aborts on OOM. */
struct fake_db *fake_db_new(long (*now)(void));
void fake_db_free(struct fake_db *db);
/* Forget every key (connections stay). */
void fake_db_flush(struct fake_db *db);

/* A connection to db, its admin_store hook in *as (as may be NULL). */
struct fake_conn *fake_conn_new(struct fake_db *db, struct admin_store *as);
void fake_conn_free(struct fake_conn *c);

/* The hook itself: ud is a struct fake_conn. */
int fake_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies);

/* One command on c (argv NULL-terminated), the reply or NULL when the
 * connection fails; for tests that set data up or look at it. */
struct redisReply *fake_cmd(struct fake_conn *c, const char *const *argv);

#endif
