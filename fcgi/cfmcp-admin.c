/*
 * cfmcp-admin.c - the administrator's CLI. It talks to Redis directly
 * (the same CFMCP_* configuration as the worker) and calls the same
 * admin.c operations as the management API, so both validate alike.
 * This is how the first API key is made. README "cfmcp-admin".
 */
#include "../common/first.h"

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../common/accounts.h"
#include "../common/admin.h"
#include "../common/apikeys.h"
#include "../common/audit_cli.h"
#include "../common/catalog.h"
#include "../common/catalog_tags.h"
#include "../common/config.h"
#include "../common/crypto.h"
#include "../common/jsonrpc.h"
#include "../common/log.h"
#include "../common/mcp_servers.h"
#include "../common/openapi.h"
#include "../common/store.h"
#include "../common/words.h"
#include "../common/xalloc.h"

#include <hiredis/hiredis.h>

static const char USAGE[] =
	"usage: cfmcp-admin [--json] COMMAND ...\n"
	"  account add NAME --cf-account-id ID [--api-token-file FILE]\n"
	"                                   (the Cloudflare API token is read from FILE, else stdin)\n"
	"  account list | show ID | remove ID\n"
	"  account set-token ID [--api-token-file FILE]   replace the Cloudflare API token\n"
	"  account rekey                    re-seal every Cloudflare token with the first key\n"
	"  mcp create ACCOUNT_ID [--name N] [--methods LIST] [--tags LIST]\n"
	"             [--require-api-token-auth] [--tool-mode tools|discovery|auto]\n"
	"             [--expires-at TIME | --expires-in SECONDS]\n"
	"  mcp preview ACCOUNT_ID [--methods LIST] [--tags LIST]   the tools that scope keeps\n"
	"  mcp list ACCOUNT_ID | show MCP_ID | revoke MCP_ID\n"
	"  mcp extend MCP_ID (--expires-at TIME | --expires-in SECONDS | --never)\n"
	"  apikey create NAME [--accounts all|ID,ID...] [--expires-at TIME | --expires-in SECONDS]\n"
	"  apikey list | revoke ID\n"
	"  audit ACCOUNT_ID|apikeys [--mcp ID] [--tool NAME] [--outcome O] [--since TIME]\n"
	"        [--limit N] [--follow] [--json]   the audit trail, newest first (--follow: as it\n"
	"                                   happens, oldest first, until Ctrl-C; --limit N: stop after N)\n"
	"  tags                             the catalogue's tags: tools per tag and class\n"
	"LIST is comma-separated; TIME is RFC 3339 (2026-12-31T23:59:59Z) or Unix seconds\n"
	"(audit --since also Unix ms). O: ok tool_error refused invalid rate_limited upstream_error.\n"
	"Configuration: CFMCP_* environment variables or CFMCP_CONFIG_FILE, as for cfmcp-worker.\n"
	"Exit status: 0 done, 1 refused or failed (message on stderr), 2 usage.\n";

static int json_out;

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

/* Option value after argv[*i]; NULL when missing. */
static const char *optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* A comma list as a JSON array of strings. */
static cJSON *list_array(const char *s)
{
	cJSON *arr = cJSON_CreateArray();
	const char *word;
	size_t n;

	while (arr && s && (n = words_next(&s, &word))) {
		char *w = xstrndup(word, n);
		if (!w || json_add(arr, NULL, cJSON_CreateString(w))) {
			xfree(w);
			cJSON_Delete(arr);
			return NULL;
		}
		xfree(w);
	}
	return arr;
}

/* --expires-at / --expires-in into a JSON value (string, number). */
static cJSON *expiry_value(const char *at, const char *in, long now)
{
	if (in) {
		char *end;
		long s = strtol(in, &end, 10);
		if (*end || s <= 0)
			return NULL;
		return cJSON_CreateNumber((double)(now + s));
	}
	if (at) {
		char *end;
		long t = strtol(at, &end, 10);
		if (!*end && *at)
			return cJSON_CreateNumber((double)t);
		return cJSON_CreateString(at);
	}
	return NULL;
}

/* Put expires_at into in from --expires-at / --expires-in (or null for
 * --never). 0 done (or nothing given), 1 a bad value (said on stderr),
 * -1 out of memory. */
static int add_expiry(cJSON *in, const char *at, const char *in_s, int never, long now)
{
	cJSON *e;

	if (!at && !in_s && !never)
		return 0;
	e = never ? cJSON_CreateNull() : expiry_value(at, in_s, now);
	if (!e) {
		fputs("cfmcp-admin: --expires-in needs a positive number of seconds\n", stderr);
		return never ? -1 : 1;
	}
	return json_add(in, "expires_at", e) ? -1 : 0;
}

