/*
 * serve.c - the FastCGI accept loop (FastCGI 1.0 §3.3 Responder role).
 *
 * SIGTERM sets a flag; with FCGI_FAIL_ACCEPT_ON_INTR an idle worker's
 * accept() returns at once, a busy one finishes its request first. So a
 * stopping pool never drops a request it has accepted.
 */
#include "../common/first.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <curl/curl.h>
#include <fcgiapp.h>
#include <hiredis/hiredis.h>

#include "../common/admin.h"
#include "../common/audit.h"
#include "../common/cache.h"
#include "../common/http.h"
#include "../common/log.h"
#include "../common/metrics.h"
#include "../common/router.h"
#include "../common/schema.h"
#include "../common/sessions.h"
#include "../common/store.h"
#include "../common/upstream.h"
#include "../common/xalloc.h"
#include "serve.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The worker's Redis connection and, when CFMCP_CACHE_ENTRIES > 0, its
 * scope cache (cache.h): mcp_env.store_ud. */
struct serve_store {
	struct store *st;
	struct cache *cache;
};

static enum store_rc env_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	struct serve_store *ss = ud;

	if (ss->cache)
		return cache_lookup(ss->cache, ss->st, hash, bearer_hash, (long)time(NULL), out);
	return store_lookup(ss->st, hash, bearer_hash, out);
}

static enum upstream_err env_upstream(void *ud, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	return upstream_do(ud, p, token, r);
}

static enum store_rc env_cache_get(void *ud, const char *key, char *out, size_t outsz)
{
	return store_get(((struct serve_store *)ud)->st, key, out, outsz);
}

static enum store_rc env_cache_set(void *ud, const char *key, const char *val, long ttl)
{
	return store_setex(((struct serve_store *)ud)->st, key, val, ttl);
}

/* Legacy HTTP+SSE: the session's token hash (sessions.h). */
static enum store_rc env_session_get(void *ud, const char *sid, char *hash, size_t hashsz)
{
	char key[SESSION_NAME_MAX];

	if (session_key(sid, key) < 0)
		return STORE_NOTFOUND;
	return store_get(ud, key, hash, hashsz);
}

/* PUBLISH the answer to the stream holding the session: the receiver
 * count, or -1. Never resent (store.h: PUBLISH is not idempotent). */
static long env_publish(void *ud, const char *sid, const char *msg, size_t n)
{
	char ch[SESSION_NAME_MAX];
	const char *argv[] = { "PUBLISH", ch, msg, NULL };
	const char *const *cmds[] = { argv };
	struct redisReply *r[1];
	long got = -1;

	(void)n; /* JSON text: no NUL inside, so the string form carries it whole */
	if (session_channel(sid, ch) < 0)
		return 0;
	if (store_pipeline(ud, 1, cmds, r) < 0)
		return -1;
	if (r[0]->type == REDIS_REPLY_INTEGER)
		got = (long)r[0]->integer;
	store_reply_free(r[0]);
	return got;
}

/*
 * The records the core reported for the request being served (record.h),
 * kept until its answer is written: the audit trail and the counters are
 * fed after FCGX_Finish_r, so neither adds to the answer's latency. A
 * batch reports at most 2 * CAP_BATCH (a message and a tool call each)
 * plus one; more are counted, not kept.
 */
#define SERVE_RECORDS (2 * CAP_BATCH + 2)
struct serve_records {
	struct record r[SERVE_RECORDS];
	size_t n;
	size_t dropped;
	const struct admin_store *store; /* the worker's Redis, for the audit trail */
	struct store *st;                /* ... and the connection under it */
	const struct config *cfg;
};

/* While a tool call waits for Cloudflare (upstream_on_wait): a due batch of
 * audit entries goes out now, so Redis's work overlaps that wait instead
 * of the answer's way back through the web server to the client. Only on
 * a connection already open: a connect would hold the call up. */
static void on_upstream_wait(void *ud)
{
	struct serve_records *sr = ud;

	if (store_can_send_now(sr->st))
		audit_flush_due(sr->store);
}

static void env_record(void *ud, const struct record *r)
{
	struct serve_records *sr = ud;

	if (sr->n < SERVE_RECORDS)
		sr->r[sr->n++] = *r;
	else
		sr->dropped++;
}

/* After the answer is out: hand the request's records on. request_us:
 * from accept to the answer written. */
