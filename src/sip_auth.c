/*
 * sip_auth.c - Digest authentication of requests to the agent.
 * See sip_auth.h.
 */
#include "sip_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <sofia-sip/auth_module.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/url.h>

#include "config.h"
#include "log.h"
#include "sip_core.h"

/* Sofia-SIP's Digest module judges a nonce's age before the password, so a
 * wrong password for an old nonce comes back "stale".  A second module
 * sharing the first one's nonce key but whose nonces never expire tells
 * whether the credentials themselves are right. */
struct sta_auth {
	auth_mod_t *module;
	auth_mod_t *ageless;
};

static auth_mod_t *module_create(su_root_t *root,
				 struct sta_config const *cfg,
				 char const *key, unsigned expires)
{
	return auth_mod_create(root, AUTHTAG_METHOD("Digest"),
			       AUTHTAG_REALM(cfg->auth_realm),
			       AUTHTAG_DB(cfg->auth_users_file),
			       AUTHTAG_ALGORITHM("MD5"), AUTHTAG_QOP("auth"),
			       AUTHTAG_MASTER_KEY(key),
			       AUTHTAG_EXPIRES(expires),
			       AUTHTAG_NEXT_EXPIRES(expires), TAG_END());
}

/* A random hex key for the nonces of both modules. */
static bool random_key(char key[33])
{
	unsigned char raw[16];

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return false;
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(key + 2 * i, 3, "%02x", raw[i]);
	return true;
}

bool sip_auth_create(su_root_t *root, struct sta_config const *cfg,
		     struct sta_auth **out)
{
	struct sta_auth *auth;

	*out = NULL;
	if (!cfg->auth_realm)
		return true;
	char key[33];

	auth = calloc(1, sizeof *auth);
	if (!auth)
		return false;
	if (random_key(key)) {
		auth->module = module_create(root, cfg, key,
					     cfg->auth_nonce_expires);
		auth->ageless = module_create(root, cfg, key, 0);
	}
	if (!auth->module || !auth->ageless) {
		log_error("auth: cannot use users file %s",
			  cfg->auth_users_file);
		sip_auth_destroy(auth);
		return false;
	}
	*out = auth;
	return true;
}

void sip_auth_destroy(struct sta_auth *auth)
{
	if (!auth)
		return;
	if (auth->module)
		auth_mod_destroy(auth->module);
	if (auth->ageless)
		auth_mod_destroy(auth->ageless);
	free(auth);
}

/* The agent challenges as a server: 401 with WWW-Authenticate. */
static auth_challenger_t server_challenger(void)
{
	return (auth_challenger_t){ 401, "Unauthorized",
				    sip_www_authenticate_class,
				    sip_authentication_info_class };
}

/* MODULE's verdict on SIP's credentials; NULL when out of memory. */
static auth_status_t *verify(auth_mod_t *module, struct sta_agent *agent,
			     sip_t const *sip, su_home_t *home)
{
	auth_challenger_t ach = server_challenger();
	auth_status_t *as = auth_status_new(home);

	if (!as)
		return NULL;
	as->as_method = sip->sip_request->rq_method_name;
	as->as_uri = url_as_string(home, sip->sip_request->rq_url);
	as->as_realm = agent->cfg->auth_realm;
	if (sip->sip_payload) {
		as->as_body = sip->sip_payload->pl_data;
		as->as_bodylen = sip->sip_payload->pl_len;
	}
	auth_mod_verify(module, as, (msg_auth_t *)sip->sip_authorization,
			&ach);
	return as;
}

/* "Stale" holds only when the credentials are right for the old nonce;
 * otherwise AS gets a fresh challenge without stale=true. */
static void confirm_stale(struct sta_agent *agent, sip_t const *sip,
			  su_home_t *home, auth_status_t *as)
{
	auth_challenger_t ach = server_challenger();
	auth_status_t *right = verify(agent->auth->ageless, agent, sip, home);

	if (right && right->as_status == 0)
		return;
	as->as_stale = 0;
	as->as_response = NULL;
	auth_mod_challenge(agent->auth->module, as, &ach);
}

void sip_auth_check(struct sta_agent *agent, struct request_source const *src,
		    sip_t const *sip, su_home_t *home, struct auth_verdict *v)
{
	auth_status_t *as;

	*v = (struct auth_verdict){ .ok = true };
	if (!agent->auth || source_in(src, agent->cfg->auth_trusted,
				      agent->cfg->n_auth_trusted))
		return;
	v->required = true;
	as = verify(agent->auth->module, agent, sip, home);
	if (!as) {
		*v = (struct auth_verdict){ .required = true, .status = 500,
					    .phrase = sip_500_Internal_server_error };
		return;
	}
	if (as->as_stale)
		confirm_stale(agent, sip, home, as);
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

int sip_auth_refuse(struct sta_agent const *agent, nta_incoming_t *irq,
		    struct auth_verdict const *v)
{
	nta_incoming_treply(irq, v->status, v->phrase,
			    TAG_IF(v->challenge, SIPTAG_HEADER(v->challenge)),
			    SIPTAG_ALLOW(agent->hdr.allow),
			    SIPTAG_SUPPORTED(agent->hdr.supported), TAG_END());
	return v->status;
}
