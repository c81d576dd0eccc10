/*
 * rtp.h - PURE RTP/RTCP packet building, G.711 encoding and the send
 * schedule of one media stream.
 *
 * rtp.c owns the bytes on the wire (RFC 3550 header and sender report,
 * ITU G.711 mu-law and A-law) and the decision how many 20 ms packets are
 * due at a given time.  It reads no clock and touches no socket: times and
 * random numbers come in as arguments.
 */
#ifndef STA_RTP_H
#define STA_RTP_H

#include <stddef.h>
#include <stdint.h>

#define RTP_HEADER_LEN 12
#define RTP_SAMPLES 160			/* 20 ms at 8000 Hz */
#define RTP_INTERVAL_MS 20
#define RTP_PT_PCMU 0
#define RTP_PT_PCMA 8
#define RTP_PT_CN 13
#define RTCP_INTERVAL_MS 5000
/* Packets sent at most in one go after a late tick; further behind, the
 * schedule restarts (a stalled loop must not burst). */
#define RTP_MAX_CATCH_UP 3

/* The sending state of one stream. */
struct rtp_stream {
	uint32_t ssrc;
	uint16_t seq;			/* of the next packet */
	uint32_t timestamp;		/* of the next packet */
	uint8_t pt;
	int marker;			/* the next packet starts a talkspurt */
	uint64_t start_ms;		/* schedule origin */
	uint64_t scheduled;		/* packets sent since start_ms */
	uint32_t packets, octets;	/* totals for sender reports */
};

/* A stream of payload type PT starting at NOW_MS with the random numbers
 * R (ssrc, first sequence number, first timestamp). */
void rtp_stream_init(struct rtp_stream *s, uint8_t pt, uint64_t now_ms,
		     uint32_t const r[3]);

/* How many packets are due at NOW_MS (0..RTP_MAX_CATCH_UP).  The first
 * call after init or resume sends one and sets the schedule's phase to
 * NOW_MS.  When the stream is further behind, its schedule restarts at
 * NOW_MS, its timestamp moves on by the time skipped, and 1 is returned. */
unsigned rtp_due(struct rtp_stream *s, uint64_t now_ms);

/* Restart the schedule at NOW_MS after a pause (hold), moving the
 * timestamp on by the time that passed and marking the next packet. */
void rtp_resume(struct rtp_stream *s, uint64_t now_ms);

/* Write the next packet's header into BUF (RTP_HEADER_LEN bytes) and
 * advance sequence number and timestamp for a payload of LEN bytes. */
void rtp_next_header(struct rtp_stream *s, uint8_t *buf, size_t len);

/* One 20 ms payload of silence for PT into BUF (RTP_SAMPLES bytes room);
 * returns its length: 160 for PCMU/PCMA, 1 for CN (noise level). */
size_t rtp_silence(uint8_t pt, uint8_t *buf);

/* Encode N 16-bit linear samples to G.711 of PT (PCMU or PCMA). */
void g711_encode(uint8_t pt, int16_t const *pcm, size_t n, uint8_t *out);
uint8_t g711_ulaw(int16_t sample);
uint8_t g711_alaw(int16_t sample);

#define RTCP_SR_LEN 28
/* A compound RTCP packet (sender report + SDES CNAME) for S into BUF
 * (room for RTCP_SR_LEN + 8 + strlen(cname) + 4 bytes); NTP_SEC/NTP_FRAC
 * is the wall clock.  Returns its length. */
size_t rtcp_sender_report(struct rtp_stream const *s, uint32_t ntp_sec,
			  uint32_t ntp_frac, char const *cname, uint8_t *buf);

#endif
