/*
 * jsonrpc.c - JSON-RPC 2.0 envelopes: parse (json.c's rules, mapped),
 * check, write a result or an error; and the one place where enum mcp_err
 * becomes a JSON-RPC code, an HTTP status and a message.
 */
#include "first.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "jsonrpc.h"

int jsonrpc_code(enum mcp_err e)
{
	switch (e) {
	case MCP_OK: return 0;
	case MCP_EPARSE: return -32700;
	case MCP_EINVALREQ: return -32600;
	case MCP_ENOMETHOD: return -32601;
	case MCP_EPARAMS: return -32602;
	case MCP_EINTERNAL: return -32603;
	case MCP_ENOMEM: return -32603;
	case MCP_EUPSETUP: return -32603;
	case MCP_EHEADER: return -32020;      /* SEP-2243 HeaderMismatch */
	case MCP_EMISSINGCAP: return -32021;  /* SEP-2575 MissingRequiredClientCapability */
	case MCP_EVERSION: return -32022;     /* SEP-2575 UnsupportedProtocolVersion */
	case MCP_ENOTOKEN: return -32001;
	case MCP_EUNAVAIL: return -32603;
	case MCP_EBODYSIZE: return -32600;
	case MCP_ECTYPE: return -32600;
	case MCP_EACCEPT: return -32600;
	case MCP_EORIGIN: return -32600;
	case MCP_EHTTPMETHOD: return -32600;
	case MCP_EUNAUTH: return -32001;
	}
	return -32603;
}

int jsonrpc_http_status(enum mcp_err e, int modern)
{
	switch (e) {
	case MCP_OK: return 200;
	case MCP_EPARSE: return 400;
	case MCP_EINVALREQ: return 400;
	/* 2026-07-28: unknown method is 404; in the 2025 era an error
	 * response to a valid request is an ordinary 200 answer. */
	case MCP_ENOMETHOD: return modern ? 404 : 200;
	case MCP_EPARAMS: return modern ? 400 : 200;
	case MCP_EINTERNAL: return 500;
	case MCP_ENOMEM: return 500;
	case MCP_EUPSETUP: return 500;
	case MCP_EHEADER: return 400;
	case MCP_EMISSINGCAP: return 400;
	case MCP_EVERSION: return 400;
	case MCP_ENOTOKEN: return 404;
	case MCP_EUNAVAIL: return 503;
	case MCP_EBODYSIZE: return 413;
	case MCP_ECTYPE: return 415;
	case MCP_EACCEPT: return 406;
	case MCP_EORIGIN: return 403;
	case MCP_EHTTPMETHOD: return 405;
	case MCP_EUNAUTH: return 401;
	}
	return 500;
}

const char *jsonrpc_message(enum mcp_err e)
{
	switch (e) {
	case MCP_OK: return "OK";
	case MCP_EPARSE: return "Parse error";
	case MCP_EINVALREQ: return "Invalid Request";
	case MCP_ENOMETHOD: return "Method not found";
	case MCP_EPARAMS: return "Invalid params";
	case MCP_EINTERNAL: return "Internal error";
	case MCP_ENOMEM: return "Internal error: out of memory";
	case MCP_EUPSETUP: return "Internal error: the request to Cloudflare could not be set up; nothing was sent";
	case MCP_EHEADER: return "Header mismatch";
	case MCP_EMISSINGCAP: return "Missing required client capability";
	case MCP_EVERSION: return "Unsupported protocol version";
	case MCP_ENOTOKEN: return "Unknown MCP server URL: it may be mistyped, revoked or expired";
	case MCP_EUNAVAIL: return "Service temporarily unavailable: the token store cannot be reached; retry shortly";
	case MCP_EBODYSIZE: return "Request body too large";
	case MCP_ECTYPE: return "Unsupported Content-Type: send application/json";
	case MCP_EACCEPT: return "Not Acceptable: Accept must admit application/json or text/event-stream";
	case MCP_EORIGIN: return "Forbidden: Origin not allowed";
	case MCP_EHTTPMETHOD: return "Method Not Allowed: use POST";
	case MCP_EUNAUTH: return "Unauthorized";
	}
	return "Internal error";
}

enum mcp_err jsonrpc_parse(const char *p, size_t n, cJSON **root, const char **why)
{
	/* the one mapping (STYLE 3): what json_parse refuses, as JSON-RPC */
	switch (json_parse(p, n, root, why)) {
	case JSON_OK: return MCP_OK;
	case JSON_ESYNTAX: return MCP_EPARSE;
	case JSON_ENOMEM: return MCP_ENOMEM; /* not the client's fault */
	case JSON_EDUP: return MCP_EINVALREQ;
	}
	return MCP_EINTERNAL;
}

