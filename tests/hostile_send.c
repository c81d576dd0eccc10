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
 * not be sent (a UDP datagram over 65507 bytes).  Exit status 0 when
 * something was printed, 2 on a usage, file or socket error.
 *
 * A NOTIFY the agent sends meanwhile is answered 481, which ends its
 * subscription at once (RFC 6665 4.1.3); other requests are read and
 * ignored.  When the final is a 2xx to a REFER without Refer-Sub: false (a
 * subscription exists, and its first NOTIFY follows the 2xx), the sender
 * waits up to -w MS more for that NOTIFY and answers it.  Otherwise the
 * NOTIFY would meet a closed port or, over TCP, a connection closed just
 * after it was written: the agent would wait for its Timer F (64*T1) to
 * end the transfer.
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

/* The value of the first header line NAME (or its compact form SHORT,
 * when not NUL) of MSG, with its length in *VLEN; NULL when absent. */
static const char *header(const char *msg, size_t len, const char *name,
			  char compact, size_t *vlen)
{
	const char *end = msg + len, *line = msg, *nl;

	while (line < end && (nl = memchr(line, '\n', (size_t)(end - line)))) {
		size_t n = strlen(name), i;

		line = nl + 1;
		if (line >= end || *line == '\r' || *line == '\n')
			break;		/* the empty line: end of headers */
		if ((size_t)(end - line) > n && strncasecmp(line, name, n) == 0)
			i = n;
		else if (compact && (*line == compact ||
				     *line == (compact ^ 0x20)))
			i = 1;
		else
			continue;
		while (line + i < end && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (line + i >= end || line[i] != ':')
			continue;
		i++;
		while (line + i < end && (line[i] == ' ' || line[i] == '\t'))
			i++;
		nl = memchr(line + i, '\n', (size_t)(end - line - i));
		*vlen = (size_t)((nl ? nl : end) - (line + i));
		if (*vlen && line[i + *vlen - 1] == '\r')
			(*vlen)--;
		return line + i;
	}
	return NULL;
}

/* Whether MSG is a 2xx to a REFER after which a NOTIFY comes: the agent
 * echoes Refer-Sub: false when no subscription was made. */
static int notify_follows(const char *msg, size_t len, int code)
{
	const char *v;
	size_t n;

	if (code < 200 || code >= 300)
		return 0;
	v = header(msg, len, "CSeq", 0, &n);
	if (v == NULL || n < 5 || strncasecmp(v + n - 5, "REFER", 5) != 0)
		return 0;
	v = header(msg, len, "Refer-Sub", 0, &n);
	return !(v != NULL && n >= 5 && strncasecmp(v, "false", 5) == 0);
}

/* Answer the request MSG 481 on FD (to FROM over UDP): its Via lines,
 * From, To, Call-ID and CSeq copied. */
static void answer_481(int fd, const struct sockaddr_in *from,
		       const char *msg, size_t len)
{
	static const struct {
		const char *name;
		char compact;
	} copied[] = {
		{ "Via", 'v' }, { "From", 'f' }, { "To", 't' },
		{ "Call-ID", 'i' }, { "CSeq", 0 },
	};
	struct buf out = { 0 };

	puts_buf(&out, "SIP/2.0 481 Call/Transaction Does Not Exist\r\n");
	for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
		const char *at = msg, *v;
		size_t n;

		/* every Via line; one of each other header */
		while ((v = header(at, len - (size_t)(at - msg),
				   copied[k].name, copied[k].compact, &n))) {
			puts_buf(&out, copied[k].name);
			puts_buf(&out, ": ");
			put(&out, v, n);
			puts_buf(&out, "\r\n");
			if (k != 0)
				break;
			at = v + n;
		}
	}
	puts_buf(&out, "Content-Length: 0\r\n\r\n");
	if (from != NULL)
		sendto(fd, out.data, out.len, 0, (const struct sockaddr *)from,
		       sizeof *from);
	else
		send(fd, out.data, out.len, MSG_NOSIGNAL);
	free(out.data);
}

static void show(int verbose, const char *what, const char *msg, size_t len)
{
	if (verbose)
		fprintf(stderr, "----- %s (%zu bytes)\n%.*s\n", what, len,
			(int)len, msg);
}

struct replies {
	int best;		/* the code to print; 0: none yet */
	int final_seen;
	int notify_wanted;	/* the final was a 2xx making a subscription */
	int waiting_notify;	/* ...and the wait was renewed for it */
	int notify_answered;
};

/* One message MSG from the agent (FROM: its UDP source, NULL over TCP).
 * Returns 1 when nothing more is to be waited for. */
static int take(struct replies *r, int fd, const struct sockaddr_in *from,
		const char *msg, size_t len, int verbose)
{
	int code = status_of(msg, len);

	show(verbose, "received", msg, len);
	if (code == 0) {
		if (len < 7 || strncmp(msg, "NOTIFY ", 7) != 0)
			return 0;
		answer_481(fd, from, msg, len);
		r->notify_answered = 1;
		return r->final_seen;
	}
	if (r->final_seen)
		return 0;
	r->best = code;
	if (code < 200)
		return 0;
	r->final_seen = 1;
	r->notify_wanted = !r->notify_answered &&
			   notify_follows(msg, len, code);
	return !r->notify_wanted;
}

int main(int argc, char **argv)
{
	int tcp = 0, verbose = 0, opt, fd;
	struct replies r = { 0 };
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
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		char chunk[65536];
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recvfrom(fd, chunk, sizeof chunk, 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* UDP: ICMP port unreachable; TCP: closed or reset */
			if (verbose)
				fprintf(stderr, "----- %s\n", n == 0 ?
					"connection closed" : strerror(errno));
			break;
		}
		if (!tcp && take(&r, fd, &from, chunk, (size_t)n, verbose))
			break;
		if (tcp)
			put(&in, chunk, (size_t)n);
		while (tcp) {
			size_t skip, flen = tcp_frame(in.data, in.len, &skip);
			int over;

			if (flen == 0)
				break;
			over = take(&r, fd, NULL, in.data + skip, flen,
				    verbose);
			memmove(in.data, in.data + skip + flen,
				in.len - skip - flen);
			in.len -= skip + flen;
			if (over)
				goto done;
		}
		if (r.notify_wanted && !r.waiting_notify) {
			/* the 2xx came: wait -w MS more for its NOTIFY */
			r.waiting_notify = 1;
			deadline = now_ms() + wait_ms;
		}
	}
done:
	if (r.best)
		printf("%d\n", r.best);
	else
		puts("drop");
	close(fd);
	free(file.data);
	free(msg.data);
	free(in.data);
	return 0;
}
