/*
 * conn_table.h - PURE bookkeeping of the TCP/TLS connections the agent
 * accepted: how many are open, which have not yet delivered a complete
 * SIP request, which must be closed, and how often closing is logged.
 *
 * conn_table.c owns the table (one entry per accepted socket: its fd, its
 * peer address, when it was accepted, whether a request came from that
 * peer yet), the admission rule (policy.allow_from, then
 * limits.max_connections), the silence rule (no request within
 * CONN_SILENCE_MS of the accept) and the log throttle.  No Sofia-SIP, no
 * sockets, no clock: time comes in as now_ms.  sip_connections.c does the
 * accepting, validating and closing.
 */
#ifndef STA_CONN_TABLE_H
#define STA_CONN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A connection that delivered no complete request this long after its
 * accept is closed. */
#define CONN_SILENCE_MS 10000

/* Why the agent closed a connection. */
enum conn_close {
	CONN_CLOSE_NOT_ALLOWED,	/* source outside policy.allow_from */
	CONN_CLOSE_TOO_MANY,	/* limits.max_connections reached */
	CONN_CLOSE_SILENT,	/* no complete request within 10 s */
	CONN_CLOSE_COUNT
};

/* "source not allowed", "max_connections", "silent": log and metrics. */
extern const char *const conn_close_names[CONN_CLOSE_COUNT];

struct conn {
	int fd;
	struct sockaddr_storage peer;
	uint64_t accepted_ms;
};

/*
 * Entries [0, n_silent) have delivered nothing yet; [n_silent, n) have.
 * Marking moves an entry across the boundary, so a request only searches
 * the connections still silent, which are few unless someone holds
 * connections open on purpose.
 */
struct conn_table {
	struct conn *v;
	size_t n, n_silent, cap;
};

void conn_table_init(struct conn_table *t);
void conn_table_free(struct conn_table *t);

/* Whether a connection from a source (ALLOWED: in policy.allow_from) is
 * kept when T holds the connections open now and MAX may be open at once.
 * Returns true, or false with the reason in *WHY. */
bool conn_admit(struct conn_table const *t, unsigned max, bool allowed,
		enum conn_close *why);

/* Record socket FD from PEER, accepted at NOW_MS, as silent; an entry
 * with the same fd (closed since, its number reused) is replaced.
 * Returns false when memory runs out. */
bool conn_table_add(struct conn_table *t, int fd,
		    struct sockaddr_storage const *peer, uint64_t now_ms);

/* Remove entry I (0..n-1); the order of the others changes. */
void conn_table_remove_at(struct conn_table *t, size_t i);

/* A complete request came from PEER: its connection, if one is silent,
 * has delivered.  Returns whether one was. */
bool conn_table_mark(struct conn_table *t,
		     struct sockaddr_storage const *peer);

/* Entry I has delivered nothing and was accepted CONN_SILENCE_MS or more
 * before NOW_MS. */
bool conn_table_too_silent(struct conn_table const *t, size_t i,
			   uint64_t now_ms);

/* Rewrite an IPv4-mapped IPv6 address (::ffff:a.b.c.d) in SS as the IPv4
 * address it carries, port kept, as Sofia-SIP names such peers. */
void conn_canonical(struct sockaddr_storage *ss);

/* Same family, address and port (IPv4 and IPv6 only). */
bool conn_same_peer(struct sockaddr_storage const *a,
		    struct sockaddr_storage const *b);

/*
 * Log throttle: at most one line per EVERY_MS for one reason.
 * conn_log_event() counts one close at NOW_MS and returns true when it is
 * to be logged now, with *SUPPRESSED the closes held back since the last
 * line; conn_log_flush() returns, and forgets, closes held back for
 * EVERY_MS or more (0: nothing to say).
 */
struct conn_log {
	uint64_t last_ms;
	unsigned long held;
	bool logged;
};

bool conn_log_event(struct conn_log *l, uint64_t now_ms, uint64_t every_ms,
		    unsigned long *suppressed);
unsigned long conn_log_flush(struct conn_log *l, uint64_t now_ms,
			     uint64_t every_ms);

#endif