/* An id must be a string or an integer exactly representable in a double
 * (JSON-RPC 2.0 §4: numbers SHOULD NOT have fractional parts; MCP forbids null). */
static int id_ok(const cJSON *id)
{
	if (cJSON_IsString(id))
		return strlen(id->valuestring) <= CAP_ID_LEN;
	if (cJSON_IsNumber(id)) {
		double d = id->valuedouble;
		/* ids are echoed back: only integers a double holds exactly and
		 * distinctly (|id| <= 2^53 - 1, JavaScript's MAX_SAFE_INTEGER) */
		return isfinite(d) && d == floor(d) && fabs(d) <= 9007199254740991.0;
	}
	return 0;
}

enum mcp_err jsonrpc_check(const cJSON *obj, struct rpc_msg *m, const char **why)
{
	const cJSON *v, *id, *method, *params;

	memset(m, 0, sizeof(*m));
	if (!cJSON_IsObject(obj)) {
		*why = "a JSON-RPC message must be an object";
		return MCP_EINVALREQ;
	}
	id = cJSON_GetObjectItemCaseSensitive(obj, "id");
	if (id && id_ok(id))
		m->id = id;
	v = cJSON_GetObjectItemCaseSensitive(obj, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0")) {
		*why = "\"jsonrpc\" must be \"2.0\"";
		return MCP_EINVALREQ;
	}
	if (id && !m->id) {
		*why = "\"id\" must be a string (at most 256 bytes) or an integer";
		return MCP_EINVALREQ;
	}
	method = cJSON_GetObjectItemCaseSensitive(obj, "method");
	if (!method) {
		if ((cJSON_GetObjectItemCaseSensitive(obj, "result") ||
		     cJSON_GetObjectItemCaseSensitive(obj, "error")) && m->id) {
			m->is_response = 1;
			return MCP_OK;
		}
		*why = "\"method\" is missing";
		return MCP_EINVALREQ;
	}
	if (!cJSON_IsString(method) || !method->valuestring[0] ||
	    strlen(method->valuestring) > CAP_METHOD_LEN) {
		*why = "\"method\" must be a non-empty string of at most 128 bytes";
		return MCP_EINVALREQ;
	}
	m->method = method->valuestring;
	params = cJSON_GetObjectItemCaseSensitive(obj, "params");
	if (params && !cJSON_IsObject(params)) {
		*why = "\"params\" must be an object";
		return m->id ? MCP_EPARAMS : MCP_EINVALREQ;
	}
	m->params = params;
	return MCP_OK;
}

static int write_id(struct buf *out, const cJSON *id)
{
	char *s;
	int rc;

	if (!id)
		return buf_append(out, STRLIT("null"));
	s = cJSON_PrintUnformatted(id);
	if (!s)
		return -1;
	rc = buf_puts(out, s);
	cJSON_free(s);
	return rc;
}

int jsonrpc_write_result(struct buf *out, const cJSON *id, const char *result, size_t len)
{
	if (buf_append(out, STRLIT("{\"jsonrpc\":\"2.0\",\"id\":")) || write_id(out, id) ||
	    buf_append(out, STRLIT(",\"result\":")) || buf_append(out, result, len) ||
	    buf_append(out, STRLIT("}")))
		return -1;
	return 0;
}

int jsonrpc_write_error(struct buf *out, const cJSON *id, enum mcp_err e,
	const char *detail, const cJSON *data)
{
	char msg[512];

	/* a longer detail is cut at msg's size; strlen, not snprintf's
	 * would-be count, is what was written */
	if (detail)
		snprintf(msg, sizeof(msg), "%s: %s", jsonrpc_message(e), detail);
	else
		snprintf(msg, sizeof(msg), "%s", jsonrpc_message(e));
	if (buf_append(out, STRLIT("{\"jsonrpc\":\"2.0\",\"id\":")) || write_id(out, id) ||
	    buf_printf(out, ",\"error\":{\"code\":%d,\"message\":", jsonrpc_code(e)) ||
	    json_append_string(out, msg, strlen(msg)))
		return -1;
	if (data) {
		char *d = cJSON_PrintUnformatted(data);
		int rc;
		if (!d)
			return -1;
		rc = buf_append(out, STRLIT(",\"data\":")) || buf_puts(out, d);
		cJSON_free(d);
		if (rc)
			return -1;
	}
	return buf_append(out, STRLIT("}}"));
}
