/*
 * fuzz_core.c - libFuzzer target for the request core (router_handle: the
 * MCP endpoint of both eras, with a fake store and upstream).
 * Input: "<path>\n<Header: value lines>\n\n<body>\0<upstream answer>".
 * Without a blank line the whole input is the body of a POST to a valid
 * token URL with JSON headers. Invariants checked beyond "no crash":
 * every answer has a status in 200..599 and a JSON answer parses.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../common/router.h"
#include "../../common/xalloc.h"
#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_env *env = fuzz_env();
	struct http_request req;
	struct http_response resp;
	const char *p = (const char *)data, *end = p + size, *sep, *nul;
	size_t bodylen;

	http_request_init(&req);
	http_response_init(&resp);
	nul = memchr(p, '\0', size);
	fuzz_upstream_body(nul ? (const uint8_t *)nul + 1 : (const uint8_t *)"", nul ? (size_t)(end - nul - 1) : 0);
	if (nul)
		end = nul;
	sep = NULL;
	for (const char *q = p; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			sep = q;
			break;
		}
	req.method = xstrdup("POST");
	if (sep) {
		const char *nl = memchr(p, '\n', (size_t)(sep - p) + 1);
		req.path = xstrndup(p, (size_t)(nl - p));
		for (const char *line = nl + 1; line < sep;) {
			const char *le = memchr(line, '\n', (size_t)(sep - line));
			const char *colon;
			if (!le)
				le = sep;
			colon = memchr(line, ':', (size_t)(le - line));
			if (colon && colon > line) {
				const char *v = colon + 1;
				while (v < le && *v == ' ')
					v++;
				if (colon - line == 6 && !memcmp(line, "method", 6)) {
					xfree(req.method);
					req.method = xstrndup(v, (size_t)(le - v));
				} else if (http_request_add_header(&req, line, (size_t)(colon - line), v, (size_t)(le - v)) < 0) {
					break;
				}
			}
			line = le + 1;
		}
		p = sep + 2;
	} else {
		req.path = xstrdup("/mcp/0ood-token-0123456789abcdefABCDEF_-xyz");
		if (http_request_add_header(&req, "content-type", 12, "application/json", 16) < 0 ||
		    http_request_add_header(&req, "accept", 6, "application/json, text/event-stream", 35) < 0)
			abort();
	}
	bodylen = p < end ? (size_t)(end - p) : 0;
	if (!req.method || !req.path || buf_append(&req.body, p, bodylen))
		abort();
	router_handle(env, &req, &resp);
	if (resp.status < 200 || resp.status > 599)
		abort();
	if (resp.body.len && resp.headers.p && strstr(resp.headers.p, "Content-Type: application/json")) {
		cJSON *j = cJSON_ParseWithLength(resp.body.p, resp.body.len);
		if (!j)
			abort(); /* we said JSON: it must be */
		cJSON_Delete(j);
	}
	http_request_free(&req);
	http_response_free(&resp);
	return 0;
}
