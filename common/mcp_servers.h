/*
 * mcp_servers.h - MCP server tokens (cfmcp:mcp:<sha256(token)>, admin.h):
 * the secret in a minted URL and its scope. account NULL means any
 * account (the CLI); otherwise the server must belong to it (else 404).
 * Each operation returns r->status; in is the request's JSON body.
 */
#ifndef CFMCP_MCP_SERVERS_H
#define CFMCP_MCP_SERVERS_H

#include "admin.h"

/* {name?, config?: {methods, tags, require_api_token_auth}, expires_at?}
 * -> 201 with url and token, shown this once. */
int admin_mcp_create(const struct admin *a, const char *account, const cJSON *in, struct admin_res *r)
	__attribute__((nonnull(1, 2, 4)));
/* One page of limit (1..ADMIN_PAGE_MAX); cursor NULL: the first. */
int admin_mcp_list(const struct admin *a, const char *account, const char *cursor, long limit,
	struct admin_res *r) __attribute__((nonnull(1, 2, 5)));
int admin_mcp_get(const struct admin *a, const char *account, const char *id, struct admin_res *r)
	__attribute__((nonnull(1, 3, 4)));
/* {name?, config?, expires_at?}; expires_at null removes the expiry. */
int admin_mcp_update(const struct admin *a, const char *account, const char *id, const cJSON *in,
	struct admin_res *r) __attribute__((nonnull(1, 3, 5)));
int admin_mcp_delete(const struct admin *a, const char *account, const char *id, struct admin_res *r)
	__attribute__((nonnull(1, 3, 4)));

/* The tools a methods/tags filter keeps on this account's catalogue:
 * {count, bytes, tools: [{name, class, method, tags}]}, bytes being the
 * size of the tools/list result listing them. conf: {methods?, tags?}
 * (arrays of words, as in config); a filter that keeps no tool -> 400. */
int admin_tools_preview(const struct admin *a, const char *account, const cJSON *conf, struct admin_res *r)
	__attribute__((nonnull(1, 2, 4)));

#endif
