/*
 * cfid.c - the shape of a Cloudflare object id (cfid.h).
 */
#include "first.h"

#include <string.h>

#include "cfid.h"

int cfid_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 32 && !s[32];
}
