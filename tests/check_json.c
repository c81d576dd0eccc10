/*
 * check_json.c - unit tests of json.c, the control protocol's flat JSON.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#include "check_main.h"

static struct json_object obj;

static int parse(const char *s)
{
	return json_parse(s, strlen(s), &obj);
}

START_TEST(writer_makes_one_flat_object_per_line)
{
	struct json_out o = { 0 };

	json_begin(&o);
	json_str(&o, "cmd", "status");
	json_int(&o, "n", -42);
	json_bool(&o, "ok", true);
	json_bool(&o, "no", false);
	json_null(&o, "transfer");
	json_str(&o, "none", NULL);
	json_end(&o);
	json_begin(&o);
	json_end(&o);
	ck_assert_uint_eq(o.len, strlen("{\"cmd\":\"status\",\"n\":-42,"
		"\"ok\":true,\"no\":false,\"transfer\":null,\"none\":null}\n{}\n"));
	ck_assert(memcmp(o.buf, "{\"cmd\":\"status\",\"n\":-42,\"ok\":true,"
		"\"no\":false,\"transfer\":null,\"none\":null}\n{}\n",
		o.len) == 0);
	json_out_free(&o);
}
END_TEST

START_TEST(writer_escapes_quotes_controls_and_bad_utf8)
{
	struct json_out o = { 0 };
	const char *want = "{\"s\":\"a\\\"b\\\\c\\u000d\\u000a\\u007f"
			   "\xc3\xa9\\ufffd\\ufffd\"}\n";

	json_begin(&o);
	json_str(&o, "s", "a\"b\\c\r\n\x7f\xc3\xa9\xff\xc3");
	json_end(&o);
	ck_assert_uint_eq(o.len, strlen(want));
	ck_assert(memcmp(o.buf, want, o.len) == 0);
	json_out_free(&o);
}
END_TEST

START_TEST(writer_stops_at_its_limit)
{
	struct json_out o = { .max = 300 };

	json_begin(&o);
	for (int i = 0; i < 100; i++)
		json_str(&o, "k", "0123456789");
	json_end(&o);
	ck_assert(o.failed);
	ck_assert_uint_le(o.cap, 300);
	json_out_free(&o);
}
END_TEST

START_TEST(writer_consume_keeps_the_rest)
{
	struct json_out o = { 0 };

	json_begin(&o);
	json_int(&o, "a", 1);
	json_end(&o);
	json_consume(&o, 3);
	ck_assert_uint_eq(o.len, 5);
	ck_assert(memcmp(o.buf, "\":1}\n", 5) == 0);
	json_consume(&o, 99);
	ck_assert_uint_eq(o.len, 0);
	json_out_free(&o);
}
END_TEST

START_TEST(reader_reads_every_value_type)
{
	long long v = 0;

	ck_assert_int_eq(parse(" { \"cmd\" : \"refer\", \"call\": 12 ,"
			       "\"wait\":false,\"yes\":true,\"x\":null,"
			       "\"neg\":-3}\r\n"), 0);
	ck_assert_uint_eq(obj.n, 6);
	ck_assert_str_eq(json_get_str(&obj, "cmd"), "refer");
	ck_assert(json_get_int(&obj, "call", &v));
	ck_assert_int_eq(v, 12);
	ck_assert(json_get_int(&obj, "neg", &v));
	ck_assert_int_eq(v, -3);
	ck_assert(!json_is_true(&obj, "wait"));
	ck_assert(json_get(&obj, "wait") != NULL);
	ck_assert(json_is_true(&obj, "yes"));
	ck_assert_int_eq(json_get(&obj, "x")->type, JSON_NULL);
	ck_assert_ptr_null(json_get_str(&obj, "call"));
	ck_assert(!json_get_int(&obj, "cmd", &v));
	ck_assert_ptr_null(json_get(&obj, "absent"));
	ck_assert_int_eq(parse("{}"), 0);
	ck_assert_uint_eq(obj.n, 0);
}
END_TEST

START_TEST(reader_unescapes_strings)
{
	ck_assert_int_eq(parse("{\"s\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9"
			       "\\ud83d\\ude00\"}"), 0);
	ck_assert_str_eq(json_get_str(&obj, "s"),
			 "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(reader_round_trips_the_writer)
{
	struct json_out o = { 0 };
	const char *s = "sip:bob@127.0.0.1?Replaces=a%3Bb \"q\" \x01";

	json_begin(&o);
	json_str(&o, "refer_to", s);
	json_int(&o, "id", 123456789012LL);
	json_end(&o);
	ck_assert_int_eq(json_parse(o.buf, o.len, &obj), 0);
	ck_assert_str_eq(json_get_str(&obj, "refer_to"), s);
	json_out_free(&o);
}
END_TEST

START_TEST(reader_refuses_what_is_not_one_flat_object)
{
	static const char *const bad[] = {
		"", "[]", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
		"{\"a\":{}}", "{\"a\":[1]}", "{\"a\":1.5}", "{\"a\":1e3}",
		"{\"a\":01}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":1}x",
		"{\"a\":1}{}", "{\"a\":1,\"a\":2}", "{a:1}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00x\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\t\"}",
		"{\"a\":\"open}", "{\"a\":99999999999999999999}",
		"{\"a\":'s'}",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(parse(bad[i]) == -1, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(reader_refuses_too_many_members_and_long_lines)
{
	char line[JSON_LINE_MAX + 64];
	size_t n = 0;

	line[n++] = '{';
	for (int i = 0; i <= JSON_MAX_FIELDS; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s\"k%d\":1",
				      i ? "," : "", i);
	line[n++] = '}';
	ck_assert_int_eq(json_parse(line, n, &obj), -1);
	memset(line, ' ', sizeof line);
	line[0] = '{';
	line[sizeof line - 1] = '}';
	ck_assert_int_eq(json_parse(line, sizeof line, &obj), -1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("json");
	TCase *w = tcase_create("writer");
	TCase *r = tcase_create("reader");

	tcase_add_test(w, writer_makes_one_flat_object_per_line);
	tcase_add_test(w, writer_escapes_quotes_controls_and_bad_utf8);
	tcase_add_test(w, writer_stops_at_its_limit);
	tcase_add_test(w, writer_consume_keeps_the_rest);
	suite_add_tcase(s, w);
	tcase_add_test(r, reader_reads_every_value_type);
	tcase_add_test(r, reader_unescapes_strings);
	tcase_add_test(r, reader_round_trips_the_writer);
	tcase_add_test(r, reader_refuses_what_is_not_one_flat_object);
	tcase_add_test(r, reader_refuses_too_many_members_and_long_lines);
	suite_add_tcase(s, r);
	return s;
}
