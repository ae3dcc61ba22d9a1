/*
 * search-eval.c - how well and how fast discovery search finds the
 * operation a person asks for (issue 12): runs bench/discovery-tasks.json
 * through the same index the worker builds (common/search.c) and prints
 * recall@1, recall@5, MRR, and the query time p50/p99 (make bench).
 *
 *   search-eval TASKS.json SCHEMAS_DIR [OPENAPI.json]
 *
 * The index is the catalogue's (SCHEMAS_DIR, as the worker loads it).
 * While the catalogue holds only the curated tools (fewer than 500), the
 * spec's non-deprecated operations that no curated tool replaces are
 * added as documents straight from OPENAPI.json (name from operationId,
 * summary, description, tags, method, path) so the figures are over the
 * full API's size and vocabulary; the output says which.
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

static cJSON *g_spec;

/* A copy of node with "#/components/..." $refs replaced by what they
 * name, to depth 10 (the import's schemas, approximately). */
static cJSON *resolve(const cJSON *node, int depth)
{
	const cJSON *ref = cJSON_GetObjectItem(node, "$ref"), *it;
	cJSON *out;

	if (depth > 10)
		return cJSON_CreateObject();
	if (cJSON_IsString(ref) && !strncmp(ref->valuestring, "#/components/", 13)) {
		char buf[512], *seg, *save = NULL;
		const cJSON *t = cJSON_GetObjectItem(g_spec, "components");
		snprintf(buf, sizeof(buf), "%s", ref->valuestring + 13);
		for (seg = strtok_r(buf, "/", &save); seg && t; seg = strtok_r(NULL, "/", &save))
			t = cJSON_GetObjectItem(t, seg);
		return t ? resolve(t, depth + 1) : cJSON_CreateObject();
	}
	if (cJSON_IsObject(node)) {
		out = cJSON_CreateObject();
		cJSON_ArrayForEach(it, node)
			cJSON_AddItemToObject(out, it->string, resolve(it, depth + 1));
		return out;
	}
	if (cJSON_IsArray(node)) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(it, node)
			cJSON_AddItemToArray(out, resolve(it, depth + 1));
		return out;
	}
	return cJSON_Duplicate(node, 1);
}

/* An operation's input as one schema: parameters and the JSON body. */
static cJSON *op_schema(const cJSON *op)
{
	cJSON *sc = cJSON_CreateObject(), *props = cJSON_AddObjectToObject(sc, "properties");
	const cJSON *p, *body;

	cJSON_ArrayForEach(p, cJSON_GetObjectItem(op, "parameters")) {
		cJSON *r = resolve(p, 0);
		const cJSON *nm = cJSON_GetObjectItem(r, "name");
		if (cJSON_IsString(nm) && !cJSON_GetObjectItem(props, nm->valuestring))
			cJSON_AddItemToObject(props, nm->valuestring, cJSON_DetachItemFromObject(r, "schema"));
		cJSON_Delete(r);
	}
	body = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(op, "requestBody"),
		"content"), "application/json"), "schema");
	if (body)
		cJSON_AddItemToObject(props, "body", resolve(body, 0));
	return sc;
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

