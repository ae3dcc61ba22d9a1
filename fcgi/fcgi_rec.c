/*
 * fcgi_rec.c - FastCGI 1.0 records; see fcgi_rec.h. Section numbers are
 * those of the FastCGI Specification 1.0 (Open Market, 1996).
 */
#include "../common/first.h"

#include <string.h>

#include "fcgi_rec.h"

#define HDR 8

long fcgi_rec_parse(const unsigned char *p, size_t n, struct fcgi_rec *r)
{
	size_t clen, plen;

	if (n < HDR)
		return 0;
	if (p[0] != 1) /* §3.3: FCGI_VERSION_1 */
		return -1;
	clen = (size_t)p[4] << 8 | p[5];
	plen = p[6];
	if (n < HDR + clen + plen)
		return 0;
	r->type = p[1];
	r->id = (unsigned)p[2] << 8 | p[3];
	r->content = p + HDR;
	r->len = clen;
	return (long)(HDR + clen + plen);
}

/* §3.4: a length below 128 is one byte, else four with the top bit set. */
static int pair_len(const unsigned char **p, size_t *n, size_t *len)
{
	if (*n < 1)
		return -1;
	if (!(**p & 0x80)) {
		*len = **p;
		(*p)++;
		(*n)--;
		return 0;
	}
	if (*n < 4)
		return -1;
	*len = ((size_t)((*p)[0] & 0x7f) << 24) | ((size_t)(*p)[1] << 16) | ((size_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	*n -= 4;
	return 0;
}

int fcgi_pair_next(const unsigned char **p, size_t *n, const char **name, size_t *nlen,
	const char **value, size_t *vlen)
{
	if (*n == 0)
		return 0;
	if (pair_len(p, n, nlen) < 0 || pair_len(p, n, vlen) < 0 || *nlen > *n || *vlen > *n - *nlen)
		return -1;
	*name = (const char *)*p;
	*value = (const char *)*p + *nlen;
	*p += *nlen + *vlen;
	*n -= *nlen + *vlen;
	return 1;
}

static int header(struct buf *out, unsigned type, unsigned id, size_t len, size_t pad)
{
	unsigned char h[HDR] = { 1, (unsigned char)type, (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 8), (unsigned char)len, (unsigned char)pad, 0 };

	return buf_append(out, h, sizeof(h));
}

int fcgi_rec_stdout(struct buf *out, unsigned id, const char *data, size_t n)
{
	static const char zeros[8];
	size_t start = out->len;

	while (n) {
		size_t k = n > 65535 ? 65535 : n;
		size_t pad = (8 - (k & 7)) & 7; /* §3.3: keep records 8-byte aligned */
		if (header(out, FCGI_T_STDOUT, id, k, pad) || buf_append(out, data, k) ||
		    (pad && buf_append(out, zeros, pad)))
			goto fail;
		data += k;
		n -= k;
	}
	return 0;
fail:
	out->len = start;
	return -1;
}

int fcgi_rec_end(struct buf *out, unsigned id)
{
	/* §5.5: appStatus 0 (4 bytes), protocolStatus FCGI_REQUEST_COMPLETE */
	static const unsigned char body[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t start = out->len;

	if (header(out, FCGI_T_STDOUT, id, 0, 0) || header(out, FCGI_T_END_REQUEST, id, 8, 0) ||
	    buf_append(out, body, sizeof(body))) {
		out->len = start;
		return -1;
	}
	return 0;
}
