/* check_allocator.c - unit tests of allocator.c: the linked allocator is
 * the one it names, and allocator_release_freed() does return freed heap
 * to the system (a wrong mallctl name would fail silently in the agent). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"

#include "check_main.h"

/* 64 MiB of small blocks, of which one per MiB stays live, so that the
 * freed memory lies between live blocks and neither allocator hands it
 * back on its own at once. */
#define BLOCK 512
#define BLOCKS (64 * 2048)
#define KEEP_EVERY 2048

static long resident_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size, resident = -1;

	if (f && fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	if (f)
		fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The allocator's name up to its first space. */
static char const *family(char *buf, size_t size)
{
	snprintf(buf, size, "%s", allocator_name());
	return strtok(buf, " ");
}

START_TEST(names_the_linked_allocator)
{
	char buf[80];

#ifdef STA_JEMALLOC
	ck_assert_str_eq(family(buf, sizeof buf), "jemalloc");
#else
	ck_assert_str_eq(family(buf, sizeof buf), "glibc");
#endif
	/* and its version */
	ck_assert_uint_gt(strlen(allocator_name()), strlen(buf) + 1);
}
END_TEST

START_TEST(release_returns_freed_heap_to_the_system)
{
	static char *blocks[BLOCKS];
	long base = resident_kib(), held, released;

	for (size_t i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		ck_assert_ptr_nonnull(blocks[i]);
		memset(blocks[i], 1, BLOCK);
	}
	for (size_t i = 0; i < BLOCKS; i++)
		if (i % KEEP_EVERY != KEEP_EVERY - 1)
			free(blocks[i]);
	held = resident_kib();
	allocator_release_freed();
	released = resident_kib();
	/* the allocator kept what was freed, and gave it back when told */
	ck_assert_int_gt(held - base, 48 * 1024);
	ck_assert_int_lt(released - base, 16 * 1024);
	for (size_t i = KEEP_EVERY - 1; i < BLOCKS; i += KEEP_EVERY)
		free(blocks[i]);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("allocator");
	TCase *tc = tcase_create("allocator");

	tcase_add_test(tc, names_the_linked_allocator);
#ifndef __SANITIZE_ADDRESS__
	/* AddressSanitizer's allocator keeps freed memory in quarantine */
	tcase_add_test(tc, release_returns_freed_heap_to_the_system);
#endif
	suite_add_tcase(s, tc);
	return s;
}
