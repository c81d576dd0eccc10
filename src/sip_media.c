/*
 * sip_media.c - RTP endpoint and SDP of the calls the agent holds.
 * See sip_media.h.  The decisions (answers, schedule, packet bytes) are
 * the pure offer_answer.c and rtp.c, the ports to try port_range.c; this
 * file owns the sockets (one RTP/RTCP pair per local address, shared by
 * every call on it), the timer and the clock.
 */
#include "sip_media.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_alloc.h>

#include "config.h"
#include "log.h"
#include "next_hop.h"
#include "offer_answer.h"
#include "port_range.h"
#include "rtp.h"
#include "sip_core.h"

/* Seconds between 1900 (NTP) and 1970 (Unix). */
#define NTP_UNIX_OFFSET 2208988800u
/* Datagrams read and dropped per wake-up: the loop moves on after that. */
#define DRAIN_BATCH 64
/* Send buffer asked for a shared RTP socket (the kernel caps it at
 * net.core.wmem_max): every call's packet of a tick leaves through it. */
#define RTP_SNDBUF (4 << 20)

/* What a call takes from a base SDP (media.sdp_file or the built-in
 * offer).  Every transfer opens its call on the same text, so the engine
 * keeps the last one parsed (an SDP parse clears and fills ~18 kB). */
struct base_sdp {
	char *text;			/* malloc; NULL: none parsed yet */
	bool ok;			/* it parsed, with o= and c= */
	char o_user[64];
	char s_name[64];
	unsigned long long o_sess, o_ver;
	struct oa_format caps[OA_MAX_FMT];
	size_t n_caps;
	bool has_audio;			/* mode "none": it has audio ... */
	char c_addr[64];		/* ... received at its c= ... */
	unsigned port;			/* ... and port */
};

/* The RTP socket and the RTCP socket (port + 1) of one local address:
 * every call whose signalling uses that address sends from them, and
 * what arrives on them is read and dropped. */
struct media_pair {
	LIST_ENTRY(media_pair) link;	/* in e->pairs */
	char addr[64];			/* the local address bound */
	unsigned port;			/* RTP; RTCP is the one above */
	int fd[2];			/* RTP, RTCP; -1 when closed */
	int index[2];			/* their su_root registrations */
};

struct sta_media_engine {
	su_root_t *root;
	enum sta_media_mode mode;
	int16_t *audio;			/* mode "file": the samples */
	size_t n_audio;
	uint16_t rtp_low, rtp_high;	/* media.rtp_ports */
	LIST_HEAD(, media_pair) pairs;	/* bound so far, kept to the end */
	su_timer_t *tick;		/* every 20 ms while calls are open */
	LIST_HEAD(, sta_media) calls;	/* open with a pair */
	unsigned n_calls;
	struct base_sdp base;		/* the last base SDP parsed */
};

struct sta_media {
	struct sta_media_engine *e;
	LIST_ENTRY(sta_media) link;	/* in e->calls, when it has a pair */
	bool listed;			/* ...which it has */
	char o_user[64];
	char s_name[64];
	unsigned long long o_sess, o_ver;
	char o_addr[64];		/* the call's signalling address */
	char c_addr[64];		/* where it receives media */
	unsigned port;			/* RTP; 0 in mode "none" */
	char *last;			/* the last SDP sent (malloc) */
	struct oa_format *caps;		/* n_caps of them (malloc): a call
					   holds a few, not OA_MAX_FMT */
	size_t n_caps;
	struct media_pair *pair;	/* it sends from; NULL in mode "none" */
	struct oa_stream stream;	/* what was settled */
	bool sending;
	bool started;			/* RTP has gone out once */
	struct rtp_stream rtp;
	uint8_t encoding;		/* RTP_PT_PCMU, _PCMA or _CN */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint64_t next_report_ms;
	size_t audio_pos;
};

static uint32_t random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint32_t)rand();
	return r;
}

/* SRC into DST (SIZE bytes), cut to fit, as snprintf("%s") would, at a
 * fifth of its cost (every call copies its addresses). */
