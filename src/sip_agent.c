/*
 * sip_agent.c - the daemon's SIP side: one Sofia-SIP NTA agent.
 * See sip_agent.h.
 */
#include "sip_agent.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "conn_table.h"
#include "log.h"
#include "next_hop.h"
#include "policy.h"
#include "sip_auth.h"
#include "sip_connections.h"
#include "sip_dialog.h"
#include "sip_dns.h"
#include "sip_media.h"
#include "sip_refer.h"
#include "sip_tls.h"
#include "sip_transfer.h"

/* Sources tracked at once by limits.per_source_rate. */
#define RATE_TABLE_CAPACITY 65536

/* How long the drain waits, once live transfers were stopped, for their
 * final NOTIFYs to be answered before the agent exits anyway. */
#define DRAIN_FINAL_WAIT_MS 5000

uint64_t sta_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

bool agent_dialog_hop_allowed(struct sta_agent const *agent,
			      sip_t const *sip)
{
	url_t const *u = sip->sip_record_route ? sip->sip_record_route->r_url :
			 sip->sip_contact ? sip->sip_contact->m_url : NULL;
	char buf[256];
	char const *host = u ? next_hop_host(u->url_host, u->url_params, buf,
					     sizeof buf) : NULL;
	unsigned char bytes[16];
	int family;

	return host && host_address(host, &family, bytes) &&
	       cidr_list_contains(agent->cfg->allow_from,
				  agent->cfg->n_allow_from, family, bytes);
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

struct sip_contact_s *agent_contact_for(struct sta_agent *agent,
					nta_incoming_t *irq, su_home_t *home)
{
	tport_t *tp = nta_incoming_transport(agent->nta, irq, NULL);
	tport_t *primary = tp && tport_is_secondary(tp) ? tport_parent(tp)
							 : tp;
	tp_name_t const *n = primary ? tport_name(primary) : NULL;
	url_t const *fallback = agent->contact->m_url;
	char const *host;
	sip_contact_t *m = NULL;

	if (n && n->tpn_proto && n->tpn_port) {
		host = host_is_wildcard(n->tpn_host) ? fallback->url_host
						     : n->tpn_host;
		bool v6 = strchr(host, ':') && host[0] != '[';

		m = strcasecmp(n->tpn_proto, "tls") == 0 ?
			sip_contact_format(home, "<sips:%s%s%s:%s>",
					   v6 ? "[" : "", host, v6 ? "]" : "",
					   n->tpn_port) :
			sip_contact_format(home, "<sip:%s%s%s:%s;transport=%s>",
					   v6 ? "[" : "", host, v6 ? "]" : "",
					   n->tpn_port, n->tpn_proto);
	}
	if (tp)
		tport_unref(tp);
	return m ? m : sip_contact_dup(home, agent->contact);
}

static int reply_capabilities(nta_incoming_t *irq, int status,
			      char const *phrase)
{
	nta_incoming_treply(irq, status, phrase,
			    SIPTAG_ALLOW_STR(STA_ALLOW),
			    SIPTAG_SUPPORTED_STR(STA_SUPPORTED),
			    SIPTAG_ALLOW_EVENTS_STR(STA_ALLOW_EVENTS),
			    TAG_END());
	return status;
}

int sip_agent_subscribe(struct sta_agent *agent, nta_incoming_t *irq,
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
		return reply_capabilities(irq, SIP_403_FORBIDDEN);
	}
	sip_auth_check(agent, &src, sip, home, &auth);
	status = auth.ok ? 0 : sip_auth_refuse(irq, &auth);
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
	if (!d && refer)
		d = dialog_find(agent, sip);
	status = d && refer ? xfer_subscribe(d, irq, sip) : 0;
	if (status)
		return status;
	log_info("SUBSCRIBE for %s refused: no such subscription",
		 sip->sip_event ? sip->sip_event->o_type : "(no Event)");
	if (refer)
		return reply_capabilities(irq, SIP_403_FORBIDDEN);
	return reply_capabilities(irq, SIP_489_BAD_EVENT);
}

/* Every request that matched no dialog of the agent arrives here. */
static int on_request(nta_leg_magic_t *magic, nta_leg_t *leg,
		      nta_incoming_t *irq, sip_t const *sip)
{
	struct sta_agent *agent = (struct sta_agent *)magic;
	bool in_dialog = sip->sip_to && sip->sip_to->a_tag;

	(void)leg;
	sip_connections_seen(agent->conns, irq);
	log_debug("%s from Call-ID %s", sip->sip_request->rq_method_name,
		  sip->sip_call_id->i_id);
	switch (sip->sip_request->rq_method) {
	case sip_method_ack:
		nta_incoming_destroy(irq);
		return 0;
	case sip_method_options:	/* a proxy's keepalive probe */
		if (agent->shutting_down)
			return reply_capabilities(irq,
						  SIP_503_SERVICE_UNAVAILABLE);
		return reply_capabilities(irq, SIP_200_OK);
	case sip_method_refer:
		if (in_dialog)
			return 481;
		return sip_refer_receive(agent, irq, sip, NULL);
	case sip_method_subscribe:
		return sip_agent_subscribe(agent, irq, sip, NULL);
	case sip_method_invite:
		if (in_dialog)
			return 481;
		return dialog_answer_invite(agent, irq, sip);
	case sip_method_bye:
	case sip_method_notify:
	case sip_method_cancel:
		return 481;
	default:
		return reply_capabilities(irq, SIP_405_METHOD_NOT_ALLOWED);
	}
}

