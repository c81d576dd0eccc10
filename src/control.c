/*
 * control.c - the control socket of sip-transfer-agentctl.
 * See control.h.
 *
 * Nothing here blocks: the listening socket and every client are
 * non-blocking and watched by the su_root loop; answers wait in a
 * client's output buffer until the socket takes them.  A client that is
 * done is closed from the reaper timer, never inside its own callback.
 */
#include "control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "referer.h"
#include "sip_core.h"
#include "sip_dialog.h"
#include "sip_referer.h"
#include "sip_transfer.h"

/* A client's unsent answers may grow this far (a `transfers` list of the
 * largest max_active); beyond it the client is dropped. */
#define CONTROL_OUT_MAX (64u << 20)

struct client {
	struct sta_control *ctl;
	LIST_ENTRY(client) link;	/* in the control's clients */
	int fd;
	int index;			/* registration in the root */
	su_wait_t wait[1];
	char in[CONTROL_LINE_MAX + 1];
	size_t in_len;
	struct json_out out;
	struct sta_referer *referer;	/* a `refer` streaming to it */
	bool no_wait;			/* that `refer` ends at its 202 */
	bool closing;			/* close once OUT is written */
	bool gone;			/* closed: freed by the reaper */
};

struct sta_control {
	struct sta_agent *agent;
	struct control_hooks hooks;
	char *path;
	int fd;
	int index;
	su_wait_t wait[1];
	LIST_HEAD(, client) clients;
	unsigned n_clients;
	su_timer_t *reaper;
	uint64_t started_ms;
};

/* ---- clients ------------------------------------------------------------ */

static void update_events(struct client *cl)
{
	int events = cl->closing ? 0 : SU_WAIT_IN | SU_WAIT_HUP;

	if (cl->out.len)
		events |= SU_WAIT_OUT;
	su_root_eventmask(cl->ctl->agent->root, cl->index, cl->fd, events);
}

static void on_reap(su_root_magic_t *magic, su_timer_t *t,
		    su_timer_arg_t *arg)
{
	struct sta_control *c = (struct sta_control *)arg;
	struct client *cl = LIST_FIRST(&c->clients), *next;

	(void)magic;
	(void)t;
	for (; cl; cl = next) {
		next = LIST_NEXT(cl, link);
		if (!cl->gone)
			continue;
		LIST_REMOVE(cl, link);
		json_out_free(&cl->out);
		free(cl);
	}
}

/* Stop serving CL now; its memory goes at the next reap. */
static void client_close(struct client *cl)
{
	struct sta_control *c = cl->ctl;

	if (cl->gone)
		return;
	cl->gone = true;
	if (cl->referer)
		sip_referer_detach(cl->referer);
	cl->referer = NULL;
	su_root_deregister(c->agent->root, cl->index);
	close(cl->fd);
	c->n_clients--;
	su_timer_set_interval(c->reaper, on_reap, (su_timer_arg_t *)c, 0);
}

static void flush(struct client *cl)
{
	while (cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.buf, cl->out.len,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(cl);
			return;
		}
		json_consume(&cl->out, (size_t)n);
	}
	if (cl->out.failed) {
		log_warning("control: a client reads too slowly; closed");
		client_close(cl);
	} else if (cl->closing && !cl->out.len) {
		client_close(cl);
	} else {
		update_events(cl);
	}
}

/* The final line of an answer: {"ok":false,"error":WHY}. */
static void fail(struct client *cl, char const *why)
{
	json_begin(&cl->out);
	json_bool(&cl->out, "ok", false);
	json_str(&cl->out, "error", why);
	json_end(&cl->out);
}

static void ok_with(struct client *cl, char const *key, char const *text)
{
	json_begin(&cl->out);
	json_bool(&cl->out, "ok", true);
	json_str(&cl->out, key, text);
	json_end(&cl->out);
}

static void run_lines(struct client *cl);

/* ---- commands ----------------------------------------------------------- */

static void cmd_status(struct client *cl, struct json_object const *rq)
{
	struct sta_agent *a = cl->ctl->agent;
	struct json_out *o = &cl->out;

	(void)rq;
	json_begin(o);
	json_bool(o, "ok", true);
	json_str(o, "version", PACKAGE_VERSION);
	json_int(o, "uptime_s",
		 (long long)((sta_now_ms() - cl->ctl->started_ms) / 1000));
	json_int(o, "transfers", a->n_live);
	json_int(o, "calls", dialog_count_calls(a));
	json_int(o, "accepted", (long long)a->accepted);
	json_int(o, "refused", (long long)a->refused);
	json_bool(o, "draining", agent_draining(a));
	json_end(o);
}

