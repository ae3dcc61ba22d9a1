/*
 * test_sse.c - the legacy HTTP+SSE transport's pure parts: session ids
 * and names (sessions.c), the FastCGI record codec of the streams process
 * (fcgi/fcgi_rec.c), and POST /mcp/<token>/messages through the router
 * with a fake session store and a fake PUBLISH (no Redis).
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/router.h"
#include "../../common/sessions.h"
#include "../../common/xalloc.h"
#include "../../fcgi/fcgi_rec.c"
#include "../tap.h"

#define TOK "good-token-0123456789"
#define OTHER "other-token-0123456789"

static int store_down;
static long publish_result = 1;
static int publishes;
static char published[65536];
static char session_hash[65]; /* the token a session was opened with */
static char session_id[SESSION_ID_LEN + 1];

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	snprintf(out->account, sizeof(out->account), "unit");
	return strlen(hash) == 64 ? STORE_OK : STORE_NOTFOUND;
}

static enum store_rc fake_session_get(void *ud, const char *sid, char *hash, size_t hashsz)
{
	(void)ud;
	if (store_down)
		return STORE_DOWN;
	if (strcmp(sid, session_id))
		return STORE_NOTFOUND;
	snprintf(hash, hashsz, "%s", session_hash);
	return STORE_OK;
}

static long fake_publish(void *ud, const char *sid, const char *msg, size_t n)
{
	(void)ud;
	(void)sid;
	publishes++;
	snprintf(published, sizeof(published), "%.*s", (int)n, msg);
	return publish_result;
}

static long fake_now(void) { return 1700000000L; }

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;

static void post(const char *tok, const char *query, const char *body, const char *const *hdrs,
	struct http_response *resp)
{
	struct http_request req;
	char path[256];
	size_t i;

	snprintf(path, sizeof(path), "/mcp/%s/messages", tok);
	http_request_init(&req);
	req.method = xstrdup("POST");
	req.path = xstrdup(path);
	req.query = query ? xstrdup(query) : NULL;
	if (http_request_add_header(&req, STRLIT("content-type"), STRLIT("application/json")))
		abort();
	for (i = 0; hdrs && hdrs[i]; i += 2)
		if (http_request_add_header(&req, hdrs[i], strlen(hdrs[i]), hdrs[i + 1], strlen(hdrs[i + 1])))
			abort();
	if (body && buf_puts(&req.body, body))
		abort();
	http_response_init(resp);
	publishes = 0;
	published[0] = '\0';
	router_handle(&env, &req, resp);
	http_request_free(&req);
}

static int has(const struct http_response *r, const char *s)
{
	return r->body.p && strstr(r->body.p, s) != NULL;
}

