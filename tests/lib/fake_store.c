/*
 * fake_store.c - see fake_store.h. Test code: it aborts on out of memory
 * and keeps the data in plain arrays (a few hundred keys at most).
 * Tests and the fuzz target #include this file (the GNUmakefile builds
 * each of them from one source file).
 */
#include "../../common/first.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hiredis/hiredis.h>

#include "fake_store.h"

enum ftype { F_STR, F_HASH, F_ZSET };

struct fitem {
	char *k;        /* hash field, zset member */
	char *v;        /* hash value */
	double score;   /* zset score */
};

struct fkey {
	char *name;
	enum ftype type;
	long expire_at; /* 0: none */
	char *str;
	struct fitem *items;
	size_t n, cap;
};

struct fake_db {
	long (*now)(void);
	struct fkey *keys;
	size_t n, cap;
	struct fake_conn *conns;
};

/* RESP text being written, read back into replies at the end. */
struct out {
	char *p;
	size_t len, cap;
};

static void *must(void *p)
{
	if (!p)
		abort();
	return p;
}

static char *fdup(const char *s)
{
	return must(strdup(s));
}

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (o->p && o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		o->cap = (o->cap + (size_t)n + 1) * 2;
		o->p = must(realloc(o->p, o->cap));
	}
}

static void r_status(struct out *o, const char *s) { put(o, "+%s\r\n", s); }
static void r_error(struct out *o, const char *s) { put(o, "-%s\r\n", s); }
static void r_int(struct out *o, long long v) { put(o, ":%lld\r\n", v); }
static void r_nil(struct out *o) { put(o, "$-1\r\n"); }
static void r_array(struct out *o, size_t n) { put(o, "*%zu\r\n", n); }
static void r_bulk(struct out *o, const char *s) { put(o, "$%zu\r\n%s\r\n", strlen(s), s); }

static const char WRONGTYPE[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

/* ---- keys ----------------------------------------------------------------- */

/* A write to name: every connection watching it will see EXEC fail. */
static void touch(struct fake_db *db, const char *name)
{
	struct fake_conn *c;
	size_t i;

	for (c = db->conns; c; c = c->next)
		for (i = 0; i < c->nwatched; i++)
			if (!strcmp(c->watched[i], name))
				c->dirty = 1;
}

static void key_del(struct fake_db *db, size_t i)
{
	struct fkey *k = &db->keys[i];
	size_t j;

	touch(db, k->name);
	for (j = 0; j < k->n; j++) {
		free(k->items[j].k);
		free(k->items[j].v);
	}
	free(k->items);
	free(k->str);
	free(k->name);
	db->keys[i] = db->keys[--db->n];
}

/* The key's index, or -1 (absent or expired: then it is removed). */
static long find(struct fake_db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		if (strcmp(db->keys[i].name, name))
			continue;
		if (db->keys[i].expire_at && db->keys[i].expire_at <= db->now()) {
			key_del(db, i);
			return -1;
		}
		return (long)i;
	}
	return -1;
}

static struct fkey *key_new(struct fake_db *db, const char *name, enum ftype t)
{
	struct fkey *k;

	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 16;
		db->keys = must(realloc(db->keys, db->cap * sizeof(*db->keys)));
	}
	k = &db->keys[db->n++];
	memset(k, 0, sizeof(*k));
	k->name = fdup(name);
	k->type = t;
	return k;
}

/* The key of type t named name: *k NULL when absent (created when
 * create). -1 with the WRONGTYPE error written when of another type. */
static int typed(struct fake_db *db, const char *name, enum ftype t, int create, struct fkey **k, struct out *o)
{
	long i = find(db, name);

	*k = NULL;
	if (i >= 0 && db->keys[i].type != t) {
		r_error(o, WRONGTYPE);
		return -1;
	}
	if (i >= 0)
		*k = &db->keys[i];
	else if (create)
		*k = key_new(db, name, t);
	return 0;
}

static struct fitem *item(struct fkey *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->items[i].k, name))
			return &k->items[i];
	return NULL;
}

static struct fitem *item_add(struct fkey *k, const char *name)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 8;
		k->items = must(realloc(k->items, k->cap * sizeof(*k->items)));
	}
	memset(&k->items[k->n], 0, sizeof(k->items[0]));
	k->items[k->n].k = fdup(name);
	return &k->items[k->n++];
}

