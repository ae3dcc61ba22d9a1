/*
 * pool.h - the master process: keeps N workers accepting on one shared
 * listening socket, replaces any that dies, drains on SIGTERM and rolls
 * the workers on SIGHUP (re-reading configuration and schemas first).
 */
#ifndef CFMCP_POOL_H
#define CFMCP_POOL_H

/* Load config+schemas; returns 0 and fills *cfg, *cat or -1 with err. */
struct config;
struct catalog;
typedef int (*pool_load_fn)(struct config *cfg, struct catalog *cat, char *err, size_t errsz);

/* Run the pool until SIGTERM/SIGINT. nworkers >= 1. Returns exit status.
 * Opens the log cfg names, and on SIGHUP calls load for a whole new
 * configuration and catalogue (a fresh start's), reopens the log by it,
 * then rolls the workers; a load that fails changes nothing. */
int pool_run(int listen_fd, int nworkers, long drain_ms, pool_load_fn load,
	struct config *cfg, struct catalog *cat);

#endif
