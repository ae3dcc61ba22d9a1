/*
 * caps.h - named limits, checked before allocating (STYLE item 7).
 * Tighter limits apply before a token is authenticated.
 */
#ifndef CFMCP_CAPS_H
#define CFMCP_CAPS_H

/* Default cap on a request body; CFMCP_MAX_BODY overrides it (bytes). */
#define CAP_BODY_DEFAULT        (1024u * 1024u)
/* Deepest JSON nesting we parse (cJSON's own limit is 1000). */
#define CAP_JSON_DEPTH          64
/* Most members/elements we accept in one request document, all levels. */
#define CAP_JSON_ITEMS          20000
/* Longest JSON-RPC method name. */
#define CAP_METHOD_LEN          128
/* Longest string id; numeric ids must be integers within +-(2^53 - 1). */
#define CAP_ID_LEN              256
/* Most requests in one JSON-RPC batch (2025-03-26 only). */
#define CAP_BATCH               32
/* MCP URL token: base64url, 256 bits is 43 chars; accept 16..128. */
#define CAP_TOKEN_MIN           16
#define CAP_TOKEN_MAX           128
/* Headers copied from the FastCGI params into a request. */
#define CAP_HEADERS             64
/* Longest header value we keep; longer ones are treated as absent-and-bad. */
#define CAP_HEADER_VALUE        8192
/* Upstream (Cloudflare) answer size cap and timeouts. */
#define CAP_UPSTREAM_BYTES      (8u * 1024u * 1024u)
#define CAP_UPSTREAM_TIMEOUT_MS 15000
#define CAP_UPSTREAM_CONNECT_MS 5000
/* Tool result text cap (default; CFMCP_RESULT_MAX overrides). */
#define CAP_RESULT_DEFAULT      (100u * 1024u)
/* Schema files: most files, biggest file. */
#define CAP_SCHEMA_FILES        4096
#define CAP_SCHEMA_FILE_BYTES   (4u * 1024u * 1024u)
/* Longest tool name (MCP clients such as ChatGPT cap at 64). */
#define CAP_TOOL_NAME           64
/* Longest string argument forwarded upstream unless the schema says less. */
#define CAP_ARG_STRING          4096
/* Largest page a list cursor may carry ("p<page>"): plan.c takes a cursor
 * back up to it, result.c offers none past it. Also the largest per_page
 * result.c believes, which keeps page * per_page exact in a double. */
#define CAP_CURSOR_PAGE_MAX     1000000
/* Longest upstream request target: path + '?' + query, percent-encoded,
 * after the base URL. Cloudflare's edge refuses URLs over 16 KB
 * (developers.cloudflare.com/fundamentals/reference/connection-limits);
 * 1 KiB of that is left to the base URL. plan.c refuses a plan that would
 * outgrow it (naming the argument); upstream.c sizes its URL buffer as
 * base + this, so every plan plan.c accepts fits. */
#define CAP_URL_TARGET          (15u * 1024u)

#endif
