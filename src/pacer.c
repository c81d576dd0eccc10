/*
 * pacer.c - PURE NOTIFY window of one subscription.  See pacer.h.
 */
#include "pacer.h"

void pacer_init(struct pacer *p, uint64_t interval_ms)
{
	*p = (struct pacer){ .interval_ms = interval_ms };
}

bool pacer_news(struct pacer *p, bool final)
{
	if (p->pending_final || p->final_sent)
		return false;
	if (p->pending)
		p->coalesced++;
	p->pending = true;
	p->pending_final = final;
	return true;
}

enum pacer_step pacer_next(const struct pacer *p, uint64_t now_ms,
			   uint64_t *at)
{
	uint64_t opens;

	if (!p->pending || p->in_flight)
		return PACER_IDLE;
	if (!p->sent_any)
		return PACER_SEND;
	opens = p->last_sent_ms + p->interval_ms + PACER_GUARD_MS;
	if (now_ms >= opens)
		return PACER_SEND;
	*at = opens;
	return PACER_WAIT;
}

void pacer_sent(struct pacer *p, uint64_t now_ms)
{
	p->sent_any = true;
	p->last_sent_ms = now_ms;
	p->in_flight = true;
	p->pending = false;
	if (p->pending_final) {
		p->pending_final = false;
		p->final_sent = true;
	}
}

void pacer_answered(struct pacer *p)
{
	p->in_flight = false;
}

bool pacer_finished(const struct pacer *p)
{
	return p->final_sent && !p->in_flight;
}
