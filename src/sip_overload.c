/*
 * sip_overload.c - measures for, and applies, the overload control.  See
 * sip_overload.h.
 */
#include "sip_overload.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "log.h"
#include "overload.h"
#include "sip_connections.h"
#include "sip_core.h"
#include "sip_loop.h"

struct sip_overload {
	struct sta_agent *agent;
	nta_request_f *dispatch;	/* the default leg's callback */
	nta_leg_t *default_leg;		/* NULL while shedding */
	int *udp_fds;			/* the SIP UDP listen sockets */
	size_t n_udp;
	su_timer_t *tick;		/* every OVERLOAD_TICK_MS */
	su_timer_t *apply_soon;		/* removes the leg outside its callback */
	uint64_t tick_due_ms;		/* timer_clock_ms(); 0 until the loop
					   runs the tick */
	unsigned tick_lag_ms;		/* the tick's last lateness */
	uint64_t sampled_ms;
	struct overload policy;
};

/* Refusal reason of a shed REFER (metrics compare reasons by address). */
static char const WHY_OVERLOAD[] = "overload";

/* FD is a UDP socket bound to one of the agent's listen addresses. */
static bool is_sip_udp(struct sta_agent const *agent, int fd)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof local;
	int type;
	socklen_t tlen = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
	    type != SOCK_DGRAM)
		return false;
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0 ||
	    (local.ss_family != AF_INET && local.ss_family != AF_INET6))
		return false;
	return agent_address_is_own(agent, &local);
}

/* Collect the SIP UDP sockets NTA opened (tport does not export its
 * sockets) and have the kernel stamp each datagram's arrival. */
static bool find_udp_sockets(struct sip_overload *ov)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int on = 1;

	if (!dir) {
		log_warning("overload: cannot list /proc/self/fd (%m): queue "
			    "waits unmeasured, only the loop's lag counts");
		return true;
	}
	while ((e = readdir(dir))) {
		int fd = atoi(e->d_name);
		int *more;

		if (e->d_name[0] == '.' || fd == dirfd(dir) ||
		    !is_sip_udp(ov->agent, fd))
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on,
			       sizeof on) != 0)
			continue;
		more = realloc(ov->udp_fds, (ov->n_udp + 1) * sizeof *more);
		if (!more) {
			closedir(dir);
			return false;
		}
		ov->udp_fds = more;
		ov->udp_fds[ov->n_udp++] = fd;
	}
	closedir(dir);
	return true;
}

/* How long the oldest datagram queued in FD has waited, in ms; 0 when
 * none is queued.  MSG_PEEK: tport still reads it. */
static unsigned head_wait_ms(int fd, struct timespec const *now)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c;

	if (recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) < 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct timespec at;
		int64_t ms;

		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS)
			continue;
		memcpy(&at, CMSG_DATA(c), sizeof at);
		ms = ((int64_t)now->tv_sec - at.tv_sec) * 1000 +
		     (now->tv_nsec - at.tv_nsec) / 1000000;
		return ms < 0 ? 0 : ms > 60000 ? 60000 : (unsigned)ms;
	}
	return 0;
}

static unsigned queue_wait_ms(struct sip_overload const *ov)
{
	struct timespec now;	/* the kernel stamps with CLOCK_REALTIME */
	unsigned longest = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < ov->n_udp; i++) {
		unsigned w = head_wait_ms(ov->udp_fds[i], &now);

		if (w > longest)
			longest = w;
	}
	return longest;
}

/* Milliseconds of the clock Sofia-SIP's timers run on (su_now():
 * CLOCK_REALTIME).  The tick's lateness is measured on it, so a step of
 * the wall clock back never looks like a loop that stopped (the tick then
 * fires late, by the step, and its last lateness stands meanwhile), and a
 * step forward looks like one late tick at most. */
static uint64_t timer_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* How far past its due time the tick is at NOW (timer_clock_ms()); 0
 * before the loop first runs it (start-up is no lateness). */
static uint64_t tick_overdue_ms(struct sip_overload const *ov, uint64_t now)
{
	return ov->tick_due_ms && now > ov->tick_due_ms ?
		now - ov->tick_due_ms : 0;
}

/* The loop's lateness at NOW (timer_clock_ms()): the tick's last, or more
 * while it is overdue. */
static unsigned loop_lag_ms(struct sip_overload const *ov, uint64_t now)
{
	uint64_t overdue = tick_overdue_ms(ov, now);

	return overdue > ov->tick_lag_ms ? (unsigned)overdue : ov->tick_lag_ms;
}

static void report(struct sip_overload *ov, enum overload_event e,
		   uint64_t now)
{
	struct overload const *p = &ov->policy;
	struct sta_metrics *m = &ov->agent->metrics;

	m->overload_shedding = p->shedding;
	m->overloaded = p->overloaded;
	m->overload_episodes = p->episodes;
	m->overload_queue_wait_ms = p->last.queue_wait_ms;
	m->overload_loop_lag_ms = p->last.loop_lag_ms;
	if (e == OVERLOAD_BEGAN)
		log_warning("overload: new requests outside dialogs get 503 "
			    "(oldest queued datagram waited %u ms, event loop "
			    "%u ms late)", p->last.queue_wait_ms,
			    p->last.loop_lag_ms);
	else if (e == OVERLOAD_ENDED)
		log_notice("overload: over after %.1f s: %lu new request(s) "
			   "shed, %lu taken", (double)overload_episode_ms(p,
			   now) / 1000, p->episode_shed, p->episode_admitted);
}

