/*
 * sip_refer.h - answering an out-of-dialog REFER.
 *
 * sip_refer.c owns turning a received REFER into the facts SPEC section 2
 * looks at (with Sofia-SIP's parser: Refer-To count, URI, method=, embedded
 * Replaces; the source address; loop and policy look-ups), asking the pure
 * refer_admit() for the verdict, answering a refusal with its code and one
 * log line, and handing an accepted REFER to sip_transfer.c.
 */
#ifndef STA_SIP_REFER_H
#define STA_SIP_REFER_H

#include <sofia-sip/nta.h>

struct sta_agent;

/* Handle REFER request IRQ/SIP that arrived outside any dialog.  Returns the
 * status it answered with (NTA then releases IRQ). */
int sip_refer_receive(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip);

#endif
