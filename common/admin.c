/*
 * admin.c - what the record types' operations share (admin_private.h):
 * answers, the Redis hook, transactions, ids, times, field readers. Every
 * Redis command goes by argv (struct admin_store); writes that touch
 * several keys run inside MULTI/EXEC so a reader never sees half a record.
 */
#include "first.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_private.h"
#include "jsonrpc.h"
#include "log.h"
#include "words.h"

void admin_res_free(struct admin_res *r)
{
	cJSON_Delete(r->body);
	r->body = NULL;
}

int admin_fail(struct admin_res *r, int status, const char *error, const char *fmt, ...)
{
	va_list ap;

	cJSON_Delete(r->body);
	r->body = NULL;
	r->status = status;
	r->error = error;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return status;
}

/* The answer for a transaction that did not apply (enum tx). */
int admin_tx_fail(struct admin_res *r, int tx)
{
	if (tx == TX_ABORTED)
		return admin_fail(r, 409, "conflict", "the record changed while it was being written; read it and retry");
	if (tx == TX_FAILED)
		return admin_fail(r, 500, "internal_error", "the token store refused part of the change (see the worker's log)");
	return DOWN(r);
}

int admin_ok(struct admin_res *r, int status, cJSON *body)
{
	r->status = status;
	r->body = body;
	r->error = NULL;
	r->message[0] = '\0';
	return status;
}

int admin_id_ok(const char *s)
{
	size_t p = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	return p >= 2 && p <= 4 && s[p] == '_' && strspn(s + p + 1, "0123456789abcdef") == 16 && !s[p + 17];
}

/* prefix_ + 8 hex digits of the time + 8 random: sorts by creation. */
int admin_new_id(const struct admin *a, const char *prefix, char *out, size_t outsz)
{
	unsigned char raw[4];

	if (crypto_random_bytes(raw, sizeof(raw)) < 0)
		return -1;
	snprintf(out, outsz, "%s_%08lx%02x%02x%02x%02x", prefix, (unsigned long)a->now & 0xffffffffUL,
		raw[0], raw[1], raw[2], raw[3]);
	return 0;
}

void admin_time_format(long t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outsz, "%ld", t);
}

long admin_time_parse(const cJSON *v)
{
	struct tm tm;
	const char *s, *p;
	long t;
	int off = 0;

	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d < 0 || d > 253402300799.0 || d != (double)(long)d)
			return -1;
		return (long)d;
	}
	if (!cJSON_IsString(v))
		return -1;
	s = v->valuestring;
	memset(&tm, 0, sizeof(tm));
	/* RFC 3339 §5.6: full-date "T" full-time, fractions ignored */
	{
		int y, mo, d, h, mi, sec, used = 0;
		if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
		    s[13] != ':' || s[16] != ':' ||
		    sscanf(s, "%4d-%2d-%2d%*c%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 || used != 19 ||
		    y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
			return -1;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		p = s + 19;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int hh, mm;
		if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[4] < '0' || p[4] > '9' ||
		    p[5] < '0' || p[5] > '9')
			return -1;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		mm = (p[4] - '0') * 10 + (p[5] - '0');
		if (hh > 23 || mm > 59)
			return -1;
		off = (hh * 60 + mm) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	t = (long)timegm(&tm);
	if (t < 0)
		return -1;
	return t - off;
}

static int redis_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies)
{
	return store_pipeline(ud, n, cmds, replies);
}

static int redis_wait(void *ud)
{
	return store_after_write(ud);
}

static int redis_send(void *ud, size_t n, const char *const *const *cmds)
{
	return store_send_deferred(ud, n, cmds);
}

static unsigned long redis_send_failed(void *ud)
{
	return store_deferred_failed(ud);
}

void admin_store_redis(struct admin_store *as, struct store *st)
{
	as->pipeline = redis_pipeline;
	as->wait = redis_wait;
	as->send = redis_send;
	as->send_failed = redis_send_failed;
	as->ud = st;
}

int admin_store_ping(const struct admin_store *as)
{
	static const char *const ping[] = { "PING", NULL };
	const char *const *cmds[] = { ping };
	redisReply *r = NULL;
	int rc;

	if (as->pipeline(as->ud, 1, cmds, &r) < 0)
		return -1;
	rc = r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG") ? 0 : -1;
	store_reply_free(r);
	return rc;
}

