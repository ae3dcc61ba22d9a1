/*
 * test_openapi.c - the OpenAPI import (common/openapi.c): the vendored
 * spec gives the full catalogue; names follow the rule (unique, <= 64 of
 * [a-z0-9_], independent of the spec's order, stable when unrelated
 * operations come and go); curated tools replace generated ones; broken
 * specs are named by file and JSON pointer; OpenAPI 3.0 forms become the
 * validator's subset; hostile arguments to generated tools of every class
 * change no host, path segment or query structure.
 */
#include "../../common/first.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/catalog.h"
#include "../../common/openapi.h"
#include "../../common/plan.h"
#include "../../common/schema.h"
#include "../tap.h"

/* A "# " diagnostic line (tap.h has none). */
__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define SPEC SCHEMAS_DIR "/openapi/openapi.json"
#define ACCT "0123456789abcdef0123456789abcdef"

static char tmpdir[64];

/* Write text to a file in tmpdir; returns its path (static buffer). */
static const char *write_spec(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

/* Curated catalogue plus the spec at path; 0 or -1 (err set). */
static int load(struct catalog *cat, const char *path, int deprecated, struct openapi_report *rep,
	char *err, size_t errsz)
{
	struct openapi_opts o = { deprecated };

	if (catalog_load(cat, SCHEMAS_DIR, err, errsz) < 0)
		return -1;
	if (openapi_load(cat, path, &o, rep, err, errsz) < 0) {
		catalog_free(cat);
		return -1;
	}
	return 0;
}

static const struct tool *by_route(const struct catalog *cat, const char *http, const char *path)
{
	size_t i;

	for (i = 0; i < cat->ntools; i++)
		if (!strcmp(cat->tools[i].http, http) && !strcmp(cat->tools[i].path, path))
			return &cat->tools[i];
	return NULL;
}

static int name_ok(const char *n)
{
	size_t i, len = strlen(n);

	if (!len || len > 64 || !(n[0] >= 'a' && n[0] <= 'z'))
		return 0;
	for (i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return 0;
	return 1;
}

static void test_full_spec(void)
{
	struct catalog cat, cat2;
	struct openapi_report rep, rep2;
	char err[1024];
	size_t i, bad_names = 0, dups = 0, untagged = 0, skipped_dep = 0, kinds[6] = { 0 };
	int unparsable = 0;

	if (!ok(load(&cat, SPEC, 0, &rep, err, sizeof(err)) == 0, "the vendored spec loads"))
		diag("%s", err);
	ok(rep.ops == 1533, "1,533 operations read (%zu)", rep.ops);
	ok(cat.ntools >= 1420, "at least 1,420 tools (%zu)", cat.ntools);
	ok(rep.replaced == 24, "24 generated operations replaced by curated tools (%zu)", rep.replaced);
	for (i = 0; i < cat.ntools; i++) {
		const struct tool *t = &cat.tools[i];
		cJSON *j;
		bad_names += !name_ok(t->name);
		dups += i > 0 && !strcmp(cat.tools[i - 1].name, t->name);
		untagged += !t->tags[0];
		kinds[t->kind]++;
		j = cJSON_Parse(t->json);
		unparsable += !j || !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "inputSchema"), "additionalProperties"));
		cJSON_Delete(j);
	}
	ok(!bad_names, "every name is 1-64 characters of [a-z0-9_] starting with a letter (%zu bad)", bad_names);
	ok(!dups, "names are unique (%zu duplicates)", dups);
	ok(!untagged, "every tool has a tag (%zu without)", untagged);
	ok(!unparsable, "every rendered tool parses and refuses unknown arguments (%d not)", unparsable);
	ok(kinds[TOOL_LIST] && kinds[TOOL_GET] && kinds[TOOL_CREATE] && kinds[TOOL_UPDATE] && kinds[TOOL_DELETE] &&
	   kinds[TOOL_CUSTOM], "every class is present (list %zu, get %zu, create %zu, update %zu, delete %zu, custom %zu)",
	   kinds[0], kinds[1], kinds[2], kinds[3], kinds[4], kinds[5]);
	for (i = 0; i < rep.nskips; i++)
		skipped_dep += !strcmp(rep.skips[i].reason, "deprecated");
	ok(skipped_dep > 70, "deprecated operations are left out by default, reason \"deprecated\" (%zu)", skipped_dep);
	for (i = 0; i < rep.nskips; i++)
		if (!rep.skips[i].reason[0] || !rep.skips[i].what[0])
			break;
	ok(i == rep.nskips, "every skip has a reason and names its operation");
	{
		const struct tool *z = catalog_find(&cat, "list_all_cloudflare_zones");
		ok(z && !z->generated, "the curated list_all_cloudflare_zones stays, not a generated one");
	}
	/* with deprecated operations: more tools, and no other name changes */
	if (ok(load(&cat2, SPEC, 1, &rep2, err, sizeof(err)) == 0, "CFMCP_OPENAPI_DEPRECATED=1 loads")) {
		size_t missing = 0;
		ok(cat2.ntools > cat.ntools, "including deprecated operations adds tools (%zu > %zu)", cat2.ntools, cat.ntools);
		for (i = 0; i < cat.ntools; i++)
			missing += !catalog_find(&cat2, cat.tools[i].name);
		ok(!missing, "and every other tool keeps its name (%zu changed)", missing);
		openapi_report_free(&rep2);
		catalog_free(&cat2);
	}
	openapi_report_free(&rep);
	catalog_free(&cat);
}

