/*
 * cache.c - the per-worker scope cache (cache.h has the contract, README
 * "Scope cache" the guarantee). A pool is a fixed array of slots with a
 * chained hash index and an LRU list, all by slot number, allocated once
 * at start: nothing is allocated on the hot path.
 */
#include "first.h"

#include <stdint.h>
#include <string.h>

#include "cache.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#define NIL UINT32_MAX
#define HASH_HEX 64

struct slot {
	char hash[HASH_HEX + 1]; /* SHA-256 hex of the token or key; "" = free */
	uint32_t chain;          /* next slot in the same bucket */
	uint32_t newer, older;   /* LRU list */
};

struct pool {
	size_t cap, n;
	struct slot *slot;
	uint32_t *bucket;        /* nbuckets heads */
	size_t nbuckets;         /* power of two >= cap */
	uint32_t newest, oldest, free;
	size_t fresh;            /* slots [fresh, cap) were never used since the last clear */
	void *payload;           /* cap records of size psize; NULL for unknowns */
	size_t psize;
};

struct cache {
	struct pool tok, tok_none, key, key_none;
	long gen;                /* store_tracking_sync's, when filled */
	struct cache_stats stats;
};

static int is_hash(const char *h, size_t n)
{
	size_t i;

	if (n != HASH_HEX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	return 1;
}

/* FNV-1a: the input is a SHA-256 already, any mixing will do */
static size_t bucket_of(const struct pool *p, const char *h)
{
	uint32_t x = 2166136261u;
	size_t i;

	for (i = 0; i < HASH_HEX; i++)
		x = (x ^ (unsigned char)h[i]) * 16777619u;
	return x & (p->nbuckets - 1);
}

static void *payload_of(struct pool *p, uint32_t i)
{
	return (char *)p->payload + (size_t)i * p->psize;
}

/* Touches the bucket heads only: slots are handed out in order after a
 * clear, so an idle worker's cache costs no resident memory beyond them. */
static void pool_clear(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->nbuckets; i++)
		p->bucket[i] = NIL;
	p->free = NIL;
	p->fresh = 0;
	p->newest = p->oldest = NIL;
	p->n = 0;
}

static int pool_init(struct pool *p, size_t cap, size_t psize)
{
	memset(p, 0, sizeof(*p));
	p->cap = cap;
	p->nbuckets = 1;
	while (p->nbuckets < cap)
		p->nbuckets <<= 1;
	/* malloc, not calloc: zeroing would make every page resident at
	 * start; no slot or record is read before pool_put writes it */
	p->slot = cap <= SIZE_MAX / sizeof(*p->slot) ? xmalloc(cap * sizeof(*p->slot)) : NULL;
	p->bucket = xmalloc(p->nbuckets * sizeof(*p->bucket));
	p->psize = psize;
	if (psize)
		p->payload = cap <= SIZE_MAX / psize ? xmalloc(cap * psize) : NULL;
	if (!p->slot || !p->bucket || (psize && !p->payload))
		return -1;
	pool_clear(p);
	return 0;
}

static void pool_free(struct pool *p)
{
	xfree(p->slot);
	xfree(p->bucket);
	xfree(p->payload);
}

static void lru_unlink(struct pool *p, uint32_t i)
{
	struct slot *s = &p->slot[i];

	if (s->newer != NIL)
		p->slot[s->newer].older = s->older;
	else
		p->newest = s->older;
	if (s->older != NIL)
		p->slot[s->older].newer = s->newer;
	else
		p->oldest = s->newer;
}

static void lru_push(struct pool *p, uint32_t i)
{
	struct slot *s = &p->slot[i];

	s->newer = NIL;
	s->older = p->newest;
	if (p->newest != NIL)
		p->slot[p->newest].newer = i;
	p->newest = i;
	if (p->oldest == NIL)
		p->oldest = i;
}

static uint32_t pool_find(const struct pool *p, const char *h)
{
	uint32_t i;

	for (i = p->bucket[bucket_of(p, h)]; i != NIL; i = p->slot[i].chain)
		if (!memcmp(p->slot[i].hash, h, HASH_HEX))
			return i;
	return NIL;
}

