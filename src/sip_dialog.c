/*
 * sip_dialog.c - one SIP dialog the agent is a party to.
 * See sip_dialog.h.
 *
 * A dialog is freed from a zero-delay timer once its last reference goes,
 * never inside the NTA callback of its own leg; the dialog of a call that
 * has ended lingers 64*T1 (DIALOG_LINGER_MS) first (requests in it get 481, a
 * Replaces naming it 603).
 */
#include "sip_dialog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/tport.h>

#include "config.h"
#include "log.h"
#include "sip_auth.h"
#include "sip_connections.h"
#include "sip_core.h"
#include "sip_dispatch.h"
#include "sip_media.h"

static int on_dialog_request(nta_leg_magic_t *magic, nta_leg_t *leg,
			     nta_incoming_t *irq, sip_t const *sip);
static int reply_sdp(nta_incoming_t *irq, struct sta_dialog *d);

/* How long the dialog of an ended call is remembered: 64*T1 (sip.t1), as
 * long as the SIP stack keeps its completed transactions. */
#define DIALOG_LINGER_MS(agent) (64U * (agent)->t1_ms)

static struct sta_dialog *dialog_alloc(struct sta_agent *agent)
{
	struct sta_dialog *d = su_home_clone(agent->home, sizeof *d);

	if (!d)
		return NULL;
	d->agent = agent;
	d->id = ++agent->next_dialog_id;
	d->created_ms = sta_now_ms();
	d->refs = 1;
	LIST_INSERT_HEAD(&agent->dialogs, d, link);
	d->call_timer = su_timer_create(su_root_task(agent->root), 0);
	return d;
}

/* Let NTA free the answered INVITE's transaction (it keeps it for its
 * retransmissions until Timer I or H). */
static void forget_invite(struct sta_dialog *d)
{
	if (d->invite_irq)
		nta_incoming_destroy(d->invite_irq);
	d->invite_irq = NULL;
}

static void dialog_free(struct sta_dialog *d)
{
	forget_invite(d);
	media_close(d->media);
	LIST_REMOVE(d, link);
	su_timer_destroy(d->call_timer);
	if (d->leg)
		nta_leg_destroy(d->leg);
	if (d->conn)
		tport_unref(d->conn);
	su_home_unref(d->home);
}

static void on_reap(su_root_magic_t *magic, su_timer_t *t,
		    su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	dialog_free((struct sta_dialog *)arg);
}

/* A call that has ended lingers only to be found by a Replaces (603):
 * its Call-ID and tags do that.  Its NTA leg and SDP go now (from this
 * timer, never inside the leg's own callback): 32 s of them at every
 * transfer/s were a few MB per 1,000 transfers/s, and a request in the
 * dialog gets the same 481 from the default leg as from this one. */
static void on_linger(su_root_magic_t *magic, su_timer_t *t,
		      su_timer_arg_t *arg)
{
	struct sta_dialog *d = (struct sta_dialog *)arg;

	(void)magic;
	(void)t;
	if (d->leg)
		nta_leg_destroy(d->leg);
	d->leg = NULL;
	su_free(d->home, d->local_sdp);
	d->local_sdp = NULL;
	su_timer_set_interval(d->call_timer, on_reap, (su_timer_arg_t *)d,
			      DIALOG_LINGER_MS(d->agent));
}

struct sta_dialog *dialog_ref(struct sta_dialog *d)
{
	if (d)
		d->refs++;
	return d;
}

void dialog_unref(struct sta_dialog *d)
{
	bool linger;

	if (!d || --d->refs > 0)
		return;
	linger = d->had_call && d->session == SESSION_ENDED;
	if (linger && d->conn) {	/* sip.tcp_idle_timeout applies now */
		tport_unref(d->conn);
		d->conn = NULL;
	}
	su_timer_reset(d->call_timer);
	su_timer_set_interval(d->call_timer, linger ? on_linger : on_reap,
			      (su_timer_arg_t *)d, 0);
}

/* Free every dialog at once (agent teardown). */
void dialog_free_all(struct sta_agent *agent)
{
	while (!LIST_EMPTY(&agent->dialogs))
		dialog_free(LIST_FIRST(&agent->dialogs));
}

static bool dialog_usable(struct sta_dialog *d)
{
	if (!d->call_timer || !d->leg || !nta_leg_tag(d->leg, NULL)) {
		dialog_free(d);
		return false;
	}
	d->local_tag = su_strdup(d->home, nta_leg_get_tag(d->leg));
	return true;
}

