/*
 * main.c - lifecycle of sip-transfer-agent: command line, configuration,
 * signals, the event loop, shutdown.  Everything SIP lives in sip_*.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "config.h"
#include "log.h"
#include "service.h"
#include "sip_agent.h"

struct options {
	char const *config_path;
	bool check_only;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sip-transfer-agent [-c FILE] [--check-config]\n"
		"       sip-transfer-agent --version | --help\n"
		"\n"
		"SIP transfer agent: accepts REFER, INVITEs the Refer-To target\n"
		"and reports progress to the referer with paced NOTIFYs.\n"
		"\n"
		"  -c, --config FILE   configuration file (default %s)\n"
		"  -t, --check-config  validate the configuration and exit\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n",
		STA_DEFAULT_CONFIG);
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static struct option const longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->config_path = STA_DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:tVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 't':
			o->check_only = true;
			break;
		case 'V':
			printf("sip-transfer-agent %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sip-transfer-agent: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return EXIT_FAILURE;
	}
	return -1;
}

/* Signals arrive through a signalfd watched by the event loop, so their
 * handling runs in the loop's thread like everything else. */
static int on_signal(su_root_magic_t *magic, su_wait_t *w,
		     su_wakeup_arg_t *arg)
{
	su_root_t *root = (su_root_t *)arg;
	struct signalfd_siginfo si;

	(void)magic;
	if (read(w->fd, &si, sizeof si) != sizeof si)
		return 0;
	if (si.ssi_signo == SIGHUP) {
		log_notice("SIGHUP: reload is not supported yet; restart to "
			   "apply a new configuration");
		return 0;
	}
	log_notice("%s: shutting down", strsignal((int)si.ssi_signo));
	service_stopping();
	su_root_break(root);
	return 0;
}

static int watch_signals(su_root_t *root, su_wait_t *w)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0 || su_wait_create(w, fd, SU_WAIT_IN) < 0 ||
	    su_root_register(root, w, on_signal, (su_wakeup_arg_t *)root,
			     0) < 0) {
		log_error("cannot watch signals: %m");
		return -1;
	}
	return fd;
}

static void announce_ready(struct sta_config const *cfg)
{
	char line[1024];
	size_t used = 0;

	line[0] = '\0';
	for (size_t i = 0; i < cfg->n_listen && used < sizeof line; i++)
		used += (size_t)snprintf(line + used, sizeof line - used,
					 "%s%s", i ? ", " : "",
					 cfg->listen[i]);
	log_notice("ready: listening on %s", line);
	service_ready("ready, 0 active transfers");
}

static int run(struct sta_config const *cfg)
{
	su_root_t *root;
	struct sta_agent *agent = NULL;
	su_wait_t w[1];
	int sfd = -1, status = EXIT_FAILURE;

	if (su_init() != 0)
		return EXIT_FAILURE;
	root = su_root_create(NULL);
	if (root && (sfd = watch_signals(root, w)) >= 0 &&
	    (agent = sip_agent_create(root, cfg)) != NULL) {
		announce_ready(cfg);
		su_root_run(root);
		status = EXIT_SUCCESS;
	}
	sip_agent_destroy(agent);
	if (root)
		su_root_destroy(root);
	if (sfd >= 0)
		close(sfd);
	su_deinit();
	return status;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	struct sta_config cfg = { 0 };
	int status = parse_args(argc, argv, &opts);

	if (status >= 0)
		return status;
	if (config_load(opts.config_path, &cfg, stderr) < 0)
		return EXIT_FAILURE;
	if (opts.check_only) {
		printf("configuration OK\n");
		config_free(&cfg);
		return EXIT_SUCCESS;
	}
	log_set_level(cfg.log_level);
	status = run(&cfg);
	config_free(&cfg);
	return status;
}
