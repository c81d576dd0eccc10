/*
 * offer_answer.c - PURE SDP offer/answer (RFC 3264).  See offer_answer.h.
 */
#include "offer_answer.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char const *const DIR_NAMES[] = {
	[OA_SENDRECV] = "sendrecv", [OA_SENDONLY] = "sendonly",
	[OA_RECVONLY] = "recvonly", [OA_INACTIVE] = "inactive",
};

/* Copy the LEN bytes at SRC into DST (SIZE bytes), cut to fit. */
static void copy(char *dst, size_t size, char const *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The static payload types (RFC 3551) a peer may list without rtpmap. */
static void static_name(struct oa_format *f)
{
	static const struct { unsigned pt; char const *name; } known[] = {
		{ 0, "PCMU" }, { 3, "GSM" }, { 8, "PCMA" }, { 9, "G722" },
		{ 13, "CN" }, { 18, "G729" },
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].pt == f->pt) {
			snprintf(f->name, sizeof f->name, "%s", known[i].name);
			f->rate = 8000;
		}
}

static bool parse_dir(char const *a, enum oa_dir *dir)
{
	for (int d = OA_SENDRECV; d <= OA_INACTIVE; d++)
		if (strcmp(a, DIR_NAMES[d]) == 0) {
			*dir = (enum oa_dir)d;
			return true;
		}
	return false;
}

/* "IN IP4 addr" / "IN IP6 addr" */
static bool parse_addr(char const *v, char *addr, size_t size, bool *ip6)
{
	char type[8], a[64];

	if (sscanf(v, "IN %7s %63s", type, a) != 2)
		return false;
	*ip6 = strcmp(type, "IP6") == 0;
	copy(addr, size, a, strlen(a));
	return true;
}

static bool parse_origin(char const *v, struct oa_sdp *sdp)
{
	char user[64];
	int n = 0;

	if (sscanf(v, "%63s %llu %llu %n", user, &sdp->o_sess, &sdp->o_ver,
		   &n) != 3 || n == 0)
		return false;
	copy(sdp->o_user, sizeof sdp->o_user, user, strlen(user));
	return parse_addr(v + n, sdp->o_addr, sizeof sdp->o_addr,
			  &sdp->o_ip6);
}

static bool parse_m(char const *v, struct oa_media *m)
{
	char kind[16], proto[32];
	int n = 0;
	char const *p;

	if (sscanf(v, "%15s %u %31s %n", kind, &m->port, proto, &n) != 3 ||
	    n == 0)
		return false;
	copy(m->kind, sizeof m->kind, kind, strlen(kind));
	copy(m->proto, sizeof m->proto, proto, strlen(proto));
	copy(m->fmt_list, sizeof m->fmt_list, v + n, strlen(v + n));
	for (p = v + n; *p && m->n_fmt < OA_MAX_FMT;) {
		char *end;
		unsigned long pt = strtoul(p, &end, 10);

		if (end == p)
			break;
		m->fmt[m->n_fmt].pt = (unsigned)pt;
		static_name(&m->fmt[m->n_fmt++]);
		p = end + strspn(end, " ");
	}
	return true;
}

static struct oa_format *format_of(struct oa_media *m, unsigned pt)
{
	for (size_t i = 0; i < m->n_fmt; i++)
		if (m->fmt[i].pt == pt)
			return &m->fmt[i];
	return NULL;
}

static void parse_attr(char const *a, struct oa_media *m)
{
	unsigned pt;
	int n = 0;
	struct oa_format *f;
	char name[32];

	if (parse_dir(a, &m->dir))
		return;
	if (sscanf(a, "rtpmap:%u %31[^/]/%n", &pt, name, &n) == 2 && n &&
	    (f = format_of(m, pt))) {
		copy(f->name, sizeof f->name, name, strlen(name));
		f->rate = (unsigned)strtoul(a + n, NULL, 10);
	} else if (sscanf(a, "fmtp:%u %n", &pt, &n) == 1 && n &&
		   (f = format_of(m, pt))) {
		copy(f->fmtp, sizeof f->fmtp, a + n, strlen(a + n));
	}
}

/* Empty *SDP: the session fields only.  Each m[] entry is cleared as it
 * is taken (n_media says how many are), so the 8 unused media entries
 * (about 18 kB) are never written. */
static void sdp_clear(struct oa_sdp *sdp)
{
	memset(sdp, 0, offsetof(struct oa_sdp, m));
}

