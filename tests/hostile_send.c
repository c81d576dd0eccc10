/*
 * hostile_send.c - send one raw SIP message from a file to the agent and
 * print what came back: the status code of the first final response, or
 * "drop".  Used by tests/integration/hostile.test with tests/hostile/.
 *
 *   hostile_send [-t] [-w MS] [-T HOST:PORT] [-v] PORT FILE
 *
 *   -t          TCP (default UDP); the reply is read with Content-Length
 *               framing, from the connection the message went out on
 *   -w MS       how long to wait for a final response (default 2000)
 *   -T HOST:PORT  the value of @TARGET@
 *   -v          print the message sent and every message received to stderr
 *
 * The message goes to 127.0.0.1:PORT from a socket bound to 127.0.0.1 on a
 * port the kernel picks.  Every LF of FILE becomes CR LF; then these
 * placeholders are replaced (any other '@' is kept as it is):
 *   @AGENT@        127.0.0.1:PORT            @LOCAL@   127.0.0.1:<local port>
 *   @PORT@         the local port            @TRANSPORT@  UDP or TCP
 *   @ID@           a token unique to this run (branch, Call-ID, tags)
 *   @TARGET@       the -T value              @CL@      the body's length
 *   @CR@ @LF@ @NUL@  one raw byte            @HEX:hh@  the byte 0xhh
 *   @AT@           a literal '@'
 *   @REP:N:TEXT@   TEXT (no '@' in it, LF -> CR LF too) repeated N times
 * The body is whatever follows the first empty line (CR LF CR LF).
 *
 * Output: the first response with a code >= 200 to arrive within the wait;
 * when only provisional responses came, the last of them; "drop" when none
 * came, the agent closed the connection without one, or the message could
 * not be sent (a UDP datagram over 65507 bytes).  Requests the agent sends
 * meanwhile (a NOTIFY) are read and ignored.  Exit status 0 when something
 * was printed, 2 on a usage, file or socket error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct buf {
	char *data;
	size_t len, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "hostile_send: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void usage(void)
{
	fprintf(stderr, "usage: hostile_send [-t] [-w MS] [-T HOST:PORT] [-v] "
		"PORT FILE\n");
	exit(2);
}

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (b->data == NULL)
			die("realloc");
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_buf(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static struct buf read_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die(path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		put(&b, chunk, n);
	if (ferror(f))
		die(path);
	fclose(f);
	put(&b, "", 0);
	return b;
}

struct subst {
	const char *agent, *local, *port, *transport, *id, *target;
};

/* Marker left for @CL@ until the body is known (bytes a message cannot
 * otherwise produce from a placeholder: 0x01 twice). */
#define CL_MARK "\001\001CL\001\001"

/* Expand one placeholder at P (just after its '@'); returns the length of
 * the placeholder text consumed (up to and with the closing '@'), or 0 when
 * P starts none, and the '@' is then literal. */
static size_t expand_one(struct buf *out, const char *p,
			 const struct subst *s)
{
	static const struct {
		const char *name;
		size_t off;
	} simple[] = {
		{ "AGENT@", offsetof(struct subst, agent) },
		{ "LOCAL@", offsetof(struct subst, local) },
		{ "PORT@", offsetof(struct subst, port) },
		{ "TRANSPORT@", offsetof(struct subst, transport) },
		{ "ID@", offsetof(struct subst, id) },
		{ "TARGET@", offsetof(struct subst, target) },
	};
	const char *end;

	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
		size_t n = strlen(simple[i].name);

		if (strncmp(p, simple[i].name, n) == 0) {
			puts_buf(out, *(const char *const *)
				 ((const char *)s + simple[i].off));
			return n;
		}
	}
	if (strncmp(p, "CL@", 3) == 0) {
		puts_buf(out, CL_MARK);
		return 3;
	}
	if (strncmp(p, "CR@", 3) == 0) {
		put(out, "\r", 1);
		return 3;
	}
	if (strncmp(p, "LF@", 3) == 0) {
		put(out, "\n", 1);
		return 3;
	}
	if (strncmp(p, "NUL@", 4) == 0) {
		put(out, "", 1);
		return 4;
	}
	if (strncmp(p, "AT@", 3) == 0) {
		put(out, "@", 1);
		return 3;
	}
	if (strncmp(p, "HEX:", 4) == 0 && isxdigit((unsigned char)p[4]) &&
	    isxdigit((unsigned char)p[5]) && p[6] == '@') {
		char hex[3] = { p[4], p[5], '\0' };
		char c = (char)strtoul(hex, NULL, 16);

		put(out, &c, 1);
		return 7;
	}
	if (strncmp(p, "REP:", 4) == 0 && isdigit((unsigned char)p[4])) {
		char *colon;
		unsigned long n = strtoul(p + 4, &colon, 10);

		if (*colon != ':' || (end = strchr(colon + 1, '@')) == NULL)
			return 0;
		for (unsigned long i = 0; i < n; i++)
			for (const char *c = colon + 1; c < end; c++)
				put(out, *c == '\n' ? "\r\n" : c,
				    *c == '\n' ? 2 : 1);
		return (size_t)(end - p) + 1;
	}
	return 0;
}