/* The stream connection request IRQ came on, with a reference; NULL for
 * UDP.  tport closes an idle connection only when nothing else than
 * itself references it. */
static tport_t *held_connection(struct sta_agent *agent, nta_incoming_t *irq)
{
	tport_t *tp = nta_incoming_transport(agent->nta, irq, NULL);

	if (tp && !tport_is_stream(tp)) {
		tport_unref(tp);
		tp = NULL;
	}
	return tp;
}

struct sta_dialog *dialog_new_uas(struct sta_agent *agent,
				  nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_dialog *d = dialog_alloc(agent);

	if (!d)
		return NULL;
	d->leg = nta_leg_tcreate(agent->nta, on_dialog_request,
				 (nta_leg_magic_t *)d,
				 SIPTAG_CALL_ID(sip->sip_call_id),
				 SIPTAG_FROM(sip->sip_to),
				 SIPTAG_TO(sip->sip_from),
				 NTATAG_REMOTE_CSEQ(sip->sip_cseq->cs_seq),
				 TAG_END());
	if (!dialog_usable(d))
		return NULL;
	d->peer_in_allow_from = agent_dialog_hop_allowed(agent, sip);
	nta_leg_server_route(d->leg, sip->sip_record_route, sip->sip_contact);
	d->conn = held_connection(agent, irq);
	d->contact = agent_contact_for(agent, irq, d->home);
	d->call_id = su_strdup(d->home, sip->sip_call_id->i_id);
	d->remote_tag = su_strdup(d->home, sip->sip_from->a_tag);
	d->peer = url_as_string(d->home, sip->sip_from->a_url);
	cseq_accept(&d->remote_cseq, sip->sip_cseq->cs_seq);
	return d;
}

struct sta_dialog *dialog_new_uac(struct sta_agent *agent,
				  struct sta_transfer *x, unsigned long placed_by,
				  url_t const *target)
{
	struct sta_dialog *d = dialog_alloc(agent);
	char const *from = agent->cfg->identity_from;
	su_home_t tmp[1] = { SU_HOME_INIT(tmp) };  /* what the leg copies */
	sip_call_id_t *id;
	sip_from_t *own;	/* TAG_IF evaluates both: build it only if used */

	if (!d)
		return NULL;
	id = sip_call_id_create(tmp, NULL);
	own = from ? NULL : sip_from_create(tmp, (url_string_t *)
					    agent->contact->m_url);
	d->leg = nta_leg_tcreate(
		agent->nta, on_dialog_request, (nta_leg_magic_t *)d,
		TAG_IF(from, SIPTAG_FROM_STR(from)),
		TAG_IF(own, SIPTAG_FROM(own)),
		SIPTAG_TO(sip_to_create(tmp, (url_string_t *)target)),
		SIPTAG_CALL_ID(id), TAG_END());
	if (id)
		d->call_id = su_strdup(d->home, id->i_id);
	su_home_deinit(tmp);
	if (!dialog_usable(d))
		return NULL;
	if (!d->call_id) {
		dialog_free(d);
		return NULL;
	}
	d->contact = agent->contact;
	d->session = SESSION_EARLY;
	d->agent_initiated = true;
	d->caller = x;
	d->placed_by = placed_by;
	d->peer = url_as_string(d->home, target);
	return d;
}

void dialog_early(struct sta_dialog *d, sip_t const *sip)
{
	if (!d->remote_tag && sip->sip_to && sip->sip_to->a_tag)
		d->remote_tag = su_strdup(d->home, sip->sip_to->a_tag);
}

/* The local address the call's signalling uses (its Contact's host). */
static char const *signalling_host(struct sta_dialog const *d)
{
	return d->contact->m_url->url_host;
}

char *dialog_offer(struct sta_dialog *d, char const *origin, su_home_t *home)
{
	struct sta_agent *agent = d->agent;
	char *base = agent_offer(agent, signalling_host(d), d->home);

	/* media_open() takes what it needs from the base: the text is not
	 * kept for the dialog's life */
	d->media = base ? media_open(agent->media, signalling_host(d), base)
			: NULL;
	su_free(d->home, base);
	return d->media ? media_offer(d->media, origin, home) : NULL;
}

