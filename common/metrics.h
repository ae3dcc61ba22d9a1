/*
 * metrics.h - the pool's counters (issue 16 "Metrics"): one fixed-layout
 * block of counters, gauges and histogram buckets in shared memory
 * (mmap MAP_SHARED|MAP_ANONYMOUS), set up by the master before it forks,
 * so every worker adds to the same block and the counts outlive worker
 * respawns and SIGHUP rolls. Updates are C11 relaxed atomics, no locks:
 * a scrape may see one request's counters half added, never a torn value.
 *
 * Every label is a fixed enum (the MCP method from a fixed list or
 * "other", an HTTP status from a bounded list or "other", a tool call's
 * class x outcome from record.h): nothing a request sends becomes a label,
 * so the series count is bounded whatever clients do.
 *
 * The process-wide block (metrics_global) is what the hooks in other
 * files add to (store.c's Redis round trips, the audit writer's errors):
 * NULL in programs that never set one up (cfmcp-admin, unit tests), and
 * then every metrics_* update is a no-op.
 */
#ifndef CFMCP_METRICS_H
#define CFMCP_METRICS_H

#include <stddef.h>

#include "buf.h"
#include "record.h"

struct metrics;

/* A new zeroed block shared with the children forked after this call;
 * NULL when mmap fails. Owned by the caller (metrics_free). */
struct metrics *metrics_new(void) __attribute__((warn_unused_result));
/* Unmap m; m may be NULL. */
void metrics_free(struct metrics *m);

/* The process's block (NULL: none; updates are no-ops). */
void metrics_set_global(struct metrics *m);
struct metrics *metrics_global(void);

/*
 * One HTTP request served by a worker, after its answer is out: the
 * records the core reported (record.h; n of them, dropped more that did
 * not fit), the HTTP status answered and the time from accept to the
 * answer written, in microseconds. Counts the request by its MCP method
 * ("none" without a JSON-RPC message, "batch" for several), each message
 * by method, each tool call by class and outcome, its upstream status and
 * latency. m NULL: nothing.
 */
void metrics_observe(struct metrics *m, const struct record *r, size_t n, size_t dropped,
	int http_status, long long request_us);

/* One Redis round trip of the global block: its time (us), failed or not. */
void metrics_redis(long long us, int failed);
/* n audit entries that could not be written (cfmcp_audit_write_errors_total). */
void metrics_audit_errors(unsigned long n);

/* The master's gauges and counters. */
void metrics_workers(struct metrics *m, long alive);
void metrics_worker_restart(struct metrics *m);
void metrics_reload(struct metrics *m);
void metrics_catalog(struct metrics *m, size_t tools);
/* (Open legacy SSE streams are not counted here: the streams process is
 * started on its own, not forked by the pool's master, so it cannot see
 * this anonymous mapping. README "Metrics".) */

/*
 * The block as Prometheus text exposition format 0.0.4 ("# HELP",
 * "# TYPE", counters ending in _total, histograms as _bucket{le=...}
 * cumulative up to "+Inf", _sum in seconds, _count), appended to out.
 * m NULL renders every series at zero. Returns 0, or -1 (out's cap or
 * out of memory).
 */
int metrics_render(const struct metrics *m, struct buf *out) __attribute__((nonnull(2), warn_unused_result));

/* The label value a status is counted under ("200", ..., "other"), and
 * an MCP method's ("tools/call", ..., "other"): exposed for the tests. */
const char *metrics_status_label(int status) __attribute__((returns_nonnull));
const char *metrics_method_label(const char *method) __attribute__((nonnull, returns_nonnull));

#endif
