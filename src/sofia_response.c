/*
 * sofia_response.c - every response goes back where its request came
 * from, never to the host a Via maddr names.
 *
 * NTA sends a response to the top Via's maddr when it has one, before the
 * address the request came from (nta.c, nta_tpn_by_via), and some of its
 * responses are its own, sent without asking the agent (100 Trying, 482
 * to a merged request, 481 to a CANCEL, 500 to a request it could not
 * hand over).  One request naming a third party there would make the
 * agent answer that party: a reflector that needs no spoofed source.
 *
 * This file defines tport_tsend() in the executable (the library's calls
 * go through its PLT, as for sofia_timer.c) and passes everything to the
 * library's own, except that a response whose top Via names a maddr goes
 * to the Via's received= address (NTA sets it when the request's source
 * differs from the sent-by host), else to its sent-by host: where the
 * request came from.  A Via's maddr is for multicast, which the agent
 * does not serve.
 */
#include <dlfcn.h>
#include <stddef.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport.h>

typedef tport_t *tsend_f(tport_t *self, msg_t *msg, tp_name_t const *tpn,
			 tag_type_t tag, tag_value_t value, ...);

tport_t *tport_tsend(tport_t *self, msg_t *msg, tp_name_t const *tpn,
		     tag_type_t tag, tag_value_t value, ...)
{
	static tsend_f *library;
	sip_t const *sip = sip_object(msg);
	sip_via_t const *v = sip ? sip->sip_via : NULL;
	tp_name_t source;
	tport_t *sent;
	ta_list ta;

	if (!library)
		library = (tsend_f *)dlsym(RTLD_NEXT, "tport_tsend");
	if (!library)
		return NULL;
	if (tpn && sip && sip->sip_status && v && v->v_maddr &&
	    tpn->tpn_host == v->v_maddr) {
		source = *tpn;
		source.tpn_host = v->v_received ? v->v_received : v->v_host;
		tpn = &source;
	}
	ta_start(ta, tag, value);
	sent = library(self, msg, tpn, ta_tags(ta));
	(void)ta_end(ta);
	/* the transport returned is the library's, never SOURCE */
	/* cppcheck-suppress returnDanglingLifetime */
	return sent;
}
