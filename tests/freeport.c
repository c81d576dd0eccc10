/*
 * freeport.c - print a port number on 127.0.0.1 that is free for both UDP
 * and TCP at the time of the call.
 *
 * The kernel picks a free UDP port (bind to port 0); the same number is then
 * tried for TCP.  When the TCP bind fails, another UDP port is tried.  The
 * sockets are closed before printing, so the number is only a strong hint:
 * the integration tests call this once per port they need and start their
 * processes right away.  Exit status 0 with the number on stdout, 1 when no
 * port was found.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ATTEMPTS 200

static int bind_port(int type, unsigned short port, unsigned short *bound)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	if (bound)
		*bound = ntohs(sa.sin_port);
	return fd;
}

int main(void)
{
	for (int i = 0; i < ATTEMPTS; i++) {
		unsigned short port = 0;
		int ufd = bind_port(SOCK_DGRAM, 0, &port);

		if (ufd < 0) {
			fprintf(stderr, "freeport: UDP bind: %s\n", strerror(errno));
			return 1;
		}
		/* No SO_REUSEADDR: a port in TIME_WAIT or held by a
		 * listener is refused, which is what we want. */
		int tfd = bind_port(SOCK_STREAM, port, NULL);

		if (tfd >= 0) {
			close(tfd);
			close(ufd);
			printf("%u\n", (unsigned)port);
			return 0;
		}
		close(ufd);
	}
	fprintf(stderr, "freeport: no port free for both UDP and TCP after %d tries\n",
		ATTEMPTS);
	return 1;
}
