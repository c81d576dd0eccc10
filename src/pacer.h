/*
 * pacer.h - PURE NOTIFY window of one subscription (SPEC section 4).
 *
 * pacer.c owns *when* a NOTIFY may leave, never what it says: two NOTIFYs of
 * one subscription are at least interval + PACER_GUARD_MS apart, at most one
 * NOTIFY transaction is outstanding, news that arrives while the window is
 * closed replaces pending provisional news (latest wins, the loser counted),
 * a final is never replaced and goes out as soon as the window opens, and
 * nothing goes out after the final.  Time is passed in (now_ms, monotonic);
 * no clock, no I/O.
 *
 * Use: pacer_news() when there is something to report, then pacer_next();
 * on PACER_SEND build and send the NOTIFY and call pacer_sent(); on
 * PACER_WAIT arm a timer for *at and call pacer_next() again then; call
 * pacer_answered() when the NOTIFY transaction completes, then pacer_next().
 */
#ifndef STA_PACER_H
#define STA_PACER_H

#include <stdbool.h>
#include <stdint.h>

/* Extra spacing on top of the interval, so that clock granularity and the
 * scheduling of the receiver never make two NOTIFYs look closer than the
 * interval on the wire (under load a receiver was seen reading a NOTIFY
 * 3 ms late).  Well inside the 50 ms a final may wait, and the 20 ms p99
 * goal. */
#define PACER_GUARD_MS 10

struct pacer {
	uint64_t interval_ms;
	uint64_t last_sent_ms;
	bool sent_any;
	bool in_flight;		/* a NOTIFY transaction awaits its answer */
	bool pending;		/* news not yet on the wire */
	bool pending_final;	/* ...and it is the last NOTIFY */
	bool final_sent;
	unsigned coalesced;	/* provisional news replaced before sending */
};

enum pacer_step {
	PACER_IDLE,		/* nothing to send, or must wait for an answer */
	PACER_SEND,		/* send the pending NOTIFY now */
	PACER_WAIT,		/* the window opens at *at */
};

void pacer_init(struct pacer *p, uint64_t interval_ms);

/* Record news; FINAL marks the last NOTIFY of the subscription.  Returns
 * false (and records nothing) once a final is pending or sent: the final is
 * never replaced and nothing follows it. */
bool pacer_news(struct pacer *p, bool final);

/* What to do at NOW_MS; *AT is set for PACER_WAIT. */
enum pacer_step pacer_next(const struct pacer *p, uint64_t now_ms,
			   uint64_t *at);

/* The pending NOTIFY left at NOW_MS. */
void pacer_sent(struct pacer *p, uint64_t now_ms);

/* The outstanding NOTIFY transaction completed (any answer, or none). */
void pacer_answered(struct pacer *p);

/* True once the final NOTIFY has left and been answered. */
bool pacer_finished(const struct pacer *p);

#endif
