/*
 * bench/nta_floor.c - the bare NTA floor of bench/run.sh (phase "floor").
 *
 * The smallest Sofia-SIP NTA program that puts on the wire what the agent
 * puts there for one transfer of the bench's runs, so that its cost and
 * memory are the floor any NTA-based agent stands on.  No policy, no
 * config file, no logging, no media: per out-of-dialog REFER
 *   202 Accepted (To tag, Contact; the subscription dialog is an nta_leg)
 *   NOTIFY "SIP/2.0 100 Trying" at once
 *   INVITE to the Refer-To URI with the SDP offer
 *   NOTIFYs paced as the agent paces them: at most one outstanding, the
 *   next no earlier than INTERVAL_MS + GUARD_MS after the previous (a
 *   su_timer), provisional news replaced by later news; the final
 *   "SIP/2.0 <code> <phrase>" with terminated;reason=noresource
 *   ACK for a 2xx; 200 to the target's BYE.
 * The same transport settings as the agent (src/sip_agent.c: UA mode,
 * rport, no NAPTR/SRV, merge 482, a 1500-byte preload per message, T1
 * 500 ms and 64*T1, 4 MB UDP buffers, TCP idle and silence timeouts), the
 * same way of building messages (Content-Types parsed once, Event and
 * Subscription-State as header objects from src/sofia_notify.c, not text
 * NTA parses), and linked with the agent's src/sofia_timer.c, which
 * keeps Sofia's loop from spinning for up to 1 ms before every timer (the
 * agent has it; without it the floor would pay for that spin and the
 * agent not), and with src/allocator.c, so it runs on the agent's
 * allocator and names it at start ("nta_floor: allocator NAME").
 *
 * Usage: nta_floor [-s SDP_FILE] [-m STATS_FILE] PORT
 * Listens on 127.0.0.1:PORT (UDP and TCP).  With -m it rewrites
 * STATS_FILE every 100 ms with the counters bench/run.sh reads from the
 * agent's metrics (sta_transfers_active, sta_transfers_calling,
 * sta_notifies_sent_total), under the agent's names.  SIGTERM or SIGINT:
 * everything is freed and it exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#include "allocator.h"
#include "sofia_notify.h"

#define INTERVAL_MS 1000	/* transfer.notify_interval as shipped */
#define GUARD_MS 10		/* PACER_GUARD_MS of src/pacer.h */
#define EXPIRES_S 120		/* transfer.subscription_expires as shipped */
#define T1_MS 500		/* sip.t1 as shipped */
#define PRELOAD 1500		/* NTATAG_PRELOAD of src/sip_agent.c */
#define UDP_BUFFER (4 << 20)	/* sip.udp_buffer as shipped */
#define TCP_IDLE_MS 60000	/* sip.tcp_idle_timeout as shipped */
#define CONN_SILENCE_MS 10000	/* src/conn_table.h */
#define TICK_MS 100		/* stats file and stop flag */
#define FRAG_MAX 128

static char const builtin_sdp[] =
	"v=0\r\n"
	"o=nta-floor 1 1 IN IP4 127.0.0.1\r\n"
	"s=nta-floor\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=sendrecv\r\n";

struct xfer {
	su_home_t home[1];		/* first: the transfer is its own home */
	LIST_ENTRY(xfer) link;
	nta_leg_t *sub;			/* the subscription, with the referer */
	nta_leg_t *call;		/* the call, with the target */
	nta_outgoing_t *invite;		/* until its final answer */
	nta_outgoing_t *notify;		/* until its final answer */
	su_timer_t *timer;		/* NOTIFY window, then the reaping */
	uint32_t event_id;		/* Event: refer;id=<REFER CSeq> */
	char frag[FRAG_MAX];		/* the news the next NOTIFY carries */
	uint64_t started_ms, last_ms;
	bool sent_any, pending, final, final_sent;
	bool calling, sub_over, call_over;
};

static struct {
	su_home_t home[1];
	su_root_t *root;
	nta_agent_t *nta;
	nta_leg_t *default_leg;
	sip_contact_t const *contact;
	sip_content_type_t *sipfrag, *sdp_type;	/* parsed once */
	char const *sdp;
	char const *stats;
	su_timer_t *tick;
	LIST_HEAD(, xfer) xfers;
	unsigned long active, calling, notifies;
} g;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	return su_monotime(NULL) / 1000000;
}

