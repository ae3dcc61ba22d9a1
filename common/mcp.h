/*
 * mcp.h - the protocol core: one HTTP request in, one HTTP response out,
 * no I/O of its own. The Redis store and the upstream are reached through
 * the function pointers in struct mcp_env, so unit tests and fuzz targets
 * drive the core with fakes.
 *
 * Eras (MCP Streamable HTTP transport):
 *   2025: 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25 - initialize-based,
 *         served statelessly (no Mcp-Session-Id is ever issued);
 *   2026-07-28: stateless, server/discover, per-request _meta (SEP-2575),
 *         Mcp-Method/Mcp-Name header checks (SEP-2243).
 */
#ifndef CFMCP_MCP_H
#define CFMCP_MCP_H

#include "catalog.h"
#include "config.h"
#include "http.h"
#include "record.h"
#include "scope.h"
#include "search.h"
#include "store.h"
#include "upstream.h"

struct admin_store;

struct mcp_env {
	const struct config *cfg;
	const struct catalog *cat;
	/* The discovery index over cat (search.h), built with it; NULL:
	 * discovery mode answers "search unavailable". */
	const struct search_index *search;
	/* Token lookup by SHA-256 hex, with its account and (bearer_hash not
	 * NULL) the API key sent as Bearer; one round trip; an enum store_rc. */
	enum store_rc (*lookup)(void *ud, const char *hash, const char *bearer_hash, struct scope *out);
	void *store_ud;
	/* The management API's store (admin.h); NULL answers it 503. */
	const struct admin_store *admin_store;
	/* Upstream call; returns r->err. */
	enum upstream_err (*upstream)(void *ud, const struct plan *p, const char *token,
		struct upstream_reply *r);
	void *up_ud;
	/* Small string cache (zone names -> ids, zone.c); both may be NULL. */
	enum store_rc (*cache_get)(void *ud, const char *key, char *out, size_t outsz);
	enum store_rc (*cache_set)(void *ud, const char *key, const char *val, long ttl);
	/* Current Unix time (seconds); a function so tests can fix it. */
	long (*now)(void);
	/* Legacy HTTP+SSE (sessions.h): the SHA-256 hex of the token a session
	 * was opened with, into hash (65 bytes); and PUBLISH of one answer on
	 * the session's channel, returning how many streams received it (0:
	 * none holds the session) or -1 when the store is down. NULL: every
	 * session is unknown (404). */
	enum store_rc (*session_get)(void *ud, const char *sid, char *hash, size_t hashsz);
	long (*publish)(void *ud, const char *sid, const char *msg, size_t n);
	void *session_ud;
	/* What the request did (record.h): called once per JSON-RPC message,
	 * tool call and management action, before the answer is written; the
	 * callee copies r. NULL: nobody listens. */
	void (*record)(void *ud, const struct record *r);
	void *record_ud;
	/* Current Unix time in ms for records; NULL: now() * 1000. */
	long long (*now_ms)(void);
};

#define MCP_VERSION_MODERN "2026-07-28"
#define MCP_VERSION_LATEST_2025 "2025-11-25"

/* Handle POST /mcp/<token>. token points at the raw path segment (len
 * bytes, not trusted). Fills resp (status, headers, body). */
void mcp_handle(const struct mcp_env *env, const struct http_request *req,
	const char *token, size_t len, struct http_response *resp) __attribute__((nonnull));

/*
 * Legacy HTTP+SSE transport (MCP 2024-11-05), POST
 * /mcp/<token>/messages?session_id=<sid>: the Streamable HTTP checks
 * (Origin, Content-Type, body cap), then the session (unknown, finished,
 * or opened with another token: 404 with a JSON-RPC error), then the
 * same authentication, parsing and methods as mcp_handle, 2026-07-28
 * excepted. A JSON-RPC answer is PUBLISHed to the session's stream and
 * the POST answered 202 with no body; nobody receiving it is a 404.
 * Errors before a message could be read are answered on the POST itself
 * (as the SDK's SSE server transport does). Fills resp.
 */
void mcp_handle_sse_post(const struct mcp_env *env, const struct http_request *req,
	const char *token, size_t len, struct http_response *resp) __attribute__((nonnull));

/*
 * The checks a legacy GET /mcp/<token>/sse must pass before a stream
 * opens, shared with POST so both answer alike: the token's shape, its
 * record (404 unknown, revoked or expired; 503 store down) and the API
 * token when the scope requires one (401). 1 with the token's SHA-256
 * hex in hash and its expires_at (0: never) in *expires_at; 0 when resp
 * holds the refusal.
 */
int mcp_authorize(const struct mcp_env *env, const struct http_request *req, const char *token,
	size_t len, struct http_response *resp, char hash[65], long *expires_at)
	__attribute__((nonnull, warn_unused_result));

#endif