static void test_sessions(void)
{
	char a[SESSION_ID_LEN + 1], b[SESSION_ID_LEN + 1], name[SESSION_NAME_MAX], q[256];
	const char *tok;
	size_t tn;
	struct buf ev;

	ok(session_id_new(a) == 0 && session_id_new(b) == 0, "two session ids");
	is_int(strlen(a), SESSION_ID_LEN, "a session id is 43 characters (256 bits)");
	ok(strcmp(a, b) != 0, "session ids differ");
	ok(session_id_valid(a, strlen(a)), "an issued id is valid");
	ok(!session_id_valid(a, strlen(a) - 1), "one character short is not");
	{
		char c[SESSION_ID_LEN + 2];
		memcpy(c, a, SESSION_ID_LEN);
		c[SESSION_ID_LEN] = 'A';
		c[SESSION_ID_LEN + 1] = '\0';
		ok(!session_id_valid(c, SESSION_ID_LEN + 1), "one character long is not");
		memcpy(c, a, SESSION_ID_LEN + 1);
		c[5] = '%';
		ok(!session_id_valid(c, SESSION_ID_LEN), "a character outside base64url is not");
		c[5] = a[5];
		c[SESSION_ID_LEN - 1] = 'B'; /* spare bits set: not our encoder's spelling */
		ok(!session_id_valid(c, SESSION_ID_LEN), "a last character with spare bits set is not");
	}
	snprintf(q, sizeof(q), "session_id=%s", a);
	ok(session_id_from_query(q, b) == 0 && !strcmp(a, b), "session_id from the query");
	snprintf(q, sizeof(q), "x=1&session_id=%s&y=2", a);
	ok(session_id_from_query(q, b) == 0 && !strcmp(a, b), "session_id among other parameters");
	snprintf(q, sizeof(q), "session_id=%s&session_id=%s", a, a);
	ok(session_id_from_query(q, b) < 0, "session_id given twice is refused");
	ok(session_id_from_query("session_id=", b) < 0, "an empty session_id is refused");
	ok(session_id_from_query("session_idx=1", b) < 0, "no session_id");
	ok(session_id_from_query(NULL, b) < 0, "no query");
	ok(session_key(a, name) == 0 && !strncmp(name, "cfmcp:sse:", 10) && !strcmp(name + 10, a), "key name");
	ok(session_channel(a, name) == 0 && !strncmp(name, "cfmcp:sse-ch:", 13), "channel name");
	ok(session_channel_id(name, strlen(name)) && !strcmp(session_channel_id(name, strlen(name)), a),
		"the id back from a channel name");
	ok(!session_channel_id("cfmcp:sse-ch:x", 14), "not a channel of ours");
	ok(session_key("../x", name) < 0, "a key for a malformed id is refused");
	ok(session_path("/mcp/" TOK "/sse", "sse", &tok, &tn) && tn == strlen(TOK) && !memcmp(tok, TOK, tn),
		"token from /mcp/<token>/sse");
	ok(!session_path("/mcp/" TOK "/sse/x", "sse", &tok, &tn), "a longer path is not the stream");
	ok(!session_path("/mcp//sse", "sse", &tok, &tn), "an empty token is not");
	ok(!session_path("/mcp/" TOK, "sse", &tok, &tn), "/mcp/<token> is not");
	ok(!session_path("/mcp/a/b/sse", "sse", &tok, &tn), "a token with a slash is not");
	buf_init(&ev, 0);
	ok(session_endpoint_event(&ev, STRLIT(TOK), a) == 0, "endpoint event");
	snprintf(q, sizeof(q), "event: endpoint\ndata: /mcp/" TOK "/messages?session_id=%s\n\n", a);
	is_str(ev.p, q, "endpoint event bytes (MCP 2024-11-05 HTTP+SSE)");
	buf_free(&ev);
}

