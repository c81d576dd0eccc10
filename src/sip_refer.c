/*
 * sip_refer.c - answering an out-of-dialog REFER.  See sip_refer.h.
 *
 * Only fact gathering happens here; the order of the checks and the codes
 * live in refer_to.c (refer_admit), the rules for the accepted transfer in
 * transfer.c.
 */
#include "sip_refer.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "log.h"
#include "policy.h"
#include "refer_to.h"
#include "sip_agent.h"
#include "sip_auth.h"
#include "sip_transfer.h"

/* One REFER while it is being judged. */
struct refer_job {
	struct sta_agent *agent;
	su_home_t *home;
	sip_t const *sip;
	struct request_source source;
	struct auth_verdict auth;
	struct refer_to_uri uri;
	sip_replaces_t const *replaces;
	url_t *target;			/* the INVITE's R-URI once accepted */
	char refer_to_text[512];
	char method[32];		/* the Refer-To's method= value */
};

static bool is_refer_to_error(sip_error_t const *e)
{
	if (e->er_common->h_class == sip_refer_to_class)
		return true;
	return e->er_name && (strcasecmp(e->er_name, "Refer-To") == 0 ||
			      strcasecmp(e->er_name, "r") == 0);
}

/* Refer-To values in the request: the parsed one plus the duplicates and
 * the unparsable ones Sofia-SIP filed as errors. */
static unsigned count_refer_to(sip_t const *sip)
{
	unsigned n = sip->sip_refer_to ? 1 : 0;

	for (sip_error_t const *e = sip->sip_error; e; e = e->er_next)
		if (is_refer_to_error(e))
			n++;
	return n;
}

/* A sip:/sips: URI must name a host Sofia-SIP takes as one ("<sip:@@>"
 * parses, with host "@"). */
static bool url_host_ok(url_t const *u)
{
	if (u->url_type != url_sip && u->url_type != url_sips)
		return true;
	return u->url_host && host_is_valid(u->url_host);
}

/* The embedded ?Replaces= of the Refer-To, parsed by Sofia-SIP; every other
 * embedded header is ignored here and never reaches the INVITE. */
static void read_replaces(struct refer_job *job, url_t const *u)
{
	tagi_t *tags;
	tagi_t const *t;
	sip_replaces_t const *rp;
	unsigned n = 0;

	if (!u->url_headers)
		return;
	tags = sip_url_query_as_taglist(job->home, u->url_headers, NULL);
	t = tags ? tl_find(tags, siptag_replaces) : NULL;
	if (!t) {
		job->uri.has_replaces = strcasestr(u->url_headers,
						   "replaces=") != NULL;
		return;
	}
	for (tagi_t const *i = tags; i; i = tl_next(i))
		n += i->t_tag == siptag_replaces;
	rp = (sip_replaces_t const *)t->t_value;
	job->uri.has_replaces = true;
	/* RFC 3891 3: one Replaces, with call-id, to-tag and from-tag */
	job->uri.replaces_valid = n == 1 && rp && rp->rp_call_id &&
				  rp->rp_to_tag && rp->rp_from_tag;
	if (job->uri.replaces_valid)
		job->replaces = rp;
}

/* URL as the plain facts refer_to_check() reads; METHOD is its buffer. */
static struct refer_to_uri uri_facts(url_t const *u, char *method,
				     size_t size)
{
	return (struct refer_to_uri){
		.scheme = u->url_scheme,
		.user = u->url_user,
		.host = u->url_host,
		.port = u->url_port,
		.method = url_param(u->url_params, "method", method, size) ?
			method : NULL,
	};
}

/* A copy of U without the password of its userinfo (RFC 3261 19.1.1: not
 * recommended; it is neither forwarded to the target nor logged). */
static url_t *without_password(su_home_t *home, url_t const *u)
{
	url_t *copy = url_hdup(home, u);

	if (copy)
		copy->url_password = NULL;
	return copy;
}