/* A small spec: components, then the paths given. */
static char *fragment(const char *paths)
{
	static const char head[] = "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"t\",\"version\":\"1\"},"
		"\"components\":{\"schemas\":{\"id\":{\"type\":\"string\",\"maxLength\":32,\"example\":\"x\"},"
		"\"thing\":{\"type\":\"object\",\"required\":[\"name\",\"id\"],\"properties\":{"
		"\"id\":{\"$ref\":\"#/components/schemas/id\",\"readOnly\":true},"
		"\"name\":{\"type\":\"string\",\"nullable\":true,\"example\":\"n\"},"
		"\"ttl\":{\"type\":\"integer\",\"minimum\":1,\"exclusiveMinimum\":true},"
		"\"mode\":{\"oneOf\":[{\"type\":\"string\",\"format\":\"uuid\"},{\"type\":\"integer\"}]},"
		"\"deep\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"object\","
		"\"properties\":{\"c\":{\"type\":\"object\",\"properties\":{\"d\":{\"type\":\"object\",\"properties\":{\"e\":"
		"{\"type\":\"object\",\"properties\":{\"f\":{\"type\":\"object\",\"properties\":{\"g\":{\"type\":\"string\"}}}}}}}}}}}}}}}"
		"}}}},\"paths\":{";
	size_t n = strlen(head) + strlen(paths) + 3;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s}}", head, paths);
	return s;
}

#define P_ZFOO "\"/zones/{zone_id}/foo\":{\"get\":{\"summary\":\"List foos\",\"parameters\":[" \
	"{\"in\":\"path\",\"name\":\"zone_id\",\"required\":true,\"schema\":{\"$ref\":\"#/components/schemas/id\"}}," \
	"{\"in\":\"query\",\"name\":\"page\",\"schema\":{\"type\":\"number\"}}," \
	"{\"in\":\"query\",\"name\":\"per_page\",\"schema\":{\"type\":\"number\",\"default\":25,\"maximum\":100}}]}}"
#define P_AFOO "\"/accounts/{account_id}/foo\":{\"get\":{\"summary\":\"List foos\",\"parameters\":[" \
	"{\"in\":\"path\",\"name\":\"account_id\",\"required\":true,\"schema\":{\"type\":\"string\"}}]}," \
	"\"post\":{\"summary\":\"Create a foo\",\"requestBody\":{\"required\":true,\"content\":{\"application/json\":" \
	"{\"schema\":{\"$ref\":\"#/components/schemas/thing\"}}}}}}"
#define P_ABAR "\"/accounts/{account_id}/bar/{bar_id}\":{\"put\":{\"summary\":\"Update bar\"}," \
	"\"patch\":{\"summary\":\"Edit bar\"},\"delete\":{\"summary\":\"Delete bar\",\"deprecated\":true}," \
	"\"post\":{\"summary\":\"Upload bar\",\"requestBody\":{\"content\":{\"multipart/form-data\":{}}}}}"
#define P_DEX "\"/accounts/{account_id}/dex\":{\"get\":{\"summary\":\"List dex\",\"parameters\":[" \
	"{\"in\":\"query\",\"name\":\"page\",\"required\":true,\"schema\":{\"type\":\"number\"}}," \
	"{\"in\":\"query\",\"name\":\"per_page\",\"required\":true,\"schema\":{\"type\":\"number\"}}," \
	"{\"in\":\"query\",\"name\":\"name\",\"schema\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9\\\\-_]+$\"}}]}}"
#define P_ZONE "\"/zones/{identifier}\":{\"get\":{\"summary\":\"Zone details\"}}"
#define P_BAZ "\"/user/baz\":{\"post\":{\"summary\":\"Purge the baz\"}}"