void dialog_confirmed(struct sta_dialog *d, sip_t const *sip,
		      char const *local_sdp)
{
	d->remote_tag = su_strdup(d->home, sip->sip_to->a_tag);
	d->peer_in_allow_from = agent_dialog_hop_allowed(d->agent, sip);
	nta_leg_rtag(d->leg, d->remote_tag);
	nta_leg_client_route(d->leg, sip->sip_record_route, sip->sip_contact);
	d->session = SESSION_CONFIRMED;
	d->had_call = true;
	d->local_sdp = su_strdup(d->home, local_sdp);
	if (d->media && sip->sip_payload)
		media_answered(d->media, sip->sip_payload->pl_data,
			       sip->sip_payload->pl_len);
}

void dialog_failed(struct sta_dialog *d)
{
	d->session = SESSION_ENDED;
	media_close(d->media);
	d->media = NULL;
}

static bool tag_is(char const *tag, char const *want)
{
	return tag && want && strcasecmp(tag, want) == 0;
}

/* RFC 3891: to-tag is the recipient's local tag, from-tag its peer's.
 * A linear walk: early dialogs are not in NTA's dialog table. */
struct sta_dialog *dialog_by_replaces(struct sta_agent *agent,
				      sip_replaces_t const *rp)
{
	struct sta_dialog *d;

	LIST_FOREACH(d, &agent->dialogs, link)
		if ((d->refs || d->session == SESSION_ENDED) && d->call_id &&
		    strcmp(d->call_id, rp->rp_call_id) == 0 &&
		    tag_is(d->local_tag, rp->rp_to_tag) &&
		    tag_is(d->remote_tag, rp->rp_from_tag))
			return d;
	return NULL;
}

char *dialog_next_offer(struct sta_dialog *d, su_home_t *home)
{
	sdp_parser_t *parser;
	sdp_session_t *sdp;
	sdp_printer_t *printer;
	char *offer = NULL;

	if (!d || d->session != SESSION_CONFIRMED || !d->local_sdp)
		return NULL;
	parser = sdp_parse(home, d->local_sdp, strlen(d->local_sdp), 0);
	sdp = sdp_session(parser);
	if (sdp && sdp->sdp_origin) {
		sdp->sdp_origin->o_version++;
		printer = sdp_print(home, sdp, NULL, 0, 0);
		if (sdp_message(printer))
			offer = su_strdup(home, sdp_message(printer));
		sdp_printer_free(printer);
	}
	sdp_parser_free(parser);
	return offer;
}

/* ---- the call in the dialog -------------------------------------------- */

static void end_session(struct sta_dialog *d)
{
	bool held = d->held;

	d->held = false;
	d->session = SESSION_ENDED;
	media_close(d->media);
	d->media = NULL;
	su_timer_reset(d->call_timer);
	forget_invite(d);
	d->agent->on.dialog_ended(d);
	if (held) {
		d->agent->held_calls--;
		dialog_unref(d);	/* the reference of the held call */
	}
}

/* The final answer to a BYE of the agent (or NTA's timeout): the drain
 * may be waiting for it.  The dialog may be gone by now. */
static int on_bye_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			 sip_t const *sip)
{
	struct sta_agent *agent = (struct sta_agent *)magic;
	int status = nta_outgoing_status(orq);

	if (status < 200)
		return 0;
	log_info("dialog %s: BYE answered %d",
		 sip && sip->sip_call_id ? sip->sip_call_id->i_id : "-",
		 status);
	nta_outgoing_destroy(orq);
	agent->byes_pending--;
	agent->on.transfers_changed(agent);
	return 0;
}

void dialog_hangup(struct sta_dialog *d)
{
	struct sta_agent *agent = d->agent;
	nta_outgoing_t *bye;

	if (d->session != SESSION_CONFIRMED)
		return;
	bye = nta_outgoing_tcreate(d->leg, on_bye_answer,
				   (nta_outgoing_magic_t *)agent, NULL,
				   SIP_METHOD_BYE, NULL, TAG_END());
	if (bye)
		agent->byes_pending++;
	else
		log_error("dialog %s: cannot send BYE", d->call_id);
	end_session(d);
}

static bool is_call(struct sta_dialog const *d)
{
	return d->refs && d->session == SESSION_CONFIRMED;
}

void dialog_each_call(struct sta_agent *agent,
		      void (*fn)(void *ctx, struct call_view const *v),
		      void *ctx)
{
	uint64_t now = sta_now_ms();
	struct sta_dialog *d;

	LIST_FOREACH(d, &agent->dialogs, link)
		if (is_call(d))
			fn(ctx, &(struct call_view){
				.id = d->id,
				.peer = d->peer,
				.age_ms = now - d->created_ms,
				.transfer = d->placed_by,
			});
}

