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
 * Built once: words interned in a hash table, postings contiguous per
 * word; a query is one hash lookup per word plus one walk of its postings.
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
#define W_NAME 1.0
#define W_TITLE 3.0
#define W_TAGS 1.5
#define W_PATH 2.0
#define W_DESC 0.3
#define W_METHOD 0.8
#define W_SCHEMA 0.3
/* The path's last literal segment names what the operation acts on. */
#define W_RESOURCE 2.0
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
/* Weight of the words that named a zone setting (names_setting). */
#define W_SETTING_WORD 0.2
/* Bounds on the walk of an input schema for words. */
#define SCHEMA_DEPTH 12
#define SCHEMA_NODES 4000
/* BM25 saturation and length normalization; b is low because descriptions
 * vary wildly in length while the operation is named in a few words. */
#define BM25_K1 1.2
#define BM25_B 0.4
/* Weight of a synonym next to a word the person typed. */
#define W_SYNONYM 0.5

struct term {
	char s[WORD_MAX];
	uint32_t off, n;   /* postings [off, off+n); while building, off is
	                    * the index + 1 of the term's last posting */
	double idf;
};

struct search_index {
	size_t ndocs;
	char **names;      /* owned copies, for exact-name queries */
	char **titles;     /* owned copies: the summary a result shows */
	double *dlen;      /* weighted length per document */
	unsigned char *meth; /* METH_* bit of each document's HTTP method */
	unsigned char *coll; /* 1: the path ends in a literal segment */
	unsigned char *radar; /* 1: a Radar operation */
	double avgdl;
	struct term *terms; /* in first-seen order */
	size_t nterms;
	uint32_t *slots;   /* hash of the words: term number + 1, 0 = empty */
	size_t nslots;     /* a power of two, at least twice nterms */
	uint32_t *pdoc;    /* postings: document */
	float *ptf;        /* postings: weighted frequency */
};

enum { METH_GET = 1, METH_POST = 2, METH_PUT = 4, METH_PATCH = 8, METH_DELETE = 16,
	LISTING = 32 /* not a method: the request asks for a list */ };

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

/* ---- words ------------------------------------------------------------ */

static const char *const STOP[] = {
	"a", "about", "all", "an", "and", "any", "api", "are", "at", "be", "by", "can", "cloudflare", "currently",
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
 * run through the same stemmer), at W_SYNONYM, or marked '=' at full
 * weight, or '!' at full weight with the typed word itself lowered (what
 * people call a domain or a site, Cloudflare calls a zone). One-way:
 * "clear" finds "purge", not the other way round. */
static const struct synonym {
	const char *word;
	const char *also;
} SYNONYMS[] = {
	{ "address", "ip" },
	{ "allowlist", "access rule" },
	{ "analytics", "report stats" },
	{ "application", "=app" },
	{ "applications", "=app" },
	{ "apps", "application" },
	{ "ban", "block rule" },
	{ "block", "firewall rule access waf" },
	{ "blocklist", "access rule" },
	{ "bucket", "r2" },
	{ "buckets", "r2" },
	{ "cache", "purge" },
	{ "cert", "certificate ssl" },
	{ "certificate", "ssl tls" },
	{ "certificates", "ssl tls" },
	{ "check", "get list" },
	{ "clear", "purge cache" },
	{ "db", "d1 database" },
	{ "database", "d1" },
	{ "databases", "d1" },
	{ "deployed", "script worker" },
	{ "disable", "setting" },
	{ "dns", "record" },
	{ "domain", "!zone" },
	{ "domains", "!zone" },
	{ "empty", "purge" },
	{ "enable", "setting" },
	{ "fetch", "get list" },
	{ "firewall", "waf rule" },
	{ "flush", "purge cache" },
	{ "function", "worker script" },
	{ "functions", "worker script" },
	{ "history", "audit log" },
	{ "https", "ssl tls" },
	{ "invalidate", "purge cache" },
	{ "invite", "member create" },
	{ "ip", "address" },
	{ "key", "kv" },
	{ "kv", "namespace" },
	{ "lb", "load balancer" },
	{ "log", "audit" },
	{ "logs", "audit" },
	{ "member", "user" },
	{ "members", "user" },
	{ "off", "setting" },
	{ "on", "setting" },
	{ "people", "member" },
	{ "profile", "!user" },
	{ "range", "=ip" },
	{ "ranges", "=ip" },
	{ "purge", "cache" },
	{ "r2", "bucket" },
	{ "read", "get list" },
	{ "record", "dns" },
	{ "records", "dns" },
	{ "scripts", "worker" },
	{ "script", "worker" },
	{ "set", "setting" },
	{ "site", "!zone" },
	{ "sites", "!zone" },
	{ "ssl", "tls certificate" },
	{ "storage", "r2 kv bucket" },
	{ "switch", "setting" },
	{ "tls", "ssl" },
	{ "toggle", "setting" },
	{ "turn", "setting" },
	{ "tunnel", "cfd" },
	{ "tunnels", "cfd" },
	{ "user", "member" },
	{ "users", "member" },
	{ "waf", "firewall rule" },
	{ "website", "!zone" },
	{ "websites", "!zone" },
	{ "who", "member audit" },
	{ "worker", "script" },
	{ "workers", "script" },
};

