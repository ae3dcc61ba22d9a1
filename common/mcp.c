/*
 * mcp.c - MCP methods of both protocol eras over one stateless endpoint:
 * initialize, ping, server/discover, tools/list, tools/call; version and
 * era negotiation; dispatch of single messages and 2025-03-26 batches.
 *
 * Order of checks for POST /mcp/<token> (cheapest and least revealing first):
 *   1. transport.c: Origin allow-list (DNS rebinding) -> 403; Content-Type
 *      JSON -> 415; Accept admits JSON or SSE -> 406; body cap -> 413
 *   2. token shape, then one Redis read -> 404 / 503; API token -> 401
 *   3. JSON parse -> -32700; era and version from MCP-Protocol-Version and _meta
 *   4. dispatch; tool results are shaped by result.c, zone names resolved by zone.c
 */
#include "first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "caps.h"
#include "crypto.h"
#include "cursor.h"
#include "discovery.h"
#include "jsonrpc.h"
#include "mcp.h"
#include "mcp_call.h"
#include "plan.h"
#include "result.h"
#include "sessions.h"
#include "transport.h"
#include "zone.h"

static const char *const versions_2025[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" };

#define META_PV "io.modelcontextprotocol/protocolVersion"
#define META_CAPS "io.modelcontextprotocol/clientCapabilities"
#define META_INFO "io.modelcontextprotocol/clientInfo"

static const char SERVER_INFO[] =
	"{\"name\":\"cfmcp\",\"title\":\"cfmcp - Cloudflare API tools\",\"version\":\"" CFMCP_VERSION "\"}";
static const char INSTRUCTIONS[] =
	"Tools for the Cloudflare API v4 of one connected Cloudflare account. "
	"List tools return {result, next_cursor}: pass next_cursor back to get the next page. "
	"Find a zone's id with list_all_cloudflare_zones (filter by name) before calling zone tools.";

static int is_2025(const char *v)
{
	size_t i;

	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (!strcmp(v, versions_2025[i]))
			return 1;
	return 0;
}

static const char *static_version(const char *v)
{
	size_t i;

	if (!strcmp(v, MCP_VERSION_MODERN))
		return MCP_VERSION_MODERN;
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (!strcmp(v, versions_2025[i]))
			return versions_2025[i];
	return NULL;
}

/* ---- methods ---------------------------------------------------------- */

static enum mcp_err do_initialize(struct call *c, const cJSON *params, struct buf *res)
{
	const cJSON *pv = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	const char *v = MCP_VERSION_LATEST_2025;

	if (!cJSON_IsString(pv)) {
		c->why = "initialize needs params.protocolVersion (a string)";
		return MCP_EPARAMS;
	}
	/* Lifecycle §Version negotiation: echo a supported version, else offer our latest. */
	if (is_2025(pv->valuestring))
		v = static_version(pv->valuestring);
	if (buf_printf(res, "{\"protocolVersion\":\"%s\",\"capabilities\":{\"tools\":{\"listChanged\":false}},"
		    "\"serverInfo\":%s,\"instructions\":", v, SERVER_INFO) ||
	    buf_printf(res, "\"%s\"", INSTRUCTIONS) || result_close(c, res, 0))
		return MCP_ENOMEM;
	return MCP_OK;
}

static enum mcp_err do_discover(struct call *c, struct buf *res)
{
	size_t i;

	if (buf_printf(res, "{\"supportedVersions\":[\"%s\"", MCP_VERSION_MODERN))
		return MCP_ENOMEM;
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		if (buf_printf(res, ",\"%s\"", versions_2025[i]))
			return MCP_ENOMEM;
	if (buf_printf(res, "],\"capabilities\":{\"tools\":{\"listChanged\":false}},\"serverInfo\":%s,"
		    "\"_meta\":{\"io.modelcontextprotocol/serverInfo\":%s},\"instructions\":\"%s\"",
		    SERVER_INFO, SERVER_INFO, INSTRUCTIONS) ||
	    result_close(c, res, 1))
		return MCP_ENOMEM;
	return MCP_OK;
}

static enum mcp_err do_tools_list(struct call *c, const cJSON *params, struct buf *res)
{
	const struct catalog *cat = c->env->cat;
	const cJSON *cur = params ? cJSON_GetObjectItemCaseSensitive(params, "cursor") : NULL;
	size_t start = 0, seen = 0, emitted = 0, i, page = c->env->cfg->tools_page_size;
	int more = 0;

	if (discovery_active(c))
		return discovery_list(c, cur, res);
	if (cur && !cJSON_IsNull(cur)) {
		char kind = 0, val[32], *end;
		unsigned long off;
		if (!cJSON_IsString(cur) || cursor_decode(cur->valuestring, &kind, val, sizeof(val)) < 0 ||
		    kind != 't') {
			c->why = "cursor is not one this server issued";
			return MCP_EPARAMS;
		}
		off = strtoul(val, &end, 10);
		if (*end || !val[0] || off == 0 || off > cat->ntools) {
			c->why = "cursor is not one this server issued";
			return MCP_EPARAMS;
		}
		start = (size_t)off;
	}
	if (buf_append(res, STRLIT("{\"tools\":[")))
		return MCP_ENOMEM;
	/* Deterministic order: the catalogue is sorted by name. The cursor is
	 * the count of visible tools already returned. */
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		if (!scope_allows(&c->scope, t))
			continue;
		if (seen++ < start)
			continue;
		if (emitted == page) {
			more = 1;
			break;
		}
		if ((emitted && buf_append(res, STRLIT(","))) || buf_append(res, t->json, t->json_len))
			return MCP_ENOMEM;
		emitted++;
	}
	if (start && start >= seen) {
		c->why = "cursor is past the end of the list";
		return MCP_EPARAMS;
	}
	if (buf_append(res, STRLIT("]")))
		return MCP_ENOMEM;
	if (more) {
		char off[24];
		int n = snprintf(off, sizeof(off), "%zu", start + emitted);
		if (buf_append(res, STRLIT(",\"nextCursor\":\"")) ||
		    cursor_encode(res, 't', off, (size_t)n) || buf_append(res, STRLIT("\"")))
			return MCP_ENOMEM;
	}
	if (result_close(c, res, 1))
		return MCP_ENOMEM;
	return MCP_OK;
}

