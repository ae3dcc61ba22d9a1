/*
 * mcp_servers.c - MCP server tokens and the tools a scope keeps (mcp_servers.h).
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "admin_private.h"
#include "jsonrpc.h"
#include "mcp_servers.h"
#include "words.h"

/* Words of a methods/tags filter into a comma list; validated. */
static int filter_words(const cJSON *v, int methods, char *out, size_t outsz, struct admin_res *r)
{
	const cJSON *it;
	size_t len = 0, at = 0;

	out[0] = '\0';
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v)) {
		BAD(r, "config.%s must be an array of strings", methods ? "methods" : "tags");
		return -1;
	}
	cJSON_ArrayForEach(it, v) {
		const char *w;
		size_t n, i;
		if (!cJSON_IsString(it) || !(n = strlen(it->valuestring)) || n > 64) {
			BAD(r, "config.%s: each entry is a string of 1 to 64 characters", methods ? "methods" : "tags");
			return -1;
		}
		w = it->valuestring;
		at++;
		for (i = 0; i < n; i++)
			if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') ||
			      (w[i] >= '0' && w[i] <= '9') || w[i] == '_' || w[i] == '-' || w[i] == '.')) {
				/* the place, never the value (STYLE 9) */
				BAD(r, "config.%s: entry %zu has a character other than letters, digits, _ - .",
					methods ? "methods" : "tags", at);
				return -1;
			}
		if (len + n + 2 > outsz) {
			BAD(r, "config.%s is too long", methods ? "methods" : "tags");
			return -1;
		}
		if (len)
			out[len++] = ',';
		memcpy(out + len, w, n);
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/* Every method word must mean something; the filter must keep a tool. */
static int filter_check(const struct admin *a, const char *methods, const char *tags, struct admin_res *r)
{
	struct scope s;
	size_t i, n, hits = 0, at = 0;
	const char *cur = methods, *p;

	memset(&s, 0, sizeof(s));
	while ((n = words_next(&cur, &p))) {
		int known;

		at++;
		known = (n == 4 && !strncmp(p, "read", 4)) || (n == 5 && !strncmp(p, "write", 5)) ||
			    (n == 6 && !strncmp(p, "custom", 6));
		for (i = 0; !known && i < a->cat->ntools; i++) {
			const struct tool *t = &a->cat->tools[i];
			known = (strlen(t->name) == n && !strncmp(t->name, p, n)) ||
				(strlen(t->method_key) == n && !strncmp(t->method_key, p, n));
		}
		if (!known)
			return BAD(r, "config.methods: entry %zu is not read, write, custom, a method (list, get, "
				"create, update, delete, or a custom method) or a tool name", at);
	}
	snprintf(s.methods, sizeof(s.methods), "%s", methods);
	snprintf(s.tags, sizeof(s.tags), "%s", tags);
	for (i = 0; i < a->cat->ntools; i++)
		hits += (size_t)scope_allows(&s, &a->cat->tools[i]);
	if (!hits)
		return BAD(r, "config: no tool matches these methods and tags together; nothing would be callable");
	return 0;
}

/* A stored tool_mode as the API shows it: unset and unknown are auto,
 * as scope.c reads them (README "Discovery mode: tool_mode"). */
static const char *tool_mode_of(const char *v)
{
	return v && (!strcmp(v, "tools") || !strcmp(v, "discovery")) ? v : "auto";
}