static bool read_refer_to(struct refer_job *job)
{
	sip_refer_to_t const *rt = job->sip->sip_refer_to;
	url_t const *u;

	if (!rt || count_refer_to(job->sip) != 1)
		return false;
	u = without_password(job->home, rt->r_url);
	if (!u)
		return false;
	url_e(job->refer_to_text, sizeof job->refer_to_text, u);
	job->refer_to_text[sizeof job->refer_to_text - 1] = '\0';
	if (!url_host_ok(u))
		return false;
	job->uri = uri_facts(u, job->method, sizeof job->method);
	if (!job->uri.scheme)
		return false;
	read_replaces(job, u);
	return true;
}

static in_port_t addr_port(struct sockaddr const *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((struct sockaddr_in const *)sa)->sin_port);
	return ntohs(((struct sockaddr_in6 const *)sa)->sin6_port);
}

/* True when ADDR belongs to this host: binding to it succeeds. */
static bool address_is_local(struct sockaddr const *addr, socklen_t len)
{
	struct sockaddr_storage probe;
	int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool local;

	if (fd < 0)
		return false;
	memcpy(&probe, addr, len);
	if (probe.ss_family == AF_INET)
		((struct sockaddr_in *)&probe)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&probe)->sin6_port = 0;
	local = bind(fd, (struct sockaddr *)&probe, len) == 0;
	close(fd);
	return local;
}

static bool same_address(struct sockaddr const *a,
			 struct sockaddr_storage const *b)
{
	int fa, fb;
	unsigned char const *pa =
		sockaddr_bytes((struct sockaddr_storage const *)a, &fa);
	unsigned char const *pb = sockaddr_bytes(b, &fb);

	if (fa != fb)
		return false;
	return memcmp(pa, pb, fa == AF_INET ? 4 : 16) == 0;
}

static bool listen_matches(struct listen_addr const *l,
			   struct sockaddr const *sa, socklen_t len)
{
	if (addr_port((struct sockaddr const *)&l->addr) != addr_port(sa))
		return false;
	if (l->wildcard)
		return address_is_local(sa, len);
	return same_address(sa, &l->addr);
}

/* refer_admit callback: the target host (resolved) and port equal a listen
 * address of the agent. */