static enum mcp_err do_tools_call(struct call *c, const cJSON *params, struct buf *res)
{
	const cJSON *name = params ? cJSON_GetObjectItemCaseSensitive(params, "name") : NULL;
	const cJSON *args = params ? cJSON_GetObjectItemCaseSensitive(params, "arguments") : NULL;
	const struct tool *t;
	int disc;

	if (!cJSON_IsString(name)) {
		call_record_tool(c, NULL, NULL, args, OUTCOME_INVALID, NULL);
		c->why = "tools/call needs params.name (a string)";
		return MCP_EPARAMS;
	}
	/* The three discovery tools exist only in discovery mode. */
	disc = discovery_is_tool(name->valuestring) && discovery_active(c);
	t = disc ? NULL : catalog_find(c->env->cat, name->valuestring);
	/* A tool outside the token's scope is indistinguishable from none
	 * (to the caller; the audit trail says it was refused) */
	if (!disc && (!t || !scope_allows(&c->scope, t))) {
		call_record_tool(c, name->valuestring, NULL, args, OUTCOME_REFUSED, NULL);
		c->why = "unknown tool; call tools/list for the tools this URL offers";
		return MCP_EPARAMS;
	}
	if (args && !cJSON_IsObject(args) && !cJSON_IsNull(args)) {
		call_record_tool(c, name->valuestring, t, args, OUTCOME_INVALID, NULL);
		c->why = "params.arguments must be an object";
		return MCP_EPARAMS;
	}
	if (disc)
		return discovery_call(c, name->valuestring, cJSON_IsObject(args) ? args : NULL, res);
	return mcp_call_tool(c, t, cJSON_IsObject(args) ? args : NULL, res);
}

/* ---- dispatch --------------------------------------------------------- */

/* Write one response (or nothing for notifications) for one message. */
static enum mcp_err dispatch(struct call *c, const struct rpc_msg *m, struct buf *res)
{
	const char *meth = m->method;

