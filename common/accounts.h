/*
 * accounts.h - integrated accounts (cfmcp:account:<id>, admin.h): a
 * Cloudflare account, its id and its API token sealed at rest. Each
 * operation returns r->status; in is the request's JSON body (an object).
 */
#ifndef CFMCP_ACCOUNTS_H
#define CFMCP_ACCOUNTS_H

#include "admin.h"

/* {name, account_id, api_token} -> 201; a taken name -> 409. */
int admin_account_create(const struct admin *a, const cJSON *in, struct admin_res *r)
	__attribute__((nonnull(1, 3)));
/* only not NULL: the accounts that API key may see. */
int admin_account_list(const struct admin *a, const struct apikey *only, struct admin_res *r)
	__attribute__((nonnull(1, 3)));
int admin_account_get(const struct admin *a, const char *id, struct admin_res *r) __attribute__((nonnull));
/* {api_token}: a new Cloudflare token, copied into every MCP server of it. */
int admin_account_update(const struct admin *a, const char *id, const cJSON *in, struct admin_res *r)
	__attribute__((nonnull(1, 2, 4)));
/* Revokes its MCP servers first, then removes it -> 204. */
int admin_account_delete(const struct admin *a, const char *id, struct admin_res *r) __attribute__((nonnull));
/* Re-seal every account's Cloudflare token with the first key. */
int admin_account_rekey(const struct admin *a, struct admin_res *r) __attribute__((nonnull));

#endif
