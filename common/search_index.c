/*
 * search_index.c - building the discovery index (search.h): every
 * document's fields are cut into words (search_words.c), each counted
 * with its field's weight (BM25F, Robertson & Zaragoza 2009, §3.5), then
 * the postings are laid out contiguously per word and each word's idf
 * computed. Built once per catalogue load, read-only afterwards.
 */
#include "first.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "search_private.h"
#include "xalloc.h"

/* Field weights (BM25F). */
#define W_NAME 1.0
#define W_TITLE 3.0
#define W_TAGS 1.5
#define W_PATH 2.0
#define W_DESC 0.3
#define W_METHOD 0.8
#define W_SCHEMA 0.3
/* The path's last literal segment names what the operation acts on. */
#define W_RESOURCE 2.0
/* Bounds on the walk of an input schema for words. */
#define SCHEMA_DEPTH 12
#define SCHEMA_NODES 4000

static unsigned char meth_bit(const char *http)
{
	if (!strcmp(http, "GET"))
		return METH_GET;
	if (!strcmp(http, "POST"))
		return METH_POST;
	if (!strcmp(http, "PUT"))
		return METH_PUT;
	if (!strcmp(http, "PATCH"))
		return METH_PATCH;
	if (!strcmp(http, "DELETE"))
		return METH_DELETE;
	return 0;
}


/* Words are interned in a hash table as they come (FNV-1a, linear
 * probing) and postings appended in document order, so the index needs
 * one counting pass instead of a sort of every (word, document) pair. */
struct builder {
	struct term *terms;
	size_t nterms, tcap;
	uint32_t *slots;
	size_t nslots;
	uint32_t *pt, *pd; /* postings: term, document (document order) */
	float *pw;         /* postings: weighted frequency */
	size_t n, cap;
	int oom;
};

static uint32_t hash_word(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot of word s in slots (nslots a power of two): its term's, or the
 * empty one where it would go. */
size_t search_slot_of(const uint32_t *slots, size_t nslots, const struct term *terms, const char *s)
{
	size_t i = hash_word(s) & (nslots - 1);

	while (slots[i] && strcmp(terms[slots[i] - 1].s, s))
		i = (i + 1) & (nslots - 1);
	return i;
}

/* Term number of word w, added when new; -1 when out of memory. */
static long intern(struct builder *b, const char *w)
{
	size_t i;

	if ((b->nterms + 1) * 2 > b->nslots) {
		size_t ns = b->nslots ? b->nslots * 2 : 4096, k;
		uint32_t *sl = xcalloc(ns, sizeof(*sl));
		if (!sl)
			return -1;
		for (k = 0; k < b->nterms; k++)
			sl[search_slot_of(sl, ns, b->terms, b->terms[k].s)] = (uint32_t)k + 1;
		xfree(b->slots);
		b->slots = sl;
		b->nslots = ns;
	}
	i = search_slot_of(b->slots, b->nslots, b->terms, w);
	if (b->slots[i])
		return (long)b->slots[i] - 1;
	if (b->nterms == b->tcap) {
		size_t nc = b->tcap ? b->tcap * 2 : 1024;
		struct term *nt = xrealloc(b->terms, nc * sizeof(*nt));
		if (!nt)
			return -1;
		b->terms = nt;
		b->tcap = nc;
	}
	memset(&b->terms[b->nterms], 0, sizeof(b->terms[0]));
	memcpy(b->terms[b->nterms].s, w, strlen(w) + 1);
	b->slots[i] = (uint32_t)++b->nterms;
	return (long)b->nterms - 1;
}

static void add_text(struct builder *b, uint32_t doc, const char *s, double w, int skip_params, double *dlen)
{
	size_t pos = 0, n;
	char word[WORD_MAX];

	if (!s || b->oom)
		return;
	n = strlen(s);
	while (search_next_word(s, n, &pos, word, skip_params)) {
		long id = intern(b, word);
		struct term *t;
		if (id < 0) {
			b->oom = 1;
			return;
		}
		t = &b->terms[id];
		*dlen += w;
		/* a word seen again in the same document adds to its posting */
		if (t->off && b->pd[t->off - 1] == doc) {
			b->pw[t->off - 1] += (float)w;
			continue;
		}
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 8192;
			uint32_t *pt = xrealloc(b->pt, nc * sizeof(*pt));
			uint32_t *pd = pt ? xrealloc(b->pd, nc * sizeof(*pd)) : NULL;
			float *pw = pd ? xrealloc(b->pw, nc * sizeof(*pw)) : NULL;
			if (pt)
				b->pt = pt;
			if (pd)
				b->pd = pd;
			if (!pw) {
				b->oom = 1;
				return;
			}
			b->pw = pw;
			b->cap = nc;
		}
		b->pt[b->n] = (uint32_t)id;
		b->pd[b->n] = doc;
		b->pw[b->n] = (float)w;
		t->off = (uint32_t)++b->n;
		t->n++;
	}
}