static void one_transfer(void *ctx, struct xfer_view const *v)
{
	struct json_out *o = ctx;

	json_begin(o);
	json_int(o, "id", (long long)v->id);
	json_int(o, "age_s", (long long)(v->age_ms / 1000));
	json_str(o, "call", v->call);
	json_str(o, "subscription", v->subscription);
	json_str(o, "referer", v->referer);
	json_str(o, "refer_to", v->refer_to);
	json_str(o, "last_status", v->last_status);
	json_int(o, "notifies_sent", v->notifies_sent);
	json_int(o, "notifies_coalesced", v->notifies_coalesced);
	json_end(o);
}

static void cmd_transfers(struct client *cl, struct json_object const *rq)
{
	(void)rq;
	xfer_each(cl->ctl->agent, one_transfer, &cl->out);
	ok_with(cl, "list", "transfers");
}

static void one_call(void *ctx, struct call_view const *v)
{
	struct json_out *o = ctx;

	json_begin(o);
	json_int(o, "id", (long long)v->id);
	json_str(o, "peer", v->peer);
	json_int(o, "age_s", (long long)(v->age_ms / 1000));
	if (v->transfer)
		json_int(o, "transfer", (long long)v->transfer);
	else
		json_null(o, "transfer");
	json_end(o);
}

static void cmd_calls(struct client *cl, struct json_object const *rq)
{
	(void)rq;
	dialog_each_call(cl->ctl->agent, one_call, &cl->out);
	ok_with(cl, "list", "calls");
}

/* Member KEY of RQ as a positive id into *ID; answers the error itself
 * and returns false when there is none. */
static bool id_of(struct client *cl, struct json_object const *rq,
		  char const *key, unsigned long *id)
{
	long long v;
	char why[64];

	if (json_get_int(rq, key, &v) && v > 0) {
		*id = (unsigned long)v;
		return true;
	}
	snprintf(why, sizeof why, "\"%s\" must be a positive integer", key);
	fail(cl, why);
	return false;
}

static void cmd_cancel(struct client *cl, struct json_object const *rq)
{
	unsigned long id;
	char const *did;
	char why[64];

	if (!id_of(cl, rq, "id", &id))
		return;
	if (xfer_cancel(cl->ctl->agent, id, &did)) {
		ok_with(cl, "result", did);
		return;
	}
	snprintf(why, sizeof why, "no live transfer %lu (or cancelled "
		 "already)", id);
	fail(cl, why);
}

/* The held call ID, or NULL after answering the error. */
static struct sta_dialog *call_of(struct client *cl, unsigned long id)
{
	struct sta_dialog *d = dialog_call(cl->ctl->agent, id);
	char why[64];

	if (!d) {
		snprintf(why, sizeof why, "no call %lu", id);
		fail(cl, why);
	}
	return d;
}

static void cmd_hangup(struct client *cl, struct json_object const *rq)
{
	unsigned long id;
	struct sta_dialog *d;

	if (!id_of(cl, rq, "call", &id) || !(d = call_of(cl, id)))
		return;
	log_notice("call %lu: hung up from the control socket", id);
	dialog_hangup(d);
	ok_with(cl, "result", "BYE sent");
}

static void cmd_drain(struct client *cl, struct json_object const *rq)
{
	(void)rq;
	cl->ctl->agent->paused = true;
	log_notice("control: drain: new REFERs get 503");
	ok_with(cl, "result", "draining: new REFERs get 503");
}

static void cmd_resume(struct client *cl, struct json_object const *rq)
{
	struct sta_agent *a = cl->ctl->agent;

	(void)rq;
	if (a->shutting_down) {
		fail(cl, "the agent is shutting down");
		return;
	}
	a->paused = false;
	log_notice("control: resume: new REFERs are accepted");
	ok_with(cl, "result", "accepting new REFERs");
}

static void cmd_reload(struct client *cl, struct json_object const *rq)
{
	char *errors = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&errors, &len);
	bool ok;

	(void)rq;
	if (!err) {
		fail(cl, "out of memory");
		return;
	}
	ok = cl->ctl->hooks.reload(cl->ctl->hooks.ctx, err);
	fclose(err);
	if (len)
		fputs(errors, stderr);
	if (ok) {
		ok_with(cl, "result", "new configuration in force for new "
			"transfers");
	} else {
		json_begin(&cl->out);
		json_bool(&cl->out, "ok", false);
		json_str(&cl->out, "error", "reload refused, the running "
			 "configuration stays");
		json_str(&cl->out, "errors", errors);
		json_end(&cl->out);
	}
	free(errors);
}

/* ---- refer -------------------------------------------------------------- */

static void refer_report(void *owner, char const *line, bool answer)
{
	struct client *cl = owner;

	json_begin(&cl->out);
	json_str(&cl->out, "progress", line);
	json_end(&cl->out);
	if (answer && cl->no_wait) {
		ok_with(cl, "result", "REFER accepted; not waiting for its "
			"NOTIFYs");
		sip_referer_detach(cl->referer);
		cl->referer = NULL;
		run_lines(cl);
	}
	flush(cl);
}

