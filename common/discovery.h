/*
 * discovery.h - discovery mode (README "tool_mode"): tools/list offers
 * three tools instead of one per operation - search_cloudflare_operations,
 * describe_cloudflare_operation and call_cloudflare_operation - so the
 * whole catalogue fits in a few hundred tokens of tool definitions. Scope
 * holds inside all three: an operation the token may not use is never
 * found, described or called, and is answered like a name that does not
 * exist. Private to the MCP core (mcp.c).
 */
#ifndef CFMCP_DISCOVERY_H
#define CFMCP_DISCOVERY_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "jsonrpc.h"

struct call;

/* auto mode's limits: tools when the scope exposes at most this many
 * tools and their tools/list is at most this many bytes. */
#define DISCOVERY_AUTO_MAX_TOOLS 100
#define DISCOVERY_AUTO_MAX_BYTES (60u * 1024u)

/* Whether c's token is served in discovery mode: its tool_mode, or for
 * auto (and unset or unknown values) the size of its scope. */
int discovery_active(const struct call *c) __attribute__((nonnull));

/* Whether name is one of the three discovery tools. */
int discovery_is_tool(const char *name) __attribute__((nonnull, pure));

/* tools/list in discovery mode: the three definitions. cursor is
 * params.cursor (NULL when absent); any cursor is refused, as none is
 * ever issued. */
enum mcp_err discovery_list(struct call *c, const cJSON *cursor, struct buf *res)
	__attribute__((nonnull(1, 3), warn_unused_result));

/* tools/call of the discovery tool name with args (an object or NULL). */
enum mcp_err discovery_call(struct call *c, const char *name, const cJSON *args, struct buf *res)
	__attribute__((nonnull(1, 2, 4), warn_unused_result));

#endif
