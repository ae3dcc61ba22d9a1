/*
 * test_metrics.c - the pool's counters (common/metrics.c): records built
 * by hand are counted under the right fixed labels, a child's updates
 * are seen by its parent (the shared block outlives a worker), and the
 * rendering parses back as Prometheus text format 0.0.4: HELP and TYPE
 * before a family's samples, counters ending in _total, cumulative
 * histogram buckets ending at +Inf = _count, _sum in seconds.
 * tests/e2e/93-metrics.t checks it with promtool and a real Prometheus.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/metrics.h"
#include "../../common/metrics_http.h"
#include "../../common/router.h"
#include "../tap.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* The value of the sample whose name and labels are exactly series, or
 * -1 when there is none (several is an error too: -2). */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;
	double v = -1;
	int hits = 0;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		if (!strncmp(p, series, n) && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			hits++;
		}
		p = eol ? eol + 1 : NULL;
	}
	return hits > 1 ? -2 : v;
}

static struct record msg(const char *method)
{
	struct record r;

	memset(&r, 0, sizeof(r));
	r.kind = RECORD_MESSAGE;
	snprintf(r.method, sizeof(r.method), "%s", method);
	r.upstream_ms = -1;
	return r;
}

static struct record call(enum record_class c, enum record_outcome o, int status, long ms)
{
	struct record r = msg("tools/call");

	r.kind = RECORD_TOOL_CALL;
	r.tclass = c;
	r.outcome = o;
	r.upstream_status = status;
	r.upstream_ms = ms;
	return r;
}

/* Every line is a comment, blank at the end, or "name[{labels}] value";
 * every family's samples follow its # HELP and # TYPE; counter names end
 * in _total; a histogram's buckets never go down and +Inf equals _count. */
static void check_format(const char *text)
{
	char fam[128] = "", type[16] = "";
	const char *p = text;
	int bad = 0, lines = 0, families = 0;
	double last_bucket = -1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		char line[512], name[128];
		size_t len;
		if (!eol) {
			bad++;
			diag("no newline after the last line");
			break;
		}
		len = (size_t)(eol - p);
		if (len >= sizeof(line)) {
			bad++;
			break;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = eol + 1;
		lines++;
		if (!strncmp(line, "# HELP ", 7)) {
			if (sscanf(line + 7, "%127s", fam) != 1)
				bad++;
			type[0] = '\0';
			families++;
			last_bucket = -1;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%127s %15s", name, type) != 2 || strcmp(name, fam))
				bad++, diag("TYPE without its HELP: %s", line);
			if (!strcmp(type, "counter") && (strlen(fam) < 6 || strcmp(fam + strlen(fam) - 6, "_total")))
				bad++, diag("counter not ending in _total: %s", fam);
			continue;
		}
		{
			size_t nl = strcspn(line, "{ ");
			const char *sp = strrchr(line, ' ');
			char *end;
			double v;
			if (!sp || !type[0] || strncmp(line, fam, strlen(fam))) {
				bad++, diag("sample outside its family: %s", line);
				continue;
			}
			v = strtod(sp + 1, &end);
			if (*end || v < 0)
				bad++, diag("bad value: %s", line);
			if (!strcmp(type, "histogram")) {
				if (nl == strlen(fam) + 7 && !strncmp(line + strlen(fam), "_bucket", 7)) {
					if (v < last_bucket)
						bad++, diag("bucket goes down: %s", line);
					last_bucket = v;
				} else if (nl == strlen(fam) + 6 && !strncmp(line + strlen(fam), "_count", 6)) {
					if (v != last_bucket)
						bad++, diag("_count is not the +Inf bucket: %s", line);
				} else if (!(nl == strlen(fam) + 4 && !strncmp(line + strlen(fam), "_sum", 4))) {
					bad++, diag("unknown histogram sample: %s", line);
				}
			} else if (nl != strlen(fam)) {
				bad++, diag("sample name is not the family's: %s", line);
			}
		}
	}
	ok(bad == 0 && lines > 100 && families >= 14, "exposition format: %d lines, %d families, %d problems", lines, families, bad);
}

static long fixed_now(void)
{
	return 1700000000;
}

/* GET /metrics through the router with no Redis (admin_store NULL): the
 * status it answers for a peer and the settings. */