static void refer_done(void *owner, bool success, char const *result)
{
	struct client *cl = owner;

	cl->referer = NULL;
	if (success)
		ok_with(cl, "result", result);
	else
		fail(cl, result);
	run_lines(cl);
	flush(cl);
}

/* A Refer-To URI from the operator: no spaces, controls, brackets or
 * quotes that would break the header. */
static bool uri_usable(char const *uri)
{
	if (strncmp(uri, "sip:", 4) != 0 && strncmp(uri, "sips:", 5) != 0)
		return false;
	for (; *uri; uri++)
		if ((unsigned char)*uri <= ' ' || strchr("<>\"", *uri) ||
		    *uri == 0x7f)
			return false;
	return true;
}

/* The Refer-To of the request into BUF, ?Replaces= of call REPLACES
 * added when it names one. */
static bool refer_target(struct client *cl, struct json_object const *rq,
			 struct sta_dialog *d, char *buf, size_t size)
{
	char const *uri = json_get_str(rq, "uri");
	struct sta_dialog *other;
	unsigned long id;

	if (!uri || !uri_usable(uri)) {
		fail(cl, "\"uri\" must be a sip: or sips: URI");
		return false;
	}
	if (!json_get(rq, "replaces")) {
		snprintf(buf, size, "%s", uri);
		return strlen(uri) < size || (fail(cl, "URI too long"), false);
	}
	if (!id_of(cl, rq, "replaces", &id) || !(other = call_of(cl, id)))
		return false;
	if (other == d) {
		fail(cl, "a call cannot replace itself");
		return false;
	}
	if (referer_replaces_uri(buf, size, uri, other->call_id,
				 other->remote_tag, other->local_tag) < 0) {
		fail(cl, "the URI has headers already, or is too long");
		return false;
	}
	return true;
}

static void cmd_refer(struct client *cl, struct json_object const *rq)
{
	struct referer_sink sink = {
		.report = refer_report, .done = refer_done, .owner = cl,
	};
	struct sta_agent *a = cl->ctl->agent;
	char refer_to[1024];
	unsigned long id;
	struct sta_dialog *d;
	uint64_t timeout_ms = (uint64_t)a->cfg->subscription_expires * 1000;

	if (!id_of(cl, rq, "call", &id) || !(d = call_of(cl, id)) ||
	    !refer_target(cl, rq, d, refer_to, sizeof refer_to))
		return;
	cl->referer = sip_referer_start(d, refer_to, timeout_ms, &sink);
	if (!cl->referer) {
		fail(cl, "cannot send the REFER");
		return;
	}
	cl->no_wait = json_get(rq, "wait") && !json_is_true(rq, "wait");
}

static const struct command {
	char const *name;
	void (*run)(struct client *cl, struct json_object const *rq);
} commands[] = {
	{ "status", cmd_status },
	{ "transfers", cmd_transfers },
	{ "calls", cmd_calls },
	{ "cancel", cmd_cancel },
	{ "hangup", cmd_hangup },
	{ "refer", cmd_refer },
	{ "drain", cmd_drain },
	{ "resume", cmd_resume },
	{ "reload", cmd_reload },
};

static void run_line(struct client *cl, char const *line, size_t len)
{
	static struct json_object rq;	/* 8 kB: off the stack */
	char const *name;
	char why[96];

	if (json_parse(line, len, &rq) < 0 ||
	    !(name = json_get_str(&rq, "cmd"))) {
		fail(cl, "not a JSON object with a \"cmd\"");
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0) {
			log_debug("control: %s", name);
			commands[i].run(cl, &rq);
			return;
		}
	snprintf(why, sizeof why, "unknown command '%.40s'", name);
	fail(cl, why);
}

/* Run the complete lines in CL's input; a `refer` in progress holds the
 * ones after it until it is over (the client reads its stream first). */
static void run_lines(struct client *cl)
{
	char *nl;

	while (!cl->gone && !cl->referer && !cl->closing &&
	       (nl = memchr(cl->in, '\n', cl->in_len))) {
		size_t n = (size_t)(nl - cl->in) + 1;

		run_line(cl, cl->in, n - 1);
		memmove(cl->in, cl->in + n, cl->in_len - n);
		cl->in_len -= n;
	}
}

/* Input that fills the buffer without a request ending in it (a line
 * too long, or too much sent during a `refer`) closes the client. */
