/*
 * zone.h - a zone's domain name to its 32-hex id, for tool parameters
 * marked x-zone-name (catalog.c) that were given a name: the Redis cache
 * first, else one GET /zones?name= upstream with the account's token.
 */
#ifndef CFMCP_ZONE_H
#define CFMCP_ZONE_H

#include <stddef.h>

/* How long a resolved zone name stays cached (seconds). */
#define ZONE_NAME_TTL 300

/*
 * A zone_resolver (plan.h) for plan_build; ud is the request's struct call
 * (mcp_call.h). Returns 0 with the id in out (33 bytes, NUL included), or
 * -1 with a model-facing reason in why (whysz bytes); nothing is cached
 * then.
 */
int zone_resolve(void *ud, const char *name, char out[33], char *why, size_t whysz)
	__attribute__((nonnull, warn_unused_result));

#endif