unsigned dialog_count_calls(struct sta_agent const *agent)
{
	struct sta_dialog const *d;
	unsigned n = 0;

	LIST_FOREACH(d, &agent->dialogs, link)
		n += is_call(d);
	return n;
}

struct sta_dialog *dialog_call(struct sta_agent *agent, unsigned long id)
{
	struct sta_dialog *d;

	LIST_FOREACH(d, &agent->dialogs, link)
		if (d->id == id)
			return is_call(d) ? d : NULL;
	return NULL;
}

unsigned dialog_hangup_all(struct sta_agent *agent)
{
	struct sta_dialog *d;
	unsigned n = 0;

	LIST_FOREACH(d, &agent->dialogs, link)
		if (d->held) {
			dialog_hangup(d);
			n++;
		}
	return n;
}

static void on_call_timer(su_root_magic_t *magic, su_timer_t *t,
			  su_timer_arg_t *arg)
{
	struct sta_dialog *d = (struct sta_dialog *)arg;

	(void)magic;
	(void)t;
	log_info("call %s: transfer.max_call_duration reached, BYE",
		 d->call_id);
	dialog_hangup(d);
}

static int on_bye(struct sta_dialog *d, nta_incoming_t *irq)
{
	log_debug("dialog %s: BYE from the peer", d->call_id);
	nta_incoming_treply(irq, SIP_200_OK, TAG_END());
	if (d->session == SESSION_CONFIRMED) {
		end_session(d);
	} else {
		d->session = SESSION_ENDED;
		d->agent->on.dialog_ended(d);
	}
	return 200;
}

/* A re-INVITE (or UPDATE-less refresh): its offer is answered afresh, so
 * hold and resume take effect; without an offer the last SDP is offered
 * again and the ACK carries the answer. */
static int answer_reinvite(struct sta_dialog *d, nta_incoming_t *irq,
			   sip_t const *sip)
{
	char *answer;

	if (d->session != SESSION_CONFIRMED)
		return 491;
	if (sip->sip_payload && d->media) {
		answer = media_answer(d->media, sip->sip_payload->pl_data,
				      sip->sip_payload->pl_len, d->home);
		if (!answer)
			return 488;
		d->local_sdp = answer;
	}
	return reply_sdp(irq, d);
}

/* An ACK with a body answers the offer the agent made in its 200. */
static void take_ack_answer(struct sta_dialog *d, sip_t const *sip)
{
	if (d->media && sip && sip->sip_payload)
		media_answered(d->media, sip->sip_payload->pl_data,
			       sip->sip_payload->pl_len);
}

static int reply_sdp(nta_incoming_t *irq, struct sta_dialog *d)
{
	nta_incoming_treply(irq, SIP_200_OK,
			    SIPTAG_CONTACT(d->contact),
			    SIPTAG_ALLOW(d->agent->hdr.allow),
			    SIPTAG_SUPPORTED(d->agent->hdr.supported),
			    SIPTAG_CONTENT_TYPE(d->agent->hdr.sdp),
			    SIPTAG_PAYLOAD_STR(d->local_sdp), TAG_END());
	return 200;
}

static int on_dialog_request(nta_leg_magic_t *magic, nta_leg_t *leg,
			     nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_dialog *d = (struct sta_dialog *)magic;
	int status;

	(void)leg;
	sip_connections_seen(d->agent->conns, irq);
	if (sip->sip_request->rq_method == sip_method_ack) {
		/* No INVITE transaction took it: nothing to answer, and NTA
		 * keeps an ACK transaction it is not told to destroy. */
		take_ack_answer(d, sip);
		nta_incoming_destroy(irq);
		return 0;
	}
	if ((status = dispatch_precheck(d->agent, irq, sip)) != 0)
		return status;
	if (d->refs == 0 || d->session == SESSION_ENDED) {
		log_info("dialog %s: %s refused: 481 (dialog ended)",
			 d->call_id, sip->sip_request->rq_method_name);
		return 481;
	}
	if (!cseq_accept(&d->remote_cseq, sip->sip_cseq->cs_seq)) {
		log_notice("dialog %s: %s refused: 500 (CSeq %u not above %u)",
			   d->call_id, sip->sip_request->rq_method_name,
			   sip->sip_cseq->cs_seq, d->remote_cseq.last);
		return 500;
	}
	switch (sip->sip_request->rq_method) {
	case sip_method_bye:
		return on_bye(d, irq);
	case sip_method_refer:
		return d->agent->on.refer(d->agent, irq, sip, d);
	case sip_method_subscribe:
		return d->agent->on.subscribe(d->agent, irq, sip, d);
	case sip_method_invite:
		return answer_reinvite(d, irq, sip);
	case sip_method_options:
		return 200;
	case sip_method_notify:	/* for a REFER the agent sent */
		return d->agent->on.notify(d, irq, sip);
	default:
		nta_incoming_treply(irq, SIP_405_METHOD_NOT_ALLOWED,
				    SIPTAG_ALLOW(d->agent->hdr.allow), TAG_END());
		return 405;
	}
}

