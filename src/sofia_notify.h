/*
 * sofia_notify.h - the Event and Subscription-State headers of a refer
 * NOTIFY as Sofia-SIP header objects in the caller's storage.
 *
 * sofia_notify.c owns building them without a parse or an allocation:
 * NTA copies a header object into the message as one allocation, where
 * SIPTAG_*_STR parses into two (the header, its parameters), and a
 * message's su_home grows its table of allocations from 31 slots to 127
 * (2 kB, for the transaction's life) at the 22nd.  Used by the agent
 * (sip_transfer.c) and the bench's bare NTA floor (bench/nta_floor.c).
 */
#ifndef STA_SOFIA_NOTIFY_H
#define STA_SOFIA_NOTIFY_H

#include <stdint.h>

#include <sofia-sip/sip.h>

/* EV, "refer;id=<ID>" with its parameter written in ID_PARAM. */
sip_event_t *notify_refer_event(sip_event_t *ev, msg_param_t params[2],
				char id_param[16], uint32_t id);

/* SS over STATE ("active;expires=120"), split in place into its value
 * and its one parameter in PARAMS. */
sip_subscription_state_t *
notify_subscription_state(sip_subscription_state_t *ss,
			  msg_param_t params[2], char *state);

#endif
