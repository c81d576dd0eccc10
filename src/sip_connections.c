/*
 * sip_connections.c - the limits on accepted TCP/TLS connections.
 * See sip_connections.h.
 *
 * Sofia-SIP's tport_accept() calls libc accept() and hands the socket to
 * a new transport at once; it has no hook, no connection limit and no
 * source filter.  This file therefore defines accept() in the executable:
 * the dynamic linker binds the library's call to it (through its PLT), it
 * calls libc's accept() and judges the new socket before tport sees it.  A
 * socket to close is shut down (SHUT_RDWR) and still returned, so tport
 * reads end-of-file on its first wakeup and frees it the usual way; an
 * accept() error would instead be logged by NTA for every refusal.  Only
 * sockets accepted on one of the agent's listen addresses are judged
 * (libmicrohttpd, the metrics listener, calls accept4()).  The daemon is
 * single-threaded on its su_root, so the module pointer needs no lock.
 *
 * A connection leaves the table when it is shut down here, or when the
 * sweep finds that its fd no longer has the recorded peer (tport closed
 * it, the number may have been reused).  With the table full, accept()
 * runs that check first, so a connection closed by tport never counts.
 */
#include "sip_connections.h"

#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/su_wait.h>

#include "config.h"
#include "conn_table.h"
#include "log.h"
#include "sip_core.h"

#define SWEEP_MS 1000
#define LOG_EVERY_MS 10000

struct sip_connections {
	struct sta_agent *agent;
	struct conn_table table;
	su_timer_t *sweep;
	struct conn_log log[CONN_CLOSE_COUNT];
};

static struct sip_connections *current;

static unsigned port_of(struct sockaddr_storage const *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((struct sockaddr_in const *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 const *)ss)->sin6_port);
	return 0;
}

/* PEER of FD, IPv4-mapped addresses as IPv4 (as tport names them). */
static bool peer_of(int fd, struct sockaddr_storage *peer)
{
	socklen_t len = sizeof *peer;

	memset(peer, 0, sizeof *peer);
	if (getpeername(fd, (struct sockaddr *)peer, &len) != 0)
		return false;
	conn_canonical(peer);
	return true;
}

/* LOCAL (canonical) is listen address L: same port, same address unless
 * L is a wildcard. */
static bool is_listen_addr(struct listen_addr const *l,
			   struct sockaddr_storage const *local)
{
	struct sockaddr_storage bound = l->addr;

	if (port_of(&bound) != port_of(local))
		return false;
	conn_canonical(&bound);
	return l->wildcard || conn_same_peer(&bound, local);
}

/* Listening socket FD is bound to one of the agent's listen addresses. */
static bool is_sip_listener(struct sta_agent const *agent, int fd)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof local;

	memset(&local, 0, sizeof local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0)
		return false;
	conn_canonical(&local);
	for (size_t i = 0; i < agent->n_listen; i++)
		if (is_listen_addr(&agent->listen[i], &local))
			return true;
	return false;
}

static void peer_text(struct sockaddr_storage const *peer, char *buf,
		      size_t size)
{
	char host[64] = "?";

	getnameinfo((struct sockaddr const *)peer, sizeof *peer, host,
		    sizeof host, NULL, 0, NI_NUMERICHOST);
	snprintf(buf, size, peer->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 host, port_of(peer));
}

/* Count and log (throttled) one connection from PEER closed for WHY. */
static void note_close(struct sip_connections *c, enum conn_close why,
		       struct sockaddr_storage const *peer, uint64_t now_ms)
{
	unsigned long held;
	char text[80];

	c->agent->metrics.connections_closed[why]++;
	if (!conn_log_event(&c->log[why], now_ms, LOG_EVERY_MS, &held))
		return;
	peer_text(peer, text, sizeof text);
	if (held)
		log_notice("TCP connection from %s closed: %s (and %lu more "
			   "since the last such line)", text,
			   conn_close_names[why], held);
	else
		log_notice("TCP connection from %s closed: %s", text,
			   conn_close_names[why]);
}

