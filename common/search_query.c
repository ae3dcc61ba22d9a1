/*
 * search_query.c - answering a query over the discovery index (search.h):
 * the query's words and their weights (typed words, synonyms, a domain
 * name as a zone hint, zone-setting names), the verb's HTTP method, then
 * BM25F scores summed over each word's postings, boosts and the top hits.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include "search_private.h"
#include "xalloc.h"

/* Score factor for an operation whose HTTP method is what the request's
 * verb asks for (show -> GET, add -> POST, remove -> DELETE, ...). */
#define INTENT_BOOST 1.8
/* ... and for a listing request (list, which, all), one on a collection
 * (a path that does not end in a {parameter}). */
#define LIST_BOOST 1.2
/* Radar (/radar/...: Internet-wide data, not the account's) shares most
 * words with the account's own products (ip, dns, http, email); unless
 * the request names it, it asks about the account. */
#define RADAR_FACTOR 0.6
/* Weight of the words that named a zone setting (search_names_setting). */
#define W_SETTING_WORD 0.2
/* BM25 saturation and length normalization; b is low because descriptions
 * vary wildly in length while the operation is named in a few words. */
#define BM25_K1 1.2
#define BM25_B 0.4

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
		/* s may be a short literal ("zone"): copy its length, not WORD_MAX */
		size_t n = strnlen(s, WORD_MAX - 1);
		memcpy(q[*nq].s, s, n);
		q[*nq].s[n] = '\0';
		q[(*nq)++].w = w;
	}
}

/* The weight of word s in q, or 0. */
static double term_weight(const struct qterm *q, size_t nq, const char *s)
{
	size_t i;

	for (i = 0; i < nq; i++)
		if (!strcmp(q[i].s, s))
			return q[i].w;
	return 0;
}

/* Set the weight of a word already in q (no-op when absent). */
static void qadd_set(struct qterm *q, size_t nq, const char *s, double w)
{
	size_t i;

	for (i = 0; i < nq; i++)
		if (!strcmp(q[i].s, s))
			q[i].w = w;
}

static const struct term *term_find(const struct search_index *ix, const char *s)
{
	size_t i;

	if (!ix->nslots)
		return NULL;
	i = search_slot_of(ix->slots, ix->nslots, ix->terms, s);
	return ix->slots[i] ? &ix->terms[ix->slots[i] - 1] : NULL;
}

/* The HTTP methods a request's verb asks for (0: no verb). */
static unsigned intent_of(const char *raw)
{
	static const struct {
		const char *w;
		unsigned m;
	} V[] = {
		{ "list", METH_GET | LISTING }, { "show", METH_GET }, { "get", METH_GET }, { "view", METH_GET },
		{ "see", METH_GET }, { "display", METH_GET }, { "which", METH_GET | LISTING }, { "what", METH_GET },
		{ "fetch", METH_GET }, { "read", METH_GET }, { "find", METH_GET }, { "check", METH_GET },
		{ "create", METH_POST }, { "add", METH_POST }, { "new", METH_POST }, { "make", METH_POST },
		{ "invite", METH_POST }, { "details", METH_GET }, { "detail", METH_GET }, { "info", METH_GET },
		{ "delete", METH_DELETE }, { "remove", METH_DELETE },
		{ "erase", METH_DELETE }, { "update", METH_PATCH | METH_PUT }, { "change", METH_PATCH | METH_PUT },
		{ "edit", METH_PATCH | METH_PUT }, { "set", METH_PATCH | METH_PUT }, { "turn", METH_PATCH | METH_PUT },
		{ "enable", METH_PATCH | METH_PUT | METH_POST }, { "disable", METH_PATCH | METH_PUT | METH_POST },
		{ "toggle", METH_PATCH | METH_PUT }, { "switch", METH_PATCH | METH_PUT },
		{ "rename", METH_PATCH | METH_PUT }, { "modify", METH_PATCH | METH_PUT },
	};
	size_t i;

	for (i = 0; i < CFMCP_NELEM(V); i++)
		if (!strcmp(raw, V[i].w))
			return V[i].m;
	return 0;
}

static int is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/*
 * Add the synonyms of the raw (unstemmed) word raw to q (nq words so
 * far), as the table in search_words.c marks them; returns the new count.
 */
static size_t qadd_synonyms(struct qterm *q, size_t nq, const char raw[WORD_MAX])
{
	const char *a = search_synonyms(raw);
	char w[WORD_MAX];

	while (a && *a) {
		double wt = W_SYNONYM;
		size_t n = 0;
		while (*a == ' ')
			a++;
		if (*a == '=' || *a == '!') {
			/* '!': the typed word is really this one */
			if (*a == '!') {
				memcpy(w, raw, sizeof(w));
				search_stem(w);
				qadd_set(q, nq, w, W_SYNONYM);
			}
			wt = 1.0;
			a++;
		}
		while (a[n] && a[n] != ' ')
			n++;
		if (n && n < WORD_MAX) {
			memcpy(w, a, n);
			w[n] = '\0';
			search_stem(w);
			qadd(q, &nq, w, wt);
		}
		a += n;
	}
	return nq;
}

