/*
 * router.h - path and method to handler: the single entry point the
 * FastCGI shell calls for every request (a pure function of its inputs).
 *
 *   POST /mcp/<token>            -> mcp_handle (MCP endpoint)
 *   POST /mcp/<token>/messages?session_id=<sid>
 *                                -> mcp_handle_sse_post (legacy HTTP+SSE)
 *   any  /mcp/<token>            -> 405, Allow: POST
 *   /.well-known/oauth-*         -> plain 404 (no OAuth here; token is the URL)
 *   GET  /healthz                -> 200 "ok" when Redis answers PING, else
 *                                   503 + Retry-After (no token, no data)
 *   GET  /metrics                -> Prometheus text (metrics_http.h): loopback,
 *                                   or an API key, or CFMCP_METRICS_PUBLIC=1;
 *                                   404 when CFMCP_METRICS=off
 *   anything else                -> 404
 *   (any request the shell could not read whole, http_request.fault:
 *    431 over CAP_HEADERS headers, 500 out of memory; before auth)
 */
#ifndef CFMCP_ROUTER_H
#define CFMCP_ROUTER_H

#include "http.h"
#include "mcp.h"

void router_handle(const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp) __attribute__((nonnull));

#endif
