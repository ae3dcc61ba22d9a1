/*
 * upstream.c - libcurl transport to the Cloudflare API (STYLE item 10):
 * http/https only, no redirects, connect and total timeouts, a capped
 * write callback, NOSIGNAL, and library error text kept out of replies.
 *
 * The transfer runs on a multi handle the worker keeps for its life, and
 * this file waits in curl_multi_poll itself (issue 13): curl_easy_perform
 * would build the same loop around a multi handle of its own.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "caps.h"
#include "log.h"
#include "upstream.h"
#include "xalloc.h"

struct upstream {
	CURL *h;
	CURLM *m;        /* owns the connection cache while h is added to it */
	char *base;
	long timeout_ms, connect_ms;
	char errbuf[CURL_ERROR_SIZE];
	void (*on_wait)(void *ud);
	void *on_wait_ud;
};

struct upstream *upstream_new(const struct config *cfg)
{
	struct upstream *u = xcalloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->h = curl_easy_init();
	u->m = curl_multi_init();
	u->base = xstrdup(cfg->upstream_url);
	/* One upstream host, one kept connection: libcurl replays a request
	 * over each stale cached connection in turn (up to 5 times), so a
	 * bigger cache would multiply replays of a read. A handle in a multi
	 * uses the multi's cache, which ignores CURLOPT_MAXCONNECTS. */
	if (!u->h || !u->m || !u->base || curl_multi_setopt(u->m, CURLMOPT_MAXCONNECTS, 1L) != CURLM_OK) {
		upstream_free(u);
		return NULL;
	}
	u->timeout_ms = cfg->upstream_timeout_ms;
	u->connect_ms = cfg->upstream_connect_ms;
	return u;
}

void upstream_free(struct upstream *u)
{
	if (!u)
		return;
	/* h is never left added (upstream_do removes it); the multi goes
	 * first, closing the connections its cache holds */
	if (u->m)
		curl_multi_cleanup(u->m);
	if (u->h)
		curl_easy_cleanup(u->h);
	xfree(u->base);
	xfree(u);
}

void upstream_reply_init(struct upstream_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->ms = -1;
	buf_init(&r->body, CAP_UPSTREAM_BYTES);
}

void upstream_reply_free(struct upstream_reply *r)
{
	if (r)
		buf_free(&r->body);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct upstream_reply *r = ud;

	if (buf_append(&r->body, p, sz * n)) {
		r->err = UP_TOOBIG;
		return 0; /* aborts the transfer */
	}
	return sz * n;
}

/* Keep the rate-limit headers we normalize (names case-insensitive). */
static void keep(char *dst, size_t dstsz, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct upstream_reply *r = ud;
	size_t len = sz * n;
	const char *colon = memchr(p, ':', len);
	size_t nl;

	if (!colon)
		return len;
	nl = (size_t)(colon - p);
	colon++;
#define HDR(name, field) \
	if (nl == sizeof(name) - 1 && !strncasecmp(p, name, nl)) \
		keep(r->field, sizeof(r->field), colon, len - nl - 1)
	HDR("ratelimit", ratelimit);
	else HDR("ratelimit-policy", ratelimit_policy);
	else HDR("retry-after", retry_after);
	else HDR("x-ratelimit-limit", x_limit);
	else HDR("x-ratelimit-remaining", x_remaining);
	else HDR("x-ratelimit-reset", x_reset);
	else HDR("content-type", content_type);
	else HDR("cf-ray", cf_ray);
#undef HDR
	return len;
}

/*
 * Set one option unless an earlier one failed; the first refusal is kept
 * in cc/bad. A refused option (out of memory copying a string, an option
 * this libcurl lacks) must stop the request: sent without it, a PUT goes
 * out as a POST, or without PROTOCOLS_STR/TIMEOUT_MS limits.
 */
#define SETOPT(opt, val) \
	do { \
		if (cc == CURLE_OK && (cc = curl_easy_setopt(h, opt, val)) != CURLE_OK) \
			bad = #opt; \
	} while (0)

/*
 * Run h's transfer to its end on u's multi handle; returns its CURLcode.
 * CURLOPT_TIMEOUT_MS bounds it: libcurl ends the transfer with
 * CURLE_OPERATION_TIMEDOUT, and curl_multi_poll never sleeps past
 * libcurl's next timer, so the wait needs no deadline of its own. A multi
 * error maps to the CURLcode curl_easy_perform gives for it, so the
 * caller's mapping to upstream_err is the one it always was.
 */
void upstream_on_wait(struct upstream *u, void (*fn)(void *ud), void *ud)
{
	u->on_wait = fn;
	u->on_wait_ud = ud;
}

static CURLcode transfer(struct upstream *u)
{
	CURLcode cc = CURLE_BAD_FUNCTION_ARGUMENT;
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left, waited = 0;

	if ((mc = curl_multi_add_handle(u->m, u->h)) != CURLM_OK)
		goto out;
	while ((mc = curl_multi_perform(u->m, &running)) == CURLM_OK && running) {
		if (!waited++ && u->on_wait)
			u->on_wait(u->on_wait_ud); /* upstream_on_wait */
		/* the 1 s is a ceiling: libcurl shortens it to its next timer */
		if ((mc = curl_multi_poll(u->m, NULL, 0, 1000, NULL)) != CURLM_OK)
			break;
	}
	if (mc == CURLM_OK) {
		/* one handle: the message, if any, is h's */
		while ((msg = curl_multi_info_read(u->m, &left)))
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == u->h)
				cc = msg->data.result;
	}
	if (curl_multi_remove_handle(u->m, u->h) != CURLM_OK && mc == CURLM_OK)
		mc = CURLM_INTERNAL_ERROR;