static void serve_after(struct serve_records *sr, const struct http_response *resp, long long request_us)
{
	metrics_observe(metrics_global(), sr->r, sr->n, sr->dropped, resp->status, request_us);
	audit_append(sr->store, sr->cfg, sr->r, sr->n);
	sr->n = 0;
	sr->dropped = 0;
}

static long env_now(void)
{
	return (long)time(NULL);
}

static long long env_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* CGI meta-variables (RFC 3875 §4.1) into our request. HTTP_* become
 * lower-case dashed header names; CONTENT_TYPE/LENGTH join them. What
 * stops it is recorded in req->fault for the router to answer (431 for
 * too many headers, 500 for out of memory), so every answer, even these,
 * leaves through the router with its usual headers. */
static void fill_request(FCGX_Request *rq, size_t max_body, struct http_request *req)
{
	char **e;
	const char *cl, *uri, *m;
	size_t pl;

	/* Method and path first: the router shapes even a fault's answer by path. */
	m = FCGX_GetParam("REQUEST_METHOD", rq->envp);
	req->method = xstrdup(m ? m : "");
	/* The token comes from REQUEST_URI only (shared/notes: lighttpd
	 * decodes and splits SCRIPT_NAME/PATH_INFO; REQUEST_URI is raw). */
	uri = FCGX_GetParam("REQUEST_URI", rq->envp);
	if (!uri)
		uri = "";
	pl = strcspn(uri, "?#");
	req->path = xstrndup(uri, pl);
	if (uri[pl] == '?' && !(req->query = xstrndup(uri + pl + 1, strcspn(uri + pl + 1, "#"))))
		goto nomem;
	if (!req->method || !req->path)
		goto nomem;
	m = FCGX_GetParam("REMOTE_ADDR", rq->envp);
	if (m && strlen(m) < sizeof(req->remote_addr))
		memcpy(req->remote_addr, m, strlen(m) + 1);
	for (e = rq->envp; e && *e; e++) {
		const char *kv = *e, *eq = strchr(kv, '=');
		size_t nl, vl;
		int rc;
		if (!eq)
			continue;
		nl = (size_t)(eq - kv);
		vl = strlen(eq + 1);
		if (vl > CAP_HEADER_VALUE)
			continue; /* oversized header: treated as absent */
		if (nl > 5 && !strncmp(kv, "HTTP_", 5))
			rc = http_request_add_header(req, kv + 5, nl - 5, eq + 1, vl);
		else if ((nl == 12 && !strncmp(kv, "CONTENT_TYPE", 12)) ||
			 (nl == 14 && !strncmp(kv, "CONTENT_LENGTH", 14)))
			rc = http_request_add_header(req, kv, nl, eq + 1, vl);
		else
			continue;
		if (rc == HTTP_ADD_FULL) {
			/* Refused, not truncated: the header we would drop could
			 * be Origin or Authorization. Apache passes up to 100. */
			req->fault = HTTP_FAULT_HEADERS;
			return;
		}
		if (rc != HTTP_ADD_OK)
			goto nomem;
	}
	cl = FCGX_GetParam("CONTENT_LENGTH", rq->envp);
	if (cl && *cl) {
		char *end;
		long long n = strtoll(cl, &end, 10);
		req->content_length = (*end || n < 0) ? -1 : (n > (long long)1 << 40 ? (long)1 << 30 : (long)n);
	}
	if (req->content_length > (long)max_body) {
		req->body_too_large = 1; /* answered 413 without reading it */
		return;
	}
	{
		/* Read at most max_body + 1 bytes so a Content-Length lie is seen.
		 * Over the cap is 413; a failed allocation under it is ours (500). */
		char chunk[16384];
		req->body.max = max_body;
		for (;;) {
			int n = FCGX_GetStr(chunk, (int)sizeof(chunk), rq->in);
			if (n <= 0)
				break;
			if ((size_t)n > max_body - req->body.len) {
				req->body_too_large = 1;
				break;
			}
			if (buf_append(&req->body, chunk, (size_t)n))
				goto nomem;
		}
	}
	return;
nomem:
	req->fault = HTTP_FAULT_NOMEM;
}

/* The request id JSON log lines carry (log.h): the client's X-Request-Id
 * when it is 1-64 of [A-Za-z0-9._:-] (so a proxy's id joins the lines up),
 * else this worker's pid and a counter. */
static void set_request_id(const struct http_request *req)
{
	static unsigned long seq;
	const char *h = http_request_header(req, "x-request-id");
	char id[65];
	size_t n = h ? strlen(h) : 0;

	if (n >= 1 && n <= 64 && strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n) {
		log_set_request_id(h);
		return;
	}
	snprintf(id, sizeof(id), "%ld-%lu", (long)getpid(), ++seq);
	log_set_request_id(id);
}