static void item_del(struct fkey *k, size_t i)
{
	free(k->items[i].k);
	free(k->items[i].v);
	memmove(&k->items[i], &k->items[i + 1], (k->n - i - 1) * sizeof(k->items[0]));
	k->n--;
}

/* zset order: score, then member bytes (Redis's lexicographic order). */
static int zcmp(const void *a, const void *b)
{
	const struct fitem *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return strcmp(x->k, y->k);
}

/* ---- commands --------------------------------------------------------------- */

struct fcmd;
typedef void (*fcmd_fn)(struct fake_conn *c, int argc, const char *const *argv, struct out *o);

static void c_ping(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	(void)c, (void)argc, (void)argv;
	r_status(o, "PONG");
}

static void c_get(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;

	(void)argc;
	if (typed(c->db, argv[1], F_STR, 0, &k, o) < 0)
		return;
	if (k)
		r_bulk(o, k->str);
	else
		r_nil(o);
}

static void c_set(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	int nx = 0, xx = 0, i;
	long ex = 0, at;
	struct fkey *k;

	for (i = 3; i < argc; i++) {
		if (!strcasecmp(argv[i], "NX"))
			nx = 1;
		else if (!strcasecmp(argv[i], "XX"))
			xx = 1;
		else if (!strcasecmp(argv[i], "EX") && i + 1 < argc && (ex = strtol(argv[i + 1], NULL, 10)) > 0)
			i++;
		else
			{ r_error(o, "ERR syntax error"); return; }
	}
	at = find(c->db, argv[1]);
	if ((nx && at >= 0) || (xx && at < 0))
		{ r_nil(o); return; }
	if (at >= 0)
		key_del(c->db, (size_t)at);
	touch(c->db, argv[1]);
	k = key_new(c->db, argv[1], F_STR);
	k->str = fdup(argv[2]);
	k->expire_at = ex ? c->db->now() + ex : 0;
	r_status(o, "OK");
}

static void c_del(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	long n = 0, at;
	int i;

	for (i = 1; i < argc; i++)
		if ((at = find(c->db, argv[i])) >= 0) {
			key_del(c->db, (size_t)at);
			n++;
		}
	r_int(o, n);
}

static void c_exists(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	long n = 0;
	int i;

	for (i = 1; i < argc; i++)
		n += find(c->db, argv[i]) >= 0;
	r_int(o, n);
}

static void c_keys(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	size_t i, n = 0;

	(void)argc;
	for (i = 0; i < c->db->n;) /* expire first: find() may remove */
		i = find(c->db, c->db->keys[i].name) < 0 ? i : i + 1;
	for (i = 0; i < c->db->n; i++)
		n += !fnmatch(argv[1], c->db->keys[i].name, 0);
	r_array(o, n);
	for (i = 0; i < c->db->n; i++)
		if (!fnmatch(argv[1], c->db->keys[i].name, 0))
			r_bulk(o, c->db->keys[i].name);
}

static void c_hset(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	long added = 0;
	int i;

	if (argc % 2)
		{ r_error(o, "ERR wrong number of arguments for 'hset' command"); return; }
	if (typed(c->db, argv[1], F_HASH, 1, &k, o) < 0)
		return;
	for (i = 2; i < argc; i += 2) {
		struct fitem *it = item(k, argv[i]);
		if (!it) {
			it = item_add(k, argv[i]);
			added++;
		}
		free(it->v);
		it->v = fdup(argv[i + 1]);
	}
	touch(c->db, argv[1]);
	r_int(o, added);
}

static void c_hget(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	struct fitem *it;

	(void)argc;
	if (typed(c->db, argv[1], F_HASH, 0, &k, o) < 0)
		return;
	it = k ? item(k, argv[2]) : NULL;
	if (it)
		r_bulk(o, it->v);
	else
		r_nil(o);
}

static void c_hmget(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	int i;

	if (typed(c->db, argv[1], F_HASH, 0, &k, o) < 0)
		return;
	r_array(o, (size_t)(argc - 2));
	for (i = 2; i < argc; i++) {
		struct fitem *it = k ? item(k, argv[i]) : NULL;
		if (it)
			r_bulk(o, it->v);
		else
			r_nil(o);
	}
}

