/*
 * transport.h - the HTTP rules of MCP: which requests may carry JSON-RPC
 * (Origin, Content-Type, Accept, body cap), the MCP header checks
 * (MCP-Protocol-Version, Mcp-Method, Mcp-Name) and how one JSON-RPC answer
 * is written (JSON, or a Server-Sent Events message).
 *
 * Nothing here knows the protocol eras or the methods. Each piece stands
 * alone so both transports can use what applies to them:
 *   Streamable HTTP (MCP 2025-03-26 and later, "Transports"): a POST is
 *     checked with transport_check_post and answered in the framing its
 *     Accept chose (transport_finish / transport_fail);
 *   HTTP+SSE (MCP 2024-11-05): the GET stream needs transport_origin_ok
 *     and transport_accept == TRANSPORT_SSE, and writes each answer into
 *     its stream with transport_frame(..., TRANSPORT_SSE, ...); its POSTs
 *     pass the same Origin, Content-Type and body checks.
 */
#ifndef CFMCP_TRANSPORT_H
#define CFMCP_TRANSPORT_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "jsonrpc.h"

/* How a JSON-RPC answer is written. JSON is 0: a zeroed struct transport
 * answers in JSON, as a client that sent no Accept expects. */
enum transport_framing {
	TRANSPORT_JSON = 0, /* one application/json document */
	TRANSPORT_SSE,      /* one "message" event of a text/event-stream */
	TRANSPORT_NONE,     /* the client accepts neither (transport_accept): 406 */
};

/* Where an answer goes and how it is framed. resp is not owned. */
struct transport {
	struct http_response *resp;
	enum transport_framing framing;
};

/*
 * Origin (transport spec, "Security Warning": DNS rebinding): 1 when the
 * request has no Origin (a non-browser client), names an allowed origin
 * exactly, or is a loopback origin while cfg allows those; else 0.
 */
int transport_origin_ok(const struct config *cfg, const struct http_request *req)
	__attribute__((nonnull, warn_unused_result));

/* 1 when Content-Type's media type is application/json (any parameters). */
int transport_content_type_ok(const struct http_request *req)
	__attribute__((nonnull, warn_unused_result));

/*
 * The framing Accept (RFC 9110 §12.5.1) admits: TRANSPORT_JSON when it
 * admits JSON (or is absent or empty), TRANSPORT_SSE when it admits only
 * an event stream, TRANSPORT_NONE when neither. A q=0 element does not
 * count (§12.4.2).
 */
enum transport_framing transport_accept(const struct http_request *req)
	__attribute__((nonnull, warn_unused_result));

/*
 * The Streamable HTTP checks of a POST, in order, before any credential
 * is looked at: Origin -> MCP_EORIGIN, Content-Type -> MCP_ECTYPE,
 * Accept -> MCP_EACCEPT, body over the cap -> MCP_EBODYSIZE. *framing is
 * TRANSPORT_JSON until Accept is read, then what it chose, so each refusal
 * is written in the framing known at that point. Returns MCP_OK or one of
 * those.
 */
enum mcp_err transport_check_post(const struct config *cfg, const struct http_request *req,
	enum transport_framing *framing) __attribute__((nonnull, warn_unused_result));

/*
 * MCP-Protocol-Version (transport spec, "Protocol Version Header"): NULL
 * when absent, else the value without surrounding blanks, copied into buf
 * (size bytes, cut to fit, NUL-terminated) and returned.
 */
const char *transport_protocol_version(const struct http_request *req, char *buf, size_t size)
	__attribute__((nonnull));

/*
 * SEP-2243: the Mcp-Method header must equal method, and for tools/call
 * Mcp-Name must equal name (params.name; NULL when it is not a string,
 * and then not checked). Returns MCP_OK, or MCP_EHEADER with a static
 * reason in *why.
 */
enum mcp_err transport_check_method_headers(const struct http_request *req, const char *method,
	const char *name, const char **why) __attribute__((nonnull(1, 2, 4), warn_unused_result));

/*
 * Append json (n bytes) to out as framing f: the bytes as they are, or
 * one SSE "message" event (sse.c frames each line). 0, or -1 (out of
 * memory, out's cap, or TRANSPORT_NONE); out is then unchanged.
 */
int transport_frame(struct buf *out, enum transport_framing f, const char *json, size_t n)
	__attribute__((nonnull(1), warn_unused_result));

/*
 * Write the final answer: status, Content-Type and json framed as
 * t->framing. json NULL or empty leaves the body empty (202 and the like).
 * Out of memory turns the answer into a bare 500.
 */
void transport_finish(const struct transport *t, int status, const struct buf *json)
	__attribute__((nonnull(1)));

/*
 * Answer a request that failed before any message in it was read: a
 * JSON-RPC error for e with id null, why (static text or NULL) refining
 * its message, and the HTTP status jsonrpc_http_status(e, modern) gives.
 */
void transport_fail(const struct transport *t, enum mcp_err e, int modern, const char *why)
	__attribute__((nonnull(1)));

#endif
