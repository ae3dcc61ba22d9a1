/*
 * cfmcp-logmask.c - a piped logger for lighttpd and Apache that keeps MCP
 * URL tokens out of their logs. Every "/mcp/<token>" in a line becomes
 * "/mcp/...<last 4>": enough to tell URLs apart, useless to an attacker
 * (the token is 43 characters of base64url, 256 bits).
 *
 *   lighttpd: accesslog.filename = "|/usr/bin/cfmcp-logmask /var/log/lighttpd/cfmcp-access.log"
 *   Apache:   CustomLog "|/usr/bin/cfmcp-logmask ${APACHE_LOG_DIR}/cfmcp-access.log" cfmcp
 *
 * Without a file argument it writes to stdout. SIGHUP reopens the file
 * (logrotate's postrotate), so rotation never needs a server restart.
 */
#include "../common/first.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t reopen;

static void on_hup(int sig)
{
	(void)sig;
	reopen = 1;
}

static int tokchar(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Write line (n bytes) to f with every /mcp/<token> masked. *carry: the
 * previous chunk ended inside a token, so this one's leading token
 * characters are its rest and are dropped too. */
static void mask_line(FILE *f, const char *line, size_t n, int *carry)
{
	size_t i = 0;

	if (*carry)
		while (i < n && tokchar((unsigned char)line[i]))
			i++;
	*carry = 0;

	while (i < n) {
		const char *hit = NULL;
		size_t j;
		for (j = i; j + 5 <= n; j++)
			if (!memcmp(line + j, "/mcp/", 5)) {
				hit = line + j;
				break;
			}
		if (!hit) {
			fwrite(line + i, 1, n - i, f);
			return;
		}
		j += 5;
		fwrite(line + i, 1, j - i, f);
		i = j;
		while (j < n && tokchar((unsigned char)line[j]))
			j++;
		if (j > i) {
			fputs("...", f);
			if (j - i >= 16)
				fwrite(line + j - 4, 1, 4, f);
		}
		if (j == n && (n == 0 || line[n - 1] != '\n'))
			*carry = 1;
		i = j;
	}
}

int main(int argc, char **argv)
{
	char line[16384];
	const char *path = argc > 1 ? argv[1] : NULL;
	FILE *out = stdout;
	struct sigaction sa;
	int carry = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	if (path && !(out = fopen(path, "ae"))) {
		fprintf(stderr, "cfmcp-logmask: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		size_t n;
		errno = 0;
		if (!fgets(line, sizeof(line), stdin)) {
			if (errno == EINTR && !feof(stdin)) {
				clearerr(stdin);
				continue;
			}
			break;
		}
		if (reopen && path) {
			FILE *nf = fopen(path, "ae");
			reopen = 0;
			if (nf) {
				fclose(out);
				out = nf;
			}
		}
		n = strlen(line);
		/* A line longer than the buffer continues in the next read; a
		 * token split across the boundary is still cut short, never whole. */
		mask_line(out, line, n, &carry);
		fflush(out);
	}
	if (out != stdout)
		fclose(out);
	return 0;
}
