/*
 * openapi_tags.c - the tags of a generated tool: the curated vocabulary
 * reached from the path's segments through tag_map (README.md "Tag
 * mapping"), else the root's tag. Scopes filter tools by these tags.
 */
#include "first.h"

#include <string.h>

#include "json.h"
#include "openapi_private.h"

/*
 * Path segment -> tag (README "Tag mapping"). A segment matches an entry
 * when it equals it or starts with it followed by '_' or '-'. Tools under
 * none of them get their root's tag (zones, accounts, user).
 */
static const char *const tag_map[][2] = {
	{ "dns_records", "dns" }, { "dns_settings", "dns" }, { "dns_firewall", "dns" }, { "dnssec", "dns" },
	{ "secondary_dns", "dns" }, { "dns", "dns" },
	{ "workers", "workers" }, { "workers-for-platforms", "workers" }, { "durable_objects", "workers" },
	{ "queues", "workers" },
	{ "r2", "r2" }, { "d1", "d1" }, { "storage", "kv" }, { "pages", "pages" },
	{ "ssl", "ssl" }, { "certificates", "ssl" }, { "custom_certificates", "ssl" }, { "origin_tls_client_auth", "ssl" },
	{ "acm", "ssl" }, { "mtls_certificates", "ssl" }, { "custom_hostnames", "ssl" }, { "keyless_certificates", "ssl" },
	{ "purge_cache", "cache" }, { "cache", "cache" }, { "argo", "cache" }, { "smart_shield", "cache" },
	{ "load_balancers", "load_balancing" }, { "load_balancing", "load_balancing" },
	{ "access", "zero_trust" }, { "gateway", "zero_trust" }, { "teamnet", "zero_trust" },
	{ "devices", "zero_trust" }, { "cfd_tunnel", "zero_trust" }, { "warp_connector", "zero_trust" },
	{ "dlp", "zero_trust" }, { "zerotrust", "zero_trust" }, { "tunnels", "zero_trust" }, { "dex", "zero_trust" },
	{ "radar", "radar" }, { "ai", "ai" }, { "ai-gateway", "ai" }, { "vectorize", "ai" },
	{ "firewall", "waf" }, { "waf", "waf" }, { "rulesets", "waf" }, { "rate_limits", "waf" },
	{ "filters", "waf" }, { "page_shield", "security" }, { "bot_management", "security" },
	{ "security", "security" }, { "api_gateway", "security" }, { "content-upload-scan", "security" },
	{ "audit_logs", "audit" }, { "logs", "logs" }, { "logpush", "logs" }, { "members", "accounts" },
	{ "roles", "accounts" }, { "tokens", "accounts" }, { "subscriptions", "billing" }, { "billing", "billing" },
	{ "stream", "stream" }, { "images", "images" }, { "email", "email" }, { "spectrum", "spectrum" },
	{ "magic", "magic" }, { "registrar", "registrar" }, { "healthchecks", "healthchecks" },
	{ "intel", "intel" }, { "analytics", "analytics" }, { "settings", "settings" },
	{ "page_rules", "rules" }, { "rules", "rules" }, { "pagerules", "rules" }, { "snippets", "rules" },
	{ "addressing", "addressing" }, { "calls", "calls" }, { "hyperdrive", "workers" },
	{ "turnstile", "security" }, { "challenges", "security" }, { "waiting_rooms", "waiting_rooms" },
	{ "web3", "web3" }, { "zaraz", "zaraz" }, { "rum", "analytics" }, { "alerting", "notifications" },
};

static int seg_matches(const char *seg, size_t n, const char *key)
{
	size_t k = strlen(key);

	return n >= k && !memcmp(seg, key, k) && (n == k || seg[k] == '_' || seg[k] == '-');
}

static int tags_add(cJSON *tags, const char *tag)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tags)
		if (!strcmp(t->valuestring, tag))
			return 0;
	return json_add(tags, NULL, cJSON_CreateString(tag));
}

/* The tags of op (an array, at least one), or NULL when out of memory. */
cJSON *op_tags(const struct op *op)
{
	cJSON *tags = cJSON_CreateArray();
	const char *p = op->path, *root = op_path_root(op->path), *seg;
	size_t i, n;

	if (!tags)
		return NULL;
	while ((n = op_path_seg(&p, &seg)) > 0)
		for (i = 0; *seg != '{' && i < CFMCP_NELEM(tag_map); i++)
			if (seg_matches(seg, n, tag_map[i][0])) {
				if (tags_add(tags, tag_map[i][1]) < 0)
					goto fail;
				break;
			}
	if (!cJSON_GetArraySize(tags) &&
	    tags_add(tags, *root ? root : !strncmp(op->path, "/zones", 6) ? "zones" :
		    !strncmp(op->path, "/accounts", 9) ? "accounts" : !strncmp(op->path, "/user", 5) ? "user" :
		    "other") < 0)
		goto fail;
	return tags;
fail:
	cJSON_Delete(tags);
	return NULL;
}
