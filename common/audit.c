/*
 * audit.c - appending to the audit trail (audit.h). Runs after the answer
 * is written (fcgi/serve.c serve_after), on the worker's own Redis
 * connection: a request's entries go out in one pipeline, and nothing
 * that happens here reaches the client. Reading is audit_read.c.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "audit.h"
#include "metrics.h"
#include "log.h"
#include "store.h"

static unsigned long errors;
static time_t last_log;

unsigned long audit_errors(void)
{
	return errors;
}

int audit_key(const struct record *r, char out[AUDIT_KEYSZ])
{
	const char *a = r->account_id;
	size_t i;

	if (!a[0]) {
		if (r->kind != RECORD_ADMIN)
			return -1;
		snprintf(out, AUDIT_KEYSZ, "%s", AUDIT_GLOBAL);
		return 0;
	}
	for (i = 0; a[i]; i++)
		if ((unsigned char)a[i] <= 0x20 || (unsigned char)a[i] >= 0x7f)
			return -1;
	if (!strcmp(a, "apikeys"))
		return -1; /* the global stream's name: not an account's */
	snprintf(out, AUDIT_KEYSZ, "%s%s", AUDIT_PREFIX, a);
	return 0;
}

/* One XADD's argv and the numbers it points to. The most fields an entry
 * has: 22 names and values, plus XADD key NOMKSTREAM MAXLEN ~ N * and the
 * NULL. */
#define ENTRY_ARGS (8 + 2 * 22 + 1)
struct entry {
	const char *argv[ENTRY_ARGS];
	size_t n;
	char key[AUDIT_KEYSZ], maxlen[24], t[24], status[16], ms[24], http[16];
	struct record rec; /* what argv points into: the entry may outlive the request */
};

/* name value, unless value is empty (the stream format leaves it out). */
static void field(struct entry *e, const char *name, const char *value)
{
	if (value && value[0] && e->n + 3 <= ENTRY_ARGS) {
		e->argv[e->n++] = name;
		e->argv[e->n++] = value;
	}
}

/* The XADD for r into e: 0, or -1 when r has no stream (not written). */
static int entry_build(struct entry *e, const struct record *rin, long maxlen)
{
	const struct record *r = &e->rec;

	e->rec = *rin;
	if (audit_key(r, e->key) < 0)
		return -1;
	snprintf(e->maxlen, sizeof(e->maxlen), "%ld", maxlen);
	snprintf(e->t, sizeof(e->t), "%lld", r->time_ms);
	e->n = 0;
	e->argv[e->n++] = "XADD";
	e->argv[e->n++] = e->key;
	/* An account's stream begins with its account.created entry and ends
	 * when the account is removed: no other entry makes it again (a tool
	 * call in flight during the removal is written after it; Redis then
	 * answers nil, and the entry goes with its account). The global
	 * stream has no beginning of that kind. */
	if (r->account_id[0] && !(r->kind == RECORD_ADMIN && !strcmp(r->action, "account.created")))
		e->argv[e->n++] = "NOMKSTREAM";
	e->argv[e->n++] = "MAXLEN";
	e->argv[e->n++] = "~";
	e->argv[e->n++] = e->maxlen;
	e->argv[e->n++] = "*";
	field(e, "kind", r->kind == RECORD_ADMIN ? "admin" : "tool_call");
	field(e, "t", e->t);
	field(e, "mcp_id", r->mcp_id);
	field(e, "mcp_name", r->mcp_name);
	if (r->kind == RECORD_TOOL_CALL) {
		field(e, "tool", r->tool);
		if (r->tclass < CLASS_COUNT)
			field(e, "class", record_class_name(r->tclass));
		field(e, "cf_method", r->cf_method);
		field(e, "cf_path", r->cf_path);
		field(e, "outcome", record_outcome_name(r->outcome));
		if (r->upstream_status > 0) {
			snprintf(e->status, sizeof(e->status), "%d", r->upstream_status);
			field(e, "status", e->status);
		}
		if (r->upstream_ms >= 0) {
			snprintf(e->ms, sizeof(e->ms), "%ld", r->upstream_ms);
			field(e, "latency_ms", e->ms);
		}
		field(e, "cf_ray", r->cf_ray);
	}
	field(e, "client_name", r->client_name);
	field(e, "client_version", r->client_version);
	field(e, "user_agent", r->user_agent);
	field(e, "request_id", r->request_id);
	if (r->kind == RECORD_TOOL_CALL)
		field(e, "args_sha256", r->args_sha256);
	if (r->kind == RECORD_ADMIN) {
		field(e, "action", r->action);
		field(e, "target", r->target_id);
		field(e, "actor", r->actor);
		if (r->http_status > 0) {
			snprintf(e->http, sizeof(e->http), "%d", r->http_status);
			field(e, "http_status", e->http);
		}
	}
	e->argv[e->n] = NULL;
	return 0;
}