/* First line of a file or stdin (no echo on a terminal): a secret. */
static int read_secret(const char *path, char *out, size_t outsz)
{
	FILE *f = path ? fopen(path, "re") : stdin;
	struct termios old, quiet;
	int tty = !path && isatty(0);
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	if (tty) {
		fputs("Cloudflare API token: ", stderr);
		if (tcgetattr(0, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(0, TCSANOW, &quiet);
		} else {
			tty = 0;
		}
	}
	if (!fgets(out, (int)outsz, f))
		out[0] = '\0';
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (path)
		fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return n ? 0 : -1;
}

static void print_time_field(const cJSON *o, const char *k, const char *label)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	printf("%-13s %s\n", label, cJSON_IsString(v) ? v->valuestring : "never");
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void print_words(const cJSON *arr)
{
	const cJSON *it;
	int first = 1;

	if (!cJSON_GetArraySize(arr)) {
		fputs("(all)", stdout);
		return;
	}
	cJSON_ArrayForEach(it, arr) {
		printf("%s%s", first ? "" : ",", cJSON_IsString(it) ? it->valuestring : "?");
		first = 0;
	}
}

/* Human output for one record of any kind. */
static void print_record(const cJSON *o)
{
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(o, "config");
	const cJSON *accs = cJSON_GetObjectItemCaseSensitive(o, "accounts");

	printf("%-13s %s\n", "id", str_of(o, "id"));
	printf("%-13s %s\n", "name", str_of(o, "name"));
	if (cJSON_GetObjectItemCaseSensitive(o, "account_id"))
		printf("%-13s %s\n", "cf account", str_of(o, "account_id"));
	if (cJSON_GetObjectItemCaseSensitive(o, "integrated_account_id"))
		printf("%-13s %s\n", "account", str_of(o, "integrated_account_id"));
	if (conf) {
		fputs("methods       ", stdout);
		print_words(cJSON_GetObjectItemCaseSensitive(conf, "methods"));
		fputs("\ntags          ", stdout);
		print_words(cJSON_GetObjectItemCaseSensitive(conf, "tags"));
		printf("\n%-13s %s\n", "api key auth",
			cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(conf, "require_api_token_auth")) ? "required" : "no");
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(conf, "tool_mode")))
			printf("%-13s %s\n", "tool mode", str_of(conf, "tool_mode"));
	}
	if (accs) {
		fputs("accounts      ", stdout);
		if (cJSON_IsString(accs))
			fputs("* (all)", stdout);
		else
			print_words(accs);
		fputc('\n', stdout);
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "expires_at"))
		print_time_field(o, "expires_at", "expires");
	print_time_field(o, "created_at", "created");
	if (cJSON_GetObjectItemCaseSensitive(o, "url"))
		printf("%-13s %s\n", "url", str_of(o, "url"));
	if (cJSON_GetObjectItemCaseSensitive(o, "token") && !cJSON_GetObjectItemCaseSensitive(o, "url"))
		printf("%-13s %s\n", "token", str_of(o, "token"));
	if (cJSON_GetObjectItemCaseSensitive(o, "token"))
		fputs("(shown once: it is stored only as a SHA-256 hash)\n", stdout);
}

static int report(struct admin_res *r)
{
	int rc = 0;

	if (r->status >= 400) {
		fprintf(stderr, "cfmcp-admin: %s (%d %s)\n", r->message, r->status, r->error ? r->error : "");
		rc = 1;
	} else if (r->status == 204) {
		if (json_out)
			puts("{}");
		else
			puts("done");
	} else if (json_out) {
		char *s = cJSON_Print(r->body);
		if (s)
			puts(s);
		cJSON_free(s);
	} else {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->body, "items");
		if (items) {
			const cJSON *it;
			cJSON_ArrayForEach(it, items) {
				print_record(it);
				fputc('\n', stdout);
			}
			if (!cJSON_GetArraySize(items))
				puts("(none)");
		} else if (cJSON_GetObjectItemCaseSensitive(r->body, "resealed")) {
			printf("resealed %d, failed %d, key %s\n",
				cJSON_GetObjectItemCaseSensitive(r->body, "resealed")->valueint,
				cJSON_GetObjectItemCaseSensitive(r->body, "failed")->valueint,
				str_of(r->body, "key_id"));
			rc = cJSON_GetObjectItemCaseSensitive(r->body, "failed")->valueint ? 1 : 0;
		} else {
			print_record(r->body);
		}
	}
	fflush(stdout);
	admin_res_free(r);
	return rc;
}

/* mcp preview: one line per tool the scope keeps, then the totals. */
static int print_preview(const cJSON *o)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "tools")) {
		printf("%-50s %-7s ", str_of(it, "name"), str_of(it, "class"));
		print_words(cJSON_GetObjectItemCaseSensitive(it, "tags"));
		fputc('\n', stdout);
	}
	printf("%d tools; tools/list is %.0f bytes\n", cJSON_GetObjectItemCaseSensitive(o, "count")->valueint,
		cJSON_GetObjectItemCaseSensitive(o, "bytes")->valuedouble);
	return fflush(stdout) ? 1 : 0;
}

/* mcp list: every page (of page items; tests use small ones), printed as
 * one list. r starts empty because the oom exit frees it on every path,
 * the first allocations' too; json_add frees items when all is NULL. */
