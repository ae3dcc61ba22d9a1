/*
 * test_bug_infra.c - regression tests for the infrastructure bugs of
 * issue 11 (the FastCGI shell, the Redis store, configuration reload,
 * logging). Each test is named after its bug (bug_<what>).
 *
 * The shell is driven through serve.c's serve_one() with a fake
 * FCGX_Request (params as an envp, stdin as an in-memory FCGX_Stream).
 * The store tests start a private redis-server on a unix socket in a
 * temporary directory; without redis-server they are skipped, not passed.
 */
#include "../../fcgi/serve.c"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <hiredis/hiredis.h>

#include "../../common/config.h"
#include "../tap.h"

/* ---- a fake FastCGI request --------------------------------------------- */

static void stream_eof(FCGX_Stream *s)
{
	s->isClosed = 1;
}

struct fake_rq {
	FCGX_Request rq;
	FCGX_Stream in;
	char *envp[256];
	char kv[256][64];
	size_t n;
};

static void fake_init(struct fake_rq *f, const char *method, const char *uri, const char *body)
{
	memset(f, 0, sizeof(*f));
	f->in.isReader = 1;
	f->in.fillBuffProc = stream_eof;
	f->in.rdNext = f->in.stopUnget = (unsigned char *)(uintptr_t)body;
	f->in.stop = f->in.rdNext + strlen(body);
	f->rq.in = &f->in;
	f->rq.envp = f->envp;
	snprintf(f->kv[f->n], sizeof(f->kv[0]), "REQUEST_METHOD=%s", method);
	f->envp[f->n] = f->kv[f->n];
	f->n++;
	snprintf(f->kv[f->n], sizeof(f->kv[0]), "REQUEST_URI=%s", uri);
	f->envp[f->n] = f->kv[f->n];
	f->n++;
	snprintf(f->kv[f->n], sizeof(f->kv[0]), "CONTENT_LENGTH=%zu", strlen(body));
	f->envp[f->n] = f->kv[f->n];
	f->n++;
}

static void fake_param(struct fake_rq *f, const char *kv)
{
	if (f->n + 1 >= sizeof(f->envp) / sizeof(f->envp[0]))
		abort();
	snprintf(f->kv[f->n], sizeof(f->kv[0]), "%s", kv);
	f->envp[f->n] = f->kv[f->n];
	f->n++;
}

/* A POST with Content-Type, Accept and Content-Length, padded with
 * X-Pad-<i> headers up to nheaders headers as the worker counts them. */
static void fake_post(struct fake_rq *f, const char *uri, const char *body, int nheaders)
{
	int i;

	fake_init(f, "POST", uri, body);
	fake_param(f, "CONTENT_TYPE=application/json");
	fake_param(f, "HTTP_ACCEPT=application/json, text/event-stream");
	fake_param(f, "SERVER_SOFTWARE=not-a-header"); /* CGI variables are not headers */
	for (i = 3; i < nheaders; i++) {
		char kv[64];
		snprintf(kv, sizeof(kv), "HTTP_X_PAD_%d=v%d", i, i);
		fake_param(f, kv);
	}
}

/* ---- the core's fakes ------------------------------------------------------ */

static struct config cfg;
static struct catalog cat;
static struct mcp_env menv;

static enum store_rc fake_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	(void)hash;
	(void)bearer_hash;
	memset(out, 0, sizeof(*out));
	snprintf(out->account, sizeof(out->account), "unit");
	return STORE_OK;
}

static long fake_now(void) { return 1700000000L; }

#define TOKPATH "/mcp/good-token-0123456789"
#define LIST "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"

static int has(const struct buf *b, const char *s)
{
	return b->p && strstr(b->p, s) != NULL;
}

/* ---- bug 5: more than CAP_HEADERS request headers ---------------------- */

