/*
 * main.c - cfmcp-worker: options, configuration, the listening socket,
 * then the pool. Usage:
 *
 *   cfmcp-worker [--listen unix:PATH | --listen HOST:PORT] [--workers N] [--check [--list-tools]]
 *   cfmcp-worker --streams [--listen ...]   the legacy HTTP+SSE streams (streams.c)
 *
 * Without --listen the socket is fd 0, as spawn-fcgi and systemd socket
 * activation of a FastCGI responder provide it (FastCGI 1.0 §2.2).
 */
#include "../common/first.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../common/catalog.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../common/openapi.h"
#include "../common/xalloc.h"
#include "pool.h"
#include "streams.h"

static void usage(FILE *f)
{
	fputs("usage: cfmcp-worker [--listen unix:PATH|HOST:PORT] [--workers N] [--drain-ms MS] [--check [--list-tools]] [--streams]\n"
	      "  Configuration comes from CFMCP_* environment variables (see README.md),\n"
	      "  optionally from KEY=VALUE lines in the file named by CFMCP_CONFIG_FILE.\n"
	      "  --check  load configuration, schemas and the OpenAPI spec, report, exit (0 = usable)\n"
	      "  --list-tools  with --check: one line per tool (name, method, path, class, tags)\n"
	      "  --streams  hold legacy HTTP+SSE streams (GET /mcp/<token>/sse) in one\n"
	      "           event loop instead of running the request pool\n", f);
}

/* What the last load imported, for --check (NULL: not wanted). */
static struct openapi_report *g_report;

static int load_all(struct config *cfg, struct catalog *cat, char *err, size_t errsz)
{
	if (config_read_file(err, errsz) < 0)
		return -1;
	if (config_load(cfg, err, errsz) < 0) {
		config_free(cfg);
		return -1;
	}
	if (catalog_load(cat, cfg->schemas_dir, err, errsz) < 0) {
		config_free(cfg);
		return -1;
	}
	/* the curated schemas, then the OpenAPI spec on top (openapi.h) */
	if (openapi_load_configured(cat, cfg, g_report, err, errsz) < 0) {
		catalog_free(cat);
		config_free(cfg);
		return -1;
	}
	return 0;
}

static const char *class_name(enum tool_kind k)
{
	static const char *const names[] = { "list", "get", "create", "update", "delete", "custom" };

	return (size_t)k < CFMCP_NELEM(names) ? names[k] : "custom";
}

/* --check --list-tools: name, method, path, class, tags (comma-separated). */
static void list_tools(const struct catalog *cat)
{
	size_t i, j;

	for (i = 0; i < cat->ntools; i++) {
		const struct tool *t = &cat->tools[i];
		printf("%s\t%s\t%s\t%s\t", t->name, t->http, t->path, class_name(t->kind));
		for (j = 0; t->tags[j]; j++)
			printf("%s%s", j ? "," : "", t->tags[j]);
		putchar('\n');
	}
}

static int open_listener(const char *spec, char *err, size_t errsz)
{
	int fd = -1, one = 1;

	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sun;
		const char *path = spec + 5;
		if (!*path || strlen(path) >= sizeof(sun.sun_path)) {
			snprintf(err, errsz, "--listen unix:PATH: path missing or too long");
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto syserr;
		unlink(path); /* a stale socket from a previous run */
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto syserr;
		/* owner and group (the web server's) may connect; nobody else */
		if (chmod(path, 0660) < 0)
			goto syserr;
	} else {
		struct sockaddr_in sin;
		const char *colon = strrchr(spec, ':');
		char host[64];
		long port;
		char *end;
		if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
			snprintf(err, errsz, "--listen: expected unix:PATH or HOST:PORT");
			return -1;
		}
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = strtol(colon + 1, &end, 10);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (*end || port < 1 || port > 65535 || inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
			snprintf(err, errsz, "--listen: expected an IPv4 address and a port");
			return -1;
		}
		sin.sin_port = htons((unsigned short)port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto syserr;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			goto syserr;
	}
	if (listen(fd, 1024) < 0)
		goto syserr;
	return fd;
syserr:
	snprintf(err, errsz, "--listen %s: %s", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One piece: the flags, then the mode each selects (--check, --streams,
 * the pool), read top to bottom as the manual page would. */
int main(int argc, char **argv)
{
	const char *listen_spec = NULL;
	long workers = sysconf(_SC_NPROCESSORS_ONLN), drain_ms = 10000;
	int check = 0, list = 0, streams = 0, i, fd, rc;
	struct openapi_report rep;
	struct config cfg;
	struct catalog cat;
	char err[1024];

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--check") || !strcmp(a, "-t")) {
			check = 1;
		} else if (!strcmp(a, "--streams")) {
			streams = 1;
		} else if (!strcmp(a, "--list-tools")) {
			list = 1;
		} else if (!strcmp(a, "--listen") && i + 1 < argc) {
			listen_spec = argv[++i];
		} else if ((!strcmp(a, "--workers") || !strcmp(a, "--drain-ms")) && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 3600000) {
				fprintf(stderr, "cfmcp-worker: %s needs a positive integer\n", a);
				return 2;
			}
			if (!strcmp(a, "--workers"))
				workers = v > 256 ? 256 : v;
			else
				drain_ms = v;
		} else if (!strcmp(a, "--version")) {
			puts("cfmcp-worker " CFMCP_VERSION);
			return 0;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (workers < 1)
		workers = 1;
	xalloc_init();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "cfmcp-worker: libcurl failed to initialize\n");
		return 1;
	}
	if (list && !check) {
		usage(stderr);
		return 2;
	}
	memset(&rep, 0, sizeof(rep));
	if (check)
		g_report = &rep;
	if (load_all(&cfg, &cat, err, sizeof(err)) < 0) {
		fprintf(stderr, "cfmcp-worker: %s\n", err);
		openapi_report_free(&rep);
		return 1;
	}
	g_report = NULL;
	if (check) {
		if (list) {
			list_tools(&cat);
		} else {
			printf("cfmcp-worker: configuration OK: %zu tools from %s\n", cat.ntools, cfg.schemas_dir);
			if (rep.ops)
				openapi_report_print(stdout, &rep);
			else
				printf("openapi: %s\n", !cfg.openapi ? "off (CFMCP_OPENAPI=off)" :
					"no spec installed; curated tools only");
		}
		openapi_report_free(&rep);
		catalog_free(&cat);
		config_free(&cfg);
		curl_global_cleanup();
		return 0;
	}
	if (listen_spec) {
		fd = open_listener(listen_spec, err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "cfmcp-worker: %s\n", err);
			return 1;
		}
	} else {
		int type = 0;
		socklen_t tl = sizeof(type);
		if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM) {
			fprintf(stderr, "cfmcp-worker: no --listen given and fd 0 is not a listening socket "
					"(run under spawn-fcgi, or pass --listen unix:PATH)\n");
			return 1;
		}
		fd = 0;
	}
	if (streams)
		rc = streams_run(fd, drain_ms, load_all, &cfg, &cat);
	else
		rc = pool_run(fd, (int)workers, drain_ms, load_all, &cfg, &cat);
	catalog_free(&cat);
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
