/*
 * sip_transfer.c - the Sofia-SIP side of one accepted transfer.
 * See sip_transfer.h.
 *
 * Each handler translates one NTA event into a call of the pure state
 * machine, then perform() carries out the actions it returned.  The
 * transfer owns a su_home for everything it keeps, two NTA legs (referer
 * and target dialogs), at most one NOTIFY and one INVITE transaction, and
 * one timer.
 */
#include "sip_transfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "log.h"
#include "sip_agent.h"
#include "transfer.h"

struct sta_transfer {
	su_home_t home[1];		/* first: the transfer is its own home */
	struct sta_agent *agent;
	struct sta_transfer *next, **prev;	/* agent->transfers list */
	unsigned long id;
	struct transfer core;
	bool counted_calling;		/* counted in agent->calling */

	nta_leg_t *referer_leg;		/* dialog of the REFER, for NOTIFYs */
	sip_event_t *event;		/* refer;id=<REFER CSeq> */
	nta_outgoing_t *notify;		/* the NOTIFY awaiting its answer */

	nta_leg_t *call_leg;		/* dialog with the target */
	nta_outgoing_t *invite;
	url_t *target;
	sip_replaces_t *replaces;
	sip_referred_by_t *referred_by;
	char *call_id;			/* the referer's, for logs */
	char *refer_to;			/* as written, for logs */

	su_timer_t *timer;
	bool invite_failed;		/* the INVITE could not be sent */
	bool notify_failed;		/* the NOTIFY could not be sent */
	bool dead;			/* over: freed from the next timer */
};

static void perform(struct sta_transfer *x, struct transfer_actions *a);

/* A log line of this transfer, with its journal fields and STATUS. */
__attribute__((format(printf, 4, 5)))
static void xlog(struct sta_transfer const *x, enum sta_log_level level,
		 int status, char const *fmt, ...)
{
	struct log_fields f = {
		.transfer_id = x->id,
		.call_id = x->call_id,
		.refer_to = x->refer_to,
		.sip_status = status,
	};
	va_list ap;

	va_start(ap, fmt);
	log_withv(level, &f, fmt, ap);
	va_end(ap);
}

static bool response_is_local(sip_t const *sip)
{
	return sip == NULL || nta_sip_is_internal(sip);
}

static int response_status(nta_outgoing_t *orq, sip_t const *sip)
{
	return sip && sip->sip_status ? sip->sip_status->st_status :
					nta_outgoing_status(orq);
}

/* Keep agent->calling (limits.max_active) in step with the core. */
static void update_calling(struct sta_transfer *x)
{
	bool calling = transfer_is_calling(&x->core);

	if (calling == x->counted_calling)
		return;
	x->agent->calling += calling ? 1 : -1;
	x->counted_calling = calling;
	if (calling)
		return;
	metrics_observe_final(&x->agent->metrics, x->core.final_status,
			      sta_now_ms() - x->core.started_ms);
	sip_agent_transfers_changed(x->agent);
}

static void xfer_free(struct sta_transfer *x)
{
	struct sta_metrics *m = &x->agent->metrics;

	m->notifies_coalesced += x->core.pacer.coalesced;
	if (x->core.sub == SUB_ENDED)
		m->subscriptions_ended[x->core.sub_end]++;
	if (x->counted_calling)
		x->agent->calling--;
	x->agent->n_live--;
	*x->prev = x->next;
	if (x->next)
		x->next->prev = x->prev;
	su_timer_destroy(x->timer);
	if (x->notify)
		nta_outgoing_destroy(x->notify);
	if (x->invite)
		nta_outgoing_destroy(x->invite);
	if (x->referer_leg)
		nta_leg_destroy(x->referer_leg);
	if (x->call_leg)
		nta_leg_destroy(x->call_leg);
	su_home_unref(x->home);
}

void xfer_shutdown_all(struct sta_agent *agent)
{
	for (struct sta_transfer *x = agent->transfers; x; x = x->next) {
		struct transfer_actions a;

		if (x->dead)
			continue;
		transfer_shutdown(&x->core, sta_now_ms(), &a);
		perform(x, &a);
	}
}

void xfer_free_all(struct sta_agent *agent)
{
	while (agent->transfers)
		xfer_free(agent->transfers);
}

/* ---- NOTIFY toward the referer ---------------------------------------- */

