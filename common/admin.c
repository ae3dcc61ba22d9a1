/*
 * admin.c - integrated accounts, MCP server tokens and API keys (admin.h).
 * Every Redis command goes by argv (store_pipeline); writes that touch
 * several keys run inside MULTI/EXEC so a reader never sees half a record.
 */
#include "first.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "admin.h"
#include "cfid.h"
#include "jsonrpc.h"
#include "log.h"
#include "xalloc.h"

#define KEYSZ 256

void admin_res_free(struct admin_res *r)
{
	cJSON_Delete(r->body);
	r->body = NULL;
}

static int fail(struct admin_res *r, int status, const char *error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct admin_res *r, int status, const char *error, const char *fmt, ...)
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

#define BAD(r, ...) fail((r), 400, "bad_request", __VA_ARGS__)
#define UNPROCESSABLE(r, ...) fail((r), 422, "unprocessable_entity", __VA_ARGS__)
#define NOTFOUND(r, ...) fail((r), 404, "not_found", __VA_ARGS__)
#define DOWN(r) fail((r), 503, "service_unavailable", "the token store (Redis) cannot be reached; retry shortly")
#define OOM(r) fail((r), 500, "internal_error", "out of memory")

static int ok(struct admin_res *r, int status, cJSON *body)
{
	r->status = status;
	r->body = body;
	r->error = NULL;
	r->message[0] = '\0';
	return status;
}

/* ---- small helpers ----------------------------------------------------- */

int admin_id_ok(const char *s)
{
	size_t p = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	return p >= 2 && p <= 4 && s[p] == '_' && strspn(s + p + 1, "0123456789abcdef") == 16 && !s[p + 17];
}

/* prefix_ + 8 hex digits of the time + 8 random: sorts by creation. */
static int new_id(const struct admin *a, const char *prefix, char *out, size_t outsz)
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

/* One command; NULL when Redis is down. */
static redisReply *cmd(const struct admin *a, const char *const *argv)
{
	redisReply *r = NULL;
	const char *const *cmds[1] = { argv };

	if (store_pipeline(a->st, 1, cmds, &r) < 0)
		return NULL;
	return r;
}

/* A MULTI ... EXEC block of n commands in one round trip. 1 = applied,
 * 0 = aborted (a WATCHed key changed), -1 = Redis down, the connection
 * lost (a WATCH set before is gone with it, so the block is refused, and
 * it is never resent: store.h), or an error. */
static int transact(const struct admin *a, size_t n, const char *const *const *cmds)
{
	static const char *const multi[] = { "MULTI", NULL };
	static const char *const exec[] = { "EXEC", NULL };
	const char *const *all[24];
	redisReply *rep[24];
	size_t i;
	int rc = -1;

	if (n + 2 > CFMCP_NELEM(all))
		return -1;
	all[0] = multi;
	for (i = 0; i < n; i++)
		all[i + 1] = cmds[i];
	all[n + 1] = exec;
	if (store_pipeline(a->st, n + 2, all, rep) < 0)
		return -1;
	if (rep[n + 1]->type == REDIS_REPLY_NIL)
		rc = 0;
	else if (rep[n + 1]->type == REDIS_REPLY_ARRAY)
		rc = store_wait_replicas(a->st) < 0 ? -1 : 1; /* on a replica too, or 503 (store.h) */
	else if (rep[n + 1]->type == REDIS_REPLY_ERROR) {
		/* Redis's text, not ours: escaped and cut before it is logged */
		char why[128];
		log_warn("redis: transaction failed (%s)", log_safe(why, sizeof(why), rep[n + 1]->str, rep[n + 1]->len));
	} else {
		log_warn("redis: transaction failed (reply type %d)", rep[n + 1]->type);
	}
	for (i = 0; i < n + 2; i++)
		store_reply_free(rep[i]);
	return rc;
}

static const char *field(const redisReply *h, const char *name)
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

static int add_str(cJSON *o, const char *k, const char *v)
{
	return json_add(o, k, cJSON_CreateString(v ? v : ""));
}

static int add_time(cJSON *o, const char *k, const char *v)
{
	char ts[40];
	long t = v && *v ? strtol(v, NULL, 10) : 0;

	if (t <= 0)
		return json_add(o, k, cJSON_CreateNull());
	admin_time_format(t, ts, sizeof(ts));
	return json_add(o, k, cJSON_CreateString(ts));
}

/* "a,b" -> ["a","b"] */
static cJSON *words_array(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = list ? list : "";

	if (!arr)
		return NULL;
	while (*p) {
		size_t n;
		char w[256];
		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (!n)
			break;
		if (n < sizeof(w)) {
			memcpy(w, p, n);
			w[n] = '\0';
			if (json_add(arr, NULL, cJSON_CreateString(w))) {
				cJSON_Delete(arr);
				return NULL;
			}
		}
		p += n;
	}
	return arr;
}

static int printable(const char *s, size_t max)
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
static int unknown_member(const cJSON *in, const char *const *allowed, const char **which)
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

/* expires_at from a body: 0 = none (absent or null), -1 = invalid (r set). */
static long expiry_of(const struct admin *a, const cJSON *v, struct admin_res *r)
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

/* ---- integrated accounts ------------------------------------------------ */

/* Cloudflare's API tokens are 40 characters today; these bounds leave
 * room for a change without accepting junk. */
#define CF_TOKEN_MIN 20
#define CF_TOKEN_MAX 512

/* A Cloudflare API token from a request body (what is the new one, for
 * a replacement): 0 when acceptable, else r->status with a message that
 * says what is wrong and never echoes the token. */
