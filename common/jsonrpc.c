/*
 * jsonrpc.c - JSON-RPC 2.0 envelope checks and the error mapping.
 */
#include "first.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "jsonrpc.h"
#include "xalloc.h"

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

/* Length of a valid UTF-8 sequence at p (RFC 3629 §4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

enum mcp_err jsonrpc_prescan(const char *p, size_t n, int max_depth, size_t max_items,
	const char **why)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, items = 0;
	int depth = 0, in_str = 0;

	while (i < n) {
		size_t k = utf8_len(s + i, n - i);
		unsigned char c = s[i];

		if (!k) {
			*why = "body is not valid UTF-8";
			return MCP_EPARSE;
		}
		if (k > 1) {
			i += k;
			continue;
		}
		if (in_str) {
			if (c == '\\') {
				if (i + 1 >= n)
					break;
				if (s[i + 1] == 'u' && i + 5 < n && s[i + 2] == '0' && s[i + 3] == '0' &&
				    s[i + 4] == '0' && s[i + 5] == '0') {
					*why = "strings must not contain \\u0000";
					return MCP_EPARSE;
				}
				i += 2;
				continue;
			}
			if (c == '"')
				in_str = 0;
			i++;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > max_depth) {
				*why = "JSON nested too deeply";
				return MCP_EPARSE;
			}
			/* fallthrough */
		case ',':
			if (++items > max_items) {
				*why = "JSON has too many values";
				return MCP_EPARSE;
			}
			break;
		case ']':
		case '}':
			depth--;
			break;
		default:
			break;
		}
		i++;
	}
	return MCP_OK;
}

/* Refuse duplicate member names; objects with too many members are
 * refused too so the quadratic check stays bounded. */