static void copy_str(char *dst, size_t size, char const *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- sending ------------------------------------------------------------ */

static size_t payload(struct sta_media *m, uint8_t *buf)
{
	struct sta_media_engine *e = m->e;

	if (e->mode != STA_MEDIA_FILE || m->encoding == RTP_PT_CN)
		return rtp_silence(m->encoding, buf);
	for (size_t i = 0; i < RTP_SAMPLES; i++) {
		int16_t s = e->audio[m->audio_pos];

		buf[i] = m->encoding == RTP_PT_PCMA ? g711_alaw(s)
						    : g711_ulaw(s);
		m->audio_pos = (m->audio_pos + 1) % e->n_audio;
	}
	return RTP_SAMPLES;
}

static void send_rtp(struct sta_media *m)
{
	uint8_t pkt[RTP_HEADER_LEN + RTP_SAMPLES];
	size_t len = payload(m, pkt + RTP_HEADER_LEN);

	rtp_next_header(&m->rtp, pkt, len);
	(void)sendto(m->pair->fd[0], pkt, RTP_HEADER_LEN + len, MSG_DONTWAIT,
		     (struct sockaddr *)&m->peer, m->peer_len);
}

static void send_report(struct sta_media *m, uint64_t now_ms)
{
	uint8_t pkt[RTCP_SR_LEN + 8 + 64 + 4 + 4];
	struct sockaddr_storage to;
	int family;
	unsigned char const *bytes = sockaddr_bytes(&m->peer, &family);
	char cname[80];
	struct timespec ts;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(cname, sizeof cname, "sta@%s", m->o_addr);
	len = rtcp_sender_report(&m->rtp,
				 (uint32_t)ts.tv_sec + NTP_UNIX_OFFSET,
				 (uint32_t)(((uint64_t)ts.tv_nsec << 32) /
					    1000000000u),
				 cname, pkt);
	sockaddr_set(&to, family, bytes, (in_port_t)(m->stream.port + 1));
	(void)sendto(m->pair->fd[1], pkt, len, MSG_DONTWAIT,
		     (struct sockaddr *)&to, m->peer_len);
	m->next_report_ms = now_ms + RTCP_INTERVAL_MS;
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t,
		    su_timer_arg_t *arg)
{
	struct sta_media_engine *e = (struct sta_media_engine *)arg;
	uint64_t now = sta_now_ms();

	(void)magic;
	(void)t;
	struct sta_media *m;

	LIST_FOREACH(m, &e->calls, link) {
		if (!m->sending)
			continue;
		for (unsigned n = rtp_due(&m->rtp, now); n > 0; n--)
			send_rtp(m);
		if (now >= m->next_report_ms)
			send_report(m, now);
	}
}

/* ---- receiving ---------------------------------------------------------- */

static int on_readable(su_root_magic_t *magic, su_wait_t *w,
		       su_wakeup_arg_t *arg)
{
	uint8_t buf[2048];

	(void)magic;
	(void)arg;
	for (int i = 0; i < DRAIN_BATCH; i++)
		if (recv(w->fd, buf, sizeof buf, MSG_DONTWAIT) < 0)
			break;
	return 0;
}

/* ---- ports -------------------------------------------------------------- */

static bool sockaddr_of(char const *addr, unsigned port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	unsigned char bytes[16];
	int family;

	if (!host_address(addr, &family, bytes))
		return false;
	sockaddr_set(ss, family, bytes, (in_port_t)port);
	*len = su_sockaddr_size((su_sockaddr_t const *)ss);
	return true;
}

/* A non-blocking UDP socket bound to ADDR:PORT, or -1 with errno set. */
static int bound_socket(char const *addr, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	if (!sockaddr_of(addr, port, &ss, &len)) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) != 0) {
		err = errno;
		close(fd);
		errno = err;
		fd = -1;
	}
	return fd;
}

static void pair_close(struct sta_media_engine *e, struct media_pair *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->index[i] > 0)	/* which leaves the socket open */
			su_root_deregister(e->root, p->index[i]);
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	}
	free(p);
}

static bool watch(struct sta_media_engine *e, struct media_pair *p, int i)
{
	su_wait_t w[1];

	if (su_wait_create(w, p->fd[i], SU_WAIT_IN) != 0)
		return false;
	p->index[i] = su_root_register(e->root, w, on_readable, NULL, 0);
	if (p->index[i] <= 0) {
		su_wait_destroy(w);
		p->index[i] = 0;
		return false;
	}
	return true;
}

