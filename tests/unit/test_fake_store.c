/*
 * test_fake_store.c - the in-memory store (tests/lib/fake_store.c) answers
 * as Redis does: the same commands, run on it and on a throwaway
 * redis-server, give the same replies (type, value, elements). The unit
 * tests and the fuzz target of the management half trust it for WATCH,
 * MULTI/EXEC, WRONGTYPE and expiry; this is what that trust rests on.
 * Skipped without a redis-server.
 */
#include "../../common/first.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/store.h"
#include "../../common/xalloc.h"
#include "../lib/fake_store.c"
#include "../tap.h"

static long clock_now(void)
{
	return (long)time(NULL);
}

/* Commands, one per line, words split at spaces ("" is an empty word);
 * a line "@2" switches to the second connection, "@1" back. */
static const char *const scripts[][40] = {
	{ "strings and types",
		"SET a 1", "GET a", "GET missing", "SET a 2 NX", "SET b 3 XX", "SET a 4 XX", "GET a", "EXISTS a b",
		"HSET a f v", "DEL a", "HSET h f1 v1 f2 v2", "HSET h f1 w", "HGET h f1", "HGET h nope", "HMGET h f1 nope f2",
		"HGETALL h", "HGETALL none", "GET h", "UNLINK h none", "PING", NULL },
	{ "sorted sets",
		"ZADD z 0 b", "ZADD z 0 a 0 c", "ZADD z 0 a", "ZRANGE z 0 -1", "ZRANGE z 1 1", "ZRANGE z -2 -1", "ZRANGE z 5 9",
		"ZRANGEBYLEX z - +", "ZRANGEBYLEX z (a +", "ZRANGEBYLEX z [b + LIMIT 0 1", "ZRANGEBYLEX z - + LIMIT 1 5",
		"ZRANGEBYLEX z x +", "ZCARD z", "ZREM z a nope", "ZRANGE z 0 -1", "ZREM z b c", "EXISTS z", "ZRANGE none 0 -1",
		"SET s x", "ZADD s 0 a", "ZRANGE s 0 -1", NULL },
	{ "transactions",
		"MULTI", "SET t 1", "HSET t f v", "GET t", "EXEC", "EXEC", "DISCARD",
		"SET w 1", "WATCH w", "MULTI", "SET w 2", "EXEC", "GET w",
		"WATCH w", "@2", "SET w 3", "@1", "MULTI", "SET w 4", "EXEC", "GET w",
		"WATCH w", "UNWATCH", "@2", "SET w 5", "@1", "MULTI", "SET w 6", "EXEC",
		"MULTI", "SET x", "EXEC", "MULTI", "WATCH w", "DISCARD", "NOSUCHCOMMAND", NULL },
	{ "expiry",
		"SET e 1", "EXPIREAT e 1", "GET e", "EXPIREAT e 1", "SET e 1", "EXPIREAT e 4102444800", "PERSIST e",
		"TTL e", "PERSIST e", "TTL nope", "EXPIREAT e soon", NULL },
	{ "admin.c's script",
		"EVAL \"if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end return -1\" 1 g f v",
		"HSET g a b",
		"EVAL \"if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end return -1\" 1 g f v a c",
		"HGETALL g", "SET gs x",
		"EVAL \"if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], unpack(ARGV)) end return -1\" 1 gs f v",
		NULL },
};

/* Split a line into argv (quotes group, "" is an empty word). */
static int split(const char *line, char *buf, size_t bufsz, const char **argv, int max)
{
	int n = 0;
	size_t o = 0;

	while (*line && n < max - 1) {
		int q = 0;
		while (*line == ' ')
			line++;
		if (!*line)
			break;
		argv[n++] = buf + o;
		while (*line && (q || *line != ' ') && o + 1 < bufsz) {
			if (*line == '"') {
				q = !q;
				line++;
				continue;
			}
			buf[o++] = *line++;
		}
		buf[o++] = '\0';
	}
	argv[n] = NULL;
	return n;
}

