/*
 * sip_overload.h - the glue of the overload control (overload.c).
 *
 * sip_overload.c measures what overload.c decides on: the wait of the
 * oldest datagram queued in each SIP UDP socket (the kernel's receive
 * timestamp of the queue's head, read with MSG_PEEK: nothing is consumed)
 * and the lateness of its own OVERLOAD_TICK_MS timer.  It applies the
 * decision where it costs least: while new work is shed the agent has no
 * default leg, so NTA hands every request outside a dialog (no dialog leg
 * and no transaction matched it: retransmissions, CANCELs and ACKs of the
 * agent's transactions and everything in its dialogs still go where they
 * belong) to the agent's message callback, which answers it 503 with
 * Retry-After statelessly (nta_msg_treply): no transaction, nothing kept
 * for Timer J, so a flood of 503s costs no memory.  An ACK there is
 * dropped, a response without a transaction too (as NTA does without a
 * callback).  A request of new work that reaches the default leg between
 * a sample and the leg's removal is answered 503 statefully.
 *
 * It logs when an episode begins and ends (at most one line each per
 * OVERLOAD_CALM_MS) and keeps agent->metrics' overload figures.
 * limits.overload_control = false turns it off (read at every sample, so
 * a reload applies).
 */
#ifndef STA_SIP_OVERLOAD_H
#define STA_SIP_OVERLOAD_H

#include <stdbool.h>

#include <sofia-sip/nta.h>

struct sta_agent;

/* Find the agent's UDP listen sockets, have the kernel timestamp what
 * they receive, create the default leg (DISPATCH its callback, the agent
 * its magic) and start the timer.  False when out of memory. */
bool sip_overload_create(struct sta_agent *agent, nta_request_f *dispatch);

void sip_overload_destroy(struct sta_agent *agent);

/* The default leg's filter for new work (a REFER, INVITE or SUBSCRIBE
 * outside any dialog): true when IRQ may go on; false when it was answered
 * 503 with Retry-After (the agent is shedding). */
bool sip_overload_admit(struct sta_agent *agent, nta_incoming_t *irq,
			sip_t const *sip);

/* NTA's message callback (nta_agent_create): what matched no transaction
 * and no leg while the default leg is gone.  MAGIC is the agent. */
int sip_overload_stateless(nta_agent_magic_t *magic, nta_agent_t *nta,
			   msg_t *msg, sip_t *sip);

#endif
