/*
 * sip_dialog.h - one SIP dialog the agent is a party to.
 *
 * sip_dialog.c owns a dialog's NTA leg and identity (Call-ID and tags, for
 * Replaces and in-dialog SUBSCRIBE look-ups), the INVITE session in it when
 * there is one (a call the agent holds: its state and the SDP the agent
 * sent), and the requests the peer sends inside it: BYE, REFER (a new
 * transfer notifying in this dialog), re-INVITE, OPTIONS.  A dialog lives
 * while anything holds a reference: a transfer notifying in it, the
 * transfer whose INVITE created it, or a call the agent answered.
 */
#ifndef STA_SIP_DIALOG_H
#define STA_SIP_DIALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

#include "request_rules.h"

struct sta_agent;
struct sta_media;
struct sta_transfer;
struct tport_s;

enum session_state {
	SESSION_NONE,		/* no INVITE in this dialog (a REFER's) */
	SESSION_EARLY,		/* INVITE sent by the agent, not answered */
	SESSION_CONFIRMED,	/* a call the agent holds */
	SESSION_ENDED,
};

struct sta_dialog {
	su_home_t home[1];		/* first: the dialog is its own home */
	struct sta_agent *agent;
	unsigned long id;		/* stable, for the control socket */
	uint64_t created_ms;
	char *peer;			/* the other party's URI */
	unsigned long placed_by;	/* id of the transfer whose INVITE
					   made it; 0: none */
	LIST_ENTRY(sta_dialog) link;	/* in agent->dialogs */
	unsigned refs;
	nta_leg_t *leg;
	char *call_id;
	char *local_tag;
	char *remote_tag;		/* NULL until the peer answered */
	enum session_state session;	/* SESSION_ENDED also once the peer
					   sent BYE: requests then get 481 */
	struct cseq_order remote_cseq;	/* the peer's requests in it */
	bool agent_initiated;		/* the agent sent the INVITE */
	bool peer_in_allow_from;	/* requests in it go to an address in
					   policy.allow_from: NOTIFYs may */
	bool had_call;			/* was confirmed: once it has ended
					   it lingers DIALOG_LINGER_MS, so
					   that a Replaces naming it gets
					   603 rather than 481 */
	bool held;			/* a call the agent answered, not yet
					   ended: counted in limits.max_calls */
	char *local_sdp;		/* the SDP the agent sent in it */
	struct sta_media *media;	/* the call's RTP end and SDP state,
					   while a call is (being) set up */
	sip_contact_t const *contact;	/* the agent's Contact in it (the
					   agent's own for agent-initiated
					   calls) */
	struct sta_transfer *caller;	/* transfer whose INVITE made it */
	LIST_HEAD(, sta_transfer) subscribers;	/* transfers notifying in
						   it, through sub_link */
	su_timer_t *call_timer;		/* max_call_duration of an answered call */
	nta_incoming_t *invite_irq;	/* the INVITE the agent answered 200,
					   kept until its ACK or Timer H */
	struct tport_s *conn;		/* the TCP/TLS connection the peer
					   opened it on, referenced so that
					   sip.tcp_idle_timeout leaves it
					   open while the dialog lives */
};

/* The dialog a request outside any known dialog creates when the agent
 * answers it (a REFER's 202, an INVITE's 200): local tag made here, route
 * set and target from the request.  Holds one reference. */
struct sta_dialog *dialog_new_uas(struct sta_agent *agent,
				  nta_incoming_t *irq, sip_t const *sip);

/* The dialog of an INVITE the agent sends for transfer X (its id
 * PLACED_BY) to TARGET, From identity.from.  Holds one reference. */
struct sta_dialog *dialog_new_uac(struct sta_agent *agent,
				  struct sta_transfer *x, unsigned long placed_by,
				  url_t const *target);

struct sta_dialog *dialog_ref(struct sta_dialog *d);
void dialog_unref(struct sta_dialog *d);

/* The SDP offer of the agent's INVITE in D, on the agent's RTP port of
 * D's local address: the o= names of ORIGIN (an SDP), the codecs of
 * media.sdp_file.  NULL when no RTP port is free.  Allocated in HOME. */
char *dialog_offer(struct sta_dialog *d, char const *origin, su_home_t *home);

/* The agent's INVITE got a provisional response with a To tag, or its 2xx
 * (then the dialog is confirmed, its route set taken from SIP, and the
 * SDP answer in SIP starts the call's media). */
void dialog_early(struct sta_dialog *d, sip_t const *sip);
void dialog_confirmed(struct sta_dialog *d, sip_t const *sip,
		      char const *local_sdp);
void dialog_failed(struct sta_dialog *d);

/* The dialog a Replaces header names, or NULL; an ended call's dialog
 * is found while it lingers. */
struct sta_dialog *dialog_by_replaces(struct sta_agent *agent,
				      sip_replaces_t const *rp);

/* The SDP offer of a new INVITE made from dialog D: its local SDP with a
 * higher o= version, or NULL when D holds no call. */
char *dialog_next_offer(struct sta_dialog *d, su_home_t *home);

/* An INVITE to the agent (outside any dialog): answer it, or take over the
 * dialog its Replaces names.  Returns the status answered, or 0 when it
 * was answered 200 and its transaction is kept (until the ACK; without one,
 * at Timer H, the call ends with BYE). */
int dialog_answer_invite(struct sta_agent *agent, nta_incoming_t *irq,
			 sip_t const *sip);

/* End the call held in D with BYE (max_call_duration, Timer H, shutdown).
 * The BYE counts in agent->byes_pending until it is answered or times
 * out; then sip_agent_transfers_changed() is told. */
void dialog_hangup(struct sta_dialog *d);

/* A call the agent holds (a confirmed INVITE session), as the control
 * socket lists it. */
struct call_view {
	unsigned long id;
	char const *peer;
	uint64_t age_ms;
	unsigned long transfer;		/* placed_by; 0: a call to the agent */
};

/* FN for every call the agent holds, newest first. */
void dialog_each_call(struct sta_agent *agent,
		      void (*fn)(void *ctx, struct call_view const *v),
		      void *ctx);

/* How many calls the agent holds. */
unsigned dialog_count_calls(struct sta_agent const *agent);

/* The call the agent holds with id ID, or NULL. */
struct sta_dialog *dialog_call(struct sta_agent *agent, unsigned long id);

/* End every held call the agent answered (drain); returns how many. */
unsigned dialog_hangup_all(struct sta_agent *agent);

/* Free every dialog at once, without signalling (agent teardown). */
void dialog_free_all(struct sta_agent *agent);

#endif