/* Names of the generated tools of cat, sorted, joined by ' '. */
static void names_of(const struct catalog *cat, char *out, size_t outsz)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < cat->ntools; i++)
		if (cat->tools[i].generated && o + strlen(cat->tools[i].name) + 2 < outsz)
			o += (size_t)snprintf(out + o, outsz - o, "%s ", cat->tools[i].name);
}

static void test_naming_rule(void)
{
	struct catalog a, b, c;
	struct openapi_report rep;
	char err[1024], na[2048], nb[2048], nc[2048];
	char *s1 = fragment(P_ZFOO "," P_AFOO "," P_ABAR "," P_ZONE "," P_BAZ "," P_DEX);
	char *s2 = fragment(P_DEX "," P_BAZ "," P_ZONE "," P_ABAR "," P_AFOO "," P_ZFOO);
	char *s3 = fragment(P_ZFOO "," P_AFOO "," P_ABAR "," P_ZONE);
	int ra, rb, rc;

	ra = load(&a, write_spec("a.json", s1), 0, &rep, err, sizeof(err));
	ok(ra == 0, "a fragment loads (%s)", ra ? err : "ok");
	if (ra == 0) {
		const struct tool *t;
		ok(rep.replaced == 1, "GET /zones/{identifier} is replaced by the curated GET /zones/{zone_id}");
		ok(catalog_find(&a, "list_all_cloudflare_zone_foo") && catalog_find(&a, "list_all_cloudflare_account_foo"),
			"two lists named foo under zones and accounts both take their root (the collision level)");
		ok(catalog_find(&a, "update_a_cloudflare_account_bar_put_by_id") &&
		   catalog_find(&a, "update_a_cloudflare_account_bar_patch_by_id"),
			"PUT and PATCH of one path go up the levels to their method (root, then method)");
		ok(catalog_find(&a, "create_a_cloudflare_foo") != NULL, "POST \"Create a foo\" is create_a_cloudflare_foo");
		ok(catalog_find(&a, "purge_cloudflare_user_baz") != NULL, "POST /user/baz \"Purge the baz\" is custom: purge_cloudflare_user_baz");
		ok(!by_route(&a, "DELETE", "/accounts/{account_id}/bar/{bar_id}"), "a deprecated operation is left out");
		ok(!by_route(&a, "POST", "/accounts/{account_id}/bar/{bar_id}"), "a multipart body is left out");
		{
			size_t i, mp = 0;
			for (i = 0; i < rep.nskips; i++)
				mp += !strcmp(rep.skips[i].reason, "multipart/form-data body (not JSON)");
			ok(mp == 1, "... with the reason \"multipart/form-data body (not JSON)\"");
		}
		t = catalog_find(&a, "list_all_cloudflare_dex");
		if (ok(t != NULL, "the dex list exists")) {
			const cJSON *props = cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties");
			const cJSON *req = cJSON_GetObjectItemCaseSensitive(t->input_schema, "required"), *r;
			const cJSON *pat = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(props, "name"), "pattern");
			int missing = 0;
			cJSON_ArrayForEach(r, req)
				missing += !cJSON_GetObjectItemCaseSensitive(props, r->valuestring);
			ok(t->paging == PAGE_NONE && !missing && cJSON_GetObjectItemCaseSensitive(props, "page"),
				"bug_required_page_param: page/per_page the spec requires are plain arguments, "
				"every required name is a property (%d missing)", missing);
			ok(cJSON_IsString(pat) && !strcmp(pat->valuestring, "^[a-z0-9_-]+$"),
				"bug_pattern_bracket_escape: [a-z0-9\\-_] is kept as the POSIX [a-z0-9_-] (%s)",
				cJSON_IsString(pat) ? pat->valuestring : "dropped");
		}
		t = catalog_find(&a, "list_all_cloudflare_zone_foo");
		ok(t && t->paging == PAGE_PAGE && t->page_default == 25 && t->page_max == 100,
			"paging from the spec's page/per_page (default 25, max 100)");
		if (t) {
			const cJSON *z = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties"), "zone_id");
			const cJSON *pat = cJSON_GetObjectItemCaseSensitive(z, "pattern");
			ok(cJSON_IsString(pat) && !strcmp(pat->valuestring, ZONE_ID_OR_NAME),
				"a zone id also takes a zone name");
		}
		t = catalog_find(&a, "create_a_cloudflare_foo");
		if (ok(t != NULL, "the create tool exists")) {
			const cJSON *props = cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties");
			const cJSON *body = cJSON_GetObjectItemCaseSensitive(props, "body");
			const cJSON *bp = cJSON_GetObjectItemCaseSensitive(body, "properties");
			const cJSON *req = cJSON_GetObjectItemCaseSensitive(body, "required");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(bp, "name");
			const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(bp, "ttl");
			char *txt = cJSON_PrintUnformatted(t->input_schema);
			ok(!cJSON_GetObjectItemCaseSensitive(props, "account_id"), "account_id is hidden (the token's account)");
			ok(!cJSON_GetObjectItemCaseSensitive(bp, "id"), "bug_readonly_beside_ref: a readOnly property (readOnly beside its $ref) is not in the body");
			ok(cJSON_GetArraySize(req) == 1 && !strcmp(req->child->valuestring, "name"),
				"... nor in its required list");
			ok(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(name, "type")), "nullable becomes a type list with null");
			ok(cJSON_GetObjectItemCaseSensitive(ttl, "exclusiveMinimum") &&
			   !cJSON_GetObjectItemCaseSensitive(ttl, "minimum"), "exclusiveMinimum: true becomes the 2020-12 number");
			ok(txt && !strstr(txt, "\"example\"") && !strstr(txt, "$ref") && !strstr(txt, "x-hidden"),
				"no example, $ref or x-* key reaches the client");
			ok(txt && strstr(txt, "describe_cloudflare_operation"), "a deep body is collapsed with a note");
			cJSON_free(txt);
			{
				struct plan p;
				char why[300];
				cJSON *args = cJSON_Parse("{\"body\":{\"name\":\"n\",\"mode\":\"f174e90a-fafe-4643-bbbc-4a0ed4fc8415\"}}");
				struct plan_ctx ctx = { ACCT, NULL, NULL };
				int r;
				plan_init(&p);
				r = plan_build(t, args, &ctx, &p, why, sizeof(why));
				ok(r == 0 && !strcmp(p.path.p, "/accounts/" ACCT "/foo"), "the token's account fills the hidden id (%s)",
					r ? why : p.path.p);
				plan_free(&p);
				cJSON_Delete(args);
				args = cJSON_Parse("{\"body\":{\"name\":\"n\",\"mode\":\"not-a-uuid\"}}");
				plan_init(&p);
				ok(plan_build(t, args, &ctx, &p, why, sizeof(why)) == -1, "oneOf with a format is exact (%s)", why);
				plan_free(&p);
				cJSON_Delete(args);
				args = cJSON_Parse("{\"account_id\":\"" ACCT "\",\"body\":{\"name\":\"n\"}}");
				plan_init(&p);
				ok(plan_build(t, args, &ctx, &p, why, sizeof(why)) == -1 && strstr(why, "unknown argument"),
					"the hidden account id cannot be given (%s)", why);
				plan_free(&p);
				cJSON_Delete(args);
			}
		}
		names_of(&a, na, sizeof(na));
	}
	rb = load(&b, write_spec("b.json", s2), 0, NULL, err, sizeof(err));
	if (rb == 0) {
		names_of(&b, nb, sizeof(nb));
		ok(ra == 0 && !strcmp(na, nb), "the same operations in the opposite order give the same names");
		catalog_free(&b);
	}
	rc = load(&c, write_spec("c.json", s3), 0, NULL, err, sizeof(err));
	if (rc == 0) {
		names_of(&c, nc, sizeof(nc));
		ok(ra == 0 && !strcmp(nc, "create_a_cloudflare_foo list_all_cloudflare_account_foo list_all_cloudflare_zone_foo "
			"update_a_cloudflare_account_bar_patch_by_id update_a_cloudflare_account_bar_put_by_id "),
			"removing an unrelated operation changes no other name (%s)", nc);
		catalog_free(&c);
	}
	if (ra == 0) {
		openapi_report_free(&rep);
		catalog_free(&a);
	}
	free(s1);
	free(s2);
	free(s3);
}

