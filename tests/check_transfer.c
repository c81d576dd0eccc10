/* check_transfer.c - unit tests of transfer.c: one transfer from its 202 to
 * its end (SPEC 3-5), driven by a fake clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "transfer.h"

#include "check_main.h"

static const struct transfer_limits lim = {
	.notify_interval_ms = 1000,
	.subscription_expires = 120,
	.invite_timeout = 60,
	.max_call_duration = 3600,
};

static struct transfer t;
static struct transfer_actions a;

static void start(uint64_t now)
{
	transfer_start(&t, &lim, true, now, &a);
}

/* Answer the outstanding NOTIFY with 200 at NOW. */
static void notify_ok(uint64_t now)
{
	transfer_on_notify_answer(&t, 200, false, now, &a);
}

static void respond(int code, const char *reason, uint64_t now)
{
	transfer_on_response(&t, code, reason, false, now, &a);
}

START_TEST(start_places_invite_and_reports_100_trying)
{
	start(0);
	ck_assert(a.what & TA_INVITE);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 100 Trying\r\n");
	ck_assert_str_eq(a.notify_state, "active;expires=120");
	ck_assert(!a.notify_final);
	ck_assert(transfer_is_calling(&t));
}
END_TEST

START_TEST(refer_sub_false_never_notifies)
{
	transfer_start(&t, &lim, false, 0, &a);
	ck_assert(a.what & TA_INVITE);
	ck_assert(!(a.what & TA_NOTIFY));
	respond(180, "Ringing", 100);
	ck_assert(!(a.what & TA_NOTIFY));
	respond(486, "Busy Here", 200);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(fast_answer_is_paced_and_only_the_final_is_reported)
{
	start(0);
	notify_ok(5);
	respond(180, "Ringing", 100);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert_uint_eq(a.wake_at, 1000 + PACER_GUARD_MS);
	respond(183, "Session Progress", 200);
	ck_assert(!(a.what & TA_NOTIFY));
	respond(200, "OK", 300);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert(!transfer_is_calling(&t));
	transfer_tick(&t, a.wake_at, &a);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 200 OK\r\n");
	ck_assert_str_eq(a.notify_state, "terminated;reason=noresource");
	ck_assert(a.notify_final);
	ck_assert_uint_eq(t.pacer.coalesced, 2);
}
END_TEST

START_TEST(provisional_in_an_open_window_goes_out_at_once)
{
	start(0);
	notify_ok(5);
	respond(180, "Ringing", 30000);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 180 Ringing\r\n");
	ck_assert_str_eq(a.notify_state, "active;expires=90");
}
END_TEST

START_TEST(hundred_trying_from_target_is_not_news)
{
	start(0);
	notify_ok(5);
	respond(100, "Trying", 3000);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert(transfer_is_calling(&t));
}
END_TEST

START_TEST(final_waits_for_the_outstanding_notify)
{
	start(0);
	respond(486, "Busy Here", 2000);	/* 100 Trying still unanswered */
	ck_assert(!(a.what & TA_NOTIFY));
	notify_ok(2100);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 486 Busy Here\r\n");
	ck_assert(!(a.what & TA_DONE));
	notify_ok(2110);
	ck_assert(a.what & TA_DONE);
	ck_assert_int_eq(t.sub_end, SUB_END_NORESOURCE);
}
END_TEST

START_TEST(target_reason_phrase_is_reported_as_sent)
{
	start(0);
	notify_ok(1);
	respond(603, "Go Away Please", 5000);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 603 Go Away Please\r\n");
}
END_TEST

START_TEST(no_answer_within_invite_timeout_cancels_with_408)
{
	start(0);
	notify_ok(1);
	respond(180, "Ringing", 10);
	transfer_tick(&t, a.wake_at, &a);	/* the 180 NOTIFY */
	notify_ok(1010);
	ck_assert_uint_eq(a.wake_at, 60000);
	transfer_tick(&t, 59999, &a);
	ck_assert(!(a.what & TA_CANCEL));
	transfer_tick(&t, 60000, &a);
	ck_assert(a.what & TA_CANCEL);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 408 Request Timeout\r\n");
	ck_assert_str_eq(a.notify_state, "terminated;reason=noresource");
	/* the 487 that answers the CANCEL changes nothing */
	notify_ok(60010);
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(transport_failure_is_reported_as_503)
{
	start(0);
	notify_ok(1);
	transfer_on_response(&t, 503, "No transport", true, 2000, &a);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 503 Service Unavailable\r\n");
	transfer_on_response(&t, 408, "x", true, 2000, &a);
}
END_TEST

START_TEST(stack_timeout_is_reported_as_408)
{
	start(0);
	notify_ok(1);
	transfer_on_response(&t, 408, "Timeout", true, 32000, &a);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 408 Request Timeout\r\n");
}
END_TEST

START_TEST(unanswered_challenge_is_never_a_401_in_the_sipfrag)
{
	start(0);
	notify_ok(1);
	respond(407, "Proxy Authentication Required", 3000);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 403 Forbidden\r\n");
}
END_TEST

START_TEST(answered_call_is_held_until_max_call_duration)
{
	start(0);
	notify_ok(1);
	respond(200, "OK", 2000);
	notify_ok(2001);
	ck_assert(!(a.what & TA_DONE));
	ck_assert_uint_eq(a.wake_at, 2000 + 3600 * 1000);
	transfer_tick(&t, a.wake_at, &a);
	ck_assert(a.what & TA_BYE);
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(target_bye_ends_the_held_call)
{
	start(0);
	notify_ok(1);
	respond(200, "OK", 2000);
	notify_ok(2001);
	transfer_on_call_ended(&t, 5000, &a);
	ck_assert(!(a.what & TA_BYE));
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(notify_answered_481_ends_subscription_but_not_the_call)
{
	start(0);
	transfer_on_notify_answer(&t, 481, false, 10, &a);
	ck_assert_int_eq(t.sub, SUB_ENDED);
	ck_assert_int_eq(t.sub_end, SUB_END_REJECTED);
	ck_assert(!(a.what & TA_DONE));
	respond(180, "Ringing", 3000);
	ck_assert(!(a.what & TA_NOTIFY));
	respond(200, "OK", 4000);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert_int_eq(t.call, CALL_ANSWERED);
}
END_TEST

START_TEST(notify_408_or_transport_error_ends_subscription)
{
	start(0);
	transfer_on_notify_answer(&t, 408, false, 10, &a);
	ck_assert_int_eq(t.sub, SUB_ENDED);
	start(0);
	transfer_on_notify_answer(&t, 503, true, 10, &a);
	ck_assert_int_eq(t.sub, SUB_ENDED);
	start(0);
	transfer_on_notify_answer(&t, 500, false, 10, &a);
	ck_assert_int_eq(t.sub, SUB_ACTIVE);
}
END_TEST

START_TEST(expiry_before_final_terminates_with_timeout)
{
	struct transfer_limits short_sub = lim;

	short_sub.subscription_expires = 30;
	transfer_start(&t, &short_sub, true, 0, &a);
	notify_ok(1);
	respond(180, "Ringing", 10);
	transfer_tick(&t, a.wake_at, &a);
	notify_ok(1010);
	ck_assert_uint_eq(a.wake_at, 30000);
	transfer_tick(&t, 30000, &a);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 180 Ringing\r\n");
	ck_assert_str_eq(a.notify_state, "terminated;reason=timeout");
	notify_ok(30001);
	ck_assert_int_eq(t.sub, SUB_ENDED);
	ck_assert_int_eq(t.sub_end, SUB_END_TIMEOUT);
	ck_assert(transfer_is_calling(&t));
	respond(200, "OK", 40000);
	ck_assert(!(a.what & TA_NOTIFY));
}
END_TEST

START_TEST(answer_after_giving_up_is_hung_up)
{
	start(0);
	notify_ok(1);
	transfer_tick(&t, 60000, &a);
	ck_assert(a.what & TA_CANCEL);
	respond(200, "OK", 60005);
	ck_assert(a.what & TA_BYE);
}
END_TEST

START_TEST(shutdown_cancels_a_ringing_call_with_487)
{
	start(0);
	notify_ok(1);
	transfer_shutdown(&t, 5000, &a);
	ck_assert(a.what & TA_CANCEL);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 487 Request Terminated\r\n");
	ck_assert_str_eq(a.notify_state, "terminated;reason=noresource");
	notify_ok(5001);
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(shutdown_keeps_the_true_final_still_waiting_for_its_window)
{
	start(0);
	notify_ok(1);
	respond(486, "Busy Here", 100);	/* final pending, window closed */
	transfer_shutdown(&t, 200, &a);
	ck_assert(!(a.what & TA_CANCEL));
	ck_assert(!(a.what & TA_NOTIFY));
	transfer_tick(&t, a.wake_at, &a);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 486 Busy Here\r\n");
}
END_TEST

START_TEST(shutdown_hangs_up_a_held_call)
{
	start(0);
	notify_ok(1);
	respond(200, "OK", 3000);
	notify_ok(3001);
	transfer_shutdown(&t, 4000, &a);
	ck_assert(a.what & TA_BYE);
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(subscribe_refresh_grants_capped_expiry_and_resends_state_paced)
{
	start(0);
	notify_ok(1);
	respond(180, "Ringing", 2000);		/* window open: sent */
	notify_ok(2001);
	ck_assert_int_eq(transfer_on_subscribe(&t, 3600, 2500, &a), 120);
	ck_assert(!(a.what & TA_NOTIFY));	/* window closed until 3005 */
	ck_assert_uint_eq(a.wake_at, 2000 + 1000 + PACER_GUARD_MS);
	transfer_tick(&t, a.wake_at, &a);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 180 Ringing\r\n");
	ck_assert_str_eq(a.notify_state, "active;expires=119");
	ck_assert_uint_eq(t.sub_expires_at_ms, 2500 + 120000);
}
END_TEST

START_TEST(subscribe_refresh_below_the_cap_is_granted_as_asked)
{
	start(0);
	notify_ok(1);
	ck_assert_int_eq(transfer_on_subscribe(&t, 60, 5000, &a), 60);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_state, "active;expires=60");
}
END_TEST

START_TEST(unsubscribe_sends_current_state_with_reason_timeout)
{
	start(0);
	notify_ok(1);
	ck_assert_int_eq(transfer_on_subscribe(&t, 0, 300, &a), 0);
	ck_assert(!(a.what & TA_NOTIFY));
	transfer_tick(&t, a.wake_at, &a);
	ck_assert(a.what & TA_NOTIFY);
	ck_assert_str_eq(a.notify_body, "SIP/2.0 100 Trying\r\n");
	ck_assert_str_eq(a.notify_state, "terminated;reason=timeout");
	notify_ok(1100);
	ck_assert_int_eq(t.sub, SUB_ENDED);
	ck_assert(transfer_is_calling(&t));
	respond(200, "OK", 2000);
	ck_assert(!(a.what & TA_NOTIFY));
}
END_TEST

START_TEST(subscribe_after_the_subscription_ended_is_refused)
{
	start(0);
	transfer_on_notify_answer(&t, 481, false, 10, &a);
	ck_assert_int_eq(transfer_on_subscribe(&t, 60, 20, &a), -1);
}
END_TEST

START_TEST(referer_bye_ends_notifying_but_not_the_transfer)
{
	start(0);
	notify_ok(1);
	transfer_on_referer_gone(&t, 50, &a);
	ck_assert(!(a.what & TA_DONE));
	respond(180, "Ringing", 3000);
	ck_assert(!(a.what & TA_NOTIFY));
	respond(486, "Busy Here", 3500);
	ck_assert(!(a.what & TA_NOTIFY));
	ck_assert(a.what & TA_DONE);
}
END_TEST

START_TEST(window_counts_from_when_the_notify_really_left)
{
	start(0);			/* the 100 Trying, asked for at 0 */
	transfer_notify_left(&t, 40);	/* but sent only at 40 */
	notify_ok(45);
	respond(180, "Ringing", 500);
	ck_assert_uint_eq(a.wake_at, 40 + 1000 + PACER_GUARD_MS);
	transfer_notify_left(&t, 20);	/* an earlier stamp changes nothing */
	ck_assert_uint_eq(t.pacer.last_sent_ms, 40);
}
END_TEST

/* Random events on a fake clock: whatever their order, two NOTIFYs are
 * never closer than the interval, at most one NOTIFY is outstanding, exactly
 * one final is sent and it carries the true final status, leaving at most
 * 50 ms after it could (window open, previous NOTIFY answered, final known). */
START_TEST(random_event_orders_never_break_the_pacing_rules)
{
	static const int codes[] = { 180, 183, 181, 182, 200, 486, 603 };

	srand(42);
	for (int run = 0; run < 2000; run++) {
		uint64_t now = 0, last = 0, answered = 0, known_at = 0;
		int sent = 0, finals = 0, final_code = 0;
		bool in_flight = false, final_known = false;

		start(0);
		for (int step = 0; step < 60 && !(a.what & TA_DONE); step++) {
			if (a.what & TA_NOTIFY) {
				ck_assert(!in_flight);
				if (sent)
					ck_assert_uint_ge(now - last, 1000);
				if (a.notify_final) {
					uint64_t could = last + 1000;

					if (answered > could)
						could = answered;
					if (known_at > could)
						could = known_at;
					finals++;
					ck_assert(final_known);
					ck_assert_uint_le(now, could + 50);
					ck_assert_int_eq(atoi(a.notify_body + 8),
							 final_code);
				}
				last = now;
				sent++;
				in_flight = true;
			}
			uint64_t wake = a.wake_at;
			now += (uint64_t)(rand() % 700);
			if (wake && wake <= now) {
				now = wake;
				transfer_tick(&t, now, &a);
			} else if (in_flight && rand() % 2) {
				in_flight = false;
				answered = now;
				notify_ok(now);
			} else if (!final_known) {
				int c = codes[rand() % 7];

				final_known = c >= 200;
				final_code = c;
				known_at = now;
				respond(c, NULL, now);
			} else {
				transfer_tick(&t, now, &a);
			}
		}
		ck_assert_int_le(finals, 1);
		if (final_known && (a.what & TA_DONE))
			ck_assert_int_eq(finals, 1);
	}
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("transfer");
	TCase *tc = tcase_create("machine");

	tcase_add_test(tc, start_places_invite_and_reports_100_trying);
	tcase_add_test(tc, refer_sub_false_never_notifies);
	tcase_add_test(tc, fast_answer_is_paced_and_only_the_final_is_reported);
	tcase_add_test(tc, provisional_in_an_open_window_goes_out_at_once);
	tcase_add_test(tc, hundred_trying_from_target_is_not_news);
	tcase_add_test(tc, final_waits_for_the_outstanding_notify);
	tcase_add_test(tc, target_reason_phrase_is_reported_as_sent);
	tcase_add_test(tc, no_answer_within_invite_timeout_cancels_with_408);
	tcase_add_test(tc, transport_failure_is_reported_as_503);
	tcase_add_test(tc, stack_timeout_is_reported_as_408);
	tcase_add_test(tc, unanswered_challenge_is_never_a_401_in_the_sipfrag);
	tcase_add_test(tc, answered_call_is_held_until_max_call_duration);
	tcase_add_test(tc, target_bye_ends_the_held_call);
	tcase_add_test(tc, notify_answered_481_ends_subscription_but_not_the_call);
	tcase_add_test(tc, notify_408_or_transport_error_ends_subscription);
	tcase_add_test(tc, expiry_before_final_terminates_with_timeout);
	tcase_add_test(tc, answer_after_giving_up_is_hung_up);
	tcase_add_test(tc, shutdown_cancels_a_ringing_call_with_487);
	tcase_add_test(tc, shutdown_keeps_the_true_final_still_waiting_for_its_window);
	tcase_add_test(tc, shutdown_hangs_up_a_held_call);
	tcase_add_test(tc, subscribe_refresh_grants_capped_expiry_and_resends_state_paced);
	tcase_add_test(tc, subscribe_refresh_below_the_cap_is_granted_as_asked);
	tcase_add_test(tc, unsubscribe_sends_current_state_with_reason_timeout);
	tcase_add_test(tc, subscribe_after_the_subscription_ended_is_refused);
	tcase_add_test(tc, referer_bye_ends_notifying_but_not_the_transfer);
	tcase_add_test(tc, window_counts_from_when_the_notify_really_left);
	tcase_add_test(tc, random_event_orders_never_break_the_pacing_rules);
	suite_add_tcase(s, tc);
	return s;
}