static void c_hgetall(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	size_t i;

	(void)argc;
	if (typed(c->db, argv[1], F_HASH, 0, &k, o) < 0)
		return;
	r_array(o, k ? 2 * k->n : 0);
	for (i = 0; k && i < k->n; i++) {
		r_bulk(o, k->items[i].k);
		r_bulk(o, k->items[i].v);
	}
}

static void c_zadd(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	long added = 0;
	int i;

	if (argc % 2)
		{ r_error(o, "ERR syntax error (the fake store takes ZADD key score member ...)"); return; }
	for (i = 2; i < argc; i += 2) {
		char *end;
		(void)strtod(argv[i], &end);
		if (end == argv[i] || *end)
			{ r_error(o, "ERR value is not a valid float"); return; }
	}
	if (typed(c->db, argv[1], F_ZSET, 1, &k, o) < 0)
		return;
	for (i = 2; i < argc; i += 2) {
		struct fitem *it = item(k, argv[i + 1]);
		if (!it) {
			it = item_add(k, argv[i + 1]);
			added++;
		}
		it->score = strtod(argv[i], NULL);
	}
	qsort(k->items, k->n, sizeof(k->items[0]), zcmp);
	touch(c->db, argv[1]);
	r_int(o, added);
}

static void c_zrem(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	long removed = 0;
	int i;

	if (typed(c->db, argv[1], F_ZSET, 0, &k, o) < 0)
		return;
	for (i = 2; k && i < argc; i++) {
		size_t j;
		for (j = 0; j < k->n; j++)
			if (!strcmp(k->items[j].k, argv[i])) {
				item_del(k, j);
				removed++;
				break;
			}
	}
	if (removed) {
		touch(c->db, argv[1]);
		if (!k->n)
			key_del(c->db, (size_t)(k - c->db->keys));
	}
	r_int(o, removed);
}

static void c_zcard(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;

	(void)argc;
	if (typed(c->db, argv[1], F_ZSET, 0, &k, o) < 0)
		return;
	r_int(o, k ? (long long)k->n : 0);
}

static void c_zrange(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	long n, start, stop, i;
	char *e1, *e2;

	(void)argc;
	start = strtol(argv[2], &e1, 10);
	stop = strtol(argv[3], &e2, 10);
	if (*e1 || *e2 || e1 == argv[2] || e2 == argv[3])
		{ r_error(o, "ERR value is not an integer or out of range"); return; }
	if (typed(c->db, argv[1], F_ZSET, 0, &k, o) < 0)
		return;
	n = k ? (long)k->n : 0;
	if (start < 0)
		start = n + start < 0 ? 0 : n + start;
	if (stop < 0)
		stop = n + stop;
	if (stop >= n)
		stop = n - 1;
	if (start > stop || start >= n)
		{ r_array(o, 0); return; }
	r_array(o, (size_t)(stop - start + 1));
	for (i = start; i <= stop; i++)
		r_bulk(o, k->items[i].k);
}

/* A ZRANGEBYLEX bound: 0 ok, -1 malformed. */
static int lex_bound(const char *s, int *inf, int *excl, const char **v)
{
	*inf = 0;
	*excl = 0;
	*v = s + 1;
	if (!strcmp(s, "-"))
		*inf = -1;
	else if (!strcmp(s, "+"))
		*inf = 1;
	else if (*s == '(')
		*excl = 1;
	else if (*s != '[')
		return -1;
	return 0;
}

