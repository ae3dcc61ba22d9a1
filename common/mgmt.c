/*
 * mgmt.c - HTTP in front of admin.c: route, authenticate, parse, answer.
 * Order matters: the route and method first (404/405), then the API key
 * (401/403), then the body (415/413/400), so an unauthenticated caller
 * learns nothing about validation.
 */
#include "first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "accounts.h"
#include "admin.h"
#include "apikey.h"
#include "apikeys.h"
#include "crypto.h"
#include "jsonrpc.h"
#include "log.h"
#include "mcp_servers.h"
#include "mgmt.h"
#include "store.h"
#include "words.h"

static void answer(struct http_response *resp, int status, cJSON *body)
{
	char *s = NULL;

	resp->status = status;
	buf_reset(&resp->body);
	if (status == 204)
		return;
	s = body ? cJSON_PrintUnformatted(body) : NULL;
	if (!s || http_response_header(resp, "Content-Type", "application/json") || buf_puts(&resp->body, s)) {
		resp->status = 500;
		buf_reset(&resp->body);
	}
	cJSON_free(s);
}

static void error(struct http_response *resp, int status, const char *code, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || json_add(o, "status", cJSON_CreateNumber(status)) ||
	    json_add(o, "error", cJSON_CreateString(code)) ||
	    json_add(o, "message", cJSON_CreateString(msg))) {
		cJSON_Delete(o);
		resp->status = 500;
		buf_reset(&resp->body);
		return;
	}
	answer(resp, status, o);
	cJSON_Delete(o);
}

/* The resources of the management API (mgmt.h), and the methods each takes. */
enum res { RES_ACCOUNTS, RES_ACCOUNT, RES_MCPS, RES_MCP, RES_TOOLS, RES_APIKEYS, RES_APIKEY };

static const char *const allow_of[] = {
	[RES_ACCOUNTS] = "GET, POST", [RES_ACCOUNT] = "GET, PATCH, DELETE",
	[RES_MCPS] = "GET, POST", [RES_MCP] = "GET, PATCH, DELETE", [RES_TOOLS] = "GET",
	[RES_APIKEYS] = "GET, POST", [RES_APIKEY] = "DELETE",
};

/* One path segment (1 to 63 bytes, no '/') from *p into out; advances *p. */
static int segment(const char **p, char *out)
{
	size_t n = strcspn(*p, "/");

	if (n == 0 || n >= 64)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return 0;
}

/* Which resource the path names: /integrated-account[/id[/mcp[/mcp_id] | /tools]]
 * or /api-key[/id]; -1 when the shape is wrong. Ids are checked later, by
 * the operation (an id of the wrong shape is simply not found). */
static int parse_path(const char *path, char *id, char *mid, enum res *res)
{
	const char *p;

	id[0] = mid[0] = '\0';
	if (!strncmp(path, "/api-key", 8) && (path[8] == '\0' || path[8] == '/')) {
		p = path + 8;
		*res = RES_APIKEYS;
		if (!*p)
			return 0;
		p++;
		*res = RES_APIKEY;
		return segment(&p, id) < 0 || *p ? -1 : 0;
	}
	if (strncmp(path, "/integrated-account", 19))
		return -1;
	p = path + 19;
	*res = RES_ACCOUNTS;
	if (!*p)
		return 0;
	if (*p++ != '/' || segment(&p, id) < 0)
		return -1;
	*res = RES_ACCOUNT;
	if (!*p)
		return 0;
	if (!strcmp(p, "/tools")) {
		*res = RES_TOOLS;
		return 0;
	}
	if (strncmp(p, "/mcp", 4) || (p[4] && p[4] != '/'))
		return -1;
	*res = RES_MCPS;
	p += 4;
	if (!*p)
		return 0;
	p++;
	*res = RES_MCP;
	return segment(&p, mid) < 0 || *p ? -1 : 0;
}

/* Value of k in a raw query string (no decoding: our values are ids and
 * numbers, refused by their validators when they would need any). */
