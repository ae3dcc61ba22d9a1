/*
 * upstream.h - executes a plan against the Cloudflare API with libcurl.
 * One easy handle and one multi handle per worker, kept for its life so
 * connections stay open (the multi handle holds them).
 */
#ifndef CFMCP_UPSTREAM_H
#define CFMCP_UPSTREAM_H

#include "buf.h"
#include "config.h"
#include "plan.h"

enum upstream_err {
	UP_OK = 0,       /* an HTTP answer arrived (any status) */
	UP_TIMEOUT,      /* connect or total timeout */
	UP_CONNECT,      /* could not connect / reset */
	UP_TOOBIG,       /* answer over the size cap */
	UP_INTERNAL,     /* allocation or setup failure */
};

struct upstream_reply {
	enum upstream_err err;
	long status;
	struct buf body;          /* capped at CAP_UPSTREAM_BYTES */
	char ratelimit[256];      /* "Ratelimit" (IETF -08+ form) */
	char ratelimit_policy[256];
	char retry_after[64];
	char x_limit[64], x_remaining[64], x_reset[128]; /* older x-ratelimit-* form */
	char content_type[128];
	char cf_ray[64];          /* Cloudflare's cf-ray, for the audit trail */
	long ms;                  /* time the transfer took; -1: nothing was sent */
};

struct upstream;

struct upstream *upstream_new(const struct config *cfg);
void upstream_free(struct upstream *u);
/* fn(ud) runs once per transfer, once it has started (connecting or the
 * request sent) and before the worker first waits on it: work that can overlap
 * that wait instead of the answer's way out (the held-back audit entries,
 * fcgi/serve.c). It must not block. NULL: none. */
void upstream_on_wait(struct upstream *u, void (*fn)(void *ud), void *ud) __attribute__((nonnull(1)));
void upstream_reply_init(struct upstream_reply *r);
void upstream_reply_free(struct upstream_reply *r);

/* Send p to base_url with "Authorization: Bearer <token>". Fills r;
 * returns r->err. The token is never logged. */
enum upstream_err upstream_do(struct upstream *u, const struct plan *p, const char *token,
	struct upstream_reply *r) __attribute__((nonnull(1, 2, 4)));

#endif
