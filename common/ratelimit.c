/*
 * ratelimit.c - header parsing per draft-ietf-httpapi-ratelimit-headers
 * (-08 and later: SF Lists of items with parameters r, t, q, w) and the
 * older x-ratelimit-* fields. When Retry-After is present it wins for
 * the reset (draft -10 §7).
 */
#include "first.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ratelimit.h"

/* Find ";key=<integer>" in the first list item of an SF List. */
static long sf_param(const char *v, const char *key)
{
	size_t kn = strlen(key);
	const char *p = v, *end = strchr(v, ',');

	if (!end)
		end = v + strlen(v);
	while ((p = strchr(p, ';')) && p < end) {
		p++;
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, kn) && p[kn] == '=') {
			char *e;
			long n = strtol(p + kn + 1, &e, 10);
			if (e != p + kn + 1 && n >= 0)
				return n;
			return -1;
		}
	}
	return -1;
}

static long plain_int(const char *v)
{
	char *e;
	long n;

	if (!v[0])
		return -1;
	n = strtol(v, &e, 10);
	if (e == v || n < 0)
		return -1;
	while (*e == ' ')
		e++;
	return *e ? -1 : n;
}

void ratelimit_parse(const struct upstream_reply *r, long now, struct ratelimit *out)
{
	out->limit = out->remaining = out->reset = -1;
	if (r->ratelimit_policy[0])
		out->limit = sf_param(r->ratelimit_policy, "q");
	if (r->ratelimit[0]) {
		out->remaining = sf_param(r->ratelimit, "r");
		out->reset = sf_param(r->ratelimit, "t");
	}
	if (out->limit < 0)
		out->limit = plain_int(r->x_limit);
	if (out->remaining < 0)
		out->remaining = plain_int(r->x_remaining);
	if (out->reset < 0 && r->x_reset[0]) {
		long n = plain_int(r->x_reset);
		if (n < 0) {
			time_t t = curl_getdate(r->x_reset, NULL); /* RFC 1123 date form */
			if (t > 0)
				n = t > now ? (long)(t - now) : 0;
		}
		out->reset = n;
	}
	if (r->retry_after[0]) {
		long n = plain_int(r->retry_after);
		if (n < 0) {
			time_t t = curl_getdate(r->retry_after, NULL);
			if (t > 0)
				n = t > now ? (long)(t - now) : 0;
		}
		if (n >= 0)
			out->reset = n;
	}
}

int ratelimit_known(const struct ratelimit *rl)
{
	return rl->limit >= 0 || rl->remaining >= 0 || rl->reset >= 0;
}