static void xfer_free(struct xfer *x)
{
	LIST_REMOVE(x, link);
	g.active--;
	if (x->calling)
		g.calling--;
	su_timer_destroy(x->timer);
	if (x->invite)
		nta_outgoing_destroy(x->invite);
	if (x->notify)
		nta_outgoing_destroy(x->notify);
	if (x->call)
		nta_leg_destroy(x->call);
	if (x->sub)
		nta_leg_destroy(x->sub);
	su_home_unref(x->home);
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg);

/* Over: freed from a zero-delay timer, never inside an NTA callback. */
static void reap_if_over(struct xfer *x)
{
	if (!x->sub_over || !x->call_over)
		return;
	su_timer_reset(x->timer);
	su_timer_set_interval(x->timer, on_timer, (su_timer_arg_t *)x, 0);
}

/* ---- NOTIFYs toward the referer ---------------------------------------- */

static int on_notify_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip);

static void send_notify(struct xfer *x, uint64_t now)
{
	char state[40], id_param[16];
	msg_param_t ev_params[2], ss_params[2];
	sip_event_t ev[1];
	sip_subscription_state_t ss[1];
	uint64_t left = x->started_ms + EXPIRES_S * 1000 - now;

	if (x->final)
		snprintf(state, sizeof state, "terminated;reason=noresource");
	else
		snprintf(state, sizeof state, "active;expires=%llu",
			 (unsigned long long)(left / 1000));
	x->notify = nta_outgoing_tcreate(
		x->sub, on_notify_answer, (nta_outgoing_magic_t *)x, NULL,
		SIP_METHOD_NOTIFY, NULL,
		SIPTAG_EVENT(notify_refer_event(ev, ev_params, id_param,
						x->event_id)),
		SIPTAG_SUBSCRIPTION_STATE(
			notify_subscription_state(ss, ss_params, state)),
		SIPTAG_CONTACT(g.contact),
		SIPTAG_CONTENT_TYPE(g.sipfrag),
		SIPTAG_PAYLOAD_STR(x->frag), TAG_END());
	x->pending = false;
	x->sent_any = true;
	x->last_ms = now;
	if (!x->notify) {	/* the subscription cannot go on */
		x->sub_over = true;
		reap_if_over(x);
		return;
	}
	x->final_sent = x->final;
	g.notifies++;
}

/* Send the pending news when the window is open and no NOTIFY is
 * outstanding, else arm the timer for the window. */
static void pace(struct xfer *x)
{
	uint64_t now = now_ms(), open = x->last_ms + INTERVAL_MS + GUARD_MS;

	if (!x->pending || x->notify || x->sub_over)
		return;
	if (x->sent_any && now < open) {
		su_timer_reset(x->timer);
		su_timer_set_interval(x->timer, on_timer, (su_timer_arg_t *)x,
				      (su_duration_t)(open - now) + 1);
		return;
	}
	send_notify(x, now);
}

/* News for the referer; a final one is never replaced. */
static void news(struct xfer *x, int status, char const *phrase, bool final)
{
	if (x->final || x->sub_over)
		return;
	snprintf(x->frag, sizeof x->frag, "SIP/2.0 %03d %s\r\n", status,
		 phrase ? phrase : "");
	x->pending = true;
	x->final = final;
	pace(x);
}

static int on_notify_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip)
{
	struct xfer *x = (struct xfer *)magic;
	int status = nta_outgoing_status(orq);

	(void)sip;
	if (status < 200)
		return 0;
	nta_outgoing_destroy(orq);
	x->notify = NULL;
	if (x->final_sent || status >= 300)
		x->sub_over = true;
	pace(x);
	reap_if_over(x);
	return 0;
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	struct xfer *x = (struct xfer *)arg;

	(void)magic;
	(void)t;
	if (x->sub_over && x->call_over)
		xfer_free(x);
	else
		pace(x);
}

/* ---- the call toward the target ---------------------------------------- */

static void send_ack(struct xfer *x, sip_t const *sip)
{
	nta_outgoing_t *ack;

	nta_leg_rtag(x->call, sip->sip_to->a_tag);
	nta_leg_client_route(x->call, sip->sip_record_route,
			     sip->sip_contact);
	ack = nta_outgoing_tcreate(x->call, NULL, NULL, NULL, SIP_METHOD_ACK,
				   NULL, SIPTAG_CONTACT(g.contact), TAG_END());
	if (ack)
		nta_outgoing_destroy(ack);
}

