/*
 * log.c - line logging, readable text or JSON (CFMCP_LOG_FORMAT). Each
 * line is written with one write(2) so lines from the worker pool's
 * processes do not interleave.
 */
#include "first.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "log.h"

static int log_fd = 2;
static enum log_level log_level = LOG_INFO;
static int log_json;
static char log_rid[65];

void log_set_json(int on)
{
	log_json = on;
}

void log_set_request_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n >= sizeof(log_rid))
		n = sizeof(log_rid) - 1;
	memcpy(log_rid, id ? id : "", n);
	log_rid[n] = '\0';
}

/*
 * Copy n bytes into out (outsz >= 4) as valid UTF-8: each byte that does
 * not start a well-formed sequence (RFC 3629 §4: no overlongs, no
 * surrogates, nothing above U+10FFFF) becomes U+FFFD. Stops before out
 * would overflow. Returns the bytes written.
 */
static size_t utf8_fix(const unsigned char *p, size_t n, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t len = 0, k;
		if (c < 0x80)
			len = 1;
		else if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		if (len > 1) {
			unsigned char lo = 0x80, hi = 0xbf;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
			else if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
			if (i + len > n || p[i + 1] < lo || p[i + 1] > hi)
				len = 0;
			for (k = 2; len && k < len; k++)
				if (p[i + k] < 0x80 || p[i + k] > 0xbf)
					len = 0;
		}
		if (!len) {
			if (o + 3 > outsz)
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (o + len > outsz)
			break;
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	return o;
}

/* One JSON line for msg (n bytes) into the reused buffer jb; the time
 * is text already. Returns 0, or -1 (out of memory). */
static int json_line(struct buf *jb, const char *time, const char *level, const char *msg, size_t n)
{
	char fixed[3 * 1024];
	size_t fn = utf8_fix((const unsigned char *)msg, n, fixed, sizeof(fixed));

	buf_reset(jb);
	if (buf_printf(jb, "{\"time\":\"%s\",\"level\":\"%s\",\"pid\":%ld,\"event\":", time, level, (long)getpid()) ||
	    json_append_string(jb, fixed, fn))
		return -1;
	if (log_rid[0] && (buf_append(jb, STRLIT(",\"request_id\":")) || json_append_string(jb, log_rid, strlen(log_rid))))
		return -1;
	return buf_append(jb, STRLIT("}\n"));
}

int log_open(const char *path, enum log_level level)
{
	int fd = 2, rc = 0, e = 0;

	if (path && *path) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0) {
			e = errno;
			fd = 2;
			rc = -1;
		}
	}
	/* the previous target is closed: a reload that moves the log, or
	 * removes CFMCP_LOG_FILE, leaves nothing writing to the old file */
	if (log_fd != 2 && log_fd != fd)
		close(log_fd);
	log_fd = fd;
	log_level = level;
	if (rc < 0)
		errno = e; /* the caller reports why */
	return rc;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	static struct buf jb; /* JSON lines: one allocation, kept */
	char line[1024], time[32];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int k;
	va_list ap;

	if (lvl > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	k = snprintf(time, sizeof(time), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
	if (k < 0 || (size_t)k >= sizeof(time))
		time[0] = '\0';
	if (log_json) {
		va_start(ap, fmt);
		k = vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		n = k < 0 ? 0 : ((size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1);
		if (!jb.max)
			buf_init(&jb, 16384);
		if (json_line(&jb, time, names[lvl], line, n) == 0) {
			if (write(log_fd, jb.p, jb.len) < 0) {
				/* nowhere left to report it */
			}
			return;
		}
		/* out of memory: the message may not fit; say so in JSON */
		k = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"level\":\"error\",\"event\":\"log: out of memory\"}\n", time);
		if (k > 0 && (size_t)k < sizeof(line) && write(log_fd, line, (size_t)k) < 0) {
			/* nowhere left to report it */
		}
		return;
	}
	k = snprintf(line, sizeof(line), "%s %s cfmcp[%ld] ", time, names[lvl], (long)getpid());
	n = k > 0 ? (size_t)k : 0;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (k > 0)
		n += (size_t)k < sizeof(line) - n - 1 ? (size_t)k : sizeof(line) - n - 2;
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0) {
		/* nowhere left to report it */
	}
}

const char *log_safe(char *out, size_t outsz, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsz < 8) {
		if (outsz)
			out[0] = '\0';
		return out;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (o + 8 >= outsz) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}
