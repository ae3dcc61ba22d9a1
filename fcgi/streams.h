/*
 * streams.h - the streams process (cfmcp-worker --streams): holds the
 * legacy HTTP+SSE streams (GET /mcp/<token>/sse) of MCP 2024-11-05 in
 * one event loop on its own FastCGI socket, so the request pool never
 * holds a long-lived request. Answers reach a stream through Redis
 * pub/sub (sessions.h), from any worker of any host.
 */
#ifndef CFMCP_STREAMS_H
#define CFMCP_STREAMS_H

#include "../common/catalog.h"
#include "../common/config.h"
#include "pool.h"

/*
 * Run until SIGTERM (streams are ended after drain_ms, answers already
 * received written first). SIGHUP reloads the configuration with load
 * and ends every stream (clients reconnect), like the pool's roll.
 * Returns the exit status.
 */
int streams_run(int listen_fd, long drain_ms, pool_load_fn load, struct config *cfg,
	struct catalog *cat);

#endif