static int cf_token_check(const cJSON *tok, const char *what, struct admin_res *r)
{
	size_t n, i;

	if (!tok)
		return BAD(r, "api_token is required: %s", what);
	if (!cJSON_IsString(tok))
		return BAD(r, "api_token must be a string: %s", what);
	n = strlen(tok->valuestring);
	if (n < CF_TOKEN_MIN)
		return BAD(r, "api_token is too short: a Cloudflare API token has %d to %d characters",
			CF_TOKEN_MIN, CF_TOKEN_MAX);
	if (n > CF_TOKEN_MAX)
		return BAD(r, "api_token is too long: a Cloudflare API token has %d to %d characters",
			CF_TOKEN_MIN, CF_TOKEN_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)tok->valuestring[i] <= ' ' || (unsigned char)tok->valuestring[i] > '~')
			return BAD(r, "api_token may hold only printable ASCII characters: no spaces, no control characters");
	return 0;
}

static cJSON *account_json(const redisReply *h)
{
	cJSON *o = cJSON_CreateObject();
	const char *tok = field(h, "cf_token");
	char kid[9];

	if (!o || add_str(o, "id", field(h, "id")) || add_str(o, "name", field(h, "name")) ||
	    add_str(o, "account_id", field(h, "cf_account_id")) ||
	    json_add(o, "has_api_token", cJSON_CreateBool(tok && *tok)) ||
	    (tok && !crypto_sealed_kid(tok, kid) && add_str(o, "key_id", kid)) ||
	    add_time(o, "created_at", field(h, "created_at")) ||
	    add_time(o, "updated_at", field(h, "updated_at")) ||
	    add_str(o, "created_by", field(h, "created_by"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int account_key(char *k, const char *id)
{
	int n = snprintf(k, KEYSZ, "cfmcp:account:%s", id);
	return (n < 0 || n >= KEYSZ) ? -1 : 0;
}

/* HGETALL of an account; 1 found (*out set), 0 not found, -1 down. */
static int account_read(const struct admin *a, const char *id, redisReply **out)
{
	char k[KEYSZ];
	const char *argv[] = { "HGETALL", k, NULL };
	redisReply *h;

	*out = NULL;
	if (!admin_id_ok(id) || account_key(k, id) < 0)
		return 0;
	h = cmd(a, argv);
	if (!h)
		return -1;
	if (h->type != REDIS_REPLY_ARRAY || h->elements == 0) {
		store_reply_free(h);
		return 0;
	}
	*out = h;
	return 1;
}

int admin_account_create(const struct admin *a, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "account_id", "api_token", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(in, "account_id");
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(in, "api_token");
	char id[32], k[KEYSZ], nk[KEYSZ], now[24], aad[64], sealed[1200];
	const char *which;
	redisReply *rep;
	int rc;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (unknown_member(in, allowed, &which))
		return BAD(r, "unknown field \"%.64s\" (allowed: name, account_id, api_token)", which);
	if (!cJSON_IsString(name) || !printable(name->valuestring, 100))
		return BAD(r, "name is required: a string of 1 to 100 printable characters");
	if (!cJSON_IsString(acc) || !cfid_valid(acc->valuestring))
		return BAD(r, "account_id is required: the Cloudflare account id (32 lower-case hex digits)");
	if (cf_token_check(tok, "the Cloudflare API token", r))
		return r->status;
	if (new_id(a, "ia", id, sizeof(id)) < 0)
		return OOM(r);
	snprintf(aad, sizeof(aad), "account:%s", id);
	if (crypto_seal(a->keys, aad, tok->valuestring, strlen(tok->valuestring), sealed, sizeof(sealed)) < 0)
		return fail(r, 500, "internal_error", "could not encrypt the API token");
	if (account_key(k, id) < 0 || snprintf(nk, sizeof(nk), "cfmcp:account-name:%s", name->valuestring) >= (int)sizeof(nk))
		return OOM(r);
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		/* Names are unique: claim the name first. */
		const char *argv[] = { "SET", nk, id, "NX", NULL };
		rep = cmd(a, argv);
		if (!rep)
			return DOWN(r);
		rc = rep->type == REDIS_REPLY_STATUS;
		store_reply_free(rep);
		if (!rc)
			return fail(r, 409, "conflict", "an integrated account named \"%.100s\" already exists",
				name->valuestring);
	}
	{
		const char *hset[] = { "HSET", k, "id", id, "name", name->valuestring,
			"cf_account_id", acc->valuestring, "cf_token", sealed, "created_at", now,
			"updated_at", now, "created_by", a->actor, NULL };
		const char *zadd[] = { "ZADD", "cfmcp:accounts", "0", id, NULL };
		const char *const *cmds[] = { hset, zadd };
		rc = transact(a, 2, cmds);
	}
	crypto_wipe(sealed, sizeof(sealed));
	if (rc != 1) {
		const char *argv[] = { "DEL", nk, NULL };
		store_reply_free(cmd(a, argv));
		return DOWN(r);
	}
	return admin_account_get(a, id, r) == 200 ? (r->status = 201) : r->status;
}

int admin_account_get(const struct admin *a, const char *id, struct admin_res *r)
{
	redisReply *h;
	cJSON *o;
	int rc = account_read(a, id, &h);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	o = account_json(h);
	store_reply_free(h);
	return o ? ok(r, 200, o) : OOM(r);
}

int admin_account_list(const struct admin *a, const struct apikey *only, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:accounts", "0", "999", NULL };
	redisReply *ids = cmd(a, argv);
	cJSON *out = NULL, *items;
	size_t i;

	if (!ids)
		return DOWN(r);
	out = cJSON_CreateObject();
	items = cJSON_CreateArray();
	if (json_add(out, "items", items)) /* frees items if out is NULL */
		goto oom;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		redisReply *h;
		cJSON *o;
		const char *id = ids->element[i]->str;
		int rc;
		if (only && !apikey_allows_account(only, id))
			continue;
		rc = account_read(a, id, &h);
		if (rc < 0) {
			store_reply_free(ids);
			cJSON_Delete(out);
			return DOWN(r);
		}
		if (rc == 0)
			continue;
		o = account_json(h);
		store_reply_free(h);
		if (!o || json_add(items, NULL, o))
			goto oom;
	}
	store_reply_free(ids);
	return ok(r, 200, out);
oom:
	store_reply_free(ids);
	cJSON_Delete(out);
	return OOM(r);
}

static int id_to_hash(const struct admin *a, const char *space, const char *id, char hash[65]);

/* Copy an account's new sealed Cloudflare token into each of its MCP
 * token hashes. A hash that has expired meanwhile must not come back as
 * a stub, hence the EXISTS guard in one server-side step (admin path only). */
static int propagate_cf_token(const struct admin *a, const char *account, const char *sealed)
{
	static const char lua[] =
		"if redis.call('EXISTS', KEYS[1]) == 1 then "
		"redis.call('HSET', KEYS[1], 'cf_token', ARGV[1]) return 1 end return 0";
	char ik[KEYSZ];
	const char *zr[] = { "ZRANGE", ik, "0", "-1", NULL };
	redisReply *ids;
	size_t i;
	int rc = 0;

	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	ids = cmd(a, zr);
	if (!ids)
		return -1;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		char hash[65], k[KEYSZ];
		const char *ev[] = { "EVAL", lua, "1", k, sealed, NULL };
		redisReply *rep;
		int f = id_to_hash(a, "mcp-id", ids->element[i]->str, hash);
		if (f < 0) {
			rc = -1;
			break;
		}
		if (f == 0)
			continue;
		snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
		rep = cmd(a, ev);
		if (!rep) {
			rc = -1;
			break;
		}
		store_reply_free(rep);
	}
	store_reply_free(ids);
	return rc;
}

int admin_account_update(const struct admin *a, const char *id, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "api_token", NULL };
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(in, "api_token");
	char k[KEYSZ], now[24], aad[64], sealed[1200];
	const char *which;
	redisReply *h;
	int rc;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (unknown_member(in, allowed, &which))
		return BAD(r, "unknown field \"%.64s\" (allowed: api_token)", which);
	if (cf_token_check(tok, "the new Cloudflare API token", r))
		return r->status;
	rc = account_read(a, id, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	store_reply_free(h);
	snprintf(aad, sizeof(aad), "account:%s", id);
	if (account_key(k, id) < 0 ||
	    crypto_seal(a->keys, aad, tok->valuestring, strlen(tok->valuestring), sealed, sizeof(sealed)) < 0)
		return fail(r, 500, "internal_error", "could not encrypt the API token");
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		const char *hset[] = { "HSET", k, "cf_token", sealed, "updated_at", now, NULL };
		const char *const *cmds[] = { hset };
		rc = transact(a, 1, cmds);
	}
	if (rc == 1 && propagate_cf_token(a, id, sealed) < 0)
		rc = -1;
	crypto_wipe(sealed, sizeof(sealed));
	if (rc != 1)
		return DOWN(r);
	return admin_account_get(a, id, r);
}