static void flush_logs(struct sip_connections *c, uint64_t now_ms)
{
	for (int why = 0; why < CONN_CLOSE_COUNT; why++) {
		unsigned long held = conn_log_flush(&c->log[why], now_ms,
						    LOG_EVERY_MS);

		if (held)
			log_notice("%lu more TCP connection(s) closed: %s",
				   held, conn_close_names[why]);
	}
}

/* E's fd still is the connection recorded (tport has not closed it). */
static bool still_open(struct conn const *e)
{
	struct sockaddr_storage now;

	return peer_of(e->fd, &now) && conn_same_peer(&now, &e->peer);
}

static void forget_closed(struct sip_connections *c)
{
	for (size_t i = 0; i < c->table.n;) {
		if (still_open(&c->table.v[i]))
			i++;
		else
			conn_table_remove_at(&c->table, i);
	}
}

static void on_sweep(su_root_magic_t *magic, su_timer_t *t,
		     su_timer_arg_t *arg)
{
	struct sip_connections *c = (struct sip_connections *)arg;
	uint64_t now = sta_now_ms();

	(void)magic;
	(void)t;
	for (size_t i = 0; i < c->table.n;) {
		struct conn const *e = &c->table.v[i];

		if (!still_open(e)) {
			conn_table_remove_at(&c->table, i);
		} else if (conn_table_too_silent(&c->table, i, now)) {
			shutdown(e->fd, SHUT_RDWR);
			note_close(c, CONN_CLOSE_SILENT, &e->peer, now);
			conn_table_remove_at(&c->table, i);
		} else {
			i++;
		}
	}
	flush_logs(c, now);
}

/* Judge socket S, just accepted: keep it in the table, or shut it down. */
static void judge(struct sip_connections *c, int s)
{
	struct sta_config const *cfg = c->agent->cfg;
	struct request_source src = { .known = true };
	uint64_t now = sta_now_ms();
	enum conn_close why = CONN_CLOSE_TOO_MANY;	/* or no memory */
	bool allowed;

	if (!peer_of(s, &src.addr))
		return;		/* already gone: tport will see it */
	allowed = agent_source_allowed(c->agent, &src);
	if (allowed && c->table.n >= cfg->max_connections)
		forget_closed(c);
	if (conn_admit(&c->table, cfg->max_connections, allowed, &why) &&
	    conn_table_add(&c->table, s, &src.addr, now))
		return;
	shutdown(s, SHUT_RDWR);
	note_close(c, why, &src.addr, now);
}

typedef int accept_f(int, struct sockaddr *, socklen_t *);

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	static accept_f *real;
	int s;

	if (!real)
		real = (accept_f *)dlsym(RTLD_NEXT, "accept");
	if (!real)
		return -1;
	s = real(fd, addr, len);
	if (s >= 0 && current && is_sip_listener(current->agent, fd))
		judge(current, s);
	return s;
}

void sip_connections_seen_msg(struct sip_connections *c, msg_t *msg)
{
	su_sockaddr_t const *from;
	struct sockaddr_storage peer;

	if (!c || c->table.n_silent == 0 || !msg)
		return;
	from = msg_addr(msg);
	if (from) {
		memset(&peer, 0, sizeof peer);
		memcpy(&peer, from, su_sockaddr_size(from));
		conn_canonical(&peer);
		conn_table_mark(&c->table, &peer);
	}
}

void sip_connections_seen(struct sip_connections *c, nta_incoming_t *irq)
{
	msg_t *msg;

	if (!c || c->table.n_silent == 0)
		return;
	msg = nta_incoming_getrequest(irq);
	sip_connections_seen_msg(c, msg);
	msg_destroy(msg);
}

struct sip_connections *sip_connections_create(struct sta_agent *agent)
{
	struct sip_connections *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->agent = agent;
	conn_table_init(&c->table);
	c->sweep = su_timer_create(su_root_task(agent->root), SWEEP_MS);
	if (!c->sweep ||
	    su_timer_set_for_ever(c->sweep, on_sweep, (su_timer_arg_t *)c) < 0) {
		sip_connections_destroy(c);
		return NULL;
	}
	current = c;
	return c;
}

void sip_connections_destroy(struct sip_connections *c)
{
	if (!c)
		return;
	if (current == c)
		current = NULL;
	su_timer_destroy(c->sweep);
	conn_table_free(&c->table);
	free(c);
}
