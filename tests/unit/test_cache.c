/*
 * test_cache.c - the scope cache's pools without Redis (issue 13): LRU
 * order and bound, unknown tokens kept apart from known ones (a flood of
 * random tokens evicts no real one), invalidation by key name, local
 * expiry, the API key half of an answer. tests/e2e/46-cache.t proves the
 * guarantee against the real stack.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <string.h>

#include "../../common/cache.h"
#include "../tap.h"

static void hexof(unsigned n, char out[65])
{
	int i;

	snprintf(out, 65, "%064x", n);
	for (i = 0; i < 64; i++)
		if (out[i] == ' ')
			out[i] = '0';
}

static struct scope mk(const char *account, long expires_at)
{
	struct scope s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "mcp_1");
	snprintf(s.account, sizeof(s.account), "%s", account);
	snprintf(s.cf_account, sizeof(s.cf_account), "cf");
	s.expires_at = expires_at;
	return s;
}

int main(void)
{
	struct cache *c = cache_new(4);
	struct scope s, out;
	char h[8][65], key[128];
	unsigned i;

	ok(c != NULL, "cache_new(4)");
	ok(cache_new(0) == NULL, "cache_new(0) is no cache");
	for (i = 0; i < 8; i++)
		hexof(i + 1, h[i]);

	/* LRU: 4 known tokens fit; touching the oldest keeps it, the next
	 * put evicts the least recently used one */
	s = mk("ia_1", 0);
	for (i = 0; i < 4; i++)
		cache_put(c, h[i], NULL, STORE_OK, &s);
	is_int(cache_count(c), 4, "4 known tokens held");
	is_int(cache_get(c, h[0], NULL, 100, &out), STORE_OK, "h0 hit");
	cache_put(c, h[4], NULL, STORE_OK, &s);
	is_int(cache_count(c), 4, "bounded at 4");
	is_int(cache_get(c, h[1], NULL, 100, &out), -1, "the least recently used (h1) was evicted");
	is_int(cache_get(c, h[0], NULL, 100, &out), STORE_OK, "the recently used h0 stayed");

	/* a flood of unknown tokens evicts no known one */
	for (i = 0; i < 1000; i++) {
		char r[65];
		hexof(0x100000u + i, r);
		cache_put(c, r, NULL, STORE_NOTFOUND, NULL);
	}
	is_int(cache_get(c, h[0], NULL, 100, &out), STORE_OK, "h0 survives 1000 unknown tokens");
	is_int(cache_get(c, h[4], NULL, 100, &out), STORE_OK, "... and h4");
	{
		char r[65];
		hexof(0x100000u + 999, r);
		is_int(cache_get(c, r, NULL, 100, &out), STORE_NOTFOUND, "the last unknown token is cached as unknown");
		hexof(0x100000u, r);
		is_int(cache_get(c, r, NULL, 100, &out), -1, "the first one was evicted by other unknown ones");
	}

	/* invalidation by key name */
	snprintf(key, sizeof(key), "cfmcp:mcp:%s", h[0]);
	cache_invalidate(c, key, strlen(key));
	is_int(cache_get(c, h[0], NULL, 100, &out), -1, "cfmcp:mcp:<h0> changed: h0 dropped");
	is_int(cache_get(c, h[4], NULL, 100, &out), STORE_OK, "h4 kept");
	cache_invalidate(c, key, strlen(key) - 1);
	cache_invalidate(c, STRLIT("cfmcp:mcp:"));
	cache_invalidate(c, STRLIT("something:else"));
	is_int(cache_get(c, h[4], NULL, 100, &out), STORE_OK, "malformed and foreign key names drop nothing");
	{
		char r[65];
		hexof(0x100000u + 999, r);
		snprintf(key, sizeof(key), "cfmcp:mcp:%s", r);
		cache_invalidate(c, key, strlen(key));
		is_int(cache_get(c, r, NULL, 100, &out), -1, "an unknown token made known: its negative entry dropped");
	}

	/* a token of another account; an account change drops its tokens */
	s = mk("ia_2", 0);
	cache_put(c, h[5], NULL, STORE_OK, &s);
	cache_invalidate(c, STRLIT("cfmcp:account:ia_2"));
	is_int(cache_get(c, h[5], NULL, 100, &out), -1, "cfmcp:account:ia_2 changed: its token dropped");
	is_int(cache_get(c, h[4], NULL, 100, &out), STORE_OK, "ia_1's token kept");

	/* local expiry */
	s = mk("ia_1", 150);
	cache_put(c, h[6], NULL, STORE_OK, &s);
	is_int(cache_get(c, h[6], NULL, 149, &out), STORE_OK, "expires_at 150: served at 149");
	is_int(cache_get(c, h[6], NULL, 150, &out), -1, "not at 150 (a miss: Redis decides)");

	/* the API key half */
	s = mk("ia_1", 0);
	s.key.present = 1;
	snprintf(s.key.id, sizeof(s.key.id), "ak_1");
	memcpy(s.key.hash, h[7], 65);
	snprintf(s.key.accounts, sizeof(s.key.accounts), "*");
	cache_put(c, h[3], h[7], STORE_OK, &s);
	memset(&out, 0, sizeof(out));
	is_int(cache_get(c, h[3], h[7], 100, &out), STORE_OK, "token + key hit");
	ok(out.key.present && !strcmp(out.key.id, "ak_1"), "the key comes with it");
	is_int(cache_get(c, h[3], NULL, 100, &out), STORE_OK, "the token alone");
	ok(!out.key.present, "... without a key");
	is_int(cache_get(c, h[3], h[2], 100, &out), -1, "another Bearer: a miss");
	snprintf(key, sizeof(key), "cfmcp:apikey:%s", h[7]);
	cache_invalidate(c, key, strlen(key));
	is_int(cache_get(c, h[3], h[7], 100, &out), -1, "the key changed: a miss");
	s.key.present = 0;
	cache_put(c, h[3], h[2], STORE_OK, &s);
	is_int(cache_get(c, h[3], h[2], 100, &out), STORE_OK, "an unknown Bearer is cached as unknown");
	ok(!out.key.present, "... and answered without a key");

	/* input that is no SHA-256 hex is never cached */
	cache_put(c, "abc", NULL, STORE_OK, &s);
	is_int(cache_get(c, "abc", NULL, 100, &out), -1, "a short hash is not cached");

	cache_flush(c);
	is_int(cache_count(c), 0, "flush empties all four pools");
	cache_free(c);
	cache_free(NULL);
	return done_testing();
}
