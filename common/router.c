/*
 * router.c - the core's front door. Every response gets the headers no
 * answer of ours should be without: no caching (answers depend on the
 * token's scope) and no Referer leaking the token-bearing URL.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "json.h"
#include "jsonrpc.h"
#include "metrics_http.h"
#include "mgmt.h"
#include "router.h"
#include "sessions.h"

static void plain(struct http_response *r, int status, const char *text)
{
	r->status = status;
	buf_reset(&r->body);
	if (http_response_header(r, "Content-Type", "text/plain; charset=utf-8") ||
	    buf_puts(&r->body, text)) {
		r->status = 500;
		buf_reset(&r->body);
	}
}

static void json_error(struct http_response *r, int status, const char *error, const char *msg)
{
	r->status = status;
	buf_reset(&r->body);
	if (http_response_header(r, "Content-Type", "application/json") ||
	    buf_printf(&r->body, "{\"status\":%d,\"error\":", status) ||
	    json_append_string(&r->body, error, strlen(error)) || buf_append(&r->body, STRLIT(",\"message\":")) ||
	    json_append_string(&r->body, msg, strlen(msg)) || buf_append(&r->body, STRLIT("}"))) {
		r->status = 500;
		buf_reset(&r->body);
	}
}

/* A request the shell could not build whole (http.h enum http_fault):
 * answered here, before any handler or credential check, in the shape the
 * path's callers expect: JSON-RPC on /mcp/, the JSON error elsewhere. */
static void fault(const struct http_request *req, struct http_response *resp)
{
	const char *path = req->path ? req->path : "";
	int headers = req->fault == HTTP_FAULT_HEADERS;
	int status = headers ? 431 : 500;
	char why[64];

	snprintf(why, sizeof(why), "more than %d request headers", CAP_HEADERS);
	if (!strncmp(path, "/mcp/", 5)) {
		struct buf b;
		resp->status = status;
		buf_init(&b, 0);
		if (http_response_header(resp, "Content-Type", "application/json") ||
		    jsonrpc_write_error(&b, NULL, headers ? MCP_EINVALREQ : MCP_ENOMEM, headers ? why : NULL, NULL) ||
		    buf_append(&resp->body, b.p, b.len)) {
			resp->status = 500;
			buf_reset(&resp->body);
		}
		buf_free(&b);
		return;
	}
	if (headers)
		json_error(resp, 431, "request_header_fields_too_large", why);
	else
		json_error(resp, 500, "internal_error", "out of memory");
}

void router_handle(const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp)
{
	const char *path = req->path ? req->path : "";
	const char *method = req->method ? req->method : "";

	if (http_response_header(resp, "Cache-Control", "no-store") ||
	    http_response_header(resp, "Referrer-Policy", "no-referrer") ||
	    http_response_header(resp, "X-Content-Type-Options", "nosniff")) {
		resp->status = 500;
		return;
	}
	if (req->fault) {
		fault(req, resp);
		return;
	}
	if (!strncmp(path, "/mcp/", 5)) {
		const char *tok = path + 5;
		size_t n = strlen(tok);
		/* legacy HTTP+SSE: the stream's POSTs come here, to any worker
		 * of any host; the GET stream itself is routed by the web
		 * server to the streams process (deploy/) */
		if (!strcmp(method, "POST") && session_path(path, "messages", &tok, &n)) {
			mcp_handle_sse_post(env, req, tok, n, resp);
			return;
		}
		if (strcmp(method, "POST")) {
			struct buf b;
			/* Streamable HTTP: a server without an SSE stream for GET
			 * answers 405; sessions are never issued, so DELETE is 405 too. */
			resp->status = 405;
			buf_init(&b, 0);
			if (http_response_header(resp, "Allow", "POST") ||
			    http_response_header(resp, "Content-Type", "application/json") ||
			    jsonrpc_write_error(&b, NULL, MCP_EHTTPMETHOD, NULL, NULL) ||
			    buf_append(&resp->body, b.p, b.len))
				resp->status = 500;
			buf_free(&b);
			return;
		}
		mcp_handle(env, req, tok, n, resp);
		return;
	}
	if (!strncmp(path, "/.well-known/", 13)) {
		/* No OAuth: the URL's token is the credential. A plain 404 tells
		 * clients (mcp-remote, ChatGPT) to connect without OAuth. */
		plain(resp, 404, "Not Found\n");
		return;
	}
	if ((!strncmp(path, "/integrated-account", 19) && (path[19] == '\0' || path[19] == '/')) ||
	    (!strncmp(path, "/api-key", 8) && (path[8] == '\0' || path[8] == '/')) ||
	    !strncmp(path, "/catalog/", 9)) {
		mgmt_handle(env, req, resp);
		return;
	}
	if (!strcmp(path, "/healthz")) {
		/* the load balancer's check (deploy/haproxy): up only while
		 * Redis answers, since without it every request is a 503 */
		if (env->admin_store && admin_store_ping(env->admin_store) == 0) {
			plain(resp, 200, "ok\n");
		} else {
			plain(resp, 503, "unavailable\n");
			if (resp->status == 503 && http_response_header(resp, "Retry-After", "1"))
				resp->status = 500;
		}
		return;
	}
	if (!strcmp(path, "/metrics") && env->cfg->metrics) {
		metrics_http_handle(env, req, resp);
		return;
	}
	json_error(resp, 404, "not_found", "No such endpoint");
}
