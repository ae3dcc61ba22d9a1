/*
 * result.h - MCP results, and Cloudflare's answer shaped into a tool
 * result: {"result": ..., "next_cursor": ...} (plus "ratelimit", and
 * "truncated"/"note" when cut to CFMCP_RESULT_MAX) as structuredContent
 * and as the same JSON in a text block (MCP 2025-06-18 §Tools).
 *
 * Every function appends to res, the "result" member's value that the
 * caller wraps in a JSON-RPC response (jsonrpc_write_result). They return
 * 0 / MCP_OK, or -1 / MCP_ENOMEM when out of memory, with res then holding
 * a partial object the caller must drop (handle_one does).
 */
#ifndef CFMCP_RESULT_H
#define CFMCP_RESULT_H

#include <stddef.h>

#include "buf.h"
#include "catalog.h"
#include "jsonrpc.h"
#include "upstream.h"

struct call; /* mcp_call.h */

/* Close a result object, adding the 2026-07-28 fields where they apply:
 * resultType, and for cacheable (list) results ttlMs and cacheScope. */
int result_close(const struct call *c, struct buf *res, int cacheable)
	__attribute__((nonnull, warn_unused_result));

/*
 * A CallToolResult: one text block, and structuredContent when structured
 * (n bytes of serialized JSON) is given. By the spec the text is that
 * same JSON, so it is serialized once and written twice, escaped in the
 * text block. text is a NUL-terminated UTF-8 string.
 */
int result_tool(const struct call *c, struct buf *res, const char *text, const char *structured,
	size_t n, int is_error) __attribute__((nonnull(1, 2, 3), warn_unused_result));

/* A CallToolResult with isError true and msg (model-facing, static or
 * built from validated values only) as its one text block. */
int result_tool_error(const struct call *c, struct buf *res, const char *msg)
	__attribute__((nonnull, warn_unused_result));

/*
 * The tool result for t's upstream call as ur reports it: Cloudflare's
 * envelope shaped (the next page as our cursor, rate limits normalized
 * into c's response headers and the result, arrays cut to fit), or an
 * isError result that says what went wrong upstream. MCP_OK with res
 * filled; MCP_ENOMEM; or a JSON-RPC error for a failure on our side.
 */
enum mcp_err result_from_upstream(const struct call *c, const struct tool *t, const struct upstream_reply *ur,
	struct buf *res) __attribute__((nonnull, warn_unused_result));

#endif
