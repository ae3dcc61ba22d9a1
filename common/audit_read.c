/*
 * audit_read.c - reading the audit trail through the management API
 * (audit.h audit_read): newest first with XREVRANGE, filtered here, a
 * bounded scan per request, and an opaque cursor (cursor.h kind 'a': the
 * last stream id seen) that continues with an exclusive start ("(id",
 * Redis 6.2+).
 */
#include "first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "audit.h"
#include "pct.h"
#include "cursor.h"
#include "json.h"
#include "store.h"

/* The query, validated. Empty strings: no filter. */
struct filter {
	char mcp_id[RECORD_ID_MAX], tool[RECORD_NAME_MAX], outcome[32];
	char end[64], start[32]; /* XREVRANGE bounds: "+", "(id", "<ms>"; "-", "<ms>" */
	long limit;
};

/* Percent-decode n bytes of v into out (pct.h): 0, or -1 for a bad
 * escape, a byte outside printable ASCII, or a value that does not fit. */
static int decode(const char *v, size_t n, char *out, size_t outsz)
{
	long k = pct_decode(v, n, out, outsz), i;

	if (k < 0)
		return -1;
	for (i = 0; i < k; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			return -1;
	return 0;
}

/* since/until: Unix seconds (below 10^11) or ms, or RFC 3339 (fractions
 * to the ms); -1 when none of these. */
static long long time_ms(const char *s)
{
	char *end;
	long long v, frac = 0;
	long secs;
	cJSON *str;

	if (s[0] >= '0' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 15)
			return -1;
		v = strtoll(s, &end, 10);
		return v < 100000000000LL ? v * 1000 : v;
	}
	str = cJSON_CreateString(s);
	secs = str ? admin_time_parse(str) : -1;
	cJSON_Delete(str);
	if (secs < 0)
		return -1;
	if (strlen(s) > 20 && s[19] == '.') {
		int i;
		for (i = 0; i < 3; i++)
			frac = frac * 10 + (s[20 + i] >= '0' && s[20 + i] <= '9' &&
				strspn(s + 20, "0123456789") > (size_t)i ? s[20 + i] - '0' : 0);
	}
	return (long long)secs * 1000 + frac;
}

/* A stream id "<ms>-<seq>", as Redis writes them. */
static int stream_id_ok(const char *s)
{
	size_t a = strspn(s, "0123456789"), b;

	if (a == 0 || a > 20 || s[a] != '-')
		return 0;
	b = strspn(s + a + 1, "0123456789");
	return b > 0 && b <= 20 && s[a + 1 + b] == '\0';
}