/* The sha256 an id maps to (mcp-id:/apikey-id:); 1 found, 0 not, -1 down. */
static int id_to_hash(const struct admin *a, const char *space, const char *id, char hash[65])
{
	char k[KEYSZ];
	const char *argv[] = { "GET", k, NULL };
	redisReply *rep;
	int rc = 0;

	if (!admin_id_ok(id))
		return 0;
	snprintf(k, sizeof(k), "cfmcp:%s:%s", space, id);
	rep = cmd(a, argv);
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len == 64) {
		memcpy(hash, rep->str, 65);
		rc = 1;
	}
	store_reply_free(rep);
	return rc;
}

int admin_account_delete(const struct admin *a, const char *id, struct admin_res *r)
{
	char k[KEYSZ], ik[KEYSZ], nk[KEYSZ];
	redisReply *h, *ids = NULL;
	size_t i;
	int rc;

	rc = account_read(a, id, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	snprintf(nk, sizeof(nk), "cfmcp:account-name:%s", field(h, "name") ? field(h, "name") : "");
	store_reply_free(h);
	account_key(k, id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", id);
	{
		const char *argv[] = { "ZRANGE", ik, "0", "-1", NULL };
		ids = cmd(a, argv);
		if (!ids)
			return DOWN(r);
	}
	/* Revoke its MCP tokens first, the account last. A minted token
	 * carries copies of the account's Cloudflare id and sealed token, so
	 * the lookup (store_lookup) never reads the account: a token left
	 * behind would keep working without it. A crash half-way leaves the
	 * account listed, and removing it again finishes the job. Not
	 * guarded: an mcp create racing this (it does not WATCH the account). */
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		char hash[65], mk[KEYSZ], midk[KEYSZ];
		const char *mid = ids->element[i]->str;
		rc = id_to_hash(a, "mcp-id", mid, hash);
		if (rc < 0)
			goto down;
		snprintf(midk, sizeof(midk), "cfmcp:mcp-id:%s", mid);
		if (rc == 1) {
			const char *argv[] = { "UNLINK", mk, midk, NULL };
			redisReply *rep;
			snprintf(mk, sizeof(mk), "cfmcp:mcp:%s", hash);
			rep = cmd(a, argv);
			if (!rep)
				goto down;
			store_reply_free(rep);
		}
	}
	store_reply_free(ids);
	{
		const char *unlink[] = { "UNLINK", k, ik, nk, NULL };
		const char *zrem[] = { "ZREM", "cfmcp:accounts", id, NULL };
		const char *const *cmds[] = { unlink, zrem };
		if (transact(a, 2, cmds) != 1)
			return DOWN(r);
	}
	return ok(r, 204, NULL);
down:
	store_reply_free(ids);
	return DOWN(r);
}

int admin_account_rekey(const struct admin *a, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:accounts", "0", "-1", NULL };
	redisReply *ids = cmd(a, argv);
	long done = 0, failed = 0;
	cJSON *out;
	size_t i;

	if (!ids)
		return DOWN(r);
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		const char *id = ids->element[i]->str;
		char aad[64], plain[1024], sealed[1200], k[KEYSZ];
		const char *tok;
		redisReply *h;
		int rc = account_read(a, id, &h);
		if (rc < 0) {
			store_reply_free(ids);
			return DOWN(r);
		}
		if (rc == 0)
			continue;
		tok = field(h, "cf_token");
		snprintf(aad, sizeof(aad), "account:%s", id);
		if (!tok || crypto_open(a->keys, aad, tok, plain, sizeof(plain)) != CRYPTO_OK ||
		    crypto_seal(a->keys, aad, plain, strlen(plain), sealed, sizeof(sealed)) < 0 ||
		    account_key(k, id) < 0) {
			log_warn("rekey: account %s: the token does not open with any configured key", id);
			failed++;
		} else {
			const char *hset[] = { "HSET", k, "cf_token", sealed, NULL };
			redisReply *rep = cmd(a, hset);
			if (rep && propagate_cf_token(a, id, sealed) < 0) {
				store_reply_free(rep);
				rep = NULL;
			}
			if (!rep) {
				store_reply_free(h);
				store_reply_free(ids);
				crypto_wipe(plain, sizeof(plain));
				return DOWN(r);
			}
			store_reply_free(rep);
			done++;
		}
		crypto_wipe(plain, sizeof(plain));
		crypto_wipe(sealed, sizeof(sealed));
		store_reply_free(h);
	}
	store_reply_free(ids);
	out = cJSON_CreateObject();
	if (!out || json_add(out, "resealed", cJSON_CreateNumber((double)done)) ||
	    json_add(out, "failed", cJSON_CreateNumber((double)failed)) ||
	    add_str(out, "key_id", a->keys->n ? a->keys->k[0].kid : "")) {
		cJSON_Delete(out);
		return OOM(r);
	}
	return ok(r, 200, out);
}

