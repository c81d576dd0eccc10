/*
 * next_hop.h - PURE: where a SIP URI really sends a request.
 *
 * next_hop.c owns the URI facts that decide the next hop as Sofia-SIP's
 * NTA computes it (nta.c, nta_tpn_by_url): a maddr parameter replaces the
 * host; and the means to take such parameters out of a URI the agent will
 * send to, so that policy.targets judges the address the request really
 * goes to.  A parameter name counts as "maddr" in any case and with any
 * %-escaping.  No Sofia-SIP calls, no I/O, no clock.
 */
#ifndef STA_NEXT_HOP_H
#define STA_NEXT_HOP_H

#include <stdbool.h>
#include <stddef.h>

/* Copy the ;-separated URI parameters PARAMS into OUT[SIZE] without any
 * maddr parameter.  Returns false when OUT is too small (OUT is then
 * empty). */
bool params_without_maddr(const char *params, char *out, size_t size);

/* The host a request to a URI with HOST and PARAMS (NULL: none) goes to:
 * the value of its last maddr parameter (NTA keeps overwriting with each
 * one), copied into BUF[SIZE], or HOST.  NULL when a maddr value does not
 * fit BUF. */
const char *next_hop_host(const char *host, const char *params, char *buf,
			  size_t size);

/* HOST is an IPv4 or IPv6 address literal ("[::1]" or "::1"): its family
 * and bytes (4 or 16, network order) are stored. */
bool host_address(const char *host, int *family, unsigned char addr[16]);

/* HOST is "localhost" or a name under it: this host's loopback addresses,
 * without asking DNS (RFC 6761 6.3). */
bool host_is_localhost(const char *host);

#endif
