/*
 * test_log_json.c - CFMCP_LOG_FORMAT=json (common/log.c): one JSON object
 * per line with time (RFC 3339, ms, UTC), level, pid, event and, while a
 * request is served, request_id; quotes, control bytes and invalid UTF-8
 * in a message still give valid JSON (U+FFFD for bad bytes); the text
 * format stays the default. tests/e2e/98-log-json.t runs a stack with it.
 */
#include "../../common/first.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../../common/log.h"
#include "../tap.h"

/* The file's lines, parsed; n set. The caller frees each and the array. */
static cJSON **read_lines(const char *path, int *n, int *bad)
{
	static char text[65536];
	cJSON **v = calloc(64, sizeof(*v));
	FILE *f = fopen(path, "r");
	size_t len = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	char *p = text, *eol;

	*n = 0;
	*bad = 0;
	if (f)
		fclose(f);
	text[len] = '\0';
	while (v && (eol = strchr(p, '\n')) && *n < 64) {
		*eol = '\0';
		v[*n] = cJSON_Parse(p);
		if (!v[*n] || !cJSON_IsObject(v[*n]))
			(*bad)++;
		(*n)++;
		p = eol + 1;
	}
	return v;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static int rfc3339_ms(const char *t)
{
	int y, mo, d, h, mi, s, ms;
	char z;

	return t && strlen(t) == 24 && sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z) == 8 &&
		z == 'Z' && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61;
}

int main(void)
{
	char path[] = "/tmp/cfmcp-logjson.XXXXXX";
	int fd = mkstemp(path), n = 0, bad = 0, i;
	cJSON **v;

	ok(fd >= 0, "a temporary log file");
	if (fd < 0)
		return done_testing();
	close(fd);
	ok(log_open(path, LOG_DEBUG) == 0, "log_open");
	log_set_json(1);
	log_info("pool: %d workers, %zu tools", 2, (size_t)25);
	log_set_request_id("4242-7");
	log_warn("quote \" backslash \\ newline \n tab \t bell \a end");
	log_err("bad utf-8: ff[\xff] overlong[\xc0\xaf] surrogate[\xed\xa0\x80] cut[\xe2\x82] ok[\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80]");
	log_set_request_id(NULL);
	log_debug("%s", "after the request");
	log_set_json(0);
	log_info("back to text");
	log_open(NULL, LOG_INFO);

	v = read_lines(path, &n, &bad);
	ok(v && n == 5, "five lines written (%d)", n);
	if (!v || n != 5)
		return done_testing();
	ok(bad == 1 && !cJSON_IsObject(v[4]), "the four JSON lines parse as JSON objects; the text line does not");
	for (i = 0; i < 4; i++)
		ok(rfc3339_ms(str(v[i], "time")) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v[i], "pid")) &&
			str(v[i], "level") && str(v[i], "event"), "line %d: time (RFC 3339, ms, UTC), level, pid, event", i + 1);
	is_str(str(v[0], "level"), "info", "level info");
	is_str(str(v[0], "event"), "pool: 2 workers, 25 tools", "event is the formatted message");
	ok(!cJSON_GetObjectItemCaseSensitive(v[0], "request_id"), "no request_id outside a request");
	is_str(str(v[1], "event"), "quote \" backslash \\ newline \n tab \t bell \a end", "quotes, backslashes, controls round-trip");
	is_str(str(v[1], "request_id"), "4242-7", "request_id while one is set");
	is_str(str(v[2], "level"), "error", "level error");
	is_str(str(v[2], "event"),
		"bad utf-8: ff[\xef\xbf\xbd] overlong[\xef\xbf\xbd\xef\xbf\xbd] surrogate[\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd] "
		"cut[\xef\xbf\xbd\xef\xbf\xbd] ok[\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80]",
		"invalid UTF-8 bytes become U+FFFD each; valid sequences stay");
	ok(!cJSON_GetObjectItemCaseSensitive(v[3], "request_id") && !strcmp(str(v[3], "level"), "debug"),
		"request_id cleared after the request");
	for (i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	free(v);
	{
		FILE *f = fopen(path, "r");
		char line[512] = "";
		while (f && fgets(line, sizeof(line), f))
			;
		if (f)
			fclose(f);
		ok(rfc3339_ms(line) == 0 && strstr(line, " info cfmcp[") && strstr(line, "back to text\n"),
			"the text format: time level cfmcp[pid] message");
	}
	unlink(path);
	return done_testing();
}
