/* check_heap_release.c - unit tests of heap_release.c: when freed heap is
 * handed back after a burst, on a fake clock. */
#include <check.h>

#include "heap_release.h"

#include "check_main.h"

#define SETTLE HEAP_RELEASE_SETTLE_MS

static struct heap_release h;

static void setup(void)
{
	h = (struct heap_release){ 0 };
}

START_TEST(steady_load_never_trims)
{
	for (uint64_t t = 0; t < 600000; t += 1000)
		ck_assert(!heap_release_due(&h, 5000, t));
}
END_TEST

START_TEST(trims_once_settled_after_the_last_transfer)
{
	ck_assert(!heap_release_due(&h, 20000, 1000));
	ck_assert(!heap_release_due(&h, 0, 2000));
	ck_assert(!heap_release_due(&h, 0, 2000 + SETTLE - 1));
	ck_assert(heap_release_due(&h, 0, 2000 + SETTLE));
	/* the peak restarts: no second trim without a new burst */
	for (uint64_t t = 3000 + SETTLE; t < 10 * SETTLE; t += 1000)
		ck_assert(!heap_release_due(&h, 0, t));
}
END_TEST

/* A trim pauses the loop: never while a NOTIFY window may open. */
START_TEST(never_while_a_transfer_is_live)
{
	ck_assert(!heap_release_due(&h, 20000, 1000));
	for (uint64_t t = 2000; t < 10 * SETTLE; t += 1000)
		ck_assert(!heap_release_due(&h, 1, t));
}
END_TEST

START_TEST(a_new_transfer_restarts_the_wait)
{
	ck_assert(!heap_release_due(&h, 20000, 1000));
	ck_assert(!heap_release_due(&h, 0, 2000));
	ck_assert(!heap_release_due(&h, 3, 30000));
	ck_assert(!heap_release_due(&h, 0, 31000));
	ck_assert(!heap_release_due(&h, 0, 2000 + SETTLE));
	ck_assert(heap_release_due(&h, 0, 31000 + SETTLE));
}
END_TEST

START_TEST(small_peaks_are_not_worth_it)
{
	ck_assert(!heap_release_due(&h, HEAP_RELEASE_MIN_PEAK - 1, 0));
	for (uint64_t t = 1000; t < 10 * SETTLE; t += 1000)
		ck_assert(!heap_release_due(&h, 0, t));
}
END_TEST

START_TEST(clock_at_zero_still_counts)
{
	ck_assert(!heap_release_due(&h, 4000, 0));
	ck_assert(!heap_release_due(&h, 0, 0));
	ck_assert(!heap_release_due(&h, 0, SETTLE - 1));
	ck_assert(heap_release_due(&h, 0, SETTLE));
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("heap_release");
	TCase *tc = tcase_create("due");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, steady_load_never_trims);
	tcase_add_test(tc, trims_once_settled_after_the_last_transfer);
	tcase_add_test(tc, never_while_a_transfer_is_live);
	tcase_add_test(tc, a_new_transfer_restarts_the_wait);
	tcase_add_test(tc, small_peaks_are_not_worth_it);
	tcase_add_test(tc, clock_at_zero_still_counts);
	suite_add_tcase(s, tc);
	return s;
}