static void c_zrangebylex(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	int minf, mexcl, xinf, xexcl;
	const char *mv, *xv;
	long off = 0, count = -1;
	size_t i, n = 0, pass;

	if (lex_bound(argv[2], &minf, &mexcl, &mv) < 0 || lex_bound(argv[3], &xinf, &xexcl, &xv) < 0)
		{ r_error(o, "ERR min or max not valid string range item"); return; }
	if (argc == 7 && !strcasecmp(argv[4], "LIMIT")) {
		off = strtol(argv[5], NULL, 10);
		count = strtol(argv[6], NULL, 10);
	} else if (argc != 4) {
		{ r_error(o, "ERR syntax error"); return; }
	}
	if (typed(c->db, argv[1], F_ZSET, 0, &k, o) < 0)
		return;
	/* two passes: count, then write */
	for (pass = 0; pass < 2; pass++) {
		long skipped = 0;
		size_t taken = 0;
		if (pass)
			r_array(o, n);
		for (i = 0; k && i < k->n; i++) {
			const char *m = k->items[i].k;
			int lo = minf == -1 ? 1 : minf == 1 ? 0 : mexcl ? strcmp(m, mv) > 0 : strcmp(m, mv) >= 0;
			int hi = xinf == 1 ? 1 : xinf == -1 ? 0 : xexcl ? strcmp(m, xv) < 0 : strcmp(m, xv) <= 0;
			if (!lo || !hi)
				continue;
			if (skipped < off) {
				skipped++;
				continue;
			}
			if (count >= 0 && taken >= (size_t)count)
				break;
			taken++;
			if (pass)
				r_bulk(o, m);
		}
		n = taken;
	}
}

static void c_expireat(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	long at = find(c->db, argv[1]), t;
	char *end;

	(void)argc;
	t = strtol(argv[2], &end, 10);
	if (end == argv[2] || *end)
		{ r_error(o, "ERR value is not an integer or out of range"); return; }
	if (at < 0)
		{ r_int(o, 0); return; }
	if (t <= c->db->now())
		key_del(c->db, (size_t)at);
	else
		c->db->keys[at].expire_at = t;
	touch(c->db, argv[1]);
	r_int(o, 1);
}

static void c_persist(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	long at = find(c->db, argv[1]);

	(void)argc;
	if (at < 0 || !c->db->keys[at].expire_at)
		{ r_int(o, 0); return; }
	c->db->keys[at].expire_at = 0;
	touch(c->db, argv[1]);
	r_int(o, 1);
}

static void c_ttl(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	long at = find(c->db, argv[1]);

	(void)argc;
	if (at < 0)
		{ r_int(o, -2); return; }
	r_int(o, c->db->keys[at].expire_at ? c->db->keys[at].expire_at - c->db->now() : -1);
}

/* Only admin.c's script (hset_existing): HSET KEYS[1] ARGV... when KEYS[1]
 * exists, else -1. Anything else is refused, so a new script shows up here
 * as a failing test rather than as a silent no-op. */
static void c_eval(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	struct fkey *k;
	long added = 0;
	int i;

	if (argc < 6 || argc % 2 || strcmp(argv[2], "1") || !strstr(argv[1], "redis.call('EXISTS', KEYS[1]) == 1") ||
	    !strstr(argv[1], "redis.call('HSET', KEYS[1], unpack(ARGV))"))
		{ r_error(o, "ERR the fake store runs only admin.c's hset_existing script"); return; }
	if (typed(c->db, argv[3], F_HASH, 0, &k, o) < 0)
		return;
	if (!k)
		{ r_int(o, -1); return; }
	for (i = 4; i < argc; i += 2) {
		struct fitem *it = item(k, argv[i]);
		if (!it) {
			it = item_add(k, argv[i]);
			added++;
		}
		free(it->v);
		it->v = fdup(argv[i + 1]);
	}
	touch(c->db, argv[3]);
	r_int(o, added);
}

static void unwatch(struct fake_conn *c)
{
	size_t i;

	for (i = 0; i < c->nwatched; i++)
		free(c->watched[i]);
	free(c->watched);
	c->watched = NULL;
	c->nwatched = 0;
	c->dirty = 0;
}

static void discard(struct fake_conn *c)
{
	size_t i;
	int j;

	for (i = 0; i < c->nqueue; i++) {
		for (j = 0; c->queue[i][j]; j++)
			free(c->queue[i][j]);
		free(c->queue[i]);
	}
	free(c->queue);
	c->queue = NULL;
	c->nqueue = 0;
	c->multi = c->multi_error = 0;
}

static void c_watch(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		find(c->db, argv[i]); /* an expired key goes now, before it is watched */
		c->watched = must(realloc(c->watched, (c->nwatched + 1) * sizeof(*c->watched)));
		c->watched[c->nwatched++] = fdup(argv[i]);
	}
	r_status(o, "OK");
}

static void c_unwatch(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	(void)argc, (void)argv;
	unwatch(c);
	r_status(o, "OK");
}