int admin_wait(const struct admin *a)
{
	return a->st->wait ? a->st->wait(a->st->ud) : 0;
}

/* One command; NULL when Redis is down. */
redisReply *admin_cmd(const struct admin *a, const char *const *argv)
{
	redisReply *r = NULL;
	const char *const *cmds[1] = { argv };

	if (a->st->pipeline(a->st->ud, 1, cmds, &r) < 0)
		return NULL;
	return r;
}

/* Redis's error text, escaped and cut, into the log (never to a client). */
static void log_redis_error(const char *what, const redisReply *e)
{
	char why[128];

	log_warn("redis: %s (%s)", what, log_safe(why, sizeof(why), e->str, e->len));
}

/* A MULTI ... EXEC block of n commands in one round trip: an enum tx. */
int admin_transact(const struct admin *a, size_t n, const char *const *const *cmds)
{
	static const char *const multi[] = { "MULTI", NULL };
	static const char *const exec[] = { "EXEC", NULL };
	const char *const *all[24];
	redisReply *rep[24];
	size_t i;
	int rc = TX_FAILED;

	if (n + 2 > CFMCP_NELEM(all))
		return TX_FAILED;
	all[0] = multi;
	for (i = 0; i < n; i++)
		all[i + 1] = cmds[i];
	all[n + 1] = exec;
	if (a->st->pipeline(a->st->ud, n + 2, all, rep) < 0)
		return TX_DOWN;
	if (rep[n + 1]->type == REDIS_REPLY_NIL) {
		rc = TX_ABORTED;
	} else if (rep[n + 1]->type == REDIS_REPLY_ARRAY && rep[n + 1]->elements == n) {
		/* EXEC ran them all, and answers each: an error among the
		 * answers is a command that failed while the others ran (Redis
		 * has no rollback) */
		rc = TX_APPLIED;
		for (i = 0; i < n; i++)
			if (rep[n + 1]->element[i]->type == REDIS_REPLY_ERROR) {
				log_redis_error("a command inside a transaction failed", rep[n + 1]->element[i]);
				rc = TX_FAILED;
			}
		/* on a replica too, or 503 (store.h store_after_write) */
		if (rc == TX_APPLIED && admin_wait(a) < 0)
			rc = TX_DOWN;
	} else if (rep[n + 1]->type == REDIS_REPLY_ERROR) {
		log_redis_error("transaction failed", rep[n + 1]);
	} else {
		log_warn("redis: transaction failed (reply type %d)", rep[n + 1]->type);
	}
	for (i = 0; i < n + 2; i++)
		store_reply_free(rep[i]);
	return rc;
}

const char *admin_field(const redisReply *h, const char *name)
{
	size_t i;

	if (!h || h->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING && !strcmp(h->element[i]->str, name) &&
		    h->element[i + 1]->type == REDIS_REPLY_STRING)
			return h->element[i + 1]->str;
	return NULL;
}

const char *admin_rec_get(const struct admin_rec *r, const char *name)
{
	size_t i;

	if (r->h)
		return admin_field(r->h, name);
	for (i = 2; r->hset[i] && r->hset[i + 1]; i += 2)
		if (!strcmp(r->hset[i], name))
			return r->hset[i + 1];
	return NULL;
}

int admin_add_str(cJSON *o, const char *k, const char *v)
{
	return json_add(o, k, cJSON_CreateString(v ? v : ""));
}

int admin_add_time(cJSON *o, const char *k, const char *v)
{
	char ts[40];
	long t = v && *v ? strtol(v, NULL, 10) : 0;

	if (t <= 0)
		return json_add(o, k, cJSON_CreateNull());
	admin_time_format(t, ts, sizeof(ts));
	return json_add(o, k, cJSON_CreateString(ts));
}