/* Property names, enum and const strings of a JSON Schema, bounded in
 * depth and nodes (a generated schema can be large). */
static void add_schema(struct builder *b, uint32_t doc, const cJSON *sc, int depth, size_t *nodes, double *dlen)
{
	const cJSON *it, *p;

	if (!cJSON_IsObject(sc) || depth > SCHEMA_DEPTH)
		return;
	cJSON_ArrayForEach(it, sc) {
		if (++*nodes > SCHEMA_NODES || !it->string)
			return;
		if (!strcmp(it->string, "properties") && cJSON_IsObject(it)) {
			cJSON_ArrayForEach(p, it) {
				add_text(b, doc, p->string, W_SCHEMA, 0, dlen);
				add_schema(b, doc, p, depth + 1, nodes, dlen);
			}
		} else if (!strcmp(it->string, "enum") && cJSON_IsArray(it)) {
			cJSON_ArrayForEach(p, it)
				if (cJSON_IsString(p))
					add_text(b, doc, p->valuestring, W_SCHEMA, 0, dlen);
		} else if (!strcmp(it->string, "const") && cJSON_IsString(it)) {
			add_text(b, doc, it->valuestring, W_SCHEMA, 0, dlen);
		} else if (!strcmp(it->string, "items") || !strcmp(it->string, "additionalProperties")) {
			add_schema(b, doc, it, depth + 1, nodes, dlen);
		} else if ((!strcmp(it->string, "oneOf") || !strcmp(it->string, "anyOf") ||
			       !strcmp(it->string, "allOf")) && cJSON_IsArray(it)) {
			cJSON_ArrayForEach(p, it)
				add_schema(b, doc, p, depth + 1, nodes, dlen);
		}
	}
}

/* The HTTP method's words: what a request's verbs expand to. */
static const char *method_words(const char *http)
{
	if (!strcmp(http, "GET"))
		return "list get";
	if (!strcmp(http, "POST"))
		return "create";
	if (!strcmp(http, "PUT") || !strcmp(http, "PATCH"))
		return "update edit";
	if (!strcmp(http, "DELETE"))
		return "delete";
	return NULL;
}

/* The path's last segment that is not a {parameter}: what the operation
 * acts on (/zones/{zone_id}/dns_records -> dns_records), at W_RESOURCE. */
static void add_resource(struct builder *b, uint32_t doc, const char *path, double *dlen)
{
	const char *e = path + strlen(path), *st;
	char seg[128];

	while (e > path && (e[-1] == '/' || e[-1] == '}')) {
		if (e[-1] == '}')
			while (e > path && e[-1] != '{')
				e--;
		if (e > path)
			e--;
	}
	for (st = e; st > path && st[-1] != '/'; st--)
		;
	if (e > st && (size_t)(e - st) < sizeof(seg)) {
		memcpy(seg, st, (size_t)(e - st));
		seg[e - st] = '\0';
		add_text(b, doc, seg, W_RESOURCE, 1, dlen);
	}
}

/*
 * Every field of document doc into b, each word at its field's weight
 * (BM25F), adding the weights to *dlen. The order matters only for
 * reproducibility: terms are numbered in first-seen order.
 */