static int mcp_list_all(const struct admin *a, const char *account, long page)
{
	struct admin_res r;
	cJSON *all = cJSON_CreateObject(), *items = cJSON_CreateArray();
	char cursor[64] = "";

	memset(&r, 0, sizeof(r));
	if (json_add(all, "items", items))
		goto oom;
	for (;;) {
		const cJSON *nc, *it;
		memset(&r, 0, sizeof(r));
		if (admin_mcp_list(a, account, cursor[0] ? cursor : NULL, page, &r) >= 400) {
			cJSON_Delete(all);
			return report(&r);
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.body, "items"))
			if (json_add(items, NULL, cJSON_Duplicate(it, 1)))
				goto oom;
		nc = cJSON_GetObjectItemCaseSensitive(r.body, "next_cursor");
		if (!cJSON_IsString(nc) || strlen(nc->valuestring) >= sizeof(cursor)) {
			admin_res_free(&r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", nc->valuestring);
		admin_res_free(&r);
	}
	r.status = 200;
	r.body = all;
	return report(&r);
oom:
	admin_res_free(&r);
	cJSON_Delete(all);
	fputs("cfmcp-admin: out of memory\n", stderr);
	return 1;
}

/* ---- the commands ------------------------------------------------------ */

/* One command line, as a command sees it: its own arguments argv[i..],
 * the request it builds (in, owned) and the answer (r). */
struct cli {
	struct admin a;
	int argc, i;
	char **argv;
	cJSON *in;
	struct admin_res r;
	long timeout_ms;       /* the Redis timeout: audit --follow blocks for half of it */
	/* the audit entry of a management action (audit_note) */
	const char *action;
	char acct[AUDIT_CLI_KEYSZ], target[AUDIT_CLI_KEYSZ];
};

/* What a command returns besides an exit status (0, 1). */
enum { CLI_REPORT = -1, CLI_USAGE = -2, CLI_OOM = -3 };

static const char NO_TOKEN[] = "cfmcp-admin: no Cloudflare API token given (file or stdin)\n";

/* The next argument, the command's first (a name or an id); NULL when none. */
static const char *first_arg(struct cli *c)
{
	return c->i < c->argc ? c->argv[c->i++] : NULL;
}

/* The audit entry this command writes when it succeeds (audit_note):
 * action, the stream (an account id, or "apikeys"; NULL: from the answer)
 * and the target (NULL: the answer's id). */
static void note(struct cli *c, const char *action, const char *acct, const char *target)
{
	c->action = action;
	snprintf(c->acct, sizeof(c->acct), "%s", acct ? acct : "");
	snprintf(c->target, sizeof(c->target), "%s", target ? target : "");
}

/* Whether argv[i] is option o with a value, which goes into *v. */
static int opt(struct cli *c, const char *o, const char **v)
{
	return !strcmp(c->argv[c->i], o) && (*v = optval(c->argc, c->argv, &c->i)) != NULL;
}

/* in.api_token = the Cloudflare token read from file or stdin (never the
 * command line): 0, CLI_OOM, or 1 when none was given. */
static int add_cf_token(struct cli *c, const char *file)
{
	char tok[1024];
	int rc = 0;

	if (read_secret(file, tok, sizeof(tok)) < 0) {
		fputs(NO_TOKEN, stderr);
		return 1;
	}
	if (json_add(c->in, "api_token", cJSON_CreateString(tok)))
		rc = CLI_OOM;
	crypto_wipe(tok, sizeof(tok));
	return rc;
}

/* account add NAME --cf-account-id ID [--api-token-file FILE] */
static int account_add(struct cli *c)
{
	const char *name = first_arg(c), *cfid = NULL, *file = NULL;
	int rc;

	for (; name && c->i < c->argc; c->i++)
		if (!opt(c, "--cf-account-id", &cfid) && !opt(c, "--api-token-file", &file))
			return CLI_USAGE;
	if (!name || !cfid)
		return CLI_USAGE;
	if (!(c->in = cJSON_CreateObject()) || json_add(c->in, "name", cJSON_CreateString(name)) ||
	    json_add(c->in, "account_id", cJSON_CreateString(cfid)))
		return CLI_OOM;
	if ((rc = add_cf_token(c, file)))
		return rc;
	note(c, "account.created", NULL, NULL);
	admin_account_create(&c->a, c->in, &c->r);
	return CLI_REPORT;
}

/* account set-token ID [--api-token-file FILE] */
static int account_set_token(struct cli *c)
{
	const char *id = first_arg(c), *file = NULL;
	int rc;

	if (id && c->i < c->argc && !opt(c, "--api-token-file", &file))
		return CLI_USAGE;
	if (!id || (file && ++c->i != c->argc) || (!file && c->i != c->argc))
		return CLI_USAGE;
	if (!(c->in = cJSON_CreateObject()))
		return CLI_OOM;
	if ((rc = add_cf_token(c, file)))
		return rc;
	note(c, "account.token_rotated", id, id);
	admin_account_update(&c->a, id, c->in, &c->r);
	return CLI_REPORT;
}

static int account_list(struct cli *c)
{
	admin_account_list(&c->a, NULL, &c->r);
	return CLI_REPORT;
}

static int account_show(struct cli *c)
{
	admin_account_get(&c->a, c->argv[c->i], &c->r);
	return CLI_REPORT;
}

static int account_remove(struct cli *c)
{
	/* its own stream goes with it (audit_note): the entry goes to the global one */
	note(c, "account.removed", AUDIT_CLI_GLOBAL, c->argv[c->i]);
	admin_account_delete(&c->a, c->argv[c->i], &c->r);
	return CLI_REPORT;
}

static int account_rekey(struct cli *c)
{
	note(c, "account.rekeyed", NULL, NULL);
	admin_account_rekey(&c->a, &c->r);
	return CLI_REPORT;
}

/* --methods LIST / --tags LIST into o (arrays of words). */
static int add_filter(cJSON *o, const char *methods, const char *tags)
{
	return (methods && json_add(o, "methods", list_array(methods))) ||
	       (tags && json_add(o, "tags", list_array(tags))) ? CLI_OOM : 0;
}

/* The expiry options into in, as add_expiry says: 0, 1 (said), CLI_OOM. */
static int expiry(struct cli *c, const char *at, const char *in_s, int never)
{
	int rc = add_expiry(c->in, at, in_s, never, c->a.now);

	return rc < 0 ? CLI_OOM : rc;
}

/* mcp create ACCOUNT_ID [--name N] [--methods LIST] [--tags LIST]
 *            [--require-api-token-auth] [--expires-at TIME | --expires-in S] */
static int mcp_create(struct cli *c)
{
	const char *account = first_arg(c), *name = NULL, *methods = NULL, *tags = NULL, *at = NULL, *in_s = NULL;
	const char *mode = NULL;
	int req = 0, rc;
	cJSON *conf;

	for (; account && c->i < c->argc; c->i++) {
		if (!strcmp(c->argv[c->i], "--require-api-token-auth"))
			req = 1;
		else if (!opt(c, "--name", &name) && !opt(c, "--methods", &methods) && !opt(c, "--tags", &tags) &&
			 !opt(c, "--tool-mode", &mode) && !opt(c, "--expires-at", &at) && !opt(c, "--expires-in", &in_s))
			return CLI_USAGE;
	}
	if (!account)
		return CLI_USAGE;
	c->in = cJSON_CreateObject();
	conf = cJSON_CreateObject();
	/* the value is checked where the API checks it (mcp_servers.c) */
	if (!c->in || json_add(c->in, "config", conf) || (name && json_add(c->in, "name", cJSON_CreateString(name))) ||
	    add_filter(conf, methods, tags) || json_add(conf, "require_api_token_auth", cJSON_CreateBool(req)) ||
	    (mode && json_add(conf, "tool_mode", cJSON_CreateString(mode))))
		return CLI_OOM;
	if ((rc = expiry(c, at, in_s, 0)))
		return rc;
	note(c, "mcp_server.created", account, NULL);
	admin_mcp_create(&c->a, account, c->in, &c->r);
	return CLI_REPORT;
}

/* mcp preview ACCOUNT_ID [--methods LIST] [--tags LIST] */
static int mcp_preview(struct cli *c)
{
	const char *account = first_arg(c), *methods = NULL, *tags = NULL;

	for (; account && c->i < c->argc; c->i++)
		if (!opt(c, "--methods", &methods) && !opt(c, "--tags", &tags))
			return CLI_USAGE;
	if (!account)
		return CLI_USAGE;
	if (!(c->in = cJSON_CreateObject()) || add_filter(c->in, methods, tags))
		return CLI_OOM;
	if (admin_tools_preview(&c->a, account, c->in, &c->r) == 200 && !json_out)
		return print_preview(c->r.body);
	return CLI_REPORT;
}

static int mcp_list(struct cli *c)
{
	return mcp_list_all(&c->a, c->argv[c->i], ADMIN_PAGE_MAX);
}

static int mcp_show(struct cli *c)
{
	admin_mcp_get(&c->a, NULL, c->argv[c->i], &c->r);
	return CLI_REPORT;
}

static int mcp_revoke(struct cli *c)
{
	struct admin_res got;
	const char *acct;

	/* the server's account names the stream; read before it is gone */
	memset(&got, 0, sizeof(got));
	admin_mcp_get(&c->a, NULL, c->argv[c->i], &got);
	acct = got.status == 200 ? str_of(got.body, "integrated_account_id") : "";
	note(c, *acct ? "mcp_server.revoked" : NULL, acct, c->argv[c->i]);
	admin_res_free(&got);
	admin_mcp_delete(&c->a, NULL, c->argv[c->i], &c->r);
	return CLI_REPORT;
}

/* mcp extend MCP_ID (--expires-at TIME | --expires-in SECONDS | --never) */
static int mcp_extend(struct cli *c)
{
	const char *id = first_arg(c), *at = NULL, *in_s = NULL;
	int never = 0, rc;

	if (!id || c->i == c->argc)
		return CLI_USAGE;
	for (; c->i < c->argc; c->i++) {
		if (!strcmp(c->argv[c->i], "--never"))
			never = 1;
		else if (!opt(c, "--expires-at", &at) && !opt(c, "--expires-in", &in_s))
			return CLI_USAGE;
	}
	if (never + !!at + !!in_s != 1)
		return CLI_USAGE;
	if (!(c->in = cJSON_CreateObject()))
		return CLI_OOM;
	if ((rc = expiry(c, at, in_s, never)))
		return rc;
	note(c, "mcp_server.changed", NULL, id);
	admin_mcp_update(&c->a, NULL, id, c->in, &c->r);
	return CLI_REPORT;
}

/* apikey create NAME [--accounts all|ID,ID...] [--expires-at TIME | --expires-in S] */
static int apikey_create(struct cli *c)
{
	const char *name = first_arg(c), *accounts = "all", *at = NULL, *in_s = NULL;
	int rc;

	for (; name && c->i < c->argc; c->i++)
		if (!opt(c, "--accounts", &accounts) && !opt(c, "--expires-at", &at) && !opt(c, "--expires-in", &in_s))
			return CLI_USAGE;
	if (!name)
		return CLI_USAGE;
	if (!(c->in = cJSON_CreateObject()) || json_add(c->in, "name", cJSON_CreateString(name)) ||
	    json_add(c->in, "accounts", (!strcmp(accounts, "all") || !strcmp(accounts, "*")) ?
		    cJSON_CreateString("*") : list_array(accounts)))
		return CLI_OOM;
	if ((rc = expiry(c, at, in_s, 0)))
		return rc;
	note(c, "api_key.created", AUDIT_CLI_GLOBAL, NULL);
	admin_apikey_create(&c->a, c->in, &c->r);
	return CLI_REPORT;
}

static int apikey_list(struct cli *c)
{
	admin_apikey_list(&c->a, &c->r);
	return CLI_REPORT;
}

static int apikey_revoke(struct cli *c)
{
	note(c, "api_key.revoked", AUDIT_CLI_GLOBAL, c->argv[c->i]);
	admin_apikey_revoke(&c->a, c->argv[c->i], &c->r);
	return CLI_REPORT;
}

/* ---- audit ------------------------------------------------------------- */

/* Set by SIGINT / SIGTERM: --follow ends after the read it is in (at most
 * half the Redis timeout: AUDIT_BLOCK_MS). */
static volatile sig_atomic_t audit_stop;

static void audit_on_signal(int sig)
{
	(void)sig;
	audit_stop = 1;
}

#define CLI_AUDIT_LIMIT_DEFAULT 50
#define CLI_AUDIT_LIMIT_MAX 1000  /* --json builds the whole list in memory */
#define CLI_AUDIT_BATCH_N 200     /* entries per XRANGE/XREVRANGE/XREAD */
#define CLI_AUDIT_BATCH "200"     /* the same, as the command's word */
#define AUDIT_ARG_MAX 128     /* --mcp, --tool: longer is no id or name of ours */

/* One audit command: where it reads, what it keeps, how it shows it. */
struct audit_run {
	const struct admin_store *st;
	char key[AUDIT_CLI_KEYSZ];
	struct audit_filter f;
	long limit, shown;     /* limit 0: none (--follow without --limit) */
	int follow;
	cJSON *items;          /* --json without --follow: collected, printed at the end */
	int quiet;             /* read to move ar->last only, nothing shown */
	char last[48];         /* the last stream id read: where the next read starts */
};

/* --since: digits are Unix seconds, or ms from 10^11 on (1973 in ms, the
 * year 5138 in seconds); else RFC 3339, its fraction kept to the ms.
 * -1 when it is neither. */
static long long audit_since(const char *s)
{
	long long ms = 0;
	cJSON *j;
	long t;

	if (*s && strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 15)
			return -1;
		ms = strtoll(s, NULL, 10);
		return ms >= 100000000000LL ? ms : ms * 1000;
	}
	if (strlen(s) > 64 || !(j = cJSON_CreateString(s)))
		return -1;
	t = admin_time_parse(j);
	cJSON_Delete(j);
	if (t < 0)
		return -1;
	if (s[19] == '.') {
		int i, scale = 100;
		for (i = 20; i < 23 && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			ms += (s[i] - '0') * scale;
	}
	return (long long)t * 1000 + ms;
}

/* Show one entry if the filter keeps it: 1 shown, 0 not, -1 out of memory
 * or output failed. */
static int audit_show(struct audit_run *ar, const redisReply *e)
{
	cJSON *item = audit_item(e);
	int rc = 0;

	if (!item) {
		/* malformed (not written by cfmcp) or no memory: the former is
		 * skipped, the latter shows on the next allocation */
		return 0;
	}
	if (!audit_cli_match(item, &ar->f))
		goto out;
	if (ar->items) {
		if (json_add(ar->items, NULL, item)) {
			item = NULL;
			rc = -1;
			goto out;
		}
		item = NULL;
	} else if (json_out) {
		char *s = cJSON_PrintUnformatted(item);
		if (!s || puts(s) < 0)
			rc = -1;
		cJSON_free(s);
	} else if (audit_cli_print(stdout, item) < 0) {
		rc = -1;
	}
	if (!rc && fflush(stdout))
		rc = -1;
	if (!rc) {
		ar->shown++;
		rc = 1;
	}
out:
	cJSON_Delete(item);
	return rc;
}

/* One read (argv) whose reply is a list of entries, or, for XREAD, nil
 * (nothing came) or [[key, entries]]. Each entry is shown (audit_show)
 * until the limit; ar->last follows the entries read. The number of
 * entries in the reply, or -1 (Redis down or refused, said on stderr). */
static int audit_fetch(struct audit_run *ar, const char *const *argv)
{
	const char *const *cmds[] = { argv };
	const redisReply *list;
	redisReply *r = NULL;
	int rc = -1;
	size_t i;

	if (ar->st->pipeline(ar->st->ud, 1, cmds, &r) < 0 || !r) {
		fputs("cfmcp-admin: the audit trail (Redis) cannot be read; retry shortly\n", stderr);
		goto out;
	}
	list = r;
	if (r->type == REDIS_REPLY_NIL) {
		rc = 0;
		goto out;
	}
	if (!strcmp(argv[0], "XREAD") && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2)
		list = r->element[0]->element[1];
	if (list->type != REDIS_REPLY_ARRAY) {
		/* WRONGTYPE (the key is no stream), or an error */
		fprintf(stderr, "cfmcp-admin: %s is not an audit stream\n", ar->key);
		goto out;
	}
	for (i = 0; i < list->elements; i++) {
		const redisReply *e = list->element[i];
		if (ar->limit && ar->shown >= ar->limit)
			break;
		if (e->type == REDIS_REPLY_ARRAY && e->elements == 2 && e->element[0]->type == REDIS_REPLY_STRING &&
		    e->element[0]->len < sizeof(ar->last))
			snprintf(ar->last, sizeof(ar->last), "%s", e->element[0]->str);
		if (!ar->quiet && audit_show(ar, e) < 0) {
			fputs("cfmcp-admin: out of memory, or stdout failed\n", stderr);
			goto out;
		}
	}
	rc = (int)list->elements;
out:
	if (r)
		freeReplyObject(r);
	return rc;
}

/* The newest entries first: XREVRANGE pages from the end back to --since
 * (or the start), "(" + the last id read excluding what was seen. */
static int audit_list(struct audit_run *ar)
{
	char end[sizeof(ar->last) + 1] = "+", start[24] = "-";
	int n;

	if (ar->f.since_ms > 0)
		snprintf(start, sizeof(start), "%lld", ar->f.since_ms);
	for (;;) {
		const char *argv[] = { "XREVRANGE", ar->key, end, start, "COUNT", CLI_AUDIT_BATCH, NULL };
		ar->last[0] = '\0';
		if ((n = audit_fetch(ar, argv)) < 0)
			return 1;
		if (n < CLI_AUDIT_BATCH_N || (ar->limit && ar->shown >= ar->limit) || !ar->last[0])
			return 0;
		snprintf(end, sizeof(end), "(%s", ar->last);
	}
}

/* --follow: the entries since --since (oldest first), then each as it is
 * appended: XREAD BLOCK from the last id read, so nothing appended
 * between two reads is missed. Ends on SIGINT/SIGTERM (0) or after
 * --limit entries. */
static int audit_follow(struct audit_run *ar, long timeout_ms)
{
	char block[24], from[sizeof(ar->last) + 1];
	struct sigaction sa;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = audit_on_signal; /* no SA_RESTART: a signal cuts the read short */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* the block stays inside the Redis timeout, which would end the read */
	snprintf(block, sizeof(block), "%ld", timeout_ms / 2 > 0 ? timeout_ms / 2 : 1);
	if (ar->f.since_ms > 0) {
		snprintf(from, sizeof(from), "%lld", ar->f.since_ms);
		for (;;) {
			const char *argv[] = { "XRANGE", ar->key, from, "+", "COUNT", CLI_AUDIT_BATCH, NULL };
			if ((n = audit_fetch(ar, argv)) < 0)
				return 1;
			if (n < CLI_AUDIT_BATCH_N || (ar->limit && ar->shown >= ar->limit) || audit_stop)
				break;
			snprintf(from, sizeof(from), "(%s", ar->last);
		}
	} else {
		/* where the stream ends now: the newest id, not shown */
		const char *argv[] = { "XREVRANGE", ar->key, "+", "-", "COUNT", "1", NULL };
		ar->quiet = 1;
		n = audit_fetch(ar, argv);
		ar->quiet = 0;
		if (n < 0)
			return 1;
	}
	if (!ar->last[0])
		snprintf(ar->last, sizeof(ar->last), "0-0");
	fprintf(stderr, "cfmcp-admin: following %s (Ctrl-C ends)\n", ar->key);
	fflush(stderr);
	while (!audit_stop && !(ar->limit && ar->shown >= ar->limit)) {
		const char *argv[] = { "XREAD", "COUNT", CLI_AUDIT_BATCH, "BLOCK", block, "STREAMS", ar->key, from, NULL };
		snprintf(from, sizeof(from), "%s", ar->last);
		if (audit_fetch(ar, argv) < 0)
			return audit_stop ? 0 : 1;
	}
	return 0;
}

/* audit ACCOUNT_ID|apikeys [--mcp ID] [--tool NAME] [--outcome O]
 *       [--since TIME] [--limit N] [--follow] [--json] */
static int audit_cmd(struct cli *c)
{
	const char *name = first_arg(c), *mcp = NULL, *tool = NULL, *outcome = NULL, *since = NULL, *limit = NULL;
	struct audit_run ar;
	int rc;

	memset(&ar, 0, sizeof(ar));
	ar.st = c->a.st;
	for (; name && c->i < c->argc; c->i++) {
		if (!strcmp(c->argv[c->i], "--follow"))
			ar.follow = 1;
		else if (!strcmp(c->argv[c->i], "--json"))
			json_out = 1;
		else if (!opt(c, "--mcp", &mcp) && !opt(c, "--tool", &tool) && !opt(c, "--outcome", &outcome) &&
			 !opt(c, "--since", &since) && !opt(c, "--limit", &limit))
			return CLI_USAGE;
	}
	if (!name)
		return CLI_USAGE;
	if (audit_cli_key(name, ar.key, sizeof(ar.key)) < 0) {
		fputs("cfmcp-admin: audit takes an integrated account id (ia_...) or \"apikeys\"\n", stderr);
		return 1;
	}
	if ((mcp && (!*mcp || strlen(mcp) > AUDIT_ARG_MAX)) || (tool && (!*tool || strlen(tool) > AUDIT_ARG_MAX))) {
		fputs("cfmcp-admin: --mcp and --tool take 1 to 128 characters\n", stderr);
		return 1;
	}
	if (outcome && !audit_cli_outcome_ok(outcome)) {
		fputs("cfmcp-admin: --outcome is one of ok, tool_error, refused, invalid, rate_limited, upstream_error\n", stderr);
		return 1;
	}
	if (since && (ar.f.since_ms = audit_since(since)) < 0) {
		fputs("cfmcp-admin: --since takes RFC 3339 (2026-12-31T23:59:59Z), Unix seconds or Unix ms\n", stderr);
		return 1;
	}
	ar.limit = ar.follow ? 0 : CLI_AUDIT_LIMIT_DEFAULT;
	if (limit) {
		char *end;
		ar.limit = strtol(limit, &end, 10);
		if (*end || !*limit || ar.limit < 1 || ar.limit > CLI_AUDIT_LIMIT_MAX) {
			fputs("cfmcp-admin: --limit takes 1 to 1000\n", stderr);
			return 1;
		}
	}
	ar.f.mcp_id = mcp;
	ar.f.tool = tool;
	ar.f.outcome = outcome;
	if (strcmp(name, AUDIT_CLI_GLOBAL)) {
		/* an unknown account is said as the API says it (404) */
		if (admin_account_get(&c->a, name, &c->r) >= 400)
			return CLI_REPORT;
		admin_res_free(&c->r);
		memset(&c->r, 0, sizeof(c->r));
	}
	if (ar.follow)
		return audit_follow(&ar, c->timeout_ms);
	if (json_out && !(ar.items = cJSON_CreateArray()))
		return CLI_OOM;
	rc = audit_list(&ar);
	if (!rc && ar.items) {
		cJSON *o = cJSON_CreateObject();
		char *s;
		if (json_add(o, "items", ar.items)) {
			cJSON_Delete(o);
			return CLI_OOM;
		}
		s = cJSON_Print(o);
		cJSON_Delete(o);
		if (!s)
			return CLI_OOM;
		puts(s);
		cJSON_free(s);
		return fflush(stdout) ? 1 : 0;
	}
	cJSON_Delete(ar.items);
	if (!rc && !ar.shown && !json_out)
		puts("(none)");
	return rc;
}

/* tags: the catalogue's tags with tools per class (GET /catalog/tags) */
static int tags_list(struct cli *c)
{
	const cJSON *it;

	c->r.body = catalog_tags_json(c->a.cat);
	if (!c->r.body)
		return CLI_OOM;
	c->r.status = 200;
	if (json_out)
		return CLI_REPORT;
	printf("%-24s %6s %6s %6s %6s\n", "TAG", "TOOLS", "READ", "WRITE", "CUSTOM");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c->r.body, "tags"))
		printf("%-24s %6d %6d %6d %6d\n", str_of(it, "tag"),
			cJSON_GetObjectItemCaseSensitive(it, "tools")->valueint,
			cJSON_GetObjectItemCaseSensitive(it, "read")->valueint,
			cJSON_GetObjectItemCaseSensitive(it, "write")->valueint,
			cJSON_GetObjectItemCaseSensitive(it, "custom")->valueint);
	printf("%d tools in the catalogue\n", cJSON_GetObjectItemCaseSensitive(c->r.body, "total")->valueint);
	return fflush(stdout) ? 1 : 0;
}

