/*
 * store.c - the Redis connection and what runs on it: connect (with the
 * timeouts and AUTH), notice a dead connection, reconnect, the pipeline
 * runner with its transaction and resend rules, the record reads of the
 * hot path (store_lookup, store_get/setex, PING) and the WAIT after admin
 * writes. Commands are sent as argv vectors only (redisAppendCommandArgv):
 * no format string ever carries input (STYLE item 10).
 *
 * Reconnecting and resending (store.h has the contract): a connection is
 * checked before it is written to, so a Redis restart costs a reconnect,
 * not a failed request; a command that failed after it was written is
 * sent again only when it is idempotent and no transaction is open,
 * because a WATCH dies with its connection and an EXEC whose reply was
 * lost may well have run.
 *
 * Where the primary is, with Sentinel, is sentinel.c's; the second
 * connection that carries client-tracking invalidations is tracking.c's.
 * What the three share (struct store) is in store_private.h.
 */
#include "first.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "store_private.h"
#include "xalloc.h"

long long store_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host:port" or "[v6]:port" of length n into out; -1 when malformed. */
int store_node_parse(const char *s, size_t n, struct store_node *out)
{
	const char *colon = NULL, *h = s;
	size_t hn, i;
	long port = 0;

	for (i = n; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	if (!colon)
		return -1;
	hn = (size_t)(colon - s);
	if (hn >= 2 && s[0] == '[' && s[hn - 1] == ']') {
		h = s + 1;
		hn -= 2;
	}
	if (hn == 0 || hn >= sizeof(out->host))
		return -1;
	for (i = 0; i < hn; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		      h[i] == '.' || h[i] == '-' || h[i] == ':' || h[i] == '_'))
			return -1;
	if (colon + 1 == s + n || (size_t)(s + n - colon - 1) > 5)
		return -1;
	for (i = 1; colon + i < s + n; i++) {
		if (colon[i] < '0' || colon[i] > '9')
			return -1;
		port = port * 10 + (colon[i] - '0');
	}
	if (port <= 0 || port > 65535)
		return -1;
	memcpy(out->host, h, hn);
	out->host[hn] = '\0';
	out->port = (int)port;
	return 0;
}

struct store *store_new(const char *addr, long timeout_ms)
{
	struct store *st = xcalloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->addr = xstrdup(addr);
	if (!st->addr) {
		xfree(st);
		return NULL;
	}
	st->timeout_ms = timeout_ms;
	/* A malformed address is not an allocation failure: the store exists
	 * and every command fails with "bad address" in the log, as before
	 * (config_load has already refused the worst). */
	if (!strncmp(addr, "unix:", 5))
		st->unix_path = st->addr + 5;
	else if (!strncmp(addr, "sentinel://", 11)) {
		if (sentinel_parse(st, addr + 11) < 0) {
			st->bad_addr = 1;
			st->nsentinels = 0;
		}
	} else if (store_node_parse(addr, strlen(addr), &st->node) < 0)
		st->bad_addr = 1;
	return st;
}

struct store *store_from_config(const struct config *cfg)
{
	struct store *st = store_new(cfg->redis, cfg->redis_timeout_ms);

	if (!st)
		return NULL;
	st->wait_replicas = cfg->redis_wait_replicas;
	st->wait_ms = cfg->redis_wait_ms;
	if ((cfg->redis_user && !(st->user = xstrdup(cfg->redis_user))) ||
	    (cfg->redis_password && !(st->password = xstrdup(cfg->redis_password)))) {
		store_free(st);
		return NULL;
	}
	return st;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	if (st->c)
		redisFree(st->c);
	if (st->inv)
		redisFree(st->inv);
	xfree(st->addr);
	xfree(st->user);
	if (st->password)
		crypto_wipe(st->password, strlen(st->password));
	xfree(st->password);
	xfree(st);
}

/* Close the connection. An open transaction's WATCH and MULTI die with
 * it on the server: remember that, so nothing of it runs on the next one. */
void store_close(struct store *st)
{
	if (st->c)
		redisFree(st->c);
	st->c = NULL;
	/* whether they ran is unknown: counted as not */
	st->deferred_failed += st->deferred;
	st->deferred = 0;
	if (st->in_tx)
		st->tx_lost = 1;
	/* a new connection has no tracking: whatever a cache holds was
	 * tracked on this one */
	tracking_lost(st, "the data connection was closed");
}

void store_drop(struct store *st, const char *why)
{
	if (!st->down_logged) {
		log_warn("redis unavailable (%s): %s", st->addr,
			st->c && st->c->errstr[0] ? st->c->errstr : why);
		st->down_logged = 1;
	}
	store_close(st);
}

