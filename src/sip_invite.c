/*
 * sip_invite.c - the INVITE of a transfer toward its target.
 * See sip_invite.h.
 *
 * A CANCELled INVITE that still has no final response 64*T1 after the
 * CANCEL is given up as a local 408 (RFC 3261 9.1): NTA itself would keep
 * it until its Timer D, a fixed 32 s whatever sip.t1 is.
 */
#include "sip_invite.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/auth_client.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "log.h"
#include "sip_core.h"
#include "sip_dialog.h"
#include "sip_target.h"

struct sta_invite {
	su_home_t *home;		/* the owner's: holds this and the request */
	struct sta_agent *agent;
	struct sta_dialog *dialog;
	nta_outgoing_t *orq;		/* the INVITE awaiting its final */
	url_t const *target;		/* Request-URI, changed by redirects */
	sip_replaces_t const *replaces;
	sip_referred_by_t const *referred_by;
	char const *sdp;
	auth_client_t *auc;		/* challenges met, with credentials */
	unsigned challenges;		/* answered for the current target */
	unsigned redirects;
	bool cancelled;
	su_timer_t *cancel_timer;	/* 64*T1 after the CANCEL */
	invite_report_f *report;
	void *owner;
};

static int on_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
		     sip_t const *sip);

/* The outbound proxy as a loose route, or NULL when none is set. */
static sip_route_t *outbound_route(struct sta_invite *inv)
{
	char const *proxy = inv->agent->cfg->outbound_proxy;
	url_t *u = proxy ? url_hdup(inv->home, (url_t const *)url_make(
					   inv->home, proxy)) : NULL;

	if (!u)
		return NULL;
	if (!url_has_param(u, "lr"))
		url_param_add(inv->home, u, "lr");
	return sip_route_create(inv->home, u, NULL);
}

static bool send_request(struct sta_invite *inv)
{
	struct sta_agent *agent = inv->agent;
	msg_t *msg = nta_msg_create(agent->nta, 0);
	sip_t *sip = sip_object(msg);
	sip_route_t *route = outbound_route(inv);

	if (!msg || sip_add_tl(msg, sip,
			TAG_IF(route, SIPTAG_ROUTE(route)),
			SIPTAG_CONTACT(inv->dialog->contact),
			SIPTAG_REFERRED_BY(inv->referred_by),
			TAG_IF(inv->replaces, SIPTAG_REPLACES(inv->replaces)),
			SIPTAG_ALLOW(agent->hdr.allow),
			SIPTAG_SUPPORTED(agent->hdr.supported),
			SIPTAG_CONTENT_TYPE(agent->hdr.sdp),
			SIPTAG_PAYLOAD_STR(inv->sdp), TAG_END()) < 0 ||
	    nta_msg_request_complete(msg, inv->dialog->leg, SIP_METHOD_INVITE,
				     (url_string_t *)inv->target) < 0 ||
	    (inv->auc && auc_authorization(&inv->auc, msg, (msg_pub_t *)sip,
					   "INVITE", sip->sip_request->rq_url,
					   sip->sip_payload) < 0)) {
		msg_destroy(msg);
		return false;
	}
	inv->orq = nta_outgoing_mcreate(agent->nta, on_answer,
					(nta_outgoing_magic_t *)inv,
					route ? (url_string_t *)route->r_url
					      : NULL,
					msg, TAG_END());
	if (!inv->orq)
		msg_destroy(msg);
	return inv->orq != NULL;
}

/* A 401/407: answer it once with credentials for its realms.  False when
 * there are none, or the answer was already refused. */
static bool answer_challenge(struct sta_invite *inv, int status,
			     sip_t const *sip)
{
	struct sta_config const *cfg = inv->agent->cfg;
	msg_auth_t const *ch = status == 401 ?
		(msg_auth_t const *)sip->sip_www_authenticate :
		(msg_auth_t const *)sip->sip_proxy_authenticate;
	char realm[300];

	if (inv->challenges++ > 0 || !ch ||
	    auc_challenge(&inv->auc, inv->home, ch,
			  status == 401 ? sip_authorization_class :
					  sip_proxy_authorization_class) < 0)
		return false;
	for (size_t i = 0; i < cfg->n_credentials; i++) {
		snprintf(realm, sizeof realm, "\"%s\"",
			 cfg->credentials[i].realm);
		auc_all_credentials(&inv->auc, "Digest", realm,
				    cfg->credentials[i].user,
				    cfg->credentials[i].password);
	}
	if (auc_has_authorization(&inv->auc) <= 0) {
		log_info("INVITE to %s: %d without credentials for its realm",
			 inv->target->url_host, status);
		return false;
	}
	return send_request(inv);
}