static int on_notify_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip)
{
	struct sta_transfer *x = (struct sta_transfer *)magic;
	struct transfer_actions a;
	int status = response_status(orq, sip);

	if (status < 200)
		return 0;
	nta_outgoing_destroy(orq);
	x->notify = NULL;
	log_debug("transfer %lu: NOTIFY answered %d", x->id, status);
	transfer_on_notify_answer(&x->core, status, response_is_local(sip),
				  sta_now_ms(), &a);
	perform(x, &a);
	return 0;
}

static bool send_notify(struct sta_transfer *x,
			struct transfer_actions const *a)
{
	x->notify = nta_outgoing_tcreate(
		x->referer_leg, on_notify_answer,
		(nta_outgoing_magic_t *)x, NULL, SIP_METHOD_NOTIFY, NULL,
		SIPTAG_EVENT(x->event),
		SIPTAG_SUBSCRIPTION_STATE_STR(a->notify_state),
		SIPTAG_CONTACT(x->agent->contact),
		SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
		SIPTAG_PAYLOAD_STR(a->notify_body), TAG_END());
	xlog(x, STA_LOG_INFO, atoi(a->notify_body + 8),
	     "transfer %lu: NOTIFY %.*s (%s)", x->id,
		 (int)strcspn(a->notify_body, "\r\n"), a->notify_body,
		 a->notify_state);
	if (!x->notify)
		log_error("transfer %lu: cannot send NOTIFY", x->id);
	else
		x->agent->metrics.notifies_sent++;
	return x->notify != NULL;
}

/* ---- the call toward the target --------------------------------------- */

static void send_ack(struct sta_transfer *x, sip_t const *sip)
{
	nta_outgoing_t *ack;

	nta_leg_rtag(x->call_leg, sip->sip_to->a_tag);
	nta_leg_client_route(x->call_leg, sip->sip_record_route,
			     sip->sip_contact);
	ack = nta_outgoing_tcreate(x->call_leg, NULL, NULL, NULL,
				   SIP_METHOD_ACK, NULL,
				   SIPTAG_CONTACT(x->agent->contact),
				   TAG_END());
	if (ack)
		nta_outgoing_destroy(ack);
	else
		log_error("transfer %lu: cannot send ACK", x->id);
}

static int on_invite_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip)
{
	struct sta_transfer *x = (struct sta_transfer *)magic;
	struct transfer_actions a;
	int status = response_status(orq, sip);
	char const *phrase = sip && sip->sip_status ?
		sip->sip_status->st_phrase : NULL;

	xlog(x, STA_LOG_INFO, status, "transfer %lu: target answered %d %s",
	     x->id, status,
		 phrase ? phrase : "");
	if (status >= 200 && status < 300 && !response_is_local(sip))
		send_ack(x, sip);
	if (status >= 200) {
		nta_outgoing_destroy(orq);
		x->invite = NULL;
	}
	transfer_on_response(&x->core, status, phrase, response_is_local(sip),
			     sta_now_ms(), &a);
	perform(x, &a);
	return 0;
}

/* Requests from the target inside the call: BYE ends it. */
static int on_call_request(nta_leg_magic_t *magic, nta_leg_t *leg,
			   nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_transfer *x = (struct sta_transfer *)magic;
	struct transfer_actions a;

	(void)leg;
	if (x->dead)
		return 481;
	switch (sip->sip_request->rq_method) {
	case sip_method_bye:
		log_info("transfer %lu: target ended the call", x->id);
		nta_incoming_treply(irq, SIP_200_OK, TAG_END());
		transfer_on_call_ended(&x->core, sta_now_ms(), &a);
		perform(x, &a);
		return 200;
	case sip_method_ack:
		return 0;
	case sip_method_options:
		return 200;
	default:
		return 501;
	}
}

