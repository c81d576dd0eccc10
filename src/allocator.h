/*
 * allocator.h - the memory allocator the agent runs on, and how it hands
 * freed memory back to the system.
 *
 * The agent links jemalloc; configure --without-jemalloc keeps the C
 * library's malloc, and sanitizer builds run on their runtime's allocator.
 * Under glibc's malloc an overload left the heap with some 100,000 freed
 * transactions' chunks of mixed sizes, and for the next minute malloc and
 * free took over 40 % of the agent's CPU, so the agent went back into
 * shedding while serving half its capacity; jemalloc's size classes do not
 * degrade so (bench/RESULTS.md, "Allocator").  jemalloc returns freed pages
 * from a background thread of its own.  This file is the only one that
 * knows which allocator is linked and how it is set.  Main thread only.
 */
#ifndef STA_ALLOCATOR_H
#define STA_ALLOCATOR_H

#include <stdbool.h>

/* "jemalloc 5.3.0-...", "glibc 2.36" or "sanitizer runtime": for
 * --version and the start-up log. */
char const *allocator_name(void);

/* Return the memory freed so far to the system now; false when the
 * allocator cannot (or refused).  It pauses the caller for as long as the
 * allocator takes (milliseconds per 100 MB). */
bool allocator_release_freed(void);

/* The process's resident set size in KiB (what a release lowers); -1 when
 * unknown. */
long allocator_resident_kib(void);

#endif
