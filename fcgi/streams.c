/*
 * streams.c - the streams process; see streams.h.
 *
 * One thread, one epoll set: the FastCGI listening socket, every stream's
 * connection from the web server, and one Redis subscriber connection
 * that carries every session's channel (SUBSCRIBE per stream, so PUBLISH
 * counts receivers exactly and a POST to a finished stream is a 404).
 * Commands that need an answer (token lookups, session keys, the 1 s
 * check) go over a second, blocking connection (store.c) with the
 * configured timeout: Redis on the same host or LAN answers in well
 * under a millisecond, and while it does not, nothing else could be
 * done for the streams anyway.
 *
 * A stream's life: ST_READ (FastCGI records until PARAMS and STDIN end),
 * then the checks of mcp_authorize (the same as POST's), the limits, the
 * session key SET and SUBSCRIBE -> ST_SUBSCRIBING; Redis confirms the
 * subscription -> the response head and the "endpoint" event are
 * written (only now, so the client's first POST finds a receiver) ->
 * ST_OPEN; it ends (token revoked or expired, Redis lost, SIGTERM,
 * SIGHUP) -> ST_CLOSING until its last bytes are written. Any read or
 * write error, EOF or ABORT_REQUEST (the client went away) frees it at
 * once. Either way the session key is deleted and the channel
 * unsubscribed the moment the stream stops taking answers.
 *
 * Memory per stream: the struct (~0.4 KiB) and its output buffer while
 * something is queued; the buffer is dropped once written, and capped
 * (CFMCP_SSE_BUFFER_MAX) so a reader that stops reading is disconnected
 * rather than growing the process.
 */
#include "../common/first.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "../common/crypto.h"
#include "../common/http.h"
#include "../common/log.h"
#include "../common/mcp.h"
#include "../common/sessions.h"
#include "../common/sse.h"
#include "../common/store.h"
#include "../common/transport.h"
#include "../common/xalloc.h"
#include "fcgi_rec.h"
#include "streams.h"

/* FastCGI input of one request before it is handled: PARAMS hold the
 * headers, each under CAP_HEADER_VALUE; the web servers cap the lot. */
#define IN_MAX     (128u * 1024u)
#define PARAMS_MAX (96u * 1024u)
/* Streams whose token is checked per Redis round trip on the 1 s tick:
 * two commands each (EXISTS, EXPIRE) within store.c's pipeline cap. */
#define CHECK_BATCH (STORE_MAX_PIPELINE / 2)

enum st_state { ST_READ, ST_SUBSCRIBING, ST_OPEN, ST_CLOSING };

struct stream {
	int fd;
	unsigned rid;          /* FastCGI request id */
	enum st_state state;
	int params_done;
	int want_out;          /* EPOLLOUT registered */
	int subscribed;        /* SUBSCRIBE sent: UNSUBSCRIBE when it ends */
	int keyed;             /* session key set: DEL when it ends */
	int dead;              /* freed: waits in loop.grave for the batch's end */
	size_t idx;            /* in loop.v */
	struct stream *next;   /* in loop.grave */
	struct buf in;         /* bytes of records not parsed yet */
	struct buf params;     /* the PARAMS stream */
	struct buf out;        /* records not written yet; capped */
	size_t out_off;        /* of out, already written */
	long last_ms;          /* last bytes queued (keepalive) */
	long expires_at;       /* the token's, Unix seconds; 0: never */
	char sid[SESSION_ID_LEN + 1];
	char hash[CRYPTO_SHA256_HEX];
	char tok[CAP_TOKEN_MAX + 1];
	size_t tn;
};

struct loop {
	int ep, lfd;
	const struct config *cfg;
	struct mcp_env env;
	struct store *st;
	redisContext *sub;     /* subscriber connection, non-blocking; NULL: down */
	int sub_want_out;
	int sub_broken;        /* a write to it failed: sub_lost after this batch */
	/* Streams freed during one batch of events: their memory is kept
	 * until the batch is done, so a later event of the same batch can
	 * never reach a new stream at a reused address. */
	struct stream *grave;
	struct stream **v;
	size_t n, cap;
	long keepalive_ms, buffer_max, per_token, total;
	long next_tick_ms, ticks;
	int had_streams;       /* since the last malloc_trim */
};

static volatile sig_atomic_t got_term, got_hup;

/* epoll tags for the two sockets that are not streams */
static char TAG_LISTEN, TAG_SUB;

