/*
 * replay.c - run a fuzz target over its checked-in corpus with a plain
 * build (no libFuzzer), as part of `make test`: each file is one TAP test
 * (a crash fails the run). Usage: replay-TARGET DIR...
 */
#include "../../common/first.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_env.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	static char corpus[] = FUZZ_CORPUS;
	static char *defaults[] = { NULL, corpus, NULL };
	int i, n = 0;

	if (argc < 2) {
		/* make test runs it without arguments: the checked-in corpus */
		argc = 2;
		argv = defaults;
	}

	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		char *names[4096];
		size_t k = 0, j;
		if (!d) {
			printf("not ok %d - corpus %s missing\n", ++n, argv[i]);
			continue;
		}
		while ((e = readdir(d)) && k < 4096)
			if (e->d_name[0] != '.')
				names[k++] = strdup(e->d_name);
		closedir(d);
		qsort(names, k, sizeof(names[0]), cmp);
		for (j = 0; j < k; j++) {
			char path[4096];
			FILE *f;
			size_t len;
			snprintf(path, sizeof(path), "%s/%s", argv[i], names[j]);
			f = fopen(path, "rb");
			if (!f) {
				printf("not ok %d - %s unreadable\n", ++n, path);
				continue;
			}
			len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, len);
			printf("ok %d - %s (%zu bytes)\n", ++n, names[j], len);
			free(names[j]);
		}
	}
	printf("1..%d\n", n);
	return n ? 0 : 1;
}
