/*
 * sip_loop.h - is an address the agent itself?
 *
 * sip_loop.c owns the loop check of SPEC section 2: an address and port
 * equal to one of the agent's listen addresses, where a wildcard listen
 * address (0.0.0.0, ::) stands for every address of this host.  Local
 * addresses are read with getifaddrs(): no socket, no DNS.  It fails
 * closed: when the host's addresses cannot be read, an address on a
 * wildcard listen port counts as the agent's own.
 */
#ifndef STA_SIP_LOOP_H
#define STA_SIP_LOOP_H

#include <stdbool.h>
#include <sys/socket.h>

struct sta_agent;

/* TARGET (AF_INET or AF_INET6, its port set; an IPv4-mapped IPv6
 * address counts as its IPv4 address) is where the agent listens. */
bool agent_address_is_own(struct sta_agent const *agent,
			  struct sockaddr_storage const *target);

#endif
