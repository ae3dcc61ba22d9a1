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

#include "admin.h"
#include "crypto.h"
#include "jsonrpc.h"
#include "log.h"
#include "mgmt.h"
#include "store.h"

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

/* Split /integrated-account[/id[/mcp[/mcp_id]]]; -1 when the shape is wrong. */
static int parse_path(const char *path, char *id, char *mid, int *mcp)
{
	const char *p = path + strlen("/integrated-account");
	size_t n;

	id[0] = mid[0] = '\0';
	*mcp = 0;
	if (!*p)
		return 0;
	if (*p++ != '/')
		return -1;
	n = strcspn(p, "/");
	if (n == 0 || n >= 64)
		return -1;
	memcpy(id, p, n);
	id[n] = '\0';
	p += n;
	if (!*p)
		return 0;
	if (strncmp(p, "/mcp", 4) || (p[4] && p[4] != '/'))
		return -1;
	*mcp = 1;
	p += 4;
	if (!*p)
		return 0;
	p++;
	n = strlen(p);
	if (n == 0 || n >= 64 || strchr(p, '/'))
		return -1;
	memcpy(mid, p, n + 1);
	return 0;
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

static int method_is(const struct http_request *req, const char *m)
{
	return req->method && !strcmp(req->method, m);
}

/* Whether m is one of the words of a ", "-separated list. */
static int method_listed(const char *list, const char *m)
{
	size_t ml = strlen(m);

	while (*list) {
		size_t n = strcspn(list, ", ");
		if (n && n == ml && !strncmp(list, m, n))
			return 1;
		list += n;
		list += strspn(list, ", ");
	}
	return 0;
}

void mgmt_handle(const struct mcp_env *env, const struct http_request *req, struct http_response *resp)
{
	char id[64], mid[64], hash[CRYPTO_SHA256_HEX], actor[160];
	const char *allow, *auth;
	struct apikey key;
	struct admin a;
	struct admin_res r;
	cJSON *in = NULL;
	int mcp, need_body;
	size_t n;

	memset(&r, 0, sizeof(r));
	if (parse_path(req->path, id, mid, &mcp) < 0) {
		error(resp, 404, "not_found", "No such endpoint");
		return;
	}
	allow = !id[0] ? "GET, POST" : !mcp ? "GET, PATCH, DELETE" : !mid[0] ? "GET, POST" : "GET, PATCH, DELETE";
	if (!method_listed(allow, req->method)) {
		if (http_response_header(resp, "Allow", allow)) {
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
	switch (store_apikey_get(env->admin_store, hash, &key)) {
	case STORE_DOWN:
		if (http_response_header(resp, "Retry-After", "1")) {
			/* literal */
		}
		error(resp, 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly");
		return;
	case STORE_NOTFOUND:
		break;
	case STORE_OK:
		if (strlen(key.hash) == 64 && crypto_equal(key.hash, hash, 64) &&
		    !(key.expires_at && key.expires_at <= env->now()))
			break;
		key.present = 0;
		break;
	}
	if (!key.present) {
		if (http_response_header(resp, "WWW-Authenticate",
			    "Bearer realm=\"cfmcp-admin\", error=\"invalid_token\"")) {
			/* literal */
		}
		error(resp, 401, "unauthorized", "The API key is unknown, revoked or expired");
		return;
	}
	/* Authorize: creating accounts needs a key for every account. */
	if ((id[0] && !apikey_allows_account(&key, id)) ||
	    (!id[0] && method_is(req, "POST") && strcmp(key.accounts, "*"))) {
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

	if (!id[0]) {
		if (method_is(req, "POST"))
			admin_account_create(&a, in, &r);
		else
			admin_account_list(&a, strcmp(key.accounts, "*") ? &key : NULL, &r);
	} else if (!mcp) {
		if (method_is(req, "GET"))
			admin_account_get(&a, id, &r);
		else if (method_is(req, "PATCH"))
			admin_account_update(&a, id, in, &r);
		else
			admin_account_delete(&a, id, &r);
	} else if (!mid[0]) {
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
	} else {
		if (method_is(req, "GET"))
			admin_mcp_get(&a, id, mid, &r);
		else if (method_is(req, "PATCH"))
			admin_mcp_update(&a, id, mid, in, &r);
		else
			admin_mcp_delete(&a, id, mid, &r);
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