static void sample(struct sip_overload *ov, uint64_t now)
{
	struct overload_sample s = { .now_ms = now };

	if (ov->agent->cfg->overload_control) {
		s.queue_wait_ms = queue_wait_ms(ov);
		s.loop_lag_ms = loop_lag_ms(ov, timer_clock_ms());
	}
	ov->sampled_ms = now;
	report(ov, overload_update(&ov->policy, &s), now);
}

static void sample_when_due(struct sip_overload *ov, uint64_t now)
{
	if (now - ov->sampled_ms >= OVERLOAD_SAMPLE_MS)
		sample(ov, now);
}

/* The default leg exists exactly while new work is taken. */
static void apply(struct sip_overload *ov)
{
	if (ov->policy.shedding && ov->default_leg) {
		nta_leg_destroy(ov->default_leg);
		ov->default_leg = NULL;
	} else if (!ov->policy.shedding && !ov->default_leg) {
		ov->default_leg = nta_leg_tcreate(ov->agent->nta, ov->dispatch,
			(nta_leg_magic_t *)ov->agent, NTATAG_NO_DIALOG(1),
			TAG_END());
		if (!ov->default_leg)
			log_error("overload: cannot restore the default leg: "
				  "requests outside dialogs get 503");
	}
}

static void on_apply_soon(su_root_magic_t *magic, su_timer_t *t,
			  su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	apply((struct sip_overload *)arg);
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t,
		    su_timer_arg_t *arg)
{
	struct sip_overload *ov = (struct sip_overload *)arg;
	uint64_t now = timer_clock_ms();

	(void)magic;
	ov->tick_lag_ms = (unsigned)tick_overdue_ms(ov, now);
	ov->tick_due_ms = now + OVERLOAD_TICK_MS;
	su_timer_set_interval(t, on_tick, arg, OVERLOAD_TICK_MS);
	sample(ov, sta_now_ms());
	apply(ov);
}

bool sip_overload_create(struct sta_agent *agent, nta_request_f *dispatch)
{
	struct sip_overload *ov = su_zalloc(agent->home, sizeof *ov);
	su_root_t *root = agent->root;

	if (!ov)
		return false;
	agent->overload = ov;
	ov->agent = agent;
	ov->dispatch = dispatch;
	overload_init(&ov->policy);
	ov->tick = su_timer_create(su_root_task(root), 0);
	ov->apply_soon = su_timer_create(su_root_task(root), 0);
	if (!ov->tick || !ov->apply_soon || !find_udp_sockets(ov))
		return false;
	apply(ov);
	if (!ov->default_leg)
		return false;
	su_timer_set_interval(ov->tick, on_tick, (su_timer_arg_t *)ov,
			      OVERLOAD_TICK_MS);
	return true;
}

void sip_overload_destroy(struct sta_agent *agent)
{
	struct sip_overload *ov = agent->overload;

	if (!ov)
		return;
	su_timer_destroy(ov->tick);
	su_timer_destroy(ov->apply_soon);
	if (ov->default_leg)
		nta_leg_destroy(ov->default_leg);
	free(ov->udp_fds);
	agent->overload = NULL;
	su_free(agent->home, ov);
}

/* Count request SIP shed; returns its Retry-After. */
static unsigned count_shed(struct sip_overload *ov, sip_t const *sip)
{
	struct sta_agent *agent = ov->agent;

	agent->metrics.overload_shed++;
	if (sip->sip_request->rq_method == sip_method_refer) {
		agent->refused++;
		agent->metrics.refers[503]++;
		metrics_count_refusal(&agent->metrics, WHY_OVERLOAD);
	}
	return overload_shed(&ov->policy);
}

bool sip_overload_admit(struct sta_agent *agent, nta_incoming_t *irq,
			sip_t const *sip)
{
	struct sip_overload *ov = agent->overload;
	char retry_after[4];

	sample_when_due(ov, sta_now_ms());
	if (!ov->policy.shedding) {
		overload_admitted(&ov->policy);
		return true;
	}
	snprintf(retry_after, sizeof retry_after, "%u", count_shed(ov, sip));
	nta_incoming_treply(irq, SIP_503_SERVICE_UNAVAILABLE,
			    SIPTAG_RETRY_AFTER_STR(retry_after), TAG_END());
	/* NTA's leg_recv() is still to finish with the leg */
	su_timer_set_interval(ov->apply_soon, on_apply_soon,
			      (su_timer_arg_t *)ov, 0);
	return false;
}

int sip_overload_stateless(nta_agent_magic_t *magic, nta_agent_t *nta,
			   msg_t *msg, sip_t *sip)
{
	struct sta_agent *agent = (struct sta_agent *)magic;
	struct sip_overload *ov = agent->overload;
	char retry_after[4];

	if (!ov || !sip || !sip->sip_request ||
	    sip->sip_request->rq_method == sip_method_ack) {
		msg_destroy(msg);
		return 0;
	}
	sip_connections_seen_msg(agent->conns, msg);
	sample_when_due(ov, sta_now_ms());
	snprintf(retry_after, sizeof retry_after, "%u", count_shed(ov, sip));
	nta_msg_treply(nta, msg, SIP_503_SERVICE_UNAVAILABLE,
		       SIPTAG_RETRY_AFTER_STR(retry_after), TAG_END());
	apply(ov);
	return 0;
}
