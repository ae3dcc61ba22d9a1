/*
 * zone.c - a zone's domain name to its id; see zone.h.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfid.h"
#include "mcp_call.h"
#include "plan.h"
#include "upstream.h"
#include "zone.h"

/*
 * Through the Redis cache cfmcp:zone-name:<integrated account>:<name>
 * (ZONE_NAME_TTL) or GET /zones?name=<name> (restricted to the account
 * when known). The name passed the schema's hostname pattern, so it is
 * safe to echo in why.
 */
int zone_resolve(void *ud, const char *name, char out[33], char *why, size_t whysz)
{
	struct call *c = ud;
	const struct mcp_env *env = c->env;
	char key[400];
	struct plan p;
	struct upstream_reply ur;
	cJSON *doc = NULL;
	const cJSON *it;
	int rc = -1;

	snprintf(key, sizeof(key), "cfmcp:zone-name:%s:%s", c->scope.account[0] ? c->scope.account : "-", name);
	if (env->cache_get && env->cache_get(env->store_ud, key, out, 33) == STORE_OK && cfid_valid(out))
		return 0;
	plan_init(&p);
	upstream_reply_init(&ur);
	p.http = "GET";
	if (buf_append(&p.path, STRLIT("/zones")) || plan_query_add(&p.query, "name", name) ||
	    plan_query_add(&p.query, "per_page", "5") ||
	    (c->scope.cf_account[0] && plan_query_add(&p.query, "account.id", c->scope.cf_account))) {
		snprintf(why, whysz, "out of memory resolving the zone name");
		goto out;
	}
	if (!call_cf_token(c)) {
		snprintf(why, whysz, "%s", MCP_CALL_NO_CF_TOKEN);
		goto out;
	}
	if (env->upstream(env->up_ud, &p, call_cf_token(c), &ur) != UP_OK || ur.status != 200) {
		char what[64];
		/* say what failed: an answer, the network, or our own setup */
		if (ur.err == UP_OK)
			snprintf(what, sizeof(what), "Cloudflare answered HTTP %ld", ur.status);
		else
			snprintf(what, sizeof(what), "%s", ur.err == UP_INTERNAL ?
				"the request could not be set up; nothing was sent" : "Cloudflare could not be reached");
		snprintf(why, whysz, "could not look up zone %s (%s); try the 32-character zone id "
			 "from list_all_cloudflare_zones", name, what);
		goto out;
	}
	doc = cJSON_ParseWithLength(ur.body.p, ur.body.len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "result")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name) && cJSON_IsString(id) && cfid_valid(id->valuestring)) {
			memcpy(out, id->valuestring, 33);
			if (env->cache_set)
				env->cache_set(env->store_ud, key, out, ZONE_NAME_TTL);
			rc = 0;
			goto out;
		}
	}
	snprintf(why, whysz, "no zone named %s is visible to this Cloudflare account; "
		 "list_all_cloudflare_zones shows the zones and their names", name);
out:
	cJSON_Delete(doc);
	upstream_reply_free(&ur);
	plan_free(&p);
	return rc;
}
