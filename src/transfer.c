/*
 * transfer.c - PURE state machine of one accepted transfer.  See transfer.h.
 *
 * Every entry point changes state for its event, then runs settle(), which
 * asks the pacer whether a NOTIFY may leave, computes the next wake-up and
 * decides whether the transfer is over.  So the rules of SPEC section 4 hold
 * whatever the order of events.
 */
#include "transfer.h"

#include <stdio.h>
#include <string.h>

#define MS(s) ((uint64_t)(s) * 1000)

static void actions_clear(struct transfer_actions *a)
{
	memset(a, 0, sizeof *a);
}

/* Record STATUS as the news the next NOTIFY carries.  A final one is the
 * last NOTIFY, with Subscription-State reason END_REASON. */
static void report(struct transfer *t, int status, const char *reason,
		   bool final, const char *end_reason)
{
	if (t->sub != SUB_ACTIVE)
		return;
	if (!pacer_news(&t->pacer, final))
		return;
	sipfrag_format(t->report, status, reason);
	if (final)
		t->end_reason = end_reason;
}

/* The subscription ran out before the final response: its last NOTIFY
 * repeats the current state with reason=timeout. */
static void report_expiry(struct transfer *t)
{
	if (pacer_news(&t->pacer, true))
		t->end_reason = "timeout";
}

static void fill_notify(struct transfer *t, uint64_t now_ms,
			struct transfer_actions *a)
{
	bool final = t->pacer.pending_final;
	uint64_t left_ms = t->sub_expires_at_ms > now_ms ?
		t->sub_expires_at_ms - now_ms : 0;

	a->what |= TA_NOTIFY;
	a->notify_final = final;
	memcpy(a->notify_body, t->report, sizeof a->notify_body);
	if (final)
		snprintf(a->notify_state, sizeof a->notify_state,
			 "terminated;reason=%s", t->end_reason);
	else
		snprintf(a->notify_state, sizeof a->notify_state,
			 "active;expires=%llu",
			 (unsigned long long)(left_ms / 1000));
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The deadlines still ahead, besides the pacer's window. */
static uint64_t next_deadline(const struct transfer *t)
{
	uint64_t at = 0;

	if (t->call == CALL_CALLING)
		at = earliest(at, t->invite_deadline_ms);
	if (t->call == CALL_ANSWERED)
		at = earliest(at, t->call_deadline_ms);
	if (t->sub == SUB_ACTIVE && !t->pacer.pending_final &&
	    !t->pacer.final_sent)
		at = earliest(at, t->sub_expires_at_ms);
	return at;
}

static void settle(struct transfer *t, uint64_t now_ms,
		   struct transfer_actions *a)
{
	uint64_t window = 0;

