/* check_offer_answer.c - unit tests of offer_answer.c: parsing, RFC 3264
 * answers (m-line count, refused streams, direction, telephone-event),
 * the agent's offer and what an answer settles. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "offer_answer.h"

#include "check_main.h"

#define BASE "v=0\r\no=sta 1 1 IN IP4 127.0.0.1\r\ns=sta\r\n" \
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 9 101\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"

#define OFFER(dir, extra) "v=0\r\no=peer 5 7 IN IP4 127.0.0.2\r\ns=-\r\n" \
	"c=IN IP4 127.0.0.2\r\nt=0 0\r\n" \
	"m=audio 6000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\n" \
	"a=fmtp:96 0-15\r\n" dir extra

static struct oa_format caps[OA_MAX_FMT];
static size_t n_caps;
static const struct oa_local local = {
	.o_user = "sta", .o_sess = 42, .o_ver = 3, .s_name = "sta",
	.o_addr = "127.0.0.1", .c_addr = "127.0.0.1", .port = 20000,
};

static void setup(void)
{
	struct oa_sdp base;

	ck_assert(oa_parse(BASE, strlen(BASE), &base));
	n_caps = oa_caps(&base, true, caps);
}

/* The answer to OFFER_TEXT printed into BUF. */
static struct oa_stream answer(char const *offer_text, char *buf,
			       size_t size, bool *ok)
{
	struct oa_sdp offer, ans;
	struct oa_stream st;

	ck_assert(oa_parse(offer_text, strlen(offer_text), &offer));
	*ok = oa_answer(&offer, caps, n_caps, &local, &ans, &st);
	oa_print(&ans, buf, size);
	return st;
}

START_TEST(caps_keep_g711_and_telephone_event_only)
{
	ck_assert_uint_eq(n_caps, 3);		/* G722 (9) dropped */
	ck_assert_str_eq(caps[0].name, "PCMU");
	ck_assert_str_eq(caps[2].name, "telephone-event");
	ck_assert_str_eq(caps[2].fmtp, "0-16");
}
END_TEST

