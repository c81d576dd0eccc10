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
#include "request_rules.h"
#include "sdp_offer.h"
#include "sip_auth.h"
#include "sip_connections.h"
#include "sip_dialog.h"
#include "sip_dispatch.h"
#include "sip_dns.h"
#include "sip_media.h"
#include "sip_overload.h"
#include "sip_refer.h"
#include "sip_referer.h"
#include "sip_tls.h"
#include "sofia_ackbye.h"
#include "sip_transfer.h"
#include "sofia_resolve.h"

/* Sources tracked at once by limits.per_source_rate. */
#define RATE_TABLE_CAPACITY 65536

/* How long the drain waits, once live transfers were stopped, for their
 * final NOTIFYs to be answered before the agent exits anyway. */
#define DRAIN_FINAL_WAIT_MS 5000

static bool url_type_is_tls(url_t const *u)
{
	char transport[8];

	return u->url_type == url_sips ||
	       (url_param(u->url_params, "transport", transport,
			  sizeof transport) && strcasecmp(transport, "tls") == 0);
}

/* HOST of a URI as getaddrinfo() takes it: NULL for "*", an IPv6
 * reference without its brackets (copied into BUF). */
static char const *listen_host(char const *host, char *buf, size_t size)
{
	size_t len = strlen(host);

	if (strcmp(host, "*") == 0)
		return NULL;
	if (len < 2 || host[0] != '[' || host[len - 1] != ']' ||
	    len - 2 >= size)
		return host;
	memcpy(buf, host + 1, len - 2);
	buf[len - 2] = '\0';
	return buf;
}

bool sip_listen_resolve(char const *text, struct listen_addr *out)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t *u = url_hdup(home, (url_t const *)url_make(home, text));
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;
	char const *port;
	char host[64];
	bool ok = false;

	if (u && u->url_host) {
		port = u->url_port ? u->url_port :
			url_type_is_tls(u) ? "5061" : "5060";
		if (getaddrinfo(listen_host(u->url_host, host, sizeof host),
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
		if (!sip_listen_resolve(cfg->listen[i], &agent->listen[i])) {
			log_error("cannot resolve listen address %s",
				  cfg->listen[i]);
			return false;
		}
		agent->n_listen++;
	}
	return true;
}

/* A dialog ended: the transfers notifying or calling in it, and the
 * REFERs the agent sent in it, learn. */
static void on_dialog_ended(struct sta_dialog *d)
{
	sip_referer_call_gone(d);
	xfer_dialog_ended(d);
}

static void on_transfers_changed(struct sta_agent *agent);

struct sta_agent *sip_agent_create(su_root_t *root,
				   struct sta_config const *cfg)
{
	struct sta_agent *agent = su_home_new(sizeof *agent);

	if (!agent)
		return NULL;
	agent->on = (struct sip_handlers){
		.refer = sip_refer_receive,
		.subscribe = xfer_on_subscribe,
		.invite = dialog_answer_invite,
		.notify = sip_referer_notify,
		.dialog_ended = on_dialog_ended,
		.call_replaced = xfer_replaced,
		.transfers_changed = on_transfers_changed,
	};
	agent->root = root;
	agent->cfg = cfg;
	/* sip.t1 (RFC 3261 17.1.1.1): NTA scales its retransmissions from
	 * T1, but keeps its transaction lifetime (Timers B, F, H, J) at 32 s
	 * unless told 64*T1 too. */
	agent->t1_ms = cfg->sip_t1_ms;
	agent->rates = rate_table_new(RATE_TABLE_CAPACITY);
	bucket_fill(&agent->all_sources, cfg->max_rate, sta_now_ms());
	agent->drain_timer = su_timer_create(su_root_task(root), 0);
	if (cfg->tls_certificate && !(agent->tls_dir = sip_tls_dir_create(cfg))) {
		sip_agent_destroy(agent);
		return NULL;
	}
	agent->nta = nta_agent_create(root,
				      bindable(agent->home, cfg->listen[0]),
				      sip_overload_stateless,
				      (nta_agent_magic_t *)agent, NTATAG_UA(1),
				      NTATAG_CLIENT_RPORT(1),
				      NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0),
				      TAG_IF(cfg->resolv_conf,
					     SRESTAG_RESOLV_CONF(
						     cfg->resolv_conf)),
				      NTATAG_MERGE_482(1),
				      /* each message's headers from one
				       * 1.5 kB block, not a malloc() each;
				       * more would cost memory in the
				       * messages NTA keeps for 32 s */
				      NTATAG_PRELOAD(1500),
				      NTATAG_SIP_T1(agent->t1_ms),
				      NTATAG_SIP_T1X64(64 * agent->t1_ms),
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
	    !sip_overload_create(agent, dispatch_request) ||
	    !sta_headers_make(agent->home, &agent->hdr)) {
		sip_agent_destroy(agent);
		return NULL;
	}
	agent->contact = sip_contact_dup(agent->home,
					 nta_agent_contact(agent->nta));
	sofia_ackbye_guard(agent);
	sofia_resolve_numeric_only(true);
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
			    "media.rtp_ports (the range of the agent's "
			    "RTP/RTCP port pair) changed; they apply after a "
			    "restart, the bound pair stays");
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
	on_transfers_changed(agent);
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
	on_transfers_changed(agent);
}

/* The drain moves on: held calls get their BYE once no transfer is live,
 * and the agent exits once those are answered. */
static void on_transfers_changed(struct sta_agent *agent)
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
	sofia_resolve_numeric_only(false);
	sofia_ackbye_guard(NULL);
	su_timer_destroy(agent->drain_timer);
	sip_refer_free_all(agent);
	sip_referer_free_all(agent);
	sip_connections_destroy(agent->conns);
	xfer_free_all(agent);
	dialog_free_all(agent);
	media_engine_destroy(agent->media);
	sip_overload_destroy(agent);
	if (agent->nta)
		nta_agent_destroy(agent->nta);
	rate_table_free(agent->rates);
	dns_destroy(agent->dns);
	sip_auth_destroy(agent->auth);
	sip_tls_dir_remove(agent->tls_dir);
	su_home_unref(agent->home);
}
