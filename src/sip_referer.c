/*
 * sip_referer.c - the Sofia-SIP side of a REFER the agent sends.
 * See sip_referer.h.
 *
 * A finished referer is freed from its timer, never inside the callback
 * that finished it.
 */
#include "sip_referer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "log.h"
#include "referer.h"
#include "sip_core.h"
#include "sip_dialog.h"

struct sta_referer {
	struct sta_agent *agent;
	LIST_ENTRY(sta_referer) link;		/* in agent->referers */
	struct sta_dialog *dialog;		/* a reference */
	unsigned long call;			/* the dialog's id, for logs */
	nta_outgoing_t *orq;			/* the REFER until its final */
	uint32_t event_id;			/* its CSeq */
	su_timer_t *timer;
	struct referer core;
	struct referer_sink sink;		/* owner NULL: detached */
	bool dead;
};

static void referer_free(struct sta_referer *r)
{
	LIST_REMOVE(r, link);
	if (r->orq)
		nta_outgoing_destroy(r->orq);
	su_timer_destroy(r->timer);
	dialog_unref(r->dialog);
	free(r);
}

void sip_referer_free_all(struct sta_agent *agent)
{
	while (!LIST_EMPTY(&agent->referers))
		referer_free(LIST_FIRST(&agent->referers));
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg);

static void arm(struct sta_referer *r, uint64_t wake_at)
{
	uint64_t now = sta_now_ms();

	su_timer_reset(r->timer);
	if (r->dead)
		su_timer_set_interval(r->timer, on_timer, (su_timer_arg_t *)r,
				      0);
	else if (wake_at)
		su_timer_set_interval(r->timer, on_timer, (su_timer_arg_t *)r,
				      (su_duration_t)(wake_at > now ?
						      wake_at - now : 0) + 1);
}

static void perform(struct sta_referer *r, struct referer_actions const *a,
		    bool answer)
{
	if ((a->what & RA_REPORT) && r->sink.owner)
		r->sink.report(r->sink.owner, a->line, answer);
	if (a->what & RA_DONE) {
		log_notice("call %lu: REFER done: %s", r->call, a->result);
		if (r->sink.owner)
			r->sink.done(r->sink.owner, a->success, a->result);
		r->sink.owner = NULL;
		r->dead = true;
	}
	if (a->what & RA_BYE) {
		log_info("call %lu: transfer succeeded, BYE", r->call);
		dialog_hangup(r->dialog);
	}
	arm(r, a->wake_at);
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	struct sta_referer *r = (struct sta_referer *)arg;
	struct referer_actions a;

	(void)magic;
	(void)t;
	if (r->dead) {
		referer_free(r);
		return;
	}
	referer_tick(&r->core, sta_now_ms(), &a);
	perform(r, &a, false);
}

static int on_refer_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			   sip_t const *sip)
{
	struct sta_referer *r = (struct sta_referer *)magic;
	struct sip_answer ans = sip_answer_of(orq, sip);
	sip_refer_sub_t const *rs = sip ? sip_refer_sub(sip) : NULL;
	struct referer_actions a;

	if (ans.status < 200)
		return 0;
	nta_outgoing_destroy(orq);
	r->orq = NULL;
	log_info("call %lu: REFER answered %d", r->call, ans.status);
	referer_on_answer(&r->core, ans.status, ans.phrase,
			  rs && rs->rs_value &&
			  strcasecmp(rs->rs_value, "false") == 0,
			  sta_now_ms(), &a);
	perform(r, &a, true);
	return 0;
}

/* The agent's Referred-By: identity.from, else its Contact URI. */
static char *referred_by(struct sta_agent *agent, su_home_t *home)
{
	char const *from = agent->cfg->identity_from;

	if (from && strchr(from, '<'))
		return su_strdup(home, from);
	return su_sprintf(home, "<%s>", from ? from :
			  url_as_string(home, agent->contact->m_url));
}