/* Redis sends nothing unasked here (no pub/sub; client tracking is
 * redirected to the invalidation connection, and RESP2 has no push
 * messages to send here instead), so an idle connection that polls readable was closed or reset by the
 * server (a restart, CLIENT KILL, an idle timeout). Found out before a
 * command is written, it costs nothing; found out after, the command's
 * fate is unknown. */
static int store_conn_dead(const redisContext *c)
{
	struct pollfd p;
	int rc;

	p.fd = c->fd;
	p.events = POLLIN;
	p.revents = 0;
	do
		rc = poll(&p, 1, 0);
	while (rc < 0 && errno == EINTR);
	return rc != 0;
}

/* One command on a connection of our own (AUTH, ROLE, Sentinel's
 * question); NULL when the connection failed. */
redisReply *store_conn_cmd(redisContext *c, int argc, const char **argv)
{
	void *r = redisCommandArgv(c, argc, argv, NULL);

	return r;
}

/* Connect to one server with the timeouts, then AUTH when configured. A
 * refused AUTH is logged by user name, never with the password. NULL when
 * unreachable or refused. */
redisContext *store_node_open(const struct store *st, const char *unix_path, const struct store_node *n,
	int auth)
{
	struct timeval tv;
	redisContext *c;

	tv.tv_sec = st->timeout_ms / 1000;
	tv.tv_usec = (st->timeout_ms % 1000) * 1000;
	c = unix_path ? redisConnectUnixWithTimeout(unix_path, tv) : redisConnectWithTimeout(n->host, n->port, tv);
	if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
		if (c)
			redisFree(c);
		return NULL;
	}
	if (auth && st->password) {
		const char *argv[3] = { "AUTH", st->user ? st->user : st->password, st->password };
		redisReply *r = store_conn_cmd(c, st->user ? 3 : 2, argv);
		int okay = r && r->type == REDIS_REPLY_STATUS;
		if (r)
			freeReplyObject(r);
		if (!okay) {
			log_warn("redis: AUTH as %s refused or failed", st->user ? st->user : "default");
			redisFree(c);
			return NULL;
		}
	}
	return c;
}

/*
 * Read the replies owed for store_send_deferred's commands, in order: all
 * of them (block), or only those already here (a poll of 0 ms). An error
 * reply counts in deferred_failed; a failed read counts every reply still
 * owed and drops the connection.
 */
static void deferred_read(struct store *st, int block)
{
	while (st->deferred && st->c) {
		void *rep = NULL;
		if (redisGetReplyFromReader(st->c, &rep) != REDIS_OK)
			goto lost;
		if (!rep) {
			if (!block) {
				struct pollfd p = { st->c->fd, POLLIN, 0 };
				if (poll(&p, 1, 0) <= 0)
					return;
			}
			if (redisBufferRead(st->c) != REDIS_OK)
				goto lost;
			continue;
		}
		if (((redisReply *)rep)->type == REDIS_REPLY_ERROR)
			st->deferred_failed++;
		freeReplyObject(rep);
		st->deferred--;
	}
	return;
lost:
	store_drop(st, "reading the replies to earlier writes failed");
}

int store_connect(struct store *st)
{
	const char *why = "connect failed";

	/* replies owed first: they are what makes an idle connection readable */
	if (st->c && st->deferred)
		deferred_read(st, 1);
	if (st->c && store_conn_dead(st->c))
		store_close(st);
	if (st->tx_lost)
		return -1; /* never open a new connection inside a transaction */
	if (st->c && st->nsentinels && !st->in_tx)
		sentinel_check_role(st); /* may drop st->c */
	if (st->c)
		return 0;
	if (st->bad_addr) {
		store_drop(st, "bad address");
		return -1;
	}
	if (st->nsentinels)
		st->c = sentinel_discover(st, &why);
	else
		st->c = store_node_open(st, st->unix_path, &st->node, 1);
	if (!st->c) {
		store_drop(st, why);
		return -1;
	}
	if (st->down_logged)
		log_info("redis reachable again (%s)", st->addr);
	st->down_logged = 0;
	return 0;
}

/* One command of a pipeline: argv[0..argc-1], lengths (NULL: strlen). */
struct store_cmdv {
	int argc;
	const char *const *argv;
	const size_t *argvlen;
};

static int word_is(const struct store_cmdv *cv, int i, const char *w)
{
	return i < cv->argc && !strcasecmp(cv->argv[i], w);
}