/* Same type and value, recursively; an error by its first word only
 * (messages differ between versions; the kind is what callers read). */
static int same(const redisReply *a, const redisReply *b, char *why, size_t whysz)
{
	size_t i;

	if (a->type != b->type)
		return snprintf(why, whysz, "type %d, Redis %d", a->type, b->type), 0;
	switch (a->type) {
	case REDIS_REPLY_INTEGER:
		if (a->integer != b->integer)
			return snprintf(why, whysz, "%lld, Redis %lld", a->integer, b->integer), 0;
		return 1;
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
		if (a->len != b->len || memcmp(a->str, b->str, a->len))
			return snprintf(why, whysz, "\"%.40s\", Redis \"%.40s\"", a->str, b->str), 0;
		return 1;
	case REDIS_REPLY_ERROR:
		if (strcspn(a->str, " ") != strcspn(b->str, " ") || memcmp(a->str, b->str, strcspn(a->str, " ")))
			return snprintf(why, whysz, "error \"%.40s\", Redis \"%.60s\"", a->str, b->str), 0;
		return 1;
	case REDIS_REPLY_ARRAY:
		if (a->elements != b->elements)
			return snprintf(why, whysz, "%zu elements, Redis %zu", a->elements, b->elements), 0;
		for (i = 0; i < a->elements; i++)
			if (!same(a->element[i], b->element[i], why, whysz))
				return 0;
		return 1;
	default:
		return 1;
	}
}

struct redis {
	char dir[64], sock[128];
	pid_t pid;
};

static int redis_start(struct redis *rd)
{
	char addr[160];
	struct store *st;
	int i, up = 0;

	memset(rd, 0, sizeof(*rd));
	snprintf(rd->dir, sizeof(rd->dir), "%s", "/tmp/cfmcp-unit-fake.XXXXXX");
	if (!mkdtemp(rd->dir))
		return -1;
	snprintf(rd->sock, sizeof(rd->sock), "%s/redis.sock", rd->dir);
	fflush(stdout);
	rd->pid = fork();
	if (rd->pid < 0)
		return -1;
	if (rd->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", rd->sock, "--unixsocketperm",
			"700", "--save", "", "--appendonly", "no", "--dir", rd->dir, (char *)NULL);
		_exit(127);
	}
	snprintf(addr, sizeof(addr), "unix:%s", rd->sock);
	st = store_new(addr, 500);
	for (i = 0; st && i < 200 && !up; i++) {
		static const char *const ping[] = { "PING", NULL };
		const char *const *cmds[] = { ping };
		struct redisReply *rep = NULL;
		struct timespec ms50 = { 0, 50 * 1000 * 1000 };
		if (store_pipeline(st, 1, cmds, &rep) == 0) {
			store_reply_free(rep);
			up = 1;
		} else {
			nanosleep(&ms50, NULL);
		}
	}
	store_free(st);
	return up ? 0 : -1;
}

