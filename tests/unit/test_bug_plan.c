/*
 * test_bug_plan.c - regression tests for the planning and upstream bugs of
 * issue 11 (each named after its bug, each shown failing on the old code):
 *   bug_path_dot_segment      "." / ".." as a path value, and libcurl
 *                             normalizing "/a/../b" (CURLOPT_PATH_AS_IS);
 *   bug_url_too_long          a valid argument whose encoded URL outgrew
 *                             upstream.c's buffer ended as 500 "out of memory";
 *   bug_zone_name_no_pattern  an x-zone-name parameter without "pattern"
 *                             failed to load as "out of memory";
 *   bug_curl_setopt_unchecked a curl_easy_setopt that failed was ignored and
 *                             the request went out anyway (a PUT as a POST).
 * The upstream checks talk to a one-shot HTTP listener on 127.0.0.1 that a
 * child process runs, so what libcurl really sends is what is asserted.
 */
#include "../../common/first.h"

#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/caps.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/plan.h"
#include "../../common/router.h"
#include "../../common/schema.h"
#include "../../common/upstream.h"
#include "../../common/xalloc.h"
#include "../lib/loopback.h"
#include "../tap.h"

/* ---- libcurl's allocator, so a test can make one of its strdups fail ---- */
static const char *curl_strdup_fail; /* strdup of exactly this string fails */

static void *c_malloc(size_t n) { return malloc(n); }
static void c_free(void *p) { free(p); }
static void *c_realloc(void *p, size_t n) { return realloc(p, n); }
static void *c_calloc(size_t n, size_t sz) { return calloc(n, sz); }
static char *c_strdup(const char *s)
{
	if (curl_strdup_fail && !strcmp(s, curl_strdup_fail))
		return NULL;
	return strdup(s);
}

/* ---- a one-shot HTTP listener: records the request head, answers {} ---- */
struct listener {
	pid_t pid;
	int port;
	int rd; /* the request head arrives here; EOF once the child is gone */
};

