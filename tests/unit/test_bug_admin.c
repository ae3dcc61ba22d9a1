/*
 * test_bug_admin.c - regression tests for the admin side of issue 11:
 *
 *   bug_admin_list_uninit_free   `cfmcp-admin mcp list` freed a result it had
 *                                never initialized when the first allocations
 *                                failed; then every allocation of a two-page
 *                                listing fails in turn (against a Redis of our
 *                                own) and each run must end cleanly
 *   bug_account_token_message    a too-short api_token was answered "api_token
 *                                is required"; each fault gets its own message,
 *                                never echoing the token
 *
 * cfmcp-admin.c is a program: it is compiled in here with its main renamed,
 * so its statics (mcp_list_all) can be called directly.
 */
#include "../../common/first.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int cfmcp_admin_main(int argc, char **argv);
#define main cfmcp_admin_main
#include "../../fcgi/cfmcp-admin.c"
#undef main

#include "../tap.h"

#define ACCOUNT "ia_0123456789abcdef"

/* ---- bug_admin_list_uninit_free: the first allocations fail ----------- */

/* Leave the stack below us full of a pattern, as a long-running caller
 * would leave it: a local that is never initialized then holds a wild
 * pointer rather than a lucky zero, and freeing it crashes every time. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile unsigned char junk[32768];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

/* mcp_list_all in a child whose n-th allocation fails. Its stderr goes
 * into err; returns its exit status, or 128 + the signal that killed it.
 * exit() (not _exit) so LeakSanitizer checks the child too. */
