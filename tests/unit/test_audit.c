/*
 * test_audit.c - the audit trail's half in the core (issue 16): the
 * records the core reports through mcp_env.record for each outcome of a
 * tool call, with a fake token store and a fake upstream; the canonical
 * arguments' hash; and the XADDs audit_append sends, through a pipeline
 * hook that keeps what it is given.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

#include <hiredis/hiredis.h>

#include "../../common/audit.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/mcp.h"
#include "../../common/router.h"
#include "../../common/store.h"
#include "../../common/upstream.h"
#include "../../common/xalloc.h"
#include "../lib/loopback.h"
#include "../tap.h"

/* ---- fakes ---- */
static char sealed_cf[1024];
static const char *scope_methods = ""; /* the token's methods filter */
static int up_status = 200;
static enum upstream_err up_err = UP_OK;
static int upstream_calls;

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "mcp_00000000000000aa");
	snprintf(out->name, sizeof(out->name), "unit server");
	snprintf(out->account, sizeof(out->account), "acct_00000000000000bb");
	snprintf(out->methods, sizeof(out->methods), "%s", scope_methods);
	snprintf(out->cf_token_sealed, sizeof(out->cf_token_sealed), "%s", sealed_cf);
	return strlen(hash) == 64 ? STORE_OK : STORE_NOTFOUND;
}

static enum upstream_err fake_upstream(void *ud, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	(void)ud;
	(void)p;
	(void)token;
	upstream_calls++;
	r->status = up_status;
	r->ms = 7;
	snprintf(r->cf_ray, sizeof(r->cf_ray), "8f00aa11bb22cc33-AMS");
	if (buf_puts(&r->body, up_status == 200 ?
		    "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[{\"id\":\"a\"}]}" :
		    "{\"success\":false,\"errors\":[{\"code\":1000,\"message\":\"no\"}],\"messages\":[],\"result\":null}"))
		return r->err = UP_INTERNAL;
	return r->err = up_err;
}

static long fake_now(void) { return 1700000000L; }
static long long fake_now_ms(void) { return 1700000000123LL; }

#define MAXREC 16
static struct record recs[MAXREC];
static size_t nrecs;

static void keep_record(void *ud, const struct record *r)
{
	(void)ud;
	if (nrecs < MAXREC)
		recs[nrecs++] = *r;
}

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;

static const char *const HDRS[] = { "content-type", "application/json", "user-agent", "unit-agent/2.5 (test)", NULL };
#define TOKPATH "/mcp/good-token-0123456789"

/* POST body to the MCP endpoint with extra headers (NULL-terminated
 * pairs after HDRS); the records it made are in recs[0..nrecs-1]. */
static int call(const char *body, const char *const *more)
{
	struct http_request req;
	struct http_response resp;
	size_t i;
	int status;

	nrecs = 0;
	http_request_init(&req);
	req.method = xstrdup("POST");
	req.path = xstrdup(TOKPATH);
	for (i = 0; HDRS[i]; i += 2)
		if (http_request_add_header(&req, HDRS[i], strlen(HDRS[i]), HDRS[i + 1], strlen(HDRS[i + 1])))
			abort();
	for (i = 0; more && more[i]; i += 2)
		if (http_request_add_header(&req, more[i], strlen(more[i]), more[i + 1], strlen(more[i + 1])))
			abort();
	if (buf_puts(&req.body, body))
		abort();
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	status = resp.status;
	http_response_free(&resp);
	http_request_free(&req);
	return status;
}

/* The one TOOL_CALL record of the last call, or NULL. */
static const struct record *tool_record(void)
{
	const struct record *t = NULL;
	size_t i, n = 0;

	for (i = 0; i < nrecs; i++)
		if (recs[i].kind == RECORD_TOOL_CALL) {
			t = &recs[i];
			n++;
		}
	return n == 1 ? t : NULL;
}

#define CALL(id, name, args) \
	"{\"jsonrpc\":\"2.0\",\"id\":" id ",\"method\":\"tools/call\",\"params\":{\"name\":\"" name "\",\"arguments\":" args "}}"

