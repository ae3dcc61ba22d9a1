/*
 * xalloc.c - thin wrappers over malloc with a failure-injection hook.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "xalloc.h"

static long fail_countdown; /* 0: off; n: the n-th call fails */
static unsigned long oom_events; /* every NULL we returned, real or injected */

static void *note(void *p)
{
	if (!p)
		oom_events++;
	return p;
}

static int should_fail(void)
{
	if (fail_countdown <= 0)
		return 0;
	return --fail_countdown == 0;
}

void *xmalloc(size_t n)
{
	if (should_fail())
		return note(NULL);
	return note(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t sz)
{
	if (should_fail())
		return note(NULL);
	return note(calloc(n ? n : 1, sz ? sz : 1));
}

void *xrealloc(void *p, size_t n)
{
	if (should_fail())
		return note(NULL);
	return note(realloc(p, n ? n : 1));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void xfree(void *p)
{
	free(p);
}

void xalloc_init(void)
{
	cJSON_Hooks h = { xmalloc, xfree };

	cJSON_InitHooks(&h);
}

void xalloc_fail_after(long n)
{
	fail_countdown = n;
}

unsigned long xalloc_oom_events(void)
{
	return oom_events;
}
