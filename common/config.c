/*
 * config.c - environment configuration with validation. A bad value is a
 * start-up error with the variable named, not a silent default.
 */
#include "first.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "config.h"
#include "xalloc.h"

static int env_long(const char *name, long def, long min, long max, long *out,
	char *err, size_t errsz)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		snprintf(err, errsz, "%s must be an integer in [%ld, %ld]", name, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

static int env_str(const char *name, const char *def, char **out)
{
	const char *v = getenv(name);

	if (!v || !*v)
		v = def;
	*out = v ? xstrdup(v) : NULL;
	return (v && !*out) ? -1 : 0;
}

/* Split CFMCP_ALLOWED_ORIGINS (comma or space separated). The word
 * "localhost" stands for any loopback origin on any port. */
static int parse_origins(struct config *cfg, const char *v, char *err, size_t errsz)
{
	const char *p = v;

	while (*p) {
		size_t n;
		while (*p == ',' || *p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (!n)
			break;
		if (n == 9 && !strncmp(p, "localhost", 9)) {
			cfg->origins_any_localhost = 1;
		} else {
			if (cfg->norigins == CONFIG_MAX_ORIGINS) {
				snprintf(err, errsz, "CFMCP_ALLOWED_ORIGINS lists more than %d origins",
					CONFIG_MAX_ORIGINS);
				return -1;
			}
			if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8)) {
				snprintf(err, errsz, "CFMCP_ALLOWED_ORIGINS entries must start with http:// or https://");
				return -1;
			}
			cfg->origins[cfg->norigins] = xstrndup(p, n);
			if (!cfg->origins[cfg->norigins])
				return -1;
			cfg->norigins++;
		}
		p += n;
	}
	return 0;
}

/* KEY=VALUE lines (# comments) exported into the environment; re-read on
 * SIGHUP so configuration changes take effect when the pool rolls. */
int config_read_file(char *err, size_t errsz)
{
	const char *path = getenv("CFMCP_CONFIG_FILE");
	FILE *f;
	char line[4096];
	int lineno = 0;

	if (!path || !*path)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errsz, "CFMCP_CONFIG_FILE %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq, *v, *k = line;
		size_t n;
		lineno++;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k == '#' || *k == '\n' || !*k)
			continue;
		n = strlen(k);
		while (n && (k[n - 1] == '\n' || k[n - 1] == '\r'))
			k[--n] = '\0';
		eq = strchr(k, '=');
		if (!eq || strncmp(k, "CFMCP_", 6)) {
			snprintf(err, errsz, "%s:%d: expected CFMCP_NAME=value", path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		v = eq + 1;
		if (setenv(k, v, 1) < 0) {
			snprintf(err, errsz, "%s:%d: cannot set", path, lineno);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int config_load(struct config *cfg, char *err, size_t errsz)
{
	long v;
	const char *o;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	if (env_str("CFMCP_REDIS", "127.0.0.1:6379", &cfg->redis) < 0 ||
	    env_str("CFMCP_UPSTREAM_URL", "https://api.cloudflare.com/client/v4", &cfg->upstream_url) < 0 ||
	    env_str("CFMCP_KEY_FILE", "/etc/cfmcp/key", &cfg->key_file) < 0 ||
	    env_str("CFMCP_SCHEMAS", "/usr/share/cfmcp/schemas", &cfg->schemas_dir) < 0 ||
	    env_str("CFMCP_PUBLIC_URL", "http://127.0.0.1:8080", &cfg->public_url) < 0 ||
	    env_str("CFMCP_LOG_FILE", NULL, &cfg->log_file) < 0)
		goto oom;
	if (strncmp(cfg->upstream_url, "http://", 7) && strncmp(cfg->upstream_url, "https://", 8)) {
		snprintf(err, errsz, "CFMCP_UPSTREAM_URL must start with http:// or https://");
		return -1;
	}
	{
		size_t n = strlen(cfg->upstream_url);
		while (n && cfg->upstream_url[n - 1] == '/')
			cfg->upstream_url[--n] = '\0';
	}
	if (strncmp(cfg->redis, "unix:", 5) && !strchr(cfg->redis, ':')) {
		snprintf(err, errsz, "CFMCP_REDIS must be unix:/path or host:port");
		return -1;
	}
	if (env_long("CFMCP_REDIS_TIMEOUT_MS", 500, 10, 60000, &cfg->redis_timeout_ms, err, errsz) ||
	    env_long("CFMCP_UPSTREAM_TIMEOUT_MS", CAP_UPSTREAM_TIMEOUT_MS, 100, 300000, &cfg->upstream_timeout_ms, err, errsz) ||
	    env_long("CFMCP_UPSTREAM_CONNECT_TIMEOUT_MS", CAP_UPSTREAM_CONNECT_MS, 100, 60000, &cfg->upstream_connect_ms, err, errsz))
		return -1;
	if (env_long("CFMCP_MAX_BODY", CAP_BODY_DEFAULT, 1024, 64L * 1024 * 1024, &v, err, errsz))
		return -1;
	cfg->max_body = (size_t)v;
	if (env_long("CFMCP_RESULT_MAX", CAP_RESULT_DEFAULT, 1024, 16L * 1024 * 1024, &v, err, errsz))
		return -1;
	cfg->result_max = (size_t)v;
	if (env_long("CFMCP_TOOLS_PAGE_SIZE", 100, 1, 10000, &v, err, errsz))
		return -1;
	cfg->tools_page_size = (size_t)v;
	if (env_long("CFMCP_LIST_TTL_MS", 60000, 0, 86400000L, &cfg->list_ttl_ms, err, errsz))
		return -1;
	if (env_long("CFMCP_LOG_LEVEL", 2, 0, 3, &v, err, errsz))
		return -1;
	cfg->log_level = (int)v;
	o = getenv("CFMCP_ALLOWED_ORIGINS");
	if (parse_origins(cfg, o ? o : "localhost", err, errsz) < 0)
		goto fail;
	if (crypto_keyring_load(&cfg->keys, cfg->key_file, err, errsz) < 0)
		return -1;
	return 0;
oom:
	snprintf(err, errsz, "out of memory reading configuration");
fail:
	if (!err[0])
		snprintf(err, errsz, "out of memory reading configuration");
	return -1;
}

void config_free(struct config *cfg)
{
	size_t i;

	xfree(cfg->redis);
	xfree(cfg->upstream_url);
	xfree(cfg->key_file);
	crypto_keyring_wipe(&cfg->keys);
	xfree(cfg->schemas_dir);
	xfree(cfg->public_url);
	xfree(cfg->log_file);
	for (i = 0; i < cfg->norigins; i++)
		xfree(cfg->origins[i]);
	memset(cfg, 0, sizeof(*cfg));
}
