/* check_rtp.c - unit tests of rtp.c (packets, G.711, the 20 ms schedule
 * on a fake clock), port_range.c and wav.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "port_range.h"
#include "rtp.h"
#include "wav.h"

#include "check_main.h"

static const uint32_t R[3] = { 0x11223344, 0xfffe, 1000 };

START_TEST(header_is_version_2_with_marker_first)
{
	struct rtp_stream s;
	uint8_t h[RTP_HEADER_LEN];

	rtp_stream_init(&s, RTP_PT_PCMA, 0, R);
	rtp_next_header(&s, h, 160);
	ck_assert_uint_eq(h[0], 0x80);
	ck_assert_uint_eq(h[1], 0x80 | 8);
	ck_assert_uint_eq((h[2] << 8) | h[3], 0xfffe);
	ck_assert_uint_eq(((uint32_t)h[4] << 24 | h[5] << 16 | h[6] << 8 | h[7]),
			  1000);
	ck_assert_uint_eq(((uint32_t)h[8] << 24 | h[9] << 16 | h[10] << 8 | h[11]),
			  0x11223344);
	rtp_next_header(&s, h, 160);
	ck_assert_uint_eq(h[1], 8);
	ck_assert_uint_eq((h[2] << 8) | h[3], 0xffff);
	ck_assert_uint_eq(h[7], (1160 & 0xff));
	rtp_next_header(&s, h, 160);
	ck_assert_uint_eq((h[2] << 8) | h[3], 0);	/* wraps */
	ck_assert_uint_eq(s.packets, 3);
	ck_assert_uint_eq(s.octets, 480);
}
END_TEST

START_TEST(one_packet_per_20_ms)
{
	struct rtp_stream s;

	rtp_stream_init(&s, 0, 990, R);
	ck_assert_uint_eq(rtp_due(&s, 1000), 1);	/* the first tick */
	ck_assert_uint_eq(rtp_due(&s, 1005), 0);
	ck_assert_uint_eq(rtp_due(&s, 1020), 1);
	ck_assert_uint_eq(rtp_due(&s, 1049), 1);	/* 9 ms late: still one */
	ck_assert_uint_eq(rtp_due(&s, 1060), 1);
	ck_assert_uint_eq(rtp_due(&s, 1101), 2);	/* a late tick catches up */
	ck_assert_uint_eq(rtp_due(&s, 1120), 1);
}
END_TEST

START_TEST(far_behind_restarts_without_burst)
{
	struct rtp_stream s;
	uint32_t ts;

	rtp_stream_init(&s, 0, 100, R);
	ck_assert_uint_eq(rtp_due(&s, 100), 1);
	ts = s.timestamp;
	ck_assert_uint_eq(rtp_due(&s, 1100), 1);	/* 50 owed */
	ck_assert_uint_eq(s.timestamp, ts + 49 * RTP_SAMPLES);
	ck_assert_uint_eq(rtp_due(&s, 1105), 0);
	ck_assert_uint_eq(rtp_due(&s, 1120), 1);
}
END_TEST

START_TEST(resume_moves_timestamp_and_marks)
{
	struct rtp_stream s;
	uint8_t h[RTP_HEADER_LEN];
	uint32_t ts;

	rtp_stream_init(&s, 0, 100, R);
	ck_assert_uint_eq(rtp_due(&s, 100), 1);
	rtp_next_header(&s, h, 160);
	ts = s.timestamp;
	rtp_resume(&s, 1110);			/* 1 s of hold */
	ck_assert_uint_eq(s.timestamp, ts + 50 * RTP_SAMPLES);
	ck_assert_uint_eq(rtp_due(&s, 1110), 1);
	rtp_next_header(&s, h, 160);
	ck_assert_uint_eq(h[1] & 0x80, 0x80);
}
END_TEST

START_TEST(silence_payloads)
{
	uint8_t b[RTP_SAMPLES];

	ck_assert_uint_eq(rtp_silence(RTP_PT_PCMU, b), 160);
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_uint_eq(b[159], 0xff);
	ck_assert_uint_eq(rtp_silence(RTP_PT_PCMA, b), 160);
	ck_assert_uint_eq(b[0], 0xd5);
	ck_assert_uint_eq(rtp_silence(RTP_PT_CN, b), 1);
}
END_TEST

START_TEST(g711_known_values)
{
	ck_assert_uint_eq(g711_ulaw(0), 0xff);
	ck_assert_uint_eq(g711_ulaw(32767), 0x80);
	ck_assert_uint_eq(g711_ulaw(-32768), 0x00);
	ck_assert_uint_eq(g711_ulaw(-1), 0x7f);	/* Sun reference rounding */
	ck_assert_uint_eq(g711_ulaw(1000), 0xce);
	ck_assert_uint_eq(g711_alaw(0), 0xd5);
	ck_assert_uint_eq(g711_alaw(32767), 0xaa);
	ck_assert_uint_eq(g711_alaw(-32768), 0x2a);
	ck_assert_uint_eq(g711_alaw(1000), 0xfa);
}
END_TEST

START_TEST(sender_report_layout)
{
	struct rtp_stream s;
	uint8_t b[RTCP_SR_LEN + 8 + 64 + 8];
	size_t n;

	rtp_stream_init(&s, 0, 0, R);
	s.packets = 7;
	n = rtcp_sender_report(&s, 1, 2, "sta@127.0.0.1", b);
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_uint_eq(b[1], 200);
	ck_assert_uint_eq(b[3], 6);
	ck_assert_uint_eq(b[23], 7);
	ck_assert_uint_eq(b[RTCP_SR_LEN + 1], 202);
	ck_assert_uint_eq((b[RTCP_SR_LEN + 2] << 8 | b[RTCP_SR_LEN + 3]) * 4 + 4,
			  n - RTCP_SR_LEN);
	ck_assert_uint_eq(b[RTCP_SR_LEN + 9], strlen("sta@127.0.0.1"));
}
END_TEST