/* FILE's text with LF -> CR LF and every placeholder expanded. */
static struct buf expand(const struct buf *in, const struct subst *s)
{
	struct buf out = { 0 }, fin = { 0 };
	const char *body, *mark;
	size_t body_len, at = 0;
	char cl[32];

	for (size_t i = 0; i < in->len; i++) {
		char c = in->data[i];

		if (c == '\n') {
			put(&out, "\r\n", 2);
		} else if (c == '@') {
			size_t used = expand_one(&out, in->data + i + 1, s);

			if (used == 0)
				put(&out, "@", 1);
			i += used;
		} else {
			put(&out, &c, 1);
		}
	}
	put(&out, "", 0);
	/* @CL@: the length of what follows the first empty line */
	body = NULL;
	for (size_t i = 0; i + 4 <= out.len; i++)
		if (memcmp(out.data + i, "\r\n\r\n", 4) == 0) {
			body = out.data + i + 4;
			break;
		}
	body_len = body ? out.len - (size_t)(body - out.data) : 0;
	snprintf(cl, sizeof cl, "%zu", body_len);
	while ((mark = memmem(out.data + at, out.len - at, CL_MARK,
			      strlen(CL_MARK))) != NULL) {
		put(&fin, out.data + at, (size_t)(mark - out.data) - at);
		puts_buf(&fin, cl);
		at = (size_t)(mark - out.data) + strlen(CL_MARK);
	}
	put(&fin, out.data + at, out.len - at);
	free(out.data);
	return fin;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The status code of one message, or 0 when it is a request or no SIP. */
static int status_of(const char *msg, size_t len)
{
	if (len < 12 || strncmp(msg, "SIP/2.0 ", 8) != 0 ||
	    !isdigit((unsigned char)msg[8]) ||
	    !isdigit((unsigned char)msg[9]) ||
	    !isdigit((unsigned char)msg[10]))
		return 0;
	return (msg[8] - '0') * 100 + (msg[9] - '0') * 10 + (msg[10] - '0');
}

/* Length of the first complete message in a TCP stream buffer (headers,
 * empty line, Content-Length bytes of body), or 0 when more is needed.
 * Leading CR LF keep-alives are counted in *SKIP. */
static size_t tcp_frame(const char *data, size_t len, size_t *skip)
{
	size_t s = 0, hdr_end = 0;
	unsigned long cl = 0;

	while (s < len && (data[s] == '\r' || data[s] == '\n'))
		s++;
	*skip = s;
	for (size_t i = s; i + 4 <= len; i++)
		if (memcmp(data + i, "\r\n\r\n", 4) == 0) {
			hdr_end = i + 4;
			break;
		}
	if (hdr_end == 0)
		return 0;
	/* a Content-Length (or compact "l") header line */
	for (size_t i = s; i < hdr_end; i++) {
		const char *line = data + i;
		size_t n;

		if (i > s && data[i - 1] != '\n')
			continue;
		if (strncasecmp(line, "Content-Length", 14) == 0)
			n = 14;
		else if ((line[0] == 'l' || line[0] == 'L') &&
			 (line[1] == ':' || line[1] == ' ' || line[1] == '\t'))
			n = 1;
		else
			continue;
		while (line[n] == ' ' || line[n] == '\t')
			n++;
		if (line[n] != ':')
			continue;
		cl = strtoul(line + n + 1, NULL, 10);
		break;
	}
	if (len - hdr_end < cl)
		return 0;
	return hdr_end + cl - s;
}

static void show(int verbose, const char *what, const char *msg, size_t len)
{
	if (verbose)
		fprintf(stderr, "----- %s (%zu bytes)\n%.*s\n", what, len,
			(int)len, msg);
}

int main(int argc, char **argv)
{
	int tcp = 0, verbose = 0, opt, fd, best = 0;
	long wait_ms = 2000, deadline;
	const char *target = "127.0.0.1:5060";
	struct sockaddr_in local = { .sin_family = AF_INET }, agent = local;
	socklen_t sl = sizeof local;
	char agent_s[32], local_s[32], port_s[8], id[64];
	struct buf file, msg, in = { 0 };
	struct subst s;
	unsigned long port;

	while ((opt = getopt(argc, argv, "tw:T:v")) != -1) {
		switch (opt) {
		case 't': tcp = 1; break;
		case 'w': wait_ms = atol(optarg); break;
		case 'T': target = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	port = strtoul(argv[optind], NULL, 10);
	if (port == 0 || port > 65535)
		usage();
	file = read_file(argv[optind + 1]);

	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &sl) != 0)
		die("bind");
	agent.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	agent.sin_port = htons((unsigned short)port);

	snprintf(agent_s, sizeof agent_s, "127.0.0.1:%lu", port);
	snprintf(port_s, sizeof port_s, "%u", ntohs(local.sin_port));
	snprintf(local_s, sizeof local_s, "127.0.0.1:%s", port_s);
	srand((unsigned)(now_ms() ^ getpid()));
	snprintf(id, sizeof id, "%x%x%lx", (unsigned)getpid(),
		 (unsigned)rand(), (unsigned long)now_ms());
	s = (struct subst){ agent_s, local_s, port_s, tcp ? "TCP" : "UDP", id,
			    target };
	msg = expand(&file, &s);
	show(verbose, "sent", msg.data, msg.len);

	if (tcp) {
		size_t off = 0;

		if (connect(fd, (struct sockaddr *)&agent, sizeof agent) != 0)
			die("connect");
		while (off < msg.len) {
			ssize_t n = send(fd, msg.data + off, msg.len - off,
					 MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				/* the agent closed on us mid-message */
				puts("drop");
				return 0;
			}
			off += (size_t)n;
		}
	} else if (sendto(fd, msg.data, msg.len, 0,
			  (struct sockaddr *)&agent, sizeof agent) < 0) {
		if (errno != EMSGSIZE)
			die("sendto");
		fprintf(stderr, "hostile_send: %zu bytes: too big for UDP\n",
			msg.len);
		puts("drop");
		return 0;
	}

	deadline = now_ms() + wait_ms;
	for (;;) {
		long left = deadline - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char chunk[65536];
		ssize_t n;
		int code;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, chunk, sizeof chunk, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* UDP: ICMP port unreachable; TCP: closed or reset */
			if (verbose)
				fprintf(stderr, "----- %s\n", n == 0 ?
					"connection closed" : strerror(errno));
			break;
		}
		if (!tcp) {
			show(verbose, "received", chunk, (size_t)n);
			code = status_of(chunk, (size_t)n);
			if (code >= 200) {
				best = code;
				break;
			}
			if (code)
				best = code;
			continue;
		}
		put(&in, chunk, (size_t)n);
		for (;;) {
			size_t skip, flen = tcp_frame(in.data, in.len, &skip);

			if (flen == 0)
				break;
			show(verbose, "received", in.data + skip, flen);
			code = status_of(in.data + skip, flen);
			memmove(in.data, in.data + skip + flen,
				in.len - skip - flen);
			in.len -= skip + flen;
			if (code)
				best = code;
			if (code >= 200)
				goto done;
		}
	}
done:
	if (best)
		printf("%d\n", best);
	else
		puts("drop");
	close(fd);
	free(file.data);
	free(msg.data);
	free(in.data);
	return 0;
}
