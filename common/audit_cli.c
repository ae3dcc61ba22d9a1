/*
 * audit_cli.c - cfmcp-admin's side of the audit trail (audit_cli.h):
 * appending admin entries for its own actions, and turning stream entries
 * into what `cfmcp-admin audit` prints. Stream format: README "Audit trail".
 */
#include "first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "audit_cli.h"
#include "json.h"

int audit_cli_key(const char *name, char *out, size_t outsz)
{
	int n;

	if (strcmp(name, AUDIT_CLI_GLOBAL) && !admin_id_ok(name))
		return -1;
	n = snprintf(out, outsz, "cfmcp:audit:%s", name);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* One command through the hook; its reply is checked by ok(). */
static int run1(const struct admin_store *as, const char *const *argv, int (*ok)(const redisReply *))
{
	const char *const *cmds[] = { argv };
	redisReply *r = NULL;
	int rc = -1;

	if (as->pipeline(as->ud, 1, cmds, &r) < 0 || !r)
		goto out;
	rc = ok(r) ? 0 : -1;
out:
	if (r)
		freeReplyObject(r);
	return rc;
}

static int del_ok(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER;
}

int audit_cli_admin(const struct admin_store *as, const char *name, const char *action, const char *target,
	int http_status, long long now_ms, long maxlen)
{
	struct record r;

	/* the worker's entry format (audit.c), from a record like the core's */
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_ADMIN;
	r.time_ms = now_ms;
	if (strcmp(name, AUDIT_CLI_GLOBAL)) {
		if (!admin_id_ok(name))
			return -1;
		snprintf(r.account_id, sizeof(r.account_id), "%s", name);
	}
	snprintf(r.action, sizeof(r.action), "%s", action);
	snprintf(r.target_id, sizeof(r.target_id), "%s", target);
	snprintf(r.actor, sizeof(r.actor), "%s", AUDIT_CLI_ACTOR);
	r.http_status = http_status;
	return audit_append_one(as, maxlen, &r);
}

int audit_cli_drop(const struct admin_store *as, const char *account)
{
	char key[AUDIT_CLI_KEYSZ];
	const char *argv[3] = { "DEL", key, NULL };

	if (!admin_id_ok(account) || audit_cli_key(account, key, sizeof(key)) < 0)
		return -1;
	return run1(as, argv, del_ok);
}

/* ---- reading ---------------------------------------------------------------- */

/* A string member (NULL when absent). */
static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The entry's time in ms: its stream id's (as the API compares since). */
static long long item_ms(const cJSON *item)
{
	const char *id = str_of(item, "id");

	return id ? audit_id_ms(id) : -1;
}

static int same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

int audit_cli_match(const cJSON *item, const struct audit_filter *f)
{
	if (f->mcp_id && !same(str_of(item, "mcp_id"), f->mcp_id) &&
	    !(same(str_of(item, "kind"), "admin") && same(str_of(item, "target"), f->mcp_id)))
		return 0;
	if (f->tool && !same(str_of(item, "tool"), f->tool))
		return 0;
	if (f->outcome && !same(str_of(item, "outcome"), f->outcome))
		return 0;
	if (f->since_ms > 0 && item_ms(item) < f->since_ms)
		return 0;
	return 1;
}

/* v, quoted when it has a space, quote or backslash, every control byte
 * (and DEL) as \xNN: an entry may hold anything redis-cli put there. */
static void print_value(FILE *out, const char *v)
{
	int quote = v[strcspn(v, " \"\\")] != '\0' || !*v;
	const unsigned char *p;

	if (quote)
		fputc('"', out);
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else if (quote && (*p == '"' || *p == '\\'))
			fprintf(out, "\\%c", *p);
		else
			fputc(*p, out);
	}
	if (quote)
		fputc('"', out);
}

int audit_cli_print(FILE *out, const cJSON *item)
{
	const char *when = str_of(item, "time"), *kind = str_of(item, "kind");
	const cJSON *it;

	fputs(when ? when : "?", out);
	fputc(' ', out);
	print_value(out, kind ? kind : "?");
	cJSON_ArrayForEach(it, item) {
		if (!it->string || !strcmp(it->string, "id") || !strcmp(it->string, "time") ||
		    !strcmp(it->string, "kind") || !strcmp(it->string, "t"))
			continue;
		fprintf(out, " %s=", it->string);
		if (cJSON_IsNumber(it))
			fprintf(out, "%.0f", it->valuedouble);
		else if (cJSON_IsString(it))
			print_value(out, it->valuestring);
	}
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

int audit_cli_outcome_ok(const char *s)
{
	static const char *const outcomes[] = { "ok", "tool_error", "refused", "invalid", "rate_limited",
		"upstream_error" };
	size_t i;

	for (i = 0; i < CFMCP_NELEM(outcomes); i++)
		if (!strcmp(s, outcomes[i]))
			return 1;
	return 0;
}
