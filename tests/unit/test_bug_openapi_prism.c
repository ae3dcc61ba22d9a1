/*
 * test_bug_openapi_prism.c - server defects the Prism run of the full
 * catalogue (tests/e2e/64-openapi-prism.t) showed, each against the
 * vendored spec: arguments a user gives are planned exactly as Cloudflare's
 * spec asks, and what the spec requires is never lost on the way.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <string.h>

#include "../../common/catalog.h"
#include "../../common/openapi.h"
#include "../../common/plan.h"
#include "../tap.h"

#define SPEC SCHEMAS_DIR "/openapi/openapi.json"
#define ACCT "0123456789abcdef0123456789abcdef"

static struct catalog cat;

static const struct tool *route(const char *http, const char *path)
{
	size_t i;

	for (i = 0; i < cat.ntools; i++)
		if (!strcmp(cat.tools[i].http, http) && !strcmp(cat.tools[i].path, path))
			return &cat.tools[i];
	return NULL;
}

/* plan_build of args (JSON text) for the tool at http path: 0 when the
 * arguments are accepted; body (when not NULL) gets the JSON sent. */
static int plan_of(const char *http, const char *path, const char *json, char *body, size_t bodysz,
	char *why, size_t whysz)
{
	const struct tool *t = route(http, path);
	struct plan p;
	struct plan_ctx ctx = { ACCT, NULL, NULL };
	cJSON *args = cJSON_Parse(json);
	int r;

	why[0] = '\0';
	if (body)
		body[0] = '\0';
	if (!t || !args) {
		snprintf(why, whysz, "%s", t ? "bad test JSON" : "no such tool");
		cJSON_Delete(args);
		return -9;
	}
	plan_init(&p);
	r = plan_build(t, args, &ctx, &p, why, whysz);
	if (r == 0 && body)
		snprintf(body, bodysz, "%s", p.body ? p.body : "(none)");
	plan_free(&p);
	cJSON_Delete(args);
	return r;
}

/* The body schema's "required" of the tool at http path holds name. */
static int body_requires(const char *http, const char *path, const char *name)
{
	const struct tool *t = route(http, path);
	const cJSON *r;

	if (!t || !t->body)
		return 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(t->body, "required"))
		if (cJSON_IsString(r) && !strcmp(r->valuestring, name))
			return 1;
	return 0;
}

/* Collapsing a deep body under the size cap dropped every required member
 * below the cut: an Access group's include rule {} was sent (Cloudflare
 * wants one of email, ip, group...), an alert policy's alert_type lost its
 * enum, Zaraz settings lost autoInjectScript. */
static void bug_collapse_drops_required(void)
{
	char why[300];
	int r;

	r = plan_of("POST", "/accounts/{account_id}/access/groups", "{\"body\":{\"name\":\"g\",\"include\":[{}]}}",
		NULL, 0, why, sizeof(why));
	ok(r == -1, "bug_collapse_drops_required: an empty Access rule is refused (%d: %s)", r, why);
	r = plan_of("POST", "/accounts/{account_id}/access/groups",
		"{\"body\":{\"name\":\"g\",\"include\":[{\"email\":{\"email\":\"user@example.com\"}}]}}", NULL, 0, why,
		sizeof(why));
	ok(r == 0, "bug_collapse_drops_required: an email rule is accepted (%d: %s)", r, why);
	r = plan_of("POST", "/accounts/{account_id}/alerting/v3/policies",
		"{\"body\":{\"name\":\"p\",\"alert_type\":\"no_such_alert\",\"enabled\":true,\"mechanisms\":{}}}", NULL, 0,
		why, sizeof(why));
	ok(r == -1, "bug_collapse_drops_required: an alert_type outside the spec's enum is refused (%d: %s)", r, why);
	r = plan_of("POST", "/accounts/{account_id}/alerting/v3/policies",
		"{\"body\":{\"name\":\"p\",\"alert_type\":\"universal_ssl_event_type\",\"enabled\":true,\"mechanisms\":{}}}",
		NULL, 0, why, sizeof(why));
	ok(r == 0, "bug_collapse_drops_required: an alert_type of the enum is accepted (%d: %s)", r, why);
	r = plan_of("PUT", "/zones/{zone_id}/settings/zaraz/config",
		"{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"body\":{\"tools\":{},\"triggers\":{},\"variables\":{},"
		"\"settings\":{},\"dataLayer\":true,\"debugKey\":\"k\",\"zarazVersion\":1}}", NULL, 0, why, sizeof(why));
	ok(r == -1, "bug_collapse_drops_required: Zaraz settings without autoInjectScript are refused (%d: %s)", r, why);
}

