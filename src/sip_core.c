/*
 * sip_core.c - the bottom of the SIP layer: the agent's shared state and
 * the helpers every SIP file uses.  See sip_core.h.
 */
#include "sip_core.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "next_hop.h"
#include "policy.h"
#include "sdp_offer.h"

uint64_t sta_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool sta_headers_make(su_home_t *home, struct sta_headers *h)
{
	h->allow = sip_allow_make(home, STA_ALLOW);
	h->supported = sip_supported_make(home, STA_SUPPORTED);
	h->allow_events = sip_allow_events_make(home, STA_ALLOW_EVENTS);
	h->sipfrag = sip_content_type_make(home, "message/sipfrag;version=2.0");
	h->sdp = sip_content_type_make(home, "application/sdp");
	return h->allow && h->supported && h->allow_events && h->sipfrag &&
	       h->sdp;
}

struct sip_answer sip_answer_of(nta_outgoing_t *orq, sip_t const *sip)
{
	struct sip_answer ans = {
		.status = nta_outgoing_status(orq),
		.local = true,
	};

	if (sip == NULL)
		return ans;
	if (sip->sip_status) {
		ans.status = sip->sip_status->st_status;
		ans.phrase = sip->sip_status->st_phrase;
	}
	ans.local = nta_sip_is_internal(sip);
	return ans;
}

void request_source(nta_incoming_t *irq, struct request_source *src)
{
	msg_t *msg = nta_incoming_getrequest(irq);
	su_sockaddr_t const *from = msg ? msg_addr(msg) : NULL;

	*src = (struct request_source){ .known = from != NULL };
	snprintf(src->text, sizeof src->text, "?");
	if (from) {
		memcpy(&src->addr, from, su_sockaddr_size(from));
		getnameinfo((struct sockaddr const *)&src->addr,
			    su_sockaddr_size(from), src->text,
			    sizeof src->text, NULL, 0, NI_NUMERICHOST);
	}
	msg_destroy(msg);
}

unsigned char const *sockaddr_bytes(struct sockaddr_storage const *ss,
				    int *family)
{
	*family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		return (unsigned char const *)
			&((struct sockaddr_in const *)ss)->sin_addr;
	return (unsigned char const *)
		&((struct sockaddr_in6 const *)ss)->sin6_addr;
}

void sockaddr_set(struct sockaddr_storage *ss, int family,
		  unsigned char const *bytes, in_port_t port)
{
	memset(ss, 0, sizeof *ss);
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		memcpy(&in->sin_addr, bytes, 4);
		in->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		memcpy(&in6->sin6_addr, bytes, 16);
		in6->sin6_port = htons(port);
	}
}

bool source_in(struct request_source const *src, struct cidr const *list,
	       size_t n)
{
	int family;
	unsigned char const *addr = sockaddr_bytes(&src->addr, &family);

	return src->known && cidr_list_contains(list, n, family, addr);
}

bool agent_source_allowed(struct sta_agent const *agent,
			  struct request_source const *src)
{
	return source_in(src, agent->cfg->allow_from, agent->cfg->n_allow_from);
}

/* U (maddr honoured as NTA does) is an address in policy.allow_from. */
static bool hop_in_allow_from(struct sta_agent const *agent, url_t const *u)
{
	char buf[256];
	char const *host = u ? next_hop_host(u->url_host, u->url_params, buf,
					     sizeof buf) : NULL;
	unsigned char bytes[16];
	int family;

	return host && host_address(host, &family, bytes) &&
	       cidr_list_contains(agent->cfg->allow_from,
				  agent->cfg->n_allow_from, family, bytes);
}

url_t const *dialog_hop_url(sip_t const *sip)
{
	sip_record_route_t const *rr = sip->sip_record_route;

	if (rr && sip->sip_status)	/* a UAC's route set is reversed */
		while (rr->r_next)
			rr = rr->r_next;
	return rr ? rr->r_url : sip->sip_contact ? sip->sip_contact->m_url
						 : NULL;
}

bool agent_dialog_hop_allowed(struct sta_agent const *agent,
			      sip_t const *sip)
{
	return hop_in_allow_from(agent, dialog_hop_url(sip));
}

bool agent_source_within_rate(struct sta_agent *agent,
			      struct request_source const *src)
{
	int family;
	unsigned char const *addr = sockaddr_bytes(&src->addr, &family);

	return src->known && rate_take(agent->rates, agent->cfg->per_source_rate,
				       family, addr, sta_now_ms());
}

static bool host_is_wildcard(char const *host)
{
	return !host || strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0 ||
	       strcmp(host, "::") == 0 || strcmp(host, "[::]") == 0;
}

/* The agent's Contact for requests on primary transport N, made from
 * its name, in HOME; NULL when N says too little. */
static struct sip_contact_s *contact_of(struct sta_agent const *agent,
					tp_name_t const *n, su_home_t *home)
{
	char const *host;
	bool v6;

	if (!n->tpn_proto || !n->tpn_port)
		return NULL;
	host = host_is_wildcard(n->tpn_host) ? agent->contact->m_url->url_host
					     : n->tpn_host;
	v6 = strchr(host, ':') && host[0] != '[';
	if (strcasecmp(n->tpn_proto, "tls") == 0)
		return sip_contact_format(home, "<sips:%s%s%s:%s>",
					  v6 ? "[" : "", host, v6 ? "]" : "",
					  n->tpn_port);
	return sip_contact_format(home, "<sip:%s%s%s:%s;transport=%s>",
				  v6 ? "[" : "", host, v6 ? "]" : "",
				  n->tpn_port, n->tpn_proto);
}

struct sip_contact_s *agent_contact_for(struct sta_agent *agent,
					nta_incoming_t *irq, su_home_t *home)
{
	tport_t *tp = nta_incoming_transport(agent->nta, irq, NULL);
	tport_t *primary = tp && tport_is_secondary(tp) ? tport_parent(tp)
							 : tp;
	struct contact_memo *memo = &agent->contact_memo;

	if (primary && primary != memo->tport) {
		su_free(agent->home, memo->contact);
		memo->contact = contact_of(agent, tport_name(primary),
					   agent->home);
		memo->tport = memo->contact ? primary : NULL;
	}
	if (tp)
		tport_unref(tp);
	return sip_contact_dup(home, primary && memo->contact ? memo->contact
							 : agent->contact);
}

char *agent_offer(struct sta_agent const *agent, char const *host,
		  su_home_t *home)
{
	char buf[1024];

	if (agent->cfg->sdp)
		return su_strdup(home, agent->cfg->sdp);
	if (!sdp_default_offer(buf, sizeof buf, host, SDP_OFFER_AUDIO_PORT,
			       (uint64_t)time(NULL)))
		return NULL;
	return su_strdup(home, buf);
}

int sip_reply_capabilities(struct sta_agent const *agent, nta_incoming_t *irq,
			   int status, char const *phrase)
{
	nta_incoming_treply(irq, status, phrase,
			    SIPTAG_ALLOW(agent->hdr.allow),
			    SIPTAG_SUPPORTED(agent->hdr.supported),
			    SIPTAG_ALLOW_EVENTS(agent->hdr.allow_events),
			    TAG_END());
	return status;
}

bool agent_draining(struct sta_agent const *agent)
{
	return agent->shutting_down || agent->paused;
}