START_TEST(range_syntax)
{
	uint16_t lo, hi;

	ck_assert(port_range_parse("20000-29999", &lo, &hi));
	ck_assert_uint_eq(lo, 20000);
	ck_assert_uint_eq(hi, 29999);
	ck_assert(port_range_parse("20001-20003", &lo, &hi));
	ck_assert(!port_range_parse("20001-20002", &lo, &hi));
	ck_assert(!port_range_parse("20000-20000", &lo, &hi));
	ck_assert(!port_range_parse("30000-20000", &lo, &hi));
	ck_assert(!port_range_parse("1000-2000", &lo, &hi));
	ck_assert(!port_range_parse("20000-70000", &lo, &hi));
	ck_assert(!port_range_parse("20000", &lo, &hi));
	ck_assert(!port_range_parse("20000-29999x", &lo, &hi));
	ck_assert(!port_range_parse("-1-5", &lo, &hi));
	ck_assert(!port_range_parse("", &lo, &hi));
}
END_TEST

START_TEST(range_pairs_are_even_ports_wrapping)
{
	ck_assert_uint_eq(port_range_pairs(20001, 20006), 2); /* 20002, 20004 */
	ck_assert_uint_eq(port_range_pair(20001, 20006, 0), 20002);
	ck_assert_uint_eq(port_range_pair(20001, 20006, 1), 20004);
	ck_assert_uint_eq(port_range_pair(20001, 20006, 2), 20002);
	ck_assert_uint_eq(port_range_pair(20001, 20006, 7), 20004);
	ck_assert_uint_eq(port_range_pairs(20000, 20001), 1);
	ck_assert_uint_eq(port_range_pair(20000, 20001, 5), 20000);
	ck_assert_uint_eq(port_range_pairs(20000, 29999), 5000);
	ck_assert_uint_eq(port_range_pair(20000, 29999, 4999), 29998);
	ck_assert_uint_eq(port_range_pairs(20001, 20002), 0);
	ck_assert_uint_eq(port_range_pair(20001, 20002, 0), 0);
}
END_TEST

/* A WAV header for N samples with format fields FMT (tag, channels, rate,
 * bits), followed by N samples 0, 1, ... into BUF. */
static size_t make_wav(uint8_t *buf, unsigned tag, unsigned ch, unsigned rate,
		       unsigned bits, unsigned n)
{
	uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0";
	uint32_t data = n * 2;

	h[20] = (uint8_t)tag;
	h[22] = (uint8_t)ch;
	h[24] = rate & 0xff;
	h[25] = (rate >> 8) & 0xff;
	h[34] = (uint8_t)bits;
	memcpy(h + 36, "data", 4);
	h[40] = data & 0xff;
	h[41] = (data >> 8) & 0xff;
	memcpy(buf, h, 44);
	for (unsigned i = 0; i < n; i++) {
		buf[44 + 2 * i] = (uint8_t)i;
		buf[45 + 2 * i] = 0;
	}
	return 44 + data;
}

START_TEST(wav_accepts_8k_mono_16bit)
{
	uint8_t buf[44 + 200];
	uint8_t const *samples;
	size_t n, len = make_wav(buf, 1, 1, 8000, 16, 100);

	ck_assert_ptr_null(wav_parse(buf, len, &samples, &n));
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(wav_sample(samples, 7), 7);
}
END_TEST

START_TEST(wav_refuses_other_formats)
{
	uint8_t buf[44 + 200];
	uint8_t const *samples;
	size_t n;

	ck_assert_str_eq(wav_parse(buf, make_wav(buf, 1, 2, 8000, 16, 10),
				   &samples, &n), "not mono");
	ck_assert_str_eq(wav_parse(buf, make_wav(buf, 1, 1, 16000, 16, 10),
				   &samples, &n), "not 8000 Hz");
	ck_assert_str_eq(wav_parse(buf, make_wav(buf, 1, 1, 8000, 8, 10),
				   &samples, &n), "not 16-bit");
	ck_assert_str_eq(wav_parse(buf, make_wav(buf, 3, 1, 8000, 16, 10),
				   &samples, &n), "not linear PCM");
	ck_assert_str_eq(wav_parse(buf, 20, &samples, &n),
			 "chunk runs past the end of the file");
	ck_assert_str_eq(wav_parse((uint8_t const *)"hello", 5, &samples, &n),
			 "not a RIFF/WAVE file");
	ck_assert_str_eq(wav_parse(buf, make_wav(buf, 1, 1, 8000, 16, 0),
				   &samples, &n), "no samples");
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("rtp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, header_is_version_2_with_marker_first);
	tcase_add_test(tc, one_packet_per_20_ms);
	tcase_add_test(tc, far_behind_restarts_without_burst);
	tcase_add_test(tc, resume_moves_timestamp_and_marks);
	tcase_add_test(tc, silence_payloads);
	tcase_add_test(tc, g711_known_values);
	tcase_add_test(tc, sender_report_layout);
	tcase_add_test(tc, range_syntax);
	tcase_add_test(tc, range_pairs_are_even_ports_wrapping);
	tcase_add_test(tc, wav_accepts_8k_mono_16bit);
	tcase_add_test(tc, wav_refuses_other_formats);
	suite_add_tcase(s, tc);
	return s;
}
