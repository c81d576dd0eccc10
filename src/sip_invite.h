/*
 * sip_invite.h - the INVITE of a transfer toward its target.
 *
 * sip_invite.c owns the INVITE transactions the agent sends in one target
 * dialog: building the request (clean Request-URI, Referred-By, Replaces,
 * the SDP offer, the outbound proxy as a pre-loaded Route), answering a
 * 401/407 once from the configured credentials (Sofia-SIP's auth client),
 * following 3xx up to transfer.max_redirects to targets the policy allows,
 * ACKing a 2xx and CANCELling on request.  It reports to its owner every
 * response the owner must know of: provisional ones other than 100 and the
 * one final.
 */
#ifndef STA_SIP_INVITE_H
#define STA_SIP_INVITE_H

#include <stdbool.h>

#include <sofia-sip/sip.h>

struct sta_agent;
struct sta_dialog;
struct sta_invite;

struct invite_request {
	url_t const *target;			/* Request-URI: no headers */
	sip_replaces_t const *replaces;		/* or NULL */
	sip_referred_by_t const *referred_by;
	char const *sdp;			/* the offer */
};

/* STATUS with PHRASE; LOCAL when the stack made it up (no response,
 * transport error, failed challenge). */
typedef void invite_report_f(void *owner, int status, char const *phrase,
			     bool local);

/* Send the INVITE in DIALOG (made by dialog_new_uac).  The invite, and
 * what it allocates later (redirect targets, challenge answers), live in
 * HOME, the owner's; REQ and what it points to must stay there until
 * invite_free().  Returns NULL when it could not be sent at all. */
struct sta_invite *invite_start(struct sta_agent *agent, su_home_t *home,
				struct sta_dialog *dialog,
				struct invite_request const *req,
				invite_report_f *report, void *owner);

/* CANCEL the INVITE if it has no final response yet. */
void invite_cancel(struct sta_invite *inv);

/* True while an INVITE transaction awaits its final response. */
bool invite_pending(struct sta_invite const *inv);

/* Forget the INVITE: no more reports (NTA finishes the transaction). */
void invite_free(struct sta_invite *inv);

#endif