static int listener_start(struct listener *l)
{
	int s, fds[2];

	if ((s = loopback_listen(&l->port)) < 0 || pipe(fds) < 0)
		return -1;
	fflush(stdout);
	l->pid = fork();
	if (l->pid < 0)
		return -1;
	if (l->pid == 0) {
		static char head[64 * 1024];
		static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					  "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
		size_t n = 0;
		int c;
		close(fds[0]);
		alarm(20);
		c = accept(s, NULL, NULL);
		if (c < 0)
			_exit(1);
		while (n < sizeof(head) - 1) {
			ssize_t k = read(c, head + n, sizeof(head) - 1 - n);
			if (k <= 0)
				break;
			n += (size_t)k;
			head[n] = '\0';
			if (strstr(head, "\r\n\r\n"))
				break;
		}
		/* the head first, then the answer: once the parent has its
		 * answer, the head is in the pipe */
		if (write(fds[1], head, n) != (ssize_t)n || write(c, ans, sizeof(ans) - 1) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(s);
	close(fds[1]);
	l->rd = fds[0];
	return 0;
}

/* Stop the child and return what it received (NUL-terminated, "" for
 * nothing: no connection was made). */
static const char *listener_stop(struct listener *l)
{
	static char got[64 * 1024];
	size_t n = 0;
	ssize_t k;

	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	while (n < sizeof(got) - 1 && (k = read(l->rd, got + n, sizeof(got) - 1 - n)) > 0)
		n += (size_t)k;
	got[n] = '\0';
	close(l->rd);
	return got;
}

/* The request line of a recorded head, or "" (static). */
static const char *request_line(const char *head)
{
	static char line[64 * 1024];
	size_t n = strcspn(head, "\r\n");

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, head, n);
	line[n] = '\0';
	return line;
}

/* Send p through the real upstream.c to a fresh listener; returns what
 * the listener saw and sets *err. */
static const char *send_plan(const struct plan *p, enum upstream_err *err)
{
	struct listener l;
	struct config c;
	struct upstream *u;
	struct upstream_reply r;
	char base[64];

	if (listener_start(&l) < 0)
		abort();
	memset(&c, 0, sizeof(c));
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", l.port);
	c.upstream_url = base;
	c.upstream_timeout_ms = 10000;
	c.upstream_connect_ms = 5000;
	u = upstream_new(&c);
	if (!u)
		abort();
	upstream_reply_init(&r);
	*err = upstream_do(u, p, "unit-cf-token-0123456789", &r);
	upstream_reply_free(&r);
	upstream_free(u);
	return listener_stop(&l);
}

/* ---- schema documents in a scratch directory ---- */
static int load_doc(struct catalog *cat, const char *json, char *err, size_t errsz)
{
	char dir[] = "/tmp/cfmcp-unit-schemas-XXXXXX", file[64];
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/test.json", dir);
	if (!(f = fopen(file, "w")) || fputs(json, f) < 0 || fclose(f))
		abort();
	rc = catalog_load(cat, dir, err, errsz);
	unlink(file);
	rmdir(dir);
	return rc;
}

/* Path parameters without any pattern: what the OpenAPI import will bring. */
static const char NO_PATTERN_DOC[] =
	"{\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"account\",\"tags\":[\"test\"],"
	"\"methods\":{\"get\":{\"http\":\"GET\",\"path\":\"/accounts/{account_id}/widgets/{widget_id}\","
	"\"title\":\"Get a widget\",\"description\":\"Get one widget by id; its path parameters have no pattern.\","
	"\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true},"
	"\"widget_id\":{\"type\":\"string\"}}}}}";

/* A zone parameter marked x-zone-name, without a pattern of its own. */
static const char ZONE_NO_PATTERN_DOC[] =
	"{\"resource\":\"thing\",\"plural\":\"things\",\"scope\":\"zone\",\"tags\":[\"test\"],"
	"\"methods\":{\"list\":{\"http\":\"GET\",\"path\":\"/zones/{zone_id}/things\","
	"\"title\":\"List things\",\"description\":\"List the things of a zone, by zone id or domain name.\","
	"\"pagination\":{\"style\":\"none\"},"
	"\"path_params\":{\"zone_id\":{\"type\":\"string\",\"x-zone-name\":true}}}}}";

static int resolve_ok(void *ud, const char *name, char out[33], char *why, size_t whysz)
{
	(void)ud;
	(void)name;
	(void)why;
	(void)whysz;
	memcpy(out, "0123456789abcdef0123456789abcdef", 33);
	return 0;
}

/* ---- the core with a fake store and a fake upstream ---- */
static int upstream_calls;
static size_t last_target; /* path + '?' + query of the last upstream call */
static char sealed_cf[1024];
static struct config cfg;
static struct catalog cat;
static struct mcp_env env;

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	snprintf(out->account, sizeof(out->account), "unit");
	snprintf(out->cf_token_sealed, sizeof(out->cf_token_sealed), "%s", sealed_cf);
	return strlen(hash) == 64 ? STORE_OK : STORE_NOTFOUND;
}