int admin_add_fields(cJSON *o, const struct admin_rec *h, const char *const *fields)
{
	size_t i;

	for (i = 0; fields[i]; i++) {
		const char *eq = strchr(fields[i], '='), *f = eq ? eq + 1 : fields[i];
		char key[64];
		size_t n = eq ? (size_t)(eq - fields[i]) : strlen(fields[i]);
		snprintf(key, sizeof(key), "%.*s", (int)n, fields[i]);
		if (n > 3 && !strcmp(key + n - 3, "_at") ? admin_add_time(o, key, admin_rec_get(h, f)) :
		    admin_add_str(o, key, admin_rec_get(h, f)))
			return -1;
	}
	return 0;
}

/* "a,b" -> ["a","b"] */
cJSON *admin_words_array(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = list ? list : "", *word;
	size_t n;

	if (!arr)
		return NULL;
	while ((n = words_next(&p, &word))) {
		char w[256];
		if (n < sizeof(w)) {
			memcpy(w, word, n);
			w[n] = '\0';
			if (json_add(arr, NULL, cJSON_CreateString(w))) {
				cJSON_Delete(arr);
				return NULL;
			}
		}
	}
	return arr;
}

int admin_printable(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Refuse members of in that are not in allowed (NULL-terminated). */
int admin_unknown_member(const cJSON *in, const char *const *allowed, const char **which)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, in) {
		size_t i;
		int found = 0;
		for (i = 0; allowed[i]; i++)
			if (it->string && !strcmp(it->string, allowed[i]))
				found = 1;
		if (!found) {
			*which = it->string ? it->string : "?";
			return 1;
		}
	}
	return 0;
}

int admin_members(const cJSON *in, const char *const *allowed, struct admin_res *r)
{
	char list[128];
	const char *which;
	size_t i, len = 0;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (!admin_unknown_member(in, allowed, &which))
		return 0;
	list[0] = '\0';
	for (i = 0; allowed[i] && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", allowed[i]);
	return BAD(r, "the body has a field other than %s", list);
}

/* expires_at from a body: 0 = none (absent or null), -1 = invalid (r set). */
long admin_expiry_of(const struct admin *a, const cJSON *v, struct admin_res *r)
{
	long t;

	if (!v || cJSON_IsNull(v))
		return 0;
	t = admin_time_parse(v);
	if (t < 0) {
		BAD(r, "expires_at must be an RFC 3339 time (2026-12-31T23:59:59Z), Unix seconds, or null");
		return -1;
	}
	if (t < a->now + ADMIN_MIN_EXPIRY) {
		UNPROCESSABLE(r, "expires_at must be at least %d seconds in the future", ADMIN_MIN_EXPIRY);
		return -1;
	}
	return t;
}

int admin_list(const struct admin *a, const redisReply *ids, const char *index, size_t max,
	admin_item_fn fn, const void *ud, const char **last, struct admin_res *r)
{
	cJSON *out = cJSON_CreateObject(), *items = cJSON_CreateArray();
	size_t i, shown = 0;

	*last = NULL;
	if (json_add(out, "items", items)) { /* frees items if out is NULL */
		cJSON_Delete(out); /* ... and out is ours if items is */
		return OOM(r);
	}
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements && shown < max; i++) {
		const char *id = ids->element[i]->str;
		cJSON *o = NULL;
		int rc = id ? fn(a, id, ud, &o) : 0;
		if (rc < 0) {
			cJSON_Delete(out);
			return DOWN(r);
		}
		*last = id;
		if (rc == 0) {
			if (index) {
				/* expired or revoked by hand: clean the index lazily */
				const char *zrem[] = { "ZREM", index, id, NULL };
				store_reply_free(admin_cmd(a, zrem));
			}
			continue;
		}
		if (!o || json_add(items, NULL, o)) {
			cJSON_Delete(out);
			return OOM(r);
		}
		shown++;
	}
	return admin_ok(r, 200, out);
}

int admin_remove(const struct admin *a, const char *const *keys, const char *index, const char *id,
	struct admin_res *r)
{
	const char *unlink[8] = { "UNLINK" };
	const char *zrem[] = { "ZREM", index, id, NULL };
	const char *const *cmds[] = { unlink, zrem };
	size_t i;
	int rc;