static void test_outcomes(void)
{
	const struct record *t;
	char want[65];

	/* ok: everything the entry needs */
	call(CALL("\"req-1\"", "list_all_cloudflare_zones", "{\"limit\":5,\"name\":\"example.com\"}"), NULL);
	t = tool_record();
	ok(t != NULL, "tools/call reports one tool call record");
	if (!t)
		return;
	is_str(record_outcome_name(t->outcome), "ok", "2xx -> ok");
	is_str(t->tool, "list_all_cloudflare_zones", "tool");
	is_str(record_class_name(t->tclass), "read", "class read");
	is_str(t->cf_method, "GET", "cf_method");
	is_str(t->cf_path, "/zones", "cf_path is the template");
	is_int(t->upstream_status, 200, "upstream status");
	is_int((int)t->upstream_ms, 7, "upstream latency");
	is_str(t->cf_ray, "8f00aa11bb22cc33-AMS", "cf-ray");
	is_str(t->account_id, "acct_00000000000000bb", "account");
	is_str(t->mcp_id, "mcp_00000000000000aa", "mcp_id");
	is_str(t->mcp_name, "unit server", "mcp_name");
	is_str(t->request_id, "req-1", "request id");
	is_str(t->client_name, "unit-agent", "client name from User-Agent");
	is_str(t->client_version, "2.5", "client version from User-Agent");
	is_str(t->user_agent, "unit-agent/2.5 (test)", "user agent kept");
	ok(t->time_ms == 1700000000123LL, "time in ms from now_ms");
	ok(record_args_sha256(NULL, want) == 0, "hash of no arguments");
	{
		cJSON *a = cJSON_Parse("{\"name\":\"example.com\",\"limit\":5}");
		ok(a && record_args_sha256(a, want) == 0 && !strcmp(t->args_sha256, want),
			"args_sha256 is the canonical arguments' hash (key order does not matter)");
		cJSON_Delete(a);
	}
	ok(nrecs == 2 && recs[1].kind == RECORD_MESSAGE && !strcmp(recs[1].method, "tools/call") &&
		recs[1].http_status == 200, "and one message record for tools/call, after it");

	up_status = 404;
	call(CALL("7", "list_all_cloudflare_zones", "{}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_TOOL_ERROR && t->upstream_status == 404, "upstream 404 -> tool_error, status 404");
	ok(t && !strcmp(t->request_id, "7"), "a numeric request id as text");

	up_status = 429;
	call(CALL("8", "list_all_cloudflare_zones", "{}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_RATE_LIMITED && t->upstream_status == 429, "upstream 429 -> rate_limited");

	up_status = 200;
	up_err = UP_TIMEOUT;
	call(CALL("9", "list_all_cloudflare_zones", "{}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_UPSTREAM_ERROR && t->upstream_status == 0 && t->upstream_ms == 7,
		"timeout -> upstream_error, no status, latency kept");
	up_err = UP_OK;

	upstream_calls = 0;
	call(CALL("10", "list_all_cloudflare_zones", "{\"limit\":\"many\"}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_INVALID && t->upstream_status == 0 && t->upstream_ms == -1 &&
		!strcmp(t->tool, "list_all_cloudflare_zones") && t->args_sha256[0], "validation error -> invalid, nothing sent");
	is_int(upstream_calls, 0, "nothing went upstream");

	scope_methods = "read";
	call(CALL("11", "create_a_cloudflare_dns_record", "{}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_REFUSED && !strcmp(t->tool, "create_a_cloudflare_dns_record") &&
		!t->cf_method[0] && t->tclass == CLASS_COUNT, "a hidden tool called by name -> refused, its name kept");
	scope_methods = "";

	call(CALL("12", "Bad Name\\u00e9", "{}"), NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_REFUSED && !t->tool[0], "an unknown name that is not a tool's shape is not kept");

	call("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":\"list_all_cloudflare_zones\","
	     "\"arguments\":[1]}}", NULL);
	t = tool_record();
	ok(t && t->outcome == OUTCOME_INVALID, "arguments not an object -> invalid");
}

static void test_client_info(void)
{
	static const char *const modern[] = { "mcp-protocol-version", "2026-07-28", "mcp-method", "tools/call",
		"mcp-name", "list_all_cloudflare_zones", NULL };
	const struct record *t;

	call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
	     "\"capabilities\":{},\"clientInfo\":{\"name\":\"claude-ai\",\"version\":\"0.1.0\"}}}", NULL);
	ok(nrecs == 1 && recs[0].kind == RECORD_MESSAGE && !strcmp(recs[0].method, "initialize") &&
		!strcmp(recs[0].client_name, "claude-ai") && !strcmp(recs[0].client_version, "0.1.0"),
		"initialize: client from clientInfo");
	call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"list_all_cloudflare_zones\","
	     "\"arguments\":{},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
	     "\"io.modelcontextprotocol/clientCapabilities\":{},"
	     "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"inspector\",\"version\":\"9\"}}}}", modern);
	t = tool_record();
	ok(t && !strcmp(t->client_name, "inspector") && !strcmp(t->client_version, "9") &&
		!strcmp(t->user_agent, "unit-agent/2.5 (test)"), "2026-07-28: client from _meta clientInfo, User-Agent kept");
	call("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", NULL);
	ok(nrecs == 1 && !strcmp(recs[0].method, "notifications/initialized") && recs[0].http_status == 202,
		"a notification: one message record, 202");
	call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"x/what\"}", NULL);
	ok(nrecs == 1 && !strcmp(recs[0].method, "other"), "an unknown method is recorded as other");
}

static void test_hash(void)
{
	char a[65], b[65], want[65];
	cJSON *x = cJSON_Parse("{\"b\":1,\"a\":{\"d\":2,\"c\":[{\"y\":1,\"x\":\"v\"}]}}");
	cJSON *y = cJSON_Parse("{\"a\":{\"c\":[{\"x\":\"v\",\"y\":1}],\"d\":2},\"b\":1}");
	static const char canon[] = "{\"a\":{\"c\":[{\"x\":\"v\",\"y\":1}],\"d\":2},\"b\":1}";

	ok(x && y && record_args_sha256(x, a) == 0 && record_args_sha256(y, b) == 0, "hashes made");
	is_str(a, b, "same arguments in another key order: same hash");
	ok(crypto_sha256_hex(canon, strlen(canon), want) == 0, "sha256 of the canonical text");
	is_str(a, want, "the hash is SHA-256 of cJSON_PrintUnformatted with keys sorted at every depth");
	ok(x && cJSON_GetObjectItemCaseSensitive(x, "b") == x->child, "the caller's object is not reordered");
	ok(record_args_sha256(NULL, a) == 0 && crypto_sha256_hex("{}", 2, want) == 0 && !strcmp(a, want),
		"no arguments hash as {}");
	cJSON_Delete(x);
	cJSON_Delete(y);
}

/* ---- audit_append through a pipeline hook that keeps its commands ---- */
static char sent[64][2048];
static size_t nsent;
static int pipe_down, pipe_refuse;

static int keep_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies)
{
	size_t i, j, o;

	(void)ud;
	if (pipe_down) {
		for (i = 0; i < n; i++)
			replies[i] = NULL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		redisReply *r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		o = 0;
		for (j = 0; cmds[i][j] && nsent < 64; j++)
			o += (size_t)snprintf(sent[nsent] + o, o < sizeof(sent[0]) ? sizeof(sent[0]) - o : 0, "%s%s",
				j ? "|" : "", cmds[i][j]);
		nsent++;
		r->type = pipe_refuse ? REDIS_REPLY_ERROR : REDIS_REPLY_STRING;
		replies[i] = r;
	}
	return 0;
}

static void test_append(void)
{
	struct admin_store as = { .pipeline = keep_pipeline };
	struct record r[3];
	unsigned long e0;

	memset(r, 0, sizeof(r));
	r[0].kind = RECORD_TOOL_CALL;
	r[0].time_ms = 1700000000123LL;
	snprintf(r[0].account_id, sizeof(r[0].account_id), "acct_1");
	snprintf(r[0].mcp_id, sizeof(r[0].mcp_id), "mcp_1");
	snprintf(r[0].tool, sizeof(r[0].tool), "list_all_cloudflare_zones");
	r[0].tclass = CLASS_READ;
	snprintf(r[0].cf_method, sizeof(r[0].cf_method), "GET");
	snprintf(r[0].cf_path, sizeof(r[0].cf_path), "/zones");
	r[0].outcome = OUTCOME_OK;
	r[0].upstream_status = 200;
	r[0].upstream_ms = 12;
	snprintf(r[0].args_sha256, sizeof(r[0].args_sha256), "ab");
	r[1].kind = RECORD_MESSAGE; /* not written */
	r[2].kind = RECORD_ADMIN;
	r[2].time_ms = 1700000000999LL;
	snprintf(r[2].action, sizeof(r[2].action), "api_key.revoked");
	snprintf(r[2].target_id, sizeof(r[2].target_id), "ak_2");
	snprintf(r[2].actor, sizeof(r[2].actor), "ak_1");
	r[2].http_status = 204;

	cfg.audit_maxlen = 100000;
	nsent = 0;
	audit_append(&as, &cfg, r, 3);
	is_int((int)nsent, 2, "two XADDs (a message record is not written)");
	is_str(sent[0], "XADD|cfmcp:audit:acct_1|NOMKSTREAM|MAXLEN|~|100000|*|kind|tool_call|t|1700000000123|mcp_id|mcp_1|"
		"tool|list_all_cloudflare_zones|class|read|cf_method|GET|cf_path|/zones|outcome|ok|status|200|"
		"latency_ms|12|args_sha256|ab", "a tool call's entry: empty fields left out");
	is_str(sent[1], "XADD|cfmcp:audit:apikeys|MAXLEN|~|100000|*|kind|admin|t|1700000000999|action|api_key.revoked|"
		"target|ak_2|actor|ak_1|http_status|204", "an admin entry without an account: the global stream");
	/* bug_audit_stream_recreated_after_remove (tests/e2e/47-audit.t): only
	 * account.created makes an account's stream; every other entry for it
	 * is NOMKSTREAM (above), so a call finishing after its account was
	 * removed makes no stream again */
	{
		struct record c1;
		memset(&c1, 0, sizeof(c1));
		c1.kind = RECORD_ADMIN;
		c1.time_ms = 1700000000001LL;
		c1.upstream_ms = -1;
		c1.tclass = CLASS_COUNT;
		snprintf(c1.account_id, sizeof(c1.account_id), "acct_1");
		snprintf(c1.action, sizeof(c1.action), "account.created");
		nsent = 0;
		audit_append(&as, &cfg, &c1, 1);
		ok(nsent == 1 && !strncmp(sent[0], "XADD|cfmcp:audit:acct_1|MAXLEN|", strlen("XADD|cfmcp:audit:acct_1|MAXLEN|")),
			"bug_audit_stream_recreated_after_remove: account.created makes the stream (no NOMKSTREAM): %s", nsent ? sent[0] : "");
		snprintf(c1.action, sizeof(c1.action), "mcp_server.created");
		nsent = 0;
		audit_append(&as, &cfg, &c1, 1);
		ok(nsent == 1 && !strncmp(sent[0], "XADD|cfmcp:audit:acct_1|NOMKSTREAM|", strlen("XADD|cfmcp:audit:acct_1|NOMKSTREAM|")),
			"bug_audit_stream_recreated_after_remove: any other admin entry for an account does not: %s", nsent ? sent[0] : "");
	}

	cfg.audit_maxlen = 0;
	nsent = 0;
	audit_append(&as, &cfg, r, 3);
	is_int((int)nsent, 0, "CFMCP_AUDIT_MAXLEN=0: nothing written");
	cfg.audit_maxlen = 100000;

	e0 = audit_errors();
	pipe_down = 1;
	audit_append(&as, &cfg, r, 3);
	pipe_down = 0;
	ok(audit_errors() == e0 + 2, "Redis unreachable: both entries counted in audit_errors");
	pipe_refuse = 1;
	audit_append(&as, &cfg, r, 3);
	pipe_refuse = 0;
	ok(audit_errors() == e0 + 4, "Redis refusing XADD: counted too");

	snprintf(r[0].account_id, sizeof(r[0].account_id), "apikeys");
	nsent = 0;
	audit_append(&as, &cfg, r, 1);
	is_int((int)nsent, 0, "an account named like the global stream is never written there");
}

/* A deferred writer (the worker's): entries are held back and leave in
 * batches of AUDIT_BATCH at audit_flush_due (while a call waits for
 * Cloudflare), at AUDIT_HOLD_MAX, or on audit_flush; each send counted. */
static size_t batch_sends, batch_entries;
static int count_send(void *ud, size_t n, const char *const *const *cmds)
{
	(void)ud;
	(void)cmds;
	batch_sends++;
	batch_entries += n;
	return 0;
}

static void test_batch(void)
{
	struct admin_store as = { .pipeline = keep_pipeline, .send = count_send };
	struct config c;
	struct record r;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.audit_maxlen = 1000;
	c.audit_flush_ms = 600000; /* no flush by age in this test, however slow the machine */
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_TOOL_CALL;
	r.time_ms = 1700000000123LL;
	snprintf(r.account_id, sizeof(r.account_id), "acct_1");
	snprintf(r.tool, sizeof(r.tool), "list_all_cloudflare_zones");
	r.upstream_ms = -1;
	for (i = 0; i + 1 < AUDIT_BATCH; i++)
		audit_append(&as, &c, &r, 1);
	audit_flush_due(&as);
	ok(batch_sends == 0, "batch: %d entries are held back, audit_flush_due too (sends %zu)", AUDIT_BATCH - 1, batch_sends);
	audit_append(&as, &c, &r, 1);
	ok(batch_sends == 0, "batch: the %dth is held as well: the batch waits for a call's wait (sends %zu)", AUDIT_BATCH, batch_sends);
	audit_flush_due(&as);
	ok(batch_sends == 1 && batch_entries == AUDIT_BATCH, "batch: audit_flush_due then sends them all in one write (%zu sends, %zu entries)",
		batch_sends, batch_entries);
	audit_append(&as, &c, &r, 1);
	audit_flush(&as);
	ok(batch_sends == 2 && batch_entries == AUDIT_BATCH + 1, "batch: audit_flush sends what is held (%zu sends, %zu entries)",
		batch_sends, batch_entries);
	audit_flush(&as);
	ok(batch_sends == 2, "batch: audit_flush with nothing held sends nothing");
	/* no call waits for Cloudflare (every one refused, say): bounded all the same */
	for (i = 0; i + 1 < AUDIT_HOLD_MAX; i++)
		audit_append(&as, &c, &r, 1);
	ok(batch_sends == 2, "batch: %d held without a wait (sends %zu)", AUDIT_HOLD_MAX - 1, batch_sends);
	audit_append(&as, &c, &r, 1);
	ok(batch_sends == 3 && batch_entries == AUDIT_BATCH + 1 + AUDIT_HOLD_MAX,
		"batch: entry %d (AUDIT_HOLD_MAX) sends them at once (%zu sends, %zu entries)", AUDIT_HOLD_MAX, batch_sends, batch_entries);
}

/* ---- upstream_on_wait, through the real upstream.c and libcurl ----
 * A listener that reads the request and answers only once it is told to;
 * the hook tells it. The answer arriving therefore proves the hook ran
 * while the transfer was under way (before it, the listener has nothing
 * to answer; after it, there is no answer to wait for). */
static int go_fd = -1;
static int wait_calls;
static void on_wait(void *ud)
{
	wait_calls++;
	if (ud != &go_fd || write(go_fd, "g", 1) != 1)
		abort();
}

static void test_upstream_on_wait(void)
{
	int s, go[2], round, port;
	pid_t pid;
	char base[64];
	struct config c;
	struct upstream *u;
	struct plan p;

	if ((s = loopback_listen(&port)) < 0 || pipe(go) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		/* two requests on one kept connection: the hook runs for each */
		static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
		char head[8192], g;
		int k, n;
		alarm(20);
		k = accept(s, NULL, NULL);
		for (round = 0; k >= 0 && round < 2; round++) {
			ssize_t m;
			for (n = 0; n < (int)sizeof(head) - 1 && (m = read(k, head + n, sizeof(head) - 1 - (size_t)n)) > 0;) {
				n += (int)m;
				head[n] = '\0';
				if (strstr(head, "\r\n\r\n"))
					break;
			}
			/* the request is here; the answer waits for the hook */
			if (read(go[0], &g, 1) != 1 || write(k, ans, sizeof(ans) - 1) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(s);
	close(go[0]);
	go_fd = go[1];
	memset(&c, 0, sizeof(c));
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	c.upstream_url = base;
	c.upstream_timeout_ms = 5000;
	c.upstream_connect_ms = 5000;
	u = upstream_new(&c);
	if (!u)
		abort();
	upstream_on_wait(u, on_wait, &go_fd);
	is_int(wait_calls, 0, "on_wait: not called outside a transfer");
	plan_init(&p);
	p.http = "GET";
	if (buf_puts(&p.path, "/zones"))
		abort();
	for (round = 0; round < 2; round++) {
		struct upstream_reply r;
		enum upstream_err e;
		upstream_reply_init(&r);
		e = upstream_do(u, &p, "unit-cf-token-0123456789", &r);
		ok(e == UP_OK && r.status == 200, "on_wait: request %d answered (err %d, status %ld): the hook ran during the wait",
			round + 1, (int)e, r.status);
		upstream_reply_free(&r);
	}
	is_int(wait_calls, 2, "on_wait: once per transfer");
	plan_free(&p);
	upstream_free(u);
	close(go[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	char err[512];

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	setenv("CFMCP_OPENAPI", "off", 1);
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
	is_int((int)cfg.audit_maxlen, 100000, "CFMCP_AUDIT_MAXLEN defaults to 100000");
	ok(crypto_seal(&cfg.keys, "account:acct_00000000000000bb", STRLIT("unit-cf-token-0123456789"), sealed_cf,
		sizeof(sealed_cf)) == 0, "seal a Cloudflare token");
	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "catalogue loads: %s", err);
	env.cfg = &cfg;
	env.cat = &cat;
	env.lookup = fake_lookup;
	env.upstream = fake_upstream;
	env.now = fake_now;
	env.now_ms = fake_now_ms;
	env.record = keep_record;

	test_outcomes();
	test_client_info();
	test_hash();
	test_append();
	test_batch();
	test_upstream_on_wait();

	catalog_free(&cat);
	config_free(&cfg);
	return done_testing();
}