	if (t->sub == SUB_ACTIVE) {
		switch (pacer_next(&t->pacer, now_ms, &window)) {
		case PACER_SEND:
			fill_notify(t, now_ms, a);
			pacer_sent(&t->pacer, now_ms);
			window = 0;
			break;
		case PACER_WAIT:
			break;
		case PACER_IDLE:
			window = 0;
			break;
		}
	}
	a->wake_at = earliest(window, next_deadline(t));
	if (t->sub != SUB_ACTIVE &&
	    (t->call == CALL_FAILED || t->call == CALL_ENDED))
		a->what |= TA_DONE;
}

void transfer_start(struct transfer *t, const struct transfer_limits *lim,
		    bool subscribed, uint64_t now_ms, struct transfer_actions *a)
{
	memset(t, 0, sizeof *t);
	actions_clear(a);
	t->lim = *lim;
	t->started_ms = now_ms;
	t->call = CALL_CALLING;
	t->sub = subscribed ? SUB_ACTIVE : SUB_NONE;
	t->invite_deadline_ms = now_ms + MS(lim->invite_timeout);
	t->sub_expires_at_ms = now_ms + MS(lim->subscription_expires);
	pacer_init(&t->pacer, lim->notify_interval_ms);
	a->what |= TA_INVITE;
	report(t, 100, "Trying", false, NULL);
	settle(t, now_ms, a);
}

/* The status the final NOTIFY reports for a final response: the target's
 * own, except challenges the agent could not answer (never a 401/407 in a
 * sipfrag) and errors the stack made up. */
static int reported_final(int code, bool local, const char **reason)
{
	if (local) {
		*reason = NULL;
		return code == 408 ? 408 : 503;
	}
	if (code == 401 || code == 407) {
		*reason = NULL;
		return 403;
	}
	return code;
}

static void on_final(struct transfer *t, int code, const char *reason,
		     bool local, uint64_t now_ms)
{
	int status = reported_final(code, local, &reason);

	t->final_status = status;
	if (code < 300) {
		t->call = CALL_ANSWERED;
		t->call_deadline_ms = now_ms + MS(t->lim.max_call_duration);
	} else {
		t->call = CALL_FAILED;
	}
	report(t, status, reason, true, "noresource");
}

void transfer_on_response(struct transfer *t, int code, const char *reason,
			  bool local, uint64_t now_ms,
			  struct transfer_actions *a)
{
	actions_clear(a);
	if (t->call != CALL_CALLING) {
		/* A 2xx after the agent gave up (CANCEL lost the race). */
		if (code >= 200 && code < 300 && !local &&
		    t->call == CALL_FAILED)
			a->what |= TA_BYE;
	} else if (code >= 200) {
		on_final(t, code, reason, local, now_ms);
	} else if (code > 100) {
		report(t, code, reason, false, NULL);
	}
	settle(t, now_ms, a);
}

void transfer_on_call_ended(struct transfer *t, uint64_t now_ms,
			    struct transfer_actions *a)
{
	actions_clear(a);
	if (t->call == CALL_ANSWERED)
		t->call = CALL_ENDED;
	settle(t, now_ms, a);
}

/* Answers after which RFC 6665 says the subscription is gone. */
static bool ends_subscription(int status, bool local)
{
	return status == 481 || status == 408 || (local && status >= 300);
}

void transfer_on_notify_answer(struct transfer *t, int status, bool local,
			       uint64_t now_ms, struct transfer_actions *a)
{
	actions_clear(a);
	pacer_answered(&t->pacer);
	if (t->sub == SUB_ACTIVE && pacer_finished(&t->pacer)) {
		t->sub = SUB_ENDED;
		t->sub_end = strcmp(t->end_reason, "timeout") == 0 ?
			SUB_END_TIMEOUT : SUB_END_NORESOURCE;
	} else if (t->sub == SUB_ACTIVE && ends_subscription(status, local)) {
		t->sub = SUB_ENDED;
		t->sub_end = SUB_END_REJECTED;
	}
	settle(t, now_ms, a);
}

int transfer_on_subscribe(struct transfer *t, unsigned expires,
			  uint64_t now_ms, struct transfer_actions *a)
{
	unsigned granted = expires < t->lim.subscription_expires ?
		expires : t->lim.subscription_expires;

	actions_clear(a);
	if (t->sub != SUB_ACTIVE || t->pacer.pending_final ||
	    t->pacer.final_sent) {
		settle(t, now_ms, a);
		return t->sub == SUB_ACTIVE ? (int)granted : -1;
	}
	if (granted == 0) {
		report_expiry(t);
	} else {
		t->sub_expires_at_ms = now_ms + MS(granted);
		pacer_news(&t->pacer, false);
	}
	settle(t, now_ms, a);
	return (int)granted;
}

void transfer_on_referer_gone(struct transfer *t, uint64_t now_ms,
			      struct transfer_actions *a)
{
	actions_clear(a);
	if (t->sub == SUB_ACTIVE) {
		t->sub = SUB_ENDED;
		t->sub_end = SUB_END_REJECTED;
	}
	settle(t, now_ms, a);
}

void transfer_tick(struct transfer *t, uint64_t now_ms,
		   struct transfer_actions *a)
{
	actions_clear(a);
	if (t->call == CALL_CALLING && now_ms >= t->invite_deadline_ms) {
		a->what |= TA_CANCEL;
		t->call = CALL_FAILED;
		t->final_status = 408;
		report(t, 408, "Request Timeout", true, "noresource");
	}
	if (t->call == CALL_ANSWERED && now_ms >= t->call_deadline_ms) {
		a->what |= TA_BYE;
		t->call = CALL_ENDED;
	}
	if (t->sub == SUB_ACTIVE && now_ms >= t->sub_expires_at_ms)
		report_expiry(t);
	settle(t, now_ms, a);
}

void transfer_shutdown(struct transfer *t, uint64_t now_ms,
		       struct transfer_actions *a)
{
	actions_clear(a);
	if (t->call == CALL_CALLING) {
		a->what |= TA_CANCEL;
		t->call = CALL_FAILED;
		t->final_status = 487;
		report(t, 487, "Request Terminated", true, "noresource");
	} else if (t->call == CALL_ANSWERED) {
		a->what |= TA_BYE;
		t->call = CALL_ENDED;
	}
	settle(t, now_ms, a);
}

void transfer_notify_left(struct transfer *t, uint64_t now_ms)
{
	if (now_ms > t->pacer.last_sent_ms)
		t->pacer.last_sent_ms = now_ms;
}

bool transfer_is_calling(const struct transfer *t)
{
	return t->call == CALL_CALLING;
}