/*
 * Words of q (at most SEARCH_MAX_QUERY bytes) with their weights, into
 * out; *intent gets the methods the first verb asks for. A domain name
 * (example.com) is not words but a hint that a zone is meant; numbers
 * (192.0.2.1, 1.2) say nothing about which operation. Raw (unstemmed)
 * words pick synonyms, so the table reads the way people type; a
 * synonym marked '=' weighs as much as the word itself.
 */
static size_t query_terms(const char *q, size_t qlen, struct qterm *out, unsigned *intent)
{
	char qb[SEARCH_MAX_QUERY + 1], raw[WORD_MAX], w[WORD_MAX];
	char rv[QUERY_TERMS][WORD_MAX]; /* the raw words */
	unsigned char used[QUERY_TERMS] = { 0 }; /* words that named a zone setting */
	size_t i, j, nq = 0, nr = 0;

	*intent = 0;
	memcpy(qb, q, qlen);
	qb[qlen] = '\0';
	/* blank domain names: runs of [A-Za-z0-9.-] with an inner dot and
	 * a letter after the last one */
	for (i = 0; i < qlen;) {
		size_t k = i, lastdot = 0;
		int dots = 0, letter = 0;
		while (k < qlen && (is_alnum(qb[k]) || qb[k] == '.' || qb[k] == '-')) {
			if (qb[k] == '.' && k > i && k + 1 < qlen && is_alnum(qb[k + 1])) {
				dots++;
				lastdot = k;
			}
			k++;
		}
		for (j = lastdot + 1; dots && j < k; j++)
			if ((qb[j] >= 'a' && qb[j] <= 'z') || (qb[j] >= 'A' && qb[j] <= 'Z'))
				letter = 1;
		if (dots && letter) {
			memset(qb + i, ' ', k - i);
			qadd(out, &nq, "zone", W_SYNONYM);
		}
		i = k > i ? k : i + 1;
	}
	/* the raw words, lower-cased */
	for (i = 0; i < qlen && nr < QUERY_TERMS;) {
		size_t k = 0;
		while (i < qlen && !is_alnum(qb[i]))
			i++;
		if (i >= qlen)
			break;
		while (i < qlen && is_alnum(qb[i])) {
			if (k < WORD_MAX - 1)
				rv[nr][k++] = (char)(qb[i] >= 'A' && qb[i] <= 'Z' ? qb[i] - 'A' + 'a' : qb[i]);
			i++;
		}
		rv[nr++][k] = '\0';
	}
	/* A zone setting's own words ("always use https") are not in the
	 * settings operations' text: they count as hints, and "zone setting"
	 * as what is meant. */
	if (search_names_setting(rv, nr, used)) {
		qadd(out, &nq, "setting", 1.0);
		qadd(out, &nq, "zone", 1.0);
		qadd_set(out, nq, "zone", 1.0);
	}
	for (i = 0; i < nr; i++) {
		size_t k = strlen(rv[i]);
		unsigned verb;

		memcpy(raw, rv[i], WORD_MAX);
		if (raw[strspn(raw, "0123456789")] == '\0' || k < 2) /* numbers; the s of "Cloudflare's" */
			continue;
		verb = intent_of(raw);
		if (!*intent)
			*intent = verb;
		if (used[i]) {
			memcpy(w, raw, sizeof(w));
			search_stem(w);
			qadd(out, &nq, w, W_SETTING_WORD);
			continue;
		}
		/* A verb (show, add, turn, remove) picks the method (INTENT_BOOST);
		 * as a word it would match titles such as "Show DNS Settings" or
		 * "TURN keys" for every request that starts with it. */
		if (!verb && !search_is_stop(raw)) {
			memcpy(w, raw, sizeof(w));
			search_stem(w);
			qadd(out, &nq, w, 1.0);
		}
		nq = qadd_synonyms(out, nq, raw);
	}
	return nq;
}

int search_query(const struct search_index *ix, const char *q, size_t qlen,
	int (*keep)(const void *ud, size_t doc), const void *ud, struct search_hit *out, size_t max)
{
	struct qterm qt[QUERY_TERMS];
	double *score = NULL;
	size_t nq, i, j, nhit = 0, exact = (size_t)-1;
	unsigned intent;
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
	nq = query_terms(q, qlen, qt, &intent);
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
	if (!term_weight(qt, nq, "radar") && !term_weight(qt, nq, "internet"))
		for (i = 0; i < ix->ndocs; i++)
			if (ix->radar[i])
				score[i] *= RADAR_FACTOR;
	if (intent)
		for (i = 0; i < ix->ndocs; i++) {
			if (ix->meth[i] & intent)
				score[i] *= INTENT_BOOST;
			if ((intent & LISTING) && ix->coll[i])
				score[i] *= LIST_BOOST;
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
