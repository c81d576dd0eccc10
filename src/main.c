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

#include "allocator.h"
#include "config.h"
#include "control.h"
#include "heap_release.h"
#include "log.h"
#include "metrics_http.h"
#include "service.h"
#include "sip_agent.h"
#include "sofia_log.h"

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
		"  -V, --version       print version and allocator, then exit\n"
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
			printf("sip-transfer-agent %s\nallocator: %s\n",
			       PACKAGE_VERSION, allocator_name());
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

/* --check-config: what the agent does to every listen URI at start,
 * short of binding it (sip_listen_resolve), so that both accept the same
 * files.  Errors go to stderr as FILE:LINE: message. */
static bool listen_resolvable(struct options const *o,
			      struct sta_config const *cfg)
{
	struct listen_addr addr;
	bool ok = true;

	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (sip_listen_resolve(cfg->listen[i], &addr))
			continue;
		fprintf(stderr, "%s:%d: listen: cannot resolve listen address "
			"'%s'\n", o->config_path,
			cfg->listen_line ? cfg->listen_line[i] : 0,
			cfg->listen[i]);
		ok = false;
	}
	return ok;
}

/* Everything the running daemon holds. */
struct daemon {
	struct options const *opts;
	struct sta_config *cfg;		/* in force; replaced on reload */
	su_root_t *root;
	struct sta_agent *agent;
	su_timer_t *heartbeat;
	struct metrics_http *metrics;	/* NULL: metrics.listen unset */
	struct sta_control *control;	/* NULL: control.socket off or
					   unusable */
	char *metrics_text;		/* rendering buffer, grown as needed */
	size_t metrics_size;
	uint64_t watchdog_ms;		/* 0: no watchdog */
	char status[320];		/* last STATUS= sent */
	bool reload_failed;		/* shown in STATUS= until a good reload */
	int signal_fd;			/* signalfd, -1 when none */
	int signal_index;		/* its registration in the root */
	struct heap_release heap;	/* when to release freed heap after a
					   burst */
};

/* How often STATUS= is refreshed (and WATCHDOG=1 sent, at least twice per
 * watchdog interval). */
#define HEARTBEAT_MS 1000

static void summarize(struct daemon const *d, char *buf, size_t size)
{
	struct sta_agent const *a = d->agent;

	snprintf(buf, size, "%s%s%u active transfers (%u calling), "
		 "%lu accepted, %lu refused",
		 d->reload_failed ? "last reload failed, old configuration "
				    "kept; " : "",
		 a->shutting_down ? "draining: " : "", a->n_live, a->calling,
		 a->accepted, a->refused);
}

/* Render the agent's metrics and hand them to the HTTP thread. */
static void publish_metrics(struct daemon *d)
{
	struct sta_metrics *m = &d->agent->metrics;
	size_t len;

	m->active_transfers = d->agent->n_live;
	m->calling_transfers = d->agent->calling;
	while ((len = metrics_render(m, d->metrics_text, d->metrics_size)) >=
	       d->metrics_size) {
		char *bigger = realloc(d->metrics_text, len + 1024);

		if (!bigger)
			return;
		d->metrics_text = bigger;
		d->metrics_size = len + 1024;
	}
	metrics_http_publish(d->metrics, d->metrics_text, len);
}

/* Resident set size in MiB, -1 when unknown. */
static long resident_mib(void)
{
	long kib = allocator_resident_kib();

	return kib < 0 ? -1 : kib / 1024;
}

/* After a burst, hand the heap its transfers freed back to the system. */
static void release_freed_heap(struct daemon *d)
{
	uint64_t start = sta_now_ms();
	long before;

	if (!heap_release_due(&d->heap, d->agent->n_live, start))
		return;
	before = resident_mib();
	if (!allocator_release_freed()) {
		log_warning("freed heap not returned to the system by %s "
			    "(resident %ld MiB)", allocator_name(), before);
		return;
	}
	log_info("freed heap returned to the system: resident %ld -> %ld MiB "
		 "in %lu ms", before, resident_mib(),
		 (unsigned long)(sta_now_ms() - start));
}

/* Runs from the event loop, so a stuck loop stops the watchdog pings. */
static void on_heartbeat(su_root_magic_t *magic, su_timer_t *t,
			 su_timer_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;
	char status[sizeof d->status];

	(void)magic;
	(void)t;
	if (d->watchdog_ms)
		service_watchdog_ping();
	if (d->metrics)
		publish_metrics(d);
	release_freed_heap(d);
	summarize(d, status, sizeof status);
	if (strcmp(status, d->status) != 0) {
		memcpy(d->status, status, sizeof status);
		service_status(status);
	}
}

static void start_heartbeat(struct daemon *d)
{
	su_duration_t every = HEARTBEAT_MS;

	d->watchdog_ms = service_watchdog_ms();
	if (d->watchdog_ms && d->watchdog_ms / 2 < HEARTBEAT_MS)
		every = (su_duration_t)(d->watchdog_ms / 2);
	d->heartbeat = su_timer_create(su_root_task(d->root), every);
	if (d->heartbeat)
		su_timer_set_for_ever(d->heartbeat, on_heartbeat,
				      (su_timer_arg_t *)d);
}

static void refuse_reload(struct daemon *d, struct sta_config *next,
			  char const *why)
{
	log_error("reload of %s refused, keeping the running configuration "
		  "(%s)", d->opts->config_path, why);
	if (next)
		config_free(next);
	free(next);
	d->reload_failed = true;
	summarize(d, d->status, sizeof d->status);
	service_ready(d->status);
}

