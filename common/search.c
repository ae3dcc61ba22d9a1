/*
 * search.c - the discovery index (search.h).
 *
 * Ranking is BM25F (Robertson & Zaragoza, "The Probabilistic Relevance
 * Framework: BM25 and Beyond", 2009, §3.5): each field's term counts are
 * weighted and summed into one pseudo-frequency per (term, document),
 * then saturated with k1 and normalized by the weighted document length.
 * Field weights say what a person's words usually match: the one-line
 * summary and the path name the operation, the long description only
 * mentions things. Words are lower-cased ASCII runs, cut by a crude
 * suffix stemmer applied the same way to documents and queries; query
 * words are expanded with a small synonym table (purge/clear cache,
 * dns/record, worker/script, https/ssl, ...) at a lower weight, and the
 * verbs of a request (show, add, turn on, remove) meet the HTTP method's
 * words (GET: list get; POST: create; ...).
 *
 * Built once: terms sorted, postings contiguous; a query is one binary
 * search per word plus one walk of its postings.
 */
#include "first.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "search.h"
#include "xalloc.h"

#define WORD_MAX 24     /* longer words are cut (stable on both sides) */
#define QUERY_TERMS 64  /* most distinct words a query keeps */

/* Field weights (BM25F). */
#define W_NAME 1.5
#define W_TITLE 3.0
#define W_TAGS 1.5
#define W_PATH 2.0
#define W_DESC 0.5
#define W_METHOD 0.8
/* BM25 saturation and length normalization; b is low because descriptions
 * vary wildly in length while the operation is named in a few words. */
#define BM25_K1 1.2
#define BM25_B 0.4
/* Weight of a synonym next to a word the person typed. */
#define W_SYNONYM 0.5

struct term {
	char s[WORD_MAX];
	uint32_t off, n;   /* postings [off, off+n) */
	double idf;
};

struct search_index {
	size_t ndocs;
	char **names;      /* owned copies, for exact-name queries */
	char **titles;     /* owned copies: the summary a result shows */
	double *dlen;      /* weighted length per document */
	double avgdl;
	struct term *terms;
	size_t nterms;
	uint32_t *pdoc;    /* postings: document */
	float *ptf;        /* postings: weighted frequency */
};

/* ---- words ------------------------------------------------------------ */

static const char *const STOP[] = {
	"a", "about", "all", "an", "and", "any", "are", "at", "be", "by", "can", "cloudflare", "currently",
	"do", "does", "every", "for", "from", "give", "have", "how", "i", "id", "identifier", "in", "into",
	"is", "it", "its", "like", "me", "my", "need", "now", "of", "on", "or", "our", "please", "single",
	"so", "some", "tell", "that", "the", "their", "there", "this", "to", "us", "using", "want", "we",
	"what", "when", "where", "which", "who", "with", "would", "you", "your",
};

