/*
 * test_mgmt_routes.c - the management API's routing, before any store is
 * reached (issue #15): which paths exist (404), which methods each takes
 * (405 + Allow), and that every route asks for an API key first (401).
 * No Redis here: env.admin_store stays NULL, so a request that got past
 * authentication would answer 503, which no case below may see.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/router.h"
#include "../../common/xalloc.h"
#include "../tap.h"

static struct mcp_env env;

static long fixed_now(void) { return 1700000000L; }

/* Status of METHOD PATH (no Authorization); *allow gets the Allow header. */
static int status_of(const char *method, const char *path, char *allow, size_t allowsz)
{
	struct http_request req;
	struct http_response resp;
	const char *a;
	int st;

	http_request_init(&req);
	req.method = xstrdup(method);
	req.path = xstrdup(path);
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	st = resp.status;
	allow[0] = '\0';
	a = resp.headers.p ? strstr(resp.headers.p, "Allow: ") : NULL;
	if (a) {
		size_t n = strcspn(a + 7, "\r\n");
		snprintf(allow, allowsz, "%.*s", (int)n, a + 7);
	}
	http_response_free(&resp);
	http_request_free(&req);
	return st;
}

int main(void)
{
	static const struct { const char *method, *path; int status; const char *allow; } cases[] = {
		/* the new routes */
		{ "GET", "/api-key", 401, "" },
		{ "POST", "/api-key", 401, "" },
		{ "PUT", "/api-key", 405, "GET, POST" },
		{ "DELETE", "/api-key", 405, "GET, POST" },
		{ "DELETE", "/api-key/ak_0123456789abcdef", 401, "" },
		{ "GET", "/api-key/ak_0123456789abcdef", 405, "DELETE" },
		{ "PATCH", "/api-key/ak_0123456789abcdef", 405, "DELETE" },
		{ "DELETE", "/api-key/", 404, "" },
		{ "DELETE", "/api-key/a/b", 404, "" },
		{ "DELETE", "/api-key//", 404, "" },
		{ "GET", "/api-keys", 404, "" },
		{ "GET", "/api-key/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 404, "" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/tools", 401, "" },
		{ "POST", "/integrated-account/ia_0123456789abcdef/tools", 405, "GET" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/tools/", 404, "" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/toolsx", 404, "" },
		{ "GET", "/integrated-account//tools", 404, "" },
		/* the old ones keep their shapes */
		{ "GET", "/integrated-account", 401, "" },
		{ "DELETE", "/integrated-account", 405, "GET, POST" },
		{ "PUT", "/integrated-account/ia_0123456789abcdef", 405, "GET, PATCH, DELETE" },
		{ "PUT", "/integrated-account/ia_0123456789abcdef/mcp", 405, "GET, POST" },
		{ "POST", "/integrated-account/ia_0123456789abcdef/mcp/mcp_0123456789abcdef", 405, "GET, PATCH, DELETE" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/mcp/mcp_0123456789abcdef", 401, "" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/mcpx", 404, "" },
		{ "GET", "/integrated-account/ia_0123456789abcdef/mcp/a/b", 404, "" },
		{ "GET", "/integrated-accounts", 404, "" },
	};
	char allow[64];
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	xalloc_init();
	env.now = fixed_now;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = status_of(cases[i].method, cases[i].path, allow, sizeof(allow));
		ok(st == cases[i].status && !strcmp(allow, cases[i].allow), "%s %.50s -> %d%s%s", cases[i].method,
			cases[i].path, cases[i].status, cases[i].allow[0] ? ", Allow: " : "", cases[i].allow);
		if (st != cases[i].status || strcmp(allow, cases[i].allow))
			printf("#   got %d, Allow \"%s\"\n", st, allow);
	}
	return done_testing();
}
