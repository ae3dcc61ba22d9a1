/*
 * b64url.c - unpadded base64url (RFC 4648 §5), a 6-bit window over the
 * bytes; see b64url.h for the contract.
 */
#include "first.h"

#include "b64url.h"

static const char B64URL[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_len(size_t n)
{
	return (n * 4 + 2) / 3;
}

int b64url_encode(const void *p, size_t n, char *out, size_t outsz)
{
	const unsigned char *in = p;
	size_t i, o = 0;
	unsigned int acc = 0;
	int bits = 0;

	if (outsz < b64url_len(n) + 1)
		return -1;
	for (i = 0; i < n; i++) {
		acc = ((acc << 8) | in[i]) & 0xffffu;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = B64URL[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = B64URL[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	return 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long b64url_decode(const char *s, size_t n, unsigned char *out, size_t outsz)
{
	size_t i, o = 0;
	unsigned int acc = 0;
	int bits = 0;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = ((acc << 6) | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsz)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}
