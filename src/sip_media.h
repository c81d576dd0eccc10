/*
 * sip_media.h - the media end of the calls the agent holds.
 *
 * sip_media.c owns, per call, the SDP the agent sends (through the pure
 * offer_answer.c: the o= version rises only when the answer changes) and,
 * unless media.mode is "none", its RTP stream (own SSRC, sequence and
 * timestamps) to its peer.  The engine binds one RTP/RTCP port pair from
 * media.rtp_ports per local signalling address, the first time a call
 * uses it, and keeps it to the end: every call on that address offers its
 * port and sends from it; what arrives is read and dropped.  One shared
 * 20 ms su_timer of the agent's loop sends every call's RTP (silence, or
 * media.audio_file) and a sender report every 5 s.  Nothing here blocks:
 * the sockets are non-blocking and a full one drops.
 */
#ifndef STA_SIP_MEDIA_H
#define STA_SIP_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

struct sta_config;
struct sta_media_engine;
struct sta_media;

/* The engine of CFG's media.mode, media.audio_file and media.rtp_ports
 * (they apply until a restart); NULL when out of memory. */
struct sta_media_engine *media_engine_create(su_root_t *root,
					     struct sta_config const *cfg);
void media_engine_destroy(struct sta_media_engine *e);

/* Whether a reload to CFG changes what only a restart applies. */
bool media_engine_differs(struct sta_media_engine const *e,
			  struct sta_config const *cfg);

/* A call's media whose signalling uses local address ADDR, its codecs
 * and o=/s= names from BASE_SDP (media.sdp_file).  NULL when ADDR has no
 * RTP/RTCP pair yet and none of media.rtp_ports can be bound on it. */
struct sta_media *media_open(struct sta_media_engine *e, char const *addr,
			     char const *base_sdp);

/* Stop sending (the shared ports stay); M may be NULL. */
void media_close(struct sta_media *m);

/* M continues OLD's session (INVITE with Replaces): OLD's o= names with a
 * higher version, and only the formats OLD's call settled on. */
void media_inherit(struct sta_media *m, struct sta_media const *old);

/* The answer to OFFER (LEN bytes), and the stream it settles takes effect
 * (RTP stops while the peer holds).  NULL when no audio stream in it is
 * acceptable.  Allocated in HOME. */
char *media_answer(struct sta_media *m, char const *offer, size_t len,
		   su_home_t *home);

/* The agent's offer for M, with the o= user, session and version of
 * ORIGIN (an SDP), allocated in HOME. */
char *media_offer(struct sta_media *m, char const *origin, su_home_t *home);

/* The answer (LEN bytes) to M's offer arrived: its stream takes effect. */
void media_answered(struct sta_media *m, char const *answer, size_t len);

#endif