static int on_invite_answer(nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
			    sip_t const *sip)
{
	struct xfer *x = (struct xfer *)magic;
	int status = nta_outgoing_status(orq);
	char const *phrase = sip && sip->sip_status ?
			     sip->sip_status->st_phrase : NULL;

	if (status < 200) {
		if (status > 100)
			news(x, status, phrase, false);
		return 0;
	}
	nta_outgoing_destroy(orq);
	x->invite = NULL;
	x->calling = false;
	g.calling--;
	if (status < 300 && sip)
		send_ack(x, sip);
	else
		x->call_over = true;	/* no call to wait a BYE for */
	if (!sip)			/* NTA's own: no answer, or no route */
		news(x, status == 408 ? 408 : 503,
		     status == 408 ? "Request Timeout" : "Service Unavailable",
		     true);
	else
		news(x, status, phrase, true);
	reap_if_over(x);
	return 0;
}

/* Requests in either dialog: the target's BYE ends the call. */
static int on_dialog_request(nta_leg_magic_t *magic, nta_leg_t *leg,
			     nta_incoming_t *irq, sip_t const *sip)
{
	struct xfer *x = (struct xfer *)magic;

	if (sip->sip_request->rq_method == sip_method_ack) {
		nta_incoming_destroy(irq);
		return 0;
	}
	if (sip->sip_request->rq_method != sip_method_bye || leg != x->call)
		return 405;
	x->call_over = true;
	reap_if_over(x);
	return 200;
}

static bool send_invite(struct xfer *x, url_t const *target)
{
	x->call = nta_leg_tcreate(
		g.nta, on_dialog_request, (nta_leg_magic_t *)x,
		SIPTAG_FROM(sip_from_create(x->home,
				(url_string_t const *)g.contact->m_url)),
		SIPTAG_TO(sip_to_create(x->home, (url_string_t const *)target)),
		SIPTAG_CALL_ID(sip_call_id_create(x->home, NULL)), TAG_END());
	if (!x->call || !nta_leg_tag(x->call, NULL))
		return false;
	x->invite = nta_outgoing_tcreate(
		x->call, on_invite_answer, (nta_outgoing_magic_t *)x, NULL,
		SIP_METHOD_INVITE, (url_string_t const *)target,
		SIPTAG_CONTACT(g.contact),
		SIPTAG_CONTENT_TYPE(g.sdp_type),
		SIPTAG_PAYLOAD_STR(g.sdp), TAG_END());
	if (!x->invite)
		return false;
	x->calling = true;
	g.calling++;
	return true;
}

/* ---- REFERs ------------------------------------------------------------- */

static struct xfer *xfer_new(sip_t const *sip)
{
	struct xfer *x = su_home_new(sizeof *x);

	if (!x)
		return NULL;
	LIST_INSERT_HEAD(&g.xfers, x, link);
	g.active++;
	x->started_ms = now_ms();
	x->timer = su_timer_create(su_root_task(g.root), 0);
	x->event_id = sip->sip_cseq->cs_seq;
	x->sub = nta_leg_tcreate(g.nta, on_dialog_request,
				 (nta_leg_magic_t *)x,
				 SIPTAG_CALL_ID(sip->sip_call_id),
				 SIPTAG_FROM(sip->sip_to),
				 SIPTAG_TO(sip->sip_from),
				 NTATAG_REMOTE_CSEQ(sip->sip_cseq->cs_seq),
				 TAG_END());
	if (!x->timer || !x->sub || !nta_leg_tag(x->sub, NULL)) {
		x->sub_over = x->call_over = true;
		xfer_free(x);
		return NULL;
	}
	nta_leg_server_route(x->sub, sip->sip_record_route, sip->sip_contact);
	return x;
}

static int on_refer(nta_incoming_t *irq, sip_t const *sip)
{
	struct xfer *x;
	url_t *target;

	if (!sip->sip_refer_to || sip->sip_to->a_tag)
		return sip->sip_refer_to ? 481 : 400;
	if (!(x = xfer_new(sip)))
		return 500;
	target = url_hdup(x->home, sip->sip_refer_to->r_url);
	if (target)
		target->url_headers = NULL;
	nta_incoming_tag(irq, nta_leg_get_tag(x->sub));
	nta_incoming_treply(irq, SIP_202_ACCEPTED, SIPTAG_CONTACT(g.contact),
			    TAG_END());
	news(x, 100, "Trying", false);
	if (!target || !send_invite(x, target)) {
		x->call_over = true;
		news(x, 503, "Service Unavailable", true);
	}
	return 202;
}

