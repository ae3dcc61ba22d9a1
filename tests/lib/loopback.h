/*
 * loopback.h - for unit tests that need a real TCP peer: a listening
 * socket on 127.0.0.1 at a port the kernel picks. Header-only (static),
 * included by the tests that use it.
 */
#ifndef CFMCP_TEST_LOOPBACK_H
#define CFMCP_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listening socket (backlog 4) on 127.0.0.1, its port in *port; -1 on failure. */
static int loopback_listen(int *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) < 0) {
		close(s);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return s;
}

#endif
