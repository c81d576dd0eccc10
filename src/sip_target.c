/*
 * sip_target.c - which URIs the agent may send an INVITE to.  See
 * sip_target.h.
 */
#include "sip_target.h"

#include <string.h>

#include <sofia-sip/hostdomain.h>

#include "config.h"
#include "next_hop.h"
#include "policy.h"
#include "sip_core.h"
#include "sip_loop.h"

bool target_url_host_ok(url_t const *u)
{
	if (u->url_type != url_sip && u->url_type != url_sips)
		return true;
	return u->url_host && host_is_valid(u->url_host);
}

bool target_url_strip_maddr(su_home_t *home, url_t *u)
{
	size_t size = u->url_params ? strlen(u->url_params) + 1 : 0;
	char *params = size ? su_alloc(home, size) : NULL;

	if (!u->url_params)
		return true;
	if (!params || !params_without_maddr(u->url_params, params, size))
		return false;
	u->url_params = params[0] ? params : NULL;
	return true;
}

struct refer_to_uri target_url_facts(url_t const *u, char *method,
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

static bool address_loops(struct sta_agent const *agent, int family,
			  unsigned char const *bytes, unsigned port)
{
	struct sockaddr_storage ss;

	sockaddr_set(&ss, family, bytes, (in_port_t)port);
	return agent_address_is_own(agent, &ss);
}

/* RFC 6761 6.3: localhost is the loopback addresses, without DNS. */
static bool localhost_loops(struct sta_agent const *agent, unsigned port)
{
	static unsigned char const v4[4] = { 127, 0, 0, 1 };
	static unsigned char const v6[16] = { [15] = 1 };

	return address_loops(agent, AF_INET, v4, port) ||
	       address_loops(agent, AF_INET6, v6, port);
}

enum refer_lookup target_is_loop(struct sta_agent const *agent,
				 struct refer_target const *t,
				 enum refer_lookup name_answer)
{
	unsigned char bytes[16];
	int family;

	if (host_is_localhost(t->host))
		return localhost_loops(agent, t->port) ? LOOKUP_YES : LOOKUP_NO;
	if (t->host_is_name)
		return name_answer;
	if (!host_address(t->host, &family, bytes))
		return LOOKUP_NO;
	return address_loops(agent, family, bytes, t->port) ? LOOKUP_YES
							    : LOOKUP_NO;
}

bool target_addresses_loop(struct sta_agent const *agent,
			   struct sockaddr_storage const *addrs, size_t n,
			   unsigned port)
{
	for (size_t i = 0; i < n; i++) {
		int family;
		unsigned char const *bytes = sockaddr_bytes(&addrs[i], &family);

		if (address_loops(agent, family, bytes, port))
			return true;
	}
	return false;
}

bool target_in_policy(struct sta_agent const *agent,
		      struct refer_target const *t)
{
	return targets_allow(agent->cfg->targets, agent->cfg->n_targets,
			     t->key);
}

bool target_permitted(struct sta_agent const *agent, url_t const *url)
{
	char method[32];
	struct refer_to_uri uri = target_url_facts(url, method, sizeof method);
	struct refer_target target;
	char const *why;

	if (!target_url_host_ok(url) || !uri.scheme ||
	    refer_to_check(&uri, agent->cfg->tel_domain, &target, &why) != 0)
		return false;
	return target_is_loop(agent, &target, LOOKUP_NO) == LOOKUP_NO &&
	       target_in_policy(agent, &target);
}

bool target_answer_hop_permitted(struct sta_agent const *agent,
				 sip_t const *sip)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	url_t const *u = dialog_hop_url(sip);
	url_t *hop = u ? url_hdup(home, u) : NULL;
	char buf[256];
	bool ok;

	if (hop) {
		hop->url_host = next_hop_host(u->url_host, u->url_params, buf,
					      sizeof buf);
		hop->url_headers = NULL;
	}
	ok = hop && hop->url_host && target_url_strip_maddr(home, hop) &&
	     target_permitted(agent, hop);
	su_home_deinit(home);
	return ok;
}
