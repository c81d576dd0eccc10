/*
 * ctl.c - sip-transfer-agentctl, the control tool of sip-transfer-agent.
 *
 * Owns the command line (SPEC 9), turning one command into one request
 * line on the agent's control socket, and printing the answer lines: for
 * a person by default, as received with --json.  Exit status: 0 success,
 * 1 refused or failed, 2 usage or socket error.  Knows nothing of SIP.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "json.h"

#define PROG "sip-transfer-agentctl"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

struct args {
	char const *socket;
	bool json;
	bool no_wait;
	char const *replaces;
	char const *cmd;
	char **rest;		/* the command's own arguments */
	int n_rest;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [-s SOCKET] [--json] COMMAND\n"
		"\n"
		"Commands:\n"
		"  status                  counters and state of the agent\n"
		"  transfers               live transfers\n"
		"  calls                   calls the agent holds\n"
		"  cancel ID               end transfer ID (CANCEL or BYE)\n"
		"  hangup CALL             BYE to held call CALL\n"
		"  refer CALL URI [--replaces CALL2] [--no-wait]\n"
		"                          hand CALL on to URI with a REFER\n"
		"  drain | resume          stop / start accepting REFERs\n"
		"  reload                  reload the configuration\n"
		"\n"
		"  -s, --socket SOCKET     control socket (default %s)\n"
		"      --json              print the agent's JSON lines\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n",
		STA_DEFAULT_CONTROL_SOCKET);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(char const *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	return EXIT_USAGE;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	enum { OPT_JSON = 256, OPT_NO_WAIT, OPT_REPLACES };
	static struct option const longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
		{ "replaces", required_argument, NULL, OPT_REPLACES },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->socket = STA_DEFAULT_CONTROL_SOCKET;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->socket = optarg;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_NO_WAIT:
			a->no_wait = true;
			break;
		case OPT_REPLACES:
			a->replaces = optarg;
			break;
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("bad option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no command given");
	a->cmd = argv[optind];
	a->rest = argv + optind + 1;
	a->n_rest = argc - optind - 1;
	return -1;
}

/* "123" as a positive id into *V. */
static bool parse_id(char const *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return *s >= '0' && *s <= '9' && *end == '\0' && errno == 0 && *v > 0;
}

/* The commands, how many arguments each takes, and which take ids. */
static const struct command {
	char const *name;
	int n_args;
	char const *id_key;	/* the first argument is this id */
} commands[] = {
	{ "status", 0, NULL },   { "transfers", 0, NULL },
	{ "calls", 0, NULL },    { "cancel", 1, "id" },
	{ "hangup", 1, "call" }, { "refer", 2, "call" },
	{ "drain", 0, NULL },    { "resume", 0, NULL },
	{ "reload", 0, NULL },
};

