/* record.c - names of a record's enums, as the audit trail and the
 * metrics labels show them; record text and the canonical arguments'
 * hash (record.h). */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "record.h"
#include "xalloc.h"

const char *record_outcome_name(enum record_outcome o)
{
	static const char *const n[OUTCOME_COUNT] = { "ok", "tool_error", "refused", "invalid",
		"rate_limited", "upstream_error" };

	return (unsigned)o < OUTCOME_COUNT ? n[o] : "unknown";
}

const char *record_class_name(enum record_class c)
{
	static const char *const n[CLASS_COUNT] = { "read", "write", "custom" };

	return (unsigned)c < CLASS_COUNT ? n[c] : "unknown";
}

void record_text(char *dst, size_t dstsz, const char *src)
{
	size_t i = 0;

	if (!dstsz)
		return;
	for (; src && src[i] && i + 1 < dstsz; i++)
		dst[i] = (unsigned char)src[i] >= 0x20 && (unsigned char)src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static int by_key(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* Sort every object's members by key, at every depth (a copy we own).
 * cJSON keeps children as a list whose head's prev is the tail. 0 or -1. */
static int sort_keys(cJSON *v)
{
	cJSON *it, **a = NULL;
	size_t n = 0, i;

	cJSON_ArrayForEach(it, v) {
		if (sort_keys(it) < 0)
			return -1;
		n++;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return 0;
	a = xmalloc(n * sizeof(*a));
	if (!a)
		return -1;
	i = 0;
	cJSON_ArrayForEach(it, v)
		a[i++] = it;
	qsort(a, n, sizeof(*a), by_key);
	for (i = 0; i < n; i++) {
		a[i]->prev = i ? a[i - 1] : a[n - 1];
		a[i]->next = i + 1 < n ? a[i + 1] : NULL;
	}
	v->child = a[0];
	xfree(a);
	return 0;
}

int record_args_sha256(const cJSON *args, char out[65])
{
	cJSON *copy = args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject();
	char *text = NULL;
	int rc = -1;

	out[0] = '\0';
	if (!copy || sort_keys(copy) < 0 || !(text = cJSON_PrintUnformatted(copy)))
		goto out;
	rc = crypto_sha256_hex(text, strlen(text), out) ? -1 : 0;
	if (rc)
		out[0] = '\0';
out:
	cJSON_free(text);
	cJSON_Delete(copy);
	return rc;
}
