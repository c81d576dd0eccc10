/*
 * sofia_resolve.h - no blocking name look-up inside the event loop.
 * See sofia_resolve.c.
 */
#ifndef STA_SOFIA_RESOLVE_H
#define STA_SOFIA_RESOLVE_H

#include <stdbool.h>

/* From now on (ON) getaddrinfo() takes numeric hosts only; OFF lets it
 * look names up again (start-up and exit). */
void sofia_resolve_numeric_only(bool on);

#endif