static int has_option(const struct store_cmdv *cv, int from, const char *w)
{
	int i;

	for (i = from; i < cv->argc; i++)
		if (word_is(cv, i, w))
			return 1;
	return 0;
}

/* May this command be sent again after its reply was lost? Yes when
 * running it twice leaves Redis as running it once would (with nothing
 * else in between): reads, and writes that set rather than add. No for
 * transactions, counters, SET NX (a second run says "taken" about our own
 * claim), scripts, and anything not listed. */
static int cmd_idempotent(const struct store_cmdv *cv)
{
	static const char *const always[] = {
		"GET", "MGET", "HGET", "HMGET", "HGETALL", "EXISTS", "TTL", "PTTL", "EXPIRETIME", "TYPE",
		"ZRANGE", "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZSCORE", "ZCARD", "SMEMBERS", "SISMEMBER", "SCARD",
		"PING", "HSET", "HMSET", "DEL", "UNLINK", "ZREM", "SADD", "SREM", "EXPIREAT", "PEXPIREAT",
		"PERSIST", NULL
	};
	size_t i;

	if (cv->argc < 1)
		return 0;
	for (i = 0; always[i]; i++)
		if (word_is(cv, 0, always[i]))
			return 1;
	if (word_is(cv, 0, "SET"))
		return !has_option(cv, 3, "NX") && !has_option(cv, 3, "XX") && !has_option(cv, 3, "GET");
	if (word_is(cv, 0, "ZADD"))
		return !has_option(cv, 2, "INCR");
	return 0;
}

/*
 * Send n commands in one write, read n replies in order. The transaction
 * state follows the commands: WATCH or MULTI opens one, EXEC, DISCARD or
 * UNWATCH closes it. Returns 0 with replies[0..n-1] set, or -1 with every
 * replies[i] NULL.
 */
static int store_run_once(struct store *st, size_t n, const struct store_cmdv *cv, redisReply **replies)
{
	int opens = 0, closes = 0, retry = 1, attempt;
	size_t i, j;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		replies[i] = NULL;
		if (cv[i].argc < 1 || cv[i].argc > STORE_MAX_ARGS) {
			/* a caller's bug: refuse before anything is buffered */
			log_err("redis: a command has no name or more than %d arguments", STORE_MAX_ARGS);
			return -1;
		}
		if (word_is(&cv[i], 0, "WATCH") || word_is(&cv[i], 0, "MULTI"))
			opens = 1;
		else if (word_is(&cv[i], 0, "EXEC") || word_is(&cv[i], 0, "DISCARD") || word_is(&cv[i], 0, "UNWATCH"))
			closes = 1;
		else if (!cmd_idempotent(&cv[i]))
			retry = 0;
	}
	if (st->tx_lost) {
		if (word_is(&cv[0], 0, "UNWATCH") || word_is(&cv[0], 0, "DISCARD")) {
			/* the caller ends the lost transaction; sending it on a
			 * new connection is harmless */
			st->in_tx = st->tx_lost = 0;
		} else {
			log_warn("redis: connection lost inside a transaction (its WATCH is gone); refusing %s",
				closes ? "its EXEC" : "the rest of it");
			if (closes)
				st->in_tx = st->tx_lost = 0;
			return -1;
		}
	}
	if (st->in_tx || opens || closes)
		retry = 0;
	for (attempt = 0; attempt < 1 + retry; attempt++) {
		int failed = 0;
		if (store_connect(st) < 0)
			break;
		for (i = 0; i < n && !failed; i++) {
			const char *argv[STORE_MAX_ARGS];
			for (j = 0; j < (size_t)cv[i].argc; j++)
				argv[j] = cv[i].argv[j];
			if (redisAppendCommandArgv(st->c, cv[i].argc, argv, cv[i].argvlen) != REDIS_OK)
				failed = 1;
		}
		for (i = 0; !failed && i < n; i++) {
			void *rep = NULL;
			if (redisGetReply(st->c, &rep) != REDIS_OK || !rep)
				failed = 1;
			else
				replies[i] = rep;
		}
		for (i = 0; !failed && i < n; i++)
			if (replies[i]->type == REDIS_REPLY_ERROR && !strncmp(replies[i]->str, "READONLY", 8)) {
				/* demoted under us: nothing of it ran; drop the
				 * connection so the primary is looked up again */
				failed = 1;
				store_drop(st, "the server is a replica now (READONLY)");
			}
		if (!failed) {
			for (i = 0; i < n; i++) {
				if (word_is(&cv[i], 0, "WATCH") || word_is(&cv[i], 0, "MULTI"))
					st->in_tx = 1;
				else if (word_is(&cv[i], 0, "EXEC") || word_is(&cv[i], 0, "DISCARD") ||
					 word_is(&cv[i], 0, "UNWATCH"))
					st->in_tx = 0;
			}
			return 0;
		}
		for (i = 0; i < n; i++) {
			if (replies[i])
				freeReplyObject(replies[i]);
			replies[i] = NULL;
		}
		store_drop(st, "command failed"); /* sets tx_lost if a transaction was open */
	}
	/* A failed pipeline opens nothing; one that held the transaction's
	 * end (EXEC...) ended it, failed. Otherwise the caller is still inside
	 * its transaction, and nothing more of it may run. */
	if (closes || !st->in_tx)
		st->in_tx = st->tx_lost = 0;
	return -1;
}

