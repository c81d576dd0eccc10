/*
 * sofia_notify.c - a refer NOTIFY's Event and Subscription-State as header
 * objects in the caller's storage (see sofia_notify.h).
 */
#include "sofia_notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

sip_event_t *notify_refer_event(sip_event_t *ev, msg_param_t params[2],
				char id_param[16], uint32_t id)
{
	sip_event_init(ev);
	snprintf(id_param, 16, "id=%" PRIu32, id);
	params[0] = id_param;
	params[1] = NULL;
	ev->o_type = "refer";
	ev->o_params = params;
	return ev;
}

sip_subscription_state_t *
notify_subscription_state(sip_subscription_state_t *ss,
			  msg_param_t params[2], char *state)
{
	char *semicolon = strchr(state, ';');

	sip_subscription_state_init(ss);
	params[0] = semicolon ? semicolon + 1 : NULL;
	params[1] = NULL;
	if (semicolon)
		*semicolon = '\0';
	ss->ss_substate = state;
	ss->ss_params = params;
	return ss;
}