static void add_fields(struct builder *b, uint32_t doc, const struct search_doc *d, double *dlen)
{
	size_t j, nodes = 0;

	add_text(b, doc, d->name, W_NAME, 0, dlen);
	add_text(b, doc, d->title, W_TITLE, 0, dlen);
	add_text(b, doc, d->desc, W_DESC, 0, dlen);
	add_text(b, doc, d->path, W_PATH, 1, dlen);
	add_resource(b, doc, d->path, dlen);
	add_text(b, doc, method_words(d->http), W_METHOD, 0, dlen);
	for (j = 0; d->tags && d->tags[j]; j++)
		add_text(b, doc, d->tags[j], W_TAGS, 0, dlen);
	add_schema(b, doc, d->schema, 0, &nodes, dlen);
}

struct search_index *search_build(const struct search_doc *docs, size_t n)
{
	struct search_index *ix = NULL, *res = NULL;
	struct builder b;
	uint32_t *cur = NULL;
	size_t i, j, t;
	double total = 0;

	if (n > UINT32_MAX)
		return NULL;
	memset(&b, 0, sizeof(b));
	ix = xcalloc(1, sizeof(*ix));
	if (!ix)
		goto out;
	ix->ndocs = n;
	ix->names = xcalloc(n ? n : 1, sizeof(char *));
	ix->titles = xcalloc(n ? n : 1, sizeof(char *));
	ix->dlen = xcalloc(n ? n : 1, sizeof(double));
	ix->meth = xcalloc(n ? n : 1, 1);
	ix->coll = xcalloc(n ? n : 1, 1);
	ix->radar = xcalloc(n ? n : 1, 1);
	if (!ix->names || !ix->titles || !ix->dlen || !ix->meth || !ix->coll || !ix->radar)
		goto out;
	for (i = 0; i < n; i++) {
		const struct search_doc *d = &docs[i];
		ix->names[i] = xstrdup(d->name);
		ix->titles[i] = xstrdup(d->title ? d->title : "");
		if (!ix->names[i] || !ix->titles[i])
			goto out;
		add_fields(&b, (uint32_t)i, d, &ix->dlen[i]);
		ix->meth[i] = meth_bit(d->http);
		ix->coll[i] = d->path[0] && d->path[strlen(d->path) - 1] != '}';
		ix->radar[i] = !strncmp(d->path, "/radar/", 7);
		total += ix->dlen[i];
	}
	if (b.oom)
		goto out;
	ix->avgdl = n && total > 0 ? total / (double)n : 1;
	/* counting pass: each term's postings contiguous, documents ascending */
	ix->pdoc = xcalloc(b.n ? b.n : 1, sizeof(*ix->pdoc));
	ix->ptf = xcalloc(b.n ? b.n : 1, sizeof(*ix->ptf));
	cur = xcalloc(b.nterms ? b.nterms : 1, sizeof(*cur));
	if (!ix->pdoc || !ix->ptf || !cur)
		goto out;
	for (t = 0, j = 0; t < b.nterms; t++) {
		b.terms[t].off = (uint32_t)j;
		cur[t] = (uint32_t)j;
		j += b.terms[t].n;
	}
	for (i = 0; i < b.n; i++) {
		uint32_t k = cur[b.pt[i]]++;
		ix->pdoc[k] = b.pd[i];
		ix->ptf[k] = b.pw[i];
	}
	ix->terms = b.terms;
	ix->slots = b.slots;
	ix->nslots = b.nslots;
	b.terms = NULL;
	b.slots = NULL;
	t = b.nterms;
	ix->nterms = t;
	for (i = 0; i < t; i++) {
		double df = ix->terms[i].n;
		ix->terms[i].idf = log(1.0 + ((double)n - df + 0.5) / (df + 0.5));
	}
	res = ix;
	ix = NULL;
out:
	xfree(cur);
	xfree(b.terms);
	xfree(b.slots);
	xfree(b.pt);
	xfree(b.pd);
	xfree(b.pw);
	search_free(ix);
	return res;
}
