/*
 * mgmt.h - the management REST API: integrated accounts and their MCP
 * servers, API keys, authenticated by API key (Authorization: Bearer). JSON in,
 * JSON out; errors as {"status", "error", "message"} (README "Management API").
 *
 *   POST   /integrated-account                     (key for "*" only)
 *   GET    /integrated-account                     (those the key may see)
 *   GET    /integrated-account/:id
 *   PATCH  /integrated-account/:id                 {api_token}: rotate the Cloudflare token
 *   DELETE /integrated-account/:id                 (revokes its MCP servers)
 *   POST   /integrated-account/:id/mcp
 *   GET    /integrated-account/:id/mcp?cursor=&limit=
 *   GET|PATCH|DELETE /integrated-account/:id/mcp/:mcp_id
 *   GET    /integrated-account/:id/tools?methods=&tags=   what a filter keeps
 *   GET    /integrated-account/:id/audit?mcp_id=&tool=&outcome=&since=&until=&limit=&cursor=
 *                                                  its audit trail (audit.h)
 *   POST   /api-key                                (key for "*" only; the key shown once)
 *   GET    /api-key                                (key for "*" only; never the keys)
 *   DELETE /api-key/:id                            (key for "*" only)
 *   GET    /api-key/audit?...                      (key for "*" only) the global audit stream
 *   GET    /catalog/tags                           tools per tag and class (any key)
 *
 * Each management action that succeeds is reported as a RECORD_ADMIN
 * (record.h) for the audit trail.
 */
#ifndef CFMCP_MGMT_H
#define CFMCP_MGMT_H

#include "http.h"
#include "mcp.h"

/* Longest management request body (bytes). */
#define MGMT_MAX_BODY (64u * 1024u)

void mgmt_handle(const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp) __attribute__((nonnull));

#endif