/* ---- MCP server tokens ------------------------------------------------- */

/* Words of a methods/tags filter into a comma list; validated. */
static int filter_words(const cJSON *v, int methods, char *out, size_t outsz, struct admin_res *r)
{
	const cJSON *it;
	size_t len = 0;

	out[0] = '\0';
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v)) {
		BAD(r, "config.%s must be an array of strings", methods ? "methods" : "tags");
		return -1;
	}
	cJSON_ArrayForEach(it, v) {
		const char *w;
		size_t n, i;
		if (!cJSON_IsString(it) || !(n = strlen(it->valuestring)) || n > 64) {
			BAD(r, "config.%s: each entry is a string of 1 to 64 characters", methods ? "methods" : "tags");
			return -1;
		}
		w = it->valuestring;
		for (i = 0; i < n; i++)
			if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') ||
			      (w[i] >= '0' && w[i] <= '9') || w[i] == '_' || w[i] == '-' || w[i] == '.')) {
				BAD(r, "config.%s: \"%.64s\" has a character other than letters, digits, _ - .",
					methods ? "methods" : "tags", w);
				return -1;
			}
		if (len + n + 2 > outsz) {
			BAD(r, "config.%s is too long", methods ? "methods" : "tags");
			return -1;
		}
		if (len)
			out[len++] = ',';
		memcpy(out + len, w, n);
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/* Every method word must mean something; the filter must keep a tool. */
static int filter_check(const struct admin *a, const char *methods, const char *tags, struct admin_res *r)
{
	struct scope s;
	size_t i, hits = 0;
	const char *p = methods;

	memset(&s, 0, sizeof(s));
	while (*p) {
		size_t n = strcspn(p, ",");
		int known = (n == 4 && !strncmp(p, "read", 4)) || (n == 5 && !strncmp(p, "write", 5)) ||
			    (n == 6 && !strncmp(p, "custom", 6));
		for (i = 0; !known && i < a->cat->ntools; i++) {
			const struct tool *t = &a->cat->tools[i];
			known = (strlen(t->name) == n && !strncmp(t->name, p, n)) ||
				(strlen(t->method_key) == n && !strncmp(t->method_key, p, n));
		}
		if (!known)
			return BAD(r, "config.methods: \"%.*s\" is not read, write, custom, a method (list, get, "
				"create, update, delete, or a custom method) or a tool name", (int)(n > 64 ? 64 : n), p);
		p += n;
		if (*p == ',')
			p++;
	}
	snprintf(s.methods, sizeof(s.methods), "%s", methods);
	snprintf(s.tags, sizeof(s.tags), "%s", tags);
	for (i = 0; i < a->cat->ntools; i++)
		hits += (size_t)scope_allows(&s, &a->cat->tools[i]);
	if (!hits)
		return BAD(r, "config: no tool matches these methods and tags together; nothing would be callable");
	return 0;
}

