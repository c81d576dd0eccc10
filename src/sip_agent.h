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
#include <netinet/in.h>
#include <sys/socket.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/nta.h>

#include "metrics.h"
#include "policy.h"

struct sta_config;
struct cidr;
struct sta_auth;
struct sta_transfer;
struct sta_dialog;
struct sta_dns;
struct refer_job;
struct sip_connections;
struct sta_media_engine;
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
	struct token_bucket all_sources;	/* limits.max_rate */
	struct sta_auth *auth;		/* NULL: no authentication */
	char *tls_dir;			/* agent.pem for TLS listen URIs */
	struct listen_addr *listen;
	size_t n_listen;
	struct sta_dns *dns;		/* asynchronous DNS for the loop check */
	struct refer_job *resolving;	/* REFERs waiting for DNS, a list */
	struct sta_transfer *transfers;	/* live transfers, a list */
	struct sta_dialog *dialogs;	/* dialogs the agent is in, a list */
	unsigned n_live;		/* ...and how many */
	unsigned calling;		/* transfers whose INVITE has no final */
	unsigned held_calls;		/* calls the agent answered and holds */
	unsigned byes_pending;		/* BYEs of the agent not yet answered */
	unsigned long accepted;		/* transfers accepted since start */
	unsigned long refused;		/* REFERs refused since start */
	unsigned long next_id;
	bool shutting_down;		/* SIGTERM: new REFERs get 503 */
	bool stopping_transfers;	/* grace over: live transfers stopped */
	su_timer_t *drain_timer;
	struct sip_connections *conns;	/* accepted TCP/TLS connections */
	struct sta_media_engine *media;	/* RTP of the calls it holds */
	struct sta_metrics metrics;
};

/* What answered an outgoing request: its status and phrase, and whether
 * the SIP stack made it up (no response, transport error). */
struct sip_answer {
	int status;
	char const *phrase;	/* NULL when the stack made it up */
	bool local;
};

struct sip_answer sip_answer_of(nta_outgoing_t *orq, sip_t const *sip);

/* Where a request came from. */
struct request_source {
	struct sockaddr_storage addr;
	char text[64];			/* numeric, for logs; "?" if unknown */
	bool known;
};

void request_source(nta_incoming_t *irq, struct request_source *src);

/* The address bytes (4 or 16, network order) and family of SS. */
unsigned char const *sockaddr_bytes(struct sockaddr_storage const *ss,
				    int *family);

/* SS as the address BYTES of FAMILY (AF_INET or AF_INET6) and PORT. */
void sockaddr_set(struct sockaddr_storage *ss, int family,
		  unsigned char const *bytes, in_port_t port);

/* The agent's Contact for a dialog that request IRQ starts: the address
 * and transport the request came in on (sips: for TLS, RFC 3261 12.1.1),
 * falling back to agent->contact.  Allocated in HOME. */
struct sip_contact_s *agent_contact_for(struct sta_agent *agent,
					nta_incoming_t *irq, su_home_t *home);

/* SRC is known and in one of the N prefixes of LIST. */
bool source_in(struct request_source const *src, struct cidr const *list,
	       size_t n);

/* Requests the agent sends in the dialog that request SIP (received
 * outside any dialog) starts would go (first Record-Route, else Contact,
 * maddr honoured as NTA does) to an address in policy.allow_from: the
 * agent never signals toward a third party the source named. */
bool agent_dialog_hop_allowed(struct sta_agent const *agent,
			      sip_t const *sip);

/* SRC is in policy.allow_from. */
bool agent_source_allowed(struct sta_agent const *agent,
			  struct request_source const *src);

/* SRC is within limits.per_source_rate: spends one of its tokens.  Every
 * request that would create a dialog asks (REFER through sip_refer.c,
 * INVITE, SUBSCRIBE outside a dialog). */
bool agent_source_within_rate(struct sta_agent *agent,
			      struct request_source const *src);

/*
 * A SUBSCRIBE, in dialog D or outside any (D NULL: looked up by its tags,
 * for NTA builds that hand in-dialog SUBSCRIBEs to the default leg).  A
 * refresh of a refer subscription goes to its transfer; a refer SUBSCRIBE
 * that names none is a subscription to nothing (403); any other package
 * is unknown here (489).  Source policy and authentication apply as for a
 * REFER.  Returns the status answered.
 */
int sip_agent_subscribe(struct sta_agent *agent, nta_incoming_t *irq,
			sip_t const *sip, struct sta_dialog *d);

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

/* Called whenever a transfer stops calling or is freed, or a BYE of the
 * agent is answered: moves the drain on (held calls get their BYE once no
 * transfer is live; the agent exits once those are answered). */
void sip_agent_transfers_changed(struct sta_agent *agent);

/* Free the agent; live transfers are dropped. */
void sip_agent_destroy(struct sta_agent *agent);

/* Milliseconds of the monotonic clock: the time every core call gets. */
uint64_t sta_now_ms(void);

#endif
