/*
 * cursor.c - our opaque list cursors (cursor.h): a kind byte and a value,
 * as unpadded base64url, so a client passes them back without reading
 * anything into them.
 */
#include "first.h"

#include <string.h>

#include "cursor.h"

int cursor_encode(struct buf *out, char kind, const char *val, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned int acc = (unsigned char)kind;
	int bits = 8;
	size_t i;

	for (i = 0; i <= n; i++) {
		while (bits >= 6) {
			bits -= 6;
			if (buf_append(out, &b64[(acc >> bits) & 63], 1))
				return -1;
		}
		if (i == n)
			break;
		acc = (acc << 8) | (unsigned char)val[i];
		bits += 8;
	}
	if (bits > 0 && buf_append(out, &b64[(acc << (6 - bits)) & 63], 1))
		return -1;
	return 0;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

int cursor_decode(const char *in, char *kind, char *out, size_t outsz)
{
	unsigned int acc = 0;
	int bits = 0, first = 1;
	size_t o = 0;

	if (!*in || strlen(in) > 512)
		return -1;
	for (; *in; in++) {
		int v = b64val(*in);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			char c = (char)((acc >> (bits - 8)) & 0xff);
			bits -= 8;
			if (first) {
				*kind = c;
				first = 0;
			} else {
				if (o + 1 >= outsz || c == '\0')
					return -1;
				out[o++] = c;
			}
		}
	}
	if (first || (*kind != 'p' && *kind != 'c' && *kind != 't'))
		return -1;
	out[o] = '\0';
	return 0;
}
