/*
 * cursor.c - our opaque list cursors (cursor.h): a kind byte and a value,
 * as unpadded base64url (b64url.c, the one codec), so a client passes
 * them back without reading anything into them.
 */
#include "first.h"

#include <string.h>

#include "b64url.h"
#include "cursor.h"

/* The kind byte and value bytes that CURSOR_MAX_TEXT characters hold. */
#define CURSOR_MAX_RAW (CURSOR_MAX_TEXT / 4 * 3)

int cursor_encode(struct buf *out, char kind, const char *val, size_t n)
{
	unsigned char raw[CURSOR_MAX_RAW];
	char text[CURSOR_MAX_TEXT + 1];

	/* caps agree: never issue a cursor cursor_decode would refuse */
	if (n > sizeof(raw) - 1)
		return -1;
	raw[0] = (unsigned char)kind;
	if (n)
		memcpy(raw + 1, val, n);
	if (b64url_encode(raw, n + 1, text, sizeof(text)) < 0)
		return -1;
	return buf_puts(out, text);
}

int cursor_decode(const char *in, char *kind, char *out, size_t outsz)
{
	unsigned char raw[CURSOR_MAX_RAW];
	size_t len = strnlen(in, CURSOR_MAX_TEXT + 1), vlen;
	long n;

	if (!len || len > CURSOR_MAX_TEXT)
		return -1;
	n = b64url_decode(in, len, raw, sizeof(raw));
	if (n < 1 || (raw[0] != 'p' && raw[0] != 'c' && raw[0] != 't' && raw[0] != 'a'))
		return -1;
	vlen = (size_t)n - 1;
	/* the value becomes a C string: no NUL inside, and room for one */
	if (vlen >= outsz || memchr(raw + 1, '\0', vlen))
		return -1;
	*kind = (char)raw[0];
	memcpy(out, raw + 1, vlen);
	out[vlen] = '\0';
	return 0;
}
