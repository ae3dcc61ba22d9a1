/*
 * admin.h - what the management REST API (mgmt.c) and the cfmcp-admin CLI
 * share to manage integrated accounts, MCP server tokens and API keys in
 * Redis, so validation, key layout and expiry live in one place. The
 * operations, one file per record type: accounts.h, mcp_servers.h,
 * apikeys.h; what they share: admin.c (admin_private.h).
 *
 * Key layout (README "Key layout"; all keys under cfmcp:):
 *   account:<id>          hash   id name cf_account_id cf_token(sealed) created_at updated_at created_by,
 *                                removing (while account remove runs: no new MCP server then)
 *   accounts              zset   <id> (score 0: lexical order = creation order, ids start with time)
 *   account-name:<name>   string <id> (names are unique)
 *   account:<id>:mcp      zset   MCP server ids (members whose keys expired are removed when listed)
 *   mcp:<sha256(token)>   hash   id name account hash methods tags require_api_token_auth expires_at
 *                                created_at updated_at created_by, and copies of the account's
 *                                cf_account_id and cf_token (one HGETALL per request) (EXPIREAT)
 *   mcp-id:<id>           string sha256(token)                                     (EXPIREAT)
 *   apikey:<sha256(key)>  hash   id name hash accounts expires_at created_at created_by (EXPIREAT)
 *   apikey-id:<id>        string sha256(key)                                       (EXPIREAT)
 *   apikeys               zset   API key ids
 * Times are Unix seconds; the API shows them as RFC 3339 UTC.
 */
#ifndef CFMCP_ADMIN_H
#define CFMCP_ADMIN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "crypto.h"
#include "scope.h"
#include "store.h"

/* Least time ahead an expiry may be set (issue #3). */
#define ADMIN_MIN_EXPIRY 60
/* Most items one list page returns. */
#define ADMIN_PAGE_MAX 100

/* The Redis the management half talks to, behind a hook as the MCP half's
 * lookup is (mcp_env), so tests and the fuzz target can give it a fake
 * (tests/lib/fake_store.c).
 *   pipeline: n commands, each a NULL-terminated argv, sent in one round
 *             trip, with store_pipeline's contract (store.h): 0 and
 *             replies[0..n-1] set (each freed with store_reply_free), or -1
 *             with every replies[i] NULL, the transaction rules included;
 *   wait:     after a write a person will be shown, store_after_write's
 *             contract: 0 acknowledged (or nothing to wait for), -1 not
 *             (answered 503). NULL: nothing to wait for. */
struct redisReply;
struct admin_store {
	int (*pipeline)(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies);
	int (*wait)(void *ud);
	/* optional (NULL: use pipeline): store_send_deferred's contract, and
	 * store_deferred_failed's count; for writes nobody waits for */
	int (*send)(void *ud, size_t n, const char *const *const *cmds);
	unsigned long (*send_failed)(void *ud);
	void *ud;
};

/* The real one: store_pipeline and store_after_write on st. */
void admin_store_redis(struct admin_store *as, struct store *st) __attribute__((nonnull));
/* PING through the hook (GET /healthz): 0 when Redis answers PONG, else -1. */
int admin_store_ping(const struct admin_store *as) __attribute__((nonnull));

struct admin {
	const struct admin_store *st;
	const struct catalog *cat;
	const struct keyring *keys;
	const char *public_url;   /* base of minted URLs */
	long now;                 /* Unix seconds */
	const char *actor;        /* created_by: "apikey:<id>" or "cli:<user>" */
};

/* What an operation answers; each operation returns r->status. */
struct admin_res {
	int status;               /* 200, 201, 204, or an error status */
	cJSON *body;              /* success body, owned; NULL on error or 204 */
	const char *error;        /* error code ("not_found"); static */
	char message[320];        /* error message; never holds a secret */
};

void admin_res_free(struct admin_res *r) __attribute__((nonnull));
/* r becomes the error answer status/error/message (a body it held is
 * freed); returns status. error: a static code ("bad_request"). */
int admin_fail(struct admin_res *r, int status, const char *error, const char *fmt, ...)
	__attribute__((nonnull(1, 3, 4), format(printf, 4, 5)));

/* Whether s is an id of ours: a lower-case prefix, '_', 16 hex digits. */
int admin_id_ok(const char *s) __attribute__((nonnull));
/* RFC 3339 UTC ("2026-11-25T19:00:00Z") into out (>= 21 bytes). */
void admin_time_format(long t, char *out, size_t outsz) __attribute__((nonnull));
/* Integer Unix seconds or an RFC 3339 string; -1 when neither. */
long admin_time_parse(const cJSON *v);

#endif