static int is_stop(const char *w)
{
	size_t lo = 0, hi = CFMCP_NELEM(STOP);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w, STOP[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(w + n - k, suf, k);
}

/* A crude English suffix stemmer (plural, -ing, -ed, final e): only ever
 * compared with its own output, so it need be consistent, not correct. */
static void stem(char *w)
{
	size_t n = strlen(w);

	if (n > 4 && ends(w, n, "ies")) {
		w[n - 3] = 'y';
		w[n - 2] = '\0';
		n -= 2;
	} else if (n > 4 && ends(w, n, "sses")) {
		w[n -= 2] = '\0';
	} else if (n > 3 && w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is")) {
		w[--n] = '\0';
	}
	if (n > 5 && ends(w, n, "ing"))
		w[n -= 3] = '\0';
	else if (n > 4 && ends(w, n, "ed"))
		w[n -= 2] = '\0';
	if (n > 4 && w[n - 1] == 'e')
		w[--n] = '\0';
}

/*
 * The next word of s[*pos..n) into w (lower-cased, stemmed, at most
 * WORD_MAX-1 bytes): 1, or 0 at the end. Words are runs of ASCII letters
 * and digits; everything else separates (so "dns_records" is two words).
 * In paths, {parameter} segments are skipped when skip_params.
 */
static int next_word(const char *s, size_t n, size_t *pos, char *w, int skip_params)
{
	size_t i = *pos, k = 0;

	for (;;) {
		while (i < n && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9'))) {
			if (skip_params && s[i] == '{') {
				while (i < n && s[i] != '}')
					i++;
			}
			if (i < n)
				i++;
		}
		if (i >= n) {
			*pos = i;
			return 0;
		}
		k = 0;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9'))) {
			if (k < WORD_MAX - 1)
				w[k++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
			i++;
		}
		w[k] = '\0';
		if (!is_stop(w))
			break;
	}
	*pos = i;
	stem(w);
	return 1;
}

/* ---- synonyms --------------------------------------------------------- */

/* A word a person types -> words the operations use (space-separated,
 * run through the same stemmer). One-way: "clear" finds "purge", not the
 * other way round. */
static const struct synonym {
	const char *word;
	const char *also;
} SYNONYMS[] = {
	{ "add", "create new" },
	{ "address", "ip" },
	{ "allowlist", "access rule" },
	{ "analytics", "report stats" },
	{ "ban", "block rule" },
	{ "block", "firewall rule access waf" },
	{ "blocklist", "access rule" },
	{ "bucket", "r2" },
	{ "buckets", "r2" },
	{ "cache", "purge" },
	{ "cert", "certificate ssl" },
	{ "certificate", "ssl tls" },
	{ "certificates", "ssl tls" },
	{ "change", "update edit" },
	{ "check", "get list" },
	{ "clear", "purge cache" },
	{ "db", "d1 database" },
	{ "database", "d1" },
	{ "databases", "d1" },
	{ "deployed", "script worker" },
	{ "disable", "update edit setting" },
	{ "display", "list get" },
	{ "dns", "record" },
	{ "domain", "zone" },
	{ "domains", "zone" },
	{ "edit", "update" },
	{ "empty", "purge" },
	{ "enable", "update edit setting" },
	{ "erase", "delete" },
	{ "fetch", "get list" },
	{ "find", "list get" },
	{ "firewall", "waf rule" },
	{ "flush", "purge cache" },
	{ "function", "worker script" },
	{ "functions", "worker script" },
	{ "history", "audit log" },
	{ "https", "ssl tls" },
	{ "invalidate", "purge cache" },
	{ "ip", "address" },
	{ "key", "kv" },
	{ "kv", "namespace key value" },
	{ "lb", "load balancer" },
	{ "log", "audit" },
	{ "logs", "audit" },
	{ "make", "create" },
	{ "member", "user" },
	{ "members", "user" },
	{ "modify", "update edit" },
	{ "new", "create" },
	{ "off", "setting" },
	{ "on", "setting" },
	{ "people", "member" },
	{ "purge", "cache" },
	{ "r2", "bucket" },
	{ "read", "get list" },
	{ "record", "dns" },
	{ "records", "dns" },
	{ "remove", "delete" },
	{ "rename", "update edit" },
	{ "scripts", "worker" },
	{ "script", "worker" },
	{ "see", "list get" },
	{ "set", "update edit setting" },
	{ "show", "list get" },
	{ "site", "zone" },
	{ "sites", "zone" },
	{ "ssl", "tls certificate" },
	{ "storage", "r2 kv bucket" },
	{ "switch", "update edit setting" },
	{ "tls", "ssl" },
	{ "toggle", "update edit setting" },
	{ "turn", "update edit setting" },
	{ "tunnel", "cfd" },
	{ "tunnels", "cfd" },
	{ "user", "member" },
	{ "users", "member" },
	{ "view", "list get" },
	{ "waf", "firewall rule" },
	{ "website", "zone" },
	{ "websites", "zone" },
	{ "who", "member audit" },
	{ "worker", "script" },
	{ "workers", "script" },
};

/* ---- building --------------------------------------------------------- */

struct tmp {
	char s[WORD_MAX];
	uint32_t doc;
	float w;
};

struct builder {
	struct tmp *v;
	size_t n, cap;
	int oom;
};

static void add_text(struct builder *b, uint32_t doc, const char *s, double w, int skip_params, double *dlen)
{
	size_t pos = 0, n;
	char word[WORD_MAX];

	if (!s || b->oom)
		return;
	n = strlen(s);
	while (next_word(s, n, &pos, word, skip_params)) {
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 4096;
			struct tmp *nv = xrealloc(b->v, nc * sizeof(*nv));
			if (!nv) {
				b->oom = 1;
				return;
			}
			b->v = nv;
			b->cap = nc;
		}
		memcpy(b->v[b->n].s, word, sizeof(word));
		b->v[b->n].doc = doc;
		b->v[b->n].w = (float)w;
		b->n++;
		*dlen += w;
	}
}

