/*
 * ratelimit.h - Cloudflare's rate-limit headers, in any of their forms
 * (IETF draft -08+ "Ratelimit"/"Ratelimit-Policy", the older
 * x-ratelimit-* trio, Retry-After), normalized to limit/remaining/reset.
 */
#ifndef CFMCP_RATELIMIT_H
#define CFMCP_RATELIMIT_H

#include "upstream.h"

struct ratelimit {
	long limit;     /* -1 when unknown */
	long remaining; /* -1 when unknown */
	long reset;     /* seconds until the window resets / retry is useful; -1 */
};

/* Derive from a reply's captured headers. now: the current Unix time,
 * for x-ratelimit-reset dates. Malformed fields are ignored. */
void ratelimit_parse(const struct upstream_reply *r, long now, struct ratelimit *out)
	__attribute__((nonnull));
/* 1 when any field is known. */
int ratelimit_known(const struct ratelimit *rl) __attribute__((nonnull));

#endif