static bool send_invite(struct sta_transfer *x)
{
	struct sta_agent *agent = x->agent;
	char const *from = agent->cfg->identity_from;

	x->call_leg = nta_leg_tcreate(
		agent->nta, on_call_request, (nta_leg_magic_t *)x,
		TAG_IF(from, SIPTAG_FROM_STR(from)),
		TAG_IF(!from, SIPTAG_FROM(sip_from_create(
			x->home, (url_string_t *)agent->contact->m_url))),
		SIPTAG_TO(sip_to_create(x->home, (url_string_t *)x->target)),
		SIPTAG_CALL_ID(sip_call_id_create(x->home, NULL)),
		TAG_END());
	if (x->call_leg)
		nta_leg_tag(x->call_leg, NULL);
	x->invite = !x->call_leg ? NULL : nta_outgoing_tcreate(
		x->call_leg, on_invite_answer, (nta_outgoing_magic_t *)x,
		NULL, SIP_METHOD_INVITE, (url_string_t *)x->target,
		SIPTAG_CONTACT(agent->contact),
		SIPTAG_REFERRED_BY(x->referred_by),
		TAG_IF(x->replaces, SIPTAG_REPLACES(x->replaces)),
		SIPTAG_ALLOW_STR(STA_ALLOW),
		SIPTAG_SUPPORTED_STR(STA_SUPPORTED),
		SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		SIPTAG_PAYLOAD_STR(agent->cfg->sdp), TAG_END());
	if (!x->invite)
		log_error("transfer %lu: cannot send INVITE", x->id);
	return x->invite != NULL;
}

static void send_bye(struct sta_transfer *x)
{
	nta_outgoing_t *bye = nta_outgoing_tcreate(
		x->call_leg, NULL, NULL, NULL, SIP_METHOD_BYE, NULL,
		TAG_END());

	if (bye)
		nta_outgoing_destroy(bye);
	else
		log_error("transfer %lu: cannot send BYE", x->id);
}

static void send_cancel(struct sta_transfer *x)
{
	if (x->invite)
		nta_outgoing_tcancel(x->invite, NULL, NULL, TAG_END());
}

/* ---- timer and actions ------------------------------------------------ */

/* The timer runs the machine's deadlines, and also reports a request that
 * could not be sent, and frees a finished transfer: both outside the NTA
 * callback or the perform() that found them. */
static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	struct sta_transfer *x = (struct sta_transfer *)arg;
	struct transfer_actions a;
	uint64_t now = sta_now_ms();

	(void)magic;
	(void)t;
	if (x->dead) {
		struct sta_agent *agent = x->agent;

		xfer_free(x);
		sip_agent_transfers_changed(agent);
		return;
	}
	if (x->invite_failed) {
		x->invite_failed = false;
		transfer_on_response(&x->core, 503, NULL, true, now, &a);
	} else if (x->notify_failed) {
		x->notify_failed = false;
		transfer_on_notify_answer(&x->core, 503, true, now, &a);
	} else {
		transfer_tick(&x->core, now, &a);
	}
	perform(x, &a);
}

static void arm_timer(struct sta_transfer *x, uint64_t wake_at)
{
	uint64_t now = sta_now_ms();
	uint64_t wait = wake_at > now ? wake_at - now : 0;

	su_timer_reset(x->timer);
	if (x->dead || x->invite_failed || x->notify_failed)
		su_timer_set_interval(x->timer, on_timer, (su_timer_arg_t *)x,
				      0);
	else if (wake_at)
		su_timer_set_interval(x->timer, on_timer, (su_timer_arg_t *)x,
				      (su_duration_t)wait + 1);
}

static void perform(struct sta_transfer *x, struct transfer_actions *a)
{
	if (a->what & TA_NOTIFY)
		x->notify_failed = !send_notify(x, a);
	if (a->what & TA_INVITE)
		x->invite_failed = !send_invite(x);
	if (a->what & TA_CANCEL)
		send_cancel(x);
	if (a->what & TA_BYE)
		send_bye(x);
	update_calling(x);
	if (a->what & TA_DONE) {
		xlog(x, STA_LOG_NOTICE, x->core.final_status,
		     "transfer %lu: done: target's final %d, Refer-To %s",
			 x->id, x->core.final_status, x->refer_to);
		x->dead = true;
	}
	arm_timer(x, a->wake_at);
}

/* ---- accepting a REFER ------------------------------------------------ */

/* Requests from the referer inside the REFER's dialog. */
static int on_referer_request(nta_leg_magic_t *magic, nta_leg_t *leg,
			      nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_transfer *x = (struct sta_transfer *)magic;

	(void)leg;
	(void)irq;
	log_info("transfer %lu: %s in the referer's dialog", x->id,
		 sip->sip_request->rq_method_name);
	switch (sip->sip_request->rq_method) {
	case sip_method_ack:
		return 0;
	case sip_method_options:
	case sip_method_bye:
		return 200;
	default:
		return 501;
	}
}

