/*
 * http.c - request/response containers and header helpers.
 */
#include "first.h"

#include <string.h>
#include <strings.h>

#include "http.h"
#include "xalloc.h"

void http_request_init(struct http_request *r)
{
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	buf_init(&r->body, 0);
}

void http_request_free(struct http_request *r)
{
	size_t i;

	if (!r)
		return;
	xfree(r->method);
	xfree(r->path);
	xfree(r->query);
	for (i = 0; i < r->nheaders; i++) {
		xfree(r->headers[i].name);
		xfree(r->headers[i].value);
	}
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
}

int http_request_add_header(struct http_request *r, const char *name, size_t nlen,
	const char *value, size_t vlen)
{
	struct http_header *h;
	size_t i;

	if (r->nheaders == CAP_HEADERS)
		return HTTP_ADD_FULL;
	h = &r->headers[r->nheaders];
	h->name = xstrndup(name, nlen);
	h->value = xstrndup(value, vlen);
	if (!h->name || !h->value) {
		xfree(h->name);
		xfree(h->value);
		h->name = h->value = NULL;
		return HTTP_ADD_NOMEM;
	}
	for (i = 0; i < nlen; i++) {
		char c = h->name[i];
		if (c >= 'A' && c <= 'Z')
			h->name[i] = (char)(c - 'A' + 'a');
		else if (c == '_')
			h->name[i] = '-';
	}
	r->nheaders++;
	return HTTP_ADD_OK;
}

const char *http_request_header(const struct http_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

void http_response_init(struct http_response *r)
{
	r->status = 200;
	buf_init(&r->headers, 64 * 1024);
	buf_init(&r->body, 0);
}

void http_response_free(struct http_response *r)
{
	if (!r)
		return;
	buf_free(&r->headers);
	buf_free(&r->body);
}

int http_response_header(struct http_response *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return -1;
	if (buf_puts(&r->headers, name) || buf_append(&r->headers, STRLIT(": ")) ||
	    buf_puts(&r->headers, value) || buf_append(&r->headers, STRLIT("\r\n")))
		return -1;
	return 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

int http_request_bearer(const struct http_request *r, const char **tok, size_t *n)
{
	const char *h = http_request_header(r, "authorization");
	size_t len;

	if (!h)
		return 0;
	h += strspn(h, " \t");
	if (strncasecmp(h, "Bearer ", 7))
		return -1;
	h += 7;
	h += strspn(h, " \t");
	len = strlen(h);
	while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
		len--;
	*tok = h;
	*n = len;
	return 1;
}
