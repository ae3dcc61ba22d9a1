/*
 * metrics_http.c - the /metrics endpoint (metrics_http.h). The page is
 * rendered by whichever worker takes the request, from the shared block,
 * so every scrape sees the whole pool.
 */
#include "first.h"

#include <arpa/inet.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "admin.h"
#include "apikey.h"
#include "crypto.h"
#include "metrics.h"
#include "metrics_http.h"

/* Prometheus text format 0.0.4's media type. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* The page is about 40 KB; a cap far above it stops a runaway render. */
#define METRICS_MAX_PAGE (1024 * 1024)

static void text(struct http_response *r, int status, const char *msg)
{
	r->status = status;
	buf_reset(&r->body);
	if (http_response_header(r, "Content-Type", "text/plain; charset=utf-8") || buf_puts(&r->body, msg)) {
		r->status = 500;
		buf_reset(&r->body);
	}
}

int metrics_http_loopback(const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, addr, a) != 1)
		return 0;
	if (!memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))
		return 1; /* ::1 */
	/* ::ffff:127.x.y.z, as a dual-stack listener reports an IPv4 peer */
	return !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && a[12] == 127;
}

/* Any valid API key (apikey_check with no account): 0, or -1 with the
 * refusal (401, 503) in resp. The key itself is never logged or echoed. */
static int key_ok(const struct mcp_env *env, const struct http_request *req, struct http_response *resp)
{
	char hash[CRYPTO_SHA256_HEX];
	struct apikey k;
	const char *tok;
	size_t n;
	int rc;

	if (http_request_bearer(req, &tok, &n) != 1 || crypto_token_hash(tok, n, hash) < 0) {
		text(resp, 401, "metrics: loopback only, or send an API key as Authorization: Bearer <key>\n");
		goto refused;
	}
	if (!env->admin_store || (rc = apikey_read(env->admin_store, hash, &k)) < 0) {
		text(resp, 503, "metrics: the key store (Redis) cannot be reached; retry shortly\n");
		if (resp->status == 503 && http_response_header(resp, "Retry-After", "1"))
			resp->status = 500;
		return -1;
	}
	if (apikey_check(&k, hash, NULL, env->now()) == APIKEY_OK)
		return 0;
	text(resp, 401, "metrics: the API key is unknown, revoked or expired\n");
refused:
	if (resp->status == 401 && http_response_header(resp, "WWW-Authenticate", "Bearer realm=\"cfmcp-metrics\""))
		resp->status = 500;
	return -1;
}

/*
 * Legacy HTTP+SSE streams open now, on every host sharing this Redis: each
 * stream holds the one subscription to its session's channel (sessions.h),
 * so Redis counts them for the whole deployment, which a per-pool block
 * could not (the streams process is not forked by the pool's master).
 * -1 when Redis does not answer.
 */
static long sse_streams_open(const struct admin_store *as)
{
	static const char *const argv[] = { "PUBSUB", "CHANNELS", "cfmcp:sse-ch:*", NULL };
	const char *const *cmds[] = { argv };
	struct redisReply *r = NULL;
	long n = -1;

	if (!as || as->pipeline(as->ud, 1, cmds, &r) < 0)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY)
		n = (long)r->elements;
	store_reply_free(r);
	return n;
}

void metrics_http_handle(const struct mcp_env *env, const struct http_request *req,
	struct http_response *resp)
{
	const char *method = req->method ? req->method : "";
	const struct metrics *m = metrics_global();

	if (strcmp(method, "GET")) {
		text(resp, 405, "metrics: GET only\n");
		if (resp->status == 405 && http_response_header(resp, "Allow", "GET"))
			resp->status = 500;
		return;
	}
	if (!metrics_http_loopback(req->remote_addr) && !env->cfg->metrics_public && key_ok(env, req, resp) < 0)
		return;
	if (!m) {
		text(resp, 503, "metrics: no shared counters in this process\n");
		return;
	}
	resp->status = 200;
	buf_reset(&resp->body);
	resp->body.max = METRICS_MAX_PAGE;
	if (http_response_header(resp, "Content-Type", METRICS_CONTENT_TYPE) || metrics_render(m, &resp->body)) {
		text(resp, 500, "metrics: out of memory\n");
		return;
	}
	{
		/* from Redis, not the block: left out of the page when Redis is down */
		long sse = sse_streams_open(env->admin_store);
		if (sse >= 0 && buf_printf(&resp->body,
			"# HELP cfmcp_sse_streams_open Legacy HTTP+SSE streams open now on every host sharing this Redis.\n"
			"# TYPE cfmcp_sse_streams_open gauge\n"
			"cfmcp_sse_streams_open %ld\n", sse) < 0)
			text(resp, 500, "metrics: out of memory\n");
	}
}