static bool target_is_agent(struct refer_target const *t, void *ctx)
{
	struct sta_agent const *agent = ctx;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	char port[8], host[256];
	bool loop = false;
	size_t hl = strlen(t->host);

	/* getaddrinfo wants IPv6 literals without their brackets */
	if (t->host[0] == '[' && hl > 2 && hl - 2 < sizeof host) {
		memcpy(host, t->host + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		snprintf(host, sizeof host, "%s", t->host);
	}
	snprintf(port, sizeof port, "%u", t->port);
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return false;
	for (struct addrinfo *ai = res; ai && !loop; ai = ai->ai_next)
		for (size_t i = 0; i < agent->n_listen && !loop; i++)
			loop = listen_matches(&agent->listen[i],
					      ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return loop;
}

static bool target_in_policy(struct refer_target const *t, void *ctx)
{
	struct sta_agent const *agent = ctx;

	return targets_allow(agent->cfg->targets, agent->cfg->n_targets,
			     t->key);
}

bool sip_refer_target_permitted(struct sta_agent *agent, url_t const *url)
{
	char method[32];
	struct refer_to_uri uri = uri_facts(url, method, sizeof method);
	struct refer_target target;
	char const *why;

	if (!url_host_ok(url))
		return false;
	return uri.scheme &&
	       refer_to_check(&uri, agent->cfg->tel_domain, &target, &why) == 0 &&
	       !target_is_agent(&target, agent) &&
	       target_in_policy(&target, agent);
}

/* Tokens only for REFERs that reach the rate checks: the source's own
 * bucket first, then limits.max_rate's, so that a source over its rate
 * spends nothing of the others' share. */
static void take_rate_tokens(struct sta_agent *agent, struct refer_facts *f,
			     int family, unsigned char const *addr)
{
	struct sta_config const *cfg = agent->cfg;
	uint64_t now = sta_now_ms();

	if (!f->source_allowed || !f->auth_ok || f->shutting_down ||
	    f->at_max_active)
		return;
	f->over_rate = !rate_take(agent->rates, cfg->per_source_rate, family,
				  addr, now);
	if (!f->over_rate && cfg->max_rate)
		f->over_max_rate = !bucket_take(&agent->all_sources,
						cfg->max_rate, now);
}

static void gather_facts(struct refer_job *job, nta_incoming_t *irq,
			 struct refer_facts *f)
{
	struct sta_config const *cfg = job->agent->cfg;
	int family;
	unsigned char const *addr;

	request_source(irq, &job->source);
	addr = sockaddr_bytes(&job->source.addr, &family);
	*f = (struct refer_facts){
		.source_allowed = agent_source_allowed(job->agent, &job->source),
		.auth_ok = true,
		.shutting_down = job->agent->shutting_down,
		.at_max_active = job->agent->calling >= cfg->max_active,
		.refer_to_count = count_refer_to(job->sip),
		.tel_domain = cfg->tel_domain,
		.is_loop = target_is_agent,
		.target_allowed = target_in_policy,
		.ctx = job->agent,
	};
	if (f->source_allowed) {
		sip_auth_check(job->agent, &job->source, job->sip, job->home,
			       &job->auth);
		f->auth_required = job->auth.required;
		f->auth_ok = job->auth.ok;
		f->auth_stale = job->auth.stale;
	}
	take_rate_tokens(job->agent, f, family, addr);
	f->refer_to_parsed = read_refer_to(job);
	f->uri = &job->uri;
}

/* The INVITE's Request-URI: the Refer-To without its embedded headers, or
 * sip:N@tel_domain;user=phone for a mapped tel: URI. */
static url_t *target_url(struct refer_job *job, struct refer_target const *t)
{
	url_t *u;

	if (t->tel)
		return url_format(job->home, "sip:%s@%s;user=phone", t->user,
				  t->host);
	u = without_password(job->home, job->sip->sip_refer_to->r_url);
	if (u)
		u->url_headers = NULL;
	return u;
}

static bool refer_sub_is(sip_t const *sip, char const *value)
{
	sip_refer_sub_t const *rs = sip_refer_sub(sip);

	return rs && rs->rs_value && strcasecmp(rs->rs_value, value) == 0;
}

static int refuse(struct refer_job *job, nta_incoming_t *irq,
		  struct refer_verdict const *v)
{
	char retry[16];

	job->agent->refused++;
	job->agent->metrics.refers[v->status]++;
	metrics_count_refusal(&job->agent->metrics, v->why);
	snprintf(retry, sizeof retry, "%u", v->retry_after);
	log_with(STA_LOG_NOTICE, &(struct log_fields){
			 .call_id = job->sip->sip_call_id->i_id,
			 .refer_to = job->refer_to_text[0] ?
				     job->refer_to_text : NULL,
			 .sip_status = v->status },
		 "REFER refused: %d %s (%s) from %s, Call-ID %s, "
		 "Refer-To %s", v->status, v->phrase, v->why,
		 job->source.text, job->sip->sip_call_id->i_id,
		 job->refer_to_text[0] ? job->refer_to_text : "-");
	nta_incoming_treply(irq, v->status, v->phrase,
			    TAG_IF(v->retry_after,
				   SIPTAG_RETRY_AFTER_STR(retry)),
			    TAG_IF(v->status == 401 && job->auth.challenge,
				   SIPTAG_HEADER(job->auth.challenge)),
			    SIPTAG_ALLOW_STR(STA_ALLOW),
			    SIPTAG_SUPPORTED_STR(STA_SUPPORTED),
			    TAG_END());
	return v->status;
}

int sip_refer_receive(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *dialog)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct refer_job job = { .agent = agent, .home = home, .sip = sip };
	struct refer_facts facts;
	struct refer_verdict v;
	int status;

	gather_facts(&job, irq, &facts);
	if (refer_admit(&facts, &v) != 202) {
		status = refuse(&job, irq, &v);
	} else {
		struct xfer_request req = {
			.target = job.target = target_url(&job, &v.target),
			.replaces = job.replaces,
			.subscribed = !refer_sub_is(sip, "false"),
			.refer_sub_true = refer_sub_is(sip, "true"),
			.refer_to = job.refer_to_text,
		};
		status = req.target ? xfer_accept(agent, irq, sip, &req,
						  dialog) : 500;
	}
	su_home_deinit(home);
	return status;
}
