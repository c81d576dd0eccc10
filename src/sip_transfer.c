/*
 * sip_transfer.c - the Sofia-SIP side of one accepted transfer.
 * See sip_transfer.h.
 *
 * Each handler translates one event into a call of the pure state
 * machine, then perform() carries out the actions it returned.  A request
 * that could not be sent and a finished transfer are handled from the
 * transfer's timer, never inside the callback or perform() that found
 * them, so nothing is freed under a caller's feet.
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
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "log.h"
#include "sip_auth.h"
#include "sip_core.h"
#include "sip_dialog.h"
#include "sip_invite.h"
#include "sofia_notify.h"
#include "transfer.h"

struct sta_transfer {
	su_home_t home[1];		/* first: the transfer is its own home */
	struct sta_agent *agent;
	LIST_ENTRY(sta_transfer) link;	/* in agent->transfers */
	unsigned long id;
	struct transfer core;
	bool counted_calling;		/* counted in agent->calling */

	struct sta_dialog *notify_dialog;	/* NULL: Refer-Sub: false */
	LIST_ENTRY(sta_transfer) sub_link;	/* in notify_dialog->subscribers */
	uint32_t event_id;		/* Event: refer;id=<REFER CSeq> */
	nta_outgoing_t *notify;		/* the NOTIFY awaiting its answer */

	struct sta_dialog *call;	/* the dialog with the target */
	struct sta_invite *invite;
	struct invite_request req;	/* in home */
	char *call_id;			/* the referer's, for logs */
	char *refer_to;			/* as written, for logs */
	char *referer;			/* the REFER's From URI */
	unsigned notifies_sent;

	su_timer_t *timer;
	bool invite_failed;		/* the INVITE could not be sent */
	bool notify_failed;		/* the NOTIFY could not be sent */
	bool dead;			/* over: freed from the next timer */
	bool cancelled;			/* by the control socket's `cancel` */
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
	x->agent->on.transfers_changed(x->agent);
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
	LIST_REMOVE(x, link);
	su_timer_destroy(x->timer);
	if (x->notify)
		nta_outgoing_destroy(x->notify);
	invite_free(x->invite);
	if (x->call && x->call->caller == x)
		x->call->caller = NULL;
	if (x->notify_dialog)
		LIST_REMOVE(x, sub_link);
	dialog_unref(x->call);
	dialog_unref(x->notify_dialog);
	su_home_unref(x->home);
}

void xfer_free_all(struct sta_agent *agent)
{
	while (!LIST_EMPTY(&agent->transfers))
		xfer_free(LIST_FIRST(&agent->transfers));
}

/* ---- NOTIFY toward the referer ---------------------------------------- */

static int on_notify_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip)
{
	struct sta_transfer *x = (struct sta_transfer *)magic;
	struct transfer_actions a;
	struct sip_answer ans = sip_answer_of(orq, sip);

	if (ans.status < 200)
		return 0;
	nta_outgoing_destroy(orq);
	x->notify = NULL;
	xlog(x, STA_LOG_DEBUG, ans.status, "transfer %lu: NOTIFY answered %d",
	     x->id, ans.status);
	transfer_on_notify_answer(&x->core, ans.status, ans.local,
				  sta_now_ms(), &a);
	perform(x, &a);
	return 0;
}

static bool send_notify(struct sta_transfer *x,
			struct transfer_actions const *a)
{
	sip_event_t ev[1];
	sip_subscription_state_t ss[1];
	msg_param_t ev_params[2], ss_params[2];
	char id_param[16], state[sizeof a->notify_state];

	memcpy(state, a->notify_state, sizeof state);
	x->notify = nta_outgoing_tcreate(
		x->notify_dialog->leg, on_notify_answer,
		(nta_outgoing_magic_t *)x, NULL, SIP_METHOD_NOTIFY, NULL,
		SIPTAG_EVENT(notify_refer_event(ev, ev_params, id_param,
						x->event_id)),
		SIPTAG_SUBSCRIPTION_STATE(
			notify_subscription_state(ss, ss_params, state)),
		SIPTAG_CONTACT(x->notify_dialog->contact),
		SIPTAG_CONTENT_TYPE(x->agent->hdr.sipfrag),
		SIPTAG_PAYLOAD_STR(a->notify_body), TAG_END());
	xlog(x, STA_LOG_DEBUG, atoi(a->notify_body + 8),
	     "transfer %lu: NOTIFY %.*s (%s)", x->id,
	     (int)strcspn(a->notify_body, "\r\n"), a->notify_body,
	     a->notify_state);
	if (!x->notify) {
		log_error("transfer %lu: cannot send NOTIFY", x->id);
	} else {
		transfer_notify_left(&x->core, sta_now_ms());
		x->agent->metrics.notifies_sent++;
		x->notifies_sent++;
	}
	return x->notify != NULL;
}