/* The commands (USAGE lists them). args: how many arguments follow the
 * verb, or -1 when the command reads its own (a name or id, options). */
static const struct command {
	const char *noun, *verb;
	int args;
	int (*run)(struct cli *c);
} commands[] = {
	{ "account", "add", -1, account_add },
	{ "account", "set-token", -1, account_set_token },
	{ "account", "list", 0, account_list },
	{ "account", "show", 1, account_show },
	{ "account", "remove", 1, account_remove },
	{ "account", "rekey", 0, account_rekey },
	{ "mcp", "create", -1, mcp_create },
	{ "mcp", "preview", -1, mcp_preview },
	{ "mcp", "list", 1, mcp_list },
	{ "mcp", "show", 1, mcp_show },
	{ "mcp", "revoke", 1, mcp_revoke },
	{ "mcp", "extend", -1, mcp_extend },
	{ "apikey", "create", -1, apikey_create },
	{ "apikey", "list", 0, apikey_list },
	{ "apikey", "revoke", 1, apikey_revoke },
	{ "audit", "*", -1, audit_cmd }, /* "*": the verb is the account id */
	{ "tags", "", 0, tags_list }, /* one word: no verb */
};

static const struct command *command_find(const char *noun, const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].noun, noun) && (!strcmp(commands[i].verb, verb) || !strcmp(commands[i].verb, "*")))
			return &commands[i];
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After a management action that succeeded: its admin entry in the audit
 * trail (actor cli:user), in the stream the format says. A Redis failure
 * here never fails the action (it happened); it is said on stderr. */
