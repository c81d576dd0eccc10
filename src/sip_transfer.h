/*
 * sip_transfer.h - the Sofia-SIP side of one accepted transfer.
 *
 * sip_transfer.c owns, per transfer, the dialog with the referer (its 202
 * and NOTIFYs), the dialog with the target (INVITE, ACK, CANCEL, BYE, the
 * target's BYE), the one timer, and the transfer's memory.  It feeds every
 * event to the pure state machine (transfer.c) and performs the actions it
 * returns; it decides nothing itself.
 */
#ifndef STA_SIP_TRANSFER_H
#define STA_SIP_TRANSFER_H

#include <stdbool.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

struct sta_agent;

/* What an accepted REFER hands over; everything is copied. */
struct xfer_request {
	url_t const *target;		/* R-URI and To: no embedded headers */
	sip_replaces_t const *replaces;	/* from the Refer-To, or NULL */
	bool subscribed;		/* false for Refer-Sub: false */
	bool refer_sub_true;		/* Refer-Sub: true was sent: echo it */
	char const *refer_to;		/* Refer-To as written, for logs */
};

/* Accept REFER IRQ/SIP: create the referer's dialog, answer 202 and start
 * the transfer.  Returns the status answered (202, or 500 when out of
 * memory). */
int xfer_accept(struct sta_agent *agent, nta_incoming_t *irq,
		sip_t const *sip, struct xfer_request const *req);

/* Stop every live transfer (drain): see transfer_shutdown(). */
void xfer_shutdown_all(struct sta_agent *agent);

/* Free every live transfer without any signalling (agent teardown). */
void xfer_free_all(struct sta_agent *agent);

#endif