int main(int argc, char **argv)
{
	struct catalog cat;
	char err[512];
	size_t n, i, ndocs = 0, cap;
	char *txt;
	cJSON *tasks = NULL, *spec = NULL;
	struct search_doc *docs;
	struct op *ops;
	char ***tagv = NULL;
	struct search_index *ix;
	const cJSON *task;
	int ntask = 0, r1 = 0, r5 = 0, found_spec = 0;
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
	txt = slurp(argv[1], &n);
	tasks = txt ? cJSON_Parse(txt) : NULL;
	free(txt);
	if (!tasks) {
		fprintf(stderr, "search-eval: cannot read %s\n", argv[1]);
		return 1;
	}
	if (cat.ntools < 500 && argc > 3) {
		txt = slurp(argv[3], &n);
		spec = txt ? cJSON_Parse(txt) : NULL;
		free(txt);
		g_spec = spec;
		if (!spec)
			fprintf(stderr, "search-eval: %s not readable; curated catalogue only\n", argv[3]);
	}
	cap = cat.ntools + 4096;
	docs = calloc(cap, sizeof(*docs));
	ops = calloc(cap, sizeof(*ops));
	tagv = calloc(cap, sizeof(*tagv));
	if (!docs || !ops || !tagv)
		return 1;
	for (i = 0; i < cat.ntools; i++) {
		const struct tool *t = &cat.tools[i];
		cJSON *o = cJSON_ParseWithLength(t->json, t->json_len);
		const cJSON *ti = cJSON_GetObjectItem(o, "title"), *de = cJSON_GetObjectItem(o, "description");
		docs[ndocs].name = t->name;
		docs[ndocs].http = t->http;
		docs[ndocs].path = t->path;
		docs[ndocs].title = cJSON_IsString(ti) ? strdup(ti->valuestring) : "";
		docs[ndocs].desc = cJSON_IsString(de) ? strdup(de->valuestring) : NULL;
		docs[ndocs].tags = (const char *const *)t->tags;
		docs[ndocs].schema = t->input_schema;
		snprintf(ops[ndocs].http, sizeof(ops[ndocs].http), "%s", t->http);
		norm_path(t->path, ops[ndocs].path, sizeof(ops[ndocs].path));
		ndocs++;
		cJSON_Delete(o);
	}
	if (spec) {
		const cJSON *path, *m;
		cJSON_ArrayForEach(path, cJSON_GetObjectItem(spec, "paths")) {
			cJSON_ArrayForEach(m, path) {
				static const char *const verbs[] = { "get", "post", "put", "patch", "delete" };
				char up[8], np[512];
				const cJSON *tg, *oid = cJSON_GetObjectItem(m, "operationId");
				size_t v, k, dup = 0;
				for (v = 0; v < 5 && strcmp(m->string, verbs[v]); v++)
					;
				if (v == 5 || cJSON_IsTrue(cJSON_GetObjectItem(m, "deprecated")) || ndocs == cap)
					continue;
				for (k = 0; m->string[k] && k < 7; k++)
					up[k] = (char)(m->string[k] - 'a' + 'A');
				up[k] = '\0';
				norm_path(path->string, np, sizeof(np));
				for (k = 0; k < cat.ntools; k++)
					if (!strcmp(ops[k].http, up) && !strcmp(ops[k].path, np))
						dup = 1;
				if (dup)
					continue; /* a curated tool replaces it */
				docs[ndocs].name = cJSON_IsString(oid) ? oid->valuestring : path->string;
				docs[ndocs].http = strdup(up);
				docs[ndocs].path = path->string;
				docs[ndocs].title = cJSON_IsString(cJSON_GetObjectItem(m, "summary")) ?
					cJSON_GetObjectItem(m, "summary")->valuestring : "";
				docs[ndocs].desc = cJSON_IsString(cJSON_GetObjectItem(m, "description")) ?
					cJSON_GetObjectItem(m, "description")->valuestring : NULL;
				tg = cJSON_GetObjectItem(m, "tags");
				tagv[ndocs] = calloc((size_t)cJSON_GetArraySize(tg) + 1, sizeof(char *));
				for (k = 0; tagv[ndocs] && k < (size_t)cJSON_GetArraySize(tg); k++)
					tagv[ndocs][k] = cJSON_GetArrayItem(tg, (int)k)->valuestring;
				docs[ndocs].tags = (const char *const *)tagv[ndocs];
				docs[ndocs].schema = op_schema(m);
				snprintf(ops[ndocs].http, sizeof(ops[ndocs].http), "%s", up);
				snprintf(ops[ndocs].path, sizeof(ops[ndocs].path), "%s", np);
				ndocs++;
				found_spec++;
			}
		}
	}
	{
		double t0 = now_us();
		ix = search_build(docs, ndocs);
		printf("search-eval: %zu documents (%s), index built in %.1f ms\n", ndocs,
			spec ? "curated catalogue + spec operations indexed directly: the import is not merged yet" :
			       "the catalogue", (now_us() - t0) / 1000);
	}
	if (!ix)
		return 1;
	times = calloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(tasks, "tasks")) * REPEAT + 1, sizeof(double));
	cJSON_ArrayForEach(task, cJSON_GetObjectItem(tasks, "tasks")) {
		const char *q = cJSON_GetObjectItem(task, "q")->valuestring;
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
	printf("search-eval: query time over %zu runs: p50 %.1f us, p99 %.1f us (goal p50 <= 1000 us)\n", nt,
		times[nt / 2], times[nt * 99 / 100]);
	(void)found_spec;
	return 0;
}
