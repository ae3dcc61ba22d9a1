/*
 * metrics.c - the pool's counters in one shared block (metrics.h), and
 * their rendering as Prometheus text format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * The block holds only integers, fixed at compile time: no pointer, no
 * string, so every process that maps it reads the same layout, and a
 * worker that dies mid-update leaves at worst one count short.
 */
#include "first.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "metrics.h"

/* The MCP methods counted by name; anything else is "other". */
static const char *const methods[] = {
	"initialize", "notifications/initialized", "ping", "tools/list", "tools/call",
	"server/discover", "notifications/cancelled", "resources/list",
	"resources/templates/list", "prompts/list", "logging/setLevel", "completion/complete",
};
#define N_METHODS (CFMCP_NELEM(methods) + 1)   /* + "other" */
#define REQ_NONE N_METHODS                     /* an HTTP request without a message */
#define REQ_BATCH (N_METHODS + 1)              /* ... with several */
#define N_REQ (N_METHODS + 2)

/* HTTP statuses counted by code (ours and Cloudflare's); others are "other". */
static const int statuses[] = { 200, 201, 202, 204, 400, 401, 403, 404, 405, 406, 409, 410,
	413, 415, 422, 429, 431, 500, 502, 503, 504 };
#define N_STATUS (CFMCP_NELEM(statuses) + 1)