	if (!strcmp(meth, "tools/list"))
		return do_tools_list(c, m->params, res);
	if (!strcmp(meth, "tools/call"))
		return do_tools_call(c, m->params, res);
	if (c->modern) {
		if (!strcmp(meth, "server/discover"))
			return do_discover(c, res);
		/* initialize, ping, logging/setLevel ... are gone in 2026-07-28 */
		c->why = "this method does not exist in protocol 2026-07-28 or on this server";
		return MCP_ENOMETHOD;
	}
	if (!strcmp(meth, "initialize"))
		return do_initialize(c, m->params, res);
	if (!strcmp(meth, "ping"))
		return (buf_append(res, STRLIT("{")) || result_close(c, res, 0)) ? MCP_ENOMEM : MCP_OK;
	c->why = "this server offers tools only (initialize, ping, tools/list, tools/call)";
	return MCP_ENOMETHOD;
}

/* The RECORD_MESSAGE of the message being handled: its method when it
 * is one of ours ("other" for the rest, "" for an invalid message, so the
 * counters' labels stay few), and the HTTP status it alone would get. */
static void record_message(const struct call *c, int status)
{
	static const char *const known[] = { "initialize", "ping", "tools/list", "tools/call",
		"server/discover", "notifications/initialized", "notifications/cancelled" };
	struct record r;
	size_t i;

	if (!c->env->record)
		return;
	call_record(c, RECORD_MESSAGE, &r);
	if (c->msg_method) {
		snprintf(r.method, sizeof(r.method), "other");
		for (i = 0; i < CFMCP_NELEM(known); i++)
			if (!strcmp(c->msg_method, known[i]))
				snprintf(r.method, sizeof(r.method), "%s", known[i]);
	}
	r.http_status = status;
	c->env->record(c->env->record_ud, &r);
}

/* Handle one message object into out (full JSON-RPC response), or leave
 * out empty for notifications and responses. Returns the HTTP status. */
static int handle_one(struct call *c, const cJSON *obj, struct buf *out)
{
	struct rpc_msg m;
	struct buf res;
	enum mcp_err e;
	int status = 200;

	buf_init(&res, 0);
	c->why = NULL;
	e = jsonrpc_check(obj, &m, &c->why);
	c->msg_id = m.id;
	c->msg_params = e == MCP_OK ? m.params : NULL;
	c->msg_method = e == MCP_OK ? m.method : NULL;
	if (e == MCP_OK && (m.is_response || !m.id)) {
		status = 202;
		goto done; /* notifications and responses: 202, no body */
	}
	if (e == MCP_OK)
		e = dispatch(c, &m, &res);
	if (e == MCP_OK) {
		if (jsonrpc_write_result(out, m.id, res.p, res.len))
			e = MCP_ENOMEM;
		else
			goto done;
	}
	buf_reset(out);
	if (jsonrpc_write_error(out, m.id, e, c->why, c->err_data))
		buf_reset(out);
	status = jsonrpc_http_status(e, c->modern);
	if (e == MCP_EINVALREQ && !c->modern)
		status = 400;
done:
	record_message(c, status);
	c->msg_id = c->msg_params = NULL;
	c->msg_method = NULL;
	buf_free(&res);
	return status;
}

/* ---- era negotiation -------------------------------------------------- */

