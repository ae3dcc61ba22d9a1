/*
 * transport.c - the HTTP rules of MCP; see transport.h.
 *
 * Header values arrive as the FastCGI shell copied them (bounded by
 * CAP_HEADER_VALUE, NUL-terminated); nothing here echoes one back.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sse.h"
#include "transport.h"

/* Trim optional whitespace around a header value (RFC 9110 §5.5). */
static size_t trim(const char **v)
{
	const char *s = *v;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*v = s;
	return n;
}

/* 1 when header name is present and, trimmed, equals want exactly. */
static int header_is(const struct http_request *req, const char *name, const char *want)
{
	const char *v = http_request_header(req, name);
	size_t n;

	if (!v)
		return 0;
	n = trim(&v);
	return n == strlen(want) && !memcmp(v, want, n);
}

/* Media type of a Content-Type or Accept element, compared without case. */
static int media_is(const char *p, size_t n, const char *want)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == strlen(want) && !strncasecmp(p, want, n);
}

int transport_content_type_ok(const struct http_request *req)
{
	const char *ct = http_request_header(req, "content-type");

	if (!ct)
		return 0;
	return media_is(ct, strcspn(ct, ";"), "application/json");
}

enum transport_framing transport_accept(const struct http_request *req)
{
	const char *a = http_request_header(req, "accept");
	int json = 0, sse = 0;

	if (!a || !*a)
		return TRANSPORT_JSON;
	while (*a) {
		size_t n = strcspn(a, ",");
		size_t mt = strcspn(a, ";,");
		const char *q = strstr(a, "q=");
		/* q=0 means "not acceptable" (RFC 9110 §12.4.2) */
		int zero = q && q < a + n && strtod(q + 2, NULL) <= 0.0;
		if (!zero) {
			if (media_is(a, mt, "application/json") || media_is(a, mt, "application/*") ||
			    media_is(a, mt, "*/*"))
				json = 1;
			if (media_is(a, mt, "text/event-stream") || media_is(a, mt, "text/*"))
				sse = 1;
		}
		a += n;
		if (*a == ',')
			a++;
	}
	return json ? TRANSPORT_JSON : sse ? TRANSPORT_SSE : TRANSPORT_NONE;
}

/* http(s)://localhost, 127.0.0.1 or [::1], with an optional port of at
 * most five digits and nothing after it. */
static int is_loopback_origin(const char *o)
{
	const char *h;
	size_t n;

	if (!strncmp(o, "http://", 7))
		h = o + 7;
	else if (!strncmp(o, "https://", 8))
		h = o + 8;
	else
		return 0;
	if (!strncmp(h, "localhost", 9))
		n = 9;
	else if (!strncmp(h, "127.0.0.1", 9))
		n = 9;
	else if (!strncmp(h, "[::1]", 5))
		n = 5;
	else
		return 0;
	h += n;
	if (!*h)
		return 1;
	if (*h != ':' || !h[1])
		return 0;
	return strspn(h + 1, "0123456789") == strlen(h + 1) && strlen(h + 1) <= 5;
}

int transport_origin_ok(const struct config *cfg, const struct http_request *req)
{
	const char *o = http_request_header(req, "origin");
	size_t i;

	if (!o)
		return 1; /* non-browser clients send none */
	for (i = 0; i < cfg->norigins; i++)
		if (!strcmp(o, cfg->origins[i]))
			return 1;
	return cfg->origins_any_localhost && is_loopback_origin(o);
}

enum mcp_err transport_check_post(const struct config *cfg, const struct http_request *req,
	enum transport_framing *framing)
{
	enum transport_framing f;

	*framing = TRANSPORT_JSON;
	if (!transport_origin_ok(cfg, req))
		return MCP_EORIGIN;
	if (!transport_content_type_ok(req))
		return MCP_ECTYPE;
	f = transport_accept(req);
	if (f == TRANSPORT_NONE)
		return MCP_EACCEPT;
	*framing = f;
	if (req->body_too_large)
		return MCP_EBODYSIZE;
	return MCP_OK;
}

const char *transport_protocol_version(const struct http_request *req, char *buf, size_t size)
{
	const char *h = http_request_header(req, "mcp-protocol-version");
	size_t n;

	if (!h || !size)
		return NULL;
	n = trim(&h);
	if (n >= size)
		n = size - 1;
	memcpy(buf, h, n);
	buf[n] = '\0';
	return buf;
}

enum mcp_err transport_check_method_headers(const struct http_request *req, const char *method,
	const char *name, const char **why)
{
	const char *mh = http_request_header(req, "mcp-method");

	if (!mh || !header_is(req, "mcp-method", method)) {
		*why = mh ? "Mcp-Method header does not match the body's method" : "Mcp-Method header is required";
		return MCP_EHEADER;
	}
	if (!strcmp(method, "tools/call") && name) {
		const char *nh = http_request_header(req, "mcp-name");
		if (!nh || !header_is(req, "mcp-name", name)) {
			*why = nh ? "Mcp-Name header does not match params.name" : "Mcp-Name header is required for tools/call";
			return MCP_EHEADER;
		}
	}
	return MCP_OK;
}

int transport_frame(struct buf *out, enum transport_framing f, const char *json, size_t n)
{
	size_t start = out->len;

	switch (f) {
	case TRANSPORT_JSON:
		if (!buf_append(out, json, n))
			return 0;
		break;
	case TRANSPORT_SSE:
		/* the JSON may hold raw line breaks (whitespace passed through
		 * from upstream, result.c's fast path): sse_append_event frames
		 * each line as its own data line */
		return sse_append_event(out, "message", json, n);
	case TRANSPORT_NONE:
		break;
	}
	out->len = start;
	if (out->p)
		out->p[start] = '\0';
	return -1;
}

void transport_finish(const struct transport *t, int status, const struct buf *json)
{
	struct http_response *r = t->resp;

	r->status = status;
	if (!json || !json->len) {
		buf_reset(&r->body);
		return;
	}
	if (http_response_header(r, "Content-Type", t->framing == TRANSPORT_SSE ? "text/event-stream" :
		    "application/json") || transport_frame(&r->body, t->framing, json->p, json->len)) {
		r->status = 500;
		buf_reset(&r->body);
	}
}

void transport_fail(const struct transport *t, enum mcp_err e, int modern, const char *why)
{
	struct buf out;

	buf_init(&out, 0);
	if (jsonrpc_write_error(&out, NULL, e, why, NULL))
		buf_reset(&out);
	transport_finish(t, jsonrpc_http_status(e, modern), &out);
	buf_free(&out);
}