static enum upstream_err fake_upstream(void *ud, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	(void)ud;
	(void)token;
	upstream_calls++;
	last_target = p->path.len + (p->query.len ? 1 + p->query.len : 0);
	r->status = 200;
	if (buf_puts(&r->body, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[]}"))
		return r->err = UP_INTERNAL;
	return r->err = UP_OK;
}

static long fake_now(void) { return 1700000000L; }

/* tools/call name with arguments args (JSON text); the answer goes to resp
 * (caller frees). */
static void call_tool(const char *name, const char *args, struct http_response *resp)
{
	struct http_request req;

	http_request_init(&req);
	req.method = xstrdup("POST");
	req.path = xstrdup("/mcp/good-token-0123456789");
	if (!req.method || !req.path ||
	    http_request_add_header(&req, "content-type", 12, "application/json", 16) ||
	    buf_puts(&req.body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"") ||
	    buf_puts(&req.body, name) || buf_puts(&req.body, "\",\"arguments\":") || buf_puts(&req.body, args) ||
	    buf_puts(&req.body, "}}"))
		abort();
	http_response_init(resp);
	router_handle(&env, &req, resp);
	http_request_free(&req);
}

/* tools/call list_all_cloudflare_dns_records with this content (raw JSON
 * string text); the answer goes to resp (caller frees). */
static void call_dns_list(const char *content, struct http_response *resp)
{
	struct buf args;

	buf_init(&args, 0);
	if (buf_puts(&args, "{\"zone_id\":\"0123456789abcdef0123456789abcdef\",\"content\":\"") ||
	    buf_puts(&args, content) || buf_puts(&args, "\"}"))
		abort();
	call_tool("list_all_cloudflare_dns_records", args.p, resp);
	buf_free(&args);
}

static int body_has(const struct http_response *r, const char *s)
{
	return r->body.p && strstr(r->body.p, s) != NULL;
}

/* n "€" (9 bytes each once percent-encoded) then m "a": 9n + m bytes. */
static char *content_of(size_t n, size_t m)
{
	char *s = malloc(3 * n + m + 1), *o = s;

	if (!s)
		abort();
	while (n--) {
		memcpy(o, "\xe2\x82\xac", 3);
		o += 3;
	}
	memset(o, 'a', m);
	o[m] = '\0';
	return s;
}

/*
 * bug_dns_content_not_ip: create/overwrite of an A or AAAA record took any
 * string as content and sent it to Cloudflare (Prism, validating against
 * Cloudflare's spec, answered 422 to an A record whose content was a hex
 * id); the schema now says content is an IPv4 (A) or IPv6 (AAAA) address.
 */
static void test_dns_content_not_ip(void)
{
	static const struct {
		const char *tool, *body;
		int sent;
	} cases[] = {
		{ "create_a_cloudflare_dns_record", "{\"type\":\"A\",\"name\":\"www\",\"content\":\"023e105f4ecef8ad9ca31a8372d0c353\"}", 0 },
		{ "create_a_cloudflare_dns_record", "{\"type\":\"A\",\"name\":\"www\",\"content\":\"2001:db8::1\"}", 0 },
		{ "create_a_cloudflare_dns_record", "{\"type\":\"AAAA\",\"name\":\"www\",\"content\":\"192.0.2.1\"}", 0 },
		{ "overwrite_a_cloudflare_dns_record_by_id", "{\"type\":\"A\",\"name\":\"www\",\"content\":\"example.com\"}", 0 },
		{ "create_a_cloudflare_dns_record", "{\"type\":\"A\",\"name\":\"www\",\"content\":\"192.0.2.1\"}", 1 },
		{ "create_a_cloudflare_dns_record", "{\"type\":\"AAAA\",\"name\":\"www\",\"content\":\"2001:db8::1\"}", 1 },
		{ "create_a_cloudflare_dns_record", "{\"type\":\"CNAME\",\"name\":\"www\",\"content\":\"example.com\"}", 1 },
		{ "overwrite_a_cloudflare_dns_record_by_id", "{\"type\":\"A\",\"name\":\"www\",\"content\":\"192.0.2.1\"}", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_response resp;
		char args[512];
		int before = upstream_calls;

		snprintf(args, sizeof(args), "{\"zone_id\":\"0123456789abcdef0123456789abcdef\",%s\"body\":%s}",
			strstr(cases[i].tool, "by_id") ? "\"dns_record_id\":\"0123456789abcdef0123456789abcdef\"," : "",
			cases[i].body);
		call_tool(cases[i].tool, args, &resp);
		ok((upstream_calls != before) == cases[i].sent,
			"bug_dns_content_not_ip: %s %s is %s", cases[i].tool, cases[i].body,
			cases[i].sent ? "sent" : "refused, nothing sent");
		http_response_free(&resp);
	}
}

static void test_path_dot_segment(void)
{
	static const struct {
		const char *val;
		int rc;
		const char *path; /* the plan's path when it plans */
	} cases[] = {
		{ ".", -1, NULL },
		{ "..", -1, NULL },
		{ "%2e%2e", 0, "/accounts/0123456789abcdef0123456789abcdef/widgets/%252e%252e" },
		{ ".%2e", 0, "/accounts/0123456789abcdef0123456789abcdef/widgets/.%252e" },
		{ "%2E.", 0, "/accounts/0123456789abcdef0123456789abcdef/widgets/%252E." },
		{ "...", 0, "/accounts/0123456789abcdef0123456789abcdef/widgets/..." },
		{ "v1.2", 0, "/accounts/0123456789abcdef0123456789abcdef/widgets/v1.2" },
	};
	struct catalog c;
	struct plan_ctx ctx = { "0123456789abcdef0123456789abcdef", NULL, NULL };
	const struct tool *t;
	char err[512] = "", why[512];
	size_t i;

	if (!ok(load_doc(&c, NO_PATTERN_DOC, err, sizeof(err)) == 0, "bug_path_dot_segment: a tool whose path parameters have no pattern loads: %s", err))
		return;
	t = catalog_find(&c, "get_single_cloudflare_widget_by_id");
	ok(t != NULL, "bug_path_dot_segment: the test tool is there");
	for (i = 0; t && i < CFMCP_NELEM(cases); i++) {
		struct plan p;
		cJSON *a = cJSON_CreateObject();
		int rc;
		if (!a || !cJSON_AddStringToObject(a, "widget_id", cases[i].val))
			abort();
		plan_init(&p);
		why[0] = '\0';
		rc = plan_build(t, a, &ctx, &p, why, sizeof(why));
		if (cases[i].rc < 0) {
			ok(rc == -1 && strstr(why, "widget_id") && strstr(why, "path segment"),
				"bug_path_dot_segment: widget_id \"%s\" refused, naming it (rc %d, path %s, why: %s)",
				cases[i].val, rc, p.path.p ? p.path.p : "", why);
		} else {
			ok(rc == 0 && p.path.p && !strcmp(p.path.p, cases[i].path),
				"bug_path_dot_segment: widget_id \"%s\" planned as %s (got rc %d, %s)", cases[i].val,
				cases[i].path, rc, p.path.p ? p.path.p : "");
		}
		plan_free(&p);
		cJSON_Delete(a);
	}
	/* the account filled in from the scope is a path value like any other */
	if (t) {
		struct plan p;
		struct plan_ctx dots = { "..", NULL, NULL };
		cJSON *a = cJSON_Parse("{\"widget_id\":\"w1\"}");
		int rc;
		plan_init(&p);
		rc = plan_build(t, a, &dots, &p, why, sizeof(why));
		ok(rc == -1 && strstr(why, "account_id"), "bug_path_dot_segment: a default account \"..\" refused too (rc %d, %s)",
			rc, rc ? why : p.path.p);
		plan_free(&p);
		cJSON_Delete(a);
	}
	catalog_free(&c);

	/* libcurl must send the path as planned, never resolve dot segments
	 * itself (CURLOPT_PATH_AS_IS): what is sent is what was validated */
	{
		struct plan p;
		enum upstream_err e;
		const char *got;
		plan_init(&p);
		p.http = "GET";
		if (buf_puts(&p.path, "/zones/../user/./tokens"))
			abort();
		got = send_plan(&p, &e);
		is_int(e, UP_OK, "bug_path_dot_segment: the listener answered");
		is_str(request_line(got), "GET /zones/../user/./tokens HTTP/1.1",
			"bug_path_dot_segment: libcurl sends the path unnormalized");
		plan_free(&p);
	}
}

static void test_url_too_long(void)
{
	struct http_response r;
	size_t overhead, room;
	char *s;

	/* the example: 4,096 "€" percent-encode to 36 KiB */
	s = content_of(4096, 0);
	upstream_calls = 0;
	call_dns_list(s, &r);
	free(s);
	is_int(r.status, 200, "bug_url_too_long: 4096 x \"\xe2\x82\xac\" in content -> 200, not 500");
	ok(body_has(&r, "\"isError\":true") && body_has(&r, "content is too long for the request URL"),
		"bug_url_too_long: an isError result naming content as too long (%.200s)", r.body.p ? r.body.p : "");
	is_int(upstream_calls, 0, "bug_url_too_long: nothing was sent upstream");
	http_response_free(&r);

	/* the boundary: the request target at exactly CAP_URL_TARGET goes out,
	 * one byte more does not; the fixed part is measured, not assumed */
	upstream_calls = 0;
	call_dns_list("a", &r);
	overhead = last_target - 1;
	http_response_free(&r);
	if (!ok(upstream_calls == 1 && overhead < 200, "bug_url_too_long: a short content goes out (target %zu bytes)", last_target))
		return;
	room = CAP_URL_TARGET - overhead;
	s = content_of(room / 9, room % 9);
	upstream_calls = 0;
	last_target = 0;
	call_dns_list(s, &r);
	free(s);
	ok(upstream_calls == 1 && last_target == CAP_URL_TARGET && body_has(&r, "\"isError\":false"),
		"bug_url_too_long: a request target of exactly %u bytes goes out (sent %d, target %zu)",
		CAP_URL_TARGET, upstream_calls, last_target);
	http_response_free(&r);
	s = content_of(room / 9, room % 9 + 1);
	upstream_calls = 0;
	call_dns_list(s, &r);
	free(s);
	ok(upstream_calls == 0 && body_has(&r, "\"isError\":true") && body_has(&r, "shorten content"),
		"bug_url_too_long: %u + 1 bytes is refused, naming content, nothing sent (sent %d)", CAP_URL_TARGET,
		upstream_calls);
	http_response_free(&r);

	/* and upstream.c takes what plan.c lets through: a target of exactly
	 * the cap reaches a real listener whole */
	{
		struct plan p;
		enum upstream_err e;
		const char *got;
		size_t qn = CAP_URL_TARGET - strlen("/zones?q=");
		char *q = malloc(qn + 1);
		if (!q)
			abort();
		plan_init(&p);
		p.http = "GET";
		memset(q, 'a', qn);
		q[qn] = '\0';
		if (buf_puts(&p.path, "/zones") || plan_query_add(&p.query, "q", q))
			abort();
		got = send_plan(&p, &e);
		is_int(p.path.len + 1 + p.query.len, CAP_URL_TARGET, "bug_url_too_long: a plan of exactly the cap");
		is_int(e, UP_OK, "bug_url_too_long: upstream.c sends a target of exactly the cap");
		is_int(strlen(request_line(got)), strlen("GET ") + CAP_URL_TARGET + strlen(" HTTP/1.1"),
			"bug_url_too_long: the whole target arrived");
		/* one byte more can only come from a plan built by hand:
		 * upstream.c refuses it rather than send what plan.c would not */
		if (buf_append(&p.query, STRLIT("a")))
			abort();
		got = send_plan(&p, &e);
		ok(e == UP_INTERNAL && !*got, "bug_url_too_long: upstream.c does not send a target of the cap + 1 (err %d)", e);
		plan_free(&p);
		free(q);
	}
}

static void test_zone_name_no_pattern(void)
{
	struct catalog c;
	const struct tool *t;
	const cJSON *zs;
	char err[512] = "", why[512];
	int rc = load_doc(&c, ZONE_NO_PATTERN_DOC, err, sizeof(err));

	if (!ok(rc == 0, "bug_zone_name_no_pattern: an x-zone-name parameter without pattern loads (%s)", err))
		return;
	t = catalog_find(&c, "list_all_cloudflare_things");
	zs = t ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t->input_schema, "properties"), "zone_id") : NULL;
	ok(zs && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(zs, "pattern")) &&
	   !strcmp(cJSON_GetObjectItemCaseSensitive(zs, "pattern")->valuestring, ZONE_ID_OR_NAME),
		"bug_zone_name_no_pattern: the model sees the zone id or name pattern");
	if (t) {
		struct plan_ctx ctx = { NULL, resolve_ok, NULL };
		struct plan p;
		cJSON *a = cJSON_Parse("{\"zone_id\":\"example.com\"}");
		plan_init(&p);
		rc = plan_build(t, a, &ctx, &p, why, sizeof(why));
		ok(rc == 0 && p.path.p && !strcmp(p.path.p, "/zones/0123456789abcdef0123456789abcdef/things"),
			"bug_zone_name_no_pattern: a domain name is resolved into the path (%s)", rc ? why : p.path.p);
		plan_free(&p);
		cJSON_Delete(a);
		a = cJSON_Parse("{\"zone_id\":\"..\"}");
		plan_init(&p);
		rc = plan_build(t, a, &ctx, &p, why, sizeof(why));
		ok(rc == -1 && strstr(why, "zone_id"), "bug_zone_name_no_pattern: \"..\" is not a zone (%s)", why);
		plan_free(&p);
		cJSON_Delete(a);
	}
	catalog_free(&c);
}

