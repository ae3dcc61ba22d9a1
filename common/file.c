/*
 * file.c - a whole file read into memory, capped: the one reader for the
 * curated schemas (catalog.c) and the OpenAPI spec (openapi.c).
 */
#include "first.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "xalloc.h"

char *file_read(const char *path, size_t max, size_t *len, int *too_big)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *p = NULL;
	size_t got = 0;

	if (too_big)
		*too_big = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		goto out;
	if ((size_t)sb.st_size > max) {
		if (too_big)
			*too_big = 1;
		goto out;
	}
	p = xmalloc((size_t)sb.st_size + 1);
	if (!p)
		goto out;
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + got, (size_t)sb.st_size - got);
		if (r <= 0) {
			xfree(p);
			p = NULL;
			goto out;
		}
		got += (size_t)r;
	}
	p[got] = '\0';
	*len = got;
out:
	close(fd);
	return p;
}
