/*
 * allocator.c - which allocator is linked, and its way of releasing freed
 * memory.  See allocator.h.
 */
#include "allocator.h"

#include <stdio.h>
#include <unistd.h>

long allocator_resident_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, resident = -1;

	if (f && fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	if (f)
		fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#if defined STA_JEMALLOC
#include <jemalloc/jemalloc.h>

/* MALLCTL_ARENAS_ALL as the text of a mallctl name. */
#define STR_(x) #x
#define STR(x) STR_(x)

/* jemalloc's options (the environment's MALLOC_CONF still overrides): it
 * returns freed pages to the system from a thread of its own, not from
 * the event loop between two messages.  At 2,200 transfers/s for 60 s the
 * agent took 57 % of a core so, 63 % with jemalloc's defaults, 72 % on
 * glibc's malloc (bench/run.sh's throughput runs, one per setting). */
char const *malloc_conf = "background_thread:true";

char const *allocator_name(void)
{
	static char name[80];
	char const *version = NULL;
	size_t len = sizeof version;

	if (!name[0])
		snprintf(name, sizeof name, "jemalloc %s",
			 mallctl("version", &version, &len, NULL, 0) == 0 &&
			 version ? version : "(version unknown)");
	return name;
}

bool allocator_release_freed(void)
{
	return mallctl("arena." STR(MALLCTL_ARENAS_ALL) ".purge", NULL, NULL,
		       NULL, 0) == 0;
}

#elif defined STA_SANITIZERS
/* The sanitizer runtime's allocator serves malloc and keeps freed memory
 * in quarantine: there is nothing to release. */
char const *allocator_name(void)
{
	return "sanitizer runtime";
}

bool allocator_release_freed(void)
{
	return false;
}

#else
#include <gnu/libc-version.h>
#include <malloc.h>

char const *allocator_name(void)
{
	static char name[40];

	if (!name[0])
		snprintf(name, sizeof name, "glibc %s",
			 gnu_get_libc_version());
	return name;
}

bool allocator_release_freed(void)
{
	malloc_trim(0);
	return true;
}
#endif
