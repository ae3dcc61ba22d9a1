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
#include "audit.h"
#include "catalog_tags.h"
#include "crypto.h"
#include "jsonrpc.h"
#include "mcp_servers.h"
#include "mgmt.h"
#include "pct.h"
#include "words.h"
#include "xalloc.h"

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

/* The resources of the management API (mgmt.h); the routes below say
 * which methods each takes. */
enum res { RES_ACCOUNTS, RES_ACCOUNT, RES_MCPS, RES_MCP, RES_TOOLS, RES_AUDIT, RES_APIKEYS, RES_APIKEY,
	RES_APIKEYS_AUDIT, RES_TAGS };

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

/* Which resource the path names: /integrated-account[/id[/mcp[/mcp_id] |
 * /tools | /audit]], /api-key[/id | /audit] ("audit" is never a key's
 * id) or /catalog/tags; -1 when the shape is wrong. Ids are checked later, by
 * the operation (an id of the wrong shape is simply not found). */
static int parse_path(const char *path, char *id, char *mid, enum res *res)
{
	const char *p;

	id[0] = mid[0] = '\0';
	if (!strcmp(path, "/catalog/tags")) {
		*res = RES_TAGS;
		return 0;
	}
	if (!strncmp(path, "/api-key", 8) && (path[8] == '\0' || path[8] == '/')) {
		p = path + 8;
		*res = RES_APIKEYS;
		if (!*p)
			return 0;
		p++;
		if (!strcmp(p, "audit")) {
			*res = RES_APIKEYS_AUDIT;
			return 0;
		}
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
	if (!strcmp(p, "/audit")) {
		*res = RES_AUDIT;
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

/* The query of GET .../tools (?methods=read,list&tags=dns) as the filter
 * object admin_tools_preview takes: {"methods": [...], "tags": [...]}.
 * Each value is percent-decoded (RFC 3986 §2.1: a browser's URLSearchParams
 * sends "," as %2C), then split into words like every list of ours
 * (words.h); the words themselves are validated by mcp_servers.c. A
 * parameter given twice, or one other than these two, is refused; "" and
 * NULL mean no filter. NULL with *why set on a bad query, or on no
 * memory (*why NULL). */
static cJSON *tools_query(const char *q, const char **why)
{
	cJSON *o = cJSON_CreateObject();
	char *v = NULL;

	*why = NULL;
	while (o && q && *q) {
		size_t n = strcspn(q, "&"), kl = strcspn(q, "=&"), wl;
		long vl;
		const char *k = kl == 7 && !strncmp(q, "methods", 7) ? "methods" :
			kl == 4 && !strncmp(q, "tags", 4) ? "tags" : NULL;
		const char *cur, *w;
		cJSON *arr;

		if (!k) {
			*why = "unknown query parameter (allowed: methods, tags)";
			goto bad;
		}
		if (cJSON_GetObjectItemCaseSensitive(o, k)) {
			*why = "a query parameter is given twice";
			goto bad;
		}
		arr = cJSON_CreateArray();
		if (json_add(o, k, arr)) /* arr is o's from here on */
			goto bad;
		v = xmalloc(n + 1); /* decoded, never longer than the raw value */
		if (!v)
			goto bad;
		vl = kl < n ? pct_decode(q + kl + 1, n - kl - 1, v, n + 1) : pct_decode("", 0, v, n + 1);
		if (vl == PCT_BAD_ESCAPE || vl == PCT_NUL) {
			*why = vl == PCT_NUL ? "a query value has a NUL byte" : "a query value has a bad percent-escape";
			goto bad;
		}
		cur = v;
		while ((wl = words_next(&cur, &w))) {
			char word[65];
			if (wl >= sizeof(word)) {
				*why = "a query value has a word over 64 characters";
				goto bad;
			}
			memcpy(word, w, wl);
			word[wl] = '\0';
			if (json_add(arr, NULL, cJSON_CreateString(word)))
				goto bad;
		}
		xfree(v);
		v = NULL;
		q += n;
		if (*q == '&')
			q++;
	}
	return o;
bad:
	xfree(v);
	cJSON_Delete(o);
	return NULL;
}

/* One request, as the route handlers see it: the authenticated key, the
 * ids the path names, the parsed body (owned, freed at the end). */
struct call {
	const struct http_request *req;
	struct admin a;
	struct apikey key;
	char id[64], mid[64];
	cJSON *in;
};

/* Each fills r (an admin operation's answer). */
static void accounts_list(struct call *c, struct admin_res *r)
{
	admin_account_list(&c->a, apikey_all_accounts(&c->key) ? NULL : &c->key, r);
}

static void accounts_create(struct call *c, struct admin_res *r)
{
	admin_account_create(&c->a, c->in, r);
}

static void account_get(struct call *c, struct admin_res *r)
{
	admin_account_get(&c->a, c->id, r);
}

static void account_update(struct call *c, struct admin_res *r)
{
	admin_account_update(&c->a, c->id, c->in, r);
}

static void account_delete(struct call *c, struct admin_res *r)
{
	admin_account_delete(&c->a, c->id, r);
}

/* ?cursor=&limit= (limit 50 when absent). */
static void mcps_list(struct call *c, struct admin_res *r)
{
	char cursor[64], lim[16];
	long limit = 50;
	int hc = query_get(c->req->query, "cursor", cursor, sizeof(cursor));
	int hl = query_get(c->req->query, "limit", lim, sizeof(lim));

	if (hc < 0 || hl < 0) {
		admin_fail(r, 400, "bad_request", "cursor or limit too long");
		return;
	}
	if (hl > 0) {
		char *end;
		limit = strtol(lim, &end, 10);
		if (*end || !*lim)
			limit = -1;
	}
	admin_mcp_list(&c->a, c->id, hc > 0 ? cursor : NULL, limit, r);
}

static void mcps_create(struct call *c, struct admin_res *r)
{
	admin_mcp_create(&c->a, c->id, c->in, r);
}

static void mcp_get(struct call *c, struct admin_res *r)
{
	admin_mcp_get(&c->a, c->id, c->mid, r);
}

static void mcp_update(struct call *c, struct admin_res *r)
{
	admin_mcp_update(&c->a, c->id, c->mid, c->in, r);
}

static void mcp_delete(struct call *c, struct admin_res *r)
{
	admin_mcp_delete(&c->a, c->id, c->mid, r);
}

static void tools_preview(struct call *c, struct admin_res *r)
{
	const char *why;

	c->in = tools_query(c->req->query, &why);
	if (c->in)
		admin_tools_preview(&c->a, c->id, c->in, r);
	else
		admin_fail(r, why ? 400 : 500, why ? "bad_request" : "internal_error", "%s", why ? why : "out of memory");
}

static void account_audit(struct call *c, struct admin_res *r)
{
	audit_read(&c->a, c->id, c->req->query, r);
}

static void apikeys_audit(struct call *c, struct admin_res *r)
{
	audit_read(&c->a, NULL, c->req->query, r);
}

/* GET /catalog/tags: the catalogue's tags with tool counts (catalog_tags.h) */
static void tags_list(struct call *c, struct admin_res *r)
{
	r->body = c->a.cat ? catalog_tags_json(c->a.cat) : NULL;
	if (r->body)
		r->status = 200;
	else
		admin_fail(r, 500, "internal_error", "out of memory");
}

static void apikeys_list(struct call *c, struct admin_res *r)
{
	admin_apikey_list(&c->a, r);
}

static void apikeys_create(struct call *c, struct admin_res *r)
{
	admin_apikey_create(&c->a, c->in, r);
}

static void apikey_revoke(struct call *c, struct admin_res *r)
{
	admin_apikey_revoke(&c->a, c->id, r);
}

/* What the API key must be allowed, checked before anything else of the
 * request: any valid key; a key for every account ("*"); or a key allowed
 * on the account the path names. */
enum need { NEED_KEY, NEED_ALL, NEED_ACCOUNT };

static const char FORBIDDEN_KEYS[] = "Only an API key for all accounts (\"*\") may list, create or revoke API keys";

/* Which stream a management action's entry goes to (audit.h): the
 * account's the path names, the new account's, or the global one (API
 * keys, and a removed account, whose own stream is gone with it). */
enum trail { TRAIL_NONE, TRAIL_ACCOUNT, TRAIL_CREATED, TRAIL_GLOBAL };

static const struct route {
	enum res res;
	const char *method;
	enum need need;
	int body;              /* takes a JSON body */
	void (*run)(struct call *c, struct admin_res *r);
	const char *forbidden; /* the 403 message (NEED_ALL) */
	const char *action;    /* the audit trail's name for it when it succeeds; NULL: a read */
	enum trail trail;
} routes[] = {
	/* per resource, in the order Allow lists the methods */
	{ RES_ACCOUNTS, "GET", NEED_KEY, 0, accounts_list, NULL, NULL, TRAIL_NONE },
	{ RES_ACCOUNTS, "POST", NEED_ALL, 1, accounts_create,
		"Only an API key for all accounts (\"*\") may create integrated accounts", "account.created", TRAIL_CREATED },
	{ RES_ACCOUNT, "GET", NEED_ACCOUNT, 0, account_get, NULL, NULL, TRAIL_NONE },
	{ RES_ACCOUNT, "PATCH", NEED_ACCOUNT, 1, account_update, NULL, "account.token_rotated", TRAIL_ACCOUNT },
	{ RES_ACCOUNT, "DELETE", NEED_ACCOUNT, 0, account_delete, NULL, "account.removed", TRAIL_GLOBAL },
	{ RES_MCPS, "GET", NEED_ACCOUNT, 0, mcps_list, NULL, NULL, TRAIL_NONE },
	{ RES_MCPS, "POST", NEED_ACCOUNT, 1, mcps_create, NULL, "mcp_server.created", TRAIL_ACCOUNT },
	{ RES_MCP, "GET", NEED_ACCOUNT, 0, mcp_get, NULL, NULL, TRAIL_NONE },
	{ RES_MCP, "PATCH", NEED_ACCOUNT, 1, mcp_update, NULL, "mcp_server.changed", TRAIL_ACCOUNT },
	{ RES_MCP, "DELETE", NEED_ACCOUNT, 0, mcp_delete, NULL, "mcp_server.revoked", TRAIL_ACCOUNT },
	{ RES_TOOLS, "GET", NEED_ACCOUNT, 0, tools_preview, NULL, NULL, TRAIL_NONE },
	{ RES_AUDIT, "GET", NEED_ACCOUNT, 0, account_audit, NULL, NULL, TRAIL_NONE },
	{ RES_APIKEYS, "GET", NEED_ALL, 0, apikeys_list, FORBIDDEN_KEYS, NULL, TRAIL_NONE },
	{ RES_APIKEYS, "POST", NEED_ALL, 1, apikeys_create, FORBIDDEN_KEYS, "api_key.created", TRAIL_GLOBAL },
	{ RES_APIKEYS_AUDIT, "GET", NEED_ALL, 0, apikeys_audit,
		"Only an API key for all accounts (\"*\") may read the API keys' audit trail", NULL, TRAIL_NONE },
	{ RES_APIKEY, "DELETE", NEED_ALL, 0, apikey_revoke, FORBIDDEN_KEYS, "api_key.revoked", TRAIL_GLOBAL },
	{ RES_TAGS, "GET", NEED_KEY, 0, tags_list, NULL, NULL, TRAIL_NONE },
};

/*
 * The RECORD_ADMIN of a management action that succeeded (r->status <
 * 400): what it was, on what (the path's id, or the id the answer gives
 * a new record), by which API key. Ids only: never a body value.
 */
static void record_action(const struct mcp_env *env, const struct route *rt, const struct call *c,
	const struct admin_res *r)
{
	const cJSON *nid = r->body ? cJSON_GetObjectItemCaseSensitive(r->body, "id") : NULL;
	const char *created = cJSON_IsString(nid) ? nid->valuestring : "";
	const char *ua = http_request_header(c->req, "user-agent");
	struct record rec;

	if (!env->record || !rt->action || r->status >= 400)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.kind = RECORD_ADMIN;
	rec.time_ms = env->now_ms ? env->now_ms() : (long long)env->now() * 1000;
	rec.upstream_ms = -1;
	rec.tclass = CLASS_COUNT;
	if (rt->trail == TRAIL_ACCOUNT)
		record_text(rec.account_id, sizeof(rec.account_id), c->id);
	else if (rt->trail == TRAIL_CREATED)
		record_text(rec.account_id, sizeof(rec.account_id), created);
	if (rt->res == RES_MCPS || rt->res == RES_MCP) {
		record_text(rec.mcp_id, sizeof(rec.mcp_id), rt->res == RES_MCP ? c->mid : created);
		nid = r->body ? cJSON_GetObjectItemCaseSensitive(r->body, "name") : NULL;
		record_text(rec.mcp_name, sizeof(rec.mcp_name), cJSON_IsString(nid) ? nid->valuestring : NULL);
	}
	record_text(rec.target_id, sizeof(rec.target_id),
		rt->res == RES_MCP ? c->mid : (rt->res == RES_ACCOUNTS || rt->res == RES_MCPS ||
			rt->res == RES_APIKEYS) ? created : c->id);
	record_text(rec.action, sizeof(rec.action), rt->action);
	record_text(rec.actor, sizeof(rec.actor), c->key.id);
	record_text(rec.user_agent, sizeof(rec.user_agent), ua);
	rec.http_status = r->status;
	/* account.created starts the account's stream, and every later entry
	 * for it needs the stream (NOMKSTREAM, audit.c): so it is written now,
	 * before the answer, not held back in a worker's batch where another
	 * worker's entry for the new account could overtake it */
	if (rt->trail == TRAIL_CREATED && env->admin_store && env->cfg &&
	    audit_append_one(env->admin_store, env->cfg->audit_maxlen, &rec) == 0)
		return;
	env->record(env->record_ud, &rec);
}

/* The route for res and method; NULL (and the Allow value in allow) when
 * the resource does not take that method. */
static const struct route *route_find(enum res res, const char *method, char *allow, size_t allowsz)
{
	size_t i, len = 0;

	allow[0] = '\0';
	for (i = 0; i < CFMCP_NELEM(routes); i++) {
		if (routes[i].res != res)
			continue;
		if (!strcmp(routes[i].method, method))
			return &routes[i];
		len += (size_t)snprintf(allow + len, len < allowsz ? allowsz - len : 0, "%s%s", len ? ", " : "",
			routes[i].method);
	}
	return NULL;
}

static void header(struct http_response *resp, const char *name, const char *value)
{
	if (http_response_header(resp, name, value)) {
		/* literals: this fails only when memory does, and then the
		 * answer is a 500 anyway (http.c) */
	}
}

/* The one authenticate step (RFC 6750): the Bearer's SHA-256 names the
 * key, which must pass the rule require_api_token_auth applies
 * (apikey_check). 0, or -1 with the answer (401, 503) in resp. */
static int authenticate(const struct mcp_env *env, struct call *c, char hash[CRYPTO_SHA256_HEX],
	struct http_response *resp)
{
	const char *auth;
	size_t n;
	int rc;

	if (http_request_bearer(c->req, &auth, &n) != 1 || crypto_token_hash(auth, n, hash) < 0) {
		header(resp, "WWW-Authenticate", "Bearer realm=\"cfmcp-admin\"");
		error(resp, 401, "unauthorized", "Send an API key as Authorization: Bearer <key> (cfmcp-admin apikey create)");
		return -1;
	}
	if (!env->admin_store) {
		error(resp, 503, "service_unavailable", "the token store is not configured");
		return -1;
	}
	rc = apikey_read(env->admin_store, hash, &c->key);
	if (rc < 0) {
		header(resp, "Retry-After", "1");
		error(resp, 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly");
		return -1;
	}
	if (apikey_check(&c->key, hash, NULL, env->now()) != APIKEY_OK) {
		header(resp, "WWW-Authenticate", "Bearer realm=\"cfmcp-admin\", error=\"invalid_token\"");
		error(resp, 401, "unauthorized", "The API key is unknown, revoked or expired");
		return -1;
	}
	return 0;
}

/* The route's authorization (403), then its body (415, 413, 400): 0, or
 * -1 with the answer in resp. */
static int admit(const struct mcp_env *env, const struct route *rt, struct call *c, const char *hash,
	struct http_response *resp)
{
	const struct http_request *req = c->req;
	const char *ct, *why = NULL;
	enum mcp_err e;

	if (rt->need == NEED_ALL && !apikey_all_accounts(&c->key)) {
		error(resp, 403, "forbidden", rt->forbidden);
		return -1;
	}
	if (rt->need == NEED_ACCOUNT && apikey_check(&c->key, hash, c->id, env->now()) != APIKEY_OK) {
		error(resp, 403, "forbidden", "This API key is not allowed on that integrated account");
		return -1;
	}
	if (!rt->body)
		return 0;
	ct = http_request_header(req, "content-type");
	if (!ct || strncasecmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		error(resp, 415, "unsupported_media_type", "Send the body as Content-Type: application/json");
		return -1;
	}
	if (req->body_too_large || req->body.len > MGMT_MAX_BODY) {
		error(resp, 413, "payload_too_large", "The body is larger than 64 KiB");
		return -1;
	}
	e = jsonrpc_parse(req->body.p ? req->body.p : "", req->body.len, &c->in, &why);
	if (e == MCP_ENOMEM) {
		/* the request may be fine: not the caller's to fix (bug_mgmt_body_oom_is_400) */
		error(resp, 500, "internal_error", "out of memory");
		return -1;
	}
	if (e != MCP_OK) {
		char msg[200];
		snprintf(msg, sizeof(msg), "The body is not valid JSON (%s)", why ? why : "parse error");
		error(resp, 400, "bad_request", msg);
		return -1;
	}
	return 0;
}

void mgmt_handle(const struct mcp_env *env, const struct http_request *req, struct http_response *resp)
{
	char hash[CRYPTO_SHA256_HEX], actor[160], allow[64];
	const struct route *rt;
	struct admin_res r;
	struct call c;
	enum res res;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.req = req;
	if (parse_path(req->path, c.id, c.mid, &res) < 0) {
		error(resp, 404, "not_found", "No such endpoint");
		return;
	}
	rt = route_find(res, req->method ? req->method : "", allow, sizeof(allow));
	if (!rt) {
		header(resp, "Allow", allow);
		error(resp, 405, "method_not_allowed", "Method not allowed on this resource");
		return;
	}
	if (authenticate(env, &c, hash, resp) < 0 || admit(env, rt, &c, hash, resp) < 0)
		goto out;
	snprintf(actor, sizeof(actor), "apikey:%s", c.key.id);
	c.a.st = env->admin_store;
	c.a.cat = env->cat;
	c.a.keys = &env->cfg->keys;
	c.a.public_url = env->cfg->public_url;
	c.a.now = env->now();
	c.a.actor = actor;
	rt->run(&c, &r);
	record_action(env, rt, &c, &r);
	if (r.status >= 400) {
		if (r.status == 503)
			header(resp, "Retry-After", "1");
		error(resp, r.status, r.error ? r.error : "internal_error", r.message);
	} else {
		answer(resp, r.status, r.body);
	}
out:
	admin_res_free(&r);
	cJSON_Delete(c.in);
}
