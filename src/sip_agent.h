/*
 * sip_agent.h - the daemon's SIP side: one Sofia-SIP NTA agent.
 *
 * sip_agent.c owns the NTA agent (every listen URI, UDP and TCP), the
 * default leg that receives every request outside a known dialog and hands
 * it to the right handler (REFER to sip_refer.c, OPTIONS answered here,
 * anything else refused), and the list of live transfers.  NTA rather than
 * NUA, because NUA sends NOTIFYs of its own that break the pacing rule
 * (shared notes, sofia-sip.md 0.1): here every NOTIFY is the agent's own.
 */
#ifndef STA_SIP_AGENT_H
#define STA_SIP_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_alloc.h>

struct sta_config;
struct rate_table;
struct sta_transfer;
struct nta_agent_s;
struct sip_contact_s;

/* What the agent advertises on every response that carries capabilities. */
#define STA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, SUBSCRIBE"
#define STA_SUPPORTED "replaces, norefersub"
#define STA_ALLOW_EVENTS "refer"

/* One bound listen address, for loop detection. */
struct listen_addr {
	struct sockaddr_storage addr;	/* port included */
	bool wildcard;			/* 0.0.0.0 or :: */
};

struct sta_agent {
	su_home_t home[1];
	su_root_t *root;
	struct nta_agent_s *nta;
	struct sip_contact_s *contact;	/* the agent's own Contact */
	const struct sta_config *cfg;
	struct rate_table *rates;
	struct listen_addr *listen;
	size_t n_listen;
	struct sta_transfer *transfers;	/* live transfers, a list */
	unsigned calling;		/* transfers whose INVITE has no final */
	unsigned long accepted;		/* transfers accepted since start */
	unsigned long next_id;
	bool shutting_down;
};

/* Create the agent and bind every listen URI of CFG.  Returns NULL (after
 * logging why) when any of them cannot be bound. */
struct sta_agent *sip_agent_create(su_root_t *root,
				   const struct sta_config *cfg);

/* Free the agent; live transfers are dropped. */
void sip_agent_destroy(struct sta_agent *agent);

/* Milliseconds of the monotonic clock: the time every core call gets. */
uint64_t sta_now_ms(void);

#endif
