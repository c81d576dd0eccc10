/*
 * check_request_rules.c - Check suite for request_rules.c: the Request-URI
 * scheme rule, the Require rule and the in-dialog CSeq order.
 */
#include <check.h>
#include <stdlib.h>

#include "request_rules.h"

#include "check_main.h"

START_TEST(sip_and_sips_uris_pass)
{
	ck_assert_int_eq(request_uri_status("sip", "127.0.0.1"), 0);
	ck_assert_int_eq(request_uri_status("SIPS", "[::1]"), 0);
}
END_TEST

START_TEST(other_schemes_get_416)
{
	ck_assert_int_eq(request_uri_status("mailto", NULL), 416);
	ck_assert_int_eq(request_uri_status("http", "example.com"), 416);
	ck_assert_int_eq(request_uri_status("tel", NULL), 416);
	ck_assert_int_eq(request_uri_status("x-foo+bar.1", NULL), 416);
}
END_TEST

START_TEST(unparsable_uris_get_400)
{
	ck_assert_int_eq(request_uri_status(NULL, "not-a-uri"), 400);
	ck_assert_int_eq(request_uri_status("", NULL), 400);
	ck_assert_int_eq(request_uri_status("<<<", NULL), 400);
	ck_assert_int_eq(request_uri_status("1sip", "h"), 400);
	ck_assert_int_eq(request_uri_status("sip", NULL), 400);
	ck_assert_int_eq(request_uri_status("sip", ""), 400);
}
END_TEST

START_TEST(supported_tags_pass)
{
	const char *tags[] = { "replaces", "NoReferSub" };
	const char *out[2];

	ck_assert_uint_eq(require_unsupported(tags, 2, out), 0);
}
END_TEST

START_TEST(unsupported_tags_listed_once_in_order)
{
	const char *tags[] = { "no-such-ext", "replaces", "100rel",
			       "No-Such-Ext", "" };
	const char *out[5];

	ck_assert_uint_eq(require_unsupported(tags, 5, out), 2);
	ck_assert_str_eq(out[0], "no-such-ext");
	ck_assert_str_eq(out[1], "100rel");
}
END_TEST

START_TEST(first_cseq_sets_the_order)
{
	struct cseq_order o = { 0 };

	ck_assert(cseq_accept(&o, 0));
	ck_assert(!cseq_accept(&o, 0));
	ck_assert(cseq_accept(&o, 1));
}
END_TEST

START_TEST(repeated_or_lower_cseq_refused)
{
	struct cseq_order o = { .last = 10, .seen = true };

	ck_assert(!cseq_accept(&o, 10));
	ck_assert(!cseq_accept(&o, 9));
	ck_assert(cseq_accept(&o, 11));
	ck_assert_uint_eq(o.last, 11);
	ck_assert(cseq_accept(&o, 4294967295U));
	ck_assert(!cseq_accept(&o, 4294967295U));
}
END_TEST

START_TEST(replaces_takes_over_confirmed_and_own_early_dialogs)
{
	ck_assert_int_eq(replaces_status(REPLACED_CONFIRMED, false), 0);
	ck_assert_int_eq(replaces_status(REPLACED_EARLY_OURS, false), 0);
	ck_assert_int_eq(replaces_status(REPLACED_EARLY_OURS, true), 0);
}
END_TEST

START_TEST(replaces_early_only_of_confirmed_dialog_gets_486)
{
	ck_assert_int_eq(replaces_status(REPLACED_CONFIRMED, true), 486);
}
END_TEST

START_TEST(replaces_of_ended_dialog_gets_603)
{
	ck_assert_int_eq(replaces_status(REPLACED_ENDED, false), 603);
	ck_assert_int_eq(replaces_status(REPLACED_ENDED, true), 603);
}
END_TEST

START_TEST(replaces_without_match_gets_481)
{
	ck_assert_int_eq(replaces_status(REPLACED_NONE, false), 481);
	ck_assert_int_eq(replaces_status(REPLACED_EARLY_THEIRS, false), 481);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("request_rules");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sip_and_sips_uris_pass);
	tcase_add_test(tc, other_schemes_get_416);
	tcase_add_test(tc, unparsable_uris_get_400);
	tcase_add_test(tc, supported_tags_pass);
	tcase_add_test(tc, unsupported_tags_listed_once_in_order);
	tcase_add_test(tc, first_cseq_sets_the_order);
	tcase_add_test(tc, repeated_or_lower_cseq_refused);
	tcase_add_test(tc, replaces_takes_over_confirmed_and_own_early_dialogs);
	tcase_add_test(tc, replaces_early_only_of_confirmed_dialog_gets_486);
	tcase_add_test(tc, replaces_of_ended_dialog_gets_603);
	tcase_add_test(tc, replaces_without_match_gets_481);
	suite_add_tcase(s, tc);
	return s;
}
