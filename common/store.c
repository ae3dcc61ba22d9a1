/*
 * store.c - Redis access. Commands are sent as argv vectors only
 * (redisAppendCommandArgv): no format string ever carries input (STYLE
 * item 10).
 *
 * Reconnecting and resending (store.h has the contract): a connection is
 * checked before it is written to, so a Redis restart costs a reconnect,
 * not a failed request; a command that failed after it was written is
 * sent again only when it is idempotent and no transaction is open,
 * because a WATCH dies with its connection and an EXEC whose reply was
 * lost may well have run.
 *
 * Sentinel (sentinel://host:port,.../service): each new connection asks
 * the Sentinels in turn for the primary (SENTINEL get-master-addr-by-name)
 * and uses the answer only once ROLE there says "master" - a Sentinel
 * may still name the old primary for a while after a failover. The
 * connection is dropped, and the primary looked up again on the next
 * command, after a connection error, a READONLY reply (the server was
 * demoted under us) or a ROLE check that fails; ROLE is checked again
 * once a second on a connection in use, which also catches a demotion
 * without an error. While no primary is found every command fails at
 * once: the request gets 503 + Retry-After, never an answer from a
 * replica or a stale primary.
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
#include "store.h"
#include "xalloc.h"

#define STORE_MAX_SENTINELS 8
#define STORE_MAX_SERVICE 64      /* Sentinel's master name: letters, digits, . _ - */
#define STORE_ROLE_RECHECK_MS 1000 /* a connection in use confirms ROLE this often */
#define TRACK_PING_MS 300          /* a busy worker PINGs its invalidation connection this often */
#define TRACK_FRESH_MS 1000        /* older than this, the stream is confirmed before use */

struct store_node {
	char host[256];
	int port;
};

struct store {
	redisContext *c;
	char *addr;      /* as configured; for logs (it holds no secret) */
	long timeout_ms;
	int down_logged; /* log an outage once, not per request */
	int in_tx;       /* a WATCH or MULTI is open: from it to EXEC/DISCARD/UNWATCH */
	int tx_lost;     /* ... and the connection it was open on is gone */
	int bad_addr;    /* addr did not parse: every command fails (logged) */
	const char *unix_path;          /* "unix:" form: inside addr */
	struct store_node node;         /* host:port form; Sentinel: the primary in use */
	struct store_node sentinels[STORE_MAX_SENTINELS];
	size_t nsentinels;              /* 0: no Sentinel */
	size_t sentinel_first;          /* asked first: the one that last answered */
	char service[STORE_MAX_SERVICE + 1];
	long long role_checked_ms;      /* when ROLE last said "master" */
	long wait_replicas, wait_ms;    /* store_wait_replicas; 0: no WAIT */
	char *user, *password;          /* AUTH; password is secret, never logged */
	/* Client tracking for a cache (store_tracking_sync): inv is the
	 * second connection, SUBSCRIBEd to __redis__:invalidate, on the same
	 * server as c; c has CLIENT TRACKING on REDIRECT <inv's id>. */
	int track_want;                 /* store_tracking_enable was called */
	redisContext *inv;
	int track_on;                   /* c and inv are paired as above */
	long track_gen;                 /* > 0 while track_on; new for each pairing or flush */
	long long track_retry_ms;       /* while setting up fails: not before this */
	long long track_ping_ms;        /* a PING on inv is unanswered since then; 0: none */
	long long track_fresh_ms;       /* every invalidation Redis sent before this is read */
	int track_logged;               /* a loss was logged; log the recovery */
};

static long track_counter; /* generations are unique within the process */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host:port" or "[v6]:port" of length n into out; -1 when malformed. */
static int parse_node(const char *s, size_t n, struct store_node *out)
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

