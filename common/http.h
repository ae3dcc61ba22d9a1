/*
 * http.h - the plain request and response the core speaks. The FastCGI
 * shell fills a request from FCGX params (RFC 3875 meta-variables) and
 * writes a response back; the core never sees FastCGI.
 */
#ifndef CFMCP_HTTP_H
#define CFMCP_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "caps.h"

struct http_header {
	char *name;  /* lower-case, '-' separated ("mcp-method"); owned */
	char *value; /* owned, NUL-terminated */
};

/* What kept the shell from building the whole request. The router answers
 * a request with a fault itself, before any handler (and before auth). */
enum http_fault {
	HTTP_FAULT_NONE = 0,
	HTTP_FAULT_NOMEM,   /* an allocation failed while reading it: 500, JSON-RPC -32603 */
	HTTP_FAULT_HEADERS, /* more than CAP_HEADERS headers: 431 (RFC 6585 §5) */
};

struct http_request {
	char *method;      /* "POST"...; owned */
	char *path;        /* REQUEST_URI without the query; raw, undecoded; owned */
	char *query;       /* the part after '?', raw; owned; NULL when none */
	struct http_header headers[CAP_HEADERS];
	size_t nheaders;
	long content_length;  /* -1 when absent */
	struct buf body;      /* capped at the configured body cap */
	int body_too_large;   /* the shell stopped reading at the cap */
	enum http_fault fault; /* HTTP_FAULT_NONE unless the shell gave up */
	/* The peer's address as the web server saw it (REMOTE_ADDR, RFC 3875
	 * §4.1.8; a FastCGI param, never a header); "" when unknown. */
	char remote_addr[64];
};

struct http_response {
	int status;
	struct buf headers; /* "Name: value\r\n" lines */
	struct buf body;
};

void http_request_init(struct http_request *r);
void http_request_free(struct http_request *r);
/* Add a header; name is copied, lower-cased, '_' becomes '-'. Returns
 * HTTP_ADD_OK, HTTP_ADD_NOMEM, or HTTP_ADD_FULL when the request already
 * holds CAP_HEADERS headers (nothing added; the caller decides: the shell
 * refuses the request with 431, since a dropped header could be Origin). */
enum http_add { HTTP_ADD_OK = 0, HTTP_ADD_NOMEM = -1, HTTP_ADD_FULL = -2 };
int http_request_add_header(struct http_request *r, const char *name, size_t nlen,
	const char *value, size_t vlen) __attribute__((warn_unused_result));
/* Value of the first header called name (lower-case), or NULL. */
const char *http_request_header(const struct http_request *r, const char *name)
	__attribute__((nonnull));

/* Authorization: Bearer <token> (RFC 6750 §2.1): 1 with the token, blanks
 * trimmed, in *tok and *n; 0 without an Authorization header; -1 when the
 * header is there but names another scheme. */
int http_request_bearer(const struct http_request *r, const char **tok, size_t *n)
	__attribute__((nonnull));

void http_response_init(struct http_response *r);
void http_response_free(struct http_response *r);
/* Append a response header. name and value must not contain CR or LF;
 * a value that does is dropped (header injection guard). */
int http_response_header(struct http_response *r, const char *name, const char *value)
	__attribute__((nonnull, warn_unused_result));
/* Reason phrase for a status code. */
const char *http_reason(int status);

#endif
