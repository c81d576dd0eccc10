/*
 * transfer.h - PURE state machine of one accepted transfer (SPEC 3-5).
 *
 * transfer.c owns what happens to a transfer after its 202: the call toward
 * the target (calling, answered, failed, ended), the implied subscription
 * (active until its final NOTIFY is answered, its expiry, or an error answer
 * to a NOTIFY), what each NOTIFY says (sipfrag body, Subscription-State) and,
 * through the pacer, when it may leave.  Every entry point takes the event
 * and the time, and fills a struct transfer_actions that the glue performs:
 * send the INVITE, CANCEL it, BYE the call, send a NOTIFY, wake the machine
 * again at a time, or free the transfer.  No Sofia-SIP, no clock, no I/O.
 */
#ifndef STA_TRANSFER_H
#define STA_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "pacer.h"
#include "sipfrag.h"

/* The settings a transfer keeps from the config it was accepted under. */
struct transfer_limits {
	uint64_t notify_interval_ms;
	unsigned subscription_expires;	/* s */
	unsigned invite_timeout;	/* s */
	unsigned max_call_duration;	/* s */
};

enum call_state {
	CALL_CALLING,		/* INVITE sent, no final response yet */
	CALL_ANSWERED,		/* 2xx: the agent holds the call */
	CALL_FAILED,		/* non-2xx final, timeout or transport error */
	CALL_ENDED,		/* answered call over (BYE either way) */
};

enum sub_state {
	SUB_NONE,		/* Refer-Sub: false: no NOTIFY ever */
	SUB_ACTIVE,
	SUB_ENDED,		/* final NOTIFY answered, or ended quietly */
};

/* Why a subscription ended (metrics). */
enum sub_end {
	SUB_END_NORESOURCE,	/* its final NOTIFY, reason=noresource */
	SUB_END_TIMEOUT,	/* expired: final NOTIFY, reason=timeout */
	SUB_END_REJECTED,	/* a NOTIFY got 481/408 or could not be sent */
	SUB_END_COUNT
};

struct transfer {
	struct transfer_limits lim;
	enum call_state call;
	enum sub_state sub;
	enum sub_end sub_end;		/* once sub is SUB_ENDED */
	uint64_t started_ms;
	uint64_t sub_expires_at_ms;
	uint64_t invite_deadline_ms;
	uint64_t call_deadline_ms;
	const char *end_reason;		/* Subscription-State reason of the final */
	char report[SIPFRAG_MAX];	/* status line the next NOTIFY carries */
	int final_status;		/* what the call ended with, for logs */
	struct pacer pacer;
};

enum {
	TA_INVITE = 1 << 0,	/* place the INVITE to the target */
	TA_CANCEL = 1 << 1,	/* CANCEL the pending INVITE */
	TA_BYE = 1 << 2,	/* end the answered call */
	TA_NOTIFY = 1 << 3,	/* send notify_body / notify_state now */
	TA_DONE = 1 << 4,	/* nothing left: free the transfer */
};

/* Room for "terminated;reason=noresource" and "active;expires=N". */
#define TRANSFER_STATE_MAX 48

struct transfer_actions {
	unsigned what;				/* TA_* bits */
	char notify_body[SIPFRAG_MAX];
	char notify_state[TRANSFER_STATE_MAX];	/* Subscription-State value */
	bool notify_final;
	uint64_t wake_at;	/* call transfer_tick then; 0: no timer */
};

/* A REFER was accepted at NOW_MS; SUBSCRIBED is false for Refer-Sub: false.
 * Asks for the INVITE and, when subscribed, the "100 Trying" NOTIFY. */
void transfer_start(struct transfer *t, const struct transfer_limits *lim,
		    bool subscribed, uint64_t now_ms, struct transfer_actions *a);

/* A response to the INVITE.  LOCAL marks one the SIP stack made up itself
 * (transport error, no response): reported as 503, or 408 for a timeout. */
void transfer_on_response(struct transfer *t, int code, const char *reason,
			  bool local, uint64_t now_ms,
			  struct transfer_actions *a);

/* The answered call was ended by the target's BYE. */
void transfer_on_call_ended(struct transfer *t, uint64_t now_ms,
			    struct transfer_actions *a);

/* The outstanding NOTIFY got STATUS (LOCAL: made up by the stack). */
void transfer_on_notify_answer(struct transfer *t, int status, bool local,
			       uint64_t now_ms, struct transfer_actions *a);

/*
 * A SUBSCRIBE refreshed the subscription asking for EXPIRES seconds (0:
 * unsubscribe).  Returns the expiry granted (capped by
 * lim.subscription_expires), or -1 when there is no live subscription (the
 * SUBSCRIBE gets 481).  The current state is re-sent, paced; after an
 * unsubscribe it is the final NOTIFY, with reason=timeout.
 */
int transfer_on_subscribe(struct transfer *t, unsigned expires,
			  uint64_t now_ms, struct transfer_actions *a);

/* The dialog NOTIFYs travel in is gone (the referer's BYE): the
 * subscription ends quietly, the call goes on. */
void transfer_on_referer_gone(struct transfer *t, uint64_t now_ms,
			      struct transfer_actions *a);

/* A timer armed for an earlier wake_at fired. */
void transfer_tick(struct transfer *t, uint64_t now_ms,
		   struct transfer_actions *a);

/* The agent is stopping (SIGTERM, after shutdown.grace): a call still
 * ringing is CANCELled and reported "487 Request Terminated", a held call
 * is ended with BYE, and the subscription gets its final NOTIFY (the true
 * final when there was one). */
void transfer_shutdown(struct transfer *t, uint64_t now_ms,
		       struct transfer_actions *a);

/* The NOTIFY that TA_NOTIFY asked for really left at NOW_MS: the window
 * counts from then, so time spent before sending it (building the 202, a
 * stalled CPU) cannot shorten the gap to the next one. */
void transfer_notify_left(struct transfer *t, uint64_t now_ms);

/* True while the INVITE has no final response (counts for max_active). */
bool transfer_is_calling(const struct transfer *t);

#endif