static cJSON *mcp_json(const struct admin_rec *h)
{
	static const char *const head[] = { "id", "name", "integrated_account_id=account", NULL };
	static const char *const tail[] = { "expires_at", "created_at", "updated_at", "created_by", NULL };
	cJSON *o = cJSON_CreateObject(), *conf = cJSON_CreateObject();
	const char *ra = admin_rec_get(h, "require_api_token_auth");

	if (!o || admin_add_fields(o, h, head)) {
		cJSON_Delete(o);
		cJSON_Delete(conf);
		return NULL;
	}
	/* conf is o's from here on, even when json_add fails */
	if (json_add(o, "config", conf) ||
	    json_add(conf, "methods", admin_words_array(admin_rec_get(h, "methods"))) ||
	    json_add(conf, "tags", admin_words_array(admin_rec_get(h, "tags"))) ||
	    json_add(conf, "require_api_token_auth", cJSON_CreateBool(ra && (!strcmp(ra, "1") || !strcmp(ra, "true")))) ||
	    json_add(conf, "tool_mode", cJSON_CreateString(tool_mode_of(admin_rec_get(h, "tool_mode")))) ||
	    admin_add_fields(o, h, tail)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* An MCP server's record, if it belongs to account (NULL: any). */
static int mcp_read(const struct admin *a, const char *account, const char *id, int watch,
	char hash[65], redisReply **h)
{
	const char *acc;
	int rc = admin_record_by_id(a, "mcp", id, watch, hash, h);

	if (rc != 1) {
		if (rc == 0 && watch) {
			admin_unwatch(a);
		}
		return rc;
	}
	acc = admin_field(*h, "account");
	if (!acc || (account && strcmp(acc, account))) {
		store_reply_free(*h);
		*h = NULL;
		if (watch) {
			admin_unwatch(a);
		}
		return 0;
	}
	return 1;
}

/* An MCP server's body: {name?, config?: {methods?, tags?,
 * require_api_token_auth?}, expires_at?}, its members checked (the filter
 * words later, by filter_words). A create takes "config": null as no
 * config; an update refuses it. 0, or r->status. */
struct mcp_body {
	const cJSON *name, *conf, *methods, *tags, *ra, *tool_mode, *expires;
};

static int mcp_body(const cJSON *in, int create, struct mcp_body *b, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "config", "expires_at", NULL };
	static const char *const callowed[] = { "methods", "tags", "require_api_token_auth", "tool_mode", NULL };
	const char *which;

	memset(b, 0, sizeof(*b));
	if (admin_members(in, allowed, r))
		return r->status;
	b->name = cJSON_GetObjectItemCaseSensitive(in, "name");
	b->conf = cJSON_GetObjectItemCaseSensitive(in, "config");
	b->expires = cJSON_GetObjectItemCaseSensitive(in, "expires_at");
	if (b->name && !(cJSON_IsString(b->name) && admin_printable(b->name->valuestring, 100)))
		return BAD(r, "name must be a string of 1 to 100 printable characters");
	if (create && cJSON_IsNull(b->conf))
		b->conf = NULL;
	if (!b->conf)
		return 0;
	if (!cJSON_IsObject(b->conf))
		return BAD(r, "config must be an object {methods, tags, require_api_token_auth, tool_mode}");
	if (admin_unknown_member(b->conf, callowed, &which))
		return BAD(r, "config has a field other than methods, tags, require_api_token_auth, tool_mode");
	b->methods = cJSON_GetObjectItemCaseSensitive(b->conf, "methods");
	b->tags = cJSON_GetObjectItemCaseSensitive(b->conf, "tags");
	b->ra = cJSON_GetObjectItemCaseSensitive(b->conf, "require_api_token_auth");
	if (b->ra && !cJSON_IsBool(b->ra))
		return BAD(r, "config.require_api_token_auth must be true or false");
	b->tool_mode = cJSON_GetObjectItemCaseSensitive(b->conf, "tool_mode");
	if (b->tool_mode && !(cJSON_IsString(b->tool_mode) && (!strcmp(b->tool_mode->valuestring, "tools") ||
		    !strcmp(b->tool_mode->valuestring, "discovery") || !strcmp(b->tool_mode->valuestring, "auto"))))
		return BAD(r, "config.tool_mode must be \"tools\", \"discovery\" or \"auto\"");
	return 0;
}

/* mcp_read, answered: 0 (*h set), or r->status (404, 503). */
static int mcp_found(const struct admin *a, const char *account, const char *id, int watch, char hash[65],
	redisReply **h, struct admin_res *r)
{
	int rc = mcp_read(a, account, id, watch, hash, h);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no MCP server with that id%s", account ? " on this integrated account" : "");
	return 0;
}

int admin_mcp_create(const struct admin *a, const char *account, const cJSON *in, struct admin_res *r)
{
	char methods[1024], tags[1024], id[32], token[64], hash[65], k[ADMIN_KEYSZ], idk[ADMIN_KEYSZ], ik[ADMIN_KEYSZ];
	char now[24], exp[24] = "", url[1024], cfid[64], cftok[1200];
	struct mcp_body b;
	redisReply *h;
	long expires;
	int rc;
	cJSON *o;

	if (mcp_body(in, 1, &b, r) || filter_words(b.methods, 1, methods, sizeof(methods), r) < 0 ||
	    filter_words(b.tags, 0, tags, sizeof(tags), r) < 0 || filter_check(a, methods, tags, r))
		return r->status;
	expires = admin_expiry_of(a, b.expires, r);
	if (expires < 0)
		return r->status;
	/* WATCHed until the EXEC: an account removed or changed meanwhile
	 * aborts this (admin_account_delete, ACCOUNT_REMOVING) */
	rc = admin_account_read(a, account, 1, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	if (admin_field(h, ACCOUNT_REMOVING)) {
		store_reply_free(h);
		admin_unwatch(a);
		return NOTFOUND(r, "no integrated account with that id (it is being removed)");
	}
	/* the account's Cloudflare id and sealed token travel with the token
	 * hash: one HGETALL per request (store_lookup) */
	snprintf(cfid, sizeof(cfid), "%s", admin_field(h, "cf_account_id") ? admin_field(h, "cf_account_id") : "");
	snprintf(cftok, sizeof(cftok), "%s", admin_field(h, "cf_token") ? admin_field(h, "cf_token") : "");
	store_reply_free(h);
	if (admin_new_id(a, "mcp", id, sizeof(id)) < 0 || crypto_random_token(32, token, sizeof(token)) < 0 ||
	    crypto_sha256_hex(token, strlen(token), hash) < 0) {
		admin_unwatch(a);
		return admin_fail(r, 500, "internal_error", "no random bytes from the OS");
	}
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	snprintf(now, sizeof(now), "%ld", a->now);
	if (expires)
		snprintf(exp, sizeof(exp), "%ld", expires);
	{
		const char *hset[] = { "HSET", k, "id", id, "name", b.name ? b.name->valuestring : id,
			"account", account, "hash", hash, "methods", methods, "tags", tags,
			"require_api_token_auth", cJSON_IsTrue(b.ra) ? "1" : "0",
			"tool_mode", b.tool_mode ? b.tool_mode->valuestring : "auto", "expires_at", exp,
			"created_at", now, "updated_at", now, "created_by", a->actor,
			"cf_account_id", cfid, "cf_token", cftok, NULL };
		const char *set[] = { "SET", idk, hash, NULL };
		const char *zadd[] = { "ZADD", ik, "0", id, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *const *cmds[] = { hset, set, zadd, e1, e2 };
		rc = admin_transact(a, expires ? 5 : 3, cmds);
		o = rc == TX_APPLIED ? mcp_json(WRITTEN(hset)) : NULL;
	}
	crypto_wipe(cftok, sizeof(cftok));
	if (rc != TX_APPLIED) {
		const char *keys[] = { k, idk, NULL };
		crypto_wipe(token, sizeof(token));
		if (rc == TX_ABORTED)
			return admin_fail(r, 409, "conflict", "the integrated account changed while the MCP server was "
				"being created; retry");
		return admin_create_failed(a, keys, ik, id, rc, r);
	}
	snprintf(url, sizeof(url), "%s/mcp/%s", a->public_url, token);
	if (!o || admin_add_str(o, "url", url) || admin_add_str(o, "token", token)) {
		cJSON_Delete(o);
		crypto_wipe(token, sizeof(token));
		crypto_wipe(url, sizeof(url));
		return OOM(r);
	}
	crypto_wipe(token, sizeof(token));
	crypto_wipe(url, sizeof(url));
	return admin_ok(r, 201, o);
}

int admin_mcp_get(const struct admin *a, const char *account, const char *id, struct admin_res *r)
{
	char hash[65];
	redisReply *h;
	cJSON *o;

	if (mcp_found(a, account, id, 0, hash, &h, r))
		return r->status;
	o = mcp_json(READ(h));
	store_reply_free(h);
	return o ? admin_ok(r, 200, o) : OOM(r);
}

/* admin_list's reader: an MCP server of the account ud names. */
static int mcp_item(const struct admin *a, const char *id, const void *account, cJSON **item)
{
	char hash[65];
	redisReply *h;
	int rc = mcp_read(a, account, id, 0, hash, &h);

	if (rc <= 0)
		return rc;
	*item = mcp_json(READ(h));
	store_reply_free(h);
	return 1;
}

int admin_mcp_list(const struct admin *a, const char *account, const char *cursor, long limit,
	struct admin_res *r)
{
	char ik[ADMIN_KEYSZ], start[64], lim[24];
	const char *last;
	redisReply *ids;

	if (limit <= 0 || limit > ADMIN_PAGE_MAX)
		return BAD(r, "limit must be 1 to %d", ADMIN_PAGE_MAX);
	if (cursor && !admin_id_ok(cursor))
		return BAD(r, "cursor is not one this server gave out");
	if (admin_account_exists(a, account, r))
		return r->status;
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	snprintf(start, sizeof(start), cursor ? "(%s" : "-", cursor ? cursor : "");
	snprintf(lim, sizeof(lim), "%ld", limit + 1);
	{
		/* one more than a page: whether there is a next one */
		const char *argv[] = { "ZRANGEBYLEX", ik, start, "+", "LIMIT", "0", lim, NULL };
		ids = admin_cmd(a, argv);
	}
	if (!ids)
		return DOWN(r);
	if (admin_list(a, ids, ik, (size_t)limit, mcp_item, account, &last, r) == 200 &&
	    json_add(r->body, "next_cursor", ids->type == REDIS_REPLY_ARRAY && ids->elements > (size_t)limit && last ?
		    cJSON_CreateString(last) : cJSON_CreateNull()))
		OOM(r);
	store_reply_free(ids);
	return r->status;
}

int admin_mcp_update(const struct admin *a, const char *account, const char *id, const cJSON *in,
	struct admin_res *r)
{
	char methods[1024], tags[1024], hash[65], k[ADMIN_KEYSZ], idk[ADMIN_KEYSZ], now[24], exp[24] = "";
	const cJSON *ev, *name, *ra;
	struct mcp_body b;
	redisReply *h;
	long expires = 0;
	int rc;

	if (mcp_body(in, 0, &b, r))
		return r->status;
	ev = b.expires;
	name = b.name;
	ra = b.ra;
	if (ev && !cJSON_IsNull(ev)) {
		expires = admin_expiry_of(a, ev, r);
		if (expires < 0)
			return r->status;
		snprintf(exp, sizeof(exp), "%ld", expires);
	}
	if (mcp_found(a, account, id, 1, hash, &h, r))
		return r->status;
	snprintf(methods, sizeof(methods), "%s", admin_field(h, "methods") ? admin_field(h, "methods") : "");
	snprintf(tags, sizeof(tags), "%s", admin_field(h, "tags") ? admin_field(h, "tags") : "");
	if ((b.methods && filter_words(b.methods, 1, methods, sizeof(methods), r) < 0) ||
	    (b.tags && filter_words(b.tags, 0, tags, sizeof(tags), r) < 0) ||
	    filter_check(a, methods, tags, r)) {
		admin_unwatch(a);
		store_reply_free(h);
		return r->status;
	}
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		const char *ra_v = ra ? (cJSON_IsTrue(ra) ? "1" : "0") :
			(admin_field(h, "require_api_token_auth") ? admin_field(h, "require_api_token_auth") : "0");
		const char *hset[] = { "HSET", k, "name", name ? name->valuestring : (admin_field(h, "name") ? admin_field(h, "name") : id),
			"methods", methods, "tags", tags, "require_api_token_auth", ra_v,
			"tool_mode", b.tool_mode ? b.tool_mode->valuestring : tool_mode_of(admin_field(h, "tool_mode")),
			"updated_at", now, NULL, NULL, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *p1[] = { "PERSIST", k, NULL };
		const char *p2[] = { "PERSIST", idk, NULL };
		const char *const *cmds[3] = { hset, NULL, NULL };
		size_t n = 1;
		if (ev) {
			/* "expires_at": null clears the expiry; a time sets it */
			hset[14] = "expires_at";
			hset[15] = exp;
			cmds[1] = expires ? e1 : p1;
			cmds[2] = expires ? e2 : p2;
			n = 3;
		}
		rc = admin_transact(a, n, cmds);
	}
	store_reply_free(h);
	if (rc == TX_ABORTED)
		return admin_fail(r, 409, "conflict", "the MCP server changed or expired while being updated; read it and retry");
	if (rc != TX_APPLIED)
		return admin_tx_fail(r, rc);
	return admin_mcp_get(a, account, id, r);
}

int admin_mcp_delete(const struct admin *a, const char *account, const char *id, struct admin_res *r)
{
	char hash[65], k[ADMIN_KEYSZ], idk[ADMIN_KEYSZ], ik[ADMIN_KEYSZ];
	const char *keys[] = { k, idk, NULL };
	redisReply *h;

	if (mcp_found(a, account, id, 0, hash, &h, r))
		return r->status;
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", admin_field(h, "account"));
	store_reply_free(h);
	return admin_remove(a, keys, ik, id, r);
}

/* What a scope's filter keeps, listed for a person choosing one (the page's
 * live preview, cfmcp-admin mcp preview): the catalogue walked with the
 * same scope_allows() tools/list uses, in the same (name) order. bytes is
 * the length of the tools/list result that lists them all on one page:
 * {"tools":[<each tool's rendered JSON>,...]}. */
static cJSON *preview_json(const struct catalog *cat, const char *methods, const char *tags)
{
	static const char *const class_of[] = { [TOOL_LIST] = "read", [TOOL_GET] = "read",
		[TOOL_CREATE] = "write", [TOOL_UPDATE] = "write", [TOOL_DELETE] = "write", [TOOL_CUSTOM] = "custom" };
	struct scope s;
	cJSON *o = cJSON_CreateObject(), *tools = cJSON_CreateArray();
	size_t i, j, count = 0, bytes = sizeof("{\"tools\":[]}") - 1;

	memset(&s, 0, sizeof(s));
	snprintf(s.methods, sizeof(s.methods), "%s", methods);
	snprintf(s.tags, sizeof(s.tags), "%s", tags);
	/* each item is owned by its parent as soon as it exists (json_add),
	 * so deleting o frees everything on any failure */
	if (!o || json_add(o, "tools", tools))
		goto oom;
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		cJSON *one, *tg;
		if (!scope_allows(&s, t))
			continue;
		bytes += t->json_len + (count ? 1 : 0);
		count++;
		one = cJSON_CreateObject();
		tg = cJSON_CreateArray();
		if (json_add(tools, NULL, one)) {
			cJSON_Delete(tg);
			goto oom;
		}
		if (json_add(one, "name", cJSON_CreateString(t->name)) ||
		    json_add(one, "class", cJSON_CreateString(class_of[t->kind])) ||
		    json_add(one, "method", cJSON_CreateString(t->method_key)) || json_add(one, "tags", tg))
			goto oom;
		for (j = 0; t->tags[j]; j++)
			if (json_add(tg, NULL, cJSON_CreateString(t->tags[j])))
				goto oom;
	}
	if (json_add(o, "count", cJSON_CreateNumber((double)count)) ||
	    json_add(o, "bytes", cJSON_CreateNumber((double)bytes)))
		goto oom;
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

int admin_tools_preview(const struct admin *a, const char *account, const cJSON *conf, struct admin_res *r)
{
	static const char *const allowed[] = { "methods", "tags", NULL };
	char methods[1024], tags[1024];
	const char *which;
	cJSON *o;

	if (!cJSON_IsObject(conf))
		return BAD(r, "the filter must be an object {methods, tags}");
	if (admin_unknown_member(conf, allowed, &which))
		return BAD(r, "unknown query parameter (allowed: methods, tags)");
	/* the checks, words and messages of creating a server (a filter that
	 * keeps no tool is the same 400) */
	if (filter_words(cJSON_GetObjectItemCaseSensitive(conf, "methods"), 1, methods, sizeof(methods), r) < 0 ||
	    filter_words(cJSON_GetObjectItemCaseSensitive(conf, "tags"), 0, tags, sizeof(tags), r) < 0 ||
	    filter_check(a, methods, tags, r))
		return r->status;
	if (admin_account_exists(a, account, r))
		return r->status;
	o = preview_json(a->cat, methods, tags);
	return o ? admin_ok(r, 200, o) : OOM(r);
}
