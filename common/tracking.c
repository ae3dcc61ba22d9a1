/*
 * tracking.c - client tracking, for a per-worker cache (cache.c; store.h
 * has the contract, store_private.h the shared struct store).
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
#include "first.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

#define TRACK_PING_MS 300          /* a busy worker PINGs its invalidation connection this often */
#define TRACK_FRESH_MS 1000        /* older than this, the stream is confirmed before use */

static long track_counter; /* generations are unique within the process */

void tracking_lost(struct store *st, const char *why)
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
	tracking_lost(st, why);
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
	st->inv = store_node_open(st, st->unix_path, &st->node, 1);
	if (!st->inv)
		goto fail;
	r = store_conn_cmd(st->inv, 2, id_argv);
	ok = r && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	if (ok)
		snprintf(id, sizeof(id), "%lld", r->integer);
	store_reply_free(r);
	why = "CLIENT ID failed";
	if (!ok)
		goto fail;
	r = store_conn_cmd(st->inv, 2, sub_argv);
	ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 3;
	store_reply_free(r);
	why = "SUBSCRIBE __redis__:invalidate refused (ACL channel permission?)";
	if (!ok)
		goto fail;
	r = store_conn_cmd(st->c, 5, tr_argv);
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
	st->track_fresh_ms = store_mono_ms(); /* SUBSCRIBE was answered after CLIENT ID */
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
	st->track_ping_ms = store_mono_ms();
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

	for (rounds = 0; rounds < 3 && st->track_on && store_mono_ms() - st->track_fresh_ms > TRACK_FRESH_MS; rounds++) {
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
	if (st->track_on && store_mono_ms() - st->track_fresh_ms <= TRACK_FRESH_MS)
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
		long long now = store_mono_ms();
		if (now - st->track_fresh_ms > TRACK_FRESH_MS) {
			if (track_fence(st, on_key, ud) < 0)
				return -1;
		} else if (!st->track_ping_ms && now - st->track_fresh_ms >= TRACK_PING_MS && track_ping(st) < 0) {
			track_fail(st, "PING on the invalidation connection failed");
			return 0;
		}
		return st->track_gen;
	}
	if (store_mono_ms() < st->track_retry_ms)
		return 0;
	if (track_setup(st) < 0) {
		st->track_retry_ms = store_mono_ms() + 1000;
		return 0;
	}
	return st->track_gen;
}

long store_tracking_gen(const struct store *st)
{
	return st->track_on ? st->track_gen : 0;
}