static bool url_type_is_tls(url_t const *u)
{
	char transport[8];

	return u->url_type == url_sips ||
	       (url_param(u->url_params, "transport", transport,
			  sizeof transport) && strcasecmp(transport, "tls") == 0);
}

/* Resolve listen URI TEXT into a listen_addr for loop detection. */
static bool listen_resolve(char const *text, struct listen_addr *out)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_hdup(home, (url_t const *)url_make(home, text));
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char const *port;
	bool ok = false;

	if (u && u->url_host) {
		port = u->url_port ? u->url_port :
			url_type_is_tls(u) ? "5061" : "5060";
		if (getaddrinfo(strcmp(u->url_host, "*") ? u->url_host : NULL,
				port, &hints, &res) == 0) {
			memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
			out->wildcard = (res->ai_family == AF_INET &&
				((struct sockaddr_in *)res->ai_addr)->sin_addr
				.s_addr == htonl(INADDR_ANY)) ||
				(res->ai_family == AF_INET6 &&
				 IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)
					res->ai_addr)->sin6_addr));
			freeaddrinfo(res);
			ok = true;
		}
	}
	su_home_deinit(home);
	return ok;
}

/* The URI NTA binds for listen URI TEXT: NTA takes TLS only with the sips:
 * scheme, so "sip:...;transport=tls" is bound as "sips:...". */
static url_string_t const *bindable(su_home_t *home, char const *text)
{
	url_t *u = url_hdup(home, (url_t const *)url_make(home, text));
	char transport[8];

	if (u && u->url_type == url_sip &&
	    url_param(u->url_params, "transport", transport,
		      sizeof transport) && strcasecmp(transport, "tls") == 0) {
		u->url_type = url_sips;
		u->url_scheme = "sips";
	}
	return u ? (url_string_t const *)u : (url_string_t const *)text;
}

/* sip.udp_buffer: receive and send buffers of each UDP socket (the
 * kernel caps them at net.core.rmem_max / wmem_max). */
#define UDP_BUFFER_TAGS(cfg) \
	TAG_IF((cfg)->udp_buffer, TPTAG_UDP_RMEM((cfg)->udp_buffer)), \
	TAG_IF((cfg)->udp_buffer, TPTAG_UDP_WMEM((cfg)->udp_buffer))

/* TCP/TLS connections: closed after sip.tcp_idle_timeout without traffic
 * once nothing references them, neither a transaction nor a dialog
 * (sip_dialog.c) (NTA's own default, passed before these tags and so
 * overridden, is 30 min), and a message that stays incomplete
 * for CONN_SILENCE_MS after its last bytes is dropped with its
 * connection (tport's default: never). */
#define STREAM_TAGS(cfg) \
	TPTAG_IDLE((unsigned)(cfg)->tcp_idle_timeout * 1000U), \
	TPTAG_TIMEOUT(CONN_SILENCE_MS)

static bool bind_listen(struct sta_agent *agent)
{
	struct sta_config const *cfg = agent->cfg;

	agent->listen = su_zalloc(agent->home,
				  cfg->n_listen * sizeof *agent->listen);
	if (!agent->listen)
		return false;
	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (i > 0 && nta_agent_add_tport(agent->nta,
				bindable(agent->home, cfg->listen[i]),
				UDP_BUFFER_TAGS(cfg), STREAM_TAGS(cfg),
				TAG_IF(agent->tls_dir,
				       TPTAG_CERTIFICATE(agent->tls_dir)),
				TAG_END()) < 0) {
			log_error("cannot listen on %s: %m", cfg->listen[i]);
			return false;
		}
		if (!listen_resolve(cfg->listen[i], &agent->listen[i])) {
			log_error("cannot resolve listen address %s",
				  cfg->listen[i]);
			return false;
		}
		agent->n_listen++;
	}
	return true;
}

struct sta_agent *sip_agent_create(su_root_t *root,
				   struct sta_config const *cfg)
{
	struct sta_agent *agent = su_home_new(sizeof *agent);