/* 1 when s is 1..max bytes of printable ASCII. */
static int printable_ascii(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (n == max || (unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e)
			return 0;
	return n > 0;
}

/* -32022 with data {supported, requested} (SEP-2575), for either era. */
static enum mcp_err version_error(struct call *c, const char *hv)
{
	size_t i;
	cJSON *d = cJSON_CreateObject(), *sup = d ? cJSON_AddArrayToObject(d, "supported") : NULL;

	if (!sup) {
		cJSON_Delete(d);
		return MCP_ENOMEM;
	}
	if (!c->legacy) /* HTTP+SSE does not offer 2026-07-28 */
		cJSON_AddItemToArray(sup, cJSON_CreateString(MCP_VERSION_MODERN));
	for (i = 0; i < CFMCP_NELEM(versions_2025); i++)
		cJSON_AddItemToArray(sup, cJSON_CreateString(versions_2025[i]));
	/* echo what was asked only when it is short printable ASCII: the
	 * header's bytes are not checked as UTF-8 anywhere before this */
	if (printable_ascii(hv, 64))
		cJSON_AddStringToObject(d, "requested", hv);
	else
		cJSON_AddNullToObject(d, "requested");
	c->err_data = d;
	c->why = "MCP-Protocol-Version is not supported";
	return MCP_EVERSION;
}

/* 2026-07-28 request checks (SEP-2575 per-request _meta, SEP-2243
 * headers), in the order the reference implementation applies them. */
static enum mcp_err modern_checks(struct call *c, const cJSON *body, const char *hv)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(body, "params");
	const cJSON *meta = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "_meta") : NULL;
	const cJSON *pv = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_PV) : NULL;
	const cJSON *caps = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_CAPS) : NULL;
	const cJSON *info = cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, META_INFO) : NULL;
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(body, "method");
	const cJSON *name;

	if (!hv) {
		c->why = "MCP-Protocol-Version header is required";
		return MCP_EHEADER;
	}
	if (!cJSON_IsString(method)) /* notifications and junk: handled by jsonrpc_check */
		return MCP_OK;
	if (!cJSON_IsObject(meta) || !cJSON_IsString(pv) || !cJSON_IsObject(caps) ||
	    (info && !cJSON_IsObject(info))) {
		if (cJSON_GetObjectItemCaseSensitive(body, "id") == NULL)
			return MCP_OK; /* a notification: nothing to answer */
		c->why = "params._meta must carry io.modelcontextprotocol/protocolVersion (string) and "
			 "io.modelcontextprotocol/clientCapabilities (object)";
		return MCP_EPARAMS;
	}
	if (strcmp(pv->valuestring, hv)) {
		c->why = "MCP-Protocol-Version header does not match _meta protocolVersion";
		return MCP_EHEADER;
	}
	if (strcmp(hv, MCP_VERSION_MODERN))
		return version_error(c, hv);
	name = cJSON_GetObjectItemCaseSensitive(params, "name");
	return transport_check_method_headers(c->req, method->valuestring,
		cJSON_IsString(name) ? name->valuestring : NULL, &c->why);
}

/* The request's id when it is a valid one (jsonrpc_check sets it whatever
 * else it finds wrong), so header and _meta errors can carry it. */
static const cJSON *usable_id(const cJSON *root)
{
	struct rpc_msg m;
	const char *ignore;

	return jsonrpc_check(root, &m, &ignore) == MCP_EINVALREQ && !m.id ? NULL : m.id;
}

static int has_meta_pv(const cJSON *body)
{
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(body, "params");
	const cJSON *meta = cJSON_IsObject(params) ? cJSON_GetObjectItemCaseSensitive(params, "_meta") : NULL;

	return cJSON_IsObject(meta) && cJSON_GetObjectItemCaseSensitive(meta, META_PV) != NULL;
}

/*
 * Era and version, from the MCP-Protocol-Version header hv (NULL when
 * absent) and the body. A 2026-07-28 header, or a request carrying _meta
 * protocolVersion without a 2025 header, is modern and must pass
 * modern_checks. Otherwise 2025 rules apply, a missing header meaning
 * 2025-03-26 (transport §Protocol Version Header) and an unknown one
 * -32022 with HTTP 400. 1 with c->modern and c->version set, or 0 when
 * the request has been answered.
 */
static int negotiate_era(struct call *c, const cJSON *root, const char *hv)
{
	const cJSON *id = NULL;
	struct buf out;
	enum mcp_err e;
	int status = 400;

	if (c->legacy) {
		/* HTTP+SSE is a 2025-era transport: 2026-07-28 is not offered on
		 * it (its header is an unsupported version), _meta is not read;
		 * without a header the transport's own version applies */
		if (!hv || is_2025(hv)) {
			c->version = hv ? static_version(hv) : "2024-11-05";
			return 1;
		}
		e = version_error(c, hv);
	} else if (cJSON_IsObject(root) && ((hv && !strcmp(hv, MCP_VERSION_MODERN)) ||
	    (has_meta_pv(root) && !(hv && is_2025(hv))))) {
		c->modern = 1;
		c->version = MCP_VERSION_MODERN;
		e = modern_checks(c, root, hv);
		if (e == MCP_OK)
			return 1;
		id = usable_id(root);
		status = jsonrpc_http_status(e, 1);
	} else if (!hv || is_2025(hv)) {
		c->version = hv ? static_version(hv) : "2025-03-26";
		return 1;
	} else {
		e = version_error(c, hv);
	}
	buf_init(&out, 0);
	if (jsonrpc_write_error(&out, id, e, c->why, c->err_data))
		buf_reset(&out);
	transport_finish(&c->tx, status, &out);
	buf_free(&out);
	return 0;
}