static int query_get(const char *q, const char *k, char *out, size_t outsz)
{
	size_t kl = strlen(k);

	while (q && *q) {
		size_t n = strcspn(q, "&");
		if (n > kl && !strncmp(q, k, kl) && q[kl] == '=') {
			if (n - kl - 1 >= outsz)
				return -1;
			memcpy(out, q + kl + 1, n - kl - 1);
			out[n - kl - 1] = '\0';
			return 1;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The query of GET .../tools (?methods=read,list&tags=dns) as the filter
 * object admin_tools_preview takes: {"methods": [...], "tags": [...]}.
 * Values are percent-decoded (RFC 3986 §2.1: a browser's URLSearchParams
 * sends "," as %2C) and split at commas, empty words dropped; the words
 * themselves are validated by admin.c. A parameter given twice, or one
 * other than these two, is refused; "" and NULL mean no filter.
 * NULL with *why set on a bad query, or on no memory (*why NULL). */
static cJSON *tools_query(const char *q, const char **why)
{
	cJSON *o = cJSON_CreateObject();

	*why = NULL;
	while (o && q && *q) {
		size_t n = strcspn(q, "&"), kl = strcspn(q, "=&");
		const char *k = kl == 7 && !strncmp(q, "methods", 7) ? "methods" :
			kl == 4 && !strncmp(q, "tags", 4) ? "tags" : NULL;
		cJSON *arr;
		char w[65];
		size_t i, wl = 0;

		if (!k) {
			*why = "unknown query parameter (allowed: methods, tags)";
			goto bad;
		}
		if (cJSON_GetObjectItemCaseSensitive(o, k)) {
			*why = "a query parameter is given twice";
			goto bad;
		}
		arr = cJSON_CreateArray();
		if (json_add(o, k, arr))
			goto bad;
		for (i = kl + 1; i <= n; i++) {
			int c = i < n ? (unsigned char)q[i] : ',';
			if (c == '%') {
				int hi = i + 2 < n ? hexval(q[i + 1]) : -1, lo = hi >= 0 ? hexval(q[i + 2]) : -1;
				if (lo < 0) {
					*why = "a query value has a bad percent-escape";
					goto bad;
				}
				c = hi * 16 + lo;
				i += 2;
			}
			if (c == ',') {
				w[wl] = '\0';
				if (wl && json_add(arr, NULL, cJSON_CreateString(w)))
					goto bad;
				wl = 0;
			} else if (c == '\0') {
				*why = "a query value has a NUL byte";
				goto bad;
			} else if (wl + 1 >= sizeof(w)) {
				*why = "a query value has a word over 64 characters";
				goto bad;
			} else {
				w[wl++] = (char)c;
			}
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return o;
bad:
	cJSON_Delete(o);
	return NULL;
}

static int method_is(const struct http_request *req, const char *m)
{
	return req->method && !strcmp(req->method, m);
}

void mgmt_handle(const struct mcp_env *env, const struct http_request *req, struct http_response *resp)
{
	char id[64], mid[64], hash[CRYPTO_SHA256_HEX], actor[160];
	const char *auth;
	struct apikey key;
	struct admin a;
	struct admin_res r;
	cJSON *in = NULL;
	enum res res;
	int need_body;
	size_t n;

	memset(&r, 0, sizeof(r));
	if (parse_path(req->path, id, mid, &res) < 0) {
		error(resp, 404, "not_found", "No such endpoint");
		return;
	}
	if (!words_has(allow_of[res], req->method, strlen(req->method))) {
		if (http_response_header(resp, "Allow", allow_of[res])) {
			/* literal */
		}
		error(resp, 405, "method_not_allowed", "Method not allowed on this resource");
		return;
	}
	/* Authenticate: the SHA-256 of the Bearer names the key (RFC 6750 §2.1). */
	if (http_request_bearer(req, &auth, &n) != 1 || crypto_token_hash(auth, n, hash) < 0) {
		if (http_response_header(resp, "WWW-Authenticate", "Bearer realm=\"cfmcp-admin\"")) {
			/* literal */
		}
		error(resp, 401, "unauthorized", "Send an API key as Authorization: Bearer <key> (cfmcp-admin apikey create)");
		return;
	}
	if (!env->admin_store) {
		error(resp, 503, "service_unavailable", "the token store is not configured");
		return;
	}
	if (apikey_read(env->admin_store, hash, &key) < 0) {
		if (http_response_header(resp, "Retry-After", "1")) {
			/* literal */
		}
		error(resp, 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly");
		return;
	}
	/* the rule require_api_token_auth applies (apikey_check), no account yet */
	if (apikey_check(&key, hash, NULL, env->now()) != APIKEY_OK) {
		if (http_response_header(resp, "WWW-Authenticate",
			    "Bearer realm=\"cfmcp-admin\", error=\"invalid_token\"")) {
			/* literal */
		}
		error(resp, 401, "unauthorized", "The API key is unknown, revoked or expired");
		return;
	}
	/* Authorize: creating accounts and anything about API keys needs a key
	 * for every account ("*"); the rest, a key allowed on the account. */
	if (res == RES_APIKEYS || res == RES_APIKEY) {
		if (!apikey_all_accounts(&key)) {
			error(resp, 403, "forbidden", "Only an API key for all accounts (\"*\") may list, create or revoke API keys");
			return;
		}
	} else if ((id[0] && apikey_check(&key, hash, id, env->now()) != APIKEY_OK) ||
	    (!id[0] && method_is(req, "POST") && !apikey_all_accounts(&key))) {
		error(resp, 403, "forbidden", !id[0] ? "Only an API key for all accounts (\"*\") may create integrated accounts"
			: "This API key is not allowed on that integrated account");
		return;
	}
	need_body = method_is(req, "POST") || method_is(req, "PATCH");
	if (need_body) {
		const char *ct = http_request_header(req, "content-type");
		const char *why = NULL;
		if (!ct || strncasecmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
			error(resp, 415, "unsupported_media_type", "Send the body as Content-Type: application/json");
			return;
		}
		if (req->body_too_large || req->body.len > MGMT_MAX_BODY) {
			error(resp, 413, "payload_too_large", "The body is larger than 64 KiB");
			return;
		}
		if (jsonrpc_parse(req->body.p ? req->body.p : "", req->body.len, &in, &why) != MCP_OK) {
			char msg[200];
			snprintf(msg, sizeof(msg), "The body is not valid JSON (%s)", why ? why : "parse error");
			error(resp, 400, "bad_request", msg);
			return;
		}
	}
	snprintf(actor, sizeof(actor), "apikey:%s", key.id);
	memset(&a, 0, sizeof(a));
	a.st = env->admin_store;
	a.cat = env->cat;
	a.keys = &env->cfg->keys;
	a.public_url = env->cfg->public_url;
	a.now = env->now();
	a.actor = actor;

	switch (res) {
	case RES_ACCOUNTS:
		if (method_is(req, "POST"))
			admin_account_create(&a, in, &r);
		else
			admin_account_list(&a, apikey_all_accounts(&key) ? NULL : &key, &r);
		break;
	case RES_ACCOUNT:
		if (method_is(req, "GET"))
			admin_account_get(&a, id, &r);
		else if (method_is(req, "PATCH"))
			admin_account_update(&a, id, in, &r);
		else
			admin_account_delete(&a, id, &r);
		break;
	case RES_MCPS:
		if (method_is(req, "POST")) {
			admin_mcp_create(&a, id, in, &r);
		} else {
			char cursor[64], lim[16];
			long limit = 50;
			int hc = query_get(req->query, "cursor", cursor, sizeof(cursor));
			int hl = query_get(req->query, "limit", lim, sizeof(lim));
			if (hl > 0) {
				char *end;
				limit = strtol(lim, &end, 10);
				if (*end || !*lim)
					limit = -1;
			}
			if (hc < 0 || hl < 0)
				r.status = 400, r.error = "bad_request",
				snprintf(r.message, sizeof(r.message), "cursor or limit too long");
			else
				admin_mcp_list(&a, id, hc > 0 ? cursor : NULL, hl < 0 ? -1 : limit, &r);
		}
		break;
	case RES_MCP:
		if (method_is(req, "GET"))
			admin_mcp_get(&a, id, mid, &r);
		else if (method_is(req, "PATCH"))
			admin_mcp_update(&a, id, mid, in, &r);
		else
			admin_mcp_delete(&a, id, mid, &r);
		break;
	case RES_TOOLS: {
		const char *why;
		in = tools_query(req->query, &why);
		if (in)
			admin_tools_preview(&a, id, in, &r);
		else
			r.status = why ? 400 : 500, r.error = why ? "bad_request" : "internal_error",
			snprintf(r.message, sizeof(r.message), "%s", why ? why : "out of memory");
		break;
	}
	case RES_APIKEYS:
		if (method_is(req, "POST"))
			admin_apikey_create(&a, in, &r);
		else
			admin_apikey_list(&a, &r);
		break;
	case RES_APIKEY:
		admin_apikey_revoke(&a, id, &r);
		break;
	}
	if (r.status >= 400) {
		if (r.status == 503 && http_response_header(resp, "Retry-After", "1")) {
			/* literal */
		}
		error(resp, r.status, r.error ? r.error : "internal_error", r.message);
	} else {
		answer(resp, r.status, r.body);
	}
	admin_res_free(&r);
	cJSON_Delete(in);
}