/* ---- INVITEs to the agent ---------------------------------------------- */

/* The reason logged for a source over limits.per_source_rate. */
static char const RATE_WHY[] = "over per_source_rate";

/* NTA reports the ACK of the agent's 200 (SIP set), or Timer H (SIP NULL:
 * no ACK 64*T1 after the 200, RFC 3261 13.3.1.4): then the call ends. */
static int on_invite_acked(nta_incoming_magic_t *magic, nta_incoming_t *irq,
			   sip_t const *sip)
{
	struct sta_dialog *d = (struct sta_dialog *)magic;

	(void)irq;
	forget_invite(d);
	if (sip) {
		take_ack_answer(d, sip);
		return 0;
	}
	log_notice("call %s: no ACK for the 200 (Timer H), BYE", d->call_id);
	dialog_hangup(d);
	return 0;
}

static enum replaced_phase replaced_phase(struct sta_dialog const *d)
{
	if (!d)
		return REPLACED_NONE;
	switch (d->session) {
	case SESSION_EARLY:
		return d->agent_initiated ? REPLACED_EARLY_OURS
					  : REPLACED_EARLY_THEIRS;
	case SESSION_CONFIRMED:
		return REPLACED_CONFIRMED;
	case SESSION_ENDED:
		return d->had_call || d->agent_initiated ? REPLACED_ENDED
							 : REPLACED_NONE;
	case SESSION_NONE:
	default:
		return REPLACED_NONE;
	}
}

/* Which dialog an INVITE with Replaces takes over; NULL with *STATUS set
 * (RFC 3891: 481, 486 or 603) when it may take over none. */
static struct sta_dialog *replaced_dialog(struct sta_agent *agent,
					  sip_replaces_t const *rp,
					  int *status)
{
	struct sta_dialog *old = dialog_by_replaces(agent, rp);

	*status = replaces_status(replaced_phase(old), rp->rp_early_only);
	return *status ? NULL : old;
}

/* A Replaces header that Sofia-SIP filed as an error. */
static bool replaces_unparsable(sip_t const *sip)
{
	for (sip_error_t const *e = sip->sip_error; e; e = e->er_next)
		if (e->er_common->h_class == sip_replaces_class ||
		    (e->er_name && strcasecmp(e->er_name, "Replaces") == 0))
			return true;
	return false;
}

static void give_up(struct sta_dialog *old)
{
	log_info("dialog %s replaced", old->call_id);
	if (old->session == SESSION_CONFIRMED)
		dialog_hangup(old);
	else if (old->caller)
		old->agent->on.call_replaced(old->caller);
}

/* Answer IRQ STATUS PHRASE, with Retry-After: 1 when the source is over
 * its rate (WHY is RATE_WHY) and Retry-After: 5 for any other 503. */
static int refuse_invite(struct sta_agent const *agent,
			 nta_incoming_t *irq, sip_t const *sip,
			 struct request_source const *src, int status,
			 char const *phrase, char const *why)
{
	char const *retry = why == RATE_WHY ? "1" : "5";

	log_notice("INVITE refused: %d %s (%s) from %s, Call-ID %s", status,
		   phrase, why, src->text, sip->sip_call_id->i_id);
	nta_incoming_treply(irq, status, phrase,
			    TAG_IF(status == 503,
				   SIPTAG_RETRY_AFTER_STR(retry)),
			    SIPTAG_ALLOW(agent->hdr.allow),
			    SIPTAG_SUPPORTED(agent->hdr.supported), TAG_END());
	return status;
}