/* store_run_once, timed for the pool's counters (metrics.h): every
 * command and pipeline goes through here, so this is the round trip. */
static int store_run(struct store *st, size_t n, const struct store_cmdv *cv, redisReply **replies)
{
	struct timespec a, b;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = store_run_once(st, n, cv, replies);
	clock_gettime(CLOCK_MONOTONIC, &b);
	metrics_redis((long long)(b.tv_sec - a.tv_sec) * 1000000LL + (b.tv_nsec - a.tv_nsec) / 1000, rc < 0);
	return rc;
}

/* Run one command (binary-safe lengths); NULL when Redis is down. */
static redisReply *store_cmd(struct store *st, int argc, const char **argv, const size_t *argvlen)
{
	struct store_cmdv cv;
	redisReply *r = NULL;

	cv.argc = argc;
	cv.argv = argv;
	cv.argvlen = argvlen;
	return store_run(st, 1, &cv, &r) < 0 ? NULL : r;
}

int store_pipeline(struct store *st, size_t n, const char *const *const *cmds,
	struct redisReply **replies)
{
	struct store_cmdv cv[STORE_MAX_PIPELINE];
	size_t i;

	if (n > STORE_MAX_PIPELINE) {
		log_err("redis: a pipeline of more than %d commands", STORE_MAX_PIPELINE);
		for (i = 0; i < n; i++)
			replies[i] = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		int argc = 0;
		while (argc <= STORE_MAX_ARGS && cmds[i][argc])
			argc++;
		cv[i].argc = argc; /* STORE_MAX_ARGS + 1: refused by store_run */
		cv[i].argv = cmds[i];
		cv[i].argvlen = NULL;
	}
	return store_run(st, n, cv, replies);
}

int store_can_send_now(const struct store *st)
{
	return st->c && !st->in_tx && !st->tx_lost;
}

int store_send_deferred(struct store *st, size_t n, const char *const *const *cmds)
{
	size_t i;
	int done = 0, argc;

	if (n == 0)
		return 0;
	if (st->in_tx)
		return -1; /* inside a transaction these would be queued in it */
	deferred_read(st, 0);
	if (st->deferred > STORE_DEFERRED_MAX)
		deferred_read(st, 1); /* bounded: Redis never holds many for us */
	/* with replies owed the connection was in use a moment ago: no
	 * liveness poll (they make it readable); a write error tells */
	if ((!st->c || !st->deferred) && store_connect(st) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *argv[STORE_MAX_ARGS];
		for (argc = 0; cmds[i][argc] && argc < STORE_MAX_ARGS; argc++)
			argv[argc] = cmds[i][argc];
		if (argc == 0 || cmds[i][argc] || redisAppendCommandArgv(st->c, argc, argv, NULL) != REDIS_OK)
			goto fail;
	}
	do
		if (redisBufferWrite(st->c, &done) != REDIS_OK)
			goto fail;
	while (!done);
	st->deferred += n;
	return 0;
fail:
	store_drop(st, "writing failed");
	return -1;
}

unsigned long store_deferred_failed(struct store *st)
{
	unsigned long n;

	deferred_read(st, 0);
	n = st->deferred_failed;
	st->deferred_failed = 0;
	return n;
}

void store_request_end(struct store *st)
{
	if (st->in_tx && !st->tx_lost) {
		/* a WATCH or MULTI the request left open would guard, or
		 * queue into, the next request's commands: drop it with the
		 * connection (Redis discards both) */
		log_warn("redis: a request ended inside a transaction; closing the connection");
		store_close(st);
	}
	st->in_tx = st->tx_lost = 0;
}

void store_reply_free(struct redisReply *r)
{
	if (r)
		freeReplyObject(r);
}

