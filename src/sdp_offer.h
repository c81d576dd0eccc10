/*
 * sdp_offer.h - PURE: the agent's built-in SDP offer (SPEC sections 5, 6).
 *
 * sdp_offer.c owns the text of the offer the agent uses when no
 * media.sdp_file is configured: one audio stream, PCMU, PCMA and
 * telephone-event, on the address the agent sends from or listens on.
 * No Sofia-SIP calls, no I/O, no clock: the session id comes in.
 */
#ifndef STA_SDP_OFFER_H
#define STA_SDP_OFFER_H

#include <stddef.h>
#include <stdint.h>

/* The audio port the built-in offer names (the first of the RTP range
 * SPEC section 8 gives media.rtp_ports). */
#define SDP_OFFER_AUDIO_PORT 20000

/*
 * Write into BUF (SIZE bytes) the built-in offer for HOST (an IPv4 or
 * IPv6 address literal, IPv6 with or without brackets: "IN IP6" then),
 * audio PORT, session id and version SESSION.  Returns the length written,
 * or 0 when HOST is empty or BUF is too small.
 */
size_t sdp_default_offer(char *buf, size_t size, const char *host,
			 unsigned port, uint64_t session);

#endif