static int refuse_replaces(struct sta_agent const *agent,
			   nta_incoming_t *irq, sip_t const *sip,
			   struct request_source const *src, int status)
{
	if (status == 486)
		return refuse_invite(agent, irq, sip, src, SIP_486_BUSY_HERE,
				     "Replaces early-only names a confirmed "
				     "dialog");
	if (status == 603)
		return refuse_invite(agent, irq, sip, src, SIP_603_DECLINE,
				     "Replaces names a dialog that has ended");
	return refuse_invite(agent, irq, sip, src, SIP_481_NO_TRANSACTION,
			     "Replaces names no dialog of the agent");
}

/* The SDP the agent answers INVITE SIP with: the answer to its offer (on
 * the replaced dialog's o= session and codecs when it takes one over), or
 * the agent's offer when it has none. */
static char *local_sdp_for(struct sta_dialog *d, sip_t const *sip,
			   struct sta_dialog *old)
{
	if (old && old->media)
		media_inherit(d->media, old->media);
	if (!sip->sip_payload)
		return media_offer(d->media, NULL, d->home);
	return media_answer(d->media, sip->sip_payload->pl_data,
			    sip->sip_payload->pl_len, d->home);
}

static int accept_invite(struct sta_agent *agent, nta_incoming_t *irq,
			 sip_t const *sip, struct sta_dialog *old)
{
	struct sta_dialog *d = dialog_new_uas(agent, irq, sip);

	if (!d)
		return 500;
	d->media = media_open(agent->media, signalling_host(d),
			      agent_offer(agent, signalling_host(d), d->home));
	if (!d->media) {
		dialog_unref(d);
		return 503;
	}
	d->local_sdp = local_sdp_for(d, sip, old);
	if (!d->local_sdp) {
		dialog_unref(d);
		return 488;
	}
	d->session = SESSION_CONFIRMED;
	d->had_call = true;
	nta_incoming_tag(irq, d->local_tag);
	reply_sdp(irq, d);
	d->invite_irq = irq;
	nta_incoming_bind(irq, on_invite_acked, (nta_incoming_magic_t *)d);
	d->held = true;
	agent->held_calls++;
	su_timer_set_interval(d->call_timer, on_call_timer,
			      (su_timer_arg_t *)d,
			      (su_duration_t)agent->cfg->max_call_duration *
				      1000);
	log_notice("call %s from %s answered", d->call_id,
		   sip->sip_from->a_url->url_host ?
			   sip->sip_from->a_url->url_host : "?");
	return 200;
}

int dialog_answer_invite(struct sta_agent *agent, nta_incoming_t *irq,
			 sip_t const *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct request_source src;
	struct auth_verdict auth;
	struct sta_dialog *old = NULL;
	int status = 0;

	request_source(irq, &src);
	if (!agent_source_allowed(agent, &src))
		return refuse_invite(agent, irq, sip, &src, SIP_403_FORBIDDEN,
				     "source not allowed");
	sip_auth_check(agent, &src, sip, home, &auth);
	status = auth.ok ? 0 : sip_auth_refuse(agent, irq, &auth);
	su_home_deinit(home);
	if (status)
		return status;
	if (agent->shutting_down)
		return refuse_invite(agent, irq, sip, &src,
				     SIP_503_SERVICE_UNAVAILABLE,
				     "shutting down");
	if (agent->held_calls >= agent->cfg->max_calls)
		return refuse_invite(agent, irq, sip, &src,
				     SIP_503_SERVICE_UNAVAILABLE,
				     "limits.max_calls reached");
	if (!agent_source_within_rate(agent, &src))
		return refuse_invite(agent, irq, sip, &src,
				     SIP_503_SERVICE_UNAVAILABLE, RATE_WHY);
	if (!agent_dialog_hop_allowed(agent, sip))
		return refuse_invite(agent, irq, sip, &src, SIP_403_FORBIDDEN,
				     "next hop not allowed");
	if (replaces_unparsable(sip))
		return refuse_invite(agent, irq, sip, &src, SIP_400_BAD_REQUEST,
				     "Replaces does not parse");
	if (sip->sip_replaces &&
	    !(old = replaced_dialog(agent, sip->sip_replaces, &status)))
		return refuse_replaces(agent, irq, sip, &src, status);
	status = accept_invite(agent, irq, sip, old);
	if (status != 200)
		return refuse_invite(agent, irq, sip, &src, status,
				     status == 488 ? "Not Acceptable Here" :
				     status == 503 ? "Service Unavailable" :
						     "Server Internal Error",
				     status == 503 ? "no RTP port free" :
						     "cannot answer the offer");
	if (old)
		give_up(old);
	return 0;
}
