/*
 * fuzz_args.c - libFuzzer target for the argument validator (args_plan):
 * the first byte picks a tool, the rest is its arguments as JSON. Checked
 * beyond "no crash": a plan that validates has a path that starts with
 * '/', holds no "..", no '?' or '#', and no control character, and a query
 * with no control character (hostile values cannot change the request's shape).
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../common/args.h"
#include "fuzz_env.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_env *env = fuzz_env();
	const struct tool *t;
	struct args_ctx ctx = { "0123456789abcdef0123456789abcdef", resolve, NULL };
	struct plan p;
	cJSON *args;
	char why[512];
	int rc;

	if (size < 1)
		return 0;
	t = &env->cat->tools[data[0] % env->cat->ntools];
	args = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	plan_init(&p);
	rc = args_plan(t, cJSON_IsObject(args) ? args : NULL, &ctx, &p, why, sizeof(why));
	if (rc == 0) {
		const char *path = p.path.p ? p.path.p : "";
		if (path[0] != '/' || strstr(path, "..") || strchr(path, '?') || strchr(path, '#') ||
		    !clean(path, p.path.len) || (p.query.p && !clean(p.query.p, p.query.len)))
			abort();
	}
	plan_free(&p);
	cJSON_Delete(args);
	return 0;
}
