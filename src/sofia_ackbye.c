/*
 * sofia_ackbye.c - NTA's own ACK and BYE of an orphan 2xx, kept to the
 * next hops policy.targets permits.
 *
 * NTA in user-agent mode answers a 2xx of an INVITE that no transaction
 * wants any more (a second fork's 200 with another To tag, a 200 after a
 * final the agent already took) with an ACK and a BYE of its own, sent to
 * that 2xx's Contact or route set: nta.c's outgoing_recv() calls
 * nta_msg_ackbye() for it, without asking the application.  A target
 * could name any host there and have the agent send it requests.
 *
 * This file defines nta_msg_ackbye() in the executable; the library's
 * calls go through its PLT and reach this one (as sofia_timer.c's
 * su_timer_expire() does).  It hands the 2xx to the library's own
 * function when its next hop is a target the policy permits
 * (target_answer_hop_permitted), and otherwise drops it, logged: the
 * target's UAS core gives the call up when no ACK comes (Timer H).
 */
#include "sofia_ackbye.h"

#include <dlfcn.h>
#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_protos.h>

#include "log.h"
#include "sip_target.h"

typedef int ackbye_f(nta_agent_t *agent, msg_t *msg);

static struct sta_agent const *guarded;

void sofia_ackbye_guard(struct sta_agent const *agent)
{
	guarded = agent;
}

int nta_msg_ackbye(nta_agent_t *agent, msg_t *msg)
{
	static ackbye_f *library;
	sip_t const *sip = sip_object(msg);

	if (!library)
		library = (ackbye_f *)dlsym(RTLD_NEXT, "nta_msg_ackbye");
	if (library && guarded && sip &&
	    target_answer_hop_permitted(guarded, sip))
		return library(agent, msg);
	log_notice("orphan 2xx (Call-ID %s) names a next hop outside "
		   "policy.targets: no ACK or BYE sent",
		   sip && sip->sip_call_id ? sip->sip_call_id->i_id : "?");
	msg_destroy(msg);
	return 0;
}