/* Session-level c= and direction apply to m-lines that have none. */
struct session_defaults {
	char addr[64];
	bool ip6;
	enum oa_dir dir;
};

static bool parse_line(char const *line, struct oa_sdp *sdp,
		       struct session_defaults *def, bool *have_c)
{
	struct oa_media *m = sdp->n_media ? &sdp->m[sdp->n_media - 1] : NULL;
	char const *v = line + 2;

	if (line[0] == '\0' || line[1] != '=')
		return true;		/* tolerate blank or odd lines */
	switch (line[0]) {
	case 'o':
		return parse_origin(v, sdp);
	case 's':
		copy(sdp->s_name, sizeof sdp->s_name, v, strlen(v));
		return true;
	case 'c':
		*have_c = true;
		return m ? parse_addr(v, m->addr, sizeof m->addr, &m->ip6)
			 : parse_addr(v, def->addr, sizeof def->addr,
				      &def->ip6);
	case 'm':
		if (sdp->n_media == OA_MAX_MEDIA)
			return false;
		m = &sdp->m[sdp->n_media++];
		memset(m, 0, sizeof *m);
		m->dir = def->dir;
		return parse_m(v, m);
	case 'a':
		if (m)
			parse_attr(v, m);
		else
			parse_dir(v, &def->dir);
		return true;
	default:
		return true;
	}
}

bool oa_parse(char const *text, size_t len, struct oa_sdp *sdp)
{
	struct session_defaults def = { .dir = OA_SENDRECV };
	bool have_c = false, ok = true;
	char line[512];

	sdp_clear(sdp);
	while (len > 0 && ok) {
		size_t n = strcspn(text, "\r\n");

		if (n > len)
			n = len;
		copy(line, sizeof line, text, n);
		ok = parse_line(line, sdp, &def, &have_c);
		text += n;
		len -= n;
		while (len > 0 && (*text == '\r' || *text == '\n' ||
				   *text == '\0')) {
			text++;
			len--;
		}
	}
	for (size_t i = 0; i < sdp->n_media; i++)
		if (sdp->m[i].addr[0] == '\0') {
			copy(sdp->m[i].addr, sizeof sdp->m[i].addr, def.addr,
			     strlen(def.addr));
			sdp->m[i].ip6 = def.ip6;
		}
	return ok && have_c && sdp->o_user[0];
}

static bool is_te(struct oa_format const *f)
{
	return strcasecmp(f->name, "telephone-event") == 0;
}

static bool g711_or_cn(struct oa_format const *f)
{
	return f->rate == 8000 && (strcasecmp(f->name, "PCMU") == 0 ||
				   strcasecmp(f->name, "PCMA") == 0 ||
				   strcasecmp(f->name, "CN") == 0 || is_te(f));
}

size_t oa_caps(struct oa_sdp const *base, bool only_g711,
	       struct oa_format *caps)
{
	size_t n = 0;

	for (size_t i = 0; i < base->n_media; i++) {
		struct oa_media const *m = &base->m[i];

		if (strcmp(m->kind, "audio") != 0)
			continue;
		for (size_t k = 0; k < m->n_fmt; k++)
			if (m->fmt[k].name[0] &&
			    (!only_g711 || g711_or_cn(&m->fmt[k])))
				caps[n++] = m->fmt[k];
		break;
	}
	return n;
}

static struct oa_format const *cap_for(struct oa_format const *f,
				       struct oa_format const *caps,
				       size_t n_caps)
{
	for (size_t i = 0; i < n_caps; i++)
		if (f->name[0] && strcasecmp(f->name, caps[i].name) == 0 &&
		    f->rate == caps[i].rate)
			return &caps[i];
	return NULL;
}

enum oa_dir oa_mirror(enum oa_dir dir)
{
	switch (dir) {
	case OA_SENDONLY:
		return OA_RECVONLY;
	case OA_RECVONLY:
		return OA_SENDONLY;
	case OA_INACTIVE:
		return OA_INACTIVE;
	default:
		return OA_SENDRECV;
	}
}

/* The formats of offered audio stream M the agent takes, in the offer's
 * order and with its payload numbers, into OUT; whether one of them is
 * a codec (not only telephone-event). */
static bool match_formats(struct oa_media const *m,
			  struct oa_format const *caps, size_t n_caps,
			  struct oa_media *out)
{
	bool codec = false;

