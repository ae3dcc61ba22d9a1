/*
 * scope.c - a token's scope from its Redis hash.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "scope.h"

int scope_copy_field(char *dst, size_t dstsz, const char *v, size_t n)
{
	if (n >= dstsz || memchr(v, '\0', n))
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* "1"/"true" are true; anything else false (the CLI and API write "1"/"0"). */
static int flag_value(const char *v, size_t n)
{
	return (n == 1 && v[0] == '1') || (n == 4 && !memcmp(v, "true", 4));
}

/* A decimal Unix time; empty = 0 (never). */
static int long_value(const char *v, size_t n, long *out)
{
	char tmp[24], *end;

	if (n == 0) {
		*out = 0;
		return 0;
	}
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	*out = strtol(tmp, &end, 10);
	return (*end || *out < 0) ? -1 : 0;
}

int scope_from_pairs(struct scope *s, const char *const *kv, const size_t *kvlen, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i + 1 < n; i += 2) {
		const char *k = kv[i], *v = kv[i + 1];
		size_t kn = kvlen[i], vn = kvlen[i + 1];
		int rc = 0;

		if (kn == 2 && !memcmp(k, "id", 2))
			rc = scope_copy_field(s->id, sizeof(s->id), v, vn);
		else if (kn == 7 && !memcmp(k, "account", 7))
			rc = scope_copy_field(s->account, sizeof(s->account), v, vn);
		else if (kn == 4 && !memcmp(k, "hash", 4))
			rc = scope_copy_field(s->hash, sizeof(s->hash), v, vn);
		else if (kn == 13 && !memcmp(k, "cf_account_id", 13))
			rc = scope_copy_field(s->cf_account, sizeof(s->cf_account), v, vn);
		else if (kn == 8 && !memcmp(k, "cf_token", 8))
			rc = scope_copy_field(s->cf_token_sealed, sizeof(s->cf_token_sealed), v, vn);
		else if (kn == 22 && !memcmp(k, "require_api_token_auth", 22))
			s->require_api_auth = flag_value(v, vn);
		else if (kn == 10 && !memcmp(k, "expires_at", 10))
			rc = long_value(v, vn, &s->expires_at);
		else if (kn == 7 && !memcmp(k, "methods", 7))
			rc = scope_copy_field(s->methods, sizeof(s->methods), v, vn);
		else if (kn == 4 && !memcmp(k, "tags", 4))
			rc = scope_copy_field(s->tags, sizeof(s->tags), v, vn);
		else if (kn == 9 && !memcmp(k, "tool_mode", 9) && vn < sizeof(s->tool_mode))
			rc = scope_copy_field(s->tool_mode, sizeof(s->tool_mode), v, vn); /* longer: auto */
		if (rc)
			return -1;
	}
	return 0;
}

int apikey_from_pairs(struct apikey *k, const char *const *kv, const size_t *kvlen, size_t n)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i + 1 < n; i += 2) {
		const char *f = kv[i], *v = kv[i + 1];
		size_t fn = kvlen[i], vn = kvlen[i + 1];
		int rc = 0;

		if (fn == 2 && !memcmp(f, "id", 2))
			rc = scope_copy_field(k->id, sizeof(k->id), v, vn);
		else if (fn == 4 && !memcmp(f, "hash", 4))
			rc = scope_copy_field(k->hash, sizeof(k->hash), v, vn);
		else if (fn == 8 && !memcmp(f, "accounts", 8))
			rc = scope_copy_field(k->accounts, sizeof(k->accounts), v, vn);
		else if (fn == 10 && !memcmp(f, "expires_at", 10))
			rc = long_value(v, vn, &k->expires_at);
		if (rc)
			return -1;
	}
	k->present = n > 0;
	return 0;
}

#include "catalog.h"

/* Call fn on each comma-separated word of list; stop at the first hit. */
static int any_word(const char *list, int (*fn)(const char *w, size_t n, const void *ud), const void *ud)
{
	const char *p = list;

	while (*p) {
		size_t n;
		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (n && fn(p, n, ud))
			return 1;
		p += n;
	}
	return 0;
}

static int word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

static int method_hit(const char *w, size_t n, const void *ud)
{
	const struct tool *t = ud;

	if (word_is(w, n, "read"))
		return t->kind == TOOL_LIST || t->kind == TOOL_GET;
	if (word_is(w, n, "write"))
		return t->kind == TOOL_CREATE || t->kind == TOOL_UPDATE || t->kind == TOOL_DELETE;
	if (word_is(w, n, "custom"))
		return t->kind == TOOL_CUSTOM;
	return word_is(w, n, t->method_key) || word_is(w, n, t->name);
}

static int tag_hit(const char *w, size_t n, const void *ud)
{
	const struct tool *t = ud;
	size_t i;

	for (i = 0; t->tags[i]; i++)
		if (word_is(w, n, t->tags[i]))
			return 1;
	return 0;
}

int scope_allows(const struct scope *s, const struct tool *t)
{
	if (s->methods[0] && !any_word(s->methods, method_hit, t))
		return 0;
	if (s->tags[0] && !any_word(s->tags, tag_hit, t))
		return 0;
	return 1;
}

static int account_hit(const char *w, size_t n, const void *ud)
{
	return word_is(w, n, "*") || word_is(w, n, ud);
}

int apikey_allows_account(const struct apikey *k, const char *account)
{
	return k->present && account[0] && any_word(k->accounts, account_hit, account);
}

enum apikey_verdict scope_apikey_check(const struct scope *s, const char *bearer_hash, long now)
{
	if (!bearer_hash)
		return APIKEY_MISSING;
	/* Looked up by the SHA-256 of what was sent (so timing depends on
	 * the hash, not the secret); the stored hash is compared again in
	 * constant time, and a record without one is refused. */
	if (!s->key.present || strlen(s->key.hash) != 64 || !s->key.id[0] ||
	    !crypto_equal(s->key.hash, bearer_hash, 64))
		return APIKEY_INVALID;
	/* EXPIREAT removes the key at expires_at; this covers the second
	 * before Redis's own clock gets there. */
	if (s->key.expires_at && s->key.expires_at <= now)
		return APIKEY_INVALID;
	if (!apikey_allows_account(&s->key, s->account))
		return APIKEY_WRONG_ACCOUNT;
	return APIKEY_OK;
}
