/* check_overload.c - unit tests of overload.c: when new work is shed, and
 * the episodes logs report, driven by a fake clock. */
#include <check.h>

#include "overload.h"

#include "check_main.h"

static struct overload o;

static void setup(void)
{
	overload_init(&o);
}

static enum overload_event sample(uint64_t now, unsigned wait, unsigned lag)
{
	struct overload_sample s = { .now_ms = now, .queue_wait_ms = wait,
				     .loop_lag_ms = lag };

	return overload_update(&o, &s);
}

START_TEST(light_load_sheds_nothing)
{
	for (uint64_t t = 0; t < 60000; t += OVERLOAD_SAMPLE_MS) {
		ck_assert_int_eq(sample(t, OVERLOAD_WAIT_HIGH_MS - 1,
					OVERLOAD_LAG_HIGH_MS - 1),
				 OVERLOAD_SAME);
		ck_assert(!o.shedding);
		overload_admitted(&o);
	}
	ck_assert_uint_eq(o.episodes, 0);
	ck_assert_uint_eq(o.shed_total, 0);
}
END_TEST

START_TEST(deep_queue_starts_shedding_at_once)
{
	ck_assert_int_eq(sample(1000, 10, 0), OVERLOAD_SAME);
	ck_assert_int_eq(sample(1005, OVERLOAD_WAIT_HIGH_MS, 0),
			 OVERLOAD_BEGAN);
	ck_assert(o.shedding);
	ck_assert(o.overloaded);
	ck_assert_uint_eq(o.episodes, 1);
}
END_TEST

START_TEST(late_loop_starts_shedding_at_once)
{
	ck_assert_int_eq(sample(1000, 0, OVERLOAD_LAG_HIGH_MS), OVERLOAD_BEGAN);
	ck_assert(o.shedding);
}
END_TEST

START_TEST(shedding_stops_only_under_both_low_marks)
{
	sample(1000, 500, 0);
	sample(1005, OVERLOAD_WAIT_LOW_MS + 1, 0);
	ck_assert(o.shedding);
	sample(1010, OVERLOAD_WAIT_LOW_MS, OVERLOAD_LAG_LOW_MS + 1);
	ck_assert(o.shedding);
	sample(1015, OVERLOAD_WAIT_LOW_MS, OVERLOAD_LAG_LOW_MS);
	ck_assert(!o.shedding);
	/* between the marks: it stays off */
	sample(1020, OVERLOAD_WAIT_HIGH_MS - 1, OVERLOAD_LAG_HIGH_MS - 1);
	ck_assert(!o.shedding);
}
END_TEST

/* A steady overload: the queue wait swings between the marks as shedding
 * drains it and admitting fills it again.  One episode, never ended, no
 * matter how often shedding toggles inside it. */
START_TEST(steady_overload_is_one_episode)
{
	unsigned began = 0, ended = 0, toggles = 0;
	bool was = false;
	uint64_t t;

	for (t = 0; t < 30000; t += OVERLOAD_SAMPLE_MS) {
		unsigned wait = (t / 40) % 2 ? 120 : 20;
		enum overload_event e = sample(t, wait, 2);

		began += e == OVERLOAD_BEGAN;
		ended += e == OVERLOAD_ENDED;
		toggles += o.shedding != was;
		was = o.shedding;
		if (o.shedding)
			overload_shed(&o);
		else
			overload_admitted(&o);
	}
	ck_assert_uint_eq(began, 1);
	ck_assert_uint_eq(ended, 0);
	ck_assert(o.overloaded);
	ck_assert_uint_gt(toggles, 100);
	ck_assert_uint_eq(overload_episode_ms(&o, t), t - 40);
}
END_TEST