/* v into dst whole: 0, or -1 when it does not fit. */
static int copy(char *dst, size_t dstsz, const char *v)
{
	size_t n = strlen(v);

	if (n >= dstsz)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

/* The query into f: NULL, or the reason for a 400. */
static const char *filter_parse(const char *q, struct filter *f)
{
	char v[CURSOR_MAX_TEXT + 1], since[32] = "", until[32] = "";
	unsigned seen = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->limit = AUDIT_LIMIT_DEFAULT;
	snprintf(f->end, sizeof(f->end), "+");
	snprintf(f->start, sizeof(f->start), "-");
	while (q && *q) {
		static const char *const names[] = { "mcp_id", "tool", "outcome", "since", "until", "limit", "cursor" };
		size_t n = strcspn(q, "&"), kl = strcspn(q, "=&");
		unsigned k;

		for (k = 0; k < CFMCP_NELEM(names); k++)
			if (kl == strlen(names[k]) && !strncmp(q, names[k], kl))
				break;
		if (k == CFMCP_NELEM(names))
			return "unknown query parameter (allowed: mcp_id, tool, outcome, since, until, limit, cursor)";
		if (seen & (1u << k))
			return "a query parameter is given twice";
		seen |= 1u << k;
		if (kl >= n || decode(q + kl + 1, n - kl - 1, v, sizeof(v)) < 0 || !v[0])
			return "a query value is empty, too long, or not printable ASCII";
		switch (k) {
		case 0:
			if (copy(f->mcp_id, sizeof(f->mcp_id), v) < 0)
				return "mcp_id is too long";
			break;
		case 1:
			if (copy(f->tool, sizeof(f->tool), v) < 0)
				return "tool is too long";
			break;
		case 2:
			for (i = 0; i < OUTCOME_COUNT; i++)
				if (!strcmp(v, record_outcome_name((enum record_outcome)i)))
					break;
			if (i == OUTCOME_COUNT || copy(f->outcome, sizeof(f->outcome), v) < 0)
				return "outcome must be one of ok, tool_error, refused, invalid, rate_limited, upstream_error";
			break;
		case 3:
		case 4: {
			long long ms = time_ms(v);
			if (ms < 0)
				return "since and until take RFC 3339, or Unix seconds or milliseconds";
			snprintf(k == 3 ? since : until, sizeof(since), "%lld", ms);
			break;
		}
		case 5: {
			char *end;
			f->limit = strtol(v, &end, 10);
			if (*end || strlen(v) > 4 || f->limit < 1 || f->limit > AUDIT_LIMIT_MAX)
				return "limit must be an integer from 1 to 500";
			break;
		}
		default: {
			char kind, id[48];
			if (cursor_decode(v, &kind, id, sizeof(id)) < 0 || kind != 'a' || !stream_id_ok(id))
				return "cursor is not one this server issued";
			snprintf(f->end, sizeof(f->end), "(%s", id);
		}
		}
		q += n;
		if (*q == '&')
			q++;
	}
	/* a cursor continues below the last id shown, which was within until */
	if (until[0] && f->end[0] == '+')
		snprintf(f->end, sizeof(f->end), "%s", until);
	if (since[0])
		snprintf(f->start, sizeof(f->start), "%s", since);
	return NULL;
}

/* value of field name in an entry's field array, or NULL */
static const char *entry_field(const redisReply *kv, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < kv->elements; i += 2)
		if (kv->element[i]->type == REDIS_REPLY_STRING && kv->element[i + 1]->type == REDIS_REPLY_STRING &&
		    !strcmp(kv->element[i]->str, name))
			return kv->element[i + 1]->str;
	return NULL;
}

static int matches(const struct filter *f, const redisReply *kv)
{
	const char *v;

	if (f->mcp_id[0] && (!(v = entry_field(kv, "mcp_id")) || strcmp(v, f->mcp_id)))
		return 0;
	if (f->tool[0] && (!(v = entry_field(kv, "tool")) || strcmp(v, f->tool)))
		return 0;
	if (f->outcome[0] && (!(v = entry_field(kv, "outcome")) || strcmp(v, f->outcome)))
		return 0;
	return 1;
}

/* One piece: the pages of XREVRANGE, the filter, the limit and the
 * cursor share the scan's position (last seen, last shown), which is
 * clearest as the locals of one loop. */
