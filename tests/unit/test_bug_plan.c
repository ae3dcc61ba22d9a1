/*
 * test_bug_plan.c - regression tests for the planning and upstream bugs of
 * issue 11 (each named after its bug, each shown failing on the old code):
 *   bug_zone_name_no_pattern  an x-zone-name parameter without "pattern"
 *                             failed to load as "out of memory";
 */
#include "../../common/first.h"

#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/args.h"
#include "../../common/caps.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/router.h"
#include "../../common/upstream.h"
#include "../../common/xalloc.h"
#include "../tap.h"

/* ---- schema documents in a scratch directory ---- */
static int load_doc(struct catalog *cat, const char *json, char *err, size_t errsz)
{
	char dir[] = "/tmp/cfmcp-unit-schemas-XXXXXX", file[64];
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/test.json", dir);
	if (!(f = fopen(file, "w")) || fputs(json, f) < 0 || fclose(f))
		abort();
	rc = catalog_load(cat, dir, err, errsz);
	unlink(file);
	rmdir(dir);
	return rc;
}

/* A zone parameter marked x-zone-name, without a pattern of its own. */
static const char ZONE_NO_PATTERN_DOC[] =
	"{\"resource\":\"thing\",\"plural\":\"things\",\"scope\":\"zone\",\"tags\":[\"test\"],"
	"\"methods\":{\"list\":{\"http\":\"GET\",\"path\":\"/zones/{zone_id}/things\","
	"\"title\":\"List things\",\"description\":\"List the things of a zone, by zone id or domain name.\","
	"\"pagination\":{\"style\":\"none\"},"
	"\"path_params\":{\"zone_id\":{\"type\":\"string\",\"x-zone-name\":true}}}}}";

static int resolve_ok(void *ud, const char *name, char out[33], char *why, size_t whysz)
{
	(void)ud;
	(void)name;
	(void)why;
	(void)whysz;
	memcpy(out, "0123456789abcdef0123456789abcdef", 33);
	return 0;
}

static void test_zone_name_no_pattern(void)
{
	struct catalog c;
	const struct tool *t;
	const cJSON *zs;
	char err[512] = "", why[512];
	int rc = load_doc(&c, ZONE_NO_PATTERN_DOC, err, sizeof(err));

	if (!ok(rc == 0, "bug_zone_name_no_pattern: an x-zone-name parameter without pattern loads (%s)", err))
		return;
	t = catalog_find(&c, "list_all_cloudflare_things");
	zs = t ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties"), "zone_id") : NULL;
	ok(zs && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(zs, "pattern")) &&
	   !strcmp(cJSON_GetObjectItemCaseSensitive(zs, "pattern")->valuestring, ZONE_ID_OR_NAME),
		"bug_zone_name_no_pattern: the model sees the zone id or name pattern");
	if (t) {
		struct args_ctx ctx = { NULL, resolve_ok, NULL };
		struct plan p;
		cJSON *a = cJSON_Parse("{\"zone_id\":\"example.com\"}");
		plan_init(&p);
		rc = args_plan(t, a, &ctx, &p, why, sizeof(why));
		ok(rc == 0 && p.path.p && !strcmp(p.path.p, "/zones/0123456789abcdef0123456789abcdef/things"),
			"bug_zone_name_no_pattern: a domain name is resolved into the path (%s)", rc ? why : p.path.p);
		plan_free(&p);
		cJSON_Delete(a);
		a = cJSON_Parse("{\"zone_id\":\"..\"}");
		plan_init(&p);
		rc = args_plan(t, a, &ctx, &p, why, sizeof(why));
		ok(rc == -1 && strstr(why, "zone_id"), "bug_zone_name_no_pattern: \"..\" is not a zone (%s)", why);
		plan_free(&p);
		cJSON_Delete(a);
	}
	catalog_free(&c);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();

	test_zone_name_no_pattern();

	args_patterns_free();
	return done_testing();
}