/* ---- authentication --------------------------------------------------- */

/* The SHA-256 hex of the Authorization Bearer in out: 1; 0 when there is
 * no Authorization header; -1 when there is one we cannot use (another
 * scheme, or not a token's shape: answered like a wrong token). */
static int bearer_of(const struct http_request *req, char out[CRYPTO_SHA256_HEX])
{
	const char *tok;
	size_t n;
	int rc = http_request_bearer(req, &tok, &n);

	if (rc <= 0)
		return rc;
	return crypto_token_hash(tok, n, out) < 0 ? -1 : 1;
}

/* require_api_token_auth: answer 401 with WWW-Authenticate (RFC 6750 §3)
 * unless the Bearer is a valid API token allowed on this account. */
static int api_auth_ok(struct call *c, const char *bhash, int malformed)
{
	enum apikey_verdict v = malformed ? APIKEY_INVALID : scope_apikey_check(&c->scope, bhash, c->env->now());
	const char *challenge, *why;

	switch (v) {
	case APIKEY_OK:
		return 1;
	case APIKEY_MISSING:
		challenge = "Bearer realm=\"cfmcp\"";
		why = "this MCP server requires an API token: send Authorization: Bearer <API token> "
		      "(mcp-remote: --header \"Authorization: Bearer ${CFMCP_API_TOKEN}\")";
		break;
	case APIKEY_WRONG_ACCOUNT:
		challenge = "Bearer realm=\"cfmcp\", error=\"invalid_token\", "
			    "error_description=\"API token not allowed on this integrated account\"";
		why = "the API token is not allowed on this MCP server's integrated account";
		break;
	case APIKEY_INVALID:
	default:
		challenge = "Bearer realm=\"cfmcp\", error=\"invalid_token\", "
			    "error_description=\"unknown, revoked or expired API token\"";
		why = "the API token sent as Authorization: Bearer is unknown, revoked or expired";
		break;
	}
	if (http_response_header(c->tx.resp, "WWW-Authenticate", challenge)) {
		/* literal; cannot fail on content */
	}
	transport_fail(&c->tx, MCP_EUNAUTH, c->modern, why);
	return 0;
}

/* The MCP URL's token, then (when its scope requires it) the API token
 * sent as Bearer: 1 with c->scope filled, or 0 when the request has been
 * answered (404 for an unknown, revoked or expired token, 503 when the
 * store is down, 401 from api_auth_ok). */
static int authenticate(struct call *c, const char *token, size_t len)
{
	const struct mcp_env *env = c->env;
	char hash[CRYPTO_SHA256_HEX], bhash[CRYPTO_SHA256_HEX];
	int bearer;

	if (crypto_token_hash(token, len, hash) < 0) {
		transport_fail(&c->tx, MCP_ENOTOKEN, c->modern, NULL);
		return 0;
	}
	bearer = bearer_of(c->req, bhash);
	switch (env->lookup(env->store_ud, hash, bearer == 1 ? bhash : NULL, &c->scope)) {
	case STORE_OK:
		/* Redis expires the key at expires_at; this covers clock skew
		 * between us and Redis within that second. A stored hash, when
		 * the record has one, is compared in constant time. */
		if ((c->scope.expires_at && c->scope.expires_at <= env->now()) ||
		    (c->scope.hash[0] && (strlen(c->scope.hash) != 64 || !crypto_equal(c->scope.hash, hash, 64)))) {
			transport_fail(&c->tx, MCP_ENOTOKEN, c->modern, NULL);
			return 0;
		}
		break;
	case STORE_NOTFOUND:
		transport_fail(&c->tx, MCP_ENOTOKEN, c->modern, NULL);
		return 0;
	case STORE_DOWN:
		if (http_response_header(c->tx.resp, "Retry-After", "1")) {
			/* literal; cannot fail on content */
		}
		transport_fail(&c->tx, MCP_EUNAVAIL, c->modern, NULL);
		return 0;
	}
	return !c->scope.require_api_auth || api_auth_ok(c, bearer == 1 ? bhash : NULL, bearer < 0);
}