/* Bind P's RTP socket and the RTCP one above it on the first pair of
 * media.rtp_ports free on p->addr, from a random place in the range
 * (agents sharing a host do not all begin at its first port, and the
 * port is harder to guess).  Ports another program holds are skipped;
 * any other error ends the search. */
static bool pair_bind(struct sta_media_engine *e, struct media_pair *p)
{
	unsigned n = port_range_pairs(e->rtp_low, e->rtp_high);
	unsigned start = n ? random32() % n : 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned port = port_range_pair(e->rtp_low, e->rtp_high,
						 start + i);

		p->fd[0] = bound_socket(p->addr, port);
		if (p->fd[0] >= 0) {
			p->fd[1] = bound_socket(p->addr, port + 1);
			if (p->fd[1] >= 0) {
				p->port = port;
				return true;
			}
			close(p->fd[0]);
			p->fd[0] = -1;
		}
		if (errno != EADDRINUSE)
			return false;
	}
	return false;
}

/* The pair of local address ADDR, bound and watched the first time it
 * is asked for; NULL when no pair of media.rtp_ports is free on it. */
static struct media_pair *pair_of(struct sta_media_engine *e,
				  char const *addr)
{
	struct media_pair *p;
	int sndbuf = RTP_SNDBUF;

	LIST_FOREACH(p, &e->pairs, link)
		if (strcmp(p->addr, addr) == 0)
			return p;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	copy_str(p->addr, sizeof p->addr, addr);
	p->fd[0] = p->fd[1] = -1;
	if (!pair_bind(e, p) || !watch(e, p, 0) || !watch(e, p, 1)) {
		pair_close(e, p);
		return NULL;
	}
	(void)setsockopt(p->fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			 sizeof sndbuf);
	LIST_INSERT_HEAD(&e->pairs, p, link);
	log_info("media: RTP on %s port %u, RTCP on %u, for every call on "
		 "that address", addr, p->port, p->port + 1);
	return p;
}

/* ---- the engine --------------------------------------------------------- */

struct sta_media_engine *media_engine_create(su_root_t *root,
					     struct sta_config const *cfg)
{
	struct sta_media_engine *e = calloc(1, sizeof *e);

	if (!e)
		return NULL;
	e->root = root;
	e->mode = cfg->media_mode;
	e->tick = su_timer_create(su_root_task(root), RTP_INTERVAL_MS);
	if (cfg->n_audio) {
		e->audio = malloc(cfg->n_audio * sizeof *e->audio);
		if (e->audio)
			memcpy(e->audio, cfg->audio,
			       cfg->n_audio * sizeof *e->audio);
		e->n_audio = cfg->n_audio;
	}
	e->rtp_low = cfg->rtp_port_low;
	e->rtp_high = cfg->rtp_port_high;
	if (!e->tick || (cfg->n_audio && !e->audio)) {
		media_engine_destroy(e);
		return NULL;
	}
	return e;
}

void media_engine_destroy(struct sta_media_engine *e)
{
	if (!e)
		return;
	while (!LIST_EMPTY(&e->calls))
		media_close(LIST_FIRST(&e->calls));
	while (!LIST_EMPTY(&e->pairs)) {
		struct media_pair *p = LIST_FIRST(&e->pairs);

		LIST_REMOVE(p, link);
		pair_close(e, p);
	}
	su_timer_destroy(e->tick);
	free(e->base.text);
	free(e->audio);
	free(e);
}

bool media_engine_differs(struct sta_media_engine const *e,
			  struct sta_config const *cfg)
{
	return e->mode != cfg->media_mode || e->n_audio != cfg->n_audio ||
	       (e->n_audio && memcmp(e->audio, cfg->audio,
				     e->n_audio * sizeof *e->audio)) ||
	       e->rtp_low != cfg->rtp_port_low ||
	       e->rtp_high != cfg->rtp_port_high;
}

/* ---- a call's media ----------------------------------------------------- */

/* BASE_SDP parsed, from E's cache when it is the text parsed last; NULL
 * when it does not parse or there is no memory for the cache. */