enum store_rc store_get(struct store *st, const char *key, char *out, size_t outsz)
{
	const char *argv[2] = { "GET", key };
	size_t argvlen[2] = { 3, strlen(key) };
	redisReply *r = store_cmd(st, 2, argv, argvlen);
	enum store_rc rc = STORE_NOTFOUND;

	if (!r)
		return STORE_DOWN;
	if (r->type == REDIS_REPLY_STRING && r->len < outsz) {
		memcpy(out, r->str, r->len);
		out[r->len] = '\0';
		rc = STORE_OK;
	}
	freeReplyObject(r);
	return rc;
}

enum store_rc store_setex(struct store *st, const char *key, const char *val, long ttl)
{
	char t[24];
	const char *argv[5] = { "SET", key, val, "EX", t };
	size_t argvlen[5];
	redisReply *r;
	enum store_rc rc;

	snprintf(t, sizeof(t), "%ld", ttl);
	argvlen[0] = 3;
	argvlen[1] = strlen(key);
	argvlen[2] = strlen(val);
	argvlen[3] = 2;
	argvlen[4] = strlen(t);
	r = store_cmd(st, 5, argv, argvlen);
	if (!r)
		return STORE_DOWN;
	/* an error reply (OOM under noeviction, NOPERM) is no success */
	rc = r->type == REDIS_REPLY_STATUS ? STORE_OK : STORE_DOWN;
	freeReplyObject(r);
	return rc;
}

/*
 * After a write: one more round trip on the connection that ran it.
 * WAIT numreplicas timeout when replicas are awaited (WAIT counts the
 * replicas that have this client's writes so far, so on any other
 * connection it would say yes at once - hence no reconnect here, and no
 * resend; the socket timeout grows by the WAIT's own for this command),
 * else PING. Either is a fence for the workers' scope caches (README
 * "Scope cache"): Redis runs it in a later pass of its event loop than
 * the write, so every invalidation the write caused has been written to
 * the workers' invalidation sockets before the writer answers anyone.
 */
int store_after_write(struct store *st)
{
	char n[24], ms[24];
	const char *argv[3] = { "WAIT", n, ms };
	struct timeval tv;
	redisReply *r;
	long long t0 = store_mono_ms();
	int rc = -1;

	if (!st->c || st->in_tx) {
		log_warn("redis: after a write: the connection that wrote is gone; answering 503");
		return -1;
	}
	if (st->wait_replicas <= 0) {
		const char *ping[] = { "PING" };
		r = store_conn_cmd(st->c, 1, ping);
		if (!r) {
			store_drop(st, "PING after a write failed");
			return -1;
		}
		rc = r->type == REDIS_REPLY_STATUS ? 0 : -1;
		freeReplyObject(r);
		return rc;
	}
	snprintf(n, sizeof(n), "%ld", st->wait_replicas);
	snprintf(ms, sizeof(ms), "%ld", st->wait_ms);
	tv.tv_sec = (st->wait_ms + st->timeout_ms) / 1000;
	tv.tv_usec = ((st->wait_ms + st->timeout_ms) % 1000) * 1000;
	if (redisSetTimeout(st->c, tv) != REDIS_OK) {
		store_drop(st, "set timeout failed");
		return -1;
	}
	r = store_conn_cmd(st->c, 3, argv);
	if (!r) {
		store_drop(st, "WAIT failed");
		return -1;
	}
	tv.tv_sec = st->timeout_ms / 1000;
	tv.tv_usec = (st->timeout_ms % 1000) * 1000;
	if (redisSetTimeout(st->c, tv) != REDIS_OK)
		store_drop(st, "set timeout failed");
	if (r->type == REDIS_REPLY_INTEGER && r->integer >= st->wait_replicas)
		rc = 0;
	else
		log_warn("redis: WAIT: %lld of %ld replicas acknowledged the write within %ld ms (waited %lld ms); "
			"answering 503 (CFMCP_REDIS_WAIT_REPLICAS, CFMCP_REDIS_WAIT_MS)",
			r->type == REDIS_REPLY_INTEGER ? r->integer : -1LL, st->wait_replicas, st->wait_ms, store_mono_ms() - t0);
	freeReplyObject(r);
	return rc;
}

enum store_rc store_ping(struct store *st)
{
	const char *argv[1] = { "PING" };
	size_t argvlen[1] = { 4 };
	redisReply *r = store_cmd(st, 1, argv, argvlen);
	enum store_rc rc;

	if (!r)
		return STORE_DOWN;
	rc = r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG") ? STORE_OK : STORE_DOWN;
	freeReplyObject(r);
	return rc;
}