	if (!agent)
		return NULL;
	agent->root = root;
	agent->cfg = cfg;
	agent->rates = rate_table_new(RATE_TABLE_CAPACITY);
	bucket_fill(&agent->all_sources, cfg->max_rate, sta_now_ms());
	agent->drain_timer = su_timer_create(su_root_task(root), 0);
	if (cfg->tls_certificate && !(agent->tls_dir = sip_tls_dir_create(cfg))) {
		sip_agent_destroy(agent);
		return NULL;
	}
	agent->nta = nta_agent_create(root,
				      bindable(agent->home, cfg->listen[0]),
				      NULL, NULL, NTATAG_UA(1),
				      NTATAG_CLIENT_RPORT(1),
				      NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0),
				      TAG_IF(cfg->resolv_conf,
					     SRESTAG_RESOLV_CONF(
						     cfg->resolv_conf)),
				      NTATAG_MERGE_482(1),
				      UDP_BUFFER_TAGS(cfg), STREAM_TAGS(cfg),
				      TAG_IF(agent->tls_dir,
					     TPTAG_CERTIFICATE(agent->tls_dir)),
				      TAG_END());
	if (!agent->nta)
		log_error("cannot listen on %s: %m", cfg->listen[0]);
	agent->dns = dns_create(root, cfg->resolv_conf);
	if (!agent->dns)
		log_error("cannot create the DNS resolver: %m");
	if (!agent->rates || !agent->drain_timer || !agent->nta ||
	    !agent->dns ||
	    !sip_auth_create(root, cfg, &agent->auth) || !bind_listen(agent) ||
	    !(agent->conns = sip_connections_create(agent)) ||
	    !(agent->media = media_engine_create(root, cfg)) ||
	    !nta_leg_tcreate(agent->nta, on_request,
			     (nta_leg_magic_t *)agent, NTATAG_NO_DIALOG(1),
			     TAG_END())) {
		sip_agent_destroy(agent);
		return NULL;
	}
	agent->contact = sip_contact_dup(agent->home,
					 nta_agent_contact(agent->nta));
	return agent;
}

static bool same_listen(struct sta_config const *a, struct sta_config const *b)
{
	if (a->n_listen != b->n_listen)
		return false;
	for (size_t i = 0; i < a->n_listen; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return false;
	return true;
}

bool sip_agent_reload(struct sta_agent *agent, struct sta_config const *cfg)
{
	struct sta_auth *auth;

	if (!sip_auth_create(agent->root, cfg, &auth))
		return false;
	if (!same_listen(agent->cfg, cfg))
		log_warning("reload: listen addresses changed; they apply "
			    "after a restart, the agent keeps its current ones");
	if (media_engine_differs(agent->media, cfg))
		log_warning("reload: media.mode, media.audio_file or "
			    "media.rtp_ports changed; they apply after a "
			    "restart");
	sip_auth_destroy(agent->auth);
	agent->auth = auth;
	agent->cfg = cfg;
	return true;
}

static void on_drain_timer(su_root_magic_t *magic, su_timer_t *t,
			   su_timer_arg_t *arg)
{
	struct sta_agent *agent = (struct sta_agent *)arg;

	(void)magic;
	(void)t;
	if (agent->stopping_transfers || agent->n_live == 0) {
		log_warning("drain: %u transfer(s) still waiting for their "
			    "final NOTIFY to be answered, %u BYE(s) "
			    "unanswered; exiting anyway",
			    agent->n_live, agent->byes_pending);
		su_root_break(agent->root);
		return;
	}
	log_notice("drain: stopping %u live transfer(s)",
		   agent->n_live);
	agent->stopping_transfers = true;
	su_timer_set_interval(agent->drain_timer, on_drain_timer,
			      (su_timer_arg_t *)agent, DRAIN_FINAL_WAIT_MS);
	xfer_shutdown_all(agent);
	dialog_hangup_all(agent);
	sip_agent_transfers_changed(agent);
}

void sip_agent_drain(struct sta_agent *agent)
{
	if (agent->shutting_down)
		return;
	agent->shutting_down = true;
	log_notice("drain: new REFERs get 503; waiting up to %u s for %u "
		   "pending INVITE(s)", agent->cfg->shutdown_grace,
		   agent->calling);
	su_timer_set_interval(agent->drain_timer, on_drain_timer,
			      (su_timer_arg_t *)agent,
			      (su_duration_t)agent->cfg->shutdown_grace * 1000);
	sip_agent_transfers_changed(agent);
}

void sip_agent_transfers_changed(struct sta_agent *agent)
{
	if (!agent->shutting_down)
		return;
	if (agent->n_live == 0) {
		unsigned n = dialog_hangup_all(agent);

		if (n)
			log_notice("drain: BYE to %u held call(s)", n);
		if (agent->byes_pending)
			return;
		log_notice("drain: no transfer left");
		su_root_break(agent->root);
	} else if (agent->calling == 0 && !agent->stopping_transfers) {
		su_timer_set_interval(agent->drain_timer, on_drain_timer,
				      (su_timer_arg_t *)agent, 0);
	}
}

void sip_agent_destroy(struct sta_agent *agent)
{
	if (!agent)
		return;
	su_timer_destroy(agent->drain_timer);
	sip_refer_free_all(agent);
	sip_connections_destroy(agent->conns);
	xfer_free_all(agent);
	dialog_free_all(agent);
	media_engine_destroy(agent->media);
	if (agent->nta)
		nta_agent_destroy(agent->nta);
	rate_table_free(agent->rates);
	dns_destroy(agent->dns);
	sip_auth_destroy(agent->auth);
	sip_tls_dir_remove(agent->tls_dir);
	su_home_unref(agent->home);
}
