/*
 * sip_dns.h - asynchronous address look-ups on the agent's event loop.
 *
 * sip_dns.c owns the agent's Sofia-SIP resolver (sresolv, on the su_root:
 * no blocking getaddrinfo anywhere) and one kind of question: the IPv4 and
 * IPv6 addresses of a host name, answered through a callback from the
 * event loop, never from inside dns_lookup_start().  Every look-up ends
 * after DNS_DEADLINE_MS at the latest, answered or not, so a resolver that
 * hangs delays only the request that asked.
 */
#ifndef STA_SIP_DNS_H
#define STA_SIP_DNS_H

#include <stddef.h>
#include <sys/socket.h>

#include <sofia-sip/su_wait.h>

/* A look-up gives up (as "no address") after this long. */
#define DNS_DEADLINE_MS 4000

/* Addresses kept per look-up: more are dropped. */
#define DNS_MAX_ADDRS 16

struct sta_dns;
struct dns_lookup;

/* The answer: N addresses (port 0), none when the name does not resolve
 * or the resolver did not answer in time. */
typedef void dns_done_f(void *ctx, struct sockaddr_storage const *addrs,
			size_t n);

/* A resolver reading RESOLV_CONF (NULL: /etc/resolv.conf).  NULL when it
 * cannot be made. */
struct sta_dns *dns_create(su_root_t *root, char const *resolv_conf);
void dns_destroy(struct sta_dns *dns);

/* Ask for the addresses of NAME; DONE is called once, later, unless the
 * look-up is cancelled first.  NULL when the question cannot be asked. */
struct dns_lookup *dns_lookup_start(struct sta_dns *dns, char const *name,
				    dns_done_f *done, void *ctx);

/* Forget a look-up: DONE is never called. */
void dns_lookup_cancel(struct dns_lookup *l);

#endif