/* ---- the call toward the target --------------------------------------- */

static void on_invite_report(void *owner, int status, char const *phrase,
			     bool local)
{
	struct sta_transfer *x = owner;
	struct transfer_actions a;

	xlog(x, STA_LOG_DEBUG, status, "transfer %lu: %s %d %s", x->id,
	     local ? "no answer from the target, the SIP stack says"
		   : "target answered", status, phrase ? phrase : "");
	transfer_on_response(&x->core, status, phrase, local, sta_now_ms(),
			     &a);
	perform(x, &a);
}

static bool send_invite(struct sta_transfer *x)
{
	x->call = dialog_new_uac(x->agent, x, x->id, x->req.target);
	x->invite = x->call ? invite_start(x->agent, x->home, x->call,
					   &x->req, on_invite_report, x)
			    : NULL;
	/* the INVITE carries its own offer, made from this one: the copy
	 * is not kept while the target rings */
	su_free(x->home, (void *)x->req.sdp);
	x->req.sdp = NULL;
	if (!x->invite)
		log_error("transfer %lu: cannot send INVITE", x->id);
	return x->invite != NULL;
}

/* ---- timer and actions ------------------------------------------------ */

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
		agent->on.transfers_changed(agent);
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
		invite_cancel(x->invite);
	if (a->what & TA_BYE)
		dialog_hangup(x->call);
	update_calling(x);
	/* a CANCELled INVITE is kept until its final, so that the agent is
	 * still there to ACK it */
	if ((a->what & TA_DONE) && !x->dead && !invite_pending(x->invite)) {
		xlog(x, STA_LOG_NOTICE, x->core.final_status,
		     "transfer %lu: done: target's final %d, Refer-To %s",
		     x->id, x->core.final_status, x->refer_to);
		x->dead = true;
	}
	arm_timer(x, a->wake_at);
}

/* ---- events from dialogs ---------------------------------------------- */

static void referer_gone(struct sta_transfer *x)
{
	struct transfer_actions a;

	xlog(x, STA_LOG_INFO, 0, "transfer %lu: the referer's dialog ended; "
	     "no more NOTIFYs", x->id);
	transfer_on_referer_gone(&x->core, sta_now_ms(), &a);
	perform(x, &a);
}

static void call_ended(struct sta_transfer *x)
{
	struct transfer_actions a;

	xlog(x, STA_LOG_DEBUG, 0, "transfer %lu: the call ended", x->id);
	transfer_on_call_ended(&x->core, sta_now_ms(), &a);
	perform(x, &a);
}

/* The transfer whose call D is, and those notifying in D, come straight
 * from D: no walk over every transfer (one on each BYE cost 22 % CPU at
 * 2,000 transfers/s). */
void xfer_dialog_ended(struct sta_dialog *d)
{
	struct sta_transfer *x = d->caller;

	if (x && !x->dead && x->core.call == CALL_ANSWERED)
		call_ended(x);
	LIST_FOREACH(x, &d->subscribers, sub_link)
		if (!x->dead && x->core.sub == SUB_ACTIVE)
			referer_gone(x);
}

void xfer_replaced(struct sta_transfer *x)
{
	struct transfer_actions a;

	transfer_shutdown(&x->core, sta_now_ms(), &a);
	perform(x, &a);
}

void xfer_shutdown_all(struct sta_agent *agent)
{
	struct sta_transfer *x;

	LIST_FOREACH(x, &agent->transfers, link)
		if (!x->dead)
			xfer_replaced(x);
}

/* ---- the control socket's view ---------------------------------------- */

unsigned long xfer_id(struct sta_transfer const *x)
{
	return x->id;
}

static char const *call_name(enum call_state s)
{
	switch (s) {
	case CALL_CALLING:
		return "calling";
	case CALL_ANSWERED:
		return "answered";
	case CALL_FAILED:
		return "failed";
	case CALL_ENDED:
		return "ended";
	}
	return "?";
}

static char const *sub_name(enum sub_state s)
{
	switch (s) {
	case SUB_ACTIVE:
		return "active";
	case SUB_ENDED:
		return "ended";
	case SUB_NONE:
		return "none";
	}
	return "?";
}