static void c_multi(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	(void)argc, (void)argv;
	c->multi = 1;
	r_status(o, "OK");
}

static void c_discard(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	(void)argc, (void)argv;
	if (!c->multi)
		{ r_error(o, "ERR DISCARD without MULTI"); return; }
	discard(c);
	unwatch(c);
	r_status(o, "OK");
}

static void run(struct fake_conn *c, int argc, const char *const *argv, struct out *o);

static void c_exec(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	char ***q;
	size_t n, i;
	int err, dirty;

	(void)argc, (void)argv;
	if (!c->multi)
		{ r_error(o, "ERR EXEC without MULTI"); return; }
	q = c->queue;
	n = c->nqueue;
	err = c->multi_error;
	dirty = c->dirty;
	c->queue = NULL;
	c->nqueue = 0;
	c->multi = c->multi_error = 0;
	unwatch(c); /* as Redis: before the queued commands run */
	if (err)
		r_error(o, "EXECABORT Transaction discarded because of previous errors.");
	else if (dirty)
		put(o, "*-1\r\n");
	else
		r_array(o, n);
	for (i = 0; i < n; i++) {
		int j;
		if (!err && !dirty)
			run(c, 0, (const char *const *)q[i], o);
		for (j = 0; q[i][j]; j++)
			free(q[i][j]);
		free(q[i]);
	}
	free(q);
}

#define TX 1 /* runs at once inside MULTI instead of being queued */

static const struct fcmd {
	const char *name;
	int min, max; /* argc, command name included; max -1: any */
	int flags;
	fcmd_fn fn;
} cmds_table[] = {
	{ "PING", 1, 2, 0, c_ping },
	{ "GET", 2, 2, 0, c_get },
	{ "SET", 3, 8, 0, c_set },
	{ "DEL", 2, -1, 0, c_del },
	{ "UNLINK", 2, -1, 0, c_del },
	{ "EXISTS", 2, -1, 0, c_exists },
	{ "KEYS", 2, 2, 0, c_keys },
	{ "HSET", 4, -1, 0, c_hset },
	{ "HGET", 3, 3, 0, c_hget },
	{ "HMGET", 3, -1, 0, c_hmget },
	{ "HGETALL", 2, 2, 0, c_hgetall },
	{ "ZADD", 4, -1, 0, c_zadd },
	{ "ZREM", 3, -1, 0, c_zrem },
	{ "ZCARD", 2, 2, 0, c_zcard },
	{ "ZRANGE", 4, 4, 0, c_zrange },
	{ "ZRANGEBYLEX", 4, 7, 0, c_zrangebylex },
	{ "EXPIREAT", 3, 3, 0, c_expireat },
	{ "PERSIST", 2, 2, 0, c_persist },
	{ "TTL", 2, 2, 0, c_ttl },
	{ "EVAL", 3, -1, 0, c_eval },
	{ "WATCH", 2, -1, TX, c_watch },
	{ "UNWATCH", 1, 1, 0, c_unwatch },
	{ "MULTI", 1, 1, TX, c_multi },
	{ "EXEC", 1, 1, TX, c_exec },
	{ "DISCARD", 1, 1, TX, c_discard },
};

/* One command: its reply written to o, or queued inside MULTI. argc 0:
 * count the NULL-terminated argv. */
static void run(struct fake_conn *c, int argc, const char *const *argv, struct out *o)
{
	const struct fcmd *f = NULL;
	size_t i;

	if (!argc)
		while (argv[argc])
			argc++;
	for (i = 0; argc && i < sizeof(cmds_table) / sizeof(cmds_table[0]); i++)
		if (!strcasecmp(argv[0], cmds_table[i].name))
			f = &cmds_table[i];
	if (!f || argc < f->min || (f->max >= 0 && argc > f->max)) {
		if (c->multi)
			c->multi_error = 1;
		{ r_error(o, f ? "ERR wrong number of arguments" : "ERR unknown command"); return; }
	}
	if (c->multi && (f->flags & TX) && f->fn != c_exec && f->fn != c_discard) {
		/* MULTI and WATCH inside MULTI: refused, and the transaction with them */
		c->multi_error = 1;
		{ r_error(o, "ERR Command not allowed inside a transaction"); return; }
	}
	if (c->multi && !(f->flags & TX)) {
		char **copy = must(calloc((size_t)argc + 1, sizeof(char *)));
		int j;
		for (j = 0; j < argc; j++)
			copy[j] = fdup(argv[j]);
		c->queue = must(realloc(c->queue, (c->nqueue + 1) * sizeof(*c->queue)));
		c->queue[c->nqueue++] = copy;
		{ r_status(o, "QUEUED"); return; }
	}
	f->fn(c, argc, argv, o);
}