static void bug_too_many_headers(void)
{
	struct fake_rq f;
	struct http_response r;
	int n;

	fake_post(&f, TOKPATH, LIST, CAP_HEADERS);
	http_response_init(&r);
	serve_one(&f.rq, &menv, cfg.max_body, &r);
	is_int(r.status, 200, "bug_too_many_headers: exactly CAP_HEADERS (64) headers -> 200");
	http_response_free(&r);

	for (n = CAP_HEADERS + 1; n <= 100; n += 100 - CAP_HEADERS - 1) {
		fake_post(&f, TOKPATH, LIST, n);
		http_response_init(&r);
		serve_one(&f.rq, &menv, cfg.max_body, &r);
		is_int(r.status, 431, n == CAP_HEADERS + 1 ? "bug_too_many_headers: 65 headers -> 431, not 500" :
			"bug_too_many_headers: 100 headers (Apache's default limit) -> 431");
		ok(has(&r.headers, "Cache-Control: no-store\r\n") && has(&r.headers, "Content-Type: application/json\r\n"),
			"bug_too_many_headers: the 431 carries the router's headers");
		ok(has(&r.body, "\"code\":-32600") && !has(&r.body, "out of memory"),
			"bug_too_many_headers: a JSON-RPC -32600 body on /mcp/, not \"out of memory\"");
		http_response_free(&r);
	}

	fake_post(&f, "/integrated-account", "{}", CAP_HEADERS + 1);
	http_response_init(&r);
	serve_one(&f.rq, &menv, cfg.max_body, &r);
	is_int(r.status, 431, "bug_too_many_headers: management API -> 431 too");
	ok(has(&r.body, "\"status\":431") && has(&r.headers, "Cache-Control: no-store\r\n"),
		"bug_too_many_headers: in the management API's error shape");
	http_response_free(&r);
}

/* ---- item 10a: out of memory while reading the body is not a 413 ------ */

static void bug_body_oom_413(void)
{
	int k, said413 = 0, oom500 = 0, runs = 0;

	/* Fail the k-th allocation of one request for every k it makes. */
	for (k = 1; k < 2000; k++) {
		struct fake_rq f;
		struct http_response r;
		unsigned long before = xalloc_oom_events();

		fake_post(&f, TOKPATH, LIST, 4);
		http_response_init(&r);
		xalloc_fail_after(k);
		serve_one(&f.rq, &menv, cfg.max_body, &r);
		xalloc_fail_after(0);
		if (xalloc_oom_events() == before) {
			http_response_free(&r);
			break; /* k is past the request's last allocation */
		}
		runs++;
		if (r.status == 413) {
			said413++;
			printf("# k=%d: status 413 %.100s\n", k, r.body.p ? r.body.p : "");
		}
		if (r.status == 500 && has(&r.body, "-32603") && has(&r.headers, "Cache-Control: no-store\r\n"))
			oom500++;
		http_response_free(&r);
	}
	ok(runs > 5, "bug_body_oom_413: the torture reached %d allocations", runs);
	is_int(said413, 0, "bug_body_oom_413: no allocation failure is answered 413");
	ok(oom500 > 0, "bug_body_oom_413: allocation failures in the shell are 500/-32603 with the router's headers (%d)",
		oom500);
	{
		/* and a body over the cap is still 413, one byte over */
		static char big[2048];
		struct fake_rq f;
		struct http_response r;
		memset(big, ' ', sizeof(big) - 1);
		memcpy(big, LIST, sizeof(LIST) - 1);
		fake_post(&f, TOKPATH, big, 4);
		http_response_init(&r);
		serve_one(&f.rq, &menv, sizeof(big) - 2, &r);
		is_int(r.status, 413, "bug_body_oom_413: a body one byte over the cap is still 413");
		http_response_free(&r);
		fake_post(&f, TOKPATH, big, 4);
		http_response_init(&r);
		serve_one(&f.rq, &menv, sizeof(big) - 1, &r);
		is_int(r.status, 200, "bug_body_oom_413: a body exactly at the cap is read");
		http_response_free(&r);
	}
}

int main(void)
{
	char err[512], kf[] = "/tmp/cfmcp-unit-key-XXXXXX";

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN); /* as in the worker: a dead Redis socket is an error, not a signal */
	xalloc_init();
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	{
		int fd = mkstemp(kf);
		static const char key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
		if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
			abort();
		close(fd);
		setenv("CFMCP_KEY_FILE", kf, 1);
		ok(config_load(&cfg, err, sizeof(err)) == 0, "config loads: %s", err);
	}
	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "catalogue loads: %s", err);
	menv.cfg = &cfg;
	menv.cat = &cat;
	menv.lookup = fake_lookup;
	menv.now = fake_now;

	bug_too_many_headers();
	bug_body_oom_413();
	catalog_free(&cat);
	config_free(&cfg);
	args_patterns_free();
	unlink(kf);
	return done_testing();
}