/* Requests outside any dialog. */
static int on_request(nta_leg_magic_t *magic, nta_leg_t *leg,
		      nta_incoming_t *irq, sip_t const *sip)
{
	(void)magic;
	(void)leg;
	switch (sip->sip_request->rq_method) {
	case sip_method_refer:
		return on_refer(irq, sip);
	case sip_method_ack:
		nta_incoming_destroy(irq);
		return 0;
	default:
		return 405;
	}
}

/* ---- the loop ---------------------------------------------------------- */

static void write_stats(void)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", g.stats);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "sta_transfers_active %lu\nsta_transfers_calling %lu\n"
		"sta_notifies_sent_total %lu\n", g.active, g.calling,
		g.notifies);
	if (fclose(f) == 0)
		rename(tmp, g.stats);
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t,
		    su_timer_arg_t *arg)
{
	(void)magic;
	(void)t;
	(void)arg;
	if (stop)
		su_root_break(g.root);
	else if (g.stats)
		write_stats();
}

static char *read_file(char const *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (text = su_alloc(g.home, (size_t)n + 1)) &&
	    fread(text, 1, (size_t)n, f) == (size_t)n)
		text[n] = '\0';
	else
		text = NULL;
	if (f)
		fclose(f);
	return text;
}

static bool start(char const *port)
{
	char uri[64];

	snprintf(uri, sizeof uri, "sip:127.0.0.1:%s", port);
	g.root = su_root_create(NULL);
	if (!g.root)
		return false;
	g.nta = nta_agent_create(g.root, (url_string_t *)uri, NULL, NULL,
				 NTATAG_UA(1), NTATAG_CLIENT_RPORT(1),
				 NTATAG_USE_NAPTR(0), NTATAG_USE_SRV(0),
				 NTATAG_MERGE_482(1), NTATAG_PRELOAD(PRELOAD),
				 NTATAG_SIP_T1(T1_MS),
				 NTATAG_SIP_T1X64(64 * T1_MS),
				 TPTAG_UDP_RMEM(UDP_BUFFER),
				 TPTAG_UDP_WMEM(UDP_BUFFER),
				 TPTAG_IDLE(TCP_IDLE_MS),
				 TPTAG_TIMEOUT(CONN_SILENCE_MS), TAG_END());
	if (!g.nta)
		return false;
	g.contact = nta_agent_contact(g.nta);
	g.sipfrag = sip_content_type_make(g.home,
					  "message/sipfrag;version=2.0");
	g.sdp_type = sip_content_type_make(g.home, "application/sdp");
	g.default_leg = nta_leg_tcreate(g.nta, on_request, NULL,
					NTATAG_NO_DIALOG(1), TAG_END());
	g.tick = su_timer_create(su_root_task(g.root), TICK_MS);
	return g.contact && g.sipfrag && g.sdp_type && g.default_leg && g.tick &&
	       su_timer_run(g.tick, on_tick, NULL) == 0;
}

static void finish(void)
{
	while (!LIST_EMPTY(&g.xfers))
		xfer_free(LIST_FIRST(&g.xfers));
	su_timer_destroy(g.tick);
	if (g.default_leg)
		nta_leg_destroy(g.default_leg);
	if (g.nta)
		nta_agent_destroy(g.nta);
	if (g.root)
		su_root_destroy(g.root);
	su_home_deinit(g.home);
	su_deinit();
}

int main(int argc, char **argv)
{
	char const *sdp_file = NULL;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "s:m:")) != -1) {
		switch (opt) {
		case 's':
			sdp_file = optarg;
			break;
		case 'm':
			g.stats = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (su_init() != 0 || su_home_init(g.home) != 0)
		return 1;
	LIST_INIT(&g.xfers);
	g.sdp = sdp_file ? read_file(sdp_file) : builtin_sdp;
	if (!g.sdp)
		fprintf(stderr, "nta_floor: cannot read %s\n", sdp_file);
	else if (!start(argv[optind]))
		fprintf(stderr, "nta_floor: cannot listen on 127.0.0.1:%s: %s\n",
			argv[optind], strerror(errno));
	else {
		fprintf(stderr, "nta_floor: allocator %s\n", allocator_name());
		su_root_run(g.root);
		rc = 0;
	}
	finish();
	return rc;
usage:
	fprintf(stderr, "usage: nta_floor [-s SDP_FILE] [-m STATS_FILE] PORT\n");
	return 2;
}
