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

void call_init(struct call *c, const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->req = req;
	c->tx.resp = resp;
	c->tx.framing = TRANSPORT_JSON;
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
