/*
 * record.h - what one request did, told by the core to the shell: one
 * record per JSON-RPC message handled, per tool call (tools/call and
 * call_cloudflare_operation) and per management action. The core stays
 * pure: it hands each record to mcp_env.record (NULL: nobody listens)
 * and the shell keeps them until the answer is written, then feeds the
 * audit trail (audit.h) and the pool's counters (metrics.h). A record
 * holds no argument value and no credential: only ids, names, numbers
 * and a SHA-256 of the canonical arguments.
 */
#ifndef CFMCP_RECORD_H
#define CFMCP_RECORD_H

#include <stddef.h>

enum record_kind {
	RECORD_MESSAGE = 0, /* one JSON-RPC message: method */
	RECORD_TOOL_CALL,   /* one tool call and its outcome */
	RECORD_ADMIN,       /* one management action */
};

/* Outcome of a tool call (issue 16's vocabulary, shown as is). */
enum record_outcome {
	OUTCOME_OK = 0,        /* upstream 2xx, answer shaped */
	OUTCOME_TOOL_ERROR,    /* upstream 4xx/5xx other than 429, told as isError */
	OUTCOME_REFUSED,       /* not in the scope (hidden tool, method, tag) */
	OUTCOME_INVALID,       /* arguments failed validation; nothing sent */
	OUTCOME_RATE_LIMITED,  /* upstream 429 passed through */
	OUTCOME_UPSTREAM_ERROR, /* no usable answer: timeout, connect, too big, no token */
	OUTCOME_COUNT
};

/* Class of a tool: reads, writes, or a custom method. */
enum record_class { CLASS_READ = 0, CLASS_WRITE, CLASS_CUSTOM, CLASS_COUNT };

#define RECORD_ID_MAX 64      /* account, MCP server and API key ids, request id */
#define RECORD_NAME_MAX 128   /* tool, server name, action, client name */
#define RECORD_PATH_MAX 256   /* Cloudflare path template */

struct record {
	enum record_kind kind;
	long long time_ms;                   /* when the request arrived (Unix ms) */
	char method[32];                     /* JSON-RPC method ("tools/call"), or "" */
	char account_id[RECORD_ID_MAX];      /* integrated account, "" when unknown */
	char mcp_id[RECORD_ID_MAX];          /* MCP server id, "" for management */
	char mcp_name[RECORD_NAME_MAX];
	char request_id[RECORD_ID_MAX];      /* JSON-RPC id as text, bounded */
	char client_name[RECORD_NAME_MAX];   /* clientInfo.name, else User-Agent */
	char client_version[RECORD_ID_MAX];
	char user_agent[RECORD_NAME_MAX];    /* the User-Agent header, cut */
	/* RECORD_TOOL_CALL */
	char tool[RECORD_NAME_MAX];
	enum record_class tclass;
	enum record_outcome outcome;
	char cf_method[8];                   /* "GET"... */
	char cf_path[RECORD_PATH_MAX];       /* "/zones/{zone_id}/dns_records" */
	int upstream_status;                 /* 0: nothing was sent */
	long upstream_ms;                    /* -1: nothing was sent */
	char cf_ray[64];
	char args_sha256[65];                /* hex of the canonical arguments */
	/* RECORD_ADMIN */
	char action[RECORD_NAME_MAX];        /* "mcp_server.created", ... */
	char target_id[RECORD_ID_MAX];       /* what it acted on */
	char actor[RECORD_ID_MAX];           /* acting API key id, or "cli:user" */
	int http_status;                     /* the management answer's status */
};

/* Stable names for the outcome and class enums ("ok", "read"). */
const char *record_outcome_name(enum record_outcome o);
const char *record_class_name(enum record_class c);

/* Copy untrusted text src (NULL: "") into dst (dstsz bytes, NUL always
 * written): cut to fit, every byte outside printable ASCII becomes '?',
 * so a record field is safe in a Redis key, a log line or JSON. */
void record_text(char *dst, size_t dstsz, const char *src) __attribute__((nonnull(1)));

/*
 * The SHA-256 hex (out, 65 bytes) of a tool call's canonical arguments:
 * cJSON_PrintUnformatted of args with every object's keys sorted (byte
 * order, at every depth), so two calls with the same arguments in any
 * key order match; NULL args hash as {}. The one place arguments are
 * canonicalised (issue 16). 0, or -1 out of memory (out is then "").
 */
struct cJSON;
int record_args_sha256(const struct cJSON *args, char out[65]) __attribute__((nonnull(2)));

#endif
