/* check_sofia_timer.c - unit tests of sofia_timer.c: Sofia-SIP's loop
 * sleeps until a timer is due instead of spinning through its last
 * millisecond.  These run Sofia-SIP's real timers and loop. */
#include <check.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/su_wait.h>

#include "check_main.h"

#define TIMERS 20
#define TIMER_MS 3

static su_root_t *root;
static su_timer_t *timer;
static unsigned loops, fired;

static void setup(void)
{
	ck_assert_int_eq(su_init(), 0);
	root = su_root_create(NULL);
	ck_assert_ptr_nonnull(root);
	timer = su_timer_create(su_root_task(root), TIMER_MS);
	ck_assert_ptr_nonnull(timer);
	loops = fired = 0;
}

static void teardown(void)
{
	su_timer_destroy(timer);
	su_root_destroy(root);
	su_deinit();
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	(void)magic;
	(void)arg;
	if (++fired < TIMERS)
		su_timer_set(t, on_timer, NULL);
	else
		su_root_break(root);
}

static void count_loop(su_prepoll_magic_t *magic, su_root_t *r)
{
	(void)magic;
	(void)r;
	loops++;
}

/* Re-arms the timer TIMER_MS after rearm_base, the test's own "now", so
 * that the wait it leaves does not depend on how long the test took to
 * get there (on a loaded machine, re-arming from the real clock left 4). */
static su_time_t rearm_base;

static void on_timer_from_base(su_root_magic_t *magic, su_timer_t *t,
			       su_timer_arg_t *arg)
{
	(void)magic;
	(void)arg;
	fired++;
	su_timer_set_at(t, on_timer, NULL,
			su_time_add(rearm_base, TIMER_MS));
}

/* Half a millisecond after NOW. */
static su_time_t half_ms_after(su_time_t now)
{
	unsigned long usec = now.tv_usec + 500;

	return (su_time_t){ now.tv_sec + usec / 1000000, usec % 1000000 };
}

/* The timer half a millisecond away: the library alone answers 0. */
START_TEST(sub_millisecond_wait_becomes_one_ms)
{
	su_duration_t timeout = 1000;
	su_time_t now = su_now();

	ck_assert_int_eq(su_timer_set_at(timer, on_timer, NULL,
					 half_ms_after(now)), 0);
	ck_assert_int_eq(su_timer_expire(su_task_timers(su_root_task(root)),
					 &timeout, now), 0);
	ck_assert_int_eq(timeout, 1);
	ck_assert_uint_eq(fired, 0);
}
END_TEST

START_TEST(due_timer_still_fires_and_far_timer_keeps_its_wait)
{
	su_duration_t timeout = 1000;
	su_time_t now = su_now();

	rearm_base = now;
	ck_assert_int_eq(su_timer_set_at(timer, on_timer_from_base, NULL, now),
			 0);
	ck_assert_int_eq(su_timer_expire(su_task_timers(su_root_task(root)),
					 &timeout, now), 1);
	ck_assert_uint_eq(fired, 1);
	/* the callback armed it again, TIMER_MS after NOW */
	timeout = 1000;
	ck_assert_int_eq(su_timer_expire(su_task_timers(su_root_task(root)),
					 &timeout, now), 0);
	ck_assert_int_ge(timeout, TIMER_MS - 1);
	ck_assert_int_le(timeout, TIMER_MS);
}
END_TEST

START_TEST(no_timer_no_change)
{
	su_duration_t timeout = 0;

	ck_assert_int_eq(su_timer_expire(su_task_timers(su_root_task(root)),
					 &timeout, su_now()), 0);
	ck_assert_int_eq(timeout, 0);
	timeout = -1;
	ck_assert_int_eq(su_timer_expire(su_task_timers(su_root_task(root)),
					 &timeout, su_now()), 0);
	ck_assert_int_eq(timeout, -1);
}
END_TEST

/* Sofia-SIP's own loop goes through the fix: TIMERS timers of TIMER_MS
 * each take a few polls apiece, not hundreds of empty ones. */
START_TEST(loop_sleeps_instead_of_spinning)
{
	ck_assert_int_eq(su_root_add_prepoll(root, count_loop, NULL), 0);
	ck_assert_int_eq(su_timer_set(timer, on_timer, NULL), 0);
	su_root_run(root);
	ck_assert_uint_eq(fired, TIMERS);
	ck_assert_uint_le(loops, 10 * TIMERS);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("sofia_timer");
	TCase *tc = tcase_create("expire");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sub_millisecond_wait_becomes_one_ms);
	tcase_add_test(tc, due_timer_still_fires_and_far_timer_keeps_its_wait);
	tcase_add_test(tc, no_timer_no_change);
	tcase_add_test(tc, loop_sleeps_instead_of_spinning);
	suite_add_tcase(s, tc);
	return s;
}