static int list_in_child(const struct admin *a, long n, char *err, size_t errsz)
{
	int p[2], st, devnull;
	size_t got = 0;
	ssize_t k;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull < 0 || dup2(devnull, 1) < 0 || dup2(p[1], 2) < 0)
			_exit(99);
		close(p[0]);
		dirty_stack();
		xalloc_fail_after(n);
		exit(mcp_list_all(a, ACCOUNT, ADMIN_PAGE_MAX));
	}
	close(p[1]);
	while (got + 1 < errsz && (k = read(p[0], err + got, errsz - 1 - got)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		got += (size_t)k;
	}
	err[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Up to max lines of s as TAP comments (a sanitizer report is long). */
static void diag_lines(const char *what, const char *s, int max)
{
	printf("#   %s:\n", what);
	while (*s && max-- > 0) {
		int n = (int)strcspn(s, "\n");
		printf("#     %.*s\n", n > 160 ? 160 : n, s);
		s += n;
		if (*s)
			s++;
	}
}

static void test_list_first_allocations(void)
{
	struct admin a;
	char err[4096];
	long n;

	/* no store: these failures come before the first Redis command */
	memset(&a, 0, sizeof(a));
	for (n = 1; n <= 2; n++) {
		int rc = list_in_child(&a, n, err, sizeof(err));
		ok(rc == 1 && !strcmp(err, "cfmcp-admin: out of memory\n"),
			"bug_admin_list_uninit_free: allocation %ld of mcp list fails -> exit 1, \"out of memory\" (exit %d)",
			n, rc);
		if (rc != 1 || strcmp(err, "cfmcp-admin: out of memory\n"))
			diag_lines("stderr", err, 12);
	}
}

/* ---- bug_admin_list_uninit_free: every allocation of a real listing ---- */

struct redis {
	char dir[64], sock[128], key[128];
	pid_t pid;
};

/* A throwaway redis-server on a unix socket in a private directory.
 * 0 ready, -1 could not (the caller skips). */
static int redis_start(struct redis *rd)
{
	char addr[160];
	struct store *st;
	int i, up = 0;

	memset(rd, 0, sizeof(*rd));
	snprintf(rd->dir, sizeof(rd->dir), "%s", "/tmp/cfmcp-unit-admin.XXXXXX");
	if (!mkdtemp(rd->dir))
		return -1;
	snprintf(rd->sock, sizeof(rd->sock), "%s/redis.sock", rd->dir);
	fflush(stdout);
	rd->pid = fork();
	if (rd->pid < 0)
		return -1;
	if (rd->pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		/* it dies with us, even if we crash */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", rd->sock,
			"--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", rd->dir,
			(char *)NULL);
		_exit(127);
	}
	snprintf(addr, sizeof(addr), "unix:%s", rd->sock);
	st = store_new(addr, 500);
	for (i = 0; st && i < 200 && !up; i++) {
		static const char *const ping[] = { "PING", NULL };
		const char *const *cmds[] = { ping };
		struct redisReply *rep = NULL;
		struct timespec ms50 = { 0, 50 * 1000 * 1000 };
		if (store_pipeline(st, 1, cmds, &rep) == 0) {
			store_reply_free(rep);
			up = 1;
		} else {
			nanosleep(&ms50, NULL);
		}
	}
	store_free(st);
	return up ? 0 : -1;
}

static void redis_stop(struct redis *rd)
{
	if (rd->pid > 0) {
		kill(rd->pid, SIGTERM);
		while (waitpid(rd->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (rd->key[0])
		unlink(rd->key);
	unlink(rd->sock);
	if (rd->dir[0])
		rmdir(rd->dir);
}

/* An encryption key file as README "Encryption key" makes one. */
static int write_key(struct redis *rd)
{
	unsigned char raw[32];
	char hex[66];
	size_t i;
	int fd;

	snprintf(rd->key, sizeof(rd->key), "%s/key", rd->dir);
	if (crypto_random_bytes(raw, sizeof(raw)) < 0)
		return -1;
	for (i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[64] = '\n';
	fd = open(rd->key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	i = (size_t)write(fd, hex, 65);
	close(fd);
	return i == 65 ? 0 : -1;
}

/* The listing printed by one clean run, counted: "id" lines. */
static int count_listed(const struct admin *a, const char *account)
{
	char path[] = "/tmp/cfmcp-unit-list.XXXXXX", line[512];
	int fd = mkstemp(path), saved, n = 0, rc;
	FILE *f;

	if (fd < 0)
		return -1;
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	rc = mcp_list_all(a, account, ADMIN_PAGE_MAX);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "id ", 3);
	if (f)
		fclose(f);
	unlink(path);
	return rc == 0 ? n : -1;
}

/* CLI commands as main runs them: 0 done, 1 refused or out of memory. */
typedef int (*cli_cmd)(const struct admin *a, const char *arg);

static int cmd_mcp_list(const struct admin *a, const char *account)
{
	return mcp_list_all(a, account, 2); /* pages of 2: three of them */
}

static int cmd_account_list(const struct admin *a, const char *unused)
{
	struct admin_res r;

	(void)unused;
	memset(&r, 0, sizeof(r));
	admin_account_list(a, NULL, &r);
	return report(&r);
}

static int cmd_apikey_list(const struct admin *a, const char *unused)
{
	struct admin_res r;

	(void)unused;
	memset(&r, 0, sizeof(r));
	admin_apikey_list(a, &r);
	return report(&r);
}

/* Fail allocation n = 1, 2, ... of a CLI command until a run meets no
 * failure, in a child that reports on a pipe: a crash is a failed test,
 * not a dead test program, and under LeakSanitizer a leak makes the
 * child's exit status non-zero. Its stdout goes to /dev/null, its stderr
 * (hundreds of "out of memory", and any sanitizer report) to errfile. */
static void torture(const char *what, cli_cmd run, const struct admin *a, const char *arg, const char *errfile)
{
	long n, runs = 0, bad = 0, first_bad = 0;
	int p[2], st = 0, clean_rc = -1, rc;
	char rep[128] = "";
	ssize_t k;
	pid_t pid;

	if (pipe(p) < 0) {
		ok(0, "bug_admin_list_uninit_free torture: %s: pipe", what);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		int ef = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (devnull < 0 || ef < 0 || dup2(devnull, 1) < 0 || dup2(ef, 2) < 0)
			_exit(99);
		close(p[0]);
		for (n = 1; n < 1000000; n++) {
			unsigned long before = xalloc_oom_events();
			xalloc_fail_after(n);
			rc = run(a, arg);
			xalloc_fail_after(0);
			if (xalloc_oom_events() == before) {
				clean_rc = rc;
				break;
			}
			runs++;
			if (rc != 1 && !bad++)
				first_bad = n;
		}
		snprintf(rep, sizeof(rep), "%ld %ld %d %ld\n", runs, bad, clean_rc, first_bad);
		if (write(p[1], rep, strlen(rep)) < 0)
			_exit(98);
		exit(0);
	}
	close(p[1]);
	k = pid > 0 ? read(p[0], rep, sizeof(rep) - 1) : -1;
	rep[k > 0 ? k : 0] = '\0';
	close(p[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (sscanf(rep, "%ld %ld %d %ld", &runs, &bad, &clean_rc, &first_bad) != 4)
		runs = bad = first_bad = 0;
	if (!ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"bug_admin_list_uninit_free torture: %s: no crash, no leak (%s %d)", what,
		pid > 0 && WIFEXITED(st) ? "exit" : "signal", pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st))) {
		/* the sanitizer's report: the lines from its first "ERROR:" on */
		char buf[8192];
		FILE *f = fopen(errfile, "re");
		size_t got = 0;
		int on = 0;
		while (f && got + 1 < sizeof(buf) && fgets(buf + got, (int)(sizeof(buf) - got), f))
			if (on || (on = strstr(buf + got, "ERROR:") != NULL))
				got += strlen(buf + got);
		buf[got] = '\0';
		if (f)
			fclose(f);
		diag_lines("the child's report", buf, 30);
	}
	ok(runs > 20, "bug_admin_list_uninit_free torture: %s: %ld runs each met one failed allocation", what, runs);
	ok(!bad, "bug_admin_list_uninit_free torture: %s: every one of them ended in exit status 1", what);
	if (bad)
		printf("#   %ld did not, the first at allocation %ld\n", bad, first_bad);
	ok(clean_rc == 0, "bug_admin_list_uninit_free torture: %s: the run past the last allocation succeeds", what);
	unlink(errfile);
}

/* An integrated account with n MCP servers; its id into id. */
static int make_account(const struct admin *a, const char *name, int n, char *id, size_t idsz)
{
	struct admin_res r;
	char body[256];
	cJSON *in;
	int i, made = 0;

	memset(&r, 0, sizeof(r));
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"account_id\":\"0123456789abcdef0123456789abcdef\","
		"\"api_token\":\"unit-cf-token-0123456789\"}", name);
	in = cJSON_Parse(body);
	if (!in || admin_account_create(a, in, &r) != 201) {
		ok(0, "an integrated account is made (%d %s)", r.status, r.message);
		cJSON_Delete(in);
		admin_res_free(&r);
		return -1;
	}
	snprintf(id, idsz, "%s", str_of(r.body, "id"));
	admin_res_free(&r);
	cJSON_Delete(in);
	in = cJSON_Parse("{\"config\":{\"methods\":[\"read\"]}}");
	for (i = 0; in && i < n; i++) {
		made += admin_mcp_create(a, id, in, &r) == 201;
		admin_res_free(&r);
	}
	cJSON_Delete(in);
	return made;
}

static void test_list_torture(void)
{
	struct redis rd;
	struct config cfg;
	struct catalog cat;
	struct admin a;
	struct admin_store as;
	struct store *st = NULL;
	char err[512], addr[160], account[32] = "", errfile[160];
	int i, keys = 0, have_cfg = 0, have_cat = 0;

	memset(&cat, 0, sizeof(cat));
	memset(&a, 0, sizeof(a));
	if (redis_start(&rd) < 0 || write_key(&rd) < 0) {
		printf("ok %d # SKIP bug_admin_list_uninit_free torture: no redis-server to run against\n", ++tap_n);
		goto out;
	}
	/* the CLI's own setup: configuration from the environment, schemas */
	snprintf(addr, sizeof(addr), "unix:%s", rd.sock);
	unsetenv("CFMCP_CONFIG_FILE");
	setenv("CFMCP_REDIS", addr, 1);
	setenv("CFMCP_KEY_FILE", rd.key, 1);
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	setenv("CFMCP_PUBLIC_URL", "http://127.0.0.1:9", 1);
	xalloc_init();
	if (config_load(&cfg, err, sizeof(err)) < 0) {
		ok(0, "configuration loads: %s", err);
		goto out;
	}
	have_cfg = 1;
	if (catalog_load(&cat, cfg.schemas_dir, err, sizeof(err)) < 0) {
		ok(0, "schemas load: %s", err);
		goto out;
	}
	have_cat = 1;
	st = store_new(cfg.redis, cfg.redis_timeout_ms);
	if (st)
		admin_store_redis(&as, st);
	a.st = &as;
	a.cat = &cat;
	a.keys = &cfg.keys;
	a.public_url = cfg.public_url;
	a.now = (long)time(NULL);
	a.actor = "cli:unit";
	if (!st) {
		ok(0, "a store handle");
		goto out;
	}
	/* one more than a page: the CLI's listing takes two pages and a cursor */
	is_int(make_account(&a, "big", ADMIN_PAGE_MAX + 1, account, sizeof(account)), ADMIN_PAGE_MAX + 1,
		"bug_admin_list_uninit_free: MCP servers made for a two-page listing");
	is_int(count_listed(&a, account), ADMIN_PAGE_MAX + 1, "bug_admin_list_uninit_free: mcp list prints every one of them");
	/* five in pages of two: three pages, two cursors, at a fraction of the cost */
	is_int(make_account(&a, "small", 5, account, sizeof(account)), 5,
		"bug_admin_list_uninit_free torture: five MCP servers on another account");
	snprintf(errfile, sizeof(errfile), "%s/torture.err", rd.dir);
	torture("mcp list", cmd_mcp_list, &a, account, errfile);
	/* the other two listings (admin.c builds them alike), of two each */
	for (i = 0; i < 2; i++) {
		struct admin_res r;
		cJSON *in = cJSON_Parse("{\"name\":\"unit\",\"accounts\":\"*\"}");
		memset(&r, 0, sizeof(r));
		keys += in && admin_apikey_create(&a, in, &r) == 201;
		admin_res_free(&r);
		cJSON_Delete(in);
	}
	is_int(keys, 2, "bug_admin_list_uninit_free torture: two API keys");
	torture("account list", cmd_account_list, &a, NULL, errfile);
	torture("apikey list", cmd_apikey_list, &a, NULL, errfile);
out:
	store_free(st);
	if (have_cat)
		catalog_free(&cat);
	if (have_cfg)
		config_free(&cfg);
	redis_stop(&rd);
}

/* ---- bug_account_token_message ---------------------------------------- */

/* Validation runs before any Redis command: no store needed. */
static void expect_token_message(int update, const char *json_token, const char *want, const char *name)
{
	struct admin a;
	struct admin_res r;
	char body[2048];
	cJSON *in;
	const char *tok_field;

	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	if (update)
		snprintf(body, sizeof(body), "{%s%s}", json_token ? "\"api_token\":" : "", json_token ? json_token : "");
	else
		snprintf(body, sizeof(body), "{\"name\":\"n\",\"account_id\":\"0123456789abcdef0123456789abcdef\"%s%s}",
			json_token ? ",\"api_token\":" : "", json_token ? json_token : "");
	in = cJSON_Parse(body);
	if (!in) {
		ok(0, "bug_account_token_message: %s: test body parses", name);
		return;
	}
	if (update)
		admin_account_update(&a, ACCOUNT, in, &r);
	else
		admin_account_create(&a, in, &r);
	tok_field = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(in, "api_token")) ?
		cJSON_GetObjectItemCaseSensitive(in, "api_token")->valuestring : NULL;
	ok(r.status == 400 && !strcmp(r.message, want), "bug_account_token_message: %s %s -> 400 \"%s\"",
		update ? "PATCH" : "POST", name, want);
	if (r.status != 400 || strcmp(r.message, want))
		printf("#   got %d \"%s\"\n", r.status, r.message);
	ok(!tok_field || !*tok_field || !strstr(r.message, tok_field),
		"bug_account_token_message: %s %s: the message does not echo the token", update ? "PATCH" : "POST", name);
	admin_res_free(&r);
	cJSON_Delete(in);
}

static void test_token_messages(void)
{
	char longtok[600];
	int u;

	memset(longtok, 0, sizeof(longtok));
	longtok[0] = '"';
	memset(longtok + 1, 'x', 513);
	longtok[514] = '"';
	for (u = 0; u <= 1; u++) {
		expect_token_message(u, "\"abcdefghijklmnopqrs\"",
			"api_token is too short: a Cloudflare API token has 20 to 512 characters", "a 19-character api_token");
		expect_token_message(u, "\"\"",
			"api_token is too short: a Cloudflare API token has 20 to 512 characters", "an empty api_token");
		expect_token_message(u, longtok,
			"api_token is too long: a Cloudflare API token has 20 to 512 characters", "a 513-character api_token");
		expect_token_message(u, "\"abcdefghij klmnopqrstuvw\"",
			"api_token may hold only printable ASCII characters: no spaces, no control characters", "an api_token with a space");
		expect_token_message(u, "\"abcdefghij\\u00e9klmnopqrstuvw\"",
			"api_token may hold only printable ASCII characters: no spaces, no control characters", "a non-ASCII api_token");
		expect_token_message(u, "12345678901234567890123",
			u ? "api_token must be a string: the new Cloudflare API token" :
			    "api_token must be a string: the Cloudflare API token", "a number as api_token");
		expect_token_message(u, NULL,
			u ? "api_token is required: the new Cloudflare API token" :
			    "api_token is required: the Cloudflare API token", "no api_token");
	}
}

int main(void)
{
	xalloc_init();
	log_open(NULL, LOG_ERR); /* as the CLI: no "redis unavailable" while ours starts */
	test_token_messages();
	test_list_first_allocations();
	test_list_torture();
	return done_testing();
}