START_TEST(answer_takes_offer_order_and_keeps_telephone_event)
{
	char buf[1024];
	bool ok;
	struct oa_stream st = answer(OFFER("", ""), buf, sizeof buf, &ok);

	ck_assert(ok);
	ck_assert_str_eq(buf, "v=0\r\no=sta 42 3 IN IP4 127.0.0.1\r\ns=sta\r\n"
			 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			 "m=audio 20000 RTP/AVP 8 0 96\r\n"
			 "a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
			 "a=rtpmap:96 telephone-event/8000\r\n"
			 "a=fmtp:96 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
	ck_assert(st.active && st.send);
	ck_assert_uint_eq(st.pt, 8);
	ck_assert_str_eq(st.addr, "127.0.0.2");
	ck_assert_uint_eq(st.port, 6000);
}
END_TEST

START_TEST(directions_mirror_and_hold_stops_sending)
{
	char buf[1024];
	bool ok;
	struct oa_stream st;

	st = answer(OFFER("a=sendonly\r\n", ""), buf, sizeof buf, &ok);
	ck_assert(strstr(buf, "a=recvonly\r\n"));
	ck_assert(!st.send);
	st = answer(OFFER("a=inactive\r\n", ""), buf, sizeof buf, &ok);
	ck_assert(strstr(buf, "a=inactive\r\n"));
	ck_assert(!st.send);
	st = answer(OFFER("a=recvonly\r\n", ""), buf, sizeof buf, &ok);
	ck_assert(strstr(buf, "a=sendonly\r\n"));
	ck_assert(st.send);
}
END_TEST

START_TEST(session_level_direction_applies)
{
	char const *offer = "v=0\r\no=p 1 1 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\na=sendonly\r\n"
		"m=audio 6000 RTP/AVP 0\r\n";
	char buf[1024];
	bool ok;
	struct oa_stream st = answer(offer, buf, sizeof buf, &ok);

	ck_assert(ok);
	ck_assert(strstr(buf, "a=recvonly\r\n"));
	ck_assert(!st.send);
}
END_TEST

START_TEST(old_style_hold_address_stops_sending)
{
	char const *offer = "v=0\r\no=p 1 2 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";
	char buf[1024];
	bool ok;
	struct oa_stream st = answer(offer, buf, sizeof buf, &ok);

	ck_assert(ok);
	ck_assert(!st.send);
}
END_TEST

START_TEST(one_answer_line_per_offered_line)
{
	char buf[1024];
	bool ok;

	answer(OFFER("", "m=video 6002 RTP/AVP 96 97\r\n"
		     "a=rtpmap:96 H264/90000\r\nm=audio 6004 RTP/AVP 0\r\n"),
	       buf, sizeof buf, &ok);
	ck_assert(ok);
	ck_assert(strstr(buf, "\r\nm=video 0 RTP/AVP 96 97\r\n"
			 "m=audio 0 RTP/AVP 0\r\n"));
}
END_TEST

START_TEST(no_common_codec_is_refused)
{
	char const *offer = "v=0\r\no=p 1 1 IN IP4 127.0.0.2\r\ns=-\r\n"
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 9 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	char buf[1024];
	bool ok;

	answer(offer, buf, sizeof buf, &ok);
	ck_assert(!ok);
	ck_assert(strstr(buf, "m=audio 0 RTP/AVP 9 101\r\n"));
}
END_TEST

START_TEST(ipv6_addresses)
{
	char const *offer = "v=0\r\no=p 1 1 IN IP6 ::1\r\ns=-\r\n"
		"c=IN IP6 ::1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n";
	struct oa_local l6 = local;
	struct oa_sdp in, out;
	struct oa_stream st;
	char buf[1024];

	l6.o_addr = l6.c_addr = "::1";
	ck_assert(oa_parse(offer, strlen(offer), &in));
	ck_assert(oa_answer(&in, caps, n_caps, &l6, &out, &st));
	oa_print(&out, buf, sizeof buf);
	ck_assert(strstr(buf, "o=sta 42 3 IN IP6 ::1\r\n"));
	ck_assert(strstr(buf, "c=IN IP6 ::1\r\n"));
	ck_assert_str_eq(st.addr, "::1");
}
END_TEST

START_TEST(offer_and_its_answer)
{
	char const *reply = "v=0\r\no=t 1 1 IN IP4 127.0.0.3\r\ns=-\r\n"
		"c=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 7000 RTP/AVP 8\r\n"
		"a=recvonly\r\n";
	struct oa_sdp offer, ans;
	struct oa_stream st;
	char buf[1024];

	oa_offer(caps, n_caps, &local, &offer);
	oa_print(&offer, buf, sizeof buf);
	ck_assert(strstr(buf, "m=audio 20000 RTP/AVP 0 8 101\r\n"));
	ck_assert(strstr(buf, "a=sendrecv\r\n"));
	ck_assert(oa_parse(reply, strlen(reply), &ans));
	oa_answered(&ans, caps, n_caps, &st);
	ck_assert(st.active && st.send);
	ck_assert_uint_eq(st.pt, 8);
	ck_assert_uint_eq(st.port, 7000);
}
END_TEST

START_TEST(unparsable_sdp)
{
	struct oa_sdp s;

	ck_assert(!oa_parse("v=0\r\n", 5, &s));
	ck_assert(!oa_parse("v=0\r\no=x 1 1 IN IP4 1.2.3.4\r\nm=audio\r\n",
			    38, &s));
}
END_TEST

START_TEST(print_reports_needed_length)
{
	struct oa_sdp offer;
	char small[8];
	size_t need;

	oa_offer(caps, n_caps, &local, &offer);
	need = oa_print(&offer, small, sizeof small);
	ck_assert_uint_gt(need, sizeof small);
	ck_assert_uint_eq(strlen(small), sizeof small - 1);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("offer_answer");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, caps_keep_g711_and_telephone_event_only);
	tcase_add_test(tc, answer_takes_offer_order_and_keeps_telephone_event);
	tcase_add_test(tc, directions_mirror_and_hold_stops_sending);
	tcase_add_test(tc, session_level_direction_applies);
	tcase_add_test(tc, old_style_hold_address_stops_sending);
	tcase_add_test(tc, one_answer_line_per_offered_line);
	tcase_add_test(tc, no_common_codec_is_refused);
	tcase_add_test(tc, ipv6_addresses);
	tcase_add_test(tc, offer_and_its_answer);
	tcase_add_test(tc, unparsable_sdp);
	tcase_add_test(tc, print_reports_needed_length);
	suite_add_tcase(s, tc);
	return s;
}
