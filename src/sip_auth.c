/*
 * sip_auth.c - Digest authentication of requests to the agent.
 * See sip_auth.h.
 */
#include "sip_auth.h"

#include <stdlib.h>
#include <string.h>

#include <sofia-sip/auth_module.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "log.h"
#include "policy.h"
#include "sip_agent.h"

struct sta_auth {
	auth_mod_t *module;
};

bool sip_auth_create(su_root_t *root, struct sta_config const *cfg,
		     struct sta_auth **out)
{
	struct sta_auth *auth;

	*out = NULL;
	if (!cfg->auth_realm)
		return true;
	auth = calloc(1, sizeof *auth);
	if (!auth)
		return false;
	auth->module = auth_mod_create(root, AUTHTAG_METHOD("Digest"),
				       AUTHTAG_REALM(cfg->auth_realm),
				       AUTHTAG_DB(cfg->auth_users_file),
				       AUTHTAG_ALGORITHM("MD5"),
				       AUTHTAG_QOP("auth"),
				       AUTHTAG_EXPIRES(cfg->auth_nonce_expires),
				       AUTHTAG_NEXT_EXPIRES(
					       cfg->auth_nonce_expires),
				       TAG_END());
	if (!auth->module) {
		log_error("auth: cannot use users file %s",
			  cfg->auth_users_file);
		free(auth);
		return false;
	}
	*out = auth;
	return true;
}

void sip_auth_destroy(struct sta_auth *auth)
{
	if (!auth)
		return;
	auth_mod_destroy(auth->module);
	free(auth);
}

static bool trusted(struct sta_agent const *agent,
		    struct request_source const *src)
{
	int family;
	unsigned char const *addr = sockaddr_bytes(&src->addr, &family);

	return src->known && cidr_list_contains(agent->cfg->auth_trusted,
						agent->cfg->n_auth_trusted,
						family, addr);
}

void sip_auth_check(struct sta_agent *agent, struct request_source const *src,
		    sip_t const *sip, su_home_t *home, struct auth_verdict *v)
{
	/* the agent challenges as a server: 401 with WWW-Authenticate */
	auth_challenger_t ach = { 401, "Unauthorized",
				  sip_www_authenticate_class,
				  sip_authentication_info_class };
	auth_status_t *as;

	*v = (struct auth_verdict){ .ok = true };
	if (!agent->auth || trusted(agent, src))
		return;
	v->required = true;
	as = auth_status_new(home);
	if (!as) {
		*v = (struct auth_verdict){ .required = true, .status = 500,
					    .phrase = sip_500_Internal_server_error };
		return;
	}
	as->as_method = sip->sip_request->rq_method_name;
	as->as_uri = url_as_string(home, sip->sip_request->rq_url);
	as->as_realm = agent->cfg->auth_realm;
	if (sip->sip_payload) {
		as->as_body = sip->sip_payload->pl_data;
		as->as_bodylen = sip->sip_payload->pl_len;
	}
	auth_mod_verify(agent->auth->module, as,
			(msg_auth_t *)sip->sip_authorization, &ach);
	v->ok = as->as_status == 0;
	v->stale = as->as_stale;
	v->status = as->as_status;
	v->phrase = as->as_phrase;
	v->challenge = (sip_header_t *)as->as_response;
	if (!v->ok)
		log_info("auth: %s from %s: %d %s%s (user %s)",
			 as->as_method, src->text, as->as_status,
			 as->as_phrase ? as->as_phrase : "",
			 as->as_stale ? ", stale nonce" : "",
			 as->as_user ? as->as_user : "-");
}

int sip_auth_refuse(nta_incoming_t *irq, struct auth_verdict const *v)
{
	nta_incoming_treply(irq, v->status, v->phrase,
			    TAG_IF(v->challenge, SIPTAG_HEADER(v->challenge)),
			    SIPTAG_ALLOW_STR(STA_ALLOW),
			    SIPTAG_SUPPORTED_STR(STA_SUPPORTED), TAG_END());
	return v->status;
}
