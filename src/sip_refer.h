/*
 * sip_refer.h - answering a REFER.
 *
 * sip_refer.c owns turning a received REFER (out of dialog, or inside a
 * dialog of the agent) into the facts SPEC section 2
 * looks at (with Sofia-SIP's parser: Refer-To count, URI, method=, embedded
 * Replaces; the source address; loop and policy look-ups), asking the pure
 * refer_admit() for the verdict, answering a refusal with its code and one
 * log line, and handing an accepted REFER to sip_transfer.c.
 */
#ifndef STA_SIP_REFER_H
#define STA_SIP_REFER_H

#include <stdbool.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/url.h>

struct sta_agent;
struct sta_dialog;

/* Handle REFER request IRQ/SIP that arrived outside any dialog (DIALOG
 * NULL) or inside DIALOG.  Returns the status it answered with (NTA then
 * releases IRQ), or 0 when the answer waits for DNS: IRQ is then kept and
 * answered later. */
int sip_refer_receive(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *dialog);

/* Drop the REFERs still waiting for DNS, unanswered (agent teardown). */
void sip_refer_free_all(struct sta_agent *agent);

/* Take every maddr parameter out of U (allocating in HOME), so that a
 * request to U goes to the host and port the policy judged.  False when
 * its parameters are too long to rewrite. */
bool sip_url_strip_maddr(su_home_t *home, url_t *u);

/* URL may be a target, by the same rules as a Refer-To (scheme, loop,
 * policy.targets): used for 3xx redirects. */
bool sip_refer_target_permitted(struct sta_agent *agent, url_t const *url);

#endif
