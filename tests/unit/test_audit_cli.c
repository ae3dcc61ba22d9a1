/*
 * test_audit_cli.c - cfmcp-admin's side of the audit trail (audit_cli.h):
 * the exact XADD an admin entry is, stream names, and
 * stream entries turned into the API's item shape and a terminal-safe
 * line. Replies are built from RESP text with hiredis's own reader, as a
 * real Redis would send them.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "../../common/audit_cli.h"
#include "../tap.h"

#define ACCOUNT "ia_0123456789abcdef"

/* ---- a pipeline that records what it was sent -------------------------- */

struct capture {
	char sent[1024];   /* the last command, words joined by ' ' */
	int calls;
	const char *reply; /* RESP text of the reply; NULL: Redis down */
};

static redisReply *resp(const char *text)
{
	redisReader *rd = redisReaderCreate();
	void *r = NULL;

	redisReaderFeed(rd, text, strlen(text));
	if (redisReaderGetReply(rd, &r) != REDIS_OK)
		r = NULL;
	redisReaderFree(rd);
	return r;
}

static int capture_pipeline(void *ud, size_t n, const char *const *const *cmds, struct redisReply **replies)
{
	struct capture *c = ud;
	const char *const *w;

	c->calls++;
	c->sent[0] = '\0';
	for (w = cmds[0]; *w; w++) {
		size_t len = strlen(c->sent);
		snprintf(c->sent + len, sizeof(c->sent) - len, "%s%s", len ? " " : "", *w);
	}
	if (n != 1 || !c->reply) {
		replies[0] = NULL;
		return -1;
	}
	replies[0] = resp(c->reply);
	return 0;
}

static void test_write(void)
{
	struct capture cap = { "", 0, "$15\r\n1700000000000-0\r\n" };
	struct admin_store as = { .pipeline = capture_pipeline, .ud = &cap };

	is_int(audit_cli_admin(&as, ACCOUNT, "mcp_server.created", "mcp_00112233aabbccdd", 201, 1700000000123LL, 100000), 0,
		"an admin entry is written");
	is_str(cap.sent,
		"XADD cfmcp:audit:" ACCOUNT " NOMKSTREAM MAXLEN ~ 100000 * kind admin t 1700000000123 action mcp_server.created"
		" target mcp_00112233aabbccdd actor cli:user http_status 201",
		"as XADD key NOMKSTREAM MAXLEN ~ N * with the format's fields, actor cli:user");
	is_int(audit_cli_admin(&as, AUDIT_CLI_GLOBAL, "api_key.revoked", "", 204, 5, 7), 0, "to the global stream");
	is_str(cap.sent, "XADD cfmcp:audit:apikeys MAXLEN ~ 7 * kind admin t 5 action api_key.revoked actor cli:user http_status 204",
		"an empty value is left out, not written empty");
	cap.calls = 0;
	is_int(audit_cli_admin(&as, ACCOUNT, "account.created", ACCOUNT, 201, 1, 0), 0, "CFMCP_AUDIT_MAXLEN=0 is no error");
	is_int(cap.calls, 0, "... and writes nothing");
	is_int(audit_cli_admin(&as, "ia_0123", "account.created", "x", 201, 1, 10), -1, "a stream name that is no id is refused");
	is_int(audit_cli_admin(&as, "ia_0123456789abcdef x", "account.created", "x", 201, 1, 10), -1, "... with anything after it too");
	is_int(cap.calls, 0, "... before anything is sent");
	cap.reply = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
	is_int(audit_cli_admin(&as, ACCOUNT, "account.created", ACCOUNT, 201, 1, 10), -1, "a refused XADD is -1");
	cap.reply = NULL;
	is_int(audit_cli_admin(&as, ACCOUNT, "account.created", ACCOUNT, 201, 1, 10), -1, "Redis down is -1");
	cap.reply = ":1\r\n";
	is_int(audit_cli_drop(&as, ACCOUNT), 0, "an account's stream is dropped");
	is_str(cap.sent, "DEL cfmcp:audit:" ACCOUNT, "... with DEL");
	is_int(audit_cli_drop(&as, AUDIT_CLI_GLOBAL), -1, "the global stream is never dropped");
}

/* One stream entry as RESP: [id, [f, v, ...]]. */
static redisReply *entry(const char *id, const char *const *fv)
{
	char buf[4096];
	size_t n = 0, k = 0;

	while (fv[k])
		k++;
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "*2\r\n$%zu\r\n%s\r\n*%zu\r\n", strlen(id), id, k);
	for (k = 0; fv[k]; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "$%zu\r\n%s\r\n", strlen(fv[k]), fv[k]);
	return resp(buf);
}

static char *line_of(const cJSON *item)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	audit_cli_print(f, item);
	fclose(f);
	return s;
}