static void pool_del(struct pool *p, uint32_t i)
{
	uint32_t *link = &p->bucket[bucket_of(p, p->slot[i].hash)];

	while (*link != i)
		link = &p->slot[*link].chain;
	*link = p->slot[i].chain;
	lru_unlink(p, i);
	p->slot[i].hash[0] = '\0';
	p->slot[i].chain = p->free;
	p->free = i;
	p->n--;
}

/* The slot for h, new or existing, now the most recent; the least
 * recently used one of this pool makes room when it is full. */
static uint32_t pool_put(struct pool *p, const char *h)
{
	uint32_t i = pool_find(p, h);
	size_t b;

	if (i != NIL) {
		lru_unlink(p, i);
		lru_push(p, i);
		return i;
	}
	if (p->free == NIL && p->fresh == p->cap)
		pool_del(p, p->oldest);
	if (p->free != NIL) {
		i = p->free;
		p->free = p->slot[i].chain;
	} else
		i = (uint32_t)p->fresh++;
	memcpy(p->slot[i].hash, h, HASH_HEX);
	p->slot[i].hash[HASH_HEX] = '\0';
	b = bucket_of(p, h);
	p->slot[i].chain = p->bucket[b];
	p->bucket[b] = i;
	lru_push(p, i);
	p->n++;
	return i;
}

static void pool_touch(struct pool *p, uint32_t i)
{
	lru_unlink(p, i);
	lru_push(p, i);
}

struct cache *cache_new(size_t entries)
{
	struct cache *c;

