/*
 * scope.h - what one MCP server token allows. Stored as the Redis hash
 * cfmcp:mcp:<sha256(token)> (README "Key layout"); this file turns that
 * hash into a typed struct and decides whether a tool is in scope.
 */
#ifndef CFMCP_SCOPE_H
#define CFMCP_SCOPE_H

#include <stddef.h>

#include "apikey.h"

#define SCOPE_FIELD 128

struct scope {
	char id[SCOPE_FIELD];       /* MCP server id (not the token) */
	char name[SCOPE_FIELD];     /* its name, for the audit trail; "" when longer */
	char hash[65];              /* SHA-256 hex stored in the record */
	char account[SCOPE_FIELD];  /* integrated account id */
	char methods[1024];         /* comma list; empty = every method */
	char tags[1024];            /* comma list; empty = every tag */
	int require_api_auth;       /* config.require_api_token_auth */
	long expires_at;            /* Unix seconds; 0 = never */
	char tool_mode[16];         /* "tools", "discovery", "auto"; other/empty = auto */
	/* The integrated account's, copied into the token's hash when it is
	 * minted (and re-copied when the account's token changes), so one
	 * HGETALL serves a request; read from the account's hash otherwise. */
	char cf_account[SCOPE_FIELD]; /* Cloudflare account id */
	char cf_token_sealed[1024]; /* AES-GCM sealed Cloudflare API token */
	struct apikey key;          /* the request's Authorization Bearer, if any */
};

/* Fill s from alternating field/value strings (an HGETALL reply of the
 * token hash). Unknown fields are ignored; over-long values make it fail (-1). */
int scope_from_pairs(struct scope *s, const char *const *kv, const size_t *kvlen, size_t n)
	__attribute__((nonnull(1), warn_unused_result));
/* Copy one bounded field (n bytes, no NUL inside) into dst. */
int scope_copy_field(char *dst, size_t dstsz, const char *v, size_t n) __attribute__((nonnull));
/* A decimal Unix time field (n bytes) into *out; empty is 0 (never).
 * -1 when it is not one. */
int scope_time_field(const char *v, size_t n, long *out) __attribute__((nonnull));

/* require_api_token_auth, decided (MCP URL token already valid): the API
 * key sent (s->key, looked up by bearer_hash) by apikey_check's one rule,
 * on the token's account. */
enum apikey_verdict scope_apikey_check(const struct scope *s, const char *bearer_hash, long now)
	__attribute__((nonnull(1)));

struct tool;
/* Whether the scope lets this tool be listed and called: its methods
 * filter (read = list+get, write = create+update+delete, custom = the
 * rest, or exact method kinds / tool names) AND its tags filter (the tool
 * carries at least one of the token's tags). Empty filters allow all. */
int scope_allows(const struct scope *s, const struct tool *t) __attribute__((nonnull));
#endif
