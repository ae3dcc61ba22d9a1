/*
 * sessions.c - legacy HTTP+SSE session ids and names; see sessions.h.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "sessions.h"
#include "sse.h"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int session_id_new(char out[SESSION_ID_LEN + 1])
{
	char tmp[SESSION_ID_LEN + 8];

	if (crypto_random_token(SESSION_ID_BYTES, tmp, sizeof(tmp)) < 0 || strlen(tmp) != SESSION_ID_LEN)
		return -1;
	memcpy(out, tmp, SESSION_ID_LEN + 1);
	crypto_wipe(tmp, sizeof(tmp));
	return 0;
}

/* 43 base64url characters whose last one carries no spare bits (256 bits
 * leave 2 of the last sextet unused): the one spelling our encoder gives. */
int session_id_valid(const char *s, size_t n)
{
	const char *last;

	if (n != SESSION_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(B64URL, s[i]))
			return 0;
	last = strchr(B64URL, s[n - 1]);
	return ((last - B64URL) & 3) == 0;
}

int session_id_from_query(const char *query, char out[SESSION_ID_LEN + 1])
{
	const char *p = query;
	int found = 0;

	if (!query)
		return -1;
	while (*p) {
		size_t n = strcspn(p, "&;");
		if (n > 11 && !memcmp(p, "session_id=", 11)) {
			if (found++ || !session_id_valid(p + 11, n - 11))
				return -1;
			memcpy(out, p + 11, SESSION_ID_LEN);
			out[SESSION_ID_LEN] = '\0';
		} else if (n >= 10 && !memcmp(p, "session_id", 10) && (n == 10 || p[10] == '=')) {
			return -1; /* "session_id" or "session_id=": present but empty */
		}
		p += n;
		if (*p)
			p++;
	}
	return found ? 0 : -1;
}

static int name(const char *prefix, const char *sid, char out[SESSION_NAME_MAX])
{
	int n;

	if (!session_id_valid(sid, strnlen(sid, SESSION_ID_LEN + 1)))
		return -1;
	n = snprintf(out, SESSION_NAME_MAX, "%s%s", prefix, sid);
	return n > 0 && n < SESSION_NAME_MAX ? 0 : -1;
}

int session_key(const char *sid, char out[SESSION_NAME_MAX])
{
	return name("cfmcp:sse:", sid, out);
}

int session_channel(const char *sid, char out[SESSION_NAME_MAX])
{
	return name("cfmcp:sse-ch:", sid, out);
}

const char *session_channel_id(const char *ch, size_t n)
{
	static const char pfx[] = "cfmcp:sse-ch:";

	if (n != sizeof(pfx) - 1 + SESSION_ID_LEN || memcmp(ch, pfx, sizeof(pfx) - 1) ||
	    !session_id_valid(ch + sizeof(pfx) - 1, SESSION_ID_LEN))
		return NULL;
	return ch + sizeof(pfx) - 1;
}

int session_path(const char *path, const char *what, const char **tok, size_t *tn)
{
	size_t n = strlen(path), wn = strlen(what);
	const char *t, *slash;

	if (n < 5 || memcmp(path, "/mcp/", 5))
		return 0;
	t = path + 5;
	slash = strchr(t, '/');
	if (!slash || slash == t || strcmp(slash + 1, what) || strlen(slash + 1) != wn)
		return 0;
	*tok = t;
	*tn = (size_t)(slash - t);
	return 1;
}

int session_endpoint_event(struct buf *out, const char *tok, size_t tn, const char *sid)
{
	struct buf url;
	int rc = -1;

	buf_init(&url, 512);
	if (!session_id_valid(sid, strnlen(sid, SESSION_ID_LEN + 1)) ||
	    buf_append(&url, STRLIT("/mcp/")) || buf_append(&url, tok, tn) ||
	    buf_append(&url, STRLIT("/messages?session_id=")) || buf_append(&url, sid, SESSION_ID_LEN))
		goto out;
	rc = sse_append_event(out, "endpoint", url.p, url.len);
out:
	buf_free(&url);
	return rc;
}