	for (size_t i = 0; i < m->n_fmt; i++) {
		struct oa_format const *cap = cap_for(&m->fmt[i], caps, n_caps);

		if (!cap)
			continue;
		out->fmt[out->n_fmt] = m->fmt[i];
		if (!m->fmt[i].fmtp[0])
			memcpy(out->fmt[out->n_fmt].fmtp, cap->fmtp,
			       sizeof cap->fmtp);
		out->n_fmt++;
		codec |= !is_te(&m->fmt[i]);
	}
	return codec;
}

static void local_session(struct oa_local const *local, struct oa_sdp *sdp)
{
	sdp_clear(sdp);
	copy(sdp->o_user, sizeof sdp->o_user, local->o_user,
	     strlen(local->o_user));
	sdp->o_sess = local->o_sess;
	sdp->o_ver = local->o_ver;
	copy(sdp->o_addr, sizeof sdp->o_addr, local->o_addr,
	     strlen(local->o_addr));
	sdp->o_ip6 = strchr(local->o_addr, ':') != NULL;
	copy(sdp->s_name, sizeof sdp->s_name, local->s_name,
	     strlen(local->s_name));
}

static void local_media(struct oa_local const *local, char const *proto,
			struct oa_media *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->kind, sizeof out->kind, "audio");
	copy(out->proto, sizeof out->proto, proto, strlen(proto));
	out->port = local->port;
	copy(out->addr, sizeof out->addr, local->c_addr,
	     strlen(local->c_addr));
	out->ip6 = strchr(local->c_addr, ':') != NULL;
}

/* The stream the agent sends on: the first codec of M (not
 * telephone-event), to the peer's address in PEER. */
static void settle(struct oa_media const *m, struct oa_media const *peer,
		   enum oa_dir peer_dir, struct oa_stream *stream)
{
	memset(stream, 0, sizeof *stream);
	for (size_t i = 0; i < m->n_fmt; i++)
		if (!is_te(&m->fmt[i])) {
			stream->pt = m->fmt[i].pt;
			copy(stream->name, sizeof stream->name,
			     m->fmt[i].name, strlen(m->fmt[i].name));
			stream->active = true;
			break;
		}
	copy(stream->addr, sizeof stream->addr, peer->addr,
	     strlen(peer->addr));
	stream->port = peer->port;
	stream->send = stream->active && peer->port != 0 &&
		       strcmp(peer->addr, "0.0.0.0") != 0 &&	/* RFC 2543 hold */
		       (peer_dir == OA_SENDRECV || peer_dir == OA_RECVONLY);
}

bool oa_answer(struct oa_sdp const *offer, struct oa_format const *caps,
	       size_t n_caps, struct oa_local const *local,
	       struct oa_sdp *answer, struct oa_stream *stream)
{
	bool taken = false;

	memset(stream, 0, sizeof *stream);
	local_session(local, answer);
	answer->n_media = offer->n_media;
	for (size_t i = 0; i < offer->n_media; i++) {
		struct oa_media const *m = &offer->m[i];
		struct oa_media *a = &answer->m[i];

		local_media(local, m->proto, a);
		a->dir = oa_mirror(m->dir);
		if (!taken && m->port != 0 &&
		    strcmp(m->kind, "audio") == 0 &&
		    strncmp(m->proto, "RTP/AVP", 7) == 0 &&
		    match_formats(m, caps, n_caps, a)) {
			taken = true;
			settle(a, m, m->dir, stream);
			continue;
		}
		memset(a, 0, sizeof *a);	/* refused: port 0 */
		copy(a->kind, sizeof a->kind, m->kind, strlen(m->kind));
		copy(a->proto, sizeof a->proto, m->proto, strlen(m->proto));
		copy(a->fmt_list, sizeof a->fmt_list, m->fmt_list,
		     strlen(m->fmt_list));
	}
	return taken;
}

void oa_offer(struct oa_format const *caps, size_t n_caps,
	      struct oa_local const *local, struct oa_sdp *offer)
{
	struct oa_media *a = &offer->m[0];

	local_session(local, offer);
	offer->n_media = 1;
	local_media(local, "RTP/AVP", a);
	a->dir = OA_SENDRECV;
	for (size_t i = 0; i < n_caps && i < OA_MAX_FMT; i++)
		a->fmt[a->n_fmt++] = caps[i];
}

