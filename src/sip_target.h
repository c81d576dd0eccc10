/*
 * sip_target.h - which URIs the agent may send an INVITE to.
 *
 * sip_target.c owns the judgement of a target URI that the REFER handler
 * (a Refer-To), the INVITE (a 3xx Contact) and the dialog toward a target
 * (a 2xx's next hop) share: the host Sofia-SIP takes as valid, maddr
 * parameters taken out, the plain facts refer_to.c reads, the loop check
 * of an address literal or localhost (sip_loop.c), and policy.targets.
 * It never resolves a name: a name's loop check is the REFER handler's,
 * after sip_dns.c answered.
 */
#ifndef STA_SIP_TARGET_H
#define STA_SIP_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "refer_to.h"

struct sta_agent;

/* A sip:/sips: URI names a host Sofia-SIP takes as one ("<sip:@@>"
 * parses, with host "@"); other schemes are judged later. */
bool target_url_host_ok(url_t const *u);

/* Take every maddr parameter out of U (allocating in HOME), so that a
 * request to U goes to the host and port the policy judged.  False when
 * its parameters cannot be rewritten (out of memory). */
bool target_url_strip_maddr(su_home_t *home, url_t *u);

/* U as the plain facts refer_to_check() reads; METHOD[SIZE] holds its
 * method= value. */
struct refer_to_uri target_url_facts(url_t const *u, char *method,
				     size_t size);

/* T loops back to the agent: judged at once for an address literal or
 * localhost; for any other name, NAME_ANSWER (what its addresses said,
 * or LOOKUP_PENDING while they are not known). */
enum refer_lookup target_is_loop(struct sta_agent const *agent,
				 struct refer_target const *t,
				 enum refer_lookup name_answer);

/* One of the N resolved ADDRS (ports ignored), at port PORT, is the
 * agent's own. */
bool target_addresses_loop(struct sta_agent const *agent,
			   struct sockaddr_storage const *addrs, size_t n,
			   unsigned port);

/* T matches policy.targets. */
bool target_in_policy(struct sta_agent const *agent,
		      struct refer_target const *t);

/* URL (no embedded headers, maddr already out) may be called: scheme,
 * loop (without DNS: a name is judged by the globs only) and
 * policy.targets. */
bool target_permitted(struct sta_agent const *agent, url_t const *url);

/* Requests inside the dialog a 2xx (SIP) confirms would go to a target
 * the policy permits: dialog_hop_url(), maddr honoured as NTA does.
 * ACKs, BYEs and re-INVITEs never go anywhere else. */
bool target_answer_hop_permitted(struct sta_agent const *agent,
				 sip_t const *sip);

#endif
