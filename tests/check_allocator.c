/* check_allocator.c - unit tests of allocator.c: the allocator it names is
 * the one serving malloc, and allocator_release_freed() does return freed
 * heap to the system (a wrong mallctl name would fail silently in the
 * agent). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined STA_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif !defined STA_SANITIZERS
#include <malloc.h>
#endif

#include "allocator.h"

#include "check_main.h"

/* 64 MiB of small blocks, of which one per MiB stays live, so that the
 * freed memory lies between live blocks and neither allocator hands it
 * back on its own at once. */
#define BLOCK 512
#define BLOCKS (64 * 2048)
#define KEEP_EVERY 2048

/* The allocator's name up to its first space. */
static char const *family(char *buf, size_t size)
{
	snprintf(buf, size, "%s", allocator_name());
	return strtok(buf, " ");
}

START_TEST(names_the_linked_allocator)
{
	char buf[80];

#if defined STA_JEMALLOC
	ck_assert_str_eq(family(buf, sizeof buf), "jemalloc");
#elif defined STA_SANITIZERS
	ck_assert_str_eq(family(buf, sizeof buf), "sanitizer");
#else
	ck_assert_str_eq(family(buf, sizeof buf), "glibc");
#endif
	/* and a version it could read */
	ck_assert_uint_gt(strlen(allocator_name()), strlen(buf) + 1);
	ck_assert_ptr_null(strstr(allocator_name(), "unknown"));
}
END_TEST

#ifndef STA_SANITIZERS
/* Bytes the named allocator has handed out and not taken back. */
static size_t in_use(void)
{
#ifdef STA_JEMALLOC
	uint64_t allocated = 0, deallocated = 0;
	size_t len = sizeof allocated;

	ck_assert_int_eq(mallctl("thread.allocated", &allocated, &len, NULL,
				 0), 0);
	ck_assert_int_eq(mallctl("thread.deallocated", &deallocated, &len,
				 NULL, 0), 0);
	return (size_t)(allocated - deallocated);
#else
	return mallinfo2().uordblks;
#endif
}

/* Where the block goes, so that no compiler drops its malloc. */
static void *volatile sink;

/* A malloc() of the program is counted by the allocator it names. */
START_TEST(the_named_allocator_serves_malloc)
{
	size_t before = in_use();
	char *p = malloc(4096);

	ck_assert_ptr_nonnull(p);
	memset(p, 1, 4096);
	sink = p;
	ck_assert_uint_ge(in_use(), before + 4096);
	free(p);
}
END_TEST

#ifdef STA_JEMALLOC
/* allocator.c's malloc_conf reached jemalloc: it purges from a thread of
 * its own, not from the event loop.  (Its option: a forked test process
 * runs without the thread until it asks for one.) */
START_TEST(jemalloc_purges_in_the_background)
{
	bool on = false;
	size_t len = sizeof on;

	ck_assert_int_eq(mallctl("opt.background_thread", &on, &len, NULL, 0),
			 0);
	ck_assert(on);
}
END_TEST
#endif

START_TEST(release_returns_freed_heap_to_the_system)
{
	static char *blocks[BLOCKS];
	long base = allocator_resident_kib(), held, released;

	for (size_t i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		ck_assert_ptr_nonnull(blocks[i]);
		memset(blocks[i], 1, BLOCK);
	}
	for (size_t i = 0; i < BLOCKS; i++)
		if (i % KEEP_EVERY != KEEP_EVERY - 1)
			free(blocks[i]);
	held = allocator_resident_kib();
	ck_assert(allocator_release_freed());
	released = allocator_resident_kib();
	/* the allocator kept what was freed, and gave it back when told */
	ck_assert_int_gt(held - base, 48 * 1024);
	ck_assert_int_lt(released - base, 16 * 1024);
	for (size_t i = KEEP_EVERY - 1; i < BLOCKS; i += KEEP_EVERY)
		free(blocks[i]);
}
END_TEST
#else
/* A sanitizer runtime keeps freed memory in quarantine. */
START_TEST(release_is_refused_under_sanitizers)
{
	ck_assert(!allocator_release_freed());
}
END_TEST
#endif

Suite *check_suite(void)
{
	Suite *s = suite_create("allocator");
	TCase *tc = tcase_create("allocator");

	tcase_add_test(tc, names_the_linked_allocator);
#ifndef STA_SANITIZERS
	tcase_add_test(tc, the_named_allocator_serves_malloc);
#ifdef STA_JEMALLOC
	tcase_add_test(tc, jemalloc_purges_in_the_background);
#endif
	tcase_add_test(tc, release_returns_freed_heap_to_the_system);
#else
	tcase_add_test(tc, release_is_refused_under_sanitizers);
#endif
	suite_add_tcase(s, tc);
	return s;
}
