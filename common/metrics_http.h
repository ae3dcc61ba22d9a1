/*
 * metrics_http.h - GET /metrics: the pool's counters (metrics.h) as
 * Prometheus text, to those allowed to read them. Who may: a loopback
 * peer (REMOTE_ADDR in 127.0.0.0/8 or ::1, as the web server reports it),
 * anyone when CFMCP_METRICS_PUBLIC=1, else a valid API key sent as
 * Authorization: Bearer (any key: the figures name no account).
 */
#ifndef CFMCP_METRICS_HTTP_H
#define CFMCP_METRICS_HTTP_H

#include "http.h"
#include "mcp.h"

/* Answer GET /metrics into resp: 200 with the exposition, 401
 * without an acceptable key, 405 for another method, 503 when there is no
 * shared block or Redis cannot check a key. The caller (router.c) sends
 * CFMCP_METRICS=off to its 404 instead. */
void metrics_http_handle(const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp) __attribute__((nonnull));

/* Whether addr (a REMOTE_ADDR) is a loopback address: 1 or 0. */
int metrics_http_loopback(const char *addr) __attribute__((nonnull));

#endif
