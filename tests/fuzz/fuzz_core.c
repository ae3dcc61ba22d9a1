/*
 * fuzz_core.c - libFuzzer target for the request core (router_handle: the
 * MCP endpoint of both eras, with a fake store and upstream).
 * Input: "<path>\n<Header: value lines>\n\n<body>\0<upstream answer>".
 * Without a blank line the whole input is the body of a POST to a valid
 * token URL with JSON headers. The upstream answer (after the first NUL)
 * is what a tools/call gets back: seeds in corpus/core pair a tools/call
 * with Cloudflare envelopes and their hostile variants (result_info with
 * huge, negative, fractional or string numbers; pretty-printed bodies).
 * Tool results are capped at FUZZ_RESULT_MAX bytes so truncation is
 * reachable within -max_len.
 * Invariants checked beyond "no crash":
 *   - every answer has a status in 200..599 and a JSON answer parses;
 *   - an SSE answer is exactly one event whose data (data lines joined
 *     with LF, as a client reads them) parses as JSON;
 *   - every next_cursor we offer decodes, and a page cursor names a page
 *     plan_build accepts back (1..CAP_CURSOR_PAGE_MAX).
 */
#include "../../common/first.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../common/caps.h"
#include "../../common/cursor.h"
#include "../../common/json.h"
#include "../../common/router.h"
#include "../../common/xalloc.h"
#include "fuzz_env.h"

#define FUZZ_RESULT_MAX "4096"

/* The data of an event stream's events joined as a client reads them
 * (WHATWG HTML, "Parsing an event stream"): lines end at CRLF, LF or CR;
 * data values joined with LF. Returns the number of events (-1 when the
 * stream does not end with a complete event); *out gets the last one's
 * data (caller frees), or NULL. */
static int sse_events(const char *p, size_t n, char **out)
{
	const char *end = p + n;
	struct buf cur;
	int events = 0, have = 0;

	buf_init(&cur, 0);
	*out = NULL;
	while (p < end) {
		const char *le = p;
		while (le < end && *le != '\n' && *le != '\r')
			le++;
		if (le == end) {
			events = -1; /* a last line without its line break */
			break;
		}
		if (le == p) {
			if (have) {
				events++;
				xfree(*out);
				*out = xstrndup(cur.p ? cur.p : "", cur.len);
				if (!*out)
					abort();
			}
			buf_reset(&cur);
			have = 0;
		} else if (le - p >= 5 && !memcmp(p, "data:", 5)) {
			const char *v = p + 5;
			if (v < le && *v == ' ')
				v++;
			if ((have && buf_append(&cur, "\n", 1)) || buf_append(&cur, v, (size_t)(le - v)))
				abort();
			have = 1;
		}
		p = *le == '\r' && le + 1 < end && le[1] == '\n' ? le + 2 : le + 1;
	}
	if (have)
		events = -1; /* data without the blank line that dispatches it */
	buf_free(&cur);
	return events;
}

/* A next_cursor in one JSON-RPC answer must be one we can take back. */
static void check_cursor(const cJSON *msg)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(msg, "result");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(res, "structuredContent");
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(sc, "next_cursor");
	char kind, val[400], *end;
	long pg;

	if (!nc || cJSON_IsNull(nc))
		return;
	if (!cJSON_IsString(nc) || cursor_decode(nc->valuestring, &kind, val, sizeof(val)) < 0)
		abort(); /* a cursor plan_build would refuse as malformed */
	if (kind == 'p') {
		pg = strtol(val, &end, 10);
		if (*end || pg < 2 || pg > CAP_CURSOR_PAGE_MAX)
			abort(); /* the page after page >= 1, within plan.c's bound */
	} else if (kind != 'c') {
		abort();
	}
}

static void check_answer(const char *p, size_t n)
{
	cJSON *j, *m;
	const char *why;

	/* UTF-8 checked first: cJSON alone accepts invalid bytes, which is how
	 * bug_upstream_invalid_utf8 went unseen by this target (huge limits:
	 * only the encoding is judged here) */
	if (json_prescan(p, n, INT32_MAX, SIZE_MAX, &why) != JSON_OK)
		abort(); /* we said JSON: it must be valid UTF-8 JSON */
	j = cJSON_ParseWithLength(p, n);
	if (!j)
		abort(); /* we said JSON: it must be */
	if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(m, j)
			check_cursor(m);
	} else {
		check_cursor(j);
	}
	cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_env *env;
	struct http_request req;
	struct http_response resp;
	const char *p = (const char *)data, *end = p + size, *sep, *nul;
	size_t bodylen;
	static int once;

	if (!once) {
		/* before fuzz_env() loads the configuration */
		setenv("CFMCP_RESULT_MAX", FUZZ_RESULT_MAX, 0);
		once = 1;
	}
	env = fuzz_env();
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
		check_answer(resp.body.p, resp.body.len);
	} else if (resp.body.len && resp.headers.p && strstr(resp.headers.p, "Content-Type: text/event-stream")) {
		char *ev = NULL;
		if (sse_events(resp.body.p, resp.body.len, &ev) != 1)
			abort(); /* one answer, one whole event */
		check_answer(ev, strlen(ev));
		xfree(ev);
	}
	http_request_free(&req);
	http_response_free(&resp);
	return 0;
}