/* Zone setting ids (components.schemas.zones_setting in Cloudflare's
 * OpenAPI, 2024-08): "turn on Always Use HTTPS" is a request for the
 * zone settings operations, whose own text does not name the settings. */
static const char *const ZONE_SETTINGS[] = {
	"0rtt", "advanced_ddos", "always_online", "always_use_https", "automatic_https_rewrites",
	"automatic_platform_optimization", "brotli", "browser_cache_ttl", "browser_check", "cache_level",
	"challenge_ttl", "ciphers", "cname_flattening", "development_mode", "early_hints", "edge_cache_ttl",
	"email_obfuscation", "h2_prioritization", "hotlink_protection", "http2", "http3", "image_resizing",
	"ip_geolocation", "ipv6", "max_upload", "min_tls_version", "minify", "mirage", "mobile_redirect", "nel",
	"opportunistic_encryption", "opportunistic_onion", "orange_to_orange", "origin_error_page_pass_thru",
	"polish", "prefetch_preload", "proxy_read_timeout", "pseudo_ipv4", "replace_insecure_js",
	"response_buffering", "rocket_loader", "security_header", "security_level", "server_side_exclude",
	"sha1_support", "sort_query_string_for_cache", "ssl", "ssl_recommender", "tls_1_2_only", "tls_1_3",
	"tls_client_auth", "true_client_ip_header", "waf", "webp", "websockets",
};

/* Whether the raw words rv[0..n) name a zone setting: every word of a
 * multi-word id, or a one-word id next to "mode", "setting", or a verb
 * that switches things (ssl alone is a product, "ssl mode" a setting).
 * The words that named it are marked in used[]. */
static int names_setting(char rv[][WORD_MAX], size_t n, unsigned char *used)
{
	size_t i, j;
	int switchy = 0;

	for (j = 0; j < n; j++)
		if (!strcmp(rv[j], "mode") || !strcmp(rv[j], "setting") || !strcmp(rv[j], "turn") ||
		    !strcmp(rv[j], "enable") || !strcmp(rv[j], "disable") || !strcmp(rv[j], "toggle"))
			switchy = 1;
	for (i = 0; i < CFMCP_NELEM(ZONE_SETTINGS); i++) {
		const char *p = ZONE_SETTINGS[i];
		int all = 1, words = 0;
		while (*p && all) {
			char w[WORD_MAX];
			size_t k = strcspn(p, "_");
			int hit = 0;
			if (k >= WORD_MAX)
				break;
			memcpy(w, p, k);
			w[k] = '\0';
			for (j = 0; j < n && !hit; j++)
				hit = !strcmp(rv[j], w) || (!strcmp(w, "min") && !strcmp(rv[j], "minimum")) ||
				      (!strcmp(w, "max") && !strcmp(rv[j], "maximum"));
			if (hit)
				used[j - 1] = 1;
			all = hit;
			words++;
			p += k + (p[k] == '_');
		}
		if (all && (words > 1 || switchy))
			return 1;
		memset(used, 0, n);
	}
	return 0;
}