static void redis_stop(struct redis *rd)
{
	if (rd->pid > 0) {
		kill(rd->pid, SIGTERM);
		while (waitpid(rd->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	unlink(rd->sock);
	if (rd->dir[0])
		rmdir(rd->dir);
}

/* One raw connection per side and client (hiredis directly: store.c's
 * transaction rules are not what is compared here). */
static void run_script(const char *const *script, const struct redis *rd)
{
	struct fake_db *db = fake_db_new(clock_now);
	struct fake_conn *fc[2] = { fake_conn_new(db, NULL), fake_conn_new(db, NULL) };
	redisContext *rc[2] = { redisConnectUnix(rd->sock), redisConnectUnix(rd->sock) };
	int who = 0, bad = 0, n = 0;
	char why[200] = "", first[320] = "";
	size_t i;

	if (!rc[0] || rc[0]->err || !rc[1] || rc[1]->err) {
		ok(0, "fake store = Redis: %s: connect", script[0]);
		goto out;
	}
	freeReplyObject(redisCommand(rc[0], "FLUSHALL"));
	for (i = 1; script[i]; i++) {
		char buf[512];
		const char *argv[16];
		size_t lens[16];
		redisReply *want, *got;
		int argc, j;
		if (script[i][0] == '@') {
			who = script[i][1] == '2';
			continue;
		}
		argc = split(script[i], buf, sizeof(buf), argv, 16);
		for (j = 0; j < argc; j++)
			lens[j] = strlen(argv[j]);
		want = redisCommandArgv(rc[who], argc, argv, lens);
		got = fake_cmd(fc[who], argv);
		n++;
		if (!want || !got || !same(got, want, why, sizeof(why))) {
			if (!bad++)
				snprintf(first, sizeof(first), "\"%s\": %s", script[i], !want ? "Redis: no reply" :
					!got ? "fake: connection failed" : why);
		}
		if (want)
			freeReplyObject(want);
		if (got)
			freeReplyObject(got);
	}
	ok(!bad, "fake store = Redis: %s (%d commands)", script[0], n);
	if (bad)
		printf("#   %d differ; the first: %s\n", bad, first);
out:
	for (i = 0; i < 2; i++)
		if (rc[i])
			redisFree(rc[i]);
	fake_db_free(db);
}

static int exists_fake(struct fake_db *db, const char *key)
{
	struct fake_conn *c = fake_conn_new(db, NULL);
	const char *argv[] = { "EXISTS", key, NULL };
	struct redisReply *r = fake_cmd(c, argv);
	int e = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;

	if (r)
		freeReplyObject(r);
	fake_conn_free(c);
	return e;
}

/* store.c's contract on a lost connection (store.h), which the fake keeps. */
static void test_lost_connection(void)
{
	struct fake_db *db = fake_db_new(clock_now);
	struct admin_store as;
	struct fake_conn *c = fake_conn_new(db, &as);
	static const char *const w[] = { "WATCH", "k", NULL }, *const m[] = { "MULTI", NULL },
		*const s[] = { "SET", "k", "1", NULL }, *const e[] = { "EXEC", NULL }, *const u[] = { "UNWATCH", NULL },
		*const g[] = { "GET", "k", NULL };
	const char *const *tx[] = { m, s, e };
	struct redisReply *rep[3];

	ok(as.pipeline(as.ud, 1, (const char *const *const[]){ w }, rep) == 0, "lost connection: WATCH");
	freeReplyObject(rep[0]);
	c->down_after = 1;
	ok(as.pipeline(as.ud, 1, (const char *const *const[]){ g }, rep) < 0 && !rep[0],
		"lost connection: the command that finds it lost fails, its reply NULL");
	ok(as.pipeline(as.ud, 3, tx, rep) < 0 && !rep[0] && !rep[1] && !rep[2],
		"lost connection: the transaction's EXEC is refused, never run on a new connection");
	ok(!exists_fake(db, "k"), "lost connection: ... and nothing of it ran");
	ok(as.pipeline(as.ud, 1, (const char *const *const[]){ u }, rep) == 0, "lost connection: UNWATCH ends it");
	freeReplyObject(rep[0]);
	ok(as.pipeline(as.ud, 3, tx, rep) == 0 && rep[2]->type == REDIS_REPLY_ARRAY,
		"lost connection: the next transaction runs");
	for (size_t i = 0; i < 3; i++)
		freeReplyObject(rep[i]);
	fake_db_free(db);
}

int main(void)
{
	struct redis rd;
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
	test_lost_connection();
	if (redis_start(&rd) < 0) {
		printf("ok %d # SKIP fake store = Redis: no redis-server to compare with\n", ++tap_n);
	} else {
		for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
			run_script(scripts[i], &rd);
	}
	redis_stop(&rd);
	return done_testing();
}
