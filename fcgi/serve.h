/*
 * serve.h - one worker process: accept FastCGI requests on the shared
 * listening socket, turn each into a struct http_request, call the
 * router, write the response. Knows FastCGI, nothing about MCP.
 */
#ifndef CFMCP_SERVE_H
#define CFMCP_SERVE_H

#include "../common/catalog.h"
#include "../common/config.h"

/* Run until SIGTERM. Returns the process exit status. The catalog is
 * shared (read-only) with the master through fork. */
struct search_index;
/* ix: the discovery index over cat, built by the master (pool.c) and only
 * read here. */
int serve_worker(int listen_fd, const struct config *cfg, const struct catalog *cat,
	const struct search_index *ix);

#endif