void xfer_each(struct sta_agent *agent,
	       void (*fn)(void *ctx, struct xfer_view const *v), void *ctx)
{
	uint64_t now = sta_now_ms();
	char last[SIPFRAG_MAX];
	struct sta_transfer *x;

	LIST_FOREACH(x, &agent->transfers, link) {
		if (x->dead)
			continue;
		snprintf(last, sizeof last, "%.*s",
			 (int)strcspn(x->core.report, "\r\n"), x->core.report);
		fn(ctx, &(struct xfer_view){
			.id = x->id,
			.age_ms = now - x->core.started_ms,
			.call = call_name(x->core.call),
			.subscription = sub_name(x->core.sub),
			.referer = x->referer,
			.refer_to = x->refer_to,
			.last_status = last[0] ? last : NULL,
			.notifies_sent = x->notifies_sent,
			.notifies_coalesced = x->core.pacer.coalesced,
		});
	}
}

bool xfer_cancel(struct sta_agent *agent, unsigned long id,
		 char const **did)
{
	struct sta_transfer *x;

	LIST_FOREACH(x, &agent->transfers, link)
		if (x->id == id && !x->dead)
			break;
	if (!x || x->cancelled)
		return false;
	x->cancelled = true;
	*did = x->core.call == CALL_CALLING ? "CANCEL sent to the target" :
	       x->core.call == CALL_ANSWERED ? "BYE sent to the target" :
	       "the call was already over; the subscription ends";
	xlog(x, STA_LOG_NOTICE, 0, "transfer %lu: cancelled from the "
	     "control socket", x->id);
	xfer_replaced(x);
	return true;
}

static uint32_t event_id(sip_event_t const *ev)
{
	char const *id = ev ? msg_params_find(ev->o_params, "id=") : NULL;

	return id ? (uint32_t)strtoul(id, NULL, 10) : 0;
}

static struct sta_transfer *subscription_of(struct sta_dialog *d,
					    sip_event_t const *ev)
{
	uint32_t id = event_id(ev);
	struct sta_transfer *x;

	LIST_FOREACH(x, &d->subscribers, sub_link)
		if (!x->dead && x->event_id == id)
			return x;
	return NULL;
}

static int xfer_subscribe(struct sta_dialog *d, nta_incoming_t *irq,
			  sip_t const *sip)
{
	struct sta_transfer *x = subscription_of(d, sip->sip_event);
	struct transfer_actions a;
	char expires[16];
	int granted;

	if (!x)
		return 0;
	granted = transfer_on_subscribe(&x->core, sip->sip_expires ?
			(unsigned)sip->sip_expires->ex_delta :
			x->core.lim.subscription_expires, sta_now_ms(), &a);
	xlog(x, STA_LOG_INFO, granted < 0 ? 481 : 200,
	     "transfer %lu: SUBSCRIBE %s", x->id,
	     granted < 0 ? "for an ended subscription" :
	     granted == 0 ? "Expires: 0" : "refresh");
	if (granted < 0) {
		nta_incoming_treply(irq, SIP_481_NO_TRANSACTION, TAG_END());
		perform(x, &a);
		return 481;
	}
	snprintf(expires, sizeof expires, "%d", granted);
	nta_incoming_treply(irq, SIP_200_OK, SIPTAG_EXPIRES_STR(expires),
			    SIPTAG_CONTACT(d->contact), TAG_END());
	perform(x, &a);
	return 200;
}

/* ---- accepting a REFER ------------------------------------------------ */

static bool prepare_request(struct sta_transfer *x, sip_t const *sip,
			    struct xfer_request const *req,
			    struct sta_dialog *dialog)
{
	char const *offer = dialog_next_offer(dialog, x->home);

	x->req.target = url_hdup(x->home, req->target);
	x->req.replaces = sip_replaces_dup(x->home, req->replaces);
	x->req.referred_by = sip->sip_referred_by ?
		sip_referred_by_dup(x->home, sip->sip_referred_by) :
		sip_referred_by_make(x->home, su_sprintf(x->home, "<%s>",
			url_as_string(x->home, sip->sip_from->a_url)));
	x->req.sdp = offer ? offer :
		agent_offer(x->agent, x->agent->contact->m_url->url_host,
			    x->home);
	return x->req.target && x->req.referred_by && x->req.sdp &&
	       (!req->replaces || x->req.replaces);
}

