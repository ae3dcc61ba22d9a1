/*
 * config.h - worker configuration, read from the environment (the only
 * channel spawn-fcgi and systemd pass through unchanged) and from the
 * optional CFMCP_CONFIG_FILE, whose lines win. The README's
 * configuration table lists every variable; keep the two in step.
 */
#ifndef CFMCP_CONFIG_H
#define CFMCP_CONFIG_H

#include <stddef.h>

#include "crypto.h"

#define CONFIG_MAX_ORIGINS 32

struct config {
	char *redis;            /* "unix:/path", "host:port" or "sentinel://h:p,h:p/service" */
	long redis_timeout_ms;  /* connect and command timeout */
	long redis_wait_replicas; /* admin writes WAIT for this many replicas (0: no WAIT) */
	long redis_wait_ms;     /* ... this long at most; then the write is answered 503 */
	char *redis_user;       /* ACL user to AUTH as; NULL: none (the default user) */
	char *redis_password;   /* its password, from CFMCP_REDIS_PASSWORD_FILE; secret */
	char *upstream_url;     /* Cloudflare API base, no trailing slash */
	long upstream_timeout_ms;
	long upstream_connect_ms;
	char *schemas_dir;
	char *openapi;          /* CFMCP_OPENAPI: the spec to import; NULL when "off" */
	int openapi_explicit;   /* set by the operator: a failure to load is an error */
	int openapi_deprecated; /* CFMCP_OPENAPI_DEPRECATED=1: import deprecated operations */
	char *public_url;       /* base of minted MCP URLs */
	char *origins[CONFIG_MAX_ORIGINS]; /* allowed Origin values */
	size_t norigins;
	int origins_any_localhost; /* allow http(s)://localhost|127.0.0.1|[::1][:port] */
	size_t max_body;
	size_t result_max;
	size_t tools_page_size;
	long cache_entries;     /* per-worker scope cache size (cache.h); 0: no cache */
	long list_ttl_ms;       /* ttlMs on 2026-07-28 list results */
	long audit_maxlen;      /* audit streams' MAXLEN ~ cap (audit.h); 0: no audit trail */
	long audit_flush_ms;    /* how long a worker may hold audit entries back (audit.h) */
	char *log_file;
	int log_level;
	int log_json;           /* CFMCP_LOG_FORMAT=json: one JSON object per line */
	int metrics;            /* CFMCP_METRICS (on|off): GET /metrics answers (1) or is a 404 */
	int metrics_public;     /* CFMCP_METRICS_PUBLIC=1: /metrics without an API key from anywhere */
	char *key_file;         /* CFMCP_KEY_FILE: AES-256-GCM keys for secrets at rest */
	struct keyring keys;    /* loaded from key_file; secret */
};

/* Fill cfg from the environment. On error returns -1 and writes a
 * message naming the variable into err (never its value if secret). */
int config_load(struct config *cfg, char *err, size_t errsz)
	__attribute__((nonnull, warn_unused_result));
void config_free(struct config *cfg);
/* Read the CFMCP_NAME=value lines of the file named by CFMCP_CONFIG_FILE
 * (from the environment; unset or empty: no file) before config_load.
 * The file's values win over the environment's; the environment itself
 * is left as the process got it. Each call replaces the file's settings
 * whole, so config_read_file + config_load on SIGHUP gives what a fresh
 * start with the file as it is now gives. Returns 0, or -1 with err set
 * (the previous file's settings stay in force). */
int config_read_file(char *err, size_t errsz) __attribute__((nonnull, warn_unused_result));

/* One CFMCP_* setting as config_load sees it (the file's line, else the
 * environment's), for a program's own options (the streams process's
 * CFMCP_SSE_*). NULL when unset; the string lives until the next
 * config_read_file. */
const char *config_value(const char *name) __attribute__((nonnull));

#endif
