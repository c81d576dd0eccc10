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

struct sta_agent;
struct sta_dialog;

/* Handle REFER request IRQ/SIP that arrived outside any dialog (DIALOG
 * NULL) or inside DIALOG.  Returns the status it answered with (NTA then
 * releases IRQ), or 0 when the answer waits for DNS: IRQ is then kept and
 * answered later. */
int sip_refer_receive(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *dialog);

/* Answer the REFERs still waiting for DNS 503 and forget them (agent
 * teardown). */
void sip_refer_free_all(struct sta_agent *agent);

#endif