static struct sta_transfer *xfer_new(struct sta_agent *agent,
				     nta_incoming_t *irq, sip_t const *sip,
				     struct xfer_request const *req,
				     struct sta_dialog *dialog)
{
	struct sta_transfer *x = su_home_clone(agent->home, sizeof *x);

	if (!x)
		return NULL;
	x->agent = agent;
	x->id = ++agent->next_id;
	LIST_INSERT_HEAD(&agent->transfers, x, link);
	agent->n_live++;
	x->timer = su_timer_create(su_root_task(agent->root), 0);
	x->event_id = sip->sip_cseq->cs_seq;
	x->call_id = su_strdup(x->home, sip->sip_call_id->i_id);
	x->refer_to = su_strdup(x->home, req->refer_to);
	x->referer = url_as_string(x->home, sip->sip_from->a_url);
	if (req->subscribed)
		x->notify_dialog = dialog ? dialog_ref(dialog)
					  : dialog_new_uas(agent, irq, sip);
	if (x->notify_dialog)
		LIST_INSERT_HEAD(&x->notify_dialog->subscribers, x, sub_link);
	if (!x->timer || !prepare_request(x, sip, req, dialog) ||
	    (req->subscribed && !x->notify_dialog)) {
		xfer_free(x);
		return NULL;
	}
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
		sip_t const *sip, struct xfer_request const *req,
		struct sta_dialog *dialog)
{
	struct sta_transfer *x = xfer_new(agent, irq, sip, req, dialog);
	struct transfer_limits lim = limits_of(agent->cfg);
	struct transfer_actions a;

	if (!x) {
		log_error("REFER from Call-ID %s: out of memory",
			  sip->sip_call_id->i_id);
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR,
				    TAG_END());
		return 500;
	}
	if (!dialog)
		nta_incoming_tag(irq, x->notify_dialog ?
				 x->notify_dialog->local_tag : NULL);
	nta_incoming_treply(irq, SIP_202_ACCEPTED,
			    SIPTAG_CONTACT(x->notify_dialog ?
					   x->notify_dialog->contact :
					   agent_contact_for(agent, irq,
							     x->home)),
			    TAG_IF(!req->subscribed,
				   SIPTAG_REFER_SUB_STR("false")),
			    TAG_IF(req->refer_sub_true,
				   SIPTAG_REFER_SUB_STR("true")),
			    SIPTAG_ALLOW(agent->hdr.allow),
			    SIPTAG_SUPPORTED(agent->hdr.supported),
			    SIPTAG_ALLOW_EVENTS(agent->hdr.allow_events),
			    TAG_END());
	agent->accepted++;
	agent->metrics.refers[202]++;
	xlog(x, STA_LOG_NOTICE, 202,
	     "transfer %lu: accepted REFER%s, Call-ID %s, Refer-To %s",
	     x->id, dialog ? " in a dialog" : "", x->call_id, x->refer_to);
	transfer_start(&x->core, &lim, req->subscribed, sta_now_ms(), &a);
	perform(x, &a);
	return 202;
}

int xfer_on_subscribe(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *d)
{
	bool refer = sip->sip_event &&
		     strcasecmp(sip->sip_event->o_type, "refer") == 0;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct request_source src;
	struct auth_verdict auth;
	int status;

	request_source(irq, &src);
	if (!agent_source_allowed(agent, &src)) {
		log_notice("SUBSCRIBE refused: 403 (source not allowed) from %s",
			   src.text);
		return sip_reply_capabilities(agent, irq, SIP_403_FORBIDDEN);
	}
	sip_auth_check(agent, &src, sip, home, &auth);
	status = auth.ok ? 0 : sip_auth_refuse(agent, irq, &auth);
	su_home_deinit(home);
	if (status)
		return status;
	if (!sip->sip_to->a_tag && !agent_source_within_rate(agent, &src)) {
		log_notice("SUBSCRIBE refused: 503 (over per_source_rate) "
			   "from %s", src.text);
		nta_incoming_treply(irq, SIP_503_SERVICE_UNAVAILABLE,
				    SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
		return 503;
	}
	status = d && refer ? xfer_subscribe(d, irq, sip) : 0;
	if (status)
		return status;
	log_info("SUBSCRIBE for %s refused: no such subscription",
		 sip->sip_event ? sip->sip_event->o_type : "(no Event)");
	if (refer)
		return sip_reply_capabilities(agent, irq, SIP_403_FORBIDDEN);
	return sip_reply_capabilities(agent, irq, SIP_489_BAD_EVENT);
}