out:
	if (mc != CURLM_OK)
		/* as curl_easy_perform maps them (lib/easy.c easy_transfer) */
		cc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY :
			mc == CURLM_UNRECOVERABLE_POLL ? CURLE_UNRECOVERABLE_POLL : CURLE_BAD_FUNCTION_ARGUMENT;
	return cc;
}

/* One piece: a straight run of curl_easy_setopt calls (each checked by
 * SETOPT), the perform, and the reply's checks, in the order libcurl
 * needs them; split, the handle's state would leak across functions. */
enum upstream_err upstream_do(struct upstream *u, const struct plan *p, const char *token,
	struct upstream_reply *r)
{
	struct buf url, auth;
	struct curl_slist *hdrs = NULL, *tmp;
	CURLcode cc = CURLE_OK;
	const char *bad = NULL;
	CURL *h = u->h;
	struct timespec t0, t1;

	/* base + any target plan_build accepts (caps.h CAP_URL_TARGET) */
	buf_init(&url, strlen(u->base) + CAP_URL_TARGET);
	buf_init(&auth, 4096);
	r->err = UP_INTERNAL;
	if (plan_target_len(p) > CAP_URL_TARGET) {
		/* plan_build never plans one; a hand-built plan is a bug here */
		log_err("upstream %s: request target of %zu bytes is over CAP_URL_TARGET; not sent",
			p->http, plan_target_len(p));
		goto out;
	}
	if (buf_puts(&url, u->base) || buf_append(&url, p->path.p, p->path.len) ||
	    (p->query.len && (buf_append(&url, STRLIT("?")) || buf_append(&url, p->query.p, p->query.len))))
		goto out;
	if (token && *token) {
		if (buf_append(&auth, STRLIT("Authorization: Bearer ")) || buf_puts(&auth, token))
			goto out;
		if (!(tmp = curl_slist_append(hdrs, auth.p)))
			goto out;
		hdrs = tmp;
	}
	if (!(tmp = curl_slist_append(hdrs, "Accept: application/json")))
		goto out;
	hdrs = tmp;
	if (p->body) {
		if (!(tmp = curl_slist_append(hdrs, "Content-Type: application/json")))
			goto out;
		hdrs = tmp;
	}
	curl_easy_reset(h); /* keeps the connection cache */
	SETOPT(CURLOPT_URL, url.p);
	/* the path goes out as planned: plan.c refused "." and ".." values, and
	 * libcurl must not resolve dot segments the template itself holds */
	SETOPT(CURLOPT_PATH_AS_IS, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TIMEOUT_MS, u->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, u->connect_ms);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CAP_UPSTREAM_BYTES);
	SETOPT(CURLOPT_ERRORBUFFER, u->errbuf);
	SETOPT(CURLOPT_USERAGENT, "cfmcp/" CFMCP_VERSION);
	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, r);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, r);
	SETOPT(CURLOPT_ACCEPT_ENCODING, "");
	/* the cache size is the multi handle's (upstream_new): this one is
	 * ignored inside a multi, kept for a handle run on its own */
	SETOPT(CURLOPT_MAXCONNECTS, 1L);
	if (!strcmp(p->http, "GET")) {
		SETOPT(CURLOPT_HTTPGET, 1L);
	} else {
		/* libcurl re-sends a request, once, when a reused keep-alive
		 * connection dies before any response byte, and has no switch
		 * for it. A write must never be sent twice: writes take a fresh
		 * connection, which libcurl never replays. Reads keep reuse. */
		SETOPT(CURLOPT_FRESH_CONNECT, 1L);
		SETOPT(CURLOPT_CUSTOMREQUEST, p->http);
		if (p->body) {
			SETOPT(CURLOPT_POSTFIELDS, p->body);
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->body_len);
		} else if (strcmp(p->http, "DELETE")) {
			SETOPT(CURLOPT_POSTFIELDS, "");
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		}
	}
	if (cc != CURLE_OK) {
		/* bad is an option name, cc libcurl's code: neither holds input */
		log_err("upstream %s %s not sent: libcurl refused %s (%s)", p->http,
			p->path.p ? p->path.p : "", bad, curl_easy_strerror(cc));
		goto out;
	}
	u->errbuf[0] = '\0';
	r->err = UP_OK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = transfer(u);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	if (cc == CURLE_OK) {
		if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status) != CURLE_OK)
			r->status = 0; /* cannot happen after a transfer; 0 reads as "no status" */
	} else if (r->err == UP_TOOBIG || cc == CURLE_FILESIZE_EXCEEDED) {
		r->err = UP_TOOBIG;
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		r->err = UP_TIMEOUT;
	} else {
		r->err = UP_CONNECT;
	}
	if (r->err != UP_OK)
		log_warn("upstream %s %s failed: %s", p->http, p->path.p ? p->path.p : "",
			u->errbuf[0] ? u->errbuf : curl_easy_strerror(cc));
out:
	/* the list is freed next: libcurl must not keep a pointer to it (this
	 * only stores a pointer, it cannot fail) */
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	if (auth.p)
		memset(auth.p, 0, auth.len);
	buf_free(&auth);
	buf_free(&url);
	return r->err;
}
#undef SETOPT