void audit_read(const struct admin *a, const char *account, const char *query, struct admin_res *r)
{
	char key[AUDIT_KEYSZ], akey[AUDIT_KEYSZ + 16], count[16], last_item[48] = "", last_seen[48] = "";
	const char *why;
	struct filter f;
	struct buf cur;
	cJSON *out = NULL, *items;
	size_t scanned = 0, nitems = 0, i;
	int first = 1, done = 0, more = 0;

	buf_init(&cur, CURSOR_MAX_TEXT);
	why = filter_parse(query, &f);
	if (why) {
		admin_fail(r, 400, "bad_request", "%s", why);
		goto out;
	}
	{
		struct record probe;
		memset(&probe, 0, sizeof(probe));
		probe.kind = RECORD_ADMIN;
		if (account)
			snprintf(probe.account_id, sizeof(probe.account_id), "%s", account);
		if ((account && strlen(account) >= sizeof(probe.account_id)) || audit_key(&probe, key) < 0) {
			admin_fail(r, 404, "not_found", "no integrated account with that id");
			goto out;
		}
	}
	snprintf(akey, sizeof(akey), "cfmcp:account:%s", account ? account : "");
	out = cJSON_CreateObject();
	items = out ? cJSON_AddArrayToObject(out, "items") : NULL;
	if (!items)
		goto oom;
	while (!done) {
		int filtering = f.mcp_id[0] || f.tool[0] || f.outcome[0];
		size_t chunk = filtering ? (AUDIT_SCAN_MAX - scanned < 500 ? AUDIT_SCAN_MAX - scanned : 500) :
			(size_t)f.limit - nitems + 1;
		const char *exists[] = { "EXISTS", akey, NULL };
		const char *range[] = { "XREVRANGE", key, f.end, f.start, "COUNT", count, NULL };
		const char *const *cmds[2];
		redisReply *rep[2] = { NULL, NULL }, *list;
		size_t nc = 0;

		snprintf(count, sizeof(count), "%zu", chunk);
		if (first && account)
			cmds[nc++] = exists;
		cmds[nc++] = range;
		if (a->st->pipeline(a->st->ud, nc, cmds, rep) < 0) {
			admin_fail(r, 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly");
			goto out;
		}
		list = rep[nc - 1];
		if (first && account && (rep[0]->type != REDIS_REPLY_INTEGER || rep[0]->integer != 1)) {
			int down = rep[0]->type == REDIS_REPLY_ERROR;
			store_reply_free(rep[0]);
			store_reply_free(list);
			if (down)
				admin_fail(r, 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly");
			else
				admin_fail(r, 404, "not_found", "no integrated account with that id");
			goto out;
		}
		if (nc == 2)
			store_reply_free(rep[0]);
		first = 0;
		if (list->type != REDIS_REPLY_ARRAY) {
			/* an error: the key is not a stream (made by hand), or Redis
			 * older than 6.2 refusing "(id" */
			store_reply_free(list);
			admin_fail(r, 503, "service_unavailable", "the audit stream cannot be read");
			goto out;
		}
		for (i = 0; i < list->elements && !done; i++) {
			const redisReply *e = list->element[i];
			if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
			    e->element[1]->type != REDIS_REPLY_ARRAY || e->element[0]->len >= sizeof(last_seen))
				continue;
			scanned++;
			snprintf(last_seen, sizeof(last_seen), "%s", e->element[0]->str);
			if (matches(&f, e->element[1])) {
				cJSON *it;
				if (nitems == (size_t)f.limit) {
					more = 1; /* continue after the last one shown */
					done = 1;
					break;
				}
				it = audit_item(e);
				if (!it || json_add(items, NULL, it)) {
					store_reply_free(list);
					goto oom;
				}
				nitems++;
				snprintf(last_item, sizeof(last_item), "%s", e->element[0]->str);
			}
			if (scanned >= AUDIT_SCAN_MAX) {
				/* bounded work per request: the rest is for the next one */
				snprintf(last_item, sizeof(last_item), "%s", last_seen);
				more = 1;
				done = 1;
			}
		}
		if (!done && list->elements < chunk)
			done = 1; /* the stream (or the range) ended */
		store_reply_free(list);
		if (!done)
			snprintf(f.end, sizeof(f.end), "(%s", last_seen);
	}
	if (json_add(out, "next_cursor", more && last_item[0] ?
		    (cursor_encode(&cur, 'a', last_item, strlen(last_item)) ? NULL : cJSON_CreateString(cur.p)) :
		    cJSON_CreateNull()))
		goto oom;
	r->status = 200;
	r->body = out;
	out = NULL;
	goto out;
oom:
	admin_fail(r, 500, "internal_error", "out of memory");
out:
	cJSON_Delete(out);
	buf_free(&cur);
}