static void client_read(struct client *cl)
{
	ssize_t n = recv(cl->fd, cl->in + cl->in_len,
			 CONTROL_LINE_MAX - cl->in_len, 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		/* the client is gone: a `refer` goes on without it */
		client_close(cl);
		return;
	}
	cl->in_len += (size_t)n;
	run_lines(cl);
	if (!cl->gone && !cl->closing && cl->in_len == CONTROL_LINE_MAX) {
		fail(cl, "request line too long");
		cl->closing = true;
	}
}

static int on_client(su_root_magic_t *magic, su_wait_t *w,
		     su_wakeup_arg_t *arg)
{
	struct client *cl = (struct client *)arg;
	int events = su_wait_events(w, cl->fd);

	(void)magic;
	if (!cl->gone && !cl->closing &&
	    (events & (SU_WAIT_IN | SU_WAIT_HUP)))
		client_read(cl);
	if (!cl->gone)
		flush(cl);
	return 0;
}

/* ---- the listening socket ---------------------------------------------- */

static void refuse_client(int fd)
{
	static const char busy[] = "{\"ok\":false,\"error\":\"too many "
				   "control clients\"}\n";

	if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control: refused client gone: %m");
	close(fd);
}

static void add_client(struct sta_control *c, int fd)
{
	struct client *cl = calloc(1, sizeof *cl);

	if (!cl || su_wait_create(cl->wait, fd, SU_WAIT_IN | SU_WAIT_HUP) < 0 ||
	    (cl->index = su_root_register(c->agent->root, cl->wait, on_client,
					  (su_wakeup_arg_t *)cl, 0)) <= 0) {
		log_error("control: cannot serve a client");
		free(cl);
		close(fd);
		return;
	}
	cl->ctl = c;
	cl->fd = fd;
	cl->out.max = CONTROL_OUT_MAX;
	LIST_INSERT_HEAD(&c->clients, cl, link);
	c->n_clients++;
}

static int on_accept(su_root_magic_t *magic, su_wait_t *w,
		     su_wakeup_arg_t *arg)
{
	struct sta_control *c = (struct sta_control *)arg;
	int fd;

	(void)magic;
	(void)w;
	while ((fd = accept4(c->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (c->n_clients >= CONTROL_MAX_CLIENTS)
			refuse_client(fd);
		else
			add_client(c, fd);
	}
	return 0;
}

/* A file at PATH that no agent listens on any more may go; anything
 * else (a live socket, a file that is not a socket) stays. */
static bool clear_stale(char const *path, struct sockaddr_un const *sun)
{
	struct stat st;
	int fd;
	bool live;

	if (lstat(path, &st) != 0)
		return errno == ENOENT;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("control socket %s: exists and is not a socket",
			  path);
		return false;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	live = fd >= 0 && connect(fd, (struct sockaddr const *)sun,
				  sizeof *sun) == 0;
	if (fd >= 0)
		close(fd);
	if (live) {
		log_error("control socket %s: another process serves it",
			  path);
		return false;
	}
	log_notice("control socket %s: replacing a stale file", path);
	return unlink(path) == 0 || errno == ENOENT;
}

static int listen_on(char const *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (!clear_stale(path, &sun))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr const *)&sun, sizeof sun) != 0 ||
	    chmod(path, 0660) != 0 || chown(path, getuid(), getgid()) != 0 ||
	    listen(fd, CONTROL_MAX_CLIENTS) != 0) {
		log_error("control socket %s: %m", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct sta_control *control_start(struct sta_agent *agent, char const *path,
				  struct control_hooks const *hooks)
{
	struct sta_control *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->agent = agent;
	c->hooks = *hooks;
	c->started_ms = sta_now_ms();
	c->fd = listen_on(path);
	c->path = c->fd >= 0 ? strdup(path) : NULL;
	c->reaper = su_timer_create(su_root_task(agent->root), 0);
	if (c->fd < 0 || !c->path || !c->reaper ||
	    su_wait_create(c->wait, c->fd, SU_WAIT_ACCEPT) < 0 ||
	    (c->index = su_root_register(agent->root, c->wait, on_accept,
					 (su_wakeup_arg_t *)c, 0)) <= 0) {
		if (c->fd >= 0)
			log_error("control socket %s: cannot watch it", path);
		control_stop(c);
		return NULL;
	}
	log_notice("control socket %s ready", path);
	return c;
}

void control_stop(struct sta_control *c)
{
	if (!c)
		return;
	while (!LIST_EMPTY(&c->clients)) {
		struct client *cl = LIST_FIRST(&c->clients);

		client_close(cl);
		LIST_REMOVE(cl, link);
		json_out_free(&cl->out);
		free(cl);
	}
	if (c->index > 0)
		su_root_deregister(c->agent->root, c->index);
	if (c->fd >= 0) {
		close(c->fd);
		unlink(c->path);
	}
	su_timer_destroy(c->reaper);
	free(c->path);
	free(c);
}