	for (i = 0; keys[i] && i + 2 < CFMCP_NELEM(unlink); i++)
		unlink[i + 1] = keys[i];
	unlink[i + 1] = NULL;
	rc = admin_transact(a, 2, cmds);
	return rc == TX_APPLIED ? admin_ok(r, 204, NULL) : admin_tx_fail(r, rc);
}

int admin_create_failed(const struct admin *a, const char *const *keys, const char *index, const char *id, int tx,
	struct admin_res *r)
{
	struct admin_res scratch;

	if (tx != TX_ABORTED) {
		/* a half-done transaction ran some of its commands; nobody
		 * holds the secret of what it made */
		memset(&scratch, 0, sizeof(scratch));
		admin_remove(a, keys, index, id, &scratch);
		admin_res_free(&scratch);
	}
	return admin_tx_fail(r, tx);
}

void admin_unwatch(const struct admin *a)
{
	static const char *const u[] = { "UNWATCH", NULL };

	store_reply_free(admin_cmd(a, u));
}

/* The sha256 an id maps to (mcp-id:/apikey-id:); 1 found, 0 not, -1 down. */
int admin_id_to_hash(const struct admin *a, const char *space, const char *id, char hash[65])
{
	char k[ADMIN_KEYSZ];
	const char *argv[] = { "GET", k, NULL };
	redisReply *rep;
	int rc = 0;

	if (!admin_id_ok(id))
		return 0;
	snprintf(k, sizeof(k), "cfmcp:%s:%s", space, id);
	rep = admin_cmd(a, argv);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len == 64) {
		memcpy(hash, rep->str, 65);
		rc = 1;
	}
	store_reply_free(rep);
	return rc;
}

/* The record an id names: <space>-id:<id> gives the hash, then HGETALL
 * cfmcp:<space>:<hash>, WATCHed first when watch (an update follows).
 * 1 found (*h, hash set), 0 not found, -1 down. */
int admin_record_by_id(const struct admin *a, const char *space, const char *id, int watch,
	char hash[65], redisReply **h)
{
	char idspace[32], k[ADMIN_KEYSZ];
	int rc;

	*h = NULL;
	snprintf(idspace, sizeof(idspace), "%s-id", space);
	rc = admin_id_to_hash(a, idspace, id, hash);
	if (rc <= 0)
		return rc;
	snprintf(k, sizeof(k), "cfmcp:%s:%s", space, hash);
	if (watch) {
		const char *w[] = { "WATCH", k, NULL };
		redisReply *rep = admin_cmd(a, w);
		if (!rep)
			return -1;
		store_reply_free(rep);
	}
	{
		const char *argv[] = { "HGETALL", k, NULL };
		*h = admin_cmd(a, argv);
	}
	if (!*h) {
		if (watch) {
			/* the connection died under the WATCH: end the transaction
			 * so the store serves this process's next one (store.h) */
			admin_unwatch(a);
		}
		return -1;
	}
	if ((*h)->type != REDIS_REPLY_ARRAY || (*h)->elements == 0) {
		store_reply_free(*h);
		*h = NULL;
		return 0;
	}
	return 1;
}

/* HSET key field value ... only when the key exists, in one server-side
 * step: a write racing the record's expiry or removal never brings a stub
 * of it back. pairs: field, value, ..., NULL. 1 written, 0 no such key,
 * -1 down or refused (logged). Admin paths only: a script costs Redis
 * several times an HSET (bench/RESULTS.md), which the hot path avoids. */
int admin_hset_existing(const struct admin *a, const char *key, const char *const *pairs)
{
	static const char lua[] =
		"if redis.call('EXISTS', KEYS[1]) == 1 then "
		"return redis.call('HSET', KEYS[1], unpack(ARGV)) end return -1";
	const char *argv[4 + 16 + 1] = { "EVAL", lua, "1", key };
	redisReply *rep;
	size_t i;
	int rc = -1;

	for (i = 0; pairs[i] && i < 16; i++)
		argv[4 + i] = pairs[i];
	argv[4 + i] = NULL;
	rep = admin_cmd(a, argv);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		rc = rep->integer >= 0;
	else if (rep->type == REDIS_REPLY_ERROR)
		log_redis_error("a guarded HSET failed", rep);
	store_reply_free(rep);
	return rc;
}