static struct base_sdp const *base_of(struct sta_media_engine *e,
				      char const *base_sdp)
{
	struct base_sdp *b = &e->base;
	struct oa_sdp sdp;

	if (b->text && strcmp(b->text, base_sdp) == 0)
		return b->ok ? b : NULL;
	free(b->text);
	memset(b, 0, sizeof *b);
	b->text = strdup(base_sdp);
	if (!b->text || !oa_parse(base_sdp, strlen(base_sdp), &sdp))
		return NULL;
	copy_str(b->o_user, sizeof b->o_user, sdp.o_user);
	copy_str(b->s_name, sizeof b->s_name, sdp.s_name);
	b->o_sess = sdp.o_sess;
	b->o_ver = sdp.o_ver;
	b->n_caps = oa_caps(&sdp, e->mode != STA_MEDIA_NONE, b->caps);
	for (size_t i = 0; i < sdp.n_media; i++)
		if (strcmp(sdp.m[i].kind, "audio") == 0) {
			copy_str(b->c_addr, sizeof b->c_addr, sdp.m[i].addr);
			b->port = sdp.m[i].port;
			b->has_audio = true;
			break;
		}
	b->ok = true;
	return b;
}

/* M's codecs become a copy of the N of CAPS; false (M's unchanged) when
 * out of memory. */
static bool set_caps(struct sta_media *m, struct oa_format const *caps,
		     size_t n)
{
	struct oa_format *copy = malloc((n ? n : 1) * sizeof *copy);

	if (!copy)
		return false;
	memcpy(copy, caps, n * sizeof *copy);
	free(m->caps);
	m->caps = copy;
	m->n_caps = n;
	return true;
}

/* Names and codecs from the base SDP; in mode "none" its c= and port
 * are where the media server receives. */
static bool take_base(struct sta_media *m, char const *base_sdp)
{
	struct base_sdp const *base = base_of(m->e, base_sdp);

	if (!base)
		return false;
	copy_str(m->o_user, sizeof m->o_user, base->o_user);
	copy_str(m->s_name, sizeof m->s_name, base->s_name);
	m->o_ver = base->o_ver;
	if (!set_caps(m, base->caps, base->n_caps))
		return false;
	if (m->e->mode == STA_MEDIA_NONE && base->has_audio) {
		copy_str(m->c_addr, sizeof m->c_addr, base->c_addr);
		m->port = base->port;
	}
	return m->n_caps > 0;
}

struct sta_media *media_open(struct sta_media_engine *e, char const *addr,
			     char const *base_sdp)
{
	struct sta_media *m = calloc(1, sizeof *m);
	size_t n = strlen(addr);

	if (!m)
		return NULL;
	m->e = e;
	if (addr[0] == '[' && n > 2)	/* an IPv6 reference */
		snprintf(m->o_addr, sizeof m->o_addr, "%.*s", (int)(n - 2),
			 addr + 1);
	else
		copy_str(m->o_addr, sizeof m->o_addr, addr);
	copy_str(m->c_addr, sizeof m->c_addr, m->o_addr);
	m->o_sess = random32();
	if (!take_base(m, base_sdp) ||
	    (e->mode != STA_MEDIA_NONE &&
	     !(m->pair = pair_of(e, m->o_addr)))) {
		log_warning("media: no RTP port pair of media.rtp_ports free "
			    "on %s, or the base SDP has no codec to use",
			    m->o_addr);
		free(m->caps);
		free(m);
		return NULL;
	}
	if (e->mode != STA_MEDIA_NONE) {
		m->port = m->pair->port;
		LIST_INSERT_HEAD(&e->calls, m, link);
		m->listed = true;
		if (e->n_calls++ == 0)
			su_timer_run(e->tick, on_tick, (su_timer_arg_t *)e);
	}
	return m;
}

void media_close(struct sta_media *m)
{
	struct sta_media_engine *e;

	if (!m)
		return;
	e = m->e;
	if (m->listed) {
		LIST_REMOVE(m, link);
		if (--e->n_calls == 0)
			su_timer_reset(e->tick);
	}
	free(m->caps);
	free(m->last);
	free(m);
}

void media_inherit(struct sta_media *m, struct sta_media const *old)
{
	struct oa_sdp last;

	copy_str(m->o_user, sizeof m->o_user, old->o_user);
	copy_str(m->s_name, sizeof m->s_name, old->s_name);
	m->o_sess = old->o_sess;
	m->o_ver = old->o_ver + 1;
	if (!old->last || !oa_parse(old->last, strlen(old->last), &last))
		return;
	for (size_t i = 0; i < last.n_media; i++)
		if (last.m[i].port && strcmp(last.m[i].kind, "audio") == 0) {
			set_caps(m, last.m[i].fmt, last.m[i].n_fmt);
			break;
		}
}

