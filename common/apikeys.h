/*
 * apikeys.h - creating, listing and revoking API keys (the records of
 * apikey.h; admin.h has the layout). Each returns r->status.
 */
#ifndef CFMCP_APIKEYS_H
#define CFMCP_APIKEYS_H

#include "admin.h"

/* {name, accounts: "*" or [ids], expires_at?} -> 201 with the key, shown
 * this once. */
int admin_apikey_create(const struct admin *a, const cJSON *in, struct admin_res *r)
	__attribute__((nonnull(1, 3)));
/* Every key (never the secret). */
int admin_apikey_list(const struct admin *a, struct admin_res *r) __attribute__((nonnull));
int admin_apikey_revoke(const struct admin *a, const char *id, struct admin_res *r) __attribute__((nonnull));

#endif
