/*
 * overload.h - PURE overload control: when new work is refused.
 *
 * overload.c owns the decision whether the agent takes new work (a REFER,
 * an INVITE or SUBSCRIBE that would start a dialog) or answers it 503 at
 * once, judged only from what the agent measures of itself (RFC 7339's
 * aim, without its negotiation: no configuration, no peer cooperation):
 *   - queue wait: how long the oldest datagram waiting in a SIP UDP socket
 *     has waited (the kernel's receive timestamp of the queue's head);
 *   - loop lag: how late the event loop runs a timer.
 * Shedding starts when either passes its high mark and stops once both
 * are under their low marks: a REFER then never waits long enough in the
 * queue for its referer to retransmit it, and what is shed costs little,
 * so the agent spends its CPU on transfers it accepted.  Everything in a
 * dialog (NOTIFY answers, INVITE answers, BYE) is never shed: the glue
 * applies the decision only to requests outside any dialog.
 *
 * An overload episode (what logs and metrics report) begins with the first
 * shedding and ends OVERLOAD_CALM_MS after shedding last stopped, so a
 * steady overload is one episode however often shedding toggles within it.
 *
 * Use: overload_update() with each sample (the glue samples at most every
 * OVERLOAD_SAMPLE_MS, and at least every OVERLOAD_TICK_MS); while
 * o->shedding, answer new work 503 with Retry-After: overload_shed(), else
 * take it and call overload_admitted().  No clock, no I/O.
 */
#ifndef STA_OVERLOAD_H
#define STA_OVERLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Shedding starts when the oldest queued datagram has waited this long: a
 * REFER behind it is answered well before its referer's first
 * retransmission (T1 = 500 ms). */
#define OVERLOAD_WAIT_HIGH_MS 100
/* ...and stops when the queue's head has waited at most this long. */
#define OVERLOAD_WAIT_LOW_MS 30
/* The same marks for the lateness of the event loop's own timer. */
#define OVERLOAD_LAG_HIGH_MS 100
#define OVERLOAD_LAG_LOW_MS 30
/* An episode ends this long after shedding last stopped. */
#define OVERLOAD_CALM_MS 2000
/* The glue samples no more often than this... */
#define OVERLOAD_SAMPLE_MS 5
/* ...and at least this often (its timer, whose lateness is the lag). */
#define OVERLOAD_TICK_MS 50

/* One measurement, taken at now_ms. */
struct overload_sample {
	uint64_t now_ms;
	unsigned queue_wait_ms;	/* oldest datagram in a SIP UDP socket */
	unsigned loop_lag_ms;	/* lateness of the loop's timer */
};

enum overload_event {
	OVERLOAD_SAME,		/* no episode began or ended */
	OVERLOAD_BEGAN,
	OVERLOAD_ENDED,
};

struct overload {
	bool shedding;		/* new work gets 503 now */
	bool overloaded;	/* within an episode */
	uint64_t began_ms;	/* the episode's start */
	uint64_t calm_since_ms;	/* shedding last stopped */
	unsigned shed_share;	/* recent share of new work shed, 1/65536 */
	unsigned long shed_total;	/* since start */
	unsigned long episode_shed;	/* in the current (or last) episode */
	unsigned long episode_admitted;
	unsigned episodes;	/* since start */
	struct overload_sample last;	/* what the last decision saw */
};

void overload_init(struct overload *o);

/* Take sample S (times never go backwards); returns whether an episode
 * began or ended with it. */
enum overload_event overload_update(struct overload *o,
				    struct overload_sample const *s);

/* One request of new work shed: counts it; returns its Retry-After in
 * seconds, 1 to 3, longer when a larger share of new work is shed. */
unsigned overload_shed(struct overload *o);

/* One request of new work taken: counts it. */
void overload_admitted(struct overload *o);

/* Length of the current episode at NOW_MS (of the last one when none is
 * current: up to its end). */
uint64_t overload_episode_ms(struct overload const *o, uint64_t now_ms);

#endif
