/*
 * sse.c - Server-Sent Events framing; see sse.h.
 */
#include "first.h"

#include <string.h>

#include "sse.h"

int sse_append_event(struct buf *out, const char *event, const char *data, size_t n)
{
	size_t start = out->len, i = 0;

	if (!data)
		n = 0;
	if (event && (strchr(event, '\n') || strchr(event, '\r')))
		return -1;
	if (event && (buf_append(out, STRLIT("event: ")) || buf_puts(out, event) || buf_append(out, STRLIT("\n"))))
		goto fail;
	/* one "data: " line per line; a final line break still ends a line
	 * (an empty last one), so the client gets data back exactly */
	for (;;) {
		size_t j = i;
		while (j < n && data[j] != '\n' && data[j] != '\r')
			j++;
		if (buf_append(out, STRLIT("data: ")) || (j > i && buf_append(out, data + i, j - i)) ||
		    buf_append(out, STRLIT("\n")))
			goto fail;
		if (j == n)
			break;
		i = j + (data[j] == '\r' && j + 1 < n && data[j + 1] == '\n' ? 2 : 1);
	}
	if (buf_append(out, STRLIT("\n")))
		goto fail;
	return 0;
fail:
	out->len = start;
	if (out->p)
		out->p[start] = '\0';
	return -1;
}