static int has_duplicates(const cJSON *node, int depth)
{
	const cJSON *a, *b;
	int count = 0;

	if (depth > CAP_JSON_DEPTH)
		return 1;
	if (cJSON_IsObject(node)) {
		for (a = node->child; a; a = a->next) {
			if (++count > 512)
				return 1;
			for (b = node->child; b != a; b = b->next)
				if (!strcmp(a->string, b->string))
					return 1;
		}
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		for (a = node->child; a; a = a->next)
			if (has_duplicates(a, depth + 1))
				return 1;
	return 0;
}

enum mcp_err jsonrpc_parse(const char *p, size_t n, cJSON **root, const char **why)
{
	const char *end = NULL;
	cJSON *r;
	enum mcp_err e;
	unsigned long oom0;

	*root = NULL;
	if (n == 0) {
		*why = "empty body";
		return MCP_EPARSE;
	}
	e = jsonrpc_prescan(p, n, CAP_JSON_DEPTH, CAP_JSON_ITEMS, why);
	if (e != MCP_OK)
		return e;
	oom0 = xalloc_oom_events();
	r = cJSON_ParseWithLengthOpts(p, n, &end, 0);
	if (!r) {
		if (xalloc_oom_events() != oom0) {
			*why = NULL;
			return MCP_ENOMEM; /* not the client's fault */
		}
		*why = "body is not well-formed JSON";
		return MCP_EPARSE;
	}
	while (end && end < p + n && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (!end || end != p + n) {
		cJSON_Delete(r);
		*why = "trailing bytes after the JSON value";
		return MCP_EPARSE;
	}
	if (has_duplicates(r, 0)) {
		cJSON_Delete(r);
		*why = "duplicate member names (or an object with over 512 members)";
		return MCP_EINVALREQ;
	}
	*root = r;
	return MCP_OK;
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

/* Append s as a JSON string literal. */
static int write_jstr(struct buf *out, const char *s)
{
	char *q;
	int rc;
	cJSON *tmp = cJSON_CreateString(s);

	if (!tmp)
		return -1;
	q = cJSON_PrintUnformatted(tmp);
	cJSON_Delete(tmp);
	if (!q)
		return -1;
	rc = buf_puts(out, q);
	cJSON_free(q);
	return rc;
}

int jsonrpc_write_error(struct buf *out, const cJSON *id, enum mcp_err e,
	const char *detail, const cJSON *data)
{
	char msg[512];

	if (detail)
		snprintf(msg, sizeof(msg), "%s: %s", jsonrpc_message(e), detail);
	else
		snprintf(msg, sizeof(msg), "%s", jsonrpc_message(e));
	if (buf_append(out, STRLIT("{\"jsonrpc\":\"2.0\",\"id\":")) || write_id(out, id) ||
	    buf_printf(out, ",\"error\":{\"code\":%d,\"message\":", jsonrpc_code(e)) ||
	    write_jstr(out, msg))
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

int json_add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return -1;
	if (!obj || !(key ? cJSON_AddItemToObject(obj, key, item) : cJSON_AddItemToArray(obj, item))) {
		cJSON_Delete(item);
		return -1;
	}
	return 0;
}

/* Bytes each input byte takes in a JSON string literal: 1, 2 (\" \\ \n
 * \r \t \b \f) or 6 (\u00XX for the other controls). */
static const unsigned char esc_len[256] = {
	6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

int json_append_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	size_t i, run, need = 2;
	char *o;

	/* Two passes: size, then write in place, plain runs by memcpy (one
	 * allocation; a 16 KB tool result has thousands of quotes). */
	for (i = 0; i < n; i++)
		need += esc_len[in[i]];
	if (buf_reserve(b, need))
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	for (i = 0; i < n;) {
		unsigned char ch;
		for (run = i; run < n && esc_len[in[run]] == 1; run++)
			;
		memcpy(o, in + i, run - i);
		o += run - i;
		if (run == n)
			break;
		ch = in[run];
		*o++ = '\\';
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
		i = run + 1;
	}
	*o++ = '"';
	b->len += need;
	b->p[b->len] = '\0';
	return 0;
}

const char *json_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hex4(const char *p, const char *end, unsigned *v)
{
	int i;

	*v = 0;
	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* p at the opening quote; returns after the closing one, or NULL. */
static const char *scan_string(const char *p, const char *end)
{
	p++;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			unsigned v, lo;
			if (++p >= end)
				return NULL;
			switch (*p) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p++;
				continue;
			case 'u':
				if (hex4(p + 1, end, &v) < 0 || v == 0)
					return NULL;
				p += 5;
				if (v >= 0xdc00 && v <= 0xdfff)
					return NULL; /* lone low surrogate */
				if (v >= 0xd800 && v <= 0xdbff) {
					if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, end, &lo) < 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return NULL;
					p += 6;
				}
				continue;
			default:
				return NULL;
			}
		}
		if (c < 0x80) {
			p++;
		} else {
			size_t k = utf8_len((const unsigned char *)p, (size_t)(end - p));
			if (!k)
				return NULL;
			p += k;
		}
	}
	return NULL;
}

static const char *scan_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p >= end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

const char *json_scan(const char *p, const char *end, int max_depth, long *count)
{
	if (count)
		*count = -1;
	p = json_skip_ws(p, end);
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return scan_string(p, end);
	case 't':
		return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	case '[': {
		long n = 0;
		if (max_depth <= 0)
			return NULL;
		p = json_skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			if (count)
				*count = 0;
			return p + 1;
		}
		for (;;) {
			p = json_scan(p, end, max_depth - 1, NULL);
			if (!p)
				return NULL;
			n++;
			p = json_skip_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == ']')
				break;
			if (*p++ != ',')
				return NULL;
		}
		if (count)
			*count = n;
		return p + 1;
	}
	case '{':
		if (max_depth <= 0)
			return NULL;
		p = json_skip_ws(p + 1, end);
		if (p < end && *p == '}')
			return p + 1;
		for (;;) {
			p = json_skip_ws(p, end);
			if (p >= end || *p != '"' || !(p = scan_string(p, end)))
				return NULL;
			p = json_skip_ws(p, end);
			if (p >= end || *p++ != ':')
				return NULL;
			p = json_scan(p, end, max_depth - 1, NULL);
			if (!p)
				return NULL;
			p = json_skip_ws(p, end);
			if (p >= end)
				return NULL;
			if (*p == '}')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	default:
		return scan_number(p, end);
	}
}