/* sentinel://host:port[,host:port...]/service */
static int parse_sentinel(struct store *st, const char *s)
{
	const char *slash = strchr(s, '/'), *p = s;
	size_t sn;

	if (!slash)
		return -1;
	while (p < slash) {
		const char *comma = memchr(p, ',', (size_t)(slash - p));
		const char *end = comma ? comma : slash;
		if (st->nsentinels == STORE_MAX_SENTINELS ||
		    parse_node(p, (size_t)(end - p), &st->sentinels[st->nsentinels]) < 0)
			return -1;
		st->nsentinels++;
		p = end + (comma ? 1 : 0);
	}
	sn = strlen(slash + 1);
	if (!st->nsentinels || sn == 0 || sn > STORE_MAX_SERVICE ||
	    strspn(slash + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != sn)
		return -1;
	memcpy(st->service, slash + 1, sn + 1);
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
		if (parse_sentinel(st, addr + 11) < 0) {
			st->bad_addr = 1;
			st->nsentinels = 0;
		}
	} else if (parse_node(addr, strlen(addr), &st->node) < 0)
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
static void track_lost(struct store *st, const char *why);

static void store_close(struct store *st)
{
	if (st->c)
		redisFree(st->c);
	st->c = NULL;
	if (st->in_tx)
		st->tx_lost = 1;
	/* a new connection has no tracking: whatever a cache holds was
	 * tracked on this one */
	track_lost(st, "the data connection was closed");
}

static void store_drop(struct store *st, const char *why)
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
static redisReply *conn_cmd(redisContext *c, int argc, const char **argv)
{
	void *r = redisCommandArgv(c, argc, argv, NULL);

	return r;
}

/* Connect to one server with the timeouts, then AUTH when configured. A
 * refused AUTH is logged by user name, never with the password. NULL when
 * unreachable or refused. */
static redisContext *node_open(const struct store *st, const char *unix_path, const struct store_node *n,
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
		redisReply *r = conn_cmd(c, st->user ? 3 : 2, argv);
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

/* ROLE's first element is "master" (Redis 2.8.12+). */
static int role_is_master(redisContext *c)
{
	const char *argv[1] = { "ROLE" };
	redisReply *r = conn_cmd(c, 1, argv);
	int yes = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
		  r->element[0]->type == REDIS_REPLY_STRING && !strcmp(r->element[0]->str, "master");

	if (r)
		freeReplyObject(r);
	return yes;
}

/* Ask the Sentinels in turn (the last one that answered first) for the
 * primary, connect there and confirm with ROLE. Sentinel's answer is
 * checked like any input: two strings, a host of our characters and a
 * port. Returns the connection, or NULL with why set. Worst case (every
 * Sentinel and answer unreachable): 2 x nsentinels x timeout. */
static redisContext *sentinel_discover(struct store *st, const char **why)
{
	size_t k;

	*why = "no Sentinel answered";
	for (k = 0; k < st->nsentinels; k++) {
		size_t i = (st->sentinel_first + k) % st->nsentinels;
		const char *argv[3] = { "SENTINEL", "get-master-addr-by-name", st->service };
		struct store_node primary;
		redisContext *sc = node_open(st, NULL, &st->sentinels[i], 0), *c;
		redisReply *r;
		char hp[300];
		int m;

		if (!sc)
			continue;
		r = conn_cmd(sc, 3, argv);
		m = -1;
		if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_STRING && r->element[0]->len < sizeof(primary.host))
			m = snprintf(hp, sizeof(hp), "%s:%s", r->element[0]->str, r->element[1]->str);
		else if (r && r->type == REDIS_REPLY_NIL)
			*why = "Sentinel knows no such service";
		if (r)
			freeReplyObject(r);
		redisFree(sc);
		if (m < 0 || (size_t)m >= sizeof(hp) || parse_node(hp, (size_t)m, &primary) < 0)
			continue;
		c = node_open(st, NULL, &primary, 1);
		if (!c) {
			*why = "the primary Sentinel named is unreachable";
			continue;
		}
		if (!role_is_master(c)) {
			/* a Sentinel that has not seen the failover yet */
			*why = "the server Sentinel named is not a primary (ROLE)";
			redisFree(c);
			continue;
		}
		if (strcmp(primary.host, st->node.host) || primary.port != st->node.port)
			log_info("redis: primary of %s is %s:%d (Sentinel %s:%d)", st->service, primary.host,
				primary.port, st->sentinels[i].host, st->sentinels[i].port);
		st->node = primary;
		st->sentinel_first = i;
		st->role_checked_ms = mono_ms();
		return c;
	}
	return NULL;
}

static int store_connect(struct store *st)
{
	const char *why = "connect failed";

	if (st->c && store_conn_dead(st->c))
		store_close(st);
	if (st->tx_lost)
		return -1; /* never open a new connection inside a transaction */
	if (st->c && st->nsentinels && !st->in_tx && mono_ms() - st->role_checked_ms >= STORE_ROLE_RECHECK_MS) {
		/* demoted without an error (a failover that kept it running) */
		if (role_is_master(st->c))
			st->role_checked_ms = mono_ms();
		else
			store_drop(st, "no longer the primary (ROLE)");
	}
	if (st->c)
		return 0;
	if (st->bad_addr) {
		store_drop(st, "bad address");
		return -1;
	}
	if (st->nsentinels)
		st->c = sentinel_discover(st, &why);
	else
		st->c = node_open(st, st->unix_path, &st->node, 1);
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
static int store_run(struct store *st, size_t n, const struct store_cmdv *cv, redisReply **replies)
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

/* Flatten an array reply of strings into kv/kvlen (at most max). */
static int reply_pairs(const redisReply *r, const char **kv, size_t *kvlen, size_t max, size_t *n)
{
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY || r->elements > max)
		return -1;
	for (i = 0; i < r->elements; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING)
			return -1;
		kv[i] = r->element[i]->str;
		kvlen[i] = r->element[i]->len;
	}
	*n = r->elements;
	return 0;
}

