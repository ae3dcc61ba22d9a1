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
#include "words.h"
#include "xalloc.h"

/*
 * The configuration file's settings, kept apart from the environment,
 * which is never changed: a setting is looked up in the file first, then
 * in the environment the process started with. Each successful
 * config_read_file replaces the whole set, so a reload (SIGHUP) sees the
 * file as it is now - a deleted line falls back to the environment or the
 * default - exactly as a fresh start with that file would.
 */
struct conf_kv {
	char *name;
	char *value;
};
static struct conf_kv *file_kv;
static size_t file_nkv;

static void conf_kv_free(struct conf_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xfree(kv[i].name);
		xfree(kv[i].value);
	}
	xfree(kv);
}

/* A setting: the file's last line for name, else the environment's value. */
static const char *conf_get(const char *name)
{
	size_t i;

	for (i = file_nkv; i > 0; i--)
		if (!strcmp(file_kv[i - 1].name, name))
			return file_kv[i - 1].value;
	return getenv(name);
}

const char *config_value(const char *name)
{
	return conf_get(name);
}

static int env_long(const char *name, long def, long min, long max, long *out,
	char *err, size_t errsz)
{
	const char *v = conf_get(name);
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
	const char *v = conf_get(name);

	if (!v || !*v)
		v = def;
	*out = v ? xstrdup(v) : NULL;
	return (v && !*out) ? -1 : 0;
}

/* Split CFMCP_ALLOWED_ORIGINS (comma or space separated). The word
 * "localhost" stands for any loopback origin on any port. */
static int parse_origins(struct config *cfg, const char *v, char *err, size_t errsz)
{
	const char *cur = v, *p;
	size_t n;

	while ((n = words_next(&cur, &p))) {
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
	}
	return 0;
}

/* KEY=VALUE lines (# comments, blank lines) of the file named by
 * CFMCP_CONFIG_FILE (from the environment) become the file's settings;
 * on any error the previous ones stay in force. */
int config_read_file(char *err, size_t errsz)
{
	const char *path = getenv("CFMCP_CONFIG_FILE");
	struct conf_kv *kv = NULL;
	size_t n = 0, cap = 0;
	FILE *f = NULL;
	char line[4096];
	int lineno = 0, rc = -1;

	if (path && *path) {
		f = fopen(path, "re");
		if (!f) {
			snprintf(err, errsz, "CFMCP_CONFIG_FILE %s: %s", path, strerror(errno));
			goto out;
		}
		while (fgets(line, sizeof(line), f)) {
			char *eq, *k = line;
			size_t len;
			lineno++;
			len = strlen(line);
			if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
				int c = fgetc(f); /* a full buffer: the last line, or a cut one? */
				if (c != EOF) {
					snprintf(err, errsz, "%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
					goto out;
				}
			}
			while (*k == ' ' || *k == '\t')
				k++;
			if (*k == '#' || *k == '\n' || *k == '\r' || !*k)
				continue;
			len = strlen(k);
			while (len && (k[len - 1] == '\n' || k[len - 1] == '\r'))
				k[--len] = '\0';
			eq = strchr(k, '=');
			if (!eq || eq == k + 6 || strncmp(k, "CFMCP_", 6) || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != (size_t)(eq - k)) {
				snprintf(err, errsz, "%s:%d: expected CFMCP_NAME=value", path, lineno);
				goto out;
			}
			if ((size_t)(eq - k) == 17 && !strncmp(k, "CFMCP_CONFIG_FILE", 17)) {
				snprintf(err, errsz, "%s:%d: CFMCP_CONFIG_FILE cannot be set in the file itself", path, lineno);
				goto out;
			}
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct conf_kv *g = ncap < 4096 ? xrealloc(kv, ncap * sizeof(*kv)) : NULL;
				if (!g) {
					snprintf(err, errsz, "%s:%d: too many settings, or out of memory", path, lineno);
					goto out;
				}
				kv = g;
				cap = ncap;
			}
			kv[n].name = xstrndup(k, (size_t)(eq - k));
			kv[n].value = xstrdup(eq + 1);
			if (!kv[n].name || !kv[n].value) {
				xfree(kv[n].name);
				xfree(kv[n].value);
				snprintf(err, errsz, "out of memory reading configuration");
				goto out;
			}
			n++;
		}
		if (ferror(f)) {
			snprintf(err, errsz, "CFMCP_CONFIG_FILE %s: read error", path);
			goto out;
		}
	}
	/* the new file replaces the old one's settings whole */
	conf_kv_free(file_kv, file_nkv);
	file_kv = kv;
	file_nkv = n;
	kv = NULL;
	n = 0;
	rc = 0;
out:
	if (f)
		fclose(f);
	conf_kv_free(kv, n);
	return rc;
}

/* CFMCP_REDIS_USER and the first line of CFMCP_REDIS_PASSWORD_FILE: the
 * ACL user cfmcp AUTHs as (README "Redis for cfmcp"). The password sits
 * in a file of its own, like the encryption key, so the configuration
 * file may be readable and ps never shows it. */
