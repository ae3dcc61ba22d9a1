/*
 * pct.c - percent-decoding (pct.h).
 */
#include "first.h"

#include "pct.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

long pct_decode(const char *v, size_t n, char *out, size_t outsz)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)v[i];
		if (c == '%') {
			int hi = i + 2 < n ? hexval(v[i + 1]) : -1, lo = hi >= 0 ? hexval(v[i + 2]) : -1;
			if (lo < 0)
				return PCT_BAD_ESCAPE;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0')
			return PCT_NUL;
		if (k + 1 >= outsz)
			return PCT_TOO_LONG;
		out[k++] = (char)c;
	}
	if (outsz == 0)
		return PCT_TOO_LONG;
	out[k] = '\0';
	return (long)k;
}
