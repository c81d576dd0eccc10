/*
 * sip_refer.c - answering a REFER.  See sip_refer.h.
 *
 * Only fact gathering happens here; the order of the checks and the codes
 * live in refer_to.c (refer_admit), the rules for the accepted transfer in
 * transfer.c.  A REFER whose target is a host name that policy.targets
 * allows waits, unanswered, for sip_dns.c to resolve it (the loop check
 * needs its addresses); the event loop never waits.
 */
#include "sip_refer.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
#include "sip_core.h"
#include "sip_auth.h"
#include "sip_dialog.h"
#include "sip_dns.h"
#include "sip_target.h"
#include "sip_transfer.h"

/* One REFER while it is being judged; it outlives the leg callback when
 * its target's host name must be resolved first. */
struct refer_job {
	struct sta_agent *agent;
	su_home_t *home;		/* the job's own */
	nta_incoming_t *irq;
	sip_t const *sip;		/* the request: lives as long as irq */
	struct sta_dialog *dialog;	/* a reference, or NULL */
	LIST_ENTRY(refer_job) link;	/* in agent->resolving, while there */
	struct dns_lookup *lookup;	/* while resolving */
	bool waited;			/* answered after the leg callback */
	struct request_source source;
	struct auth_verdict auth;
	struct refer_facts facts;
	struct refer_to_uri uri;
	sip_replaces_t const *replaces;
	url_t *url;			/* Refer-To: no password, no maddr */
	enum refer_lookup name_loop;	/* once the target name resolved */
	struct refer_target resolving;	/* the target whose name it is */
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
	url_t *u;

	if (!rt || count_refer_to(job->sip) != 1)
		return false;
	u = without_password(job->home, rt->r_url);
	if (!u)
		return false;
	url_e(job->refer_to_text, sizeof job->refer_to_text, u);
	job->refer_to_text[sizeof job->refer_to_text - 1] = '\0';
	if (!target_url_host_ok(u) || !target_url_strip_maddr(job->home, u))
		return false;
	job->url = u;
	job->uri = target_url_facts(u, job->method, sizeof job->method);
	if (!job->uri.scheme)
		return false;
	read_replaces(job, u);
	return true;
}

/* refer_admit callbacks: a name's loop answer waits for its addresses
 * (job->name_loop). */
static enum refer_lookup job_is_loop(struct refer_target const *t, void *ctx)
{
	struct refer_job const *job = ctx;

	return target_is_loop(job->agent, t, job->name_loop);
}

static bool job_target_allowed(struct refer_target const *t, void *ctx)
{
	struct refer_job const *job = ctx;

	return target_in_policy(job->agent, t);
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
	    f->draining || f->at_max_active)
		return;
	f->over_rate = !rate_take(agent->rates, cfg->per_source_rate, family,
				  addr, now);
	if (!f->over_rate && cfg->max_rate)
		f->over_max_rate = !bucket_take(&agent->all_sources,
						cfg->max_rate, now);
}

static unsigned count_contacts(sip_t const *sip)
{
	unsigned n = 0;

	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next)
		n++;
	return n;
}

static bool has_replaces_header(sip_t const *sip)
{
	if (sip->sip_replaces)
		return true;
	for (sip_error_t const *e = sip->sip_error; e; e = e->er_next)
		if (e->er_common->h_class == sip_replaces_class ||
		    (e->er_name && strcasecmp(e->er_name, "Replaces") == 0))
			return true;
	return false;
}

static bool refer_sub_is(sip_t const *sip, char const *value)
{
	sip_refer_sub_t const *rs = sip_refer_sub(sip);

	return rs && rs->rs_value && strcasecmp(rs->rs_value, value) == 0;
}

/* The NOTIFYs of a REFER that asks for them go where the dialog (the
 * one its 202 makes, or the one it came in) sends requests: never to a
 * third party. */
static bool notify_hop_allowed(struct refer_job const *job)
{
	if (refer_sub_is(job->sip, "false"))
		return true;
	if (job->dialog)
		return job->dialog->peer_in_allow_from;
	return agent_dialog_hop_allowed(job->agent, job->sip);
}

