/* check_sipfrag.c - unit tests of sipfrag.c: NOTIFY body status lines. */
#include <check.h>
#include <string.h>

#include "sipfrag.h"

#include "check_main.h"

START_TEST(target_phrase_is_kept)
{
	char buf[SIPFRAG_MAX];

	ck_assert_int_eq(sipfrag_format(buf, 486, "Busy Here Now"),
			 (int)strlen("SIP/2.0 486 Busy Here Now\r\n"));
	ck_assert_str_eq(buf, "SIP/2.0 486 Busy Here Now\r\n");
}
END_TEST

START_TEST(missing_phrase_gets_standard_one)
{
	char buf[SIPFRAG_MAX];

	sipfrag_format(buf, 408, NULL);
	ck_assert_str_eq(buf, "SIP/2.0 408 Request Timeout\r\n");
	sipfrag_format(buf, 503, "  ");
	ck_assert_str_eq(buf, "SIP/2.0 503 Service Unavailable\r\n");
	sipfrag_format(buf, 100, "");
	ck_assert_str_eq(buf, "SIP/2.0 100 Trying\r\n");
}
END_TEST

START_TEST(unknown_code_gets_class_phrase)
{
	char buf[SIPFRAG_MAX];

	sipfrag_format(buf, 499, NULL);
	ck_assert_str_eq(buf, "SIP/2.0 499 Client Error\r\n");
	sipfrag_format(buf, 199, NULL);
	ck_assert_str_eq(buf, "SIP/2.0 199 Provisional\r\n");
}
END_TEST

START_TEST(control_characters_cannot_break_the_line)
{
	char buf[SIPFRAG_MAX];

	sipfrag_format(buf, 180, "Ring\r\nEvil: yes");
	ck_assert_str_eq(buf, "SIP/2.0 180 Ring  Evil: yes\r\n");
}
END_TEST

START_TEST(long_phrase_is_cut_and_line_still_ends_in_crlf)
{
	char buf[SIPFRAG_MAX];
	char phrase[400];
	int n;

	memset(phrase, 'x', sizeof phrase - 1);
	phrase[sizeof phrase - 1] = '\0';
	n = sipfrag_format(buf, 200, phrase);
	ck_assert_int_lt(n, SIPFRAG_MAX);
	ck_assert_int_eq((int)strlen(buf), n);
	ck_assert_str_eq(buf + n - 2, "\r\n");
	ck_assert_int_eq(strncmp(buf, "SIP/2.0 200 xxx", 15), 0);
}
END_TEST

START_TEST(code_out_of_range_is_refused)
{
	char buf[SIPFRAG_MAX];

	ck_assert_int_eq(sipfrag_format(buf, 99, "x"), -1);
	ck_assert_int_eq(sipfrag_format(buf, 700, "x"), -1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("sipfrag");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, target_phrase_is_kept);
	tcase_add_test(tc, missing_phrase_gets_standard_one);
	tcase_add_test(tc, unknown_code_gets_class_phrase);
	tcase_add_test(tc, control_characters_cannot_break_the_line);
	tcase_add_test(tc, long_phrase_is_cut_and_line_still_ends_in_crlf);
	tcase_add_test(tc, code_out_of_range_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
