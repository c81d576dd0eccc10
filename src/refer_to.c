/*
 * refer_to.c - PURE Refer-To rules and REFER admission order (SPEC 2, 8).
 *
 * Owns refer_to_check(): scheme (sip/sips, tel: through policy.tel_domain),
 * host and port, method= and Replaces syntax, and the "user@host:port" key
 * that policy.targets globs match; and refer_admit(): the SPEC section 2
 * checks in their order, each with its status, reason phrase and log reason.
 *
 * Must not: include Sofia-SIP headers, read a clock, do I/O or exit.  The
 * glue gathers the facts; the loop and target-policy checks come back to it
 * through callbacks so they run only when every earlier check passed.
 */
#include "refer_to.h"

#include "next_hop.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* user '@' host ':' 5 digits NUL always fits: the key is never truncated. */
_Static_assert(sizeof(((struct refer_target *)0)->key) >=
	       sizeof(((struct refer_target *)0)->user) +
	       sizeof(((struct refer_target *)0)->host) + 7,
	       "refer_target.key too small for user@host:port");

enum scheme { SCHEME_SIP, SCHEME_SIPS, SCHEME_TEL, SCHEME_OTHER };

static enum scheme scheme_of(const char *s, const char *tel_domain)
{
	if (strcasecmp(s, "sip") == 0)
		return SCHEME_SIP;
	if (strcasecmp(s, "sips") == 0)
		return SCHEME_SIPS;
	if (strcasecmp(s, "tel") == 0 && tel_domain != NULL &&
	    tel_domain[0] != '\0')
		return SCHEME_TEL;
	return SCHEME_OTHER;
}

static int reject(const char **why, const char *reason, int status)
{
	*why = reason;
	return status;
}

