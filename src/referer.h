/*
 * referer.h - PURE state machine of the agent as a referer (SPEC 9).
 *
 * referer.c owns what happens when an operator has the agent hand on a
 * call it holds (sip-transfer-agentctl refer): the REFER sent in the
 * call's dialog, its answer (202, or a refusal), the NOTIFYs of the
 * implied subscription and the sipfrag status each reports, the final
 * (2xx: the agent ends its own call with BYE, as a transferor does), a
 * 202 with Refer-Sub: false (accepted, no NOTIFYs), and the deadline by
 * which a final NOTIFY must have come.  Every entry point takes the event
 * and the time and fills a struct referer_actions for the glue
 * (sip_referer.c) to perform.  It also builds the Replaces URI header of
 * an attended transfer.  No Sofia-SIP, no clock, no I/O.
 */
#ifndef STA_REFERER_H
#define STA_REFERER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipfrag.h"

enum referer_state {
	REFERER_SENT,		/* REFER sent, no final answer yet */
	REFERER_WAITING,	/* 202: waiting for NOTIFYs */
	REFERER_SUCCEEDED,	/* 2xx final reported (or 202, Refer-Sub: false) */
	REFERER_FAILED,		/* refused, failed final, timeout, call gone */
};

struct referer {
	enum referer_state state;
	uint64_t deadline_ms;		/* a final NOTIFY is due by then */
	uint64_t timeout_ms;
	unsigned notifies;		/* NOTIFYs received */
	bool no_subscription;		/* 202 with Refer-Sub: false */
	int final_status;		/* the status that ended it */
	char last[SIPFRAG_MAX];		/* last status line, no CR LF */
};

enum {
	RA_REPORT = 1 << 0,	/* tell the operator: actions.line */
	RA_BYE = 1 << 1,	/* end the agent's own call */
	RA_DONE = 1 << 2,	/* over: actions.result says how */
};

struct referer_actions {
	unsigned what;			/* RA_* bits */
	char line[SIPFRAG_MAX + 32];	/* RA_REPORT: a progress line */
	char result[SIPFRAG_MAX + 96];	/* RA_DONE: how it ended */
	bool success;			/* RA_DONE: a 2xx final (or 202 and
					   Refer-Sub: false) */
	uint64_t wake_at;		/* call referer_tick then; 0: none */
};

/* The REFER left at NOW_MS; a final must come within TIMEOUT_MS of it. */
void referer_start(struct referer *r, uint64_t timeout_ms, uint64_t now_ms,
		   struct referer_actions *a);

/* The REFER's final answer STATUS PHRASE (PHRASE may be NULL);
 * REFER_SUB_FALSE when a 2xx carried Refer-Sub: false. */
void referer_on_answer(struct referer *r, int status, const char *phrase,
		       bool refer_sub_false, uint64_t now_ms,
		       struct referer_actions *a);

/*
 * A NOTIFY of the subscription arrived with BODY (LEN bytes, a sipfrag;
 * may be NULL) and TERMINATED set when its Subscription-State is
 * terminated.  Returns the status the NOTIFY is answered with: 200, 400
 * when its body is not a sipfrag status line (the state stays as it is),
 * or 481 once the referer is done.
 */
int referer_on_notify(struct referer *r, const char *body, size_t len,
		      bool terminated, uint64_t now_ms,
		      struct referer_actions *a);

/* The call the REFER travels in ended (BYE either way) before a final. */
void referer_on_call_gone(struct referer *r, uint64_t now_ms,
			  struct referer_actions *a);

/* A timer armed for an earlier wake_at fired. */
void referer_tick(struct referer *r, uint64_t now_ms,
		  struct referer_actions *a);

/* The state is final: nothing more will happen. */
bool referer_done(const struct referer *r);

/*
 * The status code of sipfrag BODY ("SIP/2.0 NNN phrase" first line), the
 * line without CR LF copied into LINE (SIPFRAG_MAX bytes).  Returns
 * 100..699, or -1 when BODY does not start with such a line.
 */
int referer_sipfrag_status(const char *body, size_t len,
			   char line[SIPFRAG_MAX]);

/*
 * "URI?Replaces=ESCAPED" into BUF (SIZE bytes): the Refer-To of an attended
 * transfer, the Replaces value "CALL_ID;to-tag=TO;from-tag=FROM"
 * percent-encoded (RFC 3891 section 3, RFC 3261 19.1.1).  TO is the tag of
 * the party the URI reaches, FROM the agent's.  Returns the length, or -1
 * when URI already has headers or the result does not fit.
 */
int referer_replaces_uri(char *buf, size_t size, const char *uri,
			 const char *call_id, const char *to_tag,
			 const char *from_tag);

#endif