static void test_fcgi(void)
{
	struct buf out;
	struct fcgi_rec r;
	const unsigned char *p;
	size_t n;
	const char *nm, *v;
	size_t nl, vl;
	unsigned char params[600];
	size_t i, k = 0;
	char big[300];

	buf_init(&out, 0);
	ok(fcgi_rec_stdout(&out, 7, STRLIT("hello")) == 0, "STDOUT record");
	is_int(out.len, 16, "8 header + 5 + 3 padding");
	ok(fcgi_rec_parse((unsigned char *)out.p, out.len, &r) == 16 && r.type == FCGI_T_STDOUT && r.id == 7 &&
		r.len == 5 && !memcmp(r.content, "hello", 5), "parses back");
	ok(fcgi_rec_parse((unsigned char *)out.p, 15, &r) == 0, "a partial record waits for more");
	ok(fcgi_rec_parse((unsigned char *)out.p, 7, &r) == 0, "a partial header waits for more");
	out.p[0] = 2;
	ok(fcgi_rec_parse((unsigned char *)out.p, out.len, &r) < 0, "version 2 is refused");
	buf_reset(&out);
	{
		char *huge = malloc(70000);
		memset(huge, 'x', 70000);
		ok(fcgi_rec_stdout(&out, 1, huge, 70000) == 0, "70000 bytes of STDOUT");
		ok(fcgi_rec_parse((unsigned char *)out.p, out.len, &r) > 0 && r.len == 65535, "split at 65535");
		free(huge);
	}
	buf_reset(&out);
	ok(fcgi_rec_end(&out, 3) == 0 && out.len == 24, "end: empty STDOUT + END_REQUEST");
	ok(fcgi_rec_parse((unsigned char *)out.p + 8, 16, &r) == 16 && r.type == FCGI_T_END_REQUEST && r.len == 8,
		"END_REQUEST record");
	buf_free(&out);
	buf_init(&out, 20);
	ok(fcgi_rec_stdout(&out, 1, STRLIT("0123456789abcdef")) < 0 && out.len == 0, "past the cap: refused, unchanged");
	buf_free(&out);

	/* PARAMS: a short pair, then a long value (4-byte length) */
	params[k++] = 14;
	params[k++] = 3;
	memcpy(params + k, "REQUEST_METHOD", 14);
	k += 14;
	memcpy(params + k, "GET", 3);
	k += 3;
	memset(big, 'v', sizeof(big));
	params[k++] = 11;
	params[k++] = 0x80;
	params[k++] = 0;
	params[k++] = (unsigned char)(sizeof(big) >> 8);
	params[k++] = (unsigned char)sizeof(big);
	memcpy(params + k, "REQUEST_URI", 11);
	k += 11;
	memcpy(params + k, big, sizeof(big));
	k += sizeof(big);
	p = params;
	n = k;
	ok(fcgi_pair_next(&p, &n, &nm, &nl, &v, &vl) == 1 && nl == 14 && vl == 3 && !memcmp(v, "GET", 3), "pair 1");
	ok(fcgi_pair_next(&p, &n, &nm, &nl, &v, &vl) == 1 && nl == 11 && vl == sizeof(big), "pair 2 (4-byte length)");
	ok(fcgi_pair_next(&p, &n, &nm, &nl, &v, &vl) == 0, "end of PARAMS");
	for (i = 1; i < k; i++) {
		int rc;
		p = params;
		n = i;
		while ((rc = fcgi_pair_next(&p, &n, &nm, &nl, &v, &vl)) == 1)
			;
		if (i != 19 && rc != -1) /* 19: exactly the first pair */
			break;
	}
	ok(i == k, "every truncation of the PARAMS stream is malformed, never read past (%zu)", i);
	params[0] = 0xff; /* a 4-byte name length far past the end */
	p = params;
	n = k;
	ok(fcgi_pair_next(&p, &n, &nm, &nl, &v, &vl) == -1, "a length past the end is refused");
}

