/*
 * sessions.h - the legacy HTTP+SSE transport's sessions (MCP 2024-11-05,
 * "Transports", HTTP with SSE): session ids, where a session lives in
 * Redis, the pub/sub channel its answers travel on, and the URLs the
 * stream announces. Pure: no I/O, so the request pool (which PUBLISHes
 * answers) and the streams process (which SUBSCRIBEs and holds streams)
 * agree on every name through this one file.
 *
 * Redis layout (README "Key layout"):
 *   cfmcp:sse:<sid>     string  SHA-256 hex of the MCP URL token the stream
 *                               was opened with; EX SESSION_TTL_S, refreshed
 *                               by the stream, deleted when it closes
 *   cfmcp:sse-ch:<sid>  pub/sub channel: one JSON-RPC answer per message
 */
#ifndef CFMCP_SESSIONS_H
#define CFMCP_SESSIONS_H

#include <stddef.h>

#include "buf.h"

/* 32 random bytes as unpadded base64url: 256 bits (the issue asks >= 128). */
#define SESSION_ID_BYTES 32
#define SESSION_ID_LEN   43
/* "cfmcp:sse-ch:" + id + NUL, rounded up; fits the key name too. */
#define SESSION_NAME_MAX 64
/* Seconds a session key lives without a refresh; the stream refreshes
 * it every SESSION_TTL_S / 3, so a crashed streams process leaves no
 * session behind for longer than this. */
#define SESSION_TTL_S    30

/* A fresh session id (SESSION_ID_LEN characters + NUL) from the OS
 * CSPRNG. Returns 0 or -1. */
int session_id_new(char out[SESSION_ID_LEN + 1]) __attribute__((nonnull, warn_unused_result));

/* 1 when s (n bytes, not trusted) has the exact shape of an id we issue. */
int session_id_valid(const char *s, size_t n) __attribute__((nonnull, warn_unused_result));

/*
 * The session_id parameter of a raw query string (not trusted): 0 with
 * the id copied into out, or -1 when it is absent, given twice, or not
 * an id's shape (no decoding: an id needs none, so an encoded one is
 * not one of ours).
 */
int session_id_from_query(const char *query, char out[SESSION_ID_LEN + 1])
	__attribute__((nonnull(2), warn_unused_result));

/* Key and channel names of a valid id into out (SESSION_NAME_MAX bytes).
 * Return 0, or -1 when sid is not an id's shape. */
int session_key(const char *sid, char out[SESSION_NAME_MAX]) __attribute__((nonnull, warn_unused_result));
int session_channel(const char *sid, char out[SESSION_NAME_MAX]) __attribute__((nonnull, warn_unused_result));
/* The id in a channel name (n bytes, from Redis), or NULL. */
const char *session_channel_id(const char *ch, size_t n) __attribute__((nonnull));

/*
 * Split "/mcp/<token>/<what>" (a raw path): 1 with *tok, *tn pointing at
 * the token segment when the path ends in exactly "/<what>", else 0. The
 * token's shape is checked by whoever hashes it (crypto_token_hash).
 */
int session_path(const char *path, const char *what, const char **tok, size_t *tn)
	__attribute__((nonnull, warn_unused_result));

/*
 * The stream's first event (2024-11-05 HTTP+SSE): "endpoint", whose data
 * is the relative URL a client POSTs its messages to,
 * /mcp/<token>/messages?session_id=<sid>. tok must already have passed
 * crypto_token_hash (base64url only: nothing to escape). 0 or -1.
 */
int session_endpoint_event(struct buf *out, const char *tok, size_t tn, const char *sid)
	__attribute__((nonnull, warn_unused_result));

#endif
