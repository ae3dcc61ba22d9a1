/*
 * scope.c - a token's scope from its Redis hash.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include "scope.h"
#include "words.h"

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

int scope_time_field(const char *v, size_t n, long *out)
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
		else if (kn == 4 && !memcmp(k, "name", 4) && vn < sizeof(s->name))
			rc = scope_copy_field(s->name, sizeof(s->name), v, vn); /* longer: none, never a refusal */
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
			rc = scope_time_field(v, vn, &s->expires_at);
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

#include "catalog.h"

/* Call fn on each comma-separated word of list; stop at the first hit. */
static int any_word(const char *list, int (*fn)(const char *w, size_t n, const void *ud), const void *ud)
{
	const char *w;
	size_t n;

	while ((n = words_next(&list, &w)))
		if (fn(w, n, ud))
			return 1;
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

enum apikey_verdict scope_apikey_check(const struct scope *s, const char *bearer_hash, long now)
{
	return apikey_check(&s->key, bearer_hash, s->account, now);
}