/* ---- connections and the hook ---------------------------------------------------- */

struct fake_db *fake_db_new(long (*now)(void))
{
	struct fake_db *db = must(calloc(1, sizeof(*db)));

	db->now = now;
	return db;
}

void fake_db_flush(struct fake_db *db)
{
	while (db->n)
		key_del(db, db->n - 1);
}

void fake_db_free(struct fake_db *db)
{
	if (!db)
		return;
	fake_db_flush(db);
	free(db->keys);
	while (db->conns)
		fake_conn_free(db->conns);
	free(db);
}

struct fake_conn *fake_conn_new(struct fake_db *db, struct admin_store *as)
{
	struct fake_conn *c = must(calloc(1, sizeof(*c)));

	c->db = db;
	c->next = db->conns;
	db->conns = c;
	if (as) {
		as->pipeline = fake_pipeline;
		as->wait = NULL;
		as->send = NULL; /* the audit trail falls back to pipeline */
		as->send_failed = NULL;
		as->ud = c;
	}
	return c;
}

void fake_conn_free(struct fake_conn *c)
{
	struct fake_conn **p;

	if (!c)
		return;
	for (p = &c->db->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	discard(c);
	unwatch(c);
	free(c);
}

/* The connection is gone: Redis forgets its WATCH and MULTI; store.c
 * remembers that a transaction was open on it. */
static void lose(struct fake_conn *c)
{
	discard(c);
	unwatch(c);
	if (c->in_tx)
		c->tx_lost = 1;
}

static int word(const char *const *argv, const char *w)
{
	return argv[0] && !strcasecmp(argv[0], w);
}

int fake_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies)
{
	struct fake_conn *c = ud;
	struct out o = { NULL, 0, 0 };
	redisReader *rd;
	int closes = 0, failed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		replies[i] = NULL;
		if (word(cmds[i], "EXEC") || word(cmds[i], "DISCARD") || word(cmds[i], "UNWATCH"))
			closes = 1;
	}
	if (!n)
		return 0;
	/* store.c's rules for a transaction whose connection was lost */
	if (c->tx_lost) {
		if (word(cmds[0], "UNWATCH") || word(cmds[0], "DISCARD")) {
			c->in_tx = c->tx_lost = 0;
		} else {
			if (closes)
				c->in_tx = c->tx_lost = 0;
			return -1;
		}
	}
	for (i = 0; i < n && !failed; i++) {
		if (c->down || (c->down_after > 0 && --c->down_after == 0)) {
			failed = 1;
			break;
		}
		if (c->before)
			c->before(c->before_ud, cmds[i]);
		run(c, 0, cmds[i], &o);
		c->commands++;
	}
	if (failed) {
		lose(c);
		if (closes || !c->in_tx)
			c->in_tx = c->tx_lost = 0;
		free(o.p);
		return -1;
	}
	rd = must(redisReaderCreate());
	if (redisReaderFeed(rd, o.p, o.len) != REDIS_OK)
		abort();
	for (i = 0; i < n; i++) {
		void *rep = NULL;
		if (redisReaderGetReply(rd, &rep) != REDIS_OK || !rep)
			abort(); /* our own RESP: a bug in this file */
		replies[i] = rep;
		if (word(cmds[i], "WATCH") || word(cmds[i], "MULTI"))
			c->in_tx = 1;
		else if (word(cmds[i], "EXEC") || word(cmds[i], "DISCARD") || word(cmds[i], "UNWATCH"))
			c->in_tx = 0;
	}
	redisReaderFree(rd);
	free(o.p);
	return 0;
}

struct redisReply *fake_cmd(struct fake_conn *c, const char *const *argv)
{
	const char *const *cmds[1] = { argv };
	struct redisReply *r = NULL;

	return fake_pipeline(c, 1, cmds, &r) < 0 ? NULL : r;
}
