/*
 * words.c - see words.h. One loop, so every list in the program splits
 * the same way (issue 11: four hand-written copies disagreed on whether a
 * space separates).
 */
#include "first.h"

#include <string.h>

#include "words.h"

#define WORDS_SEP ", "

size_t words_next(const char **cur, const char **word)
{
	const char *p = *cur + strspn(*cur, WORDS_SEP);
	size_t n = strcspn(p, WORDS_SEP);

	*word = p;
	*cur = p + n;
	return n;
}

int words_has(const char *list, const char *w, size_t n)
{
	const char *word;
	size_t k;

	while ((k = words_next(&list, &word)))
		if (k == n && !memcmp(word, w, n))
			return 1;
	return 0;
}
