/*
 * request_rules.h - PURE rules every request passes before it is
 * dispatched (SPEC section 2 first row, section 6; RFC 3261 8.2.2, 12.2.2).
 *
 * request_rules.c owns the Request-URI rule (sip/sips or 416, unparsable
 * 400), the Require rule (option tags the agent does not support: 420 with
 * Unsupported), the in-dialog CSeq order (a repeated or lower CSeq: 500)
 * and what an INVITE with Replaces gets (RFC 3891: 481, 486, 603).
 * The glue (sip_agent.c, sip_dialog.c) extracts the facts with Sofia-SIP,
 * calls these and answers.  No Sofia-SIP calls, no I/O, no clock.
 */
#ifndef STA_REQUEST_RULES_H
#define STA_REQUEST_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The option tags the agent supports (its Supported header). */
extern const char *const request_supported_tags[];

/* The status a Request-URI gets: 0 when it is a sip: or sips: URI with a
 * host, 416 for another scheme, 400 when it does not parse (SCHEME NULL or
 * not a scheme token, or a sip/sips URI without host). */
int request_uri_status(const char *scheme, const char *host);

/* Copy into OUT (room for N entries) the TAGS (N of them, as the Require
 * headers list them) that the agent does not support, each once and in
 * their order; returns how many.  Option tags compare case-insensitively. */
size_t require_unsupported(const char *const *tags, size_t n,
			   const char **out);

/* The remote CSeq state of one dialog: the highest CSeq seen, if any. */
struct cseq_order {
	uint32_t last;
	bool seen;
};

/* Whether a new request with CSeq SEQ is in order (RFC 3261 12.2.2: higher
 * than every earlier one); when it is, it becomes the last. */
bool cseq_accept(struct cseq_order *o, uint32_t seq);

/* What the dialog an INVITE's Replaces names is to the agent. */
enum replaced_phase {
	REPLACED_NONE,		/* no dialog matches, or one without a call */
	REPLACED_EARLY_OURS,	/* early, the agent sent its INVITE */
	REPLACED_EARLY_THEIRS,	/* early, the agent did not start it */
	REPLACED_CONFIRMED,
	REPLACED_ENDED,		/* its call has ended */
};

/* The status an INVITE with Replaces (EARLY_ONLY: the early-only
 * parameter) gets, or 0 when it takes the dialog over: no match or an
 * early dialog the agent did not initiate 481, early-only naming a
 * confirmed dialog 486, a dialog that has ended 603. */
int replaces_status(enum replaced_phase phase, bool early_only);

#endif
