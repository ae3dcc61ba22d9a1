/*
 * fuzz_env.c - see fuzz_env.h.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/crypto.h"
#include "../../common/search.h"
#include "../../common/xalloc.h"
#include "fuzz_env.h"

static struct config cfg;
static struct catalog cat;
static struct mcp_env env;
static char sealed[1024];
static char up_body[1 << 16];
static size_t up_len;

void fuzz_upstream_body(const uint8_t *p, size_t n)
{
	if (n > sizeof(up_body))
		n = sizeof(up_body);
	memcpy(up_body, p, n);
	up_len = n;
}

static enum store_rc lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	(void)ud;
	memset(out, 0, sizeof(*out));
	snprintf(out->account, sizeof(out->account), "ia_0123456789abcdef");
	snprintf(out->cf_account, sizeof(out->cf_account), "0123456789abcdef0123456789abcdef");
	snprintf(out->cf_token_sealed, sizeof(out->cf_token_sealed), "%s", sealed);
	/* the hash's first digit picks a scope, so filters and API-key checks run too */
	switch (hash[0]) {
	case '0': snprintf(out->methods, sizeof(out->methods), "read"); break;
	case '1': snprintf(out->tags, sizeof(out->tags), "dns,zones"); break;
	case '2': out->require_api_auth = 1; break;
	default: break;
	}
	/* the third digit picks the tool mode: d-f discovery (the three tools
	 * of discovery.c over the same scopes), else auto */
	if (hash[2] >= 'd' && hash[2] <= 'f')
		snprintf(out->tool_mode, sizeof(out->tool_mode), "discovery");
	if (bearer_hash) {
		out->key.present = 1;
		snprintf(out->key.id, sizeof(out->key.id), "ak_0123456789abcdef");
		snprintf(out->key.hash, sizeof(out->key.hash), "%s", bearer_hash);
		snprintf(out->key.accounts, sizeof(out->key.accounts), hash[1] == '0' ? "ia_other" : "*");
	}
	return hash[0] == 'f' ? STORE_NOTFOUND : hash[0] == 'e' ? STORE_DOWN : STORE_OK;
}

static enum upstream_err upstream(void *ud, const struct plan *p, const char *token, struct upstream_reply *r)
{
	(void)ud;
	(void)p;
	(void)token;
	r->status = up_len && up_body[0] == '!' ? 429 : 200;
	snprintf(r->ratelimit, sizeof(r->ratelimit), "\"default\";r=41;t=30");
	if (buf_append(&r->body, up_body, up_len))
		return r->err = UP_TOOBIG;
	return r->err = UP_OK;
}

static long now(void)
{
	return 1795633200L;
}

struct mcp_env *fuzz_env(void)
{
	static int ready;
	char err[512];

	if (ready)
		return &env;
	xalloc_init();
	setenv("CFMCP_SCHEMAS", SCHEMAS_DIR, 1);
	{
		char kf[] = "/tmp/cfmcp-fuzz-key-XXXXXX";
		static const char key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
		int fd = mkstemp(kf);
		if (fd < 0 || write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
			abort();
		close(fd);
		setenv("CFMCP_KEY_FILE", kf, 1);
		if (config_load(&cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz: config: %s\n", err);
			abort();
		}
		unlink(kf);
	}
	cfg.tools_page_size = 3;
	if (catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: catalog: %s\n", err);
		abort();
	}
	if (crypto_seal(&cfg.keys, "account:ia_0123456789abcdef", "fuzz-cf-token-0123456789", 24, sealed, sizeof(sealed)) < 0)
		abort();
	env.cfg = &cfg;
	env.cat = &cat;
	env.search = search_build_catalog(&cat);
	if (!env.search)
		abort();
	env.lookup = lookup;
	env.upstream = upstream;
	env.now = now;
	ready = 1;
	return &env;
}
