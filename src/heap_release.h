/*
 * heap_release.h - PURE: when to hand freed heap back to the system.
 *
 * The allocator keeps the memory a burst of transfers used: once they end,
 * the process stays near its peak size.  heap_release.c decides when
 * returning it (allocator_release_freed()) is worth a pause of the event
 * loop (glibc's malloc_trim took about 170 ms for 500 MiB): only when no
 * transfer is live, so that no NOTIFY window can open during it (a final
 * leaves at most 50 ms after its window opens, SPEC 4), after a peak of at
 * least HEAP_RELEASE_MIN_PEAK transfers, and once the SIP transactions of
 * the ended transfers are gone too (NTA keeps an answered REFER 32 s,
 * Timer J).  An agent that always has a transfer live keeps its heap.
 * Time is passed in; no clock, no I/O, no allocation.
 *
 * Use: heap_release_due() on every heartbeat with the live transfers; when
 * it returns true, trim now.
 */
#ifndef STA_HEAP_RELEASE_H
#define STA_HEAP_RELEASE_H

#include <stdbool.h>
#include <stdint.h>

/* Below this peak there is too little to win. */
#define HEAP_RELEASE_MIN_PEAK 1000
/* Wait after the fall, for NTA's 32 s Timer J and 5 s Timer K. */
#define HEAP_RELEASE_SETTLE_MS 35000

struct heap_release {
	unsigned peak;		/* live transfers at most, since the last trim */
	bool fallen;		/* no transfer live ... */
	uint64_t fell_at;	/* ... since then */
};

/* Record LIVE transfers at NOW_MS; true when a trim is due now (the peak
 * then restarts from 0). */
bool heap_release_due(struct heap_release *h, unsigned live, uint64_t now_ms);

#endif
