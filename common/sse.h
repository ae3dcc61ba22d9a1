/*
 * sse.h - Server-Sent Events framing (WHATWG HTML, "Server-sent events",
 * §9.2.5 "Parsing an event stream"; the MCP Streamable HTTP transport and
 * the legacy HTTP+SSE transport both answer in it).
 */
#ifndef CFMCP_SSE_H
#define CFMCP_SSE_H

#include <stddef.h>

#include "buf.h"

/*
 * Append one event to out: "event: <event>" (left out when event is NULL:
 * the client then calls it "message"), one "data: " line per line of
 * data, and the blank line that dispatches it. data (n bytes, any bytes)
 * is split where a client splits lines - at CRLF, LF and lone CR - so no
 * line break in data can end the event early or start a field of its
 * own; a client joins the data lines with LF, so it reads data back with
 * each line break as LF (for JSON: whitespace either way).
 * Returns 0, or -1 when out of memory, past out's cap, or when event
 * holds a line break; out is then unchanged.
 */
int sse_append_event(struct buf *out, const char *event, const char *data, size_t n)
	__attribute__((nonnull(1), warn_unused_result));

#endif
