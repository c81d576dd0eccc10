/*
 * sip_core.h - the bottom of the SIP layer: the agent's shared state and
 * the helpers every SIP file uses.
 *
 * sip_core.c owns nothing that runs by itself: struct sta_agent (the NTA
 * agent, configuration, lists and counters that the files above fill),
 * the handlers those files register for what arrives (sip_handlers), and
 * small helpers on requests and addresses (where a request came from,
 * source and next-hop policy, the agent's Contact and offer, capability
 * answers).  It calls nothing above it: requests reach the REFER, INVITE,
 * SUBSCRIBE and NOTIFY handlers, and dialog events their owners, through
 * agent->on, which sip_agent.c fills at start.
 */
#ifndef STA_SIP_CORE_H
#define STA_SIP_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/nta.h>

#include "metrics.h"
#include "policy.h"

struct sta_agent;
struct sta_config;
struct cidr;
struct sta_auth;
struct sta_transfer;
struct sta_dialog;
struct sta_referer;
struct sta_dns;
struct refer_job;
struct sip_connections;
struct sta_media_engine;
struct sip_overload;
struct nta_agent_s;
struct sip_contact_s;

/* What the agent advertises on every response that carries capabilities. */
#define STA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, SUBSCRIBE"
#define STA_SUPPORTED "replaces, norefersub"
#define STA_ALLOW_EVENTS "refer"

/* The headers every transfer's messages carry (202, NOTIFY, INVITE),
 * parsed once at start into the agent's home: NTA copies a header object
 * for a fraction of what parsing its text costs in every message. */
struct sta_headers {
	struct sip_allow_s *allow;		/* STA_ALLOW */
	struct msg_list_s *supported;		/* STA_SUPPORTED */
	struct msg_list_s *allow_events;	/* STA_ALLOW_EVENTS */
	struct msg_content_type_s *sipfrag;	/* message/sipfrag;version=2.0 */
	struct msg_content_type_s *sdp;		/* application/sdp */
};

/* agent_contact_for()'s last answer: the Contact is the primary
 * transport's name, the same for every request on it, and making it
 * (format, then parse) cost more than copying it. */
struct contact_memo {
	void const *tport;		/* the primary transport it is for */
	struct sip_contact_s *contact;	/* in the agent's home */
};

/* One bound listen address, for loop detection. */
struct listen_addr {
	struct sockaddr_storage addr;	/* port included */
	bool wildcard;			/* 0.0.0.0 or :: */
};

/* What the files above the dialogs do with what arrives; set once, by
 * sip_agent.c, before the first request.  Each returns the status it
 * answered, or 0 when it keeps IRQ to answer later. */
struct sip_handlers {
	/* REFER outside any dialog (DIALOG NULL) or inside DIALOG */
	int (*refer)(struct sta_agent *agent, nta_incoming_t *irq,
		     sip_t const *sip, struct sta_dialog *dialog);
	/* SUBSCRIBE outside any dialog (DIALOG NULL) or inside DIALOG */
	int (*subscribe)(struct sta_agent *agent, nta_incoming_t *irq,
			 sip_t const *sip, struct sta_dialog *dialog);
	/* INVITE outside any dialog: a call to the agent */
	int (*invite)(struct sta_agent *agent, nta_incoming_t *irq,
		      sip_t const *sip);
	/* NOTIFY inside D: a subscription of a REFER the agent sent */
	int (*notify)(struct sta_dialog *d, nta_incoming_t *irq,
		      sip_t const *sip);
	/* D ended (BYE either way): whoever notifies, calls or refers in it */
	void (*dialog_ended)(struct sta_dialog *d);
	/* the early call of transfer X was taken over (INVITE w/ Replaces) */
	void (*call_replaced)(struct sta_transfer *x);
	/* a transfer stopped calling or was freed, or a BYE of the agent was
	 * answered: the drain moves on */
	void (*transfers_changed)(struct sta_agent *agent);
};

