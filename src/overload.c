/*
 * overload.c - PURE overload control.  See overload.h.
 */
#include "overload.h"

#include <string.h>

/* Weight of one decision in shed_share: about the last 4096 requests, a
 * fraction of a second at the rates that overload the agent, and far
 * longer than a run of sheds while the queue drains (a shorter memory saw
 * only the run, and asked for 3 s at 46 % shed). */
#define SHARE_SHIFT 12
#define SHARE_ONE 65536U

void overload_init(struct overload *o)
{
	memset(o, 0, sizeof *o);
}

static bool over_high(struct overload_sample const *s)
{
	return s->queue_wait_ms >= OVERLOAD_WAIT_HIGH_MS ||
	       s->loop_lag_ms >= OVERLOAD_LAG_HIGH_MS;
}

static bool under_low(struct overload_sample const *s)
{
	return s->queue_wait_ms <= OVERLOAD_WAIT_LOW_MS &&
	       s->loop_lag_ms <= OVERLOAD_LAG_LOW_MS;
}

enum overload_event overload_update(struct overload *o,
				    struct overload_sample const *s)
{
	o->last = *s;
	if (!o->shedding && over_high(s)) {
		o->shedding = true;
		if (!o->overloaded) {
			o->overloaded = true;
			o->began_ms = s->now_ms;
			o->episode_shed = 0;
			o->episode_admitted = 0;
			o->episodes++;
			return OVERLOAD_BEGAN;
		}
	} else if (o->shedding && under_low(s)) {
		o->shedding = false;
		o->calm_since_ms = s->now_ms;
	} else if (!o->shedding && o->overloaded &&
		   s->now_ms - o->calm_since_ms >= OVERLOAD_CALM_MS) {
		o->overloaded = false;
		o->shed_share = 0;
		return OVERLOAD_ENDED;
	}
	return OVERLOAD_SAME;
}

unsigned overload_shed(struct overload *o)
{
	o->shed_total++;
	o->episode_shed++;
	o->shed_share += (SHARE_ONE - o->shed_share) >> SHARE_SHIFT;
	if (o->shed_share >= SHARE_ONE * 3 / 4)
		return 3;
	return o->shed_share >= SHARE_ONE / 2 ? 2 : 1;
}

void overload_admitted(struct overload *o)
{
	if (!o->overloaded)
		return;
	o->episode_admitted++;
	o->shed_share -= o->shed_share >> SHARE_SHIFT;
}

uint64_t overload_episode_ms(struct overload const *o, uint64_t now_ms)
{
	if (o->episodes == 0)
		return 0;
	if (o->overloaded)
		return now_ms - o->began_ms;
	return o->calm_since_ms + OVERLOAD_CALM_MS - o->began_ms;
}
