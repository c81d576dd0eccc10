/*
 * sip_transfer.h - the Sofia-SIP side of one accepted transfer.
 *
 * sip_transfer.c owns, per transfer, the subscription side (the 202, the
 * NOTIFYs in the referer's dialog, SUBSCRIBE refreshes), the INVITE toward
 * the target (through sip_invite.c, in a dialog of its own), the one timer
 * and the transfer's memory.  It feeds every event to the pure state
 * machine (transfer.c) and performs the actions it returns; it decides
 * nothing itself.
 */
#ifndef STA_SIP_TRANSFER_H
#define STA_SIP_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

struct sta_agent;
struct sta_dialog;
struct sta_transfer;

/* What an accepted REFER hands over; everything is copied. */
struct xfer_request {
	url_t const *target;		/* R-URI and To: no embedded headers */
	sip_replaces_t const *replaces;	/* from the Refer-To, or NULL */
	bool subscribed;		/* false for Refer-Sub: false */
	bool refer_sub_true;		/* Refer-Sub: true was sent: echo it */
	char const *refer_to;		/* Refer-To as written, for logs */
};

/* Accept REFER IRQ/SIP, received in DIALOG or (NULL) outside any: answer
 * 202 (creating the referer's dialog for an out-of-dialog REFER) and start
 * the transfer.  Returns the status answered (202, or 500 when out of
 * memory). */
int xfer_accept(struct sta_agent *agent, nta_incoming_t *irq,
		sip_t const *sip, struct xfer_request const *req,
		struct sta_dialog *dialog);

/*
 * A SUBSCRIBE, in dialog D or outside any (D NULL): the handler
 * sip_agent.c registers.  Source policy, authentication and (outside a
 * dialog) per_source_rate apply as for a REFER.  A refresh (or Expires:
 * 0) of a refer subscription goes to the transfer its Event id names:
 * 200 with the granted Expires, or 481 once that subscription is over; a
 * refer SUBSCRIBE that names none is a subscription to nothing (403); any
 * other package is unknown here (489).  Returns the status answered.
 */
int xfer_on_subscribe(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip, struct sta_dialog *d);

/* Dialog D ended (BYE from the peer, or hung up by the agent): the
 * transfers notifying in it stop notifying, the one whose call it is
 * learns the call is over. */
void xfer_dialog_ended(struct sta_dialog *d);

/* The early call of transfer X was taken over by an INVITE with Replaces:
 * CANCEL it, report 487. */
void xfer_replaced(struct sta_transfer *x);

/* A live transfer as the control socket lists it. */
struct xfer_view {
	unsigned long id;
	uint64_t age_ms;
	char const *call;		/* calling, answered, failed, ended */
	char const *subscription;	/* active, ended, none */
	char const *referer;		/* the REFER's From URI */
	char const *refer_to;
	char const *last_status;	/* the status line last reported, or
					   NULL before any */
	unsigned notifies_sent;
	unsigned notifies_coalesced;
};

/* FN for every live transfer, newest first. */
void xfer_each(struct sta_agent *agent,
	       void (*fn)(void *ctx, struct xfer_view const *v), void *ctx);

/* The id of transfer X. */
unsigned long xfer_id(struct sta_transfer const *x);

/* End live transfer ID as a drain would (transfer_shutdown(): CANCEL while
 * ringing and a final NOTIFY 487, BYE when answered).  Returns false when
 * there is no such live transfer or it was cancelled already; *DID says
 * what was done. */
bool xfer_cancel(struct sta_agent *agent, unsigned long id,
		 char const **did);

/* Stop every live transfer (drain): see transfer_shutdown(). */
void xfer_shutdown_all(struct sta_agent *agent);

/* Free every live transfer without any signalling (agent teardown). */
void xfer_free_all(struct sta_agent *agent);

#endif