static void test_post(void)
{
	struct http_response r;
	char q[128], other_hash[65];
	static const char *const MODERN_HDR[] = { "mcp-protocol-version", "2026-07-28", NULL };
	static const char *const BAD_ORIGIN[] = { "origin", "https://evil.example", NULL };
	static const char INIT[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
		"\"2024-11-05\",\"capabilities\":{},\"clientInfo\":{\"name\":\"u\",\"version\":\"1\"}}}";

	if (session_id_new(session_id) < 0 || crypto_token_hash(STRLIT(TOK), session_hash) < 0 ||
	    crypto_token_hash(STRLIT(OTHER), other_hash) < 0)
		abort();
	snprintf(q, sizeof(q), "session_id=%s", session_id);

	post(TOK, q, INIT, NULL, &r);
	is_int(r.status, 202, "POST initialize to a live session: 202");
	is_int(r.body.len, 0, "... with an empty body");
	ok(publishes == 1 && strstr(published, "\"protocolVersion\":\"2024-11-05\"") && strstr(published, "\"id\":1"),
		"... and the answer is published to the stream: %s", published);
	http_response_free(&r);

	post(TOK, q, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", NULL, &r);
	ok(r.status == 202 && publishes == 0, "a notification: 202, nothing published");
	http_response_free(&r);

	post(TOK, q, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}", NULL, &r);
	ok(r.status == 202 && publishes == 1 && strstr(published, "-32601"), "an unknown method's error goes to the stream");
	http_response_free(&r);

	post(TOK, q, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}", NULL, &r);
	ok(r.status == 202 && publishes == 1 && strstr(published, "\"tools\":["), "tools/list answered on the stream");
	http_response_free(&r);

	post(OTHER, q, INIT, NULL, &r);
	ok(r.status == 404 && publishes == 0 && has(&r, "-32001") && has(&r, "unknown or finished session"),
		"another token's URL with this session: 404, JSON-RPC error, nothing published");
	http_response_free(&r);

	post(TOK, "session_id=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", INIT, NULL, &r);
	ok(r.status == 404 && publishes == 0 && has(&r, "\"jsonrpc\":\"2.0\""), "an unknown session: 404 with a JSON-RPC error");
	http_response_free(&r);

	post(TOK, NULL, INIT, NULL, &r);
	ok(r.status == 404 && publishes == 0, "no session_id: 404");
	http_response_free(&r);

	post(TOK, "session_id=../../etc", INIT, NULL, &r);
	ok(r.status == 404 && publishes == 0, "a malformed session_id: 404");
	http_response_free(&r);

	publish_result = 0;
	post(TOK, q, INIT, NULL, &r);
	ok(r.status == 404 && publishes == 1 && has(&r, "unknown or finished session"),
		"no stream received the answer (PUBLISH counted 0): 404");
	http_response_free(&r);
	publish_result = -1;
	post(TOK, q, INIT, NULL, &r);
	ok(r.status == 503 && r.headers.p && strstr(r.headers.p, "Retry-After: 1"), "PUBLISH failed: 503 + Retry-After");
	http_response_free(&r);
	publish_result = 1;

	store_down = 1;
	post(TOK, q, INIT, NULL, &r);
	ok(r.status == 503 && publishes == 0, "session store down: 503");
	http_response_free(&r);
	store_down = 0;

	post(TOK, q, INIT, MODERN_HDR, &r);
	ok(r.status == 400 && publishes == 0 && has(&r, "-32022"), "2026-07-28 is not offered on this transport (-32022)");
	/* the error's list of supported versions must agree with that */
	ok(has(&r, "\"supported\":[\"2025-11-25\"") && !has(&r, "\"supported\":[\"2026-07-28\""),
		"bug_sse_version_error_lists_modern: -32022 on this transport does not list 2026-07-28 as supported");
	http_response_free(&r);

	post(TOK, q, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
		"\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
		NULL, &r);
	ok(r.status == 202 && publishes == 1 && strstr(published, "\"tools\":["), "_meta does not switch the era here");
	http_response_free(&r);

	post(TOK, q, INIT, BAD_ORIGIN, &r);
	ok(r.status == 403 && publishes == 0, "a foreign Origin: 403 (DNS rebinding), as on Streamable HTTP");
	http_response_free(&r);

	post(TOK, q, "{\"jsonrpc\":", NULL, &r);
	ok(r.status == 400 && publishes == 0 && has(&r, "-32700"), "unparsable JSON: 400 -32700 on the POST");
	http_response_free(&r);
}

int main(void)
{
	char err[512];

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	{
		char kf[] = "/tmp/cfmcp-unit-key-XXXXXX";
		int fd = mkstemp(kf);
		static const char key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
		if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
			abort();
		close(fd);
		setenv("CFMCP_KEY_FILE", kf, 1);
		ok(config_load(&cfg, err, sizeof(err)) == 0, "config loads: %s", err);
		unlink(kf);
	}
	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "catalogue loads: %s", err);
	env.cfg = &cfg;
	env.cat = &cat;
	env.lookup = fake_lookup;
	env.now = fake_now;
	env.session_get = fake_session_get;
	env.publish = fake_publish;

	test_sessions();
	test_fcgi();
	test_post();

	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
