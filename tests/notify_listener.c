/*
 * notify_listener.c - plays the service manager's end of NOTIFY_SOCKET for
 * the integration tests.
 *
 *     notify_listener SOCKETPATH OUTFILE
 *
 * Binds an AF_UNIX SOCK_DGRAM socket at SOCKETPATH (a leading '@' means the
 * abstract namespace, as sd_notify(3) understands it; a stale socket file is
 * removed first), prints "listening on SOCKETPATH" on stdout once bound, then
 * appends every datagram it receives to OUTFILE, one line per field of the
 * message ("READY=1", "STATUS=..."), each prefixed with the CLOCK_MONOTONIC
 * time of its arrival in milliseconds: "<ms> READY=1".  OUTFILE is flushed
 * after every datagram.  SIGTERM (or SIGINT) ends it with status 0, removing
 * the socket file; setup errors exit 2.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One line per non-empty field of the datagram BUF (LEN bytes). */
static void write_fields(FILE *out, uint64_t ms, char const *buf, size_t len)
{
	size_t start = 0;

	while (start < len) {
		char const *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (end > start)
			fprintf(out, "%llu %.*s\n", (unsigned long long)ms,
				(int)(end - start), buf + start);
		start = end + 1;
	}
	fflush(out);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sun_len;
	struct sigaction sa = { .sa_handler = on_stop };
	size_t plen;
	int abstract, fd;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKETPATH OUTFILE\n", argv[0]);
		return 2;
	}
	plen = strlen(argv[1]);
	abstract = argv[1][0] == '@';
	if (plen == 0 || plen >= sizeof sun.sun_path) {
		fprintf(stderr, "%s: socket path too long (%zu bytes, at most "
			"%zu)\n", argv[0], plen, sizeof sun.sun_path - 1);
		return 2;
	}
	memcpy(sun.sun_path, argv[1], plen);
	if (abstract)
		sun.sun_path[0] = '\0';
	sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
			      (abstract ? 0 : 1));

	/* No SA_RESTART: SIGTERM interrupts recv(). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	out = fopen(argv[2], "a");
	if (!out) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[2],
			strerror(errno));
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", argv[0], strerror(errno));
		fclose(out);
		return 2;
	}
	if (!abstract)
		unlink(argv[1]);
	if (bind(fd, (struct sockaddr *)&sun, sun_len) < 0) {
		fprintf(stderr, "%s: bind %s: %s\n", argv[0], argv[1],
			strerror(errno));
		fclose(out);
		close(fd);
		return 2;
	}
	printf("listening on %s\n", argv[1]);
	fflush(stdout);

	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: recv: %s\n", argv[0],
				strerror(errno));
			break;
		}
		write_fields(out, now_ms(), buf, (size_t)n);
	}
	close(fd);
	if (!abstract)
		unlink(argv[1]);
	fclose(out);
	return stop ? 0 : 1;
}
