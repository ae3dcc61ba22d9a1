/*
 * apikey.h - an API key (cfmcp:apikey:<sha256(key)>, README "Key layout"):
 * who may use the management API, and what satisfies an MCP server's
 * require_api_token_auth. The record, parsing it from its Redis hash, and
 * the one rule both sides use to decide whether a key is good
 * (apikey_check): the MCP side (scope_apikey_check, for the token's
 * account) and the management API (mgmt.c, for the account a route names).
 */
#ifndef CFMCP_APIKEY_H
#define CFMCP_APIKEY_H

#include <stddef.h>

#define APIKEY_FIELD 128

struct apikey {
	int present;                /* a record was found and parsed */
	char id[APIKEY_FIELD];      /* ak_...; a record without one is no key */
	char hash[65];              /* SHA-256 hex stored in the record */
	char accounts[1024];        /* "*" (the whole value) or a list of integrated account ids */
	long expires_at;            /* Unix seconds; 0 = never */
};

/* Fill k from alternating field/value strings (an HGETALL reply of the
 * key's hash); present = n > 0. Unknown fields are ignored; an over-long
 * value or a malformed expires_at makes it fail (-1, k zeroed). */
int apikey_from_pairs(struct apikey *k, const char *const *kv, const size_t *kvlen, size_t n)
	__attribute__((nonnull(1), warn_unused_result));

struct admin_store;
/* Read the key whose SHA-256 hex is hash through the management half's
 * store (admin.h): 1 found (*out filled, present), 0 no such key or a
 * record that does not parse (*out zeroed), -1 Redis down, or the key is
 * not a hash. */
int apikey_read(const struct admin_store *st, const char *hash, struct apikey *out)
	__attribute__((nonnull, warn_unused_result));

/* Whether the key is for every integrated account: accounts is "*". */
int apikey_all_accounts(const struct apikey *k) __attribute__((nonnull));
/* Whether the key may act on this integrated account ("*", or listed). */
int apikey_allows_account(const struct apikey *k, const char *account) __attribute__((nonnull));

enum apikey_verdict {
	APIKEY_OK = 0,
	APIKEY_MISSING,       /* no Authorization: Bearer */
	APIKEY_INVALID,       /* unknown, revoked, expired, or a record without an id or hash */
	APIKEY_WRONG_ACCOUNT  /* valid, but not allowed on this account */
};

/* The one rule. k: the record looked up by bearer_hash, the SHA-256 hex
 * of the Bearer sent (NULL: none sent). Good when the record is present,
 * has an id, its stored hash equals bearer_hash (compared in constant
 * time), it has not expired at now, and, account not NULL, it is allowed
 * on that account. */
enum apikey_verdict apikey_check(const struct apikey *k, const char *bearer_hash, const char *account, long now)
	__attribute__((nonnull(1), warn_unused_result));

#endif
