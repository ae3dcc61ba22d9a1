/*
 * audit_item.c - one audit stream entry as the management API and
 * cfmcp-admin show it (audit.h audit_item), in one place for both.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "audit.h"
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
long long audit_id_ms(const char *id)
{
	long long v;

	return parse_num(id, strcspn(id, "-"), &v) < 0 ? -1 : v;
}

void audit_time_format(long long ms, char *out, size_t outsz)
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

cJSON *audit_item(const redisReply *e)
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
	/* time is the stream id's */
	audit_time_format(audit_id_ms(e->element[0]->str), when, sizeof(when));
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