/*
 * The hot path: HGETALL of the token's hash, pipelined with HGETALL of the
 * API key's when a Bearer was sent - one round trip. (A server-side Lua
 * script that also read the account cost 16.5 us of Redis CPU per call
 * against 2 us for HGETALL; bench/RESULTS.md.) The token's hash carries
 * its account's Cloudflare id and sealed token; a token made by hand
 * without them costs a second read of the account, which also makes a
 * token whose account is gone unknown.
 */
enum store_rc store_lookup(struct store *st, const char *hash, const char *bearer_hash,
	struct scope *out)
{
	char key[128], akey[128];
	const char *c1[] = { "HGETALL", key, NULL };
	const char *c2[] = { "HGETALL", akey, NULL };
	const char *const *cmds[2] = { c1, c2 };
	redisReply *rep[2] = { NULL, NULL };
	const char *kv[64];
	size_t kvlen[64], n, ncmd = bearer_hash ? 2 : 1, i;
	enum store_rc rc = STORE_NOTFOUND;
	int k;

	memset(out, 0, sizeof(*out));
	k = snprintf(key, sizeof(key), "cfmcp:mcp:%s", hash);
	if (k < 0 || (size_t)k >= sizeof(key))
		return STORE_NOTFOUND;
	if (bearer_hash && snprintf(akey, sizeof(akey), "cfmcp:apikey:%s", bearer_hash) >= (int)sizeof(akey))
		ncmd = 1;
	if (store_pipeline(st, ncmd, cmds, rep) < 0)
		return STORE_DOWN;
	if (rep[0]->type != REDIS_REPLY_ARRAY) {
		/* LOADING, a wrong-type key: unavailable rather than unknown */
		log_warn("redis: unexpected reply type %d to HGETALL", rep[0]->type);
		rc = STORE_DOWN;
		goto out;
	}
	if (reply_pairs(rep[0], kv, kvlen, 64, &n) < 0 || n == 0 || scope_from_pairs(out, kv, kvlen, n) < 0 ||
	    !out->account[0])
		goto out;
	if (ncmd == 2 && reply_pairs(rep[1], kv, kvlen, 64, &n) == 0 && n > 0 &&
	    apikey_from_pairs(&out->key, kv, kvlen, n) < 0)
		memset(&out->key, 0, sizeof(out->key));
	if (!out->cf_account[0]) {
		/* made by hand: read the account (a second round trip) */
		char ak[160];
		const char *argv[4] = { "HMGET", ak, "cf_account_id", "cf_token" };
		size_t argvlen[4] = { 5, 0, 13, 8 };
		redisReply *a;
		int m = snprintf(ak, sizeof(ak), "cfmcp:account:%s", out->account);
		if (m < 0 || (size_t)m >= sizeof(ak))
			goto out;
		argvlen[1] = (size_t)m;
		a = store_cmd(st, 4, argv, argvlen);
		if (!a) {
			rc = STORE_DOWN;
			goto out;
		}
		if (a->type != REDIS_REPLY_ARRAY || a->elements != 2 || a->element[0]->type != REDIS_REPLY_STRING ||
		    scope_copy_field(out->cf_account, sizeof(out->cf_account), a->element[0]->str, a->element[0]->len) < 0 ||
		    (a->element[1]->type == REDIS_REPLY_STRING &&
		     scope_copy_field(out->cf_token_sealed, sizeof(out->cf_token_sealed), a->element[1]->str, a->element[1]->len) < 0)) {
			freeReplyObject(a);
			goto out; /* no such account: the token is unknown */
		}
		freeReplyObject(a);
	}
	rc = STORE_OK;
out:
	for (i = 0; i < ncmd; i++)
		store_reply_free(rep[i]);
	if (rc != STORE_OK)
		memset(out, 0, sizeof(*out));
	return rc;
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
 * WAIT numreplicas timeout on the connection that ran the write: WAIT
 * counts the replicas that have this client's writes so far, so on any
 * other connection it would say yes at once - hence no reconnect here,
 * and no resend. The socket timeout grows by the WAIT's own for this one
 * command.
 */
int store_wait_replicas(struct store *st)
{
	char n[24], ms[24];
	const char *argv[3] = { "WAIT", n, ms };
	struct timeval tv;
	redisReply *r;
	long long t0 = mono_ms();
	int rc = -1;

	if (st->wait_replicas <= 0)
		return 0;
	if (!st->c || st->in_tx) {
		log_warn("redis: WAIT: the connection that wrote is gone; answering 503");
		return -1;
	}
	snprintf(n, sizeof(n), "%ld", st->wait_replicas);
	snprintf(ms, sizeof(ms), "%ld", st->wait_ms);
	tv.tv_sec = (st->wait_ms + st->timeout_ms) / 1000;
	tv.tv_usec = ((st->wait_ms + st->timeout_ms) % 1000) * 1000;
	if (redisSetTimeout(st->c, tv) != REDIS_OK) {
		store_drop(st, "set timeout failed");
		return -1;
	}
	r = conn_cmd(st->c, 3, argv);
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
			r->type == REDIS_REPLY_INTEGER ? r->integer : -1LL, st->wait_replicas, st->wait_ms, mono_ms() - t0);
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

/* ---- client tracking, for a per-worker cache (cache.c) ------------------
 *
 * Redis 7 client-side caching over RESP2 (hiredis 0.14 has no RESP3): the
 * data connection c runs CLIENT TRACKING on REDIRECT <id>, where id is a
 * second connection of ours to the same server, SUBSCRIBEd to
 * __redis__:invalidate. Every key c reads is remembered by Redis; a
 * change to it (a write, DEL, UNLINK, expiry, eviction) publishes its
 * name there, once per read. FLUSHALL/FLUSHDB publish a null instead.
 *
 * Why the drain before each answer is enough: Redis queues the
 * invalidation to our second connection while it runs the write, before
 * it replies to the writer, and writes both out in the same pass of its
 * event loop; whoever saw the write succeed and then asks us has the
 * invalidation in our socket already (README "Scope cache").
 *
 * A generation names one pairing of c and inv: it changes whenever the
 * pair is set up again or Redis flushed, and is 0 while there is none.
 * The cache empties itself whenever the generation it was filled under
 * is not the current one.
 */

static void track_lost(struct store *st, const char *why)
{
	if (st->inv)
		redisFree(st->inv);
	st->inv = NULL;
	if (!st->track_on)
		return;
	st->track_on = 0;
	st->track_gen = 0;
	if (!st->track_logged)
		log_warn("cache: Redis client tracking lost (%s): cache emptied and bypassed until tracking is back",
			why);
	st->track_logged = 1;
}

/* The invalidation stream broke: drop the data connection with it, so
 * tracking is set up again on a fresh pair (a surviving data connection
 * would keep redirecting to a client id that is gone). */
static void track_fail(struct store *st, const char *why)
{
	track_lost(st, why);
	store_close(st);
}

static int track_setup(struct store *st)
{
	const char *id_argv[2] = { "CLIENT", "ID" };
	const char *sub_argv[2] = { "SUBSCRIBE", "__redis__:invalidate" };
	char id[24];
	const char *tr_argv[5] = { "CLIENT", "TRACKING", "on", "REDIRECT", id };
	const char *why = "the invalidation connection could not be opened";
	redisReply *r;
	int ok;

	if (store_connect(st) < 0)
		return -1;
	if (st->inv)
		redisFree(st->inv);
	st->inv = node_open(st, st->unix_path, &st->node, 1);
	if (!st->inv)
		goto fail;
	r = conn_cmd(st->inv, 2, id_argv);
	ok = r && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	if (ok)
		snprintf(id, sizeof(id), "%lld", r->integer);
	store_reply_free(r);
	why = "CLIENT ID failed";
	if (!ok)
		goto fail;
	r = conn_cmd(st->inv, 2, sub_argv);
	ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 3;
	store_reply_free(r);
	why = "SUBSCRIBE __redis__:invalidate refused (ACL channel permission?)";
	if (!ok)
		goto fail;
	r = conn_cmd(st->c, 5, tr_argv);
	ok = r && r->type == REDIS_REPLY_STATUS;
	why = "CLIENT TRACKING refused (Redis older than 6, or the ACL user lacks it)";
	if (!r) {
		why = "the data connection failed";
		store_drop(st, why);
	}
	store_reply_free(r);
	if (!ok)
		goto fail;
	st->track_on = 1;
	st->track_gen = ++track_counter;
	st->track_ping_ms = 0;
	st->track_fresh_ms = mono_ms(); /* SUBSCRIBE was answered after CLIENT ID */
	if (st->track_logged)
		log_info("cache: Redis client tracking is on again; cache in use");
	st->track_logged = 0;
	return 0;
fail:
	if (!st->track_logged)
		log_warn("cache: cannot set up Redis client tracking (%s): answering without the cache", why);
	st->track_logged = 1;
	if (st->inv)
		redisFree(st->inv);
	st->inv = NULL;
	return -1;
}

/* One message from __redis__:invalidate: an array of key names, or a
 * null (FLUSHALL, FLUSHDB): a new generation empties the whole cache. */
static void track_message(struct store *st, const redisReply *r,
	void (*on_key)(void *ud, const char *key, size_t n), void *ud)
{
	const redisReply *p;
	size_t i;

	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
	    !strcmp(r->element[0]->str, "pong")) {
		/* everything Redis sent before the PING's answer is read */
		if (st->track_ping_ms)
			st->track_fresh_ms = st->track_ping_ms;
		st->track_ping_ms = 0;
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(r->element[0]->str, "message"))
		return; /* the subscribe confirmation */
	p = r->element[2];
	if (p->type != REDIS_REPLY_ARRAY) {
		st->track_gen = ++track_counter;
		log_info("cache: Redis flushed its tracking (FLUSHALL/FLUSHDB or a full tracking table): cache emptied");
		return;
	}
	for (i = 0; i < p->elements; i++)
		if (p->element[i]->type == REDIS_REPLY_STRING)
			on_key(ud, p->element[i]->str, p->element[i]->len);
}

