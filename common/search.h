/*
 * search.h - the discovery index: ranked full-text search over operations
 * (tool names, titles/summaries, descriptions, tags, HTTP method and path
 * words), built once per catalogue load and then read-only, so a query is
 * a few postings walks (BM25F with field weights and a synonym table;
 * README "How search works").
 *
 * Documents are numbered in the order given to search_build; built from a
 * catalogue, document i is cat->tools[i]. The index never looks at scope:
 * the caller's keep() decides which documents may be returned.
 */
#ifndef CFMCP_SEARCH_H
#define CFMCP_SEARCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "catalog.h"

/* Longest query we tokenize (longer input is refused by the caller). */
#define SEARCH_MAX_QUERY 500
/* Most results one query returns. */
#define SEARCH_MAX_RESULTS 50

/* One operation as the index sees it; strings are NUL-terminated and only
 * read during search_build (none may be NULL except desc and tags). */
struct search_doc {
	const char *name;   /* list_all_cloudflare_zones */
	const char *http;   /* GET, POST, ... */
	const char *path;   /* /zones/{zone_id}/dns_records */
	const char *title;  /* summary */
	const char *desc;   /* may be NULL */
	const char *const *tags; /* NULL-terminated, may be NULL */
	const cJSON *schema; /* input schema: its property names and enum
	                      * values are words too; may be NULL */
};

struct search_index;

struct search_hit {
	size_t doc;   /* document number */
	double score; /* > 0; higher is better */
};

/* Build an index over n documents. Returns the index (caller frees with
 * search_free), or NULL when out of memory. */
struct search_index *search_build(const struct search_doc *docs, size_t n)
	__attribute__((warn_unused_result));

/* Build an index over cat's tools (document i = cat->tools[i]), taking
 * each tool's title and description from its rendered JSON. NULL when out
 * of memory or a tool's JSON does not parse. */
struct search_index *search_build_catalog(const struct catalog *cat)
	__attribute__((nonnull, warn_unused_result));

void search_free(struct search_index *ix);

/* Documents in the index. */
size_t search_size(const struct search_index *ix) __attribute__((nonnull, pure));

/* Document doc's title (its summary), owned by the index; "" when out of range. */
const char *search_title(const struct search_index *ix, size_t doc) __attribute__((nonnull));

/*
 * Rank documents for the query q (qlen bytes, any bytes; at most
 * SEARCH_MAX_QUERY are read). Only documents for which keep(ud, doc)
 * returns non-zero are considered (keep may be NULL: all). Writes up to
 * max (<= SEARCH_MAX_RESULTS) hits, best first, ties by document number,
 * into out. A query with no usable words ranks every kept document
 * equally (catalogue order). Returns the number of hits, or -1 when out
 * of memory.
 */
int search_query(const struct search_index *ix, const char *q, size_t qlen,
	int (*keep)(const void *ud, size_t doc), const void *ud, struct search_hit *out, size_t max)
	__attribute__((nonnull(1, 2, 6), warn_unused_result));

#endif
