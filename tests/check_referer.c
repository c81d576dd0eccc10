/* check_referer.c - unit tests of referer.c: the agent as a referer in a
 * call it holds (SPEC 9), driven by a fake clock. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "referer.h"

#include "check_main.h"

#define TIMEOUT 32000

static struct referer r;
static struct referer_actions a;

static int notify(const char *body, bool terminated, uint64_t now)
{
	return referer_on_notify(&r, body, body ? strlen(body) : 0,
				 terminated, now, &a);
}

START_TEST(start_arms_the_deadline)
{
	referer_start(&r, TIMEOUT, 1000, &a);
	ck_assert_int_eq(r.state, REFERER_SENT);
	ck_assert_uint_eq(a.what, 0);
	ck_assert_uint_eq(a.wake_at, 1000 + TIMEOUT);
	ck_assert(!referer_done(&r));
}
END_TEST

START_TEST(accepted_then_100_then_200_reports_both_and_byes)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 50, &a);
	ck_assert_uint_eq(a.what, RA_REPORT);
	ck_assert_str_eq(a.line, "REFER accepted: 202 Accepted");
	ck_assert_uint_eq(a.wake_at, 50 + TIMEOUT);
	ck_assert_int_eq(notify("SIP/2.0 100 Trying\r\n", false, 60), 200);
	ck_assert_uint_eq(a.what, RA_REPORT);
	ck_assert_str_eq(a.line, "SIP/2.0 100 Trying");
	ck_assert_int_eq(notify("SIP/2.0 200 OK\r\n", true, 1100), 200);
	ck_assert_uint_eq(a.what, RA_REPORT | RA_BYE | RA_DONE);
	ck_assert_str_eq(a.line, "SIP/2.0 200 OK");
	ck_assert(a.success);
	ck_assert_str_eq(a.result, "transfer succeeded: 200 OK");
	ck_assert_uint_eq(a.wake_at, 0);
	ck_assert_uint_eq(r.notifies, 2);
	ck_assert_int_eq(r.final_status, 200);
	ck_assert(referer_done(&r));
}
END_TEST

START_TEST(refusal_ends_it_without_bye)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 100, "Trying", false, 10, &a);
	ck_assert_uint_eq(a.what, 0);
	ck_assert_uint_eq(a.wake_at, TIMEOUT);
	referer_on_answer(&r, 603, "Decline", false, 20, &a);
	ck_assert_uint_eq(a.what, RA_DONE);
	ck_assert(!a.success);
	ck_assert_str_eq(a.result, "REFER refused: 603 Decline");
	ck_assert_int_eq(r.final_status, 603);
	ck_assert_uint_eq(a.wake_at, 0);
}
END_TEST

START_TEST(refer_sub_false_succeeds_at_the_202_with_a_note)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, NULL, true, 20, &a);
	ck_assert_uint_eq(a.what, RA_DONE);
	ck_assert(a.success);
	ck_assert(r.no_subscription);
	ck_assert_str_eq(a.result, "REFER accepted (202 Accepted) with "
			 "Refer-Sub: false: no NOTIFY will report how the "
			 "transfer ends");
}
END_TEST

START_TEST(failed_final_fails_without_bye)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 20, &a);
	ck_assert_int_eq(notify("SIP/2.0 486 Busy Here\r\n", true, 900), 200);
	ck_assert_uint_eq(a.what, RA_REPORT | RA_DONE);
	ck_assert(!a.success);
	ck_assert_str_eq(a.result, "transfer failed: 486 Busy Here");
}
END_TEST

START_TEST(no_notify_times_out_at_the_deadline)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 100, &a);
	referer_tick(&r, 100 + TIMEOUT - 1, &a);
	ck_assert_uint_eq(a.what, 0);
	ck_assert_uint_eq(a.wake_at, 100 + TIMEOUT);
	referer_tick(&r, 100 + TIMEOUT, &a);
	ck_assert_uint_eq(a.what, RA_DONE);
	ck_assert(!a.success);
	ck_assert_str_eq(a.result, "no final NOTIFY before the subscription "
			 "timed out");
	ck_assert_int_eq(notify("SIP/2.0 200 OK\r\n", true, 100 + TIMEOUT), 481);
}
END_TEST

START_TEST(no_answer_to_the_refer_times_out)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_tick(&r, TIMEOUT, &a);
	ck_assert_str_eq(a.result, "no answer to the REFER");
}
END_TEST

START_TEST(notify_overtaking_the_202_counts)
{
	referer_start(&r, TIMEOUT, 0, &a);
	ck_assert_int_eq(notify("SIP/2.0 100 Trying\r\n", false, 5), 200);
	ck_assert_int_eq(r.state, REFERER_WAITING);
	referer_on_answer(&r, 202, "Accepted", false, 6, &a);
	ck_assert_uint_eq(a.what, 0);
	ck_assert_int_eq(notify("SIP/2.0 200 OK\r\n", true, 1000), 200);
	ck_assert(a.success);
}
END_TEST

START_TEST(terminated_without_final_fails)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 6, &a);
	ck_assert_int_eq(notify("SIP/2.0 180 Ringing\r\n", true, 1000), 200);
	ck_assert_uint_eq(a.what, RA_REPORT | RA_DONE);
	ck_assert(!a.success);
}
END_TEST

START_TEST(bad_body_gets_400_and_changes_nothing)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 6, &a);
	ck_assert_int_eq(notify(NULL, false, 10), 400);
	ck_assert_int_eq(notify("HTTP/1.1 200 OK\r\n", false, 10), 400);
	ck_assert_int_eq(notify("SIP/2.0 20 OK\r\n", false, 10), 400);
	ck_assert_int_eq(notify("SIP/2.0 2000 OK\r\n", false, 10), 400);
	ck_assert_int_eq(notify("SIP/2.0 099 x\r\n", false, 10), 400);
	ck_assert_uint_eq(a.what, 0);
	ck_assert_uint_eq(r.notifies, 0);
	ck_assert_int_eq(r.state, REFERER_WAITING);
}
END_TEST

START_TEST(call_gone_fails_once)
{
	referer_start(&r, TIMEOUT, 0, &a);
	referer_on_answer(&r, 202, "Accepted", false, 6, &a);
	referer_on_call_gone(&r, 10, &a);
	ck_assert_uint_eq(a.what, RA_DONE);
	ck_assert(!a.success);
	referer_on_call_gone(&r, 11, &a);
	ck_assert_uint_eq(a.what, 0);
}
END_TEST

START_TEST(sipfrag_status_takes_the_first_line_only)
{
	char line[SIPFRAG_MAX];
	const char *body = "SIP/2.0 180 Ringing\r\nVia: x\r\n";

	ck_assert_int_eq(referer_sipfrag_status(body, strlen(body), line), 180);
	ck_assert_str_eq(line, "SIP/2.0 180 Ringing");
	ck_assert_int_eq(referer_sipfrag_status("SIP/2.0 200", 11, line), 200);
	ck_assert_str_eq(line, "SIP/2.0 200");
	ck_assert_int_eq(referer_sipfrag_status("sip/2.0 404 Not\tFound", 21,
						line), 404);
	ck_assert_str_eq(line, "sip/2.0 404 Not Found");
}
END_TEST

START_TEST(replaces_uri_is_percent_encoded)
{
	char buf[256];

	ck_assert_int_gt(referer_replaces_uri(buf, sizeof buf,
		"sip:carol@127.0.0.1:5070", "abc@host", "t o", "f;1"), 0);
	ck_assert_str_eq(buf, "sip:carol@127.0.0.1:5070?Replaces=abc%40host"
			 "%3Bto-tag%3Dt%20o%3Bfrom-tag%3Df%3B1");
	ck_assert_int_eq(referer_replaces_uri(buf, sizeof buf,
		"sip:c@h?Foo=1", "a", "b", "c"), -1);
	ck_assert_int_eq(referer_replaces_uri(buf, 40,
		"sip:carol@127.0.0.1:5070", "abc@host", "to", "from"), -1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("referer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, start_arms_the_deadline);
	tcase_add_test(tc, accepted_then_100_then_200_reports_both_and_byes);
	tcase_add_test(tc, refusal_ends_it_without_bye);
	tcase_add_test(tc, refer_sub_false_succeeds_at_the_202_with_a_note);
	tcase_add_test(tc, failed_final_fails_without_bye);
	tcase_add_test(tc, no_notify_times_out_at_the_deadline);
	tcase_add_test(tc, no_answer_to_the_refer_times_out);
	tcase_add_test(tc, notify_overtaking_the_202_counts);
	tcase_add_test(tc, terminated_without_final_fails);
	tcase_add_test(tc, bad_body_gets_400_and_changes_nothing);
	tcase_add_test(tc, call_gone_fails_once);
	tcase_add_test(tc, sipfrag_status_takes_the_first_line_only);
	tcase_add_test(tc, replaces_uri_is_percent_encoded);
	suite_add_tcase(s, tc);
	return s;
}