START_TEST(episode_ends_after_calm_and_service_is_full_at_once)
{
	sample(1000, 400, 0);
	ck_assert(o.shedding);
	/* the load drops: the queue drains within one sample */
	ck_assert_int_eq(sample(1050, 5, 1), OVERLOAD_SAME);
	ck_assert(!o.shedding);
	ck_assert_int_eq(sample(1050 + OVERLOAD_CALM_MS - 1, 5, 1),
			 OVERLOAD_SAME);
	ck_assert(o.overloaded);
	ck_assert_int_eq(sample(1050 + OVERLOAD_CALM_MS, 5, 1),
			 OVERLOAD_ENDED);
	ck_assert(!o.overloaded);
	ck_assert_uint_eq(overload_episode_ms(&o, 99999),
			  50 + OVERLOAD_CALM_MS);
	/* a new overload is a new episode */
	ck_assert_int_eq(sample(9000, 200, 0), OVERLOAD_BEGAN);
	ck_assert_uint_eq(o.episodes, 2);
}
END_TEST

START_TEST(shedding_again_before_calm_keeps_the_episode)
{
	sample(1000, 400, 0);
	sample(1100, 0, 0);
	ck_assert_int_eq(sample(1100 + OVERLOAD_CALM_MS - 5, 150, 0),
			 OVERLOAD_SAME);
	ck_assert(o.shedding);
	ck_assert_int_eq(sample(1100 + OVERLOAD_CALM_MS + 5, 0, 0),
			 OVERLOAD_SAME);
	ck_assert(o.overloaded);
	ck_assert_uint_eq(o.episodes, 1);
}
END_TEST

START_TEST(retry_after_grows_with_the_share_shed)
{
	unsigned ra = 0;

	sample(1000, 400, 0);
	ck_assert_uint_eq(overload_shed(&o), 1);
	/* a run of sheds as long as a queue's drain is still a small share */
	for (int i = 0; i < 500; i++)
		ra = overload_shed(&o);
	ck_assert_uint_eq(ra, 1);
	for (int i = 0; i < 30000; i++)
		ra = overload_shed(&o);
	ck_assert_uint_eq(ra, 3);
	/* three in five shed settles at 2 */
	for (int i = 0; i < 10000; i++) {
		for (int k = 0; k < 3; k++)
			ra = overload_shed(&o);
		overload_admitted(&o);
		overload_admitted(&o);
	}
	ck_assert_uint_eq(ra, 2);
	/* mostly admitted: 1 */
	for (int i = 0; i < 30000; i++) {
		for (int k = 0; k < 4; k++)
			overload_admitted(&o);
		ra = overload_shed(&o);
	}
	ck_assert_uint_eq(ra, 1);
	ck_assert_uint_eq(o.shed_total, 90501);
	ck_assert_uint_eq(o.episode_shed, 90501);
	ck_assert_uint_eq(o.episode_admitted, 140000);
}
END_TEST

START_TEST(a_new_episode_starts_its_counts_and_share_afresh)
{
	sample(1000, 400, 0);
	for (int i = 0; i < 1000; i++)
		overload_shed(&o);
	sample(1010, 0, 0);
	sample(1010 + OVERLOAD_CALM_MS, 0, 0);
	ck_assert(!o.overloaded);
	overload_admitted(&o);	/* outside an episode: not counted */
	sample(20000, 300, 0);
	ck_assert_uint_eq(o.episode_shed, 0);
	ck_assert_uint_eq(o.episode_admitted, 0);
	ck_assert_uint_eq(overload_shed(&o), 1);
	ck_assert_uint_eq(o.shed_total, 1001);
}
END_TEST

START_TEST(no_episode_has_no_length)
{
	ck_assert_uint_eq(overload_episode_ms(&o, 5000), 0);
	sample(1000, 400, 0);
	ck_assert_uint_eq(overload_episode_ms(&o, 1300), 300);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("overload");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, light_load_sheds_nothing);
	tcase_add_test(tc, deep_queue_starts_shedding_at_once);
	tcase_add_test(tc, late_loop_starts_shedding_at_once);
	tcase_add_test(tc, shedding_stops_only_under_both_low_marks);
	tcase_add_test(tc, steady_overload_is_one_episode);
	tcase_add_test(tc, episode_ends_after_calm_and_service_is_full_at_once);
	tcase_add_test(tc, shedding_again_before_calm_keeps_the_episode);
	tcase_add_test(tc, retry_after_grows_with_the_share_shed);
	tcase_add_test(tc, a_new_episode_starts_its_counts_and_share_afresh);
	tcase_add_test(tc, no_episode_has_no_length);
	suite_add_tcase(s, tc);
	return s;
}
