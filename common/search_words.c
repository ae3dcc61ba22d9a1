/*
 * search_words.c - how the discovery index (search.h) turns text into
 * words, the same way for documents and queries: lower-cased ASCII runs,
 * stop words dropped, a crude suffix stemmer; and the tables that say
 * what people mean: synonyms (purge/clear cache, dns/record, ...) and the
 * zone settings' ids. (Not words.c, which splits comma lists.)
 */
#include "first.h"

#include <string.h>

#include "search_private.h"

/* Sorted: search_is_stop bisects it. */
static const char *const STOP[] = {
	"a", "about", "all", "an", "and", "any", "api", "are", "at", "be", "by", "can", "cloudflare", "currently",
	"do", "does", "every", "for", "from", "give", "have", "how", "i", "id", "identifier", "in", "into",
	"is", "it", "its", "like", "me", "my", "need", "now", "of", "on", "or", "our", "please", "single",
	"so", "some", "tell", "that", "the", "their", "there", "this", "to", "us", "using", "want", "we",
	"what", "when", "where", "which", "who", "with", "would", "you", "your",
};

/* Whether w (lower-cased, unstemmed) is a stop word: 1 or 0. */
int search_is_stop(const char *w)
{
	size_t lo = 0, hi = CFMCP_NELEM(STOP);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(w, STOP[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(w + n - k, suf, k);
}

/* A crude English suffix stemmer (plural, -ing, -ed, final e): only ever
 * compared with its own output, so it need be consistent, not correct. */
void search_stem(char *w)
{
	size_t n = strlen(w);

	if (n > 4 && ends(w, n, "ies")) {
		w[n - 3] = 'y';
		w[n - 2] = '\0';
		n -= 2;
	} else if (n > 4 && ends(w, n, "sses")) {
		w[n -= 2] = '\0';
	} else if (n > 3 && w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is")) {
		w[--n] = '\0';
	}
	if (n > 5 && ends(w, n, "ing"))
		w[n -= 3] = '\0';
	else if (n > 4 && ends(w, n, "ed"))
		w[n -= 2] = '\0';
	if (n > 4 && w[n - 1] == 'e')
		w[--n] = '\0';
}

/*
 * The next word of s[*pos..n) into w (lower-cased, stemmed, at most
 * WORD_MAX-1 bytes): 1, or 0 at the end. Words are runs of ASCII letters
 * and digits; everything else separates (so "dns_records" is two words).
 * In paths, {parameter} segments are skipped when skip_params.
 */
int search_next_word(const char *s, size_t n, size_t *pos, char *w, int skip_params)
{
	size_t i = *pos, k = 0;

	for (;;) {
		while (i < n && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9'))) {
			if (skip_params && s[i] == '{') {
				while (i < n && s[i] != '}')
					i++;
			}
			if (i < n)
				i++;
		}
		if (i >= n) {
			*pos = i;
			return 0;
		}
		k = 0;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			    (s[i] >= '0' && s[i] <= '9'))) {
			if (k < WORD_MAX - 1)
				w[k++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
			i++;
		}
		w[k] = '\0';
		if (!search_is_stop(w))
			break;
	}
	*pos = i;
	search_stem(w);
	return 1;
}

/* ---- synonyms --------------------------------------------------------- */

/* A word a person types -> words the operations use (space-separated,
 * run through the same stemmer), at W_SYNONYM, or marked '=' at full
 * weight, or '!' at full weight with the typed word itself lowered (what
 * people call a domain or a site, Cloudflare calls a zone). One-way:
 * "clear" finds "purge", not the other way round. */
static const struct synonym {
	const char *word;
	const char *also;
} SYNONYMS[] = {
	{ "address", "ip" },
	{ "allowlist", "access rule" },
	{ "analytics", "report stats" },
	{ "application", "=app" },
	{ "applications", "=app" },
	{ "apps", "application" },
	{ "ban", "block rule" },
	{ "block", "firewall rule access waf" },
	{ "blocklist", "access rule" },
	{ "bucket", "r2" },
	{ "buckets", "r2" },
	{ "cache", "purge" },
	{ "cert", "certificate ssl" },
	{ "certificate", "ssl tls" },
	{ "certificates", "ssl tls" },
	{ "check", "get list" },
	{ "clear", "purge cache" },
	{ "db", "d1 database" },
	{ "database", "d1" },
	{ "databases", "d1" },
	{ "deployed", "script worker" },
	{ "disable", "setting" },
	{ "dns", "record" },
	{ "domain", "!zone" },
	{ "domains", "!zone" },
	{ "empty", "purge" },
	{ "enable", "setting" },
	{ "fetch", "get list" },
	{ "firewall", "waf rule" },
	{ "flush", "purge cache" },
	{ "function", "worker script" },
	{ "functions", "worker script" },
	{ "history", "audit log" },
	{ "https", "ssl tls" },
	{ "invalidate", "purge cache" },
	{ "invite", "member create" },
	{ "ip", "address" },
	{ "key", "kv" },
	{ "kv", "namespace" },
	{ "lb", "load balancer" },
	{ "log", "audit" },
	{ "logs", "audit" },
	{ "member", "user" },
	{ "members", "user" },
	{ "off", "setting" },
	{ "on", "setting" },
	{ "people", "member" },
	{ "profile", "!user" },
	{ "range", "=ip" },
	{ "ranges", "=ip" },
	{ "purge", "cache" },
	{ "r2", "bucket" },
	{ "read", "get list" },
	{ "record", "dns" },
	{ "records", "dns" },
	{ "scripts", "worker" },
	{ "script", "worker" },
	{ "set", "setting" },
	{ "site", "!zone" },
	{ "sites", "!zone" },
	{ "ssl", "tls certificate" },
	{ "storage", "r2 kv bucket" },
	{ "switch", "setting" },
	{ "tls", "ssl" },
	{ "toggle", "setting" },
	{ "turn", "setting" },
	{ "tunnel", "cfd" },
	{ "tunnels", "cfd" },
	{ "user", "member" },
	{ "users", "member" },
	{ "waf", "firewall rule" },
	{ "website", "!zone" },
	{ "websites", "!zone" },
	{ "who", "member audit" },
	{ "worker", "script" },
	{ "workers", "script" },
};

/* The words raw (as typed: lower-cased, not stemmed) also means, in the
 * table's notation above, or NULL when it has none. */
const char *search_synonyms(const char *raw)
{
	size_t d;

	for (d = 0; d < CFMCP_NELEM(SYNONYMS); d++)
		if (!strcmp(raw, SYNONYMS[d].word))
			return SYNONYMS[d].also;
	return NULL;
}

/* Zone setting ids (components.schemas.zones_setting in Cloudflare's
 * OpenAPI, 2024-08): "turn on Always Use HTTPS" is a request for the
 * zone settings operations, whose own text does not name the settings. */
static const char *const ZONE_SETTINGS[] = {
	"0rtt", "advanced_ddos", "always_online", "always_use_https", "automatic_https_rewrites",
	"automatic_platform_optimization", "brotli", "browser_cache_ttl", "browser_check", "cache_level",
	"challenge_ttl", "ciphers", "cname_flattening", "development_mode", "early_hints", "edge_cache_ttl",
	"email_obfuscation", "h2_prioritization", "hotlink_protection", "http2", "http3", "image_resizing",
	"ip_geolocation", "ipv6", "max_upload", "min_tls_version", "minify", "mirage", "mobile_redirect", "nel",
	"opportunistic_encryption", "opportunistic_onion", "orange_to_orange", "origin_error_page_pass_thru",
	"polish", "prefetch_preload", "proxy_read_timeout", "pseudo_ipv4", "replace_insecure_js",
	"response_buffering", "rocket_loader", "security_header", "security_level", "server_side_exclude",
	"sha1_support", "sort_query_string_for_cache", "ssl", "ssl_recommender", "tls_1_2_only", "tls_1_3",
	"tls_client_auth", "true_client_ip_header", "waf", "webp", "websockets",
};

/* Whether the raw words rv[0..n) name a zone setting: every word of a
 * multi-word id, or a one-word id next to "mode", "setting", or a verb
 * that switches things (ssl alone is a product, "ssl mode" a setting).
 * The words that named it are marked in used[]. */
int search_names_setting(char rv[][WORD_MAX], size_t n, unsigned char *used)
{
	size_t i, j;
	int switchy = 0;

	for (j = 0; j < n; j++)
		if (!strcmp(rv[j], "mode") || !strcmp(rv[j], "setting") || !strcmp(rv[j], "turn") ||
		    !strcmp(rv[j], "enable") || !strcmp(rv[j], "disable") || !strcmp(rv[j], "toggle"))
			switchy = 1;
	for (i = 0; i < CFMCP_NELEM(ZONE_SETTINGS); i++) {
		const char *p = ZONE_SETTINGS[i];
		int all = 1, words = 0;
		while (*p && all) {
			char w[WORD_MAX];
			size_t k = strcspn(p, "_");
			int hit = 0;
			if (k >= WORD_MAX)
				break;
			memcpy(w, p, k);
			w[k] = '\0';
			for (j = 0; j < n && !hit; j++)
				hit = !strcmp(rv[j], w) || (!strcmp(w, "min") && !strcmp(rv[j], "minimum")) ||
				      (!strcmp(w, "max") && !strcmp(rv[j], "maximum"));
			if (hit)
				used[j - 1] = 1;
			all = hit;
			words++;
			p += k + (p[k] == '_');
		}
		if (all && (words > 1 || switchy))
			return 1;
		memset(used, 0, n);
	}
	return 0;
}