static struct command const *find_command(char const *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The request line for A into O; returns -1 or a usage error status. */
static int build_request(struct args const *a, struct json_out *o)
{
	struct command const *cmd = find_command(a->cmd);
	long long id;

	if (!cmd)
		return usage_error("unknown command '%s'", a->cmd);
	if (a->n_rest != cmd->n_args)
		return usage_error("wrong number of arguments for '%s'",
				   a->cmd);
	if ((a->replaces || a->no_wait) && strcmp(a->cmd, "refer") != 0)
		return usage_error("%s", "--replaces and --no-wait go with "
				   "refer only");
	json_begin(o);
	json_str(o, "cmd", cmd->name);
	if (cmd->id_key) {
		if (!parse_id(a->rest[0], &id))
			return usage_error("'%s' is not an id", a->rest[0]);
		json_int(o, cmd->id_key, id);
	}
	if (strcmp(cmd->name, "refer") == 0) {
		json_str(o, "uri", a->rest[1]);
		if (a->replaces) {
			if (!parse_id(a->replaces, &id))
				return usage_error("'%s' is not a call id",
						   a->replaces);
			json_int(o, "replaces", id);
		}
		json_bool(o, "wait", !a->no_wait);
	}
	json_end(o);
	return o->failed ? usage_error("%s", "out of memory") : -1;
}

static int connect_to(char const *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, PROG ": %s: socket path too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 &&
	    connect(fd, (struct sockaddr const *)&sun, sizeof sun) == 0)
		return fd;
	fprintf(stderr, PROG ": cannot connect to %s: %s%s\n", path,
		strerror(errno),
		errno == ENOENT || errno == ECONNREFUSED ?
			" (is sip-transfer-agent running?)" : "");
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool send_all(int fd, char const *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* ---- human output -------------------------------------------------------- */

static char const *str_or(struct json_object const *o, char const *key,
			  char const *dflt)
{
	char const *s = json_get_str(o, key);

	return s ? s : dflt;
}

static long long int_or(struct json_object const *o, char const *key)
{
	long long v = 0;

	json_get_int(o, key, &v);
	return v;
}

static void print_status(struct json_object const *o)
{
	printf("version    %s\n", str_or(o, "version", "?"));
	printf("uptime     %lld s\n", int_or(o, "uptime_s"));
	printf("transfers  %lld\n", int_or(o, "transfers"));
	printf("calls      %lld\n", int_or(o, "calls"));
	printf("accepted   %lld\n", int_or(o, "accepted"));
	printf("refused    %lld\n", int_or(o, "refused"));
	printf("draining   %s\n", json_is_true(o, "draining") ? "yes" : "no");
}

static void print_transfer(struct json_object const *o, bool header)
{
	if (header)
		printf("%-6s %6s  %-9s %-6s %-8s %-22s %s\n", "ID", "AGE",
		       "CALL", "SUB", "NOTIFIES", "LAST", "REFER-TO (REFERER)");
	printf("%-6lld %5llds  %-9s %-6s %3lld/%-4lld %-22s %s (%s)\n",
	       int_or(o, "id"), int_or(o, "age_s"), str_or(o, "call", "?"),
	       str_or(o, "subscription", "?"), int_or(o, "notifies_sent"),
	       int_or(o, "notifies_coalesced"), str_or(o, "last_status", "-"),
	       str_or(o, "refer_to", "?"), str_or(o, "referer", "?"));
}

static void print_call(struct json_object const *o, bool header)
{
	char transfer[24] = "-";

	if (header)
		printf("%-6s %6s  %-8s %s\n", "ID", "AGE", "TRANSFER", "PEER");
	if (json_get_int(o, "transfer", &(long long){ 0 }))
		snprintf(transfer, sizeof transfer, "%lld",
			 int_or(o, "transfer"));
	printf("%-6lld %5llds  %-8s %s\n", int_or(o, "id"), int_or(o, "age_s"),
	       transfer, str_or(o, "peer", "?"));
}

/* One line of the answer to CMD; N_ITEMS counts the list lines so far.
 * Returns -1 while more lines are due, else the exit status. */
static int show(char const *cmd, struct json_object const *o,
		unsigned *n_items)
{
	char const *errors;

	if (json_get_str(o, "progress")) {
		printf("%s\n", json_get_str(o, "progress"));
		return -1;
	}
	if (!json_get(o, "ok")) {
		if (strcmp(cmd, "transfers") == 0)
			print_transfer(o, (*n_items)++ == 0);
		else
			print_call(o, (*n_items)++ == 0);
		return -1;
	}
	if (!json_is_true(o, "ok")) {
		fprintf(stderr, PROG ": %s\n", str_or(o, "error", "failed"));
		errors = json_get_str(o, "errors");
		if (errors && *errors)
			fputs(errors, stderr);
		return EXIT_REFUSED;
	}
	if (strcmp(cmd, "status") == 0)
		print_status(o);
	else if (json_get_str(o, "result"))
		printf("%s\n", json_get_str(o, "result"));
	else if (*n_items == 0)
		printf("no %s\n", cmd);
	return EXIT_OK;
}

/* Read answer lines until the final one (it has "ok"). */
static int read_answer(int fd, struct args const *a)
{
	static char buf[JSON_LINE_MAX + 2];
	static struct json_object o;
	size_t len = 0;
	unsigned n_items = 0;
	int status = -1;

	while (status < 0) {
		char *nl = memchr(buf, '\n', len);
		ssize_t n;

		if (nl) {
			size_t line = (size_t)(nl - buf) + 1;

			if (json_parse(buf, line, &o) < 0) {
				fprintf(stderr, PROG ": the agent sent a line "
					"that is not JSON\n");
				return EXIT_USAGE;
			}
			if (a->json)
				fwrite(buf, 1, line, stdout);
			status = a->json ? (json_get(&o, "ok") ?
				(json_is_true(&o, "ok") ? EXIT_OK :
				 EXIT_REFUSED) : -1) :
				show(a->cmd, &o, &n_items);
			fflush(stdout);
			memmove(buf, buf + line, len - line);
			len -= line;
			continue;
		}
		if (len == sizeof buf) {
			fprintf(stderr, PROG ": the agent sent a line too "
				"long\n");
			return EXIT_USAGE;
		}
		n = recv(fd, buf + len, sizeof buf - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, PROG ": the agent closed the "
				"connection before its answer\n");
			return EXIT_USAGE;
		}
		len += (size_t)n;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct json_out rq = { 0 };
	int status = parse_args(argc, argv, &a);
	int fd;

	if (status >= 0)
		return status;
	status = build_request(&a, &rq);
	if (status < 0 && (fd = connect_to(a.socket)) >= 0) {
		if (send_all(fd, rq.buf, rq.len)) {
			status = read_answer(fd, &a);
		} else {
			fprintf(stderr, PROG ": cannot send to %s: %s\n",
				a.socket, strerror(errno));
			status = EXIT_USAGE;
		}
		close(fd);
	} else if (status < 0) {
		status = EXIT_USAGE;
	}
	json_out_free(&rq);
	return status;
}