static void test_curl_setopt_unchecked(void)
{
	struct plan p;
	enum upstream_err e;
	const char *got;

	/* libcurl copies CURLOPT_CUSTOMREQUEST with its strdup; when that
	 * fails, the old code sent the request as libcurl's default for a
	 * body: a POST, i.e. a create instead of the update that was asked */
	plan_init(&p);
	p.http = "PUT";
	p.body = xstrdup("{\"name\":\"x\"}");
	if (!p.body || buf_puts(&p.path, "/zones/0123456789abcdef0123456789abcdef/things/1"))
		abort();
	p.body_len = strlen(p.body);
	curl_strdup_fail = "PUT";
	got = send_plan(&p, &e);
	curl_strdup_fail = NULL;
	is_int(e, UP_INTERNAL, "bug_curl_setopt_unchecked: a refused CURLOPT_CUSTOMREQUEST is an error");
	is_str(request_line(got), "", "bug_curl_setopt_unchecked: and nothing was sent");
	/* the same request with libcurl willing goes out as a PUT */
	got = send_plan(&p, &e);
	is_str(request_line(got), "PUT /zones/0123456789abcdef0123456789abcdef/things/1 HTTP/1.1",
		"bug_curl_setopt_unchecked: otherwise the PUT goes out as a PUT");
	plan_free(&p);
}

int main(void)
{
	char err[512];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, c_malloc, c_free, c_realloc, c_strdup, c_calloc) != CURLE_OK) {
		printf("1..0 # SKIP libcurl refused the memory callbacks\n");
		return 0;
	}
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
	ok(crypto_seal(&cfg.keys, "account:unit", STRLIT("unit-cf-token-0123456789"), sealed_cf, sizeof(sealed_cf)) == 0,
		"seal a Cloudflare token");
	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "catalogue loads: %s", err);
	env.cfg = &cfg;
	env.cat = &cat;
	env.lookup = fake_lookup;
	env.upstream = fake_upstream;
	env.now = fake_now;

	test_path_dot_segment();
	test_url_too_long();
	test_zone_name_no_pattern();
	test_curl_setopt_unchecked();
	test_dns_content_not_ip();

	schema_patterns_free();
	catalog_free(&cat);
	config_free(&cfg);
	curl_global_cleanup();
	return done_testing();
}
