/*
 * audit_cli.c - cfmcp-admin's side of the audit trail (audit_cli.h):
 * appending admin entries for its own actions, and turning stream entries
 * into what `cfmcp-admin audit` prints. Stream format: README "Audit trail".
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "audit_cli.h"
#include "json.h"

/* An entry's fields in the format's order; number: shown as a JSON number. */
static const struct {
	const char *name;
	int number;
} FIELDS[] = {
	{ "kind", 0 }, { "t", 1 }, { "mcp_id", 0 }, { "mcp_name", 0 }, { "tool", 0 }, { "class", 0 },
	{ "cf_method", 0 }, { "cf_path", 0 }, { "outcome", 0 }, { "status", 1 }, { "latency_ms", 1 },
	{ "cf_ray", 0 }, { "client_name", 0 }, { "client_version", 0 }, { "user_agent", 0 },
	{ "request_id", 0 }, { "args_sha256", 0 }, { "action", 0 }, { "target", 0 }, { "actor", 0 },
	{ "http_status", 1 },
};

/* Largest integer a JSON number (a double) carries exactly: 2^53. */
#define AUDIT_NUM_MAX 9007199254740992LL

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

static int xadd_ok(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING;
}

static int del_ok(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER;
}

int audit_cli_admin(const struct admin_store *as, const char *name, const char *action, const char *target,
	int http_status, long long now_ms, long maxlen)
{
	char key[AUDIT_CLI_KEYSZ], cap[24], t[24], st[16];
	const char *argv[20];
	size_t n = 0;

	if (maxlen == 0)
		return 0;
	if (audit_cli_key(name, key, sizeof(key)) < 0 || maxlen < 0)
		return -1;
	snprintf(cap, sizeof(cap), "%ld", maxlen);
	snprintf(t, sizeof(t), "%lld", now_ms);
	snprintf(st, sizeof(st), "%d", http_status);
	argv[n++] = "XADD";
	argv[n++] = key;
	argv[n++] = "MAXLEN";
	argv[n++] = "~";
	argv[n++] = cap;
	argv[n++] = "*";
	argv[n++] = "kind";
	argv[n++] = "admin";
	argv[n++] = "t";
	argv[n++] = t;
	/* a field whose value is empty is left out (the format) */
	if (*action) {
		argv[n++] = "action";
		argv[n++] = action;
	}
	if (*target) {
		argv[n++] = "target";
		argv[n++] = target;
	}
	argv[n++] = "actor";
	argv[n++] = AUDIT_CLI_ACTOR;
	if (http_status > 0) {
		argv[n++] = "http_status";
		argv[n++] = st;
	}
	argv[n] = NULL;
	return run1(as, argv, xadd_ok);
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

/* Digits only (no sign, no space), at most 2^53: 0 and *out, else -1. */
static int parse_num(const char *s, size_t len, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 16)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > AUDIT_NUM_MAX)
		return -1;
	*out = v;
	return 0;
}

/* The time part of a stream id ("1714557600123-0"), or -1. */
static long long id_ms(const char *id)
{
	long long v;

	return parse_num(id, strcspn(id, "-"), &v) < 0 ? -1 : v;
}

void audit_cli_time_format(long long ms, char *out, size_t outsz)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char day[24];

	if (ms < 0 || !gmtime_r(&s, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, outsz, "?");
		return;
	}
	snprintf(out, outsz, "%s.%03dZ", day, (int)(ms % 1000));
}

/* A string member (NULL when absent). */
static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *audit_cli_item(const redisReply *e)
{
	const redisReply *fv;
	cJSON *item = NULL, *by[CFMCP_NELEM(FIELDS)];
	char when[32];
	size_t i, f;

	if (!e || e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
	    e->element[1]->type != REDIS_REPLY_ARRAY || e->element[1]->elements % 2)
		return NULL;
	fv = e->element[1];
	memset(by, 0, sizeof(by));
	/* each known field's value, the first of a repeated one */
	for (i = 0; i + 1 < fv->elements; i += 2) {
		const redisReply *k = fv->element[i], *v = fv->element[i + 1];
		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING || v->len == 0 ||
		    memchr(v->str, '\0', v->len))
			continue;
		for (f = 0; f < CFMCP_NELEM(FIELDS); f++) {
			long long num = 0;
			if (by[f] || strlen(FIELDS[f].name) != k->len || memcmp(FIELDS[f].name, k->str, k->len))
				continue;
			if (!FIELDS[f].number)
				by[f] = cJSON_CreateString(v->str);
			else if (parse_num(v->str, v->len, &num) == 0)
				by[f] = cJSON_CreateNumber((double)num);
			else
				break;
			if (!by[f])
				goto fail;
			break;
		}
	}
	/* time is the stream id's, as the API shows it (audit_read.c) */
	audit_cli_time_format(id_ms(e->element[0]->str), when, sizeof(when));
	if (!(item = cJSON_CreateObject()) || json_add(item, "id", cJSON_CreateString(e->element[0]->str)) ||
	    json_add(item, "time", cJSON_CreateString(when)))
		goto fail;
	for (f = 0; f < CFMCP_NELEM(FIELDS); f++) {
		if (!by[f])
			continue;
		cJSON_AddItemToObject(item, FIELDS[f].name, by[f]);
		by[f] = NULL;
	}
	return item;
fail:
	for (f = 0; f < CFMCP_NELEM(FIELDS); f++)
		cJSON_Delete(by[f]);
	cJSON_Delete(item);
	return NULL;
}

/* The entry's time in ms: its stream id's (as the API compares since). */
static long long item_ms(const cJSON *item)
{
	const char *id = str_of(item, "id");

	return id ? id_ms(id) : -1;
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
