/*
 * sofia_resolve.c - no blocking name look-up inside the event loop.
 *
 * Sofia-SIP's transport layer resolves the host it answers a request to
 * with su_getaddrinfo(), that is glibc's blocking getaddrinfo().  That host
 * is an address (NTA puts the source address in received=), except when
 * the request's top Via names a host in maddr: NTA answers there, and
 * some answers are NTA's own, sent before any callback of the agent runs
 * (482 to a merged request, 481 to a CANCEL).  A maddr naming a host
 * whose DNS hangs would stop the whole loop.
 *
 * This file defines getaddrinfo() in the executable (the library's calls
 * go through its PLT, as for sofia_timer.c); while the event loop runs it
 * adds AI_NUMERICHOST, so a name fails at once instead of blocking, and
 * calls glibc's.  Names the agent must resolve go through sip_dns.c
 * (sresolv on the loop); start-up and reload-free code paths (binding the
 * listen addresses) run before the switch is set.
 */
#include "sofia_resolve.h"

#include <dlfcn.h>
#include <netdb.h>
#include <stddef.h>

typedef int getaddrinfo_f(char const *node, char const *service,
			  struct addrinfo const *hints,
			  struct addrinfo **res);

static bool numeric_only;

void sofia_resolve_numeric_only(bool on)
{
	numeric_only = on;
}

int getaddrinfo(char const *node, char const *service,
		struct addrinfo const *hints, struct addrinfo **res)
{
	static getaddrinfo_f *library;
	struct addrinfo numeric = { .ai_flags = AI_NUMERICHOST };

	if (!library)
		library = (getaddrinfo_f *)dlsym(RTLD_NEXT, "getaddrinfo");
	if (!library)
		return EAI_SYSTEM;
	if (numeric_only && node) {
		if (hints)
			numeric = *hints;
		numeric.ai_flags |= AI_NUMERICHOST;
		hints = &numeric;
	}
	return library(node, service, hints, res);
}
