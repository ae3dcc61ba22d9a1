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
 *
 * The index is four files (search_private.h has the map): words
 * (search_words.c), building (search_index.c), querying and scoring
 * (search_query.c); this one turns a catalogue into documents and owns
 * the index's lifetime (free) and its read accessors.
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "search_private.h"
#include "xalloc.h"

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
