/*
 * sip_dispatch.h - where a request the agent receives goes.
 *
 * sip_dispatch.c owns the rules every request passes first (SPEC 2's
 * first row: Request-URI scheme and syntax, Require) and the default leg:
 * a request outside any dialog of the agent goes, by its method, to the
 * handler the files above registered in agent->on (REFER, SUBSCRIBE,
 * INVITE), or is answered here (OPTIONS, ACK, 481 for a To tag of no
 * dialog, 405); a REFER, SUBSCRIBE or INVITE first passes the overload
 * control (sip_overload.c, which creates and removes the default leg).
 * Dialog legs (sip_dialog.c) pass their requests through
 * dispatch_precheck() too.  It knows no handler by name.
 */
#ifndef STA_SIP_DISPATCH_H
#define STA_SIP_DISPATCH_H

#include <sofia-sip/nta.h>

#include "sip_core.h"

/*
 * The checks every request but ACK passes before anything else, outside
 * and inside dialogs: a Request-URI that is not sip/sips gets 416, one
 * that does not parse 400; a Require naming an option tag the agent does
 * not support gets 420 with Unsupported (not for CANCEL).  A REFER refused
 * here is counted in the metrics like sip_refer.c's refusals.  Returns the
 * status answered, or 0.
 */
int dispatch_precheck(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip);

/* The default leg's callback (magic: the agent): every request that
 * matched no dialog of the agent. */
int dispatch_request(nta_leg_magic_t *magic, nta_leg_t *leg,
		     nta_incoming_t *irq, sip_t const *sip);

#endif
