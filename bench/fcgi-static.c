/*
 * bench/fcgi-static.c - the ceiling: a minimal libfcgi responder that
 * answers every request with the same bytes (a file read at start), so a
 * benchmark behind the same lighttpd config and worker count shows what
 * any FastCGI design costs on this machine.
 *
 *   fcgi-static FILE [WORKERS]     (socket on fd 0, as spawn-fcgi gives it)
 */
#include "../common/first.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

int main(int argc, char **argv)
{
	static char body[4 << 20];
	char head[128];
	size_t n;
	int i, workers = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 1, hn;
	FILE *f;
	FCGX_Request rq;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: fcgi-static FILE [WORKERS]\n");
		return 2;
	}
	n = fread(body, 1, sizeof(body), f);
	fclose(f);
	hn = snprintf(head, sizeof(head), "Status: 200 OK\r\nContent-Type: application/json\r\n"
		"Content-Length: %zu\r\n\r\n", n);
	for (i = 1; i < workers; i++)
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM); /* die with the first process */
			break;
		}
	FCGX_Init();
	FCGX_InitRequest(&rq, 0, 0);
	while (FCGX_Accept_r(&rq) >= 0) {
		char buf[8192];
		while (FCGX_GetStr(buf, sizeof(buf), rq.in) > 0)
			; /* read the body, as a real responder must */
		FCGX_PutStr(head, hn, rq.out);
		FCGX_PutStr(body, (int)n, rq.out);
		FCGX_Finish_r(&rq);
	}
	return 0;
}
