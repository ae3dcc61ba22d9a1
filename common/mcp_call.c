/*
 * mcp_call.c - one MCP request's state; see mcp_call.h.
 *
 * The opened Cloudflare token lives here rather than in zone.c or mcp.c:
 * it is a field of the call, filled on first use by whichever of them
 * needs it first (a zone-name lookup, then the tool call itself, share
 * one opening) and wiped with the rest of the call.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "mcp_call.h"
#include "plan.h"
#include "result.h"
#include "tool.h"
#include "upstream.h"
#include "zone.h"

void call_init(struct call *c, const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->req = req;
	c->tx.resp = resp;
	c->tx.framing = TRANSPORT_JSON;
	c->t0_ms = env->now_ms ? env->now_ms() : env->now ? (long long)env->now() * 1000 : 0;
}

void call_free(struct call *c)
{
	crypto_wipe(c->cf_token, sizeof(c->cf_token));
	crypto_wipe(&c->scope, sizeof(c->scope));
	cJSON_Delete(c->err_data);
	c->err_data = NULL;
}

/* The AAD ties the ciphertext to its account record (crypto.h). */
const char *call_cf_token(struct call *c)
{
	char aad[SCOPE_FIELD + 16];

	if (c->cf_token[0])
		return c->cf_token;
	if (!c->scope.cf_token_sealed[0])
		return NULL;
	snprintf(aad, sizeof(aad), "account:%s", c->scope.account);
	if (crypto_open(&c->env->cfg->keys, aad, c->scope.cf_token_sealed, c->cf_token, sizeof(c->cf_token)) != CRYPTO_OK) {
		log_warn("account %s: the Cloudflare token does not open with the configured keys "
			 "(CFMCP_KEY_FILE rotated without rekey?)", c->scope.account);
		return NULL;
	}
	return c->cf_token;
}

/* ---- records (record.h) ------------------------------------------------ */

/* The client's name and version: the protocol's clientInfo where this
 * message carries it (initialize's params.clientInfo, or 2026-07-28's
 * params._meta), else the User-Agent's first product ("name/version"). */
static void record_client(const struct call *c, struct record *r)
{
	const cJSON *p = c->msg_params, *info = NULL, *meta, *n, *v;
	const char *ua = http_request_header(c->req, "user-agent");

	record_text(r->user_agent, sizeof(r->user_agent), ua);
	if (cJSON_IsObject(p)) {
		if (c->msg_method && !strcmp(c->msg_method, "initialize"))
			info = cJSON_GetObjectItemCaseSensitive(p, "clientInfo");
		meta = cJSON_GetObjectItemCaseSensitive(p, "_meta");
		if (!cJSON_IsObject(info) && cJSON_IsObject(meta))
			info = cJSON_GetObjectItemCaseSensitive(meta, "io.modelcontextprotocol/clientInfo");
	}
	n = cJSON_IsObject(info) ? cJSON_GetObjectItemCaseSensitive(info, "name") : NULL;
	v = cJSON_IsObject(info) ? cJSON_GetObjectItemCaseSensitive(info, "version") : NULL;
	if (cJSON_IsString(n) && n->valuestring[0]) {
		record_text(r->client_name, sizeof(r->client_name), n->valuestring);
		record_text(r->client_version, sizeof(r->client_version), cJSON_IsString(v) ? v->valuestring : NULL);
		return;
	}
	if (r->user_agent[0]) {
		size_t nl = strcspn(r->user_agent, "/ "), vl;
		if (nl >= sizeof(r->client_name))
			nl = sizeof(r->client_name) - 1;
		memcpy(r->client_name, r->user_agent, nl);
		r->client_name[nl] = '\0';
		if (r->user_agent[nl] == '/') {
			vl = strcspn(r->user_agent + nl + 1, " ");
			if (vl >= sizeof(r->client_version))
				vl = sizeof(r->client_version) - 1;
			memcpy(r->client_version, r->user_agent + nl + 1, vl);
			r->client_version[vl] = '\0';
		}
	}
}