static void audit_note(struct cli *c, long maxlen)
{
	const cJSON *items, *it;
	const char *id = str_of(c->r.body, "id"), *ia = str_of(c->r.body, "integrated_account_id");
	long long t = now_ms();
	int failed = 0;

	if (!c->action || c->r.status >= 400 || maxlen == 0)
		return;
	if (!strcmp(c->action, "account.rekeyed")) {
		/* every account was re-sealed: an entry in each one's stream */
		struct admin_res all;
		memset(&all, 0, sizeof(all));
		if (admin_account_list(&c->a, NULL, &all) != 200) {
			failed = 1;
		} else {
			items = cJSON_GetObjectItemCaseSensitive(all.body, "items");
			cJSON_ArrayForEach(it, items)
				if (audit_cli_admin(c->a.st, str_of(it, "id"), c->action, str_of(it, "id"), c->r.status, t,
					    maxlen) < 0)
					failed = 1;
		}
		admin_res_free(&all);
	} else {
		if (!c->target[0])
			snprintf(c->target, sizeof(c->target), "%s", id);
		if (!c->acct[0])
			snprintf(c->acct, sizeof(c->acct), "%s", *ia ? ia : id);
		if (!strcmp(c->action, "account.removed") && audit_cli_drop(c->a.st, c->target) < 0)
			failed = 1;
		if (audit_cli_admin(c->a.st, c->acct, c->action, c->target, c->r.status, t, maxlen) < 0)
			failed = 1;
	}
	if (failed)
		fputs("cfmcp-admin: warning: the audit trail (Redis) did not take this action's entry\n", stderr);
}