static bool same_string(char const *a, char const *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* SIGHUP and the control socket's `reload`: a new file is parsed into a
 * new struct and swapped in only when it is valid; the old one stays
 * otherwise.  BY names who asked, the file's errors go to ERR.  Returns true when the new
 * file is in force. */
static bool reload(struct daemon *d, char const *by, FILE *err)
{
	struct sta_config *next = calloc(1, sizeof *next);

	service_reloading();
	log_notice("%s: reloading %s", by, d->opts->config_path);
	if (!next || config_load(d->opts->config_path, next, err) < 0) {
		refuse_reload(d, next, "the file has errors");
		return false;
	}
	if (!same_string(next->metrics_listen, d->cfg->metrics_listen))
		log_warning("reload: metrics.listen changed; it applies after "
			    "a restart");
	if (!same_string(next->control_socket, d->cfg->control_socket))
		log_warning("reload: control.socket changed; it applies after "
			    "a restart");
	if (!sip_agent_reload(d->agent, next)) {
		fputs("auth: the new auth group cannot be used\n", err);
		refuse_reload(d, next, "its auth group cannot be used");
		return false;
	}
	config_free(d->cfg);
	free(d->cfg);
	d->cfg = next;
	log_set_level(next->log_level);
	log_notice("reload: new configuration in force for new transfers");
	d->reload_failed = false;
	summarize(d, d->status, sizeof d->status);
	service_ready(d->status);
	return true;
}

static bool reload_from_control(void *ctx, FILE *err)
{
	return reload(ctx, "control", err);
}

/* control.socket, when set; the agent runs on without it when it cannot
 * be created (logged). */
static void start_control(struct daemon *d)
{
	struct control_hooks hooks = {
		.reload = reload_from_control, .ctx = d,
	};

	if (d->cfg->control_socket)
		d->control = control_start(d->agent, d->cfg->control_socket,
					   &hooks);
}

/* Signals arrive through a signalfd watched by the event loop, so their
 * handling runs in the loop's thread like everything else. */
static int on_signal(su_root_magic_t *magic, su_wait_t *w,
		     su_wakeup_arg_t *arg)
{
	struct daemon *d = (struct daemon *)arg;
	struct signalfd_siginfo si;

	(void)magic;
	if (read(w->fd, &si, sizeof si) != sizeof si)
		return 0;
	if (si.ssi_signo == SIGHUP) {
		reload(d, "SIGHUP", stderr);
		return 0;
	}
	log_notice("%s: shutting down", strsignal((int)si.ssi_signo));
	service_stopping();
	sip_agent_drain(d->agent);
	return 0;
}

static int watch_signals(struct daemon *d, su_wait_t *w)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->signal_fd < 0 || su_wait_create(w, d->signal_fd,
					       SU_WAIT_IN) < 0)
		d->signal_index = -1;
	else
		d->signal_index = su_root_register(d->root, w, on_signal,
						   (su_wakeup_arg_t *)d, 0);
	if (d->signal_index <= 0) {
		log_error("cannot watch signals: %m");
		return -1;
	}
	return 0;
}

static void announce_ready(struct daemon *d)
{
	char line[1024];
	size_t used = 0;

	line[0] = '\0';
	for (size_t i = 0; i < d->cfg->n_listen && used < sizeof line; i++)
		used += (size_t)snprintf(line + used, sizeof line - used,
					 "%s%s", i ? ", " : "",
					 d->cfg->listen[i]);
	log_info("memory allocator: %s", allocator_name());
	log_notice("ready: listening on %s", line);
	summarize(d, d->status, sizeof d->status);
	service_ready(d->status);
}

static int run(struct daemon *d)
{
	su_wait_t w[1];
	int status = EXIT_FAILURE;

	if (su_init() != 0)
		return EXIT_FAILURE;
	sofia_log_capture();
	d->root = su_root_create(NULL);
	if (d->root && watch_signals(d, w) == 0 &&
	    (d->agent = sip_agent_create(d->root, d->cfg)) != NULL &&
	    (!d->cfg->metrics_listen ||
	     (d->metrics = metrics_http_start(d->cfg->metrics_listen)))) {
		start_heartbeat(d);
		start_control(d);
		announce_ready(d);
		su_root_run(d->root);
		log_notice("stopped");
		status = EXIT_SUCCESS;
	}
	su_timer_destroy(d->heartbeat);
	control_stop(d->control);
	metrics_http_stop(d->metrics);
	free(d->metrics_text);
	sip_agent_destroy(d->agent);
	if (d->signal_index > 0)
		su_root_deregister(d->root, d->signal_index);
	if (d->root)
		su_root_destroy(d->root);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	su_deinit();
	return status;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	struct daemon d = { .opts = &opts, .signal_fd = -1 };
	int status = parse_args(argc, argv, &opts);

	if (status >= 0)
		return status;
	d.cfg = calloc(1, sizeof *d.cfg);
	if (!d.cfg || config_load(opts.config_path, d.cfg, stderr) < 0) {
		free(d.cfg);
		return EXIT_FAILURE;
	}
	if (opts.check_only) {
		status = listen_resolvable(&opts, d.cfg) ? EXIT_SUCCESS
							 : EXIT_FAILURE;
		if (status == EXIT_SUCCESS)
			printf("configuration OK\n");
	} else {
		log_open();
		log_set_level(d.cfg->log_level);
		status = run(&d);
	}
	config_free(d.cfg);
	free(d.cfg);
	return status;
}