static void gather_facts(struct refer_job *job)
{
	struct sta_config const *cfg = job->agent->cfg;
	struct refer_facts *f = &job->facts;
	int family;
	unsigned char const *addr;

	request_source(job->irq, &job->source);
	addr = sockaddr_bytes(&job->source.addr, &family);
	*f = (struct refer_facts){
		.source_allowed = agent_source_allowed(job->agent, &job->source),
		.auth_ok = true,
		.shutting_down = job->agent->shutting_down,
		.draining = job->agent->paused,
		.at_max_active = job->agent->calling >= cfg->max_active,
		.refer_to_count = count_refer_to(job->sip),
		.contact_count = count_contacts(job->sip),
		.has_replaces_header = has_replaces_header(job->sip),
		.notify_hop_allowed = notify_hop_allowed(job),
		.tel_domain = cfg->tel_domain ?
			su_strdup(job->home, cfg->tel_domain) : NULL,
		.is_loop = job_is_loop,
		.target_allowed = job_target_allowed,
		.ctx = job,
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

/* The INVITE's Request-URI: the Refer-To without its embedded headers and
 * maddr, or sip:N@tel_domain;user=phone for a mapped tel: URI. */
static url_t *target_url(struct refer_job *job, struct refer_target const *t)
{
	url_t *u;

	if (t->tel)
		return url_format(job->home, "sip:%s@%s;user=phone", t->user,
				  t->host);
	u = url_hdup(job->home, job->url);
	if (u)
		u->url_headers = NULL;
	return u;
}

static int refuse(struct refer_job *job, struct refer_verdict const *v)
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
	nta_incoming_treply(job->irq, v->status, v->phrase,
			    TAG_IF(v->retry_after,
				   SIPTAG_RETRY_AFTER_STR(retry)),
			    TAG_IF(v->status == 401 && job->auth.challenge,
				   SIPTAG_HEADER(job->auth.challenge)),
			    SIPTAG_ALLOW(job->agent->hdr.allow),
			    SIPTAG_SUPPORTED(job->agent->hdr.supported),
			    TAG_END());
	return v->status;
}

static int accept_refer(struct refer_job *job, struct refer_verdict const *v)
{
	sip_t const *sip = job->sip;
	struct xfer_request req = {
		.target = target_url(job, &v->target),
		.replaces = job->replaces,
		.subscribed = !refer_sub_is(sip, "false"),
		.refer_sub_true = refer_sub_is(sip, "true"),
		.refer_to = job->refer_to_text,
	};

	if (!req.target) {
		nta_incoming_treply(job->irq, SIP_500_INTERNAL_SERVER_ERROR,
				    TAG_END());
		return 500;
	}
	return xfer_accept(job->agent, job->irq, sip, &req, job->dialog);
}

static void job_free(struct refer_job *job)
{
	if (job->waited)
		LIST_REMOVE(job, link);
	dns_lookup_cancel(job->lookup);
	if (job->waited)
		nta_incoming_destroy(job->irq);
	dialog_unref(job->dialog);
	su_home_unref(job->home);
}

static void on_resolved(void *ctx, struct sockaddr_storage const *addrs,
			size_t n);

/* Wait for the target's host name: the REFER stays unanswered, its
 * transaction the job's, until the look-up ends. */
static int resolve_target(struct refer_job *job,
			  struct refer_verdict const *v)
{
	struct sta_agent *agent = job->agent;

	job->lookup = dns_lookup_start(agent->dns, v->target.host,
				       on_resolved, job);
	if (!job->lookup) {
		log_error("REFER Call-ID %s: cannot resolve %s",
			  job->sip->sip_call_id->i_id, v->target.host);
		nta_incoming_treply(job->irq, SIP_500_INTERNAL_SERVER_ERROR,
				    TAG_END());
		return 500;
	}
	log_debug("REFER Call-ID %s: resolving %s", job->sip->sip_call_id->i_id,
		  v->target.host);
	job->resolving = v->target;
	LIST_INSERT_HEAD(&agent->resolving, job, link);
	job->waited = true;
	return 0;
}

/* The verdict on JOB's facts: answered (the status), or 0 while its
 * target's name is being resolved.  A job answered is freed. */
static int judge(struct refer_job *job)
{
	struct refer_verdict v;
	int status = refer_admit(&job->facts, &v);

	if (status == 0 && !job->lookup)
		status = resolve_target(job, &v);
	else if (status == 202)
		status = accept_refer(job, &v);
	else if (status != 0)
		status = refuse(job, &v);
	if (status != 0)
		job_free(job);
	return status;
}

/* The target's addresses: it loops when any is the agent's own; a name
 * that does not resolve is no loop (its INVITE fails with 503). */
static void on_resolved(void *ctx, struct sockaddr_storage const *addrs,
			size_t n)
{
	struct refer_job *job = ctx;
	struct refer_target const *t = &job->resolving;

	job->lookup = NULL;
	/* what changed while the name was looked up */
	job->facts.shutting_down = job->agent->shutting_down;
	job->facts.at_max_active =
		job->agent->calling >= job->agent->cfg->max_active;
	job->name_loop = target_addresses_loop(job->agent, addrs, n, t->port) ?
		LOOKUP_YES : LOOKUP_NO;
	log_debug("REFER Call-ID %s: %s has %zu address(es)%s",
		  job->sip->sip_call_id->i_id, t->host, n,
		  job->name_loop == LOOKUP_YES ? ", the agent's own" : "");
	judge(job);
}

int sip_refer_receive(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *dialog)
{
	su_home_t *home = su_home_new(sizeof *home);
	struct refer_job *job = home ? su_zalloc(home, sizeof *job) : NULL;

	if (!job) {
		su_home_unref(home);
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR,
				    TAG_END());
		return 500;
	}
	*job = (struct refer_job){ .agent = agent, .home = home, .irq = irq,
				   .sip = sip, .dialog = dialog_ref(dialog),
				   .name_loop = LOOKUP_PENDING };
	gather_facts(job);
	return judge(job);
}

void sip_refer_free_all(struct sta_agent *agent)
{
	while (!LIST_EMPTY(&agent->resolving)) {
		struct refer_job *job = LIST_FIRST(&agent->resolving);

		nta_incoming_treply(job->irq, SIP_503_SERVICE_UNAVAILABLE,
				    SIPTAG_RETRY_AFTER_STR("5"), TAG_END());
		job_free(job);
	}
}
