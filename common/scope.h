/*
 * scope.h - what one MCP server token allows. Stored as the Redis hash
 * cfmcp:mcp:<sha256(token)> (README "Key layout"); this file turns that
 * hash into a typed struct and decides whether a tool is in scope.
 */
#ifndef CFMCP_SCOPE_H
#define CFMCP_SCOPE_H

#include <stddef.h>

#define SCOPE_FIELD 128

struct scope {
	char id[SCOPE_FIELD];       /* MCP server id (not the token) */
	char account[SCOPE_FIELD];  /* integrated account id */
	char cf_account[SCOPE_FIELD]; /* its Cloudflare account id (copied into the
				       * token hash so one read serves a request) */
	char methods[1024];         /* comma list; empty = every method */
	char tags[1024];            /* comma list; empty = every tag */
};

/* Fill s from alternating field/value strings (an HGETALL reply).
 * Unknown fields are ignored; over-long values make it fail (-1). */
int scope_from_pairs(struct scope *s, const char *const *kv, const size_t *kvlen, size_t n)
	__attribute__((nonnull(1), warn_unused_result));



struct tool;
/* Whether the scope lets this tool be listed and called: its methods
 * filter (read = list+get, write = create+update+delete, custom = the
 * rest, or exact method kinds / tool names) AND its tags filter (the tool
 * carries at least one of the token's tags). Empty filters allow all. */
int scope_allows(const struct scope *s, const struct tool *t) __attribute__((nonnull));
#endif
