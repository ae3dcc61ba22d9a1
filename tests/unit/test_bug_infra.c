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

/* ---- bug 6: the store and transactions, against a real redis-server ---- */

static pid_t redis_pid;
static char redis_dir[64], redis_sock[128], redis_addr[160];

static int redis_start(void)
{
	redisContext *c = NULL;
	int i;

	snprintf(redis_dir, sizeof(redis_dir), "/tmp/cfmcp-unit-redis-XXXXXX");
	if (!mkdtemp(redis_dir))
		return -1;
	snprintf(redis_sock, sizeof(redis_sock), "%s/redis.sock", redis_dir);
	snprintf(redis_addr, sizeof(redis_addr), "unix:%s", redis_sock);
	redis_pid = fork();
	if (redis_pid < 0)
		return -1;
	if (redis_pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", redis_sock,
			"--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", redis_dir,
			(char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		struct timespec ts = { 0, 25 * 1000000L };
		c = redisConnectUnix(redis_sock);
		if (c && !c->err)
			break;
		if (c)
			redisFree(c);
		c = NULL;
		if (waitpid(redis_pid, NULL, WNOHANG) == redis_pid) {
			redis_pid = 0;
			return -1; /* not installed, or it would not start */
		}
		nanosleep(&ts, NULL);
	}
	if (!c)
		return -1;
	redisFree(c);
	return 0;
}

static void redis_stop(void)
{
	char p[192];

	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM);
		waitpid(redis_pid, NULL, 0);
	}
	snprintf(p, sizeof(p), "%s/redis.sock", redis_dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/dump.rdb", redis_dir);
	unlink(p);
	rmdir(redis_dir);
}

/* A command on the test's own (second) connection: the "other client". */
static redisReply *ctl(redisContext *c, int argc, const char **argv)
{
	return redisCommandArgv(c, argc, argv, NULL);
}

static void ctl_set(redisContext *c, const char *k, const char *v)
{
	const char *a[] = { "SET", k, v };
	freeReplyObject(ctl(c, 3, a));
}

static int ctl_get_is(redisContext *c, const char *k, const char *want)
{
	const char *a[] = { "GET", k };
	redisReply *r = ctl(c, 2, a);
	int same = r && r->type == REDIS_REPLY_STRING && !strcmp(r->str, want);

	if (r && !same)
		printf("#   %s is \"%s\", want \"%s\"\n", k, r->type == REDIS_REPLY_STRING ? r->str : "(not a string)", want);
	if (r)
		freeReplyObject(r);
	return same;
}

static void ctl_kill(redisContext *c, long long id)
{
	char ids[32];
	const char *a[] = { "CLIENT", "KILL", "ID", ids };

	snprintf(ids, sizeof(ids), "%lld", id);
	freeReplyObject(ctl(c, 4, a));
}

static void free_replies(struct redisReply **rep, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		store_reply_free(rep[i]);
		rep[i] = NULL;
	}
}

/* WATCH, then the other client's change and CLIENT KILL; the connection id
 * of the WATCHing connection is read in the same pipeline. */
static long long watch_then_kill(struct store *st, redisContext *c, const char *const *const *w1)
{
	struct redisReply *rep[2] = { NULL, NULL };
	long long id = -1;

	if (store_pipeline(st, 2, w1, rep) == 0 && rep[1]->type == REDIS_REPLY_INTEGER)
		id = rep[1]->integer;
	free_replies(rep, 2);
	ctl_kill(c, id);
	return id;
}