static bool send_refer(struct sta_referer *r, char const *refer_to)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sta_dialog *d = r->dialog;

	r->orq = nta_outgoing_tcreate(
		d->leg, on_refer_answer, (nta_outgoing_magic_t *)r, NULL,
		SIP_METHOD_REFER, NULL,
		SIPTAG_REFER_TO_STR(su_sprintf(home, "<%s>", refer_to)),
		SIPTAG_REFERRED_BY_STR(referred_by(r->agent, home)),
		SIPTAG_CONTACT(d->contact),
		SIPTAG_ALLOW(r->agent->hdr.allow),
		SIPTAG_SUPPORTED(r->agent->hdr.supported), TAG_END());
	su_home_deinit(home);
	if (r->orq)
		r->event_id = nta_outgoing_cseq(r->orq);
	return r->orq != NULL;
}

struct sta_referer *sip_referer_start(struct sta_dialog *d,
				      char const *refer_to,
				      uint64_t timeout_ms,
				      struct referer_sink const *sink)
{
	struct sta_agent *agent = d->agent;
	struct sta_referer *r = calloc(1, sizeof *r);
	struct referer_actions a;

	if (!r)
		return NULL;
	r->agent = agent;
	r->dialog = dialog_ref(d);
	r->call = d->id;
	r->sink = *sink;
	LIST_INSERT_HEAD(&agent->referers, r, link);
	r->timer = su_timer_create(su_root_task(agent->root), 0);
	if (!r->timer || !send_refer(r, refer_to)) {
		log_error("call %lu: cannot send REFER", d->id);
		referer_free(r);
		return NULL;
	}
	log_notice("call %lu: REFER sent, Refer-To %s", d->id, refer_to);
	referer_start(&r->core, timeout_ms, sta_now_ms(), &a);
	perform(r, &a, false);
	return r;
}

void sip_referer_detach(struct sta_referer *r)
{
	r->sink.owner = NULL;
}

/* The live referer of dialog D that event EV names; an Event without id
 * names the dialog's only one. */
static struct sta_referer *referer_of(struct sta_dialog *d,
				      sip_event_t const *ev)
{
	char const *id;
	struct sta_referer *hit = NULL;
	unsigned n = 0;

	if (!ev || strcasecmp(ev->o_type, "refer") != 0)
		return NULL;
	id = msg_params_find(ev->o_params, "id=");
	struct sta_referer *r;

	LIST_FOREACH(r, &d->agent->referers, link) {
		if (r->dialog != d || r->dead)
			continue;
		if (id && strtoul(id, NULL, 10) == r->event_id)
			return r;
		hit = r;
		n++;
	}
	return !id && n == 1 ? hit : NULL;
}

int sip_referer_notify(struct sta_dialog *d, nta_incoming_t *irq,
		       sip_t const *sip)
{
	struct sta_referer *r = referer_of(d, sip->sip_event);
	sip_subscription_state_t const *ss = sip->sip_subscription_state;
	struct referer_actions a;
	int status;

	if (!r)
		return 481;
	status = referer_on_notify(
		&r->core, sip->sip_payload ? sip->sip_payload->pl_data : NULL,
		sip->sip_payload ? sip->sip_payload->pl_len : 0,
		ss && ss->ss_substate &&
		strcasecmp(ss->ss_substate, "terminated") == 0,
		sta_now_ms(), &a);
	log_info("call %lu: NOTIFY %s, answered %d", r->call,
		 (a.what & RA_REPORT) ? a.line : "without a sipfrag status",
		 status);
	nta_incoming_treply(irq, status, sip_status_phrase(status),
			    SIPTAG_CONTACT(d->contact), TAG_END());
	perform(r, &a, false);
	return status;
}

void sip_referer_call_gone(struct sta_dialog *d)
{
	struct referer_actions a;
	struct sta_referer *r;

	LIST_FOREACH(r, &d->agent->referers, link)
		if (r->dialog == d && !r->dead) {
			referer_on_call_gone(&r->core, sta_now_ms(), &a);
			perform(r, &a, false);
		}
}
