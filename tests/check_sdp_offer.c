/*
 * check_sdp_offer.c - Check suite for sdp_offer.c: the built-in offer's
 * text for IPv4 and IPv6 hosts, and its limits.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sdp_offer.h"

#include "check_main.h"

static const char v4_offer[] =
	"v=0\r\n"
	"o=- 42 42 IN IP4 192.0.2.7\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.7\r\n"
	"t=0 0\r\n"
	"m=audio 20000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n";

START_TEST(ipv4_offer_is_exact)
{
	char buf[1024];

	ck_assert_uint_eq(sdp_default_offer(buf, sizeof buf, "192.0.2.7",
					    SDP_OFFER_AUDIO_PORT, 42),
			  strlen(v4_offer));
	ck_assert_str_eq(buf, v4_offer);
}
END_TEST

START_TEST(ipv6_host_gets_ip6_without_brackets)
{
	char buf[1024];

	ck_assert_uint_gt(sdp_default_offer(buf, sizeof buf, "[::1]", 4000,
					    1), 0);
	ck_assert_ptr_nonnull(strstr(buf, "o=- 1 1 IN IP6 ::1\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "c=IN IP6 ::1\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "m=audio 4000 RTP/AVP 0 8 101\r\n"));
	ck_assert_uint_gt(sdp_default_offer(buf, sizeof buf, "2001:db8::1",
					    4000, 1), 0);
	ck_assert_ptr_nonnull(strstr(buf, "c=IN IP6 2001:db8::1\r\n"));
}
END_TEST

START_TEST(no_host_or_small_buffer_gives_nothing)
{
	char buf[64];

	ck_assert_uint_eq(sdp_default_offer(buf, sizeof buf, "", 1, 1), 0);
	ck_assert_uint_eq(sdp_default_offer(buf, sizeof buf, "[]", 1, 1), 0);
	ck_assert_uint_eq(sdp_default_offer(buf, sizeof buf, NULL, 1, 1), 0);
	ck_assert_uint_eq(sdp_default_offer(buf, sizeof buf, "127.0.0.1", 1,
					    1), 0);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("sdp_offer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ipv4_offer_is_exact);
	tcase_add_test(tc, ipv6_host_gets_ip6_without_brackets);
	tcase_add_test(tc, no_host_or_small_buffer_gives_nothing);
	suite_add_tcase(s, tc);
	return s;
}