static int tmp_cmp(const void *a, const void *b)
{
	const struct tmp *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c)
		return c;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
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

struct search_index *search_build(const struct search_doc *docs, size_t n)
{
	struct search_index *ix = NULL, *res = NULL;
	struct builder b = { NULL, 0, 0, 0 };
	size_t i, j, t;
	double total = 0;

	if (n > UINT32_MAX)
		return NULL;
	ix = xcalloc(1, sizeof(*ix));
	if (!ix)
		goto out;
	ix->ndocs = n;
	ix->names = xcalloc(n ? n : 1, sizeof(char *));
	ix->titles = xcalloc(n ? n : 1, sizeof(char *));
	ix->dlen = xcalloc(n ? n : 1, sizeof(double));
	if (!ix->names || !ix->titles || !ix->dlen)
		goto out;
	for (i = 0; i < n; i++) {
		const struct search_doc *d = &docs[i];
		ix->names[i] = xstrdup(d->name);
		ix->titles[i] = xstrdup(d->title ? d->title : "");
		if (!ix->names[i] || !ix->titles[i])
			goto out;
		add_text(&b, (uint32_t)i, d->name, W_NAME, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->title, W_TITLE, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->desc, W_DESC, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->path, W_PATH, 1, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, method_words(d->http), W_METHOD, 0, &ix->dlen[i]);
		for (j = 0; d->tags && d->tags[j]; j++)
			add_text(&b, (uint32_t)i, d->tags[j], W_TAGS, 0, &ix->dlen[i]);
		total += ix->dlen[i];
	}
	if (b.oom)
		goto out;
	ix->avgdl = n && total > 0 ? total / (double)n : 1;
	qsort(b.v, b.n, sizeof(*b.v), tmp_cmp);
	/* merge (term, doc) duplicates, then count terms */
	for (i = 0, j = 0; i < b.n; i++) {
		if (j && !strcmp(b.v[j - 1].s, b.v[i].s) && b.v[j - 1].doc == b.v[i].doc)
			b.v[j - 1].w += b.v[i].w;
		else
			b.v[j++] = b.v[i];
	}
	b.n = j;
	for (i = 0, t = 0; i < b.n; i++)
		if (!i || strcmp(b.v[i - 1].s, b.v[i].s))
			t++;
	ix->terms = xcalloc(t ? t : 1, sizeof(*ix->terms));
	ix->pdoc = xcalloc(b.n ? b.n : 1, sizeof(*ix->pdoc));
	ix->ptf = xcalloc(b.n ? b.n : 1, sizeof(*ix->ptf));
	if (!ix->terms || !ix->pdoc || !ix->ptf)
		goto out;
	for (i = 0, t = 0; i < b.n; i++) {
		if (!i || strcmp(b.v[i - 1].s, b.v[i].s)) {
			memcpy(ix->terms[t].s, b.v[i].s, WORD_MAX);
			ix->terms[t].off = (uint32_t)i;
			t++;
		}
		ix->terms[t - 1].n++;
		ix->pdoc[i] = b.v[i].doc;
		ix->ptf[i] = b.v[i].w;
	}
	ix->nterms = t;
	for (i = 0; i < t; i++) {
		double df = ix->terms[i].n;
		ix->terms[i].idf = log(1.0 + ((double)n - df + 0.5) / (df + 0.5));
	}
	res = ix;
	ix = NULL;
out:
	xfree(b.v);
	search_free(ix);
	return res;
}

