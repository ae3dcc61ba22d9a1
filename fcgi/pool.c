/*
 * pool.c - prefork master (the shape of spawn-fcgi -F and php-fpm's
 * static pool). Signals are blocked except inside sigsuspend(), so the
 * master's state changes only at one point of its loop.
 *
 * Replacement latency: SIGCHLD wakes the master at once and the worker is
 * forked again in the same iteration (well under the 1 s the issue asks).
 * A worker that dies within 1 s of its start is restarted after a short
 * back-off so a broken setup does not fork in a tight loop.
 */
#include "../common/first.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/catalog.h"
#include "../common/search.h"
#include "../common/config.h"
#include "../common/log.h"
#include "../common/metrics.h"
#include "pool.h"
#include "serve.h"

#define POOL_MAX 256

struct slot {
	pid_t pid;        /* 0: empty */
	int gen;          /* generation it was started for */
	long started_ms;
};

static volatile sig_atomic_t got_term, got_hup, got_chld;

static void on_sig(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static pid_t spawn(int listen_fd, const struct config *cfg, const struct catalog *cat,
	const struct search_index *ix, const sigset_t *orig)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid; /* parent, or -1 */
	/* child: default dispositions, original mask, die with the master */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigprocmask(SIG_SETMASK, orig, NULL);
	if (getppid() == 1)
		_exit(0);
	/* exit(), not _exit(): lets LeakSanitizer check each worker at the end */
	exit(serve_worker(listen_fd, cfg, cat, ix));
}

/* The log as cfg says: the same call at start and on every reload, so a
 * reload logs where and what a fresh start with that configuration would. */
static void open_log(const struct config *cfg)
{
	log_set_json(cfg->log_json);
	if (log_open(cfg->log_file, (enum log_level)cfg->log_level) < 0)
		log_err("pool: cannot open CFMCP_LOG_FILE %s (%s); logging to stderr", cfg->log_file,
			strerror(errno));
}

/* One piece: the master's loop - signals, respawns, the SIGHUP roll and
 * the drain - all act on the same worker table and generation; its
 * states are easier to follow as one loop than as callbacks. */
int pool_run(int listen_fd, int nworkers, long drain_ms, pool_load_fn load,
	struct config *cfg, struct catalog *cat)
{
	struct slot slots[POOL_MAX];
	struct search_index *ix;
	struct sigaction sa;
	sigset_t block, orig;
	int gen = 0, i, alive;
	long backoff_until = 0;
	struct metrics *m;

	if (nworkers < 1)
		nworkers = 1;
	if (nworkers > POOL_MAX)
		nworkers = POOL_MAX;
	memset(slots, 0, sizeof(slots));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	open_log(cfg);
	/* The discovery index, built here once per catalogue: the workers
	 * share its pages (they only read it) instead of each building its
	 * own at start. */
	ix = search_build_catalog(cat);
	if (!ix) {
		log_err("pool: out of memory building the search index");
		return 1;
	}
	log_info("pool: %d workers, %zu tools", nworkers, cat->ntools);
	/* The counters, before the first fork: every worker inherits the one
	 * shared block, so counts outlive respawns and rolls (metrics.h). */
	m = metrics_new();
	if (!m)
		log_err("pool: cannot map the metrics block (%s); /metrics will answer 503", strerror(errno));
	metrics_set_global(m);
	metrics_catalog(m, cat->ntools);

	while (!got_term) {
		pid_t pid;
		int status;

		/* reap */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < POOL_MAX; i++) {
				if (slots[i].pid != pid)
					continue;
				if (slots[i].gen == gen) {
					if (WIFSIGNALED(status))
						log_warn("pool: worker %ld killed by signal %d; replacing",
							(long)pid, WTERMSIG(status));
					else
						log_warn("pool: worker %ld exited with %d; replacing",
							(long)pid, WEXITSTATUS(status));
					if (now_ms() - slots[i].started_ms < 1000)
						backoff_until = now_ms() + 200;
					metrics_worker_restart(m);
				}
				slots[i].pid = 0;
			}
		}
		got_chld = 0;
		if (got_hup) {
			struct config ncfg;
			struct catalog ncat;
			struct search_index *nix = NULL;
			char err[512];
			got_hup = 0;
			if (load(&ncfg, &ncat, err, sizeof(err)) < 0) {
				log_err("pool: reload refused, keeping current workers: %s", err);
			} else if (!(nix = search_build_catalog(&ncat))) {
				log_err("pool: reload refused, keeping current workers: out of memory building the search index");
				catalog_free(&ncat);
				config_free(&ncfg);
			} else {
				/* Roll: the new generation starts now; the old one drains. */
				search_free(ix);
				catalog_free(cat);
				config_free(cfg);
				*cfg = ncfg;
				*cat = ncat;
				ix = nix;
				open_log(cfg); /* the new generation inherits it */
				gen++;
				for (i = 0; i < POOL_MAX; i++)
					if (slots[i].pid && slots[i].gen != gen)
						kill(slots[i].pid, SIGTERM);
				log_info("pool: reloaded (%zu tools); rolling workers", cat->ntools);
				metrics_reload(m);
				metrics_catalog(m, cat->ntools);
			}
		}
		/* fill: count current-generation workers, start the missing ones */
		alive = 0;
		for (i = 0; i < POOL_MAX; i++)
			if (slots[i].pid && slots[i].gen == gen)
				alive++;
		if (now_ms() >= backoff_until) {
			for (i = 0; i < POOL_MAX && alive < nworkers; i++) {
				if (slots[i].pid)
					continue;
				pid = spawn(listen_fd, cfg, cat, ix, &orig);
				if (pid < 0) {
					log_err("pool: fork failed: %s", strerror(errno));
					backoff_until = now_ms() + 200;
					break;
				}
				slots[i].pid = pid;
				slots[i].gen = gen;
				slots[i].started_ms = now_ms();
				alive++;
			}
		}
		metrics_workers(m, alive);
		if (got_term || got_hup || got_chld)
			continue;
		if (alive < nworkers) {
			/* waiting out a back-off: poll every 50 ms */
			struct timespec ts = { 0, 50 * 1000000L };
			sigprocmask(SIG_SETMASK, &orig, NULL);
			nanosleep(&ts, NULL);
			sigprocmask(SIG_BLOCK, &block, NULL);
		} else {
			sigsuspend(&orig);
		}
	}

	/* drain: SIGTERM everyone, wait, then SIGKILL stragglers */
	log_info("pool: stopping; draining workers");
	for (i = 0; i < POOL_MAX; i++)
		if (slots[i].pid)
			kill(slots[i].pid, SIGTERM);
	{
		long deadline = now_ms() + drain_ms;
		for (;;) {
			pid_t pid;
			int status, left = 0;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				for (i = 0; i < POOL_MAX; i++)
					if (slots[i].pid == pid)
						slots[i].pid = 0;
			for (i = 0; i < POOL_MAX; i++)
				if (slots[i].pid)
					left++;
			if (!left)
				break;
			if (now_ms() >= deadline) {
				log_warn("pool: %d worker(s) still busy after %ld ms; killing", left, drain_ms);
				for (i = 0; i < POOL_MAX; i++)
					if (slots[i].pid)
						kill(slots[i].pid, SIGKILL);
				deadline = now_ms() + 1000;
				drain_ms = 0;
			}
			{
				struct timespec ts = { 0, 20 * 1000000L };
				nanosleep(&ts, NULL);
			}
		}
	}
	log_info("pool: stopped");
	metrics_free(m);
	search_free(ix);
	return 0;
}
