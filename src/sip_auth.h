/*
 * sip_auth.h - Digest authentication of requests to the agent.
 *
 * sip_auth.c owns Sofia-SIP's auth module built from the auth group (realm,
 * users file of user:realm:ha1 lines, nonce lifetime), the auth.trusted
 * bypass, and checking one REFER, SUBSCRIBE or INVITE: verdict plus the
 * WWW-Authenticate challenge (stale=true for a right answer to an expired
 * nonce) to answer with.  No Digest is written here.
 */
#ifndef STA_SIP_AUTH_H
#define STA_SIP_AUTH_H

#include <stdbool.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_wait.h>

struct sta_agent;
struct sta_config;
struct request_source;
struct sta_auth;

/* The module for CFG, in *OUT (NULL when CFG has no auth group).  Returns
 * false, after logging, when the users file cannot be used. */
bool sip_auth_create(su_root_t *root, struct sta_config const *cfg,
		     struct sta_auth **out);
void sip_auth_destroy(struct sta_auth *auth);

struct auth_verdict {
	bool required;		/* auth on and the source not trusted */
	bool ok;		/* credentials present and right */
	bool stale;		/* right, but for an expired nonce */
	int status;		/* the answer when not ok: 401, or 400 */
	char const *phrase;
	sip_header_t *challenge; /* WWW-Authenticate, in the caller's home */
};

/* Check request SIP from SRC (allocations in HOME). */
void sip_auth_check(struct sta_agent *agent, struct request_source const *src,
		    sip_t const *sip, su_home_t *home, struct auth_verdict *v);

/* Answer IRQ with V's refusal (its challenge included); returns the
 * status. */
int sip_auth_refuse(struct sta_agent const *agent, nta_incoming_t *irq,
		    struct auth_verdict const *v);

#endif
