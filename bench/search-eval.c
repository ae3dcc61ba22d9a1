/*
 * search-eval.c - how well and how fast discovery search finds the
 * operation a person asks for (issue 12): runs bench/discovery-tasks.json
 * through the same index the worker builds (common/search.c) and prints
 * recall@1, recall@5, MRR, and the query time p50/p99 (make bench).
 *
 *   search-eval TASKS.json SCHEMAS_DIR [OPENAPI.json]
 *
 * The index is the worker's: the curated tools of SCHEMAS_DIR plus the
 * OpenAPI import of OPENAPI.json (openapi.c), indexed by
 * search_build_catalog.
 * A task counts as found at rank r when the r-th hit has one of its
 * expected (method, path template) pairs; parameter names are ignored.
 */
#include "../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "../common/catalog.h"
#include "../common/openapi.h"
#include "../common/search.h"
#include "../common/xalloc.h"

#define REPEAT 200

struct op {
	char http[8];
	char path[512]; /* parameters normalized to {} */
};

static void norm_path(const char *in, char *out, size_t outsz)
{
	size_t k = 0;

	while (*in && k + 3 < outsz) {
		if (*in == '{') {
			while (*in && *in != '}')
				in++;
			if (*in)
				in++;
			out[k++] = '{';
			out[k++] = '}';
			continue;
		}
		out[k++] = *in++;
	}
	out[k] = '\0';
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)sz + 1);
		if (p && fread(p, 1, (size_t)sz, f) == (size_t)sz) {
			p[sz] = '\0';
			*n = (size_t)sz;
		} else {
			free(p);
			p = NULL;
		}
	}
	fclose(f);
	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/*
 * The baseline: what a search without an index would do - for every
 * tool, count the query's words (3+ letters, lower-cased) found as
 * substrings of its rendered Tool JSON (name, title, description, schema),
 * best count first. Times one query; fills rank 1..n into h.
 */
static int baseline(const struct catalog *cat, const char *q, struct search_hit *h, int max)
{
	char words[16][32], low[64 * 1024];
	int nw = 0, nh = 0, k;
	size_t i, j;
	const char *p = q;

	while (*p && nw < 16) {
		size_t n = 0;
		while (*p && !((*p | 32) >= 'a' && (*p | 32) <= 'z'))
			p++;
		while (*p && (((*p | 32) >= 'a' && (*p | 32) <= 'z') || (*p >= '0' && *p <= '9'))) {
			if (n < 31)
				words[nw][n++] = (char)(*p | 32);
			p++;
		}
		words[nw][n] = '\0';
		if (n >= 3)
			nw++;
	}
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		size_t n = t->json_len < sizeof(low) - 1 ? t->json_len : sizeof(low) - 1;
		double sc = 0;
		for (j = 0; j < n; j++)
			low[j] = (char)(t->json[j] >= 'A' && t->json[j] <= 'Z' ? t->json[j] | 32 : t->json[j]);
		low[n] = '\0';
		for (k = 0; k < nw; k++)
			if (strstr(low, words[k]))
				sc += 1;
		if (sc <= 0 || (nh == max && sc <= h[nh - 1].score))
			continue;
		k = nh < max ? nh++ : nh - 1;
		while (k > 0 && h[k - 1].score < sc) {
			h[k] = h[k - 1];
			k--;
		}
		h[k].doc = i;
		h[k].score = sc;
	}
	return nh;
}

