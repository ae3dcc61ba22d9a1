/*
 * fuzz_openapi.c - libFuzzer target for the OpenAPI loader (openapi.c):
 * the input is a spec (any bytes; the corpus holds fragments of the real
 * one and hostile variants: $ref cycles, deep nesting, odd patterns, cut
 * files). Checked beyond "no crash": every tool the import makes has a
 * name of 1-64 characters of [a-z0-9_], names are unique, each tool has a
 * tag, a rendered Tool object that parses, and an inputSchema that refuses
 * unknown arguments; a refused spec leaves the catalogue empty and says
 * why.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../common/catalog.h"
#include "../../common/openapi.h"
#include "fuzz_env.h"

static int name_ok(const char *n)
{
	size_t i, len = strlen(n);

	if (!len || len > 64 || n[0] < 'a' || n[0] > 'z')
		return 0;
	for (i = 0; i < len; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog cat;
	struct openapi_report rep;
	struct openapi_opts opts = { (int)(size & 1) };
	char err[1024];
	size_t i;

	memset(&cat, 0, sizeof(cat));
	err[0] = '\0';
	if (openapi_load_text(&cat, "fuzz.json", (const char *)data, size, &opts, &rep, err, sizeof(err)) < 0) {
		if (cat.ntools || !err[0])
			abort(); /* refused: nothing added, and a reason */
		catalog_free(&cat);
		return 0;
	}
	for (i = 0; i < cat.ntools; i++) {
		const struct tool *t = &cat.tools[i];
		cJSON *j = cJSON_Parse(t->json);
		if (!name_ok(t->name) || (i && !strcmp(cat.tools[i - 1].name, t->name)) || !t->tags || !t->tags[0] ||
		    !j || !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(j, "inputSchema"), "additionalProperties")))
			abort();
		cJSON_Delete(j);
	}
	if (rep.tools != cat.ntools)
		abort();
	openapi_report_free(&rep);
	catalog_free(&cat);
	return 0;
}