/* Read every invalidation already in the socket, without waiting. */
#define TRACK_DRAIN_READS 64 /* x 16 KB reads; past that the cache is emptied */
static void track_drain(struct store *st, void (*on_key)(void *ud, const char *key, size_t n), void *ud)
{
	int reads;

	for (reads = 0; reads < TRACK_DRAIN_READS; reads++) {
		struct pollfd p;
		int rc;

		p.fd = st->inv->fd;
		p.events = POLLIN;
		p.revents = 0;
		do
			rc = poll(&p, 1, 0);
		while (rc < 0 && errno == EINTR);
		if (rc == 0)
			return;
		if (rc < 0 || redisBufferRead(st->inv) != REDIS_OK) {
			track_fail(st, "the invalidation connection was closed");
			return;
		}
		for (;;) {
			void *rep = NULL;
			if (redisGetReplyFromReader(st->inv, &rep) != REDIS_OK) {
				track_fail(st, "unreadable invalidation stream");
				return;
			}
			if (!rep)
				break;
			track_message(st, rep, on_key, ud);
			freeReplyObject(rep);
		}
	}
	/* more is still coming: answer this request without the cache
	 * rather than keep it waiting; the rest is read next time */
	st->track_gen = ++track_counter;
}

/* PING on the invalidation connection, without waiting for its answer
 * (a subscribed RESP2 connection answers ["pong", ""] in the stream). */