static int redis_auth_load(struct config *cfg, char *err, size_t errsz)
{
	const char *user = conf_get("CFMCP_REDIS_USER"), *path = conf_get("CFMCP_REDIS_PASSWORD_FILE");
	char line[512];
	FILE *f;
	size_t n;
	int rc = -1;

	if (user && *user) {
		if (strlen(user) > 128 || strspn(user, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(user)) {
			snprintf(err, errsz, "CFMCP_REDIS_USER must be 1 to 128 letters, digits, _ . -");
			return -1;
		}
		cfg->redis_user = xstrdup(user);
		if (!cfg->redis_user)
			goto oom;
	}
	if (!path || !*path)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errsz, "CFMCP_REDIS_PASSWORD_FILE %s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof(line), f) || !(n = strcspn(line, "\r\n")) || n >= sizeof(line) - 2) {
		snprintf(err, errsz, "CFMCP_REDIS_PASSWORD_FILE %s: the first line must hold the password (1 to %zu bytes)",
			path, sizeof(line) - 2);
		goto out;
	}
	line[n] = '\0';
	cfg->redis_password = xstrdup(line);
	if (!cfg->redis_password) {
		snprintf(err, errsz, "out of memory reading configuration");
		goto out;
	}
	rc = 0;
out:
	crypto_wipe(line, sizeof(line));
	fclose(f);
	return rc;
oom:
	snprintf(err, errsz, "out of memory reading configuration");
	return -1;
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
	/* The OpenAPI import: unset is the installed copy, used when present
	 * (curated tools only without it); a path named here must load;
	 * "off" turns the import off. */
	o = conf_get("CFMCP_OPENAPI");
	cfg->openapi_explicit = o && *o;
	if (!(o && !strcmp(o, "off")) &&
	    !(cfg->openapi = xstrdup(o && *o ? o : "/usr/share/cfmcp/openapi/openapi.json")))
		goto oom;
	if (env_long("CFMCP_OPENAPI_DEPRECATED", 0, 0, 1, &v, err, errsz))
		return -1;
	cfg->openapi_deprecated = (int)v;
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
		snprintf(err, errsz, "CFMCP_REDIS must be unix:/path, host:port or sentinel://host:port,.../service");
		return -1;
	}
	/* With Sentinel there is a replica to wait for: admin writes WAIT for
	 * one by default, so a URL shown once survives a failover. */
	if (env_long("CFMCP_REDIS_WAIT_REPLICAS", strncmp(cfg->redis, "sentinel://", 11) ? 0 : 1, 0, 16,
		    &cfg->redis_wait_replicas, err, errsz) ||
	    env_long("CFMCP_REDIS_WAIT_MS", 1000, 10, 60000, &cfg->redis_wait_ms, err, errsz) ||
	    redis_auth_load(cfg, err, errsz) < 0)
		return -1;
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
	/* the scope cache is off by default: a known race (README "Scope cache") */
	if (env_long("CFMCP_CACHE_ENTRIES", 256, 0, 1000000L, &cfg->cache_entries, err, errsz))
		return -1;
	if (env_long("CFMCP_LIST_TTL_MS", 60000, 0, 86400000L, &cfg->list_ttl_ms, err, errsz))
		return -1;
	/* entries kept per audit stream (README "Audit trail"); 0 turns it off */
	if (env_long("CFMCP_AUDIT_MAXLEN", 100000, 0, 100000000L, &cfg->audit_maxlen, err, errsz))
		return -1;
	/* how long a worker may hold entries back to write them in one go */
	if (env_long("CFMCP_AUDIT_FLUSH_MS", 100, 1, 1000, &cfg->audit_flush_ms, err, errsz))
		return -1;
	if (env_long("CFMCP_LOG_LEVEL", 2, 0, 3, &v, err, errsz))
		return -1;
	cfg->log_level = (int)v;
	o = conf_get("CFMCP_LOG_FORMAT");
	if (o && *o && strcmp(o, "text") && strcmp(o, "json")) {
		snprintf(err, errsz, "CFMCP_LOG_FORMAT must be text or json");
		return -1;
	}
	cfg->log_json = o && !strcmp(o, "json");
	o = conf_get("CFMCP_METRICS");
	if (o && *o && strcmp(o, "on") && strcmp(o, "off")) {
		snprintf(err, errsz, "CFMCP_METRICS must be on or off");
		return -1;
	}
	cfg->metrics = !(o && !strcmp(o, "off"));
	if (env_long("CFMCP_METRICS_PUBLIC", 0, 0, 1, &v, err, errsz))
		return -1;
	cfg->metrics_public = (int)v;
	o = conf_get("CFMCP_ALLOWED_ORIGINS");
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
	xfree(cfg->redis_user);
	if (cfg->redis_password)
		crypto_wipe(cfg->redis_password, strlen(cfg->redis_password));
	xfree(cfg->redis_password);
	xfree(cfg->upstream_url);
	xfree(cfg->key_file);
	crypto_keyring_wipe(&cfg->keys);
	xfree(cfg->schemas_dir);
	xfree(cfg->openapi);
	xfree(cfg->public_url);
	xfree(cfg->log_file);
	for (i = 0; i < cfg->norigins; i++)
		xfree(cfg->origins[i]);
	memset(cfg, 0, sizeof(*cfg));
}