int audit_append_one(const struct admin_store *as, long maxlen, const struct record *r)
{
	static struct entry e; /* ~2 KB: not on the stack */
	const char *const *cmds[1];
	redisReply *rep = NULL;
	int rc;

	if (maxlen <= 0)
		return maxlen == 0 ? 0 : -1;
	if (entry_build(&e, r, maxlen) < 0)
		return -1;
	cmds[0] = e.argv;
	if (as->pipeline(as->ud, 1, cmds, &rep) < 0)
		return -1;
	rc = rep->type == REDIS_REPLY_STRING ? 0 : -1; /* the new entry's id */
	store_reply_free(rep);
	return rc;
}

/* Count what failed; say so in the log at most once a second, without
 * anything of the entries (ids only reach Redis). */
static void failed(unsigned long n, const char *why)
{
	time_t now = time(NULL);

	errors += n;
	metrics_audit_errors(n);
	if (now != last_log) {
		last_log = now;
		log_warn("audit: %lu entr%s not written (%s); %lu since start", n, n == 1 ? "y" : "ies", why, errors);
	}
}

/* One round trip for e[0..n-1]. */
static void flush(const struct admin_store *as, struct entry *e, size_t n)
{
	const char *const *cmds[STORE_MAX_PIPELINE] = { NULL };
	redisReply *rep[STORE_MAX_PIPELINE] = { NULL };
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < n; i++)
		cmds[i] = e[i].argv;
	if (as->send) {
		/* written now, replies read later (store_send_deferred): the
		 * worker returns to accept() without waiting for Redis */
		if (as->send(as->ud, n, cmds) < 0)
			failed(n, "Redis unreachable");
		return;
	}
	if (as->pipeline(as->ud, n, cmds, rep) < 0) {
		failed(n, "Redis unreachable");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!rep[i] || rep[i]->type == REDIS_REPLY_ERROR)
			bad++;
		store_reply_free(rep[i]);
	}
	if (bad)
		failed(bad, "Redis refused XADD");
}

/*
 * Entries not yet sent. With a deferred writer (the worker's store) they
 * wait here and leave as one pipelined write - one Redis wake-up per batch
 * instead of one per tool call: once AUDIT_BATCH have gathered, at the next
 * audit_flush_due (the worker calls it while a later tool call waits for
 * Cloudflare, so Redis's work overlaps that wait rather than the answer's
 * way back to the client); at the end of a request when AUDIT_HOLD_MAX
 * have gathered or the oldest is cfg->audit_flush_ms old; or when the worker
 * has been idle that long (audit_flush, from the accept loop). Without one
 * (tests, fakes) each call's entries are written before it returns.
 */
_Static_assert(AUDIT_HOLD_MAX <= STORE_MAX_PIPELINE, "a held batch leaves in one pipeline");
static struct entry pend[AUDIT_HOLD_MAX]; /* ~80 KB: not on the stack */
static size_t npend;
static long long pend_since_ms;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void audit_flush(const struct admin_store *as)
{
	if (npend)
		flush(as, pend, npend);
	npend = 0;
}

void audit_flush_due(const struct admin_store *as)
{
	if (npend >= AUDIT_BATCH)
		audit_flush(as);
}

void audit_append(const struct admin_store *as, const struct config *cfg, const struct record *r, size_t n)
{
	size_t i;
	int batch = as->send != NULL;

	if (cfg->audit_maxlen <= 0 || !as->pipeline)
		return;
	if (as->send_failed) {
		unsigned long lost = as->send_failed(as->ud);
		if (lost)
			failed(lost, "Redis refused XADD, or the connection closed before it answered");
	}
	for (i = 0; i < n; i++) {
		if (r[i].kind == RECORD_MESSAGE || entry_build(&pend[npend], &r[i], cfg->audit_maxlen) < 0)
			continue;
		if (npend++ == 0)
			pend_since_ms = mono_ms();
		if (npend == AUDIT_HOLD_MAX)
			audit_flush(as);
	}
	if (npend && (!batch || mono_ms() - pend_since_ms >= cfg->audit_flush_ms))
		audit_flush(as);
}