static void bug_store_watch_reconnect(redisContext *c)
{
	struct store *st = store_new(redis_addr, 300);
	static const char *const watch[] = { "WATCH", "unit:k", NULL };
	static const char *const cid[] = { "CLIENT", "ID", NULL };
	static const char *const multi[] = { "MULTI", NULL };
	static const char *const set[] = { "SET", "unit:k", "mine", NULL };
	static const char *const incr[] = { "INCR", "unit:n", NULL };
	static const char *const exec[] = { "EXEC", NULL };
	static const char *const skip[] = { "CLIENT", "REPLY", "SKIP", NULL };
	struct redisReply *rep[4] = { NULL, NULL, NULL, NULL };
	long long id = -1;
	char v[32];
	int rc;

	ctl_set(c, "unit:k", "orig");
	{
		const char *const *cmds[] = { watch, cid };
		rc = store_pipeline(st, 2, cmds, rep);
		ok(rc == 0 && rep[1] && rep[1]->type == REDIS_REPLY_INTEGER,
			"bug_store_watch_reconnect: WATCH unit:k on the store's connection");
		if (rc == 0 && rep[1])
			id = rep[1]->integer;
		store_reply_free(rep[0]);
		store_reply_free(rep[1]);
	}
	/* another client changes the key, and the WATCHing connection dies */
	ctl_set(c, "unit:k", "theirs");
	ctl_kill(c, id);
	{
		const char *const *cmds[] = { multi, set, exec };
		rc = store_pipeline(st, 3, cmds, rep);
		ok(rc < 0, "bug_store_watch_reconnect: MULTI/EXEC after the WATCHing connection died fails (got %d)", rc);
		if (rc == 0) {
			store_reply_free(rep[0]);
			store_reply_free(rep[1]);
			store_reply_free(rep[2]);
		}
	}
	ok(ctl_get_is(c, "unit:k", "theirs"),
		"bug_store_watch_reconnect: the concurrent change is kept (no unguarded EXEC on a new connection)");
	ok(store_get(st, "unit:k", v, sizeof(v)) == STORE_OK && !strcmp(v, "theirs"),
		"bug_store_watch_reconnect: after the failed transaction the store serves the next command");

	/* A MULTI/EXEC whose reply is lost (CLIENT REPLY SKIP eats one reply,
	 * so the last read times out) must not be sent a second time. */
	ctl_set(c, "unit:n", "0");
	{
		const char *const *cmds[] = { skip, multi, incr, exec };
		rc = store_pipeline(st, 4, cmds, rep);
		ok(rc < 0, "bug_store_watch_reconnect: a transaction whose reply was lost reports failure");
		if (rc == 0) {
			size_t i;
			for (i = 0; i < 4; i++)
				store_reply_free(rep[i]);
		}
	}
	ok(ctl_get_is(c, "unit:n", "1"), "bug_store_watch_reconnect: ... and ran once, not twice");

	/* Lost between WATCH and a read: the read fails too (no new
	 * connection inside a transaction) until the caller's UNWATCH. */
	{
		static const char *const get[] = { "GET", "unit:k", NULL };
		static const char *const unwatch[] = { "UNWATCH", NULL };
		const char *const *w1[] = { watch, cid }, *const *rd[] = { get }, *const *uw[] = { unwatch };
		const char *const *tx[] = { multi, set, exec };
		watch_then_kill(st, c, w1);
		ok(store_pipeline(st, 1, rd, rep) < 0 && !rep[0],
			"bug_store_watch_reconnect: a read inside a transaction whose connection died fails");
		ok(store_pipeline(st, 1, uw, rep) == 0 && rep[0], "bug_store_watch_reconnect: UNWATCH ends it");
		free_replies(rep, 1);
		ok(store_pipeline(st, 3, tx, rep) == 0 && rep[2] && rep[2]->type == REDIS_REPLY_ARRAY,
			"bug_store_watch_reconnect: the next (unguarded) transaction runs");
		free_replies(rep, 3);
	}
	/* A request that ends with its transaction lost, or still open, does
	 * not leak it into the next request. */
	{
		const char *const *w1[] = { watch, cid };
		const char *const *tx[] = { multi, set, exec };
		watch_then_kill(st, c, w1);
		store_request_end(st);
		ok(store_pipeline(st, 3, tx, rep) == 0 && rep[2] && rep[2]->type == REDIS_REPLY_ARRAY,
			"bug_store_watch_reconnect: after store_request_end a lost transaction is forgotten");
		free_replies(rep, 3);
		ok(store_pipeline(st, 2, w1, rep) == 0, "WATCH left open by a request");
		free_replies(rep, 2);
		ctl_set(c, "unit:k", "changed");
		store_request_end(st);
		ok(store_pipeline(st, 3, tx, rep) == 0 && rep[2] && rep[2]->type == REDIS_REPLY_ARRAY,
			"bug_store_watch_reconnect: a WATCH a request left open does not abort the next request's EXEC");
		free_replies(rep, 3);
	}
	store_free(st);
}