/* A 3xx: try its first Contact, if the policy allows it as a target. */
static bool follow_redirect(struct sta_invite *inv, sip_t const *sip)
{
	url_t *next;

	if (inv->redirects >= inv->agent->cfg->max_redirects ||
	    !sip->sip_contact)
		return false;
	next = url_hdup(inv->home, sip->sip_contact->m_url);
	if (!next)
		return false;
	next->url_headers = NULL;
	if (!target_url_strip_maddr(inv->home, next) ||
	    !target_permitted(inv->agent, next)) {
		log_notice("INVITE to %s: redirect to %s refused by policy",
			   inv->target->url_host,
			   next->url_host ? next->url_host : "?");
		return false;
	}
	inv->redirects++;
	inv->challenges = 0;
	inv->target = next;
	log_info("INVITE redirected to %s", url_as_string(inv->home, next));
	return send_request(inv);
}

static void send_ack(struct sta_invite *inv)
{
	nta_outgoing_t *ack = nta_outgoing_tcreate(
		inv->dialog->leg, NULL, NULL, NULL, SIP_METHOD_ACK, NULL,
		SIPTAG_CONTACT(inv->dialog->contact), TAG_END());

	if (ack)
		nta_outgoing_destroy(ack);
	else
		log_error("cannot send ACK in %s", inv->dialog->call_id);
}

/* Whether a final response gets a new INVITE instead of being reported. */
static bool try_again(struct sta_invite *inv, int status, sip_t const *sip)
{
	if (inv->cancelled)
		return false;
	if (status == 401 || status == 407)
		return answer_challenge(inv, status, sip);
	if (status >= 300 && status < 400)
		return follow_redirect(inv, sip);
	return false;
}

static int on_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
		     sip_t const *sip)
{
	struct sta_invite *inv = (struct sta_invite *)magic;
	struct sip_answer ans = sip_answer_of(orq, sip);

	if (ans.status < 200) {
		if (!ans.local)
			dialog_early(inv->dialog, sip);
		inv->report(inv->owner, ans.status, ans.phrase, ans.local);
		return 0;
	}
	nta_outgoing_destroy(orq);
	inv->orq = NULL;
	su_timer_destroy(inv->cancel_timer);
	inv->cancel_timer = NULL;
	if (ans.status < 300 && !ans.local &&
	    !target_answer_hop_permitted(inv->agent, sip)) {
		log_notice("INVITE to %s: 2xx names a next hop outside "
			   "policy.targets; no ACK or BYE goes there, reported "
			   "as 503", inv->target->url_host);
		dialog_failed(inv->dialog);
		inv->report(inv->owner, 503, NULL, true);
		return 0;
	}
	if (ans.status < 300 && !ans.local) {
		dialog_confirmed(inv->dialog, sip, inv->sdp);
		send_ack(inv);
	} else if (!ans.local && try_again(inv, ans.status, sip)) {
		return 0;
	} else {
		dialog_failed(inv->dialog);
	}
	inv->report(inv->owner, ans.status, ans.phrase, ans.local);
	return 0;
}

struct sta_invite *invite_start(struct sta_agent *agent, su_home_t *home,
				struct sta_dialog *dialog,
				struct invite_request const *req,
				invite_report_f *report, void *owner)
{
	struct sta_invite *inv = su_zalloc(home, sizeof *inv);

	if (!inv)
		return NULL;
	inv->home = home;
	inv->agent = agent;
	inv->dialog = dialog_ref(dialog);
	inv->target = req->target;
	inv->replaces = req->replaces;
	inv->referred_by = req->referred_by;
	inv->sdp = dialog_offer(dialog, req->sdp, home);
	inv->report = report;
	inv->owner = owner;
	if (!inv->target || !inv->sdp || !send_request(inv)) {
		invite_free(inv);
		return NULL;
	}
	return inv;
}

/* 64*T1 after the CANCEL and still no final: the INVITE is given up. */
static void on_cancel_timeout(su_root_magic_t *magic, su_timer_t *t,
			      su_timer_arg_t *arg)
{
	struct sta_invite *inv = (struct sta_invite *)arg;

	(void)magic;
	(void)t;
	if (!inv->orq)
		return;
	nta_outgoing_destroy(inv->orq);
	inv->orq = NULL;
	dialog_failed(inv->dialog);
	inv->report(inv->owner, SIP_408_REQUEST_TIMEOUT, true);
}

void invite_cancel(struct sta_invite *inv)
{
	if (!inv || inv->cancelled)
		return;
	inv->cancelled = true;
	if (!inv->orq)
		return;
	nta_outgoing_tcancel(inv->orq, NULL, NULL, TAG_END());
	inv->cancel_timer = su_timer_create(su_root_task(inv->agent->root), 0);
	if (inv->cancel_timer)
		su_timer_set_interval(inv->cancel_timer, on_cancel_timeout,
				      (su_timer_arg_t *)inv,
				      64 * inv->agent->t1_ms);
}

bool invite_pending(struct sta_invite const *inv)
{
	return inv && inv->orq;
}

void invite_free(struct sta_invite *inv)
{
	if (!inv)
		return;
	if (inv->orq)
		nta_outgoing_destroy(inv->orq);
	su_timer_destroy(inv->cancel_timer);
	dialog_unref(inv->dialog);
	su_free(inv->home, inv);
}