static int route(int metrics_on, int public, const char *peer, const char *bearer)
{
	struct config cfg;
	struct mcp_env env;
	struct http_request req;
	struct http_response resp;
	int status;

	memset(&cfg, 0, sizeof(cfg));
	cfg.metrics = metrics_on;
	cfg.metrics_public = public;
	memset(&env, 0, sizeof(env));
	env.cfg = &cfg;
	env.now = fixed_now;
	http_request_init(&req);
	req.method = strdup("GET");
	req.path = strdup("/metrics");
	snprintf(req.remote_addr, sizeof(req.remote_addr), "%s", peer);
	if (bearer && http_request_add_header(&req, "Authorization", 13, bearer, strlen(bearer)) != HTTP_ADD_OK)
		return -1;
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	status = resp.status;
	http_response_free(&resp);
	http_request_free(&req);
	return status;
}

static void access_rule(struct metrics *m)
{
	ok(metrics_http_loopback("127.0.0.1") && metrics_http_loopback("127.9.8.7") && metrics_http_loopback("::1") &&
		metrics_http_loopback("::ffff:127.0.0.1"), "loopback: 127.0.0.0/8, ::1, ::ffff:127.x");
	ok(!metrics_http_loopback("128.0.0.1") && !metrics_http_loopback("10.0.0.1") && !metrics_http_loopback("::2") &&
		!metrics_http_loopback("") && !metrics_http_loopback("127.0.0.1 ") && !metrics_http_loopback("localhost"),
		"not loopback: other addresses, empty, junk, names");
	metrics_set_global(m);
	is_int(route(1, 0, "127.0.0.1", NULL), 200, "loopback peer: 200");
	is_int(route(0, 0, "127.0.0.1", NULL), 404, "CFMCP_METRICS=off: 404 even from loopback");
	is_int(route(1, 0, "192.0.2.1", NULL), 401, "remote peer, no key: 401");
	is_int(route(1, 0, "192.0.2.1", "Bearer abc"), 401, "remote peer, a malformed key: 401");
	is_int(route(1, 0, "192.0.2.1", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 503,
		"remote peer with a key but no key store to check it: 503, not 200");
	is_int(route(1, 1, "192.0.2.1", NULL), 200, "CFMCP_METRICS_PUBLIC=1: 200 for anyone");
	metrics_set_global(NULL);
	is_int(route(1, 0, "127.0.0.1", NULL), 503, "no shared block in this process: 503");
}

int main(void)
{
	struct metrics *m = metrics_new();
	struct record rs[8];
	struct buf out;
	pid_t pid;
	int st;

	ok(m != NULL, "metrics_new maps a block");
	if (!m)
		return done_testing();
	buf_init(&out, 1 << 20);

	/* an empty block renders every series at zero, and is well formed */
	ok(metrics_render(m, &out) == 0, "render an empty block");
	check_format(out.p);
	ok(sample(out.p, "cfmcp_tool_calls_total{class=\"write\",outcome=\"rate_limited\"}") == 0,
		"known label combinations are there at zero (rate() works from the first scrape)");

	/* labels come from fixed lists, never from the request */
	is_str(metrics_method_label("tools/call"), "tools/call", "a known method is its own label");
	is_str(metrics_method_label("x\"}\n# evil"), "other", "an unknown method is \"other\"");
	is_str(metrics_status_label(429), "429", "a counted status is its own label");
	is_str(metrics_status_label(299), "other", "any other status is \"other\"");

	/* one request: tools/list; another: a tool call that hit a 429; a
	 * batch of two calls (ok, invalid); one without a message */
	rs[0] = msg("tools/list");
	metrics_observe(m, rs, 1, 0, 200, 1500);
	rs[0] = msg("tools/call");
	rs[1] = call(CLASS_READ, OUTCOME_RATE_LIMITED, 429, 30);
	metrics_observe(m, rs, 2, 0, 200, 40000);
	rs[0] = msg("tools/call");
	rs[1] = call(CLASS_WRITE, OUTCOME_OK, 200, 7);
	rs[2] = msg("tools/call");
	rs[3] = call(CLASS_WRITE, OUTCOME_INVALID, 0, -1);
	metrics_observe(m, rs, 4, 1, 200, 12000000);
	metrics_observe(m, NULL, 0, 0, 404, 100);
	rs[0] = msg("no/such\"method");
	metrics_observe(m, rs, 1, 0, 200, 100);
	metrics_observe(NULL, rs, 1, 0, 200, 100); /* no block: nothing, no crash */

	/* the master's figures, from a child: the block is shared */
	pid = fork();
	if (pid == 0) {
		metrics_worker_restart(m);
		metrics_workers(m, 3);
		metrics_catalog(m, 25);
		metrics_set_global(m);
		metrics_redis(2000, 0);
		metrics_redis(600000, 1);
		metrics_audit_errors(1);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st), "a child process updated the block and exited");
	metrics_redis(1, 1); /* no global block here: a no-op */

	buf_reset(&out);
	ok(metrics_render(m, &out) == 0, "render after the sequence");
	check_format(out.p);
	ok(sample(out.p, "cfmcp_requests_total{method=\"tools/list\",status=\"200\"}") == 1, "requests by method and status: tools/list 200");
	ok(sample(out.p, "cfmcp_requests_total{method=\"tools/call\",status=\"200\"}") == 1, "tools/call 200 (a single message)");
	ok(sample(out.p, "cfmcp_requests_total{method=\"batch\",status=\"200\"}") == 1, "a batch is counted as one batch request");
	ok(sample(out.p, "cfmcp_requests_total{method=\"none\",status=\"404\"}") == 1, "a request without a message is method none");
	ok(sample(out.p, "cfmcp_requests_total{method=\"other\",status=\"200\"}") == 1, "an unknown method is other");
	ok(sample(out.p, "cfmcp_mcp_messages_total{method=\"tools/call\"}") == 3, "messages: three tools/call");
	ok(sample(out.p, "cfmcp_tool_calls_total{class=\"read\",outcome=\"rate_limited\"}") == 1, "tool calls: read rate_limited");
	ok(sample(out.p, "cfmcp_tool_calls_total{class=\"write\",outcome=\"ok\"}") == 1, "tool calls: write ok");
	ok(sample(out.p, "cfmcp_tool_calls_total{class=\"write\",outcome=\"invalid\"}") == 1, "tool calls: write invalid");
	ok(sample(out.p, "cfmcp_upstream_responses_total{status=\"429\"}") == 1 &&
		sample(out.p, "cfmcp_upstream_responses_total{status=\"200\"}") == 1,
		"upstream statuses: one 429, one 200; nothing for the call never sent");
	ok(sample(out.p, "cfmcp_upstream_rate_limited_total") == 1, "one 429 passed through");
	ok(sample(out.p, "cfmcp_upstream_duration_seconds_count") == 2, "upstream latency: two calls observed");
	ok(sample(out.p, "cfmcp_upstream_duration_seconds_bucket{le=\"0.01\"}") == 1 &&
		sample(out.p, "cfmcp_upstream_duration_seconds_bucket{le=\"0.025\"}") == 1 &&
		sample(out.p, "cfmcp_upstream_duration_seconds_bucket{le=\"0.05\"}") == 2,
		"upstream buckets are cumulative (7 ms, 30 ms)");
	ok(sample(out.p, "cfmcp_upstream_duration_seconds_sum") > 0.0369 &&
		sample(out.p, "cfmcp_upstream_duration_seconds_sum") < 0.0371, "upstream _sum in seconds (0.037)");
	ok(sample(out.p, "cfmcp_request_duration_seconds_count") == 5 &&
		sample(out.p, "cfmcp_request_duration_seconds_bucket{le=\"10\"}") == 4 &&
		sample(out.p, "cfmcp_request_duration_seconds_bucket{le=\"+Inf\"}") == 5,
		"request latency: 12 s lands above the last bucket, in +Inf only");
	ok(sample(out.p, "cfmcp_records_dropped_total") == 1, "dropped records are counted");
	ok(sample(out.p, "cfmcp_worker_restarts_total") == 1 && sample(out.p, "cfmcp_workers_alive") == 3,
		"workers: restarts and alive, set in the child, seen by the parent");
	ok(sample(out.p, "cfmcp_catalog_tools") == 25, "gauge: catalogue size");
	ok(sample(out.p, "cfmcp_redis_errors_total") == 1 && sample(out.p, "cfmcp_redis_duration_seconds_count") == 2 &&
		sample(out.p, "cfmcp_redis_duration_seconds_bucket{le=\"0.5\"}") == 1,
		"redis: two round trips, one failed, one over 0.5 s");
	ok(sample(out.p, "cfmcp_audit_write_errors_total") == 1, "audit write errors through metrics_audit_errors()");

	/* a capped buffer: render fails cleanly */
	{
		struct buf small;
		buf_init(&small, 256);
		ok(metrics_render(m, &small) == -1, "rendering into a buffer too small fails");
		buf_free(&small);
	}
	access_rule(m);
	buf_free(&out);
	metrics_free(m);
	return done_testing();
}