static void bug_store_replies_on_failure(redisContext *c)
{
	struct store *st = store_new(redis_addr, 300);
	static const char *const ping[] = { "PING", NULL };
	static const char *const skip[] = { "CLIENT", "REPLY", "SKIP", NULL };
	struct redisReply *rep[4] = { NULL, NULL, NULL, NULL };
	const char *const *cmds[] = { ping, skip, ping, ping };
	int rc;
	char v[8];

	(void)c;
	/* replies arrive for commands 0 and 3 only: the third read times out
	 * after two replies were read */
	rc = store_pipeline(st, 4, cmds, rep);
	ok(rc < 0, "bug_store_replies_on_failure: a pipeline that loses a reply fails");
	ok(!rep[0] && !rep[1] && !rep[2] && !rep[3],
		"bug_store_replies_on_failure: on failure every replies[] slot is NULL (no freed pointers left)");
	if (rc == 0) {
		size_t i;
		for (i = 0; i < 4; i++)
			store_reply_free(rep[i]);
	}
	/* and a plain read after an idle connection was killed reconnects */
	{
		static const char *const cid[] = { "CLIENT", "ID", NULL };
		const char *const *one[] = { cid };
		struct redisReply *r = NULL;
		ok(store_pipeline(st, 1, one, &r) == 0 && r && r->type == REDIS_REPLY_INTEGER, "store: CLIENT ID");
		if (r) {
			ctl_kill(c, r->integer);
			store_reply_free(r);
		}
		ctl_set(c, "unit:r", "x");
		ok(store_get(st, "unit:r", v, sizeof(v)) == STORE_OK && !strcmp(v, "x"),
			"store: a read on a connection Redis closed while idle reconnects and succeeds");
	}
	store_free(st);
}