/* Copy SRC into DST[SIZE]; -1 when it does not fit. */
static int copy_field(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

/* Decimal 1..65535, digits only ("" is 0, so refused). */
static int parse_port(const char *s, unsigned *out)
{
	unsigned long v = 0;
	size_t len = strlen(s);

	if (len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A tel number char (RFC 3966 phonedigit-hex) once separators are gone. */
static bool tel_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == '*' || c == '#';
}

static bool tel_separator(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/* Copy the number NUM into DST[SIZE] without visual separators; a leading
 * '+' stays.  Returns NULL, or the reason for a 400. */
static const char *tel_number(char *dst, size_t size, const char *num)
{
	size_t n = 0;

	for (const char *p = num; *p != '\0'; p++) {
		if (tel_separator(*p))
			continue;
		if (!tel_char(*p) && !(*p == '+' && p == num))
			return "bad tel number";
		if (n + 1 >= size)
			return "Refer-To too long";
		dst[n++] = *p;
	}
	dst[n] = '\0';
	if (n == 0 || (n == 1 && dst[0] == '+'))
		return "empty tel number";
	return NULL;
}

/* An IPv4 literal, or an IPv6 one in brackets (RFC 3261 19.1.1). */
static bool host_is_literal(const char *host)
{
	unsigned char addr[16];
	int family;

	return host_address(host, &family, addr);
}

/* tel:N -> sip:N@tel_domain (user=phone), port 5060 not explicit. */
static int map_tel(const struct refer_to_uri *u, const char *tel_domain,
		   struct refer_target *t, const char **why)
{
	const char *bad = tel_number(t->user, sizeof(t->user),
				     u->user != NULL ? u->user : "");

	if (bad != NULL)
		return reject(why, bad, 400);
	if (copy_field(t->host, sizeof(t->host), tel_domain) != 0)
		return reject(why, "Refer-To too long", 400);
	strcpy(t->scheme, "sip");
	t->port = 5060;
	t->tel = true;
	t->host_is_name = !host_is_literal(t->host) &&
			  !host_is_localhost(t->host);
	return 0;
}

/* Digits and dots only, yet no dotted-quad IPv4 address: "127.000.0.1"
 * or "017.0.0.1", which resolvers read as octal or decimal numbers, so
 * that the policy would judge one address and the INVITE reach another. */
static bool host_is_odd_number(const char *host)
{
	unsigned char addr[4];

	return host[strspn(host, "0123456789.")] == '\0' &&
	       inet_pton(AF_INET, host, addr) != 1;
}

static int map_sip(const struct refer_to_uri *u, bool sips,
		   struct refer_target *t, const char **why)
{
	if (u->host == NULL || u->host[0] == '\0')
		return reject(why, "no host", 400);
	if (host_is_odd_number(u->host))
		return reject(why, "host is no dotted-quad address", 400);
	if (copy_field(t->user, sizeof(t->user),
		       u->user != NULL ? u->user : "") != 0 ||
	    copy_field(t->host, sizeof(t->host), u->host) != 0)
		return reject(why, "Refer-To too long", 400);
	t->port = sips ? 5061 : 5060;
	if (u->port != NULL) {
		if (parse_port(u->port, &t->port) != 0)
			return reject(why, "bad port", 400);
		t->port_explicit = true;
	}
	strcpy(t->scheme, sips ? "sips" : "sip");
	t->host_is_name = !host_is_literal(t->host) &&
			  !host_is_localhost(t->host);
	return 0;
}

/* "user@host:port" with the host lowercased (hosts are case-insensitive;
 * user parts are not). */
static void build_key(struct refer_target *t)
{
	int n = snprintf(t->key, sizeof(t->key), "%s@", t->user);

	for (const char *h = t->host; *h != '\0'; h++) {
		char c = *h;

		t->key[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	snprintf(t->key + n, sizeof(t->key) - (size_t)n, ":%u", t->port);
}

/* Host/port trouble is a parse failure, so it answers 400 before the method
 * (501) and Replaces rules; only the scheme (416) comes first. */
/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static bool scheme_well_formed(const char *scheme)
{
	if (!isalpha((unsigned char)*scheme))
		return false;
	for (const char *p = scheme + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+-.", *p))
			return false;
	return true;
}

/* A control character anywhere in the URI's parts: never a valid URI, and
 * never to be copied into an INVITE or a log line. */
static bool has_control_chars(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; p && *p;
	     p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static bool uri_is_clean(const struct refer_to_uri *u)
{
	return !has_control_chars(u->scheme) && !has_control_chars(u->user) &&
	       !has_control_chars(u->host) && !has_control_chars(u->port) &&
	       !has_control_chars(u->method);
}

int refer_to_check(const struct refer_to_uri *u, const char *tel_domain,
		   struct refer_target *out, const char **why)
{
	struct refer_target t;
	enum scheme s;
	int status;

	if (u->scheme == NULL || !scheme_well_formed(u->scheme) ||
	    !uri_is_clean(u))
		return reject(why, "Refer-To unparsable", 400);
	s = scheme_of(u->scheme, tel_domain);
	if (s == SCHEME_OTHER)
		return reject(why, "scheme not supported", 416);
	memset(&t, 0, sizeof(t));
	status = s == SCHEME_TEL ? map_tel(u, tel_domain, &t, why)
				 : map_sip(u, s == SCHEME_SIPS, &t, why);
	if (status != 0)
		return status;
	if (u->method != NULL && strcasecmp(u->method, "INVITE") != 0)
		return reject(why, "method not INVITE", 501);
	if (u->has_replaces && !u->replaces_valid)
		return reject(why, "bad Replaces", 400);
	build_key(&t);
	*out = t;
	return 0;
}

static const char *phrase_for(int status)
{
	switch (status) {
	case 202: return "Accepted";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 416: return "Unsupported URI Scheme";
	case 482: return "Loop Detected";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default:  return "Bad Request";	/* 400 */
	}
}

static int decide(struct refer_verdict *v, int status, const char *why)
{
	v->status = status;
	v->phrase = phrase_for(status);
	v->why = why;
	return status;
}

/* The 503 row: shutting down, draining and max_active (Retry-After 5) win
 * over the rates, per source then overall (Retry-After 1). */
static int unavailable(const struct refer_facts *f, struct refer_verdict *v)
{
	bool busy = f->shutting_down || f->draining || f->at_max_active;

	v->retry_after = busy ? 5 : 1;
	return decide(v, 503, f->shutting_down ? "shutting down" :
			      f->draining ? "draining" :
			      f->at_max_active ? "max_active reached" :
			      f->over_rate ? "over rate" : "over max_rate");
}

/* The rows before the Refer-To is looked at; 0 when all pass. */
static int admit_request(const struct refer_facts *f, struct refer_verdict *v)
{
	if (!f->source_allowed)
		return decide(v, 403, "source not allowed");
	if (f->auth_required && !f->auth_ok) {
		v->challenge_stale = f->auth_stale;
		return decide(v, 401, f->auth_stale ? "stale nonce"
						    : "authentication required");
	}
	if (f->shutting_down || f->draining || f->at_max_active ||
	    f->over_rate || f->over_max_rate)
		return unavailable(f, v);
	if (f->refer_to_count != 1)
		return decide(v, 400, f->refer_to_count == 0 ? "no Refer-To"
							      : "several Refer-To");
	if (f->contact_count != 1)
		return decide(v, 400, f->contact_count == 0 ? "no Contact"
							     : "several Contact");
	if (f->has_replaces_header)
		return decide(v, 400, "Replaces header in the REFER");
	if (!f->refer_to_parsed || f->uri == NULL)
		return decide(v, 400, "Refer-To unparsable");
	return 0;
}

/* The rows after the Refer-To rules.  A host name that policy.targets
 * refuses is refused before any look-up (no DNS query for it); an
 * address is judged for a loop first, as the table orders it.  A missing
 * target_allowed means "not allowed", so a glue that forgets
 * policy.targets refuses; a missing is_loop means "not a loop". */
static int admit_target(const struct refer_facts *f, struct refer_verdict *v)
{
	bool allowed = f->target_allowed != NULL &&
		       f->target_allowed(&v->target, f->ctx);
	enum refer_lookup loop;

	if (!allowed && v->target.host_is_name)
		return decide(v, 403, "target not allowed");
	loop = f->is_loop != NULL ? f->is_loop(&v->target, f->ctx) : LOOKUP_NO;
	if (loop == LOOKUP_PENDING) {
		v->why = "resolving the target";
		return v->status = 0;
	}
	if (loop == LOOKUP_YES)
		return decide(v, 482, "loop");
	if (!f->notify_hop_allowed)
		return decide(v, 403, "NOTIFY next hop not allowed");
	if (!allowed)
		return decide(v, 403, "target not allowed");
	return decide(v, 202, "accepted");
}

int refer_admit(const struct refer_facts *f, struct refer_verdict *v)
{
	const char *why;
	int status;

	memset(v, 0, sizeof(*v));
	status = admit_request(f, v);
	if (status != 0)
		return status;
	status = refer_to_check(f->uri, f->tel_domain, &v->target, &why);
	if (status != 0)
		return decide(v, status, why);
	return admit_target(f, v);
}
