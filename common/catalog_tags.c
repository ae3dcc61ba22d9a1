/*
 * catalog_tags.c - tag counts over the loaded catalogue (catalog_tags.h).
 * Computed per call from the tools (a few thousand pointers sorted once):
 * cheap next to a management request's Redis read, and always the
 * catalogue the worker serves now, reloads included.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include "catalog_tags.h"
#include "json.h"
#include "xalloc.h"

/* One (tag, tool) pair; sorted by tag to count each tag's run. */
struct pair {
	const char *tag;
	enum tool_kind kind;
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->tag, ((const struct pair *)b)->tag);
}

/* The scope classes (scope.c: "read" is list + get, "write" is create +
 * update + delete, "custom" the rest): 0 read, 1 write, 2 custom. */
static int class_of(enum tool_kind k)
{
	switch (k) {
	case TOOL_LIST:
	case TOOL_GET:
		return 0;
	case TOOL_CREATE:
	case TOOL_UPDATE:
	case TOOL_DELETE:
		return 1;
	default:
		return 2;
	}
}

cJSON *catalog_tags_json(const struct catalog *cat)
{
	struct pair *v = NULL;
	size_t n = 0, cap = 0, i, j, k;
	cJSON *o = NULL, *arr = NULL, *result = NULL;

	for (i = 0; i < cat->ntools; i++)
		for (k = 0; cat->tools[i].tags && cat->tools[i].tags[k]; k++)
			cap++;
	v = xmalloc((cap ? cap : 1) * sizeof(*v));
	if (!v)
		goto out;
	for (i = 0; i < cat->ntools; i++)
		for (k = 0; cat->tools[i].tags && cat->tools[i].tags[k]; k++) {
			v[n].tag = cat->tools[i].tags[k];
			v[n++].kind = cat->tools[i].kind;
		}
	qsort(v, n, sizeof(*v), cmp_pair);
	/* arr is o's once added (json_add deletes it when that fails):
	 * deleting o frees everything on failure */
	o = cJSON_CreateObject();
	if (!o || json_add(o, "tags", (arr = cJSON_CreateArray())))
		goto out;
	for (i = 0; i < n; i = j) {
		long by[3] = { 0, 0, 0 };
		cJSON *one;
		for (j = i; j < n && !strcmp(v[j].tag, v[i].tag); j++)
			by[class_of(v[j].kind)]++;
		one = cJSON_CreateObject();
		if (json_add(arr, NULL, one) || json_add(one, "tag", cJSON_CreateString(v[i].tag)) ||
		    json_add(one, "tools", cJSON_CreateNumber((double)(j - i))) ||
		    json_add(one, "read", cJSON_CreateNumber((double)by[0])) ||
		    json_add(one, "write", cJSON_CreateNumber((double)by[1])) ||
		    json_add(one, "custom", cJSON_CreateNumber((double)by[2])))
			goto out;
	}
	if (json_add(o, "total", cJSON_CreateNumber((double)cat->ntools)))
		goto out;
	result = o;
	o = NULL;
out:
	cJSON_Delete(o);
	xfree(v);
	return result;
}