/* ---- bug 7: reload gives what a fresh start with the new file gives ---- */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static size_t count_lines(const char *path, const char *needle)
{
	char line[2048];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static void bug_sighup_stale_config(void)
{
	char dir[] = "/tmp/cfmcp-unit-conf-XXXXXX", conf[128], la[128], lb[128], err[512], text[512];
	struct config c1, c2, c3;

	if (!mkdtemp(dir)) {
		ok(0, "bug_sighup_stale_config: mkdtemp");
		return;
	}
	snprintf(conf, sizeof(conf), "%s/cfmcp.conf", dir);
	snprintf(la, sizeof(la), "%s/a.log", dir);
	snprintf(lb, sizeof(lb), "%s/b.log", dir);
	/* the process environment at start, as systemd or spawn-fcgi gives it */
	setenv("CFMCP_TOOLS_PAGE_SIZE", "5", 1);
	unsetenv("CFMCP_MAX_BODY");
	unsetenv("CFMCP_LOG_LEVEL");
	unsetenv("CFMCP_LOG_FILE");
	setenv("CFMCP_CONFIG_FILE", conf, 1);
	snprintf(text, sizeof(text), "CFMCP_TOOLS_PAGE_SIZE=3\nCFMCP_MAX_BODY=2048\nCFMCP_LOG_LEVEL=3\nCFMCP_LOG_FILE=%s\n", la);
	write_file(conf, text);
	ok(config_read_file(err, sizeof(err)) == 0 && config_load(&c1, err, sizeof(err)) == 0,
		"bug_sighup_stale_config: first load: %s", err);
	ok(c1.tools_page_size == 3 && c1.max_body == 2048 && c1.log_level == 3 && c1.log_file && !strcmp(c1.log_file, la),
		"bug_sighup_stale_config: the file's values win over the environment");
	/* the operator deletes lines and moves the log, then sends SIGHUP */
	snprintf(text, sizeof(text), "# edited\nCFMCP_LOG_FILE=%s\n", lb);
	write_file(conf, text);
	ok(config_read_file(err, sizeof(err)) == 0 && config_load(&c2, err, sizeof(err)) == 0,
		"bug_sighup_stale_config: reload: %s", err);
	is_int(c2.tools_page_size, 5, "bug_sighup_stale_config: a deleted line reverts to the environment's value");
	is_int(c2.max_body, CAP_BODY_DEFAULT, "bug_sighup_stale_config: a deleted line with no environment value reverts to the default");
	is_int(c2.log_level, 2, "bug_sighup_stale_config: CFMCP_LOG_LEVEL deleted -> the default level");
	ok(c2.log_file && !strcmp(c2.log_file, lb), "bug_sighup_stale_config: the new CFMCP_LOG_FILE");
	/* an empty file: exactly the environment */
	write_file(conf, "");
	ok(config_read_file(err, sizeof(err)) == 0 && config_load(&c3, err, sizeof(err)) == 0,
		"bug_sighup_stale_config: reload of an empty file: %s", err);
	ok(c3.tools_page_size == 5 && !c3.log_file, "bug_sighup_stale_config: an empty file gives the environment alone");
	/* a broken file is refused, and refusing it changes nothing */
	write_file(conf, "CFMCP_TOOLS_PAGE_SIZE=9\nnot a setting\n");
	ok(config_read_file(err, sizeof(err)) < 0, "bug_sighup_stale_config: a broken file is refused");
	config_free(&c1);
	ok(config_load(&c1, err, sizeof(err)) == 0 && c1.tools_page_size == 5,
		"bug_sighup_stale_config: ... and leaves the last good configuration in force");

	/* the log follows: a, then b, then back to stderr */
	log_open(la, LOG_INFO);
	log_info("line one");
	log_open(lb, LOG_WARN);
	log_info("line two (info: below warn, not written)");
	log_warn("line three");
	log_open(NULL, LOG_INFO);
	log_info("line four (to stderr)");
	ok(count_lines(la, "line one") == 1 && count_lines(la, "line three") == 0,
		"bug_sighup_stale_config: log_open to another file stops writing the old one");
	ok(count_lines(lb, "line three") == 1 && count_lines(lb, "line two") == 0 && count_lines(lb, "line four") == 0,
		"bug_sighup_stale_config: the new file gets the lines at the new level; NULL goes back to stderr");
	config_free(&c1);
	config_free(&c2);
	config_free(&c3);
	unlink(conf);
	unlink(la);
	unlink(lb);
	rmdir(dir);
	unsetenv("CFMCP_CONFIG_FILE");
	unsetenv("CFMCP_TOOLS_PAGE_SIZE");
}

/* ---- item 10c: log_safe is used (Redis error text), log_mask is gone ---- */

static void log_safe_escapes(void)
{
	char out[32], wide[64];

	is_str(log_safe(wide, sizeof(wide), "ERR a\r\nfake line \"x\"", 20), "ERR a\\x0d\\x0afake line \\x22x\\x22",
		"log_safe: CR, LF and quotes as \\xNN (no forged log line)");
	log_safe(out, sizeof(out), "0123456789012345678901234567890123456789", 40);
	ok(strlen(out) < sizeof(out) && !strcmp(out + strlen(out) - 3, "..."), "log_safe: long text cut with \"...\"");
}

int main(void)
{
	char err[512], kf[] = "/tmp/cfmcp-unit-key-XXXXXX";
	redisContext *c;

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
	bug_sighup_stale_config();
	log_safe_escapes();

	if (redis_start() < 0) {
		printf("ok %d - bug_store_watch_reconnect # SKIP no redis-server\n", ++tap_n);
		printf("ok %d - bug_store_replies_on_failure # SKIP no redis-server\n", ++tap_n);
	} else {
		c = redisConnectUnix(redis_sock);
		if (!c || c->err) {
			ok(0, "connect to the test redis-server");
		} else {
			bug_store_watch_reconnect(c);
			bug_store_replies_on_failure(c);
		}
		if (c)
			redisFree(c);
	}
	redis_stop();
	catalog_free(&cat);
	config_free(&cfg);
	schema_patterns_free();
	unlink(kf);
	return done_testing();
}
