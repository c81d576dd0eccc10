/*
 * sip_connections.h - the limits on accepted TCP/TLS connections.
 *
 * sip_connections.c owns the table of connections accepted on the agent's
 * stream listen URIs (decisions in the pure conn_table.c) and the accept()
 * that Sofia-SIP's tport calls: a source outside policy.allow_from, or one
 * connection more than limits.max_connections, is shut down at accept
 * before a byte is read; a connection that delivers no complete request
 * within 10 s of its accept is shut down by a sweep once a second.  Each
 * close is counted in the metrics and logged (at most one line per reason
 * every 10 s, the rest summarized).  Idle connections are tport's own
 * business (TPTAG_IDLE, sip.tcp_idle_timeout, set in sip_agent.c).
 */
#ifndef STA_SIP_CONNECTIONS_H
#define STA_SIP_CONNECTIONS_H

#include <sofia-sip/nta.h>

struct sta_agent;
struct sip_connections;

/* Start limiting the connections of AGENT (one agent per process: the
 * accept() of this file finds it through a module pointer).  Returns NULL
 * when memory or a timer cannot be had. */
struct sip_connections *sip_connections_create(struct sta_agent *agent);

/* A complete request IRQ arrived: the connection it came on, if still
 * silent, has delivered.  C may be NULL. */
void sip_connections_seen(struct sip_connections *c, nta_incoming_t *irq);

/* The same for a request MSG answered without a transaction (the overload
 * control's 503). */
void sip_connections_seen_msg(struct sip_connections *c, msg_t *msg);

/* Stop limiting; connections stay as they are.  C may be NULL. */
void sip_connections_destroy(struct sip_connections *c);

#endif
