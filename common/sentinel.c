/*
 * sentinel.c - where the primary is, with Redis Sentinel: parsing the
 * sentinel://host:port[,host:port...]/service address, asking the
 * Sentinels, and the ROLE checks (store.h has the contract,
 * store_private.h the shared struct store).
 *
 * Each new connection asks the Sentinels in turn for the primary
 * (SENTINEL get-master-addr-by-name) and uses the answer only once ROLE
 * there says "master" - a Sentinel may still name the old primary for a
 * while after a failover. The connection is dropped, and the primary
 * looked up again on the next command, after a connection error, a
 * READONLY reply (the server was demoted under us; store.c) or a ROLE
 * check that fails; ROLE is checked again once a second on a connection
 * in use, which also catches a demotion without an error. While no
 * primary is found every command fails at once: the request gets 503 +
 * Retry-After, never an answer from a replica or a stale primary.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

#define SENTINEL_ROLE_RECHECK_MS 1000 /* a connection in use confirms ROLE this often */

/* sentinel://host:port[,host:port...]/service */
int sentinel_parse(struct store *st, const char *s)
{
	const char *slash = strchr(s, '/'), *p = s;
	size_t sn;

	if (!slash)
		return -1;
	while (p < slash) {
		const char *comma = memchr(p, ',', (size_t)(slash - p));
		const char *end = comma ? comma : slash;
		if (st->nsentinels == STORE_MAX_SENTINELS ||
		    store_node_parse(p, (size_t)(end - p), &st->sentinels[st->nsentinels]) < 0)
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

/* ROLE's first element is "master" (Redis 2.8.12+). */
static int role_is_master(redisContext *c)
{
	const char *argv[1] = { "ROLE" };
	redisReply *r = store_conn_cmd(c, 1, argv);
	int yes = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
		  r->element[0]->type == REDIS_REPLY_STRING && !strcmp(r->element[0]->str, "master");

	if (r)
		freeReplyObject(r);
	return yes;
}

/* A connection in use, once a second: demoted without an error (a
 * failover that kept it running)? Then drop it (st->c becomes NULL). */
void sentinel_check_role(struct store *st)
{
	if (store_mono_ms() - st->role_checked_ms < SENTINEL_ROLE_RECHECK_MS)
		return;
	if (role_is_master(st->c))
		st->role_checked_ms = store_mono_ms();
	else
		store_drop(st, "no longer the primary (ROLE)");
}

/* Ask the Sentinels in turn (the last one that answered first) for the
 * primary, connect there and confirm with ROLE. Sentinel's answer is
 * checked like any input: two strings, a host of our characters and a
 * port. Returns the connection, or NULL with why set. Worst case (every
 * Sentinel and answer unreachable): 2 x nsentinels x timeout. */
redisContext *sentinel_discover(struct store *st, const char **why)
{
	size_t k;

	*why = "no Sentinel answered";
	for (k = 0; k < st->nsentinels; k++) {
		size_t i = (st->sentinel_first + k) % st->nsentinels;
		const char *argv[3] = { "SENTINEL", "get-master-addr-by-name", st->service };
		struct store_node primary;
		redisContext *sc = store_node_open(st, NULL, &st->sentinels[i], 0), *c;
		redisReply *r;
		char hp[300];
		int m;

		if (!sc)
			continue;
		r = store_conn_cmd(sc, 3, argv);
		m = -1;
		if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_STRING && r->element[0]->len < sizeof(primary.host))
			m = snprintf(hp, sizeof(hp), "%s:%s", r->element[0]->str, r->element[1]->str);
		else if (r && r->type == REDIS_REPLY_NIL)
			*why = "Sentinel knows no such service";
		if (r)
			freeReplyObject(r);
		redisFree(sc);
		if (m < 0 || (size_t)m >= sizeof(hp) || store_node_parse(hp, (size_t)m, &primary) < 0)
			continue;
		c = store_node_open(st, NULL, &primary, 1);
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
		st->role_checked_ms = store_mono_ms();
		return c;
	}
	return NULL;
}