	if (entries == 0 || entries >= NIL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (pool_init(&c->tok, entries, sizeof(struct scope)) < 0 || pool_init(&c->tok_none, entries, 0) < 0 ||
	    pool_init(&c->key, entries, sizeof(struct apikey)) < 0 || pool_init(&c->key_none, entries, 0) < 0) {
		cache_free(c);
		return NULL;
	}
	return c;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	pool_free(&c->tok);
	pool_free(&c->tok_none);
	pool_free(&c->key);
	pool_free(&c->key_none);
	xfree(c);
}

void cache_flush(struct cache *c)
{
	if (c->tok.n || c->tok_none.n || c->key.n || c->key_none.n)
		c->stats.flushes++;
	pool_clear(&c->tok);
	pool_clear(&c->tok_none);
	pool_clear(&c->key);
	pool_clear(&c->key_none);
}

size_t cache_count(const struct cache *c)
{
	return c->tok.n + c->tok_none.n + c->key.n + c->key_none.n;
}

void cache_stats_get(const struct cache *c, struct cache_stats *out)
{
	*out = c->stats;
}

int cache_get(struct cache *c, const char *hash, const char *bearer_hash, long now, struct scope *out)
{
	const struct scope *s;
	uint32_t i, k = NIL;

	if (!is_hash(hash, strlen(hash)) || (bearer_hash && !is_hash(bearer_hash, strlen(bearer_hash))))
		return -1;
	if ((i = pool_find(&c->tok_none, hash)) != NIL) {
		pool_touch(&c->tok_none, i);
		return STORE_NOTFOUND;
	}
	if ((i = pool_find(&c->tok, hash)) == NIL)
		return -1;
	s = payload_of(&c->tok, i);
	/* Redis removes the key at expires_at, but its notice of that may
	 * come later than the second itself: never serve past it */
	if (s->expires_at && s->expires_at <= now) {
		pool_del(&c->tok, i);
		return -1;
	}
	if (bearer_hash && pool_find(&c->key_none, bearer_hash) == NIL) {
		const struct apikey *a;
		if ((k = pool_find(&c->key, bearer_hash)) == NIL)
			return -1;
		a = payload_of(&c->key, k);
		if (a->expires_at && a->expires_at <= now) {
			pool_del(&c->key, k);
			return -1;
		}
	}
	pool_touch(&c->tok, i);
	memcpy(out, s, sizeof(*out));
	memset(&out->key, 0, sizeof(out->key));
	if (k != NIL) {
		pool_touch(&c->key, k);
		memcpy(&out->key, payload_of(&c->key, k), sizeof(out->key));
	}
	return STORE_OK;
}

void cache_put(struct cache *c, const char *hash, const char *bearer_hash, enum store_rc rc,
	const struct scope *s)
{
	uint32_t i;

	if (!is_hash(hash, strlen(hash)) || (bearer_hash && !is_hash(bearer_hash, strlen(bearer_hash))))
		return;
	if (rc == STORE_NOTFOUND) {
		/* an unknown token: the API key was not looked at */
		if ((i = pool_find(&c->tok, hash)) != NIL)
			pool_del(&c->tok, i);
		pool_put(&c->tok_none, hash);
		return;
	}
	if (rc != STORE_OK || !s)
		return;
	if ((i = pool_find(&c->tok_none, hash)) != NIL)
		pool_del(&c->tok_none, i);
	i = pool_put(&c->tok, hash);
	memcpy(payload_of(&c->tok, i), s, sizeof(*s));
	memset(&((struct scope *)payload_of(&c->tok, i))->key, 0, sizeof(s->key));
	if (!bearer_hash)
		return;
	if (s->key.present) {
		if ((i = pool_find(&c->key_none, bearer_hash)) != NIL)
			pool_del(&c->key_none, i);
		i = pool_put(&c->key, bearer_hash);
		memcpy(payload_of(&c->key, i), &s->key, sizeof(s->key));
	} else {
		if ((i = pool_find(&c->key, bearer_hash)) != NIL)
			pool_del(&c->key, i);
		pool_put(&c->key_none, bearer_hash);
	}
}

static int has_prefix(const char *k, size_t n, const char *p, size_t pn)
{
	return n >= pn && !memcmp(k, p, pn);
}

/* The keys the hot path reads (store_lookup): cfmcp:mcp:<hash>,
 * cfmcp:apikey:<hash> and, for a token made by hand, cfmcp:account:<id>.
 * Any other key was read by the management API on the same connection
 * and has nothing here. */
void cache_invalidate(struct cache *c, const char *key, size_t n)
{
	uint32_t i;

	c->stats.invalidations++;
	if (has_prefix(key, n, STRLIT("cfmcp:mcp:")) && is_hash(key + 10, n - 10)) {
		if ((i = pool_find(&c->tok, key + 10)) != NIL)
			pool_del(&c->tok, i);
		if ((i = pool_find(&c->tok_none, key + 10)) != NIL)
			pool_del(&c->tok_none, i);
	} else if (has_prefix(key, n, STRLIT("cfmcp:apikey:")) && is_hash(key + 13, n - 13)) {
		if ((i = pool_find(&c->key, key + 13)) != NIL)
			pool_del(&c->key, i);
		if ((i = pool_find(&c->key_none, key + 13)) != NIL)
			pool_del(&c->key_none, i);
	} else if (has_prefix(key, n, STRLIT("cfmcp:account:"))) {
		/* a hand-made token read its account's fields (and is unknown
		 * when the account is gone): drop every token of that account,
		 * and every unknown one (rare: an account changed) */
		const char *id = key + 14;
		size_t idn = n - 14;
		uint32_t next;
		for (i = c->tok.newest; i != NIL; i = next) {
			const struct scope *s = payload_of(&c->tok, i);
			next = c->tok.slot[i].older;
			if (strlen(s->account) == idn && !memcmp(s->account, id, idn))
				pool_del(&c->tok, i);
		}
		pool_clear(&c->tok_none);
	}
}

static void on_key(void *ud, const char *key, size_t n)
{
	cache_invalidate(ud, key, n);
}

enum store_rc cache_lookup(struct cache *c, struct store *st, const char *hash, const char *bearer_hash,
	long now, struct scope *out)
{
	long gen = store_tracking_sync(st, on_key, c);
	enum store_rc rc;
	int hit;

	if (gen < 0) {
		memset(out, 0, sizeof(*out));
		return STORE_DOWN;
	}
	if (gen != c->gen) {
		/* tracking lost, set up again, or Redis flushed */
		cache_flush(c);
		c->gen = gen;
	}
	if (gen == 0) {
		c->stats.bypassed++;
		return store_lookup(st, hash, bearer_hash, out);
	}
	hit = cache_get(c, hash, bearer_hash, now, out);
	if (hit >= 0) {
		c->stats.hits++;
		if (hit == STORE_NOTFOUND)
			memset(out, 0, sizeof(*out));
		return (enum store_rc)hit;
	}
	c->stats.misses++;
	rc = store_lookup(st, hash, bearer_hash, out);
	/* kept only when the read was tracked under this generation: a
	 * reconnect on the way, or a flush, makes it unknown */
	if (store_tracking_gen(st) == gen)
		cache_put(c, hash, bearer_hash, rc, out);
	return rc;
}
