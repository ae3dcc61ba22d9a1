/*
 * fuzz_args.c - libFuzzer target for the argument validator (plan_build):
 * the first byte picks a tool, the rest is its arguments as JSON. Checked
 * beyond "no crash": a plan that validates has a path that starts with
 * '/', holds no '?' or '#', no control character, and no segment that is
 * "." or ".." or decodes (one %XX decoding) to one; a query with no
 * control character; and a request target within CAP_URL_TARGET (hostile
 * values cannot change the request's shape or outgrow the URL).
 *
 * First byte 0x00-0xef: a tool of the real catalogue (byte % tools), which
 * must also keep ".." out of the path altogether (its path parameters all
 * have patterns). 0xf0-0xff: a tool of a small built-in catalogue whose
 * path parameters have no pattern at all (what the OpenAPI import will
 * bring), so only plan.c's own rules keep dot segments out.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../common/caps.h"
#include "../../common/plan.h"
#include "fuzz_env.h"

#define EXTRA_FIRST 0xf0

static const char EXTRA_DOC[] =
	"{\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"account\",\"tags\":[\"test\"],"
	"\"methods\":{"
	"\"get\":{\"http\":\"GET\",\"path\":\"/accounts/{account_id}/widgets/{widget_id}\","
	"\"title\":\"Get a widget\",\"description\":\"Get one widget; no path parameter has a pattern.\","
	"\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true},"
	"\"widget_id\":{\"type\":\"string\"}}},"
	"\"list\":{\"http\":\"GET\",\"path\":\"/zones/{zone_id}/widgets\","
	"\"title\":\"List widgets\",\"description\":\"List a zone's widgets; the zone has no pattern of its own.\","
	"\"path_params\":{\"zone_id\":{\"type\":\"string\",\"x-zone-name\":true}},"
	"\"query\":{\"name\":{\"type\":\"string\"},\"tag\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
	"\"pagination\":{\"style\":\"cursor\",\"default\":20,\"max\":50,\"size_param\":\"per_page\",\"cursor_param\":\"cursor\"}},"
	"\"update\":{\"http\":\"PUT\",\"path\":\"/accounts/{account_id}/kv/{namespace_id}/values/{key_name}\","
	"\"title\":\"Write a value\",\"description\":\"Write a value under a key; free-text path parameters.\","
	"\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true},"
	"\"namespace_id\":{\"type\":[\"string\",\"integer\"]},\"key_name\":{\"type\":\"string\",\"maxLength\":512}},"
	"\"body\":{\"type\":\"object\"}}}}";

static const struct catalog *extra(void)
{
	static struct catalog cat;
	static int ready;
	char dir[] = "/tmp/cfmcp-fuzz-schemas-XXXXXX", file[64], err[512];
	FILE *f;

	if (ready)
		return &cat;
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/widgets.json", dir);
	if (!(f = fopen(file, "w")) || fputs(EXTRA_DOC, f) < 0 || fclose(f))
		abort();
	if (catalog_load(&cat, dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: extra catalog: %s\n", err);
		abort();
	}
	unlink(file);
	rmdir(dir);
	ready = 1;
	return &cat;
}

static int resolve(void *ud, const char *name, char out[33], char *why, size_t whysz)
{
	(void)ud;
	(void)why;
	(void)whysz;
	if (strlen(name) & 1)
		return -1;
	memcpy(out, "0123456789abcdef0123456789abcdef", 33);
	return 0;
}

static int clean(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* 1 when some '/'-separated segment of path is "." or "..", as is or
 * once percent-decoded (what a server or proxy resolving it would see). */
static int dot_segment(const char *path, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = 0; /* dots so far in this segment */
		int dots = 1;
		for (; i < n && path[i] != '/'; i++) {
			char c = path[i];
			if (c == '%' && i + 2 < n && hexval(path[i + 1]) >= 0 && hexval(path[i + 2]) >= 0) {
				c = (char)(hexval(path[i + 1]) * 16 + hexval(path[i + 2]));
				i += 2;
			}
			if (c != '.' || k == 2)
				dots = 0;
			else
				k++;
		}
		if (dots && k > 0)
			return 1;
		i++; /* the '/' */
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_env *env = fuzz_env();
	const struct catalog *ex = extra();
	const struct tool *t;
	struct plan_ctx ctx = { "0123456789abcdef0123456789abcdef", resolve, NULL };
	struct plan p;
	cJSON *args;
	char why[512];
	int rc, patterned;

	if (size < 1)
		return 0;
	patterned = data[0] < EXTRA_FIRST;
	if (patterned)
		t = &env->cat->tools[data[0] % env->cat->ntools];
	else
		t = &ex->tools[(data[0] - EXTRA_FIRST) % ex->ntools];
	args = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	plan_init(&p);
	rc = plan_build(t, cJSON_IsObject(args) ? args : NULL, &ctx, &p, why, sizeof(why));
	if (rc == 0) {
		const char *path = p.path.p ? p.path.p : "";
		if (path[0] != '/' || (patterned && strstr(path, "..")) || dot_segment(path, p.path.len) ||
		    strchr(path, '?') || strchr(path, '#') || !clean(path, p.path.len) ||
		    (p.query.p && !clean(p.query.p, p.query.len)) || plan_target_len(&p) > CAP_URL_TARGET)
			abort();
	}
	plan_free(&p);
	cJSON_Delete(args);
	return 0;
}
