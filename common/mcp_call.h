/*
 * mcp_call.h - private to the MCP core (mcp.c, result.c, zone.c): the
 * state of one request to POST /mcp/<token>, which mcp_handle owns from
 * call_init to call_free (STYLE item 5). The pieces of the core take a
 * struct call * instead of a parameter each, so what a request carries
 * (its scope, its era, the opened Cloudflare token, the pending error)
 * lives in one place and is wiped in one place.
 */
#ifndef CFMCP_MCP_CALL_H
#define CFMCP_MCP_CALL_H

#include <cjson/cJSON.h>

#include "mcp.h"
#include "scope.h"
#include "transport.h"

struct call {
	const struct mcp_env *env;
	const struct http_request *req;
	struct transport tx; /* the answer: response (not owned) and framing */
	struct scope scope;  /* the token's scope, once looked up; wiped at the end */
	char cf_token[1024]; /* opened Cloudflare token, when needed; wiped at the end */
	int modern;          /* 2026-07-28 era */
	int legacy;          /* HTTP+SSE POST (mcp_handle_sse_post): 2026-07-28 not offered */
	const char *version; /* negotiated / requested version (static string) */
	const char *why;     /* static detail for an error */
	cJSON *err_data;     /* error.data, owned */
	/* the message being handled, for its records (record.h); not owned */
	const cJSON *msg_id, *msg_params;
	const char *msg_method;
	long long t0_ms;     /* when the request arrived (Unix ms) */
	enum record_outcome disc_outcome; /* search/describe: what their answer was */
};

/* A fresh call for req, answered into resp (neither owned). */
void call_init(struct call *c, const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp) __attribute__((nonnull));

/* Wipe the scope and the opened token, free err_data. c stays usable as
 * a zeroed call; calling it twice is harmless. */
void call_free(struct call *c) __attribute__((nonnull));

/*
 * The integrated account's Cloudflare token, opened on first use and kept
 * in c->cf_token until call_free wipes it. NULL when the account has none
 * or it does not open with the configured keys (logged, without the
 * token); answer MCP_CALL_NO_CF_TOKEN then.
 */
const char *call_cf_token(struct call *c) __attribute__((nonnull, warn_unused_result));

/*
 * Call tool t (in c's scope: the caller checked) with args (an object, or
 * NULL for none) and write its CallToolResult into res: validation,
 * the upstream call, shaping (result.c). Used by tools/call and by
 * call_cloudflare_operation (discovery.c), so both answer alike.
 */
struct tool;
enum mcp_err mcp_call_tool(struct call *c, const struct tool *t, const cJSON *args, struct buf *res)
	__attribute__((nonnull(1, 2, 4), warn_unused_result));

/*
 * Records (record.h), handed to env->record when it is set. call_record
 * fills the fields every record of this request shares (time, account,
 * MCP server, request id, client); call_record_tool reports one tool call:
 * name as called (untrusted: kept only when it has a tool name's shape),
 * t when known (class, method, path template), args for the hash (NULL
 * when there were none), ur when something was sent upstream (status,
 * latency, cf-ray), else NULL.
 */
void call_record(const struct call *c, enum record_kind kind, struct record *r) __attribute__((nonnull));
struct upstream_reply;
void call_record_tool(const struct call *c, const char *name, const struct tool *t, const cJSON *args,
	enum record_outcome o, const struct upstream_reply *ur) __attribute__((nonnull(1)));
/* The outcome an upstream reply stands for (ok, tool_error, rate_limited,
 * upstream_error). */
enum record_outcome call_outcome(const struct upstream_reply *ur) __attribute__((nonnull));

/* The model-facing answer when call_cf_token gives NULL. */
#define MCP_CALL_NO_CF_TOKEN "This MCP server's integrated account has no usable Cloudflare API token " \
	"(missing, or sealed with a key this server no longer has). Nothing was sent to Cloudflare; " \
	"ask the administrator to update the integrated account."

#endif
