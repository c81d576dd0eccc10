/*
 * sip_dispatch.c - where a request the agent receives goes.  See
 * sip_dispatch.h.
 */
#include "sip_dispatch.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include "log.h"
#include "request_rules.h"
#include "sip_connections.h"
#include "sip_overload.h"

/* The Require option tags of SIP the agent does not support, joined
 * with ", " into BUF; false when there is none. */
static bool unsupported_list(sip_t const *sip, su_home_t *home, char *buf,
			     size_t size)
{
	size_t n = 0, k, len = 0;
	char const **tags, **bad;

	if (!sip->sip_require)	/* most requests: no allocation */
		return false;
	for (sip_require_t const *r = sip->sip_require; r; r = r->k_next)
		for (msg_param_t const *t = r->k_items; t && *t; t++)
			n++;
	tags = su_zalloc(home, (2 * n + 1) * sizeof *tags);
	if (!tags)
		return false;
	bad = tags + n;
	n = 0;
	for (sip_require_t const *r = sip->sip_require; r; r = r->k_next)
		for (msg_param_t const *t = r->k_items; t && *t; t++)
			tags[n++] = *t;
	k = require_unsupported(tags, n, bad);
	buf[0] = '\0';
	for (size_t i = 0; i < k && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? ", " : "", bad[i]);
	return k > 0;
}

/* Refusal reasons of dispatch_precheck() (metrics compare them by
 * address). */
static char const WHY_SCHEME[] = "Request-URI scheme not sip/sips";
static char const WHY_URI[] = "Request-URI does not parse";
static char const WHY_REQUIRE[] = "Require: unsupported option tag";

/* A REFER refused before sip_refer.c saw it counts like its refusals. */
static void count_refusal(struct sta_agent *agent, sip_t const *sip,
			  int status, char const *why)
{
	if (sip->sip_request->rq_method != sip_method_refer)
		return;
	agent->refused++;
	agent->metrics.refers[status]++;
	metrics_count_refusal(&agent->metrics, why);
}

int dispatch_precheck(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip)
{
	url_t const *u = sip->sip_request->rq_url;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char tags[512];
	int status = request_uri_status(u->url_scheme, u->url_host);
	bool bad_ext;

	if (status) {
		log_notice("%s refused: %d (%s) Call-ID %s",
			   sip->sip_request->rq_method_name, status,
			   status == 416 ? WHY_SCHEME : WHY_URI,
			   sip->sip_call_id->i_id);
		count_refusal(agent, sip, status,
			      status == 416 ? WHY_SCHEME : WHY_URI);
		if (status == 416)
			nta_incoming_treply(irq, SIP_416_UNSUPPORTED_URI,
					    TAG_END());
		else
			nta_incoming_treply(irq, SIP_400_BAD_REQUEST,
					    TAG_END());
		return status;
	}
	if (sip->sip_request->rq_method == sip_method_cancel)
		return 0;
	bad_ext = unsupported_list(sip, home, tags, sizeof tags);
	su_home_deinit(home);
	if (!bad_ext)
		return 0;
	log_notice("%s refused: 420 (Require: unsupported %s) Call-ID %s",
		   sip->sip_request->rq_method_name, tags,
		   sip->sip_call_id->i_id);
	count_refusal(agent, sip, 420, WHY_REQUIRE);
	nta_incoming_treply(irq, SIP_420_BAD_EXTENSION,
			    SIPTAG_UNSUPPORTED_STR(tags),
			    SIPTAG_SUPPORTED(agent->hdr.supported), TAG_END());
	return 420;
}

/* A request of METHOD outside any dialog would start one: the work the
 * overload control may refuse. */
static bool starts_work(sip_method_t method)
{
	return method == sip_method_refer || method == sip_method_subscribe ||
	       method == sip_method_invite;
}

int dispatch_request(nta_leg_magic_t *magic, nta_leg_t *leg,
		     nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_agent *agent = (struct sta_agent *)magic;
	bool in_dialog = sip->sip_to && sip->sip_to->a_tag;
	int status;

	(void)leg;
	sip_connections_seen(agent->conns, irq);
	log_debug("%s from Call-ID %s", sip->sip_request->rq_method_name,
		  sip->sip_call_id->i_id);
	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	if ((status = dispatch_precheck(agent, irq, sip)) != 0)
		return status;
	if (in_dialog) {
		/* RFC 3261 12.2.2: a To tag of no dialog the agent holds
		 * (any more) */
		log_info("%s refused: 481 (no such dialog) Call-ID %s",
			 sip->sip_request->rq_method_name,
			 sip->sip_call_id->i_id);
		return 481;
	}
	if (starts_work(sip->sip_request->rq_method) &&
	    !sip_overload_admit(agent, irq, sip))
		return 503;
	switch (sip->sip_request->rq_method) {
	case sip_method_options:	/* a proxy's keepalive probe */
		if (agent_draining(agent))
			return sip_reply_capabilities(agent, irq,
						  SIP_503_SERVICE_UNAVAILABLE);
		return sip_reply_capabilities(agent, irq, SIP_200_OK);
	case sip_method_refer:
		return agent->on.refer(agent, irq, sip, NULL);
	case sip_method_subscribe:
		return agent->on.subscribe(agent, irq, sip, NULL);
	case sip_method_invite:
		return agent->on.invite(agent, irq, sip);
	case sip_method_bye:
	case sip_method_notify:
	case sip_method_cancel:
		return 481;
	default:
		return sip_reply_capabilities(agent, irq, SIP_405_METHOD_NOT_ALLOWED);
	}
}