/* ---- building --------------------------------------------------------- */

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
static size_t slot_of(const uint32_t *slots, size_t nslots, const struct term *terms, const char *s)
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
			sl[slot_of(sl, ns, b->terms, b->terms[k].s)] = (uint32_t)k + 1;
		xfree(b->slots);
		b->slots = sl;
		b->nslots = ns;
	}
	i = slot_of(b->slots, b->nslots, b->terms, w);
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
	while (next_word(s, n, &pos, word, skip_params)) {
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
		add_text(&b, (uint32_t)i, d->name, W_NAME, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->title, W_TITLE, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->desc, W_DESC, 0, &ix->dlen[i]);
		add_text(&b, (uint32_t)i, d->path, W_PATH, 1, &ix->dlen[i]);
		{
			/* the last segment that is not a {parameter} */
			const char *e = d->path + strlen(d->path), *st;
			char seg[128];
			while (e > d->path && (e[-1] == '/' || e[-1] == '}')) {
				if (e[-1] == '}')
					while (e > d->path && e[-1] != '{')
						e--;
				if (e > d->path)
					e--;
			}
			for (st = e; st > d->path && st[-1] != '/'; st--)
				;
			if (e > st && (size_t)(e - st) < sizeof(seg)) {
				memcpy(seg, st, (size_t)(e - st));
				seg[e - st] = '\0';
				add_text(&b, (uint32_t)i, seg, W_RESOURCE, 1, &ix->dlen[i]);
			}
		}
		add_text(&b, (uint32_t)i, method_words(d->http), W_METHOD, 0, &ix->dlen[i]);
		for (j = 0; d->tags && d->tags[j]; j++)
			add_text(&b, (uint32_t)i, d->tags[j], W_TAGS, 0, &ix->dlen[i]);
		{
			size_t nodes = 0;
			add_schema(&b, (uint32_t)i, d->schema, 0, &nodes, &ix->dlen[i]);
		}
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
		docs[i].schema = t->input_schema;
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
	xfree(ix->meth);
	xfree(ix->coll);
	xfree(ix->radar);
	xfree(ix->terms);
	xfree(ix->slots);
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
	i = slot_of(ix->slots, ix->nslots, ix->terms, s);
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
	if (names_setting(rv, nr, used)) {
		qadd(out, &nq, "setting", 1.0);
		qadd(out, &nq, "zone", 1.0);
		qadd_set(out, nq, "zone", 1.0);
	}
	for (i = 0; i < nr; i++) {
		size_t d, k = strlen(rv[i]);
		unsigned verb;

		memcpy(raw, rv[i], WORD_MAX);
		if (raw[strspn(raw, "0123456789")] == '\0' || k < 2) /* numbers; the s of "Cloudflare's" */
			continue;
		verb = intent_of(raw);
		if (!*intent)
			*intent = verb;
		if (used[i]) {
			memcpy(w, raw, sizeof(w));
			stem(w);
			qadd(out, &nq, w, W_SETTING_WORD);
			continue;
		}
		/* A verb (show, add, turn, remove) picks the method (INTENT_BOOST);
		 * as a word it would match titles such as "Show DNS Settings" or
		 * "TURN keys" for every request that starts with it. */
		if (!verb && !is_stop(raw)) {
			memcpy(w, raw, sizeof(w));
			stem(w);
			qadd(out, &nq, w, 1.0);
		}
		for (d = 0; d < CFMCP_NELEM(SYNONYMS); d++) {
			const char *a = SYNONYMS[d].also;
			if (strcmp(raw, SYNONYMS[d].word))
				continue;
			while (*a) {
				double wt = W_SYNONYM;
				size_t n = 0;
				while (*a == ' ')
					a++;
				if (*a == '=' || *a == '!') {
					/* '!': the typed word is really this one */
					if (*a == '!') {
						memcpy(w, raw, sizeof(w));
						stem(w);
						qadd_set(out, nq, w, W_SYNONYM);
					}
					wt = 1.0;
					a++;
				}
				while (a[n] && a[n] != ' ')
					n++;
				if (n && n < WORD_MAX) {
					memcpy(w, a, n);
					w[n] = '\0';
					stem(w);
					qadd(out, &nq, w, wt);
				}
				a += n;
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
