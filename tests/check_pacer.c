/* check_pacer.c - unit tests of pacer.c: the NOTIFY window (SPEC 4),
 * driven by a fake clock. */
#include <check.h>

#include "pacer.h"

#include "check_main.h"

#define INTERVAL 1000
#define OPENS(last) ((last) + INTERVAL + PACER_GUARD_MS)

static struct pacer p;

static void setup(void)
{
	pacer_init(&p, INTERVAL);
}

/* Send whatever is due at NOW and answer it at once. */
static void send_and_answer(uint64_t now)
{
	uint64_t at;

	ck_assert_int_eq(pacer_next(&p, now, &at), PACER_SEND);
	pacer_sent(&p, now);
	pacer_answered(&p);
}

START_TEST(first_news_goes_out_at_once)
{
	uint64_t at;

	ck_assert_int_eq(pacer_next(&p, 5000, &at), PACER_IDLE);
	ck_assert(pacer_news(&p, false));
	ck_assert_int_eq(pacer_next(&p, 5000, &at), PACER_SEND);
}
END_TEST

START_TEST(second_news_waits_for_the_interval)
{
	uint64_t at = 0;

	pacer_news(&p, false);
	send_and_answer(5000);
	pacer_news(&p, false);
	ck_assert_int_eq(pacer_next(&p, 5100, &at), PACER_WAIT);
	ck_assert_uint_eq(at, OPENS(5000));
	ck_assert_uint_ge(at - 5000, INTERVAL);
	ck_assert_int_eq(pacer_next(&p, OPENS(5000) - 1, &at), PACER_WAIT);
	ck_assert_int_eq(pacer_next(&p, OPENS(5000), &at), PACER_SEND);
}
END_TEST

START_TEST(news_after_a_quiet_window_goes_out_at_once)
{
	uint64_t at;

	pacer_news(&p, false);
	send_and_answer(0);
	pacer_news(&p, false);
	ck_assert_int_eq(pacer_next(&p, 7000, &at), PACER_SEND);
}
END_TEST

START_TEST(only_one_notify_in_flight)
{
	uint64_t at;

	pacer_news(&p, false);
	ck_assert_int_eq(pacer_next(&p, 0, &at), PACER_SEND);
	pacer_sent(&p, 0);
	pacer_news(&p, true);
	/* window open, but the first NOTIFY has no answer yet */
	ck_assert_int_eq(pacer_next(&p, 3000, &at), PACER_IDLE);
	pacer_answered(&p);
	ck_assert_int_eq(pacer_next(&p, 3000, &at), PACER_SEND);
}
END_TEST

START_TEST(latest_news_wins_and_losers_are_counted)
{
	pacer_news(&p, false);
	send_and_answer(0);
	ck_assert(pacer_news(&p, false));	/* 180 */
	ck_assert(pacer_news(&p, false));	/* 183 replaces it */
	ck_assert(pacer_news(&p, true));	/* 200 replaces it */
	ck_assert_uint_eq(p.coalesced, 2);
	ck_assert(p.pending_final);
}
END_TEST

START_TEST(final_is_never_replaced)
{
	pacer_news(&p, false);
	send_and_answer(0);
	ck_assert(pacer_news(&p, true));
	ck_assert(!pacer_news(&p, false));
	ck_assert(!pacer_news(&p, true));
	ck_assert(p.pending_final);
}
END_TEST

START_TEST(nothing_goes_out_after_the_final)
{
	uint64_t at;

	pacer_news(&p, true);
	send_and_answer(0);
	ck_assert(pacer_finished(&p));
	ck_assert(!pacer_news(&p, false));
	ck_assert_int_eq(pacer_next(&p, 10000, &at), PACER_IDLE);
}
END_TEST

START_TEST(final_leaves_within_50_ms_of_the_window_opening)
{
	uint64_t at = 0;

	pacer_news(&p, false);
	send_and_answer(1000);
	pacer_news(&p, true);
	ck_assert_int_eq(pacer_next(&p, 1200, &at), PACER_WAIT);
	ck_assert_uint_ge(at, 1000 + INTERVAL);
	ck_assert_uint_le(at, 1000 + INTERVAL + 50);
}
END_TEST

START_TEST(finished_only_once_the_final_is_answered)
{
	pacer_news(&p, true);
	pacer_sent(&p, 0);
	ck_assert(!pacer_finished(&p));
	pacer_answered(&p);
	ck_assert(pacer_finished(&p));
}
END_TEST

START_TEST(interval_is_taken_from_init)
{
	uint64_t at = 0;

	pacer_init(&p, 2500);
	pacer_news(&p, false);
	send_and_answer(0);
	pacer_news(&p, false);
	ck_assert_int_eq(pacer_next(&p, 1000, &at), PACER_WAIT);
	ck_assert_uint_eq(at, 2500 + PACER_GUARD_MS);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("pacer");
	TCase *tc = tcase_create("window");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, first_news_goes_out_at_once);
	tcase_add_test(tc, second_news_waits_for_the_interval);
	tcase_add_test(tc, news_after_a_quiet_window_goes_out_at_once);
	tcase_add_test(tc, only_one_notify_in_flight);
	tcase_add_test(tc, latest_news_wins_and_losers_are_counted);
	tcase_add_test(tc, final_is_never_replaced);
	tcase_add_test(tc, nothing_goes_out_after_the_final);
	tcase_add_test(tc, final_leaves_within_50_ms_of_the_window_opening);
	tcase_add_test(tc, finished_only_once_the_final_is_answered);
	tcase_add_test(tc, interval_is_taken_from_init);
	suite_add_tcase(s, tc);
	return s;
}