static uint8_t encoding_of(char const *name)
{
	if (strcasecmp(name, "PCMA") == 0)
		return RTP_PT_PCMA;
	if (strcasecmp(name, "CN") == 0)
		return RTP_PT_CN;
	return RTP_PT_PCMU;
}

/* Send, or stop sending, as the settled STREAM says. */
static void apply(struct sta_media *m, struct oa_stream const *stream)
{
	bool was = m->sending;
	uint64_t now = sta_now_ms();

	m->stream = *stream;
	m->sending = m->listed && stream->send &&
		     sockaddr_of(stream->addr, stream->port, &m->peer,
				 &m->peer_len);
	if (!m->sending)
		return;
	m->encoding = encoding_of(stream->name);
	if (!m->started) {
		uint32_t r[3] = { random32(), random32(), random32() };

		rtp_stream_init(&m->rtp, (uint8_t)stream->pt, now, r);
		m->started = true;
		m->next_report_ms = now + RTCP_INTERVAL_MS;
	} else if (!was) {
		rtp_resume(&m->rtp, now);
	}
	m->rtp.pt = (uint8_t)stream->pt;
}

static struct oa_local local_of(struct sta_media const *m)
{
	struct oa_local local = {
		.o_user = m->o_user, .o_sess = m->o_sess, .o_ver = m->o_ver,
		.s_name = m->s_name, .o_addr = m->o_addr,
		.c_addr = m->c_addr, .port = m->port,
	};

	return local;
}

/* SDP as text (malloc), or NULL when out of memory.  Printed once into
 * a buffer that holds any usual SDP; again only when it did not fit. */
static char *print_sdp(struct oa_sdp const *sdp)
{
	char buf[2048];
	size_t len = oa_print(sdp, buf, sizeof buf);
	char *text = malloc(len + 1);

	if (!text)
		return NULL;
	if (len < sizeof buf)
		memcpy(text, buf, len + 1);
	else
		oa_print(sdp, text, len + 1);
	return text;
}

/* SDP as text in HOME, kept as the last one sent.  Its o= version is one
 * above the last one's when anything else in it changed (RFC 3264 8). */
static char *send_sdp(struct sta_media *m, struct oa_sdp *sdp,
		      su_home_t *home)
{
	char *text = print_sdp(sdp);

	if (text && m->last && strcmp(text, m->last) != 0) {
		free(text);
		sdp->o_ver = ++m->o_ver;
		text = print_sdp(sdp);
	}
	if (!text)
		return NULL;
	free(m->last);
	m->last = text;
	return su_strdup(home, text);
}

char *media_answer(struct sta_media *m, char const *offer, size_t len,
		   su_home_t *home)
{
	struct oa_sdp in, out;
	struct oa_stream stream;
	struct oa_local local = local_of(m);
	char *text;

	if (!oa_parse(offer, len, &in) ||
	    !oa_answer(&in, m->caps, m->n_caps, &local, &out, &stream))
		return NULL;
	text = send_sdp(m, &out, home);
	if (text)
		apply(m, &stream);
	return text;
}

char *media_offer(struct sta_media *m, char const *origin, su_home_t *home)
{
	struct oa_sdp out;
	struct oa_local local;

	struct base_sdp const *base;

	if (origin && (base = base_of(m->e, origin))) {
		copy_str(m->o_user, sizeof m->o_user, base->o_user);
		copy_str(m->s_name, sizeof m->s_name, base->s_name);
		m->o_sess = base->o_sess;
		m->o_ver = base->o_ver;
	}
	local = local_of(m);
	oa_offer(m->caps, m->n_caps, &local, &out);
	free(m->last);
	m->last = NULL;
	return send_sdp(m, &out, home);
}

void media_answered(struct sta_media *m, char const *answer, size_t len)
{
	struct oa_sdp in;
	struct oa_stream stream;

	if (!oa_parse(answer, len, &in))
		return;
	oa_answered(&in, m->caps, m->n_caps, &stream);
	apply(m, &stream);
}
