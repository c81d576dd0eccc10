/*
 * sofia_ackbye.h - NTA's own ACK and BYE of an orphan 2xx, kept to the
 * next hops policy.targets permits.  See sofia_ackbye.c.
 */
#ifndef STA_SOFIA_ACKBYE_H
#define STA_SOFIA_ACKBYE_H

struct sta_agent;

/* The agent whose policy judges orphan 2xx answers; NULL: none (they are
 * all dropped). */
void sofia_ackbye_guard(struct sta_agent const *agent);

#endif