/*
 * The title and description of a rendered Tool object. tool_render writes
 * name, title, description, then inputSchema (cJSON keeps insertion
 * order), and a raw `,"inputSchema":` cannot occur inside a JSON string
 * (its quotes would be escaped), so the prefix up to it, closed with '}',
 * is a small document to parse instead of the whole schema.
 */
static cJSON *tool_head(const char *json, size_t len)
{
	static const char key[] = ",\"inputSchema\":";
	const char *p = NULL, *s = json;
	char *tmp;
	cJSON *o;
	size_t k = sizeof(key) - 1;

	while (s + k <= json + len) {
		const char *q = memchr(s, ',', (size_t)(json + len - s));
		if (!q || q + k > json + len)
			break;
		if (!memcmp(q, key, k)) {
			p = q;
			break;
		}
		s = q + 1;
	}
	if (!p)
		return cJSON_ParseWithLength(json, len);
	tmp = xmalloc((size_t)(p - json) + 2);
	if (!tmp)
		return NULL;
	memcpy(tmp, json, (size_t)(p - json));
	tmp[p - json] = '}';
	tmp[p - json + 1] = '\0';
	o = cJSON_Parse(tmp);
	xfree(tmp);
	return o;
}

struct search_index *search_build_catalog(const struct catalog *cat)
{
	struct search_doc *docs = xcalloc(cat->ntools ? cat->ntools : 1, sizeof(*docs));
	cJSON **heads = xcalloc(cat->ntools ? cat->ntools : 1, sizeof(cJSON *));
	struct search_index *ix = NULL;
	size_t i;

	if (!docs || !heads)
		goto out;
	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		const cJSON *title, *desc;

		heads[i] = tool_head(t->json, t->json_len);
		if (!heads[i])
			goto out;
		title = cJSON_GetObjectItemCaseSensitive(heads[i], "title");
		desc = cJSON_GetObjectItemCaseSensitive(heads[i], "description");
		docs[i].name = t->name;
		docs[i].http = t->http;
		docs[i].path = t->path;
		docs[i].title = cJSON_IsString(title) ? title->valuestring : "";
		docs[i].desc = cJSON_IsString(desc) ? desc->valuestring : NULL;
		docs[i].tags = (const char *const *)t->tags;
	}
	ix = search_build(docs, cat->ntools);
out:
	for (i = 0; heads && i < cat->ntools; i++)
		cJSON_Delete(heads[i]);
	xfree(heads);
	xfree(docs);
	return ix;
}

void search_free(struct search_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->ndocs; i++) {
		if (ix->names)
			xfree(ix->names[i]);
		if (ix->titles)
			xfree(ix->titles[i]);
	}
	xfree(ix->names);
	xfree(ix->titles);
	xfree(ix->dlen);
	xfree(ix->terms);
	xfree(ix->pdoc);
	xfree(ix->ptf);
	xfree(ix);
}

size_t search_size(const struct search_index *ix)
{
	return ix->ndocs;
}

const char *search_title(const struct search_index *ix, size_t doc)
{
	return doc < ix->ndocs ? ix->titles[doc] : "";
}

/* ---- querying --------------------------------------------------------- */

struct qterm {
	char s[WORD_MAX];
	double w;
};

static void qadd(struct qterm *q, size_t *nq, const char *s, double w)
{
	size_t i;

	for (i = 0; i < *nq; i++)
		if (!strcmp(q[i].s, s)) {
			if (w > q[i].w)
				q[i].w = w;
			return;
		}
	if (*nq < QUERY_TERMS) {
		memcpy(q[*nq].s, s, WORD_MAX);
		q[(*nq)++].w = w;
	}
}