/* One accepted request: FastCGI params and stdin into a struct
 * http_request, the router's answer into resp (initialized by the caller,
 * who writes and frees it). The request is freed here, on every path. */
static void serve_one(FCGX_Request *rq, const struct mcp_env *env, size_t max_body,
	struct http_response *resp)
{
	struct http_request req;

	http_request_init(&req);
	fill_request(rq, max_body, &req);
	set_request_id(&req);
	router_handle(env, &req, resp);
	http_request_free(&req);
}

/* FastCGI 1.0 §3.3, §5.3: an FCGI_STDOUT record header for len bytes. */
#define FCGI_STDOUT_TYPE 6
#define FCGI_MAX_CONTENT 65535
static void record_header(unsigned char h[8], int request_id, size_t len)
{
	h[0] = 1; /* FCGI_VERSION_1 */
	h[1] = FCGI_STDOUT_TYPE;
	h[2] = (unsigned char)((request_id >> 8) & 0xff);
	h[3] = (unsigned char)(request_id & 0xff);
	h[4] = (unsigned char)((len >> 8) & 0xff);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = 0; /* no padding: optional (§3.3) */
	h[7] = 0;
}

/* writev until everything is written (a blocking socket may still take
 * part of it, or be interrupted). -1 on an error (the peer went away). */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/*
 * The answer as FCGI_STDOUT records of up to 64 KB written with writev:
 * libfcgi's own stream cuts it into 8 KB records, one write each (a
 * 33 KB tools/call answer took five). Nothing goes through rq->out, so
 * FCGX_Finish_r only adds the end-of-stream record and FCGI_END_REQUEST
 * after ours. A head too large for one record takes libfcgi's path.
 */
static void write_response(FCGX_Request *rq, const struct http_response *resp)
{
	char status[128], cl[64];
	int sn, cn;
	size_t head, off, first;
	unsigned char h[8];
	struct iovec iov[5];

	sn = snprintf(status, sizeof(status), "Status: %d %s\r\n", resp->status, http_reason(resp->status));
	cn = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n\r\n", resp->body.len);
	if (sn < 0 || (size_t)sn >= sizeof(status) || cn < 0 || (size_t)cn >= sizeof(cl))
		return; /* cannot happen: a 3-digit status, a number */
	head = (size_t)sn + resp->headers.len + (size_t)cn;
	if (head > FCGI_MAX_CONTENT || rq->ipcFd < 0) {
		FCGX_PutStr(status, sn, rq->out);
		if (resp->headers.len)
			FCGX_PutStr(resp->headers.p, (int)resp->headers.len, rq->out);
		FCGX_PutStr(cl, cn, rq->out);
		if (resp->body.len)
			FCGX_PutStr(resp->body.p, (int)resp->body.len, rq->out);
		return;
	}
	first = resp->body.len < FCGI_MAX_CONTENT - head ? resp->body.len : FCGI_MAX_CONTENT - head;
	record_header(h, rq->requestId, head + first);
	iov[0].iov_base = h;
	iov[0].iov_len = 8;
	iov[1].iov_base = status;
	iov[1].iov_len = (size_t)sn;
	iov[2].iov_base = resp->headers.p;
	iov[2].iov_len = resp->headers.len;
	iov[3].iov_base = cl;
	iov[3].iov_len = (size_t)cn;
	iov[4].iov_base = resp->body.p;
	iov[4].iov_len = first;
	if (writev_all(rq->ipcFd, iov, 5) < 0)
		return; /* the web server went away; FCGX_Finish_r notices too */
	for (off = first; off < resp->body.len;) {
		size_t n = resp->body.len - off < FCGI_MAX_CONTENT ? resp->body.len - off : FCGI_MAX_CONTENT;
		record_header(h, rq->requestId, n);
		iov[0].iov_base = h;
		iov[0].iov_len = 8;
		iov[1].iov_base = resp->body.p + off;
		iov[1].iov_len = n;
		if (writev_all(rq->ipcFd, iov, 2) < 0)
			return;
		off += n;
	}
}