struct sta_agent {
	su_home_t home[1];		/* first: the agent is its own home */
	struct sip_handlers on;
	su_root_t *root;
	struct nta_agent_s *nta;
	struct sip_contact_s *contact;	/* the agent's own Contact */
	struct sta_headers hdr;		/* constant headers, in home */
	struct contact_memo contact_memo;
	const struct sta_config *cfg;
	unsigned t1_ms;			/* sip.t1 as read at start (NTA's) */
	struct rate_table *rates;
	struct token_bucket all_sources;	/* limits.max_rate */
	struct sta_auth *auth;		/* NULL: no authentication */
	char *tls_dir;			/* agent.pem for TLS listen URIs */
	struct listen_addr *listen;
	size_t n_listen;
	struct sta_dns *dns;		/* asynchronous DNS for the loop check */
	LIST_HEAD(, refer_job) resolving;	/* REFERs waiting for DNS */
	LIST_HEAD(, sta_transfer) transfers;	/* live transfers */
	LIST_HEAD(, sta_dialog) dialogs;	/* dialogs the agent is in */
	unsigned n_live;		/* ...and how many */
	unsigned calling;		/* transfers whose INVITE has no final */
	unsigned held_calls;		/* calls the agent answered and holds */
	unsigned byes_pending;		/* BYEs of the agent not yet answered */
	unsigned long accepted;		/* transfers accepted since start */
	unsigned long refused;		/* REFERs refused since start */
	unsigned long next_id;
	bool shutting_down;		/* SIGTERM: new REFERs get 503 */
	bool paused;			/* control `drain`: new REFERs get 503
					   (and OPTIONS), the agent runs on */
	unsigned long next_dialog_id;	/* the last dialog id given */
	LIST_HEAD(, sta_referer) referers;	/* REFERs the agent sent */
	bool stopping_transfers;	/* grace over: live transfers stopped */
	su_timer_t *drain_timer;
	struct sip_connections *conns;	/* accepted TCP/TLS connections */
	struct sta_media_engine *media;	/* RTP of the calls it holds */
	struct sip_overload *overload;	/* its default leg, while it has one */
	struct sta_metrics metrics;
};

/* Parse the constant headers into H, allocated in HOME; false when out
 * of memory. */
bool sta_headers_make(su_home_t *home, struct sta_headers *h);

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

/* The SDP offer of the agent, allocated in HOME: media.sdp_file, or
 * without one the built-in offer (sdp_offer.c) on HOST, the address it
 * sends from or listens on.  NULL when HOST is no address. */
char *agent_offer(struct sta_agent const *agent, char const *host,
		  su_home_t *home);

/* SRC is known and in one of the N prefixes of LIST. */
bool source_in(struct request_source const *src, struct cidr const *list,
	       size_t n);

/* Where requests the agent sends in the dialog SIP starts go first (maddr
 * not applied): for a request received outside any dialog its first
 * Record-Route, else its Contact; for the 2xx of the agent's own INVITE
 * its last Record-Route (the first of the UAC's route set), else its
 * Contact.  NULL when SIP names neither. */
url_t const *dialog_hop_url(sip_t const *sip);

/* That next hop (dialog_hop_url(), maddr honoured as NTA does) is an
 * address in policy.allow_from.  The agent never signals toward a third
 * party its peer named. */
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

/* Answer IRQ STATUS PHRASE with the agent's Allow, Supported and
 * Allow-Events; returns STATUS. */
int sip_reply_capabilities(struct sta_agent const *agent, nta_incoming_t *irq,
			   int status, char const *phrase);

/* New REFERs get 503 and OPTIONS 503: SIGTERM's drain or the control
 * socket's `drain`. */
bool agent_draining(struct sta_agent const *agent);

/* Milliseconds of the monotonic clock: the time every core call gets. */
uint64_t sta_now_ms(void);

#endif