int main(int argc, char **argv)
{
	struct catalog cat;
	char err[512];
	size_t n, i;
	char *txt;
	cJSON *tasks = NULL;
	struct op *ops;
	struct search_index *ix;
	const cJSON *task;
	int ntask = 0, r1 = 0, r5 = 0, absent = 0, b5 = 0;
	double *btimes;
	size_t nbt = 0;
	double mrr = 0, *times;
	size_t nt = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: search-eval TASKS.json SCHEMAS_DIR [OPENAPI.json]\n");
		return 2;
	}
	xalloc_init();
	if (catalog_load(&cat, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "search-eval: %s\n", err);
		return 1;
	}
	if (argc > 3 && argv[3][0]) {
		struct openapi_opts o = { 0 };
		if (openapi_load(&cat, argv[3], &o, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "search-eval: %s\n", err);
			return 1;
		}
	}
	txt = slurp(argv[1], &n);
	tasks = txt ? cJSON_Parse(txt) : NULL;
	free(txt);
	if (!tasks) {
		fprintf(stderr, "search-eval: cannot read %s\n", argv[1]);
		return 1;
	}
	ops = calloc(cat.ntools + 1, sizeof(*ops));
	if (!ops)
		return 1;
	for (i = 0; i < cat.ntools; i++) {
		snprintf(ops[i].http, sizeof(ops[i].http), "%s", cat.tools[i].http);
		norm_path(cat.tools[i].path, ops[i].path, sizeof(ops[i].path));
	}
	{
		double t0 = now_us();
		ix = search_build_catalog(&cat);
		printf("search-eval: %zu tools in the catalogue (%s), index built in %.1f ms\n", cat.ntools,
			argc > 3 && argv[3][0] ? "curated + OpenAPI import" : "curated only", (now_us() - t0) / 1000);
	}
	if (!ix)
		return 1;
	times = calloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(tasks, "tasks")) * REPEAT + 1, sizeof(double));
	btimes = calloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(tasks, "tasks")) * 5 + 1, sizeof(double));
	cJSON_ArrayForEach(task, cJSON_GetObjectItem(tasks, "tasks")) {
		const char *q = cJSON_GetObjectItem(task, "q")->valuestring;
		{
			struct search_hit bh[5];
			int bn = 0, rep, k2;
			const cJSON *e;
			for (rep = 0; rep < 5; rep++) {
				double t0 = now_us();
				bn = baseline(&cat, q, bh, 5);
				btimes[nbt++] = now_us() - t0;
			}
			for (k2 = 0; k2 < bn; k2++) {
				int hit = 0;
				cJSON_ArrayForEach(e, cJSON_GetObjectItem(task, "ops")) {
					char np[512];
					norm_path(cJSON_GetArrayItem(e, 1)->valuestring, np, sizeof(np));
					if (!strcmp(ops[bh[k2].doc].http, cJSON_GetArrayItem(e, 0)->valuestring) &&
					    !strcmp(ops[bh[k2].doc].path, np))
						hit = 1;
				}
				if (hit) {
					b5++;
					break;
				}
			}
		}
		struct search_hit h[SEARCH_MAX_RESULTS];
		int nh = search_query(ix, q, strlen(q), NULL, NULL, h, 10), rank = 0, k, rep;
		for (rep = 0; rep < REPEAT; rep++) {
			double t0 = now_us();
			if (search_query(ix, q, strlen(q), NULL, NULL, h, 10) != nh)
				return 1;
			times[nt++] = now_us() - t0;
		}
		for (k = 0; k < nh && !rank; k++) {
			const cJSON *e;
			cJSON_ArrayForEach(e, cJSON_GetObjectItem(task, "ops")) {
				char np[512];
				norm_path(cJSON_GetArrayItem(e, 1)->valuestring, np, sizeof(np));
				if (!strcmp(ops[h[k].doc].http, cJSON_GetArrayItem(e, 0)->valuestring) &&
				    !strcmp(ops[h[k].doc].path, np))
					rank = k + 1;
			}
		}
		{
			/* is any expected operation in the catalogue at all? */
			const cJSON *e;
			size_t z;
			int present = 0;
			cJSON_ArrayForEach(e, cJSON_GetObjectItem(task, "ops")) {
				char np[512];
				norm_path(cJSON_GetArrayItem(e, 1)->valuestring, np, sizeof(np));
				for (z = 0; z < cat.ntools; z++)
					if (!strcmp(ops[z].http, cJSON_GetArrayItem(e, 0)->valuestring) && !strcmp(ops[z].path, np))
						present = 1;
			}
			if (!present) {
				absent++;
				printf("  absent: %s (no expected operation is in the catalogue)\n", q);
			}
		}
		ntask++;
		r1 += rank == 1;
		r5 += rank >= 1 && rank <= 5;
		mrr += rank ? 1.0 / rank : 0;
		if (rank != 1 || getenv("SEARCH_EVAL_VERBOSE"))
			printf("  %-4s %-60s top: %s %s\n", rank ? (rank <= 5 ? "r<=5" : "r>5") : "miss", q,
				nh ? ops[h[0].doc].http : "-", nh ? ops[h[0].doc].path : "-");
		if (rank != 1 && getenv("SEARCH_EVAL_DEBUG"))
			for (k = 0; k < nh && k < 5; k++)
				printf("        %.2f %s %s | %s\n", h[k].score, ops[h[k].doc].http, ops[h[k].doc].path,
					search_title(ix, h[k].doc));
	}
	qsort(times, nt, sizeof(double), cmp_double);
	printf("search-eval: %d tasks: recall@1 %.3f, recall@5 %.3f, MRR %.3f (goal recall@5 >= 0.9)\n", ntask,
		(double)r1 / ntask, (double)r5 / ntask, mrr / ntask);
	if (absent)
		printf("search-eval: %d task(s) ask for operations the catalogue does not have (counted as misses); "
		       "over the other %d: recall@5 %.3f\n", absent, ntask - absent, (double)r5 / (ntask - absent));
	qsort(btimes, nbt, sizeof(double), cmp_double);
	printf("search-eval: baseline (substring scan of every tool's JSON, no index): recall@5 %.3f, "
	       "p50 %.1f us per query\n", (double)b5 / ntask, btimes[nbt / 2]);
	free(btimes);
	printf("search-eval: query time over %zu runs: p50 %.1f us, p99 %.1f us (goal p50 <= 1000 us)\n", nt,
		times[nt / 2], times[nt * 99 / 100]);
	search_free(ix);
	catalog_free(&cat);
	cJSON_Delete(tasks);
	free(times);
	free(ops);
	return 0;
}