/* A oneOf whose branches were collapsed to the same shape matched any
 * value more than once: every ruleset with a rule was refused. */
static void bug_collapsed_oneof_refuses_all(void)
{
	char why[300];
	int r;

	r = plan_of("POST", "/accounts/{account_id}/rulesets",
		"{\"body\":{\"name\":\"r\",\"kind\":\"custom\",\"phase\":\"http_request_firewall_custom\","
		"\"rules\":[{\"action\":\"block\",\"expression\":\"ip.src eq 192.0.2.1\"}]}}", NULL, 0, why, sizeof(why));
	ok(r == 0, "bug_collapsed_oneof_refuses_all: a ruleset with one block rule is accepted (%d: %s)", r, why);
}

/* A ruleset rule without its "action" (the discriminator of the spec's
 * oneOf) matched every rule shape and was sent; Cloudflare (and Prism)
 * refuse it. */
static void bug_discriminator_not_required(void)
{
	char why[300];
	int r;

	r = plan_of("POST", "/accounts/{account_id}/rulesets",
		"{\"body\":{\"name\":\"r\",\"kind\":\"custom\",\"phase\":\"http_request_firewall_custom\","
		"\"rules\":[{\"expression\":\"ip.src eq 192.0.2.1\"}]}}", NULL, 0, why, sizeof(why));
	ok(r == -1, "bug_discriminator_not_required: a rule without its action is refused (%d: %s)", r, why);
}

/* Arguments were validated against the size-capped tools/list schema,
 * whose collapsed values keep only what a valid value needs: a block
 * rule's status code given as a string went to Cloudflare. The full
 * schema (describe_cloudflare_operation's) refuses it. */
static void bug_collapsed_body_not_validated(void)
{
	char why[300];
	int r;

	r = plan_of("POST", "/accounts/{account_id}/rulesets",
		"{\"body\":{\"name\":\"r\",\"kind\":\"custom\",\"phase\":\"http_request_firewall_custom\","
		"\"rules\":[{\"action\":\"block\",\"expression\":\"true\",\"action_parameters\":{\"response\":"
		"{\"status_code\":\"four hundred\",\"content\":\"no\",\"content_type\":\"text/plain\"}}}]}}",
		NULL, 0, why, sizeof(why));
	ok(r == -1, "bug_collapsed_body_not_validated: a block rule's status_code as a string is refused (%d: %s)", r,
		why);
}

/* oneOf members that overlap (each plan's bot management body extends
 * the one before): every real body matched more than one and was
 * refused. The oneOf rule (README) accepts a value matching any. */
static void bug_oneof_overlapping_members(void)
{
	char why[300];
	int r;

	r = plan_of("PUT", "/zones/{zone_id}/bot_management",
		"{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"body\":{\"fight_mode\":true}}", NULL, 0, why,
		sizeof(why));
	ok(r == 0, "bug_oneof_overlapping_members: bot management {fight_mode: true} is accepted (%d: %s)", r, why);
	r = plan_of("PUT", "/zones/{zone_id}/bot_management",
		"{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"body\":{\"enable_js\":\"yes\"}}", NULL, 0, why,
		sizeof(why));
	ok(r == -1, "bug_oneof_overlapping_members: enable_js (every plan has it) as a string is still refused (%d: %s)", r, why);
}

