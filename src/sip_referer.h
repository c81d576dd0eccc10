/*
 * sip_referer.h - the Sofia-SIP side of a REFER the agent sends.
 *
 * sip_referer.c owns, per REFER that the control socket asks for
 * (sip-transfer-agentctl refer), the outgoing REFER in a call the agent
 * holds, the NOTIFYs of its implied subscription arriving in that dialog
 * (answered here: 200, 400 for a body that is no sipfrag, 481 for a
 * subscription the agent does not know), the deadline timer and the BYE
 * of the agent's own call after a 2xx final.  It feeds every event to the
 * pure state machine (referer.c) and performs what it returns; whoever
 * asked hears progress and the result through a sink.
 */
#ifndef STA_SIP_REFERER_H
#define STA_SIP_REFERER_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

struct sta_agent;
struct sta_dialog;
struct sta_referer;

/* Where a referer reports.  REPORT gets each progress line (ANSWER set
 * for the REFER's own 2xx); DONE the outcome, once. */
struct referer_sink {
	void (*report)(void *owner, char const *line, bool answer);
	void (*done)(void *owner, bool success, char const *result);
	void *owner;
};

/* Send REFER in held call D with Refer-To <REFER_TO> (a URI, with its
 * ?Replaces= already in it) and Referred-By the agent's identity.  A final
 * NOTIFY must come within TIMEOUT_MS.  Returns NULL when it cannot be
 * sent. */
struct sta_referer *sip_referer_start(struct sta_dialog *d,
				      char const *refer_to,
				      uint64_t timeout_ms,
				      struct referer_sink const *sink);

/* The sink's owner is gone: the REFER goes on, reporting to nobody. */
void sip_referer_detach(struct sta_referer *r);

/* A NOTIFY in dialog D.  Answers it and returns the status, or returns
 * 481 unanswered when no REFER of the agent in D has that Event id. */
int sip_referer_notify(struct sta_dialog *d, nta_incoming_t *irq,
		       sip_t const *sip);

/* The call in D ended: its REFERs fail. */
void sip_referer_call_gone(struct sta_dialog *d);

/* Free every referer without signalling (agent teardown). */
void sip_referer_free_all(struct sta_agent *agent);

#endif