static bool create_referer_leg(struct sta_transfer *x, sip_t const *sip)
{
	char event[64];

	snprintf(event, sizeof event, "refer;id=%u", sip->sip_cseq->cs_seq);
	x->event = sip_event_make(x->home, event);
	x->referer_leg = nta_leg_tcreate(
		x->agent->nta, on_referer_request, (nta_leg_magic_t *)x,
		SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to),
		SIPTAG_TO(sip->sip_from), NTATAG_REMOTE_CSEQ(
			sip->sip_cseq->cs_seq), TAG_END());
	if (!x->event || !x->referer_leg || !nta_leg_tag(x->referer_leg, NULL))
		return false;
	nta_leg_server_route(x->referer_leg, sip->sip_record_route,
			     sip->sip_contact);
	return true;
}

static struct sta_transfer *xfer_new(struct sta_agent *agent,
				     sip_t const *sip,
				     struct xfer_request const *req)
{
	struct sta_transfer *x = su_home_clone(agent->home, sizeof *x);

	if (!x)
		return NULL;
	x->agent = agent;
	x->id = ++agent->next_id;
	x->next = agent->transfers;
	if (x->next)
		x->next->prev = &x->next;
	x->prev = &agent->transfers;
	agent->transfers = x;
	agent->n_live++;
	x->timer = su_timer_create(su_root_task(agent->root), 0);
	x->target = url_hdup(x->home, req->target);
	x->replaces = sip_replaces_dup(x->home, req->replaces);
	x->referred_by = sip->sip_referred_by ?
		sip_referred_by_dup(x->home, sip->sip_referred_by) :
		sip_referred_by_make(x->home, su_sprintf(x->home, "<%s>",
			url_as_string(x->home, sip->sip_from->a_url)));
	x->call_id = su_strdup(x->home, sip->sip_call_id->i_id);
	x->refer_to = su_strdup(x->home, req->refer_to);
	return x;
}

static struct transfer_limits limits_of(struct sta_config const *cfg)
{
	return (struct transfer_limits){
		.notify_interval_ms = cfg->notify_interval_ms,
		.subscription_expires = cfg->subscription_expires,
		.invite_timeout = cfg->invite_timeout,
		.max_call_duration = cfg->max_call_duration,
	};
}

int xfer_accept(struct sta_agent *agent, nta_incoming_t *irq,
		sip_t const *sip, struct xfer_request const *req)
{
	struct sta_transfer *x = xfer_new(agent, sip, req);
	struct transfer_limits lim = limits_of(agent->cfg);
	struct transfer_actions a;

	if (!x || !x->timer || !x->target || !x->referred_by ||
	    (req->subscribed && !create_referer_leg(x, sip))) {
		log_error("REFER from Call-ID %s: out of memory",
			  sip->sip_call_id->i_id);
		if (x)
			xfer_free(x);
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR,
				    TAG_END());
		return 500;
	}
	if (!x->referer_leg)
		nta_incoming_tag(irq, NULL);
	else
		nta_incoming_tag(irq, nta_leg_get_tag(x->referer_leg));
	nta_incoming_treply(irq, SIP_202_ACCEPTED,
			    SIPTAG_CONTACT(agent->contact),
			    TAG_IF(!req->subscribed,
				   SIPTAG_REFER_SUB_STR("false")),
			    TAG_IF(req->refer_sub_true,
				   SIPTAG_REFER_SUB_STR("true")),
			    SIPTAG_ALLOW_STR(STA_ALLOW),
			    SIPTAG_SUPPORTED_STR(STA_SUPPORTED),
			    SIPTAG_ALLOW_EVENTS_STR(STA_ALLOW_EVENTS),
			    TAG_END());
	agent->accepted++;
	agent->metrics.refers[202]++;
	xlog(x, STA_LOG_NOTICE, 202,
	     "transfer %lu: accepted REFER, Call-ID %s, Refer-To %s",
		 x->id, x->call_id, x->refer_to);
	transfer_start(&x->core, &lim, req->subscribed, sta_now_ms(), &a);
	perform(x, &a);
	return 202;
}