/* Prometheus' default buckets (client libraries' DefBuckets), in us. */
static const long long bucket_us[] = { 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000 };
static const char *const bucket_le[] = { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5", "10" };
#define N_BUCKETS CFMCP_NELEM(bucket_us)

struct hist {
	atomic_ullong b[N_BUCKETS + 1]; /* per bucket, not cumulative; last: above 10 s */
	atomic_ullong sum_us;
};

struct metrics {
	atomic_ullong requests[N_REQ][N_STATUS];
	atomic_ullong messages[N_METHODS];
	atomic_ullong tool_calls[CLASS_COUNT][OUTCOME_COUNT];
	atomic_ullong upstream[N_STATUS];
	atomic_ullong rate_limited;
	atomic_ullong redis_errors;
	atomic_ullong audit_errors;
	atomic_ullong records_dropped;
	atomic_ullong restarts;
	atomic_ullong reloads;
	atomic_llong workers_alive;
	atomic_llong catalog_tools;
	struct hist request, upstream_lat, redis;
};

static struct metrics *global;

struct metrics *metrics_new(void)
{
	void *p = mmap(NULL, sizeof(struct metrics), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	/* an anonymous mapping comes zeroed: every counter starts at 0 */
	return p == MAP_FAILED ? NULL : p;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (global == m)
		global = NULL;
	munmap(m, sizeof(*m));
}

void metrics_set_global(struct metrics *m)
{
	global = m;
}

struct metrics *metrics_global(void)
{
	return global;
}

static void add(atomic_ullong *c, unsigned long long v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static unsigned long long get(const atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static long long gget(const atomic_llong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static size_t status_index(int status)
{
	size_t i;

	for (i = 0; i < CFMCP_NELEM(statuses); i++)
		if (statuses[i] == status)
			return i;
	return CFMCP_NELEM(statuses);
}

static size_t method_index(const char *m)
{
	size_t i;

	for (i = 0; i < CFMCP_NELEM(methods); i++)
		if (!strcmp(methods[i], m))
			return i;
	return CFMCP_NELEM(methods);
}

const char *metrics_status_label(int status)
{
	static const char *const names[] = { "200", "201", "202", "204", "400", "401", "403", "404",
		"405", "406", "409", "410", "413", "415", "422", "429", "431", "500", "502", "503",
		"504", "other" };
	_Static_assert(CFMCP_NELEM(names) == N_STATUS, "a name per counted status");

	return names[status_index(status)];
}

const char *metrics_method_label(const char *method)
{
	size_t i = method_index(method);

	return i < CFMCP_NELEM(methods) ? methods[i] : "other";
}

static const char *req_label(size_t i)
{
	if (i == REQ_NONE)
		return "none";
	if (i == REQ_BATCH)
		return "batch";
	return i < CFMCP_NELEM(methods) ? methods[i] : "other";
}

static void observe(struct hist *h, long long us)
{
	size_t i;

	if (us < 0)
		us = 0;
	for (i = 0; i < N_BUCKETS && us > bucket_us[i]; i++)
		;
	add(&h->b[i], 1);
	add(&h->sum_us, (unsigned long long)us);
}

void metrics_observe(struct metrics *m, const struct record *r, size_t n, size_t dropped,
	int http_status, long long request_us)
{
	size_t i, msgs = 0, req = REQ_NONE;

	if (!m)
		return;
	for (i = 0; i < n; i++) {
		const struct record *x = &r[i];
		if (x->kind == RECORD_MESSAGE) {
			size_t k = method_index(x->method);
			add(&m->messages[k], 1);
			req = msgs++ ? REQ_BATCH : k;
		} else if (x->kind == RECORD_TOOL_CALL) {
			if ((unsigned)x->tclass < CLASS_COUNT && (unsigned)x->outcome < OUTCOME_COUNT)
				add(&m->tool_calls[x->tclass][x->outcome], 1);
			if (x->upstream_status > 0) {
				add(&m->upstream[status_index(x->upstream_status)], 1);
				if (x->upstream_status == 429)
					add(&m->rate_limited, 1);
			}
			if (x->upstream_ms >= 0 && x->upstream_status > 0)
				observe(&m->upstream_lat, (long long)x->upstream_ms * 1000);
		}
	}
	if (dropped)
		add(&m->records_dropped, dropped);
	add(&m->requests[req][status_index(http_status)], 1);
	observe(&m->request, request_us);
}

void metrics_redis(long long us, int failed)
{
	if (!global)
		return;
	observe(&global->redis, us);
	if (failed)
		add(&global->redis_errors, 1);
}

void metrics_audit_errors(unsigned long n)
{
	if (global)
		add(&global->audit_errors, n);
}

void metrics_workers(struct metrics *m, long alive)
{
	if (m)
		atomic_store_explicit(&m->workers_alive, alive, memory_order_relaxed);
}

void metrics_worker_restart(struct metrics *m)
{
	if (m)
		add(&m->restarts, 1);
}

void metrics_reload(struct metrics *m)
{
	if (m)
		add(&m->reloads, 1);
}

void metrics_catalog(struct metrics *m, size_t tools)
{
	if (m)
		atomic_store_explicit(&m->catalog_tools, (long long)tools, memory_order_relaxed);
}

/* ---- rendering ---------------------------------------------------------- */

static int head(struct buf *o, const char *name, const char *type, const char *help)
{
	return buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int hist(struct buf *o, const char *name, const char *help, const struct hist *h)
{
	unsigned long long cum = 0;
	size_t i;

	if (head(o, name, "histogram", help))
		return -1;
	/* _count is the sum of the buckets read here, so it always equals
	 * the +Inf bucket even while workers add to the block */
	for (i = 0; i <= N_BUCKETS; i++) {
		cum += h ? get(&h->b[i]) : 0;
		if (buf_printf(o, "%s_bucket{le=\"%s\"} %llu\n", name, i < N_BUCKETS ? bucket_le[i] : "+Inf", cum))
			return -1;
	}
	{
		unsigned long long us = h ? get(&h->sum_us) : 0;
		return buf_printf(o, "%s_sum %llu.%06llu\n%s_count %llu\n", name, us / 1000000, us % 1000000, name, cum);
	}
}

static int counter(struct buf *o, const char *name, const char *help, const atomic_ullong *c)
{
	return head(o, name, "counter", help) || buf_printf(o, "%s %llu\n", name, c ? get(c) : 0ULL);
}

static int gauge(struct buf *o, const char *name, const char *help, const atomic_llong *g)
{
	return head(o, name, "gauge", help) || buf_printf(o, "%s %lld\n", name, g ? gget(g) : 0LL);
}

int metrics_render(const struct metrics *m, struct buf *o)
{
	size_t i, j;

	if (head(o, "cfmcp_requests_total", "counter",
		    "HTTP requests served by the worker pool, by MCP method (none: no JSON-RPC message; batch: several) and HTTP status."))
		return -1;
	for (i = 0; i < N_REQ; i++)
		for (j = 0; j < N_STATUS; j++)
			if (buf_printf(o, "cfmcp_requests_total{method=\"%s\",status=\"%s\"} %llu\n", req_label(i),
				    j < CFMCP_NELEM(statuses) ? metrics_status_label(statuses[j]) : "other",
				    m ? get(&m->requests[i][j]) : 0ULL))
				return -1;
	if (head(o, "cfmcp_mcp_messages_total", "counter", "JSON-RPC messages handled, by MCP method."))
		return -1;
	for (i = 0; i < N_METHODS; i++)
		if (buf_printf(o, "cfmcp_mcp_messages_total{method=\"%s\"} %llu\n", req_label(i),
			    m ? get(&m->messages[i]) : 0ULL))
			return -1;
	if (head(o, "cfmcp_tool_calls_total", "counter", "Tool calls, by the tool's class and the call's outcome."))
		return -1;
	for (i = 0; i < CLASS_COUNT; i++)
		for (j = 0; j < OUTCOME_COUNT; j++)
			if (buf_printf(o, "cfmcp_tool_calls_total{class=\"%s\",outcome=\"%s\"} %llu\n",
				    record_class_name((enum record_class)i), record_outcome_name((enum record_outcome)j),
				    m ? get(&m->tool_calls[i][j]) : 0ULL))
				return -1;
	if (head(o, "cfmcp_upstream_responses_total", "counter", "Cloudflare API answers, by HTTP status."))
		return -1;
	for (j = 0; j < N_STATUS; j++)
		if (buf_printf(o, "cfmcp_upstream_responses_total{status=\"%s\"} %llu\n",
			    j < CFMCP_NELEM(statuses) ? metrics_status_label(statuses[j]) : "other",
			    m ? get(&m->upstream[j]) : 0ULL))
			return -1;
	if (counter(o, "cfmcp_upstream_rate_limited_total", "Cloudflare 429 answers passed through to the client.",
		    m ? &m->rate_limited : NULL) ||
	    hist(o, "cfmcp_upstream_duration_seconds", "Time of a Cloudflare API call, sending to the whole answer.",
		    m ? &m->upstream_lat : NULL) ||
	    hist(o, "cfmcp_request_duration_seconds", "Time from a request accepted to its answer written.",
		    m ? &m->request : NULL) ||
	    counter(o, "cfmcp_redis_errors_total", "Redis round trips that failed (connection, timeout, protocol).",
		    m ? &m->redis_errors : NULL) ||
	    hist(o, "cfmcp_redis_duration_seconds", "Time of a Redis round trip (a command or a pipeline).",
		    m ? &m->redis : NULL) ||
	    gauge(o, "cfmcp_workers_alive", "Request workers running in the pool.", m ? &m->workers_alive : NULL) ||
	    counter(o, "cfmcp_worker_restarts_total", "Workers that died and were replaced (a SIGHUP roll is not counted).",
		    m ? &m->restarts : NULL) ||
	    counter(o, "cfmcp_reloads_total", "Configuration reloads (SIGHUP) that rolled the workers.",
		    m ? &m->reloads : NULL) ||
	    gauge(o, "cfmcp_catalog_tools", "Tools in the loaded catalogue.", m ? &m->catalog_tools : NULL) ||
	    counter(o, "cfmcp_audit_write_errors_total", "Audit entries that could not be written to Redis.",
		    m ? &m->audit_errors : NULL) ||
	    counter(o, "cfmcp_records_dropped_total", "Records of a request beyond what the worker keeps (not counted above).",
		    m ? &m->records_dropped : NULL))
		return -1;
	return 0;
}
