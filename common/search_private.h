/*
 * search_private.h - what the files of the discovery index share, and
 * nothing outside them uses (the public contract is search.h):
 *
 *   search.c        the catalogue -> documents adapter; free, size, title
 *   search_words.c  text -> words: tokenizer, stemmer, stop words, the
 *                   synonym table and the zone-setting names
 *   search_index.c  building: interned words, postings, field weights, idf
 *   search_query.c  a query's words and weights, BM25F scoring, the top hits
 *
 * Each function is documented above its definition.
 */
#ifndef CFMCP_SEARCH_PRIVATE_H
#define CFMCP_SEARCH_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "search.h"

#define WORD_MAX 24     /* longer words are cut (stable on both sides) */
#define QUERY_TERMS 64  /* most distinct words a query keeps */
/* Weight of a synonym next to a word the person typed (search_query.c;
 * the query's domain-name hint uses it too). */
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

/* search_words.c */
int search_is_stop(const char *w) __attribute__((nonnull));
void search_stem(char *w) __attribute__((nonnull));
int search_next_word(const char *s, size_t n, size_t *pos, char *w, int skip_params)
	__attribute__((nonnull));
const char *search_synonyms(const char *raw) __attribute__((nonnull));
int search_names_setting(char rv[][WORD_MAX], size_t n, unsigned char *used) __attribute__((nonnull));

/* search_index.c; terms may be NULL while no word is interned yet */
size_t search_slot_of(const uint32_t *slots, size_t nslots, const struct term *terms, const char *s)
	__attribute__((nonnull(1, 4)));

#endif