static void test_broken_spec(void)
{
	struct catalog cat;
	char err[1024];
	char *s = fragment(P_ZFOO "," P_AFOO);
	const char *path;
	int r;

	/* cut inside the second path item's post operation */
	s[strstr(s, "\"post\"") - s + 30] = '\0';
	path = write_spec("truncated.json", s);
	r = load(&cat, path, 0, NULL, err, sizeof(err));
	ok(r == -1 && strstr(err, "truncated.json") && strstr(err, "/paths/~1accounts~1{account_id}~1foo/post"),
		"a truncated spec is refused naming the file and the JSON pointer (%s)", err);
	ok(strstr(err, "ends early") != NULL, "bug_truncated_spec_message: ... and says the file ends early (%s)", err);
	path = write_spec("notopenapi.json", "{\"swagger\":\"2.0\",\"paths\":{}}");
	r = load(&cat, path, 0, NULL, err, sizeof(err));
	ok(r == -1 && strstr(err, "notopenapi.json: /openapi:"), "a spec that is not OpenAPI 3 is refused (%s)", err);
	path = write_spec("badpath.json", "{\"openapi\":\"3.0.3\",\"paths\":{\"/x\":[1]}}");
	r = load(&cat, path, 0, NULL, err, sizeof(err));
	ok(r == -1 && strstr(err, "badpath.json: /paths/~1x:"), "a malformed path item is named (%s)", err);
	r = load(&cat, "/nonexistent/openapi.json", 0, NULL, err, sizeof(err));
	ok(r == -1 && strstr(err, "/nonexistent/openapi.json: cannot read"), "a missing file is named (%s)", err);
	free(s);
}

