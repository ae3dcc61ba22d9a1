/*
 * plan.h - tool arguments, validated against the tool's schema (schema.h),
 * turned into an upstream request plan. Nothing in an argument can change
 * the host, the path structure or the query structure: every path segment
 * and query value is percent-encoded (RFC 3986 §2.1, unreserved kept, '%'
 * encoded too), and a path value "." or ".." is refused (§5.2.4 would
 * remove it with the segment before). The request target (path + '?' +
 * query) never exceeds CAP_URL_TARGET (caps.h).
 */
#ifndef CFMCP_PLAN_H
#define CFMCP_PLAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "catalog.h"

struct plan {
	const char *http;  /* "GET"... (static) */
	struct buf path;   /* "/zones/0123...", encoded */
	struct buf query;  /* "name=example.com&page=2", encoded, no '?' */
	char *body;        /* JSON text or NULL; owned */
	size_t body_len;
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);
/* Bytes of the request target: path, plus '?' and query when there is a
 * query. At most CAP_URL_TARGET for any plan plan_build accepted. */
size_t plan_target_len(const struct plan *p) __attribute__((nonnull, pure));

/* Turns a zone's domain name into its id (out, 33 bytes). Returns 0, or
 * -1 with a model-facing reason in why. */
typedef int (*zone_resolver)(void *ud, const char *name, char out[33], char *why, size_t whysz);

/* What the request's scope contributes to planning; any member may be NULL. */
struct plan_ctx {
	const char *default_account; /* fills path params marked x-account-default */
	zone_resolver resolve_zone;  /* for params marked x-zone-name given a name */
	void *ud;
};

/*
 * Validate args (an object or NULL) for t and fill p. Returns 0; -1 with a
 * model-facing explanation in why (names the argument, never echoes its
 * value) and nothing sent anywhere, also when the encoded request target
 * would exceed CAP_URL_TARGET; -3 when a zone name could not be resolved
 * (why from the resolver); -2 on allocation failure.
 */
int plan_build(const struct tool *t, const cJSON *args, const struct plan_ctx *ctx,
	struct plan *p, char *why, size_t whysz) __attribute__((nonnull(1, 4, 5)));

/* Append name=value to a query string, both percent-encoded. 0, or -1
 * (out of memory, or q's cap: a plan's parts are capped at CAP_URL_TARGET;
 * plan_build checks the whole target first, callers building a plan by
 * hand keep it small). */
int plan_query_add(struct buf *q, const char *name, const char *val)
	__attribute__((nonnull, warn_unused_result));

#endif
