/*
 * allocator.h - the memory allocator the agent runs on, and how it hands
 * freed memory back to the system.
 *
 * The agent links jemalloc (configure --without-jemalloc, and sanitizer
 * builds, use the C library's malloc instead).  Under the C library's
 * malloc an overload left the heap with some 100,000 freed transactions'
 * chunks of mixed sizes, and sorting them made malloc take half of the
 * agent's CPU for the next minute, so the agent went back into shedding
 * while serving half its capacity; jemalloc's size classes do not degrade
 * so (bench/RESULTS.md).  This file is the only one that knows which
 * allocator is linked.
 */
#ifndef STA_ALLOCATOR_H
#define STA_ALLOCATOR_H

/* "jemalloc 5.3.0-..." or "glibc 2.36": for --version and the start-up
 * log. */
char const *allocator_name(void);

/* Return the memory freed so far to the system now.  It pauses the
 * caller for as long as the allocator takes (milliseconds per 100 MB). */
void allocator_release_freed(void);

#endif