/* ---- the request ------------------------------------------------------ */

/* A JSON-RPC batch (JSON-RPC 2.0 §6), which exists only in 2025-03-26
 * (removed in 2025-06-18): at most CAP_BATCH members, answered in order
 * in one array; notifications and responses add nothing, and a batch of
 * only those is answered 202 without a body. */
static void handle_batch(struct call *c, const cJSON *root)
{
	const cJSON *it;
	struct buf out;
	int n = cJSON_GetArraySize(root), any = 0;

	if (strcmp(c->version, "2025-03-26") || n == 0 || n > CAP_BATCH) {
		transport_fail(&c->tx, MCP_EINVALREQ, c->modern, n == 0 ? "empty batch" : n > CAP_BATCH ?
			"batch too large" : "JSON-RPC batches are only allowed under protocol 2025-03-26");
		return;
	}
	buf_init(&out, 0);
	if (buf_append(&out, STRLIT("[")))
		goto oom;
	cJSON_ArrayForEach(it, root) {
		struct buf one;
		buf_init(&one, 0);
		handle_one(c, it, &one);
		cJSON_Delete(c->err_data);
		c->err_data = NULL;
		if (one.len) {
			if ((any && buf_append(&out, STRLIT(","))) || buf_append(&out, one.p, one.len)) {
				buf_free(&one);
				goto oom;
			}
			any = 1;
		}
		buf_free(&one);
	}
	if (!any)
		transport_finish(&c->tx, 202, NULL);
	else if (buf_append(&out, STRLIT("]")))
		goto oom;
	else
		transport_finish(&c->tx, 200, &out);
	buf_free(&out);
	return;
oom:
	buf_free(&out);
	transport_fail(&c->tx, MCP_ENOMEM, c->modern, NULL);
}

void mcp_handle(const struct mcp_env *env, const struct http_request *req,
	const char *token, size_t len, struct http_response *resp)
{
	struct call c;
	struct buf out;
	cJSON *root = NULL;
	char hvbuf[64];
	const char *why = NULL;
	enum mcp_err e;

	call_init(&c, env, req, resp);
	buf_init(&out, 0);
	e = transport_check_post(env->cfg, req, &c.tx.framing);
	if (e != MCP_OK) {
		transport_fail(&c.tx, e, c.modern, NULL);
		goto out;
	}
	if (!authenticate(&c, token, len))
		goto out;
	e = jsonrpc_parse(req->body.p ? req->body.p : "", req->body.len, &root, &why);
	if (e != MCP_OK) {
		transport_fail(&c.tx, e, c.modern, why);
		goto out;
	}
	if (!negotiate_era(&c, root, transport_protocol_version(req, hvbuf, sizeof(hvbuf))))
		goto out;
	if (cJSON_IsArray(root)) {
		handle_batch(&c, root);
	} else {
		int status = handle_one(&c, root, &out);
		transport_finish(&c.tx, out.len ? status : 202, &out);
	}
out:
	call_free(&c);
	cJSON_Delete(root);
	buf_free(&out);
}

/* ---- legacy HTTP+SSE (MCP 2024-11-05) --------------------------------- */

int mcp_authorize(const struct mcp_env *env, const struct http_request *req, const char *token,
	size_t len, struct http_response *resp, char hash[65], long *expires_at)
{
	struct call c;
	int ok;

	call_init(&c, env, req, resp);
	c.legacy = 1;
	ok = authenticate(&c, token, len);
	if (ok) {
		/* authenticate checked the shape; this cannot fail now */
		ok = crypto_token_hash(token, len, hash) == 0;
		*expires_at = c.scope.expires_at;
	}
	call_free(&c);
	return ok;
}

/* The session of a legacy POST, checked against the URL's token: 1, or 0
 * with the refusal written. Unknown, finished and another token's
 * session answer alike (404), so a session id says nothing about whose
 * it is; the token hash is compared in constant time. */
