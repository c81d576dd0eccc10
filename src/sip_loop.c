/*
 * sip_loop.c - is an address the agent itself?  See sip_loop.h.
 */
#include "sip_loop.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "conn_table.h"
#include "sip_core.h"

static in_port_t port_of(struct sockaddr_storage const *ss)
{
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in const *)ss)->sin_port;
	return ((struct sockaddr_in6 const *)ss)->sin6_port;
}

static bool same_address(struct sockaddr_storage const *a,
			 struct sockaddr const *b)
{
	int fa, fb;
	unsigned char const *pa = sockaddr_bytes(a, &fa);
	unsigned char const *pb =
		sockaddr_bytes((struct sockaddr_storage const *)b, &fb);

	return fa == fb && memcmp(pa, pb, fa == AF_INET ? 4 : 16) == 0;
}

/* ADDR is an address of this host: any loopback address counts, and so
 * does the unspecified one (0.0.0.0, ::), which Linux delivers here. */
static bool address_is_local(struct sockaddr_storage const *addr)
{
	struct ifaddrs *all, *i;
	bool local = false;

	if (addr->ss_family == AF_INET) {
		uint32_t a = ntohl(((struct sockaddr_in const *)addr)
				   ->sin_addr.s_addr);

		if (a >> 24 == 127 || a == 0)
			return true;
	} else if (IN6_IS_ADDR_UNSPECIFIED(
			   &((struct sockaddr_in6 const *)addr)->sin6_addr) ||
		   IN6_IS_ADDR_LOOPBACK(
			   &((struct sockaddr_in6 const *)addr)->sin6_addr)) {
		return true;
	}
	if (getifaddrs(&all) != 0)
		return true;	/* fail closed */
	for (i = all; i && !local; i = i->ifa_next)
		local = i->ifa_addr && same_address(addr, i->ifa_addr);
	freeifaddrs(all);
	return local;
}

bool agent_address_is_own(struct sta_agent const *agent,
			  struct sockaddr_storage const *target)
{
	struct sockaddr_storage plain = *target;
	struct sockaddr_storage const *addr = &plain;

	conn_canonical(&plain);		/* mapped IPv6 as the IPv4 it carries */

	for (size_t i = 0; i < agent->n_listen; i++) {
		struct listen_addr const *l = &agent->listen[i];

		if (port_of(&l->addr) != port_of(addr))
			continue;
		if (l->wildcard ? address_is_local(addr)
				: same_address(&l->addr,
					       (struct sockaddr const *)addr))
			return true;
	}
	return false;
}
