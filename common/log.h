/*
 * log.h - one line per event to stderr or CFMCP_LOG_FILE.
 *
 * Format strings are literals only. Text that came from outside (a
 * request, Redis, Cloudflare) goes through log_safe(), which hex-escapes
 * control bytes and truncates, or is not logged. Secrets (URL tokens, API
 * keys, Cloudflare tokens) never reach a log call, not even in part: ids
 * are logged instead. (The web servers' logs are masked by cfmcp-logmask.)
 */
#ifndef CFMCP_LOG_H
#define CFMCP_LOG_H

#include <stddef.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Log to path (append; created 0640) or, path NULL or empty, to stderr,
 * from now on at level; the previous log file is closed (SIGHUP reopens
 * the log this way). Returns 0, or -1 when path cannot be opened: then
 * the log is stderr. */
int log_open(const char *path, enum log_level level);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The line format from now on: 0 the readable text (the default), 1 one
 * JSON object per line: {"time" (RFC 3339, ms, UTC), "level", "pid",
 * "event" (the message), "request_id" when one is set}. Strings are
 * escaped as RFC 8259 §7 says; invalid UTF-8 becomes U+FFFD. */
void log_set_json(int on);
/* The request being served, shown as request_id in JSON lines: id is
 * copied (at most 64 bytes); NULL or "" clears it. The caller validates
 * it (serve.c takes letters, digits and ._:- only). */
void log_set_request_id(const char *id);

/* Copy untrusted bytes into out (size outsz) with control/non-ASCII
 * bytes, '\\' and '"' as \xNN; truncated with "..." when long. Returns out. */
const char *log_safe(char *out, size_t outsz, const char *p, size_t n)
	__attribute__((nonnull(1), returns_nonnull));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
