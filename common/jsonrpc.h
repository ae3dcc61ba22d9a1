/*
 * jsonrpc.h - JSON-RPC 2.0 envelopes: strict parsing of what arrives and
 * the one place where our errors become JSON-RPC codes and HTTP statuses.
 */
#ifndef CFMCP_JSONRPC_H
#define CFMCP_JSONRPC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "json.h" /* callers build JSON too; new code includes json.h itself */

/* Every failure the MCP layer can report. One enum, one mapping
 * (jsonrpc_code / jsonrpc_http_status); handlers never pick codes. */
enum mcp_err {
	MCP_OK = 0,
	MCP_EPARSE,       /* body is not well-formed JSON: -32700 */
	MCP_EINVALREQ,    /* JSON, but not a valid request object: -32600 */
	MCP_ENOMETHOD,    /* method unknown here: -32601 */
	MCP_EPARAMS,      /* params or _meta invalid: -32602 */
	MCP_EINTERNAL,    /* our bug or an unexpected state: -32603 */
	MCP_ENOMEM,       /* allocation failed: -32603 */
	MCP_EUPSETUP,     /* the upstream request could not be set up on our side (a refused
	                   * libcurl option, a plan over the URL cap); nothing was sent: -32603 */
	MCP_EHEADER,      /* HTTP header disagrees with the body: -32020 */
	MCP_EMISSINGCAP,  /* client lacks a capability the call needs: -32021 */
	MCP_EVERSION,     /* protocol version not supported: -32022 */
	MCP_ENOTOKEN,     /* unknown, revoked or expired MCP URL: -32001, 404 */
	MCP_EUNAVAIL,     /* token store unreachable: -32603, 503 */
	MCP_EBODYSIZE,    /* body over the cap: -32600, 413 */
	MCP_ECTYPE,       /* Content-Type not JSON: -32600, 415 */
	MCP_EACCEPT,      /* Accept admits neither JSON nor SSE: -32600, 406 */
	MCP_EORIGIN,      /* Origin not allowed: -32600, 403 */
	MCP_EHTTPMETHOD,  /* not POST: -32600, 405 */
	MCP_EUNAUTH,      /* credentials required: -32001, 401 */
};

/* JSON-RPC error code for e. */
int jsonrpc_code(enum mcp_err e);
/* HTTP status for e. modern: the request is in the 2026-07-28 era, where
 * protocol errors travel with 4xx statuses (SEP-2575). */
int jsonrpc_http_status(enum mcp_err e, int modern);
/* A fixed, developer-facing message for e (never built from input). */
const char *jsonrpc_message(enum mcp_err e);

/*
 * Parse a whole body into *root (caller owns, cJSON_Delete) by json.h's
 * strict rules (json_parse), its refusals mapped: MCP_EPARSE (not JSON we
 * accept), MCP_ENOMEM (an allocation failed inside the parser) or
 * MCP_EINVALREQ (duplicate member names); *why gets a static reason.
 */
enum mcp_err jsonrpc_parse(const char *p, size_t n, cJSON **root, const char **why)
	__attribute__((nonnull, warn_unused_result));

/* A validated message: pointers into the parsed tree. */
struct rpc_msg {
	const cJSON *id;     /* string or integral number; NULL for notifications */
	const char *method;  /* NULL for responses */
	const cJSON *params; /* object or NULL */
	int is_response;     /* result/error member, no method */
};

/*
 * Check one JSON-RPC message object (JSON-RPC 2.0 §4, §5): jsonrpc "2.0",
 * id a string (<= CAP_ID_LEN) or an integer within 2^53, method a string
 * <= CAP_METHOD_LEN, params an object when present. On MCP_EINVALREQ
 * m->id is set when the id itself was usable (so the error can carry it).
 */
enum mcp_err jsonrpc_check(const cJSON *obj, struct rpc_msg *m, const char **why)
	__attribute__((nonnull, warn_unused_result));

/* Append {"jsonrpc":"2.0","id":...,"result":<result_json>} to out. */
int jsonrpc_write_result(struct buf *out, const cJSON *id, const char *result, size_t len)
	__attribute__((warn_unused_result));
/* Append an error response. detail (static text or NULL) refines the
 * message; data (may be NULL) is printed as error.data. */
int jsonrpc_write_error(struct buf *out, const cJSON *id, enum mcp_err e,
	const char *detail, const cJSON *data) __attribute__((warn_unused_result));

#endif