void oa_answered(struct oa_sdp const *answer, struct oa_format const *caps,
		 size_t n_caps, struct oa_stream *stream)
{
	memset(stream, 0, sizeof *stream);
	for (size_t i = 0; i < answer->n_media; i++) {
		struct oa_media const *m = &answer->m[i];
		struct oa_media mine = { .n_fmt = 0 };

		if (m->port == 0 || strcmp(m->kind, "audio") != 0 ||
		    !match_formats(m, caps, n_caps, &mine))
			continue;
		settle(&mine, m, m->dir, stream);
		return;
	}
}

/* Where oa_print() writes: BUF (SIZE bytes) holds the first LEN bytes
 * written, or as many as fit, as a string.  Appending by hand costs a
 * third of what vsnprintf() did (an SDP goes out with every transfer). */
struct out {
	char *buf;
	size_t size;
	size_t len;		/* written, counting what did not fit */
};

static void out_mem(struct out *o, char const *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len - 1;
		size_t fit = n < room ? n : room;

		memcpy(o->buf + o->len, s, fit);
		o->buf[o->len + fit] = '\0';
	}
	o->len += n;
}

/* The end of out_strs()'s list: a typed null pointer, not NULL (which may
 * be a plain 0 where the varargs read a pointer). */
#define OUT_END ((char const *)NULL)

/* Append the strings given, up to OUT_END. */
static void __attribute__((sentinel)) out_strs(struct out *o, ...)
{
	va_list ap;
	char const *s;

	va_start(ap, o);
	while ((s = va_arg(ap, char const *)) != NULL)
		out_mem(o, s, strlen(s));
	va_end(ap);
}

static void out_num(struct out *o, unsigned long long v)
{
	char digits[24];
	size_t at = sizeof digits;

	do {
		digits[--at] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_mem(o, digits + at, sizeof digits - at);
}

static void print_media(struct oa_media const *m, bool ptime, struct out *o)
{
	if (m->port == 0) {
		out_strs(o, "m=", m->kind, " 0 ", m->proto, " ",
			 m->fmt_list[0] ? m->fmt_list : "0", "\r\n", OUT_END);
		return;
	}
	out_strs(o, "m=", m->kind, " ", OUT_END);
	out_num(o, m->port);
	out_strs(o, " ", m->proto, OUT_END);
	for (size_t i = 0; i < m->n_fmt; i++) {
		out_strs(o, " ", OUT_END);
		out_num(o, m->fmt[i].pt);
	}
	out_strs(o, "\r\n", OUT_END);
	for (size_t i = 0; i < m->n_fmt; i++) {
		out_strs(o, "a=rtpmap:", OUT_END);
		out_num(o, m->fmt[i].pt);
		out_strs(o, " ", m->fmt[i].name, "/", OUT_END);
		out_num(o, m->fmt[i].rate);
		out_strs(o, "\r\n", OUT_END);
		if (m->fmt[i].fmtp[0]) {
			out_strs(o, "a=fmtp:", OUT_END);
			out_num(o, m->fmt[i].pt);
			out_strs(o, " ", m->fmt[i].fmtp, "\r\n", OUT_END);
		}
	}
	if (ptime)
		out_strs(o, "a=ptime:20\r\n", OUT_END);
	out_strs(o, "a=", DIR_NAMES[m->dir], "\r\n", OUT_END);
}

size_t oa_print(struct oa_sdp const *sdp, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };
	char const *c_addr = sdp->o_addr;
	bool c_ip6 = sdp->o_ip6, ptime = false;

	for (size_t i = 0; i < sdp->n_media; i++)
		if (sdp->m[i].port) {
			c_addr = sdp->m[i].addr;
			c_ip6 = sdp->m[i].ip6;
			ptime = sdp->m[i].n_fmt > 0;
			break;
		}
	if (size)
		buf[0] = '\0';
	out_strs(&o, "v=0\r\no=", sdp->o_user, " ", OUT_END);
	out_num(&o, sdp->o_sess);
	out_strs(&o, " ", OUT_END);
	out_num(&o, sdp->o_ver);
	out_strs(&o, " IN IP", sdp->o_ip6 ? "6" : "4", " ", sdp->o_addr,
		 "\r\ns=", sdp->s_name[0] ? sdp->s_name : "-", "\r\nc=IN IP",
		 c_ip6 ? "6" : "4", " ", c_addr, "\r\nt=0 0\r\n", OUT_END);
	for (size_t i = 0; i < sdp->n_media; i++)
		print_media(&sdp->m[i], ptime, &o);
	return o.len;
}