static int session_ok(struct call *c, const char *token, size_t len, char sid[SESSION_ID_LEN + 1])
{
	char hash[CRYPTO_SHA256_HEX], bound[CRYPTO_SHA256_HEX];
	static const char why[] = "unknown or finished session: open a new stream (GET .../sse)";

	if (session_id_from_query(c->req->query, sid) < 0 || crypto_token_hash(token, len, hash) < 0 ||
	    !c->env->session_get) {
		transport_fail(&c->tx, MCP_ENOTOKEN, 0, why);
		return 0;
	}
	switch (c->env->session_get(c->env->session_ud, sid, bound, sizeof(bound))) {
	case STORE_OK:
		if (strlen(bound) == 64 && crypto_equal(bound, hash, 64))
			return 1;
		/* another token's session: as unknown */
		transport_fail(&c->tx, MCP_ENOTOKEN, 0, why);
		return 0;
	case STORE_NOTFOUND:
		transport_fail(&c->tx, MCP_ENOTOKEN, 0, why);
		return 0;
	case STORE_DOWN:
	default:
		if (http_response_header(c->tx.resp, "Retry-After", "1")) {
			/* literal; cannot fail on content */
		}
		transport_fail(&c->tx, MCP_EUNAVAIL, 0, NULL);
		return 0;
	}
}

void mcp_handle_sse_post(const struct mcp_env *env, const struct http_request *req,
	const char *token, size_t len, struct http_response *resp)
{
	struct call c;
	struct http_response ans;
	struct buf out;
	cJSON *root = NULL;
	char hvbuf[64], sid[SESSION_ID_LEN + 1];
	const char *why = NULL;
	enum mcp_err e;
	long got;

	/* the answer is built in ans; only a 200 with a body is published,
	 * anything else (an HTTP-level refusal) is copied to resp */
	http_response_init(&ans);
	call_init(&c, env, req, &ans);
	c.legacy = 1;
	buf_init(&out, 0);
	e = transport_check_post(env->cfg, req, &c.tx.framing);
	c.tx.framing = TRANSPORT_JSON; /* answers travel as SSE on the stream, never on the POST */
	if (e != MCP_OK) {
		transport_fail(&c.tx, e, 0, NULL);
		goto reply;
	}
	if (!session_ok(&c, token, len, sid) || !authenticate(&c, token, len))
		goto reply;
	e = jsonrpc_parse(req->body.p ? req->body.p : "", req->body.len, &root, &why);
	if (e != MCP_OK) {
		transport_fail(&c.tx, e, 0, why);
		goto reply;
	}
	if (!negotiate_era(&c, root, transport_protocol_version(req, hvbuf, sizeof(hvbuf))))
		goto reply;
	if (cJSON_IsArray(root)) {
		handle_batch(&c, root);
	} else {
		int status = handle_one(&c, root, &out);
		transport_finish(&c.tx, out.len ? status : 202, &out);
	}
	if (ans.status != 200 || !ans.body.len)
		goto reply;
	got = env->publish ? env->publish(env->session_ud, sid, ans.body.p, ans.body.len) : 0;
	http_response_free(&ans);
	http_response_init(&ans);
	c.tx.resp = &ans;
	if (got > 0) {
		transport_finish(&c.tx, 202, NULL);
	} else if (got == 0) {
		/* the stream is gone (closed, or its process died): the answer
		 * reached nobody, and the client must hear so */
		transport_fail(&c.tx, MCP_ENOTOKEN, 0, "unknown or finished session: open a new stream (GET .../sse)");
	} else {
		if (http_response_header(&ans, "Retry-After", "1")) {
			/* literal; cannot fail on content */
		}
		transport_fail(&c.tx, MCP_EUNAVAIL, 0, NULL);
	}
reply:
	resp->status = ans.status;
	if (buf_append(&resp->headers, ans.headers.p ? ans.headers.p : "", ans.headers.len) ||
	    buf_append(&resp->body, ans.body.p ? ans.body.p : "", ans.body.len)) {
		resp->status = 500;
		buf_reset(&resp->body);
	}
	http_response_free(&ans);
	call_free(&c);
	cJSON_Delete(root);
	buf_free(&out);
}
