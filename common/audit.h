/*
 * audit.h - the audit trail (issue 16; README "Audit trail"): what the
 * core reported (record.h) appended to Redis Streams, one per integrated
 * account, and read back through the management API.
 *
 *   cfmcp:audit:<account id>  stream  tool calls on the account's MCP
 *                                     servers, management actions on it
 *   cfmcp:audit:apikeys       stream  management actions on API keys, and
 *                                     account.removed (its own stream is gone)
 *
 * Written with XADD <key> MAXLEN ~ <CFMCP_AUDIT_MAXLEN> * field value ...;
 * every value is a string, an empty one is left out, and none is ever an
 * argument value or a credential (record.h holds none).
 */
#ifndef CFMCP_AUDIT_H
#define CFMCP_AUDIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "config.h"
#include "record.h"

#define AUDIT_PREFIX "cfmcp:audit:"
#define AUDIT_GLOBAL AUDIT_PREFIX "apikeys"
/* Longest stream key: the prefix and an id of RECORD_ID_MAX. */
#define AUDIT_KEYSZ (sizeof(AUDIT_PREFIX) + RECORD_ID_MAX)

/* Reading: items a page may ask for, its default, and the most entries
 * one request scans while filtering (it then answers with a cursor). */
#define AUDIT_LIMIT_MAX 500
#define AUDIT_LIMIT_DEFAULT 50
#define AUDIT_SCAN_MAX 5000

/*
 * The stream a record goes to, into out (AUDIT_KEYSZ bytes): its
 * account's, or the global one for an admin record without an account.
 * 0, or -1 when it has none (a tool call without an account, or an
 * account id that is not printable or is the global stream's name).
 */
int audit_key(const struct record *r, char out[AUDIT_KEYSZ]) __attribute__((nonnull, warn_unused_result));

/*
 * Append the TOOL_CALL and ADMIN records of r[0..n-1] (others are
 * skipped) with XADD, pipelined: one round trip per STORE_MAX_PIPELINE
 * entries, on the store behind as. Never fails the caller: call it after
 * the answer is written; a record Redis did not take is counted
 * (audit_errors) and logged at most once a second. cfg->audit_maxlen 0:
 * nothing is written.
 */
void audit_append(const struct admin_store *as, const struct config *cfg, const struct record *r, size_t n)
	__attribute__((nonnull(1, 2)));

/* Entries a worker gathers for one write (audit_flush_due), and the most
 * it holds whatever happens; the oldest waits at most cfg->audit_flush_ms
 * (CFMCP_AUDIT_FLUSH_MS; README "Audit trail": what a killed worker can
 * lose). A write is one pipeline: no more than STORE_MAX_PIPELINE. */
#define AUDIT_BATCH 16
#define AUDIT_HOLD_MAX 32

/* Send what audit_append holds back (the worker calls it when it has been
 * idle cfg->audit_flush_ms, and before it exits). */
void audit_flush(const struct admin_store *as) __attribute__((nonnull));

/* Send what is held back if AUDIT_BATCH have gathered: the worker calls it
 * while a tool call waits for Cloudflare (upstream_on_wait), and only with
 * its Redis connection open: a connect there would hold the call up. */
void audit_flush_due(const struct admin_store *as) __attribute__((nonnull));

/* One record written now, waiting for Redis's answer (cfmcp-admin's own
 * actions): 0 written (or maxlen 0: off), -1 not (no stream for it, Redis
 * down or refusing, maxlen < 0). Not counted in audit_errors. */
int audit_append_one(const struct admin_store *as, long maxlen, const struct record *r)
	__attribute__((nonnull, warn_unused_result));

/* Records this process could not append since it started (a Redis error,
 * or Redis unreachable): for the metrics. */
unsigned long audit_errors(void);

/* One entry of an XRANGE/XREVRANGE/XREAD reply ([id, [field, value, ...]])
 * as the management API shows it: {"id", "time" (the id's, RFC 3339 UTC with ms),
 * then the known fields in the format's order, t, status, latency_ms and
 * http_status as numbers}. Unknown fields, empty values, repeated fields
 * (the first wins) and numbers that do not parse are left out. NULL when
 * the entry is malformed or on no memory; the caller owns the result. */
struct redisReply;
cJSON *audit_item(const struct redisReply *entry) __attribute__((warn_unused_result));
/* The time part of a stream id ("1714557600123-0") in ms, or -1. */
long long audit_id_ms(const char *id) __attribute__((nonnull));
/* ms as RFC 3339 UTC with milliseconds ("2026-12-02T17:00:00.123Z"); "?" when out of range. */
void audit_time_format(long long ms, char *out, size_t outsz) __attribute__((nonnull));

/*
 * GET /integrated-account/:id/audit (account = id) and GET /api-key/audit
 * (account NULL: the global stream), query the raw query string (may be
 * NULL): mcp_id, tool, outcome, since, until (RFC 3339, or Unix seconds
 * or ms), limit (1..AUDIT_LIMIT_MAX), cursor. Newest first; at most
 * AUDIT_SCAN_MAX entries are scanned, then next_cursor continues. Fills r:
 * 200 {items, next_cursor}, 400 bad filter, 404 unknown account, 503.
 * (audit_read.c)
 */
void audit_read(const struct admin *a, const char *account, const char *query, struct admin_res *r)
	__attribute__((nonnull(1, 4)));

#endif
