/*
 * audit_cli.h - the audit trail (issue 16) as cfmcp-admin writes and reads
 * it: admin entries for the CLI's own management actions, and entries of
 * any kind read back for `cfmcp-admin audit`. The stream format is fixed
 * (README "Audit trail"):
 *   cfmcp:audit:<account id>  one Redis Stream per integrated account
 *   cfmcp:audit:apikeys       the global one: API key actions
 * written with XADD <key> MAXLEN ~ <CFMCP_AUDIT_MAXLEN> * field value ...,
 * every value a string, a field with an empty value left out.
 *
 * The worker's writer is common/audit.c (records from the core, written
 * after the answer); the CLI has no record stream, so this file writes
 * its entries itself, through the admin_store hook, so a test can fake it.
 */
#ifndef CFMCP_AUDIT_CLI_H
#define CFMCP_AUDIT_CLI_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "admin.h"
#include "audit.h"

#define AUDIT_CLI_GLOBAL "apikeys"        /* the global stream's name after cfmcp:audit: */
#define AUDIT_CLI_ACTOR "cli:user"        /* actor of every entry cfmcp-admin writes */
#define AUDIT_CLI_KEYSZ 64                /* "cfmcp:audit:" + an id, with room */

/* The stream key of an account id (admin_id_ok) or of AUDIT_CLI_GLOBAL
 * ("apikeys") into out (AUDIT_CLI_KEYSZ bytes): 0, or -1 for anything else. */
int audit_cli_key(const char *name, char *out, size_t outsz) __attribute__((nonnull, warn_unused_result));

/* Append one admin entry to stream name (an account id or "apikeys"):
 * kind=admin t=now_ms action target actor=cli:user http_status, with
 * MAXLEN ~ maxlen (config.h audit_maxlen: CFMCP_AUDIT_MAXLEN). maxlen 0:
 * nothing is written. 0 written (or off), -1
 * not (a bad name, Redis down, or refused). Never holds a secret: the
 * caller passes ids and an action name only. */
int audit_cli_admin(const struct admin_store *as, const char *name, const char *action, const char *target,
	int http_status, long long now_ms, long maxlen) __attribute__((nonnull, warn_unused_result));

/* DEL the stream of an account just removed: 0, or -1 (Redis down). */
int audit_cli_drop(const struct admin_store *as, const char *account) __attribute__((nonnull, warn_unused_result));

/* ---- reading ---------------------------------------------------------------- */

/* What `audit` keeps; NULL / 0: no condition. */
struct audit_filter {
	const char *mcp_id;   /* mcp_id, or the target of an admin entry */
	const char *tool;
	const char *outcome;
	long long since_ms;   /* the stream id's time >= since_ms (as the API) */
};



/* 1 when item passes f, else 0. */
int audit_cli_match(const cJSON *item, const struct audit_filter *f) __attribute__((nonnull));

/* One line for a person: "<time> <kind> field=value ...", values with a
 * space or a quote in double quotes, control bytes (and \ and ") escaped,
 * so nothing an entry holds can steer the terminal. 0, or -1 on a write
 * error. */
int audit_cli_print(FILE *out, const cJSON *item) __attribute__((nonnull));

/* 1 when s is one of the six outcomes (ok, tool_error, ...). */
int audit_cli_outcome_ok(const char *s) __attribute__((nonnull));

#endif
