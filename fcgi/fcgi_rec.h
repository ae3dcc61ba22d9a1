/*
 * fcgi_rec.h - a minimal FastCGI 1.0 record codec for the streams
 * process, which holds thousands of requests at once in one event loop
 * where libfcgi's FCGX API blocks per request. Pure: bytes in, bytes out.
 *
 * Only the Responder role's records (FastCGI 1.0 §5): BEGIN_REQUEST,
 * PARAMS, STDIN, ABORT_REQUEST in; STDOUT, END_REQUEST out. One request
 * per connection (lighttpd and Apache never multiplex; FCGI_KEEP_CONN is
 * honoured by closing anyway, which both accept).
 */
#ifndef CFMCP_FCGI_REC_H
#define CFMCP_FCGI_REC_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

enum fcgi_type {
	FCGI_T_BEGIN_REQUEST = 1,
	FCGI_T_ABORT_REQUEST = 2,
	FCGI_T_END_REQUEST = 3,
	FCGI_T_PARAMS = 4,
	FCGI_T_STDIN = 5,
	FCGI_T_STDOUT = 6,
	FCGI_T_GET_VALUES = 9,
	FCGI_T_UNKNOWN_TYPE = 11,
};

/* One record as it lies in the input: content points into it. */
struct fcgi_rec {
	unsigned type;
	unsigned id;
	const unsigned char *content;
	size_t len;
};

/*
 * The record at the start of p (n bytes): > 0, the bytes it takes (header,
 * content and padding), with *r filled; 0 when p holds less than a whole
 * record yet; -1 when the header is not FastCGI version 1.
 */
long fcgi_rec_parse(const unsigned char *p, size_t n, struct fcgi_rec *r) __attribute__((nonnull));

/*
 * The next name-value pair of a PARAMS stream (§3.4: 1- or 4-byte
 * lengths). 1 with name/value set and *p, *n advanced; 0 at the end;
 * -1 when a length runs past the end (a malformed stream).
 */
int fcgi_pair_next(const unsigned char **p, size_t *n, const char **name, size_t *nlen,
	const char **value, size_t *vlen) __attribute__((nonnull));

/* Append data as STDOUT records of request id (65535 bytes each at
 * most; n == 0 appends nothing). 0 or -1 (out's cap, out of memory). */
int fcgi_rec_stdout(struct buf *out, unsigned id, const char *data, size_t n)
	__attribute__((nonnull(1), warn_unused_result));

/* Append the end of request id: an empty STDOUT (end of stream) and
 * END_REQUEST with appStatus 0, FCGI_REQUEST_COMPLETE. 0 or -1. */
int fcgi_rec_end(struct buf *out, unsigned id) __attribute__((nonnull, warn_unused_result));

#endif