void call_record(const struct call *c, enum record_kind kind, struct record *r)
{
	const cJSON *id = c->msg_id;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->time_ms = c->t0_ms;
	r->upstream_ms = -1;
	r->tclass = CLASS_COUNT; /* no class until a tool is known */
	record_text(r->account_id, sizeof(r->account_id), c->scope.account);
	record_text(r->mcp_id, sizeof(r->mcp_id), c->scope.id);
	record_text(r->mcp_name, sizeof(r->mcp_name), c->scope.name);
	/* jsonrpc_check allowed a bounded string or an integer within 2^53 */
	if (cJSON_IsString(id))
		record_text(r->request_id, sizeof(r->request_id), id->valuestring);
	else if (cJSON_IsNumber(id))
		snprintf(r->request_id, sizeof(r->request_id), "%.0f", id->valuedouble);
	record_client(c, r);
}

/* A tool name's shape (what catalog names are): 1..64 of [a-z0-9_]. */
static int name_shape(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n >= 1 && n <= 64 && s[n] == '\0';
}

static enum record_class class_of(const struct tool *t)
{
	if (tool_is_read(t))
		return CLASS_READ;
	if (t->kind == TOOL_CREATE || t->kind == TOOL_UPDATE || t->kind == TOOL_DELETE)
		return CLASS_WRITE;
	return CLASS_CUSTOM;
}

enum record_outcome call_outcome(const struct upstream_reply *ur)
{
	if (ur->err != UP_OK)
		return OUTCOME_UPSTREAM_ERROR;
	if (ur->status == 429)
		return OUTCOME_RATE_LIMITED;
	return ur->status >= 200 && ur->status < 300 ? OUTCOME_OK : OUTCOME_TOOL_ERROR;
}

void call_record_tool(const struct call *c, const char *name, const struct tool *t, const cJSON *args,
	enum record_outcome o, const struct upstream_reply *ur)
{
	struct record r;

	if (!c->env->record)
		return;
	call_record(c, RECORD_TOOL_CALL, &r);
	r.outcome = o;
	if (t) {
		record_text(r.tool, sizeof(r.tool), t->name);
		r.tclass = class_of(t);
		record_text(r.cf_method, sizeof(r.cf_method), t->http);
		record_text(r.cf_path, sizeof(r.cf_path), t->path);
	} else if (name && name_shape(name)) {
		record_text(r.tool, sizeof(r.tool), name);
	}
	if (ur) {
		r.upstream_status = ur->err == UP_OK ? (int)ur->status : 0;
		r.upstream_ms = ur->ms < 0 ? 0 : ur->ms;
		record_text(r.cf_ray, sizeof(r.cf_ray), ur->cf_ray);
	}
	if (record_args_sha256(args, r.args_sha256) < 0)
		log_warn("audit: no memory to hash a tool call's arguments");
	c->env->record(c->env->record_ud, &r);
}

/* See mcp_call.h: t (in scope) called with args (an object or NULL). */
enum mcp_err mcp_call_tool(struct call *c, const struct tool *t, const cJSON *args, struct buf *res)
{
	struct plan p;
	struct upstream_reply ur;
	char why[512];
	enum mcp_err e = MCP_ENOMEM;
	int rc;
	struct plan_ctx actx = { c->scope.cf_account, zone_resolve, c };

	plan_init(&p);
	upstream_reply_init(&ur);
	why[0] = '\0';
	rc = plan_build(t, args, &actx, &p, why, sizeof(why));
	if (rc == -1 || rc == -3) {
		char msg[700];
		if (rc == -1)
			snprintf(msg, sizeof(msg), "Invalid arguments for %s: %s. Nothing was sent to Cloudflare.",
				t->name, why);
		else
			snprintf(msg, sizeof(msg), "%s: %s.", t->name, why);
		call_record_tool(c, NULL, t, args, OUTCOME_INVALID, NULL);
		e = result_tool_error(c, res, msg) ? MCP_ENOMEM : MCP_OK;
		goto out;
	}
	if (rc < 0) {
		call_record_tool(c, NULL, t, args, OUTCOME_UPSTREAM_ERROR, NULL);
		goto out;
	}
	if (!call_cf_token(c)) {
		call_record_tool(c, NULL, t, args, OUTCOME_UPSTREAM_ERROR, NULL);
		e = result_tool_error(c, res, MCP_CALL_NO_CF_TOKEN) ? MCP_ENOMEM : MCP_OK;
		goto out;
	}
	c->env->upstream(c->env->up_ud, &p, call_cf_token(c), &ur);
	e = result_from_upstream(c, t, &ur, res);
	call_record_tool(c, NULL, t, args, call_outcome(&ur), &ur);
out:
	upstream_reply_free(&ur);
	plan_free(&p);
	return e;
}
