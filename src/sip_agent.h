/*
 * sip_agent.h - the daemon's SIP side, as main.c sees it: one Sofia-SIP
 * NTA agent, started, reloaded, drained and stopped.
 *
 * sip_agent.c owns the agent's life: binding every listen URI (UDP, TCP,
 * TLS), the default leg (its requests go to sip_dispatch.c), registering
 * the handlers of the files above the dialogs (sip_core.h), the drain of
 * SIGTERM, and teardown.  NTA rather than NUA, because NUA sends NOTIFYs
 * of its own that break the pacing rule (shared notes, sofia-sip.md 0.1):
 * here every NOTIFY is the agent's own.
 */
#ifndef STA_SIP_AGENT_H
#define STA_SIP_AGENT_H

#include "sip_core.h"

/* Resolve listen URI TEXT (a host name, an address, [IPv6] or "*")
 * into OUT without binding it: what the agent does to every listen URI
 * at start, and --check-config too. */
bool sip_listen_resolve(char const *text, struct listen_addr *out);

/* Create the agent and bind every listen URI of CFG.  Returns NULL (after
 * logging why) when any of them cannot be bound. */
struct sta_agent *sip_agent_create(su_root_t *root,
				   const struct sta_config *cfg);

/* Replace the configuration the agent uses for new REFERs and transfers
 * (SIGHUP).  Listen addresses are kept: a change is only logged.  Returns
 * false, keeping the old configuration, when the new auth group cannot be
 * used. */
bool sip_agent_reload(struct sta_agent *agent, const struct sta_config *cfg);

/*
 * Start the drain of SPEC section 7 (SIGTERM): new REFERs get 503; after
 * shutdown.grace seconds, or as soon as no INVITE is pending, every live
 * transfer is stopped (CANCEL, BYE, final NOTIFY).  The event loop is broken
 * once no transfer is left, or DRAIN_FINAL_WAIT_MS after the stop at most.
 */
void sip_agent_drain(struct sta_agent *agent);

/* Free the agent; live transfers are dropped. */
void sip_agent_destroy(struct sta_agent *agent);

#endif