static cJSON *mcp_json(const redisReply *h)
{
	cJSON *o = cJSON_CreateObject(), *conf = cJSON_CreateObject();
	const char *ra = field(h, "require_api_token_auth");

	if (!o || !conf || json_add(o, "id", cJSON_CreateString(field(h, "id") ? field(h, "id") : "")) ||
	    add_str(o, "name", field(h, "name")) ||
	    add_str(o, "integrated_account_id", field(h, "account")) ||
	    json_add(conf, "methods", words_array(field(h, "methods"))) ||
	    json_add(conf, "tags", words_array(field(h, "tags"))) ||
	    json_add(conf, "require_api_token_auth", cJSON_CreateBool(ra && (!strcmp(ra, "1") || !strcmp(ra, "true"))))) {
		cJSON_Delete(o);
		cJSON_Delete(conf);
		return NULL;
	}
	/* conf is o's from here on, even when json_add fails */
	if (json_add(o, "config", conf) ||
	    add_time(o, "expires_at", field(h, "expires_at")) ||
	    add_time(o, "created_at", field(h, "created_at")) ||
	    add_time(o, "updated_at", field(h, "updated_at")) ||
	    add_str(o, "created_by", field(h, "created_by"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Read the MCP record with this id; optionally WATCH it first (update).
 * 1 found (*h, hash set), 0 not found (or another account's), -1 down. */
/* The record an id names: <space>-id:<id> gives the hash, then HGETALL
 * cfmcp:<space>:<hash>, WATCHed first when watch (an update follows).
 * 1 found (*h, hash set), 0 not found, -1 down. */
static int record_by_id(const struct admin *a, const char *space, const char *id, int watch,
	char hash[65], redisReply **h)
{
	char idspace[32], k[KEYSZ];
	int rc;

	*h = NULL;
	snprintf(idspace, sizeof(idspace), "%s-id", space);
	rc = id_to_hash(a, idspace, id, hash);
	if (rc <= 0)
		return rc;
	snprintf(k, sizeof(k), "cfmcp:%s:%s", space, hash);
	if (watch) {
		const char *w[] = { "WATCH", k, NULL };
		redisReply *rep = cmd(a, w);
		if (!rep)
			return -1;
		store_reply_free(rep);
	}
	{
		const char *argv[] = { "HGETALL", k, NULL };
		*h = cmd(a, argv);
	}
	if (!*h) {
		if (watch) {
			/* the connection died under the WATCH: end the transaction
			 * so the store serves this process's next one (store.h) */
			static const char *const u[] = { "UNWATCH", NULL };
			store_reply_free(cmd(a, u));
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

/* An MCP server's record, if it belongs to account (NULL: any). */
static int mcp_read(const struct admin *a, const char *account, const char *id, int watch,
	char hash[65], redisReply **h)
{
	const char *acc;
	int rc = record_by_id(a, "mcp", id, watch, hash, h);

	if (rc != 1) {
		if (rc == 0 && watch) {
			static const char *const u[] = { "UNWATCH", NULL };
			store_reply_free(cmd(a, u));
		}
		return rc;
	}
	acc = field(*h, "account");
	if (!acc || (account && strcmp(acc, account))) {
		store_reply_free(*h);
		*h = NULL;
		if (watch) {
			static const char *const u[] = { "UNWATCH", NULL };
			store_reply_free(cmd(a, u));
		}
		return 0;
	}
	return 1;
}

int admin_mcp_create(const struct admin *a, const char *account, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "config", "expires_at", NULL };
	static const char *const callowed[] = { "methods", "tags", "require_api_token_auth", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(in, "config");
	const cJSON *ra = NULL;
	char methods[1024], tags[1024], id[32], token[64], hash[65], k[KEYSZ], idk[KEYSZ], ik[KEYSZ];
	char now[24], exp[24] = "", url[1024], cfid[64], cftok[1200];
	const char *which;
	redisReply *h;
	long expires;
	int rc;
	cJSON *o;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (unknown_member(in, allowed, &which))
		return BAD(r, "unknown field \"%.64s\" (allowed: name, config, expires_at)", which);
	if (name && !(cJSON_IsString(name) && printable(name->valuestring, 100)))
		return BAD(r, "name must be a string of 1 to 100 printable characters");
	if (conf && !cJSON_IsNull(conf)) {
		if (!cJSON_IsObject(conf))
			return BAD(r, "config must be an object {methods, tags, require_api_token_auth}");
		if (unknown_member(conf, callowed, &which))
			return BAD(r, "unknown field config.%.64s (allowed: methods, tags, require_api_token_auth)", which);
		ra = cJSON_GetObjectItemCaseSensitive(conf, "require_api_token_auth");
		if (ra && !cJSON_IsBool(ra))
			return BAD(r, "config.require_api_token_auth must be true or false");
	}
	if (filter_words(conf ? cJSON_GetObjectItemCaseSensitive(conf, "methods") : NULL, 1, methods, sizeof(methods), r) < 0 ||
	    filter_words(conf ? cJSON_GetObjectItemCaseSensitive(conf, "tags") : NULL, 0, tags, sizeof(tags), r) < 0 ||
	    filter_check(a, methods, tags, r))
		return r->status;
	expires = expiry_of(a, cJSON_GetObjectItemCaseSensitive(in, "expires_at"), r);
	if (expires < 0)
		return r->status;
	rc = account_read(a, account, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	/* the account's Cloudflare id and sealed token travel with the token
	 * hash: one HGETALL per request (store_lookup) */
	snprintf(cfid, sizeof(cfid), "%s", field(h, "cf_account_id") ? field(h, "cf_account_id") : "");
	snprintf(cftok, sizeof(cftok), "%s", field(h, "cf_token") ? field(h, "cf_token") : "");
	store_reply_free(h);
	if (new_id(a, "mcp", id, sizeof(id)) < 0 || crypto_random_token(32, token, sizeof(token)) < 0 ||
	    crypto_sha256_hex(token, strlen(token), hash) < 0)
		return fail(r, 500, "internal_error", "no random bytes from the OS");
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	snprintf(now, sizeof(now), "%ld", a->now);
	if (expires)
		snprintf(exp, sizeof(exp), "%ld", expires);
	{
		const char *hset[] = { "HSET", k, "id", id, "name", name ? name->valuestring : id,
			"account", account, "hash", hash, "methods", methods, "tags", tags,
			"require_api_token_auth", cJSON_IsTrue(ra) ? "1" : "0", "expires_at", exp,
			"created_at", now, "updated_at", now, "created_by", a->actor,
			"cf_account_id", cfid, "cf_token", cftok, NULL };
		const char *set[] = { "SET", idk, hash, NULL };
		const char *zadd[] = { "ZADD", ik, "0", id, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *const *cmds[] = { hset, set, zadd, e1, e2 };
		rc = transact(a, expires ? 5 : 3, cmds);
	}
	if (rc != 1) {
		crypto_wipe(token, sizeof(token));
		return DOWN(r);
	}
	rc = mcp_read(a, account, id, 0, hash, &h);
	if (rc <= 0) {
		crypto_wipe(token, sizeof(token));
		return rc < 0 ? DOWN(r) : fail(r, 500, "internal_error", "the new token vanished");
	}
	o = mcp_json(h);
	store_reply_free(h);
	snprintf(url, sizeof(url), "%s/mcp/%s", a->public_url, token);
	if (!o || add_str(o, "url", url) || add_str(o, "token", token)) {
		cJSON_Delete(o);
		crypto_wipe(token, sizeof(token));
		crypto_wipe(url, sizeof(url));
		return OOM(r);
	}
	crypto_wipe(token, sizeof(token));
	crypto_wipe(url, sizeof(url));
	return ok(r, 201, o);
}

int admin_mcp_get(const struct admin *a, const char *account, const char *id, struct admin_res *r)
{
	char hash[65];
	redisReply *h;
	cJSON *o;
	int rc = mcp_read(a, account, id, 0, hash, &h);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no MCP server with that id%s", account ? " on this integrated account" : "");
	o = mcp_json(h);
	store_reply_free(h);
	return o ? ok(r, 200, o) : OOM(r);
}

int admin_mcp_list(const struct admin *a, const char *account, const char *cursor, long limit,
	struct admin_res *r)
{
	char ik[KEYSZ], start[64], lim[24];
	redisReply *ids;
	cJSON *out = NULL, *items;
	size_t i, shown = 0;
	int rc;
	const char *last = NULL;

	if (limit <= 0 || limit > ADMIN_PAGE_MAX)
		return BAD(r, "limit must be 1 to %d", ADMIN_PAGE_MAX);
	if (cursor && !admin_id_ok(cursor))
		return BAD(r, "cursor is not one this server gave out");
	{
		redisReply *h;
		rc = account_read(a, account, &h);
		if (rc < 0)
			return DOWN(r);
		if (rc == 0)
			return NOTFOUND(r, "no integrated account with that id");
		store_reply_free(h);
	}
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", account);
	snprintf(start, sizeof(start), cursor ? "(%s" : "-", cursor ? cursor : "");
	snprintf(lim, sizeof(lim), "%ld", limit + 1);
	{
		const char *argv[] = { "ZRANGEBYLEX", ik, start, "+", "LIMIT", "0", lim, NULL };
		ids = cmd(a, argv);
	}
	if (!ids)
		return DOWN(r);
	out = cJSON_CreateObject();
	items = cJSON_CreateArray();
	if (json_add(out, "items", items)) /* frees items if out is NULL */
		goto oom;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements && shown < (size_t)limit; i++) {
		char hash[65];
		redisReply *h;
		cJSON *o;
		const char *id = ids->element[i]->str;
		rc = mcp_read(a, account, id, 0, hash, &h);
		if (rc < 0)
			goto down;
		last = id;
		if (rc == 0) {
			/* expired or revoked by hand: clean the index lazily */
			const char *zrem[] = { "ZREM", ik, id, NULL };
			store_reply_free(cmd(a, zrem));
			continue;
		}
		o = mcp_json(h);
		store_reply_free(h);
		if (!o || json_add(items, NULL, o))
			goto oom;
		shown++;
	}
	if (json_add(out, "next_cursor", ids->type == REDIS_REPLY_ARRAY && ids->elements > (size_t)limit && last ?
		    cJSON_CreateString(last) : cJSON_CreateNull()))
		goto oom;
	store_reply_free(ids);
	return ok(r, 200, out);
down:
	store_reply_free(ids);
	cJSON_Delete(out);
	return DOWN(r);
oom:
	store_reply_free(ids);
	cJSON_Delete(out);
	return OOM(r);
}

int admin_mcp_update(const struct admin *a, const char *account, const char *id, const cJSON *in,
	struct admin_res *r)
{
	static const char *const allowed[] = { "name", "config", "expires_at", NULL };
	static const char *const callowed[] = { "methods", "tags", "require_api_token_auth", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(in, "config");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(in, "expires_at");
	const cJSON *mv = NULL, *tv = NULL, *ra = NULL;
	char methods[1024], tags[1024], hash[65], k[KEYSZ], idk[KEYSZ], now[24], exp[24] = "";
	const char *which, *acc;
	redisReply *h;
	long expires = 0;
	int rc;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (unknown_member(in, allowed, &which))
		return BAD(r, "unknown field \"%.64s\" (allowed: name, config, expires_at)", which);
	if (name && !(cJSON_IsString(name) && printable(name->valuestring, 100)))
		return BAD(r, "name must be a string of 1 to 100 printable characters");
	if (conf) {
		if (!cJSON_IsObject(conf))
			return BAD(r, "config must be an object {methods, tags, require_api_token_auth}");
		if (unknown_member(conf, callowed, &which))
			return BAD(r, "unknown field config.%.64s (allowed: methods, tags, require_api_token_auth)", which);
		mv = cJSON_GetObjectItemCaseSensitive(conf, "methods");
		tv = cJSON_GetObjectItemCaseSensitive(conf, "tags");
		ra = cJSON_GetObjectItemCaseSensitive(conf, "require_api_token_auth");
		if (ra && !cJSON_IsBool(ra))
			return BAD(r, "config.require_api_token_auth must be true or false");
	}
	if (ev && !cJSON_IsNull(ev)) {
		expires = expiry_of(a, ev, r);
		if (expires < 0)
			return r->status;
		snprintf(exp, sizeof(exp), "%ld", expires);
	}
	rc = mcp_read(a, account, id, 1, hash, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no MCP server with that id%s", account ? " on this integrated account" : "");
	acc = field(h, "account");
	snprintf(methods, sizeof(methods), "%s", field(h, "methods") ? field(h, "methods") : "");
	snprintf(tags, sizeof(tags), "%s", field(h, "tags") ? field(h, "tags") : "");
	if ((mv && filter_words(mv, 1, methods, sizeof(methods), r) < 0) ||
	    (tv && filter_words(tv, 0, tags, sizeof(tags), r) < 0) ||
	    filter_check(a, methods, tags, r)) {
		static const char *const u[] = { "UNWATCH", NULL };
		store_reply_free(cmd(a, u));
		store_reply_free(h);
		return r->status;
	}
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(now, sizeof(now), "%ld", a->now);
	{
		const char *ra_v = ra ? (cJSON_IsTrue(ra) ? "1" : "0") :
			(field(h, "require_api_token_auth") ? field(h, "require_api_token_auth") : "0");
		const char *hset[] = { "HSET", k, "name", name ? name->valuestring : (field(h, "name") ? field(h, "name") : id),
			"methods", methods, "tags", tags, "require_api_token_auth", ra_v,
			"updated_at", now, NULL, NULL, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *p1[] = { "PERSIST", k, NULL };
		const char *p2[] = { "PERSIST", idk, NULL };
		const char *const *cmds[3] = { hset, NULL, NULL };
		size_t n = 1;
		if (ev) {
			/* "expires_at": null clears the expiry; a time sets it */
			hset[12] = "expires_at";
			hset[13] = exp;
			cmds[1] = expires ? e1 : p1;
			cmds[2] = expires ? e2 : p2;
			n = 3;
		}
		(void)acc;
		rc = transact(a, n, cmds);
	}
	store_reply_free(h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return fail(r, 409, "conflict", "the MCP server changed or expired while being updated; read it and retry");
	return admin_mcp_get(a, account, id, r);
}

int admin_mcp_delete(const struct admin *a, const char *account, const char *id, struct admin_res *r)
{
	char hash[65], k[KEYSZ], idk[KEYSZ], ik[KEYSZ];
	redisReply *h;
	int rc = mcp_read(a, account, id, 0, hash, &h);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no MCP server with that id%s", account ? " on this integrated account" : "");
	snprintf(k, sizeof(k), "cfmcp:mcp:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:mcp-id:%s", id);
	snprintf(ik, sizeof(ik), "cfmcp:account:%s:mcp", field(h, "account"));
	store_reply_free(h);
	{
		const char *unlink[] = { "UNLINK", k, idk, NULL };
		const char *zrem[] = { "ZREM", ik, id, NULL };
		const char *const *cmds[] = { unlink, zrem };
		if (transact(a, 2, cmds) != 1)
			return DOWN(r);
	}
	return ok(r, 204, NULL);
}

/* What a scope's filter keeps, listed for a person choosing one (the page's
 * live preview, cfmcp-admin mcp preview): the catalogue walked with the
 * same scope_allows() tools/list uses, in the same (name) order. bytes is
 * the length of the tools/list result that lists them all on one page:
 * {"tools":[<each tool's rendered JSON>,...]}. */
static cJSON *preview_json(const struct catalog *cat, const char *methods, const char *tags)
{
	static const char *const class_of[] = { [TOOL_LIST] = "read", [TOOL_GET] = "read",
		[TOOL_CREATE] = "write", [TOOL_UPDATE] = "write", [TOOL_DELETE] = "write", [TOOL_CUSTOM] = "custom" };
	struct scope s;
	cJSON *o = cJSON_CreateObject(), *tools = cJSON_CreateArray();
	size_t i, j, count = 0, bytes = sizeof("{\"tools\":[]}") - 1;

	memset(&s, 0, sizeof(s));
	snprintf(s.methods, sizeof(s.methods), "%s", methods);
	snprintf(s.tags, sizeof(s.tags), "%s", tags);
	/* each item is owned by its parent as soon as it exists (json_add),
	 * so deleting o frees everything on any failure */
	if (!o || json_add(o, "tools", tools))
		goto oom;
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		cJSON *one, *tg;
		if (!scope_allows(&s, t))
			continue;
		bytes += t->json_len + (count ? 1 : 0);
		count++;
		one = cJSON_CreateObject();
		tg = cJSON_CreateArray();
		if (json_add(tools, NULL, one)) {
			cJSON_Delete(tg);
			goto oom;
		}
		if (json_add(one, "name", cJSON_CreateString(t->name)) ||
		    json_add(one, "class", cJSON_CreateString(class_of[t->kind])) ||
		    json_add(one, "method", cJSON_CreateString(t->method_key)) || json_add(one, "tags", tg))
			goto oom;
		for (j = 0; t->tags[j]; j++)
			if (json_add(tg, NULL, cJSON_CreateString(t->tags[j])))
				goto oom;
	}
	if (json_add(o, "count", cJSON_CreateNumber((double)count)) ||
	    json_add(o, "bytes", cJSON_CreateNumber((double)bytes)))
		goto oom;
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

int admin_tools_preview(const struct admin *a, const char *account, const cJSON *conf, struct admin_res *r)
{
	static const char *const allowed[] = { "methods", "tags", NULL };
	char methods[1024], tags[1024];
	const char *which;
	redisReply *h;
	cJSON *o;
	int rc;

	if (!cJSON_IsObject(conf))
		return BAD(r, "the filter must be an object {methods, tags}");
	if (unknown_member(conf, allowed, &which))
		return BAD(r, "unknown parameter \"%.64s\" (allowed: methods, tags)", which);
	/* the checks, words and messages of creating a server (a filter that
	 * keeps no tool is the same 400) */
	if (filter_words(cJSON_GetObjectItemCaseSensitive(conf, "methods"), 1, methods, sizeof(methods), r) < 0 ||
	    filter_words(cJSON_GetObjectItemCaseSensitive(conf, "tags"), 0, tags, sizeof(tags), r) < 0 ||
	    filter_check(a, methods, tags, r))
		return r->status;
	rc = account_read(a, account, &h);
	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no integrated account with that id");
	store_reply_free(h);
	o = preview_json(a->cat, methods, tags);
	return o ? ok(r, 200, o) : OOM(r);
}

/* ---- API keys ------------------------------------------------------------ */

static cJSON *apikey_json(const redisReply *h)
{
	cJSON *o = cJSON_CreateObject();
	const char *accs = field(h, "accounts");

	if (!o || add_str(o, "id", field(h, "id")) || add_str(o, "name", field(h, "name")) ||
	    json_add(o, "accounts", accs && !strcmp(accs, "*") ? cJSON_CreateString("*") : words_array(accs)) ||
	    add_time(o, "expires_at", field(h, "expires_at")) ||
	    add_time(o, "created_at", field(h, "created_at")) ||
	    add_str(o, "created_by", field(h, "created_by"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int admin_apikey_create(const struct admin *a, const cJSON *in, struct admin_res *r)
{
	static const char *const allowed[] = { "name", "accounts", "expires_at", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(in, "name");
	const cJSON *accs = cJSON_GetObjectItemCaseSensitive(in, "accounts");
	char accounts[1024] = "", id[32], token[64], hash[65], k[KEYSZ], idk[KEYSZ], now[24], exp[24] = "";
	const char *which;
	long expires;
	int rc;
	cJSON *o;

	if (!cJSON_IsObject(in))
		return BAD(r, "the body must be a JSON object");
	if (unknown_member(in, allowed, &which))
		return BAD(r, "unknown field \"%.64s\" (allowed: name, accounts, expires_at)", which);
	if (!cJSON_IsString(name) || !printable(name->valuestring, 100))
		return BAD(r, "name is required: a string of 1 to 100 printable characters");
	if (cJSON_IsString(accs) && !strcmp(accs->valuestring, "*")) {
		snprintf(accounts, sizeof(accounts), "*");
	} else if (cJSON_IsArray(accs) && cJSON_GetArraySize(accs) > 0) {
		const cJSON *it;
		size_t len = 0;
		cJSON_ArrayForEach(it, accs) {
			redisReply *h;
			if (!cJSON_IsString(it) || !admin_id_ok(it->valuestring))
				return BAD(r, "accounts: each entry is an integrated account id");
			rc = account_read(a, it->valuestring, &h);
			if (rc < 0)
				return DOWN(r);
			if (rc == 0)
				return NOTFOUND(r, "accounts: no integrated account %.40s", it->valuestring);
			store_reply_free(h);
			if (len + strlen(it->valuestring) + 2 > sizeof(accounts))
				return BAD(r, "accounts: too many");
			len += (size_t)snprintf(accounts + len, sizeof(accounts) - len, "%s%s", len ? "," : "", it->valuestring);
		}
	} else {
		return BAD(r, "accounts is required: \"*\" (every integrated account) or a list of integrated account ids");
	}
	expires = expiry_of(a, cJSON_GetObjectItemCaseSensitive(in, "expires_at"), r);
	if (expires < 0)
		return r->status;
	if (new_id(a, "ak", id, sizeof(id)) < 0 || crypto_random_token(32, token, sizeof(token)) < 0 ||
	    crypto_sha256_hex(token, strlen(token), hash) < 0)
		return fail(r, 500, "internal_error", "no random bytes from the OS");
	snprintf(k, sizeof(k), "cfmcp:apikey:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:apikey-id:%s", id);
	snprintf(now, sizeof(now), "%ld", a->now);
	if (expires)
		snprintf(exp, sizeof(exp), "%ld", expires);
	{
		const char *hset[] = { "HSET", k, "id", id, "name", name->valuestring, "hash", hash,
			"accounts", accounts, "expires_at", exp, "created_at", now, "created_by", a->actor, NULL };
		const char *set[] = { "SET", idk, hash, NULL };
		const char *zadd[] = { "ZADD", "cfmcp:apikeys", "0", id, NULL };
		const char *e1[] = { "EXPIREAT", k, exp, NULL };
		const char *e2[] = { "EXPIREAT", idk, exp, NULL };
		const char *const *cmds[] = { hset, set, zadd, e1, e2 };
		rc = transact(a, expires ? 5 : 3, cmds);
	}
	if (rc != 1) {
		crypto_wipe(token, sizeof(token));
		return DOWN(r);
	}
	{
		const char *argv[] = { "HGETALL", k, NULL };
		redisReply *h = cmd(a, argv);
		o = h ? apikey_json(h) : NULL;
		store_reply_free(h);
	}
	if (!o || add_str(o, "token", token)) {
		cJSON_Delete(o);
		crypto_wipe(token, sizeof(token));
		return OOM(r);
	}
	crypto_wipe(token, sizeof(token));
	return ok(r, 201, o);
}

int admin_apikey_list(const struct admin *a, struct admin_res *r)
{
	static const char *const argv[] = { "ZRANGE", "cfmcp:apikeys", "0", "999", NULL };
	redisReply *ids = cmd(a, argv);
	cJSON *out, *items;
	size_t i;

	if (!ids)
		return DOWN(r);
	out = cJSON_CreateObject();
	items = cJSON_CreateArray();
	if (json_add(out, "items", items)) /* frees items if out is NULL */
		goto oom;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
		const char *id = ids->element[i]->str;
		char hash[65];
		redisReply *h;
		cJSON *o;
		int rc = record_by_id(a, "apikey", id, 0, hash, &h);
		if (rc < 0)
			goto down;
		if (rc == 0) {
			/* expired or revoked by hand: clean the index lazily */
			const char *zrem[] = { "ZREM", "cfmcp:apikeys", id, NULL };
			store_reply_free(cmd(a, zrem));
			continue;
		}
		o = apikey_json(h);
		store_reply_free(h);
		if (!o || json_add(items, NULL, o))
			goto oom;
	}
	store_reply_free(ids);
	return ok(r, 200, out);
down:
	store_reply_free(ids);
	cJSON_Delete(out);
	return DOWN(r);
oom:
	store_reply_free(ids);
	cJSON_Delete(out);
	return OOM(r);
}

int admin_apikey_revoke(const struct admin *a, const char *id, struct admin_res *r)
{
	char hash[65], k[KEYSZ], idk[KEYSZ];
	int rc = id_to_hash(a, "apikey-id", id, hash);

	if (rc < 0)
		return DOWN(r);
	if (rc == 0)
		return NOTFOUND(r, "no API key with that id");
	snprintf(k, sizeof(k), "cfmcp:apikey:%s", hash);
	snprintf(idk, sizeof(idk), "cfmcp:apikey-id:%s", id);
	{
		const char *unlink[] = { "UNLINK", k, idk, NULL };
		const char *zrem[] = { "ZREM", "cfmcp:apikeys", id, NULL };
		const char *const *cmds[] = { unlink, zrem };
		if (transact(a, 2, cmds) != 1)
			return DOWN(r);
	}
	return ok(r, 204, NULL);
}