static void test_read(void)
{
	static const char *const call[] = { "kind", "tool_call", "t", "1700000000123", "mcp_id", "mcp_00112233aabbccdd",
		"mcp_name", "ci bot", "tool", "list_zones", "class", "read", "cf_method", "GET", "cf_path", "/zones",
		"outcome", "ok", "status", "200", "latency_ms", "85", "extra", "dropped", "outcome", "refused",
		"user_agent", "evil\x1b[2J\"q\\", "client_name", "", NULL };
	static const char *const bad_num[] = { "kind", "admin", "t", "12x", "http_status", "-1", "action",
		"account.created", "target", ACCOUNT, NULL };
	struct audit_filter f;
	redisReply *r = entry("1700000000200-0", call);
	cJSON *item = r ? audit_item(r) : NULL;
	char *s = item ? cJSON_PrintUnformatted(item) : NULL;
	char *line;

	is_str(s,
		"{\"id\":\"1700000000200-0\",\"time\":\"2023-11-14T22:13:20.200Z\",\"kind\":\"tool_call\",\"t\":1700000000123,"
		"\"mcp_id\":\"mcp_00112233aabbccdd\",\"mcp_name\":\"ci bot\",\"tool\":\"list_zones\",\"class\":\"read\","
		"\"cf_method\":\"GET\",\"cf_path\":\"/zones\",\"outcome\":\"ok\",\"status\":200,\"latency_ms\":85,"
		"\"user_agent\":\"evil\\u001b[2J\\\"q\\\\\"}",
		"an entry as the API shows it: time from the id, the format's order, numbers as numbers, unknown and empty fields out, the first of a repeated one");
	cJSON_free(s);
	line = item ? line_of(item) : NULL;
	is_str(line,
		"2023-11-14T22:13:20.200Z tool_call mcp_id=mcp_00112233aabbccdd mcp_name=\"ci bot\" tool=list_zones class=read"
		" cf_method=GET cf_path=/zones outcome=ok status=200 latency_ms=85 user_agent=\"evil\\x1b[2J\\\"q\\\\\"\n",
		"one line for a person: spaces quoted, control bytes as \\x, never raw");
	free(line);

	memset(&f, 0, sizeof(f));
	ok(item && audit_cli_match(item, &f), "no filter keeps it");
	f.outcome = "ok";
	f.tool = "list_zones";
	f.mcp_id = "mcp_00112233aabbccdd";
	f.since_ms = 1700000000200LL;
	ok(item && audit_cli_match(item, &f), "every filter that fits keeps it (since, on the id's time, is inclusive)");
	f.since_ms++;
	ok(item && !audit_cli_match(item, &f), "since one ms later drops it");
	f.since_ms = 0;
	f.outcome = "refused";
	ok(item && !audit_cli_match(item, &f), "another outcome drops it");
	f.outcome = NULL;
	f.tool = "list_zone";
	ok(item && !audit_cli_match(item, &f), "another tool drops it (no prefix match)");
	cJSON_Delete(item);
	freeReplyObject(r);

	r = entry("1700000000456-3", bad_num);
	item = r ? audit_item(r) : NULL;
	s = item ? cJSON_PrintUnformatted(item) : NULL;
	is_str(s,
		"{\"id\":\"1700000000456-3\",\"time\":\"2023-11-14T22:13:20.456Z\",\"kind\":\"admin\",\"action\":\"account.created\","
		"\"target\":\"" ACCOUNT "\"}",
		"numbers that do not parse are left out; the time is the id's");
	cJSON_free(s);
	memset(&f, 0, sizeof(f));
	f.mcp_id = ACCOUNT;
	ok(item && audit_cli_match(item, &f), "--mcp also keeps admin entries that target it");
	cJSON_Delete(item);
	freeReplyObject(r);

	r = resp("*2\r\n$3\r\n1-0\r\n*1\r\n$4\r\nkind\r\n");
	ok(r && !audit_item(r), "an odd field list is malformed: NULL");
	freeReplyObject(r);
	r = resp("$3\r\n1-0\r\n");
	ok(r && !audit_item(r), "a string is no entry: NULL");
	freeReplyObject(r);

	ok(audit_cli_outcome_ok("rate_limited") && audit_cli_outcome_ok("upstream_error") && !audit_cli_outcome_ok("OK") &&
		!audit_cli_outcome_ok(""), "the six outcomes, exactly");
}

static void test_key(void)
{
	char k[AUDIT_CLI_KEYSZ];

	ok(audit_cli_key(ACCOUNT, k, sizeof(k)) == 0 && !strcmp(k, "cfmcp:audit:" ACCOUNT), "an account's stream key");
	ok(audit_cli_key("apikeys", k, sizeof(k)) == 0 && !strcmp(k, "cfmcp:audit:apikeys"), "the global stream key");
	is_int(audit_cli_key("*", k, sizeof(k)), -1, "a glob is no stream");
	is_int(audit_cli_key("ia_0123456789ABCDEF", k, sizeof(k)), -1, "upper-case hex is no id of ours");
}

int main(void)
{
	test_write();
	test_read();
	test_key();
	return done_testing();
}