static void on_sig(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long env_now(void)
{
	return (long)time(NULL);
}

static enum store_rc env_lookup(void *ud, const char *hash, const char *bearer_hash, struct scope *out)
{
	return store_lookup(ud, hash, bearer_hash, out);
}

/* A CFMCP_SSE_* number, def when unset or out of [min, max] (logged). */
static long setting(const char *name, long def, long min, long max)
{
	const char *v = config_value(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		log_warn("streams: %s must be an integer in [%ld, %ld]; using %ld", name, min, max, def);
		return def;
	}
	return n;
}

/* ---- the subscriber connection ---------------------------------------- */

static void sub_drop(struct loop *L)
{
	if (!L->sub)
		return;
	epoll_ctl(L->ep, EPOLL_CTL_DEL, L->sub->fd, NULL);
	redisFree(L->sub);
	L->sub = NULL;
	L->sub_want_out = 0;
}

/* Connect (blocking, with the configured timeout), AUTH when configured,
 * then switch to non-blocking for the loop. unix: and host:port only; a
 * Sentinel address is not followed here (README: the streams process
 * needs the primary's address). 0 or -1. */
static int sub_connect(struct loop *L)
{
	const char *a = L->cfg->redis;
	struct timeval tv = { L->cfg->redis_timeout_ms / 1000, (L->cfg->redis_timeout_ms % 1000) * 1000 };
	redisContext *c = NULL;
	struct epoll_event ev;

	if (!strncmp(a, "unix:", 5)) {
		c = redisConnectUnixWithTimeout(a + 5, tv);
	} else if (strncmp(a, "sentinel://", 11)) {
		char host[256];
		const char *colon = strrchr(a, ':');
		size_t hn = colon ? (size_t)(colon - a) : 0;
		if (!colon || hn >= sizeof(host))
			return -1;
		memcpy(host, a, hn);
		host[hn] = '\0';
		if (host[0] == '[' && hn > 2 && host[hn - 1] == ']') {
			memmove(host, host + 1, hn - 2);
			host[hn - 2] = '\0';
		}
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return -1;
		c = redisConnectWithTimeout(host, (int)port, tv);
	}
	if (!c || c->err)
		goto fail;
	if (L->cfg->redis_password) {
		const char *argv[3] = { "AUTH", L->cfg->redis_user ? L->cfg->redis_user : "default",
			L->cfg->redis_password };
		redisReply *r = redisCommandArgv(c, 3, argv, NULL);
		int ok = r && r->type == REDIS_REPLY_STATUS;
		if (r)
			freeReplyObject(r);
		if (!ok)
			goto fail;
	}
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	c->flags &= ~REDIS_BLOCK; /* hiredis then takes EAGAIN as "later" */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &TAG_SUB;
	if (epoll_ctl(L->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		goto fail;
	L->sub = c;
	return 0;
fail:
	if (c)
		redisFree(c);
	return -1;
}

/* Write what hiredis holds; register EPOLLOUT while some remains. */
static int sub_flush(struct loop *L)
{
	int done = 0;
	struct epoll_event ev;

	if (!L->sub)
		return -1;
	if (redisBufferWrite(L->sub, &done) != REDIS_OK)
		return -1;
	if ((!done) != L->sub_want_out) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | (done ? 0 : EPOLLOUT);
		ev.data.ptr = &TAG_SUB;
		epoll_ctl(L->ep, EPOLL_CTL_MOD, L->sub->fd, &ev);
		L->sub_want_out = !done;
	}
	return 0;
}

static int sub_send(struct loop *L, const char *cmd, const char *sid)
{
	char ch[SESSION_NAME_MAX];
	const char *argv[2] = { cmd, ch };

	if (!L->sub || session_channel(sid, ch) < 0)
		return -1;
	if (redisAppendCommandArgv(L->sub, 2, argv, NULL) != REDIS_OK)
		return -1;
	return sub_flush(L);
}

/* ---- one stream -------------------------------------------------------- */

static void want_out(struct loop *L, struct stream *s, int on)
{
	struct epoll_event ev;

	if (s->want_out == on)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0);
	ev.data.ptr = s;
	epoll_ctl(L->ep, EPOLL_CTL_MOD, s->fd, &ev);
	s->want_out = on;
}

/* The session stops taking answers: its key goes (a POST now gets 404)
 * and so does its subscription (PUBLISH counts 0). */
static void forget_session(struct loop *L, struct stream *s)
{
	if (s->keyed) {
		char key[SESSION_NAME_MAX];
		if (session_key(s->sid, key) == 0) {
			const char *argv[] = { "DEL", key, NULL };
			const char *const *cmds[] = { argv };
			struct redisReply *r[1];
			if (store_pipeline(L->st, 1, cmds, r) == 0)
				store_reply_free(r[0]);
			/* else: the key's TTL (SESSION_TTL_S) removes it */
		}
		s->keyed = 0;
	}
	if (s->subscribed) {
		if (sub_send(L, "UNSUBSCRIBE", s->sid) < 0)
			L->sub_broken = 1; /* the other streams' answers went with it */
		s->subscribed = 0;
	}
}

static void stream_free(struct loop *L, struct stream *s)
{
	forget_session(L, s);
	epoll_ctl(L->ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	L->v[s->idx] = L->v[--L->n];
	L->v[s->idx]->idx = s->idx;
	buf_free(&s->in);
	buf_free(&s->params);
	buf_free(&s->out);
	crypto_wipe(s->tok, sizeof(s->tok));
	s->dead = 1;
	s->next = L->grave;
	L->grave = s;
}

static void bury(struct loop *L)
{
	while (L->grave) {
		struct stream *s = L->grave;
		L->grave = s->next;
		xfree(s);
	}
}

/* Write what is queued. 0: all written or the rest waits for EPOLLOUT;
 * 1: the stream was closing and is done (freed); -1: the peer is gone
 * (freed). */
static int flush(struct loop *L, struct stream *s)
{
	while (s->out_off < s->out.len) {
		ssize_t w = write(s->fd, s->out.p + s->out_off, s->out.len - s->out_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want_out(L, s, 1);
			return 0;
		}
		if (w <= 0) {
			stream_free(L, s);
			return -1;
		}
		s->out_off += (size_t)w;
	}
	/* all written: give the memory back unless it is small */
	if (s->out.cap > 16384)
		buf_free(&s->out);
	else
		buf_reset(&s->out);
	s->out_off = 0;
	want_out(L, s, 0);
	if (s->state == ST_CLOSING) {
		stream_free(L, s);
		return 1;
	}
	return 0;
}

/* Queue bytes of the response body. -1 past the buffer cap: a slow
 * reader, disconnected (freed) rather than allowed to grow memory. */
static int queue(struct loop *L, struct stream *s, const char *p, size_t n)
{
	if (fcgi_rec_stdout(&s->out, s->rid, p, n) < 0) {
		log_warn("streams: a stream's reader fell %ld bytes behind; disconnected", L->buffer_max);
		stream_free(L, s);
		return -1;
	}
	s->last_ms = now_ms();
	return 0;
}

/* End the stream: an optional SSE comment, then the end of the FastCGI
 * request; freed once written. */
static void stream_end(struct loop *L, struct stream *s, const char *comment)
{
	forget_session(L, s);
	if (comment && queue(L, s, comment, strlen(comment)) < 0)
		return;
	/* the end record fits past the cap: the stream ends either way */
	s->out.max = SIZE_MAX / 2;
	if (fcgi_rec_end(&s->out, s->rid) < 0) {
		stream_free(L, s);
		return;
	}
	s->state = ST_CLOSING;
	flush(L, s);
}

/* A whole response (a refusal) as FastCGI output, then the end. */
static void answer(struct loop *L, struct stream *s, const struct http_response *r)
{
	char head[160];
	int n;

	s->out.max = SIZE_MAX / 2; /* a refusal is small and bounded by us */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n", r->status, http_reason(r->status));
	if (n < 0 || (size_t)n >= sizeof(head) || queue(L, s, head, (size_t)n) < 0)
		return;
	if (r->headers.len && queue(L, s, r->headers.p, r->headers.len) < 0)
		return;
	n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n", r->body.len);
	if (n < 0 || (size_t)n >= sizeof(head) || queue(L, s, head, (size_t)n) < 0)
		return;
	if (r->body.len && queue(L, s, r->body.p, r->body.len) < 0)
		return;
	stream_end(L, s, NULL);
}

/* The headers every answer of ours carries (router.c), then status. */
static void refuse(struct loop *L, struct stream *s, struct http_response *r, int status,
	enum mcp_err e, const char *retry_after, const char *why)
{
	struct transport t = { r, TRANSPORT_JSON };

	if (retry_after && http_response_header(r, "Retry-After", retry_after)) {
		/* literal; cannot fail on content */
	}
	transport_fail(&t, e, 0, why);
	if (status)
		r->status = status;
	answer(L, s, r);
}

static size_t streams_of(const struct loop *L, const char *hash)
{
	size_t i, k = 0;

	for (i = 0; i < L->n; i++)
		if (L->v[i]->state != ST_READ && L->v[i]->state != ST_CLOSING && !strcmp(L->v[i]->hash, hash))
			k++;
	return k;
}

static size_t streams_live(const struct loop *L)
{
	size_t i, k = 0;

	for (i = 0; i < L->n; i++)
		if (L->v[i]->state == ST_SUBSCRIBING || L->v[i]->state == ST_OPEN)
			k++;
	return k;
}

/* RFC 3875 meta-variables of the PARAMS stream into req (as serve.c
 * does for the pool). 0, or -1 when malformed or too large. */
static int fill_request(struct stream *s, struct http_request *req)
{
	const unsigned char *p = (const unsigned char *)s->params.p;
	size_t n = s->params.len;
	const char *name, *val;
	size_t nl, vl;
	int rc;

	while ((rc = fcgi_pair_next(&p, &n, &name, &nl, &val, &vl)) == 1) {
		if (vl > CAP_HEADER_VALUE || memchr(val, '\0', vl))
			continue; /* treated as absent, as serve.c does */
		if (nl == 14 && !memcmp(name, "REQUEST_METHOD", 14)) {
			xfree(req->method);
			if (!(req->method = xstrndup(val, vl)))
				return -1;
		} else if (nl == 11 && !memcmp(name, "REQUEST_URI", 11)) {
			size_t pl = 0;
			while (pl < vl && val[pl] != '?' && val[pl] != '#')
				pl++; /* val is not NUL-terminated: scan by length */
			xfree(req->path);
			xfree(req->query);
			req->query = NULL;
			if (!(req->path = xstrndup(val, pl)))
				return -1;
			if (pl < vl && val[pl] == '?') {
				size_t ql = 0;
				while (pl + 1 + ql < vl && val[pl + 1 + ql] != '#')
					ql++;
				if (!(req->query = xstrndup(val + pl + 1, ql)))
					return -1;
			}
		} else if (nl > 5 && !memcmp(name, "HTTP_", 5)) {
			if (http_request_add_header(req, name + 5, nl - 5, val, vl) != HTTP_ADD_OK)
				return -1;
		}
	}
	return rc < 0 || !req->method || !req->path ? -1 : 0;
}

/* The whole request is in: check it, then open the session. */
static void on_request(struct loop *L, struct stream *s)
{
	struct http_request req;
	struct http_response resp;
	const char *tok;
	size_t tn;
	char key[SESSION_NAME_MAX], ttl[16];

	http_request_init(&req);
	http_response_init(&resp);
	if (http_response_header(&resp, "Cache-Control", "no-store") ||
	    http_response_header(&resp, "Referrer-Policy", "no-referrer") ||
	    http_response_header(&resp, "X-Content-Type-Options", "nosniff"))
		goto nomem;
	if (fill_request(s, &req) < 0) {
		refuse(L, s, &resp, 400, MCP_EINVALREQ, NULL, "malformed request");
		goto out;
	}
	buf_free(&s->params);
	if (!session_path(req.path, "sse", &tok, &tn)) {
		refuse(L, s, &resp, 404, MCP_ENOTOKEN, NULL, NULL);
		goto out;
	}
	if (strcmp(req.method, "GET")) {
		if (http_response_header(&resp, "Allow", "GET"))
			goto nomem;
		refuse(L, s, &resp, 405, MCP_EHTTPMETHOD, NULL, NULL);
		goto out;
	}
	if (!transport_origin_ok(L->cfg, &req)) {
		refuse(L, s, &resp, 0, MCP_EORIGIN, NULL, NULL);
		goto out;
	}
	if (transport_accept(&req) == TRANSPORT_NONE) {
		refuse(L, s, &resp, 0, MCP_EACCEPT, NULL, "Accept must admit text/event-stream");
		goto out;
	}
	if (got_term || (long)streams_live(L) >= L->total) {
		refuse(L, s, &resp, 503, MCP_EUNAVAIL, "5", "too many open streams on this server; retry later");
		goto out;
	}
	if (!mcp_authorize(&L->env, &req, tok, tn, &resp, s->hash, &s->expires_at)) {
		answer(L, s, &resp);
		goto out;
	}
	if ((long)streams_of(L, s->hash) >= L->per_token) {
		refuse(L, s, &resp, 429, MCP_EUNAVAIL, "5", "too many open streams for this MCP URL");
		goto out;
	}
	/* the session: its key binds it to the token, then the channel */
	snprintf(ttl, sizeof(ttl), "%d", SESSION_TTL_S);
	if (session_id_new(s->sid) < 0 || session_key(s->sid, key) < 0)
		goto nomem;
	{
		const char *argv[] = { "SET", key, s->hash, "EX", ttl, NULL };
		const char *const *cmds[] = { argv };
		struct redisReply *r[1];
		int ok = store_pipeline(L->st, 1, cmds, r) == 0;
		if (ok)
			store_reply_free(r[0]);
		s->keyed = ok; /* from here on stream_end deletes it */
		if (!ok || (!L->sub && sub_connect(L) < 0)) {
			refuse(L, s, &resp, 503, MCP_EUNAVAIL, "1", NULL);
			goto out;
		}
		if (sub_send(L, "SUBSCRIBE", s->sid) < 0) {
			L->sub_broken = 1;
			refuse(L, s, &resp, 503, MCP_EUNAVAIL, "1", NULL);
			goto out;
		}
	}
	s->subscribed = 1;
	memcpy(s->tok, tok, tn);
	s->tok[tn] = '\0';
	s->tn = tn;
	s->state = ST_SUBSCRIBING;
	goto out;
nomem:
	http_response_free(&resp);
	http_response_init(&resp);
	refuse(L, s, &resp, 500, MCP_ENOMEM, NULL, NULL);
out:
	http_request_free(&req);
	http_response_free(&resp);
}

/* Redis confirmed the subscription: the head and the endpoint event. */
static void on_subscribed(struct loop *L, struct stream *s)
{
	static const char head[] = "Status: 200 OK\r\nContent-Type: text/event-stream\r\n"
		"Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n"
		"X-Accel-Buffering: no\r\n\r\n";
	struct buf ev;

	buf_init(&ev, 4096);
	if (session_endpoint_event(&ev, s->tok, s->tn, s->sid) < 0) {
		buf_free(&ev);
		stream_end(L, s, NULL);
		return;
	}
	crypto_wipe(s->tok, sizeof(s->tok));
	s->state = ST_OPEN;
	if (queue(L, s, head, sizeof(head) - 1) == 0 && queue(L, s, ev.p, ev.len) == 0)
		flush(L, s);
	buf_free(&ev);
}

/* FastCGI records from the web server. */
static void on_readable(struct loop *L, struct stream *s)
{
	char chunk[16384];

	for (;;) {
		ssize_t r = read(s->fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) { /* the web server closed: the client went away */
			stream_free(L, s);
			return;
		}
		if (s->state != ST_READ)
			continue; /* nothing more is expected; ABORT is seen as EOF soon after */
		if (buf_append(&s->in, chunk, (size_t)r) < 0) {
			stream_free(L, s);
			return;
		}
	}
	while (s->state == ST_READ) {
		struct fcgi_rec rec;
		long used = fcgi_rec_parse((const unsigned char *)s->in.p, s->in.len, &rec);
		if (used < 0) {
			stream_free(L, s);
			return;
		}
		if (used == 0)
			break;
		if (rec.type == FCGI_T_BEGIN_REQUEST) {
			s->rid = rec.id;
		} else if (rec.type == FCGI_T_ABORT_REQUEST) {
			stream_free(L, s);
			return;
		} else if (rec.type == FCGI_T_PARAMS && rec.id == s->rid) {
			if (!rec.len)
				s->params_done = 1;
			else if (buf_append(&s->params, rec.content, rec.len) < 0) {
				stream_free(L, s);
				return;
			}
		} else if (rec.type == FCGI_T_STDIN && rec.id == s->rid && !rec.len && s->params_done) {
			memmove(s->in.p, s->in.p + used, s->in.len - (size_t)used);
			s->in.len -= (size_t)used;
			buf_free(&s->in);
			on_request(L, s);
			return;
		}
		memmove(s->in.p, s->in.p + used, s->in.len - (size_t)used);
		s->in.len -= (size_t)used;
	}
}

static void on_accept(struct loop *L)
{
	for (;;) {
		struct epoll_event ev;
		struct stream *s;
		int fd = accept(L->lfd, NULL, NULL);

		if (fd < 0)
			return; /* EAGAIN, or an error the next wakeup retries */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			close(fd);
			continue;
		}
		if (L->n == L->cap) {
			size_t nc = L->cap ? L->cap * 2 : 64;
			struct stream **nv = xrealloc(L->v, nc * sizeof(*nv));
			if (!nv) {
				close(fd);
				return;
			}
			L->v = nv;
			L->cap = nc;
		}
		if (!(s = xcalloc(1, sizeof(*s)))) {
			close(fd);
			return;
		}
		s->fd = fd;
		buf_init(&s->in, IN_MAX);
		buf_init(&s->params, PARAMS_MAX);
		buf_init(&s->out, (size_t)L->buffer_max);
		s->last_ms = now_ms();
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = s;
		if (epoll_ctl(L->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			xfree(s);
			continue;
		}
		s->idx = L->n;
		L->v[L->n++] = s;
	}
}

/* ---- Redis pub/sub in -------------------------------------------------- */

static struct stream *by_channel(struct loop *L, const char *ch, size_t n)
{
	const char *sid = session_channel_id(ch, n);
	size_t i;

	/* a linear scan: thousands of streams, a few answers a second each */
	for (i = 0; sid && i < L->n; i++)
		if (L->v[i]->subscribed && !memcmp(L->v[i]->sid, sid, SESSION_ID_LEN))
			return L->v[i];
	return NULL;
}

/* Every stream that relies on the subscriber connection ends with an
 * error comment: without it no answer would reach them. */
static void sub_lost(struct loop *L)
{
	size_t i;

	sub_drop(L);
	for (i = L->n; i > 0; i--) {
		struct stream *s = L->v[i - 1];
		if (s->state == ST_SUBSCRIBING || s->state == ST_OPEN) {
			s->subscribed = 0;
			stream_end(L, s, ": error: the session store is unavailable; reconnect\n\n");
		}
	}
	log_warn("streams: lost the Redis subscriber connection; open streams ended");
}

static void on_sub_reply(struct loop *L, redisReply *r)
{
	struct stream *s;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		return;
	s = by_channel(L, r->element[1]->str, r->element[1]->len);
	if (!s)
		return;
	if (!strcmp(r->element[0]->str, "subscribe") && s->state == ST_SUBSCRIBING) {
		on_subscribed(L, s);
	} else if (!strcmp(r->element[0]->str, "message") && r->element[2]->type == REDIS_REPLY_STRING &&
		   s->state == ST_OPEN) {
		struct buf ev;
		buf_init(&ev, 0);
		if (sse_append_event(&ev, "message", r->element[2]->str, r->element[2]->len) == 0 &&
		    queue(L, s, ev.p, ev.len) == 0)
			flush(L, s);
		buf_free(&ev);
	}
}

static void on_sub_readable(struct loop *L)
{
	void *rep;

	if (redisBufferRead(L->sub) != REDIS_OK) {
		sub_lost(L);
		return;
	}
	for (;;) {
		if (redisGetReply(L->sub, &rep) != REDIS_OK) {
			sub_lost(L);
			return;
		}
		if (!rep)
			break;
		on_sub_reply(L, rep);
		freeReplyObject(rep);
		if (!L->sub)
			return;
	}
}

/* ---- the 1 s tick ------------------------------------------------------ */

/*
 * Revocation and expiry (within 1 s): EXISTS of each open stream's token
 * record, CHECK_BATCH per round trip (the record is deleted by revoke,
 * by redis-cli DEL, and by Redis itself at EXPIREAT = expires_at); the
 * session key's TTL is refreshed every SESSION_TTL_S / 3 s. Redis not
 * answering ends every stream with an error comment.
 */
static void check_tokens(struct loop *L, long now)
{
	char keys[CHECK_BATCH][80], skeys[CHECK_BATCH][SESSION_NAME_MAX];
	const char *argv[2 * CHECK_BATCH][4];
	const char *const *cmds[2 * CHECK_BATCH];
	struct redisReply *r[2 * CHECK_BATCH];
	int refresh = L->ticks % (SESSION_TTL_S / 3) == 0;
	struct stream **snap;
	size_t ns = 0, i, j;
	char ttl[16];

	/* a snapshot: ending a stream reorders L->v, and a freed one stays
	 * readable (dead) until bury() */
	if (!L->n || !(snap = xmalloc(L->n * sizeof(*snap))))
		return;
	for (i = 0; i < L->n; i++)
		if (L->v[i]->state == ST_OPEN)
			snap[ns++] = L->v[i];
	snprintf(ttl, sizeof(ttl), "%d", SESSION_TTL_S);
	for (i = 0; i < ns; i += CHECK_BATCH) {
		size_t k = ns - i < CHECK_BATCH ? ns - i : CHECK_BATCH, c = 0;
		for (j = 0; j < k; j++) {
			struct stream *s = snap[i + j];
			snprintf(keys[j], sizeof(keys[j]), "cfmcp:mcp:%s", s->hash);
			argv[c][0] = "EXISTS";
			argv[c][1] = keys[j];
			argv[c][2] = NULL;
			cmds[c] = argv[c];
			c++;
			if (refresh) {
				if (session_key(s->sid, skeys[j]) < 0)
					skeys[j][0] = '\0';
				argv[c][0] = "EXPIRE";
				argv[c][1] = skeys[j];
				argv[c][2] = ttl;
				argv[c][3] = NULL;
				cmds[c] = argv[c];
				c++;
			}
		}
		if (store_pipeline(L->st, c, cmds, r) < 0) {
			for (j = L->n; j > 0; j--)
				if (L->v[j - 1]->state == ST_OPEN || L->v[j - 1]->state == ST_SUBSCRIBING)
					stream_end(L, L->v[j - 1], ": error: the token store is unavailable; reconnect\n\n");
			log_warn("streams: Redis did not answer the token check; open streams ended");
			break;
		}
		for (j = 0; j < k; j++) {
			struct stream *s = snap[i + j];
			redisReply *e = r[refresh ? 2 * j : j];
			int gone = e->type == REDIS_REPLY_INTEGER && e->integer == 0;
			/* the record is gone (revoked, deleted, expired by Redis),
			 * or its expires_at passed while Redis has not expired it */
			if (!s->dead && s->state == ST_OPEN && (gone || (s->expires_at && s->expires_at <= now)))
				stream_end(L, s, NULL);
		}
		for (j = 0; j < c; j++)
			store_reply_free(r[j]);
	}
	xfree(snap);
}

/* Keepalive comments (proxies close idle connections) and the checks. */
static void tick(struct loop *L)
{
	long t = now_ms();
	size_t i;

	L->ticks++;
	for (i = L->n; i > 0; i--) {
		struct stream *s = L->v[i - 1];
		if (s->state == ST_OPEN && t - s->last_ms >= L->keepalive_ms && queue(L, s, STRLIT(": keepalive\n\n")) == 0)
			flush(L, s);
	}
	if (!L->sub)
		(void)sub_connect(L); /* come back with Redis before anyone waits */
	if (!L->n && L->had_streams) {
		/* the last stream went: hand the heap the streams grew back to
		 * the kernel, so a burst of streams leaves no lasting RSS */
		malloc_trim(0);
		L->had_streams = 0;
	}
	L->had_streams |= L->n > 0;
	check_tokens(L, env_now());
}

/* End every stream (SIGTERM after the drain, SIGHUP). */
static void end_all(struct loop *L, const char *comment)
{
	size_t i;

	for (i = L->n; i > 0; i--) {
		struct stream *s = L->v[i - 1];
		if (s->state == ST_READ)
			stream_free(L, s);
		else if (s->state != ST_CLOSING)
			stream_end(L, s, comment);
	}
}

/* One piece: the streams process's poll loop (accept, FastCGI records,
 * Redis messages, keepalives, the drain) over one table of streams. */
int streams_run(int listen_fd, long drain_ms, pool_load_fn load, struct config *cfg,
	struct catalog *cat)
{
	struct loop L;
	struct sigaction sa;
	struct epoll_event ev;
	long drain_until = 0;
	int rc = 1;

	memset(&L, 0, sizeof(L));
	L.lfd = listen_fd;
	L.cfg = cfg;
	log_set_json(cfg->log_json);
	if (log_open(cfg->log_file, (enum log_level)cfg->log_level) < 0)
		log_err("streams: cannot open CFMCP_LOG_FILE; logging to stderr");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	L.keepalive_ms = setting("CFMCP_SSE_KEEPALIVE_MS", 15000, 100, 3600000);
	L.buffer_max = setting("CFMCP_SSE_BUFFER_MAX", 4L * 1024 * 1024, 64L * 1024, 256L * 1024 * 1024);
	L.per_token = setting("CFMCP_SSE_MAX_PER_TOKEN", 16, 1, 100000);
	L.total = setting("CFMCP_SSE_MAX_STREAMS", 4096, 1, 100000);
	L.ep = epoll_create1(EPOLL_CLOEXEC);
	L.st = store_from_config(cfg);
	if (L.ep < 0 || !L.st || fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) < 0) {
		log_err("streams: cannot start (epoll, memory or the listening socket)");
		goto out;
	}
	L.env.cfg = cfg;
	L.env.cat = cat;
	L.env.lookup = env_lookup;
	L.env.store_ud = L.st;
	L.env.now = env_now;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &TAG_LISTEN;
	if (epoll_ctl(L.ep, EPOLL_CTL_ADD, listen_fd, &ev) < 0)
		goto out;
	if (sub_connect(&L) < 0)
		log_warn("streams: Redis not reachable yet; new streams get 503 until it is");
	log_info("streams: ready (keepalive %ld ms, %ld per token, %ld in total)", L.keepalive_ms, L.per_token, L.total);
	L.next_tick_ms = now_ms() + 1000;
	for (;;) {
		struct epoll_event evs[256];
		long t = now_ms(), wait = L.next_tick_ms - t;
		int n, i;

		if (got_term && !drain_until) {
			/* stop taking streams; answers in flight still arrive for a while */
			epoll_ctl(L.ep, EPOLL_CTL_DEL, listen_fd, NULL);
			drain_until = t + (drain_ms < 1000 ? drain_ms : 1000);
			log_info("streams: SIGTERM: %zu streams end within %ld ms", L.n, drain_until - t);
		}
		if (drain_until && t >= drain_until) {
			end_all(&L, NULL);
			if (!L.n)
				break;
			if (t >= drain_until + drain_ms) {
				log_warn("streams: %zu streams still unwritten at the deadline; dropped", L.n);
				break;
			}
		}
		if (got_hup) {
			struct config ncfg;
			struct catalog ncat;
			struct store *nst;
			char err[512];
			got_hup = 0;
			/* a roll, as the pool's: load whole into new structs (a load
			 * that fails changes nothing), then every client reconnects
			 * to the new settings, Redis address and log included */
			if (load(&ncfg, &ncat, err, sizeof(err)) < 0) {
				log_err("streams: SIGHUP: reload refused, keeping the running configuration: %s", err);
			} else if (!(nst = store_from_config(&ncfg))) {
				catalog_free(&ncat);
				config_free(&ncfg);
				log_err("streams: SIGHUP: out of memory; keeping the running configuration");
			} else {
				end_all(&L, NULL);
				sub_drop(&L);
				store_free(L.st);
				catalog_free(cat);
				config_free(cfg);
				*cfg = ncfg;
				*cat = ncat;
				L.st = nst;
				L.env.store_ud = nst;
				log_set_json(cfg->log_json);
				if (log_open(cfg->log_file, (enum log_level)cfg->log_level) < 0)
					log_err("streams: cannot open CFMCP_LOG_FILE; logging to stderr");
				L.keepalive_ms = setting("CFMCP_SSE_KEEPALIVE_MS", 15000, 100, 3600000);
				L.buffer_max = setting("CFMCP_SSE_BUFFER_MAX", 4L * 1024 * 1024, 64L * 1024, 256L * 1024 * 1024);
				L.per_token = setting("CFMCP_SSE_MAX_PER_TOKEN", 16, 1, 100000);
				L.total = setting("CFMCP_SSE_MAX_STREAMS", 4096, 1, 100000);
				(void)sub_connect(&L);
				log_info("streams: SIGHUP: configuration reloaded; streams ended for reconnect");
			}
		}
		if (wait < 0)
			wait = 0;
		if (drain_until && wait > 50)
			wait = 50;
		n = epoll_wait(L.ep, evs, (int)CFMCP_NELEM(evs), (int)wait);
		for (i = 0; i < n; i++) {
			void *tag = evs[i].data.ptr;
			if (tag == &TAG_LISTEN) {
				on_accept(&L);
			} else if (tag == &TAG_SUB) {
				if (L.sub && (evs[i].events & EPOLLOUT) && sub_flush(&L) < 0)
					sub_lost(&L);
				if (L.sub && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
					on_sub_readable(&L);
			} else {
				struct stream *s = tag;
				if (s->dead)
					continue; /* freed earlier in this batch */
				if ((evs[i].events & EPOLLOUT) && flush(&L, s) != 0)
					continue;
				if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
					on_readable(&L, s);
			}
		}
		if (now_ms() >= L.next_tick_ms) {
			tick(&L);
			L.next_tick_ms = now_ms() + 1000;
		}
		if (L.sub_broken) {
			L.sub_broken = 0;
			sub_lost(&L);
		}
		bury(&L);
	}
	rc = 0;
out:
	while (L.n)
		stream_free(&L, L.v[L.n - 1]);
	bury(&L);
	xfree(L.v);
	sub_drop(&L);
	store_free(L.st);
	if (L.ep >= 0)
		close(L.ep);
	return rc;
}
