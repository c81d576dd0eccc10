/*
 * offer_answer.h - PURE SDP offer/answer (RFC 3264) for the calls the
 * agent holds.
 *
 * offer_answer.c owns the few SDP lines the agent reads (o, s, c, m, and
 * the rtpmap, fmtp and direction attributes), the answer to an offer (one
 * m-line per offered one, unsupported ones refused with port 0, the
 * direction mirrored, telephone-event kept when both sides have it), the
 * agent's own offer, what the agent learns from an answer, and printing.
 * No Sofia-SIP, no sockets, no clock: addresses, ports and o= numbers come
 * from the caller.
 */
#ifndef STA_OFFER_ANSWER_H
#define STA_OFFER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#define OA_MAX_MEDIA 8
#define OA_MAX_FMT 16

enum oa_dir { OA_SENDRECV, OA_SENDONLY, OA_RECVONLY, OA_INACTIVE };

struct oa_format {
	unsigned pt;
	char name[32];			/* "" when unknown */
	unsigned rate;
	char fmtp[80];			/* "" when none */
};

struct oa_media {
	char kind[16];			/* audio, video, ... */
	unsigned port;
	char proto[32];
	char fmt_list[160];		/* the m= formats as written */
	enum oa_dir dir;
	char addr[64];			/* c= (the session's when absent) */
	bool ip6;
	size_t n_fmt;
	struct oa_format fmt[OA_MAX_FMT];
};

struct oa_sdp {
	char o_user[64];
	unsigned long long o_sess, o_ver;
	char o_addr[64];
	bool o_ip6;
	char s_name[64];
	size_t n_media;
	struct oa_media m[OA_MAX_MEDIA];
};

/* What the agent says about itself in an SDP it sends. */
struct oa_local {
	char const *o_user;
	unsigned long long o_sess, o_ver;
	char const *s_name;
	char const *o_addr;		/* the call's signalling address */
	char const *c_addr;		/* where its media is received */
	unsigned port;			/* its RTP port */
};

/* What the agent does with the one audio stream a negotiation settled. */
struct oa_stream {
	bool active;			/* an audio stream was agreed */
	unsigned pt;			/* the payload type the agent sends */
	char name[32];			/* its encoding name */
	char addr[64];			/* where the peer receives it */
	unsigned port;
	bool send;			/* the peer wants to receive */
};

/* Parse SDP TEXT (LEN bytes) into *SDP.  False when it has no o= or c=,
 * an m= line does not parse, or there are more than OA_MAX_MEDIA. */
bool oa_parse(char const *text, size_t len, struct oa_sdp *sdp);

/* The formats of the first audio m-line of BASE (the agent's base SDP),
 * into CAPS (OA_MAX_FMT room); with ONLY_G711 just PCMU, PCMA, CN and
 * telephone-event.  Returns how many. */
size_t oa_caps(struct oa_sdp const *base, bool only_g711,
	       struct oa_format *caps);

/* The answer to OFFER from CAPS (N_CAPS) with LOCAL, into *ANSWER, and the
 * stream it settles into *STREAM.  False when no audio stream is
 * acceptable (the caller answers 488). */
bool oa_answer(struct oa_sdp const *offer, struct oa_format const *caps,
	       size_t n_caps, struct oa_local const *local,
	       struct oa_sdp *answer, struct oa_stream *stream);

/* The agent's offer: one sendrecv audio m-line with CAPS. */
void oa_offer(struct oa_format const *caps, size_t n_caps,
	      struct oa_local const *local, struct oa_sdp *offer);

/* The stream ANSWER (to an offer made from CAPS) settles. */
void oa_answered(struct oa_sdp const *answer, struct oa_format const *caps,
		 size_t n_caps, struct oa_stream *stream);

/* The direction the agent answers to a peer's DIR (RFC 3264 6.1). */
enum oa_dir oa_mirror(enum oa_dir dir);

/* Print SDP into BUF (SIZE bytes, NUL-terminated).  Returns the length it
 * needs, as snprintf does. */
size_t oa_print(struct oa_sdp const *sdp, char *buf, size_t size);

#endif