/* The configuration, the schemas (mcp commands), Redis, then the command. */
int main(int argc, char **argv)
{
	const struct command *cmd;
	struct config cfg;
	struct catalog cat;
	struct admin_store as;
	struct store *st = NULL;
	struct cli c;
	char err[1024], actor[128];
	const char *noun, *verb;
	struct passwd *pw;
	int i = 1, rc = 1, have_cat = 0;

	memset(&cat, 0, sizeof(cat));
	memset(&c, 0, sizeof(c));
	if (i < argc && !strcmp(argv[i], "--json")) {
		json_out = 1;
		i++;
	}
	if (i < argc && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
		fputs(USAGE, stdout);
		return 0;
	}
	if (argc - i == 1 && !strcmp(argv[i], "tags")) {
		noun = argv[i++];
		verb = "";
	} else if (argc - i < 2) {
		return usage();
	} else {
		noun = argv[i++];
		verb = argv[i++];
	}
	xalloc_init();
	if (config_read_file(err, sizeof(err)) < 0 || config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "cfmcp-admin: %s\n", err);
		return 1;
	}
	log_open(NULL, LOG_ERR);
	if (!strcmp(noun, "mcp") || !strcmp(noun, "tags")) {
		/* the whole catalogue, as the worker loads it: a scope the CLI
		 * checks or previews must mean what it means to the API
		 * (bug_cli_catalog_curated_only) */
		if (catalog_load(&cat, cfg.schemas_dir, err, sizeof(err)) < 0 ||
		    openapi_load_configured(&cat, &cfg, NULL, err, sizeof(err)) < 0) {
			catalog_free(&cat); /* NULL-safe: catalog_load leaves it empty */
			fprintf(stderr, "cfmcp-admin: %s\n", err);
			config_free(&cfg);
			return 1;
		}
		have_cat = 1;
	}
	pw = getpwuid(getuid());
	snprintf(actor, sizeof(actor), "cli:%s", pw && pw->pw_name ? pw->pw_name : "?");
	st = store_from_config(&cfg);
	if (st)
		admin_store_redis(&as, st);
	c.a.st = &as;
	c.a.cat = &cat;
	c.a.keys = &cfg.keys;
	c.a.public_url = cfg.public_url;
	c.a.now = (long)time(NULL);
	c.a.actor = actor;
	c.argc = argc;
	c.argv = argv;
	c.i = i;
	c.timeout_ms = cfg.redis_timeout_ms;
	cmd = command_find(noun, verb);
	if (cmd && !strcmp(cmd->verb, "*"))
		c.i = --i; /* the "verb" is the command's first argument */
	if (!cmd || (cmd->args >= 0 && argc - i != cmd->args))
		rc = CLI_USAGE;
	else
		rc = st ? cmd->run(&c) : CLI_OOM;
	switch (rc) {
	case CLI_REPORT:
		audit_note(&c, cfg.audit_maxlen);
		rc = report(&c.r);
		break;
	case CLI_USAGE:
		rc = usage();
		break;
	case CLI_OOM:
		fputs("cfmcp-admin: out of memory\n", stderr);
		rc = 1;
		break;
	}
	admin_res_free(&c.r);
	cJSON_Delete(c.in);
	store_free(st);
	if (have_cat)
		catalog_free(&cat);
	config_free(&cfg);
	return rc;
}