/* An object-valued query parameter with no type of its own (an allOf of
 * objects: Workers KV analytics' "query") was offered as an argument,
 * collapsed with a note that describe_cloudflare_operation would show it
 * (it does not: it is no body), and could not go into a query string. */
static void bug_object_query_param(void)
{
	const struct tool *t = route("GET", "/accounts/{account_id}/storage/analytics");
	const cJSON *props = t ? cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties") : NULL;

	ok(props && !cJSON_GetObjectItemCaseSensitive(props, "query"),
		"bug_object_query_param: the KV analytics tool has no object-valued \"query\" argument (%s)",
		!props ? "no tool" : cJSON_GetObjectItemCaseSensitive(props, "query") ? "it has one" : "none");
}

/* readOnly names were dropped from every "required" of the body, at any
 * depth: a token's name (required) was lost because a permission group's
 * name is readOnly. */
static void bug_readonly_required_by_name(void)
{
	ok(body_requires("POST", "/user/tokens", "name"),
		"bug_readonly_required_by_name: creating a token still requires its name");
	ok(body_requires("POST", "/user/tokens", "policies"), "bug_readonly_required_by_name: and its policies");
}

/* \S in a pattern dropped the whole pattern (a page rule's target URL). */
static void bug_pattern_negated_class(void)
{
	char why[300];
	int r;
	static const char pr[] = "{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"body\":{\"targets\":[{\"target\":\"url\","
		"\"constraint\":{\"operator\":\"matches\",\"value\":\"%s\"}}],\"actions\":[{\"id\":\"always_use_https\"}]}}";
	char json[512];

	snprintf(json, sizeof(json), pr, "no url here");
	r = plan_of("POST", "/zones/{zone_id}/pagerules", json, NULL, 0, why, sizeof(why));
	ok(r == -1, "bug_pattern_negated_class: a page rule target that is no URL is refused (%d: %s)", r, why);
	snprintf(json, sizeof(json), pr, "*example.com/images/*");
	r = plan_of("POST", "/zones/{zone_id}/pagerules", json, NULL, 0, why, sizeof(why));
	ok(r == 0, "bug_pattern_negated_class: a URL pattern is accepted (%d: %s)", r, why);
}

/* A DELETE whose spec requires a JSON body went without one (the model
 * had to know to pass body: {}; the curated DNS delete never sent it). */
static void bug_delete_required_body(void)
{
	char why[300], body[256];
	int r;

	r = plan_of("DELETE", "/zones/{zone_id}/workers/routes/{route_id}",
		"{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"route_id\":\"023e105f4ecef8ad9ca31a8372d0c353\"}", body,
		sizeof(body), why, sizeof(why));
	ok(r == 0 && !strcmp(body, "{}"), "bug_delete_required_body: a generated DELETE sends {} when no body is given "
		"(%d: %s, body %s)", r, why, body);
	r = plan_of("DELETE", "/zones/{zone_id}/dns_records/{dns_record_id}",
		"{\"zone_id\":\"023e105f4ecef8ad9ca31a8372d0c353\",\"dns_record_id\":\"023e105f4ecef8ad9ca31a8372d0c353\"}",
		body, sizeof(body), why, sizeof(why));
	ok(r == 0 && !strcmp(body, "{}"), "bug_delete_required_body: the curated DNS delete sends {} (%d: %s, body %s)",
		r, why, body);
}

int main(void)
{
	char err[1024];
	struct openapi_opts o = { 0 };

	if (catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) < 0 || openapi_load(&cat, SPEC, &o, NULL, err, sizeof(err)) < 0) {
		ok(0, "the curated schemas and the vendored spec load (%s)", err);
		done_testing();
	}
	bug_collapse_drops_required();
	bug_collapsed_oneof_refuses_all();
	bug_discriminator_not_required();
	bug_collapsed_body_not_validated();
	bug_oneof_overlapping_members();
	bug_object_query_param();
	bug_readonly_required_by_name();
	bug_pattern_negated_class();
	bug_delete_required_body();
	catalog_free(&cat);
	done_testing();
}
