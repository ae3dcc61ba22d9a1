/*
 * store_private.h - what store.c, sentinel.c and tracking.c share: the
 * struct store behind store.h's handle, and the few functions one of them
 * calls in another. Not for use outside those three files; everyone else
 * goes through store.h.
 */
#ifndef CFMCP_STORE_PRIVATE_H
#define CFMCP_STORE_PRIVATE_H

#include <stddef.h>

#include <hiredis/hiredis.h>

#include "store.h"

#define STORE_MAX_SENTINELS 8
#define STORE_MAX_SERVICE 64 /* Sentinel's master name: letters, digits, . _ - */

struct store_node {
	char host[256];
	int port;
};

struct store {
	/* the connection (store.c) */
	redisContext *c;
	char *addr;      /* as configured; for logs (it holds no secret) */
	long timeout_ms;
	int down_logged; /* log an outage once, not per request */
	int in_tx;       /* a WATCH or MULTI is open: from it to EXEC/DISCARD/UNWATCH */
	int tx_lost;     /* ... and the connection it was open on is gone */
	int bad_addr;    /* addr did not parse: every command fails (logged) */
	size_t deferred; /* replies owed for store_send_deferred's commands, read before any other */
	unsigned long deferred_failed; /* of those: refused, or lost with the connection */
	const char *unix_path;          /* "unix:" form: inside addr */
	struct store_node node;         /* host:port form; Sentinel: the primary in use */
	long wait_replicas, wait_ms;    /* store_wait_replicas; 0: no WAIT */
	char *user, *password;          /* AUTH; password is secret, never logged */
	/* Sentinel (sentinel.c) */
	struct store_node sentinels[STORE_MAX_SENTINELS];
	size_t nsentinels;              /* 0: no Sentinel */
	size_t sentinel_first;          /* asked first: the one that last answered */
	char service[STORE_MAX_SERVICE + 1];
	long long role_checked_ms;      /* when ROLE last said "master" */
	/* Client tracking for a cache (tracking.c, store_tracking_sync): inv
	 * is the second connection, SUBSCRIBEd to __redis__:invalidate, on
	 * the same server as c; c has CLIENT TRACKING on REDIRECT <inv's id>. */
	int track_want;                 /* store_tracking_enable was called */
	redisContext *inv;
	int track_on;                   /* c and inv are paired as above */
	long track_gen;                 /* > 0 while track_on; new for each pairing or flush */
	long long track_retry_ms;       /* while setting up fails: not before this */
	long long track_ping_ms;        /* a PING on inv is unanswered since then; 0: none */
	long long track_fresh_ms;       /* every invalidation Redis sent before this is read */
	int track_logged;               /* a loss was logged; log the recovery */
};

/* ---- store.c ----------------------------------------------------------- */

/* CLOCK_MONOTONIC in milliseconds. */
long long store_mono_ms(void);
/* "host:port" or "[v6]:port" of length n into out; -1 when malformed. */
int store_node_parse(const char *s, size_t n, struct store_node *out) __attribute__((nonnull));
/* Connect to unix_path, or to n when it is NULL, with the store's
 * timeouts, then AUTH when auth and a password are configured. The caller
 * owns the connection (redisFree). NULL when unreachable or refused. */
redisContext *store_node_open(const struct store *st, const char *unix_path, const struct store_node *n,
	int auth) __attribute__((nonnull(1, 3)));
/* One command on a connection of our own (AUTH, ROLE, Sentinel's
 * question, tracking setup); the caller frees the reply. NULL when the
 * connection failed. */
redisReply *store_conn_cmd(redisContext *c, int argc, const char **argv) __attribute__((nonnull));
/* Make st->c usable: replace a connection Redis closed, look the primary
 * up again (Sentinel). 0, or -1 (down, or inside a lost transaction). */
int store_connect(struct store *st) __attribute__((nonnull));
/* Close st->c (an open transaction is marked lost; tracking is lost). */
void store_close(struct store *st) __attribute__((nonnull));
/* store_close, logging the outage once (why: when hiredis has no text). */
void store_drop(struct store *st, const char *why) __attribute__((nonnull));

/* ---- sentinel.c -------------------------------------------------------- */

/* The part after "sentinel://" into st->sentinels and st->service; -1
 * when malformed. */
int sentinel_parse(struct store *st, const char *s) __attribute__((nonnull));
/* Ask the Sentinels for the primary and confirm it with ROLE; sets
 * st->node. The caller owns the connection; NULL with *why set. */
redisContext *sentinel_discover(struct store *st, const char **why) __attribute__((nonnull));
/* st->c (not NULL) in use: once a second, drop it if ROLE says it is no
 * longer the primary. */
void sentinel_check_role(struct store *st) __attribute__((nonnull));

/* ---- tracking.c -------------------------------------------------------- */

/* The data connection closed, or the invalidation one broke: close inv,
 * tracking off (generation 0), logged once. */
void tracking_lost(struct store *st, const char *why) __attribute__((nonnull));

#endif
