/*
 * heap_release.c - PURE: when to hand freed heap back to the system.
 * See heap_release.h.
 */
#include "heap_release.h"

bool heap_release_due(struct heap_release *h, unsigned live, uint64_t now_ms)
{
	if (live > h->peak)
		h->peak = live;
	if (h->peak < HEAP_RELEASE_MIN_PEAK || live > 0) {
		h->fallen = false;
		return false;
	}
	if (!h->fallen) {
		h->fallen = true;
		h->fell_at = now_ms;
	}
	if (now_ms - h->fell_at < HEAP_RELEASE_SETTLE_MS)
		return false;
	h->peak = 0;
	h->fallen = false;
	return true;
}
