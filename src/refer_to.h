/*
 * refer_to.h - PURE Refer-To rules of SPEC section 2 and 8.
 *
 * refer_to.c owns what the agent decides about one Refer-To URI once
 * Sofia-SIP has parsed it: the scheme rule (sip/sips, tel: mapped through
 * policy.tel_domain), the method= rule, the target written as the
 * "user@host:port" key that policy.targets globs match, and the order of the
 * REFER admission checks with their status codes (refer_admit).  The glue
 * (sip_refer.c) extracts plain facts with Sofia-SIP and calls these; it makes
 * no decision itself.  No Sofia-SIP calls, no I/O, no clock.
 */
#ifndef STA_REFER_TO_H
#define STA_REFER_TO_H

#include <stdbool.h>

/* One Refer-To URI as Sofia-SIP parsed it (strings point into the caller's
 * storage; NULL when absent). */
struct refer_to_uri {
	const char *scheme;	/* "sip", "sips", "tel" or whatever was written */
	const char *user;	/* user part; for tel: the number */
	const char *host;
	const char *port;
	const char *method;	/* value of the method= URI parameter */
	bool has_replaces;	/* an embedded ?Replaces= header is present */
	bool replaces_valid;	/* ...and Sofia-SIP parsed it, with to-tag and from-tag */
};

/* Where the INVITE goes, after the scheme rule. */
struct refer_target {
	char scheme[5];		/* "sip" or "sips" */
	char user[128];		/* may be empty */
	char host[256];
	unsigned port;		/* explicit port, else 5060 (sip) or 5061 (sips) */
	bool port_explicit;
	bool tel;		/* came from tel: through tel_domain (user=phone) */
	bool host_is_name;	/* host needs DNS: neither an address
				   literal nor localhost */
	char key[400];		/* "user@host:port" for policy.targets */
};

/*
 * Apply the scheme, method and Replaces-syntax rules to U, in that order.
 * TEL_DOMAIN is policy.tel_domain or NULL.  Returns 0 and fills *OUT when the
 * URI is acceptable, else the SIP status (416, 501 or 400) and sets *WHY to a
 * short static reason for the log.
 */
int refer_to_check(const struct refer_to_uri *u, const char *tel_domain,
		   struct refer_target *out, const char **why);

/* The answer of a check that may have to wait for DNS. */
enum refer_lookup {
	LOOKUP_PENDING,		/* not known until a host name is resolved */
	LOOKUP_NO,
	LOOKUP_YES,
};

/* Everything SPEC section 2 looks at, gathered by the glue for one REFER. */
struct refer_facts {
	bool source_allowed;		/* source in policy.allow_from */
	bool auth_required;		/* auth configured, source not trusted */
	bool auth_ok;			/* credentials present and right */
	bool auth_stale;		/* credentials right but the nonce expired */
	bool shutting_down;		/* SIGTERM's drain */
	bool draining;			/* sip-transfer-agentctl drain */
	bool at_max_active;		/* limits.max_active reached */
	bool over_rate;			/* source over limits.per_source_rate;
					 * call rate_take() only once the
					 * source and auth checks passed, so
					 * 403s and 401 challenges spend no
					 * token */
	bool over_max_rate;		/* all sources together over
					 * limits.max_rate; a token only once
					 * the source is within its own rate */
	unsigned refer_to_count;	/* Refer-To values in the request */
	unsigned contact_count;		/* Contact values in the request */
	bool has_replaces_header;	/* a Replaces header in the REFER */
	bool notify_hop_allowed;	/* the NOTIFYs' next hop (first Route,
					 * else Contact) is an address in
					 * policy.allow_from, or no NOTIFY
					 * leaves in a new dialog */
	bool refer_to_parsed;		/* the single value parsed */
	const struct refer_to_uri *uri;	/* when parsed */
	const char *tel_domain;		/* policy.tel_domain or NULL */
	/* Asked only once every earlier check passed.  target_allowed
	 * judges the target as written (no DNS); is_loop may answer
	 * LOOKUP_PENDING for a host name, never asked for a name that
	 * target_allowed refuses. */
	enum refer_lookup (*is_loop)(const struct refer_target *t, void *ctx);
	bool (*target_allowed)(const struct refer_target *t, void *ctx);
	void *ctx;
};

struct refer_verdict {
	int status;			/* 202 when accepted */
	const char *phrase;		/* reason phrase for the status line */
	unsigned retry_after;		/* seconds, for 503; 0: no header */
	bool challenge_stale;		/* 401: send stale=true */
	const char *why;		/* short static reason for the log */
	struct refer_target target;	/* when status is 202 */
};

/* Run the checks of SPEC section 2 in their order; the first that fails
 * decides.  Fills *V and returns V->status, or 0 when the verdict waits
 * for the target's host name to be resolved (is_loop said
 * LOOKUP_PENDING): ask again with the same facts once it is. */
int refer_admit(const struct refer_facts *f, struct refer_verdict *v);

#endif