static const struct term *term_find(const struct search_index *ix, const char *s)
{
	size_t lo = 0, hi = ix->nterms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s, ix->terms[mid].s);
		if (!c)
			return &ix->terms[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Words of q with their weights, synonyms added. Raw (unstemmed) words
 * pick synonyms, so the table is written the way people type. */
static size_t query_terms(const char *q, size_t qlen, struct qterm *out)
{
	size_t pos = 0, nq = 0, i;
	char raw[WORD_MAX], w[WORD_MAX];

	while (pos < qlen) {
		size_t start = pos, k = 0, p2;
		/* the raw word, for the synonym table */
		while (start < qlen && !((q[start] >= 'a' && q[start] <= 'z') || (q[start] >= 'A' && q[start] <= 'Z') ||
			    (q[start] >= '0' && q[start] <= '9')))
			start++;
		for (p2 = start; p2 < qlen && ((q[p2] >= 'a' && q[p2] <= 'z') || (q[p2] >= 'A' && q[p2] <= 'Z') ||
				     (q[p2] >= '0' && q[p2] <= '9')); p2++)
			if (k < WORD_MAX - 1)
				raw[k++] = (char)(q[p2] >= 'A' && q[p2] <= 'Z' ? q[p2] - 'A' + 'a' : q[p2]);
		raw[k] = '\0';
		pos = start;
		if (!next_word(q, p2, &pos, w, 0)) {
			/* a stop word (or nothing): its synonyms may still count ("on") */
			pos = p2;
			if (!k)
				break;
		} else {
			qadd(out, &nq, w, 1.0);
		}
		for (i = 0; i < CFMCP_NELEM(SYNONYMS); i++) {
			if (strcmp(raw, SYNONYMS[i].word))
				continue;
			{
				const char *a = SYNONYMS[i].also;
				size_t apos = 0, an = strlen(a);
				char sw[WORD_MAX];
				while (next_word(a, an, &apos, sw, 0))
					qadd(out, &nq, sw, W_SYNONYM);
			}
			break;
		}
	}
	return nq;
}

int search_query(const struct search_index *ix, const char *q, size_t qlen,
	int (*keep)(const void *ud, size_t doc), const void *ud, struct search_hit *out, size_t max)
{
	struct qterm qt[QUERY_TERMS];
	double *score = NULL;
	size_t nq, i, j, nhit = 0, exact = (size_t)-1;
	int rc = -1;

	if (max > SEARCH_MAX_RESULTS)
		max = SEARCH_MAX_RESULTS;
	if (qlen > SEARCH_MAX_QUERY)
		qlen = SEARCH_MAX_QUERY;
	if (!max || !ix->ndocs)
		return 0;
	/* A query that is exactly an operation's name finds it first. */
	{
		size_t a = 0, z = qlen;
		while (a < z && q[a] == ' ')
			a++;
		while (z > a && q[z - 1] == ' ')
			z--;
		for (i = 0; z > a && z - a < 128 && i < ix->ndocs; i++)
			if (strlen(ix->names[i]) == z - a && !memcmp(ix->names[i], q + a, z - a)) {
				exact = i;
				break;
			}
	}
	nq = query_terms(q, qlen, qt);
	score = xcalloc(ix->ndocs, sizeof(double));
	if (!score)
		goto out;
	for (i = 0; i < nq; i++) {
		const struct term *t = term_find(ix, qt[i].s);
		if (!t)
			continue;
		for (j = t->off; j < t->off + t->n; j++) {
			size_t d = ix->pdoc[j];
			double tf = ix->ptf[j];
			double norm = BM25_K1 * (1.0 - BM25_B + BM25_B * ix->dlen[d] / ix->avgdl);
			score[d] += qt[i].w * t->idf * tf * (BM25_K1 + 1.0) / (tf + norm);
		}
	}
	if (exact != (size_t)-1)
		score[exact] += 1e6;
	for (i = 0; i < ix->ndocs; i++) {
		double s = nq || exact != (size_t)-1 ? score[i] : 1.0;
		if (s <= 0 || (keep && !keep(ud, i)))
			continue;
		/* insert into the sorted top max (ties keep document order) */
		if (nhit == max && s <= out[nhit - 1].score)
			continue;
		j = nhit < max ? nhit++ : nhit - 1;
		while (j > 0 && out[j - 1].score < s) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].doc = i;
		out[j].score = s;
	}
	rc = (int)nhit;
out:
	xfree(score);
	return rc;
}