/* The hostile-argument list over generated tools of every class: dot
 * segments, encoded dots, slashes, controls, unknown keys, wrong types,
 * oversize values. Nothing may change the path's segments, and each is
 * refused or encoded. */
static void test_hostile_args(void)
{
	static const char *const hostile[] = {
		"\"..\"", "\".\"", "\"%2e%2e\"", "\"a/../../zones\"", "\"a?b=c#d\"", "\"line\\nbreak\"",
		"\"\\u0001\"", "123", "true", "[\"a\"]", "{\"a\":1}", "null",
	};
	struct catalog cat;
	char err[1024];
	size_t i, k, tried = 0, broke = 0, classes[6] = { 0 };

	if (load(&cat, SPEC, 0, NULL, err, sizeof(err)) < 0) {
		ok(0, "the vendored spec loads (%s)", err);
		return;
	}
	for (i = 0; i < cat.ntools; i++) {
		const struct tool *t = &cat.tools[i];
		const cJSON *pp;
		char base[64];
		if (!t->generated || classes[t->kind] >= 8 || !t->path_params)
			continue;
		classes[t->kind]++;
		/* every path parameter but a hidden one gets each hostile value */
		cJSON_ArrayForEach(pp, t->path_params) {
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pp, "x-hidden")))
				continue;
			for (k = 0; k < CFMCP_NELEM(hostile); k++) {
				char json[512], why[300];
				cJSON *args;
				struct plan p;
				struct plan_ctx ctx = { ACCT, NULL, NULL };
				int r;
				snprintf(json, sizeof(json), "{\"%s\":%s}", pp->string, hostile[k]);
				args = cJSON_Parse(json);
				plan_init(&p);
				r = plan_build(t, args, &ctx, &p, why, sizeof(why));
				tried++;
				if (r == 0 && (strstr(p.path.p, "/../") || strstr(p.path.p, "/./") || strchr(p.path.p, '?') ||
				    strchr(p.path.p, '#') || strchr(p.path.p, '\n') || p.path.p[0] != '/'))
					broke++;
				plan_free(&p);
				cJSON_Delete(args);
			}
		}
		/* unknown argument and a non-object */
		{
			char why[300];
			struct plan p;
			cJSON *args = cJSON_Parse("{\"no_such_argument\":1}");
			struct plan_ctx ctx = { ACCT, NULL, NULL };
			plan_init(&p);
			if (plan_build(t, args, &ctx, &p, why, sizeof(why)) == 0)
				broke++;
			plan_free(&p);
			cJSON_Delete(args);
			args = cJSON_Parse("[1]");
			plan_init(&p);
			if (plan_build(t, args, &ctx, &p, why, sizeof(why)) == 0)
				broke++;
			plan_free(&p);
			cJSON_Delete(args);
			snprintf(base, sizeof(base), "%s", t->name);
		}
	}
	ok(classes[TOOL_LIST] && classes[TOOL_GET] && classes[TOOL_CREATE] && classes[TOOL_UPDATE] &&
	   classes[TOOL_DELETE] && classes[TOOL_CUSTOM], "hostile arguments tried on generated tools of every class");
	ok(tried > 300 && broke == 0, "no hostile value changed a path's segments, and unknown or non-object "
		"arguments were refused (%zu tried, %zu got through)", tried, broke);
	catalog_free(&cat);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cfmcp-openapi-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP cannot make a temporary directory\n");
		return 0;
	}
	test_full_spec();
	test_naming_rule();
	test_broken_spec();
	test_hostile_args();
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	schema_patterns_free();
	return done_testing();
}
