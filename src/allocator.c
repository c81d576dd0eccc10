/*
 * allocator.c - which allocator is linked, and its way of releasing freed
 * memory.  See allocator.h.
 */
#include "allocator.h"

#include <stdio.h>

#ifdef STA_JEMALLOC
#include <jemalloc/jemalloc.h>

/* MALLCTL_ARENAS_ALL as the text of a mallctl name. */
#define STR_(x) #x
#define STR(x) STR_(x)

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

void allocator_release_freed(void)
{
	mallctl("arena." STR(MALLCTL_ARENAS_ALL) ".purge", NULL, NULL, NULL,
		0);
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

void allocator_release_freed(void)
{
	malloc_trim(0);
}
#endif