static int track_ping(struct store *st)
{
	int done = 0;

	if (redisAppendCommand(st->inv, "PING") != REDIS_OK)
		return -1;
	while (!done)
		if (redisBufferWrite(st->inv, &done) != REDIS_OK)
			return -1;
	st->track_ping_ms = mono_ms();
	return 0;
}

/* The stream has not been confirmed for TRACK_FRESH_MS (an idle worker,
 * or Redis silent): PING and read up to its answer, invalidations on the
 * way included, within the Redis timeout. A Redis that hangs, or a
 * network that dropped without a FIN, would otherwise leave the cache
 * trusted with nothing arriving. -1: no answer (tracking lost). */
static int track_fence(struct store *st, void (*on_key)(void *ud, const char *key, size_t n), void *ud)
{
	int rounds, msgs = 0;

	for (rounds = 0; rounds < 3 && st->track_on && mono_ms() - st->track_fresh_ms > TRACK_FRESH_MS; rounds++) {
		if (!st->track_ping_ms && track_ping(st) < 0)
			break;
		while (st->track_on && st->track_ping_ms) {
			void *rep = NULL;
			if (++msgs > 100000 || redisGetReply(st->inv, &rep) != REDIS_OK || !rep) {
				if (rep)
					freeReplyObject(rep);
				break;
			}
			track_message(st, rep, on_key, ud);
			freeReplyObject(rep);
		}
		if (st->track_ping_ms)
			break;
	}
	if (st->track_on && mono_ms() - st->track_fresh_ms <= TRACK_FRESH_MS)
		return 0;
	if (st->track_on)
		track_fail(st, "no answer on the invalidation connection (Redis hung or unreachable)");
	return -1;
}

void store_tracking_enable(struct store *st)
{
	st->track_want = 1;
}

long store_tracking_sync(struct store *st, void (*on_key)(void *ud, const char *key, size_t n), void *ud)
{
	if (!st->track_want)
		return 0;
	/* notices a data connection Redis closed (a restart, CLIENT KILL)
	 * and, with Sentinel, a demoted primary: either loses tracking */
	if (store_connect(st) < 0)
		return -1;
	if (st->track_on)
		track_drain(st, on_key, ud);
	if (st->track_on) {
		long long now = mono_ms();
		if (now - st->track_fresh_ms > TRACK_FRESH_MS) {
			if (track_fence(st, on_key, ud) < 0)
				return -1;
		} else if (!st->track_ping_ms && now - st->track_fresh_ms >= TRACK_PING_MS && track_ping(st) < 0) {
			track_fail(st, "PING on the invalidation connection failed");
			return 0;
		}
		return st->track_gen;
	}
	if (mono_ms() < st->track_retry_ms)
		return 0;
	if (track_setup(st) < 0) {
		st->track_retry_ms = mono_ms() + 1000;
		return 0;
	}
	return st->track_gen;
}

long store_tracking_gen(const struct store *st)
{
	return st->track_on ? st->track_gen : 0;
}