int serve_worker(int listen_fd, const struct config *cfg, const struct catalog *cat,
	const struct search_index *ix)
{
	struct sigaction sa;
	FCGX_Request rq;
	struct mcp_env env;
	struct admin_store adm;
	struct store *st = NULL;
	struct cache *cache = NULL;
	struct serve_store ss;
	struct upstream *up = NULL;
	struct timeval idle_tv;
	int idle_wake = 0, accepted_inherit = 1;
	static struct serve_records recs; /* ~100 KB: not on the stack */
	int rc = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: accept() must see EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* Keep freed heap for the next request instead of returning it to
	 * the kernel each time (brk churn was 6% of a tools/call profile);
	 * bounded, so RSS stays flat. */
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TOP_PAD, 1024 * 1024);
	st = store_from_config(cfg);
	up = upstream_new(cfg);
	if (st && cfg->cache_entries > 0) {
		cache = cache_new((size_t)cfg->cache_entries);
		if (cache)
			store_tracking_enable(st);
	}
	if (!st || !up || (cfg->cache_entries > 0 && !cache)) {
		log_err("worker: out of memory at start");
		goto out;
	}
	ss.st = st;
	ss.cache = cache;
	memset(&env, 0, sizeof(env));
	env.cfg = cfg;
	env.cat = cat;
	env.search = ix;
	env.lookup = env_lookup;
	env.store_ud = &ss;
	admin_store_redis(&adm, st);
	env.admin_store = &adm;
	env.upstream = env_upstream;
	env.up_ud = up;
	env.cache_get = env_cache_get;
	env.cache_set = env_cache_set;
	env.now = env_now;
	env.session_get = env_session_get;
	env.publish = env_publish;
	env.session_ud = st;
	env.record = env_record;
	env.record_ud = &recs;
	env.now_ms = env_now_ms;
	recs.store = &adm;
	recs.st = st;
	recs.cfg = cfg;
	if (cfg->audit_maxlen > 0)
		upstream_on_wait(up, on_upstream_wait, &recs);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("worker: FCGX_Init failed");
		goto out;
	}
	/* FCGX_Init puts libfcgi's own (empty) SIGPIPE handler over SIG_IGN:
	 * lighttpd often closes once it has the whole answer, before our
	 * FCGI_END_REQUEST, and each such EPIPE then cost a signal delivery */
	signal(SIGPIPE, SIG_IGN);
	/* An idle worker wakes every CFMCP_AUDIT_FLUSH_MS (accept() gives up
	 * with EAGAIN) to send the audit entries it holds back (audit.h). */
	idle_tv.tv_sec = cfg->audit_flush_ms / 1000;
	idle_tv.tv_usec = (cfg->audit_flush_ms % 1000) * 1000;
	{
		/* an accepted unix connection starts with no timeout (Linux
		 * makes it afresh); a TCP one is a copy of the listener */
		struct sockaddr_storage ss_l;
		socklen_t sl = sizeof(ss_l);
		if (getsockname(listen_fd, (struct sockaddr *)&ss_l, &sl) == 0 && ss_l.ss_family == AF_UNIX)
			accepted_inherit = 0;
	}
	idle_wake = cfg->audit_maxlen > 0 &&
		setsockopt(listen_fd, SOL_SOCKET, SO_RCVTIMEO, &idle_tv, sizeof(idle_tv)) == 0;
	while (!stopping) {
		struct http_response resp;
		long long t0;

		if (FCGX_Accept_r(&rq) < 0) {
			if (stopping)
				break;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				audit_flush(&adm); /* idle for CFMCP_AUDIT_FLUSH_MS */
				continue;
			}
			if (errno == EINTR)
				continue;
			log_warn("worker: accept failed: %s", strerror(errno));
			usleep(10000);
			continue;
		}
		t0 = mono_us();
		if (idle_wake && accepted_inherit && rq.ipcFd >= 0) {
			/* a TCP connection inherits the listener's timeout: not ours
			 * (tests/e2e/90-pool.t; skipped for unix: a syscall per request) */
			struct timeval none = { 0, 0 };
			(void)setsockopt(rq.ipcFd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
		}
		http_response_init(&resp);
		serve_one(&rq, &env, cfg->max_body, &resp);
		store_request_end(st);
		write_response(&rq, &resp);
		FCGX_Finish_r(&rq);
		serve_after(&recs, &resp, mono_us() - t0);
		log_set_request_id(NULL);
		http_response_free(&resp);
	}
	FCGX_Free(&rq, 0);
	audit_flush(&adm); /* what waits, before the store closes */
	rc = 0;
out:
	upstream_free(up);
	cache_free(cache);
	store_free(st);
	schema_patterns_free();
	return rc;
}
