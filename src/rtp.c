/*
 * rtp.c - PURE RTP/RTCP packets, G.711 and the 20 ms send schedule.
 * See rtp.h.
 */
#include "rtp.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void rtp_stream_init(struct rtp_stream *s, uint8_t pt, uint64_t now_ms,
		     uint32_t const r[3])
{
	memset(s, 0, sizeof *s);
	s->ssrc = r[0];
	s->seq = (uint16_t)r[1];
	s->timestamp = r[2];
	s->pt = pt;
	s->marker = 1;
	s->start_ms = now_ms;
}

/* Start the schedule at a tick at NOW_MS: half an interval before it, so
 * that later ticks, which come a few ms late at worst, never straddle a
 * packet's due time (two packets at once, then none). */
static void align(struct rtp_stream *s, uint64_t now_ms)
{
	s->start_ms = now_ms - RTP_INTERVAL_MS / 2;
	s->scheduled = 1;
}

unsigned rtp_due(struct rtp_stream *s, uint64_t now_ms)
{
	uint64_t owed;

	if (s->scheduled == 0) {
		align(s, now_ms);
		return 1;
	}
	if (now_ms < s->start_ms)
		return 0;
	owed = (now_ms - s->start_ms) / RTP_INTERVAL_MS + 1 - s->scheduled;
	if (owed <= RTP_MAX_CATCH_UP) {
		s->scheduled += owed;
		return (unsigned)owed;
	}
	s->timestamp += (uint32_t)((owed - 1) * RTP_SAMPLES);
	align(s, now_ms);
	return 1;
}

void rtp_resume(struct rtp_stream *s, uint64_t now_ms)
{
	uint64_t sent_until = s->start_ms + s->scheduled * RTP_INTERVAL_MS;

	if (now_ms > sent_until)
		s->timestamp += (uint32_t)((now_ms - sent_until) / RTP_INTERVAL_MS *
					   RTP_SAMPLES);
	s->start_ms = now_ms;
	s->scheduled = 0;
	s->marker = 1;
}

void rtp_next_header(struct rtp_stream *s, uint8_t *buf, size_t len)
{
	buf[0] = 0x80;			/* version 2, no padding/extension/CSRC */
	buf[1] = (uint8_t)((s->marker ? 0x80 : 0) | (s->pt & 0x7f));
	put16(buf + 2, s->seq);
	put32(buf + 4, s->timestamp);
	put32(buf + 8, s->ssrc);
	s->marker = 0;
	s->seq++;
	s->timestamp += RTP_SAMPLES;
	s->packets++;
	s->octets += (uint32_t)len;
}

size_t rtp_silence(uint8_t pt, uint8_t *buf)
{
	if (pt == RTP_PT_CN) {
		buf[0] = 127;		/* -127 dBov: as quiet as CN says */
		return 1;
	}
	memset(buf, pt == RTP_PT_PCMA ? 0xd5 : 0xff, RTP_SAMPLES);
	return RTP_SAMPLES;
}

/* ITU-T G.711 mu-law, as in the classic Sun reference code. */
uint8_t g711_ulaw(int16_t sample)
{
	int pcm = sample, mask, seg = 0;

	if (pcm < 0) {
		pcm = -pcm;
		mask = 0x7f;
	} else {
		mask = 0xff;
	}
	if (pcm > 32635)
		pcm = 32635;
	pcm += 0x84;
	for (int v = pcm >> 8; v > 0 && seg < 7; v >>= 1)
		seg++;
	return (uint8_t)(((seg << 4) | ((pcm >> (seg + 3)) & 0x0f)) ^ mask);
}

uint8_t g711_alaw(int16_t sample)
{
	int pcm = sample >> 3, mask, seg = 0, aval;

	if (pcm >= 0) {
		mask = 0xd5;
	} else {
		mask = 0x55;
		pcm = -pcm - 1;
	}
	for (int v = pcm >> 5; v > 0 && seg < 8; v >>= 1)
		seg++;
	if (seg >= 8)
		return (uint8_t)(0x7f ^ mask);
	aval = seg << 4;
	aval |= seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
	return (uint8_t)(aval ^ mask);
}

void g711_encode(uint8_t pt, int16_t const *pcm, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = pt == RTP_PT_PCMA ? g711_alaw(pcm[i])
					   : g711_ulaw(pcm[i]);
}

size_t rtcp_sender_report(struct rtp_stream const *s, uint32_t ntp_sec,
			  uint32_t ntp_frac, char const *cname, uint8_t *buf)
{
	size_t clen = strlen(cname) > 255 ? 255 : strlen(cname);
	size_t sdes = (8 + 2 + clen + 4) & ~(size_t)3;	/* NUL-padded */

	buf[0] = 0x80;			/* V=2, no report blocks */
	buf[1] = 200;
	put16(buf + 2, RTCP_SR_LEN / 4 - 1);
	put32(buf + 4, s->ssrc);
	put32(buf + 8, ntp_sec);
	put32(buf + 12, ntp_frac);
	put32(buf + 16, s->timestamp);
	put32(buf + 20, s->packets);
	put32(buf + 24, s->octets);
	buf += RTCP_SR_LEN;
	memset(buf, 0, sdes);
	buf[0] = 0x81;			/* V=2, one chunk */
	buf[1] = 202;
	put16(buf + 2, (uint16_t)(sdes / 4 - 1));
	put32(buf + 4, s->ssrc);
	buf[8] = 1;			/* CNAME */
	buf[9] = (uint8_t)clen;
	memcpy(buf + 10, cname, clen);
	return RTCP_SR_LEN + sdes;
}
